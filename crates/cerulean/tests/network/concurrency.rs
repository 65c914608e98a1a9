//! Concurrent PUTs competing for scarce addresses: forty NICs filling a /27 (27 win, each
//! with its own address), and ten NICs each claiming one static private address or one
//! public IP (exactly one wins; on PostgreSQL a loser may get a 409). Nothing is handed out
//! twice, and what the server stored agrees with the answers.

use super::*;
use std::collections::HashSet;

pub(super) async fn parallel_fill_small_subnet(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[("small", &["10.0.0.0/27"])],
    )
    .await;
    let small = subnet_id("rg", "v", "small");
    let reqs = (0..40)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("nic{i}"))),
                nic_body(vec![ipc("ipconfig1", &small)]),
            )
        })
        .collect();
    let results = parallel_puts(s, reqs).await;
    let mut addrs = HashSet::new();
    let mut full = 0;
    for (st, body) in &results {
        match st.as_u16() {
            201 => {
                let a = private_ip(body, 0);
                assert!(in_prefix(&a, "10.0.0.0/27"), "{a}");
                let last: u8 = a.rsplit('.').next().unwrap().parse().unwrap();
                assert!((4..=30).contains(&last), "{a} is reserved");
                assert!(addrs.insert(a.clone()), "{a} handed out twice");
            }
            400 => {
                assert_eq!(body["error"]["code"], "SubnetIsFull", "{body}");
                full += 1;
            }
            _ => panic!("unexpected {st}: {body}"),
        }
    }
    assert_eq!(addrs.len(), 27, "a /27 holds 27 NICs");
    assert_eq!(full, 13);
    // What the server stored agrees.
    let (_, sn) = s.get(&at(&small)).await;
    assert_eq!(ids(&sn["properties"]["ipConfigurations"]).len(), 27);
    let (_, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    let stored: HashSet<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| private_ip(n, 0))
        .collect();
    assert_eq!(stored, addrs);
}

pub(super) async fn parallel_same_static_ip(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let reqs = (0..10)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("nic{i}"))),
                nic_body(vec![ipc_with(
                    "ipconfig1",
                    &web,
                    json!({"privateIPAllocationMethod": "Static", "privateIPAddress": "10.0.1.20"}),
                )]),
            )
        })
        .collect();
    let pg = on_postgres(s).await;
    let results = parallel_puts(s, reqs).await;
    let mut winners = Vec::new();
    for (i, (st, body)) in results.iter().enumerate() {
        match (st.as_u16(), body["error"]["code"].as_str()) {
            (201, _) => {
                assert_eq!(private_ip(body, 0), "10.0.1.20");
                winners.push(i);
            }
            (400, Some("PrivateIPAddressInUse")) => {
                assert_contains(body["error"]["message"].as_str().unwrap(), "10.0.1.20");
            }
            (409, Some("AnotherOperationInProgress")) if pg => {}
            _ => panic!("unexpected {st}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = config_id("rg", &format!("nic{}", winners[0]), "ipconfig1");
    let (_, sn) = s.get(&at(&web)).await;
    assert_eq!(ids(&sn["properties"]["ipConfigurations"]), [winner]);
    let (_, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(names(&list).len(), 1);
}

pub(super) async fn parallel_same_public_ip(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let (pip, _) = standard_pip(s, "rg", "shared").await;
    let reqs = (0..10)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("nic{i}"))),
                nic_body(vec![ipc_with(
                    "ipconfig1",
                    &web,
                    json!({"publicIPAddress": {"id": pip}}),
                )]),
            )
        })
        .collect();
    let winner = one_winner(s, reqs, "PublicIPAddressInUse").await;
    let (_, got) = s.get(&at(&pip)).await;
    assert_eq!(
        got["properties"]["ipConfiguration"]["id"],
        config_id("rg", &format!("nic{winner}"), "ipconfig1")
    );
    // Losers left no address behind: the next NIC gets the address after the winner's.
    let (_, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(names(&list).len(), 1);
    assert_eq!(dynamic_nic(s, "rg", "after", &web).await, "10.0.1.5");
}

/// Sends the racing PUTs `reqs` at once and returns the index of the one that won (201): every
/// other must lose with 400 `code`, or on PostgreSQL with 409 `AnotherOperationInProgress`
/// (the store's own race).
pub(super) async fn one_winner(s: &Server, reqs: Vec<(String, Value)>, code: &str) -> usize {
    one_winner_with(s, reqs, 400, code).await
}

/// [`one_winner`] where the losers' refusal is `status` with `code`.
pub(super) async fn one_winner_with(
    s: &Server,
    reqs: Vec<(String, Value)>,
    status: u16,
    code: &str,
) -> usize {
    let pg = on_postgres(s).await;
    let results = parallel_puts(s, reqs).await;
    let mut winners = Vec::new();
    for (i, (st, body)) in results.iter().enumerate() {
        match (st.as_u16(), body["error"]["code"].as_str()) {
            (201, _) => winners.push(i),
            (st, Some(c)) if st == status && c == code => {}
            (409, Some("AnotherOperationInProgress")) if pg => {}
            _ => panic!("unexpected {st}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "{results:?}");
    winners[0]
}
