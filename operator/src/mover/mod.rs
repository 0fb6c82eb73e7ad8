//! The mover: restic-format snapshots written and read in-process with `rustic_core`
//! (no restic binary), for `pusdata mover …`, the drill and the controllers.
//!
//! Every function here is blocking (rustic_core is): call it from a thread or
//! `spawn_blocking`. Decisions (which snapshots to forget, what counts as verified) live in
//! `pusdata-core`; this module reads the repository, calls the core and applies the result.
//! Secrets never appear in errors, logs or reports (SEC-CIA).

mod backup;
pub mod checksum;
mod error;
mod inspect;
mod key;
mod limit;
mod lock;
mod maintenance;
mod meta;
mod progress;
mod repo;
mod restore;
mod seal;

// The library API the drill and the controllers call; the CLI uses only part of it, so in
// this binary some names are not used yet.
#[allow(unused_imports)]
pub use backup::{BackupReport, BackupRequest, backup};
pub use error::{MoverError, parse_tags};
#[allow(unused_imports)]
pub use inspect::{RepoStats, destroy, inspect};
pub use limit::{Metered, Traffic};
#[allow(unused_imports)]
pub use lock::{LockOptions, RepoLock, write_abandoned_lock};
#[allow(unused_imports)]
pub use maintenance::{
    CheckReport, CheckRequest, ForgetReport, ForgetRequest, GroupReport, SnapshotInfo,
    UnlockReport, UnlockRequest, check, forget, snapshots, unlock,
};
#[allow(unused_imports)]
pub use meta::Ownership;
#[cfg(test)]
pub(crate) use repo::PASSWORD_OPENS;
#[allow(unused_imports)]
pub use repo::{KeyCache, RepoConfig, RepoLocation, S3Location, Secret, set_s3_retries};
#[allow(unused_imports)]
pub use restore::{
    Mismatch, RestoreEngine, RestoreReport, RestoreRequest, SnapshotRef, VerifyReport,
    VerifyRequest, restore, verify, verify_restored, verify_restored_as,
    verify_restored_with_checksum,
};
