//! Microsoft.Compute use cases: virtual machines (with the side effects of power changes on
//! NICs and public IPs) and availability sets.

pub mod availability_sets;
pub mod disks;
pub(crate) mod placement;
pub mod run_command;
pub mod vms;

pub const VM: &str = "microsoft.compute/virtualmachines";
pub const AVAILABILITY_SET: &str = "microsoft.compute/availabilitysets";

impl crate::network::Kind for cerulean_domain::compute::vm::VirtualMachine {
    const KIND: &'static str = VM;
}
impl crate::network::Kind for cerulean_domain::compute::availability_set::AvailabilitySet {
    const KIND: &'static str = AVAILABILITY_SET;
}
pub const DISK: &str = "microsoft.compute/disks";
impl crate::network::Kind for cerulean_domain::compute::disk::Disk {
    const KIND: &'static str = DISK;
}
