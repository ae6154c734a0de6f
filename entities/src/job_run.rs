use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One fire of a scheduled job; `(job_name, fire_time)` is claimed once.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "job_run")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub job_name: String,
    pub fire_time: DateTimeUtc,
    pub instance: String,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// `running`, `ok`, `failed`, `skipped` or `interrupted`.
    pub outcome: String,
    pub message: Option<String>,
    /// Until when the claiming instance holds a `running` fire; it renews the
    /// lease while the body runs, and an expired lease means the instance died.
    pub lease_until: Option<DateTimeUtc>,
    /// The instance whose expired or interrupted claim this one took over.
    pub taken_over_from: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
