//! Cross-cutting request handling: ARM's request-id headers, request logging and the
//! `api-version` requirement.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Instant;

static REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-request-id");
static CORRELATION_ID: HeaderName = HeaderName::from_static("x-ms-correlation-request-id");
static CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-ms-client-request-id");

/// Adds `x-ms-request-id`, `x-ms-correlation-request-id` (the caller's, or a new one) and
/// echoes `x-ms-client-request-id`; logs method, path, status and time of every request.
pub async fn request_context(req: Request, next: Next) -> Response {
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

/// True for `YYYY-MM-DD` with an optional `-preview`-style suffix.
pub fn well_formed_api_version(v: &str) -> bool {
    let Some((date, suffix)) = v.split_at_checked(10) else {
        return false;
    };
    let b = date.as_bytes();
    let digits = b.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    let month_day = digits
        && (1..=12).contains(&date[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&date[8..10].parse::<u32>().unwrap_or(0));
    let suffix_ok = suffix.is_empty()
        || (suffix.len() > 1
            && suffix.starts_with('-')
            && suffix[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-'));
    month_day && suffix_ok
}

/// Every ARM call carries a well-formed `api-version`.
pub async fn require_api_version(req: Request, next: Next) -> Response {
    let query = req.uri().query().unwrap_or("");
    let version = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
        .map(|(_, v)| v.into_owned());
    match version {
        None => ApiError::MissingApiVersion.into_response(),
        Some(v) if !well_formed_api_version(&v) => ApiError::InvalidApiVersion(v).into_response(),
        Some(_) => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::well_formed_api_version as ok;

    #[test]
    fn api_versions() {
        for good in [
            "2024-07-01",
            "2022-09-01",
            "2026-04-01",
            "2015-05-01-preview",
            "2023-01-01-privatepreview",
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
        ] {
            assert!(!ok(bad), "{bad}");
        }
    }
}
