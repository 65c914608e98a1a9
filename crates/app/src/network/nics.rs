//! Network interface use cases.

use super::{
    decode_conflict, load, locate, nat_rule_info, pool_info, public_ip_info, run_moves,
    subnet_info, Stored, NIC,
};
use crate::records::new_etag;
use crate::AppError;
use cerulean_domain::compute::vm::VirtualMachine;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::nic::{self, NetworkInterface, NicContext, NicSpec};
use cerulean_store::{Record, Ref, RefKind, Tx};
use std::collections::HashMap;

/// A NIC with what other resources say about it.
#[derive(Clone, Debug)]
pub struct NicView {
    pub nic: Stored<NetworkInterface>,
    /// The VM it is attached to, if any.
    pub virtual_machine: Option<String>,
    /// Whether that VM's network profile makes it the primary NIC.
    pub primary: Option<bool>,
    /// For a private endpoint's NIC, what its primary configuration connects to.
    pub link: Option<LinkProperties>,
}

/// What Azure shows on a private endpoint's NIC configuration
/// (`privateLinkConnectionProperties`): the sub-resource, its member and the names it
/// answers to (what scripts read to write their own DNS records).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkProperties {
    pub group_id: String,
    pub required_member_name: String,
    pub fqdns: Vec<String>,
}

/// The link properties of a NIC: read from its endpoint, for an endpoint's NIC only.
fn link_of(tx: &mut dyn Tx, nic: &NetworkInterface) -> Result<Option<LinkProperties>, AppError> {
    match &nic.private_endpoint {
        Some(endpoint) => crate::private_endpoints::link_properties(tx, endpoint),
        None => Ok(None),
    }
}

pub fn view(tx: &mut dyn Tx, rec: &Record) -> Result<NicView, AppError> {
    let nic = crate::records::from_record(rec)?;
    view_of(tx, rec, nic)
}

/// The view of a NIC whose record body is already decoded (or was just written).
fn view_of(tx: &mut dyn Tx, rec: &Record, nic: NetworkInterface) -> Result<NicView, AppError> {
    let virtual_machine = super::first_user(tx, &rec.key, RefKind::Attachment)?;
    let primary = match &virtual_machine {
        Some(vm_id) => primary_in(load_vm(tx, vm_id)?.as_ref(), &rec.id),
        None => None,
    };
    let link = link_of(tx, &nic)?;
    Ok(NicView {
        nic: Stored {
            id: rec.id.clone(),
            etag: rec.etag.clone(),
            value: nic,
        },
        virtual_machine,
        primary,
        link,
    })
}

fn load_vm(tx: &mut dyn Tx, vm_id: &str) -> Result<Option<VirtualMachine>, AppError> {
    Ok(load::<VirtualMachine>(tx, &ResourceId::parse(vm_id)?)?.map(|(_, vm)| vm))
}

/// Whether the VM's network profile makes the NIC `nic_id` its primary one.
fn primary_in(vm: Option<&VirtualMachine>, nic_id: &str) -> Option<bool> {
    vm.and_then(|vm| {
        vm.nics
            .iter()
            .find(|n| n.id.eq_ignore_ascii_case(nic_id))
            .map(|n| n.primary)
    })
}

/// The views of a page of NIC records (in key order), as [`view`] gives them one by one, with
/// one reference query for the whole page and each attached VM loaded once.
pub(crate) fn views(tx: &mut dyn Tx, recs: Vec<Record>) -> Result<Vec<NicView>, AppError> {
    let (Some(first), Some(last)) = (recs.first(), recs.last()) else {
        return Ok(Vec::new());
    };
    // Ordered by target, then referrer: the first per NIC is the one `first_user` picks.
    let attachments = tx.refs_to_range(&first.key, &last.key, RefKind::Attachment)?;
    let mut attached: HashMap<&str, &Ref> = HashMap::with_capacity(attachments.len());
    for r in &attachments {
        attached.entry(r.to_key.as_str()).or_insert(r);
    }
    let mut vms: HashMap<&str, Option<VirtualMachine>> = HashMap::new();
    let mut out = Vec::with_capacity(recs.len());
    for rec in recs {
        let (virtual_machine, primary) = match attached.get(rec.key.as_str()) {
            Some(r) => {
                if !vms.contains_key(r.from_key.as_str()) {
                    let vm = load_vm(tx, &r.from_id)?;
                    vms.insert(r.from_key.as_str(), vm);
                }
                let vm = vms.get(r.from_key.as_str()).and_then(Option::as_ref);
                (Some(r.from_id.clone()), primary_in(vm, &rec.id))
            }
            None => (None, None),
        };
        let value = crate::records::from_record(&rec)?;
        let link = link_of(tx, &value)?;
        out.push(NicView {
            nic: Stored {
                id: rec.id,
                etag: rec.etag,
                value,
            },
            virtual_machine,
            primary,
            link,
        });
    }
    Ok(out)
}

/// Resolves every reference of the request and of the stored NIC.
fn context(
    tx: &mut dyn Tx,
    nic_key: &str,
    existing: Option<&NetworkInterface>,
    spec: &NicSpec,
    max_ip_configs: usize,
) -> Result<NicContext, AppError> {
    let mut ctx = NicContext {
        max_ip_configs,
        ..Default::default()
    };
    // The stored NIC's subnets were checked when it was written: they parse.
    let old_subnets = existing
        .into_iter()
        .flat_map(|n| n.ip_configurations.iter())
        .filter_map(|c| ResourceId::parse(&c.subnet).ok());
    let new_subnets = spec
        .ip_configurations
        .iter()
        .filter_map(|c| c.subnet.clone());
    for id in old_subnets.chain(new_subnets) {
        if ctx.subnets.contains_key(id.key()) {
            continue;
        }
        if let Some(info) = subnet_info(tx, &id)? {
            ctx.subnets.insert(id.key().to_string(), info);
        }
    }
    for c in &spec.ip_configurations {
        if let Some(id) = &c.public_ip {
            if let Some(info) = public_ip_info(tx, id)? {
                ctx.public_ips.insert(id.key().to_string(), info);
            }
        }
        for id in &c.pools {
            if let Some(info) = pool_info(tx, id, nic_key)? {
                ctx.pools.insert(id.key().to_string(), info);
            }
        }
        for id in &c.nat_rules {
            if let Some(info) = nat_rule_info(tx, id, nic_key)? {
                ctx.nat_rules.insert(id.key().to_string(), info);
            }
        }
    }
    let asgs = spec.ip_configurations.iter().flat_map(|c| &c.asgs);
    for id in spec.network_security_group.iter().chain(asgs) {
        if ctx.linked.contains_key(id.key()) {
            continue;
        }
        if let Some(location) = locate(tx, id)? {
            ctx.linked.insert(id.key().to_string(), location);
        }
    }
    Ok(ctx)
}

/// The references a stored NIC holds: its network security group, the public IP, pools,
/// inbound NAT rules and application security groups of each configuration.
fn refs_of(id: &ResourceId, nic: &NetworkInterface) -> Result<Vec<Ref>, AppError> {
    let mut refs = Vec::new();
    if let Some(nsg) = &nic.network_security_group {
        refs.push(super::linked_ref(id, id, nsg)?);
    }
    for c in &nic.ip_configurations {
        let from = id.child("ipConfigurations", &c.name);
        let mut push = |raw: &str, kind: RefKind| -> Result<(), AppError> {
            refs.push(Ref {
                from_key: from.key().to_string(),
                from_id: from.to_string(),
                to_key: ResourceId::parse(raw)?.key().to_string(),
                kind,
                owner_key: id.key().to_string(),
            });
            Ok(())
        };
        // The subnet needs no reference: the address held in it says who uses it.
        if let Some(p) = &c.public_ip {
            push(p, RefKind::PublicIp)?;
        }
        for p in &c.pools {
            push(p, RefKind::BackendPool)?;
        }
        for r in &c.nat_rules {
            push(r, RefKind::InboundNatRule)?;
        }
        for a in &c.asgs {
            refs.push(super::linked_ref(id, &from, a)?);
        }
    }
    Ok(refs)
}

/// Removes a NIC inside a transaction: refused while attached or while the private endpoint
/// or link service that owns it exists; gives back its addresses.
pub(crate) fn purge(tx: &mut dyn Tx, rec: &Record) -> Result<(), AppError> {
    let id = ResourceId::parse(&rec.id)?;
    let nic: NetworkInterface = crate::records::from_record(rec)?;
    let owner = match nic.owner() {
        Some(o) if tx.get(ResourceId::parse(o.id())?.key())?.is_some() => Some(o),
        _ => None,
    };
    nic::check_delete(
        &id,
        super::first_user(tx, &rec.key, RefKind::Attachment)?.as_deref(),
        owner,
    )?;
    release(tx, rec, &nic)
}

/// Writes a private endpoint's NIC inside the endpoint's transaction, by the NIC's own rules
/// (`spec` names the endpoint, which makes it the NIC's owner).
///
/// A NIC of that name that is not the owner's stays its client's (400 `InvalidParameter`,
/// GUESS); the owner's NIC keeps its own tags (the owner's are not copied to it, as on Azure).
pub(crate) fn put_owned(
    tx: &mut dyn Tx,
    env: &crate::tracked::Env,
    id: &ResourceId,
    mut spec: NicSpec,
) -> Result<NetworkInterface, AppError> {
    use crate::tracked::Kind;
    let existing = load::<NetworkInterface>(tx, id)?;
    let (owner, what) = match (&spec.private_endpoint, &spec.private_link_service) {
        (Some(pe), _) => (pe.as_str(), "private endpoint"),
        (None, Some(pls)) => (pls.as_str(), "private link service"),
        (None, None) => ("", "resource"),
    };
    if let Some((_, nic)) = &existing {
        if !nic
            .owner()
            .is_some_and(|o| o.id().eq_ignore_ascii_case(owner))
        {
            // GUESS: the code and wording.
            return Err(cerulean_domain::DomainError::InvalidParameter {
                message: format!(
                    "Network interface {id} already exists; {what} {owner} cannot use it."
                ),
                target: None,
            }
            .into());
        }
    }
    spec.common.tags = Some(
        existing
            .as_ref()
            .map(|(_, n)| n.common.tags.clone())
            .unwrap_or_default(),
    );
    let next = Nics::put(tx, env, id, existing.as_ref(), spec)?;
    super::save(
        tx,
        id,
        existing.as_ref().map(|(r, _)| r),
        &next.common.location,
        &next,
    )?;
    Ok(next)
}

/// Deletes the NIC a private endpoint or link service owns, with its owner (`owner`'s
/// stored body), giving back its addresses.
pub(crate) fn purge_owned(
    tx: &mut dyn Tx,
    owner: &crate::generic::GenericResource,
) -> Result<(), AppError> {
    let Some(nic) = owner.owned_nic() else {
        return Ok(());
    };
    let Some(rec) = tx.get(ResourceId::parse(&nic)?.key())? else {
        return Ok(());
    };
    let nic: NetworkInterface = crate::records::from_record(&rec)?;
    release(tx, &rec, &nic)
}

/// Gives back a NIC's addresses, drops its references and deletes it.
fn release(tx: &mut dyn Tx, rec: &Record, nic: &NetworkInterface) -> Result<(), AppError> {
    let ctx = context(tx, &rec.key, Some(nic), &NicSpec::default(), usize::MAX)?;
    run_moves(tx, &nic::releases_on_delete(nic, &ctx), |_, _| {})?;
    tx.set_refs(&rec.key, &[])?;
    tx.delete(&rec.key)?;
    Ok(())
}

/// What a NIC's DELETE locks: what its PUT would hold, since the clean-up gives back its
/// addresses and drops its references to public IPs and pools (the attachment a VM holds
/// is under the NIC's own key).
pub(crate) fn delete_locks(
    tx: &mut dyn Tx,
    id: &ResourceId,
    nic: &NetworkInterface,
) -> Result<Vec<String>, AppError> {
    use crate::tracked::Kind;
    Nics::state_locks(tx, id, Some(nic), &NicSpec::default())
}

/// Network interfaces on the tracked-resource path.
pub struct Nics;

impl crate::tracked::Kind for Nics {
    const KIND: &'static str = NIC;
    type Value = NetworkInterface;
    type Spec = NicSpec;
    type View = NicView;

    fn view(tx: &mut dyn Tx, rec: &Record) -> Result<NicView, AppError> {
        view(tx, rec)
    }

    fn views(tx: &mut dyn Tx, recs: Vec<Record>) -> Result<Vec<NicView>, AppError> {
        views(tx, recs)
    }

    fn written_view(
        tx: &mut dyn Tx,
        rec: Record,
        value: NetworkInterface,
        created: bool,
    ) -> Result<NicView, AppError> {
        if !created {
            return view_of(tx, &rec, value);
        }
        // Only an existing NIC can be attached: a VM names NICs that exist.
        Ok(NicView {
            nic: Stored {
                id: rec.id,
                etag: rec.etag,
                value,
            },
            virtual_machine: None,
            primary: None,
            link: None,
        })
    }

    /// The NIC, every subnet it will hold an address in, every public IP, backend pool and
    /// inbound NAT rule it names: what two NIC writes can both change (addresses, exclusive
    /// references, pool membership); and the network and application security groups it
    /// links, which cannot be deleted while linked. A subnet's or pool's own write declares the subnet's or pool's key, a VM's
    /// PUT that attaches or detaches the NIC the NIC's key.
    fn put_locks(id: &ResourceId, spec: &NicSpec) -> Option<Vec<String>> {
        let mut keys = vec![id.key().to_string()];
        keys.extend(
            spec.network_security_group
                .iter()
                .map(|g| g.key().to_string()),
        );
        for c in &spec.ip_configurations {
            let named = c
                .subnet
                .iter()
                .chain(&c.public_ip)
                .chain(&c.pools)
                .chain(&c.nat_rules)
                .chain(&c.asgs);
            keys.extend(named.map(|r| r.key().to_string()));
            // Their load balancers: joining one may bring a second availability group
            // behind a Basic one (`compute::placement`).
            let lbs = c
                .pools
                .iter()
                .chain(&c.nat_rules)
                .filter_map(|r| r.parent());
            keys.extend(lbs.map(|l| l.key().to_string()));
        }
        Some(keys)
    }

    fn state_locks(
        tx: &mut dyn Tx,
        id: &ResourceId,
        old: Option<&NetworkInterface>,
        spec: &NicSpec,
    ) -> Result<Vec<String>, AppError> {
        let mut keys = vec![id.key().to_string()];
        // An attached NIC that uses public IPs or load balancers changes what its VM's
        // availability group uses: it takes turns with the group's other writes (its VM's
        // key, and the set's, which a VM's create in the set holds too).
        let uses = spec
            .ip_configurations
            .iter()
            .any(|c| c.public_ip.is_some() || !c.pools.is_empty() || !c.nat_rules.is_empty());
        if old.is_some() && uses {
            if let Some(vm) = super::first_user(tx, id.key(), RefKind::Attachment)? {
                let vm_id = ResourceId::parse(&vm)?;
                keys.push(vm_id.key().to_string());
                if let Some((_, v)) = super::load::<VirtualMachine>(tx, &vm_id)? {
                    keys.extend(
                        v.availability_set
                            .as_deref()
                            .and_then(crate::keyed::lock_of),
                    );
                }
            }
        }
        let nsg = old.and_then(|n| n.network_security_group.as_deref());
        keys.extend(nsg.and_then(crate::keyed::lock_of));
        for c in old.iter().flat_map(|n| &n.ip_configurations) {
            let named = std::iter::once(&c.subnet)
                .chain(&c.public_ip)
                .chain(&c.pools)
                .chain(&c.nat_rules)
                .chain(&c.asgs);
            keys.extend(named.filter_map(|r| crate::keyed::lock_of(r)));
        }
        Ok(keys)
    }

    fn put(
        tx: &mut dyn Tx,
        env: &crate::tracked::Env,
        id: &ResourceId,
        existing: Option<&(Record, NetworkInterface)>,
        spec: NicSpec,
    ) -> Result<NetworkInterface, AppError> {
        let old = existing.map(|(_, n)| n);
        let ctx = context(tx, id.key(), old, &spec, env.config.max_ip_configs_per_nic)?;
        let plan = nic::plan_put(
            id,
            old,
            spec,
            &ctx,
            &uuid::Uuid::new_v4().to_string(),
            &new_etag(),
        )?;
        let mut next = plan.nic;
        run_moves(tx, &plan.moves, |config, addr| {
            next.ip_configurations[config].private_ip =
                Some(cerulean_domain::ipam::address_text(addr));
        })
        .map_err(|e| decode_conflict(e, "private IP address"))?;
        super::set_own_refs(tx, id.key(), existing.is_none(), &refs_of(id, &next)?)
            .map_err(|e| decode_conflict(e.into(), "public IP address or inbound NAT rule"))?;
        // An attached NIC's address may be its VM's registered one (a new NIC is attached
        // to nothing: creates skip the lookup).
        if existing.is_some() {
            if let Some(vm) = super::first_user(tx, id.key(), RefKind::Attachment)? {
                let vm_id = ResourceId::parse(&vm)?;
                if let Some((_, v)) = super::load::<VirtualMachine>(tx, &vm_id)? {
                    crate::compute::placement::check_attached_nic(tx, id, &next, &vm, &v)?;
                    let nic = Some((id.key(), &next));
                    crate::dns::registration::sync_vm(tx, Some(&v), None, nic)?;
                }
            }
        }
        Ok(next)
    }
}
