//! ARM's expression language: a JSON string `"[...]"` holds one expression made of function
//! calls, single-quoted strings, integers, `.property` and `[index]` access.

mod lexer;
mod parser;

use crate::error::{EvalResult, Fail};

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
