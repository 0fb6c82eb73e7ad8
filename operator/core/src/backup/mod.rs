//! Backup runs: the mover Job of a run ([`job`]), its application-consistent hooks
//! ([`hooks`]), reading its result back ([`result`]), and the status that follows; restore
//! tests of completed runs ([`verify`]).

pub mod history;
pub mod hooks;
pub mod job;
pub mod mirror;
pub mod result;
pub mod verify;

use crate::conditions::{self, Desired};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{BackupPhase, BackupStatus, BackupTrigger};
use result::BackupReport;

/// Whether a run is over (nothing more will happen to it).
pub fn finished(phase: Option<BackupPhase>) -> bool {
    matches!(
        phase,
        Some(
            BackupPhase::Completed
                | BackupPhase::PartiallyFailed
                | BackupPhase::Failed
                | BackupPhase::FailedValidation
                | BackupPhase::Skipped
        )
    )
}

/// The `Ready` reason of a run at `phase` (its name, as listed in `conditions.md`).
pub(crate) fn phase_reason(phase: BackupPhase) -> &'static str {
    match phase {
        BackupPhase::New => "New",
        BackupPhase::InProgress => "InProgress",
        BackupPhase::Completed => "Completed",
        BackupPhase::PartiallyFailed => "PartiallyFailed",
        BackupPhase::Failed => "Failed",
        BackupPhase::FailedValidation => "FailedValidation",
        BackupPhase::Skipped => "Skipped",
    }
}

fn ready(phase: BackupPhase, errors: &[String]) -> Desired {
    let (status, reason, text) = match phase {
        BackupPhase::New => (None, "New", crate::t!("repository-backup-waiting-start")),
        BackupPhase::InProgress => (
            None,
            "InProgress",
            crate::t!("repository-backup-mover-running"),
        ),
        BackupPhase::Completed => (
            Some(true),
            "Completed",
            crate::t!("repository-backup-snapshot-written"),
        ),
        BackupPhase::PartiallyFailed => (
            Some(false),
            "PartiallyFailed",
            crate::t!("repository-backup-snapshot-written-but-hook"),
        ),
        BackupPhase::Failed => (
            Some(false),
            "Failed",
            crate::t!("repository-backup-snapshot-written-2"),
        ),
        BackupPhase::FailedValidation => (
            Some(false),
            "FailedValidation",
            crate::t!("repository-backup-run-cannot-start-written"),
        ),
        BackupPhase::Skipped => (
            Some(false),
            "Skipped",
            crate::t!("repository-backup-previous-run-same-source"),
        ),
    };
    let mut message = text.to_string();
    if let Some(first) = errors.first() {
        message.push_str(": ");
        message.push_str(first);
    }
    Desired {
        type_: conditions::READY,
        status,
        reason,
        message,
    }
}

/// The status of a run at `phase`: figures from the report if one was read, errors, the
/// manual token echoed once the run is over, times filled in as the run moves.
pub fn status(
    old: &BackupStatus,
    phase: BackupPhase,
    errors: Vec<String>,
    report: Option<&BackupReport>,
    trigger_token: (BackupTrigger, Option<&str>),
    generation: Option<i64>,
    now: Time,
) -> BackupStatus {
    let mut s = old.clone();
    s.conditions = conditions::merge(
        &old.conditions,
        &[ready(phase, &errors)],
        generation,
        now.clone(),
    );
    s.phase = Some(phase);
    s.observed_generation = generation;
    if phase != BackupPhase::New && s.started_at.is_none() {
        s.started_at = Some(now.clone());
    }
    if finished(Some(phase)) {
        s.finished_at.get_or_insert(now);
        if let (BackupTrigger::Manual, Some(t)) = trigger_token {
            s.last_token = Some(t.to_string());
        }
    }
    if let Some(r) = report {
        s.snapshot_id = Some(r.snapshot_id.clone());
        s.files_new = Some(r.files_new);
        s.files_changed = Some(r.files_changed);
        s.files_unmodified = Some(r.files_unmodified);
        s.bytes_read = Some(r.bytes_read);
        s.bytes_added = Some(r.bytes_added);
        s.duration_seconds = Some(r.duration_seconds);
    }
    s.errors = errors;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Time {
        Time(s.parse().unwrap())
    }

    #[test]
    fn a_finished_manual_run_echoes_its_token_and_keeps_its_start() {
        let started = status(
            &BackupStatus::default(),
            BackupPhase::InProgress,
            vec![],
            None,
            (BackupTrigger::Manual, Some("tok")),
            Some(1),
            t("2026-11-25T00:00:00Z"),
        );
        assert_eq!(started.last_token, None, "not before the run is over");
        assert_eq!(started.started_at, Some(t("2026-11-25T00:00:00Z")));
        let done = status(
            &started,
            BackupPhase::Failed,
            vec!["repository: down".into()],
            None,
            (BackupTrigger::Manual, Some("tok")),
            Some(1),
            t("2026-11-25T00:05:00Z"),
        );
        assert_eq!(done.last_token.as_deref(), Some("tok"));
        assert_eq!(done.started_at, Some(t("2026-11-25T00:00:00Z")));
        assert_eq!(done.finished_at, Some(t("2026-11-25T00:05:00Z")));
        let ready = &done.conditions[0];
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "Failed")
        );
        assert!(ready.message.contains("repository: down"));
        assert!(finished(done.phase));
        assert!(!finished(started.phase));
        assert!(!finished(None));
    }
}
