//! Allows one self-assessment per subject, period and indicator set.
//!
//! The subject is a department or an enterprise, each in its own nullable
//! column; NULLs never collide in a unique index, so the index is on the
//! columns with NULL read as 0 (ids start at 1). The expression index has the
//! same text on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

/// Adds the unique index on `self_assessment`.
#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "uq_self_assessment_subject_period_set";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let or_zero = |column: SelfAssessment| {
            Expr::expr(Func::coalesce([Expr::col(column), Expr::val(0i64)]))
        };
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(SelfAssessment::Table)
                    .col(SelfAssessment::Period)
                    .col(SelfAssessment::IndicatorSetId)
                    .col(SelfAssessment::SubjectKind)
                    .col(or_zero(SelfAssessment::DepartmentId))
                    .col(or_zero(SelfAssessment::EnterpriseId))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name(INDEX)
                    .table(SelfAssessment::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum SelfAssessment {
    Table,
    Period,
    IndicatorSetId,
    SubjectKind,
    DepartmentId,
    EnterpriseId,
}
