use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum StoreError {
    /// A uniqueness constraint refused the write; `constraint` names it so that the
    /// application can turn a lost race into the right domain error.
    #[error("constraint {constraint} violated")]
    Conflict { constraint: String },
    /// The database aborted the transaction (serialization failure); the job is run again.
    #[error("transaction must be retried")]
    Retry,
    #[error("the store is closed")]
    Closed,
    #[error("storage failure: {0}")]
    Backend(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}
