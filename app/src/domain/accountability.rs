//! Rules of accountability items (问责): the steps an item takes, the notes it
//! gathers on the way, and which department answers for a region.

use std::collections::HashMap;

use entities::AccountabilityStatus;

use super::RegionCode;

/// Whether an item may move from `from` to `to`: one step at a time,
/// `open → acknowledged → closed`.
#[must_use]
pub fn may_move(from: AccountabilityStatus, to: AccountabilityStatus) -> bool {
    matches!(
        (from, to),
        (
            AccountabilityStatus::Open,
            AccountabilityStatus::Acknowledged
        ) | (
            AccountabilityStatus::Acknowledged,
            AccountabilityStatus::Closed
        )
    )
}

/// The item's notes after a step to `status` that came with `note`: notes
/// accumulate, one line each, naming the step; `None` while there are none.
#[must_use]
pub fn add_note(
    notes: Option<&str>,
    status: AccountabilityStatus,
    note: Option<&str>,
) -> Option<String> {
    let mut notes = notes.unwrap_or_default().to_owned();
    if let Some(text) = note {
        if !notes.is_empty() {
            notes.push('\n');
        }
        notes.push_str(&format!("[{status}] {text}"));
    }
    Some(notes).filter(|n| !n.is_empty())
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
    use AccountabilityStatus::{Acknowledged, Closed, Open};

    #[test]
    fn items_move_one_step_at_a_time() {
        for (from, to, allowed) in [
            (Open, Acknowledged, true),
            (Acknowledged, Closed, true),
            (Open, Closed, false),
            (Acknowledged, Open, false),
            (Closed, Open, false),
            (Open, Open, false),
        ] {
            assert_eq!(may_move(from, to), allowed, "{from} → {to}");
        }
    }

    #[test]
    fn notes_accumulate_one_line_per_step() {
        assert_eq!(add_note(None, Acknowledged, None), None);
        let first = add_note(None, Acknowledged, Some("seen"));
        assert_eq!(first.as_deref(), Some("[acknowledged] seen"));
        assert_eq!(
            add_note(first.as_deref(), Closed, Some("fixed")).as_deref(),
            Some("[acknowledged] seen\n[closed] fixed")
        );
        assert_eq!(
            add_note(Some("kept"), Closed, None).as_deref(),
            Some("kept")
        );
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
