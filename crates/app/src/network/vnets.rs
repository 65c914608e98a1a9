//! Virtual network and subnet use cases.

use super::{first_subnet_user, require, save, subnet_users, Stored, VNET};
use crate::records::{each, list_page, list_scope, new_etag};
use crate::{App, AppError, Page};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::vnet::{self, SubnetSpec, VirtualNetwork, VnetSpec};
use cerulean_domain::operation::Operation;
use cerulean_domain::precondition::Precondition;
use cerulean_store::{Record, Tx};
use std::collections::HashMap;

/// A virtual network with, per subnet, the IP configurations in it.
#[derive(Clone, Debug)]
pub struct VnetView {
    pub vnet: Stored<VirtualNetwork>,
    /// Parallel to `vnet.value.subnets`.
    pub subnet_users: Vec<Vec<String>>,
}

/// One subnet with its users, as its own resource.
#[derive(Clone, Debug)]
pub struct SubnetView {
    pub vnet_id: String,
    pub subnet: vnet::Subnet,
    pub users: Vec<String>,
}

pub(crate) fn subnet_key(vnet_key: &str, name: &str) -> String {
    format!("{vnet_key}/subnets/{}", name.to_lowercase())
}

/// Who uses each subnet of a stored virtual network (the first user is enough for rules).
fn users_by_subnet(
    tx: &mut dyn Tx,
    rec: &Record,
    v: &VirtualNetwork,
) -> Result<HashMap<String, String>, AppError> {
    let mut users = HashMap::new();
    for s in &v.subnets {
        if let Some(u) = first_subnet_user(tx, &subnet_key(&rec.key, &s.name))? {
            users.insert(s.name.to_lowercase(), u);
        }
    }
    Ok(users)
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<VnetView, AppError> {
    let vnet = Stored::<VirtualNetwork>::from(rec)?;
    let mut subnet_users = Vec::with_capacity(vnet.value.subnets.len());
    for s in &vnet.value.subnets {
        subnet_users.push(super::subnet_users(
            tx,
            &subnet_key(&rec.key, &s.name),
            usize::MAX,
        )?);
    }
    Ok(VnetView { vnet, subnet_users })
}

/// Forgets the address state of subnets that are gone or re-prefixed (they were unused).
fn drop_changed_subnets(
    tx: &mut dyn Tx,
    vnet_key: &str,
    old: Option<&VirtualNetwork>,
    new: Option<&VirtualNetwork>,
) -> Result<(), AppError> {
    let Some(old) = old else { return Ok(()) };
    for s in &old.subnets {
        let kept = new
            .and_then(|n| n.subnet(&s.name))
            .is_some_and(|n| n.address_prefixes == s.address_prefixes);
        if !kept {
            let key = subnet_key(vnet_key, &s.name);
            for prefix in s.prefixes() {
                tx.ipam_drop(&super::book_key(&key, &prefix))?;
            }
            tx.ipam_drop(&key)?;
        }
    }
    Ok(())
}

/// Virtual networks on the tracked-resource path.
pub struct Vnets;

impl crate::tracked::Kind for Vnets {
    const KIND: &'static str = VNET;
    type Value = VirtualNetwork;
    type Spec = VnetSpec;
    type View = VnetView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<VnetView, AppError> {
        view(tx, rec)
    }

    fn put(
        tx: &mut dyn Tx,
        _env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, VirtualNetwork)>,
        spec: VnetSpec,
    ) -> Result<VirtualNetwork, AppError> {
        let users = match existing {
            Some((rec, v)) => users_by_subnet(tx, rec, v)?,
            None => HashMap::new(),
        };
        let lookup = |name: &str| users.get(&name.to_lowercase()).cloned();
        let next = vnet::put_vnet(
            id,
            existing.map(|(_, v)| v),
            spec,
            &lookup,
            &uuid::Uuid::new_v4().to_string(),
            &new_etag(),
        )?;
        drop_changed_subnets(tx, id.key(), existing.map(|(_, v)| v), Some(&next))?;
        Ok(next)
    }
}

impl App {
    pub async fn put_subnet(
        &self,
        vnet_id: ResourceId,
        spec: SubnetSpec,
        pre: Precondition,
    ) -> Result<(SubnetView, bool, Operation), AppError> {
        self.subscription(vnet_id.subscription()).await?;
        let ops = self.ops();
        cerulean_store::write(&*self.store, move |tx| {
            let (rec, v) = require::<VirtualNetwork>(tx, &vnet_id)?;
            let current = v.subnet(&spec.name).map(|s| s.etag.clone());
            pre.check(current.as_deref())?;
            let users = users_by_subnet(tx, &rec, &v)?;
            let (next, created) = vnet::put_subnet(
                &vnet_id,
                &v,
                spec.clone(),
                &|name: &str| users.get(&name.to_lowercase()).cloned(),
                &new_etag(),
            )?;
            drop_changed_subnets(tx, &rec.key, Some(&v), Some(&next))?;
            let rec = save(tx, &vnet_id, Some(&rec), &next.common.location, &next)?;
            let sub_id = vnet_id.child("subnets", &spec.name);
            let op = ops.network(&sub_id, &next.common.location);
            tx.put_operation(&op)?;
            let subnet_view = subnet_view(tx, &rec, &next, &spec.name)?;
            Ok((subnet_view, created, op))
        })
        .await
    }

    pub async fn get_subnet(
        &self,
        vnet_id: ResourceId,
        name: String,
    ) -> Result<SubnetView, AppError> {
        self.subscription(vnet_id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, v) = require::<VirtualNetwork>(tx, &vnet_id)?;
            subnet_view(tx, &rec, &v, &name)
        })
        .await
    }

    pub async fn list_subnets(&self, vnet_id: ResourceId) -> Result<Vec<SubnetView>, AppError> {
        self.subscription(vnet_id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, v) = require::<VirtualNetwork>(tx, &vnet_id)?;
            v.subnets
                .iter()
                .map(|s| subnet_view(tx, &rec, &v, &s.name))
                .collect()
        })
        .await
    }

    pub async fn delete_subnet(
        &self,
        vnet_id: ResourceId,
        name: String,
        pre: Precondition,
    ) -> Result<Option<Operation>, AppError> {
        self.subscription(vnet_id.subscription()).await?;
        let ops = self.ops();
        cerulean_store::write(&*self.store, move |tx| {
            let (rec, v) = require::<VirtualNetwork>(tx, &vnet_id)?;
            pre.check(v.subnet(&name).map(|s| s.etag.as_str()))?;
            let users = users_by_subnet(tx, &rec, &v)?;
            let Some(next) =
                vnet::delete_subnet(&v, &name, &|n: &str| users.get(&n.to_lowercase()).cloned())?
            else {
                return Ok(None);
            };
            drop_changed_subnets(tx, &rec.key, Some(&v), Some(&next))?;
            save(tx, &vnet_id, Some(&rec), &next.common.location, &next)?;
            let op = ops.network(&vnet_id.child("subnets", &name), &v.common.location);
            tx.put_operation(&op)?;
            Ok(Some(op))
        })
        .await
    }
}

pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    let v: VirtualNetwork = crate::records::from_record(rec)?;
    let users = users_by_subnet(tx, rec, &v)?;
    vnet::delete_vnet(&v, &|name: &str| users.get(&name.to_lowercase()).cloned())?;
    drop_changed_subnets(tx, &rec.key, Some(&v), None)?;
    tx.delete(&rec.key)?;
    Ok(())
}

fn subnet_view(
    tx: &mut dyn Tx,
    rec: &Record,
    v: &VirtualNetwork,
    name: &str,
) -> Result<SubnetView, AppError> {
    let vnet_id = ResourceId::parse(&rec.id)?;
    let Some(s) = v.subnet(name) else {
        return Err(super::not_found(&vnet_id.child("subnets", name)));
    };
    Ok(SubnetView {
        vnet_id: rec.id.clone(),
        subnet: s.clone(),
        users: subnet_users(tx, &subnet_key(&rec.key, &s.name), usize::MAX)?,
    })
}

impl App {
    /// Lists network resources of one kind by group or subscription, one page at a time.
    pub(crate) async fn list_network<V: Send + 'static>(
        &self,
        subscription: &str,
        group: Option<&str>,
        kind: &'static str,
        after: Option<String>,
        view: fn(&mut dyn Tx, &Record) -> Result<V, AppError>,
    ) -> Result<Page<V>, AppError> {
        self.list_kind(subscription, group, None, kind, after, each(view))
            .await
    }

    /// Lists one kind by group or subscription, optionally only in one region, one page at
    /// a time; the region filter runs inside the pager, so pages stay full.
    pub(crate) async fn list_kind<V: Send + 'static>(
        &self,
        subscription: &str,
        group: Option<&str>,
        location: Option<&'static str>,
        kind: &'static str,
        after: Option<String>,
        views: impl Fn(&mut dyn Tx, Vec<Record>) -> Result<Vec<V>, AppError> + Send + 'static,
    ) -> Result<Page<V>, AppError> {
        self.subscription(subscription).await?;
        let sub = cerulean_domain::id::fold(subscription);
        let group_id = group.map(|g| ResourceId::group(subscription, g));
        let limit = self.config.page_size;
        cerulean_store::read(&*self.store, move |tx| {
            let scope = list_scope(tx, group_id.as_ref(), &sub)?;
            let page = list_page(tx, scope, Some(kind), after.as_deref(), limit, &|r| {
                Ok(location.is_none_or(|l| r.location.as_deref() == Some(l)))
            })?;
            Ok(Page {
                items: views(tx, page.items)?,
                next: page.next,
            })
        })
        .await
    }
}
