//! Settings: where the database is, where to listen, and the policy numbers.
//!
//! Policy numbers come from an optional TOML file (`--config`); every number has
//! a default, documented in docs/operations.md, so an empty file is a valid one.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// The default database: an SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://spotcheck.db?mode=rwc";
/// The default listen address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// Policy numbers, read from the TOML file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Logins, sessions and passwords.
    pub security: SecurityPolicy,
    /// Score weights and thresholds.
    pub scoring: ScoringPolicy,
    /// Incident-reporting deadlines.
    pub reporting: ReportingPolicy,
    /// Size limits on requests and uploads.
    pub limits: Limits,
    /// How `serve` runs the scheduled jobs.
    pub jobs: JobsPolicy,
    /// Where the audit chain's key and checkpoints live, outside the database.
    pub audit: AuditPolicy,
}

/// The audit chain's protection outside the database (等级保护 8.1.4.3 c).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditPolicy {
    /// The key file: each row's hash becomes an HMAC under its last key. Without
    /// one, rows are hashed with plain SHA-256, which whoever writes the
    /// database can recompute.
    pub key_file: Option<PathBuf>,
    /// An append-only file each checkpoint of the chain's head is added to.
    pub checkpoint_file: Option<PathBuf>,
    /// An `http://` URL each checkpoint is also POSTed to as JSON.
    pub checkpoint_url: Option<String>,
}

/// How `serve` runs the scheduled jobs.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsPolicy {
    /// How often each instance re-reads the plans, in seconds: a plan created,
    /// edited, paused or resumed through another instance is followed within it.
    pub plan_sync_secs: u64,
    /// How long an instance's claim on a fire holds without renewal, in seconds;
    /// the fire of an instance that died is taken over this long after.
    pub lease_secs: u64,
    /// How long shutdown waits for fires in progress before recording them as
    /// interrupted, in seconds.
    pub shutdown_grace_secs: u64,
    /// When overdue tasks are marked (cron in China time, seconds first).
    pub overdue_cron: String,
    /// When the current year's, quarter's and month's scores are recomputed and
    /// overdue publications raised.
    pub scores_cron: String,
    /// When the audit chain's head is checkpointed.
    pub checkpoint_cron: String,
}

impl Default for JobsPolicy {
    fn default() -> Self {
        Self {
            plan_sync_secs: 30,
            lease_secs: 60,
            shutdown_grace_secs: 30,
            overdue_cron: "0 */5 * * * *".to_owned(),
            scores_cron: "0 0 2 * * *".to_owned(),
            checkpoint_cron: "0 30 0 * * *".to_owned(),
        }
    }
}

/// Logins, sessions and passwords (graded protection, 等级保护).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityPolicy {
    /// Failed logins for one account from one client address that lock the
    /// account for that address.
    pub lockout_threshold: u32,
    /// Failed logins for one account from all addresses together that lock the
    /// account everywhere (audited for the administrators).
    pub account_lockout_threshold: u32,
    /// How long a lock lasts, in seconds.
    pub lockout_secs: u64,
    /// A failed login older than this many seconds no longer counts.
    pub failure_window_secs: u64,
    /// A session ends after this many seconds without a request.
    pub session_idle_secs: u64,
    /// A session ends this many seconds after login, however busy.
    pub session_absolute_secs: u64,
    /// Shortest password allowed.
    pub password_min_len: usize,
    /// Longest password allowed.
    pub password_max_len: usize,
    /// How many of lower case, upper case, digit and symbol a password needs.
    pub password_min_classes: usize,
    /// Password hashes computed at once.
    pub hash_concurrency: usize,
    /// Logins that may wait for a hash slot; more are shed with 503.
    pub hash_queue: usize,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        Self {
            lockout_threshold: 5,
            account_lockout_threshold: 20,
            lockout_secs: 15 * 60,
            failure_window_secs: 15 * 60,
            session_idle_secs: 30 * 60,
            session_absolute_secs: 12 * 60 * 60,
            password_min_len: 10,
            password_max_len: 128,
            password_min_classes: 3,
            hash_concurrency: 2,
            hash_queue: 32,
        }
    }
}

/// Weights of the score parts and the thresholds that raise accountability items.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoringPolicy {
    /// Weight of `data_security` in `overall`.
    pub weight_data_security: f64,
    /// Weight of `reporting_compliance` in `overall`.
    pub weight_reporting: f64,
    /// Weight of `inspection` in `overall`.
    pub weight_inspection: f64,
    /// A self-assessment this many points above the check is inflated.
    pub inflation_threshold: f64,
    /// Working days after review within which results must be published.
    pub publication_working_days: u32,
}

impl Default for ScoringPolicy {
    fn default() -> Self {
        Self {
            weight_data_security: 0.35,
            weight_reporting: 0.35,
            weight_inspection: 0.30,
            inflation_threshold: 10.0,
            publication_working_days: 20,
        }
    }
}

impl ScoringPolicy {
    /// The weights of the overall score's parts.
    #[must_use]
    pub fn weights(&self) -> crate::domain::scoring::Weights {
        crate::domain::scoring::Weights {
            data_security: self.weight_data_security,
            reporting: self.weight_reporting,
            inspection: self.weight_inspection,
        }
    }
}

/// Deadlines for disaster and accident reports, counted from occurrence.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportingPolicy {
    /// Initial report deadline for 特别重大 incidents, in minutes.
    pub initial_minutes_especially_serious: i64,
    /// Initial report deadline for 重大 incidents, in minutes.
    pub initial_minutes_serious: i64,
    /// Initial report deadline for 较大 incidents, in minutes.
    pub initial_minutes_relatively_serious: i64,
    /// Initial report deadline for 一般 incidents, in minutes.
    pub initial_minutes_ordinary: i64,
    /// Final report deadline, in days.
    pub final_days: i64,
    /// A backfilled report (补录) entered within this many hours of the time
    /// it claims counts at that time; entered later, when it was entered.
    pub backfill_grace_hours: i64,
}

impl Default for ReportingPolicy {
    fn default() -> Self {
        Self {
            initial_minutes_especially_serious: 60,
            initial_minutes_serious: 60,
            initial_minutes_relatively_serious: 120,
            initial_minutes_ordinary: 24 * 60,
            final_days: 30,
            backfill_grace_hours: 24,
        }
    }
}

impl ReportingPolicy {
    /// The deadlines as the reporting rules take them.
    #[must_use]
    pub fn deadlines(&self) -> crate::domain::reporting::Deadlines {
        crate::domain::reporting::Deadlines {
            initial_minutes_especially_serious: self.initial_minutes_especially_serious,
            initial_minutes_serious: self.initial_minutes_serious,
            initial_minutes_relatively_serious: self.initial_minutes_relatively_serious,
            initial_minutes_ordinary: self.initial_minutes_ordinary,
            final_days: self.final_days,
            backfill_grace_hours: self.backfill_grace_hours,
        }
    }
}

/// Size limits that protect the server from oversized input.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest request body accepted on any route, in bytes.
    pub body_bytes: usize,
    /// Entries an uploaded `.xlsx` (a zip) may hold.
    pub upload_entries: usize,
    /// Total uncompressed size of an upload's entries, in bytes.
    pub upload_uncompressed_bytes: u64,
    /// Uncompressed size of a part read whole (shared strings, styles), in bytes.
    pub upload_part_bytes: u64,
    /// Largest uncompressed ÷ compressed size of an entry over 1 MiB.
    pub upload_ratio: u64,
    /// Highest row number an imported sheet may use.
    pub import_rows: u32,
    /// Highest column number an imported sheet may use.
    pub import_columns: u32,
    /// Non-empty cells an imported sheet may hold.
    pub import_cells: u64,
    /// Cells the sheets of a legacy `.xls` may span (it is read whole).
    pub import_xls_cells: u64,
    /// Row errors listed in an answer; the count covers all of them.
    pub import_errors_listed: usize,
    /// Seconds a client has to send a request's header fields once it has begun.
    pub header_read_secs: u64,
    /// Seconds a connection may idle, no request in flight, before it is closed.
    pub idle_secs: u64,
    /// Largest request head (request line and header fields), in bytes.
    pub header_bytes: usize,
    /// Seconds a client has to send a request's body once its head is in.
    pub body_read_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        let read = reports::read::ReadLimits::default();
        Self {
            body_bytes: 32 * 1024 * 1024,
            upload_entries: read.max_entries,
            upload_uncompressed_bytes: read.max_uncompressed_bytes,
            upload_part_bytes: read.max_part_bytes,
            upload_ratio: read.max_ratio,
            import_rows: read.max_rows,
            import_columns: read.max_columns,
            import_cells: read.max_cells,
            import_xls_cells: read.max_xls_area,
            import_errors_listed: 1_000,
            header_read_secs: 10,
            idle_secs: 120,
            header_bytes: 64 * 1024,
            body_read_secs: 60,
        }
    }
}

impl Limits {
    /// The caps the workbook reader applies.
    #[must_use]
    pub fn read_limits(&self) -> reports::read::ReadLimits {
        reports::read::ReadLimits {
            max_entries: self.upload_entries,
            max_uncompressed_bytes: self.upload_uncompressed_bytes,
            max_part_bytes: self.upload_part_bytes,
            max_ratio: self.upload_ratio,
            max_rows: self.import_rows,
            max_columns: self.import_columns,
            max_cells: self.import_cells,
            max_xls_area: self.import_xls_cells,
        }
    }
}

impl Policy {
    /// Reads the policy from a TOML file.
    ///
    /// # Errors
    /// When the file cannot be read, is not TOML, or names an unknown setting.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("Failed to read config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("Invalid config file {}", path.display()))
    }

    /// The policy as TOML text that [`Self::parse`] reads back.
    ///
    /// # Errors
    /// Never for the policy's own types; the serializer's error otherwise.
    pub fn to_toml(&self) -> anyhow::Result<String> {
        Ok(toml::to_string(self)?)
    }

    /// Parses the policy from TOML text.
    ///
    /// # Errors
    /// When the text is not TOML or names an unknown setting.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let policy: Self = toml::from_str(text)?;
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> anyhow::Result<()> {
        let s = &self.security;
        anyhow::ensure!(
            s.lockout_threshold > 0 && s.account_lockout_threshold >= s.lockout_threshold,
            "security.lockout_threshold must be at least 1 and account_lockout_threshold at least as high"
        );
        anyhow::ensure!(
            s.failure_window_secs > 0,
            "security.failure_window_secs must be positive"
        );
        anyhow::ensure!(
            s.session_idle_secs > 0,
            "security.session_idle_secs must be positive"
        );
        anyhow::ensure!(
            s.password_min_len >= 1 && s.password_min_len <= s.password_max_len,
            "security.password_min_len must be between 1 and password_max_len"
        );
        anyhow::ensure!(
            s.password_min_classes <= 4,
            "security.password_min_classes is at most 4"
        );
        anyhow::ensure!(
            s.hash_concurrency > 0,
            "security.hash_concurrency must be at least 1"
        );
        let w = &self.scoring;
        anyhow::ensure!(
            [
                w.weight_data_security,
                w.weight_reporting,
                w.weight_inspection
            ]
            .iter()
            .all(|x| x.is_finite() && *x >= 0.0),
            "scoring weights must be non-negative numbers"
        );
        let r = &self.reporting;
        anyhow::ensure!(
            [
                r.initial_minutes_especially_serious,
                r.initial_minutes_serious,
                r.initial_minutes_relatively_serious,
                r.initial_minutes_ordinary,
                r.final_days
            ]
            .iter()
            .all(|x| *x > 0),
            "reporting deadlines must be positive"
        );
        anyhow::ensure!(
            r.backfill_grace_hours >= 0,
            "reporting.backfill_grace_hours must not be negative"
        );
        anyhow::ensure!(
            w.inflation_threshold.is_finite() && w.inflation_threshold >= 0.0,
            "scoring.inflation_threshold must be a non-negative number"
        );
        let j = &self.jobs;
        anyhow::ensure!(
            j.plan_sync_secs > 0 && j.lease_secs > 0,
            "jobs.plan_sync_secs and jobs.lease_secs must be positive"
        );
        for (name, cron) in [
            ("overdue_cron", &j.overdue_cron),
            ("scores_cron", &j.scores_cron),
            ("checkpoint_cron", &j.checkpoint_cron),
        ] {
            scheduler::Schedule::parse(cron).with_context(|| format!("jobs.{name}"))?;
        }
        if let Some(url) = &self.audit.checkpoint_url {
            anyhow::ensure!(
                url.starts_with("http://"),
                "audit.checkpoint_url must be an http:// URL (put a forwarder in front for https)"
            );
        }
        let l = &self.limits;
        anyhow::ensure!(l.body_bytes > 0, "limits.body_bytes must be positive");
        anyhow::ensure!(
            l.header_read_secs > 0
                && l.body_read_secs > 0
                && l.idle_secs > 0
                && l.header_bytes >= 8192,
            "limits.header_read_secs, body_read_secs and idle_secs must be positive, header_bytes at least 8192"
        );
        anyhow::ensure!(
            l.upload_entries > 0
                && l.upload_uncompressed_bytes > 0
                && l.upload_part_bytes > 0
                && l.upload_ratio > 0,
            "limits.upload_* must be positive"
        );
        anyhow::ensure!(
            l.import_rows > 1 && l.import_columns > 0 && l.import_cells > 0,
            "limits.import_rows must be at least 2, import_columns and import_cells positive"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_the_documented_defaults() {
        let policy = Policy::parse("").unwrap_or_default();
        assert_eq!(policy.security.lockout_threshold, 5);
        assert_eq!(policy.security.lockout_secs, 900);
        assert_eq!(policy.security.session_idle_secs, 1800);
        assert_eq!(policy.security.session_absolute_secs, 43_200);
        assert!((policy.scoring.weight_data_security - 0.35).abs() < f64::EPSILON);
        assert_eq!(policy.reporting.initial_minutes_ordinary, 1440);
        assert_eq!(policy.limits.upload_entries, 1_000);
        assert_eq!(policy.limits.upload_ratio, 100);
        assert_eq!(policy.limits.import_rows, 1_048_576);
        assert_eq!(policy.limits.import_columns, 256);
        assert_eq!(policy.jobs.plan_sync_secs, 30);
        assert_eq!(policy.jobs.lease_secs, 60);
    }

    #[test]
    fn a_section_overrides_only_what_it_names() {
        let policy = Policy::parse("[security]\nlockout_threshold = 3\n");
        let policy = policy.map_err(|e| e.to_string());
        assert_eq!(policy.as_ref().map(|p| p.security.lockout_threshold), Ok(3));
        assert_eq!(policy.map(|p| p.security.session_idle_secs), Ok(1800));
    }

    #[test]
    fn a_policy_written_as_toml_reads_back_the_same() {
        let mut policy = Policy::default();
        policy.security.lockout_threshold = 3;
        policy.jobs.overdue_cron = "* * * * * *".to_owned();
        let text = policy.to_toml().unwrap_or_default();
        let back = Policy::parse(&text).map_err(|e| e.to_string());
        assert_eq!(
            back.as_ref().map(|p| p.security.lockout_threshold),
            Ok(3),
            "{text}"
        );
        assert_eq!(
            back.map(|p| p.jobs.overdue_cron),
            Ok("* * * * * *".to_owned())
        );
    }

    #[test]
    fn unknown_settings_are_rejected() {
        assert!(Policy::parse("[security]\nlockout = 3\n").is_err());
        assert!(Policy::parse("[security]\nlockout_threshold = 0\n").is_err());
    }
}
