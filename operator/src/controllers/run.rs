//! `pusdata operator`: wires the controllers to the API server. Kept thin on purpose — the
//! reconcile functions are tested against an in-memory API; this only starts them.

use super::child_meta::ChildMeta;
use super::gate::WriteGate;
use super::leader::{Elector, Standing};
use super::leading::{Ended, Stop, lead};
use super::{
    Context, Error, agency, audit, backoff, backup, cache, decode, failover, hosting, mappers,
    repository, restore, retention, schedule, site, span, system_clock, webhook_certs,
};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt, TryStreamExt};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{LimitRange, ResourceQuota};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_core::backup::job::MoverSettings;
use pusdata_core::lease::Timing;
use pusdata_core::peer::Side;
use pusdata_crds::v1alpha1::{
    Agency, Approval, Backup, BackupRepository, DisasterRecoveryPlan, Failover, HostingRequest,
    Restore, Site,
};
use std::sync::Arc;
use std::time::Duration;

/// Where the decoded watches of the controllers report malformed objects (`decode`).
fn reporting(client: &kube::Client, ctx: &Context) -> decode::Reporting {
    decode::Reporting {
        metrics: ctx.metrics.clone(),
        client: client.clone(),
    }
}

/// Tasks of the leader, each spawned on the runtime: the controllers use every worker thread,
/// and none of them can starve the Lease renewal, which the leading task polls (all in one
/// task, a busy reconcile or list decode held the renewal past its deadline and leadership
/// lapsed during a first start). Dropping `Tasks` aborts them all (`JoinSet`), as dropping
/// the futures did: losing the lease still cancels every reconcile at once.
#[derive(Default)]
pub(super) struct Tasks(tokio::task::JoinSet<()>);

impl Tasks {
    pub(super) fn spawn(&mut self, task: futures::future::BoxFuture<'static, ()>) {
        self.0.spawn(task);
    }

    /// Until every task has ended.
    pub(super) async fn all_ended(&mut self) {
        while self.0.join_next().await.is_some() {}
    }
}

/// Reconciles one controller runs at once. Unbounded (kube's default), a first start over a
/// city of objects reconciled all of them together: every reconcile's reads and writes in
/// flight at once, the Lease renewal queued behind them until leadership lapsed, and memory
/// for all of them held at the same time.
const CONCURRENCY: u16 = 8;

pub(super) fn bounded() -> kube::runtime::controller::Config {
    kube::runtime::controller::Config::default().concurrency(CONCURRENCY)
}

/// Invalid specs wait for a change; API trouble backs off, doubling per consecutive failure
/// of the same object (`pusdata_core::requeue`). Never a hot loop.
fn error_policy<K: kube::Resource<DynamicType = ()>>(
    object: Arc<K>,
    error: &Error,
    ctx: Arc<Context>,
) -> Action {
    let _span = span::reconcile_span(object.as_ref()).entered();
    tracing::warn!(category = error.category(), %error, "reconcile failed");
    match error {
        Error::InvalidSpec(_) => Action::await_change(),
        _ => Action::requeue(ctx.backoff.failed(
            &backoff::key_of(object.as_ref()),
            pusdata_core::requeue::ERROR_BASE,
            pusdata_core::requeue::ERROR_MAX,
        )),
    }
}

/// What `timed` needs to know of the object being reconciled: its backoff key and its span
/// (`span::reconcile_span`). Taken before the object moves into its reconcile.
fn reconciling<K: kube::Resource<DynamicType = ()>>(obj: &K) -> (String, tracing::Span) {
    (backoff::key_of(obj), span::reconcile_span(obj))
}

/// Runs one reconcile inside its span and records it in the metrics (runs, duration, error
/// category); a success resets the object's error backoff.
async fn timed(
    controller: &'static str,
    (key, span): (String, tracing::Span),
    ctx: Arc<Context>,
    run: impl std::future::Future<Output = Result<Action, Error>>,
) -> Result<Action, Error> {
    use tracing::Instrument;
    let start = std::time::Instant::now();
    let result = run.instrument(span).await;
    let category = result.as_ref().err().map(Error::category);
    if result.is_ok() {
        ctx.backoff.succeeded(&key);
    }
    ctx.metrics
        .reconciled(controller, start.elapsed(), category);
    result
}

/// The request an approval targets, so that recording an approval reconciles its request
/// at once (the periodic requeue covers expiry).
fn approval_target(approval: Approval) -> Option<ObjectRef<HostingRequest>> {
    let t = &approval.spec.target;
    let ns = t.namespace.as_deref()?;
    (t.kind == "HostingRequest").then(|| ObjectRef::new(&t.name).within(ns))
}

/// The Failover a final-sync Backup belongs to, so its completion moves the Failover on.
fn backup_owner(backup: Backup) -> Option<ObjectRef<Failover>> {
    let name = backup
        .metadata
        .labels?
        .get(failover::FAILOVER_LABEL)?
        .clone();
    Some(ObjectRef::new(&name))
}

/// A controller's primary kind: the shared store and its changes when the context has caches
/// (no watch or store of the controller's own), else a decoding watch and a store of its own
/// (the DRC role, which keeps no caches).
fn primary_of<K: cache::Cached>(
    ctx: &Context,
    to: &decode::Reporting,
) -> (
    BoxStream<'static, Result<K, watcher::Error>>,
    kube::runtime::reflector::Store<K>,
) {
    match &ctx.caches {
        Some(c) => (shared_changes(c), K::store(c).clone()),
        None => {
            let (stream, store) = decode::primary::<K>(to);
            (stream.boxed(), store)
        }
    }
}

/// The changed objects of a shared store, as a controller's trigger stream. The object is
/// copied only while its key is being queued.
fn shared_changes<K: cache::Cached>(
    c: &cache::Caches,
) -> BoxStream<'static, Result<K, watcher::Error>> {
    K::fanout(c)
        .subscribe(K::store(c))
        .map(|o| Ok(trigger(o.as_ref())))
        .boxed()
}

/// A copy of `object` to trigger its controller with: without its uid and resourceVersion.
/// kube keys the queue by the trigger and copies both strings into the key
/// (`ObjectRef::extra`), which stays in the scheduler until the next requeue — one per
/// object of the kind, ~8 000 at 1 000 agencies — while the reconcile reads the object
/// from the store and the key's equality ignores them.
fn trigger<K: kube::Resource + Clone>(object: &K) -> K {
    let mut k = object.clone();
    let meta = k.meta_mut();
    meta.uid = None;
    meta.resource_version = None;
    k
}

/// Objects of kind `K` that trigger a controller: from the shared store when the context has
/// caches (whose watch covers `namespace` and `wc`: the mappers ignore what they do not
/// own), else a decoding watch of their own.
fn related_of<K: cache::Cached>(
    ctx: &Context,
    to: &decode::Reporting,
    namespace: Option<&str>,
    wc: watcher::Config,
) -> BoxStream<'static, Result<K, watcher::Error>> {
    match &ctx.caches {
        Some(c) => shared_changes(c),
        None => decode::related::<K>(to, namespace, wc).boxed(),
    }
}

/// An agency's children of kind `K` that changed: from the shared metadata store when the
/// context has caches, else a metadata watch of its own (tests without caches).
fn children_of<K: cache::Child>(
    ctx: &Context,
    client: &kube::Client,
) -> BoxStream<'static, Result<ChildMeta<K>, watcher::Error>> {
    match &ctx.caches {
        Some(c) => K::fanout(c)
            .subscribe(K::cached(c))
            .map(|o| Ok((*o).clone()))
            .boxed(),
        None => watcher(
            Api::<PartialObjectMeta<K>>::all(client.clone()),
            watcher::Config::default().labels(pusdata_core::tenancy::AGENCY_LABEL),
        )
        .default_backoff()
        .touched_objects()
        .map_ok(ChildMeta::from)
        .boxed(),
    }
}

/// A burst of changes (the initial list, a `kubectl apply -f dir/`) becomes one audit pass.
const AUDIT_DEBOUNCE: Duration = Duration::from_secs(2);

/// The background audit: a pass now, then after `audit::PERIOD` (or an exception's expiry)
/// or when a Pusdata object's spec, labels or annotations change — but never sooner than
/// `audit::MIN_GAP` after the previous pass started.
async fn audit_loop(ctx: Arc<Context>) {
    // The shared caches' watches say what changed (`cache::Caches::changed`); without caches
    // the audit runs on its period only.
    let changed = ctx
        .caches
        .as_ref()
        .map_or_else(Default::default, |c| c.changed.clone());
    // The caches are filled before the first pass, which reads them: what they saw so far is
    // in it.
    let _ = changed.notified().now_or_never();
    loop {
        let start = tokio::time::Instant::now();
        let result = audit::audit_once(&ctx).await;
        let category = result.as_ref().err().map(Error::category);
        ctx.metrics.reconciled("audit", start.elapsed(), category);
        let wait = match result {
            Ok(o) => {
                ctx.backoff.succeeded("audit");
                tracing::info!(applied = ?o.applied, deleted = ?o.deleted, "policy audit pass");
                o.next_run((ctx.clock)())
            }
            Err(e) => {
                tracing::warn!(category = e.category(), %e, "policy audit failed");
                ctx.backoff.failed(
                    "audit",
                    pusdata_core::requeue::ERROR_BASE,
                    pusdata_core::requeue::ERROR_MAX,
                )
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = changed.notified() => {
                tokio::time::sleep(AUDIT_DEBOUNCE).await;
                tokio::time::sleep_until(start + audit::MIN_GAP).await;
                // Changes meanwhile are in the pass about to run.
                let _ = changed.notified().now_or_never();
            }
        }
    }
}

/// Both Sites of a plan, so that a new or changed plan heartbeats its peer at once.
fn plan_sites(plan: DisasterRecoveryPlan) -> Vec<ObjectRef<Site>> {
    vec![
        ObjectRef::new(&plan.spec.primary_site),
        ObjectRef::new(&plan.spec.drc_site),
    ]
}

/// The Site controller (`site`): the peer's heartbeat and `PeerReady` in both roles; at the
/// DRC also the plans' automatic-failover rule (`pusdata_core::peer`).
async fn site_controller(client: kube::Client, ctx: Arc<Context>, side: Side, stop: Stop) {
    let sctx = Arc::new(site::SiteContext::new((*ctx).clone(), side));
    let to = reporting(&client, &ctx);
    let (sites, store) = primary_of::<Site>(&ctx, &to);
    Controller::for_stream(sites, store)
        .with_config(bounded())
        .watches_stream(
            related_of::<DisasterRecoveryPlan>(&ctx, &to, None, watcher::Config::default()),
            plan_sites,
        )
        .graceful_shutdown_on(stop)
        .run(
            |o, c| {
                let base = Arc::new(c.base.clone());
                timed("site", reconciling(o.as_ref()), base, site::reconcile(o, c))
            },
            |o, e, c| error_policy(o, e, Arc::new(c.base.clone())),
            sctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "site controller event");
            }
        })
        .await;
}

/// How `pusdata operator` runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Run all the controllers (primary); the DRC role runs the Failover and Restore
    /// controllers, the lease and the webhook certificates.
    pub controllers: bool,
    /// Namespace of the platform team.
    pub platform_namespace: String,
    /// Address of the plain-HTTP views, `/metrics` and `/healthz`.
    pub views: Option<std::net::SocketAddr>,
    /// The operator's own namespace (the Lease and the webhook certificate live there).
    pub namespace: String,
    /// This replica's identity in the Lease (the pod name).
    pub identity: String,
    /// The Lease; `None` runs the controllers without election (one replica only).
    pub lease: Option<String>,
    /// Lease timing.
    pub timing: Timing,
    /// Webhook certificates issued by the operator; `None` when cert-manager issues them.
    pub certs: Option<webhook_certs::Settings>,
    /// The mover Jobs' image and limits.
    pub mover: MoverSettings,
}

/// Why `pusdata operator` ended.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The API server could not be reached.
    #[error("cannot reach the Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// Leadership was lost (renewals failed past the deadline): the controllers were
    /// stopped and the process exits so that it restarts as a candidate.
    #[error("{}", pusdata_core::t!("shell-run-lost-lease", lease = .0))]
    LostLease(String),
}

fn stop_on(rx: tokio::sync::watch::Receiver<bool>) -> Stop {
    async move {
        let mut rx = rx;
        let _ = rx.wait_for(|stopped| *stopped).await;
    }
    .boxed()
    .shared()
}

/// SIGTERM or Ctrl-C, whichever comes first (the webhook stops on the same).
pub(crate) async fn terminate_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs until SIGTERM: waits for the lease, then runs the controllers (and the webhook
/// certificate upkeep) while leading. SIGTERM or a lease lapse closes the write gate and
/// cancels the controllers at once (`leading::lead`); on SIGTERM the lease is released.
pub async fn run(opts: Options) -> Result<(), RunError> {
    // kube's default client retries 429, 503 and 504 with exponential backoff
    // (`Config::default_retry`); said here so that no one turns it off unknowingly.
    let mut config = kube::Config::infer()
        .await
        .map_err(|e| RunError::Kube(kube::Error::InferConfig(e)))?;
    config.default_retry = true;
    // The Lease goes through the ungated client; every controller through the gated one.
    let lease_client = kube::Client::try_from(config)?;
    let gate = WriteGate::new();
    let client = gate.client(lease_client.clone());
    // The primary's reconcilers read shared watched caches (`cache`); the DRC role's
    // controllers do not use them.
    let metrics = Arc::new(super::metrics::Metrics::default());
    let (caches, keep_caches) = if opts.controllers {
        let (c, run) = cache::Caches::watch(&client, &opts.platform_namespace, &metrics);
        (Some(Arc::new(c)), Some(run))
    } else {
        (None, None)
    };
    let ctx = Arc::new(Context {
        client: client.clone(),
        clock: system_clock(),
        platform_namespace: opts.platform_namespace.clone(),
        operator_namespace: opts.namespace.clone(),
        metrics,
        backoff: Default::default(),
        caches: caches.clone(),
    });
    // Every replica serves /healthz and /metrics, leading or not.
    if let Some(addr) = opts.views {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            if let Err(e) = super::http::serve(addr, ctx).await {
                tracing::error!(%e, "probes, metrics and views stopped");
            }
        });
    }
    // Each replica, leading or not: the settled size is what the stores hold, not the
    // high-water mark of the first start (`allocator::release_free_memory`).
    tokio::spawn(crate::allocator::trim_periodically(
        crate::allocator::TRIM_PERIOD,
    ));
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        terminate_signal().await;
        let _ = stop_tx.send(true);
    });
    let stop = stop_on(stop_rx);
    let mut elector = None;
    if let Some(name) = &opts.lease {
        let api: Api<Lease> = Api::namespaced(lease_client.clone(), &opts.namespace);
        let mut e = Elector::new(api, name, &opts.identity, opts.timing, system_clock());
        let retry = opts.timing.retry_period.unsigned_abs();
        tracing::info!(lease = %name, identity = %opts.identity, "waiting for the lease");
        loop {
            match e.step().await {
                Ok(Standing::Leading) => break,
                Ok(Standing::Following { .. }) => {}
                Err(e) => tracing::warn!(%e, "reading the lease failed"),
            }
            tokio::select! {
                () = stop.clone() => return Ok(()),
                () = tokio::time::sleep(retry) => {}
            }
        }
        elector = Some(e);
    }
    // Leading (or running alone without election) from here until the controllers stop.
    let metrics = ctx.metrics.clone();
    metrics.set_leading(true);
    let certs = opts.certs.clone();
    let cert_client = client.clone();
    let work = async {
        let upkeep = async {
            match certs {
                Some(settings) => keep_certificates(cert_client, settings).await,
                None => futures::future::pending().await,
            }
        };
        let caching = async {
            match keep_caches {
                Some(run) => {
                    let mut t = Tasks::default();
                    t.spawn(run.boxed());
                    t.all_ended().await;
                }
                None => futures::future::pending().await,
            }
        };
        let controllers = async {
            if let Some(c) = &caches {
                if c.ready().await.is_err() {
                    return;
                }
                tracing::info!("caches filled");
            }
            if opts.controllers {
                tracing::info!(
                    "leading: controllers agency, hosting, schedule, backup, repository, failover, restore, site, policy audit"
                );
                controllers(
                    client.clone(),
                    ctx.clone(),
                    &opts.platform_namespace,
                    opts.mover.clone(),
                    stop.clone(),
                )
                .await;
            } else {
                tracing::info!(
                    "leading (DRC role): failover, restore and site controllers, webhook certificates"
                );
                futures::join!(
                    failover_controller(
                        client.clone(),
                        ctx.clone(),
                        &opts.platform_namespace,
                        stop.clone()
                    ),
                    restore_controller(
                        client.clone(),
                        ctx.clone(),
                        opts.mover.clone(),
                        stop.clone()
                    ),
                    site_controller(client.clone(), ctx.clone(), Side::Drc, stop.clone()),
                );
            }
        };
        tokio::select! {
            () = controllers => {}
            () = upkeep => {}
            () = caching => {}
        }
    };
    let ended = lead(
        elector.as_mut(),
        opts.timing.retry_period.unsigned_abs(),
        opts.timing.renew_deadline.unsigned_abs(),
        &gate,
        stop.clone(),
        work,
    )
    .await;
    metrics.set_leading(false);
    match ended {
        Ended::LostLease => Err(RunError::LostLease(opts.lease.unwrap_or_default())),
        Ended::Stopped | Ended::WorkFinished => Ok(()),
    }
}

/// Issues, rotates and injects the webhook certificate; looks again when it is due, and at
/// least hourly (someone may have deleted the Secret or reinstalled the chart).
async fn keep_certificates(client: kube::Client, settings: webhook_certs::Settings) {
    loop {
        let now = jiff::Timestamp::now();
        let wait = match webhook_certs::reconcile_once(&client, &settings, now).await {
            Ok(out) => {
                let until = out.renew_at.duration_since(now).unsigned_abs();
                until.clamp(Duration::from_secs(10), Duration::from_secs(3600))
            }
            Err(e) => {
                tracing::warn!(category = e.category(), %e, "webhook certificate upkeep failed");
                Duration::from_secs(30)
            }
        };
        tokio::time::sleep(wait).await;
    }
}

/// The controllers, until `stop`.
async fn controllers(
    client: kube::Client,
    ctx: Arc<Context>,
    platform_namespace: &str,
    mover: MoverSettings,
    stop: Stop,
) {
    let to = reporting(&client, &ctx);
    let agencies = agency_controller(client.clone(), ctx.clone(), stop.clone());
    let (hosting_requests, store) = primary_of::<HostingRequest>(&ctx, &to);
    let requests = Controller::for_stream(hosting_requests, store)
        .with_config(bounded())
        .watches_stream(
            related_of::<Approval>(
                &ctx,
                &to,
                Some(platform_namespace),
                watcher::Config::default(),
            ),
            approval_target,
        )
        .graceful_shutdown_on(stop.clone())
        .run(
            |o, c| {
                timed(
                    "hosting",
                    reconciling(o.as_ref()),
                    c.clone(),
                    hosting::reconcile(o, c),
                )
            },
            error_policy,
            ctx.clone(),
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "hosting controller event");
            }
        });
    let (backup_repositories, store) = primary_of::<BackupRepository>(&ctx, &to);
    let repositories = Controller::for_stream(backup_repositories, store)
        .with_config(bounded())
        .graceful_shutdown_on(stop.clone())
        .run(
            |o, c| {
                timed(
                    "repository",
                    reconciling(o.as_ref()),
                    c.clone(),
                    repository::reconcile(o, c),
                )
            },
            error_policy,
            ctx.clone(),
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "repository controller event");
            }
        });
    // A plan reconciles when it or one of its Backup runs changes, and at its next slot.
    let (scheduled_plans, store) = primary_of::<DisasterRecoveryPlan>(&ctx, &to);
    let plans = Controller::for_stream(scheduled_plans, store)
        .with_config(bounded())
        .watches_stream(
            related_of::<Backup>(
                &ctx,
                &to,
                None,
                watcher::Config::default().labels(pusdata_core::backup::job::PLAN_LABEL),
            ),
            mappers::to_cluster_owners::<DisasterRecoveryPlan, _>,
        )
        .graceful_shutdown_on(stop.clone())
        .run(
            |o, c| {
                timed(
                    "schedule",
                    reconciling(o.as_ref()),
                    c.clone(),
                    schedule::reconcile(o, c),
                )
            },
            error_policy,
            ctx.clone(),
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "schedule controller event");
            }
        });
    // Retention: a plan reconciles again when one of its retention Jobs changes.
    let rctx = Arc::new(retention::RetentionContext {
        ctx: ctx.clone(),
        settings: mover.clone(),
    });
    let (pruned_plans, store) = primary_of::<DisasterRecoveryPlan>(&ctx, &to);
    let prunes = Controller::for_stream(pruned_plans, store)
        .with_config(bounded())
        .watches(
            Api::<Job>::all(client.clone()),
            watcher::Config::default().labels(&format!(
                "{}={}",
                pusdata_core::retention::run::MAINTENANCE_LABEL,
                pusdata_core::retention::run::MAINTENANCE_RETENTION
            )),
            mappers::to_cluster_owners::<DisasterRecoveryPlan, _>,
        )
        .graceful_shutdown_on(stop.clone())
        .run(
            |o, c| {
                timed(
                    "retention",
                    reconciling(o.as_ref()),
                    c.ctx.clone(),
                    retention::reconcile(o, c),
                )
            },
            |o, e, c| error_policy(o, e, c.ctx.clone()),
            rctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "retention controller event");
            }
        });
    let bctx = Arc::new(backup::BackupContext {
        ctx: ctx.clone(),
        exec: Arc::new(backup::KubeExec {
            client: client.clone(),
        }),
        settings: mover.clone(),
    });
    let (backups, store) = primary_of::<Backup>(&ctx, &to);
    let runs = Controller::for_stream(backups, store)
        .with_config(bounded())
        .owns(
            Api::<Job>::all(client.clone()),
            watcher::Config::default().labels(pusdata_core::backup::job::BACKUP_LABEL),
        )
        .graceful_shutdown_on(stop.clone())
        .run(
            |o, c| {
                timed(
                    "backup",
                    reconciling(o.as_ref()),
                    c.ctx.clone(),
                    backup::reconcile(o, c),
                )
            },
            |o, e, c| error_policy(o, e, c.ctx.clone()),
            bctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "backup controller event");
            }
        });
    let namespace = platform_namespace.to_string();
    let (fc, fx, fs) = (client.clone(), ctx.clone(), stop.clone());
    let failovers = async move { failover_controller(fc, fx, &namespace, fs).await };
    let restores = restore_controller(client.clone(), ctx.clone(), mover, stop.clone());
    let sites = site_controller(client.clone(), ctx.clone(), Side::Primary, stop.clone());
    // The audit loop never ends by itself: it stops with the controllers.
    let mut all = Tasks::default();
    for c in [
        agencies.boxed(),
        requests.boxed(),
        plans.boxed(),
        prunes.boxed(),
        runs.boxed(),
        repositories.boxed(),
        failovers.boxed(),
        restores.boxed(),
        sites.boxed(),
    ] {
        all.spawn(c);
    }
    let mut audit = Tasks::default();
    audit.spawn(audit_loop(ctx.clone()).boxed());
    tokio::select! {
        () = all.all_ended() => {}
        () = audit.all_ended() => {}
    }
}

/// The Agency controller: an Agency reconciles when it or one of its children changes.
async fn agency_controller(client: kube::Client, ctx: Arc<Context>, stop: Stop) {
    // Children are watched by the agency label only, metadata only (the shared cache's
    // watches, `cache::children`), and mapped to the cluster-scoped Agency without a
    // namespace (`mappers`): one queue key per Agency, never one per namespace.
    let to = reporting(&client, &ctx);
    let (agencies, store) = primary_of::<Agency>(&ctx, &to);
    Controller::for_stream(agencies, store)
        .with_config(bounded())
        .watches_stream(
            children_of::<ResourceQuota>(&ctx, &client),
            mappers::to_cluster_owners::<Agency, _>,
        )
        .watches_stream(
            children_of::<LimitRange>(&ctx, &client),
            mappers::to_cluster_owners::<Agency, _>,
        )
        .watches_stream(
            children_of::<NetworkPolicy>(&ctx, &client),
            mappers::to_cluster_owners::<Agency, _>,
        )
        .watches_stream(
            children_of::<RoleBinding>(&ctx, &client),
            mappers::to_cluster_owners::<Agency, _>,
        )
        .graceful_shutdown_on(stop.clone())
        .run(
            |o, c| {
                timed(
                    "agency",
                    reconciling(o.as_ref()),
                    c.clone(),
                    agency::reconcile(o, c),
                )
            },
            error_policy,
            ctx.clone(),
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "agency controller event");
            }
        })
        .await;
}

/// The Restore controller: restores run at the DRC (drills, failovers) and at the primary
/// (failbacks, restore requests), so it runs in both roles. It follows its mover Jobs
/// (labelled `pusdata.io/restore`).
async fn restore_controller(
    client: kube::Client,
    ctx: Arc<Context>,
    mover: MoverSettings,
    stop: Stop,
) {
    let (restores, store) = decode::primary::<Restore>(&reporting(&client, &ctx));
    let rctx = Arc::new(restore::RestoreContext {
        ctx,
        settings: mover,
    });
    Controller::for_stream(restores, store)
        .with_config(bounded())
        .owns(
            Api::<Job>::all(client),
            watcher::Config::default().labels(pusdata_core::restore::RESTORE_LABEL),
        )
        .graceful_shutdown_on(stop)
        .run(
            |o, c| {
                timed(
                    "restore",
                    reconciling(o.as_ref()),
                    c.ctx.clone(),
                    restore::reconcile(o, c),
                )
            },
            |o, e, c| error_policy(o, e, c.ctx.clone()),
            rctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "restore controller event");
            }
        })
        .await;
}

/// The Failover controller: drills from the primary, and failovers from whichever site is
/// to take over — so it runs in both roles.
async fn failover_controller(
    client: kube::Client,
    ctx: Arc<Context>,
    platform_namespace: &str,
    stop: Stop,
) {
    let fctx = Arc::new(failover::FailoverContext {
        base: (*ctx).clone(),
        agents: Arc::new(failover::GrpcAgents::from_secrets(
            client.clone(),
            platform_namespace,
        )),
        traffic: Arc::new(failover::ServiceSwitch::new(client.clone())),
        decide: pusdata_core::dr::failover::decide,
    });
    let to = reporting(&client, &ctx);
    let (failovers, store) = decode::primary::<Failover>(&to);
    Controller::for_stream(failovers, store)
        .with_config(bounded())
        .watches_stream(
            related_of::<Backup>(
                &ctx,
                &to,
                None,
                watcher::Config::default().labels(failover::FAILOVER_LABEL),
            ),
            backup_owner,
        )
        .graceful_shutdown_on(stop)
        .run(
            |o, c| {
                let base = Arc::new(c.base.clone());
                timed(
                    "failover",
                    reconciling(o.as_ref()),
                    base,
                    failover::reconcile(o, c),
                )
            },
            |o, e, c| error_policy(o, e, Arc::new(c.base.clone())),
            fctx,
        )
        .for_each(|result| async move {
            if let Err(e) = result {
                tracing::debug!(%e, "failover controller event");
            }
        })
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::span::tests::Captured;
    use crate::controllers::testing;
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::ExternalCloudService;

    /// A controller's queue key carries no copy of the uid and resourceVersion, and is
    /// still the key of the object the store holds.
    #[test]
    fn a_trigger_keys_the_stored_object_without_its_uid_and_version() {
        let mut a = fixtures::agency("dinkes");
        a.metadata.uid = Some("5d1f0e02-8c1b-4a53-a3a4-1f6f4c1b2e7d".into());
        a.metadata.resource_version = Some("4711".into());
        let t = trigger(&a);
        let key = ObjectRef::from_obj(&t);
        assert_eq!(key.extra.uid, None);
        assert_eq!(key.extra.resource_version, None);
        assert_eq!(key, ObjectRef::from_obj(&a));
        assert_eq!(t.spec, a.spec);
    }

    #[tokio::test]
    async fn each_reconcile_logs_inside_a_span_naming_its_object() {
        let logs = Captured::default();
        let _default = tracing::subscriber::set_default(logs.subscriber());
        let ctx = Arc::new(testing::context(ClientBuilder::new()).await);
        let mut plan = fixtures::plan();
        plan.metadata.generation = Some(3);
        timed("schedule", reconciling(&plan), ctx.clone(), async {
            tracing::info!("inside the reconcile");
            Ok(Action::await_change())
        })
        .await
        .unwrap();
        let mut backup = fixtures::backup("disdukcapil", "siak-data");
        backup.metadata.name = Some("b-1".into());
        backup.metadata.generation = Some(1);
        error_policy(
            Arc::new(backup),
            &Error::InvalidSpec("spec.plan: missing".into()),
            ctx,
        );
        let lines = logs.lines();
        let span_of = |msg: &str| {
            lines
                .iter()
                .find(|l| l["fields"]["message"] == msg)
                .unwrap_or_else(|| panic!("no line {msg:?} in {lines:#?}"))["span"]
                .clone()
        };
        assert_eq!(
            span_of("inside the reconcile"),
            serde_json::json!({"name": "reconcile", "kind": "DisasterRecoveryPlan",
                "namespace": "", "object": "bekasi", "generation": 3})
        );
        assert_eq!(
            span_of("reconcile failed"),
            serde_json::json!({"name": "reconcile", "kind": "Backup",
                "namespace": "disdukcapil", "object": "b-1", "generation": 1})
        );
    }

    /// Every kind the primary's controllers, caches and audit watch, served by the in-memory
    /// API.
    fn whole_world() -> ClientBuilder {
        use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim};
        testing::agency_world()
            .with_status_subresource::<BackupRepository>()
            .with_status_subresource::<DisasterRecoveryPlan>()
            .with_resource::<Backup>()
            .with_status_subresource::<Backup>()
            .with_resource::<ExternalCloudService>()
            .with_resource::<Failover>()
            .with_status_subresource::<Failover>()
            .with_resource::<Restore>()
            .with_status_subresource::<Restore>()
            .with_resource::<Job>()
            .with_resource::<Namespace>()
            .with_resource::<PersistentVolumeClaim>()
            .with_resource::<ResourceQuota>()
            .with_resource::<LimitRange>()
            .with_resource::<NetworkPolicy>()
            .with_resource::<RoleBinding>()
            .with_resource::<crate::controllers::policyreport::PolicyReport>()
            .with_resource::<crate::controllers::policyreport::ClusterPolicyReport>()
    }

    /// One watch per kind: the controllers of a cached kind run on the shared store and its
    /// changes, and the audit learns of changes from the same watches — no controller keeps
    /// a watch and a store of its own next to the cache (at 1 000 agencies those copies were
    /// most of the operator's memory). Each watcher here watches twice (the first watch
    /// answers `410 Gone` and it lists again), so one watcher per path is two watches.
    #[tokio::test(start_paused = true)]
    async fn the_primary_watches_each_kind_once_and_its_controllers_share_the_caches() {
        use futures::FutureExt;
        let (ctx, quiet) = testing::watching_context(whole_world()).await;
        testing::seed_cluster(&ctx, &fixtures::agency("disdukcapil")).await;
        let (caches, keep) =
            cache::Caches::watch(&ctx.client, &ctx.platform_namespace, &ctx.metrics);
        let caching = tokio::spawn(keep);
        caches.ready().await.unwrap();
        let ctx = Arc::new(Context {
            caches: Some(Arc::new(caches)),
            ..ctx
        });
        let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
        let stop: Stop = async move {
            let _ = stop_rx.await;
        }
        .boxed()
        .shared();
        let run = tokio::spawn(controllers(
            ctx.client.clone(),
            ctx.clone(),
            "pusdata-system",
            MoverSettings::default(),
            stop,
        ));
        // Past the first audit pass and the controllers' first reconciles.
        tokio::time::sleep(Duration::from_secs(90)).await;
        let ready = Api::<Agency>::all(ctx.client.clone());
        let a = testing::as_harness(ready.get("disdukcapil")).await.unwrap();
        assert!(
            a.status.is_some(),
            "the Agency controller, on the shared store, reconciled the agency"
        );
        let watches = quiet.watches.lock().unwrap().clone();
        let twice: Vec<_> = watches
            .iter()
            .filter(|(path, n)| **n > 2 && path.as_str() != "/apis/batch/v1/jobs")
            .collect();
        assert!(
            twice.is_empty(),
            "watched by more than one watcher: {twice:?} (all: {watches:?})"
        );
        for kind in [
            "agencies",
            "hostingrequests",
            "disasterrecoveryplans",
            "backups",
            "sites",
        ] {
            let path = format!("/apis/pusdata.io/v1alpha1/{kind}");
            assert_eq!(watches.get(&path), Some(&2), "{path}: {watches:?}");
        }
        let _ = stop_tx.send(());
        run.await.unwrap();
        caching.abort();
    }

    /// One Agency does not decode (stored before a schema change): the Agency controller's
    /// watch (the shared cache's) reports it — one `Malformed` Event naming the field, one count — and skips it,
    /// and reconciles the good one, through its real run loop. The first watch answers `410
    /// Gone`, so the watch lists again: the same version is not reported twice.
    #[tokio::test(start_paused = true)]
    async fn a_malformed_agency_is_reported_once_and_skipped_while_its_controller_reconciles_the_others()
     {
        use crate::controllers::testing::{as_harness, events_about, seed_cluster};
        use futures::FutureExt;
        use kube::api::PostParams;
        use kube::core::{ApiResource, DynamicObject};
        let (mut ctx, quiet) = testing::watching_context(whole_world()).await;
        seed_cluster(&ctx, &fixtures::agency("disdukcapil")).await;
        let bad: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "pusdata.io/v1alpha1", "kind": "Agency",
            "metadata": {"name": "dishub"},
            "spec": {"code": 42, "namespaces": ["dishub"]}
        }))
        .unwrap();
        as_harness(
            Api::<DynamicObject>::all_with(ctx.client.clone(), &ApiResource::erase::<Agency>(&()))
                .create(&PostParams::default(), &bad),
        )
        .await
        .unwrap();
        // The controller runs on the shared cache of Agencies: its watch is the one that
        // reports the bad one and skips it.
        let (caches, keep) =
            cache::Caches::watch(&ctx.client, &ctx.platform_namespace, &ctx.metrics);
        let caching = tokio::spawn(keep);
        caches.ready().await.unwrap();
        ctx.caches = Some(Arc::new(caches));
        let ctx = Arc::new(ctx);
        let (stop_tx, stop_rx) = futures::channel::oneshot::channel::<()>();
        let stop: Stop = async move {
            let _ = stop_rx.await;
        }
        .boxed()
        .shared();
        let run = tokio::spawn(agency_controller(ctx.client.clone(), ctx.clone(), stop));
        let ready = |a: &Agency| {
            serde_json::to_value(a).unwrap()["status"]["conditions"]
                .as_array()
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c["type"] == "Ready" && c["status"] == "True")
                })
        };
        let agencies = Api::<Agency>::all(ctx.client.clone());
        let mut good = None;
        for _ in 0..60 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let a = as_harness(agencies.get("disdukcapil")).await.unwrap();
            if ready(&a) {
                good = Some(a);
                break;
            }
        }
        assert!(good.is_some(), "the good Agency never became Ready");
        // Let the controller settle, past its relist.
        tokio::time::sleep(Duration::from_secs(30)).await;
        assert!(
            quiet.watches_of("/apis/pusdata.io/v1alpha1/agencies") >= 2,
            "the watch did not list again"
        );
        assert!(
            ctx.metrics
                .encode()
                .contains("pusdata_malformed_objects_total{kind=\"Agency\"} 1"),
            "{}",
            ctx.metrics.encode()
        );
        assert_eq!(
            events_about(&ctx, "default", "dishub").await,
            [("Malformed".to_string(), "Warning".to_string())]
        );
        let notes: Vec<String> = as_harness(
            Api::<k8s_openapi::api::events::v1::Event>::namespaced(ctx.client.clone(), "default")
                .list(&kube::api::ListParams::default()),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("Malformed"))
        .filter_map(|e| e.note)
        .collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].starts_with("Agency dishub does not decode: spec.code: invalid type")
                && notes[0].contains(" / Agency dishub tidak dapat dibaca: spec.code: "),
            "{}",
            notes[0]
        );
        // Skipped: the bad one got no status and no namespace.
        let dishub = as_harness(
            Api::<DynamicObject>::all_with(ctx.client.clone(), &ApiResource::erase::<Agency>(&()))
                .get("dishub"),
        )
        .await
        .unwrap();
        assert!(
            dishub.data.get("status").is_none_or(|s| s.is_null()),
            "{dishub:?}"
        );
        stop_tx.send(()).unwrap();
        run.await.unwrap();
        caching.abort();
    }
}
