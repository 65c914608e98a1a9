//! Deletes racing the writes that would keep what they delete, across resource groups: each
//! delete is refused as in use, or wins and the writes after it are refused. Never a NIC
//! that links, joins or holds an address in something gone (`cerulean check` names each).
//! On PostgreSQL every one of these writes is keyed: a delete holds the key of what it
//! deletes (a group delete its group's key, which every write in the group shares), its
//! users the keys of what they use.

use super::*;

/// What a racing delete answered: `true` if it won, else it was refused with `in_use`.
fn won(st: StatusCode, body: &Value, in_use: &str) -> bool {
    if matches!(st.as_u16(), 200 | 202 | 204) {
        return true;
    }
    assert_error(st, body, 400, in_use);
    false
}

/// Eight NIC creates in group `users` (alternating servers) and, at the same moment, a DELETE
/// of `path`; returns whether the DELETE won (else it was refused with `in_use`). Nothing
/// used the target before: it wins exactly when no NIC was created (a NIC created before it
/// would have kept it; one after it found it gone), and the invariants hold either way.
async fn race(
    c: &Cluster,
    path: String,
    in_use: &str,
    names: &str,
    body: impl Fn() -> Value,
) -> bool {
    let tasks: Vec<Call> = (0..8)
        .map(|i| {
            let nic = nic_id("users", &format!("{names}{i}"));
            spawn_call(c.at(i), Method::PUT, at(&nic), Some(body()))
        })
        .collect();
    let (st, _, answer) = c.at(1).call(Method::DELETE, &path, None).await;
    let gone = won(st, &answer, in_use);
    let mut created = 0;
    for (st, body) in join(tasks).await {
        match st.as_u16() {
            201 => created += 1,
            400 | 404 => assert!(!code(&body).is_empty(), "{st} {body}"),
            _ => panic!("{st} {body}"),
        }
    }
    assert_eq!(
        gone,
        created == 0,
        "{path}: won {gone}, {created} NICs created"
    );
    c.check().await;
    gone
}

/// Deletes the NICs `{names}0..7` that exist.
async fn delete_nics(c: &Cluster, names: &str) {
    for i in 0..8 {
        let nic = nic_id("users", &format!("{names}{i}"));
        let (st, _, body) = c.at(i).call(Method::DELETE, &at(&nic), None).await;
        assert!(st.is_success(), "{st} {body}");
    }
}

/// Three rounds of: a network security group deleted while NICs of another group link it, a
/// backend pool deleted while they join it, then the group holding both and the network
/// deleted while they take addresses in its subnet (a race is decided in a few
/// milliseconds: one round may not meet a missing lock).
pub(super) async fn deletes_racing_their_users(c: &mut Cluster) {
    let (st, body) = c
        .at(1)
        .put(&rg_path("users"), json!({"location": LOC}))
        .await;
    assert!(st.is_success(), "{body}");
    let nsg = rid(
        "shared",
        "Microsoft.Network",
        "networkSecurityGroups",
        "nsg",
    );
    let lb = rid("shared", "Microsoft.Network", "loadBalancers", "lb");
    let pool = format!("{lb}/backendAddressPools/pool");
    for round in 0..3 {
        // The group again if it went, the security group and pool again if they did.
        let subnet = network(c.at(round), "shared", "10.0.6.0/24").await;
        create(c.at(0), &nsg, json!({"location": LOC})).await;
        let lb_body = json!({"location": LOC, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet}}}],
            "backendAddressPools": [{"name": "pool"}]}});
        create(c.at(1), &lb, lb_body).await;

        let in_use = "InUseNetworkSecurityGroupCannotBeDeleted";
        let linked = format!("g{round}-");
        race(c, at(&nsg), in_use, &linked, || {
            let mut b = nic_body(&subnet, json!({}));
            b["properties"]["networkSecurityGroup"] = json!({"id": nsg});
            b
        })
        .await;

        let in_use = "LoadBalancerBackendAddressPoolInUse";
        let joined = json!({"loadBalancerBackendAddressPools": [{"id": pool}]});
        let members = format!("p{round}-");
        race(c, at(&pool), in_use, &members, || {
            nic_body(&subnet, joined.clone())
        })
        .await;

        // The earlier NICs go first: only the racing ones may keep the group.
        delete_nics(c, &linked).await;
        delete_nics(c, &members).await;
        let in_use = "InUseSubnetCannotBeDeleted";
        let holders = format!("s{round}-");
        let gone = race(c, rg_path("shared"), in_use, &holders, || {
            nic_body(&subnet, json!({}))
        })
        .await;
        let (st, _) = c.at(0).get(&rg_path("shared")).await;
        assert_eq!(st.is_success(), !gone, "group {st}");
        delete_nics(c, &holders).await;
    }
    // Every write of the scenario was keyed: per round four setup PUTs (five in the first,
    // with the group `users`), three races of nine writes and twenty-four NIC deletes.
    assert_keyed(c, 1 + 3 * (4 + 27 + 24)).await;
}
