//! A NIC's links to other resources: public IP addresses, load balancer backend pools and
//! inbound NAT rules.

use super::*;

// ---- public IP addresses ----

#[test]
fn a_public_ip_used_by_another_configuration_is_refused() {
    let e = plan(vec![with_pip(cfg("ip1", &subnet("v1", "a")), &pip("busy"))]).unwrap_err();
    assert_eq!(e.code(), "PublicIPAddressInUse");
    assert_eq!(
        e.to_string(),
        format!(
            "Resource {} is referencing public IP address {} that is already allocated to resource {OTHER}.",
            cfg_id("ip1"),
            pip("busy")
        )
    );
}

#[test]
fn a_public_ip_cannot_serve_two_configurations_of_one_nic() {
    let e = plan(vec![
        primary(with_pip(cfg("ip1", &subnet("v1", "a")), &pip("pip4"))),
        with_pip(cfg("ip2", &subnet("v1", "a")), &pip("pip4")),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "PublicIPAddressInUse");
    assert_eq!(
        e.to_string(),
        format!(
            "Resource {} is referencing public IP address {} that is already allocated to resource {}.",
            cfg_id("ip2"),
            pip("pip4"),
            cfg_id("ip1")
        )
    );
}

#[test]
fn a_public_ip_moves_between_configurations_of_one_nic_in_one_put() {
    let mut c = ctx();
    c.public_ips.get_mut(&key(&pip("pip4"))).unwrap().used_by = Some(cfg_id("ip1"));
    let p = plan_put(
        &nic_id(),
        None,
        spec(vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            with_pip(cfg("ip2", &subnet("v1", "a")), &pip("pip4")),
        ]),
        &c,
        "g",
        "e",
    )
    .unwrap();
    let holder: Vec<_> = p
        .nic
        .ip_configurations
        .iter()
        .filter(|c| c.public_ip.is_some())
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(holder, ["ip2"]);
    // Both keeping it is still refused, naming the one that claimed it first.
    let e = plan_put(
        &nic_id(),
        None,
        spec(vec![
            primary(with_pip(cfg("ip2", &subnet("v1", "a")), &pip("pip4"))),
            with_pip(cfg("ip1", &subnet("v1", "a")), &pip("pip4")),
        ]),
        &c,
        "g",
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "PublicIPAddressInUse");
    assert!(e
        .to_string()
        .ends_with(&format!("allocated to resource {}.", cfg_id("ip2"))));
}

#[test]
fn a_configuration_keeps_the_public_ip_it_already_uses() {
    let mut c = ctx();
    c.public_ips.get_mut(&key(&pip("pip4"))).unwrap().used_by = Some(cfg_id("IPCONFIG1"));
    let p = plan_with(
        &c,
        None,
        vec![with_pip(cfg("ipconfig1", &subnet("v1", "a")), &pip("pip4"))],
    )
    .unwrap();
    assert_eq!(p.nic.ip_configurations[0].public_ip, Some(pip("pip4")));
}

#[test]
fn a_public_ip_of_the_other_version_is_refused() {
    let e = plan(vec![with_pip(cfg("ip1", &subnet("v1", "a")), &pip("pip6"))]).unwrap_err();
    assert_eq!(e.code(), "IpVersionMismatch");
    assert_eq!(
        e.to_string(),
        format!(
            "IP configuration {} and public IP address {} must have the same IP version.",
            cfg_id("ip1"),
            pip("pip6")
        )
    );
    // An IPv6 configuration may have the IPv6 one.
    let p = plan(vec![
        primary(cfg("ip1", &subnet("v1", "a"))),
        with_pip(v6(cfg("ip2", &subnet("v1", "a"))), &pip("pip6")),
    ])
    .unwrap();
    assert_eq!(p.nic.ip_configurations[1].public_ip, Some(pip("pip6")));
}

#[test]
fn a_public_ip_that_does_not_exist_or_is_elsewhere_is_an_invalid_reference() {
    for name in ["nosuch", "west"] {
        let e = plan(vec![with_pip(cfg("ip1", &subnet("v1", "a")), &pip(name))]).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference", "{name}");
        assert_eq!(e.details()[0].code, "NotFound");
    }
}

// ---- backend pools ----

#[test]
fn any_configuration_primary_or_secondary_may_join_a_backend_pool() {
    // Seed: "You can add any IP address for any IP configuration of any primary or
    // secondary network interface to an Azure Load Balancer back-end pool."
    let mut first = primary(cfg("ip1", &subnet("v1", "a")));
    first.pools = vec![
        ResourceId::parse(&pool("lbfree", "pool")).unwrap(),
        ResourceId::parse(&pool("lbv1", "pool")).unwrap(),
    ];
    let mut second = cfg("ip2", &subnet("v1", "b"));
    second.pools = vec![
        ResourceId::parse(&pool("lbv1", "pool")).unwrap(),
        ResourceId::parse(&pool("LBV1", "POOL")).unwrap(),
    ];
    let p = plan(vec![first, second]).unwrap();
    assert_eq!(
        p.nic.ip_configurations[0].pools,
        vec![pool("lbfree", "pool"), pool("lbv1", "pool")]
    );
    // A pool named twice is joined once.
    assert_eq!(p.nic.ip_configurations[1].pools, vec![pool("lbv1", "pool")]);
}

#[test]
fn a_pool_whose_load_balancer_is_tied_to_another_network_is_refused() {
    let mut c = cfg("ip1", &subnet("v1", "a"));
    c.pools = vec![ResourceId::parse(&pool("lbv2", "pool")).unwrap()];
    let e = plan(vec![c]).unwrap_err();
    assert_eq!(e.code(), "BackendAddressPoolInDifferentVnet");
    assert_eq!(
        e.to_string(),
        format!(
            "IP configuration {} cannot join backend address pool {}: its load balancer is tied to another virtual network.",
            cfg_id("ip1"),
            pool("lbv2", "pool")
        )
    );
}

#[test]
fn a_pool_that_does_not_exist_is_an_invalid_reference() {
    let mut c = cfg("ip1", &subnet("v1", "a"));
    c.pools = vec![ResourceId::parse(&pool("lbv1", "nosuch")).unwrap()];
    let e = plan(vec![c]).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
    assert!(
        e.to_string().starts_with(&format!(
            "Resource {} referenced by resource {}",
            pool("lbv1", "nosuch"),
            cfg_id("ip1")
        )),
        "{e}"
    );
}

// ---- inbound NAT rules ----

fn with_nat(mut c: IpConfigSpec, rules: &[String]) -> IpConfigSpec {
    c.nat_rules = rules
        .iter()
        .map(|r| ResourceId::parse(r).unwrap())
        .collect();
    c
}

#[test]
fn any_configuration_may_take_an_inbound_nat_rule() {
    let first = with_nat(
        primary(cfg("ip1", &subnet("v1", "a"))),
        &[nat_rule("lbv1", "ssh"), nat_rule("LBV1", "SSH")],
    );
    let second = with_nat(cfg("ip2", &subnet("v1", "b")), &[nat_rule("lbfree", "ssh")]);
    let p = plan(vec![first, second]).unwrap();
    // A rule named twice is kept once.
    assert_eq!(
        p.nic.ip_configurations[0].nat_rules,
        vec![nat_rule("lbv1", "ssh")]
    );
    assert_eq!(
        p.nic.ip_configurations[1].nat_rules,
        vec![nat_rule("lbfree", "ssh")]
    );
}

#[test]
fn an_inbound_nat_rule_forwards_to_one_ip_configuration() {
    let e = plan(vec![with_nat(
        cfg("ip1", &subnet("v1", "a")),
        &[nat_rule("lbv1", "busy")],
    )])
    .unwrap_err();
    assert_eq!(e.code(), "InboundNatRuleInUse");
    assert_eq!(
        e.to_string(),
        format!(
            "Resource {} is referencing inbound NAT rule {} that is already used by resource {OTHER}. An inbound NAT rule forwards to one IP configuration.",
            cfg_id("ip1"),
            nat_rule("lbv1", "busy")
        )
    );
    // Two configurations of one request cannot share one either.
    let e = plan(vec![
        with_nat(
            primary(cfg("ip1", &subnet("v1", "a"))),
            &[nat_rule("lbv1", "ssh")],
        ),
        with_nat(cfg("ip2", &subnet("v1", "a")), &[nat_rule("lbv1", "ssh")]),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "InboundNatRuleInUse");
    assert!(
        e.to_string()
            .contains(&format!("already used by resource {}", cfg_id("ip1"))),
        "{e}"
    );
}

#[test]
fn two_nat_rules_of_one_configuration_forward_to_different_ports() {
    let rules =
        |names: &[&str]| -> Vec<String> { names.iter().map(|n| nat_rule("lbv1", n)).collect() };
    let e = plan(vec![with_nat(
        cfg("ip1", &subnet("v1", "a")),
        &rules(&["ssh", "ssh2"]),
    )])
    .unwrap_err();
    assert_eq!(e.code(), "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancer rules {} and {} with floating IP disabled use the same backend port 22 and protocol tcp, and must not be used with the same backend IP {}.",
            nat_rule("lbv1", "ssh"),
            nat_rule("lbv1", "ssh2"),
            cfg_id("ip1")
        )
    );
    // Another protocol, floating IP, or another configuration: allowed.
    plan(vec![with_nat(
        cfg("ip1", &subnet("v1", "a")),
        &rules(&["ssh", "dns", "floating"]),
    )])
    .unwrap();
    plan(vec![
        with_nat(primary(cfg("ip1", &subnet("v1", "a"))), &rules(&["ssh"])),
        with_nat(cfg("ip2", &subnet("v1", "a")), &rules(&["ssh2"])),
    ])
    .unwrap();
}

#[test]
fn a_pools_balancing_rule_and_a_nat_rule_may_not_share_a_backend_port() {
    let mut c = ctx();
    let lb_rule = format!("{NET}/loadBalancers/lbv1/loadBalancingRules/ssh-lb");
    c.pools.get_mut(&key(&pool("lbv1", "pool"))).unwrap().rules =
        vec![(lb_rule.clone(), ("Tcp".to_string(), 22))];
    let mut config = with_nat(cfg("ip1", &subnet("v1", "a")), &[nat_rule("lbv1", "ssh")]);
    config.pools = vec![ResourceId::parse(&pool("lbv1", "pool")).unwrap()];
    let e = plan_with(&c, None, vec![config.clone()]).unwrap_err();
    assert_eq!(e.code(), "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancer rules {lb_rule} and {} with floating IP disabled use the same backend port 22 and protocol Tcp, and must not be used with the same backend IP {}.",
            nat_rule("lbv1", "ssh"),
            cfg_id("ip1")
        )
    );
    // A NAT rule on another protocol is fine.
    config.nat_rules = vec![ResourceId::parse(&nat_rule("lbv1", "dns")).unwrap()];
    plan_with(&c, None, vec![config]).unwrap();
}

#[test]
fn rules_of_two_load_balancers_of_one_type_may_not_share_a_backend_port() {
    let mut c = ctx();
    let (free_rule, v1_rule) = (
        format!("{NET}/loadBalancers/lbfree/loadBalancingRules/web"),
        format!("{NET}/loadBalancers/lbv1/loadBalancingRules/web"),
    );
    c.pools
        .get_mut(&key(&pool("lbfree", "pool")))
        .unwrap()
        .rules = vec![(free_rule.clone(), ("Tcp".to_string(), 80))];
    c.pools.get_mut(&key(&pool("lbv1", "pool"))).unwrap().rules =
        vec![(v1_rule.clone(), ("Tcp".to_string(), 80))];
    let mut config = cfg("ip1", &subnet("v1", "a"));
    config.pools = [pool("lbfree", "pool"), pool("lbv1", "pool")]
        .iter()
        .map(|p| ResourceId::parse(p).unwrap())
        .collect();
    // Both internal: refused.
    let e = plan_with(&c, None, vec![config.clone()]).unwrap_err();
    assert_eq!(
        e.code(),
        "RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig"
    );
    assert!(
        e.to_string().starts_with(&format!(
            "Load balancer rules {free_rule} and {v1_rule} belong to load balancers of the same type"
        )),
        "{e}"
    );
    // One public, one internal: allowed.
    c.pools
        .get_mut(&key(&pool("lbfree", "pool")))
        .unwrap()
        .public = true;
    plan_with(&c, None, vec![config]).unwrap();
}

#[test]
fn a_nat_rule_may_move_between_configurations_of_one_nic() {
    let mut c = ctx();
    let id = nat_rule("lbv1", "ssh");
    c.nat_rules.get_mut(&key(&id)).unwrap().used_by = Some(cfg_id("ip1"));
    let p = plan_with(
        &c,
        None,
        vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            with_nat(cfg("ip2", &subnet("v1", "a")), std::slice::from_ref(&id)),
        ],
    )
    .unwrap();
    assert!(p.nic.ip_configurations[0].nat_rules.is_empty());
    assert_eq!(p.nic.ip_configurations[1].nat_rules, vec![id]);
}

#[test]
fn a_nat_rule_whose_load_balancer_is_tied_to_another_network_is_refused() {
    let e = plan(vec![with_nat(
        cfg("ip1", &subnet("v1", "a")),
        &[nat_rule("lbv2", "ssh")],
    )])
    .unwrap_err();
    assert_eq!(e.code(), "InboundNatRuleInDifferentVnet");
    assert_eq!(
        e.to_string(),
        format!(
            "IP configuration {} cannot use inbound NAT rule {}: its load balancer is tied to another virtual network.",
            cfg_id("ip1"),
            nat_rule("lbv2", "ssh")
        )
    );
}

#[test]
fn a_nat_rule_that_does_not_exist_is_an_invalid_reference() {
    let e = plan(vec![with_nat(
        cfg("ip1", &subnet("v1", "a")),
        &[nat_rule("lbv1", "nosuch")],
    )])
    .unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
    assert_eq!(e.details()[0].code, "NotFound");
    assert!(
        e.to_string().starts_with(&format!(
            "Resource {} referenced by resource {}",
            nat_rule("lbv1", "nosuch"),
            cfg_id("ip1")
        )),
        "{e}"
    );
}

// ---- application security groups ----

fn asg(name: &str) -> ResourceId {
    ResourceId::resource(
        "s",
        "rg",
        "Microsoft.Network",
        "applicationSecurityGroups",
        name,
    )
}

#[test]
fn every_ipv4_configuration_is_in_the_same_application_security_groups() {
    let mut c = ctx();
    for name in ["web", "app"] {
        c.linked.insert(asg(name).key().into(), "eastus".into());
    }
    let with_asgs = |mut s: IpConfigSpec, names: &[&str]| {
        s.asgs = names.iter().map(|n| asg(n)).collect();
        s
    };
    let a = subnet("v1", "a");
    let e = plan_with(
        &c,
        None,
        vec![
            with_asgs(primary(cfg("ip1", &a)), &["web"]),
            with_asgs(cfg("ip2", &a), &[]),
        ],
    )
    .unwrap_err();
    assert_eq!(
        e.code(),
        "AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups"
    );
    assert_eq!(
        e.to_string(),
        format!(
            "All IPConfigurations on a Network Interface should reference the same set of Application Security Groups. IPConfiguration {} references ASG(s) {}, wheras IPConfiguration {} references ASG(s) .",
            cfg_id("ip1"),
            asg("web"),
            cfg_id("ip2")
        )
    );
    // The same groups in another order or case; an IPv6 configuration is not compared.
    let upper = ResourceId::parse(&asg("WEB").to_string().to_uppercase()).unwrap();
    let mut second = cfg("ip2", &a);
    second.asgs = vec![asg("app"), upper];
    let p = plan_with(
        &c,
        None,
        vec![
            with_asgs(primary(cfg("ip1", &a)), &["web", "app"]),
            second,
            v6(cfg("ip6", &a)),
        ],
    )
    .unwrap();
    assert_eq!(p.nic.ip_configurations.len(), 3);
}

#[test]
fn application_security_groups_exist_in_the_nics_region() {
    let mut c = ctx();
    c.linked.insert(asg("web").key().into(), "eastus".into());
    c.linked.insert(asg("far").key().into(), "westus".into());
    let with_asgs = |names: &[&str]| {
        let mut s = cfg("ip1", &subnet("v1", "a"));
        s.asgs = names.iter().map(|n| asg(n)).collect();
        s
    };
    let p = plan_with(&c, None, vec![with_asgs(&["web", "WEB"])]).unwrap();
    // Named twice, kept once.
    assert_eq!(
        p.nic.ip_configurations[0].asgs,
        vec![asg("web").to_string()]
    );
    for name in ["far", "nosuch"] {
        let e = plan_with(&c, None, vec![with_asgs(&[name])]).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference", "{name}");
        assert!(
            e.to_string().starts_with(&format!(
                "Resource {} referenced by resource {} was not found.",
                asg(name),
                cfg_id("ip1")
            )),
            "{e}"
        );
    }
}
