//! Types shared by several kinds.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Standard status conditions, keyed by `type` so that server-side apply merges them.
///
/// A named wrapper keeps the list-map markers in one place; every status embeds it.
pub type Conditions = Vec<Condition>;

/// Schema for a `conditions` list: a list-map keyed by `type` (as `metav1.Condition` lists
/// are in every built-in kind).
pub fn conditions_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = <Vec<Condition>>::json_schema(generator);
    schema.insert("x-kubernetes-list-type".into(), "map".into());
    schema.insert(
        "x-kubernetes-list-map-keys".into(),
        serde_json::json!(["type"]),
    );
    schema
}

/// A reference to one key of a Secret. The value is read by the operator and never copied
/// into logs, events or status.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretKeyRef {
    /// Name of the Secret.
    pub name: String,
    /// Namespace of the Secret; defaults to the operator's namespace for cluster-scoped
    /// resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Key inside the Secret's data.
    pub key: String,
}

/// A reference to a whole Secret (for credentials that span several keys).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    /// Name of the Secret.
    pub name: String,
    /// Namespace of the Secret; defaults to the operator's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A reference to a namespaced object.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef {
    /// Kind of the object, e.g. `HostingRequest`.
    pub kind: String,
    /// Namespace of the object; empty for cluster-scoped kinds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the object.
    pub name: String,
}

/// A person to call, by role. Phone numbers and e-mail addresses are personal data: they
/// may live in a Secret, referenced here, instead of in the resource.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    /// Role of the contact, e.g. `head-of-agency`, `dr-coordinator`, `dba`.
    pub role: String,
    /// Full name.
    pub name: String,
    /// Official e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Secret holding private contact details (phone, messenger), key per field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details_secret: Option<SecretRef>,
}

/// How sensitive the data of a system is. Drives residency checks and report redaction.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
pub enum DataClass {
    /// Published information (open data, public website content).
    Public,
    /// Internal working data of an agency.
    #[default]
    Internal,
    /// Personal or otherwise restricted data (population registry, licences).
    Confidential,
    /// Classified information (`informasi yang dikecualikan`).
    Secret,
}

/// A network protocol for port rules.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
pub enum Protocol {
    /// TCP.
    #[default]
    TCP,
    /// UDP.
    UDP,
}

/// An egress port an application needs (NET-PORTS).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EgressPort {
    /// Destination port number.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// Protocol; TCP by default.
    #[serde(default)]
    pub protocol: Protocol,
    /// Destination (CIDR or host name) when known; informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    /// Why the application needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// Name of the `Approval` that allows a port outside the standard set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_ref: Option<String>,
}

/// A finding of the policy engine as it is stored in a status: the rule ID lets a reader go
/// straight to the article of the regulation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FindingSummary {
    /// Rule ID from the regulations table, e.g. `CLOUD-NKRI`.
    pub rule: String,
    /// `deny`, `warn` or `info`.
    pub severity: String,
    /// Field path inside the object, e.g. `spec.colocation.device.psuCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Message in English.
    pub message: String,
    /// Message in Bahasa Indonesia.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

/// Who did something, as the API server authenticated them (SEC-CIA non-repudiation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordedIdentity {
    /// Username from the admission request's `userInfo`.
    pub username: String,
    /// UID from `userInfo`, when the authenticator sets one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Groups from `userInfo`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// When it was recorded (RFC 3339).
    pub at: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
}
