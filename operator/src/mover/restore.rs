//! `pusdata mover restore` and `verify`: a snapshot back into an empty directory, and a
//! proof that what is on disk is what the snapshot holds.

use super::checksum::{self, TreeHasher, TreeSum};
use super::error::{MoverError, full_id, has_tags};
use super::meta::{self, Ownership};
use super::repo::RepoConfig;
use pusdata_crds::v1alpha1::VerificationStatus;
use rustic_core::repofile::{BlobType, SnapshotFile};
use rustic_core::{
    IndexedFullStatus, LocalDestination, LsOptions, Repository, RestoreOptions,
    repofile::{Node, NodeType},
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::io::{Read, Seek};
use std::os::unix::fs::MetadataExt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    /// Who the restored files belong to.
    pub owner: Ownership,
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
        RestoreEngine::Streaming => {
            restore_streaming(repo_cfg, &repo, &node, &req.target, req.owner)
        }
        RestoreEngine::Rustic => restore_rustic(repo_cfg, &repo, &node, &req.target),
    };
    // rustic_core's restore pool panics on backend read errors; a restore must end as an
    // error the controller can report, never as a dead process.
    let (files, dirs, bytes) = catch_unwind(AssertUnwindSafe(run))
        .map_err(|p| MoverError::Panicked(repo_cfg.scrub(&panic_text(p.as_ref()))))??;
    Ok(RestoreReport {
        snapshot_id: full_id(&snap.id),
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
/// target rather than under the original path; the whole tree for a snapshot of several
/// paths (as restic restores it).
///
/// `snap.paths` is not the path in the tree: restic records the absolute path but builds the
/// tree from the path as typed — `/srv/data` is `srv/data` in the tree, `data` (typed in
/// `/srv`) is `data`, and `.` puts the directory's entries at the root. So the directory is
/// the longest suffix of the recorded path that the tree holds as a chain of directories
/// each alone in its parent (as restic writes the path's leading directories); with none,
/// the root itself. Looking up the recorded path as is failed for every restic snapshot
/// of a relative path or `.` (issue 17 item 6).
fn root_node(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    snap: &SnapshotFile,
) -> Result<Node, MoverError> {
    let mut root = Node::new_node(std::ffi::OsStr::new(""), NodeType::Dir, Default::default());
    root.subtree = Some(snap.tree);
    let paths: Vec<&String> = snap.paths.iter().collect();
    let [one] = paths.as_slice() else {
        return Ok(root);
    };
    let parts: Vec<&std::ffi::OsStr> = Path::new(one.as_str())
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    for start in 0..parts.len() {
        if let Some(node) = single_dir_chain(repo_cfg, repo, &root, &parts[start..])? {
            return Ok(node);
        }
    }
    Ok(root)
}

/// The node at `chain` below `root` when every step is a directory alone in its parent.
fn single_dir_chain(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    root: &Node,
    chain: &[&std::ffi::OsStr],
) -> Result<Option<Node>, MoverError> {
    let mut node = root.clone();
    for name in chain {
        let Some(id) = node.subtree else {
            return Ok(None);
        };
        let tree = repo
            .get_tree(&id)
            .map_err(|e| repo_cfg.rustic_err("cannot read the snapshot tree in", &e))?;
        match tree.nodes.as_slice() {
            [only] if only.is_dir() && only.name() == *name => node = only.clone(),
            _ => return Ok(None),
        }
    }
    Ok(Some(node))
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
    repo.restore(plan, &opts, ls.clone(), &dest)
        .map_err(|e| repo_cfg.rustic_err("restore failed from", &e))?;
    punch_zero_chunks(repo_cfg, repo, ls, target)?;
    Ok((files, dirs, bytes))
}

/// rustic_core's restore writes all-zero chunks out in full: the one row of the behaviour
/// table it does not do. Afterwards the all-zero chunks of each file (a blob id is the
/// SHA-256 of its contents, so they are known from the tree) become holes, and the file's
/// modification time is put back. Hard-linked files are left as written.
fn punch_zero_chunks(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    ls: impl Iterator<Item = rustic_core::RusticResult<(PathBuf, Node)>>,
    target: &Path,
) -> Result<(), MoverError> {
    let mut zero_ids: HashMap<u32, String> = HashMap::new();
    for item in ls {
        let (rel, n) = item.map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
        if !n.is_file() || n.meta.links > 1 {
            continue;
        }
        let path = target.join(&rel);
        let mut file: Option<fs::File> = None;
        let mut offset = 0u64;
        for id in n.content.iter().flatten() {
            let entry = repo
                .get_index_entry(id)
                .map_err(|e| repo_cfg.rustic_err("cannot read the index of", &e))?;
            let len = entry.data_length();
            let zero = zero_ids
                .entry(len)
                .or_insert_with(|| hex(&Sha256::digest(vec![0u8; len as usize])));
            if id.to_hex().as_str() == zero.as_str() {
                let f = match &mut file {
                    Some(f) => &*f,
                    None => &*file.insert(
                        fs::OpenOptions::new()
                            .write(true)
                            .open(&path)
                            .map_err(|e| MoverError::io("cannot open", &path, e))?,
                    ),
                };
                let block = f
                    .metadata()
                    .map(|m| meta::block_size(&m))
                    .map_err(|e| MoverError::io("cannot read", &path, e))?;
                meta::punch_hole(f, offset, offset + u64::from(len), block)
                    .map_err(|e| MoverError::io("cannot make a hole in", &path, e))?;
            }
            offset += u64::from(len);
        }
        if let (Some(f), Some(mtime)) = (file, n.meta.mtime) {
            f.set_modified(std::time::SystemTime::from(mtime))
                .map_err(|e| MoverError::io("cannot set mtime of", &path, e))?;
        }
    }
    Ok(())
}

/// Workers for the streaming restore: enough to overlap reads and writes on two cores and
/// S3 latency, few enough to keep memory at a few blobs each.
const RESTORE_WORKERS: usize = 4;

fn restore_streaming(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    target: &Path,
    owner: Ownership,
) -> Result<(u64, u64, u64), MoverError> {
    let ls = repo
        .ls(node, &LsOptions::default())
        .map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
    let mut dirs: Vec<(PathBuf, Node)> = Vec::new();
    // Entries whose metadata is applied after the files are written: symlinks, FIFOs and
    // device nodes.
    let mut others: Vec<(PathBuf, Node)> = Vec::new();
    let mut links = HardLinks::default();
    let mut warnings = Vec::new();
    let mut files = 0u64;

    let failed = AtomicBool::new(false);
    let bytes = AtomicU64::new(0);
    let first_error: Mutex<Option<MoverError>> = Mutex::new(None);
    let worker_warnings: Mutex<Vec<String>> = Mutex::new(Vec::new());
    // The listing (decoding the snapshot's trees, creating directories and links) runs on
    // this thread while the workers already write the files it has found: a pipeline, not
    // a listing of the whole tree first. A bounded queue keeps memory flat on huge trees.
    let (tx, rx) = std::sync::mpsc::sync_channel::<(PathBuf, Node)>(4096);
    let rx = Mutex::new(rx);
    let listed = std::thread::scope(|s| {
        for _ in 0..RESTORE_WORKERS {
            s.spawn(|| {
                let mut warnings = Vec::new();
                loop {
                    let next = rx.lock().ok().and_then(|r| r.recv().ok());
                    let Some((path, n)) = next else { break };
                    // After a failure the queue is drained, not worked: the listing sees the
                    // flag at its next entry, and never blocks on a full queue.
                    if failed.load(Ordering::Relaxed) {
                        continue;
                    }
                    // A panic in rustic_core becomes this file's error: a worker that died
                    // would leave the listing blocked on a full queue.
                    let written = catch_unwind(AssertUnwindSafe(|| {
                        write_file(repo_cfg, repo, &n, &path, owner, &mut warnings)
                    }))
                    .unwrap_or_else(|p| {
                        Err(MoverError::Panicked(
                            repo_cfg.scrub(&panic_text(p.as_ref())),
                        ))
                    });
                    match written {
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
                if let Ok(mut all) = worker_warnings.lock() {
                    all.append(&mut warnings);
                }
            });
        }
        let tx = tx;
        for item in ls {
            if failed.load(Ordering::Relaxed) {
                break;
            }
            let (rel, n) = item.map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
            let path = target.join(&rel);
            match &n.node_type {
                NodeType::Dir => {
                    fs::create_dir_all(&path)
                        .map_err(|e| MoverError::io("cannot create directory", &path, e))?;
                    dirs.push((path, n));
                }
                NodeType::File => {
                    if let Some(first) = links.first_of(&n, &path) {
                        links.pending.push((first, path));
                    } else {
                        files += 1;
                        // A send fails only when every worker has stopped on an error,
                        // which is reported below.
                        if tx.send((path, n)).is_err() {
                            break;
                        }
                    }
                }
                NodeType::Symlink { .. } => {
                    let link = n.node_type.to_link();
                    std::os::unix::fs::symlink(link, &path)
                        .map_err(|e| MoverError::io("cannot create symlink", &path, e))?;
                    others.push((path, n));
                }
                _ => {
                    if meta::create_special(&path, &n)? {
                        others.push((path, n));
                    } else {
                        // Sockets belong to a running process; device nodes need root.
                        tracing::warn!(path = %path.display(), kind = %n.node_type, "special file not restored");
                    }
                }
            }
        }
        Ok::<(), MoverError>(())
        // `tx` is dropped here: the workers drain the queue and stop.
    });
    if let Some(e) = first_error.into_inner().ok().flatten() {
        return Err(e);
    }
    listed?;
    warnings.extend(worker_warnings.into_inner().unwrap_or_default());
    // A hard link shares its first path's inode, contents and metadata.
    for (first, path) in &links.pending {
        fs::hard_link(first, path)
            .map_err(|e| MoverError::io("cannot create hard link", path, e))?;
    }
    for (path, n) in &others {
        meta::apply(path, n, owner, &mut warnings)?;
    }
    // Directories last, deepest first: writing a child changes its directory's time, and a
    // read-only directory would refuse its own files.
    for (path, n) in dirs.iter().rev() {
        meta::apply(path, n, owner, &mut warnings)?;
    }
    for w in &warnings {
        tracing::warn!("{w}");
    }
    Ok((
        files + links.pending.len() as u64,
        dirs.len() as u64,
        bytes.load(Ordering::Relaxed),
    ))
}

/// Hard-link groups of a snapshot: restic records each file's device, inode and link count.
#[derive(Default)]
struct HardLinks {
    first: std::collections::HashMap<(u64, u64), PathBuf>,
    /// (first path of the group, another path of it)
    pending: Vec<(PathBuf, PathBuf)>,
}

impl HardLinks {
    /// The group's first path when `node` is a later member of a hard-link group.
    fn first_of(&mut self, node: &Node, path: &Path) -> Option<PathBuf> {
        if node.meta.links < 2 || node.meta.inode == 0 {
            return None;
        }
        let key = (node.meta.device_id, node.meta.inode);
        match self.first.get(&key) {
            Some(first) => Some(first.clone()),
            None => {
                self.first.insert(key, path.to_path_buf());
                None
            }
        }
    }
}

/// Writes one file's contents, then its metadata through the open descriptor (no path
/// lookups: on deep trees of small files those were a good part of a restore's system time).
fn write_file(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    path: &Path,
    owner: Ownership,
    warnings: &mut Vec<String>,
) -> Result<u64, MoverError> {
    use std::os::unix::fs::FileExt;
    // create_new: a restore never overwrites, even if something appeared meanwhile.
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| MoverError::io("cannot create file", path, e))?;
    // Blob by blob, uncached: `Repository::dump` goes through rustic's 32 MiB blob cache
    // (single-blob files) and a read-ahead pipeline per file; a restore reads each blob
    // once, so both only held memory (massif: 43 MB in the cache at the peak). The
    // parallelism comes from the workers, one file each. Blobs are whole chunks (512 KiB to
    // 8 MiB, or the whole small file), so each is one write; an all-zero blob is left as a
    // hole and the final length set at the end.
    let mut offset = 0u64;
    let mut written_to = 0u64;
    for id in node.content.iter().flatten() {
        let data = repo
            .cat_blob(BlobType::Data, (**id).to_hex().as_str())
            .map_err(|e| {
                repo_cfg.rustic_err(&format!("cannot restore {} from", path.display()), &e)
            })?;
        offset += data.len() as u64;
        if !meta::is_zero(&data) {
            file.write_all_at(&data, offset - data.len() as u64)
                .map_err(|e| MoverError::io("cannot write file", path, e))?;
            written_to = offset;
        }
    }
    // Only a file that ends in a hole needs its length set.
    if written_to != offset {
        file.set_len(offset)
            .map_err(|e| MoverError::io("cannot write file", path, e))?;
    }
    meta::apply_to_file(&file, path, node, owner, warnings)?;
    Ok(offset)
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
    /// Who the restored files belong to (restored, then checked, so).
    pub owner: Ownership,
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
            owner: req.owner,
        },
    );
    let result = match restored {
        Ok(r) => {
            let snap = SnapshotRef::Id(r.snapshot_id);
            verify_restored_as(repo_cfg, &snap, &req.tags, &dir, req.owner)
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

/// Compares an already restored directory with a snapshot, entry by entry, field by field:
/// type, contents (every blob hashed: SHA-256 is the blob id), size, mode with its special
/// bits, owner (where the restore sets it), modification time (files, directories,
/// symlinks, special files), extended attributes, symlink target, device number, hard-link
/// groups and holes (an all-zero blob must be a hole), plus missing and unexpected entries.
/// Each mismatch names the path and the field (`mode: …`). Needs no access to the source.
pub fn verify_restored(
    repo_cfg: &RepoConfig,
    snapshot: &SnapshotRef,
    tags: &[String],
    dir: &Path,
) -> Result<VerifyReport, MoverError> {
    verify_restored_as(repo_cfg, snapshot, tags, dir, Ownership::default())
}

/// [`verify_restored`] for a restore made with the given ownership.
pub fn verify_restored_as(
    repo_cfg: &RepoConfig,
    snapshot: &SnapshotRef,
    tags: &[String],
    dir: &Path,
    owner: Ownership,
) -> Result<VerifyReport, MoverError> {
    compare_restored(repo_cfg, snapshot, tags, dir, owner, None).map(|(report, _)| report)
}

/// [`verify_restored_as`] that also gives the tree checksum of `dir`
/// ([`checksum::tree_checksum`]), from the same reads: each file is read once, and each
/// blob's bytes go to its SHA-256 check and to the tree checksum. The drill's verify step
/// reports both, and read the tree twice when they were separate passes.
pub fn verify_restored_with_checksum(
    repo_cfg: &RepoConfig,
    snapshot: &SnapshotRef,
    tags: &[String],
    dir: &Path,
    owner: Ownership,
) -> Result<(VerifyReport, TreeSum), MoverError> {
    let (report, sum) = compare_restored(
        repo_cfg,
        snapshot,
        tags,
        dir,
        owner,
        Some(TreeHasher::default()),
    )?;
    let sum = match sum {
        Some(sum) => sum,
        // The tree is not the snapshot's, so the pass did not see all of it (or saw it out
        // of order): the checksum reads it again. Only a failed verification pays this.
        None => checksum::tree_checksum(dir)?,
    };
    Ok((report, sum))
}

/// The comparison behind [`verify_restored_as`]. With a hasher, it also returns the tree
/// checksum of `dir` when the pass covered the tree exactly: every entry on disk was the
/// snapshot's, visited in the checksum's (sorted) order, and every file read in full.
fn compare_restored(
    repo_cfg: &RepoConfig,
    snapshot: &SnapshotRef,
    tags: &[String],
    dir: &Path,
    owner: Ownership,
    mut sum: Option<TreeHasher>,
) -> Result<(VerifyReport, Option<TreeSum>), MoverError> {
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
    // Hard-link groups: snapshot (device, inode) → restored (device, inode) of the first path.
    let mut groups: HashMap<(u64, u64), ((u64, u64), String)> = HashMap::new();
    // Restored inodes of files in no group, to find files linked that should not be.
    let mut single: HashMap<(u64, u64), String> = HashMap::new();
    // Whether the checksum still covers the tree exactly (see above).
    let mut exact = true;
    let mut previous: Option<PathBuf> = None;
    for item in ls {
        let (rel, n) = item.map_err(|e| repo_cfg.rustic_err("cannot list", &e))?;
        let path = dir.join(&rel);
        let name = rel.display().to_string();
        // restic's trees are sorted by name and listed depth first, which is the sorted
        // path order of the checksum; a tree written otherwise is hashed in a second pass.
        if previous.as_ref().is_some_and(|p| *p >= rel) {
            exact = false;
        }
        previous = Some(rel.clone());
        expected.insert(rel.clone());
        let mut bad = |field: &str, detail: String| {
            mismatches.push(Mismatch {
                path: name.clone(),
                reason: format!("{field}: {detail}"),
            })
        };
        // A socket belongs to the process that listened on it; neither restic nor Pusdata
        // recreates one.
        if matches!(n.node_type, NodeType::Socket) {
            continue;
        }
        let Ok(on_disk) = fs::symlink_metadata(&path) else {
            bad("missing", format!("{} not restored", kind_of_node(&n)));
            continue;
        };
        let kind = kind_of_disk(&on_disk);
        if kind != kind_of_node(&n) {
            bad("type", format!("{kind} instead of {}", kind_of_node(&n)));
            continue;
        }
        match &n.node_type {
            NodeType::Dir => {
                if let Some(sum) = &mut sum {
                    sum.dir(&rel);
                }
            }
            NodeType::Symlink { .. } => match fs::read_link(&path) {
                Ok(t) if t == n.node_type.to_link() => {
                    if let Some(sum) = &mut sum {
                        sum.symlink(&rel, &t);
                    }
                }
                Ok(t) => bad("target", format!("symlink points to {}", t.display())),
                Err(e) => bad("target", format!("cannot read the link: {e}")),
            },
            NodeType::Dev { device } | NodeType::Chardev { device }
                if on_disk.rdev() != *device =>
            {
                bad("device", format!("{} instead of {device}", on_disk.rdev()));
            }
            NodeType::File => {
                let hashing = sum.as_mut().map(|s| (s, rel.as_path()));
                match check_file(repo_cfg, &repo, &n, &path, &on_disk, hashing) {
                    Ok((problems, len)) => {
                        files_checked += 1;
                        bytes_checked += len;
                        for (field, detail) in problems {
                            bad(field, detail);
                        }
                    }
                    Err(reason) => bad("content", reason),
                }
                let restored = (on_disk.dev(), on_disk.ino());
                if n.meta.links > 1 && n.meta.inode != 0 {
                    let key = (n.meta.device_id, n.meta.inode);
                    match groups.get(&key) {
                        Some((ino, first)) if *ino != restored => bad(
                            "hardlink",
                            format!("not a hard link of {first} as in the snapshot"),
                        ),
                        Some(_) => {}
                        None => {
                            groups.insert(key, (restored, name.clone()));
                        }
                    }
                } else if on_disk.nlink() > 1 {
                    if let Some(other) = single.get(&restored) {
                        bad(
                            "hardlink",
                            format!("a hard link of {other}; separate files in the snapshot"),
                        );
                    }
                    single.insert(restored, name.clone());
                }
            }
            // FIFOs and device nodes: the checksum has no form for them.
            _ => exact = false,
        }
        for (field, detail) in compare_meta(&n, &path, &on_disk, owner) {
            bad(field, detail);
        }
    }
    for rel in walk(dir)? {
        // The empty `lost+found` of a fresh volume is the file system's, not a restored file.
        let fs_own = rel.as_os_str() == "lost+found"
            && fs::read_dir(dir.join(&rel)).is_ok_and(|mut d| d.next().is_none());
        if fs_own {
            // On disk and in the checksum, but not in this pass.
            exact = false;
        } else if !expected.contains(&rel) {
            mismatches.push(Mismatch {
                path: rel.display().to_string(),
                reason: "unexpected: not in the snapshot".into(),
            });
        }
    }
    let status = if mismatches.is_empty() {
        VerificationStatus::Verified
    } else {
        VerificationStatus::VerificationFailed
    };
    let sum = sum
        .filter(|_| exact && mismatches.is_empty())
        .map(TreeHasher::finish);
    let report = VerifyReport {
        snapshot_id: full_id(&snap.id),
        status,
        files_checked,
        bytes_checked,
        mismatches,
        mismatches_omitted: 0,
        restore_error: None,
        duration_seconds: started.elapsed().as_secs_f64(),
    };
    Ok((report, sum))
}

fn kind_of_node(n: &Node) -> &'static str {
    match n.node_type {
        NodeType::File => "file",
        NodeType::Dir => "directory",
        NodeType::Symlink { .. } => "symlink",
        NodeType::Dev { .. } => "block device",
        NodeType::Chardev { .. } => "character device",
        NodeType::Fifo => "fifo",
        NodeType::Socket => "socket",
    }
}

fn kind_of_disk(m: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = m.file_type();
    if t.is_file() {
        "file"
    } else if t.is_dir() {
        "directory"
    } else if t.is_symlink() {
        "symlink"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_fifo() {
        "fifo"
    } else {
        "socket"
    }
}

/// Mode, owner, modification time and extended attributes of one entry, as
/// [`meta::apply`] sets them.
fn compare_meta(
    n: &Node,
    path: &Path,
    on_disk: &fs::Metadata,
    owner: Ownership,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if !n.is_symlink()
        && let Some(mode) = n.meta.mode
    {
        let (want, got) = (meta::unix_mode(mode), on_disk.mode() & 0o7777);
        if want != got {
            out.push(("mode", format!("{got:04o} instead of {want:04o}")));
        }
    }
    if let Some((uid, gid)) = owner.wanted(n)
        && (on_disk.uid(), on_disk.gid()) != (uid, gid)
    {
        out.push((
            "owner",
            format!("{}:{} instead of {uid}:{gid}", on_disk.uid(), on_disk.gid()),
        ));
    }
    if let Some(mtime) = n.meta.mtime {
        let want = std::time::SystemTime::from(mtime);
        match on_disk.modified() {
            Ok(got) if got == want => {}
            Ok(got) => out.push((
                "mtime",
                format!(
                    "{} instead of {}",
                    jiff::Timestamp::try_from(got).map_or_else(|_| "?".into(), |t| t.to_string()),
                    mtime
                ),
            )),
            Err(e) => out.push(("mtime", format!("cannot read: {e}"))),
        }
    }
    match meta::read_xattrs(path) {
        Ok(got) => {
            let want: BTreeMap<&str, &[u8]> = n
                .meta
                .extended_attributes
                .iter()
                .map(|a| (a.name.as_str(), a.value.as_deref().unwrap_or_default()))
                .collect();
            for (name, value) in &want {
                match got.get(*name) {
                    Some(v) if v.as_slice() == *value => {}
                    Some(_) => out.push(("xattr", format!("{name} has a different value"))),
                    None => out.push(("xattr", format!("{name} missing"))),
                }
            }
            // Only user attributes: the file system or the security module may add others
            // (security.selinux) on its own.
            for name in got.keys() {
                if name.starts_with("user.") && !want.contains_key(name.as_str()) {
                    out.push(("xattr", format!("{name} not in the snapshot")));
                }
            }
        }
        Err(e) if !n.meta.extended_attributes.is_empty() => {
            out.push(("xattr", format!("cannot read: {e}")));
        }
        Err(_) => {}
    }
    out
}

/// Mismatches of one entry as (field, detail).
type Problems = Vec<(&'static str, String)>;

/// The file's problems as (field, detail) with the bytes read, or `Err(reason)` when it
/// cannot be read at all. With a hasher, the file's bytes also go into the tree checksum
/// under its relative path.
fn check_file(
    repo_cfg: &RepoConfig,
    repo: &FullRepo,
    node: &Node,
    path: &Path,
    on_disk: &fs::Metadata,
    mut sum: Option<(&mut TreeHasher, &Path)>,
) -> Result<(Problems, u64), String> {
    let mut problems = Vec::new();
    if on_disk.len() != node.meta.size {
        problems.push((
            "size",
            format!("{} instead of {}", on_disk.len(), node.meta.size),
        ));
        return Ok((problems, 0));
    }
    let mut f = checksum::open_counted(path).map_err(|e| format!("cannot read: {e}"))?;
    if let Some((sum, rel)) = &mut sum {
        sum.file(rel, on_disk.len());
    }
    let block = meta::block_size(on_disk);
    let mut buf = Vec::new();
    let mut offset = 0u64;
    let (mut allocated_zeros, mut first_allocated) = (0u32, None);
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
            problems.push((
                "content",
                format!(
                    "differs in bytes {offset}..{} (blob {})",
                    offset + len,
                    id.to_hex().as_str()
                ),
            ));
            return Ok((problems, offset + len));
        }
        if let Some((sum, _)) = &mut sum {
            sum.contents(&buf);
        }
        // An all-zero chunk is restored as a hole: the whole blocks inside it hold no data.
        if meta::is_zero(&buf) {
            let (start, end) = (
                offset.div_ceil(block) * block,
                (offset + len) / block * block,
            );
            match meta::has_data(&f, start, end) {
                Ok(false) => {}
                Ok(true) => {
                    allocated_zeros += 1;
                    first_allocated.get_or_insert((offset, offset + len));
                }
                Err(e) => problems.push(("sparse", format!("cannot read the extents: {e}"))),
            }
            // SEEK_DATA moved the file position.
            f.seek(std::io::SeekFrom::Start(offset + len))
                .map_err(|e| format!("cannot seek: {e}"))?;
        }
        offset += len;
    }
    if offset != node.meta.size {
        // A snapshot whose blobs do not add up to its file's size: the rest was never
        // compared (nor hashed).
        problems.push((
            "content",
            format!(
                "the snapshot's blobs cover {offset} of {} bytes",
                node.meta.size
            ),
        ));
    }
    if let Some((from, to)) = first_allocated {
        problems.push((
            "sparse",
            format!(
                "{allocated_zeros} all-zero chunk(s) allocated, not holes (the first: bytes {from}..{to})"
            ),
        ));
    }
    Ok((problems, offset))
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
