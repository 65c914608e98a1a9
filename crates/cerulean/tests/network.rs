//! Microsoft.Network over HTTPS against the real binary, on SQLite and on PostgreSQL:
//! lifecycles, IPAM, the NIC / public IP / load balancer rules, bad input and concurrency.

mod common;

use common::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::net::IpAddr;

const LOC: &str = "eastus";

// ---------------------------------------------------------------- helpers

/// The id of a Microsoft.Network resource (no query string).
fn rid(rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}/{name}")
}

/// The URL path of a resource id, with the api-version.
fn at(id: &str) -> String {
    format!("{id}?{API}")
}

fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", rid(rg, "virtualNetworks", vnet))
}

fn nic_id(rg: &str, nic: &str) -> String {
    rid(rg, "networkInterfaces", nic)
}

fn config_id(rg: &str, nic: &str, config: &str) -> String {
    format!("{}/ipConfigurations/{config}", nic_id(rg, nic))
}

fn pip_id(rg: &str, name: &str) -> String {
    rid(rg, "publicIPAddresses", name)
}

fn lb_id(rg: &str, name: &str) -> String {
    rid(rg, "loadBalancers", name)
}

fn list_path(rg: Option<&str>, ty: &str) -> String {
    match rg {
        Some(rg) => format!(
            "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}?{API}"
        ),
        None => format!("/subscriptions/{SUB}/providers/Microsoft.Network/{ty}?{API}"),
    }
}

async fn group(s: &Server, rg: &str) {
    let (st, body) = s.put(&rg_path(rg), json!({ "location": LOC })).await;
    assert!(st.is_success(), "group {rg}: {st} {body}");
}

fn vnet_body(space: &[&str], subnets: &[(&str, &[&str])]) -> Value {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(name, prefixes)| {
            if prefixes.len() == 1 {
                json!({"name": name, "properties": {"addressPrefix": prefixes[0]}})
            } else {
                json!({"name": name, "properties": {"addressPrefixes": prefixes}})
            }
        })
        .collect();
    json!({
        "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": space}, "subnets": subnets}
    })
}

/// Creates (or replaces) a virtual network and asserts it succeeded.
async fn vnet(s: &Server, rg: &str, name: &str, space: &[&str], subnets: &[(&str, &[&str])]) {
    let (st, body) = s
        .put(
            &at(&rid(rg, "virtualNetworks", name)),
            vnet_body(space, subnets),
        )
        .await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::OK,
        "vnet {name}: {st} {body}"
    );
}

/// One IP configuration in a subnet (dynamic unless an address is set afterwards).
fn ipc(name: &str, subnet: &str) -> Value {
    json!({"name": name, "properties": {"subnet": {"id": subnet}}})
}

/// `ipc` with extra properties merged in.
fn ipc_with(name: &str, subnet: &str, extra: Value) -> Value {
    let mut c = ipc(name, subnet);
    for (k, v) in extra.as_object().unwrap() {
        c["properties"][k] = v.clone();
    }
    c
}

fn nic_body(configs: Vec<Value>) -> Value {
    json!({"location": LOC, "properties": {"ipConfigurations": configs}})
}

async fn put_nic(s: &Server, rg: &str, name: &str, configs: Vec<Value>) -> (StatusCode, Value) {
    s.put(&at(&nic_id(rg, name)), nic_body(configs)).await
}

/// Creates a NIC with one dynamic configuration and returns its address.
async fn dynamic_nic(s: &Server, rg: &str, name: &str, subnet: &str) -> String {
    let (st, body) = put_nic(s, rg, name, vec![ipc("ipconfig1", subnet)]).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    private_ip(&body, 0)
}

fn private_ip(nic: &Value, i: usize) -> String {
    nic["properties"]["ipConfigurations"][i]["properties"]["privateIPAddress"]
        .as_str()
        .unwrap_or_else(|| panic!("no address in {nic}"))
        .to_string()
}

async fn delete(s: &Server, id: &str) -> (StatusCode, HeaderMap, Value) {
    s.call(Method::DELETE, &at(id), None).await
}

/// DELETE that must be accepted; polls its operation to Succeeded.
async fn delete_ok(s: &Server, id: &str) {
    let (st, hdrs, body) = delete(s, id).await;
    assert_eq!(st, StatusCode::ACCEPTED, "delete {id}: {body}");
    poll_succeeded(s, &hdrs).await;
}

/// Follows `Azure-AsyncOperation` and asserts the operation Succeeded.
async fn poll_succeeded(s: &Server, hdrs: &HeaderMap) {
    assert_eq!(hdrs["retry-after"], "1");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    assert!(
        url.contains("/providers/Microsoft.Network/locations/"),
        "{url}"
    );
    let path = url
        .strip_prefix(&s.base)
        .expect("points back at the server");
    let (st, op) = s.get(path).await;
    assert_eq!(st, StatusCode::OK, "{op}");
    assert_eq!(op["status"], "Succeeded", "{op}");
}

/// A PUT that must return `want`, with the headers every network PUT carries.
async fn put_checked(s: &Server, id: &str, body: Value, want: StatusCode) -> Value {
    let (st, hdrs, body) = s.call(Method::PUT, &at(id), Some(body)).await;
    assert_eq!(st, want, "PUT {id}: {body}");
    let etag = hdrs["etag"].to_str().unwrap();
    assert!(!etag.is_empty());
    assert_eq!(body["etag"], etag);
    poll_succeeded(s, &hdrs).await;
    body
}

fn names(list: &Value) -> Vec<String> {
    list["value"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect()
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn in_prefix(addr: &str, prefix: &str) -> bool {
    let a: IpAddr = addr.parse().unwrap();
    let p: ipnet::IpNet = prefix.parse().unwrap();
    p.contains(&a)
}

fn assert_contains(msg: &str, part: &str) {
    assert!(msg.contains(part), "{msg:?} should contain {part:?}");
}

/// True when the server stores in PostgreSQL (whose SERIALIZABLE races may end in a 409).
async fn on_postgres(s: &Server) -> bool {
    let (st, info) = s.get("/cerulean/info").await;
    assert_eq!(st, StatusCode::OK, "{info}");
    info["store"] == "postgres"
}

/// Sends PUTs concurrently, each on its own task; returns `(status, body)` in input order.
async fn parallel_puts(s: &Server, reqs: Vec<(String, Value)>) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = reqs
        .into_iter()
        .map(|(path, body)| {
            let client = s.client.clone();
            let url = s.url(&path);
            tokio::spawn(async move {
                let resp = client.put(url).json(&body).send().await.expect("request");
                let st = resp.status();
                let text = resp.text().await.unwrap();
                let v = serde_json::from_str(&text).unwrap_or(Value::String(text));
                (st, v)
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

// ---------------------------------------------------------------- lifecycles

async fn vnet_lifecycle(s: &Server) {
    group(s, "net").await;
    let id = rid("net", "virtualNetworks", "vnet1");
    let sub_web = subnet_id("net", "vnet1", "web");
    let mut body = vnet_body(
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("app", &["10.0.2.0/24"])],
    );
    body["tags"] = json!({"env": "test"});
    // Read-only properties in the body are ignored.
    body["properties"]["provisioningState"] = json!("Failed");
    body["properties"]["resourceGuid"] = json!("not-a-guid");
    body["properties"]["subnets"][0]["properties"]["ipConfigurations"] =
        json!([{"id": config_id("net", "ghost", "ipconfig1")}]);
    body["properties"]["subnets"][0]["properties"]["provisioningState"] = json!("Deleting");
    let created = put_checked(s, &id, body.clone(), StatusCode::CREATED).await;
    assert_eq!(created["id"], id);
    assert_eq!(created["name"], "vnet1");
    assert_eq!(created["type"], "Microsoft.Network/virtualNetworks");
    assert_eq!(created["location"], LOC);
    assert_eq!(created["tags"], json!({"env": "test"}));
    let props = &created["properties"];
    assert_eq!(props["provisioningState"], "Succeeded");
    let guid = props["resourceGuid"].as_str().unwrap().to_string();
    assert_ne!(guid, "not-a-guid");
    assert_eq!(guid.len(), 36, "{guid}");
    assert_eq!(
        props["addressSpace"]["addressPrefixes"],
        json!(["10.0.0.0/16"])
    );
    let subnets = props["subnets"].as_array().unwrap();
    assert_eq!(subnets.len(), 2);
    assert_eq!(subnets[0]["id"], sub_web);
    assert_eq!(subnets[0]["name"], "web");
    assert_eq!(
        subnets[0]["type"],
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert_eq!(subnets[0]["properties"]["addressPrefix"], "10.0.1.0/24");
    assert_eq!(subnets[0]["properties"]["provisioningState"], "Succeeded");
    assert!(
        subnets[0]["properties"].get("ipConfigurations").is_none(),
        "{}",
        subnets[0]
    );
    assert!(subnets[0]["etag"].as_str().is_some());

    // The same PUT again: 200, same resource guid.
    let again = put_checked(s, &id, body, StatusCode::OK).await;
    assert_eq!(again["properties"]["resourceGuid"], guid.as_str());

    let (st, got) = s.get(&at(&id)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["properties"]["subnets"].as_array().unwrap().len(), 2);
    assert_eq!(got["etag"], again["etag"]);
    // Paths are case-insensitive.
    let (st, _) = s
        .get(&at(&id.to_uppercase().replace("VNET1", "Vnet1")))
        .await;
    assert_eq!(st, StatusCode::OK);

    // Lists by group and by subscription.
    vnet(s, "net", "vnet2", &["10.1.0.0/16"], &[]).await;
    group(s, "other").await;
    vnet(s, "other", "vnet3", &["10.2.0.0/16"], &[]).await;
    let (st, list) = s.get(&list_path(Some("net"), "virtualNetworks")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["vnet1", "vnet2"]);
    let (st, list) = s.get(&list_path(None, "virtualNetworks")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["vnet1", "vnet2", "vnet3"]);

    // PATCH replaces the tags only.
    let (st, _, patched) = s
        .call(
            Method::PATCH,
            &at(&id),
            Some(json!({"tags": {"owner": "me"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{patched}");
    assert_eq!(patched["tags"], json!({"owner": "me"}));
    assert_eq!(
        patched["properties"]["subnets"].as_array().unwrap().len(),
        2
    );
    assert_eq!(patched["properties"]["resourceGuid"], guid.as_str());

    // Subnets on their own.
    let db = subnet_id("net", "vnet1", "db");
    let sn = put_checked(
        s,
        &db,
        json!({"properties": {"addressPrefix": "10.0.3.0/24", "provisioningState": "Failed"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sn["id"], db);
    assert_eq!(sn["name"], "db");
    assert_eq!(sn["properties"]["addressPrefix"], "10.0.3.0/24");
    assert_eq!(sn["properties"]["provisioningState"], "Succeeded");
    put_checked(
        s,
        &db,
        json!({"properties": {"addressPrefix": "10.0.3.0/24"}}),
        StatusCode::OK,
    )
    .await;
    let (st, got) = s.get(&at(&db)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["properties"]["addressPrefix"], "10.0.3.0/24");
    let (st, list) = s.get(&at(&format!("{id}/subnets"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["web", "app", "db"]);
    delete_ok(s, &db).await;
    let (st, body) = s.get(&at(&db)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, body) = delete(s, &db).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (st, list) = s.get(&at(&format!("{id}/subnets"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["web", "app"]);

    // DELETE: 202 polled to Succeeded, then 404, then 204.
    delete_ok(s, &id).await;
    let (st, body) = s.get(&at(&id)).await;
    let msg = assert_error(st, &body, 404, "ResourceNotFound");
    assert_contains(
        &msg,
        "The Resource 'Microsoft.Network/virtualNetworks/vnet1' under resource group 'net' was not found.",
    );
    let (st, _, body) = delete(s, &id).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    assert!(body.is_null());
    // A resource in a group that does not exist.
    let (st, body) = s.get(&at(&rid("nogroup", "virtualNetworks", "v"))).await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
    let (st, body) = s
        .put(
            &at(&rid("nogroup", "virtualNetworks", "v")),
            vnet_body(&["10.0.0.0/16"], &[]),
        )
        .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

async fn nic_lifecycle(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let id1 = nic_id("rg", "nic1");
    let mut body = nic_body(vec![ipc("ipconfig1", &web)]);
    body["tags"] = json!({"role": "web"});
    body["properties"]["provisioningState"] = json!("Failed");
    body["properties"]["resourceGuid"] = json!("mine");
    let nic = put_checked(s, &id1, body.clone(), StatusCode::CREATED).await;
    assert_eq!(nic["id"], id1);
    assert_eq!(nic["type"], "Microsoft.Network/networkInterfaces");
    assert_eq!(nic["location"], LOC);
    assert_eq!(nic["tags"], json!({"role": "web"}));
    assert_eq!(nic["properties"]["provisioningState"], "Succeeded");
    assert_ne!(nic["properties"]["resourceGuid"], "mine");
    let c = &nic["properties"]["ipConfigurations"][0];
    assert_eq!(c["id"], config_id("rg", "nic1", "ipconfig1"));
    assert_eq!(
        c["type"],
        "Microsoft.Network/networkInterfaces/ipConfigurations"
    );
    assert_eq!(c["properties"]["privateIPAddress"], "10.0.1.4");
    assert_eq!(c["properties"]["privateIPAllocationMethod"], "Dynamic");
    assert_eq!(c["properties"]["privateIPAddressVersion"], "IPv4");
    assert_eq!(c["properties"]["primary"], true);
    assert_eq!(c["properties"]["subnet"]["id"], web);
    // The same PUT keeps the address.
    let again = put_checked(s, &id1, body, StatusCode::OK).await;
    assert_eq!(private_ip(&again, 0), "10.0.1.4");
    assert_eq!(
        again["properties"]["resourceGuid"],
        nic["properties"]["resourceGuid"]
    );

    assert_eq!(dynamic_nic(s, "rg", "nic2", &web).await, "10.0.1.5");
    let (st, n3) = put_nic(
        s,
        "rg",
        "nic3",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static", "privateIPAddress": "10.0.1.10"}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n3}");
    assert_eq!(private_ip(&n3, 0), "10.0.1.10");
    assert_eq!(
        n3["properties"]["ipConfigurations"][0]["properties"]["privateIPAllocationMethod"],
        "Static"
    );
    // Two configurations, the second one primary; dynamic ones skip the static .10.
    let (st, n4) = put_nic(
        s,
        "rg",
        "nic4",
        vec![
            ipc("first", &web),
            ipc_with("second", &web, json!({"primary": true})),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n4}");
    assert_eq!(private_ip(&n4, 0), "10.0.1.6");
    assert_eq!(private_ip(&n4, 1), "10.0.1.7");
    assert_eq!(
        n4["properties"]["ipConfigurations"][0]["properties"]["primary"],
        false
    );
    assert_eq!(
        n4["properties"]["ipConfigurations"][1]["properties"]["primary"],
        true
    );

    // ipConfigurations on their own.
    let (st, list) = s
        .get(&at(&format!("{}/ipConfigurations", nic_id("rg", "nic4"))))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["first", "second"]);
    let (st, one) = s.get(&at(&config_id("rg", "nic4", "SECOND"))).await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(one["name"], "second");
    assert_eq!(one["id"], config_id("rg", "nic4", "second"));
    assert_eq!(one["properties"]["privateIPAddress"], "10.0.1.7");
    let (st, body) = s.get(&at(&config_id("rg", "nic4", "third"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");

    // The subnet lists every configuration in it.
    let (st, sn) = s.get(&at(&web)).await;
    assert_eq!(st, StatusCode::OK);
    let mut users = ids(&sn["properties"]["ipConfigurations"]);
    users.sort();
    let mut want = vec![
        config_id("rg", "nic1", "ipconfig1"),
        config_id("rg", "nic2", "ipconfig1"),
        config_id("rg", "nic3", "ipconfig1"),
        config_id("rg", "nic4", "first"),
        config_id("rg", "nic4", "second"),
    ];
    want.sort();
    assert_eq!(users, want);

    // Lists.
    group(s, "rg2").await;
    let (st, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["nic1", "nic2", "nic3", "nic4"]);
    let (st, list) = s.get(&list_path(Some("rg2"), "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(names(&list).is_empty());
    let (st, list) = s.get(&list_path(None, "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list).len(), 4);

    // PATCH tags keeps the configurations.
    let (st, _, patched) = s
        .call(Method::PATCH, &at(&id1), Some(json!({"tags": {"a": "b"}})))
        .await;
    assert_eq!(st, StatusCode::OK, "{patched}");
    assert_eq!(patched["tags"], json!({"a": "b"}));
    assert_eq!(private_ip(&patched, 0), "10.0.1.4");

    // DELETE, 404, 204; the address is free again, lowest first.
    delete_ok(s, &id1).await;
    let (st, body) = s.get(&at(&id1)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = delete(s, &id1).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(dynamic_nic(s, "rg", "nic5", &web).await, "10.0.1.4");
    assert_eq!(dynamic_nic(s, "rg", "nic6", &web).await, "10.0.1.8");
}

async fn public_ip_lifecycle(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");

    // Basic dynamic: no address until a VM runs.
    let basic = pip_id("rg", "basic");
    let b = put_checked(
        s,
        &basic,
        json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Dynamic"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(b["type"], "Microsoft.Network/publicIPAddresses");
    assert_eq!(b["sku"]["name"], "Basic");
    assert_eq!(b["properties"]["publicIPAllocationMethod"], "Dynamic");
    assert_eq!(b["properties"]["publicIPAddressVersion"], "IPv4");
    assert_eq!(b["properties"]["provisioningState"], "Succeeded");
    assert!(b["properties"].get("ipAddress").is_none(), "{b}");

    // Standard static: an address from 198.18.0.0/15 at once; static is the default.
    let std1 = pip_id("rg", "std1");
    let a = put_checked(
        s,
        &std1,
        json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"ipAddress": "1.2.3.4", "provisioningState": "Failed"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["sku"]["name"], "Standard");
    assert_eq!(a["properties"]["publicIPAllocationMethod"], "Static");
    let addr1 = a["properties"]["ipAddress"].as_str().unwrap().to_string();
    assert!(in_prefix(&addr1, "198.18.0.0/15"), "{addr1}");
    assert_eq!(a["properties"]["provisioningState"], "Succeeded");
    let std2 = pip_id("rg", "std2");
    let a2 = put_checked(
        s,
        &std2,
        json!({"location": LOC, "sku": {"name": "standard"}, "properties": {"publicIPAllocationMethod": "static"}}),
        StatusCode::CREATED,
    )
    .await;
    let addr2 = a2["properties"]["ipAddress"].as_str().unwrap().to_string();
    assert!(in_prefix(&addr2, "198.18.0.0/15"), "{addr2}");
    assert_ne!(addr1, addr2);
    // Re-PUT keeps the address.
    let again = put_checked(
        s,
        &std1,
        json!({"location": LOC, "sku": {"name": "Standard"}}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["properties"]["ipAddress"], addr1.as_str());

    // Standard dynamic is refused.
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "stddyn")),
            json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Dynamic"}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "StandardSkuPublicIPAddressesMustBeStatic");
    assert_eq!(
        msg,
        format!(
            "Standard sku publicIp {} must have AllocationMethod set to Static.",
            pip_id("rg", "stddyn")
        )
    );

    // A NIC uses std1: the public IP shows who uses it.
    let (st, n) = put_nic(
        s,
        "rg",
        "nic1",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": std1}}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    assert_eq!(
        n["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"]["id"],
        std1
    );
    let (st, got) = s.get(&at(&std1)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        got["properties"]["ipConfiguration"]["id"],
        config_id("rg", "nic1", "ipconfig1")
    );
    let (st, got) = s.get(&at(&std2)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(got["properties"].get("ipConfiguration").is_none());

    // Used twice: refused.
    let (st, body) = put_nic(
        s,
        "rg",
        "nic2",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": std1}}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "PublicIPAddressInUse");
    assert_eq!(
        msg,
        format!(
            "Resource {} is referencing public IP address {std1} that is already allocated to resource {}.",
            config_id("rg", "nic2", "ipconfig1"),
            config_id("rg", "nic1", "ipconfig1")
        )
    );
    // Twice within one NIC: refused too.
    let (st, body) = put_nic(
        s,
        "rg",
        "nic3",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "publicIPAddress": {"id": std2}}),
            ),
            ipc_with("b", &web, json!({"publicIPAddress": {"id": std2}})),
        ],
    )
    .await;
    assert_error(st, &body, 400, "PublicIPAddressInUse");

    // Deleting a public IP in use is refused.
    let (st, _, body) = delete(s, &std1).await;
    let msg = assert_error(st, &body, 400, "PublicIPAddressCannotBeDeleted");
    assert_contains(
        &msg,
        &format!(
            "Public IP address {std1} can not be deleted since it is still allocated to resource {}.",
            config_id("rg", "nic1", "ipconfig1")
        ),
    );

    // Lists and tags.
    let (st, list) = s.get(&list_path(Some("rg"), "publicIPAddresses")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["basic", "std1", "std2"]);
    let (st, list) = s.get(&list_path(None, "publicIPAddresses")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list).len(), 3);
    let (st, _, patched) = s
        .call(Method::PATCH, &at(&std1), Some(json!({"tags": {"t": "1"}})))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(patched["tags"], json!({"t": "1"}));
    assert_eq!(patched["properties"]["ipAddress"], addr1.as_str());

    // Detach (re-PUT the NIC without it), then it can go; its address is reused.
    let (st, n) = put_nic(s, "rg", "nic1", vec![ipc("ipconfig1", &web)]).await;
    assert_eq!(st, StatusCode::OK, "{n}");
    let (_, got) = s.get(&at(&std1)).await;
    assert!(got["properties"].get("ipConfiguration").is_none(), "{got}");
    delete_ok(s, &std1).await;
    let (st, body) = s.get(&at(&std1)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = delete(s, &std1).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let a3 = put_checked(
        s,
        &pip_id("rg", "std3"),
        json!({"location": LOC, "sku": {"name": "Standard"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a3["properties"]["ipAddress"], addr1.as_str());
}

async fn load_balancer_lifecycle(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("lbs", &["10.0.2.0/24"])],
    )
    .await;
    let web = subnet_id("rg", "v", "web");
    let lbs = subnet_id("rg", "v", "lbs");

    // Public frontend (Basic LB and Basic public IP).
    let pip = pip_id("rg", "lbpip");
    put_checked(
        s,
        &pip,
        json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Static"}}),
        StatusCode::CREATED,
    )
    .await;
    let public = lb_id("rg", "public");
    let lb = put_checked(
        s,
        &public,
        json!({
            "location": LOC,
            "sku": {"name": "Basic"},
            "properties": {
                "provisioningState": "Failed",
                "frontendIPConfigurations": [
                    {"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}
                ],
                "backendAddressPools": [{"name": "pool1"}]
            }
        }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(lb["type"], "Microsoft.Network/loadBalancers");
    assert_eq!(lb["properties"]["provisioningState"], "Succeeded");
    let fe = &lb["properties"]["frontendIPConfigurations"][0];
    let fe_id = format!("{public}/frontendIPConfigurations/fe");
    assert_eq!(fe["id"], fe_id);
    assert_eq!(fe["properties"]["publicIPAddress"]["id"], pip);
    let pool1 = format!("{public}/backendAddressPools/pool1");
    assert_eq!(lb["properties"]["backendAddressPools"][0]["id"], pool1);
    let (_, got) = s.get(&at(&pip)).await;
    assert_eq!(got["properties"]["ipConfiguration"]["id"], fe_id);
    // The public IP cannot go while the frontend uses it.
    let (st, _, body) = delete(s, &pip).await;
    assert_error(st, &body, 400, "PublicIPAddressCannotBeDeleted");

    // Internal frontend: a private address from its subnet.
    let internal = lb_id("rg", "internal");
    let ilb = put_checked(
        s,
        &internal,
        json!({
            "location": LOC,
            "properties": {
                "frontendIPConfigurations": [
                    {"name": "fe", "properties": {"subnet": {"id": lbs}}}
                ],
                "backendAddressPools": [{"name": "ipool"}]
            }
        }),
        StatusCode::CREATED,
    )
    .await;
    let ife = &ilb["properties"]["frontendIPConfigurations"][0]["properties"];
    assert_eq!(ife["privateIPAddress"], "10.0.2.4");
    assert_eq!(ife["privateIPAllocationMethod"], "Dynamic");
    assert_eq!(ife["subnet"]["id"], lbs);
    // The frontend holds its address: the next NIC in that subnet gets .5.
    assert_eq!(dynamic_nic(s, "rg", "lbsnic", &lbs).await, "10.0.2.5");
    // The subnet lists the frontend as a user.
    let (_, sn) = s.get(&at(&lbs)).await;
    assert!(
        ids(&sn["properties"]["ipConfigurations"])
            .contains(&format!("{internal}/frontendIPConfigurations/fe")),
        "{sn}"
    );

    // Pools on their own.
    let (st, list) = s.get(&at(&format!("{public}/backendAddressPools"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["pool1"]);
    let pool2 = format!("{public}/backendAddressPools/pool2");
    let p2 = put_checked(s, &pool2, json!({"properties": {}}), StatusCode::CREATED).await;
    assert_eq!(p2["id"], pool2);
    assert_eq!(
        p2["type"],
        "Microsoft.Network/loadBalancers/backendAddressPools"
    );
    put_checked(s, &pool2, json!({"name": "pool2"}), StatusCode::OK).await;
    let (st, got) = s.get(&at(&pool2)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["name"], "pool2");
    let (st, list) = s.get(&at(&format!("{public}/backendAddressPools"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["pool1", "pool2"]);
    delete_ok(s, &pool2).await;
    let (st, body) = s.get(&at(&pool2)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = delete(s, &pool2).await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // A NIC whose secondary configuration joins pool1.
    let (st, n) = put_nic(
        s,
        "rg",
        "member",
        vec![
            ipc_with("primary", &web, json!({"primary": true})),
            ipc_with(
                "secondary",
                &web,
                json!({"loadBalancerBackendAddressPools": [{"id": pool1}]}),
            ),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    assert_eq!(
        ids(&n["properties"]["ipConfigurations"][1]["properties"]
            ["loadBalancerBackendAddressPools"]),
        vec![pool1.clone()]
    );
    let secondary = config_id("rg", "member", "secondary");
    let (_, p1) = s.get(&at(&pool1)).await;
    assert_eq!(
        ids(&p1["properties"]["backendIPConfigurations"]),
        vec![secondary.clone()]
    );
    let (_, got) = s.get(&at(&public)).await;
    assert_eq!(
        ids(&got["properties"]["backendAddressPools"][0]["properties"]["backendIPConfigurations"]),
        vec![secondary.clone()]
    );

    // A pool or LB with members cannot be deleted, nor the pool dropped by a PUT.
    let (st, _, body) = delete(s, &pool1).await;
    let msg = assert_error(st, &body, 400, "LoadBalancerBackendAddressPoolInUse");
    assert_contains(&msg, &secondary);
    let (st, _, body) = delete(s, &public).await;
    assert_error(st, &body, 400, "LoadBalancerBackendAddressPoolInUse");
    let (st, body) = s
        .put(
            &at(&public),
            json!({"location": LOC, "properties": {"frontendIPConfigurations": [
                {"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}
            ]}}),
        )
        .await;
    assert_error(st, &body, 400, "LoadBalancerBackendAddressPoolInUse");

    // Lists and tags.
    let (st, list) = s.get(&list_path(Some("rg"), "loadBalancers")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["internal", "public"]);
    let (st, list) = s.get(&list_path(None, "loadBalancers")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list).len(), 2);
    let (st, _, patched) = s
        .call(
            Method::PATCH,
            &at(&public),
            Some(json!({"tags": {"x": "y"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(patched["tags"], json!({"x": "y"}));

    // Leave the pool; then pool and LB can go, and the public IP is free.
    let (st, _) = put_nic(s, "rg", "member", vec![ipc("primary", &web)]).await;
    assert_eq!(st, StatusCode::OK);
    let (_, p1) = s.get(&at(&pool1)).await;
    assert!(
        p1["properties"].get("backendIPConfigurations").is_none(),
        "{p1}"
    );
    delete_ok(s, &pool1).await;
    delete_ok(s, &public).await;
    let (st, body) = s.get(&at(&public)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (_, got) = s.get(&at(&pip)).await;
    assert!(got["properties"].get("ipConfiguration").is_none(), "{got}");
    delete_ok(s, &pip).await;
    // Deleting the internal LB gives its frontend address back.
    delete_ok(s, &internal).await;
    let (st, _, _) = delete(s, &internal).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(dynamic_nic(s, "rg", "lbsnic2", &lbs).await, "10.0.2.4");
}

async fn usages(s: &Server) {
    let path =
        format!("/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages?{API}");
    let usage = |list: &Value, name: &str| -> (i64, i64) {
        let u = list["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"]["value"] == name)
            .unwrap_or_else(|| panic!("no usage {name} in {list}"))
            .clone();
        assert_eq!(u["unit"], "Count");
        (
            u["currentValue"].as_i64().unwrap(),
            u["limit"].as_i64().unwrap(),
        )
    };
    let (st, list) = s.get(&path).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(usage(&list, "VirtualNetworks").0, 0);
    assert_eq!(usage(&list, "PublicIPAddresses"), (0, 10));
    assert_eq!(usage(&list, "StandardSkuPublicIpAddresses"), (0, 10));

    group(s, "rg").await;
    vnet(s, "rg", "v1", &["10.0.0.0/16"], &[("a", &["10.0.0.0/24"])]).await;
    vnet(s, "rg", "v2", &["10.1.0.0/16"], &[]).await;
    let a = subnet_id("rg", "v1", "a");
    for n in ["n1", "n2", "n3"] {
        dynamic_nic(s, "rg", n, &a).await;
    }
    for (name, sku) in [("b1", "Basic"), ("b2", "Basic"), ("s1", "Standard")] {
        let (st, body) = s
            .put(
                &at(&pip_id("rg", name)),
                json!({"location": LOC, "sku": {"name": sku}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"backendAddressPools": [{"name": "p"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // Another region does not count here.
    let (st, body) = s
        .put(
            &at(&rid("rg", "virtualNetworks", "far")),
            json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    let (st, list) = s.get(&path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(usage(&list, "VirtualNetworks"), (2, 1000));
    assert_eq!(usage(&list, "NetworkInterfaces").0, 3);
    assert_eq!(usage(&list, "LoadBalancers").0, 1);
    assert_eq!(usage(&list, "PublicIPAddresses"), (2, 10));
    assert_eq!(usage(&list, "StandardSkuPublicIpAddresses"), (1, 10));
    assert_eq!(usage(&list, "StaticPublicIPAddresses").0, 1);
    assert_eq!(
        usage(&list, "SecondaryIPConfigurationsPerNetworkInterface").1,
        249
    );
    let u = &list["value"][0];
    assert!(u["id"].as_str().unwrap().starts_with(&format!(
        "/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages/"
    )));
    let (st, list) = s
        .get(
            &format!(
                "/subscriptions/{SUB}/providers/Microsoft.Network/locations/West US/usages?{API}"
            )
            .replace(' ', "%20"),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(usage(&list, "VirtualNetworks").0, 1);
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/locations/moon/usages?{API}"
        ))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");
}

// ---------------------------------------------------------------- IPAM

async fn ipam_rules(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[
            ("tiny", &["10.0.0.0/29"]),
            ("web", &["10.0.1.0/24"]),
            ("other", &["10.0.2.0/24"]),
        ],
    )
    .await;
    let tiny = subnet_id("rg", "v", "tiny");
    let web = subnet_id("rg", "v", "web");
    let other = subnet_id("rg", "v", "other");

    // A /29 holds exactly three.
    for (n, want) in [("t1", "10.0.0.4"), ("t2", "10.0.0.5"), ("t3", "10.0.0.6")] {
        assert_eq!(dynamic_nic(s, "rg", n, &tiny).await, want);
    }
    let (st, body) = put_nic(s, "rg", "t4", vec![ipc("ipconfig1", &tiny)]).await;
    let msg = assert_error(st, &body, 400, "SubnetIsFull");
    assert_contains(&msg, "tiny");
    assert_contains(
        &msg,
        " with address prefix 10.0.0.0/29 does not have enough capacity for 1 IP addresses.",
    );
    // Nothing was written by the refused request.
    let (st, body) = s.get(&at(&nic_id("rg", "t4"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // Freed addresses come back lowest first.
    delete_ok(s, &nic_id("rg", "t3")).await;
    delete_ok(s, &nic_id("rg", "t1")).await;
    assert_eq!(dynamic_nic(s, "rg", "t5", &tiny).await, "10.0.0.4");
    assert_eq!(dynamic_nic(s, "rg", "t6", &tiny).await, "10.0.0.6");
    let (st, body) = put_nic(s, "rg", "t7", vec![ipc("ipconfig1", &tiny)]).await;
    assert_error(st, &body, 400, "SubnetIsFull");

    let static_nic = |name: &'static str, subnet: String, ip: &'static str| async move {
        put_nic(
            s,
            "rg",
            name,
            vec![ipc_with(
                "ipconfig1",
                &subnet,
                json!({"privateIPAllocationMethod": "Static", "privateIPAddress": ip}),
            )],
        )
        .await
    };
    // Reserved: network, .1 to .3, broadcast.
    for ip in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
        let (st, body) = static_nic("reserved", web.clone(), ip).await;
        let msg = assert_error(st, &body, 400, "PrivateIPAddressInReservedRange");
        assert_eq!(
            msg,
            format!("Private static IP address {ip} falls within reserved IP range of subnet prefix 10.0.1.0/24.")
        );
    }
    // Outside the subnet.
    let (st, body) = static_nic("outside", web.clone(), "10.0.2.10").await;
    let msg = assert_error(st, &body, 400, "PrivateIPAddressNotInSubnet");
    assert_eq!(
        msg,
        "Private static IP address 10.0.2.10 does not belong to the range of subnet prefix 10.0.1.0/24."
    );
    // Taken: both configurations named.
    let (st, body) = static_nic("holder", web.clone(), "10.0.1.50").await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = static_nic("claimant", web.clone(), "10.0.1.50").await;
    let msg = assert_error(st, &body, 400, "PrivateIPAddressInUse");
    assert_eq!(
        msg,
        format!(
            "IP configuration {} is using the same private IP address 10.0.1.50 as IP configuration {}.",
            config_id("rg", "claimant", "ipconfig1"),
            config_id("rg", "holder", "ipconfig1")
        )
    );
    // Two configurations of one request claiming one address.
    let (st, body) = put_nic(
        s,
        "rg",
        "twice",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "privateIPAddress": "10.0.1.60"}),
            ),
            ipc_with("b", &web, json!({"privateIPAddress": "10.0.1.60"})),
        ],
    )
    .await;
    assert_error(st, &body, 400, "PrivateIPAddressInUse");
    // Static without an address on a new configuration.
    let (st, body) = put_nic(
        s,
        "rg",
        "noaddr",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static"}),
        )],
    )
    .await;
    assert_error(
        st,
        &body,
        400,
        "PrivateIPAddressRequiredForStaticAllocation",
    );

    // Dynamic → Static keeps the address (named, or not named).
    let addr = dynamic_nic(s, "rg", "flip", &web).await;
    assert_eq!(addr, "10.0.1.4");
    let (st, body) = put_nic(
        s,
        "rg",
        "flip",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static", "privateIPAddress": addr}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.4");
    let c = &body["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(c["privateIPAllocationMethod"], "Static");
    let (st, body) = put_nic(s, "rg", "flip2", vec![ipc("ipconfig1", &web)]).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(private_ip(&body, 0), "10.0.1.5");
    let (st, body) = put_nic(
        s,
        "rg",
        "flip2",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static"}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.5");
    // A static config moving to another static address frees the old one.
    let (st, body) = put_nic(
        s,
        "rg",
        "flip2",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAddress": "10.0.1.70"}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.70");
    assert_eq!(dynamic_nic(s, "rg", "after-flip", &web).await, "10.0.1.5");

    // Changing subnet releases the old address and allocates in the new subnet.
    let (st, body) = put_nic(s, "rg", "mover", vec![ipc("ipconfig1", &web)]).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(private_ip(&body, 0), "10.0.1.6");
    let (st, body) = put_nic(s, "rg", "mover", vec![ipc("ipconfig1", &other)]).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.2.4");
    assert_eq!(dynamic_nic(s, "rg", "reuse", &web).await, "10.0.1.6");
    let (_, sn) = s.get(&at(&web)).await;
    assert!(
        !ids(&sn["properties"]["ipConfigurations"]).contains(&config_id(
            "rg",
            "mover",
            "ipconfig1"
        )),
        "{sn}"
    );

    // Malformed private addresses.
    for bad in ["10.0.1.999", "banana", "10.0.1"] {
        let (st, body) = static_nic("badip", web.clone(), bad).await;
        let msg = assert_error(st, &body, 400, "InvalidPrivateIPAddress");
        assert_contains(&msg, bad);
    }

    // IPv6: a dual-stack subnet; an IPv6 secondary gets an address from the /64.
    vnet(
        s,
        "rg",
        "dual",
        &["10.10.0.0/16", "fd00:db8::/48"],
        &[("ds", &["10.10.1.0/24", "fd00:db8:0:1::/64"])],
    )
    .await;
    let ds = subnet_id("rg", "dual", "ds");
    let (_, sn) = s.get(&at(&ds)).await;
    assert_eq!(
        sn["properties"]["addressPrefixes"],
        json!(["10.10.1.0/24", "fd00:db8:0:1::/64"])
    );
    let (st, body) = put_nic(
        s,
        "rg",
        "v6nic",
        vec![
            ipc_with("v4", &ds, json!({"primary": true})),
            ipc_with("v6", &ds, json!({"privateIPAddressVersion": "IPv6"})),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(private_ip(&body, 0), "10.10.1.4");
    let v6 = private_ip(&body, 1);
    assert!(in_prefix(&v6, "fd00:db8:0:1::/64"), "{v6}");
    assert_eq!(v6, "fd00:db8:0:1::4");
    assert_eq!(
        body["properties"]["ipConfigurations"][1]["properties"]["privateIPAddressVersion"],
        "IPv6"
    );
    // A static IPv6 address; IPv4 and IPv6 offsets of one subnet are independent (the
    // IPv4 .5 and the IPv6 ::5 are different addresses).
    let (st, body) = put_nic(
        s,
        "rg",
        "v6static",
        vec![
            ipc_with("v4", &ds, json!({"primary": true})),
            ipc_with("v6", &ds, json!({"privateIPAddress": "fd00:db8:0:1::5"})),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(private_ip(&body, 0), "10.10.1.5");
    assert_eq!(private_ip(&body, 1), "fd00:db8:0:1::5");
    let (st, body) = put_nic(
        s,
        "rg",
        "v6taken",
        vec![
            ipc_with("v4", &ds, json!({"primary": true})),
            ipc_with("v6", &ds, json!({"privateIPAddress": "fd00:db8:0:1::5"})),
        ],
    )
    .await;
    let msg = assert_error(st, &body, 400, "PrivateIPAddressInUse");
    assert_contains(&msg, &config_id("rg", "v6static", "v6"));
    // The subnet's users are its address holders of both versions, in id order.
    let (_, sn) = s.get(&at(&ds)).await;
    assert_eq!(
        ids(&sn["properties"]["ipConfigurations"]),
        [
            config_id("rg", "v6nic", "v4"),
            config_id("rg", "v6nic", "v6"),
            config_id("rg", "v6static", "v4"),
            config_id("rg", "v6static", "v6"),
        ]
    );
    // IPv6 in an IPv4-only subnet.
    let (st, body) = put_nic(
        s,
        "rg",
        "v6bad",
        vec![
            ipc_with("v4", &web, json!({"primary": true})),
            ipc_with("v6", &web, json!({"privateIPAddressVersion": "IPv6"})),
        ],
    )
    .await;
    assert_error(st, &body, 400, "SubnetHasNoAddressPrefixForIpVersion");
}

// ---------------------------------------------------------------- NIC rules

async fn nic_rules(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    vnet(
        s,
        "rg",
        "big",
        &["10.5.0.0/16"],
        &[("all", &["10.5.0.0/16"])],
    )
    .await;
    vnet(s, "rg", "w", &["10.1.0.0/16"], &[("x", &["10.1.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let all = subnet_id("rg", "big", "all");
    let x = subnet_id("rg", "w", "x");
    let nic = nic_id("rg", "n");

    // No configuration at all.
    let (st, body) = put_nic(s, "rg", "n", vec![]).await;
    assert_error(
        st,
        &body,
        400,
        "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
    );
    // Several, none primary.
    let (st, body) = put_nic(s, "rg", "n", vec![ipc("a", &web), ipc("b", &web)]).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary",
    );
    assert_eq!(
        msg,
        format!("Network Interface {nic} specifies multiple IPConfigurations but none of the IPConfigurations is specified as Primary.")
    );
    // Two primaries.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc_with("b", &web, json!({"primary": true})),
        ],
    )
    .await;
    let msg = assert_error(
        st,
        &body,
        400,
        "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary",
    );
    assert_contains(&msg, "multiple IPConfigurations specified as Primary");
    // A lone configuration is primary whatever it says.
    let (st, body) = put_nic(
        s,
        "rg",
        "lone",
        vec![ipc_with("only", &web, json!({"primary": false}))],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["ipConfigurations"][0]["properties"]["primary"],
        true
    );
    // Duplicate names (ARM compares names case-insensitively).
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc("A", &web),
        ],
    )
    .await;
    let msg = assert_error(st, &body, 400, "DuplicateResourceName");
    assert_contains(&msg, "two child resources with the same name (A)");

    // The primary cannot be removed while others remain.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc("b", &web),
            ipc("c", &web),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("b", &web, json!({"primary": true})),
            ipc("c", &web),
        ],
    )
    .await;
    let msg = assert_error(st, &body, 400, "IpConfigDeleteNotSupported");
    assert_eq!(
        msg,
        "IP Configuration a cannot be deleted. Deletion and renaming of primary IP Configuration is not supported"
    );
    // Removing a secondary is fine and frees its address.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc("c", &web),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let freed = "10.0.1.6"; // lone .4, a .5, b .6, c .7
    assert_eq!(private_ip(&body, 1), "10.0.1.7");
    assert_eq!(dynamic_nic(s, "rg", "gets-freed", &web).await, freed);

    // At most 250 configurations by default: 250 fit, 251 are refused naming the limit.
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                if i == 0 {
                    ipc_with("c0", &all, json!({"primary": true}))
                } else {
                    ipc(&format!("c{i}"), &all)
                }
            })
            .collect()
    };
    let (st, body) = put_nic(s, "rg", "wide", many(251)).await;
    let msg = assert_error(st, &body, 400, "IpConfigurationsPerNicLimitReached");
    assert_contains(&msg, "cannot have more than 250 IP configurations");
    let (st, body) = put_nic(s, "rg", "wide", many(250)).await;
    assert_eq!(st, StatusCode::CREATED, "{}", body["error"]);
    let addrs: HashSet<String> = (0..250).map(|i| private_ip(&body, i)).collect();
    assert_eq!(addrs.len(), 250);

    // The primary must be IPv4.
    vnet(
        s,
        "rg",
        "dual",
        &["10.10.0.0/16", "fd00:db8::/48"],
        &[("ds", &["10.10.1.0/24", "fd00:db8:0:1::/64"])],
    )
    .await;
    let ds = subnet_id("rg", "dual", "ds");
    let (st, body) = put_nic(
        s,
        "rg",
        "v6",
        vec![ipc_with(
            "ipconfig1",
            &ds,
            json!({"privateIPAddressVersion": "IPv6"}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "PrimaryIPConfigurationMustBeIPv4");
    assert_contains(&msg, "must be of IPv4 version");

    // All configurations in one virtual network.
    let (st, body) = put_nic(
        s,
        "rg",
        "split",
        vec![ipc_with("a", &web, json!({"primary": true})), ipc("b", &x)],
    )
    .await;
    let msg = assert_error(st, &body, 400, "IpConfigurationsOfNicInDifferentVnets");
    assert_contains(&msg, "cannot belong to different virtual networks");

    // A subnet that does not exist.
    let ghost = subnet_id("rg", "v", "ghost");
    let (st, body) = put_nic(s, "rg", "lost", vec![ipc("ipconfig1", &ghost)]).await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(
        msg,
        format!(
            "Resource {ghost} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
            config_id("rg", "lost", "ipconfig1")
        )
    );
    assert_eq!(body["error"]["details"][0]["code"], "NotFound", "{body}");
    let missing_vnet = subnet_id("rg", "nowhere", "web");
    let (st, body) = put_nic(s, "rg", "lost", vec![ipc("ipconfig1", &missing_vnet)]).await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(body["error"]["details"][0]["code"], "NotFound");
    // A reference of the wrong type, or not an id at all.
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc("ipconfig1", &pip_id("rg", "some-ip"))],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestFormat");
    assert_eq!(msg, "Cannot parse the request.");
    assert_eq!(
        body["error"]["details"][0]["code"], "InvalidJsonReferenceFormat",
        "{body}"
    );
    assert_contains(
        body["error"]["details"][0]["message"].as_str().unwrap(),
        "The Id is expected to reference resources of type virtualNetworks/subnets.",
    );
    let (st, body) = put_nic(s, "rg", "wrong", vec![ipc("ipconfig1", "not-an-id")]).await;
    assert_error(st, &body, 400, "LinkedInvalidPropertyId");
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": web}}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidRequestFormat");
    // A missing public IP.
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": pip_id("rg", "absent")}}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(body["error"]["details"][0]["code"], "NotFound");
    // No subnet at all.
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![json!({"name": "ipconfig1", "properties": {}})],
    )
    .await;
    let msg = assert_error(st, &body, 400, "SubnetReferenceRequired");
    assert_contains(&msg, "Subnet reference is required for ipconfiguration");
    // A subnet in another region.
    let (st, body) = s
        .put(
            &at(&rid("rg", "virtualNetworks", "far")),
            json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
                "subnets": [{"name": "s", "properties": {"addressPrefix": "10.9.0.0/24"}}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc("ipconfig1", &subnet_id("rg", "far", "s"))],
    )
    .await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    // None of the refused NICs exist.
    for n in ["n2", "split", "lost", "wrong", "v6"] {
        let (st, _) = s.get(&at(&nic_id("rg", n))).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{n}");
    }
}

async fn max_ip_configs_256(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "big",
        &["10.5.0.0/16"],
        &[("all", &["10.5.0.0/16"])],
    )
    .await;
    let all = subnet_id("rg", "big", "all");
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| ipc_with(&format!("c{i}"), &all, json!({"primary": i == 0})))
            .collect()
    };
    let (st, body) = put_nic(s, "rg", "wide", many(257)).await;
    let msg = assert_error(st, &body, 400, "IpConfigurationsPerNicLimitReached");
    assert_contains(&msg, "more than 256 IP configurations; the request has 257");
    let (st, body) = put_nic(s, "rg", "wide", many(256)).await;
    assert_eq!(st, StatusCode::CREATED, "{}", body["error"]);
    assert_eq!(
        body["properties"]["ipConfigurations"]
            .as_array()
            .unwrap()
            .len(),
        256
    );
    assert_eq!(private_ip(&body, 255), "10.5.1.3");
    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let u = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"]["value"] == "SecondaryIPConfigurationsPerNetworkInterface")
        .unwrap()
        .clone();
    assert_eq!(u["limit"], 255);
}

async fn public_ip_quota(s: &Server) {
    group(s, "rg").await;
    let basic = |loc: &str| json!({"location": loc, "sku": {"name": "Basic"}});
    for n in ["b1", "b2"] {
        let (st, body) = s.put(&at(&pip_id("rg", n)), basic(LOC)).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let (st, body) = s.put(&at(&pip_id("rg", "b3")), basic(LOC)).await;
    let msg = assert_error(st, &body, 400, "PublicIPCountLimitReached");
    assert_eq!(
        msg,
        "Cannot create more than 2 public IP addresses for this subscription in this region."
    );
    let (st, body) = s.get(&at(&pip_id("rg", "b3"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // Updating one that exists is not a new one.
    let (st, body) = s.put(&at(&pip_id("rg", "b2")), basic(LOC)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // Standard has its own quota; another region its own count.
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "s1")),
            json!({"location": LOC, "sku": {"name": "Standard"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&pip_id("rg", "w1")), basic("westus")).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let find = |name: &str| {
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"]["value"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("PublicIPAddresses")["currentValue"], 2);
    assert_eq!(find("PublicIPAddresses")["limit"], 2);
    assert_eq!(find("StandardSkuPublicIpAddresses")["currentValue"], 1);
    assert_eq!(find("StandardSkuPublicIpAddresses")["limit"], 2);

    // Deleting one makes room again.
    delete_ok(s, &pip_id("rg", "b1")).await;
    let (st, body) = s.put(&at(&pip_id("rg", "b3")), basic(LOC)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

async fn in_use_and_group_delete(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("spare", &["10.0.2.0/24"])],
    )
    .await;
    let web = subnet_id("rg", "v", "web");
    let vnet_id = rid("rg", "virtualNetworks", "v");
    let pip = pip_id("rg", "ip");
    let (st, body) = s
        .put(
            &at(&pip),
            json!({"location": LOC, "sku": {"name": "Standard"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let pip_addr = body["properties"]["ipAddress"]
        .as_str()
        .unwrap()
        .to_string();
    let lb = lb_id("rg", "lb");
    let (st, body) = s
        .put(
            &at(&lb),
            json!({"location": LOC, "properties": {
                "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": web}}}],
                "backendAddressPools": [{"name": "pool"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["frontendIPConfigurations"][0]["properties"]["privateIPAddress"],
        "10.0.1.4"
    );
    let pool = format!("{lb}/backendAddressPools/pool");
    let (st, body) = put_nic(
        s,
        "rg",
        "nic",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": pip}, "loadBalancerBackendAddressPools": [{"id": pool}]}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.5");

    // A used subnet and its VNet cannot go; an unused one can.
    let (st, _, body) = delete(s, &web).await;
    let msg = assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    assert_contains(&msg, "Subnet web is in use by ");
    assert_contains(&msg, "and cannot be deleted.");
    let (st, _, body) = delete(s, &vnet_id).await;
    assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    let (st, body) = s
        .put(
            &at(&vnet_id),
            vnet_body(&["10.0.0.0/16"], &[("spare", &["10.0.2.0/24"])]),
        )
        .await;
    assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    // Changing the prefix of a used subnet is refused too.
    let (st, body) = s
        .put(
            &at(&web),
            json!({"properties": {"addressPrefix": "10.0.4.0/24"}}),
        )
        .await;
    assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
    delete_ok(s, &subnet_id("rg", "v", "spare")).await;

    // NIC joining a pool of an LB in another region.
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "farlb")),
            json!({"location": "westus", "properties": {"backendAddressPools": [{"name": "far"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let far_pool = format!("{}/backendAddressPools/far", lb_id("rg", "farlb"));
    let (st, body) = put_nic(
        s,
        "rg",
        "farnic",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"loadBalancerBackendAddressPools": [{"id": far_pool}]}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, &far_pool);
    // A pool that does not exist.
    let (st, body) = put_nic(
        s,
        "rg",
        "farnic",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"loadBalancerBackendAddressPools": [{"id": format!("{lb}/backendAddressPools/nope")}]}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidResourceReference");

    // Deleting the group removes everything and gives every address back.
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (st, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "Succeeded", "{op}");
    for id in [
        nic_id("rg", "nic"),
        vnet_id.clone(),
        pip.clone(),
        lb.clone(),
    ] {
        let (st, body) = s.get(&at(&id)).await;
        assert_error(st, &body, 404, "ResourceGroupNotFound");
    }
    for ty in [
        "networkInterfaces",
        "virtualNetworks",
        "publicIPAddresses",
        "loadBalancers",
    ] {
        let (st, list) = s.get(&list_path(None, ty)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(names(&list).is_empty(), "{ty}: {list}");
    }
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    assert_eq!(dynamic_nic(s, "rg", "again", &web).await, "10.0.1.4");
    assert_eq!(dynamic_nic(s, "rg", "again2", &web).await, "10.0.1.5");
    let (st, body) = s
        .put(
            &at(&pip),
            json!({"location": LOC, "sku": {"name": "Standard"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["properties"]["ipAddress"], pip_addr.as_str());
}

// ---------------------------------------------------------------- bad input

async fn bad_input(s: &Server) {
    group(s, "rg").await;
    let v = rid("rg", "virtualNetworks", "v");
    let put_v =
        |body: Value| async move { s.put(&at(&rid("rg", "virtualNetworks", "v")), body).await };

    // Address spaces and subnets.
    let (st, body) = put_v(vnet_body(&["10.0.0/16"], &[])).await;
    let msg = assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    assert_eq!(
        msg,
        format!("Address prefix 10.0.0/16 of resource {v} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.")
    );
    for bad in ["banana", "10.0.0.0/33", "10.0.0.0", ""] {
        let (st, body) = put_v(vnet_body(&[bad], &[])).await;
        assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    }
    let (st, body) = put_v(vnet_body(&["10.0.0.1/16"], &[])).await;
    let msg = assert_error(st, &body, 400, "InvalidCIDRNotation");
    assert_eq!(
        msg,
        format!("The address prefix 10.0.0.1/16 in resource {v} has an invalid CIDR notation. For the given prefix length, the address prefix should be 10.0.0.0/16.")
    );
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.1.1/24"])])).await;
    assert_error(st, &body, 400, "InvalidCIDRNotation");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.1/24"])])).await;
    assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.1.0.0/24"])])).await;
    let msg = assert_error(st, &body, 400, "NetcfgSubnetRangeOutsideVnet");
    assert_eq!(
        msg,
        "Subnet 's' is not valid because its IP address range is outside the IP address range of virtual network 'v'."
    );
    let (st, body) = put_v(vnet_body(
        &["10.0.0.0/16"],
        &[("a", &["10.0.0.0/24"]), ("b", &["10.0.0.128/25"])],
    ))
    .await;
    let msg = assert_error(st, &body, 400, "NetcfgSubnetRangesOverlap");
    assert_eq!(
        msg,
        "Subnet 'b' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'v'."
    );
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.0.0/30"])])).await;
    let msg = assert_error(st, &body, 400, "NetcfgInvalidSubnet");
    assert_eq!(msg, "Subnet 's' is not valid in virtual network 'v'.");
    let (st, body) = put_v(vnet_body(
        &["10.0.0.0/16", "fd00::/48"],
        &[("s", &["10.0.0.0/24", "fd00::/80"])],
    ))
    .await;
    assert_error(st, &body, 400, "NetcfgInvalidSubnet");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16", "127.0.0.0/8"], &[])).await;
    let msg = assert_error(st, &body, 400, "VnetAddressPrefixInReservedRange");
    assert_contains(&msg, "127.0.0.0/8");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16", "10.0.4.0/24"], &[])).await;
    assert_error(st, &body, 400, "VnetAddressSpacesOverlap");
    let (st, body) = put_v(vnet_body(&[], &[])).await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, body) = put_v(vnet_body(
        &["10.0.0.0/16"],
        &[("s", &["10.0.0.0/24"]), ("S", &["10.0.1.0/24"])],
    ))
    .await;
    assert_error(st, &body, 400, "DuplicateResourceName");
    // None of those were stored.
    let (st, body) = s.get(&at(&v)).await;
    assert_error(st, &body, 404, "ResourceNotFound");

    // A standalone subnet with bad prefixes.
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("a", &["10.0.0.0/24"])]).await;
    let sn = |name: &str| at(&subnet_id("rg", "v", name));
    for (prefix, code) in [
        ("nope", "InvalidAddressPrefixFormat"),
        ("10.0.1.7/24", "InvalidCIDRNotation"),
        ("10.0.0.0/25", "NetcfgSubnetRangesOverlap"),
        ("192.168.0.0/24", "NetcfgSubnetRangeOutsideVnet"),
        ("10.0.9.0/30", "NetcfgInvalidSubnet"),
    ] {
        let (st, body) = s
            .put(&sn("b"), json!({"properties": {"addressPrefix": prefix}}))
            .await;
        assert_error(st, &body, 400, code);
    }
    let (st, body) = s.put(&sn("b"), json!({"properties": {}})).await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, body) = s
        .put(
            &sn("bad name"),
            json!({"properties": {"addressPrefix": "10.0.5.0/24"}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");

    // Missing location, unknown location.
    let (st, body) =
        put_v(json!({"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})).await;
    let msg = assert_error(st, &body, 400, "LocationRequired");
    assert_eq!(
        msg,
        "The location property is required for this definition."
    );
    let (st, body) = s
        .put(&at(&nic_id("rg", "n")), json!({"properties": {}}))
        .await;
    assert_error(st, &body, 400, "LocationRequired");
    let (st, body) = s
        .put(&at(&pip_id("rg", "p")), json!({"location": "moonbase"}))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");
    // A resource cannot move region.
    let (st, body) = s
        .put(
            &at(&v),
            json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
        )
        .await;
    assert_error(st, &body, 409, "InvalidResourceLocation");

    let a = subnet_id("rg", "v", "a");
    // Wrong enum values.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![ipc_with(
            "ipconfig1",
            &a,
            json!({"privateIPAllocationMethod": "Sometimes"}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestContent");
    assert_contains(&msg, "Sometimes");
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![ipc_with(
            "ipconfig1",
            &a,
            json!({"privateIPAddressVersion": "IPv5"}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidRequestContent");
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "p")),
            json!({"location": LOC, "sku": {"name": "Premium"}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestContent");
    assert_contains(&msg, "Premium");
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "p")),
            json!({"location": LOC, "properties": {"publicIPAllocationMethod": "Sticky"}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidRequestContent");

    // Wrong JSON types.
    for bad in [
        json!({"location": LOC, "tags": "x"}),
        json!({"location": 7}),
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": "10.0.0.0/16"}}}),
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": {"a": 1}}}),
        json!([1, 2]),
    ] {
        let (st, body) = put_v(bad.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
    }
    for bad in [
        json!({"location": LOC, "properties": {"ipConfigurations": {}}}),
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": 5}]}}),
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "c", "properties": {"primary": "yes"}}]}}),
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": a}}]}}),
    ] {
        let (st, body) = s.put(&at(&nic_id("rg", "n")), bad.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
    }
    for bad in [
        json!({"location": LOC, "properties": {"frontendIPConfigurations": "x"}}),
        json!({"location": LOC, "properties": {"backendAddressPools": [{"name": 1}]}}),
        json!({"location": LOC, "properties": {"frontendIPConfigurations": [{"name": "fe", "properties": {"privateIPAllocationMethod": "Often"}}]}}),
    ] {
        let (st, body) = s.put(&at(&lb_id("rg", "lb")), bad.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
    }
    // An empty body reads as `{}`; truncated JSON is refused.
    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &at(&nic_id("rg", "n")),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_error(st, &body, 400, "LocationRequired");
    let resp = s
        .client
        .put(s.url(&at(&nic_id("rg", "n"))))
        .header("content-type", "application/json")
        .body("{\"location\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidRequestContent");

    // A huge array: a quick 400, not a hang.
    let huge: Vec<Value> = (0..5000).map(|i| ipc(&format!("c{i}"), &a)).collect();
    let started = std::time::Instant::now();
    let (st, body) = put_nic(s, "rg", "huge", huge).await;
    let msg = assert_error(st, &body, 400, "InvalidRequestContent");
    assert_contains(&msg, "5000");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // Malformed private IPs in a NIC and in an LB frontend.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![ipc_with(
            "ipconfig1",
            &a,
            json!({"privateIPAddress": "10.0.0.300"}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidPrivateIPAddress");
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"frontendIPConfigurations": [
                {"name": "fe", "properties": {"subnet": {"id": a}, "privateIPAddress": "x.y"}}]}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidPrivateIPAddress");
    // A frontend with both, or neither, of subnet and public IP.
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"frontendIPConfigurations": [{"name": "fe"}]}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    // An idle timeout out of range.
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "p")),
            json!({"location": LOC, "properties": {"idleTimeoutInMinutes": 99}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");

    // Invalid names: of resources and of child configurations.
    for bad in ["bad name!", "dot.", "-dash", &"a".repeat(81)] {
        let path = format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/{}?{API}",
            bad.replace(' ', "%20").replace('!', "%21")
        );
        let (st, body) = s.put(&path, nic_body(vec![ipc("ipconfig1", &a)])).await;
        let msg = assert_error(st, &body, 400, "InvalidResourceName");
        assert_contains(
            &msg,
            "is invalid. The name can be up to 80 characters long.",
        );
    }
    let (st, body) = s
        .put(
            &at(&rid("rg", "virtualNetworks", "bad.")),
            vnet_body(&["10.0.0.0/16"], &[]),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = s
        .put(&at(&pip_id("rg", "bad.")), json!({"location": LOC}))
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = s
        .put(&at(&lb_id("rg", "bad.")), json!({"location": LOC}))
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = put_nic(s, "rg", "n", vec![ipc("bad config", &a)]).await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = put_nic(s, "rg", "n", vec![ipc("", &a)]).await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("bad/", &["10.0.0.0/24"])])).await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"backendAddressPools": [{"name": "no good"}]}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    // Nothing invalid was created.
    let (st, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(names(&list).is_empty(), "{list}");
}

// ---------------------------------------------------------------- concurrency

async fn parallel_fill_small_subnet(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[("small", &["10.0.0.0/27"])],
    )
    .await;
    let small = subnet_id("rg", "v", "small");
    let reqs = (0..40)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("nic{i}"))),
                nic_body(vec![ipc("ipconfig1", &small)]),
            )
        })
        .collect();
    let results = parallel_puts(s, reqs).await;
    let mut addrs = HashSet::new();
    let mut full = 0;
    for (st, body) in &results {
        match st.as_u16() {
            201 => {
                let a = private_ip(body, 0);
                assert!(in_prefix(&a, "10.0.0.0/27"), "{a}");
                let last: u8 = a.rsplit('.').next().unwrap().parse().unwrap();
                assert!((4..=30).contains(&last), "{a} is reserved");
                assert!(addrs.insert(a.clone()), "{a} handed out twice");
            }
            400 => {
                assert_eq!(body["error"]["code"], "SubnetIsFull", "{body}");
                full += 1;
            }
            _ => panic!("unexpected {st}: {body}"),
        }
    }
    assert_eq!(addrs.len(), 27, "a /27 holds 27 NICs");
    assert_eq!(full, 13);
    // What the server stored agrees.
    let (_, sn) = s.get(&at(&small)).await;
    assert_eq!(ids(&sn["properties"]["ipConfigurations"]).len(), 27);
    let (_, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    let stored: HashSet<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| private_ip(n, 0))
        .collect();
    assert_eq!(stored, addrs);
}

async fn parallel_same_static_ip(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let reqs = (0..10)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("nic{i}"))),
                nic_body(vec![ipc_with(
                    "ipconfig1",
                    &web,
                    json!({"privateIPAllocationMethod": "Static", "privateIPAddress": "10.0.1.20"}),
                )]),
            )
        })
        .collect();
    let pg = on_postgres(s).await;
    let results = parallel_puts(s, reqs).await;
    let mut winners = Vec::new();
    for (i, (st, body)) in results.iter().enumerate() {
        match (st.as_u16(), body["error"]["code"].as_str()) {
            (201, _) => {
                assert_eq!(private_ip(body, 0), "10.0.1.20");
                winners.push(i);
            }
            (400, Some("PrivateIPAddressInUse")) => {
                assert_contains(body["error"]["message"].as_str().unwrap(), "10.0.1.20");
            }
            (409, Some("AnotherOperationInProgress")) if pg => {}
            _ => panic!("unexpected {st}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = config_id("rg", &format!("nic{}", winners[0]), "ipconfig1");
    let (_, sn) = s.get(&at(&web)).await;
    assert_eq!(ids(&sn["properties"]["ipConfigurations"]), [winner]);
    let (_, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(names(&list).len(), 1);
}

async fn parallel_same_public_ip(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let pip = pip_id("rg", "shared");
    let (st, body) = s
        .put(
            &at(&pip),
            json!({"location": LOC, "sku": {"name": "Standard"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let reqs = (0..10)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("nic{i}"))),
                nic_body(vec![ipc_with(
                    "ipconfig1",
                    &web,
                    json!({"publicIPAddress": {"id": pip}}),
                )]),
            )
        })
        .collect();
    let pg = on_postgres(s).await;
    let results = parallel_puts(s, reqs).await;
    let mut winners = Vec::new();
    for (i, (st, body)) in results.iter().enumerate() {
        match (st.as_u16(), body["error"]["code"].as_str()) {
            (201, _) => winners.push(i),
            (400, Some("PublicIPAddressInUse")) => {}
            (409, Some("AnotherOperationInProgress")) if pg => {}
            _ => panic!("unexpected {st}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "{results:?}");
    let (_, got) = s.get(&at(&pip)).await;
    assert_eq!(
        got["properties"]["ipConfiguration"]["id"],
        config_id("rg", &format!("nic{}", winners[0]), "ipconfig1")
    );
    // Losers left no address behind: the next NIC gets the address after the winner's.
    let (_, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(names(&list).len(), 1);
    assert_eq!(dynamic_nic(s, "rg", "after", &web).await, "10.0.1.5");
}

// ---------------------------------------------------------------- both stores

/// A public IP handed from one configuration of a NIC to another in one PUT (what
/// `az network nic ip-config update --public-ip-address` on two configurations amounts to).
async fn public_ip_moves_within_a_nic(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let pip = pip_id("rg", "p");
    put_checked(
        s,
        &pip,
        json!({"location": LOC, "properties": {}}),
        StatusCode::CREATED,
    )
    .await;
    let with_pip = json!({"publicIPAddress": {"id": pip}});
    let first = json!({"primary": true});
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "publicIPAddress": {"id": pip}}),
            ),
            ipc("b", &web),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, first.clone()),
            ipc_with("b", &web, with_pip.clone()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body["properties"]["ipConfigurations"][0]["properties"]
        .get("publicIPAddress")
        .is_none());
    let (_, p) = s.get(&at(&pip)).await;
    assert_eq!(
        p["properties"]["ipConfiguration"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        config_id("rg", "n", "b").to_lowercase()
    );
    // Both configurations claiming it is refused.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "publicIPAddress": {"id": pip}}),
            ),
            ipc_with("b", &web, with_pip),
        ],
    )
    .await;
    assert_error(st, &body, 400, "PublicIPAddressInUse");
}

macro_rules! on_both_stores {
    ($($name:ident [$($arg:expr),*]),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let s = Server::start(&[$($arg),*]);
                    assert!(!on_postgres(&s).await);
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let url = fresh_postgres();
                    let s = Server::start(&["--database-url", &url, $($arg),*]);
                    assert!(on_postgres(&s).await);
                    super::$name(&s).await;
                }
            )*
        }
    };
}

on_both_stores!(
    vnet_lifecycle[],
    nic_lifecycle[],
    public_ip_lifecycle[],
    public_ip_moves_within_a_nic[],
    load_balancer_lifecycle[],
    usages[],
    ipam_rules[],
    nic_rules[],
    max_ip_configs_256["--max-ip-configs-per-nic", "256"],
    public_ip_quota["--public-ip-quota", "2"],
    in_use_and_group_delete[],
    bad_input[],
    parallel_fill_small_subnet[],
    parallel_same_static_ip[],
    parallel_same_public_ip[],
);
