//! One pass of the Failover controller, decided (DR-PLAN, SEC-INCIDENT).
//!
//! The controller reads the Failover, its plan, the two Sites (and the epoch each site's
//! agent answers a heartbeat with), the plan's Backups and the sign-offs; calls [`decide`]
//! once; and applies the [`Decision`]: at most one piece of [`Work`] — the steps recorded as
//! running, done together, or the final report — whose outcome it folds into
//! `Decision::status` with [`Decision::record`] before its one status write.
//!
//! A step therefore takes two passes: one records it as running (the fence step with the
//! epoch it will stamp), the next does it and records how it ended. Doing a step is
//! idempotent: a pass that dies after the work but before its write is repeated with the
//! same epoch and attempt, so with the same request ids, which the agents answer from their
//! record. Nothing is done twice and the epoch goes up once, whatever pass dies.

use super::restore::{self, Targets};
use super::steps::{self, Action, Observations, PlannedStep, StepAction, StepPlan, StepResult};
use super::{SourceRef, achieved, failover_status};
use crate::conditions;
use crate::i18n::Text;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{
    Backup, DisasterRecoveryPlan, FailoverPhase, FailoverSpec, FailoverStatus, FailoverType,
    Member, RecordedIdentity, StepState,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// Look again this soon after a pass that moved the execution on (a step recorded as
/// started or finished).
pub const AGAIN: Duration = Duration::from_millis(200);
/// Look again this soon while steps run (a final sync waits for its Backups) or the peer is
/// away.
pub const WHILE_RUNNING: Duration = Duration::from_secs(10);
/// Look again this soon while a person is waited for.
pub const WHILE_WAITING_FOR_PERSON: Duration = Duration::from_secs(30);

/// What the fencing epochs look like from here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Epochs {
    /// The epoch the agent of the site being left answered a heartbeat with; `None` when it
    /// did not answer.
    pub leaving: Option<u64>,
    /// The same for the site taking over.
    pub taking_over: Option<u64>,
    /// The epochs last recorded on the two Sites' status: a site that does not answer may
    /// hold one neither agent told us about.
    pub recorded: [Option<u64>; 2],
}

/// Everything one pass read.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// The plan executed.
    pub plan: &'a DisasterRecoveryPlan,
    /// The Failover's name.
    pub name: &'a str,
    /// The Failover's spec.
    pub spec: &'a FailoverSpec,
    /// The Failover's `metadata.generation`.
    pub generation: Option<i64>,
    /// The Failover's status as read (empty before its first pass).
    pub status: &'a FailoverStatus,
    /// The plan's sources in this cluster now (PVCs and buckets). Read only before the first
    /// step: afterwards the restore targets come from the recorded steps, so a resumed
    /// execution plans the same steps.
    pub sources: &'a [SourceRef],
    /// The plan's Backups.
    pub backups: &'a [Backup],
    /// Heartbeat answers and recorded epochs.
    pub epochs: Epochs,
    /// Sign-offs recorded on the Failover, by step id.
    pub approvals: &'a BTreeMap<String, RecordedIdentity>,
    /// Now.
    pub now: Timestamp,
}

/// One step to do, with the attempt it is (part of its request ids).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepJob {
    /// The step.
    pub step: PlannedStep,
    /// Its attempt, as recorded.
    pub attempt: u32,
}

/// The one piece of work of a pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Work {
    /// Nothing: write the status (when it changed) and look again.
    Nothing,
    /// Do these steps, all recorded as running, together; every call stamped with `epoch`.
    Run {
        /// The steps.
        steps: Vec<StepJob>,
        /// The fencing epoch to stamp.
        epoch: u64,
        /// The services in the execution's scope (one per verify step).
        scope: Vec<Member>,
    },
    /// The execution ended: write its report, then the status.
    Finish {
        /// Whether every step succeeded.
        succeeded: bool,
    },
}

/// What one pass does.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// The status to write (conditions included) when it differs from the one read; the
    /// outcome of [`Decision::work`] is folded in first ([`Decision::record`]).
    pub status: FailoverStatus,
    /// The work to do before writing it.
    pub work: Work,
    /// The steps this pass records as started (or started again).
    pub started: Vec<String>,
    /// The step machine's last action (for logs).
    pub action: Action,
    /// When to look again if the work finished no step; `None`: only on a change.
    pub requeue: Option<Duration>,
}

/// Whether an execution in `phase` is over: never touched again.
pub fn finished(phase: Option<FailoverPhase>) -> bool {
    matches!(
        phase,
        Some(FailoverPhase::Succeeded | FailoverPhase::Failed | FailoverPhase::Cancelled)
    )
}

/// The highest fencing epoch either site has seen: what the agents answered, the epoch this
/// execution holds when the site taking over did not answer, and the Sites' recorded ones.
pub fn current_epoch(status: &FailoverStatus, e: &Epochs) -> u64 {
    [e.leaving, e.taking_over]
        .into_iter()
        .flatten()
        .chain(status.epoch.filter(|_| e.taking_over.is_none()))
        .chain(e.recorded.into_iter().flatten())
        .max()
        .unwrap_or(0)
}

/// The epoch the heartbeats of a pass tell both sites (so a fenced site learns it and stands
/// down): the one this execution holds once its `fence` step has promoted the site taking
/// over, else none (0). A fence step recorded but not yet done must not announce its epoch:
/// a site that learned it from a heartbeat would refuse the promotion at that epoch as not
/// newer.
pub fn announced_epoch(status: &FailoverStatus) -> u64 {
    let fenced = status
        .steps
        .iter()
        .any(|s| s.id == super::steps::ids::FENCE && s.state == StepState::Succeeded);
    status.epoch.filter(|_| fenced).unwrap_or(0)
}

/// The steps of the execution: the restore targets (PVCs per service) are chosen when it
/// starts and read back from the recorded steps afterwards.
pub fn step_plan(o: &Observed<'_>) -> Result<StepPlan, Text> {
    let targets: Targets = match restore::recorded(o.status) {
        Some(t) => t,
        None => restore::targets(o.plan, o.sources, o.backups),
    };
    steps::steps_for(o.plan, o.spec, &targets)
}

/// Decides one pass. Pure: the same observations always give the same decision.
///
/// Status-only decisions are folded into the one pass (a sign-off recorded, a final sync
/// skipped, a person's step started); the pass stops at the first that needs work: steps to
/// start are recorded as running and done by the next pass, steps recorded as running are
/// done by this one, and an ended execution writes its report.
pub fn decide(o: &Observed<'_>) -> Result<Decision, Text> {
    let mut status = o.status.clone();
    if finished(status.phase) {
        return Ok(Decision {
            status,
            work: Work::Nothing,
            started: Vec::new(),
            action: Action::Done,
            requeue: None,
        });
    }
    let plan = step_plan(o)?;
    if status.steps.is_empty() {
        status.steps = plan.initial_status();
    }
    status.observed_generation = o.generation;
    let obs = Observations {
        now: o.now,
        peer_reachable: o.epochs.leaving.is_some(),
        current_epoch: current_epoch(o.status, &o.epochs),
        results: BTreeMap::new(),
        approvals: o.approvals.clone(),
    };
    let mut started = Vec::new();
    // Each turn changes at least one step's state, so this ends; the bound is a guard.
    let mut action = Action::Done;
    for _ in 0..=plan.steps.len() + 1 {
        action = steps::next_step(&plan, &status, &obs);
        steps::apply(&plan, &mut status, &action, o.now);
        match &action {
            Action::Record(_) => continue,
            Action::Start { steps: ids, .. } => {
                started.extend(ids.iter().cloned());
                let people_only = ids.iter().all(|id| {
                    plan.steps
                        .iter()
                        .any(|s| &s.id == id && s.action.is_person())
                });
                if people_only {
                    continue;
                }
            }
            Action::Retry { step, .. } => started.push(step.clone()),
            _ => {}
        }
        break;
    }
    let (work, requeue) = match &action {
        Action::Start { .. } | Action::Retry { .. } => (Work::Nothing, Some(AGAIN)),
        Action::Fail { .. } | Action::Done => {
            status.tiers = tiers(o, &status);
            (
                Work::Finish {
                    succeeded: action == Action::Done,
                },
                None,
            )
        }
        Action::Record(_) | Action::Wait { .. } | Action::Observe { .. } => {
            let waiting_for_person =
                matches!(&action, Action::Wait { roles, .. } if !roles.is_empty());
            let work = run(o.plan, &plan, &status, &obs, o.spec.kind);
            let requeue = if waiting_for_person && work == Work::Nothing {
                WHILE_WAITING_FOR_PERSON
            } else {
                WHILE_RUNNING
            };
            (work, Some(requeue))
        }
    };
    status.conditions = conditions::merge(
        &o.status.conditions,
        &failover_status::conditions(&status, &action),
        o.generation,
        Time(o.now),
    );
    Ok(Decision {
        status,
        work,
        started,
        action,
        requeue,
    })
}

/// The automated steps recorded as running, to be done now (again, after a crash: with the
/// same request ids), stamped with the epoch this execution holds (a drill, which never
/// fences, with the current one).
fn run(
    dr_plan: &DisasterRecoveryPlan,
    plan: &StepPlan,
    status: &FailoverStatus,
    obs: &Observations,
    kind: FailoverType,
) -> Work {
    let steps: Vec<StepJob> = plan
        .steps
        .iter()
        .filter(|p| !p.action.is_person())
        .filter_map(|p| {
            let s = status.steps.iter().find(|s| s.id == p.id)?;
            (s.state == StepState::Running).then(|| StepJob {
                step: p.clone(),
                attempt: s.attempts.unwrap_or(1),
            })
        })
        .collect();
    if steps.is_empty() {
        return Work::Nothing;
    }
    let epoch = match (kind, status.epoch) {
        (FailoverType::Drill, _) | (_, None) => obs.current_epoch,
        (_, Some(held)) => held,
    };
    Work::Run {
        steps,
        epoch,
        scope: scope(dr_plan, plan),
    }
}

/// The services in the execution's scope: those with a verify step (one per service,
/// however many PVCs it restores).
fn scope(dr_plan: &DisasterRecoveryPlan, plan: &StepPlan) -> Vec<Member> {
    let members = super::members(&dr_plan.spec);
    plan.steps
        .iter()
        .filter(|s| s.action == StepAction::Verify)
        .filter_map(|s| {
            let name = s.service.as_deref()?;
            members
                .iter()
                .find(|(_, m)| m.name == name)
                .map(|(_, m)| (*m).clone())
        })
        .collect()
}

/// RPO and RTO achieved per tier when the execution ends: the RPO is the age, at the start
/// of the execution, of the Backup each restore step brought back.
fn tiers(o: &Observed<'_>, status: &FailoverStatus) -> Vec<pusdata_crds::v1alpha1::TierOutcome> {
    let rpo = achieved::restored_ages(status, |s| {
        let member = s.service.as_deref()?;
        let verified = s
            .tier
            .as_deref()
            .is_some_and(|t| restore::requires_verified(o.plan, o.spec.kind, t));
        restore::pick(o.backups, o.name, member, s.pvc.as_deref(), verified)
            .ok()
            .and_then(|b| b.status.as_ref()?.finished_at.as_ref().map(|t| t.0))
    });
    achieved::tier_outcomes(o.plan, status, &rpo)
}

impl Decision {
    /// Folds the outcome of [`Decision::work`] into the status to write, at `now`: each
    /// finished step becomes `Succeeded` or `Failed` with its note (a step still running
    /// stays so). Returns the steps that finished. What follows from an outcome (a retry,
    /// the end) is decided by the next pass, from the written status.
    pub fn record(&mut self, results: &[(String, StepResult)], now: Timestamp) -> Vec<String> {
        let updates: Vec<steps::Update> = results
            .iter()
            .filter_map(|(id, r)| steps::outcome(id, r))
            .collect();
        if !updates.is_empty() {
            steps::record(&mut self.status, &updates, now);
        }
        updates.into_iter().map(|u| u.id).collect()
    }
}

#[cfg(test)]
mod tests;
