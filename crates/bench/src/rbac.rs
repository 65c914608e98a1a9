//! What access control costs per request: the same NIC GET and NIC create, with a bearer
//! token, on an in-memory server without `--rbac` and on one with it. The caller holds Owner
//! on the subscription, so every request passes: what is measured is the check itself (the
//! action mapping, the cached grants, and for the create the body read for linked access).

use crate::azure::{self, at, group, net_id, nic_body, subnet_id, vnet, SUB};
use crate::load::{round, Measured, Op};
use crate::target::{spawn_printing, Http};
use crate::Config;
use reqwest::Method;
use serde_json::json;
use std::process::Command;

const TENANT: &str = "00000000-0000-0000-0000-0000000000a1";

pub async fn run(cfg: &Config, out: &mut Vec<Measured>) -> Result<(), String> {
    let dir = azure::temp_dir("rbac")?;
    let file = dir.join("principals.json");
    let principals = json!([{"clientId": "bench", "clientSecret": "s",
        "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]}]);
    std::fs::write(&file, principals.to_string()).map_err(|e| e.to_string())?;
    let result = async {
        for rbac in [false, true] {
            let label = if rbac {
                "cerulean in-memory, token, --rbac"
            } else {
                "cerulean in-memory, token"
            };
            eprintln!("== {label}");
            let data = dir.join(if rbac { "on" } else { "off" });
            let mut cmd = Command::new(&cfg.cerulean);
            cmd.args(["serve", "--port", "0", "--in-memory", "--location"])
                .arg(&data)
                .arg("--principals")
                .arg(&file)
                .env("CERULEAN_LOG", "warn");
            if rbac {
                cmd.arg("--rbac");
            }
            let mut started = spawn_printing(cmd, "cerulean")?;
            let r = measure(cfg, &started, label, out).await;
            started.proc.stop();
            r?;
        }
        Ok(())
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn measure(
    cfg: &Config,
    started: &crate::target::Started,
    label: &str,
    out: &mut Vec<Measured>,
) -> Result<(), String> {
    let plain = Http::new(&started.base, started.ca.as_deref())?;
    let form = "grant_type=client_credentials&client_id=bench&client_secret=s&scope=https%3A%2F%2Fmanagement.core.windows.net%2F%2F.default";
    let (_, _, body) = plain
        .ok_bytes(
            Method::POST,
            &format!("/{TENANT}/oauth2/v2.0/token"),
            Some(form.as_bytes().to_vec()),
        )
        .await
        .map_err(|e| format!("the token endpoint refused the bench's client: {e}"))?;
    let token: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    let token = token["access_token"]
        .as_str()
        .ok_or("no access token")?
        .to_string();
    let h = plain.with_bearer(token);
    let pid = started.proc.pid;
    let s = &cfg.sizes;
    group(&h, "bench").await?;
    vnet(&h, "bench", "10.0.0.0/8", &[("create", "10.1.0.0/16")]).await?;
    let subnet = subnet_id("bench", "vnet", "create");
    azure::put_nic(&h, "bench", "g0", &subnet).await?;
    let get = at(&net_id("bench", "networkInterfaces", "g0"));
    for &clients in &cfg.clients {
        let total = if clients == 1 { s.get_1 } else { s.get_n };
        let mut rounds = Vec::new();
        for _ in 0..cfg.rounds {
            let (h2, path) = (h.clone(), get.clone());
            rounds.push(
                round(pid, clients, total, cfg.cap, move |_: Op| {
                    let (h, path) = (h2.clone(), path.clone());
                    async move { h.ok_raw(Method::GET, &path, None).await.map(|_| ()) }
                })
                .await?,
            );
        }
        push(out, label, "NIC GET by id", clients, rounds);
    }
    for &clients in &cfg.clients {
        let total = if clients == 1 { s.create_1 } else { s.create_n };
        let mut rounds = Vec::new();
        for r in 0..cfg.rounds {
            let body = serde_json::to_vec(&nic_body(&subnet)).expect("json");
            let h2 = h.clone();
            rounds.push(
                round(pid, clients, total, cfg.cap, move |op: Op| {
                    let (h, body) = (h2.clone(), body.clone());
                    let path = at(&net_id(
                        "bench",
                        "networkInterfaces",
                        &format!("c{clients}r{r}n{}", op.index),
                    ));
                    async move { h.ok_bytes(Method::PUT, &path, Some(body)).await.map(|_| ()) }
                })
                .await?,
            );
        }
        push(out, label, "NIC create (dynamic IP)", clients, rounds);
    }
    Ok(())
}

fn push(
    out: &mut Vec<Measured>,
    target: &str,
    scenario: &str,
    clients: usize,
    rounds: Vec<crate::load::Round>,
) {
    let m = Measured {
        target: target.to_string(),
        scenario: scenario.to_string(),
        clients,
        rounds,
        note: String::new(),
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
