//! Which snapshots to keep: restic's `forget` rules (keep-last/hourly/daily/weekly/monthly/
//! yearly) plus a floor of verified snapshots, so pruning can never leave a tier without a
//! backup that a restore test has proven (the "keep at least one good backup" that Velero users
//! ask for, velero#5317). Pure: snapshots, the policy and the time zone come in, a decision per
//! snapshot with its reasons goes out. The mover applies it (APP-BACKUP, SEC-CIA).

pub mod run;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use pusdata_crds::v1alpha1::Retention;
use serde::Serialize;

/// One snapshot as retention sees it. The caller passes one group (same PVC: same tags and
/// paths) at a time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotMeta {
    /// Snapshot id.
    pub id: String,
    /// Snapshot time.
    pub time: Timestamp,
    /// A restore of it has been verified.
    pub verified: bool,
}

/// Why a snapshot is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeepReason {
    /// The newest snapshot of a group is never forgotten.
    Newest,
    /// One of the last `keepLast`.
    Last,
    /// Newest of one of the last `keepHourly` hours that have a snapshot.
    Hourly,
    /// Newest of one of the last `keepDaily` days.
    Daily,
    /// Newest of one of the last `keepWeekly` ISO weeks.
    Weekly,
    /// Newest of one of the last `keepMonthly` months.
    Monthly,
    /// Newest of one of the last `keepYearly` years.
    Yearly,
    /// Kept so that `minVerified` verified snapshots remain.
    MinVerified,
    /// The policy keeps nothing by count, so nothing is forgotten (as restic refuses an
    /// empty policy).
    NoPolicy,
}

/// The decision for one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// Snapshot id.
    pub id: String,
    /// Keep it?
    pub keep: bool,
    /// Why (empty when forgotten).
    pub reasons: Vec<KeepReason>,
}

/// Decides keep or forget for each snapshot of one group. Buckets (hour, day, ISO week,
/// month, year) are taken in `tz` — Bekasi's days start at 00:00 WIB, not UTC. The result
/// is ordered newest first; ties in time are broken by id so the decision is deterministic.
pub fn decide(snapshots: &[SnapshotMeta], policy: &Retention, tz: &TimeZone) -> Vec<Decision> {
    let mut snaps: Vec<&SnapshotMeta> = snapshots.iter().collect();
    snaps.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| b.id.cmp(&a.id)));

    let count = |n: Option<u32>| n.unwrap_or(0);
    let any_rule = [
        policy.keep_last,
        policy.keep_hourly,
        policy.keep_daily,
        policy.keep_weekly,
        policy.keep_monthly,
        policy.keep_yearly,
    ]
    .iter()
    .any(|n| count(*n) > 0);

    let mut decisions: Vec<Decision> = snaps
        .iter()
        .map(|s| Decision {
            id: s.id.clone(),
            keep: false,
            reasons: Vec::new(),
        })
        .collect();
    if !any_rule {
        for d in &mut decisions {
            d.keep = true;
            d.reasons.push(KeepReason::NoPolicy);
        }
        return decisions;
    }

    type Bucket = fn(&jiff::Zoned) -> i64;
    let rules: [(KeepReason, u32, Bucket); 5] = [
        (KeepReason::Hourly, count(policy.keep_hourly), |z| {
            date_key(z) * 100 + i64::from(z.hour())
        }),
        (KeepReason::Daily, count(policy.keep_daily), date_key),
        (KeepReason::Weekly, count(policy.keep_weekly), |z| {
            let w = z.date().iso_week_date();
            i64::from(w.year()) * 100 + i64::from(w.week())
        }),
        (KeepReason::Monthly, count(policy.keep_monthly), |z| {
            i64::from(z.year()) * 100 + i64::from(z.month())
        }),
        (KeepReason::Yearly, count(policy.keep_yearly), |z| {
            i64::from(z.year())
        }),
    ];
    let mut left: Vec<u32> = rules.iter().map(|r| r.1).collect();
    let mut last_bucket: Vec<Option<i64>> = vec![None; rules.len()];
    let mut last_left = count(policy.keep_last);

    for (i, s) in snaps.iter().enumerate() {
        let d = &mut decisions[i];
        if i == 0 {
            d.reasons.push(KeepReason::Newest);
        }
        if last_left > 0 {
            last_left -= 1;
            d.reasons.push(KeepReason::Last);
        }
        let zoned = s.time.to_zoned(tz.clone());
        for (r, (reason, _, bucket)) in rules.iter().enumerate() {
            if left[r] == 0 {
                continue;
            }
            let key = bucket(&zoned);
            if last_bucket[r] != Some(key) {
                last_bucket[r] = Some(key);
                left[r] -= 1;
                d.reasons.push(*reason);
            }
        }
        d.keep = !d.reasons.is_empty();
    }

    // The floor: newest verified snapshots first, until `minVerified` verified ones are kept.
    let kept_verified = snaps
        .iter()
        .zip(&decisions)
        .filter(|(s, d)| s.verified && d.keep)
        .count();
    let mut missing = (policy.min_verified as usize).saturating_sub(kept_verified);
    for (s, d) in snaps.iter().zip(decisions.iter_mut()) {
        if missing == 0 {
            break;
        }
        if s.verified && !d.keep {
            d.keep = true;
            d.reasons.push(KeepReason::MinVerified);
            missing -= 1;
        }
    }
    decisions
}

fn date_key(z: &jiff::Zoned) -> i64 {
    i64::from(z.year()) * 10_000 + i64::from(z.month()) * 100 + i64::from(z.day())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn wib() -> TimeZone {
        TimeZone::fixed(jiff::tz::offset(7))
    }

    fn snap(id: &str, t: &str, verified: bool) -> SnapshotMeta {
        SnapshotMeta {
            id: id.into(),
            time: t.parse().unwrap(),
            verified,
        }
    }

    fn kept(ds: &[Decision]) -> Vec<&str> {
        ds.iter()
            .filter(|d| d.keep)
            .map(|d| d.id.as_str())
            .collect()
    }

    fn policy() -> Retention {
        Retention {
            min_verified: 0,
            ..Retention::default()
        }
    }

    #[test]
    fn keep_daily_keeps_newest_per_local_day() {
        // 23:30 UTC on the 1st is 06:30 WIB on the 2nd: same local day as c.
        let s = vec![
            snap("a", "2026-03-01T10:00:00Z", false),
            snap("b", "2026-03-01T23:30:00Z", false),
            snap("c", "2026-03-02T03:00:00Z", false),
            snap("d", "2026-03-03T03:00:00Z", false),
        ];
        let p = Retention {
            keep_daily: Some(2),
            ..policy()
        };
        let ds = decide(&s, &p, &wib());
        assert_eq!(kept(&ds), vec!["d", "c"]);
        assert_eq!(ds[0].reasons, vec![KeepReason::Newest, KeepReason::Daily]);
    }

    #[test]
    fn keep_last_and_weekly_combine() {
        let s: Vec<_> = (1..=20)
            .map(|d| {
                snap(
                    &format!("s{d:02}"),
                    &format!("2026-01-{d:02}T01:00:00Z"),
                    false,
                )
            })
            .collect();
        let p = Retention {
            keep_last: Some(2),
            keep_weekly: Some(3),
            ..policy()
        };
        let ds = decide(&s, &p, &TimeZone::UTC);
        // 2026-01-20 is a Tuesday: weeks of the 19th, 12th and 5th, newest per week.
        assert_eq!(kept(&ds), vec!["s20", "s19", "s18", "s11"]);
    }

    #[test]
    fn min_verified_floor_keeps_the_newest_verified() {
        let s = vec![
            snap("new", "2026-03-05T00:00:00Z", false),
            snap("v1", "2026-03-04T00:00:00Z", true),
            snap("v2", "2026-03-03T00:00:00Z", true),
            snap("old", "2026-03-01T00:00:00Z", false),
        ];
        let p = Retention {
            keep_last: Some(1),
            min_verified: 1,
            ..Retention::default()
        };
        let ds = decide(&s, &p, &TimeZone::UTC);
        assert_eq!(kept(&ds), vec!["new", "v1"]);
        assert_eq!(ds[1].reasons, vec![KeepReason::MinVerified]);
    }

    #[test]
    fn empty_policy_forgets_nothing() {
        let s = vec![snap("a", "2026-03-05T00:00:00Z", false)];
        let ds = decide(&s, &policy(), &TimeZone::UTC);
        assert_eq!(ds[0].reasons, vec![KeepReason::NoPolicy]);
        assert!(decide(&[], &policy(), &TimeZone::UTC).is_empty());
    }

    fn arb_snaps() -> impl Strategy<Value = Vec<SnapshotMeta>> {
        // Up to 40 snapshots over ~3 years, seconds resolution, some verified.
        prop::collection::vec((0i64..100_000_000, any::<bool>()), 0..40).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (secs, verified))| SnapshotMeta {
                    id: format!("{i:04}"),
                    time: Timestamp::from_second(1_700_000_000 + secs).unwrap(),
                    verified,
                })
                .collect()
        })
    }

    fn arb_policy() -> impl Strategy<Value = Retention> {
        let n = || prop::option::of(0u32..5);
        (n(), n(), n(), n(), n(), n(), 0u32..4).prop_map(|(l, h, d, w, m, y, v)| Retention {
            keep_last: l,
            keep_hourly: h,
            keep_daily: d,
            keep_weekly: w,
            keep_monthly: m,
            keep_yearly: y,
            min_verified: v,
            schedule: None,
        })
    }

    proptest! {
        #[test]
        fn never_forgets_the_newest(s in arb_snaps(), p in arb_policy()) {
            let ds = decide(&s, &p, &wib());
            if let Some(newest) = s.iter().max_by(|a, b| a.time.cmp(&b.time).then(a.id.cmp(&b.id))) {
                let d = ds.iter().find(|d| d.id == newest.id).unwrap();
                prop_assert!(d.keep);
            }
            prop_assert_eq!(ds.len(), s.len());
        }

        #[test]
        fn keeps_min_verified_when_they_existed(s in arb_snaps(), p in arb_policy()) {
            let ds = decide(&s, &p, &wib());
            let verified_before = s.iter().filter(|x| x.verified).count();
            let verified_after = ds.iter().filter(|d| d.keep)
                .filter(|d| s.iter().any(|x| x.id == d.id && x.verified)).count();
            prop_assert!(verified_after >= verified_before.min(p.min_verified as usize));
        }

        #[test]
        fn is_idempotent(s in arb_snaps(), p in arb_policy()) {
            let ds = decide(&s, &p, &wib());
            let kept: Vec<SnapshotMeta> = s.iter()
                .filter(|x| ds.iter().any(|d| d.id == x.id && d.keep)).cloned().collect();
            let again = decide(&kept, &p, &wib());
            prop_assert!(again.iter().all(|d| d.keep));
        }

        #[test]
        fn kept_snapshots_have_reasons(s in arb_snaps(), p in arb_policy()) {
            for d in decide(&s, &p, &wib()) {
                prop_assert_eq!(d.keep, !d.reasons.is_empty());
            }
        }
    }
}
