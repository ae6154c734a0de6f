//! Rules of accountability items (问责): the steps an item takes, who takes
//! them and what each needs, and which department answers for a region.
//!
//! Handlers (supervisors and admins in scope) move an item `open →
//! acknowledged → closed`. The unit held to account may answer it (说明/申辩)
//! while it is `open` or `acknowledged`; it is then `answered` until a handler
//! accepts the answer (`closed`) or rejects it (back to `open`, where it may be
//! answered again).

use std::collections::HashMap;

use entities::AccountabilityStatus;

use super::RegionCode;

/// One step of an item's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A handler takes note of it: `open → acknowledged`.
    Acknowledge,
    /// A handler closes it: `acknowledged → closed`.
    Close,
    /// The unit held to account explains itself: `open` or `acknowledged → answered`.
    Answer,
    /// A handler accepts the answer: `answered → closed`.
    Accept,
    /// A handler rejects the answer: `answered → open`.
    Reject,
}

impl Step {
    /// The step a handler takes to move an item from `from` to `to`, if any.
    #[must_use]
    pub fn by_handler(from: AccountabilityStatus, to: AccountabilityStatus) -> Option<Self> {
        use AccountabilityStatus::{Acknowledged, Answered, Closed, Open};
        match (from, to) {
            (Open, Acknowledged) => Some(Self::Acknowledge),
            (Acknowledged, Closed) => Some(Self::Close),
            (Answered, Closed) => Some(Self::Accept),
            (Answered, Open) => Some(Self::Reject),
            _ => None,
        }
    }

    /// Whether the unit held to account may answer an item in this state.
    #[must_use]
    pub fn answerable(status: AccountabilityStatus) -> bool {
        matches!(
            status,
            AccountabilityStatus::Open | AccountabilityStatus::Acknowledged
        )
    }

    /// The step that took an item from `from` to `to`, as its history shows it.
    #[must_use]
    pub fn between(from: AccountabilityStatus, to: AccountabilityStatus) -> Option<Self> {
        if to == AccountabilityStatus::Answered && Self::answerable(from) {
            return Some(Self::Answer);
        }
        Self::by_handler(from, to)
    }

    /// Whether the step must say something: how the item was dealt with, the
    /// answer itself, or why an answer was accepted or rejected.
    #[must_use]
    pub fn needs_text(self) -> bool {
        !matches!(self, Self::Acknowledge)
    }

    /// The step's name in answers: `acknowledge`, `close`, `answer`, `accept`, `reject`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledge",
            Self::Close => "close",
            Self::Answer => "answer",
            Self::Accept => "accept",
            Self::Reject => "reject",
        }
    }
}

/// The department that answers for a region: the emergency-management
/// department of the region, else of its city, of its province, and finally
/// the national one (`""` in `by_region`, which also serves a region unknown).
#[must_use]
pub fn supervisor_of(by_region: &HashMap<String, i64>, region: Option<&RegionCode>) -> Option<i64> {
    let mut code = region.cloned();
    while let Some(current) = code {
        if let Some(id) = by_region.get(current.as_str()) {
            return Some(*id);
        }
        code = current
            .implied_parent()
            .and_then(|p| RegionCode::parse(&p).ok());
    }
    by_region.get("").copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountabilityStatus::{Acknowledged, Answered, Closed, Open};

    #[test]
    fn handlers_move_items_one_step_at_a_time_and_decide_answers() {
        for (from, to, step) in [
            (Open, Acknowledged, Some(Step::Acknowledge)),
            (Acknowledged, Closed, Some(Step::Close)),
            (Answered, Closed, Some(Step::Accept)),
            (Answered, Open, Some(Step::Reject)),
            (Open, Closed, None),
            (Acknowledged, Open, None),
            (Closed, Open, None),
            (Open, Open, None),
            (Open, Answered, None),
            (Answered, Acknowledged, None),
        ] {
            assert_eq!(Step::by_handler(from, to), step, "{from} → {to}");
        }
    }

    #[test]
    fn the_subject_answers_open_or_acknowledged_items_only() {
        assert!(Step::answerable(Open));
        assert!(Step::answerable(Acknowledged));
        assert!(!Step::answerable(Answered), "one answer awaits a decision");
        assert!(!Step::answerable(Closed));
        assert_eq!(Step::between(Acknowledged, Answered), Some(Step::Answer));
        assert_eq!(Step::between(Answered, Open), Some(Step::Reject));
        assert!(!Step::Acknowledge.needs_text());
        assert!(Step::Reject.needs_text() && Step::Answer.needs_text());
    }

    #[test]
    fn the_supervisor_is_found_by_walking_up_the_regions() {
        let by_region = HashMap::from([
            ("130000".to_owned(), 1),
            ("130100".to_owned(), 2),
            (String::new(), 9),
        ]);
        let of = |code: &str| supervisor_of(&by_region, RegionCode::parse(code).ok().as_ref());
        assert_eq!(of("130102"), Some(2), "its city's");
        assert_eq!(of("130100"), Some(2), "its own");
        assert_eq!(of("130203"), Some(1), "its province's");
        assert_eq!(of("110101"), Some(9), "the ministry");
        assert_eq!(supervisor_of(&HashMap::new(), None), None);
    }
}
