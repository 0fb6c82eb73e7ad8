#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::i18n::Lang;
use proptest::prelude::*;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{ExistingDevice, FormFactor, PowerFeed, Rack, RackWidth, UnitRange};

/// Fixture rack: 42U, 1070 mm, two 7400 W feeds at 80 % (5920 W budget), 6000 W cooling,
/// U42 reserved.
fn rack(name: &str) -> Rack {
    fixtures::rack(name, "dc-bekasi")
}

fn inv(racks: &[Rack]) -> Inventory {
    Inventory::from_racks(racks).unwrap()
}

fn dev(id: &str) -> DeviceRequest {
    DeviceRequest::from_hosting_request(&fixtures::colocation_request("disdukcapil"))
        .map(|mut d| {
            d.id = id.to_string();
            d
        })
        .unwrap()
}

fn existing(name: &str, at: u32, h: u32, watts: u32) -> ExistingDevice {
    ExistingDevice {
        name: name.into(),
        position_u: at,
        height_u: h,
        power_watts: watts,
        agency: None,
    }
}

fn only_reason(racks: &[Rack], d: &DeviceRequest) -> ReasonKind {
    let err = place(d, &inv(racks)).unwrap_err();
    assert_eq!(err.per_rack.len(), racks.len(), "{err:?}");
    assert_eq!(err.counts.len(), 1, "{err:?}");
    err.counts[0].0
}

#[test]
fn empty_rack_takes_the_device_at_u1_on_its_feed_pair() {
    let p = place(&dev("a/x"), &inv(&[rack("R01")])).unwrap();
    assert_eq!(p.chosen.rack, "R01");
    assert_eq!(p.chosen.position_u, 1);
    assert_eq!(p.chosen.feed_a, "R01-A");
    assert_eq!(p.chosen.feed_b, "R01-B");
    assert_eq!(p.chosen.site, "dc-bekasi");
    assert!(!p.pinned);
    assert_eq!(placement_summary(&p.chosen), "dc-bekasi/R01 U1");
}

#[test]
fn a_rack_whose_two_feeds_are_one_is_never_used() {
    let mut same = rack("R01");
    let a = same.spec.feed_a.clone().unwrap();
    same.spec.feed_b = Some(PowerFeed {
        name: format!(" {}", a.name.to_lowercase()),
        ..a
    });
    assert_eq!(
        only_reason(&[same.clone()], &dev("a/x")),
        ReasonKind::SameFeed
    );
    // With a good rack beside it, the device lands on two different feeds.
    let p = place(&dev("a/x"), &inv(&[same, rack("R02")])).unwrap();
    assert_eq!(p.chosen.rack, "R02");
    assert_ne!(p.chosen.feed_a, p.chosen.feed_b);
}

#[test]
fn a_request_on_record_keeps_its_place() {
    let placed = std::collections::BTreeMap::from([(
        "a/x".to_string(),
        RackPlacement {
            site: "dc-bekasi".into(),
            rack: "R01".into(),
            position_u: 7,
            height_u: 1,
            feed_a: "R01-A".into(),
            feed_b: "R01-B".into(),
            score: None,
        },
    )]);
    let got = on_record(&[dev("a/x"), dev("a/y")], &placed);
    assert_eq!(got[0].map(|p| p.position_u), Some(7));
    assert!(got[1].is_none());
}

#[test]
fn explained_batch_gives_every_request_the_reasons_of_the_racks_that_refused_it() {
    let mut full = rack("R01");
    full.spec.cordoned = true;
    let (batch, why) = place_all_explained(
        &[dev("a/x"), dev("a/y")],
        &[],
        &inv(&[full, rack("R02")]),
        &Settings::default(),
    );
    assert!(batch.results.iter().all(Result::is_ok));
    assert_eq!(why.len(), 2);
    for w in &why {
        assert_eq!(w.per_rack.len(), 1, "{w:?}");
        assert_eq!(w.per_rack[0].0, "R01");
    }
    // The plain batch decides the same.
    let plain = place_all_with(
        &[dev("a/x"), dev("a/y")],
        &[],
        &batch_inventory(),
        &Settings::default(),
    );
    assert_eq!(plain.results.len(), 2);
}

fn batch_inventory() -> Inventory {
    let mut full = rack("R01");
    full.spec.cordoned = true;
    inv(&[full, rack("R02")])
}

// ---- one table test per filter -------------------------------------------------------

#[test]
fn filter_table() {
    type Case = (&'static str, fn(&mut Rack, &mut DeviceRequest), ReasonKind);
    let cases: Vec<Case> = vec![
        (
            "cordoned",
            |r, _| r.spec.cordoned = true,
            ReasonKind::Cordoned,
        ),
        (
            "other site",
            |_, d| d.site = Some("drc-bandung".into()),
            ReasonKind::OtherSite,
        ),
        (
            "agency restriction",
            |r, _| r.spec.allowed_agencies = vec!["bapenda".into()],
            ReasonKind::AgencyNotAllowed,
        ),
        (
            "tower server",
            |_, d| d.form_factor = FormFactor::Tower,
            ReasonKind::DeviceNot19Inch,
        ),
        ("one PSU", |_, d| d.psu_count = 1, ReasonKind::TooFewPsus),
        (
            "23-inch rails",
            |r, _| r.spec.width = RackWidth::Inch23,
            ReasonKind::RailsNot19Inch,
        ),
        ("too deep", |_, d| d.depth_mm = 1200, ReasonKind::TooDeep),
        (
            "no feed A",
            |r, _| r.spec.feed_a = None,
            ReasonKind::MissingFeedA,
        ),
        (
            "no feed B",
            |r, _| r.spec.feed_b = None,
            ReasonKind::MissingFeedB,
        ),
        (
            // Total draw 5000 + 450 fits A's 5920 W budget but not B's 4000 W with A lost.
            "B too small with A lost",
            |r, _| {
                r.spec.feed_b = Some(PowerFeed {
                    name: "B".into(),
                    capacity_watts: 5000,
                    max_utilization_percent: 80,
                });
                r.spec.existing_devices = vec![existing("san", 1, 4, 3800)];
                r.spec.cooling_watts = 20000;
            },
            ReasonKind::FeedBOverBudget,
        ),
        (
            "A too small with B lost",
            |r, _| {
                r.spec.feed_a = Some(PowerFeed {
                    name: "A".into(),
                    capacity_watts: 5000,
                    max_utilization_percent: 80,
                });
                r.spec.existing_devices = vec![existing("san", 1, 4, 3800)];
                r.spec.cooling_watts = 20000;
            },
            ReasonKind::FeedAOverBudget,
        ),
        (
            "cooling",
            |r, _| r.spec.cooling_watts = 400,
            ReasonKind::CoolingOverBudget,
        ),
        (
            "weight",
            |r, d| {
                r.spec.max_weight_kg = Some(10);
                d.weight_kg = Some(18);
            },
            ReasonKind::Overweight,
        ),
        (
            "contiguous U",
            |r, d| {
                d.height_u = 2;
                // Free units alternate: no two free units touch.
                r.spec.existing_devices = (0..21)
                    .map(|i| existing(&format!("d{i}"), 1 + 2 * i, 1, 1))
                    .collect();
            },
            ReasonKind::TooFewContiguousU,
        ),
    ];
    for (name, change, want) in cases {
        let mut r = rack("R01");
        let mut d = dev("a/x");
        change(&mut r, &mut d);
        assert_eq!(only_reason(&[r], &d), want, "case {name}");
        assert!(!want.rule().is_empty());
    }
}

#[test]
fn per_side_power_uses_the_whole_rack_load_not_half() {
    // NetBox would call this rack 47 % utilised (5600 W over two 5920 W budgets); with either
    // feed lost the survivor carries 5600 + 450 W > 5920 W, so it must be refused.
    let mut r = rack("R01");
    r.spec.cooling_watts = 20000;
    r.spec.existing_devices = vec![existing("blade-chassis", 1, 10, 5600)];
    let err = place(&dev("a/x"), &inv(&[r.clone()])).unwrap_err();
    let kinds: Vec<ReasonKind> = err.counts.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        kinds,
        vec![ReasonKind::FeedBOverBudget, ReasonKind::FeedAOverBudget]
    );
    // 5470 W fits exactly under the line.
    r.spec.existing_devices = vec![existing("blade-chassis", 1, 10, 5470)];
    assert!(place(&dev("a/x"), &inv(&[r])).is_ok());
}

#[test]
fn reserved_units_and_existing_devices_are_never_overlapped() {
    let mut r = rack("R01");
    r.spec.reserved_units = vec![UnitRange {
        from_u: 1,
        to_u: 3,
        reason: None,
    }];
    r.spec.existing_devices = vec![existing("switch", 4, 1, 100)];
    let p = place(&dev("a/x"), &inv(&[r])).unwrap();
    assert_eq!(p.chosen.position_u, 5);
}

#[test]
fn heat_defaults_to_power_but_a_declared_heat_wins() {
    let mut r = rack("R01");
    r.spec.cooling_watts = 300;
    let mut d = dev("a/x");
    assert!(place(&d, &inv(&[r.clone()])).is_err());
    d.heat_watts = Some(250);
    assert!(place(&d, &inv(&[r])).is_ok());
}

// ---- scores ---------------------------------------------------------------------------

#[test]
fn prefers_a_rack_in_use_then_the_agencys_own_rack() {
    let mut used = rack("R02");
    used.spec.existing_devices = vec![existing("switch", 1, 1, 100)];
    let mut own = rack("R03");
    own.spec.existing_devices = vec![ExistingDevice {
        agency: Some("disdukcapil".into()),
        ..existing("old-db", 1, 1, 100)
    }];
    let p = place(&dev("a/x"), &inv(&[rack("R01"), used.clone()])).unwrap();
    assert_eq!(
        p.chosen.rack, "R02",
        "an empty rack is opened only when needed"
    );
    assert_eq!(p.alternatives[0].rack, "R01");
    let p = place(&dev("a/x"), &inv(&[rack("R01"), used, own])).unwrap();
    assert_eq!(p.chosen.rack, "R03", "agency affinity");
    assert_eq!(p.alternatives.len(), 2);
    assert!(p.alternatives.iter().all(|a| a.score <= p.chosen.score));
}

#[test]
fn alternatives_are_at_most_three_and_ordered() {
    let racks: Vec<Rack> = (1..=6).map(|i| rack(&format!("R{i:02}"))).collect();
    let p = place(&dev("a/x"), &inv(&racks)).unwrap();
    assert_eq!(p.alternatives.len(), 3);
    // Equal scores: lowest U, then rack name.
    assert_eq!(p.chosen.rack, "R01");
    let names: Vec<&str> = p.alternatives.iter().map(|a| a.rack.as_str()).collect();
    assert_eq!(names, ["R02", "R03", "R04"]);
}

// ---- pinned placement (HOST-SITE: the manager decides) --------------------------------

#[test]
fn pinned_placement_is_honoured_when_valid_and_refused_with_reasons_when_not() {
    let mut r = rack("R01");
    r.spec.existing_devices = vec![existing("switch", 10, 1, 100)];
    let inventory = inv(&[r, rack("R02")]);
    let s = Settings::default();
    let ok = place_pinned(
        &dev("a/x"),
        &inventory,
        &PinnedPlacement {
            rack: "R02".into(),
            position_u: 20,
        },
        &s,
    )
    .unwrap();
    assert!(ok.pinned);
    assert_eq!((ok.chosen.rack.as_str(), ok.chosen.position_u), ("R02", 20));
    assert!(!ok.alternatives.is_empty());

    let taken = place_pinned(
        &dev("a/x"),
        &inventory,
        &PinnedPlacement {
            rack: "R01".into(),
            position_u: 10,
        },
        &s,
    )
    .unwrap_err();
    assert_eq!(taken.counts, vec![(ReasonKind::PositionTaken, 1)]);
    assert!(taken.summary().en.contains("switch") || taken.details(Lang::En)[0].contains("switch"));

    let reserved = place_pinned(
        &dev("a/x"),
        &inventory,
        &PinnedPlacement {
            rack: "R01".into(),
            position_u: 42,
        },
        &s,
    )
    .unwrap_err();
    assert_eq!(reserved.counts[0].0, ReasonKind::PositionTaken);
    assert!(reserved.details(Lang::Id)[0].contains("reserved"));

    let mut tall = dev("a/x");
    tall.height_u = 2;
    let outside = place_pinned(
        &tall,
        &inventory,
        &PinnedPlacement {
            rack: "R02".into(),
            position_u: 42,
        },
        &s,
    )
    .unwrap_err();
    assert_eq!(outside.counts[0].0, ReasonKind::PositionOutsideRack);

    let unknown = place_pinned(
        &dev("a/x"),
        &inventory,
        &PinnedPlacement {
            rack: "R99".into(),
            position_u: 1,
        },
        &s,
    )
    .unwrap_err();
    assert_eq!(unknown.counts[0].0, ReasonKind::UnknownRack);

    // The pin goes through every filter, not only the U check.
    let mut cordoned = rack("R03");
    cordoned.spec.cordoned = true;
    let err = place_pinned(
        &dev("a/x"),
        &inv(&[cordoned]),
        &PinnedPlacement {
            rack: "R03".into(),
            position_u: 1,
        },
        &s,
    )
    .unwrap_err();
    assert_eq!(err.counts[0].0, ReasonKind::Cordoned);
}

#[test]
fn batch_honours_pins_first() {
    let inventory = inv(&[rack("R01")]);
    let reqs = vec![dev("a/big"), dev("a/pinned")];
    let pins = vec![(
        "a/pinned".to_string(),
        PinnedPlacement {
            rack: "R01".into(),
            position_u: 1,
        },
    )];
    let b = place_all_with(&reqs, &pins, &inventory, &Settings::default());
    let pinned = b.results[1].as_ref().unwrap();
    assert!(pinned.pinned);
    assert_eq!(pinned.chosen.position_u, 1);
    assert_eq!(b.results[0].as_ref().unwrap().chosen.position_u, 2);
}

// ---- reasons --------------------------------------------------------------------------

#[test]
fn unplaceable_summary_counts_reasons_like_kube_scheduler_in_both_languages() {
    let mut racks = Vec::new();
    for i in 0..7 {
        let mut r = rack(&format!("F{i:02}"));
        r.spec.reserved_units = vec![UnitRange {
            from_u: 1,
            to_u: 42,
            reason: None,
        }];
        racks.push(r);
    }
    for i in 0..5 {
        let mut r = rack(&format!("P{i:02}"));
        r.spec.feed_b = Some(PowerFeed {
            name: "B".into(),
            capacity_watts: 500,
            max_utilization_percent: 80,
        });
        racks.push(r);
    }
    let err = place(&dev("disdukcapil/db"), &inv(&racks)).unwrap_err();
    let s = err.summary();
    assert_eq!(
        s.en,
        "0/12 racks fit: 5 feed B over budget with A lost (HOST-POWER), 7 too few contiguous U (HOST-SITE)"
    );
    assert_eq!(
        s.id,
        "0/12 rak cocok: 5 feed B melebihi batas saat A padam (HOST-POWER), 7 U berurutan tidak cukup (HOST-SITE)"
    );
    assert_eq!(err.details(Lang::En).len(), 12);
    assert!(err.details(Lang::En)[0].starts_with("F00: needs 1 contiguous U"));
}

#[test]
fn every_reason_is_translated_and_cites_a_rule() {
    let all = vec![
        Reason::Cordoned,
        Reason::OtherSite { site: "x".into() },
        Reason::AgencyNotAllowed { agency: "x".into() },
        Reason::DeviceNot19Inch,
        Reason::TooFewPsus { count: 1 },
        Reason::RailsNot19Inch,
        Reason::TooDeep {
            device_mm: 1,
            rack_mm: 1,
        },
        Reason::MissingFeed { side: Side::A },
        Reason::MissingFeed { side: Side::B },
        Reason::SameFeed { name: "x".into() },
        Reason::FeedOverBudget {
            lost: Side::A,
            load_watts: 1,
            budget_watts: 1,
        },
        Reason::FeedOverBudget {
            lost: Side::B,
            load_watts: 1,
            budget_watts: 1,
        },
        Reason::CoolingOverBudget {
            heat_watts: 1,
            budget_watts: 1,
        },
        Reason::Overweight {
            weight_kg: 1,
            max_kg: 1,
        },
        Reason::TooFewContiguousU {
            needed: 1,
            largest_free: 0,
        },
        Reason::PositionOutsideRack {
            position_u: 1,
            height_u: 1,
        },
        Reason::PositionTaken {
            position_u: 1,
            by: vec!["x".into()],
        },
        Reason::UnknownRack { rack: "x".into() },
    ];
    for r in all {
        let t = r.text();
        assert_ne!(t.en, t.id, "{r:?}");
        assert!(
            crate::rules::rule(r.rule()).is_some(),
            "{r:?} cites an unknown rule"
        );
        assert!(t.en.ends_with(&format!("({})", r.rule())));
        let p = r.kind().phrase();
        assert_ne!(p.en, p.id, "{r:?}");
    }
}

// ---- SVG ------------------------------------------------------------------------------

/// Balanced tags, checked by hand: every `<x …>` is closed by `</x>` in order, `<x …/>`
/// closes itself, and no stray `<`/`&` appears in text.
fn assert_well_formed(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let text = &rest[..start];
        assert!(!text.contains('>'), "stray > in text {text:?}");
        for (i, _) in text.match_indices('&') {
            let ent = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                    .iter()
                    .any(|e| ent.starts_with(e)),
                "bare & in {text:?}"
            );
        }
        let end = rest[start..].find('>').expect("unclosed tag") + start;
        let tag = &rest[start + 1..end];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap().to_string();
            stack.push(name);
        }
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

fn attr(tag: &str, name: &str) -> u32 {
    let key = format!(" {name}=\"");
    let at = tag.find(&key).unwrap() + key.len();
    tag[at..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn svg_has_one_rect_per_device_at_the_right_height_and_load_bars() {
    let mut r = rack("R01");
    r.spec.existing_devices = vec![existing("core-switch <A&B>", 40, 1, 150)];
    let mut inventory = inv(&[r]);
    let mut d = dev("disdukcapil/db");
    d.height_u = 2;
    let p = place(&d, &inventory).unwrap();
    commit(&mut inventory, &d, &p).unwrap();
    let svg = render_rack_svg(&inventory.racks()[0], Lang::En);
    assert_well_formed(&svg);
    let devices: Vec<&str> = svg
        .lines()
        .filter(|l| l.starts_with("<rect class=\"device\""))
        .collect();
    assert_eq!(devices.len(), 2);
    // Existing switch at U40 (1 U), new server at U1-U2: y counts from the top (U42).
    assert_eq!(attr(devices[0], "y"), svg::TOP_PX + 2 * svg::U_PX);
    assert_eq!(attr(devices[0], "height"), svg::U_PX);
    assert_eq!(attr(devices[1], "y"), svg::TOP_PX + 40 * svg::U_PX);
    assert_eq!(attr(devices[1], "height"), 2 * svg::U_PX);
    assert!(svg.contains("disdukcapil · disdukcapil/db"));
    assert!(svg.contains("core-switch &lt;A&amp;B&gt;"));
    assert_eq!(svg.matches("class=\"reserved\"").count(), 1);
    assert_eq!(svg.matches("class=\"free\"").count(), 42 - 1 - 1 - 2);
    assert_eq!(svg.matches("class=\"feed-load").count(), 2);
    assert_eq!(svg.matches("class=\"feed-limit\"").count(), 2);
    assert!(svg.contains("A (B lost)") && svg.contains("B (A lost)"));
    assert!(render_rack_svg(&inventory.racks()[0], Lang::Id).contains("A (B padam)"));
}

// ---- properties -----------------------------------------------------------------------

fn arb_rack(i: usize) -> impl Strategy<Value = Rack> {
    (
        prop_oneof![Just(24u32), Just(42), Just(48)],
        1500u32..9000,
        1500u32..9000,
        2000u32..12000,
        proptest::option::of(0u32..8),
        any::<bool>(),
        proptest::collection::vec((1u32..45, 1u32..4, 50u32..1500), 0..4),
    )
        .prop_map(move |(h, fa, fb, cool, res, cordoned, ex)| {
            let mut r = rack(&format!("R{i:02}"));
            r.spec.height_u = h;
            r.spec.feed_a.as_mut().unwrap().capacity_watts = fa;
            r.spec.feed_b.as_mut().unwrap().capacity_watts = fb;
            r.spec.cooling_watts = cool;
            r.spec.cordoned = cordoned && i.is_multiple_of(3);
            r.spec.reserved_units = res
                .map(|f| UnitRange {
                    from_u: h - f,
                    to_u: h,
                    reason: None,
                })
                .into_iter()
                .collect();
            r.spec.existing_devices = ex
                .into_iter()
                .filter(|(at, hh, _)| at + hh - 1 <= h)
                .enumerate()
                .map(|(k, (at, hh, w))| existing(&format!("e{k}"), at, hh, w))
                .collect();
            r
        })
}

fn arb_inventory() -> impl Strategy<Value = Vec<Rack>> {
    (1usize..6).prop_flat_map(|n| (0..n).map(arb_rack).collect::<Vec<_>>())
}

fn arb_requests() -> impl Strategy<Value = Vec<DeviceRequest>> {
    proptest::collection::vec((1u32..5, 100u32..2500, 2u32..4, 500u32..1100), 1..40).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (h, w, psu, depth))| {
                let mut d = dev(&format!("ns/req-{i:02}"));
                d.agency = ["disdukcapil", "bapenda", "dinkes"][i % 3].into();
                d.height_u = h;
                d.power_watts = w;
                d.psu_count = psu;
                d.depth_mm = depth;
                d
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn batch_placements_never_overlap_never_overbudget_and_never_move(
        racks in arb_inventory(),
        reqs in arb_requests(),
    ) {
        let before = inv(&racks);
        let batch = place_all(&reqs, &before);
        for rack in batch.inventory.racks() {
            let placed: Vec<&Occupant> =
                rack.occupants().iter().filter(|o| o.origin == Origin::Placed).collect();
            // No placed device overlaps another device or reserved units, or leaves the rack.
            for (i, o) in placed.iter().enumerate() {
                prop_assert!(o.position_u >= 1 && o.position_u + o.height_u - 1 <= rack.info.height_u);
                prop_assert_eq!(o.mask() & rack.reserved_mask(), 0);
                for (j, other) in rack.occupants().iter().enumerate() {
                    let same = std::ptr::eq(*o, other);
                    prop_assert!(same || o.mask() & other.mask() == 0, "{} overlaps {} (#{i}/{j})", o.name, other.name);
                }
            }
            // No feed over budget with the other side lost — unless the rack already was
            // before the batch and the engine added nothing.
            let before_rack = before.rack(&rack.info.name).unwrap();
            if !placed.is_empty() {
                for f in [&rack.info.feed_a, &rack.info.feed_b] {
                    prop_assert!(rack.load_watts() <= feed_budget(f.as_ref().unwrap()));
                }
                prop_assert!(rack.heat_watts() <= u64::from(rack.info.cooling_watts));
                prop_assert!(!rack.info.cordoned);
            }
            // What was there is still there, unchanged and first.
            prop_assert_eq!(&rack.occupants()[..before_rack.occupants().len()], before_rack.occupants());
        }
        // Every success is in the inventory where it says; every failure explains every rack.
        for (req, res) in reqs.iter().zip(&batch.results) {
            match res {
                Ok(p) => {
                    let r = batch.inventory.rack(&p.chosen.rack).unwrap();
                    prop_assert!(r.occupants().iter().any(|o| o.name == req.id && o.position_u == p.chosen.position_u));
                }
                Err(u) => {
                    prop_assert_eq!(u.per_rack.len(), batch.inventory.racks().len());
                    prop_assert!(u.per_rack.iter().all(|(_, rs)| !rs.is_empty()));
                    let prefix = format!("0/{} racks fit", racks.len());
                    prop_assert!(u.summary().en.starts_with(&prefix));
                }
            }
        }
    }

    #[test]
    fn a_later_batch_never_moves_earlier_placements(
        racks in arb_inventory(),
        first in arb_requests(),
        second in arb_requests(),
    ) {
        let one = place_all(&first, &inv(&racks));
        let mut second = second;
        for d in &mut second { d.id = format!("later/{}", d.id); }
        let two = place_all(&second, &one.inventory);
        for (a, b) in one.inventory.racks().iter().zip(two.inventory.racks()) {
            prop_assert_eq!(&b.occupants()[..a.occupants().len()], a.occupants());
        }
    }

    #[test]
    fn placing_is_deterministic(racks in arb_inventory(), reqs in arb_requests()) {
        let a = place_all(&reqs, &inv(&racks));
        let b = place_all(&reqs, &inv(&racks));
        prop_assert_eq!(&a, &b);
        // Rack order in the input does not matter either.
        let mut reversed = racks.clone();
        reversed.reverse();
        let c = place_all(&reqs, &inv(&reversed));
        prop_assert_eq!(a, c);
    }

    #[test]
    fn single_placement_fits_what_the_filters_say(racks in arb_inventory(), reqs in arb_requests()) {
        let inventory = inv(&racks);
        for d in &reqs {
            match place(d, &inventory) {
                Ok(p) => {
                    let pin = PinnedPlacement { rack: p.chosen.rack.clone(), position_u: p.chosen.position_u };
                    prop_assert!(place_pinned(d, &inventory, &pin, &Settings::default()).is_ok());
                }
                Err(u) => prop_assert_eq!(u.per_rack.len(), racks.len()),
            }
        }
    }
}

proptest! {
    #[test]
    fn bit_parallel_free_run_search_matches_a_plain_scan(
        height in 1u32..=60,
        used in any::<u64>(),
        need in 1u32..8,
    ) {
        let mut info = RackInfo::from_rack(&rack("R01"));
        info.height_u = height;
        info.reserved.clear();
        let mut state = RackState::new(info);
        for u in 1..=height {
            if used & (1 << (u - 1)) != 0 {
                state.add(dev("a/x").occupant(u));
            }
        }
        let plain = (1..=height.saturating_sub(need - 1)).find(|&p| {
            (p..p + need).all(|u| used & (1 << (u - 1)) == 0)
        });
        prop_assert_eq!(lowest_free_position(&state, need), plain);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The filters compare site and agency numbers; those must say what comparing the
    /// names says — for a new inventory, after a batch recorded devices of new agencies,
    /// and after the inventory is written and read back.
    #[test]
    fn site_and_agency_numbers_agree_with_the_names(
        sites in proptest::collection::vec(0usize..3, 1..6),
        owners in proptest::collection::vec(proptest::option::of(0usize..4), 0..8),
        asks in proptest::collection::vec((proptest::option::of(0usize..4), 0usize..5), 1..12),
    ) {
        const SITES: [&str; 4] = ["dc-bekasi", "drc-cikarang", "dc-Bekasi", "nowhere"];
        const AGENCIES: [&str; 5] = ["disdukcapil", "bapenda", "dinkes", "satpolpp", "dishub"];
        let racks: Vec<Rack> = sites
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                let mut r = fixtures::rack(&format!("R{i:02}"), SITES[s]);
                r.spec.existing_devices = owners
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| k % sites.len() == i)
                    .map(|(k, a)| ExistingDevice {
                        agency: a.map(|a| AGENCIES[a].to_string()),
                        ..existing(&format!("e{k}"), 1 + k as u32, 1, 100)
                    })
                    .collect();
                r
            })
            .collect();
        let requests: Vec<DeviceRequest> = asks
            .iter()
            .enumerate()
            .map(|(k, (site, agency))| {
                let mut d = dev(&format!("ns/r{k}"));
                d.site = site.map(|s| SITES[s].to_string());
                d.agency = AGENCIES[*agency].to_string();
                d
            })
            .collect();
        let fresh = inv(&racks);
        let placed = place_all(&requests, &fresh).inventory;
        let text = serde_json::to_string(&placed).unwrap();
        let reread: Inventory = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&reread, &placed);
        for inventory in [&fresh, &placed, &reread] {
            for (i, rack) in inventory.racks().iter().enumerate() {
                for d in &requests {
                    let p = inventory.probe(d);
                    let by_name = d.site.as_ref().is_none_or(|s| s == &rack.info.site);
                    prop_assert_eq!(inventory.in_site(i, p), by_name, "{} in {}", d.id, rack.info.name);
                    prop_assert_eq!(inventory.hosts(i, p), rack.hosts_agency(&d.agency));
                }
            }
        }
    }
}
