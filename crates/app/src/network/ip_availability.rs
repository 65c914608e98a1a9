//! `GET .../virtualNetworks/{vnet}/CheckIPAddressAvailability?ipAddress=`: whether a private
//! address could be taken now (a static IP configuration's, say), and if not, up to five
//! free ones after it, in its subnet and the subnets after it.

use super::vnets::subnet_key;
use super::{book_key, require, TxBook};
use crate::{App, AppError};
use cerulean_domain::id::ResourceId;
use cerulean_domain::ipam;
use cerulean_domain::network::vnet::{self, VirtualNetwork};
use cerulean_domain::DomainError;
use ipnet::IpNet;
use std::net::IpAddr;

/// How many free addresses Azure offers instead of one that is taken.
const ALTERNATIVES: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpAvailability {
    pub available: bool,
    /// When the address is not available: up to five free ones after it.
    pub alternatives: Vec<String>,
}

impl App {
    pub async fn check_ip_availability(
        &self,
        vnet_id: ResourceId,
        address: Option<String>,
    ) -> Result<IpAvailability, AppError> {
        self.subscription(vnet_id.subscription()).await?;
        let invalid = |message: String| DomainError::InvalidParameter {
            message,
            target: Some("ipAddress".into()),
        };
        // GUESS: Azure's wording for a missing or malformed address.
        let address = address
            .ok_or_else(|| invalid("The query parameter 'ipAddress' is required.".into()))?;
        let addr: IpAddr = address
            .parse()
            .map_err(|_| invalid(format!("'{address}' is not a valid IP address.")))?;
        cerulean_store::read(&*self.store, move |tx| {
            let (rec, vnet) = require::<VirtualNetwork>(tx, &vnet_id)?;
            let in_space = vnet::parse_prefixes(&vnet.address_prefixes)
                .iter()
                .any(|p| p.contains(&addr));
            if !in_space {
                // GUESS: Azure's answer for an address outside the network.
                return Err(invalid(format!(
                    "IP address {address} is not in the address space of virtual network {}.",
                    vnet_id.name()
                ))
                .into());
            }
            // Every subnet of the address's family, by address: the one holding it, if
            // any, then those after it. GUESS: that the list runs on past the address's
            // subnet, and that an address between subnets gets the next subnets' (az's
            // `list-available-ips` asks about the network's first address and prints the
            // list, so Azure answers it with addresses from the subnets).
            let mut subnets: Vec<(IpNet, String)> = vnet
                .subnets
                .iter()
                .flat_map(|s| {
                    let key = subnet_key(&rec.key, &s.name);
                    s.prefixes()
                        .into_iter()
                        .filter(|p| p.addr().is_ipv4() == addr.is_ipv4())
                        .map(move |p| (p, book_key(&key, &p)))
                })
                .filter(|(p, _)| p.contains(&addr) || p.network() > addr)
                .collect();
            subnets.sort_by_key(|(p, _)| p.network());
            let mut book = TxBook(tx);
            let mut budget = ipam::MAX_PROBES;
            let mut alternatives = Vec::new();
            for (prefix, key) in &subnets {
                let from = match ipam::offset_of(*prefix, addr) {
                    Some(offset) if ipam::is_free(&mut book, key, *prefix, offset)? => {
                        return Ok(IpAvailability {
                            available: true,
                            alternatives: Vec::new(),
                        });
                    }
                    Some(offset) => offset + 1,
                    None => 0,
                };
                let want = ALTERNATIVES - alternatives.len();
                alternatives.extend(ipam::free_from(
                    &mut book,
                    key,
                    *prefix,
                    from,
                    want,
                    &mut budget,
                )?);
                if alternatives.len() == ALTERNATIVES {
                    break;
                }
            }
            Ok(IpAvailability {
                available: false,
                alternatives: alternatives.into_iter().map(ipam::address_text).collect(),
            })
        })
        .await
    }
}
