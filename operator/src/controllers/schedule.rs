//! The schedule controller: turns each DisasterRecoveryPlan's tiers into `Backup` runs and
//! measures the RPO each tier achieves (DR-PLAN).
//!
//! Pipeline: dereference (the plan's sources: PVCs of each member's namespace; its runs;
//! the agencies' DRC repositories) → decide (`pusdata_core::dr::due`, `dr::freshness`) →
//! apply (create the due `Backup` objects, owned by the plan) → status (per-tier RPO, skips,
//! schedule times, the last trigger token) and metrics. Requeued at the next due time.

use super::metrics::{BucketRef, TierFigures};
use super::permission::Permission;
use super::{Context, Error};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::core::Selector;
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};
use pusdata_core::backup::job::{AGENCY_LABEL, PLAN_LABEL, TIER_LABEL};
use pusdata_core::backup::mirror;
use pusdata_core::conditions::{self, Desired};
use pusdata_core::dr::{self, DueInput, RpoAlert, RunRecord, SourceRef, SourceState};
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, BackupRepository, BackupSource, BackupSpec, BackupTrigger,
    DisasterRecoveryPlan, DisasterRecoveryPlanStatus, TierStatus,
};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Annotation on a plan: a new value runs one backup of every source now, exactly once.
pub const TRIGGER_ANNOTATION: &str = "pusdata.io/trigger";
/// Annotation on a scheduled `Backup`: the schedule slot it stands for (RFC 3339).
pub const SLOT_ANNOTATION: &str = "pusdata.io/slot";
/// Label on a `Backup`: the plan member.
pub use pusdata_core::labels::MEMBER_LABEL;

/// The RPO gauges and status age between schedule slots; requeue at least this often.
const FRESHNESS_INTERVAL: Duration = Duration::from_secs(300);

/// `Scheduled` reasons of this controller besides `Scheduled`, `NoRepository` and
/// `InvalidSchedule`.
pub mod reason {
    /// A member's namespace does not exist; the other members are scheduled.
    pub const MEMBER_NAMESPACE_MISSING: &str = "MemberNamespaceMissing";
}

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

/// One pass of the pipeline.
pub async fn reconcile_once(plan: &DisasterRecoveryPlan, ctx: &Context) -> Result<Outcome, Error> {
    let name = plan.name_any();
    let now = (ctx.clock)();
    let schedule = dr::compile(plan);

    // Dereference. A member whose namespace does not exist is named in the status and left
    // out; the other members' backups go on (one bad member never stops the plan).
    let mut missing = missing_namespaces(plan, ctx).await?;
    let sources: Vec<SourceRef> = sources(plan, ctx)
        .await?
        .into_iter()
        .filter(|s| !missing.iter().any(|(_, ns)| *ns == s.namespace))
        .collect();
    let backups = Api::<Backup>::all(ctx.client.clone())
        .list(&ListParams::default())
        .await?
        .items;
    let repositories: Vec<BackupRepository> = super::cache::all_of(ctx).await?;
    // `status.retention` belongs to the retention controller: left out here, so this merge
    // patch (which omits the empty list) never writes back a stale copy of it.
    let old = DisasterRecoveryPlanStatus {
        retention: Vec::new(),
        ..plan.status.clone().unwrap_or_default()
    };

    // Decide.
    let states: Vec<SourceState> = sources
        .iter()
        .map(|s| SourceState {
            source: s.clone(),
            running: backups
                .iter()
                .filter(|b| {
                    b.namespace().as_deref() == Some(s.namespace.as_str())
                        && b.spec.source.pvc == s.pvc
                        && b.spec.source.bucket == s.bucket
                        && !pusdata_core::backup::finished(
                            b.status.as_ref().and_then(|st| st.phase),
                        )
                })
                .map(ResourceExt::name_any)
                .collect(),
        })
        .collect();
    let last_slot = last_slots(&name, &old, &backups);
    let token = plan
        .annotations()
        .get(TRIGGER_ANNOTATION)
        .map(|t| t.trim())
        .filter(|t| !t.is_empty() && Some(*t) != old.last_trigger_token.as_deref());
    let due = dr::due(&DueInput {
        schedule: &schedule,
        last_slot: &last_slot,
        sources: &states,
        new_token: token,
        now,
    });

    // Apply.
    let mut created = Vec::new();
    let mut without_repository = Vec::new();
    let owner = plan.controller_owner_ref(&());
    for run in &due.runs {
        let src = &run.source;
        let Some(repo) = repositories
            .iter()
            .find(|r| r.spec.agency == src.agency && r.spec.site == plan.spec.drc_site)
        else {
            without_repository.push(src.agency.clone());
            continue;
        };
        let mut b = Backup::new(
            &run.name,
            BackupSpec {
                plan: name.clone(),
                tier: src.tier.clone(),
                member: src.member.clone(),
                source: BackupSource {
                    pvc: src.pvc.clone(),
                    bucket: src.bucket.clone(),
                    reverse: false,
                },
                repository: repo.name_any(),
                trigger: run.trigger,
                token: run.token.clone(),
            },
        );
        b.metadata.namespace = Some(src.namespace.clone());
        b.metadata.owner_references = owner.clone().map(|o| vec![o]);
        b.metadata.labels = Some(
            [
                (PLAN_LABEL, name.as_str()),
                (TIER_LABEL, src.tier.as_str()),
                (AGENCY_LABEL, src.agency.as_str()),
                (MEMBER_LABEL, src.member.as_str()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        );
        if run.trigger == BackupTrigger::Scheduled {
            b.metadata.annotations =
                Some([(SLOT_ANNOTATION.to_string(), run.slot.to_string())].into());
        }
        let api: Api<Backup> = Api::namespaced(ctx.client.clone(), &src.namespace);
        match api.create(&PostParams::default(), &b).await {
            Ok(_) => created.push(run.name.clone()),
            // Created by an earlier pass: the deterministic name makes this harmless.
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            // The namespace went away since it was looked at: named like a missing one.
            Err(kube::Error::Api(e)) if e.code == 404 => {
                missing.push((src.member.clone(), src.namespace.clone()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    // History: finished runs beyond the plan's limits go (never a running one, nor the
    // newest completed or verified run of a source).
    let (keep_ok, keep_failed) = pusdata_core::backup::history::limits(&plan.spec);
    let mut deleted = Vec::new();
    for (ns, run) in pusdata_core::backup::history::to_delete(&backups, &name, keep_ok, keep_failed)
    {
        match Api::<Backup>::namespaced(ctx.client.clone(), &ns)
            .delete(&run, &kube::api::DeleteParams::default())
            .await
        {
            Ok(_) => deleted.push(run),
            Err(kube::Error::Api(e)) if e.code == 404 => {}
            Err(e) => return Err(e.into()),
        }
    }
    without_repository.sort();
    without_repository.dedup();
    missing.sort();
    missing.dedup();
    let mut skipped_per_tier: BTreeMap<&str, u32> = BTreeMap::new();
    for s in &due.skipped {
        *skipped_per_tier
            .entry(s.run.source.tier.as_str())
            .or_default() += 1;
        tracing::info!(plan = %name, run = %s.run.name, blocked_by = %s.blocked_by, "backup run skipped: the previous run of the source is still going");
    }
    for (tier, n) in &skipped_per_tier {
        ctx.metrics.backup_skipped(&name, tier, u64::from(*n));
    }

    // Status and metrics.
    let records: Vec<RunRecord> = backups
        .iter()
        .filter(|b| b.spec.plan == name)
        .map(|b| {
            let st = b.status.clone().unwrap_or_default();
            RunRecord {
                member: b.spec.member.clone(),
                namespace: b.namespace().unwrap_or_default(),
                object: b
                    .spec
                    .source
                    .pvc
                    .clone()
                    .or(b.spec.source.bucket.clone())
                    .unwrap_or_default(),
                completed_at: st
                    .finished_at
                    .clone()
                    .filter(|_| st.phase == Some(BackupPhase::Completed))
                    .map(|t| t.0),
                verified: mirror::counts_as_verified(&b.spec.source, &st),
            }
        })
        .collect();
    let fresh = dr::freshness(plan, &sources, &records, now);
    let passes = bucket_passes(&name, &backups);
    let mut tiers = Vec::new();
    for f in &fresh {
        let tier = f.success.tier.clone();
        let prev = old.tiers.iter().find(|t| t.name == tier);
        let slot = due
            .slots
            .get(&tier)
            .or_else(|| last_slot.get(&tier))
            .copied();
        let next = schedule
            .entries
            .iter()
            .find(|e| e.kind == dr::EntryKind::Backup && e.tiers.first() == Some(&tier))
            .and_then(|e| e.spec.next_after(slot.unwrap_or(now).max(now)));
        let skipped = prev.and_then(|p| p.skipped_runs).unwrap_or(0)
            + skipped_per_tier.get(tier.as_str()).copied().unwrap_or(0);
        tiers.push(TierStatus {
            name: tier.clone(),
            last_backup: f.last_success.map(Time),
            last_verified_backup: f.last_verified.map(Time),
            rpo_achieved_seconds: f.success.achieved.map(|d| d.as_secs()),
            rpo_ratio: dr::freshness::ratio_text(&f.success),
            skipped_runs: Some(skipped),
            verified_age_seconds: f.verified.achieved.map(|d| d.as_secs()),
            verified_rpo_ratio: dr::freshness::ratio_text(&f.verified),
            rpo_alert: Some(f.success.alert),
            last_schedule_time: slot.map(Time),
            next_schedule_time: next.map(Time),
            buckets: mirror::bucket_statuses(&tier, &sources, &passes),
        });
        for bs in tiers
            .last()
            .map(|t| t.buckets.as_slice())
            .unwrap_or_default()
        {
            if let Some(at) = &bs.last_mirror {
                ctx.metrics.mirror_last_success(
                    BucketRef {
                        plan: &name,
                        tier: &tier,
                        member: &bs.member,
                        bucket: &bs.bucket,
                    },
                    at.0.as_second() as f64,
                );
            }
        }
        ctx.metrics.tier_freshness(&TierFigures {
            plan: &name,
            tier: &tier,
            last_success: f.last_success.map(|t| t.as_second() as f64),
            last_verified: f.last_verified.map(|t| t.as_second() as f64),
            ratio: f.success.ratio,
            verified_ratio: f.verified.ratio,
            target_seconds: f.success.target.as_secs_f64(),
        });
    }
    let worst = fresh
        .iter()
        .map(|f| f.success.ratio.unwrap_or(f64::INFINITY))
        .fold(None, |acc: Option<f64>, r| {
            Some(acc.map_or(r, |a| a.max(r)))
        });
    let rpo_met = fresh.iter().all(|f| f.success.met());
    let lagging: Vec<String> = fresh
        .iter()
        .filter(|f| f.success.alert != RpoAlert::Ok || !f.success.met())
        .map(|f| f.success.tier.clone())
        .collect();
    let mut desired = vec![Desired {
        type_: conditions::RPO_MET,
        status: Some(rpo_met),
        reason: if rpo_met { "WithinRpo" } else { "RpoExceeded" },
        message: if rpo_met {
            pusdata_core::t!("shell-schedule-within-rpo").to_string()
        } else {
            pusdata_core::t!("shell-schedule-beyond-rpo", tiers = lagging.join(", ")).to_string()
        },
    }];
    let problems: Vec<String> = schedule
        .invalid
        .iter()
        .map(|(id, path, e)| format!("{id} ({path}): {e}"))
        .chain(without_repository.iter().map(|a| {
            pusdata_core::t!(
                "shell-schedule-no-repository",
                agency = a.as_str(),
                site = plan.spec.drc_site.as_str()
            )
            .to_string()
        }))
        .chain(missing.iter().map(|(member, ns)| {
            pusdata_core::t!(
                "shell-schedule-member-namespace-missing",
                member = member.as_str(),
                namespace = ns.as_str()
            )
            .to_string()
        }))
        .collect();
    desired.push(Desired {
        type_: conditions::SCHEDULED,
        status: Some(problems.is_empty()),
        reason: if problems.is_empty() {
            "Scheduled"
        } else if !schedule.invalid.is_empty() {
            "InvalidSchedule"
        } else if !without_repository.is_empty() {
            "NoRepository"
        } else {
            reason::MEMBER_NAMESPACE_MISSING
        },
        message: if problems.is_empty() {
            pusdata_core::t!(
                "shell-schedule-running",
                count = schedule
                    .entries
                    .iter()
                    .filter(|e| e.kind == dr::EntryKind::Backup)
                    .count()
            )
            .to_string()
        } else {
            problems.join("; ")
        },
    });
    let new = DisasterRecoveryPlanStatus {
        conditions: conditions::merge(&old.conditions, &desired, plan.meta().generation, ctx.now()),
        tier_count: u32::try_from(plan.spec.tiers.len()).ok(),
        worst_rpo_ratio: worst.map(|w| {
            if w.is_finite() {
                format!("{w:.2}")
            } else {
                "never".to_string()
            }
        }),
        tiers,
        last_trigger_token: due.token_handled.clone().or(old.last_trigger_token.clone()),
        ..old.clone()
    };
    if new != old {
        let patch = serde_json::json!({"status": new});
        Api::<DisasterRecoveryPlan>::all(ctx.client.clone())
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        super::events::publish(ctx, plan, &old.conditions, &new.conditions).await;
    }
    Ok(Outcome {
        created,
        skipped: due.skipped.len(),
        without_repository,
        missing_members: missing.into_iter().map(|(m, _)| m).collect(),
        next_due: due.next_due,
        deleted,
    })
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
        let mut lp = ListParams::default();
        if let Some(sel) = &m.pvc_selector {
            let sel = Selector::try_from(sel.clone())
                .map_err(|e| Error::InvalidSpec(format!("member {}: pvcSelector: {e}", m.name)))?;
            lp = lp.labels_from(&sel);
        }
        let pvcs = Api::<PersistentVolumeClaim>::namespaced(ctx.client.clone(), &m.namespace)
            .list(&lp)
            .await?;
        let mut names: Vec<String> = pvcs.items.iter().map(ResourceExt::name_any).collect();
        names.sort();
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

/// The finished bucket passes of the plan, for the per-bucket status.
fn bucket_passes(plan: &str, backups: &[Backup]) -> Vec<mirror::PassRecord> {
    backups
        .iter()
        .filter(|b| b.spec.plan == plan)
        .filter_map(|b| {
            let st = b.status.clone().unwrap_or_default();
            Some(mirror::PassRecord {
                member: b.spec.member.clone(),
                bucket: b.spec.source.bucket.clone()?,
                phase: st.phase,
                finished_at: st.finished_at,
                objects_copied: st.objects_copied,
                bytes_copied: st.bytes_copied,
                errors: st.errors,
            })
        })
        .collect()
}

/// The last slot of each tier: the status's, or a newer one recorded on a scheduled run (the
/// status write of an earlier pass may have failed).
fn last_slots(
    plan: &str,
    old: &DisasterRecoveryPlanStatus,
    backups: &[Backup],
) -> BTreeMap<String, jiff::Timestamp> {
    let mut out: BTreeMap<String, jiff::Timestamp> = old
        .tiers
        .iter()
        .filter_map(|t| t.last_schedule_time.as_ref().map(|s| (t.name.clone(), s.0)))
        .collect();
    for b in backups
        .iter()
        .filter(|b| b.spec.plan == plan && b.spec.trigger == BackupTrigger::Scheduled)
    {
        if let Some(slot) = b
            .annotations()
            .get(SLOT_ANNOTATION)
            .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        {
            let e = out.entry(b.spec.tier.clone()).or_insert(slot);
            *e = (*e).max(slot);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::testing::{seed_cluster, seed_namespaced};
    use k8s_openapi::api::core::v1::Namespace;
    use kube_fake_client::ClientBuilder;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::BackupStatus;
    use pusdata_crds::v1alpha1::VerificationStatus;

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
