use super::{allocation, child, id_ref, tracked, version, IdRef};
use cerulean_app::network::nics::NicView;
use cerulean_domain::network::nic::{IpConfigSpec, IpConfiguration, NicSpec};
use cerulean_domain::network::{Allocation, CommonSpec, IpVersion};
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Value};

/// Large enough for any real request; a body past it is refused before any work.
pub const MAX_IP_CONFIGS_IN_BODY: usize = 4096;

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct NicIn {
    location: Option<String>,
    tags: Option<Tags>,
    #[serde(default)]
    properties: NicProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct NicProps {
    #[serde(default)]
    ip_configurations: Vec<IpConfigIn>,
    dns_settings: Option<DnsSettings>,
    #[serde(default, rename = "enableIPForwarding")]
    enable_ip_forwarding: Option<bool>,
    enable_accelerated_networking: Option<bool>,
    network_security_group: Option<IdRef>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct DnsSettings {
    #[serde(default)]
    dns_servers: Vec<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
struct IpConfigIn {
    name: Option<String>,
    #[serde(default)]
    properties: IpConfigProps,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
struct IpConfigProps {
    #[serde(rename = "privateIPAddress")]
    private_ip_address: Option<String>,
    #[serde(
        default,
        rename = "privateIPAllocationMethod",
        deserialize_with = "allocation"
    )]
    private_ip_allocation_method: Option<Allocation>,
    #[serde(
        default,
        rename = "privateIPAddressVersion",
        deserialize_with = "version"
    )]
    private_ip_address_version: Option<IpVersion>,
    subnet: Option<IdRef>,
    primary: Option<bool>,
    #[serde(rename = "publicIPAddress")]
    public_ip_address: Option<IdRef>,
    #[serde(default)]
    load_balancer_backend_address_pools: Vec<IdRef>,
}

impl NicIn {
    /// The domain spec, or a message when the body is too large to consider.
    pub fn spec(self) -> Result<NicSpec, String> {
        let p = self.properties;
        if p.ip_configurations.len() > MAX_IP_CONFIGS_IN_BODY {
            return Err(format!(
                "ipConfigurations has {} entries; at most {MAX_IP_CONFIGS_IN_BODY} are read",
                p.ip_configurations.len()
            ));
        }
        Ok(NicSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
            },
            ip_configurations: p
                .ip_configurations
                .into_iter()
                .map(|c| {
                    let q = c.properties;
                    IpConfigSpec {
                        name: c.name.unwrap_or_default(),
                        private_ip: q.private_ip_address.filter(|a| !a.is_empty()),
                        allocation: q.private_ip_allocation_method,
                        version: q.private_ip_address_version,
                        subnet: q.subnet.map(|s| s.id),
                        primary: q.primary,
                        public_ip: q.public_ip_address.map(|r| r.id),
                        pools: q
                            .load_balancer_backend_address_pools
                            .into_iter()
                            .map(|r| r.id)
                            .collect(),
                    }
                })
                .collect(),
            dns_servers: p.dns_settings.map(|d| d.dns_servers).unwrap_or_default(),
            enable_ip_forwarding: p.enable_ip_forwarding.unwrap_or(false),
            enable_accelerated_networking: p.enable_accelerated_networking.unwrap_or(false),
            network_security_group: p.network_security_group.map(|r| r.id),
        })
    }
}

pub fn ip_config(nic_id: &str, c: &IpConfiguration) -> Value {
    let id = format!("{nic_id}/ipConfigurations/{}", c.name);
    let mut v = child(
        &id,
        &c.name,
        &c.etag,
        "Microsoft.Network/networkInterfaces/ipConfigurations",
    );
    let mut props = json!({
        "provisioningState": "Succeeded",
        "privateIPAddress": c.private_ip,
        "privateIPAllocationMethod": c.allocation.as_str(),
        "privateIPAddressVersion": c.version.as_str(),
        "subnet": id_ref(&c.subnet),
        "primary": c.primary,
    });
    if let Some(p) = &c.public_ip {
        props["publicIPAddress"] = id_ref(p);
    }
    if !c.pools.is_empty() {
        props["loadBalancerBackendAddressPools"] =
            json!(c.pools.iter().map(|p| id_ref(p)).collect::<Vec<_>>());
    }
    v["properties"] = props;
    v
}

pub fn nic(v: &NicView) -> Value {
    let n = &v.nic.value;
    let mut body = tracked(
        &v.nic.id,
        &v.nic.etag,
        "Microsoft.Network/networkInterfaces",
        &n.common,
    );
    let configs: Vec<Value> = n
        .ip_configurations
        .iter()
        .map(|c| ip_config(&v.nic.id, c))
        .collect();
    let mut props = json!({
        "provisioningState": "Succeeded",
        "resourceGuid": n.common.resource_guid,
        "ipConfigurations": configs,
        "dnsSettings": {
            "dnsServers": n.dns_servers,
            "appliedDnsServers": [],
            "internalDomainNameSuffix": format!("{}.internal.cloudapp.net", &n.common.resource_guid[..8.min(n.common.resource_guid.len())]),
        },
        "enableAcceleratedNetworking": n.enable_accelerated_networking,
        "enableIPForwarding": n.enable_ip_forwarding,
        "vnetEncryptionSupported": false,
        "disableTcpStateTracking": false,
        "hostedWorkloads": [],
        "tapConfigurations": [],
        "nicType": "Standard",
        "auxiliaryMode": "None",
        "auxiliarySku": "None",
    });
    if let Some(mac) = &n.mac_address {
        props["macAddress"] = json!(mac);
    }
    if let Some(vm) = &v.virtual_machine {
        props["virtualMachine"] = id_ref(vm);
        props["primary"] = json!(v.primary.unwrap_or(false));
    }
    if let Some(nsg) = &n.network_security_group {
        props["networkSecurityGroup"] = id_ref(nsg);
    }
    body["properties"] = props;
    body["kind"] = json!("Regular");
    body
}
