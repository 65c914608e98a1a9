//! Hostile templates: nesting that would exhaust the stack, values that would exhaust the
//! memory, loops that would exhaust the time. Each is refused with `InvalidTemplate` and a
//! message that says which limit and where; each limit is tried at its value and past it.

use cerulean_template::limits::*;
use serde_json::{json, Map, Value};

use super::{eval, eval_err, eval_with, must_plan, plan_err, try_plan};

fn with_variables(vars: Value) -> Value {
    json!({"contentVersion": "1.0.0.0", "variables": vars, "resources": []})
}

fn invalid(e: &cerulean_template::TemplateError, needle: &str) {
    assert_eq!(e.code, "InvalidTemplate", "{e:?}");
    assert!(
        e.message.contains(needle),
        "'{needle}' not in: {}",
        e.message
    );
}

/// The error of evaluating `expr` with the template sections in `extra`; a success is a
/// failure of the test, reported without the (possibly huge) value.
fn fails(extra: &Value, expr: impl Into<Value>) -> cerulean_template::TemplateError {
    let expr = expr.into();
    let shown: String = expr.to_string().chars().take(200).collect();
    match eval_with(extra.clone(), expr) {
        Ok(v) => panic!(
            "{shown} should have failed; it made {} bytes",
            v.to_string().len()
        ),
        Err(e) => e,
    }
}

fn nested(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("[{}{inner}{}]", open.repeat(n), close.repeat(n))
}

#[test]
fn deep_expressions_from_the_issue_are_refused_without_harm() {
    // Those longer than Azure's 24,576 characters fail on their length first.
    for (expr, why) in [
        (
            nested("not(", "true()", ")", 10_000),
            "characters long; the limit is 24576",
        ),
        (
            nested("concat(", "'a'", ")", 2_000),
            "nests more than 64 levels",
        ),
        (nested("createArray(", "1", ")", 3_000), "characters long"),
        (
            format!("[createArray(1){}]", "[0]".repeat(10_000)),
            "characters long",
        ),
        (
            format!("[json('{{}}'){}]", ".a".repeat(10_000)),
            "nests more than 64 levels",
        ),
        (
            nested("not(", "true()", ")", 4_000),
            "nests more than 64 levels",
        ),
        (
            nested("createArray(", "1", ")", 1_500),
            "nests more than 64 levels",
        ),
        (
            format!("[createArray(1){}]", "[0]".repeat(8_000)),
            "nests more than 64 levels",
        ),
    ] {
        let e = eval_err(&expr);
        invalid(&e, why);
        assert_eq!(e.target.as_deref(), Some("resources[0].properties.v"));
    }
}

#[test]
fn expressions_at_the_depth_limit_evaluate() {
    let n = MAX_EXPRESSION_DEPTH - 1;
    // `not` applied n times to true.
    assert_eq!(
        eval(&nested("not(", "true()", ")", n)),
        json!(n.is_multiple_of(2))
    );
    assert_eq!(eval(&nested("concat(", "'a'", ")", n)), json!("a"));
}

/// A chain of variables, each the next one (resolved first, so the whole chain nests):
/// every link is a few levels of evaluation.
fn chain(n: usize) -> Value {
    let mut vars = Map::new();
    for i in 0..n - 1 {
        vars.insert(format!("v{i}"), json!(format!("[variables('v{}')]", i + 1)));
    }
    vars.insert(format!("v{}", n - 1), json!("end"));
    with_variables(Value::Object(vars))
}

#[test]
fn evaluation_depth_is_limited_across_variables() {
    // 4 levels a link (resolution, JSON, expression, call): well inside the limit...
    assert!(try_plan(chain(50), Value::Null).is_ok());
    // ...and refused once the chain passes it, on a test thread's ordinary stack.
    let e = plan_err(chain(MAX_VARIABLES), Value::Null);
    invalid(&e, "nests too deeply");
}

fn deep_json(depth: usize) -> Value {
    let mut v = json!("leaf");
    for _ in 0..depth {
        v = json!({ "a": v });
    }
    v
}

#[test]
fn template_json_depth_is_limited() {
    // The template object and its `variables` object are two levels.
    let at = with_variables(json!({ "deep": deep_json(MAX_JSON_DEPTH - 2) }));
    assert!(try_plan(at, Value::Null).is_ok());
    let over = with_variables(json!({ "deep": deep_json(MAX_JSON_DEPTH - 1) }));
    invalid(
        &plan_err(over, Value::Null),
        "template nests more than 128 levels",
    );
    let t = json!({"contentVersion": "1.0.0.0", "parameters": {"p": {"type": "object"}}, "resources": []});
    let params = json!({"p": {"value": deep_json(MAX_JSON_DEPTH)}});
    invalid(
        &plan_err(t, params),
        "parameter 'p' nests more than 128 levels",
    );
}

#[test]
fn computed_values_may_not_nest_deeper_than_the_limit() {
    let grow = "[reduce(range(0, LIMIT), createArray(), lambda('a', 'i', createArray(lambdaVariables('a'))))]";
    assert!(eval_with(
        Value::Null,
        json!(grow.replace("LIMIT", &(MAX_VALUE_DEPTH - 1).to_string()))
    )
    .is_ok());
    let e = fails(&Value::Null, grow.replace("LIMIT", "10000"));
    invalid(&e, "nests more than 128 levels");
}

#[test]
fn pad_left_of_a_billion_is_refused_before_it_is_built() {
    let e = eval_err("[padLeft('x', 1000000000, 'y')]");
    invalid(&e, "'padLeft'");
    invalid(&e, "1000000000 bytes long, more than the 4194304 bytes");
    // A string's size counts its two quotes.
    let at = format!("[padLeft('x', {}, 'y')]", MAX_VALUE_BYTES - 2);
    assert!(try_plan(with_variables(json!({ "p": at })), Value::Null).is_ok());
}

#[test]
fn doubling_variables_stop_at_the_value_limit() {
    let mut vars = Map::new();
    vars.insert("v0".into(), json!("0123456789abcdef"));
    for i in 1..30 {
        vars.insert(
            format!("v{i}"),
            json!(format!(
                "[concat(variables('v{0}'), variables('v{0}'))]",
                i - 1
            )),
        );
    }
    // The variables together reach 4 MB before any one of them does.
    let e = plan_err(with_variables(Value::Object(vars)), Value::Null);
    invalid(&e, "variables add up to more than 4194304 bytes");
    assert!(e.message.contains("variables.v17"), "{}", e.message);
    // One variable doubling itself stops at the value limit.
    let one = json!({"d": "[reduce(range(0, 30), 'ab', lambda('s', 'i', concat(lambdaVariables('s'), lambdaVariables('s'))))]"});
    let e = plan_err(with_variables(one), Value::Null);
    invalid(&e, "'concat'");
    invalid(&e, "more than the 4194304 bytes");
    assert_eq!(e.target.as_deref(), Some("variables.d"));
}

#[test]
fn every_growing_function_is_bounded() {
    let big = json!({"variables": {"big": "[padLeft('', 3000000, 'x')]"}});
    for (expr, function) in [
        ("[replace(variables('big'), 'x', 'xx')]", "'replace'"),
        (
            "[format('{0,999999}{0,999999}{0,999999}{0,999999}{0,999999}', 1)]",
            "'format'",
        ),
        (
            "[base64(concat(variables('big'), variables('big')))]",
            "'concat'",
        ),
        (
            "[createArray(variables('big'), variables('big'))]",
            "'createArray'",
        ),
        (
            "[union(createArray(variables('big')), createArray(concat(variables('big'), 'y')))]",
            "'union'",
        ),
        (
            "[map(range(0, 10000), lambda('i', variables('big')))]",
            "'map'",
        ),
        (
            "[string(createArray(variables('big'), variables('big')))]",
            "'createArray'",
        ),
    ] {
        let e = fails(&big, expr);
        invalid(&e, function);
        invalid(&e, "bytes a template value may have");
    }
    let spaces = json!({"variables": {"s": "[padLeft('', 1500000, ' ')]"}});
    invalid(
        &fails(&spaces, "[uriComponent(variables('s'))]"),
        "'uriComponent'",
    );
    let mid = json!({"variables": {"big": "[padLeft('', 1500000, 'x')]"}});
    let join = "[join(createArray(variables('big'), variables('big')), variables('big'))]";
    invalid(&fails(&mid, join), "'join'");
    let e = eval_err("[format('{0,1000000}', 1)]");
    invalid(&e, "must be less than 1000000");
    let e = eval_err("[format('{0:D100}', 1)]");
    invalid(&e, "not supported");
    assert_eq!(
        eval("[format('{0:D99}', 1)]").as_str().map(str::len),
        Some(99)
    );
    let e = eval_err("[range(0, 10001)]");
    invalid(&e, "between 0 and 10000");
}

#[test]
fn property_copies_and_literal_arrays_are_bounded_while_they_grow() {
    let big = json!({"variables": {"big": "[padLeft('', 1000000, 'x')]"}});
    let copies = json!({"copy": [{"name": "items", "count": 800, "input": "[variables('big')]"}]});
    let e = fails(&big, copies);
    invalid(&e, "bytes a template value may have");
    let literal = json!(vec!["[variables('big')]"; 10]);
    let e = fails(&big, literal);
    invalid(&e, "bytes a template value may have");
}

#[test]
fn the_step_budget_stops_runaway_loops() {
    let e = eval_err(
        "[reduce(range(0, 10000), 0, lambda('a', 'i', reduce(range(0, 10000), 0, lambda('b', 'j', 1))))]",
    );
    invalid(&e, "evaluation budget of 2000000 steps");
    // Quadratic work inside one function is charged too.
    let e = eval_err(
        "[length(union(split(padLeft('', 1000000, ','), ','), split(padLeft('', 1000000, ';'), ';')))]",
    );
    invalid(&e, "evaluation budget");
}

#[test]
fn azures_counts_are_enforced() {
    let vars: Map<String, Value> = (0..=MAX_VARIABLES)
        .map(|i| (format!("v{i}"), json!(i)))
        .collect();
    invalid(
        &plan_err(with_variables(Value::Object(vars)), Value::Null),
        "257 variables; the limit is 256",
    );
    let params: Map<String, Value> = (0..=MAX_PARAMETERS)
        .map(|i| (format!("p{i}"), json!({"type": "int", "defaultValue": i})))
        .collect();
    let t = json!({"contentVersion": "1.0.0.0", "parameters": params, "resources": []});
    invalid(
        &plan_err(t, Value::Null),
        "257 parameters; the limit is 256",
    );
    let outputs: Map<String, Value> = (0..=MAX_OUTPUTS)
        .map(|i| (format!("o{i}"), json!({"type": "int", "value": i})))
        .collect();
    let t = json!({"contentVersion": "1.0.0.0", "resources": [], "outputs": outputs});
    invalid(&plan_err(t, Value::Null), "65 outputs; the limit is 64");
}

fn copies(count: usize, resources: usize, filler: usize) -> Value {
    let one = |i: usize| {
        json!({
            "type": "Microsoft.Test/things",
            "name": format!("[concat('t{i}-', copyIndex())]"),
            "apiVersion": "2020-01-01",
            "copy": {"name": format!("l{i}"), "count": count},
            "properties": {"filler": "x".repeat(filler)},
        })
    };
    json!({"contentVersion": "1.0.0.0", "resources": (0..resources).map(one).collect::<Vec<_>>()})
}

#[test]
fn resources_and_their_expansion_are_limited() {
    assert_eq!(must_plan(copies(400, 2, 10)).resources.len(), MAX_RESOURCES);
    invalid(
        &plan_err(copies(401, 2, 10), Value::Null),
        "more than 800 resources",
    );
    invalid(
        &plan_err(copies(801, 1, 10), Value::Null),
        "must be between 0 and 800",
    );
    // 800 copies of a 10 KB declaration would be 8 MB once expanded.
    invalid(
        &plan_err(copies(800, 1, 10_000), Value::Null),
        "4 MB once expanded",
    );
}

#[test]
fn variables_together_are_limited_to_4_mb() {
    let vars: Map<String, Value> = (0..3)
        .map(|i| {
            (
                format!("v{i}"),
                json!(format!("[padLeft('', 2000000, '{i}')]")),
            )
        })
        .collect();
    let e = plan_err(with_variables(Value::Object(vars)), Value::Null);
    invalid(&e, "variables add up to more than 4194304 bytes");
}
