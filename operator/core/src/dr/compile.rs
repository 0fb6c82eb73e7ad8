//! A plan compiled into its calendar: one backup schedule per tier (the tier's own, or one
//! derived from its RPO), the verification schedules and the drill calendar.

use super::cron::{self, CronSpec};
use crate::duration;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, DrillKind, Tier};
use std::time::Duration;

/// What an entry runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// Snapshot every member of the tier.
    Backup,
    /// `check` the tier's repositories (with a share of pack data read back).
    Check,
    /// Restore the latest snapshot into scratch space and compare checksums.
    RestoreTest,
    /// An exercise from the drill calendar.
    Drill(DrillKind),
}

/// One recurring job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Stable id: `backup/<tier>`, `check/<tier>`, `restore-test/<tier>`, `drill/<name>`.
    pub id: String,
    /// What it runs.
    pub kind: EntryKind,
    /// Tiers concerned (all for a drill without a tier list).
    pub tiers: Vec<String>,
    /// The schedule text, as written or as derived.
    pub text: String,
    /// The parsed schedule.
    pub spec: CronSpec,
    /// Whether Pusdata derived the schedule from the RPO (the plan gave none).
    pub derived: bool,
    /// For drills: whether the operator starts it itself.
    pub automatic: bool,
}

/// The compiled calendar of a plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Entries, in plan order.
    pub entries: Vec<Entry>,
    /// Schedules that did not parse: (entry id, field path, error). The plan checker reports
    /// them; the controllers run the rest.
    pub invalid: Vec<(String, String, String)>,
}

/// Compiles a plan. Never fails: what cannot be parsed is listed in `invalid`.
pub fn compile(plan: &DisasterRecoveryPlan) -> Schedule {
    let plan_name = plan.metadata.name.as_deref().unwrap_or_default();
    let mut out = Schedule::default();
    for (i, tier) in plan.spec.tiers.iter().enumerate() {
        let path = format!("spec.tiers[{i}]");
        match &tier.schedule {
            Some(text) => push(
                &mut out,
                format!("backup/{}", tier.name),
                EntryKind::Backup,
                vec![tier.name.clone()],
                text,
                format!("{path}.schedule"),
                false,
                false,
            ),
            None => match derived_backup_schedule(plan_name, tier) {
                Ok(text) => push(
                    &mut out,
                    format!("backup/{}", tier.name),
                    EntryKind::Backup,
                    vec![tier.name.clone()],
                    &text,
                    format!("{path}.rpo"),
                    true,
                    false,
                ),
                Err(e) => {
                    out.invalid
                        .push((format!("backup/{}", tier.name), format!("{path}.rpo"), e))
                }
            },
        }
        let v = &tier.verification;
        if let Some(text) = &v.check_schedule {
            push(
                &mut out,
                format!("check/{}", tier.name),
                EntryKind::Check,
                vec![tier.name.clone()],
                text,
                format!("{path}.verification.checkSchedule"),
                false,
                false,
            );
        }
        if let Some(text) = &v.restore_test_schedule {
            push(
                &mut out,
                format!("restore-test/{}", tier.name),
                EntryKind::RestoreTest,
                vec![tier.name.clone()],
                text,
                format!("{path}.verification.restoreTestSchedule"),
                false,
                false,
            );
        }
    }
    for (i, d) in plan.spec.drills.iter().enumerate() {
        let tiers = if d.tiers.is_empty() {
            plan.spec.tiers.iter().map(|t| t.name.clone()).collect()
        } else {
            d.tiers.clone()
        };
        push(
            &mut out,
            format!("drill/{}", d.name),
            EntryKind::Drill(d.kind),
            tiers,
            &d.schedule,
            format!("spec.drills[{i}].schedule"),
            false,
            d.automatic,
        );
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn push(
    out: &mut Schedule,
    id: String,
    kind: EntryKind,
    tiers: Vec<String>,
    text: &str,
    path: String,
    derived: bool,
    automatic: bool,
) {
    match cron::parse(text) {
        Ok(spec) => out.entries.push(Entry {
            id,
            kind,
            tiers,
            text: text.to_string(),
            spec,
            derived,
            automatic,
        }),
        Err(e) => out.invalid.push((id, path, e.to_string())),
    }
}

/// The backup schedule of a tier without one: at least as frequent as the RPO, on a cron
/// step that divides the hour or the day (so the gap between runs is constant), shifted by an
/// offset hashed from plan and tier names so tiers do not all start at the same minute.
pub fn derived_backup_schedule(plan_name: &str, tier: &Tier) -> Result<String, String> {
    let rpo = duration::parse(&tier.rpo).map_err(|e| e.to_string())?;
    Ok(derive(
        rpo,
        crate::hash::fnv1a(format!("{plan_name}/{}", tier.name)),
    ))
}

fn derive(rpo: Duration, hash: u64) -> String {
    let minutes = rpo.as_secs() / 60;
    if minutes == 0 {
        return format!("@every {}s", rpo.as_secs().max(1));
    }
    if minutes < 60 {
        let step = [30u64, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1]
            .into_iter()
            .find(|s| *s <= minutes)
            .unwrap_or(1);
        let offset = hash % step;
        return if step == 1 {
            "* * * * *".to_string()
        } else {
            format!("{offset}-59/{step} * * * *")
        };
    }
    let minute = hash % 60;
    let hours = minutes / 60;
    if hours < 24 {
        let step = [12u64, 8, 6, 4, 3, 2, 1]
            .into_iter()
            .find(|s| *s <= hours)
            .unwrap_or(1);
        let offset = (hash / 60) % step;
        return if step == 1 {
            format!("{minute} * * * *")
        } else {
            format!("{minute} {offset}-23/{step} * * *")
        };
    }
    // Daily is the coarsest derived schedule: a longer RPO still gets a nightly backup.
    quiet_daily(hash)
}

/// A daily cron line in the quiet hours 00:00–05:59 UTC+7 (17:00–22:59 UTC), at a minute and
/// hour taken from `hash`, so schedules hashed from different names spread out.
pub fn quiet_daily(hash: u64) -> String {
    let minute = hash % 60;
    let hour = 17 + (hash / 60) % 6;
    format!("{minute} {hour} * * *")
}

/// The next `n` runs of every entry after `after`, merged in time order (ties by entry id).
pub fn next_runs(schedule: &Schedule, after: Timestamp, n: usize) -> Vec<(Timestamp, &Entry)> {
    let mut all: Vec<(Timestamp, &Entry)> = schedule
        .entries
        .iter()
        .flat_map(|e| e.spec.next_runs(after, n).into_iter().map(move |t| (t, e)))
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
    all.truncate(n);
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::DrillSchedule;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn compiles_tier_verification_and_drills() {
        let mut p = fixtures::plan();
        p.spec.tiers[0].schedule = Some("*/15 * * * *".into());
        p.spec.tiers[0].verification.check_schedule = Some("0 2 * * *".into());
        p.spec.tiers.push(fixtures::tier("tier-2", "1h", "8h"));
        p.spec.drills.push(DrillSchedule {
            name: "q".into(),
            kind: DrillKind::Parallel,
            schedule: "0 1 15 1,4,7,10 *".into(),
            tiers: vec![],
            automatic: true,
            tolerance: None,
        });
        let s = compile(&p);
        let ids: Vec<_> = s.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "backup/tier-1-critical",
                "check/tier-1-critical",
                "backup/tier-2",
                "drill/q"
            ]
        );
        assert!(s.invalid.is_empty());
        assert!(s.entries[2].derived);
        assert_eq!(s.entries[3].tiers, vec!["tier-1-critical", "tier-2"]);
        let runs = next_runs(&s, ts("2026-11-25T10:00:00Z"), 3);
        assert_eq!(runs.len(), 3);
        assert!(runs.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn invalid_schedules_are_listed_not_dropped_silently() {
        let mut p = fixtures::plan();
        p.spec.tiers[0].schedule = Some("every quarter hour".into());
        let s = compile(&p);
        assert!(s.entries.is_empty());
        assert_eq!(s.invalid[0].1, "spec.tiers[0].schedule");
    }

    #[test]
    fn derived_schedules_spread_tiers() {
        let a = derived_backup_schedule("bekasi", &fixtures::tier("tier-a", "15m", "4h")).unwrap();
        let b = derived_backup_schedule("bekasi", &fixtures::tier("tier-b", "15m", "4h")).unwrap();
        let c = derived_backup_schedule("bekasi", &fixtures::tier("tier-c", "15m", "4h")).unwrap();
        assert!(a.ends_with("-59/15 * * * *"), "{a}");
        assert!(a != b || b != c, "three tiers all at the same offset: {a}");
        // Deterministic.
        assert_eq!(
            a,
            derived_backup_schedule("bekasi", &fixtures::tier("tier-a", "15m", "4h")).unwrap()
        );
    }

    proptest! {
        #[test]
        fn derived_schedule_is_frequent_enough(secs in 1u64..(14 * 86_400), hash in any::<u64>()) {
            let text = derive(Duration::from_secs(secs), hash);
            let spec = cron::parse(&text).unwrap();
            let gap = spec.largest_gap(ts("2026-01-01T00:00:00Z")).unwrap();
            let bound = Duration::from_secs(secs).max(Duration::from_secs(1));
            // A daily backup is the coarsest derived schedule.
            prop_assert!(gap <= bound || gap <= Duration::from_secs(86_400), "{} gap {:?} rpo {}s", text, gap, secs);
            if secs < 86_400 { prop_assert!(gap <= bound, "{} gap {:?} rpo {}s", text, gap, secs); }
        }
    }
}
