//! Load balancers and what links resources together: the LB lifecycle (public and internal
//! frontends, backend pools, NICs joining a pool, what cannot be deleted while it has
//! members or users) and the in-use rules across resources (a used subnet or VNet cannot go,
//! a pool in another region or that does not exist is refused), ending with a group delete
//! that removes everything and gives every address back.

use super::*;

pub(super) async fn load_balancer_lifecycle(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("lbs", &["10.0.2.0/24"])],
    )
    .await;
    let web = subnet_id("rg", "v", "web");
    let lbs = subnet_id("rg", "v", "lbs");

    // Public frontend (Basic LB and Basic public IP).
    let pip = pip_id("rg", "lbpip");
    put_checked(
        s,
        &pip,
        json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Static"}}),
        StatusCode::CREATED,
    )
    .await;
    let public = lb_id("rg", "public");
    let lb = put_checked(
        s,
        &public,
        json!({
            "location": LOC,
            "sku": {"name": "Basic"},
            "properties": {
                "provisioningState": "Failed",
                "frontendIPConfigurations": [
                    {"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}
                ],
                "backendAddressPools": [{"name": "pool1"}]
            }
        }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(lb["type"], "Microsoft.Network/loadBalancers");
    assert_eq!(lb["properties"]["provisioningState"], "Succeeded");
    let fe = &lb["properties"]["frontendIPConfigurations"][0];
    let fe_id = format!("{public}/frontendIPConfigurations/fe");
    assert_eq!(fe["id"], fe_id);
    assert_eq!(fe["properties"]["publicIPAddress"]["id"], pip);
    let pool1 = format!("{public}/backendAddressPools/pool1");
    assert_eq!(lb["properties"]["backendAddressPools"][0]["id"], pool1);
    let (_, got) = s.get(&at(&pip)).await;
    assert_eq!(got["properties"]["ipConfiguration"]["id"], fe_id);
    // The public IP cannot go while the frontend uses it.
    let (st, _, body) = delete(s, &pip).await;
    assert_error(st, &body, 400, "PublicIPAddressCannotBeDeleted");

    // Internal frontend: a private address from its subnet.
    let internal = lb_id("rg", "internal");
    let ilb = put_checked(
        s,
        &internal,
        json!({
            "location": LOC,
            "properties": {
                "frontendIPConfigurations": [
                    {"name": "fe", "properties": {"subnet": {"id": lbs}}}
                ],
                "backendAddressPools": [{"name": "ipool"}]
            }
        }),
        StatusCode::CREATED,
    )
    .await;
    let ife = &ilb["properties"]["frontendIPConfigurations"][0]["properties"];
    assert_eq!(ife["privateIPAddress"], "10.0.2.4");
    assert_eq!(ife["privateIPAllocationMethod"], "Dynamic");
    assert_eq!(ife["subnet"]["id"], lbs);
    // The frontend holds its address: the next NIC in that subnet gets .5.
    assert_eq!(dynamic_nic(s, "rg", "lbsnic", &lbs).await, "10.0.2.5");
    // The subnet lists the frontend as a user.
    let (_, sn) = s.get(&at(&lbs)).await;
    assert!(
        ids(&sn["properties"]["ipConfigurations"])
            .contains(&format!("{internal}/frontendIPConfigurations/fe")),
        "{sn}"
    );

    // Pools on their own.
    let (st, list) = s.get(&at(&format!("{public}/backendAddressPools"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["pool1"]);
    let pool2 = format!("{public}/backendAddressPools/pool2");
    let p2 = put_checked(s, &pool2, json!({"properties": {}}), StatusCode::CREATED).await;
    assert_eq!(p2["id"], pool2);
    assert_eq!(
        p2["type"],
        "Microsoft.Network/loadBalancers/backendAddressPools"
    );
    put_checked(s, &pool2, json!({"name": "pool2"}), StatusCode::OK).await;
    let (st, got) = s.get(&at(&pool2)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["name"], "pool2");
    let (st, list) = s.get(&at(&format!("{public}/backendAddressPools"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), ["pool1", "pool2"]);
    delete_ok(s, &pool2).await;
    let (st, body) = s.get(&at(&pool2)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = delete(s, &pool2).await;
    assert_eq!(st, StatusCode::NO_CONTENT);

    // A NIC whose secondary configuration joins pool1.
    let (st, n) = put_nic(
        s,
        "rg",
        "member",
        vec![
            ipc_with("primary", &web, json!({"primary": true})),
            ipc_with(
                "secondary",
                &web,
                json!({"loadBalancerBackendAddressPools": [{"id": pool1}]}),
            ),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    assert_eq!(
        ids(&n["properties"]["ipConfigurations"][1]["properties"]
            ["loadBalancerBackendAddressPools"]),
        vec![pool1.clone()]
    );
    let secondary = config_id("rg", "member", "secondary");
    let (_, p1) = s.get(&at(&pool1)).await;
    assert_eq!(
        ids(&p1["properties"]["backendIPConfigurations"]),
        vec![secondary.clone()]
    );
    let (_, got) = s.get(&at(&public)).await;
    assert_eq!(
        ids(&got["properties"]["backendAddressPools"][0]["properties"]["backendIPConfigurations"]),
        vec![secondary.clone()]
    );

    // A pool or LB with members cannot be deleted, nor the pool dropped by a PUT.
    let (st, _, body) = delete(s, &pool1).await;
    let msg = assert_error(st, &body, 400, "LoadBalancerBackendAddressPoolInUse");
    assert_contains(&msg, &secondary);
    let (st, _, body) = delete(s, &public).await;
    assert_error(st, &body, 400, "LoadBalancerBackendAddressPoolInUse");
    let (st, body) = s
        .put(
            &at(&public),
            json!({"location": LOC, "properties": {"frontendIPConfigurations": [
                {"name": "fe", "properties": {"publicIPAddress": {"id": pip}}}
            ]}}),
        )
        .await;
    assert_error(st, &body, 400, "LoadBalancerBackendAddressPoolInUse");

    // Lists and tags.
    let (st, list) = s.get(&list_path(Some("rg"), "loadBalancers")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["internal", "public"]);
    let (st, list) = s.get(&list_path(None, "loadBalancers")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list).len(), 2);
    let (st, _, patched) = s
        .call(
            Method::PATCH,
            &at(&public),
            Some(json!({"tags": {"x": "y"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(patched["tags"], json!({"x": "y"}));

    // Leave the pool; then pool and LB can go, and the public IP is free.
    let (st, _) = put_nic(s, "rg", "member", vec![ipc("primary", &web)]).await;
    assert_eq!(st, StatusCode::OK);
    let (_, p1) = s.get(&at(&pool1)).await;
    assert!(
        p1["properties"].get("backendIPConfigurations").is_none(),
        "{p1}"
    );
    delete_ok(s, &pool1).await;
    delete_ok(s, &public).await;
    let (st, body) = s.get(&at(&public)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (_, got) = s.get(&at(&pip)).await;
    assert!(got["properties"].get("ipConfiguration").is_none(), "{got}");
    delete_ok(s, &pip).await;
    // Deleting the internal LB gives its frontend address back.
    delete_ok(s, &internal).await;
    let (st, _, _) = delete(s, &internal).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(dynamic_nic(s, "rg", "lbsnic2", &lbs).await, "10.0.2.4");
}

pub(super) async fn in_use_and_group_delete(s: &Server) {
    group(s, "rg").await;
    vnet(
        s,
        "rg",
        "v",
        &["10.0.0.0/16"],
        &[("web", &["10.0.1.0/24"]), ("spare", &["10.0.2.0/24"])],
    )
    .await;
    let web = subnet_id("rg", "v", "web");
    let vnet_id = rid("rg", "virtualNetworks", "v");
    let (pip, body) = standard_pip(s, "rg", "ip").await;
    let pip_addr = body["properties"]["ipAddress"]
        .as_str()
        .unwrap()
        .to_string();
    let lb = lb_id("rg", "lb");
    let (st, body) = s
        .put(
            &at(&lb),
            json!({"location": LOC, "properties": {
                "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": web}}}],
                "backendAddressPools": [{"name": "pool"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(
        body["properties"]["frontendIPConfigurations"][0]["properties"]["privateIPAddress"],
        "10.0.1.4"
    );
    let pool = format!("{lb}/backendAddressPools/pool");
    let (st, body) = put_nic(
        s,
        "rg",
        "nic",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": pip}, "loadBalancerBackendAddressPools": [{"id": pool}]}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(private_ip(&body, 0), "10.0.1.5");

    // A used subnet and its VNet cannot go; an unused one can.
    let (st, _, body) = delete(s, &web).await;
    let msg = assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    assert_contains(&msg, "Subnet web is in use by ");
    assert_contains(&msg, "and cannot be deleted.");
    let (st, _, body) = delete(s, &vnet_id).await;
    assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    let (st, body) = s
        .put(
            &at(&vnet_id),
            vnet_body(&["10.0.0.0/16"], &[("spare", &["10.0.2.0/24"])]),
        )
        .await;
    assert_error(st, &body, 400, "InUseSubnetCannotBeDeleted");
    // Changing the prefix of a used subnet is refused too.
    let (st, body) = s
        .put(
            &at(&web),
            json!({"properties": {"addressPrefix": "10.0.4.0/24"}}),
        )
        .await;
    assert_error(st, &body, 400, "InUsePrefixCannotBeDeleted");
    delete_ok(s, &subnet_id("rg", "v", "spare")).await;

    // NIC joining a pool of an LB in another region (its frontend a public IP there).
    let far_ip = rid("rg", "publicIPAddresses", "farip");
    let (st, body) = s.put(&at(&far_ip), json!({"location": "westus"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "farlb")),
            json!({"location": "westus", "properties": {
                "frontendIPConfigurations": [{"name": "fe", "properties": {"publicIPAddress": {"id": far_ip}}}],
                "backendAddressPools": [{"name": "far"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let far_pool = format!("{}/backendAddressPools/far", lb_id("rg", "farlb"));
    let (st, body) = put_nic(
        s,
        "rg",
        "farnic",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"loadBalancerBackendAddressPools": [{"id": far_pool}]}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, &far_pool);
    // A pool that does not exist.
    let (st, body) = put_nic(
        s,
        "rg",
        "farnic",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"loadBalancerBackendAddressPools": [{"id": format!("{lb}/backendAddressPools/nope")}]}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidResourceReference");

    // Deleting the group removes everything and gives every address back.
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (st, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "Succeeded", "{op}");
    for id in [
        nic_id("rg", "nic"),
        vnet_id.clone(),
        pip.clone(),
        lb.clone(),
    ] {
        let (st, body) = s.get(&at(&id)).await;
        assert_error(st, &body, 404, "ResourceGroupNotFound");
    }
    for ty in [
        "networkInterfaces",
        "virtualNetworks",
        "publicIPAddresses",
        "loadBalancers",
    ] {
        let (st, list) = s.get(&list_path(None, ty)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(names(&list).is_empty(), "{ty}: {list}");
    }
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    assert_eq!(dynamic_nic(s, "rg", "again", &web).await, "10.0.1.4");
    assert_eq!(dynamic_nic(s, "rg", "again2", &web).await, "10.0.1.5");
    let (_, body) = standard_pip(s, "rg", "ip").await;
    assert_eq!(body["properties"]["ipAddress"], pip_addr.as_str());
}
