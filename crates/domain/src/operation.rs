//! Long-running operations. The change itself is made inside the request; the operation
//! record only reports it, and may report `InProgress` for a configured latency so that
//! users can exercise their pollers.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationStatus {
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}

impl OperationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OperationStatus::InProgress => "InProgress",
            OperationStatus::Succeeded => "Succeeded",
            OperationStatus::Failed => "Failed",
            OperationStatus::Canceled => "Canceled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationError {
    pub code: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub subscription: String,
    /// Resource provider namespace the status URL lives under (e.g. `Microsoft.Network`).
    pub namespace: String,
    pub location: String,
    /// The resource the operation acted on.
    pub resource_id: String,
    /// The final status, reported once `done_at_ms` has passed.
    pub outcome: OperationStatus,
    pub error: Option<OperationError>,
    /// What `operationResults` answers with when done: a JSON document, or 204 when `None`.
    pub result: Option<String>,
    pub started_at_ms: i64,
    pub done_at_ms: i64,
    /// A PUT whose `Location` poll ends with the resource itself (what the az CLI reads
    /// with `final-state-via: location`); rendered fresh when polled.
    #[serde(default)]
    pub returns_resource: bool,
}

impl Operation {
    /// The status a poll at `now_ms` sees.
    pub fn status_at(&self, now_ms: i64) -> OperationStatus {
        if now_ms < self.done_at_ms {
            OperationStatus::InProgress
        } else {
            self.outcome
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_in_progress_until_done() {
        let op = Operation {
            id: "o".into(),
            subscription: "s".into(),
            namespace: "Microsoft.Resources".into(),
            location: "eastus".into(),
            resource_id: "/subscriptions/s/resourceGroups/rg".into(),
            outcome: OperationStatus::Succeeded,
            error: None,
            result: None,
            started_at_ms: 100,
            done_at_ms: 600,
            returns_resource: false,
        };
        assert_eq!(op.status_at(599), OperationStatus::InProgress);
        assert_eq!(op.status_at(600), OperationStatus::Succeeded);
    }
}
