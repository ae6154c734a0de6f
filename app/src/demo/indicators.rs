//! The demo indicator sets (抽查事项清单), each indicator with its legal basis:
//! a data-security set for departments, and a work-safety and data-security
//! set for enterprises, so that both kinds of plan can be drawn and checked.
//!
//! Articles are cited only where their text is certain: the Work Safety Law
//! as amended in 2021 and the Data Security Law of 2021. The Cybersecurity
//! Law was amended with effect from 2026, so its duties are cited by content.

use entities::{IndicatorCategory, SubjectKind};

/// One indicator of a set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoIndicator {
    /// Code within the set, such as `DS-01`.
    pub code: &'static str,
    /// What is checked.
    pub name: &'static str,
    /// The laws, regulations and standards that require it.
    pub legal_basis: &'static str,
    /// Which score it counts in.
    pub category: IndicatorCategory,
    /// Points available.
    pub max_points: f64,
    /// Weight in the score.
    pub weight: f64,
}

/// One indicator set; its natural key is code and version.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoIndicatorSet {
    /// Code of the set.
    pub code: &'static str,
    /// Version of the set.
    pub version: i32,
    /// Name of the set.
    pub name: &'static str,
    /// Whom every indicator of the set applies to.
    pub applies_to: SubjectKind,
    /// The indicators, in order.
    pub indicators: &'static [DemoIndicator],
}

/// Both sets: departments' first, then enterprises'.
pub const SETS: &[DemoIndicatorSet] = &[DEPARTMENT_SET, ENTERPRISE_SET];

/// The data-security set for departments (数据安全检查指标).
pub const DEPARTMENT_SET: DemoIndicatorSet = DemoIndicatorSet {
    code: "DS-2026",
    version: 1,
    name: "数据安全检查指标（2026版）",
    applies_to: SubjectKind::Department,
    indicators: DEPARTMENT_INDICATORS,
};

/// The set for enterprises: work safety (安全生产) and data security.
pub const ENTERPRISE_SET: DemoIndicatorSet = DemoIndicatorSet {
    code: "ES-2026",
    version: 1,
    name: "企业安全生产和数据安全抽查事项清单（2026版）",
    applies_to: SubjectKind::Enterprise,
    indicators: ENTERPRISE_INDICATORS,
};

const fn data_security(
    code: &'static str,
    name: &'static str,
    legal_basis: &'static str,
    max_points: f64,
) -> DemoIndicator {
    DemoIndicator {
        code,
        name,
        legal_basis,
        category: IndicatorCategory::DataSecurity,
        max_points,
        weight: max_points / 10.0,
    }
}

/// The eight department indicators.
const DEPARTMENT_INDICATORS: &[DemoIndicator] = &[
    data_security(
        "DS-01",
        "数据安全管理制度健全，明确数据安全负责人和管理机构，落实数据安全保护责任",
        "《中华人民共和国数据安全法》第二十七条、第三十九条",
        15.0,
    ),
    data_security(
        "DS-02",
        "开展数据分类分级，编制重要数据目录并实施重点保护",
        "《中华人民共和国数据安全法》第二十一条；GB/T 43697-2024《数据安全技术 数据分类分级规则》",
        15.0,
    ),
    data_security(
        "DS-03",
        "信息系统按网络安全等级保护制度完成定级、备案和等级测评，问题按期整改",
        "《中华人民共和国网络安全法》（网络安全等级保护制度）；《应急管理部关于加强应急基础信息管理的通知》（数据安全）；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》",
        15.0,
    ),
    data_security(
        "DS-04",
        "身份鉴别与访问控制：口令复杂度、登录失败处理、最小权限和权限定期复核",
        "《中华人民共和国数据安全法》第二十七条；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》（身份鉴别、访问控制）",
        10.0,
    ),
    data_security(
        "DS-05",
        "安全审计覆盖重要操作，网络日志留存不少于六个月且防篡改",
        "《中华人民共和国网络安全法》（监测、记录网络运行状态和网络安全事件，留存网络日志不少于六个月）；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》（安全审计）",
        10.0,
    ),
    data_security(
        "DS-06",
        "重要数据备份与加密，定期开展恢复演练",
        "《中华人民共和国网络安全法》（数据分类、重要数据备份和加密）；《中华人民共和国数据安全法》第二十七条",
        10.0,
    ),
    data_security(
        "DS-07",
        "开展数据安全风险监测和定期风险评估，发生数据安全事件立即处置并按规定报告",
        "《中华人民共和国数据安全法》第二十九条、第三十条；GB/T 20984-2022《信息安全技术 信息安全风险评估方法》",
        10.0,
    ),
    data_security(
        "DS-08",
        "个人信息保护措施落实，委托他人建设维护政务系统或处理政务数据时监督受托方履行安全义务",
        "《中华人民共和国个人信息保护法》第五十一条；《中华人民共和国数据安全法》第三十八条、第四十条",
        15.0,
    ),
];

const fn work_safety(
    code: &'static str,
    name: &'static str,
    legal_basis: &'static str,
    category: IndicatorCategory,
    max_points: f64,
) -> DemoIndicator {
    DemoIndicator {
        code,
        name,
        legal_basis,
        category,
        max_points,
        weight: max_points / 10.0,
    }
}

/// The ten enterprise indicators: eight of work safety, two of data security.
const ENTERPRISE_INDICATORS: &[DemoIndicator] = &[
    work_safety(
        "ES-01",
        "建立健全并落实全员安全生产责任制和安全生产规章制度、操作规程，主要负责人履行法定职责",
        "《中华人民共和国安全生产法》第四条、第五条、第二十一条",
        IndicatorCategory::Other,
        10.0,
    ),
    work_safety(
        "ES-02",
        "按规定设置安全生产管理机构或配备专职安全生产管理人员，主要负责人和安全生产管理人员经考核合格",
        "《中华人民共和国安全生产法》第二十四条、第二十七条",
        IndicatorCategory::Other,
        10.0,
    ),
    work_safety(
        "ES-03",
        "从业人员经安全生产教育和培训合格，特种作业人员取得相应资格持证上岗",
        "《中华人民共和国安全生产法》第二十八条、第三十条",
        IndicatorCategory::Other,
        10.0,
    ),
    work_safety(
        "ES-04",
        "建立安全风险分级管控制度，辨识评估安全风险并按分级落实管控措施",
        "《中华人民共和国安全生产法》第四条、第四十一条第一款",
        IndicatorCategory::RiskManagement,
        15.0,
    ),
    work_safety(
        "ES-05",
        "重大危险源登记建档，定期检测、评估、监控，制定应急预案并报有关部门备案",
        "《中华人民共和国安全生产法》第四十条",
        IndicatorCategory::RiskManagement,
        15.0,
    ),
    work_safety(
        "ES-06",
        "建立并落实生产安全事故隐患排查治理制度，如实记录隐患排查治理情况，重大事故隐患及时报告",
        "《中华人民共和国安全生产法》第四十一条第二款",
        IndicatorCategory::HazardManagement,
        15.0,
    ),
    work_safety(
        "ES-07",
        "安全设备经常性维护、保养并定期检测，保证正常运转",
        "《中华人民共和国安全生产法》第三十六条",
        IndicatorCategory::HazardManagement,
        10.0,
    ),
    work_safety(
        "ES-08",
        "制定生产安全事故应急救援预案，与地方政府预案相衔接，并定期组织演练",
        "《中华人民共和国安全生产法》第八十一条",
        IndicatorCategory::Other,
        10.0,
    ),
    data_security(
        "ES-09",
        "建立健全全流程数据安全管理制度，开展数据安全教育培训，对安全生产监测监控等数据采取必要的技术措施",
        "《中华人民共和国数据安全法》第二十七条",
        10.0,
    ),
    data_security(
        "ES-10",
        "加强数据安全风险监测，发现缺陷、漏洞及时补救，发生数据安全事件立即处置并按规定报告",
        "《中华人民共和国数据安全法》第二十九条",
        10.0,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_set_numbers_its_indicators_and_cites_a_legal_basis() {
        for set in SETS {
            let prefix = &set.code[..2];
            for (n, indicator) in set.indicators.iter().enumerate() {
                assert_eq!(indicator.code, format!("{prefix}-{:02}", n + 1));
                assert!(indicator.legal_basis.contains('《'), "{}", indicator.code);
                assert!(
                    indicator.max_points > 0.0 && indicator.weight > 0.0,
                    "{}",
                    indicator.code
                );
            }
        }
        assert_eq!(DEPARTMENT_SET.indicators.len(), 8);
        assert_eq!(ENTERPRISE_SET.indicators.len(), 10);
    }

    #[test]
    fn the_enterprise_set_checks_work_safety_and_data_security() {
        let cites = |law: &str, article: &str| {
            ENTERPRISE_SET
                .indicators
                .iter()
                .any(|i| i.legal_basis.contains(law) && i.legal_basis.contains(article))
        };
        assert!(cites("《中华人民共和国安全生产法》", "第二十一条"));
        assert!(cites("《中华人民共和国数据安全法》", "第二十七条"));
        assert!(
            ENTERPRISE_SET
                .indicators
                .iter()
                .any(|i| i.category == IndicatorCategory::DataSecurity),
            "enterprises get a data-security score too"
        );
    }
}
