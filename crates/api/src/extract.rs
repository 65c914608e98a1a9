//! Request extractors that fail with ARM's errors rather than axum's plain-text ones.

use crate::error::ApiError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use cerulean_domain::precondition::Precondition;
use serde::de::DeserializeOwned;

/// A JSON body: malformed → 400 `InvalidRequestContent`, over 4 MiB → 413. An empty body
/// reads as `{}`.
pub struct ArmJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ArmJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), crate::MAX_BODY)
            .await
            .map_err(|_| ApiError::RequestTooLarge)?;
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

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ArmJsonc<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::to_bytes(req.into_body(), crate::MAX_BODY)
            .await
            .map_err(|_| ApiError::RequestTooLarge)?;
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
