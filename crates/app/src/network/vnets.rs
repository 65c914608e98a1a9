//! Virtual network and subnet use cases.

use super::{book_key, first_holder, locate, require, save, subnet_users, Stored, VNET};
use crate::records::{list_page, list_scope, new_etag};
use crate::{App, AppError, Page};
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::prefix_change::ReleasedPrefix;
use cerulean_domain::network::vnet::{self, SubnetSpec, VirtualNetwork, VnetSpec};
use cerulean_domain::network::IpVersion;
use cerulean_domain::operation::Operation;
use cerulean_domain::precondition::Precondition;
use cerulean_domain::reference::Located;
use cerulean_store::{Record, Ref, RefKind, Tx};
use std::collections::HashMap;

/// A virtual network with, per subnet, what is in it.
#[derive(Clone, Debug)]
pub struct VnetView {
    pub vnet: Stored<VirtualNetwork>,
    /// Parallel to `vnet.value.subnets`.
    pub subnet_users: Vec<SubnetUsers>,
}

/// What is in a subnet: the IP configurations holding its addresses, and the private
/// endpoints among their owners.
#[derive(Clone, Debug, Default)]
pub struct SubnetUsers {
    pub configs: Vec<String>,
    pub private_endpoints: Vec<String>,
}

/// One subnet with its users, as its own resource.
#[derive(Clone, Debug)]
pub struct SubnetView {
    pub vnet_id: String,
    pub subnet: vnet::Subnet,
    pub users: SubnetUsers,
}

/// A subnet's users, given the private endpoints in it.
fn users_of(
    tx: &mut dyn Tx,
    subnet_key: &str,
    mut private_endpoints: Vec<String>,
) -> Result<SubnetUsers, AppError> {
    private_endpoints.sort_by_cached_key(|u| cerulean_domain::id::fold(u));
    Ok(SubnetUsers {
        configs: subnet_users(tx, subnet_key, usize::MAX)?,
        private_endpoints,
    })
}

/// The private endpoints in each subnet of a network (by subnet key): one reference query
/// for all its subnets.
fn endpoints_by_subnet(
    tx: &mut dyn Tx,
    vnet_key: &str,
) -> Result<HashMap<String, Vec<String>>, AppError> {
    // Every subnet key starts with `{vnet}/subnets/`, and sorts before `{vnet}/subnets0`.
    let (first, last) = (
        format!("{vnet_key}/subnets/"),
        format!("{vnet_key}/subnets0"),
    );
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for r in tx.refs_to_range(&first, &last, RefKind::PrivateEndpoint)? {
        out.entry(r.to_key).or_default().push(r.from_id);
    }
    Ok(out)
}

pub(crate) fn subnet_key(vnet_key: &str, name: &str) -> String {
    format!("{vnet_key}/subnets/{}", name.to_lowercase())
}

/// Who holds addresses in each subnet of a stored virtual network, per IP version (one
/// holder is enough for the rules).
fn holders_by_subnet(
    tx: &mut dyn Tx,
    rec: &Record,
    v: &VirtualNetwork,
) -> Result<HashMap<(String, IpVersion), String>, AppError> {
    let mut holders = HashMap::new();
    for s in &v.subnets {
        let key = subnet_key(&rec.key, &s.name);
        for prefix in s.prefixes() {
            if let Some(u) = first_holder(tx, &book_key(&key, &prefix))? {
                holders.insert((s.name.to_lowercase(), IpVersion::of(prefix.addr())), u);
            }
        }
    }
    Ok(holders)
}

/// The domain's view of [`holders_by_subnet`].
fn holder_lookup(
    holders: &HashMap<(String, IpVersion), String>,
) -> impl Fn(&str, IpVersion) -> Option<String> + '_ {
    |name, version| holders.get(&(name.to_lowercase(), version)).cloned()
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<VnetView, AppError> {
    let vnet = Stored::<VirtualNetwork>::from(rec)?;
    let mut subnet_users = Vec::with_capacity(vnet.value.subnets.len());
    let mut endpoints = endpoints_by_subnet(tx, &rec.key)?;
    for s in &vnet.value.subnets {
        let key = subnet_key(&rec.key, &s.name);
        let here = endpoints.remove(&key).unwrap_or_default();
        subnet_users.push(users_of(tx, &key, here)?);
    }
    Ok(VnetView { vnet, subnet_users })
}

/// Where the network security groups and route tables the subnets name live.
fn locate_linked<'a>(
    tx: &mut dyn Tx,
    subnets: impl IntoIterator<Item = &'a SubnetSpec>,
) -> Result<Located, AppError> {
    let mut located = Located::new();
    for s in subnets {
        for id in [&s.network_security_group, &s.route_table]
            .into_iter()
            .flatten()
        {
            if let Some(location) = locate(tx, id)? {
                located.insert(id.key().to_string(), location);
            }
        }
    }
    Ok(located)
}

/// What a stored network links: its subnets' security groups and route tables.
fn refs_of(vnet_id: &ResourceId, v: &VirtualNetwork) -> Result<Vec<Ref>, AppError> {
    let mut refs = Vec::new();
    for s in &v.subnets {
        let from = vnet_id.child("subnets", &s.name);
        for to in [&s.network_security_group, &s.route_table]
            .into_iter()
            .flatten()
        {
            refs.push(super::linked_ref(vnet_id, &from, to)?);
        }
    }
    Ok(refs)
}

/// Writes a network and what it links.
fn save_vnet(
    tx: &mut dyn Tx,
    id: &ResourceId,
    existing: Option<&Record>,
    next: &VirtualNetwork,
) -> Result<Record, AppError> {
    let rec = save(tx, id, existing, &next.common.location, next)?;
    let refs = refs_of(&ResourceId::parse(&rec.id)?, next)?;
    super::set_own_refs(tx, &rec.key, existing.is_none(), &refs)?;
    Ok(rec)
}

/// Forgets the address books of the prefixes a write released (they held nothing).
fn forget_released(
    tx: &mut dyn Tx,
    vnet_key: &str,
    released: &[ReleasedPrefix],
) -> Result<(), AppError> {
    for r in released {
        tx.ipam_drop(&book_key(&subnet_key(vnet_key, &r.subnet), &r.prefix))?;
    }
    Ok(())
}

/// What a network's DELETE locks: itself and its subnets (a NIC or a load balancer takes an
/// address in one under the subnet's key, so the subnet's emptiness holds).
pub(crate) fn delete_locks(id: &ResourceId, v: &VirtualNetwork) -> Vec<String> {
    let mut keys = vec![id.key().to_string()];
    keys.extend(v.subnets.iter().map(|s| subnet_key(id.key(), &s.name)));
    keys
}

/// The locks of a subnet PUT of `spec`: the network (its record is rewritten), the subnet
/// and the security group and route table it links (which cannot be deleted while linked).
fn subnet_locks(vnet_key: &str, spec: &SubnetSpec) -> Vec<String> {
    let mut keys = vec![vnet_key.to_string(), subnet_key(vnet_key, &spec.name)];
    let linked = [&spec.network_security_group, &spec.route_table];
    keys.extend(linked.into_iter().flatten().map(|l| l.key().to_string()));
    keys
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

    /// The network and every subnet it names, with what they link; [`Kind::state_locks`]
    /// adds the subnets it has (a PUT may drop or resize them).
    fn put_locks(id: &ResourceId, spec: &VnetSpec) -> Option<Vec<String>> {
        let mut keys = vec![id.key().to_string()];
        for s in spec.subnets.iter().flatten() {
            keys.extend(subnet_locks(id.key(), s));
        }
        Some(keys)
    }

    fn state_locks(
        _tx: &mut dyn Tx,
        id: &ResourceId,
        old: Option<&VirtualNetwork>,
        _spec: &VnetSpec,
    ) -> Result<Vec<String>, AppError> {
        Ok(old.map_or_else(|| vec![id.key().to_string()], |v| delete_locks(id, v)))
    }

    const LOCKS_FROM_STATE: bool = true;

    fn put(
        tx: &mut dyn Tx,
        _env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, VirtualNetwork)>,
        spec: VnetSpec,
    ) -> Result<VirtualNetwork, AppError> {
        let holders = match existing {
            Some((rec, v)) => holders_by_subnet(tx, rec, v)?,
            None => HashMap::new(),
        };
        let linked = locate_linked(tx, spec.subnets.iter().flatten())?;
        let write = vnet::put_vnet(
            id,
            existing.map(|(_, v)| v),
            spec,
            &holder_lookup(&holders),
            &linked,
            &uuid::Uuid::new_v4().to_string(),
            &new_etag(),
        )?;
        forget_released(tx, id.key(), &write.released)?;
        tx.set_refs(id.key(), &refs_of(id, &write.vnet)?)?;
        Ok(write.vnet)
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
        let keys = subnet_locks(vnet_id.key(), &spec);
        self.write_under(keys, move |tx| {
            let (rec, v) = require::<VirtualNetwork>(tx, &vnet_id)?;
            let current = v.subnet(&spec.name).map(|s| s.etag.clone());
            pre.check(current.as_deref())?;
            let holders = holders_by_subnet(tx, &rec, &v)?;
            let linked = locate_linked(tx, [&spec])?;
            let (write, created) = vnet::put_subnet(
                &vnet_id,
                &v,
                spec.clone(),
                &holder_lookup(&holders),
                &linked,
                &new_etag(),
            )?;
            forget_released(tx, &rec.key, &write.released)?;
            let next = write.vnet;
            let rec = save_vnet(tx, &vnet_id, Some(&rec), &next)?;
            let sub_id = vnet_id.child("subnets", &spec.name);
            let op = ops.network(&sub_id, &next.common.location);
            crate::operations::keep(tx, &op)?;
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
        let keys = vec![vnet_id.key().to_string(), subnet_key(vnet_id.key(), &name)];
        self.write_under(keys, move |tx| {
            let (rec, v) = require::<VirtualNetwork>(tx, &vnet_id)?;
            pre.check(v.subnet(&name).map(|s| s.etag.as_str()))?;
            let holders = holders_by_subnet(tx, &rec, &v)?;
            let Some(write) = vnet::delete_subnet(&v, &name, &holder_lookup(&holders))? else {
                return Ok(None);
            };
            forget_released(tx, &rec.key, &write.released)?;
            let next = write.vnet;
            save_vnet(tx, &vnet_id, Some(&rec), &next)?;
            let op = ops.network(&vnet_id.child("subnets", &name), &v.common.location);
            crate::operations::keep(tx, &op)?;
            Ok(Some(op))
        })
        .await
    }
}

pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    let v: VirtualNetwork = crate::records::from_record(rec)?;
    let holders = holders_by_subnet(tx, rec, &v)?;
    let released = vnet::delete_vnet(&v, &holder_lookup(&holders))?;
    forget_released(tx, &rec.key, &released)?;
    crate::dns::network_deleted(tx, &rec.key)?;
    tx.set_refs(&rec.key, &[])?;
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
    let key = subnet_key(&rec.key, &s.name);
    let endpoints = tx.refs_to(&key, RefKind::PrivateEndpoint)?;
    Ok(SubnetView {
        vnet_id: rec.id.clone(),
        subnet: s.clone(),
        users: users_of(tx, &key, endpoints.into_iter().map(|r| r.from_id).collect())?,
    })
}

impl App {
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

/// The DNS suffix Azure-provided name resolution gives a virtual network's VMs
/// (`dnsSettings.internalDomainNameSuffix` of each of its NICs): one per network, the same on
/// every server, shaped as Azure's (26 lower-case letters and digits, then
/// `.bx.internal.cloudapp.net`).
pub fn internal_domain_suffix(vnet_key: &str) -> String {
    // Pages of NICs and bursts of creates name one network again and again.
    thread_local! {
        static LAST: std::cell::RefCell<(String, String)> = const {
            std::cell::RefCell::new((String::new(), String::new()))
        };
    }
    LAST.with_borrow_mut(|(key, suffix)| {
        if key != vnet_key {
            let mut n = uuid::Uuid::new_v5(&SUFFIX_NAMESPACE, vnet_key.as_bytes()).as_u128();
            let mut label = String::with_capacity(26 + 25);
            for _ in 0..26 {
                label.push(char::from_digit((n % 36) as u32, 36).expect("a base-36 digit"));
                n /= 36;
            }
            label.push_str(".bx.internal.cloudapp.net");
            *key = vnet_key.to_string();
            *suffix = label;
        }
        suffix.clone()
    })
}

const SUFFIX_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x3f0c_55d2_8a41_4c6e_b2f7_19d4_6e0a_7c31);

#[cfg(test)]
mod suffix_tests {
    use super::internal_domain_suffix;

    #[test]
    fn a_network_has_one_suffix_shaped_as_azures() {
        let a = internal_domain_suffix(
            "/subscriptions/s/resourcegroups/g/providers/microsoft.network/virtualnetworks/a",
        );
        let b = internal_domain_suffix(
            "/subscriptions/s/resourcegroups/g/providers/microsoft.network/virtualnetworks/b",
        );
        assert_ne!(a, b);
        assert_eq!(
            a,
            internal_domain_suffix(
                "/subscriptions/s/resourcegroups/g/providers/microsoft.network/virtualnetworks/a"
            )
        );
        let (label, rest) = a.split_once('.').unwrap();
        assert_eq!(rest, "bx.internal.cloudapp.net");
        assert_eq!(label.len(), 26);
        assert!(label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    }
}
