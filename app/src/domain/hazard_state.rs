//! A hidden hazard's rectification (整改): which step leaves which status,
//! where it leads, who may take it, and how its status is shown.
//!
//! `open → rectified → verified` (销号), and `rectified → open` when the
//! rectification is sent back. The enterprise's department (a department user
//! whose jurisdiction covers the enterprise) reports it rectified; supervisors
//! in scope, or the inspectors of the check that found it, verify it or send it
//! back. An open hazard past its deadline is shown as `overdue`, and a hazard
//! whose finding was withdrawn (it has a `withdrawn_at`) is shown as
//! `withdrawn` and takes no step: neither is ever stored as a status.

use chrono::NaiveDate;
use entities::{HazardStatus, HazardStep, Role};

use crate::{i18n::Msg, msg};

/// The roles that report a hazard rectified.
pub const RECTIFYING_ROLES: [Role; 2] = [Role::Department, Role::Admin];

/// The roles that verify a rectification or send it back, besides the
/// inspectors of the check that found the hazard.
pub const VERIFYING_ROLES: [Role; 2] = [Role::Supervisor, Role::Admin];

/// The status a hazard is shown with on `today` (China time): `withdrawn`
/// once its finding was withdrawn, `overdue` when open past its deadline,
/// else the stored one.
#[must_use]
pub fn shown_status(
    stored: HazardStatus,
    rectify_by: NaiveDate,
    withdrawn: bool,
    today: NaiveDate,
) -> HazardStatus {
    if withdrawn {
        HazardStatus::Withdrawn
    } else if stored == HazardStatus::Open && rectify_by < today {
        HazardStatus::Overdue
    } else {
        stored
    }
}

/// The stored status of a hazard an imported list writes: the list's
/// rectification day says whether it is rectified, but a verification (销号)
/// made here stands.
#[must_use]
pub fn status_after_import(
    stored: Option<HazardStatus>,
    rectified_on: Option<NaiveDate>,
) -> HazardStatus {
    match stored {
        Some(HazardStatus::Verified) => HazardStatus::Verified,
        _ if rectified_on.is_some() => HazardStatus::Rectified,
        _ => HazardStatus::Open,
    }
}

/// The Chinese name of a status, for messages.
#[must_use]
pub fn status_zh(status: HazardStatus) -> &'static str {
    match status {
        HazardStatus::Open => "待整改",
        HazardStatus::Rectified => "已整改待销号",
        HazardStatus::Verified => "已销号",
        HazardStatus::Overdue => "逾期未整改",
        HazardStatus::Withdrawn => "已撤回",
    }
}

/// The Chinese verb of a step, for messages.
#[must_use]
pub fn step_zh(step: HazardStep) -> &'static str {
    match step {
        HazardStep::Rectify => "报告整改",
        HazardStep::Verify => "销号",
        HazardStep::Reopen => "退回",
    }
}

/// The stored statuses a step may leave.
#[must_use]
pub fn leaves(step: HazardStep) -> &'static [HazardStatus] {
    match step {
        HazardStep::Rectify => &[HazardStatus::Open],
        HazardStep::Verify | HazardStep::Reopen => &[HazardStatus::Rectified],
    }
}

/// The stored status a step reaches.
#[must_use]
pub fn reaches(step: HazardStep) -> HazardStatus {
    match step {
        HazardStep::Rectify => HazardStatus::Rectified,
        HazardStep::Verify => HazardStatus::Verified,
        HazardStep::Reopen => HazardStatus::Open,
    }
}

/// The stored status after taking `step` from `from`, the status the hazard
/// is shown with (`withdrawn` when its finding was withdrawn).
///
/// # Errors
/// A message naming the step and the status when the step cannot leave it.
pub fn apply(step: HazardStep, from: HazardStatus) -> Result<HazardStatus, Msg> {
    let stored = if from == HazardStatus::Overdue {
        HazardStatus::Open
    } else {
        from
    };
    if leaves(step).contains(&stored) {
        Ok(reaches(step))
    } else if from == HazardStatus::Withdrawn {
        let verb = step_zh(step);
        Err(msg!(
            "隐患已随其检查结果撤回，不在清单上，不能{verb}",
            "cannot {step} a hazard withdrawn with its finding: it is off the list"
        ))
    } else {
        let (status, verb) = (status_zh(from), step_zh(step));
        Err(msg!(
            "隐患{status}，不能{verb}",
            "cannot {step} a hazard that is {from}"
        ))
    }
}

/// What is known of a caller, for deciding whether they may take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The caller's role.
    pub role: Role,
    /// Whether the enterprise's region lies in the caller's jurisdiction.
    pub covers: bool,
    /// Whether the caller is an inspector of the check that found the hazard.
    pub on_task: bool,
}

impl Caller {
    /// Whether the caller may see the hazard at all.
    #[must_use]
    pub fn sees(self) -> bool {
        self.covers || self.on_task
    }
}

/// Whether a caller may take a step on a hazard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// They may.
    Allowed,
    /// They see the hazard but may not take the step (403).
    Forbidden,
    /// They learn nothing of it (404).
    Hidden,
}

/// Whether `caller` may take `step`.
#[must_use]
pub fn access(step: HazardStep, caller: Caller) -> Access {
    if !caller.sees() {
        return Access::Hidden;
    }
    let allowed = match step {
        HazardStep::Rectify => caller.covers && RECTIFYING_ROLES.contains(&caller.role),
        HazardStep::Verify | HazardStep::Reopen => {
            caller.on_task || (caller.covers && VERIFYING_ROLES.contains(&caller.role))
        }
    };
    if allowed {
        Access::Allowed
    } else {
        Access::Forbidden
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn every_allowed_transition_reaches_its_status() {
        let allowed = [
            (
                HazardStep::Rectify,
                HazardStatus::Open,
                HazardStatus::Rectified,
            ),
            (
                HazardStep::Verify,
                HazardStatus::Rectified,
                HazardStatus::Verified,
            ),
            (
                HazardStep::Reopen,
                HazardStatus::Rectified,
                HazardStatus::Open,
            ),
        ];
        for &step in HazardStep::ALL {
            let stored = [
                HazardStatus::Open,
                HazardStatus::Rectified,
                HazardStatus::Verified,
            ];
            for from in stored {
                let listed = allowed.iter().find(|(s, f, _)| *s == step && *f == from);
                assert_eq!(
                    apply(step, from).ok(),
                    listed.map(|(_, _, to)| *to),
                    "{step} from {from}"
                );
            }
        }
    }

    #[test]
    fn a_withdrawn_hazard_takes_no_step_and_says_why() {
        for &step in HazardStep::ALL {
            let refused = apply(step, HazardStatus::Withdrawn).err();
            assert!(
                refused
                    .as_ref()
                    .is_some_and(|m| m.zh().contains("撤回") && m.en().contains("withdrawn")),
                "{step}: {refused:?}"
            );
        }
    }

    #[test]
    fn an_overdue_hazard_is_rectified_like_an_open_one() {
        assert_eq!(
            apply(HazardStep::Rectify, HazardStatus::Overdue).ok(),
            Some(HazardStatus::Rectified)
        );
    }

    #[test]
    fn a_refused_step_names_the_step_and_the_status_in_both_languages() {
        let refused = apply(HazardStep::Verify, HazardStatus::Open).err();
        assert_eq!(
            refused.as_ref().map(Msg::en),
            Some("cannot verify a hazard that is open")
        );
        assert_eq!(refused.as_ref().map(Msg::zh), Some("隐患待整改，不能销号"));
    }

    #[test]
    fn an_open_hazard_past_its_deadline_shows_overdue() {
        let today = d(2026, 12, 7);
        let cases = [
            (HazardStatus::Open, d(2026, 12, 6), HazardStatus::Overdue),
            (HazardStatus::Open, d(2026, 12, 7), HazardStatus::Open),
            (
                HazardStatus::Rectified,
                d(2026, 12, 1),
                HazardStatus::Rectified,
            ),
            (
                HazardStatus::Verified,
                d(2026, 12, 1),
                HazardStatus::Verified,
            ),
        ];
        for (stored, deadline, shown) in cases {
            assert_eq!(
                shown_status(stored, deadline, false, today),
                shown,
                "{stored} due {deadline}"
            );
        }
    }

    #[test]
    fn a_withdrawn_hazard_shows_withdrawn_whatever_it_stored() {
        let today = d(2026, 12, 7);
        for stored in [
            HazardStatus::Open,
            HazardStatus::Rectified,
            HazardStatus::Verified,
        ] {
            assert_eq!(
                shown_status(stored, d(2026, 12, 1), true, today),
                HazardStatus::Withdrawn,
                "{stored}"
            );
        }
    }

    #[test]
    fn an_imported_list_says_whether_a_hazard_is_rectified_but_not_undo_a_verification() {
        let day = Some(d(2026, 11, 20));
        let cases = [
            (None, None, HazardStatus::Open),
            (None, day, HazardStatus::Rectified),
            (Some(HazardStatus::Open), day, HazardStatus::Rectified),
            (Some(HazardStatus::Rectified), None, HazardStatus::Open),
            (Some(HazardStatus::Verified), None, HazardStatus::Verified),
        ];
        for (stored, rectified_on, expected) in cases {
            assert_eq!(
                status_after_import(stored, rectified_on),
                expected,
                "{stored:?} rectified {rectified_on:?}"
            );
        }
    }

    fn caller(role: Role, covers: bool, on_task: bool) -> Caller {
        Caller {
            role,
            covers,
            on_task,
        }
    }

    #[test]
    fn the_department_in_scope_reports_the_rectification() {
        let cases = [
            (caller(Role::Department, true, false), Access::Allowed),
            (caller(Role::Admin, true, false), Access::Allowed),
            (caller(Role::Supervisor, true, false), Access::Forbidden),
            (caller(Role::Leader, true, false), Access::Forbidden),
            (caller(Role::Inspector, true, true), Access::Forbidden),
            (caller(Role::Inspector, false, true), Access::Forbidden),
            (caller(Role::Department, false, false), Access::Hidden),
            (caller(Role::Admin, false, false), Access::Hidden),
        ];
        for (who, expected) in cases {
            assert_eq!(access(HazardStep::Rectify, who), expected, "{who:?}");
        }
    }

    #[test]
    fn supervisors_in_scope_and_the_checks_inspectors_verify_or_send_back() {
        let cases = [
            (caller(Role::Supervisor, true, false), Access::Allowed),
            (caller(Role::Admin, true, false), Access::Allowed),
            (caller(Role::Inspector, true, true), Access::Allowed),
            (caller(Role::Inspector, false, true), Access::Allowed),
            (caller(Role::Inspector, true, false), Access::Forbidden),
            (caller(Role::Department, true, false), Access::Forbidden),
            (caller(Role::Leader, true, false), Access::Forbidden),
            (caller(Role::Supervisor, false, false), Access::Hidden),
        ];
        for step in [HazardStep::Verify, HazardStep::Reopen] {
            for (who, expected) in cases {
                assert_eq!(access(step, who), expected, "{step}: {who:?}");
            }
        }
    }
}
