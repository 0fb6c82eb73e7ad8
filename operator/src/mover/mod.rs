//! The mover: restic-format snapshots written and read in-process with `rustic_core`
//! (no restic binary), for `pusdata mover …`, the drill and the controllers.
//!
//! Every function here is blocking (rustic_core is): call it from a thread or
//! `spawn_blocking`. Decisions (which snapshots to forget, what counts as verified) live in
//! `pusdata-core`; this module reads the repository, calls the core and applies the result.
//! Secrets never appear in errors, logs or reports (SEC-CIA).

mod backup;

mod inspect;
mod key;
mod limit;
mod lock;
mod maintenance;
mod meta;
mod progress;
mod repo;
mod restore;

// The library API the drill and the controllers call; the CLI uses only part of it, so in
// this binary some names are not used yet.
#[allow(unused_imports)]
pub use backup::{BackupReport, BackupRequest, backup};
#[allow(unused_imports)]
pub use inspect::{RepoStats, destroy, inspect};
#[allow(unused_imports)]
pub use lock::{LockOptions, RepoLock, write_abandoned_lock};
#[allow(unused_imports)]
pub use maintenance::{
    CheckReport, CheckRequest, ForgetReport, ForgetRequest, GroupReport, SnapshotInfo,
    UnlockReport, UnlockRequest, check, forget, snapshots, unlock,
};
#[allow(unused_imports)]
pub use meta::Ownership;
#[allow(unused_imports)]
pub use repo::{RepoConfig, RepoLocation, S3Location, Secret, set_s3_retries};
#[allow(unused_imports)]
pub use restore::{
    Mismatch, RestoreEngine, RestoreReport, RestoreRequest, SnapshotRef, VerifyReport,
    VerifyRequest, restore, verify, verify_restored, verify_restored_as,
};

/// What went wrong in a mover run. Each kind has a stable category and exit code.
#[derive(Debug, thiserror::Error)]
pub enum MoverError {
    /// Bad arguments.
    #[error("{0}")]
    Input(String),
    /// The password does not open any key of the repository.
    #[error(
        "wrong repository key: the password does not open any key of repository {0} (nothing was written)"
    )]
    WrongKey(String),
    /// There is no repository at the location.
    #[error("no repository at {0} (a backup creates it)")]
    NoRepository(String),
    /// No snapshot matches the request.
    #[error("{0}")]
    NoSnapshot(String),
    /// A restore target that already holds data: a restore never overwrites.
    #[error(
        "restore target {0} is not empty: a restore never overwrites data; give an empty or new directory"
    )]
    TargetNotEmpty(String),
    /// The repository or its backend failed.
    #[error("{0}")]
    Repository(String),
    /// Another run holds a conflicting lock on the repository (APP-BACKUP).
    #[error("{0}")]
    Locked(String),
    /// A local file could not be read or written.
    #[error("{0}")]
    Io(String),
    /// rustic_core panicked (its restore pool does on read errors); contained and reported.
    #[error("the restore failed inside rustic_core: {0}")]
    Panicked(String),
}

impl MoverError {
    /// A stable category for metrics, Event reasons and the JSON result.
    pub fn category(&self) -> &'static str {
        match self {
            MoverError::Input(_) => "input",
            MoverError::WrongKey(_) => "wrong-key",
            MoverError::NoRepository(_) => "no-repository",
            MoverError::NoSnapshot(_) => "no-snapshot",
            MoverError::TargetNotEmpty(_) => "target-not-empty",
            MoverError::Repository(_) => "repository",
            MoverError::Locked(_) => "locked",
            MoverError::Io(_) => "io",
            MoverError::Panicked(_) => "panicked",
        }
    }

    /// Whether the caller asked for something impossible (no retry helps), as opposed to a
    /// failure that may pass on retry.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            MoverError::Input(_)
                | MoverError::WrongKey(_)
                | MoverError::NoRepository(_)
                | MoverError::NoSnapshot(_)
                | MoverError::TargetNotEmpty(_)
        )
    }

    pub(crate) fn io(what: &str, path: &std::path::Path, e: std::io::Error) -> MoverError {
        MoverError::Io(format!("{what} {}: {e}", path.display()))
    }
}

/// Parses `key=value,key=value` tags (and plain `tag` words) into a sorted list.
pub fn parse_tags(s: &str) -> Vec<String> {
    let mut tags: Vec<String> = s
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    tags.sort();
    tags.dedup();
    tags
}

/// Whether a snapshot's tags include every tag of the filter.
pub(crate) fn has_tags(snap: &rustic_core::repofile::SnapshotFile, filter: &[String]) -> bool {
    filter.iter().all(|t| snap.tags.contains(t))
}

/// The full 64-hex id (rustic's `Display` shows only the first 8 characters).
pub(crate) fn full_id(id: &impl std::ops::Deref<Target = rustic_core::Id>) -> String {
    (**id).to_hex().as_str().to_string()
}
