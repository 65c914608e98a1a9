//! Resource ids from types and names: `Microsoft.Network/virtualNetworks/subnets` with
//! `v/a` becomes `providers/Microsoft.Network/virtualNetworks/v/subnets/a`.

/// `providers/{ns}/{t1}/{n1}/{t2}/{n2}...`, or `None` when the name has not one segment
/// per type segment after the namespace.
pub(crate) fn provider_path(type_name: &str, names: &[&str]) -> Option<String> {
    let mut types = type_name.split('/');
    let namespace = types.next().filter(|n| !n.is_empty())?;
    let types: Vec<&str> = types.collect();
    let names: Vec<&str> = names.iter().flat_map(|n| n.split('/')).collect();
    if types.is_empty()
        || types.len() != names.len()
        || types.iter().chain(&names).any(|s| s.is_empty())
    {
        return None;
    }
    let mut out = format!("providers/{namespace}");
    for (t, n) in types.iter().zip(&names) {
        out.push('/');
        out.push_str(t);
        out.push('/');
        out.push_str(n);
    }
    Some(out)
}

/// How many names a type needs (one per segment after the namespace).
pub(crate) fn name_segments(type_name: &str) -> usize {
    type_name.split('/').count().saturating_sub(1)
}

pub(crate) fn group_prefix(subscription: &str, group: &str) -> String {
    format!("/subscriptions/{subscription}/resourceGroups/{group}")
}

/// The id of a resource of `provider` path (`providers/...`) in `group`, or, without one, of
/// the subscription itself; a resource group is `/subscriptions/{s}/resourceGroups/{name}`.
pub(crate) fn resource_id(
    subscription: &str,
    group: Option<&str>,
    type_name: &str,
    name: &str,
    provider: &str,
) -> String {
    match group {
        Some(g) => format!("{}/{provider}", group_prefix(subscription, g)),
        None if type_name.eq_ignore_ascii_case(RESOURCE_GROUPS) => group_prefix(subscription, name),
        None => format!("/subscriptions/{subscription}/{provider}"),
    }
}

pub(crate) const RESOURCE_GROUPS: &str = "Microsoft.Resources/resourceGroups";

/// The part of an id after its scope's last `/providers/`: `Microsoft.Network/virtualNetworks/v`.
pub(crate) fn provider_tail(id: &str) -> &str {
    let lower = id.to_ascii_lowercase();
    match lower.rfind("/providers/") {
        Some(at) => &id[at + "/providers/".len()..],
        None => id.trim_start_matches('/'),
    }
}

/// The resource group an id names, if any.
pub(crate) fn group_of(id: &str) -> Option<&str> {
    let parts: Vec<&str> = id.split('/').collect();
    parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("resourceGroups"))
        .and_then(|i| parts.get(i + 1).copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            provider_path("Microsoft.Network/virtualNetworks/subnets", &["v/a"]).unwrap(),
            "providers/Microsoft.Network/virtualNetworks/v/subnets/a"
        );
        assert_eq!(
            provider_path("Microsoft.Network/virtualNetworks/subnets", &["v", "a"]).unwrap(),
            "providers/Microsoft.Network/virtualNetworks/v/subnets/a"
        );
        assert!(provider_path("Microsoft.Network/virtualNetworks/subnets", &["v"]).is_none());
        assert!(provider_path("Microsoft.Network/virtualNetworks", &["v/a"]).is_none());
        assert!(provider_path("Microsoft.Network", &["v"]).is_none());
        assert_eq!(
            provider_tail("/subscriptions/s/resourceGroups/g/providers/A.B/c/d"),
            "A.B/c/d"
        );
        assert_eq!(
            group_of("/subscriptions/s/resourceGroups/g/providers/A.B/c/d"),
            Some("g")
        );
    }
}
