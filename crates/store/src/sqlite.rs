//! The embedded SQLite adapter.
//!
//! One writer thread owns the only write connection and commits in batches (group commit):
//! it takes every job already queued, runs them in one transaction and commits once. Another
//! thread syncs the log and only then answers the batch's jobs (`answers`), while the writer
//! goes on with the next batch; a third copies the log into the database (`checkpointer`).
//! Readers use a small pool of read-only connections; WAL lets them read while the writer
//! writes.

use crate::migrate::{self, MIGRATIONS};
use crate::record::{EXCLUSIVE_REFS, UNIQUE_ADDRESS, UNIQUE_ROLE_ASSIGNMENT, UNIQUE_ROLE_NAME};
use crate::{Job, Store, StoreError, StoreFuture, WriteCounters, WriteStats};
use conn::Conn;
use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{oneshot, Semaphore};
use tx::SqliteTx;

mod answers;
mod books;
mod cache;
mod checkpointer;
mod conn;
#[cfg(test)]
mod scratch;
mod subscription;
mod tx;
mod wal_buffer;
mod writer;

const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;
/// Upper bound of jobs per commit; keeps one batch's latency bounded under heavy load.
const MAX_BATCH: usize = 512;

#[derive(Clone, Debug)]
pub enum SqliteMode {
    /// `DIR/cerulean.db`, WAL, `synchronous=FULL` (each commit's sync made by the `answers`
    /// thread): durable once acknowledged.
    Durable(PathBuf),
    /// A throw-away database in RAM-backed storage (`/dev/shm` where present), removed when
    /// the store is dropped. Nothing survives a restart.
    Memory,
}

struct WriteReq {
    job: Job,
    done: oneshot::Sender<Result<(), StoreError>>,
}

pub struct SqliteStore {
    mode_name: &'static str,
    writer: Mutex<Option<writer::Jobs>>,
    writer_thread: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<Mutex<Vec<Conn>>>,
    reader_permits: Arc<Semaphore>,
    counters: Arc<WriteCounters>,
    _temp: Option<TempDb>,
}

/// Removes a throw-away database file and its WAL companions.
struct TempDb(PathBuf);
impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn backend(e: rusqlite::Error) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, msg)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            // SQLite names the columns, not the index: map them to the shared names.
            let msg = msg.clone().unwrap_or_default();
            let constraint = if msg.contains("refs.to_key, refs.kind") {
                EXCLUSIVE_REFS.to_string()
            } else if msg.contains("ip_allocations.") {
                UNIQUE_ADDRESS.to_string()
            } else if msg.contains("role_assignments.") {
                UNIQUE_ROLE_ASSIGNMENT.to_string()
            } else if msg.contains("role_definitions.tenant") {
                UNIQUE_ROLE_NAME.to_string()
            } else {
                msg
            };
            StoreError::Conflict { constraint }
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// What a connection is for.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Writer,
    Reader,
    Checkpointer,
}

fn open_conn(path: &Path, durable: bool, role: Role) -> Result<Connection, StoreError> {
    let read_only = role == Role::Reader;
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    // The durable writer gathers its log writes (see `wal_buffer`: safe only when every
    // commit calls the log's sync, which `synchronous=FULL` below makes it do).
    let conn = if durable && role == Role::Writer {
        wal_buffer::register().map_err(StoreError::Backend)?;
        Connection::open_with_flags_and_vfs(path, flags, wal_buffer::NAME)
    } else {
        Connection::open_with_flags(path, flags)
    }
    .map_err(backend)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(backend)?;
    // Every statement of `SqliteTx` stays prepared (rusqlite keeps 16 by default: fewer than
    // one NIC create uses, so they were evicted and re-parsed).
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Plans must not depend on bound values: without this, `LIMIT ?` (and any bound value
    // SQLite could use for an estimate) marks the statement for a re-prepare on every bind.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(backend)?;
    // Readers never waiting for the writer is WAL's doing: the mode SQLite took is checked.
    // `temp_store=MEMORY` (writer): when a batch runs again with a SAVEPOINT per job, the
    // sub-journal otherwise spills to a temporary file past 64 KiB; those writes were a third
    // of the writer thread's time at 32 concurrent NIC creates.
    if !read_only {
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(backend)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "{} cannot use write-ahead logging (journal mode {mode})",
                path.display()
            )));
        }
        // `checkpoint_fullfsync` marks the syncs of a checkpoint apart from a commit's, the
        // only ones `wal_buffer` may defer (on Linux both are `fdatasync`).
        let sync = if durable { "FULL" } else { "OFF" };
        // The writer's checkpoints are `checkpointer::watch_log`'s, not `wal_autocheckpoint`.
        conn.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA checkpoint_fullfsync=ON; \
             PRAGMA temp_store=MEMORY;"
        ))
        .map_err(backend)?;
    }
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(migrate::CREATE_VERSIONS)
        .map_err(backend)?;
    let current: i64 = conn
        .query_row(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )
        .map_err(backend)?;
    migrate::check_known(current)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let version = m.version;
        let tx = conn.unchecked_transaction().map_err(backend)?;
        tx.execute_batch(m.sqlite).map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)",
            params![version, migrate::now_ms()],
        )
        .map_err(backend)?;
        tx.commit().map_err(backend)?;
        tracing::info!(version, "applied schema migration");
    }
    let cutoff = migrate::now_ms() - migrate::OPERATION_RETENTION_MS;
    conn.execute(
        "DELETE FROM operations WHERE id < ?1 AND created_ms < ?2",
        params![migrate::operation_id_floor(cutoff), cutoff],
    )
    .map_err(backend)?;
    Ok(())
}

impl SqliteStore {
    pub fn open(mode: SqliteMode) -> Result<Self, StoreError> {
        let (path, durable, temp) = match &mode {
            SqliteMode::Durable(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Backend(format!("cannot create {}: {e}", dir.display()))
                })?;
                (dir.join("cerulean.db"), true, None)
            }
            SqliteMode::Memory => {
                let shm = Path::new("/dev/shm");
                let dir = if shm.is_dir() {
                    shm.to_path_buf()
                } else {
                    std::env::temp_dir()
                };
                let p = dir.join(format!("cerulean-{}.db", uuid::Uuid::new_v4()));
                (p.clone(), false, Some(TempDb(p)))
            }
        };
        let mut writer = open_conn(&path, durable, Role::Writer)?;
        migrate(&writer)?;
        if durable && !wal_buffer::defer_commit_syncs(&writer).map_err(StoreError::Backend)? {
            tracing::warn!("the SQLite writer syncs its log in every commit");
        }
        let readers = (0..READERS)
            .map(|_| open_conn(&path, durable, Role::Reader).map(Conn::new))
            .collect::<Result<Vec<_>, _>>()?;
        let thread_error = |e: std::io::Error| StoreError::Backend(e.to_string());
        let (wake, checkpointer) =
            checkpointer::spawn(open_conn(&path, durable, Role::Checkpointer)?)
                .map_err(thread_error)?;
        checkpointer::watch_log(&mut writer, wake).map_err(backend)?;
        let failure = answers::Failure::default();
        let (tx, inbox) = std::sync::mpsc::channel();
        let synced = tx.clone();
        // The writer may be gone already (the store closing): nothing waits then.
        let (answers, answerer) = answers::spawn(failure.clone(), move || {
            let _ = synced.send(writer::Inbox::Synced);
        })
        .map_err(thread_error)?;
        let counters = Arc::new(WriteCounters::default());
        let writer_counters = counters.clone();
        let writer = writer::Writer {
            conn: Conn::new(writer),
            cache: cache::WriterCache::default(),
            answers,
            failure,
        };
        let thread = std::thread::Builder::new()
            .name("cerulean-sqlite-writer".into())
            .spawn(move || {
                writer.run(inbox, &writer_counters);
                // Every job is answered and no checkpoint runs once these end.
                let _ = answerer.join();
                let _ = checkpointer.join();
            })
            .map_err(thread_error)?;
        Ok(SqliteStore {
            mode_name: if durable { "sqlite" } else { "sqlite-memory" },
            writer: Mutex::new(Some(writer::Jobs(tx))),
            writer_thread: Mutex::new(Some(thread)),
            readers: Arc::new(Mutex::new(readers)),
            reader_permits: Arc::new(Semaphore::new(READERS)),
            counters,
            _temp: temp,
        })
    }
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        self.mode_name
    }

    fn run_write(&self, job: Job) -> StoreFuture<'_, Result<(), StoreError>> {
        let (done, wait) = oneshot::channel();
        let sent = match self.writer.lock().unwrap().as_ref() {
            Some(jobs) => jobs.send(WriteReq { job, done }),
            None => false,
        };
        Box::pin(async move {
            if !sent {
                return Err(StoreError::Closed);
            }
            wait.await.unwrap_or(Err(StoreError::Closed))
        })
    }

    fn run_read(&self, mut job: Job) -> StoreFuture<'_, Result<(), StoreError>> {
        let permits = self.reader_permits.clone();
        let readers = self.readers.clone();
        Box::pin(async move {
            // A read in WAL mode never waits for the writer and takes microseconds, so it runs
            // right here on the calling worker: handing it to a blocking thread and back cost
            // more than the read itself (futex wake-ups led the profile of a NIC GET). Only when
            // every connection is busy does it wait for one, off the worker.
            if let Ok(permit) = permits.clone().try_acquire_owned() {
                let result = read_with(&readers, &mut job);
                drop(permit);
                return result;
            }
            let permit = permits
                .acquire_owned()
                .await
                .map_err(|_| StoreError::Closed)?;
            tokio::task::spawn_blocking(move || {
                let result = read_with(&readers, &mut job);
                drop(permit);
                result
            })
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?
        })
    }

    fn write_stats(&self) -> WriteStats {
        self.counters.read(true)
    }

    fn close(&self) -> StoreFuture<'_, ()> {
        // Dropping the sender (`writer::Jobs`) sends `Close`: the writer commits and answers
        // every job queued before it, then exits.
        self.writer.lock().unwrap().take();
        let thread = self.writer_thread.lock().unwrap().take();
        Box::pin(async move {
            if let Some(t) = thread {
                let _ = tokio::task::spawn_blocking(move || t.join()).await;
            }
            self.reader_permits.close();
        })
    }
}

/// Runs a read job in its own read transaction on a pooled connection (the caller holds a
/// reader permit, so one is free).
fn read_with(readers: &Mutex<Vec<Conn>>, job: &mut Job) -> Result<(), StoreError> {
    let conn = readers.lock().unwrap().pop().ok_or(StoreError::Closed)?;
    let result = (|| {
        conn.run("BEGIN").map_err(backend)?;
        // A panicking job (a bug) must not cost the pool its connection.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            job(&mut SqliteTx {
                conn: &conn,
                cache: None,
                written: Default::default(),
            })
        }))
        .map_err(|_| StoreError::Backend("a read job panicked".into()))?;
        conn.run("COMMIT").map_err(backend)
    })();
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    readers.lock().unwrap().push(conn);
    result
}

#[cfg(test)]
#[path = "sqlite_upgrade_tests.rs"]
mod upgrade_tests;
