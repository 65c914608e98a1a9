//! Answers wait for the sync their commit owes, one sync serves every batch queued before it,
//! and a failed sync fails its batches and every later one.

use super::*;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A file to hand out as the log (the tests' syncs never touch it).
fn log() -> Arc<File> {
    let p = std::env::temp_dir().join(format!("cerulean-answers-{}", uuid::Uuid::new_v4()));
    let f = File::create(&p).unwrap();
    let _ = std::fs::remove_file(&p);
    Arc::new(f)
}

type Waiting = oneshot::Receiver<Result<(), StoreError>>;

fn batch(
    jobs: usize,
    result: Result<(), StoreError>,
    sync: Option<Arc<File>>,
) -> (Answer, Vec<Waiting>) {
    let (done, waiting): (Vec<_>, Vec<_>) = (0..jobs).map(|_| oneshot::channel()).unzip();
    (Answer { done, result, sync }, waiting)
}

fn reply(w: &mut Waiting) -> Option<Result<(), StoreError>> {
    w.try_recv().ok()
}

#[test]
fn no_job_is_answered_before_its_sync_and_one_sync_serves_a_queue() {
    let (tx, rx) = mpsc::channel();
    let syncs = Arc::new(AtomicUsize::new(0));
    // The sync blocks until the test lets it go.
    let (release, released) = mpsc::channel::<()>();
    let released = Mutex::new(released);
    let failure = Failure::default();
    let (a1, mut w1) = batch(2, Ok(()), Some(log()));
    tx.send(a1).unwrap();
    let counted = syncs.clone();
    let (synced, batches_synced) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        answer_loop(
            &rx,
            &failure,
            move || synced.send(()).unwrap(),
            |_| {
                counted.fetch_add(1, Ordering::SeqCst);
                released.lock().unwrap().recv().unwrap();
                Ok(())
            },
        )
    });
    while syncs.load(Ordering::SeqCst) == 0 {
        std::thread::yield_now();
    }
    // The first batch is being synced; three more queue up behind it, one owing no sync.
    let (a2, mut w2) = batch(1, Ok(()), Some(log()));
    let (a3, mut w3) = batch(
        1,
        Err(StoreError::Conflict {
            constraint: "c".into(),
        }),
        None,
    );
    let (a4, mut w4) = batch(3, Ok(()), Some(log()));
    tx.send(a2).unwrap();
    tx.send(a3).unwrap();
    tx.send(a4).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(
        w1.iter_mut().all(|w| reply(w).is_none()),
        "answered before its sync"
    );
    release.send(()).unwrap();
    release.send(()).unwrap();
    drop(tx);
    thread.join().unwrap();
    assert!(w1.iter_mut().all(|w| matches!(reply(w), Some(Ok(())))));
    assert!(matches!(reply(&mut w2[0]), Some(Ok(()))));
    assert!(w4.iter_mut().all(|w| matches!(reply(w), Some(Ok(())))));
    assert!(
        matches!(reply(&mut w3[0]), Some(Err(StoreError::Conflict { .. }))),
        "a batch's own result is its answer"
    );
    assert_eq!(
        syncs.load(Ordering::SeqCst),
        2,
        "the batches queued behind the first shared one sync"
    );
    assert_eq!(
        batches_synced.try_iter().count(),
        4,
        "one message per batch synced"
    );
}

#[test]
fn a_failed_sync_fails_its_batches_and_every_later_one() {
    let (tx, rx) = mpsc::channel();
    let failure = Failure::default();
    let (a1, mut w1) = batch(2, Ok(()), Some(log()));
    tx.send(a1).unwrap();
    let syncs = AtomicUsize::new(0);
    let seen = failure.clone();
    let thread = std::thread::spawn(move || {
        answer_loop(
            &rx,
            &seen,
            || {},
            |_| {
                // The first sync fails; a later one would claim success (as Linux may).
                if syncs.fetch_add(1, Ordering::SeqCst) == 0 {
                    Err(io::Error::other("disk on fire"))
                } else {
                    Ok(())
                }
            },
        )
    });
    let first = loop {
        if let Some(r) = reply(&mut w1[0]) {
            break r;
        }
        std::thread::yield_now();
    };
    let msg = match first {
        Err(StoreError::Backend(m)) => m,
        other => panic!("{other:?}"),
    };
    assert!(
        msg.contains("disk on fire") && msg.contains("writes are refused"),
        "{msg}"
    );
    assert_eq!(failure.get(), Some(&msg));
    let (a2, mut w2) = batch(1, Ok(()), Some(log()));
    tx.send(a2).unwrap();
    drop(tx);
    thread.join().unwrap();
    assert!(matches!(
        reply(&mut w1[1]),
        Some(Err(StoreError::Backend(_)))
    ));
    assert!(
        matches!(reply(&mut w2[0]), Some(Err(StoreError::Backend(m))) if m == msg),
        "a later batch is refused though its sync would pass"
    );
}
