use super::*;
use crate::error::ErrorClass;
use crate::network::IpVersion;

const VNET: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
const USER: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic1/ipConfigurations/ipconfig1";

fn vnet_id() -> ResourceId {
    ResourceId::resource("s", "rg", "Microsoft.Network", "virtualNetworks", "v")
}

fn no_users(_: &str, _: IpVersion) -> Option<String> {
    None
}

/// `web` has an IP configuration holding an IPv4 address in it; no other subnet has.
fn web_in_use(subnet: &str, v: IpVersion) -> Option<String> {
    (subnet.eq_ignore_ascii_case("web") && v == IpVersion::IPv4).then(|| USER.to_string())
}

fn subnet(name: &str, prefixes: &[&str]) -> SubnetSpec {
    SubnetSpec {
        name: name.into(),
        address_prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    }
}

fn spec_in(location: &str, space: &[&str], subnets: Option<Vec<SubnetSpec>>) -> VnetSpec {
    VnetSpec {
        common: CommonSpec {
            location: Some(location.into()),
            tags: None,
            extra: Vec::new(),
        },
        address_prefixes: space.iter().map(|p| p.to_string()).collect(),
        dns_servers: Vec::new(),
        subnets,
    }
}

fn spec(space: &[&str], subnets: Vec<SubnetSpec>) -> VnetSpec {
    spec_in("eastus", space, Some(subnets))
}

fn create(subnets: Vec<SubnetSpec>) -> Result<VirtualNetwork, DomainError> {
    put_vnet(
        &vnet_id(),
        None,
        spec(&["10.0.0.0/16"], subnets),
        &no_users,
        &Located::new(),
        "guid1",
        "etag1",
    )
    .map(|w| w.vnet)
}

/// A stored network with subnets `web` (10.0.1.0/24, in use) and `db` (10.0.2.0/24).
fn stored() -> VirtualNetwork {
    create(vec![
        subnet("web", &["10.0.1.0/24"]),
        subnet("db", &["10.0.2.0/24"]),
    ])
    .unwrap()
}

fn linked_id(ty: &str, name: &str) -> ResourceId {
    ResourceId::resource("s", "rg", "Microsoft.Network", ty, name)
}

/// Network security group `nsg` and route table `rt` in eastus, `far` in westus.
fn linked() -> Located {
    [
        (linked_id("networkSecurityGroups", "nsg"), "eastus"),
        (linked_id("routeTables", "rt"), "eastus"),
        (linked_id("networkSecurityGroups", "far"), "westus"),
    ]
    .into_iter()
    .map(|(id, l)| (id.key().to_string(), l.to_string()))
    .collect()
}

fn update(
    old: &VirtualNetwork,
    subnets: Option<Vec<SubnetSpec>>,
) -> Result<VirtualNetwork, DomainError> {
    put_vnet(
        &vnet_id(),
        Some(old),
        spec_in("eastus", &["10.0.0.0/16"], subnets),
        &web_in_use,
        &linked(),
        "guid2",
        "etag2",
    )
    .map(|w| w.vnet)
}

#[test]
fn put_vnet_creates_the_network_with_its_subnets() {
    let v = create(vec![
        subnet("web", &["10.0.1.0/24"]),
        subnet("db", &["10.0.2.0/29"]),
    ])
    .unwrap();
    assert_eq!(v.common.name, "v");
    assert_eq!(v.common.location, "eastus");
    assert_eq!(v.common.resource_guid, "guid1");
    assert_eq!(v.address_prefixes, vec!["10.0.0.0/16"]);
    let names: Vec<&str> = v.subnets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web", "db"]);
    assert_eq!(
        v.subnet("WEB").unwrap().address_prefixes,
        vec!["10.0.1.0/24"]
    );
    assert_eq!(v.subnet("db").unwrap().etag, "etag1");
    assert!(v.subnet("app").is_none());
}

#[test]
fn subnet_outside_the_address_space_is_refused() {
    let e = create(vec![subnet("web", &["10.1.0.0/24"])]).unwrap_err();
    assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");
    assert_eq!(
        e.to_string(),
        "Subnet 'web' is not valid because its IP address range is outside the IP address range of virtual network 'v'."
    );
}

#[test]
fn overlapping_subnets_are_refused() {
    let e = create(vec![
        subnet("web", &["10.0.0.0/24"]),
        subnet("app", &["10.0.0.128/25"]),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "NetcfgSubnetRangesOverlap");
    assert_eq!(
        e.to_string(),
        "Subnet 'app' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'v'."
    );
    assert_eq!(
        e,
        DomainError::NetcfgSubnetRangesOverlap {
            subnet: "app".into(),
            vnet: "v".into(),
            other: "web".into(),
        }
    );
}

#[test]
fn a_slash_30_subnet_is_too_small() {
    let e = create(vec![subnet("tiny", &["10.0.0.0/30"])]).unwrap_err();
    assert_eq!(e.code(), "NetcfgInvalidSubnet");
    assert_eq!(
        e.to_string(),
        "Subnet 'tiny' is not valid in virtual network 'v'."
    );
}

#[test]
fn malformed_subnet_prefix_names_the_subnet() {
    let e = create(vec![subnet("web", &["10.0.1.0"])]).unwrap_err();
    assert_eq!(e.code(), "InvalidAddressPrefixFormat");
    assert_eq!(
        e.to_string(),
        format!("Address prefix 10.0.1.0 of resource {VNET}/subnets/web is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.")
    );
}

#[test]
fn malformed_vnet_prefix_names_the_vnet() {
    let e = put_vnet(
        &vnet_id(),
        None,
        spec(&["10.0.0.0/xx"], vec![]),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "InvalidAddressPrefixFormat");
    assert!(
        e.to_string().starts_with(&format!(
            "Address prefix 10.0.0.0/xx of resource {VNET} is not formatted correctly."
        )),
        "{e}"
    );
}

#[test]
fn subnet_without_a_prefix_is_refused() {
    let e = create(vec![subnet("web", &[])]).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(
        e.to_string(),
        format!("Subnet {VNET}/subnets/web must have an addressPrefix or addressPrefixes.")
    );
    assert_eq!(e.target().as_deref(), Some("addressPrefix"));
}

#[test]
fn duplicate_subnet_names_are_refused_whatever_their_case() {
    let e = create(vec![
        subnet("web", &["10.0.1.0/24"]),
        subnet("Web", &["10.0.2.0/24"]),
    ])
    .unwrap_err();
    assert_eq!(e.code(), "DuplicateResourceName");
    assert_eq!(
        e.to_string(),
        format!("Resource {VNET} has two child resources with the same name (Web).")
    );
}

#[test]
fn invalid_subnet_name_is_refused() {
    let e = create(vec![subnet("web-", &["10.0.1.0/24"])]).unwrap_err();
    assert_eq!(e.code(), "InvalidResourceName");
    assert!(
        e.to_string().starts_with("Resource name web- is invalid."),
        "{e}"
    );
}

#[test]
fn dual_stack_subnet_is_accepted() {
    let v = put_vnet(
        &vnet_id(),
        None,
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet("web", &["10.0.1.0/24", "fd00:db8:0:1::/64"])],
        ),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap()
    .vnet;
    let web = v.subnet("web").unwrap();
    assert_eq!(
        web.address_prefixes,
        vec!["10.0.1.0/24", "fd00:db8:0:1::/64"]
    );
    assert_eq!(web.prefix_for(false), Some("10.0.1.0/24".parse().unwrap()));
    assert_eq!(
        web.prefix_for(true),
        Some("fd00:db8:0:1::/64".parse().unwrap())
    );
}

#[test]
fn ipv6_subnet_must_be_a_slash_64() {
    let e = put_vnet(
        &vnet_id(),
        None,
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet("web", &["10.0.1.0/24", "fd00:db8::/56"])],
        ),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetcfgInvalidSubnet");
}

#[test]
fn two_ipv4_prefixes_in_one_subnet_are_refused() {
    let e = create(vec![subnet("web", &["10.0.1.0/24", "10.0.2.0/24"])]).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    assert_eq!(
        e.to_string(),
        format!("Subnet {VNET}/subnets/web may have at most one IPv4 and one IPv6 address prefix.")
    );
    assert_eq!(e.target().as_deref(), Some("addressPrefixes"));
}

#[test]
fn location_cannot_change() {
    let old = stored();
    let e = put_vnet(
        &vnet_id(),
        Some(&old),
        spec_in("westus", &["10.0.0.0/16"], None),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "InvalidResourceLocation");
    assert_eq!(e.class(), ErrorClass::Conflict);
    assert_eq!(
        e.to_string(),
        "The resource 'v' already exists in location 'eastus' in resource group 'rg'. A resource with the same name cannot be created in location 'westus'. Please select a new resource name."
    );
    // The display name of the same region is no change.
    let same = put_vnet(
        &vnet_id(),
        Some(&old),
        spec_in("East US", &["10.0.0.0/16"], None),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap()
    .vnet;
    assert_eq!(same.common.location, "eastus");
    assert_eq!(same.common.resource_guid, "guid1");
}

#[test]
fn omitting_subnets_removes_unused_ones() {
    let old = stored();
    let v = put_vnet(
        &vnet_id(),
        Some(&old),
        spec_in("eastus", &["10.0.0.0/16"], None),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap()
    .vnet;
    assert!(v.subnets.is_empty());
}

#[test]
fn omitting_subnets_refuses_to_remove_one_in_use_and_names_its_user() {
    let e = update(&stored(), None).unwrap_err();
    assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
    assert_eq!(
        e.to_string(),
        format!("Subnet web is in use by {USER} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")
    );
}

#[test]
fn leaving_out_an_unused_subnet_removes_it_and_keeps_the_rest() {
    let v = update(&stored(), Some(vec![subnet("web", &["10.0.1.0/24"])])).unwrap();
    let names: Vec<&str> = v.subnets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["web"]);
}

#[test]
fn changing_the_prefix_of_an_in_use_subnet_is_refused() {
    let e = update(
        &stored(),
        Some(vec![
            subnet("web", &["10.0.4.0/24"]),
            subnet("db", &["10.0.2.0/24"]),
        ]),
    )
    .unwrap_err();
    assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
    assert_eq!(
        e.to_string(),
        "IpPrefix 10.0.1.0/24 on Subnet web has active allocations and cannot be deleted."
    );
}

#[test]
fn adding_an_ipv6_prefix_to_an_in_use_subnet_keeps_its_ipv4_prefix() {
    let old = put_vnet(
        &vnet_id(),
        None,
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet("web", &["10.0.1.0/24"])],
        ),
        &no_users,
        &Located::new(),
        "g",
        "etag1",
    )
    .unwrap()
    .vnet;
    let v = put_vnet(
        &vnet_id(),
        Some(&old),
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet("web", &["10.0.1.0/24", "fd00:db8:0:1::/64"])],
        ),
        &web_in_use,
        &Located::new(),
        "g",
        "etag2",
    )
    .unwrap()
    .vnet;
    assert_eq!(
        v.subnet("web").unwrap().address_prefixes,
        vec!["10.0.1.0/24", "fd00:db8:0:1::/64"]
    );
    // The IPv6 prefix holds nothing: dropping it again is allowed, and only its address
    // book is forgotten.
    let dropped = put_vnet(
        &vnet_id(),
        Some(&v),
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet("web", &["10.0.1.0/24"])],
        ),
        &web_in_use,
        &Located::new(),
        "g",
        "etag3",
    )
    .unwrap();
    assert_eq!(
        dropped.released,
        vec![ReleasedPrefix {
            subnet: "web".into(),
            prefix: "fd00:db8:0:1::/64".parse().unwrap()
        }]
    );
    // Once it holds an address, it stays.
    let v6_in_use = |_: &str, v: IpVersion| (v == IpVersion::IPv6).then(|| USER.to_string());
    let e = put_vnet(
        &vnet_id(),
        Some(&v),
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet("web", &["10.0.1.0/24"])],
        ),
        &v6_in_use,
        &Located::new(),
        "g",
        "etag3",
    )
    .unwrap_err();
    assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
    assert_eq!(
        e.to_string(),
        "IpPrefix fd00:db8:0:1::/64 on Subnet web has active allocations and cannot be deleted."
    );
}

#[test]
fn two_spellings_of_one_prefix_are_one_prefix() {
    let v = create(vec![subnet("web", &["10.0.1.0/24", "10.0.1.0/24"])]).unwrap();
    assert_eq!(
        v.subnet("web").unwrap().address_prefixes,
        vec!["10.0.1.0/24"]
    );
    let v = put_vnet(
        &vnet_id(),
        None,
        spec(
            &["10.0.0.0/16", "fd00:db8::/48"],
            vec![subnet(
                "web",
                &["10.0.1.0/24", "FD00:DB8:0:1:0::/64", "fd00:db8:0:1::/64"],
            )],
        ),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap()
    .vnet;
    assert_eq!(
        v.subnet("web").unwrap().address_prefixes,
        vec!["10.0.1.0/24", "fd00:db8:0:1::/64"]
    );
}

#[test]
fn unused_subnet_may_change_its_prefix() {
    let v = update(
        &stored(),
        Some(vec![
            subnet("web", &["10.0.1.0/24"]),
            subnet("db", &["10.0.8.0/22"]),
        ]),
    )
    .unwrap();
    assert_eq!(
        v.subnet("db").unwrap().address_prefixes,
        vec!["10.0.8.0/22"]
    );
    assert_eq!(v.subnet("db").unwrap().etag, "etag2");
}

#[test]
fn etags_are_kept_for_unchanged_subnets_only() {
    let old = stored();
    let v = update(
        &old,
        Some(vec![
            subnet("web", &["10.0.1.0/24"]),
            subnet("db", &["10.0.3.0/24"]),
            subnet("app", &["10.0.4.0/24"]),
        ]),
    )
    .unwrap();
    assert_eq!(v.subnet("web").unwrap().etag, "etag1");
    assert_eq!(v.subnet("db").unwrap().etag, "etag2");
    assert_eq!(v.subnet("app").unwrap().etag, "etag2");
    assert_eq!(v.common.resource_guid, "guid1");
}

#[test]
fn a_subnet_whose_security_group_changes_gets_a_new_etag() {
    let old = stored();
    let mut web = subnet("web", &["10.0.1.0/24"]);
    web.network_security_group = Some(linked_id("networkSecurityGroups", "nsg"));
    let v = update(&old, Some(vec![web, subnet("db", &["10.0.2.0/24"])])).unwrap();
    assert_eq!(v.subnet("web").unwrap().etag, "etag2");
    assert_eq!(v.subnet("db").unwrap().etag, "etag1");
}

#[test]
fn a_subnets_security_group_and_route_table_exist_in_its_networks_region() {
    let cases = [
        (linked_id("networkSecurityGroups", "nosuch"), None),
        (linked_id("networkSecurityGroups", "far"), None),
        (
            linked_id("networkSecurityGroups", "nsg"),
            Some(linked_id("routeTables", "nosuch")),
        ),
    ];
    for (nsg, rt) in cases {
        let mut web = subnet("web", &["10.0.1.0/24"]);
        web.network_security_group = Some(nsg.clone());
        web.route_table = rt.clone();
        let missing = rt.unwrap_or(nsg);
        let e = update(
            &stored(),
            Some(vec![web.clone(), subnet("db", &["10.0.2.0/24"])]),
        )
        .unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference", "{missing}");
        assert_eq!(
            e.to_string(),
            format!("Resource {missing} referenced by resource {VNET}/subnets/web was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.")
        );
        let e = put_subnet(&vnet_id(), &stored(), web, &no_users, &linked(), "e").unwrap_err();
        assert_eq!(e.code(), "InvalidResourceReference", "{missing}");
    }
}

#[test]
fn an_update_keeps_the_stored_spelling_of_a_subnet_name() {
    let v = update(
        &stored(),
        Some(vec![
            subnet("WEB", &["10.0.1.0/24"]),
            subnet("db", &["10.0.2.0/24"]),
        ]),
    )
    .unwrap();
    assert_eq!(v.subnets[0].name, "web");
    assert_eq!(v.subnets[0].etag, "etag1");
}

#[test]
fn shrinking_the_address_space_away_from_a_subnet_is_refused() {
    let e = put_vnet(
        &vnet_id(),
        Some(&stored()),
        spec(
            &["10.0.2.0/24"],
            vec![
                subnet("web", &["10.0.1.0/24"]),
                subnet("db", &["10.0.2.0/24"]),
            ],
        ),
        &no_users,
        &Located::new(),
        "g",
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");
    assert!(
        e.to_string().starts_with("Subnet 'web' is not valid"),
        "{e}"
    );
}

#[test]
fn put_subnet_reports_create_then_update() {
    let v = stored();
    let (v, created) = put_subnet(
        &vnet_id(),
        &v,
        subnet("app", &["10.0.3.0/24"]),
        &no_users,
        &Located::new(),
        "etag2",
    )
    .map(|(w, c)| (w.vnet, c))
    .unwrap();
    assert!(created);
    assert_eq!(v.subnets.len(), 3);
    assert_eq!(v.subnet("app").unwrap().etag, "etag2");

    let (v, created) = put_subnet(
        &vnet_id(),
        &v,
        subnet("APP", &["10.0.3.0/25"]),
        &no_users,
        &Located::new(),
        "etag3",
    )
    .map(|(w, c)| (w.vnet, c))
    .unwrap();
    assert!(!created);
    assert_eq!(v.subnets.len(), 3);
    let app = v.subnet("app").unwrap();
    assert_eq!(app.name, "app");
    assert_eq!(app.address_prefixes, vec!["10.0.3.0/25"]);
    assert_eq!(app.etag, "etag3");
}

#[test]
fn put_subnet_checks_siblings_and_address_space() {
    let v = stored();
    let e = put_subnet(
        &vnet_id(),
        &v,
        subnet("app", &["10.0.2.0/23"]),
        &no_users,
        &Located::new(),
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetcfgSubnetRangesOverlap");
    assert!(e
        .to_string()
        .starts_with("Subnet 'app' is not valid because its IP address range overlaps"));

    let e = put_subnet(
        &vnet_id(),
        &v,
        subnet("app", &["192.168.0.0/24"]),
        &no_users,
        &Located::new(),
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "NetcfgSubnetRangeOutsideVnet");

    // A subnet may grow over its own old range.
    let (v, created) = put_subnet(
        &vnet_id(),
        &v,
        subnet("db", &["10.0.2.0/23"]),
        &no_users,
        &Located::new(),
        "e",
    )
    .map(|(w, c)| (w.vnet, c))
    .unwrap();
    assert!(!created);
    assert_eq!(
        v.subnet("db").unwrap().address_prefixes,
        vec!["10.0.2.0/23"]
    );
}

#[test]
fn put_subnet_refuses_to_change_the_prefix_of_an_in_use_subnet() {
    let v = stored();
    let e = put_subnet(
        &vnet_id(),
        &v,
        subnet("web", &["10.0.5.0/24"]),
        &web_in_use,
        &Located::new(),
        "e",
    )
    .unwrap_err();
    assert_eq!(e.code(), "InUsePrefixCannotBeDeleted");
    assert_eq!(
        e.to_string(),
        "IpPrefix 10.0.1.0/24 on Subnet web has active allocations and cannot be deleted."
    );
    // Same prefix, other settings: allowed while in use.
    let mut web = subnet("web", &["10.0.1.0/24"]);
    web.route_table = Some(linked_id("routeTables", "rt"));
    let (v, created) = put_subnet(&vnet_id(), &v, web, &web_in_use, &linked(), "e")
        .map(|(w, c)| (w.vnet, c))
        .unwrap();
    assert!(!created);
    assert!(v.subnet("web").unwrap().route_table.is_some());
}

#[test]
fn delete_subnet_refuses_one_in_use() {
    let v = stored();
    let e = delete_subnet(&v, "Web", &web_in_use).unwrap_err();
    assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
    assert!(
        e.to_string().starts_with(&format!(
            "Subnet web is in use by {USER} and cannot be deleted."
        )),
        "{e}"
    );

    let next = delete_subnet(&v, "DB", &web_in_use).unwrap().unwrap();
    assert_eq!(
        next.released,
        vec![ReleasedPrefix {
            subnet: "db".into(),
            prefix: "10.0.2.0/24".parse().unwrap()
        }]
    );
    let next = next.vnet;
    assert!(next.subnet("db").is_none());
    assert!(next.subnet("web").is_some());

    assert_eq!(delete_subnet(&v, "nosuch", &web_in_use).unwrap(), None);
}

#[test]
fn delete_vnet_refuses_while_any_subnet_is_in_use() {
    let v = stored();
    let e = delete_vnet(&v, &web_in_use).unwrap_err();
    assert_eq!(e.code(), "InUseSubnetCannotBeDeleted");
    assert!(e.to_string().contains(USER), "{e}");
    assert_eq!(delete_vnet(&v, &no_users).unwrap().len(), 2);
}
