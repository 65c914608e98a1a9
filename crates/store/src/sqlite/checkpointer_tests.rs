//! The writer's hook wakes the checkpointer every so many frames and checkpoints itself past
//! the log's threshold, so the log starts over instead of growing.

use super::*;
use crate::sqlite::scratch::{scratch, Dir};
use std::path::PathBuf;

fn scratch_db() -> (Dir, PathBuf, Connection) {
    let (dir, db) = scratch();
    let conn = Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch("PRAGMA synchronous=OFF; CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")
        .unwrap();
    (dir, db, conn)
}

/// Frames in the log (the pragma copies them too; the count is the log's length).
fn frames(conn: &Connection) -> i64 {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
        .unwrap()
}

#[test]
fn the_hook_wakes_the_checkpointer_and_the_log_starts_over() {
    let (_dir, _db, mut conn) = scratch_db();
    let (wake, woken) = mpsc::sync_channel(1);
    watch_log(&mut conn, wake).unwrap();
    // One page-sized row per commit: a few frames each.
    let mut wakes = 0;
    let mut first_wake_at = None;
    for i in 0..3000i64 {
        conn.execute("INSERT INTO t (id, v) VALUES (?1, zeroblob(3500))", [i])
            .unwrap();
        if woken.try_recv().is_ok() {
            wakes += 1;
            first_wake_at.get_or_insert(i);
        }
    }
    let first = first_wake_at.expect("the checkpointer was never woken");
    assert!(first > 50, "woken after {first} commits: too early");
    assert!(wakes >= 4, "woken {wakes} times");
    let log = frames(&conn);
    assert!(
        log < i64::from(WRITER_FRAMES),
        "the log did not start over: {log} frames"
    );
}

#[test]
fn the_checkpointer_copies_when_woken_and_ends_with_its_sender() {
    let (_dir, db, conn) = scratch_db();
    for i in 0..200i64 {
        conn.execute("INSERT INTO t (id, v) VALUES (?1, zeroblob(3500))", [i])
            .unwrap();
    }
    let db_bytes = || std::fs::metadata(&db).unwrap().len();
    let before = db_bytes();
    let (wake, thread) = spawn(Connection::open(&db).unwrap()).unwrap();
    wake.send(()).unwrap();
    drop(wake);
    thread.join().unwrap();
    assert!(
        db_bytes() > before + 200 * 3500,
        "the log was not copied into the database ({before} -> {} bytes)",
        db_bytes()
    );
    drop(conn);
}
