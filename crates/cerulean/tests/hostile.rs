//! What a hostile or careless client found, each kept as a regression test against the real
//! binary: requests that must be refused with Azure's error, never stored to break later
//! reads.

mod common;

use common::invariants::{check_api, check_store, StoreAt};
use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::time::{Duration, Instant};

const RAPI: &str = "api-version=2024-03-01";

/// Polls the deployment at `path` (with its api-version) until it is no longer Accepted or
/// Running; returns it.
async fn wait_final(s: &Server, path: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, got) = s.get(path).await;
        let state = got["properties"]["provisioningState"]
            .as_str()
            .unwrap_or("");
        if !matches!(state, "Accepted" | "Running") {
            return got;
        }
        assert!(Instant::now() < deadline, "{got}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A "resource group" PUT as a generic resource inside a group (directly, or from a template)
/// was stored with the kind of groups, and every later group list answered 500. It is no
/// resource type of a group: 404 `InvalidResourceType`, nothing stored.
#[tokio::test]
async fn a_resource_group_nested_in_a_group_is_no_resource_type() {
    let s = Server::start(&[]);
    let (st, _) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED);
    let nested = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/resourceGroups/inner?api-version=2021-04-01"
    );
    let (st, body) = s.put(&nested, json!({"location": "eastus"})).await;
    let msg = assert_error(st, &body, 404, "InvalidResourceType");
    assert_eq!(
        msg,
        "The resource type 'resourceGroups' could not be found in the namespace 'Microsoft.Resources' for api version '2021-04-01'."
    );

    // The same from a template: the deployment fails with the same inner error.
    let d = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d?{RAPI}"
    );
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2021-04-01",
                       "name": "inner", "location": "eastus"}]});
    let (st, body) = s
        .put(
            &d,
            json!({"properties": {"mode": "Incremental", "template": template}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let got = wait_final(&s, &d).await;
    assert_eq!(got["properties"]["provisioningState"], "Failed", "{got}");
    assert_eq!(
        got["properties"]["error"]["details"][0]["code"], "InvalidResourceType",
        "{got}"
    );

    let (st, groups) = s
        .get(&format!("/subscriptions/{SUB}/resourcegroups?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{groups}");
    assert_eq!(groups["value"].as_array().unwrap().len(), 1, "{groups}");
    check_api(&s).await;
    check_store(&StoreAt::dir(&s.dir));
}

/// Every step of a deployment rewrote the whole deployment record, template included, twice:
/// one 4 MB template of 800 resources made the server write gigabytes (and hold SQLite's one
/// writer for minutes). Steps are records of their own now: what a deployment writes grows
/// with its template once, not once per step. Counted in database pages (`/cerulean/info`),
/// never timed.
#[tokio::test]
async fn a_big_template_is_not_rewritten_at_every_step() {
    let s = Server::start(&[]);
    let (st, _) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED);
    const N: usize = 60;
    let pad = "x".repeat(16 * 1024);
    let resources: Vec<_> = (0..N)
        .map(|i| {
            json!({"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01",
                   "name": format!("sa{i}"), "location": "eastus",
                   "properties": {"pad": pad}})
        })
        .collect();
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": resources});
    let pages = |info: &serde_json::Value| info["writes"]["pagesWritten"].as_u64().unwrap();
    let (_, before) = s.get("/cerulean/info").await;
    let d = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/big?{RAPI}"
    );
    let (st, body) = s
        .put(
            &d,
            json!({"properties": {"mode": "Incremental", "template": template}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let got = wait_final(&s, &d).await;
    assert_eq!(got["properties"]["provisioningState"], "Succeeded", "{got}");
    let (_, after) = s.get("/cerulean/info").await;
    // About 1 MB of template and 1 MB of resources: a few hundred 4 KB pages. Rewriting the
    // record at each step wrote some 30,000.
    let written = pages(&after) - pages(&before);
    eprintln!("a deployment of {N} resources from a 1 MB template wrote {written} pages");
    assert!(written < 6_000, "{written} pages written");

    // The steps are all there, in the order they were taken.
    let (st, ops) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/big/operations?{RAPI}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{ops}");
    let names: Vec<&str> = ops["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            assert_eq!(o["properties"]["provisioningState"], "Succeeded", "{o}");
            o["properties"]["targetResource"]["resourceName"]
                .as_str()
                .unwrap()
        })
        .collect();
    let want: Vec<String> = (0..N).map(|i| format!("sa{i}")).collect();
    assert_eq!(names, want);
    // The template is kept apart, whole.
    let export = d.replace("/big?", "/big/exportTemplate?");
    let (st, _, exported) = s.call(reqwest::Method::POST, &export, None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(exported["template"], template);
    check_store(&StoreAt::dir(&s.dir));
}

/// 540 deployments at once on PostgreSQL: each run held one of tokio's 512 blocking threads
/// while it waited on the store, whose PostgreSQL adapter needs a blocking thread for every
/// query, so every request that touched the store hung for good. Runs take turns now (a few
/// at a time, the others Accepted): the server keeps answering.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_of_deployments_at_once_do_not_hang_the_server() {
    let url = fresh_postgres();
    let s = Server::start(&["--database-url", &url, "--latency", "2s"]);
    let (st, _) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED);
    let body = json!({"properties": {"mode": "Incremental", "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01",
            "name": "[concat('v', deployment().name)]", "location": "eastus",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}]}}});
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (client, base, body, next) =
                (s.client.clone(), s.base.clone(), body.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i >= 540 {
                        return;
                    }
                    let url = format!(
                        "{base}/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d{i}?{RAPI}"
                    );
                    let r = client.put(url).json(&body).send().await.expect("an answer");
                    assert_eq!(r.status(), StatusCode::CREATED);
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    // Each of these would wait forever on a hung server (the client gives up after 30 s).
    let (st, body) = s.get(&rg_path("rg")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, last) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d539?{RAPI}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{last}");
    assert_eq!(
        last["properties"]["provisioningState"], "Accepted",
        "waits its turn"
    );
}

/// Deleting a generic resource left its children behind when a sibling's name extended its
/// own (`web-2` beside `web`: `-` sorts before `/`, so the walk over `web`'s children stopped
/// at `web-2` before reaching them): a child without its parent, back when the parent was
/// created again.
#[tokio::test]
async fn a_generic_resource_takes_its_children_along_whatever_its_siblings_are_called() {
    let s = Server::start(&[]);
    let (st, _) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED);
    let nsg = |n: &str| {
        format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/{n}")
    };
    for n in ["web", "web-2", "web.3"] {
        let (st, body) = s
            .put(&format!("{}?{API}", nsg(n)), json!({"location": "eastus"}))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{n}: {body}");
    }
    let rule = format!("{}/securityRules/r1?{API}", nsg("web"));
    let (st, body) = s.put(&rule, json!({"properties": {"priority": 100}})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = s
        .call(
            reqwest::Method::DELETE,
            &format!("{}?{API}", nsg("web")),
            None,
        )
        .await;
    assert!(st.is_success(), "{st} {body}");
    let (st, _) = s.get(&rule).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .put(
            &format!("{}?{API}", nsg("web")),
            json!({"location": "eastus"}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _) = s.get(&rule).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "the old child came back");
    for n in ["web-2", "web.3"] {
        let (st, _) = s.get(&format!("{}?{API}", nsg(n))).await;
        assert_eq!(st, StatusCode::OK, "{n} went too");
    }
    check_store(&StoreAt::dir(&s.dir));
}

/// A deployment's template and steps are records under its key; the generic paths (which
/// take whatever has no route of its own) reached the template: GET answered 500 (it is no
/// generic resource), DELETE removed it from under `exportTemplate`, and PUT could hang
/// resources of any type under a deployment. None of that now.
#[tokio::test]
async fn a_deployments_own_records_are_not_generic_resources() {
    let s = Server::start(&[]);
    let (st, _) = s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED);
    let d = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d"
    );
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0", "resources": []});
    let (st, body) = s
        .put(
            &format!("{d}?{RAPI}"),
            json!({"properties": {"mode": "Incremental", "template": template.clone()}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    wait_final(&s, &format!("{d}?{RAPI}")).await;

    let (st, body) = s.get(&format!("{d}/templates/template?{RAPI}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, body) = s.get(&format!("{d}/templates?{RAPI}")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["value"], json!([]));
    let (st, _, _) = s
        .call(
            reqwest::Method::DELETE,
            &format!("{d}/templates/template?{RAPI}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, exported) = s
        .call(
            reqwest::Method::POST,
            &format!("{d}/exportTemplate?{RAPI}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(exported["template"], template);
    let (st, body) = s
        .put(&format!("{d}/extras/x?{RAPI}"), json!({"properties": {}}))
        .await;
    assert_error(st, &body, 404, "InvalidResourceType");
    check_store(&StoreAt::dir(&s.dir));
}
