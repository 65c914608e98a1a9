//! A throw-away directory for the SQLite tests' database files, removed when dropped (also
//! when the test fails).

use std::path::PathBuf;

pub(super) struct Dir(pub PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new directory and the path of a database file in it (not created).
pub(super) fn scratch() -> (Dir, PathBuf) {
    let dir = std::env::temp_dir().join(format!("cerulean-sqlite-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("t.db");
    (Dir(dir), db)
}
