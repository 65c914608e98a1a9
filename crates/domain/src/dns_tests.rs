use super::*;

#[test]
fn kinds_are_told_apart_by_type_path() {
    assert_eq!(
        kind_of("microsoft.network/privatednszones"),
        Some(DnsKind::Zone(ZoneKind::Private))
    );
    assert_eq!(
        kind_of("microsoft.network/dnszones"),
        Some(DnsKind::Zone(ZoneKind::Public))
    );
    assert_eq!(
        kind_of("microsoft.network/privatednszones/a"),
        Some(DnsKind::RecordSet(ZoneKind::Private, "A"))
    );
    assert_eq!(
        kind_of("microsoft.network/privatednszones/virtualnetworklinks"),
        Some(DnsKind::Link)
    );
    assert_eq!(
        kind_of("microsoft.network/dnszones/ns"),
        Some(DnsKind::RecordSet(ZoneKind::Public, "NS"))
    );
    // A private zone holds no NS record sets, and a public one no links.
    assert_eq!(kind_of("microsoft.network/privatednszones/ns"), None);
    assert_eq!(
        kind_of("microsoft.network/dnszones/virtualnetworklinks"),
        None
    );
    assert_eq!(kind_of("microsoft.network/privatednszonesx"), None);
    assert_eq!(kind_of("microsoft.network/virtualnetworks"), None);
}

#[test]
fn the_fqdn_of_the_apex_is_the_zones() {
    assert_eq!(fqdn("contoso.internal", "@"), "contoso.internal.");
    assert_eq!(fqdn("contoso.internal", "db"), "db.contoso.internal.");
}

#[test]
fn an_soa_record_set_lives_at_the_apex_only() {
    assert!(check_record_set_name("SOA", "@").is_ok());
    assert!(check_record_set_name("A", "www").is_ok());
    let e = check_record_set_name("SOA", "www").unwrap_err();
    assert_eq!(e.code(), "BadRequest");
    assert_eq!(
        e.to_string(),
        "A record set of type SOA can only be created at the zone apex ('@'), not as 'www'."
    );
}

#[test]
fn the_apex_soa_and_public_ns_cannot_be_deleted() {
    let soa = DnsKind::RecordSet(ZoneKind::Private, "SOA");
    let e = check_record_set_deletable(soa, "@").unwrap_err();
    assert_eq!(e.code(), "BadRequest");
    assert_eq!(
        e.to_string(),
        "The SOA record set at the zone apex cannot be deleted: it is created and deleted with its zone."
    );
    let ns = DnsKind::RecordSet(ZoneKind::Public, "NS");
    assert!(check_record_set_deletable(ns, "@").is_err());
    assert!(check_record_set_deletable(ns, "child").is_ok());
    let a = DnsKind::RecordSet(ZoneKind::Private, "A");
    assert!(check_record_set_deletable(a, "@").is_ok());
}

#[test]
fn a_private_zone_with_links_cannot_be_deleted() {
    assert!(check_zone_deletable("z.internal", &[]).is_ok());
    let e = check_zone_deletable("z.internal", &["hub".into(), "spoke".into()]).unwrap_err();
    assert_eq!(e.code(), "Conflict");
    assert_eq!(e.class(), crate::error::ErrorClass::Conflict);
    assert_eq!(
        e.to_string(),
        "The private DNS zone z.internal cannot be deleted while virtual network links to it remain (hub, spoke). Delete the links first."
    );
}

#[test]
fn a_network_is_linked_to_a_zone_once() {
    let others = vec![(
        "hub".to_string(),
        "/subscriptions/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/hub"
            .to_string(),
    )];
    assert!(check_one_link_per_network("z", "/x/virtualNetworks/spoke", &others).is_ok());
    let e = check_one_link_per_network(
        "z",
        "/SUBSCRIPTIONS/s/resourceGroups/g/providers/Microsoft.Network/virtualNetworks/HUB",
        &others,
    )
    .unwrap_err();
    assert_eq!(e.code(), "Conflict");
    assert_eq!(e.class(), crate::error::ErrorClass::Conflict);
    assert!(e
        .to_string()
        .contains("already linked to private DNS zone z by link hub"));
}

#[test]
fn zones_are_created_with_azures_soa() {
    let p = default_soa(ZoneKind::Private);
    assert_eq!(p.host, "azureprivatedns.net");
    assert_eq!(p.email, "azureprivatedns-host.microsoft.com");
    assert_eq!((p.minimum_ttl, p.ttl), (10, 3600));
    let q = default_soa(ZoneKind::Public);
    assert_eq!(q.host, NAME_SERVERS[0]);
    assert_eq!(q.minimum_ttl, 300);
    assert!(is_all_record_sets(ZoneKind::Private, "ALL"));
    assert!(!is_all_record_sets(ZoneKind::Private, "recordsets"));
    assert!(is_all_record_sets(ZoneKind::Public, "recordsets"));
}

#[test]
fn a_vm_registers_its_host_name_and_dhcp_address() {
    assert_eq!(host_name("vm1", None), "vm1");
    assert_eq!(host_name("vm1", Some("web-01")), "web-01");
    assert_eq!(host_name("vm1", Some("")), "vm1");
    let dynamic = PrimaryAddress {
        address: "10.0.0.4".into(),
        dynamic: true,
        ipv4: true,
    };
    assert_eq!(registered_address(Some(&dynamic)), Some("10.0.0.4".into()));
    // A static primary address, an IPv6 one, or no primary NIC: nothing is registered.
    let fixed = PrimaryAddress {
        dynamic: false,
        ..dynamic.clone()
    };
    assert_eq!(registered_address(Some(&fixed)), None);
    let v6 = PrimaryAddress {
        address: "fd00::4".into(),
        ipv4: false,
        ..dynamic
    };
    assert_eq!(registered_address(Some(&v6)), None);
    assert_eq!(registered_address(None), None);
}

#[test]
fn a_network_is_linked_to_one_zone_of_a_name() {
    assert!(check_no_overlapping_zone("corp.internal", &["db.corp.internal".into()]).is_ok());
    let e = check_no_overlapping_zone("corp.internal", &["CORP.internal".into()]).unwrap_err();
    assert_eq!(e.code(), "BadRequest");
    assert_eq!(
        e.to_string(),
        "A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with 'CORP.internal' and 'corp.internal' zones."
    );
}

#[test]
fn a_network_registers_in_one_zone() {
    assert!(check_one_registration_zone("hub", None).is_ok());
    let e = check_one_registration_zone("hub", Some("/z/a.internal/virtualNetworkLinks/l"))
        .unwrap_err();
    assert_eq!(e.code(), "Conflict");
    assert_eq!(e.class(), crate::error::ErrorClass::Conflict);
    assert_eq!(
        e.to_string(),
        "Virtual network hub already registers its virtual machines in a private DNS zone, through link /z/a.internal/virtualNetworkLinks/l. A virtual network can be linked with auto-registration to one private DNS zone only."
    );
}
