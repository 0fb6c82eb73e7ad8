use super::*;
use crate::dr::members;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::BackupStatus;

fn at(t: &str) -> Timestamp {
    t.parse().unwrap()
}

/// The fixture plan on a 15-minute schedule.
fn plan() -> DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    p.metadata.generation = Some(1);
    p.spec.tiers[0].schedule = Some("*/15 * * * *".into());
    p
}

/// One source per PVC of every member.
fn sources(p: &DisasterRecoveryPlan, pvcs: &[&str]) -> Vec<SourceRef> {
    members(&p.spec)
        .into_iter()
        .flat_map(|(tier, m)| {
            pvcs.iter().map(move |pvc| SourceRef {
                tier: tier.name.clone(),
                member: m.name.clone(),
                agency: m.agency.clone(),
                namespace: m.namespace.clone(),
                pvc: Some(pvc.to_string()),
                bucket: None,
            })
        })
        .collect()
}

fn repos() -> Vec<BackupRepository> {
    vec![fixtures::backup_repository("disdukcapil", "drc-bandung")]
}

fn condition<'a>(
    s: &'a DisasterRecoveryPlanStatus,
    type_: &str,
) -> &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition {
    s.conditions.iter().find(|c| c.type_ == type_).unwrap()
}

#[test]
fn a_plan_never_run_gets_one_backup_per_source_in_its_repository_at_the_drc() {
    let p = plan();
    let src = sources(&p, &["siak-data", "siak-wal"]);
    let pass = decide(&PassInput {
        plan: &p,
        sources: &src,
        missing: &[],
        backups: &[],
        repositories: &repos(),
        now: at("2026-11-25T00:00:00Z"),
    });
    let names: Vec<_> = pass
        .create
        .iter()
        .map(|b| b.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "tier-1-critical-svc-siak-data-20261125000000",
            "tier-1-critical-svc-siak-wal-20261125000000"
        ]
    );
    let b = &pass.create[0];
    assert_eq!(b.metadata.namespace.as_deref(), Some("disdukcapil"));
    assert_eq!(b.spec.repository, "disdukcapil-drc-bandung");
    assert_eq!(b.spec.trigger, BackupTrigger::Scheduled);
    let labels = b.metadata.labels.clone().unwrap();
    assert_eq!(labels[PLAN_LABEL], "bekasi");
    assert_eq!(labels[MEMBER_LABEL], "tier-1-critical-svc");
    assert_eq!(
        b.metadata.annotations.clone().unwrap()[SLOT_ANNOTATION],
        "2026-11-25T00:00:00Z"
    );
    assert_eq!(pass.next_due, Some(at("2026-11-25T00:15:00Z")));
    let st = &pass.status;
    assert_eq!(condition(st, conditions::SCHEDULED).status, "True");
    assert_eq!(condition(st, conditions::RPO_MET).status, "False");
    assert_eq!(condition(st, conditions::RPO_MET).reason, "RpoExceeded");
    assert_eq!(st.worst_rpo_ratio.as_deref(), Some("never"));
    assert_eq!(
        st.tiers[0].last_schedule_time,
        Some(Time(at("2026-11-25T00:00:00Z")))
    );
    assert_eq!(
        st.tiers[0].next_schedule_time,
        Some(Time(at("2026-11-25T00:15:00Z")))
    );
}

#[test]
fn an_agency_without_a_drc_repository_is_named_and_nothing_is_backed_up_elsewhere() {
    let p = plan();
    let src = sources(&p, &["siak-data"]);
    let elsewhere = vec![fixtures::backup_repository("disdukcapil", "dc-bekasi")];
    let pass = decide(&PassInput {
        plan: &p,
        sources: &src,
        missing: &[],
        backups: &[],
        repositories: &elsewhere,
        now: at("2026-11-25T00:00:00Z"),
    });
    assert!(pass.create.is_empty());
    assert_eq!(pass.without_repository, ["disdukcapil"]);
    let c = condition(&pass.status, conditions::SCHEDULED);
    assert_eq!(
        (c.status.as_str(), c.reason.as_str()),
        ("False", "NoRepository")
    );
    assert!(
        c.message.contains("DR-NKRI")
            && c.message.contains("drc-bandung")
            && c.message.contains(" / "),
        "{}",
        c.message
    );
}

#[test]
fn a_missing_member_namespace_is_the_scheduled_reason_when_nothing_worse_is_wrong() {
    let p = plan();
    let missing = vec![
        ("perizinan".to_string(), "dpmptsp".to_string()),
        ("perizinan".to_string(), "dpmptsp".to_string()),
    ];
    let pass = decide(&PassInput {
        plan: &p,
        sources: &sources(&p, &["siak-data"]),
        missing: &missing,
        backups: &[],
        repositories: &repos(),
        now: at("2026-11-25T00:00:00Z"),
    });
    assert_eq!(
        pass.missing,
        [("perizinan".to_string(), "dpmptsp".to_string())]
    );
    assert_eq!(pass.create.len(), 1, "the other member is still backed up");
    let c = condition(&pass.status, conditions::SCHEDULED);
    assert_eq!(c.reason, reason::MEMBER_NAMESPACE_MISSING);
    assert!(c.message.contains("dpmptsp"), "{}", c.message);
    // With no repository as well, the missing repository is the reason shown.
    let pass = decide(&PassInput {
        plan: &p,
        sources: &sources(&p, &["siak-data"]),
        missing: &missing,
        backups: &[],
        repositories: &[],
        now: at("2026-11-25T00:00:00Z"),
    });
    assert_eq!(
        condition(&pass.status, conditions::SCHEDULED).reason,
        "NoRepository"
    );
}

#[test]
fn a_source_still_being_backed_up_skips_its_run_and_the_skip_is_counted_per_tier() {
    let p = plan();
    let src = sources(&p, &["siak-data"]);
    let mut running = fixtures::backup("disdukcapil", "siak-data");
    running.status = Some(BackupStatus {
        phase: Some(BackupPhase::InProgress),
        ..BackupStatus::default()
    });
    let pass = decide(&PassInput {
        plan: &p,
        sources: &src,
        missing: &[],
        backups: std::slice::from_ref(&running),
        repositories: &repos(),
        now: at("2026-11-25T00:00:00Z"),
    });
    assert!(pass.create.is_empty());
    assert_eq!(
        pass.skipped,
        [(
            "tier-1-critical-svc-siak-data-20261125000000".to_string(),
            "siak-data-20261101-000000".to_string()
        )]
    );
    assert_eq!(pass.skipped_per_tier["tier-1-critical"], 1);
    assert_eq!(pass.status.tiers[0].skipped_runs, Some(1));
}

#[test]
fn a_second_pass_on_what_the_first_wrote_and_created_decides_the_same_status() {
    let mut p = plan();
    let src = sources(&p, &["siak-data"]);
    let now = at("2026-11-25T00:00:00Z");
    let first = decide(&PassInput {
        plan: &p,
        sources: &src,
        missing: &[],
        backups: &[],
        repositories: &repos(),
        now,
    });
    p.status = Some(first.status.clone());
    let mut created = first.create.clone();
    created[0].status = Some(BackupStatus {
        phase: Some(BackupPhase::Completed),
        finished_at: Some(Time(now)),
        ..BackupStatus::default()
    });
    let later = at("2026-11-25T00:05:00Z");
    let second = decide(&PassInput {
        plan: &p,
        sources: &src,
        missing: &[],
        backups: &created,
        repositories: &repos(),
        now: later,
    });
    assert!(second.create.is_empty(), "the slot already ran");
    assert_eq!(
        condition(&second.status, conditions::RPO_MET).status,
        "True"
    );
    // And a third pass on that, in the same slot, changes nothing.
    p.status = Some(second.status.clone());
    let third = decide(&PassInput {
        plan: &p,
        sources: &src,
        missing: &[],
        backups: &created,
        repositories: &repos(),
        now: later,
    });
    assert_eq!(third.status, second.status);
}
