//! The Backup controller: runs one `Backup` as a mover Job and reads its result back.
//!
//! Pipeline: dereference (repository, key, plan tier and its hooks, the workload pod) →
//! validate → pre hooks → build the Job (`pusdata_core::backup::job`, pure) → create it →
//! observe the Job and its Pods (`backup::result::observe`) → post hooks → status from the
//! mover's JSON result in the Pod's termination message.
//!
//! Restore tests: once a run has Completed, when its tier's `restoreTestSchedule` says a test
//! of its source is due and it is the source's newest completed run
//! (`backup::verify::restore_test_due`, pure), a second Job runs `pusdata mover verify` on
//! its snapshot in scratch space (`backup::job::verify_job`); its result becomes
//! `status.verification` (Verified / VerificationFailed), `verifiedAt`, `verificationErrors`
//! and the `Verified` condition. The plan's "last verified" age reads `status.verification`.
//!
//! Secrets: the Job references the repository's credentials Secret and the key Secret by
//! name in the Backup's namespace (a Pod can use no other namespace's Secrets); the operator
//! never reads them, so it needs no permission on Secrets at all (SEC-CIA).

use super::permission::Permission;
pub use super::runs::{BackupContext, HookExec, Outcome};
use super::runs::{apply_status, owned_repository};
use super::{Context, Error};
use futures::future::BoxFuture;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata_core::backup::hooks::{self, HookOutcome, PreNext, Stage};
use pusdata_core::backup::job::{self, BACKUP_LABEL, MoverJobInput, VerifyJobInput};
use pusdata_core::backup::result::{self, MoverResult, Observed, VerifyReport};
use pusdata_core::backup::verify;
use pusdata_core::backup::{self as core_backup};
use pusdata_core::repository::Due;
use pusdata_crds::v1alpha1::{
    AccessMode, Backup, BackupPhase, BackupRepository, DisasterRecoveryPlan, Hook, SecretKeyRef,
    VerificationStatus,
};
use std::sync::Arc;
use std::time::Duration;

/// Hook exec through `pods/exec` (kube's WebSocket `AttachParams`). Only the exit status is
/// kept: the command's output is drained and dropped, never logged.
pub struct KubeExec {
    /// API client.
    pub client: kube::Client,
}

impl HookExec for KubeExec {
    fn exec<'a>(
        &'a self,
        namespace: &'a str,
        pod: &'a str,
        container: &'a str,
        command: &'a [String],
        timeout: Duration,
    ) -> BoxFuture<'a, HookOutcome> {
        Box::pin(async move {
            let pods: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
            let params = kube::api::AttachParams::default()
                .container(container)
                .stdin(false)
                .stdout(true)
                .stderr(true);
            let run = async {
                let mut attached = match pods.exec(pod, command.iter().cloned(), &params).await {
                    Ok(a) => a,
                    Err(e) => return HookOutcome::NotRun(format!("exec refused: {e}")),
                };
                let drain = |r: Option<Box<dyn tokio::io::AsyncRead + Unpin + Send>>| async move {
                    if let Some(mut r) = r {
                        let _ = tokio::io::copy(&mut r, &mut tokio::io::sink()).await;
                    }
                };
                let out = attached
                    .stdout()
                    .map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Unpin + Send>);
                let err = attached
                    .stderr()
                    .map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Unpin + Send>);
                let status = attached.take_status();
                let (_, _, status) = futures::join!(drain(out), drain(err), async {
                    match status {
                        Some(s) => s.await,
                        None => None,
                    }
                });
                exit_outcome(status)
            };
            match tokio::time::timeout(timeout, run).await {
                Ok(o) => o,
                Err(_) => HookOutcome::TimedOut,
            }
        })
    }
}

/// The exit status the API server reports for an exec.
fn exit_outcome(
    status: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Status>,
) -> HookOutcome {
    let Some(s) = status else {
        return HookOutcome::NotRun("no exit status from the API server".into());
    };
    if s.status.as_deref() == Some("Success") {
        return HookOutcome::Succeeded;
    }
    let code = s
        .details
        .and_then(|d| d.causes)
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.reason.as_deref() == Some("ExitCode"))
        .and_then(|c| c.message)
        .and_then(|m| m.parse().ok());
    match code {
        Some(c) => HookOutcome::Exited(c),
        None => HookOutcome::NotRun(s.reason.unwrap_or_else(|| "exec failed".into())),
    }
}

/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    // `list`: the runs of the same source, to test only the newest and find the last test.
    Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["get", "list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backups/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["get"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["get"],
    },
    Permission {
        group: "batch",
        resource: "jobs",
        verbs: &["get", "list", "watch", "create", "delete"],
    },
    Permission {
        group: "",
        resource: "pods",
        verbs: &["list"],
    },
    // Hooks: WebSocket exec is authorised as `create` (Kubernetes ≥ 1.30 with the
    // AuthorizePodWebsocketUpgradeCreatePermission gate) and as `get` before.
    Permission {
        group: "",
        resource: "pods/exec",
        verbs: &["create", "get"],
    },
];

/// Reconciles one Backup.
pub async fn reconcile(backup: Arc<Backup>, bctx: Arc<BackupContext>) -> Result<Action, Error> {
    match reconcile_once(&backup, &bctx).await? {
        Outcome::Started | Outcome::Running | Outcome::VerifyStarted | Outcome::Verifying => {
            Ok(Action::requeue(Duration::from_secs(60)))
        }
        Outcome::VerifyLater(d) => Ok(Action::requeue(d)),
        Outcome::Invalid(why) => Err(Error::InvalidSpec(why)),
        _ => Ok(Action::await_change()),
    }
}

/// Everything a run needs, read from the API.
struct Refs {
    repository: BackupRepository,
    key: SecretKeyRef,
    hooks: Vec<Hook>,
}

async fn dereference(b: &Backup, ctx: &Context) -> Result<Result<Refs, String>, Error> {
    let (repository, agency) = match owned_repository(b, ctx).await? {
        Ok(r) => r,
        Err(why) => return Ok(Err(why)),
    };
    if repository.spec.access_mode == AccessMode::ReadOnly {
        return Ok(Err(format!(
            "spec.repository: BackupRepository {} is ReadOnly (a DR restore is using it)",
            b.spec.repository
        )));
    }
    let agency = Some(&agency);
    let Some(key) = repository
        .spec
        .key
        .clone()
        .or_else(|| agency.and_then(|a| a.spec.repository_key.clone()))
    else {
        return Ok(Err(format!(
            "SEC-CIA: no repository key: set BackupRepository {} spec.key or Agency {} spec.repositoryKey",
            b.spec.repository, repository.spec.agency
        )));
    };
    let Some(plan) = Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
        .get_opt(&b.spec.plan)
        .await?
    else {
        return Ok(Err(format!(
            "spec.plan: DisasterRecoveryPlan {} does not exist",
            b.spec.plan
        )));
    };
    let Some(tier) = plan.spec.tiers.iter().find(|t| t.name == b.spec.tier) else {
        return Ok(Err(format!(
            "spec.tier: plan {} has no tier {}",
            b.spec.plan, b.spec.tier
        )));
    };
    Ok(Ok(Refs {
        repository,
        key,
        hooks: tier.hooks.clone(),
    }))
}

/// Runs `hooks` one after the other in the workload pod (all of them, for the post stage).
async fn run_hooks(
    bctx: &BackupContext,
    ns: &str,
    pod: Option<&Pod>,
    pvc: &str,
    selected: &[&Hook],
) -> Vec<HookOutcome> {
    let mut out = Vec::new();
    for h in selected {
        out.push(run_hook(bctx, ns, pod, pvc, h).await);
    }
    out
}

async fn run_hook(
    bctx: &BackupContext,
    ns: &str,
    pod: Option<&Pod>,
    pvc: &str,
    h: &Hook,
) -> HookOutcome {
    let Some(pod) = pod else {
        return HookOutcome::NotRun(format!("no running pod mounts PVC {pvc}"));
    };
    let Some(container) = hooks::container_of(h, pod) else {
        return HookOutcome::NotRun("the pod has no container".into());
    };
    let timeout = pusdata_core::duration::parse(&h.timeout).unwrap_or(Duration::from_secs(600));
    bctx.exec
        .exec(ns, &pod.name_any(), container, &h.command, timeout)
        .await
}

/// One pass of the pipeline.
pub async fn reconcile_once(b: &Backup, bctx: &BackupContext) -> Result<Outcome, Error> {
    let ctx = &bctx.ctx;
    let status = b.status.clone().unwrap_or_default();
    if core_backup::finished(status.phase) {
        return restore_test(b, bctx).await;
    }
    if b.spec.source.bucket.is_some() {
        return super::bucket::reconcile_pass(b, bctx).await;
    }
    let ns = b.namespace().unwrap_or_default();
    let name = b.name_any();
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ns);
    let existing = jobs.get_opt(&name).await?;

    let refs = match dereference(b, ctx).await? {
        Ok(r) => r,
        Err(why) => {
            if existing.is_none() {
                write(
                    b,
                    ctx,
                    BackupPhase::FailedValidation,
                    vec![why.clone()],
                    None,
                )
                .await?;
                return Ok(Outcome::Invalid(why));
            }
            // The Job already runs: let it finish; post hooks are skipped (none known).
            Refs {
                repository: BackupRepository::default(),
                key: SecretKeyRef::default(),
                hooks: Vec::new(),
            }
        }
    };
    let Some(pvc) = b.spec.source.pvc.clone() else {
        let why = job::JobError::NotAPvc.to_string();
        write(
            b,
            ctx,
            BackupPhase::FailedValidation,
            vec![why.clone()],
            None,
        )
        .await?;
        return Ok(Outcome::Invalid(why));
    };
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ns);
    let all_pods = pods.list(&ListParams::default()).await?.items;
    let workload = hooks::workload_pod(&all_pods, &pvc);

    let Some(job_obj) = existing else {
        if status.phase == Some(BackupPhase::InProgress) {
            let why = "the mover Job disappeared before its result was read".to_string();
            return finish(
                b,
                bctx,
                &refs,
                workload,
                &pvc,
                BackupPhase::Failed,
                vec![why],
                None,
            )
            .await;
        }
        // Pre hooks, in order; a fatal failure aborts before any Job exists.
        let pre = hooks::select(&refs.hooks, Stage::Pre);
        let mut done: Vec<HookOutcome> = Vec::new();
        let tolerated = loop {
            match hooks::next_pre(&pre, &done) {
                PreNext::Run(i) => done.push(run_hook(bctx, &ns, workload, &pvc, pre[i]).await),
                PreNext::Snapshot(errors) => break errors,
                PreNext::Abort(errors) => {
                    finish(
                        b,
                        bctx,
                        &refs,
                        workload,
                        &pvc,
                        BackupPhase::Failed,
                        errors,
                        None,
                    )
                    .await?;
                    return Ok(Outcome::Aborted);
                }
            }
        };
        let owner = b
            .controller_owner_ref(&())
            .ok_or_else(|| Error::InvalidSpec("metadata: the Backup has no uid yet".into()))?;
        let run_as = workload.and_then(hooks::run_as);
        let built = job::mover_job(&MoverJobInput {
            backup: b,
            repository: &refs.repository.spec,
            key: &refs.key,
            owner,
            node: workload.and_then(|p| p.spec.as_ref()?.node_name.clone()),
            run_as,
            settings: &bctx.settings,
        })
        .map_err(|e| Error::InvalidSpec(e.to_string()))?;
        match jobs.create(&PostParams::default(), &built).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => return Err(e.into()),
        }
        let ids = job::mover_ids(run_as);
        write_with(b, ctx, BackupPhase::InProgress, tolerated, None, |s| {
            s.run_as_user = ids.map(|(u, _)| u);
            s.run_as_group = ids.map(|(_, g)| g);
        })
        .await?;
        return Ok(Outcome::Started);
    };

    let movers = pods
        .list(&ListParams::default().labels(&format!("{BACKUP_LABEL}={name}")))
        .await?
        .items;
    match result::observe(&job_obj, &movers) {
        Observed::Running => {
            if status.phase != Some(BackupPhase::InProgress) {
                write(b, ctx, BackupPhase::InProgress, status.errors.clone(), None).await?;
            }
            Ok(Outcome::Running)
        }
        Observed::Stuck { reason, message } => {
            // It will not start by itself (a missing Secret or PVC): stop it and say why.
            jobs.delete(&name, &DeleteParams::background()).await?;
            let why = format!("the mover Pod cannot start: {reason}: {message}");
            finish(
                b,
                bctx,
                &refs,
                workload,
                &pvc,
                BackupPhase::Failed,
                vec![why],
                None,
            )
            .await
        }
        Observed::Finished { succeeded, message } => {
            let parsed =
                result::parse::<result::BackupReport>(message.as_deref().unwrap_or_default());
            let (phase, errors) = result::settle(succeeded, &parsed);
            let report = match &parsed {
                MoverResult::Report(r) if phase == BackupPhase::Completed => Some(r.clone()),
                _ => None,
            };
            finish(b, bctx, &refs, workload, &pvc, phase, errors, report).await
        }
    }
}

/// The longest a completed run waits before looking again at a restore test due later.
const VERIFY_RECHECK: Duration = Duration::from_secs(3600);

/// The restore test of a completed run: start it when due, read its result back.
async fn restore_test(b: &Backup, bctx: &BackupContext) -> Result<Outcome, Error> {
    let ctx = &bctx.ctx;
    let st = b.status.clone().unwrap_or_default();
    let (Some(BackupPhase::Completed), Some(snapshot), None) =
        (st.phase, st.snapshot_id.as_deref(), st.verification)
    else {
        return Ok(Outcome::Done);
    };
    let ns = b.namespace().unwrap_or_default();
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ns);
    let vname = job::verify_job_name(&b.name_any());
    if let Some(j) = jobs.get_opt(&vname).await? {
        let pods = Api::<Pod>::namespaced(ctx.client.clone(), &ns)
            .list(&ListParams::default().labels(&format!("{BACKUP_LABEL}={vname}")))
            .await?
            .items;
        let (verification, errors) = match result::observe(&j, &pods) {
            Observed::Running => return Ok(Outcome::Verifying),
            Observed::Stuck { reason, message } => {
                jobs.delete(&vname, &DeleteParams::background()).await?;
                (
                    VerificationStatus::VerificationFailed,
                    vec![format!(
                        "the restore-test Pod cannot start: {reason}: {message}"
                    )],
                )
            }
            Observed::Finished { succeeded, message } => {
                let parsed = result::parse::<VerifyReport>(message.as_deref().unwrap_or_default());
                result::verification(succeeded, &parsed)
            }
        };
        let new =
            verify::verified_status(&st, verification, errors, b.meta().generation, ctx.now());
        Api::<Backup>::namespaced(ctx.client.clone(), &ns)
            .patch_status(
                &b.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({ "status": new })),
            )
            .await?;
        ctx.metrics
            .restore_test_finished(&b.spec.plan, &b.spec.tier, verification.as_str());
        return Ok(Outcome::Verified(verification));
    }
    let runs = Api::<Backup>::namespaced(ctx.client.clone(), &ns)
        .list(&ListParams::default())
        .await?
        .items;
    let Some(plan) = Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
        .get_opt(&b.spec.plan)
        .await?
    else {
        return Ok(Outcome::Done);
    };
    let now = ctx.now().0;
    match verify::restore_test_due(b, &runs, &plan, now) {
        Due::Never => return Ok(Outcome::Done),
        Due::At(at) => {
            let wait = Duration::try_from(at.duration_since(now)).unwrap_or(VERIFY_RECHECK);
            return Ok(Outcome::VerifyLater(
                wait.clamp(Duration::from_secs(60), VERIFY_RECHECK),
            ));
        }
        Due::Now => {}
    }
    let refs = match dereference(b, ctx).await? {
        Ok(r) => r,
        Err(why) => {
            // The repository is gone, read-only for a DR restore, or no longer the agency's:
            // the snapshot is neither proven nor disproven; try again later.
            tracing::warn!(backup = %b.name_any(), namespace = %ns, %why, "restore test postponed");
            return Ok(Outcome::VerifyLater(VERIFY_RECHECK));
        }
    };
    let owner = b
        .controller_owner_ref(&())
        .ok_or_else(|| Error::InvalidSpec("metadata: the Backup has no uid yet".into()))?;
    let built = job::verify_job(&VerifyJobInput {
        backup: b,
        snapshot_id: snapshot,
        repository: &refs.repository.spec,
        key: &refs.key,
        owner,
        settings: &bctx.settings,
    })
    .map_err(|e| Error::InvalidSpec(e.to_string()))?;
    match jobs.create(&PostParams::default(), &built).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => return Err(e.into()),
    }
    Ok(Outcome::VerifyStarted)
}

/// Post hooks for the outcome, then the final status and metrics.
#[allow(clippy::too_many_arguments)]
async fn finish(
    b: &Backup,
    bctx: &BackupContext,
    refs: &Refs,
    workload: Option<&Pod>,
    pvc: &str,
    phase: BackupPhase,
    mut errors: Vec<String>,
    report: Option<result::BackupReport>,
) -> Result<Outcome, Error> {
    let ns = b.namespace().unwrap_or_default();
    let post = hooks::select(
        &refs.hooks,
        Stage::Post {
            snapshot_ok: phase == BackupPhase::Completed,
        },
    );
    let outcomes = run_hooks(bctx, &ns, workload, pvc, &post).await;
    let (phase, hook_errors) = hooks::after_post(phase, &post, &outcomes);
    errors.extend(hook_errors);
    write(b, &bctx.ctx, phase, errors, report.as_ref()).await?;
    bctx.ctx.metrics.backup_finished(
        &b.spec.plan,
        &b.spec.tier,
        phase.as_str(),
        report
            .as_ref()
            .map(|r| (r.bytes_read, r.bytes_added, r.duration_seconds)),
    );
    Ok(Outcome::Finished(phase))
}

async fn write(
    b: &Backup,
    ctx: &Context,
    phase: BackupPhase,
    errors: Vec<String>,
    report: Option<&result::BackupReport>,
) -> Result<(), Error> {
    write_with(b, ctx, phase, errors, report, |_| {}).await
}

/// [`write`], with a last edit of the new status.
async fn write_with(
    b: &Backup,
    ctx: &Context,
    phase: BackupPhase,
    errors: Vec<String>,
    report: Option<&result::BackupReport>,
    edit: impl FnOnce(&mut pusdata_crds::v1alpha1::BackupStatus),
) -> Result<(), Error> {
    let old = b.status.clone().unwrap_or_default();
    let mut new = core_backup::status(
        &old,
        phase,
        errors,
        report,
        (b.spec.trigger, b.spec.token.as_deref()),
        b.meta().generation,
        ctx.now(),
    );
    edit(&mut new);
    apply_status(ctx, b, &old, &new).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{events_about, seed_cluster, seed_namespaced};
    use kube_fake_client::ClientBuilder;
    use pusdata_core::backup::job::MoverSettings;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::Agency;
    use pusdata_crds::v1alpha1::{BackupTrigger, HookPhase, HookRun};
    use std::sync::Mutex;

    /// Records every exec and answers from a script (by hook command's first word).
    #[derive(Default)]
    struct Recorder {
        calls: Mutex<Vec<String>>,
        fail: Vec<&'static str>,
    }

    impl HookExec for Recorder {
        fn exec<'a>(
            &'a self,
            namespace: &'a str,
            pod: &'a str,
            container: &'a str,
            command: &'a [String],
            _timeout: Duration,
        ) -> BoxFuture<'a, HookOutcome> {
            Box::pin(async move {
                let cmd = command.join(" ");
                self.calls
                    .lock()
                    .unwrap()
                    .push(format!("{namespace}/{pod}/{container}: {cmd}"));
                if self.fail.iter().any(|f| cmd.starts_with(f)) {
                    HookOutcome::Exited(3)
                } else {
                    HookOutcome::Succeeded
                }
            })
        }
    }

    const NS: &str = "disdukcapil";
    const NAME: &str = "siak-data-20261101-000000";

    fn hook(name: &str, phase: HookPhase, run: HookRun, fatal: bool) -> Hook {
        Hook {
            name: name.into(),
            phase,
            run,
            container: None,
            command: vec![name.into(), "--now".into()],
            timeout: "1m".into(),
            fail_backup_on_error: fatal,
        }
    }

    async fn world(hooks: Vec<Hook>, fail: Vec<&'static str>) -> (BackupContext, Arc<Recorder>) {
        world_with(hooks, fail, |_, _| {}).await
    }

    /// The world, with the plan and the repository edited before they are seeded.
    async fn world_with(
        hooks: Vec<Hook>,
        fail: Vec<&'static str>,
        edit: impl FnOnce(&mut DisasterRecoveryPlan, &mut BackupRepository),
    ) -> (BackupContext, Arc<Recorder>) {
        let ctx = crate::controllers::testing::context(
            ClientBuilder::new()
                .with_resource::<Backup>()
                .with_status_subresource::<Backup>()
                .with_resource::<BackupRepository>()
                .with_resource::<Agency>()
                .with_resource::<DisasterRecoveryPlan>(),
        )
        .await;
        let mut agency = fixtures::agency(NS);
        agency.spec.repository_key = Some(SecretKeyRef {
            name: "disdukcapil-repo-key".into(),
            namespace: None,
            key: "password".into(),
        });
        seed_cluster(&ctx, &agency).await;
        let mut repo = fixtures::backup_repository(NS, "drc-bandung");
        let mut plan = fixtures::plan();
        plan.spec.tiers[0].hooks = hooks;
        edit(&mut plan, &mut repo);
        seed_cluster(&ctx, &repo).await;
        seed_cluster(&ctx, &plan).await;
        seed_namespaced(&ctx, &fixtures::backup(NS, "siak-data")).await;
        let workload: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "siak-db-0", "namespace": NS},
            "spec": {"nodeName": "node-2", "containers": [{"name": "postgres", "securityContext": {"runAsUser": 999}}],
                     "volumes": [{"name": "d", "persistentVolumeClaim": {"claimName": "siak-data"}}]},
            "status": {"phase": "Running"}
        }))
        .unwrap();
        seed_namespaced(&ctx, &workload).await;
        let rec = Arc::new(Recorder {
            fail,
            ..Recorder::default()
        });
        let bctx = BackupContext {
            ctx: Arc::new(ctx),
            exec: rec.clone(),
            settings: MoverSettings::default(),
        };
        (bctx, rec)
    }

    async fn get(bctx: &BackupContext) -> Backup {
        Api::<Backup>::namespaced(bctx.ctx.client.clone(), NS)
            .get(NAME)
            .await
            .unwrap()
    }

    /// Plays the Job controller and the kubelet: a finished Job and its Pod's termination
    /// message, as a cluster would write them.
    async fn finish_job(bctx: &BackupContext, ok: bool, message: &str) {
        finish_named(bctx, NAME, ok, message).await;
    }

    /// [`finish_job`] for the Job `job` (its Pod labelled as the Job controller would).
    async fn finish_named(bctx: &BackupContext, job: &str, ok: bool, message: &str) {
        crate::controllers::testing::finish_job(&bctx.ctx, NS, job, ok, message).await;
    }

    fn report_json() -> String {
        serde_json::json!({
            "snapshotId": "c0ffee".repeat(10) + "c0ff", "parentId": null, "repositoryCreated": false,
            "time": "2026-11-25T00:00:04Z", "tags": [], "paths": ["/data/siak-data"],
            "filesNew": 10, "filesChanged": 2, "filesUnmodified": 100,
            "bytesRead": 4_000_000, "bytesAdded": 1_000_000, "durationSeconds": 4.5
        })
        .to_string()
    }

    #[tokio::test]
    async fn a_backup_runs_hooks_then_a_mover_job_and_reads_the_result_back() {
        let hooks = vec![
            hook("pg-dump", HookPhase::Pre, HookRun::Always, true),
            hook("cleanup", HookPhase::Post, HookRun::Always, false),
            hook("notify-ok", HookPhase::Post, HookRun::OnSuccess, false),
            hook("page", HookPhase::Post, HookRun::OnFailure, false),
        ];
        let (bctx, rec) = world(hooks, vec![]).await;
        let out = reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(out, Outcome::Started);
        assert_eq!(
            *rec.calls.lock().unwrap(),
            vec!["disdukcapil/siak-db-0/postgres: pg-dump --now"]
        );
        let job = Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
            .get(NAME)
            .await
            .unwrap();
        let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        assert_eq!(
            pod.security_context.as_ref().unwrap().run_as_user,
            Some(999),
            "reads as the workload's user"
        );
        assert!(
            serde_json::to_string(&pod.affinity)
                .unwrap()
                .contains("node-2")
        );
        assert_eq!(job.metadata.owner_references.unwrap()[0].name, NAME);
        let st = get(&bctx).await.status.unwrap();
        assert_eq!(st.phase, Some(BackupPhase::InProgress));
        // Recorded for the restore at the DRC, which writes the files as the same user.
        let job_sc = pod.security_context.as_ref().unwrap();
        assert_eq!(
            (st.run_as_user, st.run_as_group),
            (job_sc.run_as_user, job_sc.run_as_group)
        );
        assert_eq!(st.run_as_user, Some(999));

        // Still running: nothing changes, no hook runs again.
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Running
        );
        assert_eq!(rec.calls.lock().unwrap().len(), 1);

        finish_job(&bctx, true, &report_json()).await;
        let out = reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(out, Outcome::Finished(BackupPhase::Completed));
        assert_eq!(
            rec.calls.lock().unwrap()[1..],
            [
                "disdukcapil/siak-db-0/postgres: cleanup --now",
                "disdukcapil/siak-db-0/postgres: notify-ok --now"
            ]
        );
        let st = get(&bctx).await.status.unwrap();
        assert_eq!(st.phase, Some(BackupPhase::Completed));
        assert_eq!(st.snapshot_id.as_deref().map(str::len), Some(64));
        assert_eq!(
            (st.files_new, st.bytes_read, st.bytes_added),
            (Some(10), Some(4_000_000), Some(1_000_000))
        );
        assert_eq!(st.duration_seconds, Some(4.5));
        assert!(st.finished_at.is_some() && st.started_at.is_some());
        let text = bctx.ctx.metrics.encode();
        assert!(
            text.contains(
                "pusdata_backup_dedup_ratio{plan=\"bekasi\",tier=\"tier-1-critical\"} 4.0"
            ),
            "{text}"
        );

        // Started and completed are Events on the Backup; the running pass added none.
        let events = || events_about(&bctx.ctx, NS, NAME);
        let ev = |r: &str, t: &str| (r.to_string(), t.to_string());
        let mut seen = events().await;
        seen.sort();
        assert_eq!(
            seen,
            vec![ev("Completed", "Normal"), ev("InProgress", "Normal")]
        );

        // Over: further passes do nothing.
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Done
        );
        assert_eq!(rec.calls.lock().unwrap().len(), 3);
        assert_eq!(events().await.len(), 2, "no Event at steady state");
    }

    #[tokio::test]
    async fn a_failing_fatal_pre_hook_aborts_without_a_job_and_runs_on_failure_hooks() {
        let hooks = vec![
            hook("freeze", HookPhase::Pre, HookRun::Always, true),
            hook("never", HookPhase::Pre, HookRun::Always, true),
            hook("unfreeze", HookPhase::Post, HookRun::Always, true),
            hook("notify-ok", HookPhase::Post, HookRun::OnSuccess, false),
            hook("page", HookPhase::Post, HookRun::OnFailure, false),
        ];
        let (bctx, rec) = world(hooks, vec!["freeze"]).await;
        let out = reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(out, Outcome::Aborted);
        let calls: Vec<String> = rec
            .calls
            .lock()
            .unwrap()
            .iter()
            .map(|c| c.split(": ").nth(1).unwrap().to_string())
            .collect();
        assert_eq!(calls, ["freeze --now", "unfreeze --now", "page --now"]);
        assert!(
            Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
                .get_opt(NAME)
                .await
                .unwrap()
                .is_none()
        );
        let st = get(&bctx).await.status.unwrap();
        assert_eq!(st.phase, Some(BackupPhase::Failed));
        assert_eq!(st.errors, vec!["pre hook freeze: exited with status 3"]);
    }

    #[tokio::test]
    async fn a_failed_mover_reports_its_error_and_a_fatal_post_hook_marks_partial() {
        let (bctx, _) = world(vec![], vec![]).await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        finish_job(&bctx, false, r#"{"error":{"category":"wrong-key","message":"wrong repository key: the password does not open any key of repository s3:https://s3.drc/pusdata-backups (nothing was written)"}}"#).await;
        let out = reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(out, Outcome::Finished(BackupPhase::Failed));
        let st = get(&bctx).await.status.unwrap();
        assert!(
            st.errors[0].starts_with("wrong-key: wrong repository key"),
            "{:?}",
            st.errors
        );
        assert!(st.snapshot_id.is_none());
        let failed = events_about(&bctx.ctx, NS, NAME).await;
        assert!(
            failed.contains(&("Failed".to_string(), "Warning".to_string())),
            "{failed:?}"
        );

        let hooks = vec![hook("unfreeze", HookPhase::Post, HookRun::Always, true)];
        let (bctx, _) = world(hooks, vec!["unfreeze"]).await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        finish_job(&bctx, true, &report_json()).await;
        let out = reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(out, Outcome::Finished(BackupPhase::PartiallyFailed));
        let st = get(&bctx).await.status.unwrap();
        assert!(st.snapshot_id.is_some(), "the snapshot exists");
        assert_eq!(st.errors, vec!["post hook unfreeze: exited with status 3"]);
        let partial = events_about(&bctx.ctx, NS, NAME).await;
        assert!(
            partial.contains(&("PartiallyFailed".to_string(), "Warning".to_string())),
            "{partial:?}"
        );
    }

    #[tokio::test]
    async fn a_missing_secret_stops_the_job_and_fails_the_run() {
        let (bctx, _) = world(vec![], vec![]).await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{NAME}-x1"), "namespace": NS, "labels": {BACKUP_LABEL: NAME}},
            "spec": {"containers": [{"name": "mover"}]},
            "status": {"phase": "Pending", "containerStatuses": [{"name": "mover", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"drc-s3\" not found"}}}]}
        }))
        .unwrap();
        seed_namespaced(&bctx.ctx, &pod).await;
        let out = reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(out, Outcome::Finished(BackupPhase::Failed));
        assert!(
            Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
                .get_opt(NAME)
                .await
                .unwrap()
                .is_none()
        );
        let st = get(&bctx).await.status.unwrap();
        assert!(st.errors[0].contains("secret \"drc-s3\" not found"));
    }

    #[tokio::test]
    async fn another_agencys_repository_or_no_key_is_refused_before_anything_runs() {
        let (bctx, rec) = world(
            vec![hook("x", HookPhase::Pre, HookRun::Always, true)],
            vec![],
        )
        .await;
        seed_cluster(
            &bctx.ctx,
            &fixtures::backup_repository("bapenda", "drc-bandung"),
        )
        .await;
        seed_cluster(&bctx.ctx, &fixtures::agency("bapenda")).await;
        let mut b = fixtures::backup(NS, "siak-data");
        b.metadata.name = Some("steal".into());
        b.spec.repository = "bapenda-drc-bandung".into();
        b.spec.trigger = BackupTrigger::Manual;
        seed_namespaced(&bctx.ctx, &b).await;
        let b = Api::<Backup>::namespaced(bctx.ctx.client.clone(), NS)
            .get("steal")
            .await
            .unwrap();
        let out = reconcile_once(&b, &bctx).await.unwrap();
        assert!(
            matches!(&out, Outcome::Invalid(w) if w.starts_with("SEC-CIA")),
            "{out:?}"
        );
        assert!(rec.calls.lock().unwrap().is_empty());
        let b = Api::<Backup>::namespaced(bctx.ctx.client.clone(), NS)
            .get("steal")
            .await
            .unwrap();
        assert_eq!(b.status.unwrap().phase, Some(BackupPhase::FailedValidation));
        assert!(
            Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
                .get_opt("steal")
                .await
                .unwrap()
                .is_none()
        );
    }

    fn job_args(job: &Job) -> Vec<String> {
        job.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
            .args
            .clone()
            .unwrap()
    }

    #[tokio::test]
    async fn the_repositorys_bandwidth_limits_reach_the_mover_job() {
        let (bctx, _) = world_with(vec![], vec![], |_, repo| {
            repo.spec.upload_limit_bytes_per_second = Some(12_500_000);
            repo.spec.download_limit_bytes_per_second = Some(25_000_000);
        })
        .await;
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Started
        );
        let job = Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
            .get(NAME)
            .await
            .unwrap();
        let args = job_args(&job).join(" ");
        assert!(args.contains("--limit-upload 12500000"), "{args}");
        assert!(args.contains("--limit-download 25000000"), "{args}");

        // Without limits in the repository, no flag.
        let (bctx, _) = world(vec![], vec![]).await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        let job = Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
            .get(NAME)
            .await
            .unwrap();
        assert!(!job_args(&job).iter().any(|a| a.starts_with("--limit")));
    }

    fn verify_json(mismatches: &[&str]) -> String {
        serde_json::json!({
            "snapshotId": "c0ffee".repeat(10) + "c0ff",
            "status": if mismatches.is_empty() { "Verified" } else { "VerificationFailed" },
            "filesChecked": 112, "bytesChecked": 4_000_000,
            "mismatches": mismatches.iter().map(|p| serde_json::json!({"path": p, "reason": "content differs from the snapshot"})).collect::<Vec<_>>(),
            "restoreError": null, "durationSeconds": 3.0
        })
        .to_string()
    }

    /// A completed run whose tier has a restore-test schedule, then its restore test.
    async fn completed_with_restore_tests() -> BackupContext {
        let (bctx, _) = world_with(vec![], vec![], |plan, _| {
            plan.spec.tiers[0].verification.restore_test_schedule = Some("0 3 * * *".into());
        })
        .await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        finish_job(&bctx, true, &report_json()).await;
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Finished(BackupPhase::Completed)
        );
        bctx
    }

    #[tokio::test]
    async fn a_due_restore_test_runs_a_verify_job_and_marks_the_snapshot_verified() {
        let bctx = completed_with_restore_tests().await;
        let vname = job::verify_job_name(NAME);
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::VerifyStarted
        );
        let vjob = Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
            .get(&vname)
            .await
            .unwrap();
        let args = job_args(&vjob).join(" ");
        assert!(args.starts_with("mover verify --repository s3:"), "{args}");
        assert!(
            args.contains(&format!("--snapshot {}", "c0ffee".repeat(10) + "c0ff")),
            "{args}"
        );
        assert!(args.contains("--result-file /dev/termination-log"));
        let pod = vjob.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        assert!(
            pod.volumes
                .as_ref()
                .unwrap()
                .iter()
                .all(|v| v.persistent_volume_claim.is_none()),
            "no PVC is mounted"
        );
        assert_eq!(vjob.metadata.owner_references.unwrap()[0].name, NAME);
        assert_eq!(get(&bctx).await.status.unwrap().verification, None);

        // Running: nothing changes.
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Verifying
        );

        finish_named(&bctx, &vname, true, &verify_json(&[])).await;
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Verified(VerificationStatus::Verified)
        );
        let st = get(&bctx).await.status.unwrap();
        assert_eq!(st.verification, Some(VerificationStatus::Verified));
        assert_eq!(st.verified_at, Some(bctx.ctx.now()));
        assert!(st.verification_errors.is_empty());
        assert_eq!(
            st.phase,
            Some(BackupPhase::Completed),
            "the run is unchanged"
        );
        let cond = st
            .conditions
            .iter()
            .find(|c| c.type_ == pusdata_core::conditions::VERIFIED)
            .unwrap();
        assert_eq!(cond.status, "True");
        assert!(
            bctx.ctx
                .metrics
                .encode()
                .contains("pusdata_backup_restore_tests_total{plan=\"bekasi\",tier=\"tier-1-critical\",phase=\"Verified\"} 1")
        );
        // Over: no second test of the same snapshot.
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Done
        );
    }

    #[tokio::test]
    async fn a_failed_restore_test_names_the_differing_paths() {
        let bctx = completed_with_restore_tests().await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        let vname = job::verify_job_name(NAME);
        finish_named(
            &bctx,
            &vname,
            false,
            &verify_json(&["pgdata/base/16384/2619", "pgdata/global/pg_control"]),
        )
        .await;
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Verified(VerificationStatus::VerificationFailed)
        );
        let st = get(&bctx).await.status.unwrap();
        assert_eq!(
            st.verification,
            Some(VerificationStatus::VerificationFailed)
        );
        assert_eq!(
            st.verification_errors,
            vec![
                "pgdata/base/16384/2619: content differs from the snapshot",
                "pgdata/global/pg_control: content differs from the snapshot"
            ]
        );
        let cond = st
            .conditions
            .iter()
            .find(|c| c.type_ == pusdata_core::conditions::VERIFIED)
            .unwrap();
        assert_eq!(cond.status, "False");
        assert!(
            cond.message.contains("uji pemulihan gagal"),
            "{}",
            cond.message
        );
    }

    #[tokio::test]
    async fn no_restore_test_without_a_schedule_or_for_an_older_run() {
        // The fixture plan sets no restoreTestSchedule: a completed run is simply done.
        let (bctx, _) = world(vec![], vec![]).await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        finish_job(&bctx, true, &report_json()).await;
        reconcile_once(&get(&bctx).await, &bctx).await.unwrap();
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Done
        );
        assert!(
            Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
                .get_opt(&job::verify_job_name(NAME))
                .await
                .unwrap()
                .is_none()
        );

        // A newer completed run of the same source: the older one is not tested.
        let bctx = completed_with_restore_tests().await;
        let mut newer = fixtures::backup(NS, "siak-data");
        newer.metadata.name = Some("siak-data-20261101-010000".into());
        seed_namespaced(&bctx.ctx, &newer).await;
        let mut newer = Api::<Backup>::namespaced(bctx.ctx.client.clone(), NS)
            .get("siak-data-20261101-010000")
            .await
            .unwrap();
        let mut st = get(&bctx).await.status.unwrap();
        st.finished_at = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            "2026-11-25T01:00:00Z".parse().unwrap(),
        ));
        newer.status = Some(st);
        Api::<Backup>::namespaced(bctx.ctx.client.clone(), NS)
            .patch_status(
                "siak-data-20261101-010000",
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({"status": newer.status})),
            )
            .await
            .unwrap();
        assert_eq!(
            reconcile_once(&get(&bctx).await, &bctx).await.unwrap(),
            Outcome::Done
        );
    }

    #[test]
    fn exec_status_maps_to_outcomes() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
        let ok: Status = serde_json::from_value(serde_json::json!({"status": "Success"})).unwrap();
        assert_eq!(exit_outcome(Some(ok)), HookOutcome::Succeeded);
        let failed: Status = serde_json::from_value(serde_json::json!({
            "status": "Failure", "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": "7"}]}
        }))
        .unwrap();
        assert_eq!(exit_outcome(Some(failed)), HookOutcome::Exited(7));
        assert!(matches!(exit_outcome(None), HookOutcome::NotRun(_)));
    }
}
