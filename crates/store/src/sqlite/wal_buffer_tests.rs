//! The log-gathering VFS keeps SQLite's contract: what a commit wrote is in the file when the
//! commit returns (a second connection on the default VFS sees it, and so does a reopen after
//! the writer is abandoned without closing), in transactions far larger than one `pwrite`
//! may carry, and when SQLite spills pages mid-transaction and rewrites their frames.

use super::*;
use crate::sqlite::scratch::scratch;
use rusqlite::{params, Connection, OpenFlags};
use std::path::Path;

/// A writer as the store opens it: this VFS, WAL, `synchronous=FULL`, checkpoint syncs marked.
fn writer(db: &Path) -> Connection {
    register().unwrap();
    let conn = Connection::open_with_flags_and_vfs(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        NAME,
    )
    .unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA checkpoint_fullfsync=ON; CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v BLOB NOT NULL);",
    )
    .unwrap();
    conn
}

/// A reader on the default VFS: it sees only what reached the file.
fn reader(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

fn rows_and_bytes(conn: &Connection) -> (i64, i64) {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(length(v)), 0) FROM t",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

/// Commits one row of `bytes` zeroes.
fn insert_zeroes(w: &Connection, id: i64, bytes: i64) {
    w.execute(
        "INSERT INTO t (id, v) VALUES (?1, zeroblob(?2))",
        params![id, bytes],
    )
    .unwrap();
}

fn intact(conn: &Connection) {
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn every_commit_is_in_the_file_when_it_returns() {
    let (_dir, db) = scratch();
    let w = writer(&db);
    let r = reader(&db);
    for i in 0..60i64 {
        insert_zeroes(&w, i, 3000);
        assert_eq!(rows_and_bytes(&r), (i + 1, (i + 1) * 3000));
    }
    intact(&r);
}

#[test]
fn a_transaction_larger_than_one_write_call_commits_whole() {
    // 400 rows of 4000 bytes: about 1.6 MiB of frames in one commit, more than the default
    // VFS can take in one call (it keeps only the low 17 bits of a length).
    let (_dir, db) = scratch();
    let w = writer(&db);
    w.execute_batch("BEGIN").unwrap();
    for i in 0..400i64 {
        w.execute("INSERT INTO t (id, v) VALUES (?1, randomblob(4000))", [i])
            .unwrap();
    }
    w.execute_batch("COMMIT").unwrap();
    let r = reader(&db);
    assert_eq!(rows_and_bytes(&r), (400, 1_600_000));
    intact(&r);
}

#[test]
fn spilled_pages_rewritten_in_one_transaction_read_back() {
    // A tiny page cache makes SQLite spill dirty pages to the log mid-transaction, then write
    // the same pages again (overwriting their frames) and read them back.
    let (_dir, db) = scratch();
    let w = writer(&db);
    w.execute_batch("PRAGMA cache_size=8; BEGIN").unwrap();
    for i in 0..300i64 {
        insert_zeroes(&w, i, 900);
    }
    for i in 0..300i64 {
        w.execute(
            "UPDATE t SET v = randomblob(?2) WHERE id = ?1",
            params![i, 900 + i % 7],
        )
        .unwrap();
    }
    w.execute_batch("COMMIT").unwrap();
    let expected: i64 = (0..300).map(|i| 900 + i % 7).sum();
    let r = reader(&db);
    assert_eq!(rows_and_bytes(&r), (300, expected));
    intact(&r);
}

#[test]
fn commits_survive_a_writer_that_never_closes() {
    // As if the process died right after the commits returned: the connection is leaked, so
    // nothing it still held back would ever reach the file.
    let (_dir, db) = scratch();
    let w = writer(&db);
    for i in 0..25i64 {
        insert_zeroes(&w, i, 5000);
    }
    std::mem::forget(w);
    let again = writer(&db);
    assert_eq!(rows_and_bytes(&again), (25, 125_000));
    intact(&again);
}

#[test]
fn checkpoints_and_log_restarts_keep_every_row() {
    let (_dir, db) = scratch();
    let w = writer(&db);
    w.execute_batch("PRAGMA wal_autocheckpoint=20").unwrap();
    let r = reader(&db);
    for i in 0..200i64 {
        w.execute("INSERT INTO t (id, v) VALUES (?1, randomblob(2500))", [i])
            .unwrap();
        if i % 50 == 49 {
            assert_eq!(rows_and_bytes(&r), (i + 1, (i + 1) * 2500));
        }
    }
    drop(w);
    intact(&r);
    assert_eq!(rows_and_bytes(&r), (200, 500_000));
}

#[test]
fn without_deferral_every_commit_syncs_the_log() {
    let (_dir, db) = scratch();
    let w = writer(&db);
    let before = real_syncs(&w);
    for i in 0..5i64 {
        insert_zeroes(&w, i, 100);
    }
    assert_eq!(real_syncs(&w), before + 5);
    assert!(take_owed_sync(&w).is_none());
}

#[test]
fn deferred_commits_skip_only_their_own_sync_and_stay_readable() {
    let (_dir, db) = scratch();
    let w = writer(&db);
    assert!(defer_commit_syncs(&w).unwrap());
    let r = reader(&db);
    let before = real_syncs(&w);
    for i in 0..5i64 {
        insert_zeroes(&w, i, 3000);
        assert_eq!(
            rows_and_bytes(&r),
            (i + 1, (i + 1) * 3000),
            "flushed, if not synced"
        );
    }
    assert_eq!(real_syncs(&w), before, "the commits' syncs were deferred");
    let log = take_owed_sync(&w).expect("a sync is owed");
    log.sync_data().unwrap();
    assert!(take_owed_sync(&w).is_none(), "handed out once");

    // A checkpoint's syncs are never deferred, and they settle what was owed.
    insert_zeroes(&w, 99, 10);
    let (log_frames, copied): (i64, i64) = w
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(log_frames, copied);
    assert!(real_syncs(&w) > before, "the checkpoint synced the log");
    assert!(
        take_owed_sync(&w).is_none(),
        "the checkpoint's sync covered the commit"
    );

    // The log starts over from its beginning: its new header is synced on the spot.
    let synced = real_syncs(&w);
    insert_zeroes(&w, 100, 10);
    assert_eq!(real_syncs(&w), synced + 1, "the restarted log's header");
    assert!(
        take_owed_sync(&w).is_some(),
        "the commit's own sync is still owed"
    );
    drop(w);
    intact(&r);
    assert_eq!(rows_and_bytes(&r), (7, 15_020));
}

#[test]
fn a_log_not_of_this_vfs_defers_nothing() {
    let (_dir, db) = scratch();
    drop(writer(&db));
    let plain = Connection::open(&db).unwrap();
    plain
        .execute("INSERT INTO t (id, v) VALUES (1, x'00')", [])
        .unwrap();
    assert!(!defer_commit_syncs(&plain).unwrap());
    assert!(take_owed_sync(&plain).is_none());
}

/// The gathering itself, byte for byte: appends, a rewrite inside what is gathered, one that
/// runs past its end, and writes elsewhere, which it refuses (the caller flushes first).
#[test]
fn writes_are_gathered_where_they_land() {
    let mut p = Pending::default();
    assert!(p.gather(100, b"hdr"));
    assert!(p.gather(103, b"page1"));
    assert!(p.gather(108, b"page2"));
    assert_eq!((p.offset, p.bytes.as_slice()), (100, &b"hdrpage1page2"[..]));
    assert!(p.gather(103, b"PAGE1"), "a frame rewritten in place");
    assert_eq!(p.bytes.as_slice(), b"hdrPAGE1page2");
    assert!(
        p.gather(111, b"GE2+more"),
        "a rewrite that runs past the end"
    );
    assert_eq!(p.bytes.as_slice(), b"hdrPAGE1pagGE2+more");
    assert!(!p.gather(99, b"x"), "before the start");
    assert!(!p.gather(120, b"x"), "past the end, leaving a gap");
    assert_eq!(
        p.bytes.as_slice(),
        b"hdrPAGE1pagGE2+more",
        "a refused write changes nothing"
    );
    p.bytes.clear();
    assert!(p.gather(0, b"new"), "once flushed, anywhere");
    assert_eq!((p.offset, p.bytes.as_slice()), (0, &b"new"[..]));
}
