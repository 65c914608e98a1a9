//! The ARM side of the scenarios: ids, request bodies, and the few PUTs every scenario
//! starts with.

use crate::target::Http;
use reqwest::Method;
use serde_json::{json, Value};

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub(super) const API: &str = "api-version=2024-11-01";
pub(super) const LOC: &str = "eastus";
/// A size with room for 3 NICs (the seed scenario adds a third).
pub(super) const VM_SIZE: &str = "Standard_B2s";

pub fn rg_path(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}?{API}")
}

pub fn net_id(rg: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/{ty}/{name}")
}

pub fn vm_id(rg: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}")
}

pub fn at(id: &str) -> String {
    format!("{id}?{API}")
}

pub fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", net_id(rg, "virtualNetworks", vnet))
}

pub fn nic_body(subnet: &str) -> Value {
    json!({
        "location": LOC,
        "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": subnet}}}
        ]}
    })
}

pub fn vm_body(nics: &[(&str, bool)]) -> Value {
    let refs: Vec<Value> = nics
        .iter()
        .map(|(id, primary)| json!({"id": id, "properties": {"primary": primary}}))
        .collect();
    json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": VM_SIZE},
            "storageProfile": {"imageReference": {
                "publisher": "Canonical", "offer": "ubuntu-24_04-lts",
                "sku": "server", "version": "latest"
            }},
            "osProfile": {
                "computerName": "benchvm", "adminUsername": "azureuser",
                "linuxConfiguration": {"disablePasswordAuthentication": true}
            },
            "networkProfile": {"networkInterfaces": refs}
        }
    })
}

pub async fn group(h: &Http, rg: &str) -> Result<(), String> {
    h.ok(Method::PUT, &rg_path(rg), Some(&json!({"location": LOC})))
        .await
        .map(|_| ())
}

pub async fn vnet(h: &Http, rg: &str, space: &str, subnets: &[(&str, &str)]) -> Result<(), String> {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(n, p)| json!({"name": n, "properties": {"addressPrefix": p}}))
        .collect();
    let body = json!({
        "location": LOC,
        "properties": {"addressSpace": {"addressPrefixes": [space]}, "subnets": subnets}
    });
    h.ok(
        Method::PUT,
        &at(&net_id(rg, "virtualNetworks", "vnet")),
        Some(&body),
    )
    .await
    .map(|_| ())
}

pub async fn put_nic(h: &Http, rg: &str, name: &str, subnet: &str) -> Result<(), String> {
    h.ok(
        Method::PUT,
        &at(&net_id(rg, "networkInterfaces", name)),
        Some(&nic_body(subnet)),
    )
    .await
    .map(|_| ())
}
