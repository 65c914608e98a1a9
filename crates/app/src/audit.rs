//! The invariants of the stored state, checked on one read snapshot: what no crash, race or
//! bug may leave behind. `cerulean check` runs it against a data directory or a PostgreSQL
//! database; the adversarial tests (`crates/cerulean/tests/chaos*.rs`) run it after every
//! fault they inject, and ARCHITECTURE.md lists what it checks.
//!
//! It reads everything (every record, every address a subnet or public pool has handed out,
//! every reference), so it is a tool for tests and for an operator after an incident, not
//! for a hot path.

use crate::network::{book_key, LOAD_BALANCER, NIC, PUBLIC_IP, VNET};
use crate::records::from_record;
use crate::AppError;
use cerulean_domain::compute::vm::VirtualMachine;
use cerulean_domain::deployment;
use cerulean_domain::group::ResourceGroup;
use cerulean_domain::id::{fold, ResourceId};
use cerulean_domain::ipam::offset_of;
use cerulean_domain::kind::RESOURCE_GROUP;
use cerulean_domain::network::load_balancer::LoadBalancer;
use cerulean_domain::network::nic::NetworkInterface;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::vnet::VirtualNetwork;
use cerulean_domain::network::IpVersion;
use cerulean_store::{ListQuery, Record, RefKind, Scope, Store, StoreError, Tx};

/// The records of private DNS zones' virtual network links.
const DNS_LINK: &str = "microsoft.network/privatednszones/virtualnetworklinks";
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

mod groups;

/// What a check found.
#[derive(Clone, Debug, Default)]
pub struct Audit {
    /// Records read.
    pub resources: usize,
    /// Addresses held (private and public) that were compared with their holders.
    pub addresses: usize,
    /// Each broken invariant, in words naming the resources involved.
    pub violations: Vec<String>,
}

/// Where public addresses come from (`--public-ip-pool`, `--public-ip-pool-v6`): needed to
/// turn a public pool's offsets into addresses.
#[derive(Clone, Copy, Debug)]
pub struct PublicPools {
    pub v4: IpNet,
    pub v6: IpNet,
}

/// Checks every invariant on one consistent snapshot of `store`.
pub async fn audit(store: &dyn Store, pools: PublicPools) -> Result<Audit, AppError> {
    cerulean_store::read(store, move |tx| Auditor::new(pools).run(tx)).await
}

/// The address book an address lives in and its offset there.
type Slot = (String, u128);

/// The store key an id is known by (its lower-case canonical form).
fn key_of(id: &str) -> String {
    ResourceId::parse(id)
        .map(|r| r.key().to_string())
        .unwrap_or_else(|_| fold(id))
}

struct Auditor {
    pools: PublicPools,
    records: BTreeMap<String, Record>,
    /// Who must hold each address, by folded id, from the resources' own bodies.
    holders: HashMap<Slot, String>,
    /// The references each owner's body implies: (from, to, kind).
    refs: HashMap<String, BTreeSet<(String, String, &'static str)>>,
    /// Every address book that exists (each subnet's, by IP version, and the public pools).
    books: BTreeSet<String>,
    /// Load balancer backend pools and inbound NAT rules (folded ids).
    backend_pools: BTreeSet<String>,
    nat_rules: BTreeSet<String>,
    /// Inbound NAT rule → the IP configurations naming it (one at most).
    nat_rule_users: BTreeMap<String, Vec<String>>,
    /// Public IP → the IP configurations using it; NIC → the VMs it is attached to.
    pip_users: BTreeMap<String, Vec<String>>,
    nic_vms: BTreeMap<String, Vec<String>>,
    out: Audit,
}

impl Auditor {
    fn new(pools: PublicPools) -> Self {
        Auditor {
            pools,
            records: BTreeMap::new(),
            holders: HashMap::new(),
            refs: HashMap::new(),
            books: ["public:ipv4", "public:ipv6"]
                .into_iter()
                .map(String::from)
                .collect(),
            backend_pools: BTreeSet::new(),
            nat_rules: BTreeSet::new(),
            nat_rule_users: BTreeMap::new(),
            pip_users: BTreeMap::new(),
            nic_vms: BTreeMap::new(),
            out: Audit::default(),
        }
    }

    fn violation(&mut self, v: String) {
        self.out.violations.push(v);
    }

    fn run(mut self, tx: &mut dyn Tx) -> Result<Audit, AppError> {
        self.load(tx)?;
        self.out.resources = self.records.len();
        let records: Vec<Record> = self.records.values().cloned().collect();
        // Pools first: NICs refer to them.
        for r in records.iter().filter(|r| r.kind == LOAD_BALANCER) {
            // One that cannot be read is reported below.
            let Ok(lb) = from_record::<LoadBalancer>(r) else {
                continue;
            };
            for p in &lb.pools {
                self.backend_pools
                    .insert(key_of(&format!("{}/backendAddressPools/{}", r.id, p.name)));
            }
            for n in crate::network::load_balancers::nat_rule_names(&lb) {
                self.nat_rules
                    .insert(key_of(&format!("{}/inboundNatRules/{n}", r.id)));
            }
        }
        for r in &records {
            self.placement(r);
            let read = match r.kind.as_str() {
                VNET => self.vnet(r),
                NIC => self.nic(r),
                LOAD_BALANCER => self.load_balancer(r),
                PUBLIC_IP => self.public_ip(r),
                crate::compute::VM => self.vm(r),
                deployment::KIND => self.deployment(tx, r),
                RESOURCE_GROUP => from_record::<ResourceGroup>(r).map(|_| ()),
                DNS_LINK => self.dns_link(r),
                cerulean_domain::private_endpoint::KIND => self.private_endpoint(r),
                cerulean_domain::private_link_service::KIND => self.private_link_service(r),
                k if cerulean_domain::private_endpoint::connection::is_kind(k) => {
                    self.endpoint_connection(r)
                }
                _ => Ok(()),
            };
            match read {
                Ok(()) => {}
                // A body that is not what its kind says; any other failure is the store's.
                Err(AppError::Store(StoreError::Corrupt(e))) => {
                    self.violation(format!("{} cannot be read as a {}: {e}", r.id, r.kind))
                }
                Err(e) => return Err(e),
            }
        }
        self.exclusive();
        for v in groups::violations(&self.records) {
            self.violation(v);
        }
        self.address_books(tx)?;
        self.references(tx, &records)?;
        Ok(self.out)
    }

    fn load(&mut self, tx: &mut dyn Tx) -> Result<(), AppError> {
        const PAGE: usize = 1000;
        for s in tx.list_subscriptions()? {
            let sub = fold(&s.id);
            let mut after: Option<String> = None;
            loop {
                let page = tx.list(&ListQuery {
                    scope: Scope::Subscription(&sub),
                    kind: None,
                    after: after.as_deref(),
                    limit: PAGE,
                })?;
                after = page.last().map(|r| r.key.clone());
                let more = page.len() == PAGE;
                for r in page {
                    self.records.insert(r.key.clone(), r);
                }
                if !more {
                    break;
                }
            }
        }
        Ok(())
    }

    fn exists(&self, id: &str, kind: &str) -> bool {
        self.records
            .get(&key_of(id))
            .is_some_and(|r| r.kind == kind)
    }

    /// A resource lies in a group that exists, and a child resource under a parent that does.
    fn placement(&mut self, r: &Record) {
        if r.kind == RESOURCE_GROUP && r.group_key.is_some() {
            self.violation(format!(
                "{} is stored as a resource group inside another",
                r.id
            ));
        }
        if let Some(g) = &r.group_key {
            if !self.exists(g, RESOURCE_GROUP) {
                self.violation(format!("{} is in group {g}, which does not exist", r.id));
            }
        }
        if let Ok(id) = ResourceId::parse(&r.id) {
            if id.segments().len() > 1 {
                if let Some(parent) = id.parent().filter(|p| !self.records.contains_key(p.key())) {
                    self.violation(format!(
                        "{} is a child of {}, which does not exist",
                        r.id,
                        parent.as_str()
                    ));
                }
            }
        }
    }

    fn vnet(&mut self, r: &Record) -> Result<(), AppError> {
        let vnet: VirtualNetwork = from_record(r)?;
        for s in &vnet.subnets {
            let id = format!("{}/subnets/{}", r.id, s.name);
            let key = key_of(&id);
            for p in s.prefixes() {
                self.books.insert(book_key(&key, &p));
            }
            for to in [&s.network_security_group, &s.route_table]
                .into_iter()
                .flatten()
            {
                self.link(&r.id, &id, to);
            }
        }
        Ok(())
    }

    /// `from` (of `owner`) links `to`, a network security group or route table: it exists,
    /// and the index holds the reference that keeps it from being deleted.
    fn link(&mut self, owner: &str, from: &str, to: &str) {
        if !self.records.contains_key(&key_of(to)) {
            self.violation(format!("{from} links {to}, which does not exist"));
        }
        self.expect_ref(owner, from, to, RefKind::Linked);
    }

    /// An IP configuration in a subnet holds its address there: the subnet exists, the address
    /// lies in its prefix of the configuration's version, and no one else holds it.
    fn private_address(&mut self, config: &str, subnet: &str, address: Option<&str>) {
        let Some((vnet_id, name)) = ResourceId::parse(subnet)
            .ok()
            .and_then(|s| Some((s.parent()?, s.name().to_string())))
        else {
            return self.violation(format!("{config} names subnet {subnet}, not a subnet id"));
        };
        let vnet: Option<VirtualNetwork> = self
            .records
            .get(vnet_id.key())
            .filter(|r| r.kind == VNET)
            .and_then(|r| from_record(r).ok());
        let Some(s) = vnet.as_ref().and_then(|v| v.subnet(&name)) else {
            return self.violation(format!(
                "{config} uses subnet {subnet}, which does not exist"
            ));
        };
        let Some(addr) = address.and_then(|a| a.parse::<IpAddr>().ok()) else {
            return self.violation(format!(
                "{config} is in subnet {subnet} but holds no address"
            ));
        };
        let Some((prefix, offset)) = s
            .prefixes()
            .into_iter()
            .find_map(|p| Some((p, offset_of(p, addr)?)))
        else {
            return self.violation(format!("{config} holds {addr}, outside subnet {subnet}"));
        };
        let book = book_key(&key_of(subnet), &prefix);
        self.hold(config, book, offset, addr);
    }

    fn hold(&mut self, holder: &str, book: String, offset: u128, addr: IpAddr) {
        if let Some(other) = self.holders.insert((book, offset), key_of(holder)) {
            self.violation(format!("{addr} is used by both {other} and {holder}"));
        }
    }

    fn public_ip_use(&mut self, config: &str, pip: &str) {
        if !self.exists(pip, PUBLIC_IP) {
            self.violation(format!(
                "{config} uses public IP {pip}, which does not exist"
            ));
        }
        self.pip_users
            .entry(key_of(pip))
            .or_default()
            .push(config.to_string());
    }

    /// A private DNS zone's link holds a reference to its network and, with registration,
    /// the network's registration reference (which keeps a second zone from registering it).
    fn dns_link(&mut self, r: &Record) -> Result<(), AppError> {
        let link: crate::generic::GenericResource = from_record(r)?;
        let props = link.arm.get("properties");
        let registers = props.and_then(|p| p.get("registrationEnabled"))
            == Some(&serde_json::Value::Bool(true));
        let network = props
            .and_then(|p| p.pointer("/virtualNetwork/id"))
            .and_then(|v| v.as_str());
        if let Some(network) = network {
            self.expect_ref(&r.id, &r.id, network, RefKind::DnsLink);
            if registers {
                self.expect_ref(&r.id, &r.id, network, RefKind::DnsRegistration);
            }
        }
        Ok(())
    }

    fn expect_ref(&mut self, owner: &str, from: &str, to: &str, kind: RefKind) {
        self.refs.entry(key_of(owner)).or_default().insert((
            key_of(from),
            key_of(to),
            kind.as_str(),
        ));
    }

    fn nic(&mut self, r: &Record) -> Result<(), AppError> {
        let nic: NetworkInterface = from_record(r)?;
        if let Some(pe) = &nic.private_endpoint {
            if !self.exists(pe, cerulean_domain::private_endpoint::KIND) {
                self.violation(format!(
                    "NIC {} belongs to private endpoint {pe}, which does not exist",
                    r.id
                ));
            }
        }
        if let Some(pls) = &nic.private_link_service {
            if !self.exists(pls, cerulean_domain::private_link_service::KIND) {
                self.violation(format!(
                    "NIC {} belongs to private link service {pls}, which does not exist",
                    r.id
                ));
            }
        }
        if let Some(nsg) = &nic.network_security_group {
            self.link(&r.id, &r.id, nsg);
        }
        for c in &nic.ip_configurations {
            let config = format!("{}/ipConfigurations/{}", r.id, c.name);
            self.private_address(&config, &c.subnet, c.private_ip.as_deref());
            if let Some(p) = &c.public_ip {
                self.public_ip_use(&config, p);
                self.expect_ref(&r.id, &config, p, RefKind::PublicIp);
            }
            for p in &c.pools {
                if !self.backend_pools.contains(&key_of(p)) {
                    self.violation(format!(
                        "{config} is in backend pool {p}, which does not exist"
                    ));
                }
                self.expect_ref(&r.id, &config, p, RefKind::BackendPool);
            }
            for n in &c.nat_rules {
                if !self.nat_rules.contains(&key_of(n)) {
                    self.violation(format!(
                        "{config} takes inbound NAT rule {n}, which does not exist"
                    ));
                }
                self.nat_rule_users
                    .entry(key_of(n))
                    .or_default()
                    .push(config.clone());
                self.expect_ref(&r.id, &config, n, RefKind::InboundNatRule);
            }
            for a in &c.asgs {
                self.link(&r.id, &config, a);
            }
        }
        Ok(())
    }

    /// A private endpoint's NIC exists and is the endpoint's.
    fn private_endpoint(&mut self, r: &Record) -> Result<(), AppError> {
        let value: crate::generic::GenericResource = from_record(r)?;
        let subnet = value
            .arm
            .get("properties")
            .and_then(|p| p.pointer("/subnet/id"))
            .and_then(|v| v.as_str());
        if let Some(subnet) = subnet {
            self.expect_ref(&r.id, &r.id, subnet, RefKind::PrivateEndpoint);
        }
        let nic = value
            .arm
            .get("properties")
            .and_then(|p| p.pointer("/networkInterfaces/0/id"))
            .and_then(|v| v.as_str());
        let Some(nic) = nic else {
            self.violation(format!(
                "private endpoint {} has no network interface",
                r.id
            ));
            return Ok(());
        };
        let owner = match self.records.get(&key_of(nic)) {
            Some(n) if n.kind == NIC => from_record::<NetworkInterface>(n)?.private_endpoint,
            _ => {
                self.violation(format!(
                    "private endpoint {} names NIC {nic}, which does not exist",
                    r.id
                ));
                return Ok(());
            }
        };
        if !owner
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case(&r.id))
        {
            self.violation(format!(
                "private endpoint {} names NIC {nic}, which belongs to {}",
                r.id,
                owner.as_deref().unwrap_or("no private endpoint")
            ));
        }
        Ok(())
    }

    /// A private link service holds its alias and its frontends in the reference index, and
    /// its NIC is its own.
    fn private_link_service(&mut self, r: &Record) -> Result<(), AppError> {
        let value: crate::generic::GenericResource = from_record(r)?;
        let props = value.arm.get("properties");
        if let Some(alias) = props.and_then(|p| p.get("alias")).and_then(|a| a.as_str()) {
            self.expect_ref(
                &r.id,
                &r.id,
                &format!("alias:{alias}"),
                RefKind::ServiceAlias,
            );
        }
        let frontends = props
            .and_then(|p| p.get("loadBalancerFrontendIpConfigurations"))
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("id").and_then(|i| i.as_str()));
        for f in frontends {
            self.expect_ref(&r.id, &r.id, f, RefKind::ServiceFrontend);
        }
        let nic = props
            .and_then(|p| p.pointer("/networkInterfaces/0/id"))
            .and_then(|v| v.as_str());
        if let Some(nic) = nic {
            let owner = match self.records.get(&key_of(nic)) {
                Some(n) if n.kind == NIC => {
                    from_record::<NetworkInterface>(n)?.private_link_service
                }
                _ => None,
            };
            if !owner
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(&r.id))
            {
                self.violation(format!(
                    "private link service {} names NIC {nic}, which is not its own",
                    r.id
                ));
            }
        }
        Ok(())
    }

    /// A connection under a resource names an endpoint whose connection is in that state.
    fn endpoint_connection(&mut self, r: &Record) -> Result<(), AppError> {
        let value: crate::generic::GenericResource = from_record(r)?;
        let props = value.arm.get("properties");
        let at = |p: &str| props.and_then(|v| v.pointer(p)).and_then(|v| v.as_str());
        let (endpoint, status) = (
            at("/privateEndpoint/id").unwrap_or_default(),
            at("/privateLinkServiceConnectionState/status").unwrap_or_default(),
        );
        let shown = match self.records.get(&key_of(endpoint)) {
            Some(e) if e.kind == cerulean_domain::private_endpoint::KIND => {
                let e: crate::generic::GenericResource = from_record(e)?;
                let p = e.arm.get("properties");
                [
                    "privateLinkServiceConnections",
                    "manualPrivateLinkServiceConnections",
                ]
                .iter()
                .find_map(|l| {
                    p?.get(*l)?
                        .pointer("/0/properties/privateLinkServiceConnectionState/status")?
                        .as_str()
                        .map(str::to_string)
                })
            }
            _ => {
                self.violation(format!(
                    "private endpoint connection {} names endpoint {endpoint:?}, which does not exist",
                    r.id
                ));
                return Ok(());
            }
        };
        if !shown
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case(status))
        {
            self.violation(format!(
                "private endpoint connection {} is {status} but its endpoint {endpoint} shows {}",
                r.id,
                shown.as_deref().unwrap_or("no state")
            ));
        }
        Ok(())
    }

    fn load_balancer(&mut self, r: &Record) -> Result<(), AppError> {
        let lb: LoadBalancer = from_record(r)?;
        for f in &lb.frontends {
            let config = format!("{}/frontendIPConfigurations/{}", r.id, f.name);
            if let Some(s) = &f.subnet {
                self.private_address(&config, s, f.private_ip.as_deref());
            }
            if let Some(p) = &f.public_ip {
                self.public_ip_use(&config, p);
                self.expect_ref(&r.id, &config, p, RefKind::PublicIp);
            }
        }
        // Its rules, probes and outbound rules name children it has, without clashes.
        let id = cerulean_domain::id::ResourceId::parse(&r.id)?;
        let frontends: Vec<&str> = lb.frontends.iter().map(|f| f.name.as_str()).collect();
        let rules = crate::network::load_balancers::stored_rules(&lb);
        if let Err(e) =
            cerulean_domain::network::lb_rules::check(&id, &frontends, &lb.pools, &rules)
        {
            self.violation(format!("{}: {e}", r.id));
        }
        Ok(())
    }

    fn public_ip(&mut self, r: &Record) -> Result<(), AppError> {
        let pip: PublicIp = from_record(r)?;
        let Some(a) = &pip.ip_address else {
            return Ok(());
        };
        let (book, pool) = match pip.version {
            IpVersion::IPv4 => ("public:ipv4", self.pools.v4),
            IpVersion::IPv6 => ("public:ipv6", self.pools.v6),
        };
        match a
            .parse()
            .ok()
            .and_then(|addr| Some((addr, offset_of(pool, addr)?)))
        {
            Some((addr, offset)) => self.hold(&r.id, book.to_string(), offset, addr),
            None => self.violation(format!(
                "{} has address {a}, outside the public pool {pool}",
                r.id
            )),
        }
        Ok(())
    }

    fn vm(&mut self, r: &Record) -> Result<(), AppError> {
        let vm: VirtualMachine = from_record(r)?;
        for n in &vm.nics {
            if !self.exists(&n.id, NIC) {
                self.violation(format!(
                    "{} has network interface {}, which does not exist",
                    r.id, n.id
                ));
            }
            self.nic_vms
                .entry(key_of(&n.id))
                .or_default()
                .push(r.id.clone());
            self.expect_ref(&r.id, &r.id, &n.id, RefKind::Attachment);
        }
        if let Some(s) = &vm.availability_set {
            if !self.exists(s, crate::compute::AVAILABILITY_SET) {
                self.violation(format!(
                    "{} is in availability set {s}, which does not exist",
                    r.id
                ));
            }
            self.expect_ref(&r.id, &r.id, s, RefKind::AvailabilitySet);
        }
        Ok(())
    }

    /// An active deployment has a run (a server working on it, alive or to be settled); a
    /// finished one has none.
    fn deployment(&mut self, tx: &mut dyn Tx, r: &Record) -> Result<(), AppError> {
        let d: crate::deployments::Deployment = from_record(r)?;
        let run = tx.run_get(&r.key)?;
        match (d.state.is_active(), run) {
            (true, None) => self.violation(format!(
                "{} is {} but no server runs it",
                r.id,
                d.state.as_str()
            )),
            (false, Some(run)) => self.violation(format!(
                "{} is {} but still has a run (owner {})",
                r.id,
                d.state.as_str(),
                run.owner
            )),
            _ => {}
        }
        Ok(())
    }

    /// A public IP serves one IP configuration, and so does an inbound NAT rule; a NIC is
    /// attached to one VM.
    fn exclusive(&mut self) {
        let rules = std::mem::take(&mut self.nat_rule_users);
        for (rule, users) in rules.iter().filter(|(_, u)| u.len() > 1) {
            self.violation(format!(
                "inbound NAT rule {rule} forwards to {}",
                users.join(" and ")
            ));
        }
        let pips = std::mem::take(&mut self.pip_users);
        for (pip, users) in pips.iter().filter(|(_, u)| u.len() > 1) {
            self.violation(format!(
                "public IP {pip} is used by {}",
                users.join(" and ")
            ));
        }
        let nics = std::mem::take(&mut self.nic_vms);
        for (nic, vms) in nics.iter().filter(|(_, v)| v.len() > 1) {
            self.violation(format!(
                "network interface {nic} is attached to {}",
                vms.join(" and ")
            ));
        }
    }

    /// Every address a book records as held is held by the configuration (or public IP) that
    /// says it has it, every address a resource says it has is recorded as its own, and no
    /// book keeps state for a subnet prefix that no longer exists.
    fn address_books(&mut self, tx: &mut dyn Tx) -> Result<(), AppError> {
        const PAGE: usize = 1000;
        let mut books = std::mem::take(&mut self.books);
        let mut after: Option<String> = None;
        loop {
            let page = tx.ipam_books(after.as_deref(), PAGE)?;
            after = page.last().cloned();
            let more = page.len() == PAGE;
            let stray: Vec<String> = page.into_iter().filter(|b| !books.contains(b)).collect();
            for b in stray {
                self.violation(format!(
                    "address book {b} keeps state, but no subnet prefix or public pool uses it"
                ));
                books.insert(b);
            }
            if !more {
                break;
            }
        }
        let mut seen = 0;
        for book in books {
            for (offset, owner) in tx.ipam_holders(&book, usize::MAX)? {
                seen += 1;
                match self.holders.remove(&(book.clone(), offset)) {
                    Some(h) if h == key_of(&owner) => {}
                    Some(h) => self.violation(format!(
                        "offset {offset} of {book} is recorded as {owner}'s, but {h} has it"
                    )),
                    None => self.violation(format!(
                        "offset {offset} of {book} is held by {owner}, which does not have it"
                    )),
                }
            }
        }
        let mut missing: Vec<_> = self.holders.drain().collect();
        missing.sort();
        for ((book, offset), holder) in missing {
            self.violation(format!(
                "{holder} has offset {offset} of {book}, but the address book does not record it"
            ));
        }
        self.out.addresses = seen;
        Ok(())
    }

    /// The reference index says exactly what the resources' bodies say: each resource's own
    /// references, and every reference pointing at a resource (or backend pool) comes from a
    /// resource whose body makes it (none left behind by a deleted one).
    fn references(&mut self, tx: &mut dyn Tx, records: &[Record]) -> Result<(), AppError> {
        let all: BTreeSet<_> = self.refs.values().flatten().cloned().collect();
        for r in records {
            let stored: BTreeSet<_> = tx
                .refs_of(&r.key)?
                .into_iter()
                .map(|x| (x.from_key, x.to_key, x.kind.as_str()))
                .collect();
            let expected = self.refs.remove(&key_of(&r.id)).unwrap_or_default();
            for (from, to, kind) in stored.difference(&expected) {
                self.violation(format!(
                    "{} holds a {kind} reference {from} -> {to} its body does not make",
                    r.id
                ));
            }
            for (from, to, kind) in expected.difference(&stored) {
                self.violation(format!(
                    "{} makes a {kind} reference {from} -> {to} the index does not have",
                    r.id
                ));
            }
        }
        let mut targets: Vec<(String, RefKind)> = Vec::new();
        for r in records {
            let kinds: &[RefKind] = match r.kind.as_str() {
                PUBLIC_IP => &[RefKind::PublicIp],
                NIC => &[RefKind::Attachment],
                crate::compute::AVAILABILITY_SET => &[RefKind::AvailabilitySet],
                VNET => &[RefKind::DnsLink, RefKind::DnsRegistration],
                _ => continue,
            };
            targets.extend(kinds.iter().map(|k| (r.key.clone(), *k)));
        }
        targets.extend(
            self.backend_pools
                .iter()
                .map(|p| (p.clone(), RefKind::BackendPool)),
        );
        targets.extend(
            self.nat_rules
                .iter()
                .map(|n| (n.clone(), RefKind::InboundNatRule)),
        );
        for (to, kind) in targets {
            for x in tx.refs_to(&to, kind)? {
                if !all.contains(&(x.from_key.clone(), x.to_key.clone(), kind.as_str())) {
                    self.violation(format!(
                        "a {} reference {} -> {to} (owner {}) is made by no resource",
                        kind.as_str(),
                        x.from_id,
                        x.owner_key
                    ));
                }
            }
        }
        Ok(())
    }
}
