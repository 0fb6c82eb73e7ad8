//! The DRC's real restore work: snapshots are read from the agencies' restic-format
//! repositories with the rustic_core mover, each opened with that agency's own key.
//!
//! A job's snapshot is `<agency>/<snapshot id>`; the repository is `<repo root>/<agency>`
//! and its key `<keys dir>/<agency>.key`. Paths from the peer never leave those roots.

use super::work::{
    DiscardJob, Progress, Report, RestoreJob, SiteWork, VerifyJob, WorkError, confine,
    tree_checksum, verify_target,
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
            },
        )
        .map_err(|e| WorkError::Failed(e.to_string()))?;
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .map_err(|e| WorkError::Failed(format!("{}: {e}", target.display())))?;
        }
        std::fs::rename(&staging, &target)
            .map_err(|e| WorkError::Failed(format!("{}: {e}", target.display())))?;
        progress(Progress {
            files: report.files,
            bytes: report.bytes,
        });
        let (files, bytes, checksum) = tree_checksum(&target)?;
        Ok(Report {
            files,
            bytes,
            checksum,
            matches: true,
            ..Report::default()
        })
    }

    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        verify_target(&self.restore_root, job)
    }

    fn discard(&self, job: &DiscardJob) -> Result<Report, WorkError> {
        super::work::discard_target(&self.restore_root, &job.target)
    }
}
