//! The `replicas` scenario (issue 21): NIC creates, then NIC creates while a big group is
//! deleted, then VM NIC add+remove, at 32 clients spread over 1 and 2 `cerulean serve`
//! replicas sharing one PostgreSQL database, with the creates in 32 subnets and in one.
//! Client `c` talks to replica `c % n`. Afterwards
//! `cerulean check` (the invariant audit of `cerulean_app::audit`: no address held twice, no
//! NIC on two VMs, ...) runs on the database; a violation fails the scenario.

use crate::azure::{self, Mode};
use crate::load::{round, Measured, Op};
use crate::target::Http;
use crate::Config;
use reqwest::Method;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

const RG: &str = "bench";
const CLIENTS: usize = 32;
const SUBNETS: usize = 32;

/// Every layout on each count of replicas (`--replicas`, 1 and 2 by default). `Ok(false)`
/// when PostgreSQL is unreachable.
pub async fn run(cfg: &Config, out: &mut Vec<Measured>) -> Result<bool, String> {
    for &replicas in &cfg.replicas {
        for many in [true, false] {
            let (url, admin, name) = match azure::fresh_postgres() {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("SKIPPING replicas: {e}");
                    return Ok(false);
                }
            };
            let dir = azure::temp_dir("replicas")?;
            let r = layout(cfg, replicas, many, &url, &dir, out).await;
            azure::drop_postgres(&admin, &name);
            let _ = std::fs::remove_dir_all(&dir);
            r?;
        }
    }
    Ok(true)
}

fn subnet_name(i: usize) -> String {
    format!("s{i}")
}

async fn layout(
    cfg: &Config,
    replicas: usize,
    many: bool,
    url: &str,
    dir: &Path,
    out: &mut Vec<Measured>,
) -> Result<(), String> {
    // Declared before the servers: dropped after them, once their processes are gone.
    let mut caps = Vec::new();
    let mut servers = Vec::new();
    for i in 0..replicas {
        let d = dir.join(format!("r{i}"));
        std::fs::create_dir_all(&d).map_err(|e| e.to_string())?;
        // One at a time: the first migrates the fresh database.
        let server = azure::start(cfg, Mode::Postgres, &d, Some(url))?;
        if let Some(cores) = cfg.replica_cpu {
            caps.push(crate::cpu_cap::CpuCap::apply(server.pid(), cores)?);
        }
        servers.push(server);
    }
    let hs: Arc<Vec<Http>> = Arc::new(servers.iter().map(|s| s.http.clone()).collect());
    let h = &hs[0];
    azure::group(h, RG).await?;
    // 32 /20s (4,091 addresses each), a /16 for the one-subnet layout and one for the VMs'
    // NICs, in one /8.
    let mut prefixes: Vec<(String, String)> = (0..SUBNETS)
        .map(|i| {
            (
                subnet_name(i),
                format!("10.{}.{}.0/20", i / 16, (i % 16) * 16),
            )
        })
        .collect();
    prefixes.push(("one".into(), "10.100.0.0/16".into()));
    prefixes.push(("misc".into(), "10.200.0.0/16".into()));
    let refs: Vec<(&str, &str)> = prefixes
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    azure::vnet(h, RG, "10.0.0.0/8", &refs).await?;
    let misc = azure::subnet_id(RG, "vnet", "misc");
    let target = format!(
        "cerulean postgres ×{replicas} {}{}",
        if many { "(32 subnets)" } else { "(one subnet)" },
        cfg.replica_cpu
            .map(|c| format!(" at {c} CPU each"))
            .unwrap_or_default()
    );
    let note = "client c on replica c % n; server CPU of replica 0 only";
    let pid = servers[0].pid();
    let s = &cfg.sizes;

    let (rounds, slowest) = creates(cfg, &hs, pid, CLIENTS, 0, many, "r", cfg.rounds).await?;
    let alone = format!("{note}; slowest create {slowest:.0} ms");
    push(out, &target, "NIC create (dynamic IP)", rounds, &alone);

    // The same creates while, on the other replica (or the same one), a group of
    // `big_group_size` NICs is deleted as each round starts.
    let mut rounds = Vec::new();
    let (mut took, mut slowest) = (Vec::new(), 0f64);
    let size = big_group_size(cfg);
    for r in 0..cfg.rounds {
        let rg = format!("big{r}");
        crate::group_delete::big_group(h, &rg, size).await?;
        let delete = crate::group_delete::delete(&hs[1 % hs.len()], &rg);
        let (mut done, slow) =
            creates(cfg, &hs, pid, CLIENTS, 0, many, &format!("g{r}"), 1).await?;
        rounds.append(&mut done);
        slowest = slowest.max(slow);
        let t = delete.await.map_err(|e| e.to_string())??;
        took.push(format!("{:.0}", t.as_secs_f64() * 1000.0));
    }
    let deleted = format!(
        "{note}; a group of {size} NICs deleted as each round starts (its DELETE took {} ms); \
         slowest create {slowest:.0} ms",
        took.join(", ")
    );
    push(
        out,
        &target,
        "NIC create beside a group delete",
        rounds,
        &deleted,
    );

    // VM NIC add+remove: each client owns a deallocated VM with one NIC and adds a second.
    let mut setups = Vec::new();
    for i in 0..CLIENTS {
        let (h, misc) = (hs[i % hs.len()].clone(), misc.clone());
        setups.push(tokio::spawn(async move { vm_setup(&h, i, &misc).await }));
    }
    for t in setups {
        t.await.map_err(|e| e.to_string())??;
    }
    let mut rounds = Vec::new();
    for _ in 0..cfg.rounds {
        let hs = hs.clone();
        rounds.push(
            round(pid, CLIENTS, s.vm_n, cfg.cap, move |op: Op| {
                let h = hs[op.client % hs.len()].clone();
                async move { azure::vm_nic_cycle(&h, op.client).await }
            })
            .await?,
        );
    }
    push(out, &target, "VM NIC add+remove (6 requests)", rounds, note);
    keyed(&hs).await?;
    drop(servers);
    drop(caps);
    check(cfg, url)
}

/// The NICs of the group deleted beside creates.
fn big_group_size(cfg: &Config) -> usize {
    (cfg.sizes.create_n as usize / 2).max(32)
}

/// `count` rounds of NIC creates by `clients` clients numbered from `first` (client `c` on
/// replica `c % n`, in subnet `c % 32` or in the one subnet), named `{tag}{round}c{client}n{k}`;
/// with the slowest create's milliseconds (a writer that stops every other shows there, not
/// in the p99: it holds up one create per client).
#[allow(clippy::too_many_arguments)]
async fn creates(
    cfg: &Config,
    hs: &Arc<Vec<Http>>,
    pid: u32,
    clients: usize,
    first: usize,
    many: bool,
    tag: &str,
    count: usize,
) -> Result<(Vec<crate::load::Round>, f64), String> {
    use std::sync::atomic::{AtomicU64, Ordering};
    let slowest_us = Arc::new(AtomicU64::new(0));
    let mut rounds = Vec::new();
    for r in 0..count {
        let (hs, tag, slowest_us) = (hs.clone(), tag.to_string(), slowest_us.clone());
        let done = round(pid, clients, cfg.sizes.create_n, cfg.cap, move |op: Op| {
            let client = first + op.client;
            let h = hs[client % hs.len()].clone();
            let subnet = match many {
                true => subnet_name(client % SUBNETS),
                false => "one".into(),
            };
            let name = format!("{tag}{r}c{client}n{}", op.local);
            let slowest_us = slowest_us.clone();
            async move {
                let subnet = azure::subnet_id(RG, "vnet", &subnet);
                let started = std::time::Instant::now();
                azure::put_nic(&h, RG, &name, &subnet).await?;
                let us = started.elapsed().as_micros() as u64;
                slowest_us.fetch_max(us, Ordering::Relaxed);
                Ok(())
            }
        });
        rounds.push(done.await?);
    }
    Ok((rounds, slowest_us.load(Ordering::Relaxed) as f64 / 1000.0))
}

/// Every write of the scenario ran with its narrow locks: the replicas counted keyed writes
/// and no re-run alone (`writes` of `/cerulean/info`).
async fn keyed(hs: &[Http]) -> Result<(), String> {
    let (mut writes, mut reruns) = (0, 0);
    for h in hs {
        let info = h.ok(Method::GET, "/cerulean/info", None).await?;
        if info["writes"]["keyedWrites"].is_null() {
            // A binary from before narrow locks (`--cerulean`), kept for comparison.
            eprintln!("  keyed writes: not counted (every write of this binary runs alone)");
            return Ok(());
        }
        writes += info["writes"]["keyedWrites"].as_u64().unwrap_or(0);
        reruns += info["writes"]["keyedReruns"].as_u64().unwrap_or(0);
    }
    eprintln!("  keyed writes: {writes}, re-run alone: {reruns}");
    if writes == 0 || reruns > 0 {
        return Err(format!(
            "replicas: {writes} keyed writes, {reruns} re-run alone (want some, and none)"
        ));
    }
    Ok(())
}

/// Client `i`'s NICs `cyc{i}a` and `cyc{i}b` and its deallocated VM `cyc{i}` with the first.
async fn vm_setup(h: &Http, i: usize, misc: &str) -> Result<(), String> {
    let (a, b) = (format!("cyc{i}a"), format!("cyc{i}b"));
    azure::put_nic(h, RG, &a, misc).await?;
    azure::put_nic(h, RG, &b, misc).await?;
    let vm = azure::vm_id(RG, &format!("cyc{i}"));
    let a_id = azure::net_id(RG, "networkInterfaces", &a);
    h.ok(
        Method::PUT,
        &azure::at(&vm),
        Some(&azure::vm_body(&[(&a_id, true)])),
    )
    .await?;
    h.ok_lro(Method::POST, &azure::at(&format!("{vm}/deallocate")), None)
        .await
}

fn push(
    out: &mut Vec<Measured>,
    target: &str,
    scenario: &str,
    rounds: Vec<crate::load::Round>,
    note: &str,
) {
    let m = Measured {
        target: target.into(),
        scenario: scenario.into(),
        clients: CLIENTS,
        rounds,
        note: note.into(),
    };
    eprintln!(
        "  {target:<36} {scenario:<32} {:>8.1} ops/s  p50 {:>7.3} ms  p99 {:>7.3} ms",
        m.ops_per_s().median,
        m.p50().median,
        m.p99().median
    );
    out.push(m);
}

/// `cerulean check` on the database the replicas shared.
fn check(cfg: &Config, url: &str) -> Result<(), String> {
    let out = Command::new(&cfg.cerulean)
        .args(["check", "--database-url", url])
        .output()
        .map_err(|e| format!("cannot run cerulean check: {e}"))?;
    if String::from_utf8_lossy(&out.stderr).contains("unrecognized subcommand 'check'") {
        // A binary from before the audit (`--cerulean`), kept for comparison.
        eprintln!("  cerulean check: not in this binary, invariants not audited");
        return Ok(());
    }
    if !out.status.success() {
        return Err(format!(
            "cerulean check found broken invariants ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cerulean check: {e}"))?;
    eprintln!(
        "  cerulean check: {} resources, {} addresses, no violation",
        report["resources"], report["addresses"]
    );
    Ok(())
}
