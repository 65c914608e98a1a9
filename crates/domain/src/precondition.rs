//! HTTP conditional requests (`If-Match`, `If-None-Match`) as ARM applies them to writes.

use crate::error::DomainError;

#[derive(Clone, Debug, Default)]
pub struct Precondition {
    pub if_match: Option<String>,
    pub if_none_match: Option<String>,
}

fn same_etag(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_string()
    };
    norm(a) == norm(b)
}

impl Precondition {
    /// Checks the request's conditions against the current etag (`None`: no such resource).
    pub fn check(&self, current: Option<&str>) -> Result<(), DomainError> {
        if let Some(m) = &self.if_match {
            let ok = match current {
                None => false,
                Some(etag) => m.split(',').any(|c| c.trim() == "*" || same_etag(c, etag)),
            };
            if !ok {
                return Err(DomainError::PreconditionFailed);
            }
        }
        if let Some(n) = &self.if_none_match {
            if let Some(etag) = current {
                if n.split(',').any(|c| c.trim() == "*" || same_etag(c, etag)) {
                    return Err(DomainError::PreconditionFailed);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pre(m: Option<&str>, n: Option<&str>) -> Precondition {
        Precondition {
            if_match: m.map(Into::into),
            if_none_match: n.map(Into::into),
        }
    }

    #[test]
    fn if_match_needs_the_current_etag() {
        assert!(pre(Some("W/\"a\""), None).check(Some("W/\"a\"")).is_ok());
        assert!(pre(Some("\"a\""), None).check(Some("W/\"a\"")).is_ok());
        assert!(pre(Some("*"), None).check(Some("W/\"a\"")).is_ok());
        assert_eq!(
            pre(Some("W/\"b\""), None)
                .check(Some("W/\"a\""))
                .unwrap_err()
                .code(),
            "PreconditionFailed"
        );
        assert!(pre(Some("*"), None).check(None).is_err());
    }

    #[test]
    fn if_none_match_star_only_creates() {
        assert!(pre(None, Some("*")).check(None).is_ok());
        assert!(pre(None, Some("*")).check(Some("W/\"a\"")).is_err());
        assert!(pre(None, None).check(Some("W/\"a\"")).is_ok());
    }
}
