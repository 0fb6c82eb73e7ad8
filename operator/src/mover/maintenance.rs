//! `pusdata mover check | forget | unlock` and the snapshot list.

use super::error::{MoverError, full_id, has_tags};
use super::lock::{self, LockOptions, RepoLock};
use super::repo::RepoConfig;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use pusdata_core::lock::Want;
use pusdata_core::retention::{self, Decision, SnapshotMeta};
use pusdata_crds::v1alpha1::Retention;
use rustic_core::repofile::{SnapshotFile, SnapshotId};
use rustic_core::{CheckOptions, PruneOptions, ReadSubsetOption};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// A snapshot, as listed for people and controllers.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotInfo {
    /// Full id.
    pub id: String,
    /// Snapshot time (RFC 3339, UTC).
    pub time: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Paths.
    pub paths: Vec<String>,
    /// Host recorded.
    pub hostname: String,
}

fn info(s: &SnapshotFile) -> SnapshotInfo {
    SnapshotInfo {
        id: full_id(&s.id),
        time: s.time.timestamp().to_string(),
        tags: s.tags.iter().cloned().collect(),
        paths: s.paths.iter().cloned().collect(),
        hostname: s.hostname.clone(),
    }
}

/// All snapshots carrying every tag of `tags`, oldest first.
pub fn snapshots(repo_cfg: &RepoConfig, tags: &[String]) -> Result<Vec<SnapshotInfo>, MoverError> {
    let repo = repo_cfg.open()?;
    let mut snaps = repo
        .get_matching_snapshots(|s| has_tags(s, tags))
        .map_err(|e| repo_cfg.rustic_err("cannot list snapshots of", &e))?;
    snaps.sort_by(|a, b| a.time.cmp(&b.time));
    Ok(snaps.iter().map(info).collect())
}

/// What to check.
#[derive(Clone, Debug, Default)]
pub struct CheckRequest {
    /// Also read and decrypt pack data: `all`, `5%`, `1/7` (a rotating slice) or a size
    /// (`1GiB`). `None` checks structure only (index, trees, pack headers).
    pub read_data_subset: Option<String>,
}

/// The outcome of a check.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CheckReport {
    /// No errors (warnings allowed).
    pub ok: bool,
    /// Errors found.
    pub errors: Vec<String>,
    /// Warnings found.
    pub warnings: Vec<String>,
    /// The data subset read, if any.
    pub read_data_subset: Option<String>,
    /// Wall-clock seconds.
    pub duration_seconds: f64,
}

/// Checks the repository's integrity (as `restic check [--read-data-subset]`).
pub fn check(repo_cfg: &RepoConfig, req: &CheckRequest) -> Result<CheckReport, MoverError> {
    let started = Instant::now();
    let mut opts = CheckOptions::default();
    if let Some(subset) = &req.read_data_subset {
        let parsed = ReadSubsetOption::from_str(subset)
            .map_err(|e| MoverError::Input(format!("--read-data-subset `{subset}`: {e}")))?;
        opts = opts.read_data(true).read_data_subset(parsed);
    }
    let repo = repo_cfg.open()?;
    let results = repo
        .check(opts)
        .map_err(|e| repo_cfg.rustic_err("check could not run on", &e))?;
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for (level, err) in &results.0 {
        // rustic_core does not export the level type; its Debug names are stable.
        let text = repo_cfg.scrub(&err.to_string());
        if format!("{level:?}") == "Warn" {
            warnings.push(text);
        } else {
            errors.push(text);
        }
    }
    Ok(CheckReport {
        ok: results.is_ok().is_ok() && errors.is_empty(),
        errors,
        warnings,
        read_data_subset: req.read_data_subset.clone(),
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

/// What to forget.
#[derive(Clone, Debug)]
pub struct ForgetRequest {
    /// The retention policy (from the DRP tier).
    pub retention: Retention,
    /// Only snapshots with all these tags are considered.
    pub tags: Vec<String>,
    /// Snapshot ids (or unique prefixes) whose restore has been verified.
    pub verified: BTreeSet<String>,
    /// Time zone of the hour/day/week/month/year buckets (the city's).
    pub tz: TimeZone,
    /// Remove the data no snapshot uses any more.
    pub prune: bool,
    /// Decide and report, change nothing.
    pub dry_run: bool,
    /// The exclusive lock taken unless `dry_run` (staleness, refresh, clock).
    pub lock: LockOptions,
}

/// One group (same paths and tags) and its decisions.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GroupReport {
    /// The group's tags.
    pub tags: Vec<String>,
    /// The group's paths.
    pub paths: Vec<String>,
    /// Newest first.
    pub decisions: Vec<Decision>,
}

/// The outcome of a forget.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ForgetReport {
    /// Per group.
    pub groups: Vec<GroupReport>,
    /// Snapshots removed (or that would be, on a dry run).
    pub forgotten: Vec<String>,
    /// How many (kept when the list is cut to fit a termination message).
    pub forgotten_count: u32,
    /// Whether unused data was pruned.
    pub pruned: bool,
    /// Dry run: nothing changed.
    pub dry_run: bool,
    /// Stale locks removed before the exclusive lock was taken.
    pub removed_stale_locks: Vec<String>,
    /// Wall-clock seconds.
    pub duration_seconds: f64,
}

/// Applies `pusdata_core::retention::decide` per group of snapshots, deletes exactly the
/// snapshots it forgets, then prunes if asked — under a restic-format exclusive lock (unless
/// a dry run), so no backup, check or restic run overlaps; the lock is removed at the end,
/// also on error (the guard's drop).
pub fn forget(repo_cfg: &RepoConfig, req: &ForgetRequest) -> Result<ForgetReport, MoverError> {
    let started = Instant::now();
    let repo = repo_cfg.open()?;
    let lock = if req.dry_run {
        None
    } else {
        Some(RepoLock::acquire_opened(
            repo_cfg,
            &repo,
            Want::Exclusive,
            &req.lock,
        )?)
    };
    let snaps = repo
        .get_matching_snapshots(|s| has_tags(s, &req.tags))
        .map_err(|e| repo_cfg.rustic_err("cannot list snapshots of", &e))?;

    // A PVC's snapshots form one group: same paths and same tag set (agency, namespace, pvc,
    // plan, tier), as `restic forget --group-by paths,tags`.
    let mut groups: BTreeMap<(Vec<String>, Vec<String>), Vec<&SnapshotFile>> = BTreeMap::new();
    for s in &snaps {
        let mut tags: Vec<String> = s.tags.iter().cloned().collect();
        tags.sort();
        let mut paths: Vec<String> = s.paths.iter().cloned().collect();
        paths.sort();
        groups.entry((tags, paths)).or_default().push(s);
    }

    let mut reports = Vec::new();
    let mut forget_ids: Vec<SnapshotId> = Vec::new();
    for ((tags, paths), members) in groups {
        let metas: Vec<SnapshotMeta> = members
            .iter()
            .map(|s| {
                let id = full_id(&s.id);
                SnapshotMeta {
                    verified: req
                        .verified
                        .iter()
                        .any(|v| !v.is_empty() && id.starts_with(v)),
                    id,
                    time: s.time.timestamp(),
                }
            })
            .collect();
        let decisions = retention::decide(&metas, &req.retention, &req.tz);
        for d in decisions.iter().filter(|d| !d.keep) {
            if let Some(s) = members.iter().find(|s| full_id(&s.id) == d.id) {
                forget_ids.push(s.id);
            }
        }
        reports.push(GroupReport {
            tags,
            paths,
            decisions,
        });
    }
    let forgotten: Vec<String> = forget_ids.iter().map(full_id).collect();
    let still_held = || lock.as_ref().map_or(Ok(()), RepoLock::check_held);
    if !req.dry_run {
        if !forget_ids.is_empty() {
            still_held()?;
            repo.delete_snapshots(&forget_ids)
                .map_err(|e| repo_cfg.rustic_err("cannot delete snapshots in", &e))?;
        }
        if req.prune {
            let opts = PruneOptions::default();
            let plan = repo
                .prune_plan(&opts)
                .map_err(|e| repo_cfg.rustic_err("cannot plan prune of", &e))?;
            still_held()?;
            repo.prune(&opts, plan)
                .map_err(|e| repo_cfg.rustic_err("prune failed in", &e))?;
        }
    }
    let removed_stale_locks = match lock {
        Some(mut l) => {
            let removed = std::mem::take(&mut l.removed_stale);
            l.release()?;
            removed
        }
        None => Vec::new(),
    };
    Ok(ForgetReport {
        groups: reports,
        forgotten_count: u32::try_from(forgotten.len()).unwrap_or(u32::MAX),
        forgotten,
        pruned: req.prune && !req.dry_run,
        dry_run: req.dry_run,
        removed_stale_locks,
        duration_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Which locks to remove.
#[derive(Clone, Debug)]
pub struct UnlockRequest {
    /// A lock not refreshed for this long is stale. restic refreshes live locks every
    /// 5 minutes and itself calls a lock stale after 30; the default is 30 minutes.
    pub older_than: Duration,
    /// The current time (injected, so tests can age locks).
    pub now: Timestamp,
    /// List only.
    pub dry_run: bool,
}

/// The outcome of an unlock.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct UnlockReport {
    /// Stale locks removed (or that would be).
    pub removed: Vec<String>,
    /// Locks kept because they are fresh.
    pub kept: Vec<String>,
}

/// Removes stale lock files (`locks/`) left by restic, Pusdata or any restic-compatible
/// tool whose process died (k8up#456, volsync#646). Fresh locks belong to a running process
/// and stay. A lock's age is its own `time` when it decrypts with the repository key, else
/// its modification time; a lock whose age cannot be read is kept (removing a live lock is
/// the worse error). Only holders of the repository key may remove its locks.
pub fn unlock(repo_cfg: &RepoConfig, req: &UnlockRequest) -> Result<UnlockReport, MoverError> {
    let (removed, kept) = lock::remove_stale(repo_cfg, req.older_than, req.now, req.dry_run)?;
    Ok(UnlockReport { removed, kept })
}
