//! `HostingRequest`: an agency asks to host one system in the city Data Centre.

use super::common::{
    Conditions, DataClass, EgressPort, FindingSummary, RecordedIdentity, conditions_schema,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A request to host one system: as web hosting in the city cluster, or as colocation of the
/// agency's own 19-inch server (HOST-PLACE, WEB-DC). Checked against the rules, approved by
/// the platform team, then placed.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "HostingRequest",
    plural = "hostingrequests",
    shortname = "hr",
    shortname = "pdhost",
    category = "pusdata",
    namespaced,
    status = "HostingRequestStatus",
    doc = "Web hosting or colocation of one agency system, with licence and malware-scan attestations and its DRP tier.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Mode","type":"string","jsonPath":".spec.mode"}"#,
    printcolumn = r#"{"name":"Phase","type":"string","jsonPath":".status.phase"}"#,
    printcolumn = r#"{"name":"Placement","type":"string","jsonPath":".status.placementSummary"}"#,
    printcolumn = r#"{"name":"Tier","type":"string","jsonPath":".spec.dr.tier","priority":1}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec.mode != 'WebHosting' || has(self.spec.web)").message("web hosting needs spec.web (WEB-DC)").field_path(".spec.web"),
    validation = Rule::new("self.spec.mode != 'Colocation' || has(self.spec.colocation)").message("colocation needs spec.colocation with the device (HOST-RACK)").field_path(".spec.colocation"),
    validation = Rule::new("self.spec.mode != 'Colocation' || !has(self.spec.colocation) || self.spec.colocation.device.psuCount >= 2").message("HOST-POWER: a colocated server needs at least 2 power supplies, one on feed A and one on feed B (Perwal 7(2))").field_path(".spec.colocation.device.psuCount"),
    validation = Rule::new("self.spec.mode != 'Colocation' || !has(self.spec.colocation) || self.spec.colocation.device.formFactor == 'Rackmount19'").message("HOST-RACK: only 19-inch rackmount servers can be colocated (Perwal 7(6))").field_path(".spec.colocation.device.formFactor"),
)]
#[serde(rename_all = "camelCase")]
// Sub-structures that are often absent are boxed: an absent one then costs a pointer, not
// its full size, in every copy the operator keeps (a HostingRequest was 1 800 bytes before
// any of its strings; the caches hold one per request). The wire form is unchanged.
pub struct HostingRequestSpec {
    /// What the system is and who answers for it.
    pub system: SystemInfo,
    /// Web hosting in the city cluster, or colocation of the agency's own server.
    pub mode: HostingMode,
    /// Web hosting details; required when `mode` is `WebHosting`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web: Option<WebHosting>,
    /// Colocation details; required when `mode` is `Colocation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub colocation: Option<Box<Colocation>>,
    /// Operating system and software with their licences (HOST-LEGAL).
    pub software: Software,
    /// The latest malware scan of the application (HOST-CLEAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malware_scan: Option<MalwareScan>,
    /// How the system is backed up: a DRP tier, or stateless with a reason (APP-BACKUP).
    pub dr: DrDeclaration,
    /// Internet egress the system needs; ports outside the standard set need an approval
    /// (NET-PORTS).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub egress: Vec<EgressPort>,
    /// Where the system runs today, if still outside the city Data Centre (HOST-PLACE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_location: Option<Box<CurrentLocation>>,
}

/// What a system is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SystemInfo {
    /// Name of the system, e.g. `SIAK Kota Bekasi`.
    pub name: String,
    /// What it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The agency code that owns it. Must match the agency owning the namespace.
    pub agency: String,
    /// How sensitive its data is.
    #[serde(default)]
    pub data_class: DataClass,
    /// Technical contact (name or e-mail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub technical_contact: Option<String>,
}

/// How a system is hosted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum HostingMode {
    /// A workload in the city cluster (CLOUD-CITY).
    #[default]
    WebHosting,
    /// The agency's own server in a rack of the Data Centre.
    Colocation,
}

/// Web hosting in the city cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebHosting {
    /// Host names to serve; each must be the agency's subdomain of the city domain or below
    /// it (WEB-DC).
    #[schemars(length(min = 1, max = 16))]
    pub hostnames: Vec<String>,
    /// Target namespace; defaults to the agency's first namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// CPU the system requests in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory the system requests in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// Persistent storage the system requests in total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<Quantity>,
    /// Node pool label value to run on, when the platform offers several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_pool: Option<String>,
    /// Zone label value to run in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// Colocation of the agency's own server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Colocation {
    /// The device to install.
    pub device: Device,
    /// Site to place it in; by default the primary site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Number of addresses needed from the city pool (SEC-REGISTER).
    #[serde(default = "default_addresses")]
    #[schemars(range(min = 0, max = 16))]
    pub addresses: u8,
}

fn default_addresses() -> u8 {
    1
}

/// A physical server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// Manufacturer, e.g. `Dell`.
    pub manufacturer: String,
    /// Model, e.g. `PowerEdge R650`.
    pub model: String,
    /// Serial number / asset tag (SEC-REGISTER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Form factor; only `Rackmount19` can be colocated (HOST-RACK).
    pub form_factor: FormFactor,
    /// Height in rack units.
    #[schemars(range(min = 1, max = 20))]
    pub height_u: u32,
    /// Depth in millimetres.
    #[schemars(range(min = 100, max = 1500))]
    pub depth_mm: u32,
    /// Weight in kilograms, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_kg: Option<u32>,
    /// Number of power supplies; at least 2, one per feed (HOST-POWER).
    #[schemars(range(min = 1, max = 8))]
    pub psu_count: u32,
    /// Maximum power draw of the whole device in watts (nameplate or measured peak). Either
    /// supply must be able to carry it alone.
    #[schemars(range(min = 1, max = 20000))]
    pub power_watts: u32,
    /// Heat output in watts; by default equal to the power draw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heat_watts: Option<u32>,
}

/// The form factor of a device.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum FormFactor {
    /// 19-inch rackmount (EIA-310).
    #[default]
    Rackmount19,
    /// 23-inch rackmount.
    Rackmount23,
    /// Tower (floor-standing) server.
    Tower,
    /// A blade that needs a chassis.
    Blade,
}

/// Operating system and software components.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Software {
    /// The operating system.
    pub os: SoftwareItem,
    /// Other components: web server, database, application.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<SoftwareItem>,
}

/// One piece of software and its licence (HOST-LEGAL: legal or open source).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{"rule": "has(self.license) || has(self.licenseProof)", "message": "HOST-LEGAL: name an SPDX licence id or a licence-proof reference (Perwal 7(3))"}]))]
pub struct SoftwareItem {
    /// Name, e.g. `Ubuntu Server`.
    pub name: String,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// SPDX licence identifier or expression, e.g. `GPL-2.0-only`, `Apache-2.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Reference to proof of a commercial licence (contract or invoice number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license_proof: Option<String>,
}

/// Attestation of a malware scan (HOST-CLEAN).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MalwareScan {
    /// Scanner used, e.g. `ClamAV 1.4`.
    pub scanner: String,
    /// Identifier of the scan report.
    pub report_id: String,
    /// When the scan ran. Older than the policy's maximum age (90 days by default) is stale.
    pub scanned_at: Time,
    /// Outcome.
    pub result: ScanResult,
}

/// Outcome of a malware scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ScanResult {
    /// Nothing found.
    #[default]
    Clean,
    /// Something was found.
    Infected,
    /// Inconclusive findings.
    Suspicious,
}

/// How a system's data is protected (APP-BACKUP): exactly one of `tier` or `stateless`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [{"rule": "has(self.tier) != has(self.statelessReason)", "message": "APP-BACKUP: name a DRP tier, or declare the system stateless with a reason — exactly one (Perwal 14(7))"}]))]
pub struct DrDeclaration {
    /// The `DisasterRecoveryPlan` the system belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The tier of that plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Why the system holds no data worth backing up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stateless_reason: Option<String>,
}

/// Where a system runs before moving into the Data Centre.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CurrentLocation {
    /// Description, e.g. `server room of the agency office`, `commercial hosting`.
    pub description: String,
    /// Country where it runs now (ISO 3166-1 alpha-2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// Date by which it moves into the DC (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migrate_by: Option<String>,
}

/// Lifecycle phase of a hosting request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum HostingPhase {
    /// Received, not yet checked.
    #[default]
    Submitted,
    /// Checked against the rules with no denying finding.
    Validated,
    /// Waiting for the platform team's technical approval.
    AwaitingApproval,
    /// Approved for the current spec generation.
    Approved,
    /// A place was assigned (namespace, or rack and U position).
    Placed,
    /// Running in the Data Centre.
    Active,
    /// Refused, with reasons in the conditions and findings.
    Rejected,
}

/// Observed state of a hosting request.
// Placements, work order and approval are boxed for the reason given on HostingRequestSpec.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HostingRequestStatus {
    /// Where the request stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<HostingPhase>,
    /// `Ready`, `Validated`, `Approved`, `Placed`.
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Policy findings for the current spec.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<FindingSummary>,
    /// The approval in force, and the generation it approved. A spec change after approval
    /// sends the request back to `AwaitingApproval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<Box<ApprovalRecord>>,
    /// Security level set by the platform team (SEC-REGISTER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_level: Option<String>,
    /// One-line placement, for `kubectl get`: `ns/disdukcapil` or `dc-bekasi/R03 U12-13`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement_summary: Option<String>,
    /// Web hosting placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_placement: Option<Box<WebPlacement>>,
    /// Colocation placement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rack_placement: Option<Box<RackPlacement>>,
    /// The next best alternatives for the DC manager, who decides (HOST-SITE).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<RackPlacement>,
    /// Install work order and escorted access request (HOST-ACCESS).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_order: Option<Box<WorkOrder>>,
    /// Not part of the API (never serialized). Set only on the operator's cached copy,
    /// which keeps the status without its condition and finding texts: a digest of the
    /// status as stored, by which the status writer still tells an unchanged status
    /// (`controllers::request_cache`).
    #[serde(skip)]
    #[schemars(skip)]
    pub text_digest: Option<[u8; 16]>,
}

/// An approval as recorded on the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalRecord {
    /// Name of the `Approval` object.
    pub name: String,
    /// The request generation it approved.
    pub generation: i64,
    /// Who approved, as authenticated by the API server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<RecordedIdentity>,
}

/// Where a web hosting request runs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebPlacement {
    /// Namespace.
    pub namespace: String,
    /// Node pool chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_pool: Option<String>,
    /// Zone chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// A rack position for a colocated device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RackPlacement {
    /// Site name.
    pub site: String,
    /// Rack name.
    pub rack: String,
    /// Lowest unit the device occupies (1 = bottom).
    pub position_u: u32,
    /// Height in units.
    pub height_u: u32,
    /// A-side feed name.
    pub feed_a: String,
    /// B-side feed name.
    pub feed_b: String,
    /// Score of this choice (higher is better), for comparing alternatives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<i64>,
}

/// The install work order of a placed colocation (HOST-ACCESS, SEC-REGISTER).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkOrder {
    /// Work order number.
    pub id: String,
    /// Where to install.
    pub placement: RackPlacement,
    /// Addresses assigned from the city pool.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<String>,
    /// Physical access is only with an escort from the IT office (Perwal 7(5)).
    pub escort_required: bool,
    /// State of the work order: `Open`, `Scheduled`, `Done`.
    pub state: String,
}
