use clap::{Parser, Subcommand, ValueEnum};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Parser, Debug)]
#[command(
    name = "cerulean",
    version,
    about = "A local, Azure-compatible control plane for VMs and their networking"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the Azure Resource Manager endpoint.
    Serve(ServeArgs),
    /// Write a ready az CLI configuration (cloud, login, quiet defaults) into DIR, to use as
    /// AZURE_CONFIG_DIR; prints the exports. Never touches ~/.azure.
    AzProfile(AzProfileArgs),
    /// Check the stored state's invariants (every address held by what says it has it, no
    /// address used twice, no NIC on two VMs, no reference to a missing resource, ...) on one
    /// consistent snapshot; prints a JSON report and exits 1 if anything is broken. Opens the
    /// store as `serve` would (migrating an older one); safe beside running servers.
    Check(CheckArgs),
}

#[derive(Parser, Debug, Clone)]
pub struct CheckArgs {
    /// Data directory of the SQLite store to check.
    #[arg(long, default_value = ".cerulean", env = "CERULEAN_LOCATION")]
    pub location: PathBuf,
    /// Check this PostgreSQL database instead.
    #[arg(long, env = "CERULEAN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The servers' --public-ip-pool.
    #[arg(long, default_value = cerulean_app::DEFAULT_PUBLIC_POOL_V4)]
    pub public_ip_pool: ipnet::IpNet,
    /// The servers' --public-ip-pool-v6.
    #[arg(long, default_value = cerulean_app::DEFAULT_PUBLIC_POOL_V6)]
    pub public_ip_pool_v6: ipnet::IpNet,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthArg {
    /// ARM paths require a bearer token issued by this server.
    Required,
    /// No token is checked.
    None,
}

#[derive(Parser, Debug, Clone)]
pub struct AzProfileArgs {
    /// The directory to write (created if missing); use it as AZURE_CONFIG_DIR.
    pub dir: PathBuf,
    /// The URL the server listens on.
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    pub url: String,
    /// The server's data directory, where its CA certificate lives (tls/ca.pem).
    #[arg(long, default_value = ".cerulean", env = "CERULEAN_LOCATION")]
    pub location: PathBuf,
    /// Name of the cloud to register in az.
    #[arg(long, default_value = "Cerulean")]
    pub cloud: String,
    /// Service principal (client id) az logs in as.
    #[arg(long, default_value = crate::az_profile::DEFAULT_CLIENT_ID)]
    pub client_id: String,
    /// The service principal's secret (any works unless the server has --principals).
    #[arg(long, default_value = crate::az_profile::DEFAULT_CLIENT_SECRET, env = "CERULEAN_CLIENT_SECRET")]
    pub client_secret: String,
    /// Tenant of the service principal.
    #[arg(long, default_value = cerulean_domain::subscription::DEFAULT_TENANT_ID)]
    pub tenant: String,
    /// The default subscription.
    #[arg(long, default_value = cerulean_domain::subscription::DEFAULT_SUBSCRIPTION_ID)]
    pub subscription: String,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Parser, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1", env = "CERULEAN_HOST")]
    pub host: IpAddr,
    /// Port of the main listener (0 picks a free one; the chosen URL is printed).
    #[arg(long, default_value_t = 8443, env = "CERULEAN_PORT")]
    pub port: u16,
    /// Data directory: the SQLite database and the local CA live here.
    #[arg(long, default_value = ".cerulean", env = "CERULEAN_LOCATION")]
    pub location: PathBuf,
    /// Keep all state in memory (RAM-backed SQLite); nothing survives a restart.
    #[arg(long, conflicts_with = "database_url")]
    pub in_memory: bool,
    /// Use PostgreSQL (postgres://user@host:port/db) so that several servers share state.
    #[arg(long, env = "CERULEAN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Serve plain HTTP on the main port instead of HTTPS.
    #[arg(long)]
    pub http: bool,
    /// Also serve plain HTTP on this port, next to HTTPS on --port.
    #[arg(long)]
    pub http_port: Option<u16>,
    /// PEM certificate chain to serve instead of the generated local one (needs --key).
    #[arg(long, requires = "key")]
    pub cert: Option<PathBuf>,
    /// PEM private key for --cert.
    #[arg(long, requires = "cert")]
    pub key: Option<PathBuf>,
    /// Whether ARM endpoints require a bearer token from cerulean's token endpoint.
    #[arg(long, value_enum, default_value_t = AuthArg::Required, env = "CERULEAN_AUTH")]
    pub auth: AuthArg,
    /// JSON file of the only principals that may sign in: service principals
    /// {"clientId", "clientSecret", "tenantId"?, "objectId"?, "displayName"?, "roles"?} and users
    /// {"userName", "password", "objectId"?, "displayName"?, "roles"?}; "roles" is
    /// [{"role": "Reader", "scope": "/subscriptions/..."}], assigned at start. Without it any
    /// client id and secret work.
    #[arg(long, env = "CERULEAN_PRINCIPALS")]
    pub principals: Option<PathBuf>,
    /// Enforce role assignments: every ARM request must be allowed to the caller by Azure's
    /// role-based access control (403 AuthorizationFailed otherwise). Needs --principals (the
    /// roles it gives are the first assignments) and tokens.
    #[arg(long, requires = "principals")]
    pub rbac: bool,
    /// Log format on stderr.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// How long long-running operations report InProgress (e.g. 0, 500ms, 3s).
    #[arg(long, default_value = "0s", value_parser = humantime::parse_duration)]
    pub latency: Duration,
    /// Extra subscription, as ID or ID=NAME; repeatable. The default one always exists.
    #[arg(long = "subscription")]
    pub subscriptions: Vec<String>,
    /// Largest page a list returns before giving a nextLink.
    #[arg(long, default_value_t = 1000)]
    pub page_size: usize,
    /// Private IP addresses (IP configurations) per NIC. The seed documents say 250;
    /// today's Azure allows 256.
    #[arg(long, default_value_t = cerulean_domain::network::nic::SEED_MAX_IP_CONFIGS)]
    pub max_ip_configs_per_nic: usize,
    /// How long a client may take to send a request's head once it starts one (HTTP/1.1
    /// headers; on HTTP/2, frames that bring no request), and to finish the TLS handshake.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    pub header_timeout: Duration,
    /// How long a client may take to send a request body, from its first read; a slower one
    /// gets 408 RequestTimeout.
    #[arg(long, default_value = "60s", value_parser = humantime::parse_duration)]
    pub body_timeout: Duration,
    /// How long a connection may stay open with no request in flight (keep-alive).
    #[arg(long, default_value = "120s", value_parser = humantime::parse_duration)]
    pub idle_timeout: Duration,
    /// Public IP addresses per SKU (Basic, Standard), subscription and region.
    #[arg(long, default_value_t = cerulean_domain::network::public_ip::DEFAULT_QUOTA)]
    pub public_ip_quota: usize,
    /// Where public IPv4 addresses come from (default: RFC 2544's benchmarking range, never
    /// routed on the Internet).
    #[arg(long, default_value = cerulean_app::DEFAULT_PUBLIC_POOL_V4)]
    pub public_ip_pool: ipnet::IpNet,
    /// Where public IPv6 addresses come from (inside RFC 3849's documentation range).
    #[arg(long, default_value = cerulean_app::DEFAULT_PUBLIC_POOL_V6)]
    pub public_ip_pool_v6: ipnet::IpNet,
    /// How long this server counts as alive in a shared store without renewing (it renews
    /// four times as often). When a server sharing a PostgreSQL database dies without shutting
    /// down, the others settle its deployments once its lease has run out.
    #[arg(long, default_value = "10s", value_parser = humantime::parse_duration)]
    pub instance_lease: Duration,
}
