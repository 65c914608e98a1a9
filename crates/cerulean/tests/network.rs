//! Microsoft.Network over HTTPS against the real binary, on SQLite and on PostgreSQL:
//! lifecycles, IPAM, the NIC / public IP / load balancer rules, bad input and concurrency.
//! This file holds the shared helpers and runs every scenario on both stores (as
//! `sqlite::<name>` and `postgres::<name>`); the scenarios live by topic in `network/`:
//! virtual networks, subnets and IPAM (`vnets.rs`), NICs and their IP configurations
//! (`nics.rs`), public IPs, their quota and the usages (`public_ips.rs`), load balancers and
//! the in-use rules with group delete (`load_balancers.rs`), inbound NAT rules
//! (`nat_rules.rs`), application security groups (`asgs.rs`), private and public DNS zones
//! (`dns.rs`), private endpoints (`private_endpoints.rs`), bad input (`bad_input.rs`) and
//! concurrency (`concurrency.rs`).

mod common;

use common::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::net::IpAddr;

#[path = "network/vnets.rs"]
mod vnets;
use vnets::{ip_availability, ipam_rules, vnet_lifecycle};
#[path = "network/nics.rs"]
mod nics;
use nics::{max_ip_configs_256, nic_lifecycle, nic_rules};
#[path = "network/public_ips.rs"]
mod public_ips;
use public_ips::{public_ip_lifecycle, public_ip_moves_within_a_nic, public_ip_quota, usages};
#[path = "network/load_balancers.rs"]
mod load_balancers;
use load_balancers::{in_use_and_group_delete, load_balancer_lifecycle};
#[path = "network/nat_rules.rs"]
mod nat_rules;
use nat_rules::inbound_nat_rules;
#[path = "network/lb_rules.rs"]
mod lb_rules;
use lb_rules::{ip_based_backend_pools, load_balancing_rules, rules_across_load_balancers};
#[path = "network/asgs.rs"]
mod asgs;
use asgs::application_security_groups;
#[path = "network/dns.rs"]
mod dns;
use dns::{a_group_delete_releases_dns_registrations, private_dns_zones, public_dns_zones};
#[path = "network/private_endpoints.rs"]
mod private_endpoints;
use private_endpoints::private_endpoints;
#[path = "network/private_endpoint_connections.rs"]
mod private_endpoint_connections;
use private_endpoint_connections::private_endpoint_connections;
#[path = "network/private_link_services.rs"]
mod private_link_services;
use private_link_services::private_link_services;
#[path = "network/bad_input.rs"]
mod bad_input;
use bad_input::bad_input;
#[path = "network/concurrency.rs"]
mod concurrency;
use concurrency::{parallel_fill_small_subnet, parallel_same_public_ip, parallel_same_static_ip};

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

/// Creates a Standard public IP; returns its id and its body.
async fn standard_pip(s: &Server, rg: &str, name: &str) -> (String, Value) {
    let pip = pip_id(rg, name);
    let (st, body) = s
        .put(
            &at(&pip),
            json!({"location": LOC, "sku": {"name": "Standard"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    (pip, body)
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

// ---------------------------------------------------------------- both stores

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
    inbound_nat_rules[],
    load_balancing_rules[],
    ip_based_backend_pools[],
    rules_across_load_balancers[],
    application_security_groups[],
    private_dns_zones[],
    private_endpoints[],
    private_endpoint_connections[],
    private_link_services["--subscription", "00000000-0000-0000-0000-0000000000aa"],
    public_dns_zones[],
    a_group_delete_releases_dns_registrations[],
    usages[],
    ipam_rules[],
    ip_availability[],
    nic_rules[],
    max_ip_configs_256["--max-ip-configs-per-nic", "256"],
    public_ip_quota["--public-ip-quota", "2"],
    in_use_and_group_delete[],
    bad_input[],
    parallel_fill_small_subnet[],
    parallel_same_static_ip[],
    parallel_same_public_ip[],
);
