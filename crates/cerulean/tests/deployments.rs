//! Template deployments and generic resources over HTTPS against the real binary: the seed's
//! scenarios written as templates (examples/templates), their failures with the inner
//! resource's own error, modes, what-if, validation, operations, cancel.
//! This file holds the shared helpers; the scenarios live by topic in `deployments/`: the
//! seed's templates (`seed.rs`), refusals, modes, what-if and validate (`validation.rs`), and
//! a deployment's life and generic resources (`lifecycle.rs`).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LOC: &str = "eastus";
const RAPI: &str = "api-version=2024-03-01";

fn template(name: &str) -> Value {
    let path = format!(
        "{}/../../examples/templates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn group_id(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

fn deployment_path(rg: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Resources/deployments/{name}",
        group_id(rg)
    )
}

fn res(rg: &str, ty: &str, name: &str) -> String {
    format!("{}/providers/{ty}/{name}", group_id(rg))
}

async fn group(s: &Server, rg: &str) {
    let (st, body) = s.put(&rg_path(rg), json!({"location": LOC})).await;
    assert!(st.is_success(), "{body}");
}

fn params(pairs: &[(&str, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        m.insert((*k).into(), json!({ "value": v }));
    }
    Value::Object(m)
}

/// PUTs a deployment (expecting 201/200) and polls `Azure-AsyncOperation` until it is final;
/// returns the final status body and the deployment.
async fn deploy(
    s: &Server,
    rg: &str,
    name: &str,
    tpl: Value,
    parameters: Value,
    mode: &str,
) -> (Value, Value) {
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path(rg, name)),
            Some(json!({"properties": {"template": tpl, "parameters": parameters, "mode": mode}})),
        )
        .await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::OK,
        "{st} {body}"
    );
    assert_eq!(
        body["properties"]["provisioningState"], "Accepted",
        "{body}"
    );
    assert_eq!(hdrs["retry-after"], "1");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap().to_string();
    assert!(url.contains("/operationStatuses/"), "{url}");
    let status = poll(s, &url).await;
    let (st, d) = s
        .get(&format!("{}?{RAPI}", deployment_path(rg, name)))
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    (status, d)
}

async fn poll(s: &Server, url: &str) -> Value {
    let path = url.strip_prefix(&s.base).unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (st, hdrs, body) = s.call(Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(hdrs["retry-after"], "1", "the SDKs wait 30 s without it");
        if body["status"] != "Running" {
            return body;
        }
        assert!(Instant::now() < deadline, "deployment never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get_ok(s: &Server, id: &str) -> Value {
    let (st, body) = s.get(&format!("{id}?{API}")).await;
    assert_eq!(st, StatusCode::OK, "GET {id}: {body}");
    body
}

async fn operations(s: &Server, rg: &str, name: &str) -> Vec<Value> {
    let (st, body) = s
        .get(&format!("{}/operations?{RAPI}", deployment_path(rg, name)))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["value"].as_array().unwrap().clone()
}

/// The type of each operation's target, in order.
fn target_types(ops: &[Value]) -> Vec<&str> {
    ops.iter()
        .map(|o| {
            o["properties"]["targetResource"]["resourceType"]
                .as_str()
                .unwrap()
        })
        .collect()
}

async fn put_invalid(s: &Server, tpl: Value, parameters: Value) -> (StatusCode, Value) {
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "bad")),
            Some(json!({"properties": {"template": tpl, "parameters": parameters, "mode": "Incremental"}})),
        )
        .await;
    assert!(hdrs.get("azure-asyncoperation").is_none());
    (st, body)
}

fn tpl_with(resources: Value) -> Value {
    json!({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": resources})
}

fn pip(name: &str, depends: &[&str]) -> Value {
    json!({"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": name, "location": LOC, "dependsOn": depends, "properties": {}})
}

// The scenarios, by topic.
#[path = "deployments/lifecycle.rs"]
mod lifecycle;
#[path = "deployments/nested.rs"]
mod nested;
#[path = "deployments/seed.rs"]
mod seed;
#[path = "deployments/subscription.rs"]
mod subscription;
#[path = "deployments/validation.rs"]
mod validation;
