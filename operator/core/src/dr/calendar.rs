//! The DRP's drill calendar against the drills held (DR-PLAN): every scheduled occurrence
//! between `since` and `now` is held when a recorded drill started in its window (from the
//! occurrence to the next one, or to `now`), otherwise missed.

use super::cron;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::DisasterRecoveryPlan;

/// One scheduled occurrence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    /// The `drills[].name` of the plan.
    pub schedule: String,
    /// When it was due.
    pub due: Timestamp,
    /// The drill held for it (its name), if any.
    pub held_by: Option<String>,
}

/// A drill that was held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The Failover's name.
    pub name: String,
    /// When it started.
    pub started: Timestamp,
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
        let mut due = spec.next_after(since);
        while let Some(t) = due.filter(|t| *t <= now) {
            let next = spec.next_after(t).filter(|n| *n <= now).unwrap_or(now);
            let pick = held
                .iter()
                .enumerate()
                .filter(|(i, h)| !used[*i] && h.started >= t && h.started <= next)
                .min_by_key(|(_, h)| h.started)
                .map(|(i, _)| i);
            if let Some(i) = pick {
                used[i] = true;
            }
            out.push(Occurrence {
                schedule: d.name.clone(),
                due: t,
                held_by: pick.map(|i| held[i].name.clone()),
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

    #[test]
    fn quarterly_drills_held_and_missed() {
        let mut p = fixtures::plan();
        p.spec.drills = vec![DrillSchedule {
            name: "quarterly".into(),
            kind: DrillKind::Parallel,
            schedule: "0 1 15 1,4,7,10 *".into(),
            ..Default::default()
        }];
        let held = [
            Held {
                name: "q1".into(),
                started: ts("2026-01-15T03:00:00Z"),
            },
            // Late, but before the next occurrence: still held.
            Held {
                name: "q3".into(),
                started: ts("2026-08-01T00:00:00Z"),
            },
        ];
        let c = calendar(
            &p,
            &held,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-12-01T00:00:00Z"),
        );
        let got: Vec<(String, Option<&str>)> = c
            .iter()
            .map(|o| (o.due.to_string(), o.held_by.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-01-15T01:00:00Z".to_string(), Some("q1")),
                ("2026-04-15T01:00:00Z".to_string(), None),
                ("2026-07-15T01:00:00Z".to_string(), Some("q3")),
                ("2026-10-15T01:00:00Z".to_string(), None),
            ]
        );
        // A drill before the window counts for nothing.
        let early = [Held {
            name: "old".into(),
            started: ts("2025-12-01T00:00:00Z"),
        }];
        let c = calendar(
            &p,
            &early,
            ts("2026-01-01T00:00:00Z"),
            ts("2026-02-01T00:00:00Z"),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].held_by, None);
    }
}
