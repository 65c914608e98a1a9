//! One function a scenario: each runs `cfg.rounds` measured rounds at each client count of
//! `cfg.clients` (the fill and list scenarios at one client, over sizes) and records them.

use super::{at, group, net_id, nic_body, put_nic, subnet_id, vm_body, vm_id, vnet};
use super::{fill, list_all, seed, vm_nic_cycle, Recorder, EMPTY_BESIDE};
use crate::load::{round, Op, Round};
use crate::target::Http;
use crate::Config;
use reqwest::Method;
use serde_json::json;
use std::future::Future;

/// What the scenarios of one server share.
pub(super) struct Run<'a> {
    pub cfg: &'a Config,
    pub h: &'a Http,
    /// The server's process, whose CPU each round measures.
    pub pid: u32,
    pub rec: Recorder<'a>,
    /// NICs stored so far (the cold start reports them).
    pub stored: u64,
}

impl Run<'_> {
    /// `cfg.rounds` rounds of `total` operations at `clients` clients; `ops(r)` makes the
    /// operation of round `r`.
    async fn rounds<F, Fut>(
        &self,
        clients: usize,
        total: u64,
        ops: impl Fn(usize) -> F,
    ) -> Result<Vec<Round>, String>
    where
        F: Fn(Op) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        let mut rounds = Vec::new();
        for r in 0..self.cfg.rounds {
            rounds.push(round(self.pid, clients, total, self.cfg.cap, ops(r)).await?);
        }
        Ok(rounds)
    }
}

/// PUT a NIC with one dynamic IPv4 configuration in a /16 (201).
pub(super) async fn nic_create(run: &mut Run<'_>) -> Result<(), String> {
    let cfg = run.cfg;
    let body = serde_json::to_vec(&nic_body(&subnet_id("bench", "vnet", "create"))).expect("json");
    for &clients in &cfg.clients {
        let total = per_clients(clients, cfg.sizes.create_1, cfg.sizes.create_n);
        let rounds = run
            .rounds(clients, total, |r| {
                let (h, body) = (run.h.clone(), body.clone());
                move |op: Op| {
                    let (h, body) = (h.clone(), body.clone());
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
                }
            })
            .await?;
        run.stored += rounds.iter().map(|r| r.ops).sum::<u64>();
        run.rec.push("NIC create (dynamic IP)", clients, rounds, "");
    }
    Ok(())
}

/// A scenario's operations per round: `one` with a single client, `many` with more.
fn per_clients(clients: usize, one: u64, many: u64) -> u64 {
    if clients == 1 {
        one
    } else {
        many
    }
}

/// GET one of 100 NICs by id.
pub(super) async fn nic_get(run: &mut Run<'_>) -> Result<(), String> {
    const POOL: u64 = 100;
    let cfg = run.cfg;
    let misc = subnet_id("bench", "vnet", "misc");
    fill(run.h, run.pid, "bench", &misc, "g", 0, POOL).await?;
    run.stored += POOL;
    for &clients in &cfg.clients {
        let total = per_clients(clients, cfg.sizes.get_1, cfg.sizes.get_n);
        let rounds = run
            .rounds(clients, total, |_| {
                let h = run.h.clone();
                move |op: Op| {
                    let h = h.clone();
                    let path = at(&net_id(
                        "bench",
                        "networkInterfaces",
                        &format!("g{}", op.index % POOL),
                    ));
                    async move { h.ok_raw(Method::GET, &path, None).await.map(|_| ()) }
                }
            })
            .await?;
        run.rec.push("NIC GET by id", clients, rounds, "");
    }
    Ok(())
}

/// A NIC added to and removed from a deallocated VM (`az vm nic add` / `remove`); each client
/// owns its VM.
pub(super) async fn vm_nic_add_remove(run: &mut Run<'_>) -> Result<(), String> {
    let (cfg, h) = (run.cfg, run.h);
    let misc = subnet_id("bench", "vnet", "misc");
    let max_clients = cfg.clients.iter().copied().max().unwrap_or(1);
    for i in 0..max_clients {
        let a = format!("cyc{i}a");
        let b = format!("cyc{i}b");
        put_nic(h, "bench", &a, &misc).await?;
        put_nic(h, "bench", &b, &misc).await?;
        run.stored += 2;
        let vm = vm_id("bench", &format!("cyc{i}"));
        let a_id = net_id("bench", "networkInterfaces", &a);
        h.ok(Method::PUT, &at(&vm), Some(&vm_body(&[(&a_id, true)])))
            .await?;
        h.ok_lro(Method::POST, &at(&format!("{vm}/deallocate")), None)
            .await?;
    }
    for &clients in &cfg.clients {
        let total = per_clients(clients, cfg.sizes.vm_1, cfg.sizes.vm_n);
        let rounds = run
            .rounds(clients, total, |_| {
                let h = h.clone();
                move |op: Op| {
                    let h = h.clone();
                    async move { vm_nic_cycle(&h, op.client).await }
                }
            })
            .await?;
        run.rec.push(
            "VM NIC add+remove (6 requests)",
            clients,
            rounds,
            "one op = GET VM, GET NIC, PUT VM (+NIC), GET VM, GET NIC, PUT VM (-NIC)",
        );
    }
    Ok(())
}

/// GET a NIC, PUT it back with one more dynamic IP configuration (NICs grow to about 11).
pub(super) async fn ip_config_add(run: &mut Run<'_>) -> Result<(), String> {
    const ADDS_PER_NIC: u64 = 10;
    let (cfg, h, pid) = (run.cfg, run.h, run.pid);
    let misc = subnet_id("bench", "vnet", "misc");
    for &clients in &cfg.clients {
        let total = per_clients(clients, cfg.sizes.ipcfg_1, cfg.sizes.ipcfg_n);
        let per_client = total.div_ceil(clients as u64);
        let nics_per_client = per_client.div_ceil(ADDS_PER_NIC);
        let mut rounds = Vec::new();
        for r in 0..cfg.rounds {
            let prefix = format!("ipc{clients}r{r}n");
            let nics = clients as u64 * nics_per_client;
            fill(h, pid, "bench", &misc, &prefix, 0, nics).await?;
            run.stored += nics;
            let h2 = h.clone();
            let subnet = misc.clone();
            rounds.push(
                round(pid, clients, total, cfg.cap, move |op: Op| {
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
        run.rec.push(
            "IP config add (GET+PUT NIC)",
            clients,
            rounds,
            "NICs grow from 1 to about 11 configurations",
        );
    }
    Ok(())
}

/// The seed documents' story end to end, in a group of its own per operation.
pub(super) async fn seed_scenario(run: &mut Run<'_>) -> Result<(), String> {
    let cfg = run.cfg;
    for &clients in &cfg.clients {
        let total = per_clients(clients, cfg.sizes.seed_1, cfg.sizes.seed_n);
        let rounds = run
            .rounds(clients, total, |r| {
                let h = run.h.clone();
                move |op: Op| {
                    let h = h.clone();
                    let rg = format!("seed-c{clients}-r{r}-{}", op.index);
                    async move { seed(&h, &rg).await }
                }
            })
            .await?;
        run.rec.push(
            "seed scenario end to end",
            clients,
            rounds,
            "RG, VNet (2 subnets), 3 NICs, VM (2 NICs), deallocate, add NIC, remove primary, start, delete VM, delete RG",
        );
    }
    Ok(())
}

/// NIC creates at one client as one /16 fills, and in an empty /16 beside it at the end:
/// the two last points are measured on the same database at the same moment, so their
/// ratio is the subnet's fullness alone, without the database's growth.
pub(super) async fn ipam_fill_levels(run: &mut Run<'_>) -> Result<(), String> {
    let (cfg, h, pid) = (run.cfg, run.h, run.pid);
    let (s, cap) = (&cfg.sizes, cfg.cap);
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
        run.rec.push(&scenario, 1, rounds, "");
    }
    run.stored += in_use + created_beside;
    Ok(())
}

/// The group's whole NIC list (every page) at each list size, one client.
pub(super) async fn list_sizes(run: &mut Run<'_>) -> Result<(), String> {
    let (h, pid, s) = (run.h, run.pid, &run.cfg.sizes);
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
        let rounds = run
            .rounds(1, lists, |_| {
                let h = h.clone();
                move |_| {
                    let h = h.clone();
                    async move { list_all(&h, size).await }
                }
            })
            .await?;
        run.rec.push(
            &format!("list NICs of a group, {}", crate::human(size)),
            1,
            rounds,
            "one op = all pages",
        );
    }
    run.stored += listed;
    Ok(())
}
