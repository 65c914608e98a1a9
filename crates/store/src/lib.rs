//! Storage for cerulean: one [`Store`] trait with two adapters, SQLite (embedded, default) and
//! PostgreSQL (shared by several servers). Both pass the suite in [`conformance`].
//!
//! A unit of work is a closure over a [`Tx`]. Writes run in one transaction each (SQLite
//! batches several into one commit, each in its own savepoint: group commit); the caller is
//! answered only after the commit is durable. The closure is synchronous: it runs on a
//! blocking thread next to the database connection, so the domain rules called inside it
//! never wait on I/O other than the store's own.

pub mod conformance;
mod error;
mod migrate;
mod pg;
mod placement;
mod record;
mod sqlite;

pub use error::StoreError;
pub use pg::PgStore;
pub use placement::{group_key_range, group_subscription};
pub use record::{
    offset_hex, parse_offset, ListQuery, Record, Ref, RefKind, Run, Scope, EXCLUSIVE_REFS,
    UNIQUE_ADDRESS, UNIQUE_ROLE_ASSIGNMENT, UNIQUE_ROLE_NAME,
};
pub use sqlite::{SqliteMode, SqliteStore};

use cerulean_domain::authz::{CustomRole, RoleAssignment};
use cerulean_domain::ipam::Start;
use cerulean_domain::operation::Operation;
use cerulean_domain::subscription::Subscription;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// The operations a unit of work can perform. Every method runs inside the transaction of
/// the job that called it.
pub trait Tx {
    fn get(&mut self, key: &str) -> Result<Option<Record>, StoreError>;
    /// Whether [`Tx::get`] would find a record, without reading it.
    fn exists(&mut self, key: &str) -> Result<bool, StoreError> {
        Ok(self.get(key)?.is_some())
    }
    /// Inserts or replaces the record with `rec.key`.
    fn put(&mut self, rec: &Record) -> Result<(), StoreError>;
    /// Replaces the record `rec.key` that this transaction read with etag `read_etag`: the
    /// write of a read-modify-write. When the stored record has another etag now, or is gone,
    /// another writer changed it since the read (which the locks a write declares should make
    /// impossible): nothing is written and [`StoreError::Retry`] comes back, so the job runs
    /// again where writers run side by side, rather than lose that change. The transaction's
    /// own writes of the record are not such changes.
    fn replace(&mut self, rec: &Record, read_etag: &str) -> Result<(), StoreError>;
    /// Writes `rec` over what this transaction read of its key: [`Tx::replace`] of the
    /// record read (its etag), or [`Tx::put`] when there was none.
    fn write_over(&mut self, rec: &Record, read_etag: Option<&str>) -> Result<(), StoreError> {
        match read_etag {
            Some(etag) => self.replace(rec, etag),
            None => self.put(rec),
        }
    }
    /// Inserts a record that must not exist yet (`StoreError::Conflict` otherwise).
    fn insert(&mut self, rec: &Record) -> Result<(), StoreError>;
    fn delete(&mut self, key: &str) -> Result<bool, StoreError>;
    /// Records in key order, after `q.after`, at most `q.limit`.
    fn list(&mut self, q: &ListQuery<'_>) -> Result<Vec<Record>, StoreError>;
    /// `(kind, count)` for every kind stored.
    fn count_by_kind(&mut self) -> Result<Vec<(String, i64)>, StoreError>;
    /// Number of records of `kind` in a subscription (lower-case) and region.
    fn count_in_region(
        &mut self,
        subscription: &str,
        kind: &str,
        location: &str,
    ) -> Result<i64, StoreError>;

    /// Replaces every reference owned by `owner_key` with `refs`. A second referrer of an
    /// exclusive target fails with `Conflict { constraint: EXCLUSIVE_REFS }`.
    fn set_refs(&mut self, owner_key: &str, refs: &[Ref]) -> Result<(), StoreError>;
    /// References of `kind` pointing at `to_key`, in `from_key` order.
    fn refs_to(&mut self, to_key: &str, kind: RefKind) -> Result<Vec<Ref>, StoreError>;
    /// References of `kind` pointing at any key from `first` to `last` (both included, in the
    /// key order `list` pages in), ordered by `to_key` then `from_key`: one query for what a
    /// page of records is referred to by.
    fn refs_to_range(
        &mut self,
        first: &str,
        last: &str,
        kind: RefKind,
    ) -> Result<Vec<Ref>, StoreError>;
    /// References owned by `owner_key`.
    fn refs_of(&mut self, owner_key: &str) -> Result<Vec<Ref>, StoreError>;

    /// IPAM state of a subnet (see `cerulean_domain::ipam`): the high-water mark.
    fn ipam_mark(&mut self, subnet: &str) -> Result<u128, StoreError>;
    fn ipam_set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), StoreError>;
    /// The lowest offset released below the mark, if any.
    fn ipam_lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, StoreError>;
    fn ipam_remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, StoreError>;
    fn ipam_add_released(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError>;
    /// Who holds an offset.
    fn ipam_owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, StoreError>;
    /// Records that `owner` holds `offset` unless someone does; true if it was free. The
    /// primary key (subnet, offset) decides, so of two racing claims one gets false.
    fn ipam_claim_if_free(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
    ) -> Result<bool, StoreError>;
    /// Records that `owner` holds `offset`; a second holder fails with
    /// `Conflict { constraint: UNIQUE_ADDRESS }`.
    fn ipam_claim(&mut self, subnet: &str, offset: u128, owner: &str) -> Result<(), StoreError> {
        if self.ipam_claim_if_free(subnet, offset, owner)? {
            Ok(())
        } else {
            Err(StoreError::Conflict {
                constraint: UNIQUE_ADDRESS.to_string(),
            })
        }
    }
    /// The domain's `AddressBook::start`: the lowest released offset, or else the mark.
    fn ipam_start(&mut self, subnet: &str) -> Result<Start, StoreError> {
        Ok(match self.ipam_lowest_released(subnet)? {
            Some(offset) => Start::Released(offset),
            None => Start::Mark(self.ipam_mark(subnet)?),
        })
    }
    /// The domain's `AddressBook::claim_and_mark`: claims `offset` unless held, and when it
    /// was free sets the mark to `mark`.
    fn ipam_claim_and_mark(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
        mark: u128,
    ) -> Result<bool, StoreError> {
        let claimed = self.ipam_claim_if_free(subnet, offset, owner)?;
        if claimed {
            self.ipam_set_mark(subnet, mark)?;
        }
        Ok(claimed)
    }
    fn ipam_free(&mut self, subnet: &str, offset: u128) -> Result<(), StoreError>;
    /// Number of offsets held in a subnet.
    fn ipam_used(&mut self, subnet: &str) -> Result<i64, StoreError>;
    /// `(offset, owner)` of the offsets held in a subnet, in offset order, at most `limit`.
    /// The holders of a subnet's addresses are its users: no reference records them twice.
    fn ipam_holders(
        &mut self,
        subnet: &str,
        limit: usize,
    ) -> Result<Vec<(u128, String)>, StoreError>;
    /// The address books that keep any state (an address held or released, a mark), in key
    /// order after `after`, at most `limit`: what a consistency check walks to find books
    /// whose subnet is gone.
    fn ipam_books(&mut self, after: Option<&str>, limit: usize) -> Result<Vec<String>, StoreError>;
    /// Forgets all IPAM state of a subnet (it is being deleted).
    fn ipam_drop(&mut self, subnet: &str) -> Result<(), StoreError>;

    /// Increments a named counter and returns the new value (starts at 1).
    fn next_counter(&mut self, name: &str) -> Result<i64, StoreError>;

    fn put_operation(&mut self, op: &Operation) -> Result<(), StoreError>;
    fn get_operation(&mut self, id: &str) -> Result<Option<Operation>, StoreError>;

    fn put_subscription(&mut self, s: &Subscription) -> Result<(), StoreError>;
    fn list_subscriptions(&mut self) -> Result<Vec<Subscription>, StoreError>;

    /// Server liveness: the server `instance` is alive for `ttl_ms` from now, by the
    /// database's clock (one clock for every server sharing it). Renewing replaces the expiry.
    fn lease_renew(&mut self, instance: &str, ttl_ms: i64) -> Result<(), StoreError>;
    /// The server `instance` stopped: its runs are orphaned from now on.
    fn lease_end(&mut self, instance: &str) -> Result<(), StoreError>;
    /// Records that the server `owner` works on `key` as run `token`, replacing any earlier
    /// run of it (and its stop request).
    fn run_start(&mut self, key: &str, owner: &str, token: &str) -> Result<(), StoreError>;
    /// The run of `key`, if any, whether its owner is alive and whether it was asked to stop.
    fn run_get(&mut self, key: &str) -> Result<Option<Run>, StoreError>;
    /// Asks the run of `key` to stop. False if there is none.
    fn run_cancel(&mut self, key: &str) -> Result<bool, StoreError>;
    /// The work on `key` is over (finished or settled). False if there was no run.
    fn run_end(&mut self, key: &str) -> Result<bool, StoreError>;
    /// Runs whose owner holds no lease now (none, or an expired one), in key order, at most
    /// `limit`.
    fn runs_orphaned(&mut self, limit: usize) -> Result<Vec<Run>, StoreError>;

    /// The role assignment named `name_key` (its lower-case name).
    fn get_role_assignment(&mut self, name_key: &str)
        -> Result<Option<RoleAssignment>, StoreError>;
    /// Stores a new role assignment. One of the same name, or for the same principal, role
    /// and scope, fails with `Conflict { constraint: UNIQUE_ROLE_ASSIGNMENT }`.
    fn insert_role_assignment(&mut self, a: &RoleAssignment) -> Result<(), StoreError>;
    /// Replaces the stored assignment of the same name (its principal, role and scope stay).
    fn update_role_assignment(&mut self, a: &RoleAssignment) -> Result<(), StoreError>;
    fn delete_role_assignment(&mut self, name_key: &str) -> Result<bool, StoreError>;
    /// The assignments of one principal (lower-case object id), or all of them, in name order.
    fn list_role_assignments(
        &mut self,
        principal: Option<&str>,
    ) -> Result<Vec<RoleAssignment>, StoreError>;

    /// The custom role with this GUID (lower-case).
    fn get_role_definition(&mut self, guid: &str) -> Result<Option<CustomRole>, StoreError>;
    /// Stores a custom role, replacing the one of the same GUID. Another role of the same
    /// name (any case) in the same tenant fails with `Conflict { constraint:
    /// UNIQUE_ROLE_NAME }`.
    fn put_role_definition(&mut self, r: &CustomRole) -> Result<(), StoreError>;
    fn delete_role_definition(&mut self, guid: &str) -> Result<bool, StoreError>;
    /// Every custom role, in GUID order.
    fn list_role_definitions(&mut self) -> Result<Vec<CustomRole>, StoreError>;

    /// Drops every resource, group, reference, address, run and operation (subscriptions,
    /// secrets, server leases, role assignments and custom roles stay: the last two describe
    /// who may do what, not what exists).
    fn reset(&mut self) -> Result<(), StoreError>;

    /// The secret named `name`, expired or not (see [`Secret::forget_after_ms`]).
    fn secret_get(&mut self, name: &str) -> Result<Option<Secret>, StoreError>;
    /// Stores a secret unless one of that name exists; true if this one was stored. The
    /// primary key decides, so of servers racing to create the same secret on an empty
    /// database exactly one succeeds and the others read its value.
    fn secret_insert(&mut self, name: &str, secret: &Secret) -> Result<bool, StoreError>;
    /// Deletes a secret and returns what it was: of two racing takes one gets it, which makes
    /// one-time codes one-time across servers.
    fn secret_take(&mut self, name: &str) -> Result<Option<Secret>, StoreError>;
    /// Forgets every secret whose `forget_after_ms` is before `now_ms`; returns how many.
    fn secret_prune(&mut self, now_ms: i64) -> Result<u64, StoreError>;
    /// Number of secrets whose name starts with `prefix`.
    fn secret_count(&mut self, prefix: &str) -> Result<i64, StoreError>;
}

/// A value every server sharing the store must agree on (the token signing key) or may be
/// asked about (a device code). Never part of a resource, never dropped by `reset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    pub value: String,
    /// When the store may forget it (`secret_prune`); `None` keeps it until taken.
    pub forget_after_ms: Option<i64>,
}

/// A type-erased unit of work: returns `true` to commit its changes, `false` to roll back.
pub type Job = Box<dyn FnMut(&mut dyn Tx) -> bool + Send>;
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Store: Send + Sync + 'static {
    /// `sqlite`, `sqlite-memory` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Runs a job in a write transaction; resolves once its effects are durable (or rolled
    /// back). A job may be run more than once when the database asks for a retry.
    fn run_write(&self, job: Job) -> StoreFuture<'_, Result<(), StoreError>>;
    /// Runs a job in a write transaction that takes write locks on `keys` only (record keys,
    /// address books: whatever names the rules the job checks), so that writers of disjoint
    /// keys may run side by side where the database allows several writers. A job that
    /// declares keys must touch nothing its keys do not cover that another keyed job could
    /// change; `run_write` (no keys) excludes every other writer. Keys are locked in one
    /// fixed order, so keyed writers cannot deadlock one another; unique constraints still
    /// decide any race the keys miss. The default (one writer: SQLite) ignores the keys.
    fn run_write_keyed(&self, job: Job, keys: Keys) -> StoreFuture<'_, Result<(), StoreError>> {
        let _ = keys;
        self.run_write(job)
    }
    /// Whether writers may run side by side (and `run_write_keyed` takes its keys): worth
    /// reading what a write will need to lock before running it. SQLite has one writer.
    fn several_writers(&self) -> bool {
        false
    }
    /// Runs a job on a consistent read-only snapshot.
    fn run_read(&self, job: Job) -> StoreFuture<'_, Result<(), StoreError>>;
    /// Finishes queued writes and closes connections. Later calls fail with `Closed`.
    fn close(&self) -> StoreFuture<'_, ()>;
    /// What the write path has done since the store opened.
    fn write_stats(&self) -> WriteStats;
}

/// The locks a keyed write takes ([`Store::run_write_keyed`]). An exclusive key excludes
/// every other holder of it; a shared key excludes only an exclusive holder. A resource
/// group's key is both: every write in the group shares it, the group's deletion takes it
/// exclusively. A key named in both lists is taken exclusively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keys {
    pub exclusive: Vec<String>,
    pub shared: Vec<String>,
}

impl Keys {
    /// Only exclusive keys.
    pub fn exclusive(keys: Vec<String>) -> Keys {
        Keys {
            exclusive: keys,
            shared: Vec::new(),
        }
    }
}

/// Counters of a store's write path (`/cerulean/info`, the benchmark's probe): how well
/// group commit batches, and how busy the one SQLite writer is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Write transactions committed or rolled back.
    pub commits: u64,
    /// Jobs run in them (kept or refused); more than `commits` when commits are batched.
    pub jobs: u64,
    /// Microseconds the SQLite writer spent on batches, from the first statement to the end of
    /// the commit; `None` where writers are connections of a pool (PostgreSQL).
    pub writer_busy_us: Option<u64>,
    /// Database pages the SQLite writer's commits wrote to the log (checkpoints copy them to
    /// the database file later); `None` on PostgreSQL.
    pub pages_written: Option<u64>,
    /// Write jobs that excluded every other writer (the store-wide lock, taken when a write
    /// declares no keys); `None` where one writer runs at a time anyway (SQLite).
    pub alone: Option<u64>,
    /// Write jobs that ran again because `Tx::replace` found the record they read changed by
    /// another writer (a lock they should have declared); `None` on SQLite, whose one writer
    /// leaves no room for that.
    pub stale_retries: Option<u64>,
}

/// Thread-safe counters behind [`WriteStats`].
#[derive(Debug, Default)]
pub(crate) struct WriteCounters {
    commits: std::sync::atomic::AtomicU64,
    jobs: std::sync::atomic::AtomicU64,
    busy_us: std::sync::atomic::AtomicU64,
    pages: std::sync::atomic::AtomicU64,
    alone: std::sync::atomic::AtomicU64,
    stale: std::sync::atomic::AtomicU64,
}

impl WriteCounters {
    pub(crate) fn record(&self, jobs: usize, busy: std::time::Duration, pages: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.commits.fetch_add(1, Relaxed);
        self.jobs.fetch_add(jobs as u64, Relaxed);
        self.busy_us.fetch_add(busy.as_micros() as u64, Relaxed);
        self.pages.fetch_add(pages, Relaxed);
    }

    /// One more job ran again: a record it read had changed before its update.
    pub(crate) fn record_stale(&self) {
        self.stale
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// One more job ran excluding every other writer.
    pub(crate) fn record_alone(&self) {
        self.alone
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    pub(crate) fn read(&self, single_writer: bool) -> WriteStats {
        use std::sync::atomic::Ordering::Relaxed;
        WriteStats {
            commits: self.commits.load(Relaxed),
            jobs: self.jobs.load(Relaxed),
            writer_busy_us: single_writer.then(|| self.busy_us.load(Relaxed)),
            pages_written: single_writer.then(|| self.pages.load(Relaxed)),
            alone: (!single_writer).then(|| self.alone.load(Relaxed)),
            stale_retries: (!single_writer).then(|| self.stale.load(Relaxed)),
        }
    }
}

/// Where a type-erased job leaves its typed result.
type Slot<T, E> = Arc<Mutex<Option<Result<T, E>>>>;

fn erase<T, E, F>(mut f: F) -> (Job, Slot<T, E>)
where
    F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let slot = Arc::new(Mutex::new(None));
    let out = slot.clone();
    let job: Job = Box::new(move |tx| {
        let r = f(tx);
        let ok = r.is_ok();
        *out.lock().unwrap() = Some(r);
        ok
    });
    (job, slot)
}

fn take<T, E>(slot: Slot<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    slot.lock()
        .unwrap()
        .take()
        .unwrap_or_else(|| Err(StoreError::Backend("job did not run".into()).into()))
}

/// Runs `f` as one write transaction and returns what it returned, once durable.
pub async fn write<T, E, F>(store: &dyn Store, f: F) -> Result<T, E>
where
    F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let (job, slot) = erase(f);
    store.run_write(job).await?;
    take(slot)
}

/// Like [`write`], holding write locks on `keys` only (see [`Store::run_write_keyed`]).
pub async fn write_keyed<T, E, F>(store: &dyn Store, keys: Keys, f: F) -> Result<T, E>
where
    F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let (job, slot) = erase(f);
    store.run_write_keyed(job, keys).await?;
    take(slot)
}

/// Runs `f` on a read-only snapshot.
pub async fn read<T, E, F>(store: &dyn Store, f: F) -> Result<T, E>
where
    F: FnMut(&mut dyn Tx) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    let (job, slot) = erase(f);
    store.run_read(job).await?;
    take(slot)
}
