//! Subscription deployments: the template's resources are the subscription's.

use cerulean_template::{plan, NoResources, Scope};
use serde_json::{json, Map, Value};

use crate::SUB;

fn at_subscription() -> Scope {
    Scope {
        resource_group: String::new(),
        resource_group_location: String::new(),
        resource_group_tags: Map::new(),
        subscription_location: Some("eastus".into()),
        ..crate::scope()
    }
}

fn sub_plan(template: Value) -> Result<cerulean_template::Plan, cerulean_template::TemplateError> {
    plan(&template, &Map::new(), &at_subscription())
}

#[test]
fn groups_and_modules_are_the_subscriptions() {
    let p = sub_plan(json!({"resources": [
        {"type": "Microsoft.Resources/resourceGroups", "apiVersion": "2022-09-01", "name": "app", "location": "[deployment().location]"},
        {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "inapp", "resourceGroup": "app",
         "dependsOn": ["[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'app')]"],
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"}, "template": {"resources": []}}},
        {"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01", "name": "here",
         "properties": {"mode": "Incremental", "template": {"resources": []}}}
    ]}))
    .unwrap();
    let ids: Vec<&str> = p.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!("/subscriptions/{SUB}/resourceGroups/app"),
            format!("/subscriptions/{SUB}/resourceGroups/app/providers/Microsoft.Resources/deployments/inapp"),
            format!("/subscriptions/{SUB}/providers/Microsoft.Resources/deployments/here"),
        ]
    );
    // The module waits for its group, named by subscriptionResourceId.
    assert_eq!(p.resources[1].depends_on, vec![0]);
    assert_eq!(p.body(0, &NoResources).unwrap()["location"], "eastus");
}

#[test]
fn functions_answer_for_the_subscription() {
    let eval = |expr: &str| {
        let p = sub_plan(json!({"outputs": {"o": {"type": "string", "value": expr}}})).unwrap();
        p.outputs(&NoResources).map(|o| o["o"]["value"].clone())
    };
    assert_eq!(
        eval("[resourceId('Microsoft.Network/virtualNetworks', 'v')]").unwrap(),
        format!("/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks/v")
    );
    assert_eq!(
        eval("[resourceId('rg', 'Microsoft.Network/virtualNetworks', 'v')]").unwrap(),
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
        )
    );
    assert_eq!(
        eval("[resourceId('Microsoft.Resources/resourceGroups', 'rg')]").unwrap(),
        format!("/subscriptions/{SUB}/resourceGroups/rg")
    );
    assert_eq!(eval("[deployment().location]").unwrap(), "eastus");
    let e = eval("[resourceGroup().name]").unwrap_err();
    assert!(
        e.message
            .contains("A subscription deployment has no resource group"),
        "{}",
        e.message
    );
}
