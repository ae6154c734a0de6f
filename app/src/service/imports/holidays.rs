//! Holidays and adjusted workdays (调休), upserted by date.

use chrono::NaiveDate;
use entities::{HolidayKind, holiday};
use sea_orm::{ActiveValue::Set, DatabaseTransaction};

use super::{
    columns::{Column, Fields},
    model::{Kind, Outcome, Staged},
    store,
    vocab::HOLIDAY_KINDS,
};
use crate::{error::AppResult, service::Actor};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["日期"],
        note: "The day: 2026-10-01, 2026/10/01, 2026年10月1日 or an Excel date.",
        example: "2026-10-01",
        date: true,
        width: 14.0,
        ..Column::new("date", "日期", true)
    },
    Column {
        aliases: &["名称", "节日", "节假日名称"],
        note: "Name of the holiday.",
        example: "示例：国庆节",
        ..Column::new("name", "节日名称", true)
    },
    Column {
        aliases: &["类别", "安排"],
        note: "holiday (放假: a day off) or workday (调休上班: a weekend day worked).",
        example: "放假",
        choices: &["放假", "调休上班"],
        ..Column::new("kind", "类型", true)
    },
];

pub(super) struct Record {
    date: NaiveDate,
    name: String,
    kind: HolidayKind,
}

pub(super) struct Holidays;

impl Kind for Holidays {
    type Record = Record;
    type Context = ();
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "date";

    fn parse(f: &mut Fields<'_>) -> Option<Record> {
        Some(Record {
            date: f.required_date("date").unwrap_or_default(),
            name: f.required_text("name", 100),
            kind: f
                .choice("kind", HOLIDAY_KINDS, true)
                .unwrap_or(HolidayKind::Holiday),
        })
    }

    fn key(record: &Record) -> String {
        record.date.to_string()
    }

    async fn context(_txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<()> {
        Ok(())
    }

    async fn write(
        txn: &DatabaseTransaction,
        _actor: &Actor,
        _context: &mut (),
        batch: &[Staged<Record>],
        write: bool,
    ) -> AppResult<Outcome> {
        let dates: Vec<NaiveDate> = batch.iter().map(|s| s.record.date).collect();
        let existing = store::holidays_on(txn, dates).await?;
        let mut outcome = Outcome::default();
        let mut rows = Vec::new();
        for staged in batch {
            let r = &staged.record;
            let stored = existing.get(&r.date);
            if outcome.count(stored, |m| m.name == r.name && m.kind == r.kind) {
                rows.push(holiday::ActiveModel {
                    date: Set(r.date),
                    name: Set(r.name.clone()),
                    kind: Set(r.kind),
                });
            }
        }
        if write {
            store::upsert_holidays(txn, rows).await?;
        }
        Ok(outcome)
    }
}
