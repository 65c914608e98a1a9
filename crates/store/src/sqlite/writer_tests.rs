//! Closing the store: the writer's inbox has two senders (the store and the `answers`
//! thread), so the writer stops on the store's `Close`, not on a disconnect, and only after
//! every job sent before it was committed, synced and answered.

use super::super::scratch::scratch;
use super::super::{SqliteMode, SqliteStore};
use crate::{Job, Record, Store, StoreError, Tx};
use std::time::Duration;

/// A writer that missed its `Close` would keep these tests waiting forever: they fail instead.
const PATIENCE: Duration = Duration::from_secs(30);

fn key(i: usize) -> String {
    format!("/subscriptions/s1/resourcegroups/g/providers/microsoft.network/networkinterfaces/n{i}")
}

fn put(i: usize) -> Job {
    Box::new(move |tx: &mut dyn Tx| {
        tx.put(&Record {
            key: key(i),
            id: key(i),
            kind: "microsoft.network/networkinterfaces".into(),
            subscription: "s1".into(),
            group_key: Some("/subscriptions/s1/resourcegroups/g".into()),
            location: Some("eastus".into()),
            body: "{}".into(),
            etag: "W/\"1\"".into(),
        })
        .is_ok()
    })
}

#[tokio::test]
async fn closing_answers_every_job_sent_before_it_then_refuses() {
    const JOBS: usize = 300;
    let (dir, _) = scratch();
    let store = SqliteStore::open(SqliteMode::Durable(dir.0.clone())).unwrap();
    // `run_write` sends its job when called: all of them are queued (or running, or
    // syncing) when the store closes.
    let pending: Vec<_> = (0..JOBS).map(|i| store.run_write(put(i))).collect();
    tokio::time::timeout(PATIENCE, store.close())
        .await
        .expect("the writer stops");
    for (i, p) in pending.into_iter().enumerate() {
        assert_eq!(p.await, Ok(()), "job {i}");
    }
    assert_eq!(
        store.run_write(Box::new(|_| true)).await,
        Err(StoreError::Closed)
    );
    drop(store);

    let reopened = SqliteStore::open(SqliteMode::Durable(dir.0.clone())).unwrap();
    let found = crate::read(&reopened, |tx: &mut dyn Tx| {
        (0..JOBS)
            .map(|i| tx.get(&key(i)).map(|r| r.is_some()))
            .collect::<Result<Vec<bool>, StoreError>>()
    })
    .await
    .unwrap();
    assert!(found.iter().all(|&f| f), "every answered job was stored");
    reopened.close().await;
}

#[tokio::test]
async fn dropping_the_store_stops_the_writer() {
    let (dir, _) = scratch();
    let store = SqliteStore::open(SqliteMode::Durable(dir.0.clone())).unwrap();
    assert_eq!(store.run_write(put(0)).await, Ok(()));
    let writer = store.writer_thread.lock().unwrap().take().unwrap();
    drop(store);
    // The join returns once the writer saw `Close` (the `answers` thread's sender alone
    // would keep the channel open forever).
    let joined = tokio::task::spawn_blocking(move || writer.join().unwrap());
    tokio::time::timeout(PATIENCE, joined)
        .await
        .expect("the writer stops")
        .unwrap();
}
