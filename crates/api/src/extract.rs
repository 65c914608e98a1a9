//! Request extractors that fail with ARM's errors rather than axum's plain-text ones, and the
//! one body reader every extractor (ARM's and the token endpoints') goes through: a size cap,
//! a deadline, and the media types ARM accepts.

use crate::error::ApiError;
use crate::AppState;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use cerulean_domain::precondition::Precondition;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Why a request body could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    TooLarge,
    /// Not complete within the body timeout (`--body-timeout`).
    TimedOut,
    /// The client broke off or sent a malformed body.
    Failed(String),
}

/// Reads a whole body of at most `limit` bytes within `timeout` (counted from the first
/// read, so a client trickling bytes cannot hold a request open). What is left of a body
/// refused here is drained in the background (`crate::drain`), so the client gets the answer.
pub async fn read_body(
    mut body: Body,
    headers: &HeaderMap,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, BodyError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge);
    }
    let read = async move {
        let mut buf = Vec::new();
        while let Some(frame) =
            std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await
        {
            let frame = frame.map_err(|e| BodyError::Failed(e.to_string()))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            if buf.len() + data.len() > limit {
                return Err(BodyError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
        Ok(Bytes::from(buf))
    };
    tokio::time::timeout(timeout, read)
        .await
        .unwrap_or(Err(BodyError::TimedOut))
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge => ApiError::RequestTooLarge,
            BodyError::TimedOut => ApiError::RequestTimeout,
            BodyError::Failed(m) => ApiError::InvalidRequestContent(m),
        }
    }
}

/// Whether a `Content-Type` names JSON as ARM takes it: `application/json` (parameters such as
/// `charset` allowed, any case), `text/json`, or an `application/*+json` type. Never one of
/// the three types a web page may POST cross-origin without asking first.
pub fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// ARM's rule for a request body: a `Content-Type`, if given, names JSON; without one the
/// body must be empty (`nonempty`: known to carry bytes). 415 `UnsupportedMediaType`
/// otherwise.
pub fn check_media_type(headers: &HeaderMap, nonempty: bool) -> Result<(), ApiError> {
    match headers.get(CONTENT_TYPE) {
        Some(ct) => {
            // Checked in place; a copy only for the refusal's message.
            let text = String::from_utf8_lossy(ct.as_bytes());
            if is_json_media_type(&text) {
                Ok(())
            } else {
                Err(ApiError::UnsupportedMediaType(text.into_owned()))
            }
        }
        None if nonempty => Err(ApiError::UnsupportedMediaType(String::new())),
        None => Ok(()),
    }
}

/// The body of an ARM request, read under the rules above.
async fn arm_body(req: Request, s: &AppState) -> Result<Bytes, ApiError> {
    let (parts, body) = req.into_parts();
    let bytes = read_body(
        body,
        &parts.headers,
        crate::MAX_BODY,
        s.options.body_timeout,
    )
    .await?;
    check_media_type(&parts.headers, !bytes.is_empty())?;
    Ok(bytes)
}

/// A JSON body: malformed → 400 `InvalidRequestContent`, over 4 MiB → 413, not JSON → 415,
/// too slow → 408. An empty body reads as `{}`.
pub struct ArmJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ArmJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, ApiError> {
        let bytes = arm_body(req, s).await?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(bytes)
            .map(ArmJson)
            .map_err(|e| ApiError::InvalidRequestContent(e.to_string()))
    }
}

/// How deeply a request body may nest: serde_json's own recursion limit, which strict JSON
/// bodies meet first; JSONC bodies are held to the same (its parser would allow 512).
pub const MAX_BODY_DEPTH: usize = 128;

/// A JSON body that may also be JSONC: comments, unquoted property names and trailing
/// commas, which ARM accepts in deployments. The az CLI relies on that: it splices a
/// template file's text, comments and all, into the body after an unquoted `template:` key.
pub struct ArmJsonc<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ArmJsonc<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, ApiError> {
        let bytes = arm_body(req, s).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return serde_json::from_slice(b"{}")
                .map(ArmJsonc)
                .map_err(|e| ApiError::InvalidRequestContent(e.to_string()));
        }
        parse_jsonc(&bytes).map(ArmJsonc)
    }
}

/// Strict JSON, or else JSONC no deeper than [`MAX_BODY_DEPTH`].
pub fn parse_jsonc<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        Err(strict) => {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| ApiError::InvalidRequestContent(strict.to_string()))?;
            if let Some(at) = too_deep(text, MAX_BODY_DEPTH) {
                return Err(ApiError::InvalidRequestContent(format!(
                    "The request content nests more than {MAX_BODY_DEPTH} levels deep at character {at}."
                )));
            }
            jsonc_parser::parse_to_serde_value(text, &Default::default())
                .map_err(|e| ApiError::InvalidRequestContent(e.to_string()))
        }
    }
}

/// Where JSONC text first opens more than `max` objects or arrays (outside strings and
/// comments), if it does: one pass, no recursion.
fn too_deep(text: &str, max: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (mut i, mut depth) = (0, 0usize);
    while i < b.len() {
        match b[i] {
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Some(i);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `If-Match` / `If-None-Match`. An empty one is no condition, as ARM reads it: the azurerm
/// provider sends `If-Match: ""` with some creates (private DNS zones).
pub struct Conditions(pub Precondition);

impl<S: Send + Sync> FromRequestParts<S> for Conditions {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let h = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        Ok(Conditions(Precondition {
            if_match: h("if-match"),
            if_none_match: h("if-none-match"),
        }))
    }
}

/// The query parameters ARM handlers read.
pub struct ArmQuery {
    pub api_version: String,
    pub filter: Option<String>,
    pub top: Option<String>,
    pub skiptoken: Option<String>,
    pub expand: Option<String>,
    /// `statusOnly=true`: the subscription-wide VM list's way to ask for each VM's run-time
    /// status (its instance view), which the portal's Virtual machines blade shows.
    pub status_only: bool,
}

/// The first value of the query parameter `name` in `query` (the URI's, undecoded), decoded:
/// names are case-blind, as ARM reads them.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.into_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for ArmQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let mut q = ArmQuery {
            api_version: String::new(),
            filter: None,
            top: None,
            skiptoken: None,
            expand: None,
            status_only: false,
        };
        let query = parts.uri.query().unwrap_or("");
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            // Names are case-blind; compared in place (no lower-cased copy per parameter).
            let is = |name: &str| k.eq_ignore_ascii_case(name);
            if is("api-version") {
                q.api_version = v.into_owned();
            } else if is("$filter") {
                q.filter = Some(v.into_owned());
            } else if is("$top") {
                q.top = Some(v.into_owned());
            } else if is("$skiptoken") {
                q.skiptoken = Some(v.into_owned());
            } else if is("$expand") {
                q.expand = Some(v.into_owned());
            } else if is("statusonly") {
                q.status_only = v.eq_ignore_ascii_case("true");
            }
        }
        Ok(q)
    }
}

impl ArmQuery {
    /// `$top` as a number; a malformed one is a 400.
    pub fn top(&self) -> Result<Option<usize>, ApiError> {
        self.top
            .as_deref()
            .map(|t| {
                t.parse::<usize>().map_err(|_| {
                    ApiError::from(cerulean_domain::DomainError::InvalidParameter {
                        message: format!("The value '{t}' of query parameter '$top' is invalid. It must be a positive integer."),
                        target: Some("$top".into()),
                    })
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn nested(n: usize) -> String {
        format!("{{template: {}1{}}}", "[".repeat(n - 1), "]".repeat(n - 1))
    }

    #[test]
    fn jsonc_bodies_are_held_to_the_strict_depth() {
        let v: Value = parse_jsonc(nested(MAX_BODY_DEPTH).as_bytes()).unwrap();
        assert!(v["template"].is_array());
        let Err(ApiError::InvalidRequestContent(m)) =
            parse_jsonc::<Value>(nested(MAX_BODY_DEPTH + 1).as_bytes())
        else {
            panic!("too deep a JSONC body was accepted");
        };
        assert!(m.contains("nests more than 128 levels"), "{m}");
        // Deep enough to have overflowed a parser that recursed without a limit.
        assert!(parse_jsonc::<Value>(nested(100_000).as_bytes()).is_err());
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count() {
        let text = format!(
            "{{ // {open}\n a: '{open}', \"b\": \"\\\"{open}\", /* {open} */ c: [1,], }}",
            open = "[".repeat(500)
        );
        let v: Value = parse_jsonc(text.as_bytes()).unwrap();
        assert_eq!(v["c"], serde_json::json!([1]));
    }

    /// Property tests in place of a fuzzer: JSONC text made of the grammar's pieces, and
    /// ARM bodies made of the wire types' own keys, go through the edge's body parsing and
    /// into the wire types. Nothing panics. `CERULEAN_FUZZ_CASES` sets the number of cases.
    mod fuzz {
        use super::*;
        use crate::wire::deployment::DeploymentIn;
        use crate::wire::network::{nic::NicIn, vnet::VnetIn};
        use proptest::prelude::*;

        fn config() -> ProptestConfig {
            let cases = std::env::var("CERULEAN_FUZZ_CASES")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(256);
            ProptestConfig {
                cases,
                failure_persistence: None,
                ..ProptestConfig::default()
            }
        }

        const JSONC: &[&str] = &[
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "'",
            "//",
            "/*",
            "*/",
            "\n",
            "\\",
            "a",
            "1",
            "-2.5e9",
            "true",
            "null",
            "\"k\"",
            "template",
            "properties",
            " ",
            "ü",
            "\\u00",
        ];

        const KEYS: &[&str] = &[
            "properties",
            "template",
            "parameters",
            "mode",
            "location",
            "tags",
            "ipConfigurations",
            "subnet",
            "id",
            "privateIPAddress",
            "privateIPAllocationMethod",
            "addressSpace",
            "addressPrefixes",
            "addressPrefix",
            "subnets",
            "name",
            "primary",
            "publicIPAddress",
            "value",
            "x",
        ];

        /// A JSON value whose objects use the wire types' keys.
        fn arm_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                prop::sample::select(vec![
                    "", "10.0.0.0/24", "10.0.0.4", "Static", "Dynamic", "Incremental",
                    "Complete", "eastus", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/a",
                    "fd00::/64", "[concat('a')]", "ü",
                ])
                .prop_map(Value::from),
            ];
            leaf.prop_recursive(6, 64, 6, |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec((prop::sample::select(KEYS), inner), 0..5).prop_map(
                        |kv| Value::Object(
                            kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
                        )
                    ),
                ]
            })
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn jsonc_text_never_panics(parts in prop::collection::vec(prop::sample::select(JSONC), 0..60)) {
                let text = parts.concat();
                let _ = parse_jsonc::<Value>(text.as_bytes());
                let _ = parse_jsonc::<DeploymentIn>(text.as_bytes());
            }

            #[test]
            fn arm_bodies_never_panic(v in arm_value()) {
                let bytes = serde_json::to_vec(&v).unwrap();
                if let Ok(d) = parse_jsonc::<DeploymentIn>(&bytes) {
                    let _ = d.request();
                }
                if let Ok(n) = serde_json::from_slice::<NicIn>(&bytes) {
                    let _ = n.spec();
                }
                if let Ok(n) = serde_json::from_slice::<VnetIn>(&bytes) {
                    let _ = n.spec();
                }
            }
        }
    }
}
