//! Custom roles: role definitions a tenant writes itself (`PUT {scope}/providers/
//! Microsoft.Authorization/roleDefinitions/{guid}`). The rules ARM applies when one is
//! created, changed or deleted live here, one function each, with Azure's errors; the store
//! keeps them, and [`super::role::Role`] lets an assignment name one like a built-in role.

use super::assignment::{is_guid, RoleAssignment};
use super::builtin;
use super::role::PermissionBlock;
use super::scope::{covers, Scope};
use crate::error::DomainError;
use serde::{Deserialize, Serialize};

/// Custom roles per tenant: Azure's limit (`RoleDefinitionLimitExceeded`).
pub const MAX_CUSTOM_ROLES: usize = 5000;
/// cerulean's caps on what one definition may hold (Azure documents none we found): a
/// request's body is 4 MiB at most anyway, and every authorization decision walks these.
pub const MAX_ROLE_NAME: usize = 512;
pub const MAX_DESCRIPTION: usize = 2048;
pub const MAX_ASSIGNABLE_SCOPES: usize = 2000;
pub const MAX_PERMISSION_BLOCKS: usize = 100;
pub const MAX_PATTERNS: usize = 5000;
/// Azure's operation names are under 200 characters; a longer pattern only costs every
/// decision that walks it.
pub const MAX_PATTERN_LEN: usize = 512;

/// A stored custom role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomRole {
    /// Lower-case GUID: its `name`, the same from every scope.
    pub guid: String,
    /// The directory it belongs to: names are unique per tenant.
    pub tenant: String,
    pub role_name: String,
    pub description: String,
    pub permissions: Vec<PermissionBlock>,
    /// As the caller spelled them, without a trailing slash.
    pub assignable_scopes: Vec<String>,
    pub created_on: String,
    pub updated_on: String,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl CustomRole {
    /// What names are unique by (ARM compares role names without regard to case).
    pub fn name_key(&self) -> String {
        self.role_name.to_lowercase()
    }

    /// Its assignable scopes as they are compared: lower-case.
    pub fn scope_keys(&self) -> impl Iterator<Item = String> + '_ {
        self.assignable_scopes
            .iter()
            .map(|s| s.to_ascii_lowercase())
    }
}

/// What a PUT of a role definition carries (`properties` of ARM's body).
#[derive(Clone, Debug, Default)]
pub struct RoleInput {
    pub role_name: Option<String>,
    pub description: Option<String>,
    pub role_type: Option<String>,
    pub permissions: Vec<PermissionBlock>,
    pub assignable_scopes: Vec<String>,
}

fn invalid(message: impl Into<String>) -> DomainError {
    DomainError::InvalidRoleDefinition {
        message: message.into(),
    }
}

/// The role definition id in a path must be a GUID, and not a built-in role's.
pub fn check_guid(guid: &str) -> Result<String, DomainError> {
    if !is_guid(guid) {
        return Err(DomainError::InvalidRoleDefinitionId {
            id: guid.to_string(),
        });
    }
    if builtin::by_guid(guid).is_some() {
        return Err(invalid(format!(
            "The role definition '{guid}' is a built-in role: it cannot be created, changed or deleted."
        )));
    }
    Ok(guid.to_ascii_lowercase())
}

/// Custom roles are written at a subscription or a resource group (Azure also takes
/// management groups, which cerulean does not model): the scope `az role definition create`
/// uses is the role's first assignable scope.
pub fn check_written_at(scope: &Scope) -> Result<(), DomainError> {
    let depth = scope.key().split('/').filter(|w| !w.is_empty()).count();
    if depth == 2 || (depth == 4 && scope.group().is_some()) {
        Ok(())
    } else {
        Err(invalid(format!(
            "A custom role is written at a subscription or a resource group, not at '{}'.",
            scope.as_str()
        )))
    }
}

/// Checks what a PUT asks for on its own (nothing here needs the store) and returns the role
/// it describes, with no times or authors yet.
pub fn check_input(guid: &str, tenant: &str, input: RoleInput) -> Result<CustomRole, DomainError> {
    let guid = check_guid(guid)?;
    if let Some(t) = input.role_type.as_deref() {
        if !t.eq_ignore_ascii_case("CustomRole") {
            return Err(invalid(format!(
                "The role definition type '{t}' is not valid: only 'CustomRole' can be written."
            )));
        }
    }
    let role_name = input.role_name.unwrap_or_default().trim().to_string();
    if role_name.is_empty() {
        return Err(invalid(
            "The role definition must have a role name (roleName).",
        ));
    }
    if role_name.chars().count() > MAX_ROLE_NAME {
        return Err(invalid(format!(
            "The role name is longer than {MAX_ROLE_NAME} characters."
        )));
    }
    let description = input.description.unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(invalid(format!(
            "The description is longer than {MAX_DESCRIPTION} characters."
        )));
    }
    if input.permissions.is_empty() {
        return Err(invalid("The role definition must have permissions."));
    }
    if input.permissions.len() > MAX_PERMISSION_BLOCKS {
        return Err(invalid(format!(
            "A role definition holds at most {MAX_PERMISSION_BLOCKS} permission blocks."
        )));
    }
    let patterns: usize = input
        .permissions
        .iter()
        .map(|p| {
            p.actions.len() + p.not_actions.len() + p.data_actions.len() + p.not_data_actions.len()
        })
        .sum();
    if patterns > MAX_PATTERNS {
        return Err(invalid(format!(
            "A role definition holds at most {MAX_PATTERNS} actions in all."
        )));
    }
    let too_long = input.permissions.iter().find_map(|p| {
        [
            &p.actions,
            &p.not_actions,
            &p.data_actions,
            &p.not_data_actions,
        ]
        .into_iter()
        .flatten()
        .find(|a| a.is_empty() || a.len() > MAX_PATTERN_LEN)
    });
    if let Some(a) = too_long {
        let shown: String = a.chars().take(64).collect();
        return Err(invalid(format!(
            "The action '{shown}' is not valid: actions are 1 to {MAX_PATTERN_LEN} characters long."
        )));
    }
    if input.assignable_scopes.is_empty() {
        return Err(invalid(
            "The role definition must have at least one assignable scope (assignableScopes).",
        ));
    }
    if input.assignable_scopes.len() > MAX_ASSIGNABLE_SCOPES {
        return Err(invalid(format!(
            "A role definition has at most {MAX_ASSIGNABLE_SCOPES} assignable scopes."
        )));
    }
    let assignable_scopes = input
        .assignable_scopes
        .iter()
        .map(|s| check_assignable_scope(s))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CustomRole {
        guid,
        tenant: tenant.to_string(),
        role_name,
        description,
        permissions: input.permissions,
        assignable_scopes,
        created_on: String::new(),
        updated_on: String::new(),
        created_by: None,
        updated_by: None,
    })
}

/// A custom role is assignable in subscriptions and resource groups (Azure also takes
/// management groups, which cerulean does not model), never at the root. Returns the scope
/// as kept: the caller's spelling without a trailing slash.
fn check_assignable_scope(s: &str) -> Result<String, DomainError> {
    let scope = Scope::parse(s)
        .map_err(|_| invalid(format!("The assignable scope '{s}' is not a valid scope.")))?;
    if scope.is_root() {
        return Err(invalid(
            "The root scope ('/') cannot be an assignable scope of a custom role.",
        ));
    }
    check_written_at(&scope).map_err(|_| {
        invalid(format!(
            "The assignable scope '{s}' must be a subscription or a resource group."
        ))
    })?;
    Ok(scope.as_str().to_string())
}

/// What a PUT of `wanted` does, given what the store holds: the role stored under its GUID
/// (`existing`), one of the same name in its tenant (`same_name`), how many custom roles the
/// tenant has, and the assignments of this role. Returns the role to store and whether it
/// is new.
pub fn plan_put(
    mut wanted: CustomRole,
    existing: Option<&CustomRole>,
    same_name: Option<&CustomRole>,
    tenant_roles: usize,
    assignments: &[RoleAssignment],
    at: &str,
    actor: Option<String>,
) -> Result<(CustomRole, bool), DomainError> {
    if same_name.is_some_and(|r| r.guid != wanted.guid) {
        return Err(DomainError::RoleDefinitionWithSameNameExists);
    }
    match existing {
        None if tenant_roles >= MAX_CUSTOM_ROLES => Err(DomainError::RoleDefinitionLimitExceeded),
        None => {
            wanted.created_on = at.to_string();
            wanted.updated_on = at.to_string();
            wanted.created_by = actor.clone();
            wanted.updated_by = actor;
            Ok((wanted, true))
        }
        Some(old) => {
            check_scopes_kept(old, &wanted, assignments)?;
            wanted.created_on = old.created_on.clone();
            wanted.created_by = old.created_by.clone();
            wanted.updated_on = at.to_string();
            wanted.updated_by = actor;
            Ok((wanted, false))
        }
    }
}

/// An assignable scope may go only when no assignment of the role relies on it.
fn check_scopes_kept(
    old: &CustomRole,
    new: &CustomRole,
    assignments: &[RoleAssignment],
) -> Result<(), DomainError> {
    let kept: Vec<String> = new.scope_keys().collect();
    for (removed, spelled) in old.scope_keys().zip(&old.assignable_scopes) {
        let removed = &removed;
        if kept.contains(removed) {
            continue;
        }
        let orphaned = assignments.iter().any(|a| {
            let at = a.scope_key();
            covers(removed, &at) && !kept.iter().any(|k| covers(k, &at))
        });
        if orphaned {
            return Err(DomainError::RoleScopeBeingRemovedContainsAssignments {
                scope: spelled.clone(),
            });
        }
    }
    Ok(())
}

/// A custom role can be deleted only once nothing is assigned it.
pub fn check_delete(assignments: &[RoleAssignment]) -> Result<(), DomainError> {
    if assignments.is_empty() {
        Ok(())
    } else {
        Err(DomainError::RoleDefinitionHasAssignments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::assignment::PrincipalType;

    const GUID: &str = "4a9ae827-6dc8-4573-8ac7-8239d42aa03f";
    const SUB: &str = "/subscriptions/00000000-0000-0000-0000-000000000001";

    fn input() -> RoleInput {
        RoleInput {
            role_name: Some("NIC Operator".into()),
            description: Some("Manages network interfaces.".into()),
            role_type: Some("CustomRole".into()),
            permissions: vec![PermissionBlock {
                actions: vec!["Microsoft.Network/networkInterfaces/*".into()],
                ..Default::default()
            }],
            assignable_scopes: vec![SUB.into(), format!("{SUB}/resourceGroups/rg1")],
        }
    }

    fn assigned_at(scope: &str) -> RoleAssignment {
        RoleAssignment {
            name: "a".into(),
            scope: scope.into(),
            role_definition: GUID.into(),
            principal_id: "p".into(),
            principal_type: PrincipalType::User,
            description: None,
            condition: None,
            condition_version: None,
            created_on: String::new(),
            updated_on: String::new(),
            created_by: None,
            updated_by: None,
        }
    }

    #[test]
    fn a_definition_needs_a_guid_a_name_permissions_and_assignable_scopes() {
        let ok = check_input(GUID, "t", input()).unwrap();
        assert_eq!(
            (ok.guid.as_str(), ok.role_name.as_str()),
            (GUID, "NIC Operator")
        );
        // Scopes are kept without a trailing slash, so that they compare with assignments'.
        let slashed = RoleInput {
            assignable_scopes: vec![format!("{SUB}/")],
            ..input()
        };
        assert_eq!(
            check_input(GUID, "t", slashed).unwrap().assignable_scopes,
            [SUB]
        );
        let e = check_input("vm-operator", "t", input()).unwrap_err();
        assert_eq!(e.code(), "InvalidRoleDefinitionId");
        let e = check_input(builtin::READER.guid, "t", input()).unwrap_err();
        assert_eq!(e.code(), "InvalidRoleDefinition");
        for broken in [
            RoleInput {
                role_name: Some("  ".into()),
                ..input()
            },
            RoleInput {
                role_type: Some("BuiltInRole".into()),
                ..input()
            },
            RoleInput {
                permissions: vec![],
                ..input()
            },
            RoleInput {
                permissions: vec![PermissionBlock {
                    actions: vec!["*a".repeat(MAX_PATTERN_LEN)],
                    ..Default::default()
                }],
                ..input()
            },
            RoleInput {
                permissions: vec![PermissionBlock {
                    not_actions: vec![String::new()],
                    ..Default::default()
                }],
                ..input()
            },
            RoleInput {
                assignable_scopes: vec![],
                ..input()
            },
            RoleInput {
                assignable_scopes: vec!["/".into()],
                ..input()
            },
            RoleInput {
                assignable_scopes: vec!["not a scope".into()],
                ..input()
            },
            RoleInput {
                assignable_scopes: vec![format!(
                    "{SUB}/resourceGroups/rg1/providers/Microsoft.Network/networkInterfaces/n"
                )],
                ..input()
            },
        ] {
            let e = check_input(GUID, "t", broken).unwrap_err();
            assert_eq!(e.code(), "InvalidRoleDefinition", "{e}");
        }
    }

    #[test]
    fn names_are_unique_per_tenant_and_tenants_hold_at_most_5000() {
        let wanted = check_input(GUID, "t", input()).unwrap();
        let mut other = wanted.clone();
        other.guid = "11111111-1111-1111-1111-111111111111".into();
        let e = plan_put(wanted.clone(), None, Some(&other), 1, &[], "now", None).unwrap_err();
        assert_eq!(e.code(), "RoleDefinitionWithSameNameExists");
        assert_eq!(e.class(), crate::ErrorClass::Conflict);
        assert_eq!(
            e.to_string(),
            "A role definition cannot be updated with a name that already exists."
        );
        let e = plan_put(
            wanted.clone(),
            None,
            None,
            MAX_CUSTOM_ROLES,
            &[],
            "now",
            None,
        )
        .unwrap_err();
        assert_eq!(e.code(), "RoleDefinitionLimitExceeded");
        let (created, new) = plan_put(
            wanted.clone(),
            None,
            Some(&wanted),
            0,
            &[],
            "t1",
            Some("me".into()),
        )
        .unwrap();
        assert!(new);
        assert_eq!(
            (created.created_on.as_str(), created.created_by.as_deref()),
            ("t1", Some("me"))
        );
        let (updated, new) =
            plan_put(wanted.clone(), Some(&created), None, 1, &[], "t2", None).unwrap();
        assert!(!new);
        assert_eq!(
            (
                updated.created_on.as_str(),
                updated.updated_on.as_str(),
                updated.created_by.as_deref()
            ),
            ("t1", "t2", Some("me"))
        );
    }

    #[test]
    fn a_scope_is_removed_only_when_no_assignment_relies_on_it() {
        let old = check_input(GUID, "t", input()).unwrap();
        let narrowed = check_input(
            GUID,
            "t",
            RoleInput {
                assignable_scopes: vec![format!("{SUB}/resourceGroups/rg1")],
                ..input()
            },
        )
        .unwrap();
        // An assignment inside rg1 is still covered; one in rg2 only by the subscription.
        let inside = [assigned_at(&format!(
            "{SUB}/resourceGroups/RG1/providers/x/y/z"
        ))];
        assert!(plan_put(narrowed.clone(), Some(&old), None, 1, &inside, "t", None).is_ok());
        let outside = [assigned_at(&format!("{SUB}/resourceGroups/rg2"))];
        let e = plan_put(narrowed, Some(&old), None, 1, &outside, "t", None).unwrap_err();
        assert_eq!(e.code(), "RoleScopeBeingRemovedContainsAssignments");
        assert_eq!(
            e.to_string(),
            format!("Role assignments found under scope '{SUB}' which is being removed. Removing this scope from the role will orphan these assignments. Delete these assignments before removing the scope.")
        );
    }

    #[test]
    fn a_role_with_assignments_cannot_be_deleted() {
        assert!(check_delete(&[]).is_ok());
        let e = check_delete(&[assigned_at(SUB)]).unwrap_err();
        assert_eq!(e.code(), "RoleDefinitionHasAssignments");
        assert_eq!(e.class(), crate::ErrorClass::Conflict);
        assert_eq!(
            e.to_string(),
            "There are existing role assignments referencing role."
        );
    }
}
