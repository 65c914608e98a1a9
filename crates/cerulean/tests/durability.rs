//! Acknowledged writes survive: a SIGKILL right after the answer, a SIGTERM in the middle of
//! a burst of writes, and several servers sharing one PostgreSQL database.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test]
async fn a_write_survives_sigkill() {
    let mut s = Server::start(&[]);
    let (st, _) = s
        .put(
            &rg_path("durable"),
            json!({"location": "eastus", "tags": {"k": "v"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    s.kill_hard();
    let dir = s.dir.clone();
    let s2 = Server::start_in(&dir, &[]);
    let (st, body) = s2.get(&rg_path("durable")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["tags"]["k"], "v");
}

#[tokio::test]
async fn sigterm_loses_no_acknowledged_write() {
    let mut s = Server::start(&[]);
    let client = s.client.clone();
    let base = Arc::new(s.base.clone());
    let mut tasks = Vec::new();
    for i in 0..200 {
        let client = client.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let r = client
                .put(format!("{base}{}", rg_path(&format!("g{i}"))))
                .json(&json!({"location": "eastus"}))
                .send()
                .await;
            matches!(r, Ok(r) if r.status() == StatusCode::CREATED).then_some(i)
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let status = s.terminate();
    assert!(status.success(), "clean exit on SIGTERM");
    let mut acked = Vec::new();
    for t in tasks {
        if let Some(i) = t.await.unwrap() {
            acked.push(i);
        }
    }
    let dir = s.dir.clone();
    let s2 = Server::start_in(&dir, &[]);
    for i in &acked {
        let (st, _) = s2.get(&rg_path(&format!("g{i}"))).await;
        assert_eq!(st, StatusCode::OK, "acknowledged write g{i} lost");
    }
}

#[tokio::test]
async fn two_servers_share_one_postgres_database() {
    let url = fresh_postgres();
    let a = Server::start(&["--database-url", &url]);
    let b = Server::start(&["--database-url", &url]);
    let (st, _) = a
        .put(&rg_path("shared"), json!({"location": "eastus"}))
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, body) = b.get(&rg_path("SHARED")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(body["name"], "shared");
    // An operation started on one server can be polled on the other.
    let (st, h, _) = a
        .call(reqwest::Method::DELETE, &rg_path("shared"), None)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let path = h["azure-asyncoperation"]
        .to_str()
        .unwrap()
        .strip_prefix(&a.base)
        .unwrap()
        .to_string();
    let (st, op) = b.get(&path).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "Succeeded");

    // Racing creates of one group on two servers: exactly one 201.
    let mut tasks = Vec::new();
    for s in [&a, &b, &a, &b] {
        let c = s.client.clone();
        let u = s.url(&rg_path("race"));
        tasks.push(tokio::spawn(async move {
            c.put(u)
                .header("If-None-Match", "*")
                .json(&json!({"location": "eastus"}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut created = 0;
    for t in tasks {
        let st = t.await.unwrap();
        assert!(
            st == StatusCode::CREATED || st == StatusCode::PRECONDITION_FAILED,
            "{st}"
        );
        created += (st == StatusCode::CREATED) as usize;
    }
    assert_eq!(created, 1);
}
