//! Microsoft.Network use cases. Shared here: loading and saving records, resolving the
//! references a rule needs into the domain's `*Info` values, and running address moves
//! against the store's address book.

pub mod ip_availability;
pub mod load_balancers;
pub mod nics;
pub mod public_ips;
mod purge;
pub mod usages;
pub mod vnets;

use crate::records::{from_record, new_etag, to_record};
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::ipam::{self, AddressBook};
use cerulean_domain::network::address::AddressMove;
use cerulean_domain::network::load_balancer::LoadBalancer;
use cerulean_domain::network::nic::{
    NatRuleInfo, NetworkInterface, PoolInfo, PublicIpInfo, SubnetInfo,
};
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::vnet::VirtualNetwork;
use cerulean_domain::DomainError;
use cerulean_store::{Record, Ref, RefKind, StoreError, Tx};
use ipnet::IpNet;
pub(crate) use purge::{purge_any, purge_locks};
use serde::{de::DeserializeOwned, Serialize};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

pub const VNET: &str = "microsoft.network/virtualnetworks";
pub const NIC: &str = "microsoft.network/networkinterfaces";
pub const PUBLIC_IP: &str = "microsoft.network/publicipaddresses";
pub const LOAD_BALANCER: &str = "microsoft.network/loadbalancers";

/// A stored resource as the edge presents it.
#[derive(Clone, Debug)]
pub struct Stored<T> {
    pub id: String,
    pub etag: String,
    pub value: T,
}

impl<T: DeserializeOwned> Stored<T> {
    pub(crate) fn from(rec: &Record) -> Result<Self, AppError> {
        Ok(Stored {
            id: rec.id.clone(),
            etag: rec.etag.clone(),
            value: from_record(rec)?,
        })
    }
}

pub(crate) fn not_found(id: &ResourceId) -> AppError {
    let type_path = format!(
        "{}/{}",
        id.namespace().unwrap_or_default(),
        id.segments().map(|(t, _)| t).collect::<Vec<_>>().join("/")
    );
    let name = id.segments().map(|(_, n)| n).collect::<Vec<_>>().join("/");
    DomainError::ResourceNotFound {
        type_path,
        name,
        group: id.group_name().unwrap_or_default().to_string(),
    }
    .into()
}

/// A modelled resource type: the kind (lower-case type path) its records carry.
pub trait Kind: DeserializeOwned {
    const KIND: &'static str;
}

impl Kind for VirtualNetwork {
    const KIND: &'static str = VNET;
}
impl Kind for NetworkInterface {
    const KIND: &'static str = NIC;
}
impl Kind for PublicIp {
    const KIND: &'static str = PUBLIC_IP;
}
impl Kind for LoadBalancer {
    const KIND: &'static str = LOAD_BALANCER;
}

/// Loads a record of type `T` and decodes it, if it exists. An id of another type names no
/// `T`: its type is checked from the id before anything is read, so a record of another
/// kind is never decoded as a `T` (a reference of the wrong type was once a 500).
pub(crate) fn load<T: Kind>(
    tx: &mut dyn Tx,
    id: &ResourceId,
) -> Result<Option<(Record, T)>, AppError> {
    if id.kind_key() != T::KIND || id.group_name().is_none() {
        return Ok(None);
    }
    match tx.get(id.key())? {
        Some(rec) if rec.kind == T::KIND => {
            let v = from_record(&rec)?;
            Ok(Some((rec, v)))
        }
        _ => Ok(None),
    }
}

/// Where a resource of any type lives, if it exists: what a reference to a type cerulean
/// does not model (a network security group, a route table) is checked against.
pub(crate) fn locate(tx: &mut dyn Tx, id: &ResourceId) -> Result<Option<String>, AppError> {
    if id.group_name().is_none() {
        return Ok(None);
    }
    Ok(tx
        .get(id.key())?
        .filter(|r| r.kind == id.kind_key())
        .map(|r| r.location.unwrap_or_default()))
}

/// `from` (a NIC, or a subnet of the network `owner`) links the generic resource `to` (a
/// network security group or route table), which then cannot be deleted.
pub(crate) fn linked_ref(owner: &ResourceId, from: &ResourceId, to: &str) -> Result<Ref, AppError> {
    Ok(Ref {
        from_key: from.key().to_string(),
        from_id: from.to_string(),
        to_key: ResourceId::parse(to)?.key().to_string(),
        kind: RefKind::Linked,
        owner_key: owner.key().to_string(),
    })
}

/// Loads a record that must exist (404 `ResourceNotFound`, or `ResourceGroupNotFound` when
/// the group itself is missing).
pub(crate) fn require<T: Kind>(tx: &mut dyn Tx, id: &ResourceId) -> Result<(Record, T), AppError> {
    if let Some(found) = load(tx, id)? {
        return Ok(found);
    }
    if let Some(g) = id.group_id() {
        crate::groups::require_group(tx, &g)?;
    }
    Err(not_found(id))
}

/// Writes a resource, keeping the spelling of its id from the first PUT.
pub(crate) fn save<T: Serialize>(
    tx: &mut dyn Tx,
    id: &ResourceId,
    existing: Option<&Record>,
    location: &str,
    value: &T,
) -> Result<Record, AppError> {
    let stored_id = match existing {
        Some(r) => ResourceId::parse(&r.id)?,
        None => id.clone(),
    };
    let rec = to_record(&stored_id, location, value, new_etag());
    tx.write_over(&rec, existing.map(|r| r.etag.as_str()))?;
    Ok(rec)
}

/// The first referrer of `kind` pointing at `key`, by id.
pub(crate) fn first_user(
    tx: &mut dyn Tx,
    key: &str,
    kind: RefKind,
) -> Result<Option<String>, AppError> {
    Ok(tx.refs_to(key, kind)?.into_iter().next().map(|r| r.from_id))
}

/// Writes the references `owner` holds. A resource's references go with it (`purge`), so
/// one being created owns none: an empty set for it writes nothing (a statement saved on
/// every create, a round trip on PostgreSQL).
pub(crate) fn set_own_refs(
    tx: &mut dyn Tx,
    owner: &str,
    created: bool,
    refs: &[Ref],
) -> Result<(), StoreError> {
    if created && refs.is_empty() {
        return Ok(());
    }
    tx.set_refs(owner, refs)
}

/// Resolves a subnet id into what NICs and load balancers need to know of it.
pub(crate) fn subnet_info(
    tx: &mut dyn Tx,
    subnet_id: &ResourceId,
) -> Result<Option<SubnetInfo>, AppError> {
    let Some(vnet_id) = subnet_id.parent() else {
        return Ok(None);
    };
    if vnet_id.kind_key() != VNET || vnet_id.group_name().is_none() {
        return Ok(None);
    }
    let Some(rec) = tx.get(vnet_id.key())?.filter(|r| r.kind == VNET) else {
        return Ok(None);
    };
    let vnet = decoded_subnets(&rec)?;
    let name = subnet_id.name();
    let Some(s) = vnet
        .subnets
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
    else {
        return Ok(None);
    };
    Ok(Some(SubnetInfo {
        id: [&rec.id, "/subnets/", &s.name].concat(),
        prefixes: cerulean_domain::network::vnet::parse_prefixes(&s.address_prefixes),
        name: s.name.clone(),
        vnet_key: rec.key,
        location: vnet.common.location.clone(),
    }))
}

/// Networks' records as last decoded by [`subnet_info`], each with the body it was decoded
/// from. A NIC create decodes its network's record inside the writer's job, where every
/// microsecond is serial; creates in one network find the same body again and again. The
/// entry is used only when the body read is byte for byte the one decoded (so it is exact
/// whatever store, server or write came between); past `DECODED_MAX` entries all are
/// forgotten, and a body over `DECODED_MAX_BODY` is not kept.
static DECODED: std::sync::LazyLock<Mutex<cerulean_domain::IdMap<Decoded>>> =
    std::sync::LazyLock::new(Default::default);
/// A network's body and what was decoded from it.
type Decoded = (String, Arc<VnetSubnets>);
const DECODED_MAX: usize = 256;
const DECODED_MAX_BODY: usize = 64 << 10;

fn decoded_subnets(rec: &Record) -> Result<Arc<VnetSubnets>, AppError> {
    if let Some((body, v)) = DECODED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&rec.key)
    {
        if *body == rec.body {
            return Ok(v.clone());
        }
    }
    let v: Arc<VnetSubnets> = Arc::new(from_record(rec)?);
    if rec.body.len() > DECODED_MAX_BODY {
        return Ok(v);
    }
    let mut cache = DECODED.lock().unwrap_or_else(PoisonError::into_inner);
    if cache.len() >= DECODED_MAX {
        cache.clear();
    }
    cache.insert(rec.key.clone(), (rec.body.clone(), v.clone()));
    Ok(v)
}

/// What [`subnet_info`] reads of a virtual network's record: its region and its subnets'
/// names and prefixes, decoded without the rest (tags, etags, references, unmodelled
/// properties). A create decodes its network's record inside the writer's job, where every
/// microsecond is serial; as `VirtualNetwork` does (`vnet.rs`), a name matches case-blind
/// and prefixes are parsed by `vnet::parse_prefixes`.
#[derive(serde::Deserialize)]
struct VnetSubnets {
    common: VnetRegion,
    subnets: Vec<SubnetPrefixes>,
}

#[derive(serde::Deserialize)]
struct VnetRegion {
    location: String,
}

#[derive(serde::Deserialize)]
struct SubnetPrefixes {
    name: String,
    address_prefixes: Vec<String>,
}

pub(crate) fn public_ip_info(
    tx: &mut dyn Tx,
    id: &ResourceId,
) -> Result<Option<PublicIpInfo>, AppError> {
    let Some((rec, pip)) = load::<PublicIp>(tx, id)? else {
        return Ok(None);
    };
    Ok(Some(PublicIpInfo {
        id: rec.id.clone(),
        location: pip.common.location.clone(),
        version: pip.version,
        sku: pip.sku,
        used_by: first_user(tx, &rec.key, RefKind::PublicIp)?,
    }))
}

/// The virtual network a load balancer's backends are tied to: its internal frontends',
/// else that of a backend (a pool member or a NAT rule's target) that `owner_key` (the NIC
/// being written) does not own.
fn backend_vnet(
    tx: &mut dyn Tx,
    lb_key: &str,
    lb: &LoadBalancer,
    owner_key: &str,
) -> Result<Option<String>, AppError> {
    if let Some(v) = lb.vnet_key() {
        return Ok(Some(v));
    }
    for (key, kind) in load_balancers::backend_keys(lb_key, lb) {
        for member in tx.refs_to(&key, kind)? {
            if member.owner_key == owner_key {
                continue;
            }
            // The member's virtual network is its IP configuration's subnet's.
            let nic_id = ResourceId::parse(&member.owner_key)?;
            let Some((_, nic)) = load::<NetworkInterface>(tx, &nic_id)? else {
                continue;
            };
            let config = nic
                .ip_configurations
                .iter()
                .find(|c| nic_id.child("ipConfigurations", &c.name).key() == member.from_key);
            if let Some(c) = config {
                return Ok(ResourceId::parse(&c.subnet)?
                    .parent()
                    .map(|v| v.key().to_string()));
            }
        }
    }
    Ok(None)
}

/// Resolves a backend pool, tied to its load balancer's backends' virtual network.
pub(crate) fn pool_info(
    tx: &mut dyn Tx,
    pool_id: &ResourceId,
    owner_key: &str,
) -> Result<Option<PoolInfo>, AppError> {
    let Some(lb_id) = pool_id.parent() else {
        return Ok(None);
    };
    let Some((lb_rec, lb)) = load::<LoadBalancer>(tx, &lb_id)? else {
        return Ok(None);
    };
    let Some(pool) = lb
        .pools
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(pool_id.name()))
    else {
        return Ok(None);
    };
    let rules = cerulean_domain::network::lb_rules::rules_to_pool(
        &ResourceId::parse(&lb_rec.id)?,
        &load_balancers::stored_rules(&lb),
        &pool.name,
    );
    Ok(Some(PoolInfo {
        id: format!("{}/backendAddressPools/{}", lb_rec.id, pool.name),
        location: lb.common.location.clone(),
        vnet_key: backend_vnet(tx, &lb_rec.key, &lb, owner_key)?,
        rules,
        public: lb.is_public(),
    }))
}

/// Resolves an inbound NAT rule: its virtual network as a pool's, and the IP configuration
/// it forwards to.
pub(crate) fn nat_rule_info(
    tx: &mut dyn Tx,
    rule_id: &ResourceId,
    owner_key: &str,
) -> Result<Option<NatRuleInfo>, AppError> {
    let Some(lb_id) = rule_id.parent() else {
        return Ok(None);
    };
    let Some((lb_rec, lb)) = load::<LoadBalancer>(tx, &lb_id)? else {
        return Ok(None);
    };
    let Some((name, backend)) = load_balancers::nat_rule_backend(&lb, rule_id.name()) else {
        return Ok(None);
    };
    let key = load_balancers::nat_rule_key(&lb_rec.key, &name);
    Ok(Some(NatRuleInfo {
        id: format!("{}/inboundNatRules/{name}", lb_rec.id),
        location: lb.common.location.clone(),
        vnet_key: backend_vnet(tx, &lb_rec.key, &lb, owner_key)?,
        used_by: first_user(tx, &key, RefKind::InboundNatRule)?,
        backend,
        public: lb.is_public(),
    }))
}

/// The store's address book, as the domain's IPAM algorithm sees it.
pub(crate) struct TxBook<'a>(pub &'a mut dyn Tx);

impl AddressBook for TxBook<'_> {
    type Error = AppError;
    fn mark(&mut self, subnet: &str) -> Result<u128, AppError> {
        Ok(self.0.ipam_mark(subnet)?)
    }
    fn set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), AppError> {
        Ok(self.0.ipam_set_mark(subnet, mark)?)
    }
    fn lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, AppError> {
        Ok(self.0.ipam_lowest_released(subnet)?)
    }
    fn remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, AppError> {
        Ok(self.0.ipam_remove_released(subnet, offset)?)
    }
    fn add_released(&mut self, subnet: &str, offset: u128) -> Result<(), AppError> {
        Ok(self.0.ipam_add_released(subnet, offset)?)
    }
    fn owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, AppError> {
        Ok(self.0.ipam_owner(subnet, offset)?)
    }
    fn claim(&mut self, subnet: &str, offset: u128, owner: &str) -> Result<(), AppError> {
        Ok(self.0.ipam_claim(subnet, offset, owner)?)
    }
    fn claim_if_free(&mut self, subnet: &str, offset: u128, owner: &str) -> Result<bool, AppError> {
        Ok(self.0.ipam_claim_if_free(subnet, offset, owner)?)
    }
    fn free(&mut self, subnet: &str, offset: u128) -> Result<(), AppError> {
        Ok(self.0.ipam_free(subnet, offset)?)
    }
    fn start(&mut self, subnet: &str) -> Result<ipam::Start, AppError> {
        Ok(self.0.ipam_start(subnet)?)
    }
    fn claim_and_mark(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
        mark: u128,
    ) -> Result<bool, AppError> {
        Ok(self.0.ipam_claim_and_mark(subnet, offset, owner, mark)?)
    }
}

/// The address book of one prefix of a subnet. Offsets count from each prefix's own
/// network address, so a dual-stack subnet's IPv4 and IPv6 prefixes need separate books:
/// sharing one made `10.0.0.4` and `fd00::4` the same offset (one blocked the other).
pub(crate) fn book_key(subnet_key: &str, prefix: &IpNet) -> String {
    match prefix {
        IpNet::V4(_) => subnet_key.to_string(),
        IpNet::V6(_) => format!("{subnet_key}{IPV6_BOOK}"),
    }
}

/// What a subnet's IPv6 address book adds to its key.
const IPV6_BOOK: &str = "#ipv6";

/// The ids of the IP configurations (of NICs and load balancer frontends) using a subnet,
/// in key order: the holders of its addresses, at most `limit` of each IP version. An
/// IP configuration in a subnet always holds an address of it, so nothing else records
/// who uses a subnet.
pub(crate) fn subnet_users(
    tx: &mut dyn Tx,
    subnet_key: &str,
    limit: usize,
) -> Result<Vec<String>, AppError> {
    let mut users: Vec<String> = tx
        .ipam_holders(subnet_key, limit)?
        .into_iter()
        .chain(tx.ipam_holders(&format!("{subnet_key}{IPV6_BOOK}"), limit)?)
        .map(|(_, owner)| owner)
        .collect();
    users.sort_by_cached_key(|u| cerulean_domain::id::fold(u));
    Ok(users)
}

/// One holder of an address in an address book (see [`book_key`]), if it has any.
pub(crate) fn first_holder(tx: &mut dyn Tx, book: &str) -> Result<Option<String>, AppError> {
    Ok(tx
        .ipam_holders(book, 1)?
        .into_iter()
        .next()
        .map(|(_, owner)| owner))
}

/// Runs address moves in order; `assigned(config, address)` receives every address a
/// claim or allocation hands out.
pub(crate) fn run_moves(
    tx: &mut dyn Tx,
    moves: &[AddressMove],
    mut assigned: impl FnMut(usize, IpAddr),
) -> Result<(), AppError> {
    let mut book = TxBook(tx);
    for m in moves {
        match m {
            AddressMove::Release {
                subnet_key,
                prefix,
                address,
            } => ipam::release(&mut book, &book_key(subnet_key, prefix), *prefix, *address)?,
            AddressMove::Claim {
                config,
                subnet_key,
                prefix,
                address,
                owner,
                ..
            } => {
                let key = book_key(subnet_key, prefix);
                ipam::claim_static(&mut book, &key, *prefix, *address, owner)?;
                assigned(*config, *address);
            }
            AddressMove::Allocate {
                config,
                subnet_key,
                subnet_name,
                prefix,
                owner,
            } => {
                let key = book_key(subnet_key, prefix);
                let a = ipam::allocate_dynamic(&mut book, &key, *prefix, owner, subnet_name)?;
                assigned(*config, a);
            }
        }
    }
    Ok(())
}

/// A lost race on a unique index reads like the rule it enforces.
pub(crate) fn decode_conflict(e: AppError, what: &str) -> AppError {
    match e {
        AppError::Store(StoreError::Conflict { constraint }) => {
            tracing::debug!(constraint, what, "concurrent write lost on a unique index");
            DomainError::ConcurrentConflict {
                what: what.to_string(),
            }
            .into()
        }
        other => other,
    }
}

/// Tracked resources: their name, location and tags (`crate::tracked`).
pub trait Tracked: Serialize + Kind + Send + 'static {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common;
}

impl Tracked for VirtualNetwork {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}
impl Tracked for PublicIp {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}
impl Tracked for LoadBalancer {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}
impl Tracked for cerulean_domain::network::nic::NetworkInterface {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}
impl Tracked for cerulean_domain::compute::disk::Disk {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}
impl Tracked for cerulean_domain::compute::availability_set::AvailabilitySet {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}
impl Tracked for cerulean_domain::compute::vm::VirtualMachine {
    fn common_mut(&mut self) -> &mut cerulean_domain::network::Common {
        &mut self.common
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vnet_record(key: &str, subnet: &str) -> Record {
        Record {
            key: key.into(),
            id: key.into(),
            kind: VNET.into(),
            subscription: "s1".into(),
            group_key: Some("/subscriptions/s1/resourcegroups/g".into()),
            location: Some("eastus".into()),
            body: format!(
                r#"{{"common":{{"location":"eastus"}},"subnets":[{{"name":"{subnet}","address_prefixes":["10.0.0.0/24"]}}]}}"#
            ),
            etag: "W/\"1\"".into(),
        }
    }

    /// A network decoded once is decoded again when its body changed, even under the same
    /// key and etag (another store in the same process, a write that kept the etag).
    #[test]
    fn a_changed_body_is_decoded_again() {
        let key = format!("/vnet-{}", uuid::Uuid::new_v4());
        let first = decoded_subnets(&vnet_record(&key, "a")).unwrap();
        assert_eq!(first.subnets[0].name, "a");
        let again = decoded_subnets(&vnet_record(&key, "a")).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the same body is not decoded twice"
        );
        let changed = decoded_subnets(&vnet_record(&key, "b")).unwrap();
        assert_eq!(changed.subnets[0].name, "b");
    }
}
