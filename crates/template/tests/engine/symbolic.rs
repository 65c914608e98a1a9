//! languageVersion 2.0: resources keyed by symbolic name, `existing`, `$ref` types.

use cerulean_template::NoResources;
use serde_json::{json, Value};

use crate::{id, must_plan, plan_err, try_plan, Fake};

fn v2(resources: Value) -> Value {
    json!({
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "definitions": {
            "subnetSpec": {"type": "object", "properties": {"name": {"type": "string"}}},
            "prefix": {"$ref": "#/definitions/text"},
            "text": {"type": "string", "minLength": 2}
        },
        "parameters": {
            "spec": {"$ref": "#/definitions/subnetSpec", "defaultValue": {"name": "apps"}},
            "prefix": {"$ref": "#/definitions/prefix", "defaultValue": "web"},
            "note": {"type": "string", "nullable": true}
        },
        "resources": resources,
        "outputs": {"vnetId": {"$ref": "#/definitions/text", "value": "[resourceInfo('vnet').id]"}}
    })
}

fn vnet() -> Value {
    json!({"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01",
           "name": "[format('{0}-vnet', parameters('prefix'))]", "location": "eastus",
           "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}})
}

#[test]
fn symbols_name_declarations_for_depends_on_and_reference() {
    let mut t = v2(json!({
        "nic": {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-07-01", "name": "nic1",
                "dependsOn": ["vnet"],
                "properties": {"subnet": "[format('{0}/subnets/{1}', resourceInfo('vnet').id, parameters('spec').name)]",
                               "space": "[reference('vnet').addressSpace]",
                               "note": "[parameters('note')]"}},
        "vnet": vnet()
    }));
    t["outputs"] = json!({});
    let p = must_plan(t);
    let names: Vec<&str> = p.resources.iter().map(|r| r.name.as_str()).collect();
    let nic = names.iter().position(|n| *n == "nic1").unwrap();
    let vnet = names.iter().position(|n| *n == "web-vnet").unwrap();
    assert_eq!(p.resources[nic].depends_on, vec![vnet]);
    assert_eq!(p.order().first(), Some(&vnet));
    let rt = Fake::default().with(
        &id("Microsoft.Network/virtualNetworks/web-vnet"),
        json!({"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
    );
    let body = p.body(nic, &rt).unwrap();
    assert_eq!(
        body["properties"]["subnet"],
        format!(
            "{}/subnets/apps",
            id("Microsoft.Network/virtualNetworks/web-vnet")
        )
    );
    assert_eq!(
        body["properties"]["space"]["addressPrefixes"][0],
        "10.0.0.0/16"
    );
    assert_eq!(body["properties"]["note"], Value::Null);
}

#[test]
fn existing_resources_are_read_not_deployed() {
    let p = must_plan(v2(json!({
        "vnet": {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01", "name": "shared", "existing": true},
        "nic": {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2024-07-01", "name": "nic1",
                "properties": {"subnet": "[format('{0}/subnets/a', resourceInfo('vnet').id)]"}}
    })));
    let shared = p.resources.iter().find(|r| r.name == "shared").unwrap();
    assert!(shared.existing);
    assert!(
        !p.resources
            .iter()
            .find(|r| r.name == "nic1")
            .unwrap()
            .existing
    );
    let out = p.outputs(&NoResources).unwrap();
    assert_eq!(
        out["vnetId"]["value"],
        id("Microsoft.Network/virtualNetworks/shared")
    );
    assert_eq!(
        out["vnetId"]["type"], "string",
        "the $ref resolved to its type"
    );
}

#[test]
fn ref_types_are_checked_as_their_definitions() {
    let e = plan_err(v2(json!({})), json!({"prefix": {"value": "x"}}));
    assert!(e.message.contains("at least '2'"), "{}", e.message);
    let e = plan_err(v2(json!({})), json!({"spec": {"value": "not an object"}}));
    assert!(e.message.contains("Expected 'Object'"), "{}", e.message);
    let mut t = v2(json!({}));
    t["parameters"]["bad"] = json!({"$ref": "#/definitions/missing"});
    let e = plan_err(t, json!(null));
    assert!(
        e.message
            .contains("names no entry of the template's 'definitions'"),
        "{}",
        e.message
    );
    // 'existing' belongs to 2.0.
    let e = plan_err(
        json!({"resources": [{"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2024-07-01", "name": "v", "existing": true}]}),
        json!(null),
    );
    assert!(
        e.message.contains("only a languageVersion 2.0 template"),
        "{}",
        e.message
    );
    assert!(try_plan(v2(json!({"v": vnet()})), json!(null)).is_ok());
}
