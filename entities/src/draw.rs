use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::enums::{DrawTrigger, SeedSource};

/// One run of the double-random draw (双随机).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "draw")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    /// The u64 seed, stored by its bit pattern.
    pub seed: i64,
    /// The public text the seed came from, exactly as hashed.
    pub seed_text: Option<String>,
    /// How the seed was chosen.
    pub seed_source: SeedSource,
    /// Why an operator gave the seed (required for `given`).
    pub seed_reason: Option<String>,
    /// The announcement that fixed the population and parameters beforehand.
    #[sea_orm(unique)]
    pub announcement_id: Option<i64>,
    pub algorithm: String,
    /// The plan parameters as used.
    pub params: Json,
    pub population_size: i32,
    pub population_sha256: String,
    /// The population snapshot, compressed.
    pub population_snapshot: Vec<u8>,
    /// Targets that could not be staffed, with why.
    pub unassigned: Json,
    pub trigger: DrawTrigger,
    pub actor_user_id: Option<i64>,
    pub created_at: DateTimeUtc,
    pub superseded_by: Option<i64>,
    pub supersede_reason: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
