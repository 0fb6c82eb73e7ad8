//! `ResidencyPolicy`: where city data may live, and the settings of the rules.

use super::common::{Conditions, EgressPort, ObjectRef, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The in-country rules and their settings (CLOUD-NKRI, DR-NKRI, DR-FAR, DATA-DC, HOST-CLEAN,
/// NET-PORTS, WEB-DC). Numbers the regulations leave open are settings here, with
/// documented defaults. Exceptions always expire.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "ResidencyPolicy",
    plural = "residencypolicies",
    shortname = "pdpolicy",
    category = "pusdata",
    status = "ResidencyPolicyStatus",
    doc = "Allowed countries, the in-country region catalogue, enforcement mode, rule settings and expiring exceptions.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Mode","type":"string","jsonPath":".spec.mode"}"#,
    printcolumn = r#"{"name":"Countries","type":"string","jsonPath":".spec.allowedCountries"}"#,
    printcolumn = r#"{"name":"Exceptions","type":"integer","jsonPath":".status.activeExceptions"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("!has(self.spec.exceptions) || self.spec.exceptions.all(e, self.spec.exceptions.exists_one(f, f.name == e.name))").message("exception names must be unique").field_path(".spec.exceptions"),
)]
#[serde(rename_all = "camelCase")]
pub struct ResidencyPolicySpec {
    /// `Enforce` denies objects with a denying finding; `Monitor` only reports.
    #[serde(default)]
    pub mode: EnforcementMode,
    /// Countries (ISO 3166-1 alpha-2) where city data may live. The regulations allow only
    /// Indonesia.
    #[serde(default = "default_countries")]
    #[schemars(length(min = 1, max = 8))]
    pub allowed_countries: Vec<String>,
    /// The city's domain; agencies' websites live under `<subdomain>.<cityDomain>` (WEB-DC).
    pub city_domain: String,
    /// Regions and endpoints added to the built-in catalogue (local providers, the city's own
    /// S3 endpoints).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra_providers: Vec<Provider>,
    /// Minimum great-circle distance between a primary and its DRC, in kilometres (DR-FAR).
    #[serde(default = "default_distance")]
    #[schemars(range(min = 0, max = 5000))]
    pub min_drc_distance_km: u32,
    /// A malware scan older than this many days is stale (HOST-CLEAN).
    #[serde(default = "default_scan_age")]
    #[schemars(range(min = 1, max = 3650))]
    pub max_scan_age_days: u32,
    /// Egress ports allowed without approval (NET-PORTS). Empty means the standard set of
    /// Perwal 6(7).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_egress_ports: Vec<EgressPort>,
    /// Identity-provider groups of the platform team: only they may approve.
    #[serde(default = "default_platform_groups")]
    pub platform_groups: Vec<String>,
    /// Namespace where approvals live.
    #[serde(default = "default_platform_namespace")]
    pub platform_namespace: String,
    /// Namespaces the admission webhook never checks (system namespaces).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exempt_namespaces: Vec<String>,
    /// Exceptions to a rule for one object; each expires, after which the object is reported
    /// again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 256))]
    pub exceptions: Vec<PolicyException>,
}

fn default_countries() -> Vec<String> {
    vec!["ID".to_string()]
}
fn default_distance() -> u32 {
    30
}
fn default_scan_age() -> u32 {
    90
}
fn default_platform_groups() -> Vec<String> {
    vec!["pusdata:platform".to_string()]
}
fn default_platform_namespace() -> String {
    "pusdata-system".to_string()
}

/// Enforcement mode of the admission webhook.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum EnforcementMode {
    /// Deny objects with a denying finding.
    #[default]
    Enforce,
    /// Admit everything, report findings as warnings and in policy reports.
    Monitor,
}

/// A cloud or storage provider with its regions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Provider {
    /// Provider id, e.g. `aws`, `biznet`, `bekasi-dc`.
    pub name: String,
    /// Human name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Regions.
    pub regions: Vec<Region>,
}

/// A region of a provider.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// Region id, e.g. `ap-southeast-3`.
    pub id: String,
    /// Country (ISO 3166-1 alpha-2).
    #[schemars(regex(pattern = r"^[A-Z]{2}$"))]
    pub country: String,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Host names (exact, or `*.` wildcard) of S3 and API endpoints in this region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<String>,
}

/// An exception to one rule for one object. It always has an expiry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{"rule": "self.rule.matches('^[A-Z]+-[A-Z]+$')", "message": "rule must be a rule ID such as CLOUD-NKRI"}]))]
pub struct PolicyException {
    /// Unique name of the exception.
    pub name: String,
    /// The object excepted.
    pub target: ObjectRef,
    /// Rule ID excepted, e.g. `CLOUD-NKRI`.
    pub rule: String,
    /// Why.
    pub reason: String,
    /// Ticket or letter reference.
    pub ticket: String,
    /// Who approved the exception.
    pub approved_by: String,
    /// When it stops applying (required: exceptions always expire).
    pub expires_at: Time,
}

/// Observed state of a residency policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResidencyPolicyStatus {
    /// `Ready`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Exceptions not yet expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_exceptions: Option<u32>,
    /// Names of expired exceptions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expired_exceptions: Vec<String>,
}
