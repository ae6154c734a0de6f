//! Timeliness of disaster and accident reports (灾害事故信息报送): deadlines,
//! each incident's reporting points, the duties still due, and the
//! accountability reasons it raises.
//!
//! Points per incident, out of 100: the initial report on time 40; a direct
//! report 20 (an incident that needs none earns them too); a complete initial
//! report 20 (deaths, serious injuries, economic loss and a summary); the final
//! report within its deadline 20 (an incident whose final deadline has not yet
//! passed earns them too). A report exactly on its deadline is on time.
//!
//! A report counts as filed when the server received it. A report entered
//! afterwards (补录) for one first filed on paper or by phone counts at the
//! time it claims only when it was entered within `backfill_grace_hours` of
//! that time; entered later, it counts as filed when it was entered, so a
//! backfill cannot make a late report on time after the fact.
//!
//! Each statement of severity is held to the figures known when it was made:
//! `severity_understated` is raised when the incident was reported, or a report
//! filed, stating a severity below what the figures then known call for — not
//! when later figures raise the severity.

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
    /// A backfilled report entered within this many hours of the time it
    /// claims counts at that time; entered later, when it was entered.
    pub backfill_grace_hours: i64,
}

impl Default for Deadlines {
    fn default() -> Self {
        Self {
            initial_minutes_especially_serious: 60,
            initial_minutes_serious: 60,
            initial_minutes_relatively_serious: 120,
            initial_minutes_ordinary: 24 * 60,
            final_days: 30,
            backfill_grace_hours: 24,
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
    /// Severity as the department stated it when reporting the incident, if it did.
    pub stated: Option<Severity>,
    /// Severity from the figures given when the incident was reported.
    pub derived_at_creation: Severity,
}

/// What the rules need to know of one report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFacts {
    /// The report's id, to name it as evidence.
    pub id: i64,
    /// 初报, 续报 or 终报.
    pub stage: ReportStage,
    /// When it was filed: received by the server, or as a backfill claims.
    pub reported_at: DateTime<Utc>,
    /// When it was entered into the system.
    pub entered_at: DateTime<Utc>,
    /// Entered afterwards (补录) for a report first filed on paper or by phone.
    pub backfilled: bool,
    /// Whether it went directly to the ministry (直报).
    pub direct: bool,
    /// Whether it gave deaths, serious injuries, economic loss and a summary.
    pub complete: bool,
    /// The severity it states, if it states one.
    pub stated: Option<Severity>,
    /// The severity the figures known when it was filed call for.
    pub derived: Severity,
}

impl ReportFacts {
    /// When the timeliness rules count it as filed: when it was filed, except
    /// for a backfill entered more than the grace after the time it claims,
    /// which counts when it was entered.
    #[must_use]
    pub fn counted_at(&self, deadlines: &Deadlines) -> DateTime<Utc> {
        let grace = Duration::hours(deadlines.backfill_grace_hours);
        if self.backfilled && self.entered_at - self.reported_at > grace {
            self.entered_at
        } else {
            self.reported_at
        }
    }
}

/// A reporting duty of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// The initial report (初报).
    Initial,
    /// Sending the initial report directly to the ministry (直报).
    Direct,
    /// The final report (终报).
    Final,
}

/// Where a duty stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyStatus {
    /// Done by its deadline.
    OnTime,
    /// Done after its deadline.
    Late,
    /// Not done, and its deadline has not passed.
    Pending,
    /// Not done, and its deadline has passed.
    Overdue,
    /// The initial report came without going direct: it can no longer be done.
    Missed,
    /// Not required of this incident.
    NotRequired,
}

impl DutyStatus {
    /// Whether the duty still waits to be done.
    #[must_use]
    pub fn still_due(self) -> bool {
        matches!(self, Self::Pending | Self::Overdue)
    }
}

/// One deadline of an incident and where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Deadline {
    /// Which duty.
    pub duty: Duty,
    /// When it is due.
    pub due_at: DateTime<Utc>,
    /// Where it stands.
    pub status: DutyStatus,
    /// The report that did it, if one did.
    pub report_id: Option<i64>,
}

/// An accountability reason an incident's reporting raises.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// Why.
    pub reason: AccountabilityReason,
    /// The instant whose month it belongs to.
    pub at: DateTime<Utc>,
    /// The report it rests on, when one report is to blame (an understated
    /// severity); otherwise the incident.
    pub report_id: Option<i64>,
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
    /// Each duty: initial, direct, final.
    pub deadlines: Vec<Deadline>,
    /// Accountability reasons raised.
    pub flags: Vec<Flag>,
}

impl Verdict {
    /// Where a duty stands.
    #[must_use]
    pub fn status(&self, duty: Duty) -> Option<DutyStatus> {
        self.deadlines
            .iter()
            .find(|d| d.duty == duty)
            .map(|d| d.status)
    }
}

/// A report's status against a deadline, or what its absence means as of `now`.
fn against(
    report: Option<&ReportFacts>,
    due: DateTime<Utc>,
    deadlines: &Deadlines,
    now: DateTime<Utc>,
) -> DutyStatus {
    match report {
        Some(r) if r.counted_at(deadlines) <= due => DutyStatus::OnTime,
        Some(_) => DutyStatus::Late,
        None if now <= due => DutyStatus::Pending,
        None => DutyStatus::Overdue,
    }
}

/// The first statement of a severity below what the figures then known call
/// for: `Some(None)` for the incident's own, `Some(Some(id))` for a report's.
fn understatement(incident: &IncidentFacts, reports: &[ReportFacts]) -> Option<Option<i64>> {
    if understated(incident.stated, incident.derived_at_creation) {
        return Some(None);
    }
    reports
        .iter()
        .filter(|r| understated(r.stated, r.derived))
        .min_by_key(|r| (r.reported_at, r.id))
        .map(|r| Some(r.id))
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
            .min_by_key(|r| (r.counted_at(deadlines), r.id))
    };
    let initial = first(ReportStage::Initial);
    let last_final = first(ReportStage::Final);

    let initial_status = against(initial, initial_due, deadlines, now);
    let final_status = against(last_final, final_due, deadlines, now);
    let direct_status = match initial {
        _ if !direct_required => DutyStatus::NotRequired,
        Some(r) if r.direct => initial_status,
        Some(_) => DutyStatus::Missed,
        None => initial_status,
    };

    let mut points = 0.0;
    if initial_status == DutyStatus::OnTime {
        points += 40.0;
    }
    if !direct_required || initial.is_some_and(|r| r.direct) {
        points += 20.0;
    }
    if initial.is_some_and(|r| r.complete) {
        points += 20.0;
    }
    if matches!(final_status, DutyStatus::OnTime | DutyStatus::Pending) {
        points += 20.0;
    }

    // Nothing is flagged before its deadline has passed.
    let mut flags = Vec::new();
    let mut flag = |reason, at, report_id| {
        flags.push(Flag {
            reason,
            at,
            report_id,
        });
    };
    if matches!(initial_status, DutyStatus::Late | DutyStatus::Overdue) {
        flag(AccountabilityReason::ReportLate, initial_due, None);
    }
    if matches!(direct_status, DutyStatus::Missed | DutyStatus::Overdue) {
        flag(AccountabilityReason::DirectReportMissing, initial_due, None);
    }
    if matches!(final_status, DutyStatus::Late | DutyStatus::Overdue) {
        flag(AccountabilityReason::FinalReportMissing, final_due, None);
    }
    if let Some(report_id) = understatement(incident, reports) {
        flag(
            AccountabilityReason::SeverityUnderstated,
            initial_due,
            report_id,
        );
    }
    let deadline = |duty, due_at, status, report: Option<&ReportFacts>| Deadline {
        duty,
        due_at,
        status,
        report_id: report.map(|r| r.id),
    };
    Verdict {
        points,
        initial_due,
        final_due,
        direct_required,
        deadlines: vec![
            deadline(Duty::Initial, initial_due, initial_status, initial),
            deadline(
                Duty::Direct,
                initial_due,
                direct_status,
                initial.filter(|r| r.direct),
            ),
            deadline(Duty::Final, final_due, final_status, last_final),
        ],
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

/// Why a report may not follow the reports already filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutOfOrder {
    /// Nothing follows the final report.
    AfterFinal,
    /// There is one initial report.
    SecondInitial,
    /// The initial report comes first.
    BeforeInitial,
}

/// Why a report of `stage` may not follow the stages already filed, if it may
/// not: the initial report comes first and once, the final report last.
#[must_use]
pub fn out_of_order(stage: ReportStage, filed: &[ReportStage]) -> Option<OutOfOrder> {
    let has = |s| filed.contains(&s);
    if has(ReportStage::Final) {
        return Some(OutOfOrder::AfterFinal);
    }
    match stage {
        ReportStage::Initial if has(ReportStage::Initial) => Some(OutOfOrder::SecondInitial),
        ReportStage::FollowUp | ReportStage::Final if !has(ReportStage::Initial) => {
            Some(OutOfOrder::BeforeInitial)
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

    /// An incident reported with the figures it has now.
    fn incident(derived: Severity, stated: Option<Severity>) -> IncidentFacts {
        IncidentFacts {
            occurred_at: at("2026-03-10T02:00:00Z"),
            derived,
            stated,
            derived_at_creation: derived,
        }
    }

    /// A report filed through the ordinary path, stating nothing.
    fn report(stage: ReportStage, reported_at: &str, direct: bool, complete: bool) -> ReportFacts {
        ReportFacts {
            id: 1,
            stage,
            reported_at: at(reported_at),
            entered_at: at(reported_at),
            backfilled: false,
            direct,
            complete,
            stated: None,
            derived: Severity::Ordinary,
        }
    }

    fn reasons(verdict: &Verdict) -> Vec<AccountabilityReason> {
        verdict.flags.iter().map(|f| f.reason).collect()
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
        assert_eq!(verdict.flags[1].at, at("2026-04-09T02:00:00Z"));
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
    fn a_backfill_counts_at_its_claimed_time_only_when_entered_within_the_grace() {
        // Ordinary, initial due 24 h after 02:00 on 10 March: 02:00 on 11 March.
        let backfill = |claimed: &str, entered: &str| ReportFacts {
            backfilled: true,
            entered_at: at(entered),
            ..report(ReportStage::Initial, claimed, false, true)
        };
        let deadlines = Deadlines::default();
        let judged = |r: ReportFacts| {
            judge(
                &incident(Severity::Ordinary, None),
                &[r],
                &deadlines,
                at("2026-03-20T00:00:00Z"),
            )
        };
        // Phoned in at 03:00 on the day, entered 23 h later: on time, at 03:00.
        let prompt = backfill("2026-03-10T03:00:00Z", "2026-03-11T02:00:00Z");
        assert_eq!(prompt.counted_at(&deadlines), at("2026-03-10T03:00:00Z"));
        assert_eq!(judged(prompt).points, 100.0);
        // Exactly 24 h after the claimed time is still within the grace.
        let edge = backfill("2026-03-10T03:00:00Z", "2026-03-11T03:00:00Z");
        assert_eq!(edge.counted_at(&deadlines), at("2026-03-10T03:00:00Z"));
        // Claimed an hour after the occurrence, entered three days later: counts
        // when entered, late, whatever it claims.
        let stale = backfill("2026-03-10T03:00:00Z", "2026-03-13T03:00:00Z");
        assert_eq!(stale.counted_at(&deadlines), at("2026-03-13T03:00:00Z"));
        let verdict = judged(stale);
        // 0 (late) + 20 (no direct duty) + 20 (complete) + 20 (final not yet due) = 60
        assert_eq!(verdict.points, 60.0);
        assert_eq!(reasons(&verdict), vec![Late]);
        assert_eq!(verdict.status(Duty::Initial), Some(DutyStatus::Late));
        // An ordinary report is never moved, however long after it was received.
        let ordinary = ReportFacts {
            entered_at: at("2026-03-19T00:00:00Z"),
            ..report(ReportStage::Initial, "2026-03-10T03:00:00Z", false, true)
        };
        assert_eq!(ordinary.counted_at(&deadlines), at("2026-03-10T03:00:00Z"));
    }

    #[test]
    fn severity_is_understated_only_against_the_figures_known_when_stated() {
        let stating = |id, reported_at: &str, stated, derived| ReportFacts {
            id,
            stated: Some(stated),
            derived,
            ..report(ReportStage::FollowUp, reported_at, false, false)
        };
        // Reported with 1 death as ordinary; a follow-up raised deaths to 3 and
        // stated nothing: the figures rose, nobody understated anything.
        let raised_later = IncidentFacts {
            derived: Severity::RelativelySerious,
            stated: Some(Severity::Ordinary),
            ..incident(Severity::Ordinary, None)
        };
        let follow_up = ReportFacts {
            id: 2,
            derived: Severity::RelativelySerious,
            ..report(ReportStage::FollowUp, "2026-03-11T00:00:00Z", false, false)
        };
        let verdict = judge(
            &raised_later,
            std::slice::from_ref(&follow_up),
            &Deadlines::default(),
            at(LATER),
        );
        assert!(!reasons(&verdict).contains(&Understated), "{verdict:?}");
        // A follow-up restating it correctly is not flagged either.
        let restated = stating(
            3,
            "2026-03-11T01:00:00Z",
            Severity::RelativelySerious,
            Severity::RelativelySerious,
        );
        let verdict = judge(
            &raised_later,
            &[follow_up.clone(), restated],
            &Deadlines::default(),
            at(LATER),
        );
        assert!(!reasons(&verdict).contains(&Understated));
        // A report stating ordinary with 3 deaths known is: the item names it.
        let understating = stating(
            4,
            "2026-03-11T02:00:00Z",
            Severity::Ordinary,
            Severity::RelativelySerious,
        );
        let verdict = judge(
            &raised_later,
            &[follow_up, understating],
            &Deadlines::default(),
            at(LATER),
        );
        let flag = verdict
            .flags
            .iter()
            .find(|f| f.reason == Understated)
            .expect("understated");
        assert_eq!(flag.report_id, Some(4));
        assert_eq!(flag.at, verdict.initial_due);
        // Stated below its own figures when the incident was reported: the incident.
        let at_creation = incident(Severity::Serious, Some(Severity::RelativelySerious));
        let verdict = judge(&at_creation, &[], &Deadlines::default(), at(LATER));
        let flag = verdict.flags.iter().find(|f| f.reason == Understated);
        assert_eq!(flag.map(|f| f.report_id), Some(None));
    }

    #[test]
    fn each_deadline_says_what_is_still_due() {
        use DutyStatus::{Missed, NotRequired, OnTime, Overdue, Pending};
        let status = |verdict: &Verdict| {
            [Duty::Initial, Duty::Direct, Duty::Final].map(|d| verdict.status(d))
        };
        let serious = incident(Severity::Serious, None);
        let before = judge(
            &serious,
            &[],
            &Deadlines::default(),
            at("2026-03-10T02:30:00Z"),
        );
        assert_eq!(
            status(&before),
            [Some(Pending), Some(Pending), Some(Pending)]
        );
        assert!(before.deadlines.iter().all(|d| d.status.still_due()));
        let initial = ReportFacts {
            id: 7,
            ..report(ReportStage::Initial, "2026-03-10T02:40:00Z", false, true)
        };
        let after = judge(
            &serious,
            std::slice::from_ref(&initial),
            &Deadlines::default(),
            at("2026-03-10T04:00:00Z"),
        );
        assert_eq!(status(&after), [Some(OnTime), Some(Missed), Some(Pending)]);
        assert_eq!(after.deadlines[0].report_id, Some(7));
        assert_eq!(after.deadlines[1].report_id, None);
        let ordinary = judge(
            &incident(Severity::Ordinary, None),
            &[initial],
            &Deadlines::default(),
            at(LATER),
        );
        assert_eq!(
            status(&ordinary),
            [Some(OnTime), Some(NotRequired), Some(Overdue)]
        );
        assert_eq!(
            ordinary
                .deadlines
                .iter()
                .filter(|d| d.status.still_due())
                .map(|d| d.duty)
                .collect::<Vec<_>>(),
            vec![Duty::Final]
        );
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
