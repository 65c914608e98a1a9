//! The thread that answers the writer's jobs, each batch only after the sync its commit owes.
//!
//! The writer commits a batch with the log's commit sync deferred (`wal_buffer`), hands this
//! thread the batch's answers and the sync owed, and goes on with the next batch while the
//! disk syncs. One sync covers every commit written before it, so this thread takes every
//! batch queued, syncs once, then answers them in order. A write is thus acknowledged only
//! once it is on disk, as with a sync in every commit; a reader may see it a sync earlier.
//!
//! A failed sync leaves what the log holds since the last good one unknown (Linux may even
//! report the next sync as good), so the store stops taking writes: every job answered from
//! then on gets the failure, and a restart recovers from what the disk has.

use crate::StoreError;
use std::fs::File;
use std::sync::{mpsc, Arc, OnceLock};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// One batch's outcome: its jobs' answers, the commit's result and the sync it owes.
pub struct Answer {
    pub done: Vec<oneshot::Sender<Result<(), StoreError>>>,
    pub result: Result<(), StoreError>,
    pub sync: Option<Arc<File>>,
}

/// Set once a sync of the log failed: the message every later write is refused with.
pub type Failure = Arc<OnceLock<String>>;

/// Starts the thread; it ends when the sender is dropped and every answer is sent. Once a
/// sync is over it calls `synced` once per batch the sync served (the writer hears of it in
/// its inbox), and only then answers their jobs.
pub fn spawn(
    failure: Failure,
    synced: impl Fn() + Send + 'static,
) -> std::io::Result<(mpsc::Sender<Answer>, JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name("cerulean-log-sync".into())
        .spawn(move || answer_loop(&rx, &failure, synced, |f| f.sync_data()))?;
    Ok((tx, thread))
}

fn answer_loop(
    rx: &mpsc::Receiver<Answer>,
    failure: &Failure,
    synced: impl Fn(),
    sync: impl Fn(&File) -> std::io::Result<()>,
) {
    while let Ok(first) = rx.recv() {
        let mut answers = vec![first];
        answers.extend(rx.try_iter());
        let log = answers.iter().rev().find_map(|a| a.sync.as_ref());
        let outcome = match (failure.get(), log) {
            (Some(failed), _) => Err(failed.clone()),
            (None, Some(log)) => sync(log).map_err(|e| {
                let msg = format!(
                    "the database's log could not be synced to disk ({e}); writes are refused \
                     until cerulean is restarted"
                );
                tracing::error!(error = %e, "sqlite log sync failed; refusing writes");
                failure.get_or_init(|| msg).clone()
            }),
            (None, None) => Ok(()),
        };
        // The writer commits its next batch while these answers go out: waking a caller per
        // job takes longer than the commit.
        for _ in &answers {
            synced();
        }
        for a in answers {
            let result = match &outcome {
                Ok(()) => a.result,
                Err(msg) => Err(StoreError::Backend(msg.clone())),
            };
            for done in a.done {
                let _ = done.send(result.clone());
            }
        }
    }
}

#[cfg(test)]
#[path = "answers_tests.rs"]
mod tests;
