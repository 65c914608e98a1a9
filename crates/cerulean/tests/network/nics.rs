//! Network interfaces and their IP configurations: the NIC lifecycle (addresses kept on
//! re-PUT, several configurations, `ipConfigurations` on their own, the subnet listing its
//! users, PATCH, DELETE freeing the address) and the NIC rules (exactly one primary, unique
//! names, at most 250 configurations by default or 256 with `--max-ip-configs-per-nic`, an
//! IPv4 primary, one virtual network, references that must exist, be of the right type and
//! lie in the NIC's region).

use super::*;
use std::collections::HashSet;

pub(super) async fn nic_lifecycle(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let id1 = nic_id("rg", "nic1");
    let mut body = nic_body(vec![ipc("ipconfig1", &web)]);
    body["tags"] = json!({"role": "web"});
    body["properties"]["provisioningState"] = json!("Failed");
    body["properties"]["resourceGuid"] = json!("mine");
    let nic = put_checked(s, &id1, body.clone(), StatusCode::CREATED).await;
    assert_eq!(nic["id"], id1);
    assert_eq!(nic["type"], "Microsoft.Network/networkInterfaces");
    assert_eq!(nic["location"], LOC);
    assert_eq!(nic["tags"], json!({"role": "web"}));
    assert_eq!(nic["properties"]["provisioningState"], "Succeeded");
    assert_ne!(nic["properties"]["resourceGuid"], "mine");
    let c = &nic["properties"]["ipConfigurations"][0];
    assert_eq!(c["id"], config_id("rg", "nic1", "ipconfig1"));
    assert_eq!(
        c["type"],
        "Microsoft.Network/networkInterfaces/ipConfigurations"
    );
    assert_eq!(c["properties"]["privateIPAddress"], "10.0.1.4");
    assert_eq!(c["properties"]["privateIPAllocationMethod"], "Dynamic");
    assert_eq!(c["properties"]["privateIPAddressVersion"], "IPv4");
    assert_eq!(c["properties"]["primary"], true);
    assert_eq!(c["properties"]["subnet"]["id"], web);
    // The same PUT keeps the address.
    let again = put_checked(s, &id1, body, StatusCode::OK).await;
    assert_eq!(private_ip(&again, 0), "10.0.1.4");
    assert_eq!(
        again["properties"]["resourceGuid"],
        nic["properties"]["resourceGuid"]
    );

    assert_eq!(dynamic_nic(s, "rg", "nic2", &web).await, "10.0.1.5");
    let (st, n3) = put_nic(
        s,
        "rg",
        "nic3",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"privateIPAllocationMethod": "Static", "privateIPAddress": "10.0.1.10"}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n3}");
    assert_eq!(private_ip(&n3, 0), "10.0.1.10");
    assert_eq!(
        n3["properties"]["ipConfigurations"][0]["properties"]["privateIPAllocationMethod"],
        "Static"
    );
    // Two configurations, the second one primary; dynamic ones skip the static .10.
    let (st, n4) = put_nic(
        s,
        "rg",
        "nic4",
        vec![
            ipc("first", &web),
            ipc_with("second", &web, json!({"primary": true})),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n4}");
    assert_eq!(private_ip(&n4, 0), "10.0.1.6");
    assert_eq!(private_ip(&n4, 1), "10.0.1.7");
    assert_eq!(
        n4["properties"]["ipConfigurations"][0]["properties"]["primary"],
        false
    );
    assert_eq!(
        n4["properties"]["ipConfigurations"][1]["properties"]["primary"],
        true
    );

    // ipConfigurations on their own.
    let (st, list) = s
        .get(&at(&format!("{}/ipConfigurations", nic_id("rg", "nic4"))))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["first", "second"]);
    let (st, one) = s.get(&at(&config_id("rg", "nic4", "SECOND"))).await;
    assert_eq!(st, StatusCode::OK, "{one}");
    assert_eq!(one["name"], "second");
    assert_eq!(one["id"], config_id("rg", "nic4", "second"));
    assert_eq!(one["properties"]["privateIPAddress"], "10.0.1.7");
    let (st, body) = s.get(&at(&config_id("rg", "nic4", "third"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");

    // The subnet lists every configuration in it.
    let (st, sn) = s.get(&at(&web)).await;
    assert_eq!(st, StatusCode::OK);
    let mut users = ids(&sn["properties"]["ipConfigurations"]);
    users.sort();
    let mut want = vec![
        config_id("rg", "nic1", "ipconfig1"),
        config_id("rg", "nic2", "ipconfig1"),
        config_id("rg", "nic3", "ipconfig1"),
        config_id("rg", "nic4", "first"),
        config_id("rg", "nic4", "second"),
    ];
    want.sort();
    assert_eq!(users, want);

    // Lists.
    group(s, "rg2").await;
    let (st, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["nic1", "nic2", "nic3", "nic4"]);
    let (st, list) = s.get(&list_path(Some("rg2"), "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(names(&list).is_empty());
    let (st, list) = s.get(&list_path(None, "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list).len(), 4);

    // PATCH tags keeps the configurations.
    let (st, _, patched) = s
        .call(Method::PATCH, &at(&id1), Some(json!({"tags": {"a": "b"}})))
        .await;
    assert_eq!(st, StatusCode::OK, "{patched}");
    assert_eq!(patched["tags"], json!({"a": "b"}));
    assert_eq!(private_ip(&patched, 0), "10.0.1.4");

    // DELETE, 404, 204; the address is free again, lowest first.
    delete_ok(s, &id1).await;
    let (st, body) = s.get(&at(&id1)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = delete(s, &id1).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(dynamic_nic(s, "rg", "nic5", &web).await, "10.0.1.4");
    assert_eq!(dynamic_nic(s, "rg", "nic6", &web).await, "10.0.1.8");
}

pub(super) async fn nic_rules(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    vnet(
        s,
        "rg",
        "big",
        &["10.5.0.0/16"],
        &[("all", &["10.5.0.0/16"])],
    )
    .await;
    vnet(s, "rg", "w", &["10.1.0.0/16"], &[("x", &["10.1.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let all = subnet_id("rg", "big", "all");
    let x = subnet_id("rg", "w", "x");
    let nic = nic_id("rg", "n");

    // No configuration at all.
    let (st, body) = put_nic(s, "rg", "n", vec![]).await;
    assert_error(
        st,
        &body,
        400,
        "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
    );
    // Several, none primary.
    let (st, body) = put_nic(s, "rg", "n", vec![ipc("a", &web), ipc("b", &web)]).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary",
    );
    assert_eq!(
        msg,
        format!("Network Interface {nic} specifies multiple IPConfigurations but none of the IPConfigurations is specified as Primary.")
    );
    // Two primaries.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc_with("b", &web, json!({"primary": true})),
        ],
    )
    .await;
    let msg = assert_error(
        st,
        &body,
        400,
        "NetworkInterfaceMustHaveOneOneIPConfigAsPrimary",
    );
    assert_contains(&msg, "multiple IPConfigurations specified as Primary");
    // A lone configuration is primary whatever it says.
    let (st, body) = put_nic(
        s,
        "rg",
        "lone",
        vec![ipc_with("only", &web, json!({"primary": false}))],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["ipConfigurations"][0]["properties"]["primary"],
        true
    );
    // Duplicate names (ARM compares names case-insensitively).
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc("A", &web),
        ],
    )
    .await;
    let msg = assert_error(st, &body, 400, "DuplicateResourceName");
    assert_contains(&msg, "two child resources with the same name (A)");

    // The primary cannot be removed while others remain.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc("b", &web),
            ipc("c", &web),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("b", &web, json!({"primary": true})),
            ipc("c", &web),
        ],
    )
    .await;
    let msg = assert_error(st, &body, 400, "IpConfigDeleteNotSupported");
    assert_eq!(
        msg,
        "IP Configuration a cannot be deleted. Deletion and renaming of primary IP Configuration is not supported"
    );
    // Removing a secondary is fine and frees its address.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, json!({"primary": true})),
            ipc("c", &web),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let freed = "10.0.1.6"; // lone .4, a .5, b .6, c .7
    assert_eq!(private_ip(&body, 1), "10.0.1.7");
    assert_eq!(dynamic_nic(s, "rg", "gets-freed", &web).await, freed);

    // At most 250 configurations by default: 250 fit, 251 are refused naming the limit.
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| {
                if i == 0 {
                    ipc_with("c0", &all, json!({"primary": true}))
                } else {
                    ipc(&format!("c{i}"), &all)
                }
            })
            .collect()
    };
    let (st, body) = put_nic(s, "rg", "wide", many(251)).await;
    let msg = assert_error(st, &body, 400, "IpConfigurationsPerNicLimitReached");
    assert_contains(&msg, "cannot have more than 250 IP configurations");
    let (st, body) = put_nic(s, "rg", "wide", many(250)).await;
    assert_eq!(st, StatusCode::CREATED, "{}", body["error"]);
    let addrs: HashSet<String> = (0..250).map(|i| private_ip(&body, i)).collect();
    assert_eq!(addrs.len(), 250);

    // The primary must be IPv4.
    vnet(
        s,
        "rg",
        "dual",
        &["10.10.0.0/16", "fd00:db8::/48"],
        &[("ds", &["10.10.1.0/24", "fd00:db8:0:1::/64"])],
    )
    .await;
    let ds = subnet_id("rg", "dual", "ds");
    let (st, body) = put_nic(
        s,
        "rg",
        "v6",
        vec![ipc_with(
            "ipconfig1",
            &ds,
            json!({"privateIPAddressVersion": "IPv6"}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "PrimaryIPConfigurationMustBeIPv4");
    assert_contains(&msg, "must be of IPv4 version");

    // All configurations in one virtual network.
    let (st, body) = put_nic(
        s,
        "rg",
        "split",
        vec![ipc_with("a", &web, json!({"primary": true})), ipc("b", &x)],
    )
    .await;
    let msg = assert_error(st, &body, 400, "IpConfigurationsOfNicInDifferentVnets");
    assert_contains(&msg, "cannot belong to different virtual networks");

    // A subnet that does not exist.
    let ghost = subnet_id("rg", "v", "ghost");
    let (st, body) = put_nic(s, "rg", "lost", vec![ipc("ipconfig1", &ghost)]).await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(
        msg,
        format!(
            "Resource {ghost} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
            config_id("rg", "lost", "ipconfig1")
        )
    );
    assert_eq!(body["error"]["details"][0]["code"], "NotFound", "{body}");
    let missing_vnet = subnet_id("rg", "nowhere", "web");
    let (st, body) = put_nic(s, "rg", "lost", vec![ipc("ipconfig1", &missing_vnet)]).await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(body["error"]["details"][0]["code"], "NotFound");
    // A reference of the wrong type, or not an id at all.
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc("ipconfig1", &pip_id("rg", "some-ip"))],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestFormat");
    assert_eq!(msg, "Cannot parse the request.");
    assert_eq!(
        body["error"]["details"][0]["code"], "InvalidJsonReferenceFormat",
        "{body}"
    );
    assert_contains(
        body["error"]["details"][0]["message"].as_str().unwrap(),
        "The Id is expected to reference resources of type virtualNetworks/subnets.",
    );
    let (st, body) = put_nic(s, "rg", "wrong", vec![ipc("ipconfig1", "not-an-id")]).await;
    assert_error(st, &body, 400, "LinkedInvalidPropertyId");
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": web}}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidRequestFormat");
    // A missing public IP.
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": pip_id("rg", "absent")}}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(body["error"]["details"][0]["code"], "NotFound");
    // No subnet at all.
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![json!({"name": "ipconfig1", "properties": {}})],
    )
    .await;
    let msg = assert_error(st, &body, 400, "SubnetReferenceRequired");
    assert_contains(&msg, "Subnet reference is required for ipconfiguration");
    // A subnet in another region.
    let (st, body) = s
        .put(
            &at(&rid("rg", "virtualNetworks", "far")),
            json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
                "subnets": [{"name": "s", "properties": {"addressPrefix": "10.9.0.0/24"}}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(
        s,
        "rg",
        "wrong",
        vec![ipc("ipconfig1", &subnet_id("rg", "far", "s"))],
    )
    .await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    // None of the refused NICs exist.
    for n in ["n2", "split", "lost", "wrong", "v6"] {
        let (st, _) = s.get(&at(&nic_id("rg", n))).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{n}");
    }
}

pub(super) async fn max_ip_configs_256(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "big",
        &["10.5.0.0/16"],
        &[("all", &["10.5.0.0/16"])],
    )
    .await;
    let all = subnet_id("rg", "big", "all");
    let many = |n: usize| -> Vec<Value> {
        (0..n)
            .map(|i| ipc_with(&format!("c{i}"), &all, json!({"primary": i == 0})))
            .collect()
    };
    let (st, body) = put_nic(s, "rg", "wide", many(257)).await;
    let msg = assert_error(st, &body, 400, "IpConfigurationsPerNicLimitReached");
    assert_contains(&msg, "more than 256 IP configurations; the request has 257");
    let (st, body) = put_nic(s, "rg", "wide", many(256)).await;
    assert_eq!(st, StatusCode::CREATED, "{}", body["error"]);
    assert_eq!(
        body["properties"]["ipConfigurations"]
            .as_array()
            .unwrap()
            .len(),
        256
    );
    assert_eq!(private_ip(&body, 255), "10.5.1.3");
    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let u = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"]["value"] == "SecondaryIPConfigurationsPerNetworkInterface")
        .unwrap()
        .clone();
    assert_eq!(u["limit"], 255);
}
