//! What the edge needs of an error beside its message: Azure's code, the family of HTTP
//! status, the target and the nested details.

use super::{DomainError, ErrorClass, ErrorDetail};

impl DomainError {
    /// Azure's error code for this failure.
    pub fn code(&self) -> &'static str {
        use DomainError::*;
        match self {
            SubscriptionNotFound { .. } => "SubscriptionNotFound",
            InvalidResourceNamespace { .. } => "InvalidResourceNamespace",
            DiskAttached { .. } | TooManyDataDisks { .. } => "OperationNotAllowed",
            ResourceGroupNotFound { .. } => "ResourceGroupNotFound",
            ResourceNotFound { .. } => "ResourceNotFound",
            InvalidResourceGroupName { .. } => "InvalidResourceGroup",
            InvalidResourceName { .. } | InvalidArmResourceName { .. } => "InvalidResourceName",
            LocationRequired => "LocationRequired",
            InvalidAvailabilityZone { .. } => "InvalidAvailabilityZone",
            InUseNetworkSecurityGroupCannotBeDeleted { .. } => {
                "InUseNetworkSecurityGroupCannotBeDeleted"
            }
            InUseRouteTableCannotBeDeleted { .. } => "InUseRouteTableCannotBeDeleted",
            AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups { .. } => {
                "AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups"
            }
            // GUESS: the code; the message is Azure's (from az's output).
            InUseApplicationSecurityGroupCannotBeDeleted { .. } => {
                "InUseApplicationSecurityGroupCannotBeDeleted"
            }
            ResourceCannotHaveMultipleZonesSpecified { .. } => {
                "ResourceCannotHaveMultipleZonesSpecified"
            }
            LocationNotAvailableForResourceGroup { .. } => "LocationNotAvailableForResourceGroup",
            LocationNotAvailableForResourceType { .. } => "LocationNotAvailableForResourceType",
            InvalidResourceGroupLocation { .. } => "InvalidResourceGroupLocation",
            InvalidResourceId { .. } => "LinkedInvalidPropertyId",
            PreconditionFailed => "PreconditionFailed",
            InvalidFilter { .. } => "InvalidFilterInQueryString",
            InvalidSkipToken { .. } => "InvalidSkipToken",
            TooManyTags { .. } => "InvalidTagCount",
            InvalidTagName { .. } => "InvalidTagNameCharacters",
            InvalidTagValue { .. } => "InvalidTagValueLength",
            OperationNotFound { .. } => "OperationNotFound",
            InvalidParameter { .. } => "InvalidParameter",
            NotImplemented { .. } => "NotImplemented",
            InvalidAddressPrefixFormat { .. } => "InvalidAddressPrefixFormat",
            InvalidCIDRNotation { .. } => "InvalidCIDRNotation",
            VnetAddressSpacesOverlap { .. } => "VnetAddressSpacesOverlap", // GUESS
            VnetAddressPrefixInReservedRange { .. } => "VnetAddressPrefixInReservedRange", // GUESS
            NetcfgInvalidSubnet { .. } => "NetcfgInvalidSubnet",
            NetcfgSubnetRangeOutsideVnet { .. } => "NetcfgSubnetRangeOutsideVnet",
            NetcfgSubnetRangesOverlap { .. } => "NetcfgSubnetRangesOverlap",
            SubnetIsFull { .. } => "SubnetIsFull",
            PrivateIPAddressNotInSubnet { .. } => "PrivateIPAddressNotInSubnet",
            PrivateIPAddressInReservedRange { .. } => "PrivateIPAddressInReservedRange",
            PrivateIPAddressInUse { .. } => "PrivateIPAddressInUse",
            InvalidResourceLocation { .. } => "InvalidResourceLocation",
            InUseSubnetCannotBeDeleted { .. } => "InUseSubnetCannotBeDeleted",
            InUsePrefixCannotBeDeleted { .. } => "InUsePrefixCannotBeDeleted",
            DuplicateChildName { .. } => "DuplicateResourceName", // GUESS
            InvalidResourceReference { .. } => "InvalidResourceReference",
            InvalidPropertyId { .. } => "LinkedInvalidPropertyId",
            InvalidJsonReferenceFormat { .. } => "InvalidRequestFormat",
            InvalidComputeReference { .. } => "BadRequest",
            NetworkInterfaceMustHaveAtLeastOneIpConfiguration { .. } => {
                "NetworkInterfaceMustHaveAtLeastOneIpConfiguration" // GUESS
            }
            IpConfigurationCountExceeded { .. } => "IpConfigurationsPerNicLimitReached", // GUESS
            NetworkInterfaceMustHaveOneOneIPConfigAsPrimary { .. }
            | MultiplePrimaryIpConfigurations { .. } => {
                "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary"
            }
            PrimaryIpConfigurationCannotBeDeleted { .. } => "IpConfigDeleteNotSupported",
            PrimaryIpConfigurationMustBeIPv4 { .. } => "PrimaryIPConfigurationMustBeIPv4", // GUESS
            SubnetRequired { .. } => "SubnetReferenceRequired", // GUESS (message confirmed)
            IpConfigurationsInDifferentVnets { .. } => "IpConfigurationsOfNicInDifferentVnets", // GUESS
            SubnetHasNoPrefixForVersion { .. } => "SubnetHasNoAddressPrefixForIpVersion", // GUESS
            InvalidPrivateIpAddress { .. } => "InvalidPrivateIPAddress",                  // GUESS
            StaticPrivateIpAddressMissing { .. } => "PrivateIPAddressRequiredForStaticAllocation", // GUESS
            PublicIPAddressInUse { .. } => "PublicIPAddressInUse",
            PublicIpVersionMismatch { .. } => "IpVersionMismatch", // GUESS
            BackendPoolInOtherVnet { .. } => "BackendAddressPoolInDifferentVnet", // GUESS
            NicInUse { .. } => "NicInUse",
            StandardSkuPublicIPAddressesMustBeStatic { .. } => {
                "StandardSkuPublicIPAddressesMustBeStatic"
            }
            PropertyChangeNotAllowed { .. } => "PropertyChangeNotAllowed",
            PublicIPCountLimitReached { .. } => "PublicIPCountLimitReached",
            PublicIPAddressCannotBeDeleted { .. } => "PublicIPAddressCannotBeDeleted",
            PublicIPAndLBSkuDoNotMatch { .. } => "PublicIPAndLBSkuDoNotMatch",
            BackendAddressPoolInUse { .. } => "LoadBalancerBackendAddressPoolInUse", // GUESS
            InboundNatRuleInUse { .. } => "InboundNatRuleInUse",                     // GUESS
            FrontendIpConfigurationInUse { .. } => "InUseFrontendIPConfigurationCannotBeDeleted", // GUESS
            InboundNatRuleUsedByAnotherIpConfiguration { .. } => "InboundNatRuleInUse", // GUESS
            InboundNatRuleInOtherVnet { .. } => "InboundNatRuleInDifferentVnet",        // GUESS
            RulesUseSameBackendPortProtocolAndIPConfig { .. } => {
                "RulesUseSameBackendPortProtocolAndIPConfig"
            }
            RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig { .. } => {
                "RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig"
            }
            RulesUseSameBackendPortProtocolAndPool { .. } => {
                "RulesUseSameBackendPortProtocolAndPool"
            }
            RulesUseSameBackendPortProtocolAndPoolAndFrontendIP(_) => {
                "RulesUseSameBackendPortProtocolAndPoolAndFrontendIPWithFloatingIPEnabled"
            }
            ConcurrentConflict { .. } => "AnotherOperationInProgress",
            NicOfPrivateEndpoint { .. } => "CannotModifyNicAttachedToPrivateEndpoint",
            InvalidValuesForRequestParameters { .. } => "InvalidValuesForRequestParameters",
            PrivateLinkServiceNetworkPoliciesEnabled { .. } => {
                "PrivateLinkServiceNetworkPoliciesCannotBeEnabledOnPrivateLinkServiceSubnet"
            }
            PrivateLinkServiceNotVisible { .. } => "PrivateLinkServiceNotVisible",
            NicOfPrivateLinkService { .. } => "CannotModifyNicAttachedToPrivateLinkService",
            SoaRecordSetNotAtApex { .. }
            | ApexRecordSetCannotBeDeleted { .. }
            | VirtualNetworkLinkedToOverlappingZones { .. } => "BadRequest",
            PrivateDnsZoneHasVirtualNetworkLinks { .. }
            | VirtualNetworkAlreadyLinked { .. }
            | VirtualNetworkRegistersElsewhere { .. } => "Conflict",
            VmSizeNotValid { .. } => "InvalidParameter",
            VmImageNotFound { .. } | VmExtensionImageNotFound => "NotFound",
            InvalidImageVersion { .. } => "InvalidParameter",
            NetworkInterfaceCountExceeded { .. } => "NetworkInterfaceCountExceeded",
            AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported { .. } => {
                "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported"
            }
            VirtualMachineMustHaveAtLeastOneNic { .. } => {
                "VirtualMachineMustHaveAtLeastOneNetworkInterface" // GUESS
            }
            NetworkInterfaceMustHavePrimaryPropertySet { .. } => {
                "NetworkInterfaceMustHavePrimaryPropertySet"
            }
            MultiplePrimaryNetworkInterfaces { .. } => "MultiplePrimaryNetworkInterfaces", // GUESS
            SubnetsNotInSameVnet { .. } => "SubnetsNotInSameVnet",
            DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed { .. } => {
                "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed"
            }
            MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported {
                ..
            } => "MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported",
            LoadBalancerWithoutFrontendIPCantHaveChildResources { .. } => {
                "LoadBalancerWithoutFrontendIPCantHaveChildResources"
            }
            SkuCannotBeChangedOnUpdate { .. } => "SkuCannotBeChangedOnUpdate",
            VmIsNotInSameAvailabilitySetAsLb { .. } => "VmIsNotInSameAvailabilitySetAsLb",
            NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets { .. } => {
                "NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets"
            }
            Ipv6NicMustBeOnlyNic { .. } => "NetworkInterfaceWithIpv6MustBeTheOnlyOne", // GUESS
            Ipv6NicOnlyAtCreation { .. } => "NetworkInterfaceWithIpv6OnlyAtVmCreation", // GUESS
            NoNicAddedBesideIpv6Nic { .. } => "CannotAddNetworkInterfaceBesideIpv6Nic", // GUESS
            DuplicateNetworkInterface { .. } => "InvalidParameter",
            NicInOtherSubscription { .. } => "InvalidParameter",
            OperationNotAllowed { .. } => "OperationNotAllowed",
            AvailabilitySetInUse { .. } => "AvailabilitySetInUse", // GUESS
            ParentResourceNotFound { .. } => "ParentResourceNotFound",
            InvalidResourceType { .. } => "InvalidResourceType",
            DeploymentNotFound { .. } => "DeploymentNotFound",
            DeploymentActive { .. } => "DeploymentActive",
            InvalidDeploymentLocation { .. } => "InvalidDeploymentLocation",
            DeploymentCannotBeCancelled { .. } => "DeploymentCannotBeCancelled", // GUESS
            InvalidDeploymentName { .. } => "InvalidDeploymentName",             // GUESS
            DeploymentInterrupted { .. } => "DeploymentInterrupted",             // cerulean's own
            InvalidTemplate { code, .. } => code,
            AuthorizationFailed { .. } => "AuthorizationFailed",
            LinkedAuthorizationFailed(_) => "LinkedAuthorizationFailed",
            TemplateAuthorizationFailed(_) => "InvalidTemplateDeployment",
            InvalidRoleAssignmentId { .. } => "InvalidRoleAssignmentId",
            InvalidPrincipalId { .. } => "InvalidPrincipalId",
            InvalidRoleDefinitionId { .. } => "InvalidRoleDefinitionId", // GUESS
            RoleDefinitionDoesNotExist { .. } | RoleDefinitionNotFound { .. } => {
                "RoleDefinitionDoesNotExist"
            }
            PrincipalNotFound { .. } => "PrincipalNotFound",
            UnmatchedPrincipalType { .. } => "UnmatchedPrincipalType",
            InvalidCreateRoleAssignmentRequest { .. } => "InvalidCreateRoleAssignmentRequest",
            RoleAssignmentExists => "RoleAssignmentExists",
            RoleAssignmentUpdateNotPermitted => "RoleAssignmentUpdateNotPermitted",
            RoleAssignmentNotFound { .. } => "RoleAssignmentNotFound",
            InvalidRoleDefinition { .. } => "InvalidRoleDefinition", // GUESS
            RoleDefinitionWithSameNameExists => "RoleDefinitionWithSameNameExists",
            RoleDefinitionLimitExceeded => "RoleDefinitionLimitExceeded",
            RoleDefinitionHasAssignments => "RoleDefinitionHasAssignments",
            RoleScopeBeingRemovedContainsAssignments { .. } => {
                "RoleScopeBeingRemovedContainsAssignments"
            }
            RoleAssignmentScopeNotAssignableToRoleDefinition { .. } => {
                "RoleAssignmentScopeNotAssignableToRoleDefinition"
            }
        }
    }

    pub fn class(&self) -> ErrorClass {
        use DomainError::*;
        match self {
            VmImageNotFound { .. } | VmExtensionImageNotFound => ErrorClass::NotFound,
            SubscriptionNotFound { .. }
            | ResourceGroupNotFound { .. }
            | ResourceNotFound { .. }
            | OperationNotFound { .. }
            | ParentResourceNotFound { .. }
            | InvalidResourceType { .. }
            | DeploymentNotFound { .. }
            | InvalidResourceNamespace { .. } => ErrorClass::NotFound, // GUESS: 404
            InvalidTemplate { code, .. } if *code == "NotImplemented" => ErrorClass::NotImplemented,
            InvalidTemplate { code, .. } if *code == "ResourceNotFound" => ErrorClass::NotFound,
            InvalidResourceGroupLocation { .. }
            | InvalidResourceLocation { .. }
            | PropertyChangeNotAllowed { .. }
            | ConcurrentConflict { .. }
            | OperationNotAllowed { .. }
            | DeploymentActive { .. }
            | DeploymentCannotBeCancelled { .. }
            | DeploymentInterrupted { .. }
            | DiskAttached { .. }
            | PrivateDnsZoneHasVirtualNetworkLinks { .. }
            | VirtualNetworkAlreadyLinked { .. }
            | VirtualNetworkRegistersElsewhere { .. }
            | TooManyDataDisks { .. } => ErrorClass::Conflict,
            PreconditionFailed => ErrorClass::PreconditionFailed,
            NotImplemented { .. } => ErrorClass::NotImplemented,
            AuthorizationFailed { .. }
            | LinkedAuthorizationFailed(_)
            | TemplateAuthorizationFailed(_) => ErrorClass::Forbidden,
            RoleDefinitionNotFound { .. } | RoleAssignmentNotFound { .. } => ErrorClass::NotFound,
            // GUESS: the status of an update that is not permitted.
            RoleAssignmentExists
            | RoleAssignmentUpdateNotPermitted
            | RoleDefinitionWithSameNameExists
            | RoleDefinitionHasAssignments => ErrorClass::Conflict,
            _ => ErrorClass::BadRequest,
        }
    }

    /// The property or resource the error is about, when Azure names one.
    pub fn target(&self) -> Option<String> {
        use DomainError::*;
        match self {
            InvalidResourceGroupName { .. } => Some("resourceGroupName".into()),
            InvalidResourceName { name } | InvalidArmResourceName { name } => Some(name.clone()),
            LocationRequired => Some("location".into()),
            InvalidParameter { target, .. } | InvalidTemplate { target, .. } => target.clone(),
            PropertyChangeNotAllowed { property, .. } => Some(property.clone()),
            VmSizeNotValid { .. } => Some("vmSize".into()),
            InvalidImageVersion { .. } => Some("version".into()),
            AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported { .. }
            | VirtualMachineMustHaveAtLeastOneNic { .. }
            | DuplicateNetworkInterface { .. }
            | NicInOtherSubscription { .. } => Some("networkProfile.networkInterfaces".into()),
            InvalidSkipToken { .. } => Some("$skiptoken".into()),
            TooManyTags { .. } | InvalidTagName { .. } | InvalidTagValue { .. } => {
                Some("tags".into())
            }
            _ => None,
        }
    }

    /// Nested errors for `error.details`.
    pub fn details(&self) -> Vec<ErrorDetail> {
        match self {
            DomainError::InvalidResourceReference { id, .. } => vec![ErrorDetail {
                code: "NotFound".into(),
                message: format!("Resource {id} not found."),
                target: Some(id.clone()),
            }],
            DomainError::InvalidJsonReferenceFormat { id, expected, path } => vec![ErrorDetail {
                code: "InvalidJsonReferenceFormat".into(),
                message: format!("Reference Id {id} is not formatted correctly. The Id is expected to reference resources of type {expected}. Path {path}."),
                target: None,
            }],
            DomainError::TemplateAuthorizationFailed(refusals) => refusals
                .iter()
                .map(|r| ErrorDetail {
                    code: "AuthorizationFailed".into(),
                    message: r.to_string(),
                    target: None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}
