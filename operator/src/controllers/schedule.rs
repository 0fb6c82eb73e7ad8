//! The schedule controller: turns each DisasterRecoveryPlan's tiers into `Backup` runs and
//! measures the RPO each tier achieves (DR-PLAN).
//!
//! One read → one decision → one apply: read the plan's sources (PVCs of each member's
//! namespace, its buckets), every run and the repositories from the watched caches; decide
//! the whole pass in the core (`pusdata_core::dr::pass::decide`: due runs, history, the
//! status with its conditions); create and delete the runs it names, write the status when
//! it changed, and publish the metrics. Requeued at the next due time.

use super::metrics::{BucketRef, TierFigures};
use super::permission::Permission;
use super::{Context, Error};
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata_core::dr::{self, SourceRef};
use pusdata_crds::v1alpha1::{Backup, BackupRepository, DisasterRecoveryPlan};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// The RPO gauges and status age between schedule slots; requeue at least this often.
const FRESHNESS_INTERVAL: Duration = Duration::from_secs(300);

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
    // `delete`: finished runs beyond the plan's history limits (`backup::history`).
    Permission {
        group: "pusdata.io",
        resource: "backups",
        verbs: &["list", "watch", "create", "delete"],
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
    // Whether each member's namespace exists (by name).
    Permission {
        group: "",
        resource: "namespaces",
        verbs: &["get"],
    },
];

/// What one pass did, for tests and logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// `Backup` objects created.
    pub created: Vec<String>,
    /// Runs skipped because their source was busy.
    pub skipped: usize,
    /// Runs not created because the agency has no repository at the DRC.
    pub without_repository: Vec<String>,
    /// Members left out because their namespace does not exist.
    pub missing_members: Vec<String>,
    /// When the next schedule fires.
    pub next_due: Option<jiff::Timestamp>,
    /// Finished runs deleted beyond the plan's history limits.
    pub deleted: Vec<String>,
}

/// Reconciles one plan.
pub async fn reconcile(
    plan: Arc<DisasterRecoveryPlan>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let out = reconcile_once(&plan, &ctx).await?;
    let now = (ctx.clock)();
    let wait = out
        .next_due
        .and_then(|n| u64::try_from((n - now).get_seconds()).ok())
        .map(|s| Duration::from_secs(s.max(1)))
        .unwrap_or(FRESHNESS_INTERVAL)
        .min(FRESHNESS_INTERVAL);
    Ok(Action::requeue(wait))
}

/// One pass: read (the plan's sources, its runs and the repositories, from the watched
/// caches), decide (`pusdata_core::dr::pass::decide`), apply (create the due runs, owned by
/// the plan; delete runs beyond the history limits; write the status when it changed) and
/// publish the metrics.
pub async fn reconcile_once(plan: &DisasterRecoveryPlan, ctx: &Context) -> Result<Outcome, Error> {
    let name = plan.name_any();
    // Read. A member whose namespace does not exist is named in the status and left out;
    // the other members' backups go on (one bad member never stops the plan).
    let missing = missing_namespaces(plan, ctx).await?;
    let sources: Vec<SourceRef> = sources(plan, ctx)
        .await?
        .into_iter()
        .filter(|s| !missing.iter().any(|(_, ns)| *ns == s.namespace))
        .collect();
    let backups: Vec<Backup> = super::cache::all_of(ctx).await?;
    let repositories: Vec<BackupRepository> = super::cache::all_of(ctx).await?;

    // Decide.
    let pass = dr::pass::decide(&dr::pass::PassInput {
        plan,
        sources: &sources,
        missing: &missing,
        backups: &backups,
        repositories: &repositories,
        now: (ctx.clock)(),
    });

    // Apply.
    let mut created = Vec::new();
    let mut vanished = Vec::new();
    let owner = plan.controller_owner_ref(&());
    for b in &pass.create {
        let mut b = b.clone();
        b.metadata.owner_references = owner.clone().map(|o| vec![o]);
        let ns = b.namespace().unwrap_or_default();
        match Api::<Backup>::namespaced(ctx.client.clone(), &ns)
            .create(&PostParams::default(), &b)
            .await
        {
            Ok(_) => created.push(b.name_any()),
            // Created by an earlier pass: the deterministic name makes this harmless.
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            // The namespace went away since it was read: the next pass reads it missing.
            Err(kube::Error::Api(e)) if e.code == 404 => {
                vanished.push((b.spec.member.clone(), ns));
            }
            Err(e) => return Err(e.into()),
        }
    }
    let mut deleted = Vec::new();
    for (ns, run) in &pass.delete {
        match Api::<Backup>::namespaced(ctx.client.clone(), ns)
            .delete(run, &kube::api::DeleteParams::default())
            .await
        {
            Ok(_) => deleted.push(run.clone()),
            Err(kube::Error::Api(e)) if e.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
    }
    for (run, blocked_by) in &pass.skipped {
        tracing::info!(plan = %name, %run, %blocked_by, "backup run skipped: the previous run of the source is still going");
    }
    let old = dr::pass::owned_status(plan);
    // A status decided on a namespace that vanished meanwhile is not written: the pass is
    // read again at once (`reconcile` requeues), and then names the member.
    if vanished.is_empty() && pass.status != old {
        let patch = serde_json::json!({"status": pass.status});
        Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        super::events::publish(ctx, plan, &old.conditions, &pass.status.conditions).await;
    }
    publish_metrics(ctx, &name, &pass);
    let mut missing = pass.missing;
    missing.extend(vanished.iter().cloned());
    missing.sort();
    missing.dedup();
    Ok(Outcome {
        created,
        skipped: pass.skipped.len(),
        without_repository: pass.without_repository,
        missing_members: missing.into_iter().map(|(m, _)| m).collect(),
        next_due: if vanished.is_empty() {
            pass.next_due
        } else {
            Some((ctx.clock)())
        },
        deleted,
    })
}

/// The skip counters, the mirror times and the RPO gauges of one pass.
fn publish_metrics(ctx: &Context, plan: &str, pass: &dr::pass::Pass) {
    for (tier, n) in &pass.skipped_per_tier {
        ctx.metrics.backup_skipped(plan, tier, u64::from(*n));
    }
    for t in &pass.status.tiers {
        for bs in &t.buckets {
            if let Some(at) = &bs.last_mirror {
                ctx.metrics.mirror_last_success(
                    BucketRef {
                        plan,
                        tier: &t.name,
                        member: &bs.member,
                        bucket: &bs.bucket,
                    },
                    at.0.as_second() as f64,
                );
            }
        }
    }
    for f in &pass.fresh {
        ctx.metrics.tier_freshness(&TierFigures {
            plan,
            tier: &f.success.tier,
            last_success: f.last_success.map(|t| t.as_second() as f64),
            last_verified: f.last_verified.map(|t| t.as_second() as f64),
            ratio: f.success.ratio,
            verified_ratio: f.verified.ratio,
            target_seconds: f.success.target.as_secs_f64(),
        });
    }
}

/// The members (name, namespace) whose namespace does not exist. Each namespace is looked
/// at once, by name.
async fn missing_namespaces(
    plan: &DisasterRecoveryPlan,
    ctx: &Context,
) -> Result<Vec<(String, String)>, Error> {
    let mut seen: BTreeMap<String, bool> = BTreeMap::new();
    let mut out = Vec::new();
    for (_, m) in dr::members(&plan.spec) {
        let exists = match seen.get(&m.namespace) {
            Some(e) => *e,
            None => {
                let e = super::cache::namespace_labels(ctx, &m.namespace)
                    .await?
                    .is_some();
                seen.insert(m.namespace.clone(), e);
                e
            }
        };
        if !exists {
            out.push((m.name.clone(), m.namespace.clone()));
        }
    }
    Ok(out)
}

/// The sources of every member: its PVCs (its selector, or all PVCs of its namespace), then
/// its buckets (each run as a `pusdata mirror` Job by the Backup controller).
pub(crate) async fn sources(
    plan: &DisasterRecoveryPlan,
    ctx: &Context,
) -> Result<Vec<SourceRef>, Error> {
    let mut out = Vec::new();
    for (tier, m) in dr::members(&plan.spec) {
        let names = super::cache::claims_in(ctx, &m.namespace, m.pvc_selector.as_ref())
            .await
            .map_err(|e| match e {
                Error::InvalidSpec(why) => Error::InvalidSpec(format!("member {}: {why}", m.name)),
                e => e,
            })?;
        out.extend(names.into_iter().map(|pvc| SourceRef {
            tier: tier.name.clone(),
            member: m.name.clone(),
            agency: m.agency.clone(),
            namespace: m.namespace.clone(),
            pvc: Some(pvc),
            bucket: None,
        }));
        out.extend(m.buckets.iter().map(|bucket| SourceRef {
            tier: tier.name.clone(),
            member: m.name.clone(),
            agency: m.agency.clone(),
            namespace: m.namespace.clone(),
            pvc: None,
            bucket: Some(bucket.clone()),
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{seed_cluster, seed_namespaced};
    use k8s_openapi::api::core::v1::Namespace;
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use kube::api::ListParams;
    use kube_fake_client::ClientBuilder;
    use pusdata_core::backup::job::TIER_LABEL;
    use pusdata_core::dr::RpoAlert;
    use pusdata_core::dr::pass::TRIGGER_ANNOTATION;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::BackupStatus;
    use pusdata_crds::v1alpha1::VerificationStatus;
    use pusdata_crds::v1alpha1::{BackupPhase, BackupTrigger};

    /// The in-memory API with the members' namespace (the real server refuses runs in a
    /// namespace that does not exist; `counting` models that).
    async fn context() -> Context {
        let ctx = crate::controllers::testing::context(
            ClientBuilder::new()
                .with_resource::<DisasterRecoveryPlan>()
                .with_status_subresource::<DisasterRecoveryPlan>()
                .with_resource::<Backup>()
                .with_status_subresource::<Backup>()
                .with_resource::<BackupRepository>(),
        )
        .await;
        let ns: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "disdukcapil"}}))
                .unwrap();
        seed_cluster(&ctx, &ns).await;
        ctx
    }

    fn pvc(ns: &str, name: &str) -> PersistentVolumeClaim {
        let mut p = PersistentVolumeClaim::default();
        p.metadata.name = Some(name.into());
        p.metadata.namespace = Some(ns.into());
        p
    }

    async fn plan(ctx: &Context) -> DisasterRecoveryPlan {
        Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
            .get("bekasi")
            .await
            .unwrap()
    }

    async fn backups(ctx: &Context) -> Vec<Backup> {
        let mut v = Api::<Backup>::namespaced(ctx.client.clone(), "disdukcapil")
            .list(&ListParams::default())
            .await
            .unwrap()
            .items;
        v.sort_by_key(|b| b.name_any());
        v
    }

    /// A plan with a 15-minute schedule, two PVCs, and the agency's DRC repository.
    async fn world() -> Context {
        let ctx = context().await;
        let mut p = fixtures::plan();
        p.spec.tiers[0].schedule = Some("*/15 * * * *".into());
        seed_cluster(&ctx, &p).await;
        seed_cluster(
            &ctx,
            &fixtures::backup_repository("disdukcapil", "drc-bandung"),
        )
        .await;
        seed_namespaced(&ctx, &pvc("disdukcapil", "siak-data")).await;
        seed_namespaced(&ctx, &pvc("disdukcapil", "siak-wal")).await;
        ctx
    }

    async fn set_phase(ctx: &Context, name: &str, phase: BackupPhase, finished: Option<&str>) {
        let st = BackupStatus {
            phase: Some(phase),
            finished_at: finished.map(fixtures::time),
            ..BackupStatus::default()
        };
        Api::<Backup>::namespaced(ctx.client.clone(), "disdukcapil")
            .patch_status(
                name,
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({"status": st})),
            )
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_plan_never_run_gets_one_owned_backup_per_pvc_now_and_is_requeued_at_the_next_slot() {
        let ctx = world().await;
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(
            out.created,
            vec![
                "tier-1-critical-svc-siak-data-20261125000000",
                "tier-1-critical-svc-siak-wal-20261125000000"
            ]
        );
        assert_eq!(out.next_due, Some("2026-11-25T00:15:00Z".parse().unwrap()));
        let b = &backups(&ctx).await[0];
        assert_eq!(b.spec.repository, "disdukcapil-drc-bandung");
        assert_eq!(b.spec.trigger, BackupTrigger::Scheduled);
        assert_eq!(b.spec.source.pvc.as_deref(), Some("siak-data"));
        assert_eq!(b.owner_references()[0].kind, "DisasterRecoveryPlan");
        assert_eq!(b.labels()[TIER_LABEL], "tier-1-critical");
        let st = plan(&ctx).await.status.unwrap();
        let t = &st.tiers[0];
        assert_eq!(
            t.last_schedule_time,
            Some(fixtures::time("2026-11-25T00:00:00Z"))
        );
        assert_eq!(
            t.next_schedule_time,
            Some(fixtures::time("2026-11-25T00:15:00Z"))
        );
        assert_eq!(
            t.rpo_alert,
            Some(RpoAlert::Critical),
            "nothing backed up yet"
        );
        assert_eq!(st.worst_rpo_ratio.as_deref(), Some("never"));

        // A second pass at the same instant creates nothing.
        let again = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert!(again.created.is_empty());
        assert_eq!(again.skipped, 0);
        assert_eq!(backups(&ctx).await.len(), 2);
        let action = reconcile(Arc::new(plan(&ctx).await), Arc::new(ctx.clone()))
            .await
            .unwrap();
        assert_eq!(action, Action::requeue(Duration::from_secs(300)));
    }

    #[tokio::test]
    async fn overlapping_runs_are_skipped_and_counted_and_rpo_is_measured() {
        let ctx = world().await;
        reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        // siak-data finished at 00:05, siak-wal still running at the next slot.
        set_phase(
            &ctx,
            "tier-1-critical-svc-siak-data-20261125000000",
            BackupPhase::Completed,
            Some("2026-11-25T00:05:00Z"),
        )
        .await;
        let mut ctx = ctx;
        ctx.clock = Arc::new(|| "2026-11-25T00:15:30Z".parse().unwrap());
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(
            out.created,
            vec!["tier-1-critical-svc-siak-data-20261125001500"]
        );
        assert_eq!(out.skipped, 1);
        let st = plan(&ctx).await.status.unwrap();
        assert_eq!(st.tiers[0].skipped_runs, Some(1));
        assert!(
            ctx.metrics.encode().contains(
                "pusdata_backup_skipped_total{plan=\"bekasi\",tier=\"tier-1-critical\"} 1"
            )
        );
        // The member is as fresh as its never-completed wal PVC: still critical.
        assert_eq!(st.tiers[0].rpo_alert, Some(RpoAlert::Critical));

        // wal completes at 00:20; at 00:40 the oldest source is data (00:05): 35m / 15m.
        set_phase(
            &ctx,
            "tier-1-critical-svc-siak-wal-20261125000000",
            BackupPhase::Completed,
            Some("2026-11-25T00:20:00Z"),
        )
        .await;
        set_phase(
            &ctx,
            "tier-1-critical-svc-siak-data-20261125001500",
            BackupPhase::Failed,
            Some("2026-11-25T00:16:00Z"),
        )
        .await;
        ctx.clock = Arc::new(|| "2026-11-25T00:40:00Z".parse().unwrap());
        reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        let st = plan(&ctx).await.status.unwrap();
        let t = &st.tiers[0];
        assert_eq!(t.last_backup, Some(fixtures::time("2026-11-25T00:05:00Z")));
        assert_eq!(t.rpo_achieved_seconds, Some(35 * 60));
        assert_eq!(t.rpo_ratio.as_deref(), Some("2.33"));
        assert_eq!(t.rpo_alert, Some(RpoAlert::Warning));
        assert_eq!(t.skipped_runs, Some(1), "the counter is kept across passes");
        let rpo = st.conditions.iter().find(|c| c.type_ == "RpoMet").unwrap();
        assert_eq!(rpo.status, "False");
        // RpoMet=False was an Event once, when it first turned (nothing backed up at the
        // first pass); the later passes kept the reason and added no Event for it.
        let events = crate::controllers::testing::events_about(&ctx, "default", "bekasi").await;
        let exceeded: Vec<_> = events.iter().filter(|e| e.0 == "RpoExceeded").collect();
        assert_eq!(
            exceeded,
            [&("RpoExceeded".to_string(), "Warning".to_string())]
        );
        assert!(events.iter().any(|e| e.0 == "Scheduled"), "{events:?}");
        let text = ctx.metrics.encode();
        assert!(text.contains("pusdata_backup_last_success_timestamp_seconds{plan=\"bekasi\",tier=\"tier-1-critical\"} 1795565100.0"), "{text}");
    }

    #[tokio::test]
    async fn a_trigger_token_runs_once() {
        let ctx = world().await;
        reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        for n in [
            "tier-1-critical-svc-siak-data-20261125000000",
            "tier-1-critical-svc-siak-wal-20261125000000",
        ] {
            set_phase(
                &ctx,
                n,
                BackupPhase::Completed,
                Some("2026-11-25T00:01:00Z"),
            )
            .await;
        }
        crate::controllers::testing::as_harness(Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
            .patch(
                "bekasi",
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({"metadata": {"annotations": {TRIGGER_ANNOTATION: "ticket-41"}}})),
            )
            ).await
            .unwrap();
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(out.created.len(), 2);
        let manual: Vec<Backup> = backups(&ctx)
            .await
            .into_iter()
            .filter(|b| b.spec.trigger == BackupTrigger::Manual)
            .collect();
        assert_eq!(manual.len(), 2);
        assert_eq!(manual[0].spec.token.as_deref(), Some("ticket-41"));
        assert_eq!(
            plan(&ctx)
                .await
                .status
                .unwrap()
                .last_trigger_token
                .as_deref(),
            Some("ticket-41")
        );
        let again = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert!(again.created.is_empty() && again.skipped == 0, "{again:?}");
        assert_eq!(backups(&ctx).await.len(), 4);
    }

    #[tokio::test]
    async fn an_agency_without_a_drc_repository_is_reported_not_backed_up_elsewhere() {
        let ctx = context().await;
        seed_cluster(&ctx, &fixtures::plan()).await;
        // A repository of the agency, but at the primary site: not the DRC.
        seed_cluster(
            &ctx,
            &fixtures::backup_repository("disdukcapil", "dc-bekasi"),
        )
        .await;
        seed_namespaced(&ctx, &pvc("disdukcapil", "siak-data")).await;
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert!(out.created.is_empty());
        assert_eq!(out.without_repository, vec!["disdukcapil"]);
        let st = plan(&ctx).await.status.unwrap();
        let c = st
            .conditions
            .iter()
            .find(|c| c.type_ == "Scheduled")
            .unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("False", "NoRepository")
        );
        assert!(c.message.contains("DR-NKRI"));
    }

    #[tokio::test]
    async fn bucket_members_are_scheduled_like_volumes_and_count_in_the_tier_rpo() {
        let ctx = context().await;
        let mut p = fixtures::plan();
        p.spec.tiers[0].schedule = Some("*/15 * * * *".into());
        p.spec.tiers[0].members[0].buckets = vec!["arsip".into()];
        seed_cluster(&ctx, &p).await;
        seed_cluster(
            &ctx,
            &fixtures::backup_repository("disdukcapil", "drc-bandung"),
        )
        .await;
        seed_namespaced(&ctx, &pvc("disdukcapil", "siak-data")).await;
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(
            out.created,
            vec![
                "tier-1-critical-svc-siak-data-20261125000000",
                "tier-1-critical-svc-arsip-20261125000000"
            ]
        );
        let pass = backups(&ctx)
            .await
            .into_iter()
            .find(|b| b.spec.source.bucket.is_some())
            .unwrap();
        assert_eq!(pass.spec.source.bucket.as_deref(), Some("arsip"));
        assert!(!pass.spec.source.reverse);
        assert_eq!(pass.spec.repository, "disdukcapil-drc-bandung");

        // The volume finished; the bucket pass still runs at the next slot: skipped, counted.
        set_phase(
            &ctx,
            "tier-1-critical-svc-siak-data-20261125000000",
            BackupPhase::Completed,
            Some("2026-11-25T00:05:00Z"),
        )
        .await;
        let mut ctx = ctx;
        ctx.clock = Arc::new(|| "2026-11-25T00:15:30Z".parse().unwrap());
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(
            out.created,
            vec!["tier-1-critical-svc-siak-data-20261125001500"]
        );
        assert_eq!(out.skipped, 1);

        // The pass completes at 00:16 with its figures, the second volume run at 00:20.
        let done = BackupStatus {
            phase: Some(BackupPhase::Completed),
            finished_at: Some(fixtures::time("2026-11-25T00:16:00Z")),
            objects_copied: Some(5),
            bytes_copied: Some(500),
            ..BackupStatus::default()
        };
        Api::<Backup>::namespaced(ctx.client.clone(), "disdukcapil")
            .patch_status(
                "tier-1-critical-svc-arsip-20261125000000",
                &PatchParams::default(),
                &Patch::Merge(&serde_json::json!({"status": done})),
            )
            .await
            .unwrap();
        set_phase(
            &ctx,
            "tier-1-critical-svc-siak-data-20261125001500",
            BackupPhase::Completed,
            Some("2026-11-25T00:20:00Z"),
        )
        .await;
        ctx.clock = Arc::new(|| "2026-11-25T00:40:00Z".parse().unwrap());
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(out.created.len(), 2, "{out:?}");
        let t = &plan(&ctx).await.status.unwrap().tiers[0];
        // The member is as fresh as its bucket (00:16), not its newer volume (00:20).
        assert_eq!(t.rpo_achieved_seconds, Some(24 * 60));
        assert_eq!(t.last_backup, Some(fixtures::time("2026-11-25T00:16:00Z")));
        assert_eq!(t.skipped_runs, Some(1));
        assert_eq!(
            t.buckets,
            vec![pusdata_crds::v1alpha1::BucketStatus {
                member: "tier-1-critical-svc".into(),
                bucket: "arsip".into(),
                last_mirror: Some(fixtures::time("2026-11-25T00:16:00Z")),
                objects_copied: Some(5),
                bytes_copied: Some(500),
                last_phase: Some("Completed".into()),
                errors: vec![],
            }]
        );
        let text = ctx.metrics.encode();
        assert!(text.contains("pusdata_mirror_last_success_timestamp_seconds{plan=\"bekasi\",tier=\"tier-1-critical\",member=\"tier-1-critical-svc\",bucket=\"arsip\"} 1795565760.0"), "{text}");
    }

    #[tokio::test]
    async fn finished_runs_beyond_the_history_limits_are_deleted() {
        let ctx = context().await;
        let mut p = fixtures::plan();
        p.spec.successful_backups_history_limit = Some(2);
        p.spec.failed_backups_history_limit = Some(1);
        seed_cluster(&ctx, &p).await;
        seed_cluster(
            &ctx,
            &fixtures::backup_repository("disdukcapil", "drc-bandung"),
        )
        .await;
        let run = |i: u32, phase: BackupPhase, verified: bool| {
            let mut b = fixtures::backup("disdukcapil", "siak-data");
            b.metadata.name = Some(format!("siak-data-{i:02}"));
            b.status = Some(BackupStatus {
                phase: Some(phase),
                finished_at: Some(fixtures::time(&format!("2026-11-{:02}T00:00:00Z", i + 1))),
                verification: verified.then_some(VerificationStatus::Verified),
                ..BackupStatus::default()
            });
            b
        };
        seed_namespaced(&ctx, &run(0, BackupPhase::Completed, true)).await;
        for i in 1..5 {
            seed_namespaced(&ctx, &run(i, BackupPhase::Completed, false)).await;
        }
        for i in 5..8 {
            seed_namespaced(&ctx, &run(i, BackupPhase::Failed, false)).await;
        }
        let mut going = fixtures::backup("disdukcapil", "siak-data");
        going.metadata.name = Some("siak-data-99".into());
        seed_namespaced(&ctx, &going).await;
        let out = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert_eq!(
            out.deleted,
            vec![
                "siak-data-01",
                "siak-data-02",
                "siak-data-05",
                "siak-data-06"
            ]
        );
        let left: Vec<String> = backups(&ctx).await.iter().map(|b| b.name_any()).collect();
        assert_eq!(
            left,
            vec![
                "siak-data-00",
                "siak-data-03",
                "siak-data-04",
                "siak-data-07",
                "siak-data-99"
            ],
            "the verified run and the running one stay"
        );
        let again = reconcile_once(&plan(&ctx).await, &ctx).await.unwrap();
        assert!(again.deleted.is_empty());
    }
}
