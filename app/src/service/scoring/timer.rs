//! How long each step of a recomputation took, for its log line.

use std::{fmt, time::Instant};

/// Times the steps of one run, one after the other.
pub(super) struct StepTimer {
    last: Instant,
    /// Each step's name and milliseconds.
    steps: Vec<(&'static str, u128)>,
}

impl StepTimer {
    /// Starts timing the first step.
    pub(super) fn start() -> Self {
        Self {
            last: Instant::now(),
            steps: Vec::new(),
        }
    }

    /// Ends `step` now and starts timing the next.
    pub(super) fn done(&mut self, step: &'static str) {
        let now = Instant::now();
        self.steps.push((step, (now - self.last).as_millis()));
        self.last = now;
    }
}

impl fmt::Display for StepTimer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, (step, ms)) in self.steps.iter().enumerate() {
            let sep = if n == 0 { "" } else { ", " };
            write!(f, "{sep}{step} {ms} ms")?;
        }
        Ok(())
    }
}
