//! `Microsoft.Authorization` over HTTPS against the real binary: role definitions, role
//! assignments at subscription, group and resource scope with ARM's filters and errors,
//! permissions, assignments seeded from `--principals`, and the Microsoft Graph the az CLI
//! resolves principals with.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const LOC: &str = "eastus";
const AUTHZ: &str = "api-version=2022-04-01";
const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

fn principals() -> String {
    json!([
        {"clientId": "admin", "clientSecret": "s", "displayName": "Admin",
         "roles": [{"role": "Owner", "scope": format!("/subscriptions/{SUB}")}]},
        {"clientId": "app1", "clientSecret": "s",
         "roles": [{"role": "Contributor", "scope": format!("/subscriptions/{SUB}/resourceGroups/app")}]},
        {"clientId": "reader", "clientSecret": "s", "roles": [{"role": "Reader", "scope": format!("/subscriptions/{SUB}")}]},
        {"userName": "ada@example.com", "password": "pw", "displayName": "Ada Lovelace",
         "objectId": "ada00000-0000-0000-0000-000000000001"}
    ])
    .to_string()
}

fn start_in(dir: &std::path::Path) -> Server {
    let file = dir.join("principals.json");
    std::fs::write(&file, principals()).unwrap();
    Server::start_in(
        dir,
        &[
            "--auth",
            "required",
            "--principals",
            file.to_str().unwrap(),
            "--rbac",
        ],
    )
}

struct Ctx {
    s: Server,
    admin: String,
}

impl Ctx {
    async fn new() -> Ctx {
        let s = start_in(&temp_dir());
        let admin = s.token("admin", "s").await;
        let (st, b) = s
            .call_as(
                &admin,
                Method::PUT,
                &rg_path("app"),
                Some(json!({"location": LOC})),
            )
            .await;
        assert!(st.is_success(), "{b}");
        Ctx { s, admin }
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.s.call_as(&self.admin, method, path, body).await
    }

    async fn oid(&self, client: &str) -> String {
        let t = self.s.token(client, "s").await;
        jwt_claims(&t)["oid"].as_str().unwrap().to_string()
    }
}

fn sub() -> String {
    format!("/subscriptions/{SUB}")
}

fn group() -> String {
    format!("/subscriptions/{SUB}/resourceGroups/app")
}

fn role_id(guid: &str) -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

fn ra(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}?{AUTHZ}")
}

fn body(role: &str, principal: &str) -> Value {
    json!({"properties": {"roleDefinitionId": role_id(role), "principalId": principal}})
}

fn names(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn assignments_at_subscription_group_and_resource_scope() {
    let c = Ctx::new().await;
    let reader = c.oid("reader").await;
    let pip = format!(
        "{}/providers/Microsoft.Network/publicIPAddresses/p1",
        group()
    );
    let (st, b) = c
        .call(
            Method::PUT,
            &format!("{pip}?{API}"),
            Some(json!({"location": LOC, "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}})),
        )
        .await;
    assert!(st.is_success(), "{b}");
    let (a_sub, a_rg, a_res) = (
        "11111111-0000-0000-0000-000000000001",
        "11111111-0000-0000-0000-000000000002",
        "11111111-0000-0000-0000-000000000003",
    );
    let (st, created) = c
        .call(
            Method::PUT,
            &ra(&sub(), a_sub),
            Some(body(CONTRIBUTOR, &reader)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    assert_eq!(
        created["id"],
        format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/{a_sub}",
            sub()
        )
    );
    assert_eq!(created["type"], "Microsoft.Authorization/roleAssignments");
    let p = &created["properties"];
    assert_eq!(p["roleDefinitionId"], role_id(CONTRIBUTOR));
    assert_eq!(p["principalId"], reader);
    assert_eq!(p["principalType"], "ServicePrincipal", "from the directory");
    assert_eq!(p["scope"], sub());
    assert_eq!(p["createdBy"], c.oid("admin").await);
    // The same PUT again is no change.
    let (st, _) = c
        .call(
            Method::PUT,
            &ra(&sub(), a_sub),
            Some(body(CONTRIBUTOR, &reader)),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, _) = c
        .call(Method::PUT, &ra(&group(), a_rg), Some(body(OWNER, &reader)))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, b) = c
        .call(Method::PUT, &ra(&pip, a_res), Some(body(READER, &reader)))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    assert_eq!(b["properties"]["scope"], pip);

    // GET at its scope, and by id (the full path).
    let (st, got) = c.call(Method::GET, &ra(&group(), a_rg), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(got["properties"]["roleDefinitionId"], role_id(OWNER));
    let (st, body404) = c.call(Method::GET, &ra(&sub(), a_rg), None).await;
    let msg = assert_error(st, &body404, 404, "RoleAssignmentNotFound");
    assert!(msg.contains(a_rg), "{msg}");

    // Lists: at, above and below by default; `atScope()` at and above; by principal.
    let seeded = 3; // admin, app1 and reader from --principals
    let (_, all) = c
        .call(
            Method::GET,
            &format!(
                "{}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}",
                sub()
            ),
            None,
        )
        .await;
    assert_eq!(names(&all).len(), seeded + 3, "{all}");
    let at_group = |f: &str| {
        format!(
            "{}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}&$filter={}",
            group(),
            f
        )
    };
    let (_, l) = c.call(Method::GET, &at_group("atScope()"), None).await;
    let n = names(&l);
    assert!(
        n.contains(&a_sub.to_string())
            && n.contains(&a_rg.to_string())
            && !n.contains(&a_res.to_string()),
        "{l}"
    );
    let (_, l) = c
        .call(
            Method::GET,
            &at_group(&format!("principalId%20eq%20'{reader}'")),
            None,
        )
        .await;
    assert_eq!(names(&l).len(), 4, "three here and the seeded Reader: {l}");
    let (_, l) = c
        .call(
            Method::GET,
            &at_group(&format!("atScope()%20and%20assignedTo('{reader}')")),
            None,
        )
        .await;
    assert_eq!(names(&l).len(), 3, "at or above, the Reader's only: {l}");
    let (_, l) = c
        .call(
            Method::GET,
            &format!(
                "{pip}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}&$filter=atScope()"
            ),
            None,
        )
        .await;
    assert!(names(&l).contains(&a_res.to_string()));
    let (st, b) = c
        .call(Method::GET, &at_group("roleName%20eq%20'x'"), None)
        .await;
    assert_error(st, &b, 400, "InvalidFilterInQueryString");

    // DELETE answers the assignment, then 204.
    let (st, d) = c.call(Method::DELETE, &ra(&pip, a_res), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(d["name"], a_res);
    let (st, _) = c.call(Method::DELETE, &ra(&pip, a_res), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn assignment_errors_are_azures() {
    let c = Ctx::new().await;
    let reader = c.oid("reader").await;
    let n = |i: u32| format!("22222222-0000-0000-0000-{i:012}");

    let (st, b) = c
        .call(
            Method::PUT,
            &ra(&sub(), "not-a-guid"),
            Some(body(READER, &reader)),
        )
        .await;
    let msg = assert_error(st, &b, 400, "InvalidRoleAssignmentId");
    assert_eq!(
        msg,
        "The role assignment ID 'not-a-guid' is not valid. The role assignment ID must be a GUID."
    );
    let (st, b) = c
        .call(
            Method::PUT,
            &ra(&sub(), &n(1)),
            Some(body("00000000-1111-2222-3333-444444444444", &reader)),
        )
        .await;
    let msg = assert_error(st, &b, 400, "RoleDefinitionDoesNotExist");
    assert_eq!(msg, "The specified role definition with ID '00000000-1111-2222-3333-444444444444' does not exist.");
    let (st, b) = c
        .call(Method::PUT, &ra(&sub(), &n(1)), Some(body(READER, "User")))
        .await;
    let msg = assert_error(st, &b, 400, "InvalidPrincipalId");
    assert_eq!(
        msg,
        "The Principal ID 'User' is not valid. Principal ID must be a GUID."
    );
    let stranger = "33333333-4444-5555-6666-777777777777";
    let (st, b) = c
        .call(
            Method::PUT,
            &ra(&sub(), &n(1)),
            Some(body(READER, stranger)),
        )
        .await;
    let msg = assert_error(st, &b, 400, "PrincipalNotFound");
    assert!(
        msg.starts_with(&format!("Principal 33333333444455556666777777777777 does not exist in the directory {TENANT}. Check that you have the correct principal ID.")),
        "{msg}"
    );
    let mut typed = body(READER, &reader);
    typed["properties"]["principalType"] = json!("User");
    let (st, b) = c.call(Method::PUT, &ra(&sub(), &n(1)), Some(typed)).await;
    let msg = assert_error(st, &b, 400, "UnmatchedPrincipalType");
    assert_eq!(
        msg,
        format!("The PrincipalId '{}' has type 'ServicePrincipal' , which is different from specified PrinciaplType 'User'.", reader.replace('-', ""))
    );
    let mut scoped = body(READER, &reader);
    scoped["properties"]["scope"] = json!(group());
    let (st, b) = c.call(Method::PUT, &ra(&sub(), &n(1)), Some(scoped)).await;
    assert_error(st, &b, 400, "InvalidCreateRoleAssignmentRequest");
    let missing = format!("/subscriptions/{SUB}/resourceGroups/nope");
    let (st, b) = c
        .call(
            Method::PUT,
            &ra(&missing, &n(1)),
            Some(body(OWNER, &reader)),
        )
        .await;
    assert_error(st, &b, 404, "ResourceGroupNotFound");
    // ARM authorizes first: no role there, so a subscription that does not exist is a 403.
    let (st, b) = c
        .call(
            Method::PUT,
            &ra("/subscriptions/00000000-0000-0000-0000-00000000dead", &n(1)),
            Some(body(OWNER, &reader)),
        )
        .await;
    assert_error(st, &b, 403, "AuthorizationFailed");

    // The seeded Reader at the subscription already exists under another name.
    let (st, b) = c
        .call(Method::PUT, &ra(&sub(), &n(2)), Some(body(READER, &reader)))
        .await;
    let msg = assert_error(st, &b, 409, "RoleAssignmentExists");
    assert_eq!(msg, "The role assignment already exists.");
    let (st, _) = c
        .call(
            Method::PUT,
            &ra(&group(), &n(3)),
            Some(body(READER, &reader)),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, b) = c
        .call(
            Method::PUT,
            &ra(&group(), &n(3)),
            Some(body(OWNER, &reader)),
        )
        .await;
    let msg = assert_error(st, &b, 409, "RoleAssignmentUpdateNotPermitted");
    assert_eq!(
        msg,
        "Tenant ID, application ID, principal ID, and scope are not allowed to be updated."
    );
    let (st, b) = c
        .call(Method::PUT, &ra(&group(), &n(4)), Some(json!("text")))
        .await;
    assert_error(st, &b, 400, "InvalidRequestContent");
}

#[tokio::test]
async fn only_whoever_may_write_role_assignments_assigns() {
    let c = Ctx::new().await;
    let app1 = c.s.token("app1", "s").await;
    let reader = c.oid("reader").await;
    let name = "44444444-0000-0000-0000-000000000001";
    let (st, b) =
        c.s.call_as(
            &app1,
            Method::PUT,
            &ra(&group(), name),
            Some(body(READER, &reader)),
        )
        .await;
    let msg = assert_error(st, &b, 403, "AuthorizationFailed");
    assert!(
        msg.contains(&format!("does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '{}/providers/Microsoft.Authorization/roleAssignments/{name}'", group())),
        "Contributor's notActions exclude it: {msg}"
    );
    // Contributor reads them.
    let (st, _) =
        c.s.call_as(
            &app1,
            Method::GET,
            &format!(
                "{}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}",
                group()
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
}

#[tokio::test]
async fn role_definitions_are_azures_built_ins() {
    let c = Ctx::new().await;
    let list = |q: &str| {
        format!(
            "{}/providers/Microsoft.Authorization/roleDefinitions?{AUTHZ}{q}",
            sub()
        )
    };
    let (st, all) = c.call(Method::GET, &list(""), None).await;
    assert_eq!(st, StatusCode::OK);
    let names: Vec<&str> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["properties"]["roleName"].as_str().unwrap())
        .collect();
    for want in [
        "Owner",
        "Contributor",
        "Reader",
        "User Access Administrator",
        "Network Contributor",
        "Virtual Machine Contributor",
        "Role Based Access Control Administrator",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    let (_, one) = c
        .call(
            Method::GET,
            &list("&$filter=roleName%20eq%20'Reader'"),
            None,
        )
        .await;
    assert_eq!(one["value"].as_array().unwrap().len(), 1);
    let r = &one["value"][0];
    assert_eq!(r["id"], role_id(READER));
    assert_eq!(r["name"], READER);
    assert_eq!(r["type"], "Microsoft.Authorization/roleDefinitions");
    assert_eq!(r["properties"]["type"], "BuiltInRole");
    assert_eq!(
        r["properties"]["description"],
        "View all resources, but does not allow you to make any changes."
    );
    assert_eq!(r["properties"]["assignableScopes"], json!(["/"]));
    assert_eq!(
        r["properties"]["permissions"],
        json!([{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}])
    );
    let (_, custom) = c
        .call(
            Method::GET,
            &list("&$filter=type%20eq%20'CustomRole'"),
            None,
        )
        .await;
    assert_eq!(custom["value"], json!([]));

    let (st, nc) = c
        .call(
            Method::GET,
            &format!(
                "{}?{AUTHZ}",
                role_id("4d97b98b-1d4f-4787-a291-c67834d212e7")
            ),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(nc["properties"]["roleName"], "Network Contributor");
    // Role definitions are readable at the root by whoever reads them anywhere below it.
    let (st, root) = c
        .call(
            Method::GET,
            &format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}?{AUTHZ}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        root["id"],
        format!("/providers/Microsoft.Authorization/roleDefinitions/{OWNER}")
    );
    let (st, b) = c
        .call(
            Method::GET,
            &format!(
                "{}?{AUTHZ}",
                role_id("00000000-0000-0000-0000-000000000000")
            ),
            None,
        )
        .await;
    assert_error(st, &b, 404, "RoleDefinitionDoesNotExist");
    let (st, b) = c
        .call(
            Method::PUT,
            &format!(
                "{}?{AUTHZ}",
                role_id("00000000-0000-0000-0000-000000000001")
            ),
            Some(json!({})),
        )
        .await;
    assert_error(st, &b, 400, "InvalidRoleDefinition");
}

#[tokio::test]
async fn permissions_list_what_the_caller_may_do_there() {
    let c = Ctx::new().await;
    let at = |scope: &str| format!("{scope}/providers/Microsoft.Authorization/permissions?{AUTHZ}");
    let reader = c.s.token("reader", "s").await;
    let (st, p) = c.s.call_as(&reader, Method::GET, &at(&sub()), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        p,
        json!({"value": [{"actions": ["*/read"], "notActions": [], "dataActions": [], "notDataActions": []}]})
    );
    let app1 = c.s.token("app1", "s").await;
    let (_, p) = c.s.call_as(&app1, Method::GET, &at(&group()), None).await;
    assert_eq!(p["value"][0]["actions"], json!(["*"]));
    assert!(p["value"][0]["notActions"]
        .as_array()
        .unwrap()
        .contains(&json!("Microsoft.Authorization/*/Write")));
    let (_, p) = c.s.call_as(&app1, Method::GET, &at(&sub()), None).await;
    assert_eq!(
        p["value"],
        json!([]),
        "Contributor of the group, not of the subscription"
    );
}

#[tokio::test]
async fn principals_roles_are_assigned_once_and_visible() {
    let dir = temp_dir();
    let list = format!(
        "{}/providers/Microsoft.Authorization/roleAssignments?{AUTHZ}",
        sub()
    );
    let first = {
        let s = start_in(&dir);
        let admin = s.token("admin", "s").await;
        let (st, l) = s.call_as(&admin, Method::GET, &list, None).await;
        assert_eq!(st, StatusCode::OK);
        let admin_oid = jwt_claims(&admin)["oid"].as_str().unwrap().to_string();
        let mine: Vec<&Value> = l["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["properties"]["principalId"] == admin_oid.as_str())
            .collect();
        assert_eq!(mine.len(), 1, "{l}");
        assert_eq!(mine[0]["properties"]["roleDefinitionId"], role_id(OWNER));
        assert_eq!(mine[0]["properties"]["scope"], sub());
        names(&l)
    };
    // Started again on the same data: the same assignments, none added.
    let s = start_in(&dir);
    let admin = s.token("admin", "s").await;
    let (_, l) = s.call_as(&admin, Method::GET, &list, None).await;
    assert_eq!(names(&l), first);
    assert_eq!(first.len(), 3);
}

#[tokio::test]
async fn graph_answers_what_the_az_cli_asks() {
    let c = Ctx::new().await;
    let reader_oid = c.oid("reader").await;
    let g = |p: &str| format!("/v1.0{p}");
    // Graph takes tokens meant for Graph (az asks for its cloud's Graph resource).
    let graph = c.s.graph_token("admin", "s").await;
    let (st, b) = c.call(Method::GET, &g("/servicePrincipals"), None).await;
    let msg = assert_error(st, &b, 401, "InvalidAuthenticationTokenAudience");
    assert!(msg.contains("'https://graph.microsoft.com/'"), "{msg}");
    let (st, sps) =
        c.s.call_as(
            &graph,
            Method::GET,
            &g("/servicePrincipals?$filter=servicePrincipalNames%2Fany(c%3Ac%20eq%20'reader')"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{sps}");
    assert_eq!(sps["value"][0]["id"], reader_oid);
    assert_eq!(sps["value"][0]["appId"], "reader");
    let (_, none) =
        c.s.call_as(
            &graph,
            Method::GET,
            &g("/servicePrincipals?$filter=servicePrincipalNames%2Fany(c%3Ac%20eq%20'stranger')"),
            None,
        )
        .await;
    assert_eq!(
        none["value"],
        json!([]),
        "a closed directory knows only its principals"
    );
    let (st, sp) =
        c.s.call_as(
            &graph,
            Method::GET,
            &g(&format!("/servicePrincipals/{reader_oid}")),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(sp["servicePrincipalNames"], json!(["reader"]));
    let (st, b) =
        c.s.call_as(
            &graph,
            Method::GET,
            &g("/servicePrincipals/55555555-0000-0000-0000-000000000000"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(b["error"]["code"], "Request_ResourceNotFound");

    let (_, users) =
        c.s.call_as(
            &graph,
            Method::GET,
            &g("/users?$filter=userPrincipalName%20eq%20'ada@example.com'"),
            None,
        )
        .await;
    assert_eq!(
        users["value"][0]["id"],
        "ada00000-0000-0000-0000-000000000001"
    );
    assert_eq!(users["value"][0]["displayName"], "Ada Lovelace");
    let (st, objs) = c
        .s
        .call_as(
            &graph,
            Method::POST,
            &g("/directoryObjects/getByIds"),
            Some(json!({"ids": [reader_oid, "ada00000-0000-0000-0000-000000000001", "66666666-0000-0000-0000-000000000000"],
                        "types": ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"]})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let types: Vec<&str> = objs["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["@odata.type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        ["#microsoft.graph.servicePrincipal", "#microsoft.graph.user"]
    );

    let ada = c.s.graph_user_token("ada@example.com", "pw").await;
    let (st, me) = c.s.call_as(&ada, Method::GET, &g("/me"), None).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        (me["userPrincipalName"].as_str(), me["id"].as_str()),
        (
            Some("ada@example.com"),
            Some("ada00000-0000-0000-0000-000000000001")
        )
    );
    let (st, b) = c.s.call_as(&graph, Method::GET, &g("/me"), None).await;
    assert_eq!(
        st,
        StatusCode::BAD_REQUEST,
        "an application is not a signed-in user: {b}"
    );
    let (st, _) = c.s.get(&g("/me")).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "Graph wants a token too");
}
