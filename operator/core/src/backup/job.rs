//! The mover Job of a PVC backup, built as a pure function: `pusdata mover backup` on the PVC
//! mounted read-only, the repository credentials and key from Secrets (env and a file, never
//! on the command line), non-root with a read-only root filesystem, the rustic cache on an
//! emptyDir, resource requests and limits, and the JSON result written to the container's
//! termination message for the controller to read back. The restore-test Job
//! ([`verify_job`]: `pusdata mover verify` into a scratch emptyDir) is built from the same
//! pieces. Both pass the repository's bandwidth limits to the mover.

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, Container, EmptyDirVolumeSource, EnvVar, EnvVarSource, KeyToPath,
    NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PersistentVolumeClaimVolumeSource, PodSecurityContext, PodSpec, PodTemplateSpec,
    ResourceRequirements, SeccompProfile, SecretKeySelector, SecretVolumeSource, SecurityContext,
    Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use pusdata_crds::v1alpha1::{Backup, BackupRepositorySpec, SecretKeyRef};
use std::collections::BTreeMap;

/// Labels of a mover Job and its Pod; the controller finds the mover Pods by `BACKUP_LABEL`.
pub use crate::labels::{AGENCY_LABEL, BACKUP_LABEL, PLAN_LABEL, TIER_LABEL};
/// The mover container's name.
pub const CONTAINER: &str = "mover";
/// Where the mover writes its JSON result (the kubelet's default termination message path).
pub const RESULT_PATH: &str = "/dev/termination-log";
/// Where the PVC is mounted (`<MOUNT_ROOT>/<pvc>`): the snapshot's path, stable across runs.
pub const MOUNT_ROOT: &str = "/data";
/// Where the repository key file is mounted.
pub const KEY_DIR: &str = "/var/run/pusdata/key";
/// Where the rustic cache lives.
pub const CACHE_DIR: &str = "/cache";
/// The user the mover runs as unless the workload's own user is known.
pub const DEFAULT_UID: i64 = 65_532;

/// The image of every Pusdata process and Job when nothing names one: this build's own
/// version, never a moving tag. The chart passes its `image` value (`--mover-image`), so a
/// Job runs exactly the image of the operator that created it.
pub const DEFAULT_IMAGE: &str = concat!("ghcr.io/pusdata/pusdata:", env!("CARGO_PKG_VERSION"));

/// Settings of mover Jobs (operator flags / chart values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoverSettings {
    /// The operator image (it contains `pusdata mover`).
    pub image: String,
    /// CPU request.
    pub cpu_request: String,
    /// Memory request.
    pub memory_request: String,
    /// CPU limit.
    pub cpu_limit: String,
    /// Memory limit (the mover peaks at ~190 MiB restoring 1 GiB; docs/benchmarks.md).
    pub memory_limit: String,
    /// Size limit of the cache emptyDir.
    pub cache_size: String,
    /// Size limit of the restore-test scratch emptyDir (the largest snapshot tested).
    pub scratch_size: String,
    /// Pod retries before the Job fails.
    pub backoff_limit: i32,
    /// Seconds a finished Job stays for inspection.
    pub ttl_seconds_after_finished: i32,
    /// Longest a run may take.
    pub active_deadline_seconds: i64,
}

impl Default for MoverSettings {
    fn default() -> Self {
        MoverSettings {
            image: DEFAULT_IMAGE.into(),
            cpu_request: "250m".into(),
            memory_request: "256Mi".into(),
            cpu_limit: "2".into(),
            memory_limit: "1Gi".into(),
            cache_size: "2Gi".into(),
            scratch_size: "20Gi".into(),
            backoff_limit: 2,
            ttl_seconds_after_finished: 86_400,
            active_deadline_seconds: 6 * 3600,
        }
    }
}

/// Everything the Job is built from, as read by the controller.
#[derive(Clone, Debug)]
pub struct MoverJobInput<'a> {
    /// The run.
    pub backup: &'a Backup,
    /// Its repository.
    pub repository: &'a BackupRepositorySpec,
    /// The repository key (the repository's, else the agency's).
    pub key: &'a SecretKeyRef,
    /// The owner reference to the `Backup`.
    pub owner: OwnerReference,
    /// The node of the running workload pod that mounts the PVC (a ReadWriteOnce volume can
    /// only be mounted there).
    pub node: Option<String>,
    /// The workload's user and group, so the mover can read its files.
    pub run_as: Option<(i64, Option<i64>)>,
    /// Settings.
    pub settings: &'a MoverSettings,
}

/// Why no Job can be built.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// The source is not a PVC.
    #[error(
        "spec.source: only PVC sources run as mover Jobs; buckets are mirrored by `pusdata mirror`"
    )]
    NotAPvc,
    /// No name or namespace.
    #[error("metadata: the Backup has no name or namespace")]
    NoName,
}

/// The repository URL the mover takes (`s3:<endpoint>/<bucket>[/<prefix>]`).
pub fn repository_url(repo: &BackupRepositorySpec) -> String {
    let endpoint = repo.s3.endpoint.trim_end_matches('/');
    let prefix = repo.s3.prefix.trim_matches('/');
    if prefix.is_empty() {
        format!("s3:{endpoint}/{}", repo.s3.bucket)
    } else {
        format!("s3:{endpoint}/{}/{prefix}", repo.s3.bucket)
    }
}

/// The snapshot tags of a run (agency, namespace, pvc, plan, tier), sorted.
pub fn tags(backup: &Backup, agency: &str) -> Vec<String> {
    let mut t = vec![
        format!("agency={agency}"),
        format!(
            "namespace={}",
            backup.metadata.namespace.as_deref().unwrap_or_default()
        ),
        format!(
            "pvc={}",
            backup.spec.source.pvc.as_deref().unwrap_or_default()
        ),
        format!("plan={}", backup.spec.plan),
        format!("tier={}", backup.spec.tier),
    ];
    t.sort();
    t
}

fn q(s: &str) -> Quantity {
    Quantity(s.to_string())
}

pub(crate) fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret.into(),
                key: key.into(),
                optional: Some(false),
            }),
            ..EnvVarSource::default()
        }),
        ..EnvVar::default()
    }
}

/// The labels of a mover Job and its Pods; `run` is the Job's name, by which the controller
/// finds its Pods ([`BACKUP_LABEL`]).
pub(crate) fn labels(agency: &str, b: &Backup, run: &str) -> BTreeMap<String, String> {
    [
        ("app.kubernetes.io/name", "pusdata-mover"),
        ("app.kubernetes.io/managed-by", "pusdata"),
        (AGENCY_LABEL, agency),
        (PLAN_LABEL, b.spec.plan.as_str()),
        (TIER_LABEL, b.spec.tier.as_str()),
        (BACKUP_LABEL, run),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// `mover <verb>` and how to open the repository: URL, key file, S3 addressing, cache, the
/// result file, and the repository's bandwidth limits (the DRC link, `spec.*LimitBytesPerSecond`).
pub(crate) fn repository_args(verb: &str, repo: &BackupRepositorySpec) -> Vec<String> {
    let mut args: Vec<String> = [
        "mover",
        verb,
        "--repository",
        &repository_url(repo),
        "--password-file",
        &format!("{KEY_DIR}/password"),
        "--s3-region",
        &repo.s3.region,
        "--s3-path-style",
        if repo.s3.path_style { "true" } else { "false" },
        "--cache-dir",
        CACHE_DIR,
        "--result-file",
        RESULT_PATH,
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    // The mover refuses a zero limit; zero means none here.
    for (flag, limit) in [
        ("--limit-upload", repo.upload_limit_bytes_per_second),
        ("--limit-download", repo.download_limit_bytes_per_second),
    ] {
        if let Some(n) = limit.filter(|n| *n > 0) {
            args.push(flag.into());
            args.push(n.to_string());
        }
    }
    args
}

/// What differs between mover Jobs; everything else (Secrets, hardening, resources, cache,
/// result path) is the same for all of them and is built once, in [`assemble`].
pub(crate) struct Frame<'a> {
    pub(crate) name: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) owner: OwnerReference,
    pub(crate) repository: &'a BackupRepositorySpec,
    pub(crate) key: &'a SecretKeyRef,
    pub(crate) settings: &'a MoverSettings,
    pub(crate) args: Vec<String>,
    /// Volumes of this kind of Job only, with their mounts.
    pub(crate) extra: Vec<(Volume, VolumeMount)>,
    pub(crate) affinity: Option<Affinity>,
    pub(crate) uid: i64,
    pub(crate) gid: i64,
}

pub(crate) fn empty_dir(name: &str, size: &str) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource {
            size_limit: Some(q(size)),
            ..EmptyDirVolumeSource::default()
        }),
        ..Volume::default()
    }
}

pub(crate) fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: read_only.then_some(true),
        ..VolumeMount::default()
    }
}

pub(crate) fn assemble(f: Frame<'_>) -> Job {
    let creds = &f.repository.s3.credentials.name;
    let (mut volumes, mut mounts): (Vec<Volume>, Vec<VolumeMount>) = f.extra.into_iter().unzip();
    mounts.extend([
        mount("key", KEY_DIR, true),
        mount("cache", CACHE_DIR, false),
        mount("tmp", "/tmp", false),
    ]);
    volumes.extend([
        Volume {
            name: "key".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(f.key.name.clone()),
                items: Some(vec![KeyToPath {
                    key: f.key.key.clone(),
                    path: "password".into(),
                    mode: Some(0o400),
                }]),
                default_mode: Some(0o400),
                optional: Some(false),
            }),
            ..Volume::default()
        },
        empty_dir("cache", &f.settings.cache_size),
        empty_dir("tmp", "64Mi"),
    ]);
    hardened_job(Parts {
        name: f.name,
        namespace: f.namespace,
        labels: f.labels,
        owner: f.owner,
        settings: f.settings,
        args: f.args,
        env: vec![
            secret_env("AWS_ACCESS_KEY_ID", creds, "AWS_ACCESS_KEY_ID"),
            secret_env("AWS_SECRET_ACCESS_KEY", creds, "AWS_SECRET_ACCESS_KEY"),
        ],
        volumes,
        mounts,
        affinity: f.affinity,
        uid: f.uid,
        gid: f.gid,
    })
}

/// The pieces of a Job run from the Pusdata image ([`hardened_job`]).
pub(crate) struct Parts<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub labels: BTreeMap<String, String>,
    pub owner: OwnerReference,
    pub settings: &'a MoverSettings,
    pub args: Vec<String>,
    /// Environment (Secrets by reference); `RUST_LOG` is added.
    pub env: Vec<EnvVar>,
    pub volumes: Vec<Volume>,
    pub mounts: Vec<VolumeMount>,
    pub affinity: Option<Affinity>,
    pub uid: i64,
    pub gid: i64,
}

/// A Job of one Pusdata container, the same for every kind of run: non-root with a
/// read-only root filesystem and no capabilities, no service account token, resource
/// requests and limits, retries, deadline and TTL from the settings, and the JSON result in
/// the termination message ([`RESULT_PATH`]).
pub(crate) fn hardened_job(p: Parts<'_>) -> Job {
    let s = p.settings;
    let mut env = p.env;
    env.push(EnvVar {
        name: "RUST_LOG".into(),
        value: Some("info".into()),
        ..EnvVar::default()
    });
    // glibc gives every thread that allocates its own arena and keeps freed chunks in them;
    // measured on a 1 GiB restore, peak RSS fell from 200 to 165 MB with two arenas
    // (docs/benchmarks.md). The mover's threads do not contend on the allocator.
    env.push(EnvVar {
        name: "MALLOC_ARENA_MAX".into(),
        value: Some("2".into()),
        ..EnvVar::default()
    });
    let container = Container {
        name: CONTAINER.into(),
        image: Some(s.image.clone()),
        args: Some(p.args),
        env: Some(env),
        resources: Some(ResourceRequirements {
            requests: Some(
                [
                    ("cpu".to_string(), q(&s.cpu_request)),
                    ("memory".to_string(), q(&s.memory_request)),
                ]
                .into(),
            ),
            limits: Some(
                [
                    ("cpu".to_string(), q(&s.cpu_limit)),
                    ("memory".to_string(), q(&s.memory_limit)),
                ]
                .into(),
            ),
            ..ResourceRequirements::default()
        }),
        security_context: Some(SecurityContext {
            run_as_non_root: Some(true),
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            capabilities: Some(Capabilities {
                drop: Some(vec!["ALL".into()]),
                add: None,
            }),
            ..SecurityContext::default()
        }),
        termination_message_path: Some(RESULT_PATH.into()),
        termination_message_policy: Some("File".into()),
        volume_mounts: Some(p.mounts),
        ..Container::default()
    };
    Job {
        metadata: ObjectMeta {
            name: Some(p.name.into()),
            namespace: Some(p.namespace.into()),
            labels: Some(p.labels.clone()),
            owner_references: Some(vec![p.owner]),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(s.backoff_limit),
            ttl_seconds_after_finished: Some(s.ttl_seconds_after_finished),
            active_deadline_seconds: Some(s.active_deadline_seconds),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(p.labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    volumes: Some(p.volumes),
                    restart_policy: Some("Never".into()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    affinity: p.affinity,
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(p.uid),
                        run_as_group: Some(p.gid),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".into(),
                            localhost_profile: None,
                        }),
                        ..PodSecurityContext::default()
                    }),
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        status: None,
    }
}

/// The user and group a mover runs as for a workload's `(runAsUser, runAsGroup)`: the
/// workload's when it names a non-root user (the group defaults to the user), none (the
/// mover's own) otherwise. Backups read files as it; restores of the snapshot write as it.
pub fn mover_ids(run_as: Option<(i64, Option<i64>)>) -> Option<(i64, i64)> {
    match run_as {
        Some((u, g)) if u > 0 => Some((u, g.filter(|g| *g > 0).unwrap_or(u))),
        _ => None,
    }
}

/// The host name a PVC's snapshots record: `<pvc>.<namespace>.<agency>`, stable across
/// runs and distinct for every PVC the agency's repository holds.
pub fn snapshot_host(pvc: &str, namespace: &str, agency: &str) -> String {
    format!("{pvc}.{namespace}.{agency}")
}

/// Builds the mover Job of a PVC backup. The Job has the Backup's name (at most 63
/// characters, `dr::due::run_name`), so creating it twice is harmless.
pub fn mover_job(input: &MoverJobInput<'_>) -> Result<Job, JobError> {
    let b = input.backup;
    let pvc = b.spec.source.pvc.as_deref().ok_or(JobError::NotAPvc)?;
    let (Some(name), Some(namespace)) =
        (b.metadata.name.as_deref(), b.metadata.namespace.as_deref())
    else {
        return Err(JobError::NoName);
    };
    let agency = input.repository.agency.as_str();
    let path = format!("{MOUNT_ROOT}/{pvc}");
    // The snapshot's host is the PVC's identity: a mover pod's name changes every run, and
    // restic and Pusdata pick the parent by host and path.
    let host = snapshot_host(pvc, namespace, agency);
    let mut args = repository_args("backup", input.repository);
    args.extend(
        [
            "--path",
            &path,
            "--tag",
            &tags(b, agency).join(","),
            "--host",
            &host,
        ]
        .map(str::to_string),
    );
    let (uid, gid) = mover_ids(input.run_as).unwrap_or((DEFAULT_UID, DEFAULT_UID));
    let data = Volume {
        name: "data".into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: pvc.into(),
            read_only: Some(true),
        }),
        ..Volume::default()
    };
    let affinity = input.node.as_ref().map(|node| Affinity {
        node_affinity: Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(vec![NodeSelectorRequirement {
                        key: "kubernetes.io/hostname".into(),
                        operator: "In".into(),
                        values: Some(vec![node.clone()]),
                    }]),
                    match_fields: None,
                }],
            }),
            ..NodeAffinity::default()
        }),
        ..Affinity::default()
    });
    Ok(assemble(Frame {
        name,
        namespace,
        labels: labels(agency, b, name),
        owner: input.owner.clone(),
        repository: input.repository,
        key: input.key,
        settings: input.settings,
        args,
        extra: vec![(data, mount("data", &path, true))],
        affinity,
        uid,
        gid,
    }))
}

/// Where the verify Job restores the snapshot (an emptyDir of `MoverSettings::scratch_size`).
pub const SCRATCH_DIR: &str = "/scratch";

/// Everything the restore-test Job of a Backup's snapshot is built from.
#[derive(Clone, Debug)]
pub struct VerifyJobInput<'a> {
    /// The completed run whose snapshot is tested.
    pub backup: &'a Backup,
    /// The snapshot (the run's `status.snapshotId`).
    pub snapshot_id: &'a str,
    /// Its repository.
    pub repository: &'a BackupRepositorySpec,
    /// The repository key.
    pub key: &'a SecretKeyRef,
    /// The owner reference to the `Backup`.
    pub owner: OwnerReference,
    /// Settings.
    pub settings: &'a MoverSettings,
}

/// The name of the restore-test Job of a Backup: `<backup>-verify`, shortened with a hash
/// of the full name when that would pass 63 characters (Job names become label values).
pub fn verify_job_name(backup: &str) -> String {
    suffixed_name(backup, "-verify")
}

/// `<base><suffix>`, shortened with a hash of the full base when that would pass 63
/// characters (Job names become label values); stable and distinct per base.
pub fn suffixed_name(base: &str, suffix: &str) -> String {
    if base.len() + suffix.len() <= 63 {
        return format!("{base}{suffix}");
    }
    let hash = format!("{:06x}", crate::hash::fnv1a(base) & 0xff_ffff);
    let mut keep = 63usize.saturating_sub(suffix.len() + hash.len() + 1);
    while !base.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}-{hash}{suffix}", base[..keep].trim_end_matches('-'))
}

/// Builds the restore-test Job of a Backup's snapshot: `pusdata mover verify` restores the
/// snapshot into a size-limited emptyDir and hashes every file against the snapshot's tree.
/// No PVC is mounted; the Secrets, hardening and resources are those of [`mover_job`].
pub fn verify_job(input: &VerifyJobInput<'_>) -> Result<Job, JobError> {
    let b = input.backup;
    let (Some(backup), Some(namespace)) =
        (b.metadata.name.as_deref(), b.metadata.namespace.as_deref())
    else {
        return Err(JobError::NoName);
    };
    let name = verify_job_name(backup);
    let mut args = repository_args("verify", input.repository);
    args.extend(["--snapshot", input.snapshot_id, "--scratch", SCRATCH_DIR].map(str::to_string));
    Ok(assemble(Frame {
        name: &name,
        namespace,
        labels: labels(input.repository.agency.as_str(), b, &name),
        owner: input.owner.clone(),
        repository: input.repository,
        key: input.key,
        settings: input.settings,
        args,
        extra: vec![(
            empty_dir("scratch", &input.settings.scratch_size),
            mount("scratch", SCRATCH_DIR, false),
        )],
        affinity: None,
        uid: DEFAULT_UID,
        gid: DEFAULT_UID,
    }))
}

/// Everything the retention Job of a tier in a repository is built from.
#[derive(Clone, Debug)]
pub struct RetentionJobInput<'a> {
    /// The Job's name (`retention::run::job_name`).
    pub name: &'a str,
    /// Where it runs (`retention::run::Target::namespace`).
    pub namespace: &'a str,
    /// The plan.
    pub plan: &'a str,
    /// The tier (its retention policy).
    pub tier: &'a pusdata_crds::v1alpha1::Tier,
    /// The repository's name (a label) and spec.
    pub repository_name: &'a str,
    /// The repository.
    pub repository: &'a BackupRepositorySpec,
    /// The repository key.
    pub key: &'a SecretKeyRef,
    /// Verified snapshot ids (`--verified`, so `minVerified` holds).
    pub verified: &'a [String],
    /// The owner reference (the plan).
    pub owner: OwnerReference,
    /// Settings.
    pub settings: &'a MoverSettings,
}

/// Builds the retention Job: `pusdata mover forget --prune` with the tier's retention, the
/// plan/tier/agency tags and the verified snapshot ids, under the mover's exclusive
/// repository lock. No PVC is mounted; Secrets, hardening and resources are those of
/// [`mover_job`].
pub fn retention_job(input: &RetentionJobInput<'_>) -> Job {
    let r = &input.tier.retention;
    let agency = input.repository.agency.as_str();
    let mut args = repository_args("forget", input.repository);
    let tags = [
        format!("agency={agency}"),
        format!("plan={}", input.plan),
        format!("tier={}", input.tier.name),
    ];
    for t in tags {
        args.extend(["--tag".to_string(), t]);
    }
    for (flag, n) in [
        ("--keep-last", r.keep_last),
        ("--keep-hourly", r.keep_hourly),
        ("--keep-daily", r.keep_daily),
        ("--keep-weekly", r.keep_weekly),
        ("--keep-monthly", r.keep_monthly),
        ("--keep-yearly", r.keep_yearly),
    ] {
        if let Some(n) = n {
            args.extend([flag.to_string(), n.to_string()]);
        }
    }
    args.extend(["--min-verified".to_string(), r.min_verified.to_string()]);
    for id in input.verified {
        args.extend(["--verified".to_string(), id.clone()]);
    }
    args.push("--prune".into());
    let labels: BTreeMap<String, String> = [
        ("app.kubernetes.io/name", "pusdata-mover"),
        ("app.kubernetes.io/managed-by", "pusdata"),
        (AGENCY_LABEL, agency),
        (PLAN_LABEL, input.plan),
        (TIER_LABEL, input.tier.name.as_str()),
        (BACKUP_LABEL, input.name),
        (crate::labels::REPOSITORY_LABEL, input.repository_name),
        (
            crate::labels::MAINTENANCE_LABEL,
            crate::labels::MAINTENANCE_RETENTION,
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assemble(Frame {
        name: input.name,
        namespace: input.namespace,
        labels,
        owner: input.owner.clone(),
        repository: input.repository,
        key: input.key,
        settings: input.settings,
        args,
        extra: vec![],
        affinity: None,
        uid: DEFAULT_UID,
        gid: DEFAULT_UID,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;

    fn owner() -> OwnerReference {
        OwnerReference {
            api_version: "pusdata.io/v1alpha1".into(),
            kind: "Backup".into(),
            name: "siak-data-20261101-000000".into(),
            uid: "u-1".into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }

    fn build(run_as: Option<(i64, Option<i64>)>, node: Option<&str>) -> Job {
        let b = fixtures::backup("disdukcapil", "siak-data");
        let repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
        let key = SecretKeyRef {
            name: "disdukcapil-repo-key".into(),
            namespace: None,
            key: "password".into(),
        };
        mover_job(&MoverJobInput {
            backup: &b,
            repository: &repo.spec,
            key: &key,
            owner: owner(),
            node: node.map(str::to_string),
            run_as,
            settings: &MoverSettings::default(),
        })
        .unwrap()
    }

    #[test]
    fn the_job_runs_the_mover_on_the_pvc_read_only_without_secrets_in_its_args() {
        let job = build(None, None);
        assert_eq!(
            job.metadata.name.as_deref(),
            Some("siak-data-20261101-000000")
        );
        assert_eq!(
            job.metadata.owner_references.as_ref().unwrap()[0].kind,
            "Backup"
        );
        let labels = job.metadata.labels.as_ref().unwrap();
        assert_eq!(labels[AGENCY_LABEL], "disdukcapil");
        assert_eq!(labels[PLAN_LABEL], "bekasi");
        assert_eq!(labels[TIER_LABEL], "tier-1-critical");
        let spec = job.spec.as_ref().unwrap();
        assert_eq!(spec.backoff_limit, Some(2));
        assert!(spec.ttl_seconds_after_finished.is_some());
        let pod = spec.template.spec.as_ref().unwrap();
        assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
        assert_eq!(pod.automount_service_account_token, Some(false));
        let c = &pod.containers[0];
        let args = c.args.as_ref().unwrap().join(" ");
        assert!(args.starts_with("mover backup --repository s3:https://s3.drc.bekasikota.go.id/pusdata-backups/restic/disdukcapil"), "{args}");
        assert!(args.contains("--path /data/siak-data"));
        // The PVC's identity as the snapshot's host (restic's parent rule: host + paths).
        assert!(
            args.contains("--host siak-data.disdukcapil.disdukcapil"),
            "{args}"
        );
        assert!(args.contains("--result-file /dev/termination-log"));
        assert!(args.contains("--cache-dir /cache"));
        assert!(args.contains("--tag agency=disdukcapil,namespace=disdukcapil,plan=bekasi,pvc=siak-data,tier=tier-1-critical"), "{args}");
        // Secrets only by reference: env from the credentials Secret, key as a 0400 file.
        let env = c.env.as_ref().unwrap();
        for e in env.iter().filter(|e| e.name.starts_with("AWS_")) {
            assert!(e.value.is_none());
            assert_eq!(
                e.value_from
                    .as_ref()
                    .unwrap()
                    .secret_key_ref
                    .as_ref()
                    .unwrap()
                    .name,
                "drc-s3"
            );
        }
        let vols = pod.volumes.as_ref().unwrap();
        let data = vols.iter().find(|v| v.name == "data").unwrap();
        assert_eq!(
            data.persistent_volume_claim.as_ref().unwrap().read_only,
            Some(true)
        );
        let key = vols
            .iter()
            .find(|v| v.name == "key")
            .unwrap()
            .secret
            .as_ref()
            .unwrap();
        assert_eq!(key.secret_name.as_deref(), Some("disdukcapil-repo-key"));
        assert_eq!(key.items.as_ref().unwrap()[0].mode, Some(0o400));
        assert!(
            vols.iter()
                .find(|v| v.name == "cache")
                .unwrap()
                .empty_dir
                .is_some()
        );
        let mounts = c.volume_mounts.as_ref().unwrap();
        assert_eq!(
            mounts.iter().find(|m| m.name == "data").unwrap().read_only,
            Some(true)
        );
        // Hardened.
        let sc = c.security_context.as_ref().unwrap();
        assert_eq!(sc.read_only_root_filesystem, Some(true));
        assert_eq!(sc.allow_privilege_escalation, Some(false));
        assert_eq!(sc.run_as_non_root, Some(true));
        let psc = pod.security_context.as_ref().unwrap();
        assert_eq!(psc.run_as_user, Some(DEFAULT_UID));
        let res = c.resources.as_ref().unwrap();
        assert!(res.limits.as_ref().unwrap().contains_key("memory"));
        assert!(res.requests.as_ref().unwrap().contains_key("cpu"));
        assert_eq!(c.termination_message_path.as_deref(), Some(RESULT_PATH));
        assert!(pod.affinity.is_none());
    }

    #[test]
    fn the_workloads_user_and_node_are_followed_but_never_root() {
        let job = build(Some((999, Some(998))), Some("node-3"));
        let pod = job.spec.unwrap().template.spec.unwrap();
        let psc = pod.security_context.unwrap();
        assert_eq!((psc.run_as_user, psc.run_as_group), (Some(999), Some(998)));
        let text = serde_json::to_string(&pod.affinity).unwrap();
        assert!(text.contains("node-3"));
        let root = build(Some((0, None)), None);
        let psc = root
            .spec
            .unwrap()
            .template
            .spec
            .unwrap()
            .security_context
            .unwrap();
        assert_eq!(psc.run_as_user, Some(DEFAULT_UID));
    }

    /// Every container of every Job kind built here (backup, verify, retention; restore and
    /// mirror share [`assemble`] / [`hardened_job`]) names exactly the configured image.
    #[test]
    fn every_job_runs_the_configured_image_and_the_default_is_pinned() {
        assert!(!DEFAULT_IMAGE.ends_with(":latest"), "{DEFAULT_IMAGE}");
        assert_eq!(MoverSettings::default().image, DEFAULT_IMAGE);
        let settings = MoverSettings {
            image: "registry.example.id/pusdata@sha256:0123".into(),
            ..MoverSettings::default()
        };
        let b = fixtures::backup("disdukcapil", "siak-data");
        let repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
        let key = SecretKeyRef::default();
        let backup = mover_job(&MoverJobInput {
            backup: &b,
            repository: &repo.spec,
            key: &key,
            owner: owner(),
            node: None,
            run_as: None,
            settings: &settings,
        })
        .unwrap();
        let verify = verify_job(&VerifyJobInput {
            backup: &b,
            snapshot_id: "abc",
            repository: &repo.spec,
            key: &key,
            owner: owner(),
            settings: &settings,
        })
        .unwrap();
        for job in [&backup, &verify] {
            let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
            let images: Vec<_> = pod
                .containers
                .iter()
                .chain(pod.init_containers.iter().flatten())
                .map(|c| c.image.clone())
                .collect();
            assert!(!images.is_empty());
            assert!(
                images
                    .iter()
                    .all(|i| i.as_deref() == Some(settings.image.as_str())),
                "{images:?}"
            );
        }
    }

    #[test]
    fn bucket_sources_are_not_mover_jobs() {
        let mut b = fixtures::backup("disdukcapil", "x");
        b.spec.source.pvc = None;
        b.spec.source.bucket = Some("arsip".into());
        let repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
        let key = SecretKeyRef::default();
        let err = mover_job(&MoverJobInput {
            backup: &b,
            repository: &repo.spec,
            key: &key,
            owner: owner(),
            node: None,
            run_as: None,
            settings: &MoverSettings::default(),
        })
        .unwrap_err();
        assert_eq!(err, JobError::NotAPvc);
        assert_eq!(
            repository_url(&BackupRepositorySpec {
                s3: pusdata_crds::v1alpha1::S3Location {
                    endpoint: "http://h:9/".into(),
                    bucket: "b".into(),
                    ..Default::default()
                },
                ..Default::default()
            }),
            "s3:http://h:9/b"
        );
    }

    fn args_of(job: &Job) -> Vec<String> {
        job.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
            .args
            .clone()
            .unwrap()
    }

    /// The value after `flag`, if the flag is there.
    fn flag<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
        args.iter()
            .position(|a| a == flag)
            .map(|i| args[i + 1].as_str())
    }

    #[test]
    fn the_repositorys_bandwidth_limits_reach_both_jobs() {
        let b = fixtures::backup("disdukcapil", "siak-data");
        let key = SecretKeyRef::default();
        // (upload, download) in the repository spec → (--limit-upload, --limit-download).
        type Limits = (Option<u64>, Option<u64>);
        type Flags<'a> = (Option<&'a str>, Option<&'a str>);
        let cases: &[(Limits, Flags<'_>)] = &[
            ((None, None), (None, None)),
            ((Some(12_500_000), None), (Some("12500000"), None)),
            ((None, Some(1_048_576)), (None, Some("1048576"))),
            ((Some(1), Some(2)), (Some("1"), Some("2"))),
            // Zero is "no limit", never a flag the mover would refuse.
            ((Some(0), Some(0)), (None, None)),
        ];
        for (i, ((up, down), (want_up, want_down))) in cases.iter().enumerate() {
            let mut repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
            repo.spec.upload_limit_bytes_per_second = *up;
            repo.spec.download_limit_bytes_per_second = *down;
            let backup = mover_job(&MoverJobInput {
                backup: &b,
                repository: &repo.spec,
                key: &key,
                owner: owner(),
                node: None,
                run_as: None,
                settings: &MoverSettings::default(),
            })
            .unwrap();
            let verify = verify_job(&VerifyJobInput {
                backup: &b,
                snapshot_id: "abc",
                repository: &repo.spec,
                key: &key,
                owner: owner(),
                settings: &MoverSettings::default(),
            })
            .unwrap();
            for job in [&backup, &verify] {
                let args = args_of(job);
                assert_eq!(
                    flag(&args, "--limit-upload"),
                    *want_up,
                    "case {i}: {args:?}"
                );
                assert_eq!(
                    flag(&args, "--limit-download"),
                    *want_down,
                    "case {i}: {args:?}"
                );
            }
        }
    }

    #[test]
    fn the_verify_job_restores_into_scratch_without_the_pvc_and_as_hardened() {
        let b = fixtures::backup("disdukcapil", "siak-data");
        let repo = fixtures::backup_repository("disdukcapil", "drc-bandung");
        let key = SecretKeyRef {
            name: "disdukcapil-repo-key".into(),
            namespace: None,
            key: "password".into(),
        };
        let settings = MoverSettings::default();
        let job = verify_job(&VerifyJobInput {
            backup: &b,
            snapshot_id: "0123abcd",
            repository: &repo.spec,
            key: &key,
            owner: owner(),
            settings: &settings,
        })
        .unwrap();
        let name = "siak-data-20261101-000000-verify";
        assert_eq!(job.metadata.name.as_deref(), Some(name));
        assert_eq!(job.metadata.labels.as_ref().unwrap()[BACKUP_LABEL], name);
        assert_eq!(
            job.metadata.owner_references.as_ref().unwrap()[0].kind,
            "Backup"
        );
        let args = args_of(&job);
        assert_eq!(&args[..2], ["mover", "verify"]);
        assert_eq!(flag(&args, "--snapshot"), Some("0123abcd"));
        assert_eq!(flag(&args, "--scratch"), Some(SCRATCH_DIR));
        assert_eq!(flag(&args, "--result-file"), Some(RESULT_PATH));
        assert_eq!(
            flag(&args, "--password-file"),
            Some("/var/run/pusdata/key/password")
        );
        assert!(flag(&args, "--path").is_none());
        let pod = job.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
        let vols = pod.volumes.as_ref().unwrap();
        assert!(vols.iter().all(|v| v.persistent_volume_claim.is_none()));
        let scratch = vols.iter().find(|v| v.name == "scratch").unwrap();
        assert_eq!(
            scratch.empty_dir.as_ref().unwrap().size_limit,
            Some(Quantity(settings.scratch_size.clone()))
        );
        assert!(pod.affinity.is_none());
        // The same Secrets, hardening and resources as the backup Job: only the args, the
        // PVC/scratch volume and the run's user and node differ.
        let backup = mover_job(&MoverJobInput {
            backup: &b,
            repository: &repo.spec,
            key: &key,
            owner: owner(),
            node: None,
            run_as: None,
            settings: &settings,
        })
        .unwrap();
        let bpod = backup
            .spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap();
        let (c, bc) = (&pod.containers[0], &bpod.containers[0]);
        assert_eq!(c.env, bc.env);
        assert_eq!(c.security_context, bc.security_context);
        assert_eq!(c.resources, bc.resources);
        assert_eq!(c.termination_message_path, bc.termination_message_path);
        assert_eq!(pod.security_context, bpod.security_context);
        assert_eq!(pod.automount_service_account_token, Some(false));
        let others = |p: &PodSpec, skip: &str| -> Vec<Volume> {
            p.volumes
                .clone()
                .unwrap()
                .into_iter()
                .filter(|v| v.name != skip)
                .collect()
        };
        assert_eq!(others(pod, "scratch"), others(bpod, "data"));
    }

    #[test]
    fn verify_job_names_fit_63_characters_and_stay_distinct() {
        assert_eq!(verify_job_name("a-1"), "a-1-verify");
        let long_a = format!("{}-20261101-000000", "x".repeat(46));
        let long_b = format!("{}-20261101-010000", "x".repeat(46));
        let (a, b) = (verify_job_name(&long_a), verify_job_name(&long_b));
        assert!(a.len() <= 63 && b.len() <= 63, "{a} {b}");
        assert!(a.ends_with("-verify"));
        assert_ne!(a, b);
        assert_eq!(a, verify_job_name(&long_a), "stable");
    }
}
