//! Locking an account after repeated failed logins (等级保护: 登录失败处理).
//!
//! The `lockout_threshold`-th wrong password in a row locks the account for
//! `lockout_secs`. A wrong password after the lock has expired counts afresh,
//! and a successful login clears the count and the lock.

use chrono::{DateTime, Duration, Utc};

use crate::config::SecurityPolicy;

/// An account's failed logins, as stored on the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    /// Wrong passwords in a row since the last success or lock.
    pub in_a_row: i32,
    /// The end of the last lock, in force or expired.
    pub locked_until: Option<DateTime<Utc>>,
}

/// What a wrong password does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Wrong passwords in a row, this one included.
    pub in_a_row: i32,
    /// What to store on the account.
    pub stored: LoginFailures,
    /// Whether this failure locks the account.
    pub locks: bool,
}

impl LoginFailures {
    /// The end of the lock in force at `now`, if any.
    #[must_use]
    pub fn lock_in_force(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.locked_until.filter(|until| *until > now)
    }

    /// The account after one more wrong password at `now`; call it only when
    /// no lock is in force.
    #[must_use]
    pub fn after_failure(&self, policy: &SecurityPolicy, now: DateTime<Utc>) -> Failure {
        let in_a_row = if self.locked_until.is_some() {
            1 // the earlier lock has expired: count afresh
        } else {
            self.in_a_row + 1
        };
        let threshold = i32::try_from(policy.lockout_threshold).unwrap_or(i32::MAX);
        let locks = in_a_row >= threshold;
        let stored = if locks {
            let lock_for =
                Duration::seconds(i64::try_from(policy.lockout_secs).unwrap_or(i64::MAX / 2));
            Self {
                in_a_row: 0,
                locked_until: Some(now + lock_for),
            }
        } else {
            Self {
                in_a_row,
                locked_until: None,
            }
        };
        Failure {
            in_a_row,
            stored,
            locks,
        }
    }

    /// Whether a successful login has a count or a lock to clear.
    #[must_use]
    pub fn need_clearing(&self) -> bool {
        self.in_a_row != 0 || self.locked_until.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(threshold: u32, secs: u64) -> SecurityPolicy {
        SecurityPolicy {
            lockout_threshold: threshold,
            lockout_secs: secs,
            ..SecurityPolicy::default()
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    const CLEAN: LoginFailures = LoginFailures {
        in_a_row: 0,
        locked_until: None,
    };

    #[test]
    fn failures_below_the_threshold_are_counted() {
        let failure = CLEAN.after_failure(&policy(3, 60), at(0));
        assert_eq!(failure.in_a_row, 1);
        assert!(!failure.locks);
        assert_eq!(
            failure.stored,
            LoginFailures {
                in_a_row: 1,
                locked_until: None
            }
        );
        let second = failure.stored.after_failure(&policy(3, 60), at(1));
        assert_eq!((second.in_a_row, second.locks), (2, false));
    }

    #[test]
    fn the_threshold_th_failure_locks_for_the_policy_s_time() {
        let before = LoginFailures {
            in_a_row: 2,
            locked_until: None,
        };
        let failure = before.after_failure(&policy(3, 60), at(0));
        assert_eq!(failure.in_a_row, 3, "the count reported includes this one");
        assert!(failure.locks);
        assert_eq!(
            failure.stored,
            LoginFailures {
                in_a_row: 0,
                locked_until: Some(at(60))
            },
            "the count starts again under the lock"
        );
    }

    #[test]
    fn a_threshold_of_one_locks_at_the_first_failure() {
        assert!(CLEAN.after_failure(&policy(1, 60), at(0)).locks);
    }

    #[test]
    fn a_lock_holds_until_its_end_and_not_at_it() {
        let locked = LoginFailures {
            in_a_row: 0,
            locked_until: Some(at(60)),
        };
        assert_eq!(locked.lock_in_force(at(0)), Some(at(60)));
        assert_eq!(locked.lock_in_force(at(59)), Some(at(60)));
        assert_eq!(locked.lock_in_force(at(60)), None, "expired at its end");
        assert_eq!(CLEAN.lock_in_force(at(0)), None);
    }

    #[test]
    fn a_failure_after_an_expired_lock_counts_afresh() {
        let expired = LoginFailures {
            in_a_row: 4,
            locked_until: Some(at(-1)),
        };
        let failure = expired.after_failure(&policy(3, 60), at(0));
        assert_eq!(failure.in_a_row, 1);
        assert!(!failure.locks);
        assert_eq!(failure.stored.locked_until, None, "the old lock is cleared");
    }

    #[test]
    fn a_success_clears_only_what_is_there() {
        assert!(!CLEAN.need_clearing());
        let counted = LoginFailures {
            in_a_row: 1,
            locked_until: None,
        };
        assert!(counted.need_clearing());
        let expired = LoginFailures {
            in_a_row: 0,
            locked_until: Some(at(-1)),
        };
        assert!(expired.need_clearing());
    }
}
