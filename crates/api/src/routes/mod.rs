//! The route table. Paths are matched after [`crate::path`] has lower-cased their fixed
//! words, so every literal here is lower-case.
//!
//! Three routers make the service. The open ones are declared route by route in [`edge`]
//! (readiness, cloud metadata, the token and sign-in endpoints) plus the portal's static
//! files. Everything else — ARM's paths (under the api-version layer), Microsoft Graph's,
//! cerulean's administration, and any path no route matches — is one router behind the
//! bearer check, access control (`--rbac`), the refusal of cross-origin writes and the
//! JSON-only rule: a route is authenticated unless it is declared open.

mod admin;
mod authorization;
mod compute;
mod deployments;
pub mod edge;
mod fallback;
mod generic;
mod groups;
mod guest;
mod images;
mod lb_children;
mod meta;
mod network;
mod operations;
mod providers;
mod resources;
mod subscriptions;
pub(crate) mod tracked;

use crate::middleware;
use crate::AppState;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{get, post};
use axum::Router;

/// `Microsoft.Authorization`'s requests, answered before routing (see [`authorization`]).
pub(crate) use authorization::dispatch as authorization_dispatch;

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
        .merge(providers::routes())
        .merge(generic::routes())
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(from_fn(middleware::arm));

    let (identity_open, identity_closed) = edge::split(crate::identity::routes());
    let (own_open, own_closed) = edge::split(edge::own_routes());
    let identity_open =
        identity_open.method_not_allowed_fallback(crate::identity::method_not_allowed);
    let own_open = own_open
        .merge(cerulean_portal::routes())
        .method_not_allowed_fallback(fallback::method_not_allowed);
    let closed = own_closed
        .merge(identity_closed)
        .merge(crate::graph::routes())
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .merge(arm)
        .fallback(fallback::unknown)
        .layer(from_fn_with_state(state.clone(), middleware::closed));

    Router::new()
        .merge(identity_open)
        .merge(own_open)
        .merge(closed)
        .layer(from_fn_with_state(state.clone(), middleware::edge))
        .with_state(state)
}

fn network_routes() -> Router<AppState> {
    use cerulean_app::network::{
        load_balancers::LoadBalancers, nics::Nics, public_ips::PublicIps, vnets::Vnets,
    };
    use network as n;
    const RG: &str = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.network";
    const SUB: &str = "/subscriptions/{sub}/providers/microsoft.network";
    let r = |p: &str| format!("{RG}{p}");
    let s = |p: &str| format!("{SUB}{p}");
    Router::new()
        .merge(tracked::standard::<Vnets>())
        .route(&r("/virtualnetworks/{name}/subnets"), get(n::list_subnets))
        .route(&r("/virtualnetworks/{name}/usages"), get(n::vnet_usages))
        .route(
            &r("/virtualnetworks/{name}/checkipaddressavailability"),
            get(n::check_ip_availability),
        )
        .route(
            &r("/virtualnetworks/{name}/subnets/{subnet}"),
            get(n::get_subnet)
                .put(n::put_subnet)
                .delete(n::delete_subnet),
        )
        .merge(tracked::standard::<Nics>())
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
        .merge(tracked::standard::<PublicIps>())
        .merge(tracked::standard::<LoadBalancers>())
        .route(
            &r("/loadbalancers/{name}/backendaddresspools"),
            get(n::list_pools),
        )
        .route(
            &r("/loadbalancers/{name}/backendaddresspools/{pool}"),
            get(n::get_pool).put(n::put_pool).delete(n::delete_pool),
        )
        .merge(lb_children::routes(r))
        .route(&s("/locations/{loc}/usages"), get(n::usages))
}

fn compute_routes() -> Router<AppState> {
    use cerulean_app::compute::{availability_sets::AvailabilitySets, disks::Disks, vms::Vms};
    use compute as c;
    const RG: &str = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.compute";
    const SUB: &str = "/subscriptions/{sub}/providers/microsoft.compute";
    let r = |p: &str| format!("{RG}{p}");
    let s = |p: &str| format!("{SUB}{p}");
    Router::new()
        .merge(tracked::routes::<Vms>(
            tracked::item::<Vms>().patch(c::patch_vm),
        ))
        .merge(tracked::standard::<Disks>())
        .route(
            &r("/virtualmachines/{name}/instanceview"),
            get(c::instance_view),
        )
        // POST is an action by name; any other method is a child of a type cerulean does
        // not model (`extensions`, ...), served as the generic route would.
        .route(
            &r("/virtualmachines/{name}/{action}"),
            generic::methods().post(c::action),
        )
        .route(
            &s("/locations/{loc}/virtualmachines"),
            get(c::list_vms_location),
        )
        .merge(tracked::standard::<AvailabilitySets>())
        .route(&s("/skus"), get(c::skus))
        .route(&s("/locations/{loc}/vmsizes"), get(c::vm_sizes))
        .route(&s("/locations/{loc}/usages"), get(c::usages))
}
