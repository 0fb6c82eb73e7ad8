use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use proptest::prelude::*;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{BackupStatus, StepState, StepStatus};

fn src(member: &str, pvc: &str) -> SourceRef {
    SourceRef {
        tier: "tier-1-critical".into(),
        member: member.into(),
        agency: "disdukcapil".into(),
        namespace: "disdukcapil".into(),
        pvc: Some(pvc.into()),
        bucket: None,
    }
}

/// A Backup of `pvc` of `member`, finished at minute `min`.
fn bk(name: &str, member: &str, pvc: &str, min: i64, phase: BackupPhase, verified: bool) -> Backup {
    let mut b = fixtures::backup("disdukcapil", pvc);
    b.metadata.name = Some(name.into());
    b.spec.member = member.into();
    b.status = Some(BackupStatus {
        phase: Some(phase),
        snapshot_id: Some(format!("snap-{name}")),
        finished_at: Some(Time(
            Timestamp::from_second(1_790_000_000 + min * 60).unwrap(),
        )),
        verification: verified.then_some(VerificationStatus::Verified),
        ..BackupStatus::default()
    });
    b
}

fn ok(name: &str, member: &str, pvc: &str, min: i64, verified: bool) -> Backup {
    bk(name, member, pvc, min, BackupPhase::Completed, verified)
}

fn final_sync(name: &str, member: &str, pvc: &str, min: i64, fo: &str) -> Backup {
    let mut b = ok(name, member, pvc, min, false);
    b.metadata.labels = Some([(FAILOVER_LABEL.to_string(), fo.to_string())].into());
    b
}

fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    let m = p.spec.tiers[0].members[0].clone();
    p.spec.tiers[0].members = ["db", "app", "cache"]
        .iter()
        .map(|n| pusdata_crds::v1alpha1::Member {
            name: n.to_string(),
            ..m.clone()
        })
        .collect();
    p
}

#[test]
fn targets_are_the_selected_pvcs_else_the_backed_up_ones() {
    let live = [
        src("db", "db-wal"),
        src("db", "db-data"),
        src("db", "db-data"),
    ];
    let backups = [
        ok("db-old", "db", "db-retired", 1, true),
        ok("app-1", "app", "app-uploads", 1, false),
        ok("app-2", "app", "app-config", 2, true),
        bk("app-3", "app", "app-failed", 3, BackupPhase::Failed, false),
        {
            let mut b = ok("other-plan", "app", "app-elsewhere", 4, true);
            b.spec.plan = "another".into();
            b
        },
    ];
    let t = targets(&plan(), &live, &backups);
    assert_eq!(
        t,
        [
            // Selected now: sorted, once each; the Backup of a PVC no longer selected is not
            // brought back.
            (
                "db".to_string(),
                vec!["db-data".to_string(), "db-wal".to_string()]
            ),
            // Nothing selected in this cluster: the PVCs its completed Backups of this plan
            // name.
            (
                "app".to_string(),
                vec!["app-config".to_string(), "app-uploads".to_string()]
            ),
        ]
        .into(),
        "cache has neither and is restored as one unit"
    );
}

#[test]
fn recorded_targets_come_from_restore_steps_with_a_pvc() {
    assert_eq!(recorded(&FailoverStatus::default()), None);
    let step = |id: &str, svc: Option<&str>, pvc: Option<&str>| StepStatus {
        id: id.into(),
        service: svc.map(str::to_string),
        pvc: pvc.map(str::to_string),
        state: StepState::Pending,
        ..StepStatus::default()
    };
    let st = FailoverStatus {
        steps: vec![
            step("notify", None, None),
            step("restore/db/db-wal", Some("db"), Some("db-wal")),
            step("restore/db/db-data", Some("db"), Some("db-data")),
            step("verify/db", Some("db"), None),
            step("restore/app", Some("app"), None),
            // A pvc field on a step that is not that PVC's restore step is not a target.
            step("verify/app", Some("app"), Some("x")),
        ],
        ..FailoverStatus::default()
    };
    assert_eq!(
        recorded(&st),
        Some(
            [(
                "db".to_string(),
                vec!["db-data".to_string(), "db-wal".to_string()]
            )]
            .into()
        )
    );
}

#[test]
fn each_pvc_comes_back_from_its_own_best_backup() {
    let backups = vec![
        ok("a-verified", "db", "db-a", 10, true),
        ok("a-newer", "db", "db-a", 20, false),
        ok("b-only", "db", "db-b", 5, false),
        final_sync("a-final-other", "db", "db-a", 30, "fo-other"),
        bk("a-running", "db", "db-a", 40, BackupPhase::InProgress, true),
        ok("app", "app", "app-data", 50, true),
    ];
    let name = |r: Result<&Backup, Text>| r.map(|b| b.metadata.name.clone().unwrap());
    // (failover, pvc, require_verified) → chosen Backup
    type Case<'a> = (&'a str, Option<&'a str>, bool, Result<&'a str, &'a str>);
    let table: &[Case] = &[
        // newest verified beats a newer unverified (and another execution's final sync)
        ("fo-1", Some("db-a"), false, Ok("a-verified")),
        ("fo-1", Some("db-a"), true, Ok("a-verified")),
        // this execution's own final sync beats everything
        ("fo-other", Some("db-a"), false, Ok("a-final-other")),
        ("fo-other", Some("db-a"), true, Ok("a-final-other")),
        // no verified Backup: the newest completed, unless verified ones are required
        ("fo-1", Some("db-b"), false, Ok("b-only")),
        (
            "fo-1",
            Some("db-b"),
            true,
            Err("no verified Backup of PVC db-b of db"),
        ),
        (
            "fo-1",
            Some("db-c"),
            false,
            Err("no completed Backup of PVC db-c of db"),
        ),
        // a service restored as one unit: its best Backup over all PVCs
        ("fo-1", None, false, Ok("a-verified")),
    ];
    for (fo, pvc, req, want) in table {
        let got = pick(&backups, fo, "db", *pvc, *req);
        match want {
            Ok(w) => assert_eq!(name(got).as_deref(), Ok(*w), "{fo} {pvc:?} {req}"),
            Err(w) => {
                let e = got.unwrap_err();
                assert!(e.en.starts_with(w), "{fo} {pvc:?} {req}: {}", e.en);
                assert!(e.id.contains("Backup"), "{}", e.id);
            }
        }
    }
}

#[test]
fn targets_are_deterministic_paths() {
    let table = [
        (FailoverType::Drill, Some("db-a"), "drill/q4/db/db-a"),
        (FailoverType::Drill, None, "drill/q4/db"),
        (FailoverType::Failover, Some("db-a"), "disdukcapil/db/db-a"),
        (FailoverType::Failback, None, "disdukcapil/db"),
    ];
    for (kind, pvc, want) in table {
        assert_eq!(target_path(kind, "q4", "disdukcapil", "db", pvc), want);
        if kind == FailoverType::Drill {
            assert!(want.starts_with(&format!("{}/", drill_root("q4"))));
        }
    }
}

#[test]
fn only_drills_of_restore_tested_tiers_require_verified_backups() {
    let mut p = plan();
    p.spec.tiers[0].verification.restore_test_schedule = Some("0 3 * * 0".into());
    let t = p.spec.tiers[0].name.clone();
    assert!(requires_verified(&p, FailoverType::Drill, &t));
    assert!(!requires_verified(&p, FailoverType::Failover, &t));
    assert!(!requires_verified(&p, FailoverType::Failback, &t));
    assert!(!requires_verified(&p, FailoverType::Drill, "no-such-tier"));
    p.spec.tiers[0].verification.restore_test_schedule = None;
    assert!(!requires_verified(&p, FailoverType::Drill, &t));
}

proptest! {
    #[test]
    fn the_choice_does_not_depend_on_list_order(
        spec in proptest::collection::vec((0u8..3, 0i64..5, any::<bool>(), any::<bool>()), 1..10),
        rotate in 0usize..10,
        req in any::<bool>(),
    ) {
        let backups: Vec<Backup> = spec.iter().enumerate().map(|(i, (pvc, min, verified, mine))| {
            let pvc = format!("p{pvc}");
            if *mine { final_sync(&format!("b{i}"), "db", &pvc, *min, "fo") }
            else { ok(&format!("b{i}"), "db", &pvc, *min, *verified) }
        }).collect();
        let mut turned = backups.clone();
        turned.rotate_left(rotate % backups.len());
        turned.reverse();
        for pvc in [Some("p0"), Some("p1"), Some("p2"), None] {
            let a = pick(&backups, "fo", "db", pvc, req).map(|b| b.metadata.name.clone());
            let b = pick(&turned, "fo", "db", pvc, req).map(|b| b.metadata.name.clone());
            prop_assert_eq!(&a, &b);
            if let (Ok(Some(n)), Some(p)) = (&a, pvc) {
                let chosen = backups.iter().find(|x| x.metadata.name.as_ref() == Some(n)).unwrap();
                prop_assert_eq!(chosen.spec.source.pvc.as_deref(), Some(p));
            }
        }
    }
}
