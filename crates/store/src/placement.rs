//! Where a record's key lies, and the key ranges that lets a store read instead of an index.
//!
//! Keys are lower-case ARM ids, so they nest: a subscription's records all lie under
//! `/subscriptions/{s}/`, a group's under `{group}/`, one top-level type's of a group under
//! `{group}/providers/{namespace}/{type}/`, and the records at subscription scope (a deployment
//! there) under `/subscriptions/{s}/providers/`. Stores refuse a record that lies elsewhere
//! ([`check_placement`]). So a group's list is one key range, and SQLite lists a subscription's
//! records of one kind group by group ([`span_at`]) instead of keeping an index on the
//! subscription: that index's leaf was a second page every create dirtied at a random place
//! (its entries are ordered by key), and on two cores writing it cost 8 % of the create rate.

use crate::Record;
use cerulean_domain::kind::RESOURCE_GROUP;

impl Record {
    /// Whether the key lies where an ARM id of its group and kind must: under `{group}/`,
    /// and for a top-level type (`namespace/type`) under `{group}/providers/{kind}/`.
    /// Stores refuse other records, so that a group's (and a kind's) records are one
    /// contiguous key range ([`group_key_range`]).
    pub fn fits_its_group(&self) -> bool {
        match &self.group_key {
            None => true,
            Some(g) if top_level(&self.kind) => under(&self.key, &[g, "/providers/", &self.kind]),
            Some(g) => under(&self.key, &[g]),
        }
    }

    /// Whether the key lies where an ARM id of its subscription must: under
    /// `/subscriptions/{s}/`, and outside any group either a group itself
    /// (`/subscriptions/{s}/resourcegroups/{name}`) or under `/subscriptions/{s}/providers/`.
    /// Stores refuse other records, so that walking a subscription's key range group by
    /// group ([`span_at`]) meets every record of it.
    pub fn fits_its_subscription(&self) -> bool {
        // Every write checks this: it compares in place rather than building the ranges.
        let root: &[&str] = &["/subscriptions/", &self.subscription];
        if !under(&self.key, root) {
            return false;
        }
        fn in_root<'a>(s: &'a str, subscription: &str, path: &str) -> Option<&'a str> {
            s.strip_prefix("/subscriptions/")?
                .strip_prefix(subscription)?
                .strip_prefix(path)
        }
        let in_root = |s, path| in_root(s, &self.subscription, path);
        match &self.group_key {
            Some(g) => in_root(g, "/resourcegroups/").is_some(),
            None if self.kind == RESOURCE_GROUP => in_root(&self.key, "/resourcegroups/")
                .is_some_and(|name| !name.is_empty() && !name.contains('/')),
            None if top_level(&self.kind) => under(
                &self.key,
                &[
                    "/subscriptions/",
                    &self.subscription,
                    "/providers/",
                    &self.kind,
                ],
            ),
            None => under(
                &self.key,
                &["/subscriptions/", &self.subscription, "/providers"],
            ),
        }
    }
}

/// See [`Record::fits_its_group`] and [`Record::fits_its_subscription`]: lists read key
/// ranges and rely on both.
pub(crate) fn check_placement(rec: &Record) -> Result<(), crate::StoreError> {
    let outside = if !rec.fits_its_subscription() {
        "its subscription"
    } else if !rec.fits_its_group() {
        "its group"
    } else {
        return Ok(());
    };
    Err(crate::StoreError::Backend(format!(
        "record {} ({}) lies outside {outside} ({}, {:?})",
        rec.key, rec.kind, rec.subscription, rec.group_key
    )))
}

/// The open key range `(after, before)` holding every record of a group, or of one kind in
/// it: keys are lower-case ARM ids, so all of a group's start with `{group}/` and all of a
/// top-level type's with `{group}/providers/{namespace}/{type}/`. A nested type (more than
/// one `/`) gets the group's range; the caller still filters on `kind`.
pub fn group_key_range(group: &str, kind: Option<&str>) -> (String, String) {
    let mut prefix = String::with_capacity(group.len() + 64);
    prefix.push_str(group);
    if let Some(k) = kind.filter(|k| top_level(k)) {
        prefix.push_str("/providers/");
        prefix.push_str(k);
    }
    below(prefix)
}

/// The subscription (lower-case id) of a group key `/subscriptions/{s}/resourcegroups/{name}`.
pub fn group_subscription(group: &str) -> &str {
    group.split('/').nth(2).unwrap_or_default()
}

/// The open key range holding every record of a subscription (lower-case id).
pub(crate) fn subscription_key_range(subscription: &str) -> (String, String) {
    below(root(subscription))
}

/// How much of a subscription's key range one key's place settles, for a walk over it in key
/// order that wants the records of `kind`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Span {
    /// The key lies in a group's records (or the subscription's own, under `providers/`):
    /// every record of `kind` there is in the open range `(after, before)`, and the walk
    /// goes on at the first key at or past `resume`, where that group's records end.
    Range {
        after: String,
        before: String,
        resume: String,
    },
    /// The key is a record of its own (a group): only it is settled.
    One,
}

/// The span of `key`, a key of `subscription`'s range, for records of `kind`.
pub(crate) fn span_at(subscription: &str, key: &str, kind: &str) -> Span {
    let root = root(subscription);
    let Some(rest) = key.strip_prefix(root.as_str()) else {
        return Span::One;
    };
    if let Some(in_groups) = rest.strip_prefix("/resourcegroups/") {
        let Some(slash) = in_groups.find('/') else {
            return Span::One; // the group itself
        };
        let group = &key[..key.len() - in_groups.len() + slash];
        let (after, before) = group_key_range(group, Some(kind));
        return Span::Range {
            after,
            before,
            resume: format!("{group}0"),
        };
    }
    if rest.starts_with("/providers/") {
        let (after, before) = root_key_range(&root, kind);
        return Span::Range {
            after,
            before,
            resume: format!("{root}/providers0"),
        };
    }
    Span::One
}

fn root(subscription: &str) -> String {
    format!("/subscriptions/{subscription}")
}

/// Where records of `kind` at subscription scope lie: under `{root}/providers/{kind}/` for a
/// top-level type, anywhere under `{root}/providers/` for a nested one.
fn root_key_range(root: &str, kind: &str) -> (String, String) {
    if top_level(kind) {
        group_key_range(root, Some(kind))
    } else {
        below(format!("{root}/providers"))
    }
}

fn top_level(kind: &str) -> bool {
    kind.bytes().filter(|&b| b == b'/').count() == 1
}

/// `(prefix/, prefix0)`: `/` + 1 is `0`, the first string past every `{prefix}/...`.
fn below(mut prefix: String) -> (String, String) {
    let mut before = prefix.clone();
    prefix.push('/');
    before.push('0');
    (prefix, before)
}

/// Whether `key` lies in the open range `(path/, path0)` of [`below`], `path` being `parts`
/// joined: exactly when it starts with them, then `/`, then at least one more byte.
fn under(key: &str, parts: &[&str]) -> bool {
    let mut rest = key.as_bytes();
    for p in parts {
        match rest.strip_prefix(p.as_bytes()) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.len() > 1 && rest[0] == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;

    const NIC: &str = "microsoft.network/networkinterfaces";

    fn nic(key: &str, group: Option<&str>) -> Record {
        Record {
            key: key.into(),
            id: key.into(),
            kind: "microsoft.network/networkinterfaces".into(),
            subscription: "s".into(),
            group_key: group.map(Into::into),
            location: None,
            body: "{}".into(),
            etag: "e".into(),
        }
    }

    #[test]
    fn a_top_level_kind_has_its_own_range_a_nested_one_the_groups() {
        let g = "/subscriptions/s/resourcegroups/g";
        let (a, b) = group_key_range(g, Some("microsoft.network/networkinterfaces"));
        assert_eq!(
            a,
            format!("{g}/providers/microsoft.network/networkinterfaces/")
        );
        assert_eq!(
            b,
            format!("{g}/providers/microsoft.network/networkinterfaces0")
        );
        let (a, b) = group_key_range(g, Some("microsoft.network/virtualnetworks/subnets"));
        assert_eq!(
            (a.as_str(), b.as_str()),
            (
                "/subscriptions/s/resourcegroups/g/",
                "/subscriptions/s/resourcegroups/g0"
            )
        );
        assert_eq!(group_key_range(g, None), (a, b));
    }

    #[test]
    fn records_fit_their_group_only_under_its_id() {
        let g = "/subscriptions/s/resourcegroups/g";
        let inside = format!("{g}/providers/microsoft.network/networkinterfaces/n");
        assert!(nic(&inside, Some(g)).fits_its_group());
        assert!(nic("/subscriptions/s/resourcegroups/g", None).fits_its_group());
        // Another group whose name extends this one's, another kind, no group prefix.
        let longer =
            "/subscriptions/s/resourcegroups/g2/providers/microsoft.network/networkinterfaces/n";
        assert!(!nic(longer, Some(g)).fits_its_group());
        let vnet = format!("{g}/providers/microsoft.network/virtualnetworks/n");
        assert!(!nic(&vnet, Some(g)).fits_its_group());
        assert!(!nic("n1", Some(g)).fits_its_group());
    }

    fn record(key: &str, kind: &str, group: Option<&str>) -> Record {
        Record {
            key: key.into(),
            id: key.into(),
            kind: kind.into(),
            subscription: "s1".into(),
            group_key: group.map(Into::into),
            location: None,
            body: "{}".into(),
            etag: "e".into(),
        }
    }

    #[test]
    fn records_fit_their_subscription_where_arm_ids_lie() {
        let g = Some("/subscriptions/s1/resourcegroups/rg");
        let fits = |key: &str, kind: &str, group: Option<&str>| {
            record(key, kind, group).fits_its_subscription()
        };
        assert!(fits(
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n",
            NIC,
            g
        ));
        assert!(fits(
            "/subscriptions/s1/resourcegroups/rg",
            RESOURCE_GROUP,
            None
        ));
        assert!(fits(
            "/subscriptions/s1/providers/microsoft.resources/deployments/d",
            "microsoft.resources/deployments",
            None
        ));
        assert!(fits(
            "/subscriptions/s1/providers/microsoft.resources/deployments/d/operations/o",
            "microsoft.resources/deployments/operations",
            None
        ));
        // Another subscription's key, a group elsewhere, a group with a slash, a record at
        // subscription scope outside `providers/` or under another kind's path.
        assert!(!fits(
            "/subscriptions/s2/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n",
            NIC,
            Some("/subscriptions/s2/resourcegroups/rg")
        ));
        assert!(!fits(
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n",
            NIC,
            Some("/subscriptions/s2/resourcegroups/rg")
        ));
        assert!(!fits(
            "/subscriptions/s1/resourcegroups/rg/x",
            RESOURCE_GROUP,
            None
        ));
        assert!(!fits(
            "/subscriptions/s1/resourcegroups/",
            RESOURCE_GROUP,
            None
        ));
        assert!(!fits("/subscriptions/s1/elsewhere/n", NIC, None));
        assert!(!fits(
            "/subscriptions/s1/providers/microsoft.compute/virtualmachines/n",
            NIC,
            None
        ));
        assert!(!fits("/subscriptions/s10/providers/x/y/z", "x/y", None));
    }

    #[test]
    fn placement_names_what_a_record_lies_outside() {
        let mut r = record("/subscriptions/s1/elsewhere", NIC, None);
        let e = check_placement(&r).unwrap_err().to_string();
        assert!(e.contains("outside its subscription"), "{e}");
        r.key =
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n"
                .into();
        r.group_key = Some("/subscriptions/s1/resourcegroups/other".into());
        let e = check_placement(&r).unwrap_err().to_string();
        assert!(e.contains("outside its group"), "{e}");
        r.group_key = Some("/subscriptions/s1/resourcegroups/rg".into());
        check_placement(&r).unwrap();
    }

    /// `under` is the range test of `below`, without building the range.
    #[test]
    fn under_a_path_is_inside_its_range() {
        let keys = [
            "",
            "/",
            "/a",
            "/a/",
            "/a/b",
            "/a/b/",
            "/a/b/c",
            "/a/b0",
            "/a/b-",
            "/a/b-/c",
            "/a/b.",
            "/a/bc/d",
            "/a/b0/c",
            "/a/b/\u{e9}",
            "/a0",
            "/b/a/b/c",
        ];
        for parts in [
            &["/a"][..],
            &["/a", "/b"],
            &["/a/", "b"],
            &["/a/b/c"],
            &[""],
        ] {
            let range = below(parts.concat());
            for key in keys {
                let within = key > range.0.as_str() && key < range.1.as_str();
                assert_eq!(under(key, parts), within, "{key:?} under {parts:?}");
            }
        }
    }

    #[test]
    fn a_key_in_a_group_spans_that_groups_records_of_the_kind() {
        let key =
            "/subscriptions/s1/resourcegroups/rg-2/providers/microsoft.network/networkinterfaces/n";
        assert_eq!(
            span_at("s1", key, NIC),
            Span::Range {
                after: "/subscriptions/s1/resourcegroups/rg-2/providers/microsoft.network/networkinterfaces/".into(),
                before: "/subscriptions/s1/resourcegroups/rg-2/providers/microsoft.network/networkinterfaces0".into(),
                resume: "/subscriptions/s1/resourcegroups/rg-20".into(),
            }
        );
        // A nested kind gets the whole group.
        assert_eq!(
            span_at("s1", key, "microsoft.network/virtualnetworks/subnets"),
            Span::Range {
                after: "/subscriptions/s1/resourcegroups/rg-2/".into(),
                before: "/subscriptions/s1/resourcegroups/rg-20".into(),
                resume: "/subscriptions/s1/resourcegroups/rg-20".into(),
            }
        );
    }

    #[test]
    fn groups_and_records_at_subscription_scope_have_their_own_spans() {
        assert_eq!(
            span_at("s1", "/subscriptions/s1/resourcegroups/rg", NIC),
            Span::One
        );
        assert_eq!(
            span_at(
                "s1",
                "/subscriptions/s1/providers/microsoft.resources/deployments/d",
                "microsoft.resources/deployments"
            ),
            Span::Range {
                after: "/subscriptions/s1/providers/microsoft.resources/deployments/".into(),
                before: "/subscriptions/s1/providers/microsoft.resources/deployments0".into(),
                resume: "/subscriptions/s1/providers0".into(),
            }
        );
        assert_eq!(
            span_at("s1", "/subscriptions/s1/providers/a/b/c/d", "a/b/c"),
            Span::Range {
                after: "/subscriptions/s1/providers/".into(),
                before: "/subscriptions/s1/providers0".into(),
                resume: "/subscriptions/s1/providers0".into(),
            }
        );
        assert_eq!(span_at("s1", "/subscriptions/s1/odd", NIC), Span::One);
    }
}
