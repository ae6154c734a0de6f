//! The hash chain: each row's hash, and checking the whole chain against
//! itself, against the audit keys, and against the checkpoints of its head
//! kept in the database and outside it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use super::{
    keys::{AuditKey, Keyring},
    outside,
    setup::{AuditSetup, Keys},
    store,
};
use crate::{error::AppResult, i18n::Msg, msg};

/// The `prev_hash` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The job that records the chain's head; `verify` reads its runs.
pub const CHECKPOINT_JOB: &str = "audit.checkpoint";

/// The hashed fields of a row, in their fixed order. `key_id` is left out
/// when there is none, so that rows written before keys existed keep their
/// hashes.
#[derive(Serialize)]
struct Canonical<'a> {
    id: i64,
    at: String,
    actor_user_id: Option<i64>,
    actor: &'a str,
    role: Option<&'a str>,
    action: &'a str,
    object_kind: &'a str,
    object_id: Option<&'a str>,
    result: &'a str,
    source_addr: Option<&'a str>,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_id: Option<&'a str>,
}

/// The timestamp as it is hashed: UTC, microseconds, as both databases keep it.
fn canonical_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The row's hash: `SHA-256(prev_hash ‖ canonical row)` without a key,
/// `HMAC-SHA-256(key, prev_hash ‖ canonical row)` with one; hex.
#[must_use]
pub fn row_hash(row: &audit_log::Model, key: Option<&AuditKey>) -> String {
    let canonical = Canonical {
        id: row.id,
        at: canonical_time(row.at),
        actor_user_id: row.actor_user_id,
        actor: &row.actor,
        role: row.role.as_deref(),
        action: &row.action,
        object_kind: &row.object_kind,
        object_id: row.object_id.as_deref(),
        result: &row.result,
        source_addr: row.source_addr.as_deref(),
        detail: &row.detail,
        key_id: row.key_id.as_deref(),
    };
    let json = serde_json::to_string(&canonical).unwrap_or_default();
    match key {
        Some(key) => key.mac(&[row.prev_hash.as_bytes(), json.as_bytes()]),
        None => {
            let mut hasher = Sha256::new();
            hasher.update(row.prev_hash.as_bytes());
            hasher.update(json.as_bytes());
            hex::encode(hasher.finalize())
        }
    }
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Whether every row is intact and in place, as far as could be checked.
    pub ok: bool,
    /// Rows found intact, from the first on.
    pub checked: u64,
    /// The first row found edited, out of place, or following a deleted one.
    pub first_bad_id: Option<i64>,
    /// What is wrong with it.
    pub problem: Option<Msg>,
    /// The first row signed with an audit key, if any.
    pub keyed_from: Option<i64>,
    /// Checkpoints from the checkpoint file the chain was compared with.
    pub outside_checkpoints: u64,
    /// What could not be checked, and why; empty when everything was.
    pub not_checked: Vec<Msg>,
}

/// A row found wrong, and what is wrong with it.
struct BadRow {
    id: i64,
    problem: Msg,
}

/// Rows signed with a key this process does not hold.
#[derive(Debug, Clone, Copy)]
struct Unchecked {
    first: i64,
    last: i64,
    rows: u64,
}

/// What walking the chain found.
#[derive(Default)]
struct Walk {
    /// Rows that held, from the first on.
    checked: u64,
    bad: Option<BadRow>,
    keyed_from: Option<i64>,
    /// By key id.
    unchecked: BTreeMap<String, Unchecked>,
    /// The hashes of the rows asked for.
    hashes: BTreeMap<i64, String>,
}

/// How `verify` treats checkpoints beyond the end of the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// They show rows removed from the end: a problem.
    Bound,
    /// A backup was just restored: they show rows written after the backup,
    /// lost with the database, and are reported, not failed.
    Restored,
}

/// Re-computes the chain from the first row with this process's audit setup
/// and names the first bad one.
///
/// # Errors
/// When the database fails.
pub async fn verify<C: ConnectionTrait>(db: &C) -> AppResult<Verification> {
    verify_with(db, super::setup::current(), Tail::Bound).await
}

/// Re-computes the chain with an audit setup.
///
/// # Errors
/// When the database fails.
pub async fn verify_with<C: ConnectionTrait>(
    db: &C,
    setup: &AuditSetup,
    tail: Tail,
) -> AppResult<Verification> {
    let mut not_checked = Vec::new();
    let outside = match &setup.checkpoint_file {
        None => {
            not_checked.push(msg!(
                "未配置检查点文件（audit.checkpoint_file）：从日志末尾删除的行只能与数据库内的检查点比对，而后者可被同时改写",
                "no checkpoint file is configured (audit.checkpoint_file): rows removed from the end of the log are checked only against the checkpoints in the database, which can be rewritten with it"
            ));
            Vec::new()
        }
        Some(path) if !path.exists() => {
            not_checked.push(msg!(
                "检查点文件 {} 尚不存在：尚无数据库之外的检查点可供比对",
                "the checkpoint file {} does not exist yet: there is no checkpoint outside the database to compare with",
                path.display()
            ));
            Vec::new()
        }
        Some(path) => match outside::binding(path) {
            Ok(records) => records,
            Err(e) => {
                not_checked.push(msg!(
                    "检查点文件无法读取（{e:#}）：无法发现从日志末尾删除的行",
                    "the checkpoint file cannot be read ({e:#}): rows removed from the end cannot be detected"
                ));
                Vec::new()
            }
        },
    };
    let wanted: BTreeSet<i64> = outside.iter().map(|r| r.seq).collect();
    let walk = walk(db, setup.keyring(), &wanted).await?;
    not_checked.extend(key_notes(setup, &walk));
    let mut bad = walk.bad;
    if bad.is_none() {
        bad = against_outside(&outside, &walk.hashes, walk.checked, tail, &mut not_checked);
    }
    if bad.is_none() {
        bad = against_checkpoint(db, walk.checked).await?;
    }
    Ok(Verification {
        ok: bad.is_none(),
        checked: walk.checked,
        first_bad_id: bad.as_ref().map(|b| b.id),
        problem: bad.map(|b| b.problem),
        keyed_from: walk.keyed_from,
        outside_checkpoints: outside.len() as u64,
        not_checked,
    })
}

/// What the keys let this verification check, and what not.
fn key_notes(setup: &AuditSetup, walk: &Walk) -> Vec<Msg> {
    let mut notes = Vec::new();
    match (&setup.keys, walk.keyed_from) {
        (Keys::None, None) => notes.push(msg!(
            "未配置审计密钥（audit.key_file）：各行只有普通 SHA-256 哈希，能写数据库的人修改行后可以重新计算整条链",
            "no audit key is configured (audit.key_file): rows carry plain SHA-256 hashes, which anyone who can write the database can recompute after editing rows"
        )),
        (Keys::Broken { path, error }, _) => notes.push(msg!(
            "审计密钥文件 {} 无法读取（{error}）",
            "the audit key file {} cannot be read ({error})",
            path.display()
        )),
        _ => {}
    }
    if let Some(first) = walk.keyed_from.filter(|first| *first > 1) {
        let last = first - 1;
        notes.push(msg!(
            "第 1 至 {last} 行写于启用审计密钥之前，只有普通 SHA-256 哈希",
            "rows 1 to {last} were written before an audit key was used and carry plain SHA-256 hashes"
        ));
    }
    for (id, span) in &walk.unchecked {
        let (first, last, rows) = (span.first, span.last, span.rows);
        notes.push(msg!(
            "第 {first} 至 {last} 行中有 {rows} 行以审计密钥“{id}”签名，而本处没有该密钥：只核对了顺序与衔接，未核对内容",
            "{rows} rows between {first} and {last} are signed with audit key '{id}', which is not available here: their order and links were checked, their content was not"
        ));
    }
    notes
}

/// Walks the chain from the first row; returns how many rows held, the
/// first that did not, and the hashes of the `wanted` rows.
async fn walk<C: ConnectionTrait>(
    db: &C,
    keyring: Option<&Keyring>,
    wanted: &BTreeSet<i64>,
) -> AppResult<Walk> {
    const PAGE: u64 = 2_000;
    let mut walk = Walk::default();
    let mut expected_id = 1i64;
    let mut prev_hash = GENESIS.to_owned();
    loop {
        let rows = store::rows_from(db, expected_id, PAGE).await?;
        let done = (rows.len() as u64) < PAGE;
        for row in rows {
            if let Some(problem) = row_problem(&row, expected_id, &prev_hash, keyring, &mut walk) {
                walk.bad = Some(BadRow {
                    id: row.id,
                    problem,
                });
                return Ok(walk);
            }
            if wanted.contains(&row.id) {
                walk.hashes.insert(row.id, row.hash.clone());
            }
            walk.checked += 1;
            expected_id += 1;
            prev_hash = row.hash;
        }
        if done {
            return Ok(walk);
        }
    }
}

/// What is wrong with a row found where row `expected_id` should be.
fn row_problem(
    row: &audit_log::Model,
    expected_id: i64,
    prev_hash: &str,
    keyring: Option<&Keyring>,
    walk: &mut Walk,
) -> Option<Msg> {
    if row.id != expected_id {
        return Some(msg!(
            "第 {expected_id} 行缺失或顺序错乱",
            "row {expected_id} is missing or out of order"
        ));
    }
    if row.prev_hash != prev_hash {
        return Some(msg!(
            "与前一行不衔接（有行被删除或调换）",
            "does not follow the row before it (deleted or reordered rows)"
        ));
    }
    let edited = || {
        Some(msg!(
            "内容与其哈希不符（被修改）",
            "its content does not match its hash (edited)"
        ))
    };
    match row.key_id.as_deref() {
        None => {
            if let Some(first) = walk.keyed_from {
                return Some(msg!(
                    "自第 {first} 行起各行已用审计密钥签名，此行却没有（被改写）",
                    "rows are signed with an audit key from row {first} on, but this one is not (rewritten)"
                ));
            }
            (row_hash(row, None) != row.hash).then(edited).flatten()
        }
        Some(id) => {
            walk.keyed_from.get_or_insert(row.id);
            match keyring.and_then(|ring| ring.get(id)) {
                Some(key) => (row_hash(row, Some(key)) != row.hash)
                    .then(edited)
                    .flatten(),
                None => {
                    let span = walk.unchecked.entry(id.to_owned()).or_insert(Unchecked {
                        first: row.id,
                        last: row.id,
                        rows: 0,
                    });
                    span.last = row.id;
                    span.rows += 1;
                    None
                }
            }
        }
    }
}

/// Checks an intact chain of `checked` rows against the checkpoints of the
/// checkpoint file.
fn against_outside(
    records: &[outside::Recorded],
    hashes: &BTreeMap<i64, String>,
    checked: u64,
    tail: Tail,
    notes: &mut Vec<Msg>,
) -> Option<BadRow> {
    let end = i64::try_from(checked).unwrap_or(i64::MAX);
    let mut lost_up_to = None;
    for record in records {
        let at = crate::domain::china_time::ChinaTime(record.at);
        if record.seq > end {
            if tail == Tail::Restored {
                lost_up_to = lost_up_to.max(Some(record.seq));
                continue;
            }
            let seq = record.seq;
            return Some(BadRow {
                id: end.saturating_add(1),
                problem: msg!(
                    "日志止于第 {end} 行，而检查点文件记录了 {at} 时的第 {seq} 行（末尾有行被删除）",
                    "the log ends at row {end}, but the checkpoint file recorded row {seq} at {at} (rows removed from the end)"
                ),
            });
        }
        if record.seq > 0 && hashes.get(&record.seq) != Some(&record.hash) {
            let seq = record.seq;
            return Some(BadRow {
                id: seq,
                problem: msg!(
                    "第 {seq} 行与检查点文件 {at} 时的记录不符",
                    "row {seq} differs from the checkpoint file's record of {at}"
                ),
            });
        }
    }
    if let Some(recorded) = lost_up_to {
        notes.push(msg!(
            "备份止于第 {end} 行，检查点文件记录到第 {recorded} 行：备份之后写入的行随原数据库丢失",
            "the backup ends at row {end} and the checkpoint file records rows up to {recorded}: the rows written after the backup were lost with the database"
        ));
    }
    None
}

/// A chain head recorded by the checkpoint job in the database.
struct Head {
    /// The last row's id when the checkpoint ran.
    seq: i64,
    /// That row's hash.
    hash: String,
    /// When the checkpoint ran.
    at: DateTime<Utc>,
}

/// The chain head in a checkpoint message: `seq=N hash=H`.
fn parse_head(message: &str) -> Option<(i64, String)> {
    let mut seq = None;
    let mut hash = None;
    for part in message.split_whitespace() {
        if let Some(v) = part.strip_prefix("seq=") {
            seq = v.parse().ok();
        } else if let Some(v) = part.strip_prefix("hash=") {
            hash = Some(v.to_owned());
        }
    }
    Some((seq?, hash?))
}

async fn latest_checkpoint<C: ConnectionTrait>(db: &C) -> AppResult<Option<Head>> {
    let run = store::latest_ok_run(db, CHECKPOINT_JOB).await?;
    Ok(run.and_then(|r| {
        let (seq, hash) = parse_head(r.message.as_deref().unwrap_or_default())?;
        Some(Head {
            seq,
            hash,
            at: r.fire_time,
        })
    }))
}

/// Checks an intact chain of `checked` rows against the latest checkpoint in
/// the database: rows removed from the end, or a recorded head that differs.
async fn against_checkpoint<C: ConnectionTrait>(db: &C, checked: u64) -> AppResult<Option<BadRow>> {
    let Some(head) = latest_checkpoint(db).await? else {
        return Ok(None);
    };
    let end = i64::try_from(checked).unwrap_or(i64::MAX);
    let (seq, at) = (head.seq, crate::domain::china_time::ChinaTime(head.at));
    if seq > end {
        return Ok(Some(BadRow {
            id: end.saturating_add(1),
            problem: msg!(
                "日志止于第 {end} 行，而 {at} 的检查点记录了第 {seq} 行（末尾有行被删除）",
                "the log ends at row {end}, but the checkpoint of {at} recorded row {seq} (rows removed from the end)"
            ),
        }));
    }
    if seq > 0 && store::hash_of_row(db, seq).await?.as_deref() != Some(head.hash.as_str()) {
        return Ok(Some(BadRow {
            id: seq,
            problem: msg!(
                "第 {seq} 行与 {at} 的检查点不符",
                "row {seq} differs from the checkpoint of {at}"
            ),
        }));
    }
    Ok(None)
}

/// Verifies the chain and records its head: in the application log, in the
/// checkpoint file and at the checkpoint URL when configured, and (as the
/// returned message) in the job's run in the database.
///
/// # Errors
/// A message naming the first bad row when the chain is broken, or saying why
/// the checkpoint file could not be written.
pub async fn checkpoint<C: ConnectionTrait>(db: &C) -> Result<String, String> {
    let setup = super::setup::current();
    let result = verify_with(db, setup, Tail::Bound)
        .await
        .map_err(|e| e.to_string())?;
    if !result.ok {
        let message = format!(
            "audit chain broken at row {}: {}",
            result.first_bad_id.unwrap_or_default(),
            result
                .problem
                .map(|p| p.en().to_owned())
                .unwrap_or_default()
        );
        tracing::error!(target: "audit_checkpoint", "{message}");
        return Err(message);
    }
    let head = store::last_row(db).await.map_err(|e| e.to_string())?;
    let record = outside::Recorded {
        kind: outside::Kind::Checkpoint,
        at: Utc::now(),
        seq: head.as_ref().map_or(0, |h| h.id),
        hash: head
            .as_ref()
            .map_or_else(|| GENESIS.to_owned(), |h| h.hash.clone()),
        key_id: head.and_then(|h| h.key_id),
    };
    record_outside(setup, &record).await?;
    Ok(format!("seq={} hash={}", record.seq, record.hash))
}

/// Writes a record of the head to the log, the checkpoint file and the URL.
///
/// # Errors
/// When the checkpoint file cannot be written; a URL that fails is logged.
pub async fn record_outside(setup: &AuditSetup, record: &outside::Recorded) -> Result<(), String> {
    tracing::info!(
        target: "audit_checkpoint",
        kind = ?record.kind,
        seq = record.seq,
        hash = %record.hash,
        key_id = record.key_id.as_deref(),
        "audit chain head"
    );
    if let Some(path) = &setup.checkpoint_file {
        outside::append(path, record).map_err(|e| format!("{e:#}"))?;
    }
    if let Some(url) = &setup.checkpoint_url
        && let Err(e) = outside::post(url, record).await
    {
        tracing::warn!(target: "audit_checkpoint", error = %format!("{e:#}"), "checkpoint not delivered");
    }
    Ok(())
}
