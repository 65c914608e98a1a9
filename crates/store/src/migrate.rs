//! Versioned schema migrations, applied in order on start. The SQL is written in the common
//! subset of SQLite and PostgreSQL so that both adapters share one schema history.

/// `(version, statements)`. Append only: a shipped migration is never edited.
pub const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    "
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
    ",
)];

pub const CREATE_VERSIONS: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)";

/// Operations older than this are pruned on start.
pub const OPERATION_RETENTION_MS: i64 = 24 * 3600 * 1000;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
