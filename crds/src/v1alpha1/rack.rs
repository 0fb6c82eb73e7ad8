//! `Rack`: a 19-inch rack at a site, with its A and B power feeds and cooling budget.

use super::common::{Conditions, conditions_schema};
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A rack in a site's server room, the unit of colocation placement (HOST-SITE).
///
/// Power is counted per feed: with either feed lost the other must carry the rack's whole
/// load at no more than its `maxUtilizationPercent` (HOST-POWER, N+N).
#[derive(CustomResource, Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[kube(
    group = "pusdata.io",
    version = "v1alpha1",
    kind = "Rack",
    plural = "racks",
    shortname = "pdrack",
    category = "pusdata",
    status = "RackStatus",
    doc = "A rack at a site: U height, depth, A and B feed capacity, cooling budget and reserved units.",
    cel,
    derive = "PartialEq",
    derive = "Default",
    printcolumn = r#"{"name":"Site","type":"string","jsonPath":".spec.site"}"#,
    printcolumn = r#"{"name":"U","type":"integer","jsonPath":".spec.heightU"}"#,
    printcolumn = r#"{"name":"Free U","type":"integer","jsonPath":".status.freeUnits"}"#,
    printcolumn = r#"{"name":"Load W","type":"integer","jsonPath":".status.loadWatts"}"#,
    printcolumn = r#"{"name":"Ready","type":"string","jsonPath":".status.conditions[?(@.type==\"Ready\")].status"}"#,
    printcolumn = r#"{"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}"#,
    validation = Rule::new("!has(self.spec.reservedUnits) || self.spec.reservedUnits.all(r, r.fromU <= r.toU && r.toU <= self.spec.heightU)").message("reserved units must lie inside the rack (1..heightU) with fromU <= toU").field_path(".spec.reservedUnits"),
    validation = Rule::new("!has(self.spec.feedA) || !has(self.spec.feedB) || self.spec.feedA.name.lowerAscii().trim() != self.spec.feedB.name.lowerAscii().trim()").message("HOST-POWER: feedA and feedB must be two distinct feeds (different names)").field_path(".spec.feedB.name"),
)]
#[serde(rename_all = "camelCase")]
pub struct RackSpec {
    /// Name of the `Site` the rack stands in.
    pub site: String,
    /// Room or hall.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    /// Row label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Usable height in rack units (U); 42 is the common full-height rack.
    #[serde(default = "default_height")]
    #[schemars(range(min = 1, max = 60))]
    pub height_u: u32,
    /// Usable mounting depth in millimetres.
    #[schemars(range(min = 300, max = 1500))]
    pub depth_mm: u32,
    /// Rail width. Only 19-inch racks take colocation devices (HOST-RACK).
    #[serde(default)]
    pub width: RackWidth,
    /// The A-side power feed. A rack without both feeds cannot take colocation (HOST-POWER).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_a: Option<PowerFeed>,
    /// The B-side power feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_b: Option<PowerFeed>,
    /// Heat the rack's cooling can remove, in watts.
    #[schemars(range(min = 0))]
    pub cooling_watts: u32,
    /// Maximum static load in kilograms, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_weight_kg: Option<u32>,
    /// Units kept free (patch panels, switches, airflow), never given to a device.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 60))]
    pub reserved_units: Vec<UnitRange>,
    /// If set, only these agencies (by code) may be placed in the rack.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_agencies: Vec<String>,
    /// Devices already in the rack that Pusdata did not place (legacy, network gear). They
    /// count against U, power and cooling like placed ones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub existing_devices: Vec<ExistingDevice>,
    /// Closed racks take no new placements (maintenance, decommissioning).
    #[serde(default)]
    pub cordoned: bool,
}

fn default_height() -> u32 {
    42
}

/// Rail width of a rack.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum RackWidth {
    /// 19-inch (EIA-310) rails.
    #[default]
    #[serde(rename = "19in")]
    Inch19,
    /// 23-inch (telecom) rails.
    #[serde(rename = "23in")]
    Inch23,
}

/// One power feed into a rack (a PDU on a breaker).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PowerFeed {
    /// Feed name, e.g. `PDU-A3`.
    pub name: String,
    /// Power the breaker is rated for, in watts (V × A, × √3 for three-phase).
    #[schemars(range(min = 1))]
    pub capacity_watts: u32,
    /// Continuous load allowed as a percentage of the rating; 80 % is the usual rule for
    /// continuous load on a breaker.
    #[serde(default = "default_max_util")]
    #[schemars(range(min = 1, max = 100))]
    pub max_utilization_percent: u8,
}

fn default_max_util() -> u8 {
    80
}

/// An inclusive range of rack units, counted from 1 at the bottom.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitRange {
    /// Lowest unit.
    #[schemars(range(min = 1))]
    pub from_u: u32,
    /// Highest unit.
    #[schemars(range(min = 1))]
    pub to_u: u32,
    /// Why it is reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A device in a rack that Pusdata did not place.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExistingDevice {
    /// Label of the device.
    pub name: String,
    /// Lowest unit it occupies.
    #[schemars(range(min = 1))]
    pub position_u: u32,
    /// Height in units.
    #[schemars(range(min = 1))]
    pub height_u: u32,
    /// Maximum power draw in watts, shared by its supplies.
    pub power_watts: u32,
    /// Owning agency code, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

/// Observed state of a rack, summarised from the devices placed in it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RackStatus {
    /// `Ready` (the rack is in inventory and usable) and `PowerRedundant` (either feed alone
    /// carries the load).
    #[serde(default)]
    #[schemars(schema_with = "conditions_schema")]
    pub conditions: Conditions,
    /// The spec generation the status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    /// Units neither used nor reserved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_units: Option<u32>,
    /// Sum of the maximum draw of every device, in watts: the load either feed must carry
    /// alone when the other fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_watts: Option<u32>,
    /// Requests placed in the rack, as `namespace/name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placed: Vec<String>,
}
