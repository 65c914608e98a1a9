//! Subscription deployments (`az deployment sub create`, Bicep's `targetScope =
//! 'subscription'`): a template that creates resource groups and deploys modules into them.

use super::*;

fn sub_deployment(name: &str) -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.Resources/deployments/{name}")
}

/// Creates group `rg` and, in it, the network module of `nested.rs`'s shape; outputs the
/// module's subnet id.
fn landing_zone() -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"rgName": {"type": "string"}, "location": {"type": "string", "defaultValue": "[deployment().location]"}},
        "resources": [
            {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01",
             "name": "[parameters('rgName')]", "location": "[parameters('location')]", "tags": {"env": "test"}},
            {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "network",
             "resourceGroup": "[parameters('rgName')]",
             "dependsOn": ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rgName'))]"],
             "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
                "template": {"resources": [{
                    "type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01", "name": "hub",
                    "location": "[resourceGroup().location]",
                    "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]},
                                   "subnets": [{"name": "apps", "properties": {"addressPrefix": "10.9.1.0/24"}}]}}],
                    "outputs": {"subnetId": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'hub', 'apps')]"},
                                "group": {"type": "string", "value": "[resourceGroup().name]"}}}}}
        ],
        "outputs": {
            "subnetId": {"type": "string", "value": "[reference(extensionResourceId(format('/subscriptions/{0}/resourceGroups/{1}', subscription().subscriptionId, parameters('rgName')), 'Microsoft.Resources/deployments', 'network'), '2022-09-01').outputs.subnetId.value]"},
            "groupId": {"type": "string", "value": "[subscriptionResourceId('Microsoft.Resources/resourceGroups', parameters('rgName'))]"},
            "where": {"type": "string", "value": "[deployment().location]"}
        }
    })
}

/// The names of a list's deployments.
fn names(list: &Value) -> Vec<&str> {
    list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect()
}

async fn put_sub(
    s: &Server,
    name: &str,
    body: Value,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    s.call(
        Method::PUT,
        &format!("{}?{RAPI}", sub_deployment(name)),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn a_subscription_deployment_creates_groups_and_deploys_modules_into_them() {
    landing_zone_scenario(&Server::start(&[])).await;
}

#[tokio::test]
async fn a_subscription_deployment_on_postgres() {
    let url = fresh_postgres();
    landing_zone_scenario(&Server::start(&["--database-url", &url])).await;
}

async fn landing_zone_scenario(s: &Server) {
    let body = json!({"location": "East US", "properties": {"mode": "Incremental", "template": landing_zone(),
        "parameters": {"rgName": {"value": "lz-app"}}}});
    let (st, hdrs, d) = put_sub(s, "main", body.clone()).await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    assert_eq!(d["location"], "eastus", "{d}");
    let status = poll(s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let (st, d) = s.get(&format!("{}?{RAPI}", sub_deployment("main"))).await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["id"], sub_deployment("main"));
    assert_eq!(d["location"], "eastus");
    let out = &d["properties"]["outputs"];
    assert_eq!(
        out["subnetId"]["value"],
        res(
            "lz-app",
            "Microsoft.Network/virtualNetworks",
            "hub/subnets/apps"
        ),
        "{d}"
    );
    assert_eq!(out["groupId"]["value"], group_id("lz-app"));
    assert_eq!(out["where"]["value"], "eastus");
    // The group exists, with the template's location and tags, and the module's network in it.
    let (st, g) = s.get(&rg_path("lz-app")).await;
    assert_eq!(st, StatusCode::OK, "{g}");
    assert_eq!(
        (g["location"].as_str(), g["tags"]["env"].as_str()),
        (Some("eastus"), Some("test"))
    );
    get_ok(
        s,
        &res("lz-app", "Microsoft.Network/virtualNetworks", "hub"),
    )
    .await;
    // The subscription's deployments and the group's are listed apart.
    let (_, list) = s
        .get(&format!(
            "/subscriptions/{SUB}/providers/Microsoft.Resources/deployments?{RAPI}"
        ))
        .await;
    assert_eq!(names(&list), ["main"], "{list}");
    let (_, list) = s
        .get(&format!(
            "{}/providers/Microsoft.Resources/deployments?{RAPI}",
            group_id("lz-app")
        ))
        .await;
    assert_eq!(names(&list), ["network"], "{list}");
    // Its operations: the group, then the module.
    let (_, ops) = s
        .get(&format!("{}/operations?{RAPI}", sub_deployment("main")))
        .await;
    let types = target_types(ops["value"].as_array().unwrap());
    assert_eq!(
        types,
        [
            "Microsoft.Resources/resourceGroups",
            "Microsoft.Resources/deployments"
        ],
        "{ops}"
    );
    // The same name elsewhere is refused; here it deploys again.
    let mut west = body.clone();
    west["location"] = json!("westus");
    let (st, _, e) = put_sub(s, "main", west).await;
    let msg = assert_error(st, &e, 400, "InvalidDeploymentLocation");
    assert_eq!(msg, "Invalid deployment location 'westus'. The deployment 'main' already exists in location 'eastus'.");
    let (st, hdrs, _) = put_sub(s, "main", body).await;
    assert_eq!(st, StatusCode::OK);
    let status = poll(s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    // exportTemplate, then DELETE forgets it; the group stays.
    let (st, _, t) = s
        .call(
            Method::POST,
            &format!("{}/exportTemplate?{RAPI}", sub_deployment("main")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(
        t["template"]["resources"][0]["type"],
        "Microsoft.Resources/resourceGroups"
    );
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("{}?{RAPI}", sub_deployment("main")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, e) = s.get(&format!("{}?{RAPI}", sub_deployment("main"))).await;
    assert_error(st, &e, 404, "DeploymentNotFound");
    let (st, _) = s.get(&rg_path("lz-app")).await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn subscription_deployments_are_checked_before_they_run() {
    let s = Server::start(&[]);
    let tpl = landing_zone();
    let with = |location: Option<&str>, mode: &str, template: Value| {
        let mut b = json!({"properties": {"mode": mode, "template": template, "parameters": {"rgName": {"value": "lz"}}}});
        if let Some(l) = location {
            b["location"] = json!(l);
        }
        b
    };
    let (st, _, e) = put_sub(&s, "d", with(None, "Incremental", tpl.clone())).await;
    assert_error(st, &e, 400, "LocationRequired");
    let (st, _, e) = put_sub(&s, "d", with(Some("eastus"), "Complete", tpl.clone())).await;
    let msg = assert_error(st, &e, 400, "InvalidParameter");
    assert!(
        msg.contains("'Complete' is not supported for a subscription deployment"),
        "{msg}"
    );
    // resourceGroup() names nothing here.
    let mut bad = tpl.clone();
    bad["resources"][0]["tags"] = json!({"from": "[resourceGroup().name]"});
    let (st, hdrs, e) = put_sub(&s, "d", with(Some("eastus"), "Incremental", bad)).await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
    let status = poll(&s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
    assert_eq!(status["status"], "Failed", "{status}");
    let (_, d) = s.get(&format!("{}?{RAPI}", sub_deployment("d"))).await;
    assert_eq!(d["properties"]["provisioningState"], "Failed", "{d}");
    let detail = d["properties"]["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("A subscription deployment has no resource group"),
        "{detail}"
    );
    // Nothing was created for the failed group; nothing else ran.
    let (st, _) = s.get(&rg_path("lz")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Validate and what-if: the group and the module are what it would create; a module
    // whose group does not exist yet cannot be looked into.
    let (st, _, v) = s
        .call(
            Method::POST,
            &format!("{}/validate?{RAPI}", sub_deployment("v")),
            Some(with(Some("eastus"), "Incremental", tpl.clone())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let validated: Vec<&str> = v["properties"]["validatedResources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        validated,
        [
            group_id("lz"),
            res("lz", "Microsoft.Resources/deployments", "network")
        ],
        "{v}"
    );
    let (st, _, wi) = s
        .call(
            Method::POST,
            &format!("{}/whatIf?{RAPI}", sub_deployment("v")),
            Some(with(Some("eastus"), "Incremental", tpl)),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{wi}");
    let changes: Vec<(&str, &str)> = wi["properties"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["resourceId"].as_str().unwrap(),
                c["changeType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(changes[0], (group_id("lz").as_str(), "Create"), "{wi}");
    assert_eq!(changes[1].1, "Unsupported", "{wi}");
}
