//! `Backup`: one snapshot run of one source.

use super::common::{Conditions, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One backup run: a restic-format snapshot of one PVC (or a mirror pass of one bucket) into
/// the agency's repository at the DRC. Created by the schedule with a timestamped name, or by
/// hand / a trigger token.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Backup",
    plural = "backups",
    shortname = "pdbackup",
    category = "pusdata",
    namespaced,
    status = "BackupStatus",
    doc = "One snapshot run of a PVC or one mirror pass of a bucket, with its figures.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Plan","type":"string","jsonPath":".spec.plan"}"#,
    printcolumn = r#"{"name":"Tier","type":"string","jsonPath":".spec.tier"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Snapshot","type":"string","jsonPath":".status.snapshotId"}"#,
    printcolumn = r#"{"name":"Verified","type":"string","jsonPath":".status.verification"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec == oldSelf.spec").message("a backup run's spec is immutable").field_path(".spec"),
    validation = Rule::new("has(self.spec.source.pvc) != has(self.spec.source.bucket)").message("a backup source is exactly one of pvc or bucket").field_path(".spec.source"),
    validation = Rule::new("!has(self.spec.source.reverse) || !self.spec.source.reverse || has(self.spec.source.bucket)").message("only a bucket source can be mirrored in reverse").field_path(".spec.source.reverse"),
)]
#[serde(rename_all = "camelCase")]
pub struct BackupSpec {
    /// The `DisasterRecoveryPlan`.
    pub plan: String,
    /// The tier.
    pub tier: String,
    /// The service (plan member).
    pub member: String,
    /// What to back up.
    pub source: BackupSource,
    /// The `BackupRepository` to write to.
    pub repository: String,
    /// Why the run exists.
    #[serde(default)]
    pub trigger: BackupTrigger,
    /// For manual runs: a token echoed back in status when done (as VolSync's manual trigger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// What a backup reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupSource {
    /// A PVC in the Backup's namespace, mounted read-only by the mover Job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvc: Option<String>,
    /// A bucket on the primary's object storage, mirrored to the DRC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    /// For a bucket: mirror the DRC's copy back onto the primary (the final sync of a
    /// failback) instead of the primary onto the DRC.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reverse: bool,
}

/// Why a backup run was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum BackupTrigger {
    /// By the plan's schedule.
    #[default]
    Scheduled,
    /// By a person.
    Manual,
    /// The final sync of a failover or failback.
    FinalSync,
}

/// Phase of a backup run (the Velero ladder, plus Skipped).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum BackupPhase {
    /// Created, not started.
    #[default]
    New,
    /// The spec is invalid; nothing was written.
    FailedValidation,
    /// The mover is running.
    InProgress,
    /// A snapshot was written.
    Completed,
    /// A snapshot was written but some files could not be read.
    PartiallyFailed,
    /// No snapshot was written.
    Failed,
    /// Not run because the previous run of the same source was still going.
    Skipped,
}

impl BackupPhase {
    /// The serialized value (metric labels, messages): the same text the CRD stores.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupPhase::New => "New",
            BackupPhase::FailedValidation => "FailedValidation",
            BackupPhase::InProgress => "InProgress",
            BackupPhase::Completed => "Completed",
            BackupPhase::PartiallyFailed => "PartiallyFailed",
            BackupPhase::Failed => "Failed",
            BackupPhase::Skipped => "Skipped",
        }
    }
}

/// Whether a snapshot was proven restorable (as KubeStash's verificationStatus).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum VerificationStatus {
    /// Not verified yet.
    #[default]
    NotVerified,
    /// Restored and checksums matched.
    Verified,
    /// Restore or checksum comparison failed.
    VerificationFailed,
}

impl VerificationStatus {
    /// The serialized value (metric labels, messages): the same text the CRD stores.
    pub fn as_str(self) -> &'static str {
        match self {
            VerificationStatus::NotVerified => "NotVerified",
            VerificationStatus::Verified => "Verified",
            VerificationStatus::VerificationFailed => "VerificationFailed",
        }
    }
}

/// Observed state and figures of a backup run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStatus {
    /// Phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<BackupPhase>,
    /// `Ready` (Completed) and `Verified`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Snapshot id in the repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_id: Option<String>,
    /// Start time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// Completion time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Time>,
    /// New files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_new: Option<u64>,
    /// Changed files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_changed: Option<u64>,
    /// Unchanged files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub files_unmodified: Option<u64>,
    /// Bytes read from the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_read: Option<u64>,
    /// Bytes added to the repository after deduplication and compression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_added: Option<u64>,
    /// Duration in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
    /// A bucket mirror pass: objects copied (new or changed) and verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_copied: Option<u64>,
    /// A bucket mirror pass: bytes copied and verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_copied: Option<u64>,
    /// A bucket mirror pass: objects deleted at the destination (missing at the source for
    /// longer than the deletion delay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_deleted: Option<u64>,
    /// A bucket mirror pass: objects missing at the source kept until their delay passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_pending_delete: Option<u64>,
    /// Verification of the snapshot by a restore test (set once the test has run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationStatus>,
    /// When the restore test finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<Time>,
    /// Why the restore test failed: the differing paths (the first ten) or the restore error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub verification_errors: Vec<String>,
    /// Errors, one per line, without secrets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// The manual trigger token, echoed when done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_token: Option<String>,
    /// The user the mover read the files as: the workload Pod's, when it names one. A
    /// restore of this snapshot at the DRC runs as the same user, so the files keep their
    /// owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// The group the mover read the files as (see `runAsUser`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
}
