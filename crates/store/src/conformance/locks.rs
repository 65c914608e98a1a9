//! Keyed writes (`Store::run_write_keyed`): writers of one key take turns, a writer without
//! keys runs alone, a shared key excludes its exclusive holder, and keys declared in any
//! order never deadlock. Each case races
//! read-modify-write jobs that widen their window with a short sleep; a missing lock shows as
//! a lost update.

use super::rec;
use crate::{read, write, write_keyed, Keys, Record, Store, StoreError, Tx};
use std::sync::Arc;
use std::time::Duration;

const KIND: &str = "Microsoft.Network/networkInterfaces";

/// Reads the counter in `r`'s body, sleeps, writes it back plus one.
fn bump(tx: &mut dyn Tx, r: &Record) -> Result<(), StoreError> {
    let n: u64 = match tx.get(&r.key)? {
        Some(cur) => cur.body.parse().unwrap_or(0),
        None => 0,
    };
    std::thread::sleep(Duration::from_millis(2));
    let mut next = r.clone();
    next.body = (n + 1).to_string();
    tx.put(&next)
}

async fn count(store: &dyn Store, r: &Record) -> u64 {
    let key = r.key.clone();
    read(store, move |tx| tx.get(&key))
        .await
        .unwrap()
        .map_or(0, |r| r.body.parse().unwrap())
}

pub async fn keyed_writers_of_one_key_take_turns(store: Arc<dyn Store>) {
    let r = rec("rg", KIND, "counted");
    let mut handles = Vec::new();
    for _ in 0..8 {
        let (store, r) = (store.clone(), r.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..5 {
                let r = r.clone();
                write_keyed(&*store, Keys::exclusive(vec![r.key.clone()]), move |tx| {
                    bump(tx, &r)
                })
                .await
                .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(count(&*store, &r).await, 40);
}

pub async fn a_writer_without_keys_runs_alone(store: Arc<dyn Store>) {
    // Keyed writers each declare a key of their own (so they do not exclude one another),
    // yet all bump one record: only the unkeyed writers' exclusion keeps them from losing
    // updates against those. The keyed ones bump their own records.
    let shared = rec("rg", KIND, "shared");
    let mut handles = Vec::new();
    for i in 0..4 {
        let (store, shared) = (store.clone(), shared.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..5 {
                let own = rec("rg", KIND, &format!("own{i}"));
                let s = shared.clone();
                write_keyed(&*store, Keys::exclusive(vec![own.key.clone()]), move |tx| {
                    bump(tx, &own)?;
                    tx.get(&s.key).map(|_| ())
                })
                .await
                .unwrap();
                let s = shared.clone();
                write(&*store, move |tx| bump(tx, &s)).await.unwrap();
            }
        }));
    }
    // And keyed writers on the shared record's key, racing the unkeyed ones.
    for _ in 0..4 {
        let (store, shared) = (store.clone(), shared.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..5 {
                let s = shared.clone();
                write_keyed(&*store, Keys::exclusive(vec![s.key.clone()]), move |tx| {
                    bump(tx, &s)
                })
                .await
                .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(count(&*store, &shared).await, 40);
    for i in 0..4 {
        assert_eq!(
            count(&*store, &rec("rg", KIND, &format!("own{i}"))).await,
            5
        );
    }
}

pub async fn keys_in_any_order_do_not_deadlock(store: Arc<dyn Store>) {
    let (a, b) = (rec("rg", KIND, "a"), rec("rg", KIND, "b"));
    let mut handles = Vec::new();
    for i in 0..8 {
        let (store, a, b) = (store.clone(), a.clone(), b.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..4 {
                // Declared in opposite orders, bumped in opposite orders.
                let keys = if i % 2 == 0 {
                    vec![a.key.clone(), b.key.clone()]
                } else {
                    vec![b.key.clone(), a.key.clone()]
                };
                let (a, b) = (a.clone(), b.clone());
                write_keyed(&*store, Keys::exclusive(keys), move |tx| {
                    if i % 2 == 0 {
                        bump(tx, &a)?;
                        bump(tx, &b)
                    } else {
                        bump(tx, &b)?;
                        bump(tx, &a)
                    }
                })
                .await
                .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(count(&*store, &a).await, 32);
    assert_eq!(count(&*store, &b).await, 32);
}

pub async fn a_shared_key_excludes_its_exclusive_holder(store: Arc<dyn Store>) {
    // Writers in a group share its key and each bump their own record; the group's
    // "deletion" takes the key exclusively and bumps every one of those records without
    // declaring them: only the group key keeps it from losing updates against the others.
    let group = "/subscriptions/s1/resourcegroups/rg".to_string();
    let own: Vec<Record> = (0..4).map(|i| rec("rg", KIND, &format!("m{i}"))).collect();
    let mut handles = Vec::new();
    for r in own.clone() {
        let (store, group) = (store.clone(), group.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..5 {
                let keys = Keys {
                    exclusive: vec![r.key.clone()],
                    shared: vec![group.clone()],
                };
                let r = r.clone();
                write_keyed(&*store, keys, move |tx| bump(tx, &r))
                    .await
                    .unwrap();
            }
        }));
    }
    for _ in 0..2 {
        let (store, group, all) = (store.clone(), group.clone(), own.clone());
        handles.push(tokio::spawn(async move {
            for _ in 0..3 {
                // Named shared too: the exclusive declaration wins.
                let keys = Keys {
                    exclusive: vec![group.clone()],
                    shared: vec![group.clone()],
                };
                let all = all.clone();
                write_keyed(&*store, keys, move |tx| {
                    all.iter().try_for_each(|r| bump(tx, r))
                })
                .await
                .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    for r in &own {
        assert_eq!(count(&*store, r).await, 5 + 2 * 3);
    }
}
