//! Date functions: `dateTimeAdd` with ISO 8601 durations, and Unix epoch conversions.

use chrono::{DateTime, Duration, Months, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

use super::format::dotnet_datetime;
use super::Args;
use crate::error::EvalResult;
use crate::eval::Ctx;

const DEFAULT_FORMAT: &str = "yyyy-MM-ddTHH:mm:ssZ";

/// ISO 8601 (`2024-03-05T14:07:09Z`, with or without zone) or `utcNow()`'s default
/// `20240305T140709Z`.
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    let bare = text.trim_end_matches('Z');
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y%m%dT%H%M%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(bare, f) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    chrono::NaiveDate::parse_from_str(bare, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t))
}

/// Adds `[-]PnYnMnDTnHnMnS` (weeks `PnW` too) to `t`.
fn add_duration(t: DateTime<Utc>, duration: &str) -> Option<DateTime<Utc>> {
    let (negative, rest) = match duration.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, duration),
    };
    let rest = rest.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut months: i64 = 0;
    let mut delta = Duration::zero();
    let mut number = String::new();
    for c in date.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = std::mem::take(&mut number).parse().ok()?;
        match c {
            'Y' => months = months.checked_add(n.checked_mul(12)?)?,
            'M' => months = months.checked_add(n)?,
            'W' => delta = delta.checked_add(&Duration::try_weeks(n)?)?,
            'D' => delta = delta.checked_add(&Duration::try_days(n)?)?,
            _ => return None,
        }
    }
    for c in time.unwrap_or_default().chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let n: f64 = std::mem::take(&mut number).parse().ok()?;
        let ms = match c {
            'H' => n * 3_600_000.0,
            'M' => n * 60_000.0,
            'S' => n * 1000.0,
            _ => return None,
        };
        // `as` saturates; anything near the ends is out of any date's range anyway.
        delta = delta.checked_add(&Duration::try_milliseconds(ms as i64)?)?;
    }
    if !number.is_empty() {
        return None;
    }
    let months = Months::new(u32::try_from(months).ok()?);
    if negative {
        t.checked_sub_months(months)?.checked_sub_signed(delta)
    } else {
        t.checked_add_months(months)?.checked_add_signed(delta)
    }
}

pub(super) fn date_time_add(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.arity(2, Some(3))?;
    let base = parse_time(a.str(0)?)
        .ok_or_else(|| a.fail("the base value is not a date and time in ISO 8601 form."))?;
    let t = add_duration(base, a.str(1)?).ok_or_else(|| {
        a.fail("the duration is not an ISO 8601 duration such as 'P1D' or 'PT1H'.")
    })?;
    let format = if a.len() == 3 {
        a.str(2)?
    } else {
        DEFAULT_FORMAT
    };
    Ok(Value::String(dotnet_datetime(format, t)))
}

pub(super) fn date_time_to_epoch(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let t = parse_time(a.str(0)?)
        .ok_or_else(|| a.fail("the value is not a date and time in ISO 8601 form."))?;
    Ok(Value::from(t.timestamp()))
}

pub(super) fn date_time_from_epoch(a: &Args, _: &Ctx) -> EvalResult<Value> {
    a.exactly(1)?;
    let t = Utc
        .timestamp_opt(a.int(0)?, 0)
        .single()
        .ok_or_else(|| a.fail("the value is out of range."))?;
    Ok(Value::String(dotnet_datetime(DEFAULT_FORMAT, t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let t = parse_time("2020-04-07T14:53:14Z").unwrap();
        let show = |t: DateTime<Utc>| dotnet_datetime(DEFAULT_FORMAT, t);
        assert_eq!(
            show(add_duration(t, "P3Y").unwrap()),
            "2023-04-07T14:53:14Z"
        );
        assert_eq!(
            show(add_duration(t, "-PT15M").unwrap()),
            "2020-04-07T14:38:14Z"
        );
        assert_eq!(
            show(add_duration(t, "P1DT1H30M").unwrap()),
            "2020-04-08T16:23:14Z"
        );
        assert_eq!(
            show(add_duration(t, "P1W").unwrap()),
            "2020-04-14T14:53:14Z"
        );
        assert!(add_duration(t, "1D").is_none());
        assert!(add_duration(t, "P1X").is_none());
        assert_eq!(
            show(parse_time("20240305T140709Z").unwrap()),
            "2024-03-05T14:07:09Z"
        );
    }
}
