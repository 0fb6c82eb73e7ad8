#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every report, rendered by a real browser (headless Chromium) at desktop and phone widths:
//! the page is not blank and no table is wider than the window. A script appended to the
//! copy under test writes the measurements into the DOM, which `--dump-dom` prints.
//! Skipped, saying so, where Chromium cannot start.

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
const p=document.createElement('pre');p.id='probe';p.textContent='PROBE width='+w+' overflow='+over+' text='+document.body.innerText.trim().length;\
document.body.appendChild(p);});</script>";

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
        let file = dir.path().join(format!("{name}.html"));
        std::fs::write(&file, html.replace("</body>", &format!("{PROBE}</body>"))).unwrap();
        for (w, h) in [(1300, 1000), (390, 844)] {
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
                    return;
                }
                panic!("{name} at {w}px: the probe did not run");
            };
            let field = |k: &str| -> i64 {
                probe
                    .split_whitespace()
                    .find_map(|p| p.strip_prefix(k))
                    .and_then(|v| v.split('<').next()?.parse().ok())
                    .unwrap()
            };
            assert!(field("text=") > 500, "{name} at {w}px looks blank: {probe}");
            assert_eq!(
                field("overflow="),
                0,
                "{name} at {w}px: a table or chart is wider than the window"
            );
        }
    }
}
