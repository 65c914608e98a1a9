//! cerulean-bench: starts `cerulean serve` (durable SQLite, in-memory SQLite, PostgreSQL),
//! a minimal axum baseline and moto, drives each over keep-alive connections at 1 and 32
//! concurrent clients, and prints operations/s, p50, p99, server CPU per operation and server
//! peak RSS, each the median of at least 3 rounds with min and max. See docs/performance.md.

mod azure;
mod baseline;
mod cpu_cap;
mod disk;
mod group_delete;
mod load;
mod moto;
mod probe;
mod rbac;
mod replicas;
mod report;
mod target;
mod wrk;

use azure::Mode;
use clap::Parser;
use load::{round, Measured, Op};
use reqwest::Method;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "cerulean-bench",
    about = "Benchmarks cerulean against a baseline and moto"
)]
struct Args {
    /// The cerulean binary to start (build it with `cargo build --release -p cerulean`).
    #[arg(long, default_value = "target/release/cerulean")]
    cerulean: PathBuf,
    /// Every scenario with tiny sizes, in a few seconds (CI).
    #[arg(long)]
    smoke: bool,
    /// Rounds per figure (at least 3).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Store modes to measure: sqlite, memory, postgres.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,memory,postgres")]
    modes: Vec<String>,
    /// Group sizes of the list scenario.
    #[arg(long, value_delimiter = ',')]
    list_sizes: Option<Vec<u64>>,
    /// Addresses in use in the /16 when NIC create latency is measured.
    #[arg(long, value_delimiter = ',')]
    fill_levels: Option<Vec<u64>>,
    /// List sizes for moto (default: those of the list scenario; moto fills at ~400 ENIs/s).
    #[arg(long, value_delimiter = ',')]
    moto_list_sizes: Option<Vec<u64>>,
    /// Skip moto.
    #[arg(long)]
    no_moto: bool,
    /// Longest a round may run, in seconds (it stops early, counted).
    #[arg(long, default_value_t = 60)]
    round_cap: u64,
    /// Also write every figure as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Only these scenarios: wrk, baseline, create, get, vm, ipcfg, seed, ipam, list, cold,
    /// rbac, replicas, moto (default: all).
    #[arg(long, value_delimiter = ',')]
    only: Option<Vec<String>>,
    /// Instead of the table: measure one scenario (get, create, list, baseline-get,
    /// baseline-put) with one client on the first of --modes, and print the server's cost
    /// per operation (see src/probe.rs).
    #[arg(long)]
    probe: Option<String>,
    /// Operations the probe measures (after set-up and warm-up).
    #[arg(long, default_value_t = 200)]
    probe_ops: u64,
    /// Concurrent clients of the probe (the measured operations are shared among them).
    #[arg(long, default_value_t = 1)]
    probe_clients: usize,
    /// NICs in the group the `list` probe lists.
    #[arg(long, default_value_t = 10_000)]
    probe_size: u64,
    /// Addresses in use in the `create` probe's /16 before the measured creates.
    #[arg(long, default_value_t = 0)]
    probe_fill: u64,
    /// Run the probed server inside valgrind's callgrind and print instructions per operation.
    #[arg(long)]
    callgrind: bool,
    /// Record a perf profile of the probe's measured operations into this file.
    #[arg(long)]
    perf: Option<PathBuf>,
    /// Internal: run the baseline server in this directory.
    #[arg(long, hide = true)]
    baseline_server: Option<PathBuf>,
    /// Internal: the baseline server speaks plain HTTP.
    #[arg(long, hide = true)]
    baseline_plain: bool,
    /// Seconds each wrk run lasts (the `wrk` scenario).
    #[arg(long, default_value_t = 5)]
    wrk_seconds: u64,
    /// Connections wrk keeps open (the `wrk` scenario; the target's figure is at 32). Other
    /// counts show whether the rate is bound by latency (it grows with connections) or by CPU.
    #[arg(long, default_value_t = 32)]
    wrk_connections: usize,
    /// Another cerulean binary the `wrk` scenario measures beside `--cerulean`: each round
    /// runs both after its baseline, in alternating order, and the bench prints each one's
    /// ratio to that baseline round by round (an A/B test of a change; see
    /// docs/performance.md).
    #[arg(long)]
    compare: Option<PathBuf>,
    /// Replica counts the `replicas` scenario measures.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    replicas: Vec<usize>,
    /// Caps each replica of the `replicas` scenario at this many cores (a cgroup CPU
    /// quota, as if each had a machine of that size; needs root).
    #[arg(long)]
    replica_cpu: Option<f64>,
}

/// How many operations each scenario runs per round.
#[derive(Clone, Debug)]
pub struct Sizes {
    pub create_1: u64,
    pub create_n: u64,
    pub get_1: u64,
    pub get_n: u64,
    pub vm_1: u64,
    pub vm_n: u64,
    pub ipcfg_1: u64,
    pub ipcfg_n: u64,
    pub seed_1: u64,
    pub seed_n: u64,
    pub ipam_ops: u64,
    pub fill_levels: Vec<u64>,
    pub list_sizes: Vec<u64>,
    /// A list round lists the group this many items' worth of times (1 to 10 lists).
    pub list_items_per_round: u64,
    pub cold_starts: usize,
    pub base_put_1: u64,
    pub base_put_n: u64,
    pub base_get_1: u64,
    pub base_get_n: u64,
    pub moto_create_1: u64,
    pub moto_create_n: u64,
    pub moto_attach_1: u64,
    pub moto_attach_n: u64,
    pub moto_list_sizes: Vec<u64>,
    pub page_size: Option<usize>,
}

impl Sizes {
    fn full() -> Sizes {
        Sizes {
            create_1: 500,
            create_n: 4000,
            get_1: 3000,
            get_n: 20000,
            vm_1: 100,
            vm_n: 600,
            ipcfg_1: 300,
            ipcfg_n: 1600,
            seed_1: 20,
            seed_n: 128,
            ipam_ops: 200,
            fill_levels: vec![0, 10_000, 30_000, 60_000],
            list_sizes: vec![1_000, 10_000, 50_000],
            list_items_per_round: 20_000,
            cold_starts: 5,
            base_put_1: 3000,
            base_put_n: 40000,
            base_get_1: 3000,
            base_get_n: 40000,
            moto_create_1: 100,
            moto_create_n: 400,
            moto_attach_1: 50,
            moto_attach_n: 200,
            moto_list_sizes: vec![1_000, 10_000, 50_000],
            page_size: None,
        }
    }

    fn smoke() -> Sizes {
        Sizes {
            create_1: 10,
            create_n: 64,
            get_1: 20,
            get_n: 64,
            vm_1: 2,
            vm_n: 32,
            ipcfg_1: 4,
            ipcfg_n: 32,
            seed_1: 1,
            seed_n: 32,
            ipam_ops: 5,
            fill_levels: vec![0, 100],
            list_sizes: vec![30, 120],
            list_items_per_round: 120,
            cold_starts: 1,
            base_put_1: 20,
            base_put_n: 64,
            base_get_1: 20,
            base_get_n: 64,
            moto_create_1: 5,
            moto_create_n: 32,
            moto_attach_1: 2,
            moto_attach_n: 32,
            moto_list_sizes: vec![20],
            page_size: Some(25),
        }
    }
}

pub struct Config {
    pub cerulean: PathBuf,
    pub auth_none: bool,
    pub rounds: usize,
    pub clients: Vec<usize>,
    pub cap: Duration,
    pub sizes: Sizes,
    /// Scenario names to run; empty for all.
    pub only: Vec<String>,
    /// Replica counts of the `replicas` scenario, and the cores each may use (uncapped when
    /// `None`).
    pub replicas: Vec<usize>,
    pub replica_cpu: Option<f64>,
}

impl Config {
    /// Whether a scenario (see `--only`) is to run.
    pub fn wants(&self, scenario: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == scenario)
    }
}

pub fn human(n: u64) -> String {
    if n >= 1000 && n.is_multiple_of(1000) {
        format!("{}k", n / 1000)
    } else {
        n.to_string()
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(dir) = args.baseline_server {
        return match baseline::serve(dir, args.baseline_plain) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("baseline: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(run(args))
}

/// Whether this cerulean knows `--auth` (then the bench passes `--auth none`).
fn supports_auth(bin: &PathBuf) -> Result<bool, String> {
    let out = Command::new(bin)
        .args(["serve", "--help"])
        .output()
        .map_err(|e| {
            format!(
                "cannot run {}: {e} (build it: cargo build --release -p cerulean)",
                bin.display()
            )
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).contains("--auth"))
}

async fn run(args: Args) -> ExitCode {
    let mut sizes = if args.smoke {
        Sizes::smoke()
    } else {
        Sizes::full()
    };
    if let Some(v) = args.list_sizes {
        // moto is compared at the same sizes unless told otherwise.
        sizes.moto_list_sizes = v.clone();
        sizes.list_sizes = v;
    }
    if let Some(v) = args.fill_levels {
        sizes.fill_levels = v;
    }
    if let Some(v) = args.moto_list_sizes {
        sizes.moto_list_sizes = v;
    }
    let auth_none = match supports_auth(&args.cerulean) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cerulean-bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cfg = Config {
        cerulean: args.cerulean.clone(),
        auth_none,
        rounds: args.rounds.max(3),
        clients: vec![1, 32],
        cap: Duration::from_secs(args.round_cap.max(1)),
        sizes,
        only: args.only.clone().unwrap_or_default(),
        replicas: args.replicas.iter().copied().filter(|&n| n > 0).collect(),
        replica_cpu: args.replica_cpu,
    };
    if let Some(scenario) = args.probe.clone() {
        let mode = match args.modes.first().map(String::as_str) {
            Some("memory") => Mode::Memory,
            Some("sqlite") | None => Mode::Sqlite,
            Some(other) => {
                eprintln!("the probe runs on sqlite or memory, not {other}");
                return ExitCode::FAILURE;
            }
        };
        let p = probe::ProbeArgs {
            scenario,
            ops: args.probe_ops.max(1),
            size: args.probe_size,
            fill: args.probe_fill,
            clients: args.probe_clients.max(1),
            callgrind: args.callgrind,
            perf: args.perf.clone(),
        };
        return match probe::run(&cfg, mode, p).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("probe failed: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let started = std::time::Instant::now();
    let load_before = loadavg();
    let mut out: Vec<Measured> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let mut nics_stored: Vec<(String, u64, f64)> = Vec::new();

    if cfg.wants("baseline") {
        eprintln!("== baseline (axum + rustls, JSON into a Mutex<HashMap>)");
        if let Err(e) = run_baseline(&cfg, &mut out).await {
            eprintln!("baseline failed: {e}");
            failed.push(format!("baseline: {e}"));
        }
    }

    if cfg.wants("wrk") {
        eprintln!("== wrk: baseline PUT and durable-SQLite NIC create, plain HTTP");
        match wrk::find() {
            Err(e) => {
                eprintln!("SKIPPING wrk: {e}");
                skipped.push(format!("wrk: {e}"));
            }
            Ok(bin) => {
                let shape = wrk::Shape {
                    threads: 2,
                    connections: args.wrk_connections.max(1),
                    seconds: if args.smoke {
                        1
                    } else {
                        args.wrk_seconds.max(1)
                    },
                    rounds: if args.smoke { 1 } else { cfg.rounds },
                };
                // The smoke run compares the binary with itself, so that the A/B path runs in CI.
                let other = args
                    .compare
                    .clone()
                    .or_else(|| args.smoke.then(|| args.cerulean.clone()));
                if let Err(e) = wrk::run(&cfg, &bin, &shape, other.as_deref(), &mut out).await {
                    eprintln!("wrk failed: {e}");
                    failed.push(format!("wrk: {e}"));
                }
            }
        }
    }

    for m in &args.modes {
        let mode = match m.as_str() {
            "sqlite" => Mode::Sqlite,
            "memory" => Mode::Memory,
            "postgres" => Mode::Postgres,
            other => {
                eprintln!("unknown mode {other} (sqlite, memory, postgres)");
                return ExitCode::FAILURE;
            }
        };
        eprintln!("== {}", mode.label());
        match run_mode(&cfg, mode, &mut out, &mut failed).await {
            Ok(Some((n, rss))) => nics_stored.push((mode.label().into(), n, rss)),
            Ok(None) => {
                skipped.push(format!("{}: PostgreSQL unreachable", mode.label()));
            }
            Err(e) => {
                eprintln!("{} failed: {e}", mode.label());
                failed.push(format!("{}: {e}", mode.label()));
            }
        }
    }

    if cfg.wants("replicas") {
        eprintln!("== replicas: 1 and 2 servers on one PostgreSQL");
        match replicas::run(&cfg, &mut out).await {
            Ok(true) => {}
            Ok(false) => skipped.push("replicas: PostgreSQL unreachable".into()),
            Err(e) => {
                eprintln!("replicas failed: {e}");
                failed.push(format!("replicas: {e}"));
            }
        }
    }

    if cfg.wants("rbac") {
        if !auth_none {
            skipped.push("rbac: this cerulean has no --auth".into());
        } else if let Err(e) = rbac::run(&cfg, &mut out).await {
            eprintln!("rbac failed: {e}");
            failed.push(format!("rbac: {e}"));
        }
    }

    if args.no_moto || !cfg.wants("moto") {
        skipped.push("moto: --no-moto or --only".into());
    } else {
        eprintln!("== moto {}", moto::MOTO_VERSION);
        match moto::ensure_installed() {
            Err(e) => {
                eprintln!("SKIPPING moto: {e}");
                skipped.push(format!("moto: {e}"));
            }
            Ok(_) => {
                if let Err(e) = moto::run(&cfg, &mut out).await {
                    eprintln!("moto failed: {e}");
                    failed.push(format!("moto: {e}"));
                }
            }
        }
    }

    let ctx = report::Context {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        load_before,
        load_after: loadavg(),
        seconds: started.elapsed().as_secs_f64(),
        auth_none,
        skipped: skipped.clone(),
        failed: failed.clone(),
        nics_stored,
    };
    println!("{}", report::markdown(&out, &ctx));
    if let Some(path) = args.json {
        let v = report::json(&out, &ctx);
        if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&v).expect("json")) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    for s in &skipped {
        eprintln!("skipped: {s}");
    }
    for f in &failed {
        eprintln!("FAILED: {f}");
    }
    // The smoke run guards the harness, not the server: a server error (5xx) is reported
    // above but does not fail CI; anything else (4xx, a broken harness) does.
    let fatal = failed
        .iter()
        .filter(|f| !(args.smoke && is_server_error(f)))
        .count();
    if fatal == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Whether a failure message carries a 5xx status (`...: 500 {...}`).
fn is_server_error(message: &str) -> bool {
    message.as_bytes().windows(6).any(|w| {
        w[0] == b':'
            && w[1] == b' '
            && w[2] == b'5'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
            && w[5] == b' '
    })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// One store mode: scenarios on a fresh server, then cold starts on the data it left.
/// `None` when PostgreSQL is unreachable (skipped). Returns NICs stored and the peak RSS.
async fn run_mode(
    cfg: &Config,
    mode: Mode,
    out: &mut Vec<Measured>,
    failed: &mut Vec<String>,
) -> Result<Option<(u64, f64)>, String> {
    let dir = azure::temp_dir(match mode {
        Mode::Sqlite => "sqlite",
        Mode::Memory => "memory",
        Mode::Postgres => "postgres",
    })?;
    let mut pg = None;
    if mode == Mode::Postgres {
        match azure::fresh_postgres() {
            Ok(p) => pg = Some(p),
            Err(e) => {
                eprintln!("SKIPPING PostgreSQL: {e}");
                return Ok(None);
            }
        }
    }
    let result = async {
        let mut server = azure::start(cfg, mode, &dir, pg.as_ref().map(|p| p.0.as_str()))?;
        let stored = azure::scenarios(cfg, &server, out, mode, failed).await?;
        let rss = load::peak_rss_mib(server.pid())?;
        eprintln!("  peak RSS {rss:.0} MiB with {stored} NICs stored");
        server.started.proc.stop();
        if cfg.wants("cold") {
            azure::cold_start(cfg, &server, mode, out, stored).await?;
        }
        Ok::<_, String>(Some((stored, rss)))
    }
    .await;
    if let Some((_, admin, name)) = &pg {
        azure::drop_postgres(admin, name);
    }
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_baseline(cfg: &Config, out: &mut Vec<Measured>) -> Result<(), String> {
    let dir = azure::temp_dir("baseline")?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("--baseline-server").arg(&dir);
    let started = target::spawn_printing(cmd, "baseline")?;
    let h = target::Http::new(&started.base, started.ca.as_deref())?;
    let pid = started.proc.pid;
    let s = &cfg.sizes;
    {
        let h2 = h.clone();
        round(pid, 32, 64, cfg.cap, move |_| {
            let h = h2.clone();
            async move { h.ok_raw(Method::GET, "/health", None).await.map(|_| ()) }
        })
        .await?;
    }
    let get_pool = s.base_put_1.clamp(1, 100);
    let body_len = serde_json::to_vec(&baseline::body(0)).expect("json").len();
    for (scenario, method) in [("PUT ~1 KiB JSON", Method::PUT), ("GET by id", Method::GET)] {
        for &clients in &cfg.clients {
            let total = match (&method, clients) {
                (&Method::PUT, 1) => s.base_put_1,
                (&Method::PUT, _) => s.base_put_n,
                (_, 1) => s.base_get_1,
                _ => s.base_get_n,
            };
            let mut rounds = Vec::new();
            for r in 0..cfg.rounds {
                let h2 = h.clone();
                let method = method.clone();
                rounds.push(
                    round(pid, clients, total, cfg.cap, move |op: Op| {
                        let h = h2.clone();
                        let method = method.clone();
                        async move {
                            if method == Method::PUT {
                                let body =
                                    serde_json::to_vec(&baseline::body(op.index)).expect("json");
                                let path = format!("/items/c{clients}r{r}n{}", op.index);
                                h.ok_bytes(Method::PUT, &path, Some(body)).await.map(|_| ())
                            } else {
                                let path = format!("/items/c1r0n{}", op.index % get_pool);
                                h.ok_raw(Method::GET, &path, None).await.map(|_| ())
                            }
                        }
                    })
                    .await?,
                );
            }
            let m = Measured {
                target: "baseline".into(),
                scenario: scenario.into(),
                clients,
                rounds,
                note: format!("body {body_len} bytes"),
            };
            eprintln!(
                "  {:<34} {:>2} clients: {:>9.1} ops/s  p50 {:>8.3} ms  p99 {:>8.3} ms",
                m.scenario,
                clients,
                m.ops_per_s().median,
                m.p50().median,
                m.p99().median
            );
            out.push(m);
        }
    }
    drop(started);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
