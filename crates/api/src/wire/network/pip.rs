use super::{allocation, extra, id_ref, put_extra, tracked, version, SkuIn};
use cerulean_app::network::public_ips::PublicIpView;
use cerulean_domain::network::public_ip::PublicIpSpec;
use cerulean_domain::network::{Allocation, CommonSpec, IpVersion};
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpIn {
    location: Option<String>,
    tags: Option<Tags>,
    sku: Option<SkuIn>,
    #[serde(default)]
    zones: Vec<String>,
    #[serde(default)]
    properties: PublicIpProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct PublicIpProps {
    #[serde(
        default,
        rename = "publicIPAllocationMethod",
        deserialize_with = "allocation"
    )]
    public_ip_allocation_method: Option<Allocation>,
    #[serde(
        default,
        rename = "publicIPAddressVersion",
        deserialize_with = "version"
    )]
    public_ip_address_version: Option<IpVersion>,
    idle_timeout_in_minutes: Option<u32>,
    dns_settings: Option<DnsIn>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// What a public IP body may carry that the server fills in.
const READ_ONLY: &[&str] = &[
    "provisioningState",
    "resourceGuid",
    "ipAddress",
    "ipConfiguration",
    "natGateway",
    "servicePublicIPAddress",
    "linkedPublicIPAddress",
];

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct DnsIn {
    domain_name_label: Option<String>,
}

impl PublicIpIn {
    pub fn spec(self) -> PublicIpSpec {
        let p = self.properties;
        let sku = self.sku.unwrap_or_default();
        PublicIpSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: extra(p.rest, READ_ONLY),
            },
            sku: sku.name,
            tier: sku.tier,
            allocation: p.public_ip_allocation_method,
            version: p.public_ip_address_version,
            idle_timeout_minutes: p.idle_timeout_in_minutes,
            domain_name_label: p.dns_settings.and_then(|d| d.domain_name_label),
            zones: self.zones,
        }
    }
}

pub fn public_ip(v: &PublicIpView) -> Value {
    let p = &v.public_ip.value;
    let mut body = tracked(
        &v.public_ip.id,
        &v.public_ip.etag,
        "Microsoft.Network/publicIPAddresses",
        &p.common,
    );
    body["sku"] = json!({"name": p.sku.as_str(), "tier": p.tier});
    if !p.zones.is_empty() {
        body["zones"] = json!(p.zones);
    }
    let mut props = json!({
        "provisioningState": "Succeeded",
        "resourceGuid": p.common.resource_guid,
        "publicIPAddressVersion": p.version.as_str(),
        "publicIPAllocationMethod": p.allocation.as_str(),
        "idleTimeoutInMinutes": p.idle_timeout_minutes,
        "ipTags": [],
    });
    if let Some(a) = &p.ip_address {
        props["ipAddress"] = json!(a);
    }
    if let (Some(label), Some(fqdn)) = (&p.domain_name_label, p.fqdn()) {
        props["dnsSettings"] = json!({"domainNameLabel": label, "fqdn": fqdn});
    }
    if let Some(user) = &v.used_by {
        props["ipConfiguration"] = id_ref(user);
    }
    put_extra(&mut props, &p.common.extra);
    body["properties"] = props;
    body
}

impl crate::routes::tracked::Wire for cerulean_app::network::public_ips::PublicIps {
    const NAMESPACE: &'static str = "Microsoft.Network";
    const TYPE: &'static str = "publicIPAddresses";
    type In = PublicIpIn;
    type Out<'a> = Value;

    fn spec(body: PublicIpIn) -> Result<PublicIpSpec, crate::error::ApiError> {
        Ok(body.spec())
    }
    fn out(view: &PublicIpView, _: &crate::extract::ArmQuery) -> Value {
        public_ip(view)
    }
    fn etag(view: &PublicIpView) -> &str {
        &view.public_ip.etag
    }
}
