//! Templates shaped like the ones cerulean's seed scenarios deploy.

use cerulean_template::NoResources;
use serde_json::json;

use crate::{id, ids, must_plan, names_in_order, try_plan};

const NET: &str = "2023-04-01";

#[test]
fn vm_with_two_nics_in_two_subnets() {
    let t = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "vmName": {"type": "string", "defaultValue": "vm1"},
            "adminPassword": {"type": "securestring"},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"}
        },
        "variables": {
            "vnetName": "vnet1",
            "subnets": ["front", "back"],
            "nicPrefix": "[concat(parameters('vmName'), '-nic')]"
        },
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2023-03-01",
                "name": "[parameters('vmName')]",
                "location": "[parameters('location')]",
                "dependsOn": [
                    "[resourceId('Microsoft.Network/networkInterfaces', concat(variables('nicPrefix'), '0'))]",
                    "[resourceId('Microsoft.Network/networkInterfaces', concat(variables('nicPrefix'), '1'))]"
                ],
                "properties": {
                    "hardwareProfile": {"vmSize": "Standard_B1s"},
                    "osProfile": {"computerName": "[parameters('vmName')]", "adminUsername": "azureuser", "adminPassword": "[parameters('adminPassword')]"},
                    "storageProfile": {"imageReference": {"publisher": "Canonical", "offer": "0001-com-ubuntu-server-jammy", "sku": "22_04-lts-gen2", "version": "latest"}},
                    "networkProfile": {"networkInterfaces": [
                        {"id": "[resourceId('Microsoft.Network/networkInterfaces', concat(variables('nicPrefix'), '0'))]", "properties": {"primary": true}},
                        {"id": "[resourceId('Microsoft.Network/networkInterfaces', concat(variables('nicPrefix'), '1'))]", "properties": {"primary": false}}
                    ]}
                }
            },
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": NET,
                "name": "[concat(variables('nicPrefix'), copyIndex())]",
                "location": "[parameters('location')]",
                "copy": {"name": "nics", "count": "[length(variables('subnets'))]"},
                "dependsOn": ["[variables('vnetName')]"],
                "properties": {"ipConfigurations": [{
                    "name": "ipconfig1",
                    "properties": {
                        "privateIPAllocationMethod": "Dynamic",
                        "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', variables('vnetName'), variables('subnets')[copyIndex()])]"}
                    }
                }]}
            },
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": NET,
                "name": "[variables('vnetName')]",
                "location": "[parameters('location')]",
                "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "copy": [{"name": "subnets", "count": 2, "input": {
                        "name": "[variables('subnets')[copyIndex('subnets')]]",
                        "properties": {"addressPrefix": "[concat('10.0.', copyIndex('subnets'), '.0/24')]"}
                    }}]
                }
            }
        ],
        "outputs": {"vmId": {"type": "string", "value": "[resourceId('Microsoft.Compute/virtualMachines', parameters('vmName'))]"}}
    });
    let p = try_plan(t, json!({"adminPassword": {"value": "P@ssw0rd-1234"}})).unwrap();
    assert_eq!(
        ids(&p),
        vec![
            id("Microsoft.Compute/virtualMachines/vm1"),
            id("Microsoft.Network/networkInterfaces/vm1-nic0"),
            id("Microsoft.Network/networkInterfaces/vm1-nic1"),
            id("Microsoft.Network/virtualNetworks/vnet1"),
        ]
    );
    assert_eq!(p.resources[0].depends_on, vec![1, 2]);
    assert_eq!(p.resources[1].depends_on, vec![3]);
    assert_eq!(
        names_in_order(&p),
        vec!["vnet1", "vm1-nic0", "vm1-nic1", "vm1"]
    );

    let vnet = p.body(3, &NoResources).unwrap();
    assert_eq!(
        vnet,
        json!({
            "location": "westeurope",
            "properties": {
                "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [
                    {"name": "front", "properties": {"addressPrefix": "10.0.0.0/24"}},
                    {"name": "back", "properties": {"addressPrefix": "10.0.1.0/24"}}
                ]
            }
        })
    );
    let nic1 = p.body(2, &NoResources).unwrap();
    assert_eq!(
        nic1["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"],
        json!(id("Microsoft.Network/virtualNetworks/vnet1/subnets/back"))
    );
    let vm = p.body(0, &NoResources).unwrap();
    assert_eq!(
        vm["properties"]["networkProfile"],
        json!({"networkInterfaces": [
            {"id": id("Microsoft.Network/networkInterfaces/vm1-nic0"), "properties": {"primary": true}},
            {"id": id("Microsoft.Network/networkInterfaces/vm1-nic1"), "properties": {"primary": false}}
        ]})
    );
    assert_eq!(
        vm["properties"]["osProfile"]["adminPassword"],
        json!("P@ssw0rd-1234")
    );
    let out = p.outputs(&NoResources).unwrap();
    assert_eq!(
        out["vmId"]["value"],
        json!(id("Microsoft.Compute/virtualMachines/vm1"))
    );
}

#[test]
fn nic_with_three_ip_configurations_two_with_public_ips() {
    let t = json!({
        "parameters": {"location": {"type": "string", "defaultValue": "[resourceGroup().location]"}},
        "variables": {"subnetId": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]"},
        "resources": [
            {
                "type": "Microsoft.Network/virtualNetworks",
                "apiVersion": NET,
                "name": "vnet",
                "location": "[parameters('location')]",
                "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}},
                "resources": [{"type": "subnets", "apiVersion": NET, "name": "default", "dependsOn": ["vnet"], "properties": {"addressPrefix": "10.1.0.0/24"}}]
            },
            {
                "type": "Microsoft.Network/publicIPAddresses",
                "apiVersion": NET,
                "name": "[concat('pip', copyIndex())]",
                "location": "[parameters('location')]",
                "copy": {"name": "pips", "count": 2},
                "sku": {"name": "Standard"},
                "properties": {"publicIPAllocationMethod": "Static"}
            },
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": NET,
                "name": "multi-nic",
                "location": "[parameters('location')]",
                "dependsOn": ["pips", "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]"],
                "properties": {"copy": [{
                    "name": "ipConfigurations",
                    "count": 3,
                    "input": {
                        "name": "[concat('ipconfig', copyIndex('ipConfigurations', 1))]",
                        "properties": {
                            "primary": "[equals(copyIndex('ipConfigurations'), 0)]",
                            "privateIPAllocationMethod": "Dynamic",
                            "subnet": {"id": "[variables('subnetId')]"},
                            "publicIPAddress": "[if(less(copyIndex('ipConfigurations'), 2), createObject('id', resourceId('Microsoft.Network/publicIPAddresses', concat('pip', copyIndex('ipConfigurations')))), null())]"
                        }
                    }
                }]}
            }
        ]
    });
    let p = must_plan(t);
    assert_eq!(
        ids(&p),
        vec![
            id("Microsoft.Network/virtualNetworks/vnet"),
            id("Microsoft.Network/virtualNetworks/vnet/subnets/default"),
            id("Microsoft.Network/publicIPAddresses/pip0"),
            id("Microsoft.Network/publicIPAddresses/pip1"),
            id("Microsoft.Network/networkInterfaces/multi-nic"),
        ]
    );
    assert_eq!(p.resources[1].depends_on, vec![0]);
    assert_eq!(p.resources[4].depends_on, vec![1, 2, 3]);
    assert_eq!(
        names_in_order(&p),
        vec!["vnet", "vnet/default", "pip0", "pip1", "multi-nic"]
    );
    let nic = p.body(4, &NoResources).unwrap();
    let configs = nic["properties"]["ipConfigurations"].as_array().unwrap();
    assert_eq!(configs.len(), 3);
    let subnet = id("Microsoft.Network/virtualNetworks/vnet/subnets/default");
    for (i, c) in configs.iter().enumerate() {
        assert_eq!(c["name"], json!(format!("ipconfig{}", i + 1)));
        assert_eq!(c["properties"]["primary"], json!(i == 0));
        assert_eq!(c["properties"]["subnet"]["id"], json!(subnet));
    }
    assert_eq!(
        configs[0]["properties"]["publicIPAddress"]["id"],
        json!(id("Microsoft.Network/publicIPAddresses/pip0"))
    );
    assert_eq!(
        configs[1]["properties"]["publicIPAddress"]["id"],
        json!(id("Microsoft.Network/publicIPAddresses/pip1"))
    );
    assert_eq!(configs[2]["properties"]["publicIPAddress"], json!(null));
}

#[test]
fn copy_loop_of_n_nics() {
    let t = json!({
        "parameters": {"count": {"type": "int", "defaultValue": 2, "minValue": 0, "maxValue": 10}},
        "resources": [
            {"type": "Microsoft.Network/virtualNetworks", "apiVersion": NET, "name": "vnet", "location": "westeurope",
             "properties": {"addressSpace": {"addressPrefixes": ["10.2.0.0/16"]}, "subnets": [{"name": "s", "properties": {"addressPrefix": "10.2.0.0/24"}}]}},
            {
                "type": "Microsoft.Network/networkInterfaces",
                "apiVersion": NET,
                "name": "[concat('nic-', copyIndex())]",
                "location": "westeurope",
                "copy": {"name": "nicLoop", "count": "[parameters('count')]"},
                "dependsOn": ["vnet"],
                "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                    "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 's')]"},
                    "privateIPAllocationMethod": "Dynamic"
                }}]}
            }
        ],
        "outputs": {"nicIds": {"type": "array", "copy": {"count": "[parameters('count')]", "input": "[resourceId('Microsoft.Network/networkInterfaces', concat('nic-', copyIndex()))]"}}}
    });
    for n in [0usize, 1, 5] {
        let p = try_plan(t.clone(), json!({"count": {"value": n}})).unwrap();
        let nics: Vec<String> = p.resources[1..].iter().map(|r| r.id.clone()).collect();
        let expected: Vec<String> = (0..n)
            .map(|i| id(&format!("Microsoft.Network/networkInterfaces/nic-{i}")))
            .collect();
        assert_eq!(nics, expected);
        assert!(p.resources[1..].iter().all(|r| r.depends_on == vec![0]));
        assert_eq!(p.order()[0], 0);
        let out = p.outputs(&NoResources).unwrap();
        assert_eq!(out["nicIds"]["value"], json!(expected));
    }
}
