use super::{child, extra, id_ref, put_extra, tracked, IdRef};
use crate::error::ApiError;
use cerulean_app::network::ip_availability::IpAvailability;
use cerulean_app::network::vnets::{SubnetUsers, SubnetView, VnetView};
use cerulean_domain::network::vnet::{Subnet, SubnetSpec, VnetSpec};
use cerulean_domain::network::CommonSpec;
use cerulean_domain::reference::Target;
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct VnetIn {
    location: Option<String>,
    tags: Option<Tags>,
    #[serde(default)]
    properties: VnetProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct VnetProps {
    address_space: Option<AddressSpace>,
    dhcp_options: Option<DhcpOptions>,
    subnets: Option<Vec<SubnetIn>>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// What a VNet body may carry that the server fills in.
const VNET_READ_ONLY: &[&str] = &[
    "provisioningState",
    "resourceGuid",
    "virtualNetworkPeerings",
];
/// What a subnet body may carry that the server fills in.
const SUBNET_READ_ONLY: &[&str] = &[
    "provisioningState",
    "ipConfigurations",
    "ipConfigurationProfiles",
    "resourceNavigationLinks",
    "serviceAssociationLinks",
    "privateEndpoints",
    "purpose",
    "etag",
];

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct AddressSpace {
    #[serde(default)]
    address_prefixes: Vec<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct DhcpOptions {
    #[serde(default)]
    dns_servers: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SubnetIn {
    name: Option<String>,
    #[serde(default)]
    properties: SubnetProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct SubnetProps {
    address_prefix: Option<String>,
    address_prefixes: Option<Vec<String>>,
    network_security_group: Option<IdRef>,
    route_table: Option<IdRef>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl SubnetIn {
    /// `name` comes from the URL for a subnet PUT, from the body inside a VNet; `path` is
    /// where the subnet is in the body (`""` for a subnet PUT, `properties.subnets[i].`).
    pub fn spec(self, name: Option<&str>, path: &str) -> Result<SubnetSpec, ApiError> {
        let p = self.properties;
        let at = |what: &str| format!("{path}properties.{what}");
        let mut prefixes = p.address_prefixes.unwrap_or_default();
        if let Some(one) = p.address_prefix {
            if !prefixes.contains(&one) {
                prefixes.insert(0, one);
            }
        }
        Ok(SubnetSpec {
            name: name.map(str::to_string).or(self.name).unwrap_or_default(),
            address_prefixes: prefixes,
            network_security_group: p
                .network_security_group
                .map(|r| r.to(Target::NetworkSecurityGroup, || at("networkSecurityGroup")))
                .transpose()?,
            route_table: p
                .route_table
                .map(|r| r.to(Target::RouteTable, || at("routeTable")))
                .transpose()?,
            extra: extra(p.rest, SUBNET_READ_ONLY),
        })
    }
}

impl VnetIn {
    pub fn spec(self) -> Result<VnetSpec, ApiError> {
        let p = self.properties;
        let subnets = match p.subnets {
            None => None,
            Some(subs) => Some(
                subs.into_iter()
                    .enumerate()
                    .map(|(i, s)| s.spec(None, &format!("properties.subnets[{i}].")))
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(VnetSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: extra(p.rest, VNET_READ_ONLY),
            },
            address_prefixes: p
                .address_space
                .map(|a| a.address_prefixes)
                .unwrap_or_default(),
            dns_servers: p.dhcp_options.map(|d| d.dns_servers).unwrap_or_default(),
            subnets,
        })
    }
}

fn subnet(vnet_id: &str, s: &Subnet, users: &SubnetUsers) -> Value {
    let id = format!("{vnet_id}/subnets/{}", s.name);
    let mut v = child(
        &id,
        &s.name,
        &s.etag,
        "Microsoft.Network/virtualNetworks/subnets",
    );
    let mut props = json!({ "provisioningState": "Succeeded" });
    if s.address_prefixes.len() == 1 {
        props["addressPrefix"] = json!(s.address_prefixes[0]);
    } else {
        props["addressPrefixes"] = json!(s.address_prefixes);
    }
    if !users.configs.is_empty() {
        props["ipConfigurations"] =
            json!(users.configs.iter().map(|u| id_ref(u)).collect::<Vec<_>>());
    }
    if !users.private_endpoints.is_empty() {
        let ids: Vec<Value> = users.private_endpoints.iter().map(|u| id_ref(u)).collect();
        props["privateEndpoints"] = json!(ids);
    }
    if let Some(n) = &s.network_security_group {
        props["networkSecurityGroup"] = id_ref(n);
    }
    if let Some(r) = &s.route_table {
        props["routeTable"] = id_ref(r);
    }
    put_extra(&mut props, &s.extra);
    // What Azure reports when the client did not say.
    defaults(
        &mut props,
        &[
            ("delegations", json!([])),
            ("privateEndpointNetworkPolicies", json!("Disabled")),
            ("privateLinkServiceNetworkPolicies", json!("Enabled")),
        ],
    );
    v["properties"] = props;
    v
}

/// Sets each property the body does not have yet.
fn defaults(props: &mut Value, values: &[(&str, Value)]) {
    for (k, v) in values {
        if props.get(*k).is_none() {
            props[*k] = v.clone();
        }
    }
}

pub fn subnet_view(v: &SubnetView) -> Value {
    subnet(&v.vnet_id, &v.subnet, &v.users)
}

/// One entry of `virtualNetworks/{v}/usages` ("Subnet size and usage"): the subnet's IPv4
/// addresses clients may use (its size less Azure's five reserved ones) and how many IP
/// configurations hold one. What the portal shows as "Available addresses".
pub fn subnet_usage(v: &SubnetView) -> Value {
    let v4 = v.subnet.prefixes().into_iter().find(|p| p.addr().is_ipv4());
    let limit = v4.map_or(0, cerulean_domain::ipam::usable_count);
    let name = "Subnet size and usage";
    json!({
        "id": format!("{}/subnets/{}", v.vnet_id, v.subnet.name),
        "currentValue": v.users.configs.len(),
        "limit": u64::try_from(limit).unwrap_or(u64::MAX),
        "name": {"value": name, "localizedValue": name},
        "unit": "Count",
    })
}

/// `IPAddressAvailabilityResult`: the list only when the address is taken.
pub fn ip_availability(r: &IpAvailability) -> Value {
    if r.available {
        json!({"available": true})
    } else {
        json!({"available": false, "availableIPAddresses": r.alternatives})
    }
}

pub fn vnet(v: &VnetView) -> Value {
    let n = &v.vnet.value;
    let mut body = tracked(
        &v.vnet.id,
        &v.vnet.etag,
        "Microsoft.Network/virtualNetworks",
        &n.common,
    );
    let subnets: Vec<Value> = n
        .subnets
        .iter()
        .zip(&v.subnet_users)
        .map(|(s, users)| subnet(&v.vnet.id, s, users))
        .collect();
    let mut props = json!({
        "provisioningState": "Succeeded",
        "resourceGuid": n.common.resource_guid,
        "addressSpace": {"addressPrefixes": n.address_prefixes},
        "subnets": subnets,
        "virtualNetworkPeerings": [],
    });
    if !n.dns_servers.is_empty() {
        props["dhcpOptions"] = json!({"dnsServers": n.dns_servers});
    }
    put_extra(&mut props, &n.common.extra);
    defaults(
        &mut props,
        &[
            ("enableDdosProtection", json!(false)),
            ("privateEndpointVNetPolicies", json!("Disabled")),
        ],
    );
    body["properties"] = props;
    body
}

impl crate::routes::tracked::Wire for cerulean_app::network::vnets::Vnets {
    const NAMESPACE: &'static str = "Microsoft.Network";
    const TYPE: &'static str = "virtualNetworks";
    type In = VnetIn;
    type Out<'a> = Value;

    fn spec(body: VnetIn) -> Result<VnetSpec, crate::error::ApiError> {
        body.spec()
    }
    fn out(view: &VnetView, _: &crate::extract::ArmQuery) -> Value {
        vnet(view)
    }
    fn etag(view: &VnetView) -> &str {
        &view.vnet.etag
    }
}
