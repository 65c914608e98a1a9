//! Managed disks: the OS disk a VM created from an image gets, deletion by id once the VM is
//! gone (refused while attached), `deleteOption`, data disks attached and detached, and disks
//! as resources of their own.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LOC: &str = "eastus";
const CAPI: &str = "api-version=2024-11-01";

fn rid(ns: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/{ns}/{ty}/{name}")
}

fn at(id: &str) -> String {
    format!("{id}?{CAPI}")
}

async fn setup(s: &Server) -> String {
    let (st, _) = s.put(&rg_path("rg"), json!({"location": LOC})).await;
    assert!(st.is_success());
    let vnet = rid("Microsoft.Network", "virtualNetworks", "v");
    let (st, body) = s
        .put(
            &at(&vnet),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                   "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
        )
        .await;
    assert!(st.is_success(), "{body}");
    format!("{vnet}/subnets/s")
}

async fn nic(s: &Server, name: &str, subnet: &str) -> String {
    let id = rid("Microsoft.Network", "networkInterfaces", name);
    let (st, body) = s
        .put(
            &at(&id),
            json!({"location": LOC, "properties": {"ipConfigurations": [
                {"name": "ipconfig1", "properties": {"subnet": {"id": subnet}}}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    id
}

fn vm_body(size: &str, nic: &str, offer: (&str, &str, &str), os_disk: Value) -> Value {
    json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": size},
            "networkProfile": {"networkInterfaces": [{"id": nic}]},
            "storageProfile": {
                "imageReference": {"publisher": offer.0, "offer": offer.1, "sku": offer.2, "version": "latest"},
                "osDisk": os_disk,
            },
            "osProfile": {"computerName": "vm", "adminUsername": "azureuser", "adminPassword": "S3cret!pass-1234"},
        }
    })
}

const UBUNTU: (&str, &str, &str) = (
    "Canonical",
    "0001-com-ubuntu-server-jammy",
    "22_04-lts-gen2",
);
const WINDOWS: (&str, &str, &str) = (
    "MicrosoftWindowsServer",
    "WindowsServer",
    "2022-datacenter-azure-edition",
);

async fn get(s: &Server, id: &str) -> (StatusCode, Value) {
    s.get(&at(id)).await
}

async fn delete(s: &Server, id: &str) -> (StatusCode, Value) {
    let (st, _, body) = s.call(Method::DELETE, &at(id), None).await;
    (st, body)
}

#[tokio::test]
async fn a_vm_from_an_image_gets_its_os_disk_which_outlives_it() {
    let s = Server::start(&[]);
    let subnet = setup(&s).await;
    let n = nic(&s, "n1", &subnet).await;
    let vm = rid("Microsoft.Compute", "virtualMachines", "vm1");
    let body = vm_body(
        "Standard_B2s",
        &n,
        UBUNTU,
        json!({"createOption": "FromImage", "caching": "ReadWrite",
               "managedDisk": {"storageAccountType": "Standard_LRS"}}),
    );
    let (st, created) = s.put(&at(&vm), body).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let os = &created["properties"]["storageProfile"]["osDisk"];
    let name = os["name"].as_str().unwrap();
    let hex = name.strip_prefix("vm1_OsDisk_1_").expect(name);
    assert_eq!(hex.len(), 32);
    assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
    assert_eq!(os["diskSizeGB"], 30);
    assert_eq!(os["osType"], "Linux");
    assert_eq!(os["caching"], "ReadWrite");
    assert_eq!(os["createOption"], "FromImage");
    assert_eq!(os["deleteOption"], "Detach");
    assert_eq!(os["managedDisk"]["storageAccountType"], "Standard_LRS");
    let disk_id = os["managedDisk"]["id"].as_str().unwrap().to_string();
    assert_eq!(disk_id, rid("Microsoft.Compute", "disks", name));
    assert_eq!(
        created["properties"]["storageProfile"]["dataDisks"],
        json!([])
    );

    let (st, disk) = get(&s, &disk_id).await;
    assert_eq!(st, StatusCode::OK, "{disk}");
    assert_eq!(disk["managedBy"], vm);
    assert_eq!(disk["sku"]["name"], "Standard_LRS");
    assert_eq!(disk["properties"]["diskSizeGB"], 30);
    assert_eq!(disk["properties"]["diskState"], "Attached");
    assert_eq!(disk["properties"]["osType"], "Linux");
    assert_eq!(
        disk["properties"]["creationData"]["createOption"],
        "FromImage"
    );

    // A second PUT of what GET returned changes nothing about the disk.
    let (_, got) = get(&s, &vm).await;
    let (st, again) = s.put(&at(&vm), got).await;
    assert_eq!(st, StatusCode::OK, "{again}");
    assert_eq!(
        again["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"],
        disk_id
    );

    let (st, body) = delete(&s, &disk_id).await;
    let msg = assert_error(st, &body, 409, "OperationNotAllowed");
    assert_eq!(msg, format!("Disk {name} is attached to VM {vm}."));

    let (st, _) = delete(&s, &vm).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, disk) = get(&s, &disk_id).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(disk["properties"]["diskState"], "Unattached");
    assert!(disk.get("managedBy").is_none(), "{disk}");
    let (st, _) = delete(&s, &disk_id).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, body) = get(&s, &disk_id).await;
    assert_error(st, &body, 404, "ResourceNotFound");
}

#[tokio::test]
async fn a_group_delete_takes_vms_and_their_disks() {
    let s = Server::start(&[]);
    let subnet = setup(&s).await;
    let n = nic(&s, "n1", &subnet).await;
    let vm = rid("Microsoft.Compute", "virtualMachines", "vm1");
    let (st, body) = s
        .put(
            &at(&vm),
            vm_body(
                "Standard_B2s",
                &n,
                UBUNTU,
                json!({"createOption": "FromImage"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let disk_id = body["properties"]["storageProfile"]["osDisk"]["managedDisk"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _, body) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert!(st.is_success(), "{body}");
    let (st, body) = get(&s, &disk_id).await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

#[tokio::test]
async fn size_sku_and_delete_option_follow_the_request() {
    let s = Server::start(&[]);
    let subnet = setup(&s).await;
    let n1 = nic(&s, "n1", &subnet).await;
    let win = rid("Microsoft.Compute", "virtualMachines", "win");
    let (st, body) = s
        .put(
            &at(&win),
            vm_body(
                "Standard_B2s",
                &n1,
                WINDOWS,
                json!({"createOption": "FromImage", "deleteOption": "Delete"}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let os = &body["properties"]["storageProfile"]["osDisk"];
    assert_eq!(os["diskSizeGB"], 127);
    assert_eq!(os["osType"], "Windows");
    assert_eq!(os["managedDisk"]["storageAccountType"], "Premium_LRS");
    assert_eq!(os["deleteOption"], "Delete");
    let disk_id = os["managedDisk"]["id"].as_str().unwrap().to_string();
    let (st, _) = delete(&s, &win).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, body) = get(&s, &disk_id).await;
    assert_error(st, &body, 404, "ResourceNotFound");

    let n2 = nic(&s, "n2", &subnet).await;
    let big = rid("Microsoft.Compute", "virtualMachines", "big");
    let (st, body) = s
        .put(
            &at(&big),
            vm_body(
                "Standard_B2s",
                &n2,
                UBUNTU,
                json!({"name": "bigdisk", "createOption": "FromImage", "diskSizeGB": 64,
                       "managedDisk": {"storageAccountType": "StandardSSD_LRS"}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let os = &body["properties"]["storageProfile"]["osDisk"];
    assert_eq!(os["name"], "bigdisk");
    assert_eq!(os["diskSizeGB"], 64);
    assert_eq!(os["managedDisk"]["storageAccountType"], "StandardSSD_LRS");
}

#[tokio::test]
async fn data_disks_attach_and_detach() {
    let s = Server::start(&[]);
    let subnet = setup(&s).await;
    let n = nic(&s, "n1", &subnet).await;
    let mut disks = Vec::new();
    for name in ["d0", "d1", "d2", "d3", "d4"] {
        let id = rid("Microsoft.Compute", "disks", name);
        let (st, body) = s
            .put(
                &at(&id),
                json!({"location": LOC, "sku": {"name": "Premium_LRS"},
                       "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 8}}),
            )
            .await;
        assert_eq!(st, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["properties"]["diskState"], "Unattached");
        disks.push(id);
    }
    let vm = rid("Microsoft.Compute", "virtualMachines", "vm1");
    let mut body = vm_body(
        "Standard_B1s",
        &n,
        UBUNTU,
        json!({"createOption": "FromImage"}),
    );
    let attach = |lun: u32, id: &str| json!({"lun": lun, "createOption": "Attach", "managedDisk": {"id": id}});
    body["properties"]["storageProfile"]["dataDisks"] = json!([attach(0, &disks[0])]);
    let (st, created) = s.put(&at(&vm), body.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let data = &created["properties"]["storageProfile"]["dataDisks"];
    assert_eq!(data[0]["lun"], 0);
    assert_eq!(data[0]["name"], "d0");
    assert_eq!(data[0]["diskSizeGB"], 8);
    assert_eq!(data[0]["managedDisk"]["storageAccountType"], "Premium_LRS");
    let (_, d0) = get(&s, &disks[0]).await;
    assert_eq!(d0["managedBy"], vm);

    // LUNs are unique.
    body["properties"]["storageProfile"]["dataDisks"] =
        json!([attach(0, &disks[0]), attach(0, &disks[1])]);
    let (st, err) = s.put(&at(&vm), body.clone()).await;
    let msg = assert_error(st, &err, 400, "InvalidParameter");
    assert_eq!(msg, "A disk at LUN 0 already exists.");
    // Standard_B1s takes two data disks.
    body["properties"]["storageProfile"]["dataDisks"] = json!([
        attach(0, &disks[0]),
        attach(1, &disks[1]),
        attach(2, &disks[2])
    ]);
    let (st, err) = s.put(&at(&vm), body.clone()).await;
    let msg = assert_error(st, &err, 409, "OperationNotAllowed");
    assert_eq!(
        msg,
        "The maximum number of data disks allowed to be attached to a VM of this size is 2."
    );
    // A new empty disk is created by the VM.
    body["properties"]["storageProfile"]["dataDisks"] = json!([
        attach(0, &disks[0]),
        {"lun": 1, "createOption": "Empty", "diskSizeGB": 16}
    ]);
    let (st, two) = s.put(&at(&vm), body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{two}");
    let new_disk = two["properties"]["storageProfile"]["dataDisks"][1]["managedDisk"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(new_disk.contains("/disks/vm1_disk3_"), "{new_disk}");
    // A disk of another VM cannot be attached.
    let n2 = nic(&s, "n2", &subnet).await;
    let other = rid("Microsoft.Compute", "virtualMachines", "other");
    let mut b2 = vm_body(
        "Standard_B1s",
        &n2,
        UBUNTU,
        json!({"createOption": "FromImage"}),
    );
    b2["properties"]["storageProfile"]["dataDisks"] = json!([attach(0, &disks[0])]);
    let (st, err) = s.put(&at(&other), b2).await;
    let msg = assert_error(st, &err, 409, "OperationNotAllowed");
    assert_eq!(msg, format!("Disk d0 is attached to VM {vm}."));

    // Detach them all: the disks stay, unattached.
    body["properties"]["storageProfile"]["dataDisks"] = json!([]);
    let (st, none) = s.put(&at(&vm), body).await;
    assert_eq!(st, StatusCode::OK, "{none}");
    assert_eq!(none["properties"]["storageProfile"]["dataDisks"], json!([]));
    for id in [&disks[0], &new_disk] {
        let (st, d) = get(&s, id).await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(d["properties"]["diskState"], "Unattached", "{d}");
    }
}

#[tokio::test]
async fn disks_are_resources_of_their_own() {
    let s = Server::start(&[]);
    setup(&s).await;
    let id = rid("Microsoft.Compute", "disks", "data1");
    let (st, body) = s
        .put(
            &at(&id),
            json!({"location": LOC, "properties": {"creationData": {"createOption": "Empty"}}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(msg, "Required parameter 'diskSizeGB' is missing (null).");
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &at(&id),
            Some(json!({"location": LOC, "tags": {"env": "dev"},
                        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 4,
                                       "networkAccessPolicy": "DenyAll"}})),
        )
        .await;
    // Disks_CreateOrUpdate answers 200 or 202, never 201 (the SDKs refuse it).
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    assert!(hdrs.get("azure-asyncoperation").is_some());
    assert_eq!(body["type"], "Microsoft.Compute/disks");
    assert_eq!(body["sku"]["name"], "Standard_LRS");
    assert_eq!(body["properties"]["networkAccessPolicy"], "DenyAll");
    assert_eq!(body["tags"]["env"], "dev");
    // Disks grow, never shrink.
    let (st, body) = s
        .put(&at(&id), json!({"location": LOC, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 2}}))
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, _, body) = s
        .call(Method::PATCH, &at(&id), Some(json!({"tags": {"k": "v"}})))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["tags"], json!({"k": "v"}));
    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks?{CAPI}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/disks?{CAPI}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["value"][0]["name"], "data1");

    // An empty osType is none (what the azurerm provider sends for a data disk); another
    // value is refused.
    let data2 = rid("Microsoft.Compute", "disks", "data2");
    let body = |os: &str| {
        json!({"location": LOC, "properties": {"osType": os, "diskSizeGB": 4,
                                               "creationData": {"createOption": "Empty"}}})
    };
    let (st, got) = s.put(&at(&data2), body("")).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{got}");
    assert!(got["properties"].get("osType").is_none(), "{got}");
    let (st, got) = s.put(&at(&data2), body("Solaris")).await;
    let msg = assert_error(st, &got, 400, "InvalidRequestContent");
    assert!(
        msg.contains("osType 'Solaris' is not one of Linux, Windows"),
        "{msg}"
    );
}
