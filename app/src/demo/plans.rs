//! The demo check plans of 河北省应急管理厅: one of enterprises, checked
//! against the enterprise indicator set, and one of the province's
//! emergency-management departments, checked against the data-security set.
//! Both are active without a schedule: a supervisor draws them by hand.

use entities::SubjectKind;

use super::indicators::{DEPARTMENT_SET, DemoIndicatorSet, ENTERPRISE_SET};

/// One demo plan; its natural key is its owner and name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoPlan {
    /// Name.
    pub name: &'static str,
    /// Code of the owning department.
    pub owner_code: &'static str,
    /// Enterprises or departments.
    pub target_kind: SubjectKind,
    /// Region code prefixes drawn from.
    pub region_prefixes: &'static [&'static str],
    /// Sampling ratio per stratum.
    pub ratios: &'static [(&'static str, f64)],
    /// At least this many per stratum.
    pub min_per_stratum: i32,
    /// Inspectors per task.
    pub inspectors_per_task: i32,
    /// Days from the draw to the due date.
    pub due_days: i32,
    /// The indicator set findings are recorded against.
    pub indicator_set: DemoIndicatorSet,
}

/// The two plans.
pub const PLANS: &[DemoPlan] = &[
    DemoPlan {
        name: "2026年河北省企业安全生产“双随机、一公开”抽查",
        owner_code: "EM-130000",
        target_kind: SubjectKind::Enterprise,
        region_prefixes: &["13"],
        ratios: &[
            ("major", 0.2),
            ("high", 0.1),
            ("moderate", 0.05),
            ("low", 0.02),
        ],
        min_per_stratum: 1,
        inspectors_per_task: 2,
        due_days: 30,
        indicator_set: ENTERPRISE_SET,
    },
    DemoPlan {
        name: "2026年河北省应急管理部门数据安全检查",
        owner_code: "EM-130000",
        target_kind: SubjectKind::Department,
        region_prefixes: &["13"],
        ratios: &[("city", 0.5), ("county", 0.2)],
        min_per_stratum: 1,
        inspectors_per_task: 2,
        due_days: 30,
        indicator_set: DEPARTMENT_SET,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_plan_uses_the_set_for_its_targets() {
        for plan in PLANS {
            assert_eq!(
                plan.indicator_set.applies_to, plan.target_kind,
                "{}",
                plan.name
            );
        }
    }
}
