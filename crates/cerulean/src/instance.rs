//! Which server this is to the store, and which server ran from this data directory before
//! it. A server holds an exclusive lock on `DIR/instance.lock` while it runs and writes its
//! instance id into it; the kernel drops the lock when the process ends, however it ends. So
//! a server that gets the lock knows the id it finds there belongs to a server that is gone,
//! and settles that server's deployments at once instead of waiting for its lease to run out.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

pub struct Instance {
    pub id: String,
    /// The server that last ran from this directory: dead, since its lock is free.
    pub predecessor: Option<String>,
    /// Held for the life of the process; `None` when another live server holds it.
    _lock: Option<File>,
}

pub fn claim(dir: &Path) -> Instance {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let alone = |id| Instance {
        id,
        predecessor: None,
        _lock: None,
    };
    let path = dir.join("instance.lock");
    let opened = std::fs::create_dir_all(dir).and_then(|_| {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
    });
    let mut file = match opened {
        Ok(f) => f,
        Err(e) => {
            // A read-only data directory (PostgreSQL, its CA and key provided): the work of a
            // predecessor is settled once its lease runs out instead.
            tracing::warn!(path = %path.display(), error = %e, "no instance lock: a restart settles the previous run's deployments when its lease runs out");
            return alone(id);
        }
    };
    if file.try_lock().is_err() {
        // Another live server uses this directory (its files, not necessarily its store):
        // it is not this one's predecessor, and its lock says nothing about anyone else.
        tracing::warn!(
            "another cerulean server is running from {}: not settling its work",
            dir.display()
        );
        return alone(id);
    }
    let mut previous = String::new();
    let _ = file.read_to_string(&mut previous);
    let previous = previous.trim();
    let predecessor = (!previous.is_empty()).then(|| previous.to_string());
    let written = file
        .set_len(0)
        .and_then(|_| file.seek(SeekFrom::Start(0)))
        .and_then(|_| file.write_all(id.as_bytes()))
        .and_then(|_| file.sync_all());
    if let Err(e) = written {
        // The next server would not know this one: it settles this one's work when its lease
        // runs out. The predecessor is still known dead.
        tracing::warn!(path = %path.display(), error = %e, "cannot record this server in its instance lock");
    }
    Instance {
        id,
        predecessor,
        _lock: Some(file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_is_known_dead_once_its_lock_is_free() {
        let dir = std::env::temp_dir().join(format!("cerulean-instance-{}", uuid::Uuid::new_v4()));
        let first = claim(&dir);
        assert_eq!(first.predecessor, None);
        // A second server while the first lives: no predecessor, a fresh id.
        let beside = claim(&dir);
        assert_eq!(beside.predecessor, None);
        assert_ne!(beside.id, first.id);
        let first_id = first.id.clone();
        drop(first);
        drop(beside);
        let next = claim(&dir);
        assert_eq!(next.predecessor.as_deref(), Some(first_id.as_str()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_that_cannot_be_written_gives_an_id_and_no_predecessor() {
        let unwritable = Path::new("/dev/null/cerulean");
        let i = claim(unwritable);
        assert_eq!(i.id.len(), 32);
        assert_eq!(i.predecessor, None);
    }
}
