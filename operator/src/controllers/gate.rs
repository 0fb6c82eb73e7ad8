//! The write gate: every request the controllers send goes through it, and once leadership
//! is lost (or SIGTERM arrived) it refuses every write before it leaves the process. A
//! deposed leader's reconciles are cancelled as well (`run`), but a request already being
//! built when the lease lapsed must not reach the API server either: the gate closes first,
//! synchronously, and nothing is awaited before it is shut.
//!
//! The Lease itself is written through the ungated client, so a closed gate can still release
//! the lease on shutdown.

use futures::FutureExt;
use futures::future::BoxFuture;
use hyper::{Method, Request, Response};
use kube::client::Body;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context as TaskContext, Poll};

/// Whether this process may still write. Shared by the gated client and whoever decides
/// leadership; closing is final.
#[derive(Clone, Debug, Default)]
pub struct WriteGate {
    closed: Arc<AtomicBool>,
}

impl WriteGate {
    /// An open gate.
    pub fn new() -> WriteGate {
        WriteGate::default()
    }

    /// Refuses every later write (leadership lost, or shutting down).
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// Whether writes are refused.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// A client that sends through `inner` while the gate is open, and refuses writes (and,
    /// once closed, reads too: a deposed leader has nothing left to look at) afterwards.
    pub fn client(&self, inner: kube::Client) -> kube::Client {
        let ns = inner.default_namespace().to_string();
        kube::Client::new(
            Gated {
                inner,
                gate: self.clone(),
            },
            ns,
        )
    }
}

/// The error a gated request gets.
#[derive(Debug, thiserror::Error)]
#[error("{}", pusdata_core::t!("shell-gate-not-leader", method = .method, path = .path))]
pub struct NotLeader {
    /// The refused request's method.
    pub method: String,
    /// Its path.
    pub path: String,
}

/// Whether a request changes something on the server.
pub fn is_write(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// The tower service behind a gated client.
#[derive(Clone)]
struct Gated {
    inner: kube::Client,
    gate: WriteGate,
}

impl tower_service::Service<Request<Body>> for Gated {
    type Response = Response<Body>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = BoxFuture<'static, Result<Response<Body>, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        // Checked here, when the request is handed over, not when its future is first
        // polled: a write that starts after the gate closed never leaves.
        if self.gate.is_closed() {
            let refused = NotLeader {
                method: req.method().to_string(),
                path: req.uri().path().to_string(),
            };
            return futures::future::ready(Err(refused.into())).boxed();
        }
        let inner = self.inner.clone();
        let gate = self.gate.clone();
        async move {
            // A queued request whose turn comes after the gate closed stays inside too.
            if gate.is_closed() && is_write(req.method()) {
                return Err(NotLeader {
                    method: req.method().to_string(),
                    path: req.uri().path().to_string(),
                }
                .into());
            }
            inner.send(req).await.map_err(Into::into)
        }
        .boxed()
    }
}
