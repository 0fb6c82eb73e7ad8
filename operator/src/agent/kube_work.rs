//! The DRC's work in its own cluster (`pusdata agent --work kubernetes`): a restore is a
//! `Restore` object (the Restore controller turns it into a PVC and a mover Job) in a
//! drill's isolated namespace or the member namespace; verification reads the Restores'
//! checksum verdict, waits for the workloads to be ready and runs the smoke command as a
//! Job; teardown deletes the drill's namespaces and nothing else.
//!
//! Every decision is in [`pusdata_core::dr::drc`]; this module reads, calls it and applies.
//! The trait is blocking (the agent calls it on a blocking thread), so each call runs its
//! async body on the runtime it was given.

use super::work::{
    CheckOutcome, CheckState, DiscardJob, Placement, Progress, Report, RestoreJob, SiteWork,
    VerifyJob, WorkError,
};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Namespace, PersistentVolumeClaim, Pod, Secret};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::{Client, ResourceExt};
use pusdata_core::dr::drc::{self, Existing, Readiness, SecretCopy, SmokeState, Wait, Workload};
use pusdata_core::i18n::Text;
use pusdata_crds::v1alpha1::{Agency, BackupRepository, FailoverType, Restore, RestorePhase};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The API calls of the Kubernetes work (group, resource, verbs), granted to the agent's ServiceAccount by the
/// chart's ClusterRole `pusdata-agent` (role drc). RBAC cannot limit namespace deletion by
/// label; the code refuses any namespace without the drill label (`drc::may_discard`).
pub const PERMISSIONS: &[(&str, &str, &[&str])] = &[
    ("", "namespaces", &["create", "delete", "get", "list"]),
    (
        "pusdata.io",
        "restores",
        &["create", "delete", "get", "list"],
    ),
    ("networking.k8s.io", "networkpolicies", &["create"]),
    ("batch", "jobs", &["create", "get"]),
    ("", "pods", &["list"]),
    // Only in drill namespaces (checked first): the half-filled PVC of a failed attempt.
    ("", "persistentvolumeclaims", &["delete"]),
    ("apps", "deployments", &["list"]),
    ("apps", "statefulsets", &["list"]),
    // Which Secrets a drill's Restore mounts (the repository's, the agency's key).
    ("pusdata.io", "backuprepositories", &["get"]),
    ("pusdata.io", "agencies", &["list"]),
    // The copies of those Secrets in a drill namespace. The chart's admission policy
    // `pusdata-agent-drill-namespaces` lets these through only in namespaces labelled
    // pusdata.io/drill=true; the code checks the same (`drc::secret_copy_action`).
    ("", "secrets", &["create", "update"]),
];

/// Reading the Secrets to copy: granted only in agency namespaces, by the RoleBinding the
/// Agency controller puts in each (`tenancy::AGENT_SECRETS_BINDING` to the chart's
/// ClusterRole `tenancy::AGENT_SECRETS_ROLE`) — never Secrets cluster-wide.
pub const AGENCY_NAMESPACE_PERMISSIONS: &[(&str, &str, &[&str])] = &[("", "secrets", &["get"])];

/// Settings of the Kubernetes work.
#[derive(Clone, Debug)]
pub struct KubeSettings {
    /// Image of smoke commands whose member names none.
    pub smoke_image: String,
    /// The `BackupRepository` restores read instead of the one in the request; `{agency}`
    /// is replaced by the request's agency (`drc::restore_repository`).
    pub repository: Option<String>,
    /// Storage class of restored PVCs.
    pub storage_class: Option<String>,
    /// Longest pause between two looks (the backoff of `drc::poll_delay` is capped here;
    /// tests make it short).
    pub max_poll: Duration,
}

impl Default for KubeSettings {
    fn default() -> Self {
        KubeSettings {
            smoke_image: "busybox:1.36".into(),
            repository: None,
            storage_class: None,
            max_poll: Duration::from_secs(15),
        }
    }
}

/// Restores into the DRC's cluster.
#[derive(Clone)]
pub struct KubeWork {
    client: Client,
    runtime: tokio::runtime::Handle,
    settings: KubeSettings,
}

impl std::fmt::Debug for KubeWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeWork")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> WorkError {
    WorkError::Failed(format!("{what}: {e}"))
}

fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}

fn is_missing(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 404)
}

fn left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

fn placement(p: Option<&Placement>) -> Result<&Placement, WorkError> {
    let p = p.ok_or_else(|| {
        WorkError::Invalid(
            "placement: the Kubernetes work needs the failover, member and namespace".into(),
        )
    })?;
    for (field, v) in [
        ("placement.failover", &p.failover),
        ("placement.member", &p.member),
        ("placement.namespace", &p.namespace),
    ] {
        if v.is_empty() {
            return Err(WorkError::Invalid(format!("{field} is empty")));
        }
    }
    Ok(p)
}

impl KubeWork {
    /// The work over `client`, run on `runtime`.
    pub fn new(client: Client, runtime: tokio::runtime::Handle, settings: KubeSettings) -> Self {
        KubeWork {
            client,
            runtime,
            settings,
        }
    }

    async fn pause(&self, wait: Wait) -> Result<(), Text> {
        match wait {
            Wait::Again(d) => {
                tokio::time::sleep(d.min(self.settings.max_poll)).await;
                Ok(())
            }
            Wait::GiveUp(why) => Err(why),
        }
    }

    /// The drill namespace: created with its labels and isolation, or, when it exists,
    /// checked to be a drill namespace (never restore a drill into a member namespace).
    /// Returns the namespace's labels.
    async fn drill_namespace(
        &self,
        p: &Placement,
        name: &str,
    ) -> Result<BTreeMap<String, String>, WorkError> {
        let api = Api::<Namespace>::all(self.client.clone());
        let labels = match api.get_opt(name).await.map_err(|e| failed(name, e))? {
            Some(ns) => {
                drc::may_discard(name, ns.labels()).map_err(|t| WorkError::Invalid(t.en))?;
                ns.labels().clone()
            }
            None => {
                let labels = drc::drill_namespace_labels(p);
                let ns = Namespace {
                    metadata: ObjectMeta {
                        name: Some(name.to_string()),
                        labels: Some(labels.clone()),
                        ..ObjectMeta::default()
                    },
                    ..Namespace::default()
                };
                match api.create(&PostParams::default(), &ns).await {
                    Ok(_) => labels,
                    // Created meanwhile (another attempt): read what is there.
                    Err(e) if is_conflict(&e) => {
                        let ns = api.get(name).await.map_err(|e| failed(name, e))?;
                        drc::may_discard(name, ns.labels())
                            .map_err(|t| WorkError::Invalid(t.en))?;
                        ns.labels().clone()
                    }
                    Err(e) => return Err(failed(&format!("create namespace {name}"), e)),
                }
            }
        };
        let policies = Api::<NetworkPolicy>::namespaced(self.client.clone(), name);
        for np in drc::isolation_policies(name) {
            match policies.create(&PostParams::default(), &np).await {
                Ok(_) => {}
                Err(e) if is_conflict(&e) => {}
                Err(e) => return Err(failed(&format!("NetworkPolicy in {name}"), e)),
            }
        }
        Ok(labels)
    }

    /// Copies the Secrets the drill's Restore mounts (the repository's S3 credentials and
    /// key, `drc::drill_secret_names`) from the member namespace into the drill namespace
    /// `ns`, whose labels were checked (`drc::secret_copy_action` checks them again). The
    /// agent may read Secrets only in agency namespaces, so it cannot look at a copy: a
    /// refused create means one is there, and it is replaced (the API server writes nothing
    /// when the content is the same). Messages name Secrets, never their data.
    async fn copy_drill_secrets(
        &self,
        p: &Placement,
        repository: &str,
        ns: &str,
        ns_labels: &BTreeMap<String, String>,
    ) -> Result<(), WorkError> {
        let repo = Api::<BackupRepository>::all(self.client.clone())
            .get_opt(repository)
            .await
            .map_err(|e| failed(&format!("BackupRepository {repository}"), e))?
            .ok_or_else(|| {
                WorkError::Invalid(format!(
                    "BackupRepository {repository} does not exist at this site: a drill's Restore reads it"
                ))
            })?;
        let agency = Api::<Agency>::all(self.client.clone())
            .list(&ListParams::default())
            .await
            .map_err(|e| failed("Agencies", e))?
            .items
            .into_iter()
            .find(|a| a.spec.code == repo.spec.agency)
            .ok_or_else(|| {
                WorkError::Invalid(format!(
                    "Agency {} (of BackupRepository {repository}) does not exist at this site",
                    repo.spec.agency
                ))
            })?;
        let names = drc::drill_secret_names(p, repository, &repo.spec, &agency.spec)
            .map_err(|t| WorkError::Invalid(t.en))?;
        let sources = Api::<Secret>::namespaced(self.client.clone(), &p.namespace);
        let copies = Api::<Secret>::namespaced(self.client.clone(), ns);
        for name in names {
            let source = sources
                .get_opt(&name)
                .await
                .map_err(|e| failed(&format!("read Secret {}/{name}", p.namespace), e))?
                .ok_or_else(|| {
                    WorkError::Invalid(format!(
                        "Secret {}/{name} (of BackupRepository {repository}) does not exist: the drill's restore needs it",
                        p.namespace
                    ))
                })?;
            let want = drc::drill_secret_copy(p, &source);
            let mut action = drc::secret_copy_action(ns, ns_labels, &want, None)
                .map_err(|t| WorkError::Invalid(t.en))?;
            if action == SecretCopy::Create {
                match copies.create(&PostParams::default(), &want).await {
                    Ok(_) => {}
                    Err(e) if is_conflict(&e) => {
                        let unknown = drc::secret_copy_unknown();
                        action = drc::secret_copy_action(ns, ns_labels, &want, Some(&unknown))
                            .map_err(|t| WorkError::Invalid(t.en))?;
                    }
                    Err(e) => return Err(failed(&format!("copy Secret {name} into {ns}"), e)),
                }
            }
            if action == SecretCopy::Replace {
                copies
                    .replace(&name, &PostParams::default(), &want)
                    .await
                    .map_err(|e| failed(&format!("replace Secret {ns}/{name}"), e))?;
            }
            tracing::info!(secret = %name, from = %p.namespace, namespace = %ns, ?action, "repository Secret copied into the drill namespace");
        }
        Ok(())
    }

    async fn restore_async(
        &self,
        job: &RestoreJob,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report, WorkError> {
        let p = placement(job.placement.as_ref())?;
        if p.pvc.is_empty() {
            return Err(WorkError::Invalid("placement.pvc is empty".into()));
        }
        let repository = drc::restore_repository(self.settings.repository.as_deref(), p);
        if repository.is_empty() {
            return Err(WorkError::Invalid(
                "placement.repository is empty and the agent has no --restore-repository".into(),
            ));
        }
        let ns = drc::target_namespace(p);
        if p.kind == FailoverType::Drill {
            let labels = self.drill_namespace(p, &ns).await?;
            // The Restore's mover Pod mounts these from its own namespace.
            self.copy_drill_secrets(p, &repository, &ns, &labels)
                .await?;
        } else if Api::<Namespace>::all(self.client.clone())
            .get_opt(&ns)
            .await
            .map_err(|e| failed(&ns, e))?
            .is_none()
        {
            return Err(WorkError::Invalid(format!(
                "namespace {ns} does not exist at this site: the Agency controller creates it"
            )));
        }
        let want = drc::restore_object(
            p,
            &ns,
            &job.snapshot,
            &job.request_id,
            job.epoch,
            &repository,
            self.settings.storage_class.as_deref(),
        );
        let name = want.name_any();
        let api = Api::<Restore>::namespaced(self.client.clone(), &ns);
        let found = api.get_opt(&name).await.map_err(|e| failed(&name, e))?;
        let decision = drc::existing_restore(
            found.as_ref().map(|r| {
                (
                    r.status.as_ref().and_then(|s| s.phase),
                    r.annotations()
                        .get(drc::REQUEST_ANNOTATION)
                        .map(String::as_str)
                        .unwrap_or_default(),
                )
            }),
            &job.request_id,
        );
        tracing::info!(restore = %name, namespace = %ns, ?decision, "restore at the DRC");
        match decision {
            Existing::Create => create_restore(&api, &want).await?,
            Existing::Replace => {
                match api.delete(&name, &DeleteParams::default()).await {
                    Ok(_) => {}
                    Err(e) if is_missing(&e) => {}
                    Err(e) => return Err(failed(&format!("delete Restore {name}"), e)),
                }
                // A failed attempt leaves a half-filled PVC, and a restore never writes into
                // a non-empty one. In a drill namespace (its label checked above) it is a
                // copy: remove it. In a member namespace it is left for a person.
                if p.kind == FailoverType::Drill {
                    let pvcs = Api::<PersistentVolumeClaim>::namespaced(self.client.clone(), &ns);
                    match pvcs.delete(&p.pvc, &DeleteParams::default()).await {
                        Ok(_) => {}
                        Err(e) if is_missing(&e) => {}
                        Err(e) => return Err(failed(&format!("delete PVC {ns}/{}", p.pvc), e)),
                    }
                }
                create_restore(&api, &want).await?;
            }
            Existing::Failed => {
                return Err(WorkError::Failed(format!(
                    "Restore {ns}/{name} failed{}",
                    found.as_ref().map(restore_reason).unwrap_or_default()
                )));
            }
            Existing::Wait => {}
        }
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let r = api
                .get_opt(&name)
                .await
                .map_err(|e| failed(&name, e))?
                .ok_or_else(|| WorkError::Failed(format!("Restore {ns}/{name} disappeared")))?;
            let st = r.status.clone().unwrap_or_default();
            match st.phase {
                Some(RestorePhase::Completed) => {
                    let (files, bytes) = (st.files.unwrap_or(0), st.bytes.unwrap_or(0));
                    progress(Progress { files, bytes });
                    return Ok(Report {
                        files,
                        bytes,
                        checksum: format!("snapshot:{}", st.snapshot_id.unwrap_or_default()),
                        matches: st.mismatches.unwrap_or(0) == 0,
                        ..Report::default()
                    });
                }
                Some(RestorePhase::Failed) => {
                    return Err(WorkError::Failed(format!(
                        "Restore {ns}/{name} failed{}",
                        restore_reason(&r)
                    )));
                }
                _ => {}
            }
            let wait = drc::keep_waiting(
                &format!("Restore {ns}/{name}"),
                started.elapsed(),
                attempt,
                drc::MAX_RESTORE_WAIT,
                left(job.deadline),
            );
            self.pause(wait)
                .await
                .map_err(|t| WorkError::Failed(t.en))?;
            attempt += 1;
        }
    }

    async fn verify_async(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        let p = placement(job.placement.as_ref())?;
        let ns = drc::target_namespace(p);
        let restores = Api::<Restore>::namespaced(self.client.clone(), &ns)
            .list(&ListParams::default().labels(&drc::restores_selector(&p.failover, &p.member)))
            .await
            .map_err(|e| failed(&format!("Restores in {ns}"), e))?
            .items;
        let checksums = drc::restores_verified(&restores);
        let mut report = Report {
            files: restores
                .iter()
                .filter_map(|r| r.status.as_ref()?.files)
                .sum(),
            bytes: restores
                .iter()
                .filter_map(|r| r.status.as_ref()?.bytes)
                .sum(),
            checksum: restores
                .iter()
                .filter_map(|r| r.status.as_ref()?.snapshot_id.clone())
                .map(|id| format!("snapshot:{id}"))
                .collect::<Vec<_>>()
                .join(","),
            matches: checksums.is_ok(),
            ..Report::default()
        };
        if let Err(why) = checksums {
            // Workloads on data that does not match the snapshot prove nothing.
            let not_run = CheckOutcome::new(CheckState::Skipped, why);
            report.readiness = Some(not_run.clone());
            report.smoke = Some(not_run);
            return Ok(report);
        }
        let readiness = match &job.readiness {
            None => drc::readiness_not_configured(),
            Some(check) => self.readiness(&ns, check, job.deadline).await?,
        };
        let smoke = match (&job.smoke, readiness.state) {
            (None, _) => drc::smoke_not_configured(),
            (Some(_), CheckState::Failed) => CheckOutcome::new(
                CheckState::Skipped,
                pusdata_core::t!("shell-agent-run-workloads-ready"),
            ),
            (Some(check), _) => {
                self.smoke(p, &ns, check, &job.request_id, job.deadline)
                    .await?
            }
        };
        report.readiness = Some(readiness);
        report.smoke = Some(smoke);
        Ok(report)
    }

    async fn workloads(
        &self,
        ns: &str,
        selector: &std::collections::BTreeMap<String, String>,
    ) -> Result<Vec<Workload>, WorkError> {
        let labels = selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let lp = ListParams::default().labels(&labels);
        let mut out = Vec::new();
        for d in Api::<Deployment>::namespaced(self.client.clone(), ns)
            .list(&lp)
            .await
            .map_err(|e| failed(&format!("Deployments in {ns}"), e))?
        {
            let st = d.status.clone().unwrap_or_default();
            out.push(Workload {
                name: format!("Deployment/{}", d.name_any()),
                desired: d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                ready: st.ready_replicas.unwrap_or(0),
                updated: st.updated_replicas.unwrap_or(0),
                observed: st.observed_generation >= d.metadata.generation,
            });
        }
        for s in Api::<StatefulSet>::namespaced(self.client.clone(), ns)
            .list(&lp)
            .await
            .map_err(|e| failed(&format!("StatefulSets in {ns}"), e))?
        {
            let st = s.status.clone().unwrap_or_default();
            out.push(Workload {
                name: format!("StatefulSet/{}", s.name_any()),
                desired: s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                ready: st.ready_replicas.unwrap_or(0),
                updated: st.updated_replicas.unwrap_or(0),
                observed: st.observed_generation >= s.metadata.generation,
            });
        }
        Ok(out)
    }

    async fn readiness(
        &self,
        ns: &str,
        check: &drc::ReadinessCheck,
        deadline: Option<Instant>,
    ) -> Result<CheckOutcome, WorkError> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let verdict = drc::readiness(&self.workloads(ns, &check.selector).await?);
            if matches!(verdict, Readiness::Ready(_)) {
                return Ok(drc::readiness_outcome(&verdict, None));
            }
            let wait = drc::keep_waiting(
                &format!("readiness in {ns}"),
                started.elapsed(),
                attempt,
                check.timeout,
                left(deadline),
            );
            if let Err(why) = self.pause(wait).await {
                return Ok(drc::readiness_outcome(&verdict, Some(&why)));
            }
            attempt += 1;
        }
    }

    async fn smoke(
        &self,
        p: &Placement,
        ns: &str,
        check: &drc::SmokeCheck,
        request_id: &str,
        deadline: Option<Instant>,
    ) -> Result<CheckOutcome, WorkError> {
        let name = drc::smoke_job_name(&p.member, request_id);
        let jobs = Api::<Job>::namespaced(self.client.clone(), ns);
        let job = drc::smoke_job(&drc::SmokeJobInput {
            name: &name,
            namespace: ns,
            placement: p,
            check,
            default_image: &self.settings.smoke_image,
        });
        match jobs.create(&PostParams::default(), &job).await {
            Ok(_) => {}
            // A retry of the same request finds the Job it started.
            Err(e) if is_conflict(&e) => {}
            Err(e) => return Err(failed(&format!("smoke Job {ns}/{name}"), e)),
        }
        let started = Instant::now();
        let mut attempt = 0;
        // The Job's own deadline kills the command; a minute more for the Job to say so.
        let limit = check.timeout + Duration::from_secs(60);
        loop {
            let j = jobs.get(&name).await.map_err(|e| failed(&name, e))?;
            let st = j.status.unwrap_or_default();
            match drc::smoke_state(st.succeeded.unwrap_or(0), st.failed.unwrap_or(0)) {
                SmokeState::Passed => {
                    return Ok(CheckOutcome::new(
                        CheckState::Passed,
                        pusdata_core::t!("shell-agent-exited", check = &check.command.join(" ")),
                    ));
                }
                SmokeState::Failed => {
                    let tail = self.smoke_output(ns, &name).await?;
                    return Ok(CheckOutcome::new(
                        CheckState::Failed,
                        pusdata_core::t!(
                            "shell-agent-failed",
                            check = &check.command.join(" "),
                            tail = &tail
                        ),
                    ));
                }
                SmokeState::Running => {}
            }
            let wait = drc::keep_waiting(
                &format!("smoke Job {ns}/{name}"),
                started.elapsed(),
                attempt,
                limit,
                left(deadline),
            );
            if let Err(why) = self.pause(wait).await {
                return Ok(CheckOutcome::new(CheckState::Failed, why));
            }
            attempt += 1;
        }
    }

    /// The exit code and output tail the smoke Pod left in its termination message
    /// (`FallbackToLogsOnError`), without secrets.
    async fn smoke_output(&self, ns: &str, job: &str) -> Result<String, WorkError> {
        let pods = Api::<Pod>::namespaced(self.client.clone(), ns)
            .list(&ListParams::default().labels(&format!("{}={job}", drc::SMOKE_LABEL)))
            .await
            .map_err(|e| failed(&format!("smoke Pods in {ns}"), e))?;
        let term = pods.items.iter().find_map(|p| {
            p.status
                .as_ref()?
                .container_statuses
                .as_ref()?
                .iter()
                .find_map(|c| c.state.as_ref()?.terminated.clone())
        });
        Ok(match term {
            Some(t) => format!(
                "exit {}: {}",
                t.exit_code,
                drc::output_tail(
                    t.message.as_deref().unwrap_or_default(),
                    drc::OUTPUT_TAIL_CHARS
                )
            ),
            None => "no exit status (killed at its deadline?)".into(),
        })
    }

    async fn discard_async(&self, job: &DiscardJob) -> Result<Report, WorkError> {
        let p = job.placement.as_ref().ok_or_else(|| {
            WorkError::Invalid("placement: the Kubernetes work needs the failover".into())
        })?;
        if p.kind != FailoverType::Drill || p.failover.is_empty() {
            return Err(WorkError::Invalid(
                "only a drill's isolated namespaces are removed (placement.kind Drill, placement.failover set)".into(),
            ));
        }
        let api = Api::<Namespace>::all(self.client.clone());
        let namespaces: Vec<Namespace> = if p.namespace.is_empty() {
            let by_failover = format!("{}={}", drc::FAILOVER_LABEL, drc::label_value(&p.failover));
            api.list(&ListParams::default().labels(&by_failover))
                .await
                .map_err(|e| failed("namespaces of the drill", e))?
                .items
        } else {
            let name = drc::drill_namespace(&p.failover, &p.namespace);
            api.get_opt(&name)
                .await
                .map_err(|e| failed(&name, e))?
                .into_iter()
                .collect()
        };
        // Check all before deleting any: one namespace without the drill label stops the
        // teardown, so a mislabelled member namespace is never touched.
        for ns in &namespaces {
            drc::may_discard(&ns.name_any(), ns.labels()).map_err(|t| WorkError::Invalid(t.en))?;
        }
        let mut report = Report {
            matches: true,
            ..Report::default()
        };
        for ns in &namespaces {
            let name = ns.name_any();
            let restores = Api::<Restore>::namespaced(self.client.clone(), &name)
                .list(&ListParams::default())
                .await
                .map_err(|e| failed(&format!("Restores in {name}"), e))?;
            for r in restores.items.iter().filter_map(|r| r.status.as_ref()) {
                report.files += r.files.unwrap_or(0);
                report.bytes += r.bytes.unwrap_or(0);
            }
            match api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => tracing::info!(namespace = %name, "drill namespace removed"),
                Err(e) if is_missing(&e) => {}
                Err(e) => return Err(failed(&format!("delete namespace {name}"), e)),
            }
        }
        report.checksum = format!("{} namespace(s)", namespaces.len());
        Ok(report)
    }
}

async fn create_restore(api: &Api<Restore>, want: &Restore) -> Result<(), WorkError> {
    match api.create(&PostParams::default(), want).await {
        Ok(_) => Ok(()),
        Err(e) if is_conflict(&e) => Ok(()),
        Err(e) => Err(failed(&format!("create Restore {}", want.name_any()), e)),
    }
}

fn restore_reason(r: &Restore) -> String {
    r.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.status == "False"))
        .map(|c| format!(": {} ({})", c.message, c.reason))
        .unwrap_or_default()
}

impl SiteWork for KubeWork {
    fn restore(
        &self,
        job: &RestoreJob,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report, WorkError> {
        self.runtime.block_on(self.restore_async(job, progress))
    }

    fn verify(&self, job: &VerifyJob) -> Result<Report, WorkError> {
        self.runtime.block_on(self.verify_async(job))
    }

    fn discard(&self, job: &DiscardJob) -> Result<Report, WorkError> {
        self.runtime.block_on(self.discard_async(job))
    }
}

#[cfg(test)]
mod tests;
