//! Child servers (cerulean, the baseline, moto) and the HTTPS client that drives them.

use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A keep-alive HTTPS (or HTTP) client bound to one server on 127.0.0.1.
#[derive(Clone)]
pub struct Http {
    pub client: reqwest::Client,
    pub base: String,
    /// `Authorization: Bearer …` on every request, for servers that check tokens.
    pub bearer: Option<String>,
}

impl Http {
    pub fn new(base: &str, ca: Option<&Path>) -> Result<Http, String> {
        if !is_loopback_url(base) {
            return Err(format!(
                "refusing to drive {base}: only 127.0.0.1 is a target"
            ));
        }
        let mut b = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(128)
            .tcp_nodelay(true);
        if let Some(ca) = ca {
            let pem = std::fs::read(ca).map_err(|e| format!("read {}: {e}", ca.display()))?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| e.to_string())?;
            b = b.add_root_certificate(cert).tls_built_in_root_certs(false);
        }
        Ok(Http {
            client: b.build().map_err(|e| e.to_string())?,
            base: base.trim_end_matches('/').to_string(),
            bearer: None,
        })
    }

    /// The same client, sending `token` as its bearer token.
    pub fn with_bearer(mut self, token: String) -> Http {
        self.bearer = Some(format!("Bearer {token}"));
        self
    }

    /// A path on this server, or an absolute URL that must point back at it.
    fn url(&self, path: &str) -> Result<String, String> {
        if path.starts_with('/') {
            Ok(format!("{}{path}", self.base))
        } else if path.starts_with(&self.base) {
            Ok(path.to_string())
        } else {
            Err(format!("link {path} leaves {}", self.base))
        }
    }

    /// Sends a request; returns status, headers and the raw body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(u16, HeaderMap, bytes::Bytes), String> {
        let mut req = self.client.request(method.clone(), self.url(path)?);
        if let Some(t) = &self.bearer {
            req = req.header("authorization", t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        Ok((status, headers, bytes))
    }

    /// Sends a request and fails unless the status is 2xx; returns headers and raw body.
    pub async fn ok_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, HeaderMap, bytes::Bytes), String> {
        let bytes = body.map(|b| serde_json::to_vec(b).expect("json"));
        self.ok_bytes(method, path, bytes).await
    }

    /// `ok_raw` with an already serialised body.
    pub async fn ok_bytes(
        &self,
        method: Method,
        path: &str,
        bytes: Option<Vec<u8>>,
    ) -> Result<(u16, HeaderMap, bytes::Bytes), String> {
        let (status, headers, out) = self.send(method.clone(), path, bytes).await?;
        if !(200..300).contains(&status) {
            let text = String::from_utf8_lossy(&out);
            let short: String = text.chars().take(400).collect();
            return Err(format!("{method} {path}: {status} {short}"));
        }
        Ok((status, headers, out))
    }

    /// Sends a request, fails unless 2xx, parses the JSON body (Null when empty).
    pub async fn ok(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, String> {
        let (_, _, out) = self.ok_raw(method, path, body).await?;
        parse(&out)
    }

    /// Like `ok`, then follows the long-running-operation headers until it finishes.
    pub async fn ok_lro(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let (status, headers, _) = self.ok_raw(method, path, body).await?;
        if status != 202 {
            return Ok(());
        }
        let poll = headers
            .get("azure-asyncoperation")
            .or_else(|| headers.get("location"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let Some(poll) = poll else { return Ok(()) };
        for _ in 0..200 {
            let (st, _, out) = self.ok_raw(Method::GET, &poll, None).await?;
            let v = parse(&out)?;
            match v["status"].as_str() {
                Some("InProgress") => {}
                Some("Succeeded") | None if st == 200 || st == 204 => return Ok(()),
                other => return Err(format!("{path}: operation ended {other:?}: {v}")),
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Err(format!("{path}: operation still running after 200 polls"))
    }
}

pub fn parse(bytes: &[u8]) -> Result<Value, String> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(bytes).map_err(|e| format!("bad JSON ({e})"))
}

fn is_loopback_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or("");
    rest.starts_with("127.0.0.1:") || rest == "127.0.0.1" || rest.starts_with("127.0.0.1/")
}

/// A child server process that is stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Proc {
    pub child: Child,
    pub pid: u32,
}

impl Proc {
    pub fn new(child: Child) -> Proc {
        let pid = child.id();
        Proc { child, pid }
    }

    /// SIGTERM, then wait (bounded) for the exit; SIGKILL after the bound.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let until = Instant::now() + Duration::from_secs(15);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What a server printed on start-up: its URL and, for HTTPS, the CA to trust.
pub struct Started {
    pub proc: Proc,
    pub base: String,
    pub ca: Option<PathBuf>,
}

/// Spawns a server that prints `<prefix> CA certificate: PATH` (optional) and
/// `<prefix> listening on URL`, and waits (bounded) for the URL.
pub fn spawn_printing(mut cmd: Command, prefix: &str) -> Result<Started, String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let proc = Proc::new(child);
    let (tx, rx) = mpsc::channel();
    let ca_prefix = format!("{prefix} CA certificate: ");
    let url_prefix = format!("{prefix} listening on ");
    std::thread::spawn(move || {
        let mut ca = None;
        let mut lines = BufReader::new(stdout).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            if let Some(p) = line.strip_prefix(&ca_prefix) {
                ca = Some(PathBuf::from(p));
            }
            if let Some(u) = line.strip_prefix(&url_prefix) {
                let _ = tx.send((u.to_string(), ca.take()));
                break;
            }
        }
        // Keep draining so the server never blocks on a full pipe.
        for _ in lines {}
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok((base, ca)) => Ok(Started { proc, base, ca }),
        Err(_) => Err(format!("{prefix} did not print its URL within 60 s")),
    }
}

/// A free TCP port on 127.0.0.1 (for servers that cannot pick one themselves).
pub fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}
