//! Server leases and the runs they own: how a server that starts finds the work of a server
//! that died.

use crate::{read, write, Run, Store};
use std::sync::Arc;

const D1: &str = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.resources/deployments/d1";
const D2: &str = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.resources/deployments/d2";
const D3: &str = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.resources/deployments/d3";

fn run(key: &str, owner: &str, owner_alive: bool) -> Run {
    Run {
        key: key.into(),
        owner: owner.into(),
        token: format!("t-{owner}"),
        owner_alive,
        cancel_requested: false,
    }
}

async fn orphaned(store: &dyn Store) -> Vec<Run> {
    read(store, |tx| tx.runs_orphaned(10)).await.unwrap()
}

async fn get(store: &dyn Store, key: &'static str) -> Option<Run> {
    read(store, move |tx| tx.run_get(key)).await.unwrap()
}

pub async fn runs_of_a_server_without_a_lease_are_orphaned(store: Arc<dyn Store>) {
    // "a" holds a lease for a minute; "b" never took one; "c" took one that already ended.
    write(&*store, |tx| {
        tx.lease_renew("a", 60_000)?;
        tx.lease_renew("c", -1)?;
        tx.run_start(D1, "a", "t-a")?;
        tx.run_start(D2, "b", "t-b")?;
        tx.run_start(D3, "c", "t-c")
    })
    .await
    .unwrap();
    assert_eq!(get(&*store, D1).await, Some(run(D1, "a", true)));
    assert_eq!(get(&*store, D2).await, Some(run(D2, "b", false)));
    assert_eq!(get(&*store, D3).await, Some(run(D3, "c", false)));
    assert_eq!(
        orphaned(&*store).await,
        vec![run(D2, "b", false), run(D3, "c", false)]
    );
    let limited = read(&*store, |tx| tx.runs_orphaned(1)).await.unwrap();
    assert_eq!(limited, vec![run(D2, "b", false)]);

    // "a" stops: its run is orphaned at once. "c" renews: its run is alive again.
    write(&*store, |tx| {
        tx.lease_end("a")?;
        tx.lease_renew("c", 60_000)
    })
    .await
    .unwrap();
    assert_eq!(
        orphaned(&*store).await,
        vec![run(D1, "a", false), run(D2, "b", false)]
    );
    assert_eq!(get(&*store, D3).await, Some(run(D3, "c", true)));

    // A run asked to stop says so; another run of the record (here by another server) starts
    // without that request; ending a run forgets it.
    assert!(write(&*store, |tx| tx.run_cancel(D1)).await.unwrap());
    assert!(get(&*store, D1).await.unwrap().cancel_requested);
    let nothing = "/subscriptions/s1/resourcegroups/rg/providers/microsoft.resources/deployments/x";
    assert!(!write(&*store, move |tx| tx.run_cancel(nothing))
        .await
        .unwrap());
    assert_eq!(get(&*store, nothing).await, None);
    write(&*store, |tx| tx.run_start(D1, "c", "t-c"))
        .await
        .unwrap();
    assert_eq!(get(&*store, D1).await, Some(run(D1, "c", true)));
    assert!(write(&*store, |tx| tx.run_end(D2)).await.unwrap());
    assert!(!write(&*store, |tx| tx.run_end(D2)).await.unwrap());
    assert_eq!(get(&*store, D2).await, None);
    assert_eq!(orphaned(&*store).await, vec![]);
}

pub async fn reset_forgets_runs_but_not_leases(store: Arc<dyn Store>) {
    write(&*store, |tx| {
        tx.lease_renew("a", 60_000)?;
        tx.run_start(D1, "a", "t-a")?;
        tx.reset()
    })
    .await
    .unwrap();
    assert_eq!(get(&*store, D1).await, None);
    write(&*store, |tx| tx.run_start(D1, "a", "t-a"))
        .await
        .unwrap();
    assert_eq!(get(&*store, D1).await, Some(run(D1, "a", true)));
}
