//! The quiet steady state: once a world has converged, further reconcile rounds — later, in
//! each documented unhappy state, and after a restart (a fresh context over the same stored
//! world) — send no write at all. Every request goes through the counting layer
//! (`counting`), which also refuses creates in a namespace that does not exist, as the real
//! API server does.

use super::counting::{Log, counted};
use super::testing::{context as fake_context, secret, seed_cluster, seed_namespaced};
use super::{Context, agency, audit, repository, schedule};
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim};
use kube::ResourceExt;
use kube::api::Api;
use kube_fake_client::ClientBuilder;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{
    Agency, Approval, BackupRepository, DisasterRecoveryPlan, ExternalCloudService, HostingRequest,
    Rack, RepositoryPhase, ResidencyPolicy, SecretKeyRef, SecretRef, Site,
};
use std::sync::Arc;

/// Every kind the controllers under test read, registered with the in-memory API.
async fn world() -> Context {
    fake_context(
        ClientBuilder::new()
            .with_resource::<Agency>()
            .with_status_subresource::<Agency>()
            .with_resource::<BackupRepository>()
            .with_status_subresource::<BackupRepository>()
            .with_resource::<DisasterRecoveryPlan>()
            .with_status_subresource::<DisasterRecoveryPlan>()
            .with_resource::<pusdata_crds::v1alpha1::Backup>()
            .with_status_subresource::<pusdata_crds::v1alpha1::Backup>()
            .with_resource::<HostingRequest>()
            .with_status_subresource::<HostingRequest>()
            .with_resource::<Approval>()
            .with_resource::<ResidencyPolicy>()
            .with_resource::<Site>()
            .with_resource::<Rack>()
            .with_resource::<ExternalCloudService>()
            .with_resource::<super::policyreport::PolicyReport>()
            .with_resource::<super::policyreport::ClusterPolicyReport>(),
    )
    .await
}

/// `ctx` at another instant.
fn at(ctx: &Context, t: &'static str) -> Context {
    let t: jiff::Timestamp = t.parse().unwrap();
    Context {
        clock: Arc::new(move || t),
        ..ctx.clone()
    }
}

/// A new process over the same stored world: nothing in memory survives.
fn restarted(ctx: &Context) -> Context {
    Context {
        metrics: Default::default(),
        backoff: Default::default(),
        ..ctx.clone()
    }
}

/// Later instants at which the rounds after convergence run: the same second, past the
/// one-minute retry of an unavailable repository, past the default 5-minute validation, a
/// day on.
const LATER: &[&str] = &[
    "2026-11-25T00:00:00Z",
    "2026-11-25T00:00:10Z",
    "2026-11-25T00:02:00Z",
    "2026-11-25T00:10:00Z",
    "2026-11-26T00:00:00Z",
];

fn namespace(name: &str) -> Namespace {
    serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap()
}

async fn repo_named(ctx: &Context, name: &str) -> BackupRepository {
    Api::<BackupRepository>::all(ctx.client.clone())
        .get(name)
        .await
        .unwrap()
}

/// Runs the repository controller's reconcile (requeue included) at `t` over `ctx`.
async fn repository_round(ctx: &Context, name: &str) {
    let repo = repo_named(ctx, name).await;
    repository::reconcile(Arc::new(repo), Arc::new(ctx.clone()))
        .await
        .unwrap();
}

/// After the first round (which may write), every later round — at each of `LATER`, and
/// after a restart — writes nothing. Returns the reads of one settled round.
async fn assert_repository_quiet(base: &Context, name: &str, want: RepositoryPhase) {
    let (ctx, log) = counted(base);
    repository_round(&ctx, name).await;
    let stored = repo_named(&ctx, name).await;
    assert_eq!(stored.status.as_ref().and_then(|s| s.phase), Some(want));
    assert!(
        !log.writes().is_empty(),
        "the first round writes the status"
    );
    for t in LATER {
        log.clear();
        repository_round(&at(&ctx, t), name).await;
        assert_eq!(log.writes(), Vec::<String>::new(), "round at {t}");
    }
    let (fresh, log): (Context, Log) = counted(&restarted(base));
    repository_round(&at(&fresh, "2026-11-26T00:00:00Z"), name).await;
    assert_eq!(log.writes(), Vec::<String>::new(), "after a restart");
    // And the status it shows is the one written at first.
    assert_eq!(repo_named(&fresh, name).await.status, stored.status);
}

/// The DRC site, agency `dinkes` with its key, the S3 credentials, and its repository whose
/// S3 endpoint is a closed port (S3 unreachable).
async fn repository_world(ctx: &Context) -> BackupRepository {
    let port = super::test_s3::free_port();
    let mut site = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    site.spec.endpoints.s3 = Some(format!("http://127.0.0.1:{port}"));
    seed_cluster(ctx, &fixtures::primary_site()).await;
    seed_cluster(ctx, &site).await;
    let mut agency = fixtures::agency("dinkes");
    agency.spec.repository_key = Some(SecretKeyRef {
        name: "dinkes-restic".into(),
        namespace: None,
        key: "password".into(),
    });
    seed_cluster(ctx, &agency).await;
    let p = "pusdata-system";
    seed_namespaced(
        ctx,
        &secret(
            p,
            "dinkes-restic",
            &[("password", "k-7f3a")],
            Some("dinkes"),
        ),
    )
    .await;
    seed_namespaced(
        ctx,
        &secret(
            p,
            "drc-s3",
            &[
                ("AWS_ACCESS_KEY_ID", "GK0123"),
                ("AWS_SECRET_ACCESS_KEY", "s3-secret-0123456789"),
            ],
            None,
        ),
    )
    .await;
    let mut repo = fixtures::backup_repository("dinkes", "drc-bandung");
    repo.spec.s3.endpoint = format!("http://127.0.0.1:{port}");
    repo.spec.s3.bucket = "pusdata-drc".into();
    repo.spec.s3.credentials = SecretRef {
        name: "drc-s3".into(),
        namespace: None,
    };
    repo
}

#[tokio::test]
async fn a_repository_of_an_unregistered_agency_settles_and_writes_nothing_more() {
    let ctx = world().await;
    let mut repo = repository_world(&ctx).await;
    repo.spec.agency = "dinsos".into();
    seed_cluster(&ctx, &repo).await;
    assert_repository_quiet(&ctx, &repo.name_any(), RepositoryPhase::Unavailable).await;
}

#[tokio::test]
async fn a_repository_whose_secret_is_missing_settles_and_writes_nothing_more() {
    let ctx = world().await;
    let mut repo = repository_world(&ctx).await;
    repo.spec.s3.credentials.name = "no-such-secret".into();
    seed_cluster(&ctx, &repo).await;
    assert_repository_quiet(&ctx, &repo.name_any(), RepositoryPhase::Unavailable).await;
}

#[tokio::test]
async fn a_repository_whose_s3_is_unreachable_settles_and_writes_nothing_more() {
    // The endpoint is a closed port: every connection is refused at once. Without retries
    // (each waits its backoff in wall-clock time: ~235 s for this test) the rounds take
    // milliseconds; nextest runs each test in its own process, so no other test sees this.
    pusdata::mover::set_s3_retries(0);
    let ctx = world().await;
    let repo = repository_world(&ctx).await;
    seed_cluster(&ctx, &repo).await;
    assert_repository_quiet(&ctx, &repo.name_any(), RepositoryPhase::Unavailable).await;
}

#[tokio::test]
async fn an_unavailable_repository_is_retried_later_and_later() {
    let ctx = world().await;
    let mut repo = repository_world(&ctx).await;
    repo.spec.agency = "dinsos".into();
    seed_cluster(&ctx, &repo).await;
    let first = repo_named(&ctx, &repo.name_any()).await;
    let mut waits = vec![
        repository::reconcile(Arc::new(first), Arc::new(ctx.clone()))
            .await
            .unwrap(),
    ];
    // A day on, every round validates again (still no agency) and waits longer.
    let ctx = Arc::new(at(&ctx, "2026-11-26T00:00:00Z"));
    for _ in 1..8 {
        let r = repo_named(&ctx, &repo.name_any()).await;
        let action = repository::reconcile(Arc::new(r), ctx.clone())
            .await
            .unwrap();
        waits.push(action);
    }
    let s = std::time::Duration::from_secs;
    let want: Vec<_> = [60, 120, 240, 480, 960, 1920, 3600, 3600]
        .map(|n| kube::runtime::controller::Action::requeue(s(n)))
        .to_vec();
    assert_eq!(waits, want);
}

/// Agency `disdukcapil`, onboarded: namespace, quota, limits, network policies, bindings.
#[tokio::test]
async fn an_onboarded_agency_is_compared_not_reapplied_also_after_a_restart() {
    let base = world().await;
    seed_cluster(&base, &fixtures::residency_policy()).await;
    seed_cluster(&base, &fixtures::agency("disdukcapil")).await;
    let (ctx, log) = counted(&base);
    let get = |ctx: Context| async move {
        Api::<Agency>::all(ctx.client.clone())
            .get("disdukcapil")
            .await
            .unwrap()
    };
    agency::reconcile_once(&get(ctx.clone()).await, &ctx)
        .await
        .unwrap();
    assert!(
        log.writes().len() >= 5,
        "first round creates the children: {:?}",
        log.writes()
    );
    for t in LATER {
        log.clear();
        let ctx = at(&ctx, t);
        agency::reconcile_once(&get(ctx.clone()).await, &ctx)
            .await
            .unwrap();
        assert_eq!(log.writes(), Vec::<String>::new(), "round at {t}");
    }
    let (fresh, log) = counted(&restarted(&base));
    agency::reconcile_once(&get(fresh.clone()).await, &fresh)
        .await
        .unwrap();
    assert_eq!(log.writes(), Vec::<String>::new(), "after a restart");
}

/// A plan with two tiers: `siak` in `disdukcapil` (exists, one PVC) and `perizinan` in
/// `dpmptsp` (a namespace that does not exist) with a bucket.
async fn plan_world(ctx: &Context) {
    let mut p = fixtures::plan();
    p.spec.tiers[0].schedule = Some("*/15 * * * *".into());
    let mut t2 = fixtures::tier("tier-2-important", "1h", "8h");
    t2.schedule = Some("0 * * * *".into());
    t2.members[0].name = "perizinan".into();
    t2.members[0].agency = "dpmptsp".into();
    t2.members[0].namespace = "dpmptsp".into();
    t2.members[0].buckets = vec!["arsip".into()];
    p.spec.tiers.push(t2);
    seed_cluster(ctx, &p).await;
    seed_cluster(ctx, &namespace("disdukcapil")).await;
    for a in ["disdukcapil", "dpmptsp"] {
        seed_cluster(ctx, &fixtures::backup_repository(a, "drc-bandung")).await;
    }
    let mut pvc = PersistentVolumeClaim::default();
    pvc.metadata.name = Some("siak-data".into());
    pvc.metadata.namespace = Some("disdukcapil".into());
    seed_namespaced(ctx, &pvc).await;
}

async fn plan_of(ctx: &Context) -> DisasterRecoveryPlan {
    Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
        .get("bekasi")
        .await
        .unwrap()
}

#[tokio::test]
async fn a_missing_member_namespace_is_named_and_the_other_members_are_backed_up() {
    let base = world().await;
    plan_world(&base).await;
    let (ctx, log) = counted(&base);
    let out = schedule::reconcile_once(&plan_of(&ctx).await, &ctx)
        .await
        .unwrap();
    assert_eq!(
        out.created,
        vec!["tier-1-critical-svc-siak-data-20261125000000"],
        "the good member's backup runs"
    );
    assert_eq!(out.missing_members, vec!["perizinan"]);
    let st = plan_of(&ctx).await.status.unwrap();
    let c = st
        .conditions
        .iter()
        .find(|c| c.type_ == "Scheduled")
        .unwrap();
    assert_eq!(c.status, "False");
    assert_eq!(
        c.reason,
        pusdata_core::dr::pass::reason::MEMBER_NAMESPACE_MISSING
    );
    assert!(
        c.message.contains("perizinan") && c.message.contains("dpmptsp"),
        "{}",
        c.message
    );
    assert!(c.message.contains(" / "), "both languages: {}", c.message);

    // Settled: later rounds in the same slot, and a restart, write nothing.
    for t in ["2026-11-25T00:00:00Z", "2026-11-25T00:05:00Z"] {
        log.clear();
        let ctx = at(&ctx, t);
        schedule::reconcile_once(&plan_of(&ctx).await, &ctx)
            .await
            .unwrap();
        assert_eq!(log.writes(), Vec::<String>::new(), "round at {t}");
    }
    let (fresh, log) = counted(&restarted(&base));
    schedule::reconcile_once(&plan_of(&fresh).await, &at(&fresh, "2026-11-25T00:05:00Z"))
        .await
        .unwrap();
    assert_eq!(log.writes(), Vec::<String>::new(), "after a restart");
}

#[tokio::test]
async fn a_settled_policy_audit_writes_nothing() {
    let base = world().await;
    seed_cluster(&base, &fixtures::residency_policy()).await;
    seed_cluster(&base, &fixtures::primary_site()).await;
    seed_cluster(&base, &fixtures::agency("disdik")).await;
    seed_cluster(&base, &namespace("disdik")).await;
    seed_namespaced(
        &base,
        &fixtures::external_cloud("disdik", "aws", "ap-southeast-1"),
    )
    .await;
    let (ctx, log) = counted(&base);
    let first = audit::audit_once(&ctx).await.unwrap();
    assert!(!first.applied.is_empty(), "{first:?}");
    for t in LATER {
        log.clear();
        let out = audit::audit_once(&at(&ctx, t)).await.unwrap();
        assert_eq!(out.applied, Vec::<String>::new());
        assert_eq!(log.writes(), Vec::<String>::new(), "round at {t}");
    }
    let (fresh, log) = counted(&restarted(&base));
    audit::audit_once(&fresh).await.unwrap();
    assert_eq!(log.writes(), Vec::<String>::new(), "after a restart");
}

#[test]
fn a_status_only_change_does_not_wake_the_audit() {
    let mut a = fixtures::backup_repository("dinkes", "drc-bandung");
    a.metadata.generation = Some(3);
    let mut b = a.clone();
    b.status = Some(pusdata_crds::v1alpha1::BackupRepositoryStatus {
        phase: Some(RepositoryPhase::Available),
        ..Default::default()
    });
    b.metadata.resource_version = Some("42".into());
    assert_eq!(super::cache::trigger_key(&a), super::cache::trigger_key(&b));
    let mut c = a.clone();
    c.metadata.generation = Some(4);
    assert_ne!(super::cache::trigger_key(&a), super::cache::trigger_key(&c));
    let mut d = a.clone();
    d.labels_mut().insert("x".into(), "y".into());
    assert_ne!(super::cache::trigger_key(&a), super::cache::trigger_key(&d));
}

/// The kinds the shared caches hold, by their plural in a request path.
const CACHED: &[&str] = &[
    "agencies",
    "sites",
    "racks",
    "residencypolicies",
    "disasterrecoveryplans",
    "backuprepositories",
    "hostingrequests",
    "approvals",
    "namespaces",
    "backups",
    "persistentvolumeclaims",
];

/// Reads that list or get a cached kind (what the caches replace).
fn cached_reads(log: &Log) -> Vec<String> {
    log.reads()
        .into_iter()
        .filter(|r| {
            let path = r.trim_start_matches("GET ");
            let segs: Vec<&str> = path.split('/').collect();
            // A list ends with the plural; a get has the name after it.
            segs.iter().rev().take(2).any(|s| CACHED.contains(s))
        })
        .collect()
}

#[tokio::test]
async fn with_caches_settled_rounds_read_nothing_from_the_api_server() {
    let base = world().await;
    let mut repo = repository_world(&base).await;
    repo.spec.agency = "dinsos".into();
    seed_cluster(&base, &repo).await;
    seed_cluster(&base, &fixtures::residency_policy()).await;
    seed_cluster(&base, &fixtures::agency("disdukcapil")).await;
    plan_world(&base).await;
    // First rounds without caches create what the controllers own.
    let ag = Api::<Agency>::all(base.client.clone())
        .get("disdukcapil")
        .await
        .unwrap();
    agency::reconcile_once(&ag, &base).await.unwrap();
    repository_round(&base, &repo.name_any()).await;
    schedule::reconcile_once(&plan_of(&base).await, &base)
        .await
        .unwrap();
    // Then a restarted operator whose caches hold the world.
    let mut cached = restarted(&base);
    let caches = super::cache::from_api(&base).await;
    let ns = caches
        .namespaces
        .get(&kube::runtime::reflector::ObjectRef::new("disdukcapil"))
        .expect("the namespace is cached");
    assert!(
        ns.metadata
            .labels
            .as_ref()
            .is_some_and(|l| l.contains_key(pusdata_core::tenancy::AGENCY_LABEL)),
        "{ns:?}"
    );
    cached.caches = Some(caches);
    let (ctx, log) = counted(&cached);
    let ctx = at(&ctx, "2026-11-25T00:05:00Z");
    let ag = Api::<Agency>::all(base.client.clone())
        .get("disdukcapil")
        .await
        .unwrap();
    let plan = plan_of(&base).await;
    let repo = repo_named(&base, &repo.name_any()).await;
    log.clear();
    repository::reconcile_once(&repo, &ctx).await.unwrap();
    assert_eq!(log.reads(), Vec::<String>::new(), "repository round");
    agency::reconcile_once(&ag, &ctx).await.unwrap();
    schedule::reconcile_once(&plan, &ctx).await.unwrap();
    assert_eq!(cached_reads(&log), Vec::<String>::new());
    assert_eq!(log.writes(), Vec::<String>::new());
}

/// Two agencies with their labelled namespaces, the policy, the primary site and racks, and
/// `disdukcapil`'s web request approved by `approval` (valid until `valid_until`).
async fn hosting_world(ctx: &Context, valid_until: Option<&str>) {
    seed_cluster(ctx, &fixtures::residency_policy()).await;
    for code in ["disdukcapil", "disdik"] {
        seed_cluster(ctx, &fixtures::agency(code)).await;
        let mut ns = namespace(code);
        ns.metadata.labels = Some(
            [(
                pusdata_core::tenancy::AGENCY_LABEL.to_string(),
                code.to_string(),
            )]
            .into(),
        );
        seed_cluster(ctx, &ns).await;
    }
    seed_cluster(ctx, &fixtures::primary_site()).await;
    seed_cluster(ctx, &fixtures::rack("R01", "dc-bekasi")).await;
    seed_namespaced(
        ctx,
        &fixtures::web_request("disdukcapil", "www.disdukcapil.bekasikota.go.id"),
    )
    .await;
    let mut a = fixtures::approval("disdukcapil", "website");
    a.spec.valid_until = valid_until.map(fixtures::time);
    seed_namespaced(ctx, &a).await;
}

async fn hosting_round(ctx: &Context) -> pusdata_crds::v1alpha1::HostingPhase {
    let hr = Api::<HostingRequest>::namespaced(ctx.client.clone(), "disdukcapil")
        .get("website")
        .await
        .unwrap();
    super::hosting::reconcile_once(&hr, ctx)
        .await
        .unwrap()
        .phase
}

async fn assert_hosting_quiet(base: &Context) -> pusdata_crds::v1alpha1::HostingPhase {
    let (ctx, log) = counted(base);
    let phase = hosting_round(&ctx).await;
    for t in LATER {
        log.clear();
        assert_eq!(hosting_round(&at(&ctx, t)).await, phase, "at {t}");
        assert_eq!(log.writes(), Vec::<String>::new(), "round at {t}");
    }
    let (fresh, log) = counted(&restarted(base));
    assert_eq!(hosting_round(&fresh).await, phase);
    assert_eq!(log.writes(), Vec::<String>::new(), "after a restart");
    // The same from the cache, whose copy keeps no status texts (`request_cache`): the
    // status is compared by its digest, and there is still nothing to write.
    let cached = with_caches(base).await;
    let (ctx, log) = counted(&cached);
    for t in LATER {
        log.clear();
        assert_eq!(
            cached_hosting_round(&at(&ctx, t)).await,
            phase,
            "cached, at {t}"
        );
        assert_eq!(log.writes(), Vec::<String>::new(), "cached round at {t}");
    }
    phase
}

/// A restarted operator whose caches hold the stored world.
async fn with_caches(base: &Context) -> Context {
    let mut cached = restarted(base);
    cached.caches = Some(super::cache::from_api(base).await);
    cached
}

/// A round of the hosting controller on the request as its cache keeps it.
async fn cached_hosting_round(ctx: &Context) -> pusdata_crds::v1alpha1::HostingPhase {
    let caches = ctx.caches.as_ref().unwrap();
    let hr = caches
        .requests
        .get(&kube::runtime::reflector::ObjectRef::new("website").within("disdukcapil"))
        .expect("the request is cached");
    let status = hr.status.as_ref().unwrap();
    assert!(status.text_digest.is_some(), "{status:?}");
    assert!(
        status.conditions.iter().all(|c| c.message.is_empty()),
        "{status:?}"
    );
    super::hosting::reconcile_once(&hr, ctx)
        .await
        .unwrap()
        .phase
}

/// The cached copy has no texts to compare, but a status text changed by hand still
/// differs from the decision's, and is written back.
#[tokio::test]
async fn a_status_text_changed_by_hand_is_written_back_from_the_cached_copy() {
    let base = world().await;
    hosting_world(&base, None).await;
    hosting_round(&base).await;
    let api = Api::<HostingRequest>::namespaced(base.client.clone(), "disdukcapil");
    let mut status = api.get("website").await.unwrap().status.unwrap();
    let ready = status
        .conditions
        .iter_mut()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    let written = std::mem::replace(&mut ready.message, "edited by hand".into());
    assert!(!written.is_empty());
    api.patch_status(
        "website",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(serde_json::json!({ "status": status })),
    )
    .await
    .unwrap();

    let (ctx, log) = counted(&with_caches(&base).await);
    cached_hosting_round(&ctx).await;
    assert_eq!(log.writes().len(), 1, "{:?}", log.writes());
    let repaired = api.get("website").await.unwrap().status.unwrap();
    let ready = repaired
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(ready.message, written);

    // Then quiet again, from caches holding the repaired status.
    let (ctx, log) = counted(&with_caches(&base).await);
    cached_hosting_round(&ctx).await;
    assert_eq!(log.writes(), Vec::<String>::new());
}

#[tokio::test]
async fn a_placed_web_request_writes_nothing_more() {
    let base = world().await;
    hosting_world(&base, None).await;
    let phase = assert_hosting_quiet(&base).await;
    assert_eq!(phase, pusdata_crds::v1alpha1::HostingPhase::Placed);
}

#[tokio::test]
async fn a_request_whose_approval_expired_writes_nothing_more() {
    let base = world().await;
    hosting_world(&base, Some("2026-11-01T00:00:00Z")).await;
    let phase = assert_hosting_quiet(&base).await;
    assert_ne!(phase, pusdata_crds::v1alpha1::HostingPhase::Placed);
}

/// The real API server leaves an object alone when a write changes nothing: same
/// resourceVersion, no watch event. The in-memory API does the same (its patched tracker),
/// or a re-apply of an unchanged child would look like a change to every watcher.
#[tokio::test]
async fn a_write_that_changes_nothing_keeps_the_resource_version() {
    let ctx = world().await;
    let api: Api<Namespace> = Api::all(ctx.client.clone());
    let pp = kube::api::PatchParams::apply(super::FIELD_MANAGER).force();
    let body = serde_json::json!({"apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": "dinkes", "labels": {"pusdata.io/agency": "dinkes"}}});
    let first = api
        .patch("dinkes", &pp, &kube::api::Patch::Apply(&body))
        .await
        .unwrap();
    let again = api
        .patch("dinkes", &pp, &kube::api::Patch::Apply(&body))
        .await
        .unwrap();
    assert_eq!(again.resource_version(), first.resource_version());
    let mut changed = body.clone();
    changed["metadata"]["labels"]["x"] = "y".into();
    let third = api
        .patch("dinkes", &pp, &kube::api::Patch::Apply(&changed))
        .await
        .unwrap();
    assert_ne!(third.resource_version(), first.resource_version());
}

/// Item 3 of issue 14: an audit pass over the shared caches — the rules' objects, the
/// external cloud services and its own previous reports — sends no read and, settled, no
/// write. Before, each pass listed the ExternalCloudServices and the PolicyReports and read
/// the ClusterPolicyReport from the API server.
#[tokio::test]
async fn with_caches_an_audit_pass_reads_nothing_from_the_api_server() {
    let base = world().await;
    seed_cluster(&base, &fixtures::residency_policy()).await;
    seed_cluster(&base, &fixtures::primary_site()).await;
    seed_cluster(&base, &fixtures::agency("disdik")).await;
    seed_cluster(&base, &namespace("disdik")).await;
    seed_namespaced(
        &base,
        &fixtures::external_cloud("disdik", "aws", "ap-southeast-1"),
    )
    .await;
    let first = audit::audit_once(&base).await.unwrap();
    assert!(first.applied.contains(&"disdik".to_string()), "{first:?}");
    // A restarted operator whose caches hold the world and the reports written above.
    let mut cached = restarted(&base);
    cached.caches = Some(super::cache::from_api(&base).await);
    let (ctx, log) = counted(&cached);
    let out = audit::audit_once(&at(&ctx, "2026-11-25T00:10:00Z"))
        .await
        .unwrap();
    assert_eq!(out.applied, Vec::<String>::new());
    assert_eq!(log.reads(), Vec::<String>::new());
    assert_eq!(log.writes(), Vec::<String>::new());
}

/// Item 3 of issue 14 (the restart): an agency's children are compared from the shared
/// metadata cache by their `pusdata.io/applied` fingerprint, so a restarted operator reads
/// none of them and writes nothing for an unchanged agency (before: a GET per child, ~8 per
/// agency). A child someone else changed — the API server records their write in
/// managedFields, which the test writes as the server would — is compared in full and
/// repaired, and a deleted one is created again.
#[tokio::test]
async fn after_a_restart_an_agency_compares_its_children_from_the_cache_and_repairs_a_changed_one()
{
    use k8s_openapi::api::core::v1::LimitRange;
    use k8s_openapi::api::rbac::v1::RoleBinding;
    use kube::api::{DeleteParams, Patch, PatchParams};
    let base = world().await;
    seed_cluster(&base, &fixtures::residency_policy()).await;
    seed_cluster(&base, &fixtures::agency("disdukcapil")).await;
    let agency_now = || async {
        Api::<Agency>::all(base.client.clone())
            .get("disdukcapil")
            .await
            .unwrap()
    };
    agency::reconcile_once(&agency_now().await, &base)
        .await
        .unwrap();
    let bindings = Api::<RoleBinding>::namespaced(base.client.clone(), "disdukcapil");
    let binding =
        super::testing::as_harness(bindings.get(pusdata_core::tenancy::EDIT_BINDING_NAME))
            .await
            .unwrap();
    // A restart over the unchanged world.
    let restart = || async {
        let mut cached = restarted(&base);
        cached.caches = Some(super::cache::from_api(&base).await);
        counted(&cached)
    };
    let (ctx, log) = restart().await;
    agency::reconcile_once(&agency_now().await, &ctx)
        .await
        .unwrap();
    assert_eq!(
        log.reads(),
        Vec::<String>::new(),
        "children compared from the cache"
    );
    assert_eq!(log.writes(), Vec::<String>::new(), "nothing changed");
    assert!(
        binding.annotations().contains_key(super::apply::APPLIED),
        "{binding:?}"
    );
    // Someone binds themselves in the agency's namespace (kubectl edit) and deletes the
    // limit range.
    super::testing::as_harness(bindings.patch(
        pusdata_core::tenancy::EDIT_BINDING_NAME,
        &PatchParams::default(),
        &Patch::Merge(serde_json::json!({
            "metadata": {"managedFields": [
                {"manager": "pusdata", "operation": "Apply", "apiVersion": "rbac.authorization.k8s.io/v1",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:subjects": {}}},
                {"manager": "kubectl-edit", "operation": "Update", "apiVersion": "rbac.authorization.k8s.io/v1",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:subjects": {}}}]},
            "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}]
        })),
    ))
    .await
    .unwrap();
    let limits = Api::<LimitRange>::namespaced(base.client.clone(), "disdukcapil");
    let limit_names: Vec<String> = super::testing::as_harness(limits.list(&Default::default()))
        .await
        .unwrap()
        .items
        .iter()
        .map(|l| l.name_any())
        .collect();
    assert_eq!(limit_names.len(), 1, "{limit_names:?}");
    super::testing::as_harness(limits.delete(&limit_names[0], &DeleteParams::default()))
        .await
        .unwrap();
    let (ctx, log) = restart().await;
    agency::reconcile_once(&agency_now().await, &ctx)
        .await
        .unwrap();
    let edit = format!(
        "/apis/rbac.authorization.k8s.io/v1/namespaces/disdukcapil/rolebindings/{}",
        pusdata_core::tenancy::EDIT_BINDING_NAME
    );
    let limit = format!(
        "/api/v1/namespaces/disdukcapil/limitranges/{}",
        limit_names[0]
    );
    assert_eq!(
        log.reads(),
        vec![format!("GET {edit}")],
        "only the edited child is read"
    );
    assert_eq!(
        log.writes(),
        vec![format!("PATCH {limit}"), format!("PATCH {edit}")],
        "the deleted child is created and the edited one repaired"
    );
    let repaired =
        super::testing::as_harness(bindings.get(pusdata_core::tenancy::EDIT_BINDING_NAME))
            .await
            .unwrap();
    assert_eq!(repaired.subjects, binding.subjects);
    assert!(
        super::testing::as_harness(limits.get_opt(&limit_names[0]))
            .await
            .unwrap()
            .is_some()
    );
}
