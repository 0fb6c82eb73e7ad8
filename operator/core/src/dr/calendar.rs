//! The DRP's drill calendar against the drills held (DR-PLAN): every scheduled occurrence
//! between `since` and `now` is held when a recorded drill started within its tolerance (from
//! the occurrence to `tolerance` after it, never past the next occurrence or `now`). A drill
//! that starts later, but before the next occurrence, does not make up for it: the
//! occurrence is missed and that drill is recorded against it as late.

use super::cron;
use crate::duration;
use jiff::{SignedDuration, Timestamp};
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, DrillSchedule};
use std::time::Duration;

/// How late a drill may start and still count for its date when the plan does not say
/// (`spec.drills[].tolerance`): 14 days.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(14 * 86_400);

/// One scheduled occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The `drills[].name` of the plan.
    pub schedule: String,
    /// When it was due.
    pub due: Timestamp,
    /// How late a drill could start and still count.
    pub tolerance: Duration,
    /// The drill held for it within the tolerance (its name), if any.
    pub held_by: Option<String>,
    /// The drill held for it after the tolerance, before the next occurrence: the
    /// occurrence is missed all the same.
    pub late: Option<Late>,
}

impl Occurrence {
    /// Held within its tolerance.
    pub fn held(&self) -> bool {
        self.held_by.is_some()
    }
}

/// A drill that started after its occurrence's tolerance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Late {
    /// The Failover's name.
    pub name: String,
    /// How long after the due time it started.
    pub by: SignedDuration,
}

/// A drill that was held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The Failover's name.
    pub name: String,
    /// When it started.
    pub started: Timestamp,
}

/// The tolerance of a schedule: its own (`tolerance`, a Go duration), else
/// [`DEFAULT_TOLERANCE`]. One that does not parse counts as the default; the plan check
/// refuses it (DR-PLAN, `spec.drills[i].tolerance`).
pub fn tolerance(d: &DrillSchedule) -> Duration {
    d.tolerance
        .as_deref()
        .and_then(|t| duration::parse(t).ok())
        .unwrap_or(DEFAULT_TOLERANCE)
}

/// Every occurrence of every schedule of `plan` in `(since, now]`, in time order. A schedule
/// whose cron does not parse is left out (the plan check reports it). A held drill counts for
/// one occurrence only.
pub fn calendar(
    plan: &DisasterRecoveryPlan,
    held: &[Held],
    since: Timestamp,
    now: Timestamp,
) -> Vec<Occurrence> {
    let mut used = vec![false; held.len()];
    let mut out = Vec::new();
    for d in &plan.spec.drills {
        let Ok(spec) = cron::parse(&d.schedule) else {
            continue;
        };
        let tol = tolerance(d);
        let mut due = spec.next_after(since);
        while let Some(t) = due.filter(|t| *t <= now) {
            let next = spec.next_after(t).filter(|n| *n <= now).unwrap_or(now);
            let deadline = SignedDuration::try_from(tol)
                .ok()
                .and_then(|tol| t.checked_add(tol).ok())
                .map_or(next, |d| d.min(next));
            let mut pick = |from: Timestamp, to: Timestamp, strict: bool| {
                let i = held
                    .iter()
                    .enumerate()
                    .filter(|(i, h)| {
                        !used[*i]
                            && h.started <= to
                            && (h.started > from || (!strict && h.started == from))
                    })
                    .min_by_key(|(_, h)| h.started)
                    .map(|(i, _)| i)?;
                used[i] = true;
                Some(i)
            };
            let on_time = pick(t, deadline, false);
            let late = match on_time {
                Some(_) => None,
                None => pick(deadline, next, true),
            };
            out.push(Occurrence {
                schedule: d.name.clone(),
                due: t,
                tolerance: tol,
                held_by: on_time.map(|i| held[i].name.clone()),
                late: late.map(|i| Late {
                    name: held[i].name.clone(),
                    by: held[i].started.duration_since(t),
                }),
            });
            due = spec.next_after(t);
        }
    }
    out.sort_by_key(|o| o.due);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::{DrillKind, DrillSchedule};

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn quarterly(tolerance: Option<&str>) -> DisasterRecoveryPlan {
        let mut p = fixtures::plan();
        p.spec.drills = vec![DrillSchedule {
            name: "quarterly".into(),
            kind: DrillKind::Parallel,
            schedule: "0 1 15 1,4,7,10 *".into(),
            tolerance: tolerance.map(str::to_string),
            ..Default::default()
        }];
        p
    }

    fn held(name: &str, at: &str) -> Held {
        Held {
            name: name.into(),
            started: ts(at),
        }
    }

    fn outcome(c: &[Occurrence]) -> Vec<(String, Option<&str>, Option<&str>)> {
        c.iter()
            .map(|o| {
                (
                    o.due.to_string(),
                    o.held_by.as_deref(),
                    o.late.as_ref().map(|l| l.name.as_str()),
                )
            })
            .collect()
    }

    #[test]
    fn quarterly_drills_held_and_missed() {
        let p = quarterly(None);
        let h = [
            held("q1", "2026-01-15T03:00:00Z"),
            // Late, but within the default 14 days: held.
            held("q3", "2026-07-25T00:00:00Z"),
        ];
        let c = calendar(
            &p,
            &h,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-12-01T00:00:00Z"),
        );
        assert_eq!(
            outcome(&c),
            [
                ("2026-01-15T01:00:00Z".to_string(), Some("q1"), None),
                ("2026-04-15T01:00:00Z".to_string(), None, None),
                ("2026-07-15T01:00:00Z".to_string(), Some("q3"), None),
                ("2026-10-15T01:00:00Z".to_string(), None, None),
            ]
        );
        assert!(c.iter().all(|o| o.tolerance == DEFAULT_TOLERANCE));
        // A drill before the window counts for nothing.
        let early = [held("old", "2025-12-01T00:00:00Z")];
        let c = calendar(
            &p,
            &early,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-02-01T00:00:00Z"),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].held_by, None);
    }

    #[test]
    fn a_drill_seven_weeks_late_does_not_count_and_is_marked_late() {
        let p = quarterly(None);
        // Due 15 July; held 2 September, seven weeks later, before the October date.
        let h = [held("q3-late", "2026-09-02T01:00:00Z")];
        let c = calendar(
            &p,
            &h,
            ts("2026-07-01T00:00:00Z"),
            ts("2026-09-30T00:00:00Z"),
        );
        assert_eq!(c.len(), 1);
        assert!(!c[0].held(), "seven weeks late is not held: {:?}", c[0]);
        let late = c[0].late.as_ref().expect("the late drill is named");
        assert_eq!(late.name, "q3-late");
        assert_eq!(late.by, SignedDuration::from_hours(7 * 7 * 24));
    }

    #[test]
    fn the_plan_states_the_tolerance() {
        let h = [held("q3", "2026-07-20T01:00:00Z")];
        let (since, now) = (ts("2026-07-01T00:00:00Z"), ts("2026-09-30T00:00:00Z"));
        // Five days late: within the default, outside a plan's 72 hours.
        assert!(calendar(&quarterly(None), &h, since, now)[0].held());
        let strict = calendar(&quarterly(Some("72h")), &h, since, now);
        assert!(!strict[0].held());
        assert_eq!(strict[0].tolerance, Duration::from_secs(72 * 3600));
        assert_eq!(strict[0].late.as_ref().map(|l| l.name.as_str()), Some("q3"));
        // A tolerance longer than the period stops at the next date: the drill after it
        // counts for the next date, not for this one.
        let loose = quarterly(Some("4000h"));
        let h = [held("oct", "2026-10-16T00:00:00Z")];
        let c = calendar(&loose, &h, since, ts("2026-12-01T00:00:00Z"));
        assert_eq!(
            outcome(&c),
            [
                ("2026-07-15T01:00:00Z".to_string(), None, None),
                ("2026-10-15T01:00:00Z".to_string(), Some("oct"), None),
            ]
        );
        // One that does not parse is the default (the plan check refuses it).
        assert_eq!(
            tolerance(&quarterly(Some("2 weeks")).spec.drills[0]),
            DEFAULT_TOLERANCE
        );
    }
}
