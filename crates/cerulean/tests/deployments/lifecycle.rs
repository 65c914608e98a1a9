//! A deployment's life (cancelled, listed, exported, deleted) and the generic resources
//! templates and plain PUTs store for types cerulean does not model.

use super::*;

// ---------------------------------------------------------------- lifecycle

#[tokio::test]
async fn running_deployments_can_be_cancelled_but_not_replaced() {
    let s = Server::start(&["--latency", "1500ms"]);
    group(&s, "rg").await;
    let body = json!({"properties": {"template": tpl_with(json!([pip("a", &[]), pip("b", &["a"]), pip("c", &["b"])])), "mode": "Incremental"}});
    let path = format!("{}?{RAPI}", deployment_path("rg", "slow"));
    let (st, hdrs, _) = s.call(Method::PUT, &path, Some(body.clone())).await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, _, again) = s.call(Method::PUT, &path, Some(body.clone())).await;
    let msg = assert_error(st, &again, 409, "DeploymentActive");
    assert!(msg.contains("'slow'"), "{msg}");
    let (st, _, del) = s.call(Method::DELETE, &path, None).await;
    assert_error(st, &del, 409, "DeploymentActive");
    let (st, _, _) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment_path("rg", "slow")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let status = poll(&s, hdrs["azure-asyncoperation"].to_str().unwrap()).await;
    assert_eq!(status["status"], "Canceled", "{status}");
    let (_, d) = s.get(&path).await;
    assert_eq!(d["properties"]["provisioningState"], "Canceled");
    // Not every resource was created.
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "c")
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // A finished deployment cannot be cancelled.
    let (st, _, body) = s
        .call(
            Method::POST,
            &format!("{}/cancel?{RAPI}", deployment_path("rg", "slow")),
            None,
        )
        .await;
    assert_error(st, &body, 409, "DeploymentCannotBeCancelled");
}

#[tokio::test]
async fn deployments_are_listed_exported_and_deleted_and_are_not_resources() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    for name in ["d1", "d2"] {
        let (status, _) = deploy(
            &s,
            "rg",
            name,
            tpl_with(json!([pip(name, &[])])),
            json!({}),
            "Incremental",
        )
        .await;
        assert_eq!(status["status"], "Succeeded");
    }
    let (st, list) = s
        .get(&format!(
            "{}/providers/Microsoft.Resources/deployments?{RAPI}",
            group_id("rg")
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["d1", "d2"]);
    let (_, resources) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    assert_eq!(
        resources["value"].as_array().unwrap().len(),
        2,
        "{resources}"
    );

    let (st, _, exported) = s
        .call(
            Method::POST,
            &format!("{}/exportTemplate?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(exported["template"]["resources"][0]["name"], "d1");

    let (st, _, _) = s
        .call(
            Method::HEAD,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = s
        .call(
            Method::DELETE,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _, _) = s
        .call(
            Method::HEAD,
            &format!("{}?{RAPI}", deployment_path("rg", "d1")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body) = s
        .get(&format!("{}?{RAPI}", deployment_path("rg", "d1")))
        .await;
    let msg = assert_error(st, &body, 404, "DeploymentNotFound");
    assert_eq!(msg, "Deployment 'd1' could not be found.");
    // Its resources stay.
    get_ok(&s, &res("rg", "Microsoft.Network/publicIPAddresses", "d1")).await;
    // A deployment in a group that does not exist.
    let (st, body) = s
        .get(&format!("{}?{RAPI}", deployment_path("nope", "d1")))
        .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

// ---------------------------------------------------------------- generic resources

#[tokio::test]
async fn unmodelled_types_are_stored_as_generic_resources() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let nsg = res("rg", "Microsoft.Network/networkSecurityGroups", "web-nsg");
    let (st, body) = s
        .put(
            &format!("{nsg}?{API}"),
            json!({"location": "East US", "tags": {"env": "test"}, "properties": {"securityRules": []}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], nsg);
    assert_eq!(body["name"], "web-nsg");
    assert_eq!(body["type"], "Microsoft.Network/networkSecurityGroups");
    assert_eq!(body["location"], "eastus");
    assert_eq!(body["tags"], json!({"env": "test"}));
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(body["properties"]["securityRules"], json!([]));

    // A child needs its parent.
    let rule = format!("{nsg}/securityRules/allow-ssh");
    let (st, body) = s
        .put(
            &format!("{rule}?{API}"),
            json!({"properties": {"priority": 100, "access": "Allow"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let orphan = format!(
        "{}/securityRules/r",
        res("rg", "Microsoft.Network/networkSecurityGroups", "nope")
    );
    let (st, body) = s
        .put(&format!("{orphan}?{API}"), json!({"properties": {}}))
        .await;
    let msg = assert_error(st, &body, 404, "ParentResourceNotFound");
    assert!(msg.contains("'nope'"), "{msg}");

    // Lists of the type, and of the child type under its parent.
    let (st, list) = s
        .get(&format!(
            "{}/providers/Microsoft.Network/networkSecurityGroups?{API}",
            group_id("rg")
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["value"].as_array().unwrap().len(), 1);
    let (_, list) = s.get(&format!("{nsg}/securityRules?{API}")).await;
    assert_eq!(list["value"][0]["name"], "allow-ssh", "{list}");

    // PATCH merges tags; an unknown location is refused; tag rules apply.
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &format!("{nsg}?{API}"),
            Some(json!({"tags": {"env": "prod"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["tags"], json!({"env": "prod"}));
    assert_eq!(body["properties"]["securityRules"], json!([]));
    let (st, body) = s
        .put(
            &format!(
                "{}?{API}",
                res("rg", "Microsoft.Storage/storageAccounts", "acct")
            ),
            json!({"location": "atlantis"}),
        )
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceType");

    // The generic list sees it; actions on it are not implemented.
    let (_, list) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    let types: Vec<&str> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"Microsoft.Network/networkSecurityGroups"),
        "{types:?}"
    );
    let (st, _, body) = s
        .call(Method::POST, &format!("{nsg}/doSomething?{API}"), None)
        .await;
    assert_error(st, &body, 501, "NotImplemented");

    // DELETE takes the children along; a second DELETE is 204; GET is 404 ResourceNotFound.
    let (st, _, _) = s.call(Method::DELETE, &format!("{nsg}?{API}"), None).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _, _) = s.call(Method::DELETE, &format!("{nsg}?{API}"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, body) = s.get(&format!("{rule}?{API}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let (st, body) = s.get(&format!("{nsg}?{API}")).await;
    assert_error(st, &body, 404, "ResourceNotFound");
    // In a group that does not exist.
    let (st, body) = s
        .put(
            &format!(
                "{}?{API}",
                res("nope", "Microsoft.Network/networkSecurityGroups", "x")
            ),
            json!({"location": LOC}),
        )
        .await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

#[tokio::test]
async fn a_group_delete_removes_generic_resources_and_deployments() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "d",
        tpl_with(json!([pip("p", &[])])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let disk = res("rg", "Microsoft.Compute/disks", "osdisk");
    let (st, _) = s
        .put(
            &format!("{disk}?{API}"),
            json!({"location": LOC, "properties": {"diskSizeGB": 30, "creationData": {"createOption": "Empty"}}}),
        )
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, hdrs, _) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert!(st.is_success());
    if let Some(loc) = hdrs.get("location") {
        let path = loc
            .to_str()
            .unwrap()
            .strip_prefix(&s.base)
            .unwrap()
            .to_string();
        for _ in 0..100 {
            let (st, _) = s.get(&path).await;
            if st != StatusCode::ACCEPTED {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    group(&s, "rg").await;
    let (st, _) = s.get(&format!("{disk}?{API}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .get(&format!("{}?{RAPI}", deployment_path("rg", "d")))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

/// The az CLI splices a template file's text into the body after an unquoted `template:`
/// key, comments included; ARM reads that JSONC, and so must we. Deployment operations are
/// also read under the older `resourcegroups/{rg}/deployments` path, as the SDK does.
#[tokio::test]
async fn jsonc_bodies_and_the_legacy_path() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let body = r#"{"properties": {"parameters": {}, "mode": "Incremental", template:{
      // a comment, as template files may have
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      /* and another */
      "resources": [{"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "p", "location": "eastus", "properties": {},},],
    }}}"#;
    let resp = s
        .client
        .put(s.url(&format!("{}?{RAPI}", deployment_path("rg", "jsonc"))))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let url = resp.headers()["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(poll(&s, &url).await["status"], "Succeeded");
    let (st, ops) = s
        .get(&format!(
            "{}/deployments/jsonc/operations?{RAPI}",
            group_id("rg")
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{ops}");
    assert_eq!(
        ops["value"][0]["properties"]["targetResource"]["resourceName"],
        "p"
    );
    // Still malformed is still a 400.
    let resp = s
        .client
        .put(s.url(&format!("{}?{RAPI}", deployment_path("rg", "broken"))))
        .header("content-type", "application/json")
        .body("{\"properties\": {template: ")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "InvalidRequestContent");
}

/// What a resource declaration names beyond type and name: its `apiVersion` (checked at
/// validation: ARM's 400 `NoRegisteredProviderFound`), the group it goes to (another group of
/// the subscription is honoured, as in Azure; it must exist), the subscription (another is
/// refused, not ignored), and Azure's limit of 800 resources.
#[tokio::test]
async fn declarations_api_versions_target_groups_and_the_800_resource_limit() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    group(&s, "other").await;

    for v in ["banana", "2024-13-01", "2024-07-01-", ""] {
        let mut r = pip("p", &[]);
        r["apiVersion"] = json!(v);
        let (st, body) = put_invalid(&s, tpl_with(json!([r])), json!({})).await;
        if v.is_empty() {
            assert_error(st, &body, 400, "InvalidTemplate");
            continue;
        }
        let msg = assert_error(st, &body, 400, "NoRegisteredProviderFound");
        assert_eq!(
            msg,
            format!("No registered resource provider found for API version '{v}' for type 'publicIPAddresses'. An API version is a date, 'YYYY-MM-DD', with an optional suffix such as '-preview'.")
        );
        assert_eq!(body["error"]["target"], "resources[0].apiVersion");
    }

    // Another subscription is refused, not ignored.
    let mut r = pip("p", &[]);
    r["subscriptionId"] = json!("00000000-0000-0000-0000-0000000000ff");
    let (st, body) = put_invalid(&s, tpl_with(json!([r])), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert_eq!(
        msg,
        format!("Deployment template validation failed: 'The template resource 'p' at 'resources[0]' is deployed to subscriptionId '00000000-0000-0000-0000-0000000000ff', not the deployment's '{SUB}'. cerulean deploys a template's resources into the deployment's own subscription only; create a deployment in '00000000-0000-0000-0000-0000000000ff'.'.")
    );
    assert_eq!(body["error"]["target"], "resources[0].subscriptionId");
    // A group that does not exist: 404 before anything runs.
    let mut r = pip("p", &[]);
    r["resourceGroup"] = json!("Nope");
    let (st, body) = put_invalid(&s, tpl_with(json!([r])), json!({})).await;
    let msg = assert_error(st, &body, 404, "ResourceGroupNotFound");
    assert_eq!(msg, "Resource group 'Nope' could not be found.");
    for g in ["rg", "other"] {
        let (_, list) = s.get(&format!("{}/resources?{API}", group_id(g))).await;
        assert_eq!(list["value"], json!([]), "nothing created in {g}");
    }

    // Another group of the subscription: the resource goes there, as in Azure; naming the
    // deployment's own group (by expression) keeps it here.
    let mut there = pip("there", &[]);
    there["resourceGroup"] = json!("other");
    let mut here = pip("here", &[]);
    here["resourceGroup"] = json!("[resourceGroup().name]");
    here["subscriptionId"] = json!("[subscription().subscriptionId]");
    let (status, d) = deploy(
        &s,
        "rg",
        "cross",
        tpl_with(json!([there, here])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{d}");
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("other", "Microsoft.Network/publicIPAddresses", "there")
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "deployed to the group it names");
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "there")
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "here")
        ))
        .await;
    assert_eq!(st, StatusCode::OK);

    // 800 copies and one more: 801 resources.
    let mut many = pip("[concat('p', copyIndex())]", &[]);
    many["copy"] = json!({"name": "pips", "count": 800});
    let (st, body) = put_invalid(&s, tpl_with(json!([many, pip("last", &[])])), json!({})).await;
    let msg = assert_error(st, &body, 400, "InvalidTemplate");
    assert!(
        msg.contains("The template has more than 800 resources (copies included)"),
        "{msg}"
    );
}
