//! One or more cases per template function, plus the expression syntax edges.

use serde_json::json;

use crate::{eval, eval_err, eval_with, plan_err, try_eval, RG_ID, SUB};

#[test]
fn literals_escapes_and_quotes() {
    assert_eq!(eval("plain text"), json!("plain text"));
    assert_eq!(eval("[[notAnExpression()]"), json!("[notAnExpression()]"));
    assert_eq!(eval("['it''s']"), json!("it's"));
    assert_eq!(eval("[-5]"), json!(-5));
    assert_eq!(eval("[ concat( 'a' , 'b' ) ]"), json!("ab"));
}

#[test]
fn nested_calls_and_access() {
    assert_eq!(
        eval("[createObject('a', createArray(1, createObject('b', 'deep'))).a[1].b]"),
        json!("deep")
    );
    assert_eq!(eval("[json('{\"x\": {\"y-z\": 3}}').x['y-z']]"), json!(3));
    assert_eq!(eval("[createArray('p', 'q')[add(0, 1)]]"), json!("q"));
    // Property names are case-insensitive.
    assert_eq!(eval("[json('{\"Name\": 1}').name]"), json!(1));
    let e = eval_err("[json('{\"a\": 1}').b]");
    assert!(
        e.message
            .contains("'b' doesn't exist, available properties are 'a'"),
        "{}",
        e.message
    );
    let e = eval_err("[createArray(1)[3]]");
    assert!(
        e.message.contains("index '3' is out of bounds"),
        "{}",
        e.message
    );
}

#[test]
fn function_names_are_case_insensitive() {
    assert_eq!(eval("[CONCAT('a', ToLower('B'))]"), json!("ab"));
    assert_eq!(eval("[toupper('x')]"), json!("X"));
}

#[test]
fn scope_functions() {
    assert_eq!(eval("[resourceGroup().id]"), json!(RG_ID));
    assert_eq!(eval("[resourceGroup().name]"), json!("rg"));
    assert_eq!(eval("[resourceGroup().location]"), json!("westeurope"));
    assert_eq!(eval("[resourceGroup().tags.env]"), json!("test"));
    assert_eq!(eval("[subscription().subscriptionId]"), json!(SUB));
    assert_eq!(
        eval("[subscription().id]"),
        json!(format!("/subscriptions/{SUB}"))
    );
    assert_eq!(
        eval("[subscription().displayName]"),
        json!("Test subscription")
    );
    assert_eq!(
        eval("[tenant().tenantId]"),
        json!("72f988bf-86f1-41af-91ab-2d7cd011db47")
    );
    assert_eq!(eval("[deployment().name]"), json!("dep1"));
    assert_eq!(
        eval("[deployment().properties.template.contentVersion]"),
        json!("1.0.0.0")
    );
    assert_eq!(eval("[environment().name]"), json!("AzureCloud"));
    assert_eq!(
        eval("[environment().resourceManager]"),
        json!("https://management.azure.com/")
    );
    assert_eq!(
        eval("[environment().suffixes.storage]"),
        json!("core.windows.net")
    );
}

#[test]
fn resource_ids() {
    assert_eq!(
        eval("[resourceId('Microsoft.Network/virtualNetworks', 'v')]"),
        json!(format!(
            "{RG_ID}/providers/Microsoft.Network/virtualNetworks/v"
        ))
    );
    assert_eq!(
        eval("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"),
        json!(format!(
            "{RG_ID}/providers/Microsoft.Network/virtualNetworks/v/subnets/s"
        ))
    );
    assert_eq!(
        eval("[resourceId('other', 'Microsoft.Network/virtualNetworks', 'v')]"),
        json!(format!("/subscriptions/{SUB}/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v"))
    );
    assert_eq!(
        eval("[resourceId('s2', 'other', 'Microsoft.Network/virtualNetworks', 'v')]"),
        json!(
            "/subscriptions/s2/resourceGroups/other/providers/Microsoft.Network/virtualNetworks/v"
        )
    );
    assert_eq!(
        eval("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]"),
        json!(format!(
            "/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/r"
        ))
    );
    assert_eq!(
        eval("[subscriptionResourceId('s9', 'Microsoft.Authorization/roleDefinitions', 'r')]"),
        json!("/subscriptions/s9/providers/Microsoft.Authorization/roleDefinitions/r")
    );
    assert_eq!(
        eval("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]"),
        json!("/providers/Microsoft.Management/managementGroups/mg")
    );
    assert_eq!(
        eval("[extensionResourceId(resourceGroup().id, 'Microsoft.Authorization/locks', 'l')]"),
        json!(format!("{RG_ID}/providers/Microsoft.Authorization/locks/l"))
    );
    let e = eval_err("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v')]");
    assert_eq!(e.code, "InvalidTemplate");
    assert!(
        e.message.contains("'resourceId'") && e.message.contains("requires '2' resource name"),
        "{}",
        e.message
    );
}

#[test]
fn concat_strings_numbers_and_arrays() {
    assert_eq!(eval("[concat('nic-', 3)]"), json!("nic-3"));
    assert_eq!(
        eval("[concat(createArray(1, 2), createArray(3))]"),
        json!([1, 2, 3])
    );
    let e = eval_err("[concat('a', createArray(1))]");
    assert!(e.message.contains("'concat'"), "{}", e.message);
}

#[test]
fn format_function() {
    assert_eq!(eval("[format('{0}-{1}', 'a', 7)]"), json!("a-7"));
    assert_eq!(eval("[format('vm{0:D3}', 7)]"), json!("vm007"));
    assert_eq!(eval("[format('{0:N0}', 8175133)]"), json!("8,175,133"));
    assert_eq!(
        eval("[format('{{literal}} {0}', true())]"),
        json!("{literal} True")
    );
    assert_eq!(eval("[format('[{0,4}]', 'ab')]"), json!("[  ab]"));
    let e = eval_err("[format('{1}', 'a')]");
    assert!(e.message.contains("'format'"), "{}", e.message);
}

#[test]
fn string_conversions() {
    assert_eq!(eval("[string(5)]"), json!("5"));
    assert_eq!(eval("[string(true())]"), json!("True"));
    assert_eq!(
        eval("[string(createObject('a', 1, 'b', createArray('x')))]"),
        json!("{\"a\":1,\"b\":[\"x\"]}")
    );
    assert_eq!(eval("[string('s')]"), json!("s"));
    assert_eq!(eval("[int('42')]"), json!(42));
    assert_eq!(eval("[int(7)]"), json!(7));
    assert_eq!(eval("[bool('TRUE')]"), json!(true));
    assert_eq!(eval("[bool(0)]"), json!(false));
    assert!(eval_err("[int('x')]").message.contains("'int'"));
}

#[test]
fn case_and_trim_functions() {
    assert_eq!(eval("[toLower('AbC')]"), json!("abc"));
    assert_eq!(eval("[toUpper('AbC')]"), json!("ABC"));
    assert_eq!(eval("[trim('  x y  ')]"), json!("x y"));
    let e = eval_err("[toLower(1)]");
    assert!(
        e.message.contains("'toLower' expects its parameter to be of type 'String'. The provided value is of type 'Integer'"),
        "{}",
        e.message
    );
}

#[test]
fn unique_string_and_guid() {
    assert_eq!(eval("[uniqueString('test')]"), json!("rbgf3xv4ufgzg"));
    assert_eq!(
        eval("[uniqueString('hello', 'world')]"),
        json!("a7wkljktk6wne")
    );
    let rg = eval("[uniqueString(resourceGroup().id)]");
    assert_eq!(rg.as_str().unwrap().len(), 13);
    let g = eval("[guid('a', 'b')]");
    let g = g.as_str().unwrap();
    assert_eq!(g.len(), 36);
    assert_eq!(&g[14..15], "5");
    assert_eq!(eval("[guid('a', 'b')]"), eval("[guid('a-b')]"));
    assert_ne!(eval("[guid('a')]"), eval("[guid('b')]"));
    assert!(eval_err("[uniqueString(1)]")
        .message
        .contains("'uniqueString'"));
}

#[test]
fn split_replace_substring() {
    assert_eq!(eval("[split('a,b,,c', ',')]"), json!(["a", "b", "", "c"]));
    assert_eq!(
        eval("[split('a,b;c', createArray(',', ';'))]"),
        json!(["a", "b", "c"])
    );
    assert_eq!(
        eval("[replace('123-123-1234', '-', '')]"),
        json!("1231231234")
    );
    assert_eq!(eval("[substring('one two three', 4, 3)]"), json!("two"));
    assert_eq!(eval("[substring('abc', 1)]"), json!("bc"));
    let e = eval_err("[substring('1234567890', 0, 11)]");
    assert!(
        e.message
            .contains("The index and length parameters must refer to a location within the string"),
        "{}",
        e.message
    );
    assert_eq!(
        eval("[join(createArray('a', 'b', 1), '-')]"),
        json!("a-b-1")
    );
}

#[test]
fn search_functions() {
    assert_eq!(eval("[startsWith('abcdef', 'AB')]"), json!(true));
    assert_eq!(eval("[endsWith('abcdef', 'EF')]"), json!(true));
    assert_eq!(eval("[endsWith('abcdef', 'e')]"), json!(false));
    assert_eq!(eval("[indexOf('test', 'T')]"), json!(0));
    assert_eq!(eval("[lastIndexOf('test', 't')]"), json!(3));
    assert_eq!(eval("[indexOf('abcdef', 'CD')]"), json!(2));
    assert_eq!(eval("[indexOf('abc', 'z')]"), json!(-1));
    assert_eq!(eval("[indexOf(createArray('a', 'b'), 'b')]"), json!(1));
    assert_eq!(eval("[padLeft('123', 10, '0')]"), json!("0000000123"));
    assert_eq!(eval("[padLeft(7, 3)]"), json!("  7"));
}

#[test]
fn contains_empty_length() {
    assert_eq!(eval("[contains('OneTwo', 'Two')]"), json!(true));
    assert_eq!(eval("[contains('OneTwo', 'two')]"), json!(false));
    assert_eq!(eval("[contains(createArray(1, 'a'), 'a')]"), json!(true));
    assert_eq!(
        eval("[contains(createObject('Key', 1), 'key')]"),
        json!(true)
    );
    assert_eq!(
        eval("[contains(createObject('Key', 1), 'other')]"),
        json!(false)
    );
    assert_eq!(eval("[empty('')]"), json!(true));
    assert_eq!(eval("[empty(createArray())]"), json!(true));
    assert_eq!(eval("[empty(json('{}'))]"), json!(true));
    assert_eq!(eval("[empty(null())]"), json!(true));
    assert_eq!(eval("[empty('x')]"), json!(false));
    assert_eq!(eval("[length('abc')]"), json!(3));
    assert_eq!(eval("[length(createArray(1, 2))]"), json!(2));
    assert_eq!(eval("[length(createObject('a', 1))]"), json!(1));
}

#[test]
fn first_last_take_skip_range() {
    assert_eq!(eval("[first(createArray('one', 'two'))]"), json!("one"));
    assert_eq!(eval("[first('One')]"), json!("O"));
    assert_eq!(eval("[last(createArray('one', 'two'))]"), json!("two"));
    assert_eq!(eval("[last('One')]"), json!("e"));
    assert_eq!(eval("[first(createArray())]"), json!(null));
    assert_eq!(eval("[take(createArray(1, 2, 3), 2)]"), json!([1, 2]));
    assert_eq!(eval("[take('one two', 2)]"), json!("on"));
    assert_eq!(eval("[take(createArray(1), 5)]"), json!([1]));
    assert_eq!(eval("[skip(createArray(1, 2, 3), 2)]"), json!([3]));
    assert_eq!(eval("[skip('one two', 4)]"), json!("two"));
    assert_eq!(eval("[skip('abc', -1)]"), json!("abc"));
    assert_eq!(eval("[range(5, 3)]"), json!([5, 6, 7]));
    assert_eq!(eval("[range(0, 0)]"), json!([]));
    assert_eq!(eval("[array('x')]"), json!(["x"]));
    assert_eq!(eval("[array(createArray(1))]"), json!([1]));
}

#[test]
fn union_and_intersection() {
    assert_eq!(
        eval("[union(createArray(1, 2), createArray(2, 3))]"),
        json!([1, 2, 3])
    );
    assert_eq!(
        eval("[union(json('{\"a\": {\"x\": 1, \"y\": 1}, \"n\": [1]}'), json('{\"a\": {\"y\": 2}, \"n\": [2], \"b\": 3}'))]"),
        json!({"a": {"x": 1, "y": 2}, "n": [2], "b": 3})
    );
    assert_eq!(eval("[intersection(createArray('one', 'two', 'three'), createArray('two', 'three', 'four'))]"), json!(["two", "three"]));
    assert_eq!(
        eval("[intersection(json('{\"one\": \"a\", \"two\": \"b\", \"three\": \"c\"}'), json('{\"one\": \"a\", \"two\": \"z\", \"three\": \"c\"}'))]"),
        json!({"one": "a", "three": "c"})
    );
}

#[test]
fn objects_and_json() {
    assert_eq!(
        eval("[createObject('a', 1, 'b', 'x')]"),
        json!({"a": 1, "b": "x"})
    );
    assert!(eval_err("[createObject('a')]")
        .message
        .contains("'createObject'"));
    assert_eq!(eval("[json('[1, 2]')]"), json!([1, 2]));
    assert_eq!(eval("[json('null')]"), json!(null));
    assert_eq!(eval("[json('{''a'': ''b''}')]"), json!({"a": "b"}));
    assert_eq!(
        eval("[items(json('{\"item002\": 2, \"item001\": 1}'))]"),
        json!([{"key": "item001", "value": 1}, {"key": "item002", "value": 2}])
    );
    assert_eq!(eval("[coalesce(null(), null(), 'x', 'y')]"), json!("x"));
    assert_eq!(eval("[coalesce(null())]"), json!(null));
    assert_eq!(eval("[null()]"), json!(null));
}

#[test]
fn logic() {
    assert_eq!(eval("[if(true(), 'yes', 'no')]"), json!("yes"));
    assert_eq!(eval("[if(false(), 'yes', 'no')]"), json!("no"));
    // Only the branch taken is evaluated.
    assert_eq!(eval("[if(true(), 'ok', createArray(1)[5])]"), json!("ok"));
    assert_eq!(eval("[if(equals(1, 2), div(1, 0), 'safe')]"), json!("safe"));
    assert_eq!(eval("[equals('a', 'a')]"), json!(true));
    assert_eq!(
        eval("[equals(createArray(1, 2), createArray(1, 2))]"),
        json!(true)
    );
    assert_eq!(eval("[equals('a', 'A')]"), json!(false));
    assert_eq!(eval("[not(true())]"), json!(false));
    assert_eq!(eval("[and(true(), true(), false())]"), json!(false));
    assert_eq!(eval("[or(false(), true())]"), json!(true));
    assert_eq!(eval("[or(true(), createArray()[1])]"), json!(true));
    assert_eq!(eval("[greater(2, 1)]"), json!(true));
    assert_eq!(eval("[greaterOrEquals(2, 2)]"), json!(true));
    assert_eq!(eval("[less('a', 'b')]"), json!(true));
    assert_eq!(eval("[lessOrEquals(3, 2)]"), json!(false));
    assert!(eval_err("[if('x', 1, 2)]").message.contains("'if'"));
    assert!(eval_err("[and(true())]").message.contains("'and'"));
}

#[test]
fn arithmetic() {
    assert_eq!(eval("[add(2, 3)]"), json!(5));
    assert_eq!(eval("[sub(2, 3)]"), json!(-1));
    assert_eq!(eval("[mul(4, 3)]"), json!(12));
    assert_eq!(eval("[div(7, 2)]"), json!(3));
    assert_eq!(eval("[mod(7, 2)]"), json!(1));
    assert_eq!(eval("[min(3, 1, 2)]"), json!(1));
    assert_eq!(eval("[max(createArray(3, 9, 2))]"), json!(9));
    let e = eval_err("[div(1, 0)]");
    assert!(
        e.message.contains("'div'") && e.message.contains("zero"),
        "{}",
        e.message
    );
    let e = eval_err("[add('a', 1)]");
    assert!(
        e.message
            .contains("'add' expects its parameter 1 to be of type 'Integer'"),
        "{}",
        e.message
    );
    let e = eval_err("[add(1)]");
    assert!(
        e.message.contains("'add' must have 2 parameter(s)"),
        "{}",
        e.message
    );
}

#[test]
fn encodings() {
    assert_eq!(
        eval("[base64('one, two, three')]"),
        json!("b25lLCB0d28sIHRocmVl")
    );
    assert_eq!(
        eval("[base64ToString('b25lLCB0d28sIHRocmVl')]"),
        json!("one, two, three")
    );
    assert_eq!(
        eval("[base64ToJson(base64('{\"a\": 1}'))]"),
        json!({"a": 1})
    );
    assert_eq!(
        eval("[dataUri('Hello')]"),
        json!("data:text/plain;charset=utf8;base64,SGVsbG8=")
    );
    assert_eq!(
        eval("[dataUriToString('data:;base64,SGVsbG8sIFdvcmxkIQ==')]"),
        json!("Hello, World!")
    );
    assert_eq!(
        eval("[uriComponent('http://contoso.com/resources/nested/azuredeploy.json')]"),
        json!("http%3A%2F%2Fcontoso.com%2Fresources%2Fnested%2Fazuredeploy.json")
    );
    assert_eq!(eval("[uriComponentToString('a%20b')]"), json!("a b"));
    assert_eq!(
        eval("[uri('http://contoso.org/firstpath', 'myscript.sh')]"),
        json!("http://contoso.org/myscript.sh")
    );
    assert_eq!(
        eval("[uri('http://contoso.org/firstpath/', 'myscript.sh')]"),
        json!("http://contoso.org/firstpath/myscript.sh")
    );
    assert_eq!(
        eval("[uri('http://contoso.org/firstpath/azuredeploy.json', 'myscript.sh')]"),
        json!("http://contoso.org/firstpath/myscript.sh")
    );
    assert_eq!(
        eval("[uri('http://contoso.org', 'a.sh')]"),
        json!("http://contoso.org/a.sh")
    );
    assert_eq!(
        eval("[uri('http://contoso.org/x/y', '/z')]"),
        json!("http://contoso.org/z")
    );
}

#[test]
fn list_functions_are_not_implemented() {
    let e =
        eval_err("[listKeys(resourceId('Microsoft.Storage/storageAccounts', 's'), '2021-01-01')]");
    assert_eq!(e.code, "NotImplemented");
    assert!(
        e.message
            .contains("The template function 'listKeys' is not supported by cerulean"),
        "{}",
        e.message
    );
    assert!(e.not_implemented());
    let e = eval_err("[listSecrets('x', '2020-01-01')]");
    assert_eq!(e.code, "NotImplemented");
}

#[test]
fn list_functions_are_refused_at_plan_time_unless_the_resource_is_skipped() {
    let t = |condition: bool| {
        json!({"resources": [{
            "type": "Microsoft.Test/things", "name": "t", "apiVersion": "2024-07-01", "condition": condition,
            "properties": {"key": "[listKeys(resourceId('Microsoft.Storage/storageAccounts', 's'), '2021-01-01').keys[0].value]"}
        }]})
    };
    let e = plan_err(t(true), json!(null));
    assert_eq!(e.code, "NotImplemented");
    assert_eq!(e.target.as_deref(), Some("resources[0].properties.key"));
    assert!(
        e.message
            .contains("'listKeys' is not supported by cerulean"),
        "{}",
        e.message
    );
    let p = crate::must_plan(t(false));
    assert!(!p.resources[0].condition);
    assert_eq!(
        p.body(0, &cerulean_template::NoResources).unwrap_err().code,
        "NotImplemented"
    );
}

#[test]
fn unknown_function_is_reported_at_plan_time_with_position() {
    let e = plan_err(
        json!({"resources": [{
            "type": "Microsoft.Test/things", "name": "t", "apiVersion": "2020-01-01",
            "properties": {"x": {"y": "[concat('a', foo(1))]"}}
        }]}),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert_eq!(e.target.as_deref(), Some("resources[0].properties.x.y"));
    assert!(
        e.message.contains("The template function 'foo' is not valid. Please see https://aka.ms/arm-functions for usage details."),
        "{}",
        e.message
    );
    assert!(
        e.message
            .contains("at position 13 of '[concat('a', foo(1))]'"),
        "{}",
        e.message
    );
}

#[test]
fn unknown_function_in_outputs_and_variables_too() {
    let e = plan_err(
        json!({"outputs": {"o": {"type": "string", "value": "[bar()]"}}}),
        json!(null),
    );
    assert_eq!(e.target.as_deref(), Some("outputs.o.value"));
    assert!(e.message.contains("'bar'"));
    let e = plan_err(
        json!({"variables": {"v": {"deep": ["[baz()]"]}}}),
        json!(null),
    );
    assert_eq!(e.target.as_deref(), Some("variables.v.deep[0]"));
}

#[test]
fn syntax_errors_are_reported_at_plan_time_with_position() {
    let e = plan_err(
        json!({"resources": [{
            "type": "Microsoft.Test/things", "name": "t", "apiVersion": "2020-01-01",
            "properties": {"x": "[concat('a' 'b')]"}
        }]}),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert_eq!(e.target.as_deref(), Some("resources[0].properties.x"));
    assert!(
        e.message.contains("at position 12 of '[concat('a' 'b')]'"),
        "{}",
        e.message
    );
    let e = try_eval("[concat('unterminated)]").unwrap_err();
    assert!(e.message.contains("unterminated string"), "{}", e.message);
}

#[test]
fn utc_now_and_new_guid_only_in_parameter_defaults() {
    let v = eval_with(
        json!({"parameters": {
            "stamp": {"type": "string", "defaultValue": "[utcNow('yyyy')]"},
            "id": {"type": "string", "defaultValue": "[newGuid()]"}
        }}),
        json!("[concat(parameters('stamp'), '|', parameters('id'))]"),
    )
    .unwrap();
    let v = v.as_str().unwrap();
    let (year, guid) = v.split_once('|').unwrap();
    assert_eq!(year.len(), 4);
    assert!(year.starts_with("20"));
    assert_eq!(guid.len(), 36);
    let e = plan_err(
        json!({"resources": [{"type": "Microsoft.Test/things", "name": "[utcNow()]", "apiVersion": "2024-07-01"}]}),
        json!(null),
    );
    assert!(
        e.message
            .contains("The template function 'utcNow' is not expected at this location"),
        "{}",
        e.message
    );
    let e = plan_err(json!({"variables": {"g": "[newGuid()]"}}), json!(null));
    assert!(
        e.message.contains("'newGuid' is not expected"),
        "{}",
        e.message
    );
}

#[test]
fn reference_is_not_allowed_in_variables() {
    let e = plan_err(
        json!({"variables": {"r": "[reference('x').y]"}}),
        json!(null),
    );
    assert!(
        e.message
            .contains("'reference' is not expected at this location"),
        "{}",
        e.message
    );
    assert_eq!(e.target.as_deref(), Some("variables.r"));
}

#[test]
fn copy_index_outside_a_loop() {
    let e = plan_err(
        json!({"resources": [{"type": "Microsoft.Test/things", "name": "[concat('a', copyIndex())]", "apiVersion": "2024-07-01"}]}),
        json!(null),
    );
    assert_eq!(e.code, "InvalidTemplate");
    assert_eq!(e.target.as_deref(), Some("resources[0].name"));
    assert!(
        e.message
            .contains("'copyIndex' is not expected at this location"),
        "{}",
        e.message
    );
    let e = plan_err(json!({"variables": {"v": "[copyIndex()]"}}), json!(null));
    assert!(
        e.message.contains("'copyIndex' is not expected"),
        "{}",
        e.message
    );
    let e = plan_err(
        json!({"resources": [{
            "type": "Microsoft.Test/things", "name": "[concat('a', copyIndex('wrong'))]", "apiVersion": "2024-07-01",
            "copy": {"name": "loop", "count": 2}
        }]}),
        json!(null),
    );
    assert!(
        e.message.contains("invalid loop name 'wrong'"),
        "{}",
        e.message
    );
}

#[test]
fn undeclared_parameter_or_variable_named_literally() {
    let e = plan_err(
        json!({"outputs": {"o": {"type": "string", "value": "[parameters('nope')]"}}}),
        json!(null),
    );
    assert!(
        e.message
            .contains("The template parameter 'nope' is not found"),
        "{}",
        e.message
    );
    let e = plan_err(
        json!({"outputs": {"o": {"type": "string", "value": "[variables('nope')]"}}}),
        json!(null),
    );
    assert!(
        e.message
            .contains("The template variable 'nope' is not found"),
        "{}",
        e.message
    );
}

#[test]
fn lambda_functions() {
    assert_eq!(
        eval("[map(range(0, 3), lambda('i', mul(lambdaVariables('i'), 2)))]"),
        json!([0, 2, 4])
    );
    assert_eq!(
        eval("[map(createArray('a', 'b'), lambda('x', 'i', concat(lambdaVariables('x'), string(lambdaVariables('i')))))]"),
        json!(["a0", "b1"])
    );
    assert_eq!(
        eval("[filter(range(1, 6), lambda('n', equals(mod(lambdaVariables('n'), 2), 0)))]"),
        json!([2, 4, 6])
    );
    assert_eq!(eval("[reduce(range(1, 4), 0, lambda('acc', 'n', add(lambdaVariables('acc'), lambdaVariables('n'))))]"), json!(10));
    assert_eq!(
        eval("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]"),
        json!([1, 2, 3])
    );
    assert_eq!(
        eval("[toObject(createArray('x', 'y'), lambda('k', toUpper(lambdaVariables('k'))), lambda('k', length(lambdaVariables('k'))))]"),
        json!({"X": 1, "Y": 1})
    );
    assert_eq!(
        eval(
            "[mapValues(createObject('a', 1, 'b', 2), lambda('v', add(lambdaVariables('v'), 10)))]"
        ),
        json!({"a": 11, "b": 12})
    );
    assert_eq!(
        eval("[groupBy(createArray('apple', 'avocado', 'banana'), lambda('s', first(lambdaVariables('s'))))]"),
        json!({"a": ["apple", "avocado"], "b": ["banana"]})
    );
    let e = eval_err("[map(createArray(1), 'notALambda')]");
    assert!(e.message.contains("'map'"), "{}", e.message);
    let e = eval_err("[lambda('x', 1)]");
    assert!(
        e.message.contains("'lambda' can only be used"),
        "{}",
        e.message
    );
}

#[test]
fn more_collection_functions() {
    assert_eq!(
        eval("[flatten(createArray(createArray(1, 2), createArray(3)))]"),
        json!([1, 2, 3])
    );
    assert_eq!(
        eval("[objectKeys(createObject('a', 1, 'b', 2))]"),
        json!(["a", "b"])
    );
    assert_eq!(
        eval("[shallowMerge(createArray(createObject('a', 1, 'b', createObject('x', 1)), createObject('b', createObject('y', 2))))]"),
        json!({"a": 1, "b": {"y": 2}})
    );
    assert_eq!(
        eval("[tryGet(json('{\"a\": {\"b\": [5, 6]}}'), 'a', 'b', 1)]"),
        json!(6)
    );
    assert_eq!(
        eval("[tryGet(createObject('a', 1), 'missing')]"),
        json!(null)
    );
}

#[test]
fn cidr_functions() {
    assert_eq!(
        eval("[parseCidr('10.144.0.0/20')]"),
        json!({"network": "10.144.0.0", "netmask": "255.255.240.0", "broadcast": "10.144.15.255",
               "firstUsable": "10.144.0.1", "lastUsable": "10.144.15.254", "cidr": 20})
    );
    assert_eq!(
        eval("[parseCidr('fdad:3236:5555::/48')]"),
        json!({"network": "fdad:3236:5555::", "netmask": "ffff:ffff:ffff::", "firstUsable": "fdad:3236:5555::",
               "lastUsable": "fdad:3236:5555:ffff:ffff:ffff:ffff:ffff", "cidr": 48})
    );
    assert_eq!(
        eval("[cidrSubnet('10.144.0.0/20', 24, 3)]"),
        json!("10.144.3.0/24")
    );
    assert_eq!(
        eval("[cidrSubnet('fdad:3236:5555::/48', 52, 1)]"),
        json!("fdad:3236:5555:1000::/52")
    );
    assert_eq!(eval("[cidrHost('10.144.3.0/24', 0)]"), json!("10.144.3.1"));
    assert_eq!(
        eval("[cidrHost('fdad:3236:5555:3000::/52', 4)]"),
        json!("fdad:3236:5555:3000::5")
    );
    assert!(eval_err("[cidrSubnet('10.0.0.0/24', 16, 0)]")
        .message
        .contains("'cidrSubnet'"));
    assert!(eval_err("[cidrHost('10.0.0.0/30', 2)]")
        .message
        .contains("'cidrHost'"));
    assert!(eval_err("[parseCidr('10.0.0.0')]")
        .message
        .contains("'parseCidr'"));
}

#[test]
fn date_functions() {
    assert_eq!(
        eval("[dateTimeAdd('2020-04-07 14:53:14Z', 'P3Y')]"),
        json!("2023-04-07T14:53:14Z")
    );
    assert_eq!(
        eval("[dateTimeAdd('2020-04-07T14:53:14Z', '-PT1H', 'yyyy-MM-dd HH')]"),
        json!("2020-04-07 13")
    );
    assert_eq!(
        eval("[dateTimeToEpoch('2023-02-02T00:00:00Z')]"),
        json!(1675296000)
    );
    assert_eq!(
        eval("[dateTimeFromEpoch(1675296000)]"),
        json!("2023-02-02T00:00:00Z")
    );
    assert!(eval_err("[dateTimeAdd('yesterday', 'P1D')]")
        .message
        .contains("'dateTimeAdd'"));
}
