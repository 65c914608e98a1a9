//! Resource kinds the store knows, and the order in which a group's contents are deleted.

pub const RESOURCE_GROUP: &str = "microsoft.resources/resourcegroups";

/// Lower-case type paths in the order a resource group delete removes them: whatever uses
/// a resource goes before it (VMs before their NICs, NICs before subnets and public IPs).
const DELETE_ORDER: &[&str] = &[
    "microsoft.compute/virtualmachines",
    "microsoft.compute/availabilitysets",
    "microsoft.compute/disks",
    "microsoft.network/networkinterfaces",
    "microsoft.network/loadbalancers",
    "microsoft.network/publicipaddresses",
    "microsoft.network/virtualnetworks",
    // Generic, but linked by NICs and subnets, which must go first.
    "microsoft.network/networksecuritygroups",
    "microsoft.network/routetables",
];

/// The resource types cerulean models with rules of their own (the others, NSGs and route
/// tables included, are generic resources).
const MODELLED: &[&str] = &DELETE_ORDER_MODELLED;
const DELETE_ORDER_MODELLED: [&str; 6] = [
    "microsoft.compute/virtualmachines",
    "microsoft.compute/availabilitysets",
    "microsoft.network/networkinterfaces",
    "microsoft.network/loadbalancers",
    "microsoft.network/publicipaddresses",
    "microsoft.network/virtualnetworks",
];

/// Whether records of this kind are cerulean's own (resource groups, deployments and the
/// resource types it models): a generic resource never takes such a kind, or the store
/// would hold a record that is not what its kind says (a group list would read a generic
/// resource as a group).
pub fn is_modelled(kind_key: &str) -> bool {
    kind_key == RESOURCE_GROUP
        || kind_key == crate::deployment::KIND
        // A deployment's children are its steps and template.
        || kind_key.starts_with("microsoft.resources/deployments/")
        || MODELLED.contains(&kind_key)
}

/// Rank of a kind in the delete order; kinds not listed go first (they use nothing we model,
/// and nothing links them).
pub fn delete_rank(kind_key: &str) -> usize {
    DELETE_ORDER
        .iter()
        .position(|k| *k == kind_key)
        .map(|p| p + 1)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_deleted_before_what_they_use() {
        assert!(
            delete_rank("microsoft.compute/virtualmachines")
                < delete_rank("microsoft.network/networkinterfaces")
        );
        assert!(
            delete_rank("microsoft.network/networkinterfaces")
                < delete_rank("microsoft.network/virtualnetworks")
        );
        assert_eq!(delete_rank("microsoft.storage/storageaccounts"), 0);
        for linked in ["networksecuritygroups", "routetables"] {
            let k = format!("microsoft.network/{linked}");
            assert!(delete_rank("microsoft.network/virtualnetworks") < delete_rank(&k));
            assert!(delete_rank("microsoft.network/networkinterfaces") < delete_rank(&k));
        }
    }

    #[test]
    fn groups_deployments_and_modelled_types_are_cerulean_s_own() {
        for k in [
            RESOURCE_GROUP,
            "microsoft.resources/deployments",
            "microsoft.resources/deployments/operations",
            "microsoft.resources/deployments/anything",
            "microsoft.network/networkinterfaces",
            "microsoft.compute/virtualmachines",
        ] {
            assert!(is_modelled(k), "{k}");
        }
        for k in [
            "microsoft.storage/storageaccounts",
            "microsoft.network/networksecuritygroups",
            "microsoft.compute/virtualmachines/extensions",
            "microsoft.resources/tags",
        ] {
            assert!(!is_modelled(k), "{k}");
        }
    }
}
