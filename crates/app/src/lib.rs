//! The application layer: each public method of [`App`] is one use case. It opens one store
//! transaction, loads what the use case needs, calls the domain rules and writes back what
//! they decided. No HTTP and no ARM JSON here: the edge hands in domain values and gets
//! domain values back.

pub mod audit;
pub mod authorization;
pub mod compute;
pub mod deployments;
mod dns;
mod error;
pub mod generic;
mod groups;
pub mod json;
mod keyed;
mod lease;
pub mod network;
mod operations;
mod private_endpoints;
mod private_link_services;
mod records;
pub mod resources;
pub mod role_definitions;
mod secrets;
mod subscriptions;
pub mod tracked;

pub use error::AppError;
pub use groups::GroupView;
pub use lease::{Runner, DEFAULT_LEASE};
pub use records::Page;

use cerulean_domain::subscription::Subscription;
use cerulean_store::Store;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Config {
    /// How long operations report `InProgress` before their final status.
    pub latency: Duration,
    /// Subscriptions to create on start, besides those already stored.
    pub subscriptions: Vec<Subscription>,
    /// Largest page a list returns before it gives a `nextLink`.
    pub page_size: usize,
    /// Private IP addresses (IP configurations) per NIC: the seed's 250 by default.
    pub max_ip_configs_per_nic: usize,
    /// Public IP addresses per SKU, subscription and region.
    pub public_ip_quota: usize,
    /// Where Static (and running Dynamic) public IPv4 addresses come from.
    pub public_pool_v4: ipnet::IpNet,
    pub public_pool_v6: ipnet::IpNet,
    /// This server's id in the store; new on every start.
    pub instance_id: String,
    /// The server that last ran from this data directory, known to be dead (the binary holds
    /// the directory's lock): its work is settled at once.
    pub predecessor: Option<String>,
    /// How long this server's lease lasts without a heartbeat: after a crash, how long other
    /// servers sharing the store wait before they settle its deployments.
    pub lease: Duration,
}

/// RFC 2544's benchmarking range: never routed on the Internet.
pub const DEFAULT_PUBLIC_POOL_V4: &str = "198.18.0.0/15";
/// Inside RFC 3849's documentation range.
pub const DEFAULT_PUBLIC_POOL_V6: &str = "2001:db8:ce00::/64";

impl Default for Config {
    fn default() -> Self {
        Config {
            latency: Duration::ZERO,
            subscriptions: vec![Subscription::default_subscription()],
            page_size: 1000,
            max_ip_configs_per_nic: cerulean_domain::network::nic::SEED_MAX_IP_CONFIGS,
            public_ip_quota: cerulean_domain::network::public_ip::DEFAULT_QUOTA,
            public_pool_v4: DEFAULT_PUBLIC_POOL_V4.parse().expect("valid prefix"),
            public_pool_v6: DEFAULT_PUBLIC_POOL_V6.parse().expect("valid prefix"),
            instance_id: uuid::Uuid::new_v4().simple().to_string(),
            predecessor: None,
            lease: DEFAULT_LEASE,
        }
    }
}

pub struct App {
    store: Arc<dyn Store>,
    config: Config,
    /// Known subscriptions by lower-case id; refreshed from the store on a miss, so
    /// subscriptions added by another server sharing the database are found too.
    subscriptions: RwLock<HashMap<String, Subscription>>,
    lifecycle: lease::Lifecycle,
    /// Each principal's role assignments, resolved (`authorization.rs`).
    grants: authorization::GrantCache,
    /// Writes run with narrow locks where writers run side by side, and those of them whose
    /// declared locks missed one, so that they ran again alone (`tracked.rs`, `keyed.rs`).
    keyed_writes: AtomicU64,
    keyed_reruns: AtomicU64,
    /// The MAC key of settled operation ids (`operations.rs`), the same on every server.
    operation_key: [u8; 16],
}

/// What `GET /cerulean/info` reports.
#[derive(Clone, Debug)]
pub struct Info {
    pub backend: &'static str,
    pub counts: Vec<(String, i64)>,
    pub subscriptions: usize,
    pub writes: cerulean_store::WriteStats,
    /// Writes this server ran with narrow locks, and how many of them re-ran alone.
    pub keyed_writes: u64,
    pub keyed_reruns: u64,
}

impl App {
    /// Seeds the configured subscriptions, takes this server's lease (settling what servers
    /// that are gone left running) and returns the application.
    pub async fn start(store: Arc<dyn Store>, config: Config) -> Result<Arc<App>, AppError> {
        let seed = config.subscriptions.clone();
        // Each subscription's lock (a provider registration's): a server starting beside
        // others under load holds none of them up.
        let keys = cerulean_store::Keys::exclusive(
            seed.iter().map(|s| subscriptions::lock(&s.id)).collect(),
        );
        cerulean_store::write_keyed(&*store, keys, move |tx| {
            let stored = tx.list_subscriptions()?;
            for s in &seed {
                // The seed names the subscriptions; what was registered in them stays.
                let mut s = s.clone();
                if let Some(old) = stored.iter().find(|o| o.id.eq_ignore_ascii_case(&s.id)) {
                    s.registrations = old.registrations.clone();
                }
                tx.put_subscription(&s)?;
            }
            Ok::<_, AppError>(())
        })
        .await?;
        let stored =
            secrets::secret_or_insert(&*store, operations::KEY_SECRET, operations::new_key())
                .await?;
        let operation_key = operations::parse_key(&stored).ok_or_else(|| {
            cerulean_store::StoreError::Backend(format!(
                "the store's {} is not 32 hex digits",
                operations::KEY_SECRET
            ))
        })?;
        let app = Arc::new(App {
            store,
            config,
            subscriptions: RwLock::new(HashMap::new()),
            lifecycle: lease::Lifecycle::new(),
            grants: Default::default(),
            keyed_writes: AtomicU64::new(0),
            keyed_reruns: AtomicU64::new(0),
            operation_key,
        });
        app.refresh_subscriptions().await?;
        app.take_lease().await?;
        Ok(app)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub async fn info(&self) -> Result<Info, AppError> {
        let counts = cerulean_store::read(&*self.store, |tx| tx.count_by_kind()).await?;
        Ok(Info {
            backend: self.store.backend(),
            counts,
            subscriptions: self.subscriptions.read().unwrap().len(),
            writes: self.store.write_stats(),
            keyed_writes: self.keyed_writes.load(Ordering::Relaxed),
            keyed_reruns: self.keyed_reruns.load(Ordering::Relaxed),
        })
    }

    /// Drops every resource group, resource and operation.
    pub async fn reset(&self) -> Result<(), AppError> {
        cerulean_store::write(&*self.store, |tx| {
            tx.reset()?;
            Ok::<_, AppError>(())
        })
        .await
    }

    /// Settles this server's background work and finishes queued writes; called once the
    /// server has stopped taking requests.
    pub async fn shutdown(&self) {
        self.stop_background().await;
        self.store.close().await;
    }
}
