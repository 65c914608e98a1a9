//! User-defined functions: `namespace.member(args)` over its own parameters only.

use cerulean_template::NoResources;
use serde_json::{json, Value};

use crate::{must_plan, plan_err, try_plan};

fn functions() -> Value {
    json!([{
        "namespace": "contoso",
        "members": {
            "uniqueName": {
                "parameters": [{"name": "namePrefix", "type": "string"}],
                "output": {"type": "string", "value": "[concat(toLower(parameters('namePrefix')), '-', uniqueString('x'))]"}
            },
            "nicConfig": {
                "parameters": [{"name": "name", "type": "string"}, {"name": "primary", "type": "bool"}],
                "output": {"type": "object", "value": {"name": "[parameters('name')]", "properties": {"primary": "[parameters('primary')]"}}}
            }
        }
    }])
}

fn with(functions: Value, name: &str, property: Value) -> Value {
    json!({
        "parameters": {"prefix": {"type": "string", "defaultValue": "Web"}},
        "variables": {"v": "unused"},
        "functions": functions,
        "resources": [{
            "type": "Microsoft.Test/things", "apiVersion": "2020-01-01", "name": name,
            "properties": {"p": property}
        }]
    })
}

#[test]
fn functions_are_called_by_namespace_with_their_own_parameters() {
    let p = must_plan(with(
        functions(),
        "[Contoso.UniqueName(parameters('prefix'))]",
        json!("[contoso.nicConfig('ipconfig1', true())]"),
    ));
    let name = &p.resources[0].name;
    assert!(name.starts_with("web-"), "{name}");
    let body = p.body(0, &NoResources).unwrap();
    assert_eq!(
        body["properties"]["p"],
        json!({"name": "ipconfig1", "properties": {"primary": true}})
    );
    // In a nested expression and a member access too.
    let p = must_plan(with(
        functions(),
        "x",
        json!("[contoso.nicConfig(concat('a', 'b'), false()).properties.primary]"),
    ));
    assert_eq!(p.body(0, &NoResources).unwrap()["properties"]["p"], false);
}

#[test]
fn a_function_sees_nothing_of_the_template_but_its_parameters() {
    let cases = [
        (
            "[parameters('prefix')]",
            "The template parameter 'prefix' is not found",
        ),
        ("[variables('v')]", "can't use variables or reference"),
        ("[reference('x').a]", "can't use variables or reference"),
        (
            "[listKeys('x', '2020-01-01')]",
            "can't use the list functions",
        ),
        (
            "[contoso.other()]",
            "can't call another user-defined function",
        ),
        ("[copyIndex()]", "copyIndex"),
    ];
    for (expr, words) in cases {
        let f = json!([{"namespace": "contoso", "members": {
            "bad": {"parameters": [{"name": "a", "type": "string"}], "output": {"type": "string", "value": expr}},
            "other": {"output": {"type": "string", "value": "x"}}
        }}]);
        let e = plan_err(with(f, "x", json!("y")), json!(null));
        assert_eq!(e.code, "InvalidTemplate", "{expr}");
        assert!(e.message.contains(words), "{expr}: {}", e.message);
        assert!(
            e.target
                .as_deref()
                .unwrap_or("")
                .starts_with("functions[0].members.bad"),
            "{expr}: {:?}",
            e.target
        );
    }
}

#[test]
fn calls_are_checked_before_anything_runs() {
    let e = plan_err(
        with(functions(), "[contoso.missing()]", json!(1)),
        json!(null),
    );
    assert!(
        e.message.contains("'contoso.missing' is not valid"),
        "{}",
        e.message
    );
    let e = plan_err(
        with(functions(), "[contoso.uniqueName('a', 'b')]", json!(1)),
        json!(null),
    );
    assert!(
        e.message.contains("expects 1 parameters but was given 2"),
        "{}",
        e.message
    );
    // The argument's type is checked when it is called.
    let e = plan_err(
        with(functions(), "[contoso.uniqueName(3)]", json!(1)),
        json!(null),
    );
    assert!(
        e.message
            .contains("expects its parameter 'namePrefix' to be of type 'string'"),
        "{}",
        e.message
    );
    // So is the output's.
    let f =
        json!([{"namespace": "n", "members": {"f": {"output": {"type": "int", "value": "text"}}}}]);
    let e = plan_err(with(f, "[string(n.f())]", json!(1)), json!(null));
    assert!(e.message.contains("must be of type 'int'"), "{}", e.message);
}

#[test]
fn malformed_functions_are_refused() {
    let cases = [
        (
            json!({"namespace": "n"}),
            "'namespace' (a string) and 'members'",
        ),
        (
            json!({"namespace": "n", "members": {"f": {"output": {"type": "string"}}}}),
            "must have a 'value'",
        ),
        (
            json!({"namespace": "n", "members": {"f": {"output": {"value": "x"}}}}),
            "must have a 'type'",
        ),
        (
            json!({"namespace": "n", "members": {"f": {"parameters": [{"name": "a", "type": "string", "defaultValue": "x"}], "output": {"type": "string", "value": "x"}}}}),
            "can't have default values",
        ),
        (
            json!({"namespace": "n", "members": {"f": {}}}),
            "must have an 'output'",
        ),
    ];
    for (f, words) in cases {
        let e = plan_err(with(json!([f.clone()]), "x", json!(1)), json!(null));
        assert!(e.message.contains(words), "{f}: {}", e.message);
    }
    let e = plan_err(with(json!({"n": 1}), "x", json!(1)), json!(null));
    assert!(e.message.contains("must be an array"), "{}", e.message);
    // An empty section, as Bicep writes it, is nothing.
    assert!(try_plan(with(json!([]), "x", json!(1)), json!(null)).is_ok());
}
