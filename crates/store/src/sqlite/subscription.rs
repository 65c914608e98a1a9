//! A subscription's records in key order, read from the primary key alone.
//!
//! SQLite keeps no index on the subscription (migration v7 dropped it: see
//! [`crate::placement`]). Every record of a subscription lies in its key range, so a list of
//! all its kinds is one range; a list of one kind walks the range group by group: seek the
//! next key, read that group's range of the kind, then seek past the group. A page costs a
//! few index seeks per group passed over, as many as the subscription has groups at most.

use super::backend;
use super::conn::Conn;
use super::tx::row_to_record;
use crate::placement::{span_at, subscription_key_range, Span};
use crate::{Record, StoreError};
use rusqlite::{params, OptionalExtension};

/// Where the walk stands: past a key, or at a key that may itself be the next one.
enum From {
    After(String),
    AtOrAfter(String),
}

/// Records of `subscription` (of `kind`, or every kind) with keys past `after`, in key order,
/// at most `limit`.
pub(super) fn list(
    conn: &Conn,
    subscription: &str,
    kind: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<Record>, StoreError> {
    let (first, end) = subscription_key_range(subscription);
    let after = after.filter(|a| *a > first.as_str()).unwrap_or(&first);
    let Some(kind) = kind else {
        return conn
            .prepare_cached(concat!(
                "SELECT ",
                super::tx::columns!(),
                " FROM resources WHERE key > ?1 AND key < ?2 AND subscription = ?3
                 ORDER BY key LIMIT ?4"
            ))
            .and_then(|mut st| {
                st.query_map(
                    params![after, end, subscription, limit_of(limit)],
                    row_to_record,
                )?
                .collect()
            })
            .map_err(backend);
    };
    let mut out = Vec::new();
    walk(conn, subscription, kind, after, |conn, span| {
        let room = limit - out.len();
        match span {
            Step::Range { after, before } => out.extend(
                conn.prepare_cached(concat!(
                    "SELECT ",
                    super::tx::columns!(),
                    " FROM resources WHERE key > ?1 AND key < ?2 AND kind = ?3
                     AND subscription = ?4 ORDER BY key LIMIT ?5"
                ))
                .and_then(|mut st| {
                    st.query_map(
                        params![after, before, kind, subscription, limit_of(room)],
                        row_to_record,
                    )?
                    .collect::<Result<Vec<_>, _>>()
                })
                .map_err(backend)?,
            ),
            Step::One(key) => out.extend(
                conn.prepare_cached(concat!(
                    "SELECT ",
                    super::tx::columns!(),
                    " FROM resources WHERE key = ?1 AND kind = ?2 AND subscription = ?3"
                ))
                .and_then(|mut st| {
                    st.query_row(params![key, kind, subscription], row_to_record)
                        .optional()
                })
                .map_err(backend)?,
            ),
        }
        Ok(out.len() < limit)
    })?;
    Ok(out)
}

/// How many records of `kind` in `location` the subscription holds.
pub(super) fn count_in_region(
    conn: &Conn,
    subscription: &str,
    kind: &str,
    location: &str,
) -> Result<i64, StoreError> {
    let (first, _) = subscription_key_range(subscription);
    let mut n = 0;
    walk(conn, subscription, kind, &first, |conn, span| {
        n += match span {
            Step::Range { after, before } => conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM resources WHERE key > ?1 AND key < ?2 AND kind = ?3
                     AND subscription = ?4 AND location = ?5",
                )
                .and_then(|mut st| {
                    st.query_row(params![after, before, kind, subscription, location], |r| {
                        r.get::<_, i64>(0)
                    })
                }),
            Step::One(key) => conn
                .prepare_cached(
                    "SELECT COUNT(*) FROM resources WHERE key = ?1 AND kind = ?2
                     AND subscription = ?3 AND location = ?4",
                )
                .and_then(|mut st| {
                    st.query_row(params![key, kind, subscription, location], |r| {
                        r.get::<_, i64>(0)
                    })
                }),
        }
        .map_err(backend)?;
        Ok(true)
    })?;
    Ok(n)
}

/// What the walk hands its visitor, in key order: an open range of keys that may hold records
/// of the kind, or one key to look at.
enum Step<'a> {
    Range { after: &'a str, before: &'a str },
    One(&'a str),
}

/// Visits the parts of `subscription`'s key range past `after` that may hold records of
/// `kind`, in key order, until the visitor returns false or the range ends.
fn walk(
    conn: &Conn,
    subscription: &str,
    kind: &str,
    after: &str,
    mut visit: impl FnMut(&Conn, Step<'_>) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    let (_, end) = subscription_key_range(subscription);
    let mut from = From::After(after.to_string());
    while let Some(next) = next_key(conn, &from, &end)? {
        let more = match span_at(subscription, &next, kind) {
            Span::Range {
                after,
                before,
                resume,
            } => {
                // Within the first group the walk may start past the group's first records;
                // every later group's range begins at or past where the walk resumed.
                let after = match &from {
                    From::After(a) if *a > after => a.clone(),
                    _ => after,
                };
                let more = visit(
                    conn,
                    Step::Range {
                        after: &after,
                        before: &before,
                    },
                )?;
                from = From::AtOrAfter(resume);
                more
            }
            Span::One => {
                let more = visit(conn, Step::One(&next))?;
                from = From::After(next);
                more
            }
        };
        if !more {
            break;
        }
    }
    Ok(())
}

/// The first key of the subscription's range at the walk's position.
fn next_key(conn: &Conn, from: &From, end: &str) -> Result<Option<String>, StoreError> {
    let (sql, at) = match from {
        From::After(k) => (
            "SELECT key FROM resources WHERE key > ?1 AND key < ?2 ORDER BY key LIMIT 1",
            k,
        ),
        From::AtOrAfter(k) => (
            "SELECT key FROM resources WHERE key >= ?1 AND key < ?2 ORDER BY key LIMIT 1",
            k,
        ),
    };
    conn.prepare_cached(sql)
        .and_then(|mut st| st.query_row(params![at, end], |r| r.get(0)).optional())
        .map_err(backend)
}

fn limit_of(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
