//! Every limit the template engine enforces, in one place, and the evaluation budget of one
//! deployment. A template is hostile input: nothing in it may exhaust the stack (every
//! recursive walk has a depth limit), the memory (every value has a size limit) or the time
//! (every deployment has a budget of steps and bytes) of the server. Where Azure documents a
//! limit it is Azure's (template limits: 256 parameters, 256 variables, 800 resources with
//! copies, 64 outputs, 24,576 characters in an expression, 4 MB once expanded); the others
//! are cerulean's and say so in their messages.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};

use serde_json::Value;

use crate::error::{EvalResult, Fail};

/// Azure: characters in one template expression.
pub const MAX_EXPRESSION_CHARS: usize = 24_576;
/// cerulean: how deeply calls, `.property` and `[index]` may nest inside one expression.
pub const MAX_EXPRESSION_DEPTH: usize = 64;
/// cerulean: how deeply the template and its parameters may nest as JSON (serde_json's
/// limit for a whole request body, which a template sits inside).
pub const MAX_JSON_DEPTH: usize = 128;
/// cerulean: how deeply a value computed by an expression may nest.
pub const MAX_VALUE_DEPTH: usize = 128;
/// cerulean: how deeply evaluation may nest, counting JSON levels, expression levels and
/// parameters or variables resolved through others. It keeps the stack bounded whatever
/// combination a template uses: a level takes about 4 KB of stack in a debug build (1 KB
/// in release), so the deepest evaluation fits well inside a thread's 2 MB.
pub const MAX_EVAL_DEPTH: usize = 256;
/// Azure: a template can't exceed 4 MB once expanded (copies, variable and parameter
/// values), so no single value may either.
pub const MAX_VALUE_BYTES: usize = 4 * 1024 * 1024;
/// Azure: the expanded template (variables and every resource instance's declaration) and,
/// separately, the parameters can't exceed 4 MB.
pub const MAX_TEMPLATE_BYTES: usize = 4 * 1024 * 1024;
/// Azure: parameters in a template.
pub const MAX_PARAMETERS: usize = 256;
/// Azure: variables in a template (a `copy` variable counts once).
pub const MAX_VARIABLES: usize = 256;
/// Azure: resources in a template, copies included.
pub const MAX_RESOURCES: usize = 800;
/// Azure: outputs in a template.
pub const MAX_OUTPUTS: usize = 64;
/// Azure: iterations of one copy loop.
pub const MAX_COPY: i64 = 800;
/// Azure: the count of `range()`.
pub const MAX_RANGE: i64 = 10_000;
/// cerulean: function calls, lambda iterations and copy iterations one deployment may
/// evaluate (planning, every body and the outputs together).
pub const MAX_STEPS: u64 = 2_000_000;
/// cerulean: bytes of values one deployment's expressions may produce in all.
pub const MAX_PRODUCED_BYTES: u64 = 1 << 30;
/// .NET: a composite format item's alignment must be below 1,000,000.
pub const MAX_FORMAT_WIDTH: usize = 999_999;
/// .NET Framework: the precision of a numeric format specifier (`D`, `X`, `F`, `N`).
pub const MAX_FORMAT_PRECISION: usize = 99;

/// What one deployment has spent: steps, bytes produced, and how deep evaluation is now.
/// Shared by planning and every later evaluation of the same plan (atomics only so that a
/// plan may be shared between threads; one evaluation runs on one thread).
#[derive(Debug, Default)]
pub(crate) struct Budget {
    steps: AtomicU64,
    bytes: AtomicU64,
    depth: AtomicUsize,
}

/// Leaves one level of evaluation when dropped.
pub(crate) struct Level<'a>(&'a AtomicUsize);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

impl Budget {
    /// One step of evaluation (a call, a lambda or copy iteration).
    pub(crate) fn step(&self) -> EvalResult<()> {
        let n = self.steps.fetch_add(1, Relaxed) + 1;
        if n > MAX_STEPS {
            return Err(Fail::invalid(format!(
                "The deployment exceeded cerulean's evaluation budget of {MAX_STEPS} steps (function calls and loop iterations); simplify the template."
            )));
        }
        Ok(())
    }

    /// `n` steps at once: work a function does in proportion to its inputs (comparisons,
    /// scans) that no call or iteration counts.
    pub(crate) fn charge(&self, n: usize) -> EvalResult<()> {
        self.steps
            .fetch_add((n as u64).saturating_sub(1).min(MAX_STEPS), Relaxed);
        self.step()
    }

    /// Enters one level of evaluation; the level is left when the guard drops.
    pub(crate) fn enter(&self) -> EvalResult<Level<'_>> {
        let level = Level(&self.depth);
        if self.depth.fetch_add(1, Relaxed) + 1 > MAX_EVAL_DEPTH {
            return Err(Fail::invalid(format!(
                "The template nests too deeply: evaluation reached cerulean's limit of {MAX_EVAL_DEPTH} levels (JSON, expressions, and parameters or variables that use others)."
            )));
        }
        Ok(level)
    }

    /// Checks a value that was produced (its size and depth) and counts its bytes against
    /// the deployment's budget. Returns its size.
    pub(crate) fn produced(&self, v: &Value) -> EvalResult<usize> {
        let size = measure(v)?;
        let total = self.bytes.fetch_add(size as u64, Relaxed) + size as u64;
        if total > MAX_PRODUCED_BYTES {
            return Err(Fail::invalid(format!(
                "The deployment exceeded cerulean's evaluation budget of {MAX_PRODUCED_BYTES} bytes of values produced by expressions; simplify the template."
            )));
        }
        Ok(size)
    }
}

pub(crate) fn too_large(bytes: usize) -> Fail {
    Fail::invalid(too_large_text(bytes))
}

pub(crate) fn too_large_text(bytes: usize) -> String {
    format!(
        "The result would be {bytes} bytes long, more than the {MAX_VALUE_BYTES} bytes a template value may have (a template can't exceed 4 MB once expanded)."
    )
}

fn too_deep(max: usize) -> Fail {
    Fail::invalid(format!(
        "The value nests more than {max} levels deep, cerulean's limit for a template value."
    ))
}

/// The approximate size of `v` as compact JSON, refused when larger than
/// [`MAX_VALUE_BYTES`] or deeper than [`MAX_VALUE_DEPTH`]. Stops early either way, so the
/// walk itself is bounded.
pub(crate) fn measure(v: &Value) -> EvalResult<usize> {
    measure_within(v, MAX_VALUE_DEPTH)
}

/// [`measure`] for JSON that may nest up to `max_depth` (template declarations).
pub(crate) fn measure_within(v: &Value, max_depth: usize) -> EvalResult<usize> {
    let mut size = 0usize;
    walk(v, 0, max_depth, &mut size)?;
    Ok(size)
}

fn walk(v: &Value, depth: usize, max_depth: usize, size: &mut usize) -> EvalResult<()> {
    *size += match v {
        Value::Null => 4,
        Value::Bool(_) => 5,
        Value::Number(_) => 8,
        Value::String(s) => s.len() + 2,
        Value::Array(a) => 1 + a.len(),
        Value::Object(o) => 1 + o.len(),
    };
    if *size > MAX_VALUE_BYTES {
        return Err(too_large(*size));
    }
    let children: Box<dyn Iterator<Item = (usize, &Value)>> = match v {
        Value::Array(a) => Box::new(a.iter().map(|x| (0, x))),
        Value::Object(o) => Box::new(o.iter().map(|(k, x)| (k.len() + 3, x))),
        _ => return Ok(()),
    };
    if depth >= max_depth {
        return Err(too_deep(max_depth));
    }
    for (key, child) in children {
        *size += key;
        walk(child, depth + 1, max_depth, size)?;
    }
    Ok(())
}

/// How deeply a JSON document nests, found without recursion (the input may be anything a
/// request body can hold). Stops counting past `limit`.
pub(crate) fn json_depth(v: &Value, limit: usize) -> usize {
    let mut deepest = 0;
    let mut stack: Vec<(&Value, usize)> = vec![(v, 1)];
    while let Some((v, d)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(a) => Box::new(a.iter()),
            Value::Object(o) => Box::new(o.values()),
            _ => continue,
        };
        deepest = deepest.max(d);
        if deepest > limit {
            return deepest;
        }
        stack.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn nested(depth: usize) -> Value {
        let mut v = json!(1);
        for _ in 0..depth {
            v = Value::Array(vec![v]);
        }
        v
    }

    #[test]
    fn sizes_approximate_compact_json() {
        for v in [
            json!(null),
            json!("abc"),
            json!([1, "x", {"k": true}]),
            json!({"a": {"b": [1, 2, 3]}, "c": "d"}),
        ] {
            let text = v.to_string().len();
            let m = measure(&v).unwrap();
            assert!(m >= text / 2 && m <= text * 2, "{v}: {m} vs {text}");
        }
    }

    #[test]
    fn values_at_the_depth_limit_pass_and_deeper_ones_fail() {
        assert!(measure(&nested(MAX_VALUE_DEPTH)).is_ok());
        let Err(Fail::Eval { message, .. }) = measure(&nested(MAX_VALUE_DEPTH + 1)) else {
            panic!("too deep a value was accepted");
        };
        assert!(message.contains("128 levels"), "{message}");
    }

    #[test]
    fn values_at_the_size_limit_pass_and_larger_ones_fail() {
        let at = Value::String("x".repeat(MAX_VALUE_BYTES - 2));
        assert_eq!(measure(&at).unwrap(), MAX_VALUE_BYTES);
        let over = Value::String("x".repeat(MAX_VALUE_BYTES - 1));
        assert!(measure(&over).is_err());
    }

    #[test]
    fn json_depth_counts_containers_without_recursing() {
        assert_eq!(json_depth(&json!(1), 10), 0);
        assert_eq!(json_depth(&json!({"a": [1]}), 10), 2);
        let deep = nested(100_000);
        assert_eq!(json_depth(&deep, MAX_JSON_DEPTH), MAX_JSON_DEPTH + 1);
        // A deep value must not be dropped recursively on a test thread either.
        std::mem::forget(deep);
    }

    #[test]
    fn levels_are_counted_and_left() {
        let b = Budget::default();
        {
            let _guards: Vec<_> = (0..MAX_EVAL_DEPTH).map(|_| b.enter().unwrap()).collect();
            assert!(b.enter().is_err());
        }
        assert!(b.enter().is_ok());
    }
}
