//! A private endpoint's connection as the connected resource's owner sees it
//! (`{resource}/privateEndpointConnections/{name}`). An automatic connection starts approved
//! and a manual one pending. The owner approves a pending connection, or rejects a pending or
//! approved one; a rejected connection stays rejected (Azure's rule: its endpoint must be made
//! again). The owner's delete leaves the endpoint disconnected. Only an approved connection
//! serves: the endpoint shows the service's names and its zone group writes their records.

use crate::DomainError;

/// The child type under the connected resource, as Azure spells it.
pub const SEGMENT: &str = "privateEndpointConnections";

/// Whether `kind` (a lower-case type path) is some resource's private endpoint connections.
pub fn is_kind(kind: &str) -> bool {
    kind.ends_with("/privateendpointconnections")
}

/// A connection's state (`privateLinkServiceConnectionState.status`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    /// The owner removed the connection, or deleted the resource.
    Disconnected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "Pending",
            Status::Approved => "Approved",
            Status::Rejected => "Rejected",
            Status::Disconnected => "Disconnected",
        }
    }

    /// Any case, as the services take it.
    pub fn parse(text: &str) -> Option<Status> {
        [
            Status::Pending,
            Status::Approved,
            Status::Rejected,
            Status::Disconnected,
        ]
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(text))
    }

    /// Whether the endpoint answers for the service in this state.
    pub fn serves(self) -> bool {
        self == Status::Approved
    }
}

/// The connection's name under the resource: `{endpoint}.{guid}` (Azure's form for storage
/// accounts; GUESS for other services).
pub fn name(endpoint: &str, guid: &str) -> String {
    format!("{endpoint}.{guid}")
}

/// A private link service connection's `linkIdentifier`: a number Azure gives each
/// connection (its values sit just above 2^29), here drawn from the connection name's GUID so
/// that it stays the same across writes.
pub fn link_identifier(connection_name: &str) -> String {
    let guid = connection_name.rsplit('.').next().unwrap_or_default();
    let hex: String = guid
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(6)
        .collect();
    let low = u32::from_str_radix(&hex, 16).unwrap_or(0);
    (0x2000_0000 + low).to_string()
}

/// A new connection's state and description: automatic ones are approved at once ("Auto-
/// Approved", Azure's), manual ones wait with the requester's message.
pub fn initial(manual: bool, request_message: &str) -> (Status, String) {
    match manual {
        false => (Status::Approved, "Auto-Approved".to_string()),
        true => (Status::Pending, request_message.to_string()),
    }
}

/// The description an endpoint shows once its connection is removed (GUESS).
pub const REMOVED: &str = "The private endpoint connection was removed by the resource owner.";

/// The owner's change of a connection from `from` to the request's status: pending to
/// approved or rejected, approved to rejected. Anything else (approving again, approving a
/// rejected connection, no status) is refused as Azure Storage refuses it.
pub fn change(from: Status, to: Option<&str>) -> Result<Status, DomainError> {
    match (from, to.and_then(Status::parse)) {
        (Status::Pending, Some(to @ (Status::Approved | Status::Rejected))) => Ok(to),
        (Status::Approved, Some(Status::Rejected)) => Ok(Status::Rejected),
        _ => Err(DomainError::InvalidValuesForRequestParameters {
            parameters: "privateLinkServiceConnectionState.status".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_identifier_is_stable_and_azure_shaped() {
        let a = link_identifier("pe1.0a1b2c3d-0000-4000-8000-000000000000");
        assert_eq!(a, (0x2000_0000u32 + 0x0a1b2c).to_string());
        assert_eq!(
            a,
            link_identifier("pe1.0a1b2c3d-0000-4000-8000-000000000000")
        );
        assert_ne!(
            a,
            link_identifier("pe1.ffffff3d-0000-4000-8000-000000000000")
        );
        assert_eq!(link_identifier("pe.xyz"), (1u32 << 29).to_string());
    }

    #[test]
    fn statuses_read_in_any_case() {
        assert_eq!(Status::parse("approved"), Some(Status::Approved));
        assert_eq!(Status::parse("REJECTED"), Some(Status::Rejected));
        assert_eq!(Status::parse("Unknown"), None);
        assert!(Status::Approved.serves());
        assert!(!Status::Pending.serves() && !Status::Rejected.serves());
        assert!(!Status::Disconnected.serves());
    }

    #[test]
    fn new_connections_start_approved_or_pending() {
        assert_eq!(
            initial(false, "ignored"),
            (Status::Approved, "Auto-Approved".into())
        );
        assert_eq!(initial(true, "please"), (Status::Pending, "please".into()));
        assert_eq!(name("pe1", "abc"), "pe1.abc");
        assert!(is_kind(
            "microsoft.storage/storageaccounts/privateendpointconnections"
        ));
        assert!(!is_kind("microsoft.storage/storageaccounts"));
    }

    #[test]
    fn the_owner_approves_or_rejects_a_pending_connection() {
        assert_eq!(
            change(Status::Pending, Some("Approved")),
            Ok(Status::Approved)
        );
        assert_eq!(
            change(Status::Pending, Some("rejected")),
            Ok(Status::Rejected)
        );
        assert_eq!(
            change(Status::Approved, Some("Rejected")),
            Ok(Status::Rejected)
        );
    }

    #[test]
    fn a_rejected_connection_stays_rejected_and_an_approved_one_is_not_approved_again() {
        for (from, to) in [
            (Status::Rejected, Some("Approved")),
            (Status::Rejected, Some("Pending")),
            (Status::Rejected, Some("Rejected")),
            (Status::Approved, Some("Approved")),
            (Status::Approved, Some("Pending")),
            (Status::Pending, Some("Pending")),
            (Status::Pending, Some("Disconnected")),
            (Status::Pending, Some("Sure")),
            (Status::Pending, None),
        ] {
            let err = change(from, to).unwrap_err();
            assert_eq!(
                err.code(),
                "InvalidValuesForRequestParameters",
                "{from:?} → {to:?}"
            );
            assert_eq!(
                err.to_string(),
                "Values for request parameters are invalid: privateLinkServiceConnectionState.status."
            );
            assert_eq!(err.class(), crate::error::ErrorClass::BadRequest);
        }
    }
}
