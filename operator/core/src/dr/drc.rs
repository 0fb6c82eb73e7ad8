//! The DRC site's work in a cluster, decided (issue #6, Drill): where a restore goes (an
//! isolated drill namespace or the member namespace itself), how the drill namespace is
//! labelled and walled off, whether an existing `Restore` is reused, how long to keep
//! waiting, whether the restored workloads are ready, the smoke Job, and what of its output
//! may be recorded.
//!
//! The agent's Kubernetes work (`pusdata::agent::kube_work`) only reads the cluster, calls
//! these functions and applies what they return.

use super::due::dns_name;
use crate::i18n::Text;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, PodSecurityContext, PodSpec, PodTemplateSpec, ResourceRequirements,
    SeccompProfile, Secret, SecurityContext,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer,
    NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use pusdata_crds::v1alpha1::{
    AgencySpec, BackupRepositorySpec, FailoverType, Member, Restore, RestorePhase, RestoreSource,
    RestoreSpec, RestoreTarget,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Label (value `true`) of a drill's isolated namespace: the only namespaces the agent
/// ever deletes.
pub const DRILL_LABEL: &str = "pusdata.io/drill";
/// Labels: the `Failover` and the plan member (service) a namespace, `Restore` or smoke Job
/// belongs to.
pub use crate::labels::{FAILOVER_LABEL, MEMBER_LABEL};
/// Label of a drill namespace: the member namespace it is an isolated copy of.
pub const SOURCE_NAMESPACE_LABEL: &str = "pusdata.io/source-namespace";
/// Annotation on a `Restore`: the agent request that created it (idempotency).
pub const REQUEST_ANNOTATION: &str = "pusdata.io/request-id";
/// Annotation on a Secret copied into a drill namespace: `<namespace>/<name>` of its source.
pub const COPIED_FROM_ANNOTATION: &str = "pusdata.io/copied-from";
/// Label of a smoke Job and its Pod.
pub const SMOKE_LABEL: &str = "pusdata.io/smoke";
/// Name of the NetworkPolicy isolating a drill namespace.
pub const ISOLATION_POLICY: &str = "pusdata-drill-isolation";
/// Name of the NetworkPolicy letting the restore mover reach object storage.
pub const MOVER_EGRESS_POLICY: &str = "pusdata-drill-mover-egress";
/// Longest output tail recorded from a smoke command.
pub const OUTPUT_TAIL_CHARS: usize = 400;
/// Readiness timeout when the member gives none.
pub const DEFAULT_READINESS_TIMEOUT: Duration = Duration::from_secs(300);
/// Smoke command timeout.
pub const DEFAULT_SMOKE_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest wait for a `Restore` when the caller set no deadline.
pub const MAX_RESTORE_WAIT: Duration = Duration::from_secs(6 * 3600);
/// Time kept back from the caller's deadline to answer before it expires.
pub const DEADLINE_MARGIN: Duration = Duration::from_secs(2);

/// Where and for what a piece of DRC work is done: from the primary's request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Placement {
    /// Drill, Failover or Failback.
    pub kind: FailoverType,
    /// The `Failover` object at the primary.
    pub failover: String,
    /// The plan.
    pub plan: String,
    /// The member's agency.
    pub agency: String,
    /// The plan member (service).
    pub member: String,
    /// The member's namespace (at the primary, and at the DRC for a failover).
    pub namespace: String,
    /// The `BackupRepository` the snapshot is read from.
    pub repository: String,
    /// The PVC the snapshot was taken of, restored under the same name.
    pub pvc: String,
    /// The user the backup read the files as (the workload's); the restore writes as it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    /// The group the backup read the files as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
}

/// A label value from a name: at most 63 characters (deterministic hash when cut).
pub fn label_value(name: &str) -> String {
    dns_name(name, 63)
}

/// The isolated namespace of a drill's copy of `namespace`: `pusdata-drill-<failover>-<ns>`,
/// at most 63 characters (cut with a hash of the whole when longer).
pub fn drill_namespace(failover: &str, namespace: &str) -> String {
    dns_name(&format!("pusdata-drill-{failover}-{namespace}"), 63)
}

/// The namespace a restore goes into: a drill's isolated namespace, or the member namespace
/// itself for a failover or failback.
pub fn target_namespace(p: &Placement) -> String {
    match p.kind {
        FailoverType::Drill => drill_namespace(&p.failover, &p.namespace),
        _ => p.namespace.clone(),
    }
}

/// The labels of a drill namespace: the drill mark, the failover, plan, agency and source.
pub fn drill_namespace_labels(p: &Placement) -> BTreeMap<String, String> {
    [
        (DRILL_LABEL, "true".to_string()),
        (FAILOVER_LABEL, label_value(&p.failover)),
        (crate::backup::job::PLAN_LABEL, label_value(&p.plan)),
        (crate::backup::job::AGENCY_LABEL, label_value(&p.agency)),
        (SOURCE_NAMESPACE_LABEL, label_value(&p.namespace)),
        ("app.kubernetes.io/managed-by", "pusdata".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// Label selector of every drill namespace of a failover.
pub fn drill_selector(failover: &str) -> String {
    format!(
        "{DRILL_LABEL}=true,{FAILOVER_LABEL}={}",
        label_value(failover)
    )
}

/// The agent deletes a namespace only if it is a drill namespace: never a member namespace.
pub fn may_discard(namespace: &str, labels: &BTreeMap<String, String>) -> Result<(), Text> {
    if labels.get(DRILL_LABEL).map(String::as_str) == Some("true") {
        Ok(())
    } else {
        Err(crate::t!(
            "dr-drc-namespace-true-label-only",
            namespace = &namespace,
            DRILL_LABEL = &DRILL_LABEL
        ))
    }
}

fn selector(labels: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        match_expressions: None,
    }
}

fn port(n: i32, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(n)),
        protocol: Some(protocol.into()),
        end_port: None,
    }
}

/// The NetworkPolicies of a drill namespace. The first walls it off: pods may talk to pods
/// of the same namespace and to the cluster DNS (so services resolve by name), nothing else
/// in or out. The second lets only the restore mover (`app.kubernetes.io/name:
/// pusdata-mover`) reach object storage over HTTPS; policies add up, so that is its only
/// way out.
pub fn isolation_policies(namespace: &str) -> Vec<NetworkPolicy> {
    let same_namespace = NetworkPolicyPeer {
        pod_selector: Some(LabelSelector::default()),
        ..NetworkPolicyPeer::default()
    };
    let dns = NetworkPolicyPeer {
        namespace_selector: Some(selector(&[("kubernetes.io/metadata.name", "kube-system")])),
        ..NetworkPolicyPeer::default()
    };
    let meta = |name: &str| ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        labels: Some([(DRILL_LABEL.to_string(), "true".to_string())].into()),
        ..ObjectMeta::default()
    };
    vec![
        NetworkPolicy {
            metadata: meta(ISOLATION_POLICY),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector::default()),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                ingress: Some(vec![NetworkPolicyIngressRule {
                    from: Some(vec![same_namespace.clone()]),
                    ports: None,
                }]),
                egress: Some(vec![
                    NetworkPolicyEgressRule {
                        to: Some(vec![same_namespace]),
                        ports: None,
                    },
                    NetworkPolicyEgressRule {
                        to: Some(vec![dns]),
                        ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
                    },
                ]),
            }),
        },
        NetworkPolicy {
            metadata: meta(MOVER_EGRESS_POLICY),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(selector(&[("app.kubernetes.io/name", "pusdata-mover")])),
                policy_types: Some(vec!["Egress".into()]),
                ingress: None,
                egress: Some(vec![NetworkPolicyEgressRule {
                    to: None,
                    ports: Some(vec![port(443, "TCP")]),
                }]),
            }),
        },
    ]
}

/// The name of the `Restore` of one PVC of a member for one failover.
pub fn restore_name(failover: &str, member: &str, pvc: &str) -> String {
    dns_name(&format!("{failover}-{member}-{pvc}"), 63)
}

/// The `Restore` of one PVC: the snapshot into a new PVC of the same name in `namespace`,
/// verified, stamped with the failover and the fencing epoch, annotated with the request
/// that created it. `snapshot` may be `<agency>/<id>` (the agent's wire form).
pub fn restore_object(
    p: &Placement,
    namespace: &str,
    snapshot: &str,
    request_id: &str,
    epoch: u64,
    repository: &str,
    storage_class: Option<&str>,
) -> Restore {
    let id = snapshot
        .strip_prefix(&format!("{}/", p.agency))
        .unwrap_or(snapshot);
    let labels = [
        (FAILOVER_LABEL, label_value(&p.failover)),
        (MEMBER_LABEL, label_value(&p.member)),
        (crate::backup::job::PLAN_LABEL, label_value(&p.plan)),
        (crate::backup::job::AGENCY_LABEL, label_value(&p.agency)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    Restore {
        metadata: ObjectMeta {
            name: Some(restore_name(&p.failover, &p.member, &p.pvc)),
            namespace: Some(namespace.to_string()),
            labels: Some(labels),
            annotations: Some([(REQUEST_ANNOTATION.to_string(), request_id.to_string())].into()),
            ..ObjectMeta::default()
        },
        spec: RestoreSpec {
            repository: repository.to_string(),
            snapshot: if id.is_empty() {
                "latest-verified".into()
            } else {
                id.to_string()
            },
            source: Some(RestoreSource {
                agency: p.agency.clone(),
                namespace: p.namespace.clone(),
                pvc: p.pvc.clone(),
            }),
            target: RestoreTarget {
                pvc: p.pvc.clone(),
                storage_class: storage_class.map(str::to_string),
                size: None,
            },
            verify: true,
            failover: Some(p.failover.clone()),
            epoch: Some(epoch),
            run_as_user: p.run_as_user,
            run_as_group: p.run_as_group,
        },
        status: None,
    }
}

/// The `BackupRepository` a restore at the DRC reads: the agent's pattern with `{agency}`
/// replaced (the DRC's own repository per agency, e.g. `{agency}-drc`), or, without a
/// pattern, the repository named in the request.
pub fn restore_repository(pattern: Option<&str>, p: &Placement) -> String {
    match pattern {
        Some(pat) if !pat.is_empty() => pat.replace("{agency}", &p.agency),
        _ => p.repository.clone(),
    }
}

/// The Secrets a drill's `Restore` mounts from its own (drill) namespace, so the agent
/// copies them there from the member namespace: the repository's S3 credentials and its
/// key (`spec.key`, else the agency's `repositoryKey`, as the Restore controller resolves
/// it: [`crate::repository::key_ref`]). Sorted, one name once. Refused (SEC-CIA) when the
/// repository is not the placement's agency's, or `agency` is another agency: one
/// agency's keys never reach another agency's drill namespace.
pub fn drill_secret_names(
    p: &Placement,
    repository: &str,
    repo: &BackupRepositorySpec,
    agency: &AgencySpec,
) -> Result<Vec<String>, Text> {
    if repo.agency != p.agency || agency.code != p.agency {
        return Err(crate::t!(
            "dr-drc-sec-cia-backuprepository-belongs",
            repository = &repository,
            agency = &repo.agency,
            agency2 = &p.agency,
            namespace = &p.namespace
        ));
    }
    let key = crate::repository::key_ref(repo, agency).map_err(|r| r.message)?;
    let mut names = vec![repo.s3.credentials.name.clone(), key.name];
    names.sort();
    names.dedup();
    Ok(names)
}

/// The copy of a member namespace's Secret in the drill namespace: the same data and type
/// under fresh metadata (the name, the drill namespace's labels, an annotation naming the
/// source); nothing else of the source (owner, annotations, finalizers) is carried over.
pub fn drill_secret_copy(p: &Placement, source: &Secret) -> Secret {
    let name = source.metadata.name.clone().unwrap_or_default();
    Secret {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(target_namespace(p)),
            labels: Some(drill_namespace_labels(p)),
            annotations: Some(BTreeMap::from([(
                COPIED_FROM_ANNOTATION.to_string(),
                format!("{}/{name}", p.namespace),
            )])),
            ..ObjectMeta::default()
        },
        data: source.data.clone(),
        type_: source.type_.clone(),
        ..Secret::default()
    }
}

/// What to do about a Secret copy in a drill namespace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretCopy {
    /// None there: create it.
    Create,
    /// One there with other data, type or metadata: replace it with the copy.
    Replace,
    /// One there with the same data, type and metadata: nothing to do.
    Keep,
}

/// Decides about a Secret copy: only into a namespace labelled `pusdata.io/drill=true`
/// (never a member namespace); `found` is what the namespace holds under the copy's name,
/// `None` when nothing. The agent cannot read Secrets outside agency namespaces, so it
/// learns a copy exists from a refused create and then passes `found` as unknown
/// ([`secret_copy_unknown`]).
pub fn secret_copy_action(
    namespace: &str,
    namespace_labels: &BTreeMap<String, String>,
    want: &Secret,
    found: Option<&Secret>,
) -> Result<SecretCopy, Text> {
    if namespace_labels.get(DRILL_LABEL).map(String::as_str) != Some("true") {
        return Err(crate::t!(
            "dr-drc-namespace-true-label-secrets",
            namespace = &namespace,
            DRILL_LABEL = &DRILL_LABEL
        ));
    }
    Ok(match found {
        None => SecretCopy::Create,
        Some(f)
            if f.data == want.data
                && f.type_ == want.type_
                && f.metadata.labels == want.metadata.labels
                && f.metadata.annotations == want.metadata.annotations =>
        {
            SecretCopy::Keep
        }
        Some(_) => SecretCopy::Replace,
    })
}

/// What the agent passes as `found` after its create was refused because the copy exists
/// but it may not read it: an empty Secret, which never equals a copy, so the copy is
/// replaced (the API server writes nothing when the content is the same).
pub fn secret_copy_unknown() -> Secret {
    Secret::default()
}

/// Label selector of the `Restore`s of one member for one failover.
pub fn restores_selector(failover: &str, member: &str) -> String {
    format!(
        "{FAILOVER_LABEL}={},{MEMBER_LABEL}={}",
        label_value(failover),
        label_value(member)
    )
}

/// The checksum verdict of a member's restores: every one completed, and verified against
/// the snapshot (the `Verified` condition true, or no mismatching file counted when the
/// controller sets no condition). `Err` names the first that is not.
pub fn restores_verified(restores: &[Restore]) -> Result<(), Text> {
    if restores.is_empty() {
        return Err(crate::t!("dr-drc-restore-service-verify"));
    }
    for r in restores {
        let name = r.metadata.name.as_deref().unwrap_or_default();
        let st = r.status.clone().unwrap_or_default();
        let verified = st.conditions.iter().find(|c| c.type_ == "Verified");
        let ok = st.phase == Some(RestorePhase::Completed)
            && match verified {
                Some(c) => c.status == "True",
                None => st.mismatches == Some(0),
            };
        if !ok {
            let mism = st.mismatches.unwrap_or(0);
            return Err(crate::t!(
                "dr-drc-restore-phase-file-s",
                name = &name,
                phase = format!("{:?}", st.phase),
                mismatched = &mism
            ));
        }
    }
    Ok(())
}

/// What to do about a `Restore` that may already exist under [`restore_name`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Existing {
    /// None yet: create it.
    Create,
    /// It is ours, or done, or still running: wait for (or read) it.
    Wait,
    /// A failed one from an earlier attempt: delete it (and its half-written PVC when in a
    /// drill namespace), then create it again.
    Replace,
    /// Ours, and it failed: report the failure (the next attempt brings a new request id).
    Failed,
}

/// Decides about an existing `Restore`: its phase and the request id that created it.
pub fn existing_restore(found: Option<(Option<RestorePhase>, &str)>, request_id: &str) -> Existing {
    match found {
        None => Existing::Create,
        Some((Some(RestorePhase::Failed), by)) if by == request_id => Existing::Failed,
        Some((Some(RestorePhase::Failed), _)) => Existing::Replace,
        Some(_) => Existing::Wait,
    }
}

/// What to do next while waiting for something (a `Restore`, the workloads, a smoke Job).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Look again after this long.
    Again(Duration),
    /// Stop waiting: the reason, in both languages.
    GiveUp(Text),
}

/// The delay before look number `attempt` (0-based): 1 s, doubling, at most 15 s.
pub fn poll_delay(attempt: u32) -> Duration {
    Duration::from_secs(1u64 << attempt.min(4)).min(Duration::from_secs(15))
}

/// Whether to keep waiting for `what` after `waited`, with at most `limit` to wait and
/// `left` until the caller's deadline (none: no deadline). The next look never goes past
/// the limit or the deadline (less [`DEADLINE_MARGIN`], so the answer arrives in time).
pub fn keep_waiting(
    what: &str,
    waited: Duration,
    attempt: u32,
    limit: Duration,
    left: Option<Duration>,
) -> Wait {
    if waited >= limit {
        return Wait::GiveUp(crate::t!(
            "dr-drc-done-after-s",
            what = &what,
            seconds = &limit.as_secs()
        ));
    }
    let left = left.map(|l| l.saturating_sub(DEADLINE_MARGIN));
    if left.is_some_and(|l| l.is_zero()) {
        return Wait::GiveUp(crate::t!("dr-drc-caller-s-deadline-reached", what = &what));
    }
    let mut next = poll_delay(attempt).min(limit - waited);
    if let Some(l) = left {
        next = next.min(l);
    }
    Wait::Again(next)
}

/// What was seen of one workload.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Workload {
    /// `Deployment/<name>` or `StatefulSet/<name>`.
    pub name: String,
    /// Replicas wanted (`spec.replicas`, 1 when unset).
    pub desired: i32,
    /// Replicas ready (`status.readyReplicas`).
    pub ready: i32,
    /// Replicas on the newest template (`status.updatedReplicas`).
    pub updated: i32,
    /// The controller has seen the newest spec (`status.observedGeneration >= generation`).
    pub observed: bool,
}

impl Workload {
    /// Ready: the newest spec observed and every wanted replica updated and ready. A
    /// workload scaled to zero serves nobody, so it is not ready.
    pub fn is_ready(&self) -> bool {
        self.desired > 0
            && self.observed
            && self.ready >= self.desired
            && self.updated >= self.desired
    }
}

/// The readiness of a restored service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Every selected workload is ready (how many).
    Ready(usize),
    /// Some are not: their names with `ready/desired`.
    NotReady(Vec<String>),
    /// Nothing matches the selector (yet).
    NoWorkloads,
}

/// Readiness over the observed workloads.
pub fn readiness(workloads: &[Workload]) -> Readiness {
    if workloads.is_empty() {
        return Readiness::NoWorkloads;
    }
    let waiting: Vec<String> = workloads
        .iter()
        .filter(|w| !w.is_ready())
        .map(|w| format!("{} {}/{}", w.name, w.ready, w.desired))
        .collect();
    if waiting.is_empty() {
        Readiness::Ready(workloads.len())
    } else {
        Readiness::NotReady(waiting)
    }
}

/// The readiness check asked for one member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadinessCheck {
    /// Labels of the Deployments and StatefulSets to wait for.
    pub selector: BTreeMap<String, String>,
    /// How long to wait.
    pub timeout: Duration,
}

/// The smoke command asked for one member.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SmokeCheck {
    /// Command and arguments.
    pub command: Vec<String>,
    /// Image; empty for the agent's default.
    pub image: String,
    /// How long it may run.
    pub timeout: Duration,
}

/// The readiness check of a member: none when the plan asks for none; the selector defaults
/// to the member's `pvcSelector.matchLabels`; an unreadable timeout falls back to the
/// default (`plan check` reports it: `check::check_plan`).
pub fn readiness_check(m: &Member) -> Option<ReadinessCheck> {
    let r = m.readiness.as_ref()?;
    let selector = r.selector.clone().unwrap_or_else(|| {
        m.pvc_selector
            .as_ref()
            .and_then(|s| s.match_labels.clone())
            .unwrap_or_default()
    });
    let timeout = r
        .timeout
        .as_deref()
        .and_then(|t| crate::duration::parse(t).ok())
        .unwrap_or(DEFAULT_READINESS_TIMEOUT);
    Some(ReadinessCheck { selector, timeout })
}

/// The smoke check of a member: none without a command.
pub fn smoke_check(m: &Member) -> Option<SmokeCheck> {
    (!m.smoke_command.is_empty()).then(|| SmokeCheck {
        command: m.smoke_command.clone(),
        image: m.smoke_image.clone().unwrap_or_default(),
        timeout: DEFAULT_SMOKE_TIMEOUT,
    })
}

/// How a readiness or smoke check ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckState {
    /// It passed.
    Passed,
    /// It failed.
    Failed,
    /// It was not run (the message says why).
    #[default]
    Skipped,
}

/// The outcome of a readiness or smoke check, with the reason in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// Passed, failed or skipped.
    pub state: CheckState,
    /// Why, or what was seen.
    pub message: Text,
}

impl CheckOutcome {
    /// Builds an outcome.
    pub fn new(state: CheckState, message: Text) -> CheckOutcome {
        CheckOutcome { state, message }
    }
}

/// Readiness and smoke in a local drill: there are no workloads to check.
pub fn skipped_locally() -> CheckOutcome {
    CheckOutcome::new(
        CheckState::Skipped,
        crate::t!("dr-drc-workloads-local-drill"),
    )
}

/// Readiness not asked for by the plan.
pub fn readiness_not_configured() -> CheckOutcome {
    CheckOutcome::new(
        CheckState::Skipped,
        crate::t!("dr-drc-readiness-check-plan-service"),
    )
}

/// No smoke command in the plan.
pub fn smoke_not_configured() -> CheckOutcome {
    CheckOutcome::new(
        CheckState::Skipped,
        crate::t!("dr-drc-smoke-command-plan-service"),
    )
}

/// The readiness and smoke outcomes as a note appended to a verify step's message
/// (`; readiness passed: …; smoke skipped: …`), and whether either failed (the step fails).
pub fn checks_note(readiness: Option<&CheckOutcome>, smoke: Option<&CheckOutcome>) -> (Text, bool) {
    let mut parts = Vec::new();
    let mut failed = false;
    for (check, c) in [
        (crate::t!("dr-drc-check-readiness"), readiness),
        (crate::t!("dr-drc-check-smoke"), smoke),
    ] {
        let Some(c) = c else { continue };
        let state = match c.state {
            CheckState::Passed => crate::t!("dr-drc-check-passed"),
            CheckState::Failed => crate::t!("dr-drc-check-failed"),
            CheckState::Skipped => crate::t!("dr-drc-check-skipped"),
        };
        failed |= c.state == CheckState::Failed;
        parts.push(crate::t!(
            "dr-drc-check-note",
            check = check,
            state = state,
            message = &c.message
        ));
    }
    (Text::join(&parts, ""), failed)
}

/// The outcome of a readiness check that stopped waiting with `verdict`.
pub fn readiness_outcome(verdict: &Readiness, gave_up: Option<&Text>) -> CheckOutcome {
    // " (why it gave up)" after the finding, or nothing.
    let why = || {
        gave_up
            .map(|w| crate::t!("dr-drc-why-suffix", why = w))
            .unwrap_or_default()
    };
    match verdict {
        Readiness::Ready(n) => CheckOutcome::new(
            CheckState::Passed,
            crate::t!("dr-drc-workload-s-ready", count = &n),
        ),
        Readiness::NoWorkloads => CheckOutcome::new(
            CheckState::Failed,
            crate::t!("dr-drc-no-workloads-match", why = &why()),
        ),
        Readiness::NotReady(names) => CheckOutcome::new(
            CheckState::Failed,
            crate::t!("dr-drc-not-ready", names = &names.join(", "), why = &why()),
        ),
    }
}

/// The name of the smoke Job of one verify request (deterministic, so a retried request
/// finds the Job it started).
pub fn smoke_job_name(member: &str, request_id: &str) -> String {
    let hash = format!("{:08x}", crate::hash::fnv1a(request_id) & 0xffff_ffff);
    format!("{}-{hash}", dns_name(&format!("smoke-{member}"), 63 - 9))
}

/// Everything the smoke Job is built from.
#[derive(Clone, Debug)]
pub struct SmokeJobInput<'a> {
    /// Job name ([`smoke_job_name`]).
    pub name: &'a str,
    /// The namespace restored into.
    pub namespace: &'a str,
    /// The failover and member, for labels.
    pub placement: &'a Placement,
    /// The check.
    pub check: &'a SmokeCheck,
    /// Image when the check names none.
    pub default_image: &'a str,
}

/// The smoke Job: one try (`backoffLimit: 0`), killed after the check's timeout, hardened
/// like the mover (non-root, read-only root, no capabilities, no service account token),
/// and its output tail kept in the Pod's termination message on failure
/// (`FallbackToLogsOnError`), so the agent reads it without access to Pod logs.
pub fn smoke_job(input: &SmokeJobInput<'_>) -> Job {
    let labels: BTreeMap<String, String> = [
        ("app.kubernetes.io/name", "pusdata-smoke".to_string()),
        ("app.kubernetes.io/managed-by", "pusdata".to_string()),
        (SMOKE_LABEL, input.name.to_string()),
        (FAILOVER_LABEL, label_value(&input.placement.failover)),
        (MEMBER_LABEL, label_value(&input.placement.member)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let image = if input.check.image.is_empty() {
        input.default_image
    } else {
        &input.check.image
    };
    let q = |s: &str| Quantity(s.to_string());
    let container = Container {
        name: "smoke".into(),
        image: Some(image.to_string()),
        command: Some(input.check.command.clone()),
        resources: Some(ResourceRequirements {
            requests: Some([("cpu".into(), q("50m")), ("memory".into(), q("64Mi"))].into()),
            limits: Some([("cpu".into(), q("500m")), ("memory".into(), q("256Mi"))].into()),
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
        termination_message_policy: Some("FallbackToLogsOnError".into()),
        ..Container::default()
    };
    Job {
        metadata: ObjectMeta {
            name: Some(input.name.to_string()),
            namespace: Some(input.namespace.to_string()),
            labels: Some(labels.clone()),
            ..ObjectMeta::default()
        },
        spec: Some(JobSpec {
            backoff_limit: Some(0),
            active_deadline_seconds: Some(input.check.timeout.as_secs().max(1) as i64),
            ttl_seconds_after_finished: Some(3600),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![container],
                    restart_policy: Some("Never".into()),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(crate::backup::job::DEFAULT_UID),
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

/// What a smoke Job's status says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SmokeState {
    /// Still running.
    Running,
    /// Exit 0.
    Passed,
    /// Non-zero exit or killed at its deadline.
    Failed,
}

/// The smoke Job's state from its `status.succeeded` / `status.failed` counts.
pub fn smoke_state(succeeded: i32, failed: i32) -> SmokeState {
    if succeeded > 0 {
        SmokeState::Passed
    } else if failed > 0 {
        SmokeState::Failed
    } else {
        SmokeState::Running
    }
}

/// Words after which the rest of a line is a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "api_key",
    "apikey",
    "access_key",
    "private_key",
    "credential",
];

fn looks_like_key(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    w.len() >= 32
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-'))
        && w.chars().any(|c| c.is_ascii_digit())
        && w.chars().any(|c| c.is_ascii_alphabetic())
}

/// A short, secret-free tail of a command's output for the status and the report: a line
/// naming a secret word keeps only what comes before it, long key-like words become
/// `[redacted]`, and only the last `max` characters are kept (`…` marks the cut).
pub fn output_tail(raw: &str, max: usize) -> String {
    let cleaned: Vec<String> = raw
        .lines()
        .map(|line| {
            let lower = line.to_ascii_lowercase();
            let cut = SECRET_WORDS
                .iter()
                .filter_map(|w| lower.find(w).map(|i| i + w.len()))
                .min();
            let line = match cut {
                Some(i) => format!("{} [redacted]", &line[..i]),
                None => line.to_string(),
            };
            line.split(' ')
                .map(|w| if looks_like_key(w) { "[redacted]" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let text = cleaned.join("\n");
    let text = text.trim();
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n - max).collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests;
