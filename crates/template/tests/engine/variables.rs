//! Variables: lazily resolved, referring to each other, copy arrays, cycles.

use serde_json::json;

use crate::{eval_with, plan_err};

#[test]
fn variables_refer_to_each_other_in_any_order() {
    let v = eval_with(
        json!({
            "parameters": {"prefix": {"type": "string", "defaultValue": "app"}},
            "variables": {
                "full": "[concat(variables('base'), '-', variables('Suffix'))]",
                "base": "[toUpper(parameters('prefix'))]",
                "suffix": "web",
                "obj": {"name": "[variables('full')]", "list": ["[variables('base')]", 1]}
            }
        }),
        json!("[variables('obj')]"),
    )
    .unwrap();
    assert_eq!(v, json!({"name": "APP-web", "list": ["APP", 1]}));
}

#[test]
fn variable_copy_array() {
    let v = eval_with(
        json!({"variables": {
            "copy": [
                {"name": "disks", "count": 3, "input": {"name": "[concat('disk', copyIndex('disks', 1))]", "lun": "[copyIndex('disks')]"}},
                {"name": "names", "count": "[length(variables('base'))]", "input": "[toUpper(variables('base')[copyIndex('names')])]"}
            ],
            "base": ["a", "b"]
        }}),
        json!("[createObject('d', variables('disks'), 'n', variables('names'))]"),
    )
    .unwrap();
    assert_eq!(
        v,
        json!({
            "d": [{"name": "disk1", "lun": 0}, {"name": "disk2", "lun": 1}, {"name": "disk3", "lun": 2}],
            "n": ["A", "B"]
        })
    );
}

#[test]
fn property_copy_inside_a_variable() {
    let v = eval_with(
        json!({"variables": {"cfg": {"copy": [{"name": "items", "count": 2, "input": "[copyIndex('items')]"}], "other": true}}}),
        json!("[variables('cfg')]"),
    )
    .unwrap();
    assert_eq!(v, json!({"items": [0, 1], "other": true}));
}

#[test]
fn variable_cycle() {
    let e = plan_err(
        json!({"variables": {"a": "[variables('b')]", "b": "[concat(variables('a'), 'x')]"}}),
        json!({}),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message
            .contains("variables('a') -> variables('b') -> variables('a')"),
        "{}",
        e.message
    );
}

#[test]
fn variable_evaluation_errors_say_where() {
    let e = plan_err(json!({"variables": {"v": {"x": "[div(1, 0)]"}}}), json!({}));
    assert_eq!(e.target.as_deref(), Some("variables.v.x"));
    assert!(e.message.contains("'div'"), "{}", e.message);
}
