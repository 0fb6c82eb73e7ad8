//! The retention controller: runs forget + prune for each tier of a plan in each repository
//! its backups went to, on the tier's `retention.schedule` (default daily, spread per
//! repository), as a mover Job under the mover's exclusive repository lock (APP-BACKUP).
//!
//! Pipeline: dereference (the plan's Backup runs, the repositories, the agencies, the
//! retention Jobs and their Pods) → decide per target (`pusdata_core::retention::run`:
//! targets, schedule, step, record — pure) → apply (create the Job; delete it once its
//! result is recorded) → status (`status.retention`, one entry per tier and repository, with
//! its `RetentionApplied` condition), Events on transitions, metrics.
//!
//! One maintenance Job per repository at a time: a due run waits while a Backup of the
//! repository (any plan) or another maintenance Job of it is running. The Job's
//! `--verified` ids are the snapshots of Backups with `verification: Verified`, so the
//! tier's `minVerified` floor holds. Secrets: as the Backup controller, the Job references
//! the repository's Secrets by name in the namespace of the tier's newest completed backup;
//! the operator never reads them (SEC-CIA).

use super::permission::Permission;
use super::{Context, Error};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata_core::backup::job::{self, BACKUP_LABEL, MoverSettings, RetentionJobInput};
use pusdata_core::backup::result::{self, Observed};
use pusdata_core::conditions;
use pusdata_core::repository::{Due, requeue_after};
use pusdata_core::retention::run::{self, MAINTENANCE_LABEL, MAINTENANCE_RETENTION, Step};
use pusdata_crds::v1alpha1::{
    AccessMode, Agency, Backup, BackupRepository, DisasterRecoveryPlan, RetentionStatus,
};
use std::sync::Arc;
use std::time::Duration;

/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["get", "list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["list"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["list"],
    },
    Permission {
        group: "batch",
        resource: "jobs",
        verbs: &["list", "watch", "create", "delete"],
    },
    Permission {
        group: "",
        resource: "pods",
        verbs: &["list"],
    },
];

/// A running or waiting retention run is looked at again this often.
const BUSY_RECHECK: Duration = Duration::from_secs(60);
/// An idle plan is looked at again at least this often (new backups, new targets).
const IDLE_RECHECK: Duration = Duration::from_secs(3600);

/// The controller's context: the shared one and the mover Job settings.
pub struct RetentionContext {
    /// Shared state.
    pub ctx: Arc<Context>,
    /// Mover Job settings (image, resources).
    pub settings: MoverSettings,
}

/// What one pass did, for tests and logs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Jobs created.
    pub started: Vec<String>,
    /// Jobs whose result was recorded (and that were deleted).
    pub finished: Vec<String>,
    /// Due runs postponed, with what they wait for.
    pub waiting: Vec<String>,
    /// Targets skipped: `tier/repository: why`.
    pub invalid: Vec<String>,
    /// When to look again.
    pub requeue: Duration,
}

/// Reconciles one plan.
pub async fn reconcile(
    plan: Arc<DisasterRecoveryPlan>,
    rctx: Arc<RetentionContext>,
) -> Result<Action, Error> {
    let out = reconcile_once(&plan, &rctx).await?;
    Ok(Action::requeue(out.requeue))
}

/// One pass of the pipeline.
pub async fn reconcile_once(
    plan: &DisasterRecoveryPlan,
    rctx: &RetentionContext,
) -> Result<Outcome, Error> {
    let ctx = &rctx.ctx;
    let name = plan.name_any();
    let now = (ctx.clock)();

    // Dereference.
    let backups = Api::<Backup>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let repositories = Api::<BackupRepository>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let jobs = Api::<Job>::all(ctx.client.clone())
        .list(
            &ListParams::default().labels(&format!("{MAINTENANCE_LABEL}={MAINTENANCE_RETENTION}")),
        )
        .await?
        .items;
    let repo_named = |r: &str| repositories.iter().find(|x| x.name_any() == r);
    let targets = run::targets(plan, &backups, &|r| {
        repo_named(r).map(|x| x.spec.agency.clone())
    });
    let old: Vec<RetentionStatus> = plan
        .status
        .as_ref()
        .map(|s| s.retention.clone())
        .unwrap_or_default();

    let mut out = Outcome::default();
    let mut dues = Vec::new();
    let mut entries = Vec::new();
    for t in &targets {
        let Some(tier) = plan.spec.tiers.iter().find(|x| x.name == t.tier) else {
            continue;
        };
        let label = format!("{}/{}", t.tier, t.repository);
        let spec = match run::schedule(&name, tier, &t.repository) {
            Ok(s) => s,
            Err(why) => {
                out.invalid.push(format!("{label}: {why}"));
                continue;
            }
        };
        let jname = run::job_name(&name, &t.tier, &t.repository);
        let prev = old
            .iter()
            .find(|e| e.tier == t.tier && e.repository == t.repository);

        // Our Job (wherever it runs) and the repository's other live maintenance Jobs.
        let ours = jobs.iter().find(|j| j.name_any() == jname);
        let observed = match ours {
            Some(j) => {
                let ns = j.namespace().unwrap_or_default();
                let pods = Api::<Pod>::namespaced(ctx.client.clone(), &ns)
                    .list(&ListParams::default().labels(&format!("{BACKUP_LABEL}={jname}")))
                    .await?
                    .items;
                Some(result::observe(j, &pods))
            }
            None => None,
        };
        let other_maintenance: Vec<String> = jobs
            .iter()
            .filter(|j| {
                j.name_any() != jname
                    && j.labels().get(run::REPOSITORY_LABEL) == Some(&t.repository)
                    && result::observe(j, &[]) == Observed::Running
            })
            .map(|j| format!("{}/{}", j.namespace().unwrap_or_default(), j.name_any()))
            .collect();
        let mut step = run::step(&run::StepInput {
            target: t,
            schedule: &spec,
            status: prev,
            job: observed,
            other_maintenance,
            now,
        });

        // Apply.
        match &step {
            Step::Start => match start(plan, rctx, tier, t, &jname).await? {
                Ok(()) => out.started.push(jname.clone()),
                Err(why) => {
                    out.invalid.push(format!("{label}: {why}"));
                    step = Step::Idle(Due::Never);
                }
            },
            Step::Finish(o) => {
                if let Some(j) = ours {
                    let ns = j.namespace().unwrap_or_default();
                    match Api::<Job>::namespaced(ctx.client.clone(), &ns)
                        .delete(&jname, &DeleteParams::background())
                        .await
                    {
                        Ok(_) => {}
                        Err(kube::Error::Api(e)) if e.code == 404 => {}
                        Err(e) => return Err(e.into()),
                    }
                }
                ctx.metrics.retention_finished(
                    &name,
                    &t.tier,
                    &t.repository,
                    o.reason,
                    o.forgotten,
                    o.ok.then(|| now.as_second() as f64),
                );
                out.finished.push(jname.clone());
            }
            Step::Wait(why) => {
                ctx.metrics.retention_waited(&name, &t.tier, &t.repository);
                tracing::info!(plan = %name, target = %label, blocked_by = %why, "retention run postponed: the repository is busy");
                out.waiting.push(format!("{label}: {why}"));
            }
            Step::Idle(_) | Step::Running => {}
        }
        let last = match &step {
            Step::Start => Some(now),
            _ => prev
                .and_then(|p| p.last_schedule_time.as_ref())
                .map(|t| t.0),
        };
        let next = spec.next_after(last.unwrap_or(now).max(now));
        dues.push(match &step {
            Step::Idle(d) => *d,
            Step::Finish(_) => next.map_or(Due::Never, Due::At),
            // A Job's changes also wake the plan (`.owns`); this is the fallback.
            Step::Start | Step::Running | Step::Wait(_) => Due::At(now + BUSY_RECHECK),
        });
        entries.push(run::record(prev, t, &jname, &step, next, now));
    }

    // Status: only `status.retention` is written (the schedule controller owns the rest).
    let old_conditions = |e: &RetentionStatus| {
        old.iter()
            .find(|o| o.tier == e.tier && o.repository == e.repository)
            .map(|o| o.conditions.clone())
            .unwrap_or_default()
    };
    let changes: Vec<conditions::Transition> = entries
        .iter()
        .flat_map(|e| conditions::transitions(&old_conditions(e), &e.conditions))
        .collect();
    if entries != old {
        let patch = serde_json::json!({"status": {"retention": entries}});
        Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        super::events::publish_transitions(ctx, plan, changes).await;
    }
    out.requeue = requeue_after(&dues, now, Duration::from_secs(5), IDLE_RECHECK);
    Ok(out)
}

/// Creates the Job of a due run. `Ok(Err(why))`: it cannot be built as the world is (no
/// repository, read-only, no key), which is recorded, not retried in a loop.
async fn start(
    plan: &DisasterRecoveryPlan,
    rctx: &RetentionContext,
    tier: &pusdata_crds::v1alpha1::Tier,
    t: &run::Target,
    jname: &str,
) -> Result<Result<(), String>, Error> {
    let ctx = &rctx.ctx;
    let Some(repo) = Api::<BackupRepository>::all(ctx.client.clone())
        .get_opt(&t.repository)
        .await?
    else {
        return Ok(Err(format!(
            "BackupRepository {} does not exist",
            t.repository
        )));
    };
    if repo.spec.access_mode == AccessMode::ReadOnly {
        return Ok(Err(format!(
            "BackupRepository {} is ReadOnly (a DR restore is using it): no prune",
            t.repository
        )));
    }
    let agencies = Api::<Agency>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let Some(agency) = agencies.iter().find(|a| a.spec.code == repo.spec.agency) else {
        return Ok(Err(format!("agency {} does not exist", repo.spec.agency)));
    };
    // SEC-CIA: the Job runs only in a namespace of the repository's own agency.
    if !pusdata_core::tenancy::namespaces_of(agency).contains(&t.namespace) {
        return Ok(Err(format!(
            "SEC-CIA: namespace {} does not belong to agency {}",
            t.namespace, repo.spec.agency
        )));
    }
    let key = match pusdata_core::repository::key_ref(&repo.spec, &agency.spec) {
        Ok(k) => k,
        Err(r) => return Ok(Err(r.message.en)),
    };
    let owner = plan
        .controller_owner_ref(&())
        .ok_or_else(|| Error::InvalidSpec("metadata: the plan has no uid yet".into()))?;
    let built = job::retention_job(&RetentionJobInput {
        name: jname,
        namespace: &t.namespace,
        plan: &plan.name_any(),
        tier,
        repository_name: &t.repository,
        repository: &repo.spec,
        key: &key,
        verified: &t.verified,
        owner,
        settings: &rctx.settings,
    });
    match Api::<Job>::namespaced(ctx.client.clone(), &t.namespace)
        .create(&PostParams::default(), &built)
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(Ok(())),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests;
