use super::*;
use crate::i18n::Text;
use pusdata_crds::v1alpha1::TierOutcome;

fn of<'a>(d: &'a [Desired], type_: &str) -> &'a Desired {
    d.iter().find(|c| c.type_ == type_).unwrap()
}

fn status(phase: FailoverPhase, step: Option<&str>) -> FailoverStatus {
    FailoverStatus {
        phase: Some(phase),
        current_step: step.map(str::to_string),
        ..FailoverStatus::default()
    }
}

#[test]
fn a_running_failover_is_in_progress_at_its_step_and_not_waiting() {
    let d = conditions(
        &status(FailoverPhase::Running, Some("restore/siak")),
        &Action::Observe { steps: Vec::new() },
    );
    let ready = of(&d, conditions::READY);
    assert_eq!((ready.status, ready.reason), (Some(false), "InProgress"));
    assert!(ready.message.contains("restore/siak") && ready.message.contains(" / "));
    let p = of(&d, condition::PROGRESSING);
    assert_eq!((p.status, p.reason), (Some(true), "StepsRunning"));
    let w = of(&d, condition::WAITING_FOR_PERSON);
    assert_eq!((w.status, w.reason), (Some(false), "NotWaiting"));
    assert!(
        d.iter().all(|c| c.type_ != condition::RTO_MET),
        "no tiers yet"
    );
}

#[test]
fn a_failed_step_and_a_stop_have_their_own_reasons_and_quote_why() {
    let why = Text::new("agent refused", "agen menolak");
    let d = conditions(
        &status(FailoverPhase::Failed, Some("fence")),
        &Action::Fail {
            step: Some("fence".into()),
            reason: why.clone(),
        },
    );
    let ready = of(&d, conditions::READY);
    assert_eq!((ready.status, ready.reason), (Some(false), "StepFailed"));
    assert_eq!(ready.message, why.to_string());
    assert_eq!(of(&d, condition::PROGRESSING).reason, "Finished");
    let d = conditions(
        &status(FailoverPhase::Failed, None),
        &Action::Fail {
            step: None,
            reason: why,
        },
    );
    assert_eq!(of(&d, conditions::READY).reason, "Stopped");
}

#[test]
fn a_sign_off_wait_names_its_roles_and_turns_overdue() {
    let wait = |overdue: Vec<String>, roles: Vec<String>| Action::Wait {
        steps: vec!["approve".into()],
        overdue,
        roles,
        reason: Text::new("sign-off", "persetujuan"),
    };
    let st = status(FailoverPhase::WaitingForPerson, Some("approve"));
    let d = conditions(&st, &wait(Vec::new(), vec!["dr-lead".into(), "cio".into()]));
    let w = of(&d, condition::WAITING_FOR_PERSON);
    assert_eq!((w.status, w.reason), (Some(true), "AwaitingSignOff"));
    assert!(w.message.ends_with("(dr-lead, cio)"), "{}", w.message);
    assert_eq!(of(&d, condition::PROGRESSING).status, Some(true));
    let d = conditions(&st, &wait(vec!["approve".into()], vec!["cio".into()]));
    assert_eq!(
        of(&d, condition::WAITING_FOR_PERSON).reason,
        "SignOffOverdue"
    );
    // Waiting without a role to sign is waiting for the peer, not for a person.
    let d = conditions(&st, &wait(Vec::new(), Vec::new()));
    let w = of(&d, condition::WAITING_FOR_PERSON);
    assert_eq!((w.status, w.reason), (Some(false), "AwaitingPeer"));
}

#[test]
fn a_succeeded_failover_reports_each_tiers_rto_against_its_target() {
    let mut st = status(FailoverPhase::Succeeded, None);
    st.tiers = vec![
        TierOutcome {
            tier: "tier-1".into(),
            rto_target_seconds: 3600,
            rto_achieved_seconds: Some(1200),
            met: Some(true),
            ..TierOutcome::default()
        },
        TierOutcome {
            tier: "tier-2".into(),
            rto_target_seconds: 600,
            rto_achieved_seconds: None,
            met: Some(false),
            ..TierOutcome::default()
        },
    ];
    let d = conditions(&st, &Action::Done);
    let ready = of(&d, conditions::READY);
    assert_eq!((ready.status, ready.reason), (Some(true), "Succeeded"));
    let rto = of(&d, condition::RTO_MET);
    assert_eq!((rto.status, rto.reason), (Some(false), "TargetMissed"));
    assert_eq!(rto.message, "tier-1: RTO 1200/3600 s, tier-2: RTO ?/600 s");
    st.tiers[1].met = Some(true);
    let d = conditions(&st, &Action::Done);
    assert_eq!(of(&d, condition::RTO_MET).reason, "WithinTargets");
}
