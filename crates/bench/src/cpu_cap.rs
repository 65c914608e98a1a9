//! Caps a process's CPU for the `replicas` scenario (`--replica-cpu`): a cgroup of the `cpu`
//! controller of its own, with a CFS quota, as if each replica ran on a machine of that
//! size. On a machine too small to give every replica its own cores (replicas, PostgreSQL
//! and the load generator share them), it shows whether the write rate grows with replicas
//! or the replicas take turns on a lock. Needs a writable cgroup file system (root).

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The CFS period; the quota is this times the cores allowed.
const PERIOD_US: u64 = 100_000;

/// A process's CPU cap; the cgroup goes when this is dropped (after the process has).
pub struct CpuCap {
    dir: PathBuf,
}

impl CpuCap {
    /// Puts process `pid` (all its threads) in a new cgroup allowing `cores` of CPU.
    pub fn apply(pid: u32, cores: f64) -> Result<CpuCap, String> {
        if !(0.01..=64.0).contains(&cores) {
            return Err(format!("--replica-cpu {cores}: want 0.01 to 64 cores"));
        }
        let quota = (cores * PERIOD_US as f64).round() as u64;
        let name = format!("cerulean-bench-{pid}");
        let v1 = Path::new("/sys/fs/cgroup/cpu");
        let v2 = Path::new("/sys/fs/cgroup");
        let (dir, limits) = if v1.join("cpu.cfs_quota_us").exists() {
            let limits = vec![
                ("cpu.cfs_period_us", PERIOD_US.to_string()),
                ("cpu.cfs_quota_us", quota.to_string()),
            ];
            (v1.join(name), limits)
        } else if v2.join("cgroup.controllers").exists() {
            (
                v2.join(name),
                vec![("cpu.max", format!("{quota} {PERIOD_US}"))],
            )
        } else {
            return Err(
                "no cgroup cpu controller at /sys/fs/cgroup: --replica-cpu needs one".into(),
            );
        };
        let fail = |what: &str, e: std::io::Error| format!("{what} {}: {e}", dir.display());
        std::fs::create_dir(&dir).map_err(|e| fail("cannot create cgroup", e))?;
        let cap = CpuCap { dir: dir.clone() };
        for (file, value) in limits {
            std::fs::write(dir.join(file), value).map_err(|e| fail(file, e))?;
        }
        std::fs::write(dir.join("cgroup.procs"), pid.to_string())
            .map_err(|e| fail("cgroup.procs", e))?;
        Ok(cap)
    }
}

impl Drop for CpuCap {
    fn drop(&mut self) {
        // The process may take a moment to be reaped; a cgroup goes only once empty.
        for _ in 0..100 {
            if std::fs::remove_dir(&self.dir).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!("could not remove the cgroup {}", self.dir.display());
    }
}
