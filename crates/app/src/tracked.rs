//! One path for every modelled tracked resource (PUT, GET, PATCH of tags, DELETE, lists by
//! group and subscription). Each use case here is the ARM skeleton — subscription and group
//! checks, the stored record, preconditions, one transaction, the operation record — and a
//! type brings only its rules: an implementation of [`Kind`] (the edge adds its wire shapes).
//!
//! Deletion of any kind goes through [`crate::network::purge_any`], which group deletion
//! shares, so a type's clean-up is written once.

use crate::network::{not_found, save, Tracked};
use crate::operations::Ops;
use crate::records::each;
use crate::{App, AppError, Config, Page};
use cerulean_domain::id::ResourceId;
use cerulean_domain::operation::Operation;
use cerulean_domain::precondition::Precondition;
use cerulean_domain::tags::Tags;
use cerulean_store::{Record, Tx};

/// What a type's rules may use besides the transaction.
#[derive(Clone)]
pub struct Env {
    pub(crate) ops: Ops,
    pub(crate) pools: crate::network::public_ips::Pools,
    pub(crate) config: Config,
}

/// A modelled tracked resource type: its stored value, what a PUT carries, what the edge
/// renders, and the rules of a PUT.
pub trait Kind: Send + Sync + 'static {
    /// The store's lower-case kind (`microsoft.network/virtualnetworks`).
    const KIND: &'static str;
    /// Writes finish within the request (availability sets): no operation record is kept
    /// and the edge answers without polling headers.
    const SYNCHRONOUS: bool = false;
    type Value: Tracked + Clone;
    type Spec: Clone + Send + 'static;
    type View: Send + 'static;

    /// The resource with what other records say about it.
    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<Self::View, AppError>;

    /// The views of a page of records, in key order.
    fn views(tx: &mut dyn Tx, recs: Vec<Record>) -> Result<Vec<Self::View>, AppError> {
        each(Self::view)(tx, recs)
    }

    /// The view of a record just written with `value`.
    fn written_view(
        tx: &mut dyn Tx,
        rec: Record,
        _value: Self::Value,
        _created: bool,
    ) -> Result<Self::View, AppError> {
        Self::view(tx, &rec)
    }

    /// The rules of a PUT and their side effects (addresses, references) inside the
    /// transaction; returns what to store. `old` is the stored resource, if any.
    fn put(
        tx: &mut dyn Tx,
        env: &Env,
        id: &ResourceId,
        old: Option<&(Record, Self::Value)>,
        spec: Self::Spec,
    ) -> Result<Self::Value, AppError>;

    /// The operation record of a write to `id` (a DELETE's).
    fn operation(env: &Env, id: &ResourceId, location: &str) -> Operation {
        env.ops.network(id, location)
    }

    /// The operation record of a PUT.
    fn put_operation(env: &Env, id: &ResourceId, location: &str) -> Operation {
        Self::operation(env, id, location)
    }

    /// Last changes to a value about to be stored, once its operation is known.
    fn before_save(_value: &mut Self::Value, _op: &Operation, _created: bool) {}

    /// The write locks a PUT of `spec` takes where several writers share the store
    /// (`Store::run_write_keyed`): every key whose rules it checks or whose state it changes
    /// that another keyed write could also change. `None` (the default) runs it alone.
    fn put_locks(_id: &ResourceId, _spec: &Self::Spec) -> Option<Vec<String>> {
        None
    }

    /// The locks a PUT of `spec` needs given what is stored: the stored value's references
    /// (what the PUT replaces, such as the subnets a NIC holds addresses in) and whatever the
    /// records it names lead to. Checked inside the keyed transaction, after its locks are
    /// held: a PUT whose declared locks miss one rolls back and re-runs alone.
    fn state_locks(
        _tx: &mut dyn Tx,
        _id: &ResourceId,
        _old: Option<&Self::Value>,
        _spec: &Self::Spec,
    ) -> Result<Vec<String>, AppError> {
        Ok(Vec::new())
    }

    /// Whether [`Kind::put_locks`] misses locks that most PUTs need (a VM's detached NICs
    /// are named by the stored VM only): where writers run side by side, [`Kind::state_locks`]
    /// is then read on a snapshot first and declared too.
    const LOCKS_FROM_STATE: bool = false;
}

/// What a DELETE of `id` locks: what its clean-up needs (`network::purge_locks`), nothing
/// when there is nothing of this kind to delete.
fn delete_locks<K: Kind>(tx: &mut dyn Tx, id: &ResourceId) -> Result<Vec<String>, AppError> {
    match tx.get(id.key())? {
        Some(rec) if rec.kind == K::KIND => crate::network::purge_locks(tx, &rec),
        _ => Ok(Vec::new()),
    }
}

/// What one PUT transaction gives back: `None` when its declared locks did not cover the
/// stored resource (it rolls back and runs again alone).
type PutOutcome<V> = Option<(V, bool, Operation)>;

/// The PUT's transaction: the ARM skeleton around the kind's rules.
fn put_job<K: Kind>(
    tx: &mut dyn Tx,
    env: &Env,
    id: &ResourceId,
    spec: &K::Spec,
    pre: &Precondition,
    declared: Option<&[String]>,
) -> Result<PutOutcome<K::View>, AppError> {
    crate::groups::require_group(tx, &id.group_id().expect("a resource id has a group"))?;
    let existing = crate::network::load::<K::Value>(tx, id)?;
    if let Some(declared) = declared {
        let needed = K::state_locks(tx, id, existing.as_ref().map(|(_, v)| v), spec)?;
        if !crate::keyed::covered(&needed, declared) {
            return Ok(None);
        }
    }
    pre.check(existing.as_ref().map(|(r, _)| r.etag.as_str()))?;
    let created = existing.is_none();
    let mut next = K::put(tx, env, id, existing.as_ref(), spec.clone())?;
    let location = next.common_mut().location.clone();
    let op = K::put_operation(env, id, &location);
    K::before_save(&mut next, &op, created);
    let rec = save(tx, id, existing.as_ref().map(|(r, _)| r), &location, &next)?;
    if !K::SYNCHRONOUS {
        crate::operations::keep(tx, &op)?;
    }
    Ok(Some((
        K::written_view(tx, rec, next, created)?,
        created,
        op,
    )))
}

impl App {
    pub(crate) fn env(&self) -> Env {
        Env {
            ops: self.ops(),
            pools: self.pools(),
            config: self.config.clone(),
        }
    }

    /// PUT: `(view, created, operation)`.
    pub async fn put_tracked<K: Kind>(
        &self,
        id: ResourceId,
        spec: K::Spec,
        pre: Precondition,
    ) -> Result<(K::View, bool, Operation), AppError> {
        self.subscription(id.subscription()).await?;
        let env = self.env();
        // With one writer (SQLite) every write runs alone anyway: no keys to work out.
        let mut keys = match self.store.several_writers() {
            true => K::put_locks(&id, &spec),
            false => None,
        };
        if let (Some(keys), true) = (&mut keys, K::LOCKS_FROM_STATE) {
            let (id, spec) = (id.clone(), spec.clone());
            let more = self.read_locks(move |tx| {
                let old = crate::network::load::<K::Value>(tx, &id)?;
                K::state_locks(tx, &id, old.as_ref().map(|(_, v)| v), &spec)
            });
            keys.extend(more.await?.unwrap_or_default());
        }
        self.write_narrow(keys, move |tx, declared| {
            put_job::<K>(tx, &env, &id, &spec, &pre, declared)
        })
        .await
    }

    /// GET of one resource (404 `ResourceNotFound`, or `ResourceGroupNotFound`).
    pub async fn get_tracked<K: Kind>(&self, id: ResourceId) -> Result<K::View, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| match tx.get(id.key())? {
            Some(rec) if rec.kind == K::KIND => K::view(tx, &rec),
            _ => {
                if let Some(g) = id.group_id() {
                    crate::groups::require_group(tx, &g)?;
                }
                Err(not_found(&id))
            }
        })
        .await
    }

    /// PATCH of tags (synchronous, as Azure does).
    pub async fn patch_tags<K: Kind>(
        &self,
        id: ResourceId,
        tags: Option<Tags>,
        pre: Precondition,
    ) -> Result<K::View, AppError> {
        self.subscription(id.subscription()).await?;
        // Tags are the resource's own: no rule reads them.
        self.write_under(vec![id.key().to_string()], move |tx| {
            let (rec, mut value) = crate::network::require::<K::Value>(tx, &id)?;
            pre.check(Some(&rec.etag))?;
            if let Some(t) = &tags {
                cerulean_domain::tags::validate(t)?;
                value.common_mut().tags = t.clone();
            }
            let location = value.common_mut().location.clone();
            let rec = save(tx, &id, Some(&rec), &location, &value)?;
            K::view(tx, &rec)
        })
        .await
    }

    /// DELETE with the kind's rules and clean-up; `None` when there was nothing to delete.
    pub async fn delete_tracked<K: Kind>(
        &self,
        id: ResourceId,
        pre: Precondition,
    ) -> Result<Option<Operation>, AppError> {
        self.subscription(id.subscription()).await?;
        let env = self.env();
        let at = id.clone();
        let keys = self
            .read_locks(move |tx| delete_locks::<K>(tx, &at))
            .await?;
        self.write_narrow(keys, move |tx, declared| {
            crate::groups::require_group(tx, &id.group_id().expect("a resource id has a group"))?;
            let Some(rec) = tx.get(id.key())? else {
                return Ok(Some(None));
            };
            if let Some(declared) = declared {
                if !crate::keyed::covered(&crate::network::purge_locks(tx, &rec)?, declared) {
                    return Ok(None);
                }
            }
            pre.check(Some(&rec.etag))?;
            crate::network::purge_any(tx, &rec, &env.pools)?;
            // The generic resources under it (a network's peerings, a VM's extensions) go
            // with it: none may outlive its parent. A group's delete lists them itself.
            let group = id.group_id().expect("a resource id has a group");
            crate::records::delete_children(tx, group.key(), &rec.key)?;
            let op = K::operation(&env, &id, rec.location.as_deref().unwrap_or_default());
            if !K::SYNCHRONOUS {
                crate::operations::keep(tx, &op)?;
            }
            Ok(Some(Some(op)))
        })
        .await
    }

    /// The resources of a kind in a group or a subscription, one page at a time.
    pub async fn list_tracked<K: Kind>(
        &self,
        subscription: &str,
        group: Option<&str>,
        after: Option<String>,
    ) -> Result<Page<K::View>, AppError> {
        self.list_kind(subscription, group, None, K::KIND, after, K::views)
            .await
    }
}
