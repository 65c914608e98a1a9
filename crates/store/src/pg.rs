//! The PostgreSQL adapter, for several cerulean servers sharing one database.
//!
//! Writers take transaction-scoped advisory locks, then run READ COMMITTED, so each of their
//! statements sees every earlier writer's commit, from any server sharing the database. Rules
//! checked inside a job therefore hold across servers without retry storms on hot rows
//! (SERIALIZABLE with retries livelocked when 32 clients allocated in one subnet).
//!
//! The locks: one store-wide lock, which a job without declared keys (`run_write`) takes
//! exclusively, so it runs alone as on SQLite; a job with keys (`run_write_keyed`) takes it
//! shared, then one lock per key, exclusive or shared as declared, in ascending lock-id
//! order (a fixed order: keyed writers cannot deadlock one another). Keys live in the two-int4 advisory lock space, the
//! store-wide and migration locks in the bigint one, so no key can collide with them.
//! Reads run in parallel on REPEATABLE READ snapshots. A deadlock or serialization failure
//! still re-runs the job; unique constraints remain the last line of defence.

use crate::migrate::{self, MIGRATIONS};
use crate::record::{EXCLUSIVE_REFS, UNIQUE_ADDRESS, UNIQUE_ROLE_ASSIGNMENT, UNIQUE_ROLE_NAME};
use crate::{Job, Keys, Store, StoreError, StoreFuture, WriteCounters, WriteStats};
use postgres::error::SqlState;
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use tx::PgTx;

mod list;
mod tx;

const MAX_CONNECTIONS: usize = 16;
const MAX_ATTEMPTS: usize = 64;
/// Serializes schema migrations of servers starting at the same time.
const MIGRATION_LOCK: i64 = 0x00ce_1ea4;

struct PgConn {
    client: Client,
    statements: HashMap<&'static str, Statement>,
}

pub struct PgStore {
    url: String,
    idle: Arc<Mutex<Vec<PgConn>>>,
    permits: Arc<Semaphore>,
    counters: Arc<WriteCounters>,
}

fn backend(e: postgres::Error) -> StoreError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED
        {
            return StoreError::Retry;
        }
        if *code == SqlState::UNIQUE_VIOLATION {
            let constraint = match db.constraint().unwrap_or_default() {
                "ip_allocations_pkey" => UNIQUE_ADDRESS,
                "refs_exclusive" => EXCLUSIVE_REFS,
                "role_assignments_pkey" | "role_assignments_grant" => UNIQUE_ROLE_ASSIGNMENT,
                "role_definitions_name" => UNIQUE_ROLE_NAME,
                other => other,
            };
            return StoreError::Conflict {
                constraint: constraint.to_string(),
            };
        }
    }
    StoreError::Backend(e.to_string())
}

fn connect(url: &str) -> Result<PgConn, StoreError> {
    let client = Client::connect(url, NoTls)
        .map_err(|e| StoreError::Backend(format!("cannot connect to PostgreSQL: {e}")))?;
    Ok(PgConn {
        client,
        statements: HashMap::new(),
    })
}

impl PgStore {
    /// Connects, applies pending migrations and returns the store. Blocking: call it from
    /// outside the async runtime or in `spawn_blocking`.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut conn = connect(url)?;
        let c = &mut conn.client;
        c.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
            .map_err(backend)?;
        let result = (|| {
            c.batch_execute(migrate::CREATE_VERSIONS).map_err(backend)?;
            let current: i64 = c
                .query_one(
                    "SELECT COALESCE(MAX(version), 0)::BIGINT FROM schema_migrations",
                    &[],
                )
                .map_err(backend)?
                .get(0);
            migrate::check_known(current)?;
            for m in MIGRATIONS.iter().filter(|m| m.version > current) {
                let version = &m.version;
                let mut tx = c.transaction().map_err(backend)?;
                tx.batch_execute(m.postgres).map_err(backend)?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)",
                    &[version, &migrate::now_ms()],
                )
                .map_err(backend)?;
                tx.commit().map_err(backend)?;
                tracing::info!(version, "applied schema migration");
            }
            c.execute(
                "DELETE FROM operations WHERE created_ms < $1",
                &[&(migrate::now_ms() - migrate::OPERATION_RETENTION_MS)],
            )
            .map_err(backend)?;
            Ok(())
        })();
        let _ = c.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
        result?;
        Ok(PgStore {
            url: url.to_string(),
            idle: Arc::new(Mutex::new(vec![conn])),
            permits: Arc::new(Semaphore::new(MAX_CONNECTIONS)),
            counters: Arc::new(WriteCounters::default()),
        })
    }

    fn run(&self, job: Job, access: Access) -> StoreFuture<'_, Result<(), StoreError>> {
        let permits = self.permits.clone();
        let idle = self.idle.clone();
        let url = self.url.clone();
        let counters = (!matches!(access, Access::Read)).then(|| self.counters.clone());
        if matches!(access, Access::Write) {
            self.counters.record_alone();
        }
        Box::pin(async move {
            let _permit = permits
                .acquire_owned()
                .await
                .map_err(|_| StoreError::Closed)?;
            tokio::task::spawn_blocking(move || {
                let pooled = idle.lock().unwrap().pop();
                let mut conn = match pooled {
                    Some(c) if !c.client.is_closed() => c,
                    _ => connect(&url)?,
                };
                let started = std::time::Instant::now();
                let result = run_job(&mut conn, job, &access.begin(), counters.as_deref());
                if let Some(c) = counters {
                    c.record(1, started.elapsed(), 0);
                }
                if !conn.client.is_closed() {
                    idle.lock().unwrap().push(conn);
                }
                result
            })
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?
        })
    }
}

/// The store-wide write lock (bigint advisory lock space).
const STORE_LOCK: i64 = 206158430208;

/// What a job may do, and so which locks its transaction begins with.
enum Access {
    Read,
    /// Alone: the store-wide lock, exclusively.
    Write,
    /// The store-wide lock shared, then these key locks: sorted, distinct, each exclusive
    /// (`true`) or shared.
    Keyed(Vec<((i32, i32), bool)>),
}

impl Access {
    fn keyed(keys: &Keys) -> Access {
        let exclusive = keys.exclusive.iter().map(|k| (lock_id(k), true));
        let shared = keys.shared.iter().map(|k| (lock_id(k), false));
        let mut ids: Vec<_> = exclusive.chain(shared).collect();
        // Exclusive before shared for one id, so that `dedup` keeps the stronger lock.
        ids.sort_unstable_by_key(|&(id, exclusive)| (id, !exclusive));
        ids.dedup_by_key(|&mut (id, _)| id);
        Access::Keyed(ids)
    }

    /// The statements that open the transaction (lock ids are integers, never user text).
    fn begin(&self) -> String {
        match self {
            Access::Read => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY".into(),
            Access::Write => format!(
                "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({STORE_LOCK})"
            ),
            Access::Keyed(ids) => {
                let mut sql = format!(
                    "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock_shared({STORE_LOCK})"
                );
                for ((a, b), exclusive) in ids {
                    let mode = if *exclusive { "" } else { "_shared" };
                    sql.push_str(&format!("; SELECT pg_advisory_xact_lock{mode}({a}, {b})"));
                }
                sql
            }
        }
    }
}

/// The advisory lock of a key: FNV-1a (64 bits) of its bytes, split in two int4. Stable
/// across processes and versions, as every server sharing the database must agree; two keys
/// that collide only take turns.
fn lock_id(key: &str) -> (i32, i32) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    ((h >> 32) as u32 as i32, h as u32 as i32)
}

fn run_job(
    conn: &mut PgConn,
    mut job: Job,
    begin: &str,
    counters: Option<&WriteCounters>,
) -> Result<(), StoreError> {
    for attempt in 0..MAX_ATTEMPTS {
        conn.client.batch_execute(begin).map_err(backend)?;
        let mut tx = PgTx {
            conn: &mut *conn,
            retry: false,
            stale: false,
            written: Default::default(),
        };
        let keep = job(&mut tx);
        let retry = tx.retry;
        if let Some(c) = counters.filter(|_| tx.stale) {
            c.record_stale();
        }
        let end = if keep && !retry { "COMMIT" } else { "ROLLBACK" };
        match conn.client.batch_execute(end).map_err(backend) {
            Ok(()) if !retry => return Ok(()),
            Ok(()) | Err(StoreError::Retry) => {
                // Back off a little, more each time, so racing servers interleave.
                let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as u64;
                std::thread::sleep(std::time::Duration::from_micros(
                    jitter * (attempt as u64 + 1),
                ));
            }
            Err(e) => {
                let _ = conn.client.batch_execute("ROLLBACK");
                return Err(e);
            }
        }
    }
    tracing::warn!("transaction still conflicting after {MAX_ATTEMPTS} attempts");
    Err(StoreError::Retry)
}

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }
    fn run_write(&self, job: Job) -> StoreFuture<'_, Result<(), StoreError>> {
        self.run(job, Access::Write)
    }
    fn run_write_keyed(&self, job: Job, keys: Keys) -> StoreFuture<'_, Result<(), StoreError>> {
        self.run(job, Access::keyed(&keys))
    }
    fn several_writers(&self) -> bool {
        true
    }
    fn run_read(&self, job: Job) -> StoreFuture<'_, Result<(), StoreError>> {
        self.run(job, Access::Read)
    }
    fn write_stats(&self) -> WriteStats {
        self.counters.read(false)
    }
    fn close(&self) -> StoreFuture<'_, ()> {
        Box::pin(async move {
            // Wait for every running job, then drop the connections.
            let _all = self.permits.acquire_many(MAX_CONNECTIONS as u32).await;
            self.permits.close();
            let conns = std::mem::take(&mut *self.idle.lock().unwrap());
            let _ = tokio::task::spawn_blocking(move || drop(conns)).await;
        })
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // A sync client blocks on its own runtime when dropped, which must not happen on an
        // async worker thread.
        let conns = std::mem::take(&mut *self.idle.lock().unwrap());
        if !conns.is_empty() {
            let _ = std::thread::spawn(move || drop(conns));
        }
    }
}
