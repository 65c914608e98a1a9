//! base64, data URIs and URIs.

use serde_json::Value;

use super::Args;
use crate::error::EvalResult;
use crate::eval::Ctx;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body: Vec<u8> = digits.iter().copied().take_while(|b| *b != b'=').collect();
    if digits[body.len()..].iter().any(|b| *b != b'=') || body.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            let v = B64.iter().position(|c| c == b)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

fn decoded_text(a: &Args, text: &str) -> EvalResult<String> {
    let bytes =
        base64_decode(text).ok_or_else(|| a.fail("the value is not a valid base64 string."))?;
    String::from_utf8(bytes).map_err(|_| a.fail("the decoded value is not UTF-8 text."))
}

pub(super) fn base64(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::String(base64_encode(a.str(0)?.as_bytes())))
}

pub(super) fn base64_to_string(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    decoded_text(a, a.str(0)?).map(Value::String)
}

pub(super) fn base64_to_json(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let text = decoded_text(a, a.str(0)?)?;
    serde_json::from_str(&text).map_err(|_| a.fail("the decoded value is not valid JSON."))
}

pub(super) fn data_uri(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    Ok(Value::String(format!(
        "data:text/plain;charset=utf8;base64,{}",
        base64_encode(a.str(0)?.as_bytes())
    )))
}

pub(super) fn data_uri_to_string(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let uri = a.str(0)?;
    let (head, data) = uri
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(','))
        .ok_or_else(|| a.fail("the value is not a data URI."))?;
    if head.split(';').any(|p| p.eq_ignore_ascii_case("base64")) {
        decoded_text(a, data).map(Value::String)
    } else {
        percent_decode(data)
            .map(Value::String)
            .ok_or_else(|| a.fail("the data URI is not correctly escaped."))
    }
}

/// `uri(base, relative)`: RFC 3986 resolution of a relative reference against a base.
pub(super) fn uri(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(2)?;
    let (base, rel) = (a.str(0)?, a.str(1)?);
    let scheme_end = base
        .find("://")
        .ok_or_else(|| a.fail("the base URI is not an absolute URI."))?;
    let has_scheme = |s: &str| {
        s.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        })
    };
    let authority_end = base[scheme_end + 3..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |p| p + scheme_end + 3);
    let joined = if has_scheme(rel) {
        rel.to_string()
    } else if let Some(rest) = rel.strip_prefix("//") {
        format!("{}//{rest}", &base[..scheme_end + 1])
    } else if rel.starts_with('/') {
        format!("{}{rel}", &base[..authority_end])
    } else {
        let path_end = base[authority_end..]
            .find(['?', '#'])
            .map_or(base.len(), |p| p + authority_end);
        let path = &base[authority_end..path_end];
        match path.rfind('/') {
            Some(slash) => format!("{}{}{rel}", &base[..authority_end], &path[..=slash]),
            None => format!("{}/{rel}", &base[..authority_end]),
        }
    };
    Ok(Value::String(joined))
}

pub(super) fn uri_component(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let mut out = String::new();
    for b in a.str(0)?.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Ok(Value::String(out))
}

pub(super) fn uri_component_to_string(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    percent_decode(a.str(0)?)
        .map(Value::String)
        .ok_or_else(|| a.fail("the value is not correctly URI-encoded."))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for s in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "one, two, three",
        ] {
            let e = base64_encode(s.as_bytes());
            assert_eq!(base64_decode(&e).unwrap(), s.as_bytes());
        }
        assert_eq!(base64_encode(b"one, two, three"), "b25lLCB0d28sIHRocmVl");
        assert_eq!(base64_encode(b"Hello"), "SGVsbG8=");
        assert!(base64_decode("a").is_none());
        assert!(base64_decode("ab=c").is_none());
    }
}
