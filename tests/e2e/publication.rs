//! Findings and what follows from them: hazards entering the enterprise's
//! hazard list, refused findings, the public results (一公开), overdue tasks and
//! overdue publications.

use std::collections::BTreeSet;

use chrono::{Duration, FixedOffset, NaiveTime, TimeZone as _, Utc};
use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, EvidenceKind, HazardGrade,
    accountability_item, hazard_item,
};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::{Value, json};
use spotcheck::service::tasks;
use spotcheck_tests::{Backend, all_rows, both_engines};

use super::fixtures::{
    Ent, OneTask, World, china_date, credit_code, item_ids, plan_body, problem_fields, task_ids,
    teams, working_days_after,
};

fn in_days(days: i64) -> String {
    (Utc::now() + Duration::days(days)).date_naive().to_string()
}

#[both_engines]
async fn a_major_hazard_finding_enters_the_enterprises_hazard_list(backend: Backend) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    w.step_ok(t.task, "start", t.lead()).await;
    let deadline = in_days(30);

    let finding = w
        .finding(
            t.task,
            t.lead(),
            json!({
                "indicator_id": t.set.indicators[1],
                "points": 6.0,
                "compliant": false,
                "description": "液氨储罐区可燃气体报警器失效",
                "hazard_grade": "major",
                "rectify_by": deadline,
            }),
        )
        .await;

    assert_eq!(finding["hazard_grade"], "major", "{backend:?}: {finding}");
    assert_eq!(
        finding["rectify_by"],
        deadline.as_str(),
        "{backend:?}: {finding}"
    );
    let hazards = hazard_item::Entity::find()
        .filter(hazard_item::Column::EnterpriseId.eq(t.enterprise))
        .all(&w.app.db)
        .await
        .expect("hazards");
    assert_eq!(hazards.len(), 1, "{backend:?}: {hazards:?}");
    let hazard = &hazards[0];
    assert_eq!(hazard.grade, HazardGrade::Major, "{backend:?}");
    assert_eq!(hazard.rectify_by.to_string(), deadline, "{backend:?}");
    assert_eq!(hazard.task_id, Some(t.task), "{backend:?}");
    assert_eq!(
        hazard.description, "液氨储罐区可燃气体报警器失效",
        "{backend:?}"
    );
    assert!(hazard.rectified_on.is_none(), "{backend:?}");
}

#[both_engines]
async fn findings_with_a_hazard_but_no_deadline_too_many_points_or_a_foreign_indicator_are_refused(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let foreign = w.indicator_set("OTHER", &[(10.0, 1.0)]).await;
    let path = format!("/api/v1/tasks/{}/findings", t.task);
    let (status, early) = w.app.post(&path, t.lead(), t.finding(0, 5.0)).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: not started: {early}"
    );
    w.step_ok(t.task, "start", t.lead()).await;
    let with = |extra: Value| {
        let mut body = t.finding(0, 5.0);
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        body
    };

    for (what, body, field) in [
        (
            "hazard without a deadline",
            with(json!({"hazard_grade": "major"})),
            "rectify_by",
        ),
        (
            "deadline without a hazard",
            with(json!({"rectify_by": in_days(10)})),
            "hazard_grade",
        ),
        (
            "a deadline in the past",
            with(json!({"hazard_grade": "general", "rectify_by": in_days(-3)})),
            "rectify_by",
        ),
        (
            "points above the maximum",
            with(json!({"points": 10.5})),
            "points",
        ),
        ("negative points", with(json!({"points": -1.0})), "points"),
        (
            "an indicator of another set",
            with(json!({"indicator_id": foreign.indicators[0]})),
            "indicator_id",
        ),
        (
            "an empty description",
            with(json!({"description": "  "})),
            "description",
        ),
    ] {
        let (status, body) = w.app.post(&path, t.lead(), body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{backend:?}: {what}: {body}"
        );
        assert_eq!(
            problem_fields(&body),
            [field],
            "{backend:?}: {what}: {body}"
        );
    }
    let (_, findings) = w.app.get(&path, t.lead()).await;
    assert_eq!(findings, json!([]), "{backend:?}: nothing recorded");
    let hazards = all_rows::<hazard_item::Entity>(&w.app.db).await;
    assert!(hazards.is_empty(), "{backend:?}: {hazards:?}");
}

/// The keys of a JSON object.
fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

#[both_engines]
async fn published_results_show_public_fields_only_and_unpublished_ones_stay_hidden(
    backend: Backend,
) {
    let w = World::new(backend).await;
    let changan = w.enterprise(Ent::default()).await;
    w.enterprise(Ent {
        region: "130203",
        ..Ent::default()
    })
    .await;
    let unpublished = w.enterprise(Ent::default()).await;
    let crew = w.crew(2, "130000", &["hazardous_chemicals"]).await;
    let set = w.indicator_set("HC", &[(10.0, 1.0)]).await;
    let plan = w
        .plan(plan_body(
            "公示",
            json!({"ratios": {"high": 1.0}, "indicator_set_id": set.id}),
        ))
        .await;
    let draw = w
        .draw(plan, json!({"seed": 9, "reason": "固定种子，便于复现"}))
        .await;
    let deadline = in_days(45);
    let mut badges_of = std::collections::HashMap::new();
    for (task, (target, team)) in task_ids(&draw).into_iter().zip(teams(&draw)) {
        let hazard = json!({
            "indicator_id": set.indicators[0], "points": 3.0, "compliant": false,
            "description": "特种作业人员无证上岗", "hazard_grade": "general", "rectify_by": deadline,
        });
        let clean = json!({
            "indicator_id": set.indicators[0], "points": 9.0, "compliant": true, "description": "符合要求",
        });
        let finding = if target == changan { hazard } else { clean };
        w.carry_out(task, crew.token(team[0]), &[finding]).await;
        let reviewed = w.step_ok(task, "review", &w.supervisor).await;
        let badges: Vec<Value> = reviewed["inspectors"]
            .as_array()
            .expect("inspectors")
            .iter()
            .map(|i| i["badge_no"].clone())
            .collect();
        badges_of.insert(target, (badges, reviewed["submitted_at"].clone()));
        if target != unpublished {
            w.step_ok(task, "publish", &w.supervisor).await;
        }
    }

    let (status, results) = w
        .app
        .call(Method::GET, "/public/v1/results", None, None)
        .await;

    assert_eq!(status, StatusCode::OK, "{backend:?}: {results}");
    assert_eq!(results["total"], 2, "{backend:?}: {results}");
    let items = results["items"].as_array().expect("items");
    let names: BTreeSet<&str> = items
        .iter()
        .filter_map(|i| i["target_name"].as_str())
        .collect();
    assert_eq!(
        names,
        BTreeSet::from(["测试企业001", "测试企业002"]),
        "{backend:?}"
    );
    let public_fields = BTreeSet::from([
        "id",
        "target_name",
        "credit_code",
        "region_code",
        "check_date",
        "inspector_badges",
        "result",
        "score",
        "hazards",
        "published_at",
        "draw",
    ]);
    for item in items {
        assert_eq!(keys(item), public_fields, "{backend:?}: {item}");
    }
    let item = items
        .iter()
        .find(|i| i["target_name"] == "测试企业001")
        .expect("长安区's result");
    let (badges, submitted_at) = &badges_of[&changan];
    assert_eq!(item["credit_code"], credit_code(1), "{backend:?}");
    assert_eq!(item["region_code"], "130102", "{backend:?}");
    assert_eq!(
        item["check_date"],
        china_date(submitted_at).to_string(),
        "{backend:?}: the day of submission, China time"
    );
    assert_eq!(&item["inspector_badges"], &json!(badges), "{backend:?}");
    assert_eq!(item["result"], "hazards_found", "{backend:?}");
    assert_eq!(item["score"], 30.0, "{backend:?}");
    assert_eq!(
        item["hazards"].as_array().map(Vec::len),
        Some(1),
        "{backend:?}"
    );
    let hazard = &item["hazards"][0];
    assert_eq!(
        keys(hazard),
        BTreeSet::from([
            "description",
            "grade",
            "rectify_by",
            "status",
            "rectified_on",
            "verified_on"
        ]),
        "{backend:?}"
    );
    assert_eq!(hazard["grade"], "general", "{backend:?}");
    assert_eq!(hazard["status"], "open", "{backend:?}: not rectified yet");
    assert_eq!(hazard["rectify_by"], deadline.as_str(), "{backend:?}");
    assert_eq!(
        item["draw"],
        json!({"id": draw["id"], "seed": 9, "seed_source": "given", "seed_text": null,
                   "announcement_id": null, "population_sha256": draw["population_sha256"],
                   "created_at": item["draw"]["created_at"], "superseded_by": null}),
        "{backend:?}: the draw that chose the check, and how its seed was chosen"
    );
    let other = items
        .iter()
        .find(|i| i["target_name"] == "测试企业002")
        .expect("路北区's result");
    assert_eq!(other["result"], "compliant", "{backend:?}");
    assert_eq!(other["hazards"], json!([]), "{backend:?}");

    for (region, expected) in [
        ("130000", vec!["测试企业001", "测试企业002"]),
        ("130100", vec!["测试企业001"]),
        ("130102", vec!["测试企业001"]),
        ("130200", vec!["测试企业002"]),
        ("110000", vec![]),
    ] {
        let (status, page) = w
            .app
            .call(
                Method::GET,
                &format!("/public/v1/results?region_code={region}"),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{backend:?} {region}: {page}");
        let mut names: Vec<&str> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["target_name"].as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(names, expected, "{backend:?}: region {region}");
    }
}

#[both_engines]
async fn tasks_past_due_are_flagged_overdue(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(3, Ent::default()).await;
    let crew = w.crew(2, "130000", &["hazardous_chemicals"]).await;
    let set = w.indicator_set("HC", &[(10.0, 1.0)]).await;
    let plan = w
        .plan(plan_body(
            "逾期",
            json!({"ratios": {"high": 1.0}, "due_days": 30, "indicator_set_id": set.id}),
        ))
        .await;
    let draw = w
        .draw(plan, json!({"seed": 2, "reason": "固定种子，便于复现"}))
        .await;
    let tasks = task_ids(&draw);
    let teams = teams(&draw);
    let finding = json!({"indicator_id": set.indicators[0], "points": 10.0, "compliant": true, "description": "符合"});
    w.carry_out(tasks[0], crew.token(teams[0].1[0]), &[finding])
        .await;
    w.step_ok(tasks[1], "start", crew.token(teams[1].1[0]))
        .await;

    let before = tasks::mark_overdue(&w.app.db, Utc::now() + Duration::days(20))
        .await
        .expect("mark overdue");
    let flagged = tasks::mark_overdue(&w.app.db, Utc::now() + Duration::days(40))
        .await
        .expect("mark overdue");
    let again = tasks::mark_overdue(&w.app.db, Utc::now() + Duration::days(41))
        .await
        .expect("mark overdue");

    assert_eq!(before, 0, "{backend:?}: nothing is due yet");
    assert_eq!(
        flagged, 2,
        "{backend:?}: the started and the untouched task"
    );
    assert_eq!(again, 0, "{backend:?}: flagged once");
    let (_, overdue) = w.app.get("/api/v1/tasks?overdue=true", &w.supervisor).await;
    assert_eq!(
        item_ids(&overdue),
        [tasks[1], tasks[2]],
        "{backend:?}: {overdue}"
    );
    assert!(
        overdue["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|t| t["overdue"] == true),
        "{backend:?}"
    );
    let (_, on_time) = w
        .app
        .get("/api/v1/tasks?overdue=false", &w.supervisor)
        .await;
    assert_eq!(
        item_ids(&on_time),
        [tasks[0]],
        "{backend:?}: the submitted one"
    );
}

#[both_engines]
async fn a_result_not_published_within_twenty_working_days_raises_one_accountability_item(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    w.carry_out(t.task, t.lead(), &[t.finding(0, 7.0)]).await;
    let reviewed = w.step_ok(t.task, "review", &w.supervisor).await;
    let review_day = china_date(&reviewed["reviewed_at"]);
    let china = FixedOffset::east_opt(8 * 3600).expect("UTC+8");
    let at_noon = |day: chrono::NaiveDate| {
        china
            .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon")))
            .single()
            .expect("a time")
            .with_timezone(&Utc)
    };
    // Working days as the shipped national calendar counts them.
    let (off, worked) = w.calendar_from(review_day).await;
    let twentieth = working_days_after(review_day, 20, &off, &worked);
    let day = working_days_after(review_day, 30, &off, &worked);

    let on_the_deadline = tasks::raise_publication_overdue(&w.app.db, at_noon(twentieth), 20)
        .await
        .expect("raise");
    let late = tasks::raise_publication_overdue(&w.app.db, at_noon(day), 20)
        .await
        .expect("raise");
    let again = tasks::raise_publication_overdue(&w.app.db, at_noon(day), 20)
        .await
        .expect("raise");

    assert_eq!(
        on_the_deadline, 0,
        "{backend:?}: the 20th working day is still in time"
    );
    assert_eq!(late, 1, "{backend:?}");
    assert_eq!(again, 0, "{backend:?}: never twice");
    let items = all_rows::<accountability_item::Entity>(&w.app.db).await;
    assert_eq!(items.len(), 1, "{backend:?}: {items:?}");
    let item = &items[0];
    assert_eq!(
        item.reason,
        AccountabilityReason::PublicationOverdue,
        "{backend:?}"
    );
    assert_eq!(
        item.subject_kind,
        AccountableKind::Department,
        "{backend:?}"
    );
    assert_eq!(
        item.subject_id, w.hebei,
        "{backend:?}: the plan owner's department"
    );
    assert_eq!(item.evidence_kind, EvidenceKind::Task, "{backend:?}");
    assert_eq!(item.evidence_id, t.task, "{backend:?}");
    assert_eq!(item.status, AccountabilityStatus::Open, "{backend:?}");
}
