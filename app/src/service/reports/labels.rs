//! The words reports use for stored values: Chinese, as their readers speak.

use chrono::{DateTime, NaiveDateTime, Utc};
use entities::{
    AccountabilityReason, AccountableKind, ComputeTrigger, DrawTrigger, EvidenceKind, RegionLevel,
    SeedSource, SubjectKind, TaskStatus, score_computation,
};

use crate::{
    domain::{Period, accountability::Step, vocab, workdays::CHINA},
    service::{
        accountability::EvidenceView,
        draws::{AnnouncementRow, SeedProvenance},
    },
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
    vocab::zh(vocab::SUBJECT_KINDS, kind)
}

/// 部门, 检查人员 or 企业.
#[must_use]
pub fn accountable_kind(kind: AccountableKind) -> &'static str {
    vocab::zh(vocab::ACCOUNTABLE_KINDS, kind)
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
    vocab::zh(vocab::TASK_STATUSES, status)
}

/// How a draw came about.
#[must_use]
pub fn trigger(trigger: DrawTrigger) -> &'static str {
    vocab::zh(vocab::DRAW_TRIGGERS, trigger)
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

/// Why a unit is held to account. `severity_understated` is 等级报低 — a severity
/// stated below what the figures known then call for — and never 瞒报, which is
/// concealment, a different rule.
#[must_use]
pub fn reason(reason: AccountabilityReason) -> &'static str {
    vocab::zh(vocab::ACCOUNTABILITY_REASONS, reason)
}

/// The evidence as a reference people can look up: `事故 #12`, a report with
/// its incident, and `（含补录报告）` where it rests on a report entered afterwards.
#[must_use]
pub fn evidence(evidence: &EvidenceView) -> String {
    let id = evidence.id;
    let mut label = match (evidence.kind, evidence.incident_id) {
        (EvidenceKind::Task, _) => format!("检查任务 #{id}"),
        (EvidenceKind::Incident, _) => format!("事故 #{id}"),
        (EvidenceKind::IncidentReport, Some(incident)) => format!("事故 #{incident} 报告 #{id}"),
        (EvidenceKind::IncidentReport, None) => format!("事故报告 #{id}"),
        (EvidenceKind::Hazard, _) => format!("隐患 #{id}"),
        (EvidenceKind::Score, _) => format!("考核得分 #{id}"),
        (EvidenceKind::SelfAssessment, _) => format!("自评 #{id}"),
    };
    if evidence.backfilled {
        label.push_str("（含补录报告）");
    }
    label
}

/// When a period's scores were last computed, by whom and how, or that they never were.
#[must_use]
pub fn computation(last: Option<&score_computation::Model>) -> String {
    let Some(last) = last else {
        return "得分尚未计算".to_owned();
    };
    let how = match last.trigger {
        ComputeTrigger::Request => "手动",
        ComputeTrigger::Command => "命令行",
        ComputeTrigger::Schedule => "定时任务",
    };
    format!(
        "得分计算于 {}（北京时间），计算人 {}（{how}）",
        china_time(last.computed_at).format("%Y-%m-%d %H:%M"),
        last.computed_by
    )
}

/// A step of an accountability item, as its history reads.
#[must_use]
pub fn step(step: Step) -> &'static str {
    match step {
        Step::Acknowledge => "确认",
        Step::Close => "关闭",
        Step::Answer => "申辩",
        Step::Accept => "采纳申辩并关闭",
        Step::Reject => "驳回申辩",
    }
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
