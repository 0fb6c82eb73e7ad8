//! Doing one step of a Failover: through the site agents (gRPC, mTLS), the traffic switch,
//! or by creating the final sync's Backups. Every step is idempotent: a call repeated after
//! a crash carries the same request id (`request_id`: failover, step, part, epoch and
//! attempt), which the agent answers from its record without doing the work twice.

use super::{CHECKSUM_ANNOTATION, FAILOVER_LABEL, FailoverContext, World};
use kube::ResourceExt;
use kube::api::{Api, PostParams};
use pusdata::agent::proto::Verdict;
use pusdata::agent::wire;
use pusdata::report;
use pusdata_core::dr::failover::StepJob;
use pusdata_core::dr::steps::{PlannedStep, StepAction, StepResult};
use pusdata_core::dr::{self, drc};
use pusdata_core::i18n::Text;
use pusdata_core::t;
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, BackupSource, BackupSpec, BackupTrigger, Failover, FailoverStatus,
    FailoverType, Member, Site, StepKind,
};
use std::collections::{BTreeMap, BTreeSet};

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
pub(super) fn placement(
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
pub(super) fn verify_request(
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
pub(super) fn checks_result(
    rep: &pusdata::agent::proto::WorkReport,
    checksums: Text,
) -> StepResult {
    let (readiness, smoke) = (
        wire::check(rep.readiness.as_ref()),
        wire::check(rep.smoke.as_ref()),
    );
    let (note, failed) = drc::checks_note(readiness.as_ref(), smoke.as_ref());
    let msg = Text::join(&[checksums, note], "");
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

/// Why a site refused a fenced call: the agent's reason (`wire::fence_reason`, in both
/// languages) and its epoch.
fn refused(f: Option<&pusdata::agent::proto::Fence>) -> Option<Text> {
    let f = f?;
    (Verdict::try_from(f.verdict) != Ok(Verdict::Accepted)).then(|| {
        t!(
            "shell-step-refusal",
            reason = wire::fence_reason(f),
            epoch = f.epoch.to_string()
        )
    })
}

/// Everything one step needs.
pub(super) struct Job<'a> {
    pub(super) fo: &'a Failover,
    pub(super) world: &'a World,
    pub(super) status: &'a FailoverStatus,
    pub(super) step: &'a PlannedStep,
    pub(super) epoch: u64,
    pub(super) attempt: u32,
    pub(super) scope: &'a [Member],
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
            StepResult::Succeeded(t!("shell-step-rto", tiers = Text::join(&parts, ", ")))
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
fn unavailable(site: &Site, error: Text) -> StepResult {
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
        StepResult::Succeeded(Text::join(&notes, "; "))
    } else {
        StepResult::Failed(Text::join(&bad, "; "))
    }
}

/// The final sync: one Backup (trigger FinalSync) per PVC and per bucket of every service in
/// scope at the site being left (the sources the schedule controller runs,
/// `schedule::sources`), done when all of them completed. PVCs are backed up into the
/// repository at the site taken over; buckets are mirrored between the sites' object storage,
/// primary → DRC, or DRC → primary for a failback (`source.reverse`), so no object written at
/// the DRC is lost.
pub(super) async fn final_sync(ctx: &FailoverContext, job: &Job<'_>) -> StepResult {
    let name = job.fo.name_any();
    let (from, to) = job.world.sides(job.fo.spec.kind);
    let sources = match crate::controllers::schedule::sources(&job.world.plan, &ctx.base).await {
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

/// Does the steps of one pass together (the DAG allows them in parallel), each stamped with
/// `epoch` and its recorded attempt: the outcome of each, by step id, in plan order.
pub(super) async fn run_all(
    ctx: &FailoverContext,
    fo: &Failover,
    world: &World,
    status: &FailoverStatus,
    scope: &[Member],
    steps: &[StepJob],
    epoch: u64,
) -> Vec<(String, StepResult)> {
    let futures = steps.iter().map(|j| async move {
        let job = Job {
            fo,
            world,
            status,
            step: &j.step,
            epoch,
            attempt: j.attempt,
            scope,
        };
        (j.step.id.clone(), execute(ctx, &job).await)
    });
    futures::future::join_all(futures).await
}
