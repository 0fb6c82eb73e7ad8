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
