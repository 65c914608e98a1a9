//! Public IPs raced for: VMs bringing up dynamic addresses from one pool at once, NICs
//! racing for one public IP, and creates racing for the last places under a quota.

use super::*;

/// Eight VMs created at once, each with a NIC whose Basic public IP is dynamic: each VM
/// brings its address up from the one public pool (on PostgreSQL beside the others, under
/// the pool's lock), and the eight addresses differ; deallocated at once they give them
/// back, started at once they take eight different ones again; then the VMs and their NICs
/// are deleted at once.
pub(super) async fn vm_creates_bringing_up_public_ips(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.4.0/24").await;
    let dynamic = json!({"location": LOC, "sku": {"name": "Basic"},
        "properties": {"publicIPAllocationMethod": "Dynamic"}});
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (pip, nic) = (
            pip_id("rg", &format!("d{i}")),
            nic_id("rg", &format!("d{i}")),
        );
        create(c.at(i), &pip, dynamic.clone()).await;
        let extra = json!({"publicIPAddress": {"id": pip}});
        create(c.at(i), &nic, nic_body(&subnet, extra)).await;
        let vm = vm_id("rg", &format!("d{i}"));
        tasks.push(spawn_call(
            c.at(i + 1),
            Method::PUT,
            at(&vm),
            Some(vm_body(&nic)),
        ));
    }
    for (st, body) in join(tasks).await {
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let addresses = |c: &Cluster| {
        let calls = (0..8)
            .map(|i| {
                let pip = pip_id("rg", &format!("d{i}"));
                spawn_call(c.at(i), Method::GET, at(&pip), None)
            })
            .collect();
        async move {
            let got = join(calls).await;
            got.iter()
                .map(|(_, pip)| pip["properties"]["ipAddress"].as_str().map(String::from))
                .collect::<Vec<_>>()
        }
    };
    let distinct = |got: &[Option<String>]| {
        let all: BTreeSet<_> = got.iter().map(|a| a.clone().expect("an address")).collect();
        assert_eq!(all.len(), 8, "{got:?}");
    };
    distinct(&addresses(c).await);

    // All eight deallocated at once give their addresses back, then started at once take
    // eight again (power actions lock their VM, NICs, public IPs and the pool only).
    for action in ["deallocate", "start"] {
        let tasks = (0..8)
            .map(|i| {
                let path = format!("{}/{action}?{API}", vm_id("rg", &format!("d{i}")));
                spawn_call(c.at(i), Method::POST, path, None)
            })
            .collect();
        for (st, body) in join(tasks).await {
            assert_eq!(st, StatusCode::ACCEPTED, "{action}: {body}");
        }
        let got = addresses(c).await;
        match action {
            "deallocate" => assert!(got.iter().all(Option::is_none), "{got:?}"),
            _ => distinct(&got),
        }
    }
    c.check().await;

    // Then the VMs deleted at once (their NICs stay, their addresses go back), then the NICs.
    for (ty, id) in [("VM", vm_id as fn(&str, &str) -> String), ("NIC", nic_id)] {
        let tasks = (0..8)
            .map(|i| {
                spawn_call(
                    c.at(i),
                    Method::DELETE,
                    at(&id("rg", &format!("d{i}"))),
                    None,
                )
            })
            .collect();
        for (st, body) in join(tasks).await {
            assert!(st.is_success(), "{ty} delete: {st} {body}");
        }
    }
    assert!(addresses(c).await.iter().all(Option::is_none));
    for i in 0..8 {
        let (st, _) = c.at(i).get(&at(&nic_id("rg", &format!("d{i}")))).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    assert_keyed(c, 48).await;
    c.check().await;
}

/// Six NICs racing for one public IP: one gets it, five `PublicIPAddressInUse`. Then eight
/// public IPs racing for the two places left under a quota of three: two winners with their
/// own addresses, six `PublicIPCountLimitReached`.
pub(super) async fn public_ip_races(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.2.0/24").await;
    let shared = pip_id("rg", "shared");
    create(c.at(0), &shared, pip_body()).await;
    let tasks = (0..6)
        .map(|i| {
            spawn_call(
                c.at(i),
                Method::PUT,
                at(&nic_id("rg", &format!("n{i}"))),
                Some(nic_body(
                    &subnet,
                    json!({"publicIPAddress": {"id": shared}}),
                )),
            )
        })
        .collect();
    let results = join(tasks).await;
    let winners: Vec<_> = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (st, body) in results.iter().filter(|(st, _)| *st != StatusCode::CREATED) {
        assert_error(*st, body, 400, "PublicIPAddressInUse");
    }

    let tasks = (0..8)
        .map(|i| {
            spawn_call(
                c.at(i),
                Method::PUT,
                at(&pip_id("rg", &format!("p{i}"))),
                Some(pip_body()),
            )
        })
        .collect();
    let mut addresses = BTreeSet::new();
    let mut refused = 0;
    for (st, body) in join(tasks).await {
        match st.as_u16() {
            201 => assert!(addresses.insert(body["properties"]["ipAddress"].to_string())),
            _ => {
                assert_error(st, &body, 400, "PublicIPCountLimitReached");
                refused += 1;
            }
        }
    }
    assert_eq!((addresses.len(), refused), (2, 6));
    c.check().await;
}
