//! Requests the server makes to itself. A template deployment applies each resource as the
//! very ARM request a client would send, through the whole service (path canonicalisation,
//! api-version, wire parsing, rules), so a rule can never hold for direct PUTs and not for
//! templates. Internal requests carry the [`Internal`] extension, which only this module can
//! set: the bearer check lets them through. They also carry the principal they act for (a
//! deployment's deployer), so access control checks them as that principal's own.

use crate::identity::Caller;
use crate::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

/// Marks a request the server sent to itself.
#[derive(Clone, Copy, Debug)]
pub struct Internal;

/// An internal response, its body parsed (`Value::Null` when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Marks a deployment (or what-if) a template's nested deployment submits, `depth` levels
/// below the one the client submitted. It runs in its parent's turn: waiting for a turn of
/// its own while the parent holds one could wait forever.
#[derive(Clone, Copy, Debug)]
pub struct Nested {
    pub depth: u32,
}

/// Sends `method path_and_query` with a JSON body to this server, on `caller`'s behalf, and
/// waits for the answer.
pub async fn call(
    s: &AppState,
    caller: Option<&Caller>,
    method: Method,
    path_and_query: &str,
    body: Option<&Value>,
) -> Reply {
    call_as(s, caller, None, method, path_and_query, body).await
}

/// [`call`], marked as a nested deployment's request when `nested` is given.
pub async fn call_as(
    s: &AppState,
    caller: Option<&Caller>,
    nested: Option<Nested>,
    method: Method,
    path_and_query: &str,
    body: Option<&Value>,
) -> Reply {
    let Some(service) = s.internal.get().cloned() else {
        return failure("the service is not ready");
    };
    let mut builder = Request::builder().method(method).uri(path_and_query);
    if body.is_some() {
        builder = builder.header("content-type", "application/json");
    }
    let payload = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    let Ok(mut req) = builder.body(payload) else {
        return failure("the request path is not valid");
    };
    req.extensions_mut().insert(Internal);
    if let Some(n) = nested {
        req.extensions_mut().insert(n);
    }
    if let Some(c) = caller {
        req.extensions_mut().insert(c.clone());
    }
    let resp = match service.oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * crate::MAX_BODY)
        .await
        .unwrap_or_default();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn failure(message: &str) -> Reply {
    Reply {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        headers: HeaderMap::new(),
        body: serde_json::json!({"error": {"code": "InternalServerError", "message": message}}),
    }
}

/// The path and query of an absolute URL the server handed out (e.g. an
/// `Azure-AsyncOperation` URL), to call it internally.
pub fn local_part(url: &str) -> Option<String> {
    let uri: axum::http::Uri = url.parse().ok()?;
    uri.path_and_query().map(|pq| pq.as_str().to_string())
}
