//! The check task's lifecycle: which step leaves which status, where it
//! leads, and who may take it.
//!
//! `assigned → in_progress → submitted → reviewed → published`, and
//! `submitted → returned → in_progress`. The task's inspectors start, record
//! findings and submit; supervisors in scope review, return and publish. A
//! redraw ends the open tasks of the draw it replaces: they become
//! `superseded`, which no step leaves. A supervisor may also take one open
//! task out of its draw (注销, 查无下落, 回避): it becomes `cancelled`, which no
//! step leaves either.

use entities::{Role, TaskStatus};

/// A lifecycle step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// An inspector starts (or resumes a returned task).
    Start,
    /// An inspector submits the findings.
    Submit,
    /// A supervisor accepts the findings; the score is computed.
    Review,
    /// A supervisor sends the task back.
    Return,
    /// A supervisor publishes the result (一公开).
    Publish,
    /// A supervisor takes the task out of its draw (注销, 查无下落, 回避), with a reason.
    Cancel,
}

/// Who takes a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taker {
    /// The inspectors on the task.
    TaskInspectors,
    /// Supervisors and administrators whose jurisdiction covers the task.
    Supervisors,
}

/// The roles that take the supervisors' steps.
pub const SUPERVISING_ROLES: [Role; 2] = [Role::Supervisor, Role::Admin];

/// The states in which a task waits for its inspectors: it can fall overdue.
pub const AWAITING_INSPECTORS: [TaskStatus; 3] = [
    TaskStatus::Assigned,
    TaskStatus::InProgress,
    TaskStatus::Returned,
];

/// The states a redraw ends: the task's work has not been accepted yet.
pub const SUPERSEDABLE: [TaskStatus; 4] = [
    TaskStatus::Assigned,
    TaskStatus::InProgress,
    TaskStatus::Submitted,
    TaskStatus::Returned,
];

/// The states in which a task is nobody's work any more: task lists leave
/// them out unless asked for them.
pub const VOID: [TaskStatus; 2] = [TaskStatus::Superseded, TaskStatus::Cancelled];

/// The states from which a supervisor may cancel a task: its inspectors have
/// not handed in their work yet.
pub const CANCELLABLE: [TaskStatus; 3] = AWAITING_INSPECTORS;

/// A step taken from a state it cannot leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot {} a task that is {}", .step.name(), .from)]
pub struct Refused {
    /// The step asked for.
    pub step: Step,
    /// The task's state.
    pub from: TaskStatus,
}

impl Step {
    /// Every step, in lifecycle order.
    pub const ALL: [Self; 6] = [
        Self::Start,
        Self::Submit,
        Self::Review,
        Self::Return,
        Self::Publish,
        Self::Cancel,
    ];

    /// The verb in Chinese, for messages.
    #[must_use]
    pub fn zh(self) -> &'static str {
        match self {
            Self::Start => "开始检查",
            Self::Submit => "提交",
            Self::Review => "审核",
            Self::Return => "退回",
            Self::Publish => "公示",
            Self::Cancel => "取消",
        }
    }

    /// The verb, as in `task.start` in the audit log.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Submit => "submit",
            Self::Review => "review",
            Self::Return => "return",
            Self::Publish => "publish",
            Self::Cancel => "cancel",
        }
    }

    /// Who takes it.
    #[must_use]
    pub fn taken_by(self) -> Taker {
        match self {
            Self::Start | Self::Submit => Taker::TaskInspectors,
            Self::Review | Self::Return | Self::Publish | Self::Cancel => Taker::Supervisors,
        }
    }

    /// The states the step may leave.
    #[must_use]
    pub fn leaves(self) -> &'static [TaskStatus] {
        match self {
            Self::Start => &[TaskStatus::Assigned, TaskStatus::Returned],
            Self::Submit => &[TaskStatus::InProgress],
            Self::Review | Self::Return => &[TaskStatus::Submitted],
            Self::Publish => &[TaskStatus::Reviewed],
            Self::Cancel => &CANCELLABLE,
        }
    }

    /// The state the step reaches.
    #[must_use]
    pub fn reaches(self) -> TaskStatus {
        match self {
            Self::Start => TaskStatus::InProgress,
            Self::Submit => TaskStatus::Submitted,
            Self::Review => TaskStatus::Reviewed,
            Self::Return => TaskStatus::Returned,
            Self::Publish => TaskStatus::Published,
            Self::Cancel => TaskStatus::Cancelled,
        }
    }

    /// The state after taking the step from `from`.
    ///
    /// # Errors
    /// [`Refused`] when the step cannot leave `from`.
    pub fn apply(self, from: TaskStatus) -> Result<TaskStatus, Refused> {
        if self.leaves().contains(&from) {
            Ok(self.reaches())
        } else {
            Err(Refused { step: self, from })
        }
    }
}

/// Findings are recorded while the inspectors are at work, and only then.
#[must_use]
pub fn accepts_findings(status: TaskStatus) -> bool {
    status == TaskStatus::InProgress
}

/// What is known of a caller, for deciding whether they may take a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The caller's role.
    pub role: Role,
    /// Whether the task's region lies in the caller's jurisdiction.
    pub covers_task: bool,
    /// Whether the caller is one of the task's inspectors.
    pub on_task: bool,
    /// Whether the caller may read the task (it is in their task list).
    pub sees_task: bool,
}

/// Whether a caller may take a step on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// They may.
    Allowed,
    /// They may see the task but not take the step (403).
    Forbidden,
    /// They learn nothing of the task (404).
    Hidden,
}

/// Whether `caller` may take `step`. Someone who can see the task but may not
/// take the step is told so (an inspector reviewing their own task, a
/// supervisor starting one); others learn nothing of it.
#[must_use]
pub fn access(step: Step, caller: Caller) -> Access {
    let allowed = match step.taken_by() {
        Taker::TaskInspectors => caller.on_task,
        Taker::Supervisors => caller.covers_task && SUPERVISING_ROLES.contains(&caller.role),
    };
    if allowed {
        Access::Allowed
    } else if caller.sees_task || caller.on_task {
        Access::Forbidden
    } else {
        Access::Hidden
    }
}

/// The published verdict on a check: hazards found outrank the score, and a
/// score of 60 or more complies.
#[must_use]
pub fn publication_result(score: Option<f64>, hazards_found: bool) -> &'static str {
    match (score, hazards_found) {
        (_, true) => "hazards_found",
        (Some(score), false) if score >= 60.0 => "compliant",
        (Some(_), false) => "non_compliant",
        (None, false) => "checked",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_transition_reaches_its_state() {
        let allowed = [
            (Step::Start, TaskStatus::Assigned, TaskStatus::InProgress),
            (Step::Start, TaskStatus::Returned, TaskStatus::InProgress),
            (Step::Submit, TaskStatus::InProgress, TaskStatus::Submitted),
            (Step::Review, TaskStatus::Submitted, TaskStatus::Reviewed),
            (Step::Return, TaskStatus::Submitted, TaskStatus::Returned),
            (Step::Publish, TaskStatus::Reviewed, TaskStatus::Published),
            (Step::Cancel, TaskStatus::Assigned, TaskStatus::Cancelled),
            (Step::Cancel, TaskStatus::InProgress, TaskStatus::Cancelled),
            (Step::Cancel, TaskStatus::Returned, TaskStatus::Cancelled),
        ];
        for (step, from, to) in allowed {
            assert_eq!(step.apply(from), Ok(to), "{} from {from}", step.name());
        }
        for step in Step::ALL {
            for &from in TaskStatus::ALL {
                let listed = allowed.iter().any(|(s, f, _)| *s == step && *f == from);
                assert_eq!(
                    step.apply(from).is_ok(),
                    listed,
                    "{} from {from}: allowed only when listed",
                    step.name()
                );
            }
        }
    }

    #[test]
    fn a_refused_transition_names_the_step_and_the_state() {
        let refused = Step::Publish.apply(TaskStatus::Submitted);
        assert_eq!(
            refused.map_err(|e| e.to_string()),
            Err("cannot publish a task that is submitted".to_owned())
        );
        assert!(
            Step::ALL
                .iter()
                .all(|s| s.apply(TaskStatus::Published).is_err()),
            "a published task is final"
        );
    }

    #[test]
    fn inspectors_start_and_submit_supervisors_do_the_rest() {
        let takers: Vec<Taker> = Step::ALL.iter().map(|s| s.taken_by()).collect();
        assert_eq!(
            takers,
            [
                Taker::TaskInspectors,
                Taker::TaskInspectors,
                Taker::Supervisors,
                Taker::Supervisors,
                Taker::Supervisors,
                Taker::Supervisors,
            ]
        );
    }

    #[test]
    fn a_task_awaits_its_inspectors_in_the_states_their_steps_leave() {
        let mut leaves: Vec<TaskStatus> = Step::ALL
            .iter()
            .filter(|s| s.taken_by() == Taker::TaskInspectors)
            .flat_map(|s| s.leaves().iter().copied())
            .collect();
        leaves.sort();
        let mut awaiting = AWAITING_INSPECTORS.to_vec();
        awaiting.sort();
        assert_eq!(leaves, awaiting);
        assert!(accepts_findings(TaskStatus::InProgress));
        for &status in TaskStatus::ALL {
            assert_eq!(
                accepts_findings(status),
                status == TaskStatus::InProgress,
                "findings on a task that is {status}"
            );
        }
    }

    /// A caller; inspectors see the tasks they are on, departments none of
    /// these (the targets are enterprises), others the tasks they cover.
    fn caller(role: Role, covers_task: bool, on_task: bool) -> Caller {
        let sees_task = match role {
            Role::Inspector => on_task,
            Role::Department => false,
            _ => covers_task,
        };
        Caller {
            role,
            covers_task,
            on_task,
            sees_task,
        }
    }

    #[test]
    fn only_the_task_inspectors_take_the_inspector_steps() {
        let cases = [
            (
                caller(Role::Inspector, true, true),
                Access::Allowed,
                "on the task",
            ),
            (
                caller(Role::Admin, false, true),
                Access::Allowed,
                "on it, wherever they sit",
            ),
            (
                caller(Role::Inspector, true, false),
                Access::Hidden,
                "another inspector",
            ),
            (
                caller(Role::Supervisor, true, false),
                Access::Forbidden,
                "a supervisor in scope",
            ),
            (
                caller(Role::Admin, true, false),
                Access::Forbidden,
                "an admin in scope",
            ),
            (
                caller(Role::Leader, true, false),
                Access::Forbidden,
                "a leader in scope",
            ),
            (
                caller(Role::Department, true, false),
                Access::Hidden,
                "a department whose task list does not hold it",
            ),
            (
                Caller {
                    sees_task: true,
                    ..caller(Role::Department, true, false)
                },
                Access::Forbidden,
                "the department the task checks",
            ),
            (
                caller(Role::Supervisor, false, false),
                Access::Hidden,
                "out of scope",
            ),
        ];
        for step in [Step::Start, Step::Submit] {
            for (who, expected, why) in cases {
                assert_eq!(access(step, who), expected, "{}: {why}", step.name());
            }
        }
    }

    #[test]
    fn supervisors_in_scope_review_return_and_publish() {
        let cases = [
            (
                caller(Role::Supervisor, true, false),
                Access::Allowed,
                "a supervisor in scope",
            ),
            (
                caller(Role::Admin, true, false),
                Access::Allowed,
                "an admin in scope",
            ),
            (
                caller(Role::Leader, true, false),
                Access::Forbidden,
                "a leader reads only",
            ),
            (
                caller(Role::Department, true, false),
                Access::Hidden,
                "a department",
            ),
            (
                caller(Role::Inspector, true, true),
                Access::Forbidden,
                "the task's inspector sees it but may not",
            ),
            (
                caller(Role::Inspector, true, false),
                Access::Hidden,
                "another inspector",
            ),
            (
                Caller {
                    sees_task: true,
                    ..caller(Role::Department, true, false)
                },
                Access::Forbidden,
                "the department the task checks",
            ),
            (
                caller(Role::Admin, false, true),
                Access::Forbidden,
                "an admin on the team, out of scope",
            ),
            (
                caller(Role::Supervisor, false, false),
                Access::Hidden,
                "out of scope",
            ),
            (
                caller(Role::Admin, false, false),
                Access::Hidden,
                "an admin out of scope",
            ),
        ];
        for step in [Step::Review, Step::Return, Step::Publish] {
            for (who, expected, why) in cases {
                assert_eq!(access(step, who), expected, "{}: {why}", step.name());
            }
        }
    }

    #[test]
    fn a_superseded_task_is_left_by_no_step_and_is_void() {
        for step in Step::ALL {
            assert!(
                step.apply(TaskStatus::Superseded).is_err(),
                "{} from superseded",
                step.name()
            );
        }
        assert!(!accepts_findings(TaskStatus::Superseded));
        assert!(VOID.contains(&TaskStatus::Superseded));
        for step in Step::ALL {
            assert!(
                step.apply(TaskStatus::Cancelled).is_err(),
                "{} from cancelled",
                step.name()
            );
        }
        assert!(VOID.contains(&TaskStatus::Cancelled));
        for status in SUPERSEDABLE {
            assert!(
                !matches!(status, TaskStatus::Reviewed | TaskStatus::Published),
                "accepted work is never superseded: {status}"
            );
        }
    }

    #[test]
    fn hazards_outrank_the_score_in_the_published_result() {
        let cases = [
            (Some(95.0), true, "hazards_found"),
            (None, true, "hazards_found"),
            (Some(60.0), false, "compliant"),
            (Some(59.99), false, "non_compliant"),
            (None, false, "checked"),
        ];
        for (score, hazards, expected) in cases {
            assert_eq!(
                publication_result(score, hazards),
                expected,
                "score {score:?}, hazards {hazards}"
            );
        }
    }
}
