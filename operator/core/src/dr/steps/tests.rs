use super::*;
use proptest::prelude::*;
use pusdata_crds::fixtures::{self, member};
use pusdata_crds::v1alpha1::{Contact, Member, RunbookStep, Scope};

/// db ← app, db ← api (parallel branches), and a second tier with web ← cms.
fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    p.spec.tiers[0].members = vec![
        member("db", &[]),
        member("app", &["db"]),
        member("api", &["db"]),
    ];
    let mut t2 = fixtures::tier("tier-2", "1h", "8h");
    t2.members = vec![member("cms", &[]), member("web", &["cms"])];
    p.spec.tiers.push(t2);
    p.spec.contacts = vec![Contact {
        role: "head".into(),
        name: "Kepala".into(),
        email: None,
        details_secret: None,
    }];
    p.spec.runbook = vec![
        RunbookStep {
            id: "declare".into(),
            title: "Declare the disaster".into(),
            kind: StepKind::Approval,
            owner_role: "head".into(),
            stage: StepStage::Before,
            applies_to: vec![FailoverType::Failover, FailoverType::Failback],
            timeout: Some("30m".into()),
        },
        RunbookStep {
            id: "notify".into(),
            title: "Notify agencies".into(),
            kind: StepKind::Manual,
            owner_role: "head".into(),
            stage: StepStage::Before,
            applies_to: vec![],
            timeout: None,
        },
        RunbookStep {
            id: "sign-off".into(),
            title: "Sign off".into(),
            kind: StepKind::Approval,
            owner_role: "head".into(),
            stage: StepStage::After,
            applies_to: vec![],
            timeout: None,
        },
    ];
    p
}

fn spec(kind: FailoverType, accept: bool) -> FailoverSpec {
    let mut f = fixtures::drill().spec;
    f.kind = kind;
    f.accept_data_loss = accept;
    f
}

fn ids_of(p: &StepPlan) -> Vec<&str> {
    p.steps.iter().map(|s| s.id.as_str()).collect()
}

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + secs).unwrap()
}

fn obs(now: i64) -> Observations {
    Observations {
        now: ts(now),
        peer_reachable: true,
        current_epoch: 7,
        results: BTreeMap::new(),
        approvals: BTreeMap::new(),
    }
}

fn who(name: &str) -> RecordedIdentity {
    RecordedIdentity {
        username: name.into(),
        uid: None,
        groups: vec![],
        at: Time(ts(0)),
    }
}

#[test]
fn drill_steps_have_no_fence_and_no_pause() {
    let p = steps(&plan(), &spec(FailoverType::Drill, false)).unwrap();
    assert_eq!(
        ids_of(&p),
        vec![
            "notify",
            "restore/db",
            "verify/db",
            "restore/app",
            "verify/app",
            "restore/api",
            "verify/api",
            "restore/cms",
            "verify/cms",
            "restore/web",
            "verify/web",
            "measure-rto",
            "teardown",
            "sign-off"
        ]
    );
    assert!(
        !p.steps
            .iter()
            .any(|s| s.id.contains("pause") || s.action == StepAction::Fence)
    );
    let app = p.steps.iter().find(|s| s.id == "restore/app").unwrap();
    assert_eq!(app.needs, vec!["notify", "verify/db"]);
    assert!(app.title.contains("isolated namespace"));
}

#[test]
fn failover_and_failback_order() {
    let p = steps(&plan(), &spec(FailoverType::Failover, false)).unwrap();
    let ids = ids_of(&p);
    assert_eq!(&ids[..4], &["declare", "notify", "fence", "final-sync"]);
    assert_eq!(&ids[ids.len() - 2..], &["switch-traffic", "sign-off"]);
    let sw = p.steps.iter().find(|s| s.id == "switch-traffic").unwrap();
    assert_eq!(sw.needs.len(), 5, "every verify");
    let b = steps(&plan(), &spec(FailoverType::Failback, false)).unwrap();
    assert!(
        b.steps
            .iter()
            .any(|s| s.title.contains("Final sync from the DRC"))
    );
}

#[test]
fn scope_pulls_in_dependencies_and_rejects_unknown_names() {
    let mut s = spec(FailoverType::Drill, false);
    s.scope = Scope {
        tiers: vec![],
        services: vec!["app".into()],
    };
    let p = steps(&plan(), &s).unwrap();
    assert_eq!(
        ids_of(&p),
        vec![
            "notify",
            "restore/db",
            "verify/db",
            "restore/app",
            "verify/app",
            "measure-rto",
            "teardown",
            "sign-off"
        ]
    );
    s.scope.services = vec!["ghost".into()];
    let e = steps(&plan(), &s).unwrap_err();
    assert!(e.en.contains("ghost") && e.id.contains("ghost"));
    s.scope = Scope {
        tiers: vec!["tier-2".into()],
        services: vec![],
    };
    assert_eq!(steps(&plan(), &s).unwrap().steps.len(), 8);
}

#[test]
fn restores_are_planned_per_pvc_and_a_service_waits_for_all_of_them() {
    let targets: Targets = [
        (
            "db".to_string(),
            vec!["db-a".to_string(), "db-b".to_string()],
        ),
        ("cms".to_string(), vec!["cms-data".to_string()]),
    ]
    .into();
    let mut s = spec(FailoverType::Drill, false);
    s.scope.tiers = vec!["tier-1-critical".into()];
    let p = steps_for(&plan(), &s, &targets).unwrap();
    assert_eq!(
        ids_of(&p),
        vec![
            "notify",
            "restore/db/db-a",
            "restore/db/db-b",
            "verify/db",
            "restore/app",
            "verify/app",
            "restore/api",
            "verify/api",
            "measure-rto",
            "teardown",
            "sign-off"
        ],
        "cms is out of scope: its targets plan nothing"
    );
    let get = |id: &str| p.steps.iter().find(|x| x.id == id).unwrap();
    assert_eq!(
        get("verify/db").needs,
        vec!["restore/db/db-a", "restore/db/db-b"]
    );
    assert_eq!(get("restore/db/db-b").pvc.as_deref(), Some("db-b"));
    assert_eq!(get("restore/db/db-b").service.as_deref(), Some("db"));
    assert!(get("restore/db/db-b").title.contains("PVC db-b of db"));
    assert_eq!(get("restore/app").pvc, None);
    assert_eq!(get("restore/app").needs, vec!["notify", "verify/db"]);
    // The initial status records each PVC, and reading it back gives the targets in scope.
    let st = FailoverStatus {
        steps: p.initial_status(),
        ..FailoverStatus::default()
    };
    let back = crate::dr::restore::recorded(&st).unwrap();
    assert_eq!(
        back,
        [(
            "db".to_string(),
            vec!["db-a".to_string(), "db-b".to_string()]
        )]
        .into()
    );
    assert_eq!(steps_for(&plan(), &s, &back).unwrap(), p);

    // Both PVC restores start together; the service's verify waits for the slower one.
    let mut st = FailoverStatus::default();
    let mut o = obs(0);
    o.approvals.insert("notify".into(), who("kadis"));
    assert!(matches!(run(&p, &mut st, &o), Action::Start { .. }));
    assert!(matches!(run(&p, &mut st, &o), Action::Record(_)));
    match run(&p, &mut st, &o) {
        Action::Start { steps, .. } => {
            assert_eq!(steps, vec!["restore/db/db-a", "restore/db/db-b"])
        }
        a => panic!("{a:?}"),
    }
    o.results.insert(
        "restore/db/db-a".into(),
        StepResult::Succeeded(Text::new("ok", "ok")),
    );
    assert!(matches!(run(&p, &mut st, &o), Action::Record(_)));
    o.results.clear();
    assert_eq!(
        run(&p, &mut st, &o),
        Action::Observe {
            steps: vec!["restore/db/db-b".into()]
        }
    );
    o.results.insert(
        "restore/db/db-b".into(),
        StepResult::Failed(Text::new("disk full", "disk full")),
    );
    run(&p, &mut st, &o);
    o.results.clear();
    // Only the failed PVC is tried again; the restored one is not redone.
    assert_eq!(
        run(&p, &mut st, &o),
        Action::Retry {
            step: "restore/db/db-b".into(),
            attempt: 2,
            epoch: 7
        }
    );
    o.results.insert(
        "restore/db/db-b".into(),
        StepResult::Succeeded(Text::new("ok", "ok")),
    );
    run(&p, &mut st, &o);
    o.results.clear();
    match run(&p, &mut st, &o) {
        Action::Start { steps, .. } => assert_eq!(steps, vec!["verify/db"]),
        a => panic!("{a:?}"),
    }
    assert_eq!(recorded(&st, "restore/db/db-a").unwrap().attempts, Some(1));
}

fn run(p: &StepPlan, status: &mut FailoverStatus, o: &Observations) -> Action {
    let a = next_step(p, status, o);
    apply(p, status, &a, o.now);
    a
}

#[test]
fn transitions_of_a_failover() {
    let p = steps(&plan(), &spec(FailoverType::Failover, false)).unwrap();
    let mut st = FailoverStatus::default();
    let mut o = obs(0);
    // The approval step is started and waits for the head of office.
    assert_eq!(
        run(&p, &mut st, &o),
        Action::Start {
            steps: vec!["declare".into()],
            epoch: 7
        }
    );
    assert_eq!(state_of(&st, "declare"), StepState::Waiting);
    match run(&p, &mut st, &o) {
        Action::Wait { roles, overdue, .. } => {
            assert_eq!(roles, vec!["head"]);
            assert!(overdue.is_empty());
        }
        a => panic!("{a:?}"),
    }
    // Past the runbook timeout the wait says to escalate.
    match next_step(&p, &st, &obs(31 * 60)) {
        Action::Wait { overdue, .. } => assert_eq!(overdue, vec!["declare"]),
        a => panic!("{a:?}"),
    }
    assert_eq!(st.phase, Some(FailoverPhase::WaitingForPerson));
    o.approvals.insert("declare".into(), who("kepala"));
    assert!(matches!(run(&p, &mut st, &o), Action::Record(_)));
    assert_eq!(
        recorded(&st, "declare")
            .unwrap()
            .approved_by
            .as_ref()
            .unwrap()
            .username,
        "kepala"
    );
    o.approvals.insert("notify".into(), who("koordinator"));
    run(&p, &mut st, &o); // start notify
    run(&p, &mut st, &o); // record sign-off
    // Fencing takes the next epoch.
    assert_eq!(
        run(&p, &mut st, &o),
        Action::Start {
            steps: vec!["fence".into()],
            epoch: 8
        }
    );
    assert_eq!(st.epoch, Some(8));
    // A running step is observed, not restarted.
    o.current_epoch = 8;
    assert_eq!(
        next_step(&p, &st, &o),
        Action::Observe {
            steps: vec!["fence".into()]
        }
    );
    o.results
        .insert("fence".into(), StepResult::Succeeded(Text::default()));
    run(&p, &mut st, &o);
    run(&p, &mut st, &o); // start final-sync
    o.results.insert(
        "final-sync".into(),
        StepResult::Failed(Text::new("timeout", "timeout")),
    );
    run(&p, &mut st, &o); // record failure
    assert_eq!(
        next_step(&p, &st, &o),
        Action::Retry {
            step: "final-sync".into(),
            attempt: 2,
            epoch: 8
        }
    );
    run(&p, &mut st, &o);
    o.results.insert(
        "final-sync".into(),
        StepResult::Succeeded(Text::new("12 MB", "12 MB")),
    );
    run(&p, &mut st, &o);
    // Independent roots restore in parallel.
    assert_eq!(
        next_step(&p, &st, &o),
        Action::Start {
            steps: vec!["restore/db".into(), "restore/cms".into()],
            epoch: 8
        }
    );
}

#[test]
fn unreachable_primary_waits_unless_data_loss_accepted() {
    for accept in [false, true] {
        let p = steps(&plan(), &spec(FailoverType::Failover, accept)).unwrap();
        let mut st = FailoverStatus {
            steps: p.initial_status(),
            ..FailoverStatus::default()
        };
        for s in st.steps.iter_mut().take(3) {
            s.state = StepState::Succeeded;
        }
        st.epoch = Some(8);
        let mut o = obs(0);
        o.current_epoch = 8;
        o.peer_reachable = false;
        let a = next_step(&p, &st, &o);
        if accept {
            match a {
                Action::Record(u) => {
                    assert_eq!(u[0].id, "final-sync");
                    assert_eq!(u[0].state, StepState::Skipped);
                }
                a => panic!("{a:?}"),
            }
        } else {
            match a {
                Action::Wait { steps, reason, .. } => {
                    assert_eq!(steps, vec!["final-sync"]);
                    assert!(reason.en.contains("acceptDataLoss"));
                }
                a => panic!("{a:?}"),
            }
        }
    }
}

#[test]
fn stale_epoch_is_refused() {
    let p = steps(&plan(), &spec(FailoverType::Failover, false)).unwrap();
    let mut st = FailoverStatus {
        steps: p.initial_status(),
        epoch: Some(8),
        ..FailoverStatus::default()
    };
    st.steps[2].state = StepState::Succeeded;
    let mut o = obs(0);
    o.current_epoch = 9;
    match next_step(&p, &st, &o) {
        Action::Fail { reason, .. } => assert!(reason.en.contains("stale epoch")),
        a => panic!("{a:?}"),
    }
}

#[test]
fn switch_without_epoch_is_refused_and_exhausted_retries_fail() {
    let p = steps(&plan(), &spec(FailoverType::Failover, false)).unwrap();
    let mut st = FailoverStatus {
        steps: p.initial_status(),
        ..FailoverStatus::default()
    };
    for s in st.steps.iter_mut() {
        if s.id != "switch-traffic" && s.id != "sign-off" {
            s.state = StepState::Succeeded;
        }
    }
    assert!(
        matches!(next_step(&p, &st, &obs(0)), Action::Fail { step: Some(s), .. } if s == "switch-traffic")
    );

    st.epoch = Some(7);
    let i = st.steps.iter().position(|s| s.id == "verify/web").unwrap();
    st.steps[i].state = StepState::Failed;
    st.steps[i].attempts = Some(DEFAULT_MAX_ATTEMPTS);
    st.steps[i].message = Some("checksum mismatch".into());
    // Other branches are done, so the failure ends the execution.
    match next_step(&p, &st, &obs(0)) {
        Action::Fail { step, reason } => {
            assert_eq!(step.as_deref(), Some("verify/web"));
            assert!(reason.en.contains("checksum mismatch"));
        }
        a => panic!("{a:?}"),
    }
}

#[test]
fn lost_worker_is_retried_and_done_at_the_end() {
    let p = steps(&plan(), &spec(FailoverType::Drill, false)).unwrap();
    let mut st = FailoverStatus {
        steps: p.initial_status(),
        ..FailoverStatus::default()
    };
    for s in st.steps.iter_mut() {
        s.state = StepState::Succeeded;
        s.attempts = Some(1);
    }
    assert_eq!(next_step(&p, &st, &obs(0)), Action::Done);
    st.steps[1].state = StepState::Running;
    let mut o = obs(0);
    o.results.insert("restore/db".into(), StepResult::Lost);
    assert!(matches!(run(&p, &mut st, &o), Action::Record(_)));
    assert!(matches!(
        next_step(&p, &st, &o),
        Action::Retry { attempt: 2, .. }
    ));
}

/// A deterministic world: results depend only on the recorded status and the clock, so a
/// controller restarted from any persisted status sees the same world.
#[derive(Clone, Debug)]
struct World {
    fail_once: BTreeSet<String>,
    fail_always: Option<String>,
    peer_reachable: bool,
    base_epoch: u64,
}

impl World {
    fn observe(&self, st: &FailoverStatus, now: i64) -> Observations {
        let mut o = obs(now);
        o.peer_reachable = self.peer_reachable;
        o.current_epoch = self.base_epoch.max(st.epoch.unwrap_or(0));
        for s in &st.steps {
            match s.state {
                StepState::Running => {
                    let started = s.started_at.as_ref().map(|t| t.0.as_second()).unwrap_or(0);
                    let r = if ts(now).as_second() < started + 60 {
                        StepResult::Running
                    } else if self.fail_always.as_deref() == Some(s.id.as_str())
                        || (self.fail_once.contains(&s.id) && s.attempts == Some(1))
                    {
                        StepResult::Failed(Text::new("boom", "boom"))
                    } else {
                        StepResult::Succeeded(Text::new("ok", "ok"))
                    };
                    o.results.insert(s.id.clone(), r);
                }
                StepState::Waiting => {
                    o.approvals.insert(s.id.clone(), who("petugas"));
                }
                _ => {}
            }
        }
        o
    }
}

/// Drives to the end; returns the statuses after each applied action and the actions.
fn drive(
    p: &StepPlan,
    w: &World,
    mut st: FailoverStatus,
    mut now: i64,
) -> (Vec<(FailoverStatus, i64)>, Vec<Action>) {
    let mut history = vec![(st.clone(), now)];
    let mut actions = Vec::new();
    for _ in 0..1000 {
        let o = w.observe(&st, now);
        let a = next_step(p, &st, &o);
        apply(p, &mut st, &a, o.now);
        now += 30;
        history.push((st.clone(), now));
        // A peer that never comes back leaves the execution waiting: the end of this world.
        let end = matches!(a, Action::Done | Action::Fail { .. })
            || matches!(&a, Action::Wait { roles, .. } if roles.is_empty());
        actions.push(a);
        if end {
            break;
        }
    }
    (history, actions)
}

fn outcome(st: &FailoverStatus) -> Vec<(String, StepState)> {
    st.steps.iter().map(|s| (s.id.clone(), s.state)).collect()
}

/// Services of [`plan`] with `counts[i]` PVCs each (none: restored as one unit).
fn targets_of(counts: &[usize]) -> Targets {
    ["db", "app", "api", "cms", "web"]
        .iter()
        .zip(counts)
        .filter(|(_, n)| **n > 0)
        .map(|(svc, n)| {
            (
                svc.to_string(),
                (0..*n).map(|i| format!("{svc}-data-{i}")).collect(),
            )
        })
        .collect()
}

fn kind_strategy() -> impl Strategy<Value = FailoverType> {
    prop_oneof![
        Just(FailoverType::Drill),
        Just(FailoverType::Failover),
        Just(FailoverType::Failback)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn resume_from_any_prefix_reaches_the_same_end(
        kind in kind_strategy(),
        accept in any::<bool>(),
        peer in any::<bool>(),
        fail_mask in any::<u32>(),
        fail_always in proptest::option::of(0usize..20),
        delay in 0i64..600,
        pvcs in proptest::collection::vec(0usize..4, 5),
    ) {
        let targets = targets_of(&pvcs);
        let p = steps_for(&plan(), &spec(kind, accept), &targets).unwrap();
        let fail_once = p.steps.iter().enumerate()
            .filter(|(i, _)| fail_mask & (1 << (i % 32)) != 0)
            .map(|(_, s)| s.id.clone()).collect();
        let w = World {
            fail_once,
            fail_always: fail_always.and_then(|i| p.steps.get(i)).map(|s| s.id.clone()),
            peer_reachable: peer,
            base_epoch: 3,
        };
        let (history, actions) = drive(&p, &w, FailoverStatus::default(), 0);
        let last = &history.last().unwrap().0;
        let end = actions.last().unwrap().clone();
        let waits_for_peer = kind != FailoverType::Drill && !peer && !accept;
        if !waits_for_peer {
            prop_assert!(matches!(end, Action::Done | Action::Fail { .. }), "{:?}", end);
        }
        if w.fail_always.is_none() && !waits_for_peer {
            prop_assert_eq!(&end, &Action::Done);
        }

        // Ordering: a step starts only after everything it needs has finished.
        for step in &p.steps {
            let Some(s) = recorded(last, &step.id) else { continue };
            let Some(start) = &s.started_at else { continue };
            for n in &step.needs {
                let need = recorded(last, n).unwrap();
                prop_assert!(finished_ok(need.state), "{} started before {} finished", step.id, n);
                prop_assert!(need.finished_at.as_ref().unwrap().0 <= start.0);
            }
        }
        // Never two active sites: traffic moves only after fencing, under the newest epoch.
        if let Some(sw) = recorded(last, ids::SWITCH_TRAFFIC).filter(|s| s.started_at.is_some()) {
            let fence = recorded(last, ids::FENCE).unwrap();
            prop_assert_eq!(fence.state, StepState::Succeeded);
            prop_assert!(fence.finished_at.as_ref().unwrap().0 <= sw.started_at.as_ref().unwrap().0);
            prop_assert_eq!(last.epoch, Some(4));
        }

        // A service is verified only after every one of its PVCs is restored.
        for (svc, list) in &targets {
            let Some(v) = recorded(last, &ids::verify(svc)).and_then(|v| v.started_at.clone()) else { continue };
            for pvc in list {
                let r = recorded(last, &ids::restore_pvc(svc, pvc)).unwrap();
                prop_assert_eq!(r.state, StepState::Succeeded);
                prop_assert_eq!(r.pvc.as_deref(), Some(pvc.as_str()));
                prop_assert!(r.finished_at.as_ref().unwrap().0 <= v.0);
            }
        }

        // Crash after any persisted status and restart later: same end, nothing redone.
        for (k, (st, now)) in history.iter().enumerate() {
            // The restarted controller plans from what was recorded, whatever it lists now.
            if let Some(again) = super::super::restore::recorded(st) {
                prop_assert_eq!(&steps_for(&plan(), &spec(kind, accept), &again).unwrap(), &p);
            }
            let (h2, a2) = drive(&p, &w, st.clone(), now + delay);
            let last2 = &h2.last().unwrap().0;
            prop_assert_eq!(outcome(last2), outcome(last), "resumed after {}", k);
            prop_assert_eq!(a2.last().unwrap(), &end);
            let done_before: BTreeSet<&str> = st.steps.iter()
                .filter(|s| s.state == StepState::Succeeded).map(|s| s.id.as_str()).collect();
            for a in &a2 {
                match a {
                    Action::Start { steps, .. } => for s in steps {
                        prop_assert!(!done_before.contains(s.as_str()), "{} restarted after resume at {}", s, k);
                    },
                    Action::Retry { step, .. } => prop_assert!(!done_before.contains(step.as_str())),
                    _ => {}
                }
            }
            for s in &last2.steps {
                let before = recorded(st, &s.id).and_then(|x| x.attempts).unwrap_or(0);
                let reference = recorded(last, &s.id).and_then(|x| x.attempts).unwrap_or(0);
                prop_assert!(s.attempts.unwrap_or(0) >= before);
                prop_assert_eq!(s.attempts.unwrap_or(0), reference, "attempts of {} after resume at {}", s.id, k);
            }
        }
    }

    #[test]
    fn any_dag_restores_dependencies_first(
        // deps[i] is a bit set over members 0..i, so the graph is acyclic by construction.
        deps in proptest::collection::vec(any::<u8>(), 1..8),
        reversed in any::<bool>(),
        kind in kind_strategy(),
    ) {
        let mut p = plan();
        let names: Vec<String> = (0..deps.len()).map(|i| format!("m{i}")).collect();
        let mut members: Vec<Member> = deps.iter().enumerate().map(|(i, bits)| {
            let ds: Vec<&str> = (0..i).filter(|j| bits & (1 << (j % 8)) != 0).map(|j| names[j].as_str()).collect();
            member(&names[i], &ds)
        }).collect();
        if reversed {
            // Plan order must not matter: dependencies may be written after their users.
            members.reverse();
        }
        p.spec.tiers.truncate(1);
        p.spec.tiers[0].members = members;
        let sp = steps(&p, &spec(kind, false)).unwrap();
        let w = World { fail_once: BTreeSet::new(), fail_always: None, peer_reachable: true, base_epoch: 0 };
        let (history, actions) = drive(&sp, &w, FailoverStatus::default(), 0);
        prop_assert_eq!(actions.last().unwrap(), &Action::Done);
        let last = &history.last().unwrap().0;
        for m in &p.spec.tiers[0].members {
            let restore = recorded(last, &ids::restore(&m.name)).unwrap();
            for d in &m.depends_on {
                let verified = recorded(last, &ids::verify(d)).unwrap();
                prop_assert!(verified.finished_at.as_ref().unwrap().0 <= restore.started_at.as_ref().unwrap().0,
                    "{} restored before {} was verified", m.name, d);
            }
        }
        // Independent members start together: the first Start of restores holds every root.
        let roots: BTreeSet<String> = p.spec.tiers[0].members.iter()
            .filter(|m| m.depends_on.is_empty()).map(|m| ids::restore(&m.name)).collect();
        let first = actions.iter().find_map(|a| match a {
            Action::Start { steps, .. } if steps.iter().any(|s| s.starts_with("restore/")) => Some(steps.clone()),
            _ => None,
        }).unwrap();
        prop_assert_eq!(first.into_iter().collect::<BTreeSet<_>>(), roots);
    }
}

#[test]
fn only_changed_steps_become_events_and_a_failure_is_a_warning() {
    let step = |id: &str, state, message: Option<&str>| StepStatus {
        id: id.into(),
        action: "restore".into(),
        state,
        message: message.map(str::to_string),
        ..StepStatus::default()
    };
    let old = vec![
        step("restore/db", StepState::Running, None),
        step("verify/db", StepState::Pending, None),
        step("approve", StepState::Pending, None),
    ];
    let new = vec![
        step("restore/db", StepState::Failed, Some("snapshot missing")),
        step("verify/db", StepState::Pending, None),
        step("approve", StepState::Waiting, None),
        step("teardown", StepState::Running, None),
    ];
    let got: Vec<_> = step_transitions(&old, &new)
        .into_iter()
        .map(|t| (t.reason, t.warning, t.message))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "StepFailed".to_string(),
                true,
                "restore/db (restore): snapshot missing".to_string()
            ),
            (
                "StepWaitingForPerson".to_string(),
                false,
                "approve (restore)".to_string()
            ),
            (
                "StepStarted".to_string(),
                false,
                "teardown (restore)".to_string()
            ),
        ]
    );
    assert!(step_transitions(&new, &new).is_empty(), "steady state");
    let done: Vec<_> = [StepState::Succeeded, StepState::Skipped]
        .into_iter()
        .map(|s| {
            step_transitions(&old[..1], &[step("restore/db", s, None)])[0]
                .reason
                .clone()
        })
        .collect();
    assert_eq!(done, ["StepSucceeded", "StepSkipped"]);
}

#[test]
fn a_restores_checksum_is_a_field_of_its_step_and_a_retry_clears_it() {
    let p = steps(&plan(), &spec(FailoverType::Drill, false)).unwrap();
    let mut st = FailoverStatus {
        steps: p.initial_status(),
        ..FailoverStatus::default()
    };
    let i = st.steps.iter().position(|s| s.id == "restore/db").unwrap();
    st.steps[i].state = StepState::Running;
    st.steps[i].attempts = Some(1);
    let mut o = obs(0);
    o.results.insert(
        "restore/db".into(),
        StepResult::Restored {
            note: Text::new("3 files, 12 bytes restored", "3 berkas, 12 bita dipulihkan"),
            checksum: "ab12".into(),
        },
    );
    assert!(matches!(run(&p, &mut st, &o), Action::Record(_)));
    assert_eq!(st.steps[i].state, StepState::Succeeded);
    assert_eq!(st.steps[i].checksum.as_deref(), Some("ab12"));
    assert_eq!(
        st.steps[i].message.as_deref(),
        Some("3 files, 12 bytes restored")
    );
    // The worker's note is kept in both languages for reports read in either.
    let note = st.steps[i].note.as_ref().expect("note");
    assert_eq!(
        (note.en(), note.id()),
        ("3 files, 12 bytes restored", "3 berkas, 12 bita dipulihkan")
    );
    // A failed attempt records no checksum, and its retry starts without one.
    st.steps[i].state = StepState::Running;
    o.results.insert(
        "restore/db".into(),
        StepResult::Failed(Text::new("disk full", "disk penuh")),
    );
    run(&p, &mut st, &o);
    assert_eq!(st.steps[i].checksum, None);
    assert_eq!(st.steps[i].message.as_deref(), Some("disk full"));
    assert_eq!(
        st.steps[i].note.as_ref().map(|n| n.id()),
        Some("disk penuh")
    );
    st.steps[i].checksum = Some("stale".into());
    assert!(matches!(
        run(&p, &mut st, &obs(0)),
        Action::Retry { attempt: 2, .. }
    ));
    assert_eq!(st.steps[i].checksum, None);
}
