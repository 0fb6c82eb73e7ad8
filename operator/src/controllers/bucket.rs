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

use super::backup::{BackupContext, Outcome};
use super::metrics::BucketRef;
use super::rbac::Permission;
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
    let (repository, agency) = match super::backup::owned_repository(b, ctx).await? {
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
        &format!("{phase:?}"),
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
    super::backup::apply_status(ctx, b, &old, &new).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{events_about, finish_job, seed_cluster, seed_namespaced};
    use kube_fake_client::ClientBuilder;
    use pusdata_core::backup::job::MoverSettings;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{
        Agency, BackupRepository, BackupSource, BucketMirror, Coordinates, SecretRef,
    };
    use std::sync::Arc;

    const NS: &str = "disdukcapil";

    struct NoHooks;
    impl super::super::backup::HookExec for NoHooks {
        fn exec<'a>(
            &'a self,
            _: &'a str,
            _: &'a str,
            _: &'a str,
            _: &'a [String],
            _: std::time::Duration,
        ) -> futures::future::BoxFuture<'a, pusdata_core::backup::hooks::HookOutcome> {
            unreachable!("bucket passes run no hooks")
        }
    }

    fn pass(name: &str, bucket: &str, reverse: bool) -> Backup {
        let mut b = fixtures::backup(NS, "unused");
        b.metadata.name = Some(name.into());
        b.spec.member = "tier-1-critical-svc".into();
        b.spec.source = BackupSource {
            pvc: None,
            bucket: Some(bucket.into()),
            reverse,
        };
        b
    }

    /// Both sites with S3 endpoints (unless `primary_s3` is `None`), the agency, its DRC
    /// repository with an upload limit, and a plan whose member mirrors `arsip` and `pacs`
    /// (mapped to `pacs-drc` at the DRC).
    async fn world(primary_s3: Option<&str>) -> BackupContext {
        let ctx = crate::controllers::testing::context(
            ClientBuilder::new()
                .with_resource::<Backup>()
                .with_status_subresource::<Backup>()
                .with_resource::<BackupRepository>()
                .with_resource::<Agency>()
                .with_resource::<DisasterRecoveryPlan>()
                .with_resource::<Site>(),
        )
        .await;
        seed_cluster(&ctx, &fixtures::agency(NS)).await;
        let mut repo = fixtures::backup_repository(NS, "drc-bandung");
        repo.spec.upload_limit_bytes_per_second = Some(12_500_000);
        seed_cluster(&ctx, &repo).await;
        let mut primary = fixtures::primary_site();
        primary.spec.endpoints.s3 = primary_s3.map(str::to_string);
        let mut drc = fixtures::drc_site(
            "Kota Bandung",
            Coordinates {
                latitude: -6.9,
                longitude: 107.6,
            },
        );
        drc.spec.endpoints.s3 = Some("https://s3.drc.bekasikota.go.id".into());
        seed_cluster(&ctx, &primary).await;
        seed_cluster(&ctx, &drc).await;
        let mut plan = fixtures::plan();
        let m = &mut plan.spec.tiers[0].members[0];
        m.buckets = vec!["arsip".into(), "pacs".into()];
        m.bucket_mirror = Some(BucketMirror {
            primary_credentials: SecretRef {
                name: "s3-primary".into(),
                namespace: None,
            },
            drc_credentials: None,
            bucket_map: [("pacs".to_string(), "pacs-drc".to_string())].into(),
            delete_after: "72h".into(),
        });
        seed_cluster(&ctx, &plan).await;
        BackupContext {
            ctx: Arc::new(ctx),
            exec: Arc::new(NoHooks),
            settings: MoverSettings::default(),
        }
    }

    async fn get(bctx: &BackupContext, name: &str) -> Backup {
        Api::<Backup>::namespaced(bctx.ctx.client.clone(), NS)
            .get(name)
            .await
            .unwrap()
    }

    async fn job_args(bctx: &BackupContext, name: &str) -> String {
        let job = Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
            .get(name)
            .await
            .unwrap();
        job.spec.unwrap().template.spec.unwrap().containers[0]
            .args
            .clone()
            .unwrap()
            .join(" ")
    }

    #[tokio::test]
    async fn a_pass_runs_a_mirror_job_and_records_its_figures() {
        let bctx = world(Some("https://s3.bekasikota.go.id")).await;
        let name = "svc-arsip-20261125000000";
        seed_namespaced(&bctx.ctx, &pass(name, "arsip", false)).await;
        let b = get(&bctx, name).await;
        // Through the Backup controller's entry point: bucket sources come here.
        let out = super::super::backup::reconcile_once(&b, &bctx)
            .await
            .unwrap();
        assert_eq!(out, Outcome::Started);
        assert_eq!(
            job_args(&bctx, name).await,
            "mirror --from s3:https://s3.bekasikota.go.id/arsip \
             --to s3:https://s3.drc.bekasikota.go.id/arsip --delete-after 72h \
             --state-in-destination --result-file /dev/termination-log \
             --limit-bytes-per-second 12500000"
        );
        assert_eq!(
            get(&bctx, name).await.status.unwrap().phase,
            Some(BackupPhase::InProgress)
        );
        assert_eq!(
            reconcile_pass(&get(&bctx, name).await, &bctx)
                .await
                .unwrap(),
            Outcome::Running
        );

        let summary = MirrorSummary {
            source: "s3:https://s3.bekasikota.go.id/arsip/".into(),
            destination: "s3:https://s3.drc.bekasikota.go.id/arsip/".into(),
            source_objects: 120,
            copied: 7,
            copied_bytes: 70_000,
            deleted: 1,
            waiting_delete: 2,
            failed: 0,
            failures: vec![],
            seconds: 3.0,
        };
        finish_job(&bctx.ctx, NS, name, true, &summary.to_termination_message()).await;
        let out = reconcile_pass(&get(&bctx, name).await, &bctx)
            .await
            .unwrap();
        assert_eq!(out, Outcome::Finished(BackupPhase::Completed));
        let st = get(&bctx, name).await.status.unwrap();
        assert_eq!(
            (
                st.objects_copied,
                st.bytes_copied,
                st.objects_deleted,
                st.objects_pending_delete
            ),
            (Some(7), Some(70_000), Some(1), Some(2))
        );
        assert!(st.finished_at.is_some());
        let text = bctx.ctx.metrics.encode();
        assert!(text.contains("pusdata_mirror_bytes_copied_total{plan=\"bekasi\",tier=\"tier-1-critical\",member=\"tier-1-critical-svc\",bucket=\"arsip\"} 70000"), "{text}");
        assert!(text.contains("pusdata_mirror_runs_total{plan=\"bekasi\",tier=\"tier-1-critical\",member=\"tier-1-critical-svc\",bucket=\"arsip\",phase=\"Completed\"} 1"), "{text}");
        let mut ev = events_about(&bctx.ctx, NS, name).await;
        ev.sort();
        let e = |r: &str, t: &str| (r.to_string(), t.to_string());
        assert_eq!(
            ev,
            vec![e("Completed", "Normal"), e("InProgress", "Normal")]
        );
        // Over: the Backup controller leaves it alone (no restore test for a bucket).
        assert_eq!(
            super::super::backup::reconcile_once(&get(&bctx, name).await, &bctx)
                .await
                .unwrap(),
            Outcome::Done
        );
    }

    #[tokio::test]
    async fn failed_keys_fail_the_pass_but_keep_its_figures() {
        let bctx = world(Some("https://s3.bekasikota.go.id")).await;
        let name = "svc-pacs-20261125000000";
        seed_namespaced(&bctx.ctx, &pass(name, "pacs", false)).await;
        reconcile_pass(&get(&bctx, name).await, &bctx)
            .await
            .unwrap();
        assert!(
            job_args(&bctx, name)
                .await
                .contains("--to s3:https://s3.drc.bekasikota.go.id/pacs-drc ")
        );
        let summary = MirrorSummary {
            copied: 3,
            copied_bytes: 30,
            failed: 2,
            failures: vec![
                "a (copy): 503 SlowDown".into(),
                "b (copy): 503 SlowDown".into(),
            ],
            ..MirrorSummary::default()
        };
        finish_job(
            &bctx.ctx,
            NS,
            name,
            false,
            &summary.to_termination_message(),
        )
        .await;
        let out = reconcile_pass(&get(&bctx, name).await, &bctx)
            .await
            .unwrap();
        assert_eq!(out, Outcome::Finished(BackupPhase::Failed));
        let st = get(&bctx, name).await.status.unwrap();
        assert_eq!(
            st.errors,
            vec![
                "2 key(s) failed",
                "a (copy): 503 SlowDown",
                "b (copy): 503 SlowDown"
            ]
        );
        assert_eq!(st.objects_copied, Some(3));
        let ready = st.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "Failed")
        );
        assert!(
            events_about(&bctx.ctx, NS, name)
                .await
                .contains(&("Failed".to_string(), "Warning".to_string()))
        );
    }

    #[tokio::test]
    async fn a_failback_pass_mirrors_the_drc_back_onto_the_primary() {
        let bctx = world(Some("https://s3.bekasikota.go.id")).await;
        let name = "fb-final-svc-bucket-pacs";
        let mut b = pass(name, "pacs", true);
        b.spec.trigger = pusdata_crds::v1alpha1::BackupTrigger::FinalSync;
        seed_namespaced(&bctx.ctx, &b).await;
        reconcile_pass(&get(&bctx, name).await, &bctx)
            .await
            .unwrap();
        let args = job_args(&bctx, name).await;
        assert!(
            args.starts_with(
                "mirror --from s3:https://s3.drc.bekasikota.go.id/pacs-drc \
                 --to s3:https://s3.bekasikota.go.id/pacs "
            ),
            "{args}"
        );
        // The download limit applies DRC → primary; none is set.
        assert!(!args.contains("--limit-bytes-per-second"), "{args}");
    }

    #[tokio::test]
    async fn a_primary_without_an_s3_endpoint_fails_validation_with_the_rule() {
        let bctx = world(None).await;
        let name = "svc-arsip-20261125000000";
        seed_namespaced(&bctx.ctx, &pass(name, "arsip", false)).await;
        let out = reconcile_pass(&get(&bctx, name).await, &bctx)
            .await
            .unwrap();
        let Outcome::Invalid(why) = out else {
            panic!("{out:?}")
        };
        assert!(
            why.starts_with("DATA-DC: Site dc-bekasi has no spec.endpoints.s3"),
            "{why}"
        );
        assert!(
            Api::<Job>::namespaced(bctx.ctx.client.clone(), NS)
                .get_opt(name)
                .await
                .unwrap()
                .is_none()
        );
        let st = get(&bctx, name).await.status.unwrap();
        assert_eq!(st.phase, Some(BackupPhase::FailedValidation));
        assert!(
            events_about(&bctx.ctx, NS, name)
                .await
                .contains(&("FailedValidation".to_string(), "Warning".to_string()))
        );

        // A pass in another agency's namespace is refused before anything is read.
        let mut foreign = pass("svc-arsip-x", "arsip", false);
        foreign.metadata.namespace = Some("dinkes".into());
        seed_namespaced(&bctx.ctx, &foreign).await;
        let f = Api::<Backup>::namespaced(bctx.ctx.client.clone(), "dinkes")
            .get("svc-arsip-x")
            .await
            .unwrap();
        let Outcome::Invalid(why) = reconcile_pass(&f, &bctx).await.unwrap() else {
            panic!()
        };
        assert!(why.starts_with("SEC-CIA"), "{why}");
    }
}
