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

/// Largest request body ARM accepts.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The state every handler sees.
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<App>,
    pub options: Arc<ApiOptions>,
    /// The complete service, for requests the server makes to itself (`internal.rs`).
    internal: Arc<OnceLock<Service>>,
}

type Service = path::CanonicalPath<Router>;

/// Builds the complete service: path canonicalisation (ARM paths are case-insensitive),
/// then request ids and logging, then the routes.
pub fn service(app: Arc<App>, options: ApiOptions) -> Service {
    let state = AppState {
        app,
        options: Arc::new(options),
        internal: Arc::new(OnceLock::new()),
    };
    let service = path::CanonicalPathLayer.layer(routes::router(state.clone()));
    let _ = state.internal.set(service.clone());
    service
}
