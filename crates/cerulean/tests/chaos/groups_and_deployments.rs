//! A group deleted while NICs are created in it, and a deployment competing with direct
//! creates for a small subnet's addresses.

use super::*;

/// A group deleted while NICs are being created in it: every create either made it before
/// the delete (and went with the group) or is refused; nothing of the group survives, no
/// address state outlives its subnet, and the names can be used again from scratch.
pub(super) async fn group_delete_during_creates(c: &mut Cluster) {
    let subnet = network(c.at(0), "doomed", "10.0.3.0/24").await;
    let done = Arc::new(AtomicUsize::new(0));
    let tasks = counted(nic_creates(c, "doomed", "n", &subnet, 40), &done);
    wait_until_done(&done, 10).await;
    let (st, _, body) = c.at(1).call(Method::DELETE, &rg_path("doomed"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let mut created = 0;
    for t in tasks {
        let (st, body) = t.await.unwrap().expect("an answer");
        match st.as_u16() {
            201 => created += 1,
            404 | 400 => assert!(!code(&body).is_empty(), "{st} {body}"),
            _ => panic!("{st} {body}"),
        }
    }
    assert!(created >= 10, "{created}");
    let (st, _) = c.at(0).get(&rg_path("doomed")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    c.check().await;
    // Nothing of the old subnet's address state came back with the new one.
    let subnet = network(c.at(1), "doomed", "10.0.3.0/24").await;
    let nic = create(
        c.at(0),
        &nic_id("doomed", "again"),
        nic_body(&subnet, json!({})),
    )
    .await;
    assert_eq!(private_ip(&nic), "10.0.3.4");
    c.check().await;
}

/// A deployment creating eight NICs in a /28 (eleven addresses) while eight direct creates
/// compete for the same addresses: eleven NICs in all, every address once; the deployment
/// fails with the inner `SubnetIsFull` if it lost any.
pub(super) async fn a_deployment_racing_direct_writes(c: &mut Cluster) {
    let subnet = network(c.at(0), "rg", "10.0.4.0/28").await;
    let template = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [{
            "type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-07-01",
            "name": "[concat('t', copyIndex())]", "location": LOC,
            "copy": {"name": "nics", "count": 8},
            "properties": {"ipConfigurations": [{"name": "ipconfig1",
                "properties": {"subnet": {"id": subnet}}}]}}]});
    let deployment = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Resources/deployments/d"
    );
    let (st, body) = c
        .at(1)
        .put(
            &format!("{deployment}?api-version=2024-03-01"),
            json!({"properties": {"template": template, "mode": "Incremental"}}),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let tasks = nic_creates(c, "rg", "n", &subnet, 8);
    let mut direct = 0;
    for (st, body) in join(tasks).await {
        match (st.as_u16(), code(&body)) {
            (201, _) => direct += 1,
            (400, "SubnetIsFull") => {}
            _ => panic!("{st} {body}"),
        }
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    let d = loop {
        let (_, d) = c
            .at(0)
            .get(&format!("{deployment}?api-version=2024-03-01"))
            .await;
        let state = d["properties"]["provisioningState"].as_str().unwrap_or("");
        if !matches!(state, "Accepted" | "Running") {
            break d;
        }
        assert!(Instant::now() < deadline, "{d}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let (st, list) = c
        .at(1)
        .get(&format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces?{API}"
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let nics = list["value"].as_array().unwrap();
    assert_eq!(nics.len(), 11, "a /28 holds eleven: {list}");
    let by_template = nics.len() - direct;
    if by_template == 8 {
        assert_eq!(d["properties"]["provisioningState"], "Succeeded", "{d}");
    } else {
        assert_eq!(d["properties"]["provisioningState"], "Failed", "{d}");
        let details = d["properties"]["error"]["details"].to_string();
        assert!(details.contains("SubnetIsFull"), "{d}");
    }
    // On PostgreSQL the deployment's own writes ran beside the NIC creates, none alone: its
    // start, its end and a step record for each of its eight NICs at least, beside the 16
    // NIC PUTs (the refused ones count too).
    assert_keyed(c, 16 + 2 + 8).await;
    c.check().await;
}
