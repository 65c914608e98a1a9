//! The adversarial suite: races for scarce things (the addresses of a small subnet, one NIC,
//! one public IP, a quota), a group deleted while resources are being created in it, deletes
//! racing the writes that would keep what they delete (`chaos/links.rs`), a deployment
//! competing with direct writes, guest commands, role assignments and registrations racing
//! each other (`chaos/side_writes.rs`), and `kill -9` in the middle of a burst of writes.
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

/// Two VMs created at once, on different servers, with the same NIC: one wins, the other
/// gets `NicInUse`, and the NIC is on the winner only.
async fn two_vms_racing_for_one_nic(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.1.0/24").await;
    for round in 0..4 {
        let nic = nic_id("rg", &format!("shared{round}"));
        create(c.at(round), &nic, nic_body(&subnet, json!({}))).await;
        let vms: Vec<String> = (0..2)
            .map(|i| vm_id("rg", &format!("r{round}vm{i}")))
            .collect();
        let tasks = (0..2)
            .map(|i| spawn_call(c.at(i), Method::PUT, at(&vms[i]), Some(vm_body(&nic))))
            .collect();
        let results = join(tasks).await;
        let winners: Vec<usize> = (0..2)
            .filter(|&i| results[i].0 == StatusCode::CREATED)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let (w, l) = (winners[0], 1 - winners[0]);
        assert_error(results[l].0, &results[l].1, 400, "NicInUse");
        let (_, got) = c.at(round + 1).get(&at(&nic)).await;
        assert_eq!(
            got["properties"]["virtualMachine"]["id"]
                .as_str()
                .map(str::to_lowercase),
            Some(vms[w].to_lowercase()),
            "{got}"
        );
        let (st, _) = c.at(round).get(&at(&vms[l])).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    c.check().await;
}

/// The VM PUT body that gives a VM exactly these NICs, the first primary.
fn vm_nics_body(nics: &[&str]) -> Value {
    let refs: Vec<Value> = nics
        .iter()
        .enumerate()
        .map(|(i, n)| json!({"id": n, "properties": {"primary": i == 0}}))
        .collect();
    json!({"location": LOC, "properties": {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "networkProfile": {"networkInterfaces": refs}}})
}

/// PUTs of `path` sent one after the other on their own task: the first answer that is not
/// 200, or the last one.
fn spawn_puts(s: &Server, path: String, bodies: Vec<Value>) -> Call {
    let (client, url) = (s.client.clone(), s.url(&path));
    tokio::spawn(async move {
        let mut last = None;
        for b in bodies {
            let resp = client.put(&url).json(&b).send().await.ok()?;
            let st = resp.status();
            let body = resp.json().await.unwrap_or(Value::Null);
            last = Some((st, body));
            if st != StatusCode::OK {
                break;
            }
        }
        last
    })
}

/// Which VM the NIC is attached to, lower-cased, through server `s`.
async fn attached_to(s: &Server, nic: &str) -> Option<String> {
    let (st, got) = s.get(&at(nic)).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    got["properties"]["virtualMachine"]["id"]
        .as_str()
        .map(str::to_lowercase)
}

/// Attaching and detaching NICs of stopped VMs on both servers at once (a VM's PUT locks
/// its VM, NICs and disks only): four VMs racing to add one spare NIC make one winner and
/// three `NicInUse`; the winner letting it go while the others try again leaves it on at
/// most one VM, the one whose PUT succeeded; then every VM adds and removes its own NIC
/// five times while that NIC is rewritten beside it, and every request succeeds.
async fn attach_races_on_stopped_vms(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.3.0/24").await;
    let spare = nic_id("rg", "spare");
    create(c.at(0), &spare, nic_body(&subnet, json!({}))).await;
    let mut vms = Vec::new();
    for i in 0..4 {
        let (vm, primary, own) = (
            vm_id("rg", &format!("vm{i}")),
            nic_id("rg", &format!("p{i}")),
            nic_id("rg", &format!("o{i}")),
        );
        create(c.at(i), &primary, nic_body(&subnet, json!({}))).await;
        create(c.at(i), &own, nic_body(&subnet, json!({}))).await;
        create(c.at(i), &vm, vm_body(&primary)).await;
        let (st, _, body) = c
            .at(i)
            .call(Method::POST, &format!("{vm}/deallocate?{API}"), None)
            .await;
        assert_eq!(st, StatusCode::ACCEPTED, "{body}");
        vms.push((vm, primary, own));
    }

    let tasks = vms
        .iter()
        .enumerate()
        .map(|(i, (vm, p, _))| spawn_puts(c.at(i), at(vm), vec![vm_nics_body(&[p, &spare])]))
        .collect();
    let results = join(tasks).await;
    let winners: Vec<usize> = (0..4).filter(|&i| results[i].0 == StatusCode::OK).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (i, (st, body)) in results.iter().enumerate() {
        if i != winners[0] {
            assert_error(*st, body, 400, "NicInUse");
        }
    }
    let w = winners[0];
    assert_eq!(
        attached_to(c.at(1), &spare).await,
        Some(vms[w].0.to_lowercase())
    );

    // The winner lets go while the others try again.
    let tasks = vms
        .iter()
        .enumerate()
        .map(|(i, (vm, p, _))| {
            let nics = if i == w {
                vec![p.as_str()]
            } else {
                vec![p.as_str(), &spare]
            };
            spawn_puts(c.at(i), at(vm), vec![vm_nics_body(&nics)])
        })
        .collect();
    let results = join(tasks).await;
    assert_eq!(results[w].0, StatusCode::OK, "{:?}", results[w]);
    let mut holder = None;
    for (i, (st, body)) in results.iter().enumerate().filter(|(i, _)| *i != w) {
        match st.as_u16() {
            200 => assert!(holder.replace(i).is_none(), "{results:?}"),
            _ => {
                assert_error(*st, body, 400, "NicInUse");
            }
        }
    }
    let want = holder.map(|i| vms[i].0.to_lowercase());
    assert_eq!(attached_to(c.at(0), &spare).await, want);
    if let Some(i) = holder {
        // A B1s takes two NICs: the spare goes before the VM cycles its own.
        let (vm, p, _) = &vms[i];
        let (st, body) = c.at(i).put(&at(vm), vm_nics_body(&[p])).await;
        assert_eq!(st, StatusCode::OK, "{body}");
    }

    // Each VM cycles its own NIC while that NIC is rewritten through the other server.
    let mut tasks = Vec::new();
    for (i, (vm, p, own)) in vms.iter().enumerate() {
        let cycles = (0..5)
            .flat_map(|_| [vm_nics_body(&[p, own]), vm_nics_body(&[p])])
            .collect();
        tasks.push(spawn_puts(c.at(i), at(vm), cycles));
        let rewrites = (0..5)
            .map(|round| {
                let mut body = nic_body(&subnet, json!({}));
                body["tags"] = json!({"round": round.to_string()});
                body
            })
            .collect();
        tasks.push(spawn_puts(c.at(i + 1), at(own), rewrites));
    }
    for (st, body) in join(tasks).await {
        assert_eq!(st, StatusCode::OK, "{body}");
    }
    for (vm, p, own) in &vms {
        assert_eq!(attached_to(c.at(0), own).await, None);
        let (_, got) = c.at(1).get(&at(vm)).await;
        let nics = &got["properties"]["networkProfile"]["networkInterfaces"];
        assert_eq!(nics.as_array().map(Vec::len), Some(1), "{got}");
        assert_eq!(
            nics[0]["id"].as_str().map(str::to_lowercase),
            Some(p.to_lowercase())
        );
    }
    // On PostgreSQL every one of these PUTs ran beside the others, none alone: 4 VM
    // creates, 8 racing PUTs, 40 cycling ones and their 20 NIC rewrites at least.
    assert_keyed(c, 72).await;
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

/// Eight VMs created at once, each with a NIC whose Basic public IP is dynamic: each VM
/// brings its address up from the one public pool (on PostgreSQL beside the others, under
/// the pool's lock), and the eight addresses differ; deallocated at once they give them
/// back, started at once they take eight different ones again; then the VMs and their NICs
/// are deleted at once.
async fn vm_creates_bringing_up_public_ips(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.4.0/24").await;
    let dynamic = json!({"location": LOC, "sku": {"name": "Basic"},
        "properties": {"publicIPAllocationMethod": "Dynamic"}});
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (pip, nic) = (
            pip_id("rg", &format!("d{i}")),
            nic_id("rg", &format!("d{i}")),
        );
        create(c.at(i), &pip, dynamic.clone()).await;
        let extra = json!({"publicIPAddress": {"id": pip}});
        create(c.at(i), &nic, nic_body(&subnet, extra)).await;
        let vm = vm_id("rg", &format!("d{i}"));
        tasks.push(spawn_call(
            c.at(i + 1),
            Method::PUT,
            at(&vm),
            Some(vm_body(&nic)),
        ));
    }
    for (st, body) in join(tasks).await {
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let addresses = |c: &Cluster| {
        let calls = (0..8)
            .map(|i| {
                let pip = pip_id("rg", &format!("d{i}"));
                spawn_call(c.at(i), Method::GET, at(&pip), None)
            })
            .collect();
        async move {
            let got = join(calls).await;
            got.iter()
                .map(|(_, pip)| pip["properties"]["ipAddress"].as_str().map(String::from))
                .collect::<Vec<_>>()
        }
    };
    let distinct = |got: &[Option<String>]| {
        let all: BTreeSet<_> = got.iter().map(|a| a.clone().expect("an address")).collect();
        assert_eq!(all.len(), 8, "{got:?}");
    };
    distinct(&addresses(c).await);

    // All eight deallocated at once give their addresses back, then started at once take
    // eight again (power actions lock their VM, NICs, public IPs and the pool only).
    for action in ["deallocate", "start"] {
        let tasks = (0..8)
            .map(|i| {
                let path = format!("{}/{action}?{API}", vm_id("rg", &format!("d{i}")));
                spawn_call(c.at(i), Method::POST, path, None)
            })
            .collect();
        for (st, body) in join(tasks).await {
            assert_eq!(st, StatusCode::ACCEPTED, "{action}: {body}");
        }
        let got = addresses(c).await;
        match action {
            "deallocate" => assert!(got.iter().all(Option::is_none), "{got:?}"),
            _ => distinct(&got),
        }
    }
    c.check().await;

    // Then the VMs deleted at once (their NICs stay, their addresses go back), then the NICs.
    for (ty, id) in [("VM", vm_id as fn(&str, &str) -> String), ("NIC", nic_id)] {
        let tasks = (0..8)
            .map(|i| {
                spawn_call(
                    c.at(i),
                    Method::DELETE,
                    at(&id("rg", &format!("d{i}"))),
                    None,
                )
            })
            .collect();
        for (st, body) in join(tasks).await {
            assert!(st.is_success(), "{ty} delete: {st} {body}");
        }
    }
    assert!(addresses(c).await.iter().all(Option::is_none));
    for i in 0..8 {
        let (st, _) = c.at(i).get(&at(&nic_id("rg", &format!("d{i}")))).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    assert_keyed(c, 48).await;
    c.check().await;
}

/// Six NICs racing for one public IP: one gets it, five `PublicIPAddressInUse`. Then eight
/// public IPs racing for the two places left under a quota of three: two winners with their
/// own addresses, six `PublicIPCountLimitReached`.
async fn public_ip_races(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.2.0/24").await;
    let shared = pip_id("rg", "shared");
    create(c.at(0), &shared, pip_body()).await;
    let tasks = (0..6)
        .map(|i| {
            spawn_call(
                c.at(i),
                Method::PUT,
                at(&nic_id("rg", &format!("n{i}"))),
                Some(nic_body(
                    &subnet,
                    json!({"publicIPAddress": {"id": shared}}),
                )),
            )
        })
        .collect();
    let results = join(tasks).await;
    let winners: Vec<_> = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (st, body) in results.iter().filter(|(st, _)| *st != StatusCode::CREATED) {
        assert_error(*st, body, 400, "PublicIPAddressInUse");
    }

    let tasks = (0..8)
        .map(|i| {
            spawn_call(
                c.at(i),
                Method::PUT,
                at(&pip_id("rg", &format!("p{i}"))),
                Some(pip_body()),
            )
        })
        .collect();
    let mut addresses = BTreeSet::new();
    let mut refused = 0;
    for (st, body) in join(tasks).await {
        match st.as_u16() {
            201 => assert!(addresses.insert(body["properties"]["ipAddress"].to_string())),
            _ => {
                assert_error(st, &body, 400, "PublicIPCountLimitReached");
                refused += 1;
            }
        }
    }
    assert_eq!((addresses.len(), refused), (2, 6));
    c.check().await;
}

/// A group deleted while NICs are being created in it: every create either made it before
/// the delete (and went with the group) or is refused; nothing of the group survives, no
/// address state outlives its subnet, and the names can be used again from scratch.
async fn group_delete_during_creates(c: &mut Cluster) {
    let subnet = network(c.at(0), "doomed", "10.0.3.0/24").await;
    let done = Arc::new(AtomicUsize::new(0));
    let tasks = counted(nic_creates(c, "doomed", "n", &subnet, 40), &done);
    wait_until_done(&done, 10).await;
    let (st, _, body) = c.at(1).call(Method::DELETE, &rg_path("doomed"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let mut created = 0;
    for t in tasks {
        let (st, body) = t.await.unwrap().expect("an answer");
        match st.as_u16() {
            201 => created += 1,
            404 | 400 => assert!(!code(&body).is_empty(), "{st} {body}"),
            _ => panic!("{st} {body}"),
        }
    }
    assert!(created >= 10, "{created}");
    let (st, _) = c.at(0).get(&rg_path("doomed")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    c.check().await;
    // Nothing of the old subnet's address state came back with the new one.
    let subnet = network(c.at(1), "doomed", "10.0.3.0/24").await;
    let nic = create(
        c.at(0),
        &nic_id("doomed", "again"),
        nic_body(&subnet, json!({})),
    )
    .await;
    assert_eq!(private_ip(&nic), "10.0.3.4");
    c.check().await;
}

/// A deployment creating eight NICs in a /28 (eleven addresses) while eight direct creates
/// compete for the same addresses: eleven NICs in all, every address once; the deployment
/// fails with the inner `SubnetIsFull` if it lost any.
async fn a_deployment_racing_direct_writes(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.4.0/28").await;
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-07-01",
            "name": "[concat('t', copyIndex())]", "location": LOC,
            "copy": {"name": "nics", "count": 8},
            "properties": {"ipConfigurations": [{"name": "ipconfig1",
                "properties": {"subnet": {"id": subnet}}}]}}]});
    let deployment = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d"
    );
    let (st, body) = c
        .at(1)
        .put(
            &format!("{deployment}?api-version=2024-03-01"),
            json!({"properties": {"template": template, "mode": "Incremental"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let tasks = nic_creates(c, "rg", "n", &subnet, 8);
    let mut direct = 0;
    for (st, body) in join(tasks).await {
        match (st.as_u16(), code(&body)) {
            (201, _) => direct += 1,
            (400, "SubnetIsFull") => {}
            _ => panic!("{st} {body}"),
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let d = loop {
        let (_, d) = c
            .at(0)
            .get(&format!("{deployment}?api-version=2024-03-01"))
            .await;
        let state = d["properties"]["provisioningState"].as_str().unwrap_or("");
        if !matches!(state, "Accepted" | "Running") {
            break d;
        }
        assert!(Instant::now() < deadline, "{d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (st, list) = c
        .at(1)
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let nics = list["value"].as_array().unwrap();
    assert_eq!(nics.len(), 11, "a /28 holds eleven: {list}");
    let by_template = nics.len() - direct;
    if by_template == 8 {
        assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    } else {
        assert_eq!(d["properties"]["provisioningState"], "Failed", "{d}");
        let details = d["properties"]["error"]["details"].to_string();
        assert!(details.contains("SubnetIsFull"), "{d}");
    }
    // On PostgreSQL the deployment's own writes ran beside the NIC creates, none alone: its
    // start, its end and a step record for each of its eight NICs at least, beside the 16
    // NIC PUTs (the refused ones count too).
    assert_keyed(c, 16 + 2 + 8).await;
    c.check().await;
}

/// A network write's operation keeps no record (its id carries a MAC under the store's
/// key): every server sharing the store answers its polls, and one id altered in a digit is
/// no operation, on any of them.
async fn operations_polled_on_any_server(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.7.0/24").await;
    let nic = nic_id("rg", "polled");
    let (st, put, body) = c
        .at(0)
        .call(Method::PUT, &at(&nic), Some(nic_body(&subnet, json!({}))))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, delete, body) = c.at(1).call(Method::DELETE, &at(&nic), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let polls = [
        (&put, "azure-asyncoperation", StatusCode::OK),
        (&delete, "azure-asyncoperation", StatusCode::OK),
        (&delete, "location", StatusCode::NO_CONTENT),
    ];
    for (headers, header, answer) in polls {
        let url = headers[header].to_str().unwrap();
        let path = &url[url.find("/subscriptions/").unwrap()..];
        for s in &c.servers {
            let (st, _, body) = s.call(Method::GET, path, None).await;
            assert_eq!(st, answer, "{header}: {body}");
            if answer == StatusCode::OK {
                assert_eq!(body["status"], "Succeeded", "{body}");
            }
        }
        // One hex digit of the id changed (the id ends where the query starts).
        let end = path.find('?').unwrap();
        let other = if &path[end - 1..end] == "0" { "1" } else { "0" };
        let forged = format!("{}{other}{}", &path[..end - 1], &path[end..]);
        for s in &c.servers {
            let (st, _, body) = s.call(Method::GET, &forged, None).await;
            assert_error(st, &body, 404, "OperationNotFound");
        }
    }
}

/// What a request of the burst did, to check it survived if it was acknowledged.
#[derive(Clone, Debug)]
enum Op {
    CreateNic(String),
    CreatePip(String),
    DeleteNic(String),
    CreateVm { vm: String, nic: String },
}

/// `kill -9` of a server in the middle of a burst of creates, deletes and attachments, then a
/// restart: every acknowledged write is there (a deleted NIC gone), and every invariant holds.
/// With two servers on PostgreSQL the survivor answers every request sent to it, during the
/// burst and while the other is down (creates in the burst's subnet, acknowledged with 201);
/// after the restart, creates in that subnet go on through every server.
async fn kill_during_a_burst(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.8.0/22").await;
    for i in 0..16 {
        create(
            c.at(i),
            &nic_id("rg", &format!("d{i}")),
            nic_body(&subnet, json!({})),
        )
        .await;
    }
    for i in 0..8 {
        create(
            c.at(i),
            &nic_id("rg", &format!("v{i}")),
            nic_body(&subnet, json!({})),
        )
        .await;
    }
    let mut ops = Vec::new();
    for i in 0..96 {
        ops.push(Op::CreateNic(nic_id("rg", &format!("c{i}"))));
        match i % 6 {
            0 | 3 => ops.push(Op::CreatePip(pip_id("rg", &format!("p{i}")))),
            1 | 4 if i / 3 < 16 => ops.push(Op::DeleteNic(nic_id("rg", &format!("d{}", i / 3)))),
            2 if i / 6 < 8 => ops.push(Op::CreateVm {
                vm: vm_id("rg", &format!("vm{}", i / 6)),
                nic: nic_id("rg", &format!("v{}", i / 6)),
            }),
            _ => {}
        }
    }
    let calls = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let (method, path, body) = match op {
                Op::CreateNic(id) => (Method::PUT, at(id), Some(nic_body(&subnet, json!({})))),
                Op::CreatePip(id) => (Method::PUT, at(id), Some(pip_body())),
                Op::DeleteNic(id) => (Method::DELETE, at(id), None),
                Op::CreateVm { vm, nic } => (Method::PUT, at(vm), Some(vm_body(nic))),
            };
            spawn_call(c.at(i), method, path, body)
        })
        .collect();
    let done = Arc::new(AtomicUsize::new(0));
    let tasks = counted(calls, &done);
    wait_until_done(&done, 30).await;
    c.servers[0].kill_hard();
    let mut acked = Vec::new();
    // With two servers, the survivor keeps serving while the other is down: creates in the
    // same subnet as the burst (the same address book), every one answered 201.
    if c.servers.len() > 1 {
        let survivor = c.at(1);
        let during: Vec<Call> = (0..16)
            .map(|i| {
                let id = nic_id("rg", &format!("s{i}"));
                acked.push(Op::CreateNic(id.clone()));
                spawn_call(
                    survivor,
                    Method::PUT,
                    at(&id),
                    Some(nic_body(&subnet, json!({}))),
                )
            })
            .collect();
        for (st, body) in join(during).await {
            assert_eq!(
                st,
                StatusCode::CREATED,
                "the survivor refused a create: {body}"
            );
        }
    }
    let mut lost = 0;
    for (i, (op, t)) in ops.iter().zip(tasks).enumerate() {
        match t.await.unwrap() {
            Some((st, body)) => {
                assert!(
                    st.is_success() || st.is_client_error(),
                    "{op:?}: {st} {body}"
                );
                if st.is_success() {
                    acked.push(op.clone());
                }
            }
            // Only requests to the killed server may be cut short.
            None if i % c.servers.len() == 0 => lost += 1,
            None => panic!("{op:?} to the surviving server got no answer"),
        }
    }
    assert!(
        lost > 0,
        "the kill came after the burst: nothing was cut short"
    );
    c.restart(0);
    // The run goes on after the restart: creates in the same subnet through every server.
    let after = nic_creates(c, "rg", "after", &subnet, 16);
    for (i, (st, body)) in join(after).await.into_iter().enumerate() {
        assert_eq!(st, StatusCode::CREATED, "create after the restart: {body}");
        acked.push(Op::CreateNic(nic_id("rg", &format!("after{i}"))));
    }
    for op in &acked {
        let s = c.at(0);
        match op {
            Op::CreateNic(id) | Op::CreatePip(id) => {
                let (st, body) = s.get(&at(id)).await;
                assert_eq!(st, StatusCode::OK, "acknowledged {op:?} lost: {body}");
            }
            Op::DeleteNic(id) => {
                let (st, body) = s.get(&at(id)).await;
                assert_eq!(
                    st,
                    StatusCode::NOT_FOUND,
                    "acknowledged {op:?} undone: {body}"
                );
            }
            Op::CreateVm { vm, nic } => {
                let (st, body) = s.get(&at(vm)).await;
                assert_eq!(st, StatusCode::OK, "acknowledged {op:?} lost: {body}");
                let (_, n) = s.get(&at(nic)).await;
                assert_eq!(
                    n["properties"]["virtualMachine"]["id"]
                        .as_str()
                        .map(str::to_lowercase),
                    Some(vm.to_lowercase()),
                    "{n}"
                );
            }
        }
    }
    c.check().await;
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
