//! The audit keys: secrets kept outside the database, under which each row's
//! hash is an HMAC, so that someone who can write the database but does not
//! hold the key cannot re-hash the rows they edit.
//!
//! A key file holds one key per line, `ID HEX` (at least 32 bytes of secret),
//! with `#` comments. The last line is the key new rows are written with; the
//! earlier ones stay to verify the rows written with them. Rotating is adding
//! a line (`spotcheck audit new-key`) and restarting every instance.

use std::{fmt, io::Write as _, path::Path};

use anyhow::Context as _;
use hmac::{Hmac, KeyInit as _, Mac as _};

/// Shortest secret accepted, in bytes.
const MIN_SECRET_BYTES: usize = 32;

/// One audit key.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey {
    /// Its name in `audit_log.key_id`.
    pub id: String,
    secret: Vec<u8>,
}

/// Never shows the secret.
impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    /// HMAC-SHA-256 of the parts, one after another, hex.
    #[must_use]
    pub fn mac(&self, parts: &[&[u8]]) -> String {
        // HMAC takes a key of any length; the file's keys are checked anyway.
        let Ok(mut mac) = Hmac::<sha2_011::Sha256>::new_from_slice(&self.secret) else {
            return String::new();
        };
        for part in parts {
            mac.update(part);
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The keys of a key file, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyring {
    keys: Vec<AuditKey>,
}

impl Keyring {
    /// Reads a key file.
    ///
    /// # Errors
    /// When the file cannot be read or a line is not `ID HEX` with a valid id
    /// and a long enough secret, or it holds no key.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("Failed to read the audit key file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("Invalid audit key file {}", path.display()))
    }

    /// Parses the text of a key file.
    ///
    /// # Errors
    /// As for [`Self::load`].
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut keys: Vec<AuditKey> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, secret) = line
                .split_once(char::is_whitespace)
                .with_context(|| format!("line {}: expected `ID HEX`", n + 1))?;
            anyhow::ensure!(
                valid_id(id),
                "line {}: a key id is 1 to 32 letters, digits, '.', '_' or '-'",
                n + 1
            );
            let secret = hex::decode(secret.trim())
                .with_context(|| format!("line {}: the secret is not hex", n + 1))?;
            anyhow::ensure!(
                secret.len() >= MIN_SECRET_BYTES,
                "line {}: a secret needs at least {MIN_SECRET_BYTES} bytes",
                n + 1
            );
            anyhow::ensure!(
                keys.iter().all(|k| k.id != id),
                "line {}: key id {id} appears twice",
                n + 1
            );
            keys.push(AuditKey {
                id: id.to_owned(),
                secret,
            });
        }
        anyhow::ensure!(!keys.is_empty(), "no key in it");
        Ok(Self { keys })
    }

    /// The key new rows are written with: the last one.
    #[must_use]
    pub fn current(&self) -> Option<&AuditKey> {
        self.keys.last()
    }

    /// The key of an id, if the file holds it.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&AuditKey> {
        self.keys.iter().find(|k| k.id == id)
    }
}

fn valid_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Adds a new random key to a key file (creating it, readable by its owner
/// only); returns the new key's id. Rows written from the next start on use it.
///
/// # Errors
/// When the file exists but is not a valid key file, or cannot be written.
pub fn add_key(path: &Path) -> anyhow::Result<String> {
    let existing = if path.exists() {
        Some(Keyring::load(path)?)
    } else {
        None
    };
    let next = existing
        .as_ref()
        .map(|ring| {
            ring.keys
                .iter()
                .filter_map(|k| k.id.strip_prefix('k')?.parse::<u32>().ok())
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
        + 1;
    let id = format!("k{next}");
    let mut secret = [0u8; MIN_SECRET_BYTES];
    getrandom::fill(&mut secret)
        .map_err(|e| anyhow::anyhow!("Failed to read system randomness: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("Failed to write the audit key file {}", path.display()))?;
    let mut line = String::new();
    if existing.is_none() {
        line.push_str(
            "# spotcheck audit keys: ID HEX, one per line; the last signs new rows.\n\
             # Keep every line as long as rows signed with it are kept.\n",
        );
    }
    line.push_str(&format!("{id} {}\n", hex::encode(secret)));
    file.write_all(line.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("Failed to write the audit key file {}", path.display()))?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn the_last_key_signs_and_every_key_verifies() {
        let text = format!(
            "# comment\n\nk1 {SECRET}\nk2   {}\n",
            SECRET.replace('0', "f")
        );
        let ring = Keyring::parse(&text).map_err(|e| e.to_string());
        assert_eq!(
            ring.as_ref().map(|r| r.current().map(|k| k.id.clone())),
            Ok(Some("k2".to_owned()))
        );
        assert!(ring.is_ok_and(|r| r.get("k1").is_some() && r.get("k3").is_none()));
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        let cases = [
            ("", "no key"),
            ("k1\n", "line 1"),
            ("k1 abc\n", "line 1"),
            ("k1 zz\n", "line 1"),
            (&format!("k1 {SECRET}\nk1 {SECRET}\n") as &str, "twice"),
            (&format!("bad/id {SECRET}\n"), "key id"),
        ];
        for (text, expected) in cases {
            let error = Keyring::parse(text)
                .map(|_| ())
                .map_err(|e| format!("{e:#}"));
            assert!(
                error.as_ref().is_err_and(|e| e.contains(expected)),
                "{text:?}: {error:?}"
            );
        }
    }

    #[test]
    fn the_mac_is_hmac_sha256() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let key = AuditKey {
            id: "t".to_owned(),
            secret: b"Jefe".to_vec(),
        };
        assert_eq!(
            key.mac(&[b"what do ya ", b"want for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn new_keys_are_numbered_after_the_last() {
        let dir = std::env::temp_dir().join(format!("spotcheck-keys-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("audit.key");
        let _ = std::fs::remove_file(&path);
        let first = add_key(&path).map_err(|e| e.to_string());
        let second = add_key(&path).map_err(|e| e.to_string());
        assert_eq!(first, Ok("k1".to_owned()));
        assert_eq!(second, Ok("k2".to_owned()));
        let ring = Keyring::load(&path).map_err(|e| e.to_string());
        assert_eq!(
            ring.map(|r| r.current().map(|k| k.id.clone())),
            Ok(Some("k2".to_owned()))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
