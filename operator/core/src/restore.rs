//! Restore runs (issue #6; design.md "Data path": "Restore is the reverse, at the DRC site,
//! into a new PVC"): which snapshot a `Restore` reads, whether it may run at all (the
//! repository's agency, SEC-CIA; the fencing epoch), the PVC it creates and the mover Job
//! that fills it, and the status that follows from what the Job reports.
//!
//! The Restore controller reads the world, calls [`admit`] and [`next`], and applies what
//! they return; nothing here talks to the API.
//!
//! Rules:
//! - The repository must belong to the agency that owns the Restore's namespace, and the
//!   source tags must name that same agency: a Restore in agency A's namespace never opens
//!   agency B's repository or key (SEC-CIA).
//! - A Restore stamped with an epoch older than the newest fencing epoch the site knows is
//!   refused ([`crate::fence`]): whoever ordered it has been fenced off.
//! - The target PVC is created by the Restore (owned by it); an existing PVC that the
//!   Restore did not create is never written to.
//! - The mover Job runs once (`backoffLimit: 0`): a restore is never retried into a PVC a
//!   failed attempt has half filled. A finished Restore is never run again.

use crate::backup::job::{
    self as mover_job, AGENCY_LABEL, DEFAULT_UID, Frame, MoverSettings, assemble, mount,
    repository_args,
};
use crate::backup::result::{MoverResult, Observed, VerifyReport};
use crate::conditions::{self, Desired};
use crate::fence::{self, FenceState, Kind, Verdict};
use crate::tenancy;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, Volume,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use pusdata_crds::v1alpha1::{
    Agency, Backup, BackupPhase, BackupRepository, RepositoryPhase, Restore, RestorePhase,
    RestoreSpec, RestoreStatus, SecretKeyRef, VerificationStatus,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Label on a Restore's PVC, Job and Pods: the Job's name (the controller finds the mover
/// Pods by it) or, on the PVC, the Restore's name.
pub const RESTORE_LABEL: &str = "pusdata.io/restore";
/// Where the target PVC is mounted in the mover Job (the mover restores into its root).
pub const TARGET_MOUNT: &str = "/restore";
/// Suffix of a Restore's Job name.
pub const JOB_SUFFIX: &str = "-restore";
/// One gibibyte.
pub const GIB: u64 = 1 << 30;

/// The figures of one restore, as `pusdata mover restore` prints them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    /// Full snapshot id.
    pub snapshot_id: String,
    /// Where the files went.
    pub target: String,
    /// Files written.
    pub files: u64,
    /// Directories created.
    pub dirs: u64,
    /// Bytes of file contents written.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub duration_seconds: f64,
}

/// `pusdata mover restore --verify`: the restore and the comparison of every restored file
/// with the snapshot's tree.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct VerifiedRestore {
    /// The restore.
    pub restore: RestoreReport,
    /// The comparison.
    pub verification: VerifyReport,
}

/// What `pusdata mover restore` prints: with `--verify` both reports, else the restore's.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum RestoreOutput {
    /// With `--verify`.
    Verified(VerifiedRestore),
    /// Without.
    Plain(RestoreReport),
}

impl RestoreOutput {
    /// The restore's figures.
    pub fn restore(&self) -> &RestoreReport {
        match self {
            RestoreOutput::Verified(v) => &v.restore,
            RestoreOutput::Plain(r) => r,
        }
    }
    /// The comparison, when one ran.
    pub fn verification(&self) -> Option<&VerifyReport> {
        match self {
            RestoreOutput::Verified(v) => Some(&v.verification),
            RestoreOutput::Plain(_) => None,
        }
    }
}

/// Whether a Restore is over (it is never run again).
pub fn finished(phase: Option<RestorePhase>) -> bool {
    matches!(phase, Some(RestorePhase::Completed | RestorePhase::Failed))
}

/// The mover Job's name: `<restore>-restore`, shortened with a hash past 63 characters.
pub fn job_name(restore: &str) -> String {
    mover_job::suffixed_name(restore, JOB_SUFFIX)
}

/// Why a Restore is not (or no longer) going: the `Ready` condition's reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// Created, nothing done yet.
    Pending,
    /// The repository is not `Available` yet: waiting, not failed.
    WaitingForRepository,
    /// The mover Job runs.
    InProgress,
    /// Restored (and verified when asked).
    Restored,
    /// `spec.repository` names no BackupRepository.
    RepositoryNotFound,
    /// The repository, the namespace or the source belong to different agencies (SEC-CIA).
    AgencyMismatch,
    /// Neither the repository nor the agency names a key (SEC-CIA).
    NoRepositoryKey,
    /// `spec.epoch` is older than the site's fencing epoch.
    StaleEpoch,
    /// The spec cannot be run as written (e.g. `latest` without `spec.source`).
    InvalidSpec,
    /// No snapshot matches (`latest-verified` with no verified backup of the source).
    SnapshotNotFound,
    /// Neither `spec.target.size` nor a backup record gives the snapshot's size.
    SizeUnknown,
    /// The target PVC exists and was not created by this Restore.
    TargetExists,
    /// The mover Pod cannot start (a missing Secret or PVC).
    PodCannotStart,
    /// The Job vanished before its result was read.
    JobVanished,
    /// The mover failed; the message says why.
    MoverFailed,
    /// Restored files differ from the snapshot.
    VerificationFailed,
}

impl Reason {
    /// The CamelCase reason, as written in conditions and Events.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Pending => "Pending",
            Reason::WaitingForRepository => "WaitingForRepository",
            Reason::InProgress => "InProgress",
            Reason::Restored => "Restored",
            Reason::RepositoryNotFound => "RepositoryNotFound",
            Reason::AgencyMismatch => "AgencyMismatch",
            Reason::NoRepositoryKey => "NoRepositoryKey",
            Reason::StaleEpoch => "StaleEpoch",
            Reason::InvalidSpec => "InvalidSpec",
            Reason::SnapshotNotFound => "SnapshotNotFound",
            Reason::SizeUnknown => "SizeUnknown",
            Reason::TargetExists => "TargetExists",
            Reason::PodCannotStart => "PodCannotStart",
            Reason::JobVanished => "JobVanished",
            Reason::MoverFailed => "MoverFailed",
            Reason::VerificationFailed => "VerificationFailed",
        }
    }

    /// Every reason (for the documentation test).
    pub const ALL: &'static [Reason] = &[
        Reason::Pending,
        Reason::WaitingForRepository,
        Reason::InProgress,
        Reason::Restored,
        Reason::RepositoryNotFound,
        Reason::AgencyMismatch,
        Reason::NoRepositoryKey,
        Reason::StaleEpoch,
        Reason::InvalidSpec,
        Reason::SnapshotNotFound,
        Reason::SizeUnknown,
        Reason::TargetExists,
        Reason::PodCannotStart,
        Reason::JobVanished,
        Reason::MoverFailed,
        Reason::VerificationFailed,
    ];

    /// `Ready`'s status at this reason, and its message in English and Bahasa Indonesia.
    fn ready(self) -> (Option<bool>, crate::i18n::Text) {
        match self {
            Reason::Pending => (None, crate::t!("repository-restore-ready-waiting-start")),
            Reason::WaitingForRepository => (
                None,
                crate::t!("repository-restore-ready-waiting-repository-available"),
            ),
            Reason::InProgress => (None, crate::t!("repository-restore-ready-mover-restoring")),
            Reason::Restored => (
                Some(true),
                crate::t!("repository-restore-ready-snapshot-restored-into-target"),
            ),
            Reason::VerificationFailed => (
                Some(false),
                crate::t!("repository-restore-ready-restored-files-differ-snapshot"),
            ),
            Reason::TargetExists => (
                Some(false),
                crate::t!("repository-restore-ready-target-pvc-exists-created"),
            ),
            Reason::StaleEpoch => (
                Some(false),
                crate::t!("repository-restore-ready-refused-stamped-older-fencing"),
            ),
            Reason::AgencyMismatch | Reason::NoRepositoryKey => (
                Some(false),
                crate::t!("repository-restore-ready-refused-another-agency-s"),
            ),
            Reason::RepositoryNotFound
            | Reason::InvalidSpec
            | Reason::SnapshotNotFound
            | Reason::SizeUnknown => (
                Some(false),
                crate::t!("repository-restore-ready-restore-cannot-start-written"),
            ),
            Reason::PodCannotStart | Reason::JobVanished | Reason::MoverFailed => (
                Some(false),
                crate::t!("repository-restore-ready-restore-failed"),
            ),
        }
    }
}

/// A refusal: why the Restore fails before anything is created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The reason.
    pub reason: Reason,
    /// What is wrong, naming the field and the rule.
    pub message: String,
}

fn refuse(reason: Reason, message: String) -> Refusal {
    Refusal { reason, message }
}

/// `spec.runAsUser` / `spec.runAsGroup`: the mover never runs as root, and ids are not
/// negative.
fn run_as_refusal(user: Option<i64>, group: Option<i64>) -> Option<Refusal> {
    if let Some(u) = user
        && u <= 0
    {
        return Some(refuse(
            Reason::InvalidSpec,
            format!(
                "spec.runAsUser: {u} is not allowed; the mover never runs as root (use the workload's non-zero uid)"
            ),
        ));
    }
    if let Some(g) = group
        && g < 0
    {
        return Some(refuse(
            Reason::InvalidSpec,
            format!("spec.runAsGroup: {g} is not a group id"),
        ));
    }
    None
}

/// Which snapshot `spec.snapshot` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SnapshotChoice {
    /// The newest snapshot of the source (resolved by the mover).
    Latest,
    /// The newest snapshot of the source whose restore test passed (from the Backup runs
    /// recorded in this cluster).
    LatestVerified,
    /// A snapshot id (or unique prefix).
    Id(String),
}

/// Parses `spec.snapshot`.
pub fn snapshot_choice(s: &str) -> SnapshotChoice {
    match s.trim() {
        "latest" => SnapshotChoice::Latest,
        "latest-verified" | "" => SnapshotChoice::LatestVerified,
        id => SnapshotChoice::Id(id.to_string()),
    }
}

/// The agency owning `namespace`: the agency that lists it, else the namespace's
/// `pusdata.io/agency` label (isolated drill namespaces, created by the platform).
pub fn agency_of_namespace(
    namespace: &str,
    label: Option<&str>,
    agencies: &[Agency],
) -> Option<String> {
    agencies
        .iter()
        .find(|a| tenancy::namespaces_of(a).iter().any(|n| n == namespace))
        .map(|a| a.spec.code.clone())
        .or_else(|| label.map(str::to_string))
}

/// What [`admit`] reads.
#[derive(Clone, Debug)]
pub struct World<'a> {
    /// The Restore's namespace.
    pub namespace: &'a str,
    /// Its `pusdata.io/agency` label, if any.
    pub namespace_label: Option<&'a str>,
    /// All agencies.
    pub agencies: &'a [Agency],
    /// `spec.repository`, if it exists.
    pub repository: Option<&'a BackupRepository>,
    /// Backup runs of the source's namespace (for `latest-verified` and the size).
    pub backups: &'a [Backup],
    /// The newest fencing epoch the site knows (its `Site` objects' `status.epoch`).
    pub site_epoch: u64,
}

/// Everything the Job and the PVC are built from, once admitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Admitted {
    /// The repository key.
    pub key: SecretKeyRef,
    /// `latest` or a snapshot id, for `mover restore --snapshot`.
    pub snapshot: String,
    /// Tags the snapshot must carry (`agency=…[,namespace=…,pvc=…]`), sorted.
    pub tags: Vec<String>,
    /// The target PVC's size.
    pub size: Quantity,
}

/// Whether a Restore may start.
#[derive(Clone, Debug, PartialEq)]
pub enum Gate {
    /// Yes, with this.
    Go(Admitted),
    /// Not yet (the repository is not Available); look again.
    Wait(Reason, String),
    /// Never as written.
    Refuse(Refusal),
}

/// The newest completed Backup of the source in `spec.repository`, optionally only a
/// verified one, optionally only one with the snapshot id (or prefix).
fn newest_backup<'a>(
    spec: &RestoreSpec,
    backups: &'a [Backup],
    verified: bool,
    id: Option<&str>,
) -> Option<&'a Backup> {
    backups
        .iter()
        .filter(|b| b.spec.repository == spec.repository)
        .filter(|b| {
            spec.source.as_ref().is_none_or(|s| {
                b.metadata.namespace.as_deref() == Some(s.namespace.as_str())
                    && b.spec.source.pvc.as_deref() == Some(s.pvc.as_str())
            })
        })
        .filter(|b| {
            b.status.as_ref().is_some_and(|s| {
                s.phase == Some(BackupPhase::Completed)
                    && (!verified || s.verification == Some(VerificationStatus::Verified))
                    && s.snapshot_id.as_deref().is_some_and(|sid| {
                        id.is_none_or(|want| !want.is_empty() && sid.starts_with(want))
                    })
            })
        })
        .max_by_key(|b| {
            (
                b.status
                    .as_ref()
                    .and_then(|s| s.finished_at.as_ref())
                    .map(|t| t.0),
                b.metadata.name.clone(),
            )
        })
}

/// The size of a new PVC for `bytes` of data: a quarter more, rounded up to whole GiB, at
/// least 1 GiB.
pub fn size_with_headroom(bytes: u64) -> Quantity {
    let want = bytes.saturating_add(bytes / 4);
    let gib = want.div_ceil(GIB).max(1);
    Quantity(format!("{gib}Gi"))
}

/// Decides whether a Restore may start, and with what. Checks, in order: the repository
/// exists; its agency owns the Restore's namespace and is the source's (SEC-CIA); a key is
/// named (SEC-CIA); the epoch is not stale (fencing); the snapshot resolves; the target size
/// is known; the repository is Available (else wait).
pub fn admit(r: &Restore, w: &World<'_>) -> Gate {
    let spec = &r.spec;
    let Some(repo) = w.repository else {
        return Gate::Refuse(refuse(
            Reason::RepositoryNotFound,
            format!(
                "spec.repository: BackupRepository {} does not exist",
                spec.repository
            ),
        ));
    };
    let code = repo.spec.agency.as_str();
    let owner = agency_of_namespace(w.namespace, w.namespace_label, w.agencies);
    if owner.as_deref() != Some(code) {
        return Gate::Refuse(refuse(
            Reason::AgencyMismatch,
            format!(
                "SEC-CIA: spec.repository: namespace {} belongs to {}, not to agency {code}, owner of BackupRepository {}",
                w.namespace,
                owner
                    .as_deref()
                    .map_or("no agency".to_string(), |o| format!("agency {o}")),
                spec.repository
            ),
        ));
    }
    if let Some(src) = &spec.source
        && src.agency != code
    {
        return Gate::Refuse(refuse(
            Reason::AgencyMismatch,
            format!(
                "SEC-CIA: spec.source.agency: {} is not agency {code}, owner of BackupRepository {}",
                src.agency, spec.repository
            ),
        ));
    }
    if let Some(refusal) = run_as_refusal(spec.run_as_user, spec.run_as_group) {
        return Gate::Refuse(refusal);
    }
    let agency = w.agencies.iter().find(|a| a.spec.code == code);
    let Some(key) = repo
        .spec
        .key
        .clone()
        .or_else(|| agency.and_then(|a| a.spec.repository_key.clone()))
    else {
        return Gate::Refuse(refuse(
            Reason::NoRepositoryKey,
            format!(
                "SEC-CIA: no repository key: set BackupRepository {} spec.key or Agency {code} spec.repositoryKey",
                spec.repository
            ),
        ));
    };
    if let Some(epoch) = spec.epoch {
        let site = FenceState {
            epoch: w.site_epoch,
            ..FenceState::default()
        };
        let id = r.metadata.uid.clone().unwrap_or_default();
        let (_, reply) = fence::handle(&site, &fence::Request::new(id, Kind::Work, epoch));
        if reply.verdict == Verdict::StaleEpoch {
            return Gate::Refuse(refuse(
                Reason::StaleEpoch,
                format!(
                    "spec.epoch: {epoch} is older than this site's fencing epoch {}: whoever ordered this restore has been fenced off",
                    w.site_epoch
                ),
            ));
        }
    }
    let mut tags = vec![format!("agency={code}")];
    if let Some(s) = &spec.source {
        tags.push(format!("namespace={}", s.namespace));
        tags.push(format!("pvc={}", s.pvc));
    }
    tags.sort();
    let (snapshot, record) = match snapshot_choice(&spec.snapshot) {
        SnapshotChoice::Id(id) => {
            let rec = newest_backup(spec, w.backups, false, Some(&id));
            (id, rec)
        }
        choice => {
            if spec.source.is_none() {
                return Gate::Refuse(refuse(
                    Reason::InvalidSpec,
                    format!(
                        "spec.source: snapshot `{}` needs the source (agency, namespace, pvc) whose newest snapshot to restore",
                        spec.snapshot
                    ),
                ));
            }
            if choice == SnapshotChoice::Latest {
                (
                    "latest".to_string(),
                    newest_backup(spec, w.backups, false, None),
                )
            } else {
                let Some(b) = newest_backup(spec, w.backups, true, None) else {
                    return Gate::Refuse(refuse(
                        Reason::SnapshotNotFound,
                        format!(
                            "spec.snapshot: latest-verified: no Completed and Verified Backup of {} in repository {} is recorded in this cluster; name a snapshot id or use `latest`",
                            spec.source
                                .as_ref()
                                .map_or(String::new(), |s| format!("{}/{}", s.namespace, s.pvc)),
                            spec.repository
                        ),
                    ));
                };
                let id = b
                    .status
                    .as_ref()
                    .and_then(|s| s.snapshot_id.clone())
                    .unwrap_or_default();
                (id, Some(b))
            }
        }
    };
    let size = match (&spec.target.size, record) {
        (Some(q), _) => q.clone(),
        (None, Some(b)) => match b.status.as_ref().and_then(|s| s.bytes_read) {
            Some(bytes) => size_with_headroom(bytes),
            None => return Gate::Refuse(size_unknown(spec)),
        },
        (None, None) => return Gate::Refuse(size_unknown(spec)),
    };
    if repo.status.as_ref().and_then(|s| s.phase) != Some(RepositoryPhase::Available) {
        return Gate::Wait(
            Reason::WaitingForRepository,
            format!(
                "spec.repository: BackupRepository {} is not Available yet",
                spec.repository
            ),
        );
    }
    Gate::Go(Admitted {
        key,
        snapshot,
        tags,
        size,
    })
}

fn size_unknown(spec: &RestoreSpec) -> Refusal {
    refuse(
        Reason::SizeUnknown,
        format!(
            "spec.target.size: the size of snapshot `{}` is unknown here (no Completed Backup in this cluster records it); set spec.target.size",
            spec.snapshot
        ),
    )
}

/// What the target PVC is to this Restore.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PvcSeen {
    /// It does not exist.
    Missing,
    /// It exists and this Restore created it (its [`RESTORED_BY_ANNOTATION`] is the Restore's
    /// uid).
    Ours,
    /// It exists and is someone else's: never written to.
    NotOurs,
}

/// Classifies the target PVC.
pub fn pvc_seen(pvc: Option<&PersistentVolumeClaim>, restore_uid: Option<&str>) -> PvcSeen {
    let Some(p) = pvc else {
        return PvcSeen::Missing;
    };
    let ours = restore_uid.is_some_and(|uid| {
        p.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(RESTORED_BY_ANNOTATION))
            .is_some_and(|v| v == uid)
    });
    if ours {
        PvcSeen::Ours
    } else {
        PvcSeen::NotOurs
    }
}

/// What the controller does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// The Restore is over: nothing.
    Done,
    /// Not yet: write the waiting status and look again.
    Wait(Reason, String),
    /// Fail before anything is created.
    Refuse(Refusal),
    /// Create the PVC (when `create_pvc`) and then the Job, and mark the run InProgress.
    Start {
        /// The PVC does not exist yet.
        create_pvc: bool,
        /// What to build them from.
        admitted: Admitted,
    },
    /// The Job runs: mark InProgress if not yet.
    Running,
    /// The Job cannot start by itself: delete it and fail with this.
    Abort(Refusal),
    /// The Job vanished before its result was read: fail.
    Vanished,
    /// The Job finished: settle the status from its result.
    Settle {
        /// The Job succeeded.
        succeeded: bool,
        /// The mover's termination message.
        message: Option<String>,
    },
}

/// The next step from the recorded phase, the Job (observed) and the target PVC, and the
/// admission gate (only used when nothing runs yet). A finished Restore is never re-run; a
/// running Job is followed even when the world changed under it.
pub fn next(phase: Option<RestorePhase>, job: Option<&Observed>, pvc: PvcSeen, gate: Gate) -> Next {
    if finished(phase) {
        return Next::Done;
    }
    match job {
        Some(Observed::Running) => return Next::Running,
        Some(Observed::Stuck { reason, message }) => {
            return Next::Abort(refuse(
                Reason::PodCannotStart,
                format!("the mover Pod cannot start: {reason}: {message}"),
            ));
        }
        Some(Observed::Finished { succeeded, message }) => {
            return Next::Settle {
                succeeded: *succeeded,
                message: message.clone(),
            };
        }
        None => {}
    }
    if phase == Some(RestorePhase::InProgress) {
        return Next::Vanished;
    }
    match gate {
        Gate::Refuse(r) => Next::Refuse(r),
        _ if pvc == PvcSeen::NotOurs => Next::Refuse(refuse(
            Reason::TargetExists,
            "spec.target.pvc: target PVC exists and was not created by this Restore (a restore never overwrites data)".into(),
        )),
        Gate::Wait(reason, why) => Next::Wait(reason, why),
        Gate::Go(admitted) => Next::Start {
            create_pvc: pvc == PvcSeen::Missing,
            admitted,
        },
    }
}

/// How a finished mover run ends.
#[derive(Clone, Debug, PartialEq)]
pub struct Settled {
    /// Completed or Failed.
    pub phase: RestorePhase,
    /// `Ready`'s reason.
    pub reason: Reason,
    /// What went wrong (differing paths first), empty when restored.
    pub errors: Vec<String>,
    /// The mover's reports, when readable.
    pub output: Option<RestoreOutput>,
}

/// The end of a run from the Job's success and the mover's result; `verify` is what the
/// spec asked for (a run asked to verify that reports no comparison is not trusted).
pub fn settle(succeeded: bool, result: &MoverResult<RestoreOutput>, verify: bool) -> Settled {
    let failed = |reason, errors| Settled {
        phase: RestorePhase::Failed,
        reason,
        errors,
        output: None,
    };
    match result {
        MoverResult::Report(out) => {
            let (status, errors) = match out.verification() {
                Some(v) => {
                    crate::backup::result::verification(succeeded, &MoverResult::Report(v.clone()))
                }
                None if verify => (
                    VerificationStatus::VerificationFailed,
                    vec!["the mover reported no verification".to_string()],
                ),
                None => (VerificationStatus::NotVerified, Vec::new()),
            };
            let (phase, reason, errors) = match status {
                VerificationStatus::VerificationFailed => {
                    (RestorePhase::Failed, Reason::VerificationFailed, errors)
                }
                _ if !succeeded => (
                    RestorePhase::Failed,
                    Reason::MoverFailed,
                    vec!["the mover Job failed after printing a report".to_string()],
                ),
                _ => (RestorePhase::Completed, Reason::Restored, errors),
            };
            Settled {
                phase,
                reason,
                errors,
                output: Some(out.clone()),
            }
        }
        MoverResult::Failure(f) => failed(
            Reason::MoverFailed,
            vec![format!("{}: {}", f.category, f.message)],
        ),
        MoverResult::Unreadable(why) => failed(
            Reason::MoverFailed,
            vec![format!(
                "the mover Job {}: {why}",
                if succeeded { "succeeded" } else { "failed" }
            )],
        ),
    }
}

/// The `Verified` condition after a run that asked for verification.
fn verified(output: Option<&RestoreOutput>, reason: Reason) -> Desired {
    let v = output.and_then(RestoreOutput::verification);
    let (status, reason, text) = match v.map(|v| v.status) {
        Some(VerificationStatus::Verified) => (
            Some(true),
            "Verified",
            crate::t!("repository-restore-every-restored-file-matches"),
        ),
        Some(_) => (
            Some(false),
            "VerificationFailed",
            crate::t!("repository-restore-restored-files-differ-snapshot"),
        ),
        None if reason == Reason::VerificationFailed => (
            Some(false),
            "VerificationFailed",
            crate::t!("repository-restore-restore-verified"),
        ),
        None => (
            None,
            "NotVerified",
            crate::t!("repository-restore-verified-restore-did-finish"),
        ),
    };
    Desired {
        type_: conditions::VERIFIED,
        status,
        reason,
        message: text.to_string(),
    }
}

/// The status of a Restore at `phase` for `reason`: `Ready` (and, once finished and asked
/// for, `Verified`), the figures from the mover's reports, times filled in as the run
/// moves. `errors` go into `status.errors` and the first into `Ready`'s message.
pub fn status(
    old: &RestoreStatus,
    r: &Restore,
    phase: RestorePhase,
    reason: Reason,
    errors: Vec<String>,
    output: Option<&RestoreOutput>,
    now: Time,
) -> RestoreStatus {
    let generation = r.metadata.generation;
    let (ok, text) = reason.ready();
    let mut message = text.to_string();
    if let Some(first) = errors.first() {
        message.push_str(": ");
        message.push_str(first);
    }
    let mut desired = vec![Desired {
        type_: conditions::READY,
        status: ok,
        reason: reason.as_str(),
        message,
    }];
    if r.spec.verify && finished(Some(phase)) {
        desired.push(verified(output, reason));
    }
    let mut s = old.clone();
    s.conditions = conditions::merge(&old.conditions, &desired, generation, now.clone());
    s.phase = Some(phase);
    s.observed_generation = generation;
    if phase == RestorePhase::InProgress && s.started_at.is_none() {
        s.started_at = Some(now.clone());
    }
    if finished(Some(phase)) {
        s.finished_at.get_or_insert(now);
    }
    if let Some(out) = output {
        let rep = out.restore();
        s.snapshot_id = Some(rep.snapshot_id.clone());
        s.files = Some(rep.files);
        s.bytes = Some(rep.bytes);
        let verify_secs = out.verification().map_or(0.0, |v| v.duration_seconds);
        s.duration_seconds = Some(rep.duration_seconds + verify_secs);
        s.mismatches = out.verification().map(VerifyReport::mismatch_count);
    }
    s.errors = errors;
    s
}

fn labels(agency: &str, value: &str) -> BTreeMap<String, String> {
    [
        ("app.kubernetes.io/name", "pusdata-mover"),
        ("app.kubernetes.io/managed-by", "pusdata"),
        (AGENCY_LABEL, agency),
        (RESTORE_LABEL, value),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Annotation on a PVC a Restore created: the Restore's uid.
pub const RESTORED_BY_ANNOTATION: &str = "pusdata.io/restored-by-uid";

/// The target PVC: ReadWriteOnce, the asked storage class (else the cluster default) and
/// size, marked with the Restore's uid.
///
/// Deliberately not owned by the Restore: after a failover the PVC is production data, and
/// deleting a Restore record must never delete it through garbage collection. A drill's
/// PVCs go when its isolated namespace is torn down.
pub fn target_pvc(
    r: &Restore,
    agency: &str,
    size: &Quantity,
    restore_uid: &str,
) -> PersistentVolumeClaim {
    let name = r.metadata.name.clone().unwrap_or_default();
    let mut l = labels(agency, &name);
    l.insert("app.kubernetes.io/name".into(), "pusdata-restore".into());
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(r.spec.target.pvc.clone()),
            namespace: r.metadata.namespace.clone(),
            labels: Some(l),
            annotations: Some(
                [(RESTORED_BY_ANNOTATION.to_string(), restore_uid.to_string())].into(),
            ),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: r.spec.target.storage_class.clone(),
            resources: Some(VolumeResourceRequirements {
                requests: Some([("storage".to_string(), size.clone())].into()),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        status: None,
    }
}

/// Everything the restore Job is built from.
#[derive(Clone, Debug)]
pub struct RestoreJobInput<'a> {
    /// The Restore.
    pub restore: &'a Restore,
    /// What [`admit`] decided.
    pub admitted: &'a Admitted,
    /// The repository.
    pub repository: &'a BackupRepository,
    /// The owner reference to the Restore.
    pub owner: OwnerReference,
    /// Settings.
    pub settings: &'a MoverSettings,
}

/// The mover Job of a Restore: `pusdata mover restore` into the target PVC mounted
/// read-write at [`TARGET_MOUNT`] (`--verify` when asked), with the Secrets, hardening,
/// resources and bandwidth limits of every mover Job. It runs once (`backoffLimit: 0`), and
/// the Pod's `fsGroup` makes the new volume writable by the non-root mover.
pub fn restore_job(input: &RestoreJobInput<'_>) -> Job {
    let r = input.restore;
    let name = job_name(r.metadata.name.as_deref().unwrap_or_default());
    let repo = &input.repository.spec;
    let mut args = repository_args("restore", repo);
    args.extend(
        [
            "--snapshot",
            input.admitted.snapshot.as_str(),
            "--tag",
            &input.admitted.tags.join(","),
            "--target",
            TARGET_MOUNT,
        ]
        .map(str::to_string),
    );
    if r.spec.verify {
        args.push("--verify".into());
    }
    // The restored files belong to the user the mover runs as (it cannot chown: no
    // capabilities), so it runs as the workload's user when the Restore names one.
    let uid = r.spec.run_as_user.unwrap_or(DEFAULT_UID);
    let gid = r
        .spec
        .run_as_group
        .or(r.spec.run_as_user)
        .unwrap_or(DEFAULT_UID);
    let data = Volume {
        name: "data".into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: r.spec.target.pvc.clone(),
            read_only: Some(false),
        }),
        ..Volume::default()
    };
    let mut job = assemble(Frame {
        name: &name,
        namespace: r.metadata.namespace.as_deref().unwrap_or_default(),
        labels: labels(&repo.agency, &name),
        owner: input.owner.clone(),
        repository: repo,
        key: &input.admitted.key,
        settings: input.settings,
        args,
        extra: vec![(data, mount("data", TARGET_MOUNT, false))],
        affinity: None,
        uid,
        gid,
    });
    if let Some(spec) = job.spec.as_mut() {
        spec.backoff_limit = Some(0);
        if let Some(psc) = spec
            .template
            .spec
            .as_mut()
            .and_then(|p| p.security_context.as_mut())
        {
            psc.fs_group = Some(gid);
            psc.fs_group_change_policy = Some("OnRootMismatch".into());
        }
    }
    job
}

#[cfg(test)]
mod tests;
