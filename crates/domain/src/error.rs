//! The one error type of the domain. Each variant carries what its Azure message needs; its
//! `Display` is Azure's message text, `code()` Azure's error code and `class()` which family
//! of HTTP status the edge answers with.

use refusals::template_refusals_message;
pub use refusals::{LinkedRefusal, TemplateRefusal};
use thiserror::Error;

mod codes;
mod refusals;

/// Which kind of failure this is; the HTTP edge maps each class to one status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    BadRequest,
    NotFound,
    Conflict,
    PreconditionFailed,
    NotImplemented,
    /// The caller may not do this (403).
    Forbidden,
}

/// A nested error as ARM puts it in `error.details`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    pub target: Option<String>,
}

/// Two floating-IP balancing rules sending one protocol and backend port through one
/// frontend to one pool (boxed: the error stays small).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FloatingIpClash {
    pub first: String,
    pub second: String,
    pub protocol: String,
    pub port: u16,
    pub frontend: String,
    pub pool: String,
}

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum DomainError {
    #[error("The subscription '{id}' could not be found.")]
    SubscriptionNotFound { id: String },

    #[error("Resource group '{name}' could not be found.")]
    ResourceGroupNotFound { name: String },

    #[error("The Resource '{type_path}/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")]
    ResourceNotFound {
        type_path: String,
        name: String,
        group: String,
    },

    #[error("{message}")]
    InvalidResourceGroupName { message: String },

    #[error("Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.")]
    InvalidResourceName { name: String },

    /// ARM's rule for any resource name (`crate::name::validate_resource_name`).
    // GUESS: the wording; the rule is the RPC's.
    #[error("The resource name '{name}' is invalid. A resource name is 1 to 260 characters long, is not '.' or '..', and contains none of '<', '>', '%', '&', ':', '\\', '?', '/' or control characters.")]
    InvalidArmResourceName { name: String },

    /// Azure's message (Microsoft.Network public IPs, 2021 transcript); GUESS that Compute
    /// and a region without zones answer alike.
    #[error("The zone(s) '{zones}' for resource '{resource}' is not supported. The supported zones for location '{location}' are '{supported}'")]
    InvalidAvailabilityZone {
        zones: String,
        resource: String,
        location: String,
        supported: String,
    },

    /// Azure's message for a public IP given several zones where one is allowed; GUESS for VMs.
    #[error("Resource {resource} has {count} zones specified. Only one zone can be specified for this resource.")]
    ResourceCannotHaveMultipleZonesSpecified { resource: String, count: usize },

    #[error("The location property is required for this definition.")]
    LocationRequired,

    #[error("The provided location '{location}' is not available for resource group. List of available regions is '{available}'.")]
    LocationNotAvailableForResourceGroup { location: String, available: String },

    #[error("The provided location '{location}' is not available for resource type '{type_path}'. List of available regions for the resource type is '{available}'.")]
    LocationNotAvailableForResourceType {
        location: String,
        type_path: String,
        available: String,
    },

    #[error("Invalid resource group location '{requested}'. The Resource group already exists in location '{existing}'.")]
    InvalidResourceGroupLocation { requested: String, existing: String },

    #[error("Property id '{id}' at path 'id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.")]
    InvalidResourceId { id: String },

    #[error("The condition specified using HTTP conditional header(s) is not met.")]
    PreconditionFailed,

    #[error("Invalid $filter '{filter}' specified in the query string.")]
    InvalidFilter { filter: String },

    // GUESS: code and message; Azure's answer to a forged `$skiptoken` is not known.
    #[error("The $skiptoken '{token}' is not valid for this list.")]
    InvalidSkipToken { token: String },

    #[error("The number of tags ({count}) exceeds the maximum of {max} tags per resource.")]
    TooManyTags { count: usize, max: usize },

    #[error("The tag name '{name}' is invalid. Tag names may be up to 512 characters long and may not contain '<', '>', '%', '&', '\\', '?' or '/'.")]
    InvalidTagName { name: String },

    #[error("The value of tag '{name}' is invalid. Tag values may be up to 256 characters long.")]
    InvalidTagValue { name: String },

    #[error("Disk {disk} is attached to VM {vm}.")]
    DiskAttached { disk: String, vm: String },

    #[error(
        "The maximum number of data disks allowed to be attached to a VM of this size is {max}."
    )]
    TooManyDataDisks { max: u32 },

    #[error("The resource namespace '{namespace}' is invalid.")]
    InvalidResourceNamespace { namespace: String },

    #[error("The operation '{id}' could not be found.")]
    OperationNotFound { id: String },

    #[error("{message}")]
    InvalidParameter {
        message: String,
        target: Option<String>,
    },

    #[error("Address prefix {prefix} of resource {resource} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.")]
    InvalidAddressPrefixFormat { prefix: String, resource: String },

    #[error("The address prefix {prefix} in resource {resource} has an invalid CIDR notation. For the given prefix length, the address prefix should be {expected}.")]
    InvalidCIDRNotation {
        prefix: String,
        resource: String,
        expected: String,
    },

    // GUESS: code and message not confirmed against Azure.
    #[error("Address prefix {first} overlaps with address prefix {second} in the address space of virtual network '{vnet}'.")]
    VnetAddressSpacesOverlap {
        vnet: String,
        first: String,
        second: String,
    },

    // GUESS: code and message not confirmed against Azure.
    #[error("Address prefix {prefix} of virtual network '{vnet}' overlaps with the reserved address range {reserved}, which cannot be used in a virtual network.")]
    VnetAddressPrefixInReservedRange {
        vnet: String,
        prefix: String,
        reserved: String,
    },

    #[error("Subnet '{subnet}' is not valid in virtual network '{vnet}'.")]
    NetcfgInvalidSubnet { subnet: String, vnet: String },

    #[error("Subnet '{subnet}' is not valid because its IP address range is outside the IP address range of virtual network '{vnet}'.")]
    NetcfgSubnetRangeOutsideVnet { subnet: String, vnet: String },

    /// `other` is not in Azure's text but kept for logs and callers.
    #[error("Subnet '{subnet}' is not valid because its IP address range overlaps with that of an existing subnet in virtual network '{vnet}'.")]
    NetcfgSubnetRangesOverlap {
        subnet: String,
        vnet: String,
        other: String,
    },

    #[error("Subnet {subnet} with address prefix {prefix} does not have enough capacity for 1 IP addresses.")]
    SubnetIsFull { subnet: String, prefix: String },

    #[error("Private static IP address {address} does not belong to the range of subnet prefix {prefix}.")]
    PrivateIPAddressNotInSubnet { address: String, prefix: String },

    #[error("Private static IP address {address} falls within reserved IP range of subnet prefix {prefix}.")]
    PrivateIPAddressInReservedRange { address: String, prefix: String },

    /// The issue and arm-wire.md name `PrivateIPAddressInUse`; today's Azure answers the same
    /// situation with `PrivateIPAddressIsAllocated` (see docs/compatibility.md).
    #[error("IP configuration {claimant} is using the same private IP address {address} as IP configuration {holder}.")]
    PrivateIPAddressInUse {
        claimant: String,
        address: String,
        holder: String,
    },

    #[error("The resource '{name}' already exists in location '{existing}' in resource group '{group}'. A resource with the same name cannot be created in location '{requested}'. Please select a new resource name.")]
    InvalidResourceLocation {
        name: String,
        group: String,
        existing: String,
        requested: String,
    },

    #[error("Subnet {subnet} is in use by {user} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.")]
    InUseSubnetCannotBeDeleted { subnet: String, user: String },

    #[error("IpPrefix {prefix} on Subnet {subnet} has active allocations and cannot be deleted.")]
    InUsePrefixCannotBeDeleted { prefix: String, subnet: String },

    #[error("Network security group {nsg} cannot be deleted because it is in use by the following resources: {users}. In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see aka.ms/deletensg.")]
    InUseNetworkSecurityGroupCannotBeDeleted { nsg: String, users: String },

    // GUESS: the message; the code follows Azure's naming of its in-use refusals.
    #[error("Route table {route_table} is in use by {users} and cannot be deleted.")]
    InUseRouteTableCannotBeDeleted { route_table: String, users: String },

    /// Azure's message, its misspelling included (az's output, Azure/azure-cli#21551); GUESS:
    /// how several groups are joined.
    #[error("All IPConfigurations on a Network Interface should reference the same set of Application Security Groups. IPConfiguration {first} references ASG(s) {first_asgs}, wheras IPConfiguration {other} references ASG(s) {other_asgs}.")]
    AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups {
        first: String,
        first_asgs: String,
        other: String,
        other_asgs: String,
    },

    #[error("Application Security Group {name} cannot be deleted because it is referenced by IpConfiguration(s) {configs}.")]
    InUseApplicationSecurityGroupCannotBeDeleted { name: String, configs: String },

    #[error("Resource {parent} has two child resources with the same name ({name}).")]
    DuplicateChildName { parent: String, name: String },

    /// Azure's transcripts carry empty details; the issue asks for a `NotFound` detail.
    #[error("Resource {id} referenced by resource {referrer} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.")]
    InvalidResourceReference { id: String, referrer: String },

    /// ARM's check of a reference property that is not a fully qualified id.
    #[error("Property id '{id}' at path '{path}' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{{subscriptionId}}' or '/providers/{{resourceProviderNamespace}}/'.")]
    InvalidPropertyId { id: String, path: String },

    /// Microsoft.Network's answer to a reference naming a resource of another type: the
    /// reason is the one `InvalidJsonReferenceFormat` detail (public transcripts, 2016 and
    /// recent). `expected` is the type without its namespace (`virtualNetworks/subnets`).
    #[error("Cannot parse the request.")]
    InvalidJsonReferenceFormat {
        id: String,
        expected: String,
        path: String,
    },

    /// Microsoft.Compute's answer to a reference naming a resource of another type
    /// (public transcripts for `availabilitySet.id` and image ids; code `BadRequest`).
    #[error("Id {id} is not a valid resource reference.")]
    InvalidComputeReference { id: String },

    #[error("Network interface {nic} must have one or more IP configurations.")]
    NetworkInterfaceMustHaveAtLeastOneIpConfiguration { nic: String },

    #[error("Network interface {nic} cannot have more than {max} IP configurations; the request has {count}.")]
    IpConfigurationCountExceeded {
        nic: String,
        count: usize,
        max: usize,
    },

    #[error("Network Interface {nic} specifies multiple IPConfigurations but none of the IPConfigurations is specified as Primary.")]
    NetworkInterfaceMustHaveOneOneIPConfigAsPrimary { nic: String },

    // GUESS: message.
    #[error("Network Interface {nic} has multiple IPConfigurations specified as Primary.")]
    MultiplePrimaryIpConfigurations { nic: String },

    #[error("IP Configuration {name} cannot be deleted. Deletion and renaming of primary IP Configuration is not supported")]
    PrimaryIpConfigurationCannotBeDeleted { name: String },

    #[error("Primary IP configuration {config} must be of IPv4 version.")]
    PrimaryIpConfigurationMustBeIPv4 { config: String },

    #[error("Subnet reference is required for ipconfiguration {config}.")]
    SubnetRequired { config: String },

    #[error("IPConfigurations on network interface {nic} cannot belong to different virtual networks: {first} and {second} are in different virtual networks.")]
    IpConfigurationsInDifferentVnets {
        nic: String,
        first: String,
        second: String,
    },

    #[error(
        "Subnet {subnet} has no {version} address prefix, which IP configuration {config} needs."
    )]
    SubnetHasNoPrefixForVersion {
        subnet: String,
        version: String,
        config: String,
    },

    #[error("Private IP address '{address}' of IP configuration {config} is not a valid IP address of the configuration's version.")]
    InvalidPrivateIpAddress { address: String, config: String },

    #[error("IP configuration {config} has a Static private IP allocation method but no privateIPAddress.")]
    StaticPrivateIpAddressMissing { config: String },

    #[error("Resource {config} is referencing public IP address {public_ip} that is already allocated to resource {user}.")]
    PublicIPAddressInUse {
        config: String,
        public_ip: String,
        user: String,
    },

    #[error("IP configuration {config} and public IP address {public_ip} must have the same IP version.")]
    PublicIpVersionMismatch { config: String, public_ip: String },

    #[error("IP configuration {config} cannot join backend address pool {pool}: its load balancer is tied to another virtual network.")]
    BackendPoolInOtherVnet { config: String, pool: String },

    #[error("Network Interface {nic} is used by existing resource {vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")]
    NicInUse { nic: String, vm: String },

    #[error("Standard sku publicIp {public_ip} must have AllocationMethod set to Static.")]
    StandardSkuPublicIPAddressesMustBeStatic { public_ip: String },

    #[error("Changing property '{property}' is not allowed.")]
    PropertyChangeNotAllowed { resource: String, property: String },

    #[error(
        "Cannot create more than {limit} public IP addresses for this subscription in this region."
    )]
    PublicIPCountLimitReached { limit: usize },

    #[error("Public IP address {public_ip} can not be deleted since it is still allocated to resource {user}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.  To learn how to do this, see aka.ms/deletepublicip.")]
    PublicIPAddressCannotBeDeleted { public_ip: String, user: String },

    #[error("Load balancer {lb} and public IP address {public_ip} must have the same SKU.")]
    PublicIPAndLBSkuDoNotMatch { lb: String, public_ip: String },

    #[error("Backend address pool {pool} is in use by {user} and cannot be deleted.")]
    BackendAddressPoolInUse { pool: String, user: String },

    #[error("Inbound NAT rule {rule} is in use by {user} and cannot be deleted.")]
    InboundNatRuleInUse { rule: String, user: String },

    // GUESS: the code; the wording follows a pool's.
    #[error("Frontend IP configuration {frontend} is in use by {user} and cannot be deleted.")]
    FrontendIpConfigurationInUse { frontend: String, user: String },

    #[error("Resource {config} is referencing inbound NAT rule {rule} that is already used by resource {user}. An inbound NAT rule forwards to one IP configuration.")]
    InboundNatRuleUsedByAnotherIpConfiguration {
        config: String,
        rule: String,
        user: String,
    },

    #[error("Load balancer rules {first} and {second} with floating IP disabled use the same backend port {port} and protocol {protocol}, and must not be used with the same backend IP {config}.")]
    RulesUseSameBackendPortProtocolAndIPConfig {
        first: String,
        second: String,
        port: u16,
        protocol: String,
        config: String,
    },

    /// Azure's code and wording (transcripts of 2021–2023).
    #[error("Load balancing rules {first} and {second} with floating IP disabled use the same protocol {protocol} and backend port {port}, and must not be used with the same backend address pool {pool}.")]
    RulesUseSameBackendPortProtocolAndPool {
        first: String,
        second: String,
        protocol: String,
        port: u16,
        pool: String,
    },

    /// Azure's code and wording (a transcript of 2021).
    #[error("Load balancing rules {} and {} with floating IP enabled use the same protocol {} and backend port {} and frontend IP {}, and must not be used with the same backend address pool {}.", .0.first, .0.second, .0.protocol, .0.port, .0.frontend, .0.pool)]
    RulesUseSameBackendPortProtocolAndPoolAndFrontendIP(Box<FloatingIpClash>),

    /// Azure's code; GUESS: the wording (a transcript of 2016 for the same rule reads "…
    /// use the same backend port (22) and protocol (Tcp), and must not be used with the same
    /// backend ip …").
    #[error("Load balancer rules {first} and {second} belong to load balancers of the same type and use the same backend port {port} and protocol {protocol} with floating IP disabled, and must not be used with the same backend IP {config}.")]
    RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig {
        first: String,
        second: String,
        port: u16,
        protocol: String,
        config: String,
    },

    /// Azure's code and message (az transcripts of 2020 and 2023).
    #[error("Sku property is set at creation time and cannot be changed from {from} to {to} on resource update for resource {resource}.")]
    SkuCannotBeChangedOnUpdate {
        resource: String,
        from: String,
        to: String,
    },

    /// Azure's code (its troubleshooting page) and message (a 2015 transcript).
    #[error("Load Balancer {lb} does not have Frontend IP Configuration, but it has other child resources. This setup is not supported.")]
    LoadBalancerWithoutFrontendIPCantHaveChildResources { lb: String },

    /// Azure's code and message, its typo included (a 2022 transcript).
    #[error("Is is not supported to have more than a single outbound rule using frontendIPConfiguration {frontend} with same or overlapping protocol. This frontendIPConfiguration is used by the following outbound rules: {rules}")]
    MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported {
        frontend: String,
        rules: String,
    },

    /// Azure's code and message (transcripts of 2019 and 2022).
    #[error("Different basic sku and standard sku load balancer or public Ip resources in availability set is not allowed {first} and {second}.")]
    DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed { first: String, second: String },

    /// Azure's code and message (transcripts in the Azure SDKs' tests, 2018).
    #[error("Virtual Machine {vm} is using different Availability Set than other Virtual Machines connected to the Load Balancer(s) {load_balancers}.")]
    VmIsNotInSameAvailabilitySetAsLb { vm: String, load_balancers: String },

    /// Azure's code; its message as far as a 2018 transcript shows it ("Network interface
    /// {nic} uses load balancer {lb} associated with different availability set ("), GUESS
    /// for the rest.
    #[error("Network interface {nic} uses load balancer {lb} associated with different availability set ({lb_set}) than that of the network interface's virtual machine ({nic_set}).")]
    NetworkInterfaceAndLoadBalancerAreInDifferentAvailabilitySets {
        nic: String,
        lb: String,
        lb_set: String,
        nic_set: String,
    },

    #[error("IP configuration {config} cannot use inbound NAT rule {rule}: its load balancer is tied to another virtual network.")]
    InboundNatRuleInOtherVnet { config: String, rule: String },

    // GUESS: the code and wording; the rule is Azure's (an SOA record set exists only at a
    // zone's apex).
    #[error(
        "A record set of type SOA can only be created at the zone apex ('@'), not as '{name}'."
    )]
    SoaRecordSetNotAtApex { name: String },

    // GUESS: the code and wording; the rule is Azure's ("You cannot delete SOA or name server
    // (NS) records that are automatically created at the zone apex").
    #[error("The {record_type} record set at the zone apex cannot be deleted: it is created and deleted with its zone.")]
    ApexRecordSetCannotBeDeleted { record_type: String },

    // GUESS: the wording; Azure answers 409 ("Private DNS zone cannot be deleted unless all
    // virtual network links to it are removed").
    #[error("The private DNS zone {zone} cannot be deleted while virtual network links to it remain ({links}). Delete the links first.")]
    PrivateDnsZoneHasVirtualNetworkLinks { zone: String, links: String },

    /// Azure's message (code `BadRequest`; AKS and Terraform users' transcripts).
    #[error("A virtual network cannot be linked to multiple zones with overlapping namespaces. You tried to link virtual network with '{existing}' and '{zone}' zones.")]
    VirtualNetworkLinkedToOverlappingZones { existing: String, zone: String },

    // GUESS: the code and wording; the rule is Azure's ("A specific virtual network can be
    // linked to only one private DNS zone when automatic VM DNS registration is enabled").
    #[error("Virtual network {network} already registers its virtual machines in a private DNS zone, through link {link}. A virtual network can be linked with auto-registration to one private DNS zone only.")]
    VirtualNetworkRegistersElsewhere { network: String, link: String },

    // GUESS: the code and wording; the rule is Azure's (one link between a zone and a network).
    #[error(
        "Virtual network {network} is already linked to private DNS zone {zone} by link {link}."
    )]
    VirtualNetworkAlreadyLinked {
        network: String,
        zone: String,
        link: String,
    },

    // The code and the last sentence are Azure's (SDK users' transcripts); the first is a
    // GUESS.
    #[error("Network interface {nic} is used by private endpoint {endpoint}. It can not be modified by user.")]
    NicOfPrivateEndpoint { nic: String, endpoint: String },

    // The code is Azure's; the wording GUESS.
    #[error("Subnet {subnet} has private link service network policies enabled; disable them (privateLinkServiceNetworkPolicies: Disabled) to put a private link service's IP configurations in it.")]
    PrivateLinkServiceNetworkPoliciesEnabled { subnet: String },

    // GUESS: the code and wording.
    #[error("Private link service {service} is not visible to subscription {subscription}.")]
    PrivateLinkServiceNotVisible {
        service: String,
        subscription: String,
    },

    // GUESS: the code; the wording follows the NIC of a private endpoint's.
    #[error("Network interface {nic} is used by private link service {service}. It can not be modified by user.")]
    NicOfPrivateLinkService { nic: String, service: String },

    // Azure Storage's code and message for a connection state it will not take (an
    // approved connection approved again, a rejected one approved); other services' GUESS.
    #[error("Values for request parameters are invalid: {parameters}.")]
    InvalidValuesForRequestParameters { parameters: String },

    #[error("Another operation on this or a dependent resource is in progress ({what}). Retry the request.")]
    ConcurrentConflict { what: String },

    #[error("The value {size} provided for the VM size is not valid. The valid sizes in the current region ({location}) are listed by GET .../providers/Microsoft.Compute/locations/{location}/vmSizes.")]
    VmSizeNotValid { size: String, location: String },

    /// A publisher, offer, SKU or version the image catalogue does not hold. `urn` is not in
    /// Azure's text but kept for logs.
    #[error("Artifact: VMImage was not found.")]
    VmImageNotFound { urn: String },

    /// An extension publisher, type or version the catalogue does not hold (GUESS: the
    /// message, shaped as the image one).
    #[error("Artifact: VMExtension was not found.")]
    VmExtensionImageNotFound,

    #[error("The value of parameter version is invalid.")]
    InvalidImageVersion { version: String },

    #[error("The number of network interfaces for virtual machine {vm} exceeds the maximum allowed for the virtual machine size {size}. The number of network interfaces is {count} and the maximum allowed is {max}.")]
    NetworkInterfaceCountExceeded {
        vm: String,
        size: String,
        count: usize,
        max: usize,
    },

    // GUESS: message.
    #[error("Adding or deleting network interfaces on virtual machine {vm} is only supported when it is deallocated (stopped but still allocated is not enough). Deallocate it first.")]
    AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported { vm: String },

    #[error("Virtual machine {vm} must have at least one network interface.")]
    VirtualMachineMustHaveAtLeastOneNic { vm: String },

    #[error("Network interface {nic} must have Primary property set.")]
    NetworkInterfaceMustHavePrimaryPropertySet { nic: String },

    // GUESS: code and message.
    #[error("Only one network interface of a virtual machine may be primary; {first} and {second} are both marked primary.")]
    MultiplePrimaryNetworkInterfaces { first: String, second: String },

    // GUESS: message.
    #[error("Network interfaces of virtual machine {vm} must be in the same virtual network: {first} and {second} differ.")]
    SubnetsNotInSameVnet {
        vm: String,
        first: String,
        second: String,
    },

    // GUESS: code and message.
    #[error("Network interface {nic} has a private IPv6 address, so it must be the only network interface of virtual machine {vm}.")]
    Ipv6NicMustBeOnlyNic { vm: String, nic: String },

    // GUESS: code and message.
    #[error("Network interface {nic} has a private IPv6 address and can only be attached when virtual machine {vm} is created.")]
    Ipv6NicOnlyAtCreation { vm: String, nic: String },

    // GUESS: code and message.
    #[error("Network interface {nic} cannot be added to virtual machine {vm}: its network interface {ipv6_nic} has a private IPv6 address, so it must stay the only one.")]
    NoNicAddedBesideIpv6Nic {
        vm: String,
        ipv6_nic: String,
        nic: String,
    },

    #[error("Network interface {nic} is referenced more than once by virtual machine {vm}.")]
    DuplicateNetworkInterface { vm: String, nic: String },

    #[error(
        "Network interface {nic} must be in the virtual machine's subscription {subscription}."
    )]
    NicInOtherSubscription { nic: String, subscription: String },

    #[error("Operation '{operation}' is not allowed on VM '{vm}' since the VM is {state}.")]
    OperationNotAllowed {
        operation: String,
        vm: String,
        state: String,
    },

    // GUESS: code and message.
    #[error("Availability set {set} cannot be deleted while virtual machine {vm} is in it.")]
    AvailabilitySetInUse { set: String, vm: String },

    #[error(
        "cerulean does not implement {what} yet. See docs/compatibility.md for what is supported."
    )]
    NotImplemented { what: String },

    // GUESS: status (ARM answers 404 for a type of no provider; this one is under a group).
    #[error("The resource type '{resource_type}' could not be found in the namespace '{namespace}' for api version '{api_version}'.")]
    InvalidResourceType {
        resource_type: String,
        namespace: String,
        api_version: String,
    },

    #[error("Can not perform requested operation on nested resource. Parent resource '{parent}' not found.")]
    ParentResourceNotFound { parent: String },

    #[error("Deployment '{name}' could not be found.")]
    DeploymentNotFound { name: String },

    #[error("Unable to edit or replace deployment '{name}': previous deployment from '{started}' is still active. Please see https://aka.ms/arm-deploy for usage details.")]
    DeploymentActive { name: String, started: String },

    #[error("Invalid deployment location '{requested}'. The deployment '{name}' already exists in location '{existing}'.")]
    InvalidDeploymentLocation {
        name: String,
        existing: String,
        requested: String,
    },

    // GUESS: code and message.
    #[error("The deployment '{name}' cannot be cancelled because it is in state '{state}'.")]
    DeploymentCannotBeCancelled { name: String, state: String },

    // cerulean's own: ARM never loses the server applying a deployment.
    #[error("The deployment '{name}' was interrupted: {cause}. Resources created so far remain; deploy again under the same name to finish.")]
    DeploymentInterrupted { name: String, cause: String },

    // GUESS: code.
    #[error("The deployment name '{name}' is invalid. It can be up to 64 characters long and may contain only letters, digits, '-', '_', '.', '(' and ')'.")]
    InvalidDeploymentName { name: String },

    /// A template that cannot be deployed: `code` is ARM's (`InvalidTemplate`, ...).
    #[error("{message}")]
    InvalidTemplate {
        code: &'static str,
        message: String,
        target: Option<String>,
    },

    // Access control (`crate::authz`).
    #[error("The client '{client}' with object id '{object_id}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.")]
    AuthorizationFailed {
        client: String,
        object_id: String,
        action: String,
        scope: String,
    },

    #[error("{0}")]
    LinkedAuthorizationFailed(Box<LinkedRefusal>),

    /// A template deployment whose deployer may not write some resource the template declares:
    /// refused up front, before anything is created (403 `InvalidTemplateDeployment`, each
    /// refusal an `AuthorizationFailed` in `details`).
    #[error("{}", template_refusals_message(.0))]
    TemplateAuthorizationFailed(Vec<TemplateRefusal>),

    #[error(
        "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
    )]
    InvalidRoleAssignmentId { name: String },

    #[error("The Principal ID '{id}' is not valid. Principal ID must be a GUID.")]
    InvalidPrincipalId { id: String },

    // GUESS: code and message.
    #[error("The role definition ID '{id}' is not valid.")]
    InvalidRoleDefinitionId { id: String },

    /// In a role assignment: the role it names does not exist (400).
    #[error("The specified role definition with ID '{guid}' does not exist.")]
    RoleDefinitionDoesNotExist { guid: String },

    /// A GET of a role definition that does not exist (404, same code and text).
    #[error("The specified role definition with ID '{guid}' does not exist.")]
    RoleDefinitionNotFound { guid: String },

    #[error("Principal {} does not exist in the directory {tenant}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype", .id.replace('-', ""))]
    PrincipalNotFound { id: String, tenant: String },

    /// Azure's own spelling, typo and space before the comma included.
    #[error("The PrincipalId '{}' has type '{actual}' , which is different from specified PrinciaplType '{given}'.", .id.replace('-', ""))]
    UnmatchedPrincipalType {
        id: String,
        actual: &'static str,
        given: &'static str,
    },

    #[error("The request to create role assignment '{name}' is not valid. Role assignment scope '{body_scope}' must match the scope specified on the URI '{uri_scope}'.")]
    InvalidCreateRoleAssignmentRequest {
        name: String,
        body_scope: String,
        uri_scope: String,
    },

    #[error("The role assignment already exists.")]
    RoleAssignmentExists,

    #[error("Tenant ID, application ID, principal ID, and scope are not allowed to be updated.")]
    RoleAssignmentUpdateNotPermitted,

    // GUESS: message.
    #[error("The role assignment '{name}' is not found.")]
    RoleAssignmentNotFound { name: String },

    /// A custom role's body that ARM refuses (GUESS: code and messages).
    #[error("{message}")]
    InvalidRoleDefinition { message: String },

    #[error("A role definition cannot be updated with a name that already exists.")]
    RoleDefinitionWithSameNameExists,

    #[error("Role definition limit exceeded. No more role definitions can be created.")]
    RoleDefinitionLimitExceeded,

    #[error("There are existing role assignments referencing role.")]
    RoleDefinitionHasAssignments,

    #[error("Role assignments found under scope '{scope}' which is being removed. Removing this scope from the role will orphan these assignments. Delete these assignments before removing the scope.")]
    RoleScopeBeingRemovedContainsAssignments { scope: String },

    #[error("The role {role_name} is not available for assignment at the requested scope.")]
    RoleAssignmentScopeNotAssignableToRoleDefinition { role_name: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_azures() {
        let e = DomainError::ResourceGroupNotFound { name: "rg1".into() };
        assert_eq!(e.code(), "ResourceGroupNotFound");
        assert_eq!(e.to_string(), "Resource group 'rg1' could not be found.");
        assert_eq!(e.class(), ErrorClass::NotFound);

        let e = DomainError::InvalidResourceGroupLocation {
            requested: "westus".into(),
            existing: "eastus".into(),
        };
        assert_eq!(e.class(), ErrorClass::Conflict);
        assert_eq!(
            e.to_string(),
            "Invalid resource group location 'westus'. The Resource group already exists in location 'eastus'."
        );
    }

    #[test]
    fn image_errors_are_azures() {
        let e = DomainError::VmImageNotFound {
            urn: "Canonical:nope:x:1.0".into(),
        };
        assert_eq!(e.code(), "NotFound");
        assert_eq!(e.class(), ErrorClass::NotFound);
        assert_eq!(e.to_string(), "Artifact: VMImage was not found.");

        let e = DomainError::InvalidImageVersion {
            version: "latest".into(),
        };
        assert_eq!(e.code(), "InvalidParameter");
        assert_eq!(e.class(), ErrorClass::BadRequest);
        assert_eq!(e.target().as_deref(), Some("version"));
        assert_eq!(e.to_string(), "The value of parameter version is invalid.");
    }
}
