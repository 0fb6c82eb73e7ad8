//! The Kubernetes work against the in-memory API (kube-fake-client). The test plays the
//! Restore controller (it writes the Restore's status) and the workloads' controllers.

#![allow(clippy::unwrap_used)]
use super::*;
use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStatus};
use k8s_openapi::api::batch::v1::JobStatus;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateTerminated, ContainerStatus, PodStatus,
};
use kube::api::{Patch, PatchParams};
use kube_fake_client::ClientBuilder;
use pusdata_crds::v1alpha1::RestoreStatus;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The in-memory API with what a drill at the DRC reads: the agency (its repository key
/// Secret `disdukcapil-restic`), its DRC repository (credentials Secret `drc-s3`) and both
/// Secrets in the member namespace `disdukcapil`.
async fn client() -> Client {
    client_with(kube_fake_client::interceptor::Funcs::new()).await
}

/// [`client`] with interceptors (they return `Ok(None)`: the call goes through).
async fn client_with(funcs: kube_fake_client::interceptor::Funcs) -> Client {
    let mut agency = pusdata_crds::fixtures::agency("disdukcapil");
    agency.spec.repository_key = Some(pusdata_crds::v1alpha1::SecretKeyRef {
        name: "disdukcapil-restic".into(),
        namespace: None,
        key: "password".into(),
    });
    ClientBuilder::new()
        .with_resource::<Restore>()
        .with_resource::<BackupRepository>()
        .with_resource::<Agency>()
        .with_status_subresource::<Restore>()
        .with_status_subresource::<Job>()
        .with_status_subresource::<Deployment>()
        .with_object(agency)
        .with_object(pusdata_crds::fixtures::backup_repository(
            "disdukcapil",
            "drc",
        ))
        .with_object(source_secret(
            CREDENTIALS,
            &[
                ("AWS_ACCESS_KEY_ID", "GKdrc0001"),
                ("AWS_SECRET_ACCESS_KEY", S3_SECRET),
            ],
        ))
        .with_object(source_secret(KEY, &[("password", KEY_SECRET)]))
        // What the Agency controller binds in each member namespace: the agent may read
        // that agency's Secrets there, and nowhere else.
        .with_object(
            serde_json::from_value::<k8s_openapi::api::rbac::v1::RoleBinding>(serde_json::json!({
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                "metadata": {"name": pusdata_core::tenancy::AGENT_SECRETS_BINDING, "namespace": "disdukcapil"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                            "name": pusdata_core::tenancy::AGENT_SECRETS_ROLE},
                "subjects": [{"kind": "ServiceAccount", "name": pusdata_core::tenancy::AGENT_SERVICE_ACCOUNT,
                              "namespace": "pusdata-system"}]
            }))
            .unwrap(),
        )
        .with_interceptor_funcs(funcs)
        .build()
        .await
        .unwrap()
}

const CREDENTIALS: &str = "drc-s3";
const KEY: &str = "disdukcapil-restic";
const S3_SECRET: &str = "s3-Zq8-very-secret";
const KEY_SECRET: &str = "restic-Kx3-very-secret";

fn source_secret(name: &str, data: &[(&str, &str)]) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("disdukcapil".into()),
            labels: Some(BTreeMap::from([("team".to_string(), "siak".to_string())])),
            annotations: Some(BTreeMap::from([(
                "owner".to_string(),
                "disdukcapil".to_string(),
            )])),
            ..ObjectMeta::default()
        },
        data: Some(
            data.iter()
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        k8s_openapi::ByteString(v.as_bytes().to_vec()),
                    )
                })
                .collect(),
        ),
        type_: Some("Opaque".into()),
        ..Secret::default()
    }
}

/// The agent's work, sending as the DRC agent's ServiceAccount with the RBAC the DRC chart
/// renders (and the bindings the operator makes in agency namespaces); the test's own
/// `client` stays unrestricted.
fn work(client: &Client) -> Arc<KubeWork> {
    use crate::testkit::{authz, manifests::Site};
    Arc::new(KubeWork::new(
        authz::client_for(client, Site::Drc, authz::Identity::agent()),
        tokio::runtime::Handle::current(),
        KubeSettings {
            max_poll: Duration::from_millis(5),
            ..KubeSettings::default()
        },
    ))
}

fn placement(kind: FailoverType) -> Placement {
    Placement {
        kind,
        failover: "drill-nov".into(),
        plan: "bekasi".into(),
        agency: "disdukcapil".into(),
        member: "siak-db".into(),
        namespace: "disdukcapil".into(),
        repository: "disdukcapil-drc".into(),
        pvc: "data".into(),
        run_as_user: Some(999),
        run_as_group: Some(998),
    }
}

fn restore_job(kind: FailoverType, request_id: &str) -> RestoreJob {
    RestoreJob {
        snapshot: "disdukcapil/abc123".into(),
        target: "drill/drill-nov/siak-db".into(),
        placement: Some(placement(kind)),
        request_id: request_id.into(),
        epoch: 3,
        deadline: None,
        skip_checksum: false,
    }
}

async fn namespace(client: &Client, name: &str, labels: &[(&str, &str)]) {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

/// Waits until the named Restore exists, then writes `status` as its controller would.
async fn play_restore_controller(client: &Client, ns: &str, name: &str, status: RestoreStatus) {
    let api = Api::<Restore>::namespaced(client.clone(), ns);
    for _ in 0..2000 {
        if api.get_opt(name).await.unwrap().is_some() {
            api.patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({ "status": status })),
            )
            .await
            .unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("Restore {ns}/{name} never created");
}

fn completed(files: u64) -> RestoreStatus {
    RestoreStatus {
        phase: Some(RestorePhase::Completed),
        snapshot_id: Some("abc123".into()),
        files: Some(files),
        bytes: Some(files * 100),
        mismatches: Some(0),
        ..RestoreStatus::default()
    }
}

const DRILL_NS: &str = "pusdata-drill-drill-nov-disdukcapil";
const RESTORE: &str = "drill-nov-siak-db-data";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_restores_into_an_isolated_labelled_namespace_and_resumes_by_request_id() {
    let c = client().await;
    let w = work(&c);
    let w2 = Arc::clone(&w);
    let running = tokio::task::spawn_blocking(move || {
        w2.restore(&restore_job(FailoverType::Drill, "rid-1"), &mut |_| {})
    });
    play_restore_controller(&c, DRILL_NS, RESTORE, completed(7)).await;
    let report = running.await.unwrap().unwrap();
    assert_eq!((report.files, report.bytes), (7, 700));
    assert_eq!(report.checksum, "snapshot:abc123");
    assert!(report.matches);

    let ns = Api::<Namespace>::all(c.clone())
        .get(DRILL_NS)
        .await
        .unwrap();
    let labels = ns.labels();
    assert_eq!(labels[drc::DRILL_LABEL], "true");
    assert_eq!(labels[drc::FAILOVER_LABEL], "drill-nov");
    assert_eq!(labels["pusdata.io/plan"], "bekasi");
    assert_eq!(labels["pusdata.io/agency"], "disdukcapil");
    let policies = Api::<NetworkPolicy>::namespaced(c.clone(), DRILL_NS)
        .list(&ListParams::default())
        .await
        .unwrap();
    let mut names: Vec<_> = policies.items.iter().map(|p| p.name_any()).collect();
    names.sort();
    assert_eq!(names, [drc::ISOLATION_POLICY, drc::MOVER_EGRESS_POLICY]);
    let r = Api::<Restore>::namespaced(c.clone(), DRILL_NS)
        .get(RESTORE)
        .await
        .unwrap();
    assert_eq!(r.spec.epoch, Some(3), "stamped with the request's epoch");
    assert_eq!(r.spec.failover.as_deref(), Some("drill-nov"));
    assert_eq!(r.spec.snapshot, "abc123");
    assert_eq!(r.spec.target.pvc, "data");
    assert_eq!(
        (r.spec.run_as_user, r.spec.run_as_group),
        (Some(999), Some(998)),
        "the restore writes as the user the backup read as"
    );
    assert_eq!(r.spec.repository, "disdukcapil-drc");
    assert_eq!(r.annotations()[drc::REQUEST_ANNOTATION], "rid-1");
    // No member namespace was created or touched.
    assert!(
        Api::<Namespace>::all(c.clone())
            .get_opt("disdukcapil")
            .await
            .unwrap()
            .is_none()
    );

    // A retry (another attempt) finds the completed Restore and answers without a new one.
    let w3 = Arc::clone(&w);
    let again = tokio::task::spawn_blocking(move || {
        w3.restore(&restore_job(FailoverType::Drill, "rid-2"), &mut |_| {})
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(again.files, 7);
    let all = Api::<Restore>::namespaced(c.clone(), DRILL_NS)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 1);
    assert_eq!(
        all.items[0].annotations()[drc::REQUEST_ANNOTATION],
        "rid-1",
        "not replaced"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_past_the_deadline_gives_up_and_a_retry_resumes_it() {
    let c = client().await;
    let w = work(&c);
    let mut job = restore_job(FailoverType::Drill, "rid-1");
    job.deadline = Some(Instant::now() + Duration::from_millis(2100));
    let w2 = Arc::clone(&w);
    let j2 = job.clone();
    let err = tokio::task::spawn_blocking(move || w2.restore(&j2, &mut |_| {}))
        .await
        .unwrap()
        .unwrap_err();
    assert!(err.to_string().contains("deadline"), "{err}");
    // The same request again (as after a crash) waits for the same Restore.
    job.deadline = None;
    let w3 = Arc::clone(&w);
    let running = tokio::task::spawn_blocking(move || w3.restore(&job, &mut |_| {}));
    play_restore_controller(&c, DRILL_NS, RESTORE, completed(2)).await;
    assert_eq!(running.await.unwrap().unwrap().files, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_restore_is_reported_and_replaced_by_the_next_attempt() {
    let c = client().await;
    let w = work(&c);
    let w2 = Arc::clone(&w);
    let running = tokio::task::spawn_blocking(move || {
        w2.restore(&restore_job(FailoverType::Drill, "rid-1"), &mut |_| {})
    });
    let failed = RestoreStatus {
        phase: Some(RestorePhase::Failed),
        ..RestoreStatus::default()
    };
    play_restore_controller(&c, DRILL_NS, RESTORE, failed).await;
    let err = running.await.unwrap().unwrap_err();
    assert!(matches!(err, WorkError::Failed(_)), "{err}");
    // The failed attempt left a half-filled PVC behind.
    let pvcs = Api::<PersistentVolumeClaim>::namespaced(c.clone(), DRILL_NS);
    let half = PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some("data".into()),
            namespace: Some(DRILL_NS.into()),
            ..ObjectMeta::default()
        },
        ..PersistentVolumeClaim::default()
    };
    pvcs.create(&PostParams::default(), &half).await.unwrap();
    let w3 = Arc::clone(&w);
    let retry = tokio::task::spawn_blocking(move || {
        w3.restore(&restore_job(FailoverType::Drill, "rid-2"), &mut |_| {})
    });
    // The next attempt deletes the failed one and creates it anew.
    let api = Api::<Restore>::namespaced(c.clone(), DRILL_NS);
    for _ in 0..2000 {
        let r = api.get_opt(RESTORE).await.unwrap();
        if r.is_some_and(|r| r.annotations()[drc::REQUEST_ANNOTATION] == "rid-2") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(
        pvcs.get_opt("data").await.unwrap().is_none(),
        "the drill copy's half-filled PVC is removed before the new attempt"
    );
    play_restore_controller(&c, DRILL_NS, RESTORE, completed(4)).await;
    assert_eq!(retry.await.unwrap().unwrap().files, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_restores_into_the_member_namespace_which_must_exist() {
    let c = client().await;
    let w = work(&c);
    let w2 = Arc::clone(&w);
    let err = tokio::task::spawn_blocking(move || {
        w2.restore(&restore_job(FailoverType::Failover, "rid-1"), &mut |_| {})
    })
    .await
    .unwrap()
    .unwrap_err();
    assert!(matches!(err, WorkError::Invalid(_)), "{err}");
    namespace(&c, "disdukcapil", &[("pusdata.io/agency", "disdukcapil")]).await;
    let w3 = Arc::clone(&w);
    let running = tokio::task::spawn_blocking(move || {
        w3.restore(&restore_job(FailoverType::Failover, "rid-1"), &mut |_| {})
    });
    play_restore_controller(&c, "disdukcapil", RESTORE, completed(5)).await;
    assert_eq!(running.await.unwrap().unwrap().files, 5);
    let namespaces = Api::<Namespace>::all(c.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(
        namespaces.items.len(),
        1,
        "no drill namespace for a failover"
    );
    let ns = &namespaces.items[0];
    assert!(!ns.labels().contains_key(drc::DRILL_LABEL));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_never_restores_into_an_existing_namespace_without_the_drill_label() {
    let c = client().await;
    namespace(&c, DRILL_NS, &[]).await;
    let w = work(&c);
    let err = tokio::task::spawn_blocking(move || {
        w.restore(&restore_job(FailoverType::Drill, "rid-1"), &mut |_| {})
    })
    .await
    .unwrap()
    .unwrap_err();
    assert!(
        matches!(err, WorkError::Invalid(ref m) if m.contains(drc::DRILL_LABEL)),
        "{err}"
    );
}

async fn seed_restored(c: &Client, ns: &str, status: RestoreStatus) {
    let p = placement(FailoverType::Drill);
    let r = drc::restore_object(&p, ns, "disdukcapil/abc123", "rid-1", 3, "repo", None);
    Api::<Restore>::namespaced(c.clone(), ns)
        .create(&PostParams::default(), &r)
        .await
        .unwrap();
    play_restore_controller(c, ns, RESTORE, status).await;
}

async fn seed_deployment(c: &Client, ns: &str, name: &str, desired: i32, ready: i32) {
    let d = Deployment {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            labels: Some([("app".to_string(), "siak".to_string())].into()),
            ..ObjectMeta::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(desired),
            ..DeploymentSpec::default()
        }),
        status: None,
    };
    let api = Api::<Deployment>::namespaced(c.clone(), ns);
    api.create(&PostParams::default(), &d).await.unwrap();
    let status = DeploymentStatus {
        ready_replicas: Some(ready),
        updated_replicas: Some(desired),
        observed_generation: Some(1),
        ..DeploymentStatus::default()
    };
    api.patch_status(
        name,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({ "status": status })),
    )
    .await
    .unwrap();
}

fn verify_job(smoke: bool) -> VerifyJob {
    VerifyJob {
        target: "drill/drill-nov/siak-db".into(),
        placement: Some(placement(FailoverType::Drill)),
        readiness: Some(drc::ReadinessCheck {
            selector: BTreeMap::from([("app".to_string(), "siak".to_string())]),
            timeout: Duration::from_secs(60),
        }),
        smoke: smoke.then(|| drc::SmokeCheck {
            command: vec!["/bin/check".into()],
            image: String::new(),
            timeout: Duration::from_secs(60),
        }),
        request_id: "rid-v".into(),
        ..VerifyJob::default()
    }
}

/// Waits for the smoke Job, then finishes it (and, on failure, its Pod's termination).
async fn play_smoke(c: &Client, ns: &str, exit: i32, output: &str) {
    let jobs = Api::<Job>::namespaced(c.clone(), ns);
    let name = drc::smoke_job_name("siak-db", "rid-v");
    for _ in 0..2000 {
        if jobs.get_opt(&name).await.unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let job = jobs.get(&name).await.unwrap();
    let pod_spec = job.spec.unwrap().template.spec.unwrap();
    assert_eq!(
        pod_spec.containers[0].image.as_deref(),
        Some("busybox:1.36")
    );
    if exit != 0 {
        let pod = Pod {
            metadata: ObjectMeta {
                name: Some(format!("{name}-x")),
                namespace: Some(ns.into()),
                labels: Some([(drc::SMOKE_LABEL.to_string(), name.clone())].into()),
                ..ObjectMeta::default()
            },
            spec: None,
            status: Some(PodStatus {
                container_statuses: Some(vec![ContainerStatus {
                    name: "smoke".into(),
                    state: Some(ContainerState {
                        terminated: Some(ContainerStateTerminated {
                            exit_code: exit,
                            message: Some(output.into()),
                            ..ContainerStateTerminated::default()
                        }),
                        ..ContainerState::default()
                    }),
                    ..ContainerStatus::default()
                }]),
                ..PodStatus::default()
            }),
        };
        Api::<Pod>::namespaced(c.clone(), ns)
            .create(&PostParams::default(), &pod)
            .await
            .unwrap();
    }
    let status = JobStatus {
        succeeded: (exit == 0).then_some(1),
        failed: (exit != 0).then_some(1),
        ..JobStatus::default()
    };
    jobs.patch_status(
        &name,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({ "status": status })),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_checks_checksums_then_waits_for_readiness_then_runs_the_smoke_job() {
    let c = client().await;
    namespace(&c, DRILL_NS, &[(drc::DRILL_LABEL, "true")]).await;
    seed_restored(&c, DRILL_NS, completed(3)).await;
    let w = work(&c);
    let w2 = Arc::clone(&w);
    let running = tokio::task::spawn_blocking(move || w2.verify(&verify_job(true)));
    // Not ready at first; ready a little later.
    seed_deployment(&c, DRILL_NS, "siak", 2, 1).await;
    tokio::time::sleep(Duration::from_millis(30)).await;
    Api::<Deployment>::namespaced(c.clone(), DRILL_NS)
        .patch_status(
            "siak",
            &PatchParams::default(),
            &Patch::Merge(&serde_json::json!({ "status": { "readyReplicas": 2 } })),
        )
        .await
        .unwrap();
    play_smoke(&c, DRILL_NS, 0, "").await;
    let report = running.await.unwrap().unwrap();
    assert!(report.matches);
    assert_eq!(report.files, 3);
    let r = report.readiness.unwrap();
    assert_eq!(r.state, CheckState::Passed, "{r:?}");
    let s = report.smoke.unwrap();
    assert_eq!(s.state, CheckState::Passed, "{s:?}");
    assert!(s.message.en.contains("/bin/check"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_smoke_command_is_reported_with_a_secret_free_tail() {
    let c = client().await;
    namespace(&c, DRILL_NS, &[(drc::DRILL_LABEL, "true")]).await;
    seed_restored(&c, DRILL_NS, completed(3)).await;
    seed_deployment(&c, DRILL_NS, "siak", 1, 1).await;
    let w = work(&c);
    let running = tokio::task::spawn_blocking(move || w.verify(&verify_job(true)));
    play_smoke(&c, DRILL_NS, 3, "connecting\nDB_PASSWORD=hunter2\nrefused").await;
    let report = running.await.unwrap().unwrap();
    let s = report.smoke.unwrap();
    assert_eq!(s.state, CheckState::Failed);
    assert!(s.message.en.contains("exit 3"), "{}", s.message.en);
    assert!(s.message.en.contains("refused"));
    assert!(!s.message.en.contains("hunter2"), "{}", s.message.en);
    assert!(!s.message.id.contains("hunter2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unready_workloads_fail_readiness_and_skip_the_smoke_command() {
    let c = client().await;
    namespace(&c, DRILL_NS, &[(drc::DRILL_LABEL, "true")]).await;
    seed_restored(&c, DRILL_NS, completed(3)).await;
    seed_deployment(&c, DRILL_NS, "siak", 2, 0).await;
    let w = work(&c);
    let mut job = verify_job(true);
    job.readiness.as_mut().unwrap().timeout = Duration::from_millis(50);
    let report = tokio::task::spawn_blocking(move || w.verify(&job))
        .await
        .unwrap()
        .unwrap();
    let r = report.readiness.unwrap();
    assert_eq!(r.state, CheckState::Failed);
    assert!(
        r.message.en.contains("Deployment/siak 0/2"),
        "{}",
        r.message.en
    );
    assert_eq!(report.smoke.unwrap().state, CheckState::Skipped);
    let jobs = Api::<Job>::namespaced(c.clone(), DRILL_NS)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(jobs.items.is_empty(), "no smoke Job on unready workloads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatching_checksums_fail_verify_without_checks_and_unasked_checks_are_skipped() {
    let c = client().await;
    namespace(&c, DRILL_NS, &[(drc::DRILL_LABEL, "true")]).await;
    let bad = RestoreStatus {
        mismatches: Some(2),
        ..completed(3)
    };
    seed_restored(&c, DRILL_NS, bad).await;
    let w = work(&c);
    let report = tokio::task::spawn_blocking(move || w.verify(&verify_job(true)))
        .await
        .unwrap()
        .unwrap();
    assert!(!report.matches);
    assert_eq!(report.readiness.unwrap().state, CheckState::Skipped);

    let c = client().await;
    namespace(&c, DRILL_NS, &[(drc::DRILL_LABEL, "true")]).await;
    seed_restored(&c, DRILL_NS, completed(3)).await;
    let w = work(&c);
    let job = VerifyJob {
        readiness: None,
        smoke: None,
        ..verify_job(false)
    };
    let report = tokio::task::spawn_blocking(move || w.verify(&job))
        .await
        .unwrap()
        .unwrap();
    assert!(report.matches);
    assert_eq!(report.readiness, Some(drc::readiness_not_configured()));
    assert_eq!(report.smoke, Some(drc::smoke_not_configured()));
}

fn discard_job(namespace: &str) -> DiscardJob {
    DiscardJob {
        target: "drill/drill-nov".into(),
        placement: Some(Placement {
            kind: FailoverType::Drill,
            failover: "drill-nov".into(),
            namespace: namespace.into(),
            ..Placement::default()
        }),
        deadline: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_removes_only_drill_namespaces() {
    let c = client().await;
    let drill = drc::drill_namespace_labels(&placement(FailoverType::Drill));
    let drill: Vec<(&str, &str)> = drill
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    namespace(&c, DRILL_NS, &drill).await;
    namespace(&c, "disdukcapil", &[("pusdata.io/agency", "disdukcapil")]).await;
    seed_restored(&c, DRILL_NS, completed(6)).await;
    let w = work(&c);
    let w2 = Arc::clone(&w);
    let report = tokio::task::spawn_blocking(move || w2.discard(&discard_job("")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.files, 6);
    let api = Api::<Namespace>::all(c.clone());
    assert!(api.get_opt(DRILL_NS).await.unwrap().is_none());
    assert!(api.get_opt("disdukcapil").await.unwrap().is_some());
    // Again: nothing left, still fine (teardown is idempotent).
    let w3 = Arc::clone(&w);
    let again = tokio::task::spawn_blocking(move || w3.discard(&discard_job("")))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.files, 0);
    // Never anything but a drill.
    let w4 = Arc::clone(&w);
    let mut not_drill = discard_job("");
    not_drill.placement.as_mut().unwrap().kind = FailoverType::Failover;
    let err = tokio::task::spawn_blocking(move || w4.discard(&not_drill))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, WorkError::Invalid(_)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teardown_refuses_a_namespace_without_the_drill_label() {
    let c = client().await;
    // Labelled with the failover (say, by hand) but not a drill namespace.
    namespace(&c, "disdukcapil", &[(drc::FAILOVER_LABEL, "drill-nov")]).await;
    // A drill namespace of the same failover: not removed either, since the whole
    // teardown stops before deleting anything.
    namespace(
        &c,
        DRILL_NS,
        &[
            (drc::DRILL_LABEL, "true"),
            (drc::FAILOVER_LABEL, "drill-nov"),
        ],
    )
    .await;
    let w = work(&c);
    let w2 = Arc::clone(&w);
    let err = tokio::task::spawn_blocking(move || w2.discard(&discard_job("")))
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(err, WorkError::Invalid(ref m) if m.contains("disdukcapil")),
        "{err}"
    );
    let api = Api::<Namespace>::all(c.clone());
    assert!(api.get_opt("disdukcapil").await.unwrap().is_some());
    assert!(api.get_opt(DRILL_NS).await.unwrap().is_some());

    // Named directly: a namespace with the drill name but no drill label is refused too.
    let c = client().await;
    namespace(&c, DRILL_NS, &[]).await;
    let w = work(&c);
    let err = tokio::task::spawn_blocking(move || w.discard(&discard_job("disdukcapil")))
        .await
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, WorkError::Invalid(_)), "{err}");
    assert!(
        Api::<Namespace>::all(c.clone())
            .get_opt(DRILL_NS)
            .await
            .unwrap()
            .is_some()
    );
}

/// What the agent logs (its own targets), captured on the thread that runs the work.
#[derive(Clone, Default)]
struct Logs(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Logs {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Logs {
    type Writer = Logs;
    fn make_writer(&'a self) -> Logs {
        self.clone()
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// Runs a restore on a blocking thread with the agent's logs captured into `logs`.
async fn restore_logged(
    w: &Arc<KubeWork>,
    job: RestoreJob,
    logs: &Logs,
) -> Result<Report, WorkError> {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt;
    let (w, logs) = (Arc::clone(w), logs.clone());
    tokio::task::spawn_blocking(move || {
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .with_writer(logs)
                .with_ansi(false)
                .with_filter(
                    tracing_subscriber::filter::Targets::new()
                        .with_target("pusdata", tracing::Level::TRACE),
                ),
        );
        let _guard = tracing::subscriber::set_default(subscriber);
        w.restore(&job, &mut |_| {})
    })
    .await
    .unwrap()
}

async fn secrets_in(c: &Client, ns: &str) -> Vec<Secret> {
    let mut items = Api::<Secret>::namespaced(c.clone(), ns)
        .list(&ListParams::default())
        .await
        .unwrap()
        .items;
    items.sort_by_key(|s| s.name_any());
    items
}

fn no_secret_values(what: &str, text: &str) {
    use base64::Engine as _;
    for v in [S3_SECRET, KEY_SECRET, "rotated-Kx4-very-secret"] {
        let b64 = base64::engine::general_purpose::STANDARD.encode(v);
        assert!(
            !text.contains(v) && !text.contains(&b64),
            "{what} shows a Secret value: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_drill_copies_the_repository_secrets_once_refreshes_them_and_discard_removes_them() {
    // Every get and every Secret write, to check the agent works with the access the
    // chart gives it: Secrets read only in the agency namespace, written only in the
    // drill namespace.
    type Calls = Arc<std::sync::Mutex<Vec<(&'static str, String, String)>>>;
    let calls: Calls = Calls::default();
    let (on_get, on_create, on_replace) = (calls.clone(), calls.clone(), calls.clone());
    let funcs = kube_fake_client::interceptor::Funcs::new()
        .get(move |ctx| {
            on_get
                .lock()
                .unwrap()
                .push(("get", ctx.namespace.into(), ctx.name.into()));
            Ok(None)
        })
        .create(move |ctx| {
            if ctx.object["kind"] == "Secret" {
                let name = ctx.object["metadata"]["name"].as_str().unwrap_or_default();
                on_create
                    .lock()
                    .unwrap()
                    .push(("create", ctx.namespace.into(), name.into()));
            }
            Ok(None)
        })
        .replace(move |ctx| {
            if ctx.object["kind"] == "Secret" {
                on_replace
                    .lock()
                    .unwrap()
                    .push(("replace", ctx.namespace.into(), ctx.name.into()));
            }
            Ok(None)
        });
    let c = client_with(funcs).await;
    let w = work(&c);
    let logs = Logs::default();
    let running = {
        let (w, logs) = (Arc::clone(&w), logs.clone());
        tokio::spawn(async move {
            restore_logged(&w, restore_job(FailoverType::Drill, "rid-1"), &logs).await
        })
    };
    play_restore_controller(&c, DRILL_NS, RESTORE, completed(3)).await;
    let report = running.await.unwrap().unwrap();
    assert!(report.matches);

    // Exactly the two Secrets the Restore mounts, in the drill namespace: the same data
    // and type, under fresh metadata (the drill's labels, the source named).
    let sources = secrets_in(&c, "disdukcapil").await;
    let copies = secrets_in(&c, DRILL_NS).await;
    let names: Vec<_> = copies.iter().map(|s| s.name_any()).collect();
    assert_eq!(names, [KEY, CREDENTIALS]);
    let drill_labels = drc::drill_namespace_labels(&placement(FailoverType::Drill));
    for (copy, source) in copies.iter().zip(&sources) {
        assert_eq!(copy.name_any(), source.name_any());
        assert_eq!(copy.data, source.data, "{}", copy.name_any());
        assert_eq!(copy.type_.as_deref(), Some("Opaque"));
        assert_eq!(copy.labels(), &drill_labels, "no label of the source");
        assert_eq!(
            copy.annotations(),
            &BTreeMap::from([(
                drc::COPIED_FROM_ANNOTATION.to_string(),
                format!("disdukcapil/{}", copy.name_any())
            )]),
            "no annotation of the source"
        );
    }

    // A retry copies nothing twice.
    let again = restore_logged(&w, restore_job(FailoverType::Drill, "rid-2"), &logs)
        .await
        .unwrap();
    assert_eq!(again.files, 3);
    let after_retry = secrets_in(&c, DRILL_NS).await;
    assert_eq!(after_retry.len(), 2);
    for (a, b) in after_retry.iter().zip(&copies) {
        assert_eq!((a.name_any(), &a.data), (b.name_any(), &b.data));
    }

    let by_agent = calls.lock().unwrap().clone();
    let secret_gets: Vec<_> = by_agent
        .iter()
        .filter(|(op, _, name)| *op == "get" && (name == KEY || name == CREDENTIALS))
        .collect();
    assert_eq!(secret_gets.len(), 4, "both sources, twice: {by_agent:?}");
    assert!(
        secret_gets.iter().all(|(_, ns, _)| ns == "disdukcapil"),
        "the agent may read Secrets only in agency namespaces: {by_agent:?}"
    );
    let writes: Vec<_> = by_agent.iter().filter(|(op, _, _)| *op != "get").collect();
    assert!(
        writes.iter().all(|(_, ns, _)| ns == DRILL_NS),
        "Secrets are written only in the drill namespace: {by_agent:?}"
    );
    let count = |op: &str| writes.iter().filter(|(o, _, _)| *o == op).count();
    // The first attempt creates both; the retry's creates are refused and it updates.
    assert_eq!((count("create"), count("replace")), (4, 2), "{by_agent:?}");

    // The key is rotated in the member namespace: the next attempt replaces the copy.
    let rotated = source_secret(KEY, &[("password", "rotated-Kx4-very-secret")]);
    let sources_api = Api::<Secret>::namespaced(c.clone(), "disdukcapil");
    let mut current = sources_api.get(KEY).await.unwrap();
    current.data = rotated.data.clone();
    sources_api
        .replace(KEY, &PostParams::default(), &current)
        .await
        .unwrap();
    restore_logged(&w, restore_job(FailoverType::Drill, "rid-3"), &logs)
        .await
        .unwrap();
    let refreshed = secrets_in(&c, DRILL_NS).await;
    assert_eq!(refreshed.len(), 2);
    assert_eq!(refreshed[0].name_any(), KEY);
    assert_eq!(refreshed[0].data, rotated.data);
    assert_eq!(refreshed[0].labels(), &drill_labels);
    assert_eq!(refreshed[1].data, copies[1].data, "the credentials stay");

    // Secret names may be logged, never their values; nor does anything the agent
    // answers (report, Restore status) carry them.
    let text = logs.text();
    assert!(text.contains(CREDENTIALS) && text.contains(KEY), "{text}");
    no_secret_values("the agent's log", &text);
    no_secret_values("the report", &format!("{report:?} {again:?}"));
    let restore = Api::<Restore>::namespaced(c.clone(), DRILL_NS)
        .get(RESTORE)
        .await
        .unwrap();
    no_secret_values("the Restore", &serde_json::to_string(&restore).unwrap());

    // The teardown deletes the whole drill namespace, and so the copies with it (every
    // copy lives in it; the agent itself never deletes a Secret).
    assert!(
        refreshed
            .iter()
            .all(|s| s.metadata.namespace.as_deref() == Some(DRILL_NS))
    );
    assert!(
        PERMISSIONS
            .iter()
            .filter(|(g, r, _)| g.is_empty() && *r == "secrets")
            .all(|(_, _, verbs)| !verbs.contains(&"delete"))
    );
    let w2 = Arc::clone(&w);
    tokio::task::spawn_blocking(move || w2.discard(&discard_job("")))
        .await
        .unwrap()
        .unwrap();
    assert!(
        Api::<Namespace>::all(c.clone())
            .get_opt(DRILL_NS)
            .await
            .unwrap()
            .is_none()
    );
    // The sources are untouched.
    let untouched = secrets_in(&c, "disdukcapil").await;
    assert_eq!(untouched.len(), 2);
    assert!(untouched.iter().all(|s| s.labels()["team"] == "siak"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_copies_no_secret_and_a_missing_source_stops_a_drill_before_its_restore() {
    // A failover restores into the member namespace, which has the Secrets: nothing is
    // copied anywhere.
    let c = client().await;
    namespace(&c, "disdukcapil", &[("pusdata.io/agency", "disdukcapil")]).await;
    let before = secrets_in(&c, "disdukcapil").await;
    let w = work(&c);
    let logs = Logs::default();
    let running = {
        let (w, logs) = (Arc::clone(&w), logs.clone());
        tokio::spawn(async move {
            restore_logged(&w, restore_job(FailoverType::Failover, "rid-1"), &logs).await
        })
    };
    play_restore_controller(&c, "disdukcapil", RESTORE, completed(2)).await;
    running.await.unwrap().unwrap();
    assert_eq!(secrets_in(&c, "disdukcapil").await, before);
    assert!(secrets_in(&c, DRILL_NS).await.is_empty());
    assert!(!logs.text().contains("copied"), "{}", logs.text());

    // A drill whose member namespace lacks the key Secret fails naming it, and creates
    // no Restore (its mover could not start).
    let c = client().await;
    Api::<Secret>::namespaced(c.clone(), "disdukcapil")
        .delete(KEY, &DeleteParams::default())
        .await
        .unwrap();
    let w = work(&c);
    let err = restore_logged(&w, restore_job(FailoverType::Drill, "rid-1"), &logs)
        .await
        .unwrap_err();
    assert!(
        matches!(err, WorkError::Invalid(ref m) if m.contains("Secret disdukcapil/disdukcapil-restic")),
        "{err}"
    );
    no_secret_values("the error", &err.to_string());
    assert!(
        Api::<Restore>::namespaced(c.clone(), DRILL_NS)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
