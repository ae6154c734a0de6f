//! The words files use for the closed vocabularies, in Chinese and English.

use entities::{
    CreditClass, DepartmentKind, EnterpriseStatus, HazardGrade, HolidayKind, Industry, RiskLevel,
};

use super::columns::{Choice, choice};

/// Sectors.
pub const INDUSTRIES: &[Choice<Industry>] = &[
    choice(Industry::CoalMine, "coal_mine", "煤矿", &["煤矿企业"]),
    choice(
        Industry::NonCoalMine,
        "non_coal_mine",
        "非煤矿山",
        &["非煤矿山企业"],
    ),
    choice(
        Industry::HazardousChemicals,
        "hazardous_chemicals",
        "危险化学品",
        &["危化品", "危险化学品企业"],
    ),
    choice(Industry::Fireworks, "fireworks", "烟花爆竹", &[]),
    choice(Industry::Transport, "transport", "交通运输", &[]),
    choice(
        Industry::MetalSmelting,
        "metal_smelting",
        "冶金",
        &["金属冶炼", "冶金工贸"],
    ),
    choice(Industry::Fishery, "fishery", "渔业", &["渔业船舶"]),
    choice(Industry::Other, "other", "其他", &["其它"]),
];

/// 安全风险等级.
pub const RISK_LEVELS: &[Choice<RiskLevel>] = &[
    choice(
        RiskLevel::Major,
        "major",
        "重大",
        &["重大风险", "红", "红色", "red"],
    ),
    choice(
        RiskLevel::High,
        "high",
        "较大",
        &["较大风险", "橙", "橙色", "orange"],
    ),
    choice(
        RiskLevel::Moderate,
        "moderate",
        "一般",
        &["一般风险", "黄", "黄色", "yellow"],
    ),
    choice(
        RiskLevel::Low,
        "low",
        "低",
        &["低风险", "蓝", "蓝色", "blue"],
    ),
];

/// 信用风险分类.
pub const CREDIT_CLASSES: &[Choice<CreditClass>] = &[
    choice(CreditClass::A, "A", "A类", &["a级"]),
    choice(CreditClass::B, "B", "B类", &["b级"]),
    choice(CreditClass::C, "C", "C类", &["c级"]),
    choice(CreditClass::D, "D", "D类", &["d级"]),
];

/// Operating status.
pub const STATUSES: &[Choice<EnterpriseStatus>] = &[
    choice(
        EnterpriseStatus::Active,
        "active",
        "正常",
        &["在营", "存续", "生产"],
    ),
    choice(
        EnterpriseStatus::Suspended,
        "suspended",
        "停产",
        &["停业", "停产整顿"],
    ),
    choice(
        EnterpriseStatus::Closed,
        "closed",
        "关闭",
        &["注销", "吊销", "关停"],
    ),
];

/// Kinds of department.
pub const DEPARTMENT_KINDS: &[Choice<DepartmentKind>] = &[
    choice(
        DepartmentKind::EmergencyManagement,
        "emergency_management",
        "应急管理部门",
        &["应急管理", "应急管理局", "应急管理厅"],
    ),
    choice(
        DepartmentKind::FireRescue,
        "fire_rescue",
        "消防救援机构",
        &["消防救援", "消防"],
    ),
    choice(DepartmentKind::Other, "other", "其他", &["其它"]),
];

/// 隐患等级.
pub const HAZARD_GRADES: &[Choice<HazardGrade>] = &[
    choice(HazardGrade::Major, "major", "重大", &["重大隐患"]),
    choice(HazardGrade::General, "general", "一般", &["一般隐患"]),
];

/// Days off and adjusted workdays.
pub const HOLIDAY_KINDS: &[Choice<HolidayKind>] = &[
    choice(
        HolidayKind::Holiday,
        "holiday",
        "放假",
        &["休息", "假日", "节假日", "休"],
    ),
    choice(
        HolidayKind::Workday,
        "workday",
        "调休上班",
        &["上班", "补班", "调休", "班"],
    ),
];

/// The Chinese word for a value of a vocabulary, as templates and reports show it.
#[must_use]
pub fn zh<T: PartialEq + Copy>(table: &[Choice<T>], value: T) -> &'static str {
    table.iter().find(|c| c.value == value).map_or("", |c| c.zh)
}
