//! What is left in each rack, for the capacity metrics and dashboards: free units, the
//! headroom of each power feed and of the cooling, from the same [`Inventory`] the engine
//! places into (so the figures never disagree with a placement decision).

use super::inventory::{Inventory, feed_budget};
use super::reason::Side;

/// What one rack can still take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RackCapacity {
    /// Site the rack stands in.
    pub site: String,
    /// Rack name.
    pub rack: String,
    /// Units neither used nor reserved (0 when the rack is cordoned: it takes nothing new).
    pub free_units: u32,
    /// Per present feed: its budget (rating × maximum utilisation) minus the whole rack load,
    /// since either feed must carry everything when the other is lost (N+N). Negative when
    /// the rack is already over.
    pub feed_headroom_watts: Vec<(Side, i64)>,
    /// Cooling budget minus the heat of every device; negative when over.
    pub cooling_headroom_watts: i64,
    /// Takes no new placements.
    pub cordoned: bool,
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The capacity left in every rack of `inventory`, sorted by rack name.
pub fn capacity(inventory: &Inventory) -> Vec<RackCapacity> {
    inventory
        .racks()
        .iter()
        .map(|r| {
            let info = &r.info;
            let load = signed(r.load_watts());
            RackCapacity {
                site: info.site.clone(),
                rack: info.name.clone(),
                free_units: if info.cordoned { 0 } else { r.free_units() },
                feed_headroom_watts: [(Side::A, &info.feed_a), (Side::B, &info.feed_b)]
                    .into_iter()
                    .filter_map(|(side, feed)| {
                        Some((side, signed(feed_budget(feed.as_ref()?)) - load))
                    })
                    .collect(),
                cooling_headroom_watts: i64::from(info.cooling_watts) - signed(r.heat_watts()),
                cordoned: info.cordoned,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
