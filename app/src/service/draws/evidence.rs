//! A draw's evidence bundle (`docs/draw-algorithm.md`, section 8.1): everything
//! a third party needs to re-run the draw, in one JSON file that
//! `docs/verify_draw.py` checks without the server.
//!
//! It holds ids, region codes, strata, credit classes, key flags, industries,
//! departments and the plan's rules, and no names, credit codes or badge
//! numbers: checking a draw does not need them.

use base64::Engine as _;
use entities::{SeedSource, draw};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;

use super::{get, store};
use crate::{
    db,
    domain::{china_time::ChinaTime, draw::snapshot},
    error::{AppError, AppResult},
    service::{
        Actor,
        audit::{self, Entry},
        draws::model::{AnnouncementRow, DrawView, DrawnTaskView},
    },
};

/// The bundle's format name.
pub const EVIDENCE_FORMAT: &str = "spotcheck-draw-evidence/1";

/// A draw's evidence bundle, written out.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// The draw.
    pub draw_id: i64,
    /// The bundle: UTF-8 JSON.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, in hex (audited).
    pub sha256: String,
}

#[derive(Serialize)]
struct Bundle<'a> {
    format: &'static str,
    draw: DrawRecord<'a>,
    algorithm: &'a str,
    /// A decimal string: JSON numbers above 2⁵³ are not exact everywhere.
    seed: String,
    seed_provenance: Provenance<'a>,
    params: &'a serde_json::Value,
    population: PopulationRecord<'a>,
    result: ResultRecord<'a>,
}

#[derive(Serialize)]
struct DrawRecord<'a> {
    id: i64,
    plan_id: i64,
    created_at: String,
    trigger: entities::DrawTrigger,
    superseded_by: Option<i64>,
    supersede_reason: Option<&'a str>,
}

#[derive(Serialize)]
struct Provenance<'a> {
    source: SeedSource,
    seed_text: Option<&'a str>,
    announcement: Option<AnnouncementRecord<'a>>,
    given_by: Option<&'a str>,
    reason: Option<&'a str>,
}

#[derive(Serialize)]
struct AnnouncementRecord<'a> {
    id: i64,
    seed_rule: &'a str,
    announced_at: String,
    population_sha256: &'a str,
}

#[derive(Serialize)]
struct PopulationRecord<'a> {
    size: i32,
    sha256: &'a str,
    snapshot_zlib_base64: String,
}

#[derive(Serialize)]
struct ResultRecord<'a> {
    tasks: Vec<TaskRecord<'a>>,
    /// As stored: target, selection and reason of each, in draw order.
    unassigned: &'a serde_json::Value,
    /// Cancelled tasks in the order cancelled, each with its replacement (section 9).
    cancellations: Vec<CancellationRecord<'a>>,
}

#[derive(Serialize)]
struct CancellationRecord<'a> {
    target_id: i64,
    reason: entities::CancelReason,
    replace: bool,
    replacement: Option<TaskRecord<'a>>,
}

#[derive(Serialize)]
struct TaskRecord<'a> {
    target_id: i64,
    inspector_ids: &'a [i64],
}

fn task_record(t: &DrawnTaskView) -> TaskRecord<'_> {
    TaskRecord {
        target_id: t.target_id,
        inspector_ids: &t.inspector_ids,
    }
}

/// How a draw's seed was chosen, as its evidence and draw list state it.
#[derive(Debug, Clone, PartialEq)]
pub struct SeedProvenance {
    /// Random, given, public text or unrecorded.
    pub source: SeedSource,
    /// The public text, exactly as hashed.
    pub text: Option<String>,
    /// The operator who gave the seed: a username, or `system` for the command line.
    pub given_by: Option<String>,
    /// Why they gave it.
    pub reason: Option<String>,
    /// The announcement that froze the population beforehand.
    pub announcement: Option<AnnouncementRow>,
}

/// The provenance of a stored draw's seed.
///
/// # Errors
/// When the database fails.
pub async fn seed_provenance<C: ConnectionTrait>(
    db: &C,
    stored: &draw::Model,
) -> AppResult<SeedProvenance> {
    let announcement = match stored.announcement_id {
        Some(announcement) => store::find_announcement(db, announcement).await?,
        None => None,
    };
    let given_by = match (stored.seed_source, stored.actor_user_id) {
        (SeedSource::Given, Some(user)) => store::username(db, user).await?,
        // The command line draws as the system itself.
        (SeedSource::Given, None) => Some("system".to_owned()),
        _ => None,
    };
    Ok(SeedProvenance {
        source: stored.seed_source,
        text: stored.seed_text.clone(),
        given_by,
        reason: stored.seed_reason.clone(),
        announcement,
    })
}

/// Writes a draw's evidence bundle and audits its export.
///
/// # Errors
/// 403 for roles without access to draws (admins, supervisors and leaders
/// have it), 404 when the draw's plan is out of scope.
#[tracing::instrument(skip_all, fields(draw.id = id))]
pub async fn evidence(db: &DatabaseConnection, actor: &Actor, id: i64) -> AppResult<Evidence> {
    let view = get(db, actor, id).await?;
    let provenance = seed_provenance(db, &view.draw).await?;
    let bytes = serde_json::to_vec_pretty(&bundle(&view, &provenance))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("Failed to write the bundle: {e}")))?;
    let sha256 = snapshot::sha256_hex(&bytes);
    let txn = db::begin_write(db).await?;
    audit::append(
        &txn,
        actor,
        Entry::ok("draw.evidence", "draw", id).with_detail(serde_json::json!({
            "format": EVIDENCE_FORMAT,
            "bytes": bytes.len(),
            "sha256": sha256,
        })),
    )
    .await?;
    txn.commit().await?;
    Ok(Evidence {
        draw_id: id,
        bytes,
        sha256,
    })
}

fn bundle<'a>(view: &'a DrawView, provenance: &'a SeedProvenance) -> Bundle<'a> {
    let stored = &view.draw;
    Bundle {
        format: EVIDENCE_FORMAT,
        draw: DrawRecord {
            id: stored.id,
            plan_id: stored.plan_id,
            created_at: ChinaTime(stored.created_at).to_rfc3339(),
            trigger: stored.trigger,
            superseded_by: stored.superseded_by,
            supersede_reason: stored.supersede_reason.as_deref(),
        },
        algorithm: &stored.algorithm,
        seed: u64::from_ne_bytes(stored.seed.to_ne_bytes()).to_string(),
        seed_provenance: Provenance {
            source: provenance.source,
            seed_text: provenance.text.as_deref(),
            announcement: provenance
                .announcement
                .as_ref()
                .map(|a| AnnouncementRecord {
                    id: a.id,
                    seed_rule: &a.seed_rule,
                    announced_at: ChinaTime(a.announced_at).to_rfc3339(),
                    population_sha256: &a.population_sha256,
                }),
            given_by: provenance.given_by.as_deref(),
            reason: provenance.reason.as_deref(),
        },
        params: &stored.params,
        population: PopulationRecord {
            size: stored.population_size,
            sha256: &stored.population_sha256,
            snapshot_zlib_base64: base64::engine::general_purpose::STANDARD
                .encode(&stored.population_snapshot),
        },
        result: ResultRecord {
            tasks: view.drawn_tasks().map(task_record).collect(),
            unassigned: &stored.unassigned,
            cancellations: view
                .cancellations
                .iter()
                .map(|c| CancellationRecord {
                    target_id: c.target_id,
                    reason: c.reason,
                    replace: c.replace,
                    replacement: c
                        .replaced_by
                        .and_then(|id| view.tasks.iter().find(|t| t.task_id == id))
                        .map(task_record),
                })
                .collect(),
        },
    }
}
