//! Correcting findings: while a task is in progress its inspectors edit or
//! withdraw the finding that counts for an indicator; the task shows which
//! finding counts; a withdrawn hazard finding takes its hazard off the list.

use chrono::{Duration, Utc};
use entities::hazard_item;
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, both_engines};

use super::fixtures::{OneTask, problem_fields};

fn id(body: &Value) -> i64 {
    body["id"].as_i64().expect("id")
}

/// The finding that counts for each of the task's indicators, as `token` sees it.
async fn counting(t: &OneTask, token: &str) -> Vec<Option<i64>> {
    let (status, task) =
        t.w.app
            .get(&format!("/api/v1/tasks/{}", t.task), token)
            .await;
    assert_eq!(status, StatusCode::OK, "{task}");
    task["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["finding_id"].as_i64())
        .collect()
}

#[both_engines]
async fn inspectors_correct_and_withdraw_findings_in_progress_and_the_task_shows_what_counts(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let path = |finding: i64| format!("/api/v1/tasks/{}/findings/{finding}", t.task);
    let put = |token: &str, finding: i64, body: Value| {
        let (token, path) = (token.to_owned(), path(finding));
        async move {
            w.app
                .call(Method::PUT, &path, Some(&token), Some(body))
                .await
        }
    };
    let delete = |token: &str, finding: i64| {
        let (token, path) = (token.to_owned(), path(finding));
        async move { w.app.call(Method::DELETE, &path, Some(&token), None).await }
    };
    w.step_ok(t.task, "start", t.lead()).await;
    let first = id(&w.finding(t.task, t.lead(), t.finding(0, 4.0)).await);
    let second = id(&w.finding(t.task, t.member(), t.finding(1, 15.0)).await);

    let (status, corrected) = put(t.member(), first, t.finding(0, 9.0)).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {corrected}");
    assert_eq!(corrected["points"], 9.0, "{backend:?}");
    assert!(
        corrected["updated_at"]
            .as_str()
            .is_some_and(|at| at.ends_with("+08:00")),
        "{backend:?}: {corrected}"
    );
    assert_eq!(
        counting(&t, t.lead()).await,
        [Some(first), Some(second), None]
    );

    // Recording again replaces the finding that counted; the replaced one stays as it was.
    let third = id(&w.finding(t.task, t.lead(), t.finding(0, 6.0)).await);
    assert_eq!(
        counting(&t, t.lead()).await,
        [Some(third), Some(second), None]
    );
    let (status, refused) = put(t.lead(), first, t.finding(0, 10.0)).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: replaced: {refused}"
    );

    let (status, _) = delete(t.lead(), second).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}");
    assert_eq!(counting(&t, &w.supervisor).await, [Some(third), None, None]);
    let (_, findings) = w
        .app
        .get(&format!("/api/v1/tasks/{}/findings", t.task), t.lead())
        .await;
    let states: Vec<(i64, bool, bool)> = findings
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| (id(f), f["counts"] == true, f["withdrawn_at"].is_string()))
        .collect();
    assert_eq!(
        states,
        [
            (first, false, false),
            (second, false, true),
            (third, true, false)
        ],
        "{backend:?}: nothing is deleted: {findings}"
    );
    for (what, (status, body)) in [
        (
            "correct a withdrawn finding",
            put(t.lead(), second, t.finding(1, 1.0)).await,
        ),
        ("withdraw it twice", delete(t.lead(), second).await),
    ] {
        assert_eq!(status, StatusCode::CONFLICT, "{backend:?} {what}: {body}");
    }
    let (status, moved) = put(t.lead(), third, t.finding(1, 5.0)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {moved}"
    );
    assert_eq!(problem_fields(&moved), ["indicator_id"], "{backend:?}");
    let (status, out_of_range) = put(t.lead(), third, t.finding(0, 11.0)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: {out_of_range}"
    );

    for (who, token, expected) in [
        ("another inspector", t.outsider(), StatusCode::NOT_FOUND),
        ("a supervisor", w.supervisor.as_str(), StatusCode::FORBIDDEN),
    ] {
        let (status, body) = put(token, third, t.finding(0, 1.0)).await;
        assert_eq!(status, expected, "{backend:?} {who} corrects: {body}");
        let (status, body) = delete(token, third).await;
        assert_eq!(status, expected, "{backend:?} {who} withdraws: {body}");
    }
    let (status, body) = put(t.lead(), 999_999, t.finding(0, 1.0)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend:?}: {body}");

    w.step_ok(t.task, "submit", t.lead()).await;
    for (what, (status, body)) in [
        (
            "correct once submitted",
            put(t.lead(), third, t.finding(0, 10.0)).await,
        ),
        ("withdraw once submitted", delete(t.lead(), third).await),
    ] {
        assert_eq!(status, StatusCode::CONFLICT, "{backend:?} {what}: {body}");
    }
    let reviewed = w.step_ok(t.task, "review", &w.supervisor).await;
    // Only the third finding counts: 100 × 6/10.
    assert_eq!(reviewed["score"], 60.0, "{backend:?}: {reviewed}");
}

/// The hazard items a task's findings raised, oldest first.
async fn hazards(t: &OneTask) -> Vec<hazard_item::Model> {
    hazard_item::Entity::find()
        .filter(hazard_item::Column::TaskId.eq(t.task))
        .order_by_asc(hazard_item::Column::Id)
        .all(&t.w.app.db)
        .await
        .expect("hazard items")
}

#[both_engines]
async fn a_withdrawn_hazard_finding_takes_its_hazard_off_the_list_and_out_of_the_publication(
    backend: Backend,
) {
    let t = OneTask::new(backend).await;
    let w = &t.w;
    let deadline = (Utc::now() + Duration::days(30)).date_naive().to_string();
    let hazard = |i: usize, grade: &str| {
        let mut body = t.finding(i, 2.0);
        body["compliant"] = json!(false);
        body["description"] = json!(format!("储罐区可燃气体报警器失效（{grade}）"));
        body["hazard_grade"] = json!(grade);
        body["rectify_by"] = json!(deadline);
        body
    };
    w.step_ok(t.task, "start", t.lead()).await;
    let major = id(&w.finding(t.task, t.lead(), hazard(0, "major")).await);
    let general = id(&w.finding(t.task, t.lead(), hazard(1, "general")).await);
    assert_eq!(hazards(&t).await.len(), 2, "{backend:?}");

    let (status, _) = w
        .app
        .call(
            Method::DELETE,
            &format!("/api/v1/tasks/{}/findings/{major}", t.task),
            Some(t.member()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{backend:?}");
    let listed = hazards(&t).await;
    assert!(listed[0].withdrawn_at.is_some(), "{backend:?}: {listed:?}");
    assert!(listed[1].withdrawn_at.is_none(), "{backend:?}: {listed:?}");

    // Correcting the other finding to no hazard withdraws its hazard; adding it back restores it.
    let path = format!("/api/v1/tasks/{}/findings/{general}", t.task);
    let (status, body) = w
        .app
        .call(Method::PUT, &path, Some(t.lead()), Some(t.finding(1, 20.0)))
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert!(hazards(&t).await[1].withdrawn_at.is_some(), "{backend:?}");
    let mut again = hazard(1, "major");
    again["description"] = json!("储罐区可燃气体报警器失效，已停用");
    let (status, body) = w
        .app
        .call(Method::PUT, &path, Some(t.lead()), Some(again))
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    let restored = &hazards(&t).await[1];
    assert!(restored.withdrawn_at.is_none(), "{backend:?}: {restored:?}");
    assert_eq!(restored.grade, entities::HazardGrade::Major, "{backend:?}");
    assert_eq!(restored.description, "储罐区可燃气体报警器失效，已停用");

    w.step_ok(t.task, "submit", t.lead()).await;
    w.step_ok(t.task, "review", &w.supervisor).await;
    w.step_ok(t.task, "publish", &w.supervisor).await;
    let public = w
        .app
        .request(Method::GET, "/public/v1/results")
        .send()
        .await
        .expect("public results")
        .json::<Value>()
        .await
        .expect("json");
    let published = &public["items"][0]["hazards"];
    assert_eq!(
        published.as_array().map(Vec::len),
        Some(1),
        "{backend:?}: only the hazard still on the list: {public}"
    );
    assert_eq!(
        published[0]["description"], "储罐区可燃气体报警器失效，已停用",
        "{backend:?}: {public}"
    );
}
