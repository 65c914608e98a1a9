//! The route table. Paths are matched after [`crate::path`] has lower-cased their fixed
//! words, so every literal here is lower-case.
//!
//! The identity endpoints (`crate::identity`) sit outside the ARM api-version layer; the
//! bearer-token check wraps everything but only acts on ARM paths.

mod admin;
mod compute;
mod deployments;
mod fallback;
mod generic;
mod groups;
mod guest;
mod images;
mod meta;
mod network;
mod operations;
mod resources;
mod subscriptions;

use crate::middleware;
use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn router(state: AppState) -> Router {
    let arm = Router::new()
        .route("/subscriptions", get(subscriptions::list))
        .route("/subscriptions/{sub}", get(subscriptions::get))
        .route(
            "/subscriptions/{sub}/locations",
            get(subscriptions::locations),
        )
        .route("/tenants", get(subscriptions::tenants))
        .route("/subscriptions/{sub}/resourcegroups", get(groups::list))
        .route(
            "/subscriptions/{sub}/resources",
            get(resources::in_subscription),
        )
        .route(
            "/subscriptions/{sub}/resourcegroups/{rg}/resources",
            get(resources::in_group),
        )
        .route(
            "/subscriptions/{sub}/resourcegroups/{rg}",
            get(groups::get)
                .head(groups::head)
                .put(groups::put)
                .patch(groups::patch)
                .delete(groups::delete),
        )
        .route(
            "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operations/{id}",
            get(operations::status),
        )
        .route(
            "/subscriptions/{sub}/providers/{ns}/locations/{loc}/operationresults/{id}",
            get(operations::result),
        )
        .merge(network_routes())
        .merge(compute_routes())
        .merge(images::routes())
        .merge(deployments::routes())
        .merge(generic::routes())
        .method_not_allowed_fallback(fallback::not_implemented)
        .layer(axum::middleware::from_fn(middleware::require_api_version));

    Router::new()
        .route("/health", get(meta::health))
        .route("/metadata/endpoints", get(meta::endpoints))
        .route("/cerulean/info", get(admin::info))
        .route("/cerulean/reset", post(admin::reset))
        .merge(crate::identity::routes())
        .merge(cerulean_portal::routes())
        .merge(arm)
        .fallback(fallback::unknown)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::identity::require_bearer,
        ))
        .layer(axum::middleware::from_fn(middleware::request_context))
        .with_state(state)
}

fn network_routes() -> Router<AppState> {
    use network as n;
    const RG: &str = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.network";
    const SUB: &str = "/subscriptions/{sub}/providers/microsoft.network";
    let r = |p: &str| format!("{RG}{p}");
    let s = |p: &str| format!("{SUB}{p}");
    Router::new()
        .route(&r("/virtualnetworks"), get(n::list_vnets_group))
        .route(
            &r("/virtualnetworks/{name}"),
            get(n::get_vnet)
                .put(n::put_vnet)
                .patch(n::patch_vnet)
                .delete(n::delete_vnet),
        )
        .route(&r("/virtualnetworks/{name}/subnets"), get(n::list_subnets))
        .route(&r("/virtualnetworks/{name}/usages"), get(n::vnet_usages))
        .route(
            &r("/virtualnetworks/{name}/subnets/{subnet}"),
            get(n::get_subnet)
                .put(n::put_subnet)
                .delete(n::delete_subnet),
        )
        .route(&s("/virtualnetworks"), get(n::list_vnets_sub))
        .route(&r("/networkinterfaces"), get(n::list_nics_group))
        .route(
            &r("/networkinterfaces/{name}"),
            get(n::get_nic)
                .put(n::put_nic)
                .patch(n::patch_nic)
                .delete(n::delete_nic),
        )
        .route(
            &r("/networkinterfaces/{name}/ipconfigurations"),
            get(n::list_ip_configs),
        )
        .route(
            &r("/networkinterfaces/{name}/ipconfigurations/{config}"),
            get(n::get_ip_config),
        )
        .route(
            &r("/networkinterfaces/{name}/effectiveroutetable"),
            post(guest::effective_route_table),
        )
        .route(&r("/networkwatchers/{name}/nexthop"), post(guest::next_hop))
        .route(&s("/networkinterfaces"), get(n::list_nics_sub))
        .route(&r("/publicipaddresses"), get(n::list_pips_group))
        .route(
            &r("/publicipaddresses/{name}"),
            get(n::get_pip)
                .put(n::put_pip)
                .patch(n::patch_pip)
                .delete(n::delete_pip),
        )
        .route(&s("/publicipaddresses"), get(n::list_pips_sub))
        .route(&r("/loadbalancers"), get(n::list_lbs_group))
        .route(
            &r("/loadbalancers/{name}"),
            get(n::get_lb)
                .put(n::put_lb)
                .patch(n::patch_lb)
                .delete(n::delete_lb),
        )
        .route(
            &r("/loadbalancers/{name}/backendaddresspools"),
            get(n::list_pools),
        )
        .route(
            &r("/loadbalancers/{name}/backendaddresspools/{pool}"),
            get(n::get_pool).put(n::put_pool).delete(n::delete_pool),
        )
        .route(&s("/loadbalancers"), get(n::list_lbs_sub))
        .route(&s("/locations/{loc}/usages"), get(n::usages))
}

fn compute_routes() -> Router<AppState> {
    use compute as c;
    const RG: &str = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.compute";
    const SUB: &str = "/subscriptions/{sub}/providers/microsoft.compute";
    let r = |p: &str| format!("{RG}{p}");
    let s = |p: &str| format!("{SUB}{p}");
    Router::new()
        .route(&r("/virtualmachines"), get(c::list_vms_group))
        .route(
            &r("/virtualmachines/{name}"),
            get(c::get_vm)
                .put(c::put_vm)
                .patch(c::patch_vm)
                .delete(c::delete_vm),
        )
        .route(
            &r("/virtualmachines/{name}/instanceview"),
            get(c::instance_view),
        )
        .route(&r("/virtualmachines/{name}/{action}"), post(c::action))
        .route(&s("/virtualmachines"), get(c::list_vms_sub))
        .route(
            &s("/locations/{loc}/virtualmachines"),
            get(c::list_vms_location),
        )
        .route(&r("/availabilitysets"), get(c::list_sets_group))
        .route(
            &r("/availabilitysets/{name}"),
            get(c::get_set).put(c::put_set).delete(c::delete_set),
        )
        .route(&s("/availabilitysets"), get(c::list_sets_sub))
        .route(&s("/skus"), get(c::skus))
        .route(&s("/locations/{loc}/vmsizes"), get(c::vm_sizes))
        .route(&s("/locations/{loc}/usages"), get(c::usages))
}
