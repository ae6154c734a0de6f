//! The `spotcheck` command line.

mod audit;
mod backup;

use std::{
    io::Read as _,
    path::{Path, PathBuf},
    process::ExitCode,
};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use entities::Role;

use self::audit::AuditCommand;
use crate::{
    config::{DEFAULT_BIND, DEFAULT_DATABASE_URL, Policy},
    db,
    error::AppError,
    progress, server,
    service::{
        self, Actor,
        accounts::users::NewUser,
        demo::{DemoOptions, DemoReport},
        imports::{ImportKind, ImportOptions},
        reports::ReportKind,
    },
    state::AppState,
    telemetry,
};

/// Double-random spot checks, compliance scores and accountability for emergency management.
#[derive(Debug, Parser)]
#[command(name = "spotcheck", version, about)]
pub struct Cli {
    /// Database URL: `sqlite://FILE?mode=rwc` or `postgres://USER@HOST/DB`.
    #[arg(long, global = true, env = "SPOTCHECK_DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true)]
    pub database_url: String,
    /// TOML file of policy numbers (lockout, sessions, passwords, scoring, deadlines).
    #[arg(long, global = true, env = "SPOTCHECK_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates first).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SPOTCHECK_BIND", default_value = DEFAULT_BIND)]
        bind: String,
        /// Load the demo data set first (nothing is added if it is there).
        #[arg(long)]
        demo: bool,
        /// Serve the API only and run no scheduled jobs (API-only replicas);
        /// the same as `SPOTCHECK_JOBS=false`.
        #[arg(long)]
        no_jobs: bool,
        /// Whether to run the scheduled jobs (draws of plans with a cron, overdue
        /// tasks, nightly scores, audit checkpoints).
        #[arg(long, env = "SPOTCHECK_JOBS", default_value_t = true, action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new(), hide = true)]
        jobs: bool,
    },
    /// Bring the database schema up to date.
    Migrate,
    /// Load the deterministic demo data set; running it again adds nothing.
    Demo {
        /// How many enterprises.
        #[arg(long, default_value_t = 5_000)]
        enterprises: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 2019)]
        seed: u64,
        /// Print the demo users again: their passwords are kept only as hashes,
        /// so each demo user gets a new random password (audited, their
        /// sessions ended), which is printed.
        #[arg(long)]
        show_users: bool,
    },
    /// Manage users.
    User {
        /// What to do with users.
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Run or verify double-random draws.
    Draw {
        /// What to do with draws.
        #[command(subcommand)]
        command: DrawCommand,
    },
    /// Recompute the scores, ranks and accountability items of a period.
    Score {
        /// `2026` (year), `2026Q4` (quarter) or `2026-11` (month), in China time.
        period: String,
    },
    /// Import a workbook of regions, departments, enterprises, inspectors,
    /// conflicts, risks, hazards or holidays (all rows or none).
    Import {
        /// What the file holds.
        #[arg(value_parser = parse_kind)]
        kind: ImportKind,
        /// The `.xlsx` or `.xls` file.
        file: PathBuf,
        /// Import the valid rows and write the rejected ones to an error workbook.
        #[arg(long)]
        skip_invalid: bool,
        /// Check everything and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Where the error workbook goes (default: next to FILE, `NAME.errors.xlsx`).
        #[arg(long, value_name = "FILE")]
        errors: Option<PathBuf>,
    },
    /// Write the import template of a kind.
    Template {
        /// Which kind.
        #[arg(value_parser = parse_kind)]
        kind: ImportKind,
        /// Where to write it.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Export a report: draw (抽查名单), publication (公示), assessment (考核评分表),
    /// accountability (问责报告) or timeliness (报送及时性).
    Report {
        /// Which report.
        #[arg(value_parser = parse_report_kind)]
        kind: ReportKind,
        /// `2026`, `2026Q4` or `2026-11`: required for assessment, accountability
        /// and timeliness; limits publication to checks in it.
        #[arg(long)]
        period: Option<String>,
        /// The draw, for the draw list.
        #[arg(long = "draw", value_name = "ID")]
        draw_id: Option<i64>,
        /// Where to write the workbook.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Check the audit log, record its head, or add an audit key.
    Audit {
        /// What to do with the audit log.
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Write a consistent copy of the SQLite database while the server runs
    /// (PostgreSQL: use pg_dump).
    Backup {
        /// Where to write it; must not exist.
        file: std::path::PathBuf,
    },
    /// Restore a backup into the empty database of `--database-url`, then
    /// verify its audit chain (exit 2 when it is broken).
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
    },
    /// Act on check tasks.
    Task {
        /// What to do with a task.
        #[command(subcommand)]
        command: TaskCommand,
    },
}

/// `spotcheck task …`
#[derive(Debug, Subcommand)]
pub enum TaskCommand {
    /// Cancel an open task and optionally draw its replacement (补抽).
    Cancel {
        /// The task.
        task_id: i64,
        /// `closed` (注销/停产), `not_found` (查无下落), `conflict_found`
        /// (发现回避情形) or `other` (needs --note).
        #[arg(long)]
        reason: String,
        /// What happened, in words.
        #[arg(long)]
        note: Option<String>,
        /// Draw a replacement from the same stratum of the same draw.
        #[arg(long)]
        replace: bool,
    },
}

/// `spotcheck user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Add {
        /// Login name.
        #[arg(long)]
        username: String,
        /// admin, supervisor, inspector, department or leader.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The user's department (its region is the user's scope).
        #[arg(long)]
        department_id: Option<i64>,
    },
}

/// `spotcheck draw …`
#[derive(Debug, Subcommand)]
pub enum DrawCommand {
    /// Draw a plan now and print the draw.
    Run {
        /// The plan.
        plan_id: i64,
        /// A seed of the operator's choosing; needs `--reason`.
        #[arg(long, conflicts_with = "seed_text")]
        seed: Option<u64>,
        /// Public text announced before the draw, exactly as announced (no white
        /// space at either end); the seed is derived from it.
        #[arg(long)]
        seed_text: Option<String>,
        /// Why the seed is given, or why the plan is drawn again (its current
        /// draw is superseded).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Re-run a stored draw and compare; exits non-zero on any mismatch.
    Verify {
        /// The draw.
        draw_id: i64,
    },
    /// Write a draw's evidence bundle, which `docs/verify_draw.py` checks without
    /// the server.
    Evidence {
        /// The draw.
        draw_id: i64,
        /// Where to write the bundle (JSON).
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Announce a plan's next draw: freeze its population now and print the hash
    /// to publish with the seed rule.
    Announce {
        /// The plan.
        plan_id: i64,
        /// What public text will seed the draw, and when and where it becomes known.
        #[arg(long)]
        seed_rule: String,
    },
    /// Withdraw an announcement whose draw was not made.
    Withdraw {
        /// The announcement.
        announcement_id: i64,
        /// Why; shown with the announcement.
        #[arg(long)]
        reason: String,
    },
}

fn parse_kind(text: &str) -> Result<ImportKind, String> {
    ImportKind::parse(text).map_err(|e| e.to_string())
}

fn parse_report_kind(text: &str) -> Result<ReportKind, String> {
    ReportKind::parse(text).ok_or_else(|| {
        let names: Vec<&str> = ReportKind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown report '{text}'; use one of {}", names.join(", "))
    })
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role '{text}'; use one of {}", names.join(", "))
    })
}

/// Parses the arguments, runs the command and turns any error into one line
/// on standard error and a non-zero exit.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: Failed to start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs one parsed command.
///
/// # Errors
/// Whatever the command fails with.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let policy = match &cli.config {
        Some(path) => Policy::load(path)?,
        None => Policy::default(),
    };
    let audit_setup = service::audit::setup::AuditSetup::from_policy(&policy.audit);
    if let service::audit::setup::Keys::Broken { .. } = audit_setup.keys {
        tracing::error!(
            "{}",
            audit_setup
                .require_keys()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        );
    }
    service::audit::setup::install(audit_setup);
    match cli.command {
        Command::Serve {
            bind,
            demo,
            no_jobs,
            jobs,
        } => {
            // A server must not append unsigned rows when a key is configured.
            service::audit::setup::current().require_keys()?;
            let db = db::connect(&cli.database_url).await?;
            if demo {
                let report = service::demo::load(&db, &DemoOptions::default()).await?;
                print_demo(&report);
            }
            let state = AppState::new(db, policy)?;
            let bound = server::bind(&bind).await?;
            let jobs = if jobs && !no_jobs {
                Some(crate::jobs::start(state.clone()).await?)
            } else {
                tracing::info!("scheduled jobs not run by this instance");
                None
            };
            tracing::info!(address = %bound.addr, database = %db::redact(&cli.database_url), "listening");
            println!(
                "spotcheck listening on http://{}/ (API docs at http://{}/docs); scheduled jobs {}",
                bound.addr,
                bound.addr,
                if jobs.is_some() { "running" } else { "off" }
            );
            let served = server::serve(bound, state, shutdown_signal()).await;
            if let Some(jobs) = jobs {
                jobs.shutdown()
                    .await
                    .context("Failed to stop the scheduled jobs")?;
            }
            served?;
        }
        Command::Migrate => {
            db::connect(&cli.database_url).await?;
            println!("database is up to date");
        }
        Command::Demo {
            enterprises,
            seed,
            show_users,
        } => {
            let db = db::connect(&cli.database_url).await?;
            let report = service::demo::load(&db, &DemoOptions { enterprises, seed }).await?;
            print_demo(&report);
            if show_users {
                let state = AppState::new(db, policy)?;
                let users = service::demo::show_users(&state.db, &state.hasher).await?;
                print_users(
                    "demo users, with new passwords (the old ones no longer work):",
                    &users,
                );
            }
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    department_id,
                },
        } => {
            let password = read_password()?;
            let db = db::connect(&cli.database_url).await?;
            let state = AppState::new(db, policy)?;
            let input = NewUser {
                username,
                password,
                role,
                department_id,
            };
            let user = service::accounts::users::create(
                &state.db,
                &state.hasher,
                &state.policy.security,
                &Actor::system(),
                input,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
            println!(
                "created user {} (id {}, role {})",
                user.username, user.id, user.role
            );
        }
        Command::Draw { command } => return draw_command(&cli.database_url, command).await,
        Command::Task { command } => {
            let days = policy.scoring.publication_working_days;
            task_command(&cli.database_url, command, days).await?;
        }
        Command::Score { period } => {
            let period = crate::domain::Period::parse(&period)?;
            let db = db::connect(&cli.database_url).await?;
            let rules = service::scoring::ScoringRules::of(&policy);
            let summary = service::scoring::recompute_period(
                &db,
                &Actor::system(),
                &period,
                &rules,
                chrono::Utc::now(),
                entities::ComputeTrigger::Command,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e))
            .context("Failed to recompute the scores")?;
            println!(
                "scores for {}: {} departments, {} enterprises",
                summary.period, summary.departments, summary.enterprises
            );
            let raised: u64 = summary.raised.values().sum();
            let detail: Vec<String> = summary
                .raised
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(reason, n)| format!("{reason} {n}"))
                .collect();
            if detail.is_empty() {
                println!("accountability items raised: {raised}");
            } else {
                println!(
                    "accountability items raised: {raised} ({})",
                    detail.join(", ")
                );
            }
        }
        Command::Import {
            kind,
            file,
            skip_invalid,
            dry_run,
            errors,
        } => {
            let db = db::connect(&cli.database_url).await?;
            let options = ImportOptions {
                skip_invalid,
                dry_run,
                file_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            };
            return import(&db, &policy, kind, &file, &options, errors).await;
        }
        Command::Template { kind, output } => {
            let bytes = service::imports::template(kind).map_err(|e| anyhow::anyhow!(e))?;
            std::fs::write(&output, bytes)
                .with_context(|| format!("Failed to write {}", output.display()))?;
            println!(
                "wrote the {} template to {}",
                kind.as_str(),
                output.display()
            );
        }
        Command::Report {
            kind,
            period,
            draw_id,
            output,
        } => {
            let period = period
                .map(|p| crate::domain::Period::parse(&p))
                .transpose()?;
            // Opened first, so an unwritable path fails before the export is made.
            let partial = Partial::create(&output)?;
            let db = db::connect(&cli.database_url).await?;
            let request = service::reports::ReportRequest {
                kind,
                period,
                draw_id,
            };
            let actor = Actor::system();
            let export = service::reports::build(
                &db,
                &actor,
                &policy.reporting.deadlines(),
                &request,
                chrono::Utc::now(),
                partial.sink()?,
            )
            .await
            .map_err(|e| anyhow::anyhow!(e))?;
            // On disk before it is recorded, in place only once recorded.
            partial.sync()?;
            service::reports::record(&db, &actor, &request, &export)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            partial.persist()?;
            println!(
                "wrote the {} report ({} rows) to {}",
                kind.as_str(),
                export.rows,
                output.display()
            );
        }
        Command::Audit { command } => {
            return audit::run(&cli.database_url, &policy, command).await;
        }
        Command::Backup { file } => return backup::backup(&cli.database_url, &file).await,
        Command::Restore { file } => return backup::restore(&cli.database_url, &file).await,
    }
    Ok(ExitCode::SUCCESS)
}

async fn draw_command(database_url: &str, command: DrawCommand) -> anyhow::Result<ExitCode> {
    let db = db::connect(database_url).await?;
    let actor = Actor::system();
    match command {
        DrawCommand::Run {
            plan_id,
            seed,
            seed_text,
            reason,
        } => {
            let request = service::draws::DrawRequest {
                seed,
                seed_text,
                reason,
            };
            let view =
                service::draws::run(&db, &actor, plan_id, request, entities::DrawTrigger::Manual)
                    .await
                    .map_err(|e| anyhow::anyhow!(e))?;
            print_draw(&view);
        }
        DrawCommand::Verify { draw_id } => {
            let result = service::draws::verify(&db, &actor, draw_id)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            if !result.verified {
                eprintln!(
                    "error: draw {draw_id} does not verify: {}",
                    result.mismatches.join("; ")
                );
                return Ok(ExitCode::from(2));
            }
            println!(
                "draw {draw_id} verified: re-running it gives the stored targets and inspectors"
            );
        }
        DrawCommand::Evidence { draw_id, output } => {
            let partial = Partial::create(&output)?;
            let bundle = service::draws::evidence(&db, &actor, draw_id)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            std::io::Write::write_all(&mut &partial.file, &bundle.bytes)
                .with_context(|| format!("Failed to write {}", output.display()))?;
            partial.sync()?;
            partial.persist()?;
            println!(
                "wrote the evidence bundle of draw {draw_id} to {} (sha256 {}); check it with: python3 docs/verify_draw.py {}",
                output.display(),
                bundle.sha256,
                output.display()
            );
        }
        DrawCommand::Announce { plan_id, seed_rule } => {
            let request = service::draws::AnnouncementRequest { seed_rule };
            let view = service::draws::announce(&db, &actor, plan_id, request)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            let a = &view.announcement;
            println!(
                "announcement {} of plan {}: population {} (sha256 {}), seed rule: {}",
                a.id, a.plan_id, a.population_size, a.population_sha256, a.seed_rule
            );
        }
        DrawCommand::Withdraw {
            announcement_id,
            reason,
        } => {
            service::draws::withdraw(&db, &actor, announcement_id, &reason)
                .await
                .map_err(|e| anyhow::anyhow!(e))?;
            println!("announcement {announcement_id} withdrawn");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn task_command(
    database_url: &str,
    command: TaskCommand,
    publication_days: u32,
) -> anyhow::Result<()> {
    let db = db::connect(database_url).await?;
    match command {
        TaskCommand::Cancel {
            task_id,
            reason,
            note,
            replace,
        } => {
            let request = service::tasks::CancelRequest {
                reason,
                note,
                replace,
            };
            let done =
                service::tasks::cancel(&db, &Actor::system(), task_id, request, publication_days)
                    .await
                    .map_err(|e| anyhow::anyhow!(e))?;
            println!("task {task_id} cancelled");
            if let Some(r) = done.replacement {
                let team: Vec<String> = r
                    .inspectors
                    .iter()
                    .map(|i| i.inspector_id.to_string())
                    .collect();
                println!(
                    "replacement task {}: target {} ({}), inspectors {}",
                    r.task.id,
                    r.target.id,
                    r.target.name,
                    team.join(", ")
                );
            }
        }
    }
    Ok(())
}

/// `spotcheck draw run`: the draw with its seed's provenance, then its tasks.
fn print_draw(view: &service::draws::DrawView) {
    let d = &view.draw;
    let provenance = match (&d.seed_text, &d.seed_reason) {
        (Some(text), _) => format!("{} \"{text}\"", d.seed_source),
        (None, Some(reason)) => format!("{}: {reason}", d.seed_source),
        (None, None) => d.seed_source.to_string(),
    };
    let announced = d
        .announcement_id
        .map(|a| format!(", announced in announcement {a}"))
        .unwrap_or_default();
    println!(
        "draw {} of plan {}: seed {} ({provenance}){announced}, algorithm {}, population {} (sha256 {})",
        d.id,
        d.plan_id,
        u64::from_ne_bytes(d.seed.to_ne_bytes()),
        d.algorithm,
        d.population_size,
        d.population_sha256
    );
    println!(
        "{} tasks, {} unassigned",
        view.tasks.len(),
        view.unassigned.len()
    );
    for task in &view.tasks {
        let team: Vec<String> = task.inspector_ids.iter().map(i64::to_string).collect();
        println!(
            "  task {:>7}  target {:>9}  inspectors {}",
            task.task_id,
            task.target_id,
            team.join(",")
        );
    }
    for u in &view.unassigned {
        println!("  unassigned target {:>9}: {}", u.target_id, u.reason);
    }
}

/// `spotcheck import`: one summary line, warnings, and every row error on a rejection.
async fn import(
    db: &sea_orm::DatabaseConnection,
    policy: &Policy,
    kind: ImportKind,
    file: &Path,
    options: &ImportOptions,
    errors: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let source =
        std::fs::File::open(file).with_context(|| format!("Failed to open {}", file.display()))?;
    let progress = progress::Reporter::new();
    let result = service::imports::import(
        db,
        &Actor::system(),
        &policy.limits,
        kind,
        std::io::BufReader::with_capacity(1 << 16, source),
        options,
        &|event| progress.update(event),
    )
    .await;
    progress.finish();
    let report = match result {
        Ok(report) => report,
        Err(AppError::Rejected { message, detail }) => {
            print_warnings(detail.get("warnings"));
            for error in detail
                .get("errors")
                .and_then(|e| e.as_array())
                .into_iter()
                .flatten()
            {
                eprintln!(
                    "{}!row {}{}: {}",
                    error["sheet"].as_str().unwrap_or_default(),
                    error["row"],
                    match error["column"].as_str() {
                        Some(c) if !c.is_empty() => format!(", {c}"),
                        _ => String::new(),
                    },
                    error["message"].as_str().unwrap_or_default()
                );
            }
            eprintln!("error: {message}");
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(anyhow::anyhow!(e)),
    };
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    for error in &report.errors {
        eprintln!(
            "{}!row {}, {}: {}",
            error.sheet, error.row, error.column, error.message
        );
    }
    println!(
        "{}{}: {} rows, {} inserted, {} updated, {} unchanged, {} rejected (sha256 {})",
        if report.dry_run {
            "dry run, nothing written: "
        } else {
            "imported "
        },
        kind.as_str(),
        report.rows,
        report.inserted,
        report.updated,
        report.unchanged,
        report.rejected,
        report.sha256
    );
    if let Some(bytes) = &report.error_workbook {
        let path = errors.unwrap_or_else(|| error_path(file));
        std::fs::write(&path, bytes)
            .with_context(|| format!("Failed to write {}", path.display()))?;
        println!(
            "wrote the {} rejected rows and their reasons to {}",
            report.rejected,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_warnings(warnings: Option<&serde_json::Value>) {
    for warning in warnings.and_then(|w| w.as_array()).into_iter().flatten() {
        eprintln!("warning: {}", warning.as_str().unwrap_or_default());
    }
}

/// `dir/name.xlsx` → `dir/name.errors.xlsx`.
fn error_path(file: &Path) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "import".to_owned(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.errors.xlsx"))
}

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut input = String::new();
    std::io::stdin()
        .take(4096)
        .read_to_string(&mut input)
        .context("Failed to read the password from standard input")?;
    let password = input.lines().next().unwrap_or_default().to_owned();
    anyhow::ensure!(!password.is_empty(), "no password on standard input");
    Ok(password)
}

fn print_demo(report: &DemoReport) {
    println!(
        "demo data: added {} regions, {} departments, {} enterprises, {} inspectors, {} conflicts, {} indicators, {} plans",
        report.regions,
        report.departments,
        report.enterprises,
        report.inspectors,
        report.conflicts,
        report.indicators,
        report.plans
    );
    if !report.users.is_empty() {
        print_users(
            "demo users (passwords are shown only this once; `spotcheck demo --show-users` gives new ones):",
            &report.users,
        );
    }
}

fn print_users(title: &str, users: &[service::demo::DemoUser]) {
    println!("{title}");
    for user in users {
        println!(
            "  {:<12} {:<11} {}",
            user.username,
            user.role.as_str(),
            user.password
        );
    }
}

/// Ctrl-C, or SIGTERM as service managers and container runtimes send it.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
}

/// A file written next to its destination and renamed into place when
/// complete, so a failed export never leaves a truncated workbook behind.
struct Partial {
    temp: PathBuf,
    target: PathBuf,
    file: std::fs::File,
}

impl Partial {
    fn create(target: &Path) -> anyhow::Result<Self> {
        let mut name = target
            .file_name()
            .with_context(|| format!("{} is not a file name", target.display()))?
            .to_os_string();
        name.push(format!(".{}.partial", std::process::id()));
        let temp = target.with_file_name(name);
        // Read back too, for the export's SHA-256.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&temp)
            .with_context(|| format!("Failed to write {}", target.display()))?;
        Ok(Self {
            temp,
            target: target.to_owned(),
            file,
        })
    }

    /// Where the report writes: straight into the file.
    fn sink(&self) -> anyhow::Result<service::reports::Sink> {
        let file = self
            .file
            .try_clone()
            .with_context(|| format!("Failed to write {}", self.target.display()))?;
        Ok(service::reports::Sink::File(file))
    }

    /// Waits until what was written is on disk.
    fn sync(&self) -> anyhow::Result<()> {
        self.file
            .sync_all()
            .with_context(|| format!("Failed to write {}", self.target.display()))
    }

    /// Puts the written file in place.
    fn persist(self) -> anyhow::Result<()> {
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("Failed to write {}", self.target.display()))
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        // After a successful rename there is nothing left to remove.
        let _ = std::fs::remove_file(&self.temp);
    }
}
