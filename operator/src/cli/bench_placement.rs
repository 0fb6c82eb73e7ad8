//! `pusdata bench placement`: a synthetic, seeded data centre, placed in one batch, timed,
//! and compared with a simple lower bound on the racks needed.

use crate::cli::BenchPlacementArgs;
use crate::error::CliError;
use pusdata_core::placement::{self, DeviceRequest, Inventory, RackInfo, RackState, Settings};
use pusdata_crds::v1alpha1::{FormFactor, PowerFeed, RackWidth};
use std::time::Instant;

// SplitMix64: seeded and the same on every machine, so the benchmark's data is too.
use pusdata::drill::sample::SplitMix;

const RACK_U: u32 = 42;
const RESERVED_U: u32 = 1;
const FEED_W: u32 = 7400;
const FEED_PCT: u8 = 80;
const COOLING_W: u32 = 7000;

fn racks(n: usize) -> Vec<RackState> {
    (0..n)
        .map(|i| {
            let feed = |side: &str| PowerFeed {
                name: format!("B{i:04}-{side}"),
                capacity_watts: FEED_W,
                max_utilization_percent: FEED_PCT,
            };
            RackState::new(RackInfo {
                name: format!("B{i:04}"),
                site: "dc-bekasi".into(),
                height_u: RACK_U,
                depth_mm: 1070,
                width: RackWidth::Inch19,
                feed_a: Some(feed("A")),
                feed_b: Some(feed("B")),
                cooling_watts: COOLING_W,
                max_weight_kg: None,
                reserved: vec![(RACK_U, RACK_U)],
                allowed_agencies: Vec::new(),
                cordoned: false,
            })
        })
        .collect()
}

/// A mix seen in a city DC: many 1U/2U servers, some 4U storage; draw from 150 W to 900 W.
fn requests(n: usize, seed: u64) -> Vec<DeviceRequest> {
    let mut rng = SplitMix::new(seed);
    (0..n)
        .map(|i| {
            let height_u = match rng.range(0, 9) {
                0..=3 => 1,
                4..=7 => 2,
                _ => 4,
            };
            let power_watts = rng.range(150, 900);
            DeviceRequest {
                id: format!("agency-{:02}/srv-{i:05}", rng.range(0, 19)),
                agency: format!("agency-{:02}", i % 20),
                site: Some("dc-bekasi".into()),
                form_factor: FormFactor::Rackmount19,
                height_u,
                depth_mm: rng.range(600, 1000),
                weight_kg: None,
                psu_count: 2,
                power_watts,
                heat_watts: None,
            }
        })
        .collect()
}

fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b.max(1))
}

/// Runs the benchmark and prints its figures.
pub fn run(args: &BenchPlacementArgs) -> Result<(), CliError> {
    let inventory =
        Inventory::new(racks(args.racks)).map_err(|e| CliError::Internal(e.to_string()))?;
    let reqs = requests(args.requests, args.seed);
    let settings = Settings::default();
    let start = Instant::now();
    let batch = placement::place_all_with(&reqs, &[], &inventory, &settings);
    let elapsed = start.elapsed();

    let placed: Vec<&DeviceRequest> = reqs
        .iter()
        .zip(&batch.results)
        .filter(|(_, r)| r.is_ok())
        .map(|(d, _)| d)
        .collect();
    let sum = |f: fn(&DeviceRequest) -> u32| placed.iter().map(|d| u64::from(f(d))).sum::<u64>();
    let budget = u64::from(FEED_W) * u64::from(FEED_PCT) / 100;
    // With N+N each feed alone must carry the rack, so a rack holds `budget` W, not 2×.
    let bound_u = ceil_div(sum(|d| d.height_u), u64::from(RACK_U - RESERVED_U));
    let bound_power = ceil_div(sum(|d| d.power_watts), budget);
    let bound_cooling = ceil_div(sum(|d| d.heat()), u64::from(COOLING_W));
    let bound = bound_u.max(bound_power).max(bound_cooling);
    let used = batch
        .inventory
        .racks()
        .iter()
        .filter(|r| r.in_use())
        .count() as u64;
    let over = if bound == 0 {
        0.0
    } else {
        (used as f64 - bound as f64) * 100.0 / bound as f64
    };
    println!("pusdata bench placement (seed {})", args.seed);
    println!(
        "  racks {} (42U, 1U reserved, A/B {FEED_W} W at {FEED_PCT}% = {budget} W per side, cooling {COOLING_W} W)",
        args.racks
    );
    println!(
        "  requests {}: placed {}, unplaceable {}",
        reqs.len(),
        placed.len(),
        reqs.len() - placed.len()
    );
    println!(
        "  time {:.3} s ({:.1} µs per request)",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / reqs.len().max(1) as f64
    );
    println!(
        "  lower bound {bound} racks (U {bound_u}, power N+N {bound_power}, cooling {bound_cooling})"
    );
    println!("  racks used {used} ({over:+.2} % over the bound)");
    Ok(())
}
