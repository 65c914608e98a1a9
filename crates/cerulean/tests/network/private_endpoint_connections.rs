//! The connected resource's side of a private endpoint (`{resource}/privateEndpointConnections`,
//! `cerulean_domain::private_endpoint::connection`): the owner sees each endpoint's
//! connection, approves a manual one (the endpoint then shows the service's names and its zone
//! group writes their record), rejects one (the names and record go), cannot approve a rejected
//! one or approve twice, and removes one (the endpoint is left disconnected). The endpoint's
//! delete takes the owner's record with it.

use super::*;

fn state(pe: &Value) -> Value {
    let props = &pe["properties"];
    let list = if props["manualPrivateLinkServiceConnections"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    props[list][0]["properties"]["privateLinkServiceConnectionState"].clone()
}

fn manual_endpoint(subnet: &str, target: &str) -> Value {
    json!({
        "location": LOC,
        "properties": {
            "subnet": {"id": subnet},
            "manualPrivateLinkServiceConnections": [{
                "name": "m",
                "properties": {
                    "privateLinkServiceId": target,
                    "groupIds": ["blob"],
                    "requestMessage": "please let me in",
                },
            }],
        },
    })
}

/// A PUT of a generic resource that must return `want`.
async fn put_generic(s: &Server, id: &str, body: Value, want: StatusCode) -> Value {
    let (st, body) = s.put(&at(id), body).await;
    assert_eq!(st, want, "PUT {id}: {body}");
    body
}

async fn set_status(s: &Server, conn: &str, status: &str) -> (StatusCode, Value) {
    s.put(
        &at(conn),
        json!({"properties": {"privateLinkServiceConnectionState": {
            "status": status, "description": format!("{status} by the owner"),
        }}}),
    )
    .await
}

pub(super) async fn private_endpoint_connections(s: &Server) {
    let rg = "pec";
    group(s, rg).await;
    vnet(s, rg, "hub", &["10.0.0.0/16"], &[("a", &["10.0.1.0/24"])]).await;
    let subnet = subnet_id(rg, "hub", "a");
    let acct = format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/shop"
    );
    put_generic(s, &acct, json!({"location": LOC}), StatusCode::CREATED).await;
    let zone = rid(rg, "privateDnsZones", "privatelink.blob.core.windows.net");
    put_generic(s, &zone, json!({"location": "global"}), StatusCode::CREATED).await;

    // A manual endpoint: pending, no names; the owner sees it pending with its message.
    let pe = rid(rg, "privateEndpoints", "asker");
    let body = put_generic(s, &pe, manual_endpoint(&subnet, &acct), StatusCode::CREATED).await;
    assert_eq!(state(&body)["status"], "Pending", "{body}");
    assert_eq!(body["properties"]["customDnsConfigs"], json!([]));
    let zg = format!("{pe}/privateDnsZoneGroups/default");
    let group_body = json!({"properties": {"privateDnsZoneConfigs": [
        {"name": "blob", "properties": {"privateDnsZoneId": zone}}]}});
    let got = put_generic(s, &zg, group_body, StatusCode::CREATED).await;
    assert_eq!(
        got["properties"]["privateDnsZoneConfigs"][0]["properties"]["recordSets"],
        json!([]),
        "a pending connection writes no record"
    );

    let (st, list) = s
        .get(&at(&format!("{acct}/privateEndpointConnections")))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 1, "{list}");
    let conn = list["value"][0]["id"].as_str().unwrap().to_string();
    let name = list["value"][0]["name"].as_str().unwrap();
    assert!(name.starts_with("asker."), "{name}");
    assert_eq!(
        list["value"][0]["type"],
        "Microsoft.Storage/storageAccounts/privateEndpointConnections"
    );
    let props = &list["value"][0]["properties"];
    assert_eq!(props["privateEndpoint"]["id"], pe, "{list}");
    assert_eq!(
        props["privateLinkServiceConnectionState"],
        json!({"status": "Pending", "description": "please let me in", "actionRequired": "None"})
    );
    // The account's own read lists it too (what `az network private-endpoint-connection list` reads).
    let (_, account) = s.get(&at(&acct)).await;
    assert_eq!(
        account["properties"]["privateEndpointConnections"][0]["id"],
        conn.as_str(),
        "{account}"
    );

    // Approved: the endpoint shows the names, the zone group writes the record.
    let (st, got) = set_status(s, &conn, "Approved").await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(
        got["properties"]["privateLinkServiceConnectionState"]["status"],
        "Approved"
    );
    assert_eq!(got["properties"]["privateEndpoint"]["id"], pe);
    let (_, endpoint) = s.get(&at(&pe)).await;
    assert_eq!(
        state(&endpoint),
        json!({"status": "Approved", "description": "Approved by the owner", "actionsRequired": "None"})
    );
    let fqdn = &endpoint["properties"]["customDnsConfigs"][0];
    assert_eq!(fqdn["fqdn"], "shop.blob.core.windows.net", "{endpoint}");
    let address = fqdn["ipAddresses"][0].as_str().unwrap().to_string();
    let (st, record) = s.get(&at(&format!("{zone}/A/shop"))).await;
    assert_eq!(st, StatusCode::OK, "{record}");
    assert_eq!(record["properties"]["aRecords"][0]["ipv4Address"], address);

    // Approving again is refused, as Azure Storage refuses it.
    let (st, body) = set_status(s, &conn, "Approved").await;
    let msg = assert_error(st, &body, 400, "InvalidValuesForRequestParameters");
    assert_eq!(
        msg,
        "Values for request parameters are invalid: privateLinkServiceConnectionState.status."
    );
    // The endpoint's own PUT keeps the owner's decision.
    let body = put_generic(s, &pe, manual_endpoint(&subnet, &acct), StatusCode::OK).await;
    assert_eq!(state(&body)["status"], "Approved", "{body}");

    // Rejected: the names and the record go; a rejected connection cannot be approved.
    let (st, got) = set_status(s, &conn, "Rejected").await;
    assert_eq!(st, StatusCode::OK, "{got}");
    let (_, endpoint) = s.get(&at(&pe)).await;
    assert_eq!(state(&endpoint)["status"], "Rejected");
    assert_eq!(endpoint["properties"]["customDnsConfigs"], json!([]));
    let (st, _) = s.get(&at(&format!("{zone}/A/shop"))).await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "the record left with the approval"
    );
    let (st, body) = set_status(s, &conn, "Approved").await;
    assert_error(st, &body, 400, "InvalidValuesForRequestParameters");
    let (st, body) = set_status(
        s,
        &format!("{acct}/privateEndpointConnections/nobody.1"),
        "Approved",
    )
    .await;
    assert_error(st, &body, 404, "ResourceNotFound");

    // An automatic endpoint's connection is approved; the owner's delete disconnects it.
    let auto = rid(rg, "privateEndpoints", "auto");
    let mut body = manual_endpoint(&subnet, &acct);
    let props = body["properties"].as_object_mut().unwrap();
    let c = props.remove("manualPrivateLinkServiceConnections").unwrap();
    props.insert("privateLinkServiceConnections".into(), c);
    let body = put_generic(s, &auto, body, StatusCode::CREATED).await;
    assert_eq!(state(&body)["status"], "Approved", "{body}");
    let (_, list) = s
        .get(&at(&format!("{acct}/privateEndpointConnections")))
        .await;
    assert_eq!(list["value"].as_array().unwrap().len(), 2, "{list}");
    let auto_conn = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["properties"]["privateEndpoint"]["id"] == auto.as_str())
        .expect("the automatic endpoint's connection")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["properties"]["privateLinkServiceConnectionState"]["description"].clone())
            .filter(|d| d == "Auto-Approved")
            .count(),
        1,
        "{list}"
    );
    let (st, _, body) = delete(s, &auto_conn).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, endpoint) = s.get(&at(&auto)).await;
    assert_eq!(state(&endpoint)["status"], "Disconnected", "{endpoint}");
    assert_eq!(endpoint["properties"]["customDnsConfigs"], json!([]));
    let (st, _) = s.get(&at(&auto_conn)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The endpoint's delete takes the owner's record.
    let (st, _, body) = delete(s, &pe).await;
    assert!(st.is_success(), "{body}");
    let (_, list) = s
        .get(&at(&format!("{acct}/privateEndpointConnections")))
        .await;
    assert_eq!(list["value"], json!([]), "{list}");
    let (_, account) = s.get(&at(&acct)).await;
    assert_eq!(
        account["properties"]["privateEndpointConnections"],
        json!([])
    );

    // A group delete takes its endpoints' records under a resource in another group.
    let away = "pec-away";
    group(s, away).await;
    vnet(
        s,
        away,
        "spoke",
        &["10.1.0.0/16"],
        &[("b", &["10.1.1.0/24"])],
    )
    .await;
    let far = rid(away, "privateEndpoints", "far");
    put_generic(
        s,
        &far,
        manual_endpoint(&subnet_id(away, "spoke", "b"), &acct),
        StatusCode::CREATED,
    )
    .await;
    let (_, list) = s
        .get(&at(&format!("{acct}/privateEndpointConnections")))
        .await;
    assert_eq!(list["value"].as_array().unwrap().len(), 1, "{list}");
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path(away), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (_, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(op["status"], "Succeeded", "{op}");
    let (_, list) = s
        .get(&at(&format!("{acct}/privateEndpointConnections")))
        .await;
    assert_eq!(list["value"], json!([]), "{list}");
}
