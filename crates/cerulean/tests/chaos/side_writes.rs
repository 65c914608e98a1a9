//! The writes beside the resources' own, raced from both servers while NICs are created:
//! guest commands on one VM, effective routes and next hops, one role assignment under many
//! names, and provider registrations of one subscription. Each is a read, a rule and a write
//! of one record that two servers could both have read before either wrote: on PostgreSQL
//! each holds the lock of what it reads and writes (the VM, the NIC, the grant, the
//! subscription), so none is lost and none runs alone, excluding every other writer.

use super::*;

const AUTHZ: &str = "api-version=2022-04-01";
const RP_API: &str = "api-version=2022-09-01";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
/// Namespaces a subscription starts without.
const UNREGISTERED: [&str; 4] = [
    "Microsoft.Storage",
    "Microsoft.KeyVault",
    "Microsoft.ManagedIdentity",
    "Microsoft.MarketplaceOrdering",
];

/// Writes that excluded every other writer, over all servers (`None` on SQLite, which has
/// one writer).
async fn alone_writes(c: &Cluster) -> Option<u64> {
    let mut total = None;
    for s in &c.servers {
        let (_, info) = s.get("/cerulean/info").await;
        if let Some(n) = info["writes"]["aloneWrites"].as_u64() {
            *total.get_or_insert(0) += n;
        }
    }
    total
}

/// What `script` printed on the VM `vm`'s guest (a Linux shell script).
async fn run(s: &Server, vm: &str, script: &str) -> String {
    let body = json!({"commandId": "RunShellScript", "script": [script]});
    let (st, hdrs, answer) = s
        .call(Method::POST, &format!("{vm}/runCommand?{API}"), Some(body))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{answer}");
    let url = hdrs["location"].to_str().unwrap();
    let (st, _, result) = s
        .call(Method::GET, url.strip_prefix(&s.base).unwrap(), None)
        .await;
    assert_eq!(st, StatusCode::OK, "{result}");
    result["value"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn provider(ns: &str, op: &str) -> String {
    format!("/subscriptions/{SUB}/providers/{ns}{op}?{RP_API}")
}

pub(super) async fn side_writes_beside_creates(c: &mut Cluster) {
    // A server's start (seeding its subscriptions, taking its lease) excludes no writer.
    if matches!(c.store, StoreAt::Postgres(_)) {
        assert_eq!(alone_writes(c).await, Some(0));
    }
    let subnet = network(c.at(0), "rg", "10.0.5.0/24").await;
    let vm_nic = nic_id("rg", "vmnic");
    create(c.at(0), &vm_nic, nic_body(&subnet, json!({}))).await;
    let vm = vm_id("rg", "vm");
    create(c.at(1), &vm, vm_body(&vm_nic)).await;
    for ns in UNREGISTERED {
        let (_, p) = c.at(0).get(&provider(ns, "")).await;
        assert_eq!(p["registrationState"], "NotRegistered", "{p}");
    }
    let alone_before = alone_writes(c).await;

    let mut tasks = nic_creates(c, "rg", "n", &subnet, 8);
    let mut expected = Vec::new();
    for i in 0..8 {
        let script = json!({"commandId": "RunShellScript",
            "script": [format!("ip route add 10.9.{i}.0/24 via 10.0.5.1")]});
        let path = format!("{vm}/runCommand?{API}");
        tasks.push(spawn_call(c.at(i), Method::POST, path, Some(script)));
        expected.push(202);
    }
    for i in 0..2 {
        let routes = format!("{vm_nic}/effectiveRouteTable?{API}");
        tasks.push(spawn_call(c.at(i), Method::POST, routes, None));
        let hop = format!(
            "{}/nextHop?{API}",
            rid("rg", "Microsoft.Network", "networkWatchers", "w")
        );
        let body = json!({"targetResourceId": vm, "destinationIPAddress": "10.0.5.9"});
        tasks.push(spawn_call(c.at(i + 1), Method::POST, hop, Some(body)));
        expected.extend([202, 202]);
    }
    let group = format!("/subscriptions/{SUB}/resourceGroups/rg");
    let principal = "0c0ffee0-0000-0000-0000-000000000001";
    let grant = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{READER}"),
        "principalId": principal, "principalType": "ServicePrincipal"}});
    let assignments = tasks.len();
    for i in 0..8 {
        let name = format!("00000000-0000-0000-0000-00000000000{i}");
        let path =
            format!("{group}/providers/Microsoft.Authorization/roleAssignments/{name}?{AUTHZ}");
        tasks.push(spawn_call(c.at(i), Method::PUT, path, Some(grant.clone())));
    }
    let registrations = tasks.len();
    for (i, ns) in UNREGISTERED.iter().enumerate() {
        tasks.push(spawn_call(
            c.at(i),
            Method::POST,
            provider(ns, "/register"),
            None,
        ));
    }

    let answers = join(tasks).await;
    for (st, body) in &answers[..8] {
        assert_eq!(*st, StatusCode::CREATED, "NIC create: {body}");
    }
    for ((st, body), want) in answers[8..assignments].iter().zip(&expected) {
        assert_eq!(st.as_u16(), *want, "{body}");
    }
    let granted = answers[assignments..registrations]
        .iter()
        .filter(|(st, body)| match st.as_u16() {
            201 => true,
            409 if code(body) == "RoleAssignmentExists" => false,
            _ => panic!("role assignment: {st} {body}"),
        })
        .count();
    assert_eq!(granted, 1, "one grant, one assignment");
    for (st, body) in &answers[registrations..] {
        assert_eq!(*st, StatusCode::OK, "register: {body}");
    }

    // Nothing lost to another server's write of the same record.
    let routes = run(c.at(1), &vm, "ip route").await;
    for i in 0..8 {
        assert!(
            routes.contains(&format!("10.9.{i}.0/24 via 10.0.5.1")),
            "{routes}"
        );
    }
    for s in &c.servers {
        let (_, list) = s
            .get(&format!(
                "{group}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}&$filter=principalId eq '{principal}'"
            ))
            .await;
        assert_eq!(list["value"].as_array().map(Vec::len), Some(1), "{list}");
        for ns in UNREGISTERED {
            let (_, p) = s.get(&provider(ns, "")).await;
            assert_eq!(p["registrationState"], "Registered", "{p}");
        }
    }
    let alone_after = alone_writes(c).await;
    match c.store {
        StoreAt::Postgres(_) => assert_eq!(alone_after, alone_before, "a write ran alone"),
        StoreAt::Dir(_) => assert_eq!(alone_after, None),
    }
    // The 8 NIC creates, 8 guest commands, 4 route reads, 8 assignments, 4 registrations.
    assert_keyed(c, 32).await;
    c.check().await;
}
