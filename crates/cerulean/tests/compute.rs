//! Microsoft.Compute over HTTPS against the real binary, on SQLite and on PostgreSQL: the
//! seed walked end to end (every forbidden NIC move, deallocate, add, remove the primary,
//! delete and reuse), power states and their side effects on NICs and public IPs, profiles,
//! PATCH, IPv6 NICs, availability sets, the size catalogue, bad input and races.

mod common;

use common::*;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

const LOC: &str = "eastus";
const OTHER_SUB: &str = "00000000-0000-0000-0000-0000000000aa";

// ---------------------------------------------------------------- helpers

fn rid_in(sub: &str, rg: &str, ns: &str, ty: &str, name: &str) -> String {
    format!("/subscriptions/{sub}/resourceGroups/{rg}/providers/{ns}/{ty}/{name}")
}

fn net(rg: &str, ty: &str, name: &str) -> String {
    rid_in(SUB, rg, "Microsoft.Network", ty, name)
}

fn nic_id(rg: &str, name: &str) -> String {
    net(rg, "networkInterfaces", name)
}

fn subnet_id(rg: &str, vnet: &str, subnet: &str) -> String {
    format!("{}/subnets/{subnet}", net(rg, "virtualNetworks", vnet))
}

fn vm_id(rg: &str, name: &str) -> String {
    rid_in(SUB, rg, "Microsoft.Compute", "virtualMachines", name)
}

fn set_id(rg: &str, name: &str) -> String {
    rid_in(SUB, rg, "Microsoft.Compute", "availabilitySets", name)
}

/// The URL path of a resource id, with the api-version.
fn at(id: &str) -> String {
    format!("{id}?{API}")
}

async fn group_in(s: &Server, sub: &str, rg: &str) {
    let (st, body) = s
        .put(
            &format!("/subscriptions/{sub}/resourceGroups/{rg}?{API}"),
            json!({ "location": LOC }),
        )
        .await;
    assert!(st.is_success(), "group {rg}: {st} {body}");
}

async fn group(s: &Server, rg: &str) {
    group_in(s, SUB, rg).await;
}

/// Creates a virtual network `id` with the given subnets (`name`, prefixes).
async fn vnet_at(s: &Server, id: &str, space: &[&str], subnets: &[(&str, &[&str])]) {
    let subnets: Vec<Value> = subnets
        .iter()
        .map(|(name, prefixes)| {
            if prefixes.len() == 1 {
                json!({"name": name, "properties": {"addressPrefix": prefixes[0]}})
            } else {
                json!({"name": name, "properties": {"addressPrefixes": prefixes}})
            }
        })
        .collect();
    let (st, body) = s
        .put(
            &at(id),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": space}, "subnets": subnets}}),
        )
        .await;
    assert!(st.is_success(), "vnet {id}: {st} {body}");
}

async fn vnet(s: &Server, rg: &str, name: &str, space: &[&str], subnets: &[(&str, &[&str])]) {
    vnet_at(s, &net(rg, "virtualNetworks", name), space, subnets).await;
}

fn ipc(name: &str, subnet: &str) -> Value {
    json!({"name": name, "properties": {"subnet": {"id": subnet}}})
}

fn ipc_with(name: &str, subnet: &str, extra: Value) -> Value {
    let mut c = ipc(name, subnet);
    for (k, v) in extra.as_object().unwrap() {
        c["properties"][k] = v.clone();
    }
    c
}

/// Creates a NIC `id` with these IP configurations; returns its body.
async fn nic_at(s: &Server, id: &str, configs: Vec<Value>) -> Value {
    let (st, body) = s
        .put(
            &at(id),
            json!({"location": LOC, "properties": {"ipConfigurations": configs}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "nic {id}: {body}");
    body
}

/// A NIC with one dynamic configuration in `subnet`; returns its id.
async fn nic(s: &Server, rg: &str, name: &str, subnet: &str) -> String {
    let id = nic_id(rg, name);
    nic_at(s, &id, vec![ipc("ipconfig1", subnet)]).await;
    id
}

async fn get_ok(s: &Server, id: &str) -> Value {
    let (st, body) = s.get(&at(id)).await;
    assert_eq!(st, StatusCode::OK, "GET {id}: {body}");
    body
}

/// A NIC reference of a VM's network profile.
fn nref(id: &str, primary: Option<bool>) -> Value {
    match primary {
        Some(p) => json!({"id": id, "properties": {"primary": p}}),
        None => json!({"id": id}),
    }
}

fn vm_body(size: &str, nics: Vec<Value>) -> Value {
    json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": size},
            "storageProfile": {
                "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                "osDisk": {"createOption": "FromImage", "osType": "Linux"}
            },
            "osProfile": {"computerName": "host", "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": nics}
        }
    })
}

async fn put_vm(s: &Server, id: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
    s.call(Method::PUT, &at(id), Some(body)).await
}

/// Follows `Azure-AsyncOperation` to Succeeded.
async fn poll_succeeded(s: &Server, hdrs: &HeaderMap) {
    assert_eq!(hdrs["retry-after"], "1");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    assert!(
        url.contains("/providers/Microsoft.Compute/locations/"),
        "{url}"
    );
    let (st, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(st, StatusCode::OK, "{op}");
    assert_eq!(op["status"], "Succeeded", "{op}");
    assert!(
        op["startTime"].is_string() && op["endTime"].is_string(),
        "{op}"
    );
}

/// Follows `Location`: done means 200 or 204.
async fn poll_location(s: &Server, hdrs: &HeaderMap) -> StatusCode {
    let url = hdrs["location"].to_str().unwrap();
    let (st, _, body) = s
        .call(Method::GET, url.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert!(
        st == StatusCode::OK || st == StatusCode::NO_CONTENT,
        "{st} {body}"
    );
    st
}

/// A VM PUT that must answer `want`, with both polling headers, and succeed.
async fn put_vm_ok(s: &Server, id: &str, body: Value, want: StatusCode) -> Value {
    let (st, hdrs, body) = put_vm(s, id, body).await;
    assert_eq!(st, want, "PUT {id}: {body}");
    assert!(hdrs.get("location").is_some(), "Location header");
    poll_succeeded(s, &hdrs).await;
    poll_location(s, &hdrs).await;
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    body
}

/// POST a power action: 202 with Location and Azure-AsyncOperation. Location is Compute's
/// monitor URL (the status URL with `monitor=true`) and ends in 200 with an empty body, as
/// Azure's does: `@azure/arm-compute` 24 refuses a 204 there.
async fn power(s: &Server, vm: &str, op: &str) {
    let (st, hdrs, body) = s
        .call(Method::POST, &format!("{vm}/{op}?{API}"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{op}: {body}");
    assert_eq!(hdrs["retry-after"], "1");
    let location = hdrs["location"].to_str().unwrap();
    let status = hdrs["azure-asyncoperation"].to_str().unwrap();
    assert!(
        location.contains("/providers/Microsoft.Compute/locations/")
            && location.contains("/operations/")
            && location.contains("monitor=true"),
        "{location}"
    );
    assert_eq!(
        location.replacen("monitor=true&", "", 1),
        status,
        "the monitor URL is the status URL with monitor=true"
    );
    poll_succeeded(s, &hdrs).await;
    let (st, h, body) = s
        .call(Method::GET, location.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{op}: {body}");
    assert!(body.is_null(), "{op}: an empty body, not {body}");
    assert_eq!(h["content-length"], "0");
}

async fn power_err(s: &Server, vm: &str, op: &str) -> (StatusCode, Value) {
    let (st, _, body) = s
        .call(Method::POST, &format!("{vm}/{op}?{API}"), None)
        .await;
    (st, body)
}

/// The VM's NIC references as `(lower-case id, primary)`, in order.
fn vm_nics(vm: &Value) -> Vec<(String, bool)> {
    vm["properties"]["networkProfile"]["networkInterfaces"]
        .as_array()
        .unwrap_or_else(|| panic!("no NICs in {vm}"))
        .iter()
        .map(|n| {
            (
                n["id"].as_str().unwrap().to_lowercase(),
                n["properties"]["primary"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn nic_set(vm: &Value) -> HashSet<String> {
    vm_nics(vm).into_iter().map(|(id, _)| id).collect()
}

fn primary_of(vm: &Value) -> String {
    let p: Vec<String> = vm_nics(vm)
        .into_iter()
        .filter(|(_, p)| *p)
        .map(|(id, _)| id)
        .collect();
    assert_eq!(p.len(), 1, "exactly one primary in {vm}");
    p[0].clone()
}

/// The power state code suffix from an instance view.
fn power_state(iv: &Value) -> (String, String) {
    let s = iv["statuses"]
        .as_array()
        .unwrap_or_else(|| panic!("no statuses in {iv}"))
        .iter()
        .find(|s| s["code"].as_str().unwrap().starts_with("PowerState/"))
        .unwrap_or_else(|| panic!("no power state in {iv}"));
    (
        s["code"].as_str().unwrap().to_string(),
        s["displayStatus"].as_str().unwrap().to_string(),
    )
}

async fn instance_view(s: &Server, vm: &str) -> Value {
    let (st, iv) = s.get(&format!("{vm}/instanceView?{API}")).await;
    assert_eq!(st, StatusCode::OK, "{iv}");
    iv
}

/// GET `$expand=instanceView` and GET `/instanceView` agree on the power state.
async fn assert_power(s: &Server, vm: &str, code: &str, display: &str) {
    let (st, body) = s.get(&format!("{vm}?{API}&$expand=instanceView")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let want = (format!("PowerState/{code}"), display.to_string());
    assert_eq!(power_state(&body["properties"]["instanceView"]), want);
    let iv = instance_view(s, vm).await;
    assert_eq!(power_state(&iv), want);
    let prov = &iv["statuses"][0];
    assert_eq!(prov["code"], "ProvisioningState/succeeded");
    assert_eq!(prov["displayStatus"], "Provisioning succeeded");
}

fn mac(nic: &Value) -> Option<String> {
    nic["properties"]["macAddress"].as_str().map(str::to_string)
}

fn assert_mac_format(m: &str) {
    let parts: Vec<&str> = m.split('-').collect();
    assert_eq!(parts.len(), 6, "{m}");
    assert_eq!(&parts[..3], ["00", "0D", "3A"], "{m}");
    for p in &parts[3..] {
        assert!(
            p.len() == 2
                && p.chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()),
            "{m}"
        );
    }
}

/// The NIC's `virtualMachine` id (lower-case) and `primary`.
async fn nic_vm(s: &Server, nic: &str) -> (Option<String>, Option<bool>) {
    let b = get_ok(s, nic).await;
    (
        b["properties"]["virtualMachine"]["id"]
            .as_str()
            .map(str::to_lowercase),
        b["properties"]["primary"].as_bool(),
    )
}

fn ipcfg_address(nic: &Value) -> String {
    nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn pip_address(s: &Server, id: &str) -> Option<String> {
    get_ok(s, id).await["properties"]["ipAddress"]
        .as_str()
        .map(str::to_string)
}

/// True when the server stores in PostgreSQL (whose SERIALIZABLE races may end in a 409).
async fn on_postgres(s: &Server) -> bool {
    let (st, info) = s.get("/cerulean/info").await;
    assert_eq!(st, StatusCode::OK, "{info}");
    info["store"] == "postgres"
}

fn assert_contains(msg: &str, part: &str) {
    assert!(msg.contains(part), "{msg:?} should contain {part:?}");
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["value"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Sends one request on its own task.
fn spawn_call(
    s: &Server,
    method: Method,
    path: String,
    body: Option<Value>,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let client = s.client.clone();
    let url = s.url(&path);
    tokio::spawn(async move {
        let mut req = client.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let st = resp.status();
        let text = resp.text().await.unwrap();
        (
            st,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    })
}

/// The standard network of these tests: VNet `vnet1` with subnets `web` and `app`, VNet
/// `vnet2` with `other`.
async fn network(s: &Server, rg: &str) -> (String, String, String) {
    group(s, rg).await;
    vnet(
        s,
        rg,
        "vnet1",
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("app", &["10.0.2.0/24"])],
    )
    .await;
    vnet(
        s,
        rg,
        "vnet2",
        &["10.9.0.0/16"],
        &[("other", &["10.9.1.0/24"])],
    )
    .await;
    (
        subnet_id(rg, "vnet1", "web"),
        subnet_id(rg, "vnet1", "app"),
        subnet_id(rg, "vnet2", "other"),
    )
}

// ---------------------------------------------------------------- the seed, end to end

async fn seed_walkthrough(s: &Server) {
    let rg = "rg";
    let (web, app, other) = network(s, rg).await;
    let n1 = nic(s, rg, "nic1", &web).await;
    let n2 = nic(s, rg, "nic2", &app).await;
    let n3 = nic(s, rg, "nic3", &app).await;
    let nx = nic(s, rg, "nicx", &other).await;
    let vm = vm_id(rg, "vm1");
    let vm_lc = vm.to_lowercase();

    // Create with two NICs in different subnets of one VNet: 201, both polling headers.
    let (st, hdrs, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B2s",
            vec![nref(&n1, Some(true)), nref(&n2, Some(false))],
        ),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(hdrs["retry-after"], "1");
    let async_url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let location = hdrs["location"].to_str().unwrap();
    assert!(async_url.starts_with(&s.base), "{async_url}");
    assert!(location.starts_with(&s.base), "{location}");
    assert!(hdrs.get("etag").is_some());
    poll_succeeded(s, &hdrs).await;
    poll_location(s, &hdrs).await;
    assert_eq!(body["id"], vm.as_str());
    assert_eq!(body["name"], "vm1");
    assert_eq!(body["type"], "Microsoft.Compute/virtualMachines");
    assert_eq!(body["location"], LOC);
    assert_eq!(
        body["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B2s"
    );
    assert!(body["properties"]["vmId"].is_string());
    assert!(body["properties"]["timeCreated"].is_string());
    assert_eq!(
        vm_nics(&body),
        [(n1.to_lowercase(), true), (n2.to_lowercase(), false)]
    );
    assert_eq!(
        body["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"],
        "Detach"
    );
    assert_power(s, &vm, "running", "VM running").await;
    // The NICs mirror the VM.
    assert_eq!(nic_vm(s, &n1).await, (Some(vm_lc.clone()), Some(true)));
    assert_eq!(nic_vm(s, &n2).await, (Some(vm_lc.clone()), Some(false)));
    assert_eq!(nic_vm(s, &n3).await, (None, None));

    // ---- forbidden moves
    let three = || {
        vm_body(
            "Standard_B2s",
            vec![nref(&n1, Some(true)), nref(&n2, None), nref(&n3, None)],
        )
    };
    // Add a NIC to a running VM.
    let (st, _, body) = put_vm(s, &vm, three()).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
    );
    assert_contains(&msg, "vm1");
    assert_eq!(body["error"]["target"], "networkProfile.networkInterfaces");
    // Stopped but still allocated is not enough, to add or to remove.
    power(s, &vm, "powerOff").await;
    assert_power(s, &vm, "stopped", "VM stopped").await;
    let (st, _, body) = put_vm(s, &vm, three()).await;
    assert_error(
        st,
        &body,
        400,
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
    );
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B2s", vec![nref(&n1, Some(true))])).await;
    assert_error(
        st,
        &body,
        400,
        "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported",
    );
    // restart needs a running VM.
    let (st, body) = power_err(s, &vm, "restart").await;
    let msg = assert_error(st, &body, 409, "OperationNotAllowed");
    assert_eq!(
        msg,
        "Operation 'restart' is not allowed on VM 'vm1' since the VM is stopped."
    );
    power(s, &vm, "start").await;
    assert_power(s, &vm, "running", "VM running").await;
    power(s, &vm, "restart").await;
    // Nothing changed.
    let now = get_ok(s, &vm).await;
    assert_eq!(
        vm_nics(&now),
        [(n1.to_lowercase(), true), (n2.to_lowercase(), false)]
    );

    // Too many NICs for the size: Standard_B1s allows 2.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "big"),
        vm_body(
            "Standard_B1s",
            vec![
                nref(&n3, Some(true)),
                nref(&nic(s, rg, "nic4", &web).await, None),
                nref(&nic(s, rg, "nic5", &web).await, None),
            ],
        ),
    )
    .await;
    let msg = assert_error(st, &body, 400, "NetworkInterfaceCountExceeded");
    assert_eq!(
        msg,
        "The number of network interfaces for virtual machine big exceeds the maximum allowed for the virtual machine size Standard_B1s. The number of network interfaces is 3 and the maximum allowed is 2."
    );
    // Several NICs, none primary, on create.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "noprimary"),
        vm_body(
            "Standard_B2s",
            vec![nref(&n3, None), nref(&nic_id(rg, "nic4"), Some(false))],
        ),
    )
    .await;
    let msg = assert_error(st, &body, 400, "NetworkInterfaceMustHavePrimaryPropertySet");
    assert_eq!(
        msg,
        format!("Network interface {n3} must have Primary property set.")
    );
    // Removing the last NIC.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B2s", vec![])).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "VirtualMachineMustHaveAtLeastOneNetworkInterface",
    );
    assert_eq!(
        msg,
        "Virtual machine vm1 must have at least one network interface."
    );
    // NICs in two VNets.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "split"),
        vm_body("Standard_B2s", vec![nref(&n3, Some(true)), nref(&nx, None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "SubnetsNotInSameVnet");
    assert_contains(&msg, "vnet1");
    assert_contains(&msg, "vnet2");
    // A NIC used by another VM: NicInUse naming that VM.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "thief"),
        vm_body("Standard_B2s", vec![nref(&n3, Some(true)), nref(&n1, None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "NicInUse");
    assert_contains(&msg, &n1);
    assert_contains(&msg, &vm);
    // The failed creates left nothing behind.
    for name in ["big", "noprimary", "split", "thief"] {
        let (st, body) = s.get(&at(&vm_id(rg, name))).await;
        assert_error(st, &body, 404, "ResourceNotFound");
    }
    assert_eq!(nic_vm(s, &n3).await, (None, None));
    // Joining an availability set after creation: 409 on availabilitySet.id.
    let (st, _) = s
        .put(
            &at(&set_id(rg, "as1")),
            json!({"location": LOC, "sku": {"name": "Aligned"}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let mut b = vm_body("Standard_B2s", vec![nref(&n1, Some(true)), nref(&n2, None)]);
    b["properties"]["availabilitySet"] = json!({"id": set_id(rg, "as1")});
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 409, "PropertyChangeNotAllowed");
    assert_eq!(body["error"]["target"], "availabilitySet.id");
    assert_contains(&msg, "availabilitySet.id");

    // ---- deallocate, then the NIC set may change
    power(s, &vm, "deallocate").await;
    assert_power(s, &vm, "deallocated", "VM deallocated").await;
    let (st, body) = power_err(s, &vm, "powerOff").await;
    let msg = assert_error(st, &body, 409, "OperationNotAllowed");
    assert_contains(&msg, "deallocated");
    let (st, body) = power_err(s, &vm, "restart").await;
    assert_error(st, &body, 409, "OperationNotAllowed");

    // Add a third NIC the way `az vm nic add` does: GET the VM, edit, PUT the whole VM.
    let mut got = get_ok(s, &vm).await;
    got["properties"]["networkProfile"]["networkInterfaces"]
        .as_array_mut()
        .unwrap()
        .push(nref(&n3, Some(false)));
    let body = put_vm_ok(s, &vm, got, StatusCode::OK).await;
    assert_eq!(
        vm_nics(&body),
        [
            (n1.to_lowercase(), true),
            (n2.to_lowercase(), false),
            (n3.to_lowercase(), false)
        ]
    );
    assert_eq!(nic_vm(s, &n3).await, (Some(vm_lc.clone()), Some(false)));

    // Remove the primary; none flagged; nic3 listed first. nic2 has been attached the longest.
    let body = put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&n3, None), nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(primary_of(&body), n2.to_lowercase());
    assert_eq!(
        vm_nics(&body),
        [(n3.to_lowercase(), false), (n2.to_lowercase(), true)]
    );
    assert_eq!(nic_vm(s, &n2).await, (Some(vm_lc.clone()), Some(true)));
    assert_eq!(nic_vm(s, &n3).await, (Some(vm_lc.clone()), Some(false)));
    assert_eq!(nic_vm(s, &n1).await, (None, None));
    // Flags omitted on update keep the current primary; all false while it stays: refused.
    let body = put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&n3, None), nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(primary_of(&body), n2.to_lowercase());
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B2s",
            vec![nref(&n3, Some(false)), nref(&n2, Some(false))],
        ),
    )
    .await;
    assert_error(st, &body, 400, "NetworkInterfaceMustHavePrimaryPropertySet");
    // A NIC flagged primary in the request wins.
    let body = put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&n3, Some(true)), nref(&n2, None)]),
        StatusCode::OK,
    )
    .await;
    assert_eq!(primary_of(&body), n3.to_lowercase());
    assert_eq!(nic_vm(s, &n2).await, (Some(vm_lc.clone()), Some(false)));

    // MAC addresses: nic1 got one when the VM first started; nic2/nic3 get theirs on start.
    let mac1 = mac(&get_ok(s, &n1).await).expect("nic1 has a MAC from the first start");
    assert_mac_format(&mac1);
    assert!(
        mac(&get_ok(s, &n3).await).is_none(),
        "not started since nic3 was attached"
    );
    power(s, &vm, "start").await;
    let mut macs = Vec::new();
    for n in [&n1, &n2, &n3] {
        macs.push(mac(&get_ok(s, n).await).expect("MAC after start"));
    }
    for m in &macs {
        assert_mac_format(m);
    }
    assert_eq!(
        macs.iter().collect::<HashSet<_>>().len(),
        3,
        "unique: {macs:?}"
    );
    assert_eq!(macs[0], mac1, "kept while detached");
    // Kept through deallocation.
    power(s, &vm, "deallocate").await;
    assert_eq!(
        mac(&get_ok(s, &n2).await).as_deref(),
        Some(macs[1].as_str())
    );
    assert_eq!(
        mac(&get_ok(s, &n3).await).as_deref(),
        Some(macs[2].as_str())
    );

    // Delete the VM: its NICs are detached and kept, and another VM can use them.
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert!(st == StatusCode::ACCEPTED || st == StatusCode::OK, "{st}");
    if st == StatusCode::ACCEPTED {
        poll_succeeded(s, &hdrs).await;
        poll_location(s, &hdrs).await;
    }
    let (st, body) = s.get(&at(&vm)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    for n in [&n1, &n2, &n3] {
        let b = get_ok(s, n).await;
        assert!(b["properties"].get("virtualMachine").is_none(), "{b}");
        assert!(b["properties"].get("primary").is_none(), "{b}");
    }
    assert_eq!(
        mac(&get_ok(s, &n2).await).as_deref(),
        Some(macs[1].as_str())
    );
    let vm2 = vm_id(rg, "vm2");
    let body = put_vm_ok(
        s,
        &vm2,
        vm_body(
            "Standard_B2s",
            vec![nref(&n2, None), nref(&n1, Some(true)), nref(&n3, None)],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(primary_of(&body), n1.to_lowercase());
    assert_eq!(nic_vm(s, &n1).await, (Some(vm2.to_lowercase()), Some(true)));
    // A NIC in use cannot be deleted.
    let (st, _, body) = s.call(Method::DELETE, &at(&n2), None).await;
    let msg = assert_error(st, &body, 400, "NicInUse");
    assert_contains(&msg, &vm2);
}

// ---------------------------------------------------------------- power and addresses

async fn power_states_and_public_ips(s: &Server) {
    let rg = "pw";
    let (web, app, _) = network(s, rg).await;
    let dyn_pip = net(rg, "publicIPAddresses", "dyn");
    let static_pip = net(rg, "publicIPAddresses", "fixed");
    let (st, b) = s
        .put(
            &at(&dyn_pip),
            json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Dynamic"}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let (st, b) = s
        .put(
            &at(&static_pip),
            json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let static_addr = pip_address(s, &static_pip)
        .await
        .expect("static has an address");
    let na = nic_id(rg, "a");
    let nb = nic_id(rg, "b");
    let a_body = nic_at(
        s,
        &na,
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": dyn_pip}}),
        )],
    )
    .await;
    nic_at(
        s,
        &nb,
        vec![ipc_with(
            "ipconfig1",
            &app,
            json!({"publicIPAddress": {"id": static_pip}}),
        )],
    )
    .await;
    assert_eq!(pip_address(s, &dyn_pip).await, None, "no VM runs yet");
    assert!(mac(&a_body).is_none(), "no MAC before a VM starts");
    let a_ip = ipcfg_address(&a_body);

    let vm = vm_id(rg, "vm");
    put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B2s", vec![nref(&na, Some(true)), nref(&nb, None)]),
        StatusCode::CREATED,
    )
    .await;
    let dyn_addr = pip_address(s, &dyn_pip)
        .await
        .expect("dynamic gets an address on start");
    assert_eq!(
        pip_address(s, &static_pip).await.as_deref(),
        Some(static_addr.as_str())
    );
    let mac_a = mac(&get_ok(s, &na).await).expect("MAC on first start");
    let mac_b = mac(&get_ok(s, &nb).await).expect("MAC on first start");
    assert_mac_format(&mac_a);
    assert_mac_format(&mac_b);
    assert_ne!(mac_a, mac_b);

    // The outbound source: the primary IP configuration of the primary NIC.
    let (st, body) = s.get(&format!("{vm}?{API}&$expand=instanceView")).await;
    assert_eq!(st, StatusCode::OK);
    let out = &body["properties"]["instanceView"]["networkOutbound"];
    assert_eq!(out["privateIPAddress"], a_ip.as_str(), "{out}");
    assert_eq!(out["publicIPAddress"], dyn_addr.as_str(), "{out}");
    assert_eq!(
        out["networkInterface"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        na.to_lowercase()
    );
    assert_eq!(
        out["ipConfiguration"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        format!("{na}/ipConfigurations/ipconfig1").to_lowercase()
    );
    let iv = instance_view(s, &vm).await;
    assert_eq!(iv["networkOutbound"], *out);
    // A plain GET has no instance view.
    assert!(get_ok(s, &vm).await["properties"]
        .get("instanceView")
        .is_none());

    // powerOff (skipShutdown accepted): stopped, still allocated, addresses kept.
    let (st, hdrs, body) = s
        .call(
            Method::POST,
            &format!("{vm}/powerOff?{API}&skipShutdown=true"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    poll_succeeded(s, &hdrs).await;
    assert_power(s, &vm, "stopped", "VM stopped").await;
    assert_eq!(
        pip_address(s, &dyn_pip).await.as_deref(),
        Some(dyn_addr.as_str())
    );

    // Deallocate: the dynamic address goes, the static one stays, MACs stay.
    power(s, &vm, "deallocate").await;
    assert_power(s, &vm, "deallocated", "VM deallocated").await;
    assert_eq!(pip_address(s, &dyn_pip).await, None);
    assert_eq!(
        pip_address(s, &static_pip).await.as_deref(),
        Some(static_addr.as_str())
    );
    assert_eq!(mac(&get_ok(s, &na).await).as_deref(), Some(mac_a.as_str()));
    let iv = instance_view(s, &vm).await;
    assert!(iv["networkOutbound"]["publicIPAddress"].is_null(), "{iv}");
    assert_eq!(
        iv["networkOutbound"]["privateIPAddress"],
        a_ip.as_str(),
        "private IPs stay"
    );
    // Deallocating again is harmless.
    power(s, &vm, "deallocate").await;

    // Start: running, a dynamic address again, the same MACs.
    power(s, &vm, "start").await;
    assert_power(s, &vm, "running", "VM running").await;
    let again = pip_address(s, &dyn_pip).await.expect("address on start");
    assert_eq!(
        instance_view(s, &vm).await["networkOutbound"]["publicIPAddress"],
        again.as_str()
    );
    assert_eq!(mac(&get_ok(s, &na).await).as_deref(), Some(mac_a.as_str()));
    assert_eq!(mac(&get_ok(s, &nb).await).as_deref(), Some(mac_b.as_str()));
    // Start on a running VM and restart are fine.
    power(s, &vm, "start").await;
    power(s, &vm, "restart").await;
    assert_power(s, &vm, "running", "VM running").await;

    // Deleting the VM releases the dynamic address and keeps the static one.
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    assert_eq!(pip_address(s, &dyn_pip).await, None);
    assert_eq!(
        pip_address(s, &static_pip).await.as_deref(),
        Some(static_addr.as_str())
    );
    assert_eq!(
        mac(&get_ok(s, &na).await).as_deref(),
        Some(mac_a.as_str()),
        "kept until the NIC is deleted"
    );

    // Power actions on a VM that does not exist.
    let (st, body) = power_err(s, &vm, "start").await;
    assert_error(st, &body, 404, "ResourceNotFound");
}

// ---------------------------------------------------------------- profiles, PATCH, delete

async fn profiles_patch_and_delete_option(s: &Server) {
    let rg = "pp";
    let (web, app, _) = network(s, rg).await;
    let n1 = nic(s, rg, "n1", &web).await;
    let n2 = nic(s, rg, "n2", &app).await;
    let n3 = nic(s, rg, "n3", &app).await;
    let vm = vm_id(rg, "vm");
    let mut b = vm_body("Standard_B2s", vec![nref(&n1, Some(true)), nref(&n2, None)]);
    b["tags"] = json!({"env": "test"});
    b["properties"]["diagnosticsProfile"] = json!({"bootDiagnostics": {"enabled": true}});
    let created = put_vm_ok(s, &vm, b, StatusCode::CREATED).await;
    let text = created.to_string();
    assert!(
        !text.contains("adminPassword") && !text.contains("S3cret"),
        "{text}"
    );
    assert_eq!(created["tags"], json!({"env": "test"}));
    assert_eq!(
        created["properties"]["storageProfile"]["imageReference"]["offer"],
        "ubuntu-24_04-lts"
    );
    assert_eq!(
        created["properties"]["osProfile"]["adminUsername"],
        "azureuser"
    );
    assert_eq!(
        created["properties"]["diagnosticsProfile"]["bootDiagnostics"]["enabled"],
        true
    );

    // A full PUT of what GET returned, without imageReference (and without the password it
    // never had): the stored values are kept.
    let mut got = get_ok(s, &vm).await;
    assert!(!got.to_string().contains("adminPassword"));
    got["properties"]["storageProfile"]
        .as_object_mut()
        .unwrap()
        .remove("imageReference");
    got["properties"]["osProfile"]["adminUsername"] = json!("azureuser");
    let body = put_vm_ok(s, &vm, got, StatusCode::OK).await;
    assert_eq!(
        body["properties"]["storageProfile"]["imageReference"]["publisher"],
        "Canonical"
    );
    assert!(!body.to_string().contains("adminPassword"));
    let got = get_ok(s, &vm).await;
    assert_eq!(
        got["properties"]["storageProfile"]["imageReference"]["sku"],
        "server"
    );
    assert!(!got.to_string().contains("S3cret"));
    let (st, listed) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(!listed.to_string().contains("adminPassword"));

    // PATCH: resize and tags; long-running with both headers.
    let (st, hdrs, body) = s
        .call(
            Method::PATCH,
            &at(&vm),
            Some(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_B4ms"}}, "tags": {"team": "net"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(hdrs.get("location").is_some());
    poll_succeeded(s, &hdrs).await;
    assert_eq!(
        body["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B4ms"
    );
    assert_eq!(body["tags"], json!({"team": "net"}));
    let got = get_ok(s, &vm).await;
    assert_eq!(
        got["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B4ms"
    );
    assert_eq!(got["tags"], json!({"team": "net"}));
    assert_eq!(nic_set(&got).len(), 2, "PATCH keeps the NICs");
    assert_eq!(
        got["properties"]["storageProfile"]["imageReference"]["publisher"],
        "Canonical"
    );

    // Resize to a size with fewer NICs than attached: refused with both numbers.
    power(s, &vm, "deallocate").await;
    let mut got = get_ok(s, &vm).await;
    got["properties"]["networkProfile"]["networkInterfaces"]
        .as_array_mut()
        .unwrap()
        .push(nref(&n3, None));
    put_vm_ok(s, &vm, got, StatusCode::OK).await;
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &at(&vm),
            Some(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_B1s"}}})),
        )
        .await;
    let msg = assert_error(st, &body, 400, "NetworkInterfaceCountExceeded");
    assert_contains(
        &msg,
        "The number of network interfaces is 3 and the maximum allowed is 2.",
    );
    // Unknown size through PATCH.
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &at(&vm),
            Some(json!({"properties": {"hardwareProfile": {"vmSize": "Standard_Huge_v9"}}})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(body["error"]["target"], "vmSize");
    assert_eq!(
        get_ok(s, &vm).await["properties"]["hardwareProfile"]["vmSize"],
        "Standard_B4ms"
    );

    // deleteOption: Delete deletes that NIC with the VM; Detach keeps the others.
    let nd = nic(s, rg, "doomed", &web).await;
    let vm2 = vm_id(rg, "vm2");
    let body = put_vm_ok(
        s,
        &vm2,
        vm_body(
            "Standard_B2s",
            vec![json!({"id": nd, "properties": {"primary": true, "deleteOption": "Delete"}})],
        ),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        body["properties"]["networkProfile"]["networkInterfaces"][0]["properties"]["deleteOption"],
        "Delete"
    );
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm2), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    let (st, body) = s.get(&at(&nd)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // A bad deleteOption is a 400.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "vm3"),
        vm_body(
            "Standard_B1s",
            vec![json!({"id": nic(s, rg, "n4", &web).await, "properties": {"deleteOption": "Explode"}})],
        ),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");

    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    for n in [&n1, &n2, &n3] {
        assert_eq!(nic_vm(s, n).await, (None, None));
    }
}

// ---------------------------------------------------------------- IPv6

async fn ipv6_nics(s: &Server) {
    let rg = "six";
    group(s, rg).await;
    vnet(
        s,
        rg,
        "ds",
        &["10.20.0.0/16", "fd00:db8::/48"],
        &[("dual", &["10.20.1.0/24", "fd00:db8:0:1::/64"])],
    )
    .await;
    let dual = subnet_id(rg, "ds", "dual");
    let v6_nic = |name: &str| {
        let id = nic_id(rg, name);
        let dual = dual.clone();
        async move {
            nic_at(
                s,
                &id,
                vec![
                    ipc_with("v4", &dual, json!({"primary": true})),
                    ipc_with("v6", &dual, json!({"privateIPAddressVersion": "IPv6"})),
                ],
            )
            .await;
            id
        }
    };
    let v6a = v6_nic("v6a").await;
    let v6b = v6_nic("v6b").await;
    let p1 = nic(s, rg, "p1", &dual).await;
    let p2 = nic(s, rg, "p2", &dual).await;

    // Alone at creation: fine.
    let vm6 = vm_id(rg, "vm6");
    let body = put_vm_ok(
        s,
        &vm6,
        vm_body("Standard_B2s", vec![nref(&v6a, None)]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(primary_of(&body), v6a.to_lowercase());
    // With another NIC at creation: refused.
    let (st, _, body) = put_vm(
        s,
        &vm_id(rg, "pair"),
        vm_body(
            "Standard_B2s",
            vec![nref(&p1, Some(true)), nref(&v6b, None)],
        ),
    )
    .await;
    let e1 = assert_error(st, &body, 400, "NetworkInterfaceWithIpv6MustBeTheOnlyOne");
    assert_contains(&e1, &v6b);
    // Added to an existing (deallocated) VM: refused.
    let vm4 = vm_id(rg, "vm4");
    put_vm_ok(
        s,
        &vm4,
        vm_body("Standard_B2s", vec![nref(&p1, None)]),
        StatusCode::CREATED,
    )
    .await;
    power(s, &vm4, "deallocate").await;
    let (st, _, body) = put_vm(
        s,
        &vm4,
        vm_body(
            "Standard_B2s",
            vec![nref(&p1, Some(true)), nref(&v6b, None)],
        ),
    )
    .await;
    let e2 = assert_error(st, &body, 400, "NetworkInterfaceWithIpv6OnlyAtVmCreation");
    assert_contains(&e2, &v6b);
    // Another NIC beside the IPv6 NIC: refused.
    power(s, &vm6, "deallocate").await;
    let (st, _, body) = put_vm(
        s,
        &vm6,
        vm_body(
            "Standard_B2s",
            vec![nref(&v6a, Some(true)), nref(&p2, None)],
        ),
    )
    .await;
    let e3 = assert_error(st, &body, 400, "CannotAddNetworkInterfaceBesideIpv6Nic");
    assert_contains(&e3, &p2);
    assert_contains(&e3, &v6a);
    assert_ne!(e1, e2);
    assert_ne!(e2, e3);
    // Nothing was attached by the failures.
    assert_eq!(nic_vm(s, &v6b).await, (None, None));
    assert_eq!(nic_vm(s, &p2).await, (None, None));
}

// ---------------------------------------------------------------- availability sets

async fn availability_sets(s: &Server) {
    let rg = "avs";
    let (web, app, _) = network(s, rg).await;
    let set = set_id(rg, "as1");
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &at(&set),
            Some(
                json!({"location": LOC, "sku": {"name": "Aligned"}, "tags": {"a": "b"},
                "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 5}}),
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(hdrs.get("azure-asyncoperation").is_none(), "synchronous");
    assert_eq!(body["id"], set.as_str());
    assert_eq!(body["type"], "Microsoft.Compute/availabilitySets");
    assert_eq!(body["sku"]["name"], "Aligned");
    assert_eq!(body["properties"]["platformFaultDomainCount"], 2);
    assert_eq!(body["properties"]["virtualMachines"], json!([]));
    let (st, body) = s
        .put(
            &at(&set_id(rg, "bad")),
            json!({"location": LOC, "properties": {"platformFaultDomainCount": 9}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, _) = s
        .put(&at(&set_id(rg, "as2")), json!({"location": LOC}))
        .await;
    assert_eq!(st, StatusCode::OK);

    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/availabilitySets?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), ["as1", "as2"]);
    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/availabilitySets?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), ["as1", "as2"]);
    // PATCH changes tags, synchronously, and keeps the rest.
    let (st, hdrs, body) = s
        .call(
            Method::PATCH,
            &at(&set),
            Some(json!({"tags": {"team": "net"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(hdrs.get("azure-asyncoperation").is_none(), "synchronous");
    assert_eq!(body["tags"], json!({"team": "net"}));
    assert_eq!(body["properties"]["platformUpdateDomainCount"], 5);

    // A VM joins at creation; the set lists it.
    let n1 = nic(s, rg, "n1", &web).await;
    let n2 = nic(s, rg, "n2", &app).await;
    let vm = vm_id(rg, "member");
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b["properties"]["availabilitySet"] = json!({"id": set});
    let body = put_vm_ok(s, &vm, b, StatusCode::CREATED).await;
    assert_eq!(
        body["properties"]["availabilitySet"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        set.to_lowercase()
    );
    let got = get_ok(s, &set).await;
    let members: Vec<String> = got["properties"]["virtualMachines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(members, [vm.to_lowercase()]);
    // The same set, spelled differently, is no change; another set or none is.
    let mut same = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    same["properties"]["availabilitySet"] = json!({"id": set.to_uppercase()});
    put_vm_ok(s, &vm, same, StatusCode::OK).await;
    for change in [Some(set_id(rg, "as2")), None] {
        let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
        if let Some(c) = &change {
            b["properties"]["availabilitySet"] = json!({ "id": c });
        }
        let (st, _, body) = put_vm(s, &vm, b).await;
        assert_error(st, &body, 409, "PropertyChangeNotAllowed");
        assert_eq!(body["error"]["target"], "availabilitySet.id");
    }
    // A set that does not exist is a bad reference.
    let mut b = vm_body("Standard_B1s", vec![nref(&n2, None)]);
    b["properties"]["availabilitySet"] = json!({"id": set_id(rg, "nope")});
    let (st, _, body) = put_vm(s, &vm_id(rg, "stray"), b).await;
    assert_error(st, &body, 400, "InvalidResourceReference");

    // A set with a VM in it cannot be deleted; once the VM is gone it can.
    let (st, _, body) = s.call(Method::DELETE, &at(&set), None).await;
    assert!(st.is_client_error(), "{st} {body}");
    assert!(body["error"]["code"].is_string(), "{body}");
    let (st, hdrs, _) = s.call(Method::DELETE, &at(&vm), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    poll_succeeded(s, &hdrs).await;
    assert_eq!(
        get_ok(s, &set).await["properties"]["virtualMachines"],
        json!([])
    );
    let (st, _, _) = s.call(Method::DELETE, &at(&set), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = s.get(&at(&set)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = s.call(Method::DELETE, &at(&set), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
}

// ---------------------------------------------------------------- catalogue and lists

/// Compute usages in eastus: `(cores, virtualMachines)`.
async fn usages(s: &Server) -> (i64, i64) {
    let (st, u) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/usages?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{u}");
    let get = |name: &str| {
        u["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"]["value"] == name)
            .unwrap_or_else(|| panic!("{name} in {u}"))["currentValue"]
            .as_i64()
            .unwrap()
    };
    (get("cores"), get("virtualMachines"))
}

async fn catalogue_usages_and_lists(s: &Server) {
    let (st, skus) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/skus?api-version=2021-07-01&$filter=location eq 'eastus'"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{skus}");
    let entries = skus["value"].as_array().unwrap();
    assert!(entries.len() > 60, "{}", entries.len());
    let b1s = entries
        .iter()
        .find(|e| e["name"] == "Standard_B1s")
        .expect("Standard_B1s");
    assert_eq!(b1s["resourceType"], "virtualMachines");
    assert_eq!(b1s["locations"], json!(["eastus"]));
    let cap = |e: &Value, name: &str| {
        e["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {e}"))["value"]
            .clone()
    };
    assert_eq!(cap(b1s, "MaxNetworkInterfaces"), "2");
    assert_eq!(cap(b1s, "vCPUs"), "1");
    let ds3 = entries
        .iter()
        .find(|e| e["name"] == "Standard_DS3_v2")
        .unwrap();
    assert_eq!(cap(ds3, "MaxNetworkInterfaces"), "4");

    let (st, sizes) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/vmSizes?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{sizes}");
    let b2s = sizes["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "Standard_B2s")
        .expect("Standard_B2s");
    assert_eq!(b2s["numberOfCores"], 2);
    assert_eq!(b2s["memoryInMB"], 4096);
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/moon/vmSizes?{API}"
        ))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");

    assert_eq!(usages(s).await, (0, 0));

    // Two groups, three VMs; lists by group, subscription and location.
    let (web, _, _) = network(s, "l1").await;
    group(s, "l2").await;
    let a = nic(s, "l1", "a", &web).await;
    let b = nic(s, "l1", "b", &web).await;
    let c = nic(s, "l1", "c", &web).await;
    put_vm_ok(
        s,
        &vm_id("l1", "va"),
        vm_body("Standard_B2s", vec![nref(&a, None)]),
        StatusCode::CREATED,
    )
    .await;
    put_vm_ok(
        s,
        &vm_id("l1", "vb"),
        vm_body("Standard_B4ms", vec![nref(&b, None)]),
        StatusCode::CREATED,
    )
    .await;
    // A VM and its NIC may be in different groups of one subscription.
    put_vm_ok(
        s,
        &vm_id("l2", "vc"),
        vm_body("Standard_B1s", vec![nref(&c, None)]),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(usages(s).await, (2 + 4 + 1, 3));
    power(s, &vm_id("l1", "vb"), "deallocate").await;
    assert_eq!(usages(s).await.0, 2 + 1, "deallocated VMs use no cores");

    let list = |path: String| async move {
        let (st, l) = s.get(&path).await;
        assert_eq!(st, StatusCode::OK, "{l}");
        names(&l)
    };
    assert_eq!(
        list(format!("/subscriptions/{SUB}/resourceGroups/l1/providers/Microsoft.Compute/virtualMachines?{API}")).await,
        ["va", "vb"]
    );
    assert_eq!(
        list(format!("/subscriptions/{SUB}/resourceGroups/l2/providers/Microsoft.Compute/virtualMachines?{API}")).await,
        ["vc"]
    );
    assert_eq!(
        list(format!(
            "/subscriptions/{SUB}/providers/Microsoft.Compute/virtualMachines?{API}"
        ))
        .await,
        ["va", "vb", "vc"]
    );
    assert_eq!(
        list(format!("/subscriptions/{SUB}/providers/Microsoft.Compute/locations/eastus/virtualMachines?{API}")).await,
        ["va", "vb", "vc"]
    );
    assert!(list(format!(
        "/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westus/virtualMachines?{API}"
    ))
    .await
    .is_empty());
    let (st, l) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/l1/providers/Microsoft.Compute/virtualMachines?{API}&$expand=instanceView"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        l["value"][0]["properties"]["instanceView"]["statuses"].is_array(),
        "{l}"
    );
}

// ---------------------------------------------------------------- bad input

async fn bad_input(s: &Server) {
    let rg = "bad";
    let (web, _, _) = network(s, rg).await;
    let n1 = nic(s, rg, "n1", &web).await;
    let vm = vm_id(rg, "vm");

    // Unknown size.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_Nope_v9", vec![nref(&n1, None)])).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(body["error"]["target"], "vmSize");
    assert_contains(&msg, "Standard_Nope_v9");
    // No size at all.
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b["properties"]
        .as_object_mut()
        .unwrap()
        .remove("hardwareProfile");
    let (st, _, body) = put_vm(s, &vm, b).await;
    assert_error(st, &body, 400, "InvalidParameter");
    // Missing networkProfile.
    let mut b = vm_body("Standard_B1s", vec![]);
    b["properties"]
        .as_object_mut()
        .unwrap()
        .remove("networkProfile");
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_eq!(body["error"]["target"], "networkProfile");
    assert_contains(&msg, "networkProfile");
    // An empty NIC list.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B1s", vec![])).await;
    assert_error(
        st,
        &body,
        400,
        "VirtualMachineMustHaveAtLeastOneNetworkInterface",
    );
    // Duplicate NIC ids (in any case).
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B2s",
            vec![nref(&n1, Some(true)), nref(&n1.to_uppercase(), None)],
        ),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "more than once");
    // A NIC id of the wrong type.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B1s", vec![nref(&web, None)])).await;
    let msg = assert_error(st, &body, 400, "BadRequest");
    assert_eq!(msg, format!("Id {web} is not a valid resource reference."));
    // Not an id at all.
    let (st, _, body) = put_vm(s, &vm, vm_body("Standard_B1s", vec![nref("nic1", None)])).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["code"].is_string());
    // A NIC that does not exist.
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body("Standard_B1s", vec![nref(&nic_id(rg, "ghost"), None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, "ghost");
    // NIC reference without an id.
    let (st, _, body) = put_vm(
        s,
        &vm,
        vm_body(
            "Standard_B1s",
            vec![json!({"properties": {"primary": true}})],
        ),
    )
    .await;
    assert_error(st, &body, 400, "InvalidRequestContent");
    // Malformed bodies.
    for raw in [
        json!({"location": LOC, "properties": {"hardwareProfile": "big"}}),
        json!({"location": LOC, "properties": {"hardwareProfile": {"vmSize": 7}}}),
        json!({"location": LOC, "properties": {"networkProfile": {"networkInterfaces": {"id": n1}}}}),
        json!({"location": LOC, "properties": {"networkProfile": {"networkInterfaces": [{"id": n1, "properties": {"primary": "yes"}}]}}}),
        json!({"location": LOC, "tags": ["x"], "properties": {}}),
        json!([1, 2]),
    ] {
        let (st, _, body) = put_vm(s, &vm, raw.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
        assert!(
            !body["error"]["message"].as_str().unwrap().is_empty(),
            "{raw}: {body}"
        );
    }
    let resp = s
        .client
        .put(s.url(&at(&vm)))
        .header("content-type", "application/json")
        .body("{\"location\": \"eastus\", \"properties\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");
    // No location; unknown location.
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b.as_object_mut().unwrap().remove("location");
    let (st, _, body) = put_vm(s, &vm, b).await;
    assert_error(st, &body, 400, "LocationRequired");
    let mut b = vm_body("Standard_B1s", vec![nref(&n1, None)]);
    b["location"] = json!("westus");
    let (st, _, body) = put_vm(s, &vm, b).await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, "same region");
    // Missing group and missing VM.
    let (st, _, body) = put_vm(
        s,
        &vm_id("nogroup", "vm"),
        vm_body("Standard_B1s", vec![nref(&n1, None)]),
    )
    .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
    let (st, body) = s.get(&at(&vm)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, body) = s.get(&format!("{vm}/instanceView?{API}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // An unknown action.
    put_vm_ok(
        s,
        &vm,
        vm_body("Standard_B1s", vec![nref(&n1, None)]),
        StatusCode::CREATED,
    )
    .await;
    let (st, body) = power_err(s, &vm, "levitate").await;
    assert_eq!(st.as_u16(), 501, "{body}");
    // Nothing failed left a change behind.
    let got = get_ok(s, &vm).await;
    assert_eq!(vm_nics(&got), [(n1.to_lowercase(), true)]);
}

/// A NIC of another subscription (which the server knows) cannot be attached.
async fn nic_in_other_subscription(s: &Server) {
    group_in(s, OTHER_SUB, "far").await;
    let vnet = rid_in(
        OTHER_SUB,
        "far",
        "Microsoft.Network",
        "virtualNetworks",
        "v",
    );
    vnet_at(s, &vnet, &["10.0.0.0/16"], &[("s", &["10.0.1.0/24"])]).await;
    let foreign = rid_in(
        OTHER_SUB,
        "far",
        "Microsoft.Network",
        "networkInterfaces",
        "n",
    );
    nic_at(
        s,
        &foreign,
        vec![ipc("ipconfig1", &format!("{vnet}/subnets/s"))],
    )
    .await;
    group(s, "near").await;
    let (st, _, body) = put_vm(
        s,
        &vm_id("near", "vm"),
        vm_body("Standard_B1s", vec![nref(&foreign, None)]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, &foreign);
    assert_contains(&msg, SUB);
    assert_eq!(body["error"]["target"], "networkProfile.networkInterfaces");
    // The same NIC works for a VM of its own subscription.
    let own = rid_in(
        OTHER_SUB,
        "far",
        "Microsoft.Compute",
        "virtualMachines",
        "vm",
    );
    put_vm_ok(
        s,
        &own,
        vm_body("Standard_B1s", vec![nref(&foreign, None)]),
        StatusCode::CREATED,
    )
    .await;
    // An unknown subscription is a 404.
    let (st, _, body) = put_vm(
        s,
        &rid_in(
            "00000000-0000-0000-0000-00000000dead",
            "g",
            "Microsoft.Compute",
            "virtualMachines",
            "vm",
        ),
        vm_body("Standard_B1s", vec![nref(&foreign, None)]),
    )
    .await;
    assert_error(st, &body, 404, "SubscriptionNotFound");
}

// ---------------------------------------------------------------- races

/// Two VMs created at once with the same NIC: exactly one 201, the other NicInUse (or, on
/// PostgreSQL, a 409 AnotherOperationInProgress).
async fn race_same_nic(s: &Server) {
    let rg = "race";
    let (web, _, _) = network(s, rg).await;
    let pg = on_postgres(s).await;
    for round in 0..6 {
        let shared = nic(s, rg, &format!("shared{round}"), &web).await;
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                spawn_call(
                    s,
                    Method::PUT,
                    at(&vm_id(rg, &format!("r{round}v{i}"))),
                    Some(vm_body("Standard_B1s", vec![nref(&shared, None)])),
                )
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let winners: Vec<usize> = (0..2)
            .filter(|&i| results[i].0 == StatusCode::CREATED)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        let loser = &results[1 - winners[0]];
        let code = loser.1["error"]["code"].as_str().unwrap_or_default();
        let winner_vm = vm_id(rg, &format!("r{round}v{}", winners[0]));
        if code == "NicInUse" {
            assert_eq!(loser.0, StatusCode::BAD_REQUEST);
            assert_contains(loser.1["error"]["message"].as_str().unwrap(), &winner_vm);
        } else {
            assert!(pg, "round {round}: {loser:?}");
            assert_eq!(
                (loser.0, code),
                (StatusCode::CONFLICT, "AnotherOperationInProgress")
            );
        }
        assert_eq!(
            nic_vm(s, &shared).await,
            (Some(winner_vm.to_lowercase()), Some(true))
        );
        let (st, body) = s
            .get(&at(&vm_id(rg, &format!("r{round}v{}", 1 - winners[0]))))
            .await;
        assert_error(st, &body, 404, "ResourceNotFound");
    }
}

/// A NIC-add PUT racing a `start` never leaves a running VM with a changed NIC set: either
/// the PUT came first (it succeeded, then the VM started with the new set), or the start came
/// first and the PUT was refused.
async fn race_nic_add_vs_start(s: &Server) {
    let rg = "race2";
    let (web, app, _) = network(s, rg).await;
    let pg = on_postgres(s).await;
    let mut put_first = 0;
    let mut start_first = 0;
    for round in 0..8 {
        let a = nic(s, rg, &format!("a{round}"), &web).await;
        let b = nic(s, rg, &format!("b{round}"), &app).await;
        let vm = vm_id(rg, &format!("vm{round}"));
        put_vm_ok(
            s,
            &vm,
            vm_body("Standard_B2s", vec![nref(&a, None)]),
            StatusCode::CREATED,
        )
        .await;
        power(s, &vm, "deallocate").await;
        let original: HashSet<String> = [a.to_lowercase()].into();
        let grown: HashSet<String> = [a.to_lowercase(), b.to_lowercase()].into();

        let put = spawn_call(
            s,
            Method::PUT,
            at(&vm),
            Some(vm_body(
                "Standard_B2s",
                vec![nref(&a, Some(true)), nref(&b, None)],
            )),
        );
        let start = spawn_call(s, Method::POST, format!("{vm}/start?{API}"), None);
        let (put_st, put_body) = put.await.unwrap();
        let (start_st, start_body) = start.await.unwrap();
        if start_st != StatusCode::ACCEPTED {
            // Only a lost serialization race on PostgreSQL may refuse the start.
            assert!(pg, "round {round}: start {start_st} {start_body}");
            assert_eq!(start_body["error"]["code"], "AnotherOperationInProgress");
        }

        let got = get_ok(s, &vm).await;
        let iv = instance_view(s, &vm).await;
        let running = power_state(&iv).0 == "PowerState/running";
        assert_eq!(
            running,
            start_st == StatusCode::ACCEPTED,
            "round {round}: {iv}"
        );
        let set = nic_set(&got);
        match put_st {
            StatusCode::OK => {
                // The PUT was serialized before the start (or the start lost): new set.
                assert_eq!(set, grown, "round {round}: PUT succeeded but {got}");
                if running {
                    put_first += 1;
                    // The VM started with b attached: b got its MAC.
                    assert!(mac(&get_ok(s, &b).await).is_some(), "round {round}");
                }
            }
            _ => {
                let code = put_body["error"]["code"].as_str().unwrap_or_default();
                if code == "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported" {
                    start_first += 1;
                } else {
                    assert!(pg, "round {round}: PUT {put_st} {put_body}");
                    assert_eq!(code, "AnotherOperationInProgress", "{put_body}");
                }
                assert_eq!(set, original, "round {round}: PUT failed but {got}");
                assert_eq!(nic_vm(s, &b).await, (None, None));
            }
        }
        if running && set != original {
            assert_eq!(put_st, StatusCode::OK, "round {round}");
        }
    }
    eprintln!("race_nic_add_vs_start: PUT first {put_first}, start first {start_first}");
}

// ---------------------------------------------------------------- both stores

macro_rules! on_both_stores {
    ($($name:ident [$($arg:expr),*]),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let s = Server::start(&[$($arg),*]);
                    assert!(!on_postgres(&s).await);
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let url = fresh_postgres();
                    let s = Server::start(&["--database-url", &url, $($arg),*]);
                    assert!(on_postgres(&s).await);
                    super::$name(&s).await;
                }
            )*
        }
    };
}

on_both_stores!(
    seed_walkthrough[],
    power_states_and_public_ips[],
    profiles_patch_and_delete_option[],
    ipv6_nics[],
    availability_sets[],
    catalogue_usages_and_lists[],
    bad_input[],
    nic_in_other_subscription["--subscription", OTHER_SUB],
    race_same_nic[],
    race_nic_add_vs_start[],
);

/// With `--latency`, a VM's `provisioningState` and power status follow the operation that is
/// still InProgress, and settle when it reports done.
#[tokio::test]
async fn provisioning_and_power_states_follow_a_slow_operation() {
    let s = Server::start(&["--latency", "800ms"]);
    group(&s, "slow").await;
    vnet(
        &s,
        "slow",
        "v",
        &["10.8.0.0/16"],
        &[("a", &["10.8.1.0/24"])],
    )
    .await;
    let n = nic(&s, "slow", "n1", &subnet_id("slow", "v", "a")).await;
    let id = vm_id("slow", "vm");
    let (st, hdrs, body) = put_vm(&s, &id, vm_body("Standard_B2s", vec![nref(&n, None)])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["properties"]["provisioningState"], "Creating");
    let iv = instance_view(&s, &id).await;
    assert_eq!(iv["statuses"][0]["code"], "ProvisioningState/creating");
    // The operation and the resource agree once it is done.
    let url = hdrs["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .strip_prefix(&s.base)
        .unwrap()
        .to_string();
    let mut polls = 0;
    loop {
        let (_, op) = s.get(&url).await;
        if op["status"] == "Succeeded" {
            break;
        }
        polls += 1;
        assert!(polls < 50, "never finished: {op}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        get_ok(&s, &id).await["properties"]["provisioningState"],
        "Succeeded"
    );

    let (st, hdrs, _) = s
        .call(Method::POST, &format!("{id}/deallocate?{API}"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    // The monitor URL answers 202 with itself as Location while the operation runs.
    let monitor = hdrs["location"].to_str().unwrap().to_string();
    let (st, h, body) = s
        .call(Method::GET, monitor.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    assert_eq!(h["location"], monitor.as_str());
    assert_eq!(h["retry-after"], "1");
    assert_eq!(
        power_state(&instance_view(&s, &id).await),
        (
            "PowerState/deallocating".to_string(),
            "VM deallocating".to_string()
        )
    );
    assert_eq!(
        get_ok(&s, &id).await["properties"]["provisioningState"],
        "Updating"
    );
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert_eq!(
        power_state(&instance_view(&s, &id).await),
        (
            "PowerState/deallocated".to_string(),
            "VM deallocated".to_string()
        )
    );
}

/// Starting a VM writes its NICs (MAC address) and dynamic public IPs (address): their etags
/// change with their bodies, so a client's `If-Match` sees the change.
#[tokio::test]
async fn side_effects_of_a_start_change_etags() {
    let s = Server::start(&[]);
    group(&s, "et").await;
    vnet(&s, "et", "v", &["10.9.0.0/16"], &[("a", &["10.9.1.0/24"])]).await;
    let n = nic(&s, "et", "n1", &subnet_id("et", "v", "a")).await;
    let before = get_ok(&s, &n).await;
    assert!(before["properties"].get("macAddress").is_none());
    put_vm_ok(
        &s,
        &vm_id("et", "vm"),
        vm_body("Standard_B2s", vec![nref(&n, None)]),
        StatusCode::CREATED,
    )
    .await;
    let after = get_ok(&s, &n).await;
    assert!(after["properties"]["macAddress"].is_string());
    assert_ne!(
        after["etag"], before["etag"],
        "the NIC changed, so must its etag"
    );
}
