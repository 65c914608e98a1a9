//! Recursive descent over the tokens: `call := name '(' args ')'`, then any chain of
//! `.name` and `[expr]`.

use super::lexer::Tok;
use super::{syntax_error, Expr};
use crate::error::EvalResult;

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
    let e = p.expr()?;
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

    fn expr(&mut self) -> EvalResult<Expr> {
        let mut e = self.primary()?;
        loop {
            match self.peek() {
                Some(Tok::Dot) => {
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
                    let pos = self.pos();
                    self.at += 1;
                    let index = self.expr()?;
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

    fn primary(&mut self) -> EvalResult<Expr> {
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
            Tok::Ident(name) => {
                self.expect(Tok::LParen, &format!("'(' after the function name '{name}'"))?;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.at += 1;
                } else {
                    loop {
                        args.push(self.expr()?);
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
