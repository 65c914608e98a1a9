//! Guest networking handlers outside Microsoft.Compute's VM actions: a NIC's effective
//! route table (`runCommand` is one of the VM actions in `compute.rs`).

use crate::error::ApiError;
use crate::extract::{ArmJson, ArmQuery};
use crate::{lro, wire, AppState};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use cerulean_domain::id::ResourceId;

/// POST `.../networkInterfaces/{nic}/effectiveRouteTable`: long-running; the final
/// Location GET answers `{value: [...]}`. The NIC must be attached to a running VM.
pub async fn effective_route_table(
    State(s): State<AppState>,
    Path((sub, rg, name)): Path<(String, String, String)>,
    headers: HeaderMap,
    q: ArmQuery,
) -> Result<Response, ApiError> {
    let id = ResourceId::resource(&sub, &rg, "Microsoft.Network", "networkInterfaces", &name);
    let op = s
        .app
        .effective_route_table(id, wire::run_command::effective_routes)
        .await?;
    Ok(lro::accepted(
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    ))
}

/// POST `.../networkWatchers/{any}/nextHop` (extension: the watcher itself is not modelled,
/// any name is accepted): `targetResourceId` names the VM.
pub async fn next_hop(
    State(s): State<AppState>,
    Path((_sub, _rg, _watcher)): Path<(String, String, String)>,
    headers: HeaderMap,
    q: ArmQuery,
    ArmJson(body): ArmJson<wire::run_command::NextHopIn>,
) -> Result<Response, ApiError> {
    let vm = ResourceId::parse(&body.target_resource_id)
        .ok()
        .filter(|id| {
            id.type_path()
                .eq_ignore_ascii_case("Microsoft.Compute/virtualMachines")
        })
        .ok_or_else(|| {
            ApiError::from(cerulean_domain::DomainError::InvalidParameter {
                message: format!(
                    "The target resource id '{}' is not a virtual machine id.",
                    body.target_resource_id
                ),
                target: Some("targetResourceId".into()),
            })
        })?;
    let op = s
        .app
        .next_hop(
            vm,
            body.source_ip_address,
            body.destination_ip_address,
            wire::run_command::next_hop,
        )
        .await?;
    Ok(lro::accepted(
        &s.options.base_url(&headers),
        &op,
        &q.api_version,
    ))
}
