//! What the directories' rules and their store share: the inputs callers give,
//! the list filters, and the rows that pass validation.

use entities::{CreditClass, DepartmentKind, EnterpriseStatus, Industry, RegionLevel, RiskLevel};

use crate::domain::{CreditCode, RegionCode};

/// A region to create or replace.
#[derive(Debug, Clone)]
pub struct RegionInput {
    /// Six-digit code.
    pub code: String,
    /// Name, such as 河北省.
    pub name: String,
    /// Parent's code; none for a province.
    pub parent_code: Option<String>,
}

/// Filters for listing regions.
#[derive(Debug, Clone, Default)]
pub struct RegionFilter {
    /// Direct children of this region.
    pub parent_code: Option<String>,
    /// Regions whose code starts with this.
    pub prefix: Option<String>,
    /// Only this level.
    pub level: Option<RegionLevel>,
    /// Name contains this.
    pub q: Option<String>,
}

/// A region that passed validation.
#[derive(Debug, Clone)]
pub struct RegionRow {
    pub code: RegionCode,
    pub name: String,
    /// None for a province.
    pub parent_code: Option<RegionCode>,
}

/// A department to create or replace.
#[derive(Debug, Clone)]
pub struct DepartmentInput {
    /// Unique code.
    pub code: String,
    /// Name, such as 河北省应急管理厅.
    pub name: String,
    pub kind: DepartmentKind,
    /// Region; none for a national department.
    pub region_code: Option<String>,
    pub parent_id: Option<i64>,
}

/// Filters for listing departments.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    pub region_prefix: Option<String>,
    pub kind: Option<DepartmentKind>,
    /// Name or code contains this.
    pub q: Option<String>,
}

/// A department that passed validation.
#[derive(Debug, Clone)]
pub struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub kind: DepartmentKind,
    /// None for a national department.
    pub region_code: Option<RegionCode>,
    pub parent_id: Option<i64>,
}

/// An enterprise to create or replace.
#[derive(Debug, Clone)]
pub struct EnterpriseInput {
    /// 统一社会信用代码.
    pub credit_code: String,
    /// Registered name.
    pub name: String,
    pub industry: Industry,
    /// Six-digit region code where it operates.
    pub region_code: String,
    /// 安全风险等级.
    pub risk_level: RiskLevel,
    /// 信用风险分类.
    pub credit_class: CreditClass,
    /// 重点监管.
    pub key_supervision: bool,
    pub status: EnterpriseStatus,
}

/// Filters for listing enterprises; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct EnterpriseFilter {
    /// Region code prefix, such as `1301`.
    pub region_prefix: Option<String>,
    pub industry: Option<Industry>,
    pub risk_level: Option<RiskLevel>,
    pub credit_class: Option<CreditClass>,
    pub key_supervision: Option<bool>,
    pub status: Option<EnterpriseStatus>,
    /// Name or credit code contains this.
    pub q: Option<String>,
    /// Sort key from [`SORT_KEYS`], `-` in front for descending.
    pub sort: Option<String>,
}

/// An enterprise that passed validation.
#[derive(Debug, Clone)]
pub struct EnterpriseRow {
    pub credit_code: CreditCode,
    pub name: String,
    pub industry: Industry,
    pub region_code: RegionCode,
    pub risk_level: RiskLevel,
    pub credit_class: CreditClass,
    pub key_supervision: bool,
    pub status: EnterpriseStatus,
}

/// The fields an enterprise list may be sorted by.
pub const SORT_KEYS: &[&str] = &[
    "id",
    "name",
    "credit_code",
    "region_code",
    "risk_level",
    "updated_at",
];

/// A field of [`SORT_KEYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnterpriseSortKey {
    Id,
    Name,
    CreditCode,
    RegionCode,
    RiskLevel,
    UpdatedAt,
}

impl EnterpriseSortKey {
    /// The key named `name` in [`SORT_KEYS`].
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "name" => Self::Name,
            "credit_code" => Self::CreditCode,
            "region_code" => Self::RegionCode,
            "risk_level" => Self::RiskLevel,
            "updated_at" => Self::UpdatedAt,
            _ => return None,
        })
    }
}

/// How an enterprise list is ordered; ties go by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnterpriseOrder {
    pub key: EnterpriseSortKey,
    pub descending: bool,
}

/// An inspector to create or replace.
#[derive(Debug, Clone)]
pub struct InspectorInput {
    /// 执法证号.
    pub badge_no: String,
    /// Full name.
    pub name: String,
    pub department_id: i64,
    /// The region the inspector works in.
    pub region_code: String,
    /// Industries the inspector is qualified for.
    pub industries: Vec<Industry>,
    /// Whether the inspector can be drawn.
    pub active: bool,
    /// The inspector's login, if any.
    pub user_id: Option<i64>,
}

/// Filters for listing inspectors.
#[derive(Debug, Clone, Default)]
pub struct InspectorFilter {
    pub region_prefix: Option<String>,
    pub department_id: Option<i64>,
    /// Qualified for this industry.
    pub industry: Option<Industry>,
    pub active: Option<bool>,
    /// Name or badge number contains this.
    pub q: Option<String>,
}

/// An inspector that passed validation.
#[derive(Debug, Clone)]
pub struct InspectorRow {
    pub badge_no: String,
    pub name: String,
    pub department_id: i64,
    pub region_code: RegionCode,
    pub industries: Vec<Industry>,
    pub active: bool,
    pub user_id: Option<i64>,
}

/// A conflict to record: one inspector and exactly one enterprise or department.
#[derive(Debug, Clone)]
pub struct ConflictInput {
    /// The inspector who must stand aside.
    pub inspector_id: i64,
    /// The enterprise, or
    pub enterprise_id: Option<i64>,
    /// the department.
    pub department_id: Option<i64>,
    /// Why (relative, former employer, …).
    pub reason: String,
}

/// Who a conflict keeps apart: the inspector and one enterprise or department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConflictPair {
    pub inspector_id: i64,
    pub enterprise_id: Option<i64>,
    pub department_id: Option<i64>,
}
