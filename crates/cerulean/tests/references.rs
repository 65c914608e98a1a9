//! References from one resource to another (issue 16, item 5 and part of 11), over HTTPS
//! against the real binary: every reference field of every modelled type × every resource
//! type that is not its target, each answered with the provider's own 400 and nothing
//! written; references to missing resources, to non-ids, to network security groups and
//! route tables (which must exist in the referrer's region), and ids sent with a trailing
//! slash. The parsing is `cerulean_domain::reference`.

#[macro_use]
mod common;

use common::arm::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const RG: &str = "refs";

fn compute(ty: &str, name: &str) -> String {
    res_id(RG, "Microsoft.Compute", ty, name)
}

/// One resource of every type a reference could wrongly name, all existing.
fn targets() -> Vec<(&'static str, String)> {
    let nic = net(RG, "networkInterfaces", "n");
    let lb = net(RG, "loadBalancers", "lb");
    vec![
        ("vnet", net(RG, "virtualNetworks", "v")),
        ("subnet", subnet_id(RG, "v", "s")),
        ("nic", nic.clone()),
        ("ipconfig", format!("{nic}/ipConfigurations/ipconfig1")),
        ("pip", net(RG, "publicIPAddresses", "p")),
        ("lb", lb.clone()),
        ("pool", format!("{lb}/backendAddressPools/pool")),
        ("frontend", format!("{lb}/frontendIPConfigurations/fe")),
        ("vm", compute("virtualMachines", "vm")),
        ("avset", compute("availabilitySets", "as")),
        ("group", group_id(RG)),
        ("subscription", format!("/subscriptions/{SUB}")),
        ("nsg", net(RG, "networkSecurityGroups", "nsg")),
        ("routetable", net(RG, "routeTables", "rt")),
        (
            "storage",
            res_id(RG, "Microsoft.Storage", "storageAccounts", "sa"),
        ),
    ]
}

/// A reference property of a modelled type: what it must name, and the request that sends
/// `reference` in it (creating a resource named `probe`).
struct Field {
    name: &'static str,
    /// The `targets()` entry of the right type.
    target: &'static str,
    /// Microsoft.Network's short type name, or `None` for a Compute field.
    network_type: Option<&'static str>,
    /// The `{"id"}` object's JSON path.
    path: &'static str,
}

const FIELDS: &[Field] = &[
    Field {
        name: "nic subnet",
        target: "subnet",
        network_type: Some("virtualNetworks/subnets"),
        path: "properties.ipConfigurations[0].properties.subnet",
    },
    Field {
        name: "nic publicIPAddress",
        target: "pip",
        network_type: Some("publicIPAddresses"),
        path: "properties.ipConfigurations[0].properties.publicIPAddress",
    },
    Field {
        name: "nic backend pool",
        target: "pool",
        network_type: Some("loadBalancers/backendAddressPools"),
        path: "properties.ipConfigurations[0].properties.loadBalancerBackendAddressPools[0]",
    },
    Field {
        name: "nic networkSecurityGroup",
        target: "nsg",
        network_type: Some("networkSecurityGroups"),
        path: "properties.networkSecurityGroup",
    },
    Field {
        name: "subnet networkSecurityGroup",
        target: "nsg",
        network_type: Some("networkSecurityGroups"),
        path: "properties.networkSecurityGroup",
    },
    Field {
        name: "subnet routeTable",
        target: "routetable",
        network_type: Some("routeTables"),
        path: "properties.routeTable",
    },
    Field {
        name: "vnet subnet networkSecurityGroup",
        target: "nsg",
        network_type: Some("networkSecurityGroups"),
        path: "properties.subnets[0].properties.networkSecurityGroup",
    },
    Field {
        name: "vnet subnet routeTable",
        target: "routetable",
        network_type: Some("routeTables"),
        path: "properties.subnets[0].properties.routeTable",
    },
    Field {
        name: "lb frontend subnet",
        target: "subnet",
        network_type: Some("virtualNetworks/subnets"),
        path: "properties.frontendIPConfigurations[0].properties.subnet",
    },
    Field {
        name: "lb frontend publicIPAddress",
        target: "pip",
        network_type: Some("publicIPAddresses"),
        path: "properties.frontendIPConfigurations[0].properties.publicIPAddress",
    },
    Field {
        name: "vm networkInterfaces",
        target: "nic",
        network_type: None,
        path: "properties.networkProfile.networkInterfaces[0]",
    },
    Field {
        name: "vm availabilitySet",
        target: "avset",
        network_type: None,
        path: "properties.availabilitySet",
    },
];

fn vm_body(nic: &str, extra: Value) -> Value {
    let mut b = json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B2s"},
            "storageProfile": {
                "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                "osDisk": {"createOption": "FromImage", "osType": "Linux"}
            },
            "osProfile": {"computerName": "host", "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": [{"id": nic}]}
        }
    });
    for (k, v) in extra.as_object().unwrap() {
        b["properties"][k] = v.clone();
    }
    b
}

/// The request that sends `reference` in `field`: the id PUT to and its body.
fn request(field: &Field, reference: &str) -> (String, Value) {
    let s = subnet_id(RG, "v", "s");
    let r = json!({ "id": reference });
    let nic = |props: Value, top: Value| {
        let mut b = nic_body(vec![ipc("c", &s, props)]);
        for (k, v) in top.as_object().unwrap() {
            b["properties"][k] = v.clone();
        }
        (net(RG, "networkInterfaces", "probe"), b)
    };
    let subnet_with = |prop: &str| {
        (
            subnet_id(RG, "v", "probe"),
            json!({"properties": {"addressPrefix": "10.0.9.0/24", prop: r}}),
        )
    };
    let vnet_with = |prop: &str| {
        (
            net(RG, "virtualNetworks", "probe"),
            json!({"location": LOC, "properties": {
                "addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
                "subnets": [{"name": "a", "properties": {"addressPrefix": "10.9.0.0/24", prop: r}}]
            }}),
        )
    };
    let lb_with = |prop: &str| {
        (
            net(RG, "loadBalancers", "probe"),
            json!({"location": LOC, "properties": {
                "frontendIPConfigurations": [{"name": "fe", "properties": {prop: r}}]
            }}),
        )
    };
    match field.name {
        "nic subnet" => (
            net(RG, "networkInterfaces", "probe"),
            nic_body(vec![json!({"name": "c", "properties": {"subnet": r}})]),
        ),
        "nic publicIPAddress" => nic(json!({"publicIPAddress": r}), json!({})),
        "nic backend pool" => nic(json!({"loadBalancerBackendAddressPools": [r]}), json!({})),
        "nic networkSecurityGroup" => nic(json!({}), json!({"networkSecurityGroup": r})),
        "subnet networkSecurityGroup" => subnet_with("networkSecurityGroup"),
        "subnet routeTable" => subnet_with("routeTable"),
        "vnet subnet networkSecurityGroup" => vnet_with("networkSecurityGroup"),
        "vnet subnet routeTable" => vnet_with("routeTable"),
        "lb frontend subnet" => lb_with("subnet"),
        "lb frontend publicIPAddress" => lb_with("publicIPAddress"),
        "vm networkInterfaces" => (
            compute("virtualMachines", "probe"),
            vm_body(reference, json!({})),
        ),
        "vm availabilitySet" => (
            compute("virtualMachines", "probe"),
            vm_body(
                &net(RG, "networkInterfaces", "free"),
                json!({"availabilitySet": r}),
            ),
        ),
        other => panic!("no request for {other}"),
    }
}

/// Creates one resource of every type in `targets()`, plus an unattached NIC `free`.
async fn fixture(s: &Server) {
    group(s, RG).await;
    put_ok(
        s,
        &net(RG, "virtualNetworks", "v"),
        vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.0.0/24"])]),
    )
    .await;
    let sub = subnet_id(RG, "v", "s");
    dynamic_nic(s, RG, "n", &sub).await;
    dynamic_nic(s, RG, "free", &sub).await;
    dynamic_nic(s, RG, "vmnic", &sub).await;
    let static_pip = json!({"location": LOC, "properties": {"publicIPAllocationMethod": "Static"}});
    put_ok(s, &net(RG, "publicIPAddresses", "p"), static_pip.clone()).await;
    put_ok(s, &net(RG, "publicIPAddresses", "lbpip"), static_pip).await;
    put_ok(
        s,
        &net(RG, "loadBalancers", "lb"),
        json!({"location": LOC, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": net(RG, "publicIPAddresses", "lbpip")}}}],
            "backendAddressPools": [{"name": "pool"}]
        }}),
    )
    .await;
    put_ok(
        s,
        &compute("availabilitySets", "as"),
        json!({"location": LOC, "sku": {"name": "Aligned"}, "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 5}}),
    )
    .await;
    put_ok(
        s,
        &compute("virtualMachines", "vm"),
        vm_body(&net(RG, "networkInterfaces", "vmnic"), json!({})),
    )
    .await;
    for (id, body) in [
        (
            net(RG, "networkSecurityGroups", "nsg"),
            json!({"location": LOC, "properties": {}}),
        ),
        (
            net(RG, "routeTables", "rt"),
            json!({"location": LOC, "properties": {}}),
        ),
        (
            res_id(RG, "Microsoft.Storage", "storageAccounts", "sa"),
            json!({"location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}}),
        ),
        (
            net(RG, "networkSecurityGroups", "farnsg"),
            json!({"location": "westus", "properties": {}}),
        ),
    ] {
        put_ok(s, &id, body).await;
    }
}

/// What a refused request must leave as it was: the group's resources and every etag.
async fn snapshot(s: &Server) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for id in group_contents(s, RG).await {
        let body = get_ok(s, &id).await;
        out.push((id, body["etag"].clone()));
    }
    let v = get_ok(s, &net(RG, "virtualNetworks", "v")).await;
    out.push(("v.subnets".into(), v["properties"]["subnets"].clone()));
    out
}

async fn every_reference_of_the_wrong_type_is_refused(s: &Server) {
    fixture(s).await;
    let before = snapshot(s).await;
    let mut tried = 0;
    for field in FIELDS {
        for (kind, reference) in targets() {
            if kind == field.target {
                continue;
            }
            tried += 1;
            let (id, body) = request(field, &reference);
            let (st, out) = s.put(&at(&id), body).await;
            let what = format!("{} naming a {kind}", field.name);
            match field.network_type {
                Some(expected) => {
                    let msg = assert_error(st, &out, 400, "InvalidRequestFormat");
                    assert_eq!(msg, "Cannot parse the request.", "{what}");
                    let d = &out["error"]["details"][0];
                    assert_eq!(d["code"], "InvalidJsonReferenceFormat", "{what}: {out}");
                    assert_eq!(
                        d["message"],
                        format!("Reference Id {reference} is not formatted correctly. The Id is expected to reference resources of type {expected}. Path {}.", field.path),
                        "{what}"
                    );
                }
                None => {
                    let msg = assert_error(st, &out, 400, "BadRequest");
                    assert_eq!(
                        msg,
                        format!("Id {reference} is not a valid resource reference."),
                        "{what}"
                    );
                }
            }
        }
    }
    assert_eq!(tried, 168);
    assert_eq!(
        snapshot(s).await,
        before,
        "a refused request wrote something"
    );
}

async fn a_reference_to_nothing_or_to_no_id_is_refused(s: &Server) {
    fixture(s).await;
    let before = snapshot(s).await;
    let ghosts = [
        ("subnet", subnet_id(RG, "v", "ghost")),
        ("pip", net(RG, "publicIPAddresses", "ghost")),
        (
            "pool",
            format!(
                "{}/backendAddressPools/ghost",
                net(RG, "loadBalancers", "lb")
            ),
        ),
        ("nsg", net(RG, "networkSecurityGroups", "ghost")),
        ("routetable", net(RG, "routeTables", "ghost")),
        ("nic", net(RG, "networkInterfaces", "ghost")),
        ("avset", compute("availabilitySets", "ghost")),
    ];
    for field in FIELDS {
        let ghost = &ghosts.iter().find(|(k, _)| *k == field.target).unwrap().1;
        let (id, body) = request(field, ghost);
        let (st, out) = s.put(&at(&id), body).await;
        let msg = assert_error(st, &out, 400, "InvalidResourceReference");
        assert_contains(&msg, &format!("Resource {ghost} referenced by resource"));
        assert_eq!(
            out["error"]["details"][0]["code"], "NotFound",
            "{}",
            field.name
        );

        let (id, body) = request(field, "not-an-id");
        let (st, out) = s.put(&at(&id), body).await;
        let msg = assert_error(st, &out, 400, "LinkedInvalidPropertyId");
        assert_eq!(
            msg,
            format!("Property id 'not-an-id' at path '{}.id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.", field.path),
            "{}",
            field.name
        );
    }
    // A network security group or route table in another region is not found either.
    for field in FIELDS.iter().filter(|f| f.target == "nsg") {
        let far = net(RG, "networkSecurityGroups", "farnsg");
        let (id, body) = request(field, &far);
        let (st, out) = s.put(&at(&id), body).await;
        let msg = assert_error(st, &out, 400, "InvalidResourceReference");
        assert_contains(&msg, "both resources are in the same region");
    }
    assert_eq!(
        snapshot(s).await,
        before,
        "a refused request wrote something"
    );
}

/// The right type, existing, in the region: stored, and shown as sent (a trailing slash
/// dropped: every id is parsed once, and kept parsed).
async fn security_groups_and_route_tables_are_linked(s: &Server) {
    fixture(s).await;
    let nsg = net(RG, "networkSecurityGroups", "nsg");
    let rt = net(RG, "routeTables", "rt");
    for field in FIELDS
        .iter()
        .filter(|f| f.target == "nsg" || f.target == "routetable")
    {
        let linked = if field.target == "nsg" { &nsg } else { &rt };
        let (id, body) = request(field, &format!("{linked}/"));
        let out = put_ok(s, &id, body).await;
        let shown = match field.name {
            "vnet subnet networkSecurityGroup" => {
                &out["properties"]["subnets"][0]["properties"]["networkSecurityGroup"]
            }
            "vnet subnet routeTable" => {
                &out["properties"]["subnets"][0]["properties"]["routeTable"]
            }
            "subnet routeTable" => &out["properties"]["routeTable"],
            _ => &out["properties"]["networkSecurityGroup"],
        };
        assert_eq!(shown["id"], json!(linked), "{}: {out}", field.name);
        let (st, body) = delete(s, &id).await;
        assert!(st.is_success(), "{body}");
    }
    // A subnet id with a trailing slash is stored without it.
    let sub = subnet_id(RG, "v", "s");
    let out = put_ok(
        s,
        &net(RG, "networkInterfaces", "slash"),
        nic_body(vec![ipc("c", &format!("{sub}/"), json!({}))]),
    )
    .await;
    assert_eq!(
        out["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"],
        json!(sub)
    );
    let (_, body) = s.get(&at(&sub)).await;
    let users: Vec<String> = body["properties"]["ipConfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_lowercase())
        .collect();
    assert!(
        users.contains(
            &format!(
                "{}/ipconfigurations/c",
                net(RG, "networkInterfaces", "slash")
            )
            .to_lowercase()
        ),
        "{users:?}"
    );
    assert_eq!(
        StatusCode::OK,
        s.get(&at(&net(RG, "networkInterfaces", "slash"))).await.0
    );
}

on_sqlite_and_postgres!(
    every_reference_of_the_wrong_type_is_refused[],
    a_reference_to_nothing_or_to_no_id_is_refused[],
    security_groups_and_route_tables_are_linked[],
);
