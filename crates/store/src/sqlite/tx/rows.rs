//! How rows map to the store's values, and the text of the statements on `refs`.

use crate::record::{Ref, RefKind, Run};
use crate::{Record, Secret, StoreError};

// The statements are literals (`concat!`), not `format!`ed per call: a statement is looked up
// in the connection's cache by its text, and building that text allocated on every execution.
macro_rules! columns {
    () => {
        "key, id, kind, subscription, group_key, location, body, etag"
    };
}
pub(in crate::sqlite) use columns;

pub(in crate::sqlite) fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record {
        key: r.get(0)?,
        id: r.get(1)?,
        kind: r.get(2)?,
        subscription: r.get(3)?,
        group_key: r.get(4)?,
        location: r.get(5)?,
        body: r.get(6)?,
        etag: r.get(7)?,
    })
}

pub(super) fn to_ref(r: &rusqlite::Row<'_>) -> rusqlite::Result<Ref> {
    let text = r.get_ref(3)?.as_str()?;
    let kind = RefKind::parse(text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            3,
            rusqlite::types::Type::Text,
            format!("unknown reference kind {text}").into(),
        )
    })?;
    Ok(Ref {
        from_key: r.get(0)?,
        from_id: r.get(1)?,
        to_key: r.get(2)?,
        kind,
        owner_key: r.get(4)?,
    })
}

macro_rules! ref_columns {
    () => {
        "from_key, from_id, to_key, kind, owner_key"
    };
}
pub(super) use ref_columns;

/// A query on `refs` with the kind written into the SQL as a literal (one of
/// [`RefKind::as_str`], never caller input; `refs_queries_name_their_kind` checks the
/// spellings). Bound as a parameter, the kind made SQLite re-prepare the statement on every
/// execution: whether the partial index `refs_exclusive` (`WHERE kind IN (...)`) applies
/// depends on its value, so the plan was tied to it.
macro_rules! refs_sql {
    ($kind:expr, $condition:literal, $order:literal) => {{
        macro_rules! with_kind {
            ($k:literal) => {
                concat!(
                    "SELECT ",
                    ref_columns!(),
                    " FROM refs WHERE ",
                    $condition,
                    " AND kind = '",
                    $k,
                    "' ORDER BY ",
                    $order
                )
            };
        }
        match $kind {
            RefKind::PublicIp => with_kind!("publicip"),
            RefKind::BackendPool => with_kind!("pool"),
            RefKind::InboundNatRule => with_kind!("natrule"),
            RefKind::Attachment => with_kind!("attachment"),
            RefKind::AvailabilitySet => with_kind!("availabilityset"),
            RefKind::Linked => with_kind!("linked"),
            RefKind::DnsRegistration => with_kind!("dnsregistration"),
            RefKind::DnsLink => with_kind!("dnslink"),
            RefKind::PrivateEndpoint => with_kind!("privateendpoint"),
            RefKind::ServiceAlias => with_kind!("servicealias"),
            RefKind::ServiceFrontend => with_kind!("servicefrontend"),
        }
    }};
}

pub(super) fn refs_to_sql(kind: RefKind) -> &'static str {
    refs_sql!(kind, "to_key = ?1", "from_key")
}

pub(super) fn refs_to_range_sql(kind: RefKind) -> &'static str {
    refs_sql!(kind, "to_key >= ?1 AND to_key <= ?2", "to_key, from_key")
}

pub(super) fn to_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<Run> {
    Ok(Run {
        key: r.get(0)?,
        owner: r.get(1)?,
        token: r.get(2)?,
        owner_alive: r.get(3)?,
        cancel_requested: r.get(4)?,
    })
}

pub(super) fn decode<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(super) fn encode<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("domain values always serialize")
}

pub(super) fn row_to_secret(r: &rusqlite::Row<'_>) -> rusqlite::Result<Secret> {
    Ok(Secret {
        value: r.get(0)?,
        forget_after_ms: r.get(1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_queries_name_their_kind() {
        for kind in [
            RefKind::PublicIp,
            RefKind::BackendPool,
            RefKind::Attachment,
            RefKind::AvailabilitySet,
            RefKind::Linked,
        ] {
            let literal = format!("AND kind = '{}' ORDER BY", kind.as_str());
            for sql in [refs_to_sql(kind), refs_to_range_sql(kind)] {
                assert!(sql.contains(&literal), "{sql}");
            }
        }
    }
}
