//! Resource providers: the catalogue clients read before creating anything (the Terraform
//! azurerm provider lists it even with registration off) and per-subscription registration.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const RP_API: &str = "api-version=2022-09-01";

fn state<'a>(list: &'a Value, ns: &str) -> &'a Value {
    &list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["namespace"] == ns)
        .unwrap_or_else(|| panic!("{ns} listed"))["registrationState"]
}

#[tokio::test]
async fn the_subscription_lists_its_providers_with_types_locations_and_versions() {
    let s = Server::start(&[]);
    let (st, list) = s
        .get(&format!("/subscriptions/{SUB}/providers?{RP_API}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(state(&list, "Microsoft.Network"), "Registered");
    assert_eq!(state(&list, "Microsoft.Compute"), "Registered");
    assert_eq!(state(&list, "Microsoft.Storage"), "NotRegistered");

    let (st, net) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/microsoft.NETWORK?{RP_API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        net["id"],
        format!("/subscriptions/{SUB}/providers/Microsoft.Network")
    );
    assert_eq!(net["namespace"], "Microsoft.Network");
    assert_eq!(net["registrationPolicy"], "RegistrationRequired");
    let types = net["resourceTypes"].as_array().unwrap();
    let nics = types
        .iter()
        .find(|t| t["resourceType"] == "networkInterfaces")
        .unwrap();
    let locations = nics["locations"].as_array().unwrap();
    assert!(locations.iter().any(|l| l == "East US"), "{nics}");
    assert!(nics["apiVersions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "2024-05-01"));
    assert!(types
        .iter()
        .any(|t| t["resourceType"] == "virtualNetworks/subnets"));

    let (st, disks) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute?{RP_API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(disks["resourceTypes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["resourceType"] == "disks"));
}

#[tokio::test]
async fn registration_is_kept_per_subscription_across_restarts() {
    let dir = temp_dir();
    let s = Server::start_in(&dir, &[]);
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Storage/register?{RP_API}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["registrationState"], "Registered");
    assert_eq!(body["namespace"], "Microsoft.Storage");
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Network/unregister?{RP_API}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["registrationState"], "Unregistered");
    drop(s);

    let s = Server::start_in(&dir, &[]);
    let (_, list) = s
        .get(&format!("/subscriptions/{SUB}/providers?{RP_API}"))
        .await;
    assert_eq!(state(&list, "Microsoft.Storage"), "Registered");
    assert_eq!(state(&list, "Microsoft.Network"), "Unregistered");
    assert_eq!(state(&list, "Microsoft.ManagedIdentity"), "NotRegistered");
}

#[tokio::test]
async fn unknown_namespaces_and_subscriptions_are_refused() {
    let s = Server::start(&[]);
    for (method, path) in [
        (
            Method::GET,
            format!("/subscriptions/{SUB}/providers/Microsoft.Container?{RP_API}"),
        ),
        (
            Method::POST,
            format!("/subscriptions/{SUB}/providers/Microsoft.Container/register?{RP_API}"),
        ),
        (
            Method::GET,
            format!("/providers/Microsoft.Container?{RP_API}"),
        ),
    ] {
        let (st, _, body) = s.call(method, &path, None).await;
        let msg = assert_error(st, &body, 404, "InvalidResourceNamespace");
        assert_eq!(
            msg,
            "The resource namespace 'Microsoft.Container' is invalid."
        );
    }
    let (st, body) = s
        .get(&format!(
            "/subscriptions/11111111-2222-3333-4444-555555555555/providers?{RP_API}"
        ))
        .await;
    assert_error(st, &body, 404, "SubscriptionNotFound");
}

#[tokio::test]
async fn the_tenant_lists_providers_without_registration() {
    let s = Server::start(&[]);
    let (st, list) = s.get(&format!("/providers?{RP_API}")).await;
    assert_eq!(st, StatusCode::OK);
    let compute = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["namespace"] == "Microsoft.Compute")
        .unwrap();
    assert_eq!(compute["id"], "/providers/Microsoft.Compute");
    assert!(compute.get("registrationState").is_none());
    let (st, one) = s
        .get(&format!("/providers/microsoft.compute?{RP_API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(one["namespace"], "Microsoft.Compute");
}

#[tokio::test]
async fn a_path_that_names_no_type_is_501_with_the_path() {
    let s = Server::start(&[]);
    s.put(&rg_path("rg"), serde_json::json!({"location": "eastus"}))
        .await;
    let path = format!("/subscriptions/{SUB}/resourceGroups/rg/providers");
    let (st, body) = s.get(&format!("{path}?{API}")).await;
    let msg = assert_error(st, &body, 501, "NotImplemented");
    assert!(msg.contains(&format!("GET {path}")), "{msg}");
}
