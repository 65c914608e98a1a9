//! Template deployments and generic resources over HTTPS against the real binary: the seed's
//! scenarios written as templates (examples/templates), their failures with the inner
//! resource's own error, modes, what-if, validation, operations, cancel.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LOC: &str = "eastus";
const RAPI: &str = "api-version=2024-03-01";

fn template(name: &str) -> Value {
    let path = format!(
        "{}/../../examples/templates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn group_id(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

fn deployment_path(rg: &str, name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Resources/deployments/{name}",
        group_id(rg)
    )
}

fn res(rg: &str, ty: &str, name: &str) -> String {
    format!("{}/providers/{ty}/{name}", group_id(rg))
}

async fn group(s: &Server, rg: &str) {
    let (st, body) = s.put(&rg_path(rg), json!({"location": LOC})).await;
    assert!(st.is_success(), "{body}");
}

fn params(pairs: &[(&str, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        m.insert((*k).into(), json!({ "value": v }));
    }
    Value::Object(m)
}

/// PUTs a deployment (expecting 201/200) and polls `Azure-AsyncOperation` until it is final;
/// returns the final status body and the deployment.
async fn deploy(
    s: &Server,
    rg: &str,
    name: &str,
    tpl: Value,
    parameters: Value,
    mode: &str,
) -> (Value, Value) {
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path(rg, name)),
            Some(json!({"properties": {"template": tpl, "parameters": parameters, "mode": mode}})),
        )
        .await;
    assert!(
        st == StatusCode::CREATED || st == StatusCode::OK,
        "{st} {body}"
    );
    assert_eq!(
        body["properties"]["provisioningState"], "Accepted",
        "{body}"
    );
    assert_eq!(hdrs["retry-after"], "1");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap().to_string();
    assert!(url.contains("/operationStatuses/"), "{url}");
    let status = poll(s, &url).await;
    let (st, d) = s
        .get(&format!("{}?{RAPI}", deployment_path(rg, name)))
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    (status, d)
}

async fn poll(s: &Server, url: &str) -> Value {
    let path = url.strip_prefix(&s.base).unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (st, hdrs, body) = s.call(Method::GET, &path, None).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(hdrs["retry-after"], "1", "the SDKs wait 30 s without it");
        if body["status"] != "Running" {
            return body;
        }
        assert!(Instant::now() < deadline, "deployment never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn get_ok(s: &Server, id: &str) -> Value {
    let (st, body) = s.get(&format!("{id}?{API}")).await;
    assert_eq!(st, StatusCode::OK, "GET {id}: {body}");
    body
}

async fn operations(s: &Server, rg: &str, name: &str) -> Vec<Value> {
    let (st, body) = s
        .get(&format!("{}/operations?{RAPI}", deployment_path(rg, name)))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["value"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------- seed scenarios

#[tokio::test]
async fn a_vm_with_two_nics_in_two_subnets() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "twonics",
        template("vm-two-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let p = &d["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["mode"], "Incremental");
    assert_eq!(d["type"], "Microsoft.Resources/deployments");
    // Secure parameters are never echoed; the others are.
    assert_eq!(
        p["parameters"]["adminPassword"],
        json!({"type": "SecureString"})
    );
    assert_eq!(
        p["parameters"]["vmSize"],
        json!({"type": "String", "value": "Standard_DS3_v2"})
    );
    assert!(!d.to_string().contains("S3cret-Passw0rd!"));
    assert_eq!(
        p["outputs"]["primaryPrivateIp"],
        json!({"type": "String", "value": "10.0.1.4"})
    );
    assert_eq!(p["outputs"]["secondaryPrivateIp"]["value"], "10.0.2.4");
    assert_eq!(p["outputResources"].as_array().unwrap().len(), 4);

    let vm = get_ok(&s, &res("rg", "Microsoft.Compute/virtualMachines", "vm1")).await;
    let nics = vm["properties"]["networkProfile"]["networkInterfaces"]
        .as_array()
        .unwrap();
    assert_eq!(nics.len(), 2);
    assert!(nics[0]["id"].as_str().unwrap().ends_with("/vm1-nic1"));
    assert_eq!(nics[0]["properties"]["primary"], true);
    assert_eq!(nics[1]["properties"]["primary"], false);
    let nic2 = get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "vm1-nic2"),
    )
    .await;
    assert!(nic2["properties"]["virtualMachine"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/vm1"));
    assert_eq!(nic2["properties"]["primary"], false);

    // One Create operation per resource, in dependency order, all Succeeded.
    let ops = operations(&s, "rg", "twonics").await;
    let targets: Vec<&str> = ops
        .iter()
        .map(|o| {
            o["properties"]["targetResource"]["resourceName"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(targets, ["vm1-vnet", "vm1-nic1", "vm1-nic2", "vm1"]);
    for o in &ops {
        assert_eq!(o["properties"]["provisioningOperation"], "Create");
        assert_eq!(o["properties"]["provisioningState"], "Succeeded");
        assert_eq!(o["properties"]["statusCode"], "Created");
    }
    let one = &ops[3];
    let (st, got) = s
        .get(&format!("{}?{RAPI}", one["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(
        got["properties"]["targetResource"]["resourceType"],
        "Microsoft.Compute/virtualMachines"
    );

    // Redeploying the same template changes nothing and succeeds again (PUTs are idempotent).
    let (status, _) = deploy(
        &s,
        "rg",
        "twonics",
        template("vm-two-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
}

#[tokio::test]
async fn a_nic_with_three_ip_configurations_two_with_public_ips() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "threeips",
        template("nic-three-ipconfigs.json"),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let nic = get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "myNic"),
    )
    .await;
    let configs = nic["properties"]["ipConfigurations"].as_array().unwrap();
    assert_eq!(configs.len(), 3);
    let addrs: Vec<&str> = configs
        .iter()
        .map(|c| c["properties"]["privateIPAddress"].as_str().unwrap())
        .collect();
    assert_eq!(addrs, ["10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    assert!(configs[0]["properties"]["publicIPAddress"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/myPublicIP1"));
    assert!(configs[1]["properties"]["publicIPAddress"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/myPublicIP2"));
    assert!(configs[2]["properties"].get("publicIPAddress").is_none());
    // The outputs read the static public addresses that were allocated.
    let outs = d["properties"]["outputs"]["publicIps"]["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(outs.len(), 2);
    for (i, ip) in outs.iter().enumerate() {
        let pip = get_ok(
            &s,
            &res(
                "rg",
                "Microsoft.Network/publicIPAddresses",
                &format!("myPublicIP{}", i + 1),
            ),
        )
        .await;
        assert_eq!(&pip["properties"]["ipAddress"], ip);
    }
}

#[tokio::test]
async fn a_copy_loop_creates_n_nics() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "loop",
        template("nics-copy.json"),
        params(&[("count", json!(5))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    assert_eq!(
        d["properties"]["outputs"]["nicNames"]["value"],
        json!(["nic-0", "nic-1", "nic-2", "nic-3", "nic-4"])
    );
    let mut addrs = Vec::new();
    for i in 0..5 {
        let nic = get_ok(
            &s,
            &res(
                "rg",
                "Microsoft.Network/networkInterfaces",
                &format!("nic-{i}"),
            ),
        )
        .await;
        addrs.push(
            nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        addrs,
        ["10.1.0.4", "10.1.0.5", "10.1.0.6", "10.1.0.7", "10.1.0.8"]
    );
    // Parameter limits are checked before anything is created.
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "loop2")),
            Some(json!({"properties": {"template": template("nics-copy.json"), "parameters": params(&[("count", json!(51))]), "mode": "Incremental"}})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidTemplate");
    assert!(hdrs.get("azure-asyncoperation").is_none());
}

#[tokio::test]
async fn too_many_nics_for_the_size_fails_with_the_inner_error() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "small",
        template("too-many-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Failed", "{status}");
    assert_eq!(status["error"]["code"], "DeploymentFailed");
    let p = &d["properties"];
    assert_eq!(p["provisioningState"], "Failed");
    assert_eq!(p["error"]["code"], "DeploymentFailed");
    let inner = &p["error"]["details"][0];
    assert_eq!(inner["code"], "NetworkInterfaceCountExceeded", "{inner}");
    assert_eq!(
        inner["message"],
        "The number of network interfaces for virtual machine smallVm exceeds the maximum allowed for the virtual machine size Standard_B1s. The number of network interfaces is 3 and the maximum allowed is 2."
    );
    // What was created before the failure stays; the VM does not exist.
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "small-nic2"),
    )
    .await;
    let (st, body) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Compute/virtualMachines", "smallVm")
        ))
        .await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let ops = operations(&s, "rg", "small").await;
    let failed: Vec<&Value> = ops
        .iter()
        .filter(|o| o["properties"]["provisioningState"] == "Failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["properties"]["statusCode"], "BadRequest");
    assert_eq!(
        failed[0]["properties"]["statusMessage"]["error"]["code"],
        "NetworkInterfaceCountExceeded"
    );

    // With a size that allows three, the same template succeeds.
    let (status, _) = deploy(
        &s,
        "rg",
        "small",
        template("too-many-nics.json"),
        params(&[
            ("adminPassword", json!("x-Passw0rd!")),
            ("vmSize", json!("Standard_DS3_v2")),
        ]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
}

#[tokio::test]
async fn a_nic_of_another_vm_fails_with_nic_in_use_and_stops_dependants_only() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "first",
        template("vm-two-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let nic1 = res("rg", "Microsoft.Network/networkInterfaces", "vm1-nic1");
    let tpl = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-11-01", "name": "thief",
                "location": LOC,
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_B1s"},
                    "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}},
                    "osProfile": {"computerName": "thief", "adminUsername": "u", "adminPassword": "S3cret-Passw0rd!"},
                    "networkProfile": {"networkInterfaces": [{"id": nic1}]}
                }
            },
            {
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "after-thief",
                "location": LOC, "dependsOn": ["thief"], "properties": {}
            },
            {
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "independent",
                "location": LOC, "properties": {}
            }
        ]
    });
    let (status, d) = deploy(&s, "rg", "second", tpl, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Failed");
    assert_eq!(d["properties"]["error"]["details"][0]["code"], "NicInUse");
    // The dependant was never tried; the independent resource was created.
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "after-thief")
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "independent"),
    )
    .await;
    let names: Vec<String> = operations(&s, "rg", "second")
        .await
        .iter()
        .map(|o| {
            o["properties"]["targetResource"]["resourceName"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["thief", "independent"]);
}

// ---------------------------------------------------------------- template errors

async fn put_invalid(s: &Server, tpl: Value, parameters: Value) -> (StatusCode, Value) {
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "bad")),
            Some(json!({"properties": {"template": tpl, "parameters": parameters, "mode": "Incremental"}})),
        )
        .await;
    assert!(hdrs.get("azure-asyncoperation").is_none());
    (st, body)
}

fn tpl_with(resources: Value) -> Value {
    json!({"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "contentVersion": "1.0.0.0", "resources": resources})
}

fn pip(name: &str, depends: &[&str]) -> Value {
    json!({"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": name, "location": LOC, "dependsOn": depends, "properties": {}})
}

#[tokio::test]
async fn bad_templates_are_refused_before_anything_is_created() {
    let s = Server::start(&[]);
    group(&s, "rg").await;

    // An unknown function, named with its position.
    let mut bad = pip("p", &[]);
    bad["properties"]["idleTimeoutInMinutes"] = json!("[frobnicate(1)]");
    let (st, body) = put_invalid(&s, tpl_with(json!([bad])), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("frobnicate"), "{msg}");
    assert!(
        body["error"]["target"]
            .as_str()
            .unwrap_or_default()
            .contains("resources[0]")
            || msg.contains("resources[0]"),
        "{body}"
    );

    // A dependency cycle, naming the resources in it.
    let (st, body) = put_invalid(
        &s,
        tpl_with(json!([pip("a", &["b"]), pip("b", &["a"])])),
        json!({}),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("Circular dependency"), "{msg}");
    assert!(
        msg.contains("publicIPAddresses/a") || msg.contains("'a'"),
        "{msg}"
    );

    // A missing parameter, an undeclared one, a value not allowed.
    let tpl = template("vm-two-nics.json");
    let (st, body) = put_invalid(&s, tpl.clone(), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("adminPassword"), "{msg}");
    let (st, body) = put_invalid(
        &s,
        tpl.clone(),
        params(&[
            ("adminPassword", json!("S3cret!")),
            ("colour", json!("blue")),
        ]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("colour"), "{msg}");
    let (st, body) = put_invalid(
        &s,
        tpl,
        params(&[
            ("adminPassword", json!("S3cret!")),
            ("vmSize", json!("Standard_M416ms_v2")),
        ]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(
        msg.contains("Standard_M416ms_v2") && !msg.contains("S3cret!"),
        "{msg}"
    );

    // No template at all; a mode that does not exist; a bad name.
    let (st, body) = put_invalid(&s, Value::Null, json!({})).await;
    assert_eq!(st.as_u16(), 400, "{body}");
    let (st, _, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "bad")),
            Some(json!({"properties": {"template": tpl_with(json!([])), "mode": "Everything"}})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, _, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "bad%2Fname")),
            Some(json!({"properties": {"template": tpl_with(json!([]))}})),
        )
        .await;
    assert_eq!(st.as_u16(), 400, "{body}");

    // listKeys is known but not performed.
    let mut lk = pip("k", &[]);
    lk["tags"] = json!({"key": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'acct'), '2023-01-01').keys[0].value]"});
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "keys")),
            Some(json!({"properties": {"template": tpl_with(json!([lk])), "mode": "Incremental"}})),
        )
        .await;
    let failed_inner = if st == StatusCode::NOT_IMPLEMENTED {
        body["error"].clone()
    } else {
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let status = poll(&s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
        status["error"]["details"][0].clone()
    };
    assert_eq!(failed_inner["code"], "NotImplemented", "{failed_inner}");
    assert!(
        failed_inner["message"]
            .as_str()
            .unwrap()
            .contains("listKeys"),
        "{failed_inner}"
    );

    // Nothing was created by any of them, and no deployment record was left but 'keys'.
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    assert_eq!(list["value"], json!([]), "{list}");
    let (st, body) = s
        .get(&format!("{}?{RAPI}", deployment_path("rg", "bad")))
        .await;
    assert_error(st, &body, 404, "DeploymentNotFound");
}

// ---------------------------------------------------------------- modes, what-if, validate

#[tokio::test]
async fn complete_mode_deletes_what_the_template_does_not_declare() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "one",
        tpl_with(json!([pip("keep", &[]), pip("drop", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    // A generic resource too.
    let (st, body) = s
        .put(
            &format!(
                "{}?{API}",
                res("rg", "Microsoft.Network/networkSecurityGroups", "nsg")
            ),
            json!({"location": LOC, "properties": {}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // What-if in Complete mode announces the deletions; nothing changes yet.
    let (st, hdrs, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", deployment_path("rg", "two")),
            Some(json!({"properties": {"template": tpl_with(json!([pip("keep", &[]), pip("new", &[])])), "mode": "Complete"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi} {hdrs:?}");
    assert_eq!(wi["status"], "Succeeded");
    let changes: Vec<(String, String)> = wi["properties"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let id = c["resourceId"].as_str().unwrap();
            (
                id.rsplit('/').next().unwrap().to_string(),
                c["changeType"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("keep".into(), "NoChange".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("new".into(), "Create".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("drop".into(), "Delete".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("nsg".into(), "Delete".into())),
        "{changes:?}"
    );
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "drop"),
    )
    .await;

    let (status, _) = deploy(
        &s,
        "rg",
        "two",
        tpl_with(json!([pip("keep", &[]), pip("new", &[])])),
        json!({}),
        "Complete",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    let mut names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["keep", "new"]);
    let deletes: Vec<Value> = operations(&s, "rg", "two")
        .await
        .into_iter()
        .filter(|o| o["properties"]["provisioningOperation"] == "Delete")
        .collect();
    assert_eq!(deletes.len(), 2);
}

#[tokio::test]
async fn what_if_reports_modifications_with_their_delta() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "one",
        tpl_with(json!([pip("p", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let mut changed = pip("p", &[]);
    changed["properties"]["idleTimeoutInMinutes"] = json!(10);
    let (st, _, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", deployment_path("rg", "two")),
            Some(json!({"properties": {"template": tpl_with(json!([changed])), "mode": "Incremental"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi}");
    let c = &wi["properties"]["changes"][0];
    assert_eq!(c["changeType"], "Modify", "{c}");
    assert_eq!(
        c["delta"],
        json!([{"path": "properties.idleTimeoutInMinutes", "propertyChangeType": "Modify", "before": 4, "after": 10}])
    );
    assert_eq!(c["before"]["properties"]["idleTimeoutInMinutes"], 4);
    assert_eq!(c["after"]["properties"]["idleTimeoutInMinutes"], 10);
}

#[tokio::test]
async fn validate_checks_without_deploying() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", deployment_path("rg", "v")),
            Some(json!({"properties": {"template": template("nics-copy.json"), "parameters": params(&[("count", json!(2))]), "mode": "Incremental"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        v["properties"]["validatedResources"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    assert_eq!(list["value"], json!([]));
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", deployment_path("rg", "v")),
            Some(json!({"properties": {"template": template("nics-copy.json"), "parameters": params(&[("count", json!("three"))])}})),
        )
        .await;
    assert_error(st, &v, 400, "InvalidTemplate");
    // A group that does not exist.
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", deployment_path("nope", "v")),
            Some(json!({"properties": {"template": tpl_with(json!([]))}})),
        )
        .await;
    assert_error(st, &v, 404, "ResourceGroupNotFound");
}

// ---------------------------------------------------------------- lifecycle

#[tokio::test]
async fn running_deployments_can_be_cancelled_but_not_replaced() {
    let s = Server::start(&["--latency", "1500ms"]);
    group(&s, "rg").await;
    let body = json!({"properties": {"template": tpl_with(json!([pip("a", &[]), pip("b", &["a"]), pip("c", &["b"])])), "mode": "Incremental"}});
    let path = format!("{}?{RAPI}", deployment_path("rg", "slow"));
    let (st, hdrs, _) = s.call(Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _, again) = s.call(Method::PUT, &path, Some(body.clone())).await;
    let msg = assert_error(st, &again, 409, "DeploymentActive");
    assert!(msg.contains("'slow'"), "{msg}");
    let (st, _, del) = s.call(Method::DELETE, &path, None).await;
    assert_error(st, &del, 409, "DeploymentActive");
    let (st, _, _) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment_path("rg", "slow")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let status = poll(&s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
    assert_eq!(status["status"], "Canceled", "{status}");
    let (_, d) = s.get(&path).await;
    assert_eq!(d["properties"]["provisioningState"], "Canceled");
    // Not every resource was created.
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "c")
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A finished deployment cannot be cancelled.
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment_path("rg", "slow")),
            None,
        )
        .await;
    assert_error(st, &body, 409, "DeploymentCannotBeCancelled");
}

#[tokio::test]
async fn deployments_are_listed_exported_and_deleted_and_are_not_resources() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    for name in ["d1", "d2"] {
        let (status, _) = deploy(
            &s,
            "rg",
            name,
            tpl_with(json!([pip(name, &[])])),
            json!({}),
            "Incremental",
        )
        .await;
        assert_eq!(status["status"], "Succeeded");
    }
    let (st, list) = s
        .get(&format!(
            "{}/providers/Microsoft.Resources/deployments?{RAPI}",
            group_id("rg")
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["d1", "d2"]);
    let (_, resources) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    assert_eq!(
        resources["value"].as_array().unwrap().len(),
        2,
        "{resources}"
    );

    let (st, _, exported) = s
        .call(
            Method::POST,
            &format!("{}/exportTemplate?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(exported["template"]["resources"][0]["name"], "d1");

    let (st, _, _) = s
        .call(
            Method::HEAD,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = s
        .call(
            Method::HEAD,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body) = s
        .get(&format!("{}?{RAPI}", deployment_path("rg", "d1")))
        .await;
    let msg = assert_error(st, &body, 404, "DeploymentNotFound");
    assert_eq!(msg, "Deployment 'd1' could not be found.");
    // Its resources stay.
    get_ok(&s, &res("rg", "Microsoft.Network/publicIPAddresses", "d1")).await;
    // A deployment in a group that does not exist.
    let (st, body) = s
        .get(&format!("{}?{RAPI}", deployment_path("nope", "d1")))
        .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

// ---------------------------------------------------------------- generic resources

#[tokio::test]
async fn unmodelled_types_are_stored_as_generic_resources() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let nsg = res("rg", "Microsoft.Network/networkSecurityGroups", "web-nsg");
    let (st, body) = s
        .put(
            &format!("{nsg}?{API}"),
            json!({"location": "East US", "tags": {"env": "test"}, "properties": {"securityRules": []}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], nsg);
    assert_eq!(body["name"], "web-nsg");
    assert_eq!(body["type"], "Microsoft.Network/networkSecurityGroups");
    assert_eq!(body["location"], "eastus");
    assert_eq!(body["tags"], json!({"env": "test"}));
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(body["properties"]["securityRules"], json!([]));

    // A child needs its parent.
    let rule = format!("{nsg}/securityRules/allow-ssh");
    let (st, body) = s
        .put(
            &format!("{rule}?{API}"),
            json!({"properties": {"priority": 100, "access": "Allow"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let orphan = format!(
        "{}/securityRules/r",
        res("rg", "Microsoft.Network/networkSecurityGroups", "nope")
    );
    let (st, body) = s
        .put(&format!("{orphan}?{API}"), json!({"properties": {}}))
        .await;
    let msg = assert_error(st, &body, 404, "ParentResourceNotFound");
    assert!(msg.contains("'nope'"), "{msg}");

    // Lists of the type, and of the child type under its parent.
    let (st, list) = s
        .get(&format!(
            "{}/providers/Microsoft.Network/networkSecurityGroups?{API}",
            group_id("rg")
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let (_, list) = s.get(&format!("{nsg}/securityRules?{API}")).await;
    assert_eq!(list["value"][0]["name"], "allow-ssh", "{list}");

    // PATCH merges tags; an unknown location is refused; tag rules apply.
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &format!("{nsg}?{API}"),
            Some(json!({"tags": {"env": "prod"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!({"env": "prod"}));
    assert_eq!(body["properties"]["securityRules"], json!([]));
    let (st, body) = s
        .put(
            &format!(
                "{}?{API}",
                res("rg", "Microsoft.Storage/storageAccounts", "acct")
            ),
            json!({"location": "atlantis"}),
        )
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");

    // The generic list sees it; actions on it are not implemented.
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    let types: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"Microsoft.Network/networkSecurityGroups"),
        "{types:?}"
    );
    let (st, _, body) = s
        .call(Method::POST, &format!("{nsg}/doSomething?{API}"), None)
        .await;
    assert_error(st, &body, 501, "NotImplemented");

    // DELETE takes the children along; a second DELETE is 204; GET is 404 ResourceNotFound.
    let (st, _, _) = s.call(Method::DELETE, &format!("{nsg}?{API}"), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = s.call(Method::DELETE, &format!("{nsg}?{API}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = s.get(&format!("{rule}?{API}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, body) = s.get(&format!("{nsg}?{API}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // In a group that does not exist.
    let (st, body) = s
        .put(
            &format!(
                "{}?{API}",
                res("nope", "Microsoft.Network/networkSecurityGroups", "x")
            ),
            json!({"location": LOC}),
        )
        .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

#[tokio::test]
async fn a_group_delete_removes_generic_resources_and_deployments() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "d",
        tpl_with(json!([pip("p", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let disk = res("rg", "Microsoft.Compute/disks", "osdisk");
    let (st, _) = s
        .put(
            &format!("{disk}?{API}"),
            json!({"location": LOC, "properties": {"diskSizeGB": 30, "creationData": {"createOption": "Empty"}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, hdrs, _) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert!(st.is_success());
    if let Some(loc) = hdrs.get("location") {
        let path = loc
            .to_str()
            .unwrap()
            .strip_prefix(&s.base)
            .unwrap()
            .to_string();
        for _ in 0..100 {
            let (st, _) = s.get(&path).await;
            if st != StatusCode::ACCEPTED {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    group(&s, "rg").await;
    let (st, _) = s.get(&format!("{disk}?{API}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .get(&format!("{}?{RAPI}", deployment_path("rg", "d")))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// The az CLI splices a template file's text into the body after an unquoted `template:`
/// key, comments included; ARM reads that JSONC, and so must we. Deployment operations are
/// also read under the older `resourcegroups/{rg}/deployments` path, as the SDK does.
#[tokio::test]
async fn jsonc_bodies_and_the_legacy_path() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let body = r#"{"properties": {"parameters": {}, "mode": "Incremental", template:{
      // a comment, as template files may have
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      /* and another */
      "resources": [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "p", "location": "eastus", "properties": {},},],
    }}}"#;
    let resp = s
        .client
        .put(s.url(&format!("{}?{RAPI}", deployment_path("rg", "jsonc"))))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let url = resp.headers()["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(poll(&s, &url).await["status"], "Succeeded");
    let (st, ops) = s
        .get(&format!(
            "{}/deployments/jsonc/operations?{RAPI}",
            group_id("rg")
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{ops}");
    assert_eq!(
        ops["value"][0]["properties"]["targetResource"]["resourceName"],
        "p"
    );
    // Still malformed is still a 400.
    let resp = s
        .client
        .put(s.url(&format!("{}?{RAPI}", deployment_path("rg", "broken"))))
        .header("content-type", "application/json")
        .body("{\"properties\": {template: ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidRequestContent");
}

/// What a resource declaration names beyond type and name: its `apiVersion` (checked at
/// validation: ARM's 400 `NoRegisteredProviderFound`), the group it goes to (another group of
/// the subscription is honoured, as in Azure; it must exist), the subscription (another is
/// refused, not ignored), and Azure's limit of 800 resources.
#[tokio::test]
async fn declarations_api_versions_target_groups_and_the_800_resource_limit() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    group(&s, "other").await;

    for v in ["banana", "2024-13-01", "2024-07-01-", ""] {
        let mut r = pip("p", &[]);
        r["apiVersion"] = json!(v);
        let (st, body) = put_invalid(&s, tpl_with(json!([r])), json!({})).await;
        if v.is_empty() {
            assert_error(st, &body, 400, "InvalidTemplate");
            continue;
        }
        let msg = assert_error(st, &body, 400, "NoRegisteredProviderFound");
        assert_eq!(
            msg,
            format!("No registered resource provider found for API version '{v}' for type 'publicIPAddresses'. An API version is a date, 'YYYY-MM-DD', with an optional suffix such as '-preview'.")
        );
        assert_eq!(body["error"]["target"], "resources[0].apiVersion");
    }

    // Another subscription is refused, not ignored.
    let mut r = pip("p", &[]);
    r["subscriptionId"] = json!("00000000-0000-0000-0000-0000000000ff");
    let (st, body) = put_invalid(&s, tpl_with(json!([r])), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert_eq!(
        msg,
        format!("Deployment template validation failed: 'The template resource 'p' at 'resources[0]' is deployed to subscriptionId '00000000-0000-0000-0000-0000000000ff', not the deployment's '{SUB}'. cerulean deploys a template's resources into the deployment's own subscription only; create a deployment in '00000000-0000-0000-0000-0000000000ff'.'.")
    );
    assert_eq!(body["error"]["target"], "resources[0].subscriptionId");
    // A group that does not exist: 404 before anything runs.
    let mut r = pip("p", &[]);
    r["resourceGroup"] = json!("Nope");
    let (st, body) = put_invalid(&s, tpl_with(json!([r])), json!({})).await;
    let msg = assert_error(st, &body, 404, "ResourceGroupNotFound");
    assert_eq!(msg, "Resource group 'Nope' could not be found.");
    for g in ["rg", "other"] {
        let (_, list) = s.get(&format!("{}/resources?{API}", group_id(g))).await;
        assert_eq!(list["value"], json!([]), "nothing created in {g}");
    }

    // Another group of the subscription: the resource goes there, as in Azure; naming the
    // deployment's own group (by expression) keeps it here.
    let mut there = pip("there", &[]);
    there["resourceGroup"] = json!("other");
    let mut here = pip("here", &[]);
    here["resourceGroup"] = json!("[resourceGroup().name]");
    here["subscriptionId"] = json!("[subscription().subscriptionId]");
    let (status, d) = deploy(
        &s,
        "rg",
        "cross",
        tpl_with(json!([there, here])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{d}");
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("other", "Microsoft.Network/publicIPAddresses", "there")
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "deployed to the group it names");
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "there")
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "here")
        ))
        .await;
    assert_eq!(st, StatusCode::OK);

    // 800 copies and one more: 801 resources.
    let mut many = pip("[concat('p', copyIndex())]", &[]);
    many["copy"] = json!({"name": "pips", "count": 800});
    let (st, body) = put_invalid(&s, tpl_with(json!([many, pip("last", &[])])), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(
        msg.contains("The template has more than 800 resources (copies included)"),
        "{msg}"
    );
}
