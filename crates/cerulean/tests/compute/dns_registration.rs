//! Private DNS auto-registration: a zone linked to a network with `registrationEnabled`
//! keeps an A record for each VM of the network (its host name, its primary NIC's primary
//! address while that address is dynamic, TTL 10, `isAutoRegistered`). The record follows
//! the seed's rules: when the primary NIC is removed and another becomes primary, the record
//! moves to that NIC's address. It goes with the VM or the link's registration; a network
//! registers in one zone.

use super::*;

fn zone_id(rg: &str, zone: &str) -> String {
    net(rg, "privateDnsZones", zone)
}

fn link_body(rg: &str, vnet: &str, registration: bool) -> Value {
    json!({"location": "global", "properties": {
        "virtualNetwork": {"id": net(rg, "virtualNetworks", vnet)},
        "registrationEnabled": registration}})
}

fn named(host: Option<&str>, nics: Vec<Value>) -> Value {
    let mut body = vm_body("Standard_B2s", nics);
    match host {
        Some(h) => body["properties"]["osProfile"]["computerName"] = json!(h),
        None => {
            body["properties"]["osProfile"]
                .as_object_mut()
                .unwrap()
                .remove("computerName");
        }
    }
    body
}

/// The auto-registered address of `name` in `zone`, or None when there is no record.
async fn registered(s: &Server, zone: &str, name: &str) -> Option<String> {
    let (st, body) = s.get(&at(&format!("{zone}/A/{name}"))).await;
    if st == StatusCode::NOT_FOUND {
        return None;
    }
    assert_eq!(st, StatusCode::OK, "{body}");
    let props = &body["properties"];
    assert_eq!(props["isAutoRegistered"], true, "{body}");
    assert_eq!(props["ttl"], 10, "{body}");
    assert_eq!(props["fqdn"], format!("{name}.corp.internal."));
    let records = props["aRecords"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{body}");
    Some(records[0]["ipv4Address"].as_str().unwrap().to_string())
}

async fn put_link(s: &Server, id: &str, body: Value) -> (StatusCode, Value) {
    s.put(&at(id), body).await
}

pub(super) async fn private_dns_registration(s: &Server) {
    let rg = "dnsreg";
    group(s, rg).await;
    vnet(s, rg, "v", &["10.0.0.0/16"], &[("a", &["10.0.1.0/24"])]).await;
    let subnet = subnet_id(rg, "v", "a");
    let n1 = nic(s, rg, "n1", &subnet).await;
    let n2 = nic(s, rg, "n2", &subnet).await;
    let fixed = nic_id(rg, "fixed");
    let (st, body) = s
        .put(
            &at(&fixed),
            json!({"location": LOC, "properties": {"ipConfigurations": [ipc_with("ipconfig1", &subnet,
                json!({"privateIPAllocationMethod": "Static", "privateIPAddress": "10.0.1.50"}))]}}),
        )
        .await;
    assert!(st.is_success(), "{body}");
    let address = |nic: &Value| {
        nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (a1, a2) = (
        address(&get_ok(s, &n1).await),
        address(&get_ok(s, &n2).await),
    );

    // A VM that exists before the link is registered when the link comes.
    let web = vm_id(rg, "vm1");
    put_vm_ok(
        s,
        &web,
        named(
            Some("web1"),
            vec![nref(&n1, Some(true)), nref(&n2, Some(false))],
        ),
        StatusCode::CREATED,
    )
    .await;
    let zone = zone_id(rg, "corp.internal");
    let (st, body) = s.put(&at(&zone), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let link = format!("{zone}/virtualNetworkLinks/v-link");
    let (st, body) = put_link(s, &link, link_body(rg, "v", true)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(registered(s, &zone, "web1").await, Some(a1.clone()));

    // One created after it too, under its VM name when it has no host name; not one whose
    // primary address is static.
    let db = vm_id(rg, "db");
    let n3 = nic(s, rg, "n3", &subnet).await;
    let a3 = address(&get_ok(s, &n3).await);
    put_vm_ok(
        s,
        &db,
        named(None, vec![nref(&n3, Some(true))]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(registered(s, &zone, "db").await, Some(a3));
    let appliance = vm_id(rg, "nva");
    put_vm_ok(
        s,
        &appliance,
        named(Some("nva"), vec![nref(&fixed, Some(true))]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(registered(s, &zone, "nva").await, None);
    let (_, got) = s.get(&at(&zone)).await;
    assert_eq!(got["properties"]["numberOfRecordSets"], 3, "{got}");
    assert_eq!(
        got["properties"]["numberOfVirtualNetworkLinksWithRegistration"],
        1
    );

    // A network registers in one zone: another zone may link it, without registration.
    let other = zone_id(rg, "other.internal");
    let (st, body) = s.put(&at(&other), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let other_link = format!("{other}/virtualNetworkLinks/v-link");
    let (st, body) = put_link(s, &other_link, link_body(rg, "v", true)).await;
    let msg = assert_error(st, &body, 409, "Conflict");
    assert_contains(
        &msg,
        "A virtual network can be linked with auto-registration to one private DNS zone only",
    );
    let (st, body) = put_link(s, &other_link, link_body(rg, "v", false)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(registered(s, &other, "web1").await, None);

    // The seed: deallocated, the VM's primary NIC removed, the other one becomes primary,
    // and the record follows it.
    power(s, &web, "deallocate").await;
    put_vm_ok(
        s,
        &web,
        named(Some("web1"), vec![nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(registered(s, &zone, "web1").await, Some(a2.clone()));

    // Its address made static: no record; dynamic again: back.
    let static_body = |allocation: &str| {
        json!({"location": LOC, "properties": {"ipConfigurations": [ipc_with("ipconfig1", &subnet,
            json!({"privateIPAllocationMethod": allocation, "privateIPAddress": a2}))]}})
    };
    let (st, body) = s.put(&at(&n2), static_body("Static")).await;
    assert!(st.is_success(), "{body}");
    assert_eq!(registered(s, &zone, "web1").await, None);
    let (st, body) = s.put(&at(&n2), static_body("Dynamic")).await;
    assert!(st.is_success(), "{body}");
    assert_eq!(registered(s, &zone, "web1").await, Some(a2.clone()));

    // Registration turned off and on: the records go and come back.
    let (st, body) = put_link(s, &link, link_body(rg, "v", false)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(registered(s, &zone, "web1").await, None);
    assert_eq!(registered(s, &zone, "db").await, None);
    let (st, body) = put_link(s, &link, link_body(rg, "v", true)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(registered(s, &zone, "web1").await, Some(a2.clone()));

    // A client's record under the VM's name overwrites the registered one; deleting it
    // brings the registration back while the VM exists (Azure's private DNS FAQ).
    let web1 = format!("{zone}/A/web1");
    let (st, body) = s
        .put(
            &at(&web1),
            json!({"properties": {"ttl": 60, "aRecords": [{"ipv4Address": "10.0.9.8"}]}}),
        )
        .await;
    assert!(st.is_success(), "{body}");
    let (_, got) = s.get(&at(&web1)).await;
    assert_eq!(got["properties"]["isAutoRegistered"], false, "{got}");
    assert_eq!(got["properties"]["aRecords"][0]["ipv4Address"], "10.0.9.8");
    let (st, _, body) = s.call(Method::DELETE, &at(&web1), None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(registered(s, &zone, "web1").await, Some(a2));

    // A client's own record under a VM's name is the client's.
    let manual = format!("{zone}/A/manual");
    let (st, body) = s
        .put(
            &at(&manual),
            json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.0.9.9"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // Deleting a VM takes its record.
    let (st, hdrs, body) = s.call(Method::DELETE, &at(&db), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    poll_succeeded(s, &hdrs).await;
    assert_eq!(registered(s, &zone, "db").await, None);

    // Deleting the link takes the rest; the other zone may then register the network.
    let (st, _, body) = s.call(Method::DELETE, &at(&link), None).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(registered(s, &zone, "web1").await, None);
    let (_, kept) = s.get(&at(&manual)).await;
    assert_eq!(kept["properties"]["isAutoRegistered"], false, "{kept}");
    let (st, body) = put_link(s, &other_link, link_body(rg, "v", true)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, other_a) = s.get(&at(&format!("{other}/A/web1"))).await;
    assert_eq!(other_a["properties"]["isAutoRegistered"], true, "{other_a}");
}
