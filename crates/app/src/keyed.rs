//! Writes with narrow locks where several writers share the store (PostgreSQL): a write
//! declares the keys its rules read or change (`cerulean_store::write_keyed`), checks under
//! those locks that they still cover what it finds, and otherwise runs again alone. Each
//! declared key in a resource group also takes the group's key shared, so that the group's
//! deletion (and its PUT), which declare it, exclude every write in the group. The locking
//! invariant is in ARCHITECTURE.md.

use crate::{App, AppError};
use cerulean_domain::id::ResourceId;
use cerulean_store::{Keys, Tx};
use std::sync::atomic::Ordering;

/// A write declaring more locks runs alone: PostgreSQL keeps advisory locks in one shared
/// table, sized for about 64 per connection.
const MAX_KEYS: usize = 128;

/// The key of the resource group `key` is in (or is): its
/// `/subscriptions/{s}/resourcegroups/{g}` prefix.
pub(crate) fn group_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("/subscriptions/")?;
    let sub = rest.find('/')?;
    let rest = rest[sub..].strip_prefix("/resourcegroups/")?;
    let name = rest.find('/').unwrap_or(rest.len());
    if name == 0 {
        return None;
    }
    let end = "/subscriptions/".len() + sub + "/resourcegroups/".len() + name;
    Some(&key[..end])
}

/// The locks a write declaring `keys` takes: those, and the group of each, shared.
fn with_groups(keys: Vec<String>) -> Keys {
    let mut shared: Vec<String> = keys
        .iter()
        .filter_map(|k| group_of(k))
        .filter(|g| !keys.iter().any(|k| k == g))
        .map(String::from)
        .collect();
    shared.sort_unstable();
    shared.dedup();
    Keys {
        exclusive: keys,
        shared,
    }
}

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
        let keys = keys.filter(|k| self.store.several_writers() && k.len() <= MAX_KEYS);
        if let Some(keys) = keys {
            let (declared, keyed_job) = (keys.clone(), job.clone());
            let locks = with_groups(keys);
            let done = cerulean_store::write_keyed(&*self.store, locks, move |tx| {
                keyed_job(tx, Some(&declared))
            })
            .await;
            // Counted whether the write was kept or refused by a rule.
            self.keyed_writes.fetch_add(1, Ordering::Relaxed);
            if let Some(done) = done? {
                return Ok(done);
            }
            self.keyed_reruns.fetch_add(1, Ordering::Relaxed);
            tracing::debug!("a write's declared locks missed one: it runs alone");
        }
        let done = cerulean_store::write(&*self.store, move |tx| job(tx, None)).await?;
        Ok(done.expect("a write without declared locks always runs"))
    }

    /// Runs `job` holding the write locks `keys`, which do not depend on what is stored (the
    /// resource written and what its request names), where writers run side by side.
    pub(crate) async fn write_under<T, F>(&self, keys: Vec<String>, job: F) -> Result<T, AppError>
    where
        F: Fn(&mut dyn Tx) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.write_narrow(Some(keys), move |tx, _| job(tx).map(Some))
            .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_s_group_is_its_resource_group_prefix() {
        let g = "/subscriptions/s1/resourcegroups/rg";
        for key in [
            g,
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n",
        ] {
            assert_eq!(group_of(key), Some(g), "{key}");
        }
        for key in [
            "public:ipv4",
            "/subscriptions/s1",
            "/subscriptions/s1/resourcegroups/",
            "/subscriptions/s1/providers/microsoft.network/x",
        ] {
            assert_eq!(group_of(key), None, "{key}");
        }
    }

    #[test]
    fn declared_keys_share_their_groups_unless_they_name_them() {
        let a = "/subscriptions/s1/resourcegroups/a";
        let b = "/subscriptions/s1/resourcegroups/b";
        let keys = with_groups(vec![
            format!("{a}/providers/x/y/1"),
            format!("{a}/providers/x/y/2"),
            format!("{b}/providers/x/y/3"),
            "public:ipv4".into(),
        ]);
        assert_eq!(keys.shared, vec![a.to_string(), b.to_string()]);
        let keys = with_groups(vec![a.into(), format!("{a}/providers/x/y/1")]);
        assert!(keys.shared.is_empty());
    }
}
