//! Long-running operations: records written in the same transaction as the change they
//! report, read by the status endpoints (from any server sharing the store) — or, for
//! operations that are over when that transaction commits and report nothing else (every
//! Microsoft.Network write that succeeds), no record at all: a *settled* operation's id
//! says when it started and carries a MAC, so a poll rebuilds it from the id.
//!
//! A settled id is a GUID of version 8 (RFC 9562's "custom"): 48 bits of its start time in
//! milliseconds, the version, 12 bits that tell apart operations of one millisecond, the
//! variant, and 62 bits of SipHash-2-4, under the store's `operation-key` secret, of those
//! and of the subscription, namespace and region its polling URLs name. An altered or
//! forged id fails the MAC and is not found. Why: the operation row was 11 % of a NIC
//! create's work on the SQLite writer, whose serial batch bounds the create rate.

use crate::{App, AppError};
use cerulean_domain::id::ResourceId;
use cerulean_domain::operation::{Operation, OperationError, OperationStatus};
use cerulean_domain::DomainError;

pub fn now_ms() -> i64 {
    since_epoch().as_millis() as i64
}

/// The wall clock since the Unix epoch (zero for a clock set before it).
fn since_epoch() -> std::time::Duration {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
}

/// The store secret the MAC of settled operation ids is keyed with (shared by every server
/// on the store: any of them answers a poll).
pub(crate) const KEY_SECRET: &str = "operation-key";

/// Makes operation records; cheap to clone into store jobs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ops {
    latency_ms: i64,
    key: [u8; 16],
}

/// The version nibble of a settled id (a stored operation's id is a version 7 GUID).
const SETTLED_VERSION: u128 = 8;
const MAC_BITS: u32 = 62;

/// Whether `id` names a settled operation, which keeps no record (`keep` skips it).
fn is_settled(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok_and(|u| (u.as_u128() >> 76) & 0xf == SETTLED_VERSION)
}

/// Stores `op` unless it is settled (its id is all there is to it).
pub(crate) fn keep(tx: &mut dyn cerulean_store::Tx, op: &Operation) -> Result<(), AppError> {
    if !is_settled(&op.id) {
        tx.put_operation(op)?;
    }
    Ok(())
}

impl Ops {
    /// A new, finished operation that reports `InProgress` for the configured latency.
    pub(crate) fn make(
        &self,
        subscription: &str,
        namespace: &str,
        location: &str,
        resource_id: &str,
        outcome: Result<Option<String>, &DomainError>,
    ) -> Operation {
        // Time-ordered (still a GUID to clients): new operations land at the end of the id
        // index instead of dirtying a random page of it in every commit.
        let id = uuid::Uuid::now_v7().to_string();
        let parts = [subscription, namespace, location, resource_id];
        self.build(id, now_ms(), parts, outcome)
    }

    fn build(
        &self,
        id: String,
        now: i64,
        [subscription, namespace, location, resource_id]: [&str; 4],
        outcome: Result<Option<String>, &DomainError>,
    ) -> Operation {
        let (status, error, result) = match outcome {
            Ok(result) => (OperationStatus::Succeeded, None, result),
            Err(e) => (
                OperationStatus::Failed,
                Some(OperationError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                }),
                None,
            ),
        };
        Operation {
            id,
            subscription: subscription.to_string(),
            namespace: namespace.to_string(),
            location: location.to_string(),
            resource_id: resource_id.to_string(),
            outcome: status,
            error,
            result,
            started_at_ms: now,
            done_at_ms: now + self.latency_ms,
            returns_resource: false,
        }
    }

    /// A finished Microsoft.Network operation on `id` in `location`: settled, no record.
    pub(crate) fn network(&self, id: &ResourceId, location: &str) -> Operation {
        const NAMESPACE: &str = "Microsoft.Network";
        // One reading of the clock: its millisecond, and which operation of that millisecond
        // (the finer digits are enough, as two operations that collide report the same
        // thing).
        let clock = since_epoch();
        let now = clock.as_millis() as i64;
        let tell = u128::from(clock.subsec_micros()) & 0xfff;
        let head = ((now as u128 & 0xffff_ffff_ffff) << 80)
            | (SETTLED_VERSION << 76)
            | (tell << 64)
            | (0b10 << 62);
        let mac = self.mac(head, id.subscription(), NAMESPACE, location);
        let op_id = uuid::Uuid::from_u128(head | mac).to_string();
        let parts = [id.subscription(), NAMESPACE, location, id.as_str()];
        self.build(op_id, now, parts, Ok(None))
    }

    /// The settled operation `id` names under these polling-URL parts, if its MAC holds.
    fn settled(
        &self,
        subscription: &str,
        namespace: &str,
        location: &str,
        id: &str,
    ) -> Option<Operation> {
        let bits = uuid::Uuid::try_parse(id).ok()?.as_u128();
        let mask = (1u128 << MAC_BITS) - 1;
        if (bits >> 76) & 0xf != SETTLED_VERSION || (bits >> 62) & 0b11 != 0b10 {
            return None;
        }
        if self.mac(bits & !mask, subscription, namespace, location) != bits & mask {
            return None;
        }
        let started = (bits >> 80) as i64;
        Some(Operation {
            id: id.to_string(),
            subscription: subscription.to_string(),
            namespace: namespace.to_string(),
            location: location.to_string(),
            resource_id: String::new(),
            outcome: OperationStatus::Succeeded,
            error: None,
            result: None,
            started_at_ms: started,
            done_at_ms: started + self.latency_ms,
            returns_resource: false,
        })
    }

    fn mac(&self, head: u128, subscription: &str, namespace: &str, location: &str) -> u128 {
        use std::hash::Hasher;
        let mut h = siphasher::sip::SipHasher24::new_with_key(&self.key);
        h.write(&head.to_be_bytes());
        // Case-blind, as the polling URL is: the bytes folded in chunks on the stack (the
        // hasher streams, so chunking does not change the MAC).
        let mut chunk = [0u8; 64];
        for part in [subscription, namespace, location] {
            for piece in part.as_bytes().chunks(chunk.len()) {
                let folded = &mut chunk[..piece.len()];
                folded.copy_from_slice(piece);
                folded.make_ascii_lowercase();
                h.write(folded);
            }
            h.write_u8(0);
        }
        u128::from(h.finish()) & ((1u128 << MAC_BITS) - 1)
    }
}

/// The MAC key kept in the store secret [`KEY_SECRET`] (32 hex digits).
pub(crate) fn parse_key(hex: &str) -> Option<[u8; 16]> {
    let bits = u128::from_str_radix(hex, 16)
        .ok()
        .filter(|_| hex.len() == 32)?;
    Some(bits.to_be_bytes())
}

/// A fresh key for [`KEY_SECRET`]: a random GUID's 122 random bits are plenty for SipHash.
pub(crate) fn new_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl App {
    pub(crate) fn ops(&self) -> Ops {
        Ops {
            latency_ms: self.config.latency.as_millis() as i64,
            key: self.operation_key,
        }
    }

    /// The operation with this id in this subscription, and its status now; `namespace` and
    /// `location` are those of the polling URL.
    pub async fn get_operation(
        &self,
        subscription: &str,
        namespace: &str,
        location: &str,
        id: &str,
    ) -> Result<(Operation, OperationStatus), AppError> {
        if let Some(op) = self.ops().settled(subscription, namespace, location, id) {
            let status = op.status_at(now_ms());
            return Ok((op, status));
        }
        let key = id.to_string();
        let op = cerulean_store::read(&*self.store, move |tx| tx.get_operation(&key)).await?;
        match op {
            Some(op) if op.subscription.eq_ignore_ascii_case(subscription) => {
                let status = op.status_at(now_ms());
                Ok((op, status))
            }
            _ => Err(DomainError::OperationNotFound { id: id.to_string() }.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(key: u8) -> Ops {
        Ops {
            latency_ms: 0,
            key: [key; 16],
        }
    }

    fn nic() -> ResourceId {
        ResourceId::parse(
            "/subscriptions/S1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n",
        )
        .unwrap()
    }

    #[test]
    fn a_settled_operation_is_rebuilt_from_its_id_alone() {
        let op = ops(1).network(&nic(), "eastus");
        assert!(is_settled(&op.id));
        let got = ops(1)
            .settled("s1", "microsoft.network", "EastUS", &op.id)
            .expect("its own id");
        assert_eq!(got.started_at_ms, op.started_at_ms);
        assert_eq!(got.status_at(now_ms()), OperationStatus::Succeeded);
        assert_eq!(got.namespace, "microsoft.network", "as the URL spells it");
    }

    #[test]
    fn an_altered_or_foreign_id_is_no_operation() {
        let op = ops(1).network(&nic(), "eastus");
        let bits = uuid::Uuid::parse_str(&op.id).unwrap().as_u128();
        for flip in [0, 30, 61, 64, 70, 90, 127] {
            let altered = uuid::Uuid::from_u128(bits ^ (1 << flip)).to_string();
            assert!(
                ops(1)
                    .settled("S1", "Microsoft.Network", "eastus", &altered)
                    .is_none(),
                "{flip}"
            );
        }
        // Another key (another store), another subscription, namespace or region.
        for (key, sub, ns, loc) in [
            (2, "S1", "Microsoft.Network", "eastus"),
            (1, "S2", "Microsoft.Network", "eastus"),
            (1, "S1", "Microsoft.Compute", "eastus"),
            (1, "S1", "Microsoft.Network", "westus"),
        ] {
            assert!(
                ops(key).settled(sub, ns, loc, &op.id).is_none(),
                "{sub} {ns} {loc}"
            );
        }
        // A stored operation's id (version 7) is not settled.
        let stored = ops(1).make("S1", "Microsoft.Network", "eastus", "x", Ok(None));
        assert!(!is_settled(&stored.id));
        assert!(ops(1)
            .settled("S1", "Microsoft.Network", "eastus", &stored.id)
            .is_none());
    }

    /// The MAC of ids handed out by an earlier server still holds: it hashes the lower-cased
    /// parts as one stream, however they are folded (parts longer than the folding chunk).
    #[test]
    fn the_mac_hashes_the_lower_cased_parts() {
        use std::hash::Hasher;
        let long = format!("S-{}", "Ab".repeat(70));
        let o = ops(3);
        let mut h = siphasher::sip::SipHasher24::new_with_key(&o.key);
        h.write(&7u128.to_be_bytes());
        for part in [long.as_str(), "Microsoft.Network", "EastUS"] {
            h.write(part.to_ascii_lowercase().as_bytes());
            h.write_u8(0);
        }
        let want = u128::from(h.finish()) & ((1u128 << MAC_BITS) - 1);
        assert_eq!(o.mac(7, &long, "Microsoft.Network", "EastUS"), want);
        assert_eq!(
            o.mac(7, &long.to_lowercase(), "microsoft.network", "eastus"),
            want
        );
    }

    #[test]
    fn keys_round_trip_through_the_secret() {
        let hex = new_key();
        assert_eq!(hex.len(), 32);
        assert!(parse_key(&hex).is_some());
        assert!(parse_key("xyz").is_none());
        assert!(parse_key(&hex[1..]).is_none());
    }
}
