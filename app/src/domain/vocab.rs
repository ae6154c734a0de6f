//! The closed vocabularies in words people read: each stored code with its
//! Chinese and English label, and the other words files may use for it.
//!
//! One table per vocabulary serves the API (`GET /api/v1/vocabularies`), the
//! import templates and readers, and the reports.

use entities::{
    AccountabilityReason, AccountabilityStatus, AccountableKind, AssessmentStatus, CancelReason,
    CreditClass, DepartmentKind, DrawTrigger, EnterpriseStatus, EvidenceKind, Grade, HazardGrade,
    HazardStatus, HazardStep, HolidayKind, IncidentKind, IndicatorCategory, IndicatorSetStatus,
    Industry, InspectorRole, PlanStatus, RegionLevel, ReportStage, RiskLevel, Role, Severity,
    SubjectKind, TaskStatus,
};

/// One value of a vocabulary with the words that name it.
#[derive(Debug, Clone, Copy)]
pub struct Term<T> {
    /// The value.
    pub value: T,
    /// Its stored and serialised code.
    pub code: &'static str,
    /// Its Chinese label (import templates offer these).
    pub zh: &'static str,
    /// Its English label.
    pub en: &'static str,
    /// Other words accepted for it on input.
    pub aliases: &'static [&'static str],
}

/// Shorthand for a table entry.
pub const fn term<T>(
    value: T,
    code: &'static str,
    zh: &'static str,
    en: &'static str,
    aliases: &'static [&'static str],
) -> Term<T> {
    Term {
        value,
        code,
        zh,
        en,
        aliases,
    }
}

/// The Chinese label of `value` (every table holds every value: a unit test
/// checks it).
#[must_use]
pub fn zh<T: PartialEq + Copy>(table: &'static [Term<T>], value: T) -> &'static str {
    table.iter().find(|t| t.value == value).map_or("", |t| t.zh)
}

/// 高危行业领域: the sectors of the 2019 notice, in its own words, with the
/// short forms people also write.
pub const INDUSTRIES: &[Term<Industry>] = &[
    term(
        Industry::CoalMine,
        "coal_mine",
        "煤矿",
        "Coal mines",
        &["煤矿企业"],
    ),
    term(
        Industry::NonCoalMine,
        "non_coal_mine",
        "非煤矿山",
        "Non-coal mines",
        &["非煤矿山企业", "非煤"],
    ),
    term(
        Industry::HazardousChemicals,
        "hazardous_chemicals",
        "危险化学品",
        "Hazardous chemicals",
        &["危化品", "危险化学品企业", "危化"],
    ),
    term(
        Industry::Fireworks,
        "fireworks",
        "烟花爆竹",
        "Fireworks",
        &["烟花爆竹企业"],
    ),
    term(
        Industry::Transport,
        "transport",
        "交通运输",
        "Transport",
        &["交通"],
    ),
    term(
        Industry::MetalSmelting,
        "metal_smelting",
        "金属冶炼",
        "Metal smelting",
        &["冶金", "冶金工贸", "金属冶炼企业"],
    ),
    term(
        Industry::Fishery,
        "fishery",
        "渔业生产",
        "Fishery",
        &["渔业", "渔业船舶"],
    ),
    term(Industry::Other, "other", "其他", "Other", &["其它"]),
];

/// 安全风险等级, red to blue.
pub const RISK_LEVELS: &[Term<RiskLevel>] = &[
    term(
        RiskLevel::Major,
        "major",
        "重大",
        "Major (red)",
        &["重大风险", "红", "红色", "red"],
    ),
    term(
        RiskLevel::High,
        "high",
        "较大",
        "High (orange)",
        &["较大风险", "橙", "橙色", "orange"],
    ),
    term(
        RiskLevel::Moderate,
        "moderate",
        "一般",
        "Moderate (yellow)",
        &["一般风险", "黄", "黄色", "yellow"],
    ),
    term(
        RiskLevel::Low,
        "low",
        "低",
        "Low (blue)",
        &["低风险", "蓝", "蓝色", "blue"],
    ),
];

/// 信用风险分类, A best to D worst.
pub const CREDIT_CLASSES: &[Term<CreditClass>] = &[
    term(CreditClass::A, "A", "A类", "Class A", &["a级"]),
    term(CreditClass::B, "B", "B类", "Class B", &["b级"]),
    term(CreditClass::C, "C", "C类", "Class C", &["c级"]),
    term(CreditClass::D, "D", "D类", "Class D", &["d级"]),
];

/// Whether an enterprise is operating.
pub const ENTERPRISE_STATUSES: &[Term<EnterpriseStatus>] = &[
    term(
        EnterpriseStatus::Active,
        "active",
        "正常",
        "Operating",
        &["在营", "存续", "生产"],
    ),
    term(
        EnterpriseStatus::Suspended,
        "suspended",
        "停产",
        "Suspended",
        &["停业", "停产整顿"],
    ),
    term(
        EnterpriseStatus::Closed,
        "closed",
        "关闭",
        "Closed",
        &["注销", "吊销", "关停"],
    ),
];

/// Kinds of department.
pub const DEPARTMENT_KINDS: &[Term<DepartmentKind>] = &[
    term(
        DepartmentKind::EmergencyManagement,
        "emergency_management",
        "应急管理部门",
        "Emergency management",
        &["应急管理", "应急管理局", "应急管理厅"],
    ),
    term(
        DepartmentKind::FireRescue,
        "fire_rescue",
        "消防救援机构",
        "Fire and rescue",
        &["消防救援", "消防"],
    ),
    term(DepartmentKind::Other, "other", "其他", "Other", &["其它"]),
];

/// 隐患等级.
pub const HAZARD_GRADES: &[Term<HazardGrade>] = &[
    term(HazardGrade::Major, "major", "重大", "Major", &["重大隐患"]),
    term(
        HazardGrade::General,
        "general",
        "一般",
        "General",
        &["一般隐患"],
    ),
];

/// Where a hazard's rectification stands (整改).
pub const HAZARD_STATUSES: &[Term<HazardStatus>] = &[
    term(HazardStatus::Open, "open", "待整改", "Open", &[]),
    term(
        HazardStatus::Rectified,
        "rectified",
        "已整改待销号",
        "Rectified",
        &[],
    ),
    term(
        HazardStatus::Verified,
        "verified",
        "已销号",
        "Verified",
        &[],
    ),
    term(
        HazardStatus::Overdue,
        "overdue",
        "逾期未整改",
        "Overdue",
        &[],
    ),
    term(
        HazardStatus::Withdrawn,
        "withdrawn",
        "已撤回",
        "Withdrawn",
        &[],
    ),
];

/// A step of a hazard's rectification.
pub const HAZARD_STEPS: &[Term<HazardStep>] = &[
    term(HazardStep::Rectify, "rectify", "整改完成", "Rectified", &[]),
    term(HazardStep::Verify, "verify", "销号", "Verified", &[]),
    term(HazardStep::Reopen, "reopen", "退回整改", "Sent back", &[]),
];

/// Days off and adjusted working days (调休).
pub const HOLIDAY_KINDS: &[Term<HolidayKind>] = &[
    term(
        HolidayKind::Holiday,
        "holiday",
        "放假",
        "Day off",
        &["休息", "假日", "节假日", "休"],
    ),
    term(
        HolidayKind::Workday,
        "workday",
        "调休上班",
        "Adjusted working day",
        &["上班", "补班", "调休", "班"],
    ),
];

/// Administrative levels of GB/T 2260 regions.
pub const REGION_LEVELS: &[Term<RegionLevel>] = &[
    term(
        RegionLevel::Province,
        "province",
        "省",
        "Province",
        &["省级"],
    ),
    term(RegionLevel::City, "city", "市", "City", &["市级"]),
    term(RegionLevel::County, "county", "县", "County", &["县级"]),
];

/// Users' roles.
pub const ROLES: &[Term<Role>] = &[
    term(Role::Admin, "admin", "系统管理员", "Administrator", &[]),
    term(
        Role::Supervisor,
        "supervisor",
        "监管人员",
        "Supervisor",
        &[],
    ),
    term(
        Role::Inspector,
        "inspector",
        "执法检查人员",
        "Inspector",
        &[],
    ),
    term(
        Role::Department,
        "department",
        "部门用户",
        "Department user",
        &[],
    ),
    term(Role::Leader, "leader", "领导", "Leader", &[]),
];

/// What an assessment indicator is about.
pub const INDICATOR_CATEGORIES: &[Term<IndicatorCategory>] = &[
    term(
        IndicatorCategory::DataSecurity,
        "data_security",
        "数据安全",
        "Data security",
        &[],
    ),
    term(
        IndicatorCategory::Reporting,
        "reporting",
        "信息报送",
        "Reporting",
        &[],
    ),
    term(
        IndicatorCategory::RiskManagement,
        "risk_management",
        "风险管控",
        "Risk management",
        &[],
    ),
    term(
        IndicatorCategory::HazardManagement,
        "hazard_management",
        "隐患排查治理",
        "Hazard management",
        &[],
    ),
    term(IndicatorCategory::Other, "other", "其他", "Other", &[]),
];

/// Who or what is checked and scored.
pub const SUBJECT_KINDS: &[Term<SubjectKind>] = &[
    term(
        SubjectKind::Enterprise,
        "enterprise",
        "企业",
        "Enterprise",
        &[],
    ),
    term(
        SubjectKind::Department,
        "department",
        "部门",
        "Department",
        &[],
    ),
];

/// Lifecycle of an indicator set.
pub const INDICATOR_SET_STATUSES: &[Term<IndicatorSetStatus>] = &[
    term(IndicatorSetStatus::Draft, "draft", "草稿", "Draft", &[]),
    term(IndicatorSetStatus::Active, "active", "启用", "Active", &[]),
    term(
        IndicatorSetStatus::Superseded,
        "superseded",
        "已停用",
        "Superseded",
        &[],
    ),
];

/// Lifecycle of a check plan.
pub const PLAN_STATUSES: &[Term<PlanStatus>] = &[
    term(PlanStatus::Draft, "draft", "草稿", "Draft", &[]),
    term(PlanStatus::Active, "active", "启用", "Active", &[]),
    term(PlanStatus::Paused, "paused", "暂停", "Paused", &[]),
    term(PlanStatus::Archived, "archived", "归档", "Archived", &[]),
];

/// How a draw came about.
pub const DRAW_TRIGGERS: &[Term<DrawTrigger>] = &[
    term(DrawTrigger::Cron, "cron", "定时自动抽取", "Scheduled", &[]),
    term(DrawTrigger::Manual, "manual", "人工发起抽取", "Manual", &[]),
];

/// Lifecycle of a check task.
pub const TASK_STATUSES: &[Term<TaskStatus>] = &[
    term(TaskStatus::Assigned, "assigned", "待检查", "Assigned", &[]),
    term(
        TaskStatus::InProgress,
        "in_progress",
        "检查中",
        "In progress",
        &[],
    ),
    term(
        TaskStatus::Submitted,
        "submitted",
        "已提交",
        "Submitted",
        &[],
    ),
    term(TaskStatus::Reviewed, "reviewed", "已审核", "Reviewed", &[]),
    term(
        TaskStatus::Published,
        "published",
        "已公示",
        "Published",
        &[],
    ),
    term(TaskStatus::Returned, "returned", "已退回", "Returned", &[]),
    term(
        TaskStatus::Superseded,
        "superseded",
        "已作废（重新抽取）",
        "Superseded (redrawn)",
        &[],
    ),
    term(
        TaskStatus::Cancelled,
        "cancelled",
        "已取消（补抽）",
        "Cancelled",
        &[],
    ),
];

/// Why a supervisor cancelled one task of a draw.
pub const CANCEL_REASONS: &[Term<CancelReason>] = &[
    term(CancelReason::Closed, "closed", "注销/停产", "Closed", &[]),
    term(
        CancelReason::NotFound,
        "not_found",
        "查无下落",
        "Not found",
        &[],
    ),
    term(
        CancelReason::ConflictFound,
        "conflict_found",
        "发现回避情形",
        "Conflict of interest found",
        &[],
    ),
    term(CancelReason::Other, "other", "其他", "Other", &[]),
];

/// An inspector's part in a task.
pub const INSPECTOR_ROLES: &[Term<InspectorRole>] = &[
    term(InspectorRole::Lead, "lead", "组长", "Team lead", &[]),
    term(InspectorRole::Member, "member", "组员", "Member", &[]),
];

/// Lifecycle of a self-assessment.
pub const ASSESSMENT_STATUSES: &[Term<AssessmentStatus>] = &[
    term(AssessmentStatus::Draft, "draft", "草稿", "Draft", &[]),
    term(
        AssessmentStatus::Submitted,
        "submitted",
        "已提交",
        "Submitted",
        &[],
    ),
];

/// Kinds of incident (灾害事故).
pub const INCIDENT_KINDS: &[Term<IncidentKind>] = &[
    term(
        IncidentKind::Accident,
        "accident",
        "生产安全事故",
        "Accident",
        &["事故"],
    ),
    term(
        IncidentKind::NaturalDisaster,
        "natural_disaster",
        "自然灾害",
        "Natural disaster",
        &["灾害"],
    ),
];

/// Severity of an incident (事故等级).
pub const SEVERITIES: &[Term<Severity>] = &[
    term(
        Severity::EspeciallySerious,
        "especially_serious",
        "特别重大",
        "Especially serious",
        &[],
    ),
    term(Severity::Serious, "serious", "重大", "Serious", &[]),
    term(
        Severity::RelativelySerious,
        "relatively_serious",
        "较大",
        "Relatively serious",
        &[],
    ),
    term(Severity::Ordinary, "ordinary", "一般", "Ordinary", &[]),
];

/// Stages of an incident report.
pub const REPORT_STAGES: &[Term<ReportStage>] = &[
    term(
        ReportStage::Initial,
        "initial",
        "初报",
        "Initial report",
        &[],
    ),
    term(
        ReportStage::FollowUp,
        "follow_up",
        "续报",
        "Follow-up report",
        &[],
    ),
    term(ReportStage::Final, "final", "终报", "Final report", &[]),
];

/// Grades of an overall score.
pub const GRADES: &[Term<Grade>] = &[
    term(Grade::Excellent, "excellent", "优秀", "Excellent", &[]),
    term(Grade::Good, "good", "良好", "Good", &[]),
    term(Grade::Pass, "pass", "合格", "Pass", &[]),
    term(Grade::Fail, "fail", "不合格", "Fail", &[]),
];

/// Who an accountability item holds to account.
pub const ACCOUNTABLE_KINDS: &[Term<AccountableKind>] = &[
    term(
        AccountableKind::Department,
        "department",
        "部门",
        "Department",
        &[],
    ),
    term(
        AccountableKind::Inspector,
        "inspector",
        "检查人员",
        "Inspector",
        &[],
    ),
    term(
        AccountableKind::Enterprise,
        "enterprise",
        "企业",
        "Enterprise",
        &[],
    ),
];

/// Why an accountability item was raised.
pub const ACCOUNTABILITY_REASONS: &[Term<AccountabilityReason>] = &[
    term(
        AccountabilityReason::GradeFail,
        "grade_fail",
        "考核不合格",
        "Failing grade",
        &[],
    ),
    term(
        AccountabilityReason::SelfAssessmentInflated,
        "self_assessment_inflated",
        "自评虚高（高于检查10分以上）",
        "Self-assessment more than 10 points above the check",
        &[],
    ),
    term(
        AccountabilityReason::ReportLate,
        "report_late",
        "初报迟报",
        "Initial report late",
        &[],
    ),
    term(
        AccountabilityReason::FinalReportMissing,
        "final_report_missing",
        "终报缺报",
        "Final report missing",
        &[],
    ),
    term(
        AccountabilityReason::DirectReportMissing,
        "direct_report_missing",
        "未按规定直报",
        "Direct report to the ministry missing",
        &[],
    ),
    term(
        AccountabilityReason::SeverityUnderstated,
        "severity_understated",
        "等级报低",
        "Severity stated lower than the figures imply",
        &[],
    ),
    term(
        AccountabilityReason::TaskOverdue,
        "task_overdue",
        "检查任务逾期",
        "Check task overdue",
        &[],
    ),
    term(
        AccountabilityReason::PublicationOverdue,
        "publication_overdue",
        "结果未按时公示",
        "Result not published in time",
        &[],
    ),
    term(
        AccountabilityReason::HazardOverdue,
        "hazard_overdue",
        "重大隐患逾期未整改",
        "Major hazard not rectified in time",
        &[],
    ),
];

/// What an accountability item's evidence points at.
pub const EVIDENCE_KINDS: &[Term<EvidenceKind>] = &[
    term(EvidenceKind::Task, "task", "检查任务", "Check task", &[]),
    term(EvidenceKind::Incident, "incident", "事故", "Incident", &[]),
    term(
        EvidenceKind::IncidentReport,
        "incident_report",
        "事故报告",
        "Incident report",
        &[],
    ),
    term(EvidenceKind::Hazard, "hazard", "隐患", "Hazard", &[]),
    term(EvidenceKind::Score, "score", "考核得分", "Score", &[]),
    term(
        EvidenceKind::SelfAssessment,
        "self_assessment",
        "自评",
        "Self-assessment",
        &[],
    ),
];

/// Lifecycle of an accountability item.
pub const ACCOUNTABILITY_STATUSES: &[Term<AccountabilityStatus>] = &[
    term(AccountabilityStatus::Open, "open", "待处理", "Open", &[]),
    term(
        AccountabilityStatus::Acknowledged,
        "acknowledged",
        "已确认",
        "Acknowledged",
        &[],
    ),
    term(
        AccountabilityStatus::Answered,
        "answered",
        "已申辩待处理",
        "Answered, awaiting a decision",
        &[],
    ),
    term(
        AccountabilityStatus::Closed,
        "closed",
        "已办结",
        "Closed",
        &[],
    ),
];

/// One vocabulary's terms as plain words, for clients.
#[derive(Debug, Clone)]
pub struct Listing {
    /// The vocabulary's name, as the API's field names say it.
    pub name: &'static str,
    /// `(code, zh, en)` of each value, in order.
    pub terms: Vec<(&'static str, &'static str, &'static str)>,
}

fn listing<T>(name: &'static str, table: &'static [Term<T>]) -> Listing {
    Listing {
        name,
        terms: table.iter().map(|t| (t.code, t.zh, t.en)).collect(),
    }
}

/// Every closed vocabulary, by the name of the field that holds it.
#[must_use]
pub fn all() -> Vec<Listing> {
    vec![
        listing("industry", INDUSTRIES),
        listing("risk_level", RISK_LEVELS),
        listing("credit_class", CREDIT_CLASSES),
        listing("enterprise_status", ENTERPRISE_STATUSES),
        listing("department_kind", DEPARTMENT_KINDS),
        listing("region_level", REGION_LEVELS),
        listing("role", ROLES),
        listing("hazard_grade", HAZARD_GRADES),
        listing("hazard_status", HAZARD_STATUSES),
        listing("hazard_step", HAZARD_STEPS),
        listing("holiday_kind", HOLIDAY_KINDS),
        listing("indicator_category", INDICATOR_CATEGORIES),
        listing("subject_kind", SUBJECT_KINDS),
        listing("indicator_set_status", INDICATOR_SET_STATUSES),
        listing("plan_status", PLAN_STATUSES),
        listing("draw_trigger", DRAW_TRIGGERS),
        listing("task_status", TASK_STATUSES),
        listing("cancel_reason", CANCEL_REASONS),
        listing("inspector_role", INSPECTOR_ROLES),
        listing("assessment_status", ASSESSMENT_STATUSES),
        listing("incident_kind", INCIDENT_KINDS),
        listing("severity", SEVERITIES),
        listing("report_stage", REPORT_STAGES),
        listing("grade", GRADES),
        listing("accountable_kind", ACCOUNTABLE_KINDS),
        listing("accountability_reason", ACCOUNTABILITY_REASONS),
        listing("evidence_kind", EVIDENCE_KINDS),
        listing("accountability_status", ACCOUNTABILITY_STATUSES),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table holds each value of its enum once, under the value's own code.
    fn complete<T: PartialEq + Copy + std::fmt::Debug>(
        table: &[Term<T>],
        all: &[T],
        code: impl Fn(T) -> &'static str,
    ) {
        assert_eq!(table.len(), all.len(), "{all:?}");
        for value in all {
            let found: Vec<_> = table.iter().filter(|t| t.value == *value).collect();
            assert_eq!(found.len(), 1, "{value:?}");
            assert_eq!(found[0].code, code(*value), "{value:?}");
            assert!(
                !found[0].zh.is_empty() && !found[0].en.is_empty(),
                "{value:?}"
            );
        }
    }

    #[test]
    fn every_table_names_every_value_of_its_vocabulary() {
        complete(INDUSTRIES, Industry::ALL, Industry::as_str);
        complete(RISK_LEVELS, RiskLevel::ALL, RiskLevel::as_str);
        complete(CREDIT_CLASSES, CreditClass::ALL, CreditClass::as_str);
        complete(
            ENTERPRISE_STATUSES,
            EnterpriseStatus::ALL,
            EnterpriseStatus::as_str,
        );
        complete(
            DEPARTMENT_KINDS,
            DepartmentKind::ALL,
            DepartmentKind::as_str,
        );
        complete(REGION_LEVELS, RegionLevel::ALL, RegionLevel::as_str);
        complete(ROLES, Role::ALL, Role::as_str);
        complete(HAZARD_GRADES, HazardGrade::ALL, HazardGrade::as_str);
        complete(HOLIDAY_KINDS, HolidayKind::ALL, HolidayKind::as_str);
        complete(HAZARD_STATUSES, HazardStatus::ALL, HazardStatus::as_str);
        complete(HAZARD_STEPS, HazardStep::ALL, HazardStep::as_str);
        complete(
            INDICATOR_CATEGORIES,
            IndicatorCategory::ALL,
            IndicatorCategory::as_str,
        );
        complete(SUBJECT_KINDS, SubjectKind::ALL, SubjectKind::as_str);
        complete(
            INDICATOR_SET_STATUSES,
            IndicatorSetStatus::ALL,
            IndicatorSetStatus::as_str,
        );
        complete(PLAN_STATUSES, PlanStatus::ALL, PlanStatus::as_str);
        complete(DRAW_TRIGGERS, DrawTrigger::ALL, DrawTrigger::as_str);
        complete(TASK_STATUSES, TaskStatus::ALL, TaskStatus::as_str);
        complete(CANCEL_REASONS, CancelReason::ALL, CancelReason::as_str);
        complete(INSPECTOR_ROLES, InspectorRole::ALL, InspectorRole::as_str);
        complete(
            ASSESSMENT_STATUSES,
            AssessmentStatus::ALL,
            AssessmentStatus::as_str,
        );
        complete(INCIDENT_KINDS, IncidentKind::ALL, IncidentKind::as_str);
        complete(SEVERITIES, Severity::ALL, Severity::as_str);
        complete(REPORT_STAGES, ReportStage::ALL, ReportStage::as_str);
        complete(GRADES, Grade::ALL, Grade::as_str);
        complete(
            ACCOUNTABLE_KINDS,
            AccountableKind::ALL,
            AccountableKind::as_str,
        );
        complete(
            ACCOUNTABILITY_REASONS,
            AccountabilityReason::ALL,
            AccountabilityReason::as_str,
        );
        complete(EVIDENCE_KINDS, EvidenceKind::ALL, EvidenceKind::as_str);
        complete(
            ACCOUNTABILITY_STATUSES,
            AccountabilityStatus::ALL,
            AccountabilityStatus::as_str,
        );
        assert_eq!(all().len(), 28);
    }

    #[test]
    fn the_2019_notice_words_and_their_short_forms_name_the_same_sector() {
        for (word, sector) in [
            ("煤矿", Industry::CoalMine),
            ("非煤矿山", Industry::NonCoalMine),
            ("危险化学品", Industry::HazardousChemicals),
            ("危化品", Industry::HazardousChemicals),
            ("烟花爆竹", Industry::Fireworks),
            ("交通运输", Industry::Transport),
            ("金属冶炼", Industry::MetalSmelting),
            ("冶金", Industry::MetalSmelting),
            ("渔业生产", Industry::Fishery),
            ("渔业", Industry::Fishery),
        ] {
            let found = INDUSTRIES
                .iter()
                .find(|t| t.zh == word || t.aliases.contains(&word))
                .map(|t| t.value);
            assert_eq!(found, Some(sector), "{word}");
        }
    }
}
