//! Placeholder until the demo loader lands.

/// Options for the demo data set.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Enterprises.
    pub enterprises: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            enterprises: 5_000,
            seed: 2019,
        }
    }
}

/// What a load added.
#[derive(Debug, Default)]
pub struct DemoReport {
    /// Regions.
    pub regions: u64,
    /// Departments.
    pub departments: u64,
    /// Enterprises.
    pub enterprises: u64,
    /// Inspectors.
    pub inspectors: u64,
    /// Conflicts.
    pub conflicts: u64,
    /// Indicators.
    pub indicators: u64,
    /// Users.
    pub users: Vec<DemoUser>,
}

/// A created user.
#[derive(Debug)]
pub struct DemoUser {
    /// Name.
    pub username: String,
    /// Role.
    pub role: entities::Role,
    /// Password.
    pub password: String,
}

/// Loads the demo data.
///
/// # Errors
/// Always, until implemented.
pub async fn load(
    _db: &sea_orm::DatabaseConnection,
    _options: &DemoOptions,
) -> anyhow::Result<DemoReport> {
    anyhow::bail!("demo data not available yet")
}
