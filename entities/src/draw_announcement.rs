use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A plan's next draw announced beforehand: its population and parameters
/// frozen and published, with the rule for the public text that will seed it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "draw_announcement")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    /// What public text will seed the draw, and when it is known.
    pub seed_rule: String,
    /// The parameters the draw will use, with the plan as it was.
    pub params: Json,
    pub population_size: i32,
    pub population_sha256: String,
    /// The frozen population snapshot, compressed.
    pub population_snapshot: Vec<u8>,
    pub actor_user_id: Option<i64>,
    pub announced_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdraw_reason: Option<String>,
}

/// Relations are followed by explicit queries in the service layer.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
