//! The words reports use for stored values: Chinese, as their readers speak.

use chrono::{DateTime, NaiveDateTime, Utc};
use entities::{
    AccountabilityReason, AccountableKind, DrawTrigger, EvidenceKind, RegionLevel, SeedSource,
    SubjectKind, TaskStatus,
};

use crate::{
    domain::{Period, workdays::CHINA},
    service::draws::{AnnouncementRow, SeedProvenance},
};

/// A moment as a China Standard Time wall clock, as reports show times.
#[must_use]
pub fn china_time(at: DateTime<Utc>) -> NaiveDateTime {
    at.with_timezone(&CHINA).naive_local()
}

/// `2026年`, `2026年第4季度`, `2026年11月`.
#[must_use]
pub fn period(period: &Period) -> String {
    match *period {
        Period::Year(year) => format!("{year}年"),
        Period::Quarter(year, quarter) => format!("{year}年第{quarter}季度"),
        Period::Month(year, month) => format!("{year}年{month}月"),
    }
}

/// 部门 or 企业.
#[must_use]
pub fn subject_kind(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Department => "部门",
        SubjectKind::Enterprise => "企业",
    }
}

/// 部门, 检查人员 or 企业.
#[must_use]
pub fn accountable_kind(kind: AccountableKind) -> &'static str {
    match kind {
        AccountableKind::Department => "部门",
        AccountableKind::Inspector => "检查人员",
        AccountableKind::Enterprise => "企业",
    }
}

/// 国家, 省, 市 or 县.
#[must_use]
pub fn level(level: Option<RegionLevel>) -> &'static str {
    match level {
        None => "国家",
        Some(RegionLevel::Province) => "省",
        Some(RegionLevel::City) => "市",
        Some(RegionLevel::County) => "县",
    }
}

/// The task's state.
#[must_use]
pub fn task_status(status: TaskStatus) -> &'static str {
    match status {
        TaskStatus::Assigned => "待检查",
        TaskStatus::InProgress => "检查中",
        TaskStatus::Submitted => "已提交",
        TaskStatus::Reviewed => "已审核",
        TaskStatus::Published => "已公示",
        TaskStatus::Returned => "已退回",
        TaskStatus::Superseded => "已作废（重新抽取）",
        TaskStatus::Cancelled => "已取消（补抽）",
    }
}

/// How a draw came about.
#[must_use]
pub fn trigger(trigger: DrawTrigger) -> &'static str {
    match trigger {
        DrawTrigger::Cron => "定时自动抽取",
        DrawTrigger::Manual => "人工发起抽取",
    }
}

/// How a draw's seed was chosen, in words; a given seed names who gave it and why.
#[must_use]
pub fn seed_source(provenance: &SeedProvenance) -> String {
    match provenance.source {
        SeedSource::Random => "系统随机数（由操作系统生成，任何人无法事先指定）".to_owned(),
        SeedSource::Given => format!(
            "人工指定（指定人：{}；理由：{}）",
            provenance.given_by.as_deref().unwrap_or("未记录"),
            provenance.reason.as_deref().unwrap_or("未说明")
        ),
        SeedSource::PublicText => "由抽取前公布的公开文本计算（SHA-256 前 8 字节）".to_owned(),
        SeedSource::Unrecorded => "未记录（此功能启用前的抽取：系统随机数或人工指定）".to_owned(),
    }
}

/// The announcement a draw used, in words: when, the population hash it
/// committed to, and the seed rule.
#[must_use]
pub fn announcement(announcement: &AnnouncementRow) -> String {
    format!(
        "公告编号 {}，{}（北京时间）公告；公告时冻结的对象名录 SHA-256：{}；种子规则：{}",
        announcement.id,
        china_time(announcement.announced_at).format("%Y-%m-%d %H:%M:%S"),
        announcement.population_sha256,
        announcement.seed_rule
    )
}

/// The published result word.
#[must_use]
pub fn result(result: &str) -> &str {
    match result {
        "hazards_found" => "发现隐患",
        "compliant" => "合格",
        "non_compliant" => "不合格",
        "checked" => "已检查",
        other => other,
    }
}

/// Why a unit is held to account.
#[must_use]
pub fn reason(reason: AccountabilityReason) -> &'static str {
    match reason {
        AccountabilityReason::GradeFail => "考核不合格",
        AccountabilityReason::SelfAssessmentInflated => "自评虚高（高于检查10分以上）",
        AccountabilityReason::ReportLate => "初报迟报",
        AccountabilityReason::FinalReportMissing => "终报缺报",
        AccountabilityReason::DirectReportMissing => "未按规定直报",
        AccountabilityReason::SeverityUnderstated => "瞒报降级（等级报低）",
        AccountabilityReason::TaskOverdue => "检查任务逾期",
        AccountabilityReason::PublicationOverdue => "结果未按时公示",
        AccountabilityReason::HazardOverdue => "重大隐患逾期未整改",
    }
}

/// The evidence as a reference people can look up.
#[must_use]
pub fn evidence(kind: EvidenceKind, id: i64) -> String {
    let what = match kind {
        EvidenceKind::Task => "检查任务",
        EvidenceKind::Incident => "事故",
        EvidenceKind::Hazard => "隐患",
        EvidenceKind::Score => "考核得分",
        EvidenceKind::SelfAssessment => "自评",
    };
    format!("{what} #{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_as_officials_write_them() {
        assert_eq!(period(&Period::Year(2026)), "2026年");
        assert_eq!(period(&Period::Quarter(2026, 4)), "2026年第4季度");
        assert_eq!(period(&Period::Month(2026, 11)), "2026年11月");
    }

    #[test]
    fn times_are_shown_in_china_time() {
        let at = DateTime::parse_from_rfc3339("2026-11-29T16:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            china_time(at).format("%Y-%m-%d %H:%M").to_string(),
            "2026-11-30 00:30"
        );
    }
}
