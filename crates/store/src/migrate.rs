//! Versioned schema migrations, applied in order on start. Both adapters share one version
//! history; a migration whose change is a physical layout of one engine (SQLite's
//! `WITHOUT ROWID` tables) gives each adapter its own statements, and the other a no-op.

pub struct Migration {
    pub version: i64,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

/// Append only: a shipped migration is never edited.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: V1_TABLES,
        postgres: V1_TABLES,
    },
    Migration {
        version: 2,
        sqlite: V2_SQLITE_CLUSTERED,
        postgres: "",
    },
    Migration {
        version: 3,
        sqlite: V3_NO_SUBNET_REFS,
        postgres: V3_NO_SUBNET_REFS,
    },
    Migration {
        version: 4,
        sqlite: V4_SQLITE_SECRETS,
        postgres: V4_POSTGRES_SECRETS,
    },
    Migration {
        version: 5,
        sqlite: V5_SQLITE_LEASES_AND_RUNS,
        postgres: V5_LEASES_AND_RUNS,
    },
    Migration {
        version: 6,
        sqlite: V6_ROLE_ASSIGNMENTS_SQLITE,
        postgres: V6_ROLE_ASSIGNMENTS,
    },
    Migration {
        version: 7,
        sqlite: V7_SQLITE_NO_SUBSCRIPTION_INDEX,
        postgres: "",
    },
    Migration {
        version: 8,
        sqlite: V8_SQLITE_NUMBERED_BOOKS,
        postgres: "",
    },
    Migration {
        version: 9,
        sqlite: V9_ROLE_DEFINITIONS_SQLITE,
        postgres: V9_ROLE_DEFINITIONS,
    },
    Migration {
        version: 10,
        sqlite: V10_EXCLUSIVE_NAT_RULES,
        postgres: V10_EXCLUSIVE_NAT_RULES,
    },
    Migration {
        version: 11,
        sqlite: V11_EXCLUSIVE_DNS_REGISTRATION,
        postgres: V11_EXCLUSIVE_DNS_REGISTRATION,
    },
];

/// The first schema, in the common subset of SQLite and PostgreSQL.
const V1_TABLES: &str = "
    CREATE TABLE resources (
        key TEXT PRIMARY KEY,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        subscription TEXT NOT NULL,
        group_key TEXT,
        location TEXT,
        body TEXT NOT NULL,
        etag TEXT NOT NULL
    );
    CREATE INDEX resources_by_subscription ON resources (subscription, kind, key);
    CREATE INDEX resources_by_group ON resources (group_key, kind, key);
    CREATE TABLE refs (
        from_key TEXT NOT NULL,
        from_id TEXT NOT NULL,
        to_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        owner_key TEXT NOT NULL,
        PRIMARY KEY (from_key, kind, to_key)
    );
    CREATE INDEX refs_by_target ON refs (to_key, kind);
    CREATE INDEX refs_by_owner ON refs (owner_key);
    CREATE UNIQUE INDEX refs_exclusive ON refs (to_key, kind) WHERE kind IN ('publicip', 'attachment');
    CREATE TABLE ip_allocations (
        subnet_key TEXT NOT NULL,
        offset_hex TEXT NOT NULL,
        owner_key TEXT NOT NULL,
        PRIMARY KEY (subnet_key, offset_hex)
    );
    CREATE TABLE ip_released (
        subnet_key TEXT NOT NULL,
        offset_hex TEXT NOT NULL,
        PRIMARY KEY (subnet_key, offset_hex)
    );
    CREATE TABLE ip_marks (
        subnet_key TEXT PRIMARY KEY,
        mark_hex TEXT NOT NULL
    );
    CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    );
    CREATE TABLE operations (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_ms BIGINT NOT NULL
    );
    CREATE INDEX operations_by_age ON operations (created_ms);
    CREATE TABLE subscriptions (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL
    );
    ";

/// SQLite: every table becomes `WITHOUT ROWID`, clustered on the key it is looked up by, so a
/// write dirties one B-tree per table instead of a rowid table plus its primary-key index,
/// and a GET descends one tree instead of two. A group's resources are one range of that
/// key (`record::group_key_range`), which retires `resources_by_group`; `refs` is clustered
/// by owner (every write replaces one owner's refs, and nothing looks refs up by `from_key`
/// alone), which retires `refs_by_owner`; operations are pruned by their time-ordered id,
/// which retires `operations_by_age`. A NIC create dirties 7 B-trees where it dirtied 14.
const V2_SQLITE_CLUSTERED: &str = "
    DROP INDEX resources_by_group;

    CREATE TABLE refs_v2 (
        from_key TEXT NOT NULL,
        from_id TEXT NOT NULL,
        to_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        owner_key TEXT NOT NULL,
        PRIMARY KEY (owner_key, from_key, kind, to_key)
    ) WITHOUT ROWID;
    INSERT INTO refs_v2 SELECT from_key, from_id, to_key, kind, owner_key FROM refs;
    DROP TABLE refs;
    ALTER TABLE refs_v2 RENAME TO refs;
    CREATE INDEX refs_by_target ON refs (to_key, kind);
    CREATE UNIQUE INDEX refs_exclusive ON refs (to_key, kind) WHERE kind IN ('publicip', 'attachment');

    CREATE TABLE ip_allocations_v2 (
        subnet_key TEXT NOT NULL,
        offset_hex TEXT NOT NULL,
        owner_key TEXT NOT NULL,
        PRIMARY KEY (subnet_key, offset_hex)
    ) WITHOUT ROWID;
    INSERT INTO ip_allocations_v2 SELECT subnet_key, offset_hex, owner_key FROM ip_allocations;
    DROP TABLE ip_allocations;
    ALTER TABLE ip_allocations_v2 RENAME TO ip_allocations;

    CREATE TABLE ip_released_v2 (
        subnet_key TEXT NOT NULL,
        offset_hex TEXT NOT NULL,
        PRIMARY KEY (subnet_key, offset_hex)
    ) WITHOUT ROWID;
    INSERT INTO ip_released_v2 SELECT subnet_key, offset_hex FROM ip_released;
    DROP TABLE ip_released;
    ALTER TABLE ip_released_v2 RENAME TO ip_released;

    CREATE TABLE ip_marks_v2 (
        subnet_key TEXT PRIMARY KEY,
        mark_hex TEXT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO ip_marks_v2 SELECT subnet_key, mark_hex FROM ip_marks;
    DROP TABLE ip_marks;
    ALTER TABLE ip_marks_v2 RENAME TO ip_marks;

    CREATE TABLE counters_v2 (
        name TEXT PRIMARY KEY,
        value BIGINT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO counters_v2 SELECT name, value FROM counters;
    DROP TABLE counters;
    ALTER TABLE counters_v2 RENAME TO counters;

    CREATE TABLE operations_v2 (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_ms BIGINT NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO operations_v2 SELECT id, body, created_ms FROM operations;
    DROP TABLE operations;
    ALTER TABLE operations_v2 RENAME TO operations;
    ";

/// A subnet's users are the holders of its addresses (`ip_allocations.owner_key` is the id of
/// the IP configuration holding one), so the references that said the same thing again go:
/// a NIC create wrote them into two B-trees at random positions, half the pages it dirtied.
const V3_NO_SUBNET_REFS: &str = "DELETE FROM refs WHERE kind = 'subnet';";

/// Values every server sharing the store must agree on (the token signing key) or any of them
/// may be asked about (device codes): see `Tx::secret_*`. `forget_after_ms` lets a server
/// prune what has expired; NULL keeps a secret until it is taken. The same table on both
/// engines; SQLite's clustered on its key like every other table since v2.
const V4_SQLITE_SECRETS: &str = "
    CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        forget_after_ms BIGINT
    ) WITHOUT ROWID;
    ";
const V4_POSTGRES_SECRETS: &str = "
    CREATE TABLE secrets (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        forget_after_ms BIGINT
    );
    ";

/// Which server is alive and which server runs what, so that the background work of a server
/// that died (a deployment) is settled by the next one instead of staying Running forever:
/// `leases` holds one row per live server (its instance id and when its lease ends, by the
/// database's clock), `runs` one row per deployment still being worked on: the instance
/// working on it, which run it is (`token`: a redeploy is another) and whether it was asked
/// to stop. A runner reads and fences on this small row at every step, never on the
/// deployment record (whose template may be megabytes). Deployments already stored get an
/// ownerless run: the first server to start settles those still Accepted or Running (their
/// server is gone) and forgets the others.
const V5_LEASES_AND_RUNS: &str = "
    CREATE TABLE leases (
        instance TEXT PRIMARY KEY,
        expires_ms BIGINT NOT NULL
    );
    CREATE TABLE runs (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        token TEXT NOT NULL,
        cancel BOOLEAN NOT NULL
    );
    INSERT INTO runs (key, owner, token, cancel)
        SELECT key, '', '', FALSE FROM resources WHERE kind = 'microsoft.resources/deployments';
    ";

/// V5 with SQLite's clustered layout (see v2).
const V5_SQLITE_LEASES_AND_RUNS: &str = "
    CREATE TABLE leases (
        instance TEXT PRIMARY KEY,
        expires_ms BIGINT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE runs (
        key TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        token TEXT NOT NULL,
        cancel INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO runs (key, owner, token, cancel)
        SELECT key, '', '', 0 FROM resources WHERE kind = 'microsoft.resources/deployments';
    ";

/// Role assignments (`cerulean_domain::authz`): keyed by their lower-case name (a GUID), one
/// per principal, role and scope (the unique index is the database's own check of ARM's
/// `RoleAssignmentExists`, and serves the per-principal lookup every authorization decision
/// starts from). Both engines; SQLite clusters the table on its key like the others (v2).
const V6_ROLE_ASSIGNMENTS: &str = "
    CREATE TABLE role_assignments (
        name_key TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        role_definition TEXT NOT NULL,
        scope_key TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE UNIQUE INDEX role_assignments_grant ON role_assignments (principal_id, role_definition, scope_key);
    ";
const V6_ROLE_ASSIGNMENTS_SQLITE: &str = "
    CREATE TABLE role_assignments (
        name_key TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        role_definition TEXT NOT NULL,
        scope_key TEXT NOT NULL,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX role_assignments_grant ON role_assignments (principal_id, role_definition, scope_key);
    ";

/// An inbound NAT rule forwards to one IP configuration: its references join the exclusive
/// ones, so that two NIC writes racing for one rule cannot both win, on either engine.
const V10_EXCLUSIVE_NAT_RULES: &str = "
    DROP INDEX refs_exclusive;
    CREATE UNIQUE INDEX refs_exclusive ON refs (to_key, kind) WHERE kind IN ('publicip', 'attachment', 'natrule');
    ";

/// A virtual network registers its VMs' names in one private DNS zone: its registration
/// reference (from the zone's link) is exclusive too.
const V11_EXCLUSIVE_DNS_REGISTRATION: &str = "
    DROP INDEX refs_exclusive;
    CREATE UNIQUE INDEX refs_exclusive ON refs (to_key, kind) WHERE kind IN ('publicip', 'attachment', 'natrule', 'dnsregistration');
    ";

/// Custom roles (`cerulean_domain::authz::custom`): keyed by their lower-case GUID, one per
/// name (lower-cased) in a tenant (the unique index is the database's own check of ARM's
/// `RoleDefinitionWithSameNameExists`). Both engines; SQLite clusters the table on its key.
const V9_ROLE_DEFINITIONS: &str = "
    CREATE TABLE role_definitions (
        guid TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name_key TEXT NOT NULL,
        body TEXT NOT NULL
    );
    CREATE UNIQUE INDEX role_definitions_name ON role_definitions (tenant, name_key);
    ";
const V9_ROLE_DEFINITIONS_SQLITE: &str = "
    CREATE TABLE role_definitions (
        guid TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name_key TEXT NOT NULL,
        body TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX role_definitions_name ON role_definitions (tenant, name_key);
    ";

/// SQLite: a subscription's records of one kind are read group by group from the primary key
/// (`sqlite/subscription.rs`, `placement::span_at`), so the index on (subscription, kind, key)
/// goes. Its entries are ordered by key, so every create wrote one of its leaves at a random
/// place: a second page per create in the log and at the checkpoint, 8 % of the create rate
/// on two cores. PostgreSQL keeps it (its writers do not take turns on one thread).
const V7_SQLITE_NO_SUBSCRIPTION_INDEX: &str = "DROP INDEX IF EXISTS resources_by_subscription;";

/// The v8 migration's spelling, in SQL, of the key `sqlite::books::OffsetKey` gives an
/// offset stored as 32 hex digits: its digits without leading zeros, padded to whole bytes,
/// after their count of bytes.
macro_rules! offset_key_of_hex {
    ($hex:literal) => {
        concat!(
            "unhex(printf('%02x', (length(ltrim(",
            $hex,
            ", '0')) + 1) / 2) || substr('0', 1, length(ltrim(",
            $hex,
            ", '0')) % 2) || ltrim(",
            $hex,
            ", '0'))"
        )
    };
}
#[cfg(test)]
pub(crate) use offset_key_of_hex;

/// SQLite: an address's row is keyed by its book's number and a compact offset
/// (`sqlite/books.rs`), not by the subnet's key and 32 hex digits: about 320 bytes a row
/// became about 160, so a batch of creates splits half as many leaves. The other IPAM
/// tables keep their keys (written once per batch, or seldom). PostgreSQL keeps its layout.
const V8_SQLITE_NUMBERED_BOOKS: &str = concat!(
    "
    CREATE TABLE ip_books (
        n INTEGER PRIMARY KEY,
        subnet_key TEXT NOT NULL UNIQUE
    );
    INSERT INTO ip_books (subnet_key)
        SELECT DISTINCT subnet_key FROM ip_allocations ORDER BY subnet_key;
    CREATE TABLE ip_allocations_v8 (
        book INTEGER NOT NULL,
        offset_key BLOB NOT NULL,
        owner_key TEXT NOT NULL,
        PRIMARY KEY (book, offset_key)
    ) WITHOUT ROWID;
    INSERT INTO ip_allocations_v8 (book, offset_key, owner_key)
        SELECT b.n, ",
    offset_key_of_hex!("a.offset_hex"),
    ", a.owner_key
        FROM ip_allocations a JOIN ip_books b ON b.subnet_key = a.subnet_key;
    DROP TABLE ip_allocations;
    ALTER TABLE ip_allocations_v8 RENAME TO ip_allocations;
    "
);

/// Refuses a database a newer cerulean has migrated: this binary would not know what its
/// layout means (since v3, a subnet's users are only its address holders, so an older
/// binary would find no users and let a used subnet be deleted). Servers sharing one
/// PostgreSQL database must all run a version that knows its schema.
pub fn check_known(current: i64) -> Result<(), crate::StoreError> {
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if current > known {
        return Err(crate::StoreError::Backend(format!(
            "the database's schema is version {current}, newer than this cerulean knows \
             ({known}): run the cerulean that migrated it, or a newer one"
        )));
    }
    Ok(())
}

pub const CREATE_VERSIONS: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)";

/// Operations older than this are pruned on start.
pub const OPERATION_RETENTION_MS: i64 = 24 * 3600 * 1000;

/// A string below which every UUIDv7 minted before `cutoff_ms` sorts, and none minted at or
/// after it: a v7 id begins with its millisecond timestamp in hex (`tttttttt-tttt-7...`).
/// Pruning by it walks the clustered key instead of needing an index on `created_ms`; the
/// caller still checks `created_ms`, so an id of another form is never pruned early.
pub fn operation_id_floor(cutoff_ms: i64) -> String {
    let ms = cutoff_ms.max(0) as u64 & 0xffff_ffff_ffff;
    format!("{:08x}-{:04x}", ms >> 16, ms & 0xffff)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_ids_sort_around_their_floor_by_time() {
        let at = |ms: u64| {
            uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
                uuid::NoContext,
                ms / 1000,
                (ms % 1000) as u32 * 1_000_000,
            ))
            .to_string()
        };
        let cutoff = 1_795_000_000_123_i64;
        let floor = operation_id_floor(cutoff);
        assert!(at(cutoff as u64 - 1) < floor);
        assert!(at(cutoff as u64) > floor);
        assert!(at(cutoff as u64 + 86_400_000) > floor);
    }
}
