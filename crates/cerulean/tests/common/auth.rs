//! Identity helpers for the tests: forms for the token endpoints, tokens, and tokens signed
//! with a key the test knows.

use super::{temp_dir, Server, API, SUB};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

pub const TENANT: &str = "00000000-0000-0000-0000-0000000000a1";

pub fn b64url(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .unwrap()
}

/// The claims of a JWT, unverified.
pub fn claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT: {token}");
    serde_json::from_slice(&b64url(parts[1])).unwrap()
}

pub async fn post_form(s: &Server, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let body: String = form_encode(form);
    let r = s
        .client
        .post(s.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub fn form_encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| {
            let enc = |s: &str| {
                s.bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect::<String>()
            };
            format!("{}={}", enc(k), enc(v))
        })
        .collect::<Vec<_>>()
        .join("&")
}

pub async fn client_token(s: &Server) -> String {
    let (st, body) = post_form(
        s,
        &format!("/{TENANT}/oauth2/v2.0/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "my-app"),
            ("client_secret", "anything"),
            ("scope", "https://management.core.windows.net//.default"),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

pub async fn arm_get(
    s: &Server,
    token: Option<&str>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    s.call_with(
        Method::GET,
        &format!("/subscriptions/{SUB}/resourcegroups?{API}"),
        None,
        &headers,
    )
    .await
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The `kid` the server names its key by: the first 12 bytes of the public point's x, base64url.
pub fn kid_of(pem: &str) -> String {
    let key = rcgen::KeyPair::from_pem(pem).unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&key.public_key_raw()[1..13])
}

/// Signs claims with a PKCS#8 PEM P-256 key, as the server does (header `kid` included).
pub fn sign(pem: &str, claims: &Value) -> String {
    sign_with_kid(pem, Some(kid_of(pem)), claims)
}

pub fn sign_with_kid(pem: &str, kid: Option<String>, claims: &Value) -> String {
    let key = rcgen::KeyPair::from_pem(pem).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = kid;
    jsonwebtoken::encode(
        &header,
        claims,
        &jsonwebtoken::EncodingKey::from_ec_der(&key.serialize_der()),
    )
    .unwrap()
}

/// Claims as the server issues them to an application: ARM's audience, the default tenant.
pub fn app_claims(exp: i64) -> Value {
    json!({
        "aud": "https://management.core.windows.net/",
        "iss": format!("https://sts.windows.net/{TENANT}/"), "iat": exp - 3600,
        "nbf": exp - 3600, "exp": exp, "tid": TENANT, "oid": "o", "sub": "o", "appid": "a",
        "ver": "1.0"
    })
}

/// A data directory holding a signing key file, as earlier versions kept it: the server
/// takes it into its store on start. Returns the directory and the key.
pub fn dir_with_key_file() -> (std::path::PathBuf, String) {
    let dir = temp_dir();
    let pem = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .unwrap()
        .serialize_pem();
    std::fs::create_dir_all(dir.join("identity")).unwrap();
    std::fs::write(dir.join("identity").join("signing-key.pem"), &pem).unwrap();
    (dir, pem)
}
