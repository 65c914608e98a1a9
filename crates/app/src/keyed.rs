//! Writes with narrow locks where several writers share the store (PostgreSQL): a write
//! declares the keys its rules read or change (`cerulean_store::write_keyed`), checks under
//! those locks that they still cover what it finds, and otherwise runs again alone. The
//! locking invariant is in ARCHITECTURE.md.

use crate::{App, AppError};
use cerulean_domain::id::ResourceId;
use cerulean_store::Tx;
use std::sync::atomic::Ordering;

/// The lock of a stored reference (it parsed when it was written; one that does not now
/// names nothing to lock).
pub(crate) fn lock_of(raw: &str) -> Option<String> {
    Some(ResourceId::parse(raw).ok()?.key().to_string())
}

/// Whether every lock in `needed` is among those `declared`.
pub(crate) fn covered(needed: &[String], declared: &[String]) -> bool {
    needed.iter().all(|k| declared.contains(k))
}

impl App {
    /// Runs `job` holding the write locks `keys` where writers run side by side (`None`, or
    /// one writer: it runs alone). The job gets the declared locks and returns `None` when
    /// they do not cover what it found; it then runs again alone, with `None`.
    pub(crate) async fn write_narrow<T, F>(
        &self,
        keys: Option<Vec<String>>,
        job: F,
    ) -> Result<T, AppError>
    where
        F: Fn(&mut dyn Tx, Option<&[String]>) -> Result<Option<T>, AppError>
            + Clone
            + Send
            + 'static,
        T: Send + 'static,
    {
        if let Some(keys) = keys.filter(|_| self.store.several_writers()) {
            let (declared, keyed_job) = (keys.clone(), job.clone());
            let done = cerulean_store::write_keyed(&*self.store, keys, move |tx| {
                keyed_job(tx, Some(&declared))
            })
            .await?;
            self.keyed_writes.fetch_add(1, Ordering::Relaxed);
            if let Some(done) = done {
                return Ok(done);
            }
            self.keyed_reruns.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("a write's declared locks missed one: it runs alone");
        }
        let done = cerulean_store::write(&*self.store, move |tx| job(tx, None)).await?;
        Ok(done.expect("a write without declared locks always runs"))
    }

    /// The locks `locks` finds on a snapshot: what a write about to run will declare. Only
    /// where writers run side by side (`None` otherwise: nothing to declare).
    pub(crate) async fn read_locks<F>(&self, locks: F) -> Result<Option<Vec<String>>, AppError>
    where
        F: FnMut(&mut dyn Tx) -> Result<Vec<String>, AppError> + Send + 'static,
    {
        if !self.store.several_writers() {
            return Ok(None);
        }
        cerulean_store::read(&*self.store, locks).await.map(Some)
    }
}
