//! Bucket members (issue #5 item 5, issue #6 failback): a `Backup` whose source is a bucket is
//! one mirror pass, run as a `pusdata mirror` Job in the member's namespace.
//!
//! - [`resolve`]: where the pass reads and writes — the primary `Site`'s S3 endpoint and the
//!   DRC `Site`'s (same bucket name unless `bucketMirror.bucketMap` maps it), which Secret of
//!   the member's namespace holds the keys of each side, the deletion delay and the
//!   bandwidth limit of the agency's DRC repository; sides swapped for a failback
//!   (`source.reverse`). Every refusal names its rule (DATA-DC, SEC-CIA, DR-PLAN) and field.
//! - [`mirror_job`]: the Job (same hardening, resources and result path as the mover Jobs).
//! - [`MirrorSummary`]: the compact result `pusdata mirror --result-file` writes and the
//!   controller reads back; [`settle`] and [`status`] turn it into the Backup's phase and
//!   figures.
//! - [`bucket_statuses`]: per bucket of a tier, the last successful pass and the newest
//!   outcome, for the plan's status.

use super::job::{self, JobError, MoverSettings, Parts, RESULT_PATH};
use super::result::{MoverResult, TERMINATION_MESSAGE_MAX};
use crate::conditions::{self, Desired};
use crate::dr::SourceRef;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, SecretKeySelector};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{OwnerReference, Time};
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, BackupRepositorySpec, BackupSource, BackupStatus, BackupTrigger,
    BucketStatus, Member, SecretRef, Site, VerificationStatus,
};
use serde::{Deserialize, Serialize};

/// Failures a [`MirrorSummary`] lists by key (the rest are counted).
pub const FAILURES_KEPT: usize = 10;

/// What a mirror pass did, as `pusdata mirror --result-file` writes it (small enough for a
/// termination message) and the Backup controller reads it. One type for both sides.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MirrorSummary {
    /// Source URL (no keys).
    pub source: String,
    /// Destination URL (no keys).
    pub destination: String,
    /// Objects listed at the source.
    pub source_objects: u64,
    /// Objects copied and verified.
    pub copied: u64,
    /// Bytes copied and verified.
    pub copied_bytes: u64,
    /// Objects deleted at the destination.
    pub deleted: u64,
    /// Objects kept until their deletion delay passes.
    pub waiting_delete: u64,
    /// Keys that failed.
    pub failed: u64,
    /// The first failures, `key (op): error`.
    pub failures: Vec<String>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl MirrorSummary {
    /// The summary as JSON that fits a termination message (failure lines cut if needed).
    pub fn to_termination_message(&self) -> String {
        let mut s = self.clone();
        s.failures.truncate(FAILURES_KEPT);
        loop {
            let text = serde_json::to_string(&s).unwrap_or_default();
            if text.len() <= TERMINATION_MESSAGE_MAX || s.failures.is_empty() {
                return text;
            }
            for f in &mut s.failures {
                if f.len() > 200 {
                    let mut cut = 200;
                    while !f.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    f.truncate(cut);
                    f.push('…');
                }
            }
            let text = serde_json::to_string(&s).unwrap_or_default();
            if text.len() <= TERMINATION_MESSAGE_MAX {
                return text;
            }
            s.failures.pop();
        }
    }
}

/// One side of a pass: its URL (`s3:<endpoint>/<bucket>`) and the Secret (in the Backup's
/// namespace) with its keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Side {
    /// `s3:<endpoint>/<bucket>`.
    pub url: String,
    /// Name of the Secret with `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and optionally
    /// `AWS_REGION`).
    pub credentials: String,
}

/// Everything a mirror pass needs, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MirrorPlan {
    /// Read from.
    pub from: Side,
    /// Write to.
    pub to: Side,
    /// `--delete-after` (Go duration).
    pub delete_after: String,
    /// `--limit-bytes-per-second`: the repository's upload limit primary → DRC, its
    /// download limit DRC → primary.
    pub limit_bytes_per_second: Option<u64>,
}

/// What [`resolve`] reads.
#[derive(Clone, Copy, Debug)]
pub struct ResolveInput<'a> {
    /// The pass.
    pub backup: &'a Backup,
    /// Its plan member.
    pub member: &'a Member,
    /// The plan's primary `Site`, if registered.
    pub primary: Option<&'a Site>,
    /// The plan's DRC `Site`, if registered.
    pub drc: Option<&'a Site>,
    /// The plan's DRC site name.
    pub drc_site: &'a str,
    /// The `BackupRepository` the Backup names.
    pub repository: &'a BackupRepositorySpec,
}

fn s3_url(site: Option<&Site>, name: &str, bucket: &str) -> Result<String, String> {
    let Some(site) = site else {
        return Err(format!(
            "DATA-DC: site {name} is not a registered Site; buckets are mirrored only between registered sites"
        ));
    };
    let Some(endpoint) = site
        .spec
        .endpoints
        .s3
        .as_deref()
        .map(|e| e.trim().trim_end_matches('/'))
        .filter(|e| !e.is_empty())
    else {
        return Err(format!(
            "DATA-DC: Site {name} has no spec.endpoints.s3; bucket members need the object storage of both sites"
        ));
    };
    Ok(format!("s3:{endpoint}/{bucket}"))
}

fn credentials(
    r: &SecretRef,
    namespace: &str,
    field: &str,
    member: &str,
) -> Result<String, String> {
    match r.namespace.as_deref() {
        Some(ns) if ns != namespace => Err(format!(
            "SEC-CIA: {field} of member {member} names a Secret in namespace {ns}; bucket keys must be in the member's namespace {namespace}"
        )),
        _ => Ok(r.name.clone()),
    }
}

/// Where a bucket pass reads and writes, with which keys; or why it cannot run.
pub fn resolve(input: &ResolveInput<'_>) -> Result<MirrorPlan, String> {
    let b = input.backup;
    let m = input.member;
    let namespace = b.metadata.namespace.as_deref().unwrap_or_default();
    let Some(bucket) = b.spec.source.bucket.as_deref() else {
        return Err("spec.source: not a bucket".into());
    };
    if !m.buckets.iter().any(|x| x == bucket) {
        return Err(format!(
            "spec.source.bucket: member {} does not list bucket {bucket}",
            m.name
        ));
    }
    if m.namespace != namespace {
        return Err(format!(
            "SEC-CIA: member {} is in namespace {}, the Backup in {namespace}",
            m.name, m.namespace
        ));
    }
    let Some(cfg) = &m.bucket_mirror else {
        return Err(format!(
            "DR-PLAN: member {} lists buckets but no bucketMirror (the keys of each side)",
            m.name
        ));
    };
    if input.repository.site != input.drc_site {
        return Err(format!(
            "spec.repository: a bucket pass names the agency's repository at the DRC site {}, not one at {}",
            input.drc_site, input.repository.site
        ));
    }
    // After a failover the DRC takes the writes: a forward pass would overwrite them with the
    // primary's older objects (and later delete the new ones). Only the failback's reverse
    // pass runs then.
    if !b.spec.source.reverse
        && input
            .drc
            .and_then(|d| d.status.as_ref())
            .and_then(|s| s.active)
            == Some(true)
    {
        return Err(format!(
            "DR-PLAN: the DRC site {} is active (failed over); mirroring the primary onto it would overwrite what it wrote — fail back first (a Failback mirrors the DRC back)",
            input.drc_site
        ));
    }
    let drc_bucket = cfg
        .bucket_map
        .get(bucket)
        .map(String::as_str)
        .unwrap_or(bucket);
    let primary = Side {
        url: s3_url(
            input.primary,
            input
                .primary
                .and_then(|s| s.metadata.name.as_deref())
                .unwrap_or("(primary)"),
            bucket,
        )?,
        credentials: credentials(
            &cfg.primary_credentials,
            namespace,
            "bucketMirror.primaryCredentials",
            &m.name,
        )?,
    };
    let drc = Side {
        url: s3_url(input.drc, input.drc_site, drc_bucket)?,
        // The repository's Secret is used by name in the Backup's namespace, as the mover
        // Jobs use it.
        credentials: match &cfg.drc_credentials {
            Some(r) => credentials(r, namespace, "bucketMirror.drcCredentials", &m.name)?,
            None => input.repository.s3.credentials.name.clone(),
        },
    };
    let (from, to, limit) = if b.spec.source.reverse {
        (
            drc,
            primary,
            input.repository.download_limit_bytes_per_second,
        )
    } else {
        (primary, drc, input.repository.upload_limit_bytes_per_second)
    };
    Ok(MirrorPlan {
        from,
        to,
        delete_after: cfg.delete_after.clone(),
        limit_bytes_per_second: limit.filter(|n| *n > 0),
    })
}

/// Everything the mirror Job is built from.
#[derive(Clone, Debug)]
pub struct MirrorJobInput<'a> {
    /// The pass.
    pub backup: &'a Backup,
    /// Where it reads and writes ([`resolve`]).
    pub plan: &'a MirrorPlan,
    /// The agency (label).
    pub agency: &'a str,
    /// The owner reference to the `Backup`.
    pub owner: OwnerReference,
    /// Settings (image, resources).
    pub settings: &'a MoverSettings,
}

fn side_env(side: &str, secret: &str) -> Vec<EnvVar> {
    let mut env = vec![
        job::secret_env(
            &format!("PUSDATA_{side}_ACCESS_KEY_ID"),
            secret,
            "AWS_ACCESS_KEY_ID",
        ),
        job::secret_env(
            &format!("PUSDATA_{side}_SECRET_ACCESS_KEY"),
            secret,
            "AWS_SECRET_ACCESS_KEY",
        ),
    ];
    env.push(EnvVar {
        name: format!("PUSDATA_{side}_REGION"),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: "AWS_REGION".into(),
                optional: Some(true),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    });
    env
}

/// The arguments of `pusdata mirror` for a pass (no secrets: keys come from the
/// environment). The state of delayed deletions is kept in the destination bucket
/// (`--state-in-destination`), so it survives the Job.
pub fn mirror_args(plan: &MirrorPlan, result_file: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "mirror",
        "--from",
        &plan.from.url,
        "--to",
        &plan.to.url,
        "--delete-after",
        &plan.delete_after,
        "--state-in-destination",
        "--result-file",
        result_file,
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    if let Some(n) = plan.limit_bytes_per_second {
        args.push("--limit-bytes-per-second".into());
        args.push(n.to_string());
    }
    args
}

/// Builds the mirror Job of a bucket pass: `pusdata mirror` with each side's keys from its
/// Secret in the Backup's namespace, no volume but a small `/tmp`, the hardening, resources
/// and result path of the mover Jobs. The Job has the Backup's name.
pub fn mirror_job(input: &MirrorJobInput<'_>) -> Result<Job, JobError> {
    let b = input.backup;
    let (Some(name), Some(namespace)) =
        (b.metadata.name.as_deref(), b.metadata.namespace.as_deref())
    else {
        return Err(JobError::NoName);
    };
    let mut env = side_env("SRC", &input.plan.from.credentials);
    env.extend(side_env("DST", &input.plan.to.credentials));
    Ok(job::hardened_job(Parts {
        name,
        namespace,
        labels: job::labels(input.agency, b, name),
        owner: input.owner.clone(),
        settings: input.settings,
        args: mirror_args(input.plan, RESULT_PATH),
        env,
        volumes: vec![job::empty_dir("tmp", "64Mi")],
        mounts: vec![job::mount("tmp", "/tmp", false)],
        affinity: None,
        uid: job::DEFAULT_UID,
        gid: job::DEFAULT_UID,
    }))
}

/// The phase and errors of a finished mirror Job. A pass with failed keys is `Failed` (the
/// bucket is not a full copy, so it does not count towards the RPO) but keeps its figures.
pub fn settle(succeeded: bool, result: &MoverResult<MirrorSummary>) -> (BackupPhase, Vec<String>) {
    match result {
        MoverResult::Report(s) if s.failed == 0 && succeeded => (BackupPhase::Completed, vec![]),
        MoverResult::Report(s) => {
            let mut why = vec![format!("{} key(s) failed", s.failed.max(1))];
            why.extend(s.failures.iter().take(FAILURES_KEPT).cloned());
            (BackupPhase::Failed, why)
        }
        MoverResult::Failure(f) => (
            BackupPhase::Failed,
            vec![format!("{}: {}", f.category, f.message)],
        ),
        MoverResult::Unreadable(why) => (
            BackupPhase::Failed,
            vec![format!("the mirror Job left no result: {why}")],
        ),
    }
}

/// The `Ready` condition of a pass: the reasons of a backup run (`conditions.md`), in the
/// words of a mirror.
fn pass_ready(phase: BackupPhase, errors: &[String]) -> Desired {
    let (status, text) = match phase {
        BackupPhase::New => (None, crate::t!("repository-mirror-waiting-start")),
        BackupPhase::InProgress => (None, crate::t!("repository-mirror-mirror-job-running")),
        BackupPhase::Completed => (Some(true), crate::t!("repository-mirror-bucket-mirrored")),
        BackupPhase::PartiallyFailed | BackupPhase::Failed => {
            (Some(false), crate::t!("repository-mirror-bucket-full-copy"))
        }
        BackupPhase::FailedValidation => (
            Some(false),
            crate::t!("repository-mirror-pass-cannot-start-written"),
        ),
        BackupPhase::Skipped => (
            Some(false),
            crate::t!("repository-mirror-previous-pass-same-bucket"),
        ),
    };
    let mut message = text.to_string();
    if let Some(first) = errors.first() {
        message.push_str(": ");
        message.push_str(first);
    }
    Desired {
        type_: conditions::READY,
        status,
        reason: super::phase_reason(phase),
        message,
    }
}

/// The status of a pass at `phase`, with the figures of its summary when one was read.
pub fn status(
    old: &BackupStatus,
    phase: BackupPhase,
    errors: Vec<String>,
    summary: Option<&MirrorSummary>,
    trigger_token: (BackupTrigger, Option<&str>),
    generation: Option<i64>,
    now: Time,
) -> BackupStatus {
    let ready = pass_ready(phase, &errors);
    let mut s = super::status(
        old,
        phase,
        errors,
        None,
        trigger_token,
        generation,
        now.clone(),
    );
    s.conditions = conditions::merge(&old.conditions, &[ready], generation, now);
    if let Some(m) = summary {
        s.objects_copied = Some(m.copied);
        s.bytes_copied = Some(m.copied_bytes);
        s.objects_deleted = Some(m.deleted);
        s.objects_pending_delete = Some(m.waiting_delete);
        s.duration_seconds = Some(m.seconds);
    }
    s
}

/// Whether a run counts as verified for the tier's "last verified" age: a snapshot proven by
/// its restore test, or a completed bucket pass — every object it copied was checked against
/// its SHA-256 by the destination and read back (size, stored checksum), and the objects it
/// skipped were checked by the pass that copied them.
pub fn counts_as_verified(source: &BackupSource, status: &BackupStatus) -> bool {
    status.verification == Some(VerificationStatus::Verified)
        || (source.bucket.is_some() && status.phase == Some(BackupPhase::Completed))
}

/// One finished bucket pass, as the plan's status needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PassRecord {
    /// Plan member.
    pub member: String,
    /// Bucket (primary name).
    pub bucket: String,
    /// Phase (finished runs only are considered).
    pub phase: Option<BackupPhase>,
    /// When it finished.
    pub finished_at: Option<Time>,
    /// Objects copied.
    pub objects_copied: Option<u64>,
    /// Bytes copied.
    pub bytes_copied: Option<u64>,
    /// Errors.
    pub errors: Vec<String>,
}

/// Per bucket source of `tier` (in source order): the last successful pass and the newest
/// finished pass's phase and errors. A failback's reverse pass counts: once it completed,
/// both sites hold the same objects.
pub fn bucket_statuses(
    tier: &str,
    sources: &[SourceRef],
    passes: &[PassRecord],
) -> Vec<BucketStatus> {
    sources
        .iter()
        .filter(|s| s.tier == tier)
        .filter_map(|s| {
            let bucket = s.bucket.as_deref()?;
            let mine: Vec<&PassRecord> = passes
                .iter()
                .filter(|p| {
                    p.member == s.member
                        && p.bucket == bucket
                        && super::finished(p.phase)
                        && p.phase != Some(BackupPhase::Skipped)
                })
                .collect();
            let at = |p: &&&PassRecord| p.finished_at.as_ref().map(|t| t.0);
            let last_ok = mine
                .iter()
                .filter(|p| p.phase == Some(BackupPhase::Completed))
                .max_by_key(at);
            let newest = mine.iter().max_by_key(at);
            Some(BucketStatus {
                member: s.member.clone(),
                bucket: bucket.to_string(),
                last_mirror: last_ok.and_then(|p| p.finished_at.clone()),
                objects_copied: last_ok.and_then(|p| p.objects_copied),
                bytes_copied: last_ok.and_then(|p| p.bytes_copied),
                last_phase: newest.and_then(|p| p.phase).map(|p| format!("{p:?}")),
                errors: newest
                    .filter(|p| p.phase != Some(BackupPhase::Completed))
                    .map(|p| p.errors.clone())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{BucketMirror, Coordinates};

    fn sites() -> (Site, Site) {
        let mut p = fixtures::primary_site();
        p.spec.endpoints.s3 = Some("https://s3.bekasikota.go.id/".into());
        let mut d = fixtures::drc_site(
            "Kota Bandung",
            Coordinates {
                latitude: -6.9,
                longitude: 107.6,
            },
        );
        d.spec.endpoints.s3 = Some("https://s3.drc.bekasikota.go.id".into());
        (p, d)
    }

    fn member() -> Member {
        let mut m = fixtures::plan().spec.tiers[0].members[0].clone();
        m.buckets = vec!["arsip".into(), "pacs".into()];
        m.bucket_mirror = Some(BucketMirror {
            primary_credentials: SecretRef {
                name: "s3-primary".into(),
                namespace: None,
            },
            drc_credentials: None,
            bucket_map: [("pacs".to_string(), "pacs-drc".to_string())].into(),
            delete_after: "48h".into(),
        });
        m
    }

    fn pass(bucket: &str, reverse: bool) -> Backup {
        let mut b = fixtures::backup("disdukcapil", "x");
        b.metadata.name = Some(format!("svc-{bucket}-20261125000000"));
        b.spec.source = BackupSource {
            pvc: None,
            bucket: Some(bucket.into()),
            reverse,
        };
        b
    }

    fn resolve_with(
        b: &Backup,
        m: &Member,
        sites: (Option<&Site>, Option<&Site>),
        repo: &BackupRepositorySpec,
    ) -> Result<MirrorPlan, String> {
        resolve(&ResolveInput {
            backup: b,
            member: m,
            primary: sites.0,
            drc: sites.1,
            drc_site: "drc-bandung",
            repository: repo,
        })
    }

    #[test]
    fn resolve_table() {
        let (p, d) = sites();
        let mut repo = fixtures::backup_repository("disdukcapil", "drc-bandung").spec;
        repo.upload_limit_bytes_per_second = Some(10_000_000);
        repo.download_limit_bytes_per_second = Some(4_000_000);
        let m = member();
        let ok = |b: &Backup, m: &Member| resolve_with(b, m, (Some(&p), Some(&d)), &repo);

        // Forward, same name: primary → DRC, the DRC keys from the repository, upload limit.
        let f = ok(&pass("arsip", false), &m).unwrap();
        assert_eq!(f.from.url, "s3:https://s3.bekasikota.go.id/arsip");
        assert_eq!(f.from.credentials, "s3-primary");
        assert_eq!(f.to.url, "s3:https://s3.drc.bekasikota.go.id/arsip");
        assert_eq!(f.to.credentials, "drc-s3");
        assert_eq!(f.delete_after, "48h");
        assert_eq!(f.limit_bytes_per_second, Some(10_000_000));
        // Mapped name at the DRC.
        let mapped = ok(&pass("pacs", false), &m).unwrap();
        assert_eq!(mapped.to.url, "s3:https://s3.drc.bekasikota.go.id/pacs-drc");
        // Reverse (failback): the sides swap, the download limit applies.
        let r = ok(&pass("pacs", true), &m).unwrap();
        assert_eq!((r.from.clone(), r.to.clone()), (mapped.to, mapped.from));
        assert_eq!(r.limit_bytes_per_second, Some(4_000_000));
        // Explicit DRC keys in the member's namespace.
        let mut m2 = m.clone();
        m2.bucket_mirror.as_mut().unwrap().drc_credentials = Some(SecretRef {
            name: "s3-drc-own".into(),
            namespace: Some("disdukcapil".into()),
        });
        assert_eq!(
            ok(&pass("arsip", false), &m2).unwrap().to.credentials,
            "s3-drc-own"
        );

        // Refusals, each naming its rule or field.
        let mut foreign = m.clone();
        foreign
            .bucket_mirror
            .as_mut()
            .unwrap()
            .primary_credentials
            .namespace = Some("dinkes".into());
        let mut unconfigured = m.clone();
        unconfigured.bucket_mirror = None;
        let mut p_no_s3 = p.clone();
        p_no_s3.spec.endpoints.s3 = None;
        let mut at_primary = repo.clone();
        at_primary.site = "dc-bekasi".into();
        let cases: Vec<(Result<MirrorPlan, String>, &str)> = vec![
            (ok(&pass("arsip", false), &foreign), "SEC-CIA"),
            (ok(&pass("arsip", false), &unconfigured), "DR-PLAN"),
            (ok(&pass("video", false), &m), "spec.source.bucket"),
            (
                resolve_with(&pass("arsip", false), &m, (None, Some(&d)), &repo),
                "DATA-DC",
            ),
            (
                resolve_with(&pass("arsip", false), &m, (Some(&p_no_s3), Some(&d)), &repo),
                "DATA-DC: Site dc-bekasi has no spec.endpoints.s3",
            ),
            (
                resolve_with(&pass("arsip", false), &m, (Some(&p), None), &repo),
                "DATA-DC: site drc-bandung",
            ),
            (
                resolve_with(&pass("arsip", false), &m, (Some(&p), Some(&d)), &at_primary),
                "spec.repository",
            ),
        ];
        for (got, want) in cases {
            let e = got.unwrap_err();
            assert!(e.starts_with(want), "{e} does not start with {want}");
        }
        // Failed over (the DRC serves): forward passes stop, the failback's reverse one runs.
        let mut serving = d.clone();
        serving.status = Some(pusdata_crds::v1alpha1::SiteStatus {
            active: Some(true),
            ..Default::default()
        });
        let e =
            resolve_with(&pass("arsip", false), &m, (Some(&p), Some(&serving)), &repo).unwrap_err();
        assert!(
            e.starts_with("DR-PLAN: the DRC site drc-bandung is active"),
            "{e}"
        );
        assert!(resolve_with(&pass("arsip", true), &m, (Some(&p), Some(&serving)), &repo).is_ok());
        let mut elsewhere = pass("arsip", false);
        elsewhere.metadata.namespace = Some("dinkes".into());
        assert!(ok(&elsewhere, &m).unwrap_err().starts_with("SEC-CIA"));
    }

    #[test]
    fn the_job_runs_pusdata_mirror_with_keys_by_reference_only() {
        let (p, d) = sites();
        let repo = fixtures::backup_repository("disdukcapil", "drc-bandung").spec;
        let b = pass("pacs", true);
        let plan = resolve_with(&b, &member(), (Some(&p), Some(&d)), &repo).unwrap();
        let job = mirror_job(&MirrorJobInput {
            backup: &b,
            plan: &plan,
            agency: "disdukcapil",
            owner: OwnerReference {
                kind: "Backup".into(),
                name: "svc-pacs".into(),
                ..OwnerReference::default()
            },
            settings: &MoverSettings::default(),
        })
        .unwrap();
        assert_eq!(
            job.metadata.name.as_deref(),
            Some("svc-pacs-20261125000000")
        );
        assert_eq!(job.metadata.namespace.as_deref(), Some("disdukcapil"));
        let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        let c = &pod.containers[0];
        assert_eq!(
            c.args.as_ref().unwrap().join(" "),
            "mirror --from s3:https://s3.drc.bekasikota.go.id/pacs-drc \
             --to s3:https://s3.bekasikota.go.id/pacs --delete-after 48h \
             --state-in-destination --result-file /dev/termination-log"
        );
        let env = c.env.as_ref().unwrap();
        let by = |n: &str| env.iter().find(|e| e.name == n).unwrap();
        let secret = |n: &str| {
            let s = by(n)
                .value_from
                .as_ref()
                .unwrap()
                .secret_key_ref
                .clone()
                .unwrap();
            (s.name, s.key, s.optional)
        };
        // Reverse: the source is the DRC.
        assert_eq!(
            secret("PUSDATA_SRC_ACCESS_KEY_ID"),
            ("drc-s3".into(), "AWS_ACCESS_KEY_ID".into(), Some(false))
        );
        assert_eq!(
            secret("PUSDATA_DST_SECRET_ACCESS_KEY"),
            (
                "s3-primary".into(),
                "AWS_SECRET_ACCESS_KEY".into(),
                Some(false)
            )
        );
        assert_eq!(
            secret("PUSDATA_DST_REGION"),
            ("s3-primary".into(), "AWS_REGION".into(), Some(true))
        );
        assert!(
            env.iter().all(|e| e.value.is_none()
                || ["RUST_LOG", "MALLOC_ARENA_MAX"].contains(&e.name.as_str()))
        );
        let limits = c.resources.as_ref().unwrap().limits.as_ref().unwrap();
        assert_eq!(limits["memory"].0, MoverSettings::default().memory_limit);
        let sc = c.security_context.as_ref().unwrap();
        assert_eq!(sc.read_only_root_filesystem, Some(true));
        assert_eq!(pod.automount_service_account_token, Some(false));
        assert_eq!(
            pod.volumes
                .as_ref()
                .unwrap()
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>(),
            ["tmp"],
            "no repository key, no PVC"
        );
        // A forward pass with a limit passes it on.
        let mut limited = repo.clone();
        limited.upload_limit_bytes_per_second = Some(1_000);
        let fwd = resolve_with(
            &pass("arsip", false),
            &member(),
            (Some(&p), Some(&d)),
            &limited,
        )
        .unwrap();
        assert!(
            mirror_args(&fwd, "/r")
                .join(" ")
                .ends_with("--result-file /r --limit-bytes-per-second 1000")
        );
    }

    fn summary(failed: u64) -> MirrorSummary {
        MirrorSummary {
            source: "s3:https://a/b".into(),
            destination: "s3:https://c/d".into(),
            source_objects: 10,
            copied: 3,
            copied_bytes: 3000,
            deleted: 1,
            waiting_delete: 2,
            failed,
            failures: (0..failed).map(|i| format!("k{i} (copy): 503")).collect(),
            seconds: 1.5,
        }
    }

    #[test]
    fn settle_and_status_table() {
        use super::super::result::MoverFailure;
        let cases: Vec<(bool, MoverResult<MirrorSummary>, BackupPhase, &str)> = vec![
            (
                true,
                MoverResult::Report(summary(0)),
                BackupPhase::Completed,
                "",
            ),
            (
                false,
                MoverResult::Report(summary(2)),
                BackupPhase::Failed,
                "2 key(s) failed",
            ),
            (
                false,
                MoverResult::Failure(MoverFailure {
                    category: "failed".into(),
                    message: "cannot list s3:https://a/b/".into(),
                }),
                BackupPhase::Failed,
                "failed: cannot list",
            ),
            (
                true,
                MoverResult::Unreadable("empty".into()),
                BackupPhase::Failed,
                "the mirror Job left no result",
            ),
        ];
        for (ok, r, phase, first) in cases {
            let (p, errors) = settle(ok, &r);
            assert_eq!(p, phase, "{r:?}");
            assert!(
                errors.first().map_or("", String::as_str).starts_with(first),
                "{errors:?}"
            );
        }
        let s = status(
            &BackupStatus::default(),
            BackupPhase::Completed,
            vec![],
            Some(&summary(0)),
            (BackupTrigger::Scheduled, None),
            Some(1),
            fixtures::time("2026-11-25T00:05:00Z"),
        );
        assert_eq!(
            (
                s.objects_copied,
                s.bytes_copied,
                s.objects_deleted,
                s.objects_pending_delete
            ),
            (Some(3), Some(3000), Some(1), Some(2))
        );
        assert_eq!(s.finished_at, Some(fixtures::time("2026-11-25T00:05:00Z")));
        assert_eq!(s.snapshot_id, None);
        let ready = &s.conditions[0];
        assert_eq!(
            (
                ready.type_.as_str(),
                ready.status.as_str(),
                ready.reason.as_str()
            ),
            ("Ready", "True", "Completed")
        );
        assert!(
            ready
                .message
                .starts_with("bucket mirrored / bucket telah dicerminkan")
        );
    }

    #[test]
    fn a_summary_always_fits_a_termination_message_and_reads_back() {
        let mut s = summary(5000);
        s.failures = (0..5000)
            .map(|i| format!("{}{i} (copy): {}", "k".repeat(300), "e".repeat(500)))
            .collect();
        let text = s.to_termination_message();
        assert!(text.len() <= TERMINATION_MESSAGE_MAX, "{}", text.len());
        let MoverResult::Report(back) = super::super::result::parse::<MirrorSummary>(&text) else {
            panic!("{text}")
        };
        assert_eq!(back.failed, 5000);
        assert!(!back.failures.is_empty() && back.failures.len() <= FAILURES_KEPT);
        let small = summary(1);
        assert_eq!(
            super::super::result::parse::<MirrorSummary>(&small.to_termination_message()),
            MoverResult::Report(small)
        );
    }

    #[test]
    fn completed_passes_and_restore_tested_snapshots_count_as_verified() {
        let bucket = BackupSource {
            bucket: Some("arsip".into()),
            ..BackupSource::default()
        };
        let pvc = BackupSource {
            pvc: Some("data".into()),
            ..BackupSource::default()
        };
        let st = |phase, verification| BackupStatus {
            phase: Some(phase),
            verification,
            ..BackupStatus::default()
        };
        let v = Some(VerificationStatus::Verified);
        for (src, status, want) in [
            (&bucket, st(BackupPhase::Completed, None), true),
            (&bucket, st(BackupPhase::Failed, None), false),
            (&bucket, st(BackupPhase::InProgress, None), false),
            (&pvc, st(BackupPhase::Completed, None), false),
            (&pvc, st(BackupPhase::Completed, v), true),
            (
                &pvc,
                st(
                    BackupPhase::Completed,
                    Some(VerificationStatus::VerificationFailed),
                ),
                false,
            ),
        ] {
            assert_eq!(counts_as_verified(src, &status), want, "{src:?} {status:?}");
        }
    }

    #[test]
    fn bucket_statuses_keep_the_last_success_and_the_newest_outcome() {
        let src = |member: &str, bucket: Option<&str>, pvc: Option<&str>| SourceRef {
            tier: "t1".into(),
            member: member.into(),
            agency: "disdukcapil".into(),
            namespace: "disdukcapil".into(),
            pvc: pvc.map(str::to_string),
            bucket: bucket.map(str::to_string),
        };
        let sources = vec![
            src("svc", None, Some("data")),
            src("svc", Some("arsip"), None),
            src("svc", Some("pacs"), None),
        ];
        let rec = |bucket: &str, phase: BackupPhase, at: &str, copied: u64| PassRecord {
            member: "svc".into(),
            bucket: bucket.into(),
            phase: Some(phase),
            finished_at: Some(fixtures::time(at)),
            objects_copied: Some(copied),
            bytes_copied: Some(copied * 10),
            errors: if phase == BackupPhase::Completed {
                vec![]
            } else {
                vec!["1 key(s) failed".into()]
            },
        };
        let passes = vec![
            rec("arsip", BackupPhase::Completed, "2026-11-25T00:05:00Z", 7),
            rec("arsip", BackupPhase::Failed, "2026-11-25T00:20:00Z", 2),
            rec("arsip", BackupPhase::Completed, "2026-11-25T00:01:00Z", 9),
            PassRecord {
                phase: Some(BackupPhase::InProgress),
                finished_at: None,
                ..rec("arsip", BackupPhase::Completed, "2026-11-25T00:30:00Z", 0)
            },
        ];
        let out = bucket_statuses("t1", &sources, &passes);
        assert_eq!(out.len(), 2, "PVC sources are not buckets");
        let a = &out[0];
        assert_eq!(a.bucket, "arsip");
        assert_eq!(a.last_mirror, Some(fixtures::time("2026-11-25T00:05:00Z")));
        assert_eq!((a.objects_copied, a.bytes_copied), (Some(7), Some(70)));
        assert_eq!(a.last_phase.as_deref(), Some("Failed"));
        assert_eq!(a.errors, vec!["1 key(s) failed".to_string()]);
        let p = &out[1];
        assert_eq!(
            (
                p.bucket.as_str(),
                p.last_mirror.clone(),
                p.last_phase.clone()
            ),
            ("pacs", None, None)
        );
        assert!(bucket_statuses("t2", &sources, &passes).is_empty());
    }
}
