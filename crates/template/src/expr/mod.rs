//! ARM's expression language: a JSON string `"[...]"` holds one expression made of function
//! calls, single-quoted strings, integers, `.property` and `[index]` access.

mod lexer;
mod parser;

use crate::error::{EvalResult, Fail};
use crate::limits::MAX_EXPRESSION_CHARS;

/// One node of a parsed expression. `pos` is the character offset in the JSON string (the
/// opening `[` is offset 0), so messages can point at the call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Str(String),
    Int(i64),
    Call {
        name: String,
        args: Vec<Expr>,
        pos: usize,
    },
    Member {
        target: Box<Expr>,
        name: String,
        pos: usize,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
        pos: usize,
    },
}

/// What a JSON string means.
#[derive(Debug, PartialEq)]
pub(crate) enum Text<'a> {
    /// Taken as written (a leading `[[` already reduced to `[`).
    Literal(std::borrow::Cow<'a, str>),
    Expression(Expr),
}

/// `[` ... `]` is an expression; `[[` ... escapes the bracket and leaves a literal.
pub(crate) fn classify(s: &str) -> EvalResult<Text<'_>> {
    if !(s.starts_with('[') && s.ends_with(']')) || s.len() < 2 {
        return Ok(Text::Literal(s.into()));
    }
    if s.starts_with("[[") {
        return Ok(Text::Literal(s[1..].to_string().into()));
    }
    let inner = &s[1..s.len() - 1];
    let chars = s.chars().count();
    if chars > MAX_EXPRESSION_CHARS {
        return Err(syntax_error(
            format!("The template language expression is {chars} characters long; the limit is {MAX_EXPRESSION_CHARS} characters."),
            0,
        ));
    }
    let tokens = lexer::lex(inner, 1)?;
    parser::parse(tokens, inner.chars().count() + 1).map(Text::Expression)
}

pub(crate) fn syntax_error(message: String, pos: usize) -> Fail {
    Fail::invalid(message).at_pos(pos)
}

impl Expr {
    /// Visits every call in the expression, outermost first.
    pub(crate) fn walk_calls<'e>(&'e self, f: &mut dyn FnMut(&'e str, &'e [Expr], usize)) {
        match self {
            Expr::Str(_) | Expr::Int(_) => {}
            Expr::Call { name, args, pos } => {
                f(name, args, *pos);
                for a in args {
                    a.walk_calls(f);
                }
            }
            Expr::Member { target, .. } => target.walk_calls(f),
            Expr::Index { target, index, .. } => {
                target.walk_calls(f);
                index.walk_calls(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expr(s: &str) -> Expr {
        match classify(s).unwrap() {
            Text::Expression(e) => e,
            other => panic!("not an expression: {other:?}"),
        }
    }

    fn call(name: &str, args: Vec<Expr>, pos: usize) -> Expr {
        Expr::Call {
            name: name.into(),
            args,
            pos,
        }
    }

    #[test]
    fn literals_and_escapes() {
        assert_eq!(classify("plain").unwrap(), Text::Literal("plain".into()));
        assert_eq!(classify("[[x]").unwrap(), Text::Literal("[x]".into()));
        assert_eq!(classify("[x").unwrap(), Text::Literal("[x".into()));
        assert_eq!(classify("x]").unwrap(), Text::Literal("x]".into()));
    }

    #[test]
    fn calls_strings_ints() {
        assert_eq!(
            expr("[concat('it''s', -3, 42)]"),
            call(
                "concat",
                vec![Expr::Str("it's".into()), Expr::Int(-3), Expr::Int(42)],
                1
            )
        );
        assert_eq!(expr("[ f ( ) ]"), call("f", vec![], 2));
    }

    #[test]
    fn member_and_index_chains() {
        let e = expr("[reference('a').ipConfigurations[0]['name']]");
        let Expr::Index { target, index, .. } = e else {
            panic!()
        };
        assert_eq!(*index, Expr::Str("name".into()));
        let Expr::Index { target, index, .. } = *target else {
            panic!()
        };
        assert_eq!(*index, Expr::Int(0));
        let Expr::Member { target, name, .. } = *target else {
            panic!()
        };
        assert_eq!(name, "ipConfigurations");
        assert_eq!(*target, call("reference", vec![Expr::Str("a".into())], 1));
    }

    fn error(s: &str) -> (String, Option<usize>) {
        match classify(s) {
            Err(Fail::Eval { message, pos, .. }) => (message, pos),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    fn nested_calls(n: usize) -> String {
        format!("[{}true(){}]", "not(".repeat(n - 1), ")".repeat(n - 1))
    }

    #[test]
    fn nesting_is_limited_for_calls_properties_and_indexes() {
        use crate::limits::MAX_EXPRESSION_DEPTH as MAX;
        assert!(classify(&nested_calls(MAX)).is_ok());
        let (m, _) = error(&nested_calls(MAX + 1));
        assert!(m.contains("nests more than 64 levels"), "{m}");
        // A hostile depth fails the same way, without exhausting the stack.
        let (m, _) = error(&nested_calls(4_000));
        assert!(m.contains("nests more than"), "{m}");
        let chain = |link: &str, n: usize| format!("[json('{{}}'){}]", link.repeat(n));
        assert!(classify(&chain(".a", MAX - 1)).is_ok());
        assert!(error(&chain(".a", MAX)).0.contains("nests more than"));
        // The index expression of the last link sits one level below it.
        assert!(classify(&chain("[0]", MAX - 2)).is_ok());
        assert!(error(&chain("[0]", MAX - 1)).0.contains("nests more than"));
        assert!(error(&chain(".a", 10_000)).0.contains("nests more than"));
        // An index counts the levels of its own expression below its link.
        let index = format!("[f()[{}]]", nested_calls(MAX - 1).trim_matches(['[', ']']));
        assert!(error(&index).0.contains("nests more than"));
    }

    #[test]
    fn length_is_limited_to_azures_24576_characters() {
        use crate::limits::MAX_EXPRESSION_CHARS as MAX;
        let at = format!("[concat('{}')]", "x".repeat(MAX - 12));
        assert_eq!(at.chars().count(), MAX);
        assert!(classify(&at).is_ok());
        let over = format!("[concat('{}')]", "x".repeat(MAX - 11));
        let (m, pos) = error(&over);
        assert!(m.contains("24577 characters long"), "{m}");
        assert_eq!(pos, Some(0));
    }

    #[test]
    fn syntax_errors_say_where() {
        let (m, pos) = error("[concat('a']");
        assert!(m.contains("expected"), "{m}");
        assert_eq!(pos, Some(11));
        let (m, pos) = error("[concat('a)]");
        assert!(m.contains("unterminated string"), "{m}");
        assert_eq!(pos, Some(8));
        let (_, pos) = error("[f() g()]");
        assert_eq!(pos, Some(5));
        let (m, _) = error("[]");
        assert!(m.contains("empty"), "{m}");
        let (m, pos) = error("[f(1.5)]");
        assert!(m.contains("1.5"), "{m}");
        assert_eq!(pos, Some(3));
        let (m, _) = error("[parameters]");
        assert!(m.contains("'('"), "{m}");
    }
}
