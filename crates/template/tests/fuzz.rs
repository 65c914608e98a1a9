//! Property tests in place of a fuzzer (`cargo fuzz` needs a nightly toolchain CI does not
//! have): random expressions, well formed or not, are planned and evaluated. Whatever they
//! are, nothing panics, and what comes out is within the limits. A short run is part of the
//! normal tests; `CERULEAN_FUZZ_CASES=100000 cargo test -p cerulean-template --test fuzz`
//! runs a long one.

use cerulean_template::limits::MAX_VALUE_BYTES;
use cerulean_template::{plan, NoResources, Scope};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn config() -> ProptestConfig {
    let cases = std::env::var("CERULEAN_FUZZ_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn scope() -> Scope {
    Scope {
        subscription_id: "00000000-0000-0000-0000-000000000001".into(),
        subscription_name: "s".into(),
        tenant_id: "t".into(),
        resource_group: "rg".into(),
        resource_group_location: "eastus".into(),
        resource_group_tags: Map::new(),
        deployment_name: "d".into(),
        subscription_location: None,
    }
}

const FUNCTIONS: &[&str] = &[
    "concat",
    "format",
    "string",
    "toLower",
    "toUpper",
    "split",
    "join",
    "replace",
    "substring",
    "startsWith",
    "endsWith",
    "trim",
    "padLeft",
    "indexOf",
    "lastIndexOf",
    "uniqueString",
    "guid",
    "base64",
    "base64ToString",
    "base64ToJson",
    "dataUri",
    "dataUriToString",
    "uri",
    "uriComponent",
    "uriComponentToString",
    "length",
    "contains",
    "empty",
    "first",
    "last",
    "union",
    "intersection",
    "createArray",
    "createObject",
    "take",
    "skip",
    "range",
    "array",
    "items",
    "json",
    "coalesce",
    "null",
    "flatten",
    "objectKeys",
    "shallowMerge",
    "tryGet",
    "parseCidr",
    "cidrSubnet",
    "cidrHost",
    "dateTimeAdd",
    "dateTimeToEpoch",
    "dateTimeFromEpoch",
    "not",
    "equals",
    "bool",
    "true",
    "false",
    "greater",
    "less",
    "add",
    "sub",
    "mul",
    "div",
    "mod",
    "int",
    "min",
    "max",
    "if",
    "and",
    "or",
    "map",
    "filter",
    "reduce",
    "sort",
    "toObject",
    "mapValues",
    "groupBy",
    "lambda",
    "lambdaVariables",
    "parameters",
    "variables",
    "copyIndex",
    "resourceGroup",
    "subscription",
    "deployment",
    "resourceId",
    "reference",
    "listKeys",
    "noSuchFunction",
];

fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(i64::MAX),
            Just(i64::MIN),
            Just(1_000_000_000)
        ]
        .prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "''",
            "'a'",
            "'x,y'",
            "'{0}'",
            "'{0,5:D3}'",
            "'P1D'",
            "'-PT1H'",
            "'10.0.0.0/8'",
            "'::/0'",
            "'2020-01-01T00:00:00Z'",
            "'{\"a\":[1]}'",
            "'YQ=='",
            "'%41'",
            "'p'",
            "'v'",
            "'i'",
            "'http://x/y'",
            "'ü'",
            "'9999999999999999999999'",
        ])
        .prop_map(str::to_string),
    ]
}

/// A well-formed expression: function calls nested a few levels, with literals.
fn expression() -> impl Strategy<Value = String> {
    literal().prop_recursive(4, 48, 4, |inner| {
        (
            prop::sample::select(FUNCTIONS),
            prop::collection::vec(inner, 0..4),
            prop::collection::vec(
                prop::sample::select(vec![".a", "[0]", "['k']", ".length"]),
                0..2,
            ),
        )
            .prop_map(|(f, args, tail)| format!("{f}({}){}", args.join(", "), tail.concat()))
    })
}

/// Anything made of the language's tokens, mostly ill-formed.
fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(FUNCTIONS).prop_map(str::to_string),
            literal(),
            prop::sample::select(vec![
                "(", ")", "[", "]", ",", ".", "'", " ", "-", "1.5", "$", "''"
            ])
            .prop_map(str::to_string),
        ],
        0..40,
    )
    .prop_map(|t| t.concat())
}

/// Plans a template using `expr` in a parameter default, a variable, a resource property
/// and an output, then evaluates the body and the outputs.
fn exercise(expr: &str) {
    let text = format!("[{expr}]");
    let template = json!({
        "contentVersion": "1.0.0.0",
        "parameters": {"p": {"type": "string", "defaultValue": "a,b"}},
        "variables": {"v": text.clone(), "w": [1, "two", {"k": true}]},
        "resources": [{
            "type": "Microsoft.Test/things", "name": "t", "apiVersion": "2020-01-01",
            "properties": {"x": text.clone()},
        }, {
            // A nested deployment in outer scope: its template gets the parent's symbols.
            "type": "Microsoft.Resources/deployments", "name": "n", "apiVersion": "2022-09-01",
            "properties": {"mode": "Incremental", "parameters": {"a": {"value": text.clone()}},
                "template": {"resources": [{"type": "Microsoft.Test/things", "name": text.clone(), "apiVersion": "2020-01-01"}]}},
        }],
        "outputs": {"o": {"type": "object", "value": {"x": text}}},
    });
    let Ok(p) = plan(&template, &Map::new(), &scope()) else {
        return;
    };
    if let Ok(body) = p.body(0, &NoResources) {
        assert!(body.to_string().len() <= 2 * MAX_VALUE_BYTES);
    }
    if let Ok(body) = p.body(1, &NoResources) {
        assert_eq!(
            body["properties"]["template"]["variables"]["v"],
            json!(text)
        );
    }
    if let Ok(out) = p.outputs(&NoResources) {
        assert!(Value::Object(out).to_string().len() <= 2 * MAX_VALUE_BYTES);
    }
    // The same expression in a languageVersion 2.0 template: symbols, existing, $ref.
    let v2 = json!({
        "languageVersion": "2.0",
        "definitions": {"t": {"type": "string"}},
        "parameters": {"p": {"$ref": "#/definitions/t", "defaultValue": "a,b"}},
        "resources": {
            "e": {"existing": true, "type": "Microsoft.Test/things", "apiVersion": "2020-01-01", "name": text.clone()},
            "t": {"type": "Microsoft.Test/things", "apiVersion": "2020-01-01", "name": "t",
                  "dependsOn": ["e"], "properties": {"x": text.clone(), "i": "[resourceInfo('e')]"}}
        },
        "outputs": {"o": {"$ref": "#/definitions/t", "value": text}},
    });
    if let Ok(p) = plan(&v2, &Map::new(), &scope()) {
        for i in 0..p.resources.len() {
            let _ = p.body(i, &NoResources);
        }
        let _ = p.outputs(&NoResources);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn well_formed_expressions_never_panic(expr in expression()) {
        exercise(&expr);
    }

    #[test]
    fn token_soup_never_panics(expr in token_soup()) {
        exercise(&expr);
    }
}
