//! File-system metadata of a restore: what the snapshot's nodes record (restic's format) put
//! back on disk, and read back for verification. One place for both, so verify checks
//! exactly what restore promises (the table in docs/reference/mover.md).

use super::error::MoverError;
use nix::fcntl::AtFlags;
use nix::sys::stat::{Mode, SFlag};
use nix::unistd::{Gid, Uid};
use rustic_core::repofile::{Node, NodeType};
use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::SystemTime;

// Go's io/fs FileMode bits, which restic stores (and rustic_core keeps).
const GO_SETUID: u32 = 1 << 23;
const GO_SETGID: u32 = 1 << 22;
const GO_STICKY: u32 = 1 << 20;

/// The Unix permission and special bits (`0o7777`) of a restic node mode.
pub fn unix_mode(go_mode: u32) -> u32 {
    let mut m = go_mode & 0o777;
    if go_mode & GO_SETUID != 0 {
        m |= 0o4000;
    }
    if go_mode & GO_SETGID != 0 {
        m |= 0o2000;
    }
    if go_mode & GO_STICKY != 0 {
        m |= 0o1000;
    }
    m
}

/// Who restored files belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Ownership {
    /// The snapshot's owners when the process may `chown` (root), else the process's own
    /// user — the mover's `runAsUser`, the workload user (docs/reference/restore.md).
    #[default]
    WhenPermitted,
    /// Every entry to this user and group (the workload-user mapping, asked for explicitly).
    Fixed(u32, u32),
}

impl Ownership {
    /// The owner an entry must end with, or `None` when the process's own user is expected
    /// and nothing is changed.
    pub fn wanted(self, node: &Node) -> Option<(u32, u32)> {
        match self {
            Ownership::Fixed(u, g) => Some((u, g)),
            Ownership::WhenPermitted if Uid::effective().is_root() => {
                Some((node.meta.uid?, node.meta.gid?))
            }
            Ownership::WhenPermitted => None,
        }
    }
}

/// Creates a FIFO or device node. `Ok(false)` when the node kind is not recreated (a socket
/// belongs to a running process) or a device node may not be created (not root); the
/// caller warns and verification reports it missing.
pub fn create_special(path: &Path, node: &Node) -> Result<bool, MoverError> {
    let perm = Mode::from_bits_truncate(node.meta.mode.map_or(0o600, unix_mode) & 0o777);
    let made = match node.node_type {
        NodeType::Fifo => nix::unistd::mkfifo(path, perm),
        NodeType::Dev { device } => nix::sys::stat::mknod(path, SFlag::S_IFBLK, perm, device),
        NodeType::Chardev { device } => nix::sys::stat::mknod(path, SFlag::S_IFCHR, perm, device),
        _ => return Ok(false),
    };
    match made {
        Ok(()) => Ok(true),
        Err(nix::errno::Errno::EPERM) => Ok(false),
        Err(e) => Err(MoverError::io(
            "cannot create special file",
            path,
            std::io::Error::from(e),
        )),
    }
}

/// Puts back everything but the contents: owner (first: `chown` clears setuid/setgid), mode
/// with its special bits, extended attributes, then the times, last, so nothing written
/// after changes them. Extended attributes the target file system refuses (no support, or
/// `trusted.*` without root) are returned as warnings; verification reports them.
pub fn apply(
    path: &Path,
    node: &Node,
    owner: Ownership,
    warnings: &mut Vec<String>,
) -> Result<(), MoverError> {
    if let Some((uid, gid)) = owner.wanted(node) {
        nix::unistd::fchownat(
            nix::fcntl::AT_FDCWD,
            path,
            Some(Uid::from_raw(uid)),
            Some(Gid::from_raw(gid)),
            AtFlags::AT_SYMLINK_NOFOLLOW,
        )
        .map_err(|e| MoverError::io("cannot set the owner of", path, e.into()))?;
    }
    if !node.is_symlink()
        && let Some(mode) = node.meta.mode
    {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(unix_mode(mode)))
            .map_err(|e| MoverError::io("cannot set permissions of", path, e))?;
    }
    for attr in &node.meta.extended_attributes {
        let value = attr.value.as_deref().unwrap_or_default();
        xattr_set(
            xattr::set(path, &attr.name, value),
            path,
            &attr.name,
            warnings,
        )?;
    }
    if let Some((atime, mtime)) = times(node) {
        filetime::set_symlink_file_times(path, atime, mtime)
            .map_err(|e| MoverError::io("cannot set times of", path, e))?;
    }
    Ok(())
}

/// [`apply`] for a regular file the restore holds open: the same steps in the same order,
/// through the descriptor instead of the path.
pub fn apply_to_file(
    file: &std::fs::File,
    path: &Path,
    node: &Node,
    owner: Ownership,
    warnings: &mut Vec<String>,
) -> Result<(), MoverError> {
    use xattr::FileExt as _;
    if let Some((uid, gid)) = owner.wanted(node) {
        nix::unistd::fchown(file, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))
            .map_err(|e| MoverError::io("cannot set the owner of", path, e.into()))?;
    }
    if let Some(mode) = node.meta.mode {
        file.set_permissions(std::fs::Permissions::from_mode(unix_mode(mode)))
            .map_err(|e| MoverError::io("cannot set permissions of", path, e))?;
    }
    for attr in &node.meta.extended_attributes {
        let value = attr.value.as_deref().unwrap_or_default();
        xattr_set(
            file.set_xattr(&attr.name, value),
            path,
            &attr.name,
            warnings,
        )?;
    }
    if let Some((atime, mtime)) = times(node) {
        filetime::set_file_handle_times(file, Some(atime), Some(mtime))
            .map_err(|e| MoverError::io("cannot set times of", path, e))?;
    }
    Ok(())
}

/// The access and modification times to set (access = modification when not recorded).
fn times(node: &Node) -> Option<(filetime::FileTime, filetime::FileTime)> {
    let mtime = filetime::FileTime::from_system_time(SystemTime::from(node.meta.mtime?));
    let atime = node.meta.atime.map_or(mtime, |a| {
        filetime::FileTime::from_system_time(SystemTime::from(a))
    });
    Some((atime, mtime))
}

/// An extended attribute the target file system refuses (no support, or `trusted.*`
/// without root) becomes a warning, which verification then reports; other errors fail.
fn xattr_set(
    result: std::io::Result<()>,
    path: &Path,
    name: &str,
    warnings: &mut Vec<String>,
) -> Result<(), MoverError> {
    match result {
        Ok(()) => Ok(()),
        Err(e)
            if matches!(
                e.kind(),
                ErrorKind::Unsupported | ErrorKind::PermissionDenied
            ) || e.raw_os_error() == Some(nix::libc::EOPNOTSUPP) =>
        {
            warnings.push(format!(
                "{}: extended attribute {name} not restored: {e}",
                path.display()
            ));
            Ok(())
        }
        Err(e) => Err(MoverError::io(
            &format!("cannot set extended attribute {name} of"),
            path,
            e,
        )),
    }
}

/// Whether a blob is all zeros: restored as a hole.
pub fn is_zero(data: &[u8]) -> bool {
    // OR-folding a page vectorises; ordinary data stops at its first page.
    data.chunks(4096)
        .all(|page| page.iter().fold(0u8, |acc, b| acc | b) == 0)
}

/// Extended attributes of `path` (not following a symlink), name → value.
pub fn read_xattrs(path: &Path) -> std::io::Result<BTreeMap<String, Vec<u8>>> {
    let mut out = BTreeMap::new();
    for name in xattr::list(path)? {
        let value = xattr::get(path, &name)?.unwrap_or_default();
        out.insert(name.to_string_lossy().into_owned(), value);
    }
    Ok(out)
}

/// Whether `file` holds data (is not a hole) anywhere in `start..end`, as the file system
/// reports it (`SEEK_DATA`).
pub fn has_data(file: &std::fs::File, start: u64, end: u64) -> std::io::Result<bool> {
    if start >= end {
        return Ok(false);
    }
    let start_off = i64::try_from(start).map_err(std::io::Error::other)?;
    match nix::unistd::lseek(file, start_off, nix::unistd::Whence::SeekData) {
        Ok(at) => Ok(u64::try_from(at).unwrap_or(u64::MAX) < end),
        // No data after `start`.
        Err(nix::errno::Errno::ENXIO) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Turns the whole blocks inside `start..end` (known to be zeros) into a hole.
pub fn punch_hole(file: &std::fs::File, start: u64, end: u64, block: u64) -> std::io::Result<()> {
    use nix::fcntl::FallocateFlags as F;
    let (from, to) = (start.div_ceil(block) * block, end / block * block);
    if from >= to {
        return Ok(());
    }
    let (from, len) = (
        i64::try_from(from).map_err(std::io::Error::other)?,
        i64::try_from(to - from).map_err(std::io::Error::other)?,
    );
    nix::fcntl::fallocate(
        file,
        F::FALLOC_FL_PUNCH_HOLE | F::FALLOC_FL_KEEP_SIZE,
        from,
        len,
    )
    .map_err(std::io::Error::from)
}

/// The block size to align hole checks to.
pub fn block_size(meta: &std::fs::Metadata) -> u64 {
    meta.blksize().max(512)
}
