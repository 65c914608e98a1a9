//! The shared storage suite on SQLite, durable (in a temporary directory) and in memory.

mod durable {
    use cerulean_store::{SqliteMode, SqliteStore};
    use std::sync::Arc;

    fn open() -> Arc<dyn cerulean_store::Store> {
        let dir =
            std::env::temp_dir().join(format!("cerulean-store-test-{}", uuid::Uuid::new_v4()));
        Arc::new(SqliteStore::open(SqliteMode::Durable(dir)).unwrap())
    }
    cerulean_store::conformance_suite!(open());
}

mod memory {
    use cerulean_store::{SqliteMode, SqliteStore};
    use std::sync::Arc;

    cerulean_store::conformance_suite!(Arc::new(SqliteStore::open(SqliteMode::Memory).unwrap()));
}
