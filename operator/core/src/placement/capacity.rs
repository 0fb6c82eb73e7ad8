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
mod tests {
    use super::*;
    use crate::placement::{Occupant, Origin, RackState};
    use pusdata_crds::fixtures;

    fn device(position_u: u32, height_u: u32, power_watts: u32) -> Occupant {
        Occupant {
            name: format!("dev-{position_u}"),
            agency: Some("dinkes".into()),
            position_u,
            height_u,
            power_watts,
            heat_watts: power_watts,
            weight_kg: 0,
            origin: Origin::Existing,
        }
    }

    #[test]
    fn free_units_and_headroom_per_feed_and_cooling() {
        // 42 U with U42 reserved, two 7.4 kW feeds at 80 % (5920 W budget), 6 kW cooling.
        let mut full = RackState::from_rack(&fixtures::rack("r-a1", "dc-bekasi"));
        full.add(device(1, 2, 4000));
        full.add(device(3, 1, 2500));
        let mut one_feed = fixtures::rack("r-b1", "dc-bekasi");
        one_feed.spec.feed_b = None;
        let mut cordoned = fixtures::rack("r-c1", "drc-bandung");
        cordoned.spec.cordoned = true;
        let inv = Inventory::new(vec![
            RackState::from_rack(&cordoned),
            RackState::from_rack(&one_feed),
            full,
        ])
        .unwrap();
        let got = capacity(&inv);
        assert_eq!(
            got,
            vec![
                RackCapacity {
                    site: "dc-bekasi".into(),
                    rack: "r-a1".into(),
                    free_units: 38,
                    feed_headroom_watts: vec![(Side::A, 5920 - 6500), (Side::B, -580)],
                    cooling_headroom_watts: -500,
                    cordoned: false,
                },
                RackCapacity {
                    site: "dc-bekasi".into(),
                    rack: "r-b1".into(),
                    free_units: 41,
                    feed_headroom_watts: vec![(Side::A, 5920)],
                    cooling_headroom_watts: 6000,
                    cordoned: false,
                },
                RackCapacity {
                    site: "drc-bandung".into(),
                    rack: "r-c1".into(),
                    free_units: 0,
                    feed_headroom_watts: vec![(Side::A, 5920), (Side::B, 5920)],
                    cooling_headroom_watts: 6000,
                    cordoned: true,
                },
            ]
        );
        assert!(capacity(&Inventory::default()).is_empty());
    }
}
