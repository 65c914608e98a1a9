//! The template functions, one module per family. Names are case-insensitive.

mod cidr;
mod collections;
mod dates;
mod deployment;
mod encoding;
mod format;
mod hash;
mod lambda;
mod logic;
mod numeric;
mod resource;
mod strings;

use serde_json::{Map, Value};

pub(crate) use deployment::not_here;

use crate::error::{EvalResult, Fail};
use crate::eval::{self, Ctx};
use crate::expr::Expr;
use crate::limits::{measure, too_large_text, MAX_VALUE_BYTES};
use crate::value::{as_int, type_name};

type Func = fn(&Args, &Ctx) -> EvalResult<Value>;

/// Functions whose arguments are evaluated only when needed (`if` evaluates one branch).
const LAZY: &[&str] = &["if", "and", "or"];

/// Evaluates the call `name(args)` that sits at character `pos` of its string.
pub(crate) fn call(name: &str, args: &[Expr], pos: usize, ctx: &Ctx) -> EvalResult<Value> {
    ctx.budget.step().map_err(|f| f.at_pos(pos))?;
    let lower = name.to_ascii_lowercase();
    let result = match lower.as_str() {
        "if" => logic::lazy_if(args, ctx),
        "and" => logic::lazy_and_or(name, args, ctx, true),
        "or" => logic::lazy_and_or(name, args, ctx, false),
        l if lambda::LAMBDA_FUNCTIONS.contains(&l) => lambda::call(l, name, args, ctx),
        "lambda" => Err(Fail::invalid(
            "The template function 'lambda' can only be used as an argument of map, filter, reduce, sort, toObject, mapValues or groupBy. Please see https://aka.ms/arm-template-lambda for usage details.",
        )),
        "lambdavariables" => {
            let values = args.iter().map(|a| eval::expr(a, ctx)).collect::<EvalResult<Vec<_>>>()?;
            lambda::lambda_variables(name, &values, ctx)
        }
        // `namespace.member`: one of the template's user-defined functions.
        l if l.contains('.') => {
            let f = ctx.world.functions.get(l).ok_or_else(|| unknown(name))?;
            let values = args
                .iter()
                .map(|a| eval::expr(a, ctx))
                .collect::<EvalResult<Vec<_>>>()?;
            crate::udf::call(f, values, ctx)
        }
        _ => {
            let f = lookup(&lower).ok_or_else(|| unknown(name))?;
            let values = args
                .iter()
                .map(|a| eval::expr(a, ctx))
                .collect::<EvalResult<Vec<_>>>()?;
            f(&Args { name, values }, ctx)
        }
    };
    // Every result is checked (size, depth) and counted against the deployment's budget.
    let result = result.and_then(|v| match ctx.budget.produced(&v) {
        Ok(_) => Ok(v),
        Err(Fail::Eval { message, .. }) => Err(Fail::invalid(format!(
            "Unable to evaluate template language function '{name}': {message}"
        ))),
        Err(f) => Err(f),
    });
    result.map_err(|f| f.at_pos(pos))
}

pub(crate) fn unknown(name: &str) -> Fail {
    Fail::invalid(format!(
        "The template function '{name}' is not valid. Please see https://aka.ms/arm-functions for usage details."
    ))
}

/// Whether `name` is a template function cerulean knows (performs or reports as not
/// implemented).
pub(crate) fn is_known(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    LAZY.contains(&lower.as_str())
        || lambda::LAMBDA_FUNCTIONS.contains(&lower.as_str())
        || lower == "lambda"
        || lower == "lambdavariables"
        || lookup(&lower).is_some()
}

/// Functions that need a live resource provider: known, never performed (NotImplemented).
pub(crate) fn is_unperformed(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("list")
        || matches!(
            lower.as_str(),
            "providers" | "pickzones" | "managementgroup" | "managementgroupresourceid"
        )
}

fn lookup(lower: &str) -> Option<Func> {
    let f: Func = match lower {
        "parameters" => deployment::parameters,
        "variables" => deployment::variables,
        "resourcegroup" => deployment::resource_group,
        "subscription" => deployment::subscription,
        "tenant" => deployment::tenant,
        "deployment" => deployment::deployment,
        "environment" => deployment::environment,
        "copyindex" => deployment::copy_index,
        "utcnow" => deployment::utc_now,
        "newguid" => deployment::new_guid,

        "resourceid" => resource::resource_id,
        "subscriptionresourceid" => resource::subscription_resource_id,
        "tenantresourceid" => resource::tenant_resource_id,
        "extensionresourceid" => resource::extension_resource_id,
        "reference" => resource::reference,
        "resourceinfo" => resource::resource_info,
        l if is_unperformed(l) => resource::not_supported,

        "concat" => strings::concat,
        "format" => format::format,
        "string" => strings::string,
        "tolower" => strings::to_lower,
        "toupper" => strings::to_upper,
        "split" => strings::split,
        "join" => strings::join,
        "replace" => strings::replace,
        "substring" => strings::substring,
        "startswith" => strings::starts_with,
        "endswith" => strings::ends_with,
        "trim" => strings::trim,
        "padleft" => strings::pad_left,
        "indexof" => strings::index_of,
        "lastindexof" => strings::last_index_of,
        "uniquestring" => hash::unique_string_fn,
        "guid" => hash::guid_fn,
        "base64" => encoding::base64,
        "base64tostring" => encoding::base64_to_string,
        "base64tojson" => encoding::base64_to_json,
        "datauri" => encoding::data_uri,
        "datauritostring" => encoding::data_uri_to_string,
        "uri" => encoding::uri,
        "uricomponent" => encoding::uri_component,
        "uricomponenttostring" => encoding::uri_component_to_string,

        "length" => collections::length,
        "contains" => collections::contains,
        "empty" => collections::empty,
        "first" => collections::first,
        "last" => collections::last,
        "union" => collections::union,
        "intersection" => collections::intersection,
        "createarray" => collections::create_array,
        "createobject" => collections::create_object,
        "take" => collections::take,
        "skip" => collections::skip,
        "range" => collections::range,
        "array" => collections::array,
        "items" => collections::items,
        "json" => collections::json,
        "coalesce" => collections::coalesce,
        "null" => collections::null,
        "flatten" => collections::flatten,
        "objectkeys" => collections::object_keys,
        "shallowmerge" => collections::shallow_merge,
        "tryget" => collections::try_get,

        "parsecidr" => cidr::parse_cidr,
        "cidrsubnet" => cidr::cidr_subnet,
        "cidrhost" => cidr::cidr_host,

        "datetimeadd" => dates::date_time_add,
        "datetimetoepoch" => dates::date_time_to_epoch,
        "datetimefromepoch" => dates::date_time_from_epoch,

        "not" => logic::not,
        "equals" => logic::equals,
        "bool" => logic::bool,
        "true" => logic::true_,
        "false" => logic::false_,
        "greater" => logic::greater,
        "greaterorequals" => logic::greater_or_equals,
        "less" => logic::less,
        "lessorequals" => logic::less_or_equals,

        "add" => numeric::add,
        "sub" => numeric::sub,
        "mul" => numeric::mul,
        "div" => numeric::div,
        "mod" => numeric::modulo,
        "int" => numeric::int,
        "min" => numeric::min,
        "max" => numeric::max,
        _ => return None,
    };
    Some(f)
}

/// A call's evaluated arguments, with checks that name the function in their messages.
pub(crate) struct Args<'a> {
    pub name: &'a str,
    pub values: Vec<Value>,
}

impl Args<'_> {
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    pub(crate) fn fail(&self, detail: impl std::fmt::Display) -> Fail {
        Fail::invalid(format!(
            "Unable to evaluate template language function '{}': {detail} Please see https://aka.ms/arm-functions for usage details.",
            self.name
        ))
    }

    /// Between `min` and `max` (inclusive) arguments.
    pub(crate) fn arity(&self, min: usize, max: Option<usize>) -> EvalResult<()> {
        let n = self.values.len();
        let ok = n >= min && max.is_none_or(|m| n <= m);
        if ok {
            return Ok(());
        }
        let expected = match max {
            Some(m) if m == min => format!("must have {min} parameter(s)"),
            Some(m) if n > m => format!("must have at most {m} parameter(s)"),
            _ => format!("must have at least {min} parameter(s)"),
        };
        Err(Fail::invalid(format!(
            "The template language function '{}' {expected}, but {n} were provided. Please see https://aka.ms/arm-functions for usage details.",
            self.name
        )))
    }

    /// Refuses, before it is built, a result of `bytes` bytes.
    pub(crate) fn reserve(&self, bytes: usize) -> EvalResult<()> {
        if bytes > MAX_VALUE_BYTES {
            return Err(self.fail(too_large_text(bytes)));
        }
        Ok(())
    }

    /// Refuses, before it is built, a result made of the arguments from `from` on: what
    /// `concat`, `union`, `createArray` and the like return is no larger than them together.
    pub(crate) fn inputs_fit(&self, from: usize) -> EvalResult<()> {
        let mut total = 0usize;
        for v in self.values.iter().skip(from) {
            let size = measure(v).map_err(|f| match f {
                Fail::Eval { message, .. } => self.fail(message),
                done => done,
            })?;
            total = total.saturating_add(size);
            self.reserve(total)?;
        }
        Ok(())
    }

    pub(crate) fn exactly(&self, n: usize) -> EvalResult<()> {
        self.arity(n, Some(n))
    }

    pub(crate) fn type_error(&self, i: usize, expected: &str) -> Fail {
        Fail::invalid(format!(
            "The template language function '{}' expects its parameter{} to be of type '{expected}'. The provided value is of type '{}'. Please see https://aka.ms/arm-functions for usage details.",
            self.name,
            if self.values.len() > 1 { format!(" {}", i + 1) } else { String::new() },
            type_name(&self.values[i])
        ))
    }

    pub(crate) fn str(&self, i: usize) -> EvalResult<&str> {
        self.values[i]
            .as_str()
            .ok_or_else(|| self.type_error(i, "String"))
    }

    pub(crate) fn int(&self, i: usize) -> EvalResult<i64> {
        as_int(&self.values[i]).ok_or_else(|| self.type_error(i, "Integer"))
    }

    pub(crate) fn array(&self, i: usize) -> EvalResult<&Vec<Value>> {
        self.values[i]
            .as_array()
            .ok_or_else(|| self.type_error(i, "Array"))
    }

    pub(crate) fn object(&self, i: usize) -> EvalResult<&Map<String, Value>> {
        self.values[i]
            .as_object()
            .ok_or_else(|| self.type_error(i, "Object"))
    }

    pub(crate) fn boolean(&self, i: usize) -> EvalResult<bool> {
        self.values[i]
            .as_bool()
            .ok_or_else(|| self.type_error(i, "Boolean"))
    }
}
