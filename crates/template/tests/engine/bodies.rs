//! Bodies (evaluated at apply time, property copy expanded), `reference()` through a
//! runtime, `declaration()`, and outputs.

use cerulean_template::NoResources;
use serde_json::json;

use crate::{id, must_plan, Fake};

#[test]
fn body_keeps_only_the_resource_properties() {
    let p = must_plan(json!({
        "parameters": {"loc": {"type": "string", "defaultValue": "[resourceGroup().location]"}},
        "variables": {"prefix": "web"},
        "resources": [{
            "type": "Microsoft.Test/things",
            "name": "[concat(variables('prefix'), '1')]",
            "apiVersion": "2020-01-01",
            "comments": "dropped",
            "condition": true,
            "dependsOn": [],
            "location": "[parameters('loc')]",
            "tags": {"owner": "[variables('prefix')]"},
            "sku": {"name": "Standard"},
            "kind": "StorageV2",
            "zones": ["1"],
            "identity": {"type": "SystemAssigned"},
            "plan": {"name": "p"},
            "properties": {"escaped": "[[literal]", "n": "[add(1, 2)]"}
        }]
    }));
    assert_eq!(p.resources[0].name, "web1");
    assert_eq!(
        p.body(0, &NoResources).unwrap(),
        json!({
            "location": "westeurope",
            "tags": {"owner": "web"},
            "sku": {"name": "Standard"},
            "kind": "StorageV2",
            "zones": ["1"],
            "identity": {"type": "SystemAssigned"},
            "plan": {"name": "p"},
            "properties": {"escaped": "[literal]", "n": 3}
        })
    );
    let d = p.declaration(0);
    assert_eq!(d["location"], json!("[parameters('loc')]"));
    assert_eq!(d["properties"]["n"], json!("[add(1, 2)]"));
    assert!(d.get("name").is_none() && d.get("dependsOn").is_none() && d.get("comments").is_none());
    assert_eq!(p.declaration(7), json!(null));
}

#[test]
fn body_of_a_copy_instance_uses_its_index() {
    let p = must_plan(json!({"resources": [{
        "type": "Microsoft.Test/things",
        "name": "[concat('t', copyIndex())]",
        "apiVersion": "2024-07-01",
        "copy": {"name": "ts", "count": 3},
        "properties": {"index": "[copyIndex()]", "label": "[format('item-{0:D2}', copyIndex(1))]"}
    }]}));
    for i in 0..3 {
        assert_eq!(
            p.body(i, &NoResources).unwrap(),
            json!({"properties": {"index": i, "label": format!("item-{:02}", i + 1)}})
        );
    }
}

#[test]
fn property_copy() {
    let p = must_plan(json!({"resources": [{
        "type": "Microsoft.Compute/virtualMachines",
        "name": "vm",
        "apiVersion": "2024-07-01",
        "properties": {
            "storageProfile": {
                "copy": [{
                    "name": "dataDisks",
                    "count": 3,
                    "input": {"lun": "[copyIndex('dataDisks')]", "name": "[concat('disk', copyIndex('dataDisks', 1))]", "createOption": "Empty"}
                }],
                "osDisk": {"createOption": "FromImage"}
            },
            "copy": [{"name": "empty", "count": 0, "input": "x"}]
        }
    }]}));
    let body = p.body(0, &NoResources).unwrap();
    assert_eq!(
        body["properties"]["storageProfile"],
        json!({
            "osDisk": {"createOption": "FromImage"},
            "dataDisks": [
                {"lun": 0, "name": "disk1", "createOption": "Empty"},
                {"lun": 1, "name": "disk2", "createOption": "Empty"},
                {"lun": 2, "name": "disk3", "createOption": "Empty"}
            ]
        })
    );
    assert_eq!(body["properties"]["empty"], json!([]));
}

#[test]
fn reference_with_and_without_full() {
    let pip_id = id("Microsoft.Network/publicIPAddresses/pip");
    let p = must_plan(json!({"resources": [
        {"type": "Microsoft.Network/publicIPAddresses", "name": "pip", "apiVersion": "2024-07-01", "location": "westeurope"},
        {"type": "Microsoft.Test/things", "name": "user", "apiVersion": "2024-07-01", "properties": {
            "address": "[reference('pip').ipAddress]",
            "byId": "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip'), '2023-04-01').ipAddress]",
            "props": "[reference('pip')]",
            "location": "[reference('pip', '2023-04-01', 'Full').location]",
            "fullId": "[reference('pip', '2023-04-01', 'full').id]",
            "sku": "[reference('pip', '2023-04-01', 'Full').sku.name]"
        }}
    ]}));
    let stored = json!({
        "id": pip_id,
        "name": "pip",
        "type": "Microsoft.Network/publicIPAddresses",
        "location": "westeurope",
        "sku": {"name": "Standard"},
        "properties": {"ipAddress": "20.1.2.3", "provisioningState": "Succeeded"}
    });
    let rt = Fake::default().with(&pip_id, stored);
    let body = p.body(1, &rt).unwrap();
    assert_eq!(
        body["properties"],
        json!({
            "address": "20.1.2.3",
            "byId": "20.1.2.3",
            "props": {"ipAddress": "20.1.2.3", "provisioningState": "Succeeded"},
            "location": "westeurope",
            "fullId": pip_id,
            "sku": "Standard"
        })
    );
}

#[test]
fn reference_to_a_missing_resource() {
    let p = must_plan(json!({"resources": [
        {"type": "Microsoft.Network/publicIPAddresses", "name": "pip", "apiVersion": "2024-07-01"},
        {"type": "Microsoft.Test/things", "name": "user", "apiVersion": "2024-07-01", "properties": {"a": "[reference('pip').ipAddress]"}}
    ]}));
    let e = p.body(1, &NoResources).unwrap_err();
    assert_eq!(e.code, "ResourceNotFound");
    assert!(
        e.message.starts_with("The Resource 'Microsoft.Network/publicIPAddresses/pip' under resource group 'rg' was not found."),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("resources[1].properties.a"));
}

#[test]
fn reference_to_a_name_not_in_the_template() {
    let p = must_plan(json!({"resources": [
        {"type": "Microsoft.Test/things", "name": "user", "apiVersion": "2024-07-01", "properties": {"a": "[reference('ghost').x]"}}
    ]}));
    let e = p.body(0, &Fake::default()).unwrap_err();
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message
            .contains("The template reference 'ghost' is not valid"),
        "{}",
        e.message
    );
}

#[test]
fn reference_is_not_available_while_planning() {
    let e = crate::plan_err(
        json!({"resources": [
            {"type": "Microsoft.Test/things", "name": "a", "apiVersion": "2024-07-01"},
            {"type": "Microsoft.Test/things", "name": "[reference('a').n]", "apiVersion": "2024-07-01"}
        ]}),
        json!(null),
    );
    assert!(
        e.message
            .contains("'reference' is not expected at this location"),
        "{}",
        e.message
    );
}

#[test]
fn function_errors_in_bodies_say_where() {
    let p = must_plan(json!({"resources": [
        {"type": "Microsoft.Test/things", "name": "a", "apiVersion": "2024-07-01", "properties": {"list": [1, {"bad": "[div(4, sub(2, 2))]"}]}}
    ]}));
    let e = p.body(0, &NoResources).unwrap_err();
    assert_eq!(e.code, "InvalidTemplate");
    assert_eq!(
        e.target.as_deref(),
        Some("resources[0].properties.list[1].bad")
    );
    assert!(e.message.contains("'div'"), "{}", e.message);
    assert!(
        e.message.contains("at position 1 of '[div(4, sub(2, 2))]'"),
        "{}",
        e.message
    );
}

#[test]
fn outputs_with_types_conditions_and_copy() {
    let pip_id = id("Microsoft.Network/publicIPAddresses/pip");
    let p = must_plan(json!({
        "parameters": {"n": {"type": "int", "defaultValue": 2}, "pw": {"type": "securestring", "defaultValue": "x"}},
        "resources": [{"type": "Microsoft.Network/publicIPAddresses", "name": "pip", "apiVersion": "2024-07-01"}],
        "outputs": {
            "ip": {"type": "String", "value": "[reference('pip').ipAddress]"},
            "count": {"type": "int", "value": "[parameters('n')]"},
            "skipped": {"type": "string", "condition": "[equals(parameters('n'), 3)]", "value": "no"},
            "names": {"type": "array", "copy": {"count": "[parameters('n')]", "input": "[concat('nic-', copyIndex())]"}},
            "obj": {"type": "object", "value": {"id": "[resourceId('Microsoft.Network/publicIPAddresses', 'pip')]"}},
            "secret": {"type": "securestring", "value": "[parameters('pw')]"}
        }
    }));
    let rt = Fake::default().with(&pip_id, json!({"properties": {"ipAddress": "1.2.3.4"}}));
    let out = p.outputs(&rt).unwrap();
    assert_eq!(out["ip"], json!({"type": "String", "value": "1.2.3.4"}));
    assert_eq!(out["count"], json!({"type": "int", "value": 2}));
    assert!(!out.contains_key("skipped"));
    assert_eq!(
        out["names"],
        json!({"type": "array", "value": ["nic-0", "nic-1"]})
    );
    assert_eq!(out["obj"]["value"]["id"], json!(pip_id));
    assert_eq!(out["secret"], json!({"type": "securestring"}));
    let e = p.outputs(&NoResources).unwrap_err();
    assert_eq!(e.code, "ResourceNotFound");
}

#[test]
fn output_of_the_wrong_type() {
    let p = must_plan(json!({"outputs": {"o": {"type": "bool", "value": "text"}}}));
    let e = p.outputs(&NoResources).unwrap_err();
    assert_eq!(e.code, "InvalidTemplate");
    assert_eq!(e.target.as_deref(), Some("outputs.o.value"));
}
