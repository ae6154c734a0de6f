//! Enterprises, upserted by unified social credit code.

use chrono::Utc;
use entities::{CreditClass, EnterpriseStatus, Industry, RiskLevel, enterprise};
use sea_orm::DatabaseTransaction;

use super::{
    columns::{Column, Fields},
    model::{EnterpriseRow, Kind, KnownRegions, Outcome, Staged},
    store,
    vocab::{CREDIT_CLASSES, INDUSTRIES, RISK_LEVELS, STATUSES},
};
use crate::{error::AppResult, service::Actor};

pub(super) const COLUMNS: &[Column] = &[
    Column {
        aliases: &["信用代码", "社会信用代码", "统一代码"],
        note: "18 characters; the check character is verified (GB 32100-2015).",
        example: "91350100M000100Y43",
        width: 24.0,
        ..Column::new("credit_code", "统一社会信用代码", true)
    },
    Column {
        aliases: &["名称", "单位名称", "企业名"],
        note: "Registered name.",
        example: "示例：福建某某化工有限公司",
        width: 30.0,
        ..Column::new("name", "企业名称", true)
    },
    Column {
        aliases: &["所属行业", "行业类别"],
        note: "煤矿、非煤矿山、危险化学品、烟花爆竹、交通运输、金属冶炼、渔业生产或其他；也接受危化品、冶金、渔业等简称和英文代码（coal_mine 等）。",
        example: "危险化学品",
        choices: &[
            "煤矿",
            "非煤矿山",
            "危险化学品",
            "烟花爆竹",
            "交通运输",
            "金属冶炼",
            "渔业生产",
            "其他",
        ],
        ..Column::new("industry", "行业", true)
    },
    Column {
        aliases: &["所在区划", "行政区划代码", "区划代码", "所在地区代码"],
        note: "Six-digit GB/T 2260 code of where it operates; must exist and lie in your jurisdiction.",
        example: "350102",
        ..Column::new("region_code", "行政区划", true)
    },
    Column {
        aliases: &["安全风险等级", "风险级别"],
        note: "major (重大, red), high (较大, orange), moderate (一般, yellow) or low (低, blue).",
        example: "较大",
        choices: &["重大", "较大", "一般", "低"],
        ..Column::new("risk_level", "风险等级", true)
    },
    Column {
        aliases: &["信用风险分类", "信用类别", "信用等级"],
        note: "A (best) to D (worst).",
        example: "B类",
        choices: &["A类", "B类", "C类", "D类"],
        ..Column::new("credit_class", "信用分类", true)
    },
    Column {
        aliases: &["是否重点监管"],
        note: "Key supervision: 是 (yes) or 否 (no); default no.",
        example: "否",
        choices: &["是", "否"],
        ..Column::new("key_supervision", "重点监管", false)
    },
    Column {
        aliases: &["经营状态", "企业状态"],
        note: "active (正常), suspended (停产) or closed (关闭); default active.",
        example: "正常",
        choices: &["正常", "停产", "关闭"],
        ..Column::new("status", "状态", false)
    },
];

pub(super) struct Enterprises;

impl Kind for Enterprises {
    type Record = EnterpriseRow;
    type Context = KnownRegions;
    const BATCH: usize = 1_000;
    const COLUMNS: &'static [Column] = COLUMNS;
    const KEY_COLUMN: &'static str = "credit_code";

    fn parse(f: &mut Fields<'_>) -> Option<EnterpriseRow> {
        let credit_code = f.credit_code("credit_code");
        let name = f.required_text("name", 200);
        let industry = f
            .choice("industry", INDUSTRIES, true)
            .unwrap_or(Industry::Other);
        let region_code = f.region_code("region_code", true);
        let risk_level = f
            .choice("risk_level", RISK_LEVELS, true)
            .unwrap_or(RiskLevel::Low);
        let credit_class = f
            .choice("credit_class", CREDIT_CLASSES, true)
            .unwrap_or(CreditClass::B);
        let key_supervision = f.boolean("key_supervision").unwrap_or(false);
        let status = f
            .choice("status", STATUSES, false)
            .unwrap_or(EnterpriseStatus::Active);
        Some(EnterpriseRow {
            credit_code: credit_code?,
            name,
            industry,
            region_code: region_code?,
            risk_level,
            credit_class,
            key_supervision,
            status,
        })
    }

    fn key(record: &EnterpriseRow) -> String {
        record.credit_code.to_string()
    }

    async fn context(txn: &DatabaseTransaction, _actor: &Actor) -> AppResult<KnownRegions> {
        Ok(KnownRegions(store::region_codes(txn).await?))
    }

    async fn write(
        txn: &DatabaseTransaction,
        actor: &Actor,
        regions: &mut KnownRegions,
        batch: &[Staged<EnterpriseRow>],
        write: bool,
    ) -> AppResult<Outcome> {
        let codes: Vec<&str> = batch
            .iter()
            .map(|s| s.record.credit_code.as_str())
            .collect();
        let existing = store::enterprises_by_code(txn, codes).await?;
        let mut outcome = Outcome::default();
        let mut changed: Vec<&EnterpriseRow> = Vec::new();
        for (index, staged) in batch.iter().enumerate() {
            let r = &staged.record;
            if let Err(e) = regions.check(actor, r.region_code.as_str()) {
                outcome.reject(index, "region_code", e);
                continue;
            }
            let stored = existing.get(r.credit_code.as_str());
            if stored.is_some_and(|m| !actor.covers(&m.region_code)) {
                outcome.reject(
                    index,
                    "credit_code",
                    "this code belongs to an enterprise outside your jurisdiction",
                );
                continue;
            }
            if outcome.count(stored, |m| same(m, r)) {
                changed.push(r);
            }
        }
        if write {
            store::upsert_enterprises(txn, &changed, Utc::now()).await?;
        }
        Ok(outcome)
    }
}

fn same(m: &enterprise::Model, r: &EnterpriseRow) -> bool {
    m.name == r.name
        && m.industry == r.industry
        && m.region_code == r.region_code.as_str()
        && m.risk_level == r.risk_level
        && m.credit_class == r.credit_class
        && m.key_supervision == r.key_supervision
        && m.status == r.status
}
