//! Reading a mover run back: the result the mover writes (its JSON report or error), what the
//! Job and its Pods say, and the Backup status that follows.

use super::job::{BACKUP_LABEL, CONTAINER};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use pusdata_crds::v1alpha1::{BackupPhase, VerificationStatus};
use serde::{Deserialize, Serialize};

/// The figures of one backup, as `pusdata mover backup` prints them and `Backup.status`
/// wants them. One type for both sides, so writer and reader cannot drift.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BackupReport {
    /// Full snapshot id.
    pub snapshot_id: String,
    /// The parent snapshot the run compared against, if any.
    pub parent_id: Option<String>,
    /// Whether this run created the repository.
    pub repository_created: bool,
    /// Snapshot time (RFC 3339).
    pub time: String,
    /// Tags recorded.
    pub tags: Vec<String>,
    /// Paths recorded.
    pub paths: Vec<String>,
    /// New files.
    pub files_new: u64,
    /// Changed files.
    pub files_changed: u64,
    /// Unchanged files.
    pub files_unmodified: u64,
    /// Bytes of all files processed.
    pub bytes_read: u64,
    /// Bytes added to the repository after deduplication and compression.
    pub bytes_added: u64,
    /// Wall-clock seconds of the whole run, open to snapshot saved.
    pub duration_seconds: f64,
}

/// One file that does not match its snapshot (in a [`VerifyReport`]).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mismatch {
    /// Path relative to the snapshot root.
    pub path: String,
    /// What differs.
    pub reason: String,
}

/// The outcome of `pusdata mover verify` (a restore test), as the mover prints it and the
/// Backup controller reads it back from the verify Job's termination message.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Full snapshot id.
    pub snapshot_id: String,
    /// `Verified` or `VerificationFailed` (KubeStash's vocabulary, in `Backup.status`).
    pub status: VerificationStatus,
    /// Files whose every blob was hashed and compared.
    pub files_checked: u64,
    /// Bytes hashed.
    pub bytes_checked: u64,
    /// Everything that differs (empty when verified).
    pub mismatches: Vec<Mismatch>,
    /// Differing paths left out of `mismatches` to fit a termination message.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub mismatches_omitted: u64,
    /// Why the restore itself failed, when it did (a corrupt pack fails here).
    pub restore_error: Option<String>,
    /// Wall-clock seconds.
    pub duration_seconds: f64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl VerifyReport {
    /// How many files differ, including those left out of `mismatches`.
    pub fn mismatch_count(&self) -> u64 {
        self.mismatches.len() as u64 + self.mismatches_omitted
    }
}

/// The error object the mover prints on failure: `{"error": {"category", "message"}}`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MoverFailure {
    /// Stable category (`wrong-key`, `repository`, `io`…).
    pub category: String,
    /// Message, without secrets.
    pub message: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: MoverFailure,
}

/// The kubelet keeps at most this much of a termination message.
pub const TERMINATION_MESSAGE_MAX: usize = 4096;

/// What a mover's result says: `R` is the report of the command (a [`BackupReport`], or a
/// [`VerifyReport`] for a restore test).
#[derive(Clone, Debug, PartialEq)]
pub enum MoverResult<R = BackupReport> {
    /// The command's report.
    Report(R),
    /// The mover failed and said why.
    Failure(MoverFailure),
    /// No result could be read (missing or cut short).
    Unreadable(String),
}

/// Parses a result as written by the mover.
pub fn parse<R: serde::de::DeserializeOwned>(message: &str) -> MoverResult<R> {
    let m = message.trim();
    if m.is_empty() {
        return MoverResult::Unreadable("the mover left no result".into());
    }
    if let Ok(e) = serde_json::from_str::<ErrorEnvelope>(m) {
        return MoverResult::Failure(e.error);
    }
    match serde_json::from_str::<R>(m) {
        Ok(r) => MoverResult::Report(r),
        Err(e) => MoverResult::Unreadable(format!("the mover's result is not readable: {e}")),
    }
}

/// A result short enough for a termination message: a report loses its tag and path lists,
/// a verification keeps its first differing paths (and says how many it left out), an
/// error's message is cut, all only when needed. A restore's `{restore, verification}` is
/// cut the same way inside.
pub fn fit_termination_message(json: &serde_json::Value) -> String {
    let text = json.to_string();
    if text.len() <= TERMINATION_MESSAGE_MAX {
        return text;
    }
    let mut v = json.clone();
    if let Some(o) = v.as_object_mut() {
        shrink(o);
        if let Some(serde_json::Value::Object(inner)) = o.get_mut("verification") {
            shrink(inner);
        }
    }
    cut_string(v.pointer_mut("/error/message"), 3000);
    v.to_string()
}

fn shrink(o: &mut serde_json::Map<String, serde_json::Value>) {
    if o.contains_key("tags") {
        o.insert("tags".into(), serde_json::json!([]));
    }
    if o.contains_key("paths") {
        o.insert("paths".into(), serde_json::json!([]));
    }
    if let Some(serde_json::Value::Array(m)) = o.get_mut("mismatches") {
        let omitted = m.len().saturating_sub(MISMATCHES_KEPT);
        m.truncate(MISMATCHES_KEPT);
        for x in m.iter_mut() {
            cut_string(x.pointer_mut("/path"), 200);
            cut_string(x.pointer_mut("/reason"), 200);
        }
        if omitted > 0 {
            let before = o
                .get("mismatchesOmitted")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            o.insert(
                "mismatchesOmitted".into(),
                serde_json::json!(before + omitted as u64),
            );
        }
    }
    // A forget report: the per-group decisions go, the forgotten ids are cut (their
    // count stays in `forgottenCount`).
    if o.contains_key("groups") {
        o.insert("groups".into(), serde_json::json!([]));
    }
    if let Some(serde_json::Value::Array(f)) = o.get_mut("forgotten") {
        f.truncate(FORGOTTEN_KEPT);
    }
    if let Some(serde_json::Value::Array(f)) = o.get_mut("removedStaleLocks") {
        f.truncate(FORGOTTEN_KEPT);
    }
    cut_string(o.get_mut("restoreError"), 1000);
}

/// Forgotten snapshot ids (and removed locks) a forget result keeps when it must be cut.
pub const FORGOTTEN_KEPT: usize = 20;

/// Differing paths a verification result keeps when it must be cut to fit.
pub const MISMATCHES_KEPT: usize = 10;

fn cut_string(v: Option<&mut serde_json::Value>, max: usize) {
    let Some(v) = v else { return };
    let Some(s) = v.as_str() else { return };
    if s.len() <= max {
        return;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    *v = serde_json::Value::String(format!("{}…", &s[..cut]));
}

/// What the Job and its Pods say.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed {
    /// Still running (or waiting to be scheduled).
    Running,
    /// The Job finished; the newest mover Pod's termination message.
    Finished {
        /// The Job succeeded.
        succeeded: bool,
        /// The newest terminated mover container's message.
        message: Option<String>,
    },
    /// A Pod cannot start and will not by itself (a missing Secret or PVC): the kubelet's
    /// reason and message (they name objects, never secret values).
    Stuck {
        /// E.g. `CreateContainerConfigError`.
        reason: String,
        /// The kubelet's message.
        message: String,
    },
}

/// Waiting reasons that do not clear by themselves.
const STUCK: &[&str] = &[
    "CreateContainerConfigError",
    "InvalidImageName",
    "ErrImageNeverPull",
];

/// Reads a Job and its Pods (those labelled with the Backup's name).
pub fn observe(job: &Job, pods: &[Pod]) -> Observed {
    observe_labelled(job, pods, BACKUP_LABEL)
}

/// Reads a Job and its Pods: those whose `label` holds the Job's name (a `Restore`'s mover
/// Pods carry `pusdata.io/restore`).
pub fn observe_labelled(job: &Job, pods: &[Pod], label: &str) -> Observed {
    let status = job.status.as_ref();
    let cond = |t: &str| {
        status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == t && c.status == "True"))
    };
    let succeeded = cond("Complete") || status.and_then(|s| s.succeeded).unwrap_or(0) > 0;
    let failed = cond("Failed");
    let mut mine: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(label))
                .is_some_and(|b| Some(b) == job.metadata.name.as_ref())
        })
        .collect();
    mine.sort_by(|a, b| {
        a.metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0)
            .cmp(&b.metadata.creation_timestamp.as_ref().map(|t| t.0))
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
    let container = |p: &Pod| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.name == CONTAINER).cloned())
    };
    if succeeded || failed {
        // A successful Job: the message of the pod that succeeded; a failed one: the newest.
        let pick = mine.iter().rev().find_map(|p| {
            let t = container(p)?.state?.terminated?;
            (!succeeded || t.exit_code == 0).then_some(t.message)
        });
        return Observed::Finished {
            succeeded,
            message: pick.flatten(),
        };
    }
    if let Some(w) = mine
        .last()
        .and_then(|p| container(p))
        .and_then(|c| c.state)
        .and_then(|s| s.waiting)
        && let Some(reason) = w.reason.filter(|r| STUCK.contains(&r.as_str()))
    {
        return Observed::Stuck {
            reason,
            message: w.message.unwrap_or_default(),
        };
    }
    Observed::Running
}

/// The phase and errors a finished Job gives, before post hooks.
pub fn settle(succeeded: bool, result: &MoverResult) -> (BackupPhase, Vec<String>) {
    match (succeeded, result) {
        (true, MoverResult::Report(_)) => (BackupPhase::Completed, vec![]),
        // Exit 0 without a report should not happen; without a snapshot id the run cannot
        // count towards the RPO.
        (true, MoverResult::Unreadable(why)) => (BackupPhase::Failed, vec![why.clone()]),
        (_, MoverResult::Failure(f)) => (
            BackupPhase::Failed,
            vec![format!("{}: {}", f.category, f.message)],
        ),
        (false, MoverResult::Report(_)) => (
            BackupPhase::Failed,
            vec!["the mover Job failed after printing a report".into()],
        ),
        (false, MoverResult::Unreadable(why)) => (
            BackupPhase::Failed,
            vec![format!("the mover Job failed: {why}")],
        ),
    }
}

/// The verification status of a snapshot after its restore test, and the lines that say
/// why it failed (the differing paths first). A restore test that could not run (the
/// repository would not open, no result) fails the verification too: the snapshot was not
/// proven restorable, and the reason is kept.
pub fn verification(
    succeeded: bool,
    result: &MoverResult<VerifyReport>,
) -> (VerificationStatus, Vec<String>) {
    match result {
        MoverResult::Report(r) if succeeded && r.status == VerificationStatus::Verified => {
            (VerificationStatus::Verified, vec![])
        }
        MoverResult::Report(r) => {
            let mut why: Vec<String> = r
                .mismatches
                .iter()
                .take(MISMATCHES_KEPT)
                .map(|m| format!("{}: {}", m.path, m.reason))
                .collect();
            let shown = r.mismatches.len().min(MISMATCHES_KEPT) as u64;
            if r.mismatch_count() > shown {
                why.push(format!(
                    "… and {} more differing path(s)",
                    r.mismatch_count() - shown
                ));
            }
            if let Some(e) = &r.restore_error {
                why.insert(0, format!("restore failed: {e}"));
            }
            if why.is_empty() {
                why.push("the restore test failed without naming a differing path".into());
            }
            (VerificationStatus::VerificationFailed, why)
        }
        MoverResult::Failure(f) => (
            VerificationStatus::VerificationFailed,
            vec![format!("{}: {}", f.category, f.message)],
        ),
        MoverResult::Unreadable(why) => (
            VerificationStatus::VerificationFailed,
            vec![format!("the restore test left no result: {why}")],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> BackupReport {
        BackupReport {
            snapshot_id: "ab".repeat(32),
            parent_id: None,
            repository_created: true,
            time: "2026-11-25T00:00:05Z".into(),
            tags: vec!["plan=bekasi".into()],
            paths: vec!["/data/siak".into()],
            files_new: 3,
            files_changed: 0,
            files_unmodified: 0,
            bytes_read: 3000,
            bytes_added: 1000,
            duration_seconds: 1.5,
        }
    }

    fn job(conditions: &[&str]) -> Job {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "run-1"},
            "status": {"conditions": conditions.iter().map(|t| serde_json::json!({"type": t, "status": "True"})).collect::<Vec<_>>()}
        }))
        .unwrap()
    }

    fn pod(name: &str, created: &str, state: serde_json::Value) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "creationTimestamp": created, "labels": {BACKUP_LABEL: "run-1"}},
            "status": {"containerStatuses": [{"name": CONTAINER, "image": "i", "imageID": "", "ready": false, "restartCount": 0, "state": state}]}
        }))
        .unwrap()
    }

    #[test]
    fn the_report_and_the_error_parse_back() {
        let text = serde_json::to_string(&report()).unwrap();
        assert_eq!(parse(&text), MoverResult::Report(report()));
        let err = r#"{"error":{"category":"wrong-key","message":"wrong repository key"}}"#;
        assert!(
            matches!(parse::<BackupReport>(err), MoverResult::Failure(f) if f.category == "wrong-key")
        );
        assert!(matches!(
            parse::<BackupReport>(""),
            MoverResult::Unreadable(_)
        ));
        assert!(matches!(
            parse::<BackupReport>(&text[..40]),
            MoverResult::Unreadable(_)
        ));
    }

    #[test]
    fn long_results_fit_a_termination_message_and_still_parse() {
        let mut r = report();
        r.paths = vec!["/x".repeat(3000)];
        let fitted = fit_termination_message(&serde_json::to_value(&r).unwrap());
        assert!(fitted.len() <= TERMINATION_MESSAGE_MAX);
        assert!(
            matches!(parse::<BackupReport>(&fitted), MoverResult::Report(p) if p.snapshot_id == r.snapshot_id)
        );
        let e = serde_json::json!({"error": {"category": "io", "message": "é".repeat(4000)}});
        let fitted = fit_termination_message(&e);
        assert!(fitted.len() <= TERMINATION_MESSAGE_MAX);
        assert!(matches!(
            parse::<BackupReport>(&fitted),
            MoverResult::Failure(_)
        ));
    }

    #[test]
    fn observation_table() {
        let ok_msg = serde_json::to_string(&report()).unwrap();
        let terminated = |code: i32, msg: &str| serde_json::json!({"terminated": {"exitCode": code, "message": msg}});
        let cases: Vec<(Job, Vec<Pod>, Observed)> = vec![
            (job(&[]), vec![], Observed::Running),
            (
                job(&[]),
                vec![pod(
                    "p1",
                    "2026-11-25T00:00:00Z",
                    serde_json::json!({"running": {}}),
                )],
                Observed::Running,
            ),
            (
                job(&[]),
                vec![pod(
                    "p1",
                    "2026-11-25T00:00:00Z",
                    serde_json::json!({"waiting": {"reason": "CreateContainerConfigError", "message": "secret \"drc-s3\" not found"}}),
                )],
                Observed::Stuck {
                    reason: "CreateContainerConfigError".into(),
                    message: "secret \"drc-s3\" not found".into(),
                },
            ),
            (
                job(&[]),
                vec![pod(
                    "p1",
                    "2026-11-25T00:00:00Z",
                    serde_json::json!({"waiting": {"reason": "ContainerCreating"}}),
                )],
                Observed::Running,
            ),
            // A retry succeeded: the successful pod's message, not the failed one's.
            (
                job(&["Complete"]),
                vec![
                    pod("p2", "2026-11-25T00:01:00Z", terminated(0, &ok_msg)),
                    pod(
                        "p1",
                        "2026-11-25T00:00:00Z",
                        terminated(
                            1,
                            "{\"error\":{\"category\":\"repository\",\"message\":\"x\"}}",
                        ),
                    ),
                ],
                Observed::Finished {
                    succeeded: true,
                    message: Some(ok_msg.clone()),
                },
            ),
            // Failed: the newest pod's message.
            (
                job(&["Failed"]),
                vec![
                    pod("p1", "2026-11-25T00:00:00Z", terminated(1, "old")),
                    pod("p2", "2026-11-25T00:01:00Z", terminated(1, "new")),
                ],
                Observed::Finished {
                    succeeded: false,
                    message: Some("new".into()),
                },
            ),
            (
                job(&["Failed"]),
                vec![],
                Observed::Finished {
                    succeeded: false,
                    message: None,
                },
            ),
        ];
        for (i, (j, pods, want)) in cases.into_iter().enumerate() {
            assert_eq!(observe(&j, &pods), want, "case {i}");
        }
    }

    #[test]
    fn settle_table() {
        let rep = MoverResult::Report(report());
        let fail = MoverResult::Failure(MoverFailure {
            category: "repository".into(),
            message: "S3 unreachable".into(),
        });
        let none = MoverResult::Unreadable("no result".into());
        assert_eq!(settle(true, &rep), (BackupPhase::Completed, vec![]));
        assert_eq!(
            settle(false, &fail),
            (
                BackupPhase::Failed,
                vec!["repository: S3 unreachable".into()]
            )
        );
        assert_eq!(settle(true, &none).0, BackupPhase::Failed);
        assert_eq!(settle(false, &none).0, BackupPhase::Failed);
        assert_eq!(settle(false, &rep).0, BackupPhase::Failed);
    }

    fn verify_report(mismatches: usize, restore_error: Option<&str>) -> VerifyReport {
        VerifyReport {
            snapshot_id: "ab".repeat(32),
            status: if mismatches == 0 && restore_error.is_none() {
                VerificationStatus::Verified
            } else {
                VerificationStatus::VerificationFailed
            },
            files_checked: 12,
            bytes_checked: 4096,
            mismatches: (0..mismatches)
                .map(|i| Mismatch {
                    path: format!("db/base/{i}"),
                    reason: "content differs".into(),
                })
                .collect(),
            mismatches_omitted: 0,
            restore_error: restore_error.map(str::to_string),
            duration_seconds: 0.5,
        }
    }

    #[test]
    fn a_long_restore_verification_fits_and_keeps_its_mismatch_count() {
        let mut v = verify_report(400, None);
        v.mismatches[0].path = "p/".repeat(500);
        let out =
            serde_json::json!({"restore": {"snapshotId": "ab", "files": 3}, "verification": v});
        let fitted = fit_termination_message(&out);
        assert!(fitted.len() <= TERMINATION_MESSAGE_MAX, "{}", fitted.len());
        let back: serde_json::Value = serde_json::from_str(&fitted).unwrap();
        let v: VerifyReport = serde_json::from_value(back["verification"].clone()).unwrap();
        assert_eq!(v.mismatches.len(), MISMATCHES_KEPT);
        assert_eq!(v.mismatch_count(), 400);
        let (_, why) = verification(false, &MoverResult::Report(v));
        assert_eq!(why.last().unwrap(), "… and 390 more differing path(s)");
    }

    #[test]
    fn verification_table() {
        use VerificationStatus::{VerificationFailed, Verified};
        let rep = |n, e| MoverResult::Report(verify_report(n, e));
        let cases: Vec<(
            bool,
            MoverResult<VerifyReport>,
            VerificationStatus,
            Vec<String>,
        )> = vec![
            (true, rep(0, None), Verified, vec![]),
            (
                false,
                rep(2, None),
                VerificationFailed,
                vec![
                    "db/base/0: content differs".into(),
                    "db/base/1: content differs".into(),
                ],
            ),
            (
                false,
                rep(0, Some("pack 1f2e is corrupt")),
                VerificationFailed,
                vec!["restore failed: pack 1f2e is corrupt".into()],
            ),
            // Exit 0 but a failed report (cannot happen; still not verified).
            (
                true,
                rep(0, Some("x")),
                VerificationFailed,
                vec!["restore failed: x".into()],
            ),
            // A Verified report from a failed Job is not trusted.
            (
                false,
                rep(0, None),
                VerificationFailed,
                vec!["the restore test failed without naming a differing path".into()],
            ),
            (
                false,
                MoverResult::Failure(MoverFailure {
                    category: "wrong-key".into(),
                    message: "wrong repository key".into(),
                }),
                VerificationFailed,
                vec!["wrong-key: wrong repository key".into()],
            ),
            (
                false,
                MoverResult::Unreadable("the mover left no result".into()),
                VerificationFailed,
                vec!["the restore test left no result: the mover left no result".into()],
            ),
        ];
        for (i, (ok, r, status, why)) in cases.into_iter().enumerate() {
            assert_eq!(verification(ok, &r), (status, why), "case {i}");
        }
        let (_, why) = verification(false, &rep(25, None));
        assert_eq!(why.len(), MISMATCHES_KEPT + 1);
        assert_eq!(why[MISMATCHES_KEPT], "… and 15 more differing path(s)");
    }

    #[test]
    fn a_long_verification_result_fits_and_keeps_its_first_paths() {
        let mut r = verify_report(500, Some(&"e".repeat(5000)));
        r.mismatches[0].path = "p".repeat(3000);
        let fitted = fit_termination_message(&serde_json::to_value(&r).unwrap());
        assert!(fitted.len() <= TERMINATION_MESSAGE_MAX, "{}", fitted.len());
        match parse::<VerifyReport>(&fitted) {
            MoverResult::Report(p) => {
                assert_eq!(p.status, VerificationStatus::VerificationFailed);
                assert_eq!(p.mismatches.len(), MISMATCHES_KEPT);
                assert_eq!(p.mismatches[1].path, "db/base/1");
            }
            other => panic!("{other:?}"),
        }
        let ok = serde_json::to_string(&verify_report(0, None)).unwrap();
        assert!(
            matches!(parse::<VerifyReport>(&ok), MoverResult::Report(v) if v.status == VerificationStatus::Verified)
        );
    }
}
