//! `pusdata operator`: wires the controllers to the API server. Kept thin on purpose — the
//! reconcile functions are tested against an in-memory API; this only starts them.

use super::{Context, Error, agency, audit, backup, failover, hosting, schedule, system_clock};
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{LimitRange, ResourceQuota};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::{WatchStreamExt, watcher};
use pusdata_crds::v1alpha1::{
    Agency, Approval, Backup, BackupRepository, DisasterRecoveryPlan, ExternalCloudService,
    Failover, HostingRequest, Rack, ResidencyPolicy, Site,
};
use std::sync::Arc;
use std::time::Duration;

/// Invalid specs wait for a change; API trouble backs off. Never a hot loop.
fn error_policy<K>(_object: Arc<K>, error: &Error, _ctx: Arc<Context>) -> Action {
    tracing::warn!(category = error.category(), %error, "reconcile failed");
    match error {
        Error::InvalidSpec(_) => Action::await_change(),
        _ => Action::requeue(Duration::from_secs(30)),
    }
}

/// Runs one reconcile and records it in the metrics (runs, duration, error category).
async fn timed(
    controller: &'static str,
    ctx: Arc<Context>,
    run: impl std::future::Future<Output = Result<Action, Error>>,
) -> Result<Action, Error> {
    let start = std::time::Instant::now();
    let result = run.await;
    let category = result.as_ref().err().map(Error::category);
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

/// Changes of one kind as unit events; watch errors are retried by the watcher's backoff and
/// do not count as changes.
fn changes<K>(api: Api<K>) -> BoxStream<'static, ()>
where
    K: kube::Resource<DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + 'static,
{
    watcher(api, watcher::Config::default())
        .default_backoff()
        .touched_objects()
        .filter_map(|r| futures::future::ready(r.ok().map(|_| ())))
        .boxed()
}

/// A burst of changes (the initial list, a `kubectl apply -f dir/`) becomes one audit pass.
const AUDIT_DEBOUNCE: Duration = Duration::from_secs(2);

/// The background audit: a pass now, then after `audit::PERIOD` (or an exception's expiry)
/// or as soon as a Pusdata object changes, whichever comes first.
async fn audit_loop(ctx: Arc<Context>) {
    let c = &ctx.client;
    let mut changed = futures::stream::select_all([
        changes(Api::<ResidencyPolicy>::all(c.clone())),
        changes(Api::<Site>::all(c.clone())),
        changes(Api::<Rack>::all(c.clone())),
        changes(Api::<Agency>::all(c.clone())),
        changes(Api::<Approval>::namespaced(
            c.clone(),
            &ctx.platform_namespace,
        )),
        changes(Api::<BackupRepository>::all(c.clone())),
        changes(Api::<DisasterRecoveryPlan>::all(c.clone())),
        changes(Api::<HostingRequest>::all(c.clone())),
        changes(Api::<ExternalCloudService>::all(c.clone())),
    ]);
    loop {
        let start = std::time::Instant::now();
        let result = audit::audit_once(&ctx).await;
        let category = result.as_ref().err().map(Error::category);
        ctx.metrics.reconciled("audit", start.elapsed(), category);
        let wait = match result {
            Ok(o) => {
                tracing::info!(applied = ?o.applied, deleted = ?o.deleted, "policy audit pass");
                o.next_run((ctx.clock)())
            }
            Err(e) => {
                tracing::warn!(category = e.category(), %e, "policy audit failed");
                Duration::from_secs(30)
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            Some(()) = changed.next() => {
                tokio::time::sleep(AUDIT_DEBOUNCE).await;
                while let Some(Some(())) = changed.next().now_or_never() {}
            }
        }
    }
}

/// Runs the controllers until the process is stopped.
pub async fn run(
    platform_namespace: String,
    views: Option<std::net::SocketAddr>,
    mover: pusdata_core::backup::job::MoverSettings,
) -> Result<(), kube::Error> {
    let client = kube::Client::try_default().await?;
    let ctx = Arc::new(Context {
        client: client.clone(),
        clock: system_clock(),
        platform_namespace: platform_namespace.clone(),
        metrics: Default::default(),
    });
    tracing::info!(
        "controllers running: agency, hosting, schedule, backup, failover, policy audit"
    );
    let agencies = Controller::new(
        Api::<Agency>::all(client.clone()),
        watcher::Config::default(),
    )
    .owns(
        Api::<ResourceQuota>::all(client.clone()),
        watcher::Config::default(),
    )
    .owns(
        Api::<LimitRange>::all(client.clone()),
        watcher::Config::default(),
    )
    .owns(
        Api::<NetworkPolicy>::all(client.clone()),
        watcher::Config::default(),
    )
    .owns(
        Api::<RoleBinding>::all(client.clone()),
        watcher::Config::default(),
    )
    .shutdown_on_signal()
    .run(
        |o, c| timed("agency", c.clone(), agency::reconcile(o, c)),
        error_policy,
        ctx.clone(),
    )
    .for_each(|result| async move {
        if let Err(e) = result {
            tracing::debug!(%e, "agency controller event");
        }
    });
    let requests = Controller::new(
        Api::<HostingRequest>::all(client.clone()),
        watcher::Config::default(),
    )
    .watches(
        Api::<Approval>::namespaced(client.clone(), &platform_namespace),
        watcher::Config::default(),
        approval_target,
    )
    .shutdown_on_signal()
    .run(
        |o, c| timed("hosting", c.clone(), hosting::reconcile(o, c)),
        error_policy,
        ctx.clone(),
    )
    .for_each(|result| async move {
        if let Err(e) = result {
            tracing::debug!(%e, "hosting controller event");
        }
    });
    // A plan reconciles when it or one of its Backup runs changes, and at its next slot.
    let plans = Controller::new(
        Api::<DisasterRecoveryPlan>::all(client.clone()),
        watcher::Config::default(),
    )
    .owns(
        Api::<Backup>::all(client.clone()),
        watcher::Config::default(),
    )
    .shutdown_on_signal()
    .run(
        |o, c| timed("schedule", c.clone(), schedule::reconcile(o, c)),
        error_policy,
        ctx.clone(),
    )
    .for_each(|result| async move {
        if let Err(e) = result {
            tracing::debug!(%e, "schedule controller event");
        }
    });
    let bctx = Arc::new(backup::BackupContext {
        ctx: ctx.clone(),
        exec: Arc::new(backup::KubeExec {
            client: client.clone(),
        }),
        settings: mover,
    });
    let runs = Controller::new(
        Api::<Backup>::all(client.clone()),
        watcher::Config::default(),
    )
    .owns(
        Api::<Job>::all(client.clone()),
        watcher::Config::default().labels(pusdata_core::backup::job::BACKUP_LABEL),
    )
    .shutdown_on_signal()
    .run(
        |o, c| timed("backup", c.ctx.clone(), backup::reconcile(o, c)),
        |o, e, c| error_policy(o, e, c.ctx.clone()),
        bctx,
    )
    .for_each(|result| async move {
        if let Err(e) = result {
            tracing::debug!(%e, "backup controller event");
        }
    });
    let fctx = Arc::new(failover::FailoverContext {
        base: (*ctx).clone(),
        agents: Arc::new(failover::GrpcAgents::from_secrets(
            client.clone(),
            &platform_namespace,
        )),
        traffic: Arc::new(failover::ServiceSwitch::new(client.clone())),
    });
    let failovers = Controller::new(
        Api::<Failover>::all(client.clone()),
        watcher::Config::default(),
    )
    .watches(
        Api::<Backup>::all(client.clone()),
        watcher::Config::default().labels(failover::FAILOVER_LABEL),
        backup_owner,
    )
    .shutdown_on_signal()
    .run(
        |o, c| {
            let base = Arc::new(c.base.clone());
            timed("failover", base, failover::reconcile(o, c))
        },
        |o, e, c| error_policy(o, e, Arc::new(c.base.clone())),
        fctx,
    )
    .for_each(|result| async move {
        if let Err(e) = result {
            tracing::debug!(%e, "failover controller event");
        }
    });
    if let Some(addr) = views {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            if let Err(e) = super::http::serve(addr, ctx).await {
                tracing::error!(%e, "probes, metrics and views stopped");
            }
        });
    }
    // The audit loop never ends by itself: it stops with the controllers (on a signal).
    tokio::select! {
        _ = futures::future::join5(agencies, requests, plans, runs, failovers) => {}
        () = audit_loop(ctx.clone()) => {}
    }
    Ok(())
}
