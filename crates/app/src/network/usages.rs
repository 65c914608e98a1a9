//! `GET .../providers/Microsoft.Network/locations/{loc}/usages`: real counts and limits.

use super::{LOAD_BALANCER, NIC, PUBLIC_IP, VNET};
use crate::records::all_in_region;
use crate::{App, AppError};
use cerulean_domain::id::fold;
use cerulean_domain::network::public_ip::PublicIp;
use cerulean_domain::network::{Allocation, Sku};
use cerulean_domain::DomainError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage {
    pub name: &'static str,
    pub localized: &'static str,
    pub current: i64,
    pub limit: i64,
}

const MAX_VNETS: i64 = 1000;
const MAX_NICS: i64 = 65536;
const MAX_LBS: i64 = 1000;

impl App {
    pub async fn network_usages(
        &self,
        subscription: &str,
        location: &str,
    ) -> Result<(String, Vec<Usage>), AppError> {
        self.subscription(subscription).await?;
        let loc = cerulean_domain::region::normalize(location).ok_or_else(|| {
            DomainError::LocationNotAvailableForResourceType {
                location: location.to_string(),
                type_path: "Microsoft.Network/locations/usages".into(),
                available: cerulean_domain::region::available_list(),
            }
        })?;
        let sub = fold(subscription);
        let quota = self.config.public_ip_quota as i64;
        let max_configs = self.config.max_ip_configs_per_nic as i64;
        let usages = cerulean_store::read(&*self.store, move |tx| {
            let vnets = tx.count_in_region(&sub, VNET, loc)?;
            let nics = tx.count_in_region(&sub, NIC, loc)?;
            let lbs = tx.count_in_region(&sub, LOAD_BALANCER, loc)?;
            let (mut basic, mut standard, mut statics) = (0, 0, 0);
            for (_, p) in all_in_region::<PublicIp>(tx, &sub, PUBLIC_IP, loc)? {
                match p.sku {
                    Sku::Basic => basic += 1,
                    Sku::Standard => standard += 1,
                }
                statics += i64::from(p.allocation == Allocation::Static);
            }
            let u = |name, localized, current, limit| Usage {
                name,
                localized,
                current,
                limit,
            };
            Ok::<_, AppError>(vec![
                u("VirtualNetworks", "Virtual Networks", vnets, MAX_VNETS),
                u("NetworkInterfaces", "Network Interfaces", nics, MAX_NICS),
                u("LoadBalancers", "Load Balancers", lbs, MAX_LBS),
                u("PublicIPAddresses", "Public IP Addresses", basic, quota),
                u(
                    "StandardSkuPublicIpAddresses",
                    "Standard Sku Public IP Addresses",
                    standard,
                    quota,
                ),
                u(
                    "StaticPublicIPAddresses",
                    "Static Public IP Addresses",
                    statics,
                    2 * quota,
                ),
                u(
                    "SecondaryIPConfigurationsPerNetworkInterface",
                    "Secondary IP Configurations per Network Interface",
                    0,
                    max_configs - 1,
                ),
            ])
        })
        .await?;
        Ok((loc.to_string(), usages))
    }
}
