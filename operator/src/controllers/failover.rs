//! The Failover controller: executes a drill, failover or failback of a
//! `DisasterRecoveryPlan`, one step at a time, with the plan's step machine
//! (`pusdata_core::dr::next_step` / `apply`) deciding every step (DR-PLAN, SEC-INCIDENT).
//!
//! One reconcile: read the plan, its two sites and the Backups → observe (heartbeats to both
//! site agents, sign-offs recorded on the Failover, results of steps recorded as running) →
//! `next_step` → for a step to start: write it as running into the status *before* doing it,
//! do it through the site agents (gRPC, mTLS) or the [`TrafficSwitch`], and write its outcome
//! *after*. A crash between the two leaves the step recorded as running; the next reconcile
//! (in this process or a new one) does it again with the same request id, which the agent
//! answers from its record without doing the work twice, so a finished step is never redone
//! and a step is never lost.
//!
//! Fencing: the `fence` step mints epoch + 1, demotes the site being left (when it answers)
//! and promotes the site taking over at that epoch. Every later piece of work is stamped with
//! it, and a site refuses work stamped with an older epoch. Losing the peer only changes
//! `peerReachable`: the final sync then waits, or is skipped when the Failover says
//! `acceptDataLoss` — this controller never starts a failover by itself.
//!
//! When the execution ends, the written report (HTML with an SVG timeline and Markdown, both
//! languages) goes into the ConfigMap `failover-<name>-report` in the platform namespace and
//! is linked from the status with its SHA-256.

use super::permission::Permission;
use super::{Context, Error};
use crate::controllers::status_patch;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::ResourceExt;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action as KubeAction;
use pusdata::agent::proto::Verdict;
use pusdata::agent::wire;
use pusdata::report::{self, ReportInput};
use pusdata_core::conditions;
use pusdata_core::dr::drc;
use pusdata_core::dr::steps::{
    Action, Observations, PlannedStep, StepAction, StepPlan, StepResult,
};
use pusdata_core::dr::{self, check::Measurements};
use pusdata_core::i18n::Text;
use pusdata_core::t;
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, BackupRepository, BackupSource, BackupSpec, BackupTrigger,
    DisasterRecoveryPlan, Failover, FailoverPhase, FailoverStatus, FailoverType, Member,
    RecordedIdentity, ReportRef, Site, StepKind, StepState,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "failovers",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "failovers/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["get"],
    },
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["get"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["list", "watch", "create"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["list"],
    },
    Permission {
        group: "",
        resource: "persistentvolumeclaims",
        verbs: &["list"],
    },
    Permission {
        group: "",
        resource: "services",
        verbs: &["list", "patch"],
    },
    Permission {
        group: "networking.k8s.io",
        resource: "ingresses",
        verbs: &["list", "patch"],
    },
];

/// Calls made only in the platform namespace (the Sites' agent TLS Secrets, the report
/// ConfigMaps): granted by the operator's Role there, never cluster-wide.
pub const NAMESPACE_PERMISSIONS: &[Permission] = &[
    Permission {
        group: "",
        resource: "configmaps",
        // create: the report ConfigMap is applied once per execution, absent the first time.
        verbs: &["create", "patch"],
    },
    Permission {
        group: "",
        resource: "secrets",
        verbs: &["get"],
    },
];

/// Label on the Backups a final sync creates: the Failover they belong to.
pub use pusdata_core::dr::restore::FAILOVER_LABEL;
/// Annotation prefix of a sign-off: `approval.pusdata.io/<step id>` holds the JSON of a
/// `RecordedIdentity` (written by `pusdata drill approve`, stamped by the mutating webhook:
/// `policy::review_signoffs`).
pub use pusdata_core::policy::APPROVAL_PREFIX;
/// Annotation on a Backup: the tree checksum of what was backed up, compared after restore.
pub const CHECKSUM_ANNOTATION: &str = "pusdata.io/tree-checksum";

mod agents;
mod traffic;

pub use agents::{GrpcAgents, SiteAgents};
pub use traffic::{ServiceSwitch, TrafficSwitch};

/// The controller's context: the shared one, plus how steps reach the sites.
#[derive(Clone)]
pub struct FailoverContext {
    /// API client, clock, platform namespace, metrics.
    pub base: Context,
    /// The site agents.
    pub agents: Arc<dyn SiteAgents>,
    /// The traffic switch.
    pub traffic: Arc<dyn TrafficSwitch>,
}

/// What one reconcile did, for tests and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The phase written.
    pub phase: FailoverPhase,
    /// Steps started (or run again) by this reconcile.
    pub executed: Vec<String>,
}

/// Reconciles one Failover: one step per call; looked at again at once while it moves, every
/// 30 s while it waits for a person or the peer, never again once finished.
pub async fn reconcile(fo: Arc<Failover>, ctx: Arc<FailoverContext>) -> Result<KubeAction, Error> {
    let out = reconcile_once(&fo, &ctx).await?;
    Ok(match out.phase {
        FailoverPhase::Succeeded | FailoverPhase::Failed | FailoverPhase::Cancelled => {
            KubeAction::await_change()
        }
        _ if !out.executed.is_empty() => KubeAction::requeue(Duration::from_millis(200)),
        FailoverPhase::WaitingForPerson => KubeAction::requeue(Duration::from_secs(30)),
        _ => KubeAction::requeue(Duration::from_secs(10)),
    })
}

/// Everything read from the cluster for one reconcile.
struct World {
    plan: DisasterRecoveryPlan,
    primary: Site,
    drc: Site,
    backups: Vec<Backup>,
    repositories: Vec<BackupRepository>,
}

impl World {
    /// (site being left, site taking over).
    fn sides(&self, kind: FailoverType) -> (&Site, &Site) {
        match kind {
            FailoverType::Failback => (&self.drc, &self.primary),
            _ => (&self.primary, &self.drc),
        }
    }

    fn member(&self, name: &str) -> Option<&Member> {
        dr::members(&self.plan.spec)
            .into_iter()
            .map(|(_, m)| m)
            .find(|m| m.name == name)
    }
}

async fn read_world(fo: &Failover, ctx: &Context) -> Result<World, Error> {
    let plan = Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
        .get_opt(&fo.spec.plan)
        .await?
        .ok_or_else(|| {
            Error::InvalidSpec(format!(
                "spec.plan: DisasterRecoveryPlan {} not found (DR-PLAN)",
                fo.spec.plan
            ))
        })?;
    let sites = Api::<Site>::all(ctx.client.clone());
    let site = |name: String, field: &'static str| {
        let sites = sites.clone();
        async move {
            sites.get_opt(&name).await?.ok_or_else(|| {
                Error::InvalidSpec(format!("plan {field}: Site {name} not found (DR-FAR)"))
            })
        }
    };
    let primary = site(plan.spec.primary_site.clone(), "spec.primarySite").await?;
    let drc = site(plan.spec.drc_site.clone(), "spec.drcSite").await?;
    let plan_name = plan.name_any();
    let backups = Api::<Backup>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter(|b| b.spec.plan == plan_name)
        .collect();
    let repositories = Api::<BackupRepository>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    Ok(World {
        plan,
        primary,
        drc,
        backups,
        repositories,
    })
}

/// The Backup a restore step brings back (`dr::restore::pick`): the step's PVC (or the whole
/// service), verified only where the plan asks for it.
fn backup_for<'a>(
    world: &'a World,
    fo: &Failover,
    member: &str,
    tier: Option<&str>,
    pvc: Option<&str>,
) -> Result<&'a Backup, Text> {
    let verified =
        tier.is_some_and(|t| dr::restore::requires_verified(&world.plan, fo.spec.kind, t));
    dr::restore::pick(&world.backups, &fo.name_any(), member, pvc, verified)
}

/// The request id of a step's call: the same for every try of one attempt, so a call
/// repeated after a crash is answered from the agent's record.
fn request_id(fo: &str, step: &str, part: &str, epoch: u64, attempt: u32) -> String {
    let id = format!("{fo}/{step}/{part}/e{epoch}/a{attempt}");
    if id.len() <= 128 {
        id
    } else {
        format!(
            "{}/e{epoch}/a{attempt}",
            &report::sha256_hex(id.as_bytes())[..32]
        )
    }
}

/// Where a restore step writes at the site taking over (`dr::restore::target_path`).
fn restore_target(fo: &Failover, member: &Member, pvc: Option<&str>) -> String {
    dr::restore::target_path(
        fo.spec.kind,
        &fo.name_any(),
        &member.namespace,
        &member.name,
        pvc,
    )
}

/// Where the DRC agent's Kubernetes work restores a member (ignored by local work).
fn placement(
    fo: &Failover,
    m: &Member,
    backup: Option<&Backup>,
) -> pusdata::agent::proto::Placement {
    wire::placement_msg(&drc::Placement {
        kind: fo.spec.kind,
        failover: fo.name_any(),
        plan: fo.spec.plan.clone(),
        agency: m.agency.clone(),
        member: m.name.clone(),
        namespace: m.namespace.clone(),
        repository: backup
            .map(|b| b.spec.repository.clone())
            .unwrap_or_default(),
        pvc: backup
            .and_then(|b| b.spec.source.pvc.clone())
            .unwrap_or_default(),
        run_as_user: backup.and_then(|b| b.status.as_ref()?.run_as_user),
        run_as_group: backup.and_then(|b| b.status.as_ref()?.run_as_group),
    })
}

/// The verify call of a member: checksums, and its readiness and smoke checks from the plan.
fn verify_request(
    fo: &Failover,
    m: &Member,
    pvc: Option<&str>,
    request_id: String,
    epoch: u64,
    expected: &str,
    with_checks: bool,
) -> pusdata::agent::proto::VerifyRequest {
    pusdata::agent::proto::VerifyRequest {
        request_id,
        epoch,
        target: restore_target(fo, m, pvc),
        expected_checksum: expected.to_string(),
        placement: Some(placement(fo, m, None)),
        readiness: with_checks
            .then(|| drc::readiness_check(m))
            .flatten()
            .as_ref()
            .map(wire::readiness_msg),
        smoke: with_checks
            .then(|| drc::smoke_check(m))
            .flatten()
            .as_ref()
            .map(wire::smoke_msg),
    }
}

/// A verify whose checksums matched: failed when readiness or the smoke command failed;
/// their outcomes are appended to the step message either way.
fn checks_result(rep: &pusdata::agent::proto::WorkReport, checksums: Text) -> StepResult {
    let (readiness, smoke) = (
        wire::check(rep.readiness.as_ref()),
        wire::check(rep.smoke.as_ref()),
    );
    let (note, failed) = drc::checks_note(readiness.as_ref(), smoke.as_ref());
    let msg = join(&[checksums, note], "");
    if failed {
        StepResult::Failed(msg)
    } else {
        StepResult::Succeeded(msg)
    }
}

fn who(fo: &Failover) -> String {
    fo.spec
        .requested_by
        .as_ref()
        .map(|r| r.username.clone())
        .unwrap_or_else(|| "pusdata failover controller".into())
}

/// Step notes put together, each language with its own: a note per tier or per volume.
fn join(parts: &[Text], sep: &str) -> Text {
    let side = |f: fn(&Text) -> &str| parts.iter().map(f).collect::<Vec<_>>().join(sep);
    Text {
        en: side(|t| &t.en),
        id: side(|t| &t.id),
    }
}

/// Why a site refused a fenced call: the agent's reason (its own words) and its epoch.
fn refused(f: Option<&pusdata::agent::proto::Fence>) -> Option<Text> {
    let f = f?;
    (Verdict::try_from(f.verdict) != Ok(Verdict::Accepted)).then(|| {
        t!(
            "shell-step-refusal",
            reason = f.reason.as_str(),
            epoch = f.epoch.to_string()
        )
    })
}

/// Everything one step needs.
struct Job<'a> {
    fo: &'a Failover,
    world: &'a World,
    status: &'a FailoverStatus,
    step: &'a PlannedStep,
    epoch: u64,
    attempt: u32,
    scope: &'a [Member],
}

/// Does one step. Every branch is idempotent: doing a step again (after a crash) gives the
/// same end state.
async fn execute(ctx: &FailoverContext, job: &Job<'_>) -> StepResult {
    let Job {
        fo,
        world,
        step,
        epoch,
        attempt,
        ..
    } = *job;
    let name = fo.name_any();
    let (from, to) = world.sides(fo.spec.kind);
    let rid = |part: &str| request_id(&name, &step.id, part, epoch, attempt);
    let member = step.service.as_deref().and_then(|s| world.member(s));
    match (&step.action, member) {
        (StepAction::Fence, _) => {
            let by = who(fo);
            let from_note = match ctx.agents.agent(from).await {
                Ok(c) => match c.demote(&rid("demote"), epoch, &by).await {
                    Ok(f) => match refused(Some(&f)) {
                        None => t!("shell-step-fence-demoted", site = from.name_any()),
                        Some(why) => {
                            return StepResult::Failed(t!(
                                "shell-step-fence-refused-demote",
                                site = from.name_any(),
                                epoch = epoch.to_string(),
                                why = why
                            ));
                        }
                    },
                    Err(e) => t!(
                        "shell-step-fence-unreachable",
                        site = from.name_any(),
                        category = e.category(),
                        epoch = epoch.to_string()
                    ),
                },
                Err(e) => t!(
                    "shell-step-fence-not-contacted",
                    site = from.name_any(),
                    error = e
                ),
            };
            let promoted = match ctx.agents.agent(to).await {
                Ok(c) => c.promote(&rid("promote"), epoch, &by).await,
                Err(e) => return unavailable(to, e),
            };
            match promoted {
                Ok(f) => match refused(Some(&f)) {
                    None => StepResult::Succeeded(t!(
                        "shell-step-fence-done",
                        epoch = epoch.to_string(),
                        site = to.name_any(),
                        from = from_note
                    )),
                    Some(why) => StepResult::Failed(t!(
                        "shell-step-fence-refused-promote",
                        site = to.name_any(),
                        epoch = epoch.to_string(),
                        why = why
                    )),
                },
                Err(e) => agent_failed(to, &e),
            }
        }
        (StepAction::FinalSync, _) => final_sync(ctx, job).await,
        (StepAction::Restore, Some(m)) => {
            let pvc = step.pvc.as_deref();
            let backup = match backup_for(world, fo, &m.name, step.tier.as_deref(), pvc) {
                Ok(b) => b,
                Err(e) => {
                    return StepResult::Failed(t!(
                        "shell-step-no-backup",
                        error = e,
                        plan = fo.spec.plan.as_str()
                    ));
                }
            };
            let snap = backup
                .status
                .as_ref()
                .and_then(|s| s.snapshot_id.clone())
                .unwrap_or_default();
            let snapshot = format!("{}/{snap}", m.agency);
            let c = match ctx.agents.agent(to).await {
                Ok(c) => c,
                Err(e) => return unavailable(to, e),
            };
            match c
                .restore_request(pusdata::agent::proto::RestoreRequest {
                    request_id: rid("restore"),
                    epoch,
                    snapshot: snapshot.clone(),
                    target: restore_target(fo, m, pvc),
                    placement: Some(placement(fo, m, Some(backup))),
                    // The verify step compares with the Backup's recorded checksum; only
                    // without one does it need the checksum of the restored tree.
                    skip_checksum: backup.annotations().contains_key(CHECKSUM_ANNOTATION),
                })
                .await
            {
                Ok(r) => match (refused(r.fence.as_ref()), r.report) {
                    (None, Some(rep)) => StepResult::Restored {
                        note: t!(
                            "shell-step-restored",
                            files = rep.files,
                            bytes = rep.bytes,
                            snapshot = snapshot.as_str(),
                            backup = backup.name_any(),
                            checksum = rep.checksum.as_str()
                        ),
                        checksum: rep.checksum,
                    },
                    (why, _) => refused_by(to, why),
                },
                Err(e) => agent_failed(to, &e),
            }
        }
        (StepAction::Verify, Some(m)) => verify(ctx, job, m).await,
        (StepAction::MeasureRto, _) => {
            let tiers = dr::achieved::tier_outcomes(&world.plan, job.status, &BTreeMap::new());
            let parts: Vec<Text> = tiers
                .iter()
                .map(|t| {
                    t!(
                        "shell-step-rto-tier",
                        tier = t.tier.as_str(),
                        achieved = t
                            .rto_achieved_seconds
                            .map_or_else(|| "?".to_string(), |s| s.to_string()),
                        target = t.rto_target_seconds.to_string()
                    )
                })
                .collect();
            StepResult::Succeeded(t!("shell-step-rto", tiers = join(&parts, ", ")))
        }
        (StepAction::Teardown, _) => {
            let c = match ctx.agents.agent(to).await {
                Ok(c) => c,
                Err(e) => return unavailable(to, e),
            };
            match c
                .discard_request(pusdata::agent::proto::DiscardRequest {
                    request_id: rid("discard"),
                    epoch,
                    target: dr::restore::drill_root(&name),
                    placement: Some(wire::placement_msg(&drc::Placement {
                        kind: FailoverType::Drill,
                        failover: name.clone(),
                        plan: fo.spec.plan.clone(),
                        ..drc::Placement::default()
                    })),
                })
                .await
            {
                Ok(r) => match (refused(r.fence.as_ref()), r.report) {
                    (None, Some(rep)) => StepResult::Succeeded(t!(
                        "shell-step-teardown-done",
                        site = to.name_any(),
                        files = rep.files
                    )),
                    (why, _) => refused_by(to, why),
                },
                Err(e) => agent_failed(to, &e),
            }
        }
        (StepAction::SwitchTraffic, _) => {
            match ctx.traffic.switch(&to.name_any(), job.scope).await {
                Ok(m) => StepResult::Succeeded(m),
                Err(e) => StepResult::Failed(t!(
                    "shell-step-traffic-failed",
                    site = to.name_any(),
                    error = e
                )),
            }
        }
        (
            StepAction::Runbook {
                kind: StepKind::Automated,
                ..
            },
            _,
        ) => StepResult::Succeeded(t!("shell-step-runbook-recorded")),
        // Manual and approval steps wait for a sign-off; they are never "run".
        (StepAction::Runbook { .. }, _) => StepResult::Running,
        (other, None) => {
            StepResult::Failed(t!("shell-step-no-service", action = format!("{other:?}")))
        }
    }
}

/// No client for the site's agent (its endpoint or TLS material): the reason as an argument.
fn unavailable(site: &Site, error: String) -> StepResult {
    StepResult::Failed(t!(
        "shell-step-agent-unavailable",
        site = site.name_any(),
        error = error
    ))
}

/// A call to the site's agent failed (gRPC): the error as an argument.
fn agent_failed(site: &Site, error: &dyn std::fmt::Display) -> StepResult {
    StepResult::Failed(t!(
        "shell-step-agent-failed",
        site = site.name_any(),
        error = error.to_string()
    ))
}

/// The site refused a fenced call, or answered without a report.
fn refused_by(site: &Site, why: Option<Text>) -> StepResult {
    StepResult::Failed(t!(
        "shell-step-refused-by",
        site = site.name_any(),
        why = why.unwrap_or_default()
    ))
}

/// Verifies one service: every PVC its restore steps brought back (one Verify call each,
/// against the Backup's own checksum when the mover recorded one, else the restore's). The
/// service passes only when all of them match.
async fn verify(ctx: &FailoverContext, job: &Job<'_>, m: &Member) -> StepResult {
    let Job {
        fo,
        world,
        status,
        step,
        epoch,
        attempt,
        ..
    } = *job;
    let name = fo.name_any();
    let (_, to) = world.sides(fo.spec.kind);
    let restores: Vec<&pusdata_crds::v1alpha1::StepStatus> = status
        .steps
        .iter()
        .filter(|s| step.needs.contains(&s.id) && s.service.as_deref() == Some(&m.name))
        .collect();
    if restores.is_empty() {
        return StepResult::Failed(t!(
            "shell-step-verify-no-restore",
            step = step.id.as_str(),
            service = m.name.as_str()
        ));
    }
    let c = match ctx.agents.agent(to).await {
        Ok(c) => c,
        Err(e) => return unavailable(to, e),
    };
    let mut notes = Vec::new();
    let mut bad = Vec::new();
    let count = restores.len();
    for (i, r) in restores.into_iter().enumerate() {
        let pvc = r.pvc.as_deref();
        let what = pvc.unwrap_or(m.name.as_str());
        let expected = backup_for(world, fo, &m.name, step.tier.as_deref(), pvc)
            .ok()
            .and_then(|b| b.annotations().get(CHECKSUM_ANNOTATION).cloned())
            .or_else(|| r.checksum.clone())
            .unwrap_or_default();
        let part = format!("verify-{what}");
        let rid = request_id(&name, &step.id, &part, epoch, attempt);
        // The member's readiness and smoke checks run once, with the last volume's call,
        // after every volume of the service is back.
        let with_checks = i + 1 == count;
        match c
            .verify_request(verify_request(
                fo,
                m,
                pvc,
                rid,
                epoch,
                &expected,
                with_checks,
            ))
            .await
        {
            Ok(v) => match (refused(v.fence.as_ref()), v.report) {
                (None, Some(rep)) if rep.matches && !expected.is_empty() => {
                    let sums = t!(
                        "shell-step-verify-matched",
                        what = what,
                        files = rep.files,
                        checksum = &rep.checksum[..12.min(rep.checksum.len())]
                    );
                    match checks_result(&rep, sums) {
                        StepResult::Failed(msg) => bad.push(msg),
                        StepResult::Succeeded(msg) => notes.push(msg),
                        other => bad.push(t!(
                            "shell-step-verify-unexpected",
                            what = what,
                            result = format!("{other:?}")
                        )),
                    }
                }
                (None, Some(rep)) if expected.is_empty() => bad.push(t!(
                    "shell-step-verify-no-expected",
                    what = what,
                    checksum = rep.checksum.as_str()
                )),
                (None, Some(rep)) => bad.push(t!(
                    "shell-step-verify-differs",
                    what = what,
                    checksum = rep.checksum.as_str(),
                    expected = expected.as_str()
                )),
                (why, _) => bad.push(t!(
                    "shell-step-verify-refused",
                    what = what,
                    site = to.name_any(),
                    why = why.unwrap_or_default()
                )),
            },
            Err(e) => bad.push(t!(
                "shell-step-verify-failed",
                what = what,
                error = e.to_string()
            )),
        }
    }
    if bad.is_empty() {
        StepResult::Succeeded(join(&notes, "; "))
    } else {
        StepResult::Failed(join(&bad, "; "))
    }
}

/// The final sync: one Backup (trigger FinalSync) per PVC and per bucket of every service in
/// scope at the site being left (the sources the schedule controller runs,
/// `schedule::sources`), done when all of them completed. PVCs are backed up into the
/// repository at the site taken over; buckets are mirrored between the sites' object storage,
/// primary → DRC, or DRC → primary for a failback (`source.reverse`), so no object written at
/// the DRC is lost.
async fn final_sync(ctx: &FailoverContext, job: &Job<'_>) -> StepResult {
    let name = job.fo.name_any();
    let (from, to) = job.world.sides(job.fo.spec.kind);
    let sources = match super::schedule::sources(&job.world.plan, &ctx.base).await {
        Ok(s) => s,
        Err(e) => {
            return StepResult::Failed(t!("shell-step-final-sync-sources", error = e.to_string()));
        }
    };
    let in_scope: BTreeSet<&str> = job.scope.iter().map(|m| m.name.as_str()).collect();
    let mut done = 0;
    let mut total = 0;
    let mut failed = Vec::new();
    for src in sources
        .iter()
        .filter(|s| in_scope.contains(s.member.as_str()))
    {
        total += 1;
        let (backup_name, source, repo_site) = match (&src.pvc, &src.bucket) {
            (Some(pvc), _) => (
                format!("{name}-final-{}-{pvc}", src.member),
                BackupSource {
                    pvc: Some(pvc.clone()),
                    ..BackupSource::default()
                },
                to.name_any(),
            ),
            // A bucket pass always names the agency's repository at the DRC (its keys and
            // bandwidth limit); the direction is in the source.
            (None, Some(bucket)) => (
                format!("{name}-final-{}-bucket-{bucket}", src.member),
                BackupSource {
                    bucket: Some(bucket.clone()),
                    reverse: job.fo.spec.kind == FailoverType::Failback,
                    ..BackupSource::default()
                },
                job.world.plan.spec.drc_site.clone(),
            ),
            (None, None) => continue,
        };
        let existing = job.world.backups.iter().find(|b| {
            b.name_any() == backup_name && b.namespace().as_deref() == Some(&src.namespace)
        });
        match existing
            .and_then(|b| b.status.as_ref())
            .and_then(|s| s.phase)
        {
            Some(BackupPhase::Completed) => done += 1,
            Some(
                BackupPhase::Failed | BackupPhase::FailedValidation | BackupPhase::PartiallyFailed,
            ) => failed.push(backup_name),
            _ if existing.is_some() => {}
            _ => {
                let repository = job
                    .world
                    .repositories
                    .iter()
                    .find(|r| r.spec.agency == src.agency && r.spec.site == repo_site)
                    .map(|r| r.name_any())
                    .unwrap_or_else(|| format!("{}-{repo_site}", src.agency));
                let mut b = Backup::new(
                    &backup_name,
                    BackupSpec {
                        plan: job.fo.spec.plan.clone(),
                        tier: src.tier.clone(),
                        member: src.member.clone(),
                        source,
                        repository,
                        trigger: BackupTrigger::FinalSync,
                        token: None,
                    },
                );
                b.metadata.namespace = Some(src.namespace.clone());
                b.metadata.labels = Some([(FAILOVER_LABEL.to_string(), name.clone())].into());
                let api = Api::<Backup>::namespaced(ctx.base.client.clone(), &src.namespace);
                match api.create(&PostParams::default(), &b).await {
                    Ok(_) => {}
                    Err(kube::Error::Api(e)) if e.code == 409 => {}
                    Err(e) => {
                        return StepResult::Failed(t!(
                            "shell-step-final-sync-create",
                            backup = backup_name.as_str(),
                            error = e.to_string()
                        ));
                    }
                }
            }
        }
    }
    if !failed.is_empty() {
        StepResult::Failed(t!(
            "shell-step-final-sync-failed",
            site = from.name_any(),
            backups = failed.join(", ")
        ))
    } else if done == total {
        StepResult::Succeeded(t!(
            "shell-step-final-sync-done",
            count = done,
            site = from.name_any()
        ))
    } else {
        StepResult::Running
    }
}

/// The services in the execution's scope (those with a verify step: one per service, however
/// many PVCs it restores).
fn scope(plan: &StepPlan, world: &World) -> Vec<Member> {
    plan.steps
        .iter()
        .filter(|s| s.action == StepAction::Verify)
        .filter_map(|s| s.service.as_deref().and_then(|n| world.member(n)).cloned())
        .collect()
}

/// Sign-offs recorded on the Failover by `pusdata drill approve`. Trusted because the
/// mutating webhook re-writes every new one with the authenticated requester and refuses
/// changes to recorded ones (docs/reference/failover.md, "Approvals").
pub fn approvals(fo: &Failover) -> BTreeMap<String, RecordedIdentity> {
    pusdata_core::policy::signoff::signoff_annotations(fo.annotations())
        .into_iter()
        .filter_map(|(step, v)| {
            let who: RecordedIdentity = serde_json::from_str(v).ok()?;
            Some((step.to_string(), who))
        })
        .collect()
}

/// Heartbeat to a site: its epoch, or why it did not answer.
async fn heartbeat(
    ctx: &FailoverContext,
    site: &Site,
    from: &str,
    epoch: u64,
) -> Result<u64, String> {
    let c = ctx.agents.agent(site).await?;
    c.heartbeat(from, epoch)
        .await
        .map(|h| h.epoch)
        .map_err(|e| e.to_string())
}

/// One pass: observe, decide, persist before and after the step it starts.
pub async fn reconcile_once(fo: &Failover, ctx: &FailoverContext) -> Result<Outcome, Error> {
    let before = fo.status.clone().unwrap_or_default();
    if let Some(
        phase @ (FailoverPhase::Succeeded | FailoverPhase::Failed | FailoverPhase::Cancelled),
    ) = before.phase
    {
        return Ok(Outcome {
            phase,
            executed: Vec::new(),
        });
    }
    let world = read_world(fo, &ctx.base).await?;
    // The restore targets (PVCs per service) are chosen once, when the execution starts, and
    // read back from the recorded steps afterwards: a resumed controller plans the same steps.
    let targets = match dr::restore::recorded(&before) {
        Some(t) => t,
        None => {
            let live = super::schedule::sources(&world.plan, &ctx.base).await?;
            dr::restore::targets(&world.plan, &live, &world.backups)
        }
    };
    let plan = dr::steps_for(&world.plan, &fo.spec, &targets)
        .map_err(|t| Error::InvalidSpec(t.to_string()))?;
    let members = scope(&plan, &world);
    let mut status = before.clone();
    // Every status write is conditional on the resourceVersion this reconcile read (then on
    // the one its own last write returned): the steps list is replaced whole, so a writer
    // that read an older object — a deposed leader, a stale cache — gets a conflict instead
    // of overwriting newer progress.
    let mut version = fo.metadata.resource_version.clone();
    if status.steps.is_empty() {
        status.steps = plan.initial_status();
    }
    status.observed_generation = fo.metadata.generation;
    let fences = fo.spec.kind != FailoverType::Drill;
    let (from, to) = world.sides(fo.spec.kind);
    let me = to.name_any();

    // Observe: both sites' epochs (telling them ours, so a fenced site learns it), whether
    // the site being left answers, sign-offs, and the steps recorded as running — done
    // again with the same request ids, so work finished before a crash is only looked up.
    let held = status.epoch.unwrap_or(0);
    let from_epoch = heartbeat(ctx, from, &me, held).await;
    let to_epoch = heartbeat(ctx, to, &me, held).await;
    if let Err(e) = &from_epoch {
        tracing::info!(site = %from.name_any(), error = %e, "site being left does not answer");
    }
    let current_epoch = [from_epoch.as_ref().ok(), to_epoch.as_ref().ok()]
        .into_iter()
        .flatten()
        .copied()
        .chain(status.epoch.filter(|_| to_epoch.is_err()))
        // The epochs last recorded on the Sites: a site that does not answer may hold one
        // neither agent told us about, and a new epoch must be newer than all of them.
        .chain(world.primary.status.as_ref().and_then(|s| s.epoch))
        .chain(world.drc.status.as_ref().and_then(|s| s.epoch))
        .max()
        .unwrap_or(0);
    let mut obs = Observations {
        now: (ctx.base.clock)(),
        peer_reachable: from_epoch.is_ok(),
        current_epoch,
        results: BTreeMap::new(),
        approvals: approvals(fo),
    };
    let running: Vec<&PlannedStep> = plan
        .steps
        .iter()
        .filter(|s| {
            status
                .steps
                .iter()
                .any(|r| r.id == s.id && r.state == StepState::Running)
        })
        .collect();
    let mut executed = Vec::new();
    let epoch_now = |status: &FailoverStatus, obs: &Observations| {
        if fences {
            status.epoch.unwrap_or(obs.current_epoch)
        } else {
            obs.current_epoch
        }
    };
    let results = run_all(
        ctx,
        fo,
        &world,
        &status,
        &members,
        &running,
        epoch_now(&status, &obs),
    )
    .await;
    // Steps still running (a final sync waiting for its Backups) are not "done again".
    executed.extend(
        results
            .iter()
            .filter(|(_, r)| *r != StepResult::Running)
            .map(|(id, _)| id.clone()),
    );
    obs.results.extend(results);

    let mut did_work = !executed.is_empty();
    let mut last = Action::Done;
    for _ in 0..16 {
        let action = dr::next_step(&plan, &status, &obs);
        obs.now = (ctx.base.clock)();
        dr::apply(&plan, &mut status, &action, obs.now);
        last = action.clone();
        match &action {
            Action::Record(updates) => {
                for u in updates {
                    obs.results.remove(&u.id);
                }
                persist(fo, ctx, &before, &mut status, &action, &mut version).await?;
                if did_work && obs.results.is_empty() {
                    break;
                }
            }
            Action::Start { steps, epoch } => {
                if did_work {
                    break;
                }
                persist(fo, ctx, &before, &mut status, &action, &mut version).await?;
                let chosen: Vec<&PlannedStep> = plan
                    .steps
                    .iter()
                    .filter(|s| steps.contains(&s.id))
                    .collect();
                let results = run_all(ctx, fo, &world, &status, &members, &chosen, *epoch).await;
                executed.extend(steps.iter().cloned());
                obs.results.extend(results);
                did_work = true;
            }
            Action::Retry { step, epoch, .. } => {
                if did_work {
                    break;
                }
                persist(fo, ctx, &before, &mut status, &action, &mut version).await?;
                let chosen: Vec<&PlannedStep> =
                    plan.steps.iter().filter(|s| &s.id == step).collect();
                let results = run_all(ctx, fo, &world, &status, &members, &chosen, *epoch).await;
                executed.push(step.clone());
                obs.results.extend(results);
                did_work = true;
            }
            Action::Wait { .. } | Action::Observe { .. } => {
                persist(fo, ctx, &before, &mut status, &action, &mut version).await?;
                break;
            }
            Action::Fail { .. } | Action::Done => {
                finish(fo, ctx, &world, &before, &mut status, &action, &mut version).await?;
                break;
            }
        }
    }
    tracing::debug!(failover = %fo.name_any(), action = ?last, "reconciled");
    Ok(Outcome {
        phase: status.phase.unwrap_or_default(),
        executed,
    })
}

async fn run_all(
    ctx: &FailoverContext,
    fo: &Failover,
    world: &World,
    status: &FailoverStatus,
    members: &[Member],
    steps: &[&PlannedStep],
    epoch: u64,
) -> Vec<(String, StepResult)> {
    let futures = steps.iter().map(|step| async move {
        let attempt = status
            .steps
            .iter()
            .find(|s| s.id == step.id)
            .and_then(|s| s.attempts)
            .unwrap_or(1);
        let job = Job {
            fo,
            world,
            status,
            step,
            epoch,
            attempt,
            scope: members,
        };
        (step.id.clone(), execute(ctx, &job).await)
    });
    futures::future::join_all(futures).await
}

/// Writes the status (with its conditions) when it changed, on the condition that the
/// object is still at `version` (the API server answers 409 Conflict otherwise); `version`
/// becomes the one the write returned.
async fn persist(
    fo: &Failover,
    ctx: &FailoverContext,
    before: &FailoverStatus,
    status: &mut FailoverStatus,
    action: &Action,
    version: &mut Option<String>,
) -> Result<(), Error> {
    status.conditions = conditions::merge(
        &status.conditions,
        &dr::failover_status::conditions(status, action),
        fo.metadata.generation,
        ctx.base.now(),
    );
    if status == before {
        return Ok(());
    }
    let patch = serde_json::json!({
        "metadata": {"resourceVersion": version.as_deref()},
        "status": status_patch(before, status)?,
    });
    let written = Api::<Failover>::all(ctx.base.client.clone())
        .patch_status(
            &fo.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
    *version = written.metadata.resource_version;
    let mut changes = conditions::transitions(&before.conditions, &status.conditions);
    changes.extend(dr::steps::step_transitions(&before.steps, &status.steps));
    super::events::publish_transitions(&ctx.base, fo, changes).await;
    Ok(())
}

/// The end: achieved RPO and RTO per tier, the report in a ConfigMap, the final status, the
/// metrics.
async fn finish(
    fo: &Failover,
    ctx: &FailoverContext,
    world: &World,
    before: &FailoverStatus,
    status: &mut FailoverStatus,
    action: &Action,
    version: &mut Option<String>,
) -> Result<(), Error> {
    let name = fo.name_any();
    // RPO: age of the data each tier came back with, at the start of the execution.
    let rpo = dr::achieved::restored_ages(status, |s| {
        backup_for(
            world,
            fo,
            s.service.as_deref()?,
            s.tier.as_deref(),
            s.pvc.as_deref(),
        )
        .ok()
        .and_then(|b| b.status.as_ref()?.finished_at.as_ref().map(|t| t.0))
    });
    status.tiers = dr::achieved::tier_outcomes(&world.plan, status, &rpo);
    let findings = dr::check::check_plan(
        &world.plan,
        &[world.primary.clone(), world.drc.clone()],
        &world.repositories,
        &Measurements::default(),
    );
    let cm_name = format!("failover-{name}-report");
    status.report = Some(ReportRef {
        config_map: Some(cm_name.clone()),
        url: None,
        sha256: None,
    });
    let mut shown = fo.clone();
    shown.status = Some(status.clone());
    let rendered = report::render(&ReportInput {
        plan: &world.plan,
        failover: &shown,
        findings: &findings,
        generated_at: (ctx.base.clock)(),
    });
    if let Some(r) = status.report.as_mut() {
        r.sha256 = Some(rendered.html_sha256.clone());
    }
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(cm_name.clone());
    cm.metadata.namespace = Some(ctx.base.platform_namespace.clone());
    cm.metadata.labels = Some([(FAILOVER_LABEL.to_string(), name.clone())].into());
    cm.data = Some(
        [
            ("report.html".to_string(), rendered.html),
            ("report.md".to_string(), rendered.markdown),
            (
                "report.html.sha256".to_string(),
                format!("{}  report.html\n", rendered.html_sha256),
            ),
        ]
        .into(),
    );
    Api::<ConfigMap>::namespaced(ctx.base.client.clone(), &ctx.base.platform_namespace)
        .patch(
            &cm_name,
            &PatchParams::apply(super::FIELD_MANAGER).force(),
            &Patch::Apply(&cm),
        )
        .await?;
    persist(fo, ctx, before, status, action, version).await?;
    let outcome = match action {
        Action::Done => "Succeeded",
        _ => "Failed",
    };
    let rto: Vec<(String, Option<u64>, u64)> = status
        .tiers
        .iter()
        .map(|t| (t.tier.clone(), t.rto_achieved_seconds, t.rto_target_seconds))
        .collect();
    ctx.base
        .metrics
        .failover_finished(&fo.spec.plan, kind_label(fo.spec.kind), outcome, &rto);
    Ok(())
}

fn kind_label(kind: FailoverType) -> &'static str {
    match kind {
        FailoverType::Drill => "Drill",
        FailoverType::Failover => "Failover",
        FailoverType::Failback => "Failback",
    }
}

#[cfg(test)]
mod bucket_tests;
#[cfg(test)]
mod tests;
