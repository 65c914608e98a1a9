//! Application security groups (generic resources) named by IP configurations
//! (`applicationSecurityGroups`): they must exist in the NIC's region, are echoed, and cannot
//! be deleted while an IP configuration names them — what
//! `azurerm_network_interface_application_security_group_association` reads back. A private
//! endpoint's groups are its NIC's.

use super::*;

pub(super) async fn application_security_groups(s: &Server) {
    group(s, "rg").await;
    vnet(s, "rg", "v", &["10.0.0.0/16"], &[("web", &["10.0.1.0/24"])]).await;
    let web = subnet_id("rg", "v", "web");
    let asg = rid("rg", "applicationSecurityGroups", "web-servers");
    let (st, body) = s.put(&at(&asg), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let far = rid("rg", "applicationSecurityGroups", "far");
    let (st, body) = s.put(&at(&far), json!({"location": "westus"})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let member = |asgs: &[&str]| {
        vec![ipc_with(
            "ipconfig1",
            &web,
            json!({"applicationSecurityGroups": asgs.iter().map(|a| json!({"id": a})).collect::<Vec<_>>()}),
        )]
    };

    let (st, body) = put_nic(s, "rg", "n1", member(&[&asg])).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let asgs =
        &body["properties"]["ipConfigurations"][0]["properties"]["applicationSecurityGroups"];
    assert_eq!(ids(asgs), vec![asg.clone()]);
    let (_, got) = s.get(&at(&nic_id("rg", "n1"))).await;
    assert_eq!(
        ids(&got["properties"]["ipConfigurations"][0]["properties"]["applicationSecurityGroups"]),
        vec![asg.clone()]
    );

    // One that does not exist, or is in another region.
    let missing = rid("rg", "applicationSecurityGroups", "nosuch");
    for bad in [&missing, &far] {
        let (st, body) = put_nic(s, "rg", "n2", member(&[bad])).await;
        let msg = assert_error(st, &body, 400, "InvalidResourceReference");
        assert_contains(&msg, bad);
    }
    // A reference of another type is not an application security group.
    let (st, body) = put_nic(s, "rg", "n2", member(&[&web])).await;
    assert_error(st, &body, 400, "InvalidRequestFormat");

    // Every IPv4 configuration of a NIC is in the same groups (Azure's rule and message).
    let two = vec![
        ipc_with(
            "ipconfig1",
            &web,
            json!({"primary": true, "applicationSecurityGroups": [{"id": asg}]}),
        ),
        ipc("ipconfig2", &web),
    ];
    let (st, body) = put_nic(s, "rg", "n3", two).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "AllIpConfigurationsOnANicMustBelongToTheSameApplicationSecurityGroups",
    );
    assert_eq!(
        msg,
        format!(
            "All IPConfigurations on a Network Interface should reference the same set of Application Security Groups. IPConfiguration {}/ipConfigurations/ipconfig1 references ASG(s) {asg}, wheras IPConfiguration {}/ipConfigurations/ipconfig2 references ASG(s) .",
            nic_id("rg", "n3"),
            nic_id("rg", "n3")
        )
    );
    let (st, _) = s.get(&at(&nic_id("rg", "n3"))).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Named, it stays; let go, it may be deleted.
    let (st, _, body) = delete(s, &asg).await;
    let msg = assert_error(
        st,
        &body,
        400,
        "InUseApplicationSecurityGroupCannotBeDeleted",
    );
    assert_eq!(
        msg,
        "Application Security Group web-servers cannot be deleted because it is referenced by IpConfiguration(s) ipconfig1."
    );
    let (st, body) = put_nic(s, "rg", "n1", member(&[])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body["properties"]["ipConfigurations"][0]["properties"]
        .get("applicationSecurityGroups")
        .is_none());
    let (st, _, body) = delete(s, &asg).await;
    assert!(st.is_success(), "{st} {body}");
    let (st, _) = s.get(&at(&asg)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A private endpoint's security groups are its NIC's: named there, kept from deletion,
    // and a missing one refused as a NIC's would be.
    let pe_asg = rid("rg", "applicationSecurityGroups", "endpoints");
    let (st, body) = s.put(&at(&pe_asg), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let account = format!(
        "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/data"
    );
    let (st, body) = s.put(&at(&account), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let endpoint = |asg: &str| {
        json!({"location": LOC, "properties": {
            "subnet": {"id": web},
            "customNetworkInterfaceName": "pe-nic",
            "applicationSecurityGroups": [{"id": asg}],
            "privateLinkServiceConnections": [{"name": "c", "properties": {
                "privateLinkServiceId": account, "groupIds": ["blob"]}}]}})
    };
    let pe = rid("rg", "privateEndpoints", "pe");
    let (st, body) = s.put(&at(&pe), endpoint(&missing)).await;
    assert_error(st, &body, 400, "InvalidResourceReference");
    let (st, body) = s.put(&at(&pe), endpoint(&pe_asg)).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (_, nic) = s.get(&at(&nic_id("rg", "pe-nic"))).await;
    assert_eq!(
        ids(&nic["properties"]["ipConfigurations"][0]["properties"]["applicationSecurityGroups"]),
        vec![pe_asg.clone()],
        "{nic}"
    );
    let (st, _, body) = delete(s, &pe_asg).await;
    assert_error(
        st,
        &body,
        400,
        "InUseApplicationSecurityGroupCannotBeDeleted",
    );

    // A resource stays in its region, generic ones too; a group delete takes the NIC before
    // the security group it names.
    let (st, body) = s.put(&at(&far), json!({"location": LOC})).await;
    assert_error(st, &body, 409, "InvalidResourceLocation");
    let again = rid("rg", "applicationSecurityGroups", "again");
    let (st, body) = s.put(&at(&again), json!({"location": LOC})).await;
    assert_eq!(st, StatusCode::CREATED, "{body}");
    let (st, body) = put_nic(s, "rg", "n1", member(&[&again])).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    let (st, hdrs, body) = s.call(Method::DELETE, &rg_path("rg"), None).await;
    assert_eq!(st, StatusCode::ACCEPTED, "{body}");
    let url = hdrs["azure-asyncoperation"].to_str().unwrap();
    let (st, op) = s.get(url.strip_prefix(&s.base).unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(op["status"], "Succeeded", "{op}");
}
