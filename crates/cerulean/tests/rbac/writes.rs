//! Writes and what they reference: the join actions of linked resources, a NIC's detach as
//! a write on its VM, template deployments applied resource by resource as the deployer.

use super::*;

#[tokio::test]
async fn writes_need_the_join_action_of_what_they_reference() {
    let s = start();
    let admin = who(&s, "admin").await;
    let app1 = who(&s, "app1").await;
    make_group(&s, &admin, "app").await;
    make_group(&s, &admin, "shared").await;
    let subnet = make_vnet(&s, &admin, "shared").await;
    let nic = net("app", "networkInterfaces", "n1");

    let (st, body) = app1.put(&s, &at(&nic), nic_body(&subnet)).await;
    let msg = assert_error(st, &body, 403, "LinkedAuthorizationFailed");
    assert_eq!(
        msg,
        format!(
            "The client 'app1' with object id '{}' has permission to perform action 'Microsoft.Network/networkInterfaces/write' on scope '{nic}'; however, it does not have permission to perform action(s) 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '{subnet}' (respectively) or the linked scope(s) are invalid.",
            app1.oid
        )
    );
    let (st, _) = admin.get(&s, &at(&nic)).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "nothing was written");

    // A role on the VNet alone (a resource scope) grants the join; it applies at once.
    assign(
        &s,
        &admin,
        &net("shared", "virtualNetworks", "v"),
        NETWORK_CONTRIBUTOR,
        &app1.oid,
    )
    .await;
    let (st, body) = app1.put(&s, &at(&nic), nic_body(&subnet)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");

    // A public IP of a group the caller may not join is refused the same way.
    ok(admin
        .put(
            &s,
            &at(&net("shared", "publicIPAddresses", "p")),
            pip_body(),
        )
        .await)
    .await;
    let mut with_pip = nic_body(&subnet);
    with_pip["properties"]["ipConfigurations"][0]["properties"]["publicIPAddress"] =
        json!({"id": net("shared", "publicIPAddresses", "p")});
    let (st, body) = app1.put(&s, &at(&nic), with_pip).await;
    let msg = assert_error(st, &body, 403, "LinkedAuthorizationFailed");
    assert!(
        msg.contains("'Microsoft.Network/publicIPAddresses/join/action' on the linked scope(s)"),
        "{msg}"
    );
}

/// A private endpoint joins its subnet, its zone group the private DNS zones it names.
#[tokio::test]
async fn private_endpoints_join_their_subnet_and_zones() {
    let s = start();
    let admin = who(&s, "admin").await;
    let app1 = who(&s, "app1").await;
    make_group(&s, &admin, "app").await;
    make_group(&s, &admin, "shared").await;
    let subnet = make_vnet(&s, &admin, "shared").await;
    let account = format!(
        "/subscriptions/{SUB}/resourceGroups/app/providers/Microsoft.Storage/storageAccounts/acct"
    );
    ok(admin.put(&s, &at(&account), json!({"location": LOC})).await).await;
    let zone = net(
        "shared",
        "privateDnsZones",
        "privatelink.blob.core.windows.net",
    );
    ok(admin
        .put(&s, &at(&zone), json!({"location": "global"}))
        .await)
    .await;
    let pe = net("app", "privateEndpoints", "pe");
    let body = json!({"location": LOC, "properties": {"subnet": {"id": subnet},
        "privateLinkServiceConnections": [{"name": "c", "properties": {
            "privateLinkServiceId": account, "groupIds": ["blob"]}}]}});
    let (st, got) = app1.put(&s, &at(&pe), body.clone()).await;
    let msg = assert_error(st, &got, 403, "LinkedAuthorizationFailed");
    assert!(
        msg.contains(&format!("'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '{subnet}'")),
        "{msg}"
    );
    assign(
        &s,
        &admin,
        &net("shared", "virtualNetworks", "v"),
        NETWORK_CONTRIBUTOR,
        &app1.oid,
    )
    .await;
    let (st, got) = app1.put(&s, &at(&pe), body).await;
    assert_eq!(st, StatusCode::CREATED, "{got}");

    let group = format!("{pe}/privateDnsZoneGroups/default");
    let zg = json!({"properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone}}]}});
    let (st, got) = app1.put(&s, &at(&group), zg.clone()).await;
    let msg = assert_error(st, &got, 403, "LinkedAuthorizationFailed");
    assert!(
        msg.contains(&format!(
            "'Microsoft.Network/privateDnsZones/join/action' on the linked scope(s) '{zone}'"
        )),
        "{msg}"
    );
    assign(&s, &admin, &zone, NETWORK_CONTRIBUTOR, &app1.oid).await;
    let (st, got) = app1.put(&s, &at(&group), zg).await;
    assert_eq!(st, StatusCode::CREATED, "{got}");

    // An automatic connection approves itself: a Network Contributor (no
    // `Microsoft.Storage` action) may only ask, and the account's owner decides.
    let netops = who(&s, "netops").await;
    let asked = net("app", "privateEndpoints", "asked");
    let mut body = json!({"location": LOC, "properties": {"subnet": {"id": subnet},
        "privateLinkServiceConnections": [{"name": "c", "properties": {
            "privateLinkServiceId": account, "groupIds": ["blob"]}}]}});
    let (st, got) = netops.put(&s, &at(&asked), body.clone()).await;
    let msg = assert_error(st, &got, 403, "LinkedAuthorizationFailed");
    assert!(
        msg.contains(&format!(
            "'Microsoft.Storage/storageAccounts/privateEndpointConnectionsApproval/action' on the linked scope(s) '{account}'"
        )),
        "{msg}"
    );
    let props = body["properties"].as_object_mut().unwrap();
    let c = props.remove("privateLinkServiceConnections").unwrap();
    props.insert("manualPrivateLinkServiceConnections".into(), c);
    let (st, got) = netops.put(&s, &at(&asked), body).await;
    assert_eq!(st, StatusCode::CREATED, "{got}");
    let (_, list) = admin
        .get(&s, &at(&format!("{account}/privateEndpointConnections")))
        .await;
    let conn = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["properties"]["privateEndpoint"]["id"] == asked.as_str())
        .unwrap_or_else(|| panic!("{list}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let approve =
        json!({"properties": {"privateLinkServiceConnectionState": {"status": "Approved"}}});
    let (st, got) = netops.put(&s, &at(&conn), approve.clone()).await;
    assert_error(st, &got, 403, "AuthorizationFailed");
    let (st, got) = admin.put(&s, &at(&conn), approve).await;
    assert_eq!(st, StatusCode::OK, "{got}");
}

fn vm_body(nics: &[&str]) -> Value {
    let refs: Vec<Value> = nics
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": id, "properties": {"primary": i == 0}}))
        .collect();
    json!({
        "location": LOC,
        "properties": {
            "hardwareProfile": {"vmSize": "Standard_DS3_v2"},
            "storageProfile": {
                "imageReference": {"publisher": "Canonical", "offer": "ubuntu-24_04-lts", "sku": "server", "version": "latest"},
                "osDisk": {"createOption": "FromImage", "osType": "Linux"}
            },
            "osProfile": {"computerName": "host", "adminUsername": "azureuser", "adminPassword": "S3cret-Passw0rd!"},
            "networkProfile": {"networkInterfaces": refs}
        }
    })
}

#[tokio::test]
async fn detaching_a_nic_is_a_write_on_the_vm_which_network_contributor_lacks() {
    let s = start();
    let admin = who(&s, "admin").await;
    let netops = who(&s, "netops").await;
    make_group(&s, &admin, "app").await;
    let subnet = make_vnet(&s, &admin, "app").await;
    let (n1, n2) = (
        net("app", "networkInterfaces", "n1"),
        net("app", "networkInterfaces", "n2"),
    );
    // Network Contributor creates the NICs themselves.
    for n in [&n1, &n2] {
        ok(netops.put(&s, &at(n), nic_body(&subnet)).await).await;
    }
    let vm = format!(
        "{}/providers/Microsoft.Compute/virtualMachines/vm1",
        group("app")
    );
    let (st, body) = netops.put(&s, &at(&vm), vm_body(&[&n1, &n2])).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        netops.refusal("Microsoft.Compute/virtualMachines/write", &vm)
    );
    ok(admin.put(&s, &at(&vm), vm_body(&[&n1, &n2])).await).await;
    let (st, _) = s
        .call_as(
            &admin.token,
            Method::POST,
            &format!("{vm}/deallocate?{API}"),
            None,
        )
        .await;
    assert!(st.is_success());
    // The seed's detach, as the portal and `az vm nic remove` send it: a PUT of the VM.
    let (st, body) = netops.put(&s, &at(&vm), vm_body(&[&n1])).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        netops.refusal("Microsoft.Compute/virtualMachines/write", &vm)
    );
    let (st, body) = s
        .call_as(
            &netops.token,
            Method::POST,
            &format!("{vm}/start?{API}"),
            None,
        )
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        netops.refusal("Microsoft.Compute/virtualMachines/start/action", &vm)
    );
    ok(admin.put(&s, &at(&vm), vm_body(&[&n1])).await).await;
}

async fn deploy(s: &Server, w: &Who, rg: &str, name: &str, tpl: Value) -> (StatusCode, Value) {
    let path = format!(
        "{}/providers/Microsoft.Resources/deployments/{name}?{RAPI}",
        group(rg)
    );
    let (st, body) = w
        .put(
            s,
            &path,
            json!({"properties": {"template": tpl, "mode": "Incremental"}}),
        )
        .await;
    if !st.is_success() {
        return (st, body);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, d) = w.get(s, &path).await;
        let state = d["properties"]["provisioningState"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !matches!(state.as_str(), "Accepted" | "Running") {
            return (st, d);
        }
        assert!(Instant::now() < deadline, "the deployment never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn deployments_apply_each_resource_as_the_deployer() {
    let s = start();
    let admin = who(&s, "admin").await;
    let netops = who(&s, "netops").await;
    let reader = who(&s, "reader").await;
    make_group(&s, &admin, "app").await;
    let tpl = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "pip1",
             "location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}},
            {"type": "Microsoft.Compute/availabilitySets", "apiVersion": "2024-07-01", "name": "set1",
             "location": LOC, "sku": {"name": "Aligned"},
             "properties": {"platformFaultDomainCount": 2, "platformUpdateDomainCount": 5}}
        ]
    });
    // A Reader may not deploy at all.
    let (st, body) = deploy(&s, &reader, "app", "d0", tpl.clone()).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    let d0 = format!(
        "{}/providers/Microsoft.Resources/deployments/d0",
        group("app")
    );
    assert_eq!(
        msg,
        reader.refusal("Microsoft.Resources/deployments/write", &d0)
    );

    // Network Contributor may deploy and write the public IP, not the availability set: ARM
    // checks every declared resource up front and refuses the whole deployment, creating
    // nothing.
    let set = format!(
        "{}/providers/Microsoft.Compute/availabilitySets/set1",
        group("app")
    );
    let template_refusal = |w: &Who, name: &str, ty: &str, id: &str| {
        format!(
            "Authorization failed for template resource '{name}' of type '{ty}'. The client '{}' with object id '{}' does not have permission to perform action '{ty}/write' at scope '{id}'.",
            w.client, w.oid
        )
    };
    let one = template_refusal(&netops, "set1", "Microsoft.Compute/availabilitySets", &set);
    let (st, body) = deploy(&s, &netops, "app", "d1", tpl.clone()).await;
    let msg = assert_error(st, &body, 403, "InvalidTemplateDeployment");
    assert_eq!(
        msg,
        format!("The template deployment failed with error: '{one}'.")
    );
    let details = body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{body}");
    assert_eq!(details[0]["code"], "AuthorizationFailed");
    assert_eq!(details[0]["message"].as_str().unwrap(), one);
    let (st, _) = admin
        .get(&s, &at(&net("app", "publicIPAddresses", "pip1")))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "nothing is created");
    let (st, _) = admin.get(&s, &at(&set)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = admin
        .get(
            &s,
            &format!(
                "{}/providers/Microsoft.Resources/deployments/d1?{RAPI}",
                group("app")
            ),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "no deployment is recorded");
    // Validate says the same.
    let (st, body) = s
        .call_as(
            &netops.token,
            Method::POST,
            &format!(
                "{}/providers/Microsoft.Resources/deployments/d1/validate?{RAPI}",
                group("app")
            ),
            Some(json!({"properties": {"template": tpl.clone(), "mode": "Incremental"}})),
        )
        .await;
    assert_error(st, &body, 403, "InvalidTemplateDeployment");
    // Several refusals are listed together.
    let mut two = tpl.clone();
    two["resources"][0] = two["resources"][1].clone();
    two["resources"][0]["name"] = json!("set0");
    let set0 = set.replace("set1", "set0");
    let (st, body) = deploy(&s, &netops, "app", "d1", two).await;
    let msg = assert_error(st, &body, 403, "InvalidTemplateDeployment");
    assert_eq!(
        msg,
        format!(
            "Deployment failed with multiple errors: '{}:{one}'",
            template_refusal(&netops, "set0", "Microsoft.Compute/availabilitySets", &set0)
        )
    );
    assert_eq!(body["error"]["details"].as_array().unwrap().len(), 2);
    // What it may write, it deploys (each resource applied as the deployer).
    let mut pip_only = tpl.clone();
    pip_only["resources"].as_array_mut().unwrap().truncate(1);
    let (_, d) = deploy(&s, &netops, "app", "d1", pip_only).await;
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    let (st, _) = admin
        .get(&s, &at(&net("app", "publicIPAddresses", "pip1")))
        .await;
    assert_eq!(st, StatusCode::OK);

    // The owner's deployment of the same template succeeds.
    let (_, d) = deploy(&s, &admin, "app", "d2", tpl.clone()).await;
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");

    // A module's resources are checked with its parent's, up front: the module itself
    // (a deployment) Network Contributor may write, its availability set not.
    let module = json!({
        "type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "compute",
        "properties": {"expressionEvaluationOptions": {"scope": "inner"}, "mode": "Incremental",
            "template": {"resources": [tpl["resources"][1].clone()]}}
    });
    let mut parent = tpl.clone();
    parent["resources"] = json!([tpl["resources"][0].clone(), module]);
    let (st, body) = deploy(&s, &netops, "app", "d3", parent).await;
    let msg = assert_error(st, &body, 403, "InvalidTemplateDeployment");
    assert_eq!(
        msg,
        format!("The template deployment failed with error: '{one}'.")
    );
    let (st, _) = admin
        .get(
            &s,
            &format!(
                "{}/providers/Microsoft.Resources/deployments/compute?{RAPI}",
                group("app")
            ),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "no module ran");

    // A subscription deployment that creates a group: Network Contributor may not create
    // groups (Azure's action for it names the subscription).
    let sub_tpl = json!({"resources": [{"type": "Microsoft.Resources/resourceGroups",
        "apiVersion": "2022-09-01", "name": "lz", "location": LOC}]});
    let path = format!("/subscriptions/{SUB}/providers/Microsoft.Resources/deployments/lz?{RAPI}");
    let body = json!({"location": LOC, "properties": {"template": sub_tpl, "mode": "Incremental"}});
    let (st, refused) = netops.put(&s, &path, body.clone()).await;
    let msg = assert_error(st, &refused, 403, "InvalidTemplateDeployment");
    assert!(
        msg.contains("'Microsoft.Resources/subscriptions/resourceGroups/write' at scope '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/lz'"),
        "{msg}"
    );
    let (st, made) = admin.put(&s, &path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{made}");
}
