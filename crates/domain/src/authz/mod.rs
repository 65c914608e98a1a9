//! Access control, as Azure's role-based access control (RBAC) defines it.
//!
//! Vocabulary:
//! - a **principal** (actor) is a directory object that signs in: a service principal or a
//!   user, known by its object id ([`policy::Principal`]);
//! - an **action** is one operation on one kind of thing, spelled
//!   `{Namespace}/{type}/read|write|delete` or `{Namespace}/{type}/{verb}/action`
//!   (`Microsoft.Compute/virtualMachines/deallocate/action`); every ARM request is exactly one
//!   action, and a write that references other resources also needs their join actions
//!   ([`policy::Link`]);
//! - a **scope** is where something applies: the tenant root `/`, a subscription, a resource
//!   group, a resource. Scopes nest the way ids do, and what holds at a scope holds below it
//!   ([`scope`]);
//! - a **role** (role definition) is a named set of permissions: `actions` with `*`
//!   wildcards, minus `notActions` ([`role`], [`action`]); the built-in ones are data
//!   ([`builtin`]), custom ones are written by the tenant and stored ([`custom`]);
//! - a **role assignment** gives a principal a role at a scope ([`assignment`]);
//! - the **decision** allows an action at a scope when an assignment at that scope or above
//!   it has a role allowing it ([`policy`]). Nothing here knows HTTP: the edge maps a request
//!   to its action and scope, the application layer loads the assignments.

pub mod action;
pub mod assignment;
pub mod builtin;
pub mod custom;
pub mod policy;
pub mod role;
pub mod scope;

pub use assignment::{PrincipalType, RoleAssignment};
pub use custom::CustomRole;
pub use policy::{Grants, Link, Principal};
pub use role::{Permission, PermissionBlock, Role, RoleDefinition};
pub use scope::Scope;

#[cfg(test)]
mod matrix {
    //! Roles × actions: every built-in role against the actions cerulean's requests map to.
    use super::assignment::{PrincipalType, RoleAssignment};
    use super::builtin::*;
    use super::policy::{authorize, authorize_links, Grants, Link, Principal};
    use super::role::RoleDefinition;

    const ACTIONS: &[&str] = &[
        "Microsoft.Resources/subscriptions/read",
        "Microsoft.Resources/subscriptions/resourcegroups/read",
        "Microsoft.Resources/subscriptions/resourcegroups/write",
        "Microsoft.Resources/subscriptions/resourcegroups/delete",
        "Microsoft.Resources/deployments/write",
        "Microsoft.Network/virtualNetworks/read",
        "Microsoft.Network/virtualNetworks/write",
        "Microsoft.Network/virtualNetworks/subnets/join/action",
        "Microsoft.Network/networkInterfaces/write",
        "Microsoft.Network/networkInterfaces/join/action",
        "Microsoft.Network/publicIPAddresses/join/action",
        "Microsoft.Network/loadBalancers/backendAddressPools/join/action",
        "Microsoft.Compute/virtualMachines/read",
        "Microsoft.Compute/virtualMachines/write",
        "Microsoft.Compute/virtualMachines/deallocate/action",
        "Microsoft.Compute/availabilitySets/write",
        "Microsoft.Authorization/roleAssignments/read",
        "Microsoft.Authorization/roleAssignments/write",
        "Microsoft.Authorization/roleAssignments/delete",
    ];

    /// Expected decisions, one letter per action above (`y` allowed, `.` refused).
    const EXPECTED: &[(&RoleDefinition, &str)] = &[
        (&OWNER, "yyyyyyyyyyyyyyyyyyy"),
        (&CONTRIBUTOR, "yyyyyyyyyyyyyyyyy.."),
        (&READER, "yy...y......y...y.."),
        (&USER_ACCESS_ADMINISTRATOR, "yy...y......y...yyy"),
        (
            &ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR,
            "yy...y......y...yyy",
        ),
        (&NETWORK_CONTRIBUTOR, ".y..yyyyyyyy....y.."),
        (&VIRTUAL_MACHINE_CONTRIBUTOR, ".y..yy.yyyyyyyyyy.."),
    ];

    #[test]
    fn every_builtin_role_against_every_action() {
        assert_eq!(
            EXPECTED.len(),
            ALL.len(),
            "every built-in role is in the matrix"
        );
        for (role, row) in EXPECTED {
            assert_eq!(row.len(), ACTIONS.len(), "{}", role.role_name);
            for (action, want) in ACTIONS.iter().zip(row.chars()) {
                assert_eq!(
                    role.allows(action),
                    want == 'y',
                    "{} / {action}",
                    role.role_name
                );
            }
        }
    }

    fn who() -> Principal {
        Principal {
            object_id: "0b5f4f4e-0000-0000-0000-000000000001".into(),
            client: "app-1".into(),
            kind: PrincipalType::ServicePrincipal,
        }
    }

    fn holding(role: &RoleDefinition, scope: &str) -> RoleAssignment {
        RoleAssignment {
            name: "a".into(),
            scope: scope.into(),
            role_definition: role.guid.into(),
            principal_id: who().object_id,
            principal_type: PrincipalType::ServicePrincipal,
            description: None,
            condition: None,
            condition_version: None,
            created_on: String::new(),
            updated_on: String::new(),
            created_by: None,
            updated_by: None,
        }
    }

    const RG: &str = "/subscriptions/s1/resourceGroups/rg1";
    const NIC: &str =
        "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/nic1";

    #[test]
    fn assignments_are_inherited_downwards_only() {
        let g = Grants::from_assignments(&[holding(&CONTRIBUTOR, RG)], |_| None);
        let write = "Microsoft.Network/networkInterfaces/write";
        assert!(authorize(&g, &who(), write, NIC).is_ok());
        assert!(authorize(&g, &who(), write, &NIC.replace("rg1", "rg2")).is_err());
        assert!(authorize(
            &g,
            &who(),
            "Microsoft.Resources/subscriptions/read",
            "/subscriptions/s1"
        )
        .is_err());
        assert!(g.allows_within(
            "Microsoft.Resources/subscriptions/resourcegroups/read",
            "/subscriptions/s1"
        ));
        assert!(g.any_within("/subscriptions/s1") && !g.any_within("/subscriptions/s2"));
        let root = Grants::from_assignments(&[holding(&READER, "/")], |_| None);
        assert!(root.allows(
            "Microsoft.Network/networkInterfaces/read",
            &NIC.to_ascii_lowercase()
        ));
    }

    #[test]
    fn refusals_say_who_what_and_where() {
        let g = Grants::from_assignments(&[holding(&READER, RG)], |_| None);
        let e = authorize(
            &g,
            &who(),
            "Microsoft.Compute/virtualMachines/write",
            "/subscriptions/s1/resourcegroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1",
        )
        .unwrap_err();
        assert_eq!(e.code(), "AuthorizationFailed");
        assert_eq!(e.class(), crate::ErrorClass::Forbidden);
        assert_eq!(
            e.to_string(),
            "The client 'app-1' with object id '0b5f4f4e-0000-0000-0000-000000000001' does not have authorization to perform action 'Microsoft.Compute/virtualMachines/write' over scope '/subscriptions/s1/resourcegroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1' or the scope is invalid. If access was recently granted, please refresh your credentials."
        );
    }

    #[test]
    fn a_write_needs_the_join_action_of_each_resource_it_references() {
        // The NIC's own group is the caller's; the VNet lives in another.
        let g = Grants::from_assignments(&[holding(&NETWORK_CONTRIBUTOR, RG)], |_| None);
        let subnet = "/subscriptions/s1/resourceGroups/shared/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
        let links = [Link {
            action: "Microsoft.Network/virtualNetworks/subnets/join/action".into(),
            scope: subnet.into(),
        }];
        let write = "Microsoft.Network/networkInterfaces/write";
        let e = authorize_links(&g, &who(), write, NIC, &links).unwrap_err();
        assert_eq!(e.code(), "LinkedAuthorizationFailed");
        assert_eq!(
            e.to_string(),
            format!("The client 'app-1' with object id '0b5f4f4e-0000-0000-0000-000000000001' has permission to perform action '{write}' on scope '{NIC}'; however, it does not have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '{subnet}' (respectively) or the linked scope(s) are invalid.")
        );
        let shared = Grants::from_assignments(
            &[
                holding(&NETWORK_CONTRIBUTOR, RG),
                holding(
                    &VIRTUAL_MACHINE_CONTRIBUTOR,
                    "/subscriptions/s1/resourceGroups/shared",
                ),
            ],
            |_| None,
        );
        assert!(authorize_links(&shared, &who(), write, NIC, &links).is_ok());
    }

    #[test]
    fn network_contributor_cannot_detach_a_nic_from_a_vm() {
        // In Azure detaching a NIC is a write on the VM; Network Contributor does not grant it.
        let g = Grants::from_assignments(
            &[holding(&NETWORK_CONTRIBUTOR, "/subscriptions/s1")],
            |_| None,
        );
        let vm =
            "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1";
        assert!(authorize(&g, &who(), "Microsoft.Compute/virtualMachines/write", vm).is_err());
        assert!(authorize(&g, &who(), "Microsoft.Network/networkInterfaces/write", NIC).is_ok());
    }

    #[test]
    fn a_custom_role_grants_what_its_blocks_allow_where_it_is_assigned() {
        use super::custom::CustomRole;
        use super::role::{PermissionBlock, Role};
        let role = CustomRole {
            guid: "4a9ae827-6dc8-4573-8ac7-8239d42aa03f".into(),
            tenant: "t".into(),
            role_name: "NIC Operator".into(),
            description: String::new(),
            permissions: vec![PermissionBlock {
                actions: vec!["Microsoft.Network/networkInterfaces/*".into()],
                not_actions: vec!["Microsoft.Network/networkInterfaces/delete".into()],
                ..Default::default()
            }],
            assignable_scopes: vec![RG.into()],
            created_on: String::new(),
            updated_on: String::new(),
            created_by: None,
            updated_by: None,
        };
        let custom = Role::Custom(std::sync::Arc::new(role.clone()));
        let mut a = holding(&READER, RG);
        a.role_definition = role.guid.clone();
        let g = Grants::from_assignments(&[a.clone()], |guid| {
            (guid == role.guid).then(|| custom.clone())
        });
        let write = "Microsoft.Network/networkInterfaces/write";
        assert!(authorize(&g, &who(), write, NIC).is_ok());
        assert!(authorize(
            &g,
            &who(),
            "Microsoft.Network/networkInterfaces/delete",
            NIC
        )
        .is_err());
        assert!(authorize(&g, &who(), write, &NIC.replace("rg1", "rg2")).is_err());
        // A role that is gone grants nothing.
        assert!(Grants::from_assignments(&[a], |_| None).is_empty());
        // Assignable in its group and below, not above.
        let scope = |s: &str| super::Scope::parse(s).unwrap();
        assert!(super::assignment::check_assignable(&custom, &scope(NIC)).is_ok());
        let e =
            super::assignment::check_assignable(&custom, &scope("/subscriptions/s1")).unwrap_err();
        assert_eq!(e.code(), "RoleAssignmentScopeNotAssignableToRoleDefinition");
        assert_eq!(
            e.to_string(),
            "The role NIC Operator is not available for assignment at the requested scope."
        );
        assert!(Role::BuiltIn(&READER).assignable_at("/subscriptions/s1"));
    }

    #[test]
    fn permissions_in_effect_add_up_over_the_scopes_above() {
        let g = Grants::from_assignments(
            &[
                holding(&READER, "/subscriptions/s1"),
                holding(&NETWORK_CONTRIBUTOR, RG),
            ],
            |_| None,
        );
        assert_eq!(g.permissions_at("/subscriptions/s1").len(), 1);
        assert_eq!(g.permissions_at(&NIC.to_ascii_lowercase()).len(), 2);
        assert!(g.permissions_at("/subscriptions/s2").is_empty());
    }
}
