//! Secrets every server sharing the store must agree on (the token signing key) or may be
//! asked about (device codes). The identity edge decides what they mean; these use cases
//! only make each step one transaction, so replicas never disagree.

use crate::{App, AppError};
use cerulean_store::{Secret, StoreError};

/// The write lock of the secret `name`.
fn secret_lock(name: &str) -> String {
    format!("secret:{name}")
}

/// [`App::secret_or_insert`] on a store, before there is an `App` (its start reads the
/// operation key).
pub(crate) async fn secret_or_insert(
    store: &dyn cerulean_store::Store,
    name: &str,
    candidate: String,
) -> Result<String, AppError> {
    let name = name.to_string();
    // Keyed on the name (servers start beside others' writes); an insert that loses a race
    // for it reads the winner's value anyway.
    let keys = cerulean_store::Keys::exclusive(vec![secret_lock(&name)]);
    cerulean_store::write_keyed(store, keys, move |tx| {
        if let Some(s) = tx.secret_get(&name)? {
            return Ok::<_, AppError>(s.value);
        }
        let mine = Secret {
            value: candidate.clone(),
            forget_after_ms: None,
        };
        if tx.secret_insert(&name, &mine)? {
            return Ok(candidate.clone());
        }
        let stored = tx.secret_get(&name)?.ok_or_else(|| {
            StoreError::Backend(format!("the secret {name} vanished while being created"))
        })?;
        Ok(stored.value)
    })
    .await
}

impl App {
    /// The value stored under `name`; when there is none, `candidate` is stored and returned.
    /// Race-free: of servers starting together on an empty database, the first commit wins
    /// and every other server reads its value.
    pub async fn secret_or_insert(
        &self,
        name: &str,
        candidate: String,
    ) -> Result<String, AppError> {
        secret_or_insert(&**self.store(), name, candidate).await
    }

    /// Stores a secret that expires, first forgetting expired ones, unless `limit` secrets
    /// with the same `prefix` already exist. Returns false when the limit was reached.
    pub async fn insert_expiring_secret(
        &self,
        name: &str,
        value: String,
        forget_after_ms: i64,
        prefix: &str,
        limit: i64,
    ) -> Result<bool, AppError> {
        let (name, prefix) = (name.to_string(), prefix.to_string());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        // The prefix's lock keeps its count exact; pruning expired secrets needs none.
        let keys = vec![secret_lock(&name), format!("secrets:{prefix}")];
        self.write_under(keys, move |tx| {
            tx.secret_prune(now)?;
            if tx.secret_count(&prefix)? >= limit {
                return Ok::<_, AppError>(false);
            }
            let secret = Secret {
                value: value.clone(),
                forget_after_ms: Some(forget_after_ms),
            };
            Ok(tx.secret_insert(&name, &secret)?)
        })
        .await
    }

    /// What `decide` makes of a secret's value, `None` when there is none; the secret is
    /// removed, in the same step, when `decide` says so. Of servers racing to take it, one
    /// does.
    pub async fn take_secret_if<T, F>(&self, name: &str, decide: F) -> Result<Option<T>, AppError>
    where
        F: Fn(&str) -> (T, bool) + Clone + Send + 'static,
        T: Send + 'static,
    {
        let name = name.to_string();
        self.write_under(vec![secret_lock(&name)], move |tx| {
            let Some(stored) = tx.secret_get(&name)? else {
                return Ok::<_, AppError>(None);
            };
            let (decided, take) = decide(&stored.value);
            if take {
                tx.secret_take(&name)?;
            }
            Ok(Some(decided))
        })
        .await
    }

    /// Replaces a secret's value with what `change` makes of it (`None`: left as it is),
    /// keeping its expiry, in one step. Returns the new value if there was one.
    pub async fn change_secret<F>(&self, name: &str, change: F) -> Result<Option<String>, AppError>
    where
        F: Fn(&str) -> Option<String> + Clone + Send + 'static,
    {
        let name = name.to_string();
        self.write_under(vec![secret_lock(&name)], move |tx| {
            let Some(stored) = tx.secret_get(&name)? else {
                return Ok::<_, AppError>(None);
            };
            let Some(value) = change(&stored.value) else {
                return Ok(None);
            };
            tx.secret_take(&name)?;
            let changed = Secret {
                value: value.clone(),
                forget_after_ms: stored.forget_after_ms,
            };
            if !tx.secret_insert(&name, &changed)? {
                return Err(StoreError::Backend(format!(
                    "the secret {name} could not be written back"
                ))
                .into());
            }
            Ok(Some(value))
        })
        .await
    }

    /// Removes a secret and returns its value: one-time use, across every server.
    pub async fn take_secret(&self, name: &str) -> Result<Option<String>, AppError> {
        let name = name.to_string();
        self.write_under(vec![secret_lock(&name)], move |tx| {
            Ok::<_, AppError>(tx.secret_take(&name)?.map(|s| s.value))
        })
        .await
    }
}
