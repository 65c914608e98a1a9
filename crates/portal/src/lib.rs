//! The portal: a browser front end for cerulean, served on the same listener (and TLS) as
//! ARM. It is a plain client of the public API: it signs in through the identity module's
//! authorization-code flow, holds the user's bearer token and makes ordinary ARM requests.
//! It decides no rule of its own.
//!
//! Everything under `assets/` is embedded in the binary (`rust-embed`, also in debug
//! builds): no CDN, no network at run time, no build step. The JavaScript is native ES
//! modules (Preact + htm, vendored from npm by `scripts/portal-vendor` with pinned
//! checksums); see ARCHITECTURE.md for why.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "assets/"]
struct Assets;

/// The portal's routes: `/` (the application) and `/portal/{file}` (its assets).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/portal/{*path}", get(asset))
}

/// Only what the portal itself ships may run or load: no inline script, nothing from
/// another origin, never framed.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        _ => "text/plain; charset=utf-8",
    }
}

/// Serves one embedded file. Files are revalidated on every load (`no-cache` with an ETag
/// from the content hash), so a new binary's portal is never mixed with an old cached one.
fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = Assets::get(path) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let hash = file.metadata.sha256_hash();
    let etag = format!(
        "\"{}\"",
        hash[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let common = [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a valid header value"),
        ),
    ];
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if matches {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    (
        StatusCode::OK,
        common,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(path)),
        )],
        file.data.into_owned(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::Assets;

    /// Every relative import and link in the shipped files names a file that is shipped:
    /// a typo would otherwise only show as a blank page in a browser.
    #[test]
    fn every_referenced_asset_is_embedded() {
        let mut missing = Vec::new();
        for name in Assets::iter() {
            let text = String::from_utf8_lossy(&Assets::get(&name).unwrap().data).into_owned();
            for cap in text.split(['"', '\'']).filter(|s| {
                (s.starts_with("./") || s.starts_with("/portal/"))
                    && [".js", ".css", ".svg", ".png"]
                        .iter()
                        .any(|e| s.ends_with(e))
            }) {
                let dir = name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
                let target = if let Some(rest) = cap.strip_prefix("/portal/") {
                    rest.to_string()
                } else if dir.is_empty() {
                    cap[2..].to_string()
                } else {
                    format!("{dir}/{}", &cap[2..])
                };
                if Assets::get(&target).is_none() {
                    missing.push(format!("{name} -> {cap}"));
                }
            }
        }
        assert!(missing.is_empty(), "missing assets: {missing:?}");
        // ARM paths are case-insensitive, so the edge lower-cases some path segments before
        // routing (`crate::path` in cerulean-api): a served file's name must be lower-case.
        let upper: Vec<_> = Assets::iter()
            .filter(|n| {
                [".js", ".css", ".svg", ".png", ".html"]
                    .iter()
                    .any(|e| n.ends_with(e))
            })
            .filter(|n| n.chars().any(|c| c.is_ascii_uppercase()))
            .collect();
        assert!(upper.is_empty(), "rename to lower case: {upper:?}");
        assert!(Assets::get("index.html").is_some());
    }
}
