//! Progress of long CLI work: a bar on a terminal, plain log lines elsewhere.

use std::{
    io::IsTerminal as _,
    sync::atomic::{AtomicU64, Ordering},
};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::service::imports::Progress;

/// Rows between two log lines when there is no terminal.
const LOG_EVERY: u64 = 100_000;

/// Shows import progress.
pub struct Reporter {
    bar: Option<ProgressBar>,
    logged: AtomicU64,
}

impl Reporter {
    /// A bar when standard error is a terminal, log lines otherwise.
    #[must_use]
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} [{bar:40}] {human_pos}/{human_len} rows ({per_sec}, {eta})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        Self {
            bar,
            logged: AtomicU64::new(0),
        }
    }

    /// Takes one event.
    pub fn update(&self, event: Progress) {
        match (event, &self.bar) {
            (Progress::Started(Some(rows)), Some(bar)) => bar.set_length(u64::from(rows)),
            (Progress::Started(_), _) => {}
            (Progress::Rows(rows), Some(bar)) => bar.set_position(rows),
            (Progress::Rows(rows), None) => {
                let last = self.logged.load(Ordering::Relaxed);
                if rows >= last + LOG_EVERY {
                    self.logged.store(rows, Ordering::Relaxed);
                    tracing::info!(rows, "import progress");
                }
            }
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Default for Reporter {
    fn default() -> Self {
        Self::new()
    }
}
