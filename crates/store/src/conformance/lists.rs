//! Lists by group and by subscription: every record of the scope (and of the kind), each
//! once, in key order, whatever the page size, across groups whose names sort around one
//! another; a record outside its group's or its subscription's key range is refused.

use super::{get, put, rec};
use crate::{read, write, ListQuery, Record, Scope, Store, StoreError};
use std::sync::Arc;

pub async fn lists_by_scope_kind_and_page(store: Arc<dyn Store>) {
    for i in 0..25 {
        put(
            &*store,
            rec(
                "a",
                "Microsoft.Network/networkInterfaces",
                &format!("n{i:02}"),
            ),
        )
        .await
        .unwrap();
    }
    put(&*store, rec("a", "Microsoft.Network/virtualNetworks", "v"))
        .await
        .unwrap();
    put(
        &*store,
        rec("b", "Microsoft.Network/networkInterfaces", "other"),
    )
    .await
    .unwrap();

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let a = after.clone();
        let page = read(&*store, move |tx| {
            tx.list(&ListQuery {
                scope: Scope::Group("/subscriptions/s1/resourcegroups/a"),
                kind: Some("microsoft.network/networkinterfaces"),
                after: a.as_deref(),
                limit: 10,
            })
        })
        .await
        .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|r| r.key.clone());
        seen.extend(page.into_iter().map(|r| r.key));
    }
    assert_eq!(seen.len(), 25);
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "key order");

    let sub_all = read(&*store, |tx| {
        tx.list(&ListQuery {
            scope: Scope::Subscription("s1"),
            kind: Some("microsoft.network/networkinterfaces"),
            after: None,
            limit: 100,
        })
    })
    .await
    .unwrap();
    assert_eq!(sub_all.len(), 26);
    let counts = read(&*store, |tx| tx.count_by_kind()).await.unwrap();
    assert_eq!(
        counts,
        vec![
            ("microsoft.network/networkinterfaces".to_string(), 26),
            ("microsoft.network/virtualnetworks".to_string(), 1)
        ]
    );
}

/// A group's list holds its own records only (not a group whose name extends its name),
/// nested kinds included; a record whose key lies outside its group is refused.
pub async fn group_lists_keep_to_their_group(store: Arc<dyn Store>) {
    let subnet = |group: &str| {
        let mut r = rec(group, "Microsoft.Network/virtualNetworks", "v/subnets/s");
        r.kind = "microsoft.network/virtualnetworks/subnets".into();
        r
    };
    for r in [
        rec("a", "Microsoft.Network/networkInterfaces", "n1"),
        rec("a", "Microsoft.Network/virtualNetworks", "v"),
        subnet("a"),
        rec("ab", "Microsoft.Network/networkInterfaces", "n2"),
        subnet("ab"),
    ] {
        put(&*store, r).await.unwrap();
    }
    let names = |kind: Option<&'static str>| {
        let store = store.clone();
        async move {
            let page = read(&*store, move |tx| {
                tx.list(&ListQuery {
                    scope: Scope::Group("/subscriptions/s1/resourcegroups/a"),
                    kind,
                    after: None,
                    limit: 100,
                })
            })
            .await
            .unwrap();
            page.into_iter()
                .map(|r| r.key.rsplit("/providers/").next().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        names(None).await,
        [
            "microsoft.network/networkinterfaces/n1",
            "microsoft.network/virtualnetworks/v",
            "microsoft.network/virtualnetworks/v/subnets/s",
        ]
    );
    assert_eq!(
        names(Some("microsoft.network/networkinterfaces")).await,
        ["microsoft.network/networkinterfaces/n1"]
    );
    assert_eq!(
        names(Some("microsoft.network/virtualnetworks/subnets")).await,
        ["microsoft.network/virtualnetworks/v/subnets/s"]
    );

    let mut stray = rec("a", "Microsoft.Network/networkInterfaces", "n3");
    stray.group_key = Some("/subscriptions/s1/resourcegroups/b".into());
    let err = put(&*store, stray.clone()).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Backend(ref m) if m.contains("outside its group")),
        "{err:?}"
    );
    let err = write(&*store, move |tx| tx.insert(&stray))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert_eq!(
        get(
            &*store,
            "/subscriptions/s1/resourcegroups/a/providers/microsoft.network/networkinterfaces/n3"
        )
        .await,
        None
    );
}

const NIC: &str = "microsoft.network/networkinterfaces";
const VNET: &str = "microsoft.network/virtualnetworks";
const SUBNET: &str = "microsoft.network/virtualnetworks/subnets";
const GROUP: &str = "microsoft.resources/resourcegroups";
const DEPLOYMENT: &str = "microsoft.resources/deployments";
const DEPLOYMENT_OP: &str = "microsoft.resources/deployments/operations";

/// A record as the application stores one: key, kind, subscription and group from its id.
fn at(id: &str, kind: &str, location: &str) -> Record {
    let key = id.to_lowercase();
    let parts: Vec<&str> = key.split('/').collect();
    let group_key = match parts.get(3) {
        Some(&"resourcegroups") if parts.len() > 5 => Some(parts[..5].join("/")),
        _ => None,
    };
    Record {
        subscription: parts[2].to_string(),
        key,
        id: id.to_string(),
        kind: kind.to_string(),
        group_key,
        location: Some(location.to_string()),
        body: "{}".to_string(),
        etag: "W/\"1\"".to_string(),
    }
}

/// Groups whose names are prefixes of one another and sort on either side of `/` (`-` and
/// `.` before it, `0` and `a` after), records at subscription scope, nested kinds, and a
/// subscription whose id extends the listed one's.
fn records() -> Vec<Record> {
    let mut all = Vec::new();
    for (i, g) in ["r", "rg", "rg-2", "rg.x", "rg0", "rga", "empty"]
        .iter()
        .enumerate()
    {
        let group = format!("/subscriptions/S1/resourceGroups/{g}");
        all.push(at(&group, GROUP, "eastus"));
        if *g == "empty" {
            continue;
        }
        for n in 0..3 {
            let loc = if (i + n) % 2 == 0 { "eastus" } else { "westus" };
            all.push(at(
                &format!("{group}/providers/Microsoft.Network/networkInterfaces/nic-{n}"),
                NIC,
                loc,
            ));
        }
        let vnet = format!("{group}/providers/Microsoft.Network/virtualNetworks/v{i}");
        all.push(at(&format!("{vnet}/subnets/s"), SUBNET, "eastus"));
        all.push(at(&vnet, VNET, "eastus"));
    }
    let d = "/subscriptions/S1/providers/Microsoft.Resources/deployments/d";
    all.push(at(d, DEPLOYMENT, "eastus"));
    all.push(at(&format!("{d}/operations/o"), DEPLOYMENT_OP, "eastus"));
    for other in ["S10", "S0"] {
        let group = format!("/subscriptions/{other}/resourceGroups/rg");
        all.push(at(&group, GROUP, "eastus"));
        all.push(at(
            &format!("{group}/providers/Microsoft.Network/networkInterfaces/nic-0"),
            NIC,
            "eastus",
        ));
    }
    all
}

async fn list_all(store: &dyn Store, kind: Option<&'static str>, page: usize) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    // A list that does not move on would page forever: far more pages than records fail.
    for _ in 0..200 {
        let a = after.clone();
        let got = read(store, move |tx| {
            tx.list(&ListQuery {
                scope: Scope::Subscription("s1"),
                kind,
                after: a.as_deref(),
                limit: page,
            })
        })
        .await
        .unwrap();
        assert!(got.len() <= page);
        assert!(got.iter().all(|r| kind.is_none_or(|k| r.kind == k)));
        after = got.last().map(|r| r.key.clone());
        seen.extend(got.into_iter().map(|r| r.key));
        if after.is_none() {
            return seen;
        }
    }
    panic!(
        "pages of {page} ({kind:?}) did not end: {} keys seen",
        seen.len()
    );
}

pub async fn subscription_lists_hold_each_record_once_in_key_order(store: Arc<dyn Store>) {
    let all = records();
    for r in all.clone() {
        write(&*store, move |tx| tx.put(&r)).await.unwrap();
    }
    for kind in [
        None,
        Some(NIC),
        Some(VNET),
        Some(SUBNET),
        Some(GROUP),
        Some(DEPLOYMENT),
        Some(DEPLOYMENT_OP),
        Some("microsoft.compute/virtualmachines"),
    ] {
        let mut want: Vec<String> = all
            .iter()
            .filter(|r| r.subscription == "s1" && kind.is_none_or(|k| r.kind == k))
            .map(|r| r.key.clone())
            .collect();
        want.sort();
        for page in [1, 2, 3, 1000] {
            assert_eq!(
                list_all(&*store, kind, page).await,
                want,
                "kind {kind:?}, pages of {page}"
            );
        }
    }
}

/// A list gives back each record whole, every field as written, for each shape of query (by
/// group or subscription, with a kind or without): a store may leave out of its query the
/// fields the query pins, and must then fill them in right.
pub async fn lists_give_back_whole_records(store: Arc<dyn Store>) {
    let mut all = records();
    for (i, r) in all.iter_mut().enumerate() {
        r.body = format!("{{\"n\":{i}}}");
        r.etag = format!("W/\"{i}\"");
        if i % 3 == 0 {
            r.location = None;
        }
    }
    for r in all.clone() {
        write(&*store, move |tx| tx.put(&r)).await.unwrap();
    }
    let group = "/subscriptions/s1/resourcegroups/rg";
    for (scope, kind) in [
        (Scope::Group(group), Some(NIC)),
        (Scope::Group(group), None),
        (Scope::Subscription("s1"), Some(NIC)),
        (Scope::Subscription("s1"), Some(GROUP)),
        (Scope::Subscription("s1"), None),
    ] {
        let mut want: Vec<Record> = all
            .iter()
            .filter(|r| match scope {
                Scope::Group(g) => r.group_key.as_deref() == Some(g),
                Scope::Subscription(s) => r.subscription == s,
            })
            .filter(|r| kind.is_none_or(|k| r.kind == k))
            .cloned()
            .collect();
        want.sort_by(|a, b| a.key.cmp(&b.key));
        assert!(!want.is_empty(), "{scope:?} {kind:?} lists something");
        let got = read(&*store, move |tx| {
            tx.list(&ListQuery {
                scope,
                kind,
                after: None,
                limit: 1000,
            })
        })
        .await
        .unwrap();
        assert_eq!(got, want, "{scope:?} {kind:?}");
    }
}

pub async fn regions_count_across_a_subscriptions_groups(store: Arc<dyn Store>) {
    let all = records();
    for r in all.clone() {
        write(&*store, move |tx| tx.put(&r)).await.unwrap();
    }
    for (kind, location) in [
        (NIC, "eastus"),
        (NIC, "westus"),
        (GROUP, "eastus"),
        (SUBNET, "eastus"),
        (DEPLOYMENT, "eastus"),
        (VNET, "westus"),
    ] {
        let want = all
            .iter()
            .filter(|r| {
                r.subscription == "s1" && r.kind == kind && r.location.as_deref() == Some(location)
            })
            .count() as i64;
        let n = read(&*store, move |tx| tx.count_in_region("s1", kind, location))
            .await
            .unwrap();
        assert_eq!(n, want, "{kind} in {location}");
    }
}

/// A record whose key lies outside its subscription's range would be missed by the lists
/// above: stores refuse it.
pub async fn a_record_outside_its_subscription_is_refused(store: Arc<dyn Store>) {
    let mut stray = at(
        "/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n",
        NIC,
        "eastus",
    );
    stray.subscription = "s2".into();
    let r = stray.clone();
    let err = write(&*store, move |tx| tx.put(&r)).await.unwrap_err();
    assert!(
        err.to_string().contains("outside its subscription"),
        "{err}"
    );
    let mut odd = at("/subscriptions/S1/somewhere/else", NIC, "eastus");
    odd.group_key = None;
    let err = write(&*store, move |tx| tx.insert(&odd)).await.unwrap_err();
    assert!(
        err.to_string().contains("outside its subscription"),
        "{err}"
    );
    let key = stray.key.clone();
    assert_eq!(read(&*store, move |tx| tx.get(&key)).await.unwrap(), None);
}
