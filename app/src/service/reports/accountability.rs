//! 问责报告: the period's accountability items in scope, unit by unit.

use entities::{AccountabilityStatus, accountability_entry, accountability_item};
use reports::export::{
    Meta, Sink, Written,
    accountability::{AccountabilityReport, AccountabilityRow, Status},
};
use sea_orm::ConnectionTrait;

use super::{
    labels,
    store::{self, ItemCursor, PAGE},
    writer::blocking,
};
use crate::{
    domain::{Period, accountability::Step},
    error::AppResult,
    service::{Actor, accountability},
};

fn status_of(status: AccountabilityStatus) -> Status {
    match status {
        AccountabilityStatus::Open => Status::Open,
        AccountabilityStatus::Acknowledged => Status::Acknowledged,
        AccountabilityStatus::Answered => Status::Answered,
        AccountabilityStatus::Closed => Status::Closed,
    }
}

/// The item's history, one line per step: when (China time), who, what, and
/// the text with any attachment.
fn history_of(entries: &[accountability_entry::Model]) -> Option<String> {
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let step = Step::between(e.from_status, e.to_status).map_or("变更", labels::step);
            let mut line = format!(
                "{} {} {step}",
                labels::china_time(e.at).format("%Y-%m-%d %H:%M"),
                e.actor
            );
            if let Some(text) = &e.text {
                line.push_str(&format!("：{text}"));
            }
            if let Some(attachment) = &e.attachment {
                line.push_str(&format!("（附件：{attachment}）"));
            }
            line
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// One page of items as rows, with their units' names and histories.
async fn page_rows<C: ConnectionTrait>(
    db: &C,
    items: Vec<accountability_item::Model>,
) -> AppResult<Vec<AccountabilityRow>> {
    Ok(accountability::views(db, items)
        .await?
        .into_iter()
        .map(|view| {
            let item = view.item;
            AccountabilityRow {
                subject_id: item.subject_id,
                subject_name: view
                    .subject_name
                    .unwrap_or_else(|| format!("#{}", item.subject_id)),
                subject_kind: labels::accountable_kind(item.subject_kind).to_owned(),
                region_code: item.region_code,
                period: item.period,
                reason: labels::reason(item.reason).to_owned(),
                evidence: labels::evidence(&view.evidence),
                status: status_of(item.status),
                history: history_of(&view.history),
                raised_at: labels::china_time(item.created_at),
            }
        })
        .collect())
}

/// Writes the accountability report of a period (and its quarters and months)
/// in the caller's region, unit by unit, a page at a time.
pub(super) async fn write<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    meta: Meta,
    period: &Period,
    sink: Sink,
) -> AppResult<(Written, u64)> {
    let periods: Vec<String> = period
        .with_parts()
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut report = blocking(move || AccountabilityReport::new(&meta)).await?;
    let mut after = None;
    loop {
        let items = store::accountability_items_after(db, actor, &periods, after).await?;
        let Some(last) = items.last() else { break };
        after = Some(ItemCursor::of(last));
        let full = items.len() as u64 == PAGE;
        let rows = page_rows(db, items).await?;
        report = blocking(move || {
            for row in &rows {
                report.push(row)?;
            }
            Ok(report)
        })
        .await?;
        if !full {
            break;
        }
    }
    let count = u64::from(report.rows());
    let written = blocking(move || report.finish_to(sink)).await?;
    Ok((written, count))
}
