//! Resource providers: the namespaces cerulean answers for, their resource types, and each
//! subscription's registration state (`GET /subscriptions/{s}/providers`,
//! `POST .../providers/{ns}/register`). Clients read this catalogue before they create
//! anything: the Terraform azurerm provider lists it for its validation and registers the
//! namespaces of its chosen set that are not registered yet.
//!
//! The namespaces cerulean models are registered in every subscription from the start (a
//! fresh emulator should not make every client wait for a registration); the others start
//! `NotRegistered`, as in a new Azure subscription. Registration completes at once.
//! Registration is not enforced on PUT: an unregistered namespace still accepts resources.

use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One resource type of a namespace, as the catalogue lists it.
#[derive(Clone, Copy, Debug)]
pub struct ResourceType {
    /// As Azure spells it, child types with their parents (`virtualNetworks/subnets`).
    pub name: &'static str,
    /// Newest first, as Azure lists them.
    pub api_versions: &'static [&'static str],
    /// Regional types are offered in every region; global ones (`locations`, `operations`)
    /// list none.
    pub regional: bool,
}

#[derive(Clone, Copy, Debug)]
pub struct Namespace {
    pub name: &'static str,
    /// Registered in a subscription before anyone asks.
    pub registered_by_default: bool,
    pub resource_types: &'static [ResourceType],
}

const NETWORK_VERSIONS: &[&str] = &[
    "2026-03-01",
    "2026-01-01",
    "2025-07-01",
    "2025-05-01",
    "2025-01-01",
    "2024-10-01",
    "2024-07-01",
    "2024-05-01",
    "2024-03-01",
    "2024-01-01",
    "2023-11-01",
    "2023-09-01",
    "2023-06-01",
    "2023-05-01",
    "2023-04-01",
    "2023-02-01",
    "2022-11-01",
    "2022-09-01",
    "2022-07-01",
    "2022-05-01",
    "2022-01-01",
    "2021-08-01",
    "2021-05-01",
    "2021-02-01",
    "2020-11-01",
    "2020-07-01",
    "2020-06-01",
    "2020-05-01",
    "2019-11-01",
    "2018-11-01",
    "2017-10-01",
    "2017-09-01",
];
const VM_VERSIONS: &[&str] = &[
    "2026-04-01",
    "2025-04-01",
    "2024-11-01",
    "2024-07-01",
    "2024-03-01",
    "2023-09-01",
    "2023-07-01",
    "2023-03-01",
    "2022-11-01",
    "2022-08-01",
    "2022-03-01",
    "2021-11-01",
    "2021-07-01",
    "2021-03-01",
    "2020-12-01",
    "2020-06-01",
    "2019-07-01",
    "2019-03-01",
    "2018-10-01",
    "2018-06-01",
    "2017-12-01",
    "2017-03-30",
];
const DISK_VERSIONS: &[&str] = &[
    "2025-01-02",
    "2024-03-02",
    "2023-10-02",
    "2023-04-02",
    "2023-01-02",
    "2022-07-02",
    "2022-03-02",
    "2021-12-01",
    "2021-08-01",
    "2021-04-01",
    "2020-12-01",
    "2020-09-30",
    "2020-06-30",
    "2019-07-01",
    "2018-06-01",
    "2017-03-30",
];
const SKU_VERSIONS: &[&str] = &["2021-07-01", "2019-04-01", "2017-09-01"];
const RESOURCES_VERSIONS: &[&str] = &[
    "2025-04-01",
    "2024-11-01",
    "2024-07-01",
    "2024-03-01",
    "2023-07-01",
    "2022-09-01",
    "2021-04-01",
    "2021-01-01",
    "2020-06-01",
    "2019-10-01",
    "2019-05-01",
];
const SUBSCRIPTION_VERSIONS: &[&str] = &["2022-12-01", "2021-01-01", "2020-01-01", "2016-06-01"];
const AUTHORIZATION_VERSIONS: &[&str] = &[
    "2022-04-01",
    "2020-10-01-preview",
    "2020-04-01-preview",
    "2018-09-01-preview",
    "2015-07-01",
];
const GENERIC_VERSIONS: &[&str] = &["2024-01-01", "2023-01-01", "2022-09-01", "2021-04-01"];

const fn regional(name: &'static str, api_versions: &'static [&'static str]) -> ResourceType {
    ResourceType {
        name,
        api_versions,
        regional: true,
    }
}

const fn global(name: &'static str, api_versions: &'static [&'static str]) -> ResourceType {
    ResourceType {
        name,
        api_versions,
        regional: false,
    }
}

/// Every namespace cerulean answers for, in Azure's (alphabetical) order.
pub const NAMESPACES: &[Namespace] = &[
    Namespace {
        name: "Microsoft.Authorization",
        registered_by_default: true,
        resource_types: &[
            global("roleAssignments", AUTHORIZATION_VERSIONS),
            global("roleDefinitions", AUTHORIZATION_VERSIONS),
            global("locks", AUTHORIZATION_VERSIONS),
            global("policyAssignments", AUTHORIZATION_VERSIONS),
            global("operations", AUTHORIZATION_VERSIONS),
        ],
    },
    Namespace {
        name: "Microsoft.Compute",
        registered_by_default: true,
        resource_types: &[
            regional("availabilitySets", VM_VERSIONS),
            regional("virtualMachines", VM_VERSIONS),
            regional("virtualMachines/extensions", VM_VERSIONS),
            regional("virtualMachineScaleSets", VM_VERSIONS),
            regional("disks", DISK_VERSIONS),
            regional("snapshots", DISK_VERSIONS),
            regional("images", VM_VERSIONS),
            regional("sshPublicKeys", VM_VERSIONS),
            regional("proximityPlacementGroups", VM_VERSIONS),
            regional("locations", VM_VERSIONS),
            regional("locations/operations", VM_VERSIONS),
            regional("locations/vmSizes", VM_VERSIONS),
            regional("locations/usages", VM_VERSIONS),
            regional("locations/publishers", VM_VERSIONS),
            global("skus", SKU_VERSIONS),
            global("operations", VM_VERSIONS),
        ],
    },
    Namespace {
        name: "Microsoft.CostManagement",
        registered_by_default: false,
        resource_types: &[global("operations", GENERIC_VERSIONS)],
    },
    Namespace {
        name: "Microsoft.KeyVault",
        registered_by_default: false,
        resource_types: &[
            regional("vaults", GENERIC_VERSIONS),
            global("operations", GENERIC_VERSIONS),
        ],
    },
    Namespace {
        name: "Microsoft.ManagedIdentity",
        registered_by_default: false,
        resource_types: &[
            regional("userAssignedIdentities", GENERIC_VERSIONS),
            global("operations", GENERIC_VERSIONS),
        ],
    },
    Namespace {
        name: "Microsoft.MarketplaceOrdering",
        registered_by_default: false,
        resource_types: &[global("agreements", GENERIC_VERSIONS)],
    },
    Namespace {
        name: "Microsoft.Network",
        registered_by_default: true,
        resource_types: &[
            regional("virtualNetworks", NETWORK_VERSIONS),
            regional("virtualNetworks/subnets", NETWORK_VERSIONS),
            regional("networkInterfaces", NETWORK_VERSIONS),
            regional("publicIPAddresses", NETWORK_VERSIONS),
            regional("loadBalancers", NETWORK_VERSIONS),
            regional("networkSecurityGroups", NETWORK_VERSIONS),
            regional("privateEndpoints", NETWORK_VERSIONS),
            regional("privateLinkServices", NETWORK_VERSIONS),
            regional("routeTables", NETWORK_VERSIONS),
            regional("natGateways", NETWORK_VERSIONS),
            regional("applicationSecurityGroups", NETWORK_VERSIONS),
            regional("networkWatchers", NETWORK_VERSIONS),
            regional("locations", NETWORK_VERSIONS),
            regional("locations/operations", NETWORK_VERSIONS),
            regional("locations/operationResults", NETWORK_VERSIONS),
            regional("locations/usages", NETWORK_VERSIONS),
            global("operations", NETWORK_VERSIONS),
        ],
    },
    Namespace {
        name: "Microsoft.Resources",
        registered_by_default: true,
        resource_types: &[
            global("tenants", SUBSCRIPTION_VERSIONS),
            global("subscriptions", SUBSCRIPTION_VERSIONS),
            global("subscriptions/resourceGroups", RESOURCES_VERSIONS),
            global("subscriptions/resources", RESOURCES_VERSIONS),
            global("subscriptions/providers", RESOURCES_VERSIONS),
            global("subscriptions/locations", SUBSCRIPTION_VERSIONS),
            global("resourceGroups", RESOURCES_VERSIONS),
            global("deployments", RESOURCES_VERSIONS),
            global("providers", RESOURCES_VERSIONS),
            global("operations", RESOURCES_VERSIONS),
        ],
    },
    Namespace {
        name: "Microsoft.Storage",
        registered_by_default: false,
        resource_types: &[
            regional("storageAccounts", GENERIC_VERSIONS),
            global("operations", GENERIC_VERSIONS),
        ],
    },
];

/// The catalogue's namespace of this name (any case), or 404 `InvalidResourceNamespace`.
pub fn namespace(name: &str) -> Result<&'static Namespace, DomainError> {
    NAMESPACES
        .iter()
        .find(|n| n.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| DomainError::InvalidResourceNamespace {
            namespace: name.to_string(),
        })
}

/// Where a namespace stands in one subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistrationState {
    NotRegistered,
    Registered,
    Unregistered,
}

impl RegistrationState {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationState::NotRegistered => "NotRegistered",
            RegistrationState::Registered => "Registered",
            RegistrationState::Unregistered => "Unregistered",
        }
    }
}

/// What a subscription changed of the defaults, by lower-case namespace.
pub type Registrations = BTreeMap<String, RegistrationState>;

/// A namespace's state in a subscription with these changes.
pub fn state(ns: &Namespace, changes: &Registrations) -> RegistrationState {
    changes
        .get(&ns.name.to_ascii_lowercase())
        .copied()
        .unwrap_or(if ns.registered_by_default {
            RegistrationState::Registered
        } else {
            RegistrationState::NotRegistered
        })
}

/// Registers (or unregisters) a namespace: returns the state it is in afterwards.
pub fn set_registered(
    ns: &Namespace,
    changes: &mut Registrations,
    registered: bool,
) -> RegistrationState {
    let next = if registered {
        RegistrationState::Registered
    } else {
        RegistrationState::Unregistered
    };
    changes.insert(ns.name.to_ascii_lowercase(), next);
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modelled_namespaces_are_registered_from_the_start() {
        let none = Registrations::new();
        for n in [
            "Microsoft.Compute",
            "microsoft.network",
            "Microsoft.Resources",
        ] {
            assert_eq!(
                state(namespace(n).unwrap(), &none),
                RegistrationState::Registered
            );
        }
        assert_eq!(
            state(namespace("Microsoft.Storage").unwrap(), &none),
            RegistrationState::NotRegistered
        );
    }

    #[test]
    fn registration_is_remembered_per_namespace() {
        let mut changes = Registrations::new();
        let storage = namespace("microsoft.storage").unwrap();
        assert_eq!(
            set_registered(storage, &mut changes, true),
            RegistrationState::Registered
        );
        assert_eq!(state(storage, &changes), RegistrationState::Registered);
        let network = namespace("Microsoft.Network").unwrap();
        set_registered(network, &mut changes, false);
        assert_eq!(state(network, &changes), RegistrationState::Unregistered);
    }

    #[test]
    fn an_unknown_namespace_is_refused_with_azures_message() {
        let e = namespace("Microsoft.Container").unwrap_err();
        assert_eq!(e.code(), "InvalidResourceNamespace");
        assert_eq!(
            e.to_string(),
            "The resource namespace 'Microsoft.Container' is invalid."
        );
        assert_eq!(e.class(), crate::ErrorClass::NotFound);
    }

    #[test]
    fn every_namespace_is_listed_once_in_order() {
        let names: Vec<_> = NAMESPACES.iter().map(|n| n.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }
}
