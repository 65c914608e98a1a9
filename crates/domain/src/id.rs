//! Azure resource ids: parsed once, compared case-insensitively, printed as the caller spelled them.

use crate::error::DomainError;
use std::fmt;

/// A fully qualified ARM resource id such as
/// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{v}/subnets/{s}`.
///
/// `raw` keeps the caller's spelling (ARM echoes it back); `key` is the lower-case form used
/// for every lookup, uniqueness check and reference comparison.
#[derive(Clone, Debug)]
pub struct ResourceId {
    raw: String,
    key: String,
    subscription: String,
    group: Option<String>,
    namespace: Option<String>,
    /// `(type, name)` pairs below the provider namespace, outermost first.
    segments: Vec<(String, String)>,
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for ResourceId {}
impl std::hash::Hash for ResourceId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state)
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Lower-cases the way ARM compares ids and names.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
}

impl ResourceId {
    /// `/subscriptions/{s}/resourceGroups/{rg}`
    pub fn group(subscription: &str, group: &str) -> Self {
        Self::build(subscription, Some(group), None, Vec::new())
    }

    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`
    pub fn resource(
        subscription: &str,
        group: &str,
        namespace: &str,
        ty: &str,
        name: &str,
    ) -> Self {
        Self::build(
            subscription,
            Some(group),
            Some(namespace),
            vec![(ty.to_string(), name.to_string())],
        )
    }

    /// The id of a child resource (`{self}/{ty}/{name}`).
    pub fn child(&self, ty: &str, name: &str) -> Self {
        let mut segments = self.segments.clone();
        segments.push((ty.to_string(), name.to_string()));
        Self::build(
            &self.subscription,
            self.group.as_deref(),
            self.namespace.as_deref(),
            segments,
        )
    }

    fn build(
        subscription: &str,
        group: Option<&str>,
        namespace: Option<&str>,
        segments: Vec<(String, String)>,
    ) -> Self {
        let mut raw = format!("/subscriptions/{subscription}");
        if let Some(g) = group {
            raw.push_str("/resourceGroups/");
            raw.push_str(g);
        }
        if let Some(ns) = namespace {
            raw.push_str("/providers/");
            raw.push_str(ns);
        }
        for (t, n) in &segments {
            raw.push('/');
            raw.push_str(t);
            raw.push('/');
            raw.push_str(n);
        }
        ResourceId {
            key: fold(&raw),
            raw,
            subscription: subscription.to_string(),
            group: group.map(str::to_string),
            namespace: namespace.map(str::to_string),
            segments,
        }
    }

    /// Parses an id as found in a request body or URL. Trailing slashes are tolerated.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let invalid = || DomainError::InvalidResourceId { id: s.to_string() };
        let trimmed = s.trim_end_matches('/');
        let mut parts = trimmed.split('/');
        if parts.next() != Some("") {
            return Err(invalid());
        }
        let parts: Vec<&str> = parts.collect();
        if parts.iter().any(|p| p.is_empty()) || parts.len() < 2 {
            return Err(invalid());
        }
        if !parts[0].eq_ignore_ascii_case("subscriptions") {
            return Err(invalid());
        }
        let subscription = parts[1];
        let mut rest = &parts[2..];
        let mut group = None;
        if rest.len() >= 2 && rest[0].eq_ignore_ascii_case("resourceGroups") {
            group = Some(rest[1]);
            rest = &rest[2..];
        }
        let mut namespace = None;
        let mut segments = Vec::new();
        if !rest.is_empty() {
            if rest.len() < 4
                || !rest[0].eq_ignore_ascii_case("providers")
                || !rest.len().is_multiple_of(2)
            {
                return Err(invalid());
            }
            namespace = Some(rest[1]);
            for pair in rest[2..].chunks(2) {
                segments.push((pair[0].to_string(), pair[1].to_string()));
            }
        }
        Ok(Self::build(subscription, group, namespace, segments))
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }
    pub fn key(&self) -> &str {
        &self.key
    }
    pub fn subscription(&self) -> &str {
        &self.subscription
    }
    pub fn group_name(&self) -> Option<&str> {
        self.group.as_deref()
    }
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
    pub fn segments(&self) -> &[(String, String)] {
        &self.segments
    }

    /// The id of the resource group that holds this resource.
    pub fn group_id(&self) -> Option<ResourceId> {
        self.group
            .as_deref()
            .map(|g| ResourceId::group(&self.subscription, g))
    }

    /// The resource's own name (the last segment).
    pub fn name(&self) -> &str {
        match self.segments.last() {
            Some((_, n)) => n,
            None => self.group.as_deref().unwrap_or(&self.subscription),
        }
    }

    /// `Microsoft.Network/virtualNetworks/subnets`, as spelled by the caller.
    pub fn type_path(&self) -> String {
        match &self.namespace {
            None if self.group.is_some() => "Microsoft.Resources/resourceGroups".to_string(),
            None => "Microsoft.Resources/subscriptions".to_string(),
            Some(ns) => {
                let mut t = ns.clone();
                for (ty, _) in &self.segments {
                    t.push('/');
                    t.push_str(ty);
                }
                t
            }
        }
    }

    /// The lower-case type path: what the store indexes resources by.
    pub fn kind_key(&self) -> String {
        fold(&self.type_path())
    }

    /// The parent resource of a child (`.../virtualNetworks/v` for a subnet), if any.
    pub fn parent(&self) -> Option<ResourceId> {
        if self.segments.len() < 2 {
            return None;
        }
        let mut segments = self.segments.clone();
        segments.pop();
        Some(Self::build(
            &self.subscription,
            self.group.as_deref(),
            self.namespace.as_deref(),
            segments,
        ))
    }

    /// True when this id names a resource of the given type path (case-insensitive).
    pub fn is_type(&self, type_path: &str) -> bool {
        self.type_path().eq_ignore_ascii_case(type_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_child_resource_and_keeps_spelling() {
        let id = ResourceId::parse(
            "/subscriptions/S1/resourceGroups/Rg/providers/Microsoft.Network/virtualNetworks/V/subnets/Front",
        )
        .unwrap();
        assert_eq!(id.subscription(), "S1");
        assert_eq!(id.group_name(), Some("Rg"));
        assert_eq!(id.name(), "Front");
        assert_eq!(id.type_path(), "Microsoft.Network/virtualNetworks/subnets");
        assert_eq!(id.kind_key(), "microsoft.network/virtualnetworks/subnets");
        assert_eq!(
            id.key(),
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/front"
        );
        assert_eq!(
            id.parent().unwrap().as_str(),
            "/subscriptions/S1/resourceGroups/Rg/providers/Microsoft.Network/virtualNetworks/V"
        );
        assert_eq!(
            id.group_id().unwrap().as_str(),
            "/subscriptions/S1/resourceGroups/Rg"
        );
    }

    #[test]
    fn ids_compare_case_insensitively() {
        let a = ResourceId::parse("/subscriptions/s/resourcegroups/RG").unwrap();
        let b = ResourceId::parse("/SUBSCRIPTIONS/s/resourceGroups/rg/").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.type_path(), "Microsoft.Resources/resourceGroups");
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "subscriptions/s",
            "/subscriptions",
            "/subscriptions//resourceGroups/rg",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces",
            "/foo/s",
        ] {
            let err = ResourceId::parse(bad).unwrap_err();
            assert_eq!(err.code(), "LinkedInvalidPropertyId", "{bad}");
        }
    }

    #[test]
    fn builds_children() {
        let v = ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v");
        let s = v.child("subnets", "a");
        assert_eq!(
            s.as_str(),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a"
        );
        assert!(s.is_type("microsoft.network/virtualnetworks/subnets"));
    }
}
