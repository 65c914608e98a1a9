//! How long the disk under the data directory takes to make a write durable: the figure that
//! sets the create rate at 32 connections on durable SQLite more than any other part of the
//! host (each commit waits for one `fdatasync` of the log), and differs most between hosts.
//! The wrk scenario prints it beside its figures so that runs on different hosts can be
//! compared for what they are.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::Instant;

/// `fdatasync` latencies after a write of a commit's size, in µs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyncLatency {
    pub median_us: f64,
    pub p90_us: f64,
}

/// A commit under wrk writes about 27 pages of 4 KiB to the log; 64 KiB is that, rounded.
const WRITE: usize = 64 * 1024;
/// Spread over this many slots of the file, so the writes are not one block rewritten.
const SLOTS: u64 = 64;

/// Writes `WRITE` bytes and syncs them `times` times in a scratch file in `dir` (removed
/// afterwards), and returns the latencies of the syncs alone.
pub fn sync_latency(dir: &Path, times: usize) -> Result<SyncLatency, String> {
    let path = dir.join("disk-probe");
    let result = probe(&path, times.max(1));
    let _ = std::fs::remove_file(&path);
    result
}

fn probe(path: &Path, times: usize) -> Result<SyncLatency, String> {
    let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let block = vec![0x5au8; WRITE];
    let mut us = Vec::with_capacity(times);
    for i in 0..times as u64 {
        file.write_all_at(&block, (i % SLOTS) * WRITE as u64)
            .map_err(|e| e.to_string())?;
        let t = Instant::now();
        file.sync_data().map_err(|e| e.to_string())?;
        us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    us.sort_by(f64::total_cmp);
    Ok(SyncLatency {
        median_us: us[us.len() / 2],
        p90_us: us[us.len() * 9 / 10],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_probe_measures_and_leaves_nothing_behind() {
        let dir = crate::azure::temp_dir("disk-test").unwrap();
        let l = sync_latency(&dir, 5).unwrap();
        let left = std::fs::read_dir(&dir).unwrap().count();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(l.median_us > 0.0 && l.p90_us >= l.median_us, "{l:?}");
        assert_eq!(left, 0);
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let gone =
            std::env::temp_dir().join(format!("cerulean-bench-gone-{}", uuid::Uuid::new_v4()));
        let err = sync_latency(&gone, 3).unwrap_err();
        assert!(err.contains("disk-probe"), "{err}");
    }
}
