//! GB/T 2260 regions, upserted by code. A region's parent may come from the
//! same file: rows are written provinces first, then cities, then counties.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{RegionLevel, region};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait as _, sea_query::OnConflict};

use super::{
    Actor, Kind, Outcome, Staged,
    columns::{Column, Fields},
    region_code,
};
use crate::{
    domain::{RegionCode, region_code::prefix_of},
    error::AppResult,
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
    code: String,
    name: String,
    level: RegionLevel,
    parent_code: Option<String>,
}

pub(super) struct Regions;

fn level_rank(level: RegionLevel) -> u8 {
    match level {
        RegionLevel::Province => 0,
        RegionLevel::City => 1,
        RegionLevel::County => 2,
    }
}

impl Kind for Regions {
    type Record = Record;
    type Context = HashMap<String, region::Model>;
    const BATCH: usize = usize::MAX;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "code";

    fn parse(f: &mut Fields<'_>) -> Record {
        let code = region_code(f, "code", true).and_then(|c| RegionCode::parse(&c).ok());
        let name = f.required_text("name", 100);
        let explicit = region_code(f, "parent_code", false);
        let level = code.as_ref().map_or(RegionLevel::County, RegionCode::level);
        let parent_code = match (&code, explicit) {
            (Some(_), Some(_)) if level == RegionLevel::Province => {
                f.problem("parent_code", "a province has no parent");
                None
            }
            (Some(code), explicit) => explicit.or_else(|| code.implied_parent()),
            (None, explicit) => explicit,
        };
        Record {
            code: code.map(|c| c.to_string()).unwrap_or_default(),
            name,
            level,
            parent_code,
        }
    }

    fn key(record: &Record) -> String {
        record.code.clone()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<Self::Context> {
        Ok(region::Entity::find()
            .all(txn)
            .await?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect())
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        existing: &mut Self::Context,
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let mut order: Vec<usize> = (0..batch.len()).collect();
        order.sort_by_key(|&i| {
            (
                level_rank(batch[i].record.level),
                batch[i].record.code.clone(),
            )
        });
        let mut known: HashSet<String> = existing.keys().cloned().collect();
        let mut outcome = Outcome::default();
        let mut levels: [Vec<region::ActiveModel>; 3] = Default::default();
        let now = Utc::now();
        for index in order {
            let r = &batch[index].record;
            if !actor.covers(&r.code) {
                outcome.reject(
                    index,
                    "code",
                    format!("region {} is outside your jurisdiction", r.code),
                );
                continue;
            }
            if let Some(parent) = &r.parent_code {
                if !known.contains(parent) {
                    outcome.reject(
                        index,
                        "parent_code",
                        format!("region {parent} does not exist"),
                    );
                    continue;
                }
                if parent == &r.code || !r.code.starts_with(prefix_of(parent)) {
                    outcome.reject(
                        index,
                        "parent_code",
                        format!("{} does not lie under {parent}", r.code),
                    );
                    continue;
                }
            }
            match existing.get(&r.code) {
                Some(m)
                    if m.name == r.name && m.parent_code == r.parent_code && m.level == r.level =>
                {
                    outcome.unchanged += 1;
                    continue;
                }
                Some(_) => outcome.updated += 1,
                None => outcome.inserted += 1,
            }
            known.insert(r.code.clone());
            levels[usize::from(level_rank(r.level))].push(region::ActiveModel {
                code: Set(r.code.clone()),
                name: Set(r.name.clone()),
                level: Set(r.level),
                parent_code: Set(r.parent_code.clone()),
                created_at: Set(now),
                updated_at: Set(now),
            });
        }
        if write {
            for rows in levels {
                let mut rows = rows.into_iter().peekable();
                while rows.peek().is_some() {
                    let chunk: Vec<_> = rows.by_ref().take(1_000).collect();
                    use region::Column as C;
                    region::Entity::insert_many(chunk)
                        .on_conflict(
                            OnConflict::column(C::Code)
                                .update_columns([C::Name, C::Level, C::ParentCode, C::UpdatedAt])
                                .to_owned(),
                        )
                        .exec_without_returning(txn)
                        .await?;
                }
            }
        }
        Ok(outcome)
    }
}
