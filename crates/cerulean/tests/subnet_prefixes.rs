//! Rewriting a subnet's prefixes never loses its addresses (issue 16, item 2): every path
//! that rewrites them (subnet PUT, VNet PUT with inline subnets or without, address-space
//! changes, both spellings, DELETE, templates), on SQLite and PostgreSQL. The rule itself is
//! `cerulean_domain::network::prefix_change::rewrite_subnet_prefixes`.

#[macro_use]
mod common;

use common::arm::*;
use common::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

const SPACE: &[&str] = &["10.0.0.0/16", "fd00:db8::/48"];
const V4: &str = "10.0.0.0/24";
const V6: &str = "fd00:db8::/64";

fn vnet_id(rg: &str) -> String {
    net(rg, "virtualNetworks", "v")
}

/// The subnet `s` of network `v`, as a subnet PUT body.
fn subnet_put(prefixes: &[&str]) -> Value {
    json!({"properties": {"addressPrefixes": prefixes}})
}

/// `s`'s prefixes and users as a GET shows them.
async fn subnet_state(s: &Server, rg: &str) -> (Vec<String>, Vec<String>) {
    let body = get_ok(s, &subnet_id(rg, "v", "s")).await;
    let p = &body["properties"];
    let prefixes = match p.get("addressPrefixes") {
        Some(list) => list
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect(),
        None => vec![p["addressPrefix"].as_str().unwrap().to_string()],
    };
    let users = p["ipConfigurations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["id"].as_str().unwrap().to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    (prefixes, users)
}

fn config_of(rg: &str, nic: &str) -> String {
    format!(
        "{}/ipConfigurations/ipconfig1",
        net(rg, "networkInterfaces", nic)
    )
    .to_lowercase()
}

/// A group with network `v` (IPv4 and IPv6 space) whose subnet `s` is IPv4 only and holds
/// `n1` (10.0.0.4) and `n2` (10.0.0.5).
async fn in_use_subnet(s: &Server, rg: &str) {
    group(s, rg).await;
    put_ok(s, &vnet_id(rg), vnet_body(SPACE, &[("s", &[V4])])).await;
    let sub = subnet_id(rg, "v", "s");
    assert_eq!(dynamic_nic(s, rg, "n1", &sub).await, "10.0.0.4");
    assert_eq!(dynamic_nic(s, rg, "n2", &sub).await, "10.0.0.5");
}

/// What the issue saw: the next NIC got 10.0.0.4 again and the subnet could be deleted. Here:
/// the addresses stay, the next NIC gets the next free one, neither subnet nor network can
/// be deleted.
async fn assert_still_held(s: &Server, rg: &str, next_nic: &str, next_ip: &str) {
    let (_, users) = subnet_state(s, rg).await;
    for n in ["n1", "n2"] {
        assert!(users.contains(&config_of(rg, n)), "{n} in {users:?}");
    }
    let sub = subnet_id(rg, "v", "s");
    assert_eq!(dynamic_nic(s, rg, next_nic, &sub).await, next_ip);
    let (st, body) = delete(s, &sub).await;
    let msg = assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    assert_contains(&msg, "Subnet s is in use by");
    let (st, body) = delete(s, &vnet_id(rg)).await;
    assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    for n in ["n1", "n2"] {
        let nic = get_ok(s, &net(rg, "networkInterfaces", n)).await;
        assert_eq!(
            nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"]
                .as_str()
                .unwrap()
                .to_lowercase(),
            sub.to_lowercase()
        );
    }
}

async fn ipv6_added_by_subnet_put_keeps_ipv4_addresses(s: &Server) {
    let rg = "add6";
    in_use_subnet(s, rg).await;
    let (st, body) = s
        .put(&at(&subnet_id(rg, "v", "s")), subnet_put(&[V4, V6]))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["addressPrefixes"], json!([V4, V6]));
    assert_eq!(
        body["properties"]["ipConfigurations"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{body}"
    );
    assert_still_held(s, rg, "n3", "10.0.0.6").await;
    // Both spellings at once, the IPv6 one in capitals: the same two prefixes.
    let (st, body) = s
        .put(
            &at(&subnet_id(rg, "v", "s")),
            json!({"properties": {"addressPrefix": V4, "addressPrefixes": ["FD00:DB8:0:0::/64", V4]}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_still_held(s, rg, "n4", "10.0.0.7").await;
}

async fn ipv6_added_by_vnet_put_keeps_ipv4_addresses(s: &Server) {
    let rg = "add6vnet";
    in_use_subnet(s, rg).await;
    // The IPv6 prefix first: order is no change either.
    let (st, body) = s
        .put(&at(&vnet_id(rg)), vnet_body(SPACE, &[("S", &[V6, V4])]))
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_still_held(s, rg, "n3", "10.0.0.6").await;
    // A wider address space with the same subnets keeps them too.
    let (st, body) = s
        .put(
            &at(&vnet_id(rg)),
            vnet_body(
                &["10.0.0.0/16", "10.1.0.0/16", "fd00:db8::/48"],
                &[("s", &[V4, V6])],
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_still_held(s, rg, "n4", "10.0.0.7").await;
}

async fn an_in_use_ipv4_prefix_cannot_change_or_go(s: &Server) {
    let rg = "change4";
    in_use_subnet(s, rg).await;
    let sub = subnet_id(rg, "v", "s");
    // Widened (still holding every address), moved, narrowed: Azure refuses all of them.
    for changed in ["10.0.0.0/23", "10.0.4.0/24", "10.0.0.0/25"] {
        let (st, body) = s.put(&at(&sub), subnet_put(&[changed])).await;
        let msg = assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
        assert_eq!(
            msg,
            "IpPrefix 10.0.0.0/24 on Subnet s has active allocations and cannot be deleted."
        );
        let (st, body) = s
            .put(&at(&vnet_id(rg)), vnet_body(SPACE, &[("s", &[changed])]))
            .await;
        assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
    }
    // Only IPv6 left: the IPv4 prefix would go.
    let (st, body) = s.put(&at(&sub), subnet_put(&[V6])).await;
    assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
    // The network without subnets, or without this one.
    let (st, body) = s
        .put(
            &at(&vnet_id(rg)),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": SPACE}}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    assert_contains(&msg, "Subnet s is in use by");
    let (st, body) = s
        .put(
            &at(&vnet_id(rg)),
            vnet_body(SPACE, &[("other", &["10.0.9.0/24"])]),
        )
        .await;
    assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    // A padded length is refused as malformed, not read as a second spelling.
    let (st, body) = s.put(&at(&sub), subnet_put(&["10.0.0.0/024"])).await;
    assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    assert_eq!(subnet_state(s, rg).await.0, vec![V4]);
    assert_still_held(s, rg, "n3", "10.0.0.6").await;
}

async fn an_unused_ipv6_prefix_can_go_while_ipv4_is_in_use(s: &Server) {
    let rg = "drop6";
    in_use_subnet(s, rg).await;
    let sub = subnet_id(rg, "v", "s");
    put_ok(s, &sub, subnet_put(&[V4, V6])).await;
    let (st, body) = s.put(&at(&sub), subnet_put(&[V4])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(subnet_state(s, rg).await.0, vec![V4]);
    assert_still_held(s, rg, "n3", "10.0.0.6").await;
    // Through the network too.
    put_ok(s, &vnet_id(rg), vnet_body(SPACE, &[("s", &[V4, V6])])).await;
    put_ok(s, &vnet_id(rg), vnet_body(SPACE, &[("s", &[V4])])).await;
    assert_still_held(s, rg, "n4", "10.0.0.7").await;
}

async fn an_ipv6_prefix_in_use_cannot_go(s: &Server) {
    let rg = "keep6";
    in_use_subnet(s, rg).await;
    let sub = subnet_id(rg, "v", "s");
    put_ok(s, &sub, subnet_put(&[V4, V6])).await;
    let dual = put_ok(
        s,
        &net(rg, "networkInterfaces", "dual"),
        nic_body(vec![
            ipc("ipconfig1", &sub, json!({"primary": true})),
            ipc("six", &sub, json!({"privateIPAddressVersion": "IPv6"})),
        ]),
    )
    .await;
    assert_eq!(private_ip(&dual, 0), "10.0.0.6");
    assert_eq!(private_ip(&dual, 1), "fd00:db8::4");
    let (st, body) = s.put(&at(&sub), subnet_put(&[V4])).await;
    let msg = assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
    assert_eq!(
        msg,
        "IpPrefix fd00:db8::/64 on Subnet s has active allocations and cannot be deleted."
    );
    let (st, body) = s
        .put(&at(&sub), subnet_put(&[V4, "fd00:db8:0:1::/64"]))
        .await;
    assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
    assert_eq!(subnet_state(s, rg).await.0, vec![V4, V6]);
    // Both books are intact: the next dual-stack NIC gets the next address of each.
    let dual2 = put_ok(
        s,
        &net(rg, "networkInterfaces", "dual2"),
        nic_body(vec![
            ipc("ipconfig1", &sub, json!({"primary": true})),
            ipc("six", &sub, json!({"privateIPAddressVersion": "IPv6"})),
        ]),
    )
    .await;
    assert_eq!(private_ip(&dual2, 0), "10.0.0.7");
    assert_eq!(private_ip(&dual2, 1), "fd00:db8::5");
}

/// Once the users are gone, the prefixes may change, and a new prefix starts afresh.
async fn an_emptied_subnet_can_change_and_starts_afresh(s: &Server) {
    let rg = "emptied";
    in_use_subnet(s, rg).await;
    for n in ["n1", "n2"] {
        let (st, body) = delete(s, &net(rg, "networkInterfaces", n)).await;
        assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    }
    let sub = subnet_id(rg, "v", "s");
    let (st, body) = s.put(&at(&sub), subnet_put(&["10.0.4.0/24"])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(dynamic_nic(s, rg, "n3", &sub).await, "10.0.4.4");
    // Back to the old prefix: its old book was forgotten, so allocation starts at .4.
    let (st, body) = delete(s, &net(rg, "networkInterfaces", "n3")).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    put_ok(s, &sub, subnet_put(&[V4])).await;
    assert_eq!(dynamic_nic(s, rg, "n4", &sub).await, "10.0.0.4");
}

/// A template that declares the network again, IPv6 added, goes through the same rule.
async fn a_template_adding_ipv6_keeps_ipv4_addresses(s: &Server) {
    let rg = "tpl";
    in_use_subnet(s, rg).await;
    let op = deploy(
        s,
        rg,
        "d",
        template(json!([{
            "type": "Microsoft.Network/virtualNetworks",
            "apiVersion": "2024-05-01",
            "name": "v",
            "location": LOC,
            "properties": {
                "addressSpace": {"addressPrefixes": SPACE},
                "subnets": [{"name": "s", "properties": {"addressPrefixes": [V4, V6]}}]
            }
        }])),
    )
    .await;
    assert_eq!(op["status"], "Succeeded", "{op}");
    assert_eq!(subnet_state(s, rg).await.0, vec![V4, V6]);
    assert_still_held(s, rg, "n3", "10.0.0.6").await;
}

on_sqlite_and_postgres!(
    ipv6_added_by_subnet_put_keeps_ipv4_addresses[],
    ipv6_added_by_vnet_put_keeps_ipv4_addresses[],
    an_in_use_ipv4_prefix_cannot_change_or_go[],
    an_unused_ipv6_prefix_can_go_while_ipv4_is_in_use[],
    an_ipv6_prefix_in_use_cannot_go[],
    an_emptied_subnet_can_change_and_starts_afresh[],
    a_template_adding_ipv6_keeps_ipv4_addresses[],
);
