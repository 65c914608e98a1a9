//! The routes outside ARM's namespace, each declared with who may call it. Everything that is
//! not [`Access::Open`] sits behind the bearer check, as does every ARM path and any path no
//! route matches: a new route needs a token unless its declaration says otherwise, and the
//! test that walks [`table`] (crates/cerulean/tests/edge.rs) lists the open routes that change
//! state, so such a route cannot be added unnoticed.

use crate::AppState;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone: the protocol needs it open (readiness, the cloud's metadata that clients read
    /// before they log in, the token endpoints).
    Open,
    /// A bearer token, as on ARM paths.
    Token,
    /// A bearer token and, under `--rbac`, an Owner at the root scope `/` (`authz`'s
    /// `Kind::RootOwner`): these routes act on the whole server (`POST /cerulean/reset`).
    RootOwner,
}

/// One route: a method on a path, who may call it, and its handler.
pub struct EdgeRoute {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    handler: MethodRouter<AppState>,
}

/// Declares a route; the method router is built from `method`, so the declaration and what
/// is served cannot disagree.
pub fn route<H, T>(method: Method, path: &'static str, access: Access, handler: H) -> EdgeRoute
where
    H: Handler<T, AppState>,
    T: 'static,
{
    let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
    EdgeRoute {
        method,
        path,
        access,
        handler: on(filter, handler),
    }
}

/// The routes' `(open, needing a token)` routers.
pub fn split(routes: Vec<EdgeRoute>) -> (Router<AppState>, Router<AppState>) {
    let mut open = Router::new();
    let mut closed = Router::new();
    for r in routes {
        match r.access {
            Access::Open => open = open.route(r.path, r.handler),
            Access::Token | Access::RootOwner => closed = closed.route(r.path, r.handler),
        }
    }
    (open, closed)
}

/// cerulean's own routes outside ARM: readiness and cloud metadata (open), administration.
pub fn own_routes() -> Vec<EdgeRoute> {
    use super::{admin, meta};
    use Access::*;
    vec![
        route(Method::GET, "/health", Open, meta::health),
        route(Method::GET, "/metadata/endpoints", Open, meta::endpoints),
        route(Method::GET, "/cerulean/info", Token, admin::info),
        route(Method::POST, "/cerulean/reset", RootOwner, admin::reset),
    ]
}

/// Every route outside ARM's namespace: `(method, path, access)`.
pub fn table() -> Vec<(Method, &'static str, Access)> {
    own_routes()
        .into_iter()
        .chain(crate::identity::routes())
        .map(|r| (r.method, r.path, r.access))
        .collect()
}
