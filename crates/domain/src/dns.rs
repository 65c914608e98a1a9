//! DNS zones (`Microsoft.Network/dnsZones`, public) and private DNS zones
//! (`Microsoft.Network/privateDnsZones`): what Azure does beside storing them. A zone is
//! created with its SOA record set (a public zone also with its NS record set and name
//! servers), which cannot be deleted; a record set knows its FQDN; a private zone links
//! virtual networks, one link per network, and cannot be deleted while any link remains.
//! Pure rules: the application layer stores zones as generic resources and asks here.

use crate::DomainError;

/// Which DNS a zone is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneKind {
    Public,
    Private,
}

const PUBLIC_ZONES: &str = "microsoft.network/dnszones";
const PRIVATE_ZONES: &str = "microsoft.network/privatednszones";

/// The record types each kind of zone holds, in Azure's spelling (the type segment of a
/// record set's id: `.../privateDnsZones/z/A/www`).
const PRIVATE_TYPES: &[&str] = &["A", "AAAA", "CNAME", "MX", "PTR", "SOA", "SRV", "TXT"];
const PUBLIC_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SRV", "TLSA", "TXT",
];

/// The child type of a private zone's virtual network links.
pub const LINKS: &str = "virtualNetworkLinks";

/// What a record set, a link or a zone is, by its lower-case type path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsKind {
    Zone(ZoneKind),
    /// A record set of the given type, in Azure's spelling.
    RecordSet(ZoneKind, &'static str),
    Link,
}

impl ZoneKind {
    fn of(kind: &str) -> Option<(ZoneKind, &str)> {
        if let Some(rest) = kind.strip_prefix(PRIVATE_ZONES) {
            Some((ZoneKind::Private, rest))
        } else {
            kind.strip_prefix(PUBLIC_ZONES)
                .map(|rest| (ZoneKind::Public, rest))
        }
    }

    fn record_types(self) -> &'static [&'static str] {
        match self {
            ZoneKind::Private => PRIVATE_TYPES,
            ZoneKind::Public => PUBLIC_TYPES,
        }
    }

    /// Azure's limit on a zone's record sets, shown as `maxNumberOfRecordSets`.
    pub fn max_record_sets(self) -> u64 {
        match self {
            ZoneKind::Private => 25_000,
            ZoneKind::Public => 10_000,
        }
    }
}

/// `kind` is a lower-case type path (`microsoft.network/privatednszones/a`).
pub fn kind_of(kind: &str) -> Option<DnsKind> {
    let (zone, rest) = ZoneKind::of(kind)?;
    if rest.is_empty() {
        return Some(DnsKind::Zone(zone));
    }
    let child = rest.strip_prefix('/')?;
    if child.contains('/') {
        return None;
    }
    if zone == ZoneKind::Private && child.eq_ignore_ascii_case(LINKS) {
        return Some(DnsKind::Link);
    }
    zone.record_types()
        .iter()
        .find(|t| t.eq_ignore_ascii_case(child))
        .map(|t| DnsKind::RecordSet(zone, t))
}

/// True for the child segment that lists all of a zone's record sets: a private zone's
/// `ALL` (`RecordSets_List`), a public zone's `recordsets` and `all`.
pub fn is_all_record_sets(zone: ZoneKind, segment: &str) -> bool {
    segment.eq_ignore_ascii_case("all")
        || (zone == ZoneKind::Public && segment.eq_ignore_ascii_case("recordsets"))
}

/// The record set's FQDN: `www.contoso.com.`, or the zone's own for the apex `@`.
pub fn fqdn(zone: &str, name: &str) -> String {
    if name == "@" {
        format!("{zone}.")
    } else {
        format!("{name}.{zone}.")
    }
}

/// The SOA record Azure creates with a zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Soa {
    pub host: &'static str,
    pub email: &'static str,
    pub serial_number: u64,
    pub refresh_time: u64,
    pub retry_time: u64,
    pub expire_time: u64,
    pub minimum_ttl: u64,
    /// The record set's TTL.
    pub ttl: u64,
}

/// A public zone's name servers (Azure deals each zone a set; cerulean's is fixed).
pub const NAME_SERVERS: [&str; 4] = [
    "ns1-01.azure-dns.com.",
    "ns2-01.azure-dns.net.",
    "ns3-01.azure-dns.org.",
    "ns4-01.azure-dns.info.",
];

/// The TTL of a public zone's apex NS record set.
pub const NS_TTL: u64 = 172_800;

pub fn default_soa(zone: ZoneKind) -> Soa {
    match zone {
        ZoneKind::Private => Soa {
            host: "azureprivatedns.net",
            email: "azureprivatedns-host.microsoft.com",
            serial_number: 1,
            refresh_time: 3600,
            retry_time: 300,
            expire_time: 2_419_200,
            minimum_ttl: 10,
            ttl: 3600,
        },
        ZoneKind::Public => Soa {
            host: NAME_SERVERS[0],
            email: "azuredns-hostmaster.microsoft.com",
            serial_number: 1,
            refresh_time: 3600,
            retry_time: 300,
            expire_time: 2_419_200,
            minimum_ttl: 300,
            ttl: 3600,
        },
    }
}

/// Record sets Azure creates with the zone: the apex SOA, and a public zone's apex NS.
pub fn is_apex_record_set(kind: DnsKind, name: &str) -> bool {
    name == "@"
        && matches!(
            kind,
            DnsKind::RecordSet(_, "SOA") | DnsKind::RecordSet(ZoneKind::Public, "NS")
        )
}

/// A record set's PUT: an SOA record set exists only at the apex.
pub fn check_record_set_name(record_type: &str, name: &str) -> Result<(), DomainError> {
    if record_type == "SOA" && name != "@" {
        return Err(DomainError::SoaRecordSetNotAtApex { name: name.into() });
    }
    Ok(())
}

/// A record set's DELETE: the apex SOA and NS go only with their zone.
pub fn check_record_set_deletable(kind: DnsKind, name: &str) -> Result<(), DomainError> {
    if let (true, DnsKind::RecordSet(_, record_type)) = (is_apex_record_set(kind, name), kind) {
        return Err(DomainError::ApexRecordSetCannotBeDeleted {
            record_type: record_type.into(),
        });
    }
    Ok(())
}

/// A private zone's DELETE: its virtual network links must be gone first.
pub fn check_zone_deletable(zone: &str, links: &[String]) -> Result<(), DomainError> {
    if links.is_empty() {
        return Ok(());
    }
    Err(DomainError::PrivateDnsZoneHasVirtualNetworkLinks {
        zone: zone.into(),
        links: links.join(", "),
    })
}

/// A link's PUT: one link per virtual network and zone. `others` are the zone's other links
/// with the network each names.
pub fn check_one_link_per_network(
    zone: &str,
    network: &str,
    others: &[(String, String)],
) -> Result<(), DomainError> {
    match others.iter().find(|(_, n)| n.eq_ignore_ascii_case(network)) {
        Some((link, _)) => Err(DomainError::VirtualNetworkAlreadyLinked {
            network: network.into(),
            zone: zone.into(),
            link: link.clone(),
        }),
        None => Ok(()),
    }
}

/// A private zone's auto-registered record: the TTL Azure gives it.
pub const REGISTERED_TTL: u64 = 10;

/// What a VM's primary NIC offers auto-registration: the address of its primary IP
/// configuration, and whether that address came from DHCP (dynamic) and is IPv4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryAddress {
    pub address: String,
    pub dynamic: bool,
    pub ipv4: bool,
}

/// The name of the A record auto-registration keeps for a VM: its host name
/// (`osProfile.computerName`), else the VM's name.
pub fn host_name(vm_name: &str, computer_name: Option<&str>) -> String {
    computer_name
        .filter(|n| !n.is_empty())
        .unwrap_or(vm_name)
        .to_string()
}

/// The address that record holds: the primary NIC's primary address. None when it is static
/// or IPv6 (Azure registers a VM's primary NIC only, and only when it uses DHCP).
pub fn registered_address(primary: Option<&PrimaryAddress>) -> Option<String> {
    primary
        .filter(|p| p.dynamic && p.ipv4)
        .map(|p| p.address.clone())
}

/// A link's PUT: the network is linked to no other zone of the same name (`others`: the
/// names of the other zones it is linked to). Zones nested in one another (`corp.internal`,
/// `db.corp.internal`) are not compared.
pub fn check_no_overlapping_zone(zone: &str, others: &[String]) -> Result<(), DomainError> {
    match others.iter().find(|o| o.eq_ignore_ascii_case(zone)) {
        Some(other) => Err(DomainError::VirtualNetworkLinkedToOverlappingZones {
            existing: other.clone(),
            zone: zone.into(),
        }),
        None => Ok(()),
    }
}

/// A link with registration: the network registers its VMs in no other zone. `other` is
/// the link that registers it now, if any.
pub fn check_one_registration_zone(network: &str, other: Option<&str>) -> Result<(), DomainError> {
    match other {
        Some(link) => Err(DomainError::VirtualNetworkRegistersElsewhere {
            network: network.into(),
            link: link.into(),
        }),
        None => Ok(()),
    }
}

/// What a zone shows of its contents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ZoneCounts {
    pub record_sets: u64,
    pub links: u64,
    pub links_with_registration: u64,
}

/// Azure's limits on a private zone's links, shown on the zone.
pub const MAX_LINKS: u64 = 1000;
pub const MAX_LINKS_WITH_REGISTRATION: u64 = 100;

#[cfg(test)]
#[path = "dns_tests.rs"]
mod tests;
