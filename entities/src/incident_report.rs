use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{ReportStage, Severity};

/// One report in an incident's chain: 初报, 续报 or 终报.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "incident_report")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub incident_id: i64,
    pub stage: ReportStage,
    /// When it was filed: the server's time of receipt, or the time a backfill
    /// (补录) claims it was filed on paper or by phone.
    pub reported_at: DateTimeUtc,
    /// Went directly to the ministry (直报).
    pub direct: bool,
    pub deaths: Option<i32>,
    pub serious_injuries: Option<i32>,
    pub economic_loss_yuan: Option<i64>,
    pub summary: Option<String>,
    /// The severity this report states, if it states one.
    pub stated_severity: Option<Severity>,
    /// The severity the figures known when it was filed call for (this
    /// report's over the incident's until then).
    pub derived_severity: Severity,
    /// Entered afterwards (补录) for a report first filed on paper or by phone.
    pub backfilled: bool,
    /// Why it was entered afterwards.
    pub backfill_reason: Option<String>,
    /// Where the original can be found (document number, file, call record).
    pub backfill_evidence: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
