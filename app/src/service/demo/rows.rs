//! The demo data set's rows as sea-orm active models, ready to insert; the ids
//! they refer to are passed in by the loader.

use chrono::{DateTime, Utc};
use entities::{
    IndicatorSetStatus, PlanStatus, SubjectKind, check_plan, conflict, department, enterprise,
    indicator, indicator_set, inspector, region, user,
};
use sea_orm::ActiveValue::{NotSet, Set};

use crate::{
    demo::{
        departments::DemoDepartment,
        enterprises::DemoEnterprise,
        indicators::{DemoIndicator, DemoIndicatorSet},
        inspectors::{DemoConflict, DemoInspector},
        plans::DemoPlan,
        regions::DemoRegion,
        users::DemoUserSpec,
    },
    domain::RegionCode,
};

/// A region row; `None` if the code is malformed (the built-in codes are not).
#[must_use]
pub(super) fn region(r: &DemoRegion, now: DateTime<Utc>) -> Option<region::ActiveModel> {
    let level = RegionCode::parse(r.code).ok()?.level();
    Some(region::ActiveModel {
        code: Set(r.code.to_owned()),
        name: Set(r.name.to_owned()),
        level: Set(level),
        parent_code: Set(r.parent.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// A department row under the department with id `parent_id`.
#[must_use]
pub(super) fn department(
    d: &DemoDepartment,
    parent_id: Option<i64>,
    now: DateTime<Utc>,
) -> department::ActiveModel {
    department::ActiveModel {
        id: NotSet,
        code: Set(d.code.clone()),
        name: Set(d.name.clone()),
        kind: Set(d.kind),
        region_code: Set(d.region_code.map(str::to_owned)),
        parent_id: Set(parent_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// An enterprise row.
#[must_use]
pub(super) fn enterprise(e: &DemoEnterprise, now: DateTime<Utc>) -> enterprise::ActiveModel {
    enterprise::ActiveModel {
        id: NotSet,
        credit_code: Set(e.credit_code.clone()),
        name: Set(e.name.clone()),
        industry: Set(e.industry),
        region_code: Set(e.region_code.to_owned()),
        risk_level: Set(e.risk_level),
        credit_class: Set(e.credit_class),
        key_supervision: Set(e.key_supervision),
        status: Set(e.status),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// An inspector row in the department with id `department_id`, with no user yet.
#[must_use]
pub(super) fn inspector(
    i: &DemoInspector,
    department_id: i64,
    now: DateTime<Utc>,
) -> inspector::ActiveModel {
    let industries: Vec<&str> = i
        .industries
        .iter()
        .map(|industry| industry.as_str())
        .collect();
    inspector::ActiveModel {
        id: NotSet,
        badge_no: Set(i.badge_no.clone()),
        name: Set(i.name.clone()),
        department_id: Set(department_id),
        region_code: Set(i.region_code.to_owned()),
        industries: Set(serde_json::json!(industries)),
        active: Set(i.active),
        user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// An active, unlocked user row with an argon2id `password_hash`.
#[must_use]
pub(super) fn user(
    spec: &DemoUserSpec,
    password_hash: String,
    department_id: Option<i64>,
    now: DateTime<Utc>,
) -> user::ActiveModel {
    user::ActiveModel {
        id: NotSet,
        username: Set(spec.username.to_owned()),
        password_hash: Set(password_hash),
        role: Set(spec.role),
        department_id: Set(department_id),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// A conflict row between an inspector and an enterprise, by id.
#[must_use]
pub(super) fn conflict(
    c: &DemoConflict,
    inspector_id: i64,
    enterprise_id: i64,
    now: DateTime<Utc>,
) -> conflict::ActiveModel {
    conflict::ActiveModel {
        id: NotSet,
        inspector_id: Set(inspector_id),
        enterprise_id: Set(Some(enterprise_id)),
        department_id: Set(None),
        reason: Set(c.reason.to_owned()),
        created_at: Set(now),
    }
}

/// An active indicator set.
#[must_use]
pub(super) fn indicator_set(
    set: &DemoIndicatorSet,
    now: DateTime<Utc>,
) -> indicator_set::ActiveModel {
    indicator_set::ActiveModel {
        id: NotSet,
        code: Set(set.code.to_owned()),
        version: Set(set.version),
        name: Set(set.name.to_owned()),
        status: Set(IndicatorSetStatus::Active),
        superseded_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// An indicator for `applies_to` in the set with id `set_id`.
#[must_use]
pub(super) fn indicator(
    i: &DemoIndicator,
    applies_to: SubjectKind,
    set_id: i64,
) -> indicator::ActiveModel {
    indicator::ActiveModel {
        id: NotSet,
        set_id: Set(set_id),
        code: Set(i.code.to_owned()),
        name: Set(i.name.to_owned()),
        legal_basis: Set(i.legal_basis.to_owned()),
        category: Set(i.category),
        max_points: Set(i.max_points),
        weight: Set(i.weight),
        applies_to: Set(applies_to),
    }
}

/// An active plan without a schedule, owned by the department with id
/// `owner_id`, checked against the set with id `set_id`.
#[must_use]
pub(super) fn plan(
    p: &DemoPlan,
    owner_id: i64,
    set_id: i64,
    now: DateTime<Utc>,
) -> check_plan::ActiveModel {
    let ratios: serde_json::Map<String, serde_json::Value> = p
        .ratios
        .iter()
        .map(|(stratum, ratio)| ((*stratum).to_owned(), serde_json::json!(ratio)))
        .collect();
    check_plan::ActiveModel {
        id: NotSet,
        name: Set(p.name.to_owned()),
        target_kind: Set(p.target_kind),
        region_prefixes: Set(serde_json::json!(p.region_prefixes)),
        industries: Set(serde_json::json!([])),
        risk_levels: Set(serde_json::json!([])),
        key_only: Set(false),
        ratios: Set(serde_json::Value::Object(ratios)),
        min_per_stratum: Set(p.min_per_stratum),
        key_all: Set(false),
        uniform_share: Set(0.2),
        department_ids: Set(serde_json::json!([])),
        inspectors_per_task: Set(p.inspectors_per_task),
        require_qualification: Set(true),
        cooldown_days: Set(0),
        cron: Set(None),
        due_days: Set(p.due_days),
        indicator_set_id: Set(Some(set_id)),
        status: Set(PlanStatus::Active),
        owner_department_id: Set(Some(owner_id)),
        created_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
