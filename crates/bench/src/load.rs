//! The load generator: N keep-alive clients share a bounded count of operations and a time
//! cap; the server's CPU time and peak RSS are read from `/proc/<pid>` around each round.

use serde_json::{json, Value};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// Which operation a client is asked to run.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    /// The client (0..clients) running it.
    pub client: usize,
    /// Global sequence number within the round.
    pub index: u64,
    /// How many operations this client ran before this one in the round.
    pub local: u64,
}

/// What one round measured.
#[derive(Clone, Debug)]
pub struct Round {
    pub ops: u64,
    pub ops_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Server CPU (user + system) per operation, milliseconds.
    pub cpu_ms_per_op: f64,
    /// Server peak resident set size (VmHWM) at the end of the round, MiB.
    pub rss_mib: f64,
}

pub fn clock_ticks() -> f64 {
    static TICKS: OnceLock<f64> = OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// utime + stime of a process, in seconds.
pub fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("read /proc/{pid}/stat: {e}"))?;
    stat_cpu_seconds(&stat)
}

/// CPU seconds of each thread of `pid`, summed by thread name (`tokio-rt-worker`,
/// `cerulean-sqlite-writer`, ...), sorted by name.
pub fn thread_cpu_seconds(pid: u32) -> Result<Vec<(String, f64)>, String> {
    let dir = format!("/proc/{pid}/task");
    let mut by_name = std::collections::BTreeMap::<String, f64>::new();
    for task in std::fs::read_dir(&dir).map_err(|e| format!("read {dir}: {e}"))? {
        let Ok(stat) =
            std::fs::read_to_string(task.map_err(|e| e.to_string())?.path().join("stat"))
        else {
            continue; // the thread ended meanwhile
        };
        let name = stat
            .split_once('(')
            .and_then(|(_, r)| r.rsplit_once(')'))
            .map_or("?", |(n, _)| n)
            .to_string();
        *by_name.entry(name).or_default() += stat_cpu_seconds(&stat)?;
    }
    Ok(by_name.into_iter().collect())
}

/// utime + stime of a `/proc/.../stat` line, in seconds.
fn stat_cpu_seconds(stat: &str) -> Result<f64, String> {
    // The command name is in parentheses and may contain spaces: split after the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("malformed /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, utime field 14, stime field 15 (1-based).
    let num = |i: usize| -> Result<f64, String> {
        fields
            .get(i)
            .and_then(|s| s.parse::<f64>().ok())
            .ok_or_else(|| "malformed /proc stat".to_string())
    };
    Ok((num(11)? + num(12)?) / clock_ticks())
}

/// Bytes the process has passed to write-like system calls (`wchar` of `/proc/<pid>/io`):
/// for the SQLite store, WAL frames, checkpoints and the database file.
pub fn written_bytes(pid: u32) -> Result<u64, String> {
    let io = std::fs::read_to_string(format!("/proc/{pid}/io"))
        .map_err(|e| format!("read /proc/{pid}/io: {e}"))?;
    io.lines()
        .find_map(|l| l.strip_prefix("wchar:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| "malformed /proc io".to_string())
}

/// The machine's CPU time so far in clock ticks, from the first line of `/proc/stat`:
/// `(idle, all)`, where idle time counts `idle` and `iowait`.
pub fn machine_ticks() -> Result<(u64, u64), String> {
    let stat =
        std::fs::read_to_string("/proc/stat").map_err(|e| format!("read /proc/stat: {e}"))?;
    parse_machine_ticks(&stat)
}

fn parse_machine_ticks(stat: &str) -> Result<(u64, u64), String> {
    let malformed = || "malformed /proc/stat".to_string();
    let line = stat
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("cpu "))
        .ok_or_else(malformed)?;
    let ticks = line
        .split_whitespace()
        .map(|v| v.parse::<u64>().map_err(|_| malformed()))
        .collect::<Result<Vec<u64>, String>>()?;
    if ticks.len() < 5 {
        return Err(malformed());
    }
    // user nice system idle iowait irq softirq steal; the guest columns after them are
    // already counted in user and nice.
    let all = ticks.iter().take(8).sum();
    Ok((ticks[3] + ticks[4], all))
}

/// The share of the machine's CPU time that was idle between two [`machine_ticks`].
pub fn idle_share(before: (u64, u64), after: (u64, u64)) -> f64 {
    let all = after.1.saturating_sub(before.1);
    if all == 0 {
        return 0.0;
    }
    after.0.saturating_sub(before.0) as f64 / all as f64
}

/// Peak resident set size (VmHWM) in MiB.
pub fn peak_rss_mib(pid: u32) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("read /proc/{pid}/status: {e}"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM")?;
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("malformed VmHWM")?;
    Ok(kib / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    let i = rank.clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

/// Runs up to `total` operations on `clients` concurrent tasks, stopping early at `cap`.
/// Any failed operation fails the round.
pub async fn round<F, Fut>(
    pid: u32,
    clients: usize,
    total: u64,
    cap: Duration,
    f: F,
) -> Result<Round, String>
where
    F: Fn(Op) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicU64::new(0));
    let cpu0 = cpu_seconds(pid)?;
    let start = Instant::now();
    let deadline = start + cap;
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let f = f.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut local = 0;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                if index >= total || Instant::now() >= deadline {
                    break;
                }
                let t = Instant::now();
                f(Op {
                    client,
                    index,
                    local,
                })
                .await?;
                lat.push(t.elapsed());
                local += 1;
            }
            Ok::<_, String>(lat)
        }));
    }
    let mut lat = Vec::new();
    let mut first_err = None;
    for t in tasks {
        match t.await {
            Ok(Ok(l)) => lat.extend(l),
            Ok(Err(e)) => {
                first_err.get_or_insert(e);
            }
            Err(e) => {
                first_err.get_or_insert(e.to_string());
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if let Some(e) = first_err {
        return Err(e);
    }
    let cpu = cpu_seconds(pid)? - cpu0;
    let rss = peak_rss_mib(pid)?;
    lat.sort_unstable();
    let ops = lat.len() as u64;
    Ok(Round {
        ops,
        ops_per_s: ops as f64 / secs.max(1e-9),
        p50_ms: percentile(&lat, 50.0),
        p99_ms: percentile(&lat, 99.0),
        cpu_ms_per_op: cpu * 1000.0 / ops.max(1) as f64,
        rss_mib: rss,
    })
}

/// Median, min and max of one figure over the rounds.
#[derive(Clone, Copy, Debug)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: impl Iterator<Item = f64>) -> Spread {
        let mut v: Vec<f64> = values.collect();
        v.sort_by(|a, b| a.total_cmp(b));
        if v.is_empty() {
            return Spread {
                median: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Spread {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }

    pub fn json(&self) -> Value {
        json!({"median": self.median, "min": self.min, "max": self.max})
    }
}

/// One line of the report: a scenario at one concurrency on one target.
#[derive(Clone, Debug)]
pub struct Measured {
    pub target: String,
    pub scenario: String,
    pub clients: usize,
    pub rounds: Vec<Round>,
    pub note: String,
}

impl Measured {
    pub fn ops_per_s(&self) -> Spread {
        Spread::of(self.rounds.iter().map(|r| r.ops_per_s))
    }
    pub fn p50(&self) -> Spread {
        Spread::of(self.rounds.iter().map(|r| r.p50_ms))
    }
    pub fn p99(&self) -> Spread {
        Spread::of(self.rounds.iter().map(|r| r.p99_ms))
    }
    pub fn cpu(&self) -> Spread {
        Spread::of(self.rounds.iter().map(|r| r.cpu_ms_per_op))
    }
    pub fn rss(&self) -> Spread {
        Spread::of(self.rounds.iter().map(|r| r.rss_mib))
    }

    pub fn json(&self) -> Value {
        json!({
            "target": self.target,
            "scenario": self.scenario,
            "clients": self.clients,
            "note": self.note,
            "ops_per_round": self.rounds.iter().map(|r| r.ops).collect::<Vec<_>>(),
            "ops_per_s": self.ops_per_s().json(),
            "p50_ms": self.p50().json(),
            "p99_ms": self.p99().json(),
            "server_cpu_ms_per_op": self.cpu().json(),
            "server_peak_rss_mib": self.rss().json(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machines_idle_time_is_idle_plus_iowait_of_the_first_eight_columns() {
        let stat = "cpu  100 5 50 800 40 3 2 0 7 1\ncpu0 50 2 25 400 20 1 1 0 0 0\n";
        assert_eq!(parse_machine_ticks(stat).unwrap(), (840, 1000));
        assert!(parse_machine_ticks("cpu0 1 2 3 4 5\n").is_err());
        assert!(parse_machine_ticks("cpu  1 2 x 4 5\n").is_err());
        assert!(parse_machine_ticks("cpu  1 2 3\n").is_err());
        assert!(parse_machine_ticks(&std::fs::read_to_string("/proc/stat").unwrap()).is_ok());
    }

    #[test]
    fn the_idle_share_is_of_the_time_between_two_readings() {
        assert_eq!(idle_share((100, 1000), (150, 1200)), 0.25);
        // No tick passed (or the counters went back): nothing to report, not a division by 0.
        assert_eq!(idle_share((100, 1000), (100, 1000)), 0.0);
        assert_eq!(idle_share((100, 1000), (90, 900)), 0.0);
    }
}
