//! The demo departments: the ministry, an emergency-management department for
//! every province, city and county of the demo regions, and each province's
//! fire-rescue corps.

use entities::DepartmentKind;

use super::regions::{DemoRegion, REGIONS};

/// Code of the Ministry of Emergency Management (应急管理部).
pub const MINISTRY_CODE: &str = "MEM";

/// The placeholder city level of a municipality, which has no department of its own.
const MUNICIPAL_DISTRICTS: &str = "市辖区";

/// One department of the demo data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoDepartment {
    /// Natural key, such as `EM-130100`.
    pub code: String,
    /// Official name, such as `石家庄市应急管理局`.
    pub name: String,
    /// Emergency management or fire rescue.
    pub kind: DepartmentKind,
    /// Its region; `None` for the ministry.
    pub region_code: Option<&'static str>,
    /// Code of the department above it; `None` for the ministry.
    pub parent_code: Option<String>,
    /// 0 for the ministry, 1 province, 2 city, 3 county: parents come at a lower depth.
    pub depth: u8,
}

/// Code of the emergency-management department of a region.
#[must_use]
pub fn em_code(region_code: &str) -> String {
    format!("EM-{region_code}")
}

/// Code of the fire-rescue corps of a province.
#[must_use]
pub fn fr_code(region_code: &str) -> String {
    format!("FR-{region_code}")
}

fn region(code: &str) -> Option<&'static DemoRegion> {
    REGIONS.iter().find(|r| r.code == code)
}

/// Whether a region has an emergency-management department of its own: all do,
/// except the 市辖区 placeholder of a municipality such as 北京.
#[must_use]
pub fn has_department(region_code: &str) -> bool {
    region(region_code).is_some_and(|r| r.name != MUNICIPAL_DISTRICTS)
}

/// The region whose department supervises this region's department: the parent,
/// skipping a municipality's 市辖区.
fn supervising_region(r: &DemoRegion) -> Option<&'static DemoRegion> {
    let parent = region(r.parent?)?;
    if parent.name == MUNICIPAL_DISTRICTS {
        region(parent.parent?)
    } else {
        Some(parent)
    }
}

/// The name of a region's emergency-management department. Provinces have a
/// 厅, municipalities, cities and counties a 局; a county's department carries
/// its city's name too, as two counties may share a name (新华区).
fn em_name(r: &DemoRegion) -> String {
    let Some(parent) = r.parent.and_then(region) else {
        return if r.name.ends_with('省') {
            format!("{}应急管理厅", r.name)
        } else {
            format!("{}应急管理局", r.name)
        };
    };
    if parent.parent.is_none() {
        return format!("{}应急管理局", r.name);
    }
    let city = if parent.name == MUNICIPAL_DISTRICTS {
        parent.parent.and_then(region).map_or("", |p| p.name)
    } else {
        parent.name
    };
    format!("{city}{}应急管理局", r.name)
}

/// Every demo department, parents before children.
#[must_use]
pub fn departments() -> Vec<DemoDepartment> {
    let mut out = vec![DemoDepartment {
        code: MINISTRY_CODE.to_owned(),
        name: "应急管理部".to_owned(),
        kind: DepartmentKind::EmergencyManagement,
        region_code: None,
        parent_code: None,
        depth: 0,
    }];
    for r in REGIONS.iter().filter(|r| has_department(r.code)) {
        let depth = match r.code {
            c if c.ends_with("0000") => 1,
            c if c.ends_with("00") => 2,
            _ => 3,
        };
        let parent_code =
            supervising_region(r).map_or_else(|| MINISTRY_CODE.to_owned(), |p| em_code(p.code));
        out.push(DemoDepartment {
            code: em_code(r.code),
            name: em_name(r),
            kind: DepartmentKind::EmergencyManagement,
            region_code: Some(r.code),
            parent_code: Some(parent_code),
            depth,
        });
        if depth == 1 {
            out.push(DemoDepartment {
                code: fr_code(r.code),
                name: format!("{}消防救援总队", r.name),
                kind: DepartmentKind::FireRescue,
                region_code: Some(r.code),
                parent_code: Some(MINISTRY_CODE.to_owned()),
                depth,
            });
        }
    }
    out.sort_by_key(|d| d.depth);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn by_code() -> HashMap<String, DemoDepartment> {
        departments()
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect()
    }

    #[test]
    fn names_follow_the_official_pattern() {
        let all = by_code();
        let cases = [
            ("MEM", "应急管理部", None),
            ("EM-130000", "河北省应急管理厅", Some("MEM")),
            ("EM-110000", "北京市应急管理局", Some("MEM")),
            ("FR-440000", "广东省消防救援总队", Some("MEM")),
            ("EM-130100", "石家庄市应急管理局", Some("EM-130000")),
            ("EM-130102", "石家庄市长安区应急管理局", Some("EM-130100")),
            ("EM-130902", "沧州市新华区应急管理局", Some("EM-130900")),
            ("EM-110101", "北京市东城区应急管理局", Some("EM-110000")),
            ("EM-441900", "东莞市应急管理局", Some("EM-440000")),
        ];
        for (code, name, parent) in cases {
            let d = all.get(code);
            assert_eq!(d.map(|d| d.name.as_str()), Some(name), "{code}");
            assert_eq!(d.and_then(|d| d.parent_code.as_deref()), parent, "{code}");
        }
        assert!(
            !all.contains_key("EM-110100"),
            "北京's 市辖区 has no department"
        );
    }

    #[test]
    fn parents_come_first_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for d in departments() {
            if let Some(parent) = &d.parent_code {
                assert!(
                    seen.contains(parent),
                    "{} before its parent {parent}",
                    d.code
                );
            }
            assert!(names.insert(d.name.clone()), "duplicate name {}", d.name);
            seen.insert(d.code);
        }
    }
}
