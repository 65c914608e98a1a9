//! Microsoft.Compute over HTTPS against the real binary, on SQLite and on PostgreSQL: the
//! seed walked end to end (every forbidden NIC move, deallocate, add, remove the primary,
//! delete and reuse), power states and their side effects on NICs and public IPs, profiles,
//! PATCH, IPv6 NICs, availability sets, the size catalogue, bad input and races.
//! This file holds the shared helpers, runs every scenario on both stores (as
//! `sqlite::<name>` and `postgres::<name>`) and keeps the two SQLite-only tests at its end (a
//! slow operation under `--latency`, the etags a start changes); the scenarios live by topic
//! in `compute/`: the seed walkthrough and the IPv6 NIC rules (`seed.rs`), power states,
//! profiles, PATCH and `deleteOption` (`power_and_profiles.rs`), availability sets, the size
//! catalogue, usages and lists (`sets_and_catalogue.rs`), private DNS auto-registration
//! (`dns_registration.rs`), load balancers and public IPs per availability set
//! (`placement.rs`), and bad input and races (`bad_input_and_races.rs`).

mod common;

use common::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

#[path = "compute/seed.rs"]
mod seed;
use seed::{ipv6_nics, seed_walkthrough};
#[path = "compute/power_and_profiles.rs"]
mod power_and_profiles;
use power_and_profiles::{power_states_and_public_ips, profiles_patch_and_delete_option};
#[path = "compute/sets_and_catalogue.rs"]
mod sets_and_catalogue;
use sets_and_catalogue::{
    availability_sets, catalogue_usages_and_lists, extensions_are_listed_under_their_vm,
};
#[path = "compute/dns_registration.rs"]
mod dns_registration;
use dns_registration::private_dns_registration;
#[path = "compute/placement.rs"]
mod placement;
use placement::load_balancers_and_availability_groups;
#[path = "compute/bad_input_and_races.rs"]
mod bad_input_and_races;
use bad_input_and_races::{
    bad_input, nic_in_other_subscription, race_nic_add_vs_start, race_same_nic,
};

const LOC: &str = "eastus";
const OTHER_SUB: &str = "00000000-0000-0000-0000-0000000000aa";

// ---------------------------------------------------------------- helpers

fn rid_in(sub: &str, rg: &str, ns: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{ty}/{name}")
}

fn net(rg: &str, ty: &str, name: &str) -> String {
    rid_in(SUB, rg, "Microsoft.Network", ty, name)
}

fn nic_id(rg: &str, name: &str) -> String {
    net(rg, "networkInterfaces", name)
}

fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", net(rg, "virtualNetworks", vnet))
}

fn vm_id(rg: &str, name: &str) -> String {
    rid_in(SUB, rg, "Microsoft.Compute", "virtualMachines", name)
}

fn set_id(rg: &str, name: &str) -> String {
    rid_in(SUB, rg, "Microsoft.Compute", "availabilitySets", name)
}

/// The URL path of a resource id, with the api-version.
fn at(id: &str) -> String {
    format!("{id}?{API}")
}

async fn group_in(s: &Server, sub: &str, rg: &str) {
    let (st, body) = s
        .put(
            &format!("/subscriptions/{sub}/resourceGroups/{rg}?{API}"),
            json!({ "location": LOC }),
        )
        .await;
    assert!(st.is_success(), "group {rg}: {st} {body}");
}

async fn group(s: &Server, rg: &str) {
    group_in(s, SUB, rg).await;
}

/// Creates a virtual network `id` with the given subnets (`name`, prefixes).
async fn vnet_at(s: &Server, id: &str, space: &[&str], subnets: &[(&str, &[&str])]) {
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
    let (st, body) = s
        .put(
            &at(id),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": space}, "subnets": subnets}}),
        )
        .await;
    assert!(st.is_success(), "vnet {id}: {st} {body}");
}

async fn vnet(s: &Server, rg: &str, name: &str, space: &[&str], subnets: &[(&str, &[&str])]) {
    vnet_at(s, &net(rg, "virtualNetworks", name), space, subnets).await;
}

fn ipc(name: &str, subnet: &str) -> Value {
    json!({"name": name, "properties": {"subnet": {"id": subnet}}})
}

fn ipc_with(name: &str, subnet: &str, extra: Value) -> Value {
    let mut c = ipc(name, subnet);
    for (k, v) in extra.as_object().unwrap() {
        c["properties"][k] = v.clone();
    }
    c
}

/// Creates a NIC `id` with these IP configurations; returns its body.
async fn nic_at(s: &Server, id: &str, configs: Vec<Value>) -> Value {
    let (st, body) = s
        .put(
            &at(id),
            json!({"location": LOC, "properties": {"ipConfigurations": configs}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "nic {id}: {body}");
    body
}

/// A NIC with one dynamic configuration in `subnet`; returns its id.
async fn nic(s: &Server, rg: &str, name: &str, subnet: &str) -> String {
    let id = nic_id(rg, name);
    nic_at(s, &id, vec![ipc("ipconfig1", subnet)]).await;
    id
}

async fn get_ok(s: &Server, id: &str) -> Value {
    let (st, body) = s.get(&at(id)).await;
    assert_eq!(st, StatusCode::OK, "GET {id}: {body}");
    body
}

/// A NIC reference of a VM's network profile.
fn nref(id: &str, primary: Option<bool>) -> Value {
    match primary {
        Some(p) => json!({"id": id, "properties": {"primary": p}}),
        None => json!({"id": id}),
    }
}

fn vm_body(size: &str, nics: Vec<Value>) -> Value {
    json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {
                "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                "osDisk": {"createOption": "FromImage", "osType": "Linux"}
            },
            "osProfile": {"computerName": "host", "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": nics}
        }
    })
}

async fn put_vm(s: &Server, id: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
    s.call(Method::PUT, &at(id), Some(body)).await
}

/// Follows `Azure-AsyncOperation` to Succeeded.
async fn poll_succeeded(s: &Server, hdrs: &HeaderMap) {
    assert_eq!(hdrs["retry-after"], "1");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    assert!(
        url.contains("/providers/Microsoft.Compute/locations/"),
        "{url}"
    );
    let (st, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{op}");
    assert_eq!(op["status"], "Succeeded", "{op}");
    assert!(
        op["startTime"].is_string() && op["endTime"].is_string(),
        "{op}"
    );
}

/// Follows `Location`: done means 200 or 204.
async fn poll_location(s: &Server, hdrs: &HeaderMap) -> StatusCode {
    let url = hdrs["location"].to_str().unwrap();
    let (st, _, body) = s
        .call(Method::GET, url.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert!(
        st == StatusCode::OK || st == StatusCode::NO_CONTENT,
        "{st} {body}"
    );
    st
}

/// A VM PUT that must answer `want`, with both polling headers, and succeed.
async fn put_vm_ok(s: &Server, id: &str, body: Value, want: StatusCode) -> Value {
    let (st, hdrs, body) = put_vm(s, id, body).await;
    assert_eq!(st, want, "PUT {id}: {body}");
    assert!(hdrs.get("location").is_some(), "Location header");
    poll_succeeded(s, &hdrs).await;
    poll_location(s, &hdrs).await;
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    body
}

/// POST a power action: 202 with Location and Azure-AsyncOperation. Location is Compute's
/// monitor URL (the status URL with `monitor=true`) and ends in 200 with an empty body, as
/// Azure's does: `@azure/arm-compute` 24 refuses a 204 there.
async fn power(s: &Server, vm: &str, op: &str) {
    let (st, hdrs, body) = s
        .call(Method::POST, &format!("{vm}/{op}?{API}"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{op}: {body}");
    assert_eq!(hdrs["retry-after"], "1");
    let location = hdrs["location"].to_str().unwrap();
    let status = hdrs["azure-asyncoperation"].to_str().unwrap();
    assert!(
        location.contains("/providers/Microsoft.Compute/locations/")
            && location.contains("/operations/")
            && location.contains("monitor=true"),
        "{location}"
    );
    assert_eq!(
        location.replacen("monitor=true&", "", 1),
        status,
        "the monitor URL is the status URL with monitor=true"
    );
    poll_succeeded(s, &hdrs).await;
    let (st, h, body) = s
        .call(Method::GET, location.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{op}: {body}");
    assert!(body.is_null(), "{op}: an empty body, not {body}");
    assert_eq!(h["content-length"], "0");
}

async fn power_err(s: &Server, vm: &str, op: &str) -> (StatusCode, Value) {
    let (st, _, body) = s
        .call(Method::POST, &format!("{vm}/{op}?{API}"), None)
        .await;
    (st, body)
}

/// The VM's NIC references as `(lower-case id, primary)`, in order.
fn vm_nics(vm: &Value) -> Vec<(String, bool)> {
    vm["properties"]["networkProfile"]["networkInterfaces"]
        .as_array()
        .unwrap_or_else(|| panic!("no NICs in {vm}"))
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_lowercase(),
                n["properties"]["primary"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn nic_set(vm: &Value) -> HashSet<String> {
    vm_nics(vm).into_iter().map(|(id, _)| id).collect()
}

fn primary_of(vm: &Value) -> String {
    let p: Vec<String> = vm_nics(vm)
        .into_iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(p.len(), 1, "exactly one primary in {vm}");
    p[0].clone()
}

/// The power state code suffix from an instance view.
fn power_state(iv: &Value) -> (String, String) {
    let s = iv["statuses"]
        .as_array()
        .unwrap_or_else(|| panic!("no statuses in {iv}"))
        .iter()
        .find(|s| s["code"].as_str().unwrap().starts_with("PowerState/"))
        .unwrap_or_else(|| panic!("no power state in {iv}"));
    (
        s["code"].as_str().unwrap().to_string(),
        s["displayStatus"].as_str().unwrap().to_string(),
    )
}

async fn instance_view(s: &Server, vm: &str) -> Value {
    let (st, iv) = s.get(&format!("{vm}/instanceView?{API}")).await;
    assert_eq!(st, StatusCode::OK, "{iv}");
    iv
}

/// GET `$expand=instanceView` and GET `/instanceView` agree on the power state.
async fn assert_power(s: &Server, vm: &str, code: &str, display: &str) {
    let (st, body) = s.get(&format!("{vm}?{API}&$expand=instanceView")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let want = (format!("PowerState/{code}"), display.to_string());
    assert_eq!(power_state(&body["properties"]["instanceView"]), want);
    let iv = instance_view(s, vm).await;
    assert_eq!(power_state(&iv), want);
    let prov = &iv["statuses"][0];
    assert_eq!(prov["code"], "ProvisioningState/succeeded");
    assert_eq!(prov["displayStatus"], "Provisioning succeeded");
}

fn mac(nic: &Value) -> Option<String> {
    nic["properties"]["macAddress"].as_str().map(str::to_string)
}

fn assert_mac_format(m: &str) {
    let parts: Vec<&str> = m.split('-').collect();
    assert_eq!(parts.len(), 6, "{m}");
    assert_eq!(&parts[..3], ["00", "0D", "3A"], "{m}");
    for p in &parts[3..] {
        assert!(
            p.len() == 2
                && p.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
            "{m}"
        );
    }
}

/// The NIC's `virtualMachine` id (lower-case) and `primary`.
async fn nic_vm(s: &Server, nic: &str) -> (Option<String>, Option<bool>) {
    let b = get_ok(s, nic).await;
    (
        b["properties"]["virtualMachine"]["id"]
            .as_str()
            .map(str::to_lowercase),
        b["properties"]["primary"].as_bool(),
    )
}

fn ipcfg_address(nic: &Value) -> String {
    nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn pip_address(s: &Server, id: &str) -> Option<String> {
    get_ok(s, id).await["properties"]["ipAddress"]
        .as_str()
        .map(str::to_string)
}

/// True when the server stores in PostgreSQL (whose SERIALIZABLE races may end in a 409).
async fn on_postgres(s: &Server) -> bool {
    let (st, info) = s.get("/cerulean/info").await;
    assert_eq!(st, StatusCode::OK, "{info}");
    info["store"] == "postgres"
}

fn assert_contains(msg: &str, part: &str) {
    assert!(msg.contains(part), "{msg:?} should contain {part:?}");
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["value"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Sends one request on its own task.
fn spawn_call(
    s: &Server,
    method: Method,
    path: String,
    body: Option<Value>,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let client = s.client.clone();
    let url = s.url(&path);
    tokio::spawn(async move {
        let mut req = client.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let st = resp.status();
        let text = resp.text().await.unwrap();
        (
            st,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    })
}

/// The standard network of these tests: VNet `vnet1` with subnets `web` and `app`, VNet
/// `vnet2` with `other`.
async fn network(s: &Server, rg: &str) -> (String, String, String) {
    group(s, rg).await;
    vnet(
        s,
        rg,
        "vnet1",
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("app", &["10.0.2.0/24"])],
    )
    .await;
    vnet(
        s,
        rg,
        "vnet2",
        &["10.9.0.0/16"],
        &[("other", &["10.9.1.0/24"])],
    )
    .await;
    (
        subnet_id(rg, "vnet1", "web"),
        subnet_id(rg, "vnet1", "app"),
        subnet_id(rg, "vnet2", "other"),
    )
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
    seed_walkthrough[],
    power_states_and_public_ips[],
    profiles_patch_and_delete_option[],
    ipv6_nics[],
    availability_sets[],
    catalogue_usages_and_lists[],
    extensions_are_listed_under_their_vm[],
    private_dns_registration[],
    load_balancers_and_availability_groups[],
    bad_input[],
    nic_in_other_subscription["--subscription", OTHER_SUB],
    race_same_nic[],
    race_nic_add_vs_start[],
);

/// With `--latency`, a VM's `provisioningState` and power status follow the operation that is
/// still InProgress, and settle when it reports done.
#[tokio::test]
async fn provisioning_and_power_states_follow_a_slow_operation() {
    let s = Server::start(&["--latency", "800ms"]);
    group(&s, "slow").await;
    vnet(
        &s,
        "slow",
        "v",
        &["10.8.0.0/16"],
        &[("a", &["10.8.1.0/24"])],
    )
    .await;
    let n = nic(&s, "slow", "n1", &subnet_id("slow", "v", "a")).await;
    let id = vm_id("slow", "vm");
    let (st, hdrs, body) = put_vm(&s, &id, vm_body("Standard_B2s", vec![nref(&n, None)])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["properties"]["provisioningState"], "Creating");
    let iv = instance_view(&s, &id).await;
    assert_eq!(iv["statuses"][0]["code"], "ProvisioningState/creating");
    // The operation and the resource agree once it is done.
    let url = hdrs["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .strip_prefix(&s.base)
        .unwrap()
        .to_string();
    let mut polls = 0;
    loop {
        let (_, op) = s.get(&url).await;
        if op["status"] == "Succeeded" {
            break;
        }
        polls += 1;
        assert!(polls < 50, "never finished: {op}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        get_ok(&s, &id).await["properties"]["provisioningState"],
        "Succeeded"
    );

    let (st, hdrs, _) = s
        .call(Method::POST, &format!("{id}/deallocate?{API}"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    // The monitor URL answers 202 with itself as Location while the operation runs.
    let monitor = hdrs["location"].to_str().unwrap().to_string();
    let (st, h, body) = s
        .call(Method::GET, monitor.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    assert_eq!(h["location"], monitor.as_str());
    assert_eq!(h["retry-after"], "1");
    assert_eq!(
        power_state(&instance_view(&s, &id).await),
        (
            "PowerState/deallocating".to_string(),
            "VM deallocating".to_string()
        )
    );
    assert_eq!(
        get_ok(&s, &id).await["properties"]["provisioningState"],
        "Updating"
    );
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert_eq!(
        power_state(&instance_view(&s, &id).await),
        (
            "PowerState/deallocated".to_string(),
            "VM deallocated".to_string()
        )
    );
}

/// Starting a VM writes its NICs (MAC address) and dynamic public IPs (address): their etags
/// change with their bodies, so a client's `If-Match` sees the change.
#[tokio::test]
async fn side_effects_of_a_start_change_etags() {
    let s = Server::start(&[]);
    group(&s, "et").await;
    vnet(&s, "et", "v", &["10.9.0.0/16"], &[("a", &["10.9.1.0/24"])]).await;
    let n = nic(&s, "et", "n1", &subnet_id("et", "v", "a")).await;
    let before = get_ok(&s, &n).await;
    assert!(before["properties"].get("macAddress").is_none());
    put_vm_ok(
        &s,
        &vm_id("et", "vm"),
        vm_body("Standard_B2s", vec![nref(&n, None)]),
        StatusCode::CREATED,
    )
    .await;
    let after = get_ok(&s, &n).await;
    assert!(after["properties"]["macAddress"].is_string());
    assert_ne!(
        after["etag"], before["etag"],
        "the NIC changed, so must its etag"
    );
}
