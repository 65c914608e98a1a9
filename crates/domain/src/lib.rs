//! The domain core of cerulean.
//!
//! Everything here is plain Rust: no HTTP, no SQL, no JSON. The HTTP edge converts ARM wire
//! bodies into these types, the application layer loads them from the store, calls the rules
//! defined here and writes back what they return. Every rule of the seed documents lives in
//! exactly one function of this crate, next to the test that proves it.

pub mod authz;
pub mod cidr;
pub mod compute;
pub mod deployment;
pub mod dns;
pub mod error;
pub mod filter;
pub mod group;
pub mod guest;
pub mod id;
pub mod ipam;
pub mod kind;
pub mod name;
pub mod network;
pub mod operation;
pub mod paging;
pub mod precondition;
pub mod private_endpoint;
pub mod private_link_service;
pub mod providers;
pub mod reference;
pub mod region;
pub mod subscription;
pub mod tags;

pub use error::{DomainError, ErrorClass};
pub use id::ResourceId;

/// A map keyed by lower-case resource ids. foldhash, not std's SipHash: ids are 100-odd
/// bytes, and a NIC write looks them up inside the store's serial writer job, where SipHash
/// took 1.4k instructions of a create. Seeded at random per map; every such map holds what
/// one request names, bounded by its caps.
pub type IdMap<V> = std::collections::HashMap<String, V, foldhash::fast::RandomState>;
