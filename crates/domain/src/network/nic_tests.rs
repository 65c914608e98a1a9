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
fn nat_rule(lb: &str, name: &str) -> String {
    format!("{NET}/loadBalancers/{lb}/inboundNatRules/{name}")
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
                rules: Vec::new(),
                public: false,
            },
        );
    }
    // lbv1's `ssh` forwards to nothing yet, `busy` to another NIC's configuration; `ssh2`
    // forwards to the same port as `ssh`, `floating` too but with floating IP.
    for (lb, rule, tied, used_by, backend) in [
        ("lbv1", "ssh", Some("v1"), None, Some(("Tcp", 22))),
        ("lbv1", "busy", Some("v1"), Some(OTHER.to_string()), None),
        ("lbv1", "ssh2", Some("v1"), None, Some(("tcp", 22))),
        ("lbv1", "dns", Some("v1"), None, Some(("Udp", 22))),
        ("lbv1", "floating", Some("v1"), None, None),
        ("lbv2", "ssh", Some("v2"), None, None),
        ("lbfree", "ssh", None, None, None),
    ] {
        let id = nat_rule(lb, rule);
        c.nat_rules.insert(
            key(&id),
            NatRuleInfo {
                id,
                location: "eastus".into(),
                vnet_key: tied.map(|v| key(&vnet(v))),
                used_by,
                backend: backend.map(|(p, n)| (p.to_string(), n)),
                public: false,
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

// The rest, by topic.
#[path = "nic_tests/changes.rs"]
mod changes;
#[path = "nic_tests/links.rs"]
mod links;
