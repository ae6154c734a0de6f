//! Locking logins after repeated failures (等级保护: 登录失败处理), in a way that
//! an attacker cannot turn against the account's owner.
//!
//! Failures are counted under two keys: the account name *from one client
//! address*, and the account name *from everywhere*. The first locks at
//! `lockout_threshold` (5): a guesser is stopped, while the owner, typing from
//! another address, still gets in. The second locks the whole account only at
//! the much higher `account_lockout_threshold` (20), which takes guesses from
//! several addresses, and that lock is audited for the administrators.
//!
//! Names that belong to no account are counted exactly like real ones, so a
//! 429 says nothing about which usernames exist. A count starts afresh when
//! its last failure is older than `failure_window_secs` or when an earlier
//! lock has expired; a successful login clears the count of its address.

use chrono::{DateTime, Duration, Utc};

use crate::config::SecurityPolicy;

/// The failed logins counted under one key, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Failures {
    /// Failures since the count last started.
    pub count: i32,
    /// The latest failure.
    pub last_failed_at: Option<DateTime<Utc>>,
    /// The end of the last lock, in force or expired.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Which count a lock is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockScope {
    /// The account from one client address.
    Address,
    /// The account from everywhere.
    Account,
}

/// A lock in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lock {
    /// Which count is locked.
    pub scope: LockScope,
    /// When the lock ends.
    pub until: DateTime<Utc>,
}

impl Lock {
    /// Whole seconds until the lock ends, at least 1: the `Retry-After` value.
    #[must_use]
    pub fn retry_after_secs(&self, now: DateTime<Utc>) -> u64 {
        let millis = u64::try_from((self.until - now).num_milliseconds()).unwrap_or(0);
        millis.div_ceil(1_000).max(1)
    }
}

/// The counting rule of one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The failure that reaches this count locks.
    pub threshold: i32,
    /// How long a lock lasts.
    pub lock_for: Duration,
    /// A failure older than this no longer counts.
    pub window: Duration,
}

impl Rule {
    /// The rule of an account from one client address.
    #[must_use]
    pub fn per_address(policy: &SecurityPolicy) -> Self {
        Self::with_threshold(policy, policy.lockout_threshold)
    }

    /// The rule of an account from everywhere.
    #[must_use]
    pub fn account_wide(policy: &SecurityPolicy) -> Self {
        Self::with_threshold(policy, policy.account_lockout_threshold)
    }

    fn with_threshold(policy: &SecurityPolicy, threshold: u32) -> Self {
        let secs = |s: u64| Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX / 2_000));
        Self {
            threshold: i32::try_from(threshold).unwrap_or(i32::MAX),
            lock_for: secs(policy.lockout_secs),
            window: secs(policy.failure_window_secs),
        }
    }

    /// The count after one more failure at `now`; call it only when no lock
    /// of this key is in force.
    #[must_use]
    pub fn after_failure(&self, before: Failures, now: DateTime<Utc>) -> Counted {
        let stale = before
            .last_failed_at
            .is_none_or(|last| now - last >= self.window);
        let count = if before.locked_until.is_some() || stale {
            1
        } else {
            before.count.saturating_add(1)
        };
        let locks = count >= self.threshold;
        let stored = Failures {
            // The count starts again under the lock.
            count: if locks { 0 } else { count },
            last_failed_at: Some(now),
            locked_until: locks.then(|| now + self.lock_for),
        };
        Counted {
            count,
            stored,
            locks,
        }
    }
}

/// What one failure did to one key's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Failures counted, this one included.
    pub count: i32,
    /// What to store.
    pub stored: Failures,
    /// Whether this failure locks.
    pub locks: bool,
}

/// The two counts a login is judged by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginFailures {
    /// The account from this client address.
    pub from_address: Failures,
    /// The account from everywhere.
    pub account: Failures,
}

/// What one failed login did to both counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// The count of the account from this address.
    pub from_address: Counted,
    /// The count of the account from everywhere.
    pub account: Counted,
}

impl LoginFailures {
    /// The lock in force at `now`, if any; of two, the one that ends later.
    #[must_use]
    pub fn lock_in_force(&self, now: DateTime<Utc>) -> Option<Lock> {
        let lock = |failures: &Failures, scope| {
            failures
                .locked_until
                .filter(|until| *until > now)
                .map(|until| Lock { scope, until })
        };
        match (
            lock(&self.from_address, LockScope::Address),
            lock(&self.account, LockScope::Account),
        ) {
            (Some(a), Some(b)) => Some(if b.until >= a.until { b } else { a }),
            (a, b) => a.or(b),
        }
    }

    /// Both counts after one more failure at `now`; call it only when no
    /// lock is in force.
    #[must_use]
    pub fn after_failure(&self, policy: &SecurityPolicy, now: DateTime<Utc>) -> Failure {
        Failure {
            from_address: Rule::per_address(policy).after_failure(self.from_address, now),
            account: Rule::account_wide(policy).after_failure(self.account, now),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(per_address: u32, account: u32) -> SecurityPolicy {
        SecurityPolicy {
            lockout_threshold: per_address,
            account_lockout_threshold: account,
            lockout_secs: 60,
            failure_window_secs: 600,
            ..SecurityPolicy::default()
        }
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap_or_default()
    }

    /// `n` failures a second apart from a clean start; the counts and what locked.
    fn fail(policy: &SecurityPolicy, n: i64) -> (LoginFailures, Vec<Failure>) {
        let mut state = LoginFailures::default();
        let mut failures = Vec::new();
        for second in 0..n {
            assert_eq!(state.lock_in_force(at(second)), None, "failure {second}");
            let failure = state.after_failure(policy, at(second));
            state = LoginFailures {
                from_address: failure.from_address.stored,
                account: failure.account.stored,
            };
            failures.push(failure);
        }
        (state, failures)
    }

    #[test]
    fn failures_below_the_threshold_are_counted() {
        let (state, failures) = fail(&policy(3, 10), 2);
        assert_eq!(failures[1].from_address.count, 2);
        assert!(!failures[1].from_address.locks);
        assert_eq!(state.from_address.count, 2);
        assert_eq!(state.from_address.last_failed_at, Some(at(1)));
        assert_eq!(state.lock_in_force(at(2)), None);
    }

    #[test]
    fn the_threshold_th_failure_from_an_address_locks_that_address_only() {
        let (state, failures) = fail(&policy(3, 10), 3);
        let third = failures[2];
        assert_eq!(third.from_address.count, 3, "the count includes this one");
        assert!(third.from_address.locks);
        assert!(!third.account.locks, "3 of 10 for the account");
        assert_eq!(state.from_address.count, 0, "counted afresh under the lock");
        assert_eq!(
            state.lock_in_force(at(2)),
            Some(Lock {
                scope: LockScope::Address,
                until: at(62)
            })
        );
        let elsewhere = LoginFailures {
            from_address: Failures::default(),
            account: state.account,
        };
        assert_eq!(
            elsewhere.lock_in_force(at(2)),
            None,
            "another address is not locked"
        );
    }

    #[test]
    fn the_account_locks_only_at_its_own_higher_threshold() {
        let policy = policy(3, 7);
        let mut account = Failures::default();
        let mut locked_at = None;
        // Two failures from each of many addresses: no address reaches 3.
        for second in 0..10 {
            let state = LoginFailures {
                from_address: Failures::default(),
                account,
            };
            if state.lock_in_force(at(second)).is_some() {
                break;
            }
            let failure = state.after_failure(&policy, at(second));
            account = failure.account.stored;
            if failure.account.locks {
                locked_at = Some(second);
            }
        }
        assert_eq!(locked_at, Some(6), "the seventh failure locks the account");
        let state = LoginFailures {
            from_address: Failures::default(),
            account,
        };
        assert_eq!(
            state.lock_in_force(at(7)).map(|l| l.scope),
            Some(LockScope::Account)
        );
    }

    #[test]
    fn a_threshold_of_one_locks_at_the_first_failure() {
        let (_, failures) = fail(&policy(1, 1), 1);
        assert!(failures[0].from_address.locks && failures[0].account.locks);
    }

    #[test]
    fn a_lock_holds_until_its_end_and_not_at_it() {
        let locked = LoginFailures {
            from_address: Failures {
                count: 0,
                last_failed_at: Some(at(0)),
                locked_until: Some(at(60)),
            },
            account: Failures::default(),
        };
        assert_eq!(locked.lock_in_force(at(59)).map(|l| l.until), Some(at(60)));
        assert_eq!(locked.lock_in_force(at(60)), None, "expired at its end");
        assert_eq!(LoginFailures::default().lock_in_force(at(0)), None);
    }

    #[test]
    fn of_two_locks_the_later_end_is_answered() {
        let until = |s| Failures {
            count: 0,
            last_failed_at: Some(at(0)),
            locked_until: Some(at(s)),
        };
        let both = LoginFailures {
            from_address: until(30),
            account: until(90),
        };
        assert_eq!(
            both.lock_in_force(at(1)),
            Some(Lock {
                scope: LockScope::Account,
                until: at(90)
            })
        );
    }

    #[test]
    fn a_failure_after_an_expired_lock_or_outside_the_window_counts_afresh() {
        let rule = Rule::per_address(&policy(3, 10));
        let expired = Failures {
            count: 2,
            last_failed_at: Some(at(0)),
            locked_until: Some(at(-1)),
        };
        let counted = rule.after_failure(expired, at(1));
        assert_eq!((counted.count, counted.locks), (1, false));
        assert_eq!(counted.stored.locked_until, None, "the old lock is cleared");

        let old = Failures {
            count: 2,
            last_failed_at: Some(at(0)),
            locked_until: None,
        };
        assert_eq!(
            rule.after_failure(old, at(599)).count,
            3,
            "inside the window"
        );
        assert_eq!(rule.after_failure(old, at(600)).count, 1, "outside it");
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        let lock = Lock {
            scope: LockScope::Address,
            until: at(60),
        };
        assert_eq!(lock.retry_after_secs(at(0)), 60);
        let just_before = at(59) + Duration::milliseconds(1);
        assert_eq!(lock.retry_after_secs(just_before), 1);
        assert_eq!(lock.retry_after_secs(at(61)), 1, "never 0");
    }
}
