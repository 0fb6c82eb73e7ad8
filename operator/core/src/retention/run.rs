//! Scheduled retention runs: for each tier of a plan and each repository its backups went
//! to, when `pusdata mover forget --prune` is due, whether it may start (never beside a
//! running backup of the repository nor another maintenance Job of it), its Job name, and
//! the status a finished run leaves. Pure: the plan, its runs and what the Jobs say come in.
//! The retention controller reads, calls these and applies (APP-BACKUP, DR-PLAN).

use crate::backup::result::{MoverResult, Observed};
use crate::conditions::{self, Desired};
use crate::dr::compile::quiet_daily;
use crate::dr::cron::{self, CronSpec};
use crate::hash::fnv1a;
use crate::repository::{Due, run_due};
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, DisasterRecoveryPlan, RetentionStatus, Tier, VerificationStatus,
};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Condition of a [`RetentionStatus`] entry: the last run's outcome.
pub const RETENTION_APPLIED: &str = "RetentionApplied";

/// Reasons of [`RETENTION_APPLIED`] (docs/reference/conditions.md).
pub mod reason {
    /// The last run forgot and pruned as the tier's retention says.
    pub const SUCCEEDED: &str = "RetentionSucceeded";
    /// The last run failed (repository, key, backend).
    pub const FAILED: &str = "RetentionFailed";
    /// The last run found the repository locked by another live run and changed nothing.
    pub const LOCKED: &str = "RepositoryLocked";
    /// A run is going.
    pub const RUNNING: &str = "InProgress";
}

/// Labels on a retention Job: the repository it prunes (one maintenance Job per
/// repository) and what kind of maintenance it is.
pub use crate::labels::{MAINTENANCE_LABEL, MAINTENANCE_RETENTION, REPOSITORY_LABEL};

/// The retention schedule of a tier in one repository: the tier's `retention.schedule`, else
/// daily in the quiet hours at a minute and hour hashed from plan, tier and repository (so the
/// repositories of a city are not all pruned at once).
pub fn schedule(plan: &str, tier: &Tier, repository: &str) -> Result<CronSpec, String> {
    let line = match &tier.retention.schedule {
        Some(s) => s.clone(),
        None => quiet_daily(fnv1a(format!("{plan}/{}/{repository}", tier.name))),
    };
    cron::parse(&line).map_err(|e| format!("tier {}: retention.schedule `{line}`: {e}", tier.name))
}

/// One tier's backups in one repository: what a retention run works on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The tier.
    pub tier: String,
    /// The `BackupRepository`.
    pub repository: String,
    /// The agency (the `agency=` tag).
    pub agency: String,
    /// Where the Job runs: the namespace of the newest completed backup, which holds the
    /// repository's Secrets (a Pod can use no other namespace's).
    pub namespace: String,
    /// Snapshot ids whose restore was verified (`minVerified` counts them), sorted.
    pub verified: Vec<String>,
    /// Backups of this repository (any plan) still running: no prune starts beside them.
    pub busy: Vec<String>,
}

/// The targets of a plan: every (tier, repository) pair with at least one completed backup of
/// the plan, for tiers the plan still has. `agency_of` maps a repository to its agency.
pub fn targets(
    plan: &DisasterRecoveryPlan,
    backups: &[Backup],
    agency_of: &dyn Fn(&str) -> Option<String>,
) -> Vec<Target> {
    let name = plan.metadata.name.as_deref().unwrap_or_default();
    let mut newest: BTreeMap<(String, String), (Option<Timestamp>, String)> = BTreeMap::new();
    let mut verified: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for b in backups.iter().filter(|b| b.spec.plan == name) {
        if !plan.spec.tiers.iter().any(|t| t.name == b.spec.tier) {
            continue;
        }
        let st = b.status.clone().unwrap_or_default();
        if st.phase != Some(BackupPhase::Completed) {
            continue;
        }
        let key = (b.spec.tier.clone(), b.spec.repository.clone());
        let at = st.finished_at.map(|t| t.0);
        let ns = b.metadata.namespace.clone().unwrap_or_default();
        let e = newest.entry(key.clone()).or_insert((at, ns.clone()));
        if (at, &ns) > (e.0, &e.1) {
            *e = (at, ns);
        }
        if st.verification == Some(VerificationStatus::Verified)
            && let Some(id) = st.snapshot_id.filter(|i| !i.is_empty())
        {
            verified.entry(key).or_default().push(id);
        }
    }
    newest
        .into_iter()
        .filter_map(|((tier, repository), (_, namespace))| {
            let agency = agency_of(&repository)?;
            let mut v = verified
                .remove(&(tier.clone(), repository.clone()))
                .unwrap_or_default();
            v.sort();
            v.dedup();
            let mut busy: Vec<String> = backups
                .iter()
                .filter(|b| {
                    b.spec.repository == repository
                        && !crate::backup::finished(b.status.as_ref().and_then(|s| s.phase))
                })
                .map(|b| {
                    format!(
                        "{}/{}",
                        b.metadata.namespace.as_deref().unwrap_or_default(),
                        b.metadata.name.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            busy.sort();
            Some(Target {
                tier,
                repository,
                agency,
                namespace,
                verified: v,
                busy,
            })
        })
        .collect()
}

/// The retention Job of a tier in a repository: `retention-<plan>-<tier>-<repository>`,
/// shortened with a hash of the full name past 63 characters. One at a time per pair; the
/// controller deletes it once its result is recorded.
pub fn job_name(plan: &str, tier: &str, repository: &str) -> String {
    let full = format!("retention-{plan}-{tier}-{repository}");
    if full.len() <= 63 {
        return full;
    }
    let hash = format!("{:08x}", fnv1a(&full) & 0xffff_ffff);
    let mut keep = 63 - hash.len() - 1;
    while !full.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}-{hash}", full[..keep].trim_end_matches('-'))
}

/// What the forget report says, as far as the status needs (the mover's `ForgetReport`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForgetSummary {
    /// Snapshots forgotten (may be cut short to fit a termination message).
    #[serde(default)]
    pub forgotten: Vec<String>,
    /// How many were forgotten (the whole count, even when the list was cut).
    #[serde(default)]
    pub forgotten_count: Option<u32>,
    /// Unused data was pruned.
    #[serde(default)]
    pub pruned: bool,
    /// Stale locks removed first.
    #[serde(default)]
    pub removed_stale_locks: Vec<String>,
}

/// What to do for one target now.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Create the Job for the slot `now`.
    Start,
    /// Due, but a backup of the repository or another maintenance Job runs: look again soon.
    Wait(String),
    /// Not due before then (or never).
    Idle(Due),
    /// Our Job runs.
    Running,
    /// Our Job finished (or cannot start): record the outcome, then delete the Job.
    Finish(Outcome),
}

/// The outcome of a finished run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// Succeeded.
    pub ok: bool,
    /// The reason of [`RETENTION_APPLIED`].
    pub reason: &'static str,
    /// Snapshots forgotten.
    pub forgotten: Option<u32>,
    /// Pruned.
    pub pruned: Option<bool>,
    /// Stale locks removed.
    pub stale_locks_removed: Option<u32>,
    /// Errors.
    pub errors: Vec<String>,
}

/// What a finished (or stuck) Job says.
pub fn outcome(observed: &Observed) -> Option<Outcome> {
    let (succeeded, message) = match observed {
        Observed::Running => return None,
        Observed::Stuck { reason, message } => {
            return Some(Outcome {
                ok: false,
                reason: reason::FAILED,
                forgotten: None,
                pruned: None,
                stale_locks_removed: None,
                errors: vec![format!(
                    "the retention Pod cannot start: {reason}: {message}"
                )],
            });
        }
        Observed::Finished { succeeded, message } => (*succeeded, message.as_deref()),
    };
    let parsed = crate::backup::result::parse::<ForgetSummary>(message.unwrap_or_default());
    Some(match (succeeded, parsed) {
        (true, MoverResult::Report(r)) => Outcome {
            ok: true,
            reason: reason::SUCCEEDED,
            forgotten: Some(
                r.forgotten_count
                    .unwrap_or(u32::try_from(r.forgotten.len()).unwrap_or(u32::MAX)),
            ),
            pruned: Some(r.pruned),
            stale_locks_removed: Some(u32::try_from(r.removed_stale_locks.len()).unwrap_or(0)),
            errors: vec![],
        },
        (_, MoverResult::Failure(f)) => Outcome {
            ok: false,
            reason: if f.category == "locked" {
                reason::LOCKED
            } else {
                reason::FAILED
            },
            forgotten: None,
            pruned: None,
            stale_locks_removed: None,
            errors: vec![format!("{}: {}", f.category, f.message)],
        },
        (_, MoverResult::Unreadable(why)) => Outcome {
            ok: false,
            reason: reason::FAILED,
            forgotten: None,
            pruned: None,
            stale_locks_removed: None,
            errors: vec![format!("the retention Job left no result: {why}")],
        },
        (false, MoverResult::Report(_)) => Outcome {
            ok: false,
            reason: reason::FAILED,
            forgotten: None,
            pruned: None,
            stale_locks_removed: None,
            errors: vec!["the retention Job failed after printing a report".into()],
        },
    })
}

/// Everything [`step`] decides from.
#[derive(Clone, Debug)]
pub struct StepInput<'a> {
    /// The target.
    pub target: &'a Target,
    /// Its schedule.
    pub schedule: &'a CronSpec,
    /// Its status entry so far.
    pub status: Option<&'a RetentionStatus>,
    /// Our Job, observed (`None`: there is none).
    pub job: Option<Observed>,
    /// Other maintenance Jobs of the repository still running (any namespace).
    pub other_maintenance: Vec<String>,
    /// Now.
    pub now: Timestamp,
}

/// The next step for one target.
pub fn step(input: &StepInput<'_>) -> Step {
    if let Some(obs) = &input.job {
        return match outcome(obs) {
            None => Step::Running,
            Some(o) => Step::Finish(o),
        };
    }
    let last = input
        .status
        .and_then(|s| s.last_schedule_time.as_ref())
        .map(|t| t.0);
    match run_due(last, std::slice::from_ref(input.schedule), input.now) {
        Due::Now => {
            let mut blockers: Vec<String> = input
                .target
                .busy
                .iter()
                .map(|b| format!("backup {b}"))
                .collect();
            blockers.extend(input.other_maintenance.iter().map(|j| format!("Job {j}")));
            if blockers.is_empty() {
                Step::Start
            } else {
                Step::Wait(blockers.join(", "))
            }
        }
        due => Step::Idle(due),
    }
}

/// The status entry after a step: `Start` records the slot and the Job as Running, `Finish`
/// the outcome and its condition; other steps only refresh the next schedule time.
pub fn record(
    prev: Option<&RetentionStatus>,
    target: &Target,
    job: &str,
    step: &Step,
    next: Option<Timestamp>,
    now: Timestamp,
) -> RetentionStatus {
    let mut s = prev.cloned().unwrap_or_else(|| RetentionStatus {
        tier: target.tier.clone(),
        repository: target.repository.clone(),
        ..RetentionStatus::default()
    });
    s.next_schedule_time = next.map(Time);
    let what = crate::t!(
        "repository-retention-target",
        tier = &target.tier,
        repository = &target.repository
    );
    let desired = match step {
        Step::Start => {
            s.last_schedule_time = Some(Time(now));
            s.job = Some(job.to_string());
            s.phase = Some("Running".into());
            Some(Desired {
                type_: RETENTION_APPLIED,
                status: None,
                reason: reason::RUNNING,
                message: crate::t!("repository-retention-running", what = &what, job = job)
                    .to_string(),
            })
        }
        Step::Running if s.phase.as_deref() != Some("Running") => {
            s.job = Some(job.to_string());
            s.phase = Some("Running".into());
            None
        }
        Step::Finish(o) => {
            s.phase = Some(if o.ok { "Succeeded" } else { "Failed" }.into());
            s.last_run = Some(Time(now));
            if o.ok {
                s.last_success = Some(Time(now));
            }
            s.snapshots_forgotten = o.forgotten;
            s.pruned = o.pruned;
            s.stale_locks_removed = o.stale_locks_removed;
            s.errors = o.errors.clone();
            Some(Desired {
                type_: RETENTION_APPLIED,
                status: Some(o.ok),
                reason: o.reason,
                message: if o.ok {
                    crate::t!(
                        "repository-retention-done",
                        what = &what,
                        forgotten = o.forgotten.unwrap_or(0),
                        pruned = o.pruned.unwrap_or(false)
                    )
                    .to_string()
                } else {
                    crate::t!(
                        "repository-retention-failed",
                        what = &what,
                        errors = &o.errors.join("; ")
                    )
                    .to_string()
                },
            })
        }
        _ => None,
    };
    if let Some(d) = desired {
        s.conditions = conditions::merge(&s.conditions, &[d], None, Time(now));
    }
    s
}

#[cfg(test)]
mod tests;
