//! `--probe SCENARIO`: one server, one client, a fixed number of operations, and the
//! server's cost of exactly those operations. Under `--callgrind` the server runs inside
//! `valgrind --tool=callgrind`; its counters are zeroed after set-up and warm-up and dumped
//! after the measured operations, so the printed instructions per operation do not depend
//! on the machine's load (other builds on the same 2 cores). `--perf FILE` records a
//! `perf` profile (software clock, DWARF call graphs) of the measured operations instead.
//!
//! Scenarios: `get` (GET one of 100 NICs), `create` (PUT a new NIC, dynamic IP), `list`
//! (every page of a group of `--probe-size` NICs), `baseline-get`, `baseline-put` (the
//! baseline server of the main run, for the same comparison in instructions).

use crate::azure::{self, Mode};
use crate::target::{spawn_printing, Http, Started};
use crate::Config;
use reqwest::Method;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct ProbeArgs {
    pub scenario: String,
    pub ops: u64,
    pub size: u64,
    pub fill: u64,
    pub callgrind: bool,
    pub perf: Option<PathBuf>,
    /// Concurrent clients sharing the measured operations (each its own connection).
    pub clients: usize,
}

/// What the measured operations cost the server.
struct Cost {
    ops: u64,
    seconds: f64,
    cpu_seconds: f64,
    written: u64,
    instructions: Option<u64>,
    /// The server's write counters over the measured operations (cerulean only).
    writes: Option<Writes>,
    /// CPU seconds by thread name over the measured operations.
    threads: Vec<(String, f64)>,
}

/// Differences of `/cerulean/info`'s `writes` over the measured operations.
struct Writes {
    commits: u64,
    jobs: u64,
    writer_busy_us: Option<u64>,
    pages_written: Option<u64>,
}

/// `/cerulean/info`'s write counters: commits, jobs, the writer's busy µs, pages written.
pub type WriteCounts = (u64, u64, Option<u64>, Option<u64>);

pub async fn writes(h: &Http) -> Option<WriteCounts> {
    let v = h.ok(Method::GET, "/cerulean/info", None).await.ok()?;
    let w = &v["writes"];
    Some((
        w["commits"].as_u64()?,
        w["jobs"].as_u64()?,
        w["writerBusyUs"].as_u64(),
        w["pagesWritten"].as_u64(),
    ))
}

pub async fn run(cfg: &Config, mode: Mode, p: ProbeArgs) -> Result<(), String> {
    let dir = azure::temp_dir("probe")?;
    let out_dir = dir.join("callgrind");
    std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;
    let wrap: Vec<String> = if p.callgrind {
        vec![
            "valgrind".into(),
            "--tool=callgrind".into(),
            "--quiet".into(),
            format!("--callgrind-out-file={}/cg.out", out_dir.display()),
        ]
    } else {
        Vec::new()
    };
    let result = async {
        let (started, label) = if let Some(s) = p.scenario.strip_prefix("baseline-") {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let mut cmd = wrapped(&wrap, &exe);
            cmd.arg("--baseline-server").arg(dir.join("baseline"));
            (spawn_printing(cmd, "baseline")?, format!("baseline {s}"))
        } else {
            let mut cmd = wrapped(&wrap, &cfg.cerulean);
            cmd.args(azure::serve_args(cfg, mode, &dir, None)?)
                .env("CERULEAN_LOG", "warn");
            (
                spawn_printing(cmd, "cerulean")?,
                format!("{} {}", mode.label(), p.scenario),
            )
        };
        let cost = measure(&started, &p, &out_dir).await?;
        print(&label, &p, &cost);
        Ok::<_, String>(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn wrapped(wrap: &[String], exe: &Path) -> Command {
    match wrap.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    }
}

fn print(label: &str, p: &ProbeArgs, c: &Cost) {
    let per_op = |x: f64| x / c.ops.max(1) as f64;
    println!(
        "probe {label}{}{}: {} ops in {:.2} s; server CPU {:.3} ms/op; written {:.0} bytes/op{}",
        if p.clients > 1 {
            format!(" ({} clients)", p.clients)
        } else {
            String::new()
        },
        if p.scenario == "list" {
            format!(" (size {})", p.size)
        } else {
            String::new()
        },
        c.ops,
        c.seconds,
        per_op(c.cpu_seconds * 1000.0),
        per_op(c.written as f64),
        match c.instructions {
            Some(i) => format!(
                "; {} instructions/op (callgrind Ir, all threads)",
                per_op(i as f64).round()
            ),
            None => String::new(),
        }
    );
    if !c.threads.is_empty() {
        let threads: Vec<String> = c
            .threads
            .iter()
            .map(|(name, s)| format!("{name} {:.3}", per_op(s * 1000.0)))
            .collect();
        println!("  server CPU by thread, ms/op: {}", threads.join(", "));
    }
    if let Some(w) = c.writes.as_ref().filter(|w| w.commits > 0) {
        println!(
            "  writes: {} jobs in {} commits ({:.1} jobs/commit){}",
            w.jobs,
            w.commits,
            w.jobs as f64 / w.commits as f64,
            match (w.writer_busy_us, w.pages_written) {
                (Some(us), Some(pages)) => format!(
                    "; SQLite writer busy {:.0} % of the time, {:.1} µs/job; {:.1} pages written/commit",
                    us as f64 / 1e4 / c.seconds,
                    us as f64 / w.jobs.max(1) as f64,
                    pages as f64 / w.commits as f64
                ),
                _ => String::new(),
            }
        );
    }
}

async fn measure(started: &Started, p: &ProbeArgs, out_dir: &Path) -> Result<Cost, String> {
    let slow = p.callgrind;
    let h = Http::new(&started.base, started.ca.as_deref())?;
    let pid = started.proc.pid;
    let op = setup(&h, pid, p).await?;
    // Warm-up: connections, prepared statements, allocator.
    let warm = if slow { 3 } else { 20 };
    for i in 0..warm {
        op(h.clone(), u64::MAX - i).await?;
    }
    if p.callgrind {
        callgrind_control("-z", pid)?;
    }
    let mut perf = match &p.perf {
        Some(file) => Some(start_perf(pid, file)?),
        None => None,
    };
    let cpu0 = crate::load::cpu_seconds(pid)?;
    let written0 = crate::load::written_bytes(pid)?;
    let writes0 = writes(&h).await;
    let threads0 = crate::load::thread_cpu_seconds(pid)?;
    let t0 = Instant::now();
    if p.clients <= 1 {
        for i in 0..p.ops {
            op(h.clone(), i).await?;
        }
    } else {
        // Clients take the next index from one counter, as the load generator's do: the
        // operations in flight have neighbouring names, and so the same B-tree pattern.
        let op = std::sync::Arc::new(op);
        let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let mut tasks = Vec::with_capacity(p.clients);
        for _ in 0..p.clients {
            let (op, hc) = (op.clone(), Http::new(&started.base, started.ca.as_deref())?);
            let (next, ops) = (next.clone(), p.ops);
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= ops {
                        break;
                    }
                    op(hc.clone(), i).await?;
                }
                Ok::<_, String>(())
            }));
        }
        for t in tasks {
            t.await.map_err(|e| e.to_string())??;
        }
    }
    let seconds = t0.elapsed().as_secs_f64();
    let writes1 = writes(&h).await;
    let threads1 = crate::load::thread_cpu_seconds(pid)?;
    let cpu_seconds = crate::load::cpu_seconds(pid)? - cpu0;
    let written = crate::load::written_bytes(pid)? - written0;
    if let Some(child) = perf.as_mut() {
        stop_perf(child)?;
    }
    let instructions = if p.callgrind {
        callgrind_control("-d", pid)?;
        Some(dumped_instructions(out_dir)?)
    } else {
        None
    };
    Ok(Cost {
        ops: p.ops,
        seconds,
        cpu_seconds,
        written,
        instructions,
        writes: match (writes0, writes1) {
            (Some((c0, j0, b0, p0)), Some((c1, j1, b1, p1))) => Some(Writes {
                commits: c1 - c0,
                jobs: j1 - j0,
                writer_busy_us: b0.zip(b1).map(|(b0, b1)| b1 - b0),
                pages_written: p0.zip(p1).map(|(p0, p1)| p1 - p0),
            }),
            _ => None,
        },
        threads: threads1
            .into_iter()
            .map(|(name, after)| {
                let before = threads0
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or(0.0, |t| t.1);
                (name, after - before)
            })
            .filter(|(_, s)| *s > 0.0)
            .collect(),
    })
}

type OpFn = Box<
    dyn Fn(
            Http,
            u64,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), String>> + Send>>
        + Send
        + Sync,
>;

/// Prepares the server for a scenario; returns one operation (client, index).
async fn setup(h: &Http, pid: u32, p: &ProbeArgs) -> Result<OpFn, String> {
    match p.scenario.as_str() {
        "get" => {
            azure::group(h, "bench").await?;
            azure::vnet(h, "bench", "10.0.0.0/8", &[("misc", "10.2.0.0/16")]).await?;
            let subnet = azure::subnet_id("bench", "vnet", "misc");
            for i in 0..100 {
                azure::put_nic(h, "bench", &format!("g{i}"), &subnet).await?;
            }
            Ok(Box::new(|h, i| {
                Box::pin(async move {
                    let path = azure::at(&azure::net_id(
                        "bench",
                        "networkInterfaces",
                        &format!("g{}", i % 100),
                    ));
                    h.ok_raw(Method::GET, &path, None).await.map(|_| ())
                })
            }))
        }
        "create" => {
            azure::group(h, "bench").await?;
            azure::vnet(h, "bench", "10.0.0.0/8", &[("create", "10.1.0.0/16")]).await?;
            let subnet = azure::subnet_id("bench", "vnet", "create");
            if p.fill > 0 {
                let t = Instant::now();
                azure::fill(h, pid, "bench", &subnet, "pre", 0, p.fill).await?;
                eprintln!(
                    "  (filled the /16 with {} NICs in {:.1} s)",
                    p.fill,
                    t.elapsed().as_secs_f64()
                );
            }
            let body = serde_json::to_vec(&azure::nic_body(&subnet)).expect("json");
            Ok(Box::new(move |h, i| {
                let body = body.clone();
                Box::pin(async move {
                    let path = azure::at(&azure::net_id(
                        "bench",
                        "networkInterfaces",
                        &format!("c{i}"),
                    ));
                    let (st, _, _) = h.ok_bytes(Method::PUT, &path, Some(body)).await?;
                    if st != 201 {
                        return Err(format!("PUT {path}: {st}, expected 201"));
                    }
                    Ok(())
                })
            }))
        }
        "list" => {
            azure::group(h, "bench-list").await?;
            azure::vnet(h, "bench-list", "10.0.0.0/16", &[("s", "10.0.0.0/16")]).await?;
            let subnet = azure::subnet_id("bench-list", "vnet", "s");
            let t = Instant::now();
            azure::fill(h, pid, "bench-list", &subnet, "l", 0, p.size).await?;
            eprintln!(
                "  (filled {} NICs in {:.1} s)",
                p.size,
                t.elapsed().as_secs_f64()
            );
            let size = p.size;
            Ok(Box::new(move |h, _| {
                Box::pin(async move { azure::list_all(&h, size).await })
            }))
        }
        "baseline-get" => {
            for i in 0..100 {
                let body = serde_json::to_vec(&crate::baseline::body(i)).expect("json");
                h.ok_bytes(Method::PUT, &format!("/items/g{i}"), Some(body))
                    .await?;
            }
            Ok(Box::new(|h, i| {
                Box::pin(async move {
                    h.ok_raw(Method::GET, &format!("/items/g{}", i % 100), None)
                        .await
                        .map(|_| ())
                })
            }))
        }
        "baseline-put" => Ok(Box::new(|h, i| {
            Box::pin(async move {
                let body = serde_json::to_vec(&crate::baseline::body(i)).expect("json");
                h.ok_bytes(Method::PUT, &format!("/items/p{i}"), Some(body))
                    .await
                    .map(|_| ())
            })
        })),
        other => Err(format!(
            "unknown probe scenario {other} (get, create, list, baseline-get, baseline-put)"
        )),
    }
}

fn callgrind_control(flag: &str, pid: u32) -> Result<(), String> {
    let out = Command::new("callgrind_control")
        .args([flag, &pid.to_string()])
        .output()
        .map_err(|e| format!("callgrind_control: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "callgrind_control {flag} {pid}: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// The `summary:`/`totals:` Ir of the newest dump in `dir` (waits for it to appear).
fn dumped_instructions(dir: &Path) -> Result<u64, String> {
    let until = Instant::now() + Duration::from_secs(120);
    loop {
        let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
        for e in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
            let Ok(m) = e.metadata() else { continue };
            let t = m.modified().unwrap_or(std::time::UNIX_EPOCH);
            if newest.as_ref().is_none_or(|(nt, _)| t > *nt) {
                newest = Some((t, e.path()));
            }
        }
        if let Some((_, path)) = newest {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let total = text
                .lines()
                .filter_map(|l| {
                    l.strip_prefix("summary:")
                        .or_else(|| l.strip_prefix("totals:"))
                })
                .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                .max();
            if let Some(t) = total {
                eprintln!("  (callgrind dump: {})", path.display());
                keep_dump(&path);
                return Ok(t);
            }
        }
        if Instant::now() > until {
            return Err(format!("no callgrind dump in {}", dir.display()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Copies the dump to `$CERULEAN_PROBE_KEEP` (for `callgrind_annotate`), when set.
fn keep_dump(path: &Path) {
    if let Ok(dest) = std::env::var("CERULEAN_PROBE_KEEP") {
        match std::fs::copy(path, &dest) {
            Ok(_) => eprintln!("  (kept as {dest})"),
            Err(e) => eprintln!("  (cannot keep the dump as {dest}: {e})"),
        }
    }
}

fn start_perf(pid: u32, file: &Path) -> Result<Child, String> {
    let child = Command::new("perf")
        .args([
            "record",
            "-q",
            "-F",
            "2000",
            "--call-graph",
            "dwarf,16384",
            "-p",
        ])
        .arg(pid.to_string())
        .arg("-o")
        .arg(file)
        .spawn()
        .map_err(|e| format!("perf: {e}"))?;
    // perf needs a moment to attach.
    std::thread::sleep(Duration::from_millis(500));
    Ok(child)
}

fn stop_perf(child: &mut Child) -> Result<(), String> {
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    child.wait().map_err(|e| e.to_string())?;
    Ok(())
}
