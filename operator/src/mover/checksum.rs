//! The tree checksum: one figure for a whole directory tree, so that two sites can compare
//! a restore with its source without shipping either. The primary computes it over the
//! source, the DRC over the restored tree; field-by-field verification
//! ([`super::verify_restored_with_checksum`]) computes it in the same pass as its own reads.
//!
//! Definition: SHA-256 over, for each entry in sorted path order, its relative path and
//! kind, for files their length and content, for symbolic links their target (the link
//! itself, never what it points to).

use super::error::MoverError;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// The checksum of a tree, with the regular files and bytes it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeSum {
    /// Regular files.
    pub files: u64,
    /// Bytes in those files.
    pub bytes: u64,
    /// Lowercase hex SHA-256.
    pub hex: String,
}

/// Builds a [`TreeSum`] from the entries of a tree, fed in sorted path order. A file is
/// [`TreeHasher::file`] then its contents through [`TreeHasher::contents`], all of them.
#[derive(Default)]
pub struct TreeHasher {
    h: Sha256,
    files: u64,
    bytes: u64,
}

impl TreeHasher {
    /// A directory.
    pub fn dir(&mut self, rel: &Path) {
        self.h.update(rel.as_os_str().as_bytes());
        self.h.update(b"/\0");
    }

    /// A symbolic link pointing to `target`.
    pub fn symlink(&mut self, rel: &Path, target: &Path) {
        let target = target.as_os_str().as_bytes();
        self.h.update(rel.as_os_str().as_bytes());
        self.h.update(b"@\0");
        self.h.update((target.len() as u64).to_le_bytes());
        self.h.update(target);
    }

    /// The start of a regular file of `len` bytes.
    pub fn file(&mut self, rel: &Path, len: u64) {
        self.h.update(rel.as_os_str().as_bytes());
        self.h.update(b"\0");
        self.h.update(len.to_le_bytes());
        self.files += 1;
        self.bytes += len;
    }

    /// The next bytes of the file started last.
    pub fn contents(&mut self, bytes: &[u8]) {
        self.h.update(bytes);
    }

    /// The checksum of everything fed.
    pub fn finish(self) -> TreeSum {
        use std::fmt::Write as _;
        let mut hex = String::with_capacity(64);
        for b in self.h.finalize() {
            let _ = write!(hex, "{b:02x}");
        }
        TreeSum {
            files: self.files,
            bytes: self.bytes,
            hex,
        }
    }
}

/// What a walked entry is. Symbolic links are entries of their own, never followed: a
/// restore must not follow a link out of its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A symbolic link.
    Symlink,
}

/// Relative paths of every directory, regular file and symbolic link under `root`, sorted,
/// so the checksum does not depend on directory listing order. Other special files (FIFOs,
/// sockets, devices) are refused: the checksum has no form for them.
pub fn walk(root: &Path) -> Result<Vec<(PathBuf, Kind)>, MoverError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let dir = root.join(&rel);
        let entries = fs::read_dir(&dir).map_err(|e| MoverError::io("read", &dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| MoverError::io("read", &dir, e))?;
            let ty = entry
                .file_type()
                .map_err(|e| MoverError::io("stat", &entry.path(), e))?;
            let child = rel.join(entry.file_name());
            if ty.is_dir() {
                stack.push(child.clone());
                out.push((child, Kind::Dir));
            } else if ty.is_file() {
                out.push((child, Kind::File));
            } else if ty.is_symlink() {
                out.push((child, Kind::Symlink));
            } else {
                return Err(MoverError::Io(format!(
                    "{}: only directories, regular files and symbolic links are supported",
                    entry.path().display()
                )));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The checksum of the tree under `root`, reading every file.
pub fn tree_checksum(root: &Path) -> Result<TreeSum, MoverError> {
    let mut sum = TreeHasher::default();
    let mut buf = vec![0u8; 64 * 1024];
    for (rel, kind) in walk(root)? {
        let p = root.join(&rel);
        match kind {
            Kind::Dir => sum.dir(&rel),
            Kind::Symlink => {
                let target = fs::read_link(&p).map_err(|e| MoverError::io("readlink", &p, e))?;
                sum.symlink(&rel, &target);
            }
            Kind::File => {
                let mut f = open_counted(&p).map_err(|e| MoverError::io("open", &p, e))?;
                let len = f
                    .metadata()
                    .map_err(|e| MoverError::io("stat", &p, e))?
                    .len();
                sum.file(&rel, len);
                loop {
                    let n = f
                        .read(&mut buf)
                        .map_err(|e| MoverError::io("read", &p, e))?;
                    if n == 0 {
                        break;
                    }
                    sum.contents(&buf[..n]);
                }
            }
        }
    }
    Ok(sum.finish())
}

#[cfg(test)]
thread_local! {
    /// Regular files opened for reading by the checksum and by verification on this thread
    /// (tests: a verify that reports the checksum reads each file once).
    pub(crate) static FILE_OPENS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Opens a restored file for reading (counted in tests).
pub(crate) fn open_counted(p: &Path) -> std::io::Result<fs::File> {
    #[cfg(test)]
    FILE_OPENS.with(|n| n.set(n.get() + 1));
    fs::File::open(p)
}
