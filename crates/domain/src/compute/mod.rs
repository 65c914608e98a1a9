//! Microsoft.Compute: virtual machines, their NIC attachments and power states, availability
//! sets, the size catalogue and the platform image catalogue. The seed's VM rules live in
//! `vm.rs`, one function each.

pub mod availability_set;
pub mod disk;
pub mod extension_images;
pub mod images;
pub mod placement;
pub mod sizes;
pub mod storage;
pub mod vm;
