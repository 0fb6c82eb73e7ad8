//! The mover Job of a PVC backup, built as a pure function: `pusdata mover backup` on the PVC
//! mounted read-only, the repository credentials and key from Secrets (env and a file, never
//! on the command line), non-root with a read-only root filesystem, the rustic cache on an
//! emptyDir, resource requests and limits, and the JSON result written to the container's
//! termination message for the controller to read back.

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

/// Label: the agency.
pub const AGENCY_LABEL: &str = "pusdata.io/agency";
/// Label: the plan.
pub const PLAN_LABEL: &str = "pusdata.io/plan";
/// Label: the tier.
pub const TIER_LABEL: &str = "pusdata.io/tier";
/// Label: the `Backup` a Job or Pod runs; the controller finds the mover Pods by it.
pub const BACKUP_LABEL: &str = "pusdata.io/backup";
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
            image: "ghcr.io/pusdata/pusdata:latest".into(),
            cpu_request: "250m".into(),
            memory_request: "256Mi".into(),
            cpu_limit: "2".into(),
            memory_limit: "1Gi".into(),
            cache_size: "2Gi".into(),
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

fn secret_env(name: &str, secret: &str, key: &str) -> EnvVar {
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
    let s = input.settings;
    let agency = input.repository.agency.as_str();
    let labels: BTreeMap<String, String> = [
        ("app.kubernetes.io/name", "pusdata-mover"),
        ("app.kubernetes.io/managed-by", "pusdata"),
        (AGENCY_LABEL, agency),
        (PLAN_LABEL, b.spec.plan.as_str()),
        (TIER_LABEL, b.spec.tier.as_str()),
        (BACKUP_LABEL, name),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let mount = format!("{MOUNT_ROOT}/{pvc}");
    let args: Vec<String> = [
        "mover",
        "backup",
        "--repository",
        &repository_url(input.repository),
        "--password-file",
        &format!("{KEY_DIR}/password"),
        "--s3-region",
        &input.repository.s3.region,
        "--s3-path-style",
        if input.repository.s3.path_style {
            "true"
        } else {
            "false"
        },
        "--cache-dir",
        CACHE_DIR,
        "--path",
        &mount,
        "--tag",
        &tags(b, agency).join(","),
        "--host",
        "pusdata",
        "--result-file",
        RESULT_PATH,
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    let creds = &input.repository.s3.credentials.name;
    let (uid, gid) = match input.run_as {
        Some((u, g)) if u > 0 => (u, g.filter(|g| *g > 0).unwrap_or(u)),
        _ => (DEFAULT_UID, DEFAULT_UID),
    };
    let container = Container {
        name: CONTAINER.into(),
        image: Some(s.image.clone()),
        args: Some(args),
        env: Some(vec![
            secret_env("AWS_ACCESS_KEY_ID", creds, "AWS_ACCESS_KEY_ID"),
            secret_env("AWS_SECRET_ACCESS_KEY", creds, "AWS_SECRET_ACCESS_KEY"),
            EnvVar {
                name: "RUST_LOG".into(),
                value: Some("info".into()),
                ..EnvVar::default()
            },
        ]),
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
        volume_mounts: Some(vec![
            VolumeMount {
                name: "data".into(),
                mount_path: mount.clone(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
            VolumeMount {
                name: "key".into(),
                mount_path: KEY_DIR.into(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
            VolumeMount {
                name: "cache".into(),
                mount_path: CACHE_DIR.into(),
                ..VolumeMount::default()
            },
            VolumeMount {
                name: "tmp".into(),
                mount_path: "/tmp".into(),
                ..VolumeMount::default()
            },
        ]),
        ..Container::default()
    };
    let empty = |size: Option<&str>| EmptyDirVolumeSource {
        size_limit: size.map(q),
        ..EmptyDirVolumeSource::default()
    };
    let volumes = vec![
        Volume {
            name: "data".into(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: pvc.into(),
                read_only: Some(true),
            }),
            ..Volume::default()
        },
        Volume {
            name: "key".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(input.key.name.clone()),
                items: Some(vec![KeyToPath {
                    key: input.key.key.clone(),
                    path: "password".into(),
                    mode: Some(0o400),
                }]),
                default_mode: Some(0o400),
                optional: Some(false),
            }),
            ..Volume::default()
        },
        Volume {
            name: "cache".into(),
            empty_dir: Some(empty(Some(&s.cache_size))),
            ..Volume::default()
        },
        Volume {
            name: "tmp".into(),
            empty_dir: Some(empty(Some("64Mi"))),
            ..Volume::default()
        },
    ];
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
    Ok(Job {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(namespace.into()),
            labels: Some(labels.clone()),
            owner_references: Some(vec![input.owner.clone()]),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(s.backoff_limit),
            ttl_seconds_after_finished: Some(s.ttl_seconds_after_finished),
            active_deadline_seconds: Some(s.active_deadline_seconds),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    volumes: Some(volumes),
                    restart_policy: Some("Never".into()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    affinity,
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(uid),
                        run_as_group: Some(gid),
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
}
