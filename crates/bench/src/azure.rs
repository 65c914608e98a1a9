//! The cerulean scenarios, over ARM, against one `cerulean serve` per store mode.

use crate::load::{round, Measured, Op, Round};
use crate::target::Http;
use crate::Config;
use reqwest::Method;
use serde_json::json;
use std::time::{Duration, Instant};

mod arm;
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
    let s = &cfg.sizes;
    let cap = cfg.cap;
    let mut rec = Recorder {
        out,
        target: mode.label().to_string(),
        verbose: true,
    };
    let mut stored: u64 = 0;

    // Warm the connection pool.
    {
        let h2 = h.clone();
        round(pid, 32, 64, cap, move |_| {
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
    let create_subnet = subnet_id("bench", "vnet", "create");
    let misc_subnet = subnet_id("bench", "vnet", "misc");

    if cfg.wants("create") {
        if let Err(e) = async {
            // ---- NIC create (dynamic IP)
            for &clients in &cfg.clients {
                let total = if clients == 1 { s.create_1 } else { s.create_n };
                let mut rounds = Vec::new();
                for r in 0..cfg.rounds {
                    let body = serde_json::to_vec(&nic_body(&create_subnet)).expect("json");
                    let h2 = h.clone();
                    rounds.push(
                        round(pid, clients, total, cap, move |op: Op| {
                            let (h, body) = (h2.clone(), body.clone());
                            let path = at(&net_id(
                                "bench",
                                "networkInterfaces",
                                &format!("c{clients}r{r}n{}", op.index),
                            ));
                            async move {
                                let (st, _, _) = h.ok_bytes(Method::PUT, &path, Some(body)).await?;
                                if st != 201 {
                                    return Err(format!("PUT {path}: {st}, expected 201"));
                                }
                                Ok(())
                            }
                        })
                        .await?,
                    );
                }
                stored += rounds.iter().map(|r| r.ops).sum::<u64>();
                rec.push("NIC create (dynamic IP)", clients, rounds, "");
            }

            Ok::<(), String>(())
        }
        .await
        {
            eprintln!("  FAILED NIC create: {e}");
            failed.push(format!("{} / NIC create: {e}", mode.label()));
        }
    }

    if cfg.wants("get") {
        if let Err(e) = async {
            // ---- NIC GET by id
            let get_pool = 100u64;
            fill(h, pid, "bench", &misc_subnet, "g", 0, get_pool).await?;
            stored += get_pool;
            for &clients in &cfg.clients {
                let total = if clients == 1 { s.get_1 } else { s.get_n };
                let mut rounds = Vec::new();
                for _ in 0..cfg.rounds {
                    let h2 = h.clone();
                    rounds.push(
                        round(pid, clients, total, cap, move |op: Op| {
                            let h = h2.clone();
                            let path = at(&net_id(
                                "bench",
                                "networkInterfaces",
                                &format!("g{}", op.index % get_pool),
                            ));
                            async move { h.ok_raw(Method::GET, &path, None).await.map(|_| ()) }
                        })
                        .await?,
                    );
                }
                rec.push("NIC GET by id", clients, rounds, "");
            }

            Ok::<(), String>(())
        }
        .await
        {
            eprintln!("  FAILED NIC GET: {e}");
            failed.push(format!("{} / NIC GET: {e}", mode.label()));
        }
    }

    if cfg.wants("vm") {
        if let Err(e) = async {
            // ---- VM NIC add + remove on a deallocated VM (az vm nic add / remove)
            let max_clients = cfg.clients.iter().copied().max().unwrap_or(1);
            for i in 0..max_clients {
                let a = format!("cyc{i}a");
                let b = format!("cyc{i}b");
                put_nic(h, "bench", &a, &misc_subnet).await?;
                put_nic(h, "bench", &b, &misc_subnet).await?;
                stored += 2;
                let vm = vm_id("bench", &format!("cyc{i}"));
                let a_id = net_id("bench", "networkInterfaces", &a);
                h.ok(Method::PUT, &at(&vm), Some(&vm_body(&[(&a_id, true)])))
                    .await?;
                h.ok_lro(Method::POST, &at(&format!("{vm}/deallocate")), None)
                    .await?;
            }
            for &clients in &cfg.clients {
                let total = if clients == 1 { s.vm_1 } else { s.vm_n };
                let mut rounds = Vec::new();
                for _ in 0..cfg.rounds {
                    let h2 = h.clone();
                    rounds.push(
                        round(pid, clients, total, cap, move |op: Op| {
                            let h = h2.clone();
                            async move { vm_nic_cycle(&h, op.client).await }
                        })
                        .await?,
                    );
                }
                rec.push(
                    "VM NIC add+remove (6 requests)",
                    clients,
                    rounds,
                    "one op = GET VM, GET NIC, PUT VM (+NIC), GET VM, GET NIC, PUT VM (-NIC)",
                );
            }

            Ok::<(), String>(())
        }
        .await
        {
            eprintln!("  FAILED VM NIC add+remove: {e}");
            failed.push(format!("{} / VM NIC add+remove: {e}", mode.label()));
        }
    }

    if cfg.wants("ipcfg") {
        if let Err(e) = async {
            // ---- IP configuration added to a NIC (GET NIC, PUT with one more configuration)
            const ADDS_PER_NIC: u64 = 10;
            for &clients in &cfg.clients {
                let total = if clients == 1 { s.ipcfg_1 } else { s.ipcfg_n };
                let per_client = total.div_ceil(clients as u64);
                let nics_per_client = per_client.div_ceil(ADDS_PER_NIC);
                let mut rounds = Vec::new();
                for r in 0..cfg.rounds {
                    let prefix = format!("ipc{clients}r{r}n");
                    fill(
                        h,
                        pid,
                        "bench",
                        &misc_subnet,
                        &prefix,
                        0,
                        clients as u64 * nics_per_client,
                    )
                    .await?;
                    stored += clients as u64 * nics_per_client;
                    let h2 = h.clone();
                    let subnet = misc_subnet.clone();
                    rounds.push(
                        round(pid, clients, total, cap, move |op: Op| {
                            let h = h2.clone();
                            // Clients run unequal shares: a fast one wraps around its own NICs.
                            let nic = op.client as u64 * nics_per_client
                                + (op.local / ADDS_PER_NIC) % nics_per_client;
                            let path = at(&net_id(
                                "bench",
                                "networkInterfaces",
                                &format!("{prefix}{nic}"),
                            ));
                            let config = format!("extra{}", op.local);
                            let subnet = subnet.clone();
                            async move {
                                let mut body = h.ok(Method::GET, &path, None).await?;
                                let configs = body["properties"]["ipConfigurations"]
                                    .as_array_mut()
                                    .ok_or("NIC without ipConfigurations")?;
                                configs.push(
                                json!({"name": config, "properties": {"subnet": {"id": subnet}}}),
                            );
                                h.ok(Method::PUT, &path, Some(&body)).await.map(|_| ())
                            }
                        })
                        .await?,
                    );
                }
                rec.push(
                    "IP config add (GET+PUT NIC)",
                    clients,
                    rounds,
                    "NICs grow from 1 to about 11 configurations",
                );
            }

            Ok::<(), String>(())
        }
        .await
        {
            eprintln!("  FAILED IP config add: {e}");
            failed.push(format!("{} / IP config add: {e}", mode.label()));
        }
    }

    if cfg.wants("seed") {
        if let Err(e) = async {
    // ---- Seed scenario end to end
    for &clients in &cfg.clients {
        let total = if clients == 1 { s.seed_1 } else { s.seed_n };
        let mut rounds = Vec::new();
        for r in 0..cfg.rounds {
            let h2 = h.clone();
            rounds.push(
                round(pid, clients, total, cap, move |op: Op| {
                    let h = h2.clone();
                    let rg = format!("seed-c{clients}-r{r}-{}", op.index);
                    async move { seed(&h, &rg).await }
                })
                .await?,
            );
        }
        rec.push(
            "seed scenario end to end",
            clients,
            rounds,
            "RG, VNet (2 subnets), 3 NICs, VM (2 NICs), deallocate, add NIC, remove primary, start, delete VM, delete RG",
        );
    }

        Ok::<(), String>(())
    }
    .await
    {
        eprintln!("  FAILED seed scenario: {e}");
        failed.push(format!("{} / seed scenario: {e}", mode.label()));
    }
    }

    // ---- NIC create latency as one /16 fills, and in an empty /16 beside it at the end:
    // the two last points are measured on the same database at the same moment, so their
    // ratio is the subnet's fullness alone, without the database's growth.
    if cfg.wants("ipam") {
        group(h, "bench-ipam").await?;
        vnet(
            h,
            "bench-ipam",
            "10.0.0.0/15",
            &[("s", "10.0.0.0/16"), ("e", "10.1.0.0/16")],
        )
        .await?;
        let ipam_subnet = subnet_id("bench-ipam", "vnet", "s");
        let mut in_use: u64 = 0;
        let mut created_beside: u64 = 0;
        let points = s
            .fill_levels
            .iter()
            .map(|&level| (Some(level), "s", "f"))
            .chain(std::iter::once((None, "e", "e")));
        for (level, subnet_name, prefix) in points {
            if let Some(level) = level.filter(|&l| l > in_use) {
                fill(
                    h,
                    pid,
                    "bench-ipam",
                    &ipam_subnet,
                    "f",
                    in_use,
                    level - in_use,
                )
                .await?;
                in_use = level;
            }
            let subnet = subnet_id("bench-ipam", "vnet", subnet_name);
            // The NICs this point creates are numbered on from what its subnet holds.
            let created = if level.is_some() {
                &mut in_use
            } else {
                &mut created_beside
            };
            let mut rounds = Vec::new();
            for _ in 0..cfg.rounds {
                let body = serde_json::to_vec(&nic_body(&subnet)).expect("json");
                let h2 = h.clone();
                let base = *created;
                let r = round(pid, 1, s.ipam_ops, cap, move |op: Op| {
                    let (h, body) = (h2.clone(), body.clone());
                    let path = at(&net_id(
                        "bench-ipam",
                        "networkInterfaces",
                        &format!("{prefix}{}", base + op.index),
                    ));
                    async move { h.ok_bytes(Method::PUT, &path, Some(body)).await.map(|_| ()) }
                })
                .await?;
                *created += r.ops;
                rounds.push(r);
            }
            let scenario = match level {
                Some(level) => format!("NIC create, /16 at {} in use", crate::human(level)),
                None => format!(
                    "{EMPTY_BESIDE} ({} in use beside it)",
                    crate::human(*s.fill_levels.last().unwrap_or(&0))
                ),
            };
            rec.push(&scenario, 1, rounds, "");
        }
        stored += in_use + created_beside;
    }

    // ---- List all NICs of a group (every page)
    if cfg.wants("list") {
        group(h, "bench-list").await?;
        vnet(h, "bench-list", "10.0.0.0/16", &[("s", "10.0.0.0/16")]).await?;
        let list_subnet = subnet_id("bench-list", "vnet", "s");
        let mut listed: u64 = 0;
        for &size in &s.list_sizes {
            fill(
                h,
                pid,
                "bench-list",
                &list_subnet,
                "l",
                listed,
                size - listed.min(size),
            )
            .await?;
            listed = listed.max(size);
            let lists = (s.list_items_per_round / size).clamp(1, 10);
            let mut rounds = Vec::new();
            for _ in 0..cfg.rounds {
                let h2 = h.clone();
                rounds.push(
                    round(pid, 1, lists, cap, move |_| {
                        let h = h2.clone();
                        async move { list_all(&h, size).await }
                    })
                    .await?,
                );
            }
            rec.push(
                &format!("list NICs of a group, {}", crate::human(size)),
                1,
                rounds,
                "one op = all pages",
            );
        }
        stored += listed;
    }
    Ok(stored)
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
