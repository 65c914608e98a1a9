use super::{allocation, version, IdRef};
use crate::error::ApiError;
use cerulean_app::network::nics::NicView;
use cerulean_domain::network::nic::{IpConfigSpec, IpConfiguration, NicSpec};
use cerulean_domain::network::{Allocation, CommonSpec, IpVersion};
use cerulean_domain::reference::Target;
use cerulean_domain::tags::Tags;
use serde::{Deserialize, Serialize};

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
    #[serde(default)]
    load_balancer_inbound_nat_rules: Vec<IdRef>,
    #[serde(default)]
    application_security_groups: Vec<IdRef>,
}

impl NicIn {
    /// The domain spec: a body too large to consider is `InvalidRequestContent`, a
    /// reference that names no resource of its type the reference's own error.
    pub fn spec(self) -> Result<NicSpec, ApiError> {
        let p = self.properties;
        if p.ip_configurations.len() > MAX_IP_CONFIGS_IN_BODY {
            return Err(ApiError::InvalidRequestContent(format!(
                "ipConfigurations has {} entries; at most {MAX_IP_CONFIGS_IN_BODY} are read",
                p.ip_configurations.len()
            )));
        }
        let mut configs = Vec::with_capacity(p.ip_configurations.len());
        for (i, c) in p.ip_configurations.into_iter().enumerate() {
            let q = c.properties;
            let at = |what: &str| format!("properties.ipConfigurations[{i}].properties.{what}");
            configs.push(IpConfigSpec {
                name: c.name.unwrap_or_default(),
                private_ip: q.private_ip_address.filter(|a| !a.is_empty()),
                allocation: q.private_ip_allocation_method,
                version: q.private_ip_address_version,
                subnet: q
                    .subnet
                    .map(|s| s.to(Target::Subnet, || at("subnet")))
                    .transpose()?,
                primary: q.primary,
                public_ip: q
                    .public_ip_address
                    .map(|r| r.to(Target::PublicIp, || at("publicIPAddress")))
                    .transpose()?,
                pools: q
                    .load_balancer_backend_address_pools
                    .iter()
                    .enumerate()
                    .map(|(j, r)| {
                        r.to(Target::BackendPool, || {
                            at(&format!("loadBalancerBackendAddressPools[{j}]"))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                nat_rules: q
                    .load_balancer_inbound_nat_rules
                    .iter()
                    .enumerate()
                    .map(|(j, r)| {
                        r.to(Target::InboundNatRule, || {
                            at(&format!("loadBalancerInboundNatRules[{j}]"))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                asgs: q
                    .application_security_groups
                    .iter()
                    .enumerate()
                    .map(|(j, r)| {
                        r.to(Target::ApplicationSecurityGroup, || {
                            at(&format!("applicationSecurityGroups[{j}]"))
                        })
                    })
                    .collect::<Result<_, _>>()?,
            });
        }
        Ok(NicSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
                extra: Vec::new(),
            },
            ip_configurations: configs,
            dns_servers: p.dns_settings.map(|d| d.dns_servers).unwrap_or_default(),
            enable_ip_forwarding: p.enable_ip_forwarding.unwrap_or(false),
            enable_accelerated_networking: p.enable_accelerated_networking.unwrap_or(false),
            network_security_group: p
                .network_security_group
                .map(|r| {
                    r.to(Target::NetworkSecurityGroup, || {
                        "properties.networkSecurityGroup".into()
                    })
                })
                .transpose()?,
            private_endpoint: None,
            private_link_service: None,
        })
    }
}

// ---- output: typed views borrowing from the domain values, serialised straight into the
// response buffer (no `serde_json::Value` tree). Fields are declared in byte order of their
// JSON names, the order the former `Value` maps (BTreeMap) printed them in, so the bytes are
// unchanged; `tests::same_bytes_as_value_trees` holds the two renderings side by side.

const NIC_TYPE: &str = "Microsoft.Network/networkInterfaces";
const IP_CONFIG_TYPE: &str = "Microsoft.Network/networkInterfaces/ipConfigurations";
const NONE: &[&str] = &[];

/// `{"id": "..."}`.
#[derive(Serialize)]
pub struct IdOut<'a> {
    id: &'a str,
}

fn tags_empty(t: &&Tags) -> bool {
    t.is_empty()
}

#[derive(Serialize)]
pub struct NicOut<'a> {
    etag: &'a str,
    id: &'a str,
    kind: &'static str,
    location: &'a str,
    name: &'a str,
    properties: NicPropsOut<'a>,
    #[serde(skip_serializing_if = "tags_empty")]
    tags: &'a Tags,
    #[serde(rename = "type")]
    type_: &'static str,
}

#[derive(Serialize)]
struct NicPropsOut<'a> {
    #[serde(rename = "auxiliaryMode")]
    auxiliary_mode: &'static str,
    #[serde(rename = "auxiliarySku")]
    auxiliary_sku: &'static str,
    #[serde(rename = "disableTcpStateTracking")]
    disable_tcp_state_tracking: bool,
    #[serde(rename = "dnsSettings")]
    dns_settings: DnsOut<'a>,
    #[serde(rename = "enableAcceleratedNetworking")]
    enable_accelerated_networking: bool,
    #[serde(rename = "enableIPForwarding")]
    enable_ip_forwarding: bool,
    #[serde(rename = "hostedWorkloads")]
    hosted_workloads: &'static [&'static str],
    #[serde(rename = "ipConfigurations")]
    ip_configurations: Vec<IpConfigOut<'a>>,
    #[serde(rename = "macAddress", skip_serializing_if = "Option::is_none")]
    mac_address: Option<&'a str>,
    #[serde(
        rename = "networkSecurityGroup",
        skip_serializing_if = "Option::is_none"
    )]
    network_security_group: Option<IdOut<'a>>,
    #[serde(rename = "nicType")]
    nic_type: &'static str,
    #[serde(rename = "primary", skip_serializing_if = "Option::is_none")]
    primary: Option<bool>,
    #[serde(rename = "privateEndpoint", skip_serializing_if = "Option::is_none")]
    private_endpoint: Option<IdOut<'a>>,
    #[serde(rename = "privateLinkService", skip_serializing_if = "Option::is_none")]
    private_link_service: Option<IdOut<'a>>,
    #[serde(rename = "provisioningState")]
    provisioning_state: &'static str,
    #[serde(rename = "resourceGuid")]
    resource_guid: &'a str,
    #[serde(rename = "tapConfigurations")]
    tap_configurations: &'static [&'static str],
    #[serde(rename = "virtualMachine", skip_serializing_if = "Option::is_none")]
    virtual_machine: Option<IdOut<'a>>,
    #[serde(rename = "vnetEncryptionSupported")]
    vnet_encryption_supported: bool,
}

#[derive(Serialize)]
struct DnsOut<'a> {
    #[serde(rename = "appliedDnsServers")]
    applied_dns_servers: &'static [&'static str],
    #[serde(rename = "dnsServers")]
    dns_servers: &'a [String],
    #[serde(rename = "internalDomainNameSuffix")]
    internal_domain_name_suffix: String,
}

#[derive(Serialize)]
pub struct IpConfigOut<'a> {
    etag: &'a str,
    id: String,
    name: &'a str,
    properties: IpConfigPropsOut<'a>,
    #[serde(rename = "type")]
    type_: &'static str,
}

#[derive(Serialize)]
struct IpConfigPropsOut<'a> {
    #[serde(
        rename = "applicationSecurityGroups",
        skip_serializing_if = "Vec::is_empty"
    )]
    application_security_groups: Vec<IdOut<'a>>,
    #[serde(
        rename = "loadBalancerBackendAddressPools",
        skip_serializing_if = "Vec::is_empty"
    )]
    load_balancer_backend_address_pools: Vec<IdOut<'a>>,
    #[serde(
        rename = "loadBalancerInboundNatRules",
        skip_serializing_if = "Vec::is_empty"
    )]
    load_balancer_inbound_nat_rules: Vec<IdOut<'a>>,
    #[serde(rename = "primary")]
    primary: bool,
    #[serde(rename = "privateIPAddress")]
    private_ip_address: Option<&'a str>,
    #[serde(rename = "privateIPAddressVersion")]
    private_ip_address_version: &'static str,
    #[serde(rename = "privateIPAllocationMethod")]
    private_ip_allocation_method: &'static str,
    #[serde(
        rename = "privateLinkConnectionProperties",
        skip_serializing_if = "Option::is_none"
    )]
    private_link_connection_properties: Option<LinkPropsOut<'a>>,
    #[serde(rename = "provisioningState")]
    provisioning_state: &'static str,
    #[serde(rename = "publicIPAddress", skip_serializing_if = "Option::is_none")]
    public_ip_address: Option<IdOut<'a>>,
    #[serde(rename = "subnet")]
    subnet: IdOut<'a>,
}

#[derive(Serialize)]
struct LinkPropsOut<'a> {
    fqdns: &'a [String],
    #[serde(rename = "groupId")]
    group_id: &'a str,
    #[serde(rename = "requiredMemberName")]
    required_member_name: &'a str,
}

/// One IP configuration of the NIC `v`; a private endpoint's NIC shows what it connects to
/// on its primary configuration.
pub fn ip_config<'a>(v: &'a NicView, c: &'a IpConfiguration) -> IpConfigOut<'a> {
    IpConfigOut {
        etag: &c.etag,
        id: [v.nic.id.as_str(), "/ipConfigurations/", &c.name].concat(),
        name: &c.name,
        properties: IpConfigPropsOut {
            application_security_groups: c.asgs.iter().map(|a| IdOut { id: a }).collect(),
            load_balancer_backend_address_pools: c.pools.iter().map(|p| IdOut { id: p }).collect(),
            load_balancer_inbound_nat_rules: c.nat_rules.iter().map(|r| IdOut { id: r }).collect(),
            primary: c.primary,
            private_ip_address: c.private_ip.as_deref(),
            private_ip_address_version: c.version.as_str(),
            private_ip_allocation_method: c.allocation.as_str(),
            private_link_connection_properties: v.link.as_ref().filter(|_| c.primary).map(|l| {
                LinkPropsOut {
                    fqdns: &l.fqdns,
                    group_id: &l.group_id,
                    required_member_name: &l.required_member_name,
                }
            }),
            provisioning_state: "Succeeded",
            public_ip_address: c.public_ip.as_deref().map(|id| IdOut { id }),
            subnet: IdOut { id: &c.subnet },
        },
        type_: IP_CONFIG_TYPE,
    }
}

/// The suffix of the network the NIC's primary configuration is in (all of a NIC's
/// configurations share one network).
fn internal_suffix(n: &cerulean_domain::network::nic::NetworkInterface) -> String {
    let subnet = n
        .ip_configurations
        .iter()
        .find(|c| c.primary)
        .or(n.ip_configurations.first())
        .map(|c| c.subnet.as_str())
        .unwrap_or_default();
    // `{vnet id}/subnets/{name}`
    let vnet = subnet.rsplitn(3, '/').nth(2).unwrap_or_default();
    cerulean_app::network::vnets::internal_domain_suffix(vnet)
}

pub fn nic(v: &NicView) -> NicOut<'_> {
    let n = &v.nic.value;
    let guid = &n.common.resource_guid;
    NicOut {
        etag: &v.nic.etag,
        id: &v.nic.id,
        kind: "Regular",
        location: &n.common.location,
        name: &n.common.name,
        properties: NicPropsOut {
            auxiliary_mode: "None",
            auxiliary_sku: "None",
            disable_tcp_state_tracking: false,
            dns_settings: DnsOut {
                applied_dns_servers: NONE,
                dns_servers: &n.dns_servers,
                internal_domain_name_suffix: internal_suffix(n),
            },
            enable_accelerated_networking: n.enable_accelerated_networking,
            enable_ip_forwarding: n.enable_ip_forwarding,
            hosted_workloads: NONE,
            ip_configurations: n
                .ip_configurations
                .iter()
                .map(|c| ip_config(v, c))
                .collect(),
            mac_address: n.mac_address.as_deref(),
            network_security_group: n.network_security_group.as_deref().map(|id| IdOut { id }),
            nic_type: "Standard",
            primary: v
                .virtual_machine
                .as_ref()
                .map(|_| v.primary.unwrap_or(false)),
            private_endpoint: n.private_endpoint.as_deref().map(|id| IdOut { id }),
            private_link_service: n.private_link_service.as_deref().map(|id| IdOut { id }),
            provisioning_state: "Succeeded",
            resource_guid: guid,
            tap_configurations: NONE,
            virtual_machine: v.virtual_machine.as_deref().map(|id| IdOut { id }),
            vnet_encryption_supported: false,
        },
        tags: &n.common.tags,
        type_: NIC_TYPE,
    }
}

impl crate::routes::tracked::Wire for cerulean_app::network::nics::Nics {
    const NAMESPACE: &'static str = "Microsoft.Network";
    const TYPE: &'static str = "networkInterfaces";
    /// A typical NIC's JSON (one configuration is ~1.4 KiB).
    const JSON_SIZE: usize = 2048;
    type In = NicIn;
    type Out<'a> = NicOut<'a>;

    fn spec(body: NicIn) -> Result<NicSpec, crate::error::ApiError> {
        body.spec()
    }
    fn out<'a>(view: &'a NicView, _: &crate::extract::ArmQuery) -> NicOut<'a> {
        nic(view)
    }
    fn etag(view: &NicView) -> &str {
        &view.nic.etag
    }
}

#[cfg(test)]
mod tests {
    //! The former `serde_json::Value` rendering, kept as the reference the typed one must
    //! match byte for byte.
    use super::*;
    use crate::wire::network::{child, id_ref, tracked};
    use cerulean_app::network::Stored;
    use cerulean_domain::network::nic::NetworkInterface;
    use cerulean_domain::network::Common;
    use serde_json::{json, Value};

    fn ip_config_value(v: &NicView, c: &IpConfiguration) -> Value {
        let id = format!("{}/ipConfigurations/{}", v.nic.id, c.name);
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
        if !c.nat_rules.is_empty() {
            props["loadBalancerInboundNatRules"] =
                json!(c.nat_rules.iter().map(|r| id_ref(r)).collect::<Vec<_>>());
        }
        if !c.asgs.is_empty() {
            props["applicationSecurityGroups"] =
                json!(c.asgs.iter().map(|a| id_ref(a)).collect::<Vec<_>>());
        }
        if let (Some(l), true) = (&v.link, c.primary) {
            props["privateLinkConnectionProperties"] = json!({
                "groupId": l.group_id, "requiredMemberName": l.required_member_name, "fqdns": l.fqdns});
        }
        let mut out = child(&id, &c.name, &c.etag, IP_CONFIG_TYPE);
        out["properties"] = props;
        out
    }

    fn nic_value(v: &NicView) -> Value {
        let n = &v.nic.value;
        let mut body = tracked(&v.nic.id, &v.nic.etag, NIC_TYPE, &n.common);
        let configs: Vec<Value> = n
            .ip_configurations
            .iter()
            .map(|c| ip_config_value(v, c))
            .collect();
        let mut props = json!({
            "provisioningState": "Succeeded",
            "resourceGuid": n.common.resource_guid,
            "ipConfigurations": configs,
            "dnsSettings": {
                "dnsServers": n.dns_servers,
                "appliedDnsServers": [],
                "internalDomainNameSuffix": internal_suffix(n),
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
        if let Some(pe) = &n.private_endpoint {
            props["privateEndpoint"] = id_ref(pe);
        }
        if let Some(pls) = &n.private_link_service {
            props["privateLinkService"] = id_ref(pls);
        }
        body["properties"] = props;
        body["kind"] = json!("Regular");
        body
    }

    fn config(name: &str, private_ip: Option<&str>) -> IpConfiguration {
        IpConfiguration {
            name: name.into(),
            private_ip: private_ip.map(str::to_string),
            allocation: Allocation::Dynamic,
            version: IpVersion::IPv4,
            subnet: "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/virtualNetworks/V/subnets/Default".into(),
            primary: true,
            public_ip: None,
            pools: Vec::new(),
            nat_rules: Vec::new(),
            asgs: Vec::new(),
            etag: "W/\"c1\"".into(),
        }
    }

    fn views() -> Vec<NicView> {
        let id =
            "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/networkInterfaces/Nic1";
        let plain = NicView {
            nic: Stored {
                id: id.into(),
                etag: "W/\"e1\"".into(),
                value: NetworkInterface {
                    common: Common {
                        name: "Nic1".into(),
                        location: "eastus".into(),
                        tags: Tags::new(),
                        resource_guid: "6a0d6b5c-8d8e-4a37-9c1e-2f2d3b1a0c9e".into(),
                        extra: Vec::new(),
                    },
                    ip_configurations: vec![config("ipconfig1", Some("10.0.0.4"))],
                    dns_servers: Vec::new(),
                    enable_ip_forwarding: false,
                    enable_accelerated_networking: false,
                    network_security_group: None,
                    mac_address: None,
                    private_endpoint: None,
                    private_link_service: None,
                },
            },
            virtual_machine: None,
            primary: None,
            link: None,
        };
        let mut full = plain.clone();
        {
            let n = &mut full.nic.value;
            n.common.tags = [
                ("env", "t\"e\\st"),
                ("Zeta", "1"),
                ("alpha", "ünï\u{1F600}"),
                ("ctl", "a\nb\u{1}"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            n.common.resource_guid = "abc".into();
            n.dns_servers = vec!["10.0.0.10".into(), "8.8.8.8".into()];
            n.enable_ip_forwarding = true;
            n.enable_accelerated_networking = true;
            n.network_security_group = Some("/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/networkSecurityGroups/Nsg".into());
            n.mac_address = Some("00-0D-3A-00-00-01".into());
            let mut second = config("Second \"quoted\"", None);
            second.allocation = Allocation::Static;
            second.version = IpVersion::IPv6;
            second.primary = false;
            second.public_ip = Some("/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/publicIPAddresses/Pip".into());
            second.pools = vec!["/lb/pools/a".into(), "/lb/pools/b".into()];
            second.nat_rules = vec!["/lb/inboundNatRules/ssh".into()];
            second.asgs = vec!["/asg/web".into()];
            n.ip_configurations.push(second);
        }
        full.virtual_machine = Some(
            "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Compute/virtualMachines/Vm"
                .into(),
        );
        full.primary = Some(true);
        let mut attached_unknown = plain.clone();
        attached_unknown.virtual_machine = Some("/vm".into());
        let mut owned = plain.clone();
        owned.link = Some(cerulean_app::network::nics::LinkProperties {
            group_id: "blob".into(),
            required_member_name: "blob".into(),
            fqdns: vec!["acct.blob.core.windows.net".into()],
        });
        owned.nic.value.private_endpoint = Some(
            "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/privateEndpoints/Pe"
                .into(),
        );
        let mut service = plain.clone();
        service.nic.value.private_link_service = Some(
            "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/privateLinkServices/Svc"
                .into(),
        );
        let mut empty = plain.clone();
        empty.nic.value.ip_configurations.clear();
        empty.nic.value.common.resource_guid = String::new();
        vec![plain, full, attached_unknown, owned, service, empty]
    }

    #[test]
    fn same_bytes_as_value_trees() {
        for v in views() {
            assert_eq!(
                serde_json::to_string(&nic(&v)).unwrap(),
                serde_json::to_string(&nic_value(&v)).unwrap()
            );
            for c in &v.nic.value.ip_configurations {
                assert_eq!(
                    serde_json::to_string(&ip_config(&v, c)).unwrap(),
                    serde_json::to_string(&ip_config_value(&v, c)).unwrap()
                );
            }
        }
    }
}
