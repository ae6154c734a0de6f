//! Importing directories and lists from workbooks (regions, departments,
//! enterprises, inspectors, conflicts, risks, hazards, holidays).
//!
//! The workbook is read on a blocking thread (`reports::read`, streaming) and
//! its rows arrive here in chunks. The header row is found (Chinese or English
//! names, any order, below a title if need be), each row is parsed and checked,
//! and rows are written in batches inside one transaction. A file is imported
//! whole or not at all: any rejected row rolls everything back and answers 422
//! with every error, unless `skip_invalid` keeps the good rows and returns the
//! rejected ones in an error workbook. Upserts go by natural key, so importing
//! the same file again changes nothing. The import appends one audit entry with
//! the counts and the file's SHA-256.

mod columns;
mod conflicts;
mod departments;
mod enterprises;
mod hazards;
mod holidays;
mod inspectors;
mod items;
mod model;
mod regions;
mod risks;
mod run;
mod store;
pub(crate) mod vocab;

use std::io::{Read, Seek};

use entities::Role;
use reports::template::TemplateColumn;
use sea_orm::DatabaseConnection;

pub use columns::Column;
pub use model::{ImportOptions, ImportReport, Progress, RowError};
use run::Importer;

use super::Actor;
use crate::{
    config::Limits,
    error::{AppError, AppResult},
};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    /// GB/T 2260 regions.
    Regions,
    /// Departments.
    Departments,
    /// Enterprises.
    Enterprises,
    /// Inspectors.
    Inspectors,
    /// Conflicts of interest.
    Conflicts,
    /// Risk lists (风险清单).
    Risks,
    /// Hidden-hazard lists (隐患排查治理清单).
    Hazards,
    /// Holidays and adjusted workdays.
    Holidays,
}

impl ImportKind {
    /// Every kind.
    pub const ALL: &'static [Self] = &[
        Self::Regions,
        Self::Departments,
        Self::Enterprises,
        Self::Inspectors,
        Self::Conflicts,
        Self::Risks,
        Self::Hazards,
        Self::Holidays,
    ];

    /// The kind's name in URLs and on the command line.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regions => "regions",
            Self::Departments => "departments",
            Self::Enterprises => "enterprises",
            Self::Inspectors => "inspectors",
            Self::Conflicts => "conflicts",
            Self::Risks => "risks",
            Self::Hazards => "hazards",
            Self::Holidays => "holidays",
        }
    }

    /// Parses a kind's name.
    ///
    /// # Errors
    /// 404 naming the kinds there are.
    pub fn parse(name: &str) -> AppResult<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|k| k.as_str()).collect();
                AppError::NotFound(
                    format!("import kind '{name}' (use one of {})", names.join(", ")).into(),
                )
            })
    }

    fn writers(self) -> &'static [Role] {
        match self {
            Self::Regions | Self::Departments | Self::Holidays => &[Role::Admin],
            Self::Inspectors | Self::Conflicts => &[Role::Admin, Role::Supervisor],
            Self::Enterprises | Self::Risks | Self::Hazards => {
                &[Role::Admin, Role::Supervisor, Role::Department]
            }
        }
    }

    /// The kind's columns.
    #[must_use]
    pub fn columns(self) -> &'static [Column] {
        match self {
            Self::Regions => regions::COLUMNS,
            Self::Departments => departments::COLUMNS,
            Self::Enterprises => enterprises::COLUMNS,
            Self::Inspectors => inspectors::COLUMNS,
            Self::Conflicts => conflicts::COLUMNS,
            Self::Risks => risks::COLUMNS,
            Self::Hazards => hazards::COLUMNS,
            Self::Holidays => holidays::COLUMNS,
        }
    }

    /// The template's sheet name.
    fn sheet(self) -> &'static str {
        match self {
            Self::Regions => "行政区划",
            Self::Departments => "部门",
            Self::Enterprises => "企业",
            Self::Inspectors => "执法检查人员",
            Self::Conflicts => "回避关系",
            Self::Risks => "风险清单",
            Self::Hazards => "隐患排查治理清单",
            Self::Holidays => "节假日",
        }
    }
}

/// A template for a kind: Chinese headers with English notes, an example row,
/// drop-downs, widths and a frozen header.
///
/// # Errors
/// 500 if the workbook cannot be assembled.
pub fn template(kind: ImportKind) -> AppResult<Vec<u8>> {
    let columns: Vec<TemplateColumn> = kind
        .columns()
        .iter()
        .map(|c| TemplateColumn {
            header: c.zh.to_owned(),
            note: format!(
                "{} ({}){}",
                c.key,
                if c.required { "required" } else { "optional" },
                if c.note.is_empty() {
                    String::new()
                } else {
                    format!(": {}", c.note)
                }
            ),
            example: c.example.to_owned(),
            choices: c.choices.iter().map(|s| (*s).to_owned()).collect(),
            width: c.width,
            required: c.required,
            date: c.date,
        })
        .collect();
    reports::template::template(kind.sheet(), &columns)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to build the template: {e}")))
}

/// Imports a workbook of `kind`.
///
/// # Errors
/// 403 for a role that may not import the kind; 400 for a file that is not a
/// readable workbook and 413 for one beyond the limits; 422 (`Rejected`, with
/// every row error) when a row is invalid and `skip_invalid` is off.
#[tracing::instrument(skip_all, fields(import.kind = kind.as_str(), actor.id = ?actor.user_id))]
pub async fn import<R>(
    db: &DatabaseConnection,
    actor: &Actor,
    limits: &Limits,
    kind: ImportKind,
    source: R,
    options: &ImportOptions,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> AppResult<ImportReport>
where
    R: Read + Seek + Send + 'static,
{
    actor.require(kind.writers(), &format!("import {}", kind.as_str()))?;
    let importer = Importer {
        db,
        actor,
        limits,
        kind: kind.as_str(),
        options,
        progress,
    };
    match kind {
        ImportKind::Regions => importer.import::<regions::Regions, R>(source).await,
        ImportKind::Departments => importer.import::<departments::Departments, R>(source).await,
        ImportKind::Enterprises => importer.import::<enterprises::Enterprises, R>(source).await,
        ImportKind::Inspectors => importer.import::<inspectors::Inspectors, R>(source).await,
        ImportKind::Conflicts => importer.import::<conflicts::Conflicts, R>(source).await,
        ImportKind::Risks => importer.import::<risks::Risks, R>(source).await,
        ImportKind::Hazards => importer.import::<hazards::Hazards, R>(source).await,
        ImportKind::Holidays => importer.import::<holidays::Holidays, R>(source).await,
    }
}
