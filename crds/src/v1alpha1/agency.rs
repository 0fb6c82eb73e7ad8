//! `Agency`: a tenant of the city Data Centre (a *Perangkat Daerah*).

use super::common::{Conditions, Contact, EgressPort, SecretKeyRef, conditions_schema};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An agency of the city government, onboarded by the platform team. The operator keeps its
/// namespaces, quota, default network policy and role bindings (CLOUD-CITY, NET-PORTS).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Agency",
    plural = "agencies",
    shortname = "pdagency",
    category = "pusdata",
    status = "AgencyStatus",
    doc = "A tenant agency: code, subdomain, contacts, quotas; owns namespaces and its own repository key.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Code","type":"string","jsonPath":".spec.code"}"#,
    printcolumn = r#"{"name":"Subdomain","type":"string","jsonPath":".spec.subdomain"}"#,
    printcolumn = r#"{"name":"Systems","type":"integer","jsonPath":".status.hostedSystems"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec.code == oldSelf.spec.code").message("spec.code is immutable: namespaces, repositories and keys are named after it").field_path(".spec.code"),
)]
#[serde(rename_all = "camelCase")]
pub struct AgencySpec {
    /// Short code, used in namespace names, labels and repository names, e.g. `disdukcapil`.
    #[schemars(regex(pattern = r"^[a-z][a-z0-9-]{1,30}$"))]
    pub code: String,
    /// Full name, e.g. `Dinas Kependudukan dan Pencatatan Sipil`.
    pub display_name: String,
    /// The agency's own label under the city domain: `disdukcapil` →
    /// `disdukcapil.bekasikota.go.id` (WEB-DC).
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub subdomain: String,
    /// People to contact, by role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Identity-provider groups whose members act for the agency. They get edit rights in
    /// the agency's namespaces only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Namespaces the agency owns. Defaults to one namespace named after the code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 32))]
    pub namespaces: Vec<String>,
    /// Resource quota per namespace in the city cluster (CLOUD-CITY).
    #[serde(default)]
    pub quota: AgencyQuota,
    /// Ports beyond the standard NET-PORTS set that the agency may reach, each with its
    /// approval.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_egress: Vec<EgressPort>,
    /// The agency's own repository key (restic repository password). Every agency has its
    /// own key, so no agency can open another's backups (SEC-CIA).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_key: Option<SecretKeyRef>,
}

/// Quota and defaults for an agency's namespaces.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgencyQuota {
    /// Total CPU requests, e.g. `8`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Total memory requests, e.g. `16Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// Total persistent storage requests, e.g. `500Gi`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Quantity>,
    /// Maximum number of pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// Default CPU request for containers that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_cpu_request: Option<Quantity>,
    /// Default memory request for containers that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_memory_request: Option<Quantity>,
    /// Default CPU limit for containers that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_cpu_limit: Option<Quantity>,
    /// Default memory limit for containers that set none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_memory_limit: Option<Quantity>,
}

/// Observed state of an agency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AgencyStatus {
    /// `Ready` (namespaces and defaults in place) and `DeletionBlocked` (the agency still has
    /// hosted systems or backups).
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Namespaces the operator created or adopted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// Number of hosting requests of the agency that are placed or active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_systems: Option<u32>,
    /// Number of backup repositories holding the agency's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repositories: Option<u32>,
}
