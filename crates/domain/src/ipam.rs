//! Private IP allocation inside a subnet.
//!
//! "Lowest free address" over a /8 (or an IPv6 /64) cannot scan, so each subnet keeps a
//! high-water mark (the next never-used offset) and an ordered set of released offsets below
//! it. Every offset below the mark is then reserved, taken or released, which makes the
//! lowest free offset either the smallest released one or the first untaken one at the mark.
//! The algorithm lives here; the store only implements [`AddressBook`] as indexed lookups.

use crate::error::DomainError;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Offsets 0..=3 of every subnet are Azure's: network, gateway and two for DNS.
const FIRST_USABLE: u128 = 4;

/// Per-subnet allocation state, kept by the store. `subnet` is the store's key for the
/// subnet (its folded id); offsets count from the subnet's network address.
///
/// Every method is one indexed read or write, so an allocation costs a constant number of
/// calls however full the subnet is (bar consecutive static claims just above the mark).
pub trait AddressBook {
    type Error: From<DomainError>;
    /// The high-water mark; 0 if the subnet never allocated.
    fn mark(&mut self, subnet: &str) -> Result<u128, Self::Error>;
    fn set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), Self::Error>;
    fn lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, Self::Error>;
    /// True if `offset` was in the released set.
    fn remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, Self::Error>;
    fn add_released(&mut self, subnet: &str, offset: u128) -> Result<(), Self::Error>;
    /// Id of the IP configuration holding `offset`, if any.
    fn owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, Self::Error>;
    /// Records `offset` as taken by `owner`.
    fn claim(&mut self, subnet: &str, offset: u128, owner: &str) -> Result<(), Self::Error>;
    /// Records `offset` as taken by `owner` unless someone holds it; true if it was free.
    fn claim_if_free(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
    ) -> Result<bool, Self::Error>;
    /// Forgets that `offset` is taken.
    fn free(&mut self, subnet: &str, offset: u128) -> Result<(), Self::Error>;

    /// Where a dynamic allocation starts: the lowest released offset, or else the mark. One
    /// question, so that a store can answer it in one round trip.
    fn start(&mut self, subnet: &str) -> Result<Start, Self::Error> {
        Ok(match self.lowest_released(subnet)? {
            Some(offset) => Start::Released(offset),
            None => Start::Mark(self.mark(subnet)?),
        })
    }

    /// [`AddressBook::claim_if_free`], and when the offset was free, [`AddressBook::set_mark`]
    /// to `mark`: one step, so that a store can take it in one round trip.
    fn claim_and_mark(
        &mut self,
        subnet: &str,
        offset: u128,
        owner: &str,
        mark: u128,
    ) -> Result<bool, Self::Error> {
        let claimed = self.claim_if_free(subnet, offset, owner)?;
        if claimed {
            self.set_mark(subnet, mark)?;
        }
        Ok(claimed)
    }
}

/// Where a dynamic allocation starts ([`AddressBook::start`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The lowest offset given back, handed out again first.
    Released(u128),
    /// The high-water mark (0 if the subnet never allocated).
    Mark(u128),
}

/// The largest offset in `prefix` (its host mask as a number).
fn last_offset(prefix: IpNet) -> u128 {
    match prefix.hostmask() {
        IpAddr::V4(m) => u32::from(m) as u128,
        IpAddr::V6(m) => u128::from(m),
    }
}

/// The highest offset dynamic allocation may hand out; `None` if the subnet has none.
fn last_usable(prefix: IpNet) -> Option<u128> {
    let last = match prefix {
        // The broadcast address is reserved on IPv4 only.
        IpNet::V4(_) => last_offset(prefix).checked_sub(1)?,
        IpNet::V6(_) => last_offset(prefix),
    };
    (last >= FIRST_USABLE).then_some(last)
}

/// Where `addr` sits in `prefix`, or `None` if it is outside (or of the other family).
pub fn offset_of(prefix: IpNet, addr: IpAddr) -> Option<u128> {
    if !prefix.contains(&addr) {
        return None;
    }
    Some(match (prefix.network(), addr) {
        (IpAddr::V4(n), IpAddr::V4(a)) => (u32::from(a) - u32::from(n)) as u128,
        (IpAddr::V6(n), IpAddr::V6(a)) => u128::from(a) - u128::from(n),
        _ => return None,
    })
}

/// The address at `offset` in `prefix`. Offsets past the end wrap within the address family;
/// callers only pass offsets obtained from this module.
pub fn address_at(prefix: IpNet, offset: u128) -> IpAddr {
    match prefix.network() {
        IpAddr::V4(n) => IpAddr::V4(Ipv4Addr::from(u32::from(n).wrapping_add(offset as u32))),
        IpAddr::V6(n) => IpAddr::V6(Ipv6Addr::from(u128::from(n).wrapping_add(offset))),
    }
}

/// An address as Azure writes it (`10.0.0.4`, `fd00::4`). IPv4 is written digit by digit:
/// std's `Display` goes through the formatter's padding support, 1.6k instructions of the
/// serial part of a NIC create (the writer's job) for a fifteen-byte string.
pub fn address_text(addr: IpAddr) -> String {
    let IpAddr::V4(v4) = addr else {
        return addr.to_string();
    };
    let mut s = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        if octet >= 100 {
            s.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            s.push(char::from(b'0' + octet / 10 % 10));
        }
        s.push(char::from(b'0' + octet % 10));
    }
    s
}

/// Azure keeps the first four addresses of every subnet and, on IPv4, the broadcast address.
pub fn is_reserved(prefix: IpNet, offset: u128) -> bool {
    offset < FIRST_USABLE || (matches!(prefix, IpNet::V4(_)) && offset == last_offset(prefix))
}

/// How many addresses of `prefix` can be handed out (251 for a /24, 3 for a /29).
pub fn usable_count(prefix: IpNet) -> u128 {
    last_usable(prefix).map_or(0, |last| last - FIRST_USABLE + 1)
}

/// Whether the address at `offset` could be taken now: not one of Azure's and held by
/// nobody.
pub fn is_free<B: AddressBook>(
    book: &mut B,
    subnet_key: &str,
    prefix: IpNet,
    offset: u128,
) -> Result<bool, B::Error> {
    Ok(!is_reserved(prefix, offset) && book.owner(subnet_key, offset)?.is_none())
}

/// Addresses one question about free addresses looks at, at most ([`free_from`]): each is
/// one lookup, and the caller names where to start.
pub const MAX_PROBES: u128 = 1024;

/// Up to `want` free addresses of the subnet from `offset` on, in order, looking at no more
/// than `budget` of them (and taking what it looked at off it): what Azure offers instead of
/// an address that is taken (`CheckIPAddressAvailability`'s `availableIPAddresses`).
pub fn free_from<B: AddressBook>(
    book: &mut B,
    subnet_key: &str,
    prefix: IpNet,
    offset: u128,
    want: usize,
    budget: &mut u128,
) -> Result<Vec<IpAddr>, B::Error> {
    let mut found = Vec::with_capacity(want);
    let Some(last) = last_usable(prefix) else {
        return Ok(found);
    };
    let mut at = offset.max(FIRST_USABLE);
    while at <= last && found.len() < want && *budget > 0 {
        *budget -= 1;
        if book.owner(subnet_key, at)?.is_none() {
            found.push(address_at(prefix, at));
        }
        at += 1;
    }
    Ok(found)
}

/// Takes the lowest free address of the subnet for `owner` (the IP configuration id).
/// `subnet_name` is how Azure names the subnet in `SubnetIsFull`.
pub fn allocate_dynamic<B: AddressBook>(
    book: &mut B,
    subnet_key: &str,
    prefix: IpNet,
    owner: &str,
    subnet_name: &str,
) -> Result<IpAddr, B::Error> {
    let mark = match book.start(subnet_key)? {
        Start::Released(offset) => {
            book.remove_released(subnet_key, offset)?;
            book.claim(subnet_key, offset, owner)?;
            return Ok(address_at(prefix, offset));
        }
        Start::Mark(mark) => mark,
    };
    let full = || DomainError::SubnetIsFull {
        subnet: subnet_name.to_string(),
        prefix: prefix.to_string(),
    };
    let Some(last) = last_usable(prefix) else {
        return Err(full().into());
    };
    let start = mark.max(FIRST_USABLE);
    let mut offset = start;
    // Static claims may sit at or above the mark; they are passed over, never released.
    while offset <= last {
        if book.claim_and_mark(subnet_key, offset, owner, offset + 1)? {
            return Ok(address_at(prefix, offset));
        }
        offset += 1;
    }
    if offset != start {
        // Remember the skipped claims so the next request does not walk them again.
        book.set_mark(subnet_key, offset)?;
    }
    Err(full().into())
}

/// Takes `addr` for `owner` (the claiming IP configuration's id, which Azure names when the
/// address is held by another). Claiming an address `owner` already holds is a no-op, which
/// is how a dynamic address becomes static without changing.
pub fn claim_static<B: AddressBook>(
    book: &mut B,
    subnet_key: &str,
    prefix: IpNet,
    addr: IpAddr,
    owner: &str,
) -> Result<(), B::Error> {
    let Some(offset) = offset_of(prefix, addr) else {
        return Err(DomainError::PrivateIPAddressNotInSubnet {
            address: addr.to_string(),
            prefix: prefix.to_string(),
        }
        .into());
    };
    if is_reserved(prefix, offset) {
        return Err(DomainError::PrivateIPAddressInReservedRange {
            address: addr.to_string(),
            prefix: prefix.to_string(),
        }
        .into());
    }
    if let Some(holder) = book.owner(subnet_key, offset)? {
        if crate::id::fold(&holder) == crate::id::fold(owner) {
            return Ok(());
        }
        return Err(DomainError::PrivateIPAddressInUse {
            claimant: owner.to_string(),
            address: addr.to_string(),
            holder,
        }
        .into());
    }
    // Below the mark a free offset is necessarily in the released set.
    if offset < book.mark(subnet_key)? {
        book.remove_released(subnet_key, offset)?;
    }
    book.claim(subnet_key, offset, owner)
}

/// Gives `addr` back. Releasing an address nobody holds is a no-op, so a retried delete
/// cannot put an offset into the released set twice; one outside the subnet is an error.
pub fn release<B: AddressBook>(
    book: &mut B,
    subnet_key: &str,
    prefix: IpNet,
    addr: IpAddr,
) -> Result<(), B::Error> {
    let Some(offset) = offset_of(prefix, addr) else {
        return Err(DomainError::PrivateIPAddressNotInSubnet {
            address: addr.to_string(),
            prefix: prefix.to_string(),
        }
        .into());
    };
    if book.owner(subnet_key, offset)?.is_none() {
        return Ok(());
    }
    book.free(subnet_key, offset)?;
    // Above the mark the offset is simply free: the mark will reach it in order.
    if offset < book.mark(subnet_key)? {
        book.add_released(subnet_key, offset)?;
    }
    Ok(())
}

/// An in-memory [`AddressBook`] on B-trees, for tests here and in other crates. It counts
/// calls so tests can prove allocation does not scan.
pub mod testing {
    use super::AddressBook;
    use crate::error::DomainError;
    use std::collections::{BTreeMap, BTreeSet};

    #[derive(Debug, Default)]
    pub struct MemoryBook {
        pub marks: BTreeMap<String, u128>,
        pub released: BTreeSet<(String, u128)>,
        pub taken: BTreeMap<(String, u128), String>,
        /// Book calls made so far.
        pub calls: usize,
    }

    impl AddressBook for MemoryBook {
        type Error = DomainError;
        fn mark(&mut self, subnet: &str) -> Result<u128, DomainError> {
            self.calls += 1;
            Ok(self.marks.get(subnet).copied().unwrap_or(0))
        }
        fn set_mark(&mut self, subnet: &str, mark: u128) -> Result<(), DomainError> {
            self.calls += 1;
            self.marks.insert(subnet.to_string(), mark);
            Ok(())
        }
        fn lowest_released(&mut self, subnet: &str) -> Result<Option<u128>, DomainError> {
            self.calls += 1;
            let from = (subnet.to_string(), 0);
            Ok(self
                .released
                .range(from..)
                .next()
                .filter(|(s, _)| s == subnet)
                .map(|(_, o)| *o))
        }
        fn remove_released(&mut self, subnet: &str, offset: u128) -> Result<bool, DomainError> {
            self.calls += 1;
            Ok(self.released.remove(&(subnet.to_string(), offset)))
        }
        fn add_released(&mut self, subnet: &str, offset: u128) -> Result<(), DomainError> {
            self.calls += 1;
            self.released.insert((subnet.to_string(), offset));
            Ok(())
        }
        fn owner(&mut self, subnet: &str, offset: u128) -> Result<Option<String>, DomainError> {
            self.calls += 1;
            Ok(self.taken.get(&(subnet.to_string(), offset)).cloned())
        }
        fn claim(&mut self, subnet: &str, offset: u128, owner: &str) -> Result<(), DomainError> {
            self.calls += 1;
            self.taken
                .insert((subnet.to_string(), offset), owner.to_string());
            Ok(())
        }
        fn claim_if_free(
            &mut self,
            subnet: &str,
            offset: u128,
            owner: &str,
        ) -> Result<bool, DomainError> {
            self.calls += 1;
            let slot = self.taken.entry((subnet.to_string(), offset));
            let free = matches!(slot, std::collections::btree_map::Entry::Vacant(_));
            slot.or_insert_with(|| owner.to_string());
            Ok(free)
        }
        fn free(&mut self, subnet: &str, offset: u128) -> Result<(), DomainError> {
            self.calls += 1;
            self.taken.remove(&(subnet.to_string(), offset));
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::MemoryBook;
    use super::*;

    const S: &str = "subnet-key";

    #[test]
    fn addresses_are_written_as_display_writes_them() {
        for octet in 0..=255u8 {
            for addr in [
                Ipv4Addr::new(octet, 0, 255, octet),
                Ipv4Addr::new(10, octet, 9, 100),
                Ipv4Addr::new(192, 168, octet, 1),
            ] {
                assert_eq!(address_text(IpAddr::V4(addr)), addr.to_string());
            }
        }
        let v6: IpAddr = "fd00:db8::4".parse().unwrap();
        assert_eq!(address_text(v6), "fd00:db8::4");
    }

    fn p(s: &str) -> IpNet {
        s.parse().unwrap()
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }
    fn dynamic(book: &mut MemoryBook, prefix: &str, owner: &str) -> Result<IpAddr, DomainError> {
        allocate_dynamic(book, S, p(prefix), owner, "default")
    }

    #[test]
    fn free_addresses_after_a_taken_one_skip_holders_and_reserved_ones() {
        let mut b = MemoryBook::default();
        let net = p("10.0.1.0/24");
        for o in [4, 5, 7] {
            b.taken.insert((S.to_string(), o), format!("c{o}"));
        }
        assert!(!is_free(&mut b, S, net, 4).unwrap());
        assert!(!is_free(&mut b, S, net, 2).unwrap(), "reserved");
        assert!(!is_free(&mut b, S, net, 255).unwrap(), "broadcast");
        assert!(is_free(&mut b, S, net, 6).unwrap());
        let from = |b: &mut MemoryBook, net, o, want| {
            free_from(b, S, net, o, want, &mut MAX_PROBES.clone()).unwrap()
        };
        assert_eq!(
            from(&mut b, net, 5, 5),
            ["10.0.1.6", "10.0.1.8", "10.0.1.9", "10.0.1.10", "10.0.1.11"].map(ip)
        );
        // From a reserved address, the usable ones come first.
        assert_eq!(from(&mut b, net, 0, 2), ["10.0.1.6", "10.0.1.8"].map(ip));
        // The broadcast address is never offered; the subnet's end ends the list.
        assert_eq!(
            from(&mut b, net, 253, 5),
            ["10.0.1.253", "10.0.1.254"].map(ip)
        );
        assert!(from(&mut b, net, 255, 5).is_empty());
        assert!(from(&mut b, p("10.0.0.0/30"), 0, 5).is_empty());
        assert!(
            from(&mut b, p("fd00::/126"), 0, 5).is_empty(),
            "only reserved"
        );
        // IPv6 has no broadcast address.
        let mut empty = MemoryBook::default();
        assert_eq!(from(&mut empty, p("fd00::/125"), 7, 5), vec![ip("fd00::7")]);
    }

    #[test]
    fn the_search_for_free_addresses_spends_its_budget() {
        let mut b = MemoryBook::default();
        let net = p("10.0.0.0/16");
        for o in 5..5 + 2 * MAX_PROBES {
            b.taken.insert((S.to_string(), o), "c".into());
        }
        b.calls = 0;
        let mut budget = MAX_PROBES;
        assert!(free_from(&mut b, S, net, 5, 5, &mut budget)
            .unwrap()
            .is_empty());
        assert_eq!((b.calls as u128, budget), (MAX_PROBES, 0));
        // A spent budget looks at nothing more.
        assert!(free_from(&mut b, S, net, 0, 5, &mut budget)
            .unwrap()
            .is_empty());
        assert_eq!(b.calls as u128, MAX_PROBES);
    }

    #[test]
    fn offsets_round_trip_and_reservations() {
        let net = p("10.0.1.0/24");
        assert_eq!(offset_of(net, ip("10.0.1.7")), Some(7));
        assert_eq!(offset_of(net, ip("10.0.2.7")), None);
        assert_eq!(offset_of(net, ip("fd00::7")), None);
        assert_eq!(address_at(net, 255), ip("10.0.1.255"));
        assert!((0..4).all(|o| is_reserved(net, o)));
        assert!(is_reserved(net, 255) && !is_reserved(net, 4) && !is_reserved(net, 254));
        assert_eq!(usable_count(net), 251);
        assert_eq!(usable_count(p("10.0.0.0/29")), 3);
        assert_eq!(usable_count(p("10.0.0.0/30")), 0);
        assert_eq!(usable_count(p("10.0.0.0/8")), (1 << 24) - 5);
        let v6 = p("fd00::/64");
        assert!(!is_reserved(v6, u64::MAX as u128));
        assert_eq!(usable_count(v6), (1u128 << 64) - 4);
        assert_eq!(
            address_at(v6, u64::MAX as u128),
            ip("fd00::ffff:ffff:ffff:ffff")
        );
    }

    #[test]
    fn slash_29_has_three_addresses_then_is_full() {
        let mut book = MemoryBook::default();
        let got: Vec<_> = (0..3)
            .map(|i| dynamic(&mut book, "10.0.0.8/29", &format!("c{i}")).unwrap())
            .collect();
        assert_eq!(got, [ip("10.0.0.12"), ip("10.0.0.13"), ip("10.0.0.14")]);
        let e = dynamic(&mut book, "10.0.0.8/29", "c3").unwrap_err();
        assert_eq!(e.code(), "SubnetIsFull");
        assert_eq!(
            e.to_string(),
            "Subnet default with address prefix 10.0.0.8/29 does not have enough capacity for 1 IP addresses."
        );
    }

    #[test]
    fn first_dynamic_is_dot_four_in_v4_and_v6() {
        let mut book = MemoryBook::default();
        assert_eq!(
            dynamic(&mut book, "10.0.1.0/24", "a").unwrap(),
            ip("10.0.1.4")
        );
        let mut book = MemoryBook::default();
        assert_eq!(
            dynamic(&mut book, "fd00:0:0:1::/64", "a").unwrap(),
            ip("fd00:0:0:1::4")
        );
        assert_eq!(
            dynamic(&mut book, "fd00:0:0:1::/64", "b").unwrap(),
            ip("fd00:0:0:1::5")
        );
        // A /8 costs the same handful of book calls as a /29: nothing is scanned.
        let mut book = MemoryBook::default();
        let first = dynamic(&mut book, "10.0.0.0/8", "a").unwrap();
        assert_eq!(first, ip("10.0.0.4"));
        assert!(book.calls <= 4, "{} calls", book.calls);
    }

    #[test]
    fn release_then_reuse_returns_the_lowest() {
        let mut book = MemoryBook::default();
        let net = "10.0.0.0/24";
        for i in 0..6 {
            dynamic(&mut book, net, &format!("c{i}")).unwrap(); // .4 ..= .9
        }
        release(&mut book, S, p(net), ip("10.0.0.8")).unwrap();
        release(&mut book, S, p(net), ip("10.0.0.5")).unwrap();
        release(&mut book, S, p(net), ip("10.0.0.5")).unwrap(); // retried delete
        assert_eq!(dynamic(&mut book, net, "x").unwrap(), ip("10.0.0.5"));
        assert_eq!(dynamic(&mut book, net, "y").unwrap(), ip("10.0.0.8"));
        assert_eq!(dynamic(&mut book, net, "z").unwrap(), ip("10.0.0.10"));
    }

    #[test]
    fn static_claims_above_the_mark_are_skipped() {
        let mut book = MemoryBook::default();
        let net = p("10.0.0.0/24");
        claim_static(&mut book, S, net, ip("10.0.0.5"), "s1").unwrap();
        claim_static(&mut book, S, net, ip("10.0.0.6"), "s2").unwrap();
        claim_static(&mut book, S, net, ip("10.0.0.9"), "s3").unwrap();
        let got: Vec<_> = (0..4)
            .map(|i| dynamic(&mut book, "10.0.0.0/24", &format!("d{i}")).unwrap())
            .collect();
        assert_eq!(
            got,
            [
                ip("10.0.0.4"),
                ip("10.0.0.7"),
                ip("10.0.0.8"),
                ip("10.0.0.10")
            ]
        );
        // A static released above the mark is not put in the released set.
        claim_static(&mut book, S, net, ip("10.0.0.20"), "s4").unwrap();
        release(&mut book, S, net, ip("10.0.0.20")).unwrap();
        assert!(book.released.is_empty());
        // Below the mark it is.
        release(&mut book, S, net, ip("10.0.0.6")).unwrap();
        assert_eq!(
            dynamic(&mut book, "10.0.0.0/24", "d4").unwrap(),
            ip("10.0.0.6")
        );
    }

    #[test]
    fn static_claim_below_the_mark_leaves_the_released_set() {
        let mut book = MemoryBook::default();
        let net = p("10.0.0.0/24");
        for i in 0..3 {
            dynamic(&mut book, "10.0.0.0/24", &format!("c{i}")).unwrap(); // .4 .5 .6
        }
        release(&mut book, S, net, ip("10.0.0.5")).unwrap();
        claim_static(&mut book, S, net, ip("10.0.0.5"), "s").unwrap();
        assert!(book.released.is_empty());
        assert_eq!(
            dynamic(&mut book, "10.0.0.0/24", "d").unwrap(),
            ip("10.0.0.7")
        );
    }

    #[test]
    fn static_errors_carry_azures_codes_and_messages() {
        let mut book = MemoryBook::default();
        let net = p("10.0.1.0/24");
        let e = claim_static(&mut book, S, net, ip("10.0.1.1"), "a").unwrap_err();
        assert_eq!(e.code(), "PrivateIPAddressInReservedRange");
        assert_eq!(
            e.to_string(),
            "Private static IP address 10.0.1.1 falls within reserved IP range of subnet prefix 10.0.1.0/24."
        );
        let e = claim_static(&mut book, S, net, ip("10.0.1.255"), "a").unwrap_err();
        assert_eq!(e.code(), "PrivateIPAddressInReservedRange");

        let e = claim_static(&mut book, S, net, ip("10.0.2.10"), "a").unwrap_err();
        assert_eq!(e.code(), "PrivateIPAddressNotInSubnet");
        assert_eq!(
            e.to_string(),
            "Private static IP address 10.0.2.10 does not belong to the range of subnet prefix 10.0.1.0/24."
        );

        let a = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1/ipConfigurations/ipconfig1";
        let b = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n2/ipConfigurations/ipconfig1";
        claim_static(&mut book, S, net, ip("10.0.1.10"), a).unwrap();
        let e = claim_static(&mut book, S, net, ip("10.0.1.10"), b).unwrap_err();
        assert_eq!(e.code(), "PrivateIPAddressInUse");
        assert_eq!(
            e.to_string(),
            format!("IP configuration {b} is using the same private IP address 10.0.1.10 as IP configuration {a}.")
        );
        assert!(book.taken.len() == 1, "failed claims record nothing");
    }

    #[test]
    fn dynamic_to_static_keeps_the_address() {
        let mut book = MemoryBook::default();
        let net = p("10.0.1.0/24");
        let owner = "/subscriptions/s/.../ipConfigurations/ipconfig1";
        let got = dynamic(&mut book, "10.0.1.0/24", owner).unwrap();
        claim_static(&mut book, S, net, got, &owner.to_uppercase()).unwrap();
        assert_eq!(book.taken.len(), 1);
        assert_eq!(
            dynamic(&mut book, "10.0.1.0/24", "other").unwrap(),
            ip("10.0.1.5")
        );
    }

    #[test]
    fn subnets_do_not_share_state() {
        let mut book = MemoryBook::default();
        let net = p("10.0.0.0/24");
        allocate_dynamic(&mut book, "a", net, "x", "a").unwrap();
        release(&mut book, "a", net, ip("10.0.0.4")).unwrap();
        assert_eq!(
            allocate_dynamic(&mut book, "b", net, "y", "b").unwrap(),
            ip("10.0.0.4")
        );
        assert_eq!(
            allocate_dynamic(&mut book, "b", net, "z", "b").unwrap(),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn allocation_after_60k_is_constant_work() {
        let mut book = MemoryBook::default();
        let net = "10.1.0.0/16";
        for i in 0..60_000u32 {
            dynamic(&mut book, net, &i.to_string()).unwrap();
        }
        book.calls = 0;
        assert_eq!(
            dynamic(&mut book, net, "next").unwrap(),
            address_at(p(net), 60_004)
        );
        // lowest_released, mark, claim_if_free, set_mark.
        assert!(book.calls <= 4, "{} calls", book.calls);

        // Same with a hole: the released set answers directly.
        release(&mut book, S, p(net), address_at(p(net), 30_000)).unwrap();
        book.calls = 0;
        assert_eq!(
            dynamic(&mut book, net, "hole").unwrap(),
            address_at(p(net), 30_000)
        );
        assert!(book.calls <= 3, "{} calls", book.calls);
    }

    #[test]
    fn full_subnet_with_trailing_statics_does_not_rescan() {
        let mut book = MemoryBook::default();
        let net = p("10.0.0.0/29");
        claim_static(&mut book, S, net, ip("10.0.0.5"), "s1").unwrap();
        claim_static(&mut book, S, net, ip("10.0.0.6"), "s2").unwrap();
        dynamic(&mut book, "10.0.0.0/29", "d").unwrap();
        assert_eq!(
            dynamic(&mut book, "10.0.0.0/29", "e").unwrap_err().code(),
            "SubnetIsFull"
        );
        book.calls = 0;
        assert_eq!(
            dynamic(&mut book, "10.0.0.0/29", "f").unwrap_err().code(),
            "SubnetIsFull"
        );
        assert!(book.calls <= 2, "{} calls", book.calls);
        // Freeing a skipped static makes it available again, in order.
        release(&mut book, S, net, ip("10.0.0.6")).unwrap();
        assert_eq!(
            dynamic(&mut book, "10.0.0.0/29", "g").unwrap(),
            ip("10.0.0.6")
        );
    }
}
