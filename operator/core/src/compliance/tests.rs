//! Content tests of the compliance report: every rule present, a bad object makes its rule
//! non-compliant, exceptions show their expiry, drills give RPO/RTO, the JSON keeps its shape.

use super::*;
use pusdata_crds::fixtures;
use pusdata_crds::v1alpha1::{FailoverStatus, ReportRef};

fn now() -> Timestamp {
    "2026-11-25T00:00:00Z".parse().unwrap()
}

/// The fixture plan with what the plan checker asks of a complete one.
fn plan() -> pusdata_crds::v1alpha1::DisasterRecoveryPlan {
    let mut p = fixtures::plan();
    p.spec.assumed_restore_bytes_per_second = Some(100_000_000);
    p.spec.runbook =
        vec![serde_json::from_value(serde_json::json!({
        "id": "declare", "title": {"en": "Head of office orders the failover", "id": "Kepala dinas memerintahkan failover"}, "kind": "Approval",
        "ownerRole": "head-of-office", "stage": "Before", "appliesTo": ["Failover", "Failback"],
    }))
    .unwrap()];
    p.spec.contacts = vec![
        serde_json::from_value(serde_json::json!({
            "role": "head-of-office", "name": "Kepala Diskominfostandi",
        }))
        .unwrap(),
    ];
    p.spec.roles = vec![
        serde_json::from_value(serde_json::json!({
            "name": "head-of-office", "groups": ["bekasi:kepala-dinas"],
        }))
        .unwrap(),
    ];
    p
}

/// A clean city: policy, both sites, an agency, a repository at the DRC, a plan.
fn clean() -> Vec<Subject> {
    let mut drc = fixtures::drc_site("Kota Bandung", fixtures::BANDUNG);
    drc.spec.endpoints.s3 = Some("https://s3.drc.bekasikota.go.id".into());
    [
        Object::ResidencyPolicy(fixtures::residency_policy()),
        Object::Site(fixtures::primary_site()),
        Object::Site(drc),
        Object::Agency(fixtures::agency("disdukcapil")),
        Object::BackupRepository(fixtures::backup_repository("disdukcapil", "drc-bandung")),
        Object::DisasterRecoveryPlan(plan()),
    ]
    .into_iter()
    .map(|o| Subject::new("test.yaml", o))
    .collect()
}

fn rule<'a>(r: &'a Report, id: &str) -> &'a RuleReport {
    r.rules.iter().find(|x| x.id == id).unwrap()
}

fn finished_drill(rto_achieved: u64) -> Failover {
    let mut d = fixtures::drill();
    d.status = Some(FailoverStatus {
        phase: Some(FailoverPhase::Succeeded),
        started_at: Some(fixtures::time("2026-11-20T01:00:00Z")),
        finished_at: Some(fixtures::time("2026-11-20T02:00:00Z")),
        tiers: vec![TierOutcome {
            tier: "tier-1-critical".into(),
            rpo_target_seconds: 900,
            rpo_achieved_seconds: Some(300),
            rto_target_seconds: 14_400,
            rto_achieved_seconds: Some(rto_achieved),
            met: Some(rto_achieved <= 14_400),
        }],
        report: Some(ReportRef {
            config_map: None,
            url: None,
            sha256: Some("ab".repeat(32)),
        }),
        ..FailoverStatus::default()
    });
    d
}

#[test]
fn every_rule_of_the_regulations_is_in_the_report_in_order_with_its_coverage() {
    let r = assemble(&clean(), now());
    assert_eq!(r.rules.len(), 20);
    assert_eq!(r.summary.rules, 20);
    let ids: Vec<&str> = r.rules.iter().map(|x| x.id.as_str()).collect();
    let table: Vec<&str> = RULES.iter().map(|x| x.id).collect();
    assert_eq!(ids, table);
    for c in COVERAGE {
        assert!(
            crate::rules::rule(c.rule).is_some(),
            "{} is no rule",
            c.rule
        );
    }
    for x in &r.rules {
        assert!(
            !x.checked.en.is_empty() && !x.checked.id.is_empty(),
            "{}",
            x.id
        );
        assert_ne!(x.checked.en, x.checked.id, "{} not translated", x.id);
        // The texts come from the catalogue: an unknown ID would render as the ID itself.
        assert!(
            !x.checked.en.starts_with("rule-"),
            "{}: {:?}",
            x.id,
            x.checked
        );
        if let Some(why) = &x.not_checked_because {
            assert!(!why.en.starts_with("rule-") && !why.id.starts_with("rule-"));
            assert_ne!(why.en, why.id, "{} not translated", x.id);
        }
        assert!(!x.source.is_empty());
        assert_eq!(x.automatic, x.not_checked_because.is_none(), "{}", x.id);
    }
    assert_eq!(
        r.summary.compliant + r.summary.with_findings + r.summary.not_checked,
        20
    );
}

#[test]
fn a_clean_city_with_a_met_drill_is_compliant_where_checked() {
    let mut s = clean();
    s.push(Subject::new(
        "drill/failover.yaml",
        Object::Failover(finished_drill(3600)),
    ));
    let r = assemble(&s, now());
    for x in &r.rules {
        let expected = if x.automatic {
            Status::Compliant
        } else {
            Status::NotChecked
        };
        assert_eq!(x.status, expected, "{}: {:?}", x.id, x.findings);
    }
    assert_eq!(rule(&r, "HOST-ACCESS").status, Status::NotChecked);
    assert!(rule(&r, "HOST-ACCESS").not_checked_because.is_some());
    assert_eq!(rule(&r, "DR-PLAN").objects_checked, 1);
    let d = &r.drills[0];
    assert_eq!(
        (d.plan.as_str(), d.drill.as_deref()),
        ("bekasi", Some("drill-2026-11"))
    );
    assert_eq!(d.phase.as_deref(), Some("Succeeded"));
    assert_eq!(d.tiers[0].rto_achieved_seconds, Some(3600));
    assert_eq!(d.source.as_deref(), Some("drill/failover.yaml"));
}

#[test]
fn a_bad_manifest_makes_its_rule_non_compliant_and_names_the_object() {
    let mut s = clean();
    // A DRC site inside Kota Bekasi: DR-FAR.
    let mut near = fixtures::drc_site("Kota Bekasi", fixtures::BANDUNG);
    near.metadata.name = Some("drc-near".into());
    s.push(Subject::new("bad/drc-in-bekasi.yaml", Object::Site(near)));
    let r = assemble(&s, now());
    let far = rule(&r, "DR-FAR");
    assert_eq!(far.status, Status::Findings);
    assert!(
        far.findings
            .iter()
            .any(|f| f.object == "Site drc-near" && f.source == "bad/drc-in-bekasi.yaml"),
        "{:?}",
        far.findings
    );
    assert!(r.summary.deny >= 1);
    // Other rules are not dragged along.
    assert_eq!(rule(&r, "CLOUD-NKRI").status, Status::Compliant);
}

#[test]
fn an_expired_exception_is_listed_as_expired_and_no_longer_suppresses() {
    let mut s = clean();
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions = vec![
        fixtures::exception("old", "CLOUD-NKRI", "2026-01-01T00:00:00Z"),
        fixtures::exception("current", "HOST-CLEAN", "2027-06-01T00:00:00Z"),
    ];
    s[0] = Subject::new("policy.yaml", Object::ResidencyPolicy(policy));
    s.push(Subject::new(
        "cloud.yaml",
        Object::ExternalCloudService(fixtures::external_cloud("disdik", "aws", "ap-southeast-1")),
    ));
    s.push(Subject::new(
        "agency.yaml",
        Object::Agency(fixtures::agency("disdik")),
    ));
    let r = assemble(&s, now());
    let old = r.exceptions.iter().find(|e| e.name == "old").unwrap();
    assert!(old.expired);
    assert_eq!(old.target, "ExternalCloudService disdik/lms");
    assert!(
        !r.exceptions
            .iter()
            .find(|e| e.name == "current")
            .unwrap()
            .expired
    );
    assert_eq!(r.summary.expired_exceptions, 1);
    let nkri = rule(&r, "CLOUD-NKRI");
    assert_eq!(nkri.exceptions, vec!["old".to_string()]);
    assert_eq!(nkri.status, Status::Findings);
    assert!(
        nkri.findings
            .iter()
            .any(|f| f.message.en.contains("exception old expired")),
        "{:?}",
        nkri.findings
    );
    // AUDIT lists the expired exception for information, without failing the rule.
    let audit = rule(&r, "AUDIT");
    assert!(audit.findings.iter().any(|f| f.severity == Severity::Info));
    assert_eq!(audit.status, Status::Compliant);
}

#[test]
fn an_exception_in_force_moves_the_finding_to_excepted() {
    let mut s = clean();
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions = vec![fixtures::exception(
        "mig",
        "CLOUD-NKRI",
        "2027-01-01T00:00:00Z",
    )];
    s[0] = Subject::new("policy.yaml", Object::ResidencyPolicy(policy));
    s.push(Subject::new(
        "cloud.yaml",
        Object::ExternalCloudService(fixtures::external_cloud("disdik", "aws", "ap-southeast-1")),
    ));
    s.push(Subject::new(
        "agency.yaml",
        Object::Agency(fixtures::agency("disdik")),
    ));
    let r = assemble(&s, now());
    let nkri = rule(&r, "CLOUD-NKRI");
    assert!(
        nkri.findings.iter().all(|f| f.severity == Severity::Info),
        "{:?}",
        nkri.findings
    );
    assert!(!nkri.excepted.is_empty());
    assert!(
        nkri.excepted
            .iter()
            .all(|e| e.excepted_by.as_deref() == Some("mig"))
    );
    assert_eq!(nkri.status, Status::Compliant);
}

#[test]
fn drills_missing_failed_or_slow_are_app_backup_findings() {
    let r = assemble(&clean(), now());
    let app = rule(&r, "APP-BACKUP");
    assert_eq!(app.status, Status::Findings);
    assert!(app.findings[0].message.en.contains("no recorded drill"));
    assert_eq!(r.drills[0].drill, None);

    let mut s = clean();
    s.push(Subject::new(
        "d.yaml",
        Object::Failover(finished_drill(20_000)),
    ));
    let r = assemble(&s, now());
    let app = rule(&r, "APP-BACKUP");
    assert!(
        app.findings
            .iter()
            .any(|f| f.message.en.contains("missed its objectives"))
    );

    let mut failed = finished_drill(100);
    failed.metadata.name = Some("drill-2026-12".into());
    if let Some(st) = failed.status.as_mut() {
        st.phase = Some(FailoverPhase::Failed);
        st.started_at = Some(fixtures::time("2026-11-24T00:00:00Z"));
    }
    let mut s = clean();
    s.push(Subject::new(
        "a.yaml",
        Object::Failover(finished_drill(100)),
    ));
    s.push(Subject::new("b.yaml", Object::Failover(failed)));
    let r = assemble(&s, now());
    assert_eq!(
        r.drills[0].drill.as_deref(),
        Some("drill-2026-12"),
        "the later one"
    );
    assert!(
        rule(&r, "APP-BACKUP")
            .findings
            .iter()
            .any(|f| f.severity == Severity::Deny && f.message.en.contains("failed"))
    );
}

#[test]
fn a_finished_failover_without_a_hashed_report_breaks_sec_incident() {
    let mut fo = finished_drill(100);
    fo.spec.kind = FailoverType::Failover;
    if let Some(st) = fo.status.as_mut() {
        st.report = None;
    }
    let mut s = clean();
    s.push(Subject::new("fo.yaml", Object::Failover(fo)));
    let r = assemble(&s, now());
    assert_eq!(rule(&r, "SEC-INCIDENT").status, Status::Findings);
}

fn keys(v: &serde_json::Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_json_form_keeps_its_field_names() {
    let mut s = clean();
    let mut policy = fixtures::residency_policy();
    policy.spec.exceptions = vec![fixtures::exception(
        "old",
        "CLOUD-NKRI",
        "2026-01-01T00:00:00Z",
    )];
    s[0] = Subject::new("policy.yaml", Object::ResidencyPolicy(policy));
    s.push(Subject::new(
        "d.yaml",
        Object::Failover(finished_drill(100)),
    ));
    s.push(Subject::new(
        "bad.yaml",
        Object::Site(fixtures::drc_site("Kota Bekasi", fixtures::BANDUNG)),
    ));
    let v = serde_json::to_value(assemble(&s, now())).unwrap();
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(
        keys(&v),
        [
            "drills",
            "exceptions",
            "generatedAt",
            "otherFindings",
            "rules",
            "schemaVersion",
            "summary"
        ]
    );
    assert_eq!(
        keys(&v["summary"]),
        [
            "compliant",
            "deny",
            "expiredExceptions",
            "notChecked",
            "objects",
            "rules",
            "warn",
            "withFindings"
        ]
    );
    let far = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "DR-FAR")
        .unwrap();
    assert_eq!(
        keys(far),
        [
            "automatic",
            "checked",
            "excepted",
            "exceptions",
            "findings",
            "id",
            "objectsChecked",
            "requirement",
            "source",
            "status"
        ]
    );
    assert_eq!(far["status"], "findings");
    assert_eq!(
        keys(&far["findings"][0]),
        ["hint", "message", "object", "path", "severity", "source"]
    );
    assert_eq!(keys(&far["requirement"]), ["en", "id"]);
    let manual = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "HOST-SITE")
        .unwrap();
    assert_eq!(manual["status"], "not-checked");
    assert!(manual["notCheckedBecause"]["id"].is_string());
    assert_eq!(
        keys(&v["exceptions"][0]),
        [
            "approvedBy",
            "expired",
            "expiresAt",
            "name",
            "policy",
            "reason",
            "rule",
            "target",
            "ticket"
        ]
    );
    assert_eq!(
        keys(&v["drills"][0]),
        [
            "drill",
            "finishedAt",
            "phase",
            "plan",
            "reportSha256",
            "source",
            "startedAt",
            "tiers"
        ]
    );
    assert_eq!(
        keys(&v["drills"][0]["tiers"][0]),
        [
            "met",
            "rpoAchievedSeconds",
            "rpoTargetSeconds",
            "rtoAchievedSeconds",
            "rtoTargetSeconds",
            "tier"
        ]
    );
    // And it reads back.
    let back: Report = serde_json::from_value(v).unwrap();
    assert_eq!(back.rules.len(), 20);
}
