//! The work a site does for its peer — restore and verify — behind a small trait, so the
//! service's fencing and idempotency do not depend on how the bytes move.
//!
//! [`DirCopyWork`] is a **stand-in**: a snapshot is a plain directory, a restore is a
//! recursive copy, verification is a tree checksum. It exists so the gRPC contract, fencing
//! and the drill can be exercised end to end today; the rustic_core mover replaces it
//! behind the same trait.

use crate::mover::checksum::{self, Kind, TreeSum};
pub use pusdata_core::dr::drc::{CheckOutcome, CheckState, Placement, ReadinessCheck, SmokeCheck};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// What a restore or verify did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Regular files in the target.
    pub files: u64,
    /// Bytes in those files.
    pub bytes: u64,
    /// Tree checksum of the target (lowercase hex SHA-256).
    pub checksum: String,
    /// For verify: the checksum is the expected one (true when none was expected).
    pub matches: bool,
    /// For verify: the readiness of the restored workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readiness: Option<CheckOutcome>,
    /// For verify: the smoke command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smoke: Option<CheckOutcome>,
    /// For verify: what differs from the snapshot the target was restored from, each as
    /// `path: field: detail`, at most [`MAX_MISMATCHES`] (then a count of the rest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<String>,
}

/// Mismatches a verify report lists; the rest are counted.
pub const MAX_MISMATCHES: usize = 20;

/// Progress of a running restore.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Files done so far.
    pub files: u64,
    /// Bytes done so far.
    pub bytes: u64,
}

/// A restore to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RestoreJob {
    /// The snapshot to restore (`<agency>/<id>` for the real movers).
    pub snapshot: String,
    /// The target, relative to the site's restore root (local work).
    pub target: String,
    /// Where in the cluster (Kubernetes work).
    pub placement: Option<Placement>,
    /// The request, for idempotency across retries and restarts.
    pub request_id: String,
    /// The fencing epoch the work is stamped with.
    pub epoch: u64,
    /// The caller's deadline: answer before it.
    pub deadline: Option<std::time::Instant>,
    /// Report no checksum: the caller verifies against one it already holds.
    pub skip_checksum: bool,
}

/// A verification to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerifyJob {
    /// The target, relative to the site's restore root (local work).
    pub target: String,
    /// Expected checksum; empty to only report it.
    pub expected_checksum: String,
    /// Where in the cluster (Kubernetes work).
    pub placement: Option<Placement>,
    /// Wait for these workloads to be ready; none: not checked.
    pub readiness: Option<ReadinessCheck>,
    /// Run this smoke command; none: not run.
    pub smoke: Option<SmokeCheck>,
    /// The request, for idempotency.
    pub request_id: String,
    /// The caller's deadline.
    pub deadline: Option<std::time::Instant>,
}

/// A teardown to do.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiscardJob {
    /// The target, relative to the site's restore root (local work).
    pub target: String,
    /// The drill (Kubernetes work).
    pub placement: Option<Placement>,
    /// The caller's deadline.
    pub deadline: Option<std::time::Instant>,
}

/// Why work failed.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// The request names something it may not (absolute path, `..`, missing snapshot).
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The work itself failed.
    #[error("{0}")]
    Failed(String),
}

/// The restore and verify work of a site. Blocking: the agent calls it from a blocking
/// thread (rustic_core, the real mover, is blocking too).
pub trait SiteWork: Send + Sync + 'static {
    /// Restores `job.snapshot` into `job.target`, replacing what was there. Must be
    /// idempotent: a retry after a crash restores again.
    fn restore(
        &self,
        job: &RestoreJob,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report, WorkError>;
    /// Checksums `job.target` and compares it with the expected checksum; then readiness and
    /// the smoke command where the site has workloads.
    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError>;
    /// Removes the restored target (a drill's isolated copy); a missing target is not an
    /// error, so teardown can be repeated.
    fn discard(&self, job: &DiscardJob) -> Result<Report, WorkError>;
}

/// Stand-in implementation: snapshots are directories under `repo_root`, restores are
/// recursive copies into `restore_root`, verification is [`tree_checksum`].
#[derive(Clone, Debug)]
pub struct DirCopyWork {
    /// Where snapshot directories are.
    pub repo_root: PathBuf,
    /// Where restores go.
    pub restore_root: PathBuf,
}

/// Joins a caller-supplied relative path under a root, refusing anything that could leave
/// it (absolute paths, `..`, empty): the caller is the peer site, but a path from the network
/// must never reach outside the directories this site gave it.
pub fn confine(root: &Path, rel: &str) -> Result<PathBuf, WorkError> {
    let p = Path::new(rel);
    if rel.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(WorkError::Invalid(format!(
            "{rel:?} must be a relative path without `..`"
        )));
    }
    Ok(root.join(p))
}

impl SiteWork for DirCopyWork {
    fn restore(
        &self,
        job: &RestoreJob,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report, WorkError> {
        let src = confine(&self.repo_root, &job.snapshot)?;
        let dst = confine(&self.restore_root, &job.target)?;
        if !src.is_dir() {
            return Err(WorkError::Invalid(format!(
                "snapshot {:?} not found",
                job.snapshot
            )));
        }
        // Copy beside the target and swap it in, so a crash mid-copy never leaves a
        // half-restored target that looks finished.
        let staging = dst.with_file_name(format!(
            ".{}.restoring",
            dst.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let failed = |what: &str, p: &Path, e: std::io::Error| {
            WorkError::Failed(format!("{what} {}: {e}", p.display()))
        };
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(|e| failed("remove", &staging, e))?;
        }
        fs::create_dir_all(&staging).map_err(|e| failed("create", &staging, e))?;
        let mut done = Progress::default();
        for (rel, kind) in walk(&src)? {
            let from = src.join(&rel);
            let to = staging.join(&rel);
            if kind == Kind::Dir {
                fs::create_dir_all(&to).map_err(|e| failed("create", &to, e))?;
            } else if kind == Kind::Symlink {
                // The link as it is, never what it points to.
                let target = fs::read_link(&from).map_err(|e| failed("readlink", &from, e))?;
                std::os::unix::fs::symlink(&target, &to).map_err(|e| failed("symlink", &to, e))?;
            } else {
                let n = fs::copy(&from, &to).map_err(|e| failed("copy", &from, e))?;
                done.files += 1;
                done.bytes += n;
                progress(done);
            }
        }
        if dst.exists() {
            fs::remove_dir_all(&dst).map_err(|e| failed("remove", &dst, e))?;
        }
        fs::rename(&staging, &dst).map_err(|e| failed("rename", &staging, e))?;
        restored_report(&dst, done, job.skip_checksum)
    }

    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        verify_target(&self.restore_root, job)
    }

    fn discard(&self, job: &DiscardJob) -> Result<Report, WorkError> {
        discard_target(&self.restore_root, &job.target)
    }
}

/// The report of a finished restore into `target`, the same whichever mover restored it:
/// the tree's checksum (with the files and bytes it hashed), or, when the caller verifies
/// against a checksum it already holds, the files and bytes the restore wrote.
pub fn restored_report(
    target: &Path,
    written: Progress,
    skip_checksum: bool,
) -> Result<Report, WorkError> {
    if skip_checksum {
        return Ok(Report {
            files: written.files,
            bytes: written.bytes,
            matches: true,
            ..Report::default()
        });
    }
    let (files, bytes, checksum) = tree_checksum(target)?;
    Ok(Report {
        files,
        bytes,
        checksum,
        matches: true,
        ..Report::default()
    })
}

/// Removal of a restored target, the same whichever mover restored it: reports what was
/// removed; a target already gone reports zero files.
pub fn discard_target(restore_root: &Path, target: &str) -> Result<Report, WorkError> {
    let dst = confine(restore_root, target)?;
    if !dst.exists() {
        return Ok(Report {
            matches: true,
            ..Report::default()
        });
    }
    // Counted, not hashed: a teardown reads no file contents.
    let (files, bytes) = tree_size(&dst)?;
    fs::remove_dir_all(&dst)
        .map_err(|e| WorkError::Failed(format!("remove {}: {e}", dst.display())))?;
    Ok(Report {
        files,
        bytes,
        matches: true,
        ..Report::default()
    })
}

/// Verification of a restored target, the same whichever mover restored it: the tree
/// checksum, compared with the expected one when there is one. Readiness and the smoke
/// command are reported as skipped: a local restore has no workloads.
pub fn verify_target(restore_root: &Path, job: &VerifyJob) -> Result<Report, WorkError> {
    let dst = verified_target(restore_root, job)?;
    let sum = checksum::tree_checksum(&dst).map_err(|e| WorkError::Failed(e.to_string()))?;
    Ok(checked_report(sum, job))
}

/// The report of a local verification whose tree checksum is `sum`: compared with the
/// expected one when there is one. Readiness and the smoke command are reported as
/// skipped: a local restore has no workloads.
pub fn checked_report(sum: TreeSum, job: &VerifyJob) -> Report {
    let matches = job.expected_checksum.is_empty() || job.expected_checksum == sum.hex;
    Report {
        files: sum.files,
        bytes: sum.bytes,
        checksum: sum.hex,
        matches,
        readiness: Some(pusdata_core::dr::drc::skipped_locally()),
        smoke: Some(pusdata_core::dr::drc::skipped_locally()),
        mismatches: Vec::new(),
    }
}

/// The restored target a verification is about: it must exist.
pub fn verified_target(restore_root: &Path, job: &VerifyJob) -> Result<PathBuf, WorkError> {
    let dst = confine(restore_root, &job.target)?;
    if !dst.is_dir() {
        return Err(WorkError::Invalid(format!(
            "target {:?} not found",
            job.target
        )));
    }
    Ok(dst)
}

/// The sorted entries under `root` ([`checksum::walk`]).
fn walk(root: &Path) -> Result<Vec<(PathBuf, Kind)>, WorkError> {
    checksum::walk(root).map_err(|e| WorkError::Failed(e.to_string()))
}

/// Files and bytes under `root`, from metadata only.
fn tree_size(root: &Path) -> Result<(u64, u64), WorkError> {
    let (mut files, mut bytes) = (0u64, 0u64);
    for (rel, _) in walk(root)? {
        let p = root.join(&rel);
        let meta = fs::symlink_metadata(&p)
            .map_err(|e| WorkError::Failed(format!("stat {}: {e}", p.display())))?;
        if meta.is_file() {
            files += 1;
            bytes += meta.len();
        }
    }
    Ok((files, bytes))
}

/// Checksum of a directory tree ([`checksum::tree_checksum`]: SHA-256 over, for each entry
/// in sorted order, its relative path and kind, for files their length and content, for
/// symbolic links their target). Returns (files, bytes, hex).
pub fn tree_checksum(root: &Path) -> Result<(u64, u64, String), WorkError> {
    let sum = checksum::tree_checksum(root).map_err(|e| WorkError::Failed(e.to_string()))?;
    Ok((sum.files, sum.bytes, sum.hex))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn copy_then_verify_then_detect_change() {
        let d = tempfile::tempdir().unwrap();
        let w = DirCopyWork {
            repo_root: d.path().join("repo"),
            restore_root: d.path().join("restores"),
        };
        fs::create_dir_all(w.repo_root.join("snap1/sub")).unwrap();
        fs::create_dir_all(&w.restore_root).unwrap();
        fs::write(w.repo_root.join("snap1/a.txt"), b"alpha").unwrap();
        fs::write(w.repo_root.join("snap1/sub/b.bin"), vec![7u8; 100_000]).unwrap();
        let job = RestoreJob {
            snapshot: "snap1".into(),
            target: "t".into(),
            ..RestoreJob::default()
        };
        let mut seen = 0;
        let r = w.restore(&job, &mut |_| seen += 1).unwrap();
        assert_eq!((r.files, r.bytes, seen), (2, 100_005, 2));
        assert_eq!(
            r.checksum,
            tree_checksum(&w.repo_root.join("snap1")).unwrap().2
        );
        // Restoring again replaces the target and gives the same answer.
        assert_eq!(w.restore(&job, &mut |_| {}).unwrap(), r);
        let ok = w
            .verify(&VerifyJob {
                target: "t".into(),
                expected_checksum: r.checksum.clone(),
                ..VerifyJob::default()
            })
            .unwrap();
        assert!(ok.matches);
        let local = pusdata_core::dr::drc::skipped_locally();
        assert_eq!(
            (ok.readiness.as_ref(), ok.smoke.as_ref()),
            (Some(&local), Some(&local))
        );
        fs::write(w.restore_root.join("t/a.txt"), b"alphA").unwrap();
        let bad = w
            .verify(&VerifyJob {
                target: "t".into(),
                expected_checksum: r.checksum.clone(),
                ..VerifyJob::default()
            })
            .unwrap();
        assert!(!bad.matches);
    }

    /// A restore asked to skip the checksum reads nothing back: the same files and bytes, no
    /// checksum. A teardown counts what it removes without hashing it.
    #[test]
    fn skip_checksum_and_discard_report_sizes() {
        let d = tempfile::tempdir().unwrap();
        let w = DirCopyWork {
            repo_root: d.path().join("repo"),
            restore_root: d.path().join("restores"),
        };
        fs::create_dir_all(w.repo_root.join("snap1/sub")).unwrap();
        fs::create_dir_all(&w.restore_root).unwrap();
        fs::write(w.repo_root.join("snap1/a.txt"), b"alpha").unwrap();
        fs::write(w.repo_root.join("snap1/sub/b.bin"), vec![7u8; 100_000]).unwrap();
        let job = RestoreJob {
            snapshot: "snap1".into(),
            target: "t".into(),
            skip_checksum: true,
            ..RestoreJob::default()
        };
        let r = w.restore(&job, &mut |_| {}).unwrap();
        assert_eq!((r.files, r.bytes, r.checksum.as_str()), (2, 100_005, ""));
        let v = w
            .verify(&VerifyJob {
                target: "t".into(),
                expected_checksum: tree_checksum(&w.repo_root.join("snap1")).unwrap().2,
                ..VerifyJob::default()
            })
            .unwrap();
        assert!(v.matches);
        let gone = w
            .discard(&DiscardJob {
                target: "t".into(),
                ..DiscardJob::default()
            })
            .unwrap();
        assert_eq!((gone.files, gone.bytes), (2, 100_005));
        assert!(!w.restore_root.join("t").exists());
    }

    /// A symbolic link is hashed as its target, never followed: the tree checksum changes
    /// when a link is retargeted, not when what it points to outside the tree changes, and
    /// the stand-in restore copies the link as a link.
    #[test]
    fn symlinks_are_hashed_by_their_target() {
        use std::os::unix::fs::symlink;
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("tree");
        let outside = d.path().join("outside.txt");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("sub/a.txt"), b"alpha").unwrap();
        fs::write(&outside, b"outside").unwrap();
        symlink("sub/a.txt", root.join("rel-link")).unwrap();
        symlink(&outside, root.join("abs-link")).unwrap();
        symlink("nowhere", root.join("dangling")).unwrap();
        symlink("sub", root.join("dir-link")).unwrap();
        let (files, bytes, first) = tree_checksum(&root).unwrap();
        assert_eq!(
            (files, bytes),
            (1, 5),
            "links are neither files nor followed"
        );
        // What a link points to outside the tree is not part of the tree.
        fs::write(&outside, b"changed").unwrap();
        assert_eq!(tree_checksum(&root).unwrap().2, first);
        // Retargeting a link is a change.
        fs::remove_file(root.join("dangling")).unwrap();
        symlink("elsewhere", root.join("dangling")).unwrap();
        let retargeted = tree_checksum(&root).unwrap().2;
        assert_ne!(retargeted, first);
        // A link and a file with the same bytes as the target are different trees.
        fs::remove_file(root.join("dangling")).unwrap();
        fs::write(root.join("dangling"), b"elsewhere").unwrap();
        assert_ne!(tree_checksum(&root).unwrap().2, retargeted);
        fs::remove_file(root.join("dangling")).unwrap();
        symlink("elsewhere", root.join("dangling")).unwrap();
        // The stand-in restore copies links as links, with the same checksum.
        fs::create_dir_all(d.path().join("restores")).unwrap();
        let w = DirCopyWork {
            repo_root: d.path().to_path_buf(),
            restore_root: d.path().join("restores"),
        };
        let r = w
            .restore(
                &RestoreJob {
                    snapshot: "tree".into(),
                    target: "t".into(),
                    ..RestoreJob::default()
                },
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(r.checksum, retargeted);
        let copied = d.path().join("restores/t/abs-link");
        assert!(
            fs::symlink_metadata(&copied)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_link(&copied).unwrap(), outside);
    }

    #[test]
    fn paths_stay_inside_the_roots() {
        for bad in ["", "/etc", "../x", "a/../../b", "./a"] {
            assert!(confine(Path::new("/r"), bad).is_err(), "{bad}");
        }
        assert_eq!(
            confine(Path::new("/r"), "a/b").unwrap(),
            Path::new("/r/a/b")
        );
    }
}
