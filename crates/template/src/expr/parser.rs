//! Recursive descent over the tokens: `call := name '(' args ')'`, then any chain of
//! `.name` and `[expr]`.

use super::lexer::Tok;
use super::{syntax_error, Expr};
use crate::error::EvalResult;
use crate::limits::MAX_EXPRESSION_DEPTH;

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    /// Offset just past the text, for "ended too early" messages.
    end: usize,
}

pub(super) fn parse(toks: Vec<(Tok, usize)>, end: usize) -> EvalResult<Expr> {
    if toks.is_empty() {
        return Err(syntax_error("The language expression is empty.".into(), 0));
    }
    let mut p = Parser { toks, at: 0, end };
    let e = p.expr(1)?;
    if let Some((t, pos)) = p.toks.get(p.at) {
        return Err(syntax_error(
            format!(
                "The language expression is not valid: expected the end of the expression but found {}.",
                describe(t)
            ),
            *pos,
        ));
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Str(s) => format!("the string '{s}'"),
        Tok::Int(n) => format!("'{n}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::Dot => "'.'".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|(t, _)| t)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map(|(_, p)| *p).unwrap_or(self.end)
    }

    fn expect(&mut self, want: Tok, what: &str) -> EvalResult<()> {
        match self.toks.get(self.at) {
            Some((t, _)) if *t == want => {
                self.at += 1;
                Ok(())
            }
            Some((t, pos)) => Err(syntax_error(
                format!("The language expression is not valid: expected {what} but found {}.", describe(t)),
                *pos,
            )),
            None => Err(syntax_error(
                format!("The language expression is not valid: expected {what} but the expression ended."),
                self.end,
            )),
        }
    }

    /// Refuses nesting deeper than [`MAX_EXPRESSION_DEPTH`]: the tree is walked, evaluated
    /// and dropped recursively.
    fn nest(&self, depth: usize) -> EvalResult<()> {
        if depth > MAX_EXPRESSION_DEPTH {
            return Err(syntax_error(
                format!("The language expression nests more than {MAX_EXPRESSION_DEPTH} levels deep (function calls, properties and indexes), cerulean's limit."),
                self.pos(),
            ));
        }
        Ok(())
    }

    /// An expression whose outermost node sits `depth` levels down; every `.name` and
    /// `[index]` after a value is one more level.
    fn expr(&mut self, mut depth: usize) -> EvalResult<Expr> {
        self.nest(depth)?;
        let mut e = self.primary(depth)?;
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
                    depth += 1;
                    self.nest(depth)?;
                    let pos = self.pos();
                    self.at += 1;
                    match self.toks.get(self.at) {
                        Some((Tok::Ident(name), _)) => {
                            let name = name.clone();
                            self.at += 1;
                            e = Expr::Member {
                                target: Box::new(e),
                                name,
                                pos,
                            };
                        }
                        _ => {
                            return Err(syntax_error(
                                "The language expression is not valid: expected a property name after '.'.".into(),
                                self.pos(),
                            ))
                        }
                    }
                }
                Some(Tok::LBracket) => {
                    depth += 1;
                    self.nest(depth)?;
                    let pos = self.pos();
                    self.at += 1;
                    let index = self.expr(depth + 1)?;
                    self.expect(Tok::RBracket, "']'")?;
                    e = Expr::Index {
                        target: Box::new(e),
                        index: Box::new(index),
                        pos,
                    };
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self, depth: usize) -> EvalResult<Expr> {
        let pos = self.pos();
        let Some((tok, _)) = self.toks.get(self.at).cloned() else {
            return Err(syntax_error(
                "The language expression is not valid: expected a value but the expression ended."
                    .into(),
                self.end,
            ));
        };
        self.at += 1;
        match tok {
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Int(n) => Ok(Expr::Int(n)),
            Tok::Ident(mut name) => {
                // A user-defined function is called by its namespace: `contoso.uniqueName(...)`.
                if let (Some((Tok::Dot, _)), Some((Tok::Ident(member), _)), Some((Tok::LParen, _))) = (
                    self.toks.get(self.at),
                    self.toks.get(self.at + 1),
                    self.toks.get(self.at + 2),
                ) {
                    name = format!("{name}.{member}");
                    self.at += 2;
                }
                self.expect(Tok::LParen, &format!("'(' after the function name '{name}'"))?;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        if self.peek() == Some(&Tok::Comma) {
                            self.at += 1;
                            continue;
                        }
                        self.expect(Tok::RParen, "',' or ')'")?;
                        break;
                    }
                }
                Ok(Expr::Call { name, args, pos })
            }
            other => Err(syntax_error(
                format!(
                    "The language expression is not valid: expected a function call, a string or an integer but found {}.",
                    describe(&other)
                ),
                pos,
            )),
        }
    }
}
