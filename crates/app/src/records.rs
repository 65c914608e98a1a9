//! Conversions between domain values and store records, and keyset pagination.

use crate::AppError;
use cerulean_domain::id::{fold, ResourceId};
use cerulean_domain::paging::{check_skiptoken, Listing};
use cerulean_store::{ListQuery, Record, Scope, StoreError, Tx};
use serde::{de::DeserializeOwned, Serialize};

/// One page of a list and the key to continue after, if there is more.
#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

pub fn new_etag() -> String {
    let mut buf = uuid::Uuid::encode_buffer();
    [
        "W/\"",
        uuid::Uuid::new_v4().hyphenated().encode_lower(&mut buf),
        "\"",
    ]
    .concat()
}

pub fn to_record<T: Serialize>(id: &ResourceId, location: &str, value: &T, etag: String) -> Record {
    let kind = id.kind_key();
    let group_key = if kind == cerulean_domain::kind::RESOURCE_GROUP {
        None
    } else {
        id.group_id().map(|g| g.key().to_string())
    };
    Record {
        key: id.key().to_string(),
        id: id.as_str().to_string(),
        kind,
        subscription: fold(id.subscription()),
        group_key,
        location: Some(location.to_string()),
        body: crate::json::to_string(value),
        etag,
    }
}

pub fn from_record<T: DeserializeOwned>(rec: &Record) -> Result<T, AppError> {
    serde_json::from_str(&rec.body)
        .map_err(|e| AppError::Store(StoreError::Corrupt(format!("{}: {e}", rec.key))))
}

/// What a list reads: the group `group` (which must exist) or, without one, the subscription
/// `subscription` (lower-case id).
pub fn list_scope<'a>(
    tx: &mut dyn Tx,
    group: Option<&'a ResourceId>,
    subscription: &'a str,
) -> Result<Scope<'a>, AppError> {
    Ok(match group {
        Some(g) => {
            crate::groups::load_group(tx, g)?;
            Scope::Group(g.key())
        }
        None => Scope::Subscription(subscription),
    })
}

/// Deletes every record under `key` (`{key}/...`: the children of a generic resource, the
/// steps and template of a deployment), with the references they own. They are the keys right
/// after `{key}/`; a sibling whose name extends this one's (`web-2` beside `web`: `-` sorts
/// before `/`) comes between `key` and them, so the walk starts at `{key}/`.
pub(crate) fn delete_children(tx: &mut dyn Tx, group_key: &str, key: &str) -> Result<(), AppError> {
    delete_children_in(tx, Scope::Group(group_key), key)
}

/// [`delete_children`] of a record `scope` holds (a group, or a subscription for a record
/// outside groups).
pub(crate) fn delete_children_in(tx: &mut dyn Tx, scope: Scope, key: &str) -> Result<(), AppError> {
    walk_under(tx, scope, key, &mut |tx, batch| {
        for r in batch {
            tx.set_refs(&r.key, &[])?;
            tx.delete(&r.key)?;
        }
        Ok(())
    })
}

/// Every record under `key` (`{key}/...`), in key order.
pub(crate) fn children_in(
    tx: &mut dyn Tx,
    scope: Scope,
    key: &str,
) -> Result<Vec<Record>, AppError> {
    let mut out = Vec::new();
    walk_under(tx, scope, key, &mut |_, batch| {
        out.extend(batch);
        Ok(())
    })?;
    Ok(out)
}

/// What [`walk_under`] hands each batch to.
type Visit<'a> = dyn FnMut(&mut dyn Tx, Vec<Record>) -> Result<(), AppError> + 'a;

/// Hands the records under `key` to `visit` a batch at a time, in key order. `visit` may
/// write or delete: the walk goes on after the last key of the batch it was given.
fn walk_under(
    tx: &mut dyn Tx,
    scope: Scope,
    key: &str,
    visit: &mut Visit<'_>,
) -> Result<(), AppError> {
    const BATCH: usize = 500;
    let prefix = format!("{key}/");
    let mut cursor = prefix.clone();
    loop {
        let batch = tx.list(&ListQuery {
            scope,
            kind: None,
            after: Some(&cursor),
            limit: BATCH,
        })?;
        let full = batch.len() == BATCH;
        let under: Vec<Record> = batch
            .into_iter()
            .take_while(|r| r.key.starts_with(&prefix))
            .collect();
        let Some(last) = under.last() else {
            return Ok(());
        };
        let (more, next) = (full && under.len() == BATCH, last.key.clone());
        visit(tx, under)?;
        if !more {
            return Ok(());
        }
        cursor = next;
    }
}

/// A page view that renders each record on its own.
pub(crate) fn each<V: 'static>(
    view: fn(&mut dyn Tx, &Record) -> Result<V, AppError>,
) -> impl Fn(&mut dyn Tx, Vec<Record>) -> Result<Vec<V>, AppError> + Send + 'static {
    move |tx, recs| recs.iter().map(|r| view(tx, r)).collect()
}

/// Reads records of `kind` in `scope` after `after`, keeping those `keep` accepts, until a
/// page is full or the scope is exhausted.
pub fn list_page(
    tx: &mut dyn Tx,
    scope: Scope<'_>,
    kind: Option<&str>,
    after: Option<&str>,
    limit: usize,
    keep: &dyn Fn(&Record) -> Result<bool, AppError>,
) -> Result<Page<Record>, AppError> {
    list_within(tx, scope, kind, after, None, limit, keep)
}

/// [`list_page`] of the records under one parent (`under`: its key and `/`): the read starts
/// there and ends at the first key past them, not at the end of the scope.
pub fn list_page_under(
    tx: &mut dyn Tx,
    scope: Scope<'_>,
    kind: Option<&str>,
    after: Option<&str>,
    under: &str,
    limit: usize,
    keep: &dyn Fn(&Record) -> Result<bool, AppError>,
) -> Result<Page<Record>, AppError> {
    list_within(tx, scope, kind, after, Some(under), limit, keep)
}

fn list_within(
    tx: &mut dyn Tx,
    scope: Scope<'_>,
    kind: Option<&str>,
    after: Option<&str>,
    under: Option<&str>,
    limit: usize,
    keep: &dyn Fn(&Record) -> Result<bool, AppError>,
) -> Result<Page<Record>, AppError> {
    if let Some(token) = after {
        let (subscription, group_key) = match scope {
            Scope::Subscription(s) => (s, None),
            // `/subscriptions/{s}/resourcegroups/{g}`
            Scope::Group(g) => (cerulean_store::group_subscription(g), Some(g)),
        };
        let listing = Listing {
            subscription,
            group_key,
            kind,
        };
        check_skiptoken(token, listing)?;
    }
    let mut items = Vec::new();
    // Keys greater than `{parent}/` begin with its children (`/` sorts after `-` and `.`, so
    // siblings whose names extend the parent's come before it).
    let mut cursor = after.or(under).map(str::to_string);
    loop {
        let batch = tx.list(&ListQuery {
            scope,
            kind,
            after: cursor.as_deref(),
            limit: limit - items.len(),
        })?;
        let mut exhausted = batch.len() < limit - items.len();
        cursor = batch.last().map(|r| r.key.clone());
        for r in batch {
            if under.is_some_and(|u| !r.key.starts_with(u)) {
                exhausted = true;
                break;
            }
            if keep(&r)? {
                items.push(r);
            }
        }
        if items.len() == limit {
            let next = items.last().map(|r| r.key.clone());
            return Ok(Page { items, next });
        }
        if exhausted {
            return Ok(Page { items, next: None });
        }
    }
}

/// Every record of `kind` in a subscription (lower-case id) and region, decoded, read a page
/// at a time (what quota counts and usages need).
pub fn all_in_region<T: DeserializeOwned>(
    tx: &mut dyn Tx,
    subscription: &str,
    kind: &str,
    location: &str,
) -> Result<Vec<(Record, T)>, AppError> {
    const PAGE: usize = 500;
    let mut out = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = tx.list(&ListQuery {
            scope: Scope::Subscription(subscription),
            kind: Some(kind),
            after: after.as_deref(),
            limit: PAGE,
        })?;
        let more = page.len() == PAGE;
        after = page.last().map(|r| r.key.clone());
        for r in page {
            if r.location.as_deref() == Some(location) {
                let v = from_record(&r)?;
                out.push((r, v));
            }
        }
        if !more {
            return Ok(out);
        }
    }
}
