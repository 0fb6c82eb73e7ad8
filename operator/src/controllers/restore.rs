//! The Restore controller: restores one snapshot into a new PVC with a mover Job, verifies
//! it against the snapshot's tree, and reports what it did.
//!
//! Pipeline: dereference (the Job and its Pods, the target PVC, the repository, the
//! agencies, the namespace's agency label, the source's Backup runs, the Sites' fencing
//! epochs) → decide (`pusdata_core::restore::admit` and `next`, pure) → apply (create the
//! PVC, create the Job, delete a Job that cannot start) → status from the mover's JSON result
//! in the Pod's termination message (`restore::settle` and `restore::status`), with an Event
//! per condition change.
//!
//! Resumable: the PVC and the Job have deterministic names (`spec.target.pvc`,
//! `<restore>-restore`); a restarted controller finds them and carries on. A finished
//! Restore is never run again, and the Job runs once.
//!
//! Secrets: like the Backup controller, the Job references the repository's credentials and
//! key Secrets by name in the Restore's namespace; the operator never reads them (SEC-CIA).

use super::permission::Permission;
use super::{Context, Error};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata_core::backup::job::MoverSettings;
use pusdata_core::backup::result;
use pusdata_core::restore::{
    self as core_restore, Admitted, Next, PvcSeen, RESTORE_LABEL, Reason, RestoreJobInput,
    RestoreOutput, World,
};
use pusdata_core::tenancy::AGENCY_LABEL;
use pusdata_crds::v1alpha1::{
    Agency, Backup, BackupRepository, Restore, RestorePhase, RestoreStatus, Site,
};
use std::sync::Arc;
use std::time::Duration;

/// The Restore controller's context: the shared one and the mover Job settings.
#[derive(Clone)]
pub struct RestoreContext {
    /// Shared controller context.
    pub ctx: Arc<Context>,
    /// Mover Job settings (image, resources, deadlines).
    pub settings: MoverSettings,
}

/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "restores",
        verbs: &["get", "list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "restores/status",
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
    // `latest-verified` and the snapshot's size come from the source's recorded runs.
    Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["list"],
    },
    // The fencing epoch the site knows.
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["list"],
    },
    // The `pusdata.io/agency` label of an isolated drill namespace.
    Permission {
        group: "",
        resource: "namespaces",
        verbs: &["get"],
    },
    Permission {
        group: "",
        resource: "persistentvolumeclaims",
        verbs: &["get", "create"],
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
];

/// What one pass did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Nothing to do: the Restore is over.
    Done,
    /// Refused before anything was created (status says why).
    Refused(Reason),
    /// Waiting for the repository.
    Waiting,
    /// The PVC (if missing) and the Job were created.
    Started,
    /// The Job is running.
    Running,
    /// The run finished with this phase.
    Finished(RestorePhase),
}

/// How long a waiting Restore sleeps before looking again.
const WAIT: Duration = Duration::from_secs(30);

/// Reconciles one Restore.
pub async fn reconcile(r: Arc<Restore>, rctx: Arc<RestoreContext>) -> Result<Action, Error> {
    match reconcile_once(&r, &rctx).await? {
        Outcome::Started | Outcome::Running => Ok(Action::requeue(Duration::from_secs(60))),
        Outcome::Waiting => Ok(Action::requeue(WAIT)),
        // Over, or refused: the spec is immutable, so nothing will change by itself.
        Outcome::Done | Outcome::Refused(_) | Outcome::Finished(_) => Ok(Action::await_change()),
    }
}

/// What admission and the Job need, read from the API.
struct Read {
    agencies: Vec<Agency>,
    repository: Option<BackupRepository>,
    backups: Vec<Backup>,
    namespace_label: Option<String>,
    site_epoch: u64,
}

async fn dereference(r: &Restore, ctx: &Context) -> Result<Read, Error> {
    let ns = r.namespace().unwrap_or_default();
    // From the shared caches on the primary (read from the API at the DRC, which keeps
    // none).
    let repository = super::cache::named::<BackupRepository>(ctx, &r.spec.repository).await?;
    let agencies = super::cache::all_of::<Agency>(ctx).await?;
    let runs_ns = r
        .spec
        .source
        .as_ref()
        .map_or(ns.clone(), |s| s.namespace.clone());
    let backups = super::cache::in_namespace::<Backup>(ctx, &runs_ns).await?;
    let namespace_label = super::cache::namespace_labels(ctx, &ns)
        .await?
        .and_then(|l| l.get(AGENCY_LABEL).cloned());
    let site_epoch = super::cache::shared::<Site>(ctx)
        .await?
        .iter()
        .filter_map(|s| s.status.as_ref()?.epoch)
        .max()
        .unwrap_or(0);
    Ok(Read {
        agencies,
        repository,
        backups,
        namespace_label,
        site_epoch,
    })
}

/// One pass of the pipeline.
pub async fn reconcile_once(r: &Restore, rctx: &RestoreContext) -> Result<Outcome, Error> {
    let ctx = &rctx.ctx;
    let status = r.status.clone().unwrap_or_default();
    if core_restore::finished(status.phase) {
        return Ok(Outcome::Done);
    }
    let ns = r.namespace().unwrap_or_default();
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ns);
    let pvcs: Api<PersistentVolumeClaim> = Api::namespaced(ctx.client.clone(), &ns);
    let job_name = core_restore::job_name(&r.name_any());
    let observed = match jobs.get_opt(&job_name).await? {
        Some(job) => {
            let pods = Api::<Pod>::namespaced(ctx.client.clone(), &ns)
                .list(&ListParams::default().labels(&format!("{RESTORE_LABEL}={job_name}")))
                .await?
                .items;
            Some(result::observe_labelled(&job, &pods, RESTORE_LABEL))
        }
        None => None,
    };
    let uid = r.meta().uid.clone();
    let seen = core_restore::pvc_seen(
        pvcs.get_opt(&r.spec.target.pvc).await?.as_ref(),
        uid.as_deref(),
    );
    let read = dereference(r, ctx).await?;
    let gate = core_restore::admit(
        r,
        &World {
            namespace: &ns,
            namespace_label: read.namespace_label.as_deref(),
            agencies: &read.agencies,
            repository: read.repository.as_ref(),
            backups: &read.backups,
            site_epoch: read.site_epoch,
        },
    );
    match core_restore::next(status.phase, observed.as_ref(), seen, gate) {
        Next::Done => Ok(Outcome::Done),
        Next::Wait(reason, why) => {
            write(r, ctx, RestorePhase::New, reason, vec![why], None).await?;
            Ok(Outcome::Waiting)
        }
        Next::Refuse(refusal) => {
            finish(
                r,
                ctx,
                RestorePhase::Failed,
                refusal.reason,
                vec![refusal.message],
                None,
            )
            .await?;
            Ok(Outcome::Refused(refusal.reason))
        }
        Next::Start {
            create_pvc,
            admitted,
        } => {
            let Some(repository) = read.repository.as_ref() else {
                // `admit` only lets a Restore start with its repository.
                return Err(Error::InvalidSpec("spec.repository: not found".into()));
            };
            start(r, rctx, &pvcs, &jobs, create_pvc, &admitted, repository).await
        }
        Next::Running => {
            if status.phase != Some(RestorePhase::InProgress) {
                write(
                    r,
                    ctx,
                    RestorePhase::InProgress,
                    Reason::InProgress,
                    vec![],
                    None,
                )
                .await?;
            }
            Ok(Outcome::Running)
        }
        Next::Abort(refusal) => {
            // It will not start by itself (a missing Secret): stop it and say why.
            jobs.delete(&job_name, &DeleteParams::background()).await?;
            finish(
                r,
                ctx,
                RestorePhase::Failed,
                refusal.reason,
                vec![refusal.message],
                None,
            )
            .await?;
            Ok(Outcome::Finished(RestorePhase::Failed))
        }
        Next::Vanished => {
            let why = format!("the mover Job {job_name} disappeared before its result was read");
            finish(
                r,
                ctx,
                RestorePhase::Failed,
                Reason::JobVanished,
                vec![why],
                None,
            )
            .await?;
            Ok(Outcome::Finished(RestorePhase::Failed))
        }
        Next::Settle { succeeded, message } => {
            let parsed = result::parse::<RestoreOutput>(message.as_deref().unwrap_or_default());
            let s = core_restore::settle(succeeded, &parsed, r.spec.verify);
            finish(r, ctx, s.phase, s.reason, s.errors, s.output.as_ref()).await?;
            Ok(Outcome::Finished(s.phase))
        }
    }
}

/// Creates the PVC (when missing) and the Job, then marks the run InProgress. A PVC that
/// appears between the read and the create is only used if it is ours.
async fn start(
    r: &Restore,
    rctx: &RestoreContext,
    pvcs: &Api<PersistentVolumeClaim>,
    jobs: &Api<Job>,
    create_pvc: bool,
    admitted: &Admitted,
    repository: &BackupRepository,
) -> Result<Outcome, Error> {
    let ctx = &rctx.ctx;
    let owner = r
        .controller_owner_ref(&())
        .ok_or_else(|| Error::InvalidSpec("metadata: the Restore has no uid yet".into()))?;
    if create_pvc {
        let pvc = core_restore::target_pvc(r, &repository.spec.agency, &admitted.size, &owner.uid);
        match pvcs.create(&PostParams::default(), &pvc).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {
                let now = pvcs.get_opt(&r.spec.target.pvc).await?;
                if core_restore::pvc_seen(now.as_ref(), r.meta().uid.as_deref()) != PvcSeen::Ours {
                    // Someone else's PVC appeared: the next pass refuses (TargetExists).
                    return Ok(Outcome::Waiting);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let job = core_restore::restore_job(&RestoreJobInput {
        restore: r,
        admitted,
        repository,
        owner,
        settings: &rctx.settings,
    });
    match jobs.create(&PostParams::default(), &job).await {
        Ok(_) => {}
        Err(kube::Error::Api(e)) if e.code == 409 => {}
        Err(e) => return Err(e.into()),
    }
    write(
        r,
        ctx,
        RestorePhase::InProgress,
        Reason::InProgress,
        vec![],
        None,
    )
    .await?;
    Ok(Outcome::Started)
}

/// The final status and the metrics of a finished (or refused) run.
async fn finish(
    r: &Restore,
    ctx: &Context,
    phase: RestorePhase,
    reason: Reason,
    errors: Vec<String>,
    output: Option<&RestoreOutput>,
) -> Result<(), Error> {
    write(r, ctx, phase, reason, errors, output).await?;
    let figures = output.map(|o| {
        let rep = o.restore();
        let verify = o.verification().map_or(0.0, |v| v.duration_seconds);
        (rep.duration_seconds + verify, rep.bytes)
    });
    ctx.metrics
        .restore_finished(phase.as_str(), reason.as_str(), figures);
    Ok(())
}

async fn write(
    r: &Restore,
    ctx: &Context,
    phase: RestorePhase,
    reason: Reason,
    errors: Vec<String>,
    output: Option<&RestoreOutput>,
) -> Result<(), Error> {
    let old: RestoreStatus = r.status.clone().unwrap_or_default();
    let new = core_restore::status(&old, r, phase, reason, errors, output, ctx.now());
    if new == old {
        return Ok(());
    }
    Api::<Restore>::namespaced(ctx.client.clone(), &r.namespace().unwrap_or_default())
        .patch_status(
            &r.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "status": super::status_patch(&old, &new)? })),
        )
        .await?;
    super::events::publish(ctx, r, &old.conditions, &new.conditions).await;
    Ok(())
}

#[cfg(test)]
mod tests;
