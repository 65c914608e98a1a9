//! Public IP address use cases. Addresses come from the configured public pool, managed by
//! the same address book as private ones (the pool is one more "subnet").

use super::{decode_conflict, first_user, Stored, PUBLIC_IP};
use crate::records::{all_in_region, from_record};
use crate::{App, AppError};
use cerulean_domain::id::{fold, ResourceId};
use cerulean_domain::ipam;
use cerulean_domain::network::public_ip::{self, AddressChange, PublicIp, PublicIpSpec};
use cerulean_domain::network::{IpVersion, Sku};
use cerulean_store::{Record, RefKind, Tx};
use ipnet::IpNet;

#[derive(Clone, Debug)]
pub struct PublicIpView {
    pub public_ip: Stored<PublicIp>,
    /// The IP configuration or frontend using it.
    pub used_by: Option<String>,
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<PublicIpView, AppError> {
    Ok(PublicIpView {
        public_ip: Stored::from(rec)?,
        used_by: first_user(tx, &rec.key, RefKind::PublicIp)?,
    })
}

/// The public pool of one IP version, as an address-book "subnet".
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pools {
    pub v4: IpNet,
    pub v6: IpNet,
}

impl Pools {
    /// The address book of one version's pool (also the write lock of its address book).
    pub(crate) fn book(v: IpVersion) -> &'static str {
        match v {
            IpVersion::IPv4 => "public:ipv4",
            IpVersion::IPv6 => "public:ipv6",
        }
    }

    fn of(&self, v: IpVersion) -> (&'static str, IpNet) {
        let prefix = match v {
            IpVersion::IPv4 => self.v4,
            IpVersion::IPv6 => self.v6,
        };
        (Self::book(v), prefix)
    }

    /// Takes an address from the pool for `owner` (the public IP's id).
    pub(crate) fn assign(
        &self,
        tx: &mut dyn Tx,
        v: IpVersion,
        owner: &str,
    ) -> Result<String, AppError> {
        let (key, prefix) = self.of(v);
        let addr = ipam::allocate_dynamic(&mut super::TxBook(tx), key, prefix, owner, key)?;
        Ok(ipam::address_text(addr))
    }

    pub(crate) fn release(
        &self,
        tx: &mut dyn Tx,
        v: IpVersion,
        address: &str,
    ) -> Result<(), AppError> {
        let (key, prefix) = self.of(v);
        match address.parse() {
            Ok(a) => ipam::release(&mut super::TxBook(tx), key, prefix, a),
            Err(_) => Ok(()),
        }
    }
}

/// Public IPs of this SKU in the subscription and region, other than `id` itself.
fn count_same_sku(
    tx: &mut dyn Tx,
    id: &ResourceId,
    location: &str,
    sku: Sku,
) -> Result<usize, AppError> {
    let all = all_in_region::<PublicIp>(tx, &fold(id.subscription()), PUBLIC_IP, location)?;
    Ok(all
        .iter()
        .filter(|(r, p)| r.key != id.key() && p.sku == sku)
        .count())
}

pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record, pools: &Pools) -> Result<(), AppError> {
    let id = ResourceId::parse(&rec.id)?;
    let pip: PublicIp = from_record(rec)?;
    public_ip::check_delete(&id, first_user(tx, &rec.key, RefKind::PublicIp)?.as_deref())?;
    if let Some(a) = &pip.ip_address {
        pools.release(tx, pip.version, a)?;
    }
    tx.delete(&rec.key)?;
    Ok(())
}

/// What a public IP's DELETE locks: itself, and its pool's address book if it holds an
/// address there.
pub(crate) fn delete_locks(id: &ResourceId, pip: &PublicIp) -> Vec<String> {
    let mut keys = vec![id.key().to_string()];
    if pip.ip_address.is_some() {
        keys.push(Pools::book(pip.version).to_string());
    }
    keys
}

/// The lock of the quota a public IP counts against: every public IP of its subscription and
/// region (of any SKU: a PUT may change it).
fn quota_lock(id: &ResourceId, location: &str) -> String {
    format!("quota:publicip:{}:{location}", fold(id.subscription()))
}

fn region_of(location: Option<&str>) -> &'static str {
    location
        .and_then(cerulean_domain::region::normalize)
        .unwrap_or_default()
}

impl App {
    pub(crate) fn pools(&self) -> Pools {
        Pools {
            v4: self.config.public_pool_v4,
            v6: self.config.public_pool_v6,
        }
    }
}

/// Public IP addresses on the tracked-resource path.
pub struct PublicIps;

impl crate::tracked::Kind for PublicIps {
    const KIND: &'static str = PUBLIC_IP;
    type Value = PublicIp;
    type Spec = PublicIpSpec;
    type View = PublicIpView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<PublicIpView, AppError> {
        view(tx, rec)
    }

    /// The public IP, the quota of its region (two creates racing for its last place) and
    /// the address book of the pool it takes an address from or gives one back to. Whatever
    /// uses a public IP (a NIC, a load balancer, a VM bringing it up) locks its key.
    fn put_locks(id: &ResourceId, spec: &PublicIpSpec) -> Option<Vec<String>> {
        let location = region_of(spec.common.location.as_deref());
        let version = spec.version.unwrap_or(IpVersion::IPv4);
        Some(vec![
            id.key().to_string(),
            quota_lock(id, location),
            Pools::book(version).to_string(),
        ])
    }

    fn state_locks(
        _tx: &mut dyn Tx,
        id: &ResourceId,
        old: Option<&PublicIp>,
        spec: &PublicIpSpec,
    ) -> Result<Vec<String>, AppError> {
        let mut keys = Self::put_locks(id, spec).unwrap_or_default();
        if let Some(old) = old {
            keys.extend(delete_locks(id, old));
            keys.push(quota_lock(id, &old.common.location));
        }
        Ok(keys)
    }

    fn put(
        tx: &mut dyn Tx,
        env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, PublicIp)>,
        spec: PublicIpSpec,
    ) -> Result<PublicIp, AppError> {
        let old = existing.map(|(_, p)| p);
        let location = region_of(spec.common.location.as_deref());
        let sku = spec.sku.or(old.map(|p| p.sku)).unwrap_or(Sku::Basic);
        let same = count_same_sku(tx, id, location, sku)?;
        let (mut next, change) = public_ip::put(
            id,
            old,
            spec,
            same,
            env.config.public_ip_quota,
            &uuid::Uuid::new_v4().to_string(),
        )?;
        match change {
            AddressChange::Keep => {}
            AddressChange::Assign => {
                next.ip_address = Some(
                    env.pools
                        .assign(tx, next.version, id.as_str())
                        .map_err(|e| decode_conflict(e, "public IP address"))?,
                )
            }
            AddressChange::Release(a) => env.pools.release(tx, next.version, &a)?,
        }
        Ok(next)
    }
}
