//! Deployments whose server goes away: `kill -9` or SIGTERM in the middle of one, on SQLite
//! and on two servers sharing PostgreSQL. A server that starts settles at once the work of the
//! server that ran before it from the same data directory; servers sharing a database settle
//! each other's once the dead one's lease has run out, and never a live one's; a shutdown
//! settles its own; cancel of a deployment nobody runs takes effect.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const RAPI: &str = "api-version=2024-03-01";

fn deployment(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Resources/deployments/{name}"
    )
}

fn pip_id(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/publicIPAddresses/{name}")
}

/// A chain of `n` public IPs, each depending on the one before: with `--latency` on the
/// server, each step takes that long.
fn chain(n: usize) -> Value {
    let resources: Vec<Value> = (0..n)
        .map(|i| {
            let depends: Vec<String> = (i > 0).then(|| format!("p{}", i - 1)).into_iter().collect();
            json!({"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01",
                   "name": format!("p{i}"), "location": "eastus", "dependsOn": depends,
                   "properties": {}})
        })
        .collect();
    json!({"properties": {"mode": "Incremental", "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": resources}}})
}

async fn start_deployment(s: &Server, rg: &str, name: &str, n: usize) {
    let (st, body) = s.put(&rg_path(rg), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{body}");
    let (st, body) = s
        .put(&format!("{}?{RAPI}", deployment(rg, name)), chain(n))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

async fn get_deployment(s: &Server, rg: &str, name: &str) -> Value {
    let (st, body) = s.get(&format!("{}?{RAPI}", deployment(rg, name))).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body
}

fn state(d: &Value) -> &str {
    d["properties"]["provisioningState"].as_str().unwrap_or("")
}

/// Waits until the deployment has created its first resource and is working on the next.
async fn wait_until_running(s: &Server, rg: &str, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (st, _) = s.get(&format!("{}?{API}", pip_id(rg, "p0"))).await;
        let d = get_deployment(s, rg, name).await;
        if st == StatusCode::OK && state(&d) == "Running" {
            return;
        }
        assert!(Instant::now() < deadline, "never got going: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the deployment is no longer Accepted or Running; returns it.
async fn wait_final(s: &Server, rg: &str, name: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let d = get_deployment(s, rg, name).await;
        if !matches!(state(&d), "Accepted" | "Running") {
            return d;
        }
        assert!(Instant::now() < deadline, "still active: {d}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn operations(s: &Server, rg: &str, name: &str) -> Vec<Value> {
    let (st, body) = s
        .get(&format!("{}/operations?{RAPI}", deployment(rg, name)))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["value"].as_array().unwrap().clone()
}

/// The deployment failed as interrupted, with `cause` in its message; the step it was on
/// failed with the same error; nothing is left Running.
async fn assert_interrupted(s: &Server, rg: &str, name: &str, cause: &str) {
    let d = get_deployment(s, rg, name).await;
    assert_eq!(state(&d), "Failed", "{d}");
    let error = &d["properties"]["error"];
    assert_eq!(error["code"], "DeploymentInterrupted", "{d}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("The deployment '{name}' was interrupted: ")),
        "{message}"
    );
    assert!(message.contains(cause), "{message}");
    assert!(
        message.ends_with(
            "Resources created so far remain; deploy again under the same name to finish."
        ),
        "{message}"
    );
    assert!(d["properties"]["timestamp"].is_string(), "{d}");
    let ops = operations(s, rg, name).await;
    assert!(!ops.is_empty());
    for op in &ops {
        let st = &op["properties"]["provisioningState"];
        assert!(st == "Succeeded" || st == "Failed", "{op}");
        if st == "Failed" {
            assert_eq!(
                op["properties"]["statusMessage"]["error"]["code"], "DeploymentInterrupted",
                "{op}"
            );
        }
    }
}

/// After settling, the deployment can be replaced (and the redeploy finishes the work) and
/// deleted.
async fn assert_redeploy_finishes(s: &Server, rg: &str, name: &str, n: usize) {
    let (st, body) = s
        .put(&format!("{}?{RAPI}", deployment(rg, name)), chain(n))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let d = wait_final(s, rg, name, Duration::from_secs(30)).await;
    assert_eq!(state(&d), "Succeeded", "{d}");
    for i in 0..n {
        let (st, _) = s
            .get(&format!("{}?{API}", pip_id(rg, &format!("p{i}"))))
            .await;
        assert_eq!(st, StatusCode::OK, "p{i}");
    }
    let (st, _, body) = s
        .call(
            Method::DELETE,
            &format!("{}?{RAPI}", deployment(rg, name)),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn a_deployment_killed_with_its_server_is_settled_when_the_server_starts() {
    let mut s = Server::start(&["--latency", "700ms"]);
    start_deployment(&s, "rg", "d", 6).await;
    wait_until_running(&s, "rg", "d").await;
    s.kill_hard();

    let dir = s.dir.clone();
    let s = Server::start_in(&dir, &[]);
    // At once: the first GET after the restart sees it settled.
    assert_interrupted(&s, "rg", "d", "the cerulean server running it (instance ").await;
    assert_redeploy_finishes(&s, "rg", "d", 6).await;
}

#[tokio::test]
async fn sigterm_settles_the_servers_own_deployments_before_it_exits() {
    let mut s = Server::start(&["--latency", "700ms"]);
    start_deployment(&s, "rg", "d", 6).await;
    wait_until_running(&s, "rg", "d").await;
    assert!(s.terminate().success(), "clean exit");

    let dir = s.dir.clone();
    let s = Server::start_in(&dir, &[]);
    assert_interrupted(&s, "rg", "d", "was shut down before it finished").await;
    // Created resources stay; it stopped after the step it was on, so the rest was never
    // started.
    let (st, _) = s.get(&format!("{}?{API}", pip_id("rg", "p0"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.get(&format!("{}?{API}", pip_id("rg", "p5"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_redeploy_finishes(&s, "rg", "d", 6).await;
}

#[tokio::test]
async fn servers_sharing_postgres_settle_a_dead_ones_deployments_and_never_a_live_ones() {
    let url = fresh_postgres();
    let mut a = Server::start(&[
        "--database-url",
        &url,
        "--latency",
        "400ms",
        "--instance-lease",
        "1s",
    ]);
    start_deployment(&a, "rg", "live", 4).await;
    wait_until_running(&a, "rg", "live").await;
    // A server starting (and beating) beside a live one leaves its deployment alone.
    let b = Server::start(&["--database-url", &url, "--instance-lease", "1s"]);
    let d = wait_final(&b, "rg", "live", Duration::from_secs(30)).await;
    assert_eq!(state(&d), "Succeeded", "{d}");

    start_deployment(&a, "rg2", "dead", 6).await;
    wait_until_running(&a, "rg2", "dead").await;
    a.kill_hard();
    // Once the dead server's lease has run out, the live server settles it on its own.
    let d = wait_final(&b, "rg2", "dead", Duration::from_secs(10)).await;
    assert_eq!(state(&d), "Failed", "{d}");
    assert_interrupted(
        &b,
        "rg2",
        "dead",
        "the cerulean server running it (instance ",
    )
    .await;
    // Neither its start nor its heartbeat's settling ran alone: the run was settled under
    // the deployment's lock, beside other writers.
    assert_eq!(alone_writes(&b).await, 0);
    assert_redeploy_finishes(&b, "rg2", "dead", 6).await;
}

/// The writes a server ran excluding every other writer.
async fn alone_writes(s: &Server) -> u64 {
    let (_, info) = s.get("/cerulean/info").await;
    info["writes"]["aloneWrites"].as_u64().expect("aloneWrites")
}

#[tokio::test]
async fn cancel_of_a_deployment_whose_server_is_gone_takes_effect() {
    let url = fresh_postgres();
    let mut a = Server::start(&[
        "--database-url",
        &url,
        "--latency",
        "700ms",
        "--instance-lease",
        "500ms",
    ]);
    // This server's own heartbeat (and sweep) comes only every 15 s: the cancel finds the
    // deployment before any sweep does.
    let b = Server::start(&["--database-url", &url, "--instance-lease", "60s"]);
    start_deployment(&a, "rg", "d", 6).await;
    wait_until_running(&a, "rg", "d").await;
    a.kill_hard();
    // Past the dead server's lease (500 ms, on the database's clock).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let cancel = format!("{}/cancel?{RAPI}", deployment("rg", "d"));
    let (st, _, body) = b.call(Method::POST, &cancel, None).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let d = get_deployment(&b, "rg", "d").await;
    assert_eq!(state(&d), "Canceled", "{d}");
    let ops = operations(&b, "rg", "d").await;
    assert!(
        ops.iter()
            .all(|o| o["properties"]["provisioningState"] != "Running"),
        "{ops:?}"
    );
    let (st, _, body) = b.call(Method::POST, &cancel, None).await;
    assert_error(st, &body, 409, "DeploymentCannotBeCancelled");
    assert_redeploy_finishes(&b, "rg", "d", 6).await;
}

/// A Complete deployment's deletions stop at `cancel` (and at shutdown) like its creations:
/// they went on to the last resource of the group.
#[tokio::test]
async fn cancel_stops_a_complete_deployment_deleting() {
    let s = Server::start(&["--latency", "700ms"]);
    let (st, _) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED);
    for i in 0..6 {
        let (st, body) = s
            .put(
                &format!("{}?{API}", pip_id("rg", &format!("p{i}"))),
                json!({"location": "eastus"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let mut empty = chain(0);
    empty["properties"]["mode"] = json!("Complete");
    let (st, body) = s
        .put(&format!("{}?{RAPI}", deployment("rg", "wipe")), empty)
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while operations(&s, "rg", "wipe").await.is_empty() {
        assert!(Instant::now() < deadline, "never started deleting");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment("rg", "wipe")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let d = wait_final(&s, "rg", "wipe", Duration::from_secs(20)).await;
    assert_eq!(state(&d), "Canceled", "{d}");
    let ops = operations(&s, "rg", "wipe").await;
    assert!(ops.len() < 6, "{ops:?}");
    let (st, _) = s.get(&format!("{}?{API}", pip_id("rg", "p5"))).await;
    assert_eq!(st, StatusCode::OK, "the last one was never deleted");
}

/// A parent whose one resource is a module holding the chain of `n` public IPs.
fn parent_of_chain(n: usize) -> Value {
    let inner = chain(n)["properties"]["template"].clone();
    json!({"properties": {"mode": "Incremental", "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
            "name": "inner", "properties": {"expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental", "template": inner}}]}}})
}

/// PUTs the parent (`expect`: 201 the first time, 200 after).
async fn put_parent(s: &Server, expect: StatusCode) {
    let (st, body) = s
        .put(
            &format!("{}?{RAPI}", deployment("rg", "outer")),
            parent_of_chain(6),
        )
        .await;
    assert_eq!(st, expect, "{body}");
}

async fn start_parent(s: &Server) {
    let (st, body) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{body}");
    put_parent(s, StatusCode::CREATED).await;
    module_running(s).await;
}

/// Waits until the module has created its first resource and is working on the next.
async fn module_running(s: &Server) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (st, d) = s
            .get(&format!("{}?{RAPI}", deployment("rg", "inner")))
            .await;
        if st == StatusCode::OK && state(&d) == "Running" {
            let (st, _) = s.get(&format!("{}?{API}", pip_id("rg", "p0"))).await;
            if st == StatusCode::OK {
                return;
            }
        }
        assert!(Instant::now() < deadline, "the module never got going: {d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_module_and_its_parent_are_both_settled_after_a_kill_or_a_shutdown() {
    // kill -9: the next server settles both runs at once.
    let mut s = Server::start(&["--latency", "700ms"]);
    start_parent(&s).await;
    s.kill_hard();
    let dir = s.dir.clone();
    let mut s = Server::start_in(&dir, &["--latency", "700ms"]);
    for name in ["outer", "inner"] {
        assert_interrupted(&s, "rg", name, "the cerulean server running it (instance ").await;
    }
    // SIGTERM while the parent waits for its module: the module is interrupted, and so is
    // the parent (not failed by its module's error).
    put_parent(&s, StatusCode::OK).await;
    module_running(&s).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(s.terminate().success(), "clean exit");
    let s = Server::start_in(&dir, &[]);
    for name in ["outer", "inner"] {
        assert_interrupted(&s, "rg", name, "was shut down before it finished").await;
    }
    // A redeploy finishes the work.
    put_parent(&s, StatusCode::OK).await;
    let d = wait_final(&s, "rg", "outer", Duration::from_secs(30)).await;
    assert_eq!(state(&d), "Succeeded", "{d}");
    let (st, _) = s.get(&format!("{}?{API}", pip_id("rg", "p5"))).await;
    assert_eq!(st, StatusCode::OK);
}
