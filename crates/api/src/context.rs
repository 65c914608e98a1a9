use crate::identity::Identity;
use axum::http::HeaderMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ApiOptions {
    /// The scheme clients use to reach the main listener; used in URLs the server hands out.
    pub scheme: Scheme,
    /// `host:port` to use in URLs when a request carries no Host header.
    pub default_authority: String,
    /// The token signing key, the service principals and whether ARM paths require a
    /// bearer token (`--auth none` turns that off).
    pub identity: Arc<Identity>,
    /// How long a request body may take to arrive, from its first read (`--body-timeout`).
    pub body_timeout: Duration,
    /// Whether role assignments are enforced (`--rbac`, `crate::authz`).
    pub rbac: bool,
}

impl ApiOptions {
    /// The base URL a client used to reach us (`https://127.0.0.1:8443`), so that URLs we
    /// hand out (operation status, metadata) lead back to the same listener.
    pub fn base_url(&self, headers: &HeaderMap) -> String {
        let authority = headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or(&self.default_authority);
        [self.scheme.as_str(), "://", authority].concat()
    }
}
