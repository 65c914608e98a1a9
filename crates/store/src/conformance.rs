//! The one test suite every adapter must pass. Each adapter's test file instantiates it with
//! [`crate::conformance_suite!`], giving an expression that opens a fresh, empty store.

use crate::{read, write, ListQuery, Record, Scope, Store, StoreError};
use cerulean_domain::operation::{Operation, OperationStatus};
use cerulean_domain::subscription::Subscription;
use std::sync::Arc;

fn rec(group: &str, kind: &str, name: &str) -> Record {
    let id = format!("/subscriptions/S1/resourceGroups/{group}/providers/{kind}/{name}");
    Record {
        key: id.to_lowercase(),
        id,
        kind: kind.to_lowercase(),
        subscription: "s1".into(),
        group_key: Some(format!(
            "/subscriptions/s1/resourcegroups/{}",
            group.to_lowercase()
        )),
        body: format!("{{\"name\":\"{name}\"}}"),
        etag: "W/\"1\"".into(),
    }
}

async fn put(store: &dyn Store, r: Record) -> Result<(), StoreError> {
    write(store, move |tx| tx.put(&r)).await
}

async fn get(store: &dyn Store, key: &str) -> Option<Record> {
    let key = key.to_string();
    read(store, move |tx| tx.get(&key)).await.unwrap()
}

pub async fn put_get_replace_delete(store: Arc<dyn Store>) {
    let r = rec("Rg", "Microsoft.Network/networkInterfaces", "Nic1");
    put(&*store, r.clone()).await.unwrap();
    assert_eq!(get(&*store, &r.key).await.as_ref(), Some(&r));
    let mut r2 = r.clone();
    r2.body = "{}".into();
    r2.etag = "W/\"2\"".into();
    put(&*store, r2.clone()).await.unwrap();
    assert_eq!(get(&*store, &r.key).await, Some(r2));
    let key = r.key.clone();
    assert!(write(&*store, move |tx| tx.delete(&key)).await.unwrap());
    let key = r.key.clone();
    assert!(!write(&*store, move |tx| tx.delete(&key)).await.unwrap());
    assert_eq!(get(&*store, &r.key).await, None);
}

pub async fn insert_refuses_an_existing_key(store: Arc<dyn Store>) {
    let r = rec("rg", "Microsoft.Network/virtualNetworks", "v");
    let r1 = r.clone();
    write(&*store, move |tx| tx.insert(&r1)).await.unwrap();
    let r2 = r.clone();
    let err = write(&*store, move |tx| tx.insert(&r2)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
}

pub async fn a_failed_job_leaves_nothing_behind(store: Arc<dyn Store>) {
    let a = rec("rg", "Microsoft.Network/virtualNetworks", "a");
    let b = rec("rg", "Microsoft.Network/virtualNetworks", "b");
    let (a1, b1) = (a.clone(), b.clone());
    let r: Result<(), StoreError> = write(&*store, move |tx| {
        tx.put(&a1)?;
        tx.put(&b1)?;
        Err(StoreError::Backend("rule refused".into()))
    })
    .await;
    assert!(r.is_err());
    assert_eq!(get(&*store, &a.key).await, None);
    assert_eq!(get(&*store, &b.key).await, None);
}

pub async fn concurrent_jobs_commit_or_roll_back_independently(store: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for i in 0..64usize {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let r = rec(
                "rg",
                "Microsoft.Network/networkInterfaces",
                &format!("nic{i}"),
            );
            write(&*store, move |tx| {
                tx.put(&r)?;
                if !i.is_multiple_of(2) {
                    return Err(StoreError::Backend("odd ones fail".into()));
                }
                Ok(())
            })
            .await
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.await.unwrap().is_ok(), i.is_multiple_of(2));
    }
    let all = read(&*store, |tx| {
        tx.list(&ListQuery {
            scope: Scope::Group("/subscriptions/s1/resourcegroups/rg"),
            kind: None,
            after: None,
            limit: 1000,
        })
    })
    .await
    .unwrap();
    assert_eq!(all.len(), 32);
    assert!(all.iter().all(|r| {
        let n: usize = r.id.rsplit("nic").next().unwrap().parse().unwrap();
        n.is_multiple_of(2)
    }));
}

pub async fn racing_inserts_of_one_key_have_one_winner(store: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for _ in 0..16 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let r = rec("rg", "Microsoft.Network/publicIPAddresses", "ip");
            write(&*store, move |tx| {
                if tx.get(&r.key)?.is_some() {
                    return Err(StoreError::Conflict {
                        constraint: "exists".into(),
                    });
                }
                tx.insert(&r)
            })
            .await
        }));
    }
    let mut wins = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(()) => wins += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(wins, 1);
}

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

pub async fn operations_and_subscriptions_round_trip(store: Arc<dyn Store>) {
    let op = Operation {
        id: "op-1".into(),
        subscription: "s1".into(),
        namespace: "Microsoft.Network".into(),
        location: "eastus".into(),
        resource_id: "/subscriptions/s1/resourceGroups/rg".into(),
        outcome: OperationStatus::Failed,
        error: Some(cerulean_domain::operation::OperationError {
            code: "NicInUse".into(),
            message: "m".into(),
        }),
        result: Some("{}".into()),
        started_at_ms: 1,
        done_at_ms: 2,
    };
    let o = op.clone();
    write(&*store, move |tx| tx.put_operation(&o))
        .await
        .unwrap();
    let got = read(&*store, |tx| tx.get_operation("op-1")).await.unwrap();
    assert_eq!(got, Some(op));
    assert_eq!(
        read(&*store, |tx| tx.get_operation("nope")).await.unwrap(),
        None
    );

    let s = Subscription::from_arg("AAAA=Team");
    let s1 = s.clone();
    write(&*store, move |tx| tx.put_subscription(&s1))
        .await
        .unwrap();
    let s1 = s.clone();
    write(&*store, move |tx| tx.put_subscription(&s1))
        .await
        .unwrap();
    assert_eq!(
        read(&*store, |tx| tx.list_subscriptions()).await.unwrap(),
        vec![s]
    );
}

pub async fn reset_drops_resources_and_operations_but_not_subscriptions(store: Arc<dyn Store>) {
    let r = rec("rg", "Microsoft.Network/networkInterfaces", "n");
    put(&*store, r.clone()).await.unwrap();
    let s = Subscription::default_subscription();
    write(&*store, move |tx| tx.put_subscription(&s))
        .await
        .unwrap();
    write(&*store, |tx| tx.reset()).await.unwrap();
    assert_eq!(get(&*store, &r.key).await, None);
    assert_eq!(
        read(&*store, |tx| tx.list_subscriptions())
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn close_finishes_queued_writes_then_refuses(store: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            put(
                &*store,
                rec(
                    "rg",
                    "Microsoft.Network/networkInterfaces",
                    &format!("c{i}"),
                ),
            )
            .await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    store.close().await;
    let err = put(
        &*store,
        rec("rg", "Microsoft.Network/networkInterfaces", "late"),
    )
    .await
    .unwrap_err();
    assert_eq!(err, StoreError::Closed);
}

/// Expands to one `#[tokio::test]` per suite case; `$open` must evaluate to a fresh
/// `Arc<dyn Store>`.
#[macro_export]
macro_rules! conformance_suite {
    ($open:expr) => {
        $crate::conformance_suite!(@cases $open;
            put_get_replace_delete,
            insert_refuses_an_existing_key,
            a_failed_job_leaves_nothing_behind,
            concurrent_jobs_commit_or_roll_back_independently,
            racing_inserts_of_one_key_have_one_winner,
            lists_by_scope_kind_and_page,
            operations_and_subscriptions_round_trip,
            reset_drops_resources_and_operations_but_not_subscriptions,
            close_finishes_queued_writes_then_refuses
        );
    };
    (@cases $open:expr; $($case:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let store: std::sync::Arc<dyn $crate::Store> = $open;
                $crate::conformance::$case(store).await;
            }
        )*
    };
}
