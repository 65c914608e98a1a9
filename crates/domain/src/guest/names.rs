//! Name resolution inside the guest. Azure's resolver (168.63.129.16, which a VM's DHCP
//! lease names) answers from the private DNS zones linked to the VM's virtual network (their
//! A and CNAME records, auto-registered ones included) and, as Azure-provided name
//! resolution, the host names of the network's VMs under the network's DNS suffix, which the
//! lease also gives as the search domain (`vm2` is `vm2.<suffix>`). A service's public name
//! (`acct.blob.core.windows.net`) is, in Azure's public DNS, an alias of its `privatelink`
//! name once the resource has a private endpoint: the lookup follows it into the linked
//! private zone (`private_endpoint::privatelink_alias`). Nothing else resolves here: no other
//! public names (the guest has no internet), no zones linked to other networks, peered or
//! not.

use std::net::Ipv4Addr;

/// How many CNAMEs one lookup follows: a loop of aliases ends there.
pub const MAX_CNAME_CHAIN: usize = 8;

/// What the resolver knows: names (lower case, no trailing dot) and their records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    entries: Vec<(String, Record)>,
    /// The search domain: the network's DNS suffix.
    search: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Record {
    A(Vec<Ipv4Addr>),
    Cname(String),
}

/// A name resolved: the aliases followed (`(alias, canonical)` pairs, in order), the name
/// that holds the addresses, and the addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub aliases: Vec<(String, String)>,
    pub name: String,
    pub addresses: Vec<Ipv4Addr>,
}

fn normal(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl Names {
    /// The first zone to name a record wins: zones are added in a fixed order.
    fn add(&mut self, name: &str, record: Record) {
        let name = normal(name);
        if !self.entries.iter().any(|(n, _)| *n == name) {
            self.entries.push((name, record));
        }
    }

    pub fn add_a(&mut self, fqdn: &str, addresses: Vec<Ipv4Addr>) {
        if !addresses.is_empty() {
            self.add(fqdn, Record::A(addresses));
        }
    }

    pub fn add_cname(&mut self, fqdn: &str, target: &str) {
        self.add(fqdn, Record::Cname(normal(target)));
    }

    /// A VM's host name under the network's suffix (Azure-provided name resolution); the
    /// suffix becomes the search domain.
    pub fn add_host(&mut self, host: &str, suffix: &str, address: Ipv4Addr) {
        self.search = Some(normal(suffix));
        self.add_a(&format!("{host}.{suffix}"), vec![address]);
    }

    fn get(&self, name: &str) -> Option<&Record> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r)
    }

    /// Resolves `name` to IPv4 addresses, following at most [`MAX_CNAME_CHAIN`] aliases. A
    /// name without a dot is looked up under the search domain first (resolv.conf's
    /// `ndots:1`), one with a dot as it is first.
    pub fn resolve(&self, name: &str) -> Option<Resolved> {
        let plain = normal(name);
        let searched = self.search.as_ref().map(|s| format!("{plain}.{s}"));
        let candidates = match searched {
            Some(s) if !plain.contains('.') => [Some(s), Some(plain)],
            s => [Some(plain), s],
        };
        candidates
            .into_iter()
            .flatten()
            .find_map(|n| self.follow(n))
    }

    fn follow(&self, name: String) -> Option<Resolved> {
        let mut current = name;
        let mut aliases = Vec::new();
        for _ in 0..=MAX_CNAME_CHAIN {
            let Some(record) = self.get(&current) else {
                // Public DNS's alias of a service's name, where the private zone answers it.
                let (alias, _) = crate::private_endpoint::privatelink_alias(&current)?;
                self.get(&alias)?;
                aliases.push((current, alias.clone()));
                current = alias;
                continue;
            };
            match record {
                Record::A(addresses) => {
                    return Some(Resolved {
                        aliases,
                        name: current,
                        addresses: addresses.clone(),
                    })
                }
                Record::Cname(target) => {
                    aliases.push((current.clone(), target.clone()));
                    current = target.clone();
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        let mut n = Names::default();
        n.add_a("db.corp.internal.", vec![Ipv4Addr::new(10, 0, 1, 4)]);
        n.add_cname("www.corp.internal", "app.corp.internal.");
        n.add_cname("app.corp.internal", "db.corp.internal");
        n.add_cname("loop.corp.internal", "loop.corp.internal");
        // A second zone naming the same record: the first stays.
        n.add_a("db.corp.internal", vec![Ipv4Addr::new(10, 9, 9, 9)]);
        n
    }

    #[test]
    fn a_names_resolve_in_any_case_with_or_without_the_dot() {
        let r = names().resolve("DB.corp.internal.").unwrap();
        assert_eq!(r.name, "db.corp.internal");
        assert_eq!(r.addresses, vec![Ipv4Addr::new(10, 0, 1, 4)]);
        assert!(r.aliases.is_empty());
        assert_eq!(names().resolve("nosuch.corp.internal"), None);
    }

    #[test]
    fn host_names_resolve_under_the_search_domain() {
        let mut n = names();
        n.add_host(
            "vm2",
            "abc.bx.internal.cloudapp.net",
            Ipv4Addr::new(10, 0, 1, 5),
        );
        let r = n.resolve("VM2").unwrap();
        assert_eq!(r.name, "vm2.abc.bx.internal.cloudapp.net");
        assert_eq!(r.addresses, vec![Ipv4Addr::new(10, 0, 1, 5)]);
        assert_eq!(
            n.resolve("vm2.abc.bx.internal.cloudapp.net.").unwrap().name,
            "vm2.abc.bx.internal.cloudapp.net"
        );
        assert_eq!(n.resolve("vm3"), None);
        // A name with a dot is tried as it is first.
        assert_eq!(
            n.resolve("db.corp.internal").unwrap().name,
            "db.corp.internal"
        );
    }

    #[test]
    fn a_services_public_name_follows_its_privatelink_alias() {
        let mut n = Names::default();
        n.add_a(
            "acct.privatelink.blob.core.windows.net.",
            vec![Ipv4Addr::new(10, 0, 1, 4)],
        );
        let r = n.resolve("Acct.blob.core.windows.net").unwrap();
        assert_eq!(r.name, "acct.privatelink.blob.core.windows.net");
        assert_eq!(r.addresses, [Ipv4Addr::new(10, 0, 1, 4)]);
        assert_eq!(
            r.aliases,
            [(
                "acct.blob.core.windows.net".to_string(),
                "acct.privatelink.blob.core.windows.net".to_string()
            )]
        );
        // Without the private record, the public name is not the guest's to resolve.
        assert_eq!(n.resolve("other.blob.core.windows.net"), None);
        assert_eq!(n.resolve("acct.file.core.windows.net"), None);
    }

    #[test]
    fn cnames_are_followed_and_a_loop_ends() {
        let r = names().resolve("www.corp.internal").unwrap();
        assert_eq!(
            r.aliases,
            vec![
                ("www.corp.internal".into(), "app.corp.internal".into()),
                ("app.corp.internal".into(), "db.corp.internal".into())
            ]
        );
        assert_eq!(r.name, "db.corp.internal");
        assert_eq!(names().resolve("loop.corp.internal"), None);
    }
}
