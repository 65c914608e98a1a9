//! Role definitions: named sets of permissions. The built-in ones are data
//! ([`super::builtin`]); each is a list of [`Permission`] blocks, and a block allows an action
//! when one of its `actions` matches it and none of its `not_actions` does (`notActions`
//! subtract from the same block only; blocks and roles add up).

use super::action::any_matches;

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
