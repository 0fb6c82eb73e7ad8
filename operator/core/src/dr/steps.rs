//! The step machine of a drill, failover or failback.
//!
//! [`steps`] turns a plan and a `Failover` spec into a [`StepPlan`]: every step with the steps
//! it needs, so restores of independent services can run in parallel while a database is
//! restored and verified before the application that uses it. [`next_step`] reads the
//! recorded progress (`FailoverStatus`) and fresh [`Observations`] and says what to do next;
//! [`apply`] writes what was decided into the status. The controller loops
//! `observe → next_step → act → apply → persist`; after a crash it resumes from the persisted
//! status: a succeeded step is never started again, a running one is looked at again rather
//! than restarted, and promotion waits until this execution holds the newest fencing epoch.

use super::restore::Targets;
use crate::i18n::Text;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{
    DisasterRecoveryPlan, FailoverPhase, FailoverSpec, FailoverStatus, FailoverType,
    RecordedIdentity, RunbookStep, StepKind, StepStage, StepState, StepStatus,
};
use std::collections::{BTreeMap, BTreeSet};

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepAction {
    /// A runbook step: automated, or done/approved by a person in `role`.
    Runbook {
        /// Automated, Manual or Approval.
        kind: StepKind,
        /// Owner role (see the plan's contacts).
        role: String,
    },
    /// Fence the site being left (primary on failover, DRC on failback) with epoch + 1.
    Fence,
    /// Last synchronisation from the site being left, so nothing written there is lost.
    FinalSync,
    /// Restore one service (into an isolated namespace for a drill).
    Restore,
    /// Verify one service: snapshot checksums, then the readiness of its workloads and its
    /// smoke command when the plan asks for them (`dr::drc`; skipped in a local drill).
    Verify,
    /// Compute the RTO achieved per tier from the step timestamps (drills).
    MeasureRto,
    /// Remove a drill's isolated namespaces. Replication was never paused.
    Teardown,
    /// Point traffic (DNS, load balancer) at the site taking over.
    SwitchTraffic,
}

impl StepAction {
    pub(crate) fn is_person(&self) -> bool {
        matches!(
            self,
            StepAction::Runbook {
                kind: StepKind::Manual | StepKind::Approval,
                ..
            }
        )
    }
}

/// One planned step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedStep {
    /// Stable id: the runbook id, or `fence`, `final-sync`, `restore/<svc>/<pvc>` (or
    /// `restore/<svc>` for a service without known PVCs), `verify/<svc>`,
    /// `measure-rto`, `teardown`, `switch-traffic`.
    pub id: String,
    /// What it does.
    pub action: StepAction,
    /// In plain words, for the status and the report.
    pub title: String,
    /// The service concerned.
    pub service: Option<String>,
    /// The tier concerned.
    pub tier: Option<String>,
    /// The PVC concerned (restore steps planned per PVC, see `dr::restore`).
    pub pvc: Option<String>,
    /// Steps that must have succeeded (or been skipped) first.
    pub needs: Vec<String>,
    /// For runbook steps: escalate along the call tree when not done in this time.
    pub timeout: Option<std::time::Duration>,
}

/// The steps of one execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepPlan {
    /// Drill, Failover or Failback.
    pub kind: FailoverType,
    /// Whether the final sync may be skipped when the peer is unreachable.
    pub accept_data_loss: bool,
    /// How many times an automated step is tried before the execution fails.
    pub max_attempts: u32,
    /// Steps in execution order (needs always come earlier).
    pub steps: Vec<PlannedStep>,
}

/// Default number of tries of an automated step.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Well-known step ids.
pub mod ids;

/// A runbook step as planned: done by people one at a time, after `needs`.
fn runbook_step(s: &RunbookStep, needs: &[String]) -> PlannedStep {
    PlannedStep {
        id: s.id.clone(),
        action: StepAction::Runbook {
            kind: s.kind,
            role: s.owner_role.clone(),
        },
        title: s.title.en().to_string(),
        service: None,
        tier: None,
        pvc: None,
        needs: needs.to_vec(),
        timeout: s
            .timeout
            .as_deref()
            .and_then(|t| crate::duration::parse(t).ok()),
    }
}

/// Builds the step plan of an execution with every service restored as one unit (no known
/// PVCs, as in the embedded drill). See [`steps_for`].
pub fn steps(plan: &DisasterRecoveryPlan, spec: &FailoverSpec) -> Result<StepPlan, Text> {
    steps_for(plan, spec, &Targets::new())
}

/// Builds the step plan of an execution: one restore step per PVC of each service in
/// `targets` (`restore/<svc>/<pvc>`, in PVC name order, parallel with each other), one
/// `restore/<svc>` for a service without targets, and one `verify/<svc>` that needs every
/// restore of its service — so a service counts as restored only when all its PVCs are, and
/// its dependents wait for that. Fails (in both languages) when the scope names an unknown
/// tier or service, or the dependencies have a cycle.
pub fn steps_for(
    plan: &DisasterRecoveryPlan,
    spec: &FailoverSpec,
    targets: &Targets,
) -> Result<StepPlan, Text> {
    let order = super::order::dependency_order(&plan.spec).map_err(|c| {
        let c = c.join(" → ");
        crate::t!("dr-steps-dependency-cycle-restore-order", cycle = &c)
    })?;
    let all = super::order::members(&plan.spec);
    let by_name: BTreeMap<&str, _> = all
        .iter()
        .map(|(t, m)| (m.name.as_str(), (*t, *m)))
        .collect();
    let in_scope = scope(plan, spec, &by_name)?;
    let kind = spec.kind;
    let mut out: Vec<PlannedStep> = Vec::new();
    let mut gate: Vec<String> = Vec::new();
    let runbook = |stage: StepStage| {
        plan.spec.runbook.iter().filter(move |s| {
            s.stage == stage && (s.applies_to.is_empty() || s.applies_to.contains(&kind))
        })
    };
    // People work through the runbook one step at a time, in the written order.
    for s in runbook(StepStage::Before) {
        out.push(runbook_step(s, &gate));
        gate = vec![s.id.clone()];
    }
    let (from, to) = match kind {
        FailoverType::Failback => ("DRC", "primary"),
        _ => ("primary", "DRC"),
    };
    if kind != FailoverType::Drill {
        out.push(PlannedStep {
            id: ids::FENCE.into(),
            action: StepAction::Fence,
            title: format!("Fence the {from} site with a new epoch so it refuses further work"),
            service: None,
            tier: None,
            pvc: None,
            needs: gate.clone(),
            timeout: None,
        });
        out.push(PlannedStep {
            id: ids::FINAL_SYNC.into(),
            action: StepAction::FinalSync,
            title: format!("Final sync from the {from} to the {to}"),
            service: None,
            tier: None,
            pvc: None,
            needs: vec![ids::FENCE.into()],
            timeout: None,
        });
        gate = vec![ids::FINAL_SYNC.into()];
    }
    let mut verifies = Vec::new();
    for name in order.iter().filter(|n| in_scope.contains(n.as_str())) {
        let Some((tier, member)) = by_name.get(name.as_str()) else {
            continue;
        };
        let mut needs = gate.clone();
        needs.extend(
            member
                .depends_on
                .iter()
                .filter(|d| in_scope.contains(d.as_str()))
                .map(|d| ids::verify(d)),
        );
        let pvcs: Vec<Option<&String>> = match targets.get(name.as_str()) {
            Some(p) if !p.is_empty() => p.iter().map(Some).collect(),
            _ => vec![None],
        };
        let mut restores = Vec::new();
        for pvc in pvcs {
            let what = match pvc {
                Some(p) => format!("PVC {p} of {name}"),
                None => name.clone(),
            };
            let title = if kind == FailoverType::Drill {
                format!(
                    "Restore {what} at the DRC into an isolated namespace (copy of {})",
                    member.namespace
                )
            } else {
                format!(
                    "Restore {what} at the {to} into namespace {}",
                    member.namespace
                )
            };
            let id = match pvc {
                Some(p) => ids::restore_pvc(name, p),
                None => ids::restore(name),
            };
            restores.push(id.clone());
            out.push(PlannedStep {
                id,
                action: StepAction::Restore,
                title,
                service: Some(name.clone()),
                tier: Some(tier.name.clone()),
                pvc: pvc.cloned(),
                needs: needs.clone(),
                timeout: None,
            });
        }
        let ready = if member.readiness.is_some() {
            ", wait for its workloads to be ready"
        } else {
            ""
        };
        let smoke = if member.smoke_command.is_empty() {
            String::new()
        } else {
            format!(" and run `{}`", member.smoke_command.join(" "))
        };
        out.push(PlannedStep {
            id: ids::verify(name),
            action: StepAction::Verify,
            title: format!("Verify {name}: compare checksums with the snapshot{ready}{smoke}"),
            service: Some(name.clone()),
            tier: Some(tier.name.clone()),
            pvc: None,
            needs: restores,
            timeout: None,
        });
        verifies.push(ids::verify(name));
    }
    if verifies.is_empty() {
        verifies = gate.clone();
    }
    let last = if kind == FailoverType::Drill {
        out.push(PlannedStep {
            id: ids::MEASURE_RTO.into(),
            action: StepAction::MeasureRto,
            title: "Measure the RTO achieved per tier".into(),
            service: None,
            tier: None,
            pvc: None,
            needs: verifies,
            timeout: None,
        });
        out.push(PlannedStep {
            id: ids::TEARDOWN.into(),
            action: StepAction::Teardown,
            title: "Remove the isolated namespaces; replication kept running throughout".into(),
            service: None,
            tier: None,
            pvc: None,
            needs: vec![ids::MEASURE_RTO.into()],
            timeout: None,
        });
        ids::TEARDOWN
    } else {
        out.push(PlannedStep {
            id: ids::SWITCH_TRAFFIC.into(),
            action: StepAction::SwitchTraffic,
            title: format!("Switch traffic to the {to}"),
            service: None,
            tier: None,
            pvc: None,
            needs: verifies,
            timeout: None,
        });
        ids::SWITCH_TRAFFIC
    };
    let mut gate = vec![last.to_string()];
    for s in runbook(StepStage::After) {
        out.push(runbook_step(s, &gate));
        gate = vec![s.id.clone()];
    }
    Ok(StepPlan {
        kind,
        accept_data_loss: spec.accept_data_loss,
        max_attempts: DEFAULT_MAX_ATTEMPTS,
        steps: out,
    })
}

fn scope<'a>(
    plan: &'a DisasterRecoveryPlan,
    spec: &FailoverSpec,
    by_name: &BTreeMap<
        &'a str,
        (
            &'a pusdata_crds::v1alpha1::Tier,
            &'a pusdata_crds::v1alpha1::Member,
        ),
    >,
) -> Result<BTreeSet<&'a str>, Text> {
    let mut wanted: Vec<&str> = Vec::new();
    if spec.scope.tiers.is_empty() && spec.scope.services.is_empty() {
        wanted.extend(by_name.keys().copied());
    }
    for t in &spec.scope.tiers {
        let tier = plan
            .spec
            .tiers
            .iter()
            .find(|x| &x.name == t)
            .ok_or_else(|| crate::t!("dr-steps-scope-names-unknown-tier", tier = &t))?;
        wanted.extend(tier.members.iter().map(|m| m.name.as_str()));
    }
    for s in &spec.scope.services {
        let (name, _) = by_name
            .get_key_value(s.as_str())
            .ok_or_else(|| crate::t!("dr-steps-scope-names-unknown-service", service = &s))?;
        wanted.push(name);
    }
    // A service cannot come back without what it depends on, whatever the scope says.
    let mut out = BTreeSet::new();
    while let Some(n) = wanted.pop() {
        if out.insert(n)
            && let Some((_, m)) = by_name.get(n)
        {
            wanted.extend(
                m.depends_on
                    .iter()
                    .filter_map(|d| by_name.get_key_value(d.as_str()).map(|(k, _)| *k)),
            );
        }
    }
    Ok(out)
}

impl StepPlan {
    /// The initial progress: every step pending, in order.
    pub fn initial_status(&self) -> Vec<StepStatus> {
        self.steps
            .iter()
            .map(|s| StepStatus {
                id: s.id.clone(),
                action: s.title.clone(),
                service: s.service.clone(),
                tier: s.tier.clone(),
                pvc: s.pvc.clone(),
                state: StepState::Pending,
                ..StepStatus::default()
            })
            .collect()
    }

    fn get(&self, id: &str) -> Option<&PlannedStep> {
        self.steps.iter().find(|s| s.id == id)
    }

    fn fences(&self) -> bool {
        self.kind != FailoverType::Drill
    }
}

/// What the shell saw of a running step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// Still going.
    Running,
    /// Finished well, with a short note (figures, checksums) from the catalogue: reports show
    /// it in the reader's language.
    Succeeded(Text),
    /// A restore finished well: its note, and the checksum of the tree it brought back,
    /// recorded as a field of the step for the verify step to compare with.
    Restored {
        /// Short note (figures), from the catalogue.
        note: Text,
        /// Checksum of the restored tree; empty when the agent skipped computing it.
        checksum: String,
    },
    /// Finished badly, with the reason from the catalogue (an outside error is an argument).
    Failed(Text),
    /// Its worker is gone (Job deleted, agent restarted) without a result: run it again.
    Lost,
}

/// What the shell observed just before asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observations {
    /// Now.
    pub now: Timestamp,
    /// Whether the site being left (primary on failover, DRC on failback) answers.
    pub peer_reachable: bool,
    /// The highest fencing epoch either site has seen.
    pub current_epoch: u64,
    /// Results of steps recorded as running, by step id.
    pub results: BTreeMap<String, StepResult>,
    /// Sign-offs of manual and approval steps, by step id, with the authenticated identity.
    pub approvals: BTreeMap<String, RecordedIdentity>,
}

/// A change to one step's recorded progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    /// Step id.
    pub id: String,
    /// New state.
    pub state: StepState,
    /// Outcome note or error.
    pub message: Option<String>,
    /// The same in both languages, when the core words it (catalogue).
    pub note: Option<Text>,
    /// Who signed it off.
    pub approved_by: Option<RecordedIdentity>,
    /// Checksum of the tree a restore brought back.
    pub checksum: Option<String>,
}

/// What to do next.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Write these outcomes into the status (then ask again).
    Record(Vec<Update>),
    /// Start these steps, all at once: the DAG allows them in parallel. Work is stamped with
    /// `epoch`; a site refuses work with an older epoch.
    Start {
        /// Step ids.
        steps: Vec<String>,
        /// Fencing epoch to stamp.
        epoch: u64,
    },
    /// Run a failed automated step again (steps are idempotent).
    Retry {
        /// Step id.
        step: String,
        /// The attempt number this will be.
        attempt: u32,
        /// Fencing epoch to stamp.
        epoch: u64,
    },
    /// Wait for people (sign-off or approval) or for the peer to come back.
    Wait {
        /// Steps waited on.
        steps: Vec<String>,
        /// Steps waited on past their runbook timeout: escalate along the call tree.
        overdue: Vec<String>,
        /// Roles to call.
        roles: Vec<String>,
        /// Why, for the status and the call tree.
        reason: Text,
    },
    /// Steps are running: look again later; never start them twice.
    Observe {
        /// Running step ids.
        steps: Vec<String>,
    },
    /// Stop: the execution failed.
    Fail {
        /// The step that failed, if one did.
        step: Option<String>,
        /// Why.
        reason: Text,
    },
    /// Every step succeeded or was skipped.
    Done,
}

fn state_of(status: &FailoverStatus, id: &str) -> StepState {
    status
        .steps
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.state)
        .unwrap_or_default()
}

fn recorded<'a>(status: &'a FailoverStatus, id: &str) -> Option<&'a StepStatus> {
    status.steps.iter().find(|s| s.id == id)
}

fn finished_ok(state: StepState) -> bool {
    matches!(state, StepState::Succeeded | StepState::Skipped)
}

/// The recorded outcome of a running step's result: `None` while it is still running.
pub fn outcome(id: &str, result: &StepResult) -> Option<Update> {
    let done = |state, note: &Text, checksum: Option<String>| Update {
        id: id.to_string(),
        state,
        message: Some(note.en.clone()).filter(|m| !m.is_empty()),
        note: Some(note.clone()).filter(|m| !m.en.is_empty()),
        approved_by: None,
        checksum,
    };
    match result {
        StepResult::Running => None,
        StepResult::Succeeded(note) => Some(done(StepState::Succeeded, note, None)),
        StepResult::Restored { note, checksum } => Some(done(
            StepState::Succeeded,
            note,
            Some(checksum.clone()).filter(|c| !c.is_empty()),
        )),
        // A failure keeps its message even when empty: `Fail` quotes it.
        StepResult::Failed(why) => Some(Update {
            message: Some(why.en.clone()),
            note: Some(why.clone()),
            ..done(StepState::Failed, why, None)
        }),
        StepResult::Lost => Some(done(StepState::Failed, &crate::t!("dr-step-lost"), None)),
    }
}

/// Decides the next action. Pure: the same plan, status and observations always give the same
/// action.
pub fn next_step(plan: &StepPlan, status: &FailoverStatus, obs: &Observations) -> Action {
    // Never two active sites: once this execution fenced with epoch e, anyone holding a newer
    // epoch has taken over, and this execution must stop before it promotes anything.
    if let Some(held) = status.epoch
        && plan.fences()
        && obs.current_epoch > held
    {
        return Action::Fail {
            step: None,
            reason: crate::t!(
                "dr-steps-stale-epoch-execution-holds",
                held = &held,
                current_epoch = &obs.current_epoch
            ),
        };
    }

    // 1. Turn observations into recorded outcomes first, so every decision below reads
    //    persisted facts and a crash between two calls loses nothing.
    let mut updates = Vec::new();
    for step in &plan.steps {
        match state_of(status, &step.id) {
            StepState::Running => {
                if let Some(u) = obs.results.get(&step.id).and_then(|r| outcome(&step.id, r)) {
                    updates.push(u);
                }
            }
            StepState::Waiting => {
                if let Some(who) = obs.approvals.get(&step.id) {
                    updates.push(Update {
                        id: step.id.clone(),
                        state: StepState::Succeeded,
                        message: Some(
                            crate::t!("dr-step-signed-off", who = who.username.as_str()).en,
                        ),
                        note: Some(crate::t!("dr-step-signed-off", who = who.username.as_str())),
                        approved_by: Some(who.clone()),
                        checksum: None,
                    });
                }
            }
            _ => {}
        }
    }
    if !updates.is_empty() {
        return Action::Record(updates);
    }

    let held_or_current = status.epoch.unwrap_or(obs.current_epoch);

    // 2. Failed automated steps are retried up to the limit. A step out of attempts fails
    //    its branch only: everything that does not depend on it still runs (a drill measures
    //    what it can, a failover brings back what it can), and the execution fails at the end.
    let mut failed: Option<Action> = None;
    for step in &plan.steps {
        if state_of(status, &step.id) != StepState::Failed {
            continue;
        }
        let attempts = recorded(status, &step.id)
            .and_then(|s| s.attempts)
            .unwrap_or(1);
        if attempts < plan.max_attempts && !step.action.is_person() {
            return Action::Retry {
                step: step.id.clone(),
                attempt: attempts + 1,
                epoch: held_or_current,
            };
        }
        if failed.is_none() {
            // The step's note holds its reason in both languages; a status written before
            // notes existed has only the English message.
            let why = recorded(status, &step.id)
                .and_then(|s| {
                    s.note
                        .as_ref()
                        .map(|n| Text::new(n.en(), n.id()))
                        .or_else(|| s.message.clone().map(|m| Text::new(m.clone(), m)))
                })
                .unwrap_or_default();
            failed = Some(Action::Fail {
                step: Some(step.id.clone()),
                reason: crate::t!(
                    "dr-steps-step-failed-after-attempt",
                    id = &step.id,
                    attempts = &attempts,
                    why = &why
                ),
            });
        }
    }

    // 3. Steps whose needs are met.
    let ready: Vec<&PlannedStep> = plan
        .steps
        .iter()
        .filter(|s| state_of(status, &s.id) == StepState::Pending)
        .filter(|s| s.needs.iter().all(|n| finished_ok(state_of(status, n))))
        .collect();
    let mut start = Vec::new();
    let mut peer_wait = None;
    for step in &ready {
        match step.action {
            StepAction::FinalSync if !obs.peer_reachable => {
                if plan.accept_data_loss {
                    return Action::Record(vec![Update {
                        id: step.id.clone(),
                        state: StepState::Skipped,
                        message: Some(crate::t!("dr-step-final-sync-skipped").en),
                        note: Some(crate::t!("dr-step-final-sync-skipped")),
                        approved_by: None,
                        checksum: None,
                    }]);
                }
                peer_wait = Some(step.id.clone());
            }
            StepAction::SwitchTraffic if status.epoch.is_none() => {
                return Action::Fail {
                    step: Some(step.id.clone()),
                    reason: crate::t!("dr-steps-refusing-switch-traffic-execution"),
                };
            }
            _ => start.push(step.id.clone()),
        }
    }
    if !start.is_empty() {
        let epoch = if start.iter().any(|s| s == ids::FENCE) {
            obs.current_epoch.max(status.epoch.unwrap_or(0)) + 1
        } else {
            held_or_current
        };
        return Action::Start {
            steps: start,
            epoch,
        };
    }

    // 4. Nothing to start: wait for people, for the peer, or for running work.
    let waiting: Vec<&PlannedStep> = plan
        .steps
        .iter()
        .filter(|s| state_of(status, &s.id) == StepState::Waiting)
        .collect();
    if !waiting.is_empty() {
        let roles = waiting
            .iter()
            .filter_map(|s| match &s.action {
                StepAction::Runbook { role, .. } => Some(role.clone()),
                _ => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names: Vec<String> = waiting.iter().map(|s| s.id.clone()).collect();
        let overdue: Vec<String> = waiting
            .iter()
            .filter(|s| {
                let started = recorded(status, &s.id).and_then(|r| r.started_at.as_ref());
                match (s.timeout, started) {
                    (Some(limit), Some(at)) => {
                        (obs.now - at.0).get_seconds()
                            > i64::try_from(limit.as_secs()).unwrap_or(i64::MAX)
                    }
                    _ => false,
                }
            })
            .map(|s| s.id.clone())
            .collect();
        let list = names.join(", ");
        return Action::Wait {
            steps: names,
            overdue,
            roles,
            reason: crate::t!("dr-steps-waiting-person-sign-off", list = &list),
        };
    }
    let running: Vec<String> = plan
        .steps
        .iter()
        .filter(|s| state_of(status, &s.id) == StepState::Running)
        .map(|s| s.id.clone())
        .collect();
    if !running.is_empty() {
        return Action::Observe { steps: running };
    }
    if let Some(fail) = failed {
        return fail;
    }
    if let Some(id) = peer_wait {
        return Action::Wait {
            steps: vec![id],
            overdue: Vec::new(),
            roles: Vec::new(),
            reason: crate::t!("dr-steps-site-being-left-unreachable"),
        };
    }
    if plan
        .steps
        .iter()
        .all(|s| finished_ok(state_of(status, &s.id)))
    {
        return Action::Done;
    }
    Action::Fail {
        step: None,
        reason: crate::t!("dr-steps-step-can-proceed-recorded"),
    }
}

/// Writes a decided action into the status, at `now`. The controller persists the result
/// before (for `Start`/`Retry`) or after (for `Record`) acting, so a crash never loses a
/// finished step.
pub fn apply(plan: &StepPlan, status: &mut FailoverStatus, action: &Action, now: Timestamp) {
    if status.steps.is_empty() {
        status.steps = plan.initial_status();
    }
    let t = Time(now);
    let touch = |status: &mut FailoverStatus, id: &str, f: &mut dyn FnMut(&mut StepStatus)| {
        if let Some(s) = status.steps.iter_mut().find(|s| s.id == id) {
            f(s);
        }
    };
    match action {
        Action::Record(updates) => record(status, updates, now),
        Action::Start { steps, epoch } => {
            for id in steps {
                let person = plan.get(id).is_some_and(|p| p.action.is_person());
                touch(status, id, &mut |s| {
                    s.state = if person {
                        StepState::Waiting
                    } else {
                        StepState::Running
                    };
                    s.started_at = Some(t.clone());
                    s.attempts = Some(s.attempts.unwrap_or(0) + 1);
                });
                if id == ids::FENCE {
                    status.epoch = Some(*epoch);
                }
            }
            status.current_step = steps.first().cloned();
            status.started_at.get_or_insert(t.clone());
            status.phase = Some(FailoverPhase::Running);
        }
        Action::Retry { step, attempt, .. } => {
            touch(status, step, &mut |s| {
                s.state = StepState::Running;
                s.attempts = Some(*attempt);
                s.finished_at = None;
                s.message = None;
                s.note = None;
                s.checksum = None;
                s.started_at = Some(t.clone());
            });
            status.current_step = Some(step.clone());
            status.phase = Some(FailoverPhase::Running);
        }
        Action::Wait { steps, roles, .. } => {
            status.current_step = steps.first().cloned();
            status.phase = Some(if roles.is_empty() {
                FailoverPhase::Running
            } else {
                FailoverPhase::WaitingForPerson
            });
        }
        Action::Observe { steps } => {
            status.current_step = steps.first().cloned();
            status.phase = Some(FailoverPhase::Running);
        }
        Action::Fail { step, .. } => {
            if step.is_some() {
                status.current_step = step.clone();
            }
            status.phase = Some(FailoverPhase::Failed);
            status.finished_at.get_or_insert(t);
        }
        Action::Done => {
            status.current_step = None;
            status.phase = Some(FailoverPhase::Succeeded);
            status.finished_at.get_or_insert(t);
        }
    }
}

/// Writes recorded outcomes into the status, at `now`: a finished step gets `finishedAt`
/// (and `startedAt` when it never had one). The execution is running.
pub fn record(status: &mut FailoverStatus, updates: &[Update], now: Timestamp) {
    let t = Time(now);
    for u in updates {
        let Some(s) = status.steps.iter_mut().find(|s| s.id == u.id) else {
            continue;
        };
        s.state = u.state;
        s.message = u.message.clone();
        s.note = u
            .note
            .as_ref()
            .map(|t| pusdata_crds::v1alpha1::LocalizedText::both(&t.en, &t.id));
        s.checksum = u.checksum.clone();
        if u.approved_by.is_some() {
            s.approved_by = u.approved_by.clone();
        }
        if matches!(
            u.state,
            StepState::Succeeded | StepState::Failed | StepState::Skipped
        ) {
            s.finished_at = Some(t.clone());
            if s.started_at.is_none() {
                s.started_at = Some(t.clone());
            }
        }
    }
    status.phase = Some(FailoverPhase::Running);
}

/// Reasons of the Events a Failover publishes for its steps (docs/reference/conditions.md).
pub mod step_reason {
    /// A step started.
    pub const STARTED: &str = "StepStarted";
    /// A step waits for a person to sign it off or approve it.
    pub const WAITING: &str = "StepWaitingForPerson";
    /// A step succeeded.
    pub const SUCCEEDED: &str = "StepSucceeded";
    /// A step failed.
    pub const FAILED: &str = "StepFailed";
    /// A step was not needed.
    pub const SKIPPED: &str = "StepSkipped";
}

/// The steps whose state changed from `old` to `new`, as Event-worthy transitions (type
/// `Step`, the step id first in the message). `Pending` is quiet; a failed step is a
/// warning.
pub fn step_transitions(
    old: &[StepStatus],
    new: &[StepStatus],
) -> Vec<crate::conditions::Transition> {
    new.iter()
        .filter(|s| {
            let before = old.iter().find(|o| o.id == s.id).map(|o| o.state);
            before.unwrap_or_default() != s.state
        })
        .map(|s| {
            let reason = match s.state {
                StepState::Pending => None,
                StepState::Running => Some(step_reason::STARTED),
                StepState::Waiting => Some(step_reason::WAITING),
                StepState::Succeeded => Some(step_reason::SUCCEEDED),
                StepState::Failed => Some(step_reason::FAILED),
                StepState::Skipped => Some(step_reason::SKIPPED),
            };
            (s, reason)
        })
        .filter_map(|(s, reason)| {
            let reason = reason?;
            let mut message = format!("{} ({})", s.id, s.action);
            if let Some(m) = &s.message {
                message.push_str(": ");
                message.push_str(m);
            }
            Some(crate::conditions::Transition {
                type_: "Step".into(),
                status: format!("{:?}", s.state),
                reason: reason.into(),
                message,
                warning: s.state == StepState::Failed,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
