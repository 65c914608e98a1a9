//! Name rules for resource groups and resources, with Azure's messages.

use crate::error::DomainError;

pub const MAX_GROUP_NAME: usize = 90;
pub const MAX_NETWORK_NAME: usize = 80;

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
