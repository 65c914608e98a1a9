//! Load-balancing rules, probes and outbound rules: kept as sent, but what they reference
//! must be a frontend, pool or probe of their own load balancer, two rules may not send one
//! protocol and backend port to one pool, and each frontend, pool and probe lists who uses
//! it (Azure's read-only `loadBalancingRules`, `inboundNatRules`, `outboundRules`).

use super::*;

fn lb_child(word: &str, name: &str) -> String {
    format!("{}/{word}/{name}", lb_id("rg", "web"))
}

fn id_of(word: &str, name: &str) -> Value {
    json!({"id": lb_child(word, name)})
}

fn rule(name: &str, frontend_port: u16, backend_port: u16, probe: &str) -> Value {
    json!({"name": name, "properties": {
        "frontendIPConfiguration": id_of("frontendIPConfigurations", "public"),
        "backendAddressPool": id_of("backendAddressPools", "pool"),
        "probe": id_of("probes", probe),
        "protocol": "Tcp", "frontendPort": frontend_port, "backendPort": backend_port,
        "enableFloatingIP": false, "idleTimeoutInMinutes": 4
    }})
}

fn lb_body(pip: &str, rules: Vec<Value>, probes: &[&str]) -> Value {
    let probes: Vec<Value> = probes
        .iter()
        .map(|p| json!({"name": p, "properties": {"protocol": "Tcp", "port": 80, "intervalInSeconds": 5, "numberOfProbes": 2}}))
        .collect();
    json!({
        "location": LOC,
        "sku": {"name": "Standard"},
        "properties": {
            "frontendIPConfigurations": [{"name": "public", "properties": {"publicIPAddress": {"id": pip}}}],
            "backendAddressPools": [{"name": "pool"}],
            "probes": probes,
            "loadBalancingRules": rules,
            "outboundRules": [{"name": "out", "properties": {
                "frontendIPConfigurations": [id_of("frontendIPConfigurations", "public")],
                "backendAddressPool": id_of("backendAddressPools", "pool"),
                "protocol": "All"
            }}],
            "inboundNatRules": [{"name": "ssh", "properties": {
                "frontendIPConfiguration": id_of("frontendIPConfigurations", "public"),
                "protocol": "Tcp", "frontendPort": 50022, "backendPort": 22
            }}]
        }
    })
}

pub(super) async fn load_balancing_rules(s: &Server) {
    group(s, "rg").await;
    let (pip, _) = standard_pip(s, "rg", "webip").await;
    let lb = lb_id("rg", "web");

    // A load balancer without frontends has no children: not through its own PUT, nor
    // through a pool's.
    let without = |lb: &str| {
        format!("Load Balancer {lb} does not have Frontend IP Configuration, but it has other child resources. This setup is not supported.")
    };
    let code = "LoadBalancerWithoutFrontendIPCantHaveChildResources";
    let bare = lb_id("rg", "bare");
    let pools_only =
        json!({"location": LOC, "properties": {"backendAddressPools": [{"name": "pool"}]}});
    let (st, body) = s.put(&at(&bare), pools_only).await;
    assert_eq!(assert_error(st, &body, 400, code), without(&bare));
    put_checked(s, &bare, json!({"location": LOC}), StatusCode::CREATED).await;
    let bare_pool = format!("{bare}/backendAddressPools/pool");
    let (st, body) = s.put(&at(&bare_pool), json!({"properties": {}})).await;
    assert_eq!(assert_error(st, &body, 400, code), without(&bare));
    let (st, _) = s.get(&at(&bare_pool)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A rule naming a probe the load balancer does not have: nothing is written.
    let (st, body) = s
        .put(
            &at(&lb),
            lb_body(&pip, vec![rule("http", 80, 80, "nope")], &["tcp80"]),
        )
        .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_eq!(
        msg,
        format!(
            "Resource {} referenced by resource {} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.",
            lb_child("probes", "nope"),
            lb_child("loadBalancingRules", "http")
        )
    );
    let (st, _) = s.get(&at(&lb)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Malformed collections and nameless rules are the caller's mistake.
    let mut bad = lb_body(&pip, vec![], &[]);
    bad["properties"]["probes"] = json!("tcp80");
    let (st, body) = s.put(&at(&lb), bad).await;
    assert_error(st, &body, 400, "InvalidRequestContent");
    let (st, body) = s
        .put(
            &at(&lb),
            lb_body(&pip, vec![json!({"properties": {}}), json!(7)], &[]),
        )
        .await;
    assert_error(st, &body, 400, "InvalidResourceName");

    // Two rules sending Tcp 80 to one pool.
    let (st, body) = s
        .put(
            &at(&lb),
            lb_body(
                &pip,
                vec![
                    rule("http", 80, 80, "tcp80"),
                    rule("alt", 8080, 80, "tcp80"),
                ],
                &["tcp80"],
            ),
        )
        .await;
    let msg = assert_error(st, &body, 400, "RulesUseSameBackendPortProtocolAndPool");
    assert_eq!(
        msg,
        format!(
            "Load balancing rules {} and {} with floating IP disabled use the same protocol Tcp and backend port 80, and must not be used with the same backend address pool {}.",
            lb_child("loadBalancingRules", "http"),
            lb_child("loadBalancingRules", "alt"),
            lb_child("backendAddressPools", "pool")
        )
    );

    // Valid: every child lists who uses it.
    let body = put_checked(
        s,
        &lb,
        lb_body(
            &pip,
            vec![
                rule("http", 80, 80, "tcp80"),
                rule("https", 443, 443, "tcp80"),
            ],
            &["tcp80", "spare"],
        ),
        StatusCode::CREATED,
    )
    .await;
    let p = &body["properties"];
    let (http, https) = (
        lb_child("loadBalancingRules", "http"),
        lb_child("loadBalancingRules", "https"),
    );
    let fe = &p["frontendIPConfigurations"][0]["properties"];
    assert_eq!(
        ids(&fe["loadBalancingRules"]),
        [http.clone(), https.clone()]
    );
    assert_eq!(
        ids(&fe["inboundNatRules"]),
        [lb_child("inboundNatRules", "ssh")]
    );
    assert_eq!(
        ids(&fe["outboundRules"]),
        [lb_child("outboundRules", "out")]
    );
    let pool = &p["backendAddressPools"][0]["properties"];
    assert_eq!(
        ids(&pool["loadBalancingRules"]),
        [http.clone(), https.clone()]
    );
    assert_eq!(
        ids(&pool["outboundRules"]),
        [lb_child("outboundRules", "out")]
    );
    assert_eq!(
        ids(&p["probes"][0]["properties"]["loadBalancingRules"]),
        [http.clone(), https.clone()]
    );
    assert!(
        p["probes"][1]["properties"]
            .get("loadBalancingRules")
            .is_none(),
        "{p}"
    );
    // The child reads show the same.
    let (st, got) = s.get(&at(&lb_child("probes", "tcp80"))).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(
        ids(&got["properties"]["loadBalancingRules"]),
        [http.clone(), https.clone()]
    );
    let (st, got) = s.get(&at(&lb_child("backendAddressPools", "pool"))).await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(
        ids(&got["properties"]["loadBalancingRules"]),
        [http.clone(), https]
    );

    // A client's GET-edit-PUT sends the read-only lists back; they follow the rules, not it.
    let mut edited = body.clone();
    edited["properties"]["loadBalancingRules"]
        .as_array_mut()
        .unwrap()
        .retain(|r| r["name"] == "http");
    let body = put_checked(s, &lb, edited, StatusCode::OK).await;
    assert_eq!(
        ids(&body["properties"]["probes"][0]["properties"]["loadBalancingRules"]),
        [http]
    );

    // A second outbound rule on the frontend: its Udp overlaps the first one's All.
    let mut two_out = body.clone();
    two_out["properties"]["outboundRules"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "out2", "properties": {
            "frontendIPConfigurations": [id_of("frontendIPConfigurations", "public")],
            "backendAddressPool": id_of("backendAddressPools", "pool"), "protocol": "Udp"}}));
    let (st, err) = s.put(&at(&lb), two_out).await;
    let msg = assert_error(
        st,
        &err,
        400,
        "MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported",
    );
    assert_eq!(
        msg,
        format!(
            "Is is not supported to have more than a single outbound rule using frontendIPConfiguration {} with same or overlapping protocol. This frontendIPConfiguration is used by the following outbound rules: {},{}",
            lb_child("frontendIPConfigurations", "public"),
            lb_child("outboundRules", "out"),
            lb_child("outboundRules", "out2")
        )
    );

    // An IP configuration in the pool takes on its rules: naming the NAT rule that sends to
    // the backend port a balancing rule of the pool uses is refused.
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let mut with_ssh = body.clone();
    with_ssh["properties"]["loadBalancingRules"]
        .as_array_mut()
        .unwrap()
        .push(rule("sshlb", 2222, 22, "tcp80"));
    let body = put_checked(s, &lb, with_ssh, StatusCode::OK).await;
    let config = json!({"name": "ipconfig1", "properties": {
        "subnet": {"id": subnet_id("rg", "v", "web")},
        "loadBalancerBackendAddressPools": [id_of("backendAddressPools", "pool")],
        "loadBalancerInboundNatRules": [id_of("inboundNatRules", "ssh")]
    }});
    let nic = json!({"location": LOC, "properties": {"ipConfigurations": [config]}});
    let (st, err) = s.put(&at(&nic_id("rg", "n1")), nic).await;
    let msg = assert_error(st, &err, 400, "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_eq!(
        msg,
        format!(
            "Load balancer rules {} and {} with floating IP disabled use the same backend port 22 and protocol Tcp, and must not be used with the same backend IP {}/ipConfigurations/ipconfig1.",
            lb_child("loadBalancingRules", "sshlb"),
            lb_child("inboundNatRules", "ssh"),
            nic_id("rg", "n1")
        )
    );

    // A probe in use cannot be dropped: the rule's reference would dangle.
    let mut edited = body.clone();
    edited["properties"]["probes"]
        .as_array_mut()
        .unwrap()
        .retain(|p| p["name"] != "tcp80");
    let (st, _, err) = s.call(Method::PUT, &at(&lb), Some(edited)).await;
    assert_error(st, &err, 400, "InvalidResourceReference");

    // Nor can the pool (its own DELETE), nor may a NAT rule name another frontend.
    let (st, _, err) = delete(s, &lb_child("backendAddressPools", "pool")).await;
    let msg = assert_error(st, &err, 400, "InvalidResourceReference");
    assert_contains(&msg, &lb_child("backendAddressPools", "pool"));
    let nat = json!({"properties": {
        "frontendIPConfiguration": id_of("frontendIPConfigurations", "elsewhere"),
        "protocol": "Tcp", "frontendPort": 50023, "backendPort": 22
    }});
    let (st, err) = s.put(&at(&lb_child("inboundNatRules", "ssh2")), nat).await;
    assert_error(st, &err, 400, "InvalidResourceReference");
    let (st, got) = s.get(&at(&lb)).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        got["properties"]["inboundNatRules"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        got["properties"]["backendAddressPools"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The load balancer's side of that rule: with a member in the pool that the NAT rule
    // sends to, a balancing rule to its backend port is refused, and so is a NAT rule moved
    // onto a balancing rule's port.
    let rules_without = |v: &Value, name: &str| {
        let mut v = v.clone();
        v["properties"]["loadBalancingRules"]
            .as_array_mut()
            .unwrap()
            .retain(|r| r["name"] != name);
        v
    };
    let got = put_checked(s, &lb, rules_without(&got, "sshlb"), StatusCode::OK).await;
    let config = json!({"name": "ipconfig1", "properties": {
        "subnet": {"id": subnet_id("rg", "v", "web")},
        "loadBalancerBackendAddressPools": [id_of("backendAddressPools", "pool")],
        "loadBalancerInboundNatRules": [id_of("inboundNatRules", "ssh")]
    }});
    let nic = json!({"location": LOC, "properties": {"ipConfigurations": [config]}});
    put_checked(s, &nic_id("rg", "n1"), nic, StatusCode::CREATED).await;
    let mut with_ssh = got.clone();
    with_ssh["properties"]["loadBalancingRules"]
        .as_array_mut()
        .unwrap()
        .push(rule("sshlb", 2222, 22, "tcp80"));
    let (st, _, err) = s.call(Method::PUT, &at(&lb), Some(with_ssh)).await;
    let msg = assert_error(st, &err, 400, "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_eq!(
        msg,
        format!(
            "Load balancer rules {} and {} with floating IP disabled use the same backend port 22 and protocol Tcp, and must not be used with the same backend IP {}/ipConfigurations/ipconfig1.",
            lb_child("loadBalancingRules", "sshlb"),
            lb_child("inboundNatRules", "ssh"),
            nic_id("rg", "n1")
        )
    );
    let moved = json!({"properties": {
        "frontendIPConfiguration": id_of("frontendIPConfigurations", "public"),
        "protocol": "Tcp", "frontendPort": 50022, "backendPort": 80
    }});
    let (st, err) = s.put(&at(&lb_child("inboundNatRules", "ssh")), moved).await;
    let msg = assert_error(st, &err, 400, "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_contains(&msg, &lb_child("loadBalancingRules", "http"));
    delete_ok(s, &nic_id("rg", "n1")).await;

    // Without its rules, the pool may go.
    let mut bare = got.clone();
    for k in ["loadBalancingRules", "outboundRules"] {
        bare["properties"][k] = json!([]);
    }
    put_checked(s, &lb, bare, StatusCode::OK).await;
    delete_ok(s, &lb_child("backendAddressPools", "pool")).await;
}

/// An IP-based backend pool (`azurerm_lb_backend_address_pool_address`, `az network lb
/// address-pool address add`): its addresses are kept as sent, through the pool's own PUT and
/// through a whole load balancer's GET-edit-PUT.
pub(super) async fn ip_based_backend_pools(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let lb = lb_id("rg", "iplb");
    put_checked(
        s,
        &lb,
        json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet_id("rg", "v", "web")}}}],
            "backendAddressPools": [{"name": "bynic"}]}}),
        StatusCode::CREATED,
    )
    .await;
    let pool = format!("{lb}/backendAddressPools/byip");
    let addresses = json!([{"name": "a1", "properties": {
        "ipAddress": "10.0.1.10",
        "virtualNetwork": {"id": rid("rg", "virtualNetworks", "v")}}}]);
    let (st, body) = s
        .put(
            &at(&pool),
            json!({"properties": {"loadBalancerBackendAddresses": addresses,
                   "backendIPConfigurations": [{"id": "/read/only"}]}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let kept = |b: &Value| b["properties"]["loadBalancerBackendAddresses"].clone();
    assert_eq!(kept(&body), addresses, "{body}");
    assert!(
        body["properties"].get("backendIPConfigurations").is_none(),
        "{body}"
    );
    let (_, got) = s.get(&at(&pool)).await;
    assert_eq!(kept(&got), addresses);
    // The whole load balancer, read and written back, keeps them.
    let (_, whole) = s.get(&at(&lb)).await;
    let body = put_checked(s, &lb, whole, StatusCode::OK).await;
    let byip = &body["properties"]["backendAddressPools"][1];
    assert_eq!(byip["name"], "byip");
    assert_eq!(kept(byip), addresses);
    // A PUT of the pool without them empties it.
    let (st, body) = s.put(&at(&pool), json!({"properties": {}})).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(
        body["properties"]
            .get("loadBalancerBackendAddresses")
            .is_none(),
        "{body}"
    );
    let (st, body) = s.put(&at(&pool), json!({"properties": 5})).await;
    assert_error(st, &body, 400, "InvalidRequestContent");
}

/// An IP configuration in the pools of two load balancers: a public and an internal one may
/// both send to its port 80; two internal ones may not, whichever write brings the clash
/// (the NIC's, or a load balancer's rule).
pub(super) async fn rules_across_load_balancers(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let (pip, _) = standard_pip(s, "rg", "pub").await;
    let balancer = |name: &str, frontend: Value| {
        let lb = lb_id("rg", name);
        let child = |word: &str, child: &str| json!({"id": format!("{lb}/{word}/{child}")});
        json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {
            "frontendIPConfigurations": [{"name": "fe", "properties": frontend}],
            "backendAddressPools": [{"name": "pool"}],
            "loadBalancingRules": [{"name": "web", "properties": {
                "frontendIPConfiguration": child("frontendIPConfigurations", "fe"),
                "backendAddressPool": child("backendAddressPools", "pool"),
                "protocol": "Tcp", "frontendPort": 80, "backendPort": 80}}]}})
    };
    let internal = json!({"subnet": {"id": subnet_id("rg", "v", "web")}});
    let on_port = |port: u16| {
        let mut b = balancer("inner2", internal.clone());
        b["properties"]["loadBalancingRules"][0]["properties"]["backendPort"] = json!(port);
        b
    };
    for (name, frontend) in [
        ("public", json!({"publicIPAddress": {"id": pip}})),
        ("inner1", internal.clone()),
        ("inner2", internal.clone()),
    ] {
        put_checked(
            s,
            &lb_id("rg", name),
            balancer(name, frontend),
            StatusCode::CREATED,
        )
        .await;
    }
    let nic = |pools: &[&str]| {
        let pools: Vec<Value> = pools
            .iter()
            .map(|lb| json!({"id": format!("{}/backendAddressPools/pool", lb_id("rg", lb))}))
            .collect();
        vec![ipc_with(
            "ipconfig1",
            &subnet_id("rg", "v", "web"),
            json!({ "loadBalancerBackendAddressPools": pools }),
        )]
    };
    let (st, body) = put_nic(s, "rg", "both", nic(&["public", "inner1"])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    // Both refusals name inner1's rule, then inner2's.
    let clash = |st: StatusCode, body: &Value| {
        let msg = assert_error(
            st,
            body,
            400,
            "RulesOfSameLoadBalancerTypeUseSameBackendPortProtocolAndIPConfig",
        );
        assert!(
            msg.starts_with(&format!(
                "Load balancer rules {}/loadBalancingRules/web and {}/loadBalancingRules/web belong to load balancers of the same type",
                lb_id("rg", "inner1"),
                lb_id("rg", "inner2")
            )),
            "{msg}"
        );
    };
    let (st, body) = put_nic(s, "rg", "inner", nic(&["inner1", "inner2"])).await;
    clash(st, &body);

    // From the load balancer's side: with its rule on another port the NIC joins both, and
    // the rule may not move back onto port 80 (its PUT is refused and changes nothing).
    put_checked(s, &lb_id("rg", "inner2"), on_port(8080), StatusCode::OK).await;
    let (st, body) = put_nic(s, "rg", "inner", nic(&["inner1", "inner2"])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = s.put(&at(&lb_id("rg", "inner2")), on_port(80)).await;
    clash(st, &body);
    let (_, kept) = s.get(&at(&lb_id("rg", "inner2"))).await;
    assert_eq!(
        kept["properties"]["loadBalancingRules"][0]["properties"]["backendPort"],
        8080
    );
    // The public load balancer's rule on port 80 reaches "both" beside inner1's: allowed.
    let public = balancer("public", json!({"publicIPAddress": {"id": pip}}));
    put_checked(s, &lb_id("rg", "public"), public, StatusCode::OK).await;
}
