//! 报送及时性: per department in scope, its incidents of the period and how
//! their initial reports met the deadlines and the direct-report duty, with the
//! initial reports entered afterwards (补录) counted apart.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use reports::export::{
    Meta, Sink, Written,
    timeliness::{TimelinessRow, timeliness_report},
};
use sea_orm::ConnectionTrait;

use super::{store, writer::blocking};
use crate::{
    domain::{
        Period,
        reporting::{Deadlines, Duty, DutyStatus, ReportFacts, Verdict, judge},
    },
    error::AppResult,
    service::{
        Actor,
        incidents::{self, facts_by_incident},
    },
};

/// One department's tallies.
#[derive(Default)]
struct Tally {
    row: TimelinessRow,
    points: f64,
}

impl Tally {
    /// Counts one incident: whether its initial report met the deadline and
    /// the direct-report duty, whether it was backfilled (补录), and its points.
    fn add(&mut self, verdict: &Verdict, reports: &[ReportFacts], deadlines: &Deadlines) {
        let initial = verdict.deadlines.iter().find(|d| d.duty == Duty::Initial);
        let report = initial
            .and_then(|d| d.report_id)
            .and_then(|id| reports.iter().find(|r| r.id == id));
        let row = &mut self.row;
        row.incidents += 1;
        match (initial.map(|d| d.status), report) {
            (Some(DutyStatus::OnTime), _) => row.on_time += 1,
            (Some(DutyStatus::Late), Some(report)) => {
                let late = minutes_late(report.counted_at(deadlines), verdict.initial_due);
                row.late += 1;
                row.minutes_late += late;
                row.max_minutes_late = std::cmp::max(row.max_minutes_late, late);
            }
            (Some(DutyStatus::Pending), _) => row.pending += 1,
            _ => row.missing += 1,
        }
        if report.is_some_and(|r| r.backfilled) {
            row.backfilled += 1;
            if verdict.status(Duty::Initial) == Some(DutyStatus::OnTime) {
                row.backfilled_on_time += 1;
            }
        }
        if verdict.direct_required {
            row.direct_required += 1;
            if report.is_some_and(|r| r.direct) {
                row.direct_done += 1;
            }
        }
        self.points += verdict.points;
    }

    /// The row, with the mean points of its incidents.
    fn finish(mut self) -> TimelinessRow {
        if self.row.incidents > 0 {
            let mean = self.points / self.row.incidents as f64;
            self.row.points = Some(crate::domain::scoring::round2(mean));
        }
        self.row
    }
}

/// Whole minutes after the deadline, a started minute counting as one.
fn minutes_late(reported_at: DateTime<Utc>, due: DateTime<Utc>) -> i64 {
    let seconds = std::cmp::max((reported_at - due).num_seconds(), 0);
    (seconds + 59) / 60
}

/// Writes the timeliness report of the incidents that occurred in the period
/// (China time), for every department in the caller's region.
pub(super) async fn write<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    meta: Meta,
    period: &Period,
    deadlines: &Deadlines,
    now: DateTime<Utc>,
    sink: Sink,
) -> AppResult<(Written, u64)> {
    let departments = store::departments_in_scope(db, actor).await?;
    let mut tallies: Vec<Tally> = departments
        .iter()
        .map(|d| Tally {
            row: TimelinessRow {
                department: d.name.clone(),
                region_code: d.region_code.clone(),
                ..TimelinessRow::default()
            },
            points: 0.0,
        })
        .collect();
    let slot: HashMap<i64, usize> = departments
        .iter()
        .enumerate()
        .map(|(at, d)| (d.id, at))
        .collect();

    let (incidents, reports) = incidents::of_period(db, period, deadlines.final_days).await?;
    let mut by_incident = facts_by_incident(&reports);
    for incident in incidents {
        let Some(tally) = slot
            .get(&incident.department_id)
            .and_then(|at| tallies.get_mut(*at))
        else {
            continue;
        };
        if !period.contains(incident.occurred_at) {
            continue;
        }
        let reports = by_incident.remove(&incident.id).unwrap_or_default();
        let verdict = judge(&incident.facts(), &reports, deadlines, now);
        tally.add(&verdict, &reports, deadlines);
    }
    let rows: Vec<TimelinessRow> = tallies.into_iter().map(Tally::finish).collect();
    let count = rows.len() as u64;
    let written = blocking(move || timeliness_report(&meta, rows, sink)).await?;
    Ok((written, count))
}
