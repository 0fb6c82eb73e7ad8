//! Colocation placement (HOST-SITE, HOST-RACK, HOST-POWER): filter → score → choose, as a
//! pure function over plain data.
//!
//! * **Filters** reject a rack with a named [`Reason`]: cordoned, other site, agency
//!   restriction, device not 19-inch or with fewer than 2 PSUs, rails not 19-inch, depth,
//!   both feeds present, per-side power (with either feed lost the other carries the whole
//!   rack load within its budget — what NetBox's utilisation cannot tell), cooling, weight,
//!   contiguous free units.
//! * **Scores** (higher is better, integers so ties are exact): a rack already in use beats
//!   an empty one (fewest racks touched), the agency's own racks beat others (affinity),
//!   placements that keep power and cooling under the soft headroom line beat those that
//!   do not, then the fuller rack (best fit) and the one whose U, power and cooling fill
//!   evenly. Ties go to the lowest U, then the rack name.
//! * **Choose**: the best rack and its lowest free position, with the next three racks as
//!   alternatives for the DC manager, who decides (HOST-SITE) — a pinned position is checked
//!   by the same filters.
//!
//! Nothing is ever moved: a placement only adds to the inventory.

mod address;
mod capacity;
mod inventory;
mod reason;
mod svg;
mod work_order;

pub use address::{AddressCursor, AddressError, allocate_addresses};
pub use capacity::{RackCapacity, capacity};
pub use inventory::{
    DeviceRequest, Inventory, InventoryError, MAX_RACK_U, Occupant, Origin, RackInfo, RackState,
    feed_budget, request_id, unit_mask,
};
pub use reason::{Reason, ReasonKind, Side, Unplaceable};
pub use svg::render_rack_svg;
pub use work_order::{build_work_order, work_order_id};

use pusdata_crds::v1alpha1::{FormFactor, PinnedPlacement, RackPlacement, RackWidth};
use serde::{Deserialize, Serialize};

/// How much each scoring term weighs, and the soft headroom line. Defaults are documented
/// in `docs/reference/placement.md`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Points for a rack that already holds devices (bin-packing: fewest racks touched).
    pub in_use_weight: i64,
    /// Points for a rack that already holds a device of the same agency.
    pub agency_weight: i64,
    /// Points for keeping the whole rack load and heat at or under `soft_limit_percent` of
    /// their budgets after the placement.
    pub headroom_weight: i64,
    /// The soft headroom line, in percent of the feed budget and of the cooling budget.
    pub soft_limit_percent: u32,
    /// Points (at 100 % fill) for the fullest dimension after placement: best fit.
    pub fill_weight: i64,
    /// Points (at perfect balance) for U, power and cooling filling evenly, so that no
    /// dimension is exhausted while the others sit idle.
    pub balance_weight: i64,
    /// Alternatives returned besides the choice.
    pub alternatives: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            in_use_weight: 1000,
            agency_weight: 400,
            headroom_weight: 200,
            soft_limit_percent: 90,
            fill_weight: 100,
            balance_weight: 50,
            alternatives: 3,
        }
    }
}

/// A chosen place for a device, with the next best ones.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    /// Request id.
    pub request: String,
    /// The chosen rack, U position and feed pair.
    pub chosen: RackPlacement,
    /// The next best racks, best first (HOST-SITE: the manager decides).
    pub alternatives: Vec<RackPlacement>,
    /// Whether the position was pinned by the DC manager.
    pub pinned: bool,
}

/// Runs the filters on one rack. With `pin`, only that position is tried. Returns the
/// position, or pushes reasons into `out` (all of them when `all`, else the first).
/// `in_site` is [`Inventory::in_site`] for this rack, decided on numbers by the caller.
fn check(
    rack: &RackState,
    in_site: bool,
    req: &DeviceRequest,
    pin: Option<u32>,
    all: bool,
    out: &mut Vec<Reason>,
) -> Option<u32> {
    let info = &rack.info;
    macro_rules! reject {
        ($r:expr) => {{
            out.push($r);
            if !all {
                return None;
            }
        }};
    }
    if info.cordoned {
        reject!(Reason::Cordoned);
    }
    if !in_site {
        reject!(Reason::OtherSite {
            site: info.site.clone()
        });
    }
    if !info.allowed_agencies.is_empty() && !info.allowed_agencies.iter().any(|a| a == &req.agency)
    {
        reject!(Reason::AgencyNotAllowed {
            agency: req.agency.clone()
        });
    }
    if req.form_factor != FormFactor::Rackmount19 {
        reject!(Reason::DeviceNot19Inch);
    }
    if req.psu_count < 2 {
        reject!(Reason::TooFewPsus {
            count: req.psu_count
        });
    }
    if info.width != RackWidth::Inch19 {
        reject!(Reason::RailsNot19Inch);
    }
    if req.depth_mm > info.depth_mm {
        reject!(Reason::TooDeep {
            device_mm: req.depth_mm,
            rack_mm: info.depth_mm
        });
    }
    // A two-PSU device must land on two different feeds (HOST-POWER).
    if rack.feeds_are_one() {
        reject!(Reason::SameFeed {
            name: info
                .feed_a
                .as_ref()
                .map(|f| f.name.clone())
                .unwrap_or_default()
        });
    }
    let load = rack.load_watts() + u64::from(req.power_watts);
    // With side `lost` down, the surviving feed carries the whole load (N+N).
    for (lost, surviving) in [(Side::A, &info.feed_b), (Side::B, &info.feed_a)] {
        match surviving {
            None => reject!(Reason::MissingFeed { side: lost.other() }),
            Some(feed) => {
                let budget = feed_budget(feed);
                if load > budget {
                    reject!(Reason::FeedOverBudget {
                        lost,
                        load_watts: load,
                        budget_watts: budget
                    });
                }
            }
        }
    }
    let heat = rack.heat_watts() + u64::from(req.heat());
    if heat > u64::from(info.cooling_watts) {
        reject!(Reason::CoolingOverBudget {
            heat_watts: heat,
            budget_watts: u64::from(info.cooling_watts)
        });
    }
    if let (Some(max), Some(w)) = (info.max_weight_kg, req.weight_kg) {
        let weight = rack.weight_kg() + u64::from(w);
        if weight > u64::from(max) {
            reject!(Reason::Overweight {
                weight_kg: weight,
                max_kg: max
            });
        }
    }
    let position = match pin {
        Some(p) => check_pinned_position(rack, req, p, out),
        None => {
            let p = lowest_free_position(rack, req.height_u);
            if p.is_none() {
                out.push(Reason::TooFewContiguousU {
                    needed: req.height_u,
                    largest_free: largest_free_run(rack),
                });
            }
            p
        }
    };
    if out.is_empty() { position } else { None }
}

fn free_mask(rack: &RackState) -> u64 {
    rack.rack_mask() & !(rack.used_mask() | rack.reserved_mask())
}

/// Lowest U where `height` free units start; bottom-up so heavy gear sits low.
fn lowest_free_position(rack: &RackState, height: u32) -> Option<u32> {
    if height == 0 || height > rack.info.height_u {
        return None;
    }
    let free = free_mask(rack);
    // Bit i survives iff units i+1 ..= i+height are all free; `free` is already clipped to
    // the rack, so a surviving run never pokes out of the top.
    let mut starts = free;
    for k in 1..height {
        starts &= free >> k;
    }
    (starts != 0).then(|| starts.trailing_zeros() + 1)
}

fn largest_free_run(rack: &RackState) -> u32 {
    let mut free = free_mask(rack);
    let mut best = 0;
    while free != 0 {
        let start = free.trailing_zeros();
        let run = (free >> start).trailing_ones();
        best = best.max(run);
        free &= !(if run >= 64 {
            u64::MAX
        } else {
            ((1u64 << run) - 1) << start
        });
    }
    best
}

fn check_pinned_position(
    rack: &RackState,
    req: &DeviceRequest,
    p: u32,
    out: &mut Vec<Reason>,
) -> Option<u32> {
    let h = rack.info.height_u;
    if p == 0 || req.height_u == 0 || p + req.height_u - 1 > h {
        out.push(Reason::PositionOutsideRack {
            position_u: p,
            height_u: h,
        });
        return None;
    }
    let m = unit_mask(p, req.height_u);
    let mut by: Vec<String> = rack
        .occupants()
        .iter()
        .filter(|o| o.mask() & m != 0)
        .map(|o| o.name.clone())
        .collect();
    if rack.reserved_mask() & m != 0 {
        by.push("reserved".to_string());
    }
    if by.is_empty() {
        Some(p)
    } else {
        out.push(Reason::PositionTaken { position_u: p, by });
        None
    }
}

/// Per-mille of `used` over `cap` (a full dimension is 1000, capped there).
fn per_mille(used: u64, cap: u64) -> i64 {
    if cap == 0 {
        return 1000;
    }
    i64::try_from((used.saturating_mul(1000) / cap).min(1000)).unwrap_or(1000)
}

/// `hosts` is [`Inventory::hosts`] for this rack: the request's agency is already in it.
fn score(rack: &RackState, hosts: bool, req: &DeviceRequest, s: &Settings) -> i64 {
    let info = &rack.info;
    let mut total = 0;
    if rack.in_use() {
        total += s.in_use_weight;
    }
    if hosts {
        total += s.agency_weight;
    }
    let budget = [&info.feed_a, &info.feed_b]
        .iter()
        .filter_map(|f| f.as_ref().map(feed_budget))
        .min()
        .unwrap_or(0);
    let load = rack.load_watts() + u64::from(req.power_watts);
    let heat = rack.heat_watts() + u64::from(req.heat());
    let cooling = u64::from(info.cooling_watts);
    let soft = u64::from(s.soft_limit_percent);
    if load * 100 <= budget * soft && heat * 100 <= cooling * soft {
        total += s.headroom_weight;
    }
    let usable_u =
        u64::from(info.height_u - (rack.reserved_mask() & rack.rack_mask()).count_ones());
    let used_u = u64::from((rack.used_mask() & rack.rack_mask()).count_ones() + req.height_u);
    let fills = [
        per_mille(used_u, usable_u),
        per_mille(load, budget),
        per_mille(heat, cooling),
    ];
    let (max, min) = (
        fills.iter().copied().max().unwrap_or(0),
        fills.iter().copied().min().unwrap_or(0),
    );
    total += s.fill_weight * max / 1000;
    total += s.balance_weight * (1000 - (max - min)) / 1000;
    total
}

fn rack_placement(
    rack: &RackState,
    req: &DeviceRequest,
    position_u: u32,
    score: i64,
) -> RackPlacement {
    let feed_name = |f: &Option<pusdata_crds::v1alpha1::PowerFeed>| {
        f.as_ref().map(|f| f.name.clone()).unwrap_or_default()
    };
    RackPlacement {
        site: rack.info.site.clone(),
        rack: rack.info.name.clone(),
        position_u,
        height_u: req.height_u,
        feed_a: feed_name(&rack.info.feed_a),
        feed_b: feed_name(&rack.info.feed_b),
        score: Some(score),
    }
}

/// A candidate during the scan: kept as plain numbers so that the hot loop allocates
/// nothing; only the winners become [`RackPlacement`]s.
#[derive(Clone, Copy)]
struct Candidate {
    score: i64,
    position_u: u32,
    rack: usize,
}

impl Candidate {
    /// Better = higher score, then lower U, then rack name (racks are walked in name order
    /// and an equal later candidate never displaces an earlier one).
    fn beats(&self, other: &Candidate) -> bool {
        (self.score, std::cmp::Reverse(self.position_u))
            > (other.score, std::cmp::Reverse(other.position_u))
    }
}

/// Places one device with the default settings.
pub fn place(request: &DeviceRequest, inventory: &Inventory) -> Result<Placement, Unplaceable> {
    place_with(request, inventory, &Settings::default())
}

/// Places one device: the best rack and position, or why none fits.
pub fn place_with(
    request: &DeviceRequest,
    inventory: &Inventory,
    settings: &Settings,
) -> Result<Placement, Unplaceable> {
    let keep = settings.alternatives + 1;
    let mut best: Vec<Candidate> = Vec::with_capacity(keep + 1);
    let mut scratch = Vec::new();
    let probe = inventory.probe(request);
    for (i, rack) in inventory.racks().iter().enumerate() {
        scratch.clear();
        let in_site = inventory.in_site(i, probe);
        let Some(pos) = check(rack, in_site, request, None, false, &mut scratch) else {
            continue;
        };
        let cand = Candidate {
            score: score(rack, inventory.hosts(i, probe), request, settings),
            position_u: pos,
            rack: i,
        };
        if best.len() == keep && best.last().is_some_and(|w| !cand.beats(w)) {
            continue;
        }
        let at = best
            .iter()
            .position(|b| cand.beats(b))
            .unwrap_or(best.len());
        best.insert(at, cand);
        best.truncate(keep);
    }
    let mut chosen = best
        .iter()
        .map(|c| rack_placement(&inventory.racks()[c.rack], request, c.position_u, c.score));
    let Some(first) = chosen.next() else {
        return Err(explain(request, inventory, None));
    };
    Ok(Placement {
        request: request.id.clone(),
        chosen: first,
        alternatives: chosen.collect(),
        pinned: false,
    })
}

/// Every rack's reasons for refusing `request` (all filters, not only the first).
fn explain(request: &DeviceRequest, inventory: &Inventory, pin: Option<u32>) -> Unplaceable {
    let probe = inventory.probe(request);
    let per_rack = inventory
        .racks()
        .iter()
        .enumerate()
        .filter_map(|(i, rack)| {
            let mut reasons = Vec::new();
            check(
                rack,
                inventory.in_site(i, probe),
                request,
                pin,
                true,
                &mut reasons,
            );
            (!reasons.is_empty()).then(|| (rack.info.name.clone(), reasons))
        })
        .collect();
    Unplaceable::new(&request.id, inventory.racks().len(), per_rack)
}

/// Checks a position pinned by the DC manager with the same filters; the alternatives are
/// what the engine would have chosen, so the manager sees the trade-off.
pub fn place_pinned(
    request: &DeviceRequest,
    inventory: &Inventory,
    pin: &PinnedPlacement,
    settings: &Settings,
) -> Result<Placement, Unplaceable> {
    let Some((i, rack)) = inventory
        .index(&pin.rack)
        .map(|i| (i, &inventory.racks()[i]))
    else {
        return Err(Unplaceable::new(
            &request.id,
            1,
            vec![(
                pin.rack.clone(),
                vec![Reason::UnknownRack {
                    rack: pin.rack.clone(),
                }],
            )],
        ));
    };
    let mut reasons = Vec::new();
    let probe = inventory.probe(request);
    let in_site = inventory.in_site(i, probe);
    match check(
        rack,
        in_site,
        request,
        Some(pin.position_u),
        true,
        &mut reasons,
    ) {
        Some(pos) => {
            let hosts = inventory.hosts(i, probe);
            let chosen = rack_placement(rack, request, pos, score(rack, hosts, request, settings));
            let alternatives = place_with(request, inventory, settings)
                .map(|p| {
                    std::iter::once(p.chosen)
                        .chain(p.alternatives)
                        .filter(|a| a.rack != chosen.rack || a.position_u != chosen.position_u)
                        .take(settings.alternatives)
                        .collect()
                })
                .unwrap_or_default();
            Ok(Placement {
                request: request.id.clone(),
                chosen,
                alternatives,
                pinned: true,
            })
        }
        None => Err(Unplaceable::new(
            &request.id,
            1,
            vec![(rack.info.name.clone(), reasons)],
        )),
    }
}

/// The one-line form for `status.placementSummary`: `dc-bekasi/R03 U12-13`.
pub fn placement_summary(p: &RackPlacement) -> String {
    if p.height_u <= 1 {
        format!("{}/{} U{}", p.site, p.rack, p.position_u)
    } else {
        format!(
            "{}/{} U{}-{}",
            p.site,
            p.rack,
            p.position_u,
            p.position_u + p.height_u - 1
        )
    }
}

/// Records a placement in the inventory. Devices already there are never touched.
pub fn commit(
    inventory: &mut Inventory,
    request: &DeviceRequest,
    placement: &Placement,
) -> Result<(), InventoryError> {
    inventory.record(
        &placement.chosen.rack,
        request.occupant(placement.chosen.position_u),
    )
}

/// The outcome of a batch, in request order, and the inventory with the placed devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// One result per request, in the order given.
    pub results: Vec<Result<Placement, Unplaceable>>,
    /// The inventory after the batch.
    pub inventory: Inventory,
}

/// Places many devices with the default settings and no pins.
pub fn place_all(requests: &[DeviceRequest], inventory: &Inventory) -> Batch {
    place_all_with(requests, &[], inventory, &Settings::default())
}

/// Places many devices, deterministically.
///
/// Order: pinned requests first (the manager's decisions are honoured before the engine
/// fills around them), then the rest biggest first — by power draw, then height, then id —
/// because first-fit-decreasing packs tighter than arrival order. `pins` pairs a request id
/// with its pinned position. Results come back in request order.
pub fn place_all_with(
    requests: &[DeviceRequest],
    pins: &[(String, PinnedPlacement)],
    inventory: &Inventory,
    settings: &Settings,
) -> Batch {
    place_all_inner(requests, pins, inventory, settings, false).0
}

/// [`place_all_with`], also saying for every request why each rack refused it, as the
/// inventory stood when the request's turn came (`pusdata place --explain`).
pub fn place_all_explained(
    requests: &[DeviceRequest],
    pins: &[(String, PinnedPlacement)],
    inventory: &Inventory,
    settings: &Settings,
) -> (Batch, Vec<Unplaceable>) {
    place_all_inner(requests, pins, inventory, settings, true)
}

/// Which requests are already placed: the placement on record (from the inventory's
/// placed requests, by request id) for each request, in order. A request on record keeps
/// its place — placing it again would give it a second rack, work order and address and
/// count its load twice.
pub fn on_record<'a>(
    requests: &[DeviceRequest],
    placed: &'a std::collections::BTreeMap<String, RackPlacement>,
) -> Vec<Option<&'a RackPlacement>> {
    requests.iter().map(|r| placed.get(&r.id)).collect()
}

fn place_all_inner(
    requests: &[DeviceRequest],
    pins: &[(String, PinnedPlacement)],
    inventory: &Inventory,
    settings: &Settings,
    with_reasons: bool,
) -> (Batch, Vec<Unplaceable>) {
    let mut inv = inventory.clone();
    let mut reasons: Vec<Option<Unplaceable>> =
        vec![None; if with_reasons { requests.len() } else { 0 }];
    // Looked up once per request, not once per comparison of the sort; the first pin of
    // a request counts.
    let mut pin_of = std::collections::HashMap::new();
    for (id, p) in pins {
        pin_of.entry(id.as_str()).or_insert(p);
    }
    let pinned: Vec<Option<&PinnedPlacement>> = requests
        .iter()
        .map(|r| pin_of.get(r.id.as_str()).copied())
        .collect();
    let mut order: Vec<usize> = (0..requests.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (&requests[a], &requests[b]);
        pinned[b]
            .is_some()
            .cmp(&pinned[a].is_some())
            .then(rb.power_watts.cmp(&ra.power_watts))
            .then(rb.height_u.cmp(&ra.height_u))
            .then(ra.id.cmp(&rb.id))
            .then(a.cmp(&b))
    });
    let mut results: Vec<Option<Result<Placement, Unplaceable>>> = vec![None; requests.len()];
    for i in order {
        let req = &requests[i];
        if with_reasons {
            reasons[i] = Some(explain(req, &inv, None));
        }
        let outcome = match pinned[i] {
            Some(pin) => place_pinned(req, &inv, pin, settings),
            None => place_with(req, &inv, settings),
        };
        if let Ok(p) = &outcome {
            // The rack came from this inventory, so recording cannot fail; if it ever did,
            // the request is reported unplaceable rather than silently dropped.
            if commit(&mut inv, req, p).is_err() {
                results[i] = Some(Err(explain(req, &inv, None)));
                continue;
            }
        }
        results[i] = Some(outcome);
    }
    let batch = Batch {
        results: results
            .into_iter()
            .zip(requests)
            .map(|(r, req)| r.unwrap_or_else(|| Err(Unplaceable::new(&req.id, 0, Vec::new()))))
            .collect(),
        inventory: inv,
    };
    let reasons = reasons
        .into_iter()
        .zip(requests)
        .map(|(r, req)| r.unwrap_or_else(|| Unplaceable::new(&req.id, 0, Vec::new())))
        .collect();
    (batch, reasons)
}

#[cfg(test)]
mod tests;
