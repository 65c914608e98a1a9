//! Tags: validation and the `$filter` expressions ARM accepts on lists.

use crate::error::DomainError;
use std::collections::BTreeMap;

pub type Tags = BTreeMap<String, String>;

pub const MAX_TAGS: usize = 50;
const MAX_TAG_NAME: usize = 512;
const MAX_TAG_VALUE: usize = 256;

pub fn validate(tags: &Tags) -> Result<(), DomainError> {
    if tags.len() > MAX_TAGS {
        return Err(DomainError::TooManyTags {
            count: tags.len(),
            max: MAX_TAGS,
        });
    }
    for (name, value) in tags {
        if name.is_empty()
            || name.chars().count() > MAX_TAG_NAME
            || name.contains(['<', '>', '%', '&', '\\', '?', '/'])
        {
            return Err(DomainError::InvalidTagName { name: name.clone() });
        }
        if value.chars().count() > MAX_TAG_VALUE {
            return Err(DomainError::InvalidTagValue { name: name.clone() });
        }
    }
    Ok(())
}

/// A parsed `$filter` on tags. Tag names compare case-insensitively, values exactly.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagFilter {
    Name(String),
    NameValue(String, String),
    NamePrefix(String),
}

impl TagFilter {
    pub fn parse(filter: &str) -> Result<TagFilter, DomainError> {
        let invalid = || DomainError::InvalidFilter {
            filter: filter.to_string(),
        };
        let f = filter.trim();
        if let Some(rest) = strip_prefix_ci(f, "startswith(") {
            let rest = rest.strip_suffix(')').ok_or_else(invalid)?;
            let (field, lit) = rest.split_once(',').ok_or_else(invalid)?;
            if !field.trim().eq_ignore_ascii_case("tagName") {
                return Err(invalid());
            }
            let (prefix, tail) = quoted(lit.trim()).ok_or_else(invalid)?;
            return if tail.trim().is_empty() {
                Ok(TagFilter::NamePrefix(prefix))
            } else {
                Err(invalid())
            };
        }
        let rest = strip_prefix_ci(f, "tagName").ok_or_else(invalid)?;
        let rest = strip_prefix_ci(rest.trim_start(), "eq").ok_or_else(invalid)?;
        let (name, tail) = quoted(rest.trim_start()).ok_or_else(invalid)?;
        let tail = tail.trim();
        if tail.is_empty() {
            return Ok(TagFilter::Name(name));
        }
        let tail = strip_prefix_ci(tail, "and").ok_or_else(invalid)?;
        let tail = strip_prefix_ci(tail.trim_start(), "tagValue").ok_or_else(invalid)?;
        let tail = strip_prefix_ci(tail.trim_start(), "eq").ok_or_else(invalid)?;
        let (value, end) = quoted(tail.trim_start()).ok_or_else(invalid)?;
        if !end.trim().is_empty() {
            return Err(invalid());
        }
        Ok(TagFilter::NameValue(name, value))
    }

    pub fn matches(&self, tags: &Tags) -> bool {
        match self {
            TagFilter::Name(n) => tags.keys().any(|k| k.eq_ignore_ascii_case(n)),
            TagFilter::NameValue(n, v) => tags
                .iter()
                .any(|(k, val)| k.eq_ignore_ascii_case(n) && val == v),
            TagFilter::NamePrefix(p) => {
                let p = p.to_lowercase();
                tags.keys().any(|k| k.to_lowercase().starts_with(&p))
            }
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// Reads an OData string literal (`'it''s'`) and returns it with the rest of the input.
fn quoted(s: &str) -> Option<(String, &str)> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '\'' {
        return None;
    }
    let mut out = String::new();
    let mut pending_quote = false;
    for (i, c) in chars {
        if pending_quote {
            if c == '\'' {
                out.push('\'');
                pending_quote = false;
                continue;
            }
            return Some((out, &s[i..]));
        }
        if c == '\'' {
            pending_quote = true;
        } else {
            out.push(c);
        }
    }
    pending_quote.then_some((out, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn parses_the_three_filter_forms() {
        assert_eq!(
            TagFilter::parse("tagName eq 'env'").unwrap(),
            TagFilter::Name("env".into())
        );
        assert_eq!(
            TagFilter::parse("tagname eq 'env' and tagvalue eq 'it''s'").unwrap(),
            TagFilter::NameValue("env".into(), "it's".into())
        );
        assert_eq!(
            TagFilter::parse("startswith(tagName, 'en')").unwrap(),
            TagFilter::NamePrefix("en".into())
        );
        for bad in [
            "",
            "name eq 'x'",
            "tagName eq x",
            "tagName eq 'x' or tagValue eq 'y'",
            "tagName eq 'x' junk",
        ] {
            let e = TagFilter::parse(bad).unwrap_err();
            assert_eq!(e.code(), "InvalidFilterInQueryString", "{bad}");
        }
    }

    #[test]
    fn filters_match_names_case_insensitively_and_values_exactly() {
        let t = tags(&[("Env", "prod")]);
        assert!(TagFilter::Name("env".into()).matches(&t));
        assert!(TagFilter::NameValue("ENV".into(), "prod".into()).matches(&t));
        assert!(!TagFilter::NameValue("env".into(), "Prod".into()).matches(&t));
        assert!(TagFilter::NamePrefix("en".into()).matches(&t));
        assert!(!TagFilter::Name("team".into()).matches(&t));
    }

    #[test]
    fn tag_limits() {
        let many: Tags = (0..51).map(|i| (format!("t{i}"), String::new())).collect();
        assert_eq!(validate(&many).unwrap_err().code(), "InvalidTagCount");
        assert_eq!(
            validate(&tags(&[("a/b", "")])).unwrap_err().code(),
            "InvalidTagNameCharacters"
        );
        assert_eq!(
            validate(&tags(&[("a", &"v".repeat(257))]))
                .unwrap_err()
                .code(),
            "InvalidTagValueLength"
        );
        assert!(validate(&tags(&[("a", "b")])).is_ok());
    }
}
