#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::controllers::testing::{context, events_about, seed_cluster, seed_namespaced};
use kube_fake_client::ClientBuilder;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{BackupPhase, BackupStatus, SecretKeyRef, VerificationStatus};

const NS: &str = "disdukcapil";
const REPO: &str = "disdukcapil-drc-bandung";
const JOB: &str = "retention-bekasi-tier-1-critical-disdukcapil-drc-bandung";

fn completed(name: &str, snap: &str, verified: bool) -> Backup {
    let mut b = fixtures::backup(NS, "siak-data");
    b.metadata.name = Some(name.into());
    b.status = Some(BackupStatus {
        phase: Some(BackupPhase::Completed),
        finished_at: Some(fixtures::time("2026-11-24T12:00:00Z")),
        snapshot_id: Some(snap.into()),
        verification: verified.then_some(VerificationStatus::Verified),
        ..BackupStatus::default()
    });
    b
}

async fn world() -> RetentionContext {
    let ctx = context(
        ClientBuilder::new()
            .with_resource::<DisasterRecoveryPlan>()
            .with_status_subresource::<DisasterRecoveryPlan>()
            .with_resource::<Backup>()
            .with_status_subresource::<Backup>()
            .with_resource::<BackupRepository>()
            .with_resource::<Agency>(),
    )
    .await;
    let mut agency = fixtures::agency(NS);
    agency.spec.repository_key = Some(SecretKeyRef {
        name: "disdukcapil-repo-key".into(),
        namespace: None,
        key: "password".into(),
    });
    seed_cluster(&ctx, &agency).await;
    seed_cluster(&ctx, &fixtures::backup_repository(NS, "drc-bandung")).await;
    seed_cluster(&ctx, &fixtures::plan()).await;
    seed_namespaced(&ctx, &completed("siak-data-1", "aaaa1111", true)).await;
    seed_namespaced(&ctx, &completed("siak-data-2", "bbbb2222", false)).await;
    RetentionContext {
        ctx: Arc::new(ctx),
        settings: MoverSettings::default(),
    }
}

async fn plan(r: &RetentionContext) -> DisasterRecoveryPlan {
    Api::<DisasterRecoveryPlan>::all(r.ctx.client.clone())
        .get("bekasi")
        .await
        .unwrap()
}

async fn pass(r: &RetentionContext) -> Outcome {
    let p = plan(r).await;
    reconcile_once(&p, r).await.unwrap()
}

async fn job(r: &RetentionContext, name: &str) -> Option<Job> {
    Api::<Job>::namespaced(r.ctx.client.clone(), NS)
        .get_opt(name)
        .await
        .unwrap()
}

/// Marks the Job finished and adds its Pod with the mover's termination message.
async fn finish(r: &RetentionContext, ok: bool, message: &str) {
    crate::controllers::testing::as_harness(Api::<Job>::namespaced(r.ctx.client.clone(), NS)
        .patch_status(
            JOB,
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({"status": {"conditions": [{"type": if ok { "Complete" } else { "Failed" }, "status": "True"}]}})),
        )
        ).await
        .unwrap();
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("{JOB}-x1"), "namespace": NS, "labels": {BACKUP_LABEL: JOB}},
        "spec": {"containers": [{"name": "mover"}]},
        "status": {"phase": if ok { "Succeeded" } else { "Failed" },
                   "containerStatuses": [{"name": "mover", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                                          "state": {"terminated": {"exitCode": if ok { 0 } else { 4 }, "message": message}}}]}
    }))
    .unwrap();
    seed_namespaced(&r.ctx, &pod).await;
}

fn entry(p: &DisasterRecoveryPlan) -> RetentionStatus {
    let st = p.status.clone().unwrap();
    assert_eq!(st.retention.len(), 1, "{:?}", st.retention);
    st.retention[0].clone()
}

#[tokio::test]
async fn a_due_retention_runs_one_job_and_records_its_result() {
    let r = world().await;
    let out = pass(&r).await;
    assert_eq!(out.started, vec![JOB.to_string()], "{out:?}");
    assert_eq!(
        out.requeue, BUSY_RECHECK,
        "a started Job is looked at again soon"
    );
    let j = job(&r, JOB).await.expect("the Job exists");
    let args = j.spec.unwrap().template.spec.unwrap().containers[0]
        .args
        .clone()
        .unwrap()
        .join(" ");
    assert!(args.contains("mover forget"), "{args}");
    assert!(args.contains("--verified aaaa1111"), "{args}");
    assert!(
        !args.contains("bbbb2222"),
        "unverified snapshots are not passed: {args}"
    );
    assert!(args.contains("--keep-last 24 --min-verified 1"), "{args}");
    assert!(args.contains("--prune"), "{args}");
    assert_eq!(
        j.metadata.owner_references.unwrap()[0].kind,
        "DisasterRecoveryPlan"
    );
    let e = entry(&plan(&r).await);
    assert_eq!(e.phase.as_deref(), Some("Running"));
    assert_eq!(e.repository, REPO);
    assert_eq!(e.job.as_deref(), Some(JOB));
    assert_eq!(e.last_schedule_time, Some(r.ctx.now()));

    // Running: nothing new, the entry does not change.
    let out = pass(&r).await;
    assert!(out.started.is_empty() && out.finished.is_empty(), "{out:?}");
    assert_eq!(out.requeue, BUSY_RECHECK);

    let report = serde_json::json!({"groups": [], "forgotten": ["c1", "c2"], "forgottenCount": 2,
        "pruned": true, "dryRun": false, "removedStaleLocks": ["0ld"], "durationSeconds": 3.5});
    finish(&r, true, &report.to_string()).await;
    let out = pass(&r).await;
    assert_eq!(out.finished, vec![JOB.to_string()]);
    assert!(
        job(&r, JOB).await.is_none(),
        "the Job is deleted once recorded"
    );
    let e = entry(&plan(&r).await);
    assert_eq!(e.phase.as_deref(), Some("Succeeded"));
    assert_eq!(e.snapshots_forgotten, Some(2));
    assert_eq!(e.pruned, Some(true));
    assert_eq!(e.stale_locks_removed, Some(1));
    assert_eq!(e.last_success, Some(r.ctx.now()));
    assert_eq!(e.conditions[0].reason, "RetentionSucceeded");
    assert!(e.next_schedule_time.unwrap().0 > r.ctx.now().0);
    let events = events_about(&r.ctx, "default", "bekasi").await;
    assert!(
        events.contains(&("RetentionSucceeded".into(), "Normal".into())),
        "{events:?}"
    );

    // Done for today: no second Job, wait until the next slot.
    let out = pass(&r).await;
    assert!(out.started.is_empty(), "{out:?}");
    assert!(out.requeue > BUSY_RECHECK, "{:?}", out.requeue);
    let m = r.ctx.metrics.encode();
    assert!(
        m.contains(r#"pusdata_retention_runs_total{plan="bekasi",tier="tier-1-critical",repository="disdukcapil-drc-bandung",result="RetentionSucceeded"} 1"#),
        "{m}"
    );
    assert!(
        m.contains("pusdata_retention_snapshots_forgotten_total{"),
        "{m}"
    );
}

#[tokio::test]
async fn never_starts_beside_a_running_backup_or_another_maintenance_job() {
    let r = world().await;
    let mut running = fixtures::backup(NS, "siak-data");
    running.metadata.name = Some("siak-data-now".into());
    seed_namespaced(&r.ctx, &running).await;
    let out = pass(&r).await;
    assert!(out.started.is_empty());
    assert_eq!(
        out.waiting,
        vec![format!("tier-1-critical/{REPO}: backup {NS}/siak-data-now")]
    );
    assert!(job(&r, JOB).await.is_none());
    Api::<Backup>::namespaced(r.ctx.client.clone(), NS)
        .delete("siak-data-now", &DeleteParams::default())
        .await
        .unwrap();

    // Another plan's retention Job on the same repository, still running.
    let other: Job = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "retention-other", "namespace": "disdukcapil-2",
                     "labels": {MAINTENANCE_LABEL: MAINTENANCE_RETENTION, run::REPOSITORY_LABEL: REPO}},
        "spec": {"template": {"spec": {"containers": [{"name": "mover"}]}}}
    }))
    .unwrap();
    seed_namespaced(&r.ctx, &other).await;
    let out = pass(&r).await;
    assert_eq!(
        out.waiting,
        vec![format!(
            "tier-1-critical/{REPO}: Job disdukcapil-2/retention-other"
        )]
    );
    assert!(job(&r, JOB).await.is_none());
    let m = r.ctx.metrics.encode();
    assert!(m.contains("pusdata_retention_waits_total{"), "{m}");

    // Once it finished, ours starts.
    crate::controllers::testing::as_harness(Api::<Job>::namespaced(r.ctx.client.clone(), "disdukcapil-2")
        .patch_status(
            "retention-other",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}})),
        )
        ).await
        .unwrap();
    let out = pass(&r).await;
    assert_eq!(out.started, vec![JOB.to_string()]);
}

#[tokio::test]
async fn a_locked_repository_is_recorded_as_a_warning_and_retried_next_slot() {
    let r = world().await;
    pass(&r).await;
    finish(
        &r,
        false,
        r#"{"error":{"category":"locked","message":"repository is locked: an exclusive lock locks/0123456789 held by root@x (pid 1), 2m00s old"}}"#,
    )
    .await;
    let out = pass(&r).await;
    assert_eq!(out.finished, vec![JOB.to_string()]);
    let e = entry(&plan(&r).await);
    assert_eq!(e.phase.as_deref(), Some("Failed"));
    assert_eq!(e.conditions[0].status, "False");
    assert_eq!(e.conditions[0].reason, "RepositoryLocked");
    assert!(e.errors[0].contains("locks/0123456789"), "{:?}", e.errors);
    assert_eq!(e.last_success, None);
    let events = events_about(&r.ctx, "default", "bekasi").await;
    assert!(
        events.contains(&("RepositoryLocked".into(), "Warning".into())),
        "{events:?}"
    );
}

#[tokio::test]
async fn no_job_for_a_read_only_repository_or_without_a_key() {
    let r = world().await;
    let api = Api::<BackupRepository>::all(r.ctx.client.clone());
    api.patch(
        REPO,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({"spec": {"accessMode": "ReadOnly"}})),
    )
    .await
    .unwrap();
    let out = pass(&r).await;
    assert!(out.started.is_empty());
    assert!(out.invalid[0].contains("ReadOnly"), "{out:?}");
    assert!(job(&r, JOB).await.is_none());
}

/// The schedule controller writes the same plan status from the plan it read: its patch
/// must leave `status.retention` alone, even when its copy is stale.
#[tokio::test]
async fn the_schedule_controller_keeps_the_retention_status() {
    let r = world().await;
    pass(&r).await;
    let stale = plan(&r).await;
    assert_eq!(entry(&stale).phase.as_deref(), Some("Running"));
    finish(&r, true, r#"{"forgotten":[],"pruned":true}"#).await;
    pass(&r).await;
    let recorded = entry(&plan(&r).await);
    assert_eq!(recorded.phase.as_deref(), Some("Succeeded"));
    crate::controllers::schedule::reconcile_once(&stale, &r.ctx)
        .await
        .unwrap();
    let after = plan(&r).await;
    assert_eq!(entry(&after), recorded, "not overwritten by the stale copy");
    assert!(
        after
            .status
            .unwrap()
            .conditions
            .iter()
            .any(|c| c.type_ == "RpoMet"),
        "the schedule controller did write its part"
    );
}
