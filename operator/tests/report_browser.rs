#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every report, rendered by a real browser (headless Chromium) at desktop and phone widths:
//! the page is not blank, no table or chart is wider than the window, and no two axis tick
//! labels overlap. A script appended to the copy under test writes the measurements into
//! the DOM, which `--dump-dom` prints. A second test feeds the same check pages that do
//! overflow, so a check that measures nothing cannot pass. Skipped, saying so, where
//! Chromium cannot start.
//!
//! `PUSDATA_REPORT_SHOTS=DIR` also writes a screenshot of every page at both widths there.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata::report::{Languages, ReportInput, history, render_in};
use pusdata_core::i18n::Lang;
use pusdata_crds::v1alpha1::{
    DisasterRecoveryPlan, Failover, FailoverPhase, FailoverSpec, FailoverType, LocalizedText,
    RecordedIdentity, Scope, StepState,
};
use pusdata_crds::{Object, yaml_documents};
use std::path::Path;
use std::process::Command;

const PROBE: &str = "<script>window.addEventListener('load',()=>{const w=document.documentElement.clientWidth;\
const over=[...document.querySelectorAll('table,svg')].filter(t=>t.getBoundingClientRect().right>w+1).length;\
let ticks=0;document.querySelectorAll('svg').forEach(s=>{const r=[...s.querySelectorAll('text.tick')]\
.map(t=>t.getBoundingClientRect()).filter(b=>b.width>0).sort((a,b)=>a.left-b.left);\
for(let i=1;i<r.length;i++){if(r[i].left<r[i-1].right-0.5)ticks++;}});\
const p=document.createElement('pre');p.id='probe';p.textContent='PROBE width='+w+' overflow='+over+' ticks='+ticks+' text='+document.body.innerText.trim().length;\
document.body.appendChild(p);});</script>";

/// What the probe measured on one page at one width.
#[derive(Debug)]
struct Probe {
    /// Tables and charts wider than the window.
    overflow: i64,
    /// Pairs of axis tick labels that overlap.
    ticks: i64,
    /// Characters of text on the page.
    text: i64,
}

/// Renders `html` at `width` px in headless Chromium and returns the probe's measurements;
/// `None` when Chromium started but rendered nothing (said on stderr).
fn measure(browser: &str, dir: &Path, name: &str, html: &str, (w, h): (u32, u32)) -> Option<Probe> {
    let file = dir.join(format!("{name}.html"));
    std::fs::write(&file, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--window-size={w},{h}"))
        .arg("--virtual-time-budget=2000")
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    let Some(probe) = dom
        .rsplit("PROBE width=")
        .next()
        .filter(|_| dom.contains("<pre id=\"probe\">"))
        .map(|p| format!("width={p}"))
    else {
        if dom.trim().is_empty() {
            eprintln!(
                "SKIPPED: Chromium started but rendered nothing: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        panic!("{name} at {w}px: the probe did not run");
    };
    let field = |k: &str| -> i64 {
        probe
            .split_whitespace()
            .find_map(|p| p.strip_prefix(k))
            .and_then(|v| v.split('<').next()?.parse().ok())
            .unwrap_or_else(|| panic!("{name} at {w}px: no {k} in {probe}"))
    };
    if let Some(shots) = std::env::var_os("PUSDATA_REPORT_SHOTS") {
        let shot = Path::new(&shots).join(format!("{name}-{w}.png"));
        let plain = dir.join(format!("{name}-plain.html"));
        std::fs::write(&plain, html).unwrap();
        let ok = Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .arg(format!("--window-size={w},{h}"))
            .arg(format!("--screenshot={}", shot.display()))
            .arg(format!("file://{}", plain.display()))
            .output()
            .unwrap();
        assert!(ok.status.success(), "screenshot {}", shot.display());
    }
    Some(Probe {
        overflow: field("overflow="),
        ticks: field("ticks="),
        text: field("text="),
    })
}

const WIDTHS: [(u32, u32); 2] = [(1300, 1000), (390, 844)];

/// A compliance report of the city: the Bekasi plan, its sites and policy, an external
/// cloud service outside Indonesia, an expired exception, and the plan's last drill.
fn compliance_report(
    plan: &DisasterRecoveryPlan,
    drill: &Failover,
) -> pusdata_core::compliance::Report {
    use pusdata_core::compliance::{Subject, assemble};
    use pusdata_crds::fixtures;
    let mut policy = fixtures::residency_policy();
    let mut old = fixtures::exception("lms-migrasi", "CLOUD-NKRI", "2026-06-30T00:00:00Z");
    old.reason = "migrasi LMS ke cloud kota".into();
    policy.spec.exceptions = vec![old];
    let subjects: Vec<Subject> = [
        Object::ResidencyPolicy(policy),
        Object::Site(fixtures::primary_site()),
        Object::Site(fixtures::drc_site("Kota Bekasi", fixtures::BANDUNG)),
        Object::ExternalCloudService(fixtures::external_cloud("disdik", "aws", "us-east-1")),
        Object::DisasterRecoveryPlan(plan.clone()),
        Object::Failover(drill.clone()),
    ]
    .into_iter()
    .map(|o| Subject::new("kota-bekasi.yaml", o))
    .collect();
    assemble(&subjects, "2026-12-01T00:00:00Z".parse().unwrap())
}

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn bekasi() -> DisasterRecoveryPlan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../dr-plans/bekasi.yaml");
    let text = std::fs::read_to_string(root).unwrap();
    yaml_documents(&text)
        .unwrap()
        .into_iter()
        .find_map(|d| match Object::from_value(d).unwrap() {
            Object::DisasterRecoveryPlan(p) => Some(p),
            _ => None,
        })
        .unwrap()
}

/// An execution of the plan with every step finished: restores in parallel per tier, 0.2 s
/// to several seconds each.
fn executed(plan: &DisasterRecoveryPlan, kind: FailoverType, start: Timestamp) -> Failover {
    let spec = FailoverSpec {
        plan: "bekasi".into(),
        kind,
        scope: Scope::default(),
        reason: LocalizedText::both("Quarterly parallel drill", "Latihan paralel triwulanan"),
        accept_data_loss: false,
        requested_by: Some(RecordedIdentity {
            username: "aptika.koordinator".into(),
            uid: None,
            groups: vec![],
            at: Time(start),
        }),
    };
    let steps = pusdata_core::dr::steps(plan, &spec).unwrap();
    let mut status = pusdata_crds::v1alpha1::FailoverStatus {
        phase: Some(FailoverPhase::Succeeded),
        epoch: Some(7),
        started_at: Some(Time(start)),
        steps: steps.initial_status(),
        ..Default::default()
    };
    let mut ends: std::collections::BTreeMap<String, Timestamp> = Default::default();
    for (i, p) in steps.steps.iter().enumerate() {
        let begin = p
            .needs
            .iter()
            .filter_map(|n| ends.get(n))
            .max()
            .copied()
            .unwrap_or(start);
        let end = begin + jiff::SignedDuration::from_millis(200 + 150 * (i as i64 % 7));
        ends.insert(p.id.clone(), end);
        let s = &mut status.steps[i];
        s.state = StepState::Succeeded;
        s.started_at = Some(Time(begin));
        s.finished_at = Some(Time(end));
        s.attempts = Some(1);
        if p.id == "sign-off" || p.id == "declare-disaster" {
            s.approved_by = Some(RecordedIdentity {
                username: "kepala.aptika".into(),
                uid: None,
                groups: vec![],
                at: Time(end),
            });
        }
    }
    status.finished_at = ends.values().max().map(|t| Time(*t));
    status.tiers = pusdata_core::dr::tier_outcomes(
        plan,
        &status,
        &[(
            "tier-1-critical".to_string(),
            std::time::Duration::from_secs(420),
        )]
        .into(),
    );
    let mut fo = Failover::new(&format!("drill-{}", start.as_second()), spec);
    fo.status = Some(status);
    fo
}

#[test]
fn every_report_renders_in_chromium_without_overflow() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no Chromium could start here (apt-get install chromium); the reports were not looked at"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = bekasi();
    let t0: Timestamp = "2026-10-15T01:00:00Z".parse().unwrap();
    let drill = executed(&plan, FailoverType::Drill, t0);
    let failover = executed(
        &plan,
        FailoverType::Failover,
        "2026-11-05T22:00:00Z".parse().unwrap(),
    );
    let older = executed(
        &plan,
        FailoverType::Drill,
        "2026-01-15T02:00:00Z".parse().unwrap(),
    );
    let mut pages: Vec<(String, String)> = Vec::new();
    for lang in [Lang::En, Lang::Id] {
        for fo in [&drill, &failover] {
            let input = ReportInput {
                plan: &plan,
                failover: fo,
                findings: &[],
                generated_at: t0,
            };
            pages.push((
                format!("{:?}-{lang:?}", fo.spec.kind),
                render_in(&input, Languages::One(lang)).html,
            ));
        }
        pages.push((
            format!("compliance-{lang:?}"),
            pusdata::report::compliance::render_html(
                &compliance_report(&plan, &drill),
                Languages::One(lang),
            ),
        ));
        pages.push((
            format!("history-{lang:?}"),
            history::render_html(
                &plan,
                &[older.clone(), drill.clone()],
                "2026-01-01T00:00:00Z".parse().unwrap(),
                "2026-12-01T00:00:00Z".parse().unwrap(),
                Languages::One(lang),
            ),
        ));
    }
    for (name, html) in pages {
        for size in WIDTHS {
            let Some(p) = measure(browser, dir.path(), &name, &html, size) else {
                return;
            };
            let w = size.0;
            assert!(p.text > 500, "{name} at {w}px looks blank: {p:?}");
            assert_eq!(
                p.overflow, 0,
                "{name} at {w}px: a table or chart is wider than the window"
            );
            assert_eq!(p.ticks, 0, "{name} at {w}px: axis labels overlap");
        }
    }
}

/// The same check on pages that are broken on purpose: a report whose charts lost the
/// stylesheet rule that fits them to the window, one with a table too wide for a phone, and
/// one with two axis labels on top of each other. Each must be caught.
#[test]
fn the_browser_check_catches_a_too_wide_table_or_chart_and_overlapping_labels() {
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED: no Chromium could start here (apt-get install chromium); the overflow check was not proven"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plan = bekasi();
    let drill = executed(
        &plan,
        FailoverType::Drill,
        "2026-10-15T01:00:00Z".parse().unwrap(),
    );
    let compliance = pusdata::report::compliance::render_html(
        &compliance_report(&plan, &drill),
        Languages::One(Lang::Id),
    );
    let fit = "svg{max-width:100%;height:auto;display:block}";
    assert!(
        compliance.contains(fit),
        "the stylesheet fits charts to the window"
    );
    let wide_chart = compliance.replace(fit, "");
    let report = render_in(
        &ReportInput {
            plan: &plan,
            failover: &drill,
            findings: &[],
            generated_at: "2026-10-15T02:00:00Z".parse().unwrap(),
        },
        Languages::One(Lang::Id),
    )
    .html;
    let wide_table = report.replace(
        "</body>",
        "<table class=\"steps\"><tr><td style=\"white-space:nowrap\">restore/siak-db/pgdata restore/siak-db/pgdata restore/siak-db/pgdata restore/siak-db/pgdata</td></tr></table></body>",
    );
    let overlapping = report.replace(
        "</body>",
        "<svg width=\"300\" height=\"20\"><text class=\"tick\" x=\"40\" y=\"12\" font-size=\"10\" text-anchor=\"middle\">10 menit</text><text class=\"tick\" x=\"52\" y=\"12\" font-size=\"10\" text-anchor=\"middle\">1 jam</text></svg></body>",
    );
    let phone = WIDTHS[1];
    let Some(p) = measure(browser, dir.path(), "wide-chart", &wide_chart, phone) else {
        return;
    };
    assert!(
        p.overflow >= 1,
        "a chart wider than a phone is caught: {p:?}"
    );
    let p = measure(browser, dir.path(), "wide-table", &wide_table, phone).unwrap();
    assert!(
        p.overflow >= 1,
        "a table wider than a phone is caught: {p:?}"
    );
    let p = measure(browser, dir.path(), "overlap", &overlapping, WIDTHS[0]).unwrap();
    assert!(p.ticks >= 1, "overlapping tick labels are caught: {p:?}");
    assert_eq!(p.overflow, 0, "{p:?}");
    // The untouched pages pass the same check.
    let p = measure(browser, dir.path(), "fits", &compliance, phone).unwrap();
    assert_eq!((p.overflow, p.ticks), (0, 0), "{p:?}");
}
