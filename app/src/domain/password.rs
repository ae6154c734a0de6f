//! Password complexity under graded protection (等级保护).

use crate::config::SecurityPolicy;

/// Checks a new password against the policy; the message says what to change.
///
/// # Errors
/// When the password is too short, too long or mixes too few kinds of character.
pub fn check(password: &str, policy: &SecurityPolicy) -> Result<(), String> {
    let len = password.chars().count();
    if len < policy.password_min_len {
        return Err(format!(
            "password must have at least {} characters",
            policy.password_min_len
        ));
    }
    if len > policy.password_max_len {
        return Err(format!(
            "password must have at most {} characters",
            policy.password_max_len
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_alphanumeric() && !c.is_whitespace()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    if classes < policy.password_min_classes {
        return Err(format!(
            "password must mix at least {} of: lower case, upper case, digits, symbols",
            policy.password_min_classes
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_needs_length_and_three_classes() {
        let policy = SecurityPolicy::default();
        let cases = [
            ("Short1!", false, "too short"),
            ("alllowercaseletters", false, "one class"),
            ("lowerUPPERonly", false, "two classes"),
            ("lowerUPPER123", true, "three classes"),
            ("lower-123-symbols", true, "lower, digit, symbol"),
            (
                "应急管理Abc123",
                true,
                "CJK counts as letters, three classes present",
            ),
        ];
        for (password, ok, why) in cases {
            assert_eq!(check(password, &policy).is_ok(), ok, "{why}: {password}");
        }
        let long = "Aa1".repeat(43);
        assert!(check(&long, &policy).is_err(), "129 characters is too long");
    }
}
