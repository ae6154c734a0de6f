//! The demo data set's rows as sea-orm active models, ready to insert; the ids
//! they refer to are passed in by the loader.

use chrono::{DateTime, Utc};
use entities::{
    IndicatorCategory, IndicatorSetStatus, SubjectKind, conflict, department, enterprise,
    indicator, indicator_set, inspector, region, user,
};
use sea_orm::ActiveValue::{NotSet, Set};

use crate::{
    demo::{
        departments::DemoDepartment,
        enterprises::DemoEnterprise,
        indicators::{DemoIndicator, SET_CODE, SET_NAME, SET_VERSION},
        inspectors::{DemoConflict, DemoInspector},
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

/// The active data-security indicator set.
#[must_use]
pub(super) fn indicator_set(now: DateTime<Utc>) -> indicator_set::ActiveModel {
    indicator_set::ActiveModel {
        id: NotSet,
        code: Set(SET_CODE.to_owned()),
        version: Set(SET_VERSION),
        name: Set(SET_NAME.to_owned()),
        status: Set(IndicatorSetStatus::Active),
        superseded_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// A data-security indicator for departments in the set with id `set_id`.
#[must_use]
pub(super) fn indicator(i: &DemoIndicator, set_id: i64) -> indicator::ActiveModel {
    indicator::ActiveModel {
        id: NotSet,
        set_id: Set(set_id),
        code: Set(i.code.to_owned()),
        name: Set(i.name.to_owned()),
        legal_basis: Set(i.legal_basis.to_owned()),
        category: Set(IndicatorCategory::DataSecurity),
        max_points: Set(i.max_points),
        weight: Set(i.weight),
        applies_to: Set(SubjectKind::Department),
    }
}
