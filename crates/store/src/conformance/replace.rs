//! `Tx::replace`, the write of a read-modify-write: it writes over the record read, refuses
//! (for a retry) when another write came between, and is the database's own defence against
//! a lost update when the locks a write declared miss the record it changes.

use super::rec;
use crate::{read, write, write_keyed, Keys, Record, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

const KIND: &str = "Microsoft.Network/networkInterfaces";

fn with(r: &Record, body: &str, etag: &str) -> Record {
    let mut next = r.clone();
    next.body = body.into();
    next.etag = etag.into();
    next
}

async fn stored(store: &dyn Store, key: &str) -> Option<Record> {
    let key = key.to_string();
    read(store, move |tx| tx.get(&key)).await.unwrap()
}

pub async fn a_replace_writes_over_the_record_read(store: Arc<dyn Store>) {
    let r = rec("rg", KIND, "n");
    let r1 = r.clone();
    write(&*store, move |tx| tx.put(&r1)).await.unwrap();
    let key = r.key.clone();
    let next = with(&r, "{\"v\":2}", "e2");
    let n = next.clone();
    write(&*store, move |tx| {
        let cur = tx.get(&key)?.expect("stored");
        tx.replace(&n, &cur.etag)
    })
    .await
    .unwrap();
    assert_eq!(stored(&*store, &r.key).await, Some(next));
}

pub async fn a_replace_over_a_later_write_changes_nothing(store: Arc<dyn Store>) {
    let r = rec("rg", KIND, "n");
    let read_etag = r.etag.clone();
    let r1 = r.clone();
    write(&*store, move |tx| tx.put(&r1)).await.unwrap();
    // Another write after the read (here: in a transaction of its own).
    let later = with(&r, "{\"by\":\"later\"}", "e2");
    let l = later.clone();
    write(&*store, move |tx| tx.put(&l)).await.unwrap();
    let stale = with(&r, "{\"by\":\"stale\"}", "e3");
    let (s, e) = (stale.clone(), read_etag.clone());
    let err = write(&*store, move |tx| tx.replace(&s, &e))
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Retry);
    assert_eq!(stored(&*store, &r.key).await, Some(later));
    // A record gone since the read is not brought back.
    let key = r.key.clone();
    write(&*store, move |tx| tx.delete(&key)).await.unwrap();
    let err = write(&*store, move |tx| tx.replace(&stale, "e2"))
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Retry);
    assert_eq!(stored(&*store, &r.key).await, None);
}

pub async fn a_replace_after_the_jobs_own_write_goes_through(store: Arc<dyn Store>) {
    let r = rec("rg", KIND, "n");
    let r1 = r.clone();
    write(&*store, move |tx| tx.put(&r1)).await.unwrap();
    let last = with(&r, "{\"v\":3}", "e3");
    let (key, l) = (r.key.clone(), last.clone());
    let first = with(&r, "{\"v\":2}", "e2");
    write(&*store, move |tx| {
        let cur = tx.get(&key)?.expect("stored");
        tx.replace(&first, &cur.etag)?;
        // The job writes again from what it read first: its own write is no other's change.
        tx.replace(&l, &cur.etag)
    })
    .await
    .unwrap();
    assert_eq!(stored(&*store, &r.key).await, Some(last));
}

/// Writers that declare no common key (a missing lock) all bump one record through
/// `replace`: where they run side by side the losers of each race run again, and no update
/// is lost.
pub async fn replace_loses_no_update_to_writers_without_a_common_key(store: Arc<dyn Store>) {
    let r = rec("rg", KIND, "counted");
    let r1 = with(&r, "0", "0");
    write(&*store, move |tx| tx.put(&r1)).await.unwrap();
    let mut handles = Vec::new();
    for i in 0..6 {
        let (store, r) = (store.clone(), r.clone());
        handles.push(tokio::spawn(async move {
            for j in 0..5 {
                let r = r.clone();
                let keys = Keys::exclusive(vec![format!("writer:{i}")]);
                write_keyed(&*store, keys, move |tx| {
                    let cur = tx.get(&r.key)?.expect("stored");
                    let n: u64 = cur.body.parse().unwrap();
                    std::thread::sleep(Duration::from_millis(1));
                    let next = with(&r, &(n + 1).to_string(), &format!("{i}.{j}.{n}"));
                    tx.replace(&next, &cur.etag)
                })
                .await
                .unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let body = stored(&*store, &r.key).await.unwrap().body;
    assert_eq!(body, "30");
}
