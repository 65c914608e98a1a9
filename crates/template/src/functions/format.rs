//! .NET-style formatting: `format()`'s composite strings (`{0}`, `{0:D3}`, `{1,-8}`) and
//! `utcNow()`'s date patterns, for the specifiers templates actually use.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde_json::Value;

use super::Args;
use crate::error::EvalResult;
use crate::limits::{MAX_FORMAT_PRECISION, MAX_FORMAT_WIDTH};
use crate::value::{as_int, to_text};

pub(super) fn format(a: &Args, _: &crate::eval::Ctx) -> EvalResult<Value> {
    a.arity(1, None)?;
    let pattern: Vec<char> = a.str(0)?.chars().collect();
    let values = &a.values[1..];
    let mut out = String::new();
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            '{' if pattern.get(i + 1) == Some(&'{') => {
                out.push('{');
                i += 2;
            }
            '}' if pattern.get(i + 1) == Some(&'}') => {
                out.push('}');
                i += 2;
            }
            '{' => {
                let close = pattern[i..]
                    .iter()
                    .position(|c| *c == '}')
                    .map(|p| p + i)
                    .ok_or_else(|| a.fail("the format string has a '{' without a matching '}'."))?;
                let item: String = pattern[i + 1..close].iter().collect();
                out.push_str(&format_item(a, &item, values)?);
                a.reserve(out.len())?;
                i = close + 1;
            }
            '}' => return Err(a.fail("the format string has a '}' without a matching '{'.")),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(Value::String(out))
}

/// One `{index[,alignment][:spec]}` item.
fn format_item(a: &Args, item: &str, values: &[Value]) -> EvalResult<String> {
    let (head, spec) = match item.split_once(':') {
        Some((h, s)) => (h, Some(s)),
        None => (item, None),
    };
    let (index, align) = match head.split_once(',') {
        Some((i, al)) => (i, Some(al)),
        None => (head, None),
    };
    let index: usize = index.trim().parse().map_err(|_| {
        a.fail(format!(
            "the format item '{{{item}}}' does not start with an argument index."
        ))
    })?;
    let value = values.get(index).ok_or_else(|| {
        a.fail("Index (zero based) must be greater than or equal to zero and less than the size of the argument list.")
    })?;
    let text = match (spec, as_int(value)) {
        (Some(spec), Some(n)) if value.is_number() => format_int(n, spec).ok_or_else(|| {
            a.fail(format!(
                "the format specifier '{spec}' is not supported for integers."
            ))
        })?,
        (Some(spec), None) if value.is_f64() => {
            format_float(value.as_f64().unwrap_or_default(), spec).unwrap_or_else(|| to_text(value))
        }
        _ => to_text(value),
    };
    let width: i64 = match align {
        Some(al) => al
            .trim()
            .parse()
            .map_err(|_| a.fail(format!("the alignment in '{{{item}}}' is not an integer.")))?,
        None => 0,
    };
    if width.unsigned_abs() > MAX_FORMAT_WIDTH as u64 {
        return Err(a.fail(format!(
            "the alignment in '{{{item}}}' must be less than {}.",
            MAX_FORMAT_WIDTH + 1
        )));
    }
    let pad = (width.unsigned_abs() as usize).saturating_sub(text.chars().count());
    Ok(if width >= 0 {
        format!("{}{text}", " ".repeat(pad))
    } else {
        format!("{text}{}", " ".repeat(pad))
    })
}

/// Standard numeric specifiers (`D`, `X`, `N`, `F`, `G`) and zero-digit custom patterns
/// (`000`).
fn format_int(n: i64, spec: &str) -> Option<String> {
    if spec.is_empty() {
        return Some(n.to_string());
    }
    if !spec.is_empty() && spec.chars().all(|c| c == '0' || c == '#') {
        let digits = spec.chars().filter(|c| *c == '0').count();
        return Some(pad_digits(n, digits));
    }
    let mut chars = spec.chars();
    let kind = chars.next()?;
    let precision: Option<usize> = {
        let rest: String = chars.collect();
        if rest.is_empty() {
            None
        } else {
            Some(rest.parse().ok().filter(|p| *p <= MAX_FORMAT_PRECISION)?)
        }
    };
    match kind {
        'D' | 'd' => Some(pad_digits(n, precision.unwrap_or(0))),
        'X' | 'x' => {
            let hex = if kind == 'X' {
                format!("{n:X}")
            } else {
                format!("{n:x}")
            };
            let width = precision.unwrap_or(0);
            Some(format!(
                "{}{hex}",
                "0".repeat(width.saturating_sub(hex.len()))
            ))
        }
        'N' | 'n' => Some(grouped(n as f64, precision.unwrap_or(2))),
        'F' | 'f' => Some(format!("{:.*}", precision.unwrap_or(2), n as f64)),
        'G' | 'g' => Some(n.to_string()),
        _ => None,
    }
}

fn format_float(f: f64, spec: &str) -> Option<String> {
    let mut chars = spec.chars();
    let kind = chars.next()?;
    let rest: String = chars.collect();
    let precision: usize = if rest.is_empty() {
        2
    } else {
        rest.parse().ok().filter(|p| *p <= MAX_FORMAT_PRECISION)?
    };
    match kind {
        'N' | 'n' => Some(grouped(f, precision)),
        'F' | 'f' => Some(format!("{f:.precision$}")),
        _ => None,
    }
}

fn pad_digits(n: i64, digits: usize) -> String {
    let abs = n.unsigned_abs().to_string();
    let padded = format!("{}{abs}", "0".repeat(digits.saturating_sub(abs.len())));
    if n < 0 {
        format!("-{padded}")
    } else {
        padded
    }
}

/// `N` format: thousands separated by commas, `decimals` digits after the point.
fn grouped(f: f64, decimals: usize) -> String {
    let fixed = format!("{:.*}", decimals, f.abs());
    let (int, frac) = match fixed.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (fixed, None),
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(&frac);
    }
    if f < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A .NET date/time format: one-letter standard formats (`u`, `s`, `o`, `d`, `t`, `g`...)
/// or a custom pattern of `yyyy MM dd HH hh mm ss f... tt` with quoted literals.
pub(crate) fn dotnet_datetime(format: &str, at: DateTime<Utc>) -> String {
    let custom = match format {
        "u" => "yyyy-MM-dd HH:mm:ssZ",
        "s" => "yyyy-MM-ddTHH:mm:ss",
        "o" | "O" => "yyyy-MM-ddTHH:mm:ss.fffffffZ",
        "d" => "M/d/yyyy",
        "D" => "dddd, MMMM d, yyyy",
        "t" => "h:mm tt",
        "T" => "h:mm:ss tt",
        "g" => "M/d/yyyy h:mm tt",
        "G" => "M/d/yyyy h:mm:ss tt",
        "f" => "dddd, MMMM d, yyyy h:mm tt",
        "F" => "dddd, MMMM d, yyyy h:mm:ss tt",
        "r" | "R" => "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
        other => other,
    };
    let chars: Vec<char> = custom.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let run = chars[i..].iter().take_while(|d| **d == c).count();
        match c {
            '\'' | '"' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|d| *d == c)
                    .map(|p| p + i + 1);
                let end = end.unwrap_or(chars.len());
                out.extend(&chars[i + 1..end]);
                i = end + 1;
                continue;
            }
            '\\' => {
                if let Some(next) = chars.get(i + 1) {
                    out.push(*next);
                }
                i += 2;
                continue;
            }
            'y' => {
                let y = at.year();
                out.push_str(&match run {
                    1 => (y % 100).to_string(),
                    2 => format!("{:02}", y % 100),
                    n => format!("{y:0n$}"),
                });
            }
            'M' => out.push_str(&match run {
                1 => at.month().to_string(),
                2 => format!("{:02}", at.month()),
                3 => at.format("%b").to_string(),
                _ => at.format("%B").to_string(),
            }),
            'd' => out.push_str(&match run {
                1 => at.day().to_string(),
                2 => format!("{:02}", at.day()),
                3 => at.format("%a").to_string(),
                _ => at.format("%A").to_string(),
            }),
            'H' => out.push_str(&two(at.hour(), run)),
            'h' => out.push_str(&two(at.hour12().1, run)),
            'm' => out.push_str(&two(at.minute(), run)),
            's' => out.push_str(&two(at.second(), run)),
            'f' | 'F' => {
                let nanos = format!("{:09}", at.nanosecond().min(999_999_999));
                out.push_str(&nanos[..run.min(9)]);
            }
            't' => {
                let pm = if at.hour12().0 { "PM" } else { "AM" };
                out.push_str(if run == 1 { &pm[..1] } else { pm });
            }
            'K' | 'z' => out.push_str(if c == 'K' { "Z" } else { "+00:00" }),
            other => {
                for _ in 0..run {
                    out.push(other);
                }
            }
        }
        i += run;
    }
    out
}

fn two(n: u32, run: usize) -> String {
    if run >= 2 {
        format!("{n:02}")
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn integer_specifiers() {
        assert_eq!(format_int(7, "D3").unwrap(), "007");
        assert_eq!(format_int(-7, "D3").unwrap(), "-007");
        assert_eq!(format_int(255, "X4").unwrap(), "00FF");
        assert_eq!(format_int(8175133, "N0").unwrap(), "8,175,133");
        assert_eq!(format_int(1234, "N").unwrap(), "1,234.00");
        assert_eq!(format_int(5, "000").unwrap(), "005");
        assert!(format_int(5, "Q").is_none());
    }

    #[test]
    fn dates() {
        let at = Utc.with_ymd_and_hms(2024, 3, 5, 14, 7, 9).unwrap();
        assert_eq!(dotnet_datetime("yyyyMMddTHHmmssZ", at), "20240305T140709Z");
        assert_eq!(dotnet_datetime("u", at), "2024-03-05 14:07:09Z");
        assert_eq!(dotnet_datetime("d", at), "3/5/2024");
        assert_eq!(
            dotnet_datetime("yyyy-MM-dd 'at' h tt", at),
            "2024-03-05 at 2 PM"
        );
        assert_eq!(dotnet_datetime("MMM dd", at), "Mar 05");
    }
}
