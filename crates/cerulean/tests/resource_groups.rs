//! Resource groups over HTTPS against the real binary, on SQLite and on PostgreSQL.

mod common;

use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn lifecycle(s: &Server) {
    // Create: 201, then the same PUT again: 200.
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &rg_path("Team-Rg"),
            Some(json!({"location": "East US", "tags": {"env": "test"}})),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    assert_eq!(
        body["id"],
        format!("/subscriptions/{SUB}/resourceGroups/Team-Rg")
    );
    assert_eq!(body["name"], "Team-Rg");
    assert_eq!(body["location"], "eastus");
    assert_eq!(body["type"], "Microsoft.Resources/resourceGroups");
    assert_eq!(body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(body["tags"]["env"], "test");
    assert!(hdrs.get("etag").is_some());
    let (st, _) = s
        .put(&rg_path("team-rg"), json!({"location": "eastus"}))
        .await;
    assert_eq!(st, StatusCode::OK);

    // Lookups are case-insensitive and keep the first spelling.
    let (st, body) = s
        .get(&format!(
            "/SUBSCRIPTIONS/{SUB}/RESOURCEGROUPS/TEAM-RG?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["name"], "Team-Rg");
    assert!(
        body.get("tags").is_none(),
        "the second PUT replaced the tags"
    );

    // HEAD: 204 / 404, no body.
    let (st, _, body) = s.call(Method::HEAD, &rg_path("team-RG"), None).await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert!(body.is_null());
    let (st, _, body) = s.call(Method::HEAD, &rg_path("absent"), None).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(body.is_null());

    // PATCH tags.
    let (st, _, body) = s
        .call(
            Method::PATCH,
            &rg_path("Team-Rg"),
            Some(json!({"tags": {"owner": "me"}})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["tags"], json!({"owner": "me"}));
    assert_eq!(body["location"], "eastus");

    // DELETE: 202 with polling headers; the status reaches Succeeded; the group is gone.
    let (st, hdrs, _) = s.call(Method::DELETE, &rg_path("Team-Rg"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(hdrs["retry-after"], "1");
    let async_url = hdrs["azure-asyncoperation"].to_str().unwrap().to_string();
    let location = hdrs["location"].to_str().unwrap().to_string();
    assert!(async_url.starts_with(&s.base), "{async_url}");
    assert!(async_url.contains("/providers/Microsoft.Resources/locations/eastus/operations/"));
    let path = async_url.strip_prefix(&s.base).unwrap();
    let (st, op) = s.get(path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "Succeeded");
    let (st, _, body) = s
        .call(Method::GET, location.strip_prefix(&s.base).unwrap(), None)
        .await;
    // Azure's group-delete Location ends in 200 with an empty body.
    assert_eq!(st, StatusCode::OK);
    assert!(body.is_null());
    let (st, body) = s.get(&rg_path("Team-Rg")).await;
    let msg = assert_error(st, &body, 404, "ResourceGroupNotFound");
    assert_eq!(msg, "Resource group 'Team-Rg' could not be found.");
    // Deleting what is gone is a 404 too.
    let (st, _, body) = s.call(Method::DELETE, &rg_path("Team-Rg"), None).await;
    assert_error(st, &body, 404, "ResourceGroupNotFound");
}

async fn listing_filters_and_pages(s: &Server) {
    for (name, tag) in [
        ("a1", "x"),
        ("a2", "y"),
        ("a3", "x"),
        ("a4", "x"),
        ("a5", "z"),
    ] {
        let (st, _) = s
            .put(
                &rg_path(name),
                json!({"location": "westeurope", "tags": {"kind": tag}}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED);
    }
    // Page size 2 (the server runs with --page-size 2): follow nextLink to the end.
    let mut url = format!("/subscriptions/{SUB}/resourcegroups?{API}");
    let mut names = Vec::new();
    let mut pages = 0;
    loop {
        let (st, body) = s.get(&url).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        pages += 1;
        names.extend(
            body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap().to_string()),
        );
        match body["nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&s.base).unwrap().to_string(),
            None => break,
        }
    }
    assert_eq!(names, ["a1", "a2", "a3", "a4", "a5"]);
    assert!(pages >= 3);

    let filter = "tagName eq 'kind' and tagValue eq 'x'";
    let q: String = form_encode(filter);
    let mut url = format!("/subscriptions/{SUB}/resourcegroups?{API}&$filter={q}");
    let mut names = Vec::new();
    loop {
        let (st, body) = s.get(&url).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        names.extend(
            body["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["name"].as_str().unwrap().to_string()),
        );
        match body["nextLink"].as_str() {
            Some(next) => url = next.strip_prefix(&s.base).unwrap().to_string(),
            None => break,
        }
    }
    assert_eq!(names, ["a1", "a3", "a4"]);

    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups?{API}&$filter={}",
            form_encode("name eq 'a1'")
        ))
        .await;
    assert_error(st, &body, 400, "InvalidFilterInQueryString");
    let (st, body) = s
        .get(&format!(
            "/subscriptions/{SUB}/resourcegroups?{API}&$top=abc"
        ))
        .await;
    assert_error(st, &body, 400, "InvalidParameter");
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn group_rules(s: &Server) {
    let (st, body) = s
        .put(&rg_path("bad name!"), json!({"location": "eastus"}))
        .await;
    let msg = assert_error(st, &body, 400, "InvalidResourceGroup");
    assert!(msg.contains("has these invalid characters: ' !'"), "{msg}");
    let long = "a".repeat(91);
    let (st, body) = s.put(&rg_path(&long), json!({"location": "eastus"})).await;
    assert_error(st, &body, 400, "InvalidResourceGroup");
    let (st, body) = s.put(&rg_path("dot."), json!({"location": "eastus"})).await;
    assert_error(st, &body, 400, "InvalidResourceGroup");

    let (st, body) = s.put(&rg_path("noloc"), json!({})).await;
    let msg = assert_error(st, &body, 400, "LocationRequired");
    assert_eq!(
        msg,
        "The location property is required for this definition."
    );
    let (st, body) = s
        .put(&rg_path("moon"), json!({"location": "moonbase"}))
        .await;
    assert_error(st, &body, 400, "LocationNotAvailableForResourceGroup");

    s.put(&rg_path("fixed"), json!({"location": "eastus"}))
        .await;
    let (st, body) = s
        .put(&rg_path("fixed"), json!({"location": "westus"}))
        .await;
    let msg = assert_error(st, &body, 409, "InvalidResourceGroupLocation");
    assert_eq!(
        msg,
        "Invalid resource group location 'westus'. The Resource group already exists in location 'eastus'."
    );
    let too_many: serde_json::Map<String, serde_json::Value> =
        (0..51).map(|i| (format!("t{i}"), json!("v"))).collect();
    let (st, body) = s
        .put(
            &rg_path("tags"),
            json!({"location": "eastus", "tags": too_many}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidTagCount");
    let (st, body) = s
        .put(
            &rg_path("tags"),
            json!({"location": "eastus", "tags": {"a": 1}}),
        )
        .await;
    assert_error(st, &body, 400, "InvalidRequestContent");
}

async fn etags(s: &Server) {
    let (_, hdrs, _) = s
        .call(
            Method::PUT,
            &rg_path("etag"),
            Some(json!({"location": "eastus"})),
        )
        .await;
    let etag = hdrs["etag"].to_str().unwrap().to_string();
    // If-None-Match: * refuses to overwrite.
    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &rg_path("etag"),
            Some(json!({"location": "eastus"})),
            &[("If-None-Match", "*")],
        )
        .await;
    let msg = assert_error(st, &body, 412, "PreconditionFailed");
    assert_eq!(
        msg,
        "The condition specified using HTTP conditional header(s) is not met."
    );
    // If-None-Match: * creates what does not exist.
    let (st, _, _) = s
        .call_with(
            Method::PUT,
            &rg_path("etag-new"),
            Some(json!({"location": "eastus"})),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    // If-Match with a stale etag fails; with the current one succeeds and changes the etag.
    let (st, _, body) = s
        .call_with(
            Method::PATCH,
            &rg_path("etag"),
            Some(json!({"tags": {}})),
            &[("If-Match", "W/\"stale\"")],
        )
        .await;
    assert_error(st, &body, 412, "PreconditionFailed");
    let (st, hdrs, _) = s
        .call_with(
            Method::PATCH,
            &rg_path("etag"),
            Some(json!({"tags": {"a": "b"}})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_ne!(hdrs["etag"].to_str().unwrap(), etag);
    let (st, _, body) = s
        .call_with(
            Method::DELETE,
            &rg_path("etag"),
            None,
            &[("If-Match", &etag)],
        )
        .await;
    assert_error(st, &body, 412, "PreconditionFailed");
    // If-Match on something that does not exist fails too.
    let (st, _, body) = s
        .call_with(
            Method::PUT,
            &rg_path("nothing"),
            Some(json!({"location": "eastus"})),
            &[("If-Match", "*")],
        )
        .await;
    assert_error(st, &body, 412, "PreconditionFailed");
}

macro_rules! on_both_stores {
    ($($name:ident),*) => {
        mod sqlite {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let s = Server::start(&["--page-size", "2"]);
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres {
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    let url = fresh_postgres();
                    let s = Server::start(&["--page-size", "2", "--database-url", &url]);
                    super::$name(&s).await;
                }
            )*
        }
    };
}

on_both_stores!(lifecycle, listing_filters_and_pages, group_rules, etags);
