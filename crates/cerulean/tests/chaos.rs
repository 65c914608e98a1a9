//! The adversarial suite: races for scarce things (the addresses of a small subnet, here; one
//! NIC, `chaos/attach.rs`; one public IP and a quota, `chaos/public_ips.rs`), a group deleted
//! while resources are being created in it and a deployment competing with direct writes
//! (`chaos/groups_and_deployments.rs`), deletes racing the writes that would keep what they
//! delete (`chaos/links.rs`), guest commands, role assignments and registrations racing each
//! other (`chaos/side_writes.rs`), operations polled on any server (`chaos/operations.rs`),
//! and `kill -9` in the middle of a burst of writes (`chaos/kill.rs`).
//! Each runs on SQLite and on two servers sharing PostgreSQL (requests alternate between
//! them), and ends with the invariant check of `common::invariants`: through the API and
//! with `cerulean check` on the store.

mod common;

use common::invariants::{check_api, check_store, StoreAt};
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "chaos/attach.rs"]
mod attach;
use attach::{attach_races_on_stopped_vms, two_vms_racing_for_one_nic};
#[path = "chaos/public_ips.rs"]
mod public_ips;
use public_ips::{public_ip_races, vm_creates_bringing_up_public_ips};
#[path = "chaos/groups_and_deployments.rs"]
mod groups_and_deployments;
use groups_and_deployments::{a_deployment_racing_direct_writes, group_delete_during_creates};
#[path = "chaos/operations.rs"]
mod operations;
use operations::operations_polled_on_any_server;
#[path = "chaos/kill.rs"]
mod kill;
use kill::kill_during_a_burst;
#[path = "chaos/links.rs"]
mod links;
use links::deletes_racing_their_users;
#[path = "chaos/side_writes.rs"]
mod side_writes;
use side_writes::side_writes_beside_creates;

const LOC: &str = "eastus";

/// One server on SQLite, or two sharing a PostgreSQL database.
struct Cluster {
    servers: Vec<Server>,
    store: StoreAt,
}

impl Cluster {
    fn sqlite(extra: &[&str]) -> Cluster {
        let s = Server::start(extra);
        let store = StoreAt::dir(&s.dir);
        Cluster {
            servers: vec![s],
            store,
        }
    }

    fn postgres(extra: &[&str]) -> Cluster {
        let url = fresh_postgres();
        let servers = (0..2)
            .map(|_| {
                let mut args = vec!["--database-url", url.as_str()];
                args.extend(extra);
                Server::start(&args)
            })
            .collect();
        Cluster {
            servers,
            store: StoreAt::Postgres(url),
        }
    }

    /// The server request `i` goes to (they take turns).
    fn at(&self, i: usize) -> &Server {
        &self.servers[i % self.servers.len()]
    }

    /// Starts server `i` again after it was killed: on the same data directory (SQLite) or
    /// on the shared database.
    fn restart(&mut self, i: usize) {
        let s = match &self.store {
            StoreAt::Dir(d) => Server::start_in(d, &[]),
            StoreAt::Postgres(url) => Server::start(&["--database-url", url]),
        };
        self.servers[i] = s;
    }

    /// Every invariant, through every server and on the store; and on PostgreSQL, that no
    /// write found a record it read changed by another before its update (`staleRetries`:
    /// the locks it declared missed one, and only the database's etag check kept the update).
    async fn check(&self) {
        for s in &self.servers {
            check_api(s).await;
            let (_, info) = s.get("/cerulean/info").await;
            let stale = &info["writes"]["staleRetries"];
            match self.store {
                StoreAt::Postgres(_) => assert_eq!(stale, 0, "{info}"),
                StoreAt::Dir(_) => assert!(stale.is_null(), "{info}"),
            }
        }
        check_store(&self.store);
    }
}

fn rid(rg: &str, ns: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/{ns}/{ty}/{name}")
}

fn nic_id(rg: &str, name: &str) -> String {
    rid(rg, "Microsoft.Network", "networkInterfaces", name)
}

fn pip_id(rg: &str, name: &str) -> String {
    rid(rg, "Microsoft.Network", "publicIPAddresses", name)
}

fn vm_id(rg: &str, name: &str) -> String {
    rid(rg, "Microsoft.Compute", "virtualMachines", name)
}

fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!(
        "{}/subnets/{subnet}",
        rid(rg, "Microsoft.Network", "virtualNetworks", vnet)
    )
}

fn at(id: &str) -> String {
    format!("{id}?{API}")
}

fn nic_body(subnet: &str, extra: Value) -> Value {
    let mut props = json!({"subnet": {"id": subnet}});
    for (k, v) in extra.as_object().into_iter().flatten() {
        props[k] = v.clone();
    }
    json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": props}]}})
}

fn vm_body(nic: &str) -> Value {
    json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B1s"},
            "storageProfile": {
                "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                "osDisk": {"createOption": "FromImage", "osType": "Linux"}
            },
            "osProfile": {"computerName": "host", "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": [{"id": nic}]}
        }
    })
}

fn pip_body() -> Value {
    json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
}

/// A group `rg` with virtual network `v` (10.0.0.0/16) and one subnet `s` of `prefix`.
async fn network(s: &Server, rg: &str, prefix: &str) -> String {
    let (st, body) = s.put(&rg_path(rg), json!({"location": LOC})).await;
    assert!(st.is_success(), "{body}");
    let vnet = json!({"location": LOC, "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "s", "properties": {"addressPrefix": prefix}}]}});
    let (st, body) = s
        .put(
            &at(&rid(rg, "Microsoft.Network", "virtualNetworks", "v")),
            vnet,
        )
        .await;
    assert!(st.is_success(), "{body}");
    subnet_id(rg, "v", "s")
}

async fn create(s: &Server, id: &str, body: Value) -> Value {
    let (st, got) = s.put(&at(id), body).await;
    assert!(st.is_success(), "PUT {id}: {st} {got}");
    got
}

/// A request running on its own task: `None` when no answer came (the server died).
type Call = tokio::task::JoinHandle<Option<(StatusCode, Value)>>;

/// Sends one request on its own task.
fn spawn_call(s: &Server, method: Method, path: String, body: Option<Value>) -> Call {
    let client = s.client.clone();
    let url = s.url(&path);
    tokio::spawn(async move {
        let mut req = client.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.ok()?;
        let st = resp.status();
        let text = resp.text().await.ok()?;
        Some((
            st,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    })
}

async fn join(tasks: Vec<Call>) -> Vec<(StatusCode, Value)> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap().expect("an answer from a live server"));
    }
    out
}

/// `n` NIC creates `{prefix}{i}` in `subnet`, taking turns between the servers.
fn nic_creates(c: &Cluster, rg: &str, prefix: &str, subnet: &str, n: usize) -> Vec<Call> {
    (0..n)
        .map(|i| {
            spawn_call(
                c.at(i),
                Method::PUT,
                at(&nic_id(rg, &format!("{prefix}{i}"))),
                Some(nic_body(subnet, json!({}))),
            )
        })
        .collect()
}

/// The same calls, each counting itself in `done` once answered (or failed).
fn counted(calls: Vec<Call>, done: &Arc<AtomicUsize>) -> Vec<Call> {
    calls
        .into_iter()
        .map(|t| {
            let done = done.clone();
            tokio::spawn(async move {
                let r = t.await.unwrap();
                done.fetch_add(1, Ordering::SeqCst);
                r
            })
        })
        .collect()
}

async fn wait_until_done(done: &AtomicUsize, n: usize) {
    while done.load(Ordering::SeqCst) < n {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

fn private_ip(nic: &Value) -> String {
    nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

// ---------------------------------------------------------------- scenarios

/// A /29 has three usable addresses: twelve concurrent NIC creates make exactly three
/// winners, with three different addresses, and nine `SubnetIsFull`.
async fn concurrent_creates_in_a_small_subnet(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.0.0/29").await;
    let tasks = nic_creates(c, "rg", "n", &subnet, 12);
    let mut addresses = BTreeSet::new();
    let mut full = 0;
    for (st, body) in join(tasks).await {
        match (st.as_u16(), code(&body)) {
            (201, _) => assert!(addresses.insert(private_ip(&body)), "{body}"),
            (400, "SubnetIsFull") => full += 1,
            _ => panic!("{st} {body}"),
        }
    }
    let want: BTreeSet<String> = ["10.0.0.4", "10.0.0.5", "10.0.0.6"]
        .map(String::from)
        .into();
    assert_eq!(addresses, want);
    assert_eq!(full, 9);
    c.check().await;
}

/// From the `writes` counters of `/cerulean/info`, summed over the servers: on PostgreSQL
/// at least `at_least` writes ran with narrow locks and none had to run again alone; on
/// SQLite (one writer) none was keyed.
async fn assert_keyed(c: &Cluster, at_least: u64) {
    let (mut keyed, mut reruns) = (0, 0);
    for s in &c.servers {
        let (_, info) = s.get("/cerulean/info").await;
        keyed += info["writes"]["keyedWrites"].as_u64().expect("keyedWrites");
        reruns += info["writes"]["keyedReruns"].as_u64().expect("keyedReruns");
    }
    match c.store {
        StoreAt::Postgres(_) => assert!(keyed >= at_least && reruns == 0, "{keyed} {reruns}"),
        StoreAt::Dir(_) => assert_eq!((keyed, reruns), (0, 0)),
    }
}

macro_rules! on_sqlite_and_two_postgres_servers {
    ($($name:ident [$($arg:expr),*]),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let mut c = Cluster::sqlite(&[$($arg),*]);
                    super::$name(&mut c).await;
                }
            )*
        }
        mod two_postgres_servers {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let mut c = Cluster::postgres(&[$($arg),*]);
                    super::$name(&mut c).await;
                }
            )*
        }
    };
}

on_sqlite_and_two_postgres_servers!(
    concurrent_creates_in_a_small_subnet[],
    two_vms_racing_for_one_nic[],
    attach_races_on_stopped_vms[],
    vm_creates_bringing_up_public_ips["--public-ip-quota", "100"],
    public_ip_races["--public-ip-quota", "3"],
    group_delete_during_creates[],
    a_deployment_racing_direct_writes[],
    kill_during_a_burst["--public-ip-quota", "100"],
    deletes_racing_their_users[],
    operations_polled_on_any_server[],
    side_writes_beside_creates[],
);
