//! ARM JSON shapes. Only this module (and the route handlers) know them.

pub mod authorization;
pub mod compute;
pub mod deployment;
pub mod disk;
pub mod generic;
pub mod group;
pub mod images;
pub mod list;
pub mod metadata;
pub mod network;
pub mod operation;
pub mod providers;
pub mod run_command;
pub mod subscription;

/// RFC 3339 time with microseconds, as ARM prints it.
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}
