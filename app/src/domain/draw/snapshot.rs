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
//! decimal (a leading `-` only for negatives, no leading zeros). Region codes hold no
//! TAB, LF or CR. Decoding accepts exactly this form and nothing else, so equal
//! populations have equal bytes and equal hashes.

use std::fmt::Write as _;
use std::io::{Read, Write as _};

use entities::Industry;
use sha2::{Digest, Sha256};

use super::{Inspector, Population, Stratum, Target};

mod decode;

pub use decode::decode;

/// The first line of every snapshot.
pub const HEADER: &str = "spotcheck-population/1";
/// A sensible bound for [`decompress`]: 1 GiB, some twenty million targets.
pub const MAX_LEN: usize = 1 << 30;

/// Why a snapshot cannot be written or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// A region code holds a TAB, LF or CR, or a stratum is not one of the seven.
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
/// When targets or inspectors are not sorted by id, a region code holds a TAB, LF or
/// CR, or a stratum is not one of the seven names.
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
        write_inspector(&mut out, i)?;
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
    check_text(&t.region_code, || format!("target {}'s region code", t.id))?;
    if Stratum::from_name(&t.stratum).is_none() {
        return Err(SnapshotError::Unwritable(format!(
            "target {}'s stratum",
            t.id
        )));
    }
    let _ = write!(
        out,
        "target\t{}\t{}\t{}\t{}\t{}\t{}\t",
        t.id,
        t.region_code,
        t.stratum,
        t.credit_class.as_str(),
        u8::from(t.key),
        t.industry.map_or("-", Industry::as_str),
    );
    match t.own_department_id {
        Some(d) => _ = write!(out, "{d}\t"),
        None => out.push_str("-\t"),
    }
    if t.previous_inspectors.is_empty() {
        out.push('-');
    } else {
        let mut previous = t.previous_inspectors.clone();
        previous.sort_unstable();
        previous.dedup();
        for (k, id) in previous.iter().enumerate() {
            let comma = if k == 0 { "" } else { "," };
            let _ = write!(out, "{comma}{id}");
        }
    }
    out.push('\n');
    Ok(())
}

fn write_inspector(out: &mut String, i: &Inspector) -> Result<(), SnapshotError> {
    check_text(&i.region_code, || {
        format!("inspector {}'s region code", i.id)
    })?;
    let mut industries: Vec<&str> = i.industries.iter().map(|x| x.as_str()).collect();
    industries.sort_unstable();
    industries.dedup();
    let industries = if industries.is_empty() {
        "-".to_owned()
    } else {
        industries.join(",")
    };
    let _ = writeln!(
        out,
        "inspector\t{}\t{}\t{}\t{industries}",
        i.id, i.department_id, i.region_code
    );
    Ok(())
}

fn check_text(value: &str, what: impl FnOnce() -> String) -> Result<(), SnapshotError> {
    if value.contains(['\t', '\n', '\r']) {
        return Err(SnapshotError::Unwritable(what()));
    }
    Ok(())
}

/// Lower-case hex SHA-256, as stored in `population_sha256`.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// zlib (RFC 1950) compression of a snapshot, for storage, at the fastest level: a
/// million targets compress about five to one in a fraction of the time of the
/// default level.
///
/// # Errors
/// Never in practice: writing into memory does not fail.
pub fn compress(bytes: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
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
