//! The seed's scenarios written as templates (examples/templates), and their failures with
//! the inner resource's own error: a VM with two NICs, three IP configurations, copy loops,
//! too many NICs for the size, a NIC of another VM.

use super::*;

// ---------------------------------------------------------------- seed scenarios

#[tokio::test]
async fn a_vm_with_two_nics_in_two_subnets() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "twonics",
        template("vm-two-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let p = &d["properties"];
    assert_eq!(p["provisioningState"], "Succeeded");
    assert_eq!(p["mode"], "Incremental");
    assert_eq!(d["type"], "Microsoft.Resources/deployments");
    // Secure parameters are never echoed; the others are.
    assert_eq!(
        p["parameters"]["adminPassword"],
        json!({"type": "SecureString"})
    );
    assert_eq!(
        p["parameters"]["vmSize"],
        json!({"type": "String", "value": "Standard_DS3_v2"})
    );
    assert!(!d.to_string().contains("S3cret-Passw0rd!"));
    assert_eq!(
        p["outputs"]["primaryPrivateIp"],
        json!({"type": "String", "value": "10.0.1.4"})
    );
    assert_eq!(p["outputs"]["secondaryPrivateIp"]["value"], "10.0.2.4");
    assert_eq!(p["outputResources"].as_array().unwrap().len(), 4);

    let vm = get_ok(&s, &res("rg", "Microsoft.Compute/virtualMachines", "vm1")).await;
    let nics = vm["properties"]["networkProfile"]["networkInterfaces"]
        .as_array()
        .unwrap();
    assert_eq!(nics.len(), 2);
    assert!(nics[0]["id"].as_str().unwrap().ends_with("/vm1-nic1"));
    assert_eq!(nics[0]["properties"]["primary"], true);
    assert_eq!(nics[1]["properties"]["primary"], false);
    let nic2 = get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "vm1-nic2"),
    )
    .await;
    assert!(nic2["properties"]["virtualMachine"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/vm1"));
    assert_eq!(nic2["properties"]["primary"], false);

    // One Create operation per resource, in dependency order, all Succeeded.
    let ops = operations(&s, "rg", "twonics").await;
    let targets: Vec<&str> = ops
        .iter()
        .map(|o| {
            o["properties"]["targetResource"]["resourceName"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(targets, ["vm1-vnet", "vm1-nic1", "vm1-nic2", "vm1"]);
    for o in &ops {
        assert_eq!(o["properties"]["provisioningOperation"], "Create");
        assert_eq!(o["properties"]["provisioningState"], "Succeeded");
        assert_eq!(o["properties"]["statusCode"], "Created");
    }
    let one = &ops[3];
    let (st, got) = s
        .get(&format!("{}?{RAPI}", one["id"].as_str().unwrap()))
        .await;
    assert_eq!(st, StatusCode::OK, "{got}");
    assert_eq!(
        got["properties"]["targetResource"]["resourceType"],
        "Microsoft.Compute/virtualMachines"
    );

    // Redeploying the same template changes nothing and succeeds again (PUTs are idempotent).
    let (status, _) = deploy(
        &s,
        "rg",
        "twonics",
        template("vm-two-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
}

#[tokio::test]
async fn a_nic_with_three_ip_configurations_two_with_public_ips() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "threeips",
        template("nic-three-ipconfigs.json"),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let nic = get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "myNic"),
    )
    .await;
    let configs = nic["properties"]["ipConfigurations"].as_array().unwrap();
    assert_eq!(configs.len(), 3);
    let addrs: Vec<&str> = configs
        .iter()
        .map(|c| c["properties"]["privateIPAddress"].as_str().unwrap())
        .collect();
    assert_eq!(addrs, ["10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    assert!(configs[0]["properties"]["publicIPAddress"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/myPublicIP1"));
    assert!(configs[1]["properties"]["publicIPAddress"]["id"]
        .as_str()
        .unwrap()
        .ends_with("/myPublicIP2"));
    assert!(configs[2]["properties"].get("publicIPAddress").is_none());
    // The outputs read the static public addresses that were allocated.
    let outs = d["properties"]["outputs"]["publicIps"]["value"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(outs.len(), 2);
    for (i, ip) in outs.iter().enumerate() {
        let pip = get_ok(
            &s,
            &res(
                "rg",
                "Microsoft.Network/publicIPAddresses",
                &format!("myPublicIP{}", i + 1),
            ),
        )
        .await;
        assert_eq!(&pip["properties"]["ipAddress"], ip);
    }
}

#[tokio::test]
async fn a_copy_loop_creates_n_nics() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "loop",
        template("nics-copy.json"),
        params(&[("count", json!(5))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    assert_eq!(
        d["properties"]["outputs"]["nicNames"]["value"],
        json!(["nic-0", "nic-1", "nic-2", "nic-3", "nic-4"])
    );
    let mut addrs = Vec::new();
    for i in 0..5 {
        let nic = get_ok(
            &s,
            &res(
                "rg",
                "Microsoft.Network/networkInterfaces",
                &format!("nic-{i}"),
            ),
        )
        .await;
        addrs.push(
            nic["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    assert_eq!(
        addrs,
        ["10.1.0.4", "10.1.0.5", "10.1.0.6", "10.1.0.7", "10.1.0.8"]
    );
    // Parameter limits are checked before anything is created.
    let (st, hdrs, body) = s
        .call(
            Method::PUT,
            &format!("{}?{RAPI}", deployment_path("rg", "loop2")),
            Some(json!({"properties": {"template": template("nics-copy.json"), "parameters": params(&[("count", json!(51))]), "mode": "Incremental"}})),
        )
        .await;
    assert_error(st, &body, 400, "InvalidTemplate");
    assert!(hdrs.get("azure-asyncoperation").is_none());
}

#[tokio::test]
async fn too_many_nics_for_the_size_fails_with_the_inner_error() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, d) = deploy(
        &s,
        "rg",
        "small",
        template("too-many-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Failed", "{status}");
    assert_eq!(status["error"]["code"], "DeploymentFailed");
    let p = &d["properties"];
    assert_eq!(p["provisioningState"], "Failed");
    assert_eq!(p["error"]["code"], "DeploymentFailed");
    let inner = &p["error"]["details"][0];
    assert_eq!(inner["code"], "NetworkInterfaceCountExceeded", "{inner}");
    assert_eq!(
        inner["message"],
        "The number of network interfaces for virtual machine smallVm exceeds the maximum allowed for the virtual machine size Standard_B1s. The number of network interfaces is 3 and the maximum allowed is 2."
    );
    // What was created before the failure stays; the VM does not exist.
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/networkInterfaces", "small-nic2"),
    )
    .await;
    let (st, body) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Compute/virtualMachines", "smallVm")
        ))
        .await;
    assert_error(st, &body, 404, "ResourceNotFound");
    let ops = operations(&s, "rg", "small").await;
    let failed: Vec<&Value> = ops
        .iter()
        .filter(|o| o["properties"]["provisioningState"] == "Failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["properties"]["statusCode"], "BadRequest");
    assert_eq!(
        failed[0]["properties"]["statusMessage"]["error"]["code"],
        "NetworkInterfaceCountExceeded"
    );

    // With a size that allows three, the same template succeeds.
    let (status, _) = deploy(
        &s,
        "rg",
        "small",
        template("too-many-nics.json"),
        params(&[
            ("adminPassword", json!("x-Passw0rd!")),
            ("vmSize", json!("Standard_DS3_v2")),
        ]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
}

#[tokio::test]
async fn a_nic_of_another_vm_fails_with_nic_in_use_and_stops_dependants_only() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let (status, _) = deploy(
        &s,
        "rg",
        "first",
        template("vm-two-nics.json"),
        params(&[("adminPassword", json!("S3cret-Passw0rd!"))]),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded");
    let nic1 = res("rg", "Microsoft.Network/networkInterfaces", "vm1-nic1");
    let tpl = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-11-01", "name": "thief",
                "location": LOC,
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_B1s"},
                    "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}},
                    "osProfile": {"computerName": "thief", "adminUsername": "u", "adminPassword": "S3cret-Passw0rd!"},
                    "networkProfile": {"networkInterfaces": [{"id": nic1}]}
                }
            },
            {
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "after-thief",
                "location": LOC, "dependsOn": ["thief"], "properties": {}
            },
            {
                "type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2024-07-01", "name": "independent",
                "location": LOC, "properties": {}
            }
        ]
    });
    let (status, d) = deploy(&s, "rg", "second", tpl, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Failed");
    assert_eq!(d["properties"]["error"]["details"][0]["code"], "NicInUse");
    // The dependant was never tried; the independent resource was created.
    let (st, _) = s
        .get(&format!(
            "{}?{API}",
            res("rg", "Microsoft.Network/publicIPAddresses", "after-thief")
        ))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    get_ok(
        &s,
        &res("rg", "Microsoft.Network/publicIPAddresses", "independent"),
    )
    .await;
    let names: Vec<String> = operations(&s, "rg", "second")
        .await
        .iter()
        .map(|o| {
            o["properties"]["targetResource"]["resourceName"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["thief", "independent"]);
}

/// A load balancer's inbound NAT rule declared as a child resource of its own (what Bicep
/// writes for `resource ssh 'Microsoft.Network/loadBalancers/inboundNatRules'`) is written
/// into its load balancer, and a NIC of the same template takes it.
#[tokio::test]
async fn a_nat_rule_declared_on_its_own_is_the_load_balancers() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let subnet = "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]";
    let rule = "[resourceId('Microsoft.Network/loadBalancers/inboundNatRules', 'lb', 'ssh')]";
    let (status, _) = deploy(
        &s,
        "rg",
        "nat",
        tpl_with(json!([
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "v", "location": LOC,
             "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                            "subnets": [{"name": "s", "properties": {"addressPrefix": "10.0.0.0/24"}}]}},
            {"type": "Microsoft.Network/loadBalancers", "apiVersion": "2024-05-01", "name": "lb", "location": LOC,
             "dependsOn": ["v"],
             "properties": {"frontendIPConfigurations": [{"name": "fe", "properties": {"subnet": {"id": subnet}}}]}},
            {"type": "Microsoft.Network/loadBalancers/inboundNatRules", "apiVersion": "2024-05-01", "name": "lb/ssh",
             "dependsOn": ["lb"],
             "properties": {"protocol": "Tcp", "frontendPort": 50000, "backendPort": 22}},
            {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-05-01", "name": "nic", "location": LOC,
             "dependsOn": [rule],
             "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                 "subnet": {"id": subnet}, "loadBalancerInboundNatRules": [{"id": rule}]}}]}}
        ])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let lb = res("rg", "Microsoft.Network/loadBalancers", "lb");
    let (st, body) = s.get(&format!("{lb}?{API}")).await;
    assert_eq!(st, StatusCode::OK);
    let rules = &body["properties"]["inboundNatRules"];
    assert_eq!(rules[0]["name"], "ssh", "{body}");
    assert_eq!(
        rules[0]["properties"]["backendIPConfiguration"]["id"],
        format!(
            "{}/ipConfigurations/ipconfig1",
            res("rg", "Microsoft.Network/networkInterfaces", "nic")
        )
    );
    // Not a generic resource beside it.
    let (_, all) = s.get(&format!("{}/resources?{API}", group_id("rg"))).await;
    let types: Vec<&str> = all["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert!(
        !types.contains(&"Microsoft.Network/loadBalancers/inboundNatRules"),
        "{types:?}"
    );
}

/// A private DNS zone as an exported template declares it: the zone, its apex SOA (which the
/// zone's creation made: the template's PUT updates it), a link and a record set.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_private_dns_zone_and_its_soa_deploy_as_exported() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let zone = "[resourceId('Microsoft.Network/privateDnsZones', 'corp.internal')]";
    let (status, _) = deploy(
        &s,
        "rg",
        "dns",
        tpl_with(json!([
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "v", "location": LOC,
             "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}},
            {"type": "Microsoft.Network/privateDnsZones", "apiVersion": "2024-06-01", "name": "corp.internal",
             "location": "global", "properties": {"numberOfRecordSets": 1}},
            {"type": "Microsoft.Network/privateDnsZones/SOA", "apiVersion": "2024-06-01", "name": "corp.internal/@",
             "dependsOn": [zone],
             "properties": {"ttl": 3600, "soaRecord": {"email": "azureprivatedns-host.microsoft.com", "expireTime": 2419200,
                 "host": "azureprivatedns.net", "minimumTtl": 20, "refreshTime": 3600, "retryTime": 300, "serialNumber": 1}}},
            {"type": "Microsoft.Network/privateDnsZones/A", "apiVersion": "2024-06-01", "name": "corp.internal/vm1",
             "dependsOn": [zone], "properties": {"ttl": 10, "aRecords": [{"ipv4Address": "10.0.0.4"}]}},
            {"type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks", "apiVersion": "2024-06-01",
             "name": "corp.internal/v-link", "location": "global", "dependsOn": [zone, "v"],
             "properties": {"registrationEnabled": false, "virtualNetwork": {"id": "[resourceId('Microsoft.Network/virtualNetworks', 'v')]"}}}
        ])),
        json!({}),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let zone = res("rg", "Microsoft.Network/privateDnsZones", "corp.internal");
    let (st, body) = s.get(&format!("{zone}?{API}")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["properties"]["numberOfRecordSets"], 2, "{body}");
    assert_eq!(
        body["properties"]["numberOfVirtualNetworkLinks"], 1,
        "{body}"
    );
    let (_, soa) = s.get(&format!("{zone}/SOA/@?{API}")).await;
    assert_eq!(soa["properties"]["soaRecord"]["minimumTtl"], 20, "{soa}");
    let (_, a) = s.get(&format!("{zone}/A/vm1?{API}")).await;
    assert_eq!(a["properties"]["fqdn"], "vm1.corp.internal.", "{a}");
}

/// A private endpoint to a storage account as a template declares it (Bicep's usual
/// pattern): the endpoint gets its NIC and address, its zone group the account's record,
/// and redeploying the same template changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_private_endpoint_with_its_zone_group_deploys() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let zone =
        "[resourceId('Microsoft.Network/privateDnsZones', 'privatelink.blob.core.windows.net')]";
    let account = "[resourceId('Microsoft.Storage/storageAccounts', 'shopdata')]";
    let endpoint = "[resourceId('Microsoft.Network/privateEndpoints', 'shop-blob')]";
    let template = tpl_with(json!([
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "v", "location": LOC,
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
             "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.0.5.0/24"}}]}},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "shopdata",
         "location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}},
        {"type": "Microsoft.Network/privateDnsZones", "apiVersion": "2024-06-01",
         "name": "privatelink.blob.core.windows.net", "location": "global"},
        {"type": "Microsoft.Network/privateEndpoints", "apiVersion": "2024-05-01", "name": "shop-blob",
         "location": LOC, "dependsOn": ["v", account],
         "properties": {
             "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'pe')]"},
             "privateLinkServiceConnections": [{"name": "blob", "properties": {
                 "privateLinkServiceId": account, "groupIds": ["blob"]}}]}},
        {"type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups", "apiVersion": "2024-05-01",
         "name": "shop-blob/default", "dependsOn": [endpoint, zone],
         "properties": {"privateDnsZoneConfigs": [{"name": "blob", "properties": {"privateDnsZoneId": zone}}]}}
    ]));
    for round in 0..2 {
        let (status, _) = deploy(&s, "rg", "pe", template.clone(), json!({}), "Incremental").await;
        assert_eq!(status["status"], "Succeeded", "round {round}: {status}");
        let pe = res("rg", "Microsoft.Network/privateEndpoints", "shop-blob");
        let (st, body) = s.get(&format!("{pe}?{API}")).await;
        assert_eq!(st, StatusCode::OK, "{body}");
        assert_eq!(
            body["properties"]["customDnsConfigs"],
            json!([{"fqdn": "shopdata.blob.core.windows.net", "ipAddresses": ["10.0.5.4"]}]),
            "round {round}"
        );
        let zone = res(
            "rg",
            "Microsoft.Network/privateDnsZones",
            "privatelink.blob.core.windows.net",
        );
        let (st, a) = s.get(&format!("{zone}/A/shopdata?{API}")).await;
        assert_eq!(st, StatusCode::OK, "{a}");
        assert_eq!(
            a["properties"]["aRecords"],
            json!([{"ipv4Address": "10.0.5.4"}])
        );
    }
}

/// The account owner's approval as templates write it (Bicep's pattern): one deployment makes
/// a manual endpoint and outputs the connection's name from the account's
/// `privateEndpointConnections`; a second approves it by that name. Approving again fails as
/// it does on Azure Storage.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_template_approves_a_manual_private_endpoint() {
    let s = Server::start(&[]);
    group(&s, "rg").await;
    let account = "[resourceId('Microsoft.Storage/storageAccounts', 'shopdata')]";
    let mut ask = tpl_with(json!([
        {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-05-01", "name": "v", "location": LOC,
         "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
             "subnets": [{"name": "pe", "properties": {"addressPrefix": "10.0.5.0/24"}}]}},
        {"type": "Microsoft.Storage/storageAccounts", "apiVersion": "2023-01-01", "name": "shopdata",
         "location": LOC, "kind": "StorageV2", "sku": {"name": "Standard_LRS"}},
        {"type": "Microsoft.Network/privateEndpoints", "apiVersion": "2024-05-01", "name": "asker",
         "location": LOC, "dependsOn": ["v", account],
         "properties": {
             "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'pe')]"},
             "manualPrivateLinkServiceConnections": [{"name": "blob", "properties": {
                 "privateLinkServiceId": account, "groupIds": ["blob"]}}]}}
    ]));
    ask["outputs"] = json!({"connection": {"type": "string",
        "value": "[reference(resourceId('Microsoft.Storage/storageAccounts', 'shopdata'), '2023-01-01').privateEndpointConnections[0].name]"}});
    // Outputs are read once every resource is in place.
    let (status, d) = deploy(&s, "rg", "ask", ask, json!({}), "Incremental").await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let name = d["properties"]["outputs"]["connection"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{d}"))
        .to_string();
    assert!(name.starts_with("asker."), "{name}");

    let mut approve = tpl_with(json!([
        {"type": "Microsoft.Storage/storageAccounts/privateEndpointConnections", "apiVersion": "2023-01-01",
         "name": "[format('shopdata/{0}', parameters('connection'))]",
         "properties": {"privateLinkServiceConnectionState": {"status": "Approved", "description": "Approved by pipeline"}}}
    ]));
    approve["parameters"] = json!({"connection": {"type": "string"}});
    let params = json!({"connection": {"value": name}});
    let (status, _) = deploy(
        &s,
        "rg",
        "approve",
        approve.clone(),
        params.clone(),
        "Incremental",
    )
    .await;
    assert_eq!(status["status"], "Succeeded", "{status}");
    let pe = res("rg", "Microsoft.Network/privateEndpoints", "asker");
    let (_, body) = s.get(&format!("{pe}?{API}")).await;
    let state = &body["properties"]["manualPrivateLinkServiceConnections"][0]["properties"]
        ["privateLinkServiceConnectionState"];
    assert_eq!(state["status"], "Approved", "{body}");
    assert_eq!(
        body["properties"]["customDnsConfigs"],
        json!([{"fqdn": "shopdata.blob.core.windows.net", "ipAddresses": ["10.0.5.4"]}])
    );
    let (status, _) = deploy(&s, "rg", "approve", approve, params, "Incremental").await;
    assert_eq!(status["status"], "Failed", "{status}");
    assert!(
        status
            .to_string()
            .contains("InvalidValuesForRequestParameters"),
        "{status}"
    );
}
