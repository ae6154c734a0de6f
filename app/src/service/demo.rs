//! Loads the demo data set of [`crate::demo`]: rows whose natural key is missing
//! are added, present ones are left alone, all in one transaction closed by one
//! `demo.load` audit entry. A load that finds everything present writes nothing.

use std::{
    collections::{BTreeSet, HashMap, HashSet},
    fmt,
    time::Instant,
};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use entities::{Role, conflict, department, enterprise, indicator_set, inspector, region, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, TryGetableMany,
    sea_query::{Expr, IntoCondition},
};

use super::{
    Actor, accounts,
    audit::{self, Entry},
};
use crate::{
    db,
    demo::{
        self,
        enterprises::DemoEnterprise,
        inspectors::{DemoConflict, DemoInspector},
        rows,
    },
};

/// Rows per INSERT statement, well within SQLite's and PostgreSQL's parameter limits.
const BATCH: usize = 500;

/// Options for the demo data set.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// How many enterprises; enterprise `i` is the same whatever the number.
    pub enterprises: usize,
    /// Seed of every generated row; the same seed gives the same rows.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            enterprises: 5_000,
            seed: 2019,
        }
    }
}

/// What a load added; `users` holds the credentials of users created by this load only.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// Regions added.
    pub regions: u64,
    /// Departments added.
    pub departments: u64,
    /// Enterprises added.
    pub enterprises: u64,
    /// Inspectors added.
    pub inspectors: u64,
    /// Conflicts added.
    pub conflicts: u64,
    /// Indicators added (with their set).
    pub indicators: u64,
    /// Users created, with their one-time passwords.
    pub users: Vec<DemoUser>,
}

impl DemoReport {
    /// Whether the load added nothing at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.regions
            + self.departments
            + self.enterprises
            + self.inspectors
            + self.conflicts
            + self.indicators
            == 0
            && self.users.is_empty()
    }
}

/// A user created by the load and the password it was given.
pub struct DemoUser {
    /// Login name.
    pub username: String,
    /// Role.
    pub role: entities::Role,
    /// The password, shown once and stored only as its hash.
    pub password: String,
}

impl fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoUser")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("password", &"***")
            .finish()
    }
}

/// Loads whatever part of the demo data set is missing.
///
/// # Errors
/// When more than [`demo::enterprises::MAX_ENTERPRISES`] are asked for, or the
/// database fails; then nothing is written.
#[tracing::instrument(skip_all, fields(demo.seed = options.seed, demo.enterprises = options.enterprises))]
pub async fn load(db: &DatabaseConnection, options: &DemoOptions) -> anyhow::Result<DemoReport> {
    let started = Instant::now();
    let seed = options.seed;
    let enterprises = demo::enterprises::generate(seed, options.enterprises)?;
    let inspectors = demo::inspectors::generate(seed)?;
    let conflicts = demo::inspectors::conflicts(seed, &enterprises, &inspectors);

    let txn = db::begin_write(db)
        .await
        .context("Failed to begin the demo load")?;
    let now = Utc::now();
    let mut report = DemoReport {
        regions: load_regions(&txn, now).await?,
        ..DemoReport::default()
    };
    let (added, departments) = load_departments(&txn, now).await?;
    report.departments = added;
    report.enterprises = load_enterprises(&txn, &enterprises, now).await?;
    report.inspectors = load_inspectors(&txn, &inspectors, &departments, now).await?;
    report.users = load_users(&txn, &departments, &inspectors, now).await?;
    report.conflicts = load_conflicts(&txn, &conflicts, &enterprises, now).await?;
    report.indicators = load_indicators(&txn, now).await?;

    if report.is_empty() {
        txn.rollback()
            .await
            .context("Failed to end the demo load")?;
        tracing::info!("demo data set already present; nothing added");
        return Ok(report);
    }
    let detail = serde_json::json!({
        "enterprises_requested": options.enterprises,
        "regions": report.regions,
        "departments": report.departments,
        "enterprises": report.enterprises,
        "inspectors": report.inspectors,
        "conflicts": report.conflicts,
        "indicators": report.indicators,
        "users": report.users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
    });
    audit::append(
        &txn,
        &Actor::system(),
        Entry::ok("demo.load", "dataset", seed).with_detail(detail),
    )
    .await
    .context("Failed to audit the demo load")?;
    txn.commit()
        .await
        .context("Failed to commit the demo data set")?;
    tracing::info!(
        demo.enterprises_added = report.enterprises,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "demo data set loaded"
    );
    Ok(report)
}

/// Inserts rows in statements of at most [`BATCH`] rows; returns how many.
async fn insert_batches<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    what: &str,
) -> anyhow::Result<u64>
where
    A: ActiveModelTrait + Send,
{
    let mut added = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        added += A::Entity::insert_many(batch)
            .exec_without_returning(txn)
            .await
            .with_context(|| format!("Failed to insert demo {what}"))?;
    }
    Ok(added)
}

/// The given columns of the rows of `E` that `filter` selects, as tuples:
/// the one query per table that finds which natural keys are present.
async fn select<E, T, C>(
    txn: &DatabaseTransaction,
    columns: impl IntoIterator<Item = E::Column>,
    filter: impl IntoCondition,
    what: &str,
) -> anyhow::Result<C>
where
    E: EntityTrait,
    T: TryGetableMany,
    C: FromIterator<T>,
{
    let rows = E::find()
        .select_only()
        .columns(columns)
        .filter(filter)
        .into_tuple::<T>()
        .all(txn)
        .await
        .with_context(|| format!("Failed to read {what}"))?;
    Ok(rows.into_iter().collect())
}

async fn load_regions(txn: &DatabaseTransaction, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let all = demo::regions::REGIONS;
    let filter = region::Column::Code.is_in(all.iter().map(|r| r.code));
    let present: HashSet<String> =
        select::<region::Entity, _, _>(txn, [region::Column::Code], filter, "regions").await?;
    let rows = all
        .iter()
        .filter(|r| !present.contains(r.code))
        .map(|r| rows::region(r, now).with_context(|| format!("Failed to parse region {}", r.code)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    insert_batches(txn, rows, "regions").await
}

/// Ids of departments by code.
async fn department_ids(
    txn: &DatabaseTransaction,
    codes: &[String],
) -> anyhow::Result<HashMap<String, i64>> {
    let columns = [department::Column::Code, department::Column::Id];
    let filter = department::Column::Code.is_in(codes.iter().cloned());
    select::<department::Entity, (String, i64), _>(txn, columns, filter, "departments").await
}

/// Adds the missing departments level by level, so that parents have ids
/// before their children refer to them; returns the count and every id by code.
async fn load_departments(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, HashMap<String, i64>)> {
    let all = demo::departments::departments();
    let codes: Vec<String> = all.iter().map(|d| d.code.clone()).collect();
    let mut ids = department_ids(txn, &codes).await?;
    let mut added = 0;
    let depths: BTreeSet<u8> = all.iter().map(|d| d.depth).collect();
    for depth in depths {
        let rows: Vec<_> = all
            .iter()
            .filter(|d| d.depth == depth && !ids.contains_key(&d.code))
            .map(|d| {
                let parent_id = d.parent_code.as_ref().and_then(|p| ids.get(p)).copied();
                rows::department(d, parent_id, now)
            })
            .collect();
        if !rows.is_empty() {
            added += insert_batches(txn, rows, "departments").await?;
            ids = department_ids(txn, &codes).await?;
        }
    }
    Ok((added, ids))
}

async fn load_enterprises(
    txn: &DatabaseTransaction,
    enterprises: &[DemoEnterprise],
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    // Every demo code starts with 91 and its county: one query finds those taken.
    let filter = demo::placement::GENERAL
        .iter()
        .fold(Condition::any(), |any, (code, _)| {
            any.add(enterprise::Column::CreditCode.starts_with(format!("91{code}")))
        });
    let columns = [enterprise::Column::CreditCode];
    let present: HashSet<String> =
        select::<enterprise::Entity, _, _>(txn, columns, filter, "enterprises").await?;
    let rows = enterprises
        .iter()
        .filter(|e| !present.contains(&e.credit_code))
        .map(|e| rows::enterprise(e, now))
        .collect();
    insert_batches(txn, rows, "enterprises").await
}

/// Ids of inspectors by badge number.
async fn inspector_ids(
    txn: &DatabaseTransaction,
    badges: impl IntoIterator<Item = String>,
) -> anyhow::Result<HashMap<String, i64>> {
    let columns = [inspector::Column::BadgeNo, inspector::Column::Id];
    let filter = inspector::Column::BadgeNo.is_in(badges);
    select::<inspector::Entity, (String, i64), _>(txn, columns, filter, "inspectors").await
}

async fn load_inspectors(
    txn: &DatabaseTransaction,
    inspectors: &[DemoInspector],
    departments: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let present = inspector_ids(txn, inspectors.iter().map(|i| i.badge_no.clone())).await?;
    let rows = inspectors
        .iter()
        .filter(|i| !present.contains_key(&i.badge_no))
        .map(|i| {
            let department_id = departments
                .get(&i.department_code)
                .with_context(|| format!("Failed to find department {}", i.department_code))?;
            Ok(rows::inspector(i, *department_id, now))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    insert_batches(txn, rows, "inspectors").await
}

/// Creates the missing users with fresh passwords, and links a newly created
/// `inspector` user to the first demo inspector if that one has no user yet.
async fn load_users(
    txn: &DatabaseTransaction,
    departments: &HashMap<String, i64>,
    inspectors: &[DemoInspector],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<DemoUser>> {
    let specs = demo::users::USERS;
    let filter = user::Column::Username.is_in(specs.iter().map(|u| u.username));
    let present: HashSet<String> =
        select::<user::Entity, _, _>(txn, [user::Column::Username], filter, "users").await?;
    let missing: Vec<_> = specs
        .iter()
        .filter(|u| !present.contains(u.username))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let passwords = missing
        .iter()
        .map(|_| demo::users::new_password())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let to_hash = passwords.clone();
    let hashes = tokio::task::spawn_blocking(move || {
        to_hash
            .iter()
            .map(|p| accounts::hash_now(p))
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await
    .context("Failed to hash the demo passwords")??;
    let mut created = Vec::with_capacity(missing.len());
    for ((spec, password), hash) in missing.into_iter().zip(passwords).zip(hashes) {
        let department_id = spec
            .department_code
            .map(|code| {
                departments
                    .get(code)
                    .copied()
                    .with_context(|| format!("Failed to find department {code}"))
            })
            .transpose()?;
        let saved = rows::user(spec, hash, department_id, now)
            .insert(txn)
            .await
            .with_context(|| format!("Failed to create user {}", spec.username))?;
        if spec.role == Role::Inspector
            && let Some(first) = inspectors.first()
        {
            inspector::Entity::update_many()
                .col_expr(inspector::Column::UserId, Expr::value(saved.id))
                .col_expr(inspector::Column::UpdatedAt, Expr::value(now))
                .filter(inspector::Column::BadgeNo.eq(first.badge_no.as_str()))
                .filter(inspector::Column::UserId.is_null())
                .exec(txn)
                .await
                .context("Failed to link the inspector user")?;
        }
        created.push(DemoUser {
            username: saved.username,
            role: saved.role,
            password,
        });
    }
    Ok(created)
}

async fn load_conflicts(
    txn: &DatabaseTransaction,
    conflicts: &[DemoConflict],
    enterprises: &[DemoEnterprise],
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    if conflicts.is_empty() {
        return Ok(0);
    }
    let inspectors = inspector_ids(txn, conflicts.iter().map(|c| c.badge_no.clone())).await?;
    let codes = conflicts
        .iter()
        .filter_map(|c| enterprises.get(c.enterprise_index))
        .map(|e| e.credit_code.clone());
    let columns = [enterprise::Column::CreditCode, enterprise::Column::Id];
    let filter = enterprise::Column::CreditCode.is_in(codes);
    let enterprise_ids: HashMap<String, i64> =
        select::<enterprise::Entity, _, _>(txn, columns, filter, "enterprises").await?;
    let columns = [
        conflict::Column::InspectorId,
        conflict::Column::EnterpriseId,
    ];
    let filter = conflict::Column::InspectorId.is_in(inspectors.values().copied());
    let present: HashSet<(i64, Option<i64>)> =
        select::<conflict::Entity, _, _>(txn, columns, filter, "conflicts").await?;
    let mut rows = Vec::new();
    for c in conflicts {
        let inspector_id = inspectors.get(&c.badge_no).copied();
        let enterprise_id = enterprises
            .get(c.enterprise_index)
            .and_then(|e| enterprise_ids.get(&e.credit_code))
            .copied();
        let (Some(inspector_id), Some(enterprise_id)) = (inspector_id, enterprise_id) else {
            anyhow::bail!("Failed to find the inspector or enterprise of a demo conflict");
        };
        if !present.contains(&(inspector_id, Some(enterprise_id))) {
            rows.push(rows::conflict(c, inspector_id, enterprise_id, now));
        }
    }
    insert_batches(txn, rows, "conflicts").await
}

/// Adds the indicator set with its indicators unless the set (code, version) exists.
async fn load_indicators(txn: &DatabaseTransaction, now: DateTime<Utc>) -> anyhow::Result<u64> {
    use demo::indicators::{INDICATORS, SET_CODE, SET_VERSION};
    let filter = Condition::all()
        .add(indicator_set::Column::Code.eq(SET_CODE))
        .add(indicator_set::Column::Version.eq(SET_VERSION));
    let present: Vec<i64> = select::<indicator_set::Entity, _, _>(
        txn,
        [indicator_set::Column::Id],
        filter,
        "indicator sets",
    )
    .await?;
    if !present.is_empty() {
        return Ok(0);
    }
    let set = rows::indicator_set(now)
        .insert(txn)
        .await
        .context("Failed to create the demo indicator set")?;
    let rows = INDICATORS
        .iter()
        .map(|i| rows::indicator(i, set.id))
        .collect();
    insert_batches(txn, rows, "indicators").await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn load_with(db: &DatabaseConnection, enterprises: usize) -> DemoReport {
        let options = DemoOptions {
            enterprises,
            seed: 2019,
        };
        match load(db, &options).await {
            Ok(report) => report,
            Err(e) => panic!("demo load failed: {e:#}"),
        }
    }

    #[tokio::test]
    async fn a_second_load_adds_nothing_and_a_larger_one_only_the_extra_enterprises() {
        let db = match db::connect("sqlite::memory:").await {
            Ok(db) => db,
            Err(e) => panic!("no database: {e:#}"),
        };

        let first = load_with(&db, 60).await;
        assert_eq!(
            first.regions,
            demo::regions::REGIONS.len() as u64,
            "regions"
        );
        assert_eq!(
            first.departments,
            demo::departments::departments().len() as u64,
            "departments"
        );
        assert_eq!(first.enterprises, 60, "enterprises");
        assert_eq!(
            first.inspectors,
            demo::inspectors::INSPECTOR_COUNT as u64,
            "inspectors"
        );
        assert_eq!(
            first.conflicts, 6,
            "conflicts among the first 60 enterprises"
        );
        assert_eq!(first.indicators, 8, "indicators");
        assert_eq!(first.users.len(), demo::users::USERS.len(), "users");

        let second = load_with(&db, 60).await;
        assert!(second.is_empty(), "the second load added {second:?}");

        let larger = load_with(&db, 120).await;
        assert_eq!(
            (larger.enterprises, larger.conflicts),
            (60, 6),
            "only the extra enterprises"
        );
        assert_eq!(
            larger.regions + larger.departments + larger.inspectors + larger.indicators,
            0
        );
        assert!(larger.users.is_empty(), "no credentials the second time");

        let linked = inspector::Entity::find()
            .filter(inspector::Column::BadgeNo.eq("13010019001"))
            .one(&db)
            .await
            .ok()
            .flatten()
            .and_then(|i| i.user_id);
        assert!(
            linked.is_some(),
            "the inspector user is linked to an inspector"
        );
        let audited = audit::verify(&db).await.map(|v| (v.ok, v.checked)).ok();
        assert_eq!(
            audited,
            Some((true, 2)),
            "one audit entry per load that added rows"
        );
    }
}
