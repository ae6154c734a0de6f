//! `/imports/{kind}` and `/templates/{kind}`: workbooks in, templates out.

use base64::Engine as _;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Enum, Multipart, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::multipart::Upload,
};

use super::{ApiTags, BearerAuth};
use crate::{
    error::AppError,
    service::imports::{self, ImportKind, ImportOptions, ImportReport, RowError},
    state::AppState,
};

/// What a workbook holds.
#[derive(Debug, Clone, Copy, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ImportKindName {
    /// GB/T 2260 regions (admin).
    Regions,
    /// Departments (admin).
    Departments,
    /// Enterprises (admin, supervisor, department).
    Enterprises,
    /// Inspectors (admin, supervisor).
    Inspectors,
    /// Conflicts of interest (admin, supervisor).
    Conflicts,
    /// Risk lists, 风险清单 (admin, supervisor, department).
    Risks,
    /// Hidden-hazard lists, 隐患排查治理清单 (admin, supervisor, department).
    Hazards,
    /// Holidays and adjusted workdays (admin).
    Holidays,
}

impl From<ImportKindName> for ImportKind {
    fn from(kind: ImportKindName) -> Self {
        match kind {
            ImportKindName::Regions => Self::Regions,
            ImportKindName::Departments => Self::Departments,
            ImportKindName::Enterprises => Self::Enterprises,
            ImportKindName::Inspectors => Self::Inspectors,
            ImportKindName::Conflicts => Self::Conflicts,
            ImportKindName::Risks => Self::Risks,
            ImportKindName::Hazards => Self::Hazards,
            ImportKindName::Holidays => Self::Holidays,
        }
    }
}

/// The upload.
#[derive(Multipart)]
pub struct ImportUpload {
    /// The workbook (`.xlsx` or `.xls`).
    pub file: Upload,
}

/// One problem of a rejected row.
#[derive(Object)]
pub struct ImportRowError {
    /// Sheet name.
    pub sheet: String,
    /// Row number as Excel shows it.
    pub row: u32,
    /// The column's header as the file has it; empty for the whole row.
    pub column: String,
    /// What is wrong.
    pub message: String,
}

impl From<RowError> for ImportRowError {
    fn from(e: RowError) -> Self {
        Self {
            sheet: e.sheet,
            row: e.row,
            column: e.column,
            message: e.message,
        }
    }
}

/// What an import did (or, for a dry run, would do).
#[derive(Object)]
pub struct ImportResult {
    /// The kind imported.
    pub kind: String,
    /// The sheet read (the workbook's first worksheet).
    pub sheet: String,
    /// Data rows read.
    pub rows: u64,
    /// Rows added.
    pub inserted: u64,
    /// Rows that changed existing objects.
    pub updated: u64,
    /// Rows equal to what is stored.
    pub unchanged: u64,
    /// Rows rejected (only with `skip_invalid`; otherwise the answer is 422).
    pub rejected: u64,
    /// Unknown columns and the like.
    pub warnings: Vec<String>,
    /// The rejected rows' problems.
    pub errors: Vec<ImportRowError>,
    /// Problems in all (the list may be cut short).
    pub error_count: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Whether nothing was written.
    pub dry_run: bool,
    /// With `skip_invalid`, the rejected rows and their reasons as an `.xlsx`, base64.
    pub error_workbook_base64: Option<String>,
}

impl From<ImportReport> for ImportResult {
    fn from(r: ImportReport) -> Self {
        Self {
            kind: r.kind,
            sheet: r.sheet,
            rows: r.rows,
            inserted: r.inserted,
            updated: r.updated,
            unchanged: r.unchanged,
            rejected: r.rejected,
            warnings: r.warnings,
            errors: r.errors.into_iter().map(Into::into).collect(),
            error_count: r.error_count,
            sha256: r.sha256,
            dry_run: r.dry_run,
            error_workbook_base64: r
                .error_workbook
                .map(|bytes| base64::engine::general_purpose::STANDARD.encode(bytes)),
        }
    }
}

/// An `.xlsx` file.
#[derive(ApiResponse)]
pub enum XlsxFile {
    /// The workbook.
    #[oai(
        status = 200,
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )]
    Ok(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// Imports and templates.
pub struct ImportsApi;

#[OpenApi(tag = "ApiTags::Imports")]
impl ImportsApi {
    /// Import a workbook
    ///
    /// Multipart field `file`. Headers in Chinese or English, any order. The file
    /// is imported whole or not at all: any invalid row answers 422 with
    /// `errors[]` of `sheet`, `row`, `column`, `message`. With `skip_invalid` the
    /// valid rows are imported and the rejected ones come back as an `.xlsx` in
    /// `error_workbook_base64`; with `dry_run` nothing is written.
    #[oai(path = "/imports/:kind", method = "post")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        kind: Path<ImportKindName>,
        skip_invalid: Query<Option<bool>>,
        dry_run: Query<Option<bool>>,
        upload: ImportUpload,
    ) -> poem::Result<Json<ImportResult>> {
        let file_name = upload.file.file_name().map(str::to_owned);
        let bytes =
            upload.file.into_vec().await.map_err(|e| {
                AppError::BadRequest(format!("could not read the upload: {e}").into())
            })?;
        let options = ImportOptions {
            skip_invalid: skip_invalid.0.unwrap_or(false),
            dry_run: dry_run.0.unwrap_or(false),
            file_name,
        };
        let report = imports::import(
            &state.db,
            &auth.0.actor,
            &state.policy.limits,
            kind.0.into(),
            std::io::Cursor::new(bytes),
            &options,
            &|_| {},
        )
        .await?;
        Ok(Json(report.into()))
    }

    /// Download an import template
    ///
    /// Chinese headers with English notes, one example row, drop-downs on
    /// enumerated columns, a frozen header row.
    #[oai(path = "/templates/:kind", method = "get")]
    async fn template(
        &self,
        _auth: BearerAuth,
        kind: Path<ImportKindName>,
    ) -> poem::Result<XlsxFile> {
        let kind: ImportKind = kind.0.into();
        let bytes = imports::template(kind)?;
        Ok(XlsxFile::Ok(
            Binary(bytes),
            format!("attachment; filename=\"{}-template.xlsx\"", kind.as_str()),
        ))
    }
}
