//! The DRP, executable (DR-PLAN): check a plan, compile it into schedules, build and drive the
//! step machine of a drill, failover or failback, and compute the RPO and RTO achieved.
//!
//! Everything here is pure: the controllers and `pusdata plan check` read the world, call
//! these functions and apply what they return.

pub mod achieved;
pub mod calendar;
pub mod check;
pub mod compile;
pub mod cron;
pub mod drc;
pub mod due;
pub mod failover;
pub mod failover_status;
pub mod freshness;
pub mod languages;
pub mod order;
pub mod pass;
pub mod restore;
pub mod steps;

pub use achieved::{RpoAchieved, RpoAlert, rpo_achieved, tier_outcomes};
pub use check::{CheckSettings, Measurements, check_plan, check_plan_with};
pub use compile::{Entry, EntryKind, Schedule, compile, next_runs};
pub use due::{Due, DueInput, Run, Skipped, SourceRef, SourceState, due};
pub use freshness::{RunRecord, TierFreshness, freshness};
pub use order::{dependency_order, members};
pub use restore::Targets;
pub use steps::{Action, Observations, StepPlan, StepResult, apply, next_step, steps, steps_for};
