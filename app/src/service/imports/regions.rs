//! GB/T 2260 regions, upserted by code. A region's parent may come from the
//! same file: rows are written provinces first, then cities, then counties.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{RegionLevel, region};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{
    columns::{Column, Fields},
    model::{Kind, Outcome, Staged},
    store,
};
use crate::{
    domain::{RegionCode, region_code::prefix_of},
    error::AppResult,
    service::Actor,
};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["区划代码", "行政区划代码", "代码"],
        note: "Six-digit GB/T 2260 code: 110000 province, 110100 city, 110101 county.",
        example: "350102",
        ..Column::new("code", "行政区划代码", true)
    },
    Column {
        aliases: &["名称", "区划名称"],
        note: "Name.",
        example: "示例：鼓楼区",
        ..Column::new("name", "行政区划名称", true)
    },
    Column {
        aliases: &["上级区划代码", "上级代码", "上级"],
        note: "The parent's code; left empty it follows from the code (350102 → 350100). A province has none.",
        example: "350100",
        ..Column::new("parent_code", "上级行政区划代码", false)
    },
];

pub(super) struct Record {
    code: RegionCode,
    name: String,
    parent_code: Option<RegionCode>,
}

pub(super) struct Regions;

fn level_rank(level: RegionLevel) -> usize {
    match level {
        RegionLevel::Province => 0,
        RegionLevel::City => 1,
        RegionLevel::County => 2,
    }
}

/// The rows' places in the batch, provinces first, then cities, then counties.
fn parents_first(batch: &[Staged<Record>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| {
        let code = &batch[i].record.code;
        (level_rank(code.level()), code.clone())
    });
    order
}

/// Checks a row's scope and parent against the regions known so far.
fn check(actor: &Actor, known: &HashSet<String>, r: &Record) -> Result<(), (&'static str, String)> {
    let code = r.code.as_str();
    if !actor.covers(code) {
        return Err((
            "code",
            format!("region {code} is outside your jurisdiction"),
        ));
    }
    if let Some(parent) = &r.parent_code {
        let parent = parent.as_str();
        if !known.contains(parent) {
            return Err(("parent_code", format!("region {parent} does not exist")));
        }
        if parent == code || !code.starts_with(prefix_of(parent)) {
            return Err(("parent_code", format!("{code} does not lie under {parent}")));
        }
    }
    Ok(())
}

fn same(m: &region::Model, r: &Record) -> bool {
    m.name == r.name
        && m.parent_code.as_deref() == r.parent_code.as_ref().map(RegionCode::as_str)
        && m.level == r.code.level()
}

fn row(r: &Record, now: DateTime<Utc>) -> region::ActiveModel {
    region::ActiveModel {
        code: Set(r.code.to_string()),
        name: Set(r.name.clone()),
        level: Set(r.code.level()),
        parent_code: Set(r.parent_code.as_ref().map(ToString::to_string)),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

impl Kind for Regions {
    type Record = Record;
    type Context = HashMap<String, region::Model>;
    const BATCH: usize = usize::MAX;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "code";

    fn parse(f: &mut Fields<'_>) -> Option<Record> {
        let code = f.region_code("code", true);
        let name = f.required_text("name", 100);
        let explicit = f.region_code("parent_code", false);
        let parent_code = match (&code, explicit) {
            (Some(code), Some(_)) if code.level() == RegionLevel::Province => {
                f.problem("parent_code", "a province has no parent");
                None
            }
            (Some(code), explicit) => explicit.or_else(|| {
                code.implied_parent()
                    .and_then(|p| RegionCode::parse(&p).ok())
            }),
            (None, explicit) => explicit,
        };
        Some(Record {
            code: code?,
            name,
            parent_code,
        })
    }

    fn key(record: &Record) -> String {
        record.code.to_string()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<Self::Context> {
        store::regions_by_code(txn).await
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        existing: &mut Self::Context,
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let mut known: HashSet<String> = existing.keys().cloned().collect();
        let mut outcome = Outcome::default();
        let mut levels: [Vec<region::ActiveModel>; 3] = Default::default();
        let now = Utc::now();
        for index in parents_first(batch) {
            let r = &batch[index].record;
            if let Err((column, message)) = check(actor, &known, r) {
                outcome.reject(index, column, message);
                continue;
            }
            if outcome.count(existing.get(r.code.as_str()), |m| same(m, r)) {
                known.insert(r.code.to_string());
                levels[level_rank(r.code.level())].push(row(r, now));
            }
        }
        if write {
            for rows in levels {
                store::upsert_regions(txn, rows).await?;
            }
        }
        Ok(outcome)
    }
}
