//! What the writer thread remembers between jobs, so that a NIC create does not read its
//! network's record, its group's existence and its subnet's address book from SQLite every
//! time.
//!
//! Only the writer thread's connection has one, and it is exact, not a guess: every statement
//! that changes what it holds (`resources` rows, `ip_marks`, `ip_released`) goes through
//! [`super::tx::SqliteTx`], which updates or forgets the entry in the same call; a rollback
//! (of a batch, or of one job's savepoint) forgets everything, since the entries a rolled-back
//! job left are no longer true; and another connection's commit (another process on the same
//! file, say) changes SQLite's `data_version`, which the writer compares before every batch.
//!
//! One thing it holds is not in SQLite yet: the address marks the batch's jobs moved, written
//! once per subnet just before the batch commits (a batch of creates in one subnet moved the
//! row once per create). A job undone alone keeps the other jobs' unwritten marks; a batch
//! rolled back drops them with everything else.

use super::conn::Conn;
use crate::Record;

/// The writer's maps and sets: keyed by resource keys of 100-odd bytes and looked up several
/// times per job, where SipHash (std's default) took about 4k instructions of a NIC create.
/// foldhash is seeded at random per map, and every map here is bounded (below), so keys
/// chosen to collide cost at most a bounded scan.
pub(super) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
pub(super) type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Records kept at most, and their bodies' bytes at most (a NIC's record is under 2 KB, a
/// network's with many subnets can be hundreds); past either, all are forgotten and the cache
/// refills with what is read again.
const MAX_RECORDS: usize = 1024;
const MAX_BODY_BYTES: usize = 16 << 20;
/// Subnets whose address book facts are kept at most.
const MAX_SUBNETS: usize = 4096;

#[derive(Default)]
pub(super) struct WriterCache {
    records: Map<String, Record>,
    /// The bodies' bytes in `records`.
    body_bytes: usize,
    /// Keys of records known to exist (a tracked PUT asks whether its group exists).
    existing: Set<String>,
    /// Each subnet's next-address mark, as `ip_marks` holds it (0 where it holds none), or
    /// as `unwritten` will write it.
    marks: Map<String, u128>,
    /// Marks this batch's jobs moved and `ip_marks` does not hold yet: a batch of creates in
    /// one subnet moves its mark once per create, and the row is written once, just before
    /// the batch commits (`tx::write_marks`).
    unwritten: Map<String, u128>,
    /// Subnets with no released address to hand out again.
    none_released: Set<String>,
    /// Each book's number in `ip_allocations` (`books.rs`).
    books: Map<String, i64>,
    data_version: Option<i64>,
}

impl WriterCache {
    pub(super) fn record(&self, key: &str) -> Option<&Record> {
        self.records.get(key)
    }

    pub(super) fn keep_record(&mut self, rec: &Record) {
        self.forget_record(&rec.key);
        if self.records.len() >= MAX_RECORDS || self.body_bytes + rec.body.len() > MAX_BODY_BYTES {
            self.records.clear();
            self.body_bytes = 0;
        }
        if rec.body.len() <= MAX_BODY_BYTES {
            self.body_bytes += rec.body.len();
            self.records.insert(rec.key.clone(), rec.clone());
        }
    }

    pub(super) fn forget_record(&mut self, key: &str) {
        if let Some(old) = self.records.remove(key) {
            self.body_bytes -= old.body.len();
        }
        self.existing.remove(key);
    }

    pub(super) fn known_to_exist(&self, key: &str) -> bool {
        self.existing.contains(key) || self.records.contains_key(key)
    }

    pub(super) fn keep_existing(&mut self, key: &str) {
        if self.existing.len() >= MAX_RECORDS {
            self.existing.clear();
        }
        self.existing.insert(key.to_string());
    }

    pub(super) fn mark(&self, subnet: &str) -> Option<u128> {
        self.unwritten
            .get(subnet)
            .or_else(|| self.marks.get(subnet))
            .copied()
    }

    /// A mark a job moved: kept, and written before the batch commits.
    pub(super) fn move_mark(&mut self, subnet: &str, mark: u128) {
        self.keep_mark(subnet, mark);
        self.unwritten.insert(subnet.to_string(), mark);
    }

    /// The marks to write before the commit; none are left unwritten after.
    pub(super) fn take_unwritten(&mut self) -> Map<String, u128> {
        std::mem::take(&mut self.unwritten)
    }

    /// The unwritten marks before a job that may be undone alone (a savepoint).
    pub(super) fn unwritten_before_job(&self) -> Map<String, u128> {
        self.unwritten.clone()
    }

    /// A job undone alone: everything is forgotten but the marks the batch's kept jobs moved.
    pub(super) fn undo_job(&mut self, unwritten_before: Map<String, u128>) {
        self.clear();
        self.unwritten = unwritten_before;
    }

    pub(super) fn keep_mark(&mut self, subnet: &str, mark: u128) {
        if self.marks.len() >= MAX_SUBNETS {
            self.marks.clear();
        }
        self.marks.insert(subnet.to_string(), mark);
    }

    pub(super) fn none_released(&self, subnet: &str) -> bool {
        self.none_released.contains(subnet)
    }

    pub(super) fn keep_none_released(&mut self, subnet: &str) {
        if self.none_released.len() >= MAX_SUBNETS {
            self.none_released.clear();
        }
        self.none_released.insert(subnet.to_string());
    }

    pub(super) fn forget_none_released(&mut self, subnet: &str) {
        self.none_released.remove(subnet);
    }

    pub(super) fn book(&self, book: &str) -> Option<i64> {
        self.books.get(book).copied()
    }

    pub(super) fn keep_book(&mut self, book: &str, n: i64) {
        if self.books.len() >= MAX_SUBNETS {
            self.books.clear();
        }
        self.books.insert(book.to_string(), n);
    }

    pub(super) fn forget_subnet(&mut self, subnet: &str) {
        self.marks.remove(subnet);
        self.unwritten.remove(subnet);
        self.none_released.remove(subnet);
        self.books.remove(subnet);
    }

    /// Forgets everything (a rollback, a reset), unwritten marks included.
    pub(super) fn clear(&mut self) {
        self.records.clear();
        self.body_bytes = 0;
        self.existing.clear();
        self.marks.clear();
        self.unwritten.clear();
        self.none_released.clear();
        self.books.clear();
    }

    /// Forgets everything when another connection committed since the last call (SQLite's
    /// `data_version` does not move for this connection's own commits).
    pub(super) fn check_others(&mut self, conn: &Conn) {
        let version = conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)))
            .ok();
        if version.is_none() || version != self.data_version {
            self.clear();
        }
        self.data_version = version;
    }
}

#[cfg(test)]
mod tests {
    use super::super::{SqliteMode, SqliteStore};
    use crate::{write, Record, Store, StoreError, Tx};

    #[test]
    fn the_bodies_kept_stay_under_their_cap() {
        let mut c = super::WriterCache::default();
        let big = "x".repeat(super::MAX_BODY_BYTES / 3);
        for i in 0..10 {
            let mut r = vnet(&big);
            r.key = format!("{KEY}{i}");
            c.keep_record(&r);
            assert!(c.body_bytes <= super::MAX_BODY_BYTES);
            assert_eq!(
                c.body_bytes,
                c.records.values().map(|r| r.body.len()).sum::<usize>()
            );
        }
        c.keep_record(&vnet(&"y".repeat(super::MAX_BODY_BYTES + 1)));
        assert!(c.record(KEY).is_none(), "a body over the cap is not kept");
        c.keep_record(&vnet("{}"));
        c.keep_record(&vnet("{\"v\":1}"));
        assert_eq!(c.record(KEY).unwrap().body, "{\"v\":1}");
        assert_eq!(
            c.body_bytes,
            c.records.values().map(|r| r.body.len()).sum::<usize>()
        );
    }

    const KEY: &str =
        "/subscriptions/s1/resourcegroups/g/providers/microsoft.network/virtualnetworks/v";
    const SUBNET: &str = "/subscriptions/s1/resourcegroups/g/providers/microsoft.network/virtualnetworks/v/subnets/a";

    fn vnet(body: &str) -> Record {
        Record {
            key: KEY.into(),
            id: KEY.into(),
            kind: "microsoft.network/virtualnetworks".into(),
            subscription: "s1".into(),
            group_key: Some("/subscriptions/s1/resourcegroups/g".into()),
            location: Some("eastus".into()),
            body: body.into(),
            etag: "W/\"1\"".into(),
        }
    }

    fn durable() -> (SqliteStore, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("cerulean-cache-{}", uuid::Uuid::new_v4()));
        (
            SqliteStore::open(SqliteMode::Durable(dir.clone())).unwrap(),
            dir,
        )
    }

    async fn body_seen_by_writer(store: &SqliteStore) -> String {
        write(store, |tx: &mut dyn Tx| {
            Ok::<_, StoreError>(tx.get(KEY)?.unwrap().body)
        })
        .await
        .unwrap()
    }

    /// A job that changes a cached record and reads it back, then is refused, leaves the
    /// record as it was: the rollback takes the cache's copy with it.
    #[tokio::test]
    async fn a_refused_jobs_reads_are_forgotten() {
        let (store, _dir) = durable();
        write(&store, |tx: &mut dyn Tx| tx.put(&vnet("{\"v\":1}")))
            .await
            .unwrap();
        assert_eq!(body_seen_by_writer(&store).await, "{\"v\":1}");
        let refused = write(&store, |tx: &mut dyn Tx| {
            tx.put(&vnet("{\"v\":2}"))?;
            assert_eq!(tx.get(KEY)?.unwrap().body, "{\"v\":2}");
            tx.ipam_set_mark(SUBNET, 9)?;
            assert_eq!(tx.ipam_mark(SUBNET)?, 9);
            Err::<(), _>(StoreError::Conflict {
                constraint: "refused".into(),
            })
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(body_seen_by_writer(&store).await, "{\"v\":1}");
        let mark = write(&store, |tx: &mut dyn Tx| tx.ipam_mark(SUBNET)).await;
        assert_eq!(mark, Ok(0));
        store.close().await;
    }

    /// Another connection's commit (another process on the same file) is seen by the next
    /// batch, whatever the writer had cached.
    #[tokio::test]
    async fn another_connections_commit_is_seen() {
        let (store, dir) = durable();
        write(&store, |tx: &mut dyn Tx| {
            tx.put(&vnet("{\"v\":1}"))?;
            tx.ipam_set_mark(SUBNET, 5)?;
            tx.ipam_lowest_released(SUBNET)
        })
        .await
        .unwrap();
        assert_eq!(body_seen_by_writer(&store).await, "{\"v\":1}");
        let other = rusqlite::Connection::open(dir.join("cerulean.db")).unwrap();
        other
            .execute_batch(&format!(
                "UPDATE resources SET body = '{{\"v\":3}}' WHERE key = '{KEY}';
                 UPDATE ip_marks SET mark_hex = '{}' WHERE subnet_key = '{SUBNET}';
                 INSERT INTO ip_released (subnet_key, offset_hex) VALUES ('{SUBNET}', '{}');",
                crate::record::offset_hex(7),
                crate::record::offset_hex(4),
            ))
            .unwrap();
        assert_eq!(body_seen_by_writer(&store).await, "{\"v\":3}");
        let seen = write(&store, |tx: &mut dyn Tx| {
            Ok::<_, StoreError>((tx.ipam_mark(SUBNET)?, tx.ipam_lowest_released(SUBNET)?))
        })
        .await;
        assert_eq!(seen, Ok((7, Some(4))));
        store.close().await;
    }

    /// The writer's own changes are read back at once: a put, a delete, a released address,
    /// a dropped book, a reset.
    #[tokio::test]
    async fn the_writers_own_changes_are_read_back() {
        let (store, _dir) = durable();
        let steps = write(&store, |tx: &mut dyn Tx| {
            tx.put(&vnet("{\"v\":1}"))?;
            let first = tx.get(KEY)?.map(|r| r.body);
            tx.put(&vnet("{\"v\":2}"))?;
            let second = tx.get(KEY)?.map(|r| r.body);
            assert!(tx.exists(KEY)?);
            tx.delete(KEY)?;
            assert!(!tx.exists(KEY)?, "a deleted record still exists");
            let deleted = tx.get(KEY)?;
            tx.put(&vnet("{\"v\":3}"))?;
            assert!(tx.exists(KEY)?); // known from SQLite this time, not from a cached record
            tx.delete(KEY)?;
            assert!(!tx.exists(KEY)?, "a deleted record still exists");
            assert_eq!(tx.ipam_lowest_released(SUBNET)?, None);
            tx.ipam_add_released(SUBNET, 6)?;
            let released = tx.ipam_lowest_released(SUBNET)?;
            tx.ipam_set_mark(SUBNET, 8)?;
            tx.ipam_drop(SUBNET)?;
            let dropped = (tx.ipam_mark(SUBNET)?, tx.ipam_lowest_released(SUBNET)?);
            tx.put(&vnet("{\"v\":4}"))?;
            tx.get(KEY)?;
            tx.reset()?;
            Ok::<_, StoreError>((first, second, deleted, released, dropped, tx.get(KEY)?))
        })
        .await
        .unwrap();
        assert_eq!(
            steps,
            (
                Some("{\"v\":1}".to_string()),
                Some("{\"v\":2}".to_string()),
                None,
                Some(6),
                (0, None),
                None
            )
        );
        store.close().await;
    }

    /// Marks are written at the end of their batch: a job undone alone (its neighbour refused
    /// in the same batch) takes only its own mark with it, and readers, which have no cache,
    /// see the kept jobs' marks once the batch commits.
    #[tokio::test]
    async fn a_batchs_marks_are_written_and_an_undone_job_keeps_its_neighbours() {
        const OTHER: &str = "/subscriptions/s1/resourcegroups/g/providers/microsoft.network/virtualnetworks/v/subnets/b";
        let (store, _dir) = durable();
        let mark = |subnet: &'static str, mark: u128| {
            write(&store, move |tx: &mut dyn Tx| {
                tx.ipam_set_mark(subnet, mark)
            })
        };
        // The first job holds the writer; the next three arrive while it runs and join its
        // batch.
        let (started, running) = tokio::sync::oneshot::channel();
        let mut started = Some(started);
        let held = write(&store, move |_: &mut dyn Tx| {
            if let Some(s) = started.take() {
                let _ = s.send(());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
            Ok::<_, StoreError>(())
        });
        let batch = async {
            running.await.unwrap();
            tokio::join!(
                mark(SUBNET, 5),
                write(&store, |tx: &mut dyn Tx| {
                    tx.ipam_set_mark(SUBNET, 9)?;
                    tx.ipam_set_mark(OTHER, 9)?;
                    Err::<(), _>(StoreError::Conflict {
                        constraint: "refused".into(),
                    })
                }),
                mark(OTHER, 3),
            )
        };
        let (held, (kept, refused, other)) = tokio::join!(held, batch);
        assert_eq!((held, kept, other), (Ok(()), Ok(()), Ok(())));
        assert!(refused.is_err());
        let stats = store.write_stats();
        assert_eq!(
            (stats.commits, stats.jobs),
            (1, 4),
            "the four jobs were not one batch"
        );
        let seen = crate::read(&store, |tx: &mut dyn Tx| {
            Ok::<_, StoreError>((tx.ipam_mark(SUBNET)?, tx.ipam_mark(OTHER)?))
        })
        .await;
        assert_eq!(seen, Ok((5, 3)));
        store.close().await;
    }
}
