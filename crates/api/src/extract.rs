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
            let text = String::from_utf8_lossy(ct.as_bytes()).into_owned();
            if is_json_media_type(&text) {
                Ok(())
            } else {
                Err(ApiError::UnsupportedMediaType(text))
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
        match serde_json::from_slice(&bytes) {
            Ok(v) => Ok(ArmJsonc(v)),
            Err(strict) => {
                let text = std::str::from_utf8(&bytes)
                    .map_err(|_| ApiError::InvalidRequestContent(strict.to_string()))?;
                jsonc_parser::parse_to_serde_value(text, &Default::default())
                    .map(ArmJsonc)
                    .map_err(|e| ApiError::InvalidRequestContent(e.to_string()))
            }
        }
    }
}

/// `If-Match` / `If-None-Match`.
pub struct Conditions(pub Precondition);

impl<S: Send + Sync> FromRequestParts<S> for Conditions {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let h = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
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
        };
        let query = parts.uri.query().unwrap_or("");
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.to_ascii_lowercase().as_str() {
                "api-version" => q.api_version = v.into_owned(),
                "$filter" => q.filter = Some(v.into_owned()),
                "$top" => q.top = Some(v.into_owned()),
                "$skiptoken" => q.skiptoken = Some(v.into_owned()),
                "$expand" => q.expand = Some(v.into_owned()),
                _ => {}
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
