//! `Approval`: the platform team's technical approval of a request.

use super::common::{Conditions, ObjectRef, RecordedIdentity, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A technical approval (or refusal) of a `HostingRequest`, an `ExternalCloudService` or an
/// egress exception, by the platform team (CLOUD-NKRI, WEB-DC, NET-PORTS).
///
/// Approvals live in the platform team's namespace, so agencies cannot write them. The
/// admission webhook records the authenticated approver in `spec.recordedBy`; a value sent by
/// a client is replaced, and once set it can never change (SEC-CIA non-repudiation).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Approval",
    plural = "approvals",
    shortname = "pdapproval",
    category = "pusdata",
    namespaced,
    status = "ApprovalStatus",
    doc = "The platform team's technical approval of a request, recording who approved it.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Target","type":"string","jsonPath":".spec.target.name"}"#,
    printcolumn = r#"{"name":"Kind","type":"string","jsonPath":".spec.target.kind"}"#,
    printcolumn = r#"{"name":"Decision","type":"string","jsonPath":".spec.decision"}"#,
    printcolumn = r#"{"name":"By","type":"string","jsonPath":".spec.recordedBy.username"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec.target == oldSelf.spec.target && self.spec.decision == oldSelf.spec.decision").message("an approval cannot be re-pointed or reversed; create a new one").field_path(".spec"),
    validation = Rule::new("!has(oldSelf.spec.recordedBy) || self.spec.recordedBy == oldSelf.spec.recordedBy").message("SEC-CIA: the recorded approver can never change").field_path(".spec.recordedBy"),
    validation = Rule::new("!(self.spec.target.kind in ['HostingRequest', 'ExternalCloudService']) || has(self.spec.target.__namespace__)").message("the target of an approval for a namespaced kind needs its namespace").field_path(".spec.target.namespace"),
)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalSpec {
    /// The object approved.
    pub target: ObjectRef,
    /// The `metadata.generation` of the target that was reviewed. A later spec change needs a
    /// new approval.
    #[schemars(range(min = 1))]
    pub target_generation: i64,
    /// Approved or rejected.
    pub decision: Decision,
    /// Reasoning, conditions attached, ticket reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Security level assigned to the system (SEC-REGISTER), e.g. `low`, `medium`, `high`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_level: Option<String>,
    /// For colocation: the DC manager's chosen position when it differs from the suggestion
    /// (HOST-SITE: the manager decides).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinned_placement: Option<PinnedPlacement>,
    /// The approval stops applying after this time, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Time>,
    /// Set by the admission webhook from the authenticated request; never from the client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_by: Option<RecordedIdentity>,
}

/// The decision of an approval.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Decision {
    /// The request may go ahead.
    #[default]
    Approved,
    /// The request is refused.
    Rejected,
}

/// A rack position chosen by the DC manager.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PinnedPlacement {
    /// Rack name.
    pub rack: String,
    /// Lowest unit.
    #[schemars(range(min = 1))]
    pub position_u: u32,
}

/// Observed state of an approval.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalStatus {
    /// `Ready` (applied to its target) and `Expired`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}
