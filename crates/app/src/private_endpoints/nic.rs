//! An endpoint's NIC: written through the NIC's own rules, owned by the endpoint.

use crate::network::nics;
use crate::tracked::Env;
use crate::AppError;
use cerulean_domain::id::ResourceId;
use cerulean_domain::network::nic::{IpConfigSpec, NetworkInterface, NicSpec};
use cerulean_domain::network::{Allocation, CommonSpec};
use cerulean_domain::private_endpoint as pe;
use cerulean_store::Tx;
use serde_json::{Map, Value};

/// The endpoint's NIC, written by the NIC's rules: one configuration in the subnet, dynamic
/// unless the request's `ipConfigurations` give static addresses. Its tags are its own, as on
/// Azure (the endpoint's are not copied; a client's PATCH of them stays).
#[allow(clippy::too_many_arguments)]
pub(super) fn write_nic(
    tx: &mut dyn Tx,
    env: &Env,
    id: &ResourceId,
    nic_id: &ResourceId,
    props: &Map<String, Value>,
    subnet: &ResourceId,
    location: String,
    guid: &str,
) -> Result<NetworkInterface, AppError> {
    // The endpoint's application security groups are its NIC's (Azure puts them there).
    let asgs = crate::generic::ids_at(props, "applicationSecurityGroups")?;
    let statics: Vec<IpConfigSpec> = props
        .get("ipConfigurations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| IpConfigSpec {
            name: c
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("ipconfig{i}"), str::to_string),
            private_ip: c
                .pointer("/properties/privateIPAddress")
                .and_then(Value::as_str)
                .map(str::to_string),
            allocation: Some(Allocation::Static),
            subnet: Some(subnet.clone()),
            primary: Some(i == 0),
            asgs: asgs.clone(),
            ..Default::default()
        })
        .collect();
    let ip_configurations = if statics.is_empty() {
        vec![IpConfigSpec {
            name: pe::ip_config_name(guid),
            subnet: Some(subnet.clone()),
            primary: Some(true),
            asgs,
            ..Default::default()
        }]
    } else {
        statics
    };
    let spec = NicSpec {
        common: CommonSpec {
            location: Some(location),
            tags: None,
            extra: Vec::new(),
        },
        ip_configurations,
        private_endpoint: Some(id.to_string()),
        ..Default::default()
    };
    nics::put_owned(tx, env, nic_id, spec)
}
