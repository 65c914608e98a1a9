//! The HTTP edge: the only crate that knows ARM's wire format. Requests are parsed into
//! domain values, handed to the application layer, and the results written back as ARM
//! JSON with ARM's headers. Errors from every layer meet in [`error::ApiError`], which is
//! the one place that decides HTTP status codes.

pub mod authz;
mod context;
mod deploy;
mod drain;
mod error;
mod extract;
mod graph;
pub mod identity;
mod internal;
mod lro;
mod middleware;
mod path;
mod routes;
mod wire;

pub use context::{ApiOptions, Scheme};
pub use error::ApiError;
pub use identity::{AuthMode, Identity, KeyFile, Principal};
pub use routes::edge::{table as route_table, Access};

use axum::Router;
use cerulean_app::App;
use std::sync::{Arc, OnceLock};
use tower::Layer;

/// The most header fields an HTTP/1.1 request head may carry: hyper's own default, which
/// `serve.rs` keeps (a larger cap costs two arrays of that many entries, filled on every
/// request). A head with more gets 431 in ARM's envelope ([`ApiError::HeadTooLarge`]).
/// HTTP/2 counts none: its header list is capped in bytes.
pub const MAX_HEADER_FIELDS: usize = 100;

/// Largest request body ARM accepts.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The state every handler sees. One `Arc` around all of it: the router clones the state
/// for every request, and one shared counter costs less than one per field (issue 21's
/// profile: cloning and dropping it was 3 % of a NIC create's CPU with three).
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub app: Arc<App>,
    pub options: ApiOptions,
    /// The complete service, for requests the server makes to itself (`internal.rs`).
    internal: OnceLock<Service>,
}

impl std::ops::Deref for AppState {
    type Target = StateInner;
    fn deref(&self) -> &StateInner {
        &self.0
    }
}

type Service = path::CanonicalPath<Router>;

/// Builds the complete service: path canonicalisation (ARM paths are case-insensitive),
/// then request ids and logging, then the routes.
pub fn service(app: Arc<App>, options: ApiOptions) -> Service {
    let state = AppState(Arc::new(StateInner {
        app,
        options,
        internal: OnceLock::new(),
    }));
    let service = path::CanonicalPathLayer.layer(routes::router(state.clone()));
    let _ = state.internal.set(service.clone());
    service
}
