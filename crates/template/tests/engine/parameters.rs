//! Parameter values: supplied, defaulted, validated; secure values never in messages.

use serde_json::{json, Value};

use crate::{eval_with, plan_err, try_plan};

fn template(params: Value) -> Value {
    json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": params,
        "resources": [],
    })
}

#[test]
fn supplied_and_default_values() {
    let p = try_plan(
        template(json!({
            "name": {"type": "string"},
            "count": {"type": "Int", "defaultValue": 2},
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
            "derived": {"type": "string", "defaultValue": "[concat(parameters('name'), '-x')]"},
            "flag": {"type": "bool", "defaultValue": false},
            "tags": {"type": "object", "defaultValue": {"a": "[parameters('name')]"}},
            "list": {"type": "array", "defaultValue": []},
            "secret": {"type": "securestring"}
        })),
        json!({"Name": {"value": "web"}, "secret": {"value": "hunter2"}}),
    )
    .unwrap();
    let get = |n: &str| p.parameters.iter().find(|(k, _)| k == n).unwrap().1.clone();
    assert_eq!(get("name").value, json!("web"));
    assert_eq!(get("count").value, json!(2));
    assert_eq!(get("count").type_name, "int");
    assert_eq!(get("location").value, json!("westeurope"));
    assert_eq!(get("derived").value, json!("web-x"));
    assert_eq!(get("flag").value, json!(false));
    assert_eq!(get("tags").value, json!({"a": "web"}));
    assert!(get("secret").is_secure());
    assert!(!get("name").is_secure());
    assert_eq!(p.parameters.len(), 8);
}

#[test]
fn parameter_names_are_case_insensitive_in_expressions() {
    let v = eval_with(
        json!({"parameters": {"MyName": {"type": "string", "defaultValue": "x"}}}),
        json!("[parameters('myname')]"),
    )
    .unwrap();
    assert_eq!(v, json!("x"));
}

#[test]
fn missing_value() {
    let e = plan_err(
        template(json!({"adminPassword": {"type": "securestring"}})),
        json!({}),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert_eq!(
        e.message,
        "Deployment template validation failed: 'The value for the template parameter 'adminPassword' is not provided. Please see https://aka.ms/arm-create-parameter-file for usage details.'."
    );
    assert_eq!(e.target.as_deref(), Some("parameters.adminPassword"));
}

#[test]
fn null_value_falls_back_to_the_default() {
    let p = try_plan(
        template(json!({"p": {"type": "string", "defaultValue": "d"}})),
        json!({"p": {"value": null}}),
    )
    .unwrap();
    assert_eq!(p.parameters[0].1.value, json!("d"));
}

#[test]
fn null_default() {
    let p = try_plan(
        template(json!({"o": {"type": "object", "defaultValue": null}})),
        json!({}),
    )
    .unwrap();
    assert_eq!(p.parameters[0].1.value, json!(null));
}

#[test]
fn value_not_allowed() {
    let e = plan_err(
        template(json!({"p": {"type": "string", "allowedValues": ["a", "b"]}})),
        json!({"p": {"value": "x"}}),
    );
    assert!(
        e.message.contains("Deployment template validation failed: 'The provided value 'x' for the template parameter 'p' is not valid. The parameter value is not part of the allowed value(s): 'a,b'.'"),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("parameters.p"));
    // Strings match the allowed values ignoring case, as in ARM.
    assert!(try_plan(
        template(json!({"p": {"type": "string", "allowedValues": ["Standard_LRS"]}})),
        json!({"p": {"value": "standard_lrs"}})
    )
    .is_ok());
    // Each element of an array parameter must be allowed.
    assert!(try_plan(
        template(json!({"zones": {"type": "array", "allowedValues": ["1", "2", "3"]}})),
        json!({"zones": {"value": ["1", "3"]}})
    )
    .is_ok());
    assert!(try_plan(
        template(json!({"zones": {"type": "array", "allowedValues": ["1", "2", "3"]}})),
        json!({"zones": {"value": ["4"]}})
    )
    .is_err());
}

#[test]
fn default_is_validated_too() {
    let e = plan_err(
        template(json!({"p": {"type": "string", "defaultValue": "z", "allowedValues": ["a"]}})),
        json!({}),
    );
    assert!(
        e.message.contains("not part of the allowed value(s): 'a'"),
        "{}",
        e.message
    );
}

#[test]
fn wrong_type() {
    let e = plan_err(
        template(json!({"n": {"type": "int"}})),
        json!({"n": {"value": "three"}}),
    );
    assert!(
        e.message.contains(
            "Template parameter JToken type is not valid. Expected 'Integer'. Actual 'String'."
        ),
        "{}",
        e.message
    );
    assert!(e.message.contains("'n'"));
    assert_eq!(e.target.as_deref(), Some("parameters.n"));
    let e = plan_err(
        template(json!({"b": {"type": "bool"}})),
        json!({"b": {"value": 1}}),
    );
    assert!(
        e.message.contains("Expected 'Boolean'. Actual 'Integer'"),
        "{}",
        e.message
    );
    let e = plan_err(
        template(json!({"o": {"type": "object"}})),
        json!({"o": {"value": []}}),
    );
    assert!(
        e.message.contains("Expected 'Object'. Actual 'Array'"),
        "{}",
        e.message
    );
}

#[test]
fn out_of_range() {
    let t = template(json!({"n": {"type": "int", "minValue": 1, "maxValue": 5}}));
    let e = plan_err(t.clone(), json!({"n": {"value": 0}}));
    assert!(
        e.message
            .contains("The provided value '0' for the template parameter 'n' is not valid"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("greater than or equal to '1'"),
        "{}",
        e.message
    );
    let e = plan_err(t.clone(), json!({"n": {"value": 6}}));
    assert!(
        e.message.contains("less than or equal to '5'"),
        "{}",
        e.message
    );
    assert!(try_plan(t, json!({"n": {"value": 5}})).is_ok());
}

#[test]
fn length_limits() {
    let t = template(json!({
        "s": {"type": "string", "minLength": 3, "maxLength": 5},
        "a": {"type": "array", "defaultValue": [1, 2], "maxLength": 2}
    }));
    let e = plan_err(t.clone(), json!({"s": {"value": "ab"}}));
    assert_eq!(e.target.as_deref(), Some("parameters.s"));
    assert!(e.message.contains("at least '3'"), "{}", e.message);
    let e = plan_err(t.clone(), json!({"s": {"value": "abcdef"}}));
    assert!(e.message.contains("at most '5'"), "{}", e.message);
    let e = plan_err(
        t.clone(),
        json!({"s": {"value": "abcd"}, "a": {"value": [1, 2, 3]}}),
    );
    assert_eq!(e.target.as_deref(), Some("parameters.a"));
    assert!(e.message.contains("at most '2'"), "{}", e.message);
    assert!(try_plan(t, json!({"s": {"value": "abcd"}})).is_ok());
}

#[test]
fn undeclared_parameter() {
    let e = plan_err(
        template(json!({"a": {"type": "string", "defaultValue": ""}})),
        json!({"foo": {"value": 1}}),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message.starts_with("The template parameters 'foo' in the parameters file are not valid; they are not present in the original template and can therefore not be provided at deployment time."),
        "{}",
        e.message
    );
}

#[test]
fn key_vault_reference() {
    let e = plan_err(
        template(json!({"pw": {"type": "securestring"}})),
        json!({"pw": {"reference": {"keyVault": {"id": "/subscriptions/s/resourceGroups/r/providers/Microsoft.KeyVault/vaults/v"}, "secretName": "x"}}}),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message
            .contains("Key Vault parameter references are not supported"),
        "{}",
        e.message
    );
}

#[test]
fn unknown_parameter_type() {
    let e = plan_err(template(json!({"p": {"type": "strng"}})), json!({}));
    assert!(e.message.contains("'strng'"), "{}", e.message);
}

#[test]
fn secure_values_never_appear_in_messages() {
    let secret = "S3cr3t-Value!";
    let cases = [
        (
            json!({"p": {"type": "securestring", "allowedValues": ["a"]}}),
            json!(secret),
        ),
        (
            json!({"p": {"type": "securestring", "maxLength": 3}}),
            json!(secret),
        ),
        (
            json!({"p": {"type": "securestring", "minLength": 30}}),
            json!(secret),
        ),
        (
            json!({"p": {"type": "secureobject", "allowedValues": [{}]}}),
            json!({"k": secret}),
        ),
        (json!({"p": {"type": "securestring"}}), json!({"k": secret})),
    ];
    for (decl, value) in cases {
        let e = plan_err(template(decl), json!({"p": {"value": value}}));
        assert!(!e.message.contains(secret), "leaked: {}", e.message);
        assert!(!format!("{e:?}").contains(secret), "leaked: {e:?}");
    }
    // A secure value that makes a function fail is not echoed either.
    let t = json!({
        "parameters": {"p": {"type": "securestring"}},
        "resources": [{"type": "Microsoft.Test/things", "name": "t", "apiVersion": "2024-07-01",
                       "properties": {"n": "[int(parameters('p'))]", "m": "[json(parameters('p'))]"}}]
    });
    let p = try_plan(t, json!({"p": {"value": secret}})).unwrap();
    let e = p.body(0, &cerulean_template::NoResources).unwrap_err();
    assert!(!e.message.contains(secret), "leaked: {}", e.message);
    for expr in [
        "[createObject('a', 1)[parameters('p')]]",
        "[createArray(1)[parameters('p')]]",
        "[parseCidr(parameters('p'))]",
        "[uri(parameters('p'), 'x')]",
        "[base64ToString(parameters('p'))]",
    ] {
        let t = json!({
            "parameters": {"p": {"type": "securestring"}},
            "resources": [{"type": "Microsoft.Test/things", "name": "t", "apiVersion": "2024-07-01", "properties": {"v": expr}}]
        });
        let p = try_plan(t, json!({"p": {"value": secret}})).unwrap();
        let e = p.body(0, &cerulean_template::NoResources).unwrap_err();
        assert!(
            !e.message.contains(secret),
            "leaked by {expr}: {}",
            e.message
        );
    }
}

#[test]
fn a_default_may_not_use_variables() {
    let e = plan_err(
        json!({"parameters": {"p": {"type": "string", "defaultValue": "[variables('v')]"}}, "variables": {"v": "x"}}),
        json!({}),
    );
    assert!(
        e.message.contains("'variables' is not expected"),
        "{}",
        e.message
    );
}

#[test]
fn parameter_defaults_referring_in_a_cycle() {
    let e = plan_err(
        template(json!({
            "a": {"type": "string", "defaultValue": "[parameters('b')]"},
            "b": {"type": "string", "defaultValue": "[parameters('a')]"}
        })),
        json!({}),
    );
    assert!(e.message.contains("refers to itself"), "{}", e.message);
}
