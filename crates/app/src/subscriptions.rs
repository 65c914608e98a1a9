use crate::{App, AppError};
use cerulean_domain::subscription::Subscription;
use cerulean_domain::DomainError;

/// The write lock of a subscription's record.
pub(crate) fn lock(id: &str) -> String {
    format!("/subscriptions/{}", id.to_ascii_lowercase())
}

impl App {
    pub(crate) async fn refresh_subscriptions(&self) -> Result<(), AppError> {
        let all = cerulean_store::read(&*self.store, |tx| tx.list_subscriptions()).await?;
        let mut map = self.subscriptions.write().unwrap();
        map.clear();
        map.extend(all.into_iter().map(|s| (s.id.to_lowercase(), s)));
        Ok(())
    }

    /// The subscription with this id, or 404 `SubscriptionNotFound`.
    pub async fn subscription(&self, id: &str) -> Result<Subscription, AppError> {
        let key = id.to_lowercase();
        if let Some(s) = self.subscriptions.read().unwrap().get(&key) {
            return Ok(s.clone());
        }
        self.refresh_subscriptions().await?;
        self.subscriptions
            .read()
            .unwrap()
            .get(&key)
            .cloned()
            .ok_or_else(|| DomainError::SubscriptionNotFound { id: id.to_string() }.into())
    }

    pub async fn list_subscriptions(&self) -> Result<Vec<Subscription>, AppError> {
        self.refresh_subscriptions().await?;
        let mut all: Vec<_> = self
            .subscriptions
            .read()
            .unwrap()
            .values()
            .cloned()
            .collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(all)
    }
}

impl App {
    /// Registers or unregisters a resource provider namespace in a subscription; returns the
    /// subscription as it is afterwards (404 `InvalidResourceNamespace` for an unknown one).
    pub async fn set_provider_registration(
        &self,
        subscription: &str,
        namespace: &str,
        registered: bool,
    ) -> Result<Subscription, AppError> {
        let sub = self.subscription(subscription).await?;
        let ns = cerulean_domain::providers::namespace(namespace)?;
        let key = sub.id.clone();
        let updated = self
            .write_under(vec![lock(&key)], move |tx| {
                let mut current = tx
                    .list_subscriptions()?
                    .into_iter()
                    .find(|s| s.id.eq_ignore_ascii_case(&key))
                    .ok_or_else(|| DomainError::SubscriptionNotFound { id: key.clone() })?;
                cerulean_domain::providers::set_registered(
                    ns,
                    &mut current.registrations,
                    registered,
                );
                tx.put_subscription(&current)?;
                Ok::<_, AppError>(current)
            })
            .await?;
        self.subscriptions
            .write()
            .unwrap()
            .insert(updated.id.to_lowercase(), updated.clone());
        Ok(updated)
    }
}
