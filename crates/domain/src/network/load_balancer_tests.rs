use super::*;

const NET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
const LB: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb1";
/// A frontend of another load balancer.
const OTHER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb2/frontendIPConfigurations/fe";
const MEMBER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1/ipConfigurations/ipconfig1";

fn lb_id() -> ResourceId {
    ResourceId::resource("s", "rg", "Microsoft.Network", "loadBalancers", "lb1")
}
fn fe_id(name: &str) -> String {
    format!("{LB}/frontendIPConfigurations/{name}")
}
fn vnet(name: &str) -> String {
    format!("{NET}/virtualNetworks/{name}")
}
fn subnet(vnet_name: &str, name: &str) -> String {
    format!("{}/subnets/{name}", vnet(vnet_name))
}
fn pip(name: &str) -> String {
    format!("{NET}/publicIPAddresses/{name}")
}
fn key(id: &str) -> String {
    ResourceId::parse(id).unwrap().key().to_string()
}
fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

/// Subnets v1/a (dual stack) and v2/c; public IPs `basic`, `standard`, `basic6` (all
/// free) and `busy` (used by another load balancer).
fn ctx() -> LbContext {
    let mut c = LbContext::default();
    for (v, s, prefixes) in [
        ("v1", "a", &["10.0.1.0/24", "fd00:db8:0:1::/64"][..]),
        ("v2", "c", &["10.1.0.0/24"][..]),
    ] {
        let id = subnet(v, s);
        c.subnets.insert(
            key(&id),
            SubnetInfo {
                id: id.clone(),
                name: s.into(),
                vnet_key: key(&vnet(v)),
                location: "eastus".into(),
                prefixes: prefixes.iter().map(|p| net(p)).collect(),
            },
        );
    }
    for (name, sku, version, used_by) in [
        ("basic", Sku::Basic, IpVersion::IPv4, None),
        ("standard", Sku::Standard, IpVersion::IPv4, None),
        ("basic6", Sku::Basic, IpVersion::IPv6, None),
        ("busy", Sku::Basic, IpVersion::IPv4, Some(OTHER.to_string())),
    ] {
        c.public_ips.insert(
            key(&pip(name)),
            PublicIpInfo {
                id: pip(name),
                location: "eastus".into(),
                version,
                sku,
                used_by,
            },
        );
    }
    c
}

fn public(name: &str, public_ip: &str) -> FrontendSpec {
    FrontendSpec {
        name: name.into(),
        public_ip: Some(ResourceId::parse(public_ip).unwrap()),
        ..Default::default()
    }
}
fn internal(name: &str, subnet_id: &str) -> FrontendSpec {
    FrontendSpec {
        name: name.into(),
        subnet: Some(ResourceId::parse(subnet_id).unwrap()),
        ..Default::default()
    }
}
fn spec(sku: Option<Sku>, frontends: Vec<FrontendSpec>, pools: &[&str]) -> LbSpec {
    LbSpec {
        common: CommonSpec {
            location: Some("eastus".into()),
            tags: None,
            extra: Vec::new(),
        },
        sku,
        frontends,
        pools: pools.iter().map(|p| p.to_string()).collect(),
        pool_properties: Vec::new(),
        nat_rules: Vec::new(),
        rules: Default::default(),
        extras: Vec::new(),
    }
}
fn plan_with(
    ctx: &LbContext,
    existing: Option<&LoadBalancer>,
    spec: LbSpec,
) -> Result<(LoadBalancer, Vec<AddressMove>), DomainError> {
    plan_put(&lb_id(), existing, spec, ctx, "guid", "etag2")
}
fn plan(spec: LbSpec) -> Result<(LoadBalancer, Vec<AddressMove>), DomainError> {
    plan_with(&ctx(), None, spec)
}

/// An internal load balancer as stored: frontend `fe` in v1/a holding 10.0.1.4, pools
/// `web` and `db`, everything with etag `etag1`.
fn stored_internal() -> LoadBalancer {
    let (mut lb, _) = plan_put(
        &lb_id(),
        None,
        spec(
            None,
            vec![internal("fe", &subnet("v1", "a"))],
            &["web", "db"],
        ),
        &ctx(),
        "guid",
        "etag1",
    )
    .unwrap();
    lb.frontends[0].private_ip = Some("10.0.1.4".into());
    lb
}

fn release_a(address: &str) -> AddressMove {
    AddressMove::Release {
        subnet_key: key(&subnet("v1", "a")),
        prefix: net("10.0.1.0/24"),
        address: address.parse().unwrap(),
    }
}

// ---- frontends ----

#[test]
fn a_frontend_needs_exactly_one_of_subnet_and_public_ip() {
    let mut both = internal("fe", &subnet("v1", "a"));
    both.public_ip = Some(ResourceId::parse(&pip("basic")).unwrap());
    let neither = FrontendSpec {
        name: "fe".into(),
        ..Default::default()
    };
    for f in [both, neither] {
        let e = plan(spec(None, vec![f], &[])).unwrap_err();
        assert_eq!(e.code(), "InvalidParameter");
        assert_eq!(
            e.to_string(),
            format!("Frontend IP configuration {} must reference either a subnet (internal) or a public IP address, not both or neither.", fe_id("fe"))
        );
        assert_eq!(e.target().as_deref(), Some("frontendIPConfigurations"));
    }
}

#[test]
fn a_public_ip_used_by_another_resource_is_refused() {
    let e = plan(spec(None, vec![public("fe", &pip("busy"))], &[])).unwrap_err();
    assert_eq!(e.code(), "PublicIPAddressInUse");
    assert_eq!(
        e.to_string(),
        format!(
            "Resource {} is referencing public IP address {} that is already allocated to resource {OTHER}.",
            fe_id("fe"),
            pip("busy")
        )
    );
}

#[test]
fn a_frontend_keeps_the_public_ip_it_already_uses() {
    let mut c = ctx();
    c.public_ips.get_mut(&key(&pip("basic"))).unwrap().used_by = Some(fe_id("FE"));
    let (lb, moves) =
        plan_with(&c, None, spec(None, vec![public("fe", &pip("basic"))], &[])).unwrap();
    assert_eq!(lb.frontends[0].public_ip, Some(pip("basic")));
    assert!(moves.is_empty());
}

#[test]
fn public_ip_and_load_balancer_skus_must_match() {
    let e = plan(spec(None, vec![public("fe", &pip("standard"))], &[])).unwrap_err();
    assert_eq!(e.code(), "PublicIPAndLBSkuDoNotMatch");
    assert_eq!(
        e.to_string(),
        format!(
            "Load balancer {LB} and public IP address {} must have the same SKU.",
            pip("standard")
        )
    );
    let e = plan(spec(
        Some(Sku::Standard),
        vec![public("fe", &pip("basic"))],
        &[],
    ))
    .unwrap_err();
    assert_eq!(e.code(), "PublicIPAndLBSkuDoNotMatch");
    let (lb, _) = plan(spec(
        Some(Sku::Standard),
        vec![public("fe", &pip("standard"))],
        &[],
    ))
    .unwrap();
    assert_eq!(lb.sku, Sku::Standard);
}

#[test]
fn a_public_frontend_takes_the_version_of_its_public_ip_and_no_private_address() {
    let (lb, moves) = plan(spec(None, vec![public("fe", &pip("basic6"))], &[])).unwrap();
    let fe = &lb.frontends[0];
    assert_eq!(fe.version, IpVersion::IPv6);
    assert_eq!(fe.private_ip, None);
    assert_eq!(fe.subnet, None);
    assert!(moves.is_empty());
    assert_eq!(lb.vnet_key(), None);
}

#[test]
fn a_missing_public_ip_or_subnet_is_an_invalid_reference() {
    for f in [
        public("fe", &pip("nosuch")),
        internal("fe", &subnet("v1", "nosuch")),
    ] {
        let e = plan(spec(None, vec![f], &[])).unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference");
        assert!(
            e.to_string().contains(&format!(
                "referenced by resource {} was not found.",
                fe_id("fe")
            )),
            "{e}"
        );
        assert_eq!(e.details()[0].code, "NotFound");
    }
}

#[test]
fn an_internal_frontend_allocates_from_its_subnet() {
    let (lb, moves) = plan(spec(None, vec![internal("fe", &subnet("v1", "a"))], &[])).unwrap();
    assert_eq!(
        moves,
        vec![AddressMove::Allocate {
            config: 0,
            subnet_key: key(&subnet("v1", "a")),
            subnet_name: subnet("v1", "a"),
            prefix: net("10.0.1.0/24"),
            owner: fe_id("fe"),
        }]
    );
    let fe = &lb.frontends[0];
    assert_eq!(fe.allocation, Allocation::Dynamic);
    assert_eq!(fe.private_ip, None);
    assert_eq!(fe.subnet, Some(subnet("v1", "a")));
    assert_eq!(fe.etag, "etag2");
}

#[test]
fn a_static_internal_frontend_claims_its_address() {
    let mut f = internal("fe", &subnet("v1", "a"));
    f.private_ip = Some("10.0.1.10".into());
    let (lb, moves) = plan(spec(None, vec![f], &[])).unwrap();
    assert_eq!(
        moves,
        vec![AddressMove::Claim {
            config: 0,
            subnet_key: key(&subnet("v1", "a")),
            subnet_name: subnet("v1", "a"),
            prefix: net("10.0.1.0/24"),
            address: "10.0.1.10".parse().unwrap(),
            owner: fe_id("fe"),
        }]
    );
    assert_eq!(lb.frontends[0].allocation, Allocation::Static);
}

#[test]
fn an_unparsable_frontend_address_is_refused() {
    let mut f = internal("fe", &subnet("v1", "a"));
    f.private_ip = Some("ten.zero".into());
    let e = plan(spec(None, vec![f], &[])).unwrap_err();
    assert_eq!(e.code(), "InvalidPrivateIPAddress");
    assert!(
        e.to_string()
            .starts_with("Private IP address 'ten.zero' of IP configuration"),
        "{e}"
    );
}

#[test]
fn internal_frontends_must_share_one_virtual_network() {
    let e = plan(spec(
        None,
        vec![
            internal("fe1", &subnet("v1", "a")),
            internal("fe2", &subnet("v2", "c")),
        ],
        &[],
    ))
    .unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(
        e.to_string(),
        format!("All internal frontend IP configurations of load balancer {LB} must be in one virtual network.")
    );
}

#[test]
fn an_ipv6_internal_frontend_needs_an_ipv6_prefix() {
    let mut f = internal("fe", &subnet("v2", "c"));
    f.version = Some(IpVersion::IPv6);
    let e = plan(spec(None, vec![f], &[])).unwrap_err();
    assert_eq!(e.code(), "SubnetHasNoAddressPrefixForIpVersion");
    assert!(
        e.to_string().starts_with(&format!(
            "Subnet {} has no IPv6 address prefix",
            subnet("v2", "c")
        )),
        "{e}"
    );
}

#[test]
fn duplicate_frontend_names_are_refused() {
    let e = plan(spec(
        None,
        vec![
            public("fe", &pip("basic")),
            internal("FE", &subnet("v1", "a")),
        ],
        &[],
    ))
    .unwrap_err();
    assert_eq!(e.code(), "DuplicateResourceName");
    assert_eq!(
        e.to_string(),
        format!("Resource {LB} has two child resources with the same name (FE).")
    );
}

#[test]
fn an_unchanged_internal_frontend_keeps_its_address_and_etag() {
    let old = stored_internal();
    let (lb, moves) = plan_with(
        &ctx(),
        Some(&old),
        spec(
            None,
            vec![internal("fe", &subnet("v1", "a"))],
            &["web", "db"],
        ),
    )
    .unwrap();
    assert!(moves.is_empty());
    assert_eq!(lb.frontends[0].private_ip.as_deref(), Some("10.0.1.4"));
    assert_eq!(lb.frontends[0].etag, "etag1");
    assert_eq!(lb.common.resource_guid, "guid");
}

#[test]
fn turning_an_internal_frontend_public_releases_its_address() {
    let old = stored_internal();
    let (lb, moves) = plan_with(
        &ctx(),
        Some(&old),
        spec(None, vec![public("fe", &pip("basic"))], &["web", "db"]),
    )
    .unwrap();
    assert_eq!(moves, vec![release_a("10.0.1.4")]);
    assert_eq!(lb.frontends[0].private_ip, None);
    assert_eq!(lb.frontends[0].etag, "etag2");
}

#[test]
fn removing_an_internal_frontend_releases_its_address() {
    let old = stored_internal();
    let (lb, moves) = plan_with(&ctx(), Some(&old), spec(None, vec![], &[])).unwrap();
    assert!(lb.frontends.is_empty());
    assert_eq!(moves, vec![release_a("10.0.1.4")]);
}

#[test]
fn a_load_balancer_without_frontends_has_no_pools_or_rules() {
    let old = stored_internal();
    for body in [
        spec(None, vec![], &["web", "db"]),
        with_nat_rules(spec(None, vec![], &[]), &["ssh"]),
    ] {
        let e = plan_with(&ctx(), Some(&old), body).unwrap_err();
        assert_eq!(
            e.code(),
            "LoadBalancerWithoutFrontendIPCantHaveChildResources"
        );
        assert_eq!(
            e.to_string(),
            format!(
                "Load Balancer {} does not have Frontend IP Configuration, but it has other child resources. This setup is not supported.",
                lb_id()
            )
        );
    }
    // Without children it may have none.
    plan(spec(None, vec![], &[])).unwrap();
}

// ---- backend pools ----

#[test]
fn pools_are_created_and_kept_with_their_etags() {
    let old = stored_internal();
    let (lb, _) = plan_with(
        &ctx(),
        Some(&old),
        spec(
            None,
            vec![internal("fe", &subnet("v1", "a"))],
            &["WEB", "db", "api"],
        ),
    )
    .unwrap();
    let pools: Vec<(&str, &str)> = lb
        .pools
        .iter()
        .map(|p| (p.name.as_str(), p.etag.as_str()))
        .collect();
    assert_eq!(pools, [("web", "etag1"), ("db", "etag1"), ("api", "etag2")]);
}

#[test]
fn duplicate_pool_names_are_refused() {
    let e = plan(spec(None, vec![], &["web", "Web"])).unwrap_err();
    assert_eq!(e.code(), "DuplicateResourceName");
    assert_eq!(
        e.to_string(),
        format!("Resource {LB} has two child resources with the same name (Web).")
    );
}

#[test]
fn a_pool_with_members_cannot_be_removed() {
    let old = stored_internal();
    let mut c = ctx();
    c.pool_members.insert("web".into(), vec![MEMBER.into()]);
    let e = plan_with(
        &c,
        Some(&old),
        spec(None, vec![internal("fe", &subnet("v1", "a"))], &["db"]),
    )
    .unwrap_err();
    assert_eq!(e.code(), "LoadBalancerBackendAddressPoolInUse");
    assert_eq!(
        e.to_string(),
        format!("Backend address pool {LB}/backendAddressPools/web is in use by {MEMBER} and cannot be deleted.")
    );
    // The empty one may go.
    let (lb, _) = plan_with(
        &c,
        Some(&old),
        spec(None, vec![internal("fe", &subnet("v1", "a"))], &["web"]),
    )
    .unwrap();
    assert_eq!(lb.pools.len(), 1);
}

#[test]
fn a_load_balancer_with_pool_members_cannot_be_deleted() {
    let lb = stored_internal();
    let mut c = ctx();
    check_delete(&lb_id(), &lb, &c).unwrap();
    c.pool_members.insert("db".into(), vec![MEMBER.into()]);
    let e = check_delete(&lb_id(), &lb, &c).unwrap_err();
    assert_eq!(e.code(), "LoadBalancerBackendAddressPoolInUse");
    assert!(
        e.to_string().contains(&format!(
            "{LB}/backendAddressPools/db is in use by {MEMBER}"
        )),
        "{e}"
    );
}

// ---- inbound NAT rules ----

fn with_nat_rules(mut s: LbSpec, rules: &[&str]) -> LbSpec {
    s.nat_rules = rules.iter().map(|r| r.to_string()).collect();
    s.rules.items = rules
        .iter()
        .map(|r| {
            let facts = crate::network::lb_rules::RuleFacts {
                name: r.to_string(),
                ..Default::default()
            };
            (crate::network::lb_rules::Collection::NatRules, facts)
        })
        .collect();
    s
}

#[test]
fn a_nat_rule_forwarding_to_a_configuration_cannot_be_removed() {
    let old = stored_internal();
    let mut c = ctx();
    c.nat_rule_members
        .insert("ssh".into(), ("SSH".into(), MEMBER.into()));
    let fe = || vec![internal("fe", &subnet("v1", "a"))];
    let e = plan_with(
        &c,
        Some(&old),
        with_nat_rules(spec(None, fe(), &[]), &["rdp"]),
    )
    .unwrap_err();
    assert_eq!(e.code(), "InboundNatRuleInUse");
    assert_eq!(
        e.to_string(),
        format!("Inbound NAT rule {LB}/inboundNatRules/SSH is in use by {MEMBER} and cannot be deleted.")
    );
    // Kept (in any case), it may change; an unused one may go.
    let (lb, _) = plan_with(
        &c,
        Some(&old),
        with_nat_rules(spec(None, fe(), &[]), &["Ssh"]),
    )
    .unwrap();
    assert!(lb.frontends.len() == 1);
    // The whole load balancer is refused too.
    let e = check_delete(&lb_id(), &old, &c).unwrap_err();
    assert_eq!(e.code(), "InboundNatRuleInUse");
}

#[test]
fn duplicate_nat_rule_names_are_refused() {
    let fe = vec![internal("fe", &subnet("v1", "a"))];
    let e = plan(with_nat_rules(spec(None, fe, &[]), &["ssh", "SSH"])).unwrap_err();
    assert_eq!(e.code(), "DuplicateResourceName");
}

// ---- the load balancer as a whole ----

#[test]
fn an_internal_load_balancer_is_tied_to_its_subnets_network() {
    let (lb, _) = plan(spec(
        None,
        vec![
            public("pub", &pip("basic")),
            internal("fe", &subnet("V1", "a")),
        ],
        &[],
    ))
    .unwrap();
    assert_eq!(lb.vnet_key(), Some(key(&vnet("v1"))));
}

#[test]
fn sku_defaults_to_basic_and_is_kept_on_update() {
    let (created, _) = plan(spec(None, vec![], &[])).unwrap();
    assert_eq!(created.sku, Sku::Basic);
    let (standard, _) = plan(spec(Some(Sku::Standard), vec![], &[])).unwrap();
    let (updated, _) = plan_with(&ctx(), Some(&standard), spec(None, vec![], &[])).unwrap();
    assert_eq!(updated.sku, Sku::Standard);
}

#[test]
fn deleting_releases_internal_frontend_addresses() {
    let lb = stored_internal();
    assert_eq!(releases_on_delete(&lb, &ctx()), vec![release_a("10.0.1.4")]);
}

#[test]
fn two_frontends_cannot_share_one_public_ip() {
    let e = plan(spec(
        None,
        vec![public("f1", &pip("basic")), public("f2", &pip("basic"))],
        &[],
    ))
    .unwrap_err();
    assert_eq!(e.code(), "PublicIPAddressInUse");
    assert!(e.to_string().contains(&fe_id("f1")), "{e}");
}

#[test]
fn an_ipv6_frontend_address_implies_the_ipv6_prefix() {
    let mut f = internal("fe6", &subnet("v1", "a"));
    f.private_ip = Some("fd00:db8:0:1::10".into());
    let (lb, moves) = plan(spec(None, vec![f], &[])).unwrap();
    assert_eq!(lb.frontends[0].version, IpVersion::IPv6);
    assert!(
        matches!(&moves[0], AddressMove::Claim { prefix, .. } if prefix.to_string() == "fd00:db8:0:1::/64")
    );
    let mut mismatch = internal("fe", &subnet("v1", "a"));
    mismatch.private_ip = Some("10.0.1.9".into());
    mismatch.version = Some(IpVersion::IPv6);
    let e = plan(spec(None, vec![mismatch], &[])).unwrap_err();
    assert_eq!(e.code(), "InvalidPrivateIPAddress");
}

#[test]
fn a_pool_keeps_its_own_properties_as_sent() {
    let fe = || vec![internal("fe", &subnet("v1", "a"))];
    let mut first = spec(Some(Sku::Standard), fe(), &["ip-pool"]);
    first.pool_properties = vec![(
        "ip-pool".into(),
        r#"{"loadBalancerBackendAddresses":[]}"#.into(),
    )];
    let (lb, _) = plan(first.clone()).unwrap();
    assert_eq!(
        lb.pools[0].kept.as_deref(),
        Some(r#"{"loadBalancerBackendAddresses":[]}"#)
    );
    let (again, _) = plan_with(&ctx(), Some(&lb), first).unwrap();
    assert_eq!(again.pools[0], lb.pools[0]);
    let (bare, _) = plan_with(
        &ctx(),
        Some(&lb),
        spec(Some(Sku::Standard), fe(), &["IP-pool"]),
    )
    .unwrap();
    assert_eq!(bare.pools[0].kept, None);
    assert_eq!(bare.pools[0].name, "ip-pool");
}

#[test]
fn a_load_balancers_sku_cannot_change_and_an_omitted_one_stays() {
    let old = stored_internal();
    assert_eq!(old.sku, Sku::Basic);
    let err = plan_with(
        &ctx(),
        Some(&old),
        spec(
            Some(Sku::Standard),
            vec![internal("fe", &subnet("v1", "a"))],
            &["web", "db"],
        ),
    )
    .unwrap_err();
    assert_eq!(err.code(), "SkuCannotBeChangedOnUpdate");
    assert_eq!(err.class(), crate::error::ErrorClass::BadRequest);
    assert_eq!(
        err.to_string(),
        format!("Sku property is set at creation time and cannot be changed from Basic to Standard on resource update for resource {}.", lb_id())
    );
    for same in [None, Some(Sku::Basic)] {
        let (lb, _) = plan_with(
            &ctx(),
            Some(&old),
            spec(
                same,
                vec![internal("fe", &subnet("v1", "a"))],
                &["web", "db"],
            ),
        )
        .unwrap();
        assert_eq!(lb.sku, Sku::Basic);
    }
}
