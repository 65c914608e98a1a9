//! Long-running operation records: written in the same transaction as the change they
//! report, read by the status endpoints (from any server sharing the store).

use crate::{App, AppError};
use cerulean_domain::id::ResourceId;
use cerulean_domain::operation::{Operation, OperationError, OperationStatus};
use cerulean_domain::DomainError;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Makes operation records; cheap to clone into store jobs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ops {
    latency_ms: i64,
}

impl Ops {
    /// A new, finished operation that reports `InProgress` for the configured latency.
    pub(crate) fn make(
        &self,
        subscription: &str,
        namespace: &str,
        location: &str,
        resource_id: &str,
        outcome: Result<Option<String>, &DomainError>,
    ) -> Operation {
        let now = now_ms();
        let (status, error, result) = match outcome {
            Ok(result) => (OperationStatus::Succeeded, None, result),
            Err(e) => (
                OperationStatus::Failed,
                Some(OperationError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                }),
                None,
            ),
        };
        Operation {
            // Time-ordered (still a GUID to clients): new operations land at the end of the
            // id index instead of dirtying a random page of it in every commit.
            id: uuid::Uuid::now_v7().to_string(),
            subscription: subscription.to_string(),
            namespace: namespace.to_string(),
            location: location.to_string(),
            resource_id: resource_id.to_string(),
            outcome: status,
            error,
            result,
            started_at_ms: now,
            done_at_ms: now + self.latency_ms,
            returns_resource: false,
        }
    }

    /// A finished Microsoft.Network operation on `id` in `location`.
    pub(crate) fn network(&self, id: &ResourceId, location: &str) -> Operation {
        self.make(
            id.subscription(),
            "Microsoft.Network",
            location,
            id.as_str(),
            Ok(None),
        )
    }
}

impl App {
    pub(crate) fn ops(&self) -> Ops {
        Ops {
            latency_ms: self.config.latency.as_millis() as i64,
        }
    }

    /// The operation with this id in this subscription, and its status now.
    pub async fn get_operation(
        &self,
        subscription: &str,
        id: &str,
    ) -> Result<(Operation, OperationStatus), AppError> {
        let key = id.to_string();
        let op = cerulean_store::read(&*self.store, move |tx| tx.get_operation(&key)).await?;
        match op {
            Some(op) if op.subscription.eq_ignore_ascii_case(subscription) => {
                let status = op.status_at(now_ms());
                Ok((op, status))
            }
            _ => Err(DomainError::OperationNotFound { id: id.to_string() }.into()),
        }
    }
}
