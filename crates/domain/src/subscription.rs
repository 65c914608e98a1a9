//! Subscriptions and the tenant that owns them.

use serde::{Deserialize, Serialize};

/// The subscription every fresh cerulean offers (documented in README.md).
pub const DEFAULT_SUBSCRIPTION_ID: &str = "00000000-0000-0000-0000-000000000001";
pub const DEFAULT_SUBSCRIPTION_NAME: &str = "cerulean";
/// The tenant every subscription belongs to.
pub const DEFAULT_TENANT_ID: &str = "00000000-0000-0000-0000-0000000000a1";
pub const DEFAULT_TENANT_DOMAIN: &str = "cerulean.localhost";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subscription {
    pub id: String,
    pub display_name: String,
    pub tenant_id: String,
    /// Resource provider registrations that differ from the defaults
    /// (`crate::providers`), by lower-case namespace.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub registrations: crate::providers::Registrations,
}

impl Subscription {
    pub fn default_subscription() -> Self {
        Subscription {
            id: DEFAULT_SUBSCRIPTION_ID.into(),
            display_name: DEFAULT_SUBSCRIPTION_NAME.into(),
            tenant_id: DEFAULT_TENANT_ID.into(),
            registrations: Default::default(),
        }
    }

    /// Parses `ID` or `ID=NAME` as given to `--subscription`.
    pub fn from_arg(arg: &str) -> Self {
        let (id, name) = match arg.split_once('=') {
            Some((id, name)) => (id.trim(), name.trim()),
            None => (arg.trim(), arg.trim()),
        };
        Subscription {
            id: id.to_string(),
            display_name: name.to_string(),
            tenant_id: DEFAULT_TENANT_ID.into(),
            registrations: Default::default(),
        }
    }
}
