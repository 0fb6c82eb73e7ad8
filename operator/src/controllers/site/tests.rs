//! The controller against the in-memory API, with a real `pusdata agent` process as the peer
//! over mTLS on loopback, and a clock the tests move (never the wall clock).

use super::*;
use crate::controllers::testing::{self, events_about, seed_cluster};
use kube_fake_client::ClientBuilder;
use pusdata::agent::process::{AgentProcess, AgentProcessConfig};
use pusdata::agent::tls::LocalPki;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::PeerLossPolicy;
use std::sync::atomic::{AtomicI64, Ordering};

/// A peer site's agent, as a real process.
struct Peer {
    _dir: tempfile::TempDir,
    pki: LocalPki,
    agent: AgentProcess,
}

fn peer(site: &str) -> Peer {
    pusdata::agent::tls::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(site);
    let pki = LocalPki::generate().unwrap();
    let files = pki.server.write_files(&root.join("pki")).unwrap();
    let mut cfg = AgentProcessConfig::new(pusdata_tests::pusdata_bin(), root.clone(), files);
    cfg.site = site.into();
    cfg.log = Some(dir.path().join(format!("{site}.log")));
    let agent = AgentProcess::spawn(&cfg).unwrap();
    Peer {
        _dir: dir,
        pki,
        agent,
    }
}

/// Seconds added to the fixed test time; the tests move it.
type Offset = Arc<AtomicI64>;

/// The API with both Sites (the peer's agent at `endpoint`) and the plan.
async fn api(endpoint: &str, policy: PeerLossPolicy) -> (Context, Offset) {
    let mut base = testing::context(
        ClientBuilder::new()
            .with_resource::<Site>()
            .with_status_subresource::<Site>()
            .with_resource::<DisasterRecoveryPlan>()
            .with_resource::<Failover>()
            .with_status_subresource::<Failover>(),
    )
    .await;
    let offset: Offset = Arc::default();
    let fixed = base.clock.clone();
    let o = offset.clone();
    base.clock = Arc::new(move || {
        fixed()
            .checked_add(jiff::SignedDuration::from_secs(o.load(Ordering::SeqCst)))
            .unwrap()
    });
    let mut plan = fixtures::plan();
    plan.spec.peer_loss = policy;
    seed_cluster(&base, &plan).await;
    let mut primary = fixtures::primary_site();
    primary.spec.endpoints.agent = Some(endpoint.to_string());
    seed_cluster(&base, &primary).await;
    let mut drc = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    drc.spec.endpoints.agent = Some(endpoint.to_string());
    seed_cluster(&base, &drc).await;
    (base, offset)
}

/// A controller (a fresh one each call: as after a restart) at `side`.
fn controller(base: &Context, pki: &LocalPki, side: Side) -> SiteContext {
    let mut agents = GrpcAgents::with_tls(base.client.clone(), pki.client.clone());
    agents.server_name = Some("localhost".into());
    agents.call_timeout = Duration::from_secs(2);
    agents.attempts = 1;
    SiteContext {
        base: Context {
            metrics: Default::default(),
            ..base.clone()
        },
        agents: Arc::new(agents),
        side,
        max_age: Duration::from_secs(30),
        interval: DEFAULT_INTERVAL,
    }
}

async fn site(base: &Context, name: &str) -> Site {
    Api::<Site>::all(base.client.clone())
        .get(name)
        .await
        .unwrap()
}

async fn reconcile(ctx: &SiteContext, name: &str) -> Outcome {
    reconcile_once(&site(&ctx.base, name).await, ctx)
        .await
        .unwrap()
}

async fn failovers(base: &Context) -> Vec<Failover> {
    Api::<Failover>::all(base.client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
}

fn peer_ready(s: &Site) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    s.status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .find(|c| c.type_ == "PeerReady")
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn the_primary_writes_the_drcs_heartbeat_epoch_and_peer_ready() {
    let p = peer("drc-bandung");
    // The DRC agent at epoch 7, active (as after a failover).
    let mut cfg = pusdata::agent::client::ClientConfig::new(
        p.agent.endpoint(),
        &p.pki.client,
        Some("localhost"),
    );
    cfg.attempts = 1;
    let direct = pusdata::agent::client::AgentClient::new(cfg).unwrap();
    direct.promote("test-promote", 7, "test").await.unwrap();

    let (base, _) = api(&p.agent.endpoint(), PeerLossPolicy::default()).await;
    let ctx = controller(&base, &p.pki, Side::Primary);
    // The primary's own Site is no peer of the primary.
    assert_eq!(reconcile(&ctx, "dc-bekasi").await, Outcome::NotAPeer);
    assert!(site(&base, "dc-bekasi").await.status.is_none());

    let out = reconcile(&ctx, "drc-bandung").await;
    assert_eq!(
        out,
        Outcome::Observed {
            ready: Some(true),
            reason: "HeartbeatFresh",
            created: Vec::new(),
        }
    );
    let drc = site(&base, "drc-bandung").await;
    let st = drc.status.clone().unwrap();
    assert_eq!((st.epoch, st.active), (Some(7), Some(true)));
    assert_eq!(st.last_peer_heartbeat, Some(base.now()));
    assert_eq!(st.observed_generation, drc.metadata.generation);
    let c = peer_ready(&drc);
    assert_eq!(
        (c.status.as_str(), c.reason.as_str()),
        ("True", "HeartbeatFresh")
    );
    assert!(c.message.contains(" / "), "both languages: {}", c.message);
    let text = ctx.base.metrics.encode();
    assert!(
        text.contains(r#"pusdata_peer_ready{site="drc-bandung"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"pusdata_peer_heartbeat_age_seconds{site="drc-bandung"} 0.0"#),
        "{text}"
    );
    assert_eq!(
        events_about(&base, "default", "drc-bandung").await,
        [("HeartbeatFresh".to_string(), "Normal".to_string())]
    );
    // The status write wakes the controller's watch: within the interval that reconcile
    // neither heartbeats nor writes (no loop).
    let written = site(&base, "drc-bandung").await;
    assert_eq!(
        reconcile(&ctx, "drc-bandung").await,
        Outcome::NotDue {
            wait: DEFAULT_INTERVAL
        }
    );
    assert_eq!(
        site(&base, "drc-bandung").await.metadata.resource_version,
        written.metadata.resource_version
    );
    // The heartbeat only observes: the DRC's fence did not move.
    assert_eq!(direct.heartbeat("probe", 0).await.unwrap().epoch, 7);
}

#[tokio::test]
async fn a_lost_primary_is_reported_and_never_failed_over_when_the_plan_says_no() {
    let p = peer("dc-bekasi");
    let endpoint = p.agent.endpoint();
    let (base, clock) = api(&endpoint, PeerLossPolicy::default()).await;
    let ctx = controller(&base, &p.pki, Side::Drc);
    assert_eq!(reconcile(&ctx, "drc-bandung").await, Outcome::NotAPeer);
    let first = reconcile(&ctx, "dc-bekasi").await;
    assert!(
        matches!(
            first,
            Outcome::Observed {
                ready: Some(true),
                ..
            }
        ),
        "{first:?}"
    );
    let answered = site(&base, "dc-bekasi")
        .await
        .status
        .unwrap()
        .last_peer_heartbeat;

    p.agent.kill().unwrap();
    // Within max_age a missed heartbeat is no outage yet.
    clock.store(20, Ordering::SeqCst);
    let out = reconcile(&ctx, "dc-bekasi").await;
    assert!(
        matches!(
            out,
            Outcome::Observed {
                ready: Some(true),
                ..
            }
        ),
        "{out:?}"
    );
    clock.store(31, Ordering::SeqCst);
    let out = reconcile(&ctx, "dc-bekasi").await;
    assert_eq!(
        out,
        Outcome::Observed {
            ready: Some(false),
            reason: "HeartbeatStale",
            created: Vec::new(),
        }
    );
    let s = site(&base, "dc-bekasi").await;
    assert_eq!(
        s.status.as_ref().unwrap().last_peer_heartbeat,
        answered,
        "kept"
    );
    assert_eq!(peer_ready(&s).status, "False");
    let events = events_about(&base, "default", "dc-bekasi").await;
    assert!(
        events.contains(&("HeartbeatStale".to_string(), "Warning".to_string())),
        "{events:?}"
    );
    assert!(
        ctx.base
            .metrics
            .encode()
            .contains(r#"pusdata_peer_ready{site="dc-bekasi"} 0"#)
    );
    // Days later, with a fresh controller: still only reported.
    clock.store(86_400 * 3, Ordering::SeqCst);
    let again = controller(&base, &p.pki, Side::Drc);
    let out = reconcile(&again, "dc-bekasi").await;
    assert!(
        matches!(out, Outcome::Observed { ready: Some(false), ref created, .. } if created.is_empty()),
        "{out:?}"
    );
    assert!(
        failovers(&base).await.is_empty(),
        "automaticFailover is off"
    );
}

#[tokio::test]
async fn the_plans_rule_creates_exactly_one_failover_after_its_delay() {
    let p = peer("dc-bekasi");
    let endpoint = p.agent.endpoint();
    let policy = PeerLossPolicy {
        automatic_failover: true,
        after: Some("5m".into()),
    };
    let (base, clock) = api(&endpoint, policy).await;
    p.agent.kill().unwrap();

    // The primary was never heard: lost from the first look on.
    let ctx = controller(&base, &p.pki, Side::Drc);
    let out = reconcile(&ctx, "dc-bekasi").await;
    assert_eq!(
        out,
        Outcome::Observed {
            ready: Some(false),
            reason: "NoHeartbeat",
            created: Vec::new(),
        }
    );
    let since = peer_ready(&site(&base, "dc-bekasi").await).last_transition_time;
    assert_eq!(since, base.now());
    clock.store(299, Ordering::SeqCst);
    reconcile(&ctx, "dc-bekasi").await;
    assert!(
        failovers(&base).await.is_empty(),
        "not before spec.peerLoss.after"
    );

    clock.store(300, Ordering::SeqCst);
    let out = reconcile(&ctx, "dc-bekasi").await;
    let name = peer::auto_failover_name("bekasi", since.0);
    assert_eq!(
        out,
        Outcome::Observed {
            ready: Some(false),
            reason: "NoHeartbeat",
            created: vec![name.clone()],
        }
    );
    // Again, and from a restarted controller: no second Failover.
    clock.store(310, Ordering::SeqCst);
    reconcile(&ctx, "dc-bekasi").await;
    let restarted = controller(&base, &p.pki, Side::Drc);
    clock.store(900, Ordering::SeqCst);
    let out = reconcile(&restarted, "dc-bekasi").await;
    assert!(
        matches!(out, Outcome::Observed { ref created, .. } if created.is_empty()),
        "{out:?}"
    );
    let all = failovers(&base).await;
    assert_eq!(all.len(), 1, "{all:?}");
    let fo = &all[0];
    assert_eq!(fo.name_any(), name);
    assert_eq!(
        (fo.spec.plan.as_str(), fo.spec.kind),
        ("bekasi", FailoverType::Failover)
    );
    assert!(fo.spec.reason.contains("spec.peerLoss") && fo.spec.reason.contains("5m"));
    assert!(
        !fo.spec.accept_data_loss,
        "data loss is a person's decision"
    );
    let events = events_about(&base, "default", "dc-bekasi").await;
    assert_eq!(
        events
            .iter()
            .filter(|(r, _)| r == AUTOMATIC_FAILOVER)
            .count(),
        1,
        "{events:?}"
    );

    // The primary side never applies the rule, whatever the outage.
    let at_primary = controller(&base, &p.pki, Side::Primary);
    let out = reconcile(&at_primary, "drc-bandung").await;
    assert!(
        matches!(out, Outcome::Observed { ref created, .. } if created.is_empty()),
        "{out:?}"
    );
    assert_eq!(failovers(&base).await.len(), 1);
}

#[tokio::test]
async fn a_peer_without_an_agent_endpoint_is_unknown_and_never_an_outage() {
    let p = peer("dc-bekasi");
    let policy = PeerLossPolicy {
        automatic_failover: true,
        after: Some("0s".into()),
    };
    let (base, clock) = api(&p.agent.endpoint(), policy).await;
    crate::controllers::testing::as_harness(Api::<Site>::all(base.client.clone()).patch(
        "dc-bekasi",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(serde_json::json!({"spec": {"endpoints": {"agent": null}}})),
    ))
    .await
    .unwrap();
    let ctx = controller(&base, &p.pki, Side::Drc);
    clock.store(86_400, Ordering::SeqCst);
    let out = reconcile(&ctx, "dc-bekasi").await;
    assert_eq!(
        out,
        Outcome::Observed {
            ready: None,
            reason: "NoEndpoint",
            created: Vec::new(),
        }
    );
    assert_eq!(
        peer_ready(&site(&base, "dc-bekasi").await).status,
        "Unknown"
    );
    assert!(failovers(&base).await.is_empty());
    assert!(!ctx.base.metrics.encode().contains("pusdata_peer_ready{"));
}
