//! `pusdata mirror`: mirror one S3 bucket (or prefix) onto another.

use crate::error::CliError;
use clap::Args;
use pusdata::mirror::{self, MirrorOptions, S3Endpoint};
use std::path::PathBuf;

/// Arguments of `pusdata mirror`.
///
/// Keys come from the environment, one set per side, and are never logged:
/// `PUSDATA_SRC_ACCESS_KEY_ID`, `PUSDATA_SRC_SECRET_ACCESS_KEY`, `PUSDATA_SRC_REGION` and
/// `PUSDATA_DST_ACCESS_KEY_ID`, `PUSDATA_DST_SECRET_ACCESS_KEY`, `PUSDATA_DST_REGION`
/// (region default: `AWS_REGION`, then `us-east-1`; use `garage` for Garage).
/// For failback, swap `--from` and `--to` (and the keys) and use another `--state` file.
#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// Source: `s3:http(s)://host[:port]/bucket[/prefix]`.
    #[arg(long)]
    pub from: String,
    /// Destination, same form.
    #[arg(long)]
    pub to: String,
    /// Delete at the destination a key missing at the source for this long (`0`: at once).
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub delete_after: String,
    /// Upload at most this many bytes per second, across all workers.
    #[arg(long, value_name = "N")]
    pub limit_bytes_per_second: Option<u64>,
    /// Objects copied in parallel.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Objects at least this large are sent in parts (e.g. `16MiB`).
    #[arg(long, default_value = "16MiB")]
    pub multipart_threshold: bytesize::ByteSize,
    /// Size of each part (at least 5 MiB).
    #[arg(long, default_value = "16MiB")]
    pub part_size: bytesize::ByteSize,
    /// JSON file recording when each destination-only key was first seen missing at the
    /// source. Without it, keys are deleted only with `--delete-after 0`.
    #[arg(long, env = "PUSDATA_MIRROR_STATE")]
    pub state: Option<PathBuf>,
    /// Plan as of this instant (RFC 3339) instead of the clock (tests, replays).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    /// List and plan only; copy, delete and record nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep the deletion record in the destination bucket itself
    /// (`<prefix>.pusdata-mirror/state.json`, never listed, copied or deleted) instead of a
    /// `--state` file: what the operator's mirror Jobs use, as a Pod keeps no file.
    #[arg(long, conflicts_with = "state")]
    pub state_in_destination: bool,
    /// Also write a compact JSON result (or `{"error": …}`) to this file, at most 4 KiB: the
    /// operator's Jobs point it at the termination message.
    #[arg(long, value_name = "PATH")]
    pub result_file: Option<PathBuf>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The endpoint of one side with its keys from `PUSDATA_<SIDE>_*`.
pub fn endpoint(url: &str, side: &str) -> Result<S3Endpoint, CliError> {
    let mut ep = S3Endpoint::parse(url).map_err(CliError::Input)?;
    let id = format!("PUSDATA_{side}_ACCESS_KEY_ID");
    let secret = format!("PUSDATA_{side}_SECRET_ACCESS_KEY");
    ep.access_key_id =
        env(&id).ok_or_else(|| CliError::Input(format!("{id} is not set (keys of {url})")))?;
    ep.secret_access_key = env(&secret)
        .ok_or_else(|| CliError::Input(format!("{secret} is not set (keys of {url})")))?;
    ep.region = env(&format!("PUSDATA_{side}_REGION"))
        .or_else(|| env("AWS_REGION"))
        .unwrap_or_else(|| "us-east-1".to_string());
    Ok(ep)
}

/// Runs `pusdata mirror`; prints the report as one JSON line on stdout, and the compact
/// result (or the error) to `--result-file`.
pub fn run(args: &MirrorArgs) -> Result<(), CliError> {
    let mut summary = None;
    let result = run_inner(args, &mut summary);
    if let Some(path) = &args.result_file {
        // A report, even with failed keys, is the result; the exit code says it failed.
        let text = match (&summary, &result) {
            (Some(s), _) => s.to_termination_message(),
            (None, Err(e)) => pusdata_core::backup::result::fit_termination_message(
                &serde_json::json!({"error": {"category": e.category(), "message": e.to_string()}}),
            ),
            (None, Ok(())) => String::new(),
        };
        std::fs::write(path, text).map_err(|e| CliError::io(path, e))?;
    }
    result
}

fn run_inner(
    args: &MirrorArgs,
    summary: &mut Option<pusdata_core::backup::mirror::MirrorSummary>,
) -> Result<(), CliError> {
    let source = endpoint(&args.from, "SRC")?;
    let dest = endpoint(&args.to, "DST")?;
    let delete_after = pusdata_core::duration::parse(&args.delete_after)
        .map_err(|e| CliError::Input(format!("--delete-after: {e}")))?;
    let now = args
        .now
        .as_deref()
        .map(|s| {
            s.parse::<jiff::Timestamp>()
                .map_err(|e| CliError::Input(format!("--now {s:?}: {e}")))
        })
        .transpose()?;
    if args.limit_bytes_per_second == Some(0) {
        return Err(CliError::Input(
            "--limit-bytes-per-second must be positive".into(),
        ));
    }
    let opts = MirrorOptions {
        delete_after,
        multipart_threshold: args.multipart_threshold.as_u64(),
        part_size: args.part_size.as_u64(),
        concurrency: args.concurrency,
        limit_bytes_per_second: args.limit_bytes_per_second,
        state_file: args.state.clone(),
        now,
        dry_run: args.dry_run,
        state_in_destination: args.state_in_destination,
    };
    let runtime = mirror::runtime().map_err(|e| CliError::Internal(e.to_string()))?;
    let report = runtime
        .block_on(mirror::mirror(&source, &dest, &opts))
        .map_err(|e| CliError::Failed(e.to_string()))?;
    let line = serde_json::to_string(&report).map_err(|e| CliError::Internal(e.to_string()))?;
    println!("{line}");
    *summary = Some(report.summary());
    if report.failures.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "{} key(s) failed; see \"failures\" in the report",
            report.failures.len()
        )))
    }
}
