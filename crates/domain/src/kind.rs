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
];

/// Rank of a kind in the delete order; kinds not listed go first (they use nothing we model).
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
    }
}
