//! How many finished `Backup` objects a plan keeps per source (as a CronJob's
//! `successfulJobsHistoryLimit` / `failedJobsHistoryLimit`). Pure: the plan's runs and the
//! limits come in, the runs to delete go out. Deleting a run deletes an API object only;
//! its snapshot stays in the repository, where retention decides.
//!
//! Never deleted: a run not finished (`New`, `InProgress`), a `Skipped` one, the newest
//! completed run of a source (the RPO is measured from it) and the newest verified one (the
//! retention controller's `--verified` ids, and the verified age, come from it).

use pusdata_crds::v1alpha1::{Backup, BackupPhase, DisasterRecoveryPlanSpec, VerificationStatus};
use std::collections::BTreeMap;

/// Completed runs kept per source by default.
pub const DEFAULT_SUCCESSFUL: u32 = 10;
/// Failed runs kept per source by default.
pub const DEFAULT_FAILED: u32 = 5;

/// The plan's limits (successful, failed), with the defaults.
pub fn limits(spec: &DisasterRecoveryPlanSpec) -> (u32, u32) {
    (
        spec.successful_backups_history_limit
            .unwrap_or(DEFAULT_SUCCESSFUL),
        spec.failed_backups_history_limit.unwrap_or(DEFAULT_FAILED),
    )
}

/// The runs of plan `plan` to delete, as `(namespace, name)`, sorted.
pub fn to_delete(
    backups: &[Backup],
    plan: &str,
    successful: u32,
    failed: u32,
) -> Vec<(String, String)> {
    // One history per source: namespace, member and PVC (or bucket).
    let mut sources: BTreeMap<(String, String, String), Vec<&Backup>> = BTreeMap::new();
    for b in backups.iter().filter(|b| b.spec.plan == plan) {
        let key = (
            b.metadata.namespace.clone().unwrap_or_default(),
            b.spec.member.clone(),
            b.spec
                .source
                .pvc
                .clone()
                .or_else(|| b.spec.source.bucket.clone())
                .unwrap_or_default(),
        );
        sources.entry(key).or_default().push(b);
    }
    let mut out = Vec::new();
    for runs in sources.values_mut() {
        // Newest first: by finish (else start, else creation) time, then name (run names end
        // with their slot).
        let when = |b: &Backup| {
            let st = b.status.as_ref();
            st.and_then(|s| s.finished_at.as_ref().or(s.started_at.as_ref()))
                .or(b.metadata.creation_timestamp.as_ref())
                .map(|t| t.0)
        };
        runs.sort_by(|a, b| {
            (when(b), b.metadata.name.as_deref()).cmp(&(when(a), a.metadata.name.as_deref()))
        });
        let phase = |b: &Backup| b.status.as_ref().and_then(|s| s.phase);
        let newest_completed = runs
            .iter()
            .position(|b| phase(b) == Some(BackupPhase::Completed));
        let newest_verified = runs.iter().position(|b| {
            b.status.as_ref().and_then(|s| s.verification) == Some(VerificationStatus::Verified)
        });
        let (mut ok_seen, mut failed_seen) = (0u32, 0u32);
        for (i, b) in runs.iter().enumerate() {
            let over = match phase(b) {
                Some(BackupPhase::Completed) => {
                    ok_seen += 1;
                    ok_seen > successful
                }
                Some(
                    BackupPhase::Failed
                    | BackupPhase::FailedValidation
                    | BackupPhase::PartiallyFailed,
                ) => {
                    failed_seen += 1;
                    failed_seen > failed
                }
                _ => false,
            };
            if over && Some(i) != newest_completed && Some(i) != newest_verified {
                out.push((
                    b.metadata.namespace.clone().unwrap_or_default(),
                    b.metadata.name.clone().unwrap_or_default(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::BackupStatus;

    fn run(pvc: &str, i: u32, phase: Option<BackupPhase>, verified: bool) -> Backup {
        let mut b = fixtures::backup("disdukcapil", pvc);
        b.metadata.name = Some(format!("{pvc}-{i:02}"));
        b.status = Some(BackupStatus {
            phase,
            finished_at: phase.map(|_| fixtures::time(&format!("2026-11-{:02}T00:00:00Z", i + 1))),
            verification: verified.then_some(VerificationStatus::Verified),
            ..BackupStatus::default()
        });
        b
    }

    fn names(v: &[(String, String)]) -> Vec<&str> {
        v.iter().map(|(_, n)| n.as_str()).collect()
    }

    #[test]
    fn keeps_the_newest_per_phase_and_source() {
        use BackupPhase::*;
        let mut all = Vec::new();
        for i in 0..6 {
            all.push(run("a", i, Some(Completed), false));
        }
        for i in 6..10 {
            all.push(run("a", i, Some(Failed), false));
        }
        all.push(run("a", 10, Some(InProgress), false));
        all.push(run("a", 11, None, false));
        all.push(run("a", 12, Some(Skipped), false));
        all.push(run("b", 0, Some(Completed), false));
        let mut other = run("a", 13, Some(Completed), false);
        other.spec.plan = "other".into();
        all.push(other);
        let del = to_delete(&all, "bekasi", 3, 1);
        assert_eq!(
            names(&del),
            vec!["a-00", "a-01", "a-02", "a-06", "a-07", "a-08"]
        );
    }

    #[test]
    fn never_the_newest_completed_nor_the_newest_verified() {
        use BackupPhase::*;
        let all = vec![
            run("a", 0, Some(Completed), true),
            run("a", 1, Some(Completed), false),
            run("a", 2, Some(Completed), false),
            run("a", 3, Some(PartiallyFailed), false),
            run("a", 4, Some(FailedValidation), false),
        ];
        // Zero limits: only what must stay stays.
        let del = to_delete(&all, "bekasi", 0, 0);
        assert_eq!(names(&del), vec!["a-01", "a-03", "a-04"]);
        // Generous limits delete nothing.
        assert!(to_delete(&all, "bekasi", 10, 5).is_empty());
    }

    #[test]
    fn defaults() {
        let mut p = fixtures::plan().spec;
        assert_eq!(limits(&p), (10, 5));
        p.successful_backups_history_limit = Some(2);
        p.failed_backups_history_limit = Some(0);
        assert_eq!(limits(&p), (2, 0));
    }
}
