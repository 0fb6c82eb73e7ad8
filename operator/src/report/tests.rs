use super::*;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_core::dr::{Action, Observations, StepResult, apply, next_step, steps};
use pusdata_core::finding::Finding;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{
    Contact, LocalizedText, RecordedIdentity, RunbookStep, StepKind, StepStage,
};
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, Failover};
use pusdata_crds::v1alpha1::{FailoverStatus, FailoverType, StepState};
use std::collections::BTreeMap;

fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    p.spec.title = "DRP <Kota> Bekasi & co".into();
    let mut app = p.spec.tiers[0].members[0].clone();
    app.name = "app".into();
    app.depends_on = vec![p.spec.tiers[0].members[0].name.clone()];
    p.spec.tiers[0].members.push(app);
    p.spec.tiers.push(fixtures::tier("tier-2", "1h", "8h"));
    p.spec.contacts = vec![Contact {
        role: "head".into(),
        name: "Kepala".into(),
        email: None,
        details_secret: None,
    }];
    p.spec.runbook = vec![RunbookStep {
        id: "declare".into(),
        title: "Declare".into(),
        kind: StepKind::Approval,
        owner_role: "head".into(),
        stage: StepStage::Before,
        applies_to: vec![],
        timeout: None,
    }];
    p
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + secs).unwrap()
}

/// Runs an execution to the end with the real step machine.
fn executed(kind: FailoverType) -> Failover {
    let p = plan();
    let mut fo = fixtures::drill();
    fo.spec.kind = kind;
    fo.spec.reason = "Banjir <script>alert(1)</script> di ruang server".into();
    let sp = steps(&p, &fo.spec).unwrap();
    let mut st = FailoverStatus::default();
    for i in 0..200 {
        let mut o = Observations {
            now: ts(i * 300),
            peer_reachable: true,
            current_epoch: st.epoch.unwrap_or(1),
            results: BTreeMap::new(),
            approvals: BTreeMap::new(),
        };
        for s in &st.steps {
            if s.state == StepState::Running {
                o.results.insert(
                    s.id.clone(),
                    StepResult::Succeeded(pusdata_core::i18n::Text::new("ok", "ok")),
                );
            }
            if s.state == StepState::Waiting {
                o.approvals.insert(
                    s.id.clone(),
                    RecordedIdentity {
                        username: "kepala<dinas>".into(),
                        uid: None,
                        groups: vec![],
                        at: Time(ts(i * 300)),
                    },
                );
            }
        }
        let a = next_step(&sp, &st, &o);
        apply(&sp, &mut st, &a, o.now);
        if a == Action::Done {
            break;
        }
    }
    assert_eq!(
        st.phase,
        Some(pusdata_crds::v1alpha1::FailoverPhase::Succeeded)
    );
    fo.status = Some(st);
    fo
}

fn input<'a>(p: &'a DisasterRecoveryPlan, fo: &'a Failover, f: &'a [Finding]) -> ReportInput<'a> {
    ReportInput {
        plan: p,
        failover: fo,
        findings: f,
        generated_at: ts(100_000),
    }
}

#[test]
fn html_has_one_bar_per_step_and_the_tier_rows() {
    let p = plan();
    let fo = executed(FailoverType::Drill);
    let r = render(&input(&p, &fo, &[]));
    let steps = fo.status.as_ref().unwrap().steps.len();
    // One timeline bar per step in each language half.
    assert_eq!(r.html.matches("data-step=").count(), 2 * steps);
    // Two objective rows (RPO, RTO) per tier in each language half.
    assert_eq!(r.html.matches("<tr class=\"tier\">").count(), 2 * 2 * 2);
    assert!(
        r.html
            .contains("<td>tier-1-critical</td><td>RPO</td><td>15 min 0 s</td>")
    );
    assert!(
        r.html
            .contains("<td>tier-1-critical</td><td>RPO</td><td>15 menit 0 detik</td>")
    );
    assert!(
        r.html
            .contains("<div class=\"lang\" id=\"en\" lang=\"en\">")
    );
    assert!(
        r.html
            .contains("<div class=\"lang\" id=\"id\" lang=\"id\">")
    );
    assert!(
        !r.html.contains("SEC-INCIDENT"),
        "a drill is not an incident"
    );
    assert!(r.markdown.contains("# Laporan latihan pemulihan bencana"));
    // The critical path is outlined and named.
    assert!(r.html.contains("crit\""));
    assert!(r.html.contains("Jalur kritis"));
}

#[test]
fn one_language_renders_only_that_language() {
    let p = plan();
    let fo = executed(FailoverType::Drill);
    let id = render_in(&input(&p, &fo, &[]), Languages::One(Lang::Id));
    assert!(id.html.contains("<html lang=\"id\">"));
    assert!(!id.html.contains("DR drill report"));
    let en = render_in(&input(&p, &fo, &[]), Languages::One(Lang::En));
    assert!(en.html.contains("DR drill report") && !en.html.contains("Laporan latihan"));
}

/// Every fixed fragment (four or more letters, between placeholders) of the English
/// catalogue's messages.
pub(crate) fn english_fragments() -> Vec<String> {
    let mut out = Vec::new();
    for (_, en, _) in pusdata_core::i18n::AREAS {
        for line in en.lines() {
            let Some((_, value)) = line.split_once(" = ") else {
                continue;
            };
            let mut rest = value;
            while !rest.is_empty() {
                let (frag, tail) = match rest.find('{') {
                    Some(i) => (
                        &rest[..i],
                        rest[i..].find('}').map_or("", |j| &rest[i + j + 1..]),
                    ),
                    None => (rest, ""),
                };
                let frag = frag.trim().trim_matches(|c: char| !c.is_alphanumeric());
                if frag.split_whitespace().count() >= 2 && frag.len() >= 8 {
                    out.push(frag.to_string());
                }
                rest = tail;
            }
        }
    }
    out
}

/// Text content of HTML, entities of user text left as they are.
pub(crate) fn visible_text(html: &str) -> String {
    let body = html.split("<body>").nth(1).unwrap_or(html);
    let mut out = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[test]
fn a_report_in_indonesian_has_no_english_sentence() {
    let mut p = plan();
    // Proper nouns and IDs stay as they are; texts people write come in both languages.
    p.spec.runbook[0].title =
        LocalizedText::both("Declare the disaster", "Nyatakan keadaan bencana");
    p.spec.title = "DRP Kota Bekasi".into();
    for kind in [
        FailoverType::Drill,
        FailoverType::Failover,
        FailoverType::Failback,
    ] {
        let mut fo = executed(kind);
        fo.spec.reason = LocalizedText::both("Flood in the server room", "Banjir di ruang server");
        let html = render_in(&input(&p, &fo, &[]), Languages::One(Lang::Id)).html;
        let text = visible_text(&html);
        let fragments = english_fragments();
        assert!(
            fragments.len() > 100,
            "the English catalogue is read: {}",
            fragments.len()
        );
        let found: Vec<&String> = fragments
            .iter()
            .filter(|f| text.contains(f.as_str()))
            .collect();
        assert!(
            found.is_empty(),
            "{kind:?}: English in the Indonesian report: {found:?}"
        );
        for english in [
            "Declare the disaster",
            "Flood in the server room",
            " ms<",
            "Restore ",
            "Verify ",
        ] {
            assert!(!html.contains(english), "{kind:?}: {english}");
        }
        // And the check would catch one: the English report does contain catalogue text.
        let en = visible_text(&render_in(&input(&p, &fo, &[]), Languages::One(Lang::En)).html);
        assert!(fragments.iter().any(|f| en.contains(f.as_str())));
    }
}

#[test]
fn failover_shows_epoch_data_loss_and_signoffs() {
    let p = plan();
    let fo = executed(FailoverType::Failover);
    let r = render_in(&input(&p, &fo, &[]), Languages::One(Lang::Id));
    assert!(r.html.contains("Pemagaran dan kehilangan data"));
    assert!(r.html.contains("memegang epoch pemagaran"));
    assert!(
        r.html.contains("tidak ada data yang hilang"),
        "final sync succeeded"
    );
    assert!(r.html.contains("<tr class=\"signoff\">"));
    assert!(r.html.contains("kepala&lt;dinas&gt;"));
}

#[test]
fn user_text_is_escaped() {
    let p = plan();
    let fo = executed(FailoverType::Failover);
    let r = render(&input(&p, &fo, &[]));
    assert!(!r.html.contains("<script>"));
    assert!(
        r.html
            .contains("Banjir &lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(r.html.contains("DRP &lt;Kota&gt; Bekasi &amp; co"));
    assert!(
        r.html.contains("kepala&lt;dinas&gt;"),
        "who approved, escaped"
    );
    assert!(!r.markdown.contains("<script>"));
    assert!(r.markdown.contains("kepala&lt;dinas&gt;"));
}

#[test]
fn failover_cites_sec_incident_and_footer_carries_the_digest() {
    let p = plan();
    let fo = executed(FailoverType::Failover);
    let finding = pusdata_core::finding::Finding::warn(
        "DR-PLAN",
        "spec.tiers[0].rto",
        pusdata_core::i18n::Text::new("slow <restore>", "pemulihan <lambat>"),
        pusdata_core::i18n::Text::new("hint", "saran"),
    );
    let findings = [finding];
    let r = render(&input(&p, &fo, &findings));
    assert!(r.html.contains("SEC-INCIDENT (Perda 30(4))"));
    assert_eq!(r.html_sha256, sha256_hex(r.html.as_bytes()));
    assert!(r.markdown.contains(&r.html_sha256));
    assert!(r.html.contains("slow &lt;restore&gt;") && r.html.contains("pemulihan &lt;lambat&gt;"));
    assert_eq!(render(&input(&p, &fo, &findings)), r);
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn unstarted_steps_still_get_a_bar_and_short_spans_get_milliseconds() {
    let p = plan();
    let mut fo = executed(FailoverType::Drill);
    let st = fo.status.as_mut().unwrap();
    let base = ts(0);
    for (i, s) in st.steps.iter_mut().enumerate() {
        let start = base + jiff::SignedDuration::from_millis(40 * i as i64);
        s.started_at = Some(Time(start));
        s.finished_at = Some(Time(start + jiff::SignedDuration::from_millis(35)));
    }
    st.steps[0].started_at = None;
    st.steps[0].finished_at = None;
    st.steps[0].state = StepState::Pending;
    let r = render_in(&input(&p, &fo, &[]), Languages::One(Lang::En));
    assert_eq!(r.html.matches("data-step=").count(), st_len(&fo));
    assert!(
        r.html.contains("+100 ms"),
        "millisecond ticks on a sub-second drill"
    );
    assert!(r.html.contains("35 ms"));
}

fn st_len(fo: &Failover) -> usize {
    fo.status.as_ref().unwrap().steps.len()
}

/// A compliance report with something in every part: findings (a cloud service outside
/// Indonesia, a drill that missed its RPO), an expired exception, and every rule.
fn compliance_report() -> pusdata_core::compliance::Report {
    use pusdata_core::compliance::{Subject, assemble};
    use pusdata_crds::Object;
    let mut policy = fixtures::residency_policy();
    let mut old = fixtures::exception("old", "CLOUD-NKRI", "2026-01-01T00:00:00Z");
    old.reason = "migrasi sedang berjalan".into();
    policy.spec.exceptions = vec![old];
    let mut drill = executed(FailoverType::Drill);
    if let Some(st) = drill.status.as_mut() {
        st.tiers = vec![pusdata_crds::v1alpha1::TierOutcome {
            tier: "tier-1-critical".into(),
            rpo_target_seconds: 900,
            rpo_achieved_seconds: Some(1800),
            rto_target_seconds: 14_400,
            rto_achieved_seconds: Some(4),
            met: Some(false),
        }];
    }
    drill.spec.plan = fixtures::plan().metadata.name.unwrap_or_default();
    let subjects: Vec<Subject> = [
        Object::ResidencyPolicy(policy),
        Object::Site(fixtures::primary_site()),
        Object::Site(fixtures::drc_site("Kota Bekasi", fixtures::BANDUNG)),
        Object::ExternalCloudService(fixtures::external_cloud("disdik", "aws", "us-east-1")),
        Object::DisasterRecoveryPlan(fixtures::plan()),
        Object::Failover(drill),
    ]
    .into_iter()
    .map(|o| Subject::new("t.yaml", o))
    .collect();
    assemble(&subjects, ts(100_000))
}

#[test]
fn a_compliance_report_in_indonesian_has_no_english_sentence() {
    let r = compliance_report();
    assert!(
        r.summary.with_findings > 0 && r.summary.expired_exceptions > 0,
        "the fixture has findings and an expired exception: {:?}",
        r.summary
    );
    let fragments = english_fragments();
    let html = compliance::render_html(&r, Languages::One(Lang::Id));
    let md = compliance::render_markdown(&r, Languages::One(Lang::Id));
    // Commands and IDs (`pusdata plan check`, <code>) are not language.
    let words = |text: &str| -> String {
        let text = text.replace("<code>", "`").replace("</code>", "`");
        text.split('`').step_by(2).collect::<Vec<_>>().join(" ")
    };
    for (what, text) in [
        ("html", visible_text(&words(&html))),
        ("markdown", words(&md)),
    ] {
        let found: Vec<&String> = fragments
            .iter()
            .filter(|f| text.contains(f.as_str()))
            .collect();
        assert!(
            found.is_empty(),
            "{what}: English in the Indonesian compliance report: {found:?}"
        );
        for english in [
            "Findings per rule",
            " / ",
            "Generated by",
            "not measured",
            "DENY",
            "WARN",
            "Succeeded",
            "EXPIRED",
        ] {
            assert!(!text.contains(english), "{what}: {english:?} in {text}");
        }
    }
    assert!(html.contains(style::CSS), "the shared stylesheet");
    assert!(html.contains("name=\"viewport\""), "the phone layout");
    // And the check would catch one: the English report does contain catalogue text.
    let en = visible_text(&compliance::render_html(&r, Languages::One(Lang::En)));
    assert!(fragments.iter().any(|f| en.contains(f.as_str())));
}

/// A short drill saved to YAML (the `failover.yaml` a local drill writes, or the stored
/// object) and read back still has its sub-second timeline.
#[test]
fn a_saved_short_drill_keeps_its_sub_second_timeline() {
    let p = plan();
    let mut fo = executed(FailoverType::Drill);
    let st = fo.status.as_mut().unwrap();
    let base = ts(0);
    st.started_at = Some(Time(base));
    for (i, s) in st.steps.iter_mut().enumerate() {
        let start = base + jiff::SignedDuration::from_millis(40 * i as i64);
        s.started_at = Some(Time(start));
        s.finished_at = Some(Time(start + jiff::SignedDuration::from_millis(35)));
    }
    st.finished_at = st.steps.last().and_then(|s| s.finished_at.clone());
    let yaml = serde_saphyr::to_string(&fo).unwrap();
    let saved: Failover = serde_saphyr::from_str(&yaml).unwrap();
    assert_eq!(saved.status, fo.status, "the times survive saving: {yaml}");
    let html = render_in(&input(&p, &saved, &[]), Languages::One(Lang::En)).html;
    assert!(html.contains("35 ms"), "step durations in milliseconds");
    assert!(
        html.contains(">+100 ms<") || html.contains(">+50 ms<") || html.contains(">+20 ms<"),
        "millisecond ticks"
    );
}

/// A step outcome Pusdata words itself (a lost worker, a skipped final sync) is shown in the
/// reader's language: the core records it from the catalogue in both.
#[test]
fn a_failed_steps_note_is_in_the_readers_language() {
    let p = plan();
    let fo = executed(FailoverType::Drill);
    let sp = steps(&p, &fo.spec).unwrap();
    let mut st = FailoverStatus::default();
    let mut lost = None;
    for i in 0..50 {
        let mut o = Observations {
            now: ts(i * 300),
            peer_reachable: true,
            current_epoch: st.epoch.unwrap_or(1),
            results: BTreeMap::new(),
            approvals: BTreeMap::new(),
        };
        for s in &st.steps {
            if s.state == StepState::Running {
                o.results.insert(s.id.clone(), StepResult::Lost);
                lost.get_or_insert(s.id.clone());
            }
            if s.state == StepState::Waiting {
                o.approvals.insert(
                    s.id.clone(),
                    RecordedIdentity {
                        username: "kepala".into(),
                        uid: None,
                        groups: vec![],
                        at: Time(ts(i * 300)),
                    },
                );
            }
        }
        let a = next_step(&sp, &st, &o);
        apply(&sp, &mut st, &a, o.now);
        if matches!(a, Action::Done | Action::Fail { .. }) {
            break;
        }
        if st.steps.iter().any(|s| s.state == StepState::Failed) {
            break;
        }
    }
    let failed = st
        .steps
        .iter()
        .find(|s| s.state == StepState::Failed)
        .expect("a lost worker fails its step");
    assert_eq!(
        failed.message.as_deref(),
        Some("worker lost without a result")
    );
    let mut fo = fo;
    fo.status = Some(st);
    let id = render_in(&input(&p, &fo, &[]), Languages::One(Lang::Id)).html;
    assert!(id.contains("pekerja hilang tanpa hasil"), "{lost:?}");
    assert!(!id.contains("worker lost"));
    let en = render_in(&input(&p, &fo, &[]), Languages::One(Lang::En)).html;
    assert!(en.contains("worker lost without a result"));
}
