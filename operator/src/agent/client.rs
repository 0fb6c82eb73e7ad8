//! The primary's client of a peer site's agent: a deadline on every call, and bounded
//! retries with backoff for calls that are safe to repeat.
//!
//! Every call of the contract is safe to repeat: `Heartbeat` changes nothing the caller
//! cares about, and the others carry a request id that the agent answers once. So every
//! call is retried — but only when the failure says the request may not have been handled
//! (`Unavailable`, or our own deadline), never on an answer.

use super::proto::{
    DemoteRequest, DiscardRequest, Fence, HeartbeatRequest, HeartbeatResponse, PromoteRequest,
    RestoreRequest, StatusEvent, StatusRequest, VerifyRequest, WorkResponse,
    site_agent_client::SiteAgentClient,
};
use super::tls::TlsMaterial;
use std::future::Future;
use tonic_health::pb::{
    HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
};

/// The fully qualified service name, as registered with the health service.
pub const SITE_AGENT_SERVICE: &str = "pusdata.agent.v1.SiteAgent";
use std::time::Duration;
use tonic::transport::{Channel, ClientTlsConfig, Endpoint};
use tonic::{Code, Status};

/// How to reach a peer agent.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://host:port`.
    pub endpoint: String,
    /// TLS: the CA to trust and our client certificate.
    pub tls: ClientTlsConfig,
    /// Deadline of one attempt of a quick call (heartbeat, promote, demote, status open).
    pub call_timeout: Duration,
    /// Deadline of one attempt of a work call (restore, verify).
    pub work_timeout: Duration,
    /// Deadline for the TCP connection.
    pub connect_timeout: Duration,
    /// Attempts per call, at least 1.
    pub attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub backoff: Duration,
}

impl ClientConfig {
    /// Defaults sized for a link between two cities: 5 s per quick call, 1 h per restore,
    /// 3 attempts, 200 ms first backoff.
    pub fn new(
        endpoint: impl Into<String>,
        tls: &TlsMaterial,
        server_name: Option<&str>,
    ) -> ClientConfig {
        ClientConfig::with_tls_config(endpoint, tls.client_config(server_name))
    }

    /// The same defaults with a TLS configuration built by the caller.
    pub fn with_tls_config(endpoint: impl Into<String>, tls: ClientTlsConfig) -> ClientConfig {
        ClientConfig {
            endpoint: endpoint.into(),
            tls,
            call_timeout: Duration::from_secs(5),
            work_timeout: Duration::from_secs(3600),
            connect_timeout: Duration::from_secs(3),
            attempts: 3,
            backoff: Duration::from_millis(200),
        }
    }
}

/// Why a call to the peer failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint or TLS settings are unusable.
    #[error("agent client setup for {endpoint}: {reason}")]
    Config {
        /// The endpoint.
        endpoint: String,
        /// Why.
        reason: String,
    },
    /// No answer within the deadline, on every attempt.
    #[error(
        "{call} to the agent at {endpoint}: no answer within {deadline:?} ({attempts} attempts)"
    )]
    Deadline {
        /// The call.
        call: &'static str,
        /// The endpoint.
        endpoint: String,
        /// The deadline of each attempt.
        deadline: Duration,
        /// Attempts made.
        attempts: u32,
    },
    /// The agent could not be reached (connection refused, TLS refused, link down).
    #[error("{call} to the agent at {endpoint}: unreachable after {attempts} attempts: {reason}")]
    Unavailable {
        /// The call.
        call: &'static str,
        /// The endpoint.
        endpoint: String,
        /// Attempts made.
        attempts: u32,
        /// The last error, with its causes.
        reason: String,
    },
    /// The agent answered with an error (invalid request, failed work).
    #[error("{call} to the agent at {endpoint}: {code:?}: {message}")]
    Failed {
        /// The call.
        call: &'static str,
        /// The endpoint.
        endpoint: String,
        /// The gRPC code.
        code: Code,
        /// The agent's message.
        message: String,
    },
}

impl ClientError {
    /// A stable category for metrics, events and the peer condition.
    pub fn category(&self) -> &'static str {
        match self {
            ClientError::Config { .. } => "config",
            ClientError::Deadline { .. } => "deadline",
            ClientError::Unavailable { .. } => "unavailable",
            ClientError::Failed { .. } => "failed",
        }
    }
}

/// A client of one peer agent. Cheap to clone; connects lazily and reconnects by itself.
#[derive(Clone, Debug)]
pub struct AgentClient {
    cfg: ClientConfig,
    inner: SiteAgentClient<Channel>,
    health: HealthClient<Channel>,
}

/// The status and causes of a failure, in one line: tonic's own message for a transport
/// failure is only "transport error".
fn describe(status: &Status) -> String {
    let mut out = status.message().to_string();
    let mut source = std::error::Error::source(status);
    while let Some(s) = source {
        // hyper and tonic wrap the same cause several times; say it once.
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    if out.contains("connection closed") {
        out.push_str(
            " (if this persists, the agent may be refusing our client certificate: both sites' \
             certificates must be issued by the same CA)",
        );
    }
    out
}

/// Whether the call failed in the transport (no answer from the agent's code), so it may
/// not have been handled and is safe to retry: `Unavailable`; `Cancelled` for a connection
/// closed under the call (a peer restarting, or refusing our certificate after the TLS 1.3
/// handshake); `Unknown` wrapping a transport error (a TLS alert).
fn is_transport_failure(status: &Status) -> bool {
    match status.code() {
        Code::Unavailable | Code::Cancelled => true,
        Code::Unknown => std::error::Error::source(status).is_some(),
        _ => false,
    }
}

impl AgentClient {
    /// Prepares a client; nothing is sent until the first call.
    pub fn new(cfg: ClientConfig) -> Result<AgentClient, ClientError> {
        let config_err = |reason: String| ClientError::Config {
            endpoint: cfg.endpoint.clone(),
            reason,
        };
        let endpoint = Endpoint::from_shared(cfg.endpoint.clone())
            .map_err(|e| config_err(e.to_string()))?
            .tls_config(cfg.tls.clone())
            .map_err(|e| config_err(e.to_string()))?
            .connect_timeout(cfg.connect_timeout);
        let channel = endpoint.connect_lazy();
        Ok(AgentClient {
            inner: SiteAgentClient::new(channel.clone()),
            health: HealthClient::new(channel),
            cfg,
        })
    }

    /// The endpoint this client calls.
    pub fn endpoint(&self) -> &str {
        &self.cfg.endpoint
    }

    async fn call<T, F, Fut>(
        &self,
        call: &'static str,
        deadline: Duration,
        f: F,
    ) -> Result<T, ClientError>
    where
        F: FnMut(SiteAgentClient<Channel>, Duration) -> Fut,
        Fut: Future<Output = Result<tonic::Response<T>, Status>>,
    {
        self.call_on(&self.inner, call, deadline, f).await
    }

    async fn call_on<C: Clone, T, F, Fut>(
        &self,
        client: &C,
        call: &'static str,
        deadline: Duration,
        mut f: F,
    ) -> Result<T, ClientError>
    where
        F: FnMut(C, Duration) -> Fut,
        Fut: Future<Output = Result<tonic::Response<T>, Status>>,
    {
        let attempts = self.cfg.attempts.max(1);
        let mut backoff = self.cfg.backoff;
        let mut last: Option<ClientError> = None;
        for attempt in 1..=attempts {
            if attempt > 1 {
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
            // Our own timer as well as the grpc-timeout header: the header is only honoured
            // once a connection exists, and a peer that accepts TCP but never completes the
            // handshake must not hang us.
            match tokio::time::timeout(deadline, f(client.clone(), deadline)).await {
                Ok(Ok(resp)) => return Ok(resp.into_inner()),
                Ok(Err(status)) if is_transport_failure(&status) => {
                    let reason = describe(&status);
                    tracing::debug!(call, attempt, error = %reason, "agent unreachable");
                    // A TLS alert (certificate refused, unknown CA) will not heal by itself:
                    // say so now rather than after every retry.
                    let permanent = reason.contains("fatal alert");
                    let err = ClientError::Unavailable {
                        call,
                        endpoint: self.cfg.endpoint.clone(),
                        attempts: attempt,
                        reason,
                    };
                    if permanent {
                        return Err(err);
                    }
                    last = Some(err);
                }
                Ok(Err(status)) if status.code() == Code::DeadlineExceeded => {
                    last = Some(ClientError::Deadline {
                        call,
                        endpoint: self.cfg.endpoint.clone(),
                        deadline,
                        attempts: attempt,
                    });
                }
                Ok(Err(status)) => {
                    return Err(ClientError::Failed {
                        call,
                        endpoint: self.cfg.endpoint.clone(),
                        code: status.code(),
                        message: describe(&status),
                    });
                }
                Err(_elapsed) => {
                    tracing::debug!(call, attempt, ?deadline, "agent call timed out; will retry");
                    last = Some(ClientError::Deadline {
                        call,
                        endpoint: self.cfg.endpoint.clone(),
                        deadline,
                        attempts: attempt,
                    });
                }
            }
        }
        Err(last.unwrap_or(ClientError::Deadline {
            call,
            endpoint: self.cfg.endpoint.clone(),
            deadline,
            attempts,
        }))
    }

    /// Sends a heartbeat with our site name and epoch; the answer carries the peer's epoch
    /// (adopt it with `pusdata_core::fence::observe` if it is newer).
    pub async fn heartbeat(
        &self,
        site: &str,
        epoch: u64,
    ) -> Result<HeartbeatResponse, ClientError> {
        let msg = HeartbeatRequest {
            site: site.to_string(),
            epoch,
            sent_unix_ms: jiff::Timestamp::now().as_millisecond(),
        };
        self.call("Heartbeat", self.cfg.call_timeout, |mut c, t| {
            let mut req = tonic::Request::new(msg.clone());
            req.set_timeout(t);
            async move { c.heartbeat(req).await }
        })
        .await
    }

    /// Orders the peer to become active at `epoch` (minted by whoever orders the failover).
    pub async fn promote(
        &self,
        request_id: &str,
        epoch: u64,
        ordered_by: &str,
    ) -> Result<Fence, ClientError> {
        let msg = PromoteRequest {
            request_id: request_id.to_string(),
            epoch,
            ordered_by: ordered_by.to_string(),
        };
        let r = self
            .call("Promote", self.cfg.call_timeout, |mut c, t| {
                let mut req = tonic::Request::new(msg.clone());
                req.set_timeout(t);
                async move { c.promote(req).await }
            })
            .await?;
        Ok(r.fence.unwrap_or_default())
    }

    /// Orders the peer to stand by at `epoch`.
    pub async fn demote(
        &self,
        request_id: &str,
        epoch: u64,
        ordered_by: &str,
    ) -> Result<Fence, ClientError> {
        let msg = DemoteRequest {
            request_id: request_id.to_string(),
            epoch,
            ordered_by: ordered_by.to_string(),
        };
        let r = self
            .call("Demote", self.cfg.call_timeout, |mut c, t| {
                let mut req = tonic::Request::new(msg.clone());
                req.set_timeout(t);
                async move { c.demote(req).await }
            })
            .await?;
        Ok(r.fence.unwrap_or_default())
    }

    /// Asks the peer to restore `snapshot` into `target`. Check `fence.verdict` before
    /// trusting `report`: a refused request has no report.
    pub async fn restore(
        &self,
        request_id: &str,
        epoch: u64,
        snapshot: &str,
        target: &str,
    ) -> Result<WorkResponse, ClientError> {
        let msg = RestoreRequest {
            request_id: request_id.to_string(),
            epoch,
            snapshot: snapshot.to_string(),
            target: target.to_string(),
            placement: None,
            skip_checksum: false,
        };
        self.restore_request(msg).await
    }

    /// [`AgentClient::restore`] with every field of the request (the placement of a restore
    /// into the DRC's cluster).
    pub async fn restore_request(&self, msg: RestoreRequest) -> Result<WorkResponse, ClientError> {
        self.call("Restore", self.cfg.work_timeout, |mut c, t| {
            let mut req = tonic::Request::new(msg.clone());
            req.set_timeout(t);
            async move { c.restore(req).await }
        })
        .await
    }

    /// Asks the peer to checksum `target` and compare it with `expected_checksum`.
    pub async fn verify(
        &self,
        request_id: &str,
        epoch: u64,
        target: &str,
        expected_checksum: &str,
    ) -> Result<WorkResponse, ClientError> {
        let msg = VerifyRequest {
            request_id: request_id.to_string(),
            epoch,
            target: target.to_string(),
            expected_checksum: expected_checksum.to_string(),
            ..VerifyRequest::default()
        };
        self.verify_request(msg).await
    }

    /// [`AgentClient::verify`] with every field of the request (placement, readiness and
    /// smoke checks).
    pub async fn verify_request(&self, msg: VerifyRequest) -> Result<WorkResponse, ClientError> {
        self.call("Verify", self.cfg.work_timeout, |mut c, t| {
            let mut req = tonic::Request::new(msg.clone());
            req.set_timeout(t);
            async move { c.verify(req).await }
        })
        .await
    }

    /// Asks the peer to remove a restored `target` (a drill's isolated copy). Idempotent:
    /// a target already gone is reported with zero files.
    pub async fn discard(
        &self,
        request_id: &str,
        epoch: u64,
        target: &str,
    ) -> Result<WorkResponse, ClientError> {
        let msg = DiscardRequest {
            request_id: request_id.to_string(),
            epoch,
            target: target.to_string(),
            placement: None,
        };
        self.discard_request(msg).await
    }

    /// [`AgentClient::discard`] with every field of the request (the drill's placement).
    pub async fn discard_request(&self, msg: DiscardRequest) -> Result<WorkResponse, ClientError> {
        self.call("Discard", self.cfg.work_timeout, |mut c, t| {
            let mut req = tonic::Request::new(msg.clone());
            req.set_timeout(t);
            async move { c.discard(req).await }
        })
        .await
    }

    /// Asks the standard gRPC health service whether the agent serves the `SiteAgent`
    /// service.
    pub async fn serving(&self) -> Result<bool, ClientError> {
        let r = self
            .call_on(
                &self.health,
                "Health.Check",
                self.cfg.call_timeout,
                |mut c, t| {
                    let mut req = tonic::Request::new(HealthCheckRequest {
                        service: SITE_AGENT_SERVICE.to_string(),
                    });
                    req.set_timeout(t);
                    async move { c.check(req).await }
                },
            )
            .await?;
        Ok(r.status() == ServingStatus::Serving)
    }

    /// Opens the peer's status stream: a snapshot first, then every change and progress
    /// event. The deadline applies to opening it, not to the stream.
    pub async fn status(&self) -> Result<tonic::Streaming<StatusEvent>, ClientError> {
        self.call("Status", self.cfg.call_timeout, |mut c, _t| async move {
            c.status(tonic::Request::new(StatusRequest {})).await
        })
        .await
    }
}
