//! Accountability items (问责): who is held to account, for what, on what evidence.
//!
//! Items are raised by the score recomputation (and `publication_overdue` by
//! [`crate::service::tasks::raise_publication_overdue`]); the unique key on
//! period, subject, reason and evidence makes raising idempotent. Supervisors
//! in scope move an item `open → acknowledged → closed`; the department or
//! inspector held to account answers it (说明/申辩), and a supervisor accepts
//! the answer (`closed`) or rejects it (back to `open`); leaders only read.
//! Every step is an entry of the item's history and an audit entry, in one
//! transaction.

pub mod missed_duties;
pub mod model;
mod store;
mod views;

use std::collections::{BTreeMap, HashSet};

use chrono::Utc;
use entities::{AccountabilityStatus, Role, accountability_item};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use self::store::{Visible, history::NewEntry};
pub use self::{
    model::{EvidenceView, ItemFilter, ItemKey, ItemView, NewItem},
    store::stored_keys,
    views::views,
};
use super::{
    Actor, Page, Paged,
    audit::{self, Entry},
    tasks,
    validate::Problems,
};
use crate::{
    db,
    domain::accountability::Step,
    error::{AppError, AppResult},
    msg,
};

/// Roles that move items along.
const HANDLERS: &[Role] = &[Role::Admin, Role::Supervisor];
/// Roles held to account that answer their own items.
const SUBJECTS: &[Role] = &[Role::Department, Role::Inspector];

/// Inserts the items that are not among `stored` (the keys already stored for
/// the items' periods, from [`stored_keys`]); returns, for every reason among
/// `items`, how many were new. A recomputation that finds nothing new writes
/// nothing; the insert still skips conflicts, for a concurrent writer.
///
/// # Errors
/// When the database fails.
pub async fn raise<C: ConnectionTrait>(
    db: &C,
    items: Vec<NewItem>,
    stored: &HashSet<ItemKey>,
    now: chrono::DateTime<Utc>,
) -> AppResult<BTreeMap<String, u64>> {
    let mut raised: BTreeMap<String, u64> = BTreeMap::new();
    let mut seen = HashSet::new();
    let mut fresh = Vec::new();
    for item in items {
        raised.entry(item.reason.to_string()).or_insert(0);
        let key = item.key();
        if !stored.contains(&key) && seen.insert(key) {
            fresh.push(item);
        }
    }
    for (reason, count) in store::insert_new(db, &fresh, now).await? {
        *raised.entry(reason).or_insert(0) += count;
    }
    Ok(raised)
}

/// The items the caller may see: supervisors, leaders and admins their region;
/// a department its own; an inspector their own.
async fn visible<'a, C: ConnectionTrait>(db: &C, actor: &'a Actor) -> AppResult<Visible<'a>> {
    Ok(match actor.role {
        Role::Department => Visible::Department(actor.department_id.unwrap_or(-1)),
        Role::Inspector => {
            Visible::Inspector(tasks::inspector_of(db, actor).await?.map_or(-1, |i| i.id))
        }
        _ => Visible::InScope(actor),
    })
}

/// One stored item the caller may see.
async fn find<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: i64,
) -> AppResult<accountability_item::Model> {
    store::find(db, &visible(db, actor).await?, id)
        .await?
        .ok_or_else(|| AppError::NotFound(msg!("问责事项 {id}", "accountability item {id}")))
}

/// One item the caller may see, with its history.
///
/// # Errors
/// 404 when it does not exist or is not the caller's to see.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: i64) -> AppResult<ItemView> {
    let item = find(db, actor, id).await?;
    one_view(db, item).await
}

async fn one_view<C: ConnectionTrait>(
    db: &C,
    item: accountability_item::Model,
) -> AppResult<ItemView> {
    let id = item.id;
    views(db, vec![item])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound(msg!("问责事项 {id}", "accountability item {id}")))
}

/// Lists the items the caller may see, newest first.
///
/// # Errors
/// When the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ItemFilter,
    page: Page,
) -> AppResult<Paged<ItemView>> {
    let items = store::list(db, &visible(db, actor).await?, filter, page).await?;
    let total = items.total;
    Ok(Paged::new(views(db, items.items).await?, total, page))
}

/// Trims an optional text, `None` when blank, and checks its length.
fn optional_text(
    problems: &mut Problems,
    field: &str,
    text: Option<&str>,
    max: usize,
) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| problems.text(field, t, max))
}

/// Moves an item one step as its handler: `open → acknowledged → closed`, or
/// decides an answer, `answered → closed` (accepted) or `answered → open`
/// (rejected). Every step but acknowledging needs a note.
///
/// # Errors
/// 403 for roles other than supervisor and admin; 404 when out of scope; 409
/// for any other transition; 422 for a step without the note it needs.
#[tracing::instrument(skip_all, fields(item.id = id))]
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    status: AccountabilityStatus,
    note: Option<String>,
) -> AppResult<ItemView> {
    actor.require(HANDLERS, "handle accountability items")?;
    find(db, actor, id).await?;
    let mut problems = Problems::new();
    let note = optional_text(&mut problems, "note", note.as_deref(), 4000);
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let item = find(&txn, actor, id).await?;
    let Some(step) = Step::by_handler(item.status, status) else {
        let from = item.status;
        return Err(AppError::Conflict(msg!(
            "处于 {from} 状态的问责事项不能改为 {status}；步骤为 open → acknowledged → closed，\
             已申辩（answered）的事项可采纳（closed）或驳回（open）",
            "an item that is {from} cannot become {status}; the steps are open → acknowledged \
             → closed, and an answered item is accepted (closed) or rejected (open)"
        )));
    };
    if step.needs_text() && note.is_none() {
        return Err(AppError::invalid(
            "note",
            msg!(
                "关闭、采纳或驳回须写明处理说明",
                "closing, accepting or rejecting an item needs a note saying why"
            ),
        ));
    }
    let item = take_step(&txn, actor, item, status, step, note, None).await?;
    txn.commit().await?;
    one_view(db, item).await
}

/// The department or inspector held to account answers an item (说明/申辩),
/// with an optional reference to a supporting document; the item waits as
/// `answered` for a supervisor to accept or reject the answer.
///
/// # Errors
/// 403 for roles that are not held to account; 404 when the item is not the
/// caller's own; 409 unless it is `open` or `acknowledged`; 422 without text.
#[tracing::instrument(skip_all, fields(item.id = id))]
pub async fn answer(
    db: &DatabaseConnection,
    actor: &Actor,
    id: i64,
    text: &str,
    attachment: Option<&str>,
) -> AppResult<ItemView> {
    actor.require(SUBJECTS, "answer accountability items")?;
    find(db, actor, id).await?;
    let mut problems = Problems::new();
    let text = problems.text("text", text, 4000);
    let attachment = optional_text(&mut problems, "attachment", attachment, 500);
    problems.finish()?;
    let txn = db::begin_write(db).await?;
    let item = find(&txn, actor, id).await?;
    if !Step::answerable(item.status) {
        let status = item.status;
        return Err(AppError::Conflict(msg!(
            "处于 {status} 状态的问责事项不能申辩：已申辩的须等待裁定，已关闭的不能再申辩",
            "an item that is {status} cannot be answered: an answer awaits a decision, \
             a closed item is done"
        )));
    }
    let item = take_step(
        &txn,
        actor,
        item,
        AccountabilityStatus::Answered,
        Step::Answer,
        Some(text),
        attachment,
    )
    .await?;
    txn.commit().await?;
    one_view(db, item).await
}

/// Stores a step: the new status, the history entry and the audit entry.
async fn take_step<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    item: accountability_item::Model,
    to: AccountabilityStatus,
    step: Step,
    text: Option<String>,
    attachment: Option<String>,
) -> AppResult<accountability_item::Model> {
    let now = Utc::now();
    let from = item.status;
    let id = item.id;
    let item = store::set_status(txn, item, to, now).await?;
    store::history::insert_entry(
        txn,
        NewEntry {
            item_id: id,
            actor_id: actor.user_id,
            actor: actor.username.clone(),
            role: actor.audited_role(),
            from_status: from,
            to_status: to,
            text: text.clone(),
            attachment: attachment.clone(),
        },
        now,
    )
    .await?;
    let action = if step == Step::Answer {
        "accountability.answer"
    } else {
        "accountability.update"
    };
    audit::append(
        txn,
        actor,
        Entry::ok(action, "accountability_item", id).with_detail(serde_json::json!({
            "step": step.name(), "from": from, "to": to, "note": text, "attachment": attachment,
        })),
    )
    .await?;
    Ok(item)
}
