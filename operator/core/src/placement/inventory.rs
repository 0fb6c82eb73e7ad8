//! The inventory the engine places into: racks as plain data, with what already occupies
//! them. Built from `Rack` objects and placed `HostingRequest`s by the shell; kept by the
//! engine as devices are placed.

use pusdata_crds::v1alpha1::{
    Device, FormFactor, HostingMode, HostingRequest, PowerFeed, Rack, RackPlacement, RackWidth,
};
use serde::{Deserialize, Serialize};

/// Rack units are counted 1..=60 and kept as a bit mask (bit 0 = U1); the CRD caps racks
/// at 60 U, so one `u64` holds a whole rack.
pub const MAX_RACK_U: u32 = 60;

/// What the engine knows about one rack, from its `Rack` spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RackInfo {
    /// Rack name (unique in the inventory).
    pub name: String,
    /// Site the rack stands in.
    pub site: String,
    /// Usable height in U.
    pub height_u: u32,
    /// Usable depth in millimetres.
    pub depth_mm: u32,
    /// Rail width.
    pub width: RackWidth,
    /// A-side feed.
    pub feed_a: Option<PowerFeed>,
    /// B-side feed.
    pub feed_b: Option<PowerFeed>,
    /// Heat the cooling can remove, in watts.
    pub cooling_watts: u32,
    /// Static load limit, when known.
    pub max_weight_kg: Option<u32>,
    /// Reserved unit ranges, inclusive.
    pub reserved: Vec<(u32, u32)>,
    /// Agencies allowed in the rack; empty means any.
    pub allowed_agencies: Vec<String>,
    /// Takes no new placements.
    pub cordoned: bool,
}

impl RackInfo {
    /// From a `Rack` object (its name is the inventory key).
    pub fn from_rack(rack: &Rack) -> RackInfo {
        let s = &rack.spec;
        RackInfo {
            name: rack.metadata.name.clone().unwrap_or_default(),
            site: s.site.clone(),
            height_u: s.height_u.min(MAX_RACK_U),
            depth_mm: s.depth_mm,
            width: s.width,
            feed_a: s.feed_a.clone(),
            feed_b: s.feed_b.clone(),
            cooling_watts: s.cooling_watts,
            max_weight_kg: s.max_weight_kg,
            reserved: s
                .reserved_units
                .iter()
                .map(|r| (r.from_u, r.to_u))
                .collect(),
            allowed_agencies: s.allowed_agencies.clone(),
            cordoned: s.cordoned,
        }
    }
}

/// Where an occupant came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Origin {
    /// Listed in the rack's `existingDevices` (not placed by Pusdata).
    Existing,
    /// Placed by Pusdata (an earlier request, or earlier in this batch).
    Placed,
}

/// A device that occupies units of a rack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupant {
    /// Device label, or the request id (`namespace/name`).
    pub name: String,
    /// Owning agency code, when known.
    pub agency: Option<String>,
    /// Lowest unit.
    pub position_u: u32,
    /// Height in U.
    pub height_u: u32,
    /// Maximum draw in watts (either feed must carry it alone).
    pub power_watts: u32,
    /// Heat in watts.
    pub heat_watts: u32,
    /// Weight in kg; 0 when unknown.
    pub weight_kg: u32,
    /// Where it came from.
    pub origin: Origin,
}

impl Occupant {
    /// Mask of the units it covers, clipped to the rack's 60 U.
    pub fn mask(&self) -> u64 {
        unit_mask(self.position_u, self.height_u)
    }
}

/// Bit mask of `height` units starting at `from` (1-based); units above 60 are dropped.
pub fn unit_mask(from: u32, height: u32) -> u64 {
    if from == 0 || height == 0 || from > MAX_RACK_U {
        return 0;
    }
    let top = (from + height - 1).min(MAX_RACK_U);
    let len = top - from + 1;
    let ones = if len >= 64 {
        u64::MAX
    } else {
        (1u64 << len) - 1
    };
    ones << (from - 1)
}

/// One rack and what is in it, with the running totals the filters read.
///
/// The totals are private so that they can only change together with the occupant list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RackState {
    /// The rack.
    pub info: RackInfo,
    occupants: Vec<Occupant>,
    used_mask: u64,
    reserved_mask: u64,
    load_watts: u64,
    heat_watts: u64,
    weight_kg: u64,
    /// Distinct agencies present, so affinity is a short scan and not one over devices.
    agencies: Vec<String>,
    /// Feeds A and B are one feed under [`crate::names::same_name`]; decided once here,
    /// not per request and rack (the batch asks ten million times).
    #[serde(default)]
    one_feed: bool,
}

impl RackState {
    /// An empty rack.
    pub fn new(info: RackInfo) -> RackState {
        let reserved_mask = info
            .reserved
            .iter()
            .filter(|(from, to)| to >= from)
            .fold(0, |m, (from, to)| m | unit_mask(*from, to - from + 1));
        let one_feed = match (&info.feed_a, &info.feed_b) {
            (Some(a), Some(b)) => crate::names::same_name(&a.name, &b.name),
            _ => false,
        };
        RackState {
            info,
            occupants: Vec::new(),
            used_mask: 0,
            reserved_mask,
            load_watts: 0,
            heat_watts: 0,
            weight_kg: 0,
            agencies: Vec::new(),
            one_feed,
        }
    }

    /// Whether the rack's A and B feeds are one and the same feed (HOST-POWER).
    pub fn feeds_are_one(&self) -> bool {
        self.one_feed
    }

    /// A rack with its `existingDevices`.
    pub fn from_rack(rack: &Rack) -> RackState {
        let mut state = RackState::new(RackInfo::from_rack(rack));
        for d in &rack.spec.existing_devices {
            state.add(Occupant {
                name: d.name.clone(),
                agency: d.agency.clone(),
                position_u: d.position_u,
                height_u: d.height_u,
                power_watts: d.power_watts,
                heat_watts: d.power_watts,
                weight_kg: 0,
                origin: Origin::Existing,
            });
        }
        state
    }

    /// Records an occupant. Overlaps in the input inventory are kept as they are (they are
    /// facts of the room); the engine never creates one.
    pub fn add(&mut self, o: Occupant) {
        self.used_mask |= o.mask();
        self.load_watts += u64::from(o.power_watts);
        self.heat_watts += u64::from(o.heat_watts);
        self.weight_kg += u64::from(o.weight_kg);
        if let Some(a) = &o.agency
            && !self.agencies.contains(a)
        {
            self.agencies.push(a.clone());
        }
        self.occupants.push(o);
    }

    /// Devices in the rack, in the order they were recorded.
    pub fn occupants(&self) -> &[Occupant] {
        &self.occupants
    }

    /// Units taken by devices.
    pub fn used_mask(&self) -> u64 {
        self.used_mask
    }

    /// Units reserved by the rack spec.
    pub fn reserved_mask(&self) -> u64 {
        self.reserved_mask
    }

    /// Units inside the rack.
    pub fn rack_mask(&self) -> u64 {
        unit_mask(1, self.info.height_u)
    }

    /// Units neither used nor reserved.
    pub fn free_units(&self) -> u32 {
        (self.rack_mask() & !(self.used_mask | self.reserved_mask)).count_ones()
    }

    /// Sum of the maximum draw of every device: what one feed carries when the other is lost.
    pub fn load_watts(&self) -> u64 {
        self.load_watts
    }

    /// Sum of the heat of every device.
    pub fn heat_watts(&self) -> u64 {
        self.heat_watts
    }

    /// Sum of the known weights.
    pub fn weight_kg(&self) -> u64 {
        self.weight_kg
    }

    /// Whether any device is in the rack (a rack "in use" for bin-packing).
    pub fn in_use(&self) -> bool {
        !self.occupants.is_empty()
    }

    /// Whether an agency already has a device here.
    pub fn hosts_agency(&self, agency: &str) -> bool {
        self.agencies.iter().any(|a| a == agency)
    }
}

/// The budget of a feed in watts: rating × maximum utilisation.
pub fn feed_budget(feed: &PowerFeed) -> u64 {
    u64::from(feed.capacity_watts) * u64::from(feed.max_utilization_percent.min(100)) / 100
}

/// All racks, kept sorted by name so every walk over them is deterministic.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "Racks", into = "Racks")]
pub struct Inventory {
    racks: Vec<RackState>,
    /// Site and agency names as numbers, per rack (same order as `racks`).
    names: Names,
}

/// Two inventories are equal when their racks are: the name numbers depend on the order
/// names were first seen, not on what the inventory holds.
impl PartialEq for Inventory {
    fn eq(&self, other: &Inventory) -> bool {
        self.racks == other.racks
    }
}

impl Eq for Inventory {}

/// What an [`Inventory`] is written as: its racks; the name table is rebuilt on reading.
#[derive(Clone, Serialize, Deserialize)]
struct Racks {
    racks: Vec<RackState>,
}

impl TryFrom<Racks> for Inventory {
    type Error = InventoryError;
    fn try_from(r: Racks) -> Result<Inventory, InventoryError> {
        Inventory::new(r.racks)
    }
}

impl From<Inventory> for Racks {
    fn from(i: Inventory) -> Racks {
        Racks { racks: i.racks }
    }
}

/// A name no rack carries: a request for an unknown site or a new agency matches nothing.
const NO_NAME: u32 = u32::MAX;

/// Site and agency names as small numbers. A batch runs the per-rack filters ten million
/// times (10 000 requests × 1 000 racks); comparing numbers there instead of strings took
/// the string compares (11 % of `pusdata place`) out of the profile. Numbers are given in
/// the order names are first seen and only ever compared for equality.
#[derive(Clone, Debug, Default)]
struct Names {
    ids: std::collections::HashMap<String, u32>,
    /// The site of each rack.
    site: Vec<u32>,
    /// The distinct agencies with a device in each rack.
    agencies: Vec<Vec<u32>>,
}

impl Names {
    fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = u32::try_from(self.ids.len()).unwrap_or(NO_NAME - 1);
        self.ids.insert(name.to_string(), id);
        id
    }

    fn get(&self, name: &str) -> u32 {
        self.ids.get(name).copied().unwrap_or(NO_NAME)
    }

    fn of(racks: &[RackState]) -> Names {
        let mut n = Names::default();
        for r in racks {
            let site = n.intern(&r.info.site);
            let agencies = r.agencies.iter().map(|a| n.intern(a)).collect();
            n.site.push(site);
            n.agencies.push(agencies);
        }
        n
    }
}

/// A request's site and agency as the inventory's numbers, looked up once per request
/// rather than once per rack.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probe {
    /// `None`: any site.
    site: Option<u32>,
    agency: u32,
}

/// Why a placed request could not be recorded in the inventory.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InventoryError {
    /// The placement names a rack that is not in the inventory.
    #[error("{request}: placed in rack {rack}, which is not in the inventory")]
    UnknownRack {
        /// Request id.
        request: String,
        /// Rack name.
        rack: String,
    },
    /// Two racks share a name.
    #[error("rack {0} appears twice in the inventory")]
    DuplicateRack(String),
}

impl Inventory {
    /// An inventory of the given racks (sorted by name).
    pub fn new(racks: Vec<RackState>) -> Result<Inventory, InventoryError> {
        let mut racks = racks;
        racks.sort_by(|a, b| a.info.name.cmp(&b.info.name));
        if let Some(w) = racks.windows(2).find(|w| w[0].info.name == w[1].info.name) {
            return Err(InventoryError::DuplicateRack(w[0].info.name.clone()));
        }
        let names = Names::of(&racks);
        Ok(Inventory { racks, names })
    }

    /// The request's names as this inventory's numbers.
    pub(crate) fn probe(&self, req: &DeviceRequest) -> Probe {
        Probe {
            site: req.site.as_deref().map(|s| self.names.get(s)),
            agency: self.names.get(&req.agency),
        }
    }

    /// Whether rack `i` stands in the site the request asks for (any site when it names
    /// none).
    pub(crate) fn in_site(&self, i: usize, p: Probe) -> bool {
        p.site.is_none_or(|s| self.names.site.get(i) == Some(&s))
    }

    /// Whether the request's agency already has a device in rack `i`.
    pub(crate) fn hosts(&self, i: usize, p: Probe) -> bool {
        p.agency != NO_NAME
            && self
                .names
                .agencies
                .get(i)
                .is_some_and(|a| a.contains(&p.agency))
    }

    /// An inventory from `Rack` objects (owned or shared, e.g. a watched store's), with
    /// their existing devices.
    pub fn from_racks<R: std::borrow::Borrow<Rack>>(
        racks: &[R],
    ) -> Result<Inventory, InventoryError> {
        Inventory::new(
            racks
                .iter()
                .map(|r| RackState::from_rack(r.borrow()))
                .collect(),
        )
    }

    /// Racks in name order.
    pub fn racks(&self) -> &[RackState] {
        &self.racks
    }

    /// A rack by name.
    pub fn rack(&self, name: &str) -> Option<&RackState> {
        self.index(name).map(|i| &self.racks[i])
    }

    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.racks
            .binary_search_by(|r| r.info.name.as_str().cmp(name))
            .ok()
    }

    /// Records a device placed earlier (a `HostingRequest` whose status has a placement).
    pub fn record(&mut self, rack: &str, occupant: Occupant) -> Result<(), InventoryError> {
        let i = self
            .index(rack)
            .ok_or_else(|| InventoryError::UnknownRack {
                request: occupant.name.clone(),
                rack: rack.to_string(),
            })?;
        if let Some(a) = &occupant.agency {
            let id = self.names.intern(a);
            if let Some(ids) = self.names.agencies.get_mut(i)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        self.racks[i].add(occupant);
        Ok(())
    }

    /// Records a placed `HostingRequest` (colocation with `status.rackPlacement`); other
    /// requests are ignored and `Ok(false)` is returned.
    pub fn record_hosting_request(&mut self, hr: &HostingRequest) -> Result<bool, InventoryError> {
        let (Some(colo), Some(placed)) = (
            hr.spec.colocation.as_ref(),
            hr.status.as_ref().and_then(|s| s.rack_placement.as_ref()),
        ) else {
            return Ok(false);
        };
        if hr.spec.mode != HostingMode::Colocation {
            return Ok(false);
        }
        let occupant = placed_occupant(
            &request_id(hr),
            &hr.spec.system.agency,
            &colo.device,
            placed,
        );
        self.record(&placed.rack, occupant)?;
        Ok(true)
    }
}

fn placed_occupant(id: &str, agency: &str, d: &Device, p: &RackPlacement) -> Occupant {
    Occupant {
        name: id.to_string(),
        agency: Some(agency.to_string()),
        position_u: p.position_u,
        height_u: p.height_u.max(d.height_u),
        power_watts: d.power_watts,
        heat_watts: d.heat_watts.unwrap_or(d.power_watts),
        weight_kg: d.weight_kg.unwrap_or(0),
        origin: Origin::Placed,
    }
}

/// `namespace/name` of a request, the id used in reasons, work orders and the inventory.
pub fn request_id(hr: &HostingRequest) -> String {
    format!(
        "{}/{}",
        hr.metadata.namespace.as_deref().unwrap_or("default"),
        hr.metadata.name.as_deref().unwrap_or("<unnamed>")
    )
}

/// A colocation device to place, as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRequest {
    /// Request id (`namespace/name`).
    pub id: String,
    /// Agency code.
    pub agency: String,
    /// Site wanted; `None` means any site.
    pub site: Option<String>,
    /// Form factor.
    pub form_factor: FormFactor,
    /// Height in U.
    pub height_u: u32,
    /// Depth in millimetres.
    pub depth_mm: u32,
    /// Weight in kg, when known.
    pub weight_kg: Option<u32>,
    /// Number of power supplies.
    pub psu_count: u32,
    /// Maximum draw in watts.
    pub power_watts: u32,
    /// Heat in watts; the draw when not given.
    pub heat_watts: Option<u32>,
}

impl DeviceRequest {
    /// From a colocation `HostingRequest`; `None` for web hosting.
    pub fn from_hosting_request(hr: &HostingRequest) -> Option<DeviceRequest> {
        if hr.spec.mode != HostingMode::Colocation {
            return None;
        }
        let colo = hr.spec.colocation.as_ref()?;
        let d = &colo.device;
        Some(DeviceRequest {
            id: request_id(hr),
            agency: hr.spec.system.agency.clone(),
            site: colo.site.clone(),
            form_factor: d.form_factor,
            height_u: d.height_u,
            depth_mm: d.depth_mm,
            weight_kg: d.weight_kg,
            psu_count: d.psu_count,
            power_watts: d.power_watts,
            heat_watts: d.heat_watts,
        })
    }

    /// Heat the cooling must remove.
    pub fn heat(&self) -> u32 {
        self.heat_watts.unwrap_or(self.power_watts)
    }

    /// The occupant this request becomes once placed at `position_u`.
    pub fn occupant(&self, position_u: u32) -> Occupant {
        Occupant {
            name: self.id.clone(),
            agency: Some(self.agency.clone()),
            position_u,
            height_u: self.height_u,
            power_watts: self.power_watts,
            heat_watts: self.heat(),
            weight_kg: self.weight_kg.unwrap_or(0),
            origin: Origin::Placed,
        }
    }
}
