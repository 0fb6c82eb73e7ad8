//! One pass of the schedule controller over one plan, decided whole: which `Backup` runs to
//! create (and where none can go), which finished runs to delete beyond the history limits,
//! and the plan's schedule status (per-tier RPO, skips, schedule times, the last trigger
//! token, the `RpoMet` and `Scheduled` conditions). The controller reads the plan's world,
//! calls [`decide`] once and applies what it returns (DR-PLAN).

use super::{DueInput, EntryKind, RpoAlert, RunRecord, SourceRef, SourceState, TierFreshness};
use crate::backup::job::{AGENCY_LABEL, PLAN_LABEL, TIER_LABEL};
use crate::backup::mirror;
use crate::conditions::{self, Desired};
use crate::labels::MEMBER_LABEL;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, BackupRepository, BackupSource, BackupSpec, BackupTrigger,
    DisasterRecoveryPlan, DisasterRecoveryPlanStatus, TierStatus,
};
use std::collections::BTreeMap;

/// Annotation on a plan: a new value runs one backup of every source now, exactly once.
pub const TRIGGER_ANNOTATION: &str = "pusdata.io/trigger";
/// Annotation on a scheduled `Backup`: the schedule slot it stands for (RFC 3339).
pub const SLOT_ANNOTATION: &str = "pusdata.io/slot";

/// `Scheduled` reasons besides `Scheduled`, `NoRepository` and `InvalidSchedule`.
pub mod reason {
    /// A member's namespace does not exist; the other members are scheduled.
    pub const MEMBER_NAMESPACE_MISSING: &str = "MemberNamespaceMissing";
}

/// What the controller read for one plan.
#[derive(Clone, Copy, Debug)]
pub struct PassInput<'a> {
    /// The plan.
    pub plan: &'a DisasterRecoveryPlan,
    /// The sources of the members whose namespace exists (their PVCs, then their buckets).
    pub sources: &'a [SourceRef],
    /// The members whose namespace does not exist, as (member, namespace).
    pub missing: &'a [(String, String)],
    /// Every `Backup` (all plans, all namespaces: any unfinished run of a source blocks a
    /// new one).
    pub backups: &'a [Backup],
    /// Every `BackupRepository`.
    pub repositories: &'a [BackupRepository],
    /// Now.
    pub now: Timestamp,
}

/// What one pass decided.
#[derive(Clone, Debug, PartialEq)]
pub struct Pass {
    /// `Backup` runs to create (namespace, labels and annotations set; the shell adds the
    /// owner reference to the plan).
    pub create: Vec<Backup>,
    /// Agencies with a due run but no repository at the plan's DRC site (sorted).
    pub without_repository: Vec<String>,
    /// Members left out because their namespace does not exist, as (member, namespace),
    /// sorted.
    pub missing: Vec<(String, String)>,
    /// Finished runs beyond the plan's history limits, as (namespace, name).
    pub delete: Vec<(String, String)>,
    /// Runs skipped because their source was busy, as (run, the unfinished run blocking it).
    pub skipped: Vec<(String, String)>,
    /// Skipped runs per tier, in this pass.
    pub skipped_per_tier: BTreeMap<String, u32>,
    /// When the next schedule fires.
    pub next_due: Option<Timestamp>,
    /// The freshness of each tier (for the metrics).
    pub fresh: Vec<TierFreshness>,
    /// The status to write (the one read when nothing changed). `status.retention` belongs
    /// to the retention controller and is always left empty here.
    pub status: DisasterRecoveryPlanStatus,
}

/// The status this controller owns: the one read, without `status.retention` (the
/// retention controller's), so a merge patch that omits the empty list never writes back a
/// stale copy of it.
pub fn owned_status(plan: &DisasterRecoveryPlan) -> DisasterRecoveryPlanStatus {
    DisasterRecoveryPlanStatus {
        retention: Vec::new(),
        ..plan.status.clone().unwrap_or_default()
    }
}

/// Decides one pass.
pub fn decide(input: &PassInput<'_>) -> Pass {
    let PassInput {
        plan,
        sources,
        backups,
        repositories,
        now,
        ..
    } = *input;
    let name = plan.metadata.name.clone().unwrap_or_default();
    let schedule = super::compile(plan);
    let old = owned_status(plan);

    let states: Vec<SourceState> = sources
        .iter()
        .map(|s| SourceState {
            source: s.clone(),
            running: backups
                .iter()
                .filter(|b| {
                    b.metadata.namespace.as_deref() == Some(s.namespace.as_str())
                        && b.spec.source.pvc == s.pvc
                        && b.spec.source.bucket == s.bucket
                        && !crate::backup::finished(b.status.as_ref().and_then(|st| st.phase))
                })
                .map(|b| b.metadata.name.clone().unwrap_or_default())
                .collect(),
        })
        .collect();
    let last_slot = last_slots(&name, &old, backups);
    let token = plan
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(TRIGGER_ANNOTATION))
        .map(|t| t.trim())
        .filter(|t| !t.is_empty() && Some(*t) != old.last_trigger_token.as_deref());
    let due = super::due(&DueInput {
        schedule: &schedule,
        last_slot: &last_slot,
        sources: &states,
        new_token: token,
        now,
    });

    let mut create = Vec::new();
    let mut without_repository = Vec::new();
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
                repository: repo.metadata.name.clone().unwrap_or_default(),
                trigger: run.trigger,
                token: run.token.clone(),
            },
        );
        b.metadata.namespace = Some(src.namespace.clone());
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
        create.push(b);
    }
    // History: finished runs beyond the plan's limits go (never a running one, nor the
    // newest completed or verified run of a source).
    let (keep_ok, keep_failed) = crate::backup::history::limits(&plan.spec);
    let delete = crate::backup::history::to_delete(backups, &name, keep_ok, keep_failed);
    without_repository.sort();
    without_repository.dedup();
    let mut missing = input.missing.to_vec();
    missing.sort();
    missing.dedup();
    let mut skipped_per_tier: BTreeMap<String, u32> = BTreeMap::new();
    for s in &due.skipped {
        *skipped_per_tier
            .entry(s.run.source.tier.clone())
            .or_default() += 1;
    }

    let records: Vec<RunRecord> = backups
        .iter()
        .filter(|b| b.spec.plan == name)
        .map(|b| {
            let st = b.status.clone().unwrap_or_default();
            RunRecord {
                member: b.spec.member.clone(),
                namespace: b.metadata.namespace.clone().unwrap_or_default(),
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
    let fresh = super::freshness(plan, sources, &records, now);
    let passes = bucket_passes(&name, backups);
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
            .find(|e| e.kind == EntryKind::Backup && e.tiers.first() == Some(&tier))
            .and_then(|e| e.spec.next_after(slot.unwrap_or(now).max(now)));
        let skipped = prev.and_then(|p| p.skipped_runs).unwrap_or(0)
            + skipped_per_tier.get(tier.as_str()).copied().unwrap_or(0);
        tiers.push(TierStatus {
            name: tier.clone(),
            last_backup: f.last_success.map(Time),
            last_verified_backup: f.last_verified.map(Time),
            rpo_achieved_seconds: f.success.achieved.map(|d| d.as_secs()),
            rpo_ratio: super::freshness::ratio_text(&f.success),
            skipped_runs: Some(skipped),
            verified_age_seconds: f.verified.achieved.map(|d| d.as_secs()),
            verified_rpo_ratio: super::freshness::ratio_text(&f.verified),
            rpo_alert: Some(f.success.alert),
            last_schedule_time: slot.map(Time),
            next_schedule_time: next.map(Time),
            buckets: mirror::bucket_statuses(&tier, sources, &passes),
        });
    }
    let worst = fresh
        .iter()
        .map(|f| f.success.ratio.unwrap_or(f64::INFINITY))
        .fold(None, |acc: Option<f64>, r| {
            Some(acc.map_or(r, |a| a.max(r)))
        });
    let backup_entries = schedule
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Backup)
        .count();
    let desired = plan_conditions(&Findings {
        fresh: &fresh,
        invalid: &schedule.invalid,
        without_repository: &without_repository,
        missing: &missing,
        drc_site: &plan.spec.drc_site,
        backup_entries,
    });
    let status = DisasterRecoveryPlanStatus {
        conditions: conditions::merge(
            &old.conditions,
            &desired,
            plan.metadata.generation,
            Time(now),
        ),
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
    Pass {
        create,
        without_repository,
        missing,
        delete,
        skipped: due
            .skipped
            .iter()
            .map(|s| (s.run.name.clone(), s.blocked_by.clone()))
            .collect(),
        skipped_per_tier,
        next_due: due.next_due,
        fresh,
        status,
    }
}

/// What the plan's conditions are decided from.
struct Findings<'a> {
    fresh: &'a [TierFreshness],
    invalid: &'a [(String, String, String)],
    without_repository: &'a [String],
    missing: &'a [(String, String)],
    drc_site: &'a str,
    backup_entries: usize,
}

/// `RpoMet` (every tier within its RPO) and `Scheduled` (every source has somewhere to go).
fn plan_conditions(f: &Findings<'_>) -> Vec<Desired> {
    let rpo_met = f.fresh.iter().all(|t| t.success.met());
    let lagging: Vec<String> = f
        .fresh
        .iter()
        .filter(|t| t.success.alert != RpoAlert::Ok || !t.success.met())
        .map(|t| t.success.tier.clone())
        .collect();
    let mut desired = vec![Desired {
        type_: conditions::RPO_MET,
        status: Some(rpo_met),
        reason: if rpo_met { "WithinRpo" } else { "RpoExceeded" },
        message: if rpo_met {
            crate::t!("shell-schedule-within-rpo").to_string()
        } else {
            crate::t!("shell-schedule-beyond-rpo", tiers = lagging.join(", ")).to_string()
        },
    }];
    let problems: Vec<String> = f
        .invalid
        .iter()
        .map(|(id, path, e)| format!("{id} ({path}): {e}"))
        .chain(f.without_repository.iter().map(|a| {
            crate::t!(
                "shell-schedule-no-repository",
                agency = a.as_str(),
                site = f.drc_site
            )
            .to_string()
        }))
        .chain(f.missing.iter().map(|(member, ns)| {
            crate::t!(
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
        } else if !f.invalid.is_empty() {
            "InvalidSchedule"
        } else if !f.without_repository.is_empty() {
            "NoRepository"
        } else {
            reason::MEMBER_NAMESPACE_MISSING
        },
        message: if problems.is_empty() {
            crate::t!("shell-schedule-running", count = f.backup_entries).to_string()
        } else {
            problems.join("; ")
        },
    });
    desired
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
) -> BTreeMap<String, Timestamp> {
    let mut out: BTreeMap<String, Timestamp> = old
        .tiers
        .iter()
        .filter_map(|t| t.last_schedule_time.as_ref().map(|s| (t.name.clone(), s.0)))
        .collect();
    for b in backups
        .iter()
        .filter(|b| b.spec.plan == plan && b.spec.trigger == BackupTrigger::Scheduled)
    {
        if let Some(slot) = b
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(SLOT_ANNOTATION))
            .and_then(|s| s.parse::<Timestamp>().ok())
        {
            let e = out.entry(b.spec.tier.clone()).or_insert(slot);
            *e = (*e).max(slot);
        }
    }
    out
}

#[cfg(test)]
mod tests;
