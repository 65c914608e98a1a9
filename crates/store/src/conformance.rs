//! The one test suite every adapter must pass. Each adapter's test file instantiates it with
//! [`crate::conformance_suite!`], giving an expression that opens a fresh, empty store.

mod authz;
pub use authz::*;

use crate::{read, write, ListQuery, Record, Scope, Store, StoreError, UNIQUE_ADDRESS};
use cerulean_domain::operation::{Operation, OperationStatus};
use cerulean_domain::subscription::Subscription;
use std::sync::Arc;

mod secrets;
pub use secrets::*;
mod books;
mod lists;
mod locks;
mod refs;
mod replace;
mod runs;
pub use books::*;
pub use lists::*;
pub use locks::*;
pub use refs::*;
pub use replace::*;
pub use runs::*;

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
        location: Some("eastus".into()),
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

async fn exists(store: &dyn Store, key: &str) -> bool {
    let key = key.to_string();
    read(store, move |tx| tx.exists(&key)).await.unwrap()
}

pub async fn put_get_replace_delete(store: Arc<dyn Store>) {
    let r = rec("Rg", "Microsoft.Network/networkInterfaces", "Nic1");
    assert!(!exists(&*store, &r.key).await);
    put(&*store, r.clone()).await.unwrap();
    assert_eq!(get(&*store, &r.key).await.as_ref(), Some(&r));
    assert!(exists(&*store, &r.key).await);
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
    assert!(!exists(&*store, &r.key).await);
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

/// Jobs that land in one commit with refusing ones keep exactly their own effects: a job that
/// ran, was undone with its batch and ran again counts once.
pub async fn refused_jobs_do_not_double_their_neighbours(store: Arc<dyn Store>) {
    let mut handles = Vec::new();
    for i in 0..48usize {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            write(&*store, move |tx| {
                let n = tx.next_counter("kept")?;
                if i % 4 == 3 {
                    return Err(StoreError::Backend(format!(
                        "refused after counting to {n}"
                    )));
                }
                Ok(n)
            })
            .await
        }));
    }
    let mut kept = Vec::new();
    for (i, h) in handles.into_iter().enumerate() {
        match h.await.unwrap() {
            Ok(n) => kept.push(n),
            Err(_) => assert_eq!(i % 4, 3, "job {i} failed"),
        }
    }
    assert_eq!(kept.len(), 36);
    kept.sort_unstable();
    // Every kept job saw its own increment, and nobody else's was lost or doubled.
    assert_eq!(kept, (1..=36).collect::<Vec<i64>>());
    let next = write(&*store, |tx| tx.next_counter("kept")).await.unwrap();
    assert_eq!(next, 37);
}

/// Every write job is counted once, refused or kept, however the store batches them; reads
/// are not writes.
pub async fn write_stats_count_every_job(store: Arc<dyn Store>) {
    let before = store.write_stats();
    let handles: Vec<_> = (0..40usize)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                write(&*store, move |tx| {
                    tx.next_counter("stats")?;
                    if i % 5 == 0 {
                        return Err(StoreError::Backend("refused".into()));
                    }
                    Ok(())
                })
                .await
            })
        })
        .collect();
    for h in handles {
        let _ = h.await.unwrap();
    }
    read(&*store, |tx| tx.count_by_kind()).await.unwrap();
    let after = store.write_stats();
    assert_eq!(after.jobs - before.jobs, 40, "{before:?} {after:?}");
    let commits = after.commits - before.commits;
    assert!((1..=40).contains(&commits), "{before:?} {after:?}");
    if let (Some(b), Some(a)) = (before.writer_busy_us, after.writer_busy_us) {
        assert!(a > b, "{before:?} {after:?}");
    }
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
        returns_resource: true,
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

pub async fn address_book_state_round_trips(store: Arc<dyn Store>) {
    let big: u128 = (1u128 << 64) + 5;
    write(&*store, move |tx| {
        assert_eq!(tx.ipam_mark("s")?, 0);
        tx.ipam_set_mark("s", 10)?;
        tx.ipam_set_mark("s", big)?;
        tx.ipam_claim("s", 4, "/a")?;
        tx.ipam_claim("s", big - 1, "/b")?;
        tx.ipam_add_released("s", 9)?;
        tx.ipam_add_released("s", 7)?;
        tx.ipam_add_released("s", 7)?;
        tx.ipam_add_released("s", 300)?;
        Ok::<_, StoreError>(())
    })
    .await
    .unwrap();
    let (mark, low, owner, used) = read(&*store, move |tx| {
        Ok::<_, StoreError>((
            tx.ipam_mark("s")?,
            tx.ipam_lowest_released("s")?,
            tx.ipam_owner("s", big - 1)?,
            tx.ipam_used("s")?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(mark, big);
    assert_eq!(
        low,
        Some(7),
        "numeric order, not text order of short numbers"
    );
    assert_eq!(owner.as_deref(), Some("/b"));
    assert_eq!(used, 2);
    let holders = read(&*store, |tx| {
        Ok::<_, StoreError>((
            tx.ipam_holders("s", 10)?,
            tx.ipam_holders("s", 1)?,
            tx.ipam_holders("t", 10)?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(
        holders,
        (
            vec![(4, "/a".to_string()), (big - 1, "/b".to_string())],
            vec![(4, "/a".to_string())],
            vec![],
        ),
        "in offset order, at most the limit, of that subnet only"
    );
    let removed = write(&*store, |tx| {
        let a = tx.ipam_remove_released("s", 7)?;
        let b = tx.ipam_remove_released("s", 7)?;
        tx.ipam_free("s", 4)?;
        Ok::<_, StoreError>((a, b, tx.ipam_lowest_released("s")?, tx.ipam_owner("s", 4)?))
    })
    .await
    .unwrap();
    assert_eq!(removed, (true, false, Some(9), None));
    // A conditional claim takes a free address and leaves a held one to its holder.
    let claims = write(&*store, move |tx| {
        Ok::<_, StoreError>((
            tx.ipam_claim_if_free("s", 4, "/d")?,
            tx.ipam_claim_if_free("s", big - 1, "/e")?,
            tx.ipam_owner("s", 4)?,
            tx.ipam_owner("s", big - 1)?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(
        claims,
        (true, false, Some("/d".to_string()), Some("/b".to_string()))
    );
    write(&*store, |tx| tx.ipam_free("s", 4)).await.unwrap();
    // One address, one owner: the store refuses a second claim.
    let err = write(&*store, move |tx| tx.ipam_claim("s", big - 1, "/c"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            constraint: UNIQUE_ADDRESS.into()
        }
    );
    write(&*store, |tx| tx.ipam_drop("s")).await.unwrap();
    let after = read(&*store, |tx| {
        Ok::<_, StoreError>((tx.ipam_mark("s")?, tx.ipam_used("s")?))
    })
    .await
    .unwrap();
    assert_eq!(after, (0, 0));
}

pub async fn counters_count_up_and_regions_count(store: Arc<dyn Store>) {
    let vals = write(&*store, |tx| {
        Ok::<_, StoreError>((
            tx.next_counter("mac")?,
            tx.next_counter("mac")?,
            tx.next_counter("other")?,
        ))
    })
    .await
    .unwrap();
    assert_eq!(vals, (1, 2, 1));
    let mut west = rec("rg", "Microsoft.Network/publicIPAddresses", "w");
    west.location = Some("westus".into());
    put(&*store, west).await.unwrap();
    put(
        &*store,
        rec("rg", "Microsoft.Network/publicIPAddresses", "e1"),
    )
    .await
    .unwrap();
    put(
        &*store,
        rec("rg", "Microsoft.Network/publicIPAddresses", "e2"),
    )
    .await
    .unwrap();
    let n = read(&*store, |tx| {
        tx.count_in_region("s1", "microsoft.network/publicipaddresses", "eastus")
    })
    .await
    .unwrap();
    assert_eq!(n, 2);
}

pub async fn a_panicking_job_fails_alone(store: Arc<dyn Store>) {
    let r: Result<(), StoreError> = write(&*store, |tx| {
        tx.put(&rec("rg", "Microsoft.Network/networkInterfaces", "doomed"))?;
        panic!("a bug in a rule");
    })
    .await;
    assert!(r.is_err());
    // The store still takes writes, and nothing of the panicking job remains.
    put(
        &*store,
        rec("rg", "Microsoft.Network/networkInterfaces", "after"),
    )
    .await
    .unwrap();
    let doomed = rec("rg", "Microsoft.Network/networkInterfaces", "doomed");
    assert_eq!(get(&*store, &doomed.key).await, None);
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
            refused_jobs_do_not_double_their_neighbours,
            write_stats_count_every_job,
            racing_inserts_of_one_key_have_one_winner,
            lists_by_scope_kind_and_page,
            group_lists_keep_to_their_group,
            subscription_lists_hold_each_record_once_in_key_order,
            lists_give_back_whole_records,
            regions_count_across_a_subscriptions_groups,
            a_record_outside_its_subscription_is_refused,
            operations_and_subscriptions_round_trip,
            reset_drops_resources_and_operations_but_not_subscriptions,
            close_finishes_queued_writes_then_refuses,
            references_replace_per_owner_and_exclusive_ones_conflict,
            references_to_a_key_range,
            address_book_state_round_trips,
            counters_count_up_and_regions_count,
            a_panicking_job_fails_alone,
            secrets_insert_once_take_once_and_survive_reset,
            racing_secret_inserts_agree_on_one_value,
            racing_secret_takes_have_one_winner,
            secrets_prune_by_expiry_and_count_by_prefix,
            runs_of_a_server_without_a_lease_are_orphaned,
            reset_forgets_runs_but_not_leases,
            address_books_with_any_state_are_listed,
            combined_allocation_steps_answer_as_their_parts,
            role_assignments_round_trip_and_outlive_a_reset,
            one_assignment_per_name_and_per_grant,
            racing_grants_have_one_winner,
            custom_roles_round_trip_and_outlive_a_reset,
            one_custom_role_per_name_in_a_tenant,
            keyed_writers_of_one_key_take_turns,
            a_writer_without_keys_runs_alone,
            a_shared_key_excludes_its_exclusive_holder,
            keys_in_any_order_do_not_deadlock,
            a_replace_writes_over_the_record_read,
            a_replace_over_a_later_write_changes_nothing,
            a_replace_after_the_jobs_own_write_goes_through,
            replace_loses_no_update_to_writers_without_a_common_key
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
