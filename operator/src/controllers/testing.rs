//! Test support for the controllers: a fixed clock, a context over kube-fake-client, and
//! seeding through the API.
//!
//! Objects are seeded through the API rather than as initial objects: kube-fake-client 0.3
//! files initial cluster-scoped custom resources under namespace "default", where `get` and
//! `patch` on the cluster path cannot find them.

use super::{Clock, Context};
use crate::testkit::authz;
pub use crate::testkit::authz::as_harness;
use crate::testkit::manifests::Site;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::{Resource, ResourceExt};
use kube_fake_client::ClientBuilder;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::sync::Arc;

/// Always 2026-11-25T00:00:00Z.
pub fn fixed_clock() -> Clock {
    Arc::new(|| {
        "2026-11-25T00:00:00Z"
            .parse()
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    })
}

/// The kinds an Agency's reconcile and its neighbours read (status subresources where they
/// write one): the world of the malformed-object tests.
pub fn agency_world() -> ClientBuilder {
    use pusdata_crds::v1alpha1::{
        Agency, Approval, BackupRepository, DisasterRecoveryPlan, HostingRequest, Rack,
        ResidencyPolicy,
    };
    ClientBuilder::new()
        .with_resource::<Agency>()
        .with_status_subresource::<Agency>()
        .with_resource::<HostingRequest>()
        .with_status_subresource::<HostingRequest>()
        .with_resource::<BackupRepository>()
        .with_resource::<Approval>()
        .with_resource::<ResidencyPolicy>()
        .with_resource::<pusdata_crds::v1alpha1::Site>()
        .with_resource::<Rack>()
        .with_resource::<DisasterRecoveryPlan>()
}

/// A controller context over the in-memory API the builder describes. Its client sends as
/// the operator's ServiceAccount and is authorized against the rendered chart's RBAC
/// (`crate::testkit::authz`); the seeding helpers below act as the test harness.
pub async fn context(builder: ClientBuilder) -> Context {
    let admin = builder.build().await.unwrap();
    Context {
        client: authz::client_for(&admin, Site::Primary, authz::Identity::operator()),
        clock: fixed_clock(),
        platform_namespace: "pusdata-system".into(),
        operator_namespace: "pusdata-system".into(),
        metrics: Default::default(),
        backoff: Default::default(),
        caches: None,
    }
}

/// Creates a cluster-scoped object.
pub async fn seed_cluster<K>(ctx: &Context, obj: &K)
where
    K: Resource<DynamicType = ()> + Clone + Serialize + DeserializeOwned + Debug,
{
    as_harness(Api::<K>::all(ctx.client.clone()).create(&PostParams::default(), obj))
        .await
        .unwrap();
}

/// Creates a namespaced object, then writes its status (create ignores it).
pub async fn seed_namespaced<K>(ctx: &Context, obj: &K)
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + Serialize
        + DeserializeOwned
        + Debug,
{
    let api = Api::<K>::namespaced(ctx.client.clone(), &obj.namespace().unwrap());
    as_harness(async {
        api.create(&PostParams::default(), obj).await.unwrap();
        let status = serde_json::to_value(obj).unwrap()["status"].clone();
        if !status.is_null() {
            api.patch_status(
                &obj.name_any(),
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({"status": status})),
            )
            .await
            .unwrap();
        }
    })
    .await
}

/// The Events in `namespace` about the object named `name` (cluster-scoped objects get
/// theirs in `default`), as `(reason, type)` pairs in the order they were recorded.
pub async fn events_about(ctx: &Context, namespace: &str, name: &str) -> Vec<(String, String)> {
    let api =
        kube::Api::<k8s_openapi::api::events::v1::Event>::namespaced(ctx.client.clone(), namespace);
    as_harness(api.list(&kube::api::ListParams::default()))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.regarding.as_ref().and_then(|r| r.name.as_deref()) == Some(name))
        .map(|e| (e.reason.unwrap_or_default(), e.type_.unwrap_or_default()))
        .collect()
}

/// Plays the Job controller and the kubelet: Job `job` in `namespace` finished (`ok` or
/// not) and its Pod (labelled with the Job's name, as the Backup controller finds it) left
/// `message` as its termination message, as a cluster would write them.
pub async fn finish_job(ctx: &Context, namespace: &str, job: &str, ok: bool, message: &str) {
    use k8s_openapi::api::batch::v1::Job;
    use k8s_openapi::api::core::v1::Pod;
    let cond = if ok { "Complete" } else { "Failed" };
    let jobs = Api::<Job>::namespaced(ctx.client.clone(), namespace);
    as_harness(jobs.patch_status(
        job,
        &PatchParams::default(),
        &Patch::Merge(
            &serde_json::json!({"status": {"conditions": [{"type": cond, "status": "True"}]}}),
        ),
    ))
    .await
    .unwrap();
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("{job}-x1"), "namespace": namespace,
                     "labels": {pusdata_core::backup::job::BACKUP_LABEL: job}},
        "spec": {"containers": [{"name": "mover"}]},
        "status": {"phase": if ok { "Succeeded" } else { "Failed" },
                   "containerStatuses": [{"name": "mover", "image": "i", "imageID": "", "ready": false, "restartCount": 0,
                                          "state": {"terminated": {"exitCode": if ok { 0 } else { 2 }, "message": message}}}]}
    }))
    .unwrap();
    seed_namespaced(ctx, &pod).await;
}

/// A Secret in `ns` with string `data`, labelled with its agency when given.
pub fn secret(
    ns: &str,
    name: &str,
    data: &[(&str, &str)],
    agency: Option<&str>,
) -> k8s_openapi::api::core::v1::Secret {
    let mut s = k8s_openapi::api::core::v1::Secret::default();
    s.metadata.name = Some(name.into());
    s.metadata.namespace = Some(ns.into());
    s.metadata.labels = agency.map(|a| {
        std::collections::BTreeMap::from([(
            pusdata_core::tenancy::AGENCY_LABEL.to_string(),
            a.to_string(),
        )])
    });
    s.data = Some(
        data.iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    k8s_openapi::ByteString(v.as_bytes().to_vec()),
                )
            })
            .collect(),
    );
    s
}

/// A clock that follows tokio's (paused) clock from [`fixed_clock`]'s instant.
pub fn tokio_clock() -> Clock {
    let start = tokio::time::Instant::now();
    let base = (fixed_clock())();
    Arc::new(move || {
        let d = jiff::SignedDuration::try_from(start.elapsed()).unwrap_or_default();
        base.checked_add(d).unwrap_or(base)
    })
}

/// A client whose requests hang forever once `stall` is set (an API server that stopped
/// answering this replica, e.g. its lease renewals).
#[derive(Clone)]
pub struct Stalling {
    /// Where requests go while not stalled.
    pub inner: kube::Client,
    /// Set: every later request hangs.
    pub stall: Arc<std::sync::atomic::AtomicBool>,
}

impl tower_service::Service<hyper::Request<kube::client::Body>> for Stalling {
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
        use futures::FutureExt;
        let inner = self.inner.clone();
        let stall = self.stall.load(std::sync::atomic::Ordering::SeqCst);
        async move {
            if stall {
                futures::future::pending::<()>().await;
            }
            inner.send(req).await
        }
        .boxed()
    }
}

/// A client whose watches behave as a real API server's would for a world that does not
/// change by itself: kube-fake-client cannot stream, so each collection's first watch ends at
/// once with `410 Gone` (the watcher lists again, as after a compaction), and every later
/// watch stays open and silent. Everything else goes to `inner`. `lists` counts the
/// collection lists per path, so a test can see the relist.
#[derive(Clone)]
pub struct QuietWatches {
    /// Where everything but watches goes.
    pub inner: kube::Client,
    /// Watches started, per path.
    pub watches: Arc<std::sync::Mutex<std::collections::BTreeMap<String, usize>>>,
}

impl QuietWatches {
    /// Around `inner`.
    pub fn new(inner: kube::Client) -> QuietWatches {
        QuietWatches {
            inner,
            watches: Default::default(),
        }
    }

    /// How many watches were started on `path`.
    pub fn watches_of(&self, path: &str) -> usize {
        self.watches
            .lock()
            .map(|w| w.get(path).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

type QuietBody = http_body_util::combinators::UnsyncBoxBody<bytes::Bytes, kube::Error>;

impl tower_service::Service<hyper::Request<kube::client::Body>> for QuietWatches {
    type Response = hyper::Response<QuietBody>;
    type Error = kube::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, kube::Error>>;
    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), kube::Error>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn call(&mut self, req: hyper::Request<kube::client::Body>) -> Self::Future {
        use futures::{FutureExt, StreamExt};
        use http_body_util::BodyExt;
        let watch = req.method() == hyper::Method::GET
            && req
                .uri()
                .query()
                .is_some_and(|q| q.split('&').any(|p| p == "watch=true"));
        if watch {
            let path = req.uri().path().to_string();
            let first = {
                let mut w = self.watches.lock().unwrap();
                let n = w.entry(path).or_default();
                *n += 1;
                *n == 1
            };
            let gone = serde_json::json!({"type": "ERROR", "object": {
                "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "too old resource version", "reason": "Expired", "code": 410}});
            type Frames = futures::stream::BoxStream<
                'static,
                Result<hyper::body::Frame<bytes::Bytes>, kube::Error>,
            >;
            let frames: Frames = if first {
                futures::stream::iter([Ok(hyper::body::Frame::data(bytes::Bytes::from(format!(
                    "{gone}\n"
                ))))])
                .boxed()
            } else {
                futures::stream::pending().boxed()
            };
            let body = http_body_util::StreamBody::new(frames).boxed_unsync();
            return async move { Ok(hyper::Response::new(body)) }.boxed();
        }
        let inner = self.inner.clone();
        async move {
            let resp = inner.send(req).await?;
            Ok(resp.map(BodyExt::boxed_unsync))
        }
        .boxed()
    }
}

/// [`context`] whose client can watch ([`QuietWatches`], under the authorization layer);
/// also returns the watch layer.
pub async fn watching_context(builder: ClientBuilder) -> (Context, QuietWatches) {
    let admin = builder.build().await.unwrap();
    let quiet = QuietWatches::new(admin);
    let watching = kube::Client::new(quiet.clone(), "default");
    let ctx = Context {
        client: authz::client_for(&watching, Site::Primary, authz::Identity::operator()),
        ..context(ClientBuilder::new()).await
    };
    (ctx, quiet)
}
