//! The population snapshot: a canonical byte form of a [`Population`], stored
//! (compressed) with each draw and hashed into `population_sha256`.
//!
//! UTF-8 text, one record per line, each line ending in LF, fields separated by TAB:
//!
//! ```text
//! spotcheck-population/1
//! target     ID REGION STRATUM CLASS KEY INDUSTRY OWN_DEPARTMENT PREVIOUS
//! inspector  ID DEPARTMENT REGION INDUSTRIES
//! conflict   INSPECTOR TARGET
//! ```
//!
//! Targets come first in id order, then inspectors in id order, then conflicts in
//! (inspector, target) order. `KEY` is `1` or `0`; `INDUSTRY` and `OWN_DEPARTMENT` are
//! `-` when absent; `PREVIOUS` (inspector ids, ascending) and `INDUSTRIES` (names in
//! byte order) are comma-separated, `-` when empty. Integers are written in plain
//! decimal (a leading `-` only for negatives, no leading zeros). Text fields hold no
//! TAB, LF or CR. Decoding accepts exactly this form and nothing else, so equal
//! populations have equal bytes and equal hashes.

use std::fmt::Write as _;
use std::io::{Read, Write as _};

use entities::{CreditClass, Industry};
use sha2::{Digest, Sha256};

use super::{Conflict, Inspector, Population, Target};

/// The first line of every snapshot.
pub const HEADER: &str = "spotcheck-population/1";
/// A sensible bound for [`decompress`]: 1 GiB, some twenty million targets.
pub const MAX_LEN: usize = 1 << 30;

/// Why a snapshot cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// A text field holds a TAB, LF or CR, or a stratum is empty.
    #[error("{0} cannot be written in a snapshot")]
    Unwritable(String),
    /// Targets or inspectors out of id order.
    #[error("targets and inspectors must be sorted by id with no id twice")]
    NotSorted,
    /// A line that is not in the canonical form.
    #[error("snapshot line {line}: {reason}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Decompressed data beyond the limit.
    #[error("the snapshot is larger than {0} bytes")]
    TooLarge(usize),
    /// Not a zlib stream, or a damaged one.
    #[error("the snapshot is not valid zlib data: {0}")]
    Corrupt(String),
}

/// The canonical bytes of a population.
///
/// # Errors
/// When targets or inspectors are not sorted by id, a text field holds a TAB, LF or
/// CR, or a stratum is empty.
pub fn encode(population: &Population) -> Result<Vec<u8>, SnapshotError> {
    let sorted = population.targets.windows(2).all(|w| w[0].id < w[1].id)
        && population.inspectors.windows(2).all(|w| w[0].id < w[1].id);
    if !sorted {
        return Err(SnapshotError::NotSorted);
    }
    let mut out = String::with_capacity(64 * (population.targets.len() + 1));
    out.push_str(HEADER);
    out.push('\n');
    for t in &population.targets {
        write_target(&mut out, t)?;
    }
    for i in &population.inspectors {
        text_field(&format!("inspector {}'s region code", i.id), &i.region_code)?;
        let mut industries: Vec<&str> = i.industries.iter().map(|x| x.as_str()).collect();
        industries.sort_unstable();
        industries.dedup();
        let _ = writeln!(
            out,
            "inspector\t{}\t{}\t{}\t{}",
            i.id,
            i.department_id,
            i.region_code,
            list(&industries)
        );
    }
    let mut conflicts = population.conflicts.clone();
    conflicts.sort_unstable();
    conflicts.dedup();
    for c in conflicts {
        let _ = writeln!(out, "conflict\t{}\t{}", c.inspector_id, c.target_id);
    }
    Ok(out.into_bytes())
}

fn write_target(out: &mut String, t: &Target) -> Result<(), SnapshotError> {
    text_field(&format!("target {}'s region code", t.id), &t.region_code)?;
    text_field(&format!("target {}'s stratum", t.id), &t.stratum)?;
    if t.stratum.is_empty() {
        return Err(SnapshotError::Unwritable(format!(
            "target {}'s empty stratum",
            t.id
        )));
    }
    let mut previous = t.previous_inspectors.clone();
    previous.sort_unstable();
    previous.dedup();
    let previous: Vec<String> = previous.iter().map(i64::to_string).collect();
    let _ = writeln!(
        out,
        "target\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        t.id,
        t.region_code,
        t.stratum,
        t.credit_class.as_str(),
        u8::from(t.key),
        t.industry.map_or("-", Industry::as_str),
        t.own_department_id
            .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        list(&previous)
    );
    Ok(())
}

fn text_field(what: &str, value: &str) -> Result<(), SnapshotError> {
    if value.contains(['\t', '\n', '\r']) {
        return Err(SnapshotError::Unwritable(what.to_owned()));
    }
    Ok(())
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return "-".to_owned();
    }
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    items.join(",")
}

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
    let fields: Vec<&str> = fields.collect();
    match (kind, fields.as_slice()) {
        ("target", &[id, region, stratum, class, key, industry, own, previous]) => {
            if !population.inspectors.is_empty() || !population.conflicts.is_empty() {
                return Err("targets come before inspectors and conflicts".to_owned());
            }
            let target = Target {
                id: int(id)?,
                region_code: text(region)?.to_owned(),
                stratum: text(non_empty(stratum)?)?.to_owned(),
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

fn non_empty(text: &str) -> Result<&str, String> {
    if text.is_empty() {
        Err("an empty field".to_owned())
    } else {
        Ok(text)
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

/// Lower-case hex SHA-256, as stored in `population_sha256`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// zlib (RFC 1950) compression of a snapshot, for storage.
///
/// # Errors
/// Never in practice: writing into memory does not fail.
pub fn compress(bytes: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| SnapshotError::Corrupt(e.to_string()))
}

/// Decompresses a stored snapshot, reading at most `max_len` bytes of output, so
/// that a small hostile input cannot expand without bound.
///
/// # Errors
/// When the data is not a zlib stream or expands beyond `max_len`.
pub fn decompress(bytes: &[u8], max_len: usize) -> Result<Vec<u8>, SnapshotError> {
    let limit = u64::try_from(max_len).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out)
        .map_err(|e| SnapshotError::Corrupt(e.to_string()))?;
    if out.len() > max_len {
        return Err(SnapshotError::TooLarge(max_len));
    }
    Ok(out)
}
