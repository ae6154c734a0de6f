//! Real GB/T 2260 divisions of three provinces used by the demo data set.
//!
//! Codes and names follow the current Ministry of Civil Affairs list; only a subset
//! of each province's cities and county-level divisions is included.

/// One administrative division (province, city or county level) of the demo data set.
#[derive(Debug, Clone, Copy)]
pub struct DemoRegion {
    /// Six-digit GB/T 2260 code, e.g. `110101`.
    pub code: &'static str,
    /// Official Chinese name, e.g. `东城区`.
    pub name: &'static str,
    /// Code of the enclosing division; `None` for a province.
    pub parent: Option<&'static str>,
}

/// All demo regions, parents before children: each province, then each of its cities
/// followed by that city's county-level divisions.
#[rustfmt::skip]
pub const REGIONS: &[DemoRegion] = &[
    // 北京市
    DemoRegion { code: "110000", name: "北京市", parent: None },
    DemoRegion { code: "110100", name: "市辖区", parent: Some("110000") },
    DemoRegion { code: "110101", name: "东城区", parent: Some("110100") },
    DemoRegion { code: "110102", name: "西城区", parent: Some("110100") },
    DemoRegion { code: "110105", name: "朝阳区", parent: Some("110100") },
    DemoRegion { code: "110106", name: "丰台区", parent: Some("110100") },
    DemoRegion { code: "110107", name: "石景山区", parent: Some("110100") },
    DemoRegion { code: "110108", name: "海淀区", parent: Some("110100") },
    DemoRegion { code: "110109", name: "门头沟区", parent: Some("110100") },
    DemoRegion { code: "110111", name: "房山区", parent: Some("110100") },
    DemoRegion { code: "110112", name: "通州区", parent: Some("110100") },
    DemoRegion { code: "110113", name: "顺义区", parent: Some("110100") },
    DemoRegion { code: "110114", name: "昌平区", parent: Some("110100") },
    DemoRegion { code: "110115", name: "大兴区", parent: Some("110100") },
    DemoRegion { code: "110116", name: "怀柔区", parent: Some("110100") },
    DemoRegion { code: "110117", name: "平谷区", parent: Some("110100") },
    DemoRegion { code: "110118", name: "密云区", parent: Some("110100") },
    DemoRegion { code: "110119", name: "延庆区", parent: Some("110100") },
    // 河北省
    DemoRegion { code: "130000", name: "河北省", parent: None },
    DemoRegion { code: "130100", name: "石家庄市", parent: Some("130000") },
    DemoRegion { code: "130102", name: "长安区", parent: Some("130100") },
    DemoRegion { code: "130104", name: "桥西区", parent: Some("130100") },
    DemoRegion { code: "130105", name: "新华区", parent: Some("130100") },
    DemoRegion { code: "130108", name: "裕华区", parent: Some("130100") },
    DemoRegion { code: "130109", name: "藁城区", parent: Some("130100") },
    DemoRegion { code: "130110", name: "鹿泉区", parent: Some("130100") },
    DemoRegion { code: "130111", name: "栾城区", parent: Some("130100") },
    DemoRegion { code: "130123", name: "正定县", parent: Some("130100") },
    DemoRegion { code: "130181", name: "辛集市", parent: Some("130100") },
    DemoRegion { code: "130183", name: "晋州市", parent: Some("130100") },
    DemoRegion { code: "130200", name: "唐山市", parent: Some("130000") },
    DemoRegion { code: "130202", name: "路南区", parent: Some("130200") },
    DemoRegion { code: "130203", name: "路北区", parent: Some("130200") },
    DemoRegion { code: "130204", name: "古冶区", parent: Some("130200") },
    DemoRegion { code: "130205", name: "开平区", parent: Some("130200") },
    DemoRegion { code: "130207", name: "丰南区", parent: Some("130200") },
    DemoRegion { code: "130208", name: "丰润区", parent: Some("130200") },
    DemoRegion { code: "130209", name: "曹妃甸区", parent: Some("130200") },
    DemoRegion { code: "130281", name: "遵化市", parent: Some("130200") },
    DemoRegion { code: "130283", name: "迁安市", parent: Some("130200") },
    DemoRegion { code: "130600", name: "保定市", parent: Some("130000") },
    DemoRegion { code: "130602", name: "竞秀区", parent: Some("130600") },
    DemoRegion { code: "130606", name: "莲池区", parent: Some("130600") },
    DemoRegion { code: "130607", name: "满城区", parent: Some("130600") },
    DemoRegion { code: "130608", name: "清苑区", parent: Some("130600") },
    DemoRegion { code: "130609", name: "徐水区", parent: Some("130600") },
    DemoRegion { code: "130681", name: "涿州市", parent: Some("130600") },
    DemoRegion { code: "130683", name: "安国市", parent: Some("130600") },
    DemoRegion { code: "130684", name: "高碑店市", parent: Some("130600") },
    DemoRegion { code: "130900", name: "沧州市", parent: Some("130000") },
    DemoRegion { code: "130902", name: "新华区", parent: Some("130900") },
    DemoRegion { code: "130903", name: "运河区", parent: Some("130900") },
    DemoRegion { code: "130921", name: "沧县", parent: Some("130900") },
    DemoRegion { code: "130922", name: "青县", parent: Some("130900") },
    DemoRegion { code: "130981", name: "泊头市", parent: Some("130900") },
    DemoRegion { code: "130982", name: "任丘市", parent: Some("130900") },
    DemoRegion { code: "130983", name: "黄骅市", parent: Some("130900") },
    DemoRegion { code: "130984", name: "河间市", parent: Some("130900") },
    // 广东省
    DemoRegion { code: "440000", name: "广东省", parent: None },
    DemoRegion { code: "440100", name: "广州市", parent: Some("440000") },
    DemoRegion { code: "440103", name: "荔湾区", parent: Some("440100") },
    DemoRegion { code: "440104", name: "越秀区", parent: Some("440100") },
    DemoRegion { code: "440105", name: "海珠区", parent: Some("440100") },
    DemoRegion { code: "440106", name: "天河区", parent: Some("440100") },
    DemoRegion { code: "440111", name: "白云区", parent: Some("440100") },
    DemoRegion { code: "440112", name: "黄埔区", parent: Some("440100") },
    DemoRegion { code: "440113", name: "番禺区", parent: Some("440100") },
    DemoRegion { code: "440114", name: "花都区", parent: Some("440100") },
    DemoRegion { code: "440115", name: "南沙区", parent: Some("440100") },
    DemoRegion { code: "440117", name: "从化区", parent: Some("440100") },
    DemoRegion { code: "440118", name: "增城区", parent: Some("440100") },
    DemoRegion { code: "440300", name: "深圳市", parent: Some("440000") },
    DemoRegion { code: "440303", name: "罗湖区", parent: Some("440300") },
    DemoRegion { code: "440304", name: "福田区", parent: Some("440300") },
    DemoRegion { code: "440305", name: "南山区", parent: Some("440300") },
    DemoRegion { code: "440306", name: "宝安区", parent: Some("440300") },
    DemoRegion { code: "440307", name: "龙岗区", parent: Some("440300") },
    DemoRegion { code: "440308", name: "盐田区", parent: Some("440300") },
    DemoRegion { code: "440309", name: "龙华区", parent: Some("440300") },
    DemoRegion { code: "440310", name: "坪山区", parent: Some("440300") },
    DemoRegion { code: "440311", name: "光明区", parent: Some("440300") },
    DemoRegion { code: "440600", name: "佛山市", parent: Some("440000") },
    DemoRegion { code: "440604", name: "禅城区", parent: Some("440600") },
    DemoRegion { code: "440605", name: "南海区", parent: Some("440600") },
    DemoRegion { code: "440606", name: "顺德区", parent: Some("440600") },
    DemoRegion { code: "440607", name: "三水区", parent: Some("440600") },
    DemoRegion { code: "440608", name: "高明区", parent: Some("440600") },
    DemoRegion { code: "440700", name: "江门市", parent: Some("440000") },
    DemoRegion { code: "440703", name: "蓬江区", parent: Some("440700") },
    DemoRegion { code: "440704", name: "江海区", parent: Some("440700") },
    DemoRegion { code: "440705", name: "新会区", parent: Some("440700") },
    DemoRegion { code: "440781", name: "台山市", parent: Some("440700") },
    DemoRegion { code: "440783", name: "开平市", parent: Some("440700") },
    DemoRegion { code: "440784", name: "鹤山市", parent: Some("440700") },
    DemoRegion { code: "440785", name: "恩平市", parent: Some("440700") },
    DemoRegion { code: "441900", name: "东莞市", parent: Some("440000") },
];

#[cfg(test)]
mod tests {
    use super::{DemoRegion, REGIONS};
    use std::collections::HashSet;

    fn is_province(code: &str) -> bool {
        code.ends_with("0000")
    }

    fn is_city(code: &str) -> bool {
        code.ends_with("00") && !code.ends_with("0000")
    }

    fn is_county(code: &str) -> bool {
        !code.ends_with("00")
    }

    fn find(code: &str) -> Option<&'static DemoRegion> {
        REGIONS.iter().find(|r| r.code == code)
    }

    #[test]
    fn codes_are_six_ascii_digits() {
        for r in REGIONS {
            assert_eq!(r.code.len(), 6, "bad length: {}", r.code);
            assert!(
                r.code.bytes().all(|b| b.is_ascii_digit()),
                "not digits: {}",
                r.code
            );
            if let Some(p) = r.parent {
                assert_eq!(p.len(), 6, "bad parent length: {p}");
                assert!(
                    p.bytes().all(|b| b.is_ascii_digit()),
                    "parent not digits: {p}"
                );
            }
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = HashSet::new();
        for r in REGIONS {
            assert!(seen.insert(r.code), "duplicate code: {}", r.code);
        }
    }

    #[test]
    fn names_are_not_empty() {
        for r in REGIONS {
            assert!(!r.name.trim().is_empty(), "empty name for {}", r.code);
        }
    }

    #[test]
    fn parents_appear_before_children() {
        let mut seen = HashSet::new();
        for r in REGIONS {
            if let Some(p) = r.parent {
                assert!(
                    seen.contains(p),
                    "parent {p} of {} not listed earlier",
                    r.code
                );
            }
            seen.insert(r.code);
        }
    }

    #[test]
    fn levels_match_parents() {
        for r in REGIONS {
            if is_province(r.code) {
                assert!(r.parent.is_none(), "province {} has a parent", r.code);
            } else if is_city(r.code) {
                let p = r.parent.expect("city without parent");
                assert!(
                    is_province(p),
                    "city {} has non-province parent {p}",
                    r.code
                );
                assert_eq!(&r.code[..2], &p[..2], "city {} not under {p}", r.code);
            } else {
                assert!(is_county(r.code));
                let p = r.parent.expect("county without parent");
                assert!(is_city(p), "county {} has non-city parent {p}", r.code);
                assert_eq!(&r.code[..4], &p[..4], "county {} not under {p}", r.code);
            }
            if let Some(p) = r.parent {
                assert!(find(p).is_some(), "parent {p} of {} missing", r.code);
            }
        }
    }

    #[test]
    fn exactly_three_provinces() {
        let provinces: Vec<_> = REGIONS.iter().filter(|r| is_province(r.code)).collect();
        assert_eq!(provinces.len(), 3);
        let codes: Vec<_> = provinces.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["110000", "130000", "440000"]);
    }
}
