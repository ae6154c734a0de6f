//! 公示: published results in scope, a page at a time.

use entities::publication;
use reports::export::{
    Meta, Sink, Written,
    publication::{PublicationList, PublicationRow},
};
use sea_orm::ConnectionTrait;
use serde::Deserialize;

use super::{
    labels,
    store::{self, PAGE},
    writer::blocking,
};
use crate::{domain::Period, error::AppResult, service::Actor};

/// A hazard as the publication stores it.
#[derive(Deserialize)]
struct Hazard {
    rectify_by: Option<String>,
}

fn row_of(model: publication::Model) -> PublicationRow {
    let badges: Vec<String> = serde_json::from_value(model.inspector_badges).unwrap_or_default();
    let hazards: Vec<Hazard> = serde_json::from_value(model.hazards).unwrap_or_default();
    let deadlines: Vec<&str> = hazards
        .iter()
        .filter_map(|h| h.rectify_by.as_deref())
        .collect();
    PublicationRow {
        target_name: model.target_name,
        credit_code: model.credit_code,
        region_code: model.region_code,
        check_date: model.check_date,
        badges: badges.join("、"),
        result: labels::result(&model.result).to_owned(),
        score: model.score,
        hazards: i64::try_from(hazards.len()).unwrap_or(i64::MAX),
        deadlines: deadlines.join("、"),
        published_at: labels::china_time(model.published_at),
    }
}

/// Writes the publication list: results published in the caller's region, of
/// checks in the period if one is given, in the order they were published.
pub(super) async fn write<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    meta: Meta,
    period: Option<&Period>,
    sink: Sink,
) -> AppResult<(Written, u64)> {
    let mut list = blocking(move || PublicationList::new(&meta)).await?;
    let mut after = 0i64;
    loop {
        let page = store::publications_after(db, actor, period, after).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let full = page.len() as u64 == PAGE;
        list = blocking(move || {
            for model in page {
                list.push(&row_of(model))?;
            }
            Ok(list)
        })
        .await?;
        if !full {
            break;
        }
    }
    let rows = u64::from(list.rows());
    let written = blocking(move || list.finish_to(sink)).await?;
    Ok((written, rows))
}
