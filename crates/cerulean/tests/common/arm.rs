//! ARM ids, bodies and calls shared by the integrity suites (`subnet_prefixes`,
//! `references`, `arm_rules`): a group, networks, NICs, and checks that nothing was written.

use super::{rg_path, Server, API, SUB};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const LOC: &str = "eastus";

pub fn group_id(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

/// The id of a resource `{ns}/{ty}/{name}` in group `rg`.
pub fn res_id(rg: &str, ns: &str, ty: &str, name: &str) -> String {
    format!("{}/providers/{ns}/{ty}/{name}", group_id(rg))
}

/// The id of a Microsoft.Network resource.
pub fn net(rg: &str, ty: &str, name: &str) -> String {
    res_id(rg, "Microsoft.Network", ty, name)
}

pub fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", net(rg, "virtualNetworks", vnet))
}

/// The URL path of a resource id, with the api-version.
pub fn at(id: &str) -> String {
    format!("{id}?{API}")
}

pub async fn group(s: &Server, rg: &str) {
    let (st, body) = s.put(&rg_path(rg), json!({ "location": LOC })).await;
    assert!(st.is_success(), "group {rg}: {st} {body}");
}

/// PUT that must succeed (201 or 200); returns the body.
pub async fn put_ok(s: &Server, id: &str, body: Value) -> Value {
    let (st, out) = s.put(&at(id), body).await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::OK,
        "PUT {id}: {st} {out}"
    );
    out
}

pub async fn get_ok(s: &Server, id: &str) -> Value {
    let (st, body) = s.get(&at(id)).await;
    assert_eq!(st, StatusCode::OK, "GET {id}: {body}");
    body
}

pub async fn delete(s: &Server, id: &str) -> (StatusCode, Value) {
    let (st, _, body) = s.call(Method::DELETE, &at(id), None).await;
    (st, body)
}

/// A virtual network body; each subnet is `(name, prefixes)`.
pub fn vnet_body(space: &[&str], subnets: &[(&str, &[&str])]) -> Value {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(name, prefixes)| json!({"name": name, "properties": {"addressPrefixes": prefixes}}))
        .collect();
    json!({
        "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": space}, "subnets": subnets}
    })
}

/// One IP configuration in a subnet, with extra properties merged in.
pub fn ipc(name: &str, subnet: &str, extra: Value) -> Value {
    let mut c = json!({"name": name, "properties": {"subnet": {"id": subnet}}});
    for (k, v) in extra.as_object().unwrap() {
        c["properties"][k] = v.clone();
    }
    c
}

pub fn nic_body(configs: Vec<Value>) -> Value {
    json!({"location": LOC, "properties": {"ipConfigurations": configs}})
}

pub fn private_ip(nic: &Value, i: usize) -> String {
    nic["properties"]["ipConfigurations"][i]["properties"]["privateIPAddress"]
        .as_str()
        .unwrap_or_else(|| panic!("no address in {nic}"))
        .to_string()
}

/// Creates a NIC with one dynamic IPv4 configuration and returns its address.
pub async fn dynamic_nic(s: &Server, rg: &str, name: &str, subnet: &str) -> String {
    let body = put_ok(
        s,
        &net(rg, "networkInterfaces", name),
        nic_body(vec![ipc("ipconfig1", subnet, json!({}))]),
    )
    .await;
    private_ip(&body, 0)
}

/// True when the server stores in PostgreSQL.
pub async fn on_postgres(s: &Server) -> bool {
    let (st, info) = s.get("/cerulean/info").await;
    assert_eq!(st, StatusCode::OK, "{info}");
    info["store"] == "postgres"
}

/// Every resource id in a group, sorted: what a refused request must leave unchanged.
pub async fn group_contents(s: &Server, rg: &str) -> Vec<String> {
    let (st, body) = s.get(&format!("{}/resources?{API}", group_id(rg))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let mut ids: Vec<String> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(body["nextLink"].is_null(), "one page expected: {body}");
    ids.sort();
    ids
}

/// Deploys `template` to group `rg` as deployment `name` and waits for its final status,
/// which it returns (the operation status body).
pub async fn deploy(s: &Server, rg: &str, name: &str, template: Value) -> Value {
    let path = format!(
        "{}/providers/Microsoft.Resources/deployments/{name}?api-version=2024-03-01",
        group_id(rg)
    );
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &path,
            Some(json!({"properties": {"template": template, "mode": "Incremental"}})),
        )
        .await;
    assert!(st.is_success(), "{st} {body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let poll = url.strip_prefix(&s.base).unwrap().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (st, op) = s.get(&poll).await;
        assert_eq!(st, StatusCode::OK, "{op}");
        if op["status"] != "Running" {
            return op;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "deployment never finished"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// A template of the given resources.
pub fn template(resources: Value) -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources
    })
}

pub fn assert_contains(msg: &str, part: &str) {
    assert!(msg.contains(part), "{msg:?} should contain {part:?}");
}
