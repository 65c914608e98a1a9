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

/// How deeply a request body may nest: serde_json's own recursion limit, which strict JSON
/// bodies meet first; JSONC bodies are held to the same (its parser would allow 512).
pub const MAX_BODY_DEPTH: usize = 128;

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
}
