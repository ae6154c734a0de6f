//! Loads the demo data set of [`crate::demo`]: rows whose natural key is missing
//! are added, present ones are left alone, all in one transaction closed by one
//! `demo.load` audit entry. A load that finds everything present writes nothing.

mod rows;
mod store;
mod users;

use std::{
    collections::{BTreeSet, HashMap},
    fmt,
    time::Instant,
};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use entities::Role;
use sea_orm::{DatabaseConnection, DatabaseTransaction};

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
        users::DemoUserSpec,
    },
};
use store::ConflictKey;

pub use self::users::show_users;

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
    /// Indicators added (with their sets).
    pub indicators: u64,
    /// Check plans added.
    pub plans: u64,
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
            + self.plans
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

/// The generated rows of one seed.
struct Generated {
    enterprises: Vec<DemoEnterprise>,
    inspectors: Vec<DemoInspector>,
    conflicts: Vec<DemoConflict>,
}

impl Generated {
    fn new(options: &DemoOptions) -> anyhow::Result<Self> {
        let enterprises = demo::enterprises::generate(options.seed, options.enterprises)?;
        let inspectors = demo::inspectors::generate(options.seed)?;
        let conflicts = demo::inspectors::conflicts(options.seed, &enterprises, &inspectors);
        Ok(Self {
            enterprises,
            inspectors,
            conflicts,
        })
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
    let generated = Generated::new(options)?;
    let txn = db::begin_write(db)
        .await
        .context("Failed to begin the demo load")?;
    let report = add_missing(&txn, &generated, Utc::now()).await?;
    if report.is_empty() {
        txn.rollback()
            .await
            .context("Failed to end the demo load")?;
        tracing::info!("demo data set already present; nothing added");
        return Ok(report);
    }
    audit_load(&txn, options, &report).await?;
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

/// Adds every missing row, parents before the rows that refer to them.
async fn add_missing(
    txn: &DatabaseTransaction,
    generated: &Generated,
    now: DateTime<Utc>,
) -> anyhow::Result<DemoReport> {
    let regions = load_regions(txn, now).await?;
    let (departments, department_ids) = load_departments(txn, now).await?;
    let (indicators, set_ids) = load_indicators(txn, now).await?;
    Ok(DemoReport {
        regions,
        departments,
        enterprises: load_enterprises(txn, &generated.enterprises, now).await?,
        inspectors: load_inspectors(txn, &generated.inspectors, &department_ids, now).await?,
        users: load_users(txn, &department_ids, &generated.inspectors, now).await?,
        conflicts: load_conflicts(txn, &generated.conflicts, &generated.enterprises, now).await?,
        indicators,
        plans: load_plans(txn, &department_ids, &set_ids, now).await?,
    })
}

/// The `demo.load` audit entry: what was asked for and what was added.
async fn audit_load(
    txn: &DatabaseTransaction,
    options: &DemoOptions,
    report: &DemoReport,
) -> anyhow::Result<()> {
    let detail = serde_json::json!({
        "enterprises_requested": options.enterprises,
        "regions": report.regions,
        "departments": report.departments,
        "enterprises": report.enterprises,
        "inspectors": report.inspectors,
        "conflicts": report.conflicts,
        "indicators": report.indicators,
        "plans": report.plans,
        "users": report.users.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(),
    });
    audit::append(
        txn,
        &Actor::system(),
        Entry::ok("demo.load", "dataset", options.seed).with_detail(detail),
    )
    .await
    .context("Failed to audit the demo load")?;
    Ok(())
}

async fn load_regions(txn: &DatabaseTransaction, now: DateTime<Utc>) -> anyhow::Result<u64> {
    let all = demo::regions::REGIONS;
    let present = store::present_regions(txn, all.iter().map(|r| r.code)).await?;
    let rows = all
        .iter()
        .filter(|r| !present.contains(r.code))
        .map(|r| rows::region(r, now).with_context(|| format!("Failed to parse region {}", r.code)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    store::insert_batches(txn, rows, "regions").await
}

/// Adds the missing departments level by level, so that parents have ids
/// before their children refer to them; returns the count and every id by code.
async fn load_departments(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, HashMap<String, i64>)> {
    let all = demo::departments::departments();
    let codes: Vec<String> = all.iter().map(|d| d.code.clone()).collect();
    let mut ids = store::department_ids(txn, &codes).await?;
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
            added += store::insert_batches(txn, rows, "departments").await?;
            ids = store::department_ids(txn, &codes).await?;
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
    let counties = demo::placement::GENERAL.iter().map(|(code, _)| *code);
    let present = store::present_credit_codes(txn, counties).await?;
    let rows = enterprises
        .iter()
        .filter(|e| !present.contains(&e.credit_code))
        .map(|e| rows::enterprise(e, now))
        .collect();
    store::insert_batches(txn, rows, "enterprises").await
}

async fn load_inspectors(
    txn: &DatabaseTransaction,
    inspectors: &[DemoInspector],
    departments: &HashMap<String, i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let badges = inspectors.iter().map(|i| i.badge_no.clone());
    let present = store::inspector_ids(txn, badges).await?;
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
    store::insert_batches(txn, rows, "inspectors").await
}

/// Fresh passwords for `count` users and their argon2id hashes, hashed off
/// the async runtime.
async fn new_passwords(count: usize) -> anyhow::Result<Vec<(String, String)>> {
    let passwords = (0..count)
        .map(|_| demo::users::new_password())
        .collect::<anyhow::Result<Vec<_>>>()?;
    tokio::task::spawn_blocking(move || {
        passwords
            .into_iter()
            .map(|p| accounts::hash_now(&p).map(|hash| (p, hash)))
            .collect::<anyhow::Result<Vec<_>>>()
    })
    .await
    .context("Failed to hash the demo passwords")?
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
    let present = store::present_users(txn, specs.iter().map(|u| u.username)).await?;
    let missing: Vec<&DemoUserSpec> = specs
        .iter()
        .filter(|u| !present.contains(u.username))
        .collect();
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    let passwords = new_passwords(missing.len()).await?;
    let mut created = Vec::with_capacity(missing.len());
    for (spec, (password, hash)) in missing.into_iter().zip(passwords) {
        let department_id = spec
            .department_code
            .map(|code| {
                departments
                    .get(code)
                    .copied()
                    .with_context(|| format!("Failed to find department {code}"))
            })
            .transpose()?;
        let row = rows::user(spec, hash, department_id, now);
        let saved = store::insert_user(txn, row, spec.username).await?;
        if spec.role == Role::Inspector
            && let Some(first) = inspectors.first()
        {
            store::link_inspector_user(txn, &first.badge_no, saved.id, now).await?;
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
    let badges = conflicts.iter().map(|c| c.badge_no.clone());
    let inspectors = store::inspector_ids(txn, badges).await?;
    let codes = conflicts
        .iter()
        .filter_map(|c| enterprises.get(c.enterprise_index))
        .map(|e| e.credit_code.clone());
    let enterprise_ids = store::enterprise_ids(txn, codes).await?;
    let present = store::present_conflicts(txn, inspectors.values().copied()).await?;
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
        let key = ConflictKey {
            inspector_id,
            enterprise_id: Some(enterprise_id),
        };
        if !present.contains(&key) {
            rows.push(rows::conflict(c, inspector_id, enterprise_id, now));
        }
    }
    store::insert_batches(txn, rows, "conflicts").await
}

/// Adds each indicator set with its indicators unless the set (code,
/// version) exists; returns how many indicators were added and every set's
/// id by code.
async fn load_indicators(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, HashMap<&'static str, i64>)> {
    let mut added = 0;
    let mut ids = HashMap::new();
    for set in demo::indicators::SETS {
        if let Some(id) = store::indicator_set_id(txn, set.code, set.version).await? {
            ids.insert(set.code, id);
            continue;
        }
        let stored = store::insert_indicator_set(txn, rows::indicator_set(set, now)).await?;
        let rows = set
            .indicators
            .iter()
            .map(|i| rows::indicator(i, set.applies_to, stored.id))
            .collect();
        added += store::insert_batches(txn, rows, "indicators").await?;
        ids.insert(set.code, stored.id);
    }
    Ok((added, ids))
}

/// Adds the plans their owners do not have yet (by name).
async fn load_plans(
    txn: &DatabaseTransaction,
    departments: &HashMap<String, i64>,
    sets: &HashMap<&'static str, i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let mut rows = Vec::new();
    for plan in demo::plans::PLANS {
        let owner = departments
            .get(plan.owner_code)
            .copied()
            .with_context(|| format!("Failed to find department {}", plan.owner_code))?;
        let set = sets
            .get(plan.indicator_set.code)
            .copied()
            .with_context(|| format!("Failed to find indicator set {}", plan.indicator_set.code))?;
        if store::present_plans(txn, owner, [plan.name])
            .await?
            .is_empty()
        {
            rows.push(rows::plan(plan, owner, set, now));
        }
    }
    store::insert_batches(txn, rows, "plans").await
}

#[cfg(test)]
mod tests {
    use entities::inspector;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

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

    #[testdb::both_engines]
    async fn a_second_load_adds_nothing_and_a_larger_one_only_the_extra_enterprises(
        backend: testdb::Backend,
    ) {
        let test_db = testdb::TestDb::migrated(backend).await;
        let db = match db::open(&test_db.url).await {
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
        assert_eq!(first.indicators, 18, "indicators of both sets");
        assert_eq!(first.plans, 2, "plans");
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
            larger.regions
                + larger.departments
                + larger.inspectors
                + larger.indicators
                + larger.plans,
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
