//! Operations polled on any server sharing the store.

use super::*;

/// A network write's operation keeps no record (its id carries a MAC under the store's
/// key): every server sharing the store answers its polls, and one id altered in a digit is
/// no operation, on any of them.
pub(super) async fn operations_polled_on_any_server(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.7.0/24").await;
    let nic = nic_id("rg", "polled");
    let (st, put, body) = c
        .at(0)
        .call(Method::PUT, &at(&nic), Some(nic_body(&subnet, json!({}))))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, delete, body) = c.at(1).call(Method::DELETE, &at(&nic), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let polls = [
        (&put, "azure-asyncoperation", StatusCode::OK),
        (&delete, "azure-asyncoperation", StatusCode::OK),
        (&delete, "location", StatusCode::NO_CONTENT),
    ];
    for (headers, header, answer) in polls {
        let url = headers[header].to_str().unwrap();
        let path = &url[url.find("/subscriptions/").unwrap()..];
        for s in &c.servers {
            let (st, _, body) = s.call(Method::GET, path, None).await;
            assert_eq!(st, answer, "{header}: {body}");
            if answer == StatusCode::OK {
                assert_eq!(body["status"], "Succeeded", "{body}");
            }
        }
        // One hex digit of the id changed (the id ends where the query starts).
        let end = path.find('?').unwrap();
        let other = if &path[end - 1..end] == "0" { "1" } else { "0" };
        let forged = format!("{}{other}{}", &path[..end - 1], &path[end..]);
        for s in &c.servers {
            let (st, _, body) = s.call(Method::GET, &forged, None).await;
            assert_error(st, &body, 404, "OperationNotFound");
        }
    }
}
