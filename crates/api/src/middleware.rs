//! Cross-cutting request handling: ARM's request-id headers, request logging, the
//! `api-version` requirement, and the edge's refusals before any handler runs: paths that do
//! not decode, bodies that are not JSON, writes from another origin, and a last net that turns
//! any plain-text rejection into ARM's envelope.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, ORIGIN};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::future::Future;
use std::time::Instant;

/// The rest of the stack as a middleware sees it: axum's [`Next`] when the middleware is a
/// layer of its own, or the next middleware of a group run as one layer ([`edge`],
/// [`closed`]).
pub(crate) trait Run: Send + Sized {
    fn run(self, req: Request) -> impl Future<Output = Response> + Send;
}

impl Run for Next {
    fn run(self, req: Request) -> impl Future<Output = Response> + Send {
        Next::run(self, req)
    }
}

impl<F, Fut> Run for F
where
    F: FnOnce(Request) -> Fut + Send,
    Fut: Future<Output = Response> + Send,
{
    fn run(self, req: Request) -> impl Future<Output = Response> + Send {
        self(req)
    }
}

/// What every request passes through, outermost first: request ids and logging
/// ([`request_context`]), draining of unread bodies, the envelope for plain-text rejections,
/// the caps on the request head and the refusal of undecodable paths.
///
/// One layer for the five, each written as a middleware of its own: axum wraps every route
/// in each layer, and a layer clones everything beneath it on every request, so five layers
/// cost five boxed futures and a few dozen clones and allocations per request (issue 21).
pub async fn edge(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let timeout = s.options.body_timeout;
    request_context(req, move |req| {
        crate::drain::drain_unread_bodies(timeout, req, move |req| {
            envelope_plain_text_errors(req, move |req| {
                cap_request_head(req, move |req| reject_undecodable_paths(req, next))
            })
        })
    })
    .await
}

/// What every closed route (`routes::router`) passes through, outermost first: the bearer
/// check, access control, `Microsoft.Authorization`'s requests, the refusal of cross-origin
/// writes and the JSON-only rule; one layer for the five, as [`edge`].
pub async fn closed(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let s = &s;
    crate::identity::require_bearer(s, req, move |req| {
        crate::authz::authorize(s, req, move |req| {
            crate::routes::authorization_dispatch(s, req, move |req| {
                refuse_cross_origin_writes(s, req, move |req| require_json_bodies(req, next))
            })
        })
    })
    .await
}

static REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
static CORRELATION_ID: HeaderName = HeaderName::from_static("x-ms-correlation-request-id");
static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-client-request-id");

/// Adds `x-ms-request-id`, `x-ms-correlation-request-id` (the caller's, or a new one) and
/// echoes `x-ms-client-request-id`; logs method, path, status and time of every request.
pub async fn request_context(req: Request, next: impl Run) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = crate::path::original(req.uri().path(), req.extensions());
    let request_id = uuid::Uuid::new_v4().to_string();
    let correlation = req
        .headers()
        .get(&CORRELATION_ID)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_str(&request_id).expect("uuid is a valid header"));
    let client_id = req.headers().get(&CLIENT_REQUEST_ID).cloned();

    let mut resp = next.run(req).await;

    let h = resp.headers_mut();
    h.insert(
        REQUEST_ID.clone(),
        HeaderValue::from_str(&request_id).expect("uuid is a valid header"),
    );
    h.insert(CORRELATION_ID.clone(), correlation);
    if let Some(c) = client_id {
        h.insert(CLIENT_REQUEST_ID.clone(), c);
    }
    let status = resp.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(%method, %path, status, ms = format_args!("{ms:.3}"), request_id, "request");
    resp
}

pub use cerulean_template::well_formed_api_version;

/// What every ARM route passes through, outermost first: the `api-version` requirement and
/// HEAD as the existence check; one layer for the two, as [`edge`].
pub async fn arm(req: Request, next: Next) -> Response {
    arm_rules(req, next).await
}

/// [`arm`]'s rules around any handler: also run by `Microsoft.Authorization`'s, which is
/// served before routing.
pub(crate) async fn arm_rules(req: Request, next: impl Run) -> Response {
    require_api_version(req, move |req| head_is_existence(req, next)).await
}

/// Every ARM call carries a well-formed `api-version`.
pub async fn require_api_version(req: Request, next: impl Run) -> Response {
    let version = crate::extract::query_param(req.uri().query().unwrap_or(""), "api-version");
    match version {
        None => ApiError::MissingApiVersion.into_response(),
        Some(v) if !well_formed_api_version(&v) => ApiError::InvalidApiVersion(v).into_response(),
        Some(_) => next.run(req).await,
    }
}

/// HEAD on ARM is its existence check (`Resources_CheckExistenceById`, the groups' and
/// deployments' `CheckExistence`): 204 when the resource is there and 404 when it is not,
/// without a body. The SDKs' `check_existence` calls take no other status (a 200 raises in
/// Python's). Routes answer HEAD with their GET, so the GET's 200 becomes 204 here, for
/// every type at once.
pub async fn head_is_existence(req: Request, next: impl Run) -> Response {
    let head = req.method() == Method::HEAD;
    let mut resp = next.run(req).await;
    if head && resp.status() == StatusCode::OK {
        *resp.status_mut() = StatusCode::NO_CONTENT;
        resp.headers_mut().remove(CONTENT_LENGTH);
        resp.headers_mut().remove(CONTENT_TYPE);
        *resp.body_mut() = axum::body::Body::empty();
    }
    resp
}

/// The longest request URI answered (path and query). HTTP.sys, ARM's front end, allows 16 KB
/// for a request line by default (`MaxFieldLength`); past it ARM answers 414.
pub const MAX_URI_BYTES: usize = 16 * 1024;
/// The most header bytes a request may carry (names, values and `": "`/CRLF, as on the wire).
/// Well above any client's (a bearer token is a few KB), well below what the connection layer
/// buffers, so that this check, which says by how much, comes first.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// A URI or headers past the caps above get 414 or 431 in ARM's envelope, before anything
/// else reads them. (A head past the connection layer's own limits — more than
/// [`crate::MAX_HEADER_FIELDS`] fields, a URI of 65,534 bytes over HTTP/1.1 — never gets
/// here: hyper refuses it, and the connection's stream puts that answer in the envelope.)
pub async fn cap_request_head(req: Request, next: impl Run) -> Response {
    let uri = req.uri();
    let uri_len = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return ApiError::RequestUriTooLong(uri_len).into_response();
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::RequestHeaderFieldsTooLarge(header_bytes).into_response();
    }
    next.run(req).await
}

/// A path whose percent-escapes do not decode to UTF-8 is refused before routing, with ARM's
/// envelope (axum's path extractor would answer in plain text).
pub async fn reject_undecodable_paths(req: Request, next: impl Run) -> Response {
    if !decodes_to_utf8(req.uri().path()) {
        let path = crate::path::original(req.uri().path(), req.extensions());
        return ApiError::InvalidRequestUri(path).into_response();
    }
    next.run(req).await
}

/// Whether percent-decoding `path` (as route parameters are decoded) gives UTF-8.
fn decodes_to_utf8(path: &str) -> bool {
    if !path.contains('%') {
        return true;
    }
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, ..) => {
                out.push(c);
                i += 1;
            }
        }
    }
    std::str::from_utf8(&out).is_ok()
}

fn changes_state(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

static SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// A browser names where a request comes from (`Sec-Fetch-Site`, `Origin`): a web page of
/// another origin may not change state here, with or without a token. (No CORS header is
/// ever sent, so such a page cannot read answers either.) Clients that are not browsers send
/// neither header.
pub async fn refuse_cross_origin_writes(s: &AppState, req: Request, next: impl Run) -> Response {
    if changes_state(req.method()) {
        let h = req.headers();
        let site = h.get(&SEC_FETCH_SITE).and_then(|v| v.to_str().ok());
        let origin = h
            .get(ORIGIN)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let cross_site = site.is_some_and(|v| !matches!(v, "same-origin" | "none"));
        let other_origin = origin
            .as_deref()
            .is_some_and(|o| !o.eq_ignore_ascii_case(&s.options.base_url(h)));
        if cross_site || other_origin {
            return ApiError::CrossOriginRequest {
                origin: origin.unwrap_or_else(|| format!("Sec-Fetch-Site: {}", site.unwrap_or(""))),
            }
            .into_response();
        }
    }
    next.run(req).await
}

/// Writes carry JSON or nothing (415 `UnsupportedMediaType` otherwise), checked from the
/// headers before any handler runs; a body without `Content-Type` or `Content-Length` is
/// checked once read (`extract::check_media_type`).
pub async fn require_json_bodies(req: Request, next: impl Run) -> Response {
    if matches!(*req.method(), Method::PUT | Method::PATCH | Method::POST) {
        let h = req.headers();
        let declared = h
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if let Err(e) = crate::extract::check_media_type(h, declared.is_some_and(|n| n > 0)) {
            return e.into_response();
        }
    }
    next.run(req).await
}

/// The last net: an error answered as plain text (an extractor or router default that no
/// handler replaced) leaves in ARM's envelope instead, its text as the message.
pub async fn envelope_plain_text_errors(req: Request, next: impl Run) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    let plain = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return resp;
    }
    let text = axum::body::to_bytes(resp.into_body(), 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    tracing::warn!(
        status = status.as_u16(),
        text,
        "a plain-text rejection reached the edge"
    );
    let code = match status {
        StatusCode::NOT_FOUND => "NotFound",
        StatusCode::METHOD_NOT_ALLOWED => "MethodNotAllowed",
        StatusCode::REQUEST_TIMEOUT => "RequestTimeout",
        StatusCode::PAYLOAD_TOO_LARGE => "RequestEntityTooLarge",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "UnsupportedMediaType",
        StatusCode::UNPROCESSABLE_ENTITY => "InvalidRequestContent",
        s if s.is_server_error() => "InternalServerError",
        _ => "BadRequest",
    };
    let body = serde_json::json!({"error": {"code": code, "message": text}});
    let mut out = (status, axum::Json(body)).into_response();
    if let Ok(v) = code.parse() {
        out.headers_mut().insert("x-ms-failure-cause", v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::well_formed_api_version as ok;

    #[test]
    fn paths_decode_to_utf8_or_not() {
        assert!(super::decodes_to_utf8("/subscriptions/x"));
        assert!(super::decodes_to_utf8("/a%20b/%C3%A9/%zz/%"));
        assert!(!super::decodes_to_utf8("/subscriptions/%ff"));
        assert!(!super::decodes_to_utf8("/x/%C3"));
    }

    #[test]
    fn api_versions() {
        for good in [
            "2024-07-01",
            "2022-09-01",
            "2026-04-01",
            "2015-05-01-preview",
            "2023-01-01-privatepreview",
            "2024-02-29",
        ] {
            assert!(ok(good), "{good}");
        }
        for bad in [
            "",
            "latest",
            "2024-13-01",
            "2024-7-1",
            "2024-07-01-",
            "20240701",
            "2024-07-01x",
            "2024-02-30",
            "2023-02-29",
            "2024-04-31",
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }

    #[tokio::test]
    async fn plain_text_rejections_leave_as_the_envelope() {
        use axum::http::{Request, StatusCode};
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(
                "/plain",
                axum::routing::get(|| async { (StatusCode::UNPROCESSABLE_ENTITY, "no good") }),
            )
            .route(
                "/json",
                axum::routing::get(|| async {
                    (
                        StatusCode::BAD_REQUEST,
                        axum::Json(serde_json::json!({"x": 1})),
                    )
                }),
            )
            .layer(axum::middleware::from_fn(
                |req, next: axum::middleware::Next| super::envelope_plain_text_errors(req, next),
            ));
        let call = |path: &'static str| {
            let app = app.clone();
            async move {
                let r = app
                    .oneshot(Request::get(path).body(axum::body::Body::empty()).unwrap())
                    .await
                    .unwrap();
                let status = r.status();
                let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
                (
                    status,
                    serde_json::from_slice::<serde_json::Value>(&bytes).unwrap(),
                )
            }
        };
        let (status, body) = call("/plain").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "InvalidRequestContent", "message": "no good"}})
        );
        // JSON answers are left alone.
        assert_eq!(call("/json").await.1, serde_json::json!({"x": 1}));
    }
}
