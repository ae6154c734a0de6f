//! Arrangements shared by the draw, task and job tests: a province with its
//! regions and departments, enterprises with valid credit codes, inspectors with
//! qualifications (some of them able to log in), an indicator set, plans and draws.
//!
//! Everything goes through the HTTP API. Working on tasks is arranged in [`tasks`].

use std::{
    process::Output,
    sync::atomic::{AtomicU32, Ordering},
};

use tokio::sync::OnceCell;

use entities::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{
    Backend, Created, DrawView, IndicatorSet, PASSWORD, Page, Problem, ServeOptions, TestApp, read,
};

mod tasks;

pub use spotcheck_tests::credit_code;

/// What an enterprise is, for sampling: where, which industry, how risky.
#[derive(Debug, Clone, Copy)]
pub struct Ent {
    /// Region code.
    pub region: &'static str,
    /// Industry.
    pub industry: &'static str,
    /// Risk level, the stratum.
    pub risk: &'static str,
    /// Credit class.
    pub credit: &'static str,
    /// Under key supervision.
    pub key: bool,
}

impl Default for Ent {
    fn default() -> Self {
        Self {
            region: "130102",
            industry: "hazardous_chemicals",
            risk: "high",
            credit: "B",
            key: false,
        }
    }
}

/// A fresh app with 河北 (石家庄 with 长安区, and 唐山 with 路北区) and 北京, an
/// emergency-management department in each province, a national administrator
/// and a supervisor of 河北.
pub struct World {
    /// The app.
    pub app: TestApp,
    /// A national administrator's token.
    pub admin: String,
    /// 河北省应急管理厅.
    pub hebei: i64,
    /// 北京市应急管理局.
    pub beijing: i64,
    /// A supervisor of 河北.
    pub supervisor: String,
    next_enterprise: AtomicU32,
    /// The indicator sets plans get when their body names none: one for
    /// enterprises, one for departments, made when first needed.
    standard_sets: [OnceCell<i64>; 2],
}

impl World {
    /// Starts an app and arranges the provinces, departments and supervisor.
    pub async fn new(backend: Backend) -> Self {
        Self::serving(backend, ServeOptions::default()).await
    }

    /// [`Self::new`] with `serve` started as `options` say.
    pub async fn serving(backend: Backend, options: ServeOptions) -> Self {
        let app = TestApp::serve(backend, options).await;
        let admin = app.admin().await;
        let (hebei, beijing) = app.seed_two_provinces(&admin).await;
        for (code, name, parent) in [
            ("130200", "唐山市", "130000"),
            ("130203", "路北区", "130200"),
        ] {
            let region = json!({"code": code, "name": name, "parent_code": parent});
            app.create::<Value>("/api/v1/regions", &admin, region).await;
        }
        let supervisor = app
            .token_for("hb-supervisor", Role::Supervisor, Some(hebei))
            .await;
        Self {
            app,
            admin,
            hebei,
            beijing,
            supervisor,
            next_enterprise: AtomicU32::new(1),
            standard_sets: [OnceCell::new(), OnceCell::new()],
        }
    }

    /// Which engine.
    pub fn backend(&self) -> Backend {
        self.app.backend()
    }

    /// Registers an enterprise (as the administrator) and returns its id.
    pub async fn enterprise(&self, e: Ent) -> i64 {
        let n = self.next_enterprise.fetch_add(1, Ordering::Relaxed);
        let body = json!({
            "credit_code": credit_code(n),
            "name": format!("测试企业{n:03}"),
            "industry": e.industry,
            "region_code": e.region,
            "risk_level": e.risk,
            "credit_class": e.credit,
            "key_supervision": e.key,
        });
        self.create("/api/v1/enterprises", body).await
    }

    /// Registers `count` enterprises alike.
    pub async fn enterprises(&self, count: usize, e: Ent) -> Vec<i64> {
        let mut ids = Vec::with_capacity(count);
        for _ in 0..count {
            ids.push(self.enterprise(e).await);
        }
        ids
    }

    /// Registers an inspector of 河北's department and returns its id.
    pub async fn inspector(&self, badge: &str, region: &str, industries: &[&str]) -> i64 {
        self.inspector_of(badge, self.hebei, region, industries, None)
            .await
    }

    /// Registers an inspector of a department, optionally linked to a user.
    pub async fn inspector_of(
        &self,
        badge: &str,
        department_id: i64,
        region: &str,
        industries: &[&str],
        user_id: Option<i64>,
    ) -> i64 {
        let body = json!({
            "badge_no": badge,
            "name": format!("检查员{badge}"),
            "department_id": department_id,
            "region_code": region,
            "industries": industries,
            "user_id": user_id,
        });
        self.create("/api/v1/inspectors", body).await
    }

    /// An inspector who can log in: a user with the inspector role, linked to a
    /// new inspector record. Returns the inspector's id and the user's token.
    pub async fn inspector_user(
        &self,
        badge: &str,
        region: &str,
        industries: &[&str],
    ) -> (i64, String) {
        let username = format!("user-{}", badge.to_lowercase());
        let user_id = self
            .app
            .create_user(&username, Role::Inspector, Some(self.hebei))
            .await;
        let id = self
            .inspector_of(badge, self.hebei, region, industries, Some(user_id))
            .await;
        (id, self.app.login(&username, PASSWORD).await)
    }

    /// An indicator set for enterprises, one indicator per `(max_points, weight)`,
    /// created by the administrator through the API.
    pub async fn indicator_set(&self, code: &str, indicators: &[(f64, f64)]) -> IndicatorSet {
        self.indicator_set_for(code, "enterprise", indicators).await
    }

    /// An indicator set for `applies_to` (`enterprise` or `department`), one
    /// indicator per `(max_points, weight)`, created by the administrator.
    pub async fn indicator_set_for(
        &self,
        code: &str,
        applies_to: &str,
        indicators: &[(f64, f64)],
    ) -> IndicatorSet {
        let items: Vec<Value> = indicators
            .iter()
            .enumerate()
            .map(|(i, &(max_points, weight))| {
                json!({
                    "code": format!("{code}-{:02}", i + 1),
                    "name": format!("检查事项{}", i + 1),
                    "legal_basis": "《中华人民共和国安全生产法》",
                    "category": "hazard_management",
                    "max_points": max_points,
                    "weight": weight,
                    "applies_to": applies_to,
                })
            })
            .collect();
        self.app
            .indicator_set(&self.admin, code, json!(items))
            .await
    }

    /// Creates a plan as the supervisor and returns its id. A body that
    /// names no `indicator_set_id` gets a set of two indicators for its
    /// targets (a plan without one cannot be drawn).
    pub async fn plan(&self, mut body: Value) -> i64 {
        if let Some(fields) = body.as_object_mut()
            && !fields.contains_key("indicator_set_id")
        {
            let kind = fields
                .get("target_kind")
                .and_then(Value::as_str)
                .unwrap_or("enterprise")
                .to_owned();
            fields.insert(
                "indicator_set_id".into(),
                json!(self.standard_set(&kind).await),
            );
        }
        self.create_as(&self.supervisor, "/api/v1/plans", body)
            .await
    }

    /// The set plans of `kind` (`enterprise` or `department`) get by default.
    pub async fn standard_set(&self, kind: &str) -> i64 {
        let (cell, code) = match kind {
            "department" => (&self.standard_sets[1], "STD-D"),
            _ => (&self.standard_sets[0], "STD-E"),
        };
        *cell
            .get_or_init(|| async {
                self.indicator_set_for(code, kind, &[(10.0, 1.0), (10.0, 1.0)])
                    .await
                    .id
            })
            .await
    }

    /// Draws a plan as the supervisor, failing unless the answer is 201.
    pub async fn draw(&self, plan_id: i64, body: Value) -> Value {
        let (status, draw) = self.try_draw(plan_id, body).await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "{:?} draw of plan {plan_id}: {draw}",
            self.backend()
        );
        draw
    }

    /// Draws a plan as the supervisor.
    pub async fn try_draw(&self, plan_id: i64, body: Value) -> (StatusCode, Value) {
        self.app
            .post(
                &format!("/api/v1/plans/{plan_id}/draws"),
                &self.supervisor,
                body,
            )
            .await
    }

    /// A plan's draws as listed to the supervisor, newest first.
    pub async fn draws_of(&self, plan_id: i64) -> Vec<DrawView> {
        self.app
            .get_ok(&format!("/api/v1/plans/{plan_id}/draws"), &self.supervisor)
            .await
    }

    /// Records a conflict of interest (回避) between an inspector and an enterprise.
    pub async fn conflict(&self, inspector_id: i64, enterprise_id: i64) -> i64 {
        self.create(
            "/api/v1/conflicts",
            json!({"inspector_id": inspector_id, "enterprise_id": enterprise_id, "reason": "近亲属在该企业任职"}),
        )
        .await
    }

    /// POSTs as the administrator and returns the created object's id.
    pub async fn create(&self, path: &str, body: Value) -> i64 {
        self.create_as(&self.admin, path, body).await
    }

    /// POSTs and returns the created object's id, failing unless the answer is 201.
    pub async fn create_as(&self, token: &str, path: &str, body: Value) -> i64 {
        self.app.create_id(path, token, body).await
    }
}

pub use tasks::{OneTask, china_date, working_days_after};

/// A plan drawing half of six high-risk chemicals enterprises in 河北, staffed
/// from three inspectors, drawn with seed 42: the world, the plan's id, the draw
/// as answered, and the six enterprises.
pub async fn half_of_six_drawn(backend: Backend) -> (World, i64, Value, Vec<i64>) {
    let w = World::new(backend).await;
    let enterprises = w.enterprises(6, Ent::default()).await;
    for badge in ["HB-001", "HB-002", "HB-003"] {
        w.inspector(badge, "130000", &["hazardous_chemicals"]).await;
    }
    let plan = w
        .plan(plan_body("抽查", json!({"ratios": {"high": 0.5}})))
        .await;
    let draw = w
        .draw(plan, json!({"seed": 42, "reason": "固定种子，便于复现"}))
        .await;
    (w, plan, draw, enterprises)
}

/// Runs the command line with arguments against the app's database.
pub async fn run_cli(app: &TestApp, args: &[&str]) -> Output {
    let mut command = crate::cli(app);
    command.args(args);
    tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("cli ran")
        .expect("cli output")
}

/// The JSON answer of a GET that must succeed.
pub async fn get_ok(w: &World, token: &str, path: &str) -> Value {
    let (status, body) = w.app.get(path, token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{:?} GET {path}: {body}",
        w.backend()
    );
    body
}

/// A plan body: the given fields over a name.
pub fn plan_body(name: &str, fields: Value) -> Value {
    let mut body = json!({"name": name});
    if let (Some(target), Some(extra)) = (body.as_object_mut(), fields.as_object()) {
        target.extend(extra.clone());
    }
    body
}

/// A draw's tasks as `(target_id, inspector_ids)`, in draw order.
pub fn teams(draw: &Value) -> Vec<(i64, Vec<i64>)> {
    read::<DrawView>(draw).teams()
}

/// The drawn target ids of a draw (tasks only), sorted.
pub fn drawn_targets(draw: &Value) -> Vec<i64> {
    read::<DrawView>(draw).targets()
}

/// The task ids of a draw, in draw order.
pub fn task_ids(draw: &Value) -> Vec<i64> {
    read::<DrawView>(draw).task_ids()
}

/// The ids of draws the scheduler started, sorted; fails on any other draw.
pub fn cron_draw_ids(draws: &[DrawView]) -> Vec<i64> {
    let mut ids: Vec<i64> = draws
        .iter()
        .map(|d| {
            assert_eq!(d.trigger, "cron", "{d:?}");
            d.id
        })
        .collect();
    ids.sort_unstable();
    ids
}

/// The ids in a list answer's items, in order.
pub fn item_ids(list: &Value) -> Vec<i64> {
    read::<Page<Created>>(list).ids()
}

/// The fields a 422 answer names, in order.
pub fn problem_fields(body: &Value) -> Vec<String> {
    read::<Problem>(body)
        .fields()
        .into_iter()
        .map(str::to_owned)
        .collect()
}
