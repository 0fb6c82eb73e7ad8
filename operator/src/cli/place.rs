//! `pusdata place`: place colocation requests offline, print where each went (or why not),
//! and draw the rack elevations. The decisions are `pusdata_core::placement`'s; this file
//! only reads files, prints and writes.

use super::inputs;
use crate::cli::PlaceArgs;
use crate::error::CliError;
use pusdata_core::i18n::{Lang, Msg, Text};
use pusdata_core::placement::{
    self, DeviceRequest, Inventory, Placement, Settings, Unplaceable, build_work_order,
    render_rack_svg, request_id,
};
use pusdata_crds::Object;
use pusdata_crds::v1alpha1::{
    AddressPool, Decision, HostingRequest, PinnedPlacement, Rack, RackPlacement, Site, SiteRole,
    WorkOrder,
};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

fn bad_input(path: &Path, reason: impl std::fmt::Display, lang: Lang) -> CliError {
    CliError::Input(
        Msg::BadInput {
            file: path.display().to_string(),
            reason: reason.to_string(),
        }
        .in_lang(lang),
    )
}

/// Reads paths through the shared loader; an input that holds no Pusdata object at all is
/// refused (exit 2), as an empty inventory or request file places nothing.
fn read_objects(
    paths: &[PathBuf],
    opts: inputs::Options,
    what: Text,
    lang: Lang,
) -> Result<Vec<inputs::Loaded>, CliError> {
    let loaded = inputs::load(paths, opts, lang)?;
    inputs::note_skipped(&loaded, lang);
    if loaded.objects.is_empty() {
        let files = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(bad_input(Path::new(&files), what.get(lang), lang));
    }
    Ok(loaded.objects)
}

/// What the inventory file holds.
struct World {
    sites: Vec<Site>,
    inventory: Inventory,
    assigned: BTreeSet<Ipv4Addr>,
    /// The inventory's placed requests by id: where each is, and its work order.
    placed: BTreeMap<String, (RackPlacement, Option<WorkOrder>)>,
}

fn load_inventory(paths: &[PathBuf], opts: inputs::Options, lang: Lang) -> Result<World, CliError> {
    let mut sites = Vec::new();
    let mut racks: Vec<Rack> = Vec::new();
    let mut placed: Vec<HostingRequest> = Vec::new();
    let what = pusdata_core::t!("cli-place-inventory-holds-site-rack");
    let path = paths
        .first()
        .map_or(Path::new("--inventory"), PathBuf::as_path);
    for l in read_objects(paths, opts, what, lang)? {
        match l.object {
            Object::Site(s) => sites.push(s),
            Object::Rack(r) => racks.push(r),
            Object::HostingRequest(hr) => placed.push(hr),
            // Agencies, policies and the rest may share the file; placement ignores them.
            _ => {}
        }
    }
    let mut inventory = Inventory::from_racks(&racks).map_err(|e| bad_input(path, e, lang))?;
    let mut assigned = BTreeSet::new();
    let mut on_record = BTreeMap::new();
    for hr in &placed {
        if inventory
            .record_hosting_request(hr)
            .map_err(|e| bad_input(path, e, lang))?
            && let Some(st) = &hr.status
            && let Some(rp) = &st.rack_placement
        {
            on_record.insert(
                request_id(hr),
                (RackPlacement::clone(rp), st.work_order.as_deref().cloned()),
            );
        }
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
        placed: on_record,
    })
}

struct Requests {
    devices: Vec<DeviceRequest>,
    pins: Vec<(String, PinnedPlacement)>,
    skipped: Vec<(String, Text)>,
    addresses: Vec<usize>,
}

fn load_requests(
    paths: &[PathBuf],
    opts: inputs::Options,
    default_site: Option<&str>,
    lang: Lang,
) -> Result<Requests, CliError> {
    let path = paths
        .first()
        .map_or(Path::new("--requests"), PathBuf::as_path);
    let what = pusdata_core::t!("cli-place-hostingrequest-place");
    let mut out = Requests {
        devices: Vec::new(),
        pins: Vec::new(),
        skipped: Vec::new(),
        addresses: Vec::new(),
    };
    for l in read_objects(paths, opts, what, lang)? {
        let path = Path::new(&l.file);
        match l.object {
            // Placed devices are never moved: a request that already has a place keeps it.
            Object::HostingRequest(hr)
                if hr
                    .status
                    .as_ref()
                    .is_some_and(|s| s.rack_placement.is_some()) =>
            {
                out.skipped.push((
                    request_id(&hr),
                    pusdata_core::t!("cli-place-already-placed-put-inventory"),
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
                    pusdata_core::t!("cli-place-web-hosting-placed-rack"),
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
    /// Already in the inventory's placed devices: left where it is, no new work order.
    Kept(RackPlacement, Option<WorkOrder>),
    Refused(Unplaceable),
    NoAddresses(Box<Placement>, Text),
}

/// Runs `pusdata place`.
pub fn run(args: &PlaceArgs, lang: Lang) -> Result<(), CliError> {
    let opts = inputs::Options {
        skip_unknown: args.skip_unknown,
        skip_schema: true,
    };
    let mut world = load_inventory(&args.inventory, opts, lang)?;
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
    let reqs = load_requests(&args.requests, opts, default_site, lang)?;
    let record: BTreeMap<String, RackPlacement> = world
        .placed
        .iter()
        .map(|(id, (rp, _))| (id.clone(), rp.clone()))
        .collect();
    let kept = placement::on_record(&reqs.devices, &record);
    let todo: Vec<DeviceRequest> = reqs
        .devices
        .iter()
        .zip(&kept)
        .filter(|(_, k)| k.is_none())
        .map(|(d, _)| d.clone())
        .collect();
    let (batch, explained) = if args.explain {
        placement::place_all_explained(&todo, &reqs.pins, &world.inventory, &Settings::default())
    } else {
        (
            placement::place_all_with(&todo, &reqs.pins, &world.inventory, &Settings::default()),
            Vec::new(),
        )
    };
    let mut results = batch.results.into_iter();
    let mut why = explained.into_iter();
    let mut lines = Vec::new();
    let mut reasons = Vec::new();
    let mut addresses = placement::AddressCursor::default();
    for ((d, k), n) in reqs.devices.iter().zip(&kept).zip(&reqs.addresses) {
        if k.is_some() {
            let (rp, wo) = world.placed.get(&d.id).cloned().unzip();
            if let Some(rp) = rp {
                lines.push(Line::Kept(rp, wo.flatten()));
                reasons.push(None);
                continue;
            }
        }
        let Some(res) = results.next() else {
            return Err(CliError::Internal(format!(
                "no placement result for {}",
                d.id
            )));
        };
        reasons.push(why.next());
        lines.push(match res {
            Err(u) => Line::Refused(u),
            Ok(p) => {
                let pools = pools_of(&world.sites, &p.chosen.site);
                match addresses.allocate(pools, &world.assigned, *n) {
                    Ok(addrs) => {
                        world.assigned.extend(addrs.iter().copied());
                        let wo = build_work_order(&d.id, &p.chosen, &addrs);
                        Line::Placed(Box::new(p), wo)
                    }
                    Err(e) => Line::NoAddresses(
                        Box::new(p),
                        pusdata_core::t!("cli-place-no-addresses", error = &e),
                    ),
                }
            }
        });
    }
    print_table(&reqs.devices, &lines, &reasons, &reqs.skipped, lang);
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
        .filter(|l| !matches!(l, Line::Placed(..) | Line::Kept(..)))
        .count();
    if failed > 0 {
        let total = lines.len();
        return Err(CliError::Check(
            pusdata_core::t!(
                "cli-place-requests-could-placed",
                failed = &failed,
                total = &total
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

fn print_table(
    devices: &[DeviceRequest],
    lines: &[Line],
    reasons: &[Option<Unplaceable>],
    skipped: &[(String, Text)],
    lang: Lang,
) {
    let h = |t: Text| t.get(lang).to_string();
    let width = devices.iter().map(|d| d.id.len()).max().unwrap_or(7).max(7);
    println!(
        "{:<width$}  {:<16} {:<8} {:<24} {:<16} {}",
        h(pusdata_core::t!("cli-place-col-request")),
        h(pusdata_core::t!("cli-place-col-rack")),
        "U",
        h(pusdata_core::t!("cli-place-col-feeds")),
        h(pusdata_core::t!("cli-place-col-work-order")),
        h(pusdata_core::t!("cli-place-col-addresses")),
    );
    for ((d, line), why) in devices.iter().zip(lines).zip(reasons) {
        match line {
            Line::Kept(rp, wo) => {
                println!(
                    "{:<width$}  {:<16} {:<8} {:<24} {:<16} {} {}",
                    d.id,
                    rp.rack,
                    units(rp.position_u, rp.height_u),
                    format!("{}+{}", rp.feed_a, rp.feed_b),
                    wo.as_ref().map_or("-", |w| w.id.as_str()),
                    wo.as_ref()
                        .map(|w| w.addresses.join(","))
                        .unwrap_or_default(),
                    h(pusdata_core::t!("cli-place-already-placed")),
                );
            }
            Line::Placed(p, wo) => {
                let c = &p.chosen;
                let pinned = if p.pinned {
                    format!(" {}", h(pusdata_core::t!("cli-place-pinned")))
                } else {
                    String::new()
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
                        h(pusdata_core::t!("cli-place-alternatives")),
                        alts.join(", ")
                    );
                }
                if let Some(u) = why {
                    for detail in u.details(lang) {
                        println!("{:<width$}    {detail}", "");
                    }
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
