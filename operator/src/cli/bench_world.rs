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
mod hub;

#[cfg(feature = "bench-world")]
mod served {
    use super::hub;
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
    use std::collections::BTreeMap;
    use std::convert::Infallible;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    type Body = http_body_util::combinators::UnsyncBoxBody<Bytes, Infallible>;

    /// The served world: the fake, its watch events, and the request counters.
    struct World {
        fake: kube::Client,
        hub: hub::Hub,
        writing: tokio::sync::Mutex<()>,
        reads: AtomicU64,
        writes: AtomicU64,
        watches: AtomicU64,
        by_request: std::sync::Mutex<BTreeMap<String, u64>>,
    }

    impl World {
        fn count(&self, method: &hyper::Method, target: Option<&hub::Target>, watch: bool) {
            let counter = if watch {
                &self.watches
            } else if crate::controllers::gate::is_write(method) {
                &self.writes
            } else {
                &self.reads
            };
            counter.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut m) = self.by_request.lock() {
                *m.entry(request_key(method, target, watch)).or_default() += 1;
            }
        }

        fn stats(&self) -> Stats {
            Stats {
                reads: self.reads.load(Ordering::Relaxed),
                writes: self.writes.load(Ordering::Relaxed),
                watches: self.watches.load(Ordering::Relaxed),
                by_request: self
                    .by_request
                    .lock()
                    .map(|m| m.clone())
                    .unwrap_or_default(),
            }
        }
    }

    fn internal(e: impl std::fmt::Display) -> CliError {
        CliError::Internal(e.to_string())
    }

    /// Runs the world server until killed.
    pub fn run(args: &BenchWorldArgs) -> Result<(), CliError> {
        // Several workers: a list of thousands of objects is answered in one synchronous call
        // of the fake, and a Lease renewal must not wait behind a queue of them (on one
        // worker, a restart's thirty lists held renewals past the operator's deadline).
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
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
        // The resourceVersion the seeded world is at: that of one more object.
        let probe: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "bench-world-seeded"}}))
                .map_err(internal)?;
        let probe = Api::<Namespace>::all(fake.clone())
            .create(&PostParams::default(), &probe)
            .await
            .map_err(internal)?;
        let rv = probe
            .metadata
            .resource_version
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(internal)?;
        let addr = listener.local_addr().map_err(internal)?;
        println!("listening on {addr}");
        let world = Arc::new(World {
            fake,
            hub: hub::Hub::new(rv),
            writing: tokio::sync::Mutex::new(()),
            reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            watches: AtomicU64::new(0),
            by_request: Default::default(),
        });
        loop {
            let (tcp, _) = listener.accept().await.map_err(internal)?;
            let world = world.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| handle(req, world.clone()));
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

    fn failure(code: u16, message: &str) -> Response<Body> {
        full(
            code,
            Bytes::from(
                serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                    "message": message, "code": code})
                .to_string(),
            ),
        )
    }

    /// A request to the fake, answered in full: status and JSON body.
    async fn ask(
        fake: &kube::Client,
        method: hyper::Method,
        uri: &str,
        headers: Option<hyper::HeaderMap>,
        body: Vec<u8>,
    ) -> (u16, hyper::HeaderMap, Bytes) {
        let mut req = Request::new(kube::client::Body::from(body));
        *req.method_mut() = method;
        *req.uri_mut() = match uri.parse() {
            Ok(u) => u,
            Err(e) => return (400, hyper::HeaderMap::new(), Bytes::from(e.to_string())),
        };
        if let Some(h) = headers {
            *req.headers_mut() = h;
        }
        match fake.send(req).await {
            Ok(resp) => {
                let (parts, body) = resp.into_parts();
                let bytes = body.collect_bytes().await.unwrap_or_default();
                (parts.status.as_u16(), parts.headers, bytes)
            }
            Err(e) => (500, hyper::HeaderMap::new(), Bytes::from(e.to_string())),
        }
    }

    /// Whether the client asked for `PartialObjectMetadata` (a metadata-only watch or list).
    fn wants_metadata(req: &Request<Incoming>) -> bool {
        req.headers()
            .get(hyper::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("as=PartialObjectMetadata"))
    }

    /// The counters' key of a request: verb and resource (and subresource).
    fn request_key(method: &hyper::Method, target: Option<&hub::Target>, watch: bool) -> String {
        let verb = if watch { "WATCH" } else { method.as_str() };
        match target {
            Some(t) => {
                let resource = t.collection.rsplit('/').next().unwrap_or("");
                match &t.subresource {
                    Some(sub) => format!("{verb} {resource}/{sub}"),
                    None if t.name.is_none() && !watch && verb == "GET" => {
                        format!("LIST {resource}")
                    }
                    None => format!("{verb} {resource}"),
                }
            }
            None => verb.to_string(),
        }
    }

    /// A page of a list: everything the fake lists, in a stable order, from the `continue`
    /// offset; the page carries the resourceVersion the list was started at, and a
    /// `continue` token while items remain. (The fake itself cut a list at `limit` and gave
    /// no `continue`: a watcher, paging by 500, saw only the first 500 of each kind.)
    async fn list(
        fake: &kube::Client,
        hub: &hub::Hub,
        path: &str,
        query: &str,
        metadata: bool,
    ) -> Response<Body> {
        match list_page(fake, hub, path, query, metadata).await {
            Ok(list) => full(
                200,
                Bytes::from(serde_json::to_vec(&list).unwrap_or_default()),
            ),
            Err(r) => r,
        }
    }

    /// [`list`]'s page as JSON, or the error response.
    pub(super) async fn list_page(
        fake: &kube::Client,
        hub: &hub::Hub,
        path: &str,
        query: &str,
        metadata: bool,
    ) -> Result<serde_json::Value, Response<Body>> {
        let (offset, rv) = hub::param(query, "continue")
            .and_then(|c| {
                let (o, r) = c.split_once(':')?;
                Some((o.parse::<usize>().ok()?, r.parse::<u64>().ok()?))
            })
            .unwrap_or_else(|| (0, hub.current()));
        let limit = hub::param(query, "limit")
            .and_then(|l| l.parse::<usize>().ok())
            .filter(|l| *l > 0);
        let kept: Vec<&str> = query
            .split('&')
            .filter(|p| {
                let k = p.split('=').next().unwrap_or("");
                !matches!(
                    k,
                    "limit" | "continue" | "resourceVersion" | "resourceVersionMatch"
                )
            })
            .collect();
        let uri = format!("{path}?{}", kept.join("&"));
        // The later pages of a list come from the copy its first page took (a real server
        // pages one snapshot too), not from listing everything again per page.
        let (mut list, items) = match hub.page_source(&uri, rv, offset) {
            Some(found) => found,
            None => {
                let (status, _, bytes) =
                    ask(fake, hyper::Method::GET, &uri, None, Vec::new()).await;
                if status != 200 {
                    return Err(full(status, bytes));
                }
                let Ok(mut list) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                    return Err(failure(500, "the fake's list did not decode"));
                };
                let items = match list.get_mut("items").map(serde_json::Value::take) {
                    Some(serde_json::Value::Array(items)) => items,
                    _ => Vec::new(),
                };
                (list, items)
            }
        };
        let mut items = items;
        let key = |o: &serde_json::Value| {
            let m = |k: &str| {
                o.pointer(&format!("/metadata/{k}"))
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or("")
                    .to_string()
            };
            (m("namespace"), m("name"))
        };
        items.sort_by_key(key);
        let end = limit.map_or(items.len(), |l| (offset + l).min(items.len()));
        let more = end < items.len();
        if more {
            hub.keep_pages(&uri, rv, end, &list, &items);
        }
        let mut page: Vec<serde_json::Value> = items
            .into_iter()
            .skip(offset)
            .take(end.saturating_sub(offset))
            .collect();
        if metadata {
            page = page.iter().map(hub::metadata_only).collect();
            list["apiVersion"] = "meta.k8s.io/v1".into();
            list["kind"] = "PartialObjectMetadataList".into();
        }
        list["items"] = serde_json::Value::Array(page);
        list["metadata"] = serde_json::json!({"resourceVersion": rv.to_string()});
        if more {
            list["metadata"]["continue"] = format!("{end}:{rv}").into();
        }
        Ok(list)
    }

    /// A watch: the events after its resourceVersion, then live ones, until its timeout.
    fn watch(hub: &hub::Hub, target: &hub::Target, query: &str, metadata: bool) -> Response<Body> {
        let secs = hub::param(query, "timeoutSeconds")
            .and_then(|v| v.parse().ok())
            .unwrap_or(290u64);
        let from = hub::param(query, "resourceVersion")
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|v| *v > 0)
            .unwrap_or_else(|| hub.current());
        let mut w = hub.watch(from, &hub::Selector::new(target, query));
        let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
        tokio::spawn(async move {
            let deadline = tokio::time::sleep(Duration::from_secs(secs));
            tokio::pin!(deadline);
            loop {
                let ev = tokio::select! {
                    () = &mut deadline => break,
                    ev = w.next() => match ev { Some(ev) => ev, None => break },
                };
                let line = if metadata {
                    hub::line(ev.kind, &hub::metadata_only(&ev.object))
                } else {
                    hub::line(ev.kind, &ev.object)
                };
                if tx.send(Bytes::from(line)).await.is_err() {
                    break;
                }
            }
        });
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
        })
        .boxed();
        let mut r = Response::new(BodyExt::boxed_unsync(StreamBody::new(stream)));
        r.headers_mut().insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json"),
        );
        r
    }

    /// A write, forwarded to the fake; what it changed becomes a watch event. Writes are
    /// answered one at a time so that events are logged in resourceVersion order.
    async fn write(
        world: &World,
        req: Request<Incoming>,
        target: Option<hub::Target>,
    ) -> Response<Body> {
        // Lease renewals skip the queue, as the API server's own priority level for leader
        // election does: a queue of the operator's other writes must not starve them.
        let leases = target
            .as_ref()
            .is_some_and(|t| t.collection.ends_with("/leases"));
        let _one_at_a_time = match leases {
            true => None,
            false => Some(world.writing.lock().await),
        };
        let (parts, body) = req.into_parts();
        let path = parts.uri.path().to_string();
        let object_path = match &target {
            Some(t) if t.subresource.is_some() => path
                .rsplit_once('/')
                .map_or(path.clone(), |(p, _)| p.to_string()),
            _ => path.clone(),
        };
        let before = match target.as_ref().and_then(|t| t.name.as_ref()) {
            Some(_) => {
                let (status, _, bytes) = ask(
                    &world.fake,
                    hyper::Method::GET,
                    &object_path,
                    None,
                    Vec::new(),
                )
                .await;
                (status == 200)
                    .then(|| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
                    .flatten()
            }
            None => None,
        };
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let deleting = parts.method == hyper::Method::DELETE;
        let uri = parts.uri.to_string();
        let (status, headers, answer) = ask(
            &world.fake,
            parts.method,
            &uri,
            Some(parts.headers),
            bytes.to_vec(),
        )
        .await;
        if (200..300).contains(&status)
            && let Some(t) = &target
        {
            let after = serde_json::from_slice::<serde_json::Value>(&answer).ok();
            let before_rv = before.as_ref().and_then(hub::rv_of);
            match (deleting, after, before) {
                (true, _, Some(old)) => world.hub.record(&t.collection, before_rv, old, true),
                (false, Some(new), _)
                    if new.get("kind").and_then(|k| k.as_str()) != Some("Status") =>
                {
                    world.hub.record(&t.collection, before_rv, new, false)
                }
                _ => {}
            }
        }
        let mut r = full(status, answer);
        *r.headers_mut() = headers;
        r
    }

    async fn handle(
        req: Request<Incoming>,
        world: Arc<World>,
    ) -> Result<Response<Body>, Infallible> {
        let query = req.uri().query().unwrap_or("").to_string();
        let path = req.uri().path().to_string();
        if path == "/bench/stats" {
            let s = world.stats();
            let body = serde_json::to_vec(&s).unwrap_or_default();
            return Ok(full(200, Bytes::from(body)));
        }
        let target = hub::parse(&path);
        let watching = req.method() == hyper::Method::GET
            && hub::param(&query, "watch").as_deref() == Some("true");
        world.count(req.method(), target.as_ref(), watching);
        let metadata = wants_metadata(&req);
        if watching {
            return Ok(match &target {
                Some(t) => watch(&world.hub, t, &query, metadata),
                None => failure(404, "not a watchable path"),
            });
        }
        if crate::controllers::gate::is_write(req.method()) {
            return Ok(write(&world, req, target).await);
        }
        if req.method() == hyper::Method::GET
            && let Some(t) = &target
            && t.name.is_none()
        {
            return Ok(list(&world.fake, &world.hub, &path, &query, metadata).await);
        }
        let (status, headers, bytes) = ask(
            &world.fake,
            req.method().clone(),
            &req.uri().to_string(),
            Some(req.headers().clone()),
            Vec::new(),
        )
        .await;
        let bytes = match (metadata, status) {
            (true, 200) => serde_json::from_slice::<serde_json::Value>(&bytes)
                .map(|o| {
                    Bytes::from(serde_json::to_vec(&hub::metadata_only(&o)).unwrap_or_default())
                })
                .unwrap_or(bytes),
            _ => bytes,
        };
        let mut r = full(status, bytes);
        *r.headers_mut() = headers;
        Ok(r)
    }
}

#[cfg(all(test, feature = "bench-world"))]
mod tests {
    use super::served::list_page;
    use k8s_openapi::api::core::v1::Namespace;
    use kube::Api;
    use kube::api::PostParams;

    #[tokio::test]
    async fn a_watchers_list_is_paged_to_the_end_and_carries_the_worlds_resource_version() {
        let fake = kube_fake_client::ClientBuilder::new()
            .build()
            .await
            .unwrap();
        for n in ["c", "a", "b"] {
            let ns: Namespace =
                serde_json::from_value(serde_json::json!({"metadata": {"name": n}})).unwrap();
            Api::<Namespace>::all(fake.clone())
                .create(&PostParams::default(), &ns)
                .await
                .unwrap();
        }
        let hub = super::hub::Hub::new(3);
        let first = list_page(
            &fake,
            &hub,
            "/api/v1/namespaces",
            "limit=2&resourceVersion=0",
            false,
        )
        .await
        .ok()
        .unwrap();
        let names = |l: &serde_json::Value| -> Vec<String> {
            l["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
                .collect()
        };
        assert_eq!(names(&first), ["a", "b"]);
        assert_eq!(first["metadata"]["resourceVersion"], "3");
        let token = first["metadata"]["continue"].as_str().unwrap().to_string();
        let second = list_page(
            &fake,
            &hub,
            "/api/v1/namespaces",
            &format!("limit=2&continue={token}"),
            true,
        )
        .await
        .ok()
        .unwrap();
        assert_eq!(names(&second), ["c"]);
        assert_eq!(second["metadata"].get("continue"), None);
        assert_eq!(second["kind"], "PartialObjectMetadataList");
        assert_eq!(second["items"][0]["kind"], "PartialObjectMetadata");
    }
}
