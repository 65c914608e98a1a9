//! Virtual networks and subnets, and the addresses handed out in them: the VNet lifecycle
//! (PUT, re-PUT, case-insensitive paths, lists, PATCH of tags, subnets on their own, DELETE
//! polled to Succeeded) and the IPAM rules (a full subnet, reserved and freed addresses,
//! static and dynamic allocation, a configuration changing subnet, malformed addresses and
//! IPv6 in dual-stack subnets).

use super::*;

pub(super) async fn vnet_lifecycle(s: &Server) {
    group(s, "net").await;
    let id = rid("net", "virtualNetworks", "vnet1");
    let sub_web = subnet_id("net", "vnet1", "web");
    let mut body = vnet_body(
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("app", &["10.0.2.0/24"])],
    );
    body["tags"] = json!({"env": "test"});
    // Read-only properties in the body are ignored.
    body["properties"]["provisioningState"] = json!("Failed");
    body["properties"]["resourceGuid"] = json!("not-a-guid");
    body["properties"]["subnets"][0]["properties"]["ipConfigurations"] =
        json!([{"id": config_id("net", "ghost", "ipconfig1")}]);
    body["properties"]["subnets"][0]["properties"]["provisioningState"] = json!("Deleting");
    let created = put_checked(s, &id, body.clone(), StatusCode::CREATED).await;
    assert_eq!(created["id"], id);
    assert_eq!(created["name"], "vnet1");
    assert_eq!(created["type"], "Microsoft.Network/virtualNetworks");
    assert_eq!(created["location"], LOC);
    assert_eq!(created["tags"], json!({"env": "test"}));
    let props = &created["properties"];
    assert_eq!(props["provisioningState"], "Succeeded");
    let guid = props["resourceGuid"].as_str().unwrap().to_string();
    assert_ne!(guid, "not-a-guid");
    assert_eq!(guid.len(), 36, "{guid}");
    assert_eq!(
        props["addressSpace"]["addressPrefixes"],
        json!(["10.0.0.0/16"])
    );
    let subnets = props["subnets"].as_array().unwrap();
    assert_eq!(subnets.len(), 2);
    assert_eq!(subnets[0]["id"], sub_web);
    assert_eq!(subnets[0]["name"], "web");
    assert_eq!(
        subnets[0]["type"],
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert_eq!(subnets[0]["properties"]["addressPrefix"], "10.0.1.0/24");
    assert_eq!(subnets[0]["properties"]["provisioningState"], "Succeeded");
    assert!(
        subnets[0]["properties"].get("ipConfigurations").is_none(),
        "{}",
        subnets[0]
    );
    assert!(subnets[0]["etag"].as_str().is_some());

    // The same PUT again: 200, same resource guid.
    let again = put_checked(s, &id, body, StatusCode::OK).await;
    assert_eq!(again["properties"]["resourceGuid"], guid.as_str());

    let (st, got) = s.get(&at(&id)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["properties"]["subnets"].as_array().unwrap().len(), 2);
    assert_eq!(got["etag"], again["etag"]);
    // Paths are case-insensitive.
    let (st, _) = s
        .get(&at(&id.to_uppercase().replace("VNET1", "Vnet1")))
        .await;
    assert_eq!(st, StatusCode::OK);

    // Lists by group and by subscription.
    vnet(s, "net", "vnet2", &["10.1.0.0/16"], &[]).await;
    group(s, "other").await;
    vnet(s, "other", "vnet3", &["10.2.0.0/16"], &[]).await;
    let (st, list) = s.get(&list_path(Some("net"), "virtualNetworks")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["vnet1", "vnet2"]);
    let (st, list) = s.get(&list_path(None, "virtualNetworks")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["vnet1", "vnet2", "vnet3"]);

    // PATCH replaces the tags only.
    let (st, _, patched) = s
        .call(
            Method::PATCH,
            &at(&id),
            Some(json!({"tags": {"owner": "me"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{patched}");
    assert_eq!(patched["tags"], json!({"owner": "me"}));
    assert_eq!(
        patched["properties"]["subnets"].as_array().unwrap().len(),
        2
    );
    assert_eq!(patched["properties"]["resourceGuid"], guid.as_str());

    // Subnets on their own.
    let db = subnet_id("net", "vnet1", "db");
    let sn = put_checked(
        s,
        &db,
        json!({"properties": {"addressPrefix": "10.0.3.0/24", "provisioningState": "Failed"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sn["id"], db);
    assert_eq!(sn["name"], "db");
    assert_eq!(sn["properties"]["addressPrefix"], "10.0.3.0/24");
    assert_eq!(sn["properties"]["provisioningState"], "Succeeded");
    put_checked(
        s,
        &db,
        json!({"properties": {"addressPrefix": "10.0.3.0/24"}}),
        StatusCode::OK,
    )
    .await;
    let (st, got) = s.get(&at(&db)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["properties"]["addressPrefix"], "10.0.3.0/24");
    let (st, list) = s.get(&at(&format!("{id}/subnets"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["web", "app", "db"]);
    delete_ok(s, &db).await;
    let (st, body) = s.get(&at(&db)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, body) = delete(s, &db).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (st, list) = s.get(&at(&format!("{id}/subnets"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["web", "app"]);

    // DELETE: 202 polled to Succeeded, then 404, then 204.
    delete_ok(s, &id).await;
    let (st, body) = s.get(&at(&id)).await;
    let msg = assert_error(st, &body, 404, "ResourceNotFound");
    assert_contains(
        &msg,
        "The Resource 'Microsoft.Network/virtualNetworks/vnet1' under resource group 'net' was not found.",
    );
    let (st, _, body) = delete(s, &id).await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    assert!(body.is_null());
    // A resource in a group that does not exist.
    let (st, body) = s.get(&at(&rid("nogroup", "virtualNetworks", "v"))).await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
    let (st, body) = s
        .put(
            &at(&rid("nogroup", "virtualNetworks", "v")),
            vnet_body(&["10.0.0.0/16"], &[]),
        )
        .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

pub(super) async fn ipam_rules(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[
            ("tiny", &["10.0.0.0/29"]),
            ("web", &["10.0.1.0/24"]),
            ("other", &["10.0.2.0/24"]),
        ],
    )
    .await;
    let tiny = subnet_id("rg", "v", "tiny");
    let web = subnet_id("rg", "v", "web");
    let other = subnet_id("rg", "v", "other");

    // A /29 holds exactly three.
    for (n, want) in [("t1", "10.0.0.4"), ("t2", "10.0.0.5"), ("t3", "10.0.0.6")] {
        assert_eq!(dynamic_nic(s, "rg", n, &tiny).await, want);
    }
    let (st, body) = put_nic(s, "rg", "t4", vec![ipc("ipconfig1", &tiny)]).await;
    let msg = assert_error(st, &body, 400, "SubnetIsFull");
    assert_contains(&msg, "tiny");
    assert_contains(
        &msg,
        " with address prefix 10.0.0.0/29 does not have enough capacity for 1 IP addresses.",
    );
    // Nothing was written by the refused request.
    let (st, body) = s.get(&at(&nic_id("rg", "t4"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // Freed addresses come back lowest first.
    delete_ok(s, &nic_id("rg", "t3")).await;
    delete_ok(s, &nic_id("rg", "t1")).await;
    assert_eq!(dynamic_nic(s, "rg", "t5", &tiny).await, "10.0.0.4");
    assert_eq!(dynamic_nic(s, "rg", "t6", &tiny).await, "10.0.0.6");
    let (st, body) = put_nic(s, "rg", "t7", vec![ipc("ipconfig1", &tiny)]).await;
    assert_error(st, &body, 400, "SubnetIsFull");

    let static_nic = |name: &'static str, subnet: String, ip: &'static str| async move {
        put_nic(
            s,
            "rg",
            name,
            vec![ipc_with(
                "ipconfig1",
                &subnet,
                json!({"privateIPAllocationMethod": "Static", "privateIPAddress": ip}),
            )],
        )
        .await
    };
    // Reserved: network, .1 to .3, broadcast.
    for ip in ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"] {
        let (st, body) = static_nic("reserved", web.clone(), ip).await;
        let msg = assert_error(st, &body, 400, "PrivateIPAddressInReservedRange");
        assert_eq!(
            msg,
            format!("Private static IP address {ip} falls within reserved IP range of subnet prefix 10.0.1.0/24.")
        );
    }
    // Outside the subnet.
    let (st, body) = static_nic("outside", web.clone(), "10.0.2.10").await;
    let msg = assert_error(st, &body, 400, "PrivateIPAddressNotInSubnet");
    assert_eq!(
        msg,
        "Private static IP address 10.0.2.10 does not belong to the range of subnet prefix 10.0.1.0/24."
    );
    // Taken: both configurations named.
    let (st, body) = static_nic("holder", web.clone(), "10.0.1.50").await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = static_nic("claimant", web.clone(), "10.0.1.50").await;
    let msg = assert_error(st, &body, 400, "PrivateIPAddressInUse");
    assert_eq!(
        msg,
        format!(
            "IP configuration {} is using the same private IP address 10.0.1.50 as IP configuration {}.",
            config_id("rg", "claimant", "ipconfig1"),
            config_id("rg", "holder", "ipconfig1")
        )
    );
    // Two configurations of one request claiming one address.
    let (st, body) = put_nic(
        s,
        "rg",
        "twice",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "privateIPAddress": "10.0.1.60"}),
            ),
            ipc_with("b", &web, json!({"privateIPAddress": "10.0.1.60"})),
        ],
    )
    .await;
    assert_error(st, &body, 400, "PrivateIPAddressInUse");
    // Static without an address on a new configuration.
    let (st, body) = put_nic(
        s,
        "rg",
        "noaddr",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static"}),
        )],
    )
    .await;
    assert_error(
        st,
        &body,
        400,
        "PrivateIPAddressRequiredForStaticAllocation",
    );

    // Dynamic → Static keeps the address (named, or not named).
    let addr = dynamic_nic(s, "rg", "flip", &web).await;
    assert_eq!(addr, "10.0.1.4");
    let (st, body) = put_nic(
        s,
        "rg",
        "flip",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static", "privateIPAddress": addr}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.4");
    let c = &body["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(c["privateIPAllocationMethod"], "Static");
    let (st, body) = put_nic(s, "rg", "flip2", vec![ipc("ipconfig1", &web)]).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(private_ip(&body, 0), "10.0.1.5");
    let (st, body) = put_nic(
        s,
        "rg",
        "flip2",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static"}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.5");
    // A static config moving to another static address frees the old one.
    let (st, body) = put_nic(
        s,
        "rg",
        "flip2",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAddress": "10.0.1.70"}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.70");
    assert_eq!(dynamic_nic(s, "rg", "after-flip", &web).await, "10.0.1.5");

    // Changing subnet releases the old address and allocates in the new subnet.
    let (st, body) = put_nic(s, "rg", "mover", vec![ipc("ipconfig1", &web)]).await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(private_ip(&body, 0), "10.0.1.6");
    let (st, body) = put_nic(s, "rg", "mover", vec![ipc("ipconfig1", &other)]).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.2.4");
    assert_eq!(dynamic_nic(s, "rg", "reuse", &web).await, "10.0.1.6");
    let (_, sn) = s.get(&at(&web)).await;
    assert!(
        !ids(&sn["properties"]["ipConfigurations"]).contains(&config_id(
            "rg",
            "mover",
            "ipconfig1"
        )),
        "{sn}"
    );

    // Malformed private addresses.
    for bad in ["10.0.1.999", "banana", "10.0.1"] {
        let (st, body) = static_nic("badip", web.clone(), bad).await;
        let msg = assert_error(st, &body, 400, "InvalidPrivateIPAddress");
        assert_contains(&msg, bad);
    }

    // IPv6: a dual-stack subnet; an IPv6 secondary gets an address from the /64.
    vnet(
        s,
        "rg",
        "dual",
        &["10.10.0.0/16", "fd00:db8::/48"],
        &[("ds", &["10.10.1.0/24", "fd00:db8:0:1::/64"])],
    )
    .await;
    let ds = subnet_id("rg", "dual", "ds");
    let (_, sn) = s.get(&at(&ds)).await;
    assert_eq!(
        sn["properties"]["addressPrefixes"],
        json!(["10.10.1.0/24", "fd00:db8:0:1::/64"])
    );
    let (st, body) = put_nic(
        s,
        "rg",
        "v6nic",
        vec![
            ipc_with("v4", &ds, json!({"primary": true})),
            ipc_with("v6", &ds, json!({"privateIPAddressVersion": "IPv6"})),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(private_ip(&body, 0), "10.10.1.4");
    let v6 = private_ip(&body, 1);
    assert!(in_prefix(&v6, "fd00:db8:0:1::/64"), "{v6}");
    assert_eq!(v6, "fd00:db8:0:1::4");
    assert_eq!(
        body["properties"]["ipConfigurations"][1]["properties"]["privateIPAddressVersion"],
        "IPv6"
    );
    // A static IPv6 address; IPv4 and IPv6 offsets of one subnet are independent (the
    // IPv4 .5 and the IPv6 ::5 are different addresses).
    let (st, body) = put_nic(
        s,
        "rg",
        "v6static",
        vec![
            ipc_with("v4", &ds, json!({"primary": true})),
            ipc_with("v6", &ds, json!({"privateIPAddress": "fd00:db8:0:1::5"})),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(private_ip(&body, 0), "10.10.1.5");
    assert_eq!(private_ip(&body, 1), "fd00:db8:0:1::5");
    let (st, body) = put_nic(
        s,
        "rg",
        "v6taken",
        vec![
            ipc_with("v4", &ds, json!({"primary": true})),
            ipc_with("v6", &ds, json!({"privateIPAddress": "fd00:db8:0:1::5"})),
        ],
    )
    .await;
    let msg = assert_error(st, &body, 400, "PrivateIPAddressInUse");
    assert_contains(&msg, &config_id("rg", "v6static", "v6"));
    // The subnet's users are its address holders of both versions, in id order.
    let (_, sn) = s.get(&at(&ds)).await;
    assert_eq!(
        ids(&sn["properties"]["ipConfigurations"]),
        [
            config_id("rg", "v6nic", "v4"),
            config_id("rg", "v6nic", "v6"),
            config_id("rg", "v6static", "v4"),
            config_id("rg", "v6static", "v6"),
        ]
    );
    // IPv6 in an IPv4-only subnet.
    let (st, body) = put_nic(
        s,
        "rg",
        "v6bad",
        vec![
            ipc_with("v4", &web, json!({"primary": true})),
            ipc_with("v6", &web, json!({"privateIPAddressVersion": "IPv6"})),
        ],
    )
    .await;
    assert_error(st, &body, 400, "SubnetHasNoAddressPrefixForIpVersion");
}

/// `CheckIPAddressAvailability`: a free address is available; a taken or reserved one is not,
/// with up to five free ones after it (Azure's example: 10.0.1.4 taken, 10.0.1.5–9 offered),
/// running on into the next subnets; an address between subnets gets the next subnets'
/// (what `az network vnet list-available-ips` asks about); bad questions are 400.
pub(super) async fn ip_availability(s: &Server) {
    let rg = "avail";
    group(s, rg).await;
    vnet(
        s,
        rg,
        "v",
        &["10.0.0.0/16"],
        &[("a", &["10.0.1.0/29"]), ("b", &["10.0.2.0/24"])],
    )
    .await;
    let check = |ip: &str| {
        let vnet = rid(rg, "virtualNetworks", "v");
        format!("{vnet}/CheckIPAddressAvailability?ipAddress={ip}&{API}")
    };
    let ask = |ip: &'static str| {
        let path = check(ip);
        async move {
            let (st, body) = s.get(&path).await;
            assert_eq!(st, StatusCode::OK, "{ip}: {body}");
            body
        }
    };
    assert_eq!(ask("10.0.1.4").await, json!({"available": true}));
    // A /29 has three usable addresses, .4 to .6.
    assert_eq!(
        dynamic_nic(s, rg, "n1", &subnet_id(rg, "v", "a")).await,
        "10.0.1.4"
    );
    let taken = ask("10.0.1.4").await;
    assert_eq!(
        taken,
        json!({"available": false, "availableIPAddresses":
            ["10.0.1.5", "10.0.1.6", "10.0.2.4", "10.0.2.5", "10.0.2.6"]})
    );
    for reserved in ["10.0.1.0", "10.0.1.3", "10.0.1.7", "10.0.2.255"] {
        assert_eq!(ask(reserved).await["available"], false, "{reserved}");
    }
    assert_eq!(
        ask("10.0.2.1").await["availableIPAddresses"],
        json!(["10.0.2.4", "10.0.2.5", "10.0.2.6", "10.0.2.7", "10.0.2.8"])
    );
    // The network's first address lies in no subnet: the subnets after it answer.
    assert_eq!(
        ask("10.0.0.0").await["availableIPAddresses"],
        json!(["10.0.1.5", "10.0.1.6", "10.0.2.4", "10.0.2.5", "10.0.2.6"])
    );
    // Case and spelling of the path and parameter as clients send them.
    let (st, body) = s
        .get(&format!(
            "{}/checkipaddressavailability?ipaddress=10.0.1.5&{API}",
            rid(rg, "virtualNetworks", "v")
        ))
        .await;
    assert_eq!((st, body), (StatusCode::OK, json!({"available": true})));
    for (bad, part) in [
        ("10.1.0.4", "not in the address space"),
        ("10.0.1", "is not a valid IP address"),
        ("", "is not a valid IP address"),
    ] {
        let (st, body) = s.get(&check(bad)).await;
        let msg = assert_error(st, &body, 400, "InvalidParameter");
        assert_contains(&msg, part);
    }
    let (st, body) = s
        .get(&format!(
            "{}/CheckIPAddressAvailability?{API}",
            rid(rg, "virtualNetworks", "v")
        ))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "'ipAddress' is required");
    let (st, body) = s
        .get(&format!(
            "{}/CheckIPAddressAvailability?ipAddress=10.0.0.4&{API}",
            rid(rg, "virtualNetworks", "absent")
        ))
        .await;
    assert_error(st, &body, 404, "ResourceNotFound");
}
