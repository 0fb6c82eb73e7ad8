//! `pusdata mover restore` and `verify`: a snapshot back into an empty directory, and a
//! proof that what is on disk is what the snapshot holds.

use super::{MoverError, RepoConfig, has_tags};
use pusdata_crds::v1alpha1::VerificationStatus;
use rustic_core::repofile::{BlobType, SnapshotFile};
use rustic_core::{
    IndexedFullStatus, LocalDestination, LsOptions, Repository, RestoreOptions,
    repofile::{Node, NodeType},
};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::io::{BufWriter, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

/// Which snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotRef {
    /// The newest snapshot matching the tag filter.
    Latest,
    /// A snapshot id or unique prefix.
    Id(String),
}

impl SnapshotRef {
    /// `latest` or an id.
    pub fn parse(s: &str) -> SnapshotRef {
        if s == "latest" {
            SnapshotRef::Latest
        } else {
            SnapshotRef::Id(s.to_string())
        }
    }
    fn as_str(&self) -> &str {
        match self {
            SnapshotRef::Latest => "latest",
            SnapshotRef::Id(s) => s,
        }
    }
}

/// How file contents are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestoreEngine {
    /// Pusdata's own: files streamed blob by blob by a few workers. Memory stays bounded
    /// (a few blobs per worker) and read errors come back as errors.
    #[default]
    Streaming,
    /// rustic_core's restore: reads whole pack ranges with 20 threads; fast on big packs but
    /// holds one pack and its blobs per thread in memory, and panics on a read error.
    Rustic,
}

/// What to restore, and where.
#[derive(Clone, Debug)]
pub struct RestoreRequest {
    /// The snapshot.
    pub snapshot: SnapshotRef,
    /// Only snapshots with all these tags (for `latest`, and as a guard for an id).
    pub tags: Vec<String>,
    /// An empty or missing directory.
    pub target: PathBuf,
    /// The engine.
    pub engine: RestoreEngine,
}

/// The figures of one restore: one type for the mover that prints them and the Restore
/// controller that reads them back.
pub use pusdata_core::restore::RestoreReport;

/// Restores a snapshot's files into `req.target`, which must be empty or missing.
pub fn restore(repo_cfg: &RepoConfig, req: &RestoreRequest) -> Result<RestoreReport, MoverError> {
    let started = Instant::now();
    ensure_empty_target(&req.target)?;
    let repo = repo_cfg.open()?;
    let snap = find_snapshot(repo_cfg, &repo, &req.snapshot, &req.tags)?;
    let repo = repo
        .to_indexed()
        .map_err(|e| repo_cfg.rustic_err("cannot read the index of", &e))?;
    let node = root_node(repo_cfg, &repo, &snap)?;
    fs::create_dir_all(&req.target)
        .map_err(|e| MoverError::io("cannot create restore target", &req.target, e))?;

    let run = || match req.engine {
        RestoreEngine::Streaming => restore_streaming(repo_cfg, &repo, &node, &req.target),
        RestoreEngine::Rustic => restore_rustic(repo_cfg, &repo, &node, &req.target),
    };
    // rustic_core's restore pool panics on backend read errors; a restore must end as an
    // error the controller can report, never as a dead process.
    let (files, dirs, bytes) = catch_unwind(AssertUnwindSafe(run))
        .map_err(|p| MoverError::Panicked(repo_cfg.scrub(&panic_text(p.as_ref()))))??;
    Ok(RestoreReport {
        snapshot_id: super::full_id(&snap.id),
        target: req.target.display().to_string(),
        files,
        dirs,
        bytes,
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic without a message".to_string()
    }
}

/// A target is empty when it holds nothing but, at most, an empty `lost+found` (a freshly
/// formatted ext4 volume: the new PVC of a `Restore` is mounted as the target itself).
fn ensure_empty_target(target: &Path) -> Result<(), MoverError> {
    match fs::read_dir(target) {
        Ok(entries) => {
            for entry in entries {
                let entry =
                    entry.map_err(|e| MoverError::io("cannot read restore target", target, e))?;
                let empty_lost_found = entry.file_name() == "lost+found"
                    && entry.file_type().is_ok_and(|t| t.is_dir())
                    && fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
                if !empty_lost_found {
                    return Err(MoverError::TargetNotEmpty(target.display().to_string()));
                }
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if target.is_file() => Err(MoverError::TargetNotEmpty(format!(
            "{} (a file: {e})",
            target.display()
        ))),
        Err(e) => Err(MoverError::io("cannot read restore target", target, e)),
    }
}

fn find_snapshot(
    repo_cfg: &RepoConfig,
    repo: &Repository<impl rustic_core::Open>,
    which: &SnapshotRef,
    tags: &[String],
) -> Result<SnapshotFile, MoverError> {
    let snap = repo
        .get_snapshot_from_str(which.as_str(), |s| has_tags(s, tags))
        .map_err(|e| {
            MoverError::NoSnapshot(repo_cfg.scrub(&format!(
                "no snapshot `{}` with tags [{}] in {}: {e}",
                which.as_str(),
                tags.join(","),
                repo_cfg.location.display()
            )))
        })?;
    if !has_tags(&snap, tags) {
        return Err(MoverError::NoSnapshot(format!(
            "snapshot {} does not carry the tags [{}]",
            snap.id,
            tags.join(",")
        )));
    }
    Ok(snap)
}

type FullRepo = Repository<IndexedFullStatus>;

/// The snapshot's single backed-up directory, so a restore puts its files straight into the
/// target rather than under the original absolute path.
fn root_node(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    snap: &SnapshotFile,
) -> Result<Node, MoverError> {
    let paths: Vec<&String> = snap.paths.iter().collect();
    let path = match paths.as_slice() {
        [one] => one.as_str(),
        _ => "",
    };
    repo.node_from_snapshot_and_path(snap, path)
        .map_err(|e| repo_cfg.rustic_err("cannot read the snapshot tree in", &e))
}

fn restore_rustic(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    target: &Path,
) -> Result<(u64, u64, u64), MoverError> {
    let target_str = target.to_str().ok_or_else(|| {
        MoverError::Input(format!("target {} is not valid UTF-8", target.display()))
    })?;
    let opts = RestoreOptions::default();
    let dest = LocalDestination::new(target_str, true, !node.is_dir())
        .map_err(|e| repo_cfg.rustic_err("cannot prepare the target for", &e))?;
    let ls = repo
        .ls(node, &LsOptions::default())
        .map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
    let plan = repo
        .prepare_restore(&opts, ls.clone(), &dest, false)
        .map_err(|e| repo_cfg.rustic_err("cannot plan the restore from", &e))?;
    let (files, dirs, bytes) = (
        plan.stats.files.restore,
        plan.stats.dirs.restore,
        plan.restore_size,
    );
    repo.restore(plan, &opts, ls, &dest)
        .map_err(|e| repo_cfg.rustic_err("restore failed from", &e))?;
    Ok((files, dirs, bytes))
}

/// Workers for the streaming restore: enough to overlap reads and writes on two cores and
/// S3 latency, few enough to keep memory at a few blobs each.
const RESTORE_WORKERS: usize = 4;

fn restore_streaming(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    target: &Path,
) -> Result<(u64, u64, u64), MoverError> {
    let ls = repo
        .ls(node, &LsOptions::default())
        .map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
    let mut files: Vec<(PathBuf, Node)> = Vec::new();
    let mut dirs: Vec<(PathBuf, Node)> = Vec::new();
    for item in ls {
        let (rel, n) = item.map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
        let path = target.join(&rel);
        match &n.node_type {
            NodeType::Dir => {
                fs::create_dir_all(&path)
                    .map_err(|e| MoverError::io("cannot create directory", &path, e))?;
                dirs.push((path, n));
            }
            NodeType::File => files.push((path, n)),
            NodeType::Symlink { .. } => {
                let link = n.node_type.to_link();
                std::os::unix::fs::symlink(link, &path)
                    .map_err(|e| MoverError::io("cannot create symlink", &path, e))?;
            }
            // Devices, fifos and sockets carry no data; a PVC restore does not recreate them.
            _ => tracing::warn!(path = %path.display(), "skipped special file"),
        }
    }

    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let bytes = AtomicU64::new(0);
    let first_error: Mutex<Option<MoverError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..RESTORE_WORKERS.min(files.len().max(1)) {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((path, n)) = files.get(i) else { break };
                    match write_file(repo_cfg, repo, n, path) {
                        Ok(len) => {
                            bytes.fetch_add(len, Ordering::Relaxed);
                        }
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            if let Ok(mut slot) = first_error.lock() {
                                slot.get_or_insert(e);
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    // Directory modes last: a read-only directory would refuse its own files.
    for (path, n) in dirs.iter().rev() {
        set_meta(path, n, false)?;
    }
    Ok((
        files.len() as u64,
        dirs.len() as u64,
        bytes.load(Ordering::Relaxed),
    ))
}

fn write_file(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    path: &Path,
) -> Result<u64, MoverError> {
    // create_new: a restore never overwrites, even if something appeared meanwhile.
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| MoverError::io("cannot create file", path, e))?;
    // Blob by blob, uncached: `Repository::dump` goes through rustic's 32 MiB blob cache
    // (single-blob files) and a read-ahead pipeline per file; a restore reads each blob
    // once, so both only held memory (massif: 43 MB in the cache at the peak). The
    // parallelism comes from the workers, one file each.
    let mut w = BufWriter::with_capacity(256 << 10, file);
    for id in node.content.iter().flatten() {
        let data = repo
            .cat_blob(BlobType::Data, (**id).to_hex().as_str())
            .map_err(|e| {
                repo_cfg.rustic_err(&format!("cannot restore {} from", path.display()), &e)
            })?;
        w.write_all(&data)
            .map_err(|e| MoverError::io("cannot write file", path, e))?;
    }
    w.flush()
        .map_err(|e| MoverError::io("cannot write file", path, e))?;
    set_meta(path, node, true)?;
    Ok(node.meta.size)
}

fn set_meta(path: &Path, node: &Node, is_file: bool) -> Result<(), MoverError> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(mtime) = node.meta.mtime
        && is_file
    {
        let t = std::time::SystemTime::from(mtime);
        fs::File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_modified(t))
            .map_err(|e| MoverError::io("cannot set mtime of", path, e))?;
    }
    if let Some(mode) = node.meta.mode {
        // restic stores Go's FileMode; its low 9 bits are the Unix permission bits.
        fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o777))
            .map_err(|e| MoverError::io("cannot set permissions of", path, e))?;
    }
    Ok(())
}

/// What to verify.
#[derive(Clone, Debug)]
pub struct VerifyRequest {
    /// The snapshot.
    pub snapshot: SnapshotRef,
    /// Tag filter, as for restore.
    pub tags: Vec<String>,
    /// Scratch space: the snapshot is restored into a new directory under it and removed
    /// afterwards (unless `keep`).
    pub scratch: PathBuf,
    /// Keep the restored copy.
    pub keep: bool,
}

pub use pusdata_core::backup::result::{Mismatch, VerifyReport};

/// Restores the snapshot into scratch space and compares every file with the snapshot tree.
pub fn verify(repo_cfg: &RepoConfig, req: &VerifyRequest) -> Result<VerifyReport, MoverError> {
    let started = Instant::now();
    fs::create_dir_all(&req.scratch)
        .map_err(|e| MoverError::io("cannot create scratch space", &req.scratch, e))?;
    let dir = unique_dir(&req.scratch)?;
    let restored = restore(
        repo_cfg,
        &RestoreRequest {
            snapshot: req.snapshot.clone(),
            tags: req.tags.clone(),
            target: dir.clone(),
            engine: RestoreEngine::Streaming,
        },
    );
    let result = match restored {
        Ok(r) => {
            let snap = SnapshotRef::Id(r.snapshot_id);
            verify_restored(repo_cfg, &snap, &req.tags, &dir)
        }
        // A snapshot whose data cannot be read back is exactly what verification is for.
        Err(e @ (MoverError::Repository(_) | MoverError::Panicked(_) | MoverError::Io(_))) => {
            Ok(VerifyReport {
                snapshot_id: req.snapshot.as_str().to_string(),
                status: VerificationStatus::VerificationFailed,
                files_checked: 0,
                bytes_checked: 0,
                mismatches: Vec::new(),
                mismatches_omitted: 0,
                restore_error: Some(e.to_string()),
                duration_seconds: 0.0,
            })
        }
        Err(e) => Err(e),
    };
    if !req.keep {
        let _ = fs::remove_dir_all(&dir);
    }
    result.map(|mut r| {
        r.duration_seconds = started.elapsed().as_secs_f64();
        r
    })
}

fn unique_dir(parent: &Path) -> Result<PathBuf, MoverError> {
    for i in 0..1000u32 {
        let dir = parent.join(format!("pusdata-verify-{}-{i}", std::process::id()));
        match fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(MoverError::io("cannot create scratch dir", &dir, e)),
        }
    }
    Err(MoverError::Io(format!(
        "no free scratch directory name under {}",
        parent.display()
    )))
}

/// Compares an already restored directory with a snapshot: every file's blobs are hashed
/// (SHA-256, the blob id) and compared with the tree's blob list; sizes, symlinks, missing and
/// unexpected entries are reported too. Needs no access to the original source.
pub fn verify_restored(
    repo_cfg: &RepoConfig,
    snapshot: &SnapshotRef,
    tags: &[String],
    dir: &Path,
) -> Result<VerifyReport, MoverError> {
    let started = Instant::now();
    let repo = repo_cfg.open()?;
    let snap = find_snapshot(repo_cfg, &repo, snapshot, tags)?;
    let repo = repo
        .to_indexed()
        .map_err(|e| repo_cfg.rustic_err("cannot read the index of", &e))?;
    let node = root_node(repo_cfg, &repo, &snap)?;
    let ls = repo
        .ls(&node, &LsOptions::default())
        .map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;

    let mut mismatches = Vec::new();
    let mut expected = BTreeSet::new();
    let (mut files_checked, mut bytes_checked) = (0u64, 0u64);
    for item in ls {
        let (rel, n) = item.map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
        let path = dir.join(&rel);
        let name = rel.display().to_string();
        expected.insert(rel.clone());
        let mut bad = |reason: String| {
            mismatches.push(Mismatch {
                path: name.clone(),
                reason,
            })
        };
        match &n.node_type {
            NodeType::Dir if !path.is_dir() => bad("directory missing".into()),
            NodeType::Dir => {}
            NodeType::Symlink { .. } => match fs::read_link(&path) {
                Ok(t) if t == n.node_type.to_link() => {}
                Ok(t) => bad(format!("symlink points to {}", t.display())),
                Err(_) => bad("symlink missing".into()),
            },
            NodeType::File => match check_file(repo_cfg, &repo, &n, &path) {
                Ok((None, len)) => {
                    files_checked += 1;
                    bytes_checked += len;
                }
                Ok((Some(reason), len)) => {
                    files_checked += 1;
                    bytes_checked += len;
                    bad(reason);
                }
                Err(reason) => bad(reason),
            },
            _ => {}
        }
    }
    for rel in walk(dir)? {
        // The empty `lost+found` of a fresh volume is the file system's, not a restored file.
        let fs_own = rel.as_os_str() == "lost+found"
            && fs::read_dir(dir.join(&rel)).is_ok_and(|mut d| d.next().is_none());
        if !expected.contains(&rel) && !fs_own {
            mismatches.push(Mismatch {
                path: rel.display().to_string(),
                reason: "not in the snapshot".into(),
            });
        }
    }
    let status = if mismatches.is_empty() {
        VerificationStatus::Verified
    } else {
        VerificationStatus::VerificationFailed
    };
    Ok(VerifyReport {
        snapshot_id: super::full_id(&snap.id),
        status,
        files_checked,
        bytes_checked,
        mismatches,
        mismatches_omitted: 0,
        restore_error: None,
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

/// `Ok((None, bytes))` when the file matches, `Ok((Some(reason), bytes))` when it differs,
/// `Err(reason)` when it cannot be read.
fn check_file(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    path: &Path,
) -> Result<(Option<String>, u64), String> {
    let meta = fs::symlink_metadata(path).map_err(|_| "file missing".to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() != node.meta.size {
        return Ok((
            Some(format!("size {} instead of {}", meta.len(), node.meta.size)),
            0,
        ));
    }
    let mut f = fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut buf = Vec::new();
    let mut offset = 0u64;
    for id in node.content.iter().flatten() {
        let entry = repo
            .get_index_entry(id)
            .map_err(|e| repo_cfg.scrub(&format!("blob {id} not in the index: {e}")))?;
        let len = u64::from(entry.data_length());
        buf.resize(len as usize, 0);
        f.read_exact(&mut buf)
            .map_err(|e| format!("short read at offset {offset}: {e}"))?;
        let digest = Sha256::digest(&buf);
        if hex(&digest) != id.to_hex().as_str() {
            return Ok((
                Some(format!(
                    "content differs in bytes {offset}..{} (blob {})",
                    offset + len,
                    id.to_hex().as_str()
                )),
                offset + len,
            ));
        }
        offset += len;
    }
    Ok((None, offset))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn walk(root: &Path) -> Result<Vec<PathBuf>, MoverError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = root.join(&rel);
        let entries =
            fs::read_dir(&abs).map_err(|e| MoverError::io("cannot read directory", &abs, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| MoverError::io("cannot read directory", &abs, e))?;
            let child = rel.join(entry.file_name());
            let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
            out.push(child.clone());
            if is_dir {
                stack.push(child);
            }
        }
    }
    Ok(out)
}
