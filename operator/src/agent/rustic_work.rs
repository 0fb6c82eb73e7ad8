//! The DRC's real restore work: snapshots are read from the agencies' restic-format
//! repositories with the rustic_core mover, each opened with that agency's own key.
//!
//! A job's snapshot is `<agency>/<snapshot id>`; the repository is `<repo root>/<agency>`
//! and its key `<keys dir>/<agency>.key`. Paths from the peer never leave those roots.

use super::work::{
    DiscardJob, MAX_MISMATCHES, Progress, Report, RestoreJob, SiteWork, VerifyJob, WorkError,
    confine, restored_report, verify_target,
};
use crate::mover::{self, RepoConfig, RepoLocation, RestoreEngine, RestoreRequest, SnapshotRef};
use pusdata_crds::v1alpha1::VerificationStatus;
use std::path::{Path, PathBuf};

/// Beside a restored target: which snapshot it was restored from (`<agency>/<full id>`), so
/// that verify can compare the tree with that snapshot field by field — a checksum of the
/// contents alone says nothing about the modes, owners, times, xattrs and links a restore
/// promises. Outside the target, so it is not part of the restored tree.
fn record_of(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.pusdata-snapshot"))
}

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
        let record = record_of(&target);
        std::fs::write(&record, format!("{agency}/{}", report.snapshot_id))
            .map_err(|e| WorkError::Failed(format!("{}: {e}", record.display())))?;
        let written = Progress {
            files: report.files,
            bytes: report.bytes,
        };
        progress(written);
        restored_report(&target, written, job.skip_checksum)
    }

    /// The tree checksum against the primary's, and the tree field by field against the
    /// snapshot it was restored from (`mover::verify_restored`: type, contents, mode with
    /// its special bits, owner, times, xattrs, symlink targets, hard links, holes).
    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        let mut report = verify_target(&self.restore_root, job)?;
        let target = confine(&self.restore_root, &job.target)?;
        let record = record_of(&target);
        let Ok(restored_from) = std::fs::read_to_string(&record) else {
            // Fail closed: without the snapshot there is nothing to compare the metadata with.
            report.matches = false;
            report.mismatches = vec![format!(
                "{}: no record of the snapshot restored here; restore it again",
                job.target
            )];
            return Ok(report);
        };
        let (agency, id) = restored_from
            .trim()
            .split_once('/')
            .ok_or_else(|| WorkError::Failed(format!("{}: not <agency>/<id>", record.display())))?;
        let repo = self.repo(agency)?;
        let v = mover::verify_restored(
            &repo,
            &SnapshotRef::Id(id.to_string()),
            &[format!("agency={agency}")],
            &target,
        )
        .map_err(|e| WorkError::Failed(e.to_string()))?;
        if v.status != VerificationStatus::Verified {
            report.matches = false;
            let n = v.mismatches.len();
            report.mismatches = v
                .mismatches
                .iter()
                .take(MAX_MISMATCHES)
                .map(|m| format!("{}: {}", m.path, m.reason))
                .collect();
            if n > MAX_MISMATCHES {
                report
                    .mismatches
                    .push(format!("… and {} more", n - MAX_MISMATCHES));
            }
        }
        Ok(report)
    }

    fn discard(&self, job: &DiscardJob) -> Result<Report, WorkError> {
        let target = confine(&self.restore_root, &job.target)?;
        let _ = std::fs::remove_file(record_of(&target));
        super::work::discard_target(&self.restore_root, &job.target)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::agent::work::tree_checksum;
    use crate::mover::BackupRequest;

    /// An agent working under `root` with one agency (dinkes) whose repository holds a
    /// snapshot of `src`.
    fn dinkes_snapshot_of(root: &Path, src: &Path) -> (RusticWork, String) {
        let work = RusticWork {
            repo_root: root.join("repos"),
            s3_base: None,
            keys_dir: root.join("keys"),
            restore_root: root.join("restores"),
        };
        std::fs::create_dir_all(&work.keys_dir).unwrap();
        std::fs::write(work.keys_dir.join("dinkes.key"), "kunci-dinkes-uji\n").unwrap();
        let repo = RepoConfig::local(work.repo_root.join("dinkes"), "kunci-dinkes-uji");
        let snap = crate::mover::backup(
            &repo,
            &BackupRequest {
                path: src.to_path_buf(),
                tags: vec!["agency=dinkes".into()],
                host: None,
                as_path: None,
                lock: Default::default(),
            },
        )
        .unwrap()
        .snapshot_id;
        (work, snap)
    }

    /// A real repository: the restore reports the restored tree's checksum, or, when the
    /// caller holds the expected one, the same files and bytes without reading them back.
    #[test]
    fn restore_reports_a_checksum_unless_told_to_skip_it() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        std::fs::create_dir_all(src.join("db")).unwrap();
        std::fs::write(src.join("db/pg.dat"), vec![3u8; 300_000]).unwrap();
        std::fs::write(src.join("readme.txt"), b"arsip dinkes").unwrap();
        let (work, snap) = dinkes_snapshot_of(d.path(), &src);
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

    /// The verify step checks what the restore promises, not only the contents: a restored
    /// tree whose contents are intact but whose mode, time or xattr was changed is refused,
    /// naming the path and the field. (It said "matches" when it compared a checksum only.)
    #[test]
    fn verify_names_metadata_that_differs_from_the_snapshot() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        std::fs::create_dir_all(src.join("bin")).unwrap();
        std::fs::write(src.join("bin/tool"), b"#!/bin/sh\n").unwrap();
        std::fs::set_permissions(
            src.join("bin/tool"),
            std::fs::Permissions::from_mode(0o4755),
        )
        .unwrap();
        std::fs::write(src.join("data.txt"), b"arsip").unwrap();
        let xattrs = xattr_supported(&src.join("data.txt"));
        let (work, snap) = dinkes_snapshot_of(d.path(), &src);
        let restored = work
            .restore(
                &RestoreJob {
                    snapshot: format!("dinkes/{snap}"),
                    target: "drill/dinkes".into(),
                    ..RestoreJob::default()
                },
                &mut |_| {},
            )
            .unwrap();
        let verify = || {
            work.verify(&VerifyJob {
                target: "drill/dinkes".into(),
                expected_checksum: restored.checksum.clone(),
                ..VerifyJob::default()
            })
            .unwrap()
        };
        let ok = verify();
        assert!(ok.matches && ok.mismatches.is_empty(), "{ok:?}");

        let t = work.restore_root.join("drill/dinkes");
        std::fs::set_permissions(t.join("bin/tool"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let old = std::fs::File::options()
            .write(true)
            .open(t.join("data.txt"))
            .unwrap();
        old.set_modified(std::time::SystemTime::UNIX_EPOCH).unwrap();
        if xattrs {
            xattr_set(&t.join("data.txt"), "user.added", b"x");
        }
        let bad = verify();
        // The contents are untouched: the checksum alone still matches.
        assert_eq!(bad.checksum, restored.checksum);
        assert!(!bad.matches, "{bad:?}");
        let has = |path: &str, field: &str| {
            bad.mismatches
                .iter()
                .any(|m| m.starts_with(&format!("{path}: {field}:")))
        };
        assert!(has("bin/tool", "mode"), "{:?}", bad.mismatches);
        assert!(has("data.txt", "mtime"), "{:?}", bad.mismatches);
        if xattrs {
            assert!(has("data.txt", "xattr"), "{:?}", bad.mismatches);
        }

        // No record of the snapshot (restored by something else): refused, not "matches".
        std::fs::remove_file(record_of(&t)).unwrap();
        let unknown = verify();
        assert!(!unknown.matches, "{unknown:?}");
        // Discard removes the target and its record.
        work.restore(
            &RestoreJob {
                snapshot: format!("dinkes/{snap}"),
                target: "drill/dinkes".into(),
                ..RestoreJob::default()
            },
            &mut |_| {},
        )
        .unwrap();
        assert!(record_of(&t).exists());
        work.discard(&DiscardJob {
            target: "drill/dinkes".into(),
            ..DiscardJob::default()
        })
        .unwrap();
        assert!(!record_of(&t).exists() && !t.exists());
    }

    fn xattr_set(p: &Path, name: &str, value: &[u8]) {
        xattr::set(p, name, value).unwrap();
    }

    /// Whether the file system takes `user.*` attributes (tmpfs without them does not).
    fn xattr_supported(p: &Path) -> bool {
        let ok = xattr::set(p, "user.probe", b"1").is_ok();
        if ok {
            xattr::remove(p, "user.probe").unwrap();
        }
        ok
    }
}
