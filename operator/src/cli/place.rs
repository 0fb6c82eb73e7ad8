//! `pusdata place`: place colocation requests offline, print where each went (or why not),
//! and draw the rack elevations. The decisions are `pusdata_core::placement`'s; this file
//! only reads files, prints and writes.

use crate::cli::PlaceArgs;
use crate::error::CliError;
use pusdata_core::i18n::{Lang, Msg, Text};
use pusdata_core::placement::{
    self, DeviceRequest, Inventory, Placement, Settings, Unplaceable, build_work_order,
    render_rack_svg, request_id,
};
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    AddressPool, Decision, HostingRequest, PinnedPlacement, Rack, Site, SiteRole, WorkOrder,
};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::Path;

fn bad_input(path: &Path, reason: impl std::fmt::Display, lang: Lang) -> CliError {
    CliError::Input(
        Msg::BadInput {
            file: path.display().to_string(),
            reason: reason.to_string(),
        }
        .in_lang(lang),
    )
}

fn read_objects(path: &Path, lang: Lang) -> Result<Vec<Object>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| bad_input(path, e, lang))?;
    let docs = pusdata_crds::yaml_documents(&text).map_err(|e| bad_input(path, e, lang))?;
    docs.into_iter()
        .map(|d| Object::from_value(d).map_err(|e| bad_input(path, e, lang)))
        .collect()
}

/// What the inventory file holds.
struct World {
    sites: Vec<Site>,
    inventory: Inventory,
    assigned: BTreeSet<Ipv4Addr>,
}

fn load_inventory(path: &Path, lang: Lang) -> Result<World, CliError> {
    let mut sites = Vec::new();
    let mut racks: Vec<Rack> = Vec::new();
    let mut placed: Vec<HostingRequest> = Vec::new();
    for o in read_objects(path, lang)? {
        match o {
            Object::Site(s) => sites.push(s),
            Object::Rack(r) => racks.push(r),
            Object::HostingRequest(hr) => placed.push(hr),
            // Agencies, policies and the rest may share the file; placement ignores them.
            _ => {}
        }
    }
    let mut inventory = Inventory::from_racks(&racks).map_err(|e| bad_input(path, e, lang))?;
    let mut assigned = BTreeSet::new();
    for hr in &placed {
        inventory
            .record_hosting_request(hr)
            .map_err(|e| bad_input(path, e, lang))?;
        let addresses = hr
            .status
            .as_ref()
            .and_then(|s| s.work_order.as_ref())
            .map(|w| w.addresses.as_slice())
            .unwrap_or_default();
        for a in addresses {
            let ip: Ipv4Addr = a
                .parse()
                .map_err(|e| bad_input(path, format!("{}: {a}: {e}", request_id(hr)), lang))?;
            assigned.insert(ip);
        }
    }
    Ok(World {
        sites,
        inventory,
        assigned,
    })
}

struct Requests {
    devices: Vec<DeviceRequest>,
    pins: Vec<(String, PinnedPlacement)>,
    skipped: Vec<(String, Text)>,
    addresses: Vec<usize>,
}

fn load_requests(
    path: &Path,
    default_site: Option<&str>,
    lang: Lang,
) -> Result<Requests, CliError> {
    let mut out = Requests {
        devices: Vec::new(),
        pins: Vec::new(),
        skipped: Vec::new(),
        addresses: Vec::new(),
    };
    for o in read_objects(path, lang)? {
        match o {
            // Placed devices are never moved: a request that already has a place keeps it.
            Object::HostingRequest(hr)
                if hr
                    .status
                    .as_ref()
                    .is_some_and(|s| s.rack_placement.is_some()) =>
            {
                out.skipped.push((
                    request_id(&hr),
                    Text::new(
                        "already placed; put it in the inventory file",
                        "sudah ditempatkan; masukkan ke berkas inventaris",
                    ),
                ));
            }
            Object::HostingRequest(hr) => match DeviceRequest::from_hosting_request(&hr) {
                Some(mut d) => {
                    if d.site.is_none() {
                        d.site = default_site.map(str::to_string);
                    }
                    out.addresses.push(
                        hr.spec
                            .colocation
                            .as_ref()
                            .map_or(0, |c| usize::from(c.addresses)),
                    );
                    out.devices.push(d);
                }
                None => out.skipped.push((
                    request_id(&hr),
                    Text::new(
                        "web hosting, not placed in a rack",
                        "web hosting, tidak ditempatkan di rak",
                    ),
                )),
            },
            // An approval may pin the position the DC manager chose (HOST-SITE).
            Object::Approval(a) => {
                let t = &a.spec.target;
                if let (Some(pin), Decision::Approved, "HostingRequest") =
                    (&a.spec.pinned_placement, a.spec.decision, t.kind.as_str())
                {
                    let id = format!("{}/{}", t.namespace.as_deref().unwrap_or("default"), t.name);
                    out.pins.push((id, pin.clone()));
                }
            }
            other => {
                return Err(bad_input(
                    path,
                    format!(
                        "a {} does not belong in the requests file (HostingRequests and Approvals only)",
                        other.kind()
                    ),
                    lang,
                ));
            }
        }
    }
    let mut ids: Vec<&str> = out.devices.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        return Err(bad_input(
            path,
            format!("request {} appears twice", w[0]),
            lang,
        ));
    }
    Ok(out)
}

fn pools_of<'a>(sites: &'a [Site], site: &str) -> &'a [AddressPool] {
    sites
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(site))
        .map(|s| s.spec.address_pools.as_slice())
        .unwrap_or_default()
}

enum Line {
    Placed(Box<Placement>, WorkOrder),
    Refused(Unplaceable),
    NoAddresses(Box<Placement>, Text),
}

/// Runs `pusdata place`.
pub fn run(args: &PlaceArgs, lang: Lang) -> Result<(), CliError> {
    let mut world = load_inventory(&args.inventory, lang)?;
    let primaries: Vec<&str> = world
        .sites
        .iter()
        .filter(|s| s.spec.role == SiteRole::Primary)
        .filter_map(|s| s.metadata.name.as_deref())
        .collect();
    // "By default the primary site" — only when the inventory names exactly one.
    let default_site = match primaries.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let reqs = load_requests(&args.requests, default_site, lang)?;
    let batch = placement::place_all_with(
        &reqs.devices,
        &reqs.pins,
        &world.inventory,
        &Settings::default(),
    );
    let mut lines = Vec::new();
    for ((d, res), n) in reqs.devices.iter().zip(batch.results).zip(&reqs.addresses) {
        lines.push(match res {
            Err(u) => Line::Refused(u),
            Ok(p) => {
                let pools = pools_of(&world.sites, &p.chosen.site);
                match placement::allocate_addresses(pools, &world.assigned, *n) {
                    Ok(addrs) => {
                        world.assigned.extend(addrs.iter().copied());
                        let wo = build_work_order(&d.id, &p.chosen, &addrs);
                        Line::Placed(Box::new(p), wo)
                    }
                    Err(e) => Line::NoAddresses(
                        Box::new(p),
                        Text::new(e.to_string(), format!("alamat IP tidak tersedia: {e}")),
                    ),
                }
            }
        });
    }
    print_table(&reqs.devices, &lines, &reqs.skipped, lang);
    if let Some(dir) = &args.svg_dir {
        std::fs::create_dir_all(dir).map_err(|e| CliError::io(dir, e))?;
        for rack in batch.inventory.racks() {
            let path = dir.join(format!("{}.svg", rack.info.name));
            std::fs::write(&path, render_rack_svg(rack, lang))
                .map_err(|e| CliError::io(&path, e))?;
        }
    }
    let failed = lines
        .iter()
        .filter(|l| !matches!(l, Line::Placed(..)))
        .count();
    if failed > 0 {
        let total = lines.len();
        return Err(CliError::Check(
            Text::new(
                format!("{failed} of {total} requests could not be placed"),
                format!("{failed} dari {total} permintaan tidak dapat ditempatkan"),
            )
            .get(lang)
            .to_string(),
        ));
    }
    Ok(())
}

/// `U7` for one unit, `U7-8` for more, as on the rack's labels.
fn units(from: u32, height: u32) -> String {
    if height <= 1 {
        format!("U{from}")
    } else {
        format!("U{from}-{}", from + height - 1)
    }
}

fn print_table(devices: &[DeviceRequest], lines: &[Line], skipped: &[(String, Text)], lang: Lang) {
    let h = |en: &'static str, id: &'static str| if lang == Lang::En { en } else { id };
    let width = devices.iter().map(|d| d.id.len()).max().unwrap_or(7).max(7);
    println!(
        "{:<width$}  {:<16} {:<8} {:<24} {:<16} {}",
        h("REQUEST", "PERMINTAAN"),
        h("RACK", "RAK"),
        "U",
        h("FEEDS", "FEED"),
        h("WORK ORDER", "PERINTAH KERJA"),
        h("ADDRESSES", "ALAMAT"),
    );
    for (d, line) in devices.iter().zip(lines) {
        match line {
            Line::Placed(p, wo) => {
                let c = &p.chosen;
                let pinned = if p.pinned {
                    h(" (pinned)", " (dipatok)")
                } else {
                    ""
                };
                println!(
                    "{:<width$}  {:<16} {:<8} {:<24} {:<16} {}{pinned}",
                    d.id,
                    c.rack,
                    units(c.position_u, c.height_u),
                    format!("{}+{}", c.feed_a, c.feed_b),
                    wo.id,
                    wo.addresses.join(","),
                );
                if !p.alternatives.is_empty() {
                    let alts: Vec<String> = p
                        .alternatives
                        .iter()
                        .map(|a| format!("{} U{}", a.rack, a.position_u))
                        .collect();
                    println!(
                        "{:<width$}    {}: {}",
                        "",
                        h("alternatives", "alternatif"),
                        alts.join(", ")
                    );
                }
            }
            Line::Refused(u) => {
                println!("{:<width$}  {}", d.id, u.summary().get(lang));
                for detail in u.details(lang) {
                    println!("{:<width$}    {detail}", "");
                }
            }
            Line::NoAddresses(p, why) => {
                println!(
                    "{:<width$}  {} U{}: SEC-REGISTER {}",
                    d.id,
                    p.chosen.rack,
                    p.chosen.position_u,
                    why.get(lang)
                );
            }
        }
    }
    for (id, why) in skipped {
        println!("{id}: {}", why.get(lang));
    }
}
