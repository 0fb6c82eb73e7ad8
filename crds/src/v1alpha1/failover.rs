//! `Failover`: one execution of the DRP — a drill, a failover or a failback.

use super::common::{Conditions, RecordedIdentity, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Step and execution times are written to the millisecond (`2026-10-15T01:00:00.250Z`), so
/// a saved report of a drill of a few seconds still has a sub-second timeline; Kubernetes'
/// `Time` alone writes whole seconds. Whole seconds are written as before, and reading takes
/// either form, so objects stored earlier stay readable.
mod millis {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
        let Some(t) = t else {
            return s.serialize_none();
        };
        let format = if t.0.subsec_nanosecond() / 1_000_000 == 0 {
            "%Y-%m-%dT%H:%M:%SZ"
        } else {
            "%Y-%m-%dT%H:%M:%S%.3fZ"
        };
        let text = k8s_openapi::jiff::fmt::strtime::format(format, t.0)
            .map_err(serde::ser::Error::custom)?;
        s.serialize_some(&text)
    }
}

/// One execution of a `DisasterRecoveryPlan`, step by step. Progress is recorded per step, so
/// a crash at any point resumes without redoing a finished step. Every promotion carries a
/// fencing epoch; the report it writes is the written incident report of SEC-INCIDENT.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Failover",
    plural = "failovers",
    shortname = "pdfo",
    category = "pusdata",
    status = "FailoverStatus",
    doc = "One execution of the DRP (Drill, Failover or Failback), step by step and resumable.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Type","type":"string","jsonPath":".spec.type"}"#,
    printcolumn = r#"{"name":"Plan","type":"string","jsonPath":".spec.plan"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Step","type":"string","jsonPath":".status.currentStep"}"#,
    printcolumn = r#"{"name":"Epoch","type":"integer","jsonPath":".status.epoch"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec == oldSelf.spec").message("an execution's spec is immutable; cancel it and start another").field_path(".spec"),
)]
#[serde(rename_all = "camelCase")]
pub struct FailoverSpec {
    /// The plan executed.
    pub plan: String,
    /// Drill, real failover, or failback.
    #[serde(rename = "type")]
    pub kind: FailoverType,
    /// What to include; the whole plan when empty.
    #[serde(default)]
    pub scope: Scope,
    /// Why it was started, in at least a sentence: a string, or `{en: …, id: …}`. It goes
    /// into the written report (SEC-INCIDENT); the admission webhook refuses a shorter one.
    pub reason: super::LocalizedText,
    /// For a failover whose primary cannot be reached: go on without the final sync and
    /// accept losing what was written since the last backup. Must be said explicitly.
    #[serde(default)]
    pub accept_data_loss: bool,
    /// Set by the admission webhook: who started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<RecordedIdentity>,
}

/// Kind of execution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum FailoverType {
    /// Restore into isolated namespaces at the DRC, verify, measure RTO, tear down.
    /// Replication keeps running throughout.
    #[default]
    Drill,
    /// Fence the primary, final sync, restore at the DRC in dependency order, switch traffic.
    Failover,
    /// The reverse, with a final sync from the DRC so nothing written there is lost.
    Failback,
}

/// What an execution includes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Tier names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// Service (member) names; their dependencies are included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
}

/// Phase of an execution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum FailoverPhase {
    /// Accepted, not started.
    #[default]
    Pending,
    /// Steps are running.
    Running,
    /// A manual or approval step waits for a person.
    WaitingForPerson,
    /// Every step succeeded.
    Succeeded,
    /// A step failed and the execution stopped.
    Failed,
    /// Stopped by a person.
    Cancelled,
}

/// State of one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum StepState {
    /// Not started.
    #[default]
    Pending,
    /// Started, not finished.
    Running,
    /// Waiting for a person to sign off or approve.
    Waiting,
    /// Done.
    Succeeded,
    /// Failed.
    Failed,
    /// Not needed (e.g. final sync with the primary unreachable and data loss accepted).
    Skipped,
}

/// Recorded progress of one step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepStatus {
    /// Step id: a runbook id, or a generated one such as `restore/siak-db/pgdata` (one restore step per PVC).
    pub id: String,
    /// What the step does.
    pub action: String,
    /// The service it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The tier it concerns, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// The PVC a restore step brings back (one restore step per PVC of a service; the
    /// recorded PVCs are the execution's restore targets, so a resumed controller plans the
    /// same steps).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pvc: Option<String>,
    /// State.
    pub state: StepState,
    /// Start time, to the millisecond.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "millis::serialize"
    )]
    pub started_at: Option<Time>,
    /// End time, to the millisecond.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "millis::serialize"
    )]
    pub finished_at: Option<Time>,
    /// Outcome or error, without secrets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The outcome in both languages when Pusdata words it itself (a catalogue message);
    /// reports show it in the reader's language. `message` keeps the English for kubectl
    /// and earlier readers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<super::LocalizedText>,
    /// Who signed off a manual or approval step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<RecordedIdentity>,
    /// Attempts made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// Checksum of the tree a restore step brought back: what its verify step compares
    /// with when the Backup recorded none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// Achieved objectives of one tier.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TierOutcome {
    /// Tier name.
    pub tier: String,
    /// Target RPO in seconds.
    pub rpo_target_seconds: u64,
    /// Achieved RPO: age of the restored data at the moment of loss, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo_achieved_seconds: Option<u64>,
    /// Target RTO in seconds.
    pub rto_target_seconds: u64,
    /// Achieved RTO: from start to the tier verified, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto_achieved_seconds: Option<u64>,
    /// Both objectives met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<bool>,
}

/// Where the written report is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportRef {
    /// ConfigMap holding `report.html`, `report.md` (both languages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_map: Option<String>,
    /// URL of the report in object storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// SHA-256 of the HTML report, so tampering shows (SEC-CIA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Observed state of an execution.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FailoverStatus {
    /// Phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<FailoverPhase>,
    /// `Ready` (finished), `Progressing`, `WaitingForPerson`, `RtoMet`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Fencing epoch this execution holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// Id of the step running or waiting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<String>,
    /// Every step and its progress, in execution order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepStatus>,
    /// Start time, to the millisecond.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "millis::serialize"
    )]
    pub started_at: Option<Time>,
    /// End time, to the millisecond.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "millis::serialize"
    )]
    pub finished_at: Option<Time>,
    /// Achieved RPO and RTO per tier.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<TierOutcome>,
    /// The written report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportRef>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::jiff::{SignedDuration, Timestamp};

    #[test]
    fn step_times_keep_milliseconds_and_old_whole_seconds_still_read() {
        let t0: Timestamp = "2026-10-15T01:00:00Z".parse().unwrap();
        let step = StepStatus {
            id: "restore/siak".into(),
            started_at: Some(Time(t0)),
            finished_at: Some(Time(t0 + SignedDuration::from_millis(250))),
            ..Default::default()
        };
        let json = serde_json::to_value(&step).unwrap();
        assert_eq!(
            json["startedAt"], "2026-10-15T01:00:00Z",
            "whole seconds as before"
        );
        assert_eq!(json["finishedAt"], "2026-10-15T01:00:00.250Z");
        let back: StepStatus = serde_json::from_value(json).unwrap();
        assert_eq!(back, step);
        // What earlier versions stored.
        let old: StepStatus = serde_json::from_str(
            r#"{"id":"x","action":"Restore","state":"Succeeded","startedAt":"2026-10-15T01:00:00Z","finishedAt":"2026-10-15T01:00:03Z"}"#,
        )
        .unwrap();
        assert_eq!(
            old.finished_at.map(|t| t.0),
            Some(t0 + SignedDuration::from_secs(3))
        );
        let status = FailoverStatus {
            started_at: Some(Time(t0 + SignedDuration::from_millis(1))),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_value(&status).unwrap()["startedAt"],
            "2026-10-15T01:00:00.001Z"
        );
    }
}
