use super::*;

fn conn(kind: &str, groups: &[&str]) -> Connection {
    Connection {
        name: "c".into(),
        target: format!("/subscriptions/s/resourceGroups/rg/providers/{kind}/acct"),
        target_kind: kind.to_ascii_lowercase(),
        group_ids: groups.iter().map(|g| g.to_string()).collect(),
        manual: false,
    }
}

#[test]
fn a_storage_accounts_blob_is_a_known_service() {
    let s = service_of(&conn("Microsoft.Storage/storageAccounts", &["BLOB"]))
        .unwrap()
        .unwrap();
    assert_eq!(s.group_id, "blob");
    assert_eq!(s.zone, "privatelink.blob.core.windows.net");
    assert_eq!(fqdns(s, "Acct", "eastus"), ["acct.blob.core.windows.net"]);
}

#[test]
fn a_registry_has_its_data_endpoint_too() {
    let s = service_of(&conn(
        "Microsoft.ContainerRegistry/registries",
        &["registry"],
    ))
    .unwrap()
    .unwrap();
    assert_eq!(
        fqdns(s, "reg", "westeurope"),
        ["reg.azurecr.io", "reg.westeurope.data.azurecr.io"]
    );
}

#[test]
fn an_unknown_group_of_a_known_type_is_refused_with_the_valid_ones() {
    let e = service_of(&conn("Microsoft.Storage/storageAccounts", &["web2"])).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    let m = e.to_string();
    assert!(m.contains("Group id 'web2'"), "{m}");
    assert!(
        m.contains("blob, blob_secondary, file, queue, table, dfs"),
        "{m}"
    );
}

#[test]
fn a_known_type_takes_one_group() {
    let e = service_of(&conn(
        "Microsoft.Storage/storageAccounts",
        &["blob", "file"],
    ))
    .unwrap_err();
    assert!(e.to_string().contains("exactly one group id"), "{e}");
    let e = service_of(&conn("Microsoft.Storage/storageAccounts", &[])).unwrap_err();
    assert!(e.to_string().contains("it names 0"), "{e}");
}

#[test]
fn other_types_take_any_group_and_publish_no_names() {
    assert_eq!(
        service_of(&conn("Microsoft.Network/privateLinkServices", &[])).unwrap(),
        None
    );
    assert_eq!(
        service_of(&conn("Contoso.Widgets/widgets", &["a", "b"])).unwrap(),
        None
    );
}

#[test]
fn an_endpoint_has_one_connection() {
    let one = conn("Microsoft.Storage/storageAccounts", &["blob"]);
    check_connections("pe", std::slice::from_ref(&one)).unwrap();
    let e = check_connections("pe", &[]).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    assert!(e.to_string().contains("it has 0"), "{e}");
    let e = check_connections("pe", &[one.clone(), one]).unwrap_err();
    assert!(e.to_string().contains("it has 2"), "{e}");
}

#[test]
fn record_names_strip_the_services_suffix_in_its_zone() {
    let z = "privatelink.blob.core.windows.net";
    assert_eq!(record_name("acct.blob.core.windows.net", z), "acct");
    assert_eq!(record_name("Acct.Blob.Core.Windows.Net.", z), "acct");
    // A vault's names are under vault.azure.net, its zone privatelink.vaultcore.azure.net.
    assert_eq!(
        record_name("kv1.vault.azure.net", "privatelink.vaultcore.azure.net"),
        "kv1"
    );
    assert_eq!(
        record_name("reg.eastus.data.azurecr.io", "privatelink.azurecr.io"),
        "reg.eastus.data"
    );
    // A zone of another name: the first label (Azure's example: abc.cosmos.com in zone1.com).
    assert_eq!(record_name("abc.cosmos.com", "zone1.com"), "abc");
    // Names of any characters (a resource's name may hold them).
    assert_eq!(
        record_name("aéééééééééééé.blob.core.windows.net", z),
        "aéééééééééééé"
    );
    assert_eq!(record_name("aééééééééééé", z), "aééééééééééé");
    // A suffix match must fall on a label boundary.
    assert_eq!(
        record_name(
            "xblob.core.windows.net",
            "privatelink.blob.core.windows.net"
        ),
        "xblob"
    );
}

#[test]
fn public_names_alias_their_privatelink_names() {
    assert_eq!(
        privatelink_alias("acct.blob.core.windows.net."),
        Some((
            "acct.privatelink.blob.core.windows.net".to_string(),
            "privatelink.blob.core.windows.net"
        ))
    );
    assert_eq!(
        privatelink_alias("KV1.vault.azure.net").map(|(n, _)| n),
        Some("kv1.privatelink.vaultcore.azure.net".to_string())
    );
    assert_eq!(privatelink_alias("blob.core.windows.net"), None);
    assert_eq!(
        privatelink_alias("acct.privatelink.blob.core.windows.net"),
        None
    );
    assert_eq!(privatelink_alias("example.com"), None);
}

#[test]
fn the_nic_is_named_after_the_endpoint_unless_the_request_names_it() {
    assert_eq!(nic_name("pe", None, "g"), "pe.nic.g");
    assert_eq!(nic_name("pe", Some(""), "g"), "pe.nic.g");
    assert_eq!(nic_name("pe", Some("mine"), "g"), "mine");
    assert_eq!(ip_config_name("g"), "privateEndpointIpConfig.g");
}

#[test]
fn a_zone_group_names_up_to_five_zones_once_each_and_is_the_only_one() {
    let zones = |n: usize| (0..n).map(|i| format!("z{i}.internal")).collect::<Vec<_>>();
    check_zone_group("pe", &zones(5), None).unwrap();
    let e = check_zone_group("pe", &zones(6), None).unwrap_err();
    assert_eq!(e.code(), "InvalidParameter");
    assert!(e.to_string().contains("up to 5"), "{e}");
    let twice = vec!["a.internal".to_string(), "A.internal".to_string()];
    assert!(check_zone_group("pe", &twice, None)
        .unwrap_err()
        .to_string()
        .contains("named twice"));
    let e = check_zone_group("pe", &zones(1), Some("other")).unwrap_err();
    assert!(
        e.to_string()
            .contains("already has private DNS zone group other"),
        "{e}"
    );
}
