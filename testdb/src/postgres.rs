//! PostgreSQL test databases: one migrated template per test process, cloned
//! per test, created and dropped by one admin connection on a thread of its own.
//!
//! The admin connection also marks the process as alive: it carries the
//! process's run name as its `application_name`, and every database the
//! process makes starts with that name. A process that finds databases of a
//! run whose connection is gone (killed mid-run, or the template of a run that
//! ended) drops them, so nothing piles up on the server; databases of live
//! runs, in parallel test binaries, are left alone.

use std::{
    sync::{
        OnceLock,
        atomic::{AtomicU32, Ordering},
    },
    time::{SystemTime, UNIX_EPOCH},
};

use migration::{Migrator, MigratorTrait as _};
use sea_orm::sqlx::{
    AssertSqlSafe, Connection as _,
    postgres::{PgConnectOptions, PgConnection},
    query_scalar, raw_sql,
};
use tokio::sync::{mpsc, oneshot};

/// What every database a test process makes starts with.
const PREFIX: &str = "spotcheck_test_";

/// A database on the test server, dropped with this value.
pub(crate) struct Database {
    /// Where to connect to it.
    pub url: String,
    name: String,
}

impl Database {
    /// A clone of the migrated template.
    pub async fn cloned() -> Self {
        Self::create(true).await
    }

    /// A database with no tables.
    pub async fn empty() -> Self {
        Self::create(false).await
    }

    async fn create(migrated: bool) -> Self {
        let admin = Admin::get();
        let name = admin.next_name();
        let (reply, answer) = oneshot::channel();
        admin.send(
            Request::Create {
                name: name.clone(),
                migrated,
            },
            Box::new(move |outcome| {
                let _ = reply.send(outcome);
            }),
        );
        if let Err(message) = answer.await.unwrap_or_else(|_| Err(admin.gone())) {
            panic!("PostgreSQL test database {name}: {message}");
        }
        Self {
            url: with_database(&admin.server_url, &name),
            name,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // Waits on a plain channel: drop may run inside a runtime, where
        // awaiting is impossible and tokio's blocking receive panics.
        let admin = Admin::get();
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        admin.send(
            Request::Drop(self.name.clone()),
            Box::new(move |outcome| {
                let _ = reply.send(outcome);
            }),
        );
        if let Ok(Err(message)) = answer.recv() {
            // Not a panic: drop may run while a failed test unwinds.
            eprintln!("could not drop test database {}: {message}", self.name);
        }
    }
}

/// What the admin thread does.
enum Request {
    Create { name: String, migrated: bool },
    Drop(String),
}

/// Hands the outcome of a request back to whoever waits for it.
type Reply = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The process's way to its admin thread.
struct Admin {
    server_url: String,
    run: String,
    requests: mpsc::UnboundedSender<(Request, Reply)>,
    next: AtomicU32,
}

impl Admin {
    /// Starts the admin thread on first use.
    fn get() -> &'static Self {
        static ADMIN: OnceLock<Admin> = OnceLock::new();
        ADMIN.get_or_init(|| {
            let server_url = crate::postgres_url()
                .unwrap_or_else(|| panic!("PostgreSQL tests need {}", crate::POSTGRES_URL_VAR));
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let run = format!("{PREFIX}{}_{nanos}", std::process::id());
            let (requests, inbox) = mpsc::unbounded_channel();
            let (url, name) = (server_url.clone(), run.clone());
            std::thread::Builder::new()
                .name("testdb-admin".to_owned())
                .spawn(move || serve(&url, &name, inbox))
                .expect("start the test database admin thread");
            Self {
                server_url,
                run,
                requests,
                next: AtomicU32::new(0),
            }
        })
    }

    fn next_name(&self) -> String {
        format!("{}_{}", self.run, self.next.fetch_add(1, Ordering::Relaxed))
    }

    fn send(&self, request: Request, reply: Reply) {
        if let Err(mpsc::error::SendError((_, reply))) = self.requests.send((request, reply)) {
            reply(Err(self.gone()));
        }
    }

    fn gone(&self) -> String {
        "the test database admin thread has stopped".to_owned()
    }
}

/// The admin thread: answers requests in order, on one connection, for as
/// long as the process lives.
fn serve(server_url: &str, run: &str, mut inbox: mpsc::UnboundedReceiver<(Request, Reply)>) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async move {
        let mut server = match Server::connect(server_url, run).await {
            Ok(server) => server,
            Err(message) => {
                while let Some((_, reply)) = inbox.recv().await {
                    reply(Err(message.clone()));
                }
                return;
            }
        };
        while let Some((request, reply)) = inbox.recv().await {
            reply(server.answer(request).await);
        }
    });
}

/// The admin connection and the template it made.
struct Server {
    connection: PgConnection,
    server_url: String,
    run: String,
    /// The migrated template, once made; why not, if that failed.
    template: Option<Result<String, String>>,
}

impl Server {
    async fn connect(server_url: &str, run: &str) -> Result<Self, String> {
        let options: PgConnectOptions = server_url
            .parse()
            .map_err(|e| format!("{}: {e}", crate::POSTGRES_URL_VAR))?;
        let connection = PgConnection::connect_with(&options.application_name(run))
            .await
            .map_err(|e| format!("cannot connect to the test server: {e}"))?;
        let mut server = Self {
            connection,
            server_url: server_url.to_owned(),
            run: run.to_owned(),
            template: None,
        };
        server.drop_orphans().await;
        Ok(server)
    }

    async fn answer(&mut self, request: Request) -> Result<(), String> {
        match request {
            Request::Create { name, migrated } => {
                let template = if migrated {
                    format!(" TEMPLATE \"{}\"", self.template().await?)
                } else {
                    String::new()
                };
                self.execute(&format!("CREATE DATABASE \"{name}\"{template}"))
                    .await
            }
            Request::Drop(name) => self.drop_database(&name).await,
        }
    }

    /// The migrated template, made on first use.
    async fn template(&mut self) -> Result<String, String> {
        if self.template.is_none() {
            let made = self.make_template().await;
            self.template = Some(made);
        }
        self.template
            .clone()
            .unwrap_or_else(|| Err("no template".to_owned()))
    }

    async fn make_template(&mut self) -> Result<String, String> {
        let name = format!("{}_template", self.run);
        self.execute(&format!("CREATE DATABASE \"{name}\"")).await?;
        let url = with_database(&self.server_url, &name);
        let db = sea_orm::Database::connect(url.as_str())
            .await
            .map_err(|e| format!("cannot connect to the template: {e}"))?;
        let migrated = Migrator::up(&db, None).await;
        // Cloning needs every connection to the template closed.
        db.close().await.ok();
        migrated.map_err(|e| format!("migrating the template failed: {e}"))?;
        Ok(name)
    }

    /// Drops the databases of runs whose admin connection is gone.
    async fn drop_orphans(&mut self) {
        let orphans: Vec<String> = query_scalar(
            "SELECT d.datname::text FROM pg_database d \
             WHERE d.datname LIKE 'spotcheck\\_test\\_%' \
             AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a \
                 WHERE a.application_name LIKE 'spotcheck\\_test\\_%' \
                 AND starts_with(d.datname::text, a.application_name || '_'))",
        )
        .fetch_all(&mut self.connection)
        .await
        .unwrap_or_default();
        for name in orphans {
            // Another process may be dropping it too; either is enough.
            let _ = self.drop_database(&name).await;
        }
    }

    async fn drop_database(&mut self, name: &str) -> Result<(), String> {
        self.execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
    }

    /// Runs a statement built from names this module made (never user input).
    async fn execute(&mut self, sql: &str) -> Result<(), String> {
        raw_sql(AssertSqlSafe(sql.to_owned()))
            .execute(&mut self.connection)
            .await
            .map(drop)
            .map_err(|e| format!("{sql}: {e}"))
    }
}

/// `url` with its database name replaced by `name`, keeping any query string.
pub(crate) fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn database_names_are_replaced_in_urls() {
        for (url, expected) in [
            (
                "postgres://postgres@127.0.0.1:5432/test",
                "postgres://postgres@127.0.0.1:5432/t",
            ),
            (
                "postgres://postgres@h/db?sslmode=disable",
                "postgres://postgres@h/t?sslmode=disable",
            ),
            ("postgres://postgres@h", "postgres://postgres@h/t"),
        ] {
            assert_eq!(with_database(url, "t"), expected, "{url}");
        }
    }
}
