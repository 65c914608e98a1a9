//! Private link services (`cerulean_domain::private_link_service`): a service fronts a
//! Standard internal load balancer's frontend, takes NAT addresses through a NIC of its own in
//! a subnet whose service network policies are disabled, and gives an alias. Endpoints connect
//! by id or alias; visibility and auto-approval decide a new connection; the service's owner
//! approves on `privateEndpointConnections`; the frontend stays while the service uses it.

use super::*;

const FAR_SUB: &str = "00000000-0000-0000-0000-0000000000aa";

fn lb(sku: &str, subnet: &str) -> Value {
    json!({"location": LOC, "sku": {"name": sku}, "properties": {
        "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet}}}],
        "backendAddressPools": [{"name": "pool"}]}})
}

fn service(frontend: &str, nat_subnet: &str, extra: Value) -> Value {
    let mut body = json!({"location": LOC, "properties": {
        "loadBalancerFrontendIpConfigurations": [{"id": frontend}],
        "ipConfigurations": [{"name": "nat1", "properties": {"subnet": {"id": nat_subnet}}}]}});
    for (k, v) in extra.as_object().unwrap() {
        body["properties"][k] = v.clone();
    }
    body
}

fn endpoint(subnet: &str, target: &str, manual: bool) -> Value {
    let list = if manual {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    json!({"location": LOC, "properties": {"subnet": {"id": subnet},
        list: [{"name": "c", "properties": {"privateLinkServiceId": target, "requestMessage": "hello"}}]}})
}

fn status(pe: &Value) -> String {
    let p = &pe["properties"];
    let list = if p["manualPrivateLinkServiceConnections"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        "manualPrivateLinkServiceConnections"
    } else {
        "privateLinkServiceConnections"
    };
    p[list][0]["properties"]["privateLinkServiceConnectionState"]["status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn put_ok(s: &Server, id: &str, body: Value) -> Value {
    let (st, got) = s.put(&at(id), body).await;
    assert!(st.is_success(), "PUT {id}: {st} {got}");
    got
}

pub(super) async fn private_link_services(s: &Server) {
    let rg = "pls";
    group(s, rg).await;
    vnet(
        s,
        rg,
        "prov",
        &["10.0.0.0/16"],
        &[("lbs", &["10.0.1.0/24"])],
    )
    .await;
    let lbs = subnet_id(rg, "prov", "lbs");
    let nat = subnet_id(rg, "prov", "nat");
    put_ok(
        s,
        &nat,
        json!({"properties": {"addressPrefix": "10.0.2.0/24", "privateLinkServiceNetworkPolicies": "Disabled"}}),
    )
    .await;
    let open = subnet_id(rg, "prov", "open");
    put_ok(
        s,
        &open,
        json!({"properties": {"addressPrefix": "10.0.3.0/24"}}),
    )
    .await;
    let ilb = lb_id(rg, "ilb");
    put_ok(s, &ilb, lb("Standard", &lbs)).await;
    let basic = lb_id(rg, "basic");
    put_ok(s, &basic, lb("Basic", &lbs)).await;
    let fe = format!("{ilb}/frontendIPConfigurations/fe");
    let svc = rid(rg, "privateLinkServices", "svc");

    // The rules: a Standard internal frontend that exists, NAT addresses in a subnet of its
    // network with the policies disabled.
    let (st, body) = s
        .put(
            &at(&svc),
            service(
                &format!("{basic}/frontendIPConfigurations/fe"),
                &nat,
                json!({}),
            ),
        )
        .await;
    let msg = assert_error(st, &body, 400, "InvalidParameter");
    assert_contains(&msg, "Standard internal load balancer");
    let (st, body) = s
        .put(
            &at(&svc),
            service(
                &format!("{ilb}/frontendIPConfigurations/nope"),
                &nat,
                json!({}),
            ),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    let (st, body) = s.put(&at(&svc), service(&fe, &open, json!({}))).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "PrivateLinkServiceNetworkPoliciesCannotBeEnabledOnPrivateLinkServiceSubnet",
    );
    assert_contains(&msg, &open);
    let (st, _) = s.get(&at(&svc)).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a refused service is not stored");

    // The service: its alias, its NIC with the NAT address, the defaults.
    let audience = json!({"visibility": {"subscriptions": [FAR_SUB]}});
    let (st, got) = s.put(&at(&svc), service(&fe, &nat, audience.clone())).await;
    assert_eq!(st, StatusCode::CREATED, "{got}");
    let p = &got["properties"];
    let alias = p["alias"].as_str().unwrap().to_string();
    assert!(
        alias.starts_with("svc.") && alias.ends_with(".eastus.azure.privatelinkservice"),
        "{alias}"
    );
    assert_eq!(p["provisioningState"], "Succeeded");
    let cfg = &p["ipConfigurations"][0];
    assert_eq!(cfg["id"], format!("{svc}/ipConfigurations/nat1"));
    // A dynamic NAT address shows on the NIC only, as on Azure.
    assert_eq!(cfg["properties"]["privateIPAddress"], Value::Null);
    assert_eq!(cfg["properties"]["privateIPAllocationMethod"], "Dynamic");
    assert_eq!(p["autoApproval"], json!({"subscriptions": []}));
    assert_eq!(p["privateEndpointConnections"], json!([]));
    let nic = p["networkInterfaces"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(nic.contains("/networkInterfaces/svc.nic."), "{nic}");
    let (_, got) = s.get(&at(&nic)).await;
    assert_eq!(got["properties"]["privateLinkService"]["id"], svc.as_str());
    assert_eq!(private_ip(&got, 0), "10.0.2.4");
    let (st, _, body) = delete(s, &nic).await;
    assert_error(
        st,
        &body,
        400,
        "CannotModifyNicAttachedToPrivateLinkService",
    );
    // A second PUT keeps the alias and the NIC, and moves the address to a static one.
    let mut fixed = service(&fe, &nat, audience.clone());
    fixed["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"] =
        json!("10.0.2.10");
    let again = put_ok(s, &svc, fixed).await;
    assert_eq!(again["properties"]["alias"], alias.as_str());
    let cfg = &again["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(cfg["privateIPAddress"], "10.0.2.10");
    assert_eq!(cfg["privateIPAllocationMethod"], "Static");
    assert_eq!(
        again["properties"]["networkInterfaces"][0]["id"],
        nic.as_str()
    );
    let (_, got) = s.get(&at(&nic)).await;
    assert_eq!(private_ip(&got, 0), "10.0.2.10");

    // The frontend stays while the service uses it.
    let (st, _, body) = delete(s, &ilb).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "InUseFrontendIPConfigurationCannotBeDeleted",
    );
    assert_contains(&msg, &svc);
    let mut moved = lb("Standard", &lbs);
    moved["properties"]["frontendIPConfigurations"][0]["name"] = json!("fe2");
    let (st, body) = s.put(&at(&ilb), moved).await;
    assert_error(
        st,
        &body,
        400,
        "InUseFrontendIPConfigurationCannotBeDeleted",
    );

    // An endpoint by alias in the same subscription, asking: pending until the owner approves.
    vnet(s, rg, "cons", &["10.9.0.0/16"], &[("pe", &["10.9.1.0/24"])]).await;
    let pe_subnet = subnet_id(rg, "cons", "pe");
    let asker = rid(rg, "privateEndpoints", "asker");
    let got = put_ok(s, &asker, endpoint(&pe_subnet, &alias, true)).await;
    assert_eq!(status(&got), "Pending", "{got}");
    assert_eq!(got["properties"]["customDnsConfigs"], json!([]));
    assert_eq!(
        got["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]
            ["privateLinkServiceId"],
        alias.as_str(),
        "the alias is kept as sent"
    );
    let (_, list) = s
        .get(&at(&format!("{svc}/privateEndpointConnections")))
        .await;
    let conn = list["value"][0].clone();
    assert_eq!(conn["properties"]["privateEndpoint"]["id"], asker.as_str());
    assert_eq!(
        conn["properties"]["privateLinkServiceConnectionState"],
        json!({"status": "Pending", "description": "hello", "actionsRequired": "None"})
    );
    let (_, got) = s.get(&at(&svc)).await;
    assert_eq!(
        got["properties"]["privateEndpointConnections"][0]["id"],
        conn["id"]
    );
    let conn_id = conn["id"].as_str().unwrap();
    let (st, body) = s
        .put(
            &at(conn_id),
            json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "ok"}}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (_, got) = s.get(&at(&asker)).await;
    assert_eq!(status(&got), "Approved", "{got}");
    // Azure's service records also carry a link identifier (kept across writes) and the
    // endpoint's region.
    let link_id = |c: &Value| {
        c["properties"]["linkIdentifier"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (_, approved) = s.get(&at(conn_id)).await;
    assert_eq!(approved["properties"]["privateEndpointLocation"], LOC);
    assert!(
        link_id(&approved).parse::<u32>().unwrap() >= 1 << 29,
        "{approved}"
    );
    assert_eq!(link_id(&approved), link_id(&conn));

    // By id, automatically: the service's own subscription approves at once.
    let direct = rid(rg, "privateEndpoints", "direct");
    let got = put_ok(s, &direct, endpoint(&pe_subnet, &svc, false)).await;
    assert_eq!(status(&got), "Approved", "{got}");

    // Another subscription: visible, so a manual request waits; not visible, refused; an
    // unknown alias names nothing.
    let far_rg = format!("/subscriptions/{FAR_SUB}/resourceGroups/far");
    let (st, body) = s
        .put(&format!("{far_rg}?{API}"), json!({"location": LOC}))
        .await;
    assert!(st.is_success(), "{body}");
    let far_vnet = format!("{far_rg}/providers/Microsoft.Network/virtualNetworks/v");
    put_ok(
        s,
        &far_vnet,
        json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.5.0.0/16"]},
            "subnets": [{"name": "s", "properties": {"addressPrefix": "10.5.1.0/24"}}]}}),
    )
    .await;
    let far_subnet = format!("{far_vnet}/subnets/s");
    let far_pe = format!("{far_rg}/providers/Microsoft.Network/privateEndpoints/far");
    let got = put_ok(s, &far_pe, endpoint(&far_subnet, &alias, true)).await;
    assert_eq!(status(&got), "Pending", "{got}");
    let hidden = put_ok(s, &svc, service(&fe, &nat, json!({}))).await;
    assert_eq!(
        hidden["properties"]["visibility"],
        json!({"subscriptions": []})
    );
    let far_two = format!("{far_rg}/providers/Microsoft.Network/privateEndpoints/far2");
    let (st, body) = s
        .put(&at(&far_two), endpoint(&far_subnet, &alias, true))
        .await;
    let msg = assert_error(st, &body, 400, "PrivateLinkServiceNotVisible");
    assert_contains(&msg, FAR_SUB);
    let unknown = alias.replace("svc.", "other.");
    let (st, body) = s
        .put(&at(&far_two), endpoint(&far_subnet, &unknown, true))
        .await;
    assert_error(st, &body, 400, "InvalidResourceReference");

    // `cerulean check` finds the service's references as its body makes them.
    if !on_postgres(s).await {
        common::invariants::check_store(&common::invariants::StoreAt::dir(&s.dir));
    }

    // The service's delete takes its NIC and address; its endpoints are left disconnected.
    let (st, _, body) = delete(s, &svc).await;
    assert!(st.is_success(), "{body}");
    let (st, _) = s.get(&at(&nic)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    for pe in [&asker, &direct] {
        let (_, got) = s.get(&at(pe)).await;
        assert_eq!(status(&got), "Disconnected", "{got}");
    }
    let (_, sn) = s.get(&at(&nat)).await;
    assert!(sn["properties"].get("ipConfigurations").is_none(), "{sn}");
    let (st, _, body) = delete(s, &ilb).await;
    assert!(st.is_success(), "the frontend is free again: {body}");
}
