//! Azure's built-in roles that cerulean knows, with their real ids, names, descriptions and
//! permission lists (Azure's "built-in roles" reference, Privileged, General, Networking and
//! Compute categories). Assignable everywhere (`/`), like Azure's.

use super::role::{Permission, RoleDefinition, RoleType};

const NONE: &[&str] = &[];
const EVERYWHERE: &[&str] = &["/"];

pub const OWNER: RoleDefinition = RoleDefinition {
    guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    role_name: "Owner",
    description: "Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &["*"],
        not_actions: NONE,
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

pub const CONTRIBUTOR: RoleDefinition = RoleDefinition {
    guid: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    role_name: "Contributor",
    description: "Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &["*"],
        not_actions: &[
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
            "Microsoft.Subscription/cancel/action",
            "Microsoft.Subscription/enable/action",
        ],
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

pub const READER: RoleDefinition = RoleDefinition {
    guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    role_name: "Reader",
    description: "View all resources, but does not allow you to make any changes.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &["*/read"],
        not_actions: NONE,
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

pub const USER_ACCESS_ADMINISTRATOR: RoleDefinition = RoleDefinition {
    guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    role_name: "User Access Administrator",
    description: "Lets you manage user access to Azure resources.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
        not_actions: NONE,
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

pub const ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR: RoleDefinition = RoleDefinition {
    guid: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    role_name: "Role Based Access Control Administrator",
    description: "Manage access to Azure resources by assigning roles using Azure RBAC. This role does not allow you to manage access using other ways, such as Azure Policy.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &[
            "Microsoft.Authorization/roleAssignments/write",
            "Microsoft.Authorization/roleAssignments/delete",
            "*/read",
            "Microsoft.Support/*",
        ],
        not_actions: NONE,
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

pub const NETWORK_CONTRIBUTOR: RoleDefinition = RoleDefinition {
    guid: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    role_name: "Network Contributor",
    description: "Lets you manage networks, but not access to them.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Network/*",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.Support/*",
        ],
        not_actions: NONE,
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

pub const VIRTUAL_MACHINE_CONTRIBUTOR: RoleDefinition = RoleDefinition {
    guid: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
    role_name: "Virtual Machine Contributor",
    description: "Lets you manage virtual machines, but not access to them, and not the virtual network or storage account they're connected to.",
    role_type: RoleType::BuiltIn,
    permissions: &[Permission {
        actions: &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Compute/availabilitySets/*",
            "Microsoft.Compute/locations/*",
            "Microsoft.Compute/virtualMachines/*",
            "Microsoft.Compute/virtualMachineScaleSets/*",
            "Microsoft.Compute/cloudServices/*",
            "Microsoft.Compute/disks/write",
            "Microsoft.Compute/disks/read",
            "Microsoft.Compute/disks/delete",
            "Microsoft.Compute/hostgroups/write",
            "Microsoft.Compute/hostgroups/hosts/write",
            "Microsoft.DevTestLab/schedules/*",
            "Microsoft.Insights/alertRules/*",
            "Microsoft.Network/applicationGateways/backendAddressPools/join/action",
            "Microsoft.Network/loadBalancers/backendAddressPools/join/action",
            "Microsoft.Network/loadBalancers/inboundNatPools/join/action",
            "Microsoft.Network/loadBalancers/inboundNatRules/join/action",
            "Microsoft.Network/loadBalancers/probes/join/action",
            "Microsoft.Network/loadBalancers/read",
            "Microsoft.Network/locations/*",
            "Microsoft.Network/networkInterfaces/*",
            "Microsoft.Network/networkSecurityGroups/join/action",
            "Microsoft.Network/networkSecurityGroups/read",
            "Microsoft.Network/publicIPAddresses/join/action",
            "Microsoft.Network/publicIPAddresses/read",
            "Microsoft.Network/virtualNetworks/read",
            "Microsoft.Network/virtualNetworks/subnets/join/action",
            "Microsoft.RecoveryServices/locations/*",
            "Microsoft.RecoveryServices/Vaults/backupFabrics/backupProtectionIntent/write",
            "Microsoft.RecoveryServices/Vaults/backupFabrics/protectionContainers/protectedItems/*/read",
            "Microsoft.RecoveryServices/Vaults/backupFabrics/protectionContainers/protectedItems/read",
            "Microsoft.RecoveryServices/Vaults/backupFabrics/protectionContainers/protectedItems/write",
            "Microsoft.RecoveryServices/Vaults/backupPolicies/read",
            "Microsoft.RecoveryServices/Vaults/backupPolicies/write",
            "Microsoft.RecoveryServices/Vaults/read",
            "Microsoft.RecoveryServices/Vaults/usages/read",
            "Microsoft.RecoveryServices/Vaults/write",
            "Microsoft.ResourceHealth/availabilityStatuses/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
            "Microsoft.SerialConsole/serialPorts/connect/action",
            "Microsoft.SqlVirtualMachine/*",
            "Microsoft.Storage/storageAccounts/listKeys/action",
            "Microsoft.Storage/storageAccounts/read",
            "Microsoft.Support/*",
        ],
        not_actions: NONE,
        data_actions: NONE,
        not_data_actions: NONE,
    }],
    assignable_scopes: EVERYWHERE,
};

/// Every built-in role cerulean knows, in the order lists show them (by name).
pub const ALL: &[RoleDefinition] = &[
    CONTRIBUTOR,
    NETWORK_CONTRIBUTOR,
    OWNER,
    READER,
    ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR,
    USER_ACCESS_ADMINISTRATOR,
    VIRTUAL_MACHINE_CONTRIBUTOR,
];

/// The built-in role with this GUID (any case).
pub fn by_guid(guid: &str) -> Option<&'static RoleDefinition> {
    ALL.iter().find(|r| r.guid.eq_ignore_ascii_case(guid))
}

/// The built-in role with this name. ARM compares role names without regard to case.
pub fn by_name(name: &str) -> Option<&'static RoleDefinition> {
    ALL.iter().find(|r| r.role_name.eq_ignore_ascii_case(name))
}
