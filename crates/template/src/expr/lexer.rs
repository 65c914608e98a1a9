//! Splits the text between the outer brackets into tokens, each with its character offset.

use super::syntax_error;
use crate::error::EvalResult;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Str(String),
    Int(i64),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
}

/// `base` is the offset of the first character of `text` in the JSON string.
pub(super) fn lex(text: &str, base: usize) -> EvalResult<Vec<(Tok, usize)>> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = base + i;
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '.' => Some(Tok::Dot),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, at));
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let (s, next) = string(&chars, i, base)?;
            out.push((Tok::Str(s), at));
            i = next;
        } else if c.is_ascii_digit()
            || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                let mut end = i + 1;
                while end < chars.len() && chars[end].is_ascii_digit() {
                    end += 1;
                }
                let literal: String = chars[start..end].iter().collect();
                return Err(syntax_error(
                    format!(
                        "The language expression literal '{literal}' is not supported: only integers are; use json('{literal}') for a number with a fraction."
                    ),
                    at,
                ));
            }
            let digits: String = chars[start..i].iter().collect();
            let n = digits.parse::<i64>().map_err(|_| {
                syntax_error(
                    format!("The language expression literal '{digits}' is out of the range of a 64-bit integer."),
                    at,
                )
            })?;
            out.push((Tok::Int(n), at));
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
            {
                i += 1;
            }
            out.push((Tok::Ident(chars[start..i].iter().collect()), at));
        } else {
            return Err(syntax_error(
                format!("The language expression has an unexpected character '{c}'."),
                at,
            ));
        }
    }
    Ok(out)
}

/// A single-quoted string; `''` stands for one quote.
fn string(chars: &[char], open: usize, base: usize) -> EvalResult<(String, usize)> {
    let mut s = String::new();
    let mut i = open + 1;
    loop {
        match chars.get(i) {
            None => {
                return Err(syntax_error(
                    "The language expression has an unterminated string literal.".into(),
                    base + open,
                ))
            }
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                s.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((s, i + 1)),
            Some(c) => {
                s.push(*c);
                i += 1;
            }
        }
    }
}
