//! Linked access: the resources a write references, and the join action each takes, read
//! from the ARM body of the request (ARM checks them the same way, on every PUT that names
//! them, not only when a reference changes).

use cerulean_domain::authz::Link;
use cerulean_domain::id::ResourceId;
use serde_json::Value;
use std::borrow::Cow;

const SUBNET_JOIN: &str = "Microsoft.Network/virtualNetworks/subnets/join/action";
const PUBLIC_IP_JOIN: &str = "Microsoft.Network/publicIPAddresses/join/action";
const POOL_JOIN: &str = "Microsoft.Network/loadBalancers/backendAddressPools/join/action";
const NAT_RULE_JOIN: &str = "Microsoft.Network/loadBalancers/inboundNatRules/join/action";
const NSG_JOIN: &str = "Microsoft.Network/networkSecurityGroups/join/action";
const ASG_JOIN: &str = "Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action";
const ROUTE_TABLE_JOIN: &str = "Microsoft.Network/routeTables/join/action";
const NIC_JOIN: &str = "Microsoft.Network/networkInterfaces/join/action";
const PRIVATE_DNS_ZONE_JOIN: &str = "Microsoft.Network/privateDnsZones/join/action";
const FRONTEND_JOIN: &str = "Microsoft.Network/loadBalancers/frontendIPConfigurations/join/action";
// GUESS: no Azure transcript names the action a VM's availability set is checked with; the
// set's own write is what Virtual Machine Contributor (`availabilitySets/*`) holds.
const AVAILABILITY_SET_JOIN: &str = "Microsoft.Compute/availabilitySets/write";
/// A custom role is written by whoever may write role definitions at every scope it is
/// assignable at (Azure's "Custom roles" page).
const ROLE_DEFINITION_WRITE: &str = "Microsoft.Authorization/roleDefinitions/write";

/// Whether a PUT of this type (the lower-case action prefix, `microsoft.network/networkinterfaces`)
/// can reference other resources: only then is its body read here.
pub fn has_links(type_path: &str) -> bool {
    matches!(
        type_path,
        "microsoft.network/networkinterfaces"
            | "microsoft.compute/virtualmachines"
            | "microsoft.network/loadbalancers"
            | "microsoft.network/virtualnetworks"
            | "microsoft.network/virtualnetworks/subnets"
            | "microsoft.network/privateendpoints"
            | "microsoft.network/privateendpoints/privatednszonegroups"
            | "microsoft.network/privatelinkservices"
            | "microsoft.authorization/roledefinitions"
    )
}

/// The links of a PUT body of the type `type_path` (lower-case), each once, in body order.
pub fn links(type_path: &str, body: &Value) -> Vec<Link> {
    let mut out = Links(Vec::new());
    let props = &body["properties"];
    match type_path {
        "microsoft.network/networkinterfaces" => {
            out.add(NSG_JOIN, &props["networkSecurityGroup"]["id"]);
            for cfg in each(&props["ipConfigurations"]) {
                let p = &cfg["properties"];
                out.add(SUBNET_JOIN, &p["subnet"]["id"]);
                out.add(PUBLIC_IP_JOIN, &p["publicIPAddress"]["id"]);
                for pool in each(&p["loadBalancerBackendAddressPools"]) {
                    out.add(POOL_JOIN, &pool["id"]);
                }
                for rule in each(&p["loadBalancerInboundNatRules"]) {
                    out.add(NAT_RULE_JOIN, &rule["id"]);
                }
                for asg in each(&p["applicationSecurityGroups"]) {
                    out.add(ASG_JOIN, &asg["id"]);
                }
            }
        }
        "microsoft.compute/virtualmachines" => {
            for nic in each(&props["networkProfile"]["networkInterfaces"]) {
                out.add(NIC_JOIN, &nic["id"]);
            }
            out.add(AVAILABILITY_SET_JOIN, &props["availabilitySet"]["id"]);
        }
        "microsoft.network/loadbalancers" => {
            for fe in each(&props["frontendIPConfigurations"]) {
                let p = &fe["properties"];
                out.add(PUBLIC_IP_JOIN, &p["publicIPAddress"]["id"]);
                out.add(SUBNET_JOIN, &p["subnet"]["id"]);
            }
        }
        "microsoft.network/virtualnetworks" => {
            for subnet in each(&props["subnets"]) {
                out.subnet(&subnet["properties"]);
            }
        }
        "microsoft.network/virtualnetworks/subnets" => out.subnet(props),
        "microsoft.network/privateendpoints" => {
            out.add(SUBNET_JOIN, &props["subnet"]["id"]);
            for asg in each(&props["applicationSecurityGroups"]) {
                out.add(ASG_JOIN, &asg["id"]);
            }
            // An automatic connection approves itself: its author needs the resource's
            // approval action (a manual one asks the owner instead).
            for c in each(&props["privateLinkServiceConnections"]) {
                out.approval(&c["properties"]["privateLinkServiceId"]);
            }
        }
        "microsoft.network/privateendpoints/privatednszonegroups" => {
            for config in each(&props["privateDnsZoneConfigs"]) {
                out.add(
                    PRIVATE_DNS_ZONE_JOIN,
                    &config["properties"]["privateDnsZoneId"],
                );
            }
        }
        "microsoft.network/privatelinkservices" => {
            for fe in each(&props["loadBalancerFrontendIpConfigurations"]) {
                out.add(FRONTEND_JOIN, &fe["id"]);
            }
            for cfg in each(&props["ipConfigurations"]) {
                out.add(SUBNET_JOIN, &cfg["properties"]["subnet"]["id"]);
            }
        }
        "microsoft.authorization/roledefinitions" => {
            for scope in each(&props["assignableScopes"]) {
                out.add(ROLE_DEFINITION_WRITE, scope);
            }
        }
        _ => {}
    }
    out.0
}

struct Links(Vec<Link>);

impl Links {
    fn add(&mut self, action: &'static str, id: &Value) {
        self.push(Cow::Borrowed(action), id);
    }

    fn push(&mut self, action: Cow<'static, str>, id: &Value) {
        let Some(id) = id.as_str().filter(|s| !s.is_empty()) else {
            return;
        };
        if !self
            .0
            .iter()
            .any(|l| l.action == action && l.scope.eq_ignore_ascii_case(id))
        {
            self.0.push(Link {
                action,
                scope: id.to_string(),
            });
        }
    }

    /// `{type}/privateEndpointConnectionsApproval/action` on the resource `id` names (Azure's
    /// action for every service that takes private endpoints). An id that does not parse
    /// links nothing: the write itself refuses it.
    fn approval(&mut self, id: &Value) {
        let Some(target) = id.as_str().and_then(|s| ResourceId::parse(s).ok()) else {
            return;
        };
        let action = format!(
            "{}/privateEndpointConnectionsApproval/action",
            target.type_path()
        );
        self.push(Cow::Owned(action), id);
    }

    fn subnet(&mut self, props: &Value) {
        self.add(NSG_JOIN, &props["networkSecurityGroup"]["id"]);
        self.add(ROUTE_TABLE_JOIN, &props["routeTable"]["id"]);
    }
}

fn each(v: &Value) -> impl Iterator<Item = &Value> {
    v.as_array().into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_nic_joins_its_subnets_public_ips_and_pools_once_each() {
        let s = "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
        let body = json!({"properties": {"ipConfigurations": [
            {"name": "c1", "properties": {"subnet": {"id": s}, "publicIPAddress": {"id": "/pip1"},
             "loadBalancerBackendAddressPools": [{"id": "/pool1"}]}},
            {"name": "c2", "properties": {"subnet": {"id": s.to_uppercase()}}}
        ]}});
        let got: Vec<(String, String)> = links("microsoft.network/networkinterfaces", &body)
            .into_iter()
            .map(|l| (l.action.into_owned(), l.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                (SUBNET_JOIN.to_string(), s.to_string()),
                (PUBLIC_IP_JOIN.to_string(), "/pip1".to_string()),
                (POOL_JOIN.to_string(), "/pool1".to_string())
            ]
        );
    }

    #[test]
    fn a_vm_joins_its_nics_and_availability_set() {
        let body = json!({"properties": {"networkProfile": {"networkInterfaces": [{"id": "/n1"}, {"id": "/n2"}]},
            "availabilitySet": {"id": "/as"}}});
        let got: Vec<String> = links("microsoft.compute/virtualmachines", &body)
            .into_iter()
            .map(|l| l.action.into_owned())
            .collect();
        assert_eq!(got, vec![NIC_JOIN, NIC_JOIN, AVAILABILITY_SET_JOIN]);
    }

    #[test]
    fn a_custom_role_needs_the_write_at_each_assignable_scope() {
        let body = json!({"properties": {"assignableScopes": ["/subscriptions/s1", "/subscriptions/s1/resourceGroups/rg"]}});
        let got: Vec<(String, String)> = links("microsoft.authorization/roledefinitions", &body)
            .into_iter()
            .map(|l| (l.action.into_owned(), l.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    ROLE_DEFINITION_WRITE.into(),
                    "/subscriptions/s1".to_string()
                ),
                (
                    ROLE_DEFINITION_WRITE.into(),
                    "/subscriptions/s1/resourceGroups/rg".to_string()
                )
            ]
        );
    }

    #[test]
    fn an_automatic_endpoint_needs_its_resources_approval_and_a_manual_one_does_not() {
        let acct =
            "/subscriptions/s/resourceGroups/data/providers/Microsoft.Storage/storageAccounts/acct";
        let subnet = "/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
        let connection = json!([{"name": "c", "properties": {"privateLinkServiceId": acct}}]);
        let auto = json!({"properties": {"subnet": {"id": subnet}, "privateLinkServiceConnections": connection}});
        let got: Vec<(String, String)> = links("microsoft.network/privateendpoints", &auto)
            .into_iter()
            .map(|l| (l.action.into_owned(), l.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                (SUBNET_JOIN.into(), subnet.into()),
                (
                    "Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action"
                        .into(),
                    acct.into()
                ),
            ]
        );
        let manual = json!({"properties": {"subnet": {"id": subnet},
            "manualPrivateLinkServiceConnections": connection}});
        assert_eq!(
            links("microsoft.network/privateendpoints", &manual).len(),
            1
        );
        let unparsable = json!({"properties": {"privateLinkServiceConnections": [
            {"properties": {"privateLinkServiceId": "nonsense"}}]}});
        assert!(links("microsoft.network/privateendpoints", &unparsable).is_empty());
    }

    #[test]
    fn a_private_link_service_joins_its_frontends_and_nat_subnets() {
        let fe = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb/frontendIPConfigurations/fe";
        let subnet = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/nat";
        let body = json!({"properties": {"loadBalancerFrontendIpConfigurations": [{"id": fe}],
            "ipConfigurations": [{"name": "a", "properties": {"subnet": {"id": subnet}}},
                {"name": "b", "properties": {"subnet": {"id": subnet}}}]}});
        let got: Vec<(String, String)> = links("microsoft.network/privatelinkservices", &body)
            .into_iter()
            .map(|l| (l.action.into_owned(), l.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                (FRONTEND_JOIN.into(), fe.into()),
                (SUBNET_JOIN.into(), subnet.into())
            ]
        );
    }

    #[test]
    fn bodies_without_references_link_nothing() {
        assert!(links(
            "microsoft.network/networkinterfaces",
            &json!({"properties": 3})
        )
        .is_empty());
        assert!(links("microsoft.network/publicipaddresses", &json!({})).is_empty());
        assert!(
            has_links("microsoft.network/loadbalancers")
                && !has_links("microsoft.network/publicipaddresses")
        );
    }
}
