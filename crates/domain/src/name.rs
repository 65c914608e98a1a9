//! Name rules for resource groups and resources, with Azure's messages.

use crate::error::DomainError;

pub const MAX_GROUP_NAME: usize = 90;
pub const MAX_NETWORK_NAME: usize = 80;
/// ARM's limit on any resource name (the RPC's "Resource API Reference").
pub const MAX_RESOURCE_NAME: usize = 260;

/// Characters ARM refuses in any resource name, besides control characters.
const ARM_FORBIDDEN: &[char] = &['<', '>', '%', '&', ':', '\\', '?', '/'];

/// ARM's own rule for the name of a resource of any type, which applies where no provider
/// rule is stricter (generic resources): 1-260 characters, none of `<>%&:\?/` nor a control
/// character. `.` and `..` are steps of a path, never names. The name is the decoded one:
/// `a%2Fb` in a URL is the name `a/b`.
pub fn validate_resource_name(name: &str) -> Result<(), DomainError> {
    let ok = !name.is_empty()
        && name != "."
        && name != ".."
        && name.chars().count() <= MAX_RESOURCE_NAME
        && !name
            .chars()
            .any(|c| c.is_control() || ARM_FORBIDDEN.contains(&c));
    if ok {
        Ok(())
    } else {
        Err(DomainError::InvalidArmResourceName {
            name: name.to_string(),
        })
    }
}

/// Resource group names: 1-90 characters; letters (any script), digits, `-`, `_`, `.`, `(`,
/// `)`; not ending with a period.
pub fn validate_group_name(name: &str) -> Result<(), DomainError> {
    let err = |message: String| Err(DomainError::InvalidResourceGroupName { message });
    let bad: String = name
        .chars()
        .filter(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')')))
        .collect();
    if !bad.is_empty() {
        return err(format!(
            "The provided resource group name '{name}' has these invalid characters: '{bad}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'."
        ));
    }
    let len = name.chars().count();
    if len == 0 || len > MAX_GROUP_NAME {
        return err(format!(
            "The provided resource group name '{name}' must be between 1 and {MAX_GROUP_NAME} characters long."
        ));
    }
    if name.ends_with('.') {
        return err(format!(
            "The provided resource group name '{name}' ends with a period. Resource group names cannot end with a period."
        ));
    }
    Ok(())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Microsoft.Network names: 1-80 characters, begin with a word character, end with a word
/// character or `_`, and contain only word characters, `.`, `-` and `_`.
pub fn validate_network_name(name: &str) -> Result<(), DomainError> {
    let ok = {
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(is_word);
        let last_ok = name.chars().last().is_some_and(is_word);
        first_ok
            && last_ok
            && name.chars().count() <= MAX_NETWORK_NAME
            && name.chars().all(|c| is_word(c) || c == '.' || c == '-')
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::InvalidResourceName {
            name: name.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_follow_azure_rules() {
        for good in ["rg", "My_Group-1.(test)", "grupo-é", &"a".repeat(90)] {
            assert!(validate_group_name(good).is_ok(), "{good}");
        }
        let e = validate_group_name("bad name!").unwrap_err();
        assert_eq!(e.code(), "InvalidResourceGroup");
        assert_eq!(
            e.to_string(),
            "The provided resource group name 'bad name!' has these invalid characters: ' !'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'."
        );
        assert!(validate_group_name(&"a".repeat(91))
            .unwrap_err()
            .to_string()
            .contains("between 1 and 90"));
        assert!(validate_group_name("ends.")
            .unwrap_err()
            .to_string()
            .contains("ends with a period"));
    }

    #[test]
    fn any_resource_name_follows_arms_rule() {
        for good in ["nsg", "a b", "x.y", "é-名", "...x", &"n".repeat(260)] {
            assert!(validate_resource_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a%b",
            "a<b",
            "a>b",
            "a&b",
            "a:b",
            "a\\b",
            "a?b",
            "a\u{7}b",
            &"n".repeat(261),
        ] {
            let e = validate_resource_name(bad).unwrap_err();
            assert_eq!(e.code(), "InvalidResourceName", "{bad}");
            assert_eq!(e.target().as_deref(), Some(bad));
        }
        assert_eq!(
            validate_resource_name("a/b").unwrap_err().to_string(),
            "The resource name 'a/b' is invalid. A resource name is 1 to 260 characters long, is not '.' or '..', and contains none of '<', '>', '%', '&', ':', '\\', '?', '/' or control characters."
        );
    }

    #[test]
    fn network_names_follow_azure_rules() {
        for good in ["nic1", "a", "my.nic-1_", "_x"] {
            assert!(validate_network_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-nic", "nic-", "nic.", "a b", &"n".repeat(81)] {
            let e = validate_network_name(bad).unwrap_err();
            assert_eq!(e.code(), "InvalidResourceName", "{bad}");
        }
    }
}
