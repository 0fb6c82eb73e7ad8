//! `ExternalCloudService`: an agency declares use of a cloud outside the city DC.

use super::common::{Conditions, DataClass, FindingSummary, conditions_schema};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Declared use of an external cloud service. Allowed only with the IT office's technical
/// approval AND a region inside Indonesia from the catalogue (CLOUD-NKRI, Perwal 8(3)).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "ExternalCloudService",
    plural = "externalcloudservices",
    shortname = "ecs",
    shortname = "pdcloud",
    category = "pusdata",
    namespaced,
    status = "ExternalCloudServiceStatus",
    doc = "Declared use of an external cloud: provider, region, service, data class; needs approval and an in-country region.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Provider","type":"string","jsonPath":".spec.provider"}"#,
    printcolumn = r#"{"name":"Region","type":"string","jsonPath":".spec.region"}"#,
    printcolumn = r#"{"name":"Data","type":"string","jsonPath":".spec.dataClass"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#
)]
#[serde(rename_all = "camelCase")]
pub struct ExternalCloudServiceSpec {
    /// Provider id from the catalogue, e.g. `aws`, `gcp`, `azure`, `alibaba`.
    pub provider: String,
    /// Region id, e.g. `ap-southeast-3`.
    pub region: String,
    /// Service used, e.g. `s3`, `compute`, `managed-postgres`.
    pub service: String,
    /// Endpoint host used, when it is not the region's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// How sensitive the data sent there is.
    pub data_class: DataClass,
    /// What it is for.
    pub purpose: String,
    /// The agency code.
    pub agency: String,
}

/// Phase of an external cloud declaration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CloudPhase {
    /// Waiting for approval.
    #[default]
    Pending,
    /// Approved and in-country.
    Approved,
    /// Refused.
    Denied,
}

/// Observed state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExternalCloudServiceStatus {
    /// Phase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<CloudPhase>,
    /// `Ready`, `Approved`, `InCountry`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Policy findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingSummary>,
    /// Name of the approval in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
}
