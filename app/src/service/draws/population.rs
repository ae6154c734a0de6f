//! What a draw chooses from, as of now: the plan's targets in scope less those
//! cooling down, each with its previous team, the active inspectors, and the
//! conflicts between them.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use entities::{CreditClass, RegionLevel, SubjectKind, check_plan};
use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::{
    model::{DepartmentSeat, EnterpriseFilter},
    store,
};
use crate::{
    domain::{
        RegionCode,
        draw::{Population, Target},
        region_code::prefix_of,
    },
    error::AppResult,
    service::plans::{self, PlanSpec},
};

/// Reads the draw's population as of `now`; `superseding` is the draw a redraw
/// replaces, whose tasks count neither for cooldown nor as previous checks.
///
/// The enterprises are read on a connection of `pool` beside the transaction
/// `db` (see [`store::enterprise_targets`]).
pub async fn read<C: ConnectionTrait>(
    db: &C,
    pool: &DatabaseConnection,
    plan: &check_plan::Model,
    spec: &PlanSpec,
    superseding: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Population> {
    let prefixes = plan_prefixes(db, plan, spec).await?;
    let cooled = if spec.cooldown_days > 0 {
        let since = now - Duration::days(i64::from(spec.cooldown_days));
        store::cooled_targets(db, spec.target_kind, since, superseding).await?
    } else {
        HashSet::new()
    };
    let targets = async {
        match spec.target_kind {
            SubjectKind::Enterprise => {
                let filter = EnterpriseFilter {
                    prefixes,
                    industries: spec.industries.clone(),
                    risk_levels: spec.risk_levels.clone(),
                    key_only: spec.key_only,
                };
                store::enterprise_targets(db, pool, &filter, cooled).await
            }
            SubjectKind::Department => {
                let seats = store::department_seats(db, &prefixes).await?;
                Ok(department_targets(seats, &cooled))
            }
        }
    };
    let (mut targets, previous, inspectors, conflicts) = tokio::try_join!(
        targets,
        store::previous_teams(db, spec.target_kind, superseding),
        store::active_inspectors(db),
        store::conflict_pairs(db, spec.target_kind),
    )?;
    for target in &mut targets {
        if let Some(ids) = previous.get(&target.id) {
            target.previous_inspectors.clone_from(ids);
        }
    }
    let mut population = Population {
        targets,
        inspectors,
        conflicts: Vec::new(),
    };
    population.conflicts = conflicts_within(&population, conflicts);
    Ok(population)
}

/// The region prefixes a plan draws from: its own, or its owner's whole scope.
async fn plan_prefixes<C: ConnectionTrait>(
    db: &C,
    plan: &check_plan::Model,
    spec: &PlanSpec,
) -> AppResult<Vec<String>> {
    if !spec.region_prefixes.is_empty() {
        return Ok(spec.region_prefixes.clone());
    }
    Ok(plans::owner_region(db, plan)
        .await?
        .map(|r| vec![prefix_of(&r).to_owned()])
        .unwrap_or_default())
}

/// The departments as targets, stratified by their region's level.
fn department_targets(seats: Vec<DepartmentSeat>, cooled: &HashSet<i64>) -> Vec<Target> {
    seats
        .into_iter()
        .filter(|d| !cooled.contains(&d.id))
        .filter_map(|d| {
            let level = RegionCode::parse(&d.region_code).ok()?.level();
            Some(Target {
                id: d.id,
                stratum: match level {
                    RegionLevel::Province => "province",
                    RegionLevel::City => "city",
                    RegionLevel::County => "county",
                }
                .to_owned(),
                region_code: d.region_code,
                credit_class: CreditClass::B,
                key: false,
                industry: None,
                own_department_id: Some(d.id),
                previous_inspectors: Vec::new(),
            })
        })
        .collect()
}

/// The conflicts between this population's targets and inspectors, sorted,
/// each once. Both lists are sorted by id, so they are searched by halves.
fn conflicts_within(
    population: &Population,
    mut conflicts: Vec<crate::domain::draw::Conflict>,
) -> Vec<crate::domain::draw::Conflict> {
    conflicts.retain(|c| {
        population.target(c.target_id).is_some()
            && population
                .inspectors
                .binary_search_by_key(&c.inspector_id, |i| i.id)
                .is_ok()
    });
    conflicts.sort_by_key(|c| (c.inspector_id, c.target_id));
    conflicts.dedup();
    conflicts
}
