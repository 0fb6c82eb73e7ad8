//! `Site`: a data centre — the city's primary Data Centre or its DRC.

use super::common::{Conditions, SecretRef, conditions_schema};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A data centre where Pusdata places systems or keeps backups.
///
/// A DRC site names the primary it protects and that primary's city, so the API server can
/// refuse a DRC in the same city (DR-FAR); the distance check needs both sites and is done by
/// the policy engine.
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Site",
    plural = "sites",
    shortname = "pds",
    category = "pusdata",
    status = "SiteStatus",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Role","type":"string","jsonPath":".spec.role"}"#,
    printcolumn = r#"{"name":"City","type":"string","jsonPath":".spec.city"}"#,
    printcolumn = r#"{"name":"Country","type":"string","jsonPath":".spec.country"}"#,
    printcolumn = r#"{"name":"TIA","type":"integer","jsonPath":".spec.tiaRating"}"#,
    printcolumn = r#"{"name":"Epoch","type":"integer","jsonPath":".status.epoch"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("self.spec.role != 'Drc' || has(self.spec.drcOf)").message("a DRC site must name the primary site it protects in spec.drcOf (DR-FAR)").field_path(".spec.drcOf"),
    validation = Rule::new("self.spec.role != 'Drc' || !has(self.spec.drcOf) || self.spec.drcOf.city.lowerAscii() != self.spec.city.lowerAscii()").message("DR-FAR: a DRC site must be in another city than its primary (Perda 26(11))").field_path(".spec.city"),
    validation = Rule::new("self.spec.role != 'Primary' || !has(self.spec.drcOf)").message("spec.drcOf is only for DRC sites").field_path(".spec.drcOf"),
)]
#[serde(rename_all = "camelCase")]
pub struct SiteSpec {
    /// Human name, e.g. `Pusat Data Kota Bekasi`.
    pub display_name: String,
    /// Whether this is the primary Data Centre or a Disaster Recovery Center.
    pub role: SiteRole,
    /// City or regency (`kota` / `kabupaten`) where the site stands.
    pub city: String,
    /// Province.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    /// ISO 3166-1 alpha-2 country code. Every site holding city data must be `ID` (DR-NKRI).
    #[schemars(regex(pattern = r"^[A-Z]{2}$"))]
    pub country: String,
    /// Geographic coordinates, used for the DR-FAR distance check.
    pub coordinates: Coordinates,
    /// TIA-942 rating: 1 basic, 2 redundant components, 3 concurrently maintainable,
    /// 4 fault tolerant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 4))]
    pub tia_rating: Option<u8>,
    /// For a DRC: the primary site it protects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drc_of: Option<PrimaryRef>,
    /// How the other site and the tools reach this one.
    #[serde(default)]
    pub endpoints: SiteEndpoints,
    /// Address pools of the city network at this site, from which colocation devices get
    /// their addresses (SEC-REGISTER: the IT office owns IP numbering).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub address_pools: Vec<AddressPool>,
    /// Total power the site can deliver to IT load, in watts (for capacity reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub it_power_watts: Option<u64>,
    /// Secret with `tls.crt`, `tls.key` and `ca.crt` for the mTLS link between sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_tls_secret: Option<SecretRef>,
}

/// The role of a site.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum SiteRole {
    /// The city Data Centre, where systems normally run.
    #[default]
    Primary,
    /// The Disaster Recovery Center.
    Drc,
}

/// Latitude and longitude in decimal degrees (WGS 84).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Coordinates {
    /// Latitude, −90 to 90.
    #[schemars(range(min = -90.0, max = 90.0))]
    pub latitude: f64,
    /// Longitude, −180 to 180.
    #[schemars(range(min = -180.0, max = 180.0))]
    pub longitude: f64,
}

/// The primary site a DRC protects.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryRef {
    /// Name of the primary `Site`.
    pub site: String,
    /// City of the primary, repeated here so the API server can compare cities.
    pub city: String,
}

/// Endpoints of a site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteEndpoints {
    /// gRPC endpoint of the site's Pusdata agent (`https://host:port`), used between sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    /// S3 endpoint of the site's object storage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s3: Option<String>,
    /// Kubernetes API server of the site's cluster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_server: Option<String>,
}

/// A block of addresses of the city network.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddressPool {
    /// Pool name, e.g. `colo-mgmt`.
    pub name: String,
    /// CIDR, e.g. `10.30.8.0/24`.
    pub cidr: String,
    /// Gateway address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

/// Observed state of a site.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SiteStatus {
    /// `Ready` and `PeerReady` (the other site answers heartbeats).
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Current fencing epoch known to this site. A site refuses work stamped with an older
    /// epoch, so two sites can never both be active for a service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<u64>,
    /// Last heartbeat received from the peer site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_peer_heartbeat: Option<Time>,
    /// Whether this site currently serves production traffic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}
