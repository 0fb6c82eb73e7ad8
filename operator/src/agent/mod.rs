//! The site-to-site gRPC agent (issue #6).
//!
//! The DRC site runs `pusdata agent`: a tonic server, mTLS only, that answers the primary's
//! heartbeats and does restores and verifications for it, fenced by epoch
//! ([`pusdata_core::fence`]). The primary talks to it with [`client::AgentClient`].
//!
//! - [`server`]: binding, serving, the request handlers; fencing state persisted before
//!   every answer that changed it.
//! - [`state`]: the persisted state file (atomic replace).
//! - [`work`]: the restore and verify work behind the small [`work::SiteWork`] trait;
//!   [`kube_work`]: the same in the DRC's cluster (`Restore` objects in isolated drill
//!   namespaces, readiness, smoke Jobs); [`wire`]: its gRPC messages.
//! - [`client`]: deadlines, bounded retries with backoff.
//! - [`tls`]: certificate files, the rustls crypto provider, throwaway certificates for a
//!   local drill.
//! - [`process`]: `pusdata agent` as a child process (the DRC of `pusdata drill --local`).
//!
//! Losing the peer never triggers a failover: the primary only computes
//! [`pusdata_core::peer::peer_ready`] from the heartbeat age and reports it.

pub mod client;
pub mod error;
pub mod kube_work;
pub mod process;
pub mod rustic_work;
pub mod server;
pub mod state;
pub mod tls;
pub mod wire;
pub mod work;

pub use error::AgentError;

/// Code generated from `proto/pusdata/agent/v1/agent.proto`.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod proto {
    tonic::include_proto!("pusdata.agent.v1");
}
