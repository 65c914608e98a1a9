//! Whole resource groups created and deleted in a loop, beside another workload: a group, a
//! network with one subnet and a NIC in it, then the group's DELETE (followed to its end).
//! A group delete once took the store-wide lock and stalled every writer; now it excludes
//! only writes in its group (and the keys outside it its members use).

use crate::azure;
use crate::target::Http;
use reqwest::Method;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// Churning clients, each on its own task until [`Churn::stop`].
pub struct Churn {
    stop: Arc<AtomicBool>,
    deleted: Arc<AtomicU64>,
    tasks: Vec<JoinHandle<Result<(), String>>>,
}

impl Churn {
    /// `clients` churners, churner `i` on server `hs[i % hs.len()]`, in groups named
    /// `{prefix}{i}x{k}`.
    pub fn start(hs: &[Http], clients: usize, prefix: &str) -> Churn {
        let stop = Arc::new(AtomicBool::new(false));
        let deleted = Arc::new(AtomicU64::new(0));
        let tasks = (0..clients)
            .map(|i| {
                let (h, stop, deleted) = (hs[i % hs.len()].clone(), stop.clone(), deleted.clone());
                let prefix = format!("{prefix}{i}x");
                tokio::spawn(async move {
                    let mut k = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        cycle(&h, &format!("{prefix}{k}")).await?;
                        deleted.fetch_add(1, Ordering::Relaxed);
                        k += 1;
                    }
                    Ok(())
                })
            })
            .collect();
        Churn {
            stop,
            deleted,
            tasks,
        }
    }

    /// Stops the churners once their current cycle ends; how many groups they deleted.
    pub async fn stop(self) -> Result<u64, String> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            t.await.map_err(|e| e.to_string())??;
        }
        Ok(self.deleted.load(Ordering::Relaxed))
    }
}

async fn cycle(h: &Http, rg: &str) -> Result<(), String> {
    azure::group(h, rg).await?;
    azure::vnet(h, rg, "10.0.0.0/16", &[("s", "10.0.0.0/24")]).await?;
    azure::put_nic(h, rg, "nic", &azure::subnet_id(rg, "vnet", "s")).await?;
    h.ok_lro(Method::DELETE, &azure::rg_path(rg), None).await
}
