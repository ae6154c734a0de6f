//! spotcheck: double-random, one-public (双随机、一公开) spot checks, compliance
//! scores and accountability for emergency-management authorities.
//!
//! `api` is the HTTP edge, `service` the domain logic with its scope checks,
//! `domain` the pure rules; `cli` is the command line.

pub mod api;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod input_guard;
pub mod jobs;
pub mod metrics;
pub mod progress;
pub mod server;
pub mod service;
pub mod state;
pub mod telemetry;
