//! This server's life in a store other servers may share. A server holds a lease (renewed by
//! a heartbeat) while it runs; the background work it owns (deployments being applied) is
//! recorded as runs. Whoever finds a run whose owner holds no lease settles it: a server when
//! it starts, every server at each heartbeat, and a write that touches the deployment.
//! Shutting down, a server stops its runners at their next step, ends its lease and settles
//! what is left of its own work.

use crate::{App, AppError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

/// Orphaned runs settled per transaction.
const SETTLE_BATCH: usize = 64;
/// How long a shutdown waits for running deployments to stop after their current step.
const RUNNERS_STOP_WAIT: Duration = Duration::from_secs(10);

/// A lease lasts this long unless the server says otherwise (`--instance-lease`).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(10);

/// How many template evaluations that call back into the service (deployment runs, what-if)
/// run at once; more wait their turn (a deployment stays Accepted). Each holds a blocking
/// thread and waits on the store, whose PostgreSQL adapter needs blocking threads too: 520
/// deployments at once took all 512 of tokio's and every request that touched the store hung
/// for good.
pub const EVALUATION_SLOTS: usize = 32;

/// Who this server is to the store, and the background work it runs.
pub(crate) struct Lifecycle {
    stopping: AtomicBool,
    /// How many deployment runners are going (or waiting for a slot).
    runners: watch::Sender<usize>,
    /// See [`EVALUATION_SLOTS`]; closed when the server stops.
    slots: Arc<Semaphore>,
    heartbeat: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Lifecycle {
    pub(crate) fn new() -> Self {
        Lifecycle {
            stopping: AtomicBool::new(false),
            runners: watch::Sender::new(0),
            slots: Arc::new(Semaphore::new(EVALUATION_SLOTS)),
            heartbeat: Mutex::new(None),
        }
    }
}

/// Held by a deployment runner while it runs: a shutdown waits for these.
pub struct Runner {
    runners: watch::Sender<usize>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.runners.send_modify(|n| *n -= 1);
    }
}

impl App {
    /// This server's instance id in the store (new on every start).
    pub fn instance_id(&self) -> &str {
        &self.config.instance_id
    }

    /// Whether the server is shutting down: runners stop before their next step.
    pub fn stopping(&self) -> bool {
        self.lifecycle.stopping.load(Ordering::SeqCst)
    }

    /// Registers a deployment runner until the guard is dropped.
    pub fn runner(&self) -> Runner {
        self.lifecycle.runners.send_modify(|n| *n += 1);
        Runner {
            runners: self.lifecycle.runners.clone(),
        }
    }

    /// Waits for a turn to evaluate a template against the service (see [`EVALUATION_SLOTS`]);
    /// `None` once the server is stopping.
    pub async fn evaluation_slot(&self) -> Option<OwnedSemaphorePermit> {
        self.lifecycle.slots.clone().acquire_owned().await.ok()
    }

    /// Takes this server's lease and settles what servers that are gone left behind: its
    /// predecessor in the data directory (known dead: at once), and every run whose owner's
    /// lease ran out. Then keeps the lease alive. Keyed like every write but `reset`: a
    /// server starting beside others under load holds none of them up.
    pub(crate) async fn take_lease(self: &Arc<Self>) -> Result<(), AppError> {
        let me = self.config.instance_id.clone();
        let ttl = lease_ms(self.config.lease);
        let predecessor = self.config.predecessor.clone();
        let keys = std::iter::once(&me)
            .chain(&predecessor)
            .map(|i| lease_key(i))
            .collect();
        self.write_under(keys, move |tx| {
            tx.lease_renew(&me, ttl)?;
            if let Some(p) = &predecessor {
                tx.lease_end(p)?;
            }
            Ok(())
        })
        .await?;
        let settled = self.settle_orphans().await?;
        if settled > 0 {
            tracing::warn!(settled, "settled the work of servers that are gone");
        }
        let weak = Arc::downgrade(self);
        let period = (self.config.lease / 4).max(Duration::from_millis(50));
        let task = tokio::spawn(heartbeat(weak, period));
        *self.lifecycle.heartbeat.lock().unwrap() = Some(task);
        Ok(())
    }

    /// Settles every run whose owner holds no lease; returns how many. The orphans a
    /// snapshot shows are settled in batches, each holding the locks of its runs' work (a
    /// run's key is its deployment's, which every write of the deployment declares), so
    /// other writers go on beside it. Under the locks the orphans are read again; a batch
    /// that finds one it did not lock runs again alone.
    pub async fn settle_orphans(&self) -> Result<usize, AppError> {
        let mut total = 0;
        loop {
            let seen =
                cerulean_store::read(&*self.store, |tx| tx.runs_orphaned(SETTLE_BATCH)).await?;
            if seen.is_empty() {
                return Ok(total);
            }
            let keys: Vec<String> = seen.into_iter().map(|r| r.key).collect();
            let n = self
                .write_narrow(Some(keys), |tx, declared| {
                    let runs = tx.runs_orphaned(SETTLE_BATCH)?;
                    let keys: Vec<String> = runs.iter().map(|r| r.key.clone()).collect();
                    if declared.is_some_and(|d| !crate::keyed::covered(&keys, d)) {
                        return Ok(None);
                    }
                    for run in &runs {
                        crate::deployments::settle_run(tx, run)?;
                    }
                    Ok(Some(runs.len()))
                })
                .await?;
            total += n;
            if n < SETTLE_BATCH {
                return Ok(total);
            }
        }
    }

    /// Stops this server's background work: runners stop after their current step (each
    /// settling its deployment as interrupted), the lease ends, and whatever is still this
    /// server's is settled by it before the store closes.
    pub(crate) async fn stop_background(&self) {
        self.lifecycle.stopping.store(true, Ordering::SeqCst);
        self.lifecycle.slots.close();
        let mut runners = self.lifecycle.runners.subscribe();
        if tokio::time::timeout(RUNNERS_STOP_WAIT, runners.wait_for(|n| *n == 0))
            .await
            .is_err()
        {
            tracing::warn!("deployments still running at shutdown: settling them");
        }
        if let Some(task) = self.lifecycle.heartbeat.lock().unwrap().take() {
            task.abort();
        }
        let me = self.config.instance_id.clone();
        let ended = self
            .write_under(vec![lease_key(&me)], move |tx| Ok(tx.lease_end(&me)?))
            .await;
        if let Err(e) = ended.and(self.settle_orphans().await) {
            tracing::warn!(error = %e, "could not settle this server's deployments at shutdown");
        }
    }
}

/// The write lock of the lease of server `instance`.
fn lease_key(instance: &str) -> String {
    format!("lease:{instance}")
}

fn lease_ms(lease: Duration) -> i64 {
    i64::try_from(lease.as_millis()).unwrap_or(i64::MAX)
}

/// Renews the lease and settles orphaned runs every `period` while the server lives.
async fn heartbeat(app: Weak<App>, period: Duration) {
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(app) = app.upgrade() else { return };
        if let Err(e) = app.renew_lease().await {
            tracing::warn!(error = %e, "could not renew this server's lease");
        }
        match app.settle_orphans().await {
            Ok(0) => {}
            Ok(settled) => tracing::warn!(settled, "settled the work of servers that are gone"),
            Err(e) => {
                tracing::warn!(error = %e, "could not settle the work of servers that are gone")
            }
        }
    }
}

impl App {
    /// Renews this server's lease, a write of its own row only: where writers run side by
    /// side it takes only that row's lock. A write that runs alone waits for every write
    /// running, and on PostgreSQL every write that comes after it waits for it: a heartbeat
    /// every quarter lease that ran alone held every writer up for as long as the longest
    /// write then running (a big group's delete: seconds).
    async fn renew_lease(&self) -> Result<(), AppError> {
        let me = self.config.instance_id.clone();
        let ttl = lease_ms(self.config.lease);
        self.write_under(
            vec![lease_key(&me)],
            move |tx| Ok(tx.lease_renew(&me, ttl)?),
        )
        .await
    }
}
