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
            crate::t!("policy-hosting-names-licence-licence-proof", name = &name),
            hint_licence(),
        )),
        Some(expr) => {
            if let Err(part) = licences::check_expression(expr) {
                out.push(Finding::deny(
                    "HOST-LEGAL",
                    &format!("{path}.license"),
                    crate::t!(
                        "policy-hosting-licence-known-spdx-expression",
                        expr = format!("{:?}", expr),
                        name = &name,
                        part = format!("{:?}", part)
                    ),
                    hint_licence(),
                ));
            }
        }
    }
}

fn hint_licence() -> Text {
    crate::t!("policy-hosting-give-spdx-id-such")
}

fn clean(scan: Option<&MalwareScan>, ctx: &Context, now: Timestamp, out: &mut Vec<Finding>) {
    let max_days = ctx.settings.max_scan_age_days;
    let Some(scan) = scan else {
        out.push(Finding::deny(
            "HOST-CLEAN",
            "spec.malwareScan",
            crate::t!("policy-hosting-malware-scan-attached"),
            crate::t!("policy-hosting-scan-application-e-g", max_days = &max_days),
        ));
        return;
    };
    if scan.scanner.trim().is_empty() || scan.report_id.trim().is_empty() {
        out.push(Finding::deny(
            "HOST-CLEAN",
            "spec.malwareScan.reportId",
            crate::t!("policy-hosting-malware-scan-names-scanner"),
            crate::t!("policy-hosting-fill-scanner-reportid-so"),
        ));
    }
    match scan.result {
        ScanResult::Clean => {}
        ScanResult::Infected | ScanResult::Suspicious => {
            let report = &scan.report_id;
            let message = if scan.result == ScanResult::Infected {
                crate::t!("policy-hosting-scan-found-malware", report = report)
            } else {
                crate::t!("policy-hosting-scan-found-suspicious", report = report)
            };
            out.push(Finding::deny(
                "HOST-CLEAN",
                "spec.malwareScan.result",
                message,
                crate::t!("policy-hosting-clean-application-scan-again"),
            ));
        }
    }
    let at = scan.scanned_at.0;
    if at > now + CLOCK_SKEW {
        out.push(Finding::deny(
            "HOST-CLEAN",
            "spec.malwareScan.scannedAt",
            crate::t!("policy-hosting-scan-date-future", at = &at),
            crate::t!("policy-hosting-give-real-date-scan"),
        ));
    } else {
        let age = now.duration_since(at);
        let max = SignedDuration::from_hours(i64::from(max_days) * 24);
        if age > max {
            let days = age.as_hours() / 24;
            out.push(Finding::deny(
                "HOST-CLEAN",
                "spec.malwareScan.scannedAt",
                crate::t!(
                    "policy-hosting-malware-scan-days-old",
                    days = &days,
                    max_days = &max_days
                ),
                crate::t!("policy-hosting-scan-application-again-attach"),
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
            crate::t!("policy-hosting-colocation-request-must-describe"),
            crate::t!("policy-hosting-fill-spec-colocation-device"),
        ));
        return;
    };
    let d = &colo.device;
    if d.form_factor != FormFactor::Rackmount19 {
        out.push(Finding::deny(
            "HOST-RACK",
            "spec.colocation.device.formFactor",
            crate::t!(
                "policy-hosting-inch-rackmount-server",
                manufacturer = &d.manufacturer,
                model = &d.model,
                form_factor = format!("{:?}", d.form_factor)
            ),
            crate::t!("policy-hosting-only-inch-rackmount-servers"),
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
                crate::t!(
                    "policy-hosting-device-u-mm-deep",
                    height_u = &d.height_u,
                    depth_mm = &d.depth_mm,
                    tallest = &tallest,
                    deepest = &deepest
                ),
                crate::t!("policy-hosting-check-device-s-height"),
            ));
        }
    }
    if d.psu_count < 2 {
        out.push(Finding::deny(
            "HOST-POWER",
            "spec.colocation.device.psuCount",
            crate::t!(
                "policy-hosting-device-power-supply-least",
                psu_count = &d.psu_count
            ),
            crate::t!("policy-hosting-add-second-redundant-power"),
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
        crate::t!(
            "policy-hosting-feed-feed-b-same",
            name = &a.name,
            name2 = &b.name,
            name3 = &name
        ),
        crate::t!("policy-hosting-connect-rack-s-b"),
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
            crate::t!("policy-hosting-web-hosting-request-must"),
            crate::t!("policy-hosting-fill-spec-web-hostnames"),
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
                    crate::t!("policy-hosting-use-valid-dns-name", own = &own),
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
        let message = match other {
            Some(o) => crate::t!(
                "policy-hosting-name-of-other-agency",
                raw = &raw,
                other = &o.spec.code,
                code = &code
            ),
            None => crate::t!(
                "policy-hosting-name-not-under-subdomain",
                raw = &raw,
                own = &own,
                code = &code
            ),
        };
        out.push(Finding::deny(
            "WEB-DC",
            &path,
            message,
            crate::t!("policy-hosting-use-name-below", own = &own),
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
        crate::t!(
            "policy-hosting-namespace-does-belong-agency",
            ns = &ns,
            code = &code
        ),
        crate::t!("policy-hosting-submit-request-namespace", code = &code),
    )
}

fn backup(dr: &DrDeclaration, ctx: &Context, out: &mut Vec<Finding>) {
    let stateless = dr.stateless_reason.as_deref().map(str::trim);
    match (dr.tier.as_deref(), stateless) {
        (None, None) | (None, Some("")) => out.push(Finding::deny(
            "APP-BACKUP",
            "spec.dr",
            crate::t!("policy-hosting-request-names-drp-tier"),
            crate::t!("policy-hosting-set-spec-dr-plan"),
        )),
        (Some(_), Some(_)) => out.push(Finding::deny(
            "APP-BACKUP",
            "spec.dr",
            crate::t!("policy-hosting-request-names-drp-tier-2"),
            crate::t!("policy-hosting-keep-exactly-one-spec"),
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
                    crate::t!("policy-hosting-plan-tier", name = &name, tier = &tier),
                    crate::t!("policy-hosting-choose-one", tiers = &tiers.join(", ")),
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
        let hint = crate::t!("policy-hosting-ask-platform-team-approval");
        let Some(name) = e.approval_ref.as_deref() else {
            out.push(Finding::deny(
                "NET-PORTS",
                &path,
                crate::t!("policy-hosting-egress-port-outside-standard", port = &port),
                hint,
            ));
            continue;
        };
        let problem = match ctx.approval_named(name) {
            None => Some("unknown"),
            Some(a) if a.spec.decision != Decision::Approved => Some("rejection"),
            Some(a) if a.spec.valid_until.as_ref().is_some_and(|v| v.0 <= now) => Some("expired"),
            Some(a) if !approval_targets(a, request, agency) => Some("other"),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            out.push(Finding::deny(
                "NET-PORTS",
                &format!("{path}.approvalRef"),
                crate::t!(
                    "policy-hosting-port-approval-unusable",
                    name = name,
                    port = &port,
                    problem = problem
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
