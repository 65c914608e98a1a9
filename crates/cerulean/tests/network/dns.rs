//! Private DNS zones and public DNS zones (generic resources with Azure's behaviour beside
//! storage, `cerulean_domain::dns`): a zone is created with its apex SOA (and a public one
//! with its NS and name servers), which cannot be deleted; record sets show their FQDN; a
//! zone counts its record sets and links; a link names an existing network, once per zone;
//! a zone with links cannot be deleted. What `azurerm_private_dns_zone` reads back after its
//! PUT, and what `az network private-dns` shows.

use super::concurrency::one_winner_with;
use super::*;

fn zone_id(rg: &str, zone: &str) -> String {
    rid(rg, "privateDnsZones", zone)
}

pub(super) async fn private_dns_zones(s: &Server) {
    group(s, "dns").await;
    vnet(
        s,
        "dns",
        "hub",
        &["10.0.0.0/16"],
        &[("a", &["10.0.1.0/24"])],
    )
    .await;
    vnet(
        s,
        "dns",
        "spoke",
        &["10.1.0.0/16"],
        &[("a", &["10.1.1.0/24"])],
    )
    .await;
    let zone = zone_id("dns", "corp.internal");
    let (st, body) = s.put(&at(&zone), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["properties"]["numberOfRecordSets"], 1, "{body}");
    assert_eq!(body["properties"]["maxNumberOfRecordSets"], 25000);
    assert_eq!(body["properties"]["maxNumberOfVirtualNetworkLinks"], 1000);
    assert_eq!(
        body["properties"]["maxNumberOfVirtualNetworkLinksWithRegistration"],
        100
    );
    assert_eq!(body["properties"]["numberOfVirtualNetworkLinks"], 0);

    // The SOA Azure creates with the zone, which azurerm reads after every PUT.
    let soa = format!("{zone}/SOA/@");
    let (st, got) = s.get(&at(&soa)).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(got["type"], "Microsoft.Network/privateDnsZones/SOA");
    assert_eq!(got["name"], "@");
    let props = &got["properties"];
    assert_eq!(props["fqdn"], "corp.internal.");
    assert_eq!(props["ttl"], 3600);
    assert_eq!(props["isAutoRegistered"], false);
    assert_eq!(props["soaRecord"]["host"], "azureprivatedns.net");
    assert_eq!(
        props["soaRecord"]["email"],
        "azureprivatedns-host.microsoft.com"
    );
    assert_eq!(props["soaRecord"]["minimumTtl"], 10);
    assert_eq!(props["soaRecord"]["expireTime"], 2419200);
    // A client's SOA update keeps Azure's host.
    let (st, body) = s
        .put(
            &at(&soa),
            json!({"properties": {"ttl": 300, "soaRecord": {"email": "ops.corp.internal", "host": "mine.example", "refreshTime": 1800, "retryTime": 300, "expireTime": 2419200, "minimumTtl": 60}}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        body["properties"]["soaRecord"]["host"],
        "azureprivatedns.net"
    );
    assert_eq!(
        body["properties"]["soaRecord"]["email"],
        "ops.corp.internal"
    );
    assert_eq!(body["properties"]["ttl"], 300);

    // Record sets: their FQDN, listed by type and all together.
    let a = format!("{zone}/A/db");
    let (st, body) = s
        .put(
            &at(&a),
            json!({"properties": {"ttl": 300, "aRecords": [{"ipv4Address": "10.0.1.4"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["type"], "Microsoft.Network/privateDnsZones/A");
    assert_eq!(body["properties"]["fqdn"], "db.corp.internal.");
    assert_eq!(body["properties"]["aRecords"][0]["ipv4Address"], "10.0.1.4");
    let cname = format!("{zone}/CNAME/www");
    let (st, body) = s
        .put(
            &at(&cname),
            json!({"properties": {"ttl": 60, "cnameRecord": {"cname": "db.corp.internal"}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, list) = s.get(&at(&format!("{zone}/A"))).await;
    assert_eq!(names(&list), vec!["db"]);
    let (st, list) = s.get(&at(&format!("{zone}/ALL"))).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let mut all = names(&list);
    all.sort();
    assert_eq!(all, vec!["@", "db", "www"]);

    // An SOA elsewhere than the apex, and the apex SOA's delete, are refused.
    let (st, body) = s
        .put(
            &at(&format!("{zone}/SOA/other")),
            json!({"properties": {"ttl": 1}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "BadRequest");
    assert_contains(&msg, "only be created at the zone apex");
    let (st, _, body) = delete(s, &soa).await;
    let msg = assert_error(st, &body, 400, "BadRequest");
    assert_contains(&msg, "SOA record set at the zone apex cannot be deleted");
    let (st, _, body) = delete(s, &cname).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // Links: to an existing network, once per network; counted on the zone.
    let link = |name: &str| format!("{zone}/virtualNetworkLinks/{name}");
    let to = |vnet: &str, registration: bool| json!({"location": "global", "properties": {"virtualNetwork": {"id": rid("dns", "virtualNetworks", vnet)}, "registrationEnabled": registration}});
    let (st, body) = s.put(&at(&link("hub")), to("hub", true)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["properties"]["virtualNetworkLinkState"], "Completed");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    let (st, body) = s.put(&at(&link("again")), to("hub", false)).await;
    let msg = assert_error(st, &body, 409, "Conflict");
    assert_contains(
        &msg,
        "already linked to private DNS zone corp.internal by link hub",
    );
    let (st, body) = s.put(&at(&link("ghost")), to("ghost", false)).await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    let (st, body) = s
        .put(
            &at(&link("none")),
            json!({"location": "global", "properties": {}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    // Updating a link keeps it (it does not collide with itself).
    let (st, body) = s.put(&at(&link("hub")), to("hub", false)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, body) = s.put(&at(&link("hub")), to("hub", true)).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // Links racing for one network: one wins.
    let racers: Vec<(String, Value)> = (0..6)
        .map(|i| (at(&link(&format!("race{i}"))), to("spoke", false)))
        .collect();
    let winner = one_winner_with(s, racers, 409, "Conflict").await;
    let (_, list) = s.get(&at(&format!("{zone}/virtualNetworkLinks"))).await;
    let mut linked = names(&list);
    linked.sort();
    assert_eq!(linked, vec!["hub".to_string(), format!("race{winner}")]);

    let (_, got) = s.get(&at(&zone)).await;
    assert_eq!(got["properties"]["numberOfRecordSets"], 2, "{got}");
    assert_eq!(got["properties"]["numberOfVirtualNetworkLinks"], 2);
    assert_eq!(
        got["properties"]["numberOfVirtualNetworkLinksWithRegistration"],
        1
    );
    let (_, zones) = s.get(&list_path(Some("dns"), "privateDnsZones")).await;
    assert_eq!(
        zones["value"][0]["properties"]["numberOfRecordSets"], 2,
        "{zones}"
    );
    // Listed across the subscription's groups too (`az network private-dns zone list`).
    group(s, "dns2").await;
    let other = zone_id("dns2", "other.internal");
    let (st, body) = s.put(&at(&other), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, zones) = s.get(&list_path(None, "privateDnsZones")).await;
    assert_eq!(st, StatusCode::OK, "{zones}");
    assert_eq!(names(&zones), vec!["corp.internal", "other.internal"]);
    assert_eq!(zones["value"][1]["id"], other.as_str());
    // A network linked to a zone is not linked to another zone of that name.
    let twin = zone_id("dns2", "corp.internal");
    let (st, body) = s.put(&at(&twin), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s
        .put(
            &at(&format!("{twin}/virtualNetworkLinks/hub")),
            to("hub", false),
        )
        .await;
    let msg = assert_error(st, &body, 400, "BadRequest");
    assert_eq!(msg, "A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with 'corp.internal' and 'corp.internal' zones.");
    let (st, _, body) = delete(s, &twin).await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // A zone with links stays; without them it goes, its record sets with it.
    let (st, _, body) = delete(s, &zone).await;
    let msg = assert_error(st, &body, 409, "Conflict");
    assert_contains(&msg, "hub");
    for name in ["hub".to_string(), format!("race{winner}")] {
        let (st, _, body) = delete(s, &link(&name)).await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    let (st, _, body) = delete(s, &zone).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, _) = s.get(&at(&a)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s.get(&at(&soa)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Zones racing to register one network's VMs: one wins.
    let mut racers = Vec::new();
    for i in 0..5 {
        let z = zone_id("dns", &format!("z{i}.internal"));
        let (st, body) = s.put(&at(&z), json!({"location": "global"})).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
        racers.push((at(&format!("{z}/virtualNetworkLinks/hub")), to("hub", true)));
    }
    one_winner_with(s, racers, 409, "Conflict").await;
}

pub(super) async fn public_dns_zones(s: &Server) {
    group(s, "pub").await;
    let zone = rid("pub", "dnsZones", "contoso.com");
    let (st, body) = s.put(&at(&zone), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["properties"]["numberOfRecordSets"], 2, "{body}");
    assert_eq!(body["properties"]["zoneType"], "Public");
    assert_eq!(
        body["properties"]["nameServers"][0],
        "ns1-01.azure-dns.com."
    );
    let (st, ns) = s.get(&at(&format!("{zone}/NS/@"))).await;
    assert_eq!(st, StatusCode::OK, "{ns}");
    assert_eq!(ns["properties"]["NSRecords"].as_array().unwrap().len(), 4);
    assert_eq!(ns["properties"]["ttl"], 172800);
    let (_, soa) = s.get(&at(&format!("{zone}/SOA/@"))).await;
    assert_eq!(
        soa["properties"]["soaRecord"]["host"],
        "ns1-01.azure-dns.com."
    );
    assert_eq!(
        soa["properties"]["soaRecord"]["email"],
        "azuredns-hostmaster.microsoft.com"
    );
    let (st, _, body) = delete(s, &format!("{zone}/NS/@")).await;
    assert_error(st, &body, 400, "BadRequest");
    let (st, list) = s.get(&at(&format!("{zone}/recordsets"))).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), vec!["@", "@"]);
    // Echoed read-only counts are not kept.
    let (st, body) = s
        .put(&at(&zone), json!({"location": "global", "tags": {"env": "test"}, "properties": {"numberOfRecordSets": 99}}))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["numberOfRecordSets"], 2);
    assert_eq!(body["tags"]["env"], "test");
}

/// Deleting the group of a zone takes its links, and with them the network's link and
/// registration: another zone of that name, refused before, may then link and register it.
pub(super) async fn a_group_delete_releases_dns_registrations(s: &Server) {
    group(s, "net").await;
    vnet(
        s,
        "net",
        "hub",
        &["10.0.0.0/16"],
        &[("a", &["10.0.1.0/24"])],
    )
    .await;
    let link_to_hub = json!({"location": "global", "properties": {
        "virtualNetwork": {"id": rid("net", "virtualNetworks", "hub")}, "registrationEnabled": true}});
    for rg in ["dns-a", "dns-b"] {
        group(s, rg).await;
        let (st, body) = s
            .put(
                &at(&zone_id(rg, "corp.internal")),
                json!({"location": "global"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let link = |rg: &str| format!("{}/virtualNetworkLinks/hub", zone_id(rg, "corp.internal"));
    let (st, body) = s.put(&at(&link("dns-a")), link_to_hub.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&link("dns-b")), link_to_hub.clone()).await;
    assert_error(st, &body, 400, "BadRequest");
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path("dns-a"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (_, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(op["status"], "Succeeded", "{op}");
    let (st, body) = s.put(&at(&link("dns-b")), link_to_hub).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // Deleting the network clears its links (Azure's private DNS FAQ: "your deletion
    // operation succeeds and the links to the DNS zone are automatically cleared"); the
    // zone may then go.
    delete_ok(s, &rid("net", "virtualNetworks", "hub")).await;
    let (st, _) = s.get(&at(&link("dns-b"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, zone) = s.get(&at(&zone_id("dns-b", "corp.internal"))).await;
    assert_eq!(
        zone["properties"]["numberOfVirtualNetworkLinks"], 0,
        "{zone}"
    );
    let (st, _, body) = delete(s, &zone_id("dns-b", "corp.internal")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}
