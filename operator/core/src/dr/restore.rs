//! What a drill, failover or failback restores: one restore per PVC of every service in
//! scope, each from that PVC's own newest usable Backup, each into its own deterministic
//! place at the site taking over.
//!
//! A service (a plan member) selects its PVCs with `pvcSelector`; restoring only the
//! service's newest Backup would bring back one volume of several. So the targets are planned
//! per PVC ([`targets`]), fixed when the execution starts and read back from the recorded
//! steps afterwards ([`recorded`]), so a resumed controller plans exactly the steps it
//! recorded and redoes none. Which Backup a PVC comes back from is [`pick`]; where it goes is
//! [`target_path`]. The Failover controller only lists, calls these and applies.

use super::due::SourceRef;
use crate::i18n::Text;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::{
    Backup, BackupPhase, DisasterRecoveryPlan, FailoverStatus, FailoverType, VerificationStatus,
};
use std::collections::{BTreeMap, BTreeSet};

/// Label on the Backups a final sync creates: the Failover they belong to.
pub use crate::labels::FAILOVER_LABEL;

/// The PVCs to restore, by service (plan member), each list sorted and without duplicates.
/// A service absent from the map has no known PVC and is restored as one unit from its
/// newest Backup (the embedded drill, where a service is one snapshot directory).
pub type Targets = BTreeMap<String, Vec<String>>;

/// The targets of a new execution. For each member of the plan: the PVCs its selector picks
/// now in this cluster (`live`, as the schedule controller lists them); when it picks none
/// here — the site taking over may not have the volumes yet — the PVCs its completed Backups
/// name. A member with neither is left out (restored as one unit, and failing there with a
/// clear message when it has no Backup at all).
pub fn targets(plan: &DisasterRecoveryPlan, live: &[SourceRef], backups: &[Backup]) -> Targets {
    let plan_name = plan.metadata.name.as_deref().unwrap_or_default();
    let mut out = Targets::new();
    for (_, m) in super::order::members(&plan.spec) {
        let mut pvcs: BTreeSet<String> = live
            .iter()
            .filter(|s| s.member == m.name)
            .filter_map(|s| s.pvc.clone())
            .collect();
        if pvcs.is_empty() {
            pvcs = backups
                .iter()
                .filter(|b| b.spec.plan == plan_name && b.spec.member == m.name)
                .filter(|b| completed(b))
                .filter_map(|b| b.spec.source.pvc.clone())
                .collect();
        }
        if !pvcs.is_empty() {
            out.insert(m.name.clone(), pvcs.into_iter().collect());
        }
    }
    out
}

/// The targets an execution recorded when it started (its restore steps with a PVC), or
/// `None` when it has recorded no step yet and the targets are still to be chosen.
pub fn recorded(status: &FailoverStatus) -> Option<Targets> {
    if status.steps.is_empty() {
        return None;
    }
    let mut out = Targets::new();
    for s in &status.steps {
        if let (Some(svc), Some(pvc)) = (&s.service, &s.pvc)
            && s.id == super::steps::ids::restore_pvc(svc, pvc)
        {
            let v = out.entry(svc.clone()).or_default();
            if !v.contains(pvc) {
                v.push(pvc.clone());
                v.sort();
            }
        }
    }
    Some(out)
}

/// Whether a restore in an execution of `kind` of a service in `tier` takes only verified
/// Backups: a drill of a tier whose backups are proven by restore tests
/// (`verification.restoreTestSchedule`) — the drill exercises what was proven restorable. A
/// failover or failback takes the freshest data it has (its final sync first).
pub fn requires_verified(plan: &DisasterRecoveryPlan, kind: FailoverType, tier: &str) -> bool {
    kind == FailoverType::Drill
        && plan
            .spec
            .tiers
            .iter()
            .any(|t| t.name == tier && t.verification.restore_test_schedule.is_some())
}

fn completed(b: &Backup) -> bool {
    b.status
        .as_ref()
        .is_some_and(|s| s.phase == Some(BackupPhase::Completed) && s.snapshot_id.is_some())
}

fn verified(b: &Backup) -> bool {
    b.status.as_ref().and_then(|s| s.verification) == Some(VerificationStatus::Verified)
}

fn finished(b: &Backup) -> Option<Timestamp> {
    b.status.as_ref()?.finished_at.as_ref().map(|t| t.0)
}

/// The Backup a restore of `member` (of its `pvc`, or of any PVC when `None`) comes back
/// from, among the plan's Backups: this execution's final sync (`failover`) first, else the
/// newest verified completed one, else — unless `require_verified` — the newest completed
/// one. Ties on the finish time go to the greater name, so the choice never depends on list
/// order. The error says why nothing qualifies, in both languages.
pub fn pick<'a>(
    backups: &'a [Backup],
    failover: &str,
    member: &str,
    pvc: Option<&str>,
    require_verified: bool,
) -> Result<&'a Backup, Text> {
    let usable: Vec<&Backup> = backups
        .iter()
        .filter(|b| b.spec.member == member)
        .filter(|b| pvc.is_none() || b.spec.source.pvc.as_deref() == pvc)
        .filter(|b| completed(b))
        .collect();
    let newest = |it: &mut dyn Iterator<Item = &'a Backup>| {
        it.max_by(|a, b| {
            (finished(a), a.metadata.name.as_deref())
                .cmp(&(finished(b), b.metadata.name.as_deref()))
        })
    };
    let mine = newest(&mut usable.iter().copied().filter(|b| {
        b.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(FAILOVER_LABEL))
            .map(String::as_str)
            == Some(failover)
    }));
    let found = mine
        .or_else(|| newest(&mut usable.iter().copied().filter(|b| verified(b))))
        .or_else(|| {
            (!require_verified)
                .then(|| newest(&mut usable.iter().copied()))
                .flatten()
        });
    found.ok_or_else(|| {
        let what = match pvc {
            Some(p) => crate::t!("dr-restore-pvc-of-member", pvc = p, member = member),
            None => Text::new(member, member),
        };
        if require_verified && !usable.is_empty() {
            crate::t!("dr-restore-no-verified-backup", what = &what)
        } else {
            crate::t!("dr-restore-no-completed-backup", what = &what)
        }
    })
}

/// Where a service (or one PVC of it) is restored at the site taking over: under
/// `drill/<failover>/` for a drill (isolated, removed by the teardown as one tree), in the
/// service's namespace otherwise. The same inputs always give the same path, so a step done
/// again after a crash writes to the same place.
pub fn target_path(
    kind: FailoverType,
    failover: &str,
    namespace: &str,
    member: &str,
    pvc: Option<&str>,
) -> String {
    let base = match kind {
        FailoverType::Drill => format!("{}/{member}", drill_root(failover)),
        _ => format!("{namespace}/{member}"),
    };
    match pvc {
        Some(p) => format!("{base}/{p}"),
        None => base,
    }
}

/// The tree a drill's teardown discards at the site taking over: every target of every PVC
/// of the drill is under it.
pub fn drill_root(failover: &str) -> String {
    format!("drill/{failover}")
}

#[cfg(test)]
mod tests;
