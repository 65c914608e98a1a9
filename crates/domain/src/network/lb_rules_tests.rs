use super::*;
use crate::network::load_balancer::LbContext;

const LB: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb1";

fn lb_id() -> ResourceId {
    ResourceId::parse(LB).unwrap()
}
fn child(word: &str, name: &str) -> String {
    format!("{LB}/{word}/{name}")
}
fn pools(names: &[&str]) -> Vec<BackendPool> {
    names
        .iter()
        .map(|n| BackendPool {
            name: n.to_string(),
            etag: "e".into(),
            kept: None,
        })
        .collect()
}
/// A balancing rule on frontend `fe` to pool `pool` at Tcp `port`, probed by `probe`.
fn rule(name: &str, fe: &str, pool: &str, port: u16, probe: Option<&str>) -> RuleFacts {
    RuleFacts {
        name: name.into(),
        frontends: vec![child("frontendIPConfigurations", fe)],
        pools: vec![child("backendAddressPools", pool)],
        probe: probe.map(|p| child("probes", p)),
        backend: Some(("Tcp".into(), port)),
        floating_ip: false,
        protocol: Some("Tcp".into()),
    }
}
fn probe(name: &str) -> RuleFacts {
    RuleFacts {
        name: name.into(),
        ..Default::default()
    }
}
fn rules(items: Vec<(Collection, RuleFacts)>) -> Rules {
    Rules { items }
}
fn check_all(r: &Rules) -> Result<(), DomainError> {
    check(&lb_id(), &["fe", "fe2"], &pools(&["pool"]), r)
}

#[test]
fn references_to_children_of_the_load_balancer_resolve_in_any_case() {
    let r = rules(vec![
        (Collection::Probes, probe("http")),
        (
            Collection::BalancingRules,
            rule("web", "FE", "Pool", 80, Some("HTTP")),
        ),
    ]);
    check_all(&r).unwrap();
}

#[test]
fn a_reference_to_a_missing_child_is_an_invalid_reference() {
    let cases = [
        (
            rule("web", "nope", "pool", 80, None),
            child("frontendIPConfigurations", "nope"),
        ),
        (
            rule("web", "fe", "gone", 80, None),
            child("backendAddressPools", "gone"),
        ),
        (
            rule("web", "fe", "pool", 80, Some("none")),
            child("probes", "none"),
        ),
    ];
    for (r, missing) in cases {
        let e = check_all(&rules(vec![(Collection::BalancingRules, r)])).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference");
        assert_eq!(
            e.to_string(),
            format!(
                "Resource {missing} referenced by resource {LB}/loadBalancingRules/web was not found. Please make sure that the referenced resource exists, and that both resources are in the same region."
            )
        );
    }
    // A frontend of another load balancer is not this one's.
    let mut r = rule("web", "fe", "pool", 80, None);
    r.frontends = vec![
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb2/frontendIPConfigurations/fe".into(),
    ];
    let e = check_all(&rules(vec![(Collection::BalancingRules, r)])).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
    // An outbound rule's and a NAT rule's frontends are checked alike.
    let mut out = probe("out");
    out.frontends = vec![child("frontendIPConfigurations", "fe3")];
    let e = check_all(&rules(vec![(Collection::OutboundRules, out)])).unwrap_err();
    assert!(e.to_string().starts_with(&format!(
        "Resource {LB}/frontendIPConfigurations/fe3 referenced by resource {LB}/outboundRules/out was not found."
    )));
}

#[test]
fn names_are_distinct_within_a_collection_only() {
    let e = check_all(&rules(vec![
        (Collection::Probes, probe("p")),
        (Collection::Probes, probe("P")),
    ]))
    .unwrap_err();
    assert_eq!(e.code(), "DuplicateResourceName");
    check_all(&rules(vec![
        (Collection::Probes, probe("p")),
        (
            Collection::BalancingRules,
            rule("p", "fe", "pool", 80, Some("p")),
        ),
    ]))
    .unwrap();
    let e = check_all(&rules(vec![(Collection::Probes, probe("bad/name"))])).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceName");
}

#[test]
fn two_rules_may_not_send_one_protocol_and_backend_port_to_one_pool() {
    let e = check_all(&rules(vec![
        (
            Collection::BalancingRules,
            rule("a", "fe", "pool", 80, None),
        ),
        (
            Collection::BalancingRules,
            rule("b", "fe2", "POOL", 80, None),
        ),
    ]))
    .unwrap_err();
    assert_eq!(e.code(), "RulesUseSameBackendPortProtocolAndPool");
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancing rules {LB}/loadBalancingRules/a and {LB}/loadBalancingRules/b with floating IP disabled use the same protocol Tcp and backend port 80, and must not be used with the same backend address pool {LB}/backendAddressPools/POOL."
        )
    );
    // Another port, or another protocol: fine.
    let mut udp = rule("b", "fe2", "pool", 80, None);
    udp.backend = Some(("Udp".into(), 80));
    check_all(&rules(vec![
        (
            Collection::BalancingRules,
            rule("a", "fe", "pool", 80, None),
        ),
        (
            Collection::BalancingRules,
            rule("c", "fe", "pool", 443, None),
        ),
        (Collection::BalancingRules, udp),
    ]))
    .unwrap();
}

#[test]
fn with_floating_ip_two_rules_conflict_only_through_one_frontend() {
    let floating = |name: &str, fe: &str| {
        let mut r = rule(name, fe, "pool", 0, None);
        r.backend = Some(("All".into(), 0));
        r.floating_ip = true;
        r
    };
    check_all(&rules(vec![
        (Collection::BalancingRules, floating("a", "fe")),
        (Collection::BalancingRules, floating("b", "fe2")),
    ]))
    .unwrap();
    let e = check_all(&rules(vec![
        (Collection::BalancingRules, floating("a", "fe")),
        (Collection::BalancingRules, floating("b", "fe")),
    ]))
    .unwrap_err();
    assert_eq!(
        e.code(),
        "RulesUseSameBackendPortProtocolAndPoolAndFrontendIPWithFloatingIPEnabled"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancing rules {LB}/loadBalancingRules/a and {LB}/loadBalancingRules/b with floating IP enabled use the same protocol All and backend port 0 and frontend IP {LB}/frontendIPConfigurations/fe, and must not be used with the same backend address pool {LB}/backendAddressPools/pool."
        )
    );
}

#[test]
fn back_references_list_who_uses_each_child() {
    let mut nat = probe("ssh");
    nat.frontends = vec![child("frontendIPConfigurations", "FE")];
    let mut out = probe("out");
    out.frontends = vec![child("frontendIPConfigurations", "fe2")];
    out.pools = vec![child("backendAddressPools", "pool")];
    let r = rules(vec![
        (Collection::Probes, probe("http")),
        (
            Collection::BalancingRules,
            rule("web", "fe", "pool", 80, Some("http")),
        ),
        (Collection::NatRules, nat),
        (Collection::OutboundRules, out),
    ]);
    let b = back_refs(&lb_id(), &r);
    let web = child("loadBalancingRules", "web");
    assert_eq!(
        b.of("frontendIPConfigurations", "fe", Collection::BalancingRules),
        [web.as_str()]
    );
    assert_eq!(
        b.of("frontendIPConfigurations", "fe", Collection::NatRules),
        [child("inboundNatRules", "ssh").as_str()]
    );
    assert_eq!(
        b.of("frontendIPConfigurations", "fe2", Collection::OutboundRules),
        [child("outboundRules", "out").as_str()]
    );
    assert_eq!(
        b.of("backendAddressPools", "POOL", Collection::BalancingRules),
        [web.as_str()]
    );
    assert_eq!(
        b.of("backendAddressPools", "pool", Collection::OutboundRules),
        [child("outboundRules", "out").as_str()]
    );
    assert_eq!(
        b.of("probes", "http", Collection::BalancingRules),
        [web.as_str()]
    );
    assert!(b
        .of(
            "frontendIPConfigurations",
            "fe2",
            Collection::BalancingRules
        )
        .is_empty());
}

#[test]
fn the_rules_reaching_one_member_send_to_different_backend_ports() {
    const MEMBER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1/ipConfigurations/ipconfig1";
    let mut ctx = LbContext::default();
    ctx.pool_members.insert("pool".into(), vec![MEMBER.into()]);
    ctx.nat_rule_members
        .insert("ssh".into(), ("SSH".into(), MEMBER.into()));
    let mut nat = probe("SSH");
    nat.backend = Some(("Tcp".into(), 22));
    let balancing = rule("sshlb", "fe", "pool", 22, None);
    let e = check_members(
        &lb_id(),
        &rules(vec![
            (Collection::BalancingRules, balancing.clone()),
            (Collection::NatRules, nat.clone()),
        ]),
        &ctx,
        false,
    )
    .unwrap_err();
    assert_eq!(e.code(), "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancer rules {} and {} with floating IP disabled use the same backend port 22 and protocol Tcp, and must not be used with the same backend IP {MEMBER}.",
            child("loadBalancingRules", "sshlb"),
            child("inboundNatRules", "SSH")
        )
    );
    // With floating IP on either, or the NAT rule forwarding elsewhere, they may share it.
    let mut floating = balancing.clone();
    floating.floating_ip = true;
    check_members(
        &lb_id(),
        &rules(vec![
            (Collection::BalancingRules, floating),
            (Collection::NatRules, nat.clone()),
        ]),
        &ctx,
        false,
    )
    .unwrap();
    ctx.nat_rule_members.clear();
    check_members(
        &lb_id(),
        &rules(vec![
            (Collection::BalancingRules, balancing),
            (Collection::NatRules, nat),
        ]),
        &ctx,
        false,
    )
    .unwrap();
}

#[test]
fn a_rule_of_another_load_balancer_of_the_same_type_may_not_share_a_members_backend_port() {
    const MEMBER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1/ipConfigurations/ipconfig1";
    const OTHER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/other/loadBalancingRules/web";
    let mut ctx = LbContext::default();
    ctx.pool_members.insert("pool".into(), vec![MEMBER.into()]);
    ctx.foreign_rules.insert(
        MEMBER.to_lowercase(),
        vec![ForeignRule {
            id: OTHER.into(),
            protocol: "TCP".into(),
            port: 80,
            public: false,
        }],
    );
    let ours = rules(vec![(
        Collection::BalancingRules,
        rule("web", "fe", "pool", 80, None),
    )]);
    let e = check_members(&lb_id(), &ours, &ctx, false).unwrap_err();
    assert_eq!(
        e.code(),
        "RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancer rules {OTHER} and {} belong to load balancers of the same type and use the same backend port 80 and protocol TCP with floating IP disabled, and must not be used with the same backend IP {MEMBER}.",
            child("loadBalancingRules", "web")
        )
    );
    // A public load balancer and an internal one may share it; so may other ports.
    check_members(&lb_id(), &ours, &ctx, true).unwrap();
    let other_port = rules(vec![(
        Collection::BalancingRules,
        rule("web", "fe", "pool", 8080, None),
    )]);
    check_members(&lb_id(), &other_port, &ctx, false).unwrap();
}

#[test]
fn two_outbound_rules_may_not_use_one_frontend_with_overlapping_protocols() {
    let outbound = |name: &str, frontends: &[&str], protocol: &str| {
        (
            Collection::OutboundRules,
            RuleFacts {
                name: name.into(),
                frontends: frontends
                    .iter()
                    .map(|f| child("frontendIPConfigurations", f))
                    .collect(),
                pools: vec![child("backendAddressPools", "pool")],
                protocol: Some(protocol.into()),
                ..Default::default()
            },
        )
    };
    // One per protocol on a frontend, or the same protocol on two frontends: allowed.
    check_all(&rules(vec![
        outbound("tcp", &["fe", "FE"], "Tcp"),
        outbound("udp", &["fe"], "Udp"),
        outbound("other", &["fe2"], "Tcp"),
    ]))
    .unwrap();
    for (a, b) in [("Tcp", "tcp"), ("All", "Udp"), ("Udp", "All")] {
        let e = check_all(&rules(vec![
            outbound("first", &["fe", "fe2"], a),
            outbound("second", &["fe2"], b),
        ]))
        .unwrap_err();
        assert_eq!(
            e.code(),
            "MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "Is is not supported to have more than a single outbound rule using frontendIPConfiguration {} with same or overlapping protocol. This frontendIPConfiguration is used by the following outbound rules: {},{}",
                child("frontendIPConfigurations", "fe2"),
                child("outboundRules", "first"),
                child("outboundRules", "second")
            )
        );
    }
}
