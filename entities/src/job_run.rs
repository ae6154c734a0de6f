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
    /// `running`, `ok`, `failed` or `skipped`.
    pub outcome: String,
    pub message: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
