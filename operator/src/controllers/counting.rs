//! A counting layer around the in-memory API, for the quiet-steady-state tests: it records
//! every request a reconcile sends (reads and writes, by method and path) and models one
//! thing the real API server enforces that kube-fake-client does not — an object cannot be
//! created in a namespace that does not exist (`404 namespaces "x" not found`), which is how
//! a plan member with a missing namespace failed on a real cluster.
//!
//! `counted(&ctx)` returns a context whose client goes through the layer, and the log.

use super::Context;
use futures::FutureExt;
use futures::future::BoxFuture;
use hyper::{Method, Request, Response};
use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use kube::client::Body;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

/// One request as sent: method and path (query left out).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// `GET`, `PATCH`, …
    pub method: String,
    /// `/apis/pusdata.io/v1alpha1/backuprepositories/x/status`, …
    pub path: String,
    /// Whether it was a `watch=true` request.
    pub watch: bool,
}

impl Sent {
    /// Whether the request changes something (POST, PUT, PATCH, DELETE).
    pub fn is_write(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
    }
}

impl std::fmt::Display for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Everything sent through the layer.
#[derive(Clone, Default)]
pub struct Log {
    sent: Arc<Mutex<Vec<Sent>>>,
}

impl Log {
    /// Forgets what was sent so far (the convergence rounds).
    pub fn clear(&self) {
        self.sent.lock().unwrap().clear();
    }

    /// Every write since the last `clear`, as `METHOD path` lines.
    pub fn writes(&self) -> Vec<String> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.is_write())
            .map(ToString::to_string)
            .collect()
    }

    /// Every read (GET, not watch) since the last `clear`.
    pub fn reads(&self) -> Vec<String> {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .filter(|s| !s.is_write() && !s.watch)
            .map(ToString::to_string)
            .collect()
    }

    /// Every request since the last `clear`.
    pub fn all(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }
}

#[derive(Clone)]
struct Counting {
    inner: kube::Client,
    log: Log,
}

/// The namespace a namespaced create goes to: `/api(s)/…/namespaces/{ns}/{resource}…`.
fn target_namespace(path: &str) -> Option<&str> {
    let parts: Vec<&str> = path.split('/').collect();
    let i = parts.iter().position(|p| *p == "namespaces")?;
    // `/api/v1/namespaces/{name}` is the Namespace itself.
    if parts.len() <= i + 2 {
        return None;
    }
    parts.get(i + 1).copied()
}

fn not_found(ns: &str) -> Response<Body> {
    let status = serde_json::json!({
        "kind": "Status", "apiVersion": "v1", "status": "Failure",
        "message": format!("namespaces \"{ns}\" not found"),
        "reason": "NotFound", "details": {"name": ns, "kind": "namespaces"}, "code": 404
    });
    let mut resp = Response::new(Body::from(status.to_string().into_bytes()));
    *resp.status_mut() = hyper::StatusCode::NOT_FOUND;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

impl tower_service::Service<Request<Body>> for Counting {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = BoxFuture<'static, Result<Response<Body>, kube::Error>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), kube::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        let sent = Sent {
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            watch: req.uri().query().is_some_and(|q| q.contains("watch=true")),
        };
        self.log.sent.lock().unwrap().push(sent.clone());
        let inner = self.inner.clone();
        async move {
            let creates = *req.method() == Method::POST
                || (*req.method() == Method::PATCH
                    && req
                        .headers()
                        .get(hyper::header::CONTENT_TYPE)
                        .is_some_and(|v| v.as_bytes().starts_with(b"application/apply-patch")));
            if creates && let Some(ns) = target_namespace(&sent.path) {
                // Unlogged: the real server checks this internally, no request is sent.
                let exists = Api::<Namespace>::all(inner.clone())
                    .get_opt(ns)
                    .await?
                    .is_some();
                if !exists {
                    return Ok(not_found(ns));
                }
            }
            inner.send(req).await
        }
        .boxed()
    }
}

/// A copy of `ctx` whose client counts every request, and the log it fills. Two calls over
/// the same context share the stored world but not the log.
pub fn counted(ctx: &Context) -> (Context, Log) {
    let (client, log) = counted_client(&ctx.client);
    let mut out = ctx.clone();
    out.client = client;
    (out, log)
}

/// `client` through the counting layer, and the log it fills.
pub fn counted_client(client: &kube::Client) -> (kube::Client, Log) {
    let log = Log::default();
    let service = Counting {
        inner: client.clone(),
        log: log.clone(),
    };
    (kube::Client::new(service, "default"), log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_namespace_of_a_namespaced_path_and_none_for_a_namespace() {
        assert_eq!(
            target_namespace("/apis/pusdata.io/v1alpha1/namespaces/dinkes/backups"),
            Some("dinkes")
        );
        assert_eq!(
            target_namespace("/api/v1/namespaces/dinkes/secrets/x"),
            Some("dinkes")
        );
        assert_eq!(target_namespace("/api/v1/namespaces/dinkes"), None);
        assert_eq!(
            target_namespace("/apis/pusdata.io/v1alpha1/agencies/x"),
            None
        );
    }
}
