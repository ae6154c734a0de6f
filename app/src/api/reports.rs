//! `/reports/{kind}`: workbooks for meetings, in the caller's scope.

use poem::web::Data;
use poem_openapi::{
    Enum, OpenApi,
    param::{Path, Query},
    payload::Binary,
};

use super::{ApiTags, BearerAuth, imports::XlsxFile, period_filter};
use crate::{
    error::AppError,
    service::reports::{self, ReportKind, ReportRequest},
    state::AppState,
};

/// Which report.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ReportKindName {
    /// 抽查名单: one draw's tasks, with the seed and population hash on a cover sheet (`draw_id`).
    Draw,
    /// 公示: published results (optionally of checks in `period`).
    Publication,
    /// 考核评分表: ranked scores, the indicators behind them and a chart by region (`period`).
    Assessment,
    /// 问责报告: accountability items by unit (`period`).
    Accountability,
    /// 报送及时性: incidents, on-time rate, minutes late and direct-report rate per department (`period`).
    Timeliness,
}

impl From<ReportKindName> for ReportKind {
    fn from(kind: ReportKindName) -> Self {
        match kind {
            ReportKindName::Draw => Self::Draw,
            ReportKindName::Publication => Self::Publication,
            ReportKindName::Assessment => Self::Assessment,
            ReportKindName::Accountability => Self::Accountability,
            ReportKindName::Timeliness => Self::Timeliness,
        }
    }
}

/// Reports.
pub struct ReportsApi;

#[OpenApi(tag = "ApiTags::Reports")]
impl ReportsApi {
    /// Export a report
    ///
    /// An `.xlsx` limited to the caller's region (admins, supervisors and leaders).
    /// `draw` needs `draw_id`; `assessment`, `accountability` and `timeliness`
    /// need `period` (`2026`, `2026Q4` or `2026-11`). Every export is audited.
    #[oai(path = "/reports/:kind", method = "get")]
    async fn export(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        kind: Path<ReportKindName>,
        period: Query<Option<String>>,
        draw_id: Query<Option<i64>>,
    ) -> poem::Result<XlsxFile> {
        let request = ReportRequest {
            kind: kind.0.into(),
            period: period_filter(period.0)?,
            draw_id: draw_id.0,
        };
        let export = reports::export(
            &state.db,
            &auth.0.actor,
            &state.policy.reporting.deadlines(),
            &request,
            chrono::Utc::now(),
        )
        .await?;
        let disposition = format!("attachment; filename=\"{}\"", export.file_name);
        let bytes = export
            .into_bytes()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("report was not made in memory")))?;
        Ok(XlsxFile::Ok(Binary(bytes), disposition))
    }
}
