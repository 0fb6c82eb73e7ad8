//! The Failover controller: executes a drill, failover or failback of a
//! `DisasterRecoveryPlan` (DR-PLAN, SEC-INCIDENT).
//!
//! One reconcile is one read → one decision → one apply, as in the schedule controller:
//! - **read** the Failover, its plan, the two Sites, the plan's Backups and repositories (and,
//!   before the first step, the plan's live sources), the sign-offs, and the epoch each
//!   site's agent answers a heartbeat with (the heartbeat carries the epoch held, so a fenced
//!   site learns it and stands down);
//! - **decide** with one call of `pusdata_core::dr::failover::decide`: the status to write
//!   (steps, phase, epoch, conditions) and at most one piece of work;
//! - **apply**: do that work — the steps recorded as running, together, through the site
//!   agents (gRPC, mTLS, `work`), the [`TrafficSwitch`] or the final sync's Backups; or the
//!   report when the execution ended — fold its outcome into the status, and write the status
//!   once, conditionally on the resourceVersion read (a deposed leader gets a conflict).
//!
//! A step is recorded as running by one pass and done by the next, so a crash never loses
//! one: a pass that dies after its work and before its write is repeated with the same
//! epoch and attempt, so the same request ids, which the agents answer from their record.
//!
//! Fencing: the `fence` step mints epoch + 1 (recorded before any site hears of it), demotes
//! the site being left (when it answers) and promotes the site taking over at that epoch.
//! Every later piece of work is stamped with it, and a site refuses work stamped with an
//! older epoch. Losing the peer only changes `peerReachable`: the final sync then waits, or
//! is skipped when the Failover says `acceptDataLoss` — this controller never starts a
//! failover by itself.
//!
//! When the execution ends, the written report (HTML with an SVG timeline and Markdown, both
//! languages) goes into the ConfigMap `failover-<name>-report` in the platform namespace and
//! is linked from the status with its SHA-256.

use super::permission::Permission;
use super::{Context, Error, cache};
use crate::controllers::status_patch;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::controller::Action as KubeAction;
use kube::{Resource, ResourceExt};
use pusdata::report::{self, ReportInput};
use pusdata_core::conditions;
use pusdata_core::dr::failover::{Decision, Epochs, Observed, Work};
use pusdata_core::dr::{self, check::Measurements};
use pusdata_core::i18n::Text;
use pusdata_core::t;
use pusdata_crds::v1alpha1::{
    Backup, BackupRepository, DisasterRecoveryPlan, Failover, FailoverPhase, FailoverStatus,
    FailoverType, Member, RecordedIdentity, ReportRef, Site,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
/// API calls of this controller (see `rbac`).
pub const PERMISSIONS: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "failovers",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "failovers/status",
        verbs: &["patch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["get"],
    },
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["get"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["list", "watch", "create"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["list"],
    },
    Permission {
        group: "",
        resource: "persistentvolumeclaims",
        verbs: &["list"],
    },
    Permission {
        group: "",
        resource: "services",
        verbs: &["list", "patch"],
    },
    Permission {
        group: "networking.k8s.io",
        resource: "ingresses",
        verbs: &["list", "patch"],
    },
];

/// Calls made only in the platform namespace (the Sites' agent TLS Secrets, the report
/// ConfigMaps): granted by the operator's Role there, never cluster-wide.
pub const NAMESPACE_PERMISSIONS: &[Permission] = &[
    Permission {
        group: "",
        resource: "configmaps",
        // create: the report ConfigMap is applied once per execution, absent the first time.
        verbs: &["create", "patch"],
    },
    Permission {
        group: "",
        resource: "secrets",
        verbs: &["get"],
    },
];

/// Label on the Backups a final sync creates: the Failover they belong to.
pub use pusdata_core::dr::restore::FAILOVER_LABEL;
/// Annotation prefix of a sign-off: `approval.pusdata.io/<step id>` holds the JSON of a
/// `RecordedIdentity` (written by `pusdata drill approve`, stamped by the mutating webhook:
/// `policy::review_signoffs`).
pub use pusdata_core::policy::APPROVAL_PREFIX;
/// Annotation on a Backup: the tree checksum of what was backed up, compared after restore.
pub const CHECKSUM_ANNOTATION: &str = "pusdata.io/tree-checksum";

mod agents;
mod traffic;
mod work;

pub use agents::{GrpcAgents, SiteAgents};
pub use traffic::{ServiceSwitch, TrafficSwitch};

/// The controller's context: the shared one, plus how steps reach the sites.
#[derive(Clone)]
pub struct FailoverContext {
    /// API client, clock, platform namespace, metrics.
    pub base: Context,
    /// The site agents.
    pub agents: Arc<dyn SiteAgents>,
    /// The traffic switch.
    pub traffic: Arc<dyn TrafficSwitch>,
    /// The decision of a pass: `dr::failover::decide` (a test counts its calls).
    pub decide: Decide,
}

/// How a pass decides.
pub type Decide = fn(&Observed<'_>) -> Result<Decision, Text>;

/// What one reconcile did, for tests and logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The phase written.
    pub phase: FailoverPhase,
    /// Steps this reconcile did (or did again) and recorded as finished.
    pub executed: Vec<String>,
    /// Steps this reconcile recorded as started (done by the next one).
    pub started: Vec<String>,
    /// When to look again; `None`: only on a change.
    pub requeue: Option<Duration>,
}

/// Reconciles one Failover: one pass per call; looked at again at once while it moves, every
/// 30 s while it waits for a person, 10 s while work runs or the peer is away, never again
/// once finished (`dr::failover::decide`).
pub async fn reconcile(fo: Arc<Failover>, ctx: Arc<FailoverContext>) -> Result<KubeAction, Error> {
    Ok(match reconcile_once(&fo, &ctx).await?.requeue {
        Some(after) => KubeAction::requeue(after),
        None => KubeAction::await_change(),
    })
}

/// Everything read from the cluster for one reconcile.
struct World {
    plan: DisasterRecoveryPlan,
    primary: Site,
    drc: Site,
    backups: Vec<Backup>,
    /// Shared with the store when cached: read by the report and the final sync only.
    repositories: Vec<Arc<BackupRepository>>,
}

impl World {
    /// (site being left, site taking over).
    fn sides(&self, kind: FailoverType) -> (&Site, &Site) {
        match kind {
            FailoverType::Failback => (&self.drc, &self.primary),
            _ => (&self.primary, &self.drc),
        }
    }

    fn member(&self, name: &str) -> Option<&Member> {
        dr::members(&self.plan.spec)
            .into_iter()
            .map(|(_, m)| m)
            .find(|m| m.name == name)
    }
}

/// Reads the Failover's world: on the primary from the shared caches (`cache`), at the DRC
/// (no caches) from the API server, as the Restore and Site controllers do.
async fn read_world(fo: &Failover, ctx: &Context) -> Result<World, Error> {
    let plan = cache::named::<DisasterRecoveryPlan>(ctx, &fo.spec.plan)
        .await?
        .ok_or_else(|| {
            Error::InvalidSpec(format!(
                "spec.plan: DisasterRecoveryPlan {} not found (DR-PLAN)",
                fo.spec.plan
            ))
        })?;
    let site = |name: String, field: &'static str| async move {
        cache::named::<Site>(ctx, &name).await?.ok_or_else(|| {
            Error::InvalidSpec(format!("plan {field}: Site {name} not found (DR-FAR)"))
        })
    };
    let primary = site(plan.spec.primary_site.clone(), "spec.primarySite").await?;
    let drc = site(plan.spec.drc_site.clone(), "spec.drcSite").await?;
    let plan_name = plan.name_any();
    // Only this plan's runs are copied out of the store, not every run of the city.
    let backups = cache::matching::<Backup>(ctx, |b| b.spec.plan == plan_name).await?;
    let repositories = cache::shared::<BackupRepository>(ctx).await?;
    Ok(World {
        plan,
        primary,
        drc,
        backups,
        repositories,
    })
}
/// Sign-offs recorded on the Failover by `pusdata drill approve`. Trusted because the
/// mutating webhook re-writes every new one with the authenticated requester and refuses
/// changes to recorded ones (docs/reference/failover.md, "Approvals").
pub fn approvals(fo: &Failover) -> BTreeMap<String, RecordedIdentity> {
    pusdata_core::policy::signoff::signoff_annotations(fo.annotations())
        .into_iter()
        .filter_map(|(step, v)| {
            let who: RecordedIdentity = serde_json::from_str(v).ok()?;
            Some((step.to_string(), who))
        })
        .collect()
}

/// Heartbeat to a site: its epoch, or why it did not answer.
async fn heartbeat(
    ctx: &FailoverContext,
    site: &Site,
    from: &str,
    epoch: u64,
) -> Result<u64, String> {
    let c = ctx.agents.agent(site).await.map_err(|e| e.to_string())?;
    c.heartbeat(from, epoch)
        .await
        .map(|h| h.epoch)
        .map_err(|e| e.to_string())
}

/// One pass: read, decide once (`ctx.decide`), do at most the one piece of work decided, and
/// write the status once.
pub async fn reconcile_once(fo: &Failover, ctx: &FailoverContext) -> Result<Outcome, Error> {
    let before = fo.status.clone().unwrap_or_default();
    if dr::failover::finished(before.phase) {
        return Ok(Outcome {
            phase: before.phase.unwrap_or_default(),
            executed: Vec::new(),
            started: Vec::new(),
            requeue: None,
        });
    }

    // Read.
    let world = read_world(fo, &ctx.base).await?;
    // The live sources choose the restore targets when the execution starts; afterwards
    // they are read back from the recorded steps.
    let sources = if before.steps.is_empty() {
        super::schedule::sources(&world.plan, &ctx.base).await?
    } else {
        Vec::new()
    };
    let (from, to) = world.sides(fo.spec.kind);
    let me = to.name_any();
    let held = dr::failover::announced_epoch(&before);
    let leaving = heartbeat(ctx, from, &me, held).await;
    let taking_over = heartbeat(ctx, to, &me, held).await;
    if let Err(e) = &leaving {
        tracing::info!(site = %from.name_any(), error = %e, "site being left does not answer");
    }
    let name = fo.name_any();
    let approvals = approvals(fo);
    let recorded = |s: &Site| s.status.as_ref().and_then(|s| s.epoch);

    // Decide.
    let mut decision = (ctx.decide)(&Observed {
        plan: &world.plan,
        name: &name,
        spec: &fo.spec,
        generation: fo.metadata.generation,
        status: &before,
        sources: &sources,
        backups: &world.backups,
        epochs: Epochs {
            leaving: leaving.ok(),
            taking_over: taking_over.ok(),
            recorded: [recorded(&world.primary), recorded(&world.drc)],
        },
        approvals: &approvals,
        now: (ctx.base.clock)(),
    })
    .map_err(|t| Error::InvalidSpec(t.to_string()))?;

    // Apply.
    let mut executed = Vec::new();
    match &decision.work {
        Work::Nothing => {}
        Work::Run {
            steps,
            epoch,
            scope,
        } => {
            let results =
                work::run_all(ctx, fo, &world, &decision.status, scope, steps, *epoch).await;
            executed = decision.record(&results, (ctx.base.clock)());
        }
        Work::Finish { .. } => match write_report(fo, ctx, &world, &decision.status).await {
            Ok(reference) => decision.status.report = Some(reference),
            Err(e) => {
                report_not_written(fo, ctx, &e).await;
                return Err(e);
            }
        },
    }
    write_status(fo, ctx, &before, &decision.status).await?;
    if let Work::Finish { succeeded } = decision.work {
        let rto: Vec<(String, Option<u64>, u64)> = decision
            .status
            .tiers
            .iter()
            .map(|t| (t.tier.clone(), t.rto_achieved_seconds, t.rto_target_seconds))
            .collect();
        let outcome = if succeeded { "Succeeded" } else { "Failed" };
        ctx.base
            .metrics
            .failover_finished(&fo.spec.plan, kind_label(fo.spec.kind), outcome, &rto);
    }
    tracing::debug!(failover = %name, action = ?decision.action, ?executed, "reconciled");
    Ok(Outcome {
        phase: decision.status.phase.unwrap_or_default(),
        requeue: if executed.is_empty() {
            decision.requeue
        } else {
            Some(dr::failover::AGAIN)
        },
        executed,
        started: decision.started,
    })
}

/// Writes the status when it changed, on the condition that the object is still at the
/// resourceVersion this pass read: the steps list is replaced whole, so a writer that read
/// an older object — a deposed leader, a stale cache — gets 409 Conflict instead of
/// overwriting newer progress. Then publishes the condition and step transitions as Events.
async fn write_status(
    fo: &Failover,
    ctx: &FailoverContext,
    before: &FailoverStatus,
    status: &FailoverStatus,
) -> Result<(), Error> {
    if status == before {
        return Ok(());
    }
    let patch = serde_json::json!({
        "metadata": {"resourceVersion": fo.metadata.resource_version.as_deref()},
        "status": status_patch(before, status)?,
    });
    Api::<Failover>::all(ctx.base.client.clone())
        .patch_status(
            &fo.name_any(),
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
    let mut changes = conditions::transitions(&before.conditions, &status.conditions);
    changes.extend(dr::steps::step_transitions(&before.steps, &status.steps));
    super::events::publish_transitions(&ctx.base, fo, changes).await;
    Ok(())
}

/// The report of an ended execution (with the plan's check findings), applied to its
/// ConfigMap; the reference to it, with the SHA-256 of the HTML, goes into the status.
async fn write_report(
    fo: &Failover,
    ctx: &FailoverContext,
    world: &World,
    status: &FailoverStatus,
) -> Result<ReportRef, Error> {
    let name = fo.name_any();
    let repositories: Vec<BackupRepository> =
        world.repositories.iter().map(|r| (**r).clone()).collect();
    let findings = dr::check::check_plan(
        &world.plan,
        &[world.primary.clone(), world.drc.clone()],
        &repositories,
        &Measurements::default(),
    );
    let cm_name = format!("failover-{name}-report");
    let mut reference = ReportRef {
        config_map: Some(cm_name.clone()),
        url: None,
        sha256: None,
    };
    let mut shown = fo.clone();
    shown.status = Some(FailoverStatus {
        report: Some(reference.clone()),
        ..status.clone()
    });
    let rendered = report::render(&ReportInput {
        plan: &world.plan,
        failover: &shown,
        findings: &findings,
        generated_at: (ctx.base.clock)(),
    });
    reference.sha256 = Some(rendered.html_sha256.clone());
    let mut cm = ConfigMap::default();
    cm.metadata.name = Some(cm_name.clone());
    cm.metadata.namespace = Some(ctx.base.platform_namespace.clone());
    cm.metadata.labels = Some([(FAILOVER_LABEL.to_string(), name.clone())].into());
    cm.data = Some(
        [
            ("report.html".to_string(), rendered.html),
            ("report.md".to_string(), rendered.markdown),
            (
                "report.html.sha256".to_string(),
                format!("{}  report.html\n", rendered.html_sha256),
            ),
        ]
        .into(),
    );
    Api::<ConfigMap>::namespaced(ctx.base.client.clone(), &ctx.base.platform_namespace)
        .patch(
            &cm_name,
            &PatchParams::apply(super::FIELD_MANAGER).force(),
            &Patch::Apply(&cm),
        )
        .await?;
    Ok(reference)
}

/// The Event reason of a report that could not be written.
pub const REPORT_NOT_WRITTEN: &str = "ReportNotWritten";

/// The execution ended but its report could not be applied (on a real cluster: a 403 when
/// the operator's Role lacks `create` on ConfigMaps). The status is not written — the next
/// pass tries again, with backoff — so without this `Warning` Event on the Failover, naming
/// the refused request, the people waiting for the report would see nothing at all.
async fn report_not_written(fo: &Failover, ctx: &FailoverContext, error: &Error) {
    let note = t!(
        "shell-failover-report-not-written",
        config_map = format!("failover-{}-report", fo.name_any()),
        namespace = ctx.base.platform_namespace.as_str(),
        error = error.to_string()
    );
    super::events::warn(
        &ctx.base.client,
        &fo.object_ref(&()),
        REPORT_NOT_WRITTEN,
        "WriteReport",
        note.to_string(),
    )
    .await;
}

fn kind_label(kind: FailoverType) -> &'static str {
    match kind {
        FailoverType::Drill => "Drill",
        FailoverType::Failover => "Failover",
        FailoverType::Failback => "Failback",
    }
}

#[cfg(test)]
mod bucket_tests;
#[cfg(test)]
mod tests;
