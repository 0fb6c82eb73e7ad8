use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_core::dr::{Action, Observations, StepResult, apply, next_step, steps};
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{Contact, RecordedIdentity, RunbookStep, StepKind, StepStage};

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
                o.results
                    .insert(s.id.clone(), StepResult::Succeeded("ok".into()));
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
    assert_eq!(r.html.matches("<rect class=\"bar ").count(), steps);
    assert_eq!(r.html.matches("class=\"bar s-succeeded\"").count(), steps);
    // One tier row per tier in each language section.
    assert_eq!(r.html.matches("<tr class=\"tier\">").count(), 2 * 2);
    assert!(r.html.contains("<td>tier-1-critical</td><td>15m</td>"));
    assert!(r.html.contains("tercapai") && r.html.contains(">met<"));
    assert!(
        r.html
            .contains("<section class=\"lang\" id=\"en\" lang=\"en\">")
    );
    assert!(
        r.html
            .contains("<section class=\"lang\" id=\"id\" lang=\"id\">")
    );
    assert!(
        !r.html.contains("SEC-INCIDENT"),
        "a drill is not an incident"
    );
    assert!(r.markdown.contains("| tier-1-critical | 15m |"));
    assert!(r.markdown.contains("# Laporan latihan pemulihan bencana"));
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
    assert!(r.markdown.contains("**SEC-INCIDENT (Perda 30(4))**"));
    assert_eq!(r.html_sha256, sha256_hex(r.html.as_bytes()));
    assert_eq!(r.html_sha256.len(), 64);
    assert!(r.markdown.contains(&r.html_sha256));
    assert!(r.html.contains("slow &lt;restore&gt;") && r.html.contains("pemulihan &lt;lambat&gt;"));
    // Deterministic: the same input gives the same bytes, so the digest can be re-checked.
    assert_eq!(render(&input(&p, &fo, &findings)), r);
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}

#[test]
fn unstarted_steps_still_get_a_bar() {
    let mut s = vec![StepStatus {
        id: "restore/<x>".into(),
        ..StepStatus::default()
    }];
    s.push(StepStatus {
        id: "b".into(),
        state: StepState::Failed,
        started_at: Some(Time(ts(0))),
        finished_at: Some(Time(ts(60))),
        ..StepStatus::default()
    });
    let svg = timeline_svg(&s);
    assert_eq!(svg.matches("<rect class=\"bar ").count(), 2);
    assert!(svg.contains("s-failed") && svg.contains("restore/&lt;x&gt;"));
}
