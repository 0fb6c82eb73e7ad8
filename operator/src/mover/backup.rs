//! `pusdata mover backup`: one snapshot of a directory.

use super::error::{MoverError, full_id};
use super::lock::{LockOptions, RepoLock};
use super::repo::RepoConfig;
use pusdata_core::lock::Want;
use rustic_core::{
    BackupOptions, ParentOptions, PathList, SnapshotGroupCriterion, SnapshotOptions,
};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

/// What to back up.
#[derive(Clone, Debug, Default)]
pub struct BackupRequest {
    /// The directory (a PVC mounted read-only in the mover Job).
    pub path: PathBuf,
    /// Tags: `agency=…`, `namespace=…`, `pvc=…`, `plan=…`, `tier=…`.
    pub tags: Vec<String>,
    /// The snapshot's host name; the machine's (as restic records it) when unset. The
    /// operator's Jobs give the PVC's identity (`<pvc>.<namespace>.<agency>`): mover pods
    /// get a new name each run.
    pub host: Option<String>,
    /// Record the files under this path instead of `path` (the mount point can differ
    /// between runs).
    pub as_path: Option<PathBuf>,
    /// The shared lock held while backing up (refused while a fresh exclusive lock exists).
    pub lock: LockOptions,
}

/// The figures of one backup: one type shared with the controller that reads them back.
pub use pusdata_core::backup::result::BackupReport;

/// Snapshots `req.path` into the repository, creating the repository on first use.
pub fn backup(repo_cfg: &RepoConfig, req: &BackupRequest) -> Result<BackupReport, MoverError> {
    let started = Instant::now();
    let meta = std::fs::metadata(&req.path)
        .map_err(|e| MoverError::io("cannot read the backup source", &req.path, e))?;
    if !meta.is_dir() {
        return Err(MoverError::Input(format!(
            "backup source {} is not a directory",
            req.path.display()
        )));
    }
    // Absolute, as restic records it: the same data backed up from another working
    // directory, or by restic, is the same snapshot group and a valid parent.
    let absolute = std::path::absolute(&req.path)
        .map_err(|e| MoverError::io("cannot resolve the backup source", &req.path, e))?;
    let source = absolute.to_str().ok_or_else(|| {
        MoverError::Input(format!(
            "backup source {} is not valid UTF-8",
            req.path.display()
        ))
    })?;
    for t in &req.tags {
        if t.contains(',') || t.trim().is_empty() {
            return Err(MoverError::Input(format!(
                "tag `{t}` is empty or contains a comma"
            )));
        }
    }

    let (repo, created) = repo_cfg.open_or_init()?;
    // A shared restic lock: refused while a forget/prune holds an exclusive one, and it keeps
    // a prune (Pusdata's or restic's) from starting until this backup is done.
    let lock = RepoLock::acquire_opened(repo_cfg, &repo, Want::Shared, &req.lock)?;
    let repo = repo
        .to_indexed_ids()
        .map_err(|e| repo_cfg.rustic_err("cannot read the index of", &e))?;

    // No host: rustic_core records the machine's host name, as restic does.
    let mut snap_opts = SnapshotOptions::default();
    if let Some(host) = &req.host {
        snap_opts = snap_opts.host(host.clone());
    }
    if !req.tags.is_empty() {
        snap_opts = snap_opts
            .add_tags(&req.tags.join(","))
            .map_err(|e| MoverError::Input(format!("bad tags: {e}")))?;
    }
    let snap = snap_opts
        .to_snapshot()
        .map_err(|e| MoverError::Input(format!("bad snapshot options: {e}")))?;

    // restic's parent rule (0.14: the newest snapshot of the same host and paths; tags do
    // not count), so a snapshot of either tool is the other's parent.
    let group_by = SnapshotGroupCriterion::from_str("host,paths")
        .map_err(|e| MoverError::Input(format!("group criterion: {e}")))?;
    let mut opts =
        BackupOptions::default().parent_opts(ParentOptions::default().group_by(group_by));
    if let Some(p) = &req.as_path {
        opts = opts.as_path(p.clone());
    }
    let paths = PathList::from_string(source)
        .map_err(|e| MoverError::Input(format!("backup source {source}: {e}")))?
        .sanitize()
        .map_err(|e| MoverError::Input(format!("backup source {source}: {e}")))?;

    let snap = repo
        .backup(&opts, &paths, snap)
        .map_err(|e| repo_cfg.rustic_err("backup failed, repository", &e))?;
    let summary = snap.summary.clone().unwrap_or_default();
    let report = BackupReport {
        snapshot_id: full_id(&snap.id),
        parent_id: snap.parent.as_ref().map(full_id),
        repository_created: created,
        time: snap.time.timestamp().to_string(),
        tags: snap.tags.iter().cloned().collect(),
        paths: snap.paths.iter().cloned().collect(),
        files_new: summary.files_new,
        files_changed: summary.files_changed,
        files_unmodified: summary.files_unmodified,
        bytes_read: summary.total_bytes_processed,
        bytes_added: summary.data_added_packed,
        duration_seconds: started.elapsed().as_secs_f64(),
    };
    lock.release()?;
    tracing::info!(
        snapshot = %report.snapshot_id,
        files_new = report.files_new,
        bytes_added = report.bytes_added,
        "backup done"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_backup_derives_the_repository_key_once() {
        use super::super::key::DERIVATIONS;
        use super::super::lock::Raw;
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.txt"), b"data").unwrap();
        let cfg = RepoConfig::local(dir.path().join("repo"), "kunci-dinkes");
        let req = BackupRequest {
            path: src,
            ..BackupRequest::default()
        };
        backup(&cfg, &req).unwrap();
        // The second run opens an existing repository: rustic's open derives the key, and
        // the shared lock is sealed with that key instead of deriving it again.
        let before = DERIVATIONS.with(std::cell::Cell::get);
        let report = backup(&cfg, &req).unwrap();
        assert!(report.parent_id.is_some());
        assert_eq!(DERIVATIONS.with(std::cell::Cell::get) - before, 0);
        // The lock it held was sealed with the repository's key and removed at the end.
        let raw = Raw::open(&cfg).unwrap();
        assert!(raw.locks(&cfg).unwrap().is_empty());
    }
}
