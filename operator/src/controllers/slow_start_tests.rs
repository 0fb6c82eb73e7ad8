//! A slow first start keeps its lease (issue 14, item 3: "after a restart the new process …
//! lost its lease, and went on writing").
//!
//! On tokio's paused clock, controllers shaped as `run` starts them — spawned tasks
//! (`run::Tasks`), each reconciling at most `run::bounded()` objects at once — work through
//! thousands of queued objects, each reconcile taking virtual seconds and sending its
//! requests to an API server that answers a few at a time, in arrival order ([`Server`]: the
//! Lease renewals wait in the same queue as the controllers' requests, as they do in the
//! API server's priority level). The renewal deadline must never be missed while they do;
//! and when the lease is lost after all, no request may leave the process after the lapse.

use super::counting::counted_client;
use super::gate::WriteGate;
use super::leader::{Elector, Standing};
use super::leading::{Ended, Stop, lead};
use super::run::{Tasks, bounded};
use super::testing::{Stalling, tokio_clock};
use futures::{FutureExt, StreamExt};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use kube_fake_client::ClientBuilder;
use pusdata_core::lease::Timing;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const NS: &str = "pusdata-system";
/// Controllers, and objects queued for each at the first start.
const CONTROLLERS: usize = 3;
const OBJECTS: usize = 1_000;
/// Virtual time a reconcile takes besides its requests (decoding, deciding, an agent call).
const RECONCILE: Duration = Duration::from_secs(2);
/// The API server: requests served at once, and how long each takes.
const SEATS: usize = 4;
const PER_REQUEST: Duration = Duration::from_millis(50);

/// An API server that serves `SEATS` requests at a time, `PER_REQUEST` each, in arrival
/// order (tokio's semaphore is fair): a request waits behind everything sent before it.
#[derive(Clone)]
struct Server {
    inner: kube::Client,
    seats: Arc<tokio::sync::Semaphore>,
}

impl tower_service::Service<hyper::Request<kube::client::Body>> for Server {
    type Response = hyper::Response<kube::client::Body>;
    type Error = kube::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, kube::Error>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), kube::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: hyper::Request<kube::client::Body>) -> Self::Future {
        let (inner, seats) = (self.inner.clone(), self.seats.clone());
        async move {
            let _seat = seats.acquire_owned().await.expect("never closed");
            tokio::time::sleep(PER_REQUEST).await;
            inner.send(req).await
        }
        .boxed()
    }
}

/// The world: the in-memory API behind one [`Server`], `CONTROLLERS × OBJECTS` ConfigMaps.
struct World {
    /// Straight to the in-memory API (seeding, reading back).
    admin: kube::Client,
    /// Through the server's queue.
    served: kube::Client,
}

async fn world() -> World {
    // Unauthorized on purpose: what is tested is the timing, not the operator's rights.
    let admin = ClientBuilder::new().build().await.unwrap();
    let ns: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": NS}})).unwrap();
    Api::<Namespace>::all(admin.clone())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
    let api = Api::<ConfigMap>::namespaced(admin.clone(), NS);
    for c in 0..CONTROLLERS {
        for i in 0..OBJECTS {
            let mut cm = ConfigMap::default();
            cm.metadata.name = Some(format!("c{c}-{i:04}"));
            api.create(&PostParams::default(), &cm).await.unwrap();
        }
    }
    let served = kube::Client::new(
        Server {
            inner: admin.clone(),
            seats: Arc::new(tokio::sync::Semaphore::new(SEATS)),
        },
        "default",
    );
    World { admin, served }
}

/// Controller `c`'s objects, as its store and its trigger stream (each object once, as a
/// first list delivers them; the stream then stays open, as a watch does).
fn objects_of(c: usize) -> (Store<ConfigMap>, Vec<ConfigMap>) {
    let (reader, mut writer) = reflector::store();
    let objects: Vec<ConfigMap> = (0..OBJECTS)
        .map(|i| {
            let mut cm = ConfigMap::default();
            cm.metadata.name = Some(format!("c{c}-{i:04}"));
            cm.metadata.namespace = Some(NS.into());
            cm
        })
        .collect();
    writer.apply_watcher_event(&watcher::Event::Init);
    for o in &objects {
        writer.apply_watcher_event(&watcher::Event::InitApply(o.clone()));
    }
    writer.apply_watcher_event(&watcher::Event::InitDone);
    (reader, objects)
}

/// The controllers as `run` starts them: each a kube Controller bounded by `run::bounded()`,
/// spawned as its own task. A reconcile takes `RECONCILE`, then reads its object and writes
/// it, through `client` (the gated one); `done` counts the reconciles that wrote.
async fn controllers(client: kube::Client, done: Arc<AtomicUsize>, stop: Stop) {
    let mut all = Tasks::default();
    for c in 0..CONTROLLERS {
        let (store, objects) = objects_of(c);
        let trigger = futures::stream::iter(objects.into_iter().map(Ok::<_, watcher::Error>))
            .chain(futures::stream::pending());
        let ctx = Arc::new((client.clone(), done.clone()));
        let controller = Controller::for_stream(trigger, store)
            .with_config(bounded())
            .graceful_shutdown_on(stop.clone())
            .run(
                |cm: Arc<ConfigMap>, ctx: Arc<(kube::Client, Arc<AtomicUsize>)>| async move {
                    tokio::time::sleep(RECONCILE).await;
                    let api = Api::<ConfigMap>::namespaced(ctx.0.clone(), NS);
                    let name = cm.metadata.name.clone().unwrap_or_default();
                    api.get(&name).await?;
                    let patch = serde_json::json!({"data": {"reconciled": "yes"}});
                    api.patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                        .await?;
                    ctx.1.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, kube::Error>(Action::await_change())
                },
                |_, _, _| Action::await_change(),
                ctx,
            )
            .for_each(|_| async {});
        all.spawn(controller.boxed());
    }
    all.all_ended().await;
}

fn stop_signal() -> (tokio::sync::watch::Sender<bool>, Stop) {
    let (tx, mut rx) = tokio::sync::watch::channel(false);
    let stop = async move {
        let _ = rx.wait_for(|s| *s).await;
    }
    .boxed()
    .shared();
    (tx, stop)
}

fn elector(client: kube::Client, identity: &str) -> Elector {
    Elector::new(
        Api::<Lease>::namespaced(client, NS),
        "pusdata-operator",
        identity,
        Timing::default(),
        tokio_clock(),
    )
}

/// An elector that took the free lease.
async fn leading(client: kube::Client, identity: &str) -> Elector {
    let mut e = elector(client, identity);
    assert_eq!(e.step().await.unwrap(), Standing::Leading);
    e
}

/// The first start as `run` shapes it: `a` leads while the controllers work through the
/// objects, their requests going through the write gate to `server`.
async fn lead_the_controllers(
    a: &mut Elector,
    server: kube::Client,
    done: &Arc<AtomicUsize>,
    stop: Stop,
) -> Ended {
    let timing = Timing::default();
    let gate = WriteGate::new();
    lead(
        Some(a),
        timing.retry_period.unsigned_abs(),
        timing.renew_deadline.unsigned_abs(),
        &gate,
        stop.clone(),
        controllers(gate.client(server), done.clone(), stop),
    )
    .await
}

/// Three controllers with a thousand objects each, every reconcile two virtual seconds and
/// two requests to a server that serves four at a time: the first start takes minutes of
/// virtual time, and replica A renews its lease through it all — a standby looking every
/// retry period never gets it, and A ends only when told to.
#[tokio::test(start_paused = true)]
async fn a_slow_first_start_over_thousands_of_objects_keeps_its_lease() {
    let w = world().await;
    let timing = Timing::default();
    let mut a = leading(w.served.clone(), "a").await;
    // The standby looks every retry period, through the same server.
    let b_led = Arc::new(AtomicBool::new(false));
    let standby = {
        let b_led = b_led.clone();
        let mut b = elector(w.served.clone(), "b");
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(timing.retry_period.unsigned_abs()).await;
                if matches!(b.step().await, Ok(Standing::Leading)) {
                    b_led.store(true, Ordering::SeqCst);
                }
            }
        })
    };
    let done = Arc::new(AtomicUsize::new(0));
    let (tx, stop) = stop_signal();
    let started = Instant::now();
    // Told to stop once every object was reconciled.
    let watcher = {
        let done = done.clone();
        tokio::spawn(async move {
            while done.load(Ordering::SeqCst) < CONTROLLERS * OBJECTS {
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let _ = tx.send(true);
        })
    };
    let ended = lead_the_controllers(&mut a, w.served.clone(), &done, stop).await;
    let took = Instant::now() - started;
    // Not awaited: after a lapse the objects would never all be reconciled.
    watcher.abort();
    standby.abort();
    // The controllers stop on the same signal as `lead` (`graceful_shutdown_on`, as in
    // `run`): either may be seen first. Never a lapse.
    assert!(
        matches!(ended, Ended::Stopped | Ended::WorkFinished),
        "{ended:?} after {took:?}, {done:?} reconciled"
    );
    assert_eq!(done.load(Ordering::SeqCst), CONTROLLERS * OBJECTS);
    // Minutes of virtual time: far past the renew deadline, many times over.
    assert!(took > Duration::from_secs(200), "{took:?}");
    assert!(!b_led.load(Ordering::SeqCst), "the standby took the lease");
    // Every object was written, through the gate, while leading.
    let written = Api::<ConfigMap>::namespaced(w.admin.clone(), NS)
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .iter()
        .filter(|c| {
            c.data
                .as_ref()
                .is_some_and(|d| d.contains_key("reconciled"))
        })
        .count();
    assert_eq!(written, CONTROLLERS * OBJECTS);
}

/// The same first start, but the server stops answering A's renewals 3 s in: leadership
/// lapses at the renew deadline while hundreds of reconciles are queued or in flight in the
/// spawned controllers, and from that instant on no request of theirs leaves the process
/// (the counting layer between the gate and the server sees none), however long they would
/// still have run.
#[tokio::test(start_paused = true)]
async fn when_the_lease_is_lost_during_a_slow_start_no_request_leaves_after_the_lapse() {
    let w = world().await;
    let stall = Arc::new(AtomicBool::new(false));
    let lease_client = kube::Client::new(
        Stalling {
            inner: w.served.clone(),
            stall: stall.clone(),
        },
        "default",
    );
    let mut a = leading(lease_client, "a").await;
    // Between the gate and the server: what leaves the process.
    let (counted, log) = counted_client(&w.served);
    let done = Arc::new(AtomicUsize::new(0));
    let (_tx, stop) = stop_signal();
    let started = Instant::now();
    let staller = {
        let stall = stall.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(3)).await;
            stall.store(true, Ordering::SeqCst);
        })
    };
    let ended = lead_the_controllers(&mut a, counted, &done, stop).await;
    staller.await.unwrap();
    let lapsed = Instant::now();
    assert_eq!(ended, Ended::LostLease);
    // The last renewal that got through was at 2 s: lapsed 10 s later, before the 15 s lease
    // could be taken by anyone else.
    assert_eq!(lapsed - started, Duration::from_secs(12));
    let before = log.all().len();
    let reconciled = done.load(Ordering::SeqCst);
    assert!(before > 100, "the controllers were busy: {before} requests");
    assert!(reconciled < CONTROLLERS * OBJECTS, "{reconciled}");
    log.clear();
    tokio::time::sleep(Duration::from_secs(600)).await;
    let after = log.all();
    assert!(
        after.is_empty(),
        "{} requests after the lapse, the first: {:?}",
        after.len(),
        after.first()
    );
    assert_eq!(
        done.load(Ordering::SeqCst),
        reconciled,
        "reconciles after the lapse"
    );
}
