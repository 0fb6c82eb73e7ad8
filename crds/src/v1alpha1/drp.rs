//! `DisasterRecoveryPlan`: the written DRP as a resource (DR-PLAN).

use super::common::{Conditions, Contact, SecretRef, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Go-style duration, as accepted by CEL's `duration()`: `90s`, `15m`, `4h`, `168h`.
pub const DURATION_PATTERN: &str = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$";

/// The Disaster Recovery Plan written by the IT office (DR-PLAN, Perda 26(10)). Pusdata
/// turns it into backup schedules, measures the RPO achieved, and executes its runbook in
/// drills, failovers and failbacks. Only the platform team may change it.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "DisasterRecoveryPlan",
    plural = "disasterrecoveryplans",
    shortname = "drp",
    shortname = "pddrp",
    category = "pusdata",
    status = "DisasterRecoveryPlanStatus",
    doc = "The DRP: sites, tiers (RPO, RTO, members, order), schedules, retention, drills, runbook and contacts.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Primary","type":"string","jsonPath":".spec.primarySite"}"#,
    printcolumn = r#"{"name":"DRC","type":"string","jsonPath":".spec.drcSite"}"#,
    printcolumn = r#"{"name":"Tiers","type":"integer","jsonPath":".status.tierCount"}"#,
    printcolumn = r#"{"name":"Worst RPO","type":"string","jsonPath":".status.worstRpoRatio"}"#,
    printcolumn = r#"{"name":"Last drill","type":"date","jsonPath":".status.lastDrill.finishedAt"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    validation = Rule::new("self.spec.primarySite != self.spec.drcSite").message("DR-FAR: the DRC must be another site than the primary").field_path(".spec.drcSite"),
    validation = Rule::new("self.spec.tiers.all(t, self.spec.tiers.exists_one(u, u.name == t.name))").message("tier names must be unique").field_path(".spec.tiers"),
    validation = Rule::new("!has(self.spec.runbook) || self.spec.runbook.all(s, self.spec.runbook.exists_one(r, r.id == s.id))").message("runbook step ids must be unique").field_path(".spec.runbook"),
    validation = Rule::new("!has(self.spec.roles) || self.spec.roles.all(r, self.spec.roles.exists_one(q, q.name == r.name))").message("role names must be unique").field_path(".spec.roles"),
)]
#[serde(rename_all = "camelCase")]
pub struct DisasterRecoveryPlanSpec {
    /// Plan title, e.g. `DRP Pemerintah Kota Bekasi 2026`.
    pub title: String,
    /// Document version and approval reference of the written plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The primary `Site`.
    pub primary_site: String,
    /// The DRC `Site`.
    pub drc_site: String,
    /// Tiers, most critical first.
    #[schemars(length(min = 1, max = 16))]
    pub tiers: Vec<Tier>,
    /// Exercise calendar.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub drills: Vec<DrillSchedule>,
    /// The runbook: steps a failover, failback or drill goes through.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 128))]
    pub runbook: Vec<RunbookStep>,
    /// Who to call, by role, and in which order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Who may sign off the runbook's manual and approval steps: each owner role with the
    /// Kubernetes groups whose members act in it. The admission webhook accepts a sign-off of
    /// a step only from a member of its owner role's groups (SEC-CIA).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 64))]
    pub roles: Vec<RunbookRole>,
    /// What happens when the primary loses the DRC or the other way round.
    #[serde(default)]
    pub peer_loss: PeerLossPolicy,
    /// Restore throughput assumed for RTO feasibility until drills have measured one, in
    /// bytes per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_restore_bytes_per_second: Option<u64>,
    /// Completed `Backup` objects kept per source (default 10); older ones are deleted by
    /// the schedule controller. Their snapshots stay (retention decides those); the newest
    /// completed and the newest verified run of a source are always kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub successful_backups_history_limit: Option<u32>,
    /// Failed `Backup` objects kept per source (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_backups_history_limit: Option<u32>,
}

/// A group of services with the same recovery objectives.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "duration(self.rpo) > duration('0s')", "message": "RPO must be greater than zero", "fieldPath": ".rpo"},
    {"rule": "duration(self.rto) > duration('0s')", "message": "RTO must be greater than zero", "fieldPath": ".rto"},
    {"rule": "!has(self.maxTolerableDowntime) || duration(self.maxTolerableDowntime) >= duration(self.rto)", "message": "maximum tolerable downtime cannot be shorter than the RTO", "fieldPath": ".maxTolerableDowntime"}
]))]
pub struct Tier {
    /// Tier name, e.g. `tier-1-critical`.
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub name: String,
    /// What is in the tier, in plain words: a string, or `{en: …, id: …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<super::LocalizedText>,
    /// Recovery point objective: the most data, in time, the city accepts to lose.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"))]
    pub rpo: String,
    /// Recovery time objective: how fast the tier must be back.
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"))]
    pub rto: String,
    /// Maximum tolerable downtime, beyond which the loss is unacceptable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"))]
    pub max_tolerable_downtime: Option<String>,
    /// Backup schedule: a cron expression (`*/15 * * * *`) or `@every 15m`. By default one
    /// is derived from the RPO, spread so tiers do not all start at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Services in the tier.
    #[schemars(length(max = 256))]
    pub members: Vec<Member>,
    /// How many snapshots to keep.
    #[serde(default)]
    pub retention: Retention,
    /// How backups are proven restorable.
    #[serde(default)]
    pub verification: Verification,
    /// Commands run in the workload around each backup (application consistency).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
}

/// One service: its volumes and buckets, and what it depends on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "!has(self.bucketMirror) || ((!has(self.bucketMirror.primaryCredentials.__namespace__) || self.bucketMirror.primaryCredentials.__namespace__ == self.__namespace__) && (!has(self.bucketMirror.drcCredentials) || !has(self.bucketMirror.drcCredentials.__namespace__) || self.bucketMirror.drcCredentials.__namespace__ == self.__namespace__))", "message": "SEC-CIA: bucket credentials Secrets must be in the member's own namespace", "fieldPath": ".bucketMirror"}
]))]
pub struct Member {
    /// Service name, unique in the plan, e.g. `siak-db`.
    pub name: String,
    /// Owning agency code; its repository and key are used.
    pub agency: String,
    /// Namespace holding the service.
    pub namespace: String,
    /// PVCs to back up; all PVCs of the namespace when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvc_selector: Option<LabelSelector>,
    /// Object-storage buckets to mirror to the DRC, by their name at the primary site.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<String>,
    /// How `buckets` are mirrored: the keys of each side and the deletion delay. Required
    /// when `buckets` is set (the plan check says so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_mirror: Option<BucketMirror>,
    /// Services that must be restored and verified before this one (databases before apps).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Approximate data size in bytes, for RTO feasibility before the first backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_hint_bytes: Option<u64>,
    /// Command run after restore to prove the service works (exit 0 = healthy): a Job in
    /// the namespace restored into, with `smokeImage`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub smoke_command: Vec<String>,
    /// Image the smoke command runs in; the agent's default smoke image when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoke_image: Option<String>,
    /// Which workloads must report Ready after a restore at the DRC; readiness is not
    /// checked when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<MemberReadiness>,
}

/// Which workloads prove a restored service is up, and how long to wait for them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberReadiness {
    /// Labels of the Deployments and StatefulSets to wait for; the member's
    /// `pvcSelector.matchLabels` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<std::collections::BTreeMap<String, String>>,
    /// How long to wait for them (e.g. `10m`); 5 minutes when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// How a member's buckets are mirrored from the primary site's S3 (`Site.spec.endpoints.s3`)
/// to the DRC site's, on the tier's schedule, by a `pusdata mirror` Job in the member's
/// namespace. The Secrets hold `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optionally
/// `AWS_REGION`, like a `BackupRepository`'s credentials; they live in the member's own
/// namespace (a Pod can mount no other), so one agency's Job never reads another's keys.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    {"rule": "duration(self.deleteAfter) >= duration('0s')", "message": "deleteAfter must be a duration such as 24h or 0s", "fieldPath": ".deleteAfter"}
]))]
pub struct BucketMirror {
    /// Keys for the primary site's object storage.
    pub primary_credentials: SecretRef,
    /// Keys for the DRC site's object storage. Default: the credentials Secret of the
    /// agency's `BackupRepository` at the DRC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drc_credentials: Option<SecretRef>,
    /// Bucket names at the DRC where they differ from the primary's: primary name → DRC
    /// name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bucket_map: BTreeMap<String, String>,
    /// A key missing at the source is deleted at the destination only after this long (Go
    /// duration; `0s` deletes at once).
    #[serde(default = "default_delete_after")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"))]
    pub delete_after: String,
}

fn default_delete_after() -> String {
    "24h".to_string()
}

/// Snapshot retention (as restic's `forget`), plus a floor of verified snapshots.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    /// Keep the last N snapshots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<u32>,
    /// Keep one per hour for the last N hours that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_hourly: Option<u32>,
    /// Keep one per day for N days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_daily: Option<u32>,
    /// Keep one per week for N weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_weekly: Option<u32>,
    /// Keep one per month for N months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_monthly: Option<u32>,
    /// Keep one per year for N years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_yearly: Option<u32>,
    /// Never forget a snapshot if fewer than this many verified snapshots would remain.
    #[serde(default = "default_min_verified")]
    pub min_verified: u32,
    /// When forget + prune runs on each repository the tier backs up to (cron or `@every`).
    /// Default: daily, at a minute and quiet hour hashed from plan, tier and repository.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

fn default_min_verified() -> u32 {
    1
}

/// How a tier's backups are verified.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// Schedule of `check` runs (cron or `@every`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_schedule: Option<String>,
    /// Share of pack data read back by each check, e.g. `5%`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]{1,2}|100)%$"))]
    pub read_data_subset: Option<String>,
    /// Schedule of restore tests: restore the latest snapshot to scratch space and compare
    /// checksums with the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_test_schedule: Option<String>,
}

/// A command run in the workload around a backup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Hook {
    /// Hook name.
    pub name: String,
    /// Before or after the snapshot.
    pub phase: HookPhase,
    /// When a post hook runs.
    #[serde(default)]
    pub run: HookRun,
    /// Container to exec in; the pod's first container by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Command and arguments, e.g. `["sh","-c","pg_dump -Fc app > /data/dump.pgc"]`.
    #[schemars(length(min = 1))]
    pub command: Vec<String>,
    /// Give up after this long (Go duration).
    #[serde(default = "default_hook_timeout")]
    pub timeout: String,
    /// Whether a failed pre hook fails the backup.
    #[serde(default = "default_true")]
    pub fail_backup_on_error: bool,
}

fn default_hook_timeout() -> String {
    "10m".to_string()
}
fn default_true() -> bool {
    true
}

/// When a hook runs relative to the snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum HookPhase {
    /// Before the snapshot.
    #[default]
    Pre,
    /// After the snapshot.
    Post,
}

/// Condition on which a post hook runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum HookRun {
    /// Always.
    #[default]
    Always,
    /// Only after a successful snapshot.
    OnSuccess,
    /// Only after a failed snapshot.
    OnFailure,
}

/// A scheduled exercise.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DrillSchedule {
    /// Name, e.g. `quarterly-parallel`.
    pub name: String,
    /// Kind of exercise.
    pub kind: DrillKind,
    /// When (cron expression).
    pub schedule: String,
    /// Tiers exercised; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Whether the operator starts it by itself (`Parallel` and `Simulation` only); otherwise
    /// it is a reminder for the DR coordinator.
    #[serde(default)]
    pub automatic: bool,
    /// How late a drill may start and still count for its date (a Go duration such as
    /// `72h`); 14 days (`336h`) when unset, never past the next date. A later drill leaves
    /// the date missed and is reported as late.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"))]
    pub tolerance: Option<String>,
}

/// Kinds of DR exercise, from cheapest to most disruptive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum DrillKind {
    /// Walk through the runbook on paper.
    Tabletop,
    /// Run the runbook's automated steps against scratch targets.
    Simulation,
    /// Restore at the DRC alongside the running primary and verify (no interruption).
    #[default]
    Parallel,
    /// Really stop the primary and run from the DRC.
    FullInterruption,
}

/// One step of the runbook.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunbookStep {
    /// Step id, unique in the plan, e.g. `notify-head`.
    pub id: String,
    /// What to do, in plain words: a string, or `{en: …, id: …}` (the report shows each
    /// reader's language).
    pub title: super::LocalizedText,
    /// Automated by Pusdata, done by a person, or an approval to wait for.
    pub kind: StepKind,
    /// Role that owns the step (see `contacts`).
    pub owner_role: String,
    /// Where in the sequence: before the automated recovery, or after it.
    #[serde(default)]
    pub stage: StepStage,
    /// Which executions include the step; all when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<super::failover::FailoverType>,
    /// Escalate if not done in this time (Go duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
}

/// An owner role of runbook steps and the Kubernetes groups (as the API server authenticates
/// them, e.g. from OIDC) whose members act in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunbookRole {
    /// Role name, as the runbook's `ownerRole` and the contacts' `role` say it.
    pub name: String,
    /// Groups whose members may sign off the role's steps.
    #[schemars(length(min = 1, max = 32))]
    pub groups: Vec<String>,
}

/// Kind of runbook step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum StepKind {
    /// Done by Pusdata.
    #[default]
    Automated,
    /// Done by a person who signs it off.
    Manual,
    /// A decision someone must approve before the execution goes on.
    Approval,
}

/// Where a runbook step sits relative to the automated recovery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum StepStage {
    /// Before fencing and restores.
    #[default]
    Before,
    /// After restores and verification.
    After,
}

/// What happens when the sites lose each other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PeerLossPolicy {
    /// Fail over by itself after `after` without the primary. Off by default: a person
    /// decides.
    #[serde(default)]
    pub automatic_failover: bool,
    /// How long the primary must be lost before an automatic failover (Go duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

/// Observed state of a plan.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DisasterRecoveryPlanStatus {
    /// `Ready` (plan check passes), `RpoMet` (every tier within its RPO).
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Number of tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier_count: Option<u32>,
    /// Worst ratio of achieved RPO to target RPO across tiers, e.g. `0.42`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_rpo_ratio: Option<String>,
    /// Per-tier figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierStatus>,
    /// The last drill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_drill: Option<ExecutionSummary>,
    /// Number of findings of the last plan check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<u32>,
    /// The last manual trigger token (annotation `pusdata.io/trigger`) handled: a token runs
    /// one backup of every source exactly once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_trigger_token: Option<String>,
    /// Retention runs (forget + prune), one entry per tier and repository.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retention: Vec<RetentionStatus>,
}

/// The retention (forget + prune) of one tier in one repository.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RetentionStatus {
    /// Tier name.
    pub tier: String,
    /// The `BackupRepository`.
    pub repository: String,
    /// `RetentionApplied`: the last run's outcome.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The schedule slot of the last run started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<Time>,
    /// The Job of the current or last run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<String>,
    /// `Running`, `Succeeded` or `Failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// When the last run finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_run: Option<Time>,
    /// When a run last succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_success: Option<Time>,
    /// Snapshots the last run forgot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshots_forgotten: Option<u32>,
    /// Whether the last run pruned unused data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned: Option<bool>,
    /// Stale locks the last run removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_locks_removed: Option<u32>,
    /// Errors of the last run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// When the next run is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_schedule_time: Option<Time>,
}

/// Figures of one tier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TierStatus {
    /// Tier name.
    pub name: String,
    /// Oldest "last successful backup" among the tier's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_backup: Option<Time>,
    /// Oldest "last verified backup" among the tier's members.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_verified_backup: Option<Time>,
    /// Seconds since the oldest last successful backup.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_achieved_seconds: Option<u64>,
    /// Achieved RPO ÷ target RPO, as text (`0.42`). Alerts fire at 2 and 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_ratio: Option<String>,
    /// Backups skipped because the previous one was still running.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped_runs: Option<u32>,
    /// Seconds since the oldest last verified backup (a restore test proved it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_age_seconds: Option<u64>,
    /// Verified age ÷ target RPO, as text (`0.42`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_rpo_ratio: Option<String>,
    /// RPO alert level: `Ok`, `Warning` (2× the target) or `Critical` (3×, or a member never
    /// backed up), as the PrometheusRule alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_alert: Option<RpoAlert>,
    /// The schedule slot the last scheduled backups of the tier stand for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_schedule_time: Option<Time>,
    /// When the tier's schedule fires next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_schedule_time: Option<Time>,
    /// The mirror of each bucket of the tier's members.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<BucketStatus>,
}

/// Alert level of a tier's RPO, as Ramen's `ramen_rpo_difference` alerts: warning when the
/// achieved RPO reaches twice the target, critical at three times.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum RpoAlert {
    /// Below twice the target.
    Ok,
    /// At least twice the target.
    Warning,
    /// At least three times the target, or a member never backed up.
    Critical,
}

impl RpoAlert {
    /// The serialized value (metric labels, messages): the same text the CRD stores.
    pub fn as_str(self) -> &'static str {
        match self {
            RpoAlert::Ok => "Ok",
            RpoAlert::Warning => "Warning",
            RpoAlert::Critical => "Critical",
        }
    }
}

/// The mirror of one bucket, from its runs (`Backup` objects with a bucket source).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BucketStatus {
    /// Plan member.
    pub member: String,
    /// Bucket name at the primary.
    pub bucket: String,
    /// When the last successful mirror pass finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_mirror: Option<Time>,
    /// Objects copied by the last successful pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objects_copied: Option<u64>,
    /// Bytes copied by the last successful pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_copied: Option<u64>,
    /// Phase of the newest finished pass (`Completed`, `Failed`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_phase: Option<String>,
    /// Errors of the newest finished pass, if it failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

/// Outcome of one execution, for the plan's status.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionSummary {
    /// Name of the `Failover` object.
    pub name: String,
    /// When it finished.
    pub finished_at: Time,
    /// `Succeeded` or `Failed`.
    pub outcome: String,
    /// Whether every tier met its RTO.
    pub rto_met: bool,
}
