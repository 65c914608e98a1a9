//! Emulator administration, outside the ARM namespace.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};

pub async fn info(State(s): State<AppState>) -> Result<Json<Value>, ApiError> {
    let info = s.app.info().await?;
    let counts: Map<String, Value> = info
        .counts
        .into_iter()
        .map(|(k, n)| (k, json!(n)))
        .collect();
    Ok(Json(json!({
        "name": "cerulean",
        "version": env!("CARGO_PKG_VERSION"),
        "store": info.backend,
        "subscriptions": info.subscriptions,
        "counts": counts,
        // Group commit at work: write transactions, the jobs they carried, the SQLite
        // writer's busy time (null on PostgreSQL).
        "writes": {
            "commits": info.writes.commits,
            "jobs": info.writes.jobs,
            "writerBusyUs": info.writes.writer_busy_us,
            "pagesWritten": info.writes.pages_written,
            // PUTs run with narrow locks beside other writers (PostgreSQL), and those that
            // had to run again alone because their declared locks missed one.
            "keyedWrites": info.keyed_writes,
            "keyedReruns": info.keyed_reruns,
            // Writes that excluded every other writer (null on SQLite, where that is all).
            "aloneWrites": info.writes.alone,
            // Writes run again because a record they read changed before their update: a
            // lock they did not declare (null on SQLite).
            "staleRetries": info.writes.stale_retries,
        },
        "latencyMs": s.app.config().latency.as_millis() as u64,
    })))
}

/// Drops every resource group, resource and operation.
pub async fn reset(State(s): State<AppState>) -> Result<StatusCode, ApiError> {
    s.app.reset().await?;
    tracing::warn!("state reset by POST /cerulean/reset");
    Ok(StatusCode::NO_CONTENT)
}
