//! Creates `self_assessment_item`: the points a self-assessment gives each indicator.

use sea_orm_migration::{prelude::*, schema::*};

/// Creates the `self_assessment_item` table.
#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SelfAssessmentItem::Table)
                    .col(big_pk_auto(SelfAssessmentItem::Id))
                    .col(big_integer(SelfAssessmentItem::AssessmentId))
                    .col(big_integer(SelfAssessmentItem::IndicatorId))
                    .col(double(SelfAssessmentItem::Points))
                    // The items are part of the assessment and go with it.
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_item_assessment_id")
                            .from(SelfAssessmentItem::Table, SelfAssessmentItem::AssessmentId)
                            .to(SelfAssessment::Table, SelfAssessment::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_self_assessment_item_indicator_id")
                            .from(SelfAssessmentItem::Table, SelfAssessmentItem::IndicatorId)
                            .to(Indicator::Table, Indicator::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Also serves lookups by assessment (its leading column).
        manager
            .create_index(
                Index::create()
                    .name("uq_self_assessment_item_assessment_id_indicator_id")
                    .table(SelfAssessmentItem::Table)
                    .col(SelfAssessmentItem::AssessmentId)
                    .col(SelfAssessmentItem::IndicatorId)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SelfAssessmentItem::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SelfAssessmentItem {
    Table,
    Id,
    AssessmentId,
    IndicatorId,
    Points,
}

#[derive(DeriveIden)]
enum SelfAssessment {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Indicator {
    Table,
    Id,
}
