use super::*;
use crate::network::Sku;

const NET: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network";
const NIC: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1";
/// An IP configuration of another NIC.
const OTHER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic2/ipConfigurations/ipconfig1";

fn nic_id() -> ResourceId {
    ResourceId::resource("s", "rg", "Microsoft.Network", "networkInterfaces", "nic1")
}
fn cfg_id(name: &str) -> String {
    format!("{NIC}/ipConfigurations/{name}")
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
fn pool(lb: &str, name: &str) -> String {
    format!("{NET}/loadBalancers/{lb}/backendAddressPools/{name}")
}
fn key(id: &str) -> String {
    ResourceId::parse(id).unwrap().key().to_string()
}
fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}
fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// v1/a: dual stack; v1/b: IPv4 only; v2/c: another network; v3/w: another region.
fn ctx() -> NicContext {
    let mut c = NicContext {
        max_ip_configs: SEED_MAX_IP_CONFIGS,
        ..Default::default()
    };
    for (v, s, loc, prefixes) in [
        (
            "v1",
            "a",
            "eastus",
            &["10.0.1.0/24", "fd00:db8:0:1::/64"][..],
        ),
        ("v1", "b", "eastus", &["10.0.2.0/24"][..]),
        ("v2", "c", "eastus", &["10.1.0.0/24"][..]),
        ("v3", "w", "westus", &["10.2.0.0/24"][..]),
    ] {
        let id = subnet(v, s);
        c.subnets.insert(
            key(&id),
            SubnetInfo {
                id: id.clone(),
                name: s.into(),
                vnet_key: key(&vnet(v)),
                location: loc.into(),
                prefixes: prefixes.iter().map(|p| net(p)).collect(),
            },
        );
    }
    for (name, loc, version, used_by) in [
        ("pip4", "eastus", IpVersion::IPv4, None),
        ("pip6", "eastus", IpVersion::IPv6, None),
        ("busy", "eastus", IpVersion::IPv4, Some(OTHER.to_string())),
        ("west", "westus", IpVersion::IPv4, None),
    ] {
        c.public_ips.insert(
            key(&pip(name)),
            PublicIpInfo {
                id: pip(name),
                location: loc.into(),
                version,
                sku: Sku::Basic,
                used_by,
            },
        );
    }
    for (lb, tied) in [("lbfree", None), ("lbv1", Some("v1")), ("lbv2", Some("v2"))] {
        let id = pool(lb, "pool");
        c.pools.insert(
            key(&id),
            PoolInfo {
                id,
                location: "eastus".into(),
                vnet_key: tied.map(|v| key(&vnet(v))),
            },
        );
    }
    c
}

fn cfg(name: &str, subnet_id: &str) -> IpConfigSpec {
    IpConfigSpec {
        name: name.into(),
        subnet: Some(ResourceId::parse(subnet_id).unwrap()),
        ..Default::default()
    }
}
fn primary(mut c: IpConfigSpec) -> IpConfigSpec {
    c.primary = Some(true);
    c
}
fn with_ip(mut c: IpConfigSpec, address: &str) -> IpConfigSpec {
    c.private_ip = Some(address.into());
    c
}
fn with_pip(mut c: IpConfigSpec, public_ip: &str) -> IpConfigSpec {
    c.public_ip = Some(ResourceId::parse(public_ip).unwrap());
    c
}
fn v6(mut c: IpConfigSpec) -> IpConfigSpec {
    c.version = Some(IpVersion::IPv6);
    c
}

fn spec(configs: Vec<IpConfigSpec>) -> NicSpec {
    NicSpec {
        common: CommonSpec {
            location: Some("eastus".into()),
            tags: None,
            extra: Vec::new(),
        },
        ip_configurations: configs,
        ..Default::default()
    }
}

fn plan_with(
    ctx: &NicContext,
    existing: Option<&NetworkInterface>,
    configs: Vec<IpConfigSpec>,
) -> Result<NicPlan, DomainError> {
    plan_put(&nic_id(), existing, spec(configs), ctx, "guid", "etag2")
}
fn plan(configs: Vec<IpConfigSpec>) -> Result<NicPlan, DomainError> {
    plan_with(&ctx(), None, configs)
}
fn update(old: &NetworkInterface, configs: Vec<IpConfigSpec>) -> Result<NicPlan, DomainError> {
    plan_with(&ctx(), Some(old), configs)
}

/// A NIC as the application stores it once its moves ran: every configuration has the
/// address given here, and etag `etag1`.
fn stored(configs: Vec<IpConfigSpec>, addresses: &[&str]) -> NetworkInterface {
    let mut nic = plan_put(&nic_id(), None, spec(configs), &ctx(), "guid", "etag1")
        .unwrap()
        .nic;
    for (c, a) in nic.ip_configurations.iter_mut().zip(addresses) {
        c.private_ip = Some(a.to_string());
    }
    nic
}

fn release(subnet_id: &str, prefix: &str, address: &str) -> AddressMove {
    AddressMove::Release {
        subnet_key: key(subnet_id),
        prefix: net(prefix),
        address: ip(address),
    }
}
fn allocate(config: usize, name: &str, subnet_id: &str, prefix: &str) -> AddressMove {
    AddressMove::Allocate {
        config,
        subnet_key: key(subnet_id),
        subnet_name: subnet_id.to_string(),
        prefix: net(prefix),
        owner: cfg_id(name),
    }
}
fn claim(config: usize, name: &str, subnet_id: &str, prefix: &str, address: &str) -> AddressMove {
    AddressMove::Claim {
        config,
        subnet_key: key(subnet_id),
        subnet_name: subnet_id.to_string(),
        prefix: net(prefix),
        address: ip(address),
        owner: cfg_id(name),
    }
}

// ---- configurations and the primary ----

#[test]
fn a_nic_needs_at_least_one_ip_configuration() {
    let e = plan(vec![]).unwrap_err();
    assert_eq!(
        e.code(),
        "NetworkInterfaceMustHaveAtLeastOneIpConfiguration"
    );
    assert_eq!(
        e.to_string(),
        format!("Network interface {NIC} must have one or more IP configurations.")
    );
}

#[test]
fn a_lone_configuration_is_primary_even_if_flagged_otherwise() {
    let mut c = cfg("ipconfig1", &subnet("v1", "a"));
    c.primary = Some(false);
    let p = plan(vec![c]).unwrap();
    assert!(p.nic.ip_configurations[0].primary);
    assert_eq!(p.nic.primary_config().unwrap().name, "ipconfig1");
}

#[test]
fn several_configurations_without_a_primary_are_refused() {
    let e = plan(vec![
        cfg("ip1", &subnet("v1", "a")),
        cfg("ip2", &subnet("v1", "a")),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary");
    assert_eq!(
        e.to_string(),
        format!("Network Interface {NIC} specifies multiple IPConfigurations but none of the IPConfigurations is specified as Primary.")
    );
}

#[test]
fn two_primaries_are_refused() {
    let e = plan(vec![
        primary(cfg("ip1", &subnet("v1", "a"))),
        primary(cfg("ip2", &subnet("v1", "a"))),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary");
    assert!(
        e.to_string()
            .contains("multiple IPConfigurations specified as Primary"),
        "{e}"
    );
    assert!(e.to_string().contains(NIC), "{e}");
}

#[test]
fn the_flagged_configuration_is_the_only_primary() {
    let p = plan(vec![
        cfg("ip1", &subnet("v1", "a")),
        primary(cfg("ip2", &subnet("v1", "a"))),
        cfg("ip3", &subnet("v1", "b")),
    ])
    .unwrap();
    let flags: Vec<bool> = p.nic.ip_configurations.iter().map(|c| c.primary).collect();
    assert_eq!(flags, [false, true, false]);
}

#[test]
fn more_configurations_than_the_limit_are_refused() {
    let mut small = ctx();
    small.max_ip_configs = 2;
    let configs: Vec<IpConfigSpec> = (1..=3)
        .map(|i| cfg(&format!("ip{i}"), &subnet("v1", "a")))
        .collect();
    let e = plan_with(&small, None, configs).unwrap_err();
    assert_eq!(e.code(), "IpConfigurationsPerNicLimitReached");
    assert_eq!(
        e.to_string(),
        format!(
            "Network interface {NIC} cannot have more than 2 IP configurations; the request has 3."
        )
    );
}

#[test]
fn the_seed_limit_is_250_private_addresses_per_nic() {
    // Seed: "You can assign up to 250 private IP addresses to each NIC."
    assert_eq!(SEED_MAX_IP_CONFIGS, 250);
    let configs = |n: usize| -> Vec<IpConfigSpec> {
        (0..n)
            .map(|i| {
                let c = cfg(&format!("ip{i}"), &subnet("v1", "a"));
                if i == 0 {
                    primary(c)
                } else {
                    c
                }
            })
            .collect()
    };
    let p = plan(configs(250)).unwrap();
    assert_eq!(p.nic.ip_configurations.len(), 250);
    assert_eq!(p.moves.len(), 250);
    let e = plan(configs(251)).unwrap_err();
    assert_eq!(e.code(), "IpConfigurationsPerNicLimitReached");
    assert!(
        e.to_string()
            .contains("cannot have more than 250 IP configurations"),
        "{e}"
    );
}

#[test]
fn duplicate_configuration_names_are_refused_whatever_their_case() {
    let e = plan(vec![
        primary(cfg("ipconfig1", &subnet("v1", "a"))),
        cfg("IPCONFIG1", &subnet("v1", "a")),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "DuplicateResourceName");
    assert_eq!(
        e.to_string(),
        format!("Resource {NIC} has two child resources with the same name (IPCONFIG1).")
    );
}

#[test]
fn the_primary_configuration_must_be_ipv4() {
    let e = plan(vec![v6(cfg("ip1", &subnet("v1", "a")))]).unwrap_err();
    assert_eq!(e.code(), "PrimaryIPConfigurationMustBeIPv4");
    assert_eq!(
        e.to_string(),
        format!(
            "Primary IP configuration {} must be of IPv4 version.",
            cfg_id("ip1")
        )
    );
    // The version follows from a requested IPv6 address too.
    let e = plan(vec![with_ip(
        cfg("ip1", &subnet("v1", "a")),
        "fd00:db8:0:1::10",
    )])
    .unwrap_err();
    assert_eq!(e.code(), "PrimaryIPConfigurationMustBeIPv4");
}

#[test]
fn a_secondary_ipv6_configuration_takes_from_the_ipv6_prefix() {
    let p = plan(vec![
        primary(cfg("ip4", &subnet("v1", "a"))),
        v6(cfg("ip6", &subnet("v1", "a"))),
    ])
    .unwrap();
    assert!(p.nic.has_ipv6());
    assert_eq!(p.nic.ip_configurations[1].version, IpVersion::IPv6);
    assert_eq!(
        p.moves,
        vec![
            allocate(0, "ip4", &subnet("v1", "a"), "10.0.1.0/24"),
            allocate(1, "ip6", &subnet("v1", "a"), "fd00:db8:0:1::/64"),
        ]
    );
}

// ---- subnets ----

#[test]
fn configurations_in_two_virtual_networks_are_refused() {
    let e = plan(vec![
        primary(cfg("ip1", &subnet("v1", "a"))),
        cfg("ip2", &subnet("v2", "c")),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "IpConfigurationsOfNicInDifferentVnets");
    assert_eq!(
        e.to_string(),
        format!(
            "IPConfigurations on network interface {NIC} cannot belong to different virtual networks: {} and {} are in different virtual networks.",
            subnet("v1", "a"),
            subnet("v2", "c")
        )
    );
}

#[test]
fn configurations_may_use_different_subnets_of_one_network() {
    let p = plan(vec![
        primary(cfg("ip1", &subnet("v1", "a"))),
        cfg("ip2", &subnet("v1", "b")),
    ])
    .unwrap();
    assert_eq!(p.nic.vnet_key(), Some(key(&vnet("v1"))));
}

#[test]
fn a_configuration_needs_a_subnet() {
    let c = IpConfigSpec {
        name: "ip1".into(),
        ..Default::default()
    };
    let e = plan(vec![c]).unwrap_err();
    assert_eq!(e.code(), "SubnetReferenceRequired");
    assert_eq!(
        e.to_string(),
        format!(
            "Subnet reference is required for ipconfiguration {}.",
            cfg_id("ip1")
        )
    );
}

#[test]
fn a_subnet_that_does_not_exist_is_an_invalid_reference_with_a_not_found_detail() {
    let missing = subnet("v1", "nosuch");
    let e = plan(vec![cfg("ip1", &missing)]).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
    assert_eq!(
        e.to_string(),
        format!("Resource {missing} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", cfg_id("ip1"))
    );
    let details = e.details();
    assert_eq!(details.len(), 1);
    assert_eq!(details[0].code, "NotFound");
    assert_eq!(details[0].message, format!("Resource {missing} not found."));
    assert_eq!(details[0].target.as_deref(), Some(missing.as_str()));
}

#[test]
fn a_subnet_in_another_region_is_an_invalid_reference() {
    let far = subnet("v3", "w");
    let e = plan(vec![cfg("ip1", &far)]).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceReference");
    assert!(
        e.to_string()
            .starts_with(&format!("Resource {far} referenced by resource")),
        "{e}"
    );
    assert_eq!(e.details()[0].code, "NotFound");
}

#[test]
fn a_security_group_must_exist_in_the_nics_region() {
    let nsg = |name: &str| {
        ResourceId::resource(
            "s",
            "rg",
            "Microsoft.Network",
            "networkSecurityGroups",
            name,
        )
    };
    let mut c = ctx();
    c.linked.insert(nsg("here").key().into(), "eastus".into());
    c.linked.insert(nsg("far").key().into(), "westus".into());
    let with_nsg = |name: &str| {
        let mut s = spec(vec![cfg("ip1", &subnet("v1", "a"))]);
        s.network_security_group = Some(nsg(name));
        s
    };
    let p = plan_put(&nic_id(), None, with_nsg("HERE"), &c, "g", "e").unwrap();
    assert_eq!(
        p.nic.network_security_group.as_deref(),
        Some(nsg("HERE").as_str())
    );
    for name in ["far", "nosuch"] {
        let e = plan_put(&nic_id(), None, with_nsg(name), &c, "g", "e").unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference", "{name}");
        assert!(
            e.to_string().starts_with(&format!(
                "Resource {} referenced by resource {} was not found.",
                nsg(name),
                nic_id()
            )),
            "{e}"
        );
    }
}

#[test]
fn subnet_references_match_case_insensitively() {
    let shouted = subnet("V1", "A").replace("/resourceGroups/", "/RESOURCEGROUPS/");
    let p = plan(vec![cfg("ip1", &shouted)]).unwrap();
    // Kept as the caller spelled the names; ARM's fixed words in ARM's spelling.
    assert_eq!(p.nic.ip_configurations[0].subnet, subnet("V1", "A"));
    assert_eq!(
        p.moves,
        vec![allocate(0, "ip1", &subnet("v1", "a"), "10.0.1.0/24")]
    );
}

#[test]
fn an_ipv6_configuration_needs_an_ipv6_prefix_in_its_subnet() {
    let e = plan(vec![
        primary(cfg("ip1", &subnet("v1", "b"))),
        v6(cfg("ip2", &subnet("v1", "b"))),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "SubnetHasNoAddressPrefixForIpVersion");
    assert_eq!(
        e.to_string(),
        format!(
            "Subnet {} has no IPv6 address prefix, which IP configuration {} needs.",
            subnet("v1", "b"),
            cfg_id("ip2")
        )
    );
}

// ---- private addresses as requested ----

#[test]
fn a_private_address_must_parse_and_match_the_version() {
    let e = plan(vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.300")]).unwrap_err();
    assert_eq!(e.code(), "InvalidPrivateIPAddress");
    assert_eq!(
        e.to_string(),
        format!("Private IP address '10.0.1.300' of IP configuration {} is not a valid IP address of the configuration's version.", cfg_id("ip1"))
    );
    let e = plan(vec![
        primary(cfg("ip1", &subnet("v1", "a"))),
        v6(with_ip(cfg("ip2", &subnet("v1", "a")), "10.0.1.9")),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "InvalidPrivateIPAddress");
    assert!(e.to_string().contains("'10.0.1.9'"), "{e}");
}

#[test]
fn a_new_static_configuration_needs_its_address() {
    let mut c = cfg("ip1", &subnet("v1", "a"));
    c.allocation = Some(Allocation::Static);
    let e = plan(vec![c]).unwrap_err();
    assert_eq!(e.code(), "PrivateIPAddressRequiredForStaticAllocation");
    assert_eq!(
        e.to_string(),
        format!("IP configuration {} has a Static private IP allocation method but no privateIPAddress.", cfg_id("ip1"))
    );
}

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

// ---- updates ----

#[test]
fn removing_the_primary_while_another_old_configuration_remains_is_refused() {
    let old = stored(
        vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            cfg("ip2", &subnet("v1", "a")),
        ],
        &["10.0.1.4", "10.0.1.5"],
    );
    let e = update(&old, vec![cfg("ip2", &subnet("v1", "a"))]).unwrap_err();
    assert_eq!(e.code(), "IpConfigDeleteNotSupported");
    assert_eq!(
        e.to_string(),
        "IP Configuration ip1 cannot be deleted. Deletion and renaming of primary IP Configuration is not supported"
    );
}

#[test]
fn the_primary_flag_may_move_to_another_configuration() {
    let old = stored(
        vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            cfg("ip2", &subnet("v1", "a")),
        ],
        &["10.0.1.4", "10.0.1.5"],
    );
    let p = update(
        &old,
        vec![
            cfg("ip1", &subnet("v1", "a")),
            primary(cfg("ip2", &subnet("v1", "a"))),
        ],
    )
    .unwrap();
    assert_eq!(p.nic.primary_config().unwrap().name, "ip2");
    assert!(p.moves.is_empty());
}

#[test]
fn location_cannot_change_and_the_mac_address_stays() {
    let mut old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    old.mac_address = Some("00-0D-3A-00-00-01".into());
    let p = update(&old, vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
    assert_eq!(p.nic.mac_address.as_deref(), Some("00-0D-3A-00-00-01"));
    assert_eq!(p.nic.common.resource_guid, "guid");

    let mut moved = spec(vec![cfg("ip1", &subnet("v1", "a"))]);
    moved.common.location = Some("westus".into());
    let e = plan_put(&nic_id(), Some(&old), moved, &ctx(), "g", "e").unwrap_err();
    assert_eq!(e.code(), "InvalidResourceLocation");
    assert!(
        e.to_string()
            .starts_with("The resource 'nic1' already exists in location 'eastus'"),
        "{e}"
    );
}

// ---- address moves ----

#[test]
fn a_new_dynamic_configuration_is_one_allocation() {
    let p = plan(vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
    assert_eq!(
        p.moves,
        vec![allocate(0, "ip1", &subnet("v1", "a"), "10.0.1.0/24")]
    );
    let c = &p.nic.ip_configurations[0];
    assert_eq!(c.allocation, Allocation::Dynamic);
    assert_eq!(c.version, IpVersion::IPv4);
    assert_eq!(c.private_ip, None);
    assert_eq!(c.etag, "etag2");
}

#[test]
fn a_new_static_configuration_is_one_claim() {
    let p = plan(vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.10")]).unwrap();
    assert_eq!(
        p.moves,
        vec![claim(
            0,
            "ip1",
            &subnet("v1", "a"),
            "10.0.1.0/24",
            "10.0.1.10"
        )]
    );
    assert_eq!(p.nic.ip_configurations[0].allocation, Allocation::Static);
}

#[test]
fn an_update_in_the_same_subnet_keeps_the_address() {
    let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    let p = update(&old, vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
    assert!(p.moves.is_empty());
    assert_eq!(
        p.nic.ip_configurations[0].private_ip.as_deref(),
        Some("10.0.1.4")
    );
    assert_eq!(p.nic.ip_configurations[0].etag, "etag1");
}

#[test]
fn dynamic_to_static_keeps_the_address() {
    let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    let mut c = cfg("ip1", &subnet("v1", "a"));
    c.allocation = Some(Allocation::Static);
    let p = update(&old, vec![c]).unwrap();
    assert!(p.moves.is_empty());
    let c = &p.nic.ip_configurations[0];
    assert_eq!(c.allocation, Allocation::Static);
    assert_eq!(c.private_ip.as_deref(), Some("10.0.1.4"));
    // Naming the address it already has changes nothing either.
    let p = update(
        &old,
        vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.4")],
    )
    .unwrap();
    assert!(p.moves.is_empty());
    assert_eq!(
        p.nic.ip_configurations[0].private_ip.as_deref(),
        Some("10.0.1.4")
    );
}

#[test]
fn a_different_static_address_releases_the_old_one() {
    let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    let p = update(
        &old,
        vec![with_ip(cfg("ip1", &subnet("v1", "a")), "10.0.1.20")],
    )
    .unwrap();
    assert_eq!(
        p.moves,
        vec![
            release(&subnet("v1", "a"), "10.0.1.0/24", "10.0.1.4"),
            claim(0, "ip1", &subnet("v1", "a"), "10.0.1.0/24", "10.0.1.20"),
        ]
    );
    assert_eq!(p.nic.ip_configurations[0].private_ip, None);
    assert_eq!(p.nic.ip_configurations[0].etag, "etag2");
}

#[test]
fn changing_subnet_releases_then_allocates() {
    let old = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    let p = update(&old, vec![cfg("ip1", &subnet("v1", "b"))]).unwrap();
    assert_eq!(
        p.moves,
        vec![
            release(&subnet("v1", "a"), "10.0.1.0/24", "10.0.1.4"),
            allocate(0, "ip1", &subnet("v1", "b"), "10.0.2.0/24"),
        ]
    );
    assert_eq!(p.nic.ip_configurations[0].private_ip, None);
    assert_eq!(p.nic.ip_configurations[0].subnet, subnet("v1", "b"));
}

#[test]
fn removing_a_configuration_releases_its_address() {
    let old = stored(
        vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            cfg("ip2", &subnet("v1", "b")),
        ],
        &["10.0.1.4", "10.0.2.4"],
    );
    let p = update(&old, vec![cfg("ip1", &subnet("v1", "a"))]).unwrap();
    assert_eq!(
        p.moves,
        vec![release(&subnet("v1", "b"), "10.0.2.0/24", "10.0.2.4")]
    );
    assert_eq!(p.nic.ip_configurations.len(), 1);
}

#[test]
fn moves_are_ordered_releases_claims_allocations() {
    let a = subnet("v1", "a");
    let b = subnet("v1", "b");
    let old = stored(
        vec![primary(cfg("ip1", &a)), cfg("ip2", &a), cfg("ip3", &a)],
        &["10.0.1.4", "10.0.1.5", "10.0.1.6"],
    );
    let p = update(
        &old,
        vec![
            primary(cfg("ip1", &a)),
            cfg("ip2", &b),
            // Takes the address ip2 gives up in the same request.
            with_ip(cfg("ip4", &a), "10.0.1.5"),
        ],
    )
    .unwrap();
    assert_eq!(
        p.moves,
        vec![
            release(&a, "10.0.1.0/24", "10.0.1.5"),
            release(&a, "10.0.1.0/24", "10.0.1.6"),
            claim(2, "ip4", &a, "10.0.1.0/24", "10.0.1.5"),
            allocate(1, "ip2", &b, "10.0.2.0/24"),
        ]
    );
    let orders: Vec<u8> = p.moves.iter().map(AddressMove::order).collect();
    assert!(orders.windows(2).all(|w| w[0] <= w[1]), "{orders:?}");
}

// ---- delete ----

#[test]
fn a_nic_attached_to_a_vm_cannot_be_deleted() {
    let vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1";
    let e = check_delete(&nic_id(), Some(vm)).unwrap_err();
    assert_eq!(e.code(), "NicInUse");
    assert_eq!(
        e.to_string(),
        format!("Network Interface {NIC} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")
    );
    check_delete(&nic_id(), None).unwrap();
}

#[test]
fn deleting_a_nic_releases_every_address() {
    let nic = stored(
        vec![
            primary(cfg("ip1", &subnet("v1", "a"))),
            v6(cfg("ip2", &subnet("v1", "a"))),
            cfg("ip3", &subnet("v1", "b")),
        ],
        &["10.0.1.4", "fd00:db8:0:1::4", "10.0.2.4"],
    );
    assert_eq!(
        releases_on_delete(&nic, &ctx()),
        vec![
            release(&subnet("v1", "a"), "10.0.1.0/24", "10.0.1.4"),
            release(&subnet("v1", "a"), "fd00:db8:0:1::/64", "fd00:db8:0:1::4"),
            release(&subnet("v1", "b"), "10.0.2.0/24", "10.0.2.4"),
        ]
    );
}
