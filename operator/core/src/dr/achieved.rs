//! Figures actually achieved: the RPO of each tier right now, and the RTO of an execution.

use super::steps::ids;
use crate::duration;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, FailoverStatus, StepState, TierOutcome};
use std::collections::BTreeMap;
use std::time::Duration;

/// Alert level of a tier's RPO: stored in the plan's status, so its one home is the CRD.
pub use pusdata_crds::v1alpha1::RpoAlert;

/// The RPO achieved by one tier.
#[derive(Clone, Debug, PartialEq)]
pub struct RpoAchieved {
    /// Tier name.
    pub tier: String,
    /// Target RPO.
    pub target: Duration,
    /// Age of the oldest "last successful backup" among members; `None` if one never had one.
    pub achieved: Option<Duration>,
    /// achieved ÷ target.
    pub ratio: Option<f64>,
    /// Alert level.
    pub alert: RpoAlert,
    /// The member holding the tier back (oldest backup, or never backed up).
    pub worst_member: Option<String>,
    /// Members with no successful backup at all.
    pub never_backed_up: Vec<String>,
}

impl RpoAchieved {
    /// Whether the tier is within its RPO.
    pub fn met(&self) -> bool {
        self.ratio.is_some_and(|r| r <= 1.0)
    }
}

/// The RPO of every tier at `now`, from each member's last successful backup. A tier is as
/// exposed as its least recently backed-up member.
pub fn rpo_achieved(
    plan: &DisasterRecoveryPlan,
    last_success: &BTreeMap<String, Timestamp>,
    now: Timestamp,
) -> Vec<RpoAchieved> {
    plan.spec
        .tiers
        .iter()
        .map(|tier| {
            let target = duration::parse(&tier.rpo).unwrap_or_default();
            let never: Vec<String> = tier
                .members
                .iter()
                .filter(|m| !last_success.contains_key(&m.name))
                .map(|m| m.name.clone())
                .collect();
            let oldest = tier
                .members
                .iter()
                .filter_map(|m| last_success.get(&m.name).map(|t| (t, &m.name)))
                .min();
            let achieved = if never.is_empty() {
                oldest.map(|(t, _)| {
                    Duration::from_secs(u64::try_from((now - *t).get_seconds()).unwrap_or(0))
                })
            } else {
                None
            };
            let ratio = match (achieved, target.is_zero()) {
                (Some(a), false) => Some(a.as_secs_f64() / target.as_secs_f64()),
                _ => None,
            };
            let alert = match ratio {
                None => RpoAlert::Critical,
                Some(r) if r >= 3.0 => RpoAlert::Critical,
                Some(r) if r >= 2.0 => RpoAlert::Warning,
                Some(_) => RpoAlert::Ok,
            };
            RpoAchieved {
                tier: tier.name.clone(),
                target,
                achieved,
                ratio,
                alert,
                worst_member: never
                    .first()
                    .cloned()
                    .or_else(|| oldest.map(|(_, n)| n.clone())),
                never_backed_up: never,
            }
        })
        .collect()
}

/// RTO achieved per tier: from the start of the execution to the moment the tier's last
/// member was verified. `None` while a member is not verified yet.
pub fn rto_achieved(
    plan: &DisasterRecoveryPlan,
    status: &FailoverStatus,
) -> BTreeMap<String, Option<Duration>> {
    let start = status.started_at.as_ref().map(|t| t.0).or_else(|| {
        status
            .steps
            .iter()
            .filter_map(|s| s.started_at.as_ref().map(|t| t.0))
            .min()
    });
    plan.spec
        .tiers
        .iter()
        .filter_map(|tier| {
            let verifies: Vec<_> = status
                .steps
                .iter()
                .filter(|s| {
                    s.tier.as_deref() == Some(tier.name.as_str()) && s.id.starts_with("verify/")
                })
                .collect();
            if verifies.is_empty() {
                // The tier was not in the execution's scope.
                return None;
            }
            let all_done = verifies.iter().all(|s| s.state == StepState::Succeeded);
            let end = verifies
                .iter()
                .filter_map(|s| s.finished_at.as_ref().map(|t| t.0))
                .max();
            let rto = match (all_done, start, end) {
                (true, Some(a), Some(b)) => Some(Duration::from_secs(
                    u64::try_from((b - a).get_seconds()).unwrap_or(0),
                )),
                _ => None,
            };
            Some((tier.name.clone(), rto))
        })
        .collect()
}

/// The age of the data each tier came back with, at the start of the execution: a tier is
/// as old as its oldest restored volume. `backed_up_at` says when the Backup a restore step
/// brought back finished (`None` when unknown: that step is left out).
pub fn restored_ages(
    status: &FailoverStatus,
    backed_up_at: impl Fn(&pusdata_crds::v1alpha1::StepStatus) -> Option<Timestamp>,
) -> BTreeMap<String, Duration> {
    let start = status.started_at.as_ref().map(|t| t.0);
    let mut rpo: BTreeMap<String, Duration> = BTreeMap::new();
    for s in status.steps.iter().filter(|s| s.id.starts_with("restore/")) {
        let (Some(_), Some(tier)) = (s.service.as_deref(), s.tier.as_deref()) else {
            continue;
        };
        if let (Some(start), Some(backed)) = (start, backed_up_at(s)) {
            let age =
                Duration::from_secs(u64::try_from((start - backed).get_seconds()).unwrap_or(0));
            let e = rpo.entry(tier.to_string()).or_default();
            *e = (*e).max(age);
        }
    }
    rpo
}

/// The per-tier outcome written into `FailoverStatus.tiers`: RTO from the step timestamps,
/// RPO from `rpo` (age of the restored data at the moment of loss, if known).
pub fn tier_outcomes(
    plan: &DisasterRecoveryPlan,
    status: &FailoverStatus,
    rpo: &BTreeMap<String, Duration>,
) -> Vec<TierOutcome> {
    let rto = rto_achieved(plan, status);
    plan.spec
        .tiers
        .iter()
        .filter_map(|tier| {
            let achieved_rto = rto.get(&tier.name)?;
            let rto_target = duration::parse(&tier.rto).unwrap_or_default().as_secs();
            let rpo_target = duration::parse(&tier.rpo).unwrap_or_default().as_secs();
            let achieved_rpo = rpo.get(&tier.name).map(Duration::as_secs);
            let met = match (achieved_rto, achieved_rpo) {
                (Some(r), Some(p)) => Some(r.as_secs() <= rto_target && p <= rpo_target),
                (Some(r), None) => Some(r.as_secs() <= rto_target),
                (None, _) => None,
            };
            Some(TierOutcome {
                tier: tier.name.clone(),
                rpo_target_seconds: rpo_target,
                rpo_achieved_seconds: achieved_rpo,
                rto_target_seconds: rto_target,
                rto_achieved_seconds: achieved_rto.map(|d| d.as_secs()),
                met,
            })
        })
        .collect()
}

/// Whether the step list says the drill's RTO was measured (for the `RtoMet` condition).
pub fn rto_measured(status: &FailoverStatus) -> bool {
    status
        .steps
        .iter()
        .any(|s| s.id == ids::MEASURE_RTO && s.state == StepState::Succeeded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tier_is_as_old_as_its_oldest_restored_volume_at_the_start() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
        use pusdata_crds::v1alpha1::StepStatus;
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let step = |id: &str, tier: &str, pvc: &str| StepStatus {
            id: id.into(),
            service: Some("siak".into()),
            tier: Some(tier.into()),
            pvc: Some(pvc.into()),
            ..StepStatus::default()
        };
        let status = FailoverStatus {
            started_at: Some(Time(at("2026-11-25T01:00:00Z"))),
            steps: vec![
                step("restore/siak/data", "tier-1", "data"),
                step("restore/siak/wal", "tier-1", "wal"),
                step("restore/siak/logs", "tier-2", "logs"),
                step("verify/siak", "tier-1", "data"),
            ],
            ..FailoverStatus::default()
        };
        let ages = restored_ages(&status, |s| match s.pvc.as_deref() {
            Some("data") => Some(at("2026-11-25T00:50:00Z")),
            Some("wal") => Some(at("2026-11-25T00:30:00Z")),
            _ => None,
        });
        assert_eq!(ages.len(), 1, "tier-2's backup is unknown: {ages:?}");
        assert_eq!(ages["tier-1"], Duration::from_secs(1800));
    }
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::StepStatus;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn plan() -> DisasterRecoveryPlan {
        let mut p = fixtures::plan();
        let mut second = p.spec.tiers[0].members[0].clone();
        second.name = "b".into();
        p.spec.tiers[0].members.push(second);
        p
    }

    #[test]
    fn rpo_uses_the_oldest_member_and_alerts_at_2x_and_3x() {
        let p = plan();
        let now = ts("2026-11-25T12:00:00Z");
        let mut last = BTreeMap::new();
        last.insert(
            "tier-1-critical-svc".to_string(),
            ts("2026-11-25T11:55:00Z"),
        );
        last.insert("b".to_string(), ts("2026-11-25T11:50:00Z"));
        let r = &rpo_achieved(&p, &last, now)[0];
        assert_eq!(r.achieved, Some(Duration::from_secs(600)));
        assert_eq!(r.worst_member.as_deref(), Some("b"));
        assert_eq!(r.alert, RpoAlert::Ok);
        assert!(r.met());
        for (at, alert) in [
            ("2026-11-25T11:30:00Z", RpoAlert::Warning),
            ("2026-11-25T11:15:00Z", RpoAlert::Critical),
            ("2026-11-25T11:40:00Z", RpoAlert::Ok),
        ] {
            last.insert("b".to_string(), ts(at));
            assert_eq!(rpo_achieved(&p, &last, now)[0].alert, alert, "{at}");
        }
        last.remove("b");
        let r = &rpo_achieved(&p, &last, now)[0];
        assert_eq!((r.alert, r.achieved), (RpoAlert::Critical, None));
        assert_eq!(r.never_backed_up, vec!["b"]);
        assert!(!r.met());
    }

    fn step(id: &str, tier: &str, state: StepState, start: &str, end: &str) -> StepStatus {
        StepStatus {
            id: id.into(),
            tier: Some(tier.into()),
            state,
            started_at: Some(Time(ts(start))),
            finished_at: Some(Time(ts(end))),
            ..StepStatus::default()
        }
    }

    #[test]
    fn rto_from_step_timestamps() {
        let p = plan();
        let t = "tier-1-critical";
        let mut st = FailoverStatus {
            started_at: Some(Time(ts("2026-11-25T10:00:00Z"))),
            steps: vec![
                step(
                    "verify/tier-1-critical-svc",
                    t,
                    StepState::Succeeded,
                    "2026-11-25T10:30:00Z",
                    "2026-11-25T10:40:00Z",
                ),
                step(
                    "verify/b",
                    t,
                    StepState::Succeeded,
                    "2026-11-25T11:00:00Z",
                    "2026-11-25T13:00:00Z",
                ),
            ],
            ..FailoverStatus::default()
        };
        let mut rpo = BTreeMap::new();
        rpo.insert(t.to_string(), Duration::from_secs(600));
        let o = &tier_outcomes(&p, &st, &rpo)[0];
        assert_eq!(o.rto_achieved_seconds, Some(3 * 3600));
        assert_eq!(o.met, Some(true));
        st.steps[1].finished_at = Some(Time(ts("2026-11-25T14:00:01Z")));
        assert_eq!(tier_outcomes(&p, &st, &rpo)[0].met, Some(false));
        st.steps[1].state = StepState::Running;
        assert_eq!(tier_outcomes(&p, &st, &rpo)[0].rto_achieved_seconds, None);
        assert_eq!(tier_outcomes(&p, &st, &rpo)[0].met, None);
        st.steps.clear();
        assert!(
            tier_outcomes(&p, &st, &rpo).is_empty(),
            "tier outside the scope"
        );
    }
}
