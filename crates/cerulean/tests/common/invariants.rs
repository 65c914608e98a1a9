//! The invariant checker of tests that inject faults (races, `kill -9`, servers sharing a
//! database): what a client reads through the API agrees with itself ([`check_api`]), and
//! `cerulean check` finds the store intact ([`check_store`]: every address held by what says
//! it has it, no book of a vanished subnet, references as the bodies make them, runs as the
//! deployments need them). Call both once the load has stopped; ARCHITECTURE.md lists what
//! each checks.

use super::{Server, API, SUB};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

/// Where a store lives, for `cerulean check`.
#[derive(Clone, Debug)]
pub enum StoreAt {
    /// The SQLite store in a server's data directory.
    Dir(std::path::PathBuf),
    /// A PostgreSQL database URL.
    Postgres(String),
}

impl StoreAt {
    pub fn dir(d: &Path) -> StoreAt {
        StoreAt::Dir(d.to_path_buf())
    }
}

/// Runs `cerulean check` on the store; panics listing every broken invariant. Returns the
/// report (`resources`, `addresses`, `violations`).
pub fn check_store(at: &StoreAt) -> Value {
    let report = run_check(at);
    let violations = report["violations"].as_array().cloned().unwrap_or_default();
    assert!(
        violations.is_empty(),
        "broken invariants in the store:\n{}",
        violations
            .iter()
            .map(|v| format!("  - {}", v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n")
    );
    report
}

/// Runs `cerulean check` and returns its report, whether or not it found violations (exit
/// status 0 or 1; anything else fails the test).
pub fn run_check(at: &StoreAt) -> Value {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cerulean"));
    cmd.arg("check").env("CERULEAN_LOG", "warn");
    match at {
        StoreAt::Dir(d) => cmd.arg("--location").arg(d),
        StoreAt::Postgres(url) => cmd.args(["--database-url", url]),
    };
    let out = cmd.output().expect("run cerulean check");
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "cerulean check failed to run ({:?}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    let clean = report["violations"]
        .as_array()
        .is_some_and(|v| v.is_empty());
    assert_eq!(
        code == Some(0),
        clean,
        "exit status and report agree: {report}"
    );
    report
}

fn key(id: &str) -> String {
    id.to_lowercase()
}

/// Every item of a subscription-wide list, following `nextLink`.
pub async fn list_all(s: &Server, provider_type: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = Some(format!(
        "/subscriptions/{SUB}/providers/{provider_type}?{API}"
    ));
    while let Some(path) = next.take() {
        let (st, body) = s.get(&path).await;
        assert_eq!(st, StatusCode::OK, "GET {path}: {body}");
        items.extend(body["value"].as_array().cloned().unwrap_or_default());
        next = body["nextLink"]
            .as_str()
            .map(|u| u.strip_prefix(&s.base).unwrap_or(u).to_string());
    }
    items
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// Reads every virtual network, network interface, load balancer, public IP and VM of the
/// default subscription through the API and checks that what a client sees agrees with
/// itself: every IP configuration has an address, in a subnet that exists and lists it, used
/// by no one else in its virtual network; every configuration a subnet lists exists; public
/// addresses are unique, and a public IP and the configuration using it name each other; a
/// NIC is on at most one VM, which it names, and every NIC a VM names exists. Panics listing
/// every problem. Returns how many addresses it saw.
pub async fn check_api(s: &Server) -> usize {
    let (problems, seen) = api_problems(s).await;
    assert!(
        problems.is_empty(),
        "what the API shows does not agree:\n{}",
        problems
            .iter()
            .map(|p| format!("  - {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    seen
}

/// What [`check_api`] checks: the problems found, and how many addresses were seen.
pub async fn api_problems(s: &Server) -> (Vec<String>, usize) {
    let vnets = list_all(s, "Microsoft.Network/virtualNetworks").await;
    let nics = list_all(s, "Microsoft.Network/networkInterfaces").await;
    let lbs = list_all(s, "Microsoft.Network/loadBalancers").await;
    let pips = list_all(s, "Microsoft.Network/publicIPAddresses").await;
    let vms = list_all(s, "Microsoft.Compute/virtualMachines").await;
    let mut problems: Vec<String> = Vec::new();

    // Subnet → the configurations it says use it.
    let mut subnets: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for v in &vnets {
        for sn in v["properties"]["subnets"].as_array().into_iter().flatten() {
            let users = sn["properties"]["ipConfigurations"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["id"].as_str().map(key))
                .collect();
            subnets.insert(key(sn["id"].as_str().unwrap_or_default()), users);
        }
    }

    // Every IP configuration (NIC and load balancer frontend): its subnet, its public IP.
    let mut configs: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    let mut in_subnet: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut addresses: HashMap<(String, String), String> = HashMap::new();
    let mut seen = 0;
    let all_configs = nics
        .iter()
        .flat_map(|n| {
            n["properties"]["ipConfigurations"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .chain(lbs.iter().flat_map(|l| {
            l["properties"]["frontendIPConfigurations"]
                .as_array()
                .into_iter()
                .flatten()
        }));
    for c in all_configs {
        let id = c["id"].as_str().unwrap_or_default().to_string();
        let subnet = str_at(c, "/properties/subnet/id").map(key);
        let pip = str_at(c, "/properties/publicIPAddress/id").map(key);
        if let Some(sn) = &subnet {
            if !subnets.contains_key(sn) {
                problems.push(format!("{id} uses subnet {sn}, which does not exist"));
            }
            in_subnet.entry(sn.clone()).or_default().insert(key(&id));
            match str_at(c, "/properties/privateIPAddress") {
                None => problems.push(format!("{id} is in subnet {sn} but has no address")),
                Some(a) => {
                    seen += 1;
                    let vnet = sn.split("/subnets/").next().unwrap_or_default().to_string();
                    if let Some(other) = addresses.insert((vnet, a.to_string()), id.clone()) {
                        problems.push(format!("{a} is used by both {other} and {id}"));
                    }
                }
            }
        }
        configs.insert(key(&id), (subnet, pip));
    }
    for (sn, listed) in &subnets {
        let actual = in_subnet.remove(sn).unwrap_or_default();
        for c in listed.difference(&actual) {
            problems.push(format!(
                "subnet {sn} lists {c}, which is no IP configuration in it"
            ));
        }
        for c in actual.difference(listed) {
            problems.push(format!("subnet {sn} does not list {c}, which is in it"));
        }
    }

    // Public IPs: unique addresses; user and public IP name each other.
    let mut public: HashMap<String, String> = HashMap::new();
    let mut pip_user: BTreeMap<String, Option<String>> = BTreeMap::new();
    for p in &pips {
        let id = p["id"].as_str().unwrap_or_default().to_string();
        if let Some(a) = str_at(p, "/properties/ipAddress") {
            seen += 1;
            if let Some(other) = public.insert(a.to_string(), id.clone()) {
                problems.push(format!(
                    "public address {a} is used by both {other} and {id}"
                ));
            }
        }
        let user = str_at(p, "/properties/ipConfiguration/id").map(key);
        if let Some(u) = &user {
            if configs.get(u).and_then(|(_, pip)| pip.as_ref()) != Some(&key(&id)) {
                problems.push(format!("{id} says {u} uses it, which is not so"));
            }
        }
        pip_user.insert(key(&id), user);
    }
    let mut users_of: BTreeMap<&String, Vec<&String>> = BTreeMap::new();
    for (c, (_, pip)) in &configs {
        if let Some(p) = pip {
            users_of.entry(p).or_default().push(c);
            match pip_user.get(p) {
                None => problems.push(format!("{c} uses public IP {p}, which does not exist")),
                Some(u) if u.as_ref() != Some(c) => problems.push(format!(
                    "{c} uses public IP {p}, which names {u:?} as its user"
                )),
                Some(_) => {}
            }
        }
    }
    for (p, users) in users_of.iter().filter(|(_, u)| u.len() > 1) {
        problems.push(format!("public IP {p} is used by {users:?}"));
    }

    // VMs and their NICs.
    let nic_vm: BTreeMap<String, Option<String>> = nics
        .iter()
        .map(|n| {
            (
                key(n["id"].as_str().unwrap_or_default()),
                str_at(n, "/properties/virtualMachine/id").map(key),
            )
        })
        .collect();
    let mut attached: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for vm in &vms {
        let vm_id = key(vm["id"].as_str().unwrap_or_default());
        for n in vm["properties"]["networkProfile"]["networkInterfaces"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let nic = key(n["id"].as_str().unwrap_or_default());
            match nic_vm.get(&nic) {
                None => problems.push(format!("{vm_id} has NIC {nic}, which does not exist")),
                Some(named) if named.as_ref() != Some(&vm_id) => problems.push(format!(
                    "{vm_id} has NIC {nic}, which names {named:?} as its VM"
                )),
                Some(_) => {}
            }
            attached.entry(nic).or_default().push(vm_id.clone());
        }
    }
    for (nic, vm) in &nic_vm {
        let on = attached.get(nic).cloned().unwrap_or_default();
        if on.len() > 1 {
            problems.push(format!("NIC {nic} is on {on:?}"));
        }
        if let Some(vm) = vm {
            if !on.contains(vm) {
                problems.push(format!("NIC {nic} names {vm}, which does not list it"));
            }
        }
    }
    (problems, seen)
}
