use cerulean_domain::DomainError;
use cerulean_store::StoreError;
use thiserror::Error;

/// What a use case can fail with: a rule said no, or the store failed.
#[derive(Debug, Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
}
