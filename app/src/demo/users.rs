//! The demo users, one per role, and their one-time random passwords.

use entities::Role;
use rand::{SeedableRng as _, seq::IndexedRandom as _, seq::SliceRandom as _};
use rand_chacha::ChaCha20Rng;

/// A demo user to create unless the username exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoUserSpec {
    /// Login name.
    pub username: &'static str,
    /// Role.
    pub role: Role,
    /// Code of the user's department; `None` is national.
    pub department_code: Option<&'static str>,
}

/// The users: a national admin, 河北's supervisor and leader, an inspector of
/// 石家庄市应急管理局 and the department user of 石家庄市长安区应急管理局.
pub const USERS: &[DemoUserSpec] = &[
    DemoUserSpec {
        username: "admin",
        role: Role::Admin,
        department_code: None,
    },
    DemoUserSpec {
        username: "supervisor",
        role: Role::Supervisor,
        department_code: Some("EM-130000"),
    },
    DemoUserSpec {
        username: "inspector",
        role: Role::Inspector,
        department_code: Some("EM-130100"),
    },
    DemoUserSpec {
        username: "department",
        role: Role::Department,
        department_code: Some("EM-130102"),
    },
    DemoUserSpec {
        username: "leader",
        role: Role::Leader,
        department_code: Some("EM-130000"),
    },
];

/// Length of a generated password.
const PASSWORD_LEN: usize = 16;
const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#%+-=?@^_";

/// A 16-character password from the operating system's randomness with at
/// least one lower-case letter, capital, digit and symbol; easily confused
/// characters (l, I, O, 0, 1) are left out.
///
/// # Errors
/// When the system cannot provide randomness.
pub fn new_password() -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| anyhow::anyhow!("Failed to read system randomness: {e}"))?;
    let mut rng = ChaCha20Rng::from_seed(seed);
    let classes = [LOWER, UPPER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();
    let mut chars: Vec<u8> = classes
        .iter()
        .filter_map(|class| class.choose(&mut rng).copied())
        .collect();
    while chars.len() < PASSWORD_LEN {
        if let Some(&c) = all.choose(&mut rng) {
            chars.push(c);
        }
    }
    chars.shuffle(&mut rng);
    Ok(chars.into_iter().map(char::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{config::SecurityPolicy, domain::password};

    #[test]
    fn passwords_meet_the_policy_and_differ() {
        let policy = SecurityPolicy::default();
        let first = new_password().unwrap_or_default();
        let second = new_password().unwrap_or_default();
        assert_eq!(first.len(), PASSWORD_LEN);
        assert_eq!(password::check(&first, &policy), Ok(()));
        assert!(
            first.chars().any(|c| SYMBOLS.contains(&(c as u8))),
            "{first}"
        );
        assert_ne!(first, second);
    }

    #[test]
    fn one_user_per_role() {
        for role in Role::ALL {
            assert_eq!(
                USERS.iter().filter(|u| u.role == *role).count(),
                1,
                "{role}"
            );
        }
    }
}
