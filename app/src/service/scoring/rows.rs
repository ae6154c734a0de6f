//! From each subject's sums to its score row: the parts, overall, grade and
//! rank; and the self-assessments found inflated on the way.

use std::collections::HashMap;

use entities::{AccountabilityReason, EvidenceKind, RegionLevel, SubjectKind};

use super::model::{ScoreRow, ScoringRules, SubjectKey, SubjectSums};
use crate::{
    domain::{
        Period, RegionCode,
        scoring::{Parts, WeightedSum, competition_ranks, grade, overall, round2},
    },
    service::accountability::{NewItem, model::accountable_kind},
};

/// The rows of a period, ranked, with the items their sums raise.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    /// One per subject, in subject order.
    pub rows: Vec<ScoreRow>,
    /// `self_assessment_inflated`, for each self-assessment more than the
    /// threshold above its subject's checks.
    pub inflated: Vec<NewItem>,
}

/// Turns the sums into rows, ranks them, and lists the inflated self-assessments.
#[must_use]
pub fn build_rows(
    sums: HashMap<SubjectKey, SubjectSums>,
    rules: &ScoringRules,
    period: &Period,
) -> Rows {
    let mut rows = Vec::with_capacity(sums.len());
    let mut inflated = Vec::new();
    for (subject, sums) in sums {
        let checked = sums.checked.and_then(WeightedSum::percent);
        let assessed = sums.assessed.and_then(|a| a.sum.percent());
        if let (Some(check), Some(own), Some(assessment)) = (checked, assessed, sums.assessed)
            && own > check + rules.inflation_threshold
        {
            inflated.push(NewItem {
                period: period.to_string(),
                subject_kind: accountable_kind(subject.kind),
                subject_id: subject.id,
                region_code: sums.region_code.clone(),
                reason: AccountabilityReason::SelfAssessmentInflated,
                evidence_kind: EvidenceKind::SelfAssessment,
                evidence_id: assessment.latest_id,
            });
        }
        let parts = Parts {
            data_security: checked.or(assessed),
            reporting: sums.reporting.mean(),
            inspection: sums.inspection.mean(),
        };
        let overall = overall(&parts, &rules.weights).map(round2);
        rows.push(ScoreRow {
            subject,
            region_code: sums.region_code,
            parts,
            overall,
            grade: overall.map(grade),
            rank: None,
        });
    }
    rows.sort_by_key(|r| r.subject);
    rank(&mut rows);
    Rows { rows, inflated }
}

/// Ranks rows with an overall score within the same kind and region level.
fn rank(rows: &mut [ScoreRow]) {
    let mut groups: HashMap<(SubjectKind, Option<RegionLevel>), Vec<usize>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.overall.is_some() {
            let level = row.region_code.as_ref().map(RegionCode::level);
            groups.entry((row.subject.kind, level)).or_default().push(i);
        }
    }
    for members in groups.values() {
        let values: Vec<f64> = members
            .iter()
            .map(|&i| rows[i].overall.unwrap_or_default())
            .collect();
        for (&i, r) in members.iter().zip(competition_ranks(&values)) {
            rows[i].rank = Some(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        reporting::Deadlines,
        scoring::{Tally, Weights},
    };
    use entities::Grade;

    #[test]
    fn rows_rank_within_kind_and_level_with_shared_ranks() {
        let sums = |region: &str, inspection: f64| SubjectSums {
            region_code: RegionCode::parse(region).ok(),
            inspection: Tally {
                total: inspection,
                count: 1.0,
            },
            ..SubjectSums::default()
        };
        let department = SubjectKey::department;
        let sums = HashMap::from([
            (department(1), sums("110000", 80.0)),
            (department(2), sums("130000", 90.0)),
            (department(3), sums("310000", 80.0)),
            (department(4), sums("130100", 10.0)),
            (SubjectKey::enterprise(1), sums("130102", 95.0)),
            (department(5), SubjectSums::default()),
        ]);
        let rules = ScoringRules {
            weights: Weights::default(),
            inflation_threshold: 10.0,
            deadlines: Deadlines::default(),
        };
        let Rows { rows, .. } = build_rows(sums, &rules, &Period::Year(2026));
        let ranks: Vec<(SubjectKey, Option<i32>)> =
            rows.iter().map(|r| (r.subject, r.rank)).collect();
        assert_eq!(
            ranks,
            vec![
                (SubjectKey::enterprise(1), Some(1)),
                (department(1), Some(2)),
                (department(2), Some(1)),
                (department(3), Some(2)),
                (department(4), Some(1)),
                (department(5), None),
            ]
        );
        assert_eq!(rows[4].grade, Some(Grade::Fail));
    }
}
