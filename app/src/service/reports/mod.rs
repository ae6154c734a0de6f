//! Reports people take to meetings: 抽查名单, 公示, 考核评分表, 问责报告 and
//! 报送及时性. Rows are read in the caller's scope and handed to the writers of
//! the `reports` crate a page at a time; the workbook goes into memory (for an
//! HTTP answer) or straight into a file (for the command line). Every export is
//! audited with the size and SHA-256 of what was delivered.

mod accountability;
mod draw_list;
pub mod labels;
mod publication;
mod scorecard;
mod store;
mod timeliness;
mod writer;

use std::io::{Seek as _, SeekFrom};

use chrono::{DateTime, Utc};
use entities::Role;
use reports::export::{Meta, XlsxError};
pub use reports::export::{Sink, Written};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sha2::{Digest as _, Sha256};
use writer::blocking;

use super::{
    Actor,
    audit::{self, Entry},
    scoring,
    validate::Problems,
};
use crate::{
    db,
    domain::{Period, reporting::Deadlines},
    error::{AppError, AppResult},
};

/// Who may export reports: those who plan checks and those who read results.
const EXPORTERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Leader];

/// The reports there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// 抽查名单: one draw's tasks, with a cover sheet for verification.
    Draw,
    /// 公示: published results.
    Publication,
    /// 考核评分表: a period's scores and ranks.
    Assessment,
    /// 问责报告: a period's accountability items.
    Accountability,
    /// 报送及时性: a period's incident reporting, per department.
    Timeliness,
}

impl ReportKind {
    /// Every kind, in the order they are listed.
    pub const ALL: [Self; 5] = [
        Self::Draw,
        Self::Publication,
        Self::Assessment,
        Self::Accountability,
        Self::Timeliness,
    ];

    /// The kind's name in paths and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draw => "draw",
            Self::Publication => "publication",
            Self::Assessment => "assessment",
            Self::Accountability => "accountability",
            Self::Timeliness => "timeliness",
        }
    }

    /// The kind named `name`.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// What the caller asks for.
#[derive(Debug, Clone)]
pub struct ReportRequest {
    /// Which report.
    pub kind: ReportKind,
    /// The period: required for the assessment, accountability and timeliness
    /// reports; limits the publication list to checks in it.
    pub period: Option<Period>,
    /// The draw, for the draw list.
    pub draw_id: Option<i64>,
}

/// A finished report.
#[derive(Debug)]
pub struct Export {
    /// A file name for it.
    pub file_name: String,
    /// The workbook: its bytes, or the file it was written to.
    pub body: Written,
    /// Its data rows (tasks, results, scores, items or departments).
    pub rows: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
}

impl Export {
    /// The workbook's bytes, when it was made in memory.
    #[must_use]
    pub fn into_bytes(self) -> Option<Vec<u8>> {
        match self.body {
            Written::Memory(bytes) => Some(bytes),
            Written::File(_) => None,
        }
    }
}

/// Size and SHA-256 of a finished workbook; a file is read back from its start.
fn fingerprint(written: Written) -> Result<(Written, u64, String), XlsxError> {
    match written {
        Written::Memory(bytes) => {
            let digest = hex::encode(Sha256::digest(&bytes));
            let size = bytes.len() as u64;
            Ok((Written::Memory(bytes), size, digest))
        }
        Written::File(mut file) => {
            let mut hasher = Sha256::new();
            file.seek(SeekFrom::Start(0))?;
            let size = std::io::copy(&mut file, &mut hasher)?;
            Ok((Written::File(file), size, hex::encode(hasher.finalize())))
        }
    }
}

/// Checks which parameters the kind needs, before anything is read.
fn check(request: &ReportRequest) -> AppResult<()> {
    let kind = request.kind.as_str();
    let about_a_draw = request.kind == ReportKind::Draw;
    let needs_period = !about_a_draw && request.kind != ReportKind::Publication;
    let mut problems = Problems::new();
    problems.check(
        !about_a_draw || request.draw_id.is_some(),
        "draw_id",
        "the draw report needs the draw's id",
    );
    problems.check(
        about_a_draw || request.draw_id.is_none(),
        "draw_id",
        format!("the {kind} report is not about one draw"),
    );
    problems.check(
        !needs_period || request.period.is_some(),
        "period",
        format!("the {kind} report needs a period (2026, 2026Q4 or 2026-11)"),
    );
    problems.check(
        !about_a_draw || request.period.is_none(),
        "period",
        "the draw report covers one draw, not a period",
    );
    problems.finish()
}

/// `浙江省`, `杭州市`, or `全国` for national scope.
async fn scope_label<C: ConnectionTrait>(db: &C, actor: &Actor) -> AppResult<String> {
    let Some(code) = actor.region_code.as_deref() else {
        return Ok("全国".to_owned());
    };
    let name = store::region_name(db, code).await?;
    Ok(name.unwrap_or_else(|| code.to_owned()))
}

/// For the reports built on a recomputation (scores, accountability items):
/// when the period was last computed and by whom, or that it never was.
async fn basis<C: ConnectionTrait>(db: &C, request: &ReportRequest) -> AppResult<Option<String>> {
    let (ReportKind::Assessment | ReportKind::Accountability, Some(period)) =
        (request.kind, request.period)
    else {
        return Ok(None);
    };
    let computation = scoring::computation(db, &period).await?;
    Ok(Some(labels::computation(computation.last.as_ref())))
}

fn exporter_label(actor: &Actor) -> String {
    if actor.user_id.is_some() {
        actor.username.clone()
    } else {
        format!("{}（命令行）", actor.username)
    }
}

/// Exports a report in the caller's scope and records the export in the audit log.
///
/// # Errors
/// As [`build`] and [`record`].
pub async fn export(
    db: &DatabaseConnection,
    actor: &Actor,
    deadlines: &Deadlines,
    request: &ReportRequest,
    now: DateTime<Utc>,
) -> AppResult<Export> {
    let export = build(db, actor, deadlines, request, now, Sink::Memory).await?;
    record(db, actor, request, &export).await?;
    Ok(export)
}

/// Builds a report in the caller's scope, without recording it: the caller
/// records it with [`record`] once the file is delivered or safely stored.
///
/// # Errors
/// 403 for inspectors and departments; 422 when the kind's parameters are
/// missing or do not apply; 404 for a draw out of scope; 413 for more rows than
/// a sheet holds; when the database fails.
#[tracing::instrument(skip(db, actor, deadlines), fields(report.kind = request.kind.as_str()))]
pub async fn build(
    db: &DatabaseConnection,
    actor: &Actor,
    deadlines: &Deadlines,
    request: &ReportRequest,
    now: DateTime<Utc>,
    sink: Sink,
) -> AppResult<Export> {
    actor.require(EXPORTERS, "export reports")?;
    check(request)?;
    let meta = Meta {
        period: request.period.as_ref().map(labels::period),
        scope: scope_label(db, actor).await?,
        exporter: exporter_label(actor),
        exported_at: labels::china_time(now),
        basis: basis(db, request).await?,
    };
    let (written, rows) = match (request.kind, request.period, request.draw_id) {
        (ReportKind::Draw, _, Some(draw_id)) => {
            draw_list::write(db, actor, meta, draw_id, sink).await?
        }
        (ReportKind::Publication, period, _) => {
            publication::write(db, actor, meta, period.as_ref(), sink).await?
        }
        (ReportKind::Assessment, Some(period), _) => {
            scorecard::write(db, actor, meta, &period, sink).await?
        }
        (ReportKind::Accountability, Some(period), _) => {
            accountability::write(db, actor, meta, &period, sink).await?
        }
        (ReportKind::Timeliness, Some(period), _) => {
            timeliness::write(db, actor, meta, &period, deadlines, now, sink).await?
        }
        _ => {
            return Err(AppError::BadRequest(
                "incomplete report request".to_owned().into(),
            ));
        }
    };
    let file_name = match (request.period, request.draw_id) {
        (Some(period), _) => format!("{}-{period}.xlsx", request.kind.as_str()),
        (None, Some(draw_id)) => format!("{}-{draw_id}.xlsx", request.kind.as_str()),
        (None, None) => format!("{}.xlsx", request.kind.as_str()),
    };
    let (body, size, sha256) = blocking(move || fingerprint(written)).await?;
    Ok(Export {
        file_name,
        body,
        rows,
        size,
        sha256,
    })
}

/// Appends the `report.export` audit entry of a built report: what was
/// exported, how many rows, and the file's size and SHA-256.
///
/// # Errors
/// When the database fails.
pub async fn record(
    db: &DatabaseConnection,
    actor: &Actor,
    request: &ReportRequest,
    export: &Export,
) -> AppResult<()> {
    let txn = db::begin_write(db).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("report.export", "report", request.kind.as_str()).with_detail(
            serde_json::json!({
                "period": request.period.map(|p| p.to_string()),
                "draw_id": request.draw_id,
                "rows": export.rows,
                "bytes": export.size,
                "sha256": export.sha256,
            }),
        ),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(
        report.kind = request.kind.as_str(),
        report.rows = export.rows,
        report.bytes = export.size,
        "report exported"
    );
    Ok(())
}
