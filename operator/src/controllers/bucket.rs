//! Bucket passes: a `Backup` whose source is a bucket is one `pusdata mirror` run between the
//! primary site's and the DRC site's object storage (primary → DRC; DRC → primary for a
//! failback's final sync, `source.reverse`). Called by the Backup controller for bucket
//! sources; the schedule controller creates the passes exactly as it creates volume runs
//! (same due times, spread, overlap skipping and trigger token).
//!
//! Pipeline: dereference (the agency's DRC repository — SEC-CIA ownership as for volume
//! runs —, the plan member, both Sites) → resolve (`backup::mirror::resolve`, pure: URLs,
//! Secrets, deletion delay, bandwidth limit) → build the Job (`backup::mirror::mirror_job`,
//! pure) → create it → observe the Job and its Pods (`backup::result::observe`) → status from
//! the compact JSON summary in the termination message (`backup::mirror::settle`, `status`)
//! → metrics (`pusdata_mirror_*`) and Events on condition transitions.
//!
//! Secrets: the Job references each side's Secret by name in the Backup's namespace (the
//! member's); the operator never reads them.

use super::metrics::BucketRef;
use super::permission::Permission;
use super::runs::{BackupContext, Outcome};
use super::{Context, Error};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::{Resource, ResourceExt};
use pusdata_core::backup::job::BACKUP_LABEL;
use pusdata_core::backup::mirror::{self, MirrorJobInput, MirrorPlan, MirrorSummary, ResolveInput};
use pusdata_core::backup::result::{self, MoverResult, Observed};
use pusdata_crds::v1alpha1::{Backup, BackupPhase, DisasterRecoveryPlan, Site};

/// API calls of bucket passes beyond the Backup controller's own (see `rbac`): the plan's
/// Sites, for their S3 endpoints.
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["get"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backups/status",
        verbs: &["patch"],
    },
    Permission {
        group: "batch",
        resource: "jobs",
        verbs: &["get", "create", "delete"],
    },
    Permission {
        group: "",
        resource: "pods",
        verbs: &["list"],
    },
];

/// Where the pass reads and writes, and the agency; or why it cannot run.
async fn dereference(
    b: &Backup,
    ctx: &Context,
) -> Result<Result<(MirrorPlan, String), String>, Error> {
    let (repository, agency) = match super::runs::owned_repository(b, ctx).await? {
        Ok(r) => r,
        Err(why) => return Ok(Err(why)),
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
    let Some((_, member)) = pusdata_core::dr::members(&plan.spec)
        .into_iter()
        .find(|(t, m)| t.name == b.spec.tier && m.name == b.spec.member)
    else {
        return Ok(Err(format!(
            "spec.member: plan {} has no member {} in tier {}",
            b.spec.plan, b.spec.member, b.spec.tier
        )));
    };
    let sites = Api::<Site>::all(ctx.client.clone());
    let primary = sites.get_opt(&plan.spec.primary_site).await?;
    let drc = sites.get_opt(&plan.spec.drc_site).await?;
    Ok(mirror::resolve(&ResolveInput {
        backup: b,
        member,
        primary: primary.as_ref(),
        drc: drc.as_ref(),
        drc_site: &plan.spec.drc_site,
        repository: &repository.spec,
    })
    .map(|p| (p, agency.spec.code)))
}

/// One pass of the pipeline for a bucket `Backup` that is not finished.
pub(super) async fn reconcile_pass(b: &Backup, bctx: &BackupContext) -> Result<Outcome, Error> {
    let ctx = &bctx.ctx;
    let status = b.status.clone().unwrap_or_default();
    let ns = b.namespace().unwrap_or_default();
    let name = b.name_any();
    let jobs: Api<Job> = Api::namespaced(ctx.client.clone(), &ns);
    let Some(job_obj) = jobs.get_opt(&name).await? else {
        if status.phase == Some(BackupPhase::InProgress) {
            let why = "the mirror Job disappeared before its result was read".to_string();
            return finish(b, ctx, BackupPhase::Failed, vec![why], None).await;
        }
        let (plan, agency) = match dereference(b, ctx).await? {
            Ok(p) => p,
            Err(why) => {
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
        };
        let owner = b
            .controller_owner_ref(&())
            .ok_or_else(|| Error::InvalidSpec("metadata: the Backup has no uid yet".into()))?;
        let built = mirror::mirror_job(&MirrorJobInput {
            backup: b,
            plan: &plan,
            agency: &agency,
            owner,
            settings: &bctx.settings,
        })
        .map_err(|e| Error::InvalidSpec(e.to_string()))?;
        match jobs.create(&PostParams::default(), &built).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => return Err(e.into()),
        }
        write(b, ctx, BackupPhase::InProgress, vec![], None).await?;
        return Ok(Outcome::Started);
    };
    let pods = Api::<Pod>::namespaced(ctx.client.clone(), &ns)
        .list(&ListParams::default().labels(&format!("{BACKUP_LABEL}={name}")))
        .await?
        .items;
    match result::observe(&job_obj, &pods) {
        Observed::Running => {
            if status.phase != Some(BackupPhase::InProgress) {
                write(b, ctx, BackupPhase::InProgress, vec![], None).await?;
            }
            Ok(Outcome::Running)
        }
        Observed::Stuck { reason, message } => {
            // A missing Secret or key will not appear by itself: stop and say which.
            jobs.delete(&name, &DeleteParams::background()).await?;
            let why = format!("the mirror Pod cannot start: {reason}: {message}");
            finish(b, ctx, BackupPhase::Failed, vec![why], None).await
        }
        Observed::Finished { succeeded, message } => {
            let parsed = result::parse::<MirrorSummary>(message.as_deref().unwrap_or_default());
            let (phase, errors) = mirror::settle(succeeded, &parsed);
            let summary = match parsed {
                MoverResult::Report(s) => Some(s),
                _ => None,
            };
            finish(b, ctx, phase, errors, summary.as_ref()).await
        }
    }
}

async fn finish(
    b: &Backup,
    ctx: &Context,
    phase: BackupPhase,
    errors: Vec<String>,
    summary: Option<&MirrorSummary>,
) -> Result<Outcome, Error> {
    write(b, ctx, phase, errors, summary).await?;
    ctx.metrics.mirror_finished(
        BucketRef {
            plan: &b.spec.plan,
            tier: &b.spec.tier,
            member: &b.spec.member,
            bucket: b.spec.source.bucket.as_deref().unwrap_or_default(),
        },
        phase.as_str(),
        summary.map(|s| (s.copied, s.copied_bytes, s.deleted)),
    );
    Ok(Outcome::Finished(phase))
}

async fn write(
    b: &Backup,
    ctx: &Context,
    phase: BackupPhase,
    errors: Vec<String>,
    summary: Option<&MirrorSummary>,
) -> Result<(), Error> {
    let old = b.status.clone().unwrap_or_default();
    let new = mirror::status(
        &old,
        phase,
        errors,
        summary,
        (b.spec.trigger, b.spec.token.as_deref()),
        b.meta().generation,
        ctx.now(),
    );
    super::runs::apply_status(ctx, b, &old, &new).await
}

#[cfg(test)]
mod tests;
