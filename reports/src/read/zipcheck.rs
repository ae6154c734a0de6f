//! Checks an `.xlsx` container from its central directory before anything is
//! unpacked: entry count, sizes, compression ratio, and the one count that a
//! reader would trust to reserve memory (the shared-strings `uniqueCount`).

use std::io::{Read, Seek};

use super::{ReadError, ReadLimits};

/// Entries smaller than this may have any ratio: tiny XML parts compress well.
const RATIO_FLOOR: u64 = 1024 * 1024;
/// How much of the shared-strings part is unpacked to find its counts.
const SST_PREFIX: u64 = 64 * 1024;

/// Refuses a container that breaks a limit.
pub(super) fn check<R: Read + Seek>(source: &mut R, limits: &ReadLimits) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(&mut *source).map_err(zip_error)?;
    if archive.len() > limits.max_entries {
        return Err(ReadError::TooLarge(format!(
            "the archive has {} entries, more than the limit of {}",
            archive.len(),
            limits.max_entries
        )));
    }
    let mut total = 0u64;
    let mut shared_strings = None;
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(zip_error)?;
        if entry.encrypted() {
            return Err(ReadError::Encrypted);
        }
        let name = entry.name().map_err(zip_error)?.to_ascii_lowercase();
        let size = entry.size();
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_bytes {
            return Err(ReadError::TooLarge(format!(
                "it would unpack to more than {} bytes",
                limits.max_uncompressed_bytes
            )));
        }
        if size > RATIO_FLOOR && size / entry.compressed_size().max(1) > limits.max_ratio {
            return Err(ReadError::TooLarge(format!(
                "part {name} expands {} times, more than the limit of {} (a zip bomb?)",
                size / entry.compressed_size().max(1),
                limits.max_ratio
            )));
        }
        let streamed = name.starts_with("xl/worksheets/") && !name.contains("/_rels/");
        if !streamed && size > limits.max_part_bytes {
            return Err(ReadError::TooLarge(format!(
                "part {name} unpacks to {size} bytes, more than the limit of {}",
                limits.max_part_bytes
            )));
        }
        if name.ends_with("sharedstrings.xml") {
            shared_strings = Some(index);
        }
    }
    if let Some(index) = shared_strings {
        check_shared_strings(&mut archive, index, limits)?;
    }
    Ok(())
}

/// calamine reserves room for `uniqueCount` strings up front; a forged count
/// would ask for terabytes.
fn check_shared_strings<R: Read + Seek>(
    archive: &mut zip::ZipArchive<R>,
    index: usize,
    limits: &ReadLimits,
) -> Result<(), ReadError> {
    let entry = archive.by_index(index).map_err(zip_error)?;
    let mut prefix = Vec::new();
    entry
        .take(SST_PREFIX)
        .read_to_end(&mut prefix)
        .map_err(|e| ReadError::Corrupt(format!("the shared strings cannot be unpacked: {e}")))?;
    let text = String::from_utf8_lossy(&prefix);
    let Some(start) = text.find("<sst") else {
        return Ok(());
    };
    let element = text[start..].split('>').next().unwrap_or_default();
    for attribute in ["uniqueCount=", " count="] {
        let Some(at) = element.find(attribute) else {
            continue;
        };
        let digits: String = element[at + attribute.len()..]
            .chars()
            .skip_while(|c| *c == '"' || *c == '\'')
            .take_while(char::is_ascii_digit)
            .collect();
        let count = digits.parse::<u64>().unwrap_or(u64::MAX);
        if count > limits.max_cells {
            return Err(ReadError::TooLarge(format!(
                "the shared strings claim {digits} entries, more than the limit of {} cells",
                limits.max_cells
            )));
        }
    }
    Ok(())
}

fn zip_error(e: zip::result::ZipError) -> ReadError {
    ReadError::Corrupt(format!("the zip container is broken or truncated ({e})"))
}
