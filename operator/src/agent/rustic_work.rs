//! The DRC's real restore work: snapshots are read from the agencies' restic-format
//! repositories with the rustic_core mover, each opened with that agency's own key.
//!
//! A job's snapshot is `<agency>/<snapshot id>`; the repository is `<repo root>/<agency>`
//! and its key `<keys dir>/<agency>.key`. Paths from the peer never leave those roots.

use super::work::{
    DiscardJob, Progress, Report, RestoreJob, SiteWork, VerifyJob, WorkError, confine,
    restored_report, verify_target,
};
use crate::mover::{self, RepoConfig, RepoLocation, RestoreEngine, RestoreRequest, SnapshotRef};
use std::path::PathBuf;

/// Restores from restic repositories with rustic_core.
#[derive(Clone, Debug)]
pub struct RusticWork {
    /// Directory holding one repository per agency.
    pub repo_root: PathBuf,
    /// When set, the agencies' repositories are `<this>/<agency>` in S3 instead of under
    /// `repo_root`.
    pub s3_base: Option<RepoLocation>,
    /// Directory holding `<agency>.key` files.
    pub keys_dir: PathBuf,
    /// Where restores go.
    pub restore_root: PathBuf,
}

impl RusticWork {
    fn repo(&self, agency: &str) -> Result<RepoConfig, WorkError> {
        let location = match &self.s3_base {
            Some(base) => base.for_agency(agency).map_err(WorkError::Invalid)?,
            None => RepoLocation::Local(confine(&self.repo_root, agency)?),
        };
        let key_path = confine(&self.keys_dir, &format!("{agency}.key"))?;
        let key = std::fs::read_to_string(&key_path).map_err(|e| {
            WorkError::Invalid(format!("no repository key for agency {agency}: {e}"))
        })?;
        Ok(RepoConfig::at(location, key.trim().to_string()))
    }
}

impl SiteWork for RusticWork {
    fn restore(
        &self,
        job: &RestoreJob,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report, WorkError> {
        let (agency, snapshot) = job.snapshot.split_once('/').ok_or_else(|| {
            WorkError::Invalid(format!("snapshot {:?} is not <agency>/<id>", job.snapshot))
        })?;
        let repo = self.repo(agency)?;
        let target = confine(&self.restore_root, &job.target)?;
        // Restore beside the target and rename: a retry after a crash starts clean, and the
        // target only ever holds a complete restore.
        let staging = target.with_extension(format!("partial-{}", std::process::id()));
        if staging.exists() {
            std::fs::remove_dir_all(&staging)
                .map_err(|e| WorkError::Failed(format!("{}: {e}", staging.display())))?;
        }
        if let Some(parent) = staging.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| WorkError::Failed(format!("{}: {e}", parent.display())))?;
        }
        let report = mover::restore(
            &repo,
            &RestoreRequest {
                snapshot: SnapshotRef::parse(snapshot),
                tags: vec![format!("agency={agency}")],
                target: staging.clone(),
                engine: RestoreEngine::default(),
                owner: Default::default(),
            },
        )
        .map_err(|e| WorkError::Failed(e.to_string()))?;
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .map_err(|e| WorkError::Failed(format!("{}: {e}", target.display())))?;
        }
        std::fs::rename(&staging, &target)
            .map_err(|e| WorkError::Failed(format!("{}: {e}", target.display())))?;
        let written = Progress {
            files: report.files,
            bytes: report.bytes,
        };
        progress(written);
        restored_report(&target, written, job.skip_checksum)
    }

    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        verify_target(&self.restore_root, job)
    }

    fn discard(&self, job: &DiscardJob) -> Result<Report, WorkError> {
        super::work::discard_target(&self.restore_root, &job.target)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::agent::work::tree_checksum;
    use crate::mover::BackupRequest;

    /// A real repository: the restore reports the restored tree's checksum, or, when the
    /// caller holds the expected one, the same files and bytes without reading them back.
    #[test]
    fn restore_reports_a_checksum_unless_told_to_skip_it() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        std::fs::create_dir_all(src.join("db")).unwrap();
        std::fs::write(src.join("db/pg.dat"), vec![3u8; 300_000]).unwrap();
        std::fs::write(src.join("readme.txt"), b"arsip dinkes").unwrap();
        let work = RusticWork {
            repo_root: d.path().join("repos"),
            s3_base: None,
            keys_dir: d.path().join("keys"),
            restore_root: d.path().join("restores"),
        };
        std::fs::create_dir_all(&work.keys_dir).unwrap();
        std::fs::write(work.keys_dir.join("dinkes.key"), "kunci-dinkes-uji\n").unwrap();
        let repo = RepoConfig::local(work.repo_root.join("dinkes"), "kunci-dinkes-uji");
        let snap = crate::mover::backup(
            &repo,
            &BackupRequest {
                path: src.clone(),
                tags: vec!["agency=dinkes".into()],
                host: None,
                as_path: None,
                lock: Default::default(),
            },
        )
        .unwrap()
        .snapshot_id;
        let expected = tree_checksum(&src).unwrap();
        let job = |target: &str, skip_checksum| RestoreJob {
            snapshot: format!("dinkes/{snap}"),
            target: target.into(),
            skip_checksum,
            ..RestoreJob::default()
        };

        let full = work.restore(&job("a", false), &mut |_| {}).unwrap();
        assert_eq!((full.files, full.bytes, full.checksum), expected);
        let quick = work.restore(&job("b", true), &mut |_| {}).unwrap();
        assert_eq!((quick.files, quick.bytes), (expected.0, expected.1));
        assert!(quick.checksum.is_empty());
        let v = work
            .verify(&VerifyJob {
                target: "b".into(),
                expected_checksum: expected.2.clone(),
                ..VerifyJob::default()
            })
            .unwrap();
        assert!(v.matches, "{v:?}");
    }
}
