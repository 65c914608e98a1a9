//! Azure resource ids: parsed once, compared case-insensitively, printed as the caller spelled them.

use crate::error::DomainError;
use smallvec::SmallVec;
use std::fmt;

/// A fully qualified ARM resource id such as
/// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{v}/subnets/{s}`.
///
/// `raw` keeps the caller's spelling (ARM echoes it back); `key` is the lower-case form used
/// for every lookup, uniqueness check and reference comparison. The parts are byte ranges of
/// `raw`, not strings of their own: ids are parsed and built on every request's hot path, and
/// one id used to cost eight allocations.
#[derive(Clone, Debug)]
pub struct ResourceId {
    raw: String,
    key: String,
    subscription: Span,
    group: Option<Span>,
    namespace: Option<Span>,
    /// `(type, name)` pairs below the provider namespace, outermost first.
    segments: SmallVec<[(Span, Span); 2]>,
}

/// A byte range of `ResourceId::raw`.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    end: u32,
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
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        s.to_lowercase()
    }
}

/// Appends ids part by part, noting where each part lies.
struct Builder {
    raw: String,
}

impl Builder {
    fn push(&mut self, fixed: &str, part: &str) -> Span {
        self.raw.push_str(fixed);
        let start = self.raw.len() as u32;
        self.raw.push_str(part);
        Span {
            start,
            end: self.raw.len() as u32,
        }
    }
}

impl ResourceId {
    /// `/subscriptions/{s}/resourceGroups/{rg}`
    pub fn group(subscription: &str, group: &str) -> Self {
        Self::build(subscription, Some(group), None, [].into_iter())
    }

    /// `/subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}`
    pub fn resource(
        subscription: &str,
        group: &str,
        namespace: &str,
        ty: &str,
        name: &str,
    ) -> Self {
        Self::provider_resource(subscription, Some(group), namespace, ty, name)
    }

    /// `/subscriptions/{s}[/resourceGroups/{rg}]/providers/{ns}/{type}/{name}`: a resource of a
    /// group, or of the subscription itself.
    pub fn provider_resource(
        subscription: &str,
        group: Option<&str>,
        namespace: &str,
        ty: &str,
        name: &str,
    ) -> Self {
        Self::build(
            subscription,
            group,
            Some(namespace),
            [(ty, name)].into_iter(),
        )
    }

    /// The id of a child resource (`{self}/{ty}/{name}`).
    pub fn child(&self, ty: &str, name: &str) -> Self {
        let mut raw = String::with_capacity(self.raw.len() + ty.len() + name.len() + 2);
        raw.push_str(&self.raw);
        let mut b = Builder { raw };
        let mut segments = self.segments.clone();
        segments.push((b.push("/", ty), b.push("/", name)));
        ResourceId {
            key: fold(&b.raw),
            raw: b.raw,
            subscription: self.subscription,
            group: self.group,
            namespace: self.namespace,
            segments,
        }
    }

    fn build<'a>(
        subscription: &str,
        group: Option<&str>,
        namespace: Option<&str>,
        segments: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Self {
        let len = 15
            + subscription.len()
            + group.map_or(0, |g| g.len() + 16)
            + namespace.map_or(0, |n| n.len() + 11)
            + segments
                .clone()
                .map(|(t, n)| t.len() + n.len() + 2)
                .sum::<usize>();
        let mut b = Builder {
            raw: String::with_capacity(len),
        };
        let subscription = b.push("/subscriptions/", subscription);
        let group = group.map(|g| b.push("/resourceGroups/", g));
        let namespace = namespace.map(|n| b.push("/providers/", n));
        let segments = segments
            .map(|(t, n)| (b.push("/", t), b.push("/", n)))
            .collect();
        ResourceId {
            key: fold(&b.raw),
            raw: b.raw,
            subscription,
            group,
            namespace,
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
        let parts: SmallVec<[&str; 12]> = parts.collect();
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
        let mut pairs: &[&str] = &[];
        if !rest.is_empty() {
            if rest.len() < 4
                || !rest[0].eq_ignore_ascii_case("providers")
                || !rest.len().is_multiple_of(2)
            {
                return Err(invalid());
            }
            namespace = Some(rest[1]);
            pairs = &rest[2..];
        }
        Ok(Self::build(
            subscription,
            group,
            namespace,
            pairs.chunks(2).map(|p| (p[0], p[1])),
        ))
    }

    fn slice(&self, span: Span) -> &str {
        &self.raw[span.start as usize..span.end as usize]
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }
    pub fn key(&self) -> &str {
        &self.key
    }
    pub fn subscription(&self) -> &str {
        self.slice(self.subscription)
    }
    pub fn group_name(&self) -> Option<&str> {
        self.group.map(|g| self.slice(g))
    }
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.map(|n| self.slice(n))
    }
    /// `(type, name)` pairs below the provider namespace, outermost first.
    pub fn segments(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.segments
            .iter()
            .map(|&(t, n)| (self.slice(t), self.slice(n)))
    }

    /// The id of the resource group that holds this resource.
    pub fn group_id(&self) -> Option<ResourceId> {
        self.group_name()
            .map(|g| ResourceId::group(self.subscription(), g))
    }

    /// The resource's own name (the last segment).
    pub fn name(&self) -> &str {
        match self.segments.last() {
            Some(&(_, n)) => self.slice(n),
            None => self.group_name().unwrap_or(self.subscription()),
        }
    }

    /// `Microsoft.Network/virtualNetworks/subnets`, as spelled by the caller.
    pub fn type_path(&self) -> String {
        match self.namespace() {
            None if self.group.is_some() => "Microsoft.Resources/resourceGroups".to_string(),
            None => "Microsoft.Resources/subscriptions".to_string(),
            Some(ns) => {
                let mut t = String::with_capacity(ns.len() + 24 * self.segments.len());
                t.push_str(ns);
                for (ty, _) in self.segments() {
                    t.push('/');
                    t.push_str(ty);
                }
                t
            }
        }
    }

    /// The lower-case type path: what the store indexes resources by.
    pub fn kind_key(&self) -> String {
        let mut t = self.type_path();
        if t.is_ascii() {
            t.make_ascii_lowercase();
            t
        } else {
            fold(&t)
        }
    }

    /// The parent resource of a child (`.../virtualNetworks/v` for a subnet), if any.
    pub fn parent(&self) -> Option<ResourceId> {
        if self.segments.len() < 2 {
            return None;
        }
        let mut segments = self.segments.clone();
        let (last_type, _) = segments.pop().expect("two segments");
        // The parent's id ends just before the `/` that precedes the child's type.
        let raw = self.raw[..last_type.start as usize - 1].to_string();
        Some(ResourceId {
            key: fold(&raw),
            raw,
            subscription: self.subscription,
            group: self.group,
            namespace: self.namespace,
            segments,
        })
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
    fn parts_survive_child_and_parent() {
        let v = ResourceId::parse(
            "/subscriptions/S/resourceGroups/Rg/providers/Microsoft.Network/virtualNetworks/V/",
        )
        .unwrap();
        let c = v.child("subnets", "Front").child("ipConfigurations", "Ç1");
        assert_eq!(
            c.segments().collect::<Vec<_>>(),
            vec![
                ("virtualNetworks", "V"),
                ("subnets", "Front"),
                ("ipConfigurations", "Ç1")
            ]
        );
        assert_eq!(c.name(), "Ç1");
        assert!(c.key().ends_with("/subnets/front/ipconfigurations/ç1"));
        let p = c.parent().unwrap();
        assert_eq!(p, v.child("subnets", "FRONT"));
        assert_eq!(p.as_str(), format!("{v}/subnets/Front"));
        assert_eq!(
            (p.subscription(), p.group_name(), p.namespace()),
            ("S", Some("Rg"), Some("Microsoft.Network"))
        );
        assert_eq!(p.parent().unwrap().as_str(), v.as_str());
        assert!(v.parent().is_none());
        assert_eq!(
            v.group_id().unwrap().as_str(),
            "/subscriptions/S/resourceGroups/Rg"
        );
        assert_eq!(v.group_id().unwrap().name(), "Rg");
        let sub = ResourceId::parse("/subscriptions/S").unwrap();
        assert_eq!((sub.name(), sub.segments().len()), ("S", 0));
        assert_eq!(sub.type_path(), "Microsoft.Resources/subscriptions");
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
