//! The decision: may this principal perform this action at this scope?
//!
//! A principal's [`Grants`] are its role assignments with their roles resolved. An action is
//! allowed at a target when some assignment whose scope covers the target (the target itself
//! or any scope above it) has a role that allows the action. There are no deny assignments.

use super::assignment::{PrincipalType, RoleAssignment};
use super::role::{PermissionBlock, Role};
use super::scope::{covers, is_below};
use crate::error::{DomainError, LinkedRefusal, TemplateRefusal};

/// Who is asking: what ARM's refusals name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The object id (the token's `oid`), lower-case.
    pub object_id: String,
    /// How ARM names the client in messages: the application id of a service principal, the
    /// user principal name of a user.
    pub client: String,
    pub kind: PrincipalType,
}

/// One assignment, its role resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// Lower-case scope.
    pub scope_key: String,
    pub role: Role,
}

/// Everything a principal holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    grants: Vec<Grant>,
}

impl Grants {
    /// The grants of `assignments` whose roles exist: built-in ones, and custom ones
    /// `custom` finds by GUID (an assignment of a role that is gone grants nothing).
    pub fn from_assignments<'a>(
        assignments: impl IntoIterator<Item = &'a RoleAssignment>,
        custom: impl Fn(&str) -> Option<Role>,
    ) -> Grants {
        Grants {
            grants: assignments
                .into_iter()
                .filter_map(|a| {
                    a.builtin_role()
                        .map(Role::BuiltIn)
                        .or_else(|| custom(&a.role_definition))
                        .map(|role| Grant {
                            scope_key: a.scope_key(),
                            role,
                        })
                })
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.grants.is_empty()
    }

    /// Whether `action` is allowed at `target_key` (a lower-case path) or, through
    /// inheritance, by an assignment above it.
    pub fn allows(&self, action: &str, target_key: &str) -> bool {
        self.grants
            .iter()
            .any(|g| covers(&g.scope_key, target_key) && g.role.allows(action))
    }

    /// Whether `action` is allowed at `target_key`, or somewhere below it: what a list at
    /// `target_key` needs to show anything.
    pub fn allows_within(&self, action: &str, target_key: &str) -> bool {
        self.grants.iter().any(|g| {
            (covers(&g.scope_key, target_key) || is_below(&g.scope_key, target_key))
                && g.role.allows(action)
        })
    }

    /// Whether any assignment lies at, above or below `target_key`: a subscription is
    /// visible to whoever holds a role anywhere in it.
    pub fn any_within(&self, target_key: &str) -> bool {
        self.grants
            .iter()
            .any(|g| covers(&g.scope_key, target_key) || is_below(&g.scope_key, target_key))
    }

    /// The permission blocks in effect at `target_key` (`.../providers/Microsoft.Authorization/permissions`).
    pub fn permissions_at(&self, target_key: &str) -> Vec<PermissionBlock> {
        self.grants
            .iter()
            .filter(|g| covers(&g.scope_key, target_key))
            .flat_map(|g| g.role.permissions())
            .collect()
    }
}

/// A request's own action must be allowed at its scope: 403 `AuthorizationFailed` otherwise.
/// `scope` is the request's scope in the caller's spelling.
pub fn authorize(
    grants: &Grants,
    who: &Principal,
    action: &str,
    scope: &str,
) -> Result<(), DomainError> {
    if grants.allows(action, &scope.to_ascii_lowercase()) {
        Ok(())
    } else {
        Err(denied(who, action, scope))
    }
}

/// The refusal of `action` at `scope`.
pub fn denied(who: &Principal, action: &str, scope: &str) -> DomainError {
    DomainError::AuthorizationFailed {
        client: who.client.clone(),
        object_id: who.object_id.clone(),
        action: action.to_string(),
        scope: scope.to_string(),
    }
}

/// A resource another one references (a NIC's subnet, a VM's NIC) and the action joining it
/// takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// Most are fixed join actions; an endpoint's approval names its resource's type.
    pub action: std::borrow::Cow<'static, str>,
    /// The referenced id, as the request body spells it.
    pub scope: String,
}

/// Linked access: every resource a write references needs its join action, as ARM checks it.
/// Refused links are named together in one 403 `LinkedAuthorizationFailed`.
pub fn authorize_links(
    grants: &Grants,
    who: &Principal,
    action: &str,
    scope: &str,
    links: &[Link],
) -> Result<(), DomainError> {
    let refused: Vec<&Link> = links
        .iter()
        .filter(|l| !grants.allows(&l.action, &l.scope.to_ascii_lowercase()))
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(DomainError::LinkedAuthorizationFailed(Box::new(
        LinkedRefusal {
            client: who.client.clone(),
            object_id: who.object_id.clone(),
            action: action.to_string(),
            scope: scope.to_string(),
            linked_actions: refused.iter().map(|l| l.action.to_string()).collect(),
            linked_scopes: refused.iter().map(|l| l.scope.clone()).collect(),
        },
    )))
}

/// One resource a template declares: its full type, name and id.
pub struct Declared<'a> {
    pub type_name: &'a str,
    pub name: &'a str,
    pub id: &'a str,
}

/// ARM's pre-check of a template deployment: the deployer may write every resource the
/// template declares (`{type}/write` at the resource's id), or the deployment is refused
/// before anything is created, naming every resource it may not write.
pub fn authorize_template(
    grants: &Grants,
    who: &Principal,
    resources: &[Declared<'_>],
) -> Result<(), DomainError> {
    let refusals: Vec<TemplateRefusal> = resources
        .iter()
        .filter_map(|r| {
            // A resource group's own action names it under its subscription.
            let action = if r
                .type_name
                .eq_ignore_ascii_case("Microsoft.Resources/resourceGroups")
            {
                "Microsoft.Resources/subscriptions/resourceGroups/write".to_string()
            } else {
                format!("{}/write", r.type_name)
            };
            (!grants.allows(&action, &r.id.to_ascii_lowercase())).then(|| TemplateRefusal {
                name: r.name.to_string(),
                type_name: r.type_name.to_string(),
                client: who.client.clone(),
                object_id: who.object_id.clone(),
                action,
                scope: r.id.to_string(),
            })
        })
        .collect();
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(DomainError::TemplateAuthorizationFailed(refusals))
    }
}
