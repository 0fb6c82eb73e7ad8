//! What the local drill's step workers record: catalogue messages, so a report read in
//! Indonesian carries no English sentence, even where a step failed.

use super::*;
use crate::report::Languages;
use crate::report::tests::{english_fragments, visible_text};
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::StepState;

/// The DRC agent does not answer (nothing listens on its port): the real workers' failures
/// go through the real step machine into the report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_drill_steps_notes_are_in_the_readers_language() {
    let plan = fixtures::plan();
    let fo = fixtures::drill();
    let steps = machine::steps(&plan, &fo.spec).unwrap();
    let by_name: BTreeMap<String, Service> = plan
        .spec
        .tiers
        .iter()
        .flat_map(|t| t.members.iter().map(move |m| (t, m)))
        .map(|(t, m)| {
            let s = Service {
                name: m.name.clone(),
                agency: m.agency.clone(),
                tier: t.name.clone(),
                source: PathBuf::new(),
                checksum: "ab".repeat(32),
                snapshot: Some("snap".into()),
                backed_up_at: None,
            };
            (m.name.clone(), s)
        })
        .collect();
    let pki = LocalPki::generate().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cfg = ClientConfig::new(
        format!("https://127.0.0.1:{port}"),
        &pki.client,
        Some("localhost"),
    );
    cfg.attempts = 1;
    let client = AgentClient::new(cfg).unwrap();
    let drc = tempfile::tempdir().unwrap();
    let mut status = FailoverStatus {
        epoch: Some(1),
        ..FailoverStatus::default()
    };
    let mut results = BTreeMap::new();
    let t0 = Timestamp::from_second(1_790_000_000).unwrap();
    for i in 0..200 {
        let obs = Observations {
            now: t0 + jiff::SignedDuration::from_secs(i * 60),
            peer_reachable: true,
            current_epoch: 1,
            results: results.clone(),
            approvals: BTreeMap::new(),
        };
        let action = machine::next_step(&steps, &status, &obs);
        machine::apply(&steps, &mut status, &action, obs.now);
        match &action {
            Action::Record(updates) => {
                for u in updates {
                    results.remove(&u.id);
                }
            }
            Action::Start { steps: ids, epoch } => {
                results.extend(run_steps(&steps, ids, *epoch, &client, &by_name, drc.path()).await)
            }
            Action::Retry { step, epoch, .. } => results.extend(
                run_steps(
                    &steps,
                    std::slice::from_ref(step),
                    *epoch,
                    &client,
                    &by_name,
                    drc.path(),
                )
                .await,
            ),
            Action::Done | Action::Fail { .. } => break,
            _ => {}
        }
    }
    let failed: Vec<_> = status
        .steps
        .iter()
        .filter(|s| s.state == StepState::Failed)
        .collect();
    assert!(!failed.is_empty(), "{status:#?}");
    let messages: Vec<String> = failed
        .iter()
        .map(|s| s.message.clone().unwrap_or_default())
        .collect();
    let mut fo = fo;
    fo.status = Some(status);
    let input = ReportInput {
        plan: &plan,
        failover: &fo,
        findings: &[],
        generated_at: t0,
    };
    let id = report::render_in(&input, Languages::One(Lang::Id)).html;
    let text = visible_text(&id);
    assert!(text.contains("panggilan ke agen DRC gagal"), "{text}");
    let found: Vec<String> = english_fragments()
        .into_iter()
        .filter(|f| text.contains(f.as_str()))
        .collect();
    assert!(
        found.is_empty(),
        "English in the Indonesian report: {found:?}"
    );
    let en = visible_text(&report::render_in(&input, Languages::One(Lang::En)).html);
    assert!(en.contains("the call to the DRC agent failed"), "{en}");
    // kubectl and earlier readers keep the English message.
    assert!(
        messages
            .iter()
            .all(|m| m.contains("the call to the DRC agent failed")),
        "{messages:?}"
    );
}
