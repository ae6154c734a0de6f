//! Reading snapshots: the canonical form and nothing else.

use entities::{CreditClass, Industry};

use super::{HEADER, SnapshotError};
use crate::domain::draw::{Conflict, Inspector, Population, Stratum, Target};

/// Reads a snapshot written by [`encode`].
///
/// # Errors
/// On anything but the canonical form, naming the first bad line.
pub fn decode(bytes: &[u8]) -> Result<Population, SnapshotError> {
    let text = std::str::from_utf8(bytes).map_err(|e| SnapshotError::Malformed {
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        reason: "not UTF-8".to_owned(),
    })?;
    let Some(body) = text.strip_suffix('\n') else {
        return Err(malformed(1, "a snapshot ends with a line break"));
    };
    let mut lines = body.split('\n');
    if lines.next() != Some(HEADER) {
        return Err(malformed(1, format!("the first line must be {HEADER}")));
    }
    let mut population = Population::default();
    for (n, line) in lines.enumerate() {
        decode_line(&mut population, line).map_err(|reason| malformed(n + 2, reason))?;
    }
    Ok(population)
}

fn malformed(line: usize, reason: impl Into<String>) -> SnapshotError {
    SnapshotError::Malformed {
        line,
        reason: reason.into(),
    }
}

fn decode_line(population: &mut Population, line: &str) -> Result<(), String> {
    let mut fields = line.split('\t');
    let kind = fields.next().unwrap_or_default();
    // At most eight fields follow the kind; a ninth makes the line too long.
    let mut buffer = [""; 9];
    let mut count = 0;
    for (slot, field) in buffer.iter_mut().zip(&mut fields) {
        *slot = field;
        count += 1;
    }
    let fields = match fields.next() {
        None => buffer.get(..count).unwrap_or_default(),
        Some(_) => &[],
    };
    match (kind, fields) {
        ("target", &[id, region, stratum, class, key, industry, own, previous]) => {
            if !population.inspectors.is_empty() || !population.conflicts.is_empty() {
                return Err("targets come before inspectors and conflicts".to_owned());
            }
            let target = Target {
                id: int(id)?,
                region_code: text(region)?.to_owned(),
                stratum: Stratum::from_name(stratum)
                    .ok_or_else(|| format!("'{stratum}' is not a stratum"))?
                    .as_str()
                    .to_owned(),
                credit_class: CreditClass::from_name(class)
                    .ok_or_else(|| format!("'{class}' is not a credit class"))?,
                key: match key {
                    "1" => true,
                    "0" => false,
                    _ => return Err(format!("key must be 1 or 0, not '{key}'")),
                },
                industry: optional(industry, industry_named)?,
                own_department_id: optional(own, int)?,
                previous_inspectors: ascending(previous, int)?,
            };
            if population.targets.last().is_some_and(|t| t.id >= target.id) {
                return Err("targets must be in ascending id order".to_owned());
            }
            population.targets.push(target);
        }
        ("inspector", &[id, department, region, industries]) => {
            if !population.conflicts.is_empty() {
                return Err("inspectors come before conflicts".to_owned());
            }
            let inspector = Inspector {
                id: int(id)?,
                department_id: int(department)?,
                region_code: text(region)?.to_owned(),
                industries: ascending_names(industries)?,
            };
            if population
                .inspectors
                .last()
                .is_some_and(|i| i.id >= inspector.id)
            {
                return Err("inspectors must be in ascending id order".to_owned());
            }
            population.inspectors.push(inspector);
        }
        ("conflict", &[inspector, target]) => {
            let conflict = Conflict {
                inspector_id: int(inspector)?,
                target_id: int(target)?,
            };
            if population.conflicts.last().is_some_and(|c| *c >= conflict) {
                return Err("conflicts must be in ascending (inspector, target) order".to_owned());
            }
            population.conflicts.push(conflict);
        }
        ("target" | "inspector" | "conflict", _) => {
            return Err(format!("wrong number of fields for a {kind}"));
        }
        _ => return Err("a line starts with target, inspector or conflict".to_owned()),
    }
    Ok(())
}

/// A canonical decimal integer.
fn int(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = match digits.as_bytes() {
        [b'0'] => digits.len() == text.len(),
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    match text.parse::<i64>() {
        Ok(value) if canonical => Ok(value),
        _ => Err(format!("'{text}' is not an integer in plain decimal")),
    }
}

/// A text field: anything but TAB and line breaks (the splitting took care of those
/// two others).
fn text(value: &str) -> Result<&str, String> {
    if value.contains('\r') {
        Err("a text field holds a carriage return".to_owned())
    } else {
        Ok(value)
    }
}

fn industry_named(name: &str) -> Result<Industry, String> {
    Industry::from_name(name).ok_or_else(|| format!("'{name}' is not an industry"))
}

fn optional<T>(text: &str, parse: fn(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if text == "-" {
        Ok(None)
    } else {
        parse(text).map(Some)
    }
}

/// A comma-separated list of integers, strictly ascending; `-` when empty.
fn ascending(text: &str, parse: fn(&str) -> Result<i64, String>) -> Result<Vec<i64>, String> {
    if text == "-" {
        return Ok(Vec::new());
    }
    let items = text.split(',').map(parse).collect::<Result<Vec<_>, _>>()?;
    if items.windows(2).any(|w| w[0] >= w[1]) {
        return Err("a list must be strictly ascending".to_owned());
    }
    Ok(items)
}

/// Industry names, comma-separated in byte order; `-` when none.
fn ascending_names(text: &str) -> Result<Vec<Industry>, String> {
    if text == "-" {
        return Ok(Vec::new());
    }
    let names: Vec<&str> = text.split(',').collect();
    if names.windows(2).any(|w| w[0] >= w[1]) {
        return Err("industries must be in ascending byte order".to_owned());
    }
    names.into_iter().map(industry_named).collect()
}
