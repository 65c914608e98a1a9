//! Access control enforced (`cerulean serve --rbac`) over HTTPS against the real binary: each
//! rule with Azure's status, code and exact message, for service principals and users from
//! `--principals`, lists filtered to what the caller may read, linked access, template
//! deployments applied as the deployer, and assignments taking effect at once.
//! This file holds the principals and helpers; the scenarios live by topic in `rbac/`:
//! visibility (`visibility.rs`), writes and what they reference (`writes.rs`), and
//! assignments, sign-in and the server's flags (`assignments.rs`).

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LOC: &str = "eastus";
const RAPI: &str = "api-version=2024-03-01";
const AUTHZ: &str = "api-version=2022-04-01";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const NETWORK_CONTRIBUTOR: &str = "4d97b98b-1d4f-4787-a291-c67834d212e7";

/// Owner of the subscription, Reader of it, Network Contributor of it, Contributor of the
/// group `app` (role given by id), nobody, and a user who reads the group `app`.
fn principals() -> String {
    json!([
        {"clientId": "admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "reader", "clientSecret": "s", "roles": [{"role": "Reader", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "netops", "clientSecret": "s", "roles": [{"role": "Network Contributor", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "app1", "clientSecret": "s", "roles": [{"role": "b24988ac-6180-42a0-ab88-20f7382dd24c", "scope": format!("/subscriptions/{SUB}/resourceGroups/app")}]},
        {"clientId": "nobody", "clientSecret": "s"},
        {"userName": "ada@example.com", "password": "pw", "displayName": "Ada", "roles": [{"role": "Reader", "scope": format!("/subscriptions/{SUB}/resourceGroups/app")}]}
    ])
    .to_string()
}

fn start() -> Server {
    start_with(&principals())
}

/// A server with `--auth required --rbac` and these principals (a JSON list).
fn start_with(principals: &str) -> Server {
    let dir = temp_dir();
    let file = dir.join("principals.json");
    std::fs::write(&file, principals).unwrap();
    Server::start_in(
        &dir,
        &[
            "--auth",
            "required",
            "--principals",
            file.to_str().unwrap(),
            "--rbac",
        ],
    )
}

struct Who {
    token: String,
    oid: String,
    client: String,
}

async fn who(s: &Server, client: &str) -> Who {
    let token = s.token(client, "s").await;
    let oid = jwt_claims(&token)["oid"].as_str().unwrap().to_string();
    Who {
        token,
        oid,
        client: client.into(),
    }
}

impl Who {
    async fn get(&self, s: &Server, path: &str) -> (StatusCode, Value) {
        s.call_as(&self.token, Method::GET, path, None).await
    }
    async fn put(&self, s: &Server, path: &str, body: Value) -> (StatusCode, Value) {
        s.call_as(&self.token, Method::PUT, path, Some(body)).await
    }
    async fn delete(&self, s: &Server, path: &str) -> (StatusCode, Value) {
        s.call_as(&self.token, Method::DELETE, path, None).await
    }

    /// Azure's refusal of `action` over `scope` for this principal.
    fn refusal(&self, action: &str, scope: &str) -> String {
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            self.client, self.oid
        )
    }
}

fn group(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

fn net(rg: &str, ty: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Network/{ty}/{name}", group(rg))
}

fn at(id: &str) -> String {
    format!("{id}?{API}")
}

fn pip_body() -> Value {
    json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
}

fn nic_body(subnet: &str) -> Value {
    json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "c1", "properties": {"subnet": {"id": subnet}}}]}})
}

async fn ok(r: (StatusCode, Value)) -> Value {
    assert!(r.0.is_success(), "{} {}", r.0, r.1);
    r.1
}

/// The admin creates a group.
async fn make_group(s: &Server, admin: &Who, rg: &str) {
    ok(admin
        .put(s, &at(&group(rg)), json!({"location": LOC}))
        .await)
    .await;
}

async fn make_vnet(s: &Server, admin: &Who, rg: &str) -> String {
    let id = net(rg, "virtualNetworks", "v");
    ok(admin
        .put(
            s,
            &at(&id),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                   "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
        )
        .await)
    .await;
    format!("{id}/subnets/a")
}

fn assignment_path(scope: &str) -> String {
    format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{}?{AUTHZ}",
        uuid::Uuid::new_v4()
    )
}

async fn assign(s: &Server, admin: &Who, scope: &str, role: &str, principal: &str) -> String {
    let path = assignment_path(scope);
    let body = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": principal}});
    let (st, b) = admin.put(s, &path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    path
}

// The scenarios, by topic.
#[path = "rbac/assignments.rs"]
mod assignments;
#[path = "rbac/visibility.rs"]
mod visibility;
#[path = "rbac/writes.rs"]
mod writes;
