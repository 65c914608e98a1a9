//! moto (the AWS mock people pick for the same job), driven with EC2 query API calls by the
//! same load generator: create ENI, attach + detach ENI, DescribeNetworkInterfaces.

use crate::load::{round, Measured, Op};
use crate::target::{free_port, Http, Proc};
use crate::Config;
use reqwest::Method;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The pinned moto release.
pub const MOTO_VERSION: &str = "5.2.5";
const TARGET: &str = "moto (EC2, plain HTTP)";

fn venv() -> Result<PathBuf, String> {
    let home = std::env::var("HOME").map_err(|_| "HOME is not set")?;
    Ok(PathBuf::from(home).join(format!(".cache/cerulean/moto-{MOTO_VERSION}")))
}

/// The cached virtual environment's `moto_server`, installed on first use.
pub fn ensure_installed() -> Result<PathBuf, String> {
    let dir = venv()?;
    let server = dir.join("bin/moto_server");
    if server.exists() {
        return Ok(server);
    }
    eprintln!(
        "installing moto[server]=={MOTO_VERSION} into {}",
        dir.display()
    );
    let ok = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&dir)
        .status()
        .map_err(|e| format!("python3 -m venv: {e}"))?;
    if !ok.success() {
        return Err("python3 -m venv failed".into());
    }
    let out = Command::new(dir.join("bin/pip"))
        .args(["install", "--quiet", "--timeout", "20", "--retries", "1"])
        .arg(format!("moto[server]=={MOTO_VERSION}"))
        .stdout(Stdio::null())
        .output()
        .map_err(|e| format!("pip: {e}"))?;
    if !out.status.success() || !server.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().last().unwrap_or("").to_string();
        return Err(format!(
            "pip install moto[server]=={MOTO_VERSION} failed (PyPI unreachable?): {last}"
        ));
    }
    Ok(server)
}

async fn ec2(h: &Http, params: &[(&str, &str)]) -> Result<String, String> {
    let body = {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in params {
            q.append_pair(k, v);
        }
        q.append_pair("Version", "2016-11-15");
        q.finish()
    };
    let resp = h
        .client
        .request(Method::POST, format!("{}/", h.base))
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDBENCH/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        )
        .header("x-amz-date", "20250101T000000Z")
        .body(body)
        .send()
        .await
        .map_err(|e| format!("moto {}: {e}", params[0].1))?;
    let status = resp.status();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        let short: String = text.chars().take(400).collect();
        return Err(format!("moto {}: {status} {short}", params[0].1));
    }
    Ok(text)
}

fn tag<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn tags<'a>(xml: &'a str, name: &str) -> Vec<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let s = &rest[i + open.len()..];
        let Some(j) = s.find(&close) else { break };
        out.push(&s[..j]);
        rest = &s[j + close.len()..];
    }
    out
}

async fn create_eni(h: &Http, subnet: &str) -> Result<String, String> {
    let xml = ec2(
        h,
        &[("Action", "CreateNetworkInterface"), ("SubnetId", subnet)],
    )
    .await?;
    tag(&xml, "networkInterfaceId")
        .map(str::to_string)
        .ok_or_else(|| format!("no networkInterfaceId in {xml}"))
}

async fn list_enis(h: &Http, subnet: &str, want: u64) -> Result<(), String> {
    let mut token: Option<String> = None;
    let mut count = 0u64;
    for _ in 0..10_000 {
        let mut p = vec![
            ("Action", "DescribeNetworkInterfaces"),
            ("Filter.1.Name", "subnet-id"),
            ("Filter.1.Value.1", subnet),
        ];
        if let Some(t) = &token {
            p.push(("NextToken", t.as_str()));
        }
        let xml = ec2(h, &p).await?;
        count += tags(&xml, "networkInterfaceId").len() as u64;
        token = tag(&xml, "nextToken")
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    if count != want {
        return Err(format!("moto listed {count} ENIs, expected {want}"));
    }
    Ok(())
}

pub async fn run(cfg: &Config, out: &mut Vec<Measured>) -> Result<(), String> {
    let server = ensure_installed()?;
    let port = free_port()?;
    let child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start moto_server: {e}"))?;
    let proc = Proc::new(child);
    let pid = proc.pid;
    let h = Http::new(&format!("http://127.0.0.1:{port}"), None)?;
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if h.send(Method::GET, "/moto-api/", None).await.is_ok() {
            break;
        }
        if Instant::now() > until {
            return Err("moto_server did not answer within 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let s = &cfg.sizes;
    let cap = cfg.cap;
    let push = |out: &mut Vec<Measured>, m: Measured| {
        eprintln!(
            "  {:<34} {:>2} clients: {:>9.1} ops/s  p50 {:>8.3} ms  p99 {:>8.3} ms",
            m.scenario,
            m.clients,
            m.ops_per_s().median,
            m.p50().median,
            m.p99().median
        );
        out.push(m);
    };

    let vpc_xml = ec2(&h, &[("Action", "CreateVpc"), ("CidrBlock", "10.0.0.0/16")]).await?;
    let vpc = tag(&vpc_xml, "vpcId").ok_or("no vpcId")?.to_string();
    let mut subnets = Vec::new();
    for cidr in ["10.0.0.0/18", "10.0.64.0/18", "10.0.128.0/18"] {
        let xml = ec2(
            &h,
            &[
                ("Action", "CreateSubnet"),
                ("VpcId", &vpc),
                ("CidrBlock", cidr),
            ],
        )
        .await?;
        subnets.push(tag(&xml, "subnetId").ok_or("no subnetId")?.to_string());
    }
    let (create_subnet, list_subnet, inst_subnet) =
        (subnets[0].clone(), subnets[1].clone(), subnets[2].clone());

    // warm the pool
    {
        let h2 = h.clone();
        round(pid, 32, 64, cap, move |_| {
            let h = h2.clone();
            async move { h.send(Method::GET, "/moto-api/", None).await.map(|_| ()) }
        })
        .await?;
    }

    // ---- create ENI
    for &clients in &cfg.clients {
        let total = if clients == 1 {
            s.moto_create_1
        } else {
            s.moto_create_n
        };
        let mut rounds = Vec::new();
        for _ in 0..cfg.rounds {
            let h2 = h.clone();
            let subnet = create_subnet.clone();
            rounds.push(
                round(pid, clients, total, cap, move |_: Op| {
                    let (h, subnet) = (h2.clone(), subnet.clone());
                    async move { create_eni(&h, &subnet).await.map(|_| ()) }
                })
                .await?,
            );
        }
        push(
            out,
            Measured {
                target: TARGET.into(),
                scenario: "ENI create (CreateNetworkInterface)".into(),
                clients,
                rounds,
                note: String::new(),
            },
        );
    }

    // ---- attach + detach ENI
    let images = ec2(&h, &[("Action", "DescribeImages")]).await?;
    let ami = tag(&images, "imageId")
        .ok_or("moto lists no AMI")?
        .to_string();
    let max_clients = cfg.clients.iter().copied().max().unwrap_or(1);
    let n = max_clients.to_string();
    let run = ec2(
        &h,
        &[
            ("Action", "RunInstances"),
            ("ImageId", &ami),
            ("MinCount", &n),
            ("MaxCount", &n),
            ("InstanceType", "t3.micro"),
            ("SubnetId", &inst_subnet),
        ],
    )
    .await?;
    let instances: Vec<String> = tags(&run, "instanceId")
        .into_iter()
        .map(str::to_string)
        .collect();
    if instances.len() < max_clients {
        return Err(format!("RunInstances gave {} instances", instances.len()));
    }
    let mut enis = Vec::new();
    for _ in 0..max_clients {
        enis.push(create_eni(&h, &inst_subnet).await?);
    }
    for &clients in &cfg.clients {
        let total = if clients == 1 {
            s.moto_attach_1
        } else {
            s.moto_attach_n
        };
        let mut rounds = Vec::new();
        for _ in 0..cfg.rounds {
            let h2 = h.clone();
            let (instances, enis) = (instances.clone(), enis.clone());
            rounds.push(
                round(pid, clients, total, cap, move |op: Op| {
                    let h = h2.clone();
                    let (inst, eni) = (instances[op.client].clone(), enis[op.client].clone());
                    async move {
                        let xml = ec2(
                            &h,
                            &[
                                ("Action", "AttachNetworkInterface"),
                                ("NetworkInterfaceId", &eni),
                                ("InstanceId", &inst),
                                ("DeviceIndex", "1"),
                            ],
                        )
                        .await?;
                        let att = tag(&xml, "attachmentId").ok_or("no attachmentId")?;
                        ec2(
                            &h,
                            &[("Action", "DetachNetworkInterface"), ("AttachmentId", att)],
                        )
                        .await
                        .map(|_| ())
                    }
                })
                .await?,
            );
        }
        push(
            out,
            Measured {
                target: TARGET.into(),
                scenario: "ENI attach+detach (2 requests)".into(),
                clients,
                rounds,
                note: String::new(),
            },
        );
    }

    // ---- DescribeNetworkInterfaces at list sizes
    let mut have = 0u64;
    for &size in &s.moto_list_sizes {
        if size > have {
            let t = Instant::now();
            let h2 = h.clone();
            let subnet = list_subnet.clone();
            round(pid, 32, size - have, Duration::from_secs(1800), move |_| {
                let (h, subnet) = (h2.clone(), subnet.clone());
                async move { create_eni(&h, &subnet).await.map(|_| ()) }
            })
            .await?;
            eprintln!(
                "  (moto: created {} ENIs in {:.1} s)",
                size - have,
                t.elapsed().as_secs_f64()
            );
            have = size;
        }
        let mut rounds = Vec::new();
        for _ in 0..cfg.rounds {
            let h2 = h.clone();
            let subnet = list_subnet.clone();
            rounds.push(
                round(pid, 1, 1, Duration::from_secs(600), move |_| {
                    let (h, subnet) = (h2.clone(), subnet.clone());
                    async move { list_enis(&h, &subnet, size).await }
                })
                .await?,
            );
        }
        push(
            out,
            Measured {
                target: TARGET.into(),
                scenario: format!("list ENIs of a subnet, {}", crate::human(size)),
                clients: 1,
                rounds,
                note: "DescribeNetworkInterfaces filtered by subnet-id".into(),
            },
        );
    }
    drop(proc);
    Ok(())
}
