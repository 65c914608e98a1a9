//! The servers the scenarios run against: one `cerulean serve` per store mode (with a fresh
//! data directory or PostgreSQL database), and its cold start on the data left behind.

use crate::load::{Measured, Round};
use crate::target::{spawn_printing, Http, Started};
use crate::Config;
use reqwest::Method;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Sqlite,
    Memory,
    Postgres,
}

impl Mode {
    pub fn label(self) -> &'static str {
        match self {
            Mode::Sqlite => "cerulean sqlite",
            Mode::Memory => "cerulean in-memory",
            Mode::Postgres => "cerulean postgres",
        }
    }
}

/// A running server of one mode, with what is needed to restart it on the same data.
pub struct Cerulean {
    pub started: Started,
    pub http: Http,
    args: Vec<String>,
}

impl Cerulean {
    pub fn pid(&self) -> u32 {
        self.started.proc.pid
    }
}

fn command(cfg: &Config, args: &[String]) -> Command {
    let mut cmd = Command::new(&cfg.cerulean);
    cmd.args(args).env("CERULEAN_LOG", "warn");
    cmd
}

pub fn start(
    cfg: &Config,
    mode: Mode,
    dir: &Path,
    db_url: Option<&str>,
) -> Result<Cerulean, String> {
    let args = serve_args(cfg, mode, dir, db_url)?;
    let started = spawn_printing(command(cfg, &args), "cerulean")?;
    let http = Http::new(&started.base, started.ca.as_deref())?;
    Ok(Cerulean {
        started,
        http,
        args,
    })
}

/// The arguments of `cerulean` for one store mode on a data directory.
pub fn serve_args(
    cfg: &Config,
    mode: Mode,
    dir: &Path,
    db_url: Option<&str>,
) -> Result<Vec<String>, String> {
    let mut args: Vec<String> = vec![
        "serve".into(),
        "--port".into(),
        "0".into(),
        "--location".into(),
        dir.display().to_string(),
    ];
    if cfg.auth_none {
        args.extend(["--auth".into(), "none".into()]);
    }
    match mode {
        Mode::Sqlite => {}
        Mode::Memory => args.push("--in-memory".into()),
        Mode::Postgres => {
            args.push("--database-url".into());
            args.push(db_url.ok_or("no database URL")?.to_string());
        }
    }
    if let Some(p) = cfg.sizes.page_size {
        args.extend(["--page-size".into(), p.to_string()]);
    }
    Ok(args)
}

/// Spawn → first 200 from /health, on the data the previous server left behind.
pub async fn cold_start(
    cfg: &Config,
    c: &Cerulean,
    mode: Mode,
    out: &mut Vec<Measured>,
    stored: u64,
) -> Result<(), String> {
    let client = c.http.client.clone();
    let args = c.args.clone();
    let mut rounds = Vec::new();
    for _ in 0..cfg.rounds {
        let mut times = Vec::new();
        let mut cpu = 0.0;
        let mut rss: f64 = 0.0;
        for _ in 0..cfg.sizes.cold_starts {
            let t0 = Instant::now();
            let started = spawn_printing(command(cfg, &args), "cerulean")?;
            let h = Http {
                client: client.clone(),
                base: started.base.clone(),
                bearer: None,
            };
            let mut ok = false;
            for _ in 0..2000 {
                if let Ok((200, _, _)) = h.send(Method::GET, "/health", None).await {
                    ok = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let elapsed = t0.elapsed();
            if !ok {
                return Err("cold start: /health never answered 200".into());
            }
            cpu += crate::load::cpu_seconds(started.proc.pid)?;
            rss = rss.max(crate::load::peak_rss_mib(started.proc.pid)?);
            times.push(elapsed);
            drop(started);
        }
        times.sort_unstable();
        let n = times.len();
        let total: f64 = times.iter().map(|d| d.as_secs_f64()).sum();
        let pct = |p: f64| {
            let i = (((p / 100.0) * n as f64).ceil() as usize).clamp(1, n) - 1;
            times[i].as_secs_f64() * 1000.0
        };
        rounds.push(Round {
            ops: n as u64,
            ops_per_s: n as f64 / total,
            p50_ms: pct(50.0),
            p99_ms: pct(99.0),
            cpu_ms_per_op: cpu * 1000.0 / n as f64,
            rss_mib: rss,
        });
    }
    let note = match mode {
        Mode::Memory => "in-memory: nothing to reopen".to_string(),
        _ => format!("existing data: {stored} NICs"),
    };
    let m = Measured {
        target: mode.label().to_string(),
        scenario: "cold start to /health".into(),
        clients: 1,
        rounds,
        note,
    };
    eprintln!(
        "  {:<34}  1 client : p50 {:.1} ms",
        m.scenario,
        m.p50().median
    );
    out.push(m);
    Ok(())
}

/// A fresh database on the local PostgreSQL server, or why there is none.
pub fn fresh_postgres() -> Result<(String, String, String), String> {
    let admin = std::env::var("CERULEAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    if !admin.contains("@127.0.0.1") && !admin.contains("//127.0.0.1") {
        return Err(format!("{admin} is not on 127.0.0.1"));
    }
    let name = format!("cerulean_bench_{}", uuid::Uuid::new_v4().simple());
    let admin2 = admin.clone();
    let name2 = name.clone();
    std::thread::spawn(move || -> Result<(), String> {
        let mut config: postgres::Config = admin2.parse().map_err(|e| format!("{e}"))?;
        config.connect_timeout(Duration::from_secs(3));
        let mut c = config
            .connect(postgres::NoTls)
            .map_err(|e| format!("PostgreSQL unreachable at {admin2}: {e}"))?;
        c.batch_execute(&format!("CREATE DATABASE {name2}"))
            .map_err(|e| e.to_string())
    })
    .join()
    .map_err(|_| "panic".to_string())??;
    let (base, _) = admin.rsplit_once('/').ok_or("bad URL")?;
    Ok((format!("{base}/{name}"), admin, name))
}

pub fn drop_postgres(admin: &str, name: &str) {
    let (admin, name) = (admin.to_string(), name.to_string());
    let _ = std::thread::spawn(move || {
        if let Ok(mut c) = postgres::Client::connect(&admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name}"));
        }
    })
    .join();
}

/// A new empty data directory.
pub fn temp_dir(tag: &str) -> Result<PathBuf, String> {
    let d = std::env::temp_dir().join(format!(
        "cerulean-bench-{tag}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
    Ok(d)
}
