//! `Restore`: one restore run.

use super::common::{Conditions, conditions_schema};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One restore: a snapshot from a repository into a new PVC (at the DRC in a drill or
/// failover), with checksum verification against the snapshot's tree.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Restore",
    plural = "restores",
    shortname = "pdrestore",
    category = "pusdata",
    namespaced,
    status = "RestoreStatus",
    doc = "One restore run of a snapshot into a new PVC, with checksum verification.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Repository","type":"string","jsonPath":".spec.repository"}"#,
    printcolumn = r#"{"name":"Snapshot","type":"string","jsonPath":".spec.snapshot"}"#,
    printcolumn = r#"{"name":"Target","type":"string","jsonPath":".spec.target.pvc"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Seconds","type":"number","jsonPath":".status.durationSeconds"}"#,
    printcolumn = r#"{"name":"Mismatches","type":"integer","jsonPath":".status.mismatches","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec == oldSelf.spec").message("a restore run's spec is immutable").field_path(".spec"),
)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSpec {
    /// The `BackupRepository` to read.
    pub repository: String,
    /// Snapshot id, or `latest` / `latest-verified` for the newest matching `source`.
    #[serde(default = "default_snapshot")]
    pub snapshot: String,
    /// Which source's snapshots `latest` refers to (tags).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<RestoreSource>,
    /// Where to restore.
    pub target: RestoreTarget,
    /// Compare restored files with the snapshot's content hashes.
    #[serde(default = "default_true")]
    pub verify: bool,
    /// The `Failover` this restore belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover: Option<String>,
    /// Fencing epoch the restore is stamped with; a site refuses work from an older epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// The user the mover runs as, so the restored files belong to the workload that will
    /// use them (the uid its Pod runs as, e.g. 999 for PostgreSQL). The mover's own user
    /// when unset. Never 0: the mover does not run as root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// The mover's group, also the Pod's `fsGroup` (the new volume is made writable for it);
    /// `runAsUser` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
}

fn default_snapshot() -> String {
    "latest-verified".to_string()
}
fn default_true() -> bool {
    true
}

/// Which backup source a `latest` snapshot is looked up for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSource {
    /// Agency tag.
    pub agency: String,
    /// Namespace tag.
    pub namespace: String,
    /// PVC tag.
    pub pvc: String,
}

/// Where a restore writes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreTarget {
    /// Name of the PVC to create (it must not exist: a restore never overwrites data).
    pub pvc: String,
    /// Storage class; the cluster default when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<String>,
    /// Size of the new PVC; the snapshot size plus headroom when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<Quantity>,
}

/// Phase of a restore run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RestorePhase {
    /// Created.
    #[default]
    New,
    /// Running.
    InProgress,
    /// Restored and, if asked, verified.
    Completed,
    /// Failed.
    Failed,
}

impl RestorePhase {
    /// The serialized value (metric labels, messages): the same text the CRD stores.
    pub fn as_str(self) -> &'static str {
        match self {
            RestorePhase::New => "New",
            RestorePhase::InProgress => "InProgress",
            RestorePhase::Completed => "Completed",
            RestorePhase::Failed => "Failed",
        }
    }
}

/// Observed state of a restore.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestoreStatus {
    /// Phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<RestorePhase>,
    /// `Ready` and `Verified`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// The snapshot actually restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// Start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// Completion time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// Duration in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// Files restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files: Option<u64>,
    /// Bytes restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Files whose content did not match the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mismatches: Option<u64>,
    /// Why the restore failed or was refused: the differing paths first, each naming the
    /// field or rule. Empty when restored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}
