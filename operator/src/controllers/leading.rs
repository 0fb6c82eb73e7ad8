//! Running the controllers while this replica holds the lease, and stopping them at once
//! when it should not any more.
//!
//! - **SIGTERM**: the write gate closes, the controllers are dropped (running reconciles are
//!   cancelled, not awaited) and the lease is released straight away, well inside a pod's
//!   30 s grace period, so the standby takes over at its next look.
//! - **Lease lapse**: a renewal that fails, is refused, or simply does not come back before
//!   the renew deadline ends leadership. The gate closes first — synchronously, before
//!   anything is awaited — so no request of the controllers leaves the process after that
//!   instant; then they are dropped. The renew deadline ends before the lease expires, so the
//!   old leader is silent before anyone may take over.
//!
//! The Lease is read and written through the ungated client; everything else through the
//! gated one (`gate::WriteGate::client`).

use super::gate::WriteGate;
use super::leader::{Elector, Standing};
use futures::future::{BoxFuture, Shared};
use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

/// A future that completes once, shared by everything that must stop together.
pub type Stop = Shared<BoxFuture<'static, ()>>;

/// How leading ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Asked to stop (SIGTERM): the lease was released.
    Stopped,
    /// Leadership lapsed: writes were refused from the lapse on.
    LostLease,
    /// The work ended by itself.
    WorkFinished,
}

/// How long releasing the lease may take on shutdown before the process exits anyway (the
/// lease then expires by itself).
pub const RELEASE_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs `work` while leading. `elector` has just acquired the lease (or is `None`: no
/// election, one replica). Returns once `work` is stopped; it is cancelled by being dropped.
pub async fn lead<W>(
    elector: Option<&mut Elector>,
    retry: Duration,
    renew_deadline: Duration,
    gate: &WriteGate,
    stop: Stop,
    work: W,
) -> Ended
where
    W: Future<Output = ()>,
{
    let Some(elector) = elector else {
        let ended = tokio::select! {
            () = work => Ended::WorkFinished,
            () = stop => Ended::Stopped,
        };
        gate.close();
        return ended;
    };
    let ended = {
        let keeper = keep_leading(&mut *elector, retry, renew_deadline, gate);
        tokio::select! {
            () = work => Ended::WorkFinished,
            () = stop => {
                gate.close();
                Ended::Stopped
            }
            () = keeper => Ended::LostLease,
        }
        // `work` and `keeper` are dropped here: running reconciles are cancelled.
    };
    gate.close();
    if ended != Ended::LostLease {
        match tokio::time::timeout(RELEASE_TIMEOUT, elector.release()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(%e, "releasing the lease failed; it expires by itself"),
            Err(_) => tracing::warn!("releasing the lease timed out; it expires by itself"),
        }
    }
    ended
}

/// Renews every `retry` and returns when leadership lapsed, after closing the gate. A
/// renewal still pending at the deadline counts as failed.
async fn keep_leading(
    elector: &mut Elector,
    retry: Duration,
    renew_deadline: Duration,
    gate: &WriteGate,
) {
    let mut deadline = Instant::now() + renew_deadline;
    loop {
        tokio::select! {
            () = tokio::time::sleep(retry) => {}
            () = tokio::time::sleep_until(deadline) => break,
        }
        let attempt = Instant::now();
        match tokio::time::timeout_at(deadline, elector.step()).await {
            // The elector's own clock agrees (it judges by the renew time it wrote).
            Ok(Ok(Standing::Leading)) if elector.is_leading() => {
                deadline = attempt + renew_deadline;
            }
            Ok(Ok(Standing::Leading)) => break,
            Ok(Ok(Standing::Following { holder })) => {
                tracing::error!(?holder, "another replica holds the lease");
                break;
            }
            Ok(Err(e)) => tracing::warn!(%e, "renewing the lease failed"),
            Err(_) => break,
        }
        if Instant::now() >= deadline {
            break;
        }
    }
    gate.close();
    tracing::error!("leadership lapsed: writes refused, stopping the controllers");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::counting::counted;
    use crate::controllers::testing::{Stalling, context, tokio_clock};
    use futures::FutureExt;
    use k8s_openapi::api::coordination::v1::Lease;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::Api;
    use kube::api::{Patch, PatchParams};
    use kube_fake_client::ClientBuilder;
    use pusdata_core::lease::Timing;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    fn stop_signal() -> (tokio::sync::watch::Sender<bool>, Stop) {
        let (tx, mut rx) = tokio::sync::watch::channel(false);
        let stop = async move {
            let _ = rx.wait_for(|s| *s).await;
        }
        .boxed()
        .shared();
        (tx, stop)
    }

    /// A controller that writes a ConfigMap every 100 ms, recording when each write was
    /// handed to the client.
    async fn busy_controller(client: kube::Client, tries: Arc<Mutex<Vec<Instant>>>) {
        let api: Api<ConfigMap> = Api::namespaced(client, "pusdata-system");
        for i in 0u32.. {
            tries.lock().unwrap().push(Instant::now());
            let cm = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "c"}, "data": {"i": i.to_string()}});
            let _ = api
                .patch("c", &PatchParams::apply("pusdata"), &Patch::Apply(&cm))
                .await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn after_the_lease_lapses_no_request_leaves_the_process() {
        let ctx = context(ClientBuilder::new()).await;
        // The world the controllers write to, counted; the namespace exists.
        seed_ns(&ctx, "pusdata-system").await;
        let (world, log) = counted(&ctx);
        let stall = Arc::new(AtomicBool::new(false));
        let lease_client = kube::Client::new(
            Stalling {
                inner: ctx.client.clone(),
                stall: stall.clone(),
            },
            "default",
        );
        let timing = Timing::default();
        let mut elector = Elector::new(
            Api::<Lease>::namespaced(lease_client, "pusdata-system"),
            "pusdata-operator",
            "a",
            timing,
            tokio_clock(),
        );
        assert_eq!(elector.step().await.unwrap(), Standing::Leading);
        let renewed_at = Instant::now();
        let gate = WriteGate::new();
        let client = gate.client(world.client.clone());
        let tries = Arc::new(Mutex::new(Vec::new()));
        let (_tx, stop) = stop_signal();
        let started = Instant::now();
        // The API stops answering the lease renewals 3 s in (the controllers' own requests
        // still go through: the worst case for a deposed leader).
        let staller = {
            let stall = stall.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(3)).await;
                stall.store(true, Ordering::SeqCst);
            })
        };
        let ended = lead(
            Some(&mut elector),
            Duration::from_secs(2),
            Duration::from_secs(10),
            &gate,
            stop,
            busy_controller(client.clone(), tries.clone()),
        )
        .await;
        staller.await.unwrap();
        let lapsed = Instant::now();
        assert_eq!(ended, Ended::LostLease);
        assert!(gate.is_closed());
        // The last successful renewal was at 2 s; the deadline 10 s later, well before the
        // 15 s lease could be taken by anyone else.
        let last_renewal = renewed_at + Duration::from_secs(2);
        assert_eq!(lapsed - started, Duration::from_secs(12));
        assert!(lapsed < last_renewal + timing.lease_duration.unsigned_abs());
        let writes_before = log.writes().len();
        assert!(writes_before > 50, "the controller wrote while leading");
        // From the lapse on: nothing leaves, whatever is still tried.
        log.clear();
        let api: Api<ConfigMap> = Api::namespaced(client, "pusdata-system");
        let err = api
            .patch(
                "c",
                &PatchParams::apply("pusdata"),
                &Patch::Apply(&serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})),
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("no longer the leader"), "{err}");
        assert!(api.get("c").await.is_err());
        tokio::time::sleep(Duration::from_secs(60)).await;
        assert_eq!(log.all(), Vec::new(), "requests after the lapse");
        // The controller was cancelled at the lapse, not awaited.
        let last_try = *tries.lock().unwrap().last().unwrap();
        assert!(last_try <= lapsed);
    }

    #[tokio::test(start_paused = true)]
    async fn on_sigterm_a_stuck_reconcile_is_cancelled_and_the_lease_released_at_once() {
        let ctx = context(ClientBuilder::new()).await;
        let leases = Api::<Lease>::namespaced(ctx.client.clone(), "pusdata-system");
        let mut elector = Elector::new(
            leases.clone(),
            "pusdata-operator",
            "a",
            Timing::default(),
            tokio_clock(),
        );
        elector.step().await.unwrap();
        let gate = WriteGate::new();
        let (tx, stop) = stop_signal();
        // A reconcile that would take an hour (a failover step waiting for its work).
        let stuck = async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        };
        let started = Instant::now();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            let _ = tx.send(true);
        });
        let ended = lead(
            Some(&mut elector),
            Duration::from_secs(2),
            Duration::from_secs(10),
            &gate,
            stop,
            stuck,
        )
        .await;
        assert_eq!(ended, Ended::Stopped);
        // Stopped and released the moment the signal came: no wait for the reconcile.
        assert_eq!(Instant::now() - started, Duration::from_secs(5));
        assert!(gate.is_closed());
        let lease = leases.get("pusdata-operator").await.unwrap();
        assert_eq!(lease.spec.unwrap().holder_identity, None);
        // A standby acquires at its next look.
        let mut b = Elector::new(
            leases,
            "pusdata-operator",
            "b",
            Timing::default(),
            tokio_clock(),
        );
        assert_eq!(b.step().await.unwrap(), Standing::Leading);
    }

    async fn seed_ns(ctx: &crate::controllers::Context, name: &str) {
        let ns: k8s_openapi::api::core::v1::Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
        crate::controllers::testing::seed_cluster(ctx, &ns).await;
    }
}
