//! A site's view of its peer, from the age of the last heartbeat answered — what a
//! controller writes into the Site's `PeerReady` condition.
//!
//! A peer that stops answering is only *reported*: `PeerReady=False` raises an alert and
//! nothing else. Pusdata never fails over because the peer is silent — a silent peer may be
//! a cut link with a healthy site behind it, and promoting then would make two active sites.
//! A failover happens only when a person, or a DRP rule that says so explicitly, orders it:
//! [`auto_failover`] is that rule, applied at the DRC only ([`peers`] says which site each
//! side watches).

use crate::i18n::Text;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use pusdata_crds::v1alpha1::{FailoverPhase, FailoverType, PeerLossPolicy};
use std::time::Duration;

/// The condition type on `Site.status.conditions`.
pub const CONDITION_TYPE: &str = "PeerReady";

/// The default heartbeat age after which the peer is not ready: three missed heartbeats at
/// the default 10 s interval. A setting, not a constant of the rule.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(30);

/// Why the peer is (not) ready; the condition's `reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PeerReason {
    /// The last heartbeat is recent enough.
    HeartbeatFresh,
    /// No heartbeat was ever answered.
    NoHeartbeat,
    /// The last heartbeat is older than the limit.
    HeartbeatStale,
    /// The last heartbeat is in the future: the clocks disagree, so its age is unknown.
    ClockSkew,
    /// The peer's `Site` has no `spec.endpoints.agent`: nothing to heartbeat, so its state
    /// is unknown (not lost: an unknown peer never counts as an outage).
    NoEndpoint,
}

impl PeerReason {
    /// The condition reason (CamelCase, stable).
    pub fn as_str(self) -> &'static str {
        match self {
            PeerReason::HeartbeatFresh => "HeartbeatFresh",
            PeerReason::NoHeartbeat => "NoHeartbeat",
            PeerReason::HeartbeatStale => "HeartbeatStale",
            PeerReason::ClockSkew => "ClockSkew",
            PeerReason::NoEndpoint => "NoEndpoint",
        }
    }
}

/// The view of the peer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerView {
    /// The condition status: `True` when ready.
    pub ready: bool,
    /// The condition reason.
    pub reason: PeerReason,
    /// The condition message, in both languages.
    pub message: Text,
}

impl PeerView {
    /// The condition status: `Some(ready)`, or `None` (`Unknown`) when the peer cannot be
    /// asked at all.
    pub fn status(&self) -> Option<bool> {
        (self.reason != PeerReason::NoEndpoint).then_some(self.ready)
    }

    /// The Site's `PeerReady` condition.
    pub fn condition(&self) -> crate::conditions::Desired {
        crate::conditions::Desired {
            type_: CONDITION_TYPE,
            status: self.status(),
            reason: self.reason.as_str(),
            message: self.message.to_string(),
        }
    }
}

/// Whether a heartbeat is due: `None` when it is (never answered, or the last answer is
/// `interval` old), else how long to wait. Writing each answer into the Site's status wakes
/// the controller's own watch; without this a reconcile would heartbeat again at once, in a
/// loop. A peer that does not answer changes no status, so it is simply asked every
/// `interval`.
pub fn heartbeat_due(
    last_answer: Option<Timestamp>,
    now: Timestamp,
    interval: Duration,
) -> Option<Duration> {
    let since = now.duration_since(last_answer?);
    if since.is_negative() {
        // A last answer "in the future" (clock moved back): ask now rather than wait.
        return None;
    }
    interval
        .checked_sub(since.unsigned_abs())
        .filter(|d| !d.is_zero())
}

/// The view of a peer whose `Site` names no agent endpoint: `Unknown`, never an outage.
pub fn no_endpoint(site: &str) -> PeerView {
    PeerView {
        ready: false,
        reason: PeerReason::NoEndpoint,
        message: crate::t!("dr-peer-site-spec-endpoints-agent", site = &site),
    }
}

/// Tolerated clock difference before a heartbeat "from the future" is reported as skew.
const SKEW_TOLERANCE: Duration = Duration::from_secs(5);

/// The peer is ready when its last answered heartbeat is at most `max_age` old at `now`.
pub fn peer_ready(
    last_heartbeat: Option<Timestamp>,
    now: Timestamp,
    max_age: Duration,
) -> PeerView {
    let Some(last) = last_heartbeat else {
        return PeerView {
            ready: false,
            reason: PeerReason::NoHeartbeat,
            message: crate::t!("dr-peer-peer-site-answered-heartbeat"),
        };
    };
    let signed_age = now.duration_since(last);
    let age = signed_age.unsigned_abs();
    if signed_age.is_negative() && age > SKEW_TOLERANCE {
        return PeerView {
            ready: false,
            reason: PeerReason::ClockSkew,
            message: crate::t!("dr-peer-last-heartbeat-s-future", seconds = &age.as_secs()),
        };
    }
    if !signed_age.is_negative() && age > max_age {
        return PeerView {
            ready: false,
            reason: PeerReason::HeartbeatStale,
            message: crate::t!(
                "dr-peer-heartbeat-peer-site-s",
                seconds = &age.as_secs(),
                limit = &max_age.as_secs()
            ),
        };
    }
    PeerView {
        ready: true,
        reason: PeerReason::HeartbeatFresh,
        message: crate::t!("dr-peer-peer-site-answers-heartbeats"),
    }
}

/// The side of the DR pair a Pusdata operator runs at (`pusdata operator` with all the
/// controllers is the primary; `--role drc` is the DRC).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The city Data Centre.
    Primary,
    /// The Disaster Recovery Center.
    Drc,
}

/// The two sites of one plan (`spec.primarySite`, `spec.drcSite`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSites {
    /// Plan name.
    pub plan: String,
    /// The primary `Site`.
    pub primary: String,
    /// The DRC `Site`.
    pub drc: String,
}

/// What this operator owes one peer site: heartbeats, sent in the name of `me`, and the
/// plans whose peer-loss rule it applies.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Duty {
    /// This side's site in the plans (the heartbeat's caller name); the first by name when
    /// plans disagree.
    pub me: String,
    /// The plans where the peer is the other site, sorted.
    pub plans: Vec<String>,
}

/// The sites this operator watches, by name: at the primary, the DRC of every plan; at the
/// DRC, the primary of every plan. A plan naming the same site on both sides has no peer.
pub fn peers(side: Side, plans: &[PlanSites]) -> std::collections::BTreeMap<String, Duty> {
    let mut out: std::collections::BTreeMap<String, Duty> = Default::default();
    for p in plans.iter().filter(|p| p.primary != p.drc) {
        let (me, peer) = match side {
            Side::Primary => (&p.primary, &p.drc),
            Side::Drc => (&p.drc, &p.primary),
        };
        let duty = out.entry(peer.clone()).or_default();
        if duty.me.is_empty() || *me < duty.me {
            duty.me = me.clone();
        }
        duty.plans.push(p.plan.clone());
    }
    for d in out.values_mut() {
        d.plans.sort();
        d.plans.dedup();
    }
    out
}

/// An execution (`Failover` object) of the plan, as the automatic-failover rule sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Object name.
    pub name: String,
    /// Drill, Failover or Failback.
    pub kind: FailoverType,
    /// Its phase (`None`: not yet picked up, counts as running).
    pub phase: Option<FailoverPhase>,
    /// When it was created.
    pub created: Option<Timestamp>,
}

impl Execution {
    fn finished(&self) -> bool {
        matches!(
            self.phase,
            Some(FailoverPhase::Succeeded | FailoverPhase::Failed | FailoverPhase::Cancelled)
        )
    }
}

/// What the DRC does about a lost primary under one plan's `spec.peerLoss`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AutoFailover {
    /// Nothing, ever, for this outage (the rule is off, this is the primary, the peer is
    /// ready, …): `why` in both languages.
    No {
        /// Why not.
        why: Text,
    },
    /// The rule allows it, but the outage is not yet `after` long: ask again in `remaining`.
    Wait {
        /// Time left before the rule's `after` is reached.
        remaining: Duration,
    },
    /// Already done for this outage, or another execution of the plan runs: `name` is it.
    Exists {
        /// The execution that stands for it.
        name: String,
    },
    /// Create the `Failover` named `name` (deterministic for the plan and the outage's start,
    /// so that a restarted controller finds it instead of creating a second) with `reason`.
    Create {
        /// Object name.
        name: String,
        /// `spec.reason`: the rule and the outage's length, both languages.
        reason: String,
    },
}

/// The name of the automatic Failover of `plan` for the outage that started at `since`.
pub fn auto_failover_name(plan: &str, since: Timestamp) -> String {
    // A DNS subdomain is at most 253 characters; plan names are already DNS names.
    let plan: String = plan.chars().take(200).collect();
    format!("{plan}-peer-loss-{}", since.as_second())
}

/// Whether the DRC (`side`) creates a `Failover` for `plan` now: only when the plan's
/// `spec.peerLoss.automaticFailover` is on, the primary's `PeerReady` condition (`peer_ready`)
/// has been `False` for at least `spec.peerLoss.after`, no execution of the plan is running,
/// none was made for this outage (by name, or a Failover created since the outage began) and
/// the plan is not already failed over (its last succeeded Failover/Failback is a Failover).
pub fn auto_failover(
    side: Side,
    plan: &str,
    policy: &PeerLossPolicy,
    peer_ready: Option<&Condition>,
    executions: &[Execution],
    now: Timestamp,
) -> AutoFailover {
    let no = |why: Text| AutoFailover::No { why };
    if !policy.automatic_failover {
        return no(crate::t!(
            "dr-peer-auto-plan-spec-peerloss-automaticfailover",
            plan = &plan
        ));
    }
    if side == Side::Primary {
        return no(crate::t!("dr-peer-auto-primary-never-fails-over"));
    }
    let after = match policy.after.as_deref().map(crate::duration::parse) {
        Some(Ok(d)) => d,
        Some(Err(e)) => {
            return no(crate::t!(
                "dr-peer-auto-plan-spec-peerloss-after",
                plan = &plan,
                error = &e
            ));
        }
        None => {
            return no(crate::t!(
                "dr-peer-auto-plan-spec-peerloss-after-unset",
                plan = &plan
            ));
        }
    };
    let Some(cond) = peer_ready.filter(|c| c.status == "False") else {
        return no(crate::t!("dr-peer-auto-primary-known-lost-peerready"));
    };
    let since = cond.last_transition_time.0;
    let lost = now.duration_since(since);
    if lost.is_negative() {
        return no(crate::t!("dr-peer-auto-peerready-changed-after-now"));
    }
    let lost = lost.unsigned_abs();
    if lost < after {
        return AutoFailover::Wait {
            remaining: after - lost,
        };
    }
    let name = auto_failover_name(plan, since);
    if let Some(e) = executions.iter().find(|e| e.name == name) {
        return AutoFailover::Exists {
            name: e.name.clone(),
        };
    }
    if let Some(e) = executions.iter().find(|e| !e.finished()) {
        return AutoFailover::Exists {
            name: e.name.clone(),
        };
    }
    if let Some(e) = executions
        .iter()
        .find(|e| e.kind == FailoverType::Failover && e.created.is_some_and(|c| c >= since))
    {
        return AutoFailover::Exists {
            name: e.name.clone(),
        };
    }
    let last_move = executions
        .iter()
        .filter(|e| e.kind != FailoverType::Drill && e.phase == Some(FailoverPhase::Succeeded))
        .max_by_key(|e| (e.created, e.name.clone()));
    if let Some(e) = last_move.filter(|e| e.kind == FailoverType::Failover) {
        return no(crate::t!(
            "dr-peer-auto-plan-already-failed-over",
            plan = &plan,
            name = &e.name
        ));
    }
    let (after_h, lost_h) = (crate::duration::human(after), crate::duration::human(lost));
    AutoFailover::Create {
        name,
        reason: crate::t!(
            "dr-peer-automatic-failover-reason",
            plan = plan,
            after = &after_h,
            lost = &lost_h,
            since = &since.to_string()
        )
        .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn views() {
        let max = Duration::from_secs(30);
        let cases = [
            (None, false, PeerReason::NoHeartbeat),
            (Some(ts(0)), true, PeerReason::HeartbeatFresh),
            (Some(ts(-30)), true, PeerReason::HeartbeatFresh),
            (Some(ts(-31)), false, PeerReason::HeartbeatStale),
            (Some(ts(3)), true, PeerReason::HeartbeatFresh),
            (Some(ts(60)), false, PeerReason::ClockSkew),
        ];
        for (last, ready, reason) in cases {
            let v = peer_ready(last, ts(0), max);
            assert_eq!((v.ready, v.reason), (ready, reason), "{last:?}");
            assert!(!v.message.en.is_empty() && !v.message.id.is_empty());
            assert_eq!(v.status(), Some(ready));
        }
        let unknown = no_endpoint("dc-bekasi");
        assert_eq!(
            (unknown.status(), unknown.reason.as_str()),
            (None, "NoEndpoint")
        );
        // The Site's condition is the view, Unknown included.
        let c = unknown.condition();
        assert_eq!(
            (c.type_, c.status, c.reason),
            (CONDITION_TYPE, None, "NoEndpoint")
        );
        assert_eq!(c.message, unknown.message.to_string());
        let c = peer_ready(Some(ts(-31)), ts(0), max).condition();
        assert_eq!((c.status, c.reason), (Some(false), "HeartbeatStale"));
    }

    #[test]
    fn heartbeats_are_due_once_per_interval() {
        let i = Duration::from_secs(10);
        assert_eq!(heartbeat_due(None, ts(0), i), None);
        assert_eq!(heartbeat_due(Some(ts(0)), ts(0), i), Some(i));
        assert_eq!(
            heartbeat_due(Some(ts(-4)), ts(0), i),
            Some(Duration::from_secs(6))
        );
        assert_eq!(heartbeat_due(Some(ts(-10)), ts(0), i), None);
        assert_eq!(heartbeat_due(Some(ts(-3600)), ts(0), i), None);
        assert_eq!(heartbeat_due(Some(ts(5)), ts(0), i), None);
    }

    fn plan(name: &str, primary: &str, drc: &str) -> PlanSites {
        PlanSites {
            plan: name.into(),
            primary: primary.into(),
            drc: drc.into(),
        }
    }

    #[test]
    fn each_side_watches_the_other_site_of_its_plans() {
        let plans = [
            plan("bekasi", "dc-bekasi", "drc-bandung"),
            plan("bekasi-web", "dc-bekasi", "drc-bandung"),
            plan("arsip", "dc-bekasi", "drc-surabaya"),
            plan("broken", "dc-bekasi", "dc-bekasi"),
        ];
        let at_primary = peers(Side::Primary, &plans);
        assert_eq!(
            at_primary.keys().collect::<Vec<_>>(),
            ["drc-bandung", "drc-surabaya"]
        );
        assert_eq!(
            at_primary["drc-bandung"],
            Duty {
                me: "dc-bekasi".into(),
                plans: vec!["bekasi".into(), "bekasi-web".into()],
            }
        );
        let at_drc = peers(Side::Drc, &plans);
        assert_eq!(at_drc.keys().collect::<Vec<_>>(), ["dc-bekasi"]);
        assert_eq!(at_drc["dc-bekasi"].plans, ["arsip", "bekasi", "bekasi-web"]);
        assert_eq!(at_drc["dc-bekasi"].me, "drc-bandung", "first by name");
        assert!(peers(Side::Drc, &[]).is_empty());
    }

    fn lost_since(s: i64) -> Condition {
        Condition {
            type_: CONDITION_TYPE.into(),
            status: "False".into(),
            reason: "HeartbeatStale".into(),
            message: String::new(),
            observed_generation: None,
            last_transition_time: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(ts(s)),
        }
    }

    fn exec(
        name: &str,
        kind: FailoverType,
        phase: Option<FailoverPhase>,
        created: i64,
    ) -> Execution {
        Execution {
            name: name.into(),
            kind,
            phase,
            created: Some(ts(created)),
        }
    }

    #[derive(Debug, PartialEq)]
    enum Want {
        No,
        Wait(u64),
        Exists(&'static str),
        Create,
    }

    /// What, side, policy, the `PeerReady` condition, the plan's executions, expected.
    type Case = (
        &'static str,
        Side,
        PeerLossPolicy,
        Option<Condition>,
        Vec<Execution>,
        Want,
    );

    #[test]
    fn automatic_failover_table() {
        use FailoverPhase::*;
        use FailoverType::{Drill, Failback, Failover as Fo};
        let on = |after: Option<&str>| PeerLossPolicy {
            automatic_failover: true,
            after: after.map(str::to_string),
        };
        let off = |after: Option<&str>| PeerLossPolicy {
            automatic_failover: false,
            after: after.map(str::to_string),
        };
        let mut ready = lost_since(-3600);
        ready.status = "True".into();
        let mut unknown = lost_since(-3600);
        unknown.status = "Unknown".into();
        let name = auto_failover_name("bekasi", ts(-3600));
        assert_eq!(name, format!("bekasi-peer-loss-{}", 1_800_000_000 - 3600));
        let leaked: &'static str = Box::leak(name.clone().into_boxed_str());
        let none: Vec<Execution> = Vec::new();
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            ("off, whatever the outage", Side::Drc, off(Some("0s")), Some(lost_since(-86_400 * 30)), none.clone(), Want::No),
            ("off, no after", Side::Drc, off(None), Some(lost_since(-3600)), none.clone(), Want::No),
            ("primary never", Side::Primary, on(Some("0s")), Some(lost_since(-3600)), none.clone(), Want::No),
            ("on without after", Side::Drc, on(None), Some(lost_since(-3600)), none.clone(), Want::No),
            ("on with a bad after", Side::Drc, on(Some("half an hour")), Some(lost_since(-3600)), none.clone(), Want::No),
            ("no condition yet", Side::Drc, on(Some("0s")), None, none.clone(), Want::No),
            ("peer ready", Side::Drc, on(Some("0s")), Some(ready.clone()), none.clone(), Want::No),
            ("peer unknown", Side::Drc, on(Some("0s")), Some(unknown.clone()), none.clone(), Want::No),
            ("lost in the future", Side::Drc, on(Some("0s")), Some(lost_since(60)), none.clone(), Want::No),
            ("before after", Side::Drc, on(Some("30m")), Some(lost_since(-1799)), none.clone(), Want::Wait(1)),
            ("just lost", Side::Drc, on(Some("30m")), Some(lost_since(0)), none.clone(), Want::Wait(1800)),
            ("at after", Side::Drc, on(Some("30m")), Some(lost_since(-1800)), none.clone(), Want::Create),
            ("after 0s", Side::Drc, on(Some("0s")), Some(lost_since(0)), none.clone(), Want::Create),
            ("long after", Side::Drc, on(Some("30m")), Some(lost_since(-3600)), none.clone(), Want::Create),
            ("already created (restart)", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec(leaked, Fo, None, -1)], Want::Exists(leaked)),
            ("already created and failed", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec(leaked, Fo, Some(Failed), -1)], Want::Exists(leaked)),
            ("a drill is running", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec("drill-1", Drill, Some(Running), -7200)], Want::Exists("drill-1")),
            ("a person started one during the outage", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec("manual", Fo, Some(Failed), -60)], Want::Exists("manual")),
            ("old finished executions do not count", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec("drill-0", Drill, Some(Succeeded), -9000), exec("fo-0", Fo, Some(Succeeded), -8000),
                     exec("fb-0", Failback, Some(Succeeded), -7000)], Want::Create),
            ("already failed over before the outage", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec("fb-0", Failback, Some(Succeeded), -9000), exec("fo-1", Fo, Some(Succeeded), -8000)], Want::No),
            ("a failed failback does not undo a failover", Side::Drc, on(Some("30m")), Some(lost_since(-3600)),
                vec![exec("fo-1", Fo, Some(Succeeded), -8000), exec("fb-1", Failback, Some(Failed), -7000)], Want::No),
        ];
        for (what, side, policy, cond, execs, want) in cases {
            let got = auto_failover(side, "bekasi", &policy, cond.as_ref(), &execs, ts(0));
            let got_want = match &got {
                AutoFailover::No { why } => {
                    assert!(!why.en.is_empty() && !why.id.is_empty(), "{what}");
                    Want::No
                }
                AutoFailover::Wait { remaining } => Want::Wait(remaining.as_secs()),
                AutoFailover::Exists { name } => {
                    Want::Exists(Box::leak(name.clone().into_boxed_str()))
                }
                AutoFailover::Create { name: n, reason } => {
                    let since = cond.as_ref().unwrap().last_transition_time.0;
                    assert_eq!(n, &auto_failover_name("bekasi", since), "{what}");
                    assert!(
                        reason.contains("spec.peerLoss") && reason.contains(" / "),
                        "{what}: {reason}"
                    );
                    assert!(reason.len() >= 10);
                    Want::Create
                }
            };
            assert_eq!(got_want, want, "{what}");
        }
    }

    #[test]
    fn the_name_is_the_same_for_one_outage_and_new_for_the_next() {
        let policy = PeerLossPolicy {
            automatic_failover: true,
            after: Some("5m".into()),
        };
        let first = auto_failover(
            Side::Drc,
            "bekasi",
            &policy,
            Some(&lost_since(-600)),
            &[],
            ts(0),
        );
        let later = auto_failover(
            Side::Drc,
            "bekasi",
            &policy,
            Some(&lost_since(-600)),
            &[],
            ts(500),
        );
        let next = auto_failover(
            Side::Drc,
            "bekasi",
            &policy,
            Some(&lost_since(100)),
            &[],
            ts(500),
        );
        let name = |a: &AutoFailover| match a {
            AutoFailover::Create { name, .. } => name.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(name(&first), name(&later));
        assert_ne!(name(&first), name(&next));
        assert!(name(&first).len() <= 253);
        let long = "p".repeat(300);
        assert!(auto_failover_name(&long, ts(0)).len() <= 253);
    }
}
