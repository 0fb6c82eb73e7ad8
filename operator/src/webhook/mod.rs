//! The validating admission webhook: a thin HTTPS adapter over `policy::evaluate`.
//!
//! [`review`] turns one AdmissionReview body into a response and is tested in-process with
//! real bodies; [`mutate`] stamps approvals and Failover sign-offs with the authenticated
//! approver; [`serve`] is hyper 1 over tokio-rustls, with `/validate`, `/mutate`, `/healthz`
//! and `/metrics`.
//!
//! The rules' context is held in [`State`] behind an atomic pointer: read once per request
//! without a lock, replaced whole when it changes — from manifests given with `--context`
//! (offline, tests) or folded from watches of the cluster ([`cluster`]), so no admission
//! request waits on an API call. The certificate follows its files ([`tls::ReloadingCert`]).

pub mod cluster;
pub(crate) mod metrics;
#[cfg(test)]
mod tests;
pub mod tls;

pub use metrics::Metrics;
pub use tls::{ReloadingCert, tls_acceptor};

use arc_swap::ArcSwap;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use kube::core::DynamicObject;
use kube::core::admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation};
use pusdata_core::finding::{Finding, Severity};
use pusdata_core::policy::{self, Context, UserInfo};
use pusdata_crds::v1alpha1::{EnforcementMode, RecordedIdentity};
use pusdata_crds::{Object, ObjectError};
use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The API server sends at most ~3 MiB objects; anything larger is not an AdmissionReview.
const MAX_BODY: usize = 4 * 1024 * 1024;
/// A client that does not finish its TLS handshake in this time is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the webhook knows and counts.
#[derive(Debug)]
pub struct State {
    /// The rules' context, swapped whole when the cluster changes.
    ctx: ArcSwap<Context>,
    /// `Enforce` / `Monitor` set by flag; `None` follows the active policy.
    mode: Option<EnforcementMode>,
    /// Decision counters.
    pub metrics: Metrics,
}

impl State {
    /// A state over a context, in the context's mode.
    pub fn new(ctx: Context) -> State {
        State {
            ctx: ArcSwap::from_pointee(ctx),
            mode: None,
            metrics: Metrics::new(),
        }
    }

    /// Overrides the policy's enforcement mode (`--mode`).
    pub fn with_mode(mut self, mode: Option<EnforcementMode>) -> State {
        self.mode = mode;
        self
    }

    /// The context requests are checked against now.
    pub fn context(&self) -> Arc<Context> {
        self.ctx.load_full()
    }

    /// Replaces the context; requests already running finish with the one they loaded.
    pub fn set_context(&self, ctx: Context) {
        self.ctx.store(Arc::new(ctx));
    }

    /// The mode in force with `ctx`: the flag's, else the policy's.
    pub fn mode(&self, ctx: &Context) -> EnforcementMode {
        self.mode.unwrap_or(ctx.settings.mode)
    }
}

pub use metrics::Outcome;

/// Reviews one AdmissionReview body at `now`; never panics on any input.
pub fn review(body: &[u8], state: &State, now: jiff::Timestamp) -> (Outcome, String, Vec<u8>) {
    let ctx = state.context();
    let mode = state.mode(&ctx);
    let (outcome, kind, response) = decide(body, &ctx, mode, now);
    state.metrics.count("validate", &kind, outcome, mode);
    (outcome, kind, encode(response))
}

/// The mutating side. On `Approval` creation: writes the authenticated requester into
/// `spec.recordedBy` (SEC-CIA: never what the client sent), refusing what `/validate` would
/// refuse for the approver, so a refused approval is never stamped. On `Failover` creation
/// and update: stamps new step sign-offs the same way and refuses altering a recorded one
/// (`policy::review_signoffs`).
pub fn mutate(body: &[u8], state: &State, now: jiff::Timestamp) -> (Outcome, String, Vec<u8>) {
    let ctx = state.context();
    let mode = state.mode(&ctx);
    let (outcome, kind, response) = decide_mutation(body, &ctx, mode, now);
    state.metrics.count("mutate", &kind, outcome, mode);
    (outcome, kind, encode(response))
}

fn decide_mutation(
    body: &[u8],
    ctx: &Context,
    mode: EnforcementMode,
    now: jiff::Timestamp,
) -> (Outcome, String, AdmissionResponse) {
    let req = match parse(body) {
        Ok(r) => r,
        Err(resp) => return (Outcome::Invalid, "unknown".into(), *resp),
    };
    let kind = req.kind.kind.clone();
    let resp = AdmissionResponse::from(&req);
    let approval = match (&req.operation, req.object.as_ref()) {
        (Operation::Create | Operation::Update, Some(obj))
            if kind == "Failover" && req.sub_resource.is_none() =>
        {
            return stamp_signoffs(&req, obj, resp, ctx, mode, now);
        }
        (Operation::Create, Some(obj)) if kind == "Approval" => {
            match serde_json::to_value(obj).map(Object::from_value) {
                Ok(Ok(Object::Approval(a))) => a,
                _ => {
                    // Admission answers reach whoever applied: both languages.
                    let reason = pusdata_core::t!("shell-webhook-malformed-approval").to_string();
                    return (Outcome::Invalid, kind, resp.deny(reason));
                }
            }
        }
        _ => return (Outcome::Allowed, kind, resp),
    };
    let user = user_info(&req);
    let identity = match policy::review_approval(&approval, &user, ctx, now) {
        Ok(identity) => identity,
        Err(f) => return respond(resp, kind, &[*f], mode),
    };
    let value = match serde_json::to_value(&identity) {
        Ok(v) => v,
        Err(e) => return (Outcome::Invalid, kind, resp.deny(e.to_string())),
    };
    let patch = json_patch::Patch(vec![json_patch::PatchOperation::Add(
        json_patch::AddOperation {
            path: json_patch::jsonptr::PointerBuf::from_tokens(["spec", "recordedBy"]),
            value,
        },
    )]);
    match resp.clone().with_patch(patch) {
        Ok(r) => (Outcome::Allowed, kind, r),
        Err(e) => (Outcome::Invalid, kind, resp.deny(e.to_string())),
    }
}

/// A Failover's sign-offs (`approval.pusdata.io/<step>`): each new one is re-written with the
/// authenticated requester and this webhook's clock (SEC-CIA); an altered or removed one is
/// refused in any mode; an outsider's is refused in Enforce mode.
fn stamp_signoffs(
    req: &AdmissionRequest<DynamicObject>,
    obj: &DynamicObject,
    resp: AdmissionResponse,
    ctx: &Context,
    mode: EnforcementMode,
    now: jiff::Timestamp,
) -> (Outcome, String, AdmissionResponse) {
    let kind = req.kind.kind.clone();
    let empty = Default::default();
    let new = obj.metadata.annotations.as_ref().unwrap_or(&empty);
    let old = req
        .old_object
        .as_ref()
        .map(|o| o.metadata.annotations.as_ref().unwrap_or(&empty));
    let plan = obj
        .data
        .pointer("/spec/plan")
        .and_then(|p| p.as_str())
        .unwrap_or_default();
    // spec.requestedBy: who started it, from the authenticated request (SEC-CIA).
    let requested_by = |o: &DynamicObject| -> Result<Option<RecordedIdentity>, String> {
        match o.data.pointer("/spec/requestedBy") {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| {
                pusdata_core::t!("shell-webhook-malformed-requested-by", error = &e).to_string()
            }),
        }
    };
    let claimed = match requested_by(obj) {
        Ok(c) => c,
        Err(e) => return (Outcome::Invalid, kind, resp.deny(e)),
    };
    let before = match req.old_object.as_ref().map(requested_by).transpose() {
        Ok(b) => b,
        Err(e) => return (Outcome::Invalid, kind, resp.deny(e)),
    };
    let requester = match policy::review_requester(
        before.as_ref().map(Option::as_ref),
        claimed.as_ref(),
        &user_info(req),
        now,
    ) {
        Ok(r) => r,
        // Never Monitor-only: a forged or altered requester is refused in any mode.
        Err(f) => return (Outcome::Denied, kind, resp.deny(line(&f))),
    };
    let review = match policy::review_signoffs(plan, old, new, &user_info(req), ctx, now) {
        Ok(r) => r,
        // An approval once recorded is never changed, Monitor mode or not.
        Err(f) => return (Outcome::Denied, kind, resp.deny(line(&f))),
    };
    let (outcome, kind, decided) = respond(resp.clone(), kind, &review.findings, mode);
    if outcome == Outcome::Denied || (review.stamps.is_empty() && requester.is_none()) {
        return (outcome, kind, decided);
    }
    let mut ops = Vec::with_capacity(review.stamps.len() + 1);
    if let Some(identity) = requester {
        let value = match serde_json::to_value(&identity) {
            Ok(v) => v,
            Err(e) => return (Outcome::Invalid, kind, resp.deny(e.to_string())),
        };
        ops.push(json_patch::PatchOperation::Add(json_patch::AddOperation {
            path: json_patch::jsonptr::PointerBuf::from_tokens(["spec", "requestedBy"]),
            value,
        }));
    }
    for stamp in &review.stamps {
        let value = match serde_json::to_string(&stamp.identity) {
            Ok(v) => serde_json::Value::String(v),
            Err(e) => return (Outcome::Invalid, kind, resp.deny(e.to_string())),
        };
        ops.push(json_patch::PatchOperation::Replace(
            json_patch::ReplaceOperation {
                path: json_patch::jsonptr::PointerBuf::from_tokens([
                    "metadata",
                    "annotations",
                    stamp.key.as_str(),
                ]),
                value,
            },
        ));
    }
    match decided.with_patch(json_patch::Patch(ops)) {
        Ok(r) => (outcome, kind, r),
        Err(e) => (Outcome::Invalid, kind, resp.deny(e.to_string())),
    }
}

fn user_info(req: &AdmissionRequest<DynamicObject>) -> UserInfo {
    UserInfo {
        username: req.user_info.username.clone().unwrap_or_default(),
        uid: req.user_info.uid.clone(),
        groups: req.user_info.groups.clone().unwrap_or_default(),
    }
}

fn encode(response: AdmissionResponse) -> Vec<u8> {
    let fallback = || {
        // Serialising a response of plain strings cannot fail; if it ever did, the API
        // server must still get a well-formed refusal.
        br#"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"","allowed":false}}"#.to_vec()
    };
    let Ok(mut review) = serde_json::to_value(response.into_review()) else {
        return fallback();
    };
    // kube 4.2 writes the patch bytes as a JSON array of numbers (kube-rs/kube#1781); the
    // API server's []byte field is base64 in JSON, so write it that way.
    if let Some(patch) = review.pointer_mut("/response/patch")
        && let Ok(bytes) = serde_json::from_value::<Vec<u8>>(patch.clone())
    {
        *patch = serde_json::Value::String(base64(&bytes));
    }
    serde_json::to_vec(&review).unwrap_or_else(|_| fallback())
}

/// Standard base64 with padding (RFC 4648 §4); one field needs it, not worth a dependency.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn parse(body: &[u8]) -> Result<AdmissionRequest<DynamicObject>, Box<AdmissionResponse>> {
    let review: AdmissionReview<DynamicObject> = serde_json::from_slice(body).map_err(|e| {
        Box::new(AdmissionResponse::invalid(
            pusdata_core::t!("shell-webhook-malformed-review", error = &e).to_string(),
        ))
    })?;
    review.try_into().map_err(|_| {
        Box::new(AdmissionResponse::invalid(
            pusdata_core::t!("shell-webhook-review-without-request").to_string(),
        ))
    })
}

fn decide(
    body: &[u8],
    ctx: &Context,
    mode: EnforcementMode,
    now: jiff::Timestamp,
) -> (Outcome, String, AdmissionResponse) {
    let req = match parse(body) {
        Ok(r) => r,
        Err(resp) => return (Outcome::Invalid, "unknown".into(), *resp),
    };
    let kind = req.kind.kind.clone();
    let resp = AdmissionResponse::from(&req);
    // Who may approve (SEC-CIA) is never exempt: a policy that exempts the platform
    // namespace must not let self-approvals through.
    if kind != "Approval"
        && req
            .namespace
            .as_deref()
            .is_some_and(|ns| ctx.settings.exempt(ns))
    {
        return (Outcome::Exempt, kind, resp);
    }
    // Deleting is never a residency risk, and the object is absent on DELETE/CONNECT.
    let Some(obj) = req
        .object
        .as_ref()
        .filter(|_| matches!(req.operation, Operation::Create | Operation::Update))
    else {
        return (Outcome::Allowed, kind, resp);
    };
    // Rules with a clock (scan age, exception expiry) must not block status writes or the
    // removal of a finalizer on an object whose spec nobody changed: only a spec change is
    // a new request.
    if req.sub_resource.is_some() || spec_unchanged(obj, req.old_object.as_ref()) {
        return (Outcome::Allowed, kind, resp);
    }
    let object = match serde_json::to_value(obj).map(Object::from_value) {
        Ok(Ok(o)) => o,
        // Registered for Pusdata kinds only; anything else is a configuration mistake that
        // must not block unrelated workloads.
        Ok(Err(ObjectError::NotPusdata { .. })) => {
            let mut resp = resp;
            resp.warnings = Some(vec![format!(
                "pusdata webhook does not check kind {kind}; check its webhook configuration"
            )]);
            return (Outcome::Warned, kind, resp);
        }
        Ok(Err(e)) => {
            let reason =
                pusdata_core::t!("shell-webhook-malformed-object", kind = &kind, error = &e)
                    .to_string();
            return (Outcome::Invalid, kind, resp.deny(reason));
        }
        Err(e) => return (Outcome::Invalid, kind, resp.deny(e.to_string())),
    };
    let mut findings = policy::evaluate(&object, ctx, now);
    if let (Object::Approval(a), Operation::Create) = (&object, &req.operation) {
        let user = user_info(&req);
        if let Err(f) = policy::review_approval(a, &user, ctx, now) {
            findings.push(*f);
        }
    }
    respond(resp, kind, &findings, mode)
}

fn spec_unchanged(new: &DynamicObject, old: Option<&DynamicObject>) -> bool {
    old.is_some_and(|old| new.data.get("spec") == old.data.get("spec"))
}

fn respond(
    mut resp: AdmissionResponse,
    kind: String,
    findings: &[Finding],
    mode: EnforcementMode,
) -> (Outcome, String, AdmissionResponse) {
    let denies: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == Severity::Deny)
        .collect();
    let mut warnings: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Warn)
        .map(line)
        .collect();
    if !denies.is_empty() && mode == EnforcementMode::Enforce {
        let message = denies
            .iter()
            .map(|f| line(f))
            .collect::<Vec<_>>()
            .join("; ");
        let mut resp = resp.deny(message);
        if !warnings.is_empty() {
            resp.warnings = Some(warnings);
        }
        return (Outcome::Denied, kind, resp);
    }
    // Monitor mode: admitted, and the person applying still sees what would be denied.
    warnings.extend(denies.iter().map(|f| format!("[Monitor] {}", line(f))));
    if warnings.is_empty() {
        return (Outcome::Allowed, kind, resp);
    }
    resp.warnings = Some(warnings);
    (Outcome::Warned, kind, resp)
}

/// `RULE (article) path: English / Indonesian`.
fn line(f: &Finding) -> String {
    let source = pusdata_core::rules::rule(&f.rule)
        .map(|r| format!(" ({})", r.source))
        .unwrap_or_default();
    format!("{}{source} {}: {}", f.rule, f.path, f.message)
}

/// Serves HTTPS on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    state: Arc<State>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            },
        };
        let acceptor = acceptor.clone();
        let state = state.clone();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => return,
            };
            let service = hyper::service::service_fn(move |req| handle(req, state.clone()));
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await
            {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
}

async fn handle(
    req: Request<Incoming>,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let reply = |status: StatusCode, ctype: &str, body: Vec<u8>| {
        let mut r = Response::new(Full::new(Bytes::from(body)));
        *r.status_mut() = status;
        if let Ok(v) = ctype.parse() {
            r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
        }
        Ok(r)
    };
    let path = req.uri().path().to_string();
    match (req.method(), path.as_str()) {
        (&Method::GET, "/healthz") => reply(StatusCode::OK, "text/plain", b"ok\n".to_vec()),
        (&Method::GET, "/metrics") => reply(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            state.metrics.encode().into_bytes(),
        ),
        (&Method::POST, "/validate" | "/mutate") => {
            // An unreadable or oversized body becomes a malformed review: refused, with a
            // reason, through the same path as any other bad input.
            let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
                Ok(b) => b.to_bytes(),
                Err(_) => Bytes::new(),
            };
            let now = jiff::Timestamp::now();
            let (outcome, kind, json) = if path == "/mutate" {
                mutate(&body, &state, now)
            } else {
                review(&body, &state, now)
            };
            // Debug, not info: the decision counter already tells the rate, and a busy API
            // server would flood the log.
            tracing::debug!(kind, decision = outcome.as_str(), "admission review");
            reply(StatusCode::OK, "application/json", json)
        }
        _ => reply(StatusCode::NOT_FOUND, "text/plain", b"not found\n".to_vec()),
    }
}
