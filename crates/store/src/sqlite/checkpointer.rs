//! Checkpoints off the writer's thread.
//!
//! SQLite's own automatic checkpoint runs inside the commit that grows the log past its
//! threshold: the writer copied thousands of pages into the database and synced it while
//! every job waited. Here the writer's commit hook only wakes this thread, with its own
//! connection, each [`BACKGROUND_FRAMES`] frames; it copies what the log holds (a passive
//! checkpoint: it never waits for the writer, which goes on appending). The writer itself
//! still checkpoints once the log reaches [`WRITER_FRAMES`], as SQLite did, so that the log
//! can start over from its beginning (it only can when every frame is copied, and frames
//! appended while this thread copies are not): by then little is left to copy.

use rusqlite::hooks::Wal;
use rusqlite::Connection;
use std::ffi::c_int;
use std::sync::mpsc;
use std::thread::JoinHandle;

/// Frames appended to the log between two wake-ups of the checkpointer.
const BACKGROUND_FRAMES: c_int = 500;
/// Frames in the log past which the writer checkpoints after its commit (SQLite's threshold
/// before, `wal_autocheckpoint`).
const WRITER_FRAMES: c_int = 4000;

/// Starts the thread on `conn`; it ends when the returned sender is dropped.
pub fn spawn(conn: Connection) -> std::io::Result<(mpsc::SyncSender<()>, JoinHandle<()>)> {
    let (wake, woken) = mpsc::sync_channel(1);
    let thread = std::thread::Builder::new()
        .name("cerulean-checkpoint".into())
        .spawn(move || {
            while woken.recv().is_ok() {
                // The pragma, unlike `sqlite3_wal_checkpoint_v2`, also works on a connection
                // that has not read the database yet. Busy (the writer is checkpointing) is a
                // row, not an error.
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, "background checkpoint failed");
                }
            }
        })?;
    Ok((wake, thread))
}

/// Installs the writer's commit hook (it replaces SQLite's automatic checkpoint).
pub fn watch_log(writer: &mut Connection, wake: mpsc::SyncSender<()>) -> rusqlite::Result<()> {
    let mut woken_at: c_int = 0;
    writer.wal_hook(Some(move |wal: &mut Wal, frames: c_int| {
        if frames < woken_at {
            woken_at = 0; // the log started over
        }
        if frames - woken_at >= BACKGROUND_FRAMES {
            woken_at = frames;
            let _ = wake.try_send(()); // full: a wake-up is pending already
        }
        if frames >= WRITER_FRAMES {
            // Busy (the checkpointer is copying) or failed: the next commit tries again. An
            // error returned here would fail a commit that happened.
            let _ = wal.checkpoint();
        }
        Ok(())
    }))
}

#[cfg(test)]
#[path = "checkpointer_tests.rs"]
mod tests;
