//! Private endpoints (generic resources with Azure's behaviour beside storage,
//! `cerulean_domain::private_endpoint`): an endpoint gets a NIC with an address in its subnet,
//! shows the service's names beside it and approves its connection; the NIC is the
//! endpoint's alone; a private DNS zone group keeps an A record per name in its zones and
//! follows the endpoint; deletes take the NIC, the address and the records with them.

use super::*;

fn account(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/{name}")
}

fn endpoint_body(subnet: &str, target: &str, groups: &[&str]) -> Value {
    json!({
        "location": LOC,
        "properties": {
            "subnet": {"id": subnet},
            "privateLinkServiceConnections": [{
                "name": "conn",
                "properties": {"privateLinkServiceId": target, "groupIds": groups},
            }],
        },
    })
}

fn zone_group_body(zones: &[&str]) -> Value {
    let configs: Vec<Value> = zones
        .iter()
        .map(|z| {
            let name = z.rsplit('/').next().unwrap();
            json!({"name": name, "properties": {"privateDnsZoneId": z}})
        })
        .collect();
    json!({"properties": {"privateDnsZoneConfigs": configs}})
}

pub(super) async fn private_endpoints(s: &Server) {
    let rg = "pe";
    group(s, rg).await;
    vnet(s, rg, "hub", &["10.0.0.0/16"], &[("a", &["10.0.1.0/24"])]).await;
    let subnet = subnet_id(rg, "hub", "a");
    let acct = account(rg, "Acct1");
    let (st, body) = s
        .put(&at(&acct), json!({"location": LOC, "kind": "StorageV2"}))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // What the account offers endpoints (`az network private-link-resource list`).
    let (st, list) = s.get(&at(&format!("{acct}/privateLinkResources"))).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(
        names(&list),
        ["blob", "blob_secondary", "file", "queue", "table", "dfs"]
    );
    let blob = &list["value"][0];
    assert_eq!(blob["id"], format!("{acct}/privateLinkResources/blob"));
    assert_eq!(
        blob["type"],
        "Microsoft.Storage/storageAccounts/privateLinkResources"
    );
    assert_eq!(blob["properties"]["groupId"], "blob");
    assert_eq!(
        blob["properties"]["requiredZoneNames"],
        json!(["privatelink.blob.core.windows.net"])
    );
    assert!(blob.get("etag").is_none(), "{blob}");

    // Refusals: a missing target, a group the service has not, two groups, no subnet.
    let pe = rid(rg, "privateEndpoints", "pe1");
    let missing = account(rg, "nothere");
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &missing, &["blob"]))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, &missing);
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &acct, &["web2"]))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(
        &msg,
        "Valid group ids: blob, blob_secondary, file, queue, table, dfs",
    );
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &acct, &["blob", "file"]))
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let mut no_subnet = endpoint_body(&subnet, &acct, &["blob"]);
    no_subnet["properties"]
        .as_object_mut()
        .unwrap()
        .remove("subnet");
    let (st, body) = s.put(&at(&pe), no_subnet).await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, body) = s
        .put(
            &at(&pe),
            endpoint_body(&subnet_id(rg, "hub", "nope"), &acct, &["blob"]),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    let (st, _) = s.get(&at(&pe)).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a refused endpoint is not stored"
    );

    // The endpoint: its NIC holds the subnet's first free address.
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &acct, &["blob"]))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let props = &body["properties"];
    assert_eq!(props["provisioningState"], "Succeeded");
    let conn = &props["privateLinkServiceConnections"][0];
    assert_eq!(
        conn["id"],
        format!("{pe}/privateLinkServiceConnections/conn")
    );
    let state = &conn["properties"]["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Approved", "{body}");
    assert_eq!(state["description"], "Auto-Approved");
    assert_eq!(props["manualPrivateLinkServiceConnections"], json!([]));
    assert_eq!(
        props["customDnsConfigs"],
        json!([{"fqdn": "acct1.blob.core.windows.net", "ipAddresses": ["10.0.1.4"]}])
    );
    // The subnet lists it, alone and within its network.
    let (_, got) = s.get(&at(&subnet)).await;
    assert_eq!(
        got["properties"]["privateEndpoints"],
        json!([{"id": pe}]),
        "{got}"
    );
    let (_, net) = s.get(&at(&rid(rg, "virtualNetworks", "hub"))).await;
    assert_eq!(
        net["properties"]["subnets"][0]["properties"]["privateEndpoints"],
        json!([{"id": pe}])
    );
    let nic = props["networkInterfaces"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        nic.starts_with(&format!(
            "{}/pe1.nic.",
            rid(rg, "networkInterfaces", "").trim_end_matches('/')
        )),
        "{nic}"
    );
    let (st, got) = s.get(&at(&nic)).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(got["properties"]["privateEndpoint"]["id"], pe);
    let config = &got["properties"]["ipConfigurations"][0];
    assert_eq!(config["properties"]["privateIPAddress"], "10.0.1.4");
    assert_eq!(config["properties"]["privateIPAllocationMethod"], "Dynamic");
    // What scripts read to write their own DNS records (`az network nic show --query
    // "ipConfigurations[?privateLinkConnectionProperties.requiredMemberName=='blob']"`).
    assert_eq!(
        config["properties"]["privateLinkConnectionProperties"],
        json!({"groupId": "blob", "requiredMemberName": "blob", "fqdns": ["acct1.blob.core.windows.net"]})
    );
    let (_, configs) = s.get(&at(&format!("{nic}/ipConfigurations"))).await;
    assert_eq!(
        configs["value"][0]["properties"]["privateLinkConnectionProperties"]["groupId"],
        "blob"
    );
    assert!(
        config["name"]
            .as_str()
            .unwrap()
            .starts_with("privateEndpointIpConfig."),
        "{config}"
    );
    // A NIC the client creates next takes the next address.
    let other = dynamic_nic(s, rg, "vmnic", &subnet).await;
    assert_eq!(other, "10.0.1.5");

    // The NIC is the endpoint's: no client changes or deletes it; its tags may change.
    let (st, body) = put_nic(
        s,
        rg,
        nic.rsplit('/').next().unwrap(),
        vec![ipc("x", &subnet)],
    )
    .await;
    let msg = assert_error(st, &body, 400, "CannotModifyNicAttachedToPrivateEndpoint");
    assert_contains(&msg, "It can not be modified by user.");
    let (st, _, body) = delete(s, &nic).await;
    assert_error(st, &body, 400, "CannotModifyNicAttachedToPrivateEndpoint");
    let (st, _, body) = s
        .call(Method::PATCH, &at(&nic), Some(json!({"tags": {"a": "b"}})))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");

    // The subnet cannot change; a second PUT keeps the NIC and its address.
    vnet(
        s,
        rg,
        "hub",
        &["10.0.0.0/16"],
        &[("a", &["10.0.1.0/24"]), ("b", &["10.0.2.0/24"])],
    )
    .await;
    let (st, body) = s
        .put(
            &at(&pe),
            endpoint_body(&subnet_id(rg, "hub", "b"), &acct, &["blob"]),
        )
        .await;
    assert_error(st, &body, 409, "PropertyChangeNotAllowed");
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &acct, &["blob"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["networkInterfaces"][0]["id"], nic);
    assert_eq!(
        body["properties"]["customDnsConfigs"][0]["ipAddresses"],
        json!(["10.0.1.4"])
    );
    // The NIC keeps its own tags: the endpoint's are not copied over them.
    let (_, got) = s.get(&at(&nic)).await;
    assert_eq!(got["tags"], json!({"a": "b"}), "{got}");

    // A zone group: the A record in the service's zone, shown on the group.
    let zone = rid(rg, "privateDnsZones", "privatelink.blob.core.windows.net");
    let (st, body) = s.put(&at(&zone), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let zg = format!("{pe}/privateDnsZoneGroups/default");
    let nowhere = rid(rg, "privateDnsZones", "missing.internal");
    let (st, body) = s.put(&at(&zg), zone_group_body(&[&nowhere])).await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    let six: Vec<String> = (0..6)
        .map(|i| rid(rg, "privateDnsZones", &format!("z{i}.internal")))
        .collect();
    let six: Vec<&str> = six.iter().map(String::as_str).collect();
    let (st, body) = s.put(&at(&zg), zone_group_body(&six)).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "up to 5 private DNS zones");
    let (st, body) = s.put(&at(&zg), zone_group_body(&[&zone])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let config = &body["properties"]["privateDnsZoneConfigs"][0];
    assert_eq!(config["name"], "privatelink.blob.core.windows.net");
    assert_eq!(
        config["properties"]["recordSets"],
        json!([{
            "recordType": "A",
            "recordSetName": "acct1",
            "fqdn": "acct1.privatelink.blob.core.windows.net",
            "ttl": 10,
            "ipAddresses": ["10.0.1.4"],
            "provisioningState": "Succeeded",
        }])
    );
    let record = format!("{zone}/A/acct1");
    let (st, got) = s.get(&at(&record)).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(
        got["properties"]["aRecords"],
        json!([{"ipv4Address": "10.0.1.4"}])
    );
    assert_eq!(got["properties"]["ttl"], 10);
    let (_, list) = s.get(&at(&format!("{pe}/privateDnsZoneGroups"))).await;
    assert_eq!(names(&list), ["default"]);
    let second = format!("{pe}/privateDnsZoneGroups/second");
    let (st, body) = s.put(&at(&second), zone_group_body(&[&zone])).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "already has private DNS zone group default");

    // A static address moves the NIC's address, and the record follows it.
    let mut fixed = endpoint_body(&subnet, &acct, &["blob"]);
    fixed["properties"]["ipConfigurations"] = json!([{
        "name": "static1",
        "properties": {"groupId": "blob", "memberName": "blob", "privateIPAddress": "10.0.1.50"},
    }]);
    let (st, body) = s.put(&at(&pe), fixed).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        body["properties"]["customDnsConfigs"][0]["ipAddresses"],
        json!(["10.0.1.50"])
    );
    let (_, got) = s.get(&at(&record)).await;
    assert_eq!(
        got["properties"]["aRecords"],
        json!([{"ipv4Address": "10.0.1.50"}])
    );
    let (_, got) = s.get(&at(&zg)).await;
    assert_eq!(
        got["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"][0]["ipAddresses"],
        json!(["10.0.1.50"])
    );
    let (_, got) = s.get(&at(&nic)).await;
    assert_eq!(
        got["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"],
        "10.0.1.50"
    );

    // A zone deleted under its group leaves the endpoint writable.
    let spare = rid(rg, "privateDnsZones", "spare.internal");
    let (st, body) = s.put(&at(&spare), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&zg), zone_group_body(&[&zone, &spare])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, _, body) = delete(s, &spare).await;
    assert!(st.is_success(), "{body}");
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &acct, &["blob"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, got) = s.get(&at(&record)).await;
    assert_eq!(
        got["properties"]["aRecords"],
        json!([{"ipv4Address": "10.0.1.4"}]),
        "the zone that remains follows the endpoint"
    );
    let (_, got) = s.get(&at(&zg)).await;
    let zones: Vec<&str> = got["properties"]["privateDnsZoneConfigs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["properties"]["privateDnsZoneId"].as_str().unwrap())
        .collect();
    assert_eq!(zones, [zone.as_str()], "{got}");

    // Deleting the zone group takes its record; deleting the endpoint its NIC and address.
    let (st, _, body) = delete(s, &zg).await;
    assert!(st.is_success(), "{body}");
    let (st, _) = s.get(&at(&record)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body) = s.put(&at(&zg), zone_group_body(&[&zone])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = delete(s, &pe).await;
    assert!(st.is_success(), "{body}");
    for gone in [&pe, &nic, &zg, &record] {
        let (st, _) = s.get(&at(gone)).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{gone}");
    }
    let (_, got) = s.get(&at(&subnet)).await;
    assert!(got["properties"].get("privateEndpoints").is_none(), "{got}");
    let (st, body) = s
        .put(&at(&pe), endpoint_body(&subnet, &acct, &["blob"]))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["customDnsConfigs"][0]["ipAddresses"],
        json!(["10.0.1.4"]),
        "the address came back to the subnet"
    );

    // A NIC of that name that is not the endpoint's stays the client's.
    dynamic_nic(s, rg, "taken", &subnet).await;
    let mut named = endpoint_body(&subnet, &acct, &["blob"]);
    named["properties"]["customNetworkInterfaceName"] = json!("taken");
    let (st, body) = s.put(&at(&rid(rg, "privateEndpoints", "pe3")), named).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "already exists");

    // A manual connection waits for approval and publishes no names.
    let manual = rid(rg, "privateEndpoints", "pe2");
    let (st, body) = s
        .put(
            &at(&manual),
            json!({
                "location": LOC,
                "properties": {
                    "subnet": {"id": subnet},
                    "customNetworkInterfaceName": "pe2-nic",
                    "manualPrivateLinkServiceConnections": [{
                        "name": "m",
                        "properties": {
                            "privateLinkServiceId": acct,
                            "groupIds": ["file"],
                            "requestMessage": "please",
                        },
                    }],
                },
            }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let state = &body["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]
        ["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Pending", "{body}");
    assert_eq!(body["properties"]["customDnsConfigs"], json!([]));
    assert_eq!(
        body["properties"]["networkInterfaces"][0]["id"],
        nic_id(rg, "pe2-nic")
    );

    // The resource's delete leaves the endpoint, its connection disconnected.
    let gone = account(rg, "gone");
    let (st, body) = s.put(&at(&gone), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let orphan = rid(rg, "privateEndpoints", "orphan");
    let (st, body) = s
        .put(&at(&orphan), endpoint_body(&subnet, &gone, &["queue"]))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = delete(s, &gone).await;
    assert!(st.is_success(), "{body}");
    let (_, got) = s.get(&at(&orphan)).await;
    let state = &got["properties"]["privateLinkServiceConnections"][0]["properties"]
        ["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Disconnected", "{got}");

    // A group delete takes endpoints, NICs and the records in zones of other groups.
    let other = "pe-dns";
    group(s, other).await;
    let zone2 = rid(
        other,
        "privateDnsZones",
        "privatelink.blob.core.windows.net",
    );
    let (st, body) = s.put(&at(&zone2), json!({"location": "global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&zg), zone_group_body(&[&zone2])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _) = s.get(&at(&format!("{zone2}/A/acct1"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path(rg), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (_, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(op["status"], "Succeeded", "{op}");
    let (st, _) = s.get(&at(&format!("{zone2}/A/acct1"))).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "the record left with its endpoint"
    );
}
