/// One stored resource. `body` is the serialized domain value; the store never looks inside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// Lower-case id: the primary key.
    pub key: String,
    /// The id as the caller spelled it.
    pub id: String,
    /// Lower-case type path, e.g. `microsoft.network/networkinterfaces`.
    pub kind: String,
    /// Lower-case subscription id.
    pub subscription: String,
    /// Lower-case id of the resource group holding it (`None` for groups themselves). The
    /// key, an ARM id, lies inside it: see [`Record::fits_its_group`].
    pub group_key: Option<String>,
    /// Canonical region name, for per-region counts.
    pub location: Option<String>,
    pub body: String,
    pub etag: String,
}

#[derive(Clone, Copy, Debug)]
pub enum Scope<'a> {
    /// Everything in a subscription (lower-case id).
    Subscription(&'a str),
    /// Everything in a resource group (lower-case group key).
    Group(&'a str),
}

#[derive(Clone, Copy, Debug)]
pub struct ListQuery<'a> {
    pub scope: Scope<'a>,
    /// Only this kind; `None` for every kind.
    pub kind: Option<&'a str>,
    /// Keyset pagination: records with a key greater than this.
    pub after: Option<&'a str>,
    pub limit: usize,
}

/// A reference from one resource (or child resource) to another, kept in an index so that
/// reverse lookups ("which IP configurations use this subnet?") need no scan, and so that
/// exclusive references (a public IP used once, a NIC attached to one VM) are enforced by a
/// unique index as well as by the rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ref {
    /// Lower-case id of the referring resource or child (e.g. an IP configuration).
    pub from_key: String,
    /// The referring id in the caller's spelling, for output.
    pub from_id: String,
    /// Lower-case id of the referenced resource.
    pub to_key: String,
    pub kind: RefKind,
    /// Lower-case id of the top-level resource that owns the reference; a resource's refs
    /// are replaced as a whole when it is written.
    pub owner_key: String,
}

/// What a reference means. `PublicIp` and `Attachment` are exclusive: one referrer each.
/// There is no subnet kind: a subnet's users are the holders of its addresses
/// (`Tx::ipam_holders`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// IP configuration or load balancer frontend → public IP address.
    PublicIp,
    /// IP configuration → load balancer backend pool.
    BackendPool,
    /// IP configuration → load balancer inbound NAT rule (exclusive: a rule forwards to one).
    InboundNatRule,
    /// Virtual machine → network interface.
    Attachment,
    /// Virtual machine → availability set.
    AvailabilitySet,
    /// NIC or subnet → network security group or route table (generic resources, which
    /// cannot be deleted while linked).
    Linked,
    /// Private DNS zone link with auto-registration → its virtual network (exclusive: a
    /// network registers its VMs in one zone).
    DnsRegistration,
    /// Private DNS zone link → its virtual network: the zones a network's guests resolve.
    DnsLink,
    /// Private endpoint → its subnet: what a subnet's reads list as its `privateEndpoints`.
    PrivateEndpoint,
    /// Private link service → its alias (`alias:{alias}`): how an endpoint connecting by
    /// alias finds the service.
    ServiceAlias,
    /// Private link service → a load balancer frontend it uses (which then stays).
    ServiceFrontend,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::PublicIp => "publicip",
            RefKind::BackendPool => "pool",
            RefKind::InboundNatRule => "natrule",
            RefKind::Attachment => "attachment",
            RefKind::AvailabilitySet => "availabilityset",
            RefKind::Linked => "linked",
            RefKind::DnsRegistration => "dnsregistration",
            RefKind::DnsLink => "dnslink",
            RefKind::PrivateEndpoint => "privateendpoint",
            RefKind::ServiceAlias => "servicealias",
            RefKind::ServiceFrontend => "servicefrontend",
        }
    }

    pub fn parse(s: &str) -> Option<RefKind> {
        [
            RefKind::PublicIp,
            RefKind::BackendPool,
            RefKind::InboundNatRule,
            RefKind::Attachment,
            RefKind::AvailabilitySet,
            RefKind::Linked,
            RefKind::DnsRegistration,
            RefKind::DnsLink,
            RefKind::PrivateEndpoint,
            RefKind::ServiceAlias,
            RefKind::ServiceFrontend,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Background work of one record (a deployment being applied) and the server doing it. A
/// server proves it is alive with a lease ([`crate::Tx::lease_renew`]); a run whose owner
/// holds none is orphaned, and any server may settle it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// Lower-case id of the record being worked on.
    pub key: String,
    /// Instance id of the server working on it (empty: none, e.g. runs found by a migration).
    pub owner: String,
    /// Which run of the record this is (a deployment's correlation id): a runner whose token
    /// is no longer the record's was replaced.
    pub token: String,
    /// Whether the owner holds a lease now, by the database's clock.
    pub owner_alive: bool,
    /// Whether someone asked the run to stop.
    pub cancel_requested: bool,
}

/// IPAM offsets are stored as fixed-width hex so that text order is numeric order (IPv6
/// offsets do not fit a BIGINT).
pub fn offset_hex(offset: u128) -> OffsetHex {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 32];
    for (i, d) in digits.iter_mut().enumerate() {
        *d = DIGITS[(offset >> (4 * (31 - i)) & 0xf) as usize];
    }
    OffsetHex(digits)
}

/// The 32 hex digits of an offset, on the stack: every address a write touches is bound as
/// one, so `format!`'s padding path (a `String` grown a digit at a time) stays off the writer.
#[derive(Clone, Copy)]
pub struct OffsetHex([u8; 32]);

impl OffsetHex {
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("hex digits are ASCII")
    }
}

impl std::fmt::Display for OffsetHex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub fn parse_offset(hex: &str) -> Result<u128, crate::StoreError> {
    u128::from_str_radix(hex, 16)
        .map_err(|e| crate::StoreError::Corrupt(format!("offset {hex}: {e}")))
}

/// The exclusive-reference index, named in `StoreError::Conflict` when it refuses a write.
pub const EXCLUSIVE_REFS: &str = "refs_exclusive";
/// The one-owner-per-address index of IP allocations.
pub const UNIQUE_ADDRESS: &str = "ip_allocations";
/// One role assignment per principal, role and scope (and per name).
pub const UNIQUE_ROLE_ASSIGNMENT: &str = "role_assignments";
/// One custom role per name (any case) in a tenant.
pub const UNIQUE_ROLE_NAME: &str = "role_definitions_name";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_32_hex_digits_in_numeric_order() {
        for o in [0u128, 1, 0xab, 65_535, 1 << 64, u128::MAX] {
            assert_eq!(offset_hex(o).as_str(), format!("{o:032x}"));
            assert_eq!(parse_offset(offset_hex(o).as_str()).unwrap(), o);
        }
        assert!(offset_hex(9).as_str() < offset_hex(10).as_str());
        assert!(offset_hex(0xff).as_str() < offset_hex(0x100).as_str());
    }
}
