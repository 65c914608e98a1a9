//! Access control enforced (`cerulean serve --rbac`) over HTTPS against the real binary: each
//! rule with Azure's status, code and exact message, for service principals and users from
//! `--principals`, lists filtered to what the caller may read, linked access, template
//! deployments applied as the deployer, and assignments taking effect at once.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LOC: &str = "eastus";
const RAPI: &str = "api-version=2024-03-01";
const AUTHZ: &str = "api-version=2022-04-01";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const NETWORK_CONTRIBUTOR: &str = "4d97b98b-1d4f-4787-a291-c67834d212e7";

/// Owner of the subscription, Reader of it, Network Contributor of it, Contributor of the
/// group `app` (role given by id), nobody, and a user who reads the group `app`.
fn principals() -> String {
    json!([
        {"clientId": "admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "reader", "clientSecret": "s", "roles": [{"role": "Reader", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "netops", "clientSecret": "s", "roles": [{"role": "Network Contributor", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "app1", "clientSecret": "s", "roles": [{"role": "b24988ac-6180-42a0-ab88-20f7382dd24c", "scope": format!("/subscriptions/{SUB}/resourceGroups/app")}]},
        {"clientId": "nobody", "clientSecret": "s"},
        {"userName": "ada@example.com", "password": "pw", "displayName": "Ada", "roles": [{"role": "Reader", "scope": format!("/subscriptions/{SUB}/resourceGroups/app")}]}
    ])
    .to_string()
}

fn start() -> Server {
    let dir = temp_dir();
    let file = dir.join("principals.json");
    std::fs::write(&file, principals()).unwrap();
    Server::start_in(
        &dir,
        &[
            "--auth",
            "required",
            "--principals",
            file.to_str().unwrap(),
            "--rbac",
        ],
    )
}

struct Who {
    token: String,
    oid: String,
    client: String,
}

async fn who(s: &Server, client: &str) -> Who {
    let token = s.token(client, "s").await;
    let oid = jwt_claims(&token)["oid"].as_str().unwrap().to_string();
    Who {
        token,
        oid,
        client: client.into(),
    }
}

impl Who {
    async fn get(&self, s: &Server, path: &str) -> (StatusCode, Value) {
        s.call_as(&self.token, Method::GET, path, None).await
    }
    async fn put(&self, s: &Server, path: &str, body: Value) -> (StatusCode, Value) {
        s.call_as(&self.token, Method::PUT, path, Some(body)).await
    }
    async fn delete(&self, s: &Server, path: &str) -> (StatusCode, Value) {
        s.call_as(&self.token, Method::DELETE, path, None).await
    }

    /// Azure's refusal of `action` over `scope` for this principal.
    fn refusal(&self, action: &str, scope: &str) -> String {
        format!(
            "The client '{}' with object id '{}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.",
            self.client, self.oid
        )
    }
}

fn group(rg: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{rg}")
}

fn net(rg: &str, ty: &str, name: &str) -> String {
    format!("{}/providers/Microsoft.Network/{ty}/{name}", group(rg))
}

fn at(id: &str) -> String {
    format!("{id}?{API}")
}

fn pip_body() -> Value {
    json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})
}

fn nic_body(subnet: &str) -> Value {
    json!({"location": LOC, "properties": {"ipConfigurations": [{"name": "c1", "properties": {"subnet": {"id": subnet}}}]}})
}

async fn ok(r: (StatusCode, Value)) -> Value {
    assert!(r.0.is_success(), "{} {}", r.0, r.1);
    r.1
}

/// The admin creates a group.
async fn make_group(s: &Server, admin: &Who, rg: &str) {
    ok(admin
        .put(s, &at(&group(rg)), json!({"location": LOC}))
        .await)
    .await;
}

async fn make_vnet(s: &Server, admin: &Who, rg: &str) -> String {
    let id = net(rg, "virtualNetworks", "v");
    ok(admin
        .put(
            s,
            &at(&id),
            json!({"location": LOC, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                   "subnets": [{"name": "a", "properties": {"addressPrefix": "10.0.1.0/24"}}]}}),
        )
        .await)
    .await;
    format!("{id}/subnets/a")
}

fn assignment_path(scope: &str) -> String {
    format!(
        "{scope}/providers/Microsoft.Authorization/roleAssignments/{}?{AUTHZ}",
        uuid::Uuid::new_v4()
    )
}

async fn assign(s: &Server, admin: &Who, scope: &str, role: &str, principal: &str) -> String {
    let path = assignment_path(scope);
    let body = json!({"properties": {
        "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
        "principalId": principal}});
    let (st, b) = admin.put(s, &path, body).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    path
}

#[tokio::test]
async fn readers_read_and_are_refused_writes_with_azures_message() {
    let s = start();
    let admin = who(&s, "admin").await;
    let reader = who(&s, "reader").await;
    make_group(&s, &admin, "app").await;

    let (st, g) = reader.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::OK, "{g}");
    // The scope is printed as the caller spelled the path.
    let path = format!("/subscriptions/{SUB}/resourcegroups/App");
    let (st, body) = reader.put(&s, &at(&path), json!({"location": LOC})).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        reader.refusal(
            "Microsoft.Resources/subscriptions/resourcegroups/write",
            &path
        )
    );

    let pip = net("app", "publicIPAddresses", "p1");
    let (st, body) = reader.put(&s, &at(&pip), pip_body()).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        reader.refusal("Microsoft.Network/publicIPAddresses/write", &pip)
    );
    // Refused before anything else is looked at: nothing was created.
    let (st, _) = admin.get(&s, &at(&pip)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, body) = reader.delete(&s, &at(&group("app"))).await;
    assert_error(st, &body, 403, "AuthorizationFailed");
}

#[tokio::test]
async fn without_a_role_nothing_is_visible() {
    let s = start();
    let nobody = who(&s, "nobody").await;
    let (st, subs) = nobody.get(&s, &format!("/subscriptions?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(subs["value"], json!([]), "{subs}");
    let sub = format!("/subscriptions/{SUB}");
    let (st, body) = nobody.get(&s, &at(&sub)).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        nobody.refusal("Microsoft.Resources/subscriptions/read", &sub)
    );
    let (st, body) = nobody.get(&s, &format!("{sub}/resourcegroups?{API}")).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        nobody.refusal(
            "Microsoft.Resources/subscriptions/resourcegroups/read",
            &sub
        )
    );
    let list = format!("{sub}/providers/Microsoft.Network/networkInterfaces");
    let (st, body) = nobody.get(&s, &at(&list)).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        nobody.refusal(
            "Microsoft.Network/networkInterfaces/read",
            &format!("{sub}/providers/Microsoft.Network")
        )
    );

    // What stays open: health, the cloud description, identity, tenants, own permissions.
    let (st, _) = s.get("/health").await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = s.get("/metadata/endpoints?api-version=2022-09-01").await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = nobody.get(&s, &format!("/tenants?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    let (st, perms) = nobody
        .get(
            &s,
            &format!("{sub}/providers/Microsoft.Authorization/permissions?{AUTHZ}"),
        )
        .await;
    assert_eq!((st, perms), (StatusCode::OK, json!({"value": []})));
}

#[tokio::test]
async fn a_group_role_shows_only_its_group() {
    let s = start();
    let admin = who(&s, "admin").await;
    let app1 = who(&s, "app1").await;
    for rg in ["app", "other"] {
        make_group(&s, &admin, rg).await;
        ok(admin
            .put(&s, &at(&net(rg, "publicIPAddresses", "p")), pip_body())
            .await)
        .await;
    }
    let (st, groups) = app1
        .get(&s, &format!("/subscriptions/{SUB}/resourcegroups?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = groups["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["app"]);
    let (st, pips) = app1
        .get(
            &s,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses?{API}"),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let ids: Vec<&str> = pips["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [net("app", "publicIPAddresses", "p")]);
    let (st, all) = app1
        .get(&s, &format!("/subscriptions/{SUB}/resources?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        all["value"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"].as_str().unwrap().contains("/app/")),
        "{all}"
    );
    // The admin sees both.
    let (_, pips) = admin
        .get(
            &s,
            &format!("/subscriptions/{SUB}/providers/Microsoft.Network/publicIPAddresses?{API}"),
        )
        .await;
    assert_eq!(pips["value"].as_array().unwrap().len(), 2);

    let other = net("other", "publicIPAddresses", "p");
    let (st, body) = app1.get(&s, &at(&other)).await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        app1.refusal("Microsoft.Network/publicIPAddresses/read", &other)
    );
    ok(app1
        .put(
            &s,
            &at(&net("app", "publicIPAddresses", "mine")),
            pip_body(),
        )
        .await)
    .await;
    let (st, body) = app1
        .put(
            &s,
            &at(&net("other", "publicIPAddresses", "mine")),
            pip_body(),
        )
        .await;
    assert_error(st, &body, 403, "AuthorizationFailed");
    // The subscription itself is visible to whoever holds a role in it.
    let (st, subs) = app1.get(&s, &format!("/subscriptions?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(subs["value"][0]["subscriptionId"], SUB);
    let (st, _) = app1.get(&s, &at(&format!("/subscriptions/{SUB}"))).await;
    assert_eq!(st, StatusCode::OK);
    // Network Contributor's actions do not include `Microsoft.Resources/subscriptions/read`,
    // yet its subscription and regions are visible to it, as the subscription list is.
    let netops = who(&s, "netops").await;
    let (st, _) = netops.get(&s, &at(&format!("/subscriptions/{SUB}"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = netops
        .get(&s, &format!("/subscriptions/{SUB}/locations?{API}"))
        .await;
    assert_eq!(st, StatusCode::OK);
}

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
    let (_, d) = deploy(&s, &admin, "app", "d2", tpl).await;
    assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
}

#[tokio::test]
async fn assignments_take_effect_on_the_next_request() {
    let s = start();
    let admin = who(&s, "admin").await;
    let nobody = who(&s, "nobody").await;
    make_group(&s, &admin, "app").await;
    let (st, _) = nobody.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let path = assign(
        &s,
        &admin,
        &format!("/subscriptions/{SUB}"),
        READER,
        &nobody.oid,
    )
    .await;
    let (st, _) = nobody.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::OK, "the same token now reads");
    let (st, _) = admin.delete(&s, &path).await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = nobody.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn users_sign_in_with_their_password_and_hold_their_roles() {
    let s = start();
    let admin = who(&s, "admin").await;
    make_group(&s, &admin, "app").await;
    let token = s.user_token("ada@example.com", "pw").await;
    let claims = jwt_claims(&token);
    assert_eq!(claims["upn"], "ada@example.com");
    let ada = Who {
        oid: claims["oid"].as_str().unwrap().to_string(),
        client: "ada@example.com".into(),
        token,
    };
    let (st, _) = ada.get(&s, &at(&group("app"))).await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = ada
        .put(&s, &at(&group("app")), json!({"location": LOC}))
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        ada.refusal(
            "Microsoft.Resources/subscriptions/resourcegroups/write",
            &group("app")
        )
    );

    for (user, password) in [("ada@example.com", "wrong"), ("eve@example.com", "pw")] {
        let r = s
            .client
            .post(s.url(&format!("/{TENANT}/oauth2/v2.0/token")))
            .form(&[
                ("grant_type", "password"),
                ("client_id", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"),
                ("username", user),
                ("password", password),
                ("scope", "https://management.core.windows.net//.default"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "invalid_grant");
        assert!(
            v["error_description"].as_str().unwrap().starts_with(
                "AADSTS50126: Error validating credentials due to invalid username or password."
            ),
            "{v}"
        );
    }
}

#[test]
fn rbac_needs_principals_and_tokens() {
    let dir = temp_dir();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["serve", "--port", "0", "--rbac", "--location"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--principals"),
        "{out:?}"
    );
    let file = dir.join("p.json");
    std::fs::write(&file, principals()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args([
            "serve",
            "--port",
            "0",
            "--rbac",
            "--auth",
            "none",
            "--principals",
        ])
        .arg(&file)
        .arg("--location")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--auth none"),
        "{out:?}"
    );
    std::fs::write(
        &file,
        r#"[{"clientId": "a", "clientSecret": "s", "roles": [{"role": "Janitor", "scope": "/"}]}]"#,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cerulean"))
        .args(["serve", "--port", "0", "--principals"])
        .arg(&file)
        .arg("--location")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown role 'Janitor'"),
        "{out:?}"
    );
}

/// `POST /cerulean/reset` wipes everything: under `--rbac` only an Owner at the root may.
/// An Owner of the subscription is refused with Azure's message for the action it lacks at
/// `/`; reading `/cerulean/info` needs only a token.
#[tokio::test]
async fn reset_needs_an_owner_at_the_root() {
    let dir = temp_dir();
    let file = dir.join("principals.json");
    let list = json!([
        {"clientId": "root", "clientSecret": "s", "roles": [{"role": "Owner", "scope": "/"}]},
        {"clientId": "admin", "clientSecret": "s", "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "uaa", "clientSecret": "s", "roles": [{"role": "User Access Administrator", "scope": "/"}]},
    ]);
    std::fs::write(&file, list.to_string()).unwrap();
    let s = Server::start_in(
        &dir,
        &[
            "--auth",
            "required",
            "--principals",
            file.to_str().unwrap(),
            "--rbac",
        ],
    );
    let (root, admin, uaa) = (
        who(&s, "root").await,
        who(&s, "admin").await,
        who(&s, "uaa").await,
    );
    make_group(&s, &admin, "keep").await;

    let (st, body) = s
        .call_as(&admin.token, Method::GET, "/cerulean/info", None)
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");

    let (st, body) = s
        .call_as(&admin.token, Method::POST, "/cerulean/reset", None)
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        admin.refusal("Microsoft.Authorization/roleAssignments/write", "/")
    );
    let (st, body) = s
        .call_as(&uaa.token, Method::POST, "/cerulean/reset", None)
        .await;
    let msg = assert_error(st, &body, 403, "AuthorizationFailed");
    assert_eq!(
        msg,
        uaa.refusal(
            "Microsoft.Resources/subscriptions/resourceGroups/delete",
            "/"
        )
    );
    let (st, _) = admin.get(&s, &at(&group("keep"))).await;
    assert_eq!(st, StatusCode::OK, "a refused reset left the group");

    let (st, body) = s
        .call_as(&root.token, Method::POST, "/cerulean/reset", None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
    let (st, _) = admin.get(&s, &at(&group("keep"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "the reset removed the group");
}
