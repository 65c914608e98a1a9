//! Nested deployments (`Microsoft.Resources/deployments` in a template): the nested template is
//! the nested deployment's to evaluate; the parent evaluates what it passes to it.

use cerulean_template::NoResources;
use serde_json::{json, Value};

use crate::{id, must_plan, plan_err, try_plan};

/// A module as Bicep compiles it: inner scope, its own parameters, a copy loop, outputs.
fn module(scope: Option<&str>) -> Value {
    let mut d = json!({
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "[format('net-{0}', parameters('env'))]",
        "properties": {
            "mode": "Incremental",
            "parameters": {"prefix": {"value": "[concat(parameters('env'), '-vnet')]"}},
            "template": {
                "parameters": {"prefix": {"type": "string"}},
                "variables": {"count": 2},
                "resources": [{
                    "type": "Microsoft.Network/virtualNetworks",
                    "apiVersion": "2023-04-01",
                    "name": "[format('{0}{1}', parameters('prefix'), copyIndex())]",
                    "copy": {"name": "nets", "count": "[variables('count')]"},
                    "location": "[resourceGroup().location]",
                    "properties": {"marker": "[reference('elsewhere').x]"}
                }],
                "outputs": {"first": {"type": "string", "value": "[resourceId('Microsoft.Network/virtualNetworks', format('{0}0', parameters('prefix')))]"}}
            }
        }
    });
    if let Some(s) = scope {
        d["properties"]["expressionEvaluationOptions"] = json!({"scope": s});
    }
    d
}

fn parent(resources: Vec<Value>) -> Value {
    json!({
        "parameters": {"env": {"type": "string", "defaultValue": "dev"}},
        "variables": {"tier": "[toUpper(parameters('env'))]"},
        "resources": resources,
    })
}

#[test]
fn an_inner_scope_template_is_sent_as_written_with_its_parameters_evaluated() {
    let p = must_plan(parent(vec![module(Some("inner"))]));
    let r = &p.resources[0];
    assert_eq!(r.type_name, "Microsoft.Resources/deployments");
    assert_eq!(r.id, id("Microsoft.Resources/deployments/net-dev"));
    let body = p.body(0, &NoResources).unwrap();
    assert_eq!(
        body["properties"]["parameters"]["prefix"]["value"],
        "dev-vnet"
    );
    assert_eq!(body["properties"]["mode"], "Incremental");
    assert_eq!(
        body["properties"]["expressionEvaluationOptions"]["scope"],
        "inner"
    );
    // Nothing of the nested template was evaluated, or even checked, by the parent: its
    // parameters, copy loop and reference() are its own.
    assert_eq!(
        body["properties"]["template"],
        module(None)["properties"]["template"]
    );
}

#[test]
fn an_outer_scope_template_sees_the_parents_parameters_and_variables() {
    let mut m = module(Some("OUTER"));
    m["properties"]["template"]["resources"][0]["properties"] =
        json!({"tier": "[variables('tier')]", "env": "[parameters('env')]"});
    let p = try_plan(parent(vec![m]), json!({"env": {"value": "prod"}})).unwrap();
    let body = p.body(0, &NoResources).unwrap();
    let props = &body["properties"];
    // The parent's parameter values are what it receives; its own section is the parent's.
    assert_eq!(props["parameters"], json!({"env": {"value": "prod"}}));
    let t = &props["template"];
    assert_eq!(
        t["parameters"],
        json!({"env": {"type": "string", "defaultValue": "dev"}})
    );
    assert_eq!(
        t["variables"],
        json!({"tier": "[toUpper(parameters('env'))]"})
    );
    assert_eq!(
        t["resources"][0]["properties"]["tier"],
        "[variables('tier')]"
    );
    assert_eq!(t["outputs"]["first"]["type"], "string");
}

#[test]
fn outer_is_the_default_scope() {
    let p = must_plan(parent(vec![module(None)]));
    let body = p.body(0, &NoResources).unwrap();
    assert_eq!(
        body["properties"]["parameters"],
        json!({"env": {"value": "dev"}})
    );
    assert!(body["properties"]["template"]["parameters"]["env"].is_object());
}

#[test]
fn what_reads_a_modules_outputs_waits_for_it() {
    let p = must_plan(parent(vec![
        json!({
            "type": "Microsoft.Test/things",
            "name": "user",
            "apiVersion": "2020-01-01",
            "properties": {"net": "[reference(resourceId('Microsoft.Resources/deployments', 'net-dev'), '2022-09-01').outputs.first.value]"}
        }),
        module(Some("inner")),
    ]));
    assert_eq!(p.resources[0].depends_on, vec![1]);
    assert_eq!(p.order(), vec![1, 0]);
}

#[test]
fn an_outer_scope_template_waits_for_the_parents_resources_it_references() {
    let mut m = module(None);
    m["properties"]["template"] = json!({"resources": [{
        "type": "Microsoft.Test/things", "name": "inside", "apiVersion": "2020-01-01",
        "properties": {"v": "[reference('outside').value]"}
    }]});
    let p = must_plan(parent(vec![
        m,
        json!({"type": "Microsoft.Test/things", "name": "outside", "apiVersion": "2020-01-01"}),
    ]));
    assert_eq!(p.resources[0].depends_on, vec![1]);
    // An inner-scope template's references are its own.
    let mut m = module(Some("inner"));
    m["properties"]["template"]["resources"][0]["properties"] =
        json!({"v": "[reference('outside').value]"});
    let p = must_plan(parent(vec![
        m,
        json!({"type": "Microsoft.Test/things", "name": "outside", "apiVersion": "2020-01-01"}),
    ]));
    assert!(p.resources[0].depends_on.is_empty());
}

#[test]
fn a_nested_deployment_is_incremental() {
    let mut m = module(Some("inner"));
    m["properties"]["mode"] = json!("[if(true(), 'Complete', 'Incremental')]");
    let e = plan_err(parent(vec![m]), json!(null));
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message.contains(
            "Specified deployment mode 'Complete' is not supported for nested deployment."
        ),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("resources[0].properties.mode"));
    let mut m = module(Some("inner"));
    m["properties"]["mode"] = json!("Sometimes");
    let e = plan_err(parent(vec![m]), json!(null));
    assert!(e.message.contains("must be 'Incremental'"), "{}", e.message);
}

#[test]
fn malformed_nested_deployments_are_refused_before_anything_runs() {
    let cases = [
        (
            json!({"properties": {"templateLink": {"uri": "https://example.com/t.json"}}}),
            "InvalidTemplateDeployment",
            "cerulean fetches nothing",
        ),
        (
            json!({"properties": {"mode": "Incremental"}}),
            "InvalidTemplate",
            "properties.template must be the nested template",
        ),
        (
            json!({"properties": {"template": "[variables('tier')]"}}),
            "InvalidTemplate",
            "properties.template must be the nested template",
        ),
        (
            json!({"properties": 5}),
            "InvalidTemplate",
            "'properties' must be an object",
        ),
        (
            json!({"properties": {"template": {}, "expressionEvaluationOptions": {"scope": "middle"}}}),
            "InvalidTemplate",
            "must be 'inner' or 'outer'",
        ),
        (
            json!({"properties": {"template": {}, "expressionEvaluationOptions": "inner"}}),
            "InvalidTemplate",
            "must be an object",
        ),
    ];
    for (extra, code, words) in cases {
        let mut d = json!({"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "m"});
        d["properties"] = extra["properties"].clone();
        let e = plan_err(parent(vec![d]), json!(null));
        assert_eq!(e.code, code, "{extra}: {}", e.message);
        assert!(e.message.contains(words), "{extra}: {}", e.message);
        assert!(e.message.contains("'m'"), "{extra}: {}", e.message);
    }
}

#[test]
fn the_parents_own_expressions_around_a_nested_template_are_still_checked() {
    let mut m = module(Some("inner"));
    m["properties"]["parameters"]["prefix"]["value"] = json!("[noSuchFunction()]");
    let e = plan_err(parent(vec![m]), json!(null));
    assert!(e.message.contains("noSuchFunction"), "{}", e.message);
}

#[test]
fn a_module_sent_to_the_subscription_is_the_subscriptions() {
    let mut m = module(Some("inner"));
    m["subscriptionId"] = json!("[subscription().subscriptionId]");
    m["location"] = json!("westeurope");
    let p = must_plan(parent(vec![m.clone()]));
    assert_eq!(
        p.resources[0].id,
        "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.Resources/deployments/net-dev"
    );
    // With a group it is a module of that group.
    m["resourceGroup"] = json!("other");
    let p = must_plan(parent(vec![m]));
    assert_eq!(
        p.resources[0].id,
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/other/providers/Microsoft.Resources/deployments/net-dev"
    );
}

#[test]
fn an_outer_scope_template_calls_the_parents_functions() {
    let f = json!([{"namespace": "c", "members": {"n": {"parameters": [{"name": "a", "type": "string"}], "output": {"type": "string", "value": "[concat(parameters('a'), '-x')]"}}}}]);
    let mut m = module(None);
    m["properties"]["template"] = json!({"resources": [{
        "type": "Microsoft.Test/things", "apiVersion": "2020-01-01", "name": "[c.n(parameters('env'))]"
    }]});
    let mut t = parent(vec![m]);
    t["functions"] = f.clone();
    let p = must_plan(t);
    let body = p.body(0, &NoResources).unwrap();
    assert_eq!(body["properties"]["template"]["functions"], f);
    // The nested deployment plans as it will when it is submitted.
    let nested = cerulean_template::plan(
        &body["properties"]["template"],
        body["properties"]["parameters"].as_object().unwrap(),
        &crate::scope(),
    )
    .unwrap();
    assert_eq!(nested.resources[0].name, "dev-x");
}
