//! Azure's side of a guest's packets: system routes, source checks, the Internet, and the
//! hosts of the virtual network.
//!
//! - Within a VNet every subnet reaches every other (system route `VnetLocal`).
//! - The Internet is reachable from an address with a public IP, or through default
//!   outbound access from the primary IP configuration of the primary NIC (seed: "all
//!   outbound traffic from the VM is sent out the IP address assigned to the primary IP
//!   configuration of the primary network interface").
//! - Private ranges outside the VNet (10/8, 172.16/12, 192.168/16, 100.64/10) go to `None`.
//! - A packet whose source address does not belong to the NIC it leaves through is dropped
//!   (Azure's anti-spoofing; what Linux's weak-host routing runs into without rules).
//! - A Windows host answers ping only once an inbound ICMPv4 firewall rule is added on it
//!   (seed: "You may need to open ICMP through the Windows firewall of the device you're
//!   pinging"); Linux hosts always answer.

use super::{ttl_of, Guest};
use crate::compute::vm::OsType;
use ipnet::Ipv4Net;
use std::net::Ipv4Addr;

/// Another VM's address in the same virtual network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Host {
    pub ip: Ipv4Addr,
    pub running: bool,
    pub os: OsType,
    pub icmp_allowed: bool,
}

/// The virtual network a guest is in.
#[derive(Clone, Debug, Default)]
pub struct Network {
    pub vnet_prefixes: Vec<Ipv4Net>,
    pub hosts: Vec<Host>,
    /// What Azure's resolver answers the guest: the private DNS zones linked to the network.
    pub names: super::names::Names,
}

/// Azure's `nextHopType` values cerulean produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextHopType {
    VnetLocal,
    Internet,
    None,
}

impl NextHopType {
    pub fn as_str(self) -> &'static str {
        match self {
            NextHopType::VnetLocal => "VnetLocal",
            NextHopType::Internet => "Internet",
            NextHopType::None => "None",
        }
    }
}

/// One entry of a NIC's effective route table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRoute {
    pub prefix: Ipv4Net,
    pub next_hop: NextHopType,
}

/// The private ranges Azure drops unless they are inside the VNet's address space.
pub const DROPPED_RANGES: [&str; 4] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
];

impl Network {
    /// Azure's default system routes for a NIC in this VNet: each VNet prefix `VnetLocal`,
    /// `0.0.0.0/0` `Internet`, the private ranges `None` unless the address space covers them.
    pub fn effective_routes(&self) -> Vec<EffectiveRoute> {
        let mut out: Vec<EffectiveRoute> = self
            .vnet_prefixes
            .iter()
            .map(|p| EffectiveRoute {
                prefix: *p,
                next_hop: NextHopType::VnetLocal,
            })
            .collect();
        out.push(EffectiveRoute {
            prefix: Ipv4Net::default(),
            next_hop: NextHopType::Internet,
        });
        for r in DROPPED_RANGES {
            let r: Ipv4Net = r.parse().expect("a valid range");
            if !self.vnet_prefixes.iter().any(|p| p.contains(&r)) {
                out.push(EffectiveRoute {
                    prefix: r,
                    next_hop: NextHopType::None,
                });
            }
        }
        out
    }

    /// The system route a destination takes (longest prefix).
    pub fn next_hop(&self, dst: Ipv4Addr) -> NextHopType {
        self.effective_routes()
            .into_iter()
            .filter(|r| r.prefix.contains(&dst))
            .max_by_key(|r| r.prefix.prefix_len())
            .map(|r| r.next_hop)
            .unwrap_or(NextHopType::None)
    }

    /// A packet leaving `guest`'s NIC `nic` with source `src` for `dst`: the reply's TTL, or
    /// why it is lost.
    pub fn deliver(
        &self,
        guest: &Guest,
        nic: usize,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        gateway: Option<Ipv4Addr>,
    ) -> Result<u8, String> {
        let name = guest.if_name(nic);
        let Some(addr) = guest.nics[nic].addrs.iter().find(|a| a.ip == src) else {
            return Err(format!(
                "Azure dropped the packet: it left {name} with source {src}, an address of another \
                 interface (weak-host routing sends it out the default route; add `ip rule add from {src} table T` \
                 and a default route in table T through the interface that owns {src})"
            ));
        };
        if let Some(g) = gateway {
            if !guest.on_link(nic, g) {
                return Err(format!("gateway {g} is not on the subnet of {name}"));
            }
        }
        match self.next_hop(dst) {
            NextHopType::VnetLocal => {
                let Some(h) = self.hosts.iter().find(|h| h.ip == dst) else {
                    return Err(format!("no VM in the virtual network has the address {dst}"));
                };
                if !h.running {
                    return Err(format!("the VM with address {dst} is not running"));
                }
                if h.os == OsType::Windows && !h.icmp_allowed {
                    return Err(format!(
                        "the Windows firewall of {dst} drops ICMP echo requests (run `netsh advfirewall firewall add rule \
                         name=Allow-ping protocol=icmpv4 dir=in action=allow` on it)"
                    ));
                }
                Ok(ttl_of(h.os))
            }
            NextHopType::Internet => {
                let primary_config = nic == 0 && addr.primary;
                if addr.public_ip || primary_config {
                    Ok(117)
                } else {
                    Err(format!(
                        "{src} has no public IP address and is not the primary IP configuration of the primary NIC: \
                         it has no outbound Internet access"
                    ))
                }
            }
            NextHopType::None => Err(format!("{dst} is outside the virtual network: Azure's system route drops it (next hop None)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{seed_guest, seed_net};
    use super::*;

    fn prefixes(n: &Network) -> Vec<(String, &'static str)> {
        n.effective_routes()
            .into_iter()
            .map(|r| (r.prefix.to_string(), r.next_hop.as_str()))
            .collect()
    }

    #[test]
    fn effective_routes_are_azures_defaults() {
        let n = Network {
            vnet_prefixes: vec!["10.0.0.0/16".parse().unwrap()],
            hosts: vec![],
            names: Default::default(),
        };
        let p = prefixes(&n);
        assert_eq!(p[0], ("10.0.0.0/16".into(), "VnetLocal"));
        assert_eq!(p[1], ("0.0.0.0/0".into(), "Internet"));
        assert!(p.contains(&("10.0.0.0/8".into(), "None")));
        assert!(p.contains(&("192.168.0.0/16".into(), "None")));
        assert_eq!(p.len(), 6);
        // A VNet covering a whole range removes its None route.
        let p = prefixes(&seed_net());
        assert!(!p.contains(&("192.168.0.0/16".into(), "None")));
        assert_eq!(
            n.next_hop("10.0.9.9".parse().unwrap()),
            NextHopType::VnetLocal
        );
        assert_eq!(n.next_hop("10.1.0.1".parse().unwrap()), NextHopType::None);
        assert_eq!(
            n.next_hop("8.8.8.8".parse().unwrap()),
            NextHopType::Internet
        );
    }

    #[test]
    fn internet_only_from_primary_config_or_public_ip() {
        let g = seed_guest(OsType::Windows);
        let n = seed_net();
        let inet: Ipv4Addr = "8.8.8.8".parse().unwrap();
        assert!(n
            .deliver(&g, 0, "192.168.1.4".parse().unwrap(), inet, None)
            .is_ok());
        let e = n
            .deliver(&g, 1, "192.168.2.4".parse().unwrap(), inet, None)
            .unwrap_err();
        assert!(e.contains("no outbound Internet access"), "{e}");
        let mut g2 = g.clone();
        g2.nics[1].addrs[0].public_ip = true;
        assert!(n
            .deliver(&g2, 1, "192.168.2.4".parse().unwrap(), inet, None)
            .is_ok());
    }

    #[test]
    fn spoofed_sources_and_firewalls_drop() {
        let g = seed_guest(OsType::Linux);
        let mut n = seed_net();
        let e = n
            .deliver(
                &g,
                0,
                "192.168.2.4".parse().unwrap(),
                "192.168.3.4".parse().unwrap(),
                None,
            )
            .unwrap_err();
        assert!(e.contains("Azure dropped the packet"), "{e}");
        let win: Ipv4Addr = "192.168.3.5".parse().unwrap();
        let e = n
            .deliver(&g, 0, "192.168.1.4".parse().unwrap(), win, None)
            .unwrap_err();
        assert!(e.contains("firewall"), "{e}");
        n.hosts[1].icmp_allowed = true;
        assert_eq!(
            n.deliver(&g, 0, "192.168.1.4".parse().unwrap(), win, None),
            Ok(128)
        );
        let e = n
            .deliver(
                &g,
                0,
                "192.168.1.4".parse().unwrap(),
                "192.168.9.9".parse().unwrap(),
                None,
            )
            .unwrap_err();
        assert!(e.contains("no VM"), "{e}");
    }
}
