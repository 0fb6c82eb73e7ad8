//! The DRC's real restore work: snapshots are read from the agencies' restic-format
//! repositories with the rustic_core mover, each opened with that agency's own key.
//!
//! A job's snapshot is `<agency>/<snapshot id>`; the repository is `<repo root>/<agency>`
//! and its key `<keys dir>/<agency>.key`. Paths from the peer never leave those roots.

use super::work::{
    DiscardJob, MAX_MISMATCHES, Progress, Report, RestoreJob, SiteWork, VerifyJob, WorkError,
    checked_report, confine, restored_report, verified_target, verify_target,
};
use crate::mover::{
    self, KeyCache, RepoConfig, RepoLocation, RestoreEngine, RestoreRequest, SnapshotRef,
};
use pusdata_crds::v1alpha1::VerificationStatus;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

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
    /// Each agency's master key once its password has opened the repository, under the
    /// SHA-256 of that password: a drill restores then verifies, and each open would derive
    /// the key again. A changed key file is a new password, so a new entry.
    pub keys: Arc<Mutex<AgencyKeys>>,
}

/// (agency, SHA-256 of its password) → the master key that password opened.
pub type AgencyKeys = HashMap<(String, [u8; 32]), KeyCache>;

impl RusticWork {
    /// Work on the repositories under `repo_root` (or `s3_base`), with the keys in
    /// `keys_dir`, restoring under `restore_root`.
    pub fn new(
        repo_root: PathBuf,
        s3_base: Option<RepoLocation>,
        keys_dir: PathBuf,
        restore_root: PathBuf,
    ) -> RusticWork {
        RusticWork {
            repo_root,
            s3_base,
            keys_dir,
            restore_root,
            keys: Arc::default(),
        }
    }

    fn repo(&self, agency: &str) -> Result<RepoConfig, WorkError> {
        let location = match &self.s3_base {
            Some(base) => base.for_agency(agency).map_err(WorkError::Invalid)?,
            None => RepoLocation::Local(confine(&self.repo_root, agency)?),
        };
        let key_path = confine(&self.keys_dir, &format!("{agency}.key"))?;
        let key = std::fs::read_to_string(&key_path).map_err(|e| {
            WorkError::Invalid(format!("no repository key for agency {agency}: {e}"))
        })?;
        let password = key.trim().to_string();
        let digest: [u8; 32] = Sha256::digest(password.as_bytes()).into();
        let mut cfg = RepoConfig::at(location, password);
        if let Ok(mut keys) = self.keys.lock() {
            cfg.key_cache = Some(
                keys.entry((agency.to_string(), digest))
                    .or_default()
                    .clone(),
            );
        }
        Ok(cfg)
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
    /// snapshot it was restored from (`mover::verify_restored_with_checksum`: type,
    /// contents, mode with its special bits, owner, times, xattrs, symlink targets, hard
    /// links, holes), both from one read of the tree, with the key the restore opened.
    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        let target = verified_target(&self.restore_root, job)?;
        let record = record_of(&target);
        let Ok(restored_from) = std::fs::read_to_string(&record) else {
            // Fail closed: without the snapshot there is nothing to compare the metadata with.
            let mut report = verify_target(&self.restore_root, job)?;
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
        let (v, sum) = mover::verify_restored_with_checksum(
            &repo,
            &SnapshotRef::Id(id.to_string()),
            &[format!("agency={agency}")],
            &target,
            Default::default(),
        )
        .map_err(|e| WorkError::Failed(e.to_string()))?;
        let mut report = checked_report(sum, job);
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
        let record = record_of(&target);
        // The drill is over for this restore: its agency's key is not kept for the next.
        if let Some((agency, _)) = std::fs::read_to_string(&record)
            .ok()
            .as_deref()
            .and_then(|r| r.trim().split_once('/'))
            && let Ok(mut keys) = self.keys.lock()
        {
            keys.retain(|(a, _), _| a != agency);
        }
        let _ = std::fs::remove_file(&record);
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
        let work = RusticWork::new(
            root.join("repos"),
            None,
            root.join("keys"),
            root.join("restores"),
        );
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

    /// A tree of the shapes a checksum could get wrong: nested and empty directories,
    /// relative, absolute and dangling symlinks, a hard-link group, an empty file, a file of
    /// zeros (restored as a hole), a file of several chunks, names whose byte order differs
    /// from their path order (`a.b` sorts before `a/` byte-wise, after it by path), names
    /// with spaces, tabs, newlines and non-ASCII letters, and a copy of a real directory of
    /// this machine (`/usr/share/zoneinfo`: a thousand files and hundreds of symlinks).
    fn awkward_tree(src: &Path) {
        let w = |rel: &str, data: &[u8]| {
            let p = src.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, data).unwrap();
            p
        };
        w("a/b", b"under a");
        w("a.b", b"beside a");
        w("a-", b"also beside a");
        w("nama dengan spasi\tdan tab\nbaris/Ø.txt", b"unicode");
        w("empty-file", b"");
        w("zeros", &vec![0u8; 2 << 20]);
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let noise: Vec<u8> = (0..3 << 20)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        w("deep/1/2/3/4/5/big.bin", &noise);
        let first = w("hl/one", b"linked three times");
        std::fs::hard_link(&first, src.join("hl/two")).unwrap();
        std::fs::create_dir_all(src.join("hl/other")).unwrap();
        std::fs::hard_link(&first, src.join("hl/other/three")).unwrap();
        std::fs::create_dir_all(src.join("empty/nested-empty")).unwrap();
        std::os::unix::fs::symlink("../a/b", src.join("deep/rel-link")).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", src.join("abs-link")).unwrap();
        std::os::unix::fs::symlink("no/such/file", src.join("dangling")).unwrap();
        let real = Path::new("/usr/share/zoneinfo");
        if real.is_dir() {
            let ok = std::process::Command::new("cp")
                .arg("-a")
                .arg(real)
                .arg(src.join("zoneinfo"))
                .status()
                .unwrap();
            assert!(ok.success());
        }
    }

    /// Regular file paths under `root` (each path of a hard-link group counts).
    fn file_paths(root: &Path) -> usize {
        crate::mover::checksum::walk(root)
            .unwrap()
            .iter()
            .filter(|(_, k)| *k == crate::mover::checksum::Kind::File)
            .count()
    }

    /// The verify pass gives the same tree checksum as a separate checksum pass would — on
    /// the source and on the restored tree — reading each restored file once; a tree that
    /// differs from its snapshot still gets its true checksum.
    #[test]
    fn the_verify_pass_gives_the_tree_checksum_reading_each_file_once() {
        use crate::mover::checksum::{FILE_OPENS, tree_checksum};
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        awkward_tree(&src);
        let (work, snap) = dinkes_snapshot_of(d.path(), &src);
        let job = RestoreJob {
            snapshot: format!("dinkes/{snap}"),
            target: "t".into(),
            skip_checksum: true,
            ..RestoreJob::default()
        };
        work.restore(&job, &mut |_| {}).unwrap();
        let t = work.restore_root.join("t");
        let expected = tree_checksum(&src).unwrap();
        assert_eq!(tree_checksum(&t).unwrap(), expected);
        let files = file_paths(&t);
        assert!(files > 10, "{files}");

        let repo = work.repo("dinkes").unwrap();
        let opens = FILE_OPENS.with(|n| n.get());
        let (v, sum) = mover::verify_restored_with_checksum(
            &repo,
            &SnapshotRef::Id(snap.clone()),
            &["agency=dinkes".into()],
            &t,
            Default::default(),
        )
        .unwrap();
        assert_eq!(v.status, VerificationStatus::Verified, "{:?}", v.mismatches);
        assert_eq!(sum, expected);
        // One open per file path: one pass. Two passes opened each twice.
        assert_eq!(FILE_OPENS.with(|n| n.get()) - opens, files);

        // Not the snapshot's tree any more: refused, and the checksum is still the tree's.
        std::fs::write(t.join("empty/stray"), b"not restored").unwrap();
        let (v, sum) = mover::verify_restored_with_checksum(
            &repo,
            &SnapshotRef::Id(snap),
            &["agency=dinkes".into()],
            &t,
            Default::default(),
        )
        .unwrap();
        assert_eq!(v.status, VerificationStatus::VerificationFailed);
        assert_eq!(sum, tree_checksum(&t).unwrap());
        assert_ne!(sum, expected);
    }

    /// A drill's restore then verify: the key is derived from the password once (the
    /// restore's open), the verify reads each file once, and reports the checksum the
    /// primary would compute over the source.
    #[test]
    fn a_restore_then_verify_derives_the_key_once_and_reads_the_tree_once() {
        use crate::mover::PASSWORD_OPENS;
        use crate::mover::checksum::{FILE_OPENS, tree_checksum};
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        awkward_tree(&src);
        let (work, snap) = dinkes_snapshot_of(d.path(), &src);
        let primary = tree_checksum(&src).unwrap();
        let (derived, opened) = (
            PASSWORD_OPENS.with(|n| n.get()),
            FILE_OPENS.with(|n| n.get()),
        );
        work.restore(
            &RestoreJob {
                snapshot: format!("dinkes/{snap}"),
                target: "drill/dinkes".into(),
                skip_checksum: true,
                ..RestoreJob::default()
            },
            &mut |_| {},
        )
        .unwrap();
        let v = work
            .verify(&VerifyJob {
                target: "drill/dinkes".into(),
                expected_checksum: primary.hex.clone(),
                ..VerifyJob::default()
            })
            .unwrap();
        assert!(v.matches && v.mismatches.is_empty(), "{v:?}");
        assert_eq!(
            (v.files, v.bytes, v.checksum),
            (primary.files, primary.bytes, primary.hex)
        );
        assert_eq!(PASSWORD_OPENS.with(|n| n.get()) - derived, 1);
        let files = file_paths(&work.restore_root.join("drill/dinkes"));
        assert_eq!(FILE_OPENS.with(|n| n.get()) - opened, files);

        // After the teardown the agency's key is not kept: the next restore derives it.
        work.discard(&DiscardJob {
            target: "drill/dinkes".into(),
            ..DiscardJob::default()
        })
        .unwrap();
        work.restore(
            &RestoreJob {
                snapshot: format!("dinkes/{snap}"),
                target: "drill/dinkes".into(),
                skip_checksum: true,
                ..RestoreJob::default()
            },
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(PASSWORD_OPENS.with(|n| n.get()) - derived, 2);
    }

    /// A cached key that no longer opens the repository (it was re-created under the same
    /// password) is dropped, and the password opens the new one.
    #[test]
    fn a_stale_cached_key_falls_back_to_the_password() {
        use crate::mover::PASSWORD_OPENS;
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("f"), b"x").unwrap();
        let (work, _) = dinkes_snapshot_of(d.path(), &src);
        let repo = work.repo("dinkes").unwrap();
        drop(repo.open().unwrap());
        let before = PASSWORD_OPENS.with(|n| n.get());
        drop(repo.open().unwrap());
        assert_eq!(PASSWORD_OPENS.with(|n| n.get()), before, "cached key used");
        std::fs::remove_dir_all(work.repo_root.join("dinkes")).unwrap();
        dinkes_snapshot_of(d.path(), &src);
        let before = PASSWORD_OPENS.with(|n| n.get());
        drop(work.repo("dinkes").unwrap().open().unwrap());
        assert_eq!(PASSWORD_OPENS.with(|n| n.get()), before + 1);
        drop(work.repo("dinkes").unwrap().open().unwrap());
        assert_eq!(
            PASSWORD_OPENS.with(|n| n.get()),
            before + 1,
            "the new key cached"
        );
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
