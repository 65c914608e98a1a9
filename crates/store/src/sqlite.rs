//! The embedded SQLite adapter.
//!
//! One writer thread owns the only write connection and commits in batches (group commit):
//! it takes every job already queued, runs them in one transaction, commits once, and only
//! then answers the jobs. Readers use a small pool of read-only connections; WAL lets them
//! read while the writer writes.

use crate::migrate::{self, MIGRATIONS};
use crate::record::{
    check_placement, group_key_range, offset_hex, parse_offset, Ref, RefKind, EXCLUSIVE_REFS,
    UNIQUE_ADDRESS,
};
use crate::{
    Job, ListQuery, Record, Scope, Store, StoreError, StoreFuture, Tx, WriteCounters, WriteStats,
};
use cerulean_domain::operation::Operation;
use cerulean_domain::subscription::Subscription;
use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use tokio::sync::{oneshot, Semaphore};

const READERS: usize = 4;
/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 128;
/// Upper bound of jobs per commit; keeps one batch's latency bounded under heavy load.
const MAX_BATCH: usize = 512;

#[derive(Clone, Debug)]
pub enum SqliteMode {
    /// `DIR/cerulean.db`, WAL, `synchronous=FULL`: durable once acknowledged.
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
    writer: Mutex<Option<mpsc::Sender<WriteReq>>>,
    writer_thread: Mutex<Option<JoinHandle<()>>>,
    readers: Arc<Mutex<Vec<Connection>>>,
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
            } else {
                msg
            };
            StoreError::Conflict { constraint }
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

fn open_conn(path: &Path, durable: bool, read_only: bool) -> Result<Connection, StoreError> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(backend)?;
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
        let sync = if durable { "FULL" } else { "OFF" };
        conn.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA wal_autocheckpoint=4000; PRAGMA temp_store=MEMORY;"
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
        let writer = open_conn(&path, durable, false)?;
        migrate(&writer)?;
        let readers = (0..READERS)
            .map(|_| open_conn(&path, durable, true))
            .collect::<Result<Vec<_>, _>>()?;
        let (tx, rx) = mpsc::channel::<WriteReq>();
        let counters = Arc::new(WriteCounters::default());
        let writer_counters = counters.clone();
        let thread = std::thread::Builder::new()
            .name("cerulean-sqlite-writer".into())
            .spawn(move || writer_loop(writer, rx, &writer_counters))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(SqliteStore {
            mode_name: if durable { "sqlite" } else { "sqlite-memory" },
            writer: Mutex::new(Some(tx)),
            writer_thread: Mutex::new(Some(thread)),
            readers: Arc::new(Mutex::new(readers)),
            reader_permits: Arc::new(Semaphore::new(READERS)),
            counters,
            _temp: temp,
        })
    }
}

fn writer_loop(conn: Connection, rx: mpsc::Receiver<WriteReq>, counters: &WriteCounters) {
    while let Ok(first) = rx.recv() {
        let started = std::time::Instant::now();
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
        let result = run_batch(&conn, &mut batch);
        if let Err(e) = &result {
            tracing::error!(error = %e, jobs = batch.len(), "sqlite commit failed");
            let _ = conn.execute_batch("ROLLBACK");
        }
        counters.record(batch.len(), started.elapsed(), take_pages_written(&conn));
        for req in batch {
            let _ = req.done.send(result.clone());
        }
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

/// Runs a batch in one transaction and commits it.
///
/// First without savepoints: almost every job keeps its changes, and a savepoint per job made
/// SQLite journal each page a job touched once more. When a job refuses (or panics), the whole
/// transaction is rolled back and the batch runs again with a savepoint per job, so that only
/// the refusing job's changes are undone (jobs may run more than once: see [`Store`]).
fn run_batch(conn: &Connection, batch: &mut [WriteReq]) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
    let all_kept = batch.iter_mut().all(|req| run_job(conn, req));
    if all_kept {
        return conn.execute_batch("COMMIT").map_err(backend);
    }
    conn.execute_batch("ROLLBACK").map_err(backend)?;
    if batch.len() == 1 {
        return Ok(()); // its only job was refused: nothing to keep
    }
    conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
    for req in batch.iter_mut() {
        savepoint(conn, "SAVEPOINT job")?;
        if run_job(conn, req) {
            savepoint(conn, "RELEASE job")?;
        } else {
            savepoint(conn, "ROLLBACK TO job")?;
            savepoint(conn, "RELEASE job")?;
        }
    }
    conn.execute_batch("COMMIT").map_err(backend)
}

/// Runs one job; true when it keeps its changes.
fn run_job(conn: &Connection, req: &mut WriteReq) -> bool {
    // A panicking job (a bug) must not take the only writer down with it: it is rolled back
    // like a refused one, and its caller gets an error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        (req.job)(&mut SqliteTx { conn })
    }))
    .unwrap_or_else(|_| {
        tracing::error!("a store job panicked; its changes were rolled back");
        false
    })
}

/// A savepoint statement, prepared once per connection.
fn savepoint(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.prepare_cached(sql)
        .and_then(|mut st| st.execute([]))
        .map(|_| ())
        .map_err(backend)
}

impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        self.mode_name
    }

    fn run_write(&self, job: Job) -> StoreFuture<'_, Result<(), StoreError>> {
        let (done, wait) = oneshot::channel();
        let sent = match self.writer.lock().unwrap().as_ref() {
            Some(s) => s.send(WriteReq { job, done }).is_ok(),
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
        // Dropping the sender lets the writer drain what is queued, then exit.
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
fn read_with(readers: &Mutex<Vec<Connection>>, job: &mut Job) -> Result<(), StoreError> {
    let conn = readers.lock().unwrap().pop().ok_or(StoreError::Closed)?;
    let result = (|| {
        conn.execute_batch("BEGIN").map_err(backend)?;
        // A panicking job (a bug) must not cost the pool its connection.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            job(&mut SqliteTx { conn: &conn })
        }))
        .map_err(|_| StoreError::Backend("a read job panicked".into()))?;
        conn.execute_batch("COMMIT").map_err(backend)
    })();
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    readers.lock().unwrap().push(conn);
    result
}

struct SqliteTx<'c> {
    conn: &'c Connection,
}

// The statements are literals (`concat!`), not `format!`ed per call: a statement is looked up
// in the connection's cache by its text, and building that text allocated on every execution.
macro_rules! columns {
    () => {
        "key, id, kind, subscription, group_key, location, body, etag"
    };
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        key: r.get(0)?,
        id: r.get(1)?,
        kind: r.get(2)?,
        subscription: r.get(3)?,
        group_key: r.get(4)?,
        location: r.get(5)?,
        body: r.get(6)?,
        etag: r.get(7)?,
    })
}

fn to_ref(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ref> {
    let kind = RefKind::parse(r.get_ref(3)?.as_str()?).unwrap_or(RefKind::Subnet);
    Ok(Ref {
        from_key: r.get(0)?,
        from_id: r.get(1)?,
        to_key: r.get(2)?,
        kind,
        owner_key: r.get(4)?,
    })
}

macro_rules! ref_columns {
    () => {
        "from_key, from_id, to_key, kind, owner_key"
    };
}

/// A query on `refs` with the kind written into the SQL as a literal (one of
/// [`RefKind::as_str`], never caller input; `refs_queries_name_their_kind` checks the
/// spellings). Bound as a parameter, the kind made SQLite re-prepare the statement on every
/// execution: whether the partial index `refs_exclusive` (`WHERE kind IN (...)`) applies
/// depends on its value, so the plan was tied to it.
macro_rules! refs_sql {
    ($kind:expr, $condition:literal, $order:literal) => {{
        macro_rules! with_kind {
            ($k:literal) => {
                concat!(
                    "SELECT ",
                    ref_columns!(),
                    " FROM refs WHERE ",
                    $condition,
                    " AND kind = '",
                    $k,
                    "' ORDER BY ",
                    $order
                )
            };
        }
        match $kind {
            RefKind::Subnet => with_kind!("subnet"),
            RefKind::PublicIp => with_kind!("publicip"),
            RefKind::BackendPool => with_kind!("pool"),
            RefKind::Attachment => with_kind!("attachment"),
            RefKind::AvailabilitySet => with_kind!("availabilityset"),
        }
    }};
}

fn refs_to_sql(kind: RefKind) -> &'static str {
    refs_sql!(kind, "to_key = ?1", "from_key")
}

fn refs_to_prefix_sql(kind: RefKind) -> &'static str {
    refs_sql!(kind, "to_key >= ?1 AND to_key < ?2", "from_key")
}

fn refs_to_range_sql(kind: RefKind) -> &'static str {
    refs_sql!(kind, "to_key >= ?1 AND to_key <= ?2", "to_key, from_key")
}

fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn encode<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("domain values always serialize")
}

impl Tx for SqliteTx<'_> {
    fn get(&mut self, key: &str) -> Result<Option<Record>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                columns!(),
                " FROM resources WHERE key = ?1"
            ))
            .map_err(backend)?;
        st.query_row([key], row_to_record)
            .optional()
            .map_err(backend)
    }

    fn put(&mut self, rec: &Record) -> Result<(), StoreError> {
        check_placement(rec)?;
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "INSERT INTO resources (",
                columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (key) DO UPDATE SET id = excluded.id, location = excluded.location,
                 body = excluded.body, etag = excluded.etag"
            ))
            .map_err(backend)?;
        st.execute(params![
            rec.key,
            rec.id,
            rec.kind,
            rec.subscription,
            rec.group_key,
            rec.location,
            rec.body,
            rec.etag
        ])
        .map_err(backend)?;
        Ok(())
    }

    fn insert(&mut self, rec: &Record) -> Result<(), StoreError> {
        check_placement(rec)?;
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "INSERT INTO resources (",
                columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
            ))
            .map_err(backend)?;
        st.execute(params![
            rec.key,
            rec.id,
            rec.kind,
            rec.subscription,
            rec.group_key,
            rec.location,
            rec.body,
            rec.etag
        ])
        .map_err(backend)?;
        Ok(())
    }

    fn delete(&mut self, key: &str) -> Result<bool, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("DELETE FROM resources WHERE key = ?1")
            .map_err(backend)?;
        Ok(st.execute([key]).map_err(backend)? > 0)
    }

    fn list(&mut self, q: &ListQuery<'_>) -> Result<Vec<Record>, StoreError> {
        // No optional predicates: each shape gets its own statement, so that SQLite walks an
        // index in key order instead of sorting the whole scope per page. A group's records
        // are one range of the clustered primary key (`group_key_range`); a subscription's
        // come through `resources_by_subscription`.
        let limit = q.limit as i64;
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(5);
        let mut sql = String::from(concat!("SELECT ", columns!(), " FROM resources WHERE "));
        let (lower, upper);
        match &q.scope {
            Scope::Subscription(s) => {
                sql.push_str("subscription = ?");
                args.push(s);
                if let Some(a) = &q.after {
                    sql.push_str(" AND key > ?");
                    args.push(a);
                }
            }
            Scope::Group(g) => {
                let (first, before) = group_key_range(g, q.kind);
                upper = before;
                lower = match q.after {
                    Some(a) if a > first.as_str() => a.to_string(),
                    _ => first,
                };
                sql.push_str("key > ? AND key < ? AND group_key = ?");
                args.extend([&lower as &dyn rusqlite::ToSql, &upper, g]);
            }
        }
        if let Some(k) = &q.kind {
            sql.push_str(" AND kind = ?");
            args.push(k);
        }
        sql.push_str(" ORDER BY key LIMIT ?");
        args.push(&limit);
        let mut st = self.conn.prepare_cached(&sql).map_err(backend)?;
        let rows = st
            .query_map(rusqlite::params_from_iter(args), row_to_record)
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn count_by_kind(&mut self) -> Result<Vec<(String, i64)>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT kind, COUNT(*) FROM resources GROUP BY kind ORDER BY kind")
            .map_err(backend)?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn count_in_region(
        &mut self,
        subscription: &str,
        kind: &str,
        location: &str,
    ) -> Result<i64, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT COUNT(*) FROM resources WHERE subscription = ?1 AND kind = ?2 AND location = ?3",
            )
            .map_err(backend)?;
        st.query_row(params![subscription, kind, location], |r| r.get(0))
            .map_err(backend)
    }

    fn set_refs(&mut self, owner_key: &str, refs: &[Ref]) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM refs WHERE owner_key = ?1")
            .map_err(backend)?
            .execute([owner_key])
            .map_err(backend)?;
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "INSERT INTO refs (",
                ref_columns!(),
                ") VALUES (?1, ?2, ?3, ?4, ?5)"
            ))
            .map_err(backend)?;
        for r in refs {
            st.execute(params![
                r.from_key,
                r.from_id,
                r.to_key,
                r.kind.as_str(),
                r.owner_key
            ])
            .map_err(backend)?;
        }
        Ok(())
    }

    fn refs_to(&mut self, to_key: &str, kind: RefKind) -> Result<Vec<Ref>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(refs_to_sql(kind))
            .map_err(backend)?;
        let rows = st.query_map([to_key], to_ref).map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn refs_to_prefix(&mut self, to_prefix: &str, kind: RefKind) -> Result<Vec<Ref>, StoreError> {
        // A key range rather than LIKE, so the index on to_key is used.
        let upper = format!("{to_prefix}\u{10FFFF}");
        let mut st = self
            .conn
            .prepare_cached(refs_to_prefix_sql(kind))
            .map_err(backend)?;
        let rows = st
            .query_map(params![to_prefix, upper], to_ref)
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn refs_to_range(
        &mut self,
        first: &str,
        last: &str,
        kind: RefKind,
    ) -> Result<Vec<Ref>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(refs_to_range_sql(kind))
            .map_err(backend)?;
        let rows = st
            .query_map(params![first, last], to_ref)
            .map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn refs_of(&mut self, owner_key: &str) -> Result<Vec<Ref>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached(concat!(
                "SELECT ",
                ref_columns!(),
                " FROM refs WHERE owner_key = ?1 ORDER BY from_key, kind, to_key"
            ))
            .map_err(backend)?;
        let rows = st.query_map([owner_key], to_ref).map_err(backend)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(backend)
    }

    fn ipam_mark(&mut self, subnet: &str) -> Result<u128, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT mark_hex FROM ip_marks WHERE subnet_key = ?1")
            .map_err(backend)?;
        let hex: Option<String> = st
            .query_row([subnet], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        hex.map(|h| parse_offset(&h))
            .transpose()
            .map(|m| m.unwrap_or(0))
    }

    fn ipam_set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO ip_marks (subnet_key, mark_hex) VALUES (?1, ?2)
                 ON CONFLICT (subnet_key) DO UPDATE SET mark_hex = excluded.mark_hex",
            )
            .map_err(backend)?
            .execute(params![subnet, offset_hex(mark).as_str()])
            .map_err(backend)?;
        Ok(())
    }

    fn ipam_lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT MIN(offset_hex) FROM ip_released WHERE subnet_key = ?1")
            .map_err(backend)?;
        let hex: Option<String> = st.query_row([subnet], |r| r.get(0)).map_err(backend)?;
        hex.map(|h| parse_offset(&h)).transpose()
    }

    fn ipam_remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM ip_released WHERE subnet_key = ?1 AND offset_hex = ?2")
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str()])
            .map_err(backend)?;
        Ok(n > 0)
    }

    fn ipam_add_released(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO ip_released (subnet_key, offset_hex) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            )
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str()])
            .map_err(backend)?;
        Ok(())
    }

    fn ipam_owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT owner_key FROM ip_allocations WHERE subnet_key = ?1 AND offset_hex = ?2",
            )
            .map_err(backend)?
            .query_row(params![subnet, offset_hex(offset).as_str()], |r| r.get(0))
            .optional()
            .map_err(backend)
    }

    fn ipam_claim(&mut self, subnet: &str, offset: u128, owner: &str) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO ip_allocations (subnet_key, offset_hex, owner_key) VALUES (?1, ?2, ?3)",
            )
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str(), owner])
            .map_err(backend)?;
        Ok(())
    }

    fn ipam_claim_if_free(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .conn
            .prepare_cached(
                "INSERT INTO ip_allocations (subnet_key, offset_hex, owner_key) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str(), owner])
            .map_err(backend)?;
        Ok(n == 1)
    }

    fn ipam_free(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM ip_allocations WHERE subnet_key = ?1 AND offset_hex = ?2")
            .map_err(backend)?
            .execute(params![subnet, offset_hex(offset).as_str()])
            .map_err(backend)?;
        Ok(())
    }

    fn ipam_used(&mut self, subnet: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached("SELECT COUNT(*) FROM ip_allocations WHERE subnet_key = ?1")
            .map_err(backend)?
            .query_row([subnet], |r| r.get(0))
            .map_err(backend)
    }

    fn ipam_drop(&mut self, subnet: &str) -> Result<(), StoreError> {
        for sql in [
            "DELETE FROM ip_allocations WHERE subnet_key = ?1",
            "DELETE FROM ip_released WHERE subnet_key = ?1",
            "DELETE FROM ip_marks WHERE subnet_key = ?1",
        ] {
            self.conn
                .prepare_cached(sql)
                .map_err(backend)?
                .execute([subnet])
                .map_err(backend)?;
        }
        Ok(())
    }

    fn next_counter(&mut self, name: &str) -> Result<i64, StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO counters (name, value) VALUES (?1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            )
            .map_err(backend)?
            .query_row([name], |r| r.get(0))
            .map_err(backend)
    }

    fn put_operation(&mut self, op: &Operation) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO operations (id, body, created_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            )
            .map_err(backend)?;
        st.execute(params![op.id, encode(op), op.started_at_ms])
            .map_err(backend)?;
        Ok(())
    }

    fn get_operation(&mut self, id: &str) -> Result<Option<Operation>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM operations WHERE id = ?1")
            .map_err(backend)?;
        let body: Option<String> = st
            .query_row([id], |r| r.get(0))
            .optional()
            .map_err(backend)?;
        body.map(|b| decode(&b)).transpose()
    }

    fn put_subscription(&mut self, s: &Subscription) -> Result<(), StoreError> {
        let mut st = self
            .conn
            .prepare_cached(
                "INSERT INTO subscriptions (id, body) VALUES (?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            )
            .map_err(backend)?;
        st.execute(params![s.id.to_lowercase(), encode(s)])
            .map_err(backend)?;
        Ok(())
    }

    fn list_subscriptions(&mut self) -> Result<Vec<Subscription>, StoreError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT body FROM subscriptions ORDER BY id")
            .map_err(backend)?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(backend)?;
        rows.map(|b| decode(&b.map_err(backend)?)).collect()
    }

    fn reset(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute_batch(
                "DELETE FROM resources; DELETE FROM operations; DELETE FROM refs;
                 DELETE FROM ip_allocations; DELETE FROM ip_released; DELETE FROM ip_marks;
                 DELETE FROM counters;",
            )
            .map_err(backend)
    }
}

#[cfg(test)]
#[path = "sqlite_upgrade_tests.rs"]
mod upgrade_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_queries_name_their_kind() {
        for kind in [
            RefKind::Subnet,
            RefKind::PublicIp,
            RefKind::BackendPool,
            RefKind::Attachment,
            RefKind::AvailabilitySet,
        ] {
            let literal = format!("AND kind = '{}' ORDER BY", kind.as_str());
            for sql in [
                refs_to_sql(kind),
                refs_to_prefix_sql(kind),
                refs_to_range_sql(kind),
            ] {
                assert!(sql.contains(&literal), "{sql}");
            }
        }
    }
}
