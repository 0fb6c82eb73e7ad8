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
