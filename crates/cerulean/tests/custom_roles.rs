//! Custom roles over HTTPS against the real binary, with `--rbac`: created, listed, assigned
//! and enforced; changed and deleted under Azure's rules and codes; written only by whoever
//! may write role definitions at every scope they are assignable at; one name per tenant,
//! also when two servers on one PostgreSQL database race for it.

mod common;

use common::arm::assert_contains;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const AUTHZ: &str = "api-version=2022-04-01";
const NETWORK: &str = "api-version=2024-05-01";
const ROLE: &str = "4a9ae827-6dc8-4573-8ac7-8239d42aa03f";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

fn principals(dir: &std::path::Path) -> String {
    let file = dir.join("principals.json");
    let app = format!("/subscriptions/{SUB}/resourceGroups/app");
    std::fs::write(
        &file,
        json!([
            {"clientId": "admin", "clientSecret": "s",
             "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]},
            {"clientId": "operator", "clientSecret": "s"},
            {"clientId": "contributor", "clientSecret": "s",
             "roles": [{"role": "Contributor", "scope": app.clone()}]},
            {"clientId": "access-admin", "clientSecret": "s",
             "roles": [{"role": "User Access Administrator", "scope": app}]}
        ])
        .to_string(),
    )
    .unwrap();
    file.to_str().unwrap().to_string()
}

fn start(extra: &[&str]) -> Server {
    let dir = temp_dir();
    let file = principals(&dir);
    let mut args = vec!["--auth", "required", "--principals", &file, "--rbac"];
    args.extend_from_slice(extra);
    Server::start_in(&dir, &args)
}

fn sub() -> String {
    format!("/subscriptions/{SUB}")
}

fn app() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/app")
}

fn role_at(scope: &str, guid: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}?{AUTHZ}")
}

fn assignment_at(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?{AUTHZ}")
}

fn definition(name: &str, actions: &[&str], scopes: &[String]) -> Value {
    json!({"properties": {
        "roleName": name,
        "description": "Runs the network interfaces of the app.",
        "type": "CustomRole",
        "permissions": [{"actions": actions, "notActions": []}],
        "assignableScopes": scopes,
    }})
}

const OPERATOR_ACTIONS: &[&str] = &[
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/networkInterfaces/write",
    "Microsoft.Network/virtualNetworks/subnets/join/action",
];

struct Ctx {
    s: Server,
    admin: String,
}

impl Ctx {
    async fn new(extra: &[&str]) -> Ctx {
        let s = start(extra);
        let admin = s.token("admin", "s").await;
        let c = Ctx { s, admin };
        let (st, b) = c
            .call(
                Method::PUT,
                &rg_path("app"),
                Some(json!({"location": "eastus"})),
            )
            .await;
        assert!(st.is_success(), "{b}");
        c
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.s.call_as(&self.admin, method, path, body).await
    }

    async fn oid(&self, client: &str) -> String {
        let t = self.s.token(client, "s").await;
        jwt_claims(&t)["oid"].as_str().unwrap().to_string()
    }

    async fn assign(
        &self,
        scope: &str,
        name: &str,
        role: &str,
        principal: &str,
    ) -> (StatusCode, Value) {
        let body = json!({"properties": {
            "roleDefinitionId": format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{role}"),
            "principalId": principal}});
        self.call(Method::PUT, &assignment_at(scope, name), Some(body))
            .await
    }
}

fn nic_body() -> Value {
    json!({"location": "eastus", "properties": {"ipConfigurations": [{"name": "c1", "properties": {
        "subnet": {"id": format!("{}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/default", app())}}}]}})
}

fn nic_path(name: &str) -> String {
    format!(
        "{}/providers/Microsoft.Network/networkInterfaces/{name}?{NETWORK}",
        app()
    )
}

async fn lifecycle(c: &Ctx) {
    let (st, vnet) = c
        .call(
            Method::PUT,
            &format!("{}/providers/Microsoft.Network/virtualNetworks/vnet1?{NETWORK}", app()),
            Some(json!({"location": "eastus", "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})),
        )
        .await;
    assert!(st.is_success(), "{vnet}");
    let operator = c.s.token("operator", "s").await;
    let operator_oid = c.oid("operator").await;
    let admin_oid = c.oid("admin").await;

    // Created at the subscription, assignable in the app's group only.
    let scopes = [app()];
    let (st, r) = c
        .call(
            Method::PUT,
            &role_at(&sub(), ROLE),
            Some(definition("NIC Operator", OPERATOR_ACTIONS, &scopes)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    assert_eq!(
        r["id"],
        format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{ROLE}")
    );
    assert_eq!(r["name"], ROLE);
    assert_eq!(r["type"], "Microsoft.Authorization/roleDefinitions");
    let p = &r["properties"];
    assert_eq!(
        (p["roleName"].as_str(), p["type"].as_str()),
        (Some("NIC Operator"), Some("CustomRole"))
    );
    assert_eq!(p["assignableScopes"], json!(scopes));
    assert_eq!(p["permissions"][0]["actions"], json!(OPERATOR_ACTIONS));
    assert_eq!(p["permissions"][0]["dataActions"], json!([]));
    assert_eq!(p["createdBy"], admin_oid);
    let created_on = p["createdOn"].clone();
    assert!(created_on.is_string());
    let (st, again) = c
        .call(
            Method::PUT,
            &role_at(&sub(), ROLE),
            Some(definition("NIC Operator", OPERATOR_ACTIONS, &scopes)),
        )
        .await;
    // 201 again: Azure's only success for this PUT (the SDKs refuse a 200).
    assert_eq!(st, StatusCode::CREATED, "{again}");
    assert_eq!(again["properties"]["createdOn"], created_on);

    // Read back by id and in lists, by name (any case) and by type.
    let (st, got) = c.call(Method::GET, &role_at(&sub(), ROLE), None).await;
    assert_eq!(
        (st, &got["properties"]["roleName"]),
        (StatusCode::OK, &json!("NIC Operator"))
    );
    let list = |scope: String, filter: &str| {
        format!(
            "{scope}/providers/Microsoft.Authorization/roleDefinitions?{AUTHZ}&$filter={filter}"
        )
    };
    let (_, customs) = c
        .call(Method::GET, &list(sub(), "type%20eq%20'CustomRole'"), None)
        .await;
    assert_eq!(customs["value"].as_array().unwrap().len(), 1, "{customs}");
    let (_, named) = c
        .call(
            Method::GET,
            &list(app(), "roleName%20eq%20'nic%20operator'"),
            None,
        )
        .await;
    assert_eq!(named["value"][0]["name"], ROLE);
    let (_, elsewhere) = c
        .call(
            Method::GET,
            &list(
                format!("{}/resourceGroups/other", sub()),
                "type%20eq%20'CustomRole'",
            ),
            None,
        )
        .await;
    assert_eq!(elsewhere["value"], json!([]), "not assignable there");

    // Assigned where it is assignable, not above.
    let (st, b) = c
        .assign(
            &sub(),
            "55555555-0000-0000-0000-000000000001",
            ROLE,
            &operator_oid,
        )
        .await;
    let msg = assert_error(
        st,
        &b,
        400,
        "RoleAssignmentScopeNotAssignableToRoleDefinition",
    );
    assert_eq!(
        msg,
        "The role NIC Operator is not available for assignment at the requested scope."
    );
    let (st, nic) =
        c.s.call_as(&operator, Method::PUT, &nic_path("nic1"), Some(nic_body()))
            .await;
    assert_error(st, &nic, 403, "AuthorizationFailed");
    let assigned = "55555555-0000-0000-0000-000000000002";
    let (st, b) = c.assign(&app(), assigned, ROLE, &operator_oid).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");

    // Enforced at once: the operator creates NICs in the group, and does nothing else.
    let (st, nic) =
        c.s.call_as(&operator, Method::PUT, &nic_path("nic1"), Some(nic_body()))
            .await;
    assert_eq!(st, StatusCode::CREATED, "{nic}");
    let (st, b) =
        c.s.call_as(&operator, Method::DELETE, &nic_path("nic1"), None)
            .await;
    assert_error(st, &b, 403, "AuthorizationFailed");
    let (st, perms) =
        c.s.call_as(
            &operator,
            Method::GET,
            &format!(
                "{}/providers/Microsoft.Authorization/permissions?{AUTHZ}",
                app()
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(perms["value"][0]["actions"], json!(OPERATOR_ACTIONS));

    // A change applies at once too: without the NIC write, the operator only reads.
    let read_only = &OPERATOR_ACTIONS[..2];
    let (st, b) = c
        .call(
            Method::PUT,
            &role_at(&sub(), ROLE),
            Some(definition("NIC Operator", read_only, &scopes)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let (st, b) =
        c.s.call_as(&operator, Method::PUT, &nic_path("nic2"), Some(nic_body()))
            .await;
    assert_error(st, &b, 403, "AuthorizationFailed");
    let (st, _) =
        c.s.call_as(&operator, Method::GET, &nic_path("nic1"), None)
            .await;
    assert_eq!(st, StatusCode::OK);

    // The scope its assignment relies on cannot go; the name cannot be taken twice.
    let elsewhere = [format!("{}/resourceGroups/other", sub())];
    let (st, b) = c
        .call(
            Method::PUT,
            &role_at(&sub(), ROLE),
            Some(definition("NIC Operator", read_only, &elsewhere)),
        )
        .await;
    let msg = assert_error(st, &b, 400, "RoleScopeBeingRemovedContainsAssignments");
    assert_eq!(msg, format!("Role assignments found under scope '{}' which is being removed. Removing this scope from the role will orphan these assignments. Delete these assignments before removing the scope.", app()));
    let twin = "5b1e1c8a-9a4e-4c3c-8c1e-3f1b2a0d9e77";
    let (st, b) = c
        .call(
            Method::PUT,
            &role_at(&sub(), twin),
            Some(definition("nic operator", read_only, &scopes)),
        )
        .await;
    let msg = assert_error(st, &b, 409, "RoleDefinitionWithSameNameExists");
    assert_eq!(
        msg,
        "A role definition cannot be updated with a name that already exists."
    );

    // Deleted only once nothing is assigned it; then gone for assignments too.
    let (st, b) = c.call(Method::DELETE, &role_at(&sub(), ROLE), None).await;
    let msg = assert_error(st, &b, 409, "RoleDefinitionHasAssignments");
    assert_eq!(msg, "There are existing role assignments referencing role.");
    let (st, _) = c
        .call(Method::DELETE, &assignment_at(&app(), assigned), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, gone) = c.call(Method::DELETE, &role_at(&sub(), ROLE), None).await;
    assert_eq!(
        (st, &gone["name"]),
        (StatusCode::OK, &json!(ROLE)),
        "{gone}"
    );
    let (st, _) = c.call(Method::DELETE, &role_at(&sub(), ROLE), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, b) = c.call(Method::GET, &role_at(&sub(), ROLE), None).await;
    assert_error(st, &b, 404, "RoleDefinitionDoesNotExist");
    let (st, b) = c.assign(&app(), assigned, ROLE, &operator_oid).await;
    assert_error(st, &b, 400, "RoleDefinitionDoesNotExist");
    // Its name is free again.
    let (st, b) = c
        .call(
            Method::PUT,
            &role_at(&app(), twin),
            Some(definition("NIC Operator", read_only, &scopes)),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "written at the group it is assignable in: {b}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn custom_roles_are_created_assigned_enforced_changed_and_deleted() {
    lifecycle(&Ctx::new(&[]).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn custom_roles_on_postgres() {
    let url = fresh_postgres();
    lifecycle(&Ctx::new(&["--database-url", &url]).await).await;
}

/// The body's own rules, on a server without `--rbac` (with it, a scope the caller may not
/// write role definitions at is refused first, 403 `LinkedAuthorizationFailed`).
#[tokio::test]
async fn custom_role_errors_are_azures() {
    let s = Server::start(&[]);
    let (st, b) = s.put(&rg_path("app"), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{b}");
    let scopes = [app()];
    let call = |method: Method, path: String, body: Option<Value>| {
        let s = &s;
        async move {
            let (st, _, b) = s.call(method, &path, body).await;
            (st, b)
        }
    };
    let put = |guid: &str, body: Value| call(Method::PUT, role_at(&sub(), guid), Some(body));
    let (st, b) = put("nic-operator", definition("X", OPERATOR_ACTIONS, &scopes)).await;
    assert_error(st, &b, 400, "InvalidRoleDefinitionId");
    let (st, b) = put(READER, definition("X", OPERATOR_ACTIONS, &scopes)).await;
    assert_contains(
        &assert_error(st, &b, 400, "InvalidRoleDefinition"),
        "built-in role",
    );
    let (st, b) = call(Method::DELETE, role_at(&sub(), READER), None).await;
    assert_error(st, &b, 400, "InvalidRoleDefinition");
    let cases = [
        (
            json!({"properties": {"permissions": [{"actions": ["*/read"]}], "assignableScopes": scopes}}),
            "role name",
        ),
        (definition("X", OPERATOR_ACTIONS, &[]), "assignable scope"),
        (
            definition("X", OPERATOR_ACTIONS, &["/".to_string()]),
            "root scope",
        ),
        (
            definition(
                "X",
                OPERATOR_ACTIONS,
                &[format!(
                    "{}/providers/Microsoft.Network/networkInterfaces/n",
                    app()
                )],
            ),
            "subscription or a resource group",
        ),
        (
            json!({"properties": {"roleName": "X", "assignableScopes": scopes}}),
            "permissions",
        ),
        (
            json!({"properties": {"roleName": "X", "type": "BuiltInRole", "permissions": [{"actions": []}], "assignableScopes": scopes}}),
            "CustomRole",
        ),
    ];
    for (body, says) in cases {
        let (st, b) = put(ROLE, body).await;
        assert_contains(&assert_error(st, &b, 400, "InvalidRoleDefinition"), says);
    }
    let (st, b) = put(ROLE, json!({"properties": {"roleName": 3}})).await;
    assert_error(st, &b, 400, "InvalidRequestContent");
    let unknown = ["/subscriptions/00000000-0000-0000-0000-00000000dead".to_string()];
    let (st, b) = put(ROLE, definition("X", OPERATOR_ACTIONS, &unknown)).await;
    assert_error(st, &b, 404, "SubscriptionNotFound");
    let body = || Some(definition("X", OPERATOR_ACTIONS, &scopes));
    let (st, b) = call(Method::PUT, role_at("", ROLE), body()).await;
    assert_contains(
        &assert_error(st, &b, 400, "InvalidRoleDefinition"),
        "not at '/'",
    );
    let nope = format!("{}/resourceGroups/nope", sub());
    let (st, b) = call(Method::PUT, role_at(&nope, ROLE), body()).await;
    assert_error(st, &b, 404, "ResourceGroupNotFound");
    // Nothing was stored by any of them.
    let customs = format!("{}/providers/Microsoft.Authorization/roleDefinitions?{AUTHZ}&$filter=type%20eq%20'CustomRole'", sub());
    let (_, list) = call(Method::GET, customs, None).await;
    assert_eq!(list["value"], json!([]));
}

#[tokio::test]
async fn only_whoever_may_write_role_definitions_at_every_assignable_scope_writes_one() {
    let c = Ctx::new(&[]).await;
    let scopes = [app()];
    // Contributor's notActions exclude Microsoft.Authorization/*/Write.
    let contributor = c.s.token("contributor", "s").await;
    let (st, b) =
        c.s.call_as(
            &contributor,
            Method::PUT,
            &role_at(&app(), ROLE),
            Some(definition("X", OPERATOR_ACTIONS, &scopes)),
        )
        .await;
    assert_contains(
        &assert_error(st, &b, 403, "AuthorizationFailed"),
        "'Microsoft.Authorization/roleDefinitions/write'",
    );
    // User Access Administrator of the group writes a role assignable there, not one that
    // is also assignable in the whole subscription.
    let access_admin = c.s.token("access-admin", "s").await;
    let wider = [app(), sub()];
    let (st, b) =
        c.s.call_as(
            &access_admin,
            Method::PUT,
            &role_at(&app(), ROLE),
            Some(definition("X", OPERATOR_ACTIONS, &wider)),
        )
        .await;
    let msg = assert_error(st, &b, 403, "LinkedAuthorizationFailed");
    assert_contains(
        &msg,
        &format!(
            "'Microsoft.Authorization/roleDefinitions/write' on the linked scope(s) '{}'",
            sub()
        ),
    );
    let (st, b) =
        c.s.call_as(
            &access_admin,
            Method::PUT,
            &role_at(&app(), ROLE),
            Some(definition("X", OPERATOR_ACTIONS, &scopes)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
}

/// Names are unique per tenant across servers: of creates racing on two servers sharing one
/// PostgreSQL database, under different GUIDs, one wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_creates_of_one_name_on_two_servers_have_one_winner() {
    let url = fresh_postgres();
    let a = std::sync::Arc::new(Ctx::new(&["--database-url", &url]).await);
    let b = std::sync::Arc::new(Ctx::new(&["--database-url", &url]).await);
    let scopes = [app()];
    let mut calls = Vec::new();
    for i in 0..8 {
        let c = if i % 2 == 0 { a.clone() } else { b.clone() };
        let guid = format!("{i:08x}-aaaa-4bbb-8ccc-000000000000");
        let body = definition("Racing Role", OPERATOR_ACTIONS, &scopes);
        calls.push(tokio::spawn(async move {
            c.call(Method::PUT, &role_at(&sub(), &guid), Some(body))
                .await
        }));
    }
    let mut results = Vec::new();
    for call in calls {
        results.push(call.await.unwrap());
    }
    let won = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .count();
    for (st, body) in results.iter().filter(|(st, _)| *st != StatusCode::CREATED) {
        assert_error(*st, body, 409, "RoleDefinitionWithSameNameExists");
    }
    assert_eq!(won, 1);
    let (_, named) = a
        .call(Method::GET, &format!("{}/providers/Microsoft.Authorization/roleDefinitions?{AUTHZ}&$filter=roleName%20eq%20'Racing%20Role'", sub()), None)
        .await;
    assert_eq!(named["value"].as_array().unwrap().len(), 1);
}

/// What Bicep writes for a custom role and its assignment in one template: the role is
/// written at the deployment's group, the assignment names it by `resourceId()`.
#[tokio::test]
async fn a_template_deploys_a_custom_role_and_assigns_it() {
    let s = Server::start(&[]);
    let (st, b) = s.put(&rg_path("app"), json!({"location": "eastus"})).await;
    assert!(st.is_success(), "{b}");
    let principal = "0b5f4f4e-0000-4000-8000-000000000001";
    let role = "[guid(resourceGroup().id, 'nic-operator')]";
    let op = common::arm::deploy(
        &s,
        "app",
        "roles",
        common::arm::template(json!([
            {"type": "Microsoft.Authorization/roleDefinitions", "apiVersion": "2022-04-01", "name": role,
             "properties": {"roleName": "NIC Operator", "description": "From a template.", "type": "customRole",
                            "permissions": [{"actions": OPERATOR_ACTIONS, "notActions": []}],
                            "assignableScopes": ["[resourceGroup().id]"]}},
            {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
             "name": "[guid(resourceGroup().id, 'operator')]",
             "dependsOn": [format!("[resourceId('Microsoft.Authorization/roleDefinitions', {})]", &role[1..role.len() - 1])],
             "properties": {
                "roleDefinitionId": format!("[resourceId('Microsoft.Authorization/roleDefinitions', {})]", &role[1..role.len() - 1]),
                "principalId": principal, "principalType": "ServicePrincipal"}}
        ])),
    )
    .await;
    assert_eq!(op["status"], "Succeeded", "{op}");
    let (_, customs) = s
        .get(&format!("{}/providers/Microsoft.Authorization/roleDefinitions?{AUTHZ}&$filter=type%20eq%20'CustomRole'", app()))
        .await;
    let roles = customs["value"].as_array().unwrap();
    assert_eq!(roles.len(), 1, "{customs}");
    assert_eq!(roles[0]["properties"]["assignableScopes"], json!([app()]));
    let (_, assigned) = s
        .get(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}",
            app()
        ))
        .await;
    let a = &assigned["value"][0]["properties"];
    assert_eq!(a["principalId"], principal);
    assert!(
        a["roleDefinitionId"]
            .as_str()
            .unwrap()
            .ends_with(roles[0]["name"].as_str().unwrap()),
        "{assigned}"
    );
}
