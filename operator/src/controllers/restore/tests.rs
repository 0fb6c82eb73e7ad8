use super::*;
use crate::controllers::testing::{events_about, seed_cluster, seed_namespaced};
use kube_fake_client::ClientBuilder;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{
    BackupPhase, BackupRepositoryStatus, BackupStatus, RepositoryPhase, SecretKeyRef, SiteStatus,
    VerificationStatus,
};

const NS: &str = "disdukcapil";
const NAME: &str = "siak-data-restore";
const PVC: &str = "siak-data-restored";
const JOB: &str = "siak-data-restore-restore";
const SNAP: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";

/// Agencies, an Available repository, a verified Backup run of 3 GiB, a Site at epoch 4,
/// and the Restore; `edit` changes the Restore and the repository before they are seeded.
async fn world_with(edit: impl FnOnce(&mut Restore, &mut BackupRepository)) -> RestoreContext {
    let ctx = crate::controllers::testing::context(
        ClientBuilder::new()
            .with_resource::<Restore>()
            .with_status_subresource::<Restore>()
            .with_resource::<Backup>()
            .with_status_subresource::<Backup>()
            .with_resource::<BackupRepository>()
            .with_status_subresource::<BackupRepository>()
            .with_resource::<Agency>()
            .with_resource::<Site>()
            .with_status_subresource::<Site>(),
    )
    .await;
    let mut agency = fixtures::agency(NS);
    agency.spec.repository_key = Some(SecretKeyRef {
        name: "disdukcapil-repo-key".into(),
        namespace: None,
        key: "password".into(),
    });
    seed_cluster(&ctx, &agency).await;
    seed_cluster(&ctx, &fixtures::agency("bapenda")).await;
    let mut repo = fixtures::backup_repository(NS, "drc-bandung");
    repo.spec.download_limit_bytes_per_second = Some(25_000_000);
    let mut theirs = fixtures::backup_repository("bapenda", "drc-bandung");
    let mut r = fixtures::restore(NS, "siak-data");
    edit(&mut r, &mut repo);
    for repo in [&mut repo, &mut theirs] {
        let status = repo.status.take().unwrap_or(BackupRepositoryStatus {
            phase: Some(RepositoryPhase::Available),
            ..BackupRepositoryStatus::default()
        });
        seed_cluster(&ctx, &*repo).await;
        Api::<BackupRepository>::all(ctx.client.clone())
            .patch_status(
                &repo.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({ "status": status })),
            )
            .await
            .unwrap();
    }
    let mut site = fixtures::primary_site();
    let site_name = site.name_any();
    seed_cluster(&ctx, &site).await;
    site.status = Some(SiteStatus {
        epoch: Some(4),
        ..SiteStatus::default()
    });
    Api::<Site>::all(ctx.client.clone())
        .patch_status(
            &site_name,
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "status": site.status })),
        )
        .await
        .unwrap();
    let mut run = fixtures::backup(NS, "siak-data");
    run.status = Some(BackupStatus {
        phase: Some(BackupPhase::Completed),
        snapshot_id: Some(SNAP.into()),
        finished_at: Some(ctx.now()),
        bytes_read: Some(3 << 30),
        verification: Some(VerificationStatus::Verified),
        ..BackupStatus::default()
    });
    seed_namespaced(&ctx, &run).await;
    seed_namespaced(&ctx, &r).await;
    RestoreContext {
        ctx: Arc::new(ctx),
        settings: MoverSettings::default(),
    }
}

async fn world() -> RestoreContext {
    world_with(|_, _| {}).await
}

async fn get(rctx: &RestoreContext) -> Restore {
    Api::<Restore>::namespaced(rctx.ctx.client.clone(), NS)
        .get(NAME)
        .await
        .unwrap()
}

async fn pass(rctx: &RestoreContext) -> Outcome {
    reconcile_once(&get(rctx).await, rctx).await.unwrap()
}

async fn job(rctx: &RestoreContext) -> Option<Job> {
    Api::<Job>::namespaced(rctx.ctx.client.clone(), NS)
        .get_opt(JOB)
        .await
        .unwrap()
}

async fn pvc(rctx: &RestoreContext) -> Option<PersistentVolumeClaim> {
    Api::<PersistentVolumeClaim>::namespaced(rctx.ctx.client.clone(), NS)
        .get_opt(PVC)
        .await
        .unwrap()
}

/// Plays the Job controller and the kubelet: the Job finished, its Pod's termination
/// message holds the mover's result.
async fn finish_job(rctx: &RestoreContext, ok: bool, message: &str) {
    let c = rctx.ctx.client.clone();
    let cond = if ok { "Complete" } else { "Failed" };
    crate::controllers::testing::as_harness(Api::<Job>::namespaced(c.clone(), NS).patch_status(
        JOB,
        &PatchParams::default(),
        &Patch::Merge(
            &serde_json::json!({"status": {"conditions": [{"type": cond, "status": "True"}]}}),
        ),
    ))
    .await
    .unwrap();
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("{JOB}-x1"), "namespace": NS, "labels": {RESTORE_LABEL: JOB}},
        "spec": {"containers": [{"name": "mover"}]},
        "status": {"phase": if ok { "Succeeded" } else { "Failed" },
                   "containerStatuses": [{"name": "mover", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                                          "state": {"terminated": {"exitCode": if ok { 0 } else { 1 }, "message": message}}}]}
    }))
    .unwrap();
    seed_namespaced(&rctx.ctx, &pod).await;
}

/// What `pusdata mover restore --verify` writes (see operator/tests/mover.rs).
fn result_json(mismatches: &[&str]) -> String {
    serde_json::json!({
        "restore": {"snapshotId": SNAP, "target": "/restore", "files": 112, "dirs": 9,
                    "bytes": 4_000_000, "durationSeconds": 3.0},
        "verification": {
            "snapshotId": SNAP,
            "status": if mismatches.is_empty() { "Verified" } else { "VerificationFailed" },
            "filesChecked": 112, "bytesChecked": 4_000_000,
            "mismatches": mismatches.iter().map(|p| serde_json::json!({"path": p, "reason": "content differs from the snapshot"})).collect::<Vec<_>>(),
            "restoreError": null, "durationSeconds": 1.0
        }
    })
    .to_string()
}

fn args_of(job: &Job) -> Vec<String> {
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

fn cond(st: &RestoreStatus, type_: &str) -> (String, String) {
    let c = st.conditions.iter().find(|c| c.type_ == type_).unwrap();
    (c.status.clone(), c.reason.clone())
}

#[tokio::test]
async fn a_restore_creates_its_pvc_and_job_then_reads_the_verified_result_back() {
    let rctx = world().await;
    assert_eq!(pass(&rctx).await, Outcome::Started);

    let r = get(&rctx).await;
    let uid = r.metadata.uid.clone().unwrap();
    let p = pvc(&rctx).await.expect("the target PVC");
    assert_eq!(
        p.metadata.annotations.as_ref().unwrap()["pusdata.io/restored-by-uid"],
        uid
    );
    assert!(
        p.metadata.owner_references.is_none(),
        "never collected with the Restore"
    );
    let spec = p.spec.unwrap();
    assert_eq!(
        spec.resources.unwrap().requests.unwrap()["storage"].0,
        "4Gi",
        "3 GiB recorded + 25 % headroom"
    );
    let j = job(&rctx).await.expect("the mover Job");
    assert_eq!(j.metadata.owner_references.as_ref().unwrap()[0].uid, uid);
    let args = args_of(&j).join(" ");
    assert!(args.starts_with("mover restore --repository s3:"), "{args}");
    assert!(
        args.contains(&format!("--snapshot {SNAP}")),
        "latest-verified resolved: {args}"
    );
    assert!(
        args.contains("--tag agency=disdukcapil,namespace=disdukcapil,pvc=siak-data"),
        "{args}"
    );
    assert!(args.contains("--target /restore --verify"), "{args}");
    assert!(args.contains("--limit-download 25000000"), "{args}");
    assert_eq!(j.spec.as_ref().unwrap().backoff_limit, Some(0));
    let st = r.status.unwrap();
    assert_eq!(st.phase, Some(RestorePhase::InProgress));
    assert_eq!(st.started_at, Some(rctx.ctx.now()));
    assert_eq!(cond(&st, "Ready"), ("Unknown".into(), "InProgress".into()));

    // Running: nothing changes, nothing is created twice.
    assert_eq!(pass(&rctx).await, Outcome::Running);

    finish_job(&rctx, true, &result_json(&[])).await;
    assert_eq!(
        pass(&rctx).await,
        Outcome::Finished(RestorePhase::Completed)
    );
    let st = get(&rctx).await.status.unwrap();
    assert_eq!(st.phase, Some(RestorePhase::Completed));
    assert_eq!(st.snapshot_id.as_deref(), Some(SNAP));
    assert_eq!(
        (st.files, st.bytes, st.mismatches),
        (Some(112), Some(4_000_000), Some(0))
    );
    assert_eq!(st.duration_seconds, Some(4.0));
    assert_eq!(st.finished_at, Some(rctx.ctx.now()));
    assert!(st.errors.is_empty());
    assert_eq!(cond(&st, "Ready"), ("True".into(), "Restored".into()));
    assert_eq!(cond(&st, "Verified"), ("True".into(), "Verified".into()));
    let events = events_about(&rctx.ctx, NS, NAME).await;
    for want in ["InProgress", "Restored", "Verified"] {
        assert!(
            events.contains(&(want.into(), "Normal".into())),
            "{want}: {events:?}"
        );
    }
    let metrics = rctx.ctx.metrics.encode();
    assert!(
        metrics.contains("pusdata_restore_runs_total{phase=\"Completed\",reason=\"Restored\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("pusdata_restore_bytes_total 4000000"),
        "{metrics}"
    );
    assert!(
        metrics.contains("pusdata_restore_duration_seconds_count 1"),
        "{metrics}"
    );

    // Over: never run again, even once its Job is gone.
    Api::<Job>::namespaced(rctx.ctx.client.clone(), NS)
        .delete(JOB, &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(pass(&rctx).await, Outcome::Done);
    assert!(job(&rctx).await.is_none());
}

#[tokio::test]
async fn differing_files_fail_the_restore_and_are_named() {
    let rctx = world().await;
    pass(&rctx).await;
    finish_job(
        &rctx,
        false,
        &result_json(&["pgdata/base/1", "pgdata/global/pg_control"]),
    )
    .await;
    assert_eq!(pass(&rctx).await, Outcome::Finished(RestorePhase::Failed));
    let st = get(&rctx).await.status.unwrap();
    assert_eq!(st.mismatches, Some(2));
    assert_eq!(
        st.errors,
        vec![
            "pgdata/base/1: content differs from the snapshot",
            "pgdata/global/pg_control: content differs from the snapshot"
        ]
    );
    assert_eq!(
        cond(&st, "Ready"),
        ("False".into(), "VerificationFailed".into())
    );
    assert_eq!(
        cond(&st, "Verified"),
        ("False".into(), "VerificationFailed".into())
    );
    let events = events_about(&rctx.ctx, NS, NAME).await;
    assert!(
        events.contains(&("VerificationFailed".into(), "Warning".into())),
        "{events:?}"
    );
    // The restored data stays for inspection.
    assert!(pvc(&rctx).await.is_some());
}

#[tokio::test]
async fn another_agencys_repository_is_refused_before_anything_is_created() {
    let rctx = world_with(|r, _| r.spec.repository = "bapenda-drc-bandung".into()).await;
    assert_eq!(pass(&rctx).await, Outcome::Refused(Reason::AgencyMismatch));
    assert!(pvc(&rctx).await.is_none());
    assert!(job(&rctx).await.is_none());
    let st = get(&rctx).await.status.unwrap();
    assert_eq!(st.phase, Some(RestorePhase::Failed));
    assert!(
        st.errors[0].starts_with("SEC-CIA: spec.repository:"),
        "{:?}",
        st.errors
    );
    assert_eq!(
        cond(&st, "Ready"),
        ("False".into(), "AgencyMismatch".into())
    );
    assert!(
        rctx.ctx
            .metrics
            .encode()
            .contains("pusdata_restore_runs_total{phase=\"Failed\",reason=\"AgencyMismatch\"} 1")
    );
    // Refused is final.
    assert_eq!(pass(&rctx).await, Outcome::Done);
}

#[tokio::test]
async fn a_restore_stamped_with_an_older_epoch_is_fenced_off() {
    let rctx = world_with(|r, _| r.spec.epoch = Some(3)).await;
    assert_eq!(pass(&rctx).await, Outcome::Refused(Reason::StaleEpoch));
    assert!(job(&rctx).await.is_none());
    let st = get(&rctx).await.status.unwrap();
    assert!(st.errors[0].starts_with("spec.epoch: 3 is older than this site's fencing epoch 4"));

    let rctx = world_with(|r, _| r.spec.epoch = Some(4)).await;
    assert_eq!(pass(&rctx).await, Outcome::Started);
}

#[tokio::test]
async fn a_pvc_that_is_not_ours_is_never_written() {
    let rctx = world().await;
    let theirs: PersistentVolumeClaim = serde_json::from_value(serde_json::json!({
        "metadata": {"name": PVC, "namespace": NS, "labels": {"app": "siak"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    }))
    .unwrap();
    seed_namespaced(&rctx.ctx, &theirs).await;
    assert_eq!(pass(&rctx).await, Outcome::Refused(Reason::TargetExists));
    assert!(job(&rctx).await.is_none());
    let p = pvc(&rctx).await.unwrap();
    assert!(p.metadata.owner_references.is_none(), "untouched");
    let st = get(&rctx).await.status.unwrap();
    assert!(
        st.errors[0].contains("target PVC exists and was not created by this Restore"),
        "{:?}",
        st.errors
    );
}

#[tokio::test]
async fn a_restarted_controller_carries_on_with_what_it_created() {
    let rctx = world().await;
    pass(&rctx).await;
    // A crash after the PVC, before the Job: the next pass creates only the Job.
    Api::<Job>::namespaced(rctx.ctx.client.clone(), NS)
        .delete(JOB, &DeleteParams::default())
        .await
        .unwrap();
    let mut r = get(&rctx).await;
    r.status = None;
    let created = pvc(&rctx).await.unwrap().metadata.uid;
    assert_eq!(reconcile_once(&r, &rctx).await.unwrap(), Outcome::Started);
    assert_eq!(
        pvc(&rctx).await.unwrap().metadata.uid,
        created,
        "the same PVC"
    );
    assert!(job(&rctx).await.is_some());
    // A crash after the Job, before the status: the next pass follows the Job.
    assert_eq!(reconcile_once(&r, &rctx).await.unwrap(), Outcome::Running);
    // InProgress whose Job vanished: failed, never started again.
    Api::<Job>::namespaced(rctx.ctx.client.clone(), NS)
        .delete(JOB, &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(pass(&rctx).await, Outcome::Finished(RestorePhase::Failed));
    assert!(job(&rctx).await.is_none());
    let st = get(&rctx).await.status.unwrap();
    assert_eq!(cond(&st, "Ready"), ("False".into(), "JobVanished".into()));
}

#[tokio::test]
async fn a_repository_not_available_yet_is_waited_for() {
    let rctx = world_with(|_, repo| {
        repo.status = Some(BackupRepositoryStatus {
            phase: Some(RepositoryPhase::Unknown),
            ..BackupRepositoryStatus::default()
        });
    })
    .await;
    assert_eq!(pass(&rctx).await, Outcome::Waiting);
    assert!(pvc(&rctx).await.is_none());
    let st = get(&rctx).await.status.unwrap();
    assert_eq!(st.phase, Some(RestorePhase::New));
    assert_eq!(
        cond(&st, "Ready"),
        ("Unknown".into(), "WaitingForRepository".into())
    );
    Api::<BackupRepository>::all(rctx.ctx.client.clone())
        .patch_status(
            "disdukcapil-drc-bandung",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({"status": {"phase": "Available"}})),
        )
        .await
        .unwrap();
    assert_eq!(pass(&rctx).await, Outcome::Started);
}

#[tokio::test]
async fn a_mover_pod_that_cannot_start_fails_the_restore_and_its_job_is_removed() {
    let rctx = world().await;
    pass(&rctx).await;
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("{JOB}-x1"), "namespace": NS, "labels": {RESTORE_LABEL: JOB}},
        "spec": {"containers": [{"name": "mover"}]},
        "status": {"phase": "Pending", "containerStatuses": [{"name": "mover", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"disdukcapil-repo-key\" not found"}}}]}
    }))
    .unwrap();
    seed_namespaced(&rctx.ctx, &pod).await;
    assert_eq!(pass(&rctx).await, Outcome::Finished(RestorePhase::Failed));
    assert!(job(&rctx).await.is_none());
    let st = get(&rctx).await.status.unwrap();
    assert_eq!(
        cond(&st, "Ready"),
        ("False".into(), "PodCannotStart".into())
    );
    assert!(st.errors[0].contains("secret \"disdukcapil-repo-key\" not found"));
}

#[tokio::test]
async fn a_mover_error_is_reported_with_its_category() {
    let rctx = world_with(|r, _| {
        r.spec.snapshot = "latest".into();
        r.spec.verify = false;
        r.spec.target.size = Some(k8s_openapi::apimachinery::pkg::api::resource::Quantity(
            "20Gi".into(),
        ));
        r.spec.target.storage_class = Some("longhorn-drc".into());
    })
    .await;
    pass(&rctx).await;
    let p = pvc(&rctx).await.unwrap().spec.unwrap();
    assert_eq!(p.storage_class_name.as_deref(), Some("longhorn-drc"));
    assert_eq!(p.resources.unwrap().requests.unwrap()["storage"].0, "20Gi");
    let args = args_of(&job(&rctx).await.unwrap());
    assert!(!args.iter().any(|a| a == "--verify"));
    assert!(args.join(" ").contains("--snapshot latest"));
    finish_job(
        &rctx,
        false,
        r#"{"error":{"category":"no-snapshot","message":"no snapshot `latest` with tags [agency=disdukcapil]"}}"#,
    )
    .await;
    assert_eq!(pass(&rctx).await, Outcome::Finished(RestorePhase::Failed));
    let st = get(&rctx).await.status.unwrap();
    assert!(
        st.errors[0].starts_with("no-snapshot: no snapshot"),
        "{:?}",
        st.errors
    );
    assert_eq!(cond(&st, "Ready"), ("False".into(), "MoverFailed".into()));
    assert!(st.conditions.iter().all(|c| c.type_ != "Verified"));
}

/// Issue 14, item 3 (the restore controller on the shared caches): on the primary a restore
/// reads the agencies, its repository, the source's runs, the namespace and the sites from
/// the caches, and sends none of those reads to the API server; it starts as before.
#[tokio::test]
async fn with_caches_a_restore_reads_no_cached_kind_from_the_api_server() {
    let rctx = world().await;
    // The namespace exists, as on a real cluster (the counting layer refuses creates in a
    // namespace that does not).
    let ns: k8s_openapi::api::core::v1::Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": NS}})).unwrap();
    seed_cluster(&rctx.ctx, &ns).await;
    let mut cached = (*rctx.ctx).clone();
    cached.caches = Some(crate::controllers::cache::from_api(&rctx.ctx).await);
    let (ctx, log) = crate::controllers::counting::counted(&cached);
    let counted = RestoreContext {
        ctx: Arc::new(ctx),
        settings: MoverSettings::default(),
    };
    assert_eq!(pass(&counted).await, Outcome::Started);
    let j = job(&rctx).await.expect("the mover Job");
    let args = args_of(&j).join(" ");
    assert!(args.contains(&format!("--snapshot {SNAP}")), "{args}");
    let cached_kinds = [
        "agencies",
        "backuprepositories",
        "backups",
        "sites",
        "namespaces",
    ];
    let reads: Vec<String> = log
        .reads()
        .into_iter()
        .filter(|r| {
            r.split('/')
                .rev()
                .take(2)
                .any(|s| cached_kinds.contains(&s))
        })
        .collect();
    assert_eq!(reads, Vec::<String>::new());
}
