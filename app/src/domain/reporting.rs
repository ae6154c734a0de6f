//! Timeliness of disaster and accident reports (灾害事故信息报送): deadlines,
//! each incident's reporting points, and the accountability reasons it raises.
//!
//! Points per incident, out of 100: the initial report on time 40; a direct
//! report 20 (an incident that needs none earns them too); a complete initial
//! report 20 (deaths, serious injuries, economic loss and a summary); the final
//! report within its deadline 20 (an incident whose final deadline has not yet
//! passed earns them too). A report exactly on its deadline is on time.

use chrono::{DateTime, Duration, Utc};
use entities::{AccountabilityReason, ReportStage, Severity};

use super::severity::{direct_report_required, understated};

/// Deadlines counted from the moment of occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Initial report for 特别重大, in minutes.
    pub initial_minutes_especially_serious: i64,
    /// Initial report for 重大, in minutes.
    pub initial_minutes_serious: i64,
    /// Initial report for 较大, in minutes.
    pub initial_minutes_relatively_serious: i64,
    /// Initial report for 一般, in minutes.
    pub initial_minutes_ordinary: i64,
    /// Final report, in days.
    pub final_days: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            initial_minutes_especially_serious: 60,
            initial_minutes_serious: 60,
            initial_minutes_relatively_serious: 120,
            initial_minutes_ordinary: 24 * 60,
            final_days: 30,
        }
    }
}

impl Deadlines {
    /// The latest on-time initial report of an incident of this severity.
    #[must_use]
    pub fn initial_due(&self, occurred_at: DateTime<Utc>, severity: Severity) -> DateTime<Utc> {
        let minutes = match severity {
            Severity::EspeciallySerious => self.initial_minutes_especially_serious,
            Severity::Serious => self.initial_minutes_serious,
            Severity::RelativelySerious => self.initial_minutes_relatively_serious,
            Severity::Ordinary => self.initial_minutes_ordinary,
        };
        occurred_at + Duration::minutes(minutes)
    }

    /// The latest on-time final report.
    #[must_use]
    pub fn final_due(&self, occurred_at: DateTime<Utc>) -> DateTime<Utc> {
        occurred_at + Duration::days(self.final_days)
    }
}

/// What the rules need to know of an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentFacts {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Severity from the current figures.
    pub derived: Severity,
    /// Severity as the department stated it, if it did.
    pub stated: Option<Severity>,
}

/// What the rules need to know of one report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFacts {
    /// 初报, 续报 or 终报.
    pub stage: ReportStage,
    /// When it was filed.
    pub reported_at: DateTime<Utc>,
    /// Whether it went directly to the ministry (直报).
    pub direct: bool,
    /// Whether it gave deaths, serious injuries, economic loss and a summary.
    pub complete: bool,
}

/// The verdict on one incident's reporting, as of a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Points out of 100.
    pub points: f64,
    /// When the initial report was due.
    pub initial_due: DateTime<Utc>,
    /// When the final report was due.
    pub final_due: DateTime<Utc>,
    /// Whether a direct report is required.
    pub direct_required: bool,
    /// Accountability reasons raised, each with the instant whose month it belongs to.
    pub flags: Vec<(AccountabilityReason, DateTime<Utc>)>,
}

/// Judges an incident's reports as of `now`.
#[must_use]
pub fn judge(
    incident: &IncidentFacts,
    reports: &[ReportFacts],
    deadlines: &Deadlines,
    now: DateTime<Utc>,
) -> Verdict {
    let initial_due = deadlines.initial_due(incident.occurred_at, incident.derived);
    let final_due = deadlines.final_due(incident.occurred_at);
    let direct_required = direct_report_required(incident.derived);
    let first = |stage| {
        reports
            .iter()
            .filter(|r| r.stage == stage)
            .min_by_key(|r| r.reported_at)
    };
    let initial = first(ReportStage::Initial);
    let last_final = first(ReportStage::Final);

    let initial_on_time = initial.is_some_and(|r| r.reported_at <= initial_due);
    let direct_done = initial.is_some_and(|r| r.direct);
    let complete = initial.is_some_and(|r| r.complete);
    let final_on_time = last_final.is_some_and(|r| r.reported_at <= final_due);
    let final_pending = last_final.is_none() && now <= final_due;

    let mut points = 0.0;
    if initial_on_time {
        points += 40.0;
    }
    if !direct_required || direct_done {
        points += 20.0;
    }
    if complete {
        points += 20.0;
    }
    if final_on_time || final_pending {
        points += 20.0;
    }

    // Nothing is flagged before its deadline has passed.
    let initial_overdue = initial.map_or(now > initial_due, |r| r.reported_at > initial_due);
    let mut flags = Vec::new();
    if initial_overdue {
        flags.push((AccountabilityReason::ReportLate, initial_due));
    }
    let direct_missed = match initial {
        Some(r) => !r.direct,
        None => now > initial_due,
    };
    if direct_required && direct_missed {
        flags.push((AccountabilityReason::DirectReportMissing, initial_due));
    }
    if !final_on_time && !final_pending {
        flags.push((AccountabilityReason::FinalReportMissing, final_due));
    }
    if understated(incident.stated, incident.derived) {
        flags.push((AccountabilityReason::SeverityUnderstated, initial_due));
    }
    Verdict {
        points,
        initial_due,
        final_due,
        direct_required,
        flags,
    }
}

/// Whether a report gives everything an initial report must: deaths, serious
/// injuries, economic loss and a summary that is not blank.
#[must_use]
pub fn is_complete(
    deaths: Option<i32>,
    serious_injuries: Option<i32>,
    economic_loss_yuan: Option<i64>,
    summary: Option<&str>,
) -> bool {
    deaths.is_some()
        && serious_injuries.is_some()
        && economic_loss_yuan.is_some()
        && summary.is_some_and(|s| !s.trim().is_empty())
}

/// Why a report of `stage` may not follow the stages already filed, if it may
/// not: the initial report comes first and once, the final report last.
#[must_use]
pub fn out_of_order(stage: ReportStage, filed: &[ReportStage]) -> Option<&'static str> {
    let has = |s| filed.contains(&s);
    if has(ReportStage::Final) {
        return Some("the final report has been filed; nothing may follow it");
    }
    match stage {
        ReportStage::Initial if has(ReportStage::Initial) => {
            Some("the initial report has been filed; send a follow_up or the final report")
        }
        ReportStage::FollowUp | ReportStage::Final if !has(ReportStage::Initial) => {
            Some("the initial report comes first")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AccountabilityReason::{
        DirectReportMissing as Direct, FinalReportMissing as Final, ReportLate as Late,
        SeverityUnderstated as Understated,
    };

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn incident(derived: Severity, stated: Option<Severity>) -> IncidentFacts {
        IncidentFacts {
            occurred_at: at("2026-03-10T02:00:00Z"),
            derived,
            stated,
        }
    }

    fn report(stage: ReportStage, reported_at: &str, direct: bool, complete: bool) -> ReportFacts {
        ReportFacts {
            stage,
            reported_at: at(reported_at),
            direct,
            complete,
        }
    }

    fn reasons(verdict: &Verdict) -> Vec<AccountabilityReason> {
        verdict.flags.iter().map(|(r, _)| *r).collect()
    }

    const LATER: &str = "2026-06-01T00:00:00Z";

    #[test]
    fn an_exemplary_incident_earns_every_point() {
        // Serious: initial due 60 min after 02:00, i.e. at 03:00; final due 30 days later.
        let reports = [
            report(ReportStage::Initial, "2026-03-10T03:00:00Z", true, true),
            report(ReportStage::FollowUp, "2026-03-11T00:00:00Z", false, false),
            report(ReportStage::Final, "2026-04-09T02:00:00Z", false, true),
        ];
        let verdict = judge(
            &incident(Severity::Serious, Some(Severity::Serious)),
            &reports,
            &Deadlines::default(),
            at(LATER),
        );
        assert_eq!(
            verdict.points, 100.0,
            "on the initial and the final deadline is on time"
        );
        assert!(verdict.flags.is_empty(), "{:?}", verdict.flags);
        assert_eq!(verdict.initial_due, at("2026-03-10T03:00:00Z"));
        assert_eq!(verdict.final_due, at("2026-04-09T02:00:00Z"));
    }

    #[test]
    fn one_second_late_loses_the_points_and_raises_an_item() {
        let reports = [
            report(ReportStage::Initial, "2026-03-10T03:00:01Z", true, true),
            report(ReportStage::Final, "2026-04-09T02:00:01Z", false, true),
        ];
        let verdict = judge(
            &incident(Severity::Serious, None),
            &reports,
            &Deadlines::default(),
            at(LATER),
        );
        // 0 (late) + 20 (direct) + 20 (complete) + 0 (final late) = 40
        assert_eq!(verdict.points, 40.0);
        assert_eq!(reasons(&verdict), vec![Late, Final]);
        assert_eq!(verdict.flags[1].1, at("2026-04-09T02:00:00Z"));
    }

    #[test]
    fn the_deadline_follows_the_derived_severity() {
        // An ordinary incident has 24 hours; relatively serious 120 minutes.
        let ordinary = [report(
            ReportStage::Initial,
            "2026-03-11T02:00:00Z",
            false,
            true,
        )];
        let verdict = judge(
            &incident(Severity::Ordinary, None),
            &ordinary,
            &Deadlines::default(),
            at("2026-03-20T00:00:00Z"),
        );
        // 40 + 20 (no direct duty) + 20 + 20 (final not yet due) = 100
        assert_eq!(verdict.points, 100.0);
        assert!(verdict.flags.is_empty());
        let relatively = [report(
            ReportStage::Initial,
            "2026-03-10T04:00:00Z",
            false,
            true,
        )];
        let verdict = judge(
            &incident(Severity::RelativelySerious, None),
            &relatively,
            &Deadlines::default(),
            at("2026-03-20T00:00:00Z"),
        );
        assert_eq!(verdict.points, 100.0, "04:00 is exactly 120 minutes");
    }

    #[test]
    fn a_missing_direct_report_and_an_incomplete_initial_cost_twenty_each() {
        let reports = [report(
            ReportStage::Initial,
            "2026-03-10T02:30:00Z",
            false,
            false,
        )];
        let verdict = judge(
            &incident(Severity::EspeciallySerious, Some(Severity::Serious)),
            &reports,
            &Deadlines::default(),
            at(LATER),
        );
        // 40 (on time) + 0 (not direct) + 0 (incomplete) + 0 (no final, overdue) = 40
        assert_eq!(verdict.points, 40.0);
        assert_eq!(reasons(&verdict), vec![Direct, Final, Understated]);
    }

    #[test]
    fn nothing_is_flagged_before_its_deadline() {
        let verdict = judge(
            &incident(Severity::Serious, None),
            &[],
            &Deadlines::default(),
            at("2026-03-10T02:59:59Z"),
        );
        assert!(verdict.flags.is_empty());
        // 0 + 0 (direct required, none yet) + 0 + 20 (final not yet due) = 20
        assert_eq!(verdict.points, 20.0);
        let verdict = judge(
            &incident(Severity::Serious, None),
            &[],
            &Deadlines::default(),
            at("2026-03-10T03:00:01Z"),
        );
        assert_eq!(reasons(&verdict), vec![Late, Direct]);
    }

    #[test]
    fn configured_deadlines_are_used() {
        let deadlines = Deadlines {
            initial_minutes_ordinary: 30,
            final_days: 10,
            ..Deadlines::default()
        };
        let reports = [
            report(ReportStage::Initial, "2026-03-10T02:31:00Z", false, true),
            report(ReportStage::Final, "2026-03-20T02:00:00Z", false, true),
        ];
        let verdict = judge(
            &incident(Severity::Ordinary, None),
            &reports,
            &deadlines,
            at(LATER),
        );
        // 0 (31 min > 30) + 20 + 20 + 20 (final on day 10) = 60
        assert_eq!(verdict.points, 60.0);
        assert_eq!(reasons(&verdict), vec![Late]);
    }

    #[test]
    fn a_complete_report_gives_every_figure_and_a_summary() {
        assert!(is_complete(Some(0), Some(0), Some(0), Some("collapse")));
        assert!(
            !is_complete(None, Some(0), Some(0), Some("collapse")),
            "deaths"
        );
        assert!(
            !is_complete(Some(0), Some(0), None, Some("collapse")),
            "loss"
        );
        assert!(!is_complete(Some(0), Some(0), Some(0), Some("  ")), "blank");
        assert!(!is_complete(Some(0), Some(0), Some(0), None), "no summary");
    }

    #[test]
    fn reports_follow_initial_then_follow_ups_then_final() {
        use ReportStage::{Final as Last, FollowUp, Initial};
        let cases: [(ReportStage, &[ReportStage], bool); 7] = [
            (Initial, &[], true),
            (FollowUp, &[], false),
            (Last, &[], false),
            (Initial, &[Initial], false),
            (FollowUp, &[Initial, FollowUp], true),
            (Last, &[Initial], true),
            (FollowUp, &[Initial, Last], false),
        ];
        for (stage, filed, allowed) in cases {
            assert_eq!(
                out_of_order(stage, filed).is_none(),
                allowed,
                "{stage:?} after {filed:?}"
            );
        }
    }
}
