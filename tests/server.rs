//! `spotcheck serve` as a child process: the binary users run, on a random port.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use spotcheck::config::Policy;
use tokio::{
    io::{AsyncBufReadExt as _, BufReader},
    process::{Child, Command},
};

/// How a test starts `serve`.
#[derive(Debug, Clone, Default)]
pub struct ServeOptions {
    /// Written to a config file passed with `--config`.
    pub policy: Policy,
    /// Whether the process runs the scheduled jobs (`--no-jobs` when false).
    pub jobs: bool,
    /// More environment for the process.
    pub env: Vec<(String, String)>,
    /// More arguments after `serve` (such as `--demo`).
    pub args: Vec<String>,
}

/// The `spotcheck` binary built for these tests.
///
/// `SPOTCHECK_E2E_BIN` names another build of it: where several work trees
/// share one target directory, the binary next to the test may be another
/// tree's by the time the tests run.
#[must_use]
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("SPOTCHECK_E2E_BIN")
        && !path.is_empty()
    {
        return PathBuf::from(path);
    }
    // The test runs from target/<profile>/deps; the binary sits one level up.
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    dir.join(format!("spotcheck-e2e{}", std::env::consts::EXE_SUFFIX))
}

/// A running `spotcheck serve`, killed when dropped.
pub struct ServerProcess {
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
    dir: tempfile::TempDir,
    startup: String,
}

impl ServerProcess {
    /// Starts `spotcheck serve --bind 127.0.0.1:0` against `database_url` and
    /// waits until it prints where it listens.
    pub async fn start(database_url: &str, options: &ServeOptions) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("spotcheck.toml");
        let text = options.policy.to_toml().expect("policy as TOML");
        std::fs::write(&config, text).expect("config written");
        let log = std::fs::File::create(dir.path().join("serve.log")).expect("log file");
        let mut command = Command::new(binary());
        command
            .arg("--config")
            .arg(&config)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("SPOTCHECK_DATABASE_URL", database_url)
            .env("RUST_LOG", "info")
            .env_remove("SPOTCHECK_JOBS")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        if !options.jobs {
            command.arg("--no-jobs");
        }
        command.args(&options.args);
        command.envs(options.env.iter().map(|(k, v)| (k, v)));
        let mut child = command.spawn().expect("spotcheck serve started");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut startup = String::new();
        let listening = tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.next_line().await.expect("stdout read") {
                if let Some(addr) = listening_address(&line) {
                    return Some(addr);
                }
                startup.push_str(&line);
                startup.push('\n');
            }
            None
        })
        .await;
        let Ok(Some(addr)) = listening else {
            let _ = child.start_kill();
            let log = std::fs::read_to_string(dir.path().join("serve.log")).unwrap_or_default();
            panic!("spotcheck serve did not start listening; its log:\n{log}");
        };
        // Drained so that later output never blocks or breaks the pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            addr,
            child,
            dir,
            startup,
        }
    }

    /// What the process printed before it listened (such as the demo's users).
    #[must_use]
    pub fn startup(&self) -> &str {
        &self.startup
    }

    /// Logs `username` in over HTTP; the bearer token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let answer: serde_json::Value = reqwest::Client::new()
            .post(format!("http://{}/api/v1/auth/login", self.addr))
            .json(&serde_json::json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login answered")
            .json()
            .await
            .expect("JSON");
        answer["token"]
            .as_str()
            .unwrap_or_else(|| panic!("no token for {username}: {answer}"))
            .to_owned()
    }

    /// The process id.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id().expect("a running process")
    }

    /// What the process has logged so far.
    #[must_use]
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    /// Sends `signal` (`TERM`, `KILL`, `STOP`, `CONT`) to the process.
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill ran");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits up to `limit` for the process to exit; its exit status.
    pub async fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(limit, self.child.wait())
            .await
            .ok()
            .map(|status| status.expect("exit status"))
    }
}

/// `spotcheck listening on http://ADDR/ …` → ADDR.
fn listening_address(line: &str) -> Option<SocketAddr> {
    let rest = line.split_once("listening on http://")?.1;
    rest.split('/').next()?.parse().ok()
}
