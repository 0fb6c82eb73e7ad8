//! Rules on `HostingRequest` (HOST-LEGAL, HOST-CLEAN, HOST-RACK, HOST-POWER, WEB-DC,
//! APP-BACKUP, NET-PORTS) and on an `Agency`'s extra egress.

use super::{Context, agency_namespaces, egress_allowed, licences, normalise_host, unknown_agency};
use crate::finding::Finding;
use crate::i18n::Text;
use crate::names::{Wildcard, dns_name};
use jiff::{SignedDuration, Timestamp};
use pusdata_crds::v1alpha1::{
    Agency, Decision, DrDeclaration, EgressPort, FormFactor, HostingMode, HostingRequest,
    MalwareScan, Rack, ScanResult, Software, SoftwareItem,
};

/// Scanners and API servers do not share a clock; a scan this far in the future is skew,
/// not a forgery.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

pub(super) fn check(hr: &HostingRequest, ctx: &Context, now: Timestamp) -> Vec<Finding> {
    let spec = &hr.spec;
    let mut out = Vec::new();
    legal(&spec.software, &mut out);
    clean(spec.malware_scan.as_ref(), ctx, now, &mut out);
    match spec.mode {
        HostingMode::Colocation => colocation(hr, ctx, &mut out),
        HostingMode::WebHosting => web(hr, ctx, &mut out),
    }
    backup(&spec.dr, ctx, &mut out);
    egress(
        "spec.egress",
        &spec.egress,
        Some(hr),
        ctx.agency(&spec.system.agency),
        ctx,
        now,
        &mut out,
    );
    out
}

pub(super) fn check_agency(a: &Agency, ctx: &Context, now: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    // The agency's own extra ports are what is being approved here, so they do not count.
    let mut bare = a.clone();
    bare.spec.extra_egress.clear();
    egress(
        "spec.extraEgress",
        &a.spec.extra_egress,
        None,
        Some(&bare),
        ctx,
        now,
        &mut out,
    );
    out
}

fn legal(software: &Software, out: &mut Vec<Finding>) {
    let items = std::iter::once(("spec.software.os".to_string(), &software.os)).chain(
        software
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("spec.software.components[{i}]"), c)),
    );
    for (path, item) in items {
        legal_item(&path, item, out);
    }
}

fn legal_item(path: &str, item: &SoftwareItem, out: &mut Vec<Finding>) {
    if item
        .license_proof
        .as_deref()
        .is_some_and(|p| !p.trim().is_empty())
    {
        return;
    }
    let name = &item.name;
    match item.license.as_deref().map(str::trim) {
        None | Some("") => out.push(Finding::deny(
            "HOST-LEGAL",
            &format!("{path}.license"),
            Text::new(
                format!("{name} names no licence and no licence proof"),
                format!("{name} tidak mencantumkan lisensi maupun bukti lisensi"),
            ),
            hint_licence(),
        )),
        Some(expr) => {
            if let Err(part) = licences::check_expression(expr) {
                out.push(Finding::deny(
                    "HOST-LEGAL",
                    &format!("{path}.license"),
                    Text::new(
                        format!("licence {expr:?} of {name} is not a known SPDX expression (at {part:?})"),
                        format!("lisensi {expr:?} untuk {name} bukan ekspresi SPDX yang dikenal (pada {part:?})"),
                    ),
                    hint_licence(),
                ));
            }
        }
    }
}

fn hint_licence() -> Text {
    Text::new(
        "give an SPDX id such as Apache-2.0 or GPL-2.0-only (A OR B, A AND B allowed), or a licenseProof with the contract or invoice number",
        "isi id SPDX seperti Apache-2.0 atau GPL-2.0-only (boleh A OR B, A AND B), atau licenseProof berisi nomor kontrak atau faktur",
    )
}

fn clean(scan: Option<&MalwareScan>, ctx: &Context, now: Timestamp, out: &mut Vec<Finding>) {
    let max_days = ctx.settings.max_scan_age_days;
    let Some(scan) = scan else {
        out.push(Finding::deny(
            "HOST-CLEAN",
            "spec.malwareScan",
            Text::new(
                "no malware scan is attached",
                "tidak ada hasil pemindaian malware yang dilampirkan",
            ),
            Text::new(
                format!("scan the application (e.g. ClamAV) and attach the report, not older than {max_days} days"),
                format!("pindai aplikasi (mis. ClamAV) dan lampirkan laporannya, paling lama {max_days} hari"),
            ),
        ));
        return;
    };
    if scan.scanner.trim().is_empty() || scan.report_id.trim().is_empty() {
        out.push(Finding::deny(
            "HOST-CLEAN",
            "spec.malwareScan.reportId",
            Text::new(
                "the malware scan names no scanner or report id",
                "hasil pemindaian malware tidak menyebut pemindai atau nomor laporan",
            ),
            Text::new(
                "fill in scanner and reportId so the report can be looked up",
                "isi scanner dan reportId agar laporan dapat ditelusuri",
            ),
        ));
    }
    match scan.result {
        ScanResult::Clean => {}
        ScanResult::Infected | ScanResult::Suspicious => {
            let (en, id) = if scan.result == ScanResult::Infected {
                ("found malware", "menemukan malware")
            } else {
                (
                    "found suspicious content",
                    "menemukan isi yang mencurigakan",
                )
            };
            out.push(Finding::deny(
                "HOST-CLEAN",
                "spec.malwareScan.result",
                Text::new(
                    format!("scan {} {en}", scan.report_id),
                    format!("pemindaian {} {id}", scan.report_id),
                ),
                Text::new(
                    "clean the application, scan it again and attach the new clean report",
                    "bersihkan aplikasi, pindai ulang dan lampirkan laporan baru yang bersih",
                ),
            ));
        }
    }
    let at = scan.scanned_at.0;
    if at > now + CLOCK_SKEW {
        out.push(Finding::deny(
            "HOST-CLEAN",
            "spec.malwareScan.scannedAt",
            Text::new(
                format!("the scan date {at} is in the future"),
                format!("tanggal pemindaian {at} berada di masa depan"),
            ),
            Text::new(
                "give the real date of the scan",
                "isi tanggal pemindaian yang sebenarnya",
            ),
        ));
    } else {
        let age = now.duration_since(at);
        let max = SignedDuration::from_hours(i64::from(max_days) * 24);
        if age > max {
            let days = age.as_hours() / 24;
            out.push(Finding::deny(
                "HOST-CLEAN",
                "spec.malwareScan.scannedAt",
                Text::new(
                    format!("the malware scan is {days} days old; the maximum is {max_days} days"),
                    format!(
                        "pemindaian malware sudah berumur {days} hari; maksimum {max_days} hari"
                    ),
                ),
                Text::new(
                    "scan the application again and attach the new report",
                    "pindai ulang aplikasi dan lampirkan laporan yang baru",
                ),
            ));
        }
    }
}

fn colocation(hr: &HostingRequest, ctx: &Context, out: &mut Vec<Finding>) {
    namespace_owner(hr, "HOST-PLACE", ctx, out);
    let Some(colo) = &hr.spec.colocation else {
        out.push(Finding::deny(
            "HOST-RACK",
            "spec.colocation",
            Text::new(
                "a colocation request must describe the device",
                "permohonan kolokasi harus menjelaskan perangkatnya",
            ),
            Text::new(
                "fill in spec.colocation.device",
                "isi spec.colocation.device",
            ),
        ));
        return;
    };
    let d = &colo.device;
    if d.form_factor != FormFactor::Rackmount19 {
        out.push(Finding::deny(
            "HOST-RACK",
            "spec.colocation.device.formFactor",
            Text::new(
                format!("{} {} is {:?}, not a 19-inch rackmount server", d.manufacturer, d.model, d.form_factor),
                format!("{} {} berbentuk {:?}, bukan server rackmount 19 inci", d.manufacturer, d.model, d.form_factor),
            ),
            Text::new(
                "only 19-inch rackmount servers can be colocated; use a rack kit or another server",
                "hanya server rackmount 19 inci yang dapat dikolokasikan; gunakan rack kit atau server lain",
            ),
        ));
    }
    let site = colo.site.as_deref();
    let racks: Vec<_> = ctx
        .racks
        .iter()
        .filter(|r| site.is_none_or(|s| r.spec.site == s) && !r.spec.cordoned)
        .collect();
    if !racks.is_empty() {
        let deepest = racks.iter().map(|r| r.spec.depth_mm).max().unwrap_or(0);
        let tallest = racks.iter().map(|r| r.spec.height_u).max().unwrap_or(0);
        if d.depth_mm > deepest || d.height_u > tallest {
            out.push(Finding::deny(
                "HOST-RACK",
                "spec.colocation.device",
                Text::new(
                    format!("the device ({} U, {} mm deep) fits no rack of the site (at most {tallest} U, {deepest} mm)", d.height_u, d.depth_mm),
                    format!("perangkat ({} U, kedalaman {} mm) tidak muat di rak mana pun di situs (paling besar {tallest} U, {deepest} mm)", d.height_u, d.depth_mm),
                ),
                Text::new(
                    "check the device's height and depth, or ask the DC manager for a deeper rack",
                    "periksa tinggi dan kedalaman perangkat, atau minta rak yang lebih dalam kepada pengelola Pusat Data",
                ),
            ));
        }
    }
    if d.psu_count < 2 {
        out.push(Finding::deny(
            "HOST-POWER",
            "spec.colocation.device.psuCount",
            Text::new(
                format!("the device has {} power supply; at least 2 are needed, one per feed", d.psu_count),
                format!("perangkat hanya memiliki {} catu daya; minimal 2, satu untuk tiap jalur listrik", d.psu_count),
            ),
            Text::new(
                "add a second (redundant) power supply so the server runs on feed A or B alone",
                "tambahkan catu daya kedua (redundan) agar server tetap hidup dari jalur A atau B saja",
            ),
        ));
    }
}

/// HOST-POWER on the rack itself: N+N needs two distinct feeds. A rack whose A and B feeds
/// are the same PDU (by normalised name) has one feed, whatever its spec says.
pub(super) fn check_rack(rack: &Rack) -> Vec<Finding> {
    let (Some(a), Some(b)) = (&rack.spec.feed_a, &rack.spec.feed_b) else {
        return Vec::new();
    };
    if !crate::names::same_name(&a.name, &b.name) {
        return Vec::new();
    }
    let name = crate::names::normalise_name(&a.name);
    vec![Finding::deny(
        "HOST-POWER",
        "spec.feedB.name",
        Text::new(
            format!(
                "feed A \"{}\" and feed B \"{}\" are the same feed (both normalise to \"{name}\"); a rack needs two distinct feeds",
                a.name, b.name
            ),
            format!(
                "jalur A \"{}\" dan jalur B \"{}\" adalah jalur yang sama (keduanya dinormalisasi menjadi \"{name}\"); rak memerlukan dua jalur listrik berbeda",
                a.name, b.name
            ),
        ),
        Text::new(
            "connect the rack's B side to a second PDU and name it in spec.feedB",
            "sambungkan sisi B rak ke PDU kedua dan sebutkan di spec.feedB",
        ),
    )]
}

fn web(hr: &HostingRequest, ctx: &Context, out: &mut Vec<Finding>) {
    let code = &hr.spec.system.agency;
    let Some(agency) = ctx.agency(code) else {
        out.push(unknown_agency("WEB-DC", "spec.system.agency", code));
        return;
    };
    namespace_owner(hr, "WEB-DC", ctx, out);
    let Some(web) = &hr.spec.web else {
        out.push(Finding::deny(
            "WEB-DC",
            "spec.web",
            Text::new(
                "a web hosting request must list its host names",
                "permohonan hosting web harus mencantumkan nama host",
            ),
            Text::new("fill in spec.web.hostnames", "isi spec.web.hostnames"),
        ));
        return;
    };
    if let Some(ns) = &web.namespace
        && !agency_namespaces(&agency.spec).any(|n| n == ns)
    {
        out.push(foreign_namespace("WEB-DC", "spec.web.namespace", ns, code));
    }
    let domain = &ctx.settings.city_domain;
    let own = format!("{}.{domain}", normalise_host(&agency.spec.subdomain));
    for (i, raw) in web.hostnames.iter().enumerate() {
        let path = format!("spec.web.hostnames[{i}]");
        // A name that is not a DNS name is refused before any suffix test: a doubled dot
        // or a wildcard in the middle must not pass because its tail looks right.
        let name = match dns_name(raw, Wildcard::Leftmost) {
            Ok(n) => n,
            Err(why) => {
                out.push(Finding::deny(
                    "WEB-DC",
                    &path,
                    why,
                    Text::new(
                        format!("use a valid DNS name at or below {own}"),
                        format!("gunakan nama DNS yang sah pada atau di bawah {own}"),
                    ),
                ));
                continue;
            }
        };
        if name.is_at_or_below(&own) {
            continue;
        }
        let other = ctx.agencies.iter().find(|a| {
            let theirs = format!("{}.{domain}", normalise_host(&a.spec.subdomain));
            a.spec.code != agency.spec.code && name.is_at_or_below(&theirs)
        });
        let (en, id) = match other {
            Some(o) => (
                format!("\"{raw}\" belongs to agency {}, not to {code}", o.spec.code),
                format!(
                    "\"{raw}\" milik Perangkat Daerah {}, bukan milik {code}",
                    o.spec.code
                ),
            ),
            None => (
                format!("\"{raw}\" is not under {own}, the subdomain of {code}"),
                format!("\"{raw}\" tidak berada di bawah {own}, subdomain milik {code}"),
            ),
        };
        out.push(Finding::deny(
            "WEB-DC",
            &path,
            Text::new(en, id),
            Text::new(
                format!("use {own} or a name below it"),
                format!("gunakan {own} atau nama di bawahnya"),
            ),
        ));
    }
}

fn namespace_owner(hr: &HostingRequest, rule: &str, ctx: &Context, out: &mut Vec<Finding>) {
    let code = &hr.spec.system.agency;
    let (Some(ns), Some(agency)) = (hr.metadata.namespace.as_deref(), ctx.agency(code)) else {
        return;
    };
    if !agency_namespaces(&agency.spec).any(|n| n == ns) {
        out.push(foreign_namespace(rule, "metadata.namespace", ns, code));
    }
}

fn foreign_namespace(rule: &str, path: &str, ns: &str, code: &str) -> Finding {
    Finding::deny(
        rule,
        path,
        Text::new(
            format!("namespace {ns} does not belong to agency {code}"),
            format!("namespace {ns} bukan milik Perangkat Daerah {code}"),
        ),
        Text::new(
            format!("submit the request in a namespace of {code}"),
            format!("ajukan permohonan di namespace milik {code}"),
        ),
    )
}

fn backup(dr: &DrDeclaration, ctx: &Context, out: &mut Vec<Finding>) {
    let stateless = dr.stateless_reason.as_deref().map(str::trim);
    match (dr.tier.as_deref(), stateless) {
        (None, None) | (None, Some("")) => out.push(Finding::deny(
            "APP-BACKUP",
            "spec.dr",
            Text::new(
                "the request names no DRP tier and does not declare the system stateless with a reason",
                "permohonan tidak menyebut tier DRP dan tidak menyatakan sistem tanpa data (stateless) beserta alasannya",
            ),
            Text::new(
                "set spec.dr.plan and spec.dr.tier, or spec.dr.statelessReason",
                "isi spec.dr.plan dan spec.dr.tier, atau spec.dr.statelessReason",
            ),
        )),
        (Some(_), Some(_)) => out.push(Finding::deny(
            "APP-BACKUP",
            "spec.dr",
            Text::new(
                "the request names a DRP tier and also declares the system stateless",
                "permohonan menyebut tier DRP sekaligus menyatakan sistem tanpa data (stateless)",
            ),
            Text::new(
                "keep exactly one of spec.dr.tier and spec.dr.statelessReason",
                "pilih salah satu saja: spec.dr.tier atau spec.dr.statelessReason",
            ),
        )),
        (Some(tier), None) => {
            let plan = match dr.plan.as_deref() {
                Some(name) => ctx
                    .plans
                    .iter()
                    .find(|p| p.metadata.name.as_deref() == Some(name)),
                // Without a plan name the tier is only unambiguous when one plan exists.
                None if ctx.plans.len() == 1 => ctx.plans.first(),
                None => None,
            };
            if let Some(plan) = plan
                && !plan.spec.tiers.iter().any(|t| t.name == tier)
            {
                let name = plan.metadata.name.as_deref().unwrap_or_default();
                let tiers: Vec<_> = plan.spec.tiers.iter().map(|t| t.name.as_str()).collect();
                out.push(Finding::deny(
                    "APP-BACKUP",
                    "spec.dr.tier",
                    Text::new(
                        format!("plan {name} has no tier {tier}"),
                        format!("rencana {name} tidak memiliki tier {tier}"),
                    ),
                    Text::new(
                        format!("choose one of: {}", tiers.join(", ")),
                        format!("pilih salah satu: {}", tiers.join(", ")),
                    ),
                ));
            }
        }
        (None, Some(_)) => {}
    }
}

fn egress(
    path: &str,
    ports: &[EgressPort],
    request: Option<&HostingRequest>,
    agency: Option<&Agency>,
    ctx: &Context,
    now: Timestamp,
    out: &mut Vec<Finding>,
) {
    let mut allowed = ctx.settings.allowed_egress.clone();
    if let Some(a) = agency {
        allowed.extend(a.spec.extra_egress.iter().map(|e| (e.port, e.protocol)));
    }
    for (i, e) in ports.iter().enumerate() {
        if egress_allowed(&allowed, e) {
            continue;
        }
        let path = format!("{path}[{i}]");
        let port = format!("{}/{:?}", e.port, e.protocol).to_ascii_lowercase();
        let hint = Text::new(
            "ask the platform team for an Approval and name it in approvalRef, or use a standard port",
            "minta Approval kepada Dinas dan cantumkan namanya di approvalRef, atau gunakan port standar",
        );
        let Some(name) = e.approval_ref.as_deref() else {
            out.push(Finding::deny(
                "NET-PORTS",
                &path,
                Text::new(
                    format!("egress to port {port} is outside the standard ports and has no approval"),
                    format!("lalu lintas keluar ke port {port} di luar port standar dan tidak memiliki persetujuan"),
                ),
                hint,
            ));
            continue;
        };
        let problem = match ctx.approval_named(name) {
            None => Some(("is not known", "tidak dikenal")),
            Some(a) if a.spec.decision != Decision::Approved => {
                Some(("is a rejection", "berisi penolakan"))
            }
            Some(a) if a.spec.valid_until.as_ref().is_some_and(|v| v.0 <= now) => {
                Some(("has expired", "sudah kedaluwarsa"))
            }
            Some(a) if !approval_targets(a, request, agency) => {
                Some(("is for another object", "untuk objek lain"))
            }
            Some(_) => None,
        };
        if let Some((en, id)) = problem {
            out.push(Finding::deny(
                "NET-PORTS",
                &format!("{path}.approvalRef"),
                Text::new(
                    format!("approval {name} for port {port} {en}"),
                    format!("persetujuan {name} untuk port {port} {id}"),
                ),
                hint,
            ));
        }
    }
}

fn approval_targets(
    a: &pusdata_crds::v1alpha1::Approval,
    request: Option<&HostingRequest>,
    agency: Option<&Agency>,
) -> bool {
    let t = &a.spec.target;
    match (request, agency) {
        (Some(hr), _) if t.kind == "HostingRequest" => {
            hr.metadata.name.as_deref() == Some(t.name.as_str())
                && hr.metadata.namespace == t.namespace
        }
        (_, Some(ag)) if t.kind == "Agency" => {
            ag.metadata.name.as_deref() == Some(t.name.as_str()) || ag.spec.code == t.name
        }
        _ => false,
    }
}
