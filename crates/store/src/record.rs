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
    /// Lower-case id of the resource group holding it (`None` for groups themselves).
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// IP configuration → subnet.
    Subnet,
    /// IP configuration or load balancer frontend → public IP address.
    PublicIp,
    /// IP configuration → load balancer backend pool.
    BackendPool,
    /// Virtual machine → network interface.
    Attachment,
    /// Virtual machine → availability set.
    AvailabilitySet,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Subnet => "subnet",
            RefKind::PublicIp => "publicip",
            RefKind::BackendPool => "pool",
            RefKind::Attachment => "attachment",
            RefKind::AvailabilitySet => "availabilityset",
        }
    }

    pub fn parse(s: &str) -> Option<RefKind> {
        [
            RefKind::Subnet,
            RefKind::PublicIp,
            RefKind::BackendPool,
            RefKind::Attachment,
            RefKind::AvailabilitySet,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// IPAM offsets are stored as fixed-width hex so that text order is numeric order (IPv6
/// offsets do not fit a BIGINT).
pub fn offset_hex(offset: u128) -> String {
    format!("{offset:032x}")
}

pub fn parse_offset(hex: &str) -> Result<u128, crate::StoreError> {
    u128::from_str_radix(hex, 16)
        .map_err(|e| crate::StoreError::Corrupt(format!("offset {hex}: {e}")))
}

/// The exclusive-reference index, named in `StoreError::Conflict` when it refuses a write.
pub const EXCLUSIVE_REFS: &str = "refs_exclusive";
/// The one-owner-per-address index of IP allocations.
pub const UNIQUE_ADDRESS: &str = "ip_allocations";
