//! Generic resources: types cerulean does not model (network security groups, route tables,
//! storage accounts, ...) are kept as given, so that templates and scripts that create them work. No
//! rule applies to them beyond ARM's own: the group and the parent must exist, the location
//! must be a region, tags must be valid.

use crate::network::{not_found, Stored};
use crate::records::{list_page, list_page_under, new_etag, to_record};
use crate::{App, AppError, Page};
use cerulean_domain::id::ResourceId;
use cerulean_domain::precondition::Precondition;
use cerulean_domain::tags::{self, Tags};
use cerulean_domain::{region, DomainError};
use cerulean_store::{RefKind, Scope};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What is stored: tags where every kind keeps them (`common.tags`, read by the generic
/// list's `$filter`), the location, and the rest of the ARM body verbatim.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GenericResource {
    pub common: GenericCommon,
    pub location: Option<String>,
    /// The ARM body without `id`, `name`, `type`, `etag`, `location` and `tags`.
    pub arm: Map<String, Value>,
}

impl GenericResource {
    /// The NIC a private endpoint or link service names (`properties.networkInterfaces[0]`).
    pub(crate) fn owned_nic(&self) -> Option<String> {
        self.arm
            .get("properties")?
            .pointer("/networkInterfaces/0/id")?
            .as_str()
            .map(str::to_string)
    }

    /// The body's `properties` object, made one if it is missing or not an object.
    pub(crate) fn properties_mut(&mut self) -> &mut Map<String, Value> {
        let props = self
            .arm
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if !props.is_object() {
            *props = Value::Object(Map::new());
        }
        props.as_object_mut().expect("made an object")
    }
}

/// The GUID Azure names what a private endpoint or link service creates with (its NIC, IP
/// configuration, alias, connection records): stable for the resource's id.
pub(crate) fn owned_guid(id: &ResourceId) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, id.key().as_bytes()).to_string()
}

/// The ids of `[{ "id": … }]` at `props[key]` (ARM's `InvalidPropertyId` for one that is not
/// an id).
pub(crate) fn ids_at(props: &Map<String, Value>, key: &str) -> Result<Vec<ResourceId>, AppError> {
    let items = props.get(key).and_then(Value::as_array);
    items
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, item)| {
            let raw = item.get("id").and_then(Value::as_str).unwrap_or_default();
            ResourceId::parse(raw).map_err(|_| {
                DomainError::InvalidPropertyId {
                    id: raw.to_string(),
                    path: format!("properties.{key}[{i}].id"),
                }
                .into()
            })
        })
        .collect()
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct GenericCommon {
    pub tags: Tags,
}

#[derive(Clone, Debug, Default)]
pub struct GenericSpec {
    /// The request's api-version, for messages.
    pub api_version: String,
    pub location: Option<String>,
    pub tags: Option<Tags>,
    pub arm: Map<String, Value>,
}

impl App {
    /// PUT: returns the resource and whether it was created.
    pub async fn put_generic(
        &self,
        id: ResourceId,
        spec: GenericSpec,
        pre: Precondition,
    ) -> Result<(Stored<GenericResource>, bool), AppError> {
        self.subscription(id.subscription()).await?;
        if cerulean_domain::kind::is_modelled(&id.kind_key()) {
            // Not routed here from outside (those types have routes of their own) but for
            // `Microsoft.Resources/resourceGroups` nested in a group, directly or from a
            // template.
            let namespace = id.namespace().unwrap_or_default().to_string();
            return Err(DomainError::InvalidResourceType {
                resource_type: id.type_path()[namespace.len()..]
                    .trim_start_matches('/')
                    .to_string(),
                namespace,
                api_version: spec.api_version.clone(),
            }
            .into());
        }
        let location = match &spec.location {
            Some(l) => Some(
                region::normalize_for(&id.type_path(), l)
                    .ok_or_else(|| DomainError::LocationNotAvailableForResourceType {
                        location: l.clone(),
                        type_path: id.type_path(),
                        available: region::available_list(),
                    })?
                    .to_string(),
            ),
            None => None,
        };
        if let Some(t) = &spec.tags {
            tags::validate(t)?;
        }
        // The resource and its ancestors: a parent's DELETE takes its children with it.
        let keys = std::iter::successors(Some(id.clone()), ResourceId::parent)
            .map(|a| a.key().to_string())
            .collect();
        let env = self.env();
        self.write_generic(&id.clone(), keys, move |tx| {
            crate::groups::load_group(tx, &id.group_id().expect("a resource id has a group"))?;
            if let Some(parent) = id.parent() {
                if tx.get(parent.key())?.is_none() {
                    return Err(DomainError::ParentResourceNotFound {
                        parent: parent.name().into(),
                    }
                    .into());
                }
            }
            let existing = tx.get(id.key())?;
            pre.check(existing.as_ref().map(|r| r.etag.as_str()))?;
            let old: Option<GenericResource> = existing
                .as_ref()
                .map(crate::records::from_record)
                .transpose()?;
            // A resource stays in its region (ARM's rule for every type).
            if let (Some(old_loc), Some(new_loc), Some(rec)) = (
                old.as_ref().and_then(|o| o.location.as_deref()),
                location.as_deref(),
                existing.as_ref(),
            ) {
                if old_loc != new_loc {
                    let stored = ResourceId::parse(&rec.id)?;
                    return Err(DomainError::InvalidResourceLocation {
                        name: stored.name().to_string(),
                        group: stored.group_name().unwrap_or_default().to_string(),
                        existing: old_loc.to_string(),
                        requested: new_loc.to_string(),
                    }
                    .into());
                }
            }
            let mut value = GenericResource {
                common: GenericCommon {
                    tags: spec
                        .tags
                        .clone()
                        .or_else(|| old.as_ref().map(|o| o.common.tags.clone()))
                        .unwrap_or_default(),
                },
                location: location
                    .clone()
                    .or_else(|| old.as_ref().and_then(|o| o.location.clone())),
                arm: spec.arm.clone(),
            };
            let stored_id = match &existing {
                Some(r) => ResourceId::parse(&r.id)?,
                None => id.clone(),
            };
            crate::dns::prepare(tx, &stored_id, &mut value, old.as_ref())?;
            crate::private_endpoints::prepare(tx, &env, &stored_id, &mut value, old.as_ref())?;
            crate::private_link_services::prepare(tx, &env, &stored_id, &mut value, old.as_ref())?;
            let rec = to_record(
                &stored_id,
                value.location.as_deref().unwrap_or_default(),
                &value,
                new_etag(),
            );
            tx.write_over(&rec, existing.as_ref().map(|r| r.etag.as_str()))?;
            crate::dns::written(tx, &stored_id, &value, old.as_ref())?;
            Ok((shown(tx, &rec)?, existing.is_none()))
        })
        .await
    }

    /// A generic write under `keys`, or alone where the write must not interleave with
    /// keyed ones (`dns::runs_alone`, `private_endpoints::runs_alone`).
    async fn write_generic<T, F>(
        &self,
        id: &ResourceId,
        keys: Vec<String>,
        job: F,
    ) -> Result<T, AppError>
    where
        F: Fn(&mut dyn cerulean_store::Tx) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        if crate::dns::runs_alone(id)
            || crate::private_endpoints::runs_alone(id)
            || crate::private_link_services::is_service(id)
        {
            self.write_narrow(None, move |tx, _| job(tx).map(Some))
                .await
        } else {
            self.write_under(keys, job).await
        }
    }

    pub async fn get_generic(&self, id: ResourceId) -> Result<Stored<GenericResource>, AppError> {
        self.subscription(id.subscription()).await?;
        cerulean_store::read(&*self.store, move |tx| match tx.get(id.key())? {
            // The generic paths reach what has no route of its own, such as a deployment's
            // template: those are cerulean's records, not generic resources.
            Some(rec) if !cerulean_domain::kind::is_modelled(&rec.kind) => shown(tx, &rec),
            _ => {
                crate::groups::load_group(tx, &id.group_id().expect("a resource id has a group"))?;
                Err(not_found(&id))
            }
        })
        .await
    }

    /// DELETE with its children: `false` when there was nothing to delete.
    pub async fn delete_generic(
        &self,
        id: ResourceId,
        pre: Precondition,
    ) -> Result<bool, AppError> {
        self.subscription(id.subscription()).await?;
        // Its own key: its children's writes and whatever links it declare it too.
        self.write_generic(&id.clone(), vec![id.key().to_string()], move |tx| {
            let group = id.group_id().expect("a resource id has a group");
            crate::groups::load_group(tx, &group)?;
            let Some(rec) = tx.get(id.key())? else {
                return Ok(false);
            };
            if cerulean_domain::kind::is_modelled(&rec.kind) {
                return Ok(false);
            }
            pre.check(Some(&rec.etag))?;
            crate::dns::check_delete(tx, &id)?;
            crate::private_endpoints::deleting(tx, &id)?;
            crate::private_link_services::deleting(tx, &id)?;
            let users: Vec<String> = tx
                .refs_to(id.key(), RefKind::Linked)?
                .into_iter()
                .map(|r| r.from_id)
                .collect();
            cerulean_domain::reference::check_unlinked(&id, &users)?;
            let reregister = crate::dns::overrides_registration(&id, &rec)?;
            crate::records::delete_children(tx, group.key(), id.key())?;
            tx.set_refs(id.key(), &[])?;
            tx.delete(id.key())?;
            if reregister {
                crate::dns::record_set_deleted(tx, &id)?;
            }
            Ok(true)
        })
        .await
    }

    /// Every generic resource of one type in a group (`kind` is the lower-case type path),
    /// or, for a child type, under one parent, which must exist (404
    /// `ParentResourceNotFound`, as for a PUT under it).
    ///
    /// Without a group, every resource of a top-level type in the subscription
    /// (`/subscriptions/{s}/providers/{ns}/{type}`: `az network nsg list` without `-g`).
    pub async fn list_generic(
        &self,
        subscription: &str,
        group: Option<&str>,
        kind: String,
        parent: Option<ResourceId>,
        after: Option<String>,
    ) -> Result<Page<Stored<GenericResource>>, AppError> {
        self.subscription(subscription).await?;
        let group_id = group.map(|g| ResourceId::group(subscription, g));
        let folded_subscription = cerulean_domain::id::fold(subscription);
        let limit = self.config.page_size;
        let theirs = !cerulean_domain::kind::is_modelled(&kind);
        // A zone's `ALL` lists its record sets of every type.
        let all_record_sets = crate::dns::all_record_sets_kind(&kind).is_some();
        cerulean_store::read(&*self.store, move |tx| {
            if let Some(g) = &group_id {
                crate::groups::load_group(tx, g)?;
            }
            if !theirs {
                return Ok(Page {
                    items: Vec::new(),
                    next: None,
                });
            }
            // A known service's sub-resources for private endpoints: Azure's, not stored.
            if let Some(items) =
                crate::private_endpoints::link_resources(tx, &kind, parent.as_ref())?
            {
                return Ok(Page { items, next: None });
            }
            let under = match &parent {
                Some(p) => {
                    if tx.get(p.key())?.is_none() {
                        return Err(DomainError::ParentResourceNotFound {
                            parent: p.name().into(),
                        }
                        .into());
                    }
                    Some(format!("{}/", p.key()))
                }
                None => None,
            };
            let scope = match &group_id {
                Some(g) => Scope::Group(g.key()),
                None => Scope::Subscription(&folded_subscription),
            };
            let kind = (!all_record_sets).then_some(kind.as_str());
            let keep =
                |r: &cerulean_store::Record| Ok(!all_record_sets || crate::dns::is_record_set(r));
            let page = match &under {
                Some(u) => list_page_under(tx, scope, kind, after.as_deref(), u, limit, &keep)?,
                None => list_page(tx, scope, kind, after.as_deref(), limit, &keep)?,
            };
            Ok(Page {
                items: page
                    .items
                    .iter()
                    .map(|r| shown(tx, r))
                    .collect::<Result<_, _>>()?,
                next: page.next,
            })
        })
        .await
    }
}

/// A stored generic resource as reads show it: with what a DNS zone counts of its contents
/// and a private endpoint's connection states.
fn shown(
    tx: &mut dyn cerulean_store::Tx,
    rec: &cerulean_store::Record,
) -> Result<Stored<GenericResource>, AppError> {
    let mut stored = Stored::<GenericResource>::from(rec)?;
    crate::dns::decorate(tx, rec, &mut stored.value)?;
    crate::private_endpoints::decorate(tx, rec, &mut stored.value)?;
    Ok(stored)
}
