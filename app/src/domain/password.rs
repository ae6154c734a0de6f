//! Password complexity under graded protection (等级保护), and the one form
//! in which passwords are hashed.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization as _, is_nfkc_quick};

use crate::{config::SecurityPolicy, i18n::Msg, msg};

/// The password as it is hashed and checked: Unicode NFKC (NIST SP 800-63B
/// 5.1.1.2), so that the same password typed on another keyboard or input
/// method (full-width ｐａｓｓ, a composed or decomposed é) is the same password.
#[must_use]
pub fn normalize(password: &str) -> Cow<'_, str> {
    if is_nfkc_quick(password.chars()) == IsNormalized::Yes {
        Cow::Borrowed(password)
    } else {
        Cow::Owned(password.nfkc().collect())
    }
}

/// Checks a new password, normalized, against the policy; the message says
/// what to change.
///
/// # Errors
/// When the password is too short, too long or mixes too few kinds of character.
pub fn check(password: &str, policy: &SecurityPolicy) -> Result<(), Msg> {
    let password = normalize(password);
    let len = password.chars().count();
    let (min, max) = (policy.password_min_len, policy.password_max_len);
    if len < min {
        return Err(msg!(
            "密码至少需要 {min} 个字符",
            "password must have at least {min} characters"
        ));
    }
    if len > max {
        return Err(msg!(
            "密码最多 {max} 个字符",
            "password must have at most {max} characters"
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
    let needed = policy.password_min_classes;
    if classes < needed {
        return Err(msg!(
            "密码须至少包含小写字母、大写字母、数字、符号中的 {needed} 类",
            "password must mix at least {needed} of: lower case, upper case, digits, symbols"
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

    #[test]
    fn compatibility_forms_normalize_to_one_password() {
        let cases = [
            ("Correct-Horse-42", "Correct-Horse-42", "ASCII stays"),
            (
                "Ｃｏｒｒｅｃｔ－４２",
                "Correct-42",
                "full-width letters and digits",
            ),
            (
                "cafe\u{301}-Pass-1",
                "café-Pass-1",
                "a decomposed accent is composed",
            ),
            ("ﬁle-Pass-1", "file-Pass-1", "a ligature is spelt out"),
            ("应急管理Abc123", "应急管理Abc123", "CJK stays"),
        ];
        for (typed, hashed, why) in cases {
            assert_eq!(normalize(typed), hashed, "{why}");
        }
        assert!(
            matches!(normalize("Correct-Horse-42"), Cow::Borrowed(_)),
            "a normalized password is not copied"
        );
    }

    #[test]
    fn the_policy_counts_the_normalized_password() {
        let policy = SecurityPolicy::default();
        // Ten characters as typed, but "ﬃ" alone becomes three.
        assert_eq!(check("ﬃ-Pass-1", &policy), Ok(()), "8 typed, 10 normalized");
    }
}
