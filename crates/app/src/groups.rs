//! Resource group use cases.

use crate::records::{from_record, list_page, new_etag, to_record};
use crate::{App, AppError, Page};
use cerulean_domain::group::{self, GroupPatch, GroupSpec, ResourceGroup};
use cerulean_domain::id::{fold, ResourceId};
use cerulean_domain::kind::{self, RESOURCE_GROUP};
use cerulean_domain::operation::Operation;
use cerulean_domain::precondition::Precondition;
use cerulean_domain::tags::TagFilter;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Scope, Tx};

/// A stored resource group as the edge presents it.
#[derive(Clone, Debug)]
pub struct GroupView {
    pub id: String,
    pub group: ResourceGroup,
    pub etag: String,
}

fn view(rec: &Record) -> Result<GroupView, AppError> {
    Ok(GroupView {
        id: rec.id.clone(),
        group: from_record(rec)?,
        etag: rec.etag.clone(),
    })
}

fn not_found(id: &ResourceId) -> AppError {
    DomainError::ResourceGroupNotFound {
        name: id.group_name().unwrap_or_default().to_string(),
    }
    .into()
}

/// Loads a group inside a transaction, or fails with `ResourceGroupNotFound`.
pub(crate) fn load_group(tx: &mut dyn Tx, id: &ResourceId) -> Result<Record, AppError> {
    tx.get(id.key())?.ok_or_else(|| not_found(id))
}

/// Fails with `ResourceGroupNotFound` unless the group exists (its record is not read).
pub(crate) fn require_group(tx: &mut dyn Tx, id: &ResourceId) -> Result<(), AppError> {
    if tx.exists(id.key())? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

/// Every record in a group, read `page` at a time.
fn members(tx: &mut dyn Tx, id: &ResourceId, page: usize) -> Result<Vec<Record>, AppError> {
    let mut inside = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let p = list_page(
            tx,
            Scope::Group(id.key()),
            None,
            after.as_deref(),
            page,
            &|_| Ok(true),
        )?;
        after = p.next.clone();
        inside.extend(p.items);
        if after.is_none() {
            return Ok(inside);
        }
    }
}

/// What a group's DELETE locks: the group's key (every write in the group shares it: taken
/// exclusively, it covers every key in the group), and whatever outside the group its
/// members' clean-up reads or changes (`network::purge_locks`: the subnets, pools and NICs
/// of other groups they hold addresses in, belong to or are attached to).
fn delete_locks(
    tx: &mut dyn Tx,
    id: &ResourceId,
    members: &[Record],
) -> Result<Vec<String>, AppError> {
    let mut keys = vec![id.key().to_string()];
    for r in members {
        let locks = crate::network::purge_locks(tx, r)?;
        keys.extend(
            locks
                .into_iter()
                .filter(|k| crate::keyed::group_of(k) != Some(id.key())),
        );
    }
    keys.sort_unstable();
    keys.dedup();
    Ok(keys)
}

impl App {
    /// PUT: returns the group and whether it was created.
    pub async fn put_group(
        &self,
        subscription: &str,
        name: &str,
        spec: GroupSpec,
        pre: Precondition,
    ) -> Result<(GroupView, bool), AppError> {
        self.subscription(subscription).await?;
        let id = ResourceId::group(subscription, name);
        // The group's key, exclusively: every write in the group shares it.
        self.write_under(vec![id.key().to_string()], move |tx| {
            let existing = tx.get(id.key())?;
            pre.check(existing.as_ref().map(|r| r.etag.as_str()))?;
            let old: Option<ResourceGroup> = existing.as_ref().map(from_record).transpose()?;
            let g = group::put(&id, old.as_ref(), spec.clone())?;
            // The caller's spelling of the id is kept from the first PUT.
            let stored_id = match &existing {
                Some(r) => ResourceId::parse(&r.id)?,
                None => id.clone(),
            };
            let rec = to_record(&stored_id, &g.location, &g, new_etag());
            tx.write_over(&rec, existing.as_ref().map(|r| r.etag.as_str()))?;
            Ok((view(&rec)?, existing.is_none()))
        })
        .await
    }

    pub async fn get_group(&self, subscription: &str, name: &str) -> Result<GroupView, AppError> {
        self.subscription(subscription).await?;
        let id = ResourceId::group(subscription, name);
        cerulean_store::read(&*self.store, move |tx| view(&load_group(tx, &id)?)).await
    }

    pub async fn patch_group(
        &self,
        subscription: &str,
        name: &str,
        patch: GroupPatch,
        pre: Precondition,
    ) -> Result<GroupView, AppError> {
        self.subscription(subscription).await?;
        let id = ResourceId::group(subscription, name);
        self.write_under(vec![id.key().to_string()], move |tx| {
            let rec = load_group(tx, &id)?;
            pre.check(Some(&rec.etag))?;
            let g = group::patch(&from_record(&rec)?, patch.clone())?;
            let next = to_record(&ResourceId::parse(&rec.id)?, &g.location, &g, new_etag());
            tx.replace(&next, &rec.etag)?;
            view(&next)
        })
        .await
    }

    /// DELETE: removes the group and everything in it, users before what they use, in one
    /// transaction, and returns the operation that reports it.
    pub async fn delete_group(
        &self,
        subscription: &str,
        name: &str,
        pre: Precondition,
    ) -> Result<Operation, AppError> {
        self.subscription(subscription).await?;
        let id = ResourceId::group(subscription, name);
        let page = self.config.page_size;
        let pools = self.pools();
        let template = self.ops().make(
            subscription,
            "Microsoft.Resources",
            "",
            id.as_str(),
            Ok(None),
        );
        let at = id.clone();
        let keys = self
            .read_locks(move |tx| {
                let inside = members(tx, &at, page)?;
                delete_locks(tx, &at, &inside)
            })
            .await?;
        self.write_narrow(keys, move |tx, declared| {
            let rec = load_group(tx, &id)?;
            pre.check(Some(&rec.etag))?;
            let op = Operation {
                location: from_record::<ResourceGroup>(&rec)?.location,
                ..template.clone()
            };
            let mut inside = members(tx, &id, page)?;
            if let Some(declared) = declared {
                if !crate::keyed::covered(&delete_locks(tx, &id, &inside)?, declared) {
                    return Ok(None);
                }
            }
            inside.sort_by_key(|r| kind::delete_rank(&r.kind));
            for r in &inside {
                crate::network::purge_any(tx, r, &pools)?;
            }
            tx.delete(id.key())?;
            tx.put_operation(&op)?;
            Ok(Some(op.clone()))
        })
        .await
    }

    /// Lists the groups of a subscription, optionally filtered on tags.
    pub async fn list_groups(
        &self,
        subscription: &str,
        filter: Option<TagFilter>,
        top: Option<usize>,
        after: Option<String>,
    ) -> Result<Page<GroupView>, AppError> {
        self.subscription(subscription).await?;
        let sub = fold(subscription);
        let limit = top
            .unwrap_or(self.config.page_size)
            .clamp(1, self.config.page_size);
        cerulean_store::read(&*self.store, move |tx| {
            let keep = |r: &Record| -> Result<bool, AppError> {
                Ok(match &filter {
                    None => true,
                    Some(f) => f.matches(&from_record::<ResourceGroup>(r)?.tags),
                })
            };
            let p = list_page(
                tx,
                Scope::Subscription(&sub),
                Some(RESOURCE_GROUP),
                after.as_deref(),
                limit,
                &keep,
            )?;
            Ok(Page {
                items: p.items.iter().map(view).collect::<Result<_, _>>()?,
                next: p.next,
            })
        })
        .await
    }
}
