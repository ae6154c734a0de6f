//! Self-assessments: draft → submitted, points within range, one per subject,
//! period and set, read-only once submitted, and scope.

use entities::{AssessmentStatus, Role, SubjectKind};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait as _, ActiveValue::Set};
use serde_json::{Value, json};
use spotcheck_tests::{Backend, IndicatorSet, TwoProvinces, both_engines, credit_code};

use super::score_fixture::indicator;

#[both_engines]
async fn a_department_files_then_submits_and_cannot_change_it_afterwards(backend: Backend) {
    let TwoProvinces {
        app, admin, hebei, ..
    } = TwoProvinces::spawn(backend).await;
    let dept = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let IndicatorSet {
        id: set,
        indicators: ids,
    } = app
        .indicator_set(
            &admin,
            "SA",
            json!([
                indicator("A", "data_security", 10.0, 3.0, "department"),
                indicator("B", "data_security", 4.0, 1.0, "department"),
                indicator("C", "other", 10.0, 1.0, "department"),
                indicator("E", "data_security", 10.0, 1.0, "enterprise")
            ]),
        )
        .await;
    let [a, b, c, e] = [ids[0], ids[1], ids[2], ids[3]];
    let invalid = json!({"period": "2026Q5", "indicator_set_id": set,
        "items": [{"indicator_id": a, "points": 11}, {"indicator_id": e, "points": 1}, {"indicator_id": b, "points": -1}]});
    let problem = app
        .post_refused(
            "/api/v1/self-assessments",
            &dept,
            invalid,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(
        problem.fields(),
        [
            "period",
            "items[0].points",
            "items[1].indicator_id",
            "items[2].points"
        ],
        "{backend:?}"
    );

    let draft = app
        .create::<Value>(
            "/api/v1/self-assessments",
            &dept,
            json!({"period": "2026Q4", "indicator_set_id": set,
        "items": [{"indicator_id": a, "points": 10}]}),
        )
        .await;
    assert_eq!(
        (
            draft["status"].as_str(),
            draft["subject_kind"].as_str(),
            draft["subject_id"].as_i64()
        ),
        (Some("draft"), Some("department"), Some(hebei)),
        "{backend:?}"
    );
    let id = draft["id"].as_i64().expect("id");
    let path = format!("/api/v1/self-assessments/{id}");
    let (status, body) = app.post(&format!("{path}/submit"), &dept, json!({})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend:?}: incomplete: {body}"
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("B, C"),
        "{backend:?}: {body}"
    );
    let items = json!({"items": [{"indicator_id": a, "points": 10}, {"indicator_id": b, "points": 2}, {"indicator_id": c, "points": 0}]});
    let (status, body) = app
        .call(Method::PUT, &path, Some(&dept), Some(items.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    // 100 × (3·10/10 + 1·2/4) ÷ (3 + 1) = 100 × 3.5 / 4 = 87.5; C is not data security.
    assert_eq!(body["data_security"], 87.5, "{backend:?}");
    let (status, body) = app.post(&format!("{path}/submit"), &dept, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
    assert_eq!(body["status"], "submitted", "{backend:?}");
    assert!(body["submitted_at"].is_string(), "{backend:?}");
    let (status, _) = app.post(&format!("{path}/submit"), &dept, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: submitted once");
    let (status, _) = app.call(Method::PUT, &path, Some(&dept), Some(items)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{backend:?}: read-only");
    let (status, _) = app
        .post(
            "/api/v1/self-assessments",
            &dept,
            json!({"period": "2026Q4", "indicator_set_id": set, "items": []}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "{backend:?}: one per subject, period and set"
    );
    // The database holds the same rule, whatever a writer does.
    let duplicate = entities::self_assessment::ActiveModel {
        subject_kind: Set(SubjectKind::Department),
        department_id: Set(Some(hebei)),
        enterprise_id: Set(None),
        region_code: Set(Some("130000".to_owned())),
        period: Set("2026Q4".to_owned()),
        indicator_set_id: Set(set),
        status: Set(AssessmentStatus::Draft),
        submitted_at: Set(None),
        created_by: Set(None),
        created_at: Set(chrono::Utc::now()),
        updated_at: Set(chrono::Utc::now()),
        ..Default::default()
    };
    let error = duplicate
        .insert(&app.db)
        .await
        .expect_err("the unique index refuses it");
    assert!(
        matches!(
            error.sql_err(),
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
        ),
        "{backend:?}: {error}"
    );
    let (status, _) = app
        .post(
            "/api/v1/self-assessments",
            &dept,
            json!({"period": "2026-10", "indicator_set_id": set, "items": []}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{backend:?}: another period is another assessment"
    );
}

#[both_engines]
async fn departments_assess_themselves_and_their_enterprises_only(backend: Backend) {
    let TwoProvinces {
        app,
        admin,
        hebei,
        beijing,
    } = TwoProvinces::spawn(backend).await;
    let hb = app
        .token_for("hb-dept", Role::Department, Some(hebei))
        .await;
    let bj = app
        .token_for("bj-dept", Role::Department, Some(beijing))
        .await;
    let leader = app.token_for("leader", Role::Leader, None).await;
    let inspector = app.token_for("insp", Role::Inspector, Some(hebei)).await;
    let enterprise = json!({"credit_code": credit_code(1), "name": "河北某化工",
        "industry": "hazardous_chemicals", "region_code": "130102", "risk_level": "high",
        "credit_class": "B"});
    let enterprise = app
        .create_id("/api/v1/enterprises", &admin, enterprise)
        .await;
    let set = app
        .indicator_set(
            &admin,
            "S",
            json!([indicator("E", "data_security", 10.0, 1.0, "enterprise")]),
        )
        .await
        .id;
    let body = |extra: serde_json::Value| {
        let mut b = json!({"period": "2026", "indicator_set_id": set, "items": []});
        b.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        b
    };
    let made = app
        .create::<Value>(
            "/api/v1/self-assessments",
            &hb,
            body(json!({"enterprise_id": enterprise})),
        )
        .await;
    let path = format!("/api/v1/self-assessments/{}", made["id"]);
    use StatusCode as S;
    #[rustfmt::skip]
    let cases = [
        ("another province's enterprise does not exist for it", &bj, Method::POST, "/api/v1/self-assessments".to_owned(), Some(body(json!({"enterprise_id": enterprise}))), S::UNPROCESSABLE_ENTITY),
        ("nor may it assess another department", &bj, Method::POST, "/api/v1/self-assessments".to_owned(), Some(body(json!({"department_id": hebei}))), S::FORBIDDEN),
        ("nor see another province's assessment", &bj, Method::GET, path.clone(), None, S::NOT_FOUND),
        ("nor submit it", &bj, Method::POST, format!("{path}/submit"), None, S::NOT_FOUND),
        ("a leader reads it", &leader, Method::GET, path.clone(), None, S::OK),
        ("a leader does not file one", &leader, Method::POST, "/api/v1/self-assessments".to_owned(), Some(body(json!({"department_id": hebei}))), S::FORBIDDEN),
        ("an inspector does not read them", &inspector, Method::GET, "/api/v1/self-assessments".to_owned(), None, S::FORBIDDEN),
    ];
    for (what, token, method, path, body, expected) in cases {
        let (status, body) = app.call(method, &path, Some(token), body).await;
        assert_eq!(status, expected, "{backend:?}: {what}: {body}");
    }
    let (_, mine) = app.get("/api/v1/self-assessments", &hb).await;
    assert_eq!(mine["total"], 1, "{backend:?}");
    let (_, theirs) = app.get("/api/v1/self-assessments", &bj).await;
    assert_eq!(theirs["total"], 0, "{backend:?}");
}
