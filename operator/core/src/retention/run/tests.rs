#![allow(clippy::unwrap_used)]
use super::*;
use crate::backup::job::{RetentionJobInput, retention_job};
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{BackupStatus, SecretKeyRef};

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn done(ns: &str, pvc: &str, name: &str, finished: &str, snap: &str, verified: bool) -> Backup {
    let mut b = fixtures::backup(ns, pvc);
    b.metadata.name = Some(name.into());
    b.status = Some(BackupStatus {
        phase: Some(BackupPhase::Completed),
        finished_at: Some(fixtures::time(finished)),
        snapshot_id: Some(snap.into()),
        verification: verified.then_some(VerificationStatus::Verified),
        ..BackupStatus::default()
    });
    b
}

fn agency_of(repo: &str) -> Option<String> {
    repo.strip_suffix("-drc-bandung").map(str::to_string)
}

#[test]
fn default_schedule_is_daily_in_quiet_hours_and_spread_by_repository() {
    let tier = fixtures::tier("gold", "1h", "4h");
    let a = schedule("bekasi", &tier, "dinkes-drc").unwrap();
    let b = schedule("bekasi", &tier, "disdik-drc").unwrap();
    let from = ts("2026-11-26T00:00:00Z");
    let (na, nb) = (a.next_after(from).unwrap(), b.next_after(from).unwrap());
    assert_ne!(na, nb, "two repositories are not pruned at the same minute");
    for s in [&a, &b] {
        let runs = s.next_runs(from, 3);
        assert_eq!(
            runs[1].duration_since(runs[0]),
            jiff::SignedDuration::from_hours(24)
        );
        let h = runs[0].to_zoned(jiff::tz::TimeZone::UTC).hour();
        assert!((17..23).contains(&h), "quiet hours UTC+7: {h}");
    }
    assert_eq!(
        schedule("bekasi", &tier, "dinkes-drc").unwrap(),
        a,
        "deterministic"
    );
    let mut custom = tier.clone();
    custom.retention.schedule = Some("@every 6h".into());
    assert_eq!(
        schedule("bekasi", &custom, "x").unwrap(),
        cron::parse("@every 6h").unwrap()
    );
    custom.retention.schedule = Some("61 * * * *".into());
    let err = schedule("bekasi", &custom, "x").unwrap_err();
    assert!(
        err.contains("retention.schedule") && err.contains("gold"),
        "{err}"
    );
}

#[test]
fn targets_group_by_tier_and_repository() {
    let plan = fixtures::plan();
    let mut running = fixtures::backup("dinkes", "pg");
    running.metadata.name = Some("pg-now".into());
    let mut other_plan = done(
        "dinkes",
        "pg",
        "old-plan",
        "2026-11-01T00:00:00Z",
        "zz",
        true,
    );
    other_plan.spec.plan = "other".into();
    let mut gone_tier = done("dinkes", "pg", "gone", "2026-11-01T00:00:00Z", "yy", true);
    gone_tier.spec.tier = "removed".into();
    let mut failed = done(
        "disdik",
        "pg",
        "failed",
        "2026-11-03T00:00:00Z",
        "xx",
        false,
    );
    failed.status.as_mut().unwrap().phase = Some(BackupPhase::Failed);
    let mut second_ns = done(
        "dinkes-2",
        "files",
        "f1",
        "2026-11-02T00:00:00Z",
        "bb",
        true,
    );
    second_ns.spec.repository = "dinkes-drc-bandung".into();
    let backups = vec![
        done("dinkes", "pg", "a", "2026-11-01T00:00:00Z", "aa", true),
        done("dinkes", "pg", "a2", "2026-11-01T06:00:00Z", "aa", true),
        second_ns,
        done("dinkes", "pg", "c", "2026-11-01T12:00:00Z", "cc", false),
        running,
        other_plan,
        gone_tier,
        failed,
    ];
    let t = targets(&plan, &backups, &agency_of);
    assert_eq!(
        t,
        vec![Target {
            tier: "tier-1-critical".into(),
            repository: "dinkes-drc-bandung".into(),
            agency: "dinkes".into(),
            namespace: "dinkes-2".into(),
            verified: vec!["aa".into(), "bb".into()],
            busy: vec!["dinkes/pg-now".into()],
        }]
    );
    assert!(
        targets(&plan, &backups, &|_| None).is_empty(),
        "no agency, no target"
    );
}

#[test]
fn job_names_are_deterministic_and_fit() {
    assert_eq!(
        job_name("bekasi", "gold", "dinkes-drc"),
        "retention-bekasi-gold-dinkes-drc"
    );
    let long = job_name("bekasi", &"t".repeat(40), &"r".repeat(40));
    assert!(long.len() <= 63, "{long}");
    assert_eq!(long, job_name("bekasi", &"t".repeat(40), &"r".repeat(40)));
    assert_ne!(long, job_name("bekasi", &"t".repeat(40), &"r".repeat(41)));
}

fn target() -> Target {
    Target {
        tier: "tier-1-critical".into(),
        repository: "dinkes-drc-bandung".into(),
        agency: "dinkes".into(),
        namespace: "dinkes".into(),
        verified: vec!["aa".into()],
        busy: vec![],
    }
}

fn finished(ok: bool, msg: &str) -> Option<Observed> {
    Some(Observed::Finished {
        succeeded: ok,
        message: Some(msg.into()),
    })
}

#[test]
#[allow(clippy::type_complexity)]
fn step_table() {
    let every_day = cron::parse("0 18 * * *").unwrap();
    let now = ts("2026-11-26T19:00:00Z");
    let ran = |at: &str| RetentionStatus {
        last_schedule_time: Some(fixtures::time(at)),
        ..RetentionStatus::default()
    };
    let today = ran("2026-11-26T18:00:05Z");
    let yesterday = ran("2026-11-25T18:00:05Z");
    let mut busy = target();
    busy.busy = vec!["dinkes/pg-1".into()];
    let report = r#"{"groups":[],"forgotten":["a","b"],"forgottenCount":2,"pruned":true,"dryRun":false,"removedStaleLocks":["l"],"durationSeconds":1.0}"#;
    let locked = r#"{"error":{"category":"locked","message":"repository is locked"}}"#;
    let broken = r#"{"error":{"category":"repository","message":"cannot reach"}}"#;
    let ok_outcome = Outcome {
        ok: true,
        reason: reason::SUCCEEDED,
        forgotten: Some(2),
        pruned: Some(true),
        stale_locks_removed: Some(1),
        errors: vec![],
    };
    let failed = |reason: &'static str, e: &str| Outcome {
        ok: false,
        reason,
        forgotten: None,
        pruned: None,
        stale_locks_removed: None,
        errors: vec![e.into()],
    };
    let cases: Vec<(
        &str,
        Target,
        Option<&RetentionStatus>,
        Option<Observed>,
        Vec<String>,
        Step,
    )> = vec![
        ("never ran", target(), None, None, vec![], Step::Start),
        (
            "ran yesterday",
            target(),
            Some(&yesterday),
            None,
            vec![],
            Step::Start,
        ),
        (
            "ran today",
            target(),
            Some(&today),
            None,
            vec![],
            Step::Idle(Due::At(ts("2026-11-27T18:00:00Z"))),
        ),
        (
            "backup running",
            busy.clone(),
            Some(&yesterday),
            None,
            vec![],
            Step::Wait("backup dinkes/pg-1".into()),
        ),
        (
            "other maintenance",
            target(),
            None,
            None,
            vec!["dinkes/retention-x".into()],
            Step::Wait("Job dinkes/retention-x".into()),
        ),
        (
            "job running",
            busy.clone(),
            None,
            Some(Observed::Running),
            vec![],
            Step::Running,
        ),
        (
            "succeeded",
            target(),
            None,
            finished(true, report),
            vec![],
            Step::Finish(ok_outcome),
        ),
        (
            "locked",
            target(),
            None,
            finished(false, locked),
            vec![],
            Step::Finish(failed(reason::LOCKED, "locked: repository is locked")),
        ),
        (
            "failed",
            target(),
            None,
            finished(false, broken),
            vec![],
            Step::Finish(failed(reason::FAILED, "repository: cannot reach")),
        ),
        (
            "no result",
            target(),
            None,
            finished(false, ""),
            vec![],
            Step::Finish(failed(
                reason::FAILED,
                "the retention Job left no result: the mover left no result",
            )),
        ),
        (
            "stuck",
            target(),
            None,
            Some(Observed::Stuck {
                reason: "CreateContainerConfigError".into(),
                message: "secret \"drc-s3\" not found".into(),
            }),
            vec![],
            Step::Finish(failed(
                reason::FAILED,
                "the retention Pod cannot start: CreateContainerConfigError: secret \"drc-s3\" not found",
            )),
        ),
    ];
    for (what, t, status, job, other, want) in cases {
        let got = step(&StepInput {
            target: &t,
            schedule: &every_day,
            status,
            job,
            other_maintenance: other,
            now,
        });
        assert_eq!(got, want, "{what}");
    }
}

#[test]
fn record_start_then_finish_sets_figures_and_one_transition() {
    let t = target();
    let now = ts("2026-11-26T18:00:00Z");
    let started = record(None, &t, "retention-x", &Step::Start, None, now);
    assert_eq!(started.last_schedule_time, Some(Time(now)));
    assert_eq!(started.phase.as_deref(), Some("Running"));
    assert_eq!(started.conditions[0].reason, reason::RUNNING);
    let later = ts("2026-11-26T18:05:00Z");
    let o = outcome(&Observed::Finished {
        succeeded: true,
        message: Some(r#"{"forgotten":["a"],"pruned":true}"#.into()),
    })
    .unwrap();
    let next = ts("2026-11-27T18:00:00Z");
    let fin = record(
        Some(&started),
        &t,
        "retention-x",
        &Step::Finish(o),
        Some(next),
        later,
    );
    assert_eq!(fin.phase.as_deref(), Some("Succeeded"));
    assert_eq!(fin.snapshots_forgotten, Some(1));
    assert_eq!(fin.pruned, Some(true));
    assert_eq!(fin.last_success, Some(Time(later)));
    assert_eq!(fin.last_schedule_time, Some(Time(now)), "the slot stays");
    assert_eq!(fin.next_schedule_time, Some(Time(next)));
    let tr = conditions::transitions(&started.conditions, &fin.conditions);
    assert_eq!(tr.len(), 1);
    assert_eq!(tr[0].reason, reason::SUCCEEDED);
    assert!(!tr[0].warning);
    // A failure after it warns; an idle pass changes nothing but the next time.
    let bad = outcome(&Observed::Finished {
        succeeded: false,
        message: Some(r#"{"error":{"category":"locked","message":"held"}}"#.into()),
    })
    .unwrap();
    let failed = record(
        Some(&fin),
        &t,
        "retention-x",
        &Step::Finish(bad),
        None,
        later,
    );
    let tr = conditions::transitions(&fin.conditions, &failed.conditions);
    assert!(tr[0].warning && tr[0].reason == reason::LOCKED);
    assert_eq!(
        failed.last_success, fin.last_success,
        "a failure keeps the last success"
    );
    let idle = record(
        Some(&failed),
        &t,
        "retention-x",
        &Step::Idle(Due::Never),
        None,
        later,
    );
    assert_eq!(idle, failed);
}

#[test]
fn the_job_runs_forget_prune_with_the_tier_policy_and_verified_ids() {
    let mut tier = fixtures::tier("gold", "1h", "4h");
    tier.retention.keep_daily = Some(7);
    tier.retention.min_verified = 2;
    let repo = fixtures::backup_repository("dinkes", "drc-bandung");
    let key = SecretKeyRef {
        name: "dinkes-key".into(),
        key: "password".into(),
        ..SecretKeyRef::default()
    };
    let verified = vec!["aa11".to_string(), "bb22".to_string()];
    let job = retention_job(&RetentionJobInput {
        name: "retention-bekasi-gold-dinkes-drc-bandung",
        namespace: "dinkes",
        plan: "bekasi",
        tier: &tier,
        repository_name: "dinkes-drc-bandung",
        repository: &repo.spec,
        key: &key,
        verified: &verified,
        owner: k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference::default(),
        settings: &crate::backup::job::MoverSettings::default(),
    });
    let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
    let args = pod.containers[0].args.clone().unwrap().join(" ");
    for want in [
        "mover forget",
        "--tag agency=dinkes --tag plan=bekasi --tag tier=gold",
        "--keep-last 24",
        "--keep-daily 7",
        "--min-verified 2",
        "--verified aa11 --verified bb22",
        "--prune",
        "--result-file /dev/termination-log",
    ] {
        assert!(args.contains(want), "{want} not in {args}");
    }
    assert!(!args.contains("--keep-hourly"));
    assert!(
        pod.volumes
            .as_ref()
            .unwrap()
            .iter()
            .all(|v| v.persistent_volume_claim.is_none())
    );
    let labels = job.metadata.labels.unwrap();
    assert_eq!(labels[REPOSITORY_LABEL], "dinkes-drc-bandung");
    assert_eq!(labels[MAINTENANCE_LABEL], MAINTENANCE_RETENTION);
    assert_eq!(
        labels[crate::backup::job::BACKUP_LABEL],
        "retention-bekasi-gold-dinkes-drc-bandung"
    );
}

#[test]
fn a_large_forget_report_fits_a_termination_message_and_keeps_its_count() {
    use crate::backup::result::{FORGOTTEN_KEPT, TERMINATION_MESSAGE_MAX, fit_termination_message};
    let ids: Vec<String> = (0..200).map(|i| format!("{i:064x}")).collect();
    let report = serde_json::json!({
        "groups": [{"tags": ["tier=gold"], "paths": ["/data/pg"],
                    "decisions": ids.iter().map(|i| serde_json::json!({"id": i, "keep": false, "reasons": []})).collect::<Vec<_>>()}],
        "forgotten": ids, "forgottenCount": 200, "pruned": true, "dryRun": false,
        "removedStaleLocks": [], "durationSeconds": 12.0
    });
    let fitted = fit_termination_message(&report);
    assert!(fitted.len() <= TERMINATION_MESSAGE_MAX, "{}", fitted.len());
    let o = outcome(&Observed::Finished {
        succeeded: true,
        message: Some(fitted.clone()),
    })
    .unwrap();
    assert_eq!(o.forgotten, Some(200));
    let v: serde_json::Value = serde_json::from_str(&fitted).unwrap();
    assert_eq!(v["forgotten"].as_array().unwrap().len(), FORGOTTEN_KEPT);
}
