use super::time;
use cerulean_domain::operation::{Operation, OperationStatus};
use serde_json::{json, Value};

/// The body of an `Azure-AsyncOperation` poll.
pub fn status(op: &Operation, status: OperationStatus) -> Value {
    let mut body = json!({
        "id": format!(
            "/subscriptions/{}/providers/{}/locations/{}/operations/{}",
            op.subscription, op.namespace, op.location, op.id
        ),
        "name": op.id,
        "status": status.as_str(),
        "startTime": time(op.started_at_ms),
    });
    if status != OperationStatus::InProgress {
        body["endTime"] = json!(time(op.done_at_ms));
    }
    if let (OperationStatus::Failed, Some(e)) = (status, &op.error) {
        body["error"] = json!({"code": e.code, "message": e.message});
    }
    body
}
