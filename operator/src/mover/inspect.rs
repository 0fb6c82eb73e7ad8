//! Repository-level operations of the BackupRepository controller: open (creating on first
//! use when allowed) and count, and delete a repository's objects.

use super::error::{MoverError, full_id};
use super::repo::RepoConfig;
use rustic_core::FileType;
use serde::Serialize;

/// What opening a repository found.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RepoStats {
    /// The repository id (from its config file), 64 hex digits.
    pub repository_id: String,
    /// Whether this call created it.
    pub created: bool,
    /// Number of snapshots.
    pub snapshots: u64,
    /// Bytes of every file of the repository (packs, index, snapshots, keys, config).
    pub stored_bytes: u64,
}

/// Opens the repository with its key and counts snapshots and stored bytes. With `create`,
/// a missing repository is created first; an existing one is never re-initialised, and a
/// wrong key fails before anything is written.
pub fn inspect(repo_cfg: &RepoConfig, create: bool) -> Result<RepoStats, MoverError> {
    let (repo, created) = if create {
        repo_cfg.open_or_init()?
    } else {
        (repo_cfg.open()?, false)
    };
    let infos = repo
        .infos_files()
        .map_err(|e| repo_cfg.rustic_err("cannot list the files of", &e))?;
    let snapshots = infos
        .repo
        .iter()
        .filter(|i| i.tpe == FileType::Snapshot)
        .map(|i| i.count)
        .sum();
    let stored_bytes = infos.repo.iter().map(|i| i.size).sum();
    Ok(RepoStats {
        repository_id: full_id(&repo.config().id),
        created,
        snapshots,
        stored_bytes,
    })
}

/// What a restic repository holds at its root; nothing else under the prefix is touched.
const REPOSITORY_DIRS: &[&str] = &["data/", "index/", "snapshots/", "keys/", "locks/"];

/// Deletes the repository's objects (`config`, `data/`, `index/`, `snapshots/`, `keys/`,
/// `locks/` under the prefix) after proving the key opens it. Returns how many objects were
/// removed. Only the controller's finalizer calls this, and only for `deletionPolicy:
/// Delete`.
pub fn destroy(repo_cfg: &RepoConfig) -> Result<u64, MoverError> {
    // Opening proves the key: a wrong key or another agency's prefix is never deleted.
    let (op, rt) = repo_cfg.open_raw()?;
    let err = |what: &str, e: opendal::Error| repo_cfg.opendal_err(what, e);
    rt.block_on(async {
        let mut removed = 0u64;
        for dir in REPOSITORY_DIRS {
            let entries = match op.list_with(dir).recursive(true).await {
                Ok(e) => e,
                Err(e) if e.kind() == opendal::ErrorKind::NotFound => continue,
                Err(e) => return Err(err("cannot list", e)),
            };
            let mut dirs = Vec::new();
            for entry in entries {
                let path = entry.path();
                if path.ends_with('/') {
                    dirs.push(path.to_string());
                    continue;
                }
                op.delete(path)
                    .await
                    .map_err(|e| err("cannot delete from", e))?;
                removed += 1;
            }
            // Directory markers (S3) or directories (local), deepest first.
            dirs.sort_by(|a, b| b.cmp(a));
            for d in dirs {
                op.delete(&d)
                    .await
                    .map_err(|e| err("cannot delete from", e))?;
            }
        }
        // The config last: until it goes, the repository is still recognisable as one.
        op.delete("config")
            .await
            .map_err(|e| err("cannot delete the config of", e))?;
        Ok(removed + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::super::backup::{BackupRequest, backup};
    use super::*;

    #[test]
    fn inspect_creates_once_counts_and_destroy_removes_only_the_repository() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(repo.join("README-not-restic"), b"keep me").unwrap();
        let cfg = RepoConfig::local(&repo, "dinkes-key-1");

        assert!(matches!(
            inspect(&cfg, false),
            Err(MoverError::NoRepository(_))
        ));
        let first = inspect(&cfg, true).unwrap();
        assert!(first.created);
        assert_eq!(first.snapshots, 0);
        assert_eq!(first.repository_id.len(), 64);

        let src = dir.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.txt"), b"data kependudukan").unwrap();
        backup(
            &cfg,
            &BackupRequest {
                path: src,
                ..Default::default()
            },
        )
        .unwrap();
        let again = inspect(&cfg, true).unwrap();
        assert!(!again.created, "never re-initialised");
        assert_eq!(again.repository_id, first.repository_id);
        assert_eq!(again.snapshots, 1);
        assert!(again.stored_bytes > first.stored_bytes);

        // A wrong key neither opens nor deletes.
        let wrong = RepoConfig::local(&repo, "disdik-key");
        assert!(matches!(
            inspect(&wrong, true),
            Err(MoverError::WrongKey(_))
        ));
        assert!(matches!(destroy(&wrong), Err(MoverError::WrongKey(_))));
        assert!(repo.join("config").exists());

        assert!(destroy(&cfg).unwrap() > 3);
        assert!(!repo.join("config").exists());
        assert!(
            repo.join("README-not-restic").exists(),
            "only restic's files go"
        );
        assert!(matches!(
            inspect(&cfg, false),
            Err(MoverError::NoRepository(_))
        ));
    }
}
