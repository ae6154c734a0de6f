//! The task lifecycle over HTTP: from assignment to publication, the score,
//! the publication deadline in working days, illegal transitions, who may take
//! each step, and what each caller's task list holds.

use chrono::{Datelike as _, NaiveDate, Weekday};
use entities::{HolidayKind, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{
    Ent, OneTask, World, china_date, item_ids, plan_body, task_ids, teams, working_days_after,
};

fn date(value: &Value) -> NaiveDate {
    value.as_str().expect("a date").parse().expect("YYYY-MM-DD")
}

#[both_engines]
async fn a_task_goes_from_assigned_to_published_with_a_weighted_score_and_a_deadline_in_working_days(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;

    let started = w.step_ok(t.task, "start", t.lead()).await;
    assert_eq!(started["status"], "in_progress", "{backend:?}: {started}");
    assert!(started["started_at"].is_string(), "{backend:?}: {started}");
    w.finding(t.task, t.lead(), t.finding(0, 8.0)).await;
    w.finding(t.task, t.lead(), t.finding(1, 15.0)).await;
    w.finding(t.task, t.member(), t.finding(2, 5.0)).await;
    let submitted = w.step_ok(t.task, "submit", t.lead()).await;
    assert_eq!(submitted["status"], "submitted", "{backend:?}");
    let reviewed = w.step_ok(t.task, "review", &w.supervisor).await;

    // 100 × (1·8/10 + 2·15/20 + 1·5/5) ÷ (1 + 2 + 1) = 100 × (0.8 + 1.5 + 1.0) ÷ 4 = 82.5
    assert_eq!(reviewed["status"], "reviewed", "{backend:?}: {reviewed}");
    assert_eq!(reviewed["score"], 82.5, "{backend:?}: {reviewed}");

    let review_day = china_date(&reviewed["reviewed_at"]);
    // The national calendar ships with the product: its days count already.
    let (mut off, mut worked) = w.calendar_from(review_day).await;
    let plain = working_days_after(review_day, 20, &off, &worked);
    assert_eq!(
        date(&reviewed["publish_by"]),
        plain,
        "{backend:?}: {reviewed}"
    );
    // A day off on the first working day after the review pushes the deadline
    // on by one working day; the first ordinary Saturday worked (调休) pulls it back.
    let listed = |day: &NaiveDate| off.contains(day) || worked.contains(day);
    let mut day_off = review_day.succ_opt().expect("next day");
    while matches!(day_off.weekday(), Weekday::Sat | Weekday::Sun) || listed(&day_off) {
        day_off = day_off.succ_opt().expect("next day");
    }
    let mut saturday = review_day.succ_opt().expect("next day");
    while saturday.weekday() != Weekday::Sat || listed(&saturday) {
        saturday = saturday.succ_opt().expect("next day");
    }
    w.holiday(day_off, HolidayKind::Holiday).await;
    let path = format!("/api/v1/tasks/{}", t.task);
    let (_, with_holiday) = w.app.get(&path, &w.supervisor).await;
    off.push(day_off);
    let later = working_days_after(review_day, 20, &off, &worked);
    assert_ne!(
        later, plain,
        "{backend:?}: the day off is inside the window"
    );
    assert_eq!(
        date(&with_holiday["publish_by"]),
        later,
        "{backend:?}: {with_holiday}"
    );
    w.holiday(saturday, HolidayKind::Workday).await;
    let (_, with_workday) = w.app.get(&path, &w.supervisor).await;
    worked.push(saturday);
    let earlier = working_days_after(review_day, 20, &off, &worked);
    assert_ne!(
        earlier, later,
        "{backend:?}: the worked Saturday is inside the window"
    );
    assert_eq!(
        date(&with_workday["publish_by"]),
        earlier,
        "{backend:?}: {with_workday}"
    );

    let published = w.step_ok(t.task, "publish", &w.supervisor).await;
    assert_eq!(published["status"], "published", "{backend:?}: {published}");
    assert!(
        published["published_at"].is_string(),
        "{backend:?}: {published}"
    );
    assert_eq!(published["score"], 82.5, "{backend:?}: {published}");
    let (_, findings) = w
        .app
        .get(&format!("/api/v1/tasks/{}/findings", t.task), &w.supervisor)
        .await;
    assert_eq!(
        findings.as_array().map(Vec::len),
        Some(3),
        "{backend:?}: {findings}"
    );
}

#[both_engines]
async fn illegal_transitions_are_conflicts_and_a_returned_task_is_started_again(backend: Backend) {
    let t = OneTask::new(backend).await;
    let (w, task) = (&t.w, t.task);
    let sup = w.supervisor.as_str();
    let expect_conflict = |what: &'static str, (status, body): (StatusCode, Value)| {
        assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: {what}: {body}");
        assert_eq!(body["code"], "conflict", "{backend:?}: {what}: {body}");
    };

    expect_conflict(
        "submit before start",
        w.step(task, "submit", t.lead()).await,
    );
    expect_conflict("review before submit", w.step(task, "review", sup).await);
    expect_conflict("return before submit", w.step(task, "return", sup).await);
    expect_conflict("publish before review", w.step(task, "publish", sup).await);
    w.step_ok(task, "start", t.lead()).await;
    expect_conflict("start twice", w.step(task, "start", t.member()).await);
    expect_conflict(
        "submit without findings",
        w.step(task, "submit", t.lead()).await,
    );
    w.finding(task, t.lead(), t.finding(0, 4.0)).await;
    w.step_ok(task, "submit", t.member()).await;
    expect_conflict(
        "publish a submitted task",
        w.step(task, "publish", sup).await,
    );
    let (status, returned) = w
        .app
        .post(
            &format!("/api/v1/tasks/{task}/return"),
            sup,
            json!({"reason": "现场照片缺失"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {returned}");
    assert_eq!(returned["status"], "returned", "{backend:?}");
    expect_conflict("review a returned task", w.step(task, "review", sup).await);
    let restarted = w.step_ok(task, "start", t.lead()).await;
    assert_eq!(
        restarted["status"], "in_progress",
        "{backend:?}: {restarted}"
    );
    w.step_ok(task, "submit", t.lead()).await;
    let reviewed = w.step_ok(task, "review", sup).await;
    assert_eq!(
        reviewed["score"], 40.0,
        "{backend:?}: 100 × 4/10: {reviewed}"
    );
}

#[both_engines]
async fn only_the_tasks_inspectors_work_on_it_and_only_supervisors_in_scope_review_it(
    backend: Backend,
) {
    use StatusCode as S;
    let t = OneTask::new(backend).await;
    let (w, task) = (&t.w, t.task);
    let leader = w.app.token_for("leader", Role::Leader, None).await;
    let hb_leader = w
        .app
        .token_for("hb-leader", Role::Leader, Some(w.hebei))
        .await;
    let department = w
        .app
        .token_for("hb-department", Role::Department, Some(w.hebei))
        .await;
    let beijing = w
        .app
        .token_for("bj-supervisor", Role::Supervisor, Some(w.beijing))
        .await;
    let sup = w.supervisor.as_str();
    let finding = t.finding(0, 10.0);
    let check = |what: &str, expected: S, (status, body): (S, Value)| {
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    };
    let task_path = format!("/api/v1/tasks/{task}");
    let findings_path = format!("/api/v1/tasks/{task}/findings");

    check(
        "another inspector reads",
        S::NOT_FOUND,
        w.app.get(&task_path, t.outsider()).await,
    );
    check(
        "another inspector starts",
        S::NOT_FOUND,
        w.step(task, "start", t.outsider()).await,
    );
    check(
        "a supervisor starts",
        S::FORBIDDEN,
        w.step(task, "start", sup).await,
    );
    check(
        "a leader starts",
        S::FORBIDDEN,
        w.step(task, "start", &leader).await,
    );
    check(
        "another province starts",
        S::NOT_FOUND,
        w.step(task, "start", &beijing).await,
    );
    w.step_ok(task, "start", t.lead()).await;
    check(
        "another inspector records",
        S::NOT_FOUND,
        w.app
            .post(&findings_path, t.outsider(), finding.clone())
            .await,
    );
    check(
        "a supervisor records",
        S::FORBIDDEN,
        w.app.post(&findings_path, sup, finding.clone()).await,
    );
    w.finding(task, t.lead(), finding).await;
    check(
        "another inspector submits",
        S::NOT_FOUND,
        w.step(task, "submit", t.outsider()).await,
    );
    check(
        "a supervisor submits",
        S::FORBIDDEN,
        w.step(task, "submit", sup).await,
    );
    w.step_ok(task, "submit", t.member()).await;
    for step in ["review", "return", "publish"] {
        // The lead sees the task: told the step is not theirs, not that it is missing.
        check(step, S::FORBIDDEN, w.step(task, step, t.lead()).await);
        check(step, S::NOT_FOUND, w.step(task, step, t.outsider()).await);
        check(step, S::FORBIDDEN, w.step(task, step, &leader).await);
        check(step, S::FORBIDDEN, w.step(task, step, &hb_leader).await);
        check(step, S::NOT_FOUND, w.step(task, step, &department).await);
        check(step, S::NOT_FOUND, w.step(task, step, &beijing).await);
    }
    check(
        "another province reads",
        S::NOT_FOUND,
        w.app.get(&task_path, &beijing).await,
    );
    check(
        "the lead reads",
        S::OK,
        w.app.get(&task_path, t.lead()).await,
    );
    check(
        "a leader reads",
        S::OK,
        w.app.get(&task_path, &leader).await,
    );
    let reviewed = w.step_ok(task, "review", sup).await;
    assert_eq!(
        reviewed["status"], "reviewed",
        "{backend:?}: nothing moved it before"
    );
}

#[both_engines]
async fn inspectors_see_only_their_own_tasks_and_lists_filter_by_status_and_draw(backend: Backend) {
    let w = World::new(backend).await;
    w.enterprises(6, Ent::default()).await;
    let crew = w.crew(3, "130000", &["hazardous_chemicals"]).await;
    let every = w
        .plan(plan_body(
            "全部",
            json!({"ratios": {"high": 1.0}, "inspectors_per_task": 1}),
        ))
        .await;
    let half = w
        .plan(plan_body(
            "一半",
            json!({"ratios": {"high": 0.5}, "inspectors_per_task": 1}),
        ))
        .await;
    let first = w
        .draw(every, json!({"seed": 4, "reason": "固定种子，便于复现"}))
        .await;
    let second = w
        .draw(half, json!({"seed": 4, "reason": "固定种子，便于复现"}))
        .await;
    let (first_id, second_id) = (first["id"].as_i64(), second["id"].as_i64());
    let mut all_tasks: Vec<(i64, i64)> = Vec::new();
    for draw in [&first, &second] {
        for (task, (_, team)) in task_ids(draw).into_iter().zip(teams(draw)) {
            all_tasks.push((task, team[0]));
        }
    }

    for inspector in crew.ids() {
        let token = crew.token(inspector);
        let mut own: Vec<i64> = all_tasks
            .iter()
            .filter(|(_, by)| *by == inspector)
            .map(|(task, _)| *task)
            .collect();
        own.sort_unstable();
        let (_, listed) = w.app.get("/api/v1/tasks?page_size=100", token).await;
        let (_, mine) = w.app.get("/api/v1/tasks?mine=true", token).await;
        assert_eq!(item_ids(&listed), own, "{backend:?} inspector {inspector}");
        assert_eq!(item_ids(&mine), own, "{backend:?} inspector {inspector}");
        assert!(!own.is_empty(), "{backend:?}: the load is spread");
        for item in listed["items"].as_array().expect("items") {
            assert_eq!(
                item["inspectors"][0]["inspector_id"], inspector,
                "{backend:?}"
            );
        }
    }
    let (_, everything) = w.app.get("/api/v1/tasks", &w.supervisor).await;
    assert_eq!(everything["total"], 9, "{backend:?}: {everything}");
    let (_, supervisors_own) = w.app.get("/api/v1/tasks?mine=true", &w.supervisor).await;
    assert_eq!(
        supervisors_own["total"], 0,
        "{backend:?}: {supervisors_own}"
    );
    for (id, count) in [(first_id, 6), (second_id, 3)] {
        let id = id.expect("draw id");
        let (_, of_draw) = w
            .app
            .get(&format!("/api/v1/tasks?draw_id={id}"), &w.supervisor)
            .await;
        assert_eq!(of_draw["total"], count, "{backend:?} draw {id}");
        assert!(
            of_draw["items"]
                .as_array()
                .expect("items")
                .iter()
                .all(|t| t["draw_id"] == id),
            "{backend:?}: {of_draw}"
        );
    }

    let (task, lead) = all_tasks[0];
    w.step_ok(task, "start", crew.token(lead)).await;
    let (_, in_progress) = w
        .app
        .get("/api/v1/tasks?status=in_progress", &w.supervisor)
        .await;
    let (_, assigned) = w
        .app
        .get("/api/v1/tasks?status=assigned", &w.supervisor)
        .await;
    assert_eq!(item_ids(&in_progress), [task], "{backend:?}");
    assert_eq!(assigned["total"], 8, "{backend:?}");
    let (_, narrowed) = w
        .app
        .get(
            &format!(
                "/api/v1/tasks?status=in_progress&draw_id={}",
                second_id.expect("id")
            ),
            crew.token(lead),
        )
        .await;
    assert_eq!(
        narrowed["total"], 0,
        "{backend:?}: filters combine: {narrowed}"
    );
}
