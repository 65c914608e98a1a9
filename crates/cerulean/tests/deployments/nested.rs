//! Nested deployments (`Microsoft.Resources/deployments` inside a template, what Bicep modules
//! compile to): each is a deployment of its own, run in its parent's turn; its outputs feed
//! the parent's expressions; its failures fail the parent.

use super::*;

/// A module as Bicep compiles it: a virtual network with a subnet, its id as an output.
fn network_module(name: &str, vnet: Value, group: Option<&str>) -> Value {
    let mut m = json!({
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": name,
        "properties": {
            "expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental",
            "parameters": {"vnetName": {"value": vnet}},
            "template": {
                "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                "contentVersion": "1.0.0.0",
                "parameters": {"vnetName": {"type": "string"}},
                "resources": [{
                    "type": "Microsoft.Network/virtualNetworks",
                    "apiVersion": "2024-07-01",
                    "name": "[parameters('vnetName')]",
                    "location": "[resourceGroup().location]",
                    "properties": {
                        "addressSpace": {"addressPrefixes": ["10.7.0.0/16"]},
                        "subnets": [{"name": "apps", "properties": {"addressPrefix": "10.7.1.0/24"}}]
                    }
                }],
                "outputs": {
                    "subnetId": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks/subnets', parameters('vnetName'), 'apps')]"},
                    "group": {"type": "string", "value": "[resourceGroup().name]"}
                }
            }
        }
    });
    if let Some(g) = group {
        m["resourceGroup"] = json!(g);
    }
    m
}

fn nic_using(module: &str, name: &str) -> Value {
    json!({
        "type": "Microsoft.Network/networkInterfaces",
        "apiVersion": "2024-07-01",
        "name": name,
        "location": LOC,
        "dependsOn": [format!("[resourceId('Microsoft.Resources/deployments', '{module}')]")],
        "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
            "privateIPAllocationMethod": "Dynamic",
            "subnet": {"id": format!("[reference(resourceId('Microsoft.Resources/deployments', '{module}'), '2022-09-01').outputs.subnetId.value]")}
        }}]}
    })
}

/// GET a deployment.
async fn shown(s: &Server, rg: &str, name: &str) -> (StatusCode, Value) {
    s.get(&format!("{}?{RAPI}", deployment_path(rg, name)))
        .await
}

async fn absent(s: &Server, id: &str, why: &str) {
    let (st, body) = s.get(&format!("{id}?{API}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{id}: {why}: {body}");
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_ascii_lowercase())
        .collect()
}

#[tokio::test]
async fn a_module_deploys_as_a_deployment_of_its_own_and_its_outputs_feed_the_parent() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let mut tpl = tpl_with(json!([
        nic_using("network", "web-nic"),
        network_module("network", json!("[parameters('vnet')]"), None),
    ]));
    tpl["parameters"] = json!({"vnet": {"type": "string"}});
    tpl["outputs"] = json!({"subnet": {"type": "string", "value": "[reference('network').outputs.subnetId.value]"}});
    let (status, d) = deploy(
        &s,
        "rg",
        "main",
        tpl,
        params(&[("vnet", json!("hub"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let subnet = res(
        "rg",
        "Microsoft.Network/virtualNetworks",
        "hub/subnets/apps",
    );
    assert_eq!(d["properties"]["outputs"]["subnet"]["value"], json!(subnet));
    // The parent lists what its module created, not the module itself.
    let created = ids(&d["properties"]["outputResources"]);
    assert!(
        created
            .contains(&res("rg", "Microsoft.Network/virtualNetworks", "hub").to_ascii_lowercase()),
        "{created:?}"
    );
    assert!(
        created.contains(
            &res("rg", "Microsoft.Network/networkInterfaces", "web-nic").to_ascii_lowercase()
        ),
        "{created:?}"
    );
    assert!(
        !created
            .iter()
            .any(|id| id.contains("/microsoft.resources/deployments/")),
        "{created:?}"
    );
    // The module ran first, as a Create of a deployment in the parent's operations.
    let ops = operations(&s, "rg", "main").await;
    let targets = target_types(&ops);
    assert_eq!(
        targets,
        [
            "Microsoft.Resources/deployments",
            "Microsoft.Network/networkInterfaces"
        ],
        "{ops:?}"
    );
    // The module is a deployment of the group, with its own outputs and operations.
    let (st, m) = shown(&s, "rg", "network").await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert_eq!(m["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        m["properties"]["outputs"]["subnetId"]["value"],
        json!(subnet)
    );
    assert_eq!(m["properties"]["parameters"]["vnetName"]["value"], "hub");
    let inner = operations(&s, "rg", "network").await;
    assert_eq!(inner.len(), 1, "{inner:?}");
    // The NIC got its address in the module's subnet.
    let nic = get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "web-nic"),
    )
    .await;
    let ip = &nic["properties"]["ipConfigurations"][0]["properties"];
    assert_eq!(ip["privateIPAddress"], "10.7.1.4", "{nic}");
    assert_eq!(
        ip["subnet"]["id"].as_str().unwrap().to_ascii_lowercase(),
        subnet.to_ascii_lowercase()
    );
}

#[tokio::test]
async fn outer_scope_modules_see_the_parents_symbols_and_modules_nest_and_target_other_groups() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    group(&s, "shared").await;
    // Outer scope (the default): the nested template uses the parent's parameter and
    // variable, and a copy loop of its own.
    let outer = json!({
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2019-10-01",
        "name": "ips",
        "properties": {"mode": "Incremental", "template": {
            "resources": [{
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01",
                "name": "[concat(variables('prefix'), copyIndex())]",
                "copy": {"name": "ips", "count": "[parameters('count')]"},
                "location": LOC, "properties": {}
            }]
        }}
    });
    // A module in another group, holding a module of its own.
    let mut inner = network_module("deeper", json!("spoke"), None);
    inner["properties"]["template"]["outputs"]["group"] =
        json!({"type": "string", "value": "[resourceGroup().name]"});
    let wrapper = json!({
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "wrapper",
        "resourceGroup": "shared",
        "properties": {
            "expressionEvaluationOptions": {"scope": "inner"},
            "mode": "Incremental",
            "template": {
                "resources": [inner],
                "outputs": {"group": {"type": "string", "value": "[reference('deeper').outputs.group.value]"}}
            }
        }
    });
    let mut tpl = tpl_with(json!([outer, wrapper]));
    tpl["parameters"] = json!({"count": {"type": "int", "defaultValue": 1}});
    tpl["variables"] = json!({"prefix": "edge-"});
    tpl["outputs"] = json!({"where": {"type": "string", "value": "[reference(resourceId('shared', 'Microsoft.Resources/deployments', 'wrapper'), '2022-09-01').outputs.group.value]"}});
    let (status, d) = deploy(
        &s,
        "rg",
        "main",
        tpl,
        params(&[("count", json!(2))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    for name in ["edge-0", "edge-1"] {
        get_ok(&s, &res("rg", "Microsoft.Network/publicIPAddresses", name)).await;
    }
    get_ok(
        &s,
        &res("shared", "Microsoft.Network/virtualNetworks", "spoke"),
    )
    .await;
    assert_eq!(
        d["properties"]["outputs"]["where"]["value"], "shared",
        "{d}"
    );
    // Each module is a deployment of the group it deployed to.
    let (st, w) = shown(&s, "shared", "wrapper").await;
    assert_eq!(st, StatusCode::OK, "{w}");
    let (st, deeper) = shown(&s, "shared", "deeper").await;
    assert_eq!(st, StatusCode::OK, "{deeper}");
    assert_eq!(deeper["properties"]["provisioningState"], "Succeeded");
    // The outer-scope module received the parent's parameters.
    let (_, ips) = shown(&s, "rg", "ips").await;
    assert_eq!(
        ips["properties"]["parameters"]["count"]["value"], 2,
        "{ips}"
    );
    let all = ids(&d["properties"]["outputResources"]);
    assert!(
        all.contains(
            &res("shared", "Microsoft.Network/virtualNetworks", "spoke").to_ascii_lowercase()
        ),
        "{all:?}"
    );
    assert_eq!(all.len(), 3, "{all:?}");
}

#[tokio::test]
async fn a_failing_module_fails_its_parent_with_its_own_errors() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    // The module's NIC names a subnet that does not exist.
    let failing = json!({
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "broken",
        "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental", "template": {
            "resources": [{
                "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-07-01", "name": "lost",
                "location": LOC,
                "properties": {"ipConfigurations": [{"name": "c", "properties": {"subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'nowhere', 'none')]"}}}]}
            }]
        }}
    });
    let tpl = tpl_with(json!([
        failing,
        pip("independent", &[]),
        nic_using("broken", "after")
    ]));
    let (status, d) = deploy(&s, "rg", "main", tpl, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Failed", "{status}");
    let e = &d["properties"]["error"];
    assert_eq!(e["code"], "DeploymentFailed", "{e}");
    // The parent's detail is the module's own DeploymentFailed, which holds the NIC's error.
    let detail = &e["details"][0];
    assert_eq!(detail["code"], "DeploymentFailed", "{e}");
    assert_eq!(
        detail["details"][0]["code"], "InvalidResourceReference",
        "{e}"
    );
    // What depends on the module was not attempted; what does not, was.
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "independent"),
    )
    .await;
    absent(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "after"),
        "it was never created",
    )
    .await;
    let (_, m) = shown(&s, "rg", "broken").await;
    assert_eq!(m["properties"]["provisioningState"], "Failed", "{m}");

    // A module whose template is bad is refused with its parent, before anything is created.
    let mut bad = json!({
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "typo",
        "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "template": {
            "parameters": {"p": {"type": "string", "defaultValue": "x"}},
            "resources": [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "[noSuchFunction()]", "location": LOC}]
        }}
    });
    let (st, body) = put_invalid(
        &s,
        tpl_with(json!([pip("unborn", &[]), bad.clone()])),
        json!({}),
    )
    .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "InvalidTemplate", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("noSuchFunction"),
        "{body}"
    );
    absent(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "unborn"),
        "it was never created",
    )
    .await;
    // When its parameters need what the parent deploys first, it can only be checked as it is
    // submitted: the parent fails then, with the module's refusal.
    bad["properties"]["parameters"] =
        json!({"p": {"value": "[reference('first').provisioningState]"}});
    let (status, d) = deploy(
        &s,
        "rg",
        "second",
        tpl_with(json!([pip("first", &[]), bad])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Failed", "{status}");
    let detail = &d["properties"]["error"]["details"][0];
    assert_eq!(detail["code"], "InvalidTemplate", "{d}");
    assert!(
        detail["message"]
            .as_str()
            .unwrap()
            .contains("noSuchFunction"),
        "{d}"
    );
}

#[tokio::test]
async fn nested_deployments_are_incremental_and_nest_at_most_ten_deep() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let mut complete = network_module("net", json!("v"), None);
    complete["properties"]["mode"] = json!("Complete");
    let (st, body) = put_invalid(&s, tpl_with(json!([complete])), json!({})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "InvalidTemplate");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(
            "Specified deployment mode 'Complete' is not supported for nested deployment."
        ),
        "{msg}"
    );
    let (st, _) = shown(&s, "rg", "bad").await;
    assert_eq!(st, StatusCode::NOT_FOUND, "nothing was recorded");

    let mut linked = network_module("net", json!("v"), None);
    linked["properties"] =
        json!({"mode": "Incremental", "templateLink": {"uri": "https://example.com/net.json"}});
    let (st, body) = put_invalid(&s, tpl_with(json!([linked])), json!({})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "InvalidTemplateDeployment", "{body}");

    // Eleven levels: refused up front when every level can be planned; otherwise the
    // innermost is refused as it is submitted, failing every level above it.
    let chain = |first_waits: bool| {
        let mut t = tpl_with(json!([pip("bottom", &[])]));
        for level in (1..=11).rev() {
            let mut d = json!({
                "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",
                "name": format!("level{level}"),
                "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental", "template": t}
            });
            if level == 1 && first_waits {
                d["properties"]["template"]["parameters"] = json!({"p": {"type": "string"}});
                d["properties"]["parameters"] =
                    json!({"p": {"value": "[reference('anchor').provisioningState]"}});
                t = tpl_with(json!([d, pip("anchor", &[])]));
            } else {
                t = tpl_with(json!([d]));
            }
        }
        t
    };
    let (st, body) = put_invalid(&s, chain(false), json!({})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10 levels deep"),
        "{body}"
    );
    let (st, _) = shown(&s, "rg", "level1").await;
    assert_eq!(st, StatusCode::NOT_FOUND, "nothing ran");
    let (status, top) = deploy(&s, "rg", "top", chain(true), json!({}), "Incremental").await;
    assert_eq!(status["status"], "Failed", "{status}");
    let e = &top["properties"]["error"]["details"][0];
    assert_eq!(e["code"], "InvalidTemplate", "{top}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("at most 10 levels deep"),
        "{top}"
    );
    // level1 was refused as it was submitted (its own check plans the levels below it).
    let (st, _) = shown(&s, "rg", "level1").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    absent(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "bottom"),
        "it was never created",
    )
    .await;
}

#[tokio::test]
async fn complete_mode_keeps_what_modules_deploy_and_what_if_looks_inside_them() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "old",
        tpl_with(json!([pip("stale", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let tpl = tpl_with(json!([
        network_module("network", json!("hub"), None),
        pip("own", &[])
    ]));

    // What-if shows the module's resources, not the module.
    let (st, _, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", deployment_path("rg", "main")),
            Some(json!({"properties": {"template": tpl, "mode": "Complete"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi}");
    let changes: Vec<(String, String)> = wi["properties"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["resourceId"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string(),
                c["changeType"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("hub".into(), "Create".into()),
            ("own".into(), "Create".into()),
            ("stale".into(), "Delete".into())
        ],
        "{wi}"
    );
    let (st, _) = shown(&s, "rg", "network").await;
    assert_eq!(st, StatusCode::NOT_FOUND, "what-if deploys nothing");

    let (status, _) = deploy(&s, "rg", "main", tpl.clone(), json!({}), "Complete").await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    get_ok(&s, &res("rg", "Microsoft.Network/virtualNetworks", "hub")).await;
    get_ok(&s, &res("rg", "Microsoft.Network/publicIPAddresses", "own")).await;
    absent(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "stale"),
        "Complete mode deletes what nothing declares",
    )
    .await;

    // Once deployed, the module's resources show as NoChange; a module whose parameters need
    // a resource not deployed yet cannot be predicted.
    let waiting = network_module("later", json!("[reference('fresh').ipAddress]"), None);
    let (st, _, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", deployment_path("rg", "main")),
            Some(json!({"properties": {"template": tpl_with(json!([network_module("network", json!("hub"), None), pip("own", &[]), waiting, pip("fresh", &[])])), "mode": "Incremental"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi}");
    let changes = wi["properties"]["changes"].as_array().unwrap();
    assert_eq!(changes[0]["changeType"], "NoChange", "{wi}");
    let later = changes
        .iter()
        .find(|c| c["resourceId"].as_str().unwrap().ends_with("/later"))
        .expect("the unpredictable module");
    assert_eq!(later["changeType"], "Unsupported", "{wi}");
    assert!(
        later["unsupportedReason"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "{wi}"
    );
}

#[tokio::test]
async fn cancelling_a_deployment_cancels_the_module_it_is_waiting_for() {
    let s = Server::start(&["--latency", "1500ms"]);
    group(&s, "rg").await;
    let module = json!({
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "slow",
        "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
            "template": tpl_with(json!([pip("a", &[]), pip("b", &["a"]), pip("c", &["b"])]))}
    });
    let body =
        json!({"properties": {"template": tpl_with(json!([module])), "mode": "Incremental"}});
    let path = format!("{}?{RAPI}", deployment_path("rg", "main"));
    let (st, hdrs, _) = s.call(Method::PUT, &path, Some(body)).await;
    assert_eq!(st, StatusCode::CREATED);
    let nested = format!("{}?{RAPI}", deployment_path("rg", "slow"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (st, d) = s.get(&nested).await;
        if st == StatusCode::OK && d["properties"]["provisioningState"] == "Running" {
            break;
        }
        assert!(Instant::now() < deadline, "the module never started: {d}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (st, _, _) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment_path("rg", "main")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let status = poll(&s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
    assert_eq!(status["status"], "Canceled", "{status}");
    let (_, d) = s.get(&nested).await;
    assert_eq!(d["properties"]["provisioningState"], "Canceled", "{d}");
    absent(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "c"),
        "it was never created",
    )
    .await;
}

#[tokio::test]
async fn the_seeds_vm_with_two_nics_from_modules() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "main",
        template("vm-modules.json"),
        params(&[("adminPassword", json!("S3cret!pass-1234"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let out = &d["properties"]["outputs"];
    assert_eq!(out["primaryPrivateIp"]["value"], "10.0.1.4", "{d}");
    assert_eq!(out["secondaryPrivateIp"]["value"], "10.0.2.4", "{d}");
    let vm = get_ok(&s, &res("rg", "Microsoft.Compute/virtualMachines", "vm1")).await;
    let nics = vm["properties"]["networkProfile"]["networkInterfaces"]
        .as_array()
        .unwrap();
    assert_eq!(nics.len(), 2, "{vm}");
    assert!(
        nics[0]["id"].as_str().unwrap().ends_with("/vm1-nic1"),
        "{vm}"
    );
    assert_eq!(nics[0]["properties"]["primary"], true);
    let (_, list) = s
        .get(&format!(
            "{}/providers/Microsoft.Resources/deployments?{RAPI}",
            group_id("rg")
        ))
        .await;
    let mut names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["main", "network", "nic-1", "nic-2"]);
    // The password reached the VM, and no deployment echoes it.
    assert!(!list.to_string().contains("S3cret"), "{list}");
}
