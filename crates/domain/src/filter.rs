//! The `$filter` of generic resource lists: `resourceType eq '…'`, `name eq '…'`,
//! `resourceGroup eq '…'` and `location eq '…'`, joined with `and` (what the az CLI sends when
//! it looks a resource up by name), plus the tag forms of [`crate::tags::TagFilter`].

use crate::error::DomainError;
use crate::tags::{TagFilter, Tags};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourceFilter {
    pub resource_type: Option<String>,
    pub name: Option<String>,
    pub group: Option<String>,
    pub location: Option<String>,
    pub tag: Option<TagFilter>,
}

impl ResourceFilter {
    pub fn parse(filter: &str) -> Result<ResourceFilter, DomainError> {
        let invalid = || DomainError::InvalidFilter {
            filter: filter.to_string(),
        };
        let mut f = ResourceFilter::default();
        let lower = filter.to_ascii_lowercase();
        if lower.trim_start().starts_with("tagname")
            || lower.trim_start().starts_with("startswith(")
        {
            f.tag = Some(TagFilter::parse(filter)?);
            return Ok(f);
        }
        for clause in split_and(filter) {
            let (field, value) = clause.split_once(" eq ").ok_or_else(invalid)?;
            let value = value.trim();
            let value = value
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .ok_or_else(invalid)?
                .replace("''", "'");
            let slot = match field.trim().to_ascii_lowercase().as_str() {
                "resourcetype" => &mut f.resource_type,
                "name" => &mut f.name,
                "resourcegroup" => &mut f.group,
                "location" => &mut f.location,
                _ => return Err(invalid()),
            };
            *slot = Some(value);
        }
        Ok(f)
    }

    /// Whether a resource with these facts passes (names and types compare
    /// case-insensitively, as ARM does).
    pub fn matches(
        &self,
        type_path: &str,
        name: &str,
        group: &str,
        location: &str,
        tags: &Tags,
    ) -> bool {
        let eq = |want: &Option<String>, have: &str| {
            want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(have))
        };
        eq(&self.resource_type, type_path)
            && eq(&self.name, name)
            && eq(&self.group, group)
            && eq(&self.location, location)
            && self.tag.as_ref().is_none_or(|t| t.matches(tags))
    }
}

/// Splits on ` and ` outside quotes, in one pass over the bytes (a separator is ASCII, so
/// every cut falls on a character boundary).
fn split_and(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted
            && bytes
                .get(i..i + 5)
                .is_some_and(|w| w.eq_ignore_ascii_case(b" and "))
        {
            parts.push(s[start..i].trim());
            i += 5;
            start = i;
            continue;
        }
        i += 1;
    }
    parts.push(s[start..].trim());
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_the_az_cli_sends() {
        let f = ResourceFilter::parse(
            "resourceGroup eq 'rg' and name eq 'vnet1' and resourceType eq 'Microsoft.Network/virtualNetworks'",
        )
        .unwrap();
        assert_eq!(f.group.as_deref(), Some("rg"));
        assert_eq!(f.name.as_deref(), Some("vnet1"));
        assert!(f.matches(
            "microsoft.network/virtualNetworks",
            "VNET1",
            "RG",
            "eastus",
            &Tags::new()
        ));
        assert!(!f.matches(
            "Microsoft.Network/virtualNetworks",
            "vnet2",
            "rg",
            "eastus",
            &Tags::new()
        ));
        let t = ResourceFilter::parse("tagName eq 'env'").unwrap();
        assert!(t.tag.is_some());
        for bad in ["color eq 'red'", "name eq red", "name", "é and x", "ü"] {
            assert_eq!(
                ResourceFilter::parse(bad).unwrap_err().code(),
                "InvalidFilterInQueryString",
                "{bad}"
            );
        }
    }

    #[test]
    fn long_filters_are_split_in_one_pass() {
        let clause = "name eq 'ä' and ";
        let f = clause.repeat(4_000) + "location eq 'x'";
        let parsed = ResourceFilter::parse(&f).unwrap();
        assert_eq!(parsed.name.as_deref(), Some("ä"));
        assert_eq!(split_and(&f).len(), 4_001);
    }
}
