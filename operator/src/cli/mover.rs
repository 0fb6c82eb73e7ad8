//! `pusdata mover …`: arguments, and the JSON result on stdout for the controller.
//!
//! The result is one JSON object on stdout: the report on success, or
//! `{"error": {"category": …, "message": …}}` on failure (also printed to stderr). Progress
//! bars go to stderr, and only when stdout and stderr are terminals.

use crate::error::CliError;
use clap::{ArgAction, Args, ValueEnum};
use pusdata::mover::{self, MoverError, RepoConfig, RepoLocation, Secret, SnapshotRef};
use pusdata_crds::v1alpha1::{Retention, VerificationStatus};
use serde::Serialize;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Where the repository is and how to open it. Credentials come from the environment only.
#[derive(Debug, Args)]
pub struct RepoArgs {
    /// Repository: a local path, or `s3:https://host:port/bucket/prefix`. S3 credentials come
    /// from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
    #[arg(long, short = 'r', env = "PUSDATA_REPOSITORY")]
    pub repository: String,
    /// File holding the repository password; otherwise PUSDATA_REPOSITORY_PASSWORD.
    #[arg(long, env = "PUSDATA_PASSWORD_FILE")]
    pub password_file: Option<PathBuf>,
    /// S3 region (Garage's default is `garage`).
    #[arg(long, env = "PUSDATA_S3_REGION", default_value = "garage")]
    pub s3_region: String,
    /// S3 path-style addressing (`host/bucket/key`); on-premises servers need it.
    #[arg(long, default_value_t = true, action = ArgAction::Set)]
    pub s3_path_style: bool,
    /// rustic cache directory (an emptyDir in pods); without it the cache is off.
    #[arg(long, env = "PUSDATA_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Also write the JSON result (report or error) to this file, cut to fit a Kubernetes
    /// termination message (the mover Job passes `/dev/termination-log`).
    #[arg(long, env = "PUSDATA_RESULT_FILE")]
    pub result_file: Option<PathBuf>,
    /// Upload limit to the repository, bytes per second (`1048576`, `1MiB`, `10MB`): the
    /// repository's uploadLimitBytesPerSecond (the DRC link).
    #[arg(long, env = "PUSDATA_LIMIT_UPLOAD", value_parser = parse_rate)]
    pub limit_upload: Option<u64>,
    /// Download limit from the repository, bytes per second (restores, verify, check).
    #[arg(long, env = "PUSDATA_LIMIT_DOWNLOAD", value_parser = parse_rate)]
    pub limit_download: Option<u64>,
}

/// A positive byte rate: plain bytes or with a unit (`512KiB`, `10MB`).
fn parse_rate(s: &str) -> Result<u64, String> {
    let n = s
        .trim()
        .parse::<u64>()
        .or_else(|_| s.trim().parse::<bytesize::ByteSize>().map(|b| b.as_u64()))
        .map_err(|e| format!("`{s}` is not a byte rate like 1048576 or 1MiB: {e}"))?;
    if n == 0 {
        return Err("the limit must be greater than zero (leave it out for no limit)".into());
    }
    Ok(n)
}

impl RepoArgs {
    /// Builds the repository config, reading the password and S3 credentials.
    pub fn config(&self) -> Result<RepoConfig, CliError> {
        let password = match &self.password_file {
            Some(p) => std::fs::read_to_string(p)
                .map_err(|e| CliError::io(p, e))?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
            None => std::env::var("PUSDATA_REPOSITORY_PASSWORD").map_err(|_| {
                CliError::Input(
                    "no repository password: give --password-file or set PUSDATA_REPOSITORY_PASSWORD"
                        .into(),
                )
            })?,
        };
        if password.is_empty() {
            return Err(CliError::Input("the repository password is empty".into()));
        }
        let location = RepoLocation::parse(&self.repository, &self.s3_region, self.s3_path_style)
            .map_err(to_cli)?
            .with_env_credentials()
            .map_err(CliError::Input)?;
        Ok(RepoConfig {
            location,
            password: Secret::new(password),
            cache_dir: self.cache_dir.clone(),
            progress: std::io::stdout().is_terminal() && std::io::stderr().is_terminal(),
            upload_limit: self
                .limit_upload
                .map(|n| std::sync::Arc::new(pusdata::mirror::RateLimit::new(n))),
            download_limit: self
                .limit_download
                .map(|n| std::sync::Arc::new(pusdata::mirror::RateLimit::new(n))),
            key_cache: None,
        })
    }
}

/// Tags as repeated or comma-separated `--tag k=v,k=v`.
fn tags(v: &[String]) -> Vec<String> {
    mover::parse_tags(&v.join(","))
}

/// `pusdata mover backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The directory to snapshot.
    #[arg(long)]
    pub path: PathBuf,
    /// Tags: `agency=…,namespace=…,pvc=…,plan=…,tier=…` (repeatable).
    #[arg(long)]
    pub tag: Vec<String>,
    /// Host name recorded in the snapshot.
    #[arg(long)]
    pub host: Option<String>,
    /// Record the files under this path instead of --path.
    #[arg(long)]
    pub as_path: Option<PathBuf>,
}

/// Restore engine choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Files streamed blob by blob; bounded memory.
    Streaming,
    /// rustic_core's own restore (20 threads, a pack per thread in memory).
    Rustic,
}

/// `pusdata mover restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Snapshot id (or prefix), or `latest`.
    #[arg(long, default_value = "latest")]
    pub snapshot: String,
    /// Only snapshots with these tags.
    #[arg(long)]
    pub tag: Vec<String>,
    /// Empty or missing directory to restore into; a restore never overwrites.
    #[arg(long)]
    pub target: PathBuf,
    /// Restore engine.
    #[arg(long, value_enum, default_value_t = Engine::Streaming)]
    pub engine: Engine,
    /// After restoring, compare every restored file with the snapshot.
    #[arg(long)]
    pub verify: bool,
    /// Give every restored entry this owner, `UID:GID` (the workload user), instead of the
    /// snapshot's (restored when running as root) or the mover's own.
    #[arg(long, value_parser = parse_owner)]
    pub owner: Option<mover::Ownership>,
}

/// `pusdata mover verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Snapshot id (or prefix), or `latest`.
    #[arg(long, default_value = "latest")]
    pub snapshot: String,
    /// Only snapshots with these tags.
    #[arg(long)]
    pub tag: Vec<String>,
    /// Scratch space for the restored copy (default: the system temp dir).
    #[arg(long)]
    pub scratch: Option<PathBuf>,
    /// Keep the restored copy.
    #[arg(long)]
    pub keep: bool,
    /// Verify this already restored directory instead of restoring again.
    #[arg(long, conflicts_with_all = ["scratch", "keep"])]
    pub restored: Option<PathBuf>,
    /// The owner the restore gave every entry, `UID:GID` (as `restore --owner`).
    #[arg(long, value_parser = parse_owner)]
    pub owner: Option<mover::Ownership>,
}

/// `UID:GID` (or `UID`, the group then the same number).
fn parse_owner(s: &str) -> Result<mover::Ownership, String> {
    let (u, g) = s.split_once(':').unwrap_or((s, s));
    let num = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("`{s}` is not UID:GID with numeric ids"))
    };
    Ok(mover::Ownership::Fixed(num(u)?, num(g)?))
}

/// `pusdata mover check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Also read pack data: `all`, `5%`, `n/m`, or a size.
    #[arg(long)]
    pub read_data_subset: Option<String>,
}

/// `pusdata mover forget`.
#[derive(Debug, Args)]
pub struct ForgetArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Only snapshots with these tags.
    #[arg(long)]
    pub tag: Vec<String>,
    /// Keep the last N snapshots.
    #[arg(long)]
    pub keep_last: Option<u32>,
    /// Keep the newest per hour for N hours.
    #[arg(long)]
    pub keep_hourly: Option<u32>,
    /// Keep the newest per day for N days.
    #[arg(long)]
    pub keep_daily: Option<u32>,
    /// Keep the newest per ISO week for N weeks.
    #[arg(long)]
    pub keep_weekly: Option<u32>,
    /// Keep the newest per month for N months.
    #[arg(long)]
    pub keep_monthly: Option<u32>,
    /// Keep the newest per year for N years.
    #[arg(long)]
    pub keep_yearly: Option<u32>,
    /// Never leave fewer than this many verified snapshots per group.
    #[arg(long, default_value_t = 1)]
    pub min_verified: u32,
    /// Ids (or prefixes) of snapshots whose restore was verified (repeatable).
    #[arg(long)]
    pub verified: Vec<String>,
    /// UTC offset in hours of the retention buckets (WIB, Bekasi: 7).
    #[arg(long, default_value_t = 7, allow_negative_numbers = true)]
    pub utc_offset_hours: i8,
    /// Remove data no snapshot uses any more.
    #[arg(long)]
    pub prune: bool,
    /// Decide and print; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Other runs' locks older than this are stale and removed first (as `unlock`).
    #[arg(long, default_value = "30m")]
    pub stale_after: String,
}

/// `pusdata mover unlock`.
#[derive(Debug, Args)]
pub struct UnlockArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// A lock not refreshed for this long is stale (restic refreshes live locks every 5m).
    #[arg(long, default_value = "30m")]
    pub older_than: String,
    /// List only.
    #[arg(long)]
    pub dry_run: bool,
}

/// `pusdata mover snapshots`.
#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Only snapshots with these tags.
    #[arg(long)]
    pub tag: Vec<String>,
}

fn to_cli(e: MoverError) -> CliError {
    if e.is_input() {
        CliError::Input(e.to_string())
    } else {
        CliError::Failed(e.to_string())
    }
}

/// Where `emit` also writes the result (`--result-file`), set once per process.
static RESULT_FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn emit<T: Serialize>(v: &T) -> Result<(), CliError> {
    let value = serde_json::to_value(v).map_err(|e| CliError::Internal(e.to_string()))?;
    println!("{value}");
    if let Some(path) = RESULT_FILE.get() {
        let text = pusdata_core::backup::result::fit_termination_message(&value);
        std::fs::write(path, text).map_err(|e| CliError::io(path, e))?;
    }
    Ok(())
}

fn repo_args(cmd: &super::MoverCommand) -> &RepoArgs {
    use super::MoverCommand as M;
    match cmd {
        M::Backup(a) => &a.repo,
        M::Restore(a) => &a.repo,
        M::Verify(a) => &a.repo,
        M::Check(a) => &a.repo,
        M::Forget(a) => &a.repo,
        M::Unlock(a) => &a.repo,
        M::Snapshots(a) => &a.repo,
    }
}

#[derive(Serialize)]
struct ErrorOut<'a> {
    error: ErrorBody<'a>,
}
#[derive(Serialize)]
struct ErrorBody<'a> {
    category: &'a str,
    message: String,
}

/// Runs a mover command; on failure the JSON error goes to stdout too.
pub fn run(cmd: super::MoverCommand) -> Result<(), CliError> {
    if let Some(path) = &repo_args(&cmd).result_file {
        let _ = RESULT_FILE.set(path.clone());
    }
    let result = run_inner(cmd);
    if let Err(e) = &result {
        let category = match e {
            Outcome::Mover(m) => m.category(),
            Outcome::Cli(c) => c.category(),
            Outcome::VerificationFailed => "verification-failed",
        };
        let message = match e {
            Outcome::Mover(m) => m.to_string(),
            Outcome::Cli(c) => c.to_string(),
            Outcome::VerificationFailed => "verification failed".to_string(),
        };
        // The verification report was already printed; its status says it all.
        if !matches!(e, Outcome::VerificationFailed) {
            emit(&ErrorOut {
                error: ErrorBody { category, message },
            })?;
        }
    }
    result.map_err(|e| match e {
        Outcome::Mover(m) => to_cli(m),
        Outcome::Cli(c) => c,
        Outcome::VerificationFailed => {
            CliError::Check("verification failed: restored files differ from the snapshot".into())
        }
    })
}

enum Outcome {
    Mover(MoverError),
    Cli(CliError),
    VerificationFailed,
}

impl From<MoverError> for Outcome {
    fn from(e: MoverError) -> Self {
        Outcome::Mover(e)
    }
}
impl From<CliError> for Outcome {
    fn from(e: CliError) -> Self {
        Outcome::Cli(e)
    }
}

fn run_inner(cmd: super::MoverCommand) -> Result<(), Outcome> {
    use super::MoverCommand as M;
    match cmd {
        M::Backup(a) => {
            let cfg = a.repo.config()?;
            let report = mover::backup(
                &cfg,
                &mover::BackupRequest {
                    path: a.path,
                    tags: tags(&a.tag),
                    host: a.host,
                    as_path: a.as_path,
                    lock: mover::LockOptions::default(),
                },
            )?;
            emit(&report)?;
        }
        M::Restore(a) => {
            let cfg = a.repo.config()?;
            let tags = tags(&a.tag);
            let report = mover::restore(
                &cfg,
                &mover::RestoreRequest {
                    snapshot: SnapshotRef::parse(&a.snapshot),
                    tags: tags.clone(),
                    target: a.target.clone(),
                    engine: match a.engine {
                        Engine::Streaming => mover::RestoreEngine::Streaming,
                        Engine::Rustic => mover::RestoreEngine::Rustic,
                    },
                    owner: a.owner.unwrap_or_default(),
                },
            )?;
            if a.verify {
                let v = mover::verify_restored_as(
                    &cfg,
                    &SnapshotRef::Id(report.snapshot_id.clone()),
                    &tags,
                    &a.target,
                    a.owner.unwrap_or_default(),
                )?;
                let failed = v.status != VerificationStatus::Verified;
                emit(&pusdata_core::restore::VerifiedRestore {
                    restore: report,
                    verification: v,
                })?;
                if failed {
                    return Err(Outcome::VerificationFailed);
                }
            } else {
                emit(&report)?;
            }
        }
        M::Verify(a) => {
            let cfg = a.repo.config()?;
            let snapshot = SnapshotRef::parse(&a.snapshot);
            let tags = tags(&a.tag);
            let v = match &a.restored {
                Some(dir) => mover::verify_restored_as(
                    &cfg,
                    &snapshot,
                    &tags,
                    dir,
                    a.owner.unwrap_or_default(),
                )?,
                None => mover::verify(
                    &cfg,
                    &mover::VerifyRequest {
                        snapshot,
                        tags,
                        scratch: a.scratch.unwrap_or_else(std::env::temp_dir),
                        keep: a.keep,
                        owner: a.owner.unwrap_or_default(),
                    },
                )?,
            };
            emit(&v)?;
            if v.status != VerificationStatus::Verified {
                return Err(Outcome::VerificationFailed);
            }
        }
        M::Check(a) => {
            let cfg = a.repo.config()?;
            let r = mover::check(
                &cfg,
                &mover::CheckRequest {
                    read_data_subset: a.read_data_subset,
                },
            )?;
            emit(&r)?;
            if !r.ok {
                return Err(Outcome::Cli(CliError::Check(format!(
                    "repository check found {} error(s)",
                    r.errors.len()
                ))));
            }
        }
        M::Forget(a) => {
            let cfg = a.repo.config()?;
            let offset = jiff::tz::Offset::from_hours(a.utc_offset_hours)
                .map_err(|e| CliError::Input(format!("--utc-offset-hours: {e}")))?;
            let stale_after = pusdata_core::duration::parse(&a.stale_after)
                .map_err(|e| CliError::Input(format!("--stale-after: {e}")))?;
            let r = mover::forget(
                &cfg,
                &mover::ForgetRequest {
                    retention: Retention {
                        keep_last: a.keep_last,
                        keep_hourly: a.keep_hourly,
                        keep_daily: a.keep_daily,
                        keep_weekly: a.keep_weekly,
                        keep_monthly: a.keep_monthly,
                        keep_yearly: a.keep_yearly,
                        min_verified: a.min_verified,
                        schedule: None,
                    },
                    tags: tags(&a.tag),
                    verified: a.verified.iter().map(|s| s.trim().to_string()).collect(),
                    tz: jiff::tz::TimeZone::fixed(offset),
                    prune: a.prune,
                    dry_run: a.dry_run,
                    lock: mover::LockOptions {
                        stale_after,
                        ..Default::default()
                    },
                },
            )?;
            emit(&r)?;
        }
        M::Unlock(a) => {
            let cfg = a.repo.config()?;
            let older_than = pusdata_core::duration::parse(&a.older_than)
                .map_err(|e| CliError::Input(format!("--older-than: {e}")))?;
            let r = mover::unlock(
                &cfg,
                &mover::UnlockRequest {
                    older_than,
                    now: jiff::Timestamp::now(),
                    dry_run: a.dry_run,
                },
            )?;
            emit(&r)?;
        }
        M::Snapshots(a) => {
            let cfg = a.repo.config()?;
            emit(&mover::snapshots(&cfg, &tags(&a.tag))?)?;
        }
    }
    Ok(())
}
