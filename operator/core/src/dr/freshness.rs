//! How fresh each tier's backups are: the time since the last successful and the last
//! verified backup of every source, folded per member and per tier, and its ratio to the
//! target RPO ([`super::rpo_achieved`], Ramen-style 2×/3× alert levels).

use super::achieved::{RpoAchieved, rpo_achieved};
use super::due::SourceRef;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::DisasterRecoveryPlan;
use std::collections::BTreeMap;

/// What a finished run tells about freshness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRecord {
    /// Plan member.
    pub member: String,
    /// Namespace.
    pub namespace: String,
    /// PVC or bucket.
    pub object: String,
    /// When it completed, if it completed (phase `Completed`).
    pub completed_at: Option<Timestamp>,
    /// Whether its snapshot was verified by a restore test.
    pub verified: bool,
}

/// One tier's freshness.
#[derive(Clone, Debug, PartialEq)]
pub struct TierFreshness {
    /// From the last successful backup of each member.
    pub success: RpoAchieved,
    /// From the last verified backup of each member.
    pub verified: RpoAchieved,
    /// Oldest "last successful backup" among members (all members backed up).
    pub last_success: Option<Timestamp>,
    /// Oldest "last verified backup" among members (all members verified).
    pub last_verified: Option<Timestamp>,
}

/// Freshness of every tier at `now`. A member is as fresh as its least recently backed-up
/// source; a member with a source never backed up, or with no source at all, counts as never
/// backed up (nothing of it is protected).
pub fn freshness(
    plan: &DisasterRecoveryPlan,
    sources: &[SourceRef],
    runs: &[RunRecord],
    now: Timestamp,
) -> Vec<TierFreshness> {
    let success = per_member(sources, runs, |r| r.completed_at);
    let verified = per_member(sources, runs, |r| r.completed_at.filter(|_| r.verified));
    let s = rpo_achieved(plan, &success, now);
    let v = rpo_achieved(plan, &verified, now);
    s.into_iter()
        .zip(v)
        .map(|(success_rpo, verified_rpo)| {
            let oldest = |map: &BTreeMap<String, Timestamp>, r: &RpoAchieved| {
                if !r.never_backed_up.is_empty() {
                    return None;
                }
                plan.spec
                    .tiers
                    .iter()
                    .find(|t| t.name == r.tier)?
                    .members
                    .iter()
                    .filter_map(|m| map.get(&m.name).copied())
                    .min()
            };
            TierFreshness {
                last_success: oldest(&success, &success_rpo),
                last_verified: oldest(&verified, &verified_rpo),
                success: success_rpo,
                verified: verified_rpo,
            }
        })
        .collect()
}

/// Last time per member: the minimum over its sources of each source's newest time; members
/// with a source lacking one are left out.
fn per_member(
    sources: &[SourceRef],
    runs: &[RunRecord],
    time: impl Fn(&RunRecord) -> Option<Timestamp>,
) -> BTreeMap<String, Timestamp> {
    let mut newest: BTreeMap<(&str, &str, &str), Timestamp> = BTreeMap::new();
    for r in runs {
        if let Some(t) = time(r) {
            let k = (r.member.as_str(), r.namespace.as_str(), r.object.as_str());
            let e = newest.entry(k).or_insert(t);
            *e = (*e).max(t);
        }
    }
    let mut out: BTreeMap<String, Option<Timestamp>> = BTreeMap::new();
    for s in sources {
        let t = newest
            .get(&(s.member.as_str(), s.namespace.as_str(), s.object()))
            .copied();
        let e = out.entry(s.member.clone()).or_insert(t);
        *e = match (*e, t) {
            (Some(a), Some(b)) => Some(a.min(b)),
            _ => None,
        };
    }
    out.into_iter()
        .filter_map(|(m, t)| t.map(|t| (m, t)))
        .collect()
}

/// A ratio as the status shows it (`0.42`); `None` when a member was never backed up.
pub fn ratio_text(r: &RpoAchieved) -> Option<String> {
    r.ratio.map(|x| format!("{x:.2}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dr::achieved::RpoAlert;
    use pusdata_crds::fixtures;
    use std::time::Duration;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn src(member: &str, pvc: &str) -> SourceRef {
        SourceRef {
            tier: "tier-1-critical".into(),
            member: member.into(),
            agency: "disdukcapil".into(),
            namespace: "disdukcapil".into(),
            pvc: Some(pvc.into()),
            bucket: None,
        }
    }

    fn rec(pvc: &str, at: Option<&str>, verified: bool) -> RunRecord {
        RunRecord {
            member: "tier-1-critical-svc".into(),
            namespace: "disdukcapil".into(),
            object: pvc.into(),
            completed_at: at.map(ts),
            verified,
        }
    }

    #[test]
    fn a_member_is_as_fresh_as_its_oldest_source() {
        let plan = fixtures::plan(); // RPO 15m
        let m = "tier-1-critical-svc";
        let sources = vec![src(m, "data"), src(m, "wal")];
        let runs = vec![
            rec("data", Some("2026-11-25T11:50:00Z"), true),
            rec("data", Some("2026-11-25T11:58:00Z"), false),
            rec("wal", Some("2026-11-25T11:30:00Z"), false),
            rec("wal", None, false), // failed run: ignored
        ];
        let f = &freshness(&plan, &sources, &runs, ts("2026-11-25T12:00:00Z"))[0];
        assert_eq!(f.last_success, Some(ts("2026-11-25T11:30:00Z")));
        assert_eq!(f.success.achieved, Some(Duration::from_secs(1800)));
        assert_eq!(f.success.alert, RpoAlert::Warning);
        assert_eq!(ratio_text(&f.success).as_deref(), Some("2.00"));
        // wal has never been verified: the verified view is "never".
        assert_eq!(f.last_verified, None);
        assert_eq!(f.verified.alert, RpoAlert::Critical);
        assert_eq!(ratio_text(&f.verified), None);
    }

    #[test]
    fn no_source_or_no_run_means_never_backed_up() {
        let plan = fixtures::plan();
        let f = &freshness(&plan, &[], &[], ts("2026-11-25T12:00:00Z"))[0];
        assert_eq!(f.success.never_backed_up, vec!["tier-1-critical-svc"]);
        assert_eq!(f.last_success, None);
        let sources = vec![src("tier-1-critical-svc", "data")];
        let runs = vec![rec("data", Some("2026-11-25T11:55:00Z"), true)];
        let f = &freshness(&plan, &sources, &runs, ts("2026-11-25T12:00:00Z"))[0];
        assert_eq!(f.success.alert, RpoAlert::Ok);
        assert_eq!(f.last_verified, Some(ts("2026-11-25T11:55:00Z")));
        assert_eq!(ratio_text(&f.verified).as_deref(), Some("0.33"));
    }
}
