//! Updates of a NIC, the address moves they plan, and its deletion.

use super::*;

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
    let e = check_delete(&nic_id(), Some(vm), None).unwrap_err();
    assert_eq!(e.code(), "NicInUse");
    assert_eq!(
        e.to_string(),
        format!("Network Interface {NIC} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")
    );
    check_delete(&nic_id(), None, None).unwrap();
}

const PE: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe";

#[test]
fn a_private_endpoints_nic_is_deleted_only_with_its_endpoint() {
    let e = check_delete(&nic_id(), None, Some(NicOwner::PrivateEndpoint(PE))).unwrap_err();
    assert_eq!(e.code(), "CannotModifyNicAttachedToPrivateEndpoint");
    assert_eq!(
        e.to_string(),
        format!("Network interface {NIC} is used by private endpoint {PE}. It can not be modified by user.")
    );
}

const PLS: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateLinkServices/svc";

#[test]
fn a_private_link_services_nic_is_its_alone() {
    let e = check_delete(&nic_id(), None, Some(NicOwner::PrivateLinkService(PLS))).unwrap_err();
    assert_eq!(e.code(), "CannotModifyNicAttachedToPrivateLinkService");
    assert_eq!(
        e.to_string(),
        format!("Network interface {NIC} is used by private link service {PLS}. It can not be modified by user.")
    );
    let mut nic = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    nic.private_link_service = Some(PLS.into());
    assert_eq!(nic.owner(), Some(NicOwner::PrivateLinkService(PLS)));
    let e = check_owner(&nic_id(), Some(&nic), None).unwrap_err();
    assert_eq!(e.code(), "CannotModifyNicAttachedToPrivateLinkService");
    check_owner(&nic_id(), Some(&nic), Some(PLS)).unwrap();
}

#[test]
fn only_its_endpoint_writes_a_private_endpoints_nic() {
    let mut nic = stored(vec![cfg("ip1", &subnet("v1", "a"))], &["10.0.1.4"]);
    nic.private_endpoint = Some(PE.into());
    let e = check_owner(&nic_id(), Some(&nic), None).unwrap_err();
    assert_eq!(e.code(), "CannotModifyNicAttachedToPrivateEndpoint");
    let other = PE.replace("/pe", "/other");
    assert!(check_owner(&nic_id(), Some(&nic), Some(&other)).is_err());
    check_owner(&nic_id(), Some(&nic), Some(&PE.to_uppercase())).unwrap();
    // A NIC of no endpoint is any client's.
    nic.private_endpoint = None;
    check_owner(&nic_id(), Some(&nic), None).unwrap();
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
