//! `pusdata bench operator-world`: kube-fake-client's in-memory API over plain HTTP on
//! loopback, seeded with a city-sized world, for `pusdata bench operator` (see there). Only
//! in builds with `--features bench-world`: the fake is a test crate, not part of the
//! operator.

use super::BenchWorldArgs;
use crate::error::CliError;

/// Runs the world server until killed; prints `listening on 127.0.0.1:<port>` once seeded.
#[cfg(not(feature = "bench-world"))]
pub fn run(_args: &BenchWorldArgs) -> Result<(), CliError> {
    Err(CliError::Internal(
        "`pusdata bench operator-world` needs a build with `--features bench-world`".into(),
    ))
}

#[cfg(feature = "bench-world")]
pub use served::run;

#[cfg(feature = "bench-world")]
mod served {
    use super::{BenchWorldArgs, CliError};
    use crate::cli::bench_operator::Stats;
    use futures::StreamExt;
    use http_body_util::{BodyExt, Full, StreamBody};
    use hyper::body::{Bytes, Frame, Incoming};
    use hyper::{Request, Response};
    use k8s_openapi::api::core::v1::{Namespace, Secret};
    use kube::Api;
    use kube::api::PostParams;
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{
        Agency, Approval, Backup, BackupRepository, DisasterRecoveryPlan, ExternalCloudService,
        Failover, HostingRequest, Rack, ResidencyPolicy, Restore, Site,
    };
    use std::convert::Infallible;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

    #[derive(Default)]
    struct Counters {
        reads: AtomicU64,
        writes: AtomicU64,
        watches: AtomicU64,
    }

    fn internal(e: impl std::fmt::Display) -> CliError {
        CliError::Internal(e.to_string())
    }

    /// Runs the world server until killed.
    pub fn run(args: &BenchWorldArgs) -> Result<(), CliError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(internal)?;
        runtime.block_on(serve(args.objects, args.agencies))
    }

    async fn create<K>(api: Api<K>, obj: &K) -> Result<(), CliError>
    where
        K: kube::Resource
            + Clone
            + serde::Serialize
            + serde::de::DeserializeOwned
            + std::fmt::Debug,
    {
        api.create(&PostParams::default(), obj)
            .await
            .map(|_| ())
            .map_err(internal)
    }

    /// 1 policy, 2 sites, one plan; `agencies` Agencies with a labelled namespace each and a
    /// BackupRepository each (its Secret is missing: unavailable without any S3 traffic);
    /// the rest of `objects` split between Racks (a third) and web HostingRequests awaiting
    /// approval (two thirds), spread over the agencies' namespaces.
    async fn seed(client: &kube::Client, objects: usize, agencies: usize) -> Result<(), CliError> {
        let c = client;
        create(Api::all(c.clone()), &fixtures::residency_policy()).await?;
        create(Api::all(c.clone()), &fixtures::primary_site()).await?;
        create(
            Api::all(c.clone()),
            &fixtures::drc_site("Kota Bandung", fixtures::BANDUNG),
        )
        .await?;
        let ns_of = |i: usize| format!("agency-{i:04}");
        for i in 0..agencies {
            let code = ns_of(i);
            let mut a = fixtures::agency(&code);
            a.spec.repository_key = Some(pusdata_crds::v1alpha1::SecretKeyRef {
                name: format!("{code}-restic"),
                namespace: None,
                key: "password".into(),
            });
            create(Api::all(c.clone()), &a).await?;
            let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {
                "name": code,
                "labels": {pusdata_core::tenancy::AGENCY_LABEL: code}}}))
            .map_err(internal)?;
            create(Api::all(c.clone()), &ns).await?;
            create(
                Api::all(c.clone()),
                &fixtures::backup_repository(&code, "drc-bandung"),
            )
            .await?;
        }
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "pusdata-system"}}))
                .map_err(internal)?;
        create(Api::all(c.clone()), &ns).await?;
        let _ = Api::<Secret>::namespaced(c.clone(), "pusdata-system");
        let rest = objects.saturating_sub(2 * agencies);
        let racks = rest / 3;
        for i in 0..racks {
            create(
                Api::all(c.clone()),
                &fixtures::rack(&format!("R{i:05}"), "dc-bekasi"),
            )
            .await?;
        }
        for i in 0..rest.saturating_sub(racks) {
            let ns = ns_of(i % agencies.max(1));
            let mut hr = fixtures::web_request(&ns, &format!("www{i}.{ns}.bekasikota.go.id"));
            hr.metadata.name = Some(format!("web-{i:05}"));
            create(Api::namespaced(c.clone(), &ns), &hr).await?;
        }
        Ok(())
    }

    async fn serve(objects: usize, agencies: usize) -> Result<(), CliError> {
        let fake = ClientBuilder::new()
            .with_resource::<Agency>()
            .with_status_subresource::<Agency>()
            .with_resource::<Approval>()
            .with_resource::<Backup>()
            .with_status_subresource::<Backup>()
            .with_resource::<BackupRepository>()
            .with_status_subresource::<BackupRepository>()
            .with_resource::<DisasterRecoveryPlan>()
            .with_status_subresource::<DisasterRecoveryPlan>()
            .with_resource::<ExternalCloudService>()
            .with_resource::<Failover>()
            .with_status_subresource::<Failover>()
            .with_resource::<HostingRequest>()
            .with_status_subresource::<HostingRequest>()
            .with_resource::<Rack>()
            .with_resource::<ResidencyPolicy>()
            .with_resource::<Restore>()
            .with_status_subresource::<Restore>()
            .with_resource::<Site>()
            .with_status_subresource::<Site>()
            .with_resource::<crate::controllers::policyreport::PolicyReport>()
            .with_resource::<crate::controllers::policyreport::ClusterPolicyReport>()
            .build()
            .await
            .map_err(internal)?;
        seed(&fake, objects, agencies).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(internal)?;
        let addr = listener.local_addr().map_err(internal)?;
        println!("listening on {addr}");
        let counters = Arc::new(Counters::default());
        loop {
            let (tcp, _) = listener.accept().await.map_err(internal)?;
            let fake = fake.clone();
            let counters = counters.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| {
                    handle(req, fake.clone(), counters.clone())
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                    .await;
            });
        }
    }

    fn full(status: u16, body: Bytes) -> Response<Body> {
        let mut r = Response::new(Full::new(body).boxed_unsync());
        *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        r
    }

    async fn handle(
        req: Request<Incoming>,
        fake: kube::Client,
        counters: Arc<Counters>,
    ) -> Result<Response<Body>, Infallible> {
        let query = req.uri().query().unwrap_or("").to_string();
        if req.uri().path() == "/bench/stats" {
            let s = Stats {
                reads: counters.reads.load(Ordering::Relaxed),
                writes: counters.writes.load(Ordering::Relaxed),
                watches: counters.watches.load(Ordering::Relaxed),
            };
            let body = serde_json::to_vec(&s).unwrap_or_default();
            return Ok(full(200, Bytes::from(body)));
        }
        if req.method() == hyper::Method::GET && query.split('&').any(|p| p == "watch=true") {
            counters.watches.fetch_add(1, Ordering::Relaxed);
            // Nothing changes in this world but what the operator writes, which the fake
            // cannot stream: the watch stays open, silent, until its timeout.
            let secs = query
                .split('&')
                .find_map(|p| p.strip_prefix("timeoutSeconds="))
                .and_then(|v| v.parse().ok())
                .unwrap_or(290u64);
            let stream = futures::stream::once(async move {
                tokio::time::sleep(Duration::from_secs(secs)).await;
                Ok::<_, Infallible>(Frame::data(Bytes::new()))
            })
            .boxed();
            let mut r = Response::new(BodyExt::boxed_unsync(StreamBody::new(stream)));
            r.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("application/json"),
            );
            return Ok(r);
        }
        if crate::controllers::gate::is_write(req.method()) {
            counters.writes.fetch_add(1, Ordering::Relaxed);
        } else {
            counters.reads.fetch_add(1, Ordering::Relaxed);
        }
        let (parts, body) = req.into_parts();
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let inner = Request::from_parts(parts, kube::client::Body::from(bytes.to_vec()));
        match fake.send(inner).await {
            Ok(resp) => {
                let (parts, body) = resp.into_parts();
                let bytes = body.collect_bytes().await.unwrap_or_default();
                let mut r = full(parts.status.as_u16(), bytes);
                *r.headers_mut() = parts.headers;
                Ok(r)
            }
            Err(e) => Ok(full(
                500,
                Bytes::from(
                    serde_json::json!({"kind": "Status", "status": "Failure", "message": e.to_string(), "code": 500})
                        .to_string(),
                ),
            )),
        }
    }
}
