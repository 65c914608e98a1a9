//! Round-trip fidelity: what a client sends on a modelled type comes back as Azure returns
//! it, with Azure's defaults, and empty objects are not echoed. (A property sent and not
//! returned shows as a diff on Terraform's next plan.)

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NAPI: &str = "api-version=2024-05-01";

fn rid(ns: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/{ns}/{ty}/{name}")
}

async fn put_get(s: &Server, id: &str, body: Value) -> Value {
    let (st, put) = s.put(&format!("{id}?{NAPI}"), body).await;
    assert!(st.is_success(), "{put}");
    let (st, got) = s.get(&format!("{id}?{NAPI}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        put["properties"], got["properties"],
        "PUT and GET answer alike"
    );
    got
}

#[tokio::test]
async fn network_properties_sent_come_back() {
    let s = Server::start(&[]);
    s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    let vnet = rid("Microsoft.Network", "virtualNetworks", "v");
    let got = put_get(
        &s,
        &vnet,
        json!({"location": "eastus", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "flowTimeoutInMinutes": 10,
            "encryption": {},
            "subnets": [{"name": "a", "properties": {
                "addressPrefix": "10.0.1.0/24",
                "defaultOutboundAccess": false,
                "serviceEndpoints": [],
                "ipConfigurations": [{"id": "/stale"}],
                "privateEndpointNetworkPolicies": "Enabled"}}]}}),
    )
    .await;
    let p = &got["properties"];
    assert_eq!(
        p["privateEndpointVNetPolicies"], "Disabled",
        "Azure's default"
    );
    assert_eq!(p["flowTimeoutInMinutes"], 10);
    assert!(
        p.get("encryption").is_none(),
        "empty object not echoed: {p}"
    );
    let sub = &p["subnets"][0]["properties"];
    assert_eq!(sub["defaultOutboundAccess"], false);
    assert_eq!(sub["serviceEndpoints"], json!([]));
    assert!(
        sub.get("ipConfigurations").is_none(),
        "read-only not echoed: {sub}"
    );

    let got = put_get(
        &s,
        &vnet,
        json!({"location": "eastus", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "privateEndpointVNetPolicies": "Basic",
            "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
    )
    .await;
    assert_eq!(got["properties"]["privateEndpointVNetPolicies"], "Basic");
    assert!(got["properties"].get("flowTimeoutInMinutes").is_none());

    // A subnet PUT on its own keeps what it was sent too.
    let (st, sub) = s
        .put(
            &format!("{vnet}/subnets/b?{NAPI}"),
            json!({"properties": {"addressPrefix": "10.0.2.0/24", "defaultOutboundAccess": true}}),
        )
        .await;
    assert!(st.is_success(), "{sub}");
    let (_, sub) = s.get(&format!("{vnet}/subnets/b?{NAPI}")).await;
    assert_eq!(sub["properties"]["defaultOutboundAccess"], true);

    let pip = rid("Microsoft.Network", "publicIPAddresses", "p");
    let got = put_get(
        &s,
        &pip,
        json!({"location": "eastus", "sku": {"name": "Standard"}, "properties": {
            "publicIPAllocationMethod": "Static",
            "ddosSettings": {"protectionMode": "VirtualNetworkInherited"},
            "ipAddress": "1.2.3.4"}}),
    )
    .await;
    assert_eq!(
        got["properties"]["ddosSettings"],
        json!({"protectionMode": "VirtualNetworkInherited"})
    );
    assert_ne!(
        got["properties"]["ipAddress"], "1.2.3.4",
        "read-only, assigned"
    );
}

#[tokio::test]
async fn vm_empty_objects_and_user_data_as_azure_returns_them() {
    let s = Server::start(&[]);
    s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    let vnet = rid("Microsoft.Network", "virtualNetworks", "v");
    put_get(
        &s,
        &vnet,
        json!({"location": "eastus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
               "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
    )
    .await;
    let nic = rid("Microsoft.Network", "networkInterfaces", "n");
    put_get(
        &s,
        &nic,
        json!({"location": "eastus", "properties": {"ipConfigurations": [
            {"name": "c", "properties": {"subnet": {"id": format!("{vnet}/subnets/a")}}}]}}),
    )
    .await;
    let vm = rid("Microsoft.Compute", "virtualMachines", "vm");
    let (st, body) = s
        .put(
            &format!("{vm}?{API}"),
            json!({"location": "eastus", "properties": {
                "hardwareProfile": {"vmSize": "Standard_B2s"},
                "networkProfile": {"networkInterfaces": [{"id": nic}]},
                "additionalCapabilities": {},
                "securityProfile": {"uefiSettings": {}},
                "userData": "aGVsbG8=",
                "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                                   "osDisk": {"createOption": "FromImage", "managedDisk": {"storageAccountType": "Standard_LRS"}}},
                "osProfile": {"computerName": "vm", "adminUsername": "u", "adminPassword": "S3cret!pass-1234"}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, got) = s.get(&format!("{vm}?{API}")).await;
    let p = &got["properties"];
    assert!(p.get("additionalCapabilities").is_none(), "{p}");
    assert!(p.get("securityProfile").is_none(), "{p}");
    assert!(p.get("userData").is_none(), "only with $expand=userData");
    let os = &p["storageProfile"]["osDisk"];
    assert!(
        os["name"].is_string() && os["managedDisk"]["id"].is_string(),
        "{os}"
    );
    assert_eq!(os["diskSizeGB"], 30);
    let (_, got) = s.get(&format!("{vm}?{API}&$expand=userData")).await;
    assert_eq!(got["properties"]["userData"], "aGVsbG8=");
}

#[tokio::test]
async fn defaults_give_way_to_what_was_sent() {
    let s = Server::start(&[]);
    s.put(&rg_path("rg"), json!({"location": "eastus"})).await;
    let vnet = rid("Microsoft.Network", "virtualNetworks", "v");
    let got = put_get(
        &s,
        &vnet,
        json!({"location": "eastus", "properties": {
            "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
            "subnets": [
                {"name": "a", "properties": {"addressPrefix": "10.0.1.0/24",
                    "privateEndpointNetworkPolicies": "Enabled",
                    "privateLinkServiceNetworkPolicies": "Disabled"}},
                {"name": "b", "properties": {"addressPrefix": "10.0.2.0/24"}}]}}),
    )
    .await;
    let a = &got["properties"]["subnets"][0]["properties"];
    assert_eq!(a["privateEndpointNetworkPolicies"], "Enabled");
    assert_eq!(a["privateLinkServiceNetworkPolicies"], "Disabled");
    let b = &got["properties"]["subnets"][1]["properties"];
    assert_eq!(b["privateEndpointNetworkPolicies"], "Disabled");
    assert_eq!(b["privateLinkServiceNetworkPolicies"], "Enabled");
    assert_eq!(b["delegations"], json!([]));
    assert_eq!(got["properties"]["enableDdosProtection"], false);
}
