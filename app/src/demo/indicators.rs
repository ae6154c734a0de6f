//! The demo data-security indicator set (数据安全检查指标), for departments,
//! with the legal basis of each indicator.
//!
//! Articles are cited only where their text is certain; the Cybersecurity Law
//! was amended with effect from 2026, so its duties are cited by content.

/// Natural key of the set: code and version.
pub const SET_CODE: &str = "DS-2026";
/// Version of the set.
pub const SET_VERSION: i32 = 1;
/// Name of the set.
pub const SET_NAME: &str = "数据安全检查指标（2026版）";

/// One indicator of the set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoIndicator {
    /// Code within the set, `DS-01` to `DS-08`.
    pub code: &'static str,
    /// What is checked.
    pub name: &'static str,
    /// The laws, regulations and standards that require it.
    pub legal_basis: &'static str,
    /// Points available.
    pub max_points: f64,
    /// Weight in the data-security score.
    pub weight: f64,
}

/// The eight indicators, in order.
pub const INDICATORS: &[DemoIndicator] = &[
    DemoIndicator {
        code: "DS-01",
        name: "数据安全管理制度健全，明确数据安全负责人和管理机构，落实数据安全保护责任",
        legal_basis: "《中华人民共和国数据安全法》第二十七条、第三十九条",
        max_points: 15.0,
        weight: 1.5,
    },
    DemoIndicator {
        code: "DS-02",
        name: "开展数据分类分级，编制重要数据目录并实施重点保护",
        legal_basis: "《中华人民共和国数据安全法》第二十一条；GB/T 43697-2024《数据安全技术 数据分类分级规则》",
        max_points: 15.0,
        weight: 1.5,
    },
    DemoIndicator {
        code: "DS-03",
        name: "信息系统按网络安全等级保护制度完成定级、备案和等级测评，问题按期整改",
        legal_basis: "《中华人民共和国网络安全法》（网络安全等级保护制度）；《应急管理部关于加强应急基础信息管理的通知》（数据安全）；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》",
        max_points: 15.0,
        weight: 1.5,
    },
    DemoIndicator {
        code: "DS-04",
        name: "身份鉴别与访问控制：口令复杂度、登录失败处理、最小权限和权限定期复核",
        legal_basis: "《中华人民共和国数据安全法》第二十七条；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》（身份鉴别、访问控制）",
        max_points: 10.0,
        weight: 1.0,
    },
    DemoIndicator {
        code: "DS-05",
        name: "安全审计覆盖重要操作，网络日志留存不少于六个月且防篡改",
        legal_basis: "《中华人民共和国网络安全法》（监测、记录网络运行状态和网络安全事件，留存网络日志不少于六个月）；GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》（安全审计）",
        max_points: 10.0,
        weight: 1.0,
    },
    DemoIndicator {
        code: "DS-06",
        name: "重要数据备份与加密，定期开展恢复演练",
        legal_basis: "《中华人民共和国网络安全法》（数据分类、重要数据备份和加密）；《中华人民共和国数据安全法》第二十七条",
        max_points: 10.0,
        weight: 1.0,
    },
    DemoIndicator {
        code: "DS-07",
        name: "开展数据安全风险监测和定期风险评估，发生数据安全事件立即处置并按规定报告",
        legal_basis: "《中华人民共和国数据安全法》第二十九条、第三十条；GB/T 20984-2022《信息安全技术 信息安全风险评估方法》",
        max_points: 10.0,
        weight: 1.0,
    },
    DemoIndicator {
        code: "DS-08",
        name: "个人信息保护措施落实，委托他人建设维护政务系统或处理政务数据时监督受托方履行安全义务",
        legal_basis: "《中华人民共和国个人信息保护法》第五十一条；《中华人民共和国数据安全法》第三十八条、第四十条",
        max_points: 15.0,
        weight: 1.5,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_indicators_with_distinct_codes_and_a_legal_basis() {
        assert_eq!(INDICATORS.len(), 8);
        for (n, indicator) in INDICATORS.iter().enumerate() {
            assert_eq!(indicator.code, format!("DS-{:02}", n + 1));
            assert!(indicator.legal_basis.contains('《'), "{}", indicator.code);
            assert!(
                indicator.max_points > 0.0 && indicator.weight > 0.0,
                "{}",
                indicator.code
            );
        }
    }
}
