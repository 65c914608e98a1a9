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
    let deadline = Instant::now() + Duration::from_secs(20);
    let got = loop {
        let (_, got) = s.get(&d).await;
        if got["properties"]["provisioningState"] != "Accepted"
            && got["properties"]["provisioningState"] != "Running"
        {
            break got;
        }
        assert!(Instant::now() < deadline, "{got}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
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
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, got) = s.get(&d).await;
        if got["properties"]["provisioningState"] == "Succeeded" {
            break;
        }
        assert_ne!(got["properties"]["provisioningState"], "Failed", "{got}");
        assert!(Instant::now() < deadline, "{got}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
