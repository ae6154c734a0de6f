//! What a recomputation passes from step to step: the subjects, their sums,
//! their score rows, and the policy numbers it applies.

use entities::{Grade, SubjectKind, score, score_computation};

use crate::{
    config::Policy,
    domain::{
        Period, RegionCode,
        reporting::Deadlines,
        scoring::{Parts, Tally, WeightedSum, Weights},
    },
    service::Paged,
};

/// A scored subject: a department or an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubjectKey {
    /// Department or enterprise.
    pub kind: SubjectKind,
    /// The department's or enterprise's id.
    pub id: i64,
}

impl SubjectKey {
    /// A department.
    #[must_use]
    pub fn department(id: i64) -> Self {
        Self {
            kind: SubjectKind::Department,
            id,
        }
    }

    /// An enterprise.
    #[must_use]
    pub fn enterprise(id: i64) -> Self {
        Self {
            kind: SubjectKind::Enterprise,
            id,
        }
    }

    /// The subject a check or self-assessment names: its stored kind, and the
    /// id column of that kind. `None` when they do not name one.
    #[must_use]
    pub fn of_target(
        kind: &str,
        enterprise_id: Option<i64>,
        department_id: Option<i64>,
    ) -> Option<Self> {
        let kind = SubjectKind::from_name(kind)?;
        let id = match kind {
            SubjectKind::Enterprise => enterprise_id?,
            SubjectKind::Department => department_id?,
        };
        Some(Self { kind, id })
    }
}

/// One subject's sums while a recomputation gathers them.
#[derive(Debug, Clone, Default)]
pub struct SubjectSums {
    /// `None` for a national department.
    pub region_code: Option<RegionCode>,
    /// Data security from the latest findings of the checks reviewed.
    pub checked: Option<WeightedSum>,
    /// Data security from the submitted self-assessments.
    pub assessed: Option<SelfAssessed>,
    /// Scores of the published checks.
    pub inspection: Tally,
    /// The incidents' reporting points.
    pub reporting: Tally,
}

/// Data-security sums of a subject's submitted self-assessments.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SelfAssessed {
    /// Summed over the assessments pooled.
    pub sum: WeightedSum,
    /// The latest of them: the evidence when the assessment proves inflated.
    pub latest_id: i64,
}

/// A score row ready to write.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    /// Whose row it is.
    pub subject: SubjectKey,
    /// `None` for a national department.
    pub region_code: Option<RegionCode>,
    /// The parts, rounded.
    pub parts: Parts,
    /// The overall score, rounded.
    pub overall: Option<f64>,
    /// The overall score's grade.
    pub grade: Option<Grade>,
    /// Rank within the same kind and region level.
    pub rank: Option<i32>,
}

/// The policy numbers a recomputation applies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoringRules {
    /// Weights of the overall score.
    pub weights: Weights,
    /// Self-assessment points above the check that count as inflated.
    pub inflation_threshold: f64,
    /// Incident report deadlines.
    pub deadlines: Deadlines,
}

impl ScoringRules {
    /// The rules of a policy.
    #[must_use]
    pub fn of(policy: &Policy) -> Self {
        Self {
            weights: policy.scoring.weights(),
            inflation_threshold: policy.scoring.inflation_threshold,
            deadlines: policy.reporting.deadlines(),
        }
    }
}

/// Filters for listing scores.
#[derive(Debug, Clone, Default)]
pub struct ScoreFilter {
    /// Exactly this period.
    pub period: Option<Period>,
    /// Departments or enterprises.
    pub subject_kind: Option<SubjectKind>,
    /// Region code (its subtree) or prefix.
    pub region_code: Option<String>,
    pub grade: Option<Grade>,
}

/// A score with its subject's name.
#[derive(Debug, Clone)]
pub struct ScoreView {
    /// The stored row.
    pub score: score::Model,
    /// The department's or enterprise's name.
    pub name: String,
}

/// When a period was last computed and by whom, or that it never was.
#[derive(Debug, Clone)]
pub struct Computation {
    /// The period, in canonical form.
    pub period: String,
    /// Its last recomputation; `None` if it was never computed.
    pub last: Option<score_computation::Model>,
}

/// A page of scores, with where their period stands when one was asked for.
#[derive(Debug, Clone)]
pub struct ScoreList {
    /// The rows.
    pub scores: Paged<ScoreView>,
    /// The period's computation, when the filter names a period.
    pub computation: Option<Computation>,
}
