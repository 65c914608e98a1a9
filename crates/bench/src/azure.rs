//! The cerulean scenarios, over ARM, against one `cerulean serve` per store mode.

use crate::load::{round, Measured, Op, Round};
use crate::target::Http;
use crate::Config;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

mod arm;
mod scenarios;
mod server;

use arm::API;
pub use arm::{
    at, group, net_id, nic_body, put_nic, rg_path, subnet_id, vm_body, vm_id, vnet, SUB,
};
pub use server::{
    cold_start, drop_postgres, fresh_postgres, serve_args, start, temp_dir, Cerulean, Mode,
};

/// Collects the rounds of one scenario into a report line.
struct Recorder<'a> {
    out: &'a mut Vec<Measured>,
    target: String,
    verbose: bool,
}

impl Recorder<'_> {
    fn push(&mut self, scenario: &str, clients: usize, rounds: Vec<Round>, note: &str) {
        let m = Measured {
            target: self.target.clone(),
            scenario: scenario.to_string(),
            clients,
            rounds,
            note: note.to_string(),
        };
        if self.verbose {
            eprintln!(
                "  {:<34} {:>2} clients: {:>9.1} ops/s  p50 {:>8.3} ms  p99 {:>8.3} ms",
                m.scenario,
                clients,
                m.ops_per_s().median,
                m.p50().median,
                m.p99().median
            );
        }
        self.out.push(m);
    }
}

/// Creates `count` NICs named `{prefix}{n}` in parallel (32 clients); not measured.
pub async fn fill(
    h: &Http,
    pid: u32,
    rg: &str,
    subnet: &str,
    prefix: &str,
    from: u64,
    count: u64,
) -> Result<(), String> {
    if count == 0 {
        return Ok(());
    }
    let t = Instant::now();
    let body = serde_json::to_vec(&nic_body(subnet)).expect("json");
    let (h2, rg, prefix) = (h.clone(), rg.to_string(), prefix.to_string());
    let r = round(pid, 32, count, Duration::from_secs(1800), move |op: Op| {
        let (h, body) = (h2.clone(), body.clone());
        let path = at(&net_id(
            &rg,
            "networkInterfaces",
            &format!("{prefix}{}", from + op.index),
        ));
        async move {
            // Not measured: retry what the server asks to be retried (5xx), a few times.
            let mut last = String::new();
            for _ in 0..5 {
                match h.ok_bytes(Method::PUT, &path, Some(body.clone())).await {
                    Ok(_) => return Ok(()),
                    Err(e) if e.contains(": 5") => last = e,
                    Err(e) => return Err(e),
                }
            }
            Err(last)
        }
    })
    .await?;
    if r.ops != count {
        return Err(format!("fill stopped after {} of {count} NICs", r.ops));
    }
    eprintln!(
        "  (filled {count} NICs in {:.1} s, {:.0}/s)",
        t.elapsed().as_secs_f64(),
        r.ops_per_s
    );
    Ok(())
}

/// Every scenario against one running server. Returns the number of NICs stored.
pub async fn scenarios(
    cfg: &Config,
    c: &Cerulean,
    out: &mut Vec<Measured>,
    mode: Mode,
    failed: &mut Vec<String>,
) -> Result<u64, String> {
    let h = &c.http;
    let pid = c.pid();

    // Warm the connection pool.
    {
        let h2 = h.clone();
        round(pid, 32, 64, cfg.cap, move |_| {
            let h = h2.clone();
            async move { h.ok_raw(Method::GET, "/health", None).await.map(|_| ()) }
        })
        .await?;
    }

    group(h, "bench").await?;
    vnet(
        h,
        "bench",
        "10.0.0.0/8",
        &[("create", "10.1.0.0/16"), ("misc", "10.2.0.0/16")],
    )
    .await?;

    let mut run = scenarios::Run {
        cfg,
        h,
        pid,
        rec: Recorder {
            out,
            target: mode.label().to_string(),
            verbose: true,
        },
        stored: 0,
    };
    // A failure of one of these is reported, and the run goes on with the next.
    let mut report = |what: &str, result: Result<(), String>| {
        if let Err(e) = result {
            eprintln!("  FAILED {what}: {e}");
            failed.push(format!("{} / {what}: {e}", mode.label()));
        }
    };
    if cfg.wants("create") {
        report("NIC create", scenarios::nic_create(&mut run).await);
    }
    if cfg.wants("get") {
        report("NIC GET", scenarios::nic_get(&mut run).await);
    }
    if cfg.wants("vm") {
        report(
            "VM NIC add+remove",
            scenarios::vm_nic_add_remove(&mut run).await,
        );
    }
    if cfg.wants("ipcfg") {
        report("IP config add", scenarios::ip_config_add(&mut run).await);
    }
    if cfg.wants("seed") {
        report("seed scenario", scenarios::seed_scenario(&mut run).await);
    }
    // These two fill groups of their own; a failure ends the run.
    if cfg.wants("ipam") {
        scenarios::ipam_fill_levels(&mut run).await?;
    }
    if cfg.wants("list") {
        scenarios::list_sizes(&mut run).await?;
    }
    Ok(run.stored)
}

/// What the load generator reads of a list page: the items are checked as JSON and counted,
/// not built into trees (a 1000-NIC page is ~1.5 MB; a `Value` tree of it cost the client more
/// CPU than the server spent producing it, on the same two cores).
#[derive(serde::Deserialize)]
struct ListPage {
    value: Vec<serde::de::IgnoredAny>,
    #[serde(rename = "nextLink")]
    next_link: Option<String>,
}

/// The scenario name of the empty /16 measured beside the filled one.
pub const EMPTY_BESIDE: &str = "NIC create, empty /16";

/// GET the group's NIC list and follow every nextLink; the count must match.
pub async fn list_all(h: &Http, want: u64) -> Result<(), String> {
    let count = count_nics(h, "bench-list").await?;
    if count != want {
        return Err(format!("listed {count} NICs, expected {want}"));
    }
    Ok(())
}

/// How many NICs the group's list holds, following every nextLink.
pub async fn count_nics(h: &Http, rg: &str) -> Result<u64, String> {
    let mut next = Some(format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/networkInterfaces?{API}"
    ));
    let mut count = 0u64;
    let mut pages = 0;
    while let Some(url) = next.take() {
        pages += 1;
        if pages > 100_000 {
            return Err("more than 100000 pages".into());
        }
        let (_, _, bytes) = h.ok_raw(Method::GET, &url, None).await?;
        let page: ListPage =
            serde_json::from_slice(&bytes).map_err(|e| format!("GET {url}: {e}"))?;
        count += page.value.len() as u64;
        next = page.next_link;
    }
    Ok(count)
}

/// GET VM, GET NIC, PUT VM with the NIC added; then the same to remove it.
pub async fn vm_nic_cycle(h: &Http, client: usize) -> Result<(), String> {
    let vm = at(&vm_id("bench", &format!("cyc{client}")));
    let nic_id = net_id("bench", "networkInterfaces", &format!("cyc{client}b"));
    let nic = at(&nic_id);
    // add
    let mut body = h.ok(Method::GET, &vm, None).await?;
    h.ok_raw(Method::GET, &nic, None).await?;
    let list = body["properties"]["networkProfile"]["networkInterfaces"]
        .as_array_mut()
        .ok_or("VM without networkInterfaces")?;
    list.push(json!({"id": nic_id, "properties": {"primary": false}}));
    h.ok(Method::PUT, &vm, Some(&body)).await?;
    // remove
    let mut body = h.ok(Method::GET, &vm, None).await?;
    h.ok_raw(Method::GET, &nic, None).await?;
    let list = body["properties"]["networkProfile"]["networkInterfaces"]
        .as_array_mut()
        .ok_or("VM without networkInterfaces")?;
    let before = list.len();
    list.retain(|n| !n["id"].as_str().unwrap_or("").eq_ignore_ascii_case(&nic_id));
    if list.len() + 1 != before {
        return Err(format!(
            "VM cyc{client}: added NIC not in its networkProfile"
        ));
    }
    h.ok(Method::PUT, &vm, Some(&body)).await.map(|_| ())
}

/// The seed documents' story: RG, VNet with 2 subnets, 3 NICs, VM with 2 NICs,
/// deallocate, add NIC, remove the primary, start, delete.
async fn seed(h: &Http, rg: &str) -> Result<(), String> {
    group(h, rg).await?;
    vnet(
        h,
        rg,
        "10.0.0.0/16",
        &[("front", "10.0.1.0/24"), ("back", "10.0.2.0/24")],
    )
    .await?;
    let front = subnet_id(rg, "vnet", "front");
    let back = subnet_id(rg, "vnet", "back");
    put_nic(h, rg, "nic1", &front).await?;
    put_nic(h, rg, "nic2", &back).await?;
    put_nic(h, rg, "nic3", &front).await?;
    let n = |i: u8| net_id(rg, "networkInterfaces", &format!("nic{i}"));
    let (n1, n2, n3) = (n(1), n(2), n(3));
    let vm = vm_id(rg, "vm1");
    h.ok(
        Method::PUT,
        &at(&vm),
        Some(&vm_body(&[(&n1, true), (&n2, false)])),
    )
    .await?;
    h.ok_lro(Method::POST, &at(&format!("{vm}/deallocate")), None)
        .await?;
    h.ok(Method::GET, &at(&vm), None).await?;
    h.ok(
        Method::PUT,
        &at(&vm),
        Some(&vm_body(&[(&n1, true), (&n2, false), (&n3, false)])),
    )
    .await?;
    h.ok(
        Method::PUT,
        &at(&vm),
        Some(&vm_body(&[(&n2, true), (&n3, false)])),
    )
    .await?;
    h.ok_lro(Method::POST, &at(&format!("{vm}/start")), None)
        .await?;
    let v = h
        .ok(Method::GET, &at(&format!("{vm}/instanceView")), None)
        .await?;
    if !v.to_string().contains("PowerState/running") {
        return Err(format!("{rg}: VM not running after start: {v}"));
    }
    h.ok_lro(Method::DELETE, &at(&vm), None).await?;
    h.ok_lro(Method::DELETE, &rg_path(rg), None).await
}
