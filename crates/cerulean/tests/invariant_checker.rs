//! The invariant checker (`cerulean check` and `common::invariants`) finds what it is there to
//! find: each kind of damage is written straight into a PostgreSQL database behind a running
//! server, and both the store check and the API check must name it; undone, both are clean.

mod common;

use common::invariants::{api_problems, check_api, check_store, run_check, StoreAt};
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const LOC: &str = "eastus";

fn net(ty: &str, name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/{ty}/{name}")
}

fn vm_id(name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}"
    )
}

async fn put_ok(s: &Server, id: &str, body: Value) {
    let (st, got) = s.put(&format!("{id}?{API}"), body).await;
    assert!(st.is_success(), "PUT {id}: {st} {got}");
}

/// Runs SQL on the database (on a thread of its own: the client is synchronous).
fn sql(url: &str, statements: &str) -> Vec<String> {
    let (url, statements) = (url.to_string(), statements.to_string());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut out = Vec::new();
        for m in c.simple_query(&statements).unwrap() {
            if let postgres::SimpleQueryMessage::Row(r) = m {
                out.push(r.get(0).unwrap_or_default().to_string());
            }
        }
        out
    })
    .join()
    .unwrap()
}

/// Copies the VM record `vm` as `vm2` (body and all, without its references).
fn copy_vm_as_vm2(url: &str) {
    sql(
        url,
        "INSERT INTO resources
         SELECT replace(key, '/virtualmachines/vm', '/virtualmachines/vm2'),
                replace(id, '/virtualMachines/vm', '/virtualMachines/vm2'),
                kind, subscription, group_key, location, body, etag
         FROM resources WHERE kind = 'microsoft.compute/virtualmachines'",
    );
}

/// The violations `cerulean check` reports now.
fn violations(store: &StoreAt) -> Vec<String> {
    run_check(store)["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn assert_named(found: &[String], part: &str) {
    assert!(
        found.iter().any(|v| v.contains(part)),
        "no violation names {part:?}: {found:#?}"
    );
}

async fn assert_damage(s: &Server, store: &StoreAt, in_store: &[&str], in_api: &[&str]) {
    let found = violations(store);
    for part in in_store {
        assert_named(&found, part);
    }
    let (problems, _) = api_problems(s).await;
    for part in in_api {
        assert_named(&problems, part);
    }
}

async fn assert_clean(s: &Server, store: &StoreAt) {
    check_api(s).await;
    let report = check_store(store);
    assert_eq!(
        report["resources"], 16,
        "group, VNet, public IP, security group, load balancer, two NICs, VM, private DNS zone \
         with its SOA, its link and the VM's registered record, a storage account with its \
         private endpoint connection, a private endpoint and its NIC"
    );
    assert_eq!(
        report["addresses"], 5,
        "three NIC addresses (one the endpoint's), the load balancer's frontend and a public one"
    );
}

#[tokio::test]
async fn the_checker_names_each_kind_of_damage() {
    let url = fresh_postgres();
    let s = Server::start(&["--database-url", &url]);
    let store = StoreAt::Postgres(url.clone());
    let (st, _) = s.put(&rg_path("rg"), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED);
    let subnet = format!("{}/subnets/s", net("virtualNetworks", "v"));
    put_ok(
        &s,
        &net("virtualNetworks", "v"),
        json!({"location": LOC, "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}),
    )
    .await;
    let pip = net("publicIPAddresses", "pa");
    put_ok(
        &s,
        &pip,
        json!({"location": LOC, "sku": {"name": "Standard"}}),
    )
    .await;
    let config = |ip: Value| {
        json!({"location": LOC, "properties": {"ipConfigurations": [
        {"name": "ipconfig1", "properties": ip}]}})
    };
    let lb = net("loadBalancers", "lb");
    put_ok(
        &s,
        &lb,
        json!({"location": LOC, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet}}}],
            "inboundNatRules": [{"name": "ssh"}]}}),
    )
    .await;
    let rule = format!("{lb}/inboundNatRules/ssh");
    put_ok(
        &s,
        &net("networkInterfaces", "a"),
        config(
            json!({"subnet": {"id": subnet}, "publicIPAddress": {"id": pip},
                      "loadBalancerInboundNatRules": [{"id": rule}]}),
        ),
    )
    .await;
    let nsg = net("networkSecurityGroups", "nsg");
    put_ok(&s, &nsg, json!({"location": LOC})).await;
    let mut linked = config(json!({"subnet": {"id": subnet}}));
    linked["properties"]["networkSecurityGroup"] = json!({"id": nsg});
    put_ok(&s, &net("networkInterfaces", "b"), linked).await;
    put_ok(&s, &vm_id("vm"), json!({"location": LOC, "properties": {
        "hardwareProfile": {"vmSize": "Standard_B1s"},
        "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"}},
        "osProfile": {"computerName": "h", "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
        "networkProfile": {"networkInterfaces": [{"id": net("networkInterfaces", "b")}]}}}))
    .await;
    let zone = net("privateDnsZones", "corp.internal");
    put_ok(&s, &zone, json!({"location": "global"})).await;
    let link = format!("{zone}/virtualNetworkLinks/v");
    put_ok(
        &s,
        &link,
        json!({"location": "global", "properties": {
        "virtualNetwork": {"id": net("virtualNetworks", "v")}, "registrationEnabled": true}}),
    )
    .await;
    let account = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct"
    );
    put_ok(&s, &account, json!({"location": LOC})).await;
    put_ok(
        &s,
        &net("privateEndpoints", "pe"),
        json!({"location": LOC, "properties": {
        "subnet": {"id": subnet},
        "privateLinkServiceConnections": [{"name": "c", "properties": {
            "privateLinkServiceId": account, "groupIds": ["blob"]}}]}}),
    )
    .await;
    assert_clean(&s, &store).await;

    // An IP configuration whose address the book lost.
    let a_config = format!(
        "{}/ipConfigurations/ipconfig1",
        net("networkInterfaces", "a")
    );
    let row = sql(
        &url,
        &format!(
            "SELECT subnet_key || '|' || offset_hex || '|' || owner_key FROM ip_allocations
             WHERE lower(owner_key) = lower('{a_config}')"
        ),
    );
    let [row] = row.as_slice() else {
        panic!("{row:?}")
    };
    let parts: Vec<&str> = row.split('|').collect();
    let (subnet_key, offset, owner) = (parts[0], parts[1], parts[2]);
    sql(
        &url,
        &format!("DELETE FROM ip_allocations WHERE owner_key = '{owner}'"),
    );
    assert_damage(
        &s,
        &store,
        &["but the address book does not record it"],
        &["does not list"],
    )
    .await;
    sql(
        &url,
        &format!("INSERT INTO ip_allocations VALUES ('{subnet_key}', '{offset}', '{owner}')"),
    );
    assert_clean(&s, &store).await;

    // An address held by nothing.
    let ghost = format!("{}/ipConfigurations/x", net("networkInterfaces", "ghost"));
    sql(
        &url,
        &format!(
            "INSERT INTO ip_allocations VALUES ('{subnet_key}', '{:032x}', '{ghost}')",
            40
        ),
    );
    assert_damage(
        &s,
        &store,
        &[&format!("is held by {ghost}, which does not have it")],
        &["which is no IP configuration in it"],
    )
    .await;
    sql(
        &url,
        &format!("DELETE FROM ip_allocations WHERE owner_key = '{ghost}'"),
    );

    // Address state of a subnet that is gone.
    sql(
        &url,
        &format!(
            "INSERT INTO ip_marks VALUES ('{subnet_key}x', '{:032x}')",
            9
        ),
    );
    assert_damage(
        &s,
        &store,
        &[&format!("address book {subnet_key}x keeps state")],
        &[],
    )
    .await;
    sql(
        &url,
        &format!("DELETE FROM ip_marks WHERE subnet_key = '{subnet_key}x'"),
    );

    // A NAT rule's reference the index lost.
    let nic_a = net("networkInterfaces", "a").to_lowercase();
    let rule_key = rule.to_lowercase();
    sql(
        &url,
        &format!("DELETE FROM refs WHERE kind = 'natrule' AND owner_key = '{nic_a}'"),
    );
    assert_damage(
        &s,
        &store,
        &[&format!("makes a natrule reference {nic_a}/ipconfigurations/ipconfig1 -> {rule_key} the index does not have")],
        &[],
    )
    .await;
    sql(
        &url,
        &format!(
            "INSERT INTO refs VALUES ('{nic_a}/ipconfigurations/ipconfig1', '{}/ipConfigurations/ipconfig1', '{rule_key}', 'natrule', '{nic_a}')",
            net("networkInterfaces", "a")
        ),
    );
    assert_clean(&s, &store).await;

    // A private DNS zone's registration reference the index lost.
    let link_key = link.to_lowercase();
    let rows = sql(
        &url,
        "DELETE FROM refs WHERE kind = 'dnsregistration' RETURNING to_key",
    );
    assert_eq!(rows, vec![net("virtualNetworks", "v").to_lowercase()]);
    assert_damage(
        &s,
        &store,
        &[&format!(
            "makes a dnsregistration reference {link_key} -> {} the index does not have",
            rows[0]
        )],
        &[],
    )
    .await;
    sql(
        &url,
        &format!(
            "INSERT INTO refs VALUES ('{link_key}', '{link}', '{}', 'dnsregistration', '{link_key}')",
            rows[0]
        ),
    );
    assert_clean(&s, &store).await;

    // A private endpoint whose record moved away from its NIC.
    let pe_key = net("privateEndpoints", "pe").to_lowercase();
    let moved = sql(
        &url,
        "UPDATE resources SET key = key || '-moved', id = id || '-moved'
         WHERE kind = 'microsoft.network/privateendpoints' RETURNING id",
    );
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_damage(
        &s,
        &store,
        &[
            &format!(
                "belongs to private endpoint {}, which does not exist",
                net("privateEndpoints", "pe")
            ),
            &format!("private endpoint {} names NIC", moved[0]),
            &format!(
                "names endpoint {:?}, which does not exist",
                net("privateEndpoints", "pe")
            ),
        ],
        &[],
    )
    .await;
    sql(
        &url,
        &format!(
            "UPDATE resources SET key = '{pe_key}', id = replace(id, '-moved', '')
             WHERE kind = 'microsoft.network/privateendpoints'"
        ),
    );
    assert_clean(&s, &store).await;

    // A load balancer rule naming a frontend the load balancer does not have.
    let (kept, broken) = (
        r#"{\"name\":\"ssh\"}"#.to_string(),
        format!(
            r#"{{\"name\":\"ssh\",\"properties\":{{\"frontendIPConfiguration\":{{\"id\":\"{lb}/frontendIPConfigurations/gone\"}}}}}}"#
        ),
    );
    let changed = sql(
        &url,
        &format!(
            "UPDATE resources SET body = replace(body, '{kept}', '{broken}')
             WHERE kind = 'microsoft.network/loadbalancers' RETURNING id"
        ),
    );
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert_damage(
        &s,
        &store,
        &[&format!(
            "Resource {lb}/frontendIPConfigurations/gone referenced by resource {lb}/inboundNatRules/ssh was not found"
        )],
        &[],
    )
    .await;
    sql(
        &url,
        &format!(
            "UPDATE resources SET body = replace(body, '{broken}', '{kept}')
             WHERE kind = 'microsoft.network/loadbalancers'"
        ),
    );
    assert_clean(&s, &store).await;

    // A VM whose group mixes SKUs (NIC a: a Standard public IP and a Basic load balancer's
    // NAT rule), then a second lone VM on that Basic load balancer.
    let moved = sql(
        &url,
        "UPDATE resources SET body = replace(body, 'networkInterfaces/b\"', 'networkInterfaces/a\"')
         WHERE kind = 'microsoft.compute/virtualmachines' RETURNING id",
    );
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_damage(
        &s,
        &store,
        &[&format!(
            "availability group {}: Different basic sku and standard sku load balancer or public \
             Ip resources in availability set is not allowed {lb} and {pip}.",
            vm_id("vm")
        )],
        &[],
    )
    .await;
    copy_vm_as_vm2(&url);
    assert_damage(
        &s,
        &store,
        &[&format!(
            "Basic load balancer {lb} serves VMs of 2 availability groups: {}, {}",
            vm_id("vm"),
            vm_id("vm2")
        )],
        &[],
    )
    .await;
    sql(
        &url,
        "DELETE FROM resources WHERE key LIKE '%/virtualmachines/vm2';
         UPDATE resources SET body = replace(body, 'networkInterfaces/a\"', 'networkInterfaces/b\"')
         WHERE kind = 'microsoft.compute/virtualmachines'",
    );
    assert_clean(&s, &store).await;

    // A reference made by no resource; a NIC on two VMs.
    let ghost_vm = vm_id("ghost").to_lowercase();
    sql(
        &url,
        &format!(
            "INSERT INTO refs VALUES ('{ghost_vm}', '{ghost_vm}', '{nic_a}', 'attachment', '{ghost_vm}')"
        ),
    );
    assert_damage(
        &s,
        &store,
        &[&format!("a attachment reference {ghost_vm} -> {nic_a}")],
        &[&format!("NIC {nic_a} names {ghost_vm}")],
    )
    .await;
    sql(
        &url,
        &format!("DELETE FROM refs WHERE owner_key = '{ghost_vm}'"),
    );
    copy_vm_as_vm2(&url);
    assert_damage(
        &s,
        &store,
        &["is attached to", "the index does not have"],
        &["is on [", "which names"],
    )
    .await;
    sql(
        &url,
        "DELETE FROM resources WHERE key LIKE '%/virtualmachines/vm2'",
    );

    // A record that is not what its kind says (a "group" inside a group, as a generic PUT
    // of Microsoft.Resources/resourceGroups once stored).
    let fake = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/resourceGroups/x"
    );
    sql(
        &url,
        &format!(
            "INSERT INTO resources VALUES ('{}', '{fake}', 'microsoft.resources/resourcegroups',
             '{SUB}', '/subscriptions/{SUB}/resourcegroups/rg', 'eastus', '{{\"arm\": {{}}}}', 'e')",
            fake.to_lowercase()
        ),
    );
    assert_damage(
        &s,
        &store,
        &[
            "is stored as a resource group inside another",
            "cannot be read as a microsoft.resources/resourcegroups",
        ],
        &[],
    )
    .await;
    sql(&url, &format!("DELETE FROM resources WHERE id = '{fake}'"));
    assert_clean(&s, &store).await;

    // A NIC linking a security group that is gone.
    sql(
        &url,
        &format!("DELETE FROM resources WHERE key = '{}'", nsg.to_lowercase()),
    );
    assert_damage(
        &s,
        &store,
        &[&format!("links {nsg}, which does not exist")],
        &[],
    )
    .await;
    put_ok(&s, &nsg, json!({"location": LOC})).await;
    assert_clean(&s, &store).await;

    // A public IP whose address the pool lost.
    sql(
        &url,
        "DELETE FROM ip_allocations WHERE subnet_key = 'public:ipv4'",
    );
    assert_damage(&s, &store, &["of public:ipv4, but the address book"], &[]).await;
}

#[tokio::test]
async fn the_checker_names_a_finished_deployment_still_run_by_a_server() {
    let url = fresh_postgres();
    let s = Server::start(&["--database-url", &url]);
    let store = StoreAt::Postgres(url.clone());
    let (st, _) = s.put(&rg_path("rg"), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED);
    let d = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d"
    );
    let (st, body) = s
        .put(
            &format!("{d}?api-version=2024-03-01"),
            json!({"properties": {"mode": "Incremental", "template": {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0", "resources": []}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    for _ in 0..100 {
        let (_, got) = s.get(&format!("{d}?api-version=2024-03-01")).await;
        if got["properties"]["provisioningState"] == "Succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    check_store(&store);
    sql(
        &url,
        &format!(
            "INSERT INTO runs VALUES ('{}', 'someone', 't', FALSE)",
            d.to_lowercase()
        ),
    );
    assert_named(
        &violations(&store),
        "is Succeeded but still has a run (owner someone)",
    );
}
