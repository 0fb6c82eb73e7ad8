//! Controllers: each reads the world, calls a pure decision in `pusdata-core`, applies what it
//! returns with server-side apply under one field manager, and writes a status computed from
//! what was applied. Errors carry a stable category for metrics and event reasons.

pub mod agency;
pub mod apply;
pub mod audit;
pub mod backoff;
pub mod backup;
pub mod bucket;
pub mod cache;
pub mod child_meta;
#[cfg(test)]
mod counting;
#[cfg(test)]
mod dashboard_tests;
pub mod decode;
pub mod events;
pub mod failover;
pub mod finalizer;
pub mod gate;
pub mod hosting;
pub mod http;
pub mod leader;
pub mod leading;
pub mod mappers;
pub mod metrics;
pub mod permission;
pub mod policyreport;
#[cfg(test)]
mod quiet_tests;
pub mod racks_view;
pub mod rbac;
pub mod repository;
pub mod request_cache;
pub mod restore;
pub mod retention;
pub mod run;
pub mod runs;
pub mod schedule;
pub mod site;
#[cfg(test)]
mod slow_start_tests;
pub mod span;
/// A real S3 server for the controllers' tests: the black-box tests' harness, included by
/// path so both start Garage the same way.
#[cfg(test)]
#[path = "../../tests/common/s3.rs"]
mod test_s3;
#[cfg(test)]
mod testing;
pub mod webhook_certs;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::sync::Arc;

/// The field manager of every server-side apply Pusdata makes.
pub const FIELD_MANAGER: &str = "pusdata";

/// A clock the controllers read "now" from; tests pass a fixed one.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(Timestamp::now)
}

/// Shared state of the controllers.
#[derive(Clone)]
pub struct Context {
    /// API client.
    pub client: kube::Client,
    /// Source of "now".
    pub clock: Clock,
    /// Namespace of the platform team (approvals, secrets).
    pub platform_namespace: String,
    /// The operator's own namespace (its service account, Lease and certificates).
    pub operator_namespace: String,
    /// Metrics of all controllers, served on `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// Failure counts for requeue backoff on persistent errors.
    pub backoff: Arc<backoff::Backoff>,
    /// Watched caches the reconcilers read; `None` reads from the API (tests without them).
    pub caches: Option<Arc<cache::Caches>>,
}

impl Context {
    /// Now, as a Kubernetes `Time`.
    pub fn now(&self) -> Time {
        Time((self.clock)())
    }
}

/// Writes the status of a cluster-scoped object as a merge patch, unless it is unchanged
/// (an unchanged status is never rewritten, so a settled object causes no watch events).
pub(crate) async fn patch_status_if_changed<K, S>(
    ctx: &Context,
    name: &str,
    old: &S,
    new: &S,
) -> Result<(), Error>
where
    K: kube::Resource<DynamicType = (), Scope = k8s_openapi::ClusterResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    S: PartialEq + serde::Serialize,
{
    if new == old {
        return Ok(());
    }
    let api: kube::Api<K> = kube::Api::all(ctx.client.clone());
    let patch = serde_json::json!({ "status": new });
    api.patch_status(
        name,
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(&patch),
    )
    .await?;
    Ok(())
}

/// Errors of the controllers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API server refused or failed a call; retried with backoff.
    #[error("kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// The object cannot be processed as written; wait for a change, do not hot-loop.
    #[error("invalid spec: {0}")]
    InvalidSpec(String),
    /// An object could not be serialised (a bug).
    #[error("serialisation: {0}")]
    Serde(#[from] serde_json::Error),
}

impl Error {
    /// A stable label for metrics and event reasons.
    pub fn category(&self) -> &'static str {
        match self {
            Error::Kube(_) => "kube",
            Error::InvalidSpec(_) => "invalid-spec",
            Error::Serde(_) => "internal",
        }
    }
}

/// A new status as a merge patch: fields the new status omits are sent as `null`, since a
/// merge patch keeps whatever it does not mention.
pub fn status_patch<T: serde::Serialize>(old: &T, new: &T) -> Result<serde_json::Value, Error> {
    let mut patch = serde_json::to_value(new)?;
    if let (serde_json::Value::Object(before), Some(after)) =
        (serde_json::to_value(old)?, patch.as_object_mut())
    {
        for key in before.keys() {
            after.entry(key.clone()).or_insert(serde_json::Value::Null);
        }
    }
    Ok(patch)
}
