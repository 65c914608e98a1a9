//! Bad input to the Microsoft.Network types: invalid address spaces and prefixes, missing
//! or unknown locations, a region change, wrong enum values and JSON types, empty,
//! truncated and huge bodies, malformed private IPs, invalid frontends, idle timeouts and
//! names; each is refused with the right error and nothing invalid is stored.

use super::*;

pub(super) async fn bad_input(s: &Server) {
    group(s, "rg").await;
    let v = rid("rg", "virtualNetworks", "v");
    let put_v =
        |body: Value| async move { s.put(&at(&rid("rg", "virtualNetworks", "v")), body).await };

    // Address spaces and subnets.
    let (st, body) = put_v(vnet_body(&["10.0.0/16"], &[])).await;
    let msg = assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    assert_eq!(
        msg,
        format!("Address prefix 10.0.0/16 of resource {v} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.")
    );
    for bad in ["banana", "10.0.0.0/33", "10.0.0.0", ""] {
        let (st, body) = put_v(vnet_body(&[bad], &[])).await;
        assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    }
    let (st, body) = put_v(vnet_body(&["10.0.0.1/16"], &[])).await;
    let msg = assert_error(st, &body, 400, "InvalidCIDRNotation");
    assert_eq!(
        msg,
        format!("The address prefix 10.0.0.1/16 in resource {v} has an invalid CIDR notation. For the given prefix length, the address prefix should be 10.0.0.0/16.")
    );
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.1.1/24"])])).await;
    assert_error(st, &body, 400, "InvalidCIDRNotation");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.1/24"])])).await;
    assert_error(st, &body, 400, "InvalidAddressPrefixFormat");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.1.0.0/24"])])).await;
    let msg = assert_error(st, &body, 400, "NetcfgSubnetRangeOutsideVnet");
    assert_eq!(
        msg,
        "Subnet 's' is not valid because its IP address range is outside the IP address range of virtual network 'v'."
    );
    let (st, body) = put_v(vnet_body(
        &["10.0.0.0/16"],
        &[("a", &["10.0.0.0/24"]), ("b", &["10.0.0.128/25"])],
    ))
    .await;
    let msg = assert_error(st, &body, 400, "NetcfgSubnetRangesOverlap");
    assert_eq!(
        msg,
        "Subnet 'b' is not valid because its IP address range overlaps with that of an existing subnet in virtual network 'v'."
    );
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("s", &["10.0.0.0/30"])])).await;
    let msg = assert_error(st, &body, 400, "NetcfgInvalidSubnet");
    assert_eq!(msg, "Subnet 's' is not valid in virtual network 'v'.");
    let (st, body) = put_v(vnet_body(
        &["10.0.0.0/16", "fd00::/48"],
        &[("s", &["10.0.0.0/24", "fd00::/80"])],
    ))
    .await;
    assert_error(st, &body, 400, "NetcfgInvalidSubnet");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16", "127.0.0.0/8"], &[])).await;
    let msg = assert_error(st, &body, 400, "VnetAddressPrefixInReservedRange");
    assert_contains(&msg, "127.0.0.0/8");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16", "10.0.4.0/24"], &[])).await;
    assert_error(st, &body, 400, "VnetAddressSpacesOverlap");
    let (st, body) = put_v(vnet_body(&[], &[])).await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, body) = put_v(vnet_body(
        &["10.0.0.0/16"],
        &[("s", &["10.0.0.0/24"]), ("S", &["10.0.1.0/24"])],
    ))
    .await;
    assert_error(st, &body, 400, "DuplicateResourceName");
    // None of those were stored.
    let (st, body) = s.get(&at(&v)).await;
    assert_error(st, &body, 404, "ResourceNotFound");

    // A standalone subnet with bad prefixes.
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("a", &["10.0.0.0/24"])]).await;
    let sn = |name: &str| at(&subnet_id("rg", "v", name));
    for (prefix, code) in [
        ("nope", "InvalidAddressPrefixFormat"),
        ("10.0.1.7/24", "InvalidCIDRNotation"),
        ("10.0.0.0/25", "NetcfgSubnetRangesOverlap"),
        ("192.168.0.0/24", "NetcfgSubnetRangeOutsideVnet"),
        ("10.0.9.0/30", "NetcfgInvalidSubnet"),
    ] {
        let (st, body) = s
            .put(&sn("b"), json!({"properties": {"addressPrefix": prefix}}))
            .await;
        assert_error(st, &body, 400, code);
    }
    let (st, body) = s.put(&sn("b"), json!({"properties": {}})).await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, body) = s
        .put(
            &sn("bad name"),
            json!({"properties": {"addressPrefix": "10.0.5.0/24"}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");

    // Missing location, unknown location.
    let (st, body) =
        put_v(json!({"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})).await;
    let msg = assert_error(st, &body, 400, "LocationRequired");
    assert_eq!(
        msg,
        "The location property is required for this definition."
    );
    let (st, body) = s
        .put(&at(&nic_id("rg", "n")), json!({"properties": {}}))
        .await;
    assert_error(st, &body, 400, "LocationRequired");
    let (st, body) = s
        .put(&at(&pip_id("rg", "p")), json!({"location": "moonbase"}))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");
    // A resource cannot move region.
    let (st, body) = s
        .put(
            &at(&v),
            json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
        )
        .await;
    assert_error(st, &body, 409, "InvalidResourceLocation");

    let a = subnet_id("rg", "v", "a");
    // Wrong enum values.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![ipc_with(
            "ipconfig1",
            &a,
            json!({"privateIPAllocationMethod": "Sometimes"}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestContent");
    assert_contains(&msg, "Sometimes");
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![ipc_with(
            "ipconfig1",
            &a,
            json!({"privateIPAddressVersion": "IPv5"}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidRequestContent");
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "p")),
            json!({"location": LOC, "sku": {"name": "Premium"}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "InvalidRequestContent");
    assert_contains(&msg, "Premium");
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "p")),
            json!({"location": LOC, "properties": {"publicIPAllocationMethod": "Sticky"}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidRequestContent");

    // Wrong JSON types.
    for bad in [
        json!({"location": LOC, "tags": "x"}),
        json!({"location": 7}),
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": "10.0.0.0/16"}}}),
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": {"a": 1}}}),
        json!([1, 2]),
    ] {
        let (st, body) = put_v(bad.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
    }
    for bad in [
        json!({"location": LOC, "properties": {"ipConfigurations": {}}}),
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": 5}]}}),
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "c", "properties": {"primary": "yes"}}]}}),
        json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": a}}]}}),
    ] {
        let (st, body) = s.put(&at(&nic_id("rg", "n")), bad.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
    }
    for bad in [
        json!({"location": LOC, "properties": {"frontendIPConfigurations": "x"}}),
        json!({"location": LOC, "properties": {"backendAddressPools": [{"name": 1}]}}),
        json!({"location": LOC, "properties": {"frontendIPConfigurations": [{"name": "fe", "properties": {"privateIPAllocationMethod": "Often"}}]}}),
    ] {
        let (st, body) = s.put(&at(&lb_id("rg", "lb")), bad.clone()).await;
        assert_error(st, &body, 400, "InvalidRequestContent");
    }
    // An empty body reads as `{}`; truncated JSON is refused.
    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &at(&nic_id("rg", "n")),
            None,
            &[("content-type", "application/json")],
        )
        .await;
    assert_error(st, &body, 400, "LocationRequired");
    let resp = s
        .client
        .put(s.url(&at(&nic_id("rg", "n"))))
        .header("content-type", "application/json")
        .body("{\"location\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidRequestContent");

    // A huge array: a quick 400, not a hang.
    let huge: Vec<Value> = (0..5000).map(|i| ipc(&format!("c{i}"), &a)).collect();
    let started = std::time::Instant::now();
    let (st, body) = put_nic(s, "rg", "huge", huge).await;
    let msg = assert_error(st, &body, 400, "InvalidRequestContent");
    assert_contains(&msg, "5000");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));

    // Malformed private IPs in a NIC and in an LB frontend.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![ipc_with(
            "ipconfig1",
            &a,
            json!({"privateIPAddress": "10.0.0.300"}),
        )],
    )
    .await;
    assert_error(st, &body, 400, "InvalidPrivateIPAddress");
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"frontendIPConfigurations": [
                {"name": "fe", "properties": {"subnet": {"id": a}, "privateIPAddress": "x.y"}}]}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidPrivateIPAddress");
    // A frontend with both, or neither, of subnet and public IP.
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"frontendIPConfigurations": [{"name": "fe"}]}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    // An idle timeout out of range.
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "p")),
            json!({"location": LOC, "properties": {"idleTimeoutInMinutes": 99}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");

    // Invalid names: of resources and of child configurations.
    for bad in ["bad name!", "dot.", "-dash", &"a".repeat(81)] {
        let path = format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/{}?{API}",
            bad.replace(' ', "%20").replace('!', "%21")
        );
        let (st, body) = s.put(&path, nic_body(vec![ipc("ipconfig1", &a)])).await;
        let msg = assert_error(st, &body, 400, "InvalidResourceName");
        assert_contains(
            &msg,
            "is invalid. The name can be up to 80 characters long.",
        );
    }
    let (st, body) = s
        .put(
            &at(&rid("rg", "virtualNetworks", "bad.")),
            vnet_body(&["10.0.0.0/16"], &[]),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = s
        .put(&at(&pip_id("rg", "bad.")), json!({"location": LOC}))
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = s
        .put(&at(&lb_id("rg", "bad.")), json!({"location": LOC}))
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = put_nic(s, "rg", "n", vec![ipc("bad config", &a)]).await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = put_nic(s, "rg", "n", vec![ipc("", &a)]).await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = put_v(vnet_body(&["10.0.0.0/16"], &[("bad/", &["10.0.0.0/24"])])).await;
    assert_error(st, &body, 400, "InvalidResourceName");
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {"backendAddressPools": [{"name": "no good"}]}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");
    // Nothing invalid was created.
    let (st, list) = s.get(&list_path(Some("rg"), "networkInterfaces")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(names(&list).is_empty(), "{list}");
}
