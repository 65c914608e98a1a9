//! `cerulean serve`: opens the store, seeds subscriptions, binds the listeners and runs
//! until SIGINT/SIGTERM. Shutdown stops accepting, lets running requests finish, then
//! drains the store's queued writes, so no acknowledged write is lost.

use crate::cli::{AuthArg, LogFormat, ServeArgs};
use crate::tls;
// TCP_NODELAY on every connection: a response's last segment must not wait for the
// client's delayed ACK (Nagle), which stalled paged lists by up to 40 ms a page.
use axum_server::accept::NoDelayAcceptor;
use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};
use axum_server::Handle;
use cerulean_api::{ApiOptions, AuthMode, Identity, Scheme};
use cerulean_app::{App, Config};
use cerulean_domain::subscription::Subscription;
use cerulean_store::{PgStore, SqliteMode, SqliteStore, Store};
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long running requests may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

pub fn run(args: ServeArgs) -> ExitCode {
    init_logging(args.log_format);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cerulean: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
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

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CERULEAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn open_store(args: &ServeArgs) -> Result<Arc<dyn Store>, String> {
    let store: Arc<dyn Store> = match (&args.database_url, args.in_memory) {
        (Some(url), _) => {
            let url = url.clone();
            Arc::new(
                tokio::task::spawn_blocking(move || PgStore::open(&url))
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?,
            )
        }
        (None, true) => Arc::new(SqliteStore::open(SqliteMode::Memory).map_err(|e| e.to_string())?),
        (None, false) => Arc::new(
            SqliteStore::open(SqliteMode::Durable(args.location.clone()))
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
    let identity = Arc::new(load_identity(&args)?);
    let store = open_store(&args).await?;
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
        },
    )
    .await
    .map_err(|e| format!("cannot start: {e}"))?;

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
            },
        ))
    };
    if args.http {
        let server = axum_server::from_tcp(main)
            .map_err(|e| e.to_string())?
            .acceptor(NoDelayAcceptor::new())
            .handle(handle.clone());
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
        let server = axum_server::from_tcp(main)
            .map_err(|e| e.to_string())?
            .acceptor(RustlsAcceptor::new(config).acceptor(NoDelayAcceptor::new()))
            .handle(handle.clone());
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
            .acceptor(NoDelayAcceptor::new())
            .handle(handle.clone());
        servers.push(tokio::spawn(server.serve(make(Scheme::Http, addr))));
        println!("cerulean also listening on http://{addr}");
    }
    // Last: scripts (and the test harness) start talking once they read this line.
    println!("cerulean listening on {}://{main_addr}", scheme.as_str());
    tracing::info!(
        store = app.store().backend(),
        ready_ms = started.elapsed().as_millis() as u64,
        "cerulean ready"
    );

    shutdown_signal().await;
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

/// The token signing key lives in the data directory (also with --in-memory, like the CA),
/// so tokens stay valid across restarts.
fn load_identity(args: &ServeArgs) -> Result<Identity, String> {
    let (principals, users) = match &args.principals {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let list = cerulean_api::identity::parse_principals(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            // Entries with a userName are the users who sign in (the portal).
            let users = cerulean_api::identity::users::parse_users(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            (Some(list), Some(users))
        }
        None => (None, None),
    };
    let mode = match args.auth {
        AuthArg::Required => AuthMode::Required,
        AuthArg::None => AuthMode::None,
    };
    Identity::load_or_create(&args.location, mode, principals).map(|i| i.with_users(users))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
