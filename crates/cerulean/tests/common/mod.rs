//! Starts the real `cerulean` binary on a free port and talks HTTPS to it with a client that
//! trusts the CA the server generated.
#![allow(dead_code)]

pub mod auth;
#[allow(unused_imports)]
pub use auth::*;
pub mod arm;
pub mod invariants;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub const API: &str = "api-version=2024-11-01";

pub struct Server {
    pub child: Child,
    pub base: String,
    /// The plain-HTTP listener of `--http-port`, if any.
    pub extra_base: Option<String>,
    pub dir: PathBuf,
    pub client: reqwest::Client,
}

pub fn temp_dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("cerulean-it-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `_{CERULEAN_TEST_RUN}` when scripts/test set it: the suffix of every database this run
/// creates, which the script drops when the run ends.
fn run_tag() -> String {
    std::env::var("CERULEAN_TEST_RUN")
        .ok()
        .filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(|t| format!("_{}", t.to_ascii_lowercase()))
        .unwrap_or_default()
}

/// A fresh PostgreSQL database URL on the local server (see `.ci/run`). The synchronous
/// client runs on its own thread: it must not block inside the test's async runtime.
pub fn fresh_postgres() -> String {
    std::thread::spawn(create_database).join().unwrap()
}

fn create_database() -> String {
    let admin = std::env::var("CERULEAN_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!(
        "cerulean_test_{}_{}{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        uuid::Uuid::new_v4().simple(),
        run_tag()
    );
    let mut c = postgres::Client::connect(&admin, postgres::NoTls)
        .expect("PostgreSQL must be running for these tests (see .ci/run)");
    c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// A client trusting the CA of the server in `dir` (when it generated one), speaking HTTP/1.1
/// only, or HTTP/2 when the server offers it.
pub fn client_for(dir: &Path, trust_ca: bool, http1_only: bool) -> reqwest::Client {
    let mut builder = reqwest::Client::builder().timeout(Duration::from_secs(30));
    if trust_ca {
        let pem = std::fs::read(dir.join("tls").join("ca.pem")).unwrap();
        builder = builder
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
            .tls_built_in_root_certs(false);
    }
    if http1_only {
        builder = builder.http1_only();
    }
    builder.build().unwrap()
}

impl Server {
    /// Starts `cerulean serve` with a new data directory.
    pub fn start(extra: &[&str]) -> Server {
        Self::start_in(&temp_dir(), extra)
    }

    /// Starts `cerulean serve` with a new data directory and bearer-token checking on
    /// (unless `extra` says otherwise).
    pub fn start_with_auth(extra: &[&str]) -> Server {
        Self::spawn(&temp_dir(), extra)
    }

    /// Starts `cerulean serve` on an existing data directory. Tests call ARM without a
    /// token, so `--auth none` is added unless `extra` names `--auth`.
    pub fn start_in(dir: &Path, extra: &[&str]) -> Server {
        let mut args: Vec<&str> = extra.to_vec();
        if !extra
            .iter()
            .any(|a| *a == "--auth" || a.starts_with("--auth="))
        {
            args.extend(["--auth", "none"]);
        }
        Self::spawn(dir, &args)
    }

    fn spawn(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cerulean"))
            .args(["serve", "--port", "0", "--location"])
            .arg(dir)
            .args(extra)
            .env("CERULEAN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn cerulean");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut base = None;
        let mut extra_base = None;
        let mut ca = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(p) = line.strip_prefix("cerulean CA certificate: ") {
                ca = Some(PathBuf::from(p));
            }
            if let Some(u) = line.strip_prefix("cerulean also listening on ") {
                extra_base = Some(u.to_string());
            }
            if let Some(u) = line.strip_prefix("cerulean listening on ") {
                base = Some(u.to_string());
                break;
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let base = base.expect("server printed its URL");
        // HTTP/1.1, as az and the Python SDK speak it; `client_for` gives an HTTP/2 one.
        let client = client_for(dir, ca.is_some(), true);
        Server {
            child,
            base,
            extra_base,
            dir: dir.to_path_buf(),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a request; returns status, headers and the JSON body (Null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.call_with(method, path, body, &[]).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.client.request(method, self.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, json)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.call(Method::GET, path, None).await;
        (s, b)
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, b) = self.call(Method::PUT, path, Some(body)).await;
        (s, b)
    }

    /// Sends SIGKILL: no chance to flush anything.
    pub fn kill_hard(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Asserts an ARM error envelope with this status and code; returns the message.
pub fn assert_error(status: StatusCode, body: &Value, want_status: u16, want_code: &str) -> String {
    assert_eq!(status.as_u16(), want_status, "status for {body}");
    assert_eq!(body["error"]["code"], want_code, "code in {body}");
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub fn rg_path(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}?{API}")
}

/// Defines, for each `name [extra server args]`, one test on SQLite and one on a fresh
/// PostgreSQL database, each calling `async fn name(&Server)`.
#[allow(unused_macros)]
macro_rules! on_sqlite_and_postgres {
    ($($name:ident [$($arg:expr),*]),* $(,)?) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let s = Server::start(&[$($arg),*]);
                    assert!(!common::arm::on_postgres(&s).await);
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let url = fresh_postgres();
                    let s = Server::start(&["--database-url", &url, $($arg),*]);
                    assert!(common::arm::on_postgres(&s).await);
                    super::$name(&s).await;
                }
            )*
        }
    };
}

impl Server {
    /// A client-credentials access token for ARM.
    pub async fn token(&self, client_id: &str, secret: &str) -> String {
        self.token_for(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://management.core.windows.net//.default"),
        ])
        .await
    }

    /// A client-credentials access token for Microsoft Graph (cerulean's `/v1.0`).
    pub async fn graph_token(&self, client_id: &str, secret: &str) -> String {
        self.token_for(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", secret),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .await
    }

    /// A user's access token for Microsoft Graph (password grant).
    pub async fn graph_user_token(&self, user: &str, password: &str) -> String {
        self.token_for(&[
            ("grant_type", "password"),
            ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            ("username", user),
            ("password", password),
            (
                "scope",
                "https://graph.microsoft.com/.default offline_access openid profile",
            ),
        ])
        .await
    }

    /// A user's access token (resource owner password grant, as `az login -u -p` asks).
    pub async fn user_token(&self, user: &str, password: &str) -> String {
        self.token_for(&[
            ("grant_type", "password"),
            ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
            ("username", user),
            ("password", password),
            (
                "scope",
                "https://management.core.windows.net//.default offline_access openid profile",
            ),
        ])
        .await
    }

    async fn token_for(&self, form: &[(&str, &str)]) -> String {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let r = self
            .client
            .post(self.url(&format!("/{TENANT}/oauth2/v2.0/token")))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "token: {v}");
        v["access_token"].as_str().unwrap().to_string()
    }

    /// Sends a request with a bearer token.
    pub async fn call_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let auth = format!("Bearer {token}");
        let (s, _, b) = self
            .call_with(method, path, body, &[("authorization", &auth)])
            .await;
        (s, b)
    }
}

/// The claims of a JWT, unverified.
pub fn jwt_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
