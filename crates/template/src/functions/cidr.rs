//! `parseCidr`, `cidrSubnet`, `cidrHost` for IPv4 and IPv6 ranges.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde_json::{json, Value};

use super::Args;
use crate::error::EvalResult;
use crate::eval::Ctx;

/// A range as a 128-bit number with its width (32 or 128 bits) and prefix length.
struct Range {
    base: u128,
    bits: u32,
    prefix: u32,
}

impl Range {
    fn parse(a: &Args, text: &str) -> EvalResult<Range> {
        let bad = || a.fail("the value is not a valid IP address range in CIDR notation.");
        let (addr, prefix) = text.split_once('/').ok_or_else(bad)?;
        let addr: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let prefix: u32 = prefix.trim().parse().map_err(|_| bad())?;
        let (value, bits) = match addr {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
            IpAddr::V6(v6) => (u128::from(v6), 128),
        };
        if prefix > bits {
            return Err(bad());
        }
        let r = Range {
            base: 0,
            bits,
            prefix,
        };
        Ok(Range {
            base: value & r.mask(),
            ..r
        })
    }

    fn mask(&self) -> u128 {
        let all = if self.bits == 128 {
            u128::MAX
        } else {
            (1u128 << self.bits) - 1
        };
        let host = if self.prefix == 0 {
            all
        } else {
            (1u128 << (self.bits - self.prefix)).wrapping_sub(1)
        };
        all & !host
    }

    fn last(&self) -> u128 {
        self.base
            | (!self.mask()
                & if self.bits == 128 {
                    u128::MAX
                } else {
                    (1u128 << self.bits) - 1
                })
    }

    fn show(&self, n: u128) -> String {
        if self.bits == 32 {
            Ipv4Addr::from(n as u32).to_string()
        } else {
            Ipv6Addr::from(n).to_string()
        }
    }
}

pub(super) fn parse_cidr(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let r = Range::parse(a, a.str(0)?)?;
    let (first, last) = (r.base, r.last());
    if r.bits == 32 {
        let (fu, lu) = if r.prefix >= 31 {
            (first, last)
        } else {
            (first + 1, last - 1)
        };
        Ok(json!({
            "network": r.show(first),
            "netmask": r.show(r.mask()),
            "broadcast": r.show(last),
            "firstUsable": r.show(fu),
            "lastUsable": r.show(lu),
            "cidr": r.prefix,
        }))
    } else {
        Ok(json!({
            "network": r.show(first),
            "netmask": r.show(r.mask()),
            "firstUsable": r.show(first),
            "lastUsable": r.show(last),
            "cidr": r.prefix,
        }))
    }
}

pub(super) fn cidr_subnet(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(3)?;
    let r = Range::parse(a, a.str(0)?)?;
    let (new, index) = (a.int(1)?, a.int(2)?);
    if new < i64::from(r.prefix) || new > i64::from(r.bits) {
        return Err(a.fail(format!(
            "the new CIDR must be between {} and {}.",
            r.prefix, r.bits
        )));
    }
    let new = new as u32;
    let count = 1u128.checked_shl(new - r.prefix).unwrap_or(u128::MAX);
    if index < 0 || index as u128 >= count {
        return Err(a.fail(format!(
            "the subnet index must be between 0 and {}.",
            count - 1
        )));
    }
    let size = 1u128.checked_shl(r.bits - new).unwrap_or(0);
    Ok(Value::String(format!(
        "{}/{new}",
        r.show(r.base + index as u128 * size)
    )))
}

/// Host `index` counts usable addresses: index 0 is the address after the network's.
pub(super) fn cidr_host(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    let r = Range::parse(a, a.str(0)?)?;
    let index = a.int(1)?;
    let reserved_end = if r.bits == 32 && r.prefix < 31 { 1 } else { 0 };
    let usable = (r.last() - r.base)
        .saturating_add(1)
        .saturating_sub(1 + reserved_end);
    if index < 0 || index as u128 >= usable {
        return Err(a.fail("the host index is outside the range's usable addresses."));
    }
    Ok(Value::String(r.show(r.base + 1 + index as u128)))
}
