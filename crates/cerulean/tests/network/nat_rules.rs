//! Inbound NAT rules: kept on the load balancer as sent, but who a rule forwards to is
//! modelled as for backend pools — an IP configuration names the rule
//! (`loadBalancerInboundNatRules`), the rule shows it (`backendIPConfiguration`, Azure's to
//! fill in), one configuration per rule, in the load balancer's virtual network, and a rule
//! in use cannot be removed; what `azurerm_network_interface_nat_rule_association` and
//! `az network nic ip-config inbound-nat-rule add` rely on.

use super::*;

fn nat_rule(lb: &str, name: &str) -> String {
    format!("{lb}/inboundNatRules/{name}")
}

fn rule_body(name: &str, frontend_port: u16) -> Value {
    json!({"name": name, "properties": {
        "frontendIPConfiguration": {"id": format!("{}/frontendIPConfigurations/public", lb_id("rg", "lb"))},
        "protocol": "Tcp", "frontendPort": frontend_port, "backendPort": 22,
        // Read-only: whatever a client sends here is not kept.
        "backendIPConfiguration": {"id": "/somewhere/else"}
    }})
}

fn lb_body(pip: &str, rules: Vec<Value>) -> Value {
    json!({
        "location": LOC,
        "sku": {"name": "Standard"},
        "properties": {
            "frontendIPConfigurations": [{"name": "public", "properties": {"publicIPAddress": {"id": pip}}}],
            "backendAddressPools": [{"name": "pool"}],
            "inboundNatRules": rules
        }
    })
}

/// The `backendIPConfiguration` the load balancer shows for each of its NAT rules.
async fn targets(s: &Server, lb: &str) -> Vec<(String, Value)> {
    let (st, body) = s.get(&at(lb)).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["properties"]["inboundNatRules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["properties"]["backendIPConfiguration"]["id"].clone(),
            )
        })
        .collect()
}

fn with_rules(rules: &[&str]) -> Value {
    json!({"loadBalancerInboundNatRules": rules.iter().map(|r| json!({"id": r})).collect::<Vec<_>>()})
}

pub(super) async fn inbound_nat_rules(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    vnet(
        s,
        "rg",
        "far",
        &["10.9.0.0/16"],
        &[("other", &["10.9.1.0/24"])],
    )
    .await;
    let web = subnet_id("rg", "v", "web");
    let other = subnet_id("rg", "far", "other");
    let (pip, _) = standard_pip(s, "rg", "lbip").await;
    let lb = lb_id("rg", "lb");
    put_checked(
        s,
        &lb,
        lb_body(
            &pip,
            vec![rule_body("ssh-0", 50000), rule_body("ssh-1", 50001)],
        ),
        StatusCode::CREATED,
    )
    .await;
    let (ssh0, ssh1) = (nat_rule(&lb, "ssh-0"), nat_rule(&lb, "ssh-1"));
    assert_eq!(
        targets(s, &lb).await,
        vec![("ssh-0".into(), Value::Null), ("ssh-1".into(), Value::Null)]
    );

    // A configuration takes a rule; both sides show it.
    let (st, body) = put_nic(
        s,
        "rg",
        "n0",
        vec![ipc_with("ipconfig1", &web, with_rules(&[&ssh0]))],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let config0 = config_id("rg", "n0", "ipconfig1");
    let rules =
        &body["properties"]["ipConfigurations"][0]["properties"]["loadBalancerInboundNatRules"];
    assert_eq!(ids(rules), vec![ssh0.clone()]);
    let (_, got) = s.get(&at(&nic_id("rg", "n0"))).await;
    assert_eq!(
        ids(&got["properties"]["ipConfigurations"][0]["properties"]["loadBalancerInboundNatRules"]),
        vec![ssh0.clone()]
    );
    assert_eq!(
        targets(s, &lb).await,
        vec![
            ("ssh-0".into(), json!(config0)),
            ("ssh-1".into(), Value::Null)
        ]
    );

    // One configuration per rule.
    let (st, body) = put_nic(
        s,
        "rg",
        "n1",
        vec![ipc_with("ipconfig1", &web, with_rules(&[&ssh0]))],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InboundNatRuleInUse");
    assert_eq!(
        msg,
        format!(
            "Resource {} is referencing inbound NAT rule {ssh0} that is already used by resource {config0}. An inbound NAT rule forwards to one IP configuration.",
            config_id("rg", "n1", "ipconfig1")
        )
    );
    // A rule that does not exist, and one of a load balancer tied to another network.
    let missing = nat_rule(&lb, "rdp");
    let (st, body) = put_nic(
        s,
        "rg",
        "n1",
        vec![ipc_with("ipconfig1", &web, with_rules(&[&missing]))],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceReference");
    assert_contains(&msg, &missing);
    let (st, body) = put_nic(
        s,
        "rg",
        "n1",
        vec![ipc_with("ipconfig1", &other, with_rules(&[&ssh1]))],
    )
    .await;
    let msg = assert_error(st, &body, 400, "InboundNatRuleInDifferentVnet");
    assert_eq!(
        msg,
        format!(
            "IP configuration {} cannot use inbound NAT rule {ssh1}: its load balancer is tied to another virtual network.",
            config_id("rg", "n1", "ipconfig1")
        )
    );
    // Two rules without floating IP cannot forward to one port of one configuration.
    let (st, body) = put_nic(
        s,
        "rg",
        "n0",
        vec![ipc_with("ipconfig1", &web, with_rules(&[&ssh0, &ssh1]))],
    )
    .await;
    let msg = assert_error(st, &body, 400, "RulesUseSameBackendPortProtocolAndIPConfig");
    assert_eq!(
        msg,
        format!("Load balancer rules {ssh0} and {ssh1} with floating IP disabled use the same backend port 22 and protocol Tcp, and must not be used with the same backend IP {config0}.")
    );
    // Nothing of the refused writes remains.
    let (st, _) = s.get(&at(&nic_id("rg", "n1"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A rule in use stays: not dropped from its load balancer, nor deleted with it.
    let (st, body) = s
        .put(&at(&lb), lb_body(&pip, vec![rule_body("ssh-1", 50001)]))
        .await;
    let msg = assert_error(st, &body, 400, "InboundNatRuleInUse");
    assert_eq!(
        msg,
        format!("Inbound NAT rule {ssh0} is in use by {config0} and cannot be deleted.")
    );
    let (st, _, body) = delete(s, &lb).await;
    assert_error(st, &body, 400, "InboundNatRuleInUse");
    // Changed in place, it keeps its target.
    put_checked(
        s,
        &lb,
        lb_body(
            &pip,
            vec![rule_body("ssh-0", 50010), rule_body("ssh-1", 50001)],
        ),
        StatusCode::OK,
    )
    .await;
    assert_eq!(targets(s, &lb).await[0].1, json!(config0));

    // Let go, it may be removed; the configuration may take another one.
    let (st, body) = put_nic(
        s,
        "rg",
        "n0",
        vec![ipc_with("ipconfig1", &web, with_rules(&[&ssh1]))],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        targets(s, &lb).await,
        vec![
            ("ssh-0".into(), Value::Null),
            ("ssh-1".into(), json!(config0))
        ]
    );
    put_checked(
        s,
        &lb,
        lb_body(&pip, vec![rule_body("ssh-1", 50001)]),
        StatusCode::OK,
    )
    .await;

    // The load balancer's children are read one by one, as the SDKs read them.
    let (st, rule) = s.get(&at(&ssh1)).await;
    assert_eq!(st, StatusCode::OK, "{rule}");
    assert_eq!(rule["id"], ssh1);
    assert_eq!(
        rule["type"],
        "Microsoft.Network/loadBalancers/inboundNatRules"
    );
    assert_eq!(rule["properties"]["frontendPort"], 50001);
    assert_eq!(rule["properties"]["backendIPConfiguration"]["id"], config0);
    assert_eq!(rule["properties"]["provisioningState"], "Succeeded");
    let (st, list) = s.get(&at(&format!("{lb}/inboundNatRules"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(names(&list), vec!["ssh-1"]);
    let (st, fes) = s.get(&at(&format!("{lb}/frontendIPConfigurations"))).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        ids(&fes["value"]),
        vec![format!("{lb}/frontendIPConfigurations/public")]
    );
    for (word, ty) in [
        ("probes", "probes"),
        ("loadBalancingRules", "loadBalancingRules"),
    ] {
        let (st, list) = s.get(&at(&format!("{lb}/{word}"))).await;
        assert_eq!(st, StatusCode::OK, "{list}");
        assert_eq!(names(&list), Vec::<String>::new(), "{ty}");
    }
    let (st, list) = s.get(&at(&format!("{lb}/networkInterfaces"))).await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(names(&list), vec!["n0"]);
    let (st, body) = s.get(&at(&format!("{lb}/probes/nosuch"))).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // Probes are written with their load balancer only: Azure has no PUT for one.
    let (st, body) = s
        .put(&at(&format!("{lb}/probes/p")), json!({"properties": {}}))
        .await;
    assert_error(st, &body, 405, "MethodNotAllowed");

    // A NAT rule written and deleted on its own (`InboundNatRules_CreateOrUpdate`).
    let rdp = nat_rule(&lb, "rdp");
    let (st, hdrs, body) = s
        .call(Method::PUT, &at(&rdp), Some(json!({"properties": {"protocol": "Tcp", "frontendPort": 53389, "backendPort": 3389}})))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], rdp);
    poll_succeeded(s, &hdrs).await;
    let (st, body) = s
        .put(
            &at(&rdp),
            json!({"properties": {"protocol": "Tcp", "frontendPort": 53390, "backendPort": 3389}}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["frontendPort"], 53390);
    let (_, got) = s.get(&at(&lb)).await;
    assert_eq!(got["properties"]["inboundNatRules"][1]["name"], "rdp");
    let (st, body) = put_nic(
        s,
        "rg",
        "n2",
        vec![ipc_with("ipconfig1", &web, with_rules(&[&rdp]))],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, _, body) = delete(s, &rdp).await;
    assert_error(st, &body, 400, "InboundNatRuleInUse");
    delete_ok(s, &nic_id("rg", "n2")).await;
    delete_ok(s, &rdp).await;
    let (st, _, _) = delete(s, &rdp).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = s.get(&at(&rdp)).await;
    assert_error(st, &body, 404, "ResourceNotFound");

    // A deleted NIC lets its rule go.
    delete_ok(s, &nic_id("rg", "n0")).await;
    assert_eq!(targets(s, &lb).await, vec![("ssh-1".into(), Value::Null)]);

    // Ten NICs racing for one rule: one wins.
    let reqs = (0..10)
        .map(|i| {
            (
                at(&nic_id("rg", &format!("racer{i}"))),
                nic_body(vec![ipc_with("ipconfig1", &web, with_rules(&[&ssh1]))]),
            )
        })
        .collect();
    let winner = super::concurrency::one_winner(s, reqs, "InboundNatRuleInUse").await;
    assert_eq!(
        targets(s, &lb).await,
        vec![(
            "ssh-1".into(),
            json!(config_id("rg", &format!("racer{winner}"), "ipconfig1"))
        )]
    );

    // The group goes with everything in it (NICs before the load balancer their rules are on).
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (st, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "Succeeded", "{op}");
    let (st, list) = s.get(&list_path(None, "loadBalancers")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(names(&list).is_empty(), "{list}");
}
