//! A recording job body and fire times to arrange runs at.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use scheduler::{CatchUp, Fire, Job};

/// Every call of a recording job body: which instance ran which fire.
#[derive(Clone, Default)]
pub struct Calls(Arc<Mutex<Vec<Fire>>>);

impl Calls {
    /// A job whose body records the fire and answers `Ok("recorded")`.
    pub fn job(&self, name: &str, cron: &str, catch_up: CatchUp) -> Job {
        let calls = self.clone();
        Job::new(name, cron, catch_up, move |fire| {
            let calls = calls.clone();
            async move {
                calls.0.lock().expect("calls").push(fire);
                Ok("recorded".to_owned())
            }
        })
        .expect("valid cron")
    }

    /// The calls so far.
    pub fn all(&self) -> Vec<Fire> {
        self.0.lock().expect("calls").clone()
    }
}

/// `cron`'s latest fire time now, and the one `back` fires before it.
pub fn fires_back(cron: &str, back: usize) -> (DateTime<Utc>, DateTime<Utc>) {
    let schedule = scheduler::Schedule::parse(cron).expect("valid cron");
    let latest = schedule
        .latest_at_or_before(Utc::now())
        .expect("a past fire");
    let mut earlier = latest;
    for _ in 0..back {
        earlier = schedule
            .latest_at_or_before(earlier - chrono::Duration::seconds(1))
            .expect("an earlier fire");
    }
    (latest, earlier)
}
