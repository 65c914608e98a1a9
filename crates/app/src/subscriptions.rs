use crate::{App, AppError};
use cerulean_domain::subscription::Subscription;
use cerulean_domain::DomainError;

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
