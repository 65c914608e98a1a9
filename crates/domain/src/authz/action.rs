//! Actions and the patterns role definitions grant them with.
//!
//! An action is `{Namespace}/{type}[/{type}…]/{read|write|delete}` or
//! `{Namespace}/{type}…/{verb}/action`. Patterns are actions with `*` wildcards, compared
//! case-insensitively: `*` matches any run of characters, `/` included, so `*/read` is every
//! read and `Microsoft.Authorization/*/Write` every write under that namespace.

/// Whether `pattern` (with `*` wildcards) matches `action`, ignoring ASCII case.
///
/// Iterative with one backtrack point (the last `*`): linear in practice and never recursive,
/// so a pattern with many wildcards cannot blow the stack or take exponential time.
pub fn pattern_matches(pattern: &str, action: &str) -> bool {
    let (p, a) = (pattern.as_bytes(), action.as_bytes());
    let (mut pi, mut ai) = (0usize, 0usize);
    // Where the last `*` was, and how much of the action it has swallowed so far.
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ai));
            pi += 1;
        } else if pi < p.len() && p[pi].eq_ignore_ascii_case(&a[ai]) {
            pi += 1;
            ai += 1;
        } else if let Some((sp, sa)) = star {
            // Let the last `*` take one more character and try again after it.
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// Whether any of `patterns` matches `action`.
pub fn any_matches<S: AsRef<str>>(patterns: &[S], action: &str) -> bool {
    patterns.iter().any(|p| pattern_matches(p.as_ref(), action))
}

#[cfg(test)]
mod tests {
    use super::pattern_matches as m;

    #[test]
    fn a_star_alone_matches_everything() {
        assert!(m("*", "Microsoft.Network/networkInterfaces/write"));
        assert!(m("*", ""));
    }

    #[test]
    fn star_read_matches_every_read_and_nothing_else() {
        assert!(m("*/read", "Microsoft.Network/networkInterfaces/read"));
        assert!(m(
            "*/read",
            "Microsoft.Resources/subscriptions/resourcegroups/read"
        ));
        assert!(!m("*/read", "Microsoft.Network/networkInterfaces/write"));
        assert!(!m(
            "*/read",
            "Microsoft.Compute/virtualMachines/readSomething/action"
        ));
    }

    #[test]
    fn namespace_wildcards_stay_in_their_namespace() {
        assert!(m(
            "Microsoft.Network/*",
            "Microsoft.Network/virtualNetworks/subnets/join/action"
        ));
        assert!(!m(
            "Microsoft.Network/*",
            "Microsoft.Compute/virtualMachines/write"
        ));
        assert!(!m(
            "Microsoft.Network/*",
            "Microsoft.NetworkFunction/x/read"
        ));
    }

    #[test]
    fn case_is_ignored() {
        assert!(m(
            "Microsoft.Authorization/*/Write",
            "microsoft.authorization/roleAssignments/write"
        ));
        assert!(m(
            "microsoft.compute/VIRTUALMACHINES/*",
            "Microsoft.Compute/virtualMachines/start/action"
        ));
    }

    #[test]
    fn inner_wildcards_span_segments() {
        let p = "Microsoft.Authorization/*/read";
        assert!(m(p, "Microsoft.Authorization/roleAssignments/read"));
        assert!(m(
            p,
            "Microsoft.Authorization/policyAssignments/exempt/read"
        ));
        assert!(!m(p, "Microsoft.Authorization/roleAssignments/write"));
        assert!(m("a*b*c", "aXXbYYbZZc"));
        assert!(!m("a*b*c", "aXXbYYbZZ"));
    }

    #[test]
    fn exact_patterns_match_only_themselves() {
        let p = "Microsoft.Network/virtualNetworks/subnets/join/action";
        assert!(m(p, p));
        assert!(!m(
            p,
            "Microsoft.Network/virtualNetworks/subnets/join/actions"
        ));
        assert!(!m(p, "Microsoft.Network/virtualNetworks/subnets/join"));
    }

    #[test]
    fn many_wildcards_stay_fast() {
        let pattern = "*a".repeat(200) + "b";
        let action = "a".repeat(5000);
        assert!(!m(&pattern, &action));
    }
}
