use super::*;
use crate::backup::result::{Mismatch, MoverFailure, parse};
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{BackupRepositoryStatus, BackupStatus};

const NS: &str = "disdukcapil";

fn restore() -> Restore {
    let mut r = fixtures::restore(NS, "siak-data");
    r.metadata.uid = Some("uid-r1".into());
    r.metadata.generation = Some(1);
    r
}

fn key() -> SecretKeyRef {
    SecretKeyRef {
        name: "disdukcapil-repo-key".into(),
        namespace: None,
        key: "password".into(),
    }
}

fn agencies() -> Vec<Agency> {
    let mut a = fixtures::agency(NS);
    a.spec.repository_key = Some(key());
    vec![a, fixtures::agency("bapenda")]
}

fn repo(agency: &str, phase: RepositoryPhase) -> BackupRepository {
    let mut r = fixtures::backup_repository(agency, "drc-bandung");
    r.status = Some(BackupRepositoryStatus {
        phase: Some(phase),
        ..BackupRepositoryStatus::default()
    });
    r
}

fn backup(name: &str, snapshot: &str, finished: &str, verified: bool, bytes: u64) -> Backup {
    let mut b = fixtures::backup(NS, "siak-data");
    b.metadata.name = Some(name.into());
    b.status = Some(BackupStatus {
        phase: Some(BackupPhase::Completed),
        snapshot_id: Some(snapshot.into()),
        finished_at: Some(Time(finished.parse().unwrap())),
        bytes_read: Some(bytes),
        verification: verified.then_some(VerificationStatus::Verified),
        ..BackupStatus::default()
    });
    b
}

fn runs() -> Vec<Backup> {
    vec![
        backup("b1", "aaaa1111", "2026-11-24T01:00:00Z", true, 3 * GIB),
        backup("b2", "bbbb2222", "2026-11-24T02:00:00Z", false, 5 * GIB),
        backup("b0", "cccc3333", "2026-11-23T01:00:00Z", true, GIB),
    ]
}

fn world<'a>(
    agencies: &'a [Agency],
    repository: Option<&'a BackupRepository>,
    backups: &'a [Backup],
) -> World<'a> {
    World {
        namespace: NS,
        namespace_label: None,
        agencies,
        repository,
        backups,
        site_epoch: 4,
    }
}

fn go(snapshot: &str, size: &str) -> Gate {
    Gate::Go(Admitted {
        key: key(),
        snapshot: snapshot.into(),
        tags: vec![
            "agency=disdukcapil".into(),
            "namespace=disdukcapil".into(),
            "pvc=siak-data".into(),
        ],
        size: Quantity(size.into()),
    })
}

fn reason(g: &Gate) -> Option<Reason> {
    match g {
        Gate::Go(_) => None,
        Gate::Wait(r, _) => Some(*r),
        Gate::Refuse(r) => Some(r.reason),
    }
}

#[test]
fn admission_table() {
    let ag = agencies();
    let bk = runs();
    let ok = repo(NS, RepositoryPhase::Available);
    let theirs = repo("bapenda", RepositoryPhase::Available);
    let unknown = repo(NS, RepositoryPhase::Unknown);
    let mut no_key_ag = agencies();
    no_key_ag[0].spec.repository_key = None;
    type Edit = fn(&mut Restore);
    let none: Edit = |_| {};
    let cases: Vec<(&str, Edit, World<'_>, Result<Gate, Reason>)> = vec![
        // latest-verified: the newest verified run (b1, not the newer unverified b2).
        (
            "latest-verified",
            none,
            world(&ag, Some(&ok), &bk),
            Ok(go("aaaa1111", "4Gi")),
        ),
        (
            "latest: the mover resolves; size from the newest run",
            |r| r.spec.snapshot = "latest".into(),
            world(&ag, Some(&ok), &bk),
            Ok(go("latest", "7Gi")),
        ),
        (
            "an id prefix finds its run's size",
            |r| r.spec.snapshot = "cccc".into(),
            world(&ag, Some(&ok), &bk),
            Ok(go("cccc", "2Gi")),
        ),
        (
            "the spec's size wins",
            |r| r.spec.target.size = Some(Quantity("50Gi".into())),
            world(&ag, Some(&ok), &bk),
            Ok(go("aaaa1111", "50Gi")),
        ),
        (
            "an unknown id without a size",
            |r| r.spec.snapshot = "dddd".into(),
            world(&ag, Some(&ok), &bk),
            Err(Reason::SizeUnknown),
        ),
        (
            "no verified run",
            none,
            world(&ag, Some(&ok), &[]),
            Err(Reason::SnapshotNotFound),
        ),
        (
            "runAsUser 0: the mover never runs as root",
            |r| r.spec.run_as_user = Some(0),
            world(&ag, Some(&ok), &bk),
            Err(Reason::InvalidSpec),
        ),
        (
            "a negative runAsGroup",
            |r| {
                r.spec.run_as_user = Some(999);
                r.spec.run_as_group = Some(-1);
            },
            world(&ag, Some(&ok), &bk),
            Err(Reason::InvalidSpec),
        ),
        (
            "the workload's user is fine",
            |r| {
                r.spec.run_as_user = Some(999);
                r.spec.run_as_group = Some(998);
            },
            world(&ag, Some(&ok), &bk),
            Ok(go("aaaa1111", "4Gi")),
        ),
        (
            "latest needs a source",
            |r| {
                r.spec.snapshot = "latest".into();
                r.spec.source = None;
            },
            world(&ag, Some(&ok), &bk),
            Err(Reason::InvalidSpec),
        ),
        (
            "no repository",
            none,
            world(&ag, None, &bk),
            Err(Reason::RepositoryNotFound),
        ),
        (
            "another agency's repository",
            none,
            world(&ag, Some(&theirs), &bk),
            Err(Reason::AgencyMismatch),
        ),
        (
            "another agency's source tags",
            |r| r.spec.source.as_mut().unwrap().agency = "bapenda".into(),
            world(&ag, Some(&ok), &bk),
            Err(Reason::AgencyMismatch),
        ),
        (
            "no key anywhere",
            none,
            world(&no_key_ag, Some(&ok), &bk),
            Err(Reason::NoRepositoryKey),
        ),
        (
            "stale epoch",
            |r| r.spec.epoch = Some(3),
            world(&ag, Some(&ok), &bk),
            Err(Reason::StaleEpoch),
        ),
        (
            "current epoch",
            |r| r.spec.epoch = Some(4),
            world(&ag, Some(&ok), &bk),
            Ok(go("aaaa1111", "4Gi")),
        ),
        (
            "newer epoch",
            |r| r.spec.epoch = Some(9),
            world(&ag, Some(&ok), &bk),
            Ok(go("aaaa1111", "4Gi")),
        ),
        (
            "repository not Available yet: wait",
            none,
            world(&ag, Some(&unknown), &bk),
            Err(Reason::WaitingForRepository),
        ),
    ];
    for (name, edit, w, want) in cases {
        let mut r = restore();
        edit(&mut r);
        let got = admit(&r, &w);
        match want {
            Ok(g) => assert_eq!(got, g, "{name}"),
            Err(reason_) => assert_eq!(reason(&got), Some(reason_), "{name}: {got:?}"),
        }
    }
}

#[test]
fn refusals_name_the_field_and_the_rule() {
    let ag = agencies();
    let theirs = repo("bapenda", RepositoryPhase::Available);
    let Gate::Refuse(r) = admit(&restore(), &world(&ag, Some(&theirs), &runs())) else {
        panic!("refused expected")
    };
    assert!(
        r.message.starts_with("SEC-CIA: spec.repository:"),
        "{}",
        r.message
    );
    assert!(r.message.contains("agency disdukcapil"), "{}", r.message);
    let mut stale = restore();
    stale.spec.epoch = Some(2);
    let ok = repo(NS, RepositoryPhase::Available);
    let Gate::Refuse(r) = admit(&stale, &world(&ag, Some(&ok), &runs())) else {
        panic!("refused expected")
    };
    assert_eq!(
        r.message,
        "spec.epoch: 2 is older than this site's fencing epoch 4: whoever ordered this restore has been fenced off"
    );
}

#[test]
fn a_drill_namespace_belongs_to_the_agency_its_label_names_but_never_overrides_a_listing() {
    let ag = agencies();
    assert_eq!(
        agency_of_namespace("drill-x", Some(NS), &ag).as_deref(),
        Some(NS)
    );
    assert_eq!(agency_of_namespace("drill-x", None, &ag), None);
    // A label cannot move a namespace that an agency lists to another agency.
    assert_eq!(
        agency_of_namespace(NS, Some("bapenda"), &ag).as_deref(),
        Some(NS)
    );
    let ok = repo(NS, RepositoryPhase::Available);
    let bk = runs();
    let mut w = world(&ag, Some(&ok), &bk);
    w.namespace = "drill-1-disdukcapil";
    w.namespace_label = Some(NS);
    assert!(matches!(admit(&restore(), &w), Gate::Go(_)));
    w.namespace_label = Some("bapenda");
    assert_eq!(reason(&admit(&restore(), &w)), Some(Reason::AgencyMismatch));
}

#[test]
fn sizes_get_a_quarter_headroom_in_whole_gibibytes() {
    let cases = [
        (0, "1Gi"),
        (1, "1Gi"),
        (GIB * 4 / 5, "1Gi"),
        (GIB, "2Gi"),
        (4 * GIB, "5Gi"),
        (100 * GIB, "125Gi"),
        (u64::MAX, "17179869184Gi"),
    ];
    for (bytes, want) in cases {
        assert_eq!(size_with_headroom(bytes).0, want, "{bytes}");
    }
}

#[test]
fn snapshot_choices() {
    assert_eq!(snapshot_choice("latest"), SnapshotChoice::Latest);
    assert_eq!(
        snapshot_choice("latest-verified"),
        SnapshotChoice::LatestVerified
    );
    assert_eq!(snapshot_choice("ab12"), SnapshotChoice::Id("ab12".into()));
}

fn pvc(restored_by: Option<&str>) -> PersistentVolumeClaim {
    let mut p = PersistentVolumeClaim::default();
    p.metadata.annotations =
        restored_by.map(|u| [(RESTORED_BY_ANNOTATION.to_string(), u.to_string())].into());
    p
}

#[test]
fn only_a_pvc_owned_by_this_restore_is_ours() {
    assert_eq!(pvc_seen(None, Some("uid-r1")), PvcSeen::Missing);
    assert_eq!(
        pvc_seen(Some(&pvc(Some("uid-r1"))), Some("uid-r1")),
        PvcSeen::Ours
    );
    assert_eq!(
        pvc_seen(Some(&pvc(Some("uid-r2"))), Some("uid-r1")),
        PvcSeen::NotOurs
    );
    assert_eq!(pvc_seen(Some(&pvc(None)), Some("uid-r1")), PvcSeen::NotOurs);
    assert_eq!(pvc_seen(Some(&pvc(Some("uid-r1"))), None), PvcSeen::NotOurs);
}

#[test]
fn next_step_table() {
    use RestorePhase::{Completed, Failed, InProgress, New};
    let refusal = || {
        Gate::Refuse(Refusal {
            reason: Reason::StaleEpoch,
            message: "x".into(),
        })
    };
    let wait = || Gate::Wait(Reason::WaitingForRepository, "w".into());
    let fin = Observed::Finished {
        succeeded: true,
        message: Some("{}".into()),
    };
    let stuck = Observed::Stuck {
        reason: "CreateContainerConfigError".into(),
        message: "secret \"k\" not found".into(),
    };
    let start = |create_pvc| {
        let Gate::Go(admitted) = go("latest", "1Gi") else {
            unreachable!()
        };
        Next::Start {
            create_pvc,
            admitted,
        }
    };
    #[derive(Debug, PartialEq)]
    enum W {
        Done,
        Wait,
        Refuse(Reason),
        Start(bool),
        Running,
        Abort,
        Vanished,
        Settle,
    }
    let kind = |n: &Next| match n {
        Next::Done => W::Done,
        Next::Wait(..) => W::Wait,
        Next::Refuse(r) => W::Refuse(r.reason),
        Next::Start { create_pvc, .. } => W::Start(*create_pvc),
        Next::Running => W::Running,
        Next::Abort(r) => {
            assert_eq!(r.reason, Reason::PodCannotStart);
            W::Abort
        }
        Next::Vanished => W::Vanished,
        Next::Settle { .. } => W::Settle,
    };
    /// (recorded phase, the Job, the PVC, the gate) → the kind of step.
    type Case<'a> = (Option<RestorePhase>, Option<&'a Observed>, PvcSeen, Gate, W);
    let cases: Vec<Case<'_>> = vec![
        // Finished runs are never re-run, whatever is observed.
        (
            Some(Completed),
            None,
            PvcSeen::Missing,
            go("latest", "1Gi"),
            W::Done,
        ),
        (
            Some(Failed),
            None,
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Done,
        ),
        (
            Some(Completed),
            Some(&fin),
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Done,
        ),
        // Fresh: create what is missing.
        (
            None,
            None,
            PvcSeen::Missing,
            go("latest", "1Gi"),
            W::Start(true),
        ),
        (
            Some(New),
            None,
            PvcSeen::Missing,
            go("latest", "1Gi"),
            W::Start(true),
        ),
        // Restarted after creating the PVC, before the Job: only the Job.
        (
            None,
            None,
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Start(false),
        ),
        // Someone else's PVC: refused; never written.
        (
            None,
            None,
            PvcSeen::NotOurs,
            go("latest", "1Gi"),
            W::Refuse(Reason::TargetExists),
        ),
        (
            None,
            None,
            PvcSeen::NotOurs,
            wait(),
            W::Refuse(Reason::TargetExists),
        ),
        // A refusal names its own reason first.
        (
            None,
            None,
            PvcSeen::NotOurs,
            refusal(),
            W::Refuse(Reason::StaleEpoch),
        ),
        (
            None,
            None,
            PvcSeen::Missing,
            refusal(),
            W::Refuse(Reason::StaleEpoch),
        ),
        (None, None, PvcSeen::Missing, wait(), W::Wait),
        // A Job exists (restarted controller): follow it, whatever the gate says now.
        (
            None,
            Some(&Observed::Running),
            PvcSeen::Ours,
            refusal(),
            W::Running,
        ),
        (
            Some(InProgress),
            Some(&Observed::Running),
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Running,
        ),
        (
            Some(InProgress),
            Some(&stuck),
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Abort,
        ),
        (
            Some(InProgress),
            Some(&fin),
            PvcSeen::Ours,
            refusal(),
            W::Settle,
        ),
        (
            Some(New),
            Some(&fin),
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Settle,
        ),
        // InProgress without its Job: the result is lost; never started again.
        (
            Some(InProgress),
            None,
            PvcSeen::Ours,
            go("latest", "1Gi"),
            W::Vanished,
        ),
        (
            Some(InProgress),
            None,
            PvcSeen::Missing,
            go("latest", "1Gi"),
            W::Vanished,
        ),
    ];
    for (i, (phase, job, seen, gate, want)) in cases.into_iter().enumerate() {
        let got = next(phase, job, seen, gate);
        assert_eq!(kind(&got), want, "case {i}: {got:?}");
        if let W::Start(c) = want {
            assert_eq!(got, start(c), "case {i}");
        }
    }
}

fn report() -> RestoreReport {
    RestoreReport {
        snapshot_id: "ab".repeat(32),
        target: TARGET_MOUNT.into(),
        files: 112,
        dirs: 7,
        bytes: 4_000_000,
        duration_seconds: 2.5,
    }
}

fn verification(mismatches: &[&str]) -> VerifyReport {
    VerifyReport {
        snapshot_id: "ab".repeat(32),
        status: if mismatches.is_empty() {
            VerificationStatus::Verified
        } else {
            VerificationStatus::VerificationFailed
        },
        files_checked: 112,
        bytes_checked: 4_000_000,
        mismatches: mismatches
            .iter()
            .map(|p| Mismatch {
                path: (*p).into(),
                reason: "content differs from the snapshot".into(),
            })
            .collect(),
        mismatches_omitted: 0,
        restore_error: None,
        duration_seconds: 1.5,
    }
}

fn verified_output(mismatches: &[&str]) -> RestoreOutput {
    RestoreOutput::Verified(VerifiedRestore {
        restore: report(),
        verification: verification(mismatches),
    })
}

#[test]
fn the_movers_output_parses_back_in_both_shapes() {
    let plain = serde_json::to_string(&RestoreOutput::Plain(report())).unwrap();
    assert_eq!(
        parse::<RestoreOutput>(&plain),
        MoverResult::Report(RestoreOutput::Plain(report()))
    );
    let both = serde_json::to_string(&verified_output(&["a"])).unwrap();
    assert!(both.starts_with(r#"{"restore":"#), "{both}");
    assert_eq!(
        parse::<RestoreOutput>(&both),
        MoverResult::Report(verified_output(&["a"]))
    );
    let err = r#"{"error":{"category":"no-snapshot","message":"no snapshot `latest`"}}"#;
    assert!(
        matches!(parse::<RestoreOutput>(err), MoverResult::Failure(f) if f.category == "no-snapshot")
    );
}

#[test]
fn settle_table() {
    use RestorePhase::{Completed, Failed};
    let rep = |o: RestoreOutput| MoverResult::Report(o);
    /// (Job succeeded, the mover's result, spec.verify) → (phase, reason, errors).
    type Case<'a> = (
        bool,
        MoverResult<RestoreOutput>,
        bool,
        RestorePhase,
        Reason,
        Vec<&'a str>,
    );
    let cases: Vec<Case<'_>> = vec![
        (
            true,
            rep(verified_output(&[])),
            true,
            Completed,
            Reason::Restored,
            vec![],
        ),
        (
            true,
            rep(RestoreOutput::Plain(report())),
            false,
            Completed,
            Reason::Restored,
            vec![],
        ),
        // Asked to verify, but no comparison reported: not trusted.
        (
            true,
            rep(RestoreOutput::Plain(report())),
            true,
            Failed,
            Reason::VerificationFailed,
            vec!["the mover reported no verification"],
        ),
        (
            false,
            rep(verified_output(&["pg/base/1", "pg/global/pg_control"])),
            true,
            Failed,
            Reason::VerificationFailed,
            vec![
                "pg/base/1: content differs from the snapshot",
                "pg/global/pg_control: content differs from the snapshot",
            ],
        ),
        // A Verified report from a failed Job is not trusted.
        (
            false,
            rep(verified_output(&[])),
            true,
            Failed,
            Reason::VerificationFailed,
            vec!["the restore test failed without naming a differing path"],
        ),
        (
            false,
            rep(RestoreOutput::Plain(report())),
            false,
            Failed,
            Reason::MoverFailed,
            vec!["the mover Job failed after printing a report"],
        ),
        (
            false,
            MoverResult::Failure(MoverFailure {
                category: "wrong-key".into(),
                message: "wrong repository key".into(),
            }),
            true,
            Failed,
            Reason::MoverFailed,
            vec!["wrong-key: wrong repository key"],
        ),
        (
            true,
            MoverResult::Unreadable("the mover left no result".into()),
            true,
            Failed,
            Reason::MoverFailed,
            vec!["the mover Job succeeded: the mover left no result"],
        ),
    ];
    for (i, (ok, result, verify, phase, reason_, errors)) in cases.into_iter().enumerate() {
        let s = settle(ok, &result, verify);
        assert_eq!((s.phase, s.reason), (phase, reason_), "case {i}");
        assert_eq!(s.errors, errors, "case {i}");
        assert_eq!(
            s.output.is_some(),
            matches!(result, MoverResult::Report(_)),
            "case {i}"
        );
    }
}

fn t(s: &str) -> Time {
    Time(s.parse().unwrap())
}

fn cond<'a>(
    s: &'a RestoreStatus,
    type_: &str,
) -> Option<&'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
    s.conditions.iter().find(|c| c.type_ == type_)
}

#[test]
fn status_moves_with_the_run_and_carries_the_figures() {
    let r = restore();
    let pending = status(
        &RestoreStatus::default(),
        &r,
        RestorePhase::New,
        Reason::Pending,
        vec![],
        None,
        t("2026-11-25T00:00:00Z"),
    );
    assert_eq!(pending.started_at, None);
    assert_eq!(cond(&pending, "Ready").unwrap().status, "Unknown");
    assert!(cond(&pending, "Verified").is_none());
    let running = status(
        &pending,
        &r,
        RestorePhase::InProgress,
        Reason::InProgress,
        vec![],
        None,
        t("2026-11-25T00:01:00Z"),
    );
    assert_eq!(running.started_at, Some(t("2026-11-25T00:01:00Z")));
    assert_eq!(running.observed_generation, Some(1));
    let out = verified_output(&[]);
    let done = status(
        &running,
        &r,
        RestorePhase::Completed,
        Reason::Restored,
        vec![],
        Some(&out),
        t("2026-11-25T00:05:00Z"),
    );
    assert_eq!(done.started_at, Some(t("2026-11-25T00:01:00Z")));
    assert_eq!(done.finished_at, Some(t("2026-11-25T00:05:00Z")));
    assert_eq!(done.snapshot_id.as_deref(), Some("ab".repeat(32).as_str()));
    assert_eq!(
        (done.files, done.bytes, done.mismatches),
        (Some(112), Some(4_000_000), Some(0))
    );
    assert_eq!(done.duration_seconds, Some(4.0));
    let ready = cond(&done, "Ready").unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("True", "Restored")
    );
    assert!(
        ready.message.contains(" / snapshot dipulihkan"),
        "{}",
        ready.message
    );
    let v = cond(&done, "Verified").unwrap();
    assert_eq!((v.status.as_str(), v.reason.as_str()), ("True", "Verified"));
    // Every transition is an Event; the failure a warning.
    let tr = conditions::transitions(&running.conditions, &done.conditions);
    assert_eq!(tr.len(), 2);
    assert!(tr.iter().all(|t| !t.warning));

    let mut bad = verified_output(&["a", "b"]);
    if let RestoreOutput::Verified(v) = &mut bad {
        v.verification.mismatches_omitted = 40;
    }
    let failed = status(
        &running,
        &r,
        RestorePhase::Failed,
        Reason::VerificationFailed,
        vec!["a: content differs".into()],
        Some(&bad),
        t("2026-11-25T00:05:00Z"),
    );
    assert_eq!(failed.mismatches, Some(42));
    assert_eq!(failed.errors, vec!["a: content differs"]);
    let ready = cond(&failed, "Ready").unwrap();
    assert_eq!(
        (ready.status.as_str(), ready.reason.as_str()),
        ("False", "VerificationFailed")
    );
    assert!(
        ready.message.ends_with(": a: content differs"),
        "{}",
        ready.message
    );
    let tr = conditions::transitions(&running.conditions, &failed.conditions);
    assert!(tr.iter().all(|t| t.warning), "{tr:?}");

    // Refused before running: Verified says it never ran; no figures.
    let refused = status(
        &RestoreStatus::default(),
        &r,
        RestorePhase::Failed,
        Reason::StaleEpoch,
        vec!["spec.epoch: …".into()],
        None,
        t("2026-11-25T00:00:00Z"),
    );
    assert_eq!(cond(&refused, "Verified").unwrap().reason, "NotVerified");
    assert_eq!(refused.files, None);
    assert_eq!(refused.started_at, None);
    assert!(refused.finished_at.is_some());
    // Without verify, no Verified condition at all.
    let mut nv = restore();
    nv.spec.verify = false;
    let done = status(
        &running,
        &nv,
        RestorePhase::Completed,
        Reason::Restored,
        vec![],
        Some(&RestoreOutput::Plain(report())),
        t("2026-11-25T00:05:00Z"),
    );
    assert!(cond(&done, "Verified").is_none());
    assert_eq!(done.mismatches, None);
    // Unchanged input, unchanged status (nothing to write).
    let again = status(
        &done,
        &nv,
        RestorePhase::Completed,
        Reason::Restored,
        vec![],
        Some(&RestoreOutput::Plain(report())),
        t("2026-11-25T00:09:00Z"),
    );
    assert_eq!(again, done);
}

#[test]
fn every_reason_has_a_bilingual_ready_message() {
    for r in Reason::ALL {
        let (_, text) = r.ready();
        assert!(
            !text.en.is_empty() && !text.id.is_empty() && text.en != text.id,
            "{r:?}"
        );
        assert!(r.as_str().chars().next().unwrap().is_ascii_uppercase());
    }
}

fn owner() -> OwnerReference {
    OwnerReference {
        api_version: "pusdata.io/v1alpha1".into(),
        kind: "Restore".into(),
        name: "siak-data-restore".into(),
        uid: "uid-r1".into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn args_of(job: &Job) -> Vec<String> {
    job.spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0]
        .args
        .clone()
        .unwrap()
}

fn flag<'a>(args: &'a [String], f: &str) -> Option<&'a str> {
    args.iter()
        .position(|a| a == f)
        .map(|i| args[i + 1].as_str())
}

/// The restore Job of `r` as `admitted`, with default mover settings.
fn job_of(r: &Restore, repository: &BackupRepository, admitted: &Admitted) -> Job {
    restore_job(&RestoreJobInput {
        restore: r,
        admitted,
        repository,
        owner: owner(),
        settings: &MoverSettings::default(),
    })
}

#[test]
fn the_restore_job_writes_the_pvc_once_hardened_and_limited() {
    let r = restore();
    let mut repository = repo(NS, RepositoryPhase::Available);
    repository.spec.download_limit_bytes_per_second = Some(25_000_000);
    let Gate::Go(admitted) = go("aaaa1111", "4Gi") else {
        unreachable!()
    };
    let settings = MoverSettings::default();
    let job = job_of(&r, &repository, &admitted);
    assert_eq!(
        job.metadata.name.as_deref(),
        Some("siak-data-restore-restore")
    );
    assert_eq!(job.metadata.namespace.as_deref(), Some(NS));
    assert_eq!(
        job.metadata.labels.as_ref().unwrap()[RESTORE_LABEL],
        "siak-data-restore-restore"
    );
    assert_eq!(
        job.metadata.owner_references.as_ref().unwrap()[0].uid,
        "uid-r1"
    );
    let spec = job.spec.as_ref().unwrap();
    assert_eq!(
        spec.backoff_limit,
        Some(0),
        "never retried into a half-filled PVC"
    );
    let pod = spec.template.spec.as_ref().unwrap();
    let pod_labels = spec
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .as_ref()
        .unwrap();
    assert_eq!(pod_labels[RESTORE_LABEL], "siak-data-restore-restore");
    let args = args_of(&job);
    assert_eq!(&args[..2], ["mover", "restore"]);
    assert_eq!(flag(&args, "--snapshot"), Some("aaaa1111"));
    assert_eq!(
        flag(&args, "--tag"),
        Some("agency=disdukcapil,namespace=disdukcapil,pvc=siak-data")
    );
    assert_eq!(flag(&args, "--target"), Some(TARGET_MOUNT));
    assert_eq!(flag(&args, "--limit-download"), Some("25000000"));
    assert_eq!(flag(&args, "--result-file"), Some("/dev/termination-log"));
    assert!(args.iter().any(|a| a == "--verify"));
    assert!(
        !args
            .iter()
            .any(|a| a.contains("password") && !a.starts_with('/') && a != "--password-file")
    );
    let data = pod
        .volumes
        .as_ref()
        .unwrap()
        .iter()
        .find(|v| v.name == "data")
        .unwrap();
    let claim = data.persistent_volume_claim.as_ref().unwrap();
    assert_eq!(
        (claim.claim_name.as_str(), claim.read_only),
        ("siak-data-restored", Some(false))
    );
    let c = &pod.containers[0];
    let m = c
        .volume_mounts
        .as_ref()
        .unwrap()
        .iter()
        .find(|m| m.name == "data")
        .unwrap();
    assert_eq!((m.mount_path.as_str(), m.read_only), (TARGET_MOUNT, None));
    let res = c.resources.as_ref().unwrap();
    assert_eq!(
        res.limits.as_ref().unwrap()["memory"],
        Quantity(settings.memory_limit.clone())
    );
    let psc = pod.security_context.as_ref().unwrap();
    assert_eq!(
        (psc.run_as_user, psc.fs_group),
        (Some(DEFAULT_UID), Some(DEFAULT_UID))
    );
    assert_eq!(
        c.security_context
            .as_ref()
            .unwrap()
            .read_only_root_filesystem,
        Some(true)
    );
    let key = pod
        .volumes
        .as_ref()
        .unwrap()
        .iter()
        .find(|v| v.name == "key")
        .unwrap();
    assert_eq!(
        key.secret.as_ref().unwrap().secret_name.as_deref(),
        Some("disdukcapil-repo-key")
    );

    // Without verify, no flag.
    let mut nv = restore();
    nv.spec.verify = false;
    let job = job_of(&nv, &repository, &admitted);
    assert!(!args_of(&job).iter().any(|a| a == "--verify"));
}

#[test]
fn the_target_pvc_is_marked_sized_and_classed_as_asked() {
    let mut r = restore();
    r.spec.target.storage_class = Some("longhorn-drc".into());
    let p = target_pvc(&r, NS, &Quantity("4Gi".into()), "uid-r1");
    assert_eq!(p.metadata.name.as_deref(), Some("siak-data-restored"));
    // Never garbage-collected with the Restore: after a failover it is production data.
    assert!(p.metadata.owner_references.is_none());
    assert_eq!(p.metadata.namespace.as_deref(), Some(NS));
    assert_eq!(pvc_seen(Some(&p), Some("uid-r1")), PvcSeen::Ours);
    assert_eq!(
        p.metadata.labels.as_ref().unwrap()[RESTORE_LABEL],
        "siak-data-restore"
    );
    let spec = p.spec.unwrap();
    assert_eq!(spec.storage_class_name.as_deref(), Some("longhorn-drc"));
    assert_eq!(spec.access_modes, Some(vec!["ReadWriteOnce".to_string()]));
    assert_eq!(
        spec.resources.unwrap().requests.unwrap()["storage"],
        Quantity("4Gi".into())
    );
}

/// A Restore naming the workload's user: the mover runs as that user and group, and the new
/// volume's fsGroup is that group, so the restored files belong to the workload.
#[test]
fn the_restore_job_runs_as_the_workloads_user_when_named() {
    let Gate::Go(admitted) = go("aaaa1111", "4Gi") else {
        unreachable!()
    };
    let repository = repo(NS, RepositoryPhase::Available);
    let ids = |user: Option<i64>, group: Option<i64>| {
        let mut r = restore();
        r.spec.run_as_user = user;
        r.spec.run_as_group = group;
        let job = job_of(&r, &repository, &admitted);
        let pod = job.spec.unwrap().template.spec.unwrap();
        let psc = pod.security_context.unwrap();
        (
            psc.run_as_user,
            psc.run_as_group,
            psc.fs_group,
            psc.run_as_non_root,
        )
    };
    assert_eq!(
        ids(Some(999), Some(998)),
        (Some(999), Some(998), Some(998), Some(true))
    );
    assert_eq!(
        ids(Some(1001), None),
        (Some(1001), Some(1001), Some(1001), Some(true))
    );
    assert_eq!(
        ids(None, None),
        (
            Some(DEFAULT_UID),
            Some(DEFAULT_UID),
            Some(DEFAULT_UID),
            Some(true)
        )
    );
}

#[test]
fn job_names_fit_and_stay_distinct() {
    assert_eq!(job_name("a"), "a-restore");
    let (a, b) = (
        job_name(&"x".repeat(60)),
        job_name(&format!("{}y", "x".repeat(59))),
    );
    assert!(a.len() <= 63 && b.len() <= 63);
    assert_ne!(a, b);
}

/// Every combination of recorded phase, Job, PVC and gate: a finished Restore does nothing; a
/// Job is only created when none exists and the run never started; someone else's PVC is
/// never used; a PVC is only created when missing; a Job that exists is always followed.
#[test]
fn next_step_invariants_hold_for_every_observation() {
    let phases = [
        None,
        Some(RestorePhase::New),
        Some(RestorePhase::InProgress),
        Some(RestorePhase::Completed),
        Some(RestorePhase::Failed),
    ];
    let jobs = [
        None,
        Some(Observed::Running),
        Some(Observed::Stuck {
            reason: "CreateContainerConfigError".into(),
            message: "m".into(),
        }),
        Some(Observed::Finished {
            succeeded: true,
            message: None,
        }),
        Some(Observed::Finished {
            succeeded: false,
            message: None,
        }),
    ];
    let gates = || {
        [
            go("latest", "1Gi"),
            Gate::Wait(Reason::WaitingForRepository, "w".into()),
            Gate::Refuse(Refusal {
                reason: Reason::AgencyMismatch,
                message: "SEC-CIA".into(),
            }),
        ]
    };
    let mut seen = 0;
    for phase in phases {
        for job in &jobs {
            for pvc in [PvcSeen::Missing, PvcSeen::Ours, PvcSeen::NotOurs] {
                for gate in gates() {
                    seen += 1;
                    let go_gate = matches!(gate, Gate::Go(_));
                    let n = next(phase, job.as_ref(), pvc, gate);
                    let ctx = format!("{phase:?} {job:?} {pvc:?} → {n:?}");
                    if finished(phase) {
                        assert_eq!(n, Next::Done, "{ctx}");
                        continue;
                    }
                    if job.is_some() {
                        assert!(
                            matches!(n, Next::Running | Next::Abort(_) | Next::Settle { .. }),
                            "{ctx}"
                        );
                    }
                    if let Next::Start { create_pvc, .. } = n {
                        assert!(job.is_none() && go_gate, "{ctx}");
                        assert_ne!(phase, Some(RestorePhase::InProgress), "{ctx}");
                        assert_ne!(pvc, PvcSeen::NotOurs, "{ctx}");
                        assert_eq!(create_pvc, pvc == PvcSeen::Missing, "{ctx}");
                    }
                    if job.is_none() && pvc == PvcSeen::NotOurs {
                        assert!(matches!(n, Next::Refuse(_) | Next::Vanished), "{ctx}");
                    }
                }
            }
        }
    }
    assert_eq!(seen, 5 * 5 * 3 * 3);
}
