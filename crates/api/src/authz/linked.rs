//! Linked access: the resources a write references, and the join action each takes, read
//! from the ARM body of the request (ARM checks them the same way, on every PUT that names
//! them, not only when a reference changes).

use cerulean_domain::authz::Link;
use serde_json::Value;

const SUBNET_JOIN: &str = "Microsoft.Network/virtualNetworks/subnets/join/action";
const PUBLIC_IP_JOIN: &str = "Microsoft.Network/publicIPAddresses/join/action";
const POOL_JOIN: &str = "Microsoft.Network/loadBalancers/backendAddressPools/join/action";
const NAT_RULE_JOIN: &str = "Microsoft.Network/loadBalancers/inboundNatRules/join/action";
const NSG_JOIN: &str = "Microsoft.Network/networkSecurityGroups/join/action";
const ASG_JOIN: &str = "Microsoft.Network/applicationSecurityGroups/joinIpConfiguration/action";
const ROUTE_TABLE_JOIN: &str = "Microsoft.Network/routeTables/join/action";
const NIC_JOIN: &str = "Microsoft.Network/networkInterfaces/join/action";
const PRIVATE_DNS_ZONE_JOIN: &str = "Microsoft.Network/privateDnsZones/join/action";
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
        }
        "microsoft.network/privateendpoints/privatednszonegroups" => {
            for config in each(&props["privateDnsZoneConfigs"]) {
                out.add(
                    PRIVATE_DNS_ZONE_JOIN,
                    &config["properties"]["privateDnsZoneId"],
                );
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
        let got: Vec<(&str, String)> = links("microsoft.network/networkinterfaces", &body)
            .into_iter()
            .map(|l| (l.action, l.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                (SUBNET_JOIN, s.to_string()),
                (PUBLIC_IP_JOIN, "/pip1".to_string()),
                (POOL_JOIN, "/pool1".to_string())
            ]
        );
    }

    #[test]
    fn a_vm_joins_its_nics_and_availability_set() {
        let body = json!({"properties": {"networkProfile": {"networkInterfaces": [{"id": "/n1"}, {"id": "/n2"}]},
            "availabilitySet": {"id": "/as"}}});
        let got: Vec<&str> = links("microsoft.compute/virtualmachines", &body)
            .iter()
            .map(|l| l.action)
            .collect();
        assert_eq!(got, vec![NIC_JOIN, NIC_JOIN, AVAILABILITY_SET_JOIN]);
    }

    #[test]
    fn a_custom_role_needs_the_write_at_each_assignable_scope() {
        let body = json!({"properties": {"assignableScopes": ["/subscriptions/s1", "/subscriptions/s1/resourceGroups/rg"]}});
        let got: Vec<(&str, String)> = links("microsoft.authorization/roledefinitions", &body)
            .into_iter()
            .map(|l| (l.action, l.scope))
            .collect();
        assert_eq!(
            got,
            vec![
                (ROLE_DEFINITION_WRITE, "/subscriptions/s1".to_string()),
                (
                    ROLE_DEFINITION_WRITE,
                    "/subscriptions/s1/resourceGroups/rg".to_string()
                )
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
