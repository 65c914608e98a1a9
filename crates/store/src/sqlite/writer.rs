//! The writer thread: runs the jobs in batches, one transaction and one commit each.
//!
//! A commit's sync is made by the `answers` thread. While it syncs, the writer already runs
//! the jobs that arrive in a new transaction, and commits them when the sync is over (or the
//! batch is full): the disk's time is spent once per batch, and a batch holds every job that
//! came during the previous one's sync, so it writes each page it touches once for all of
//! them.

use super::answers::{Answer, Failure};
use super::cache::WriterCache;
use super::conn::Conn;
use super::tx::SqliteTx;
use super::{backend, wal_buffer, WriteReq, MAX_BATCH};
use crate::{StoreError, WriteCounters};
use rusqlite::Connection;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::{Duration, Instant};

/// What reaches the writer, in the order it was sent: jobs, and word from the `answers`
/// thread. One std channel, not a select over two crossbeam channels: crossbeam's blocking
/// receive spins and then calls `sched_yield` several times before it parks, and with the
/// workers and the load generator runnable on two cores each yield gave the CPU away for
/// 0.8 ms on average (`perf trace`), the writer's jobs waiting meanwhile.
pub(super) enum Inbox {
    Job(WriteReq),
    /// One per batch whose sync the `answers` thread made (before it answers the jobs).
    Synced,
    /// The store closes: the writer commits what it took and stops.
    Close,
}

/// The store's side of the inbox: dropping it tells the writer to stop (the `answers` thread
/// holds a sender too, so the channel alone never disconnects first).
pub(super) struct Jobs(pub Sender<Inbox>);

impl Jobs {
    /// False when the writer is gone.
    pub fn send(&self, req: WriteReq) -> bool {
        self.0.send(Inbox::Job(req)).is_ok()
    }
}

impl Drop for Jobs {
    fn drop(&mut self) {
        let _ = self.0.send(Inbox::Close);
    }
}

/// The writer's connection and what it reports to.
pub(super) struct Writer {
    pub conn: Conn,
    pub cache: WriterCache,
    pub answers: mpsc::Sender<Answer>,
    pub failure: Failure,
}

/// Jobs taken into the open transaction.
struct Batch {
    reqs: Vec<WriteReq>,
    /// The transaction is open (else why not: a failed `BEGIN`, or the store refuses writes).
    began: Result<(), StoreError>,
    /// Every job so far kept its changes (once one refuses, the rest only queue: the batch
    /// runs again with a savepoint per job).
    all_kept: bool,
    /// Time spent running jobs and committing (not waiting).
    busy: Duration,
}

impl Writer {
    /// Runs batches until the store closes; their answers go to the `answers` thread with the
    /// sync each commit owes. It drops the connection (and with it the checkpointer's
    /// wake-ups) when it returns.
    pub fn run(mut self, inbox: Receiver<Inbox>, counters: &WriteCounters) {
        // A batch handed to the `answers` thread is not synced yet.
        let mut syncing = false;
        let mut open = true;
        while open {
            let first = match inbox.recv() {
                Ok(Inbox::Job(req)) => req,
                Ok(Inbox::Synced) => {
                    syncing = false;
                    continue;
                }
                Ok(Inbox::Close) | Err(_) => break,
            };
            let mut batch = self.begin(first);
            loop {
                while open && batch.reqs.len() < MAX_BATCH {
                    match inbox.try_recv() {
                        Ok(msg) => open = self.receive(&mut batch, &mut syncing, msg),
                        Err(_) => break,
                    }
                }
                if !open || !syncing || batch.reqs.len() >= MAX_BATCH {
                    break;
                }
                // The last batch is still syncing: this one grows meanwhile.
                open = match inbox.recv() {
                    Ok(msg) => self.receive(&mut batch, &mut syncing, msg),
                    Err(_) => false,
                };
            }
            self.finish(batch, counters);
            syncing = true;
        }
    }

    /// Takes a message while a batch is open; false when the store closes.
    fn receive(&mut self, batch: &mut Batch, syncing: &mut bool, msg: Inbox) -> bool {
        match msg {
            Inbox::Job(req) => self.take(batch, req),
            Inbox::Synced => *syncing = false,
            Inbox::Close => return false,
        }
        true
    }

    fn begin(&mut self, first: WriteReq) -> Batch {
        let started = Instant::now();
        self.cache.check_others(&self.conn);
        let began = match self.failure.get() {
            // What the log holds may not be on disk: nothing more is written.
            Some(failed) => Err(StoreError::Backend(failed.clone())),
            None => self.conn.run("BEGIN IMMEDIATE").map_err(backend),
        };
        let mut batch = Batch {
            reqs: Vec::new(),
            all_kept: began.is_ok(),
            began,
            busy: started.elapsed(),
        };
        self.take(&mut batch, first);
        batch
    }

    /// Runs `req` in the open transaction unless the batch must run again anyway.
    fn take(&mut self, batch: &mut Batch, mut req: WriteReq) {
        if batch.all_kept {
            let started = Instant::now();
            batch.all_kept = run_job(&self.conn, &mut self.cache, &mut req);
            batch.busy += started.elapsed();
        }
        batch.reqs.push(req);
    }

    /// Commits the batch (after running it again, a savepoint per job, when a job refused)
    /// and hands its answers on.
    fn finish(&mut self, mut batch: Batch, counters: &WriteCounters) {
        let started = Instant::now();
        let result = match (&batch.began, self.failure.get()) {
            (Err(e), _) => Err(e.clone()),
            // A sync failed while the batch ran.
            (Ok(()), Some(failed)) => Err(StoreError::Backend(failed.clone())),
            (Ok(()), None) if batch.all_kept => commit(&self.conn, &mut self.cache),
            (Ok(()), None) => self.run_again(&mut batch.reqs),
        };
        if let Err(e) = &result {
            if self.failure.get().is_none() {
                tracing::error!(error = %e, jobs = batch.reqs.len(), "sqlite commit failed");
            }
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.cache.clear();
        }
        counters.record(
            batch.reqs.len(),
            batch.busy + started.elapsed(),
            take_pages_written(&self.conn),
        );
        let answer = Answer {
            done: batch.reqs.into_iter().map(|req| req.done).collect(),
            result,
            sync: wal_buffer::take_owed_sync(&self.conn),
        };
        // Only fails when the `answers` thread is gone: the jobs' callers then see `Closed`.
        let _ = self.answers.send(answer);
    }

    /// A job refused: what the batch did is rolled back and it runs again
    /// with a savepoint per job, so that only the refusing jobs' changes are undone (jobs may
    /// run more than once: see [`crate::Store`]). Without savepoints the first time: almost
    /// every job keeps its changes, and a savepoint per job made SQLite journal each page a
    /// job touched once more.
    fn run_again(&mut self, reqs: &mut [WriteReq]) -> Result<(), StoreError> {
        let (conn, cache) = (&self.conn, &mut self.cache);
        conn.run("ROLLBACK").map_err(backend)?;
        // What the undone jobs left in the cache is no longer true.
        cache.clear();
        if reqs.len() == 1 {
            return Ok(()); // its only job was refused: nothing to keep
        }
        conn.run("BEGIN IMMEDIATE").map_err(backend)?;
        for req in reqs.iter_mut() {
            conn.run("SAVEPOINT job").map_err(backend)?;
            let unwritten = cache.unwritten_before_job();
            if run_job(conn, cache, req) {
                conn.run("RELEASE job").map_err(backend)?;
            } else {
                conn.run("ROLLBACK TO job").map_err(backend)?;
                conn.run("RELEASE job").map_err(backend)?;
                cache.undo_job(unwritten);
            }
        }
        commit(conn, cache)
    }
}

/// Pages this connection wrote since the last call (SQLite's `DBSTATUS_CACHE_WRITE`, reset).
fn take_pages_written(conn: &Connection) -> u64 {
    let (mut current, mut highwater) = (0, 0);
    // SAFETY: the handle is this open connection's, used on its own thread; the status call
    // only reads and resets a counter of it.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_status(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBSTATUS_CACHE_WRITE,
            &mut current,
            &mut highwater,
            1,
        )
    };
    if rc == rusqlite::ffi::SQLITE_OK {
        current.max(0) as u64
    } else {
        0
    }
}

/// Writes what the jobs left for the end of the batch (their subnets' marks), then commits.
fn commit(conn: &Conn, cache: &mut WriterCache) -> Result<(), StoreError> {
    super::tx::write_marks(conn, cache)?;
    conn.run("COMMIT").map_err(backend)
}

/// Runs one job; true when it keeps its changes.
fn run_job(conn: &Conn, cache: &mut WriterCache, req: &mut WriteReq) -> bool {
    // A panicking job (a bug) must not take the only writer down with it: it is rolled back
    // like a refused one, and its caller gets an error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (req.job)(&mut SqliteTx {
            conn,
            cache: Some(cache),
            written: Default::default(),
        })
    }))
    .unwrap_or_else(|_| {
        tracing::error!("a store job panicked; its changes were rolled back");
        false
    })
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
