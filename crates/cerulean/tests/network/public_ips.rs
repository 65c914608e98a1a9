//! Public IP addresses: the lifecycle (Basic and Standard, dynamic and static, one user at
//! a time, refused delete while in use, detach and reuse), a public IP moving between the
//! configurations of one NIC in a single PUT, the quota set with `--public-ip-quota`, and
//! the per-region usages endpoint that counts them along with VNets, NICs and load
//! balancers.

use super::*;

pub(super) async fn public_ip_lifecycle(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");

    // Basic dynamic: no address until a VM runs.
    let basic = pip_id("rg", "basic");
    let b = put_checked(
        s,
        &basic,
        json!({"location": LOC, "sku": {"name": "Basic"}, "properties": {"publicIPAllocationMethod": "Dynamic"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(b["type"], "Microsoft.Network/publicIPAddresses");
    assert_eq!(b["sku"]["name"], "Basic");
    assert_eq!(b["properties"]["publicIPAllocationMethod"], "Dynamic");
    assert_eq!(b["properties"]["publicIPAddressVersion"], "IPv4");
    assert_eq!(b["properties"]["provisioningState"], "Succeeded");
    assert!(b["properties"].get("ipAddress").is_none(), "{b}");

    // Standard static: an address from 198.18.0.0/15 at once; static is the default.
    let std1 = pip_id("rg", "std1");
    let a = put_checked(
        s,
        &std1,
        json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"ipAddress": "1.2.3.4", "provisioningState": "Failed"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a["sku"]["name"], "Standard");
    assert_eq!(a["properties"]["publicIPAllocationMethod"], "Static");
    let addr1 = a["properties"]["ipAddress"].as_str().unwrap().to_string();
    assert!(in_prefix(&addr1, "198.18.0.0/15"), "{addr1}");
    assert_eq!(a["properties"]["provisioningState"], "Succeeded");
    let std2 = pip_id("rg", "std2");
    let a2 = put_checked(
        s,
        &std2,
        json!({"location": LOC, "sku": {"name": "standard"}, "properties": {"publicIPAllocationMethod": "static"}}),
        StatusCode::CREATED,
    )
    .await;
    let addr2 = a2["properties"]["ipAddress"].as_str().unwrap().to_string();
    assert!(in_prefix(&addr2, "198.18.0.0/15"), "{addr2}");
    assert_ne!(addr1, addr2);
    // Re-PUT keeps the address.
    let again = put_checked(
        s,
        &std1,
        json!({"location": LOC, "sku": {"name": "Standard"}}),
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["properties"]["ipAddress"], addr1.as_str());

    // Standard dynamic is refused.
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "stddyn")),
            json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Dynamic"}}),
        )
        .await;
    let msg = assert_error(st, &body, 400, "StandardSkuPublicIPAddressesMustBeStatic");
    assert_eq!(
        msg,
        format!(
            "Standard sku publicIp {} must have AllocationMethod set to Static.",
            pip_id("rg", "stddyn")
        )
    );

    // A NIC uses std1: the public IP shows who uses it.
    let (st, n) = put_nic(
        s,
        "rg",
        "nic1",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": std1}}),
        )],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{n}");
    assert_eq!(
        n["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"]["id"],
        std1
    );
    let (st, got) = s.get(&at(&std1)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        got["properties"]["ipConfiguration"]["id"],
        config_id("rg", "nic1", "ipconfig1")
    );
    let (st, got) = s.get(&at(&std2)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(got["properties"].get("ipConfiguration").is_none());

    // Used twice: refused.
    let (st, body) = put_nic(
        s,
        "rg",
        "nic2",
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"publicIPAddress": {"id": std1}}),
        )],
    )
    .await;
    let msg = assert_error(st, &body, 400, "PublicIPAddressInUse");
    assert_eq!(
        msg,
        format!(
            "Resource {} is referencing public IP address {std1} that is already allocated to resource {}.",
            config_id("rg", "nic2", "ipconfig1"),
            config_id("rg", "nic1", "ipconfig1")
        )
    );
    // Twice within one NIC: refused too.
    let (st, body) = put_nic(
        s,
        "rg",
        "nic3",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "publicIPAddress": {"id": std2}}),
            ),
            ipc_with("b", &web, json!({"publicIPAddress": {"id": std2}})),
        ],
    )
    .await;
    assert_error(st, &body, 400, "PublicIPAddressInUse");

    // Deleting a public IP in use is refused.
    let (st, _, body) = delete(s, &std1).await;
    let msg = assert_error(st, &body, 400, "PublicIPAddressCannotBeDeleted");
    assert_contains(
        &msg,
        &format!(
            "Public IP address {std1} can not be deleted since it is still allocated to resource {}.",
            config_id("rg", "nic1", "ipconfig1")
        ),
    );

    // Lists and tags.
    let (st, list) = s.get(&list_path(Some("rg"), "publicIPAddresses")).await;
    assert_eq!(st, StatusCode::OK);
    let mut got = names(&list);
    got.sort();
    assert_eq!(got, ["basic", "std1", "std2"]);
    let (st, list) = s.get(&list_path(None, "publicIPAddresses")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list).len(), 3);
    let (st, _, patched) = s
        .call(Method::PATCH, &at(&std1), Some(json!({"tags": {"t": "1"}})))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(patched["tags"], json!({"t": "1"}));
    assert_eq!(patched["properties"]["ipAddress"], addr1.as_str());

    // Detach (re-PUT the NIC without it), then it can go; its address is reused.
    let (st, n) = put_nic(s, "rg", "nic1", vec![ipc("ipconfig1", &web)]).await;
    assert_eq!(st, StatusCode::OK, "{n}");
    let (_, got) = s.get(&at(&std1)).await;
    assert!(got["properties"].get("ipConfiguration").is_none(), "{got}");
    delete_ok(s, &std1).await;
    let (st, body) = s.get(&at(&std1)).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, _, _) = delete(s, &std1).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let a3 = put_checked(
        s,
        &pip_id("rg", "std3"),
        json!({"location": LOC, "sku": {"name": "Standard"}}),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(a3["properties"]["ipAddress"], addr1.as_str());
}

/// A public IP handed from one configuration of a NIC to another in one PUT (what
/// `az network nic ip-config update --public-ip-address` on two configurations amounts to).
pub(super) async fn public_ip_moves_within_a_nic(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let pip = pip_id("rg", "p");
    put_checked(
        s,
        &pip,
        json!({"location": LOC, "properties": {}}),
        StatusCode::CREATED,
    )
    .await;
    let with_pip = json!({"publicIPAddress": {"id": pip}});
    let first = json!({"primary": true});
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "publicIPAddress": {"id": pip}}),
            ),
            ipc("b", &web),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with("a", &web, first.clone()),
            ipc_with("b", &web, with_pip.clone()),
        ],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body["properties"]["ipConfigurations"][0]["properties"]
        .get("publicIPAddress")
        .is_none());
    let (_, p) = s.get(&at(&pip)).await;
    assert_eq!(
        p["properties"]["ipConfiguration"]["id"]
            .as_str()
            .unwrap()
            .to_lowercase(),
        config_id("rg", "n", "b").to_lowercase()
    );
    // Both configurations claiming it is refused.
    let (st, body) = put_nic(
        s,
        "rg",
        "n",
        vec![
            ipc_with(
                "a",
                &web,
                json!({"primary": true, "publicIPAddress": {"id": pip}}),
            ),
            ipc_with("b", &web, with_pip),
        ],
    )
    .await;
    assert_error(st, &body, 400, "PublicIPAddressInUse");
}

pub(super) async fn public_ip_quota(s: &Server) {
    group(s, "rg").await;
    let basic = |loc: &str| json!({"location": loc, "sku": {"name": "Basic"}});
    for n in ["b1", "b2"] {
        let (st, body) = s.put(&at(&pip_id("rg", n)), basic(LOC)).await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let (st, body) = s.put(&at(&pip_id("rg", "b3")), basic(LOC)).await;
    let msg = assert_error(st, &body, 400, "PublicIPCountLimitReached");
    assert_eq!(
        msg,
        "Cannot create more than 2 public IP addresses for this subscription in this region."
    );
    let (st, body) = s.get(&at(&pip_id("rg", "b3"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // Updating one that exists is not a new one.
    let (st, body) = s.put(&at(&pip_id("rg", "b2")), basic(LOC)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    // Standard has its own quota; another region its own count.
    let (st, body) = s
        .put(
            &at(&pip_id("rg", "s1")),
            json!({"location": LOC, "sku": {"name": "Standard"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&pip_id("rg", "w1")), basic("westus")).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    let (st, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let find = |name: &str| {
        list["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"]["value"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(find("PublicIPAddresses")["currentValue"], 2);
    assert_eq!(find("PublicIPAddresses")["limit"], 2);
    assert_eq!(find("StandardSkuPublicIpAddresses")["currentValue"], 1);
    assert_eq!(find("StandardSkuPublicIpAddresses")["limit"], 2);

    // Deleting one makes room again.
    delete_ok(s, &pip_id("rg", "b1")).await;
    let (st, body) = s.put(&at(&pip_id("rg", "b3")), basic(LOC)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
}

pub(super) async fn usages(s: &Server) {
    let path =
        format!("/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages?{API}");
    let usage = |list: &Value, name: &str| -> (i64, i64) {
        let u = list["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["name"]["value"] == name)
            .unwrap_or_else(|| panic!("no usage {name} in {list}"))
            .clone();
        assert_eq!(u["unit"], "Count");
        (
            u["currentValue"].as_i64().unwrap(),
            u["limit"].as_i64().unwrap(),
        )
    };
    let (st, list) = s.get(&path).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(usage(&list, "VirtualNetworks").0, 0);
    assert_eq!(usage(&list, "PublicIPAddresses"), (0, 10));
    assert_eq!(usage(&list, "StandardSkuPublicIpAddresses"), (0, 10));

    group(s, "rg").await;
    vnet(s, "rg", "v1", &["10.0.0.0/16"], &[("a", &["10.0.0.0/24"])]).await;
    vnet(s, "rg", "v2", &["10.1.0.0/16"], &[]).await;
    let a = subnet_id("rg", "v1", "a");
    for n in ["n1", "n2", "n3"] {
        dynamic_nic(s, "rg", n, &a).await;
    }
    for (name, sku) in [("b1", "Basic"), ("b2", "Basic"), ("s1", "Standard")] {
        let (st, body) = s
            .put(
                &at(&pip_id("rg", name)),
                json!({"location": LOC, "sku": {"name": sku}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{body}");
    }
    let (st, body) = s
        .put(
            &at(&lb_id("rg", "lb")),
            json!({"location": LOC, "properties": {}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // Another region does not count here.
    let (st, body) = s
        .put(
            &at(&rid("rg", "virtualNetworks", "far")),
            json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    let (st, list) = s.get(&path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(usage(&list, "VirtualNetworks"), (2, 1000));
    assert_eq!(usage(&list, "NetworkInterfaces").0, 3);
    assert_eq!(usage(&list, "LoadBalancers").0, 1);
    assert_eq!(usage(&list, "PublicIPAddresses"), (2, 10));
    assert_eq!(usage(&list, "StandardSkuPublicIpAddresses"), (1, 10));
    assert_eq!(usage(&list, "StaticPublicIPAddresses").0, 1);
    assert_eq!(
        usage(&list, "SecondaryIPConfigurationsPerNetworkInterface").1,
        249
    );
    let u = &list["value"][0];
    assert!(u["id"].as_str().unwrap().starts_with(&format!(
        "/subscriptions/{SUB}/providers/Microsoft.Network/locations/{LOC}/usages/"
    )));
    let (st, list) = s
        .get(
            &format!(
                "/subscriptions/{SUB}/providers/Microsoft.Network/locations/West US/usages?{API}"
            )
            .replace(' ', "%20"),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(usage(&list, "VirtualNetworks").0, 1);
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/locations/moon/usages?{API}"
        ))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");
}
