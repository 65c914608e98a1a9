//! References from one resource to another (`{"id": "..."}` in a request body).
//!
//! Every reference a client sends is parsed here, once, by the edge, into the id of a
//! resource of the type its property must name; rules and stores only ever see ids of the
//! right type, so a reference to a resource of another type can never reach a record of
//! that type (it used to be decoded as the wrong kind: a 500). What each provider answers:
//! - not an id at all: ARM's `LinkedInvalidPropertyId`, naming the property's path;
//! - Microsoft.Network, another type: 400 `InvalidRequestFormat` "Cannot parse the
//!   request." with one `InvalidJsonReferenceFormat` detail naming the expected type and
//!   the path;
//! - Microsoft.Compute, another type: 400 `BadRequest` "Id {id} is not a valid resource
//!   reference." (transcripts show it for availability sets and images; GUESS for NICs).
//!
//! Whether the resource exists (and is in the referrer's region) is the rules' business:
//! `InvalidResourceReference`.

use crate::error::DomainError;
use crate::id::ResourceId;
use std::collections::HashMap;

/// Where the resources a request refers to live: lower-case id → region. An id absent here
/// names no resource (of its type: the application looks records up by id and type).
pub type Located = HashMap<String, String>;

/// A reference must name an existing resource in the referrer's region; Azure answers
/// both failures alike, `InvalidResourceReference`. Used for the references to types
/// cerulean does not model (network security groups, route tables); the modelled ones are
/// checked by their own rules, which know more of their target.
pub fn check_located(
    id: &ResourceId,
    referrer: &str,
    location: &str,
    located: &Located,
) -> Result<(), DomainError> {
    match located.get(id.key()) {
        Some(l) if l == location => Ok(()),
        _ => Err(DomainError::InvalidResourceReference {
            id: id.to_string(),
            referrer: referrer.to_string(),
        }),
    }
}

/// What a reference property must name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Subnet,
    PublicIp,
    BackendPool,
    InboundNatRule,
    NetworkSecurityGroup,
    ApplicationSecurityGroup,
    RouteTable,
    NetworkInterface,
    AvailabilitySet,
}

impl Target {
    /// The type path, spelled as Azure prints it.
    pub const fn type_path(self) -> &'static str {
        match self {
            Target::Subnet => "Microsoft.Network/virtualNetworks/subnets",
            Target::PublicIp => "Microsoft.Network/publicIPAddresses",
            Target::BackendPool => "Microsoft.Network/loadBalancers/backendAddressPools",
            Target::InboundNatRule => "Microsoft.Network/loadBalancers/inboundNatRules",
            Target::NetworkSecurityGroup => "Microsoft.Network/networkSecurityGroups",
            Target::ApplicationSecurityGroup => "Microsoft.Network/applicationSecurityGroups",
            Target::RouteTable => "Microsoft.Network/routeTables",
            Target::NetworkInterface => "Microsoft.Network/networkInterfaces",
            Target::AvailabilitySet => "Microsoft.Compute/availabilitySets",
        }
    }

    /// The type without its namespace (`virtualNetworks/subnets`), as NRP names it.
    fn short_type(self) -> &'static str {
        let path = self.type_path();
        match path.find('/') {
            Some(i) => path.split_at(i + 1).1,
            None => path,
        }
    }

    /// Which provider judges the reference: its error differs.
    fn judged_by_compute(self) -> bool {
        matches!(self, Target::NetworkInterface | Target::AvailabilitySet)
    }
}

/// A network security group or route table stays while a NIC or subnet links it, and an
/// application security group while an IP configuration names it (`users`: the ids of the
/// linking NICs, subnets and IP configurations). Other types are never linked.
pub fn check_unlinked(id: &ResourceId, users: &[String]) -> Result<(), DomainError> {
    if users.is_empty() {
        return Ok(());
    }
    if id.is_type(Target::ApplicationSecurityGroup.type_path()) {
        let configs: Vec<&str> = users
            .iter()
            .map(|u| u.rsplit('/').next().unwrap_or(u))
            .collect();
        return Err(DomainError::InUseApplicationSecurityGroupCannotBeDeleted {
            name: id.name().to_string(),
            configs: configs.join(", "),
        });
    }
    let users = users.join(", ");
    Err(if id.is_type(Target::RouteTable.type_path()) {
        DomainError::InUseRouteTableCannotBeDeleted {
            route_table: id.to_string(),
            users,
        }
    } else {
        DomainError::InUseNetworkSecurityGroupCannotBeDeleted {
            nsg: id.to_string(),
            users,
        }
    })
}

/// Parses the reference `raw`, found at JSON path `path()` (the `{"id"}` object's path,
/// e.g. `properties.ipConfigurations[0].properties.subnet`; built only for an error), which
/// must name a `target`.
pub fn parse(
    raw: &str,
    target: Target,
    path: impl FnOnce() -> String,
) -> Result<ResourceId, DomainError> {
    let Ok(id) = ResourceId::parse(raw) else {
        return Err(DomainError::InvalidPropertyId {
            id: raw.to_string(),
            path: format!("{}.id", path()),
        });
    };
    if id.is_type(target.type_path()) && id.group_name().is_some() {
        return Ok(id);
    }
    Err(if target.judged_by_compute() {
        DomainError::InvalidComputeReference {
            id: raw.to_string(),
        }
    } else {
        DomainError::InvalidJsonReferenceFormat {
            id: raw.to_string(),
            expected: target.short_type().to_string(),
            path: path(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBNET: &str =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/web";
    const PATH: &str = "properties.ipConfigurations[0].properties.subnet";

    #[test]
    fn a_reference_of_the_right_type_is_its_id_whatever_the_case_or_trailing_slash() {
        let id = parse(SUBNET, Target::Subnet, || PATH.to_string()).unwrap();
        assert_eq!(id.as_str(), SUBNET);
        let id = parse(
            &format!("{}/", SUBNET.to_uppercase()),
            Target::Subnet,
            || PATH.to_string(),
        )
        .unwrap();
        assert!(!id.as_str().ends_with('/'), "the slash is dropped");
        assert!(id.as_str().ends_with("/VIRTUALNETWORKS/V/SUBNETS/WEB"));
        assert_eq!(id.key(), SUBNET.to_lowercase());
    }

    #[test]
    fn a_network_reference_of_another_type_cannot_be_parsed() {
        let vnet =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";
        let e = parse(vnet, Target::Subnet, || PATH.to_string()).unwrap_err();
        assert_eq!(e.code(), "InvalidRequestFormat");
        assert_eq!(e.to_string(), "Cannot parse the request.");
        let d = &e.details()[0];
        assert_eq!(d.code, "InvalidJsonReferenceFormat");
        assert_eq!(
            d.message,
            format!("Reference Id {vnet} is not formatted correctly. The Id is expected to reference resources of type virtualNetworks/subnets. Path {PATH}.")
        );
        // Another namespace with the same type name is another type.
        let e = parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/publicIPAddresses/p",
            Target::PublicIp,
            || "x".to_string(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "InvalidRequestFormat");
        // A child of the right type: still another type.
        let e = parse(&format!("{SUBNET}/x/y"), Target::Subnet, || {
            PATH.to_string()
        })
        .unwrap_err();
        assert_eq!(e.code(), "InvalidRequestFormat");
        // A group or a subscription is not a resource of any of these types.
        for scope in ["/subscriptions/s/resourceGroups/rg", "/subscriptions/s"] {
            let e = parse(scope, Target::NetworkSecurityGroup, || "p".to_string()).unwrap_err();
            assert_eq!(e.code(), "InvalidRequestFormat", "{scope}");
        }
    }

    #[test]
    fn a_compute_reference_of_another_type_is_not_a_valid_reference() {
        let e = parse(SUBNET, Target::AvailabilitySet, || {
            "properties.availabilitySet".to_string()
        })
        .unwrap_err();
        assert_eq!(e.code(), "BadRequest");
        assert_eq!(
            e.to_string(),
            format!("Id {SUBNET} is not a valid resource reference.")
        );
        let e = parse(SUBNET, Target::NetworkInterface, || "n".to_string()).unwrap_err();
        assert_eq!(e.code(), "BadRequest");
    }

    #[test]
    fn a_located_reference_exists_in_the_referrers_region() {
        let nsg = parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/N",
            Target::NetworkSecurityGroup,
            || "properties.networkSecurityGroup".to_string(),
        )
        .unwrap();
        let located: Located = [(nsg.key().to_string(), "eastus".to_string())].into();
        check_located(&nsg, "nic", "eastus", &located).unwrap();
        for (location, found) in [("westus", &located), ("eastus", &Located::new())] {
            let e = check_located(&nsg, "nic", location, found).unwrap_err();
            assert_eq!(e.code(), "InvalidResourceReference");
            assert_eq!(
                e.to_string(),
                format!("Resource {nsg} referenced by resource nic was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.")
            );
        }
    }

    #[test]
    fn a_linked_security_group_or_route_table_stays() {
        let nsg =
            ResourceId::resource("s", "rg", "Microsoft.Network", "networkSecurityGroups", "n");
        let rt = ResourceId::resource("s", "rg", "Microsoft.Network", "routeTables", "r");
        check_unlinked(&nsg, &[]).unwrap();
        let users = ["/nic1".to_string(), "/vnet/subnets/a".to_string()];
        let e = check_unlinked(&nsg, &users).unwrap_err();
        assert_eq!(e.code(), "InUseNetworkSecurityGroupCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            format!("Network security group {nsg} cannot be deleted because it is in use by the following resources: /nic1, /vnet/subnets/a. In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see aka.ms/deletensg.")
        );
        let e = check_unlinked(&rt, &users[1..]).unwrap_err();
        assert_eq!(e.code(), "InUseRouteTableCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            format!("Route table {rt} is in use by /vnet/subnets/a and cannot be deleted.")
        );
        let asg = ResourceId::resource(
            "s",
            "rg",
            "Microsoft.Network",
            "applicationSecurityGroups",
            "web",
        );
        let configs = [
            "/nic1/ipConfigurations/ipconfig1".to_string(),
            "/nic2/ipConfigurations/second".to_string(),
        ];
        let e = check_unlinked(&asg, &configs).unwrap_err();
        assert_eq!(e.code(), "InUseApplicationSecurityGroupCannotBeDeleted");
        assert_eq!(
            e.to_string(),
            "Application Security Group web cannot be deleted because it is referenced by IpConfiguration(s) ipconfig1, second."
        );
    }

    #[test]
    fn a_reference_that_is_not_an_id_names_its_property() {
        let e = parse("web", Target::Subnet, || PATH.to_string()).unwrap_err();
        assert_eq!(e.code(), "LinkedInvalidPropertyId");
        assert_eq!(
            e.to_string(),
            format!("Property id 'web' at path '{PATH}.id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.")
        );
    }
}
