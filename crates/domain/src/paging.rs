//! Lists are paged by key: a `nextLink` carries the key (lower-case id) of the last resource
//! of its page as `$skiptoken`, and the next page starts after it. A token is checked before
//! it is used: one that no page of this list could have produced is refused, where reading
//! "after" it would quietly answer an empty or arbitrary page.

use crate::error::DomainError;
use crate::id::{fold, ResourceId};

/// The list a token continues: a subscription (lower-case id) or a group in it (lower-case
/// key), and the kind listed, if only one.
#[derive(Clone, Copy, Debug)]
pub struct Listing<'a> {
    pub subscription: &'a str,
    pub group_key: Option<&'a str>,
    pub kind: Option<&'a str>,
}

/// Refuses a `$skiptoken` that is not the key of a resource this list could hold.
pub fn check_skiptoken(token: &str, listing: Listing) -> Result<(), DomainError> {
    let invalid = || DomainError::InvalidSkipToken {
        token: token.to_string(),
    };
    let id = ResourceId::parse(token).map_err(|_| invalid())?;
    let fits = id.key() == token
        && fold(id.subscription()) == listing.subscription
        && listing.group_key.is_none_or(|g| {
            token.len() > g.len() + 1 && token.starts_with(g) && token.as_bytes()[g.len()] == b'/'
        })
        && listing.kind.is_none_or(|k| id.kind_key() == k);
    if fits {
        Ok(())
    } else {
        Err(invalid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUP: &str = "/subscriptions/s1/resourcegroups/rg";
    const NIC: &str =
        "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n1";
    const NICS: &str = "microsoft.network/networkinterfaces";

    fn in_group(kind: Option<&'static str>) -> Listing<'static> {
        Listing {
            subscription: "s1",
            group_key: Some(GROUP),
            kind,
        }
    }

    #[test]
    fn a_key_of_the_listed_kind_and_scope_continues_the_list() {
        check_skiptoken(NIC, in_group(Some(NICS))).unwrap();
        check_skiptoken(NIC, in_group(None)).unwrap();
        let subscription = Listing {
            subscription: "s1",
            group_key: None,
            kind: Some(NICS),
        };
        check_skiptoken(NIC, subscription).unwrap();
        let groups = Listing {
            subscription: "s1",
            group_key: None,
            kind: Some(crate::kind::RESOURCE_GROUP),
        };
        check_skiptoken(GROUP, groups).unwrap();
    }

    #[test]
    fn anything_else_is_an_invalid_skip_token() {
        for bad in [
            "garbage",
            "",
            "%%%",
            // Not a key: keys are lower-case.
            "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1",
            // Another kind, group or subscription.
            "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v",
            "/subscriptions/s1/resourcegroups/rg2/providers/microsoft.network/networkinterfaces/n1",
            "/subscriptions/s2/resourcegroups/rg/providers/microsoft.network/networkinterfaces/n1",
            GROUP,
        ] {
            let e = check_skiptoken(bad, in_group(Some(NICS))).unwrap_err();
            assert_eq!(e.code(), "InvalidSkipToken", "{bad}");
            assert_eq!(e.class(), crate::ErrorClass::BadRequest);
            assert_eq!(
                e.to_string(),
                format!("The $skiptoken '{bad}' is not valid for this list.")
            );
        }
    }
}
