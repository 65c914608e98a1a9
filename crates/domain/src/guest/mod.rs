//! Guest networking: the network state inside a VM's operating system, and what Azure's
//! network does with the packets the guest sends.
//!
//! Seed: "Azure assigns a default gateway to the first (primary) network interface attached
//! to the virtual machine. Azure does not assign a default gateway to additional (secondary)
//! network interfaces". The guest's routing table is derived from the VM's NICs (primary
//! first, then in attachment order) every time it is read, plus the routes and rules the user
//! added ([`GuestChanges`], stored inside the VM record).
//!
//! Interface numbering: Windows interface indexes are `3, 7, 11, ...` (primary first, step
//! 4), so the seed's secondary adapter is "interface 7"; adapters are described as
//! "Microsoft Hyper-V Network Adapter #3", "#4", ... as in the seed. Linux names them `eth0`,
//! `eth1`, ... with link indexes `2, 3, ...` (`lo` is 1).
//!
//! Persistence: `route add -p` routes and Windows firewall rules survive restart and
//! deallocation; everything else (Windows routes without `-p`, every Linux route and rule
//! added with `ip`) vanishes when the VM boots again ([`GuestChanges::on_boot`]).

pub mod azure;
pub mod linux;
pub mod names;
mod script;
pub mod windows;

pub use script::{run_script, MAX_OUTPUT_BYTES, MAX_SCRIPT_BYTES, MAX_SCRIPT_WORK, STOPPED_CODE};

use crate::compute::vm::OsType;
use ipnet::Ipv4Net;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// What the user changed inside the guest; stored in the VM record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GuestChanges {
    #[serde(default)]
    pub routes: Vec<UserRoute>,
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// Windows: an inbound ICMPv4 allow rule was added (`netsh advfirewall ...`).
    #[serde(default)]
    pub icmp_allowed: bool,
}

impl GuestChanges {
    /// A boot (start, restart, start after deallocation): only persistent state remains.
    pub fn on_boot(&mut self) {
        self.routes.retain(|r| r.persistent);
        self.rules.clear();
    }
}

/// A route the user added. The interface is named by its NIC (lower-case id), so the route
/// follows the NIC when interface numbers change and is ignored once the NIC is gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoute {
    /// `main` for Windows and Linux's main table.
    pub table: String,
    pub dest: Ipv4Addr,
    pub prefix: u8,
    pub gateway: Option<Ipv4Addr>,
    pub nic: String,
    pub metric: u32,
    pub persistent: bool,
}

/// A Linux policy routing rule: `from A lookup T`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub priority: u32,
    /// `None`: `from all`.
    pub from: Option<(Ipv4Addr, u8)>,
    pub table: String,
}

/// One address of a guest NIC (one IP configuration).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestAddr {
    pub ip: Ipv4Addr,
    /// The subnet's prefix (the address's network).
    pub subnet: Ipv4Net,
    /// The IP configuration has a public IP address.
    pub public_ip: bool,
    /// The NIC's primary IP configuration.
    pub primary: bool,
}

impl GuestAddr {
    /// The subnet's gateway: its first address (`.1`).
    pub fn gateway(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.subnet.network()) + 1)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestNic {
    /// Lower-case NIC id.
    pub id: String,
    /// `00-0D-3A-10-92-CE`.
    pub mac: String,
    /// Primary configuration first.
    pub addrs: Vec<GuestAddr>,
}

impl GuestNic {
    pub fn primary_addr(&self) -> Option<&GuestAddr> {
        self.addrs.iter().find(|a| a.primary).or(self.addrs.first())
    }
}

/// The guest as its commands see it. Built with [`Guest::new`]; the commands change
/// `changes` through its methods (`add_route`, `remove_route`...), which keep the run's
/// index and work count right.
#[derive(Clone, Debug)]
pub struct Guest {
    pub os: OsType,
    pub hostname: String,
    /// Primary NIC first, then in attachment order.
    pub nics: Vec<GuestNic>,
    pub changes: GuestChanges,
    run: script::RunState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The subnet of an interface's address (on-link).
    Connected,
    /// The default route Azure's DHCP gives the primary NIC.
    Dhcp,
    /// Added by the user.
    User { persistent: bool },
}

/// A live route of the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub table: String,
    pub dest: Ipv4Net,
    pub gateway: Option<Ipv4Addr>,
    /// Index into [`Guest::nics`].
    pub nic: usize,
    pub metric: u32,
    pub origin: Origin,
}

/// The default route's metric on Windows (as the seed's `route print` shows it).
pub const WINDOWS_DEFAULT_METRIC: u32 = 15;
/// On-link routes' metric on Windows.
pub const WINDOWS_ONLINK_METRIC: u32 = 271;

pub fn mask_of(prefix: u8) -> Ipv4Addr {
    Ipv4Net::new(Ipv4Addr::UNSPECIFIED, prefix)
        .map(|n| n.netmask())
        .unwrap_or(Ipv4Addr::BROADCAST)
}

/// The prefix length of a contiguous netmask.
pub fn prefix_of(mask: Ipv4Addr) -> Option<u8> {
    let m = u32::from(mask);
    let len = m.leading_ones();
    (m.checked_shl(len).unwrap_or(0) == 0).then_some(len as u8)
}

impl Guest {
    /// Windows interface index of NIC `i`: 3, 7, 11, ...
    pub fn if_index(&self, i: usize) -> u32 {
        match self.os {
            OsType::Windows => 3 + 4 * i as u32,
            OsType::Linux => 2 + i as u32,
        }
    }

    pub fn nic_by_if_index(&self, index: u32) -> Option<usize> {
        (0..self.nics.len()).find(|i| self.if_index(*i) == index)
    }

    /// `eth0` / `Ethernet`, `Ethernet 2`.
    pub fn if_name(&self, i: usize) -> String {
        match self.os {
            OsType::Linux => format!("eth{i}"),
            OsType::Windows if i == 0 => "Ethernet".into(),
            OsType::Windows => format!("Ethernet {}", i + 1),
        }
    }

    pub fn nic_by_name(&self, name: &str) -> Option<usize> {
        (0..self.nics.len()).find(|i| self.if_name(*i) == name)
    }

    fn nic_by_id(&self, id: &str) -> Option<usize> {
        self.nics.iter().position(|n| n.id.eq_ignore_ascii_case(id))
    }

    /// The NIC owning an address.
    pub fn nic_of_addr(&self, ip: Ipv4Addr) -> Option<usize> {
        self.nics
            .iter()
            .position(|n| n.addrs.iter().any(|a| a.ip == ip))
    }

    pub fn addr(&self, ip: Ipv4Addr) -> Option<(usize, &GuestAddr)> {
        self.nics
            .iter()
            .enumerate()
            .find_map(|(i, n)| n.addrs.iter().find(|a| a.ip == ip).map(|a| (i, a)))
    }

    /// The live routing table: connected routes per interface, one default route via the
    /// primary NIC's subnet gateway, then the user's routes (whose NIC still exists).
    pub fn routes(&self) -> Vec<Route> {
        self.charge(self.changes.routes.len());
        let mut out = self.derived_routes();
        for r in &self.changes.routes {
            let (Some(nic), Ok(dest)) = (self.nic_by_id(&r.nic), Ipv4Net::new(r.dest, r.prefix))
            else {
                continue;
            };
            out.push(Route {
                table: r.table.clone(),
                dest,
                gateway: r.gateway,
                nic,
                metric: r.metric,
                origin: Origin::User {
                    persistent: r.persistent,
                },
            });
        }
        out
    }

    /// The routes the guest has without the user: the default route and connected ones.
    fn derived_routes(&self) -> Vec<Route> {
        self.charge(self.nics.len());
        let mut out = Vec::new();
        let (onlink_metric, default_metric) = match self.os {
            OsType::Windows => (WINDOWS_ONLINK_METRIC, WINDOWS_DEFAULT_METRIC),
            OsType::Linux => (100, 100),
        };
        if let Some(a) = self.nics.first().and_then(|n| n.primary_addr()) {
            out.push(Route {
                table: "main".into(),
                dest: Ipv4Net::default(),
                gateway: Some(a.gateway()),
                nic: 0,
                metric: default_metric,
                origin: Origin::Dhcp,
            });
        }
        for (i, n) in self.nics.iter().enumerate() {
            let mut seen = Vec::new();
            for a in &n.addrs {
                if seen.contains(&a.subnet) {
                    continue;
                }
                seen.push(a.subnet);
                out.push(Route {
                    table: "main".into(),
                    dest: a.subnet,
                    gateway: None,
                    nic: i,
                    metric: match self.os {
                        OsType::Windows => onlink_metric,
                        OsType::Linux => onlink_metric * (i as u32 + 1),
                    },
                    origin: Origin::Connected,
                });
            }
        }
        out
    }

    /// The NIC's subnet containing `ip` (a gateway must be on-link).
    pub fn on_link(&self, nic: usize, ip: Ipv4Addr) -> bool {
        self.nics[nic].addrs.iter().any(|a| a.subnet.contains(&ip))
    }

    /// Where a packet to `dst` goes: `(route, source address)`.
    ///
    /// - `src`: a source address the caller bound (`ping -S` / `ping -I ADDR`).
    /// - `oif`: an interface the caller bound (`ping -I eth1`).
    ///
    /// Windows uses the strong host model: a bound source restricts the lookup to the routes
    /// of the interface owning it. Linux uses the weak host model: the source only selects
    /// policy rules (`ip rule add from A table T`); the route decides the interface, whatever
    /// the source is.
    pub fn route_to(
        &self,
        dst: Ipv4Addr,
        src: Option<Ipv4Addr>,
        oif: Option<usize>,
    ) -> Option<(Route, Ipv4Addr)> {
        let routes = self.routes();
        let only_nic = match (self.os, src) {
            (OsType::Windows, Some(s)) => self.nic_of_addr(s),
            _ => oif,
        };
        let tables: Vec<String> = match self.os {
            OsType::Windows => vec!["main".into()],
            OsType::Linux => self
                .rules_in_order()
                .into_iter()
                .filter(|r| match (r.from, src) {
                    (None, _) => true,
                    (Some((net, len)), Some(s)) => {
                        Ipv4Net::new(net, len).is_ok_and(|n| n.contains(&s))
                    }
                    (Some(_), None) => false,
                })
                .map(|r| r.table)
                .collect(),
        };
        for t in tables {
            let best = routes
                .iter()
                .filter(|r| r.table == t && r.dest.contains(&dst))
                .filter(|r| only_nic.is_none_or(|n| r.nic == n))
                .min_by_key(|r| (std::cmp::Reverse(r.dest.prefix_len()), r.metric));
            if let Some(r) = best {
                let source = src
                    .or_else(|| self.nics[r.nic].primary_addr().map(|a| a.ip))
                    .unwrap_or(Ipv4Addr::UNSPECIFIED);
                return Some((r.clone(), source));
            }
        }
        None
    }

    /// Linux rules, the fixed ones included, by priority (`local` is left out: it holds no
    /// routes cerulean models).
    pub fn rules_in_order(&self) -> Vec<Rule> {
        self.charge(self.changes.rules.len());
        let mut rules = self.changes.rules.clone();
        rules.push(Rule {
            priority: 32766,
            from: None,
            table: "main".into(),
        });
        rules.push(Rule {
            priority: 32767,
            from: None,
            table: "default".into(),
        });
        rules.sort_by_key(|r| r.priority);
        rules
    }
}

/// What became of an echo request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PingOutcome {
    /// An answer, with the TTL it came with.
    Reply { ttl: u8 },
    /// The guest found no route (or the bound source is not its own): nothing was sent.
    NoRoute(String),
    /// Sent, but never answered; why.
    Lost(String),
}

/// A ping from `guest`: the guest's route lookup, then Azure's side.
pub fn ping(
    guest: &Guest,
    net: &azure::Network,
    dst: Ipv4Addr,
    src: Option<Ipv4Addr>,
    oif: Option<usize>,
) -> PingOutcome {
    if let Some(s) = src {
        if guest.nic_of_addr(s).is_none() {
            return PingOutcome::NoRoute(format!("{s} is not an address of this VM"));
        }
    }
    if guest.nic_of_addr(dst).is_some() {
        return PingOutcome::Reply {
            ttl: ttl_of(guest.os),
        };
    }
    let Some((route, source)) = guest.route_to(dst, src, oif) else {
        let why = match (src.and_then(|s| guest.nic_of_addr(s)).or(oif), guest.os) {
            (Some(n), _) if n > 0 => format!(
                "no route to {dst} on {}: a secondary NIC has no default gateway (add a route through {})",
                guest.if_name(n),
                guest.nics[n].primary_addr().map(|a| a.gateway().to_string()).unwrap_or_default()
            ),
            _ => format!("no route to {dst}"),
        };
        return PingOutcome::NoRoute(why);
    };
    match net.deliver(guest, route.nic, source, dst, route.gateway) {
        Ok(ttl) => PingOutcome::Reply { ttl },
        Err(why) => PingOutcome::Lost(why),
    }
}

/// The answer of a next-hop query (a cerulean extension in the spirit of Network Watcher):
/// Azure's system route for the destination, the guest's own route choice, and whether an
/// echo request would be answered and, if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextHop {
    pub azure: azure::NextHopType,
    /// `(interface name, gateway, source address)` the guest picks.
    pub guest: Option<(String, Option<Ipv4Addr>, Ipv4Addr)>,
    pub reachable: bool,
    pub reason: Option<String>,
}

pub fn next_hop(
    guest: &Guest,
    net: &azure::Network,
    src: Option<Ipv4Addr>,
    dst: Ipv4Addr,
) -> NextHop {
    let route = guest
        .route_to(dst, src, None)
        .map(|(r, s)| (guest.if_name(r.nic), r.gateway, s));
    let (reachable, reason) = match ping(guest, net, dst, src, None) {
        PingOutcome::Reply { .. } => (true, None),
        PingOutcome::NoRoute(w) | PingOutcome::Lost(w) => (false, Some(w)),
    };
    NextHop {
        azure: net.next_hop(dst),
        guest: route,
        reachable,
        reason,
    }
}

pub fn ttl_of(os: OsType) -> u8 {
    match os {
        OsType::Windows => 128,
        OsType::Linux => 64,
    }
}

/// The result of one script: `(stdout, stderr, exit code)`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// A parsed IPv4 prefix from text: `a.b.c.d/n`, `a.b.c.d` (a host) or `default`.
pub fn parse_prefix(s: &str) -> Option<Ipv4Net> {
    if s == "default" || s == "all" {
        return Some(Ipv4Net::default());
    }
    match s.split_once('/') {
        Some((a, n)) => Ipv4Net::new(a.parse().ok()?, n.parse().ok()?).ok(),
        None => Ipv4Net::new(s.parse().ok()?, 32).ok(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn addr(ip: &str, subnet: &str, public_ip: bool) -> GuestAddr {
        GuestAddr {
            ip: ip.parse().unwrap(),
            subnet: subnet.parse().unwrap(),
            public_ip,
            primary: true,
        }
    }

    /// The seed's VM: 192.168.1.4 (primary) and 192.168.2.4 (secondary).
    pub fn seed_guest(os: OsType) -> Guest {
        Guest {
            os,
            hostname: "vm1".into(),
            nics: vec![
                GuestNic {
                    id: "nic1".into(),
                    mac: "00-0D-3A-10-92-CE".into(),
                    addrs: vec![addr("192.168.1.4", "192.168.1.0/24", false)],
                },
                GuestNic {
                    id: "nic2".into(),
                    mac: "00-0D-3A-10-9B-2A".into(),
                    addrs: vec![addr("192.168.2.4", "192.168.2.0/24", false)],
                },
            ],
            changes: GuestChanges::default(),
            run: Default::default(),
        }
    }

    /// The seed's VNet with a Linux host at 192.168.3.4 (no firewall) and a Windows host at
    /// 192.168.3.5 (ICMP blocked).
    pub fn seed_net() -> azure::Network {
        azure::Network {
            vnet_prefixes: vec!["192.168.0.0/16".parse().unwrap()],
            hosts: vec![
                azure::Host {
                    ip: "192.168.3.4".parse().unwrap(),
                    running: true,
                    os: OsType::Linux,
                    icmp_allowed: false,
                },
                azure::Host {
                    ip: "192.168.3.5".parse().unwrap(),
                    running: true,
                    os: OsType::Windows,
                    icmp_allowed: false,
                },
            ],
            names: seed_names(),
        }
    }

    /// A private zone linked to the seed's VNet: `db` is the Linux host, `www` an alias of it.
    fn seed_names() -> names::Names {
        let mut n = names::Names::default();
        n.add_a("db.corp.internal.", vec!["192.168.3.4".parse().unwrap()]);
        n.add_cname("www.corp.internal.", "db.corp.internal.");
        n
    }

    #[test]
    fn interface_numbering_matches_the_seed() {
        let g = seed_guest(OsType::Windows);
        assert_eq!(g.if_index(0), 3);
        assert_eq!(g.if_index(1), 7);
        assert_eq!(g.if_index(2), 11);
        assert_eq!(g.nic_by_if_index(7), Some(1));
        let l = seed_guest(OsType::Linux);
        assert_eq!(l.if_name(1), "eth1");
        assert_eq!(l.if_index(1), 3);
    }

    #[test]
    fn only_the_primary_gets_a_default_route() {
        let g = seed_guest(OsType::Windows);
        let defaults: Vec<_> = g
            .routes()
            .into_iter()
            .filter(|r| r.dest.prefix_len() == 0)
            .collect();
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0].nic, 0);
        assert_eq!(defaults[0].gateway, Some("192.168.1.1".parse().unwrap()));
        assert_eq!(defaults[0].metric, 15);
        let connected = g
            .routes()
            .into_iter()
            .filter(|r| r.origin == Origin::Connected)
            .count();
        assert_eq!(connected, 2);
    }

    #[test]
    fn lookup_is_longest_prefix_then_metric() {
        let mut g = seed_guest(OsType::Windows);
        let dst = "192.168.3.4".parse().unwrap();
        assert_eq!(g.route_to(dst, None, None).unwrap().0.nic, 0);
        g.changes.routes.push(UserRoute {
            table: "main".into(),
            dest: "0.0.0.0".parse().unwrap(),
            prefix: 0,
            gateway: Some("192.168.2.1".parse().unwrap()),
            nic: "nic2".into(),
            metric: 5,
            persistent: false,
        });
        // Same prefix, lower metric wins.
        let (r, src) = g.route_to(dst, None, None).unwrap();
        assert_eq!((r.nic, src.to_string().as_str()), (1, "192.168.2.4"));
        g.changes.routes[0].metric = 5015;
        assert_eq!(g.route_to(dst, None, None).unwrap().0.nic, 0);
        // The connected /24 beats any default.
        let (r, _) = g
            .route_to("192.168.2.9".parse().unwrap(), None, None)
            .unwrap();
        assert_eq!(r.origin, Origin::Connected);
    }

    #[test]
    fn boot_keeps_only_persistent_state() {
        let mut c = GuestChanges {
            routes: vec![
                UserRoute {
                    table: "main".into(),
                    dest: Ipv4Addr::UNSPECIFIED,
                    prefix: 0,
                    gateway: None,
                    nic: "n".into(),
                    metric: 1,
                    persistent: true,
                },
                UserRoute {
                    table: "main".into(),
                    dest: Ipv4Addr::UNSPECIFIED,
                    prefix: 0,
                    gateway: None,
                    nic: "n".into(),
                    metric: 2,
                    persistent: false,
                },
            ],
            rules: vec![Rule {
                priority: 1,
                from: None,
                table: "t".into(),
            }],
            icmp_allowed: true,
        };
        c.on_boot();
        assert_eq!(c.routes.len(), 1);
        assert!(c.routes[0].persistent);
        assert!(c.rules.is_empty());
        assert!(c.icmp_allowed);
    }

    #[test]
    fn next_hop_explains() {
        let g = seed_guest(OsType::Windows);
        let n = seed_net();
        let h = next_hop(
            &g,
            &n,
            Some("192.168.2.4".parse().unwrap()),
            "192.168.3.4".parse().unwrap(),
        );
        assert_eq!(h.azure, azure::NextHopType::VnetLocal);
        assert!(!h.reachable);
        assert!(h.guest.is_none());
        assert!(h.reason.unwrap().contains("no default gateway"));
        let h = next_hop(&g, &n, None, "192.168.3.4".parse().unwrap());
        assert!(h.reachable);
        assert_eq!(
            h.guest,
            Some((
                "Ethernet".into(),
                Some("192.168.1.1".parse().unwrap()),
                "192.168.1.4".parse().unwrap()
            ))
        );
    }

    #[test]
    fn masks_and_prefixes() {
        assert_eq!(mask_of(24).to_string(), "255.255.255.0");
        assert_eq!(prefix_of("255.255.255.0".parse().unwrap()), Some(24));
        assert_eq!(prefix_of("0.0.0.0".parse().unwrap()), Some(0));
        assert_eq!(prefix_of("255.0.255.0".parse().unwrap()), None);
        assert_eq!(parse_prefix("default"), Some(Ipv4Net::default()));
        assert_eq!(parse_prefix("10.0.0.4").unwrap().prefix_len(), 32);
    }
}
