//! `pusdata operator`: wires the controllers to the API server. Kept thin on purpose — the
//! reconcile functions are tested against an in-memory API; this only starts them.

use super::{Context, Error, agency, failover, hosting, system_clock};
use futures::StreamExt;
use k8s_openapi::api::core::v1::{LimitRange, ResourceQuota};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::RoleBinding;
use kube::Api;
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;
use pusdata_crds::v1alpha1::{Agency, Approval, Backup, Failover, HostingRequest};
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

/// Runs the controllers until the process is stopped.
pub async fn run(
    platform_namespace: String,
    views: Option<std::net::SocketAddr>,
) -> Result<(), kube::Error> {
    let client = kube::Client::try_default().await?;
    let ctx = Arc::new(Context {
        client: client.clone(),
        clock: system_clock(),
        platform_namespace: platform_namespace.clone(),
        metrics: Default::default(),
    });
    tracing::info!("controllers running: agency, hosting, failover (backup controller follows)");
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
        {
            let ctx = ctx.clone();
            move |o, e, _| error_policy(o, e, ctx.clone())
        },
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
            if let Err(e) = super::racks_view::serve(addr, ctx).await {
                tracing::error!(%e, "rack views stopped");
            }
        });
    }
    futures::join!(agencies, requests, failovers);
    Ok(())
}
