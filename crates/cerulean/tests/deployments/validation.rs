//! Templates refused before anything is created, the modes (complete deletes what the
//! template does not declare), what-if and validate.

use super::*;

// ---------------------------------------------------------------- template errors

#[tokio::test]
async fn bad_templates_are_refused_before_anything_is_created() {
    let s = Server::start(&[]);
    group(&s, "rg").await;

    // An unknown function, named with its position.
    let mut bad = pip("p", &[]);
    bad["properties"]["idleTimeoutInMinutes"] = json!("[frobnicate(1)]");
    let (st, body) = put_invalid(&s, tpl_with(json!([bad])), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("frobnicate"), "{msg}");
    assert!(
        body["error"]["target"]
            .as_str()
            .unwrap_or_default()
            .contains("resources[0]")
            || msg.contains("resources[0]"),
        "{body}"
    );

    // A dependency cycle, naming the resources in it.
    let (st, body) = put_invalid(
        &s,
        tpl_with(json!([pip("a", &["b"]), pip("b", &["a"])])),
        json!({}),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("Circular dependency"), "{msg}");
    assert!(
        msg.contains("publicIPAddresses/a") || msg.contains("'a'"),
        "{msg}"
    );

    // A missing parameter, an undeclared one, a value not allowed.
    let tpl = template("vm-two-nics.json");
    let (st, body) = put_invalid(&s, tpl.clone(), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("adminPassword"), "{msg}");
    let (st, body) = put_invalid(
        &s,
        tpl.clone(),
        params(&[
            ("adminPassword", json!("S3cret!")),
            ("colour", json!("blue")),
        ]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("colour"), "{msg}");
    let (st, body) = put_invalid(
        &s,
        tpl,
        params(&[
            ("adminPassword", json!("S3cret!")),
            ("vmSize", json!("Standard_M416ms_v2")),
        ]),
    )
    .await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(
        msg.contains("Standard_M416ms_v2") && !msg.contains("S3cret!"),
        "{msg}"
    );

    // No template at all; a mode that does not exist; a bad name.
    let (st, body) = put_invalid(&s, Value::Null, json!({})).await;
    assert_eq!(st.as_u16(), 400, "{body}");
    let (st, _, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "bad")),
            Some(json!({"properties": {"template": tpl_with(json!([])), "mode": "Everything"}})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
    let (st, _, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "bad%2Fname")),
            Some(json!({"properties": {"template": tpl_with(json!([]))}})),
        )
        .await;
    assert_eq!(st.as_u16(), 400, "{body}");

    // listKeys is known but not performed.
    let mut lk = pip("k", &[]);
    lk["tags"] = json!({"key": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 'acct'), '2023-01-01').keys[0].value]"});
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "keys")),
            Some(json!({"properties": {"template": tpl_with(json!([lk])), "mode": "Incremental"}})),
        )
        .await;
    let failed_inner = if st == StatusCode::NOT_IMPLEMENTED {
        body["error"].clone()
    } else {
        assert_eq!(st, StatusCode::CREATED, "{body}");
        let status = poll(&s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
        status["error"]["details"][0].clone()
    };
    assert_eq!(failed_inner["code"], "NotImplemented", "{failed_inner}");
    assert!(
        failed_inner["message"]
            .as_str()
            .unwrap()
            .contains("listKeys"),
        "{failed_inner}"
    );

    // Nothing was created by any of them, and no deployment record was left but 'keys'.
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    assert_eq!(list["value"], json!([]), "{list}");
    let (st, body) = s
        .get(&format!("{}?{RAPI}", deployment_path("rg", "bad")))
        .await;
    assert_error(st, &body, 404, "DeploymentNotFound");
}

// ---------------------------------------------------------------- modes, what-if, validate

#[tokio::test]
async fn complete_mode_deletes_what_the_template_does_not_declare() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "one",
        tpl_with(json!([pip("keep", &[]), pip("drop", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    // A generic resource too.
    let (st, body) = s
        .put(
            &format!(
                "{}?{API}",
                res("rg", "Microsoft.Network/networkSecurityGroups", "nsg")
            ),
            json!({"location": LOC, "properties": {}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // What-if in Complete mode announces the deletions; nothing changes yet.
    let (st, hdrs, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", deployment_path("rg", "two")),
            Some(json!({"properties": {"template": tpl_with(json!([pip("keep", &[]), pip("new", &[])])), "mode": "Complete"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi} {hdrs:?}");
    assert_eq!(wi["status"], "Succeeded");
    let changes: Vec<(String, String)> = wi["properties"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let id = c["resourceId"].as_str().unwrap();
            (
                id.rsplit('/').next().unwrap().to_string(),
                c["changeType"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        changes.contains(&("keep".into(), "NoChange".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("new".into(), "Create".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("drop".into(), "Delete".into())),
        "{changes:?}"
    );
    assert!(
        changes.contains(&("nsg".into(), "Delete".into())),
        "{changes:?}"
    );
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "drop"),
    )
    .await;

    let (status, _) = deploy(
        &s,
        "rg",
        "two",
        tpl_with(json!([pip("keep", &[]), pip("new", &[])])),
        json!({}),
        "Complete",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    let mut names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["keep", "new"]);
    let deletes: Vec<Value> = operations(&s, "rg", "two")
        .await
        .into_iter()
        .filter(|o| o["properties"]["provisioningOperation"] == "Delete")
        .collect();
    assert_eq!(deletes.len(), 2);
}

#[tokio::test]
async fn what_if_reports_modifications_with_their_delta() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "one",
        tpl_with(json!([pip("p", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let mut changed = pip("p", &[]);
    changed["properties"]["idleTimeoutInMinutes"] = json!(10);
    let (st, _, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", deployment_path("rg", "two")),
            Some(json!({"properties": {"template": tpl_with(json!([changed])), "mode": "Incremental"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi}");
    let c = &wi["properties"]["changes"][0];
    assert_eq!(c["changeType"], "Modify", "{c}");
    assert_eq!(
        c["delta"],
        json!([{"path": "properties.idleTimeoutInMinutes", "propertyChangeType": "Modify", "before": 4, "after": 10}])
    );
    assert_eq!(c["before"]["properties"]["idleTimeoutInMinutes"], 4);
    assert_eq!(c["after"]["properties"]["idleTimeoutInMinutes"], 10);
}

#[tokio::test]
async fn validate_checks_without_deploying() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", deployment_path("rg", "v")),
            Some(json!({"properties": {"template": template("nics-copy.json"), "parameters": params(&[("count", json!(2))]), "mode": "Incremental"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        v["properties"]["validatedResources"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    assert_eq!(list["value"], json!([]));
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", deployment_path("rg", "v")),
            Some(json!({"properties": {"template": template("nics-copy.json"), "parameters": params(&[("count", json!("three"))])}})),
        )
        .await;
    assert_error(st, &v, 400, "InvalidTemplate");
    // A group that does not exist.
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", deployment_path("nope", "v")),
            Some(json!({"properties": {"template": tpl_with(json!([]))}})),
        )
        .await;
    assert_error(st, &v, 404, "ResourceGroupNotFound");
}

#[tokio::test]
async fn user_defined_functions_build_names_and_bodies() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let functions = json!([{"namespace": "net", "members": {
        "pipName": {"parameters": [{"name": "app", "type": "string"}, {"name": "i", "type": "int"}],
                    "output": {"type": "string", "value": "[format('{0}-pip-{1}', toLower(parameters('app')), parameters('i'))]"}},
        "dns": {"parameters": [{"name": "label", "type": "string"}],
                "output": {"type": "object", "value": {"domainNameLabel": "[parameters('label')]"}}}
    }}]);
    let mut tpl = tpl_with(json!([{
        "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01",
        "name": "[net.pipName(parameters('app'), copyIndex())]", "location": LOC,
        "copy": {"name": "pips", "count": 2},
        "properties": {"dnsSettings": "[net.dns(concat('web', copyIndex()))]"}
    }]));
    tpl["parameters"] = json!({"app": {"type": "string", "defaultValue": "Shop"}});
    tpl["functions"] = functions.clone();
    tpl["outputs"] = json!({"first": {"type": "string", "value": "[net.pipName('Out', 0)]"}});
    let (status, d) = deploy(&s, "rg", "udf", tpl, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    assert_eq!(d["properties"]["outputs"]["first"]["value"], "out-pip-0");
    let made = get_ok(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "shop-pip-1"),
    )
    .await;
    assert_eq!(
        made["properties"]["dnsSettings"]["domainNameLabel"], "web1",
        "{made}"
    );

    // A function that reaches outside its parameters is refused before anything runs.
    let mut bad = tpl_with(json!([pip("never", &[])]));
    bad["variables"] = json!({"v": "x"});
    bad["functions"] = json!([{"namespace": "n", "members": {"f": {"output": {"type": "string", "value": "[variables('v')]"}}}}]);
    let (st, body) = put_invalid(&s, bad, json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(msg.contains("can't use variables"), "{msg}");
    assert_eq!(
        body["error"]["target"], "functions[0].members.f.output.value",
        "{body}"
    );
}

#[tokio::test]
async fn language_version_2_templates_deploy_with_symbols_existing_and_types() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    // The network exists already: the template only reads it.
    let (st, body) = s
        .put(
            &format!("{}?{API}", res("rg", "Microsoft.Network/virtualNetworks", "shared")),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.4.0.0/16"]},
                "subnets": [{"name": "apps", "properties": {"addressPrefix": "10.4.1.0/24"}}]}}),
        )
        .await;
    assert!(st.is_success(), "{body}");
    let tpl = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "definitions": {"nicSpec": {"type": "object", "properties": {"name": {"type": "string"}}}},
        "parameters": {
            "nic": {"$ref": "#/definitions/nicSpec", "defaultValue": {"name": "v2-nic"}},
            "comment": {"type": "string", "nullable": true}
        },
        "resources": {
            "vnet": {"existing": true, "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01", "name": "shared"},
            "nicResource": {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-07-01",
                "name": "[parameters('nic').name]", "location": LOC, "dependsOn": ["vnet"],
                "tags": {"space": "[string(reference('vnet').addressSpace.addressPrefixes[0])]"},
                "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": "[format('{0}/subnets/apps', resourceInfo('vnet').id)]"}}}]}},
            "labels": {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "labels",
                "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                    "template": {"languageVersion": "2.0", "contentVersion": "1.0.0.0", "resources": {},
                        "outputs": {"label": {"type": "string", "value": "from-module"}}}}}
        },
        "outputs": {
            "ip": {"type": "string", "value": "[reference('nicResource').ipConfigurations[0].properties.privateIPAddress]"},
            "label": {"type": "string", "value": "[reference('labels').outputs.label.value]"},
            "comment": {"type": "string", "nullable": true, "value": "[coalesce(parameters('comment'), 'none')]"}
        }
    });
    let (status, d) = deploy(&s, "rg", "v2", tpl, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let out = &d["properties"]["outputs"];
    assert_eq!(out["ip"]["value"], "10.4.1.4", "{d}");
    assert_eq!(out["label"]["value"], "from-module", "{d}");
    assert_eq!(out["comment"]["value"], "none", "{d}");
    let nic = get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "v2-nic"),
    )
    .await;
    assert_eq!(nic["tags"]["space"], "10.4.0.0/16", "{nic}");
    // The existing network was read, never written: no operation targets it.
    let ops = operations(&s, "rg", "v2").await;
    let types = target_types(&ops);
    assert_eq!(types.len(), 2, "{ops:?}");
    assert!(
        !types.contains(&"Microsoft.Network/virtualNetworks"),
        "{ops:?}"
    );
}

#[tokio::test]
async fn extension_resources_deploy_onto_the_resource_their_scope_names() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let assignment = json!({
        "type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
        "name": "[guid('net', 'reader')]",
        "scope": "[format('Microsoft.Network/virtualNetworks/{0}', 'net')]",
        "dependsOn": ["[resourceId('Microsoft.Network/virtualNetworks', 'net')]"],
        "properties": {
            "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')]",
            "principalId": "11111111-1111-1111-1111-111111111111", "principalType": "ServicePrincipal"
        }
    });
    let net = json!({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01", "name": "net",
        "location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}});
    let mut tpl = tpl_with(json!([net, assignment]));
    tpl["outputs"] = json!({"name": {"type": "string", "value": "[guid('net', 'reader')]"}});
    let (status, d) = deploy(&s, "rg", "rbac", tpl, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let name = d["properties"]["outputs"]["name"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let vnet = res("rg", "Microsoft.Network/virtualNetworks", "net");
    let (st, a) = s
        .get(&format!(
            "{vnet}/providers/Microsoft.Authorization/roleAssignments/{name}?api-version=2022-04-01"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(
        a["properties"]["scope"]
            .as_str()
            .unwrap()
            .to_ascii_lowercase(),
        vnet.to_ascii_lowercase()
    );
}
