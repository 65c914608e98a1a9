//! Role definitions: named sets of permissions. The built-in ones are data
//! ([`super::builtin`]); each is a list of [`Permission`] blocks, and a block allows an action
//! when one of its `actions` matches it and none of its `not_actions` does (`notActions`
//! subtract from the same block only; blocks and roles add up).

use super::action::any_matches;
use super::custom::CustomRole;
use super::scope::covers;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// One permission block of a role, as ARM prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    pub actions: &'static [&'static str],
    pub not_actions: &'static [&'static str],
    pub data_actions: &'static [&'static str],
    pub not_data_actions: &'static [&'static str],
}

impl Permission {
    /// Whether this block allows the control-plane action `action`.
    pub fn allows(&self, action: &str) -> bool {
        any_matches(self.actions, action) && !any_matches(self.not_actions, action)
    }
}

/// `BuiltInRole` or `CustomRole`, as ARM spells the role's `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleType {
    BuiltIn,
    Custom,
}

impl RoleType {
    pub fn as_str(self) -> &'static str {
        match self {
            RoleType::BuiltIn => "BuiltInRole",
            RoleType::Custom => "CustomRole",
        }
    }
}

/// A role definition. Its id is a GUID (`name` in ARM's JSON) that is the same in every
/// subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoleDefinition {
    pub guid: &'static str,
    pub role_name: &'static str,
    pub description: &'static str,
    pub role_type: RoleType,
    pub permissions: &'static [Permission],
    pub assignable_scopes: &'static [&'static str],
}

impl RoleDefinition {
    /// Whether the role allows the control-plane action `action`.
    pub fn allows(&self, action: &str) -> bool {
        self.permissions.iter().any(|p| p.allows(action))
    }
}

/// A permission block with owned lists: a custom role's, and what the permissions endpoint
/// answers for any role.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PermissionBlock {
    #[serde(default)]
    pub actions: Vec<String>,
    #[serde(default)]
    pub not_actions: Vec<String>,
    #[serde(default)]
    pub data_actions: Vec<String>,
    #[serde(default)]
    pub not_data_actions: Vec<String>,
}

impl PermissionBlock {
    /// Whether this block allows the control-plane action `action` (as [`Permission::allows`]).
    pub fn allows(&self, action: &str) -> bool {
        any_matches(&self.actions, action) && !any_matches(&self.not_actions, action)
    }
}

impl From<&Permission> for PermissionBlock {
    fn from(p: &Permission) -> Self {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        PermissionBlock {
            actions: own(p.actions),
            not_actions: own(p.not_actions),
            data_actions: own(p.data_actions),
            not_data_actions: own(p.not_data_actions),
        }
    }
}

/// Any role an assignment may name: one of Azure's built-in ones, or a custom role
/// ([`super::custom`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    BuiltIn(&'static RoleDefinition),
    Custom(Arc<CustomRole>),
}

impl Role {
    pub fn guid(&self) -> &str {
        match self {
            Role::BuiltIn(r) => r.guid,
            Role::Custom(r) => &r.guid,
        }
    }

    pub fn role_name(&self) -> &str {
        match self {
            Role::BuiltIn(r) => r.role_name,
            Role::Custom(r) => &r.role_name,
        }
    }

    pub fn role_type(&self) -> RoleType {
        match self {
            Role::BuiltIn(r) => r.role_type,
            Role::Custom(_) => RoleType::Custom,
        }
    }

    /// Whether the role allows the control-plane action `action`.
    pub fn allows(&self, action: &str) -> bool {
        match self {
            Role::BuiltIn(r) => r.allows(action),
            Role::Custom(r) => r.permissions.iter().any(|p| p.allows(action)),
        }
    }

    pub fn permissions(&self) -> Vec<PermissionBlock> {
        match self {
            Role::BuiltIn(r) => r.permissions.iter().map(PermissionBlock::from).collect(),
            Role::Custom(r) => r.permissions.clone(),
        }
    }

    pub fn description(&self) -> &str {
        match self {
            Role::BuiltIn(r) => r.description,
            Role::Custom(r) => &r.description,
        }
    }

    pub fn assignable_scopes(&self) -> Vec<&str> {
        match self {
            Role::BuiltIn(r) => r.assignable_scopes.to_vec(),
            Role::Custom(r) => r.assignable_scopes.iter().map(String::as_str).collect(),
        }
    }

    /// Whether the role may be assigned at `scope_key` (lower-case): at or below one of its
    /// assignable scopes (a built-in role's is `/`, everywhere).
    pub fn assignable_at(&self, scope_key: &str) -> bool {
        self.assignable_scopes()
            .iter()
            .any(|s| covers(&s.to_ascii_lowercase(), scope_key))
    }
}
