//! Scopes: where a role assignment applies. A scope is the tenant root (`/`), a
//! subscription, a resource group or a resource, and an assignment at one scope applies to
//! every scope below it (the hierarchy is the id's own: a resource group's id is a prefix of
//! its resources' ids, a VNet's of its subnets').

use crate::error::DomainError;
use crate::id::ResourceId;

/// A validated assignment scope, printed in the caller's spelling, compared on its key.
#[derive(Clone, Debug)]
pub struct Scope {
    raw: String,
    key: String,
    subscription: Option<String>,
    group: Option<String>,
}

impl PartialEq for Scope {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Scope {}

impl Scope {
    /// The tenant root, `/`.
    pub fn root() -> Scope {
        Scope {
            raw: "/".into(),
            key: "/".into(),
            subscription: None,
            group: None,
        }
    }

    /// `/`, `/subscriptions/{s}`, `/subscriptions/{s}/resourceGroups/{rg}` or a resource id.
    /// A trailing slash is tolerated, as ARM does.
    pub fn parse(s: &str) -> Result<Scope, DomainError> {
        if s.trim_end_matches('/').is_empty() && s.starts_with('/') {
            return Ok(Scope::root());
        }
        let id = ResourceId::parse(s)?;
        Ok(Scope {
            raw: id.as_str().to_string(),
            key: id.key().to_string(),
            subscription: Some(id.subscription().to_string()),
            group: id.group_name().map(str::to_string),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Lower-case: what scopes are compared and stored by.
    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn is_root(&self) -> bool {
        self.key == "/"
    }

    /// The subscription the scope lies in (`None` for the root).
    pub fn subscription(&self) -> Option<&str> {
        self.subscription.as_deref()
    }

    /// The resource group the scope lies in, if any.
    pub fn group(&self) -> Option<&str> {
        self.group.as_deref()
    }

    /// Whether an assignment at this scope applies at `target_key` (a lower-case path).
    pub fn covers(&self, target_key: &str) -> bool {
        covers(&self.key, target_key)
    }
}

/// Whether an assignment at `scope_key` applies at `target_key` (both lower-case): the root
/// covers everything, any other scope itself and everything whose path continues it.
pub fn covers(scope_key: &str, target_key: &str) -> bool {
    if scope_key == "/" {
        return true;
    }
    match target_key.strip_prefix(scope_key) {
        Some(rest) => rest.is_empty() || rest.starts_with('/'),
        None => false,
    }
}

/// Whether `scope_key` lies strictly below `target_key` (an assignment there grants something
/// inside the target, not the target itself).
pub fn is_below(scope_key: &str, target_key: &str) -> bool {
    scope_key != target_key && covers(target_key, scope_key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_at_every_level() {
        assert!(Scope::parse("/").unwrap().is_root());
        let s = Scope::parse("/subscriptions/S1/").unwrap();
        assert_eq!(s.as_str(), "/subscriptions/S1");
        assert_eq!(s.key(), "/subscriptions/s1");
        assert_eq!(s.subscription(), Some("S1"));
        let g = Scope::parse("/subscriptions/s1/resourceGroups/RG").unwrap();
        assert_eq!(g.group(), Some("RG"));
        let r = Scope::parse(
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
        )
        .unwrap();
        assert_eq!(r.group(), Some("rg"));
        for bad in [
            "",
            "subscriptions/s1",
            "/subscriptions",
            "/foo/bar",
            "/subscriptions/s1/resourceGroups",
        ] {
            assert!(Scope::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_scope_covers_itself_and_what_lies_below() {
        let g = "/subscriptions/s1/resourcegroups/rg1";
        assert!(covers(g, g));
        assert!(covers(
            g,
            "/subscriptions/s1/resourcegroups/rg1/providers/microsoft.network/x/y"
        ));
        assert!(!covers(g, "/subscriptions/s1/resourcegroups/rg10"));
        assert!(!covers(g, "/subscriptions/s1"));
        assert!(covers("/", g));
        assert!(is_below(g, "/subscriptions/s1"));
        assert!(!is_below(g, g));
        assert!(!is_below("/subscriptions/s1", g));
    }
}
