use super::*;
use crate::conditions::READY;
use pusdata_crds::fixtures::{self, member};
use pusdata_crds::v1alpha1::{RunbookStep, StepKind, StepStage};

/// db ← app, and an approval before a failover.
fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    p.spec.tiers[0].members = vec![member("db", &[]), member("app", &["db"])];
    p.spec.runbook = vec![RunbookStep {
        id: "declare".into(),
        title: "Declare the disaster".into(),
        kind: StepKind::Approval,
        owner_role: "head".into(),
        stage: StepStage::Before,
        applies_to: vec![FailoverType::Failover],
        timeout: Some("30m".into()),
    }];
    p
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + secs).unwrap()
}

/// What one pass reads, owned.
struct World {
    plan: DisasterRecoveryPlan,
    spec: FailoverSpec,
    status: FailoverStatus,
    epochs: Epochs,
    approvals: BTreeMap<String, RecordedIdentity>,
    now: i64,
}

impl World {
    fn new(kind: FailoverType) -> World {
        let mut spec = fixtures::drill().spec;
        spec.kind = kind;
        World {
            plan: plan(),
            spec,
            status: FailoverStatus::default(),
            epochs: Epochs {
                leaving: Some(4),
                taking_over: Some(4),
                recorded: [None, None],
            },
            approvals: BTreeMap::new(),
            now: 0,
        }
    }

    fn decide(&self) -> Decision {
        decide(&Observed {
            plan: &self.plan,
            name: "fo",
            spec: &self.spec,
            generation: Some(1),
            status: &self.status,
            sources: &[],
            backups: &[],
            epochs: self.epochs,
            approvals: &self.approvals,
            now: ts(self.now),
        })
        .unwrap()
    }

    /// One pass whose work ends with `result` for every step it runs; the status is written.
    fn pass(&mut self, result: &dyn Fn(&StepJob) -> StepResult) -> Decision {
        self.now += 1;
        let mut d = self.decide();
        if let Work::Run { steps, .. } = &d.work {
            let results: Vec<_> = steps
                .iter()
                .map(|j| (j.step.id.clone(), result(j)))
                .collect();
            d.record(&results, ts(self.now));
        }
        self.status = d.status.clone();
        d
    }

    fn state(&self, id: &str) -> StepState {
        self.status
            .steps
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.state)
            .unwrap_or_else(|| panic!("no step {id}"))
    }

    fn sign(&mut self, step: &str) {
        self.approvals.insert(
            step.into(),
            RecordedIdentity {
                username: "kadis".into(),
                uid: None,
                groups: vec![],
                at: Time(ts(0)),
            },
        );
    }
}

fn ok(_: &StepJob) -> StepResult {
    StepResult::Succeeded(Text::new("done", "selesai"))
}

fn run_ids(d: &Decision) -> Vec<String> {
    match &d.work {
        Work::Run { steps, .. } => steps.iter().map(|j| j.step.id.clone()).collect(),
        _ => Vec::new(),
    }
}

fn condition<'a>(
    st: &'a FailoverStatus,
    type_: &str,
) -> &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    st.conditions.iter().find(|c| c.type_ == type_).unwrap()
}

#[test]
fn the_first_pass_of_a_drill_records_its_first_step_as_running_and_does_no_work() {
    let w = World::new(FailoverType::Drill);
    let d = w.decide();
    assert_eq!(d.work, Work::Nothing);
    assert_eq!(d.started, ["restore/db"]);
    assert_eq!(d.requeue, Some(AGAIN));
    let db = d
        .status
        .steps
        .iter()
        .find(|s| s.id == "restore/db")
        .unwrap();
    assert_eq!((db.state, db.attempts), (StepState::Running, Some(1)));
    assert_eq!(d.status.phase, Some(FailoverPhase::Running));
    assert_eq!(d.status.observed_generation, Some(1));
    assert_eq!(condition(&d.status, READY).reason, "InProgress");
    // Pure: asked again over the same reads, the same decision.
    assert_eq!(w.decide(), d);
}

#[test]
fn a_step_recorded_as_running_is_done_by_the_next_pass_and_its_outcome_recorded() {
    let mut w = World::new(FailoverType::Drill);
    w.pass(&ok);
    let d = w.decide();
    assert_eq!(run_ids(&d), ["restore/db"]);
    assert!(d.started.is_empty());
    assert_eq!(d.requeue, Some(WHILE_RUNNING));
    match &d.work {
        // A drill never fences: its work carries the current epoch.
        Work::Run {
            steps,
            epoch,
            scope,
        } => {
            assert_eq!((steps[0].attempt, *epoch), (1, 4));
            let names: Vec<_> = scope.iter().map(|m| m.name.as_str()).collect();
            assert_eq!(names, ["db", "app"]);
        }
        other => panic!("{other:?}"),
    }
    // Deciding records nothing: only the work's outcome does.
    assert_eq!(d.status.steps, w.status.steps);
    let mut d = d;
    let finished = d.record(
        &[(
            "restore/db".into(),
            StepResult::Restored {
                note: Text::new("3 files", "3 berkas"),
                checksum: "abc".into(),
            },
        )],
        ts(9),
    );
    assert_eq!(finished, ["restore/db"]);
    let db = d
        .status
        .steps
        .iter()
        .find(|s| s.id == "restore/db")
        .unwrap();
    assert_eq!(db.state, StepState::Succeeded);
    assert_eq!(db.checksum.as_deref(), Some("abc"));
    assert_eq!(db.finished_at, Some(Time(ts(9))));
    assert_eq!(
        db.note.as_ref().map(|n| n.id().to_string()),
        Some("3 berkas".into())
    );
    // A step still running (a final sync waiting for its Backups) changes nothing.
    let mut again = w.decide();
    assert!(
        again
            .record(&[("restore/db".into(), StepResult::Running)], ts(9))
            .is_empty()
    );
    assert_eq!(again.status.steps, w.status.steps);
}

#[test]
fn a_drill_takes_two_passes_per_step_and_one_to_finish() {
    let mut w = World::new(FailoverType::Drill);
    let mut passes = Vec::new();
    while !finished(w.status.phase) {
        passes.push(w.pass(&ok));
        assert!(passes.len() < 50, "{:#?}", w.status);
    }
    let steps = w.status.steps.len();
    assert_eq!(passes.len(), 2 * steps + 1);
    // Every step was started once and done once, in the order of its needs.
    let ran: Vec<String> = passes.iter().flat_map(run_ids).collect();
    assert_eq!(
        ran,
        [
            "restore/db",
            "verify/db",
            "restore/app",
            "verify/app",
            "measure-rto",
            "teardown"
        ]
    );
    let started: Vec<String> = passes.iter().flat_map(|d| d.started.clone()).collect();
    assert_eq!(started, ran);
    let last = passes.last().unwrap();
    assert_eq!(last.work, Work::Finish { succeeded: true });
    assert_eq!(last.requeue, None);
    assert_eq!(w.status.phase, Some(FailoverPhase::Succeeded));
    assert!(!w.status.tiers.is_empty(), "RPO/RTO per tier at the end");
    assert_eq!(condition(&w.status, READY).reason, "Succeeded");
    // Finished: nothing more, ever.
    let d = w.decide();
    assert_eq!((d.work, d.requeue), (Work::Nothing, None));
    assert_eq!(d.status, w.status);
}

#[test]
fn a_pass_that_dies_before_its_write_is_repeated_with_the_same_work() {
    // Every other pass dies between its work and its write: the next pass reads the old
    // status and decides the same work again (same attempt, same epoch: the same request ids).
    let mut w = World::new(FailoverType::Failover);
    w.sign("declare");
    let mut done: BTreeMap<String, Vec<(u32, u64)>> = BTreeMap::new();
    let mut n = 0;
    while !finished(w.status.phase) {
        n += 1;
        assert!(n < 200, "{:#?}", w.status);
        w.now += 1;
        let mut d = w.decide();
        let mut results = Vec::new();
        if let Work::Run { steps, epoch, .. } = &d.work {
            for j in steps {
                done.entry(j.step.id.clone())
                    .or_default()
                    .push((j.attempt, *epoch));
                results.push((j.step.id.clone(), ok(j)));
            }
            d.record(&results, ts(w.now));
        }
        // The fence promoted the DRC at the epoch it stamped; the agents say so from then on.
        if results.iter().any(|(id, _)| id == "fence")
            && let Work::Run { epoch, .. } = d.work
        {
            w.epochs.taking_over = Some(epoch);
            w.epochs.leaving = Some(epoch);
        }
        if n % 2 == 1 {
            continue; // died before the write
        }
        w.status = d.status;
    }
    assert_eq!(
        w.status.phase,
        Some(FailoverPhase::Succeeded),
        "{:#?}",
        w.status
    );
    // The epoch went up once, and every try of a step was the same request.
    assert_eq!(w.status.epoch, Some(5));
    for (id, tries) in &done {
        assert!(tries.iter().all(|t| *t == tries[0]), "{id}: {tries:?}");
        assert_eq!(tries[0].0, 1, "{id}");
    }
    assert_eq!(done["fence"][0].1, 5);
    assert!(w.status.steps.iter().all(|s| s.attempts == Some(1)));
}

#[test]
fn a_failover_waits_for_its_sign_off_then_records_it_and_starts_the_fence_in_one_pass() {
    let mut w = World::new(FailoverType::Failover);
    let d = w.pass(&ok);
    assert_eq!(d.work, Work::Nothing);
    assert_eq!(d.status.phase, Some(FailoverPhase::WaitingForPerson));
    assert_eq!(d.requeue, Some(WHILE_WAITING_FOR_PERSON));
    assert_eq!(w.state("declare"), StepState::Waiting);
    let waiting = condition(&d.status, "WaitingForPerson");
    assert_eq!(
        (waiting.status.as_str(), waiting.reason.as_str()),
        ("True", "AwaitingSignOff")
    );
    // Waiting again decides the same status: nothing to write.
    assert_eq!(w.pass(&ok).status, w.status);

    w.sign("declare");
    let d = w.pass(&ok);
    assert_eq!(w.state("declare"), StepState::Succeeded);
    assert_eq!(d.started, ["fence"]);
    assert_eq!(
        d.work,
        Work::Nothing,
        "the fence is recorded before it is done"
    );
    // The new epoch is recorded with the step, before any site hears of it.
    assert_eq!(w.status.epoch, Some(5));
    assert_eq!(w.state("fence"), StepState::Running);
    let d = w.decide();
    match d.work {
        Work::Run { steps, epoch, .. } => {
            assert_eq!(steps[0].step.id, "fence");
            assert_eq!(epoch, 5);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_site_being_left_unreachable_waits_or_skips_the_final_sync_when_data_loss_is_accepted() {
    for accept in [false, true] {
        let mut w = World::new(FailoverType::Failover);
        w.spec.accept_data_loss = accept;
        w.sign("declare");
        w.pass(&ok); // fence recorded
        w.epochs.leaving = None;
        w.pass(&ok); // fence done (the demotion unheard)
        w.epochs.taking_over = Some(5);
        let d = w.pass(&ok);
        if accept {
            assert_eq!(w.state("final-sync"), StepState::Skipped);
            assert_eq!(
                d.started,
                ["restore/db"],
                "skipped and the next step started at once"
            );
        } else {
            assert_eq!(w.state("final-sync"), StepState::Pending);
            assert_eq!((d.work, d.requeue), (Work::Nothing, Some(WHILE_RUNNING)));
            let waiting = condition(&w.status, "WaitingForPerson");
            assert_eq!(waiting.reason, "AwaitingPeer");
            assert!(
                waiting.message.contains("acceptDataLoss"),
                "{}",
                waiting.message
            );
        }
    }
}

#[test]
fn a_failed_step_is_retried_as_a_new_attempt_then_fails_the_execution() {
    let mut w = World::new(FailoverType::Drill);
    let fail = |_: &StepJob| StepResult::Failed(Text::new("agent refused", "agen menolak"));
    w.pass(&fail); // restore/db recorded as running
    for attempt in 1..=3 {
        let d = w.pass(&fail);
        assert_eq!(run_ids(&d), ["restore/db"]);
        match &d.work {
            Work::Run { steps, .. } => assert_eq!(steps[0].attempt, attempt),
            other => panic!("{other:?}"),
        }
        assert_eq!(w.state("restore/db"), StepState::Failed);
        if attempt < 3 {
            let d = w.pass(&fail);
            assert_eq!(d.started, ["restore/db"]);
            assert_eq!(d.work, Work::Nothing);
            assert_eq!(w.state("restore/db"), StepState::Running);
        }
    }
    let d = w.pass(&fail);
    assert_eq!(d.work, Work::Finish { succeeded: false });
    assert_eq!(w.status.phase, Some(FailoverPhase::Failed));
    let ready = condition(&w.status, READY);
    assert_eq!(ready.reason, "StepFailed");
    assert!(ready.message.contains("agent refused"), "{}", ready.message);
}

#[test]
fn a_newer_epoch_anywhere_stops_a_fenced_execution_before_anything_else() {
    let mut w = World::new(FailoverType::Failover);
    w.sign("declare");
    w.pass(&ok);
    w.pass(&ok);
    assert_eq!(w.status.epoch, Some(5));
    // Another execution fenced with 6; only a Site's record says so.
    w.epochs.recorded = [None, Some(6)];
    let d = w.pass(&ok);
    assert_eq!(d.work, Work::Finish { succeeded: false });
    assert_eq!(w.status.phase, Some(FailoverPhase::Failed));
    assert_eq!(condition(&w.status, READY).reason, "Stopped");
}

#[test]
fn the_current_epoch_is_the_highest_anyone_reports() {
    let held = FailoverStatus {
        epoch: Some(7),
        ..FailoverStatus::default()
    };
    let e = |leaving, taking_over, recorded| Epochs {
        leaving,
        taking_over,
        recorded,
    };
    let table = [
        (FailoverStatus::default(), e(None, None, [None, None]), 0),
        (
            FailoverStatus::default(),
            e(Some(3), Some(2), [None, None]),
            3,
        ),
        (
            FailoverStatus::default(),
            e(None, Some(2), [Some(5), None]),
            5,
        ),
        // The site taking over answers: what it says counts, not what we hold.
        (held.clone(), e(None, Some(2), [None, None]), 2),
        // It does not answer: the held epoch is still the newest we know of.
        (held.clone(), e(Some(3), None, [None, None]), 7),
        (held, e(Some(9), None, [None, None]), 9),
    ];
    for (status, epochs, want) in table {
        assert_eq!(current_epoch(&status, &epochs), want, "{epochs:?}");
    }
}

#[test]
fn the_heartbeats_announce_the_epoch_only_once_the_fence_promoted_at_it() {
    let mut w = World::new(FailoverType::Failover);
    w.sign("declare");
    assert_eq!(announced_epoch(&w.status), 0);
    w.pass(&ok);
    // Recorded with the fence step, not yet done: a site told of epoch 5 now would refuse
    // the promotion at 5 as not newer.
    assert_eq!((w.status.epoch, announced_epoch(&w.status)), (Some(5), 0));
    w.pass(&ok);
    assert_eq!(w.state("fence"), StepState::Succeeded);
    assert_eq!(announced_epoch(&w.status), 5);
}
