use super::{child, id_ref, tracked, IdRef};
use cerulean_app::network::vnets::{SubnetView, VnetView};
use cerulean_domain::network::vnet::{Subnet, SubnetSpec, VnetSpec};
use cerulean_domain::network::CommonSpec;
use cerulean_domain::tags::Tags;
use serde::Deserialize;
use serde_json::{json, Value};

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
}

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
}

impl SubnetIn {
    /// `name` comes from the URL for a subnet PUT, from the body inside a VNet.
    pub fn spec(self, name: Option<&str>) -> SubnetSpec {
        let p = self.properties;
        let mut prefixes = p.address_prefixes.unwrap_or_default();
        if let Some(one) = p.address_prefix {
            if !prefixes.contains(&one) {
                prefixes.insert(0, one);
            }
        }
        SubnetSpec {
            name: name.map(str::to_string).or(self.name).unwrap_or_default(),
            address_prefixes: prefixes,
            network_security_group: p.network_security_group.map(|r| r.id),
            route_table: p.route_table.map(|r| r.id),
        }
    }
}

impl VnetIn {
    pub fn spec(self) -> VnetSpec {
        let p = self.properties;
        VnetSpec {
            common: CommonSpec {
                location: self.location,
                tags: self.tags,
            },
            address_prefixes: p
                .address_space
                .map(|a| a.address_prefixes)
                .unwrap_or_default(),
            dns_servers: p.dhcp_options.map(|d| d.dns_servers).unwrap_or_default(),
            subnets: p
                .subnets
                .map(|subs| subs.into_iter().map(|s| s.spec(None)).collect()),
        }
    }
}

fn subnet(vnet_id: &str, s: &Subnet, users: &[String]) -> Value {
    let id = format!("{vnet_id}/subnets/{}", s.name);
    let mut v = child(
        &id,
        &s.name,
        &s.etag,
        "Microsoft.Network/virtualNetworks/subnets",
    );
    let mut props = json!({
        "provisioningState": "Succeeded",
        "delegations": [],
        "privateEndpointNetworkPolicies": "Disabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
    });
    if s.address_prefixes.len() == 1 {
        props["addressPrefix"] = json!(s.address_prefixes[0]);
    } else {
        props["addressPrefixes"] = json!(s.address_prefixes);
    }
    if !users.is_empty() {
        props["ipConfigurations"] = json!(users.iter().map(|u| id_ref(u)).collect::<Vec<_>>());
    }
    if let Some(n) = &s.network_security_group {
        props["networkSecurityGroup"] = id_ref(n);
    }
    if let Some(r) = &s.route_table {
        props["routeTable"] = id_ref(r);
    }
    v["properties"] = props;
    v
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
        "currentValue": v.users.len(),
        "limit": u64::try_from(limit).unwrap_or(u64::MAX),
        "name": {"value": name, "localizedValue": name},
        "unit": "Count",
    })
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
        "enableDdosProtection": false,
    });
    if !n.dns_servers.is_empty() {
        props["dhcpOptions"] = json!({"dnsServers": n.dns_servers});
    }
    body["properties"] = props;
    body
}
