//! `cerulean serve`: opens the store, seeds subscriptions, binds the listeners and runs
//! until SIGINT/SIGTERM. Shutdown stops accepting, lets running requests finish, then
//! drains the store's queued writes, so no acknowledged write is lost.

use crate::cli::{AuthArg, LogFormat, ServeArgs};
use crate::conn::{GuardAcceptor, Timeouts};
use crate::tls;
// TCP_NODELAY on every connection: a response's last segment must not wait for the
// client's delayed ACK (Nagle), which stalled paged lists by up to 40 ms a page.
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use axum_server::Handle;
use cerulean_api::{ApiOptions, AuthMode, Identity, KeyFile, Scheme};
use cerulean_app::authorization::SeedAssignment;
use cerulean_app::{App, Config};
use cerulean_domain::authz::assignment::role_guid;
use cerulean_domain::authz::{builtin, Scope as AuthzScope};
use cerulean_domain::subscription::Subscription;
use cerulean_store::{PgStore, SqliteMode, SqliteStore, Store};
use std::io::IsTerminal;
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long running requests may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

pub fn run(args: ServeArgs) -> ExitCode {
    init_logging(args.log_format, "info");
    let Some(rt) = runtime() else {
        return ExitCode::FAILURE;
    };
    match rt.block_on(serve(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("cerulean: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The multi-threaded runtime the commands run on; says why on stderr when there is none.
pub(crate) fn runtime() -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| eprintln!("cerulean: cannot start the runtime: {e}"))
        .ok()
}

/// Logs to stderr at `CERULEAN_LOG`, else at `default` (`info` for the server).
pub(crate) fn init_logging(format: LogFormat, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CERULEAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Colours are for a terminal (the library's default already honours `NO_COLOR`). A file
    // or a pipe gets plain lines: escape codes there are noise to every reader, and writing
    // them was half the cost of a request's log line (docs/performance.md).
    let builder = if std::io::stderr().is_terminal() {
        builder
    } else {
        builder.with_ansi(false)
    };
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// The store of `--database-url`, else SQLite (in RAM with `--in-memory`, else in the data
/// directory).
pub(crate) async fn open_store(
    database_url: Option<&str>,
    in_memory: bool,
    location: &std::path::Path,
) -> Result<Arc<dyn Store>, String> {
    let store: Arc<dyn Store> = match (database_url, in_memory) {
        (Some(url), _) => {
            let url = url.to_string();
            Arc::new(
                tokio::task::spawn_blocking(move || PgStore::open(&url))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?,
            )
        }
        (None, true) => Arc::new(SqliteStore::open(SqliteMode::Memory).map_err(|e| e.to_string())?),
        (None, false) => Arc::new(
            SqliteStore::open(SqliteMode::Durable(location.to_path_buf()))
                .map_err(|e| e.to_string())?,
        ),
    };
    Ok(store)
}

fn bind(addr: SocketAddr) -> Result<TcpListener, String> {
    let l = TcpListener::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    l.set_nonblocking(true).map_err(|e| e.to_string())?;
    Ok(l)
}

/// The connection layer's limits on a request head. HTTP/1.1 keeps hyper's default count of
/// header fields ([`cerulean_api::MAX_HEADER_FIELDS`]): a larger cap makes hyper fill two
/// arrays of that many entries on every request (12k instructions of a NIC create at 1000).
/// A head past it, or past what hyper buffers, gets hyper's bare 431, which the connection's
/// stream puts into ARM's envelope (`bare.rs`); a head within it but past the edge's own caps
/// (`cerulean_api::middleware::MAX_URI_BYTES`, `MAX_HEADER_BYTES`) reaches the edge, which
/// says by how much. Over HTTP/2 the header list is capped in bytes only, above the edge's cap
/// so that the edge answers.
fn head_limits<A>(
    mut server: axum_server::Server<SocketAddr, A>,
) -> axum_server::Server<SocketAddr, A> {
    let b = server.http_builder();
    b.http2().max_header_list_size(256 * 1024);
    server
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let started = Instant::now();
    let _ = rustls::crypto::ring::default_provider().install_default();

    if !matches!(args.public_ip_pool, ipnet::IpNet::V4(_))
        || !matches!(args.public_ip_pool_v6, ipnet::IpNet::V6(_))
    {
        return Err(
            "--public-ip-pool takes an IPv4 prefix, --public-ip-pool-v6 an IPv6 one".into(),
        );
    }
    if [args.header_timeout, args.body_timeout, args.idle_timeout].contains(&Duration::ZERO) {
        return Err(
            "--header-timeout, --body-timeout and --idle-timeout must be longer than 0".into(),
        );
    }
    if args.rbac && args.auth == AuthArg::None {
        return Err(
            "--rbac needs tokens to know who is asking: it cannot be used with --auth none".into(),
        );
    }
    let instance = crate::instance::claim(&args.location);
    let store = open_store(args.database_url.as_deref(), args.in_memory, &args.location).await?;
    let mut subscriptions = vec![Subscription::default_subscription()];
    subscriptions.extend(args.subscriptions.iter().map(|s| Subscription::from_arg(s)));
    let app = App::start(
        store,
        Config {
            latency: args.latency,
            subscriptions,
            page_size: args.page_size.max(1),
            max_ip_configs_per_nic: args.max_ip_configs_per_nic.max(1),
            public_ip_quota: args.public_ip_quota,
            public_pool_v4: args.public_ip_pool,
            public_pool_v6: args.public_ip_pool_v6,
            instance_id: instance.id.clone(),
            predecessor: instance.predecessor.clone(),
            lease: args.instance_lease.max(Duration::from_millis(200)),
        },
    )
    .await
    .map_err(|e| format!("cannot start: {e}"))?;
    let identity = Arc::new(load_identity(&args, &app).await?);
    let seeds = role_seeds(&identity)?;
    let seeded = app
        .seed_role_assignments(seeds)
        .await
        .map_err(|e| format!("cannot assign the roles of --principals: {e}"))?;
    if seeded > 0 {
        tracing::info!(seeded, "role assignments created from --principals");
    }
    let timeouts = Timeouts {
        header: args.header_timeout,
        idle: args.idle_timeout,
    };

    let handle: Handle<SocketAddr> = Handle::new();
    let mut servers = Vec::new();

    let main = bind(SocketAddr::new(args.host, args.port))?;
    // Bound before the first "listening" line, so a client that starts on that line finds
    // every port open.
    let extra = match args.http_port {
        Some(port) => Some(bind(SocketAddr::new(args.host, port))?),
        None => None,
    };
    let main_addr = main.local_addr().map_err(|e| e.to_string())?;
    let scheme = if args.http {
        Scheme::Http
    } else {
        Scheme::Https
    };
    let make = |scheme, addr: SocketAddr| {
        tower::make::Shared::new(cerulean_api::service(
            app.clone(),
            ApiOptions {
                scheme,
                default_authority: addr.to_string(),
                identity: identity.clone(),
                body_timeout: args.body_timeout,
                rbac: args.rbac,
            },
        ))
    };
    if args.http {
        let server = axum_server::from_tcp(main)
            .map_err(|e| e.to_string())?
            .acceptor(GuardAcceptor::new(NoDelayAcceptor::new(), timeouts))
            .handle(handle.clone());
        let server = head_limits(server);
        servers.push(tokio::spawn(server.serve(make(Scheme::Http, main_addr))));
    } else {
        let (cert, key, ca) = match (&args.cert, &args.key) {
            (Some(c), Some(k)) => (c.clone(), k.clone(), None),
            _ => {
                let f = tls::ensure_local_ca(&args.location, args.host)?;
                (f.cert, f.key, Some(f.ca))
            }
        };
        let config = RustlsConfig::from_pem_file(&cert, &key)
            .await
            .map_err(|e| format!("cannot load {}: {e}", cert.display()))?;
        let tls = RustlsAcceptor::new(config)
            .handshake_timeout(args.header_timeout)
            .acceptor(NoDelayAcceptor::new());
        let server = axum_server::from_tcp(main)
            .map_err(|e| e.to_string())?
            .acceptor(GuardAcceptor::new(tls, timeouts))
            .handle(handle.clone());
        let server = head_limits(server);
        servers.push(tokio::spawn(server.serve(make(Scheme::Https, main_addr))));
        if let Some(ca) = ca {
            let ca = std::path::absolute(&ca).unwrap_or(ca);
            println!("cerulean CA certificate: {}", ca.display());
            println!("export REQUESTS_CA_BUNDLE={}", ca.display());
        }
    }
    if let Some(extra) = extra {
        let addr = extra.local_addr().map_err(|e| e.to_string())?;
        let server = axum_server::from_tcp(extra)
            .map_err(|e| e.to_string())?
            .acceptor(GuardAcceptor::new(NoDelayAcceptor::new(), timeouts))
            .handle(handle.clone());
        let server = head_limits(server);
        servers.push(tokio::spawn(server.serve(make(Scheme::Http, addr))));
        println!("cerulean also listening on http://{addr}");
    }
    let shutdown = shutdown_signal();
    // Last: scripts (and the test harness) start talking once they read this line.
    println!("cerulean listening on {}://{main_addr}", scheme.as_str());
    tracing::info!(
        store = app.store().backend(),
        instance = app.instance_id(),
        ready_ms = started.elapsed().as_millis() as u64,
        "cerulean ready"
    );

    shutdown.await;
    tracing::info!("shutting down: finishing running requests");
    handle.graceful_shutdown(Some(DRAIN));
    for s in servers {
        if let Ok(Err(e)) = s.await {
            tracing::warn!(error = %e, "listener ended with an error");
        }
    }
    app.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// The token signing key lives in the store, shared by every server on it; `--in-memory`
/// also keeps it in the data directory (like the CA), so tokens stay valid across restarts.
async fn load_identity(args: &ServeArgs, app: &App) -> Result<Identity, String> {
    let principals = match &args.principals {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let list = cerulean_api::identity::parse_principals(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            Some(list)
        }
        None => None,
    };
    let mode = match args.auth {
        AuthArg::Required => AuthMode::Required,
        AuthArg::None => AuthMode::None,
    };
    let file = if args.in_memory {
        KeyFile::Keep
    } else {
        KeyFile::SeedOnly
    };
    Identity::load(app, &args.location, file, mode, principals).await
}

/// The role assignments `--principals` asks for, checked before anything starts: a role
/// named by its name or id, at a valid scope.
fn role_seeds(identity: &Identity) -> Result<Vec<SeedAssignment>, String> {
    identity
        .directory()
        .role_grants()
        .into_iter()
        .map(|(principal_id, principal_type, grant)| {
            let role = builtin::by_name(&grant.role)
                .or_else(|| role_guid(&grant.role).and_then(builtin::by_guid))
                .ok_or_else(|| {
                    format!(
                        "--principals: unknown role '{}' (built-in roles: {})",
                        grant.role,
                        builtin::ALL
                            .iter()
                            .map(|r| r.role_name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?;
            let scope = AuthzScope::parse(&grant.scope)
                .map_err(|e| format!("--principals: scope '{}': {e}", grant.scope))?;
            Ok(SeedAssignment {
                principal_id,
                principal_type,
                role,
                scope,
            })
        })
        .collect()
}

/// Installs the SIGTERM and SIGINT handlers at once and returns what waits for either: a
/// signal sent as soon as the "listening" line is read must end the server cleanly, not
/// find the default action (which kills it) because nothing polled a handler yet.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(term) => {},
                _ = wait(int) => {},
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
