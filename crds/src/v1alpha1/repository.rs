//! `BackupRepository`: a restic-format repository in S3 at a registered site.

use super::common::{Conditions, SecretKeyRef, SecretRef, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A restic-format, encrypted repository in an S3 bucket at a registered site (DATA-DC,
/// DR-NKRI). One repository per agency and site, opened with the agency's own key, so no
/// agency can read another's backups (SEC-CIA). Any restic-compatible tool can read it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "BackupRepository",
    plural = "backuprepositories",
    shortname = "pdrepo",
    category = "pusdata",
    status = "BackupRepositoryStatus",
    doc = "A restic-format repository on S3 at a site: endpoint, bucket, credentials and the agency's repository key.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Site","type":"string","jsonPath":".spec.site"}"#,
    printcolumn = r#"{"name":"Agency","type":"string","jsonPath":".spec.agency"}"#,
    printcolumn = r#"{"name":"Bucket","type":"string","jsonPath":".spec.s3.bucket"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Snapshots","type":"integer","jsonPath":".status.snapshots"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec.agency == oldSelf.spec.agency && self.spec.s3.bucket == oldSelf.spec.s3.bucket && self.spec.s3.prefix == oldSelf.spec.s3.prefix").message("a repository's agency, bucket and prefix are immutable: create a new repository instead").field_path(".spec"),
)]
#[serde(rename_all = "camelCase")]
pub struct BackupRepositorySpec {
    /// The registered `Site` holding the storage (DATA-DC).
    pub site: String,
    /// The agency whose data the repository holds.
    pub agency: String,
    /// Where the repository lives.
    pub s3: S3Location,
    /// The repository key (restic password). Defaults to the agency's `repositoryKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<SecretKeyRef>,
    /// Bandwidth limit for uploads to this repository, in bytes per second (the DRC link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_limit_bytes_per_second: Option<u64>,
    /// Bandwidth limit for downloads from this repository, in bytes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download_limit_bytes_per_second: Option<u64>,
    /// How often the operator checks the repository is reachable (Go duration, e.g. `5m`).
    #[serde(default = "default_validation")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"))]
    pub validation_interval: String,
    /// During a DR restore a repository can be made read-only so nothing writes to it.
    #[serde(default)]
    pub access_mode: AccessMode,
    /// What happens to the backup data when this object is deleted. `Retain` (the default)
    /// never deletes data; `Delete` must be chosen explicitly.
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,
}

fn default_validation() -> String {
    "5m".to_string()
}

/// An S3 location.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct S3Location {
    /// Endpoint URL, e.g. `https://s3.drc.bekasikota.go.id`.
    pub endpoint: String,
    /// Bucket name.
    pub bucket: String,
    /// Key prefix inside the bucket, e.g. `restic/disdukcapil`.
    #[serde(default)]
    pub prefix: String,
    /// Region name the server expects (Garage uses `garage`).
    #[serde(default = "default_region")]
    pub region: String,
    /// Path-style addressing (`endpoint/bucket/key`), needed by most self-hosted servers.
    #[serde(default = "default_true")]
    pub path_style: bool,
    /// Secret with `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
    pub credentials: SecretRef,
}

fn default_region() -> String {
    "us-east-1".to_string()
}
fn default_true() -> bool {
    true
}

/// Read-write or read-only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum AccessMode {
    /// Backups and maintenance may write.
    #[default]
    ReadWrite,
    /// Only restores and checks.
    ReadOnly,
}

/// What deleting the resource does to the data.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum DeletionPolicy {
    /// Keep the data.
    #[default]
    Retain,
    /// Delete the repository's objects.
    Delete,
}

/// Availability of a repository.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RepositoryPhase {
    /// Not checked yet.
    #[default]
    Unknown,
    /// Reachable and opens with its key.
    Available,
    /// Not reachable or does not open; see the `Ready` condition.
    Unavailable,
}

/// Observed state of a repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupRepositoryStatus {
    /// Availability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<RepositoryPhase>,
    /// `Ready`, `Locked` (a lock is held), `StaleLock`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// When the repository was last checked reachable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validated: Option<Time>,
    /// The repository id (from its config file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_id: Option<String>,
    /// Number of snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<u32>,
    /// Bytes stored (packed, compressed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored_bytes: Option<u64>,
    /// Last `check` run and its outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check: Option<Time>,
}
