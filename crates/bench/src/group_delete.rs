//! A big resource group deleted while other clients create NICs elsewhere: a group holding a
//! network and `size` NICs is made before each round and deleted (one transaction, followed
//! to its operation's end) as the round starts. A group delete once took the store-wide
//! lock, so every writer on every replica waited for it; now it excludes only writes in its
//! group and the keys outside it its members use, and the creates' tail latency shows which.

use crate::azure;
use crate::target::Http;
use reqwest::Method;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// Makes group `rg` with network `vnet` (10.0.0.0/16, subnet `s`) and `size` NICs in it, 32
/// at a time.
pub async fn big_group(h: &Http, rg: &str, size: usize) -> Result<(), String> {
    azure::group(h, rg).await?;
    azure::vnet(h, rg, "10.0.0.0/16", &[("s", "10.0.0.0/16")]).await?;
    let subnet = azure::subnet_id(rg, "vnet", "s");
    let mut tasks = Vec::new();
    for t in 0..32 {
        let (h, rg, subnet) = (h.clone(), rg.to_string(), subnet.clone());
        tasks.push(tokio::spawn(async move {
            for i in (t..size).step_by(32) {
                azure::put_nic(&h, &rg, &format!("big{i}"), &subnet).await?;
            }
            Ok::<_, String>(())
        }));
    }
    for t in tasks {
        t.await.map_err(|e| e.to_string())??;
    }
    Ok(())
}

/// Deletes group `rg` on its own task; how long the DELETE took to its operation's end.
pub fn delete(h: &Http, rg: &str) -> JoinHandle<Result<Duration, String>> {
    let (h, path) = (h.clone(), azure::rg_path(rg));
    tokio::spawn(async move {
        let started = Instant::now();
        h.ok_lro(Method::DELETE, &path, None).await?;
        Ok(started.elapsed())
    })
}
