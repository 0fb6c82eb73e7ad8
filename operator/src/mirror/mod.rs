//! Bucket mirroring (issue #5): one S3 bucket (or prefix) onto another, primary DC → DRC,
//! and back for failback (the same function with the sides swapped).
//!
//! The decisions are `pusdata_core::mirror::plan`; this shell lists both sides, asks the
//! plan, copies with bounded parallel workers (multipart above a threshold), has every
//! copy's checksum verified by the destination, deletes only what the plan allows, and
//! keeps the "first seen missing" record in a small JSON state file.
//!
//! Integrity: every PUT (or part) carries a checksum header that the destination checks
//! against the bytes it receives, refusing the upload when they differ (`BadDigest`):
//! - A single-part object whose source ETag is an MD5 (what S3 servers give unencrypted
//!   single-part objects) goes with `Content-MD5` set to that ETag. The destination computes
//!   the MD5 anyway for its own ETag, so this proves end to end — from what the source
//!   recorded when the object was written to what the destination stored — at no hashing
//!   cost on either side. The answer's ETag confirms it.
//! - Otherwise (ETag not an MD5, or refused as above because it was not the content's MD5
//!   after all) the object's SHA-256 over the bytes read goes as `x-amz-checksum-sha256`,
//!   confirmed by the answer or by a HEAD.
//! - Each multipart part carries its SHA-256; a HEAD then checks the assembled size and,
//!   where the server returns it, the composite SHA-256.
//!
//! The checksum header is signed, so the payload itself is sent `UNSIGNED-PAYLOAD`: the
//! SigV4 body hash would be a second hash of the same bytes on both ends. A short read, a
//! size or a checksum mismatch fails that key.

mod copy;
mod endpoint;
mod error;
mod limit;
mod state;

pub use endpoint::S3Endpoint;
pub use error::MirrorError;
pub use limit::RateLimit;
pub use state::{MirrorState, load_state, load_state_s3, save_state, save_state_s3};

use aws_sdk_s3::Client;
use futures::StreamExt;
use jiff::Timestamp;
use pusdata_core::mirror::{self as core, Action, Listing, ObjectInfo, PlanCounts};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// 16 MiB: the default part size and multipart threshold.
pub const DEFAULT_PART_SIZE: u64 = 16 * 1024 * 1024;

/// The runtime a mirror runs on: one thread. `mirror` is one future that drives all its
/// copies (`buffer_unordered`), and each request is a hand-off to the connection's task;
/// with worker threads every hand-off was a cross-thread wake-up, which cost more CPU than
/// the copies' own work (profiled: scheduler and wake-ups ~12 % of the process) while the
/// mirror never needs more than a fraction of one core.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// How to mirror.
#[derive(Clone, Debug)]
pub struct MirrorOptions {
    /// Grace period before a key missing at the source is deleted at the destination.
    pub delete_after: Duration,
    /// Objects at least this large go up in parts.
    pub multipart_threshold: u64,
    /// Size of each part (S3 minimum 5 MiB except the last).
    pub part_size: u64,
    /// Objects copied at the same time.
    pub concurrency: usize,
    /// Upload bytes per second, across all workers; `None`: unlimited.
    pub limit_bytes_per_second: Option<u64>,
    /// The JSON state file with the "first seen missing" record; `None`: no record, so
    /// keys missing at the source are only deleted when `delete_after` is zero.
    pub state_file: Option<PathBuf>,
    /// "Now", injected for tests; `None`: the clock.
    pub now: Option<Timestamp>,
    /// Plan only: list, decide, report; write nothing (not even the state file).
    pub dry_run: bool,
    /// Keep the state as an object in the destination (`<prefix>.pusdata-mirror/state.json`,
    /// never listed or mirrored) instead of a file: a Job keeps no file between runs.
    pub state_in_destination: bool,
}

impl Default for MirrorOptions {
    fn default() -> Self {
        MirrorOptions {
            delete_after: Duration::from_secs(24 * 3600),
            multipart_threshold: DEFAULT_PART_SIZE,
            part_size: DEFAULT_PART_SIZE,
            concurrency: 8,
            limit_bytes_per_second: None,
            state_file: None,
            now: None,
            dry_run: false,
            state_in_destination: false,
        }
    }
}

/// One key that could not be copied or deleted.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyFailure {
    /// The key, relative to the prefix.
    pub key: String,
    /// `copy` or `delete`.
    pub op: &'static str,
    /// Why.
    pub error: String,
}

/// What a mirror run did.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MirrorReport {
    /// Source URL (no keys).
    pub source: String,
    /// Destination URL (no keys).
    pub destination: String,
    /// "Now" of the plan.
    pub now: Timestamp,
    /// Plan only?
    pub dry_run: bool,
    /// Objects listed at the source.
    pub source_objects: u64,
    /// Objects listed at the destination before the run.
    pub destination_objects: u64,
    /// The plan's counts.
    pub planned: PlanCounts,
    /// Objects copied and verified.
    pub copied: u64,
    /// Bytes copied and verified.
    pub copied_bytes: u64,
    /// Of which sent in parts.
    pub multipart: u64,
    /// Of which the destination reported the checksum it stored and it matched: the
    /// source's MD5 (as its ETag) or our SHA-256. The others were checked by the server
    /// against our checksum header on upload, and by size after.
    pub checksum_confirmed: u64,
    /// Objects deleted at the destination.
    pub deleted: u64,
    /// Objects kept because their deletion delay has not passed.
    pub waiting_delete: u64,
    /// Keys that failed.
    pub failures: Vec<KeyFailure>,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Copied bytes per second of wall clock.
    pub bytes_per_second: f64,
    /// The keys copied (up to 1000, for tests and audits).
    pub copied_keys: Vec<String>,
    /// The keys deleted (up to 1000).
    pub deleted_keys: Vec<String>,
}

impl MirrorReport {
    /// The compact result for `--result-file` (a Job's termination message).
    pub fn summary(&self) -> pusdata_core::backup::mirror::MirrorSummary {
        pusdata_core::backup::mirror::MirrorSummary {
            source: self.source.clone(),
            destination: self.destination.clone(),
            source_objects: self.source_objects,
            copied: self.copied,
            copied_bytes: self.copied_bytes,
            deleted: self.deleted,
            waiting_delete: self.waiting_delete,
            failed: self.failures.len() as u64,
            failures: self
                .failures
                .iter()
                .take(pusdata_core::backup::mirror::FAILURES_KEPT)
                .map(|f| format!("{} ({}): {}", f.key, f.op, f.error))
                .collect(),
            seconds: self.seconds,
        }
    }
}

/// Lists a bucket (under the endpoint's prefix) with the list-objects-v2 paginator. Keys
/// are relative to the prefix; "directory" markers (keys ending in `/`) are left out.
pub async fn list(client: &Client, ep: &S3Endpoint) -> Result<Listing, MirrorError> {
    let err = |e: String| MirrorError::List {
        url: ep.url(),
        error: e,
    };
    let mut out = Listing::new();
    let mut req = client.list_objects_v2().bucket(&ep.bucket);
    if !ep.prefix.is_empty() {
        req = req.prefix(&ep.prefix);
    }
    let mut pages = req.into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| err(copy::sdk_error(&e)))?;
        for o in page.contents() {
            let Some(key) = o.key() else { continue };
            let Some(rel) = key.strip_prefix(&ep.prefix) else {
                continue;
            };
            if rel.is_empty() || rel.ends_with('/') || core::reserved(rel) {
                continue;
            }
            let last_modified = o
                .last_modified()
                .and_then(|t| Timestamp::new(t.secs(), t.subsec_nanos() as i32).ok())
                .unwrap_or(Timestamp::UNIX_EPOCH);
            out.insert(
                rel.to_string(),
                ObjectInfo {
                    size: o.size().unwrap_or(0).max(0) as u64,
                    etag: o.e_tag().unwrap_or_default().to_string(),
                    last_modified,
                },
            );
        }
    }
    Ok(out)
}

/// Mirrors `source` onto `dest`. For failback, call it with the sides swapped (and a state
/// file of its own: the record is per direction).
pub async fn mirror(
    source: &S3Endpoint,
    dest: &S3Endpoint,
    opts: &MirrorOptions,
) -> Result<MirrorReport, MirrorError> {
    let started = Instant::now();
    let now = opts.now.unwrap_or_else(Timestamp::now);
    let src_client = source.client();
    let dst_client = dest.client();
    let state = match &opts.state_file {
        Some(p) => load_state(p)?,
        None if opts.state_in_destination => load_state_s3(&dst_client, dest).await?,
        None => MirrorState::default(),
    };
    let (src_list, dst_list) = tokio::join!(list(&src_client, source), list(&dst_client, dest));
    let (src_list, dst_list) = (src_list?, dst_list?);
    let plan = core::plan(
        &src_list,
        &dst_list,
        &state.missing_since,
        now,
        opts.delete_after,
    );
    let planned = plan.counts(&src_list);
    tracing::info!(
        source = %source.url(),
        destination = %dest.url(),
        copy = planned.copy,
        copy_bytes = planned.copy_bytes,
        skip = planned.skip,
        delete = planned.delete,
        wait_delete = planned.wait_delete,
        "mirror plan"
    );
    let mut report = MirrorReport {
        source: source.url(),
        destination: dest.url(),
        now,
        dry_run: opts.dry_run,
        source_objects: src_list.len() as u64,
        destination_objects: dst_list.len() as u64,
        planned,
        copied: 0,
        copied_bytes: 0,
        multipart: 0,
        checksum_confirmed: 0,
        deleted: 0,
        waiting_delete: planned.wait_delete,
        failures: Vec::new(),
        seconds: 0.0,
        bytes_per_second: 0.0,
        copied_keys: Vec::new(),
        deleted_keys: Vec::new(),
    };
    if opts.dry_run {
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }

    let ctx = Arc::new(copy::CopyContext {
        src: src_client,
        dst: dst_client,
        source: source.clone(),
        dest: dest.clone(),
        threshold: opts.multipart_threshold.max(1),
        part_size: opts.part_size.max(5 * 1024 * 1024),
        limit: opts.limit_bytes_per_second.map(RateLimit::new),
    });
    let concurrency = opts.concurrency.max(1);

    // Copies: largest first so a big object does not start last and stretch the run.
    let mut copies: Vec<(String, u64)> = plan
        .copies()
        .map(|k| (k.to_string(), src_list.get(k).map_or(0, |o| o.size)))
        .collect();
    copies.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut results = futures::stream::iter(copies.into_iter().map(|(key, size)| {
        let ctx = ctx.clone();
        async move {
            let r = copy::copy_object(&ctx, &key, size).await;
            (key, r)
        }
    }))
    .buffer_unordered(concurrency);
    while let Some((key, r)) = results.next().await {
        match r {
            Ok(done) => {
                report.copied += 1;
                report.copied_bytes += done.bytes;
                report.multipart += u64::from(done.parts > 1);
                report.checksum_confirmed += u64::from(done.checksum_confirmed);
                if report.copied_keys.len() < 1000 {
                    report.copied_keys.push(key);
                }
            }
            Err(e) => {
                tracing::warn!(key = %key, error = %e, "copy failed");
                report.failures.push(KeyFailure {
                    key,
                    op: "copy",
                    error: e,
                });
            }
        }
    }
    drop(results);

    // Deletions: only what the plan allows; a failed one keeps its record.
    let mut next_state = MirrorState {
        missing_since: plan.missing_since.clone(),
        ..state
    };
    let deletes: Vec<String> = plan.deletes().map(str::to_string).collect();
    let mut results = futures::stream::iter(deletes.into_iter().map(|key| {
        let ctx = ctx.clone();
        async move {
            let r = ctx
                .dst
                .delete_object()
                .bucket(&ctx.dest.bucket)
                .key(ctx.dest.key(&key))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| copy::sdk_error(&e));
            (key, r)
        }
    }))
    .buffer_unordered(concurrency);
    while let Some((key, r)) = results.next().await {
        match r {
            Ok(()) => {
                report.deleted += 1;
                if report.deleted_keys.len() < 1000 {
                    report.deleted_keys.push(key);
                }
            }
            Err(e) => {
                if let Some(Action::Delete { missing_since }) = plan.actions.get(&key) {
                    next_state.missing_since.insert(key.clone(), *missing_since);
                }
                report.failures.push(KeyFailure {
                    key,
                    op: "delete",
                    error: e,
                });
            }
        }
    }
    drop(results);
    report.copied_keys.sort();
    report.deleted_keys.sort();
    report.failures.sort_by(|a, b| a.key.cmp(&b.key));

    next_state.source = source.url();
    next_state.destination = dest.url();
    next_state.updated = Some(now);
    if let Some(p) = &opts.state_file {
        save_state(p, &next_state)?;
    } else if opts.state_in_destination {
        save_state_s3(&ctx.dst, dest, &next_state).await?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    report.bytes_per_second = if report.seconds > 0.0 {
        report.copied_bytes as f64 / report.seconds
    } else {
        0.0
    };
    Ok(report)
}
