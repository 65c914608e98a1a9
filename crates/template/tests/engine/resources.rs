//! Resource instances: ids, nested children, copy loops, conditions, dependencies, order.

use serde_json::{json, Value};

use crate::{id, ids, must_plan, names_in_order, plan_err, try_plan};

fn thing(name: &str) -> Value {
    json!({"type": "Microsoft.Test/things", "name": name, "apiVersion": "2020-01-01"})
}

fn with(mut r: Value, key: &str, v: Value) -> Value {
    r[key] = v;
    r
}

fn resources(list: Vec<Value>) -> Value {
    json!({"resources": list})
}

#[test]
fn ids_types_names() {
    let p = must_plan(resources(vec![json!({
        "type": "Microsoft.Network/virtualNetworks/subnets",
        "name": "[concat('v', '/', 's')]",
        "apiVersion": "2023-04-01"
    })]));
    let r = &p.resources[0];
    assert_eq!(r.id, id("Microsoft.Network/virtualNetworks/v/subnets/s"));
    assert_eq!(r.type_name, "Microsoft.Network/virtualNetworks/subnets");
    assert_eq!(r.name, "v/s");
    assert_eq!(r.api_version, "2023-04-01");
    assert_eq!(r.path, "resources[0]");
    assert!(r.condition);
    assert!(r.depends_on.is_empty());
}

#[test]
fn segment_mismatch() {
    let e = plan_err(
        resources(vec![
            json!({"type": "Microsoft.Network/virtualNetworks/subnets", "name": "s", "apiVersion": "2024-07-01"}),
        ]),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message.contains("has incorrect segment lengths"),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("resources[0]"));
}

#[test]
fn missing_type_name_or_api_version() {
    let e = plan_err(
        resources(vec![json!({"type": "Microsoft.Test/things", "name": "x"})]),
        json!(null),
    );
    assert!(e.message.contains("'apiVersion'"), "{}", e.message);
    let e = plan_err(
        resources(vec![
            json!({"type": "Microsoft.Test/things", "apiVersion": "2024-07-01"}),
        ]),
        json!(null),
    );
    assert!(e.message.contains("'name'"), "{}", e.message);
}

#[test]
fn nested_children() {
    let p = must_plan(resources(vec![json!({
        "type": "Microsoft.Network/virtualNetworks",
        "name": "vnet",
        "apiVersion": "2023-04-01",
        "location": "westeurope",
        "resources": [
            {"type": "subnets", "name": "a", "apiVersion": "2023-04-01", "properties": {"addressPrefix": "10.0.0.0/24"}},
            {"type": "Microsoft.Network/virtualNetworks/subnets", "name": "vnet/b", "apiVersion": "2023-04-01",
             "dependsOn": ["a"]}
        ]
    })]));
    assert_eq!(
        ids(&p),
        vec![
            id("Microsoft.Network/virtualNetworks/vnet"),
            id("Microsoft.Network/virtualNetworks/vnet/subnets/a"),
            id("Microsoft.Network/virtualNetworks/vnet/subnets/b"),
        ]
    );
    assert_eq!(p.resources[1].name, "vnet/a");
    assert_eq!(
        p.resources[1].type_name,
        "Microsoft.Network/virtualNetworks/subnets"
    );
    assert_eq!(p.resources[1].path, "resources[0].resources[0]");
    assert_eq!(p.resources[1].depends_on, vec![0]);
    assert_eq!(p.resources[2].depends_on, vec![0, 1]);
    // The parent's body leaves its children out.
    let body = p.body(0, &cerulean_template::NoResources).unwrap();
    assert_eq!(body, json!({"location": "westeurope"}));
    assert_eq!(
        p.body(1, &cerulean_template::NoResources).unwrap(),
        json!({"properties": {"addressPrefix": "10.0.0.0/24"}})
    );
}

#[test]
fn resource_copy_loop() {
    let p = must_plan(resources(vec![with(
        thing("[concat('nic-', copyIndex())]"),
        "copy",
        json!({"name": "nics", "count": 3}),
    )]));
    assert_eq!(
        ids(&p),
        (0..3)
            .map(|i| id(&format!("Microsoft.Test/things/nic-{i}")))
            .collect::<Vec<_>>()
    );
    assert!(p.resources.iter().all(|r| r.path == "resources[0]"));
}

#[test]
fn copy_count_zero_and_offset() {
    let p = must_plan(resources(vec![
        with(
            thing("[concat('a', copyIndex())]"),
            "copy",
            json!({"name": "none", "count": 0}),
        ),
        with(
            thing("[concat('b', copyIndex(1))]"),
            "copy",
            json!({"name": "offset", "count": "[add(1, 1)]"}),
        ),
        with(
            thing("[concat('c', copyIndex('named', 10))]"),
            "copy",
            json!({"name": "named", "count": 1}),
        ),
    ]));
    let names: Vec<&str> = p.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["b1", "b2", "c10"]);
}

#[test]
fn copy_count_limits() {
    let e = plan_err(
        resources(vec![with(
            thing("[concat('a', copyIndex())]"),
            "copy",
            json!({"name": "l", "count": -1}),
        )]),
        json!(null),
    );
    assert!(e.message.contains("between 0 and 800"), "{}", e.message);
    let e = plan_err(
        resources(vec![with(
            thing("[concat('a', copyIndex())]"),
            "copy",
            json!({"name": "l", "count": 801}),
        )]),
        json!(null),
    );
    assert!(e.message.contains("between 0 and 800"), "{}", e.message);
}

#[test]
fn children_of_a_copied_parent_follow_its_index() {
    let p = must_plan(resources(vec![json!({
        "type": "Microsoft.Network/virtualNetworks",
        "name": "[concat('v', copyIndex())]",
        "apiVersion": "2024-07-01",
        "copy": {"name": "vnets", "count": 2},
        "resources": [{"type": "subnets", "name": "[concat('s', copyIndex())]", "apiVersion": "2024-07-01"}]
    })]));
    let names: Vec<&str> = p.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, vec!["v0", "v0/s0", "v1", "v1/s1"]);
    assert_eq!(p.resources[3].depends_on, vec![2]);
}

#[test]
fn condition() {
    let p = must_plan(json!({
        "parameters": {"make": {"type": "bool", "defaultValue": false}},
        "resources": [
            with(thing("skipped"), "condition", json!("[parameters('make')]")),
            with(with(thing("kept"), "condition", json!(true)), "dependsOn", json!(["skipped"])),
            with(thing("[concat('x', copyIndex())]"), "copy", json!({"name": "xs", "count": 3})),
        ]
    }));
    assert!(!p.resources[0].condition);
    assert!(p.resources[1].condition);
    // A dependant of a skipped resource still runs.
    assert_eq!(p.resources[1].depends_on, vec![0]);
    assert_eq!(p.order(), vec![0, 1, 2, 3, 4]);
    let p = must_plan(resources(vec![with(
        with(
            thing("[concat('x', copyIndex())]"),
            "copy",
            json!({"name": "xs", "count": 3}),
        ),
        "condition",
        json!("[not(equals(copyIndex(), 1))]"),
    )]));
    let flags: Vec<bool> = p.resources.iter().map(|r| r.condition).collect();
    assert_eq!(flags, vec![true, false, true]);
}

#[test]
fn conditional_alternatives_may_share_a_name() {
    let p = must_plan(resources(vec![
        with(
            with(thing("same"), "condition", json!(false)),
            "properties",
            json!({"v": 1}),
        ),
        with(thing("same"), "properties", json!({"v": 2})),
    ]));
    assert_eq!(p.resources.len(), 2);
    let e = plan_err(resources(vec![thing("same"), thing("same")]), json!(null));
    assert!(
        e.message.contains("is defined multiple times"),
        "{}",
        e.message
    );
}

#[test]
fn depends_on_by_name_id_type_name_expression_and_loop() {
    let p = must_plan(resources(vec![
        json!({"type": "Microsoft.Network/networkInterfaces", "name": "myNic", "apiVersion": "2024-07-01"}),
        with(
            thing("[concat('n', copyIndex())]"),
            "copy",
            json!({"name": "loop", "count": 2}),
        ),
        with(thing("byName"), "dependsOn", json!(["myNic"])),
        with(
            thing("byTypeName"),
            "dependsOn",
            json!(["Microsoft.Network/networkInterfaces/myNic"]),
        ),
        with(
            thing("byTypeNameCase"),
            "dependsOn",
            json!(["microsoft.network/NETWORKINTERFACES/mynic"]),
        ),
        with(
            thing("byResourceId"),
            "dependsOn",
            json!(["[resourceId('Microsoft.Network/networkInterfaces', 'myNic')]"]),
        ),
        with(
            thing("byConcat"),
            "dependsOn",
            json!(["[concat('Microsoft.Network/networkInterfaces/', 'myNic')]"]),
        ),
        with(thing("byLoop"), "dependsOn", json!(["loop"])),
        with(thing("byInstance"), "dependsOn", json!(["n1"])),
    ]));
    for i in 3..8 {
        assert_eq!(
            p.resources[i].depends_on,
            vec![0],
            "{}",
            p.resources[i].name
        );
    }
    assert_eq!(p.resources[8].depends_on, vec![1, 2]);
    assert_eq!(p.resources[9].depends_on, vec![2]);
}

#[test]
fn depends_on_something_not_in_the_template() {
    let e = plan_err(
        resources(vec![with(thing("a"), "dependsOn", json!(["ghost"]))]),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message
            .contains("The resource 'ghost' is not defined in the template."),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("resources[0].dependsOn[0]"));
    let e = plan_err(
        resources(vec![with(
            thing("a"),
            "dependsOn",
            json!(["[resourceId('Microsoft.Test/things', 'b')]"]),
        )]),
        json!(null),
    );
    assert!(
        e.message
            .contains("/providers/Microsoft.Test/things/b' is not defined"),
        "{}",
        e.message
    );
}

#[test]
fn implicit_dependency_from_reference() {
    let p = must_plan(resources(vec![
        with(
            thing("user"),
            "properties",
            json!({
                "a": "[reference('pip').ipAddress]",
                "b": "[reference(resourceId('Microsoft.Network/publicIPAddresses', 'pip2'), '2023-04-01', 'Full').location]",
                "outside": "[reference('/subscriptions/x/resourceGroups/y/providers/A.B/c/d').z]"
            }),
        ),
        json!({"type": "Microsoft.Network/publicIPAddresses", "name": "pip", "apiVersion": "2024-07-01"}),
        json!({"type": "Microsoft.Network/publicIPAddresses", "name": "pip2", "apiVersion": "2024-07-01"}),
    ]));
    assert_eq!(p.resources[0].depends_on, vec![1, 2]);
    assert_eq!(names_in_order(&p), vec!["pip", "pip2", "user"]);
}

#[test]
fn implicit_dependency_inside_property_copy() {
    let p = must_plan(resources(vec![
        with(
            with(
                thing("[concat('ip', copyIndex())]"),
                "copy",
                json!({"name": "ips", "count": 2}),
            ),
            "properties",
            json!({}),
        ),
        with(
            thing("user"),
            "properties",
            json!({
                "copy": [{"name": "addresses", "count": 2, "input": "[reference(concat('ip', copyIndex('addresses'))).address]"}]
            }),
        ),
    ]));
    assert_eq!(p.resources[2].depends_on, vec![0, 1]);
}

#[test]
fn cycles_name_the_resources() {
    let e = plan_err(
        resources(vec![
            with(thing("a"), "dependsOn", json!(["b"])),
            with(thing("b"), "dependsOn", json!(["c"])),
            with(thing("c"), "dependsOn", json!(["a"])),
            thing("free"),
        ]),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message
            .contains("Circular dependency detected on resource: '"),
        "{}",
        e.message
    );
    for n in ["a", "b", "c"] {
        assert!(
            e.message
                .contains(&id(&format!("Microsoft.Test/things/{n}"))),
            "{}",
            e.message
        );
    }
    assert!(!e.message.contains("things/free"), "{}", e.message);
    let e = plan_err(
        resources(vec![with(
            thing("self"),
            "properties",
            json!({"x": "[reference('self').y]"}),
        )]),
        json!(null),
    );
    assert!(e.message.contains("Circular dependency"), "{}", e.message);
}

#[test]
fn stable_topological_order() {
    let p = must_plan(resources(vec![
        with(thing("vm"), "dependsOn", json!(["nic"])),
        thing("vnet"),
        with(thing("nic"), "dependsOn", json!(["vnet", "pip"])),
        thing("pip"),
        thing("storage"),
    ]));
    assert_eq!(
        names_in_order(&p),
        vec!["vnet", "pip", "nic", "vm", "storage"]
    );
}

#[test]
fn serial_copy_runs_in_batches() {
    let p = must_plan(resources(vec![with(
        thing("[concat('s', copyIndex())]"),
        "copy",
        json!({"name": "s", "count": 5, "mode": "serial", "batchSize": 2}),
    )]));
    let deps: Vec<Vec<usize>> = p.resources.iter().map(|r| r.depends_on.clone()).collect();
    assert_eq!(
        deps,
        vec![vec![], vec![], vec![0, 1], vec![0, 1], vec![2, 3]]
    );
}

#[test]
fn unsupported_constructs() {
    let e = plan_err(
        json!({"languageVersion": "3.0", "resources": {}}),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert!(e.message.contains("languageVersion '3.0'"), "{}", e.message);
}

#[test]
fn extension_resources_sit_on_the_resource_their_scope_names() {
    let lock = json!({"type": "Microsoft.Authorization/locks", "apiVersion": "2020-05-01", "name": "nodelete"});
    let p = must_plan(resources(vec![
        with(
            lock.clone(),
            "scope",
            json!("Microsoft.Network/virtualNetworks/v"),
        ),
        with(
            lock.clone(),
            "scope",
            json!("[resourceId('Microsoft.Network/virtualNetworks', 'w')]"),
        ),
        with(
            with(lock.clone(), "name", json!("onrg")),
            "scope",
            json!("[resourceGroup().id]"),
        ),
    ]));
    let ids: Vec<&str> = p.resources.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!(
                "{}/providers/Microsoft.Authorization/locks/nodelete",
                id("Microsoft.Network/virtualNetworks/v")
            ),
            format!(
                "{}/providers/Microsoft.Authorization/locks/nodelete",
                id("Microsoft.Network/virtualNetworks/w")
            ),
            format!(
                "{}/providers/Microsoft.Authorization/locks/onrg",
                crate::RG_ID
            ),
        ]
    );
    let e = plan_err(resources(vec![with(lock, "scope", json!(5))]), json!(null));
    assert!(e.message.contains("must be a resource id"), "{}", e.message);
}

#[test]
fn template_without_resources() {
    let p = try_plan(
        json!({"$schema": "x", "contentVersion": "1.0.0.0"}),
        json!(null),
    )
    .unwrap();
    assert!(p.resources.is_empty());
    assert!(p.order().is_empty());
}

#[test]
fn a_resource_names_its_group_and_its_children_follow() {
    let parent = json!({
        "type": "Microsoft.Network/virtualNetworks", "name": "v", "apiVersion": "2023-04-01",
        "resourceGroup": "[concat('oth', 'er')]",
        "resources": [{"type": "subnets", "name": "s", "apiVersion": "2023-04-01", "dependsOn": ["v"]}]
    });
    let p = must_plan(resources(vec![parent, thing("t")]));
    let other = |tail: &str| id(tail).replace("/resourceGroups/rg/", "/resourceGroups/other/");
    assert_eq!(
        p.resources[0].id,
        other("Microsoft.Network/virtualNetworks/v")
    );
    assert_eq!(
        p.resources[1].id,
        other("Microsoft.Network/virtualNetworks/v/subnets/s")
    );
    assert_eq!(p.resources[2].id, id("Microsoft.Test/things/t"));
}
