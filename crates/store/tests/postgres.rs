//! The shared storage suite on a real PostgreSQL server. Each test gets a database of its
//! own. The server comes from `CERULEAN_TEST_POSTGRES` (default: the local one on
//! 127.0.0.1:5432, user postgres); `.ci/run` makes sure it is running.

use cerulean_store::{Keys, PgStore};
use std::sync::Arc;

fn admin_url() -> String {
    std::env::var("CERULEAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Creates a fresh, empty database and returns its URL (blocking).
fn fresh_database() -> String {
    let admin = admin_url();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // scripts/test drops the databases of its run (`_{CERULEAN_TEST_RUN}`) when it ends.
    let run = std::env::var("CERULEAN_TEST_RUN")
        .ok()
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|t| format!("_{}", t.to_ascii_lowercase()))
        .unwrap_or_default();
    let name = format!("cerulean_test_{now}_{}{run}", uuid::Uuid::new_v4().simple());
    let mut c = postgres::Client::connect(&admin, postgres::NoTls)
        .expect("PostgreSQL must be running for this suite (see .ci/run)");
    drop_stale_databases(&mut c, now);
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// Creates a fresh database and opens a store on it.
async fn open() -> Arc<dyn cerulean_store::Store> {
    tokio::task::spawn_blocking(|| {
        let store: Arc<dyn cerulean_store::Store> =
            Arc::new(PgStore::open(&fresh_database()).unwrap());
        store
    })
    .await
    .unwrap()
}

/// A server never runs on a schema a newer cerulean migrated (servers share the database).
#[test]
fn a_database_of_a_newer_schema_is_refused() {
    let url = fresh_database();
    drop(PgStore::open(&url).unwrap());
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let newest: i64 = c
        .query_one("SELECT MAX(version)::BIGINT FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    c.execute(
        "INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, 0)",
        &[&(newest + 1)],
    )
    .unwrap();
    let err = PgStore::open(&url)
        .err()
        .expect("a newer schema must be refused");
    assert!(
        err.to_string().contains(&format!(
            "the database's schema is version {}, newer than this cerulean knows ({newest})",
            newest + 1
        )),
        "{err}"
    );
}

/// Test databases are named `cerulean_test_{unix seconds}_{random}`; those older than an
/// hour belong to finished runs.
fn drop_stale_databases(c: &mut postgres::Client, now: u64) {
    let rows = c
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'cerulean_test_%'",
            &[],
        )
        .unwrap();
    for row in rows {
        let name: String = row.get(0);
        let born: u64 = name
            .split('_')
            .nth(2)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if born + 3600 < now {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

cerulean_store::conformance_suite!(open().await);

/// Runs two keyed jobs that each wait, inside their transactions, until both are inside (or
/// give up after a bound): whether the two ran side by side.
async fn overlap(store: Arc<dyn cerulean_store::Store>, keys: [Keys; 2]) -> bool {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};
    let inside = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for keys in keys {
        let (store, inside) = (store.clone(), inside.clone());
        handles.push(tokio::spawn(async move {
            cerulean_store::write_keyed(&*store, keys, move |_tx| {
                inside.fetch_add(1, Ordering::SeqCst);
                let until = Instant::now() + Duration::from_secs(3);
                while inside.load(Ordering::SeqCst) < 2 {
                    if Instant::now() > until {
                        return Ok(false);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok::<_, cerulean_store::StoreError>(true)
            })
            .await
            .unwrap()
        }));
    }
    let mut both = true;
    for h in handles {
        both &= h.await.unwrap();
    }
    both
}

/// On PostgreSQL, writers of disjoint keys really run side by side (not only correctly), as
/// do writers sharing a key; one holding it exclusively runs alone. With one lock for every
/// writer none would overlap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_disjoint_or_shared_keys_overlap() {
    let store = open().await;
    let own = |k: &str| Keys::exclusive(vec![k.to_string()]);
    let in_group = |k: &str| Keys {
        exclusive: vec![k.to_string()],
        shared: vec!["/g".to_string()],
    };
    assert!(overlap(store.clone(), [own("/a"), own("/b")]).await);
    assert!(overlap(store.clone(), [in_group("/a"), in_group("/b")]).await);
    assert!(!overlap(store.clone(), [in_group("/a"), own("/g")]).await);
}
