//! The one place a request becomes an action: `{Namespace}/{type}…/{read|write|delete}` or
//! `…/{verb}/action`, at a scope, the way ARM names them. Fixed words take Azure's spelling
//! (`Microsoft.Network/networkInterfaces/write`); words cerulean does not know keep the
//! caller's. The scope is printed as the caller spelled the path.

use axum::http::Method;

/// How a request is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The action must be allowed at the scope (or above it).
    Exact,
    /// A list: it passes when the action is allowed at the scope, or anywhere below
    /// `within`, and then shows only the items the caller may read (`item_action`, or each
    /// item's own type for the generic resource lists).
    List {
        item_action: ItemAction,
        within: String,
    },
    /// A read at subscription level that is not about one resource (a subscription itself,
    /// its regions, operation status, image and size catalogues, role definitions): it passes
    /// when the action is allowed anywhere within `within`.
    Within { within: String },
    /// A subscription itself and its regions: visible to whoever holds any role within
    /// `within`, as the subscription list is.
    Visible { within: String },
    /// Not checked: `/tenants`, provider operation lists, the caller's own permissions.
    Open,
    /// `GET /subscriptions`: shows the subscriptions the caller holds any role in.
    Subscriptions,
    /// cerulean's own wipe (`POST /cerulean/reset`): an Owner at the root, that is every
    /// action of [`ROOT_OWNER_ACTIONS`] at `/` (Contributor lacks the first, User Access
    /// Administrator the second).
    RootOwner,
}

/// What `POST /cerulean/reset` needs at `/`: it deletes every group and every role
/// assignment's target.
pub const ROOT_OWNER_ACTIONS: [&str; 2] = [
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Resources/subscriptions/resourceGroups/delete",
];

/// What an item of a list needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemAction {
    /// The list's own action.
    Same,
    /// `{item type}/read` (`/resources` lists every type).
    OwnType,
}

/// A request's action and scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub action: String,
    /// Where it applies, in the caller's spelling.
    pub scope: String,
    pub kind: Kind,
}

/// Azure's spelling of the fixed words cerulean serves (namespaces, types, actions).
fn canonical(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "microsoft.network" => "Microsoft.Network",
        "microsoft.compute" => "Microsoft.Compute",
        "microsoft.resources" => "Microsoft.Resources",
        "microsoft.authorization" => "Microsoft.Authorization",
        "microsoft.storage" => "Microsoft.Storage",
        "microsoft.insights" => "Microsoft.Insights",
        "microsoft.managedidentity" => "Microsoft.ManagedIdentity",
        "microsoft.keyvault" => "Microsoft.KeyVault",
        "virtualnetworks" => "virtualNetworks",
        "subnets" => "subnets",
        "networkinterfaces" => "networkInterfaces",
        "ipconfigurations" => "ipconfigurations",
        "publicipaddresses" => "publicIPAddresses",
        "loadbalancers" => "loadBalancers",
        "backendaddresspools" => "backendAddressPools",
        "inboundnatrules" => "inboundNatRules",
        "frontendipconfigurations" => "frontendIPConfigurations",
        "loadbalancingrules" => "loadBalancingRules",
        "probes" => "probes",
        "outboundrules" => "outboundRules",
        "networksecuritygroups" => "networkSecurityGroups",
        "securityrules" => "securityRules",
        "routetables" => "routeTables",
        "networkwatchers" => "networkWatchers",
        "nexthop" => "nextHop",
        "effectiveroutetable" => "effectiveRouteTable",
        "locations" => "locations",
        "operations" => "operations",
        "operationresults" => "operationResults",
        "operationstatuses" => "operationstatuses",
        "usages" => "usages",
        "virtualmachines" => "virtualMachines",
        "availabilitysets" => "availabilitySets",
        "instanceview" => "instanceView",
        "start" => "start",
        "poweroff" => "powerOff",
        "restart" => "restart",
        "deallocate" => "deallocate",
        "runcommand" => "runCommand",
        "skus" => "skus",
        "vmsizes" => "vmSizes",
        "publishers" => "publishers",
        "artifacttypes" => "artifacttypes",
        "offers" => "offers",
        "versions" => "versions",
        "disks" => "disks",
        "deployments" => "deployments",
        "validate" => "validate",
        "whatif" => "whatIf",
        "cancel" => "cancel",
        "exporttemplate" => "exportTemplate",
        "roleassignments" => "roleAssignments",
        "roledefinitions" => "roleDefinitions",
        "permissions" => "permissions",
        _ => return None,
    })
}

fn spell(word: &str) -> String {
    canonical(word).map_or_else(|| word.to_string(), str::to_string)
}

fn verb(method: &Method) -> &'static str {
    match *method {
        Method::PUT | Method::PATCH | Method::POST => "write",
        Method::DELETE => "delete",
        _ => "read",
    }
}

/// The type path of `{ns}/{t1}/{n1}/{t2}…`: the namespace and every type word.
fn type_path(ns: &str, words: &[&str]) -> String {
    let mut out = spell(ns);
    for w in words.iter().step_by(2) {
        out.push('/');
        out.push_str(&spell(w));
    }
    out
}

/// Maps an ARM request (`path` in the caller's spelling, without the query) to its check.
/// `None` for paths that are not ARM's (the edge does not check them).
pub fn classify(method: &Method, path: &str) -> Option<Check> {
    let path = path.trim_end_matches('/');
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let lower = |i: usize| segs.get(i).map(|s| s.to_ascii_lowercase());
    match lower(0).as_deref() {
        Some("tenants") => return Some(open(path)),
        Some("providers") => {
            // The tenant root: role definitions and assignments at `/`; else provider
            // operation lists, which are public.
            if lower(1).as_deref() == Some("microsoft.authorization") {
                return Some(authorization(method, "", "", &segs[2..]));
            }
            return Some(open(path));
        }
        Some("subscriptions") => {}
        // `/cerulean/info` needs only a token; the wipe needs an Owner at the root.
        Some("cerulean") if *method == Method::POST => {
            return Some(Check {
                action: ROOT_OWNER_ACTIONS[0].into(),
                scope: "/".into(),
                kind: Kind::RootOwner,
            })
        }
        _ => return None,
    }
    let Some(sub) = segs.get(1) else {
        return Some(Check {
            action: "Microsoft.Resources/subscriptions/read".into(),
            scope: "/".into(),
            kind: Kind::Subscriptions,
        });
    };
    let sub_scope = format!("/subscriptions/{sub}");
    // The last `providers` segment decides: an extension resource (role assignments on a
    // NIC) belongs to the namespace after it, at the scope before it.
    if let Some(p) = segs
        .iter()
        .rposition(|s| s.eq_ignore_ascii_case("providers"))
    {
        let scope_end = 1 + segs[..p].iter().map(|s| s.len() + 1).sum::<usize>();
        let scope = if p == 0 { "" } else { &path[..scope_end - 1] };
        let ns = segs.get(p + 1).copied().unwrap_or("");
        let words = segs.get(p + 2..).unwrap_or(&[]);
        if ns.eq_ignore_ascii_case("microsoft.authorization") {
            return Some(authorization(method, scope, &sub_scope, words));
        }
        let in_group = segs
            .get(2)
            .is_some_and(|s| s.eq_ignore_ascii_case("resourcegroups"));
        return Some(provider(
            method,
            path,
            &sub_scope,
            in_group && p > 2,
            ns,
            words,
        ));
    }
    let rest: Vec<String> = segs[2..].iter().map(|s| s.to_ascii_lowercase()).collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let rg = "Microsoft.Resources/subscriptions/resourcegroups";
    Some(match rest.as_slice() {
        [] => Check {
            action: "Microsoft.Resources/subscriptions/read".into(),
            scope: sub_scope.clone(),
            kind: Kind::Visible { within: sub_scope },
        },
        ["resourcegroups"] => list(
            &format!("{rg}/read"),
            &sub_scope,
            &sub_scope,
            ItemAction::Same,
        ),
        ["resourcegroups", _] => Check {
            action: format!("{rg}/{}", verb(method)),
            scope: path.to_string(),
            kind: Kind::Exact,
        },
        ["resources"] => list(
            "Microsoft.Resources/subscriptions/resources/read",
            &sub_scope,
            &sub_scope,
            ItemAction::OwnType,
        ),
        ["resourcegroups", _, "resources"] => {
            let group = &path[..path.len() - "/resources".len()];
            list(
                &format!("{rg}/resources/read"),
                group,
                group,
                ItemAction::OwnType,
            )
        }
        // The SDK's older deployment paths, without `providers/Microsoft.Resources`.
        ["resourcegroups", _, "deployments", ..] => provider(
            method,
            path,
            &sub_scope,
            true,
            "Microsoft.Resources",
            &segs[4..],
        ),
        ["locations"] => Check {
            action: "Microsoft.Resources/subscriptions/locations/read".into(),
            scope: sub_scope.clone(),
            kind: Kind::Visible { within: sub_scope },
        },
        _ => Check {
            action: format!(
                "Microsoft.Resources/subscriptions/{}/{}",
                segs[2..]
                    .iter()
                    .step_by(2)
                    .copied()
                    .collect::<Vec<_>>()
                    .join("/"),
                verb(method)
            ),
            scope: path.to_string(),
            kind: Kind::Exact,
        },
    })
}

fn open(path: &str) -> Check {
    Check {
        action: String::new(),
        scope: path.to_string(),
        kind: Kind::Open,
    }
}

fn list(action: &str, scope: &str, within: &str, item_action: ItemAction) -> Check {
    Check {
        action: action.to_string(),
        scope: scope.to_string(),
        kind: Kind::List {
            item_action,
            within: within.to_string(),
        },
    }
}

/// `{scope}/providers/{ns}/{words…}`, `ns` not Microsoft.Authorization.
fn provider(
    method: &Method,
    path: &str,
    sub_scope: &str,
    in_group: bool,
    ns: &str,
    words: &[&str],
) -> Check {
    if words.is_empty() {
        // `/subscriptions/{s}/providers/{ns}`: the provider's registration.
        return Check {
            action: format!(
                "Microsoft.Resources/subscriptions/providers/{}",
                verb(method)
            ),
            scope: path.to_string(),
            kind: Kind::Within {
                within: sub_scope.to_string(),
            },
        };
    }
    let parent = &path[..path.len() - words[words.len() - 1].len() - 1];
    let names_one = words.len().is_multiple_of(2);
    let (action, scope) = match (names_one, method) {
        // A POST on `{resource}/{verb}` is the verb's action on the resource.
        (false, &Method::POST) => (
            format!(
                "{}/{}/action",
                type_path(ns, &words[..words.len() - 1]),
                spell(words[words.len() - 1])
            ),
            parent.to_string(),
        ),
        (false, _) => (
            format!("{}/{}", type_path(ns, words), verb(method)),
            parent.to_string(),
        ),
        (true, _) => (
            format!("{}/{}", type_path(ns, words), verb(method)),
            path.to_string(),
        ),
    };
    // Reads outside any resource group (operation status, catalogues, usages, subscription-
    // wide lists) pass when the caller may read them anywhere in the subscription.
    let kind = match (*method == Method::GET, names_one, in_group) {
        (true, true, false) => Kind::Within {
            within: sub_scope.to_string(),
        },
        (true, false, false) => Kind::List {
            item_action: ItemAction::Same,
            within: sub_scope.to_string(),
        },
        (true, false, true) => Kind::List {
            item_action: ItemAction::Same,
            within: parent.to_string(),
        },
        _ => Kind::Exact,
    };
    Check {
        action,
        scope,
        kind,
    }
}

/// `{scope}/providers/Microsoft.Authorization/{words…}`.
fn authorization(method: &Method, scope: &str, sub_scope: &str, words: &[&str]) -> Check {
    let base = format!("{scope}/providers/Microsoft.Authorization");
    let first = words.first().map(|w| w.to_ascii_lowercase());
    let within = if sub_scope.is_empty() { "/" } else { sub_scope };
    match (first.as_deref(), words.len()) {
        // The caller's own permissions: nothing to check.
        (Some("permissions"), 1) => open(&base),
        (Some("roleassignments"), 1) => Check {
            action: "Microsoft.Authorization/roleAssignments/read".into(),
            scope: base,
            kind: Kind::List {
                item_action: ItemAction::Same,
                within: if scope.is_empty() { "/" } else { scope }.to_string(),
            },
        },
        (Some("roledefinitions"), 1 | 2) if *method == Method::GET => Check {
            action: "Microsoft.Authorization/roleDefinitions/read".into(),
            scope: format!("{base}/{}", words.join("/")),
            kind: Kind::Within {
                within: within.to_string(),
            },
        },
        _ => Check {
            action: format!(
                "{}/{}",
                type_path("Microsoft.Authorization", words),
                verb(method)
            ),
            scope: format!("{base}/{}", words.join("/")),
            kind: Kind::Exact,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RG: &str = "/subscriptions/s1/resourceGroups/Rg1";

    fn check(method: Method, path: &str) -> Check {
        classify(&method, path).unwrap()
    }

    fn exact(method: Method, path: &str) -> (String, String) {
        let c = check(method, path);
        assert_eq!(c.kind, Kind::Exact, "{path}");
        (c.action, c.scope)
    }

    #[test]
    fn resource_requests_are_read_write_and_delete() {
        let nic = format!("{RG}/providers/Microsoft.Network/networkInterfaces/Nic1");
        assert_eq!(
            exact(Method::PUT, &nic),
            (
                "Microsoft.Network/networkInterfaces/write".into(),
                nic.clone()
            )
        );
        assert_eq!(
            exact(Method::PATCH, &nic).0,
            "Microsoft.Network/networkInterfaces/write"
        );
        assert_eq!(
            exact(Method::DELETE, &nic).0,
            "Microsoft.Network/networkInterfaces/delete"
        );
        assert_eq!(
            exact(Method::GET, &nic).0,
            "Microsoft.Network/networkInterfaces/read"
        );
        assert_eq!(
            exact(Method::HEAD, &nic).0,
            "Microsoft.Network/networkInterfaces/read"
        );
        let lower = format!("{RG}/providers/microsoft.network/virtualnetworks/v/subnets/a");
        assert_eq!(
            exact(Method::PUT, &lower).0,
            "Microsoft.Network/virtualNetworks/subnets/write"
        );
        let odd = format!("{RG}/providers/Contoso.Things/widgets/w");
        assert_eq!(exact(Method::PUT, &odd).0, "Contoso.Things/widgets/write");
    }

    #[test]
    fn posts_are_the_verbs_actions_on_their_resource() {
        let vm = format!("{RG}/providers/Microsoft.Compute/virtualMachines/vm1");
        assert_eq!(
            exact(Method::POST, &format!("{vm}/deallocate")),
            (
                "Microsoft.Compute/virtualMachines/deallocate/action".into(),
                vm.clone()
            )
        );
        assert_eq!(
            exact(Method::POST, &format!("{vm}/powerOff")).0,
            "Microsoft.Compute/virtualMachines/powerOff/action"
        );
        let d = format!("{RG}/providers/Microsoft.Resources/deployments/d1");
        assert_eq!(
            exact(Method::POST, &format!("{d}/whatIf")).0,
            "Microsoft.Resources/deployments/whatIf/action"
        );
        assert_eq!(
            exact(
                Method::POST,
                &format!(
                    "{RG}/providers/Microsoft.Network/networkInterfaces/n/effectiveRouteTable"
                )
            )
            .0,
            "Microsoft.Network/networkInterfaces/effectiveRouteTable/action"
        );
    }

    #[test]
    fn groups_and_their_lists() {
        assert_eq!(
            exact(Method::PUT, RG),
            (
                "Microsoft.Resources/subscriptions/resourcegroups/write".into(),
                RG.into()
            )
        );
        assert_eq!(
            exact(Method::DELETE, RG).0,
            "Microsoft.Resources/subscriptions/resourcegroups/delete"
        );
        let c = check(Method::GET, "/subscriptions/s1/resourcegroups");
        assert_eq!(
            (c.action.as_str(), c.scope.as_str()),
            (
                "Microsoft.Resources/subscriptions/resourcegroups/read",
                "/subscriptions/s1"
            )
        );
        assert!(matches!(
            c.kind,
            Kind::List {
                item_action: ItemAction::Same,
                ..
            }
        ));
        let c = check(Method::GET, "/subscriptions/s1/resources");
        assert!(matches!(
            c.kind,
            Kind::List {
                item_action: ItemAction::OwnType,
                ..
            }
        ));
        let c = check(Method::GET, &format!("{RG}/resources"));
        assert_eq!(
            (c.action.as_str(), c.scope.as_str()),
            (
                "Microsoft.Resources/subscriptions/resourcegroups/resources/read",
                RG
            )
        );
    }

    #[test]
    fn lists_are_checked_at_the_provider_as_arm_names_it() {
        let c = check(
            Method::GET,
            &format!("{RG}/providers/Microsoft.Network/networkInterfaces"),
        );
        assert_eq!(c.action, "Microsoft.Network/networkInterfaces/read");
        assert_eq!(c.scope, format!("{RG}/providers/Microsoft.Network"));
        assert!(matches!(c.kind, Kind::List { .. }));
        let c = check(
            Method::GET,
            "/subscriptions/s1/providers/Microsoft.Compute/virtualMachines",
        );
        assert_eq!(c.scope, "/subscriptions/s1/providers/Microsoft.Compute");
        assert_eq!(
            c.kind,
            Kind::List {
                item_action: ItemAction::Same,
                within: "/subscriptions/s1".into()
            }
        );
    }

    #[test]
    fn subscription_level_reads_are_checked_within_the_subscription() {
        let within = Kind::Within {
            within: "/subscriptions/s1".into(),
        };
        let c = check(
            Method::GET,
            "/subscriptions/s1/providers/Microsoft.Network/locations/eastus/operations/op1",
        );
        assert_eq!(c.action, "Microsoft.Network/locations/operations/read");
        assert_eq!(c.kind, within);
        let visible = Kind::Visible {
            within: "/subscriptions/s1".into(),
        };
        assert_eq!(check(Method::GET, "/subscriptions/s1").kind, visible);
        let c = check(Method::GET, "/subscriptions/s1/locations");
        assert_eq!(c.action, "Microsoft.Resources/subscriptions/locations/read");
        assert_eq!(c.kind, visible);
        let c = check(
            Method::GET,
            "/subscriptions/s1/providers/Microsoft.Compute/locations/eastus/publishers/P/artifacttypes/vmimage/offers/O/skus/K/versions",
        );
        assert_eq!(
            c.action,
            "Microsoft.Compute/locations/publishers/artifacttypes/offers/skus/versions/read"
        );
        assert_eq!(
            check(Method::GET, "/subscriptions").kind,
            Kind::Subscriptions
        );
        assert_eq!(check(Method::GET, "/tenants").kind, Kind::Open);
        assert_eq!(
            check(Method::GET, "/providers/Microsoft.Network/operations").kind,
            Kind::Open
        );
        assert!(classify(&Method::GET, "/health").is_none());
    }

    #[test]
    fn role_assignments_are_extension_resources_at_any_scope() {
        let nic = format!("{RG}/providers/Microsoft.Network/networkInterfaces/n");
        let ra = format!("{nic}/providers/Microsoft.Authorization/roleAssignments/a1");
        assert_eq!(
            exact(Method::PUT, &ra),
            (
                "Microsoft.Authorization/roleAssignments/write".into(),
                ra.clone()
            )
        );
        assert_eq!(
            exact(Method::DELETE, &ra).0,
            "Microsoft.Authorization/roleAssignments/delete"
        );
        let c = check(
            Method::GET,
            &format!("{RG}/providers/Microsoft.Authorization/roleAssignments"),
        );
        assert_eq!(c.scope, format!("{RG}/providers/Microsoft.Authorization"));
        assert!(matches!(c.kind, Kind::List { .. }));
        let c = check(
            Method::GET,
            "/subscriptions/s1/providers/Microsoft.Authorization/roleDefinitions/g",
        );
        assert_eq!(c.action, "Microsoft.Authorization/roleDefinitions/read");
        assert_eq!(
            c.kind,
            Kind::Within {
                within: "/subscriptions/s1".into()
            }
        );
        let c = check(
            Method::GET,
            "/providers/Microsoft.Authorization/roleDefinitions",
        );
        assert_eq!(c.kind, Kind::Within { within: "/".into() });
        assert_eq!(
            check(
                Method::GET,
                &format!("{RG}/providers/Microsoft.Authorization/permissions")
            )
            .kind,
            Kind::Open
        );
        let root = exact(
            Method::PUT,
            "/providers/Microsoft.Authorization/roleAssignments/a",
        );
        assert_eq!(
            root.1,
            "/providers/Microsoft.Authorization/roleAssignments/a"
        );
    }

    #[test]
    fn old_deployment_paths_are_deployments() {
        let d = format!("{RG}/deployments/d1");
        assert_eq!(
            exact(Method::PUT, &d).0,
            "Microsoft.Resources/deployments/write"
        );
        let c = check(Method::GET, &format!("{d}/operations"));
        assert_eq!(c.action, "Microsoft.Resources/deployments/operations/read");
    }
}
