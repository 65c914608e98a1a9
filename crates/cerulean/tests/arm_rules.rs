//! ARM's own rules where careless or hostile input used to slip through (issue 16, part of
//! item 11), over HTTPS against the real binary on SQLite and PostgreSQL: names of generic
//! resources, conditional requests on them, lists of a missing parent's children, forged
//! `$skiptoken`s, availability zones and the types of `osProfile` fields.

#[macro_use]
mod common;

use common::arm::*;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn nsg(rg: &str, name: &str) -> String {
    net(rg, "networkSecurityGroups", name)
}

fn nsg_body() -> Value {
    json!({"location": LOC, "properties": {}})
}

/// Every item of a list, following `nextLink` (the servers here page by 2).
async fn all_pages(s: &Server, first: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = first.to_string();
    loop {
        let (st, body) = s.get(&path).await;
        assert_eq!(st, StatusCode::OK, "{path}: {body}");
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        match body["nextLink"].as_str() {
            Some(next) => path = next.strip_prefix(&s.base).unwrap().to_string(),
            None => return items,
        }
    }
}

fn names_of(items: &[Value]) -> Vec<String> {
    let mut n: Vec<String> = items
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

async fn generic_names_follow_arms_rule(s: &Server) {
    let rg = "names";
    group(s, rg).await;
    let long = "n".repeat(5000);
    let too_long = "n".repeat(261);
    let refused = [
        ("a%2Fb", "a/b"),
        ("a%25b", "a%b"),
        ("a%3Cb", "a<b"),
        ("a%3Ab", "a:b"),
        ("a%3Fb", "a?b"),
        ("a%01b", "a\u{1}b"),
        (long.as_str(), long.as_str()),
        (too_long.as_str(), too_long.as_str()),
    ];
    for (sent, name) in refused {
        let (st, body) = s.put(&at(&nsg(rg, sent)), nsg_body()).await;
        let msg = assert_error(st, &body, 400, "InvalidResourceName");
        assert!(
            msg.starts_with(&format!("The resource name '{name}' is invalid.")),
            "{sent}: {msg}"
        );
        let (st, body) = s.get(&at(&nsg(rg, sent))).await;
        assert_error(st, &body, 400, "InvalidResourceName");
    }
    // Nothing was stored, under any spelling.
    let list = format!(
        "{}/providers/Microsoft.Network/networkSecurityGroups?{API}",
        group_id(rg)
    );
    assert!(all_pages(s, &list).await.is_empty());
    // `.` and `..` never reach a server through a URL parser (they are path steps); a
    // template, whose requests the server sends itself, can still name them.
    for dots in [".", ".."] {
        let op = deploy(
            s,
            rg,
            "dots",
            template(json!([{
                "type": "Microsoft.Network/networkSecurityGroups",
                "apiVersion": "2024-05-01",
                "name": dots,
                "location": LOC,
                "properties": {}
            }])),
        )
        .await;
        assert_eq!(op["status"], "Failed", "{op}");
        assert_contains(&op.to_string(), "InvalidResourceName");
    }
    // A child's name follows the rule too.
    put_ok(s, &nsg(rg, "ok"), nsg_body()).await;
    let (st, body) = s
        .put(
            &at(&format!("{}/securityRules/a%2Fb", nsg(rg, "ok"))),
            json!({"properties": {}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    // Allowed: a space (decoded), 260 characters.
    let body = put_ok(s, &nsg(rg, "a%20b"), nsg_body()).await;
    assert_eq!(body["name"], "a b");
    assert_eq!(body["id"], nsg(rg, "a b"));
    assert_eq!(get_ok(s, &nsg(rg, "a%20b")).await["name"], "a b");
    put_ok(s, &nsg(rg, &"n".repeat(260)), nsg_body()).await;
    assert_eq!(
        names_of(&all_pages(s, &list).await),
        vec!["a b".to_string(), "n".repeat(260), "ok".to_string()]
    );
}

async fn generic_writes_honour_conditions(s: &Server) {
    let rg = "conditions";
    group(s, rg).await;
    let id = nsg(rg, "x");
    let put_if = |header: &'static str, value: String| {
        let id = id.clone();
        async move {
            s.call_with(
                Method::PUT,
                &at(&id),
                Some(nsg_body()),
                &[(header, value.as_str())],
            )
            .await
        }
    };
    // If-Match on a resource that does not exist: nothing matches.
    let (st, _, body) = put_if("if-match", "W/\"nope\"".into()).await;
    assert_error(st, &body, 412, "PreconditionFailed");
    let (st, _, body) = put_if("if-match", "*".into()).await;
    assert_error(st, &body, 412, "PreconditionFailed");
    assert_eq!(s.get(&at(&id)).await.0, StatusCode::NOT_FOUND);
    // If-None-Match: * creates once.
    let (st, _, body) = put_if("if-none-match", "*".into()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let etag = body["etag"].as_str().unwrap().to_string();
    let (st, _, body) = put_if("if-none-match", "*".into()).await;
    assert_error(st, &body, 412, "PreconditionFailed");
    // If-Match: only the current etag.
    let (st, _, body) = put_if("if-match", "W/\"stale\"".into()).await;
    assert_error(st, &body, 412, "PreconditionFailed");
    let (st, _, body) = put_if("if-match", etag.clone()).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let etag = body["etag"].as_str().unwrap().to_string();
    let (st, _, body) = s
        .call_with(
            Method::PATCH,
            &at(&id),
            Some(json!({"tags": {"a": "b"}})),
            &[("if-match", "W/\"stale\"")],
        )
        .await;
    assert_error(st, &body, 412, "PreconditionFailed");
    let (st, _, body) = s
        .call_with(
            Method::DELETE,
            &at(&id),
            None,
            &[("if-match", "W/\"stale\"")],
        )
        .await;
    assert_error(st, &body, 412, "PreconditionFailed");
    assert_eq!(get_ok(s, &id).await["etag"], json!(etag), "unchanged");
    let (st, _, body) = s
        .call_with(Method::DELETE, &at(&id), None, &[("if-match", &etag)])
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(s.get(&at(&id)).await.0, StatusCode::NOT_FOUND);
    // An empty condition is none (the azurerm provider sends `If-Match: ""` on creates).
    let (st, _, body) = put_if("if-match", String::new()).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = put_if("if-none-match", " ".into()).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

/// `global` is the location of the types Azure keeps in no region, and of no other; a
/// resource stays where it was created.
async fn generic_locations_are_regions_or_global(s: &Server) {
    let rg = "locations";
    group(s, rg).await;
    let zone = format!("/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/example.internal");
    let (st, body) = s.put(&at(&zone), json!({"location": "Global"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["location"], "global");
    let account = format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Storage/storageAccounts/acct"
    );
    let (st, body) = s.put(&at(&account), json!({"location": "global"})).await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");
    let id = nsg(rg, "n");
    let (st, body) = s.put(&at(&id), json!({"location": "eastus"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&id), json!({"location": "westus"})).await;
    let msg = assert_error(st, &body, 409, "InvalidResourceLocation");
    assert_eq!(msg, "The resource 'n' already exists in location 'eastus' in resource group 'locations'. A resource with the same name cannot be created in location 'westus'. Please select a new resource name.");
    let (st, body) = s.put(&at(&id), json!({"location": "East US"})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
}

async fn children_of_a_missing_parent_are_not_an_empty_list(s: &Server) {
    let rg = "parents";
    group(s, rg).await;
    let (st, body) = s
        .get(&at(&format!("{}/securityRules", nsg(rg, "ghost"))))
        .await;
    let msg = assert_error(st, &body, 404, "ParentResourceNotFound");
    assert_eq!(
        msg,
        "Can not perform requested operation on nested resource. Parent resource 'ghost' not found."
    );
    for (parent, children) in [
        ("virtualNetworks", "subnets"),
        ("networkInterfaces", "ipConfigurations"),
        ("loadBalancers", "backendAddressPools"),
    ] {
        let (st, body) = s
            .get(&at(&format!("{}/{children}", net(rg, parent, "ghost"))))
            .await;
        let msg = assert_error(st, &body, 404, "ResourceNotFound");
        assert_contains(&msg, &format!("Microsoft.Network/{parent}/ghost"));
    }
    // The children of one parent only, all of them, across pages; siblings whose names sort
    // just before (`p.x`: `.` sorts before `/`) and just after (`p0`) its children are not.
    for (parent, rules) in [("p", 3), ("q", 1), ("p.x", 1), ("p0", 2)] {
        put_ok(s, &nsg(rg, parent), nsg_body()).await;
        for i in 0..rules {
            put_ok(
                s,
                &format!("{}/securityRules/r{i}", nsg(rg, parent)),
                json!({"properties": {"priority": 100 + i}}),
            )
            .await;
        }
    }
    let items = all_pages(s, &at(&format!("{}/securityRules", nsg(rg, "p")))).await;
    assert_eq!(names_of(&items), vec!["r0", "r1", "r2"]);
}

/// A modelled resource's DELETE takes the generic resources under it along (a network's
/// peerings, a VM's extensions): none outlives its parent, and a parent made again under
/// the same name starts without them.
async fn children_go_with_their_modelled_parent(s: &Server) {
    let rg = "families";
    group(s, rg).await;
    let vnet = net(rg, "virtualNetworks", "v");
    let body = json!({"location": LOC, "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
    put_ok(s, &vnet, body.clone()).await;
    let peering = format!("{vnet}/virtualNetworkPeerings/p");
    put_ok(
        s,
        &peering,
        json!({"properties": {"allowForwardedTraffic": true}}),
    )
    .await;
    assert_eq!(s.get(&at(&peering)).await.0, StatusCode::OK);
    let (st, _, answer) = s.call(Method::DELETE, &at(&vnet), None).await;
    assert!(st.is_success(), "{answer}");
    let (st, body_now) = s.get(&at(&format!("{vnet}/virtualNetworkPeerings"))).await;
    assert_error(st, &body_now, 404, "ParentResourceNotFound");
    put_ok(s, &vnet, body).await;
    let (st, answer) = s.get(&at(&peering)).await;
    assert_error(st, &answer, 404, "ResourceNotFound");
    let (st, list) = s.get(&at(&format!("{vnet}/virtualNetworkPeerings"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["value"], json!([]), "{list}");
}

async fn forged_skiptokens_are_refused(s: &Server) {
    for rg in ["tok", "other"] {
        group(s, rg).await;
        for i in 0..3 {
            put_ok(s, &nsg(rg, &format!("n{i}")), nsg_body()).await;
            put_ok(
                s,
                &net(rg, "virtualNetworks", &format!("v{i}")),
                vnet_body(&["10.0.0.0/16"], &[]),
            )
            .await;
        }
    }
    let lists = [
        format!("/subscriptions/{SUB}/resourcegroups?{API}"),
        format!("{}/resources?{API}", group_id("tok")),
        format!("/subscriptions/{SUB}/resources?{API}"),
        format!(
            "{}/providers/Microsoft.Network/virtualNetworks?{API}",
            group_id("tok")
        ),
        format!("/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks?{API}"),
        format!(
            "{}/providers/Microsoft.Network/networkSecurityGroups?{API}",
            group_id("tok")
        ),
        format!(
            "{}/providers/Microsoft.Resources/deployments?api-version=2024-03-01",
            group_id("tok")
        ),
    ];
    let other_groups = net("other", "virtualNetworks", "v0").to_lowercase();
    let foreign = "/subscriptions/00000000-0000-0000-0000-0000000000ff/resourcegroups/tok/providers/microsoft.network/virtualnetworks/v0";
    for (i, list) in lists.iter().enumerate() {
        let in_a_group = [1, 3, 5, 6].contains(&i);
        let mut tokens = vec!["garbage", "%2Fsubscriptions", foreign];
        if in_a_group {
            // Valid in the subscription's lists, not in another group's.
            tokens.push(&other_groups);
        }
        for token in tokens {
            let (st, body) = s.get(&format!("{list}&$skiptoken={token}")).await;
            let msg = assert_error(st, &body, 400, "InvalidSkipToken");
            assert_contains(&msg, "is not valid for this list");
        }
    }
    // Genuine tokens still page through everything.
    assert_eq!(
        all_pages(s, &lists[3]).await.len(),
        3,
        "three networks in the group"
    );
    assert_eq!(all_pages(s, &lists[4]).await.len(), 6);
    assert_eq!(all_pages(s, &lists[2]).await.len(), 12);
}

fn pip_body(location: &str, zones: Value) -> Value {
    json!({"location": location, "sku": {"name": "Standard"}, "zones": zones,
           "properties": {"publicIPAllocationMethod": "Static"}})
}

fn vm_body(nic: &str, zones: Value, password: Value) -> Value {
    json!({
        "location": LOC,
        "zones": zones,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_B1s"},
            "storageProfile": {
                "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                "osDisk": {"createOption": "FromImage", "osType": "Linux"}
            },
            "osProfile": {"computerName": "host", "adminUsername": "azureuser", "adminPassword": password},
            "networkProfile": {"networkInterfaces": [{"id": nic}]}
        }
    })
}

async fn zones_and_os_profile_types_are_checked(s: &Server) {
    let rg = "zones";
    group(s, rg).await;
    let pip = net(rg, "publicIPAddresses", "p");
    for (location, zones, code) in [
        (LOC, json!(["99"]), "InvalidAvailabilityZone"),
        (LOC, json!(["1", "0"]), "InvalidAvailabilityZone"),
        ("westus", json!(["1"]), "InvalidAvailabilityZone"),
    ] {
        let (st, body) = s.put(&at(&pip), pip_body(location, zones.clone())).await;
        let msg = assert_error(st, &body, 400, code);
        assert_contains(
            &msg,
            "for resource 'Microsoft.Network/publicIPAddresses/p' is not supported.",
        );
    }
    assert_eq!(s.get(&at(&pip)).await.0, StatusCode::NOT_FOUND);
    let body = put_ok(s, &pip, pip_body(LOC, json!(["1", "2", "3"]))).await;
    assert_eq!(body["zones"], json!(["1", "2", "3"]));

    put_ok(
        s,
        &net(rg, "virtualNetworks", "v"),
        vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.0.0/24"])]),
    )
    .await;
    dynamic_nic(s, rg, "n", &subnet_id(rg, "v", "s")).await;
    let nic = net(rg, "networkInterfaces", "n");
    let vm = res_id(rg, "Microsoft.Compute", "virtualMachines", "vm");
    let pw = json!("S3cret-Passw0rd!");
    let (st, body) = s
        .put(&at(&vm), vm_body(&nic, json!(["99"]), pw.clone()))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidAvailabilityZone");
    assert_eq!(msg, format!("The zone(s) '99' for resource 'Microsoft.Compute/virtualMachines/vm' is not supported. The supported zones for location '{LOC}' are '1,2,3'"));
    let (st, body) = s
        .put(&at(&vm), vm_body(&nic, json!(["1", "2"]), pw.clone()))
        .await;
    assert_error(st, &body, 400, "ResourceCannotHaveMultipleZonesSpecified");
    for password in [json!(12345), json!(true), json!(["x"]), json!({"a": 1})] {
        let (st, body) = s
            .put(&at(&vm), vm_body(&nic, json!([]), password.clone()))
            .await;
        let msg = assert_error(st, &body, 400, "InvalidRequestContent");
        assert_contains(&msg, "osProfile");
    }
    assert_eq!(s.get(&at(&vm)).await.0, StatusCode::NOT_FOUND);
    let nic_now = get_ok(s, &nic).await;
    assert!(
        nic_now["properties"].get("virtualMachine").is_none(),
        "{nic_now}"
    );
    let body = put_ok(s, &vm, vm_body(&nic, json!(["2"]), pw)).await;
    assert_eq!(body["zones"], json!(["2"]));
}

on_sqlite_and_postgres!(
    generic_names_follow_arms_rule["--page-size", "2"],
    generic_writes_honour_conditions[],
    generic_locations_are_regions_or_global[],
    children_of_a_missing_parent_are_not_an_empty_list["--page-size", "2"],
    forged_skiptokens_are_refused["--page-size", "2"],
    zones_and_os_profile_types_are_checked[],
    children_go_with_their_modelled_parent[],
);
