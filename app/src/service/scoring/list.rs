//! The score list leadership reads, in the caller's scope, with when its
//! period was last computed and by whom.

use entities::Role;
use sea_orm::ConnectionTrait;

use super::{
    model::{Computation, ScoreFilter, ScoreList, ScoreView, SubjectKey},
    store::{
        computation as computations,
        list::{self as store, Visible},
    },
};
use crate::{
    domain::Period,
    error::AppResult,
    service::{Actor, Page},
};

/// Roles that read scores.
const READERS: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Leader,
    Role::Department,
];

/// When a period was last computed and by whom, or that it never was.
///
/// # Errors
/// When the database fails.
pub async fn computation<C: ConnectionTrait>(db: &C, period: &Period) -> AppResult<Computation> {
    let period = period.to_string();
    let last = computations::find(db, &period).await?;
    Ok(Computation { period, last })
}

/// Lists scores the caller may see, best first: supervisors, leaders and admins
/// their region; a department its own row and its jurisdiction's enterprises.
/// With a period, says when it was last computed (or that it never was), so
/// that an empty list is never mistaken for a period with nothing in it.
///
/// # Errors
/// 403 for inspectors; when the database fails.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: &ScoreFilter,
    page: Page,
) -> AppResult<ScoreList> {
    actor.require(READERS, "read scores")?;
    let visible = match actor.role {
        Role::Department => Visible::Department {
            id: actor.department_id.unwrap_or(-1),
            jurisdiction: actor,
        },
        _ => Visible::InScope(actor),
    };
    let scores = store::list(db, &visible, filter, page).await?;
    let names = store::names(db, &scores.items).await?;
    let computation = match &filter.period {
        Some(period) => Some(computation(db, period).await?),
        None => None,
    };
    let scores = scores.map(|score| {
        let subject = SubjectKey {
            kind: score.subject_kind,
            id: score.subject_id,
        };
        ScoreView {
            name: names.get(&subject).cloned().unwrap_or_default(),
            score,
        }
    });
    Ok(ScoreList {
        scores,
        computation,
    })
}
