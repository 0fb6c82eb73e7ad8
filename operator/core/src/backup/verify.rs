//! Restore tests of completed backup runs (issue #5 item 6): which run's snapshot is tested
//! and when, and the status its result gives.
//!
//! The newest completed run of a source is tested when its tier's `restoreTestSchedule`
//! (compiled by [`crate::dr::compile`], the calendar the plan checker reports) says a test
//! is due since that source's last test ([`crate::repository::run_due`]: a missed test is
//! made up once). Older runs are never tested: the latest snapshot is the one a restore
//! would use.

use crate::conditions::{self, Desired};
use crate::dr::{EntryKind, compile};
use crate::repository::{Due, run_due};
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, BackupStatus, DisasterRecoveryPlan, VerificationStatus,
};

/// The same source of the same plan tier (what a restore test stands for).
fn same_source(a: &Backup, b: &Backup) -> bool {
    a.metadata.namespace == b.metadata.namespace
        && a.spec.plan == b.spec.plan
        && a.spec.tier == b.spec.tier
        && a.spec.member == b.spec.member
        && a.spec.source == b.spec.source
}

/// Whether `run` (a completed Backup with a snapshot, not yet tested) is due a restore test:
/// [`Due::Never`] if it is not the newest completed run of its source among `runs` or its
/// tier has no restore-test schedule; otherwise per the schedule since the source's last
/// test (any of `runs`' `status.verifiedAt`).
pub fn restore_test_due(
    run: &Backup,
    runs: &[Backup],
    plan: &DisasterRecoveryPlan,
    now: Timestamp,
) -> Due {
    let st = run.status.clone().unwrap_or_default();
    if st.phase != Some(BackupPhase::Completed)
        || st.snapshot_id.is_none()
        || st.verification.is_some()
    {
        return Due::Never;
    }
    let key = |b: &Backup| {
        let s = b.status.as_ref();
        (
            s.and_then(|s| s.finished_at.as_ref()).map(|t| t.0),
            b.metadata.name.clone(),
        )
    };
    let newest = runs
        .iter()
        .filter(|b| same_source(b, run))
        .filter(|b| {
            b.status
                .as_ref()
                .is_some_and(|s| s.phase == Some(BackupPhase::Completed) && s.snapshot_id.is_some())
        })
        .max_by_key(|b| key(b));
    if newest.is_some_and(|n| key(n) > key(run)) {
        return Due::Never;
    }
    let schedules: Vec<_> = compile(plan)
        .entries
        .into_iter()
        .filter(|e| e.kind == EntryKind::RestoreTest && e.tiers.contains(&run.spec.tier))
        .map(|e| e.spec)
        .collect();
    let last = runs
        .iter()
        .filter(|b| same_source(b, run))
        .filter_map(|b| b.status.as_ref()?.verified_at.as_ref().map(|t| t.0))
        .max();
    run_due(last, &schedules, now)
}

/// The status after a restore test: the verification, when, why it failed, and the
/// `Verified` condition (bilingual).
pub fn verified_status(
    old: &BackupStatus,
    verification: VerificationStatus,
    errors: Vec<String>,
    generation: Option<i64>,
    now: Time,
) -> BackupStatus {
    let (ok, reason, text) = match verification {
        VerificationStatus::Verified => (
            Some(true),
            "Verified",
            crate::t!("repository-verify-restore-test-passed-every"),
        ),
        VerificationStatus::VerificationFailed => (
            Some(false),
            "VerificationFailed",
            crate::t!("repository-verify-restore-test-failed"),
        ),
        VerificationStatus::NotVerified => (
            None,
            "NotVerified",
            crate::t!("repository-verify-verified-yet"),
        ),
    };
    let mut message = text.to_string();
    if let Some(first) = errors.first() {
        message.push_str(": ");
        message.push_str(first);
    }
    let mut s = old.clone();
    s.conditions = conditions::merge(
        &old.conditions,
        &[Desired {
            type_: conditions::VERIFIED,
            status: ok,
            reason,
            message,
        }],
        generation,
        now.clone(),
    );
    s.verification = Some(verification);
    s.verified_at = Some(now);
    s.verification_errors = errors;
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn run(name: &str, finished: &str, verified_at: Option<&str>) -> Backup {
        let mut b = fixtures::backup("disdukcapil", "siak-data");
        b.metadata.name = Some(name.into());
        b.status = Some(BackupStatus {
            phase: Some(BackupPhase::Completed),
            snapshot_id: Some(format!("snap-{name}")),
            finished_at: Some(Time(t(finished))),
            verified_at: verified_at.map(|v| Time(t(v))),
            verification: verified_at.map(|_| VerificationStatus::Verified),
            ..BackupStatus::default()
        });
        b
    }

    fn plan(schedule: Option<&str>) -> DisasterRecoveryPlan {
        let mut p = fixtures::plan();
        p.spec.tiers[0].verification.restore_test_schedule = schedule.map(str::to_string);
        p
    }

    #[test]
    fn restore_test_due_table() {
        let daily = plan(Some("0 3 * * *"));
        let unscheduled = plan(None);
        let now = t("2026-11-25T12:00:00Z");
        let a = run("a", "2026-11-25T10:00:00Z", None);
        let b = run("b", "2026-11-25T11:00:00Z", None);
        let tested_today = run("old", "2026-11-24T10:00:00Z", Some("2026-11-25T03:10:00Z"));
        let tested_yesterday = run("old", "2026-11-24T10:00:00Z", Some("2026-11-24T03:10:00Z"));
        let mut failed = b.clone();
        failed.status.as_mut().unwrap().phase = Some(BackupPhase::Failed);
        let mut other_pvc = run("c", "2026-11-25T11:30:00Z", None);
        other_pvc.spec.source.pvc = Some("arsip".into());
        let mut verified = b.clone();
        verified.status.as_mut().unwrap().verification = Some(VerificationStatus::Verified);
        let cases: Vec<(&str, &Backup, Vec<Backup>, &DisasterRecoveryPlan, Due)> = vec![
            (
                "never tested: now",
                &b,
                vec![a.clone(), b.clone()],
                &daily,
                Due::Now,
            ),
            (
                "an older run is not tested",
                &a,
                vec![a.clone(), b.clone()],
                &daily,
                Due::Never,
            ),
            ("no schedule", &b, vec![b.clone()], &unscheduled, Due::Never),
            (
                "tested after today's 03:00 slot: tomorrow",
                &b,
                vec![tested_today, b.clone()],
                &daily,
                Due::At(t("2026-11-26T03:00:00Z")),
            ),
            (
                "last tested before today's slot: now (once)",
                &b,
                vec![tested_yesterday, b.clone()],
                &daily,
                Due::Now,
            ),
            (
                "a failed run is not tested",
                &failed,
                vec![failed.clone()],
                &daily,
                Due::Never,
            ),
            (
                "another source's newer run does not count",
                &b,
                vec![b.clone(), other_pvc],
                &daily,
                Due::Now,
            ),
            (
                "already verified",
                &verified,
                vec![verified.clone()],
                &daily,
                Due::Never,
            ),
        ];
        for (what, r, runs, p, want) in cases {
            assert_eq!(restore_test_due(r, &runs, p, now), want, "{what}");
        }
    }

    #[test]
    fn the_status_carries_the_result_and_the_condition() {
        let now = Time(t("2026-11-25T12:00:00Z"));
        let s = verified_status(
            &BackupStatus::default(),
            VerificationStatus::VerificationFailed,
            vec!["db/base/1: content differs".into()],
            Some(1),
            now.clone(),
        );
        assert_eq!(s.verification, Some(VerificationStatus::VerificationFailed));
        assert_eq!(s.verified_at, Some(now.clone()));
        assert_eq!(s.verification_errors, vec!["db/base/1: content differs"]);
        let c = s
            .conditions
            .iter()
            .find(|c| c.type_ == conditions::VERIFIED)
            .unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "VerificationFailed")
        );
        assert!(
            c.message.contains("uji pemulihan gagal: db/base/1"),
            "{}",
            c.message
        );
        let ok = verified_status(&s, VerificationStatus::Verified, vec![], Some(1), now);
        assert!(ok.verification_errors.is_empty());
        assert_eq!(
            ok.conditions
                .iter()
                .find(|c| c.type_ == conditions::VERIFIED)
                .unwrap()
                .status,
            "True"
        );
    }
}
