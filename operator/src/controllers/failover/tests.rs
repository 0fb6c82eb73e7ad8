//! The controller against the in-memory API, with real `pusdata agent` processes as the two
//! sites over mTLS on loopback (directory-copy work: a snapshot is a directory).

use super::agents::BoxFuture;
use super::traffic::{TRAFFIC_PREFIX, TRAFFIC_SITE_ANNOTATION};
use super::work::{checks_result, placement, verify_request};
use super::*;
use crate::controllers::testing::{self, seed_cluster, seed_namespaced};
use k8s_openapi::api::core::v1::ServiceSpec;
use k8s_openapi::api::core::v1::{Secret, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::PostParams;
use kube_fake_client::ClientBuilder;
use pusdata::agent::client::{AgentClient, ClientConfig};
use pusdata::agent::process::{AgentProcess, AgentProcessConfig};
use pusdata::agent::proto::Verdict;
use pusdata::agent::tls::LocalPki;
use pusdata::agent::tls::TlsMaterial;
use pusdata::agent::wire;
use pusdata_core::dr::drc;
use pusdata_core::dr::steps::StepResult;
use pusdata_core::i18n::Text;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{BackupPhase, BackupTrigger, StepKind, StepState};
use pusdata_crds::v1alpha1::{
    BackupStatus, FailoverSpec, RunbookStep, Scope, StepStage, VerificationStatus,
};
use std::collections::BTreeSet;
use std::path::Path;

struct Sites {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    pki: LocalPki,
    primary: AgentProcess,
    drc: AgentProcess,
}

fn agent(root: &Path, pki: &LocalPki, site: &str) -> AgentProcess {
    let files = pki
        .server
        .write_files(&root.join(site).join("pki"))
        .unwrap();
    let mut cfg = AgentProcessConfig::new(pusdata_tests::pusdata_bin(), root.join(site), files);
    cfg.site = site.into();
    cfg.log = Some(root.join(format!("{site}.log")));
    AgentProcess::spawn(&cfg).unwrap()
}

/// Both sites as real processes; the DRC holds the snapshots `disdukcapil/snap-db` and
/// `disdukcapil/snap-app` (and the final-sync ones).
fn sites() -> Sites {
    pusdata::agent::tls::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    for snap in ["snap-db", "snap-app", "final-db", "final-app"] {
        let d = root.join("drc-bandung/repo/disdukcapil").join(snap);
        std::fs::create_dir_all(d.join("data")).unwrap();
        std::fs::write(d.join("data/table"), format!("rows of {snap}").repeat(500)).unwrap();
    }
    let pki = LocalPki::generate().unwrap();
    let primary = agent(&root, &pki, "dc-bekasi");
    let drc = agent(&root, &pki, "drc-bandung");
    Sites {
        _dir: dir,
        root,
        pki,
        primary,
        drc,
    }
}

/// A member whose PVCs are the ones labelled `app=<name>`.
fn member(name: &str, deps: &[&str]) -> Member {
    let mut m = fixtures::member(name, deps);
    m.pvc_selector = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector {
            match_labels: Some([("app".to_string(), name.to_string())].into()),
            ..Default::default()
        },
    );
    m
}

/// A plan with a database and the app using it, and an approval before a real failover.
fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    p.spec.tiers[0].members = vec![member("db", &[]), member("app", &["db"])];
    p.spec.runbook = vec![RunbookStep {
        id: "declare-disaster".into(),
        title: "Head of office declares the disaster".into(),
        kind: StepKind::Approval,
        owner_role: "kepala-dinas".into(),
        stage: StepStage::Before,
        applies_to: vec![FailoverType::Failover],
        timeout: Some("30m".into()),
    }];
    p
}

/// A completed, verified Backup of the PVC `<member>-data`.
fn backup(name: &str, member: &str, snap: &str) -> Backup {
    backup_of(name, member, &format!("{member}-data"), snap)
}

/// A completed, verified Backup of `pvc` of `member`, as the snapshot `snap`.
fn backup_of(name: &str, member: &str, pvc: &str, snap: &str) -> Backup {
    let mut b = fixtures::backup("disdukcapil", pvc);
    b.metadata.name = Some(name.into());
    b.spec.member = member.into();
    b.status = Some(BackupStatus {
        phase: Some(BackupPhase::Completed),
        snapshot_id: Some(snap.into()),
        finished_at: Some(fixtures::time("2026-11-24T23:50:00Z")),
        verification: Some(VerificationStatus::Verified),
        ..BackupStatus::default()
    });
    b
}

async fn context(s: &Sites) -> FailoverContext {
    context_with(s, kube_fake_client::interceptor::Funcs::new()).await
}

async fn context_with(s: &Sites, funcs: kube_fake_client::interceptor::Funcs) -> FailoverContext {
    let base = world(funcs, Some((s.primary.endpoint(), s.drc.endpoint()))).await;
    fresh(&base, s)
}

/// The in-memory API with the plan, both Sites (their agents at `agents`, when given), the
/// Backups, PVCs and a Service to switch.
async fn world(
    funcs: kube_fake_client::interceptor::Funcs,
    agents: Option<(String, String)>,
) -> Context {
    let base = testing::context(
        ClientBuilder::new()
            .with_interceptor_funcs(funcs)
            .with_resource::<Failover>()
            .with_status_subresource::<Failover>()
            .with_resource::<DisasterRecoveryPlan>()
            .with_resource::<Site>()
            .with_resource::<Backup>()
            .with_status_subresource::<Backup>()
            .with_resource::<BackupRepository>()
            .with_resource::<ConfigMap>()
            .with_resource::<k8s_openapi::api::core::v1::PersistentVolumeClaim>()
            .with_resource::<Service>()
            .with_resource::<Ingress>(),
    )
    .await;
    seed_cluster(&base, &plan()).await;
    let (primary_agent, drc_agent) = agents.unzip();
    let mut primary = fixtures::primary_site();
    primary.spec.endpoints.agent = primary_agent;
    seed_cluster(&base, &primary).await;
    let mut drc = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    drc.spec.endpoints.agent = drc_agent;
    seed_cluster(&base, &drc).await;
    seed_namespaced(&base, &backup("db-1", "db", "snap-db")).await;
    seed_namespaced(&base, &backup("app-1", "app", "snap-app")).await;
    for m in ["db", "app"] {
        let mut pvc = k8s_openapi::api::core::v1::PersistentVolumeClaim::default();
        pvc.metadata.name = Some(format!("{m}-data"));
        pvc.metadata.namespace = Some("disdukcapil".into());
        pvc.metadata.labels = Some([("app".to_string(), m.to_string())].into());
        seed_namespaced(&base, &pvc).await;
    }
    let mut svc = Service::default();
    svc.metadata.name = Some("web".into());
    svc.metadata.namespace = Some("disdukcapil".into());
    svc.metadata.annotations = Some(
        [(
            format!("{TRAFFIC_PREFIX}drc-bandung"),
            "externalName:web.drc-bandung.bekasikota.go.id".to_string(),
        )]
        .into(),
    );
    svc.spec = Some(ServiceSpec {
        selector: Some([("app".to_string(), "web".to_string())].into()),
        ..ServiceSpec::default()
    });
    seed_namespaced(&base, &svc).await;
    base
}

/// A new controller over the same API store (as after a restart).
fn fresh(base: &Context, s: &Sites) -> FailoverContext {
    let mut agents = GrpcAgents::with_tls(base.client.clone(), s.pki.client.clone());
    agents.server_name = Some("localhost".into());
    agents.call_timeout = Duration::from_secs(10);
    FailoverContext {
        base: Context {
            metrics: Default::default(),
            ..base.clone()
        },
        agents: Arc::new(agents),
        traffic: Arc::new(ServiceSwitch::new(base.client.clone())),
        decide: dr::failover::decide,
    }
}

async fn create(ctx: &FailoverContext, name: &str, kind: FailoverType) {
    let fo = Failover::new(
        name,
        FailoverSpec {
            plan: "bekasi".into(),
            kind,
            scope: Scope::default(),
            reason: "Exercise of the DRP in the controller tests".into(),
            accept_data_loss: false,
            requested_by: None,
        },
    );
    seed_cluster(&ctx.base, &fo).await;
}

async fn get(ctx: &FailoverContext, name: &str) -> Failover {
    crate::controllers::testing::as_harness(Api::<Failover>::all(ctx.base.client.clone()).get(name))
        .await
        .unwrap()
}

/// Reconciles until the execution finishes or stops moving; returns each reconcile's
/// outcome.
async fn drive(ctx: &FailoverContext, name: &str) -> Vec<Outcome> {
    let mut out = Vec::new();
    for _ in 0..60 {
        let o = reconcile_once(&get(ctx, name).await, ctx).await.unwrap();
        let stop = matches!(
            o.phase,
            FailoverPhase::Succeeded | FailoverPhase::Failed | FailoverPhase::WaitingForPerson
        ) || (o.executed.is_empty()
            && out.last().is_some_and(|p: &Outcome| p.executed.is_empty()));
        out.push(o);
        if stop {
            break;
        }
    }
    out
}

fn step<'a>(fo: &'a Failover, id: &str) -> &'a pusdata_crds::v1alpha1::StepStatus {
    fo.status
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

/// "work started" lines of a site's agent logs (`<site>.log`, and `<site>.log.<n>` of
/// earlier runs).
fn work_started(s: &Sites, site: &str) -> Vec<String> {
    let mut logs: Vec<_> = std::fs::read_dir(&s.root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&format!("{site}.log")))
        })
        .collect();
    logs.sort();
    logs.iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap_or_default()
                .lines()
                .filter(|l| l.contains("work started"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_drill_runs_to_completion_reconcile_by_reconcile() {
    let s = sites();
    let ctx = context(&s).await;
    create(&ctx, "drill-q4", FailoverType::Drill).await;
    let outcomes = drive(&ctx, "drill-q4").await;
    let fo = get(&ctx, "drill-q4").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded), "{st:#?}");
    // One step group per reconcile: restore db, verify db, restore app, verify app,
    // measure-rto, teardown.
    let executed: Vec<_> = outcomes.iter().flat_map(|o| o.executed.clone()).collect();
    assert_eq!(
        executed,
        [
            "restore/db/db-data",
            "verify/db",
            "restore/app/app-data",
            "verify/app",
            "measure-rto",
            "teardown"
        ]
    );
    assert!(outcomes.iter().all(|o| o.executed.len() <= 1));
    for s in &st.steps {
        assert_eq!(s.state, StepState::Succeeded, "{s:?}");
        assert_eq!(s.attempts, Some(1), "{s:?}");
        assert!(s.started_at.is_some() && s.finished_at.is_some());
    }
    let verified = step(&fo, "verify/app").message.clone().unwrap();
    assert!(verified.contains("matches"), "{verified}");
    // The restored tree's checksum is a field of the restore step (the Backups here record
    // none, so the verify step compared with it).
    let restored = step(&fo, "restore/app/app-data");
    let sum = restored
        .checksum
        .clone()
        .expect("checksum of the restored tree");
    assert_eq!(sum.len(), 64, "{sum}");
    assert!(verified.contains(&sum[..12]), "{verified}");
    // The agent here restores into directories: no workloads, said so, not a failure.
    assert!(
        verified.contains("; readiness skipped: no workloads in a local drill")
            && verified.contains("; smoke skipped: no workloads in a local drill"),
        "{verified}"
    );
    // A drill never fences: the DRC was not promoted, and nothing is left at the DRC.
    assert_eq!(st.epoch, None);
    assert!(!s.root.join("drc-bandung/restores/drill/drill-q4").exists());
    assert!(!s.root.join("dc-bekasi/restores").join("drill").exists());
    // The report is in its ConfigMap, linked from the status with its digest.
    let r = st.report.clone().unwrap();
    let cm = crate::controllers::testing::as_harness(
        Api::<ConfigMap>::namespaced(ctx.base.client.clone(), "pusdata-system")
            .get(r.config_map.as_deref().unwrap()),
    )
    .await
    .unwrap();
    let data = cm.data.unwrap();
    assert_eq!(
        report::sha256_hex(data["report.html"].as_bytes()),
        r.sha256.unwrap()
    );
    assert!(data["report.md"].contains("drill-q4"));
    let ready = st.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("True", "Succeeded")
    );
    assert!(ctx.base.metrics.encode().contains(
        "pusdata_failover_executions_total{plan=\"bekasi\",kind=\"Drill\",outcome=\"Succeeded\"} 1"
    ));
    // Every step started and succeeded as an Event, the run finished as one.
    let events = testing::events_about(&ctx.base, "default", "drill-q4").await;
    let count = |r: &str| events.iter().filter(|e| e.0 == r).count();
    assert_eq!(count("StepStarted"), 6, "{events:?}");
    assert_eq!(count("StepSucceeded"), 6, "{events:?}");
    assert_eq!(count("Finished"), 1, "{events:?}");
    assert_eq!(count("Succeeded"), 1, "{events:?}");
    assert!(events.iter().all(|e| e.1 == "Normal"), "{events:?}");
    // Finished: another reconcile does nothing, and says nothing.
    let again = reconcile_once(&fo, &ctx).await.unwrap();
    assert!(again.executed.is_empty());
    assert_eq!(
        testing::events_about(&ctx.base, "default", "drill-q4")
            .await
            .len(),
        events.len()
    );
}

/// Calls of the core's decision, by the test that counts them (nextest runs each test in
/// its own process).
static DECISIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn counted(o: &dr::failover::Observed<'_>) -> Result<dr::failover::Decision, Text> {
    DECISIONS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    dr::failover::decide(o)
}

/// One reconcile is one read → one decision → one apply: over a whole drill, every pass
/// calls the core once and writes the status once when it changed (never twice), a step is
/// never recorded as started and done by the same pass, and the drill takes two passes per
/// step plus one to finish. A loop of decisions inside a pass fails every one of these.
#[tokio::test]
async fn every_pass_decides_once_and_writes_the_status_at_most_once() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let s = sites();
    let writes = Arc::new(AtomicUsize::new(0));
    let w = writes.clone();
    let funcs = kube_fake_client::interceptor::Funcs::new().patch_status(move |c| {
        if c.name == "drill-once" {
            w.fetch_add(1, SeqCst);
        }
        Ok(None)
    });
    let mut ctx = context_with(&s, funcs).await;
    ctx.decide = counted;
    create(&ctx, "drill-once", FailoverType::Drill).await;
    let mut passes = 0;
    let mut done = Vec::new();
    loop {
        let fo = get(&ctx, "drill-once").await;
        if dr::failover::finished(fo.status.as_ref().and_then(|s| s.phase)) {
            break;
        }
        assert!(passes < 40, "{:#?}", fo.status);
        let (decided, written) = (DECISIONS.load(SeqCst), writes.load(SeqCst));
        let o = reconcile_once(&fo, &ctx).await.unwrap();
        passes += 1;
        assert_eq!(
            DECISIONS.load(SeqCst) - decided,
            1,
            "pass {passes}: one decision"
        );
        let changed = get(&ctx, "drill-once").await.status != fo.status;
        assert_eq!(
            writes.load(SeqCst) - written,
            usize::from(changed),
            "pass {passes}: one status write when the status changed"
        );
        assert!(
            o.executed.iter().all(|id| !o.started.contains(id)),
            "pass {passes} started and did {o:?}"
        );
        assert!(o.executed.len() + o.started.len() <= 1, "{o:?}");
        done.extend(o.executed);
    }
    let st = get(&ctx, "drill-once").await.status.unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded));
    assert_eq!(done.len(), st.steps.len());
    assert_eq!(passes, 2 * st.steps.len() + 1);
}

/// Signs off a step the way `pusdata drill approve` does.
async fn approve(ctx: &FailoverContext, name: &str, step: &str, user: &str) {
    let who = RecordedIdentity {
        username: user.into(),
        uid: None,
        groups: vec!["pusdata:platform".into()],
        at: fixtures::time("2026-11-25T00:00:00Z"),
    };
    let patch = serde_json::json!({"metadata": {"annotations": {
        format!("{APPROVAL_PREFIX}{step}"): serde_json::to_string(&who).unwrap()
    }}});
    crate::controllers::testing::as_harness(Api::<Failover>::all(ctx.base.client.clone()).patch(
        name,
        &PatchParams::default(),
        &Patch::Merge(&patch),
    ))
    .await
    .unwrap();
}

/// A SiteAgents that hangs forever on its `n`-th call and says so: the controller dies there.
struct HangAt {
    inner: GrpcAgents,
    calls: std::sync::atomic::AtomicUsize,
    n: usize,
    reached: tokio::sync::Notify,
}

impl SiteAgents for HangAt {
    fn agent<'a>(&'a self, site: &'a Site) -> BoxFuture<'a, Result<AgentClient, Text>> {
        let k = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if k == self.n {
            self.reached.notify_one();
            return Box::pin(futures::future::pending());
        }
        self.inner.agent(site)
    }
}

#[tokio::test]
async fn a_failover_waits_for_approval_fences_resumes_after_a_crash_and_switches_traffic() {
    let s = sites();
    let ctx = context(&s).await;
    create(&ctx, "fo-banjir", FailoverType::Failover).await;

    // The approval step waits for a person; reconciling again starts nothing.
    let o = drive(&ctx, "fo-banjir").await;
    assert_eq!(o.last().unwrap().phase, FailoverPhase::WaitingForPerson);
    let fo = get(&ctx, "fo-banjir").await;
    assert_eq!(step(&fo, "declare-disaster").state, StepState::Waiting);
    assert_eq!(step(&fo, "fence").state, StepState::Pending);
    let waiting = fo
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "WaitingForPerson")
        .unwrap();
    assert_eq!(waiting.status, "True");
    assert!(
        waiting.message.contains("kepala-dinas"),
        "{}",
        waiting.message
    );
    assert!(reconcile_once(&fo, &ctx).await.unwrap().executed.is_empty());
    let events = testing::events_about(&ctx.base, "default", "fo-banjir").await;
    let reasons: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert!(reasons.contains(&"StepWaitingForPerson"), "{reasons:?}");
    assert!(reasons.contains(&"AwaitingSignOff"), "{reasons:?}");
    assert!(reconcile_once(&fo, &ctx).await.unwrap().executed.is_empty());
    assert_eq!(
        testing::events_about(&ctx.base, "default", "fo-banjir")
            .await
            .len(),
        events.len(),
        "waiting again says nothing new"
    );

    // Signed off: fence (epoch 1), then the final sync creates Backups at the primary and
    // waits for them.
    approve(
        &ctx,
        "fo-banjir",
        "declare-disaster",
        "kadis@bekasikota.go.id",
    )
    .await;
    drive(&ctx, "fo-banjir").await;
    let fo = get(&ctx, "fo-banjir").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(
        step(&fo, "declare-disaster")
            .approved_by
            .as_ref()
            .unwrap()
            .username,
        "kadis@bekasikota.go.id"
    );
    assert_eq!(step(&fo, "fence").state, StepState::Succeeded);
    assert_eq!(st.epoch, Some(1));
    assert_eq!(step(&fo, "final-sync").state, StepState::Running);
    let backups = Api::<Backup>::namespaced(ctx.base.client.clone(), "disdukcapil");
    for (m, snap) in [("db", "final-db"), ("app", "final-app")] {
        let name = format!("fo-banjir-final-{m}-{m}-data");
        let b = backups.get(&name).await.unwrap();
        assert_eq!(b.spec.trigger, BackupTrigger::FinalSync);
        // The mover (issue #5) would run it; here the test completes it.
        let status = BackupStatus {
            phase: Some(BackupPhase::Completed),
            snapshot_id: Some(snap.into()),
            finished_at: Some(fixtures::time("2026-11-24T23:59:00Z")),
            ..BackupStatus::default()
        };
        backups
            .patch_status(
                &name,
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({"status": status})),
            )
            .await
            .unwrap();
    }

    // Final sync recorded; the next pass records restore/db as started, doing nothing yet;
    // the pass after does it — and the controller dies while doing it (its 3rd agent call
    // of that pass: after the two heartbeats, the restore).
    let o = reconcile_once(&get(&ctx, "fo-banjir").await, &ctx)
        .await
        .unwrap();
    assert_eq!(o.executed, ["final-sync"]);
    let work_before = work_started(&s, "drc-bandung").len();
    let o = reconcile_once(&get(&ctx, "fo-banjir").await, &ctx)
        .await
        .unwrap();
    assert_eq!(
        (o.started, o.executed),
        (vec!["restore/db/db-data".to_string()], vec![])
    );
    assert_eq!(
        work_started(&s, "drc-bandung").len(),
        work_before,
        "recorded, not done"
    );
    let hang = Arc::new(HangAt {
        inner: {
            let mut a = GrpcAgents::with_tls(ctx.base.client.clone(), s.pki.client.clone());
            a.server_name = Some("localhost".into());
            a
        },
        calls: Default::default(),
        n: 3,
        reached: Default::default(),
    });
    let dying = FailoverContext {
        agents: hang.clone(),
        ..ctx.clone()
    };
    let fo = get(&ctx, "fo-banjir").await;
    tokio::select! {
        r = reconcile_once(&fo, &dying) => panic!("the dying controller should hang in the restore: {r:?}"),
        () = hang.reached.notified() => {}
    }
    let fo = get(&ctx, "fo-banjir").await;
    assert_eq!(
        step(&fo, "restore/db/db-data").state,
        StepState::Running,
        "recorded before it ran"
    );
    let finished_before: Vec<_> = fo
        .status
        .as_ref()
        .unwrap()
        .steps
        .iter()
        .filter(|s| s.state == StepState::Succeeded)
        .map(|s| (s.id.clone(), s.finished_at.clone()))
        .collect();

    // A new controller (fresh context, same API store) takes over and finishes.
    let restarted = fresh(&ctx.base, &s);
    let o = drive(&restarted, "fo-banjir").await;
    let fo = get(&restarted, "fo-banjir").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded), "{st:#?}");
    assert_eq!(
        o[0].executed,
        ["restore/db/db-data"],
        "the running step is looked at first"
    );
    let executed: Vec<_> = o.iter().flat_map(|o| o.executed.clone()).collect();
    for (id, at) in &finished_before {
        assert!(!executed.contains(id), "{id} was done again");
        assert_eq!(&step(&fo, id).finished_at, at, "{id} changed");
    }
    for s in &st.steps {
        assert!(matches!(s.state, StepState::Succeeded), "{s:?}");
        assert_eq!(s.attempts, Some(1), "{s:?}");
    }
    assert!(
        step(&fo, "restore/db/db-data")
            .message
            .as_deref()
            .unwrap()
            .contains("final-db")
    );
    // Each piece of work was done once at the DRC: 2 restores, 2 verifications.
    assert_eq!(
        work_started(&s, "drc-bandung").len(),
        4,
        "{:?}",
        work_started(&s, "drc-bandung")
    );
    assert!(
        s.root
            .join("drc-bandung/restores/disdukcapil/app/app-data/data/table")
            .is_file()
    );

    // Traffic: the Service now points at the DRC.
    let svc = crate::controllers::testing::as_harness(
        Api::<Service>::namespaced(ctx.base.client.clone(), "disdukcapil").get("web"),
    )
    .await
    .unwrap();
    let spec = svc.spec.unwrap();
    assert_eq!(spec.type_.as_deref(), Some("ExternalName"));
    assert_eq!(
        spec.external_name.as_deref(),
        Some("web.drc-bandung.bekasikota.go.id")
    );
    assert_eq!(
        svc.metadata.annotations.unwrap()[TRAFFIC_SITE_ANNOTATION],
        "drc-bandung"
    );

    // Fencing: the DRC is active at epoch 1; the old primary stood down and refuses work
    // stamped with the older epoch.
    let client = |p: &AgentProcess| {
        AgentClient::new(ClientConfig::new(
            p.endpoint(),
            &s.pki.client,
            Some("localhost"),
        ))
        .unwrap()
    };
    let hb = client(&s.drc).heartbeat("test", 0).await.unwrap();
    assert_eq!((hb.epoch, hb.active), (1, true));
    let hb = client(&s.primary).heartbeat("test", 0).await.unwrap();
    assert_eq!((hb.epoch, hb.active), (1, false));
    let late = client(&s.primary)
        .restore("late-writer", 0, "x/y", "z")
        .await
        .unwrap();
    assert_eq!(
        Verdict::try_from(late.fence.unwrap().verdict),
        Ok(Verdict::StaleEpoch)
    );
    assert!(late.report.is_none());
    assert!(restarted.base.metrics.encode().contains(
        "pusdata_failover_executions_total{plan=\"bekasi\",kind=\"Failover\",outcome=\"Succeeded\"} 1"
    ));
}

async fn point_site_at(ctx: &FailoverContext, site: &str, endpoint: String) {
    crate::controllers::testing::as_harness(Api::<Site>::all(ctx.base.client.clone()).patch(
        site,
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({"spec": {"endpoints": {"agent": endpoint}}})),
    ))
    .await
    .unwrap();
}

/// (epoch, active) of both sites, asserting they are never both active at one epoch.
async fn views(s: &Sites, primary: &AgentProcess) -> ((u64, bool), (u64, bool)) {
    let c = |p: &AgentProcess| {
        AgentClient::new(ClientConfig::new(
            p.endpoint(),
            &s.pki.client,
            Some("localhost"),
        ))
        .unwrap()
    };
    let a = c(primary).heartbeat("observer", 0).await.unwrap();
    let b = c(&s.drc).heartbeat("observer", 0).await.unwrap();
    assert!(
        !(a.active && b.active && a.epoch == b.epoch),
        "two active sites at epoch {}",
        a.epoch
    );
    ((a.epoch, a.active), (b.epoch, b.active))
}

#[tokio::test]
async fn a_partition_never_makes_two_active_sites_and_never_fails_over_by_itself() {
    let mut s = sites();
    let ctx = context(&s).await;
    let client = |p: &AgentProcess| {
        AgentClient::new(ClientConfig::new(
            p.endpoint(),
            &s.pki.client,
            Some("localhost"),
        ))
        .unwrap()
    };
    // The primary is the active site at epoch 1, and its heartbeats told the DRC so.
    client(&s.primary)
        .promote("primary-up", 1, "install")
        .await
        .unwrap();
    client(&s.drc).heartbeat("dc-bekasi", 1).await.unwrap();
    let primary_dir = s.root.clone();

    // The link to the primary is cut (its port closed). A drill still runs — and nothing
    // is promoted: losing the peer is not a failover.
    let gone = std::mem::replace(&mut s.primary, agent(&primary_dir, &s.pki, "spare"));
    gone.kill().unwrap();
    create(&ctx, "drill-cut", FailoverType::Drill).await;
    drive(&ctx, "drill-cut").await;
    let fo = get(&ctx, "drill-cut").await;
    assert_eq!(fo.status.unwrap().phase, Some(FailoverPhase::Succeeded));
    let drc = client(&s.drc).heartbeat("observer", 0).await.unwrap();
    assert_eq!(
        (drc.epoch, drc.active),
        (1, false),
        "the DRC was not promoted"
    );

    // A failover ordered by people, primary still unreachable, no acceptDataLoss: the DRC
    // is promoted at a newer epoch (2), and the final sync waits for the primary — nothing
    // is restored over data the primary may still hold.
    create(&ctx, "fo-cut", FailoverType::Failover).await;
    drive(&ctx, "fo-cut").await;
    approve(&ctx, "fo-cut", "declare-disaster", "kadis").await;
    drive(&ctx, "fo-cut").await;
    let fo = get(&ctx, "fo-cut").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.epoch, Some(2));
    assert!(
        step(&fo, "fence")
            .message
            .as_deref()
            .unwrap()
            .contains("unreachable"),
        "{:?}",
        step(&fo, "fence").message
    );
    assert_eq!(step(&fo, "final-sync").state, StepState::Pending);
    assert_eq!(step(&fo, "restore/db/db-data").state, StepState::Pending);
    assert_eq!(st.phase, Some(FailoverPhase::Running));
    let w = st
        .conditions
        .iter()
        .find(|c| c.type_ == "WaitingForPerson")
        .unwrap();
    assert_eq!(
        (w.status.as_str(), w.reason.as_str()),
        ("False", "AwaitingPeer")
    );
    assert!(w.message.contains("acceptDataLoss"), "{}", w.message);

    // The old primary comes back, still believing it is active — at the old epoch 1. The
    // DRC refuses its stale work, and the controller's next heartbeat makes it stand down.
    let back = agent(&primary_dir, &s.pki, "dc-bekasi");
    let hb = client(&back).heartbeat("observer", 0).await.unwrap();
    assert_eq!((hb.epoch, hb.active), (1, true));
    let stale = client(&s.drc)
        .restore("old-primary", 1, "x/y", "z")
        .await
        .unwrap();
    assert_eq!(
        Verdict::try_from(stale.fence.unwrap().verdict),
        Ok(Verdict::StaleEpoch)
    );
    point_site_at(&ctx, "dc-bekasi", back.endpoint()).await;
    let o = reconcile_once(&get(&ctx, "fo-cut").await, &ctx)
        .await
        .unwrap();
    assert_eq!(
        o.started,
        ["final-sync"],
        "reachable again: the final sync starts"
    );
    assert_eq!(views(&s, &back).await, ((2, false), (2, true)));
}

/// Dies once before every status write of Failover `name`: the write does not land and the
/// reconcile stops there, as with kill -9 between doing a step and recording it (or between
/// deciding a step and recording that it started).
fn die_once_before_every_write(
    name: &'static str,
) -> (
    kube_fake_client::interceptor::Funcs,
    Arc<std::sync::Mutex<(usize, usize)>>,
) {
    // (writes landed, deaths)
    let state = Arc::new(std::sync::Mutex::new((0usize, 0usize)));
    let died_at = Arc::new(std::sync::Mutex::new(BTreeSet::<usize>::new()));
    let st = state.clone();
    let funcs = kube_fake_client::interceptor::Funcs::new().patch_status(move |c| {
        if c.name != name {
            return Ok(None);
        }
        let mut st = st.lock().unwrap();
        if died_at.lock().unwrap().insert(st.0) {
            st.1 += 1;
            return Err(kube_fake_client::Error::InvalidRequest(
                "controller killed (test)".into(),
            ));
        }
        st.0 += 1;
        Ok(None)
    });
    (funcs, state)
}

#[tokio::test]
async fn a_failover_killed_before_every_status_write_completes_exactly_once() {
    let mut s = sites();
    let (funcs, deaths) = die_once_before_every_write("fo-every");
    let ctx = context_with(&s, funcs).await;
    create(&ctx, "fo-every", FailoverType::Failover).await;
    let mut crashes = 0;
    let mut drc_killed = false;
    for _ in 0..300 {
        let fo = get(&ctx, "fo-every").await;
        let st = fo.status.clone().unwrap_or_default();
        if st.phase == Some(FailoverPhase::Succeeded) {
            break;
        }
        if st
            .steps
            .iter()
            .any(|x| x.id == "declare-disaster" && x.state == StepState::Waiting)
            && !fo
                .annotations()
                .contains_key(&format!("{APPROVAL_PREFIX}declare-disaster"))
        {
            approve(&ctx, "fo-every", "declare-disaster", "kadis").await;
        }
        // The mover completes the final-sync Backups once they exist.
        let backups = Api::<Backup>::namespaced(ctx.base.client.clone(), "disdukcapil");
        for (m, snap) in [("db", "final-db"), ("app", "final-app")] {
            let name = format!("fo-every-final-{m}-{m}-data");
            if let Some(b) = backups.get_opt(&name).await.unwrap()
                && b.status.is_none()
            {
                let status = BackupStatus {
                    phase: Some(BackupPhase::Completed),
                    snapshot_id: Some(snap.into()),
                    finished_at: Some(fixtures::time("2026-11-24T23:59:00Z")),
                    ..BackupStatus::default()
                };
                backups
                    .patch_status(
                        &name,
                        &PatchParams::default(),
                        &Patch::Merge(&serde_json::json!({"status": status})),
                    )
                    .await
                    .unwrap();
            }
        }
        // The DRC agent is killed -9 too, once, after the first restore, and restarted on
        // its state directory.
        if !drc_killed
            && st
                .steps
                .iter()
                .any(|x| x.id == "restore/db/db-data" && x.state == StepState::Succeeded)
        {
            let root = s.root.clone();
            let old = std::mem::replace(&mut s.drc, agent(&root, &s.pki, "spare"));
            old.kill().unwrap();
            std::fs::rename(root.join("drc-bandung.log"), root.join("drc-bandung.log.1")).unwrap();
            s.drc = agent(&root, &s.pki, "drc-bandung");
            point_site_at(&ctx, "drc-bandung", s.drc.endpoint()).await;
            drc_killed = true;
        }
        // Every reconcile by a new controller (fresh context, same API store), on the object
        // as it is now (a sign-off above changed it: the read before would get a conflict).
        if reconcile_once(&get(&ctx, "fo-every").await, &fresh(&ctx.base, &s))
            .await
            .is_err()
        {
            crashes += 1;
        }
    }
    let fo = get(&ctx, "fo-every").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded), "{st:#?}");
    assert!(drc_killed);
    let (landed, died) = *deaths.lock().unwrap();
    assert_eq!(crashes, died);
    assert_eq!(died, landed, "one death before every write that landed");
    assert!(
        crashes > st.steps.len(),
        "{crashes} crashes for {} steps",
        st.steps.len()
    );
    // Each step once in the record, done once.
    let ids: BTreeSet<_> = st.steps.iter().map(|x| x.id.clone()).collect();
    assert_eq!(ids.len(), st.steps.len());
    for x in &st.steps {
        assert_eq!(x.state, StepState::Succeeded, "{x:?}");
        assert_eq!(x.attempts, Some(1), "{x:?}");
    }
    // The work at the DRC was done once: 2 restores and 2 verifications, the rest answered
    // from the agent's record.
    assert_eq!(
        work_started(&s, "drc-bandung").len(),
        4,
        "{:?}",
        work_started(&s, "drc-bandung")
    );
    // The epoch went up exactly once: 0 → 1.
    assert_eq!(st.epoch, Some(1));
    assert_eq!(views(&s, &s.primary).await, ((1, false), (1, true)));
}

/// A network namespace with a veth pair to the host: `host_ip` here, `ns_ip` inside.
/// Removed (with its link) on drop.
struct Netns {
    name: String,
    host_if: String,
    ns_if: String,
    ns_ip: String,
}

fn ip(args: &[&str]) {
    let out = std::process::Command::new("ip")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ip {args:?}: {} (partition tests need root and iproute2)",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Netns {
    fn new() -> Netns {
        let id = std::process::id();
        let (a, b) = ((id / 64) % 256, (id % 64) * 4);
        let n = Netns {
            name: format!("pd-part-{id}"),
            host_if: format!("pdh{}", id % 100_000),
            ns_if: format!("pdn{}", id % 100_000),
            ns_ip: format!("10.213.{a}.{}", b + 2),
        };
        let ns_if = n.ns_if.clone();
        ip(&["netns", "add", &n.name]);
        ip(&[
            "link", "add", &n.host_if, "type", "veth", "peer", "name", &ns_if,
        ]);
        ip(&["link", "set", &ns_if, "netns", &n.name]);
        ip(&[
            "addr",
            "add",
            &format!("10.213.{a}.{}/30", b + 1),
            "dev",
            &n.host_if,
        ]);
        ip(&["link", "set", &n.host_if, "up"]);
        let inside = |args: &[&str]| {
            let mut all = vec!["netns", "exec", &n.name, "ip"];
            all.extend_from_slice(args);
            ip(&all);
        };
        inside(&["addr", "add", &format!("{}/30", n.ns_ip), "dev", &ns_if]);
        inside(&["link", "set", &ns_if, "up"]);
        inside(&["link", "set", "lo", "up"]);
        n
    }

    /// Cuts (`false`) or restores (`true`) the link on the far side: the host keeps its
    /// route, so packets go out and nothing answers (no refusal, no "unreachable" at once).
    fn link(&self, up: bool) {
        ip(&[
            "netns",
            "exec",
            &self.name,
            "ip",
            "link",
            "set",
            &self.ns_if,
            if up { "up" } else { "down" },
        ]);
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = std::process::Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
        let _ = std::process::Command::new("ip")
            .args(["link", "del", &self.host_if])
            .status();
    }
}

#[tokio::test]
async fn a_link_cut_in_a_network_namespace_never_makes_two_active_sites() {
    let net = Netns::new();
    let mut s = sites();
    // The primary's agent runs inside the namespace, reachable over the veth pair only.
    let files = s
        .pki
        .server
        .write_files(&s.root.join("dc-bekasi/pki"))
        .unwrap();
    let mut cfg = AgentProcessConfig::new(
        pusdata_tests::pusdata_bin(),
        s.root.join("dc-bekasi"),
        files,
    );
    cfg.site = "dc-bekasi".into();
    cfg.listen = format!("{}:0", net.ns_ip);
    cfg.wrapper = vec!["ip".into(), "netns".into(), "exec".into(), net.name.clone()];
    cfg.log = Some(s.root.join("dc-bekasi.netns.log"));
    let old = std::mem::replace(&mut s.primary, AgentProcess::spawn(&cfg).unwrap());
    drop(old);
    let ctx = context(&s).await;
    let mut agents = GrpcAgents::with_tls(ctx.base.client.clone(), s.pki.client.clone());
    agents.server_name = Some("localhost".into());
    agents.call_timeout = Duration::from_secs(2);
    agents.attempts = 1;
    let ctx = FailoverContext {
        agents: Arc::new(agents),
        ..ctx
    };
    let client = |p: &AgentProcess| {
        AgentClient::new(ClientConfig::new(
            p.endpoint(),
            &s.pki.client,
            Some("localhost"),
        ))
        .unwrap()
    };
    client(&s.primary)
        .promote("primary-up", 1, "install")
        .await
        .unwrap();
    client(&s.drc).heartbeat("dc-bekasi", 1).await.unwrap();

    // The link is cut: packets vanish. People order a failover.
    net.link(false);
    create(&ctx, "fo-netns", FailoverType::Failover).await;
    drive(&ctx, "fo-netns").await;
    approve(&ctx, "fo-netns", "declare-disaster", "kadis").await;
    drive(&ctx, "fo-netns").await;
    let fo = get(&ctx, "fo-netns").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.epoch, Some(2), "{st:#?}");
    // Nothing answers on the cut link: the demotion could not be delivered.
    let fence = step(&fo, "fence").message.clone().unwrap();
    assert!(fence.contains("dc-bekasi unreachable"), "{fence}");
    assert_eq!(step(&fo, "final-sync").state, StepState::Pending);
    assert_eq!(step(&fo, "restore/db/db-data").state, StepState::Pending);
    let drc = client(&s.drc).heartbeat("observer", 0).await.unwrap();
    assert_eq!((drc.epoch, drc.active), (2, true));

    // The link comes back: the primary, still active at the old epoch 1, hears epoch 2 at
    // the controller's next heartbeat and stands down; the final sync starts.
    net.link(true);
    let mut started = false;
    for _ in 0..20 {
        // The controller's requeue, while the link (carrier, neighbour entries) comes back.
        let o = reconcile_once(&get(&ctx, "fo-netns").await, &ctx)
            .await
            .unwrap();
        if o.started == ["final-sync"] {
            started = true;
            break;
        }
        assert!(o.executed.is_empty() && o.started.is_empty(), "{o:?}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        started,
        "the final sync starts once the primary answers again"
    );
    assert_eq!(views(&s, &s.primary).await, ((2, false), (2, true)));
}

#[test]
fn verify_asks_for_the_members_checks_and_fails_when_one_fails() {
    let fo = Failover::new(
        "drill-q4",
        FailoverSpec {
            plan: "bekasi".into(),
            kind: FailoverType::Drill,
            scope: Scope::default(),
            reason: "checks".into(),
            accept_data_loss: false,
            requested_by: None,
        },
    );
    let mut m = member("app", &["db"]);
    let plain = verify_request(&fo, &m, None, "rid".into(), 1, "sum", true);
    assert_eq!((plain.readiness, plain.smoke), (None, None));
    let p = plain.placement.unwrap();
    assert_eq!(
        (p.kind.as_str(), p.failover.as_str(), p.member.as_str()),
        ("Drill", "drill-q4", "app")
    );
    m.readiness = Some(pusdata_crds::v1alpha1::MemberReadiness::default());
    m.smoke_command = vec!["/bin/check".into()];
    m.smoke_image = Some("check:1".into());
    // Only the service's last volume carries the checks.
    let early = verify_request(&fo, &m, Some("db-wal"), "rid".into(), 1, "sum", false);
    assert_eq!((early.readiness, early.smoke), (None, None));
    assert!(early.target.contains("db-wal"), "{}", early.target);
    let full = verify_request(&fo, &m, None, "rid".into(), 1, "sum", true);
    let r = full.readiness.unwrap();
    assert_eq!(
        r.selector["app"], "app",
        "the pvcSelector labels by default"
    );
    assert_eq!(r.timeout_seconds, 300);
    let smoke = full.smoke.unwrap();
    assert_eq!(
        (smoke.command, smoke.image),
        (vec!["/bin/check".to_string()], "check:1".to_string())
    );

    let check = |state: drc::CheckState| {
        Some(wire::check_msg(&drc::CheckOutcome::new(
            state,
            Text::new("seen", "terlihat"),
        )))
    };
    let rep = |r, s| pusdata::agent::proto::WorkReport {
        readiness: r,
        smoke: s,
        ..Default::default()
    };
    let table = [
        (rep(None, None), false),
        (
            rep(
                check(drc::CheckState::Passed),
                check(drc::CheckState::Skipped),
            ),
            false,
        ),
        (
            rep(
                check(drc::CheckState::Passed),
                check(drc::CheckState::Failed),
            ),
            true,
        ),
        (rep(check(drc::CheckState::Failed), None), true),
    ];
    for (report, fails) in table {
        match checks_result(&report, Text::new("3 files", "3 berkas")) {
            StepResult::Failed(m) => assert!(
                fails && m.en.starts_with("3 files; ") && m.id.starts_with("3 berkas; "),
                "{m}"
            ),
            StepResult::Succeeded(m) => assert!(!fails && m.en.starts_with("3 files"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}

/// Gives `member` one more PVC (labelled as its selector picks), a completed verified Backup
/// of it as the snapshot `snap`, and that snapshot at the DRC.
async fn add_pvc(ctx: &FailoverContext, s: &Sites, member: &str, pvc: &str, snap: &str) {
    let d = s.root.join("drc-bandung/repo/disdukcapil").join(snap);
    std::fs::create_dir_all(d.join("data")).unwrap();
    std::fs::write(d.join("data/table"), format!("rows of {snap}").repeat(300)).unwrap();
    let mut p = k8s_openapi::api::core::v1::PersistentVolumeClaim::default();
    p.metadata.name = Some(pvc.into());
    p.metadata.namespace = Some("disdukcapil".into());
    p.metadata.labels = Some([("app".to_string(), member.to_string())].into());
    seed_namespaced(&ctx.base, &p).await;
    seed_namespaced(
        &ctx.base,
        &backup_of(&format!("{pvc}-1"), member, pvc, snap),
    )
    .await;
}

/// The restored file of one PVC target at the DRC.
fn restored(s: &Sites, target: &str) -> String {
    std::fs::read_to_string(
        s.root
            .join("drc-bandung/restores")
            .join(target)
            .join("data/table"),
    )
    .unwrap_or_default()
}

#[tokio::test]
async fn a_service_with_several_pvcs_restores_each_and_resumes_without_redoing_one() {
    let s = sites();
    let ctx = context(&s).await;
    add_pvc(&ctx, &s, "db", "db-wal", "snap-wal").await;
    // An older, unverified Backup of db-wal must not be the one brought back.
    let mut old = backup_of("db-wal-0", "db", "db-wal", "snap-db");
    if let Some(st) = old.status.as_mut() {
        st.verification = None;
        st.finished_at = Some(fixtures::time("2026-11-25T00:30:00Z"));
    }
    seed_namespaced(&ctx.base, &old).await;
    create(&ctx, "drill-pvcs", FailoverType::Drill).await;

    // The first pass records both PVCs' restores as started; the controller dies in the
    // next one, while sending the second PVC's restore (agent calls: two heartbeats, then
    // one per PVC restore, sent together).
    let first = reconcile_once(&get(&ctx, "drill-pvcs").await, &fresh(&ctx.base, &s))
        .await
        .unwrap();
    assert_eq!(first.started, ["restore/db/db-data", "restore/db/db-wal"]);
    assert!(first.executed.is_empty());
    let hang = Arc::new(HangAt {
        inner: {
            let mut a = GrpcAgents::with_tls(ctx.base.client.clone(), s.pki.client.clone());
            a.server_name = Some("localhost".into());
            a
        },
        calls: Default::default(),
        n: 4,
        reached: Default::default(),
    });
    let dying = FailoverContext {
        agents: hang.clone(),
        ..fresh(&ctx.base, &s)
    };
    let fo = get(&ctx, "drill-pvcs").await;
    tokio::select! {
        r = reconcile_once(&fo, &dying) => panic!("the dying controller should hang: {r:?}"),
        () = hang.reached.notified() => {}
    }
    // Let the first PVC's restore finish at the agent, unrecorded.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fo = get(&ctx, "drill-pvcs").await;
    for id in ["restore/db/db-data", "restore/db/db-wal"] {
        let st = step(&fo, id);
        assert_eq!(st.state, StepState::Running, "{id} recorded before it ran");
        assert_eq!(st.service.as_deref(), Some("db"));
    }
    assert_eq!(
        step(&fo, "restore/db/db-wal").pvc.as_deref(),
        Some("db-wal")
    );

    // A PVC that appears after the start is not planned: the targets were recorded.
    add_pvc(&ctx, &s, "db", "db-late", "snap-app").await;

    let restarted = fresh(&ctx.base, &s);
    let o = drive(&restarted, "drill-pvcs").await;
    let fo = get(&restarted, "drill-pvcs").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded), "{st:#?}");
    let executed: Vec<_> = o.iter().flat_map(|o| o.executed.clone()).collect();
    assert_eq!(
        executed,
        [
            "restore/db/db-data",
            "restore/db/db-wal",
            "verify/db",
            "restore/app/app-data",
            "verify/app",
            "measure-rto",
            "teardown"
        ]
    );
    assert!(
        !st.steps.iter().any(|x| x.id.contains("db-late")),
        "{st:#?}"
    );
    for x in &st.steps {
        assert_eq!(x.attempts, Some(1), "{x:?}");
    }
    // Each PVC from its own Backup: the verified one of db-wal, not the older unverified one.
    let msg = |id: &str| step(&fo, id).message.clone().unwrap_or_default();
    assert!(msg("restore/db/db-data").contains("disdukcapil/snap-db (Backup db-1)"));
    assert!(msg("restore/db/db-wal").contains("disdukcapil/snap-wal (Backup db-wal-1)"));
    // The service was verified PVC by PVC.
    let v = msg("verify/db");
    assert!(
        v.contains("db-data:") && v.contains("db-wal:") && v.matches("matches").count() == 2,
        "{v}"
    );
    // The agent did each piece of work once: 3 restores (the one finished before the crash
    // answered from its record), 3 verifications, 1 discard.
    let work = work_started(&s, "drc-bandung");
    assert_eq!(work.len(), 7, "{work:?}");
    let db_data = work
        .iter()
        .filter(|l| l.contains("restore/db/db-data/restore"))
        .count();
    assert_eq!(db_data, 1, "{work:?}");
    // The teardown removed every PVC's isolated restore.
    assert!(
        !s.root
            .join("drc-bandung/restores/drill/drill-pvcs")
            .exists()
    );
}

#[tokio::test]
async fn a_failover_brings_back_every_pvc_of_a_service_into_its_namespace() {
    let s = sites();
    let ctx = context(&s).await;
    add_pvc(&ctx, &s, "db", "db-wal", "snap-wal").await;
    let fo = Failover::new(
        "fo-pvcs",
        FailoverSpec {
            plan: "bekasi".into(),
            kind: FailoverType::Failover,
            scope: Scope::default(),
            reason: "Flood at the primary".into(),
            // The primary does not answer (below): go on without its final sync.
            accept_data_loss: true,
            requested_by: None,
        },
    );
    seed_cluster(&ctx.base, &fo).await;
    point_site_at(&ctx, "dc-bekasi", "https://127.0.0.1:1".into()).await;
    approve(
        &ctx,
        "fo-pvcs",
        "declare-disaster",
        "kadis@bekasikota.go.id",
    )
    .await;
    drive(&ctx, "fo-pvcs").await;
    let fo = get(&ctx, "fo-pvcs").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded), "{st:#?}");
    assert_eq!(step(&fo, "final-sync").state, StepState::Skipped);
    assert_eq!(
        restored(&s, "disdukcapil/db/db-data"),
        "rows of snap-db".repeat(500)
    );
    assert_eq!(
        restored(&s, "disdukcapil/db/db-wal"),
        "rows of snap-wal".repeat(300)
    );
    assert_eq!(
        restored(&s, "disdukcapil/app/app-data"),
        "rows of snap-app".repeat(500)
    );
}

/// English words that never occur in an Indonesian sentence: a note in Indonesian holding
/// one of them carries an English sentence (a proper noun or an ID never is one of them).
fn english_words(text: &str) -> Vec<&str> {
    const WORDS: &[&str] = &[
        "the",
        "is",
        "not",
        "of",
        "would",
        "could",
        "must",
        "has",
        "no",
        "be",
        "was",
        "set",
        "nothing",
        "annotated",
        "refused",
        "failed",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| WORDS.contains(&w.to_ascii_lowercase().as_str()))
        .collect()
}

/// Issue 19: the reasons Pusdata words itself — why traffic was not switched, why a site's
/// agent has no client — come from the catalogue, so a failover that fails at the traffic
/// switch, with the old primary's agent never configured, reads in Indonesian without an
/// English sentence. Before, both reasons were English strings passed as arguments.
#[tokio::test]
async fn a_failover_whose_traffic_switch_fails_says_why_in_indonesian() {
    let s = sites();
    let ctx = context(&s).await;
    // Nothing is annotated for the DRC, and the primary's agent endpoint is not set.
    crate::controllers::testing::as_harness(
        Api::<Service>::namespaced(ctx.base.client.clone(), "disdukcapil")
            .delete("web", &Default::default()),
    )
    .await
    .unwrap();
    crate::controllers::testing::as_harness(Api::<Site>::all(ctx.base.client.clone()).patch(
        "dc-bekasi",
        &PatchParams::default(),
        &Patch::Merge(&serde_json::json!({"spec": {"endpoints": {"agent": null}}})),
    ))
    .await
    .unwrap();
    let fo = Failover::new(
        "fo-notraffic",
        FailoverSpec {
            plan: "bekasi".into(),
            kind: FailoverType::Failover,
            scope: Scope::default(),
            reason: "Flood at the primary".into(),
            accept_data_loss: true,
            requested_by: None,
        },
    );
    seed_cluster(&ctx.base, &fo).await;
    approve(&ctx, "fo-notraffic", "declare-disaster", "kadis").await;
    drive(&ctx, "fo-notraffic").await;
    let fo = get(&ctx, "fo-notraffic").await;
    let st = fo.status.clone().unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Failed), "{st:#?}");
    let note = |id: &str| step(&fo, id).note.clone().unwrap_or_default();
    let traffic = note("switch-traffic");
    assert_eq!(step(&fo, "switch-traffic").attempts, Some(3));
    assert!(
        traffic.id().contains("tidak ada Service atau Ingress"),
        "{}",
        traffic.id()
    );
    let fence = note("fence");
    assert!(
        fence.id().contains("spec.endpoints.agent belum diisi"),
        "{}",
        fence.id()
    );
    for (what, text) in [("switch-traffic", traffic.id()), ("fence", fence.id())] {
        assert!(
            english_words(text).is_empty(),
            "{what}: English in the Indonesian note: {:?} in {text}",
            english_words(text)
        );
    }
    // The English note says the same in English; the stop names the step in both.
    assert!(
        traffic
            .en()
            .contains("nothing would send traffic to drc-bandung")
    );
    let ready = st.conditions.iter().find(|c| c.type_ == "Ready").unwrap();
    let (_, id) = ready.message.split_once(" / ").unwrap();
    assert!(id.contains("tidak ada Service atau Ingress"), "{id}");
    assert!(english_words(id).is_empty(), "{id}");
}

/// The agent TLS Secret of the Sites, holding `m`.
fn tls_secret(m: &TlsMaterial) -> Secret {
    let mut sec = Secret::default();
    sec.metadata.name = Some("pusdata-agent-tls".into());
    sec.metadata.namespace = Some("pusdata-system".into());
    sec.data = Some(
        [
            ("tls.crt", &m.cert_pem),
            ("tls.key", &m.key_pem),
            ("ca.crt", &m.ca_pem),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), k8s_openapi::ByteString(v.clone())))
        .collect(),
    );
    sec
}

#[tokio::test]
async fn agent_clients_pick_up_a_rotated_secret() {
    pusdata::agent::tls::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let (old_pki, new_pki) = (LocalPki::generate().unwrap(), LocalPki::generate().unwrap());
    let start = |pki: &LocalPki, listen: &str, n: u32| {
        let files = pki
            .server
            .write_files(&dir.path().join(format!("pki-{n}")))
            .unwrap();
        let mut cfg =
            AgentProcessConfig::new(pusdata_tests::pusdata_bin(), dir.path().join("drc"), files);
        cfg.site = "drc-bandung".into();
        cfg.listen = listen.into();
        AgentProcess::spawn(&cfg).unwrap()
    };
    let agent = start(&old_pki, "127.0.0.1:0", 1);
    let addr = agent.addr();
    let base = testing::context(ClientBuilder::new().with_resource::<Secret>()).await;
    seed_namespaced(&base, &tls_secret(&old_pki.client)).await;
    let mut site = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    site.spec.endpoints.agent = Some(agent.endpoint());
    site.spec.agent_tls_secret = Some(pusdata_crds::v1alpha1::SecretRef {
        name: "pusdata-agent-tls".into(),
        namespace: Some("pusdata-system".into()),
    });
    let mut agents = GrpcAgents::from_secrets(base.client.clone(), "pusdata-system");
    agents.server_name = Some("localhost".into());
    agents.attempts = 1;
    let first = agents.agent(&site).await.unwrap();
    first.heartbeat("dc-bekasi", 0).await.unwrap();

    // The agent's certificates are rotated to a new CA: it now trusts only the new one.
    agent.kill().unwrap();
    let _agent = start(&new_pki, &addr.to_string(), 2);
    // The Secret still holds the old pair: the cached client is refused.
    let same = agents.agent(&site).await.unwrap();
    assert!(same.heartbeat("dc-bekasi", 0).await.is_err());

    // The Secret is rotated: the next call builds a client with the new pair, accepted.
    Api::<Secret>::namespaced(base.client.clone(), "pusdata-system")
        .replace(
            "pusdata-agent-tls",
            &PostParams::default(),
            &tls_secret(&new_pki.client),
        )
        .await
        .unwrap();
    let rotated = agents.agent(&site).await.unwrap();
    let h = rotated.heartbeat("dc-bekasi", 0).await.unwrap();
    assert_eq!(h.site, "drc-bandung");
    // The client built before the rotation still holds the old pair: it is a new client.
    assert!(first.heartbeat("dc-bekasi", 0).await.is_err());
    // Unchanged material keeps the client (and its connection) — and still works.
    let again = agents.agent(&site).await.unwrap();
    again.heartbeat("dc-bekasi", 0).await.unwrap();
    assert_eq!(agents.clients.lock().await.len(), 1);
}

/// The placement sent to the DRC carries the user the Backup read the files as, so the
/// restore there writes them as that user; a Backup that recorded none sends none.
#[test]
fn the_placement_carries_the_backups_user() {
    let fo = Failover::new(
        "drill-owners",
        FailoverSpec {
            plan: "bekasi".into(),
            kind: FailoverType::Drill,
            scope: Scope::default(),
            reason: "owners".into(),
            accept_data_loss: false,
            requested_by: None,
        },
    );
    let m = member("db", &[]);
    let mut b = backup("db-1", "db", "abc");
    let p = placement(&fo, &m, Some(&b));
    assert_eq!((p.run_as_user, p.run_as_group), (None, None));
    if let Some(s) = b.status.as_mut() {
        s.run_as_user = Some(999);
        s.run_as_group = Some(998);
    }
    let p = placement(&fo, &m, Some(&b));
    assert_eq!((p.run_as_user, p.run_as_group), (Some(999), Some(998)));
    assert_eq!(p.pvc, "db-data");
}

/// Site agents that never answer a heartbeat and whose step work never ends; when that work
/// is dropped (cancelled), the instant is recorded.
struct StuckWork {
    calls: std::sync::atomic::AtomicUsize,
    started: std::sync::Mutex<Option<tokio::time::Instant>>,
    cancelled: Arc<std::sync::Mutex<Option<tokio::time::Instant>>>,
}

/// Records when the future holding it is dropped.
struct OnDrop(Arc<std::sync::Mutex<Option<tokio::time::Instant>>>);

impl Drop for OnDrop {
    fn drop(&mut self) {
        *self.0.lock().unwrap() = Some(tokio::time::Instant::now());
    }
}

impl SiteAgents for StuckWork {
    fn agent<'a>(&'a self, _site: &'a Site) -> BoxFuture<'a, Result<AgentClient, Text>> {
        // The first four calls are the heartbeats to both sites of two passes: the one that
        // records the step as started and the one that does it.
        let k = self.calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if k <= 4 {
            return Box::pin(async { Err(Text::new("unreachable", "tidak terjangkau")) });
        }
        *self.started.lock().unwrap() = Some(tokio::time::Instant::now());
        let guard = OnDrop(self.cancelled.clone());
        Box::pin(async move {
            let _guard = guard;
            futures::future::pending::<Result<AgentClient, Text>>().await
        })
    }
}

/// Site agents that never answer.
struct Unreachable;

impl SiteAgents for Unreachable {
    fn agent<'a>(&'a self, _site: &'a Site) -> BoxFuture<'a, Result<AgentClient, Text>> {
        Box::pin(async { Err(Text::new("unreachable", "tidak terjangkau")) })
    }
}

fn controller(
    base: &Context,
    client: kube::Client,
    agents: Arc<dyn SiteAgents>,
) -> FailoverContext {
    FailoverContext {
        base: Context {
            client: client.clone(),
            metrics: Default::default(),
            ..base.clone()
        },
        agents,
        traffic: Arc::new(ServiceSwitch::new(client)),
        decide: dr::failover::decide,
    }
}

/// Replica A leads and starts a drill's first restore, whose work hangs; its lease renewals
/// stop getting through. At the renew deadline A's step work is cancelled, before the lease
/// can be taken; B takes over once it expired and writes the status. A status write from
/// A's view of the Failover (a request of a replica that did not notice, arriving late) is
/// then refused with 409 Conflict and changes nothing.
#[tokio::test(start_paused = true)]
async fn a_deposed_leaders_status_write_is_refused_and_its_step_work_cancelled_before_takeover() {
    use crate::controllers::gate::WriteGate;
    use crate::controllers::leader::{Elector, Standing};
    use crate::controllers::leading::{Ended, lead};
    use crate::controllers::testing::{Stalling, tokio_clock};
    use futures::FutureExt;
    use k8s_openapi::api::coordination::v1::Lease;
    use pusdata_core::lease::Timing;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::time::Instant;

    let mut base = world(kube_fake_client::interceptor::Funcs::new(), None).await;
    // One clock for everyone, following tokio's paused one.
    let clock = tokio_clock();
    base.clock = clock.clone();
    let harness = fresh_harness(&base);
    create(&harness, "drill-1", FailoverType::Drill).await;
    let stall = Arc::new(AtomicBool::new(false));
    let a_leases = kube::Client::new(
        Stalling {
            inner: base.client.clone(),
            stall: stall.clone(),
        },
        "default",
    );
    let timing = Timing::default();
    let mut a = Elector::new(
        Api::<Lease>::namespaced(a_leases, "pusdata-system"),
        "pusdata-operator",
        "a",
        timing,
        clock.clone(),
    );
    assert_eq!(a.step().await.unwrap(), Standing::Leading);
    let gate = WriteGate::new();
    let cancelled = Arc::new(std::sync::Mutex::new(None));
    let stuck = Arc::new(StuckWork {
        calls: Default::default(),
        started: Default::default(),
        cancelled: cancelled.clone(),
    });
    let ctx_a = controller(&base, gate.client(base.client.clone()), stuck.clone());
    let seen_by_a = get(&harness, "drill-1").await;
    let started = Instant::now();
    // Renewals stop getting through 3 s in; the last one that did was at 2 s.
    let staller = {
        let stall = stall.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            stall.store(true, Ordering::SeqCst);
        })
    };
    let never = futures::future::pending::<()>().boxed().shared();
    let ended = lead(
        Some(&mut a),
        Duration::from_secs(2),
        Duration::from_secs(10),
        &gate,
        never,
        async {
            // Records the restore as started, then (on the object it wrote) does it.
            let _ = reconcile_once(&seen_by_a, &ctx_a).await;
            let now = get(&harness, "drill-1").await;
            let _ = reconcile_once(&now, &ctx_a).await;
        },
    )
    .await;
    staller.await.unwrap();
    let lapsed = Instant::now();
    assert_eq!(ended, Ended::LostLease);
    assert_eq!(lapsed - started, Duration::from_secs(12));
    // The step had started (recorded as running first) and was cancelled at the lapse.
    assert_eq!(*stuck.started.lock().unwrap(), Some(started));
    assert_eq!(*cancelled.lock().unwrap(), Some(lapsed));
    let a_view = get(&harness, "drill-1").await;
    assert_eq!(
        step(&a_view, "restore/db/db-data").state,
        StepState::Running
    );

    // B cannot take the lease yet: A's last renewal (2 s) holds it for 15 s.
    let leases = Api::<Lease>::namespaced(base.client.clone(), "pusdata-system");
    let mut b = Elector::new(leases, "pusdata-operator", "b", timing, clock.clone());
    assert!(matches!(
        b.step().await.unwrap(),
        Standing::Following { .. }
    ));
    let expiry = started + Duration::from_secs(2) + timing.lease_duration.unsigned_abs();
    assert!(*cancelled.lock().unwrap() < Some(expiry));
    tokio::time::sleep_until(expiry - Duration::from_millis(1)).await;
    assert!(matches!(
        b.step().await.unwrap(),
        Standing::Following { .. }
    ));
    tokio::time::sleep_until(expiry).await;
    assert_eq!(b.step().await.unwrap(), Standing::Leading);

    // B carries on from the stored status and writes it.
    let ctx_b = controller(&base, base.client.clone(), Arc::new(Unreachable));
    reconcile_once(&get(&harness, "drill-1").await, &ctx_b)
        .await
        .unwrap();
    let after_b = get(&harness, "drill-1").await;
    assert_ne!(
        after_b.metadata.resource_version,
        a_view.metadata.resource_version
    );

    // A replica still acting on what it saw before B wrote is refused, and nothing changes.
    let ctx_late = controller(&base, base.client.clone(), Arc::new(Unreachable));
    let err = reconcile_once(&a_view, &ctx_late).await.unwrap_err();
    assert!(
        matches!(&err, Error::Kube(kube::Error::Api(s)) if s.code == 409),
        "{err}"
    );
    let now = get(&harness, "drill-1").await;
    assert_eq!(
        now.metadata.resource_version,
        after_b.metadata.resource_version
    );
    assert_eq!(now.status, after_b.status);
}

/// A controller context acting as the harness (ungated, no agents) for seeding and reading.
fn fresh_harness(base: &Context) -> FailoverContext {
    controller(base, base.client.clone(), Arc::new(Unreachable))
}

/// Issue 14, item 3 (the Failover controller on the shared caches): on the primary a pass
/// reads the plan, both Sites, the plan's Backups, the repositories and the members' sources
/// (namespaces, PVCs) from the caches and sends none of those reads to the API server; it
/// decides as before (the first pass of a drill records its first restore as started).
#[tokio::test]
async fn with_caches_a_pass_reads_no_cached_kind_from_the_api_server() {
    let base = world(kube_fake_client::interceptor::Funcs::new(), None).await;
    let harness = fresh_harness(&base);
    create(&harness, "drill-cached", FailoverType::Drill).await;
    let mut cached = base.clone();
    cached.caches = Some(crate::controllers::cache::from_api(&base).await);
    let (counted, log) = crate::controllers::counting::counted(&cached);
    let ctx = controller(&counted, counted.client.clone(), Arc::new(Unreachable));
    let fo = get(&harness, "drill-cached").await;
    log.clear();
    let outcome = reconcile_once(&fo, &ctx).await.unwrap();
    assert_eq!(outcome.started, ["restore/db/db-data"], "{outcome:?}");
    let cached_kinds = [
        "disasterrecoveryplans",
        "sites",
        "backups",
        "backuprepositories",
        "namespaces",
        "persistentvolumeclaims",
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
    // The pass did write: its status, recording the step as started (and its Events).
    let writes: Vec<String> = log
        .writes()
        .into_iter()
        .filter(|w| !w.contains("/events"))
        .collect();
    assert_eq!(
        writes,
        ["PATCH /apis/pusdata.io/v1alpha1/failovers/drill-cached/status"]
    );
}

/// The decision of a pass, made to finish the execution (the report is written).
fn finishing(o: &dr::failover::Observed<'_>) -> Result<dr::failover::Decision, Text> {
    let mut d = dr::failover::decide(o)?;
    d.work = Work::Finish { succeeded: true };
    d.status.phase = Some(FailoverPhase::Succeeded);
    Ok(d)
}

/// The Events in `default` (where those of cluster-scoped objects go) with `reason`.
async fn events_with(base: &Context, reason: &str) -> Vec<k8s_openapi::api::events::v1::Event> {
    crate::controllers::testing::as_harness(
        Api::<k8s_openapi::api::events::v1::Event>::namespaced(base.client.clone(), "default")
            .list(&Default::default()),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.reason.as_deref() == Some(reason))
    .collect()
}

/// Issue 14, defect 1, for the Failover: an execution that ends while its report ConfigMap
/// cannot be written (the chart's RBAC without `create` on ConfigMaps, as shipped before the
/// fix; the API server answers 403) is not left silent: a Warning Event on the Failover
/// names the refused request in both languages, and the status is not marked finished, so
/// the next pass — with the right granted — writes the report and finishes.
#[tokio::test]
async fn a_refused_report_is_named_in_a_warning_event_and_written_by_the_next_pass() {
    use crate::testkit::authz::{Authorizer, Identity, Rbac};
    use crate::testkit::manifests::Site as Install;
    let base = world(kube_fake_client::interceptor::Funcs::new(), None).await;
    let harness = fresh_harness(&base);
    create(&harness, "drill-refused", FailoverType::Drill).await;
    let rbac = Rbac::rendered(Install::Primary).revoke("", "configmaps", "create");
    let refusing = Authorizer::new(base.client.clone(), rbac, Identity::operator())
        .answering_403()
        .client();
    let mut ctx = controller(&base, refusing, Arc::new(Unreachable));
    ctx.decide = finishing;
    let fo = get(&harness, "drill-refused").await;
    let err = reconcile_once(&fo, &ctx).await.unwrap_err();
    assert!(err.to_string().contains("forbidden"), "{err}");
    assert_eq!(get(&harness, "drill-refused").await.status, fo.status);
    let events = events_with(&base, REPORT_NOT_WRITTEN).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    let e = &events[0];
    assert_eq!(e.type_.as_deref(), Some("Warning"));
    assert_eq!(
        e.regarding.as_ref().and_then(|r| r.name.as_deref()),
        Some("drill-refused")
    );
    let note = e.note.clone().unwrap_or_default();
    assert!(
        note.contains("configmaps \"failover-drill-refused-report\" is forbidden")
            && note.contains("ConfigMap failover-drill-refused-report in pusdata-system")
            && note.contains("tidak dapat ditulis"),
        "{note}"
    );

    let mut granted = controller(&base, base.client.clone(), Arc::new(Unreachable));
    granted.decide = finishing;
    reconcile_once(&fo, &granted).await.unwrap();
    let st = get(&harness, "drill-refused").await.status.unwrap();
    assert_eq!(st.phase, Some(FailoverPhase::Succeeded));
    assert_eq!(
        st.report.and_then(|r| r.config_map).as_deref(),
        Some("failover-drill-refused-report")
    );
}
