//! Which backup runs are due now: the plan's compiled schedules, the last slot each tier ran,
//! the sources and their unfinished runs, and a manual trigger token.
//!
//! The decision is pure; the schedule controller lists the world, calls [`due`], creates the
//! runs it returns as `Backup` objects and records the new slots, the skips and the token in
//! the plan's status. Run names are deterministic (the slot or the token), so a reconcile that
//! fails half-way and runs again creates nothing twice.

use super::compile::{EntryKind, Schedule};
use crate::hash::fnv1a;
use jiff::Timestamp;
use pusdata_crds::v1alpha1::BackupTrigger;
use std::collections::BTreeMap;

/// One thing a backup run reads: a PVC (or a bucket) of a plan member.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceRef {
    /// Tier of the member.
    pub tier: String,
    /// Plan member.
    pub member: String,
    /// Owning agency.
    pub agency: String,
    /// Namespace of the member (and of its `Backup` objects).
    pub namespace: String,
    /// The PVC, for a volume source.
    pub pvc: Option<String>,
    /// The bucket, for a bucket source.
    pub bucket: Option<String>,
}

impl SourceRef {
    /// The PVC or bucket name.
    pub fn object(&self) -> &str {
        self.pvc
            .as_deref()
            .or(self.bucket.as_deref())
            .unwrap_or_default()
    }
}

/// A source and the names of its runs that have not finished yet (any plan, any trigger).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceState {
    /// The source.
    pub source: SourceRef,
    /// Unfinished runs (`New` or `InProgress`) of the same namespace and PVC or bucket.
    pub running: Vec<String>,
}

/// A run to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    /// `Backup` name: deterministic, a DNS label of at most 63 characters (the mover Job
    /// takes the same name).
    pub name: String,
    /// What it reads.
    pub source: SourceRef,
    /// Scheduled or Manual.
    pub trigger: BackupTrigger,
    /// The manual trigger token.
    pub token: Option<String>,
    /// The schedule slot the run stands for (for a manual run: now).
    pub slot: Timestamp,
}

/// A run not created because the previous run of the same source was still going.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The run that would have been created.
    pub run: Run,
    /// The unfinished run that blocked it.
    pub blocked_by: String,
}

/// What is due now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Due {
    /// Runs to create.
    pub runs: Vec<Run>,
    /// Runs skipped (overlap), to count.
    pub skipped: Vec<Skipped>,
    /// The new last slot of every tier whose schedule fired.
    pub slots: BTreeMap<String, Timestamp>,
    /// The manual token handled by this decision (record it so it runs exactly once).
    pub token_handled: Option<String>,
    /// When the next schedule fires after now (requeue then).
    pub next_due: Option<Timestamp>,
}

/// The inputs of [`due`].
#[derive(Clone, Debug)]
pub struct DueInput<'a> {
    /// The compiled plan.
    pub schedule: &'a Schedule,
    /// The last slot each tier ran for (status, or the newest scheduled run's slot).
    pub last_slot: &'a BTreeMap<String, Timestamp>,
    /// Every source of the plan with its unfinished runs.
    pub sources: &'a [SourceState],
    /// The manual trigger token on the plan, if it differs from the last one handled.
    pub new_token: Option<&'a str>,
    /// Now.
    pub now: Timestamp,
}

/// Missed slots are coalesced into one run; this bounds the walk over them.
const MAX_MISSED_WALK: usize = 10_000;

/// Decides which runs are due now.
///
/// A tier never run is due at once (its RPO is already at risk); otherwise it is due when its
/// schedule fired after its last slot. Slots missed while the operator was away coalesce into
/// one run, named after the first missed slot. A source with an unfinished run is skipped
/// (counted), unless that run is the very run decided now (a retried reconcile). A new manual
/// token runs every source once, named after the token.
pub fn due(input: &DueInput<'_>) -> Due {
    let now = Timestamp::from_second(input.now.as_second()).unwrap_or(input.now);
    let mut out = Due::default();
    for entry in &input.schedule.entries {
        if entry.kind != EntryKind::Backup {
            continue;
        }
        let Some(tier) = entry.tiers.first() else {
            continue;
        };
        let last = input.last_slot.get(tier).copied();
        let (fired, slot, newest) = match last {
            None => (true, now, now),
            Some(last) => match entry.spec.next_after(last) {
                Some(first) if first <= now => {
                    let mut newest = first;
                    for _ in 0..MAX_MISSED_WALK {
                        match entry.spec.next_after(newest) {
                            Some(n) if n <= now => newest = n,
                            _ => break,
                        }
                    }
                    (true, first, newest)
                }
                _ => (false, last, last),
            },
        };
        if fired {
            out.slots.insert(tier.clone(), newest);
            for s in input.sources.iter().filter(|s| &s.source.tier == tier) {
                let run = Run {
                    name: run_name(&s.source, &slot_suffix(slot)),
                    source: s.source.clone(),
                    trigger: BackupTrigger::Scheduled,
                    token: None,
                    slot,
                };
                place(&mut out, s, run);
            }
        }
        if let Some(next) = entry.spec.next_after(newest.max(now)) {
            out.next_due = Some(out.next_due.map_or(next, |n| n.min(next)));
        }
    }
    if let Some(token) = input.new_token {
        for s in input.sources {
            let run = Run {
                name: run_name(&s.source, &token_suffix(token)),
                source: s.source.clone(),
                trigger: BackupTrigger::Manual,
                token: Some(token.to_string()),
                slot: now,
            };
            place(&mut out, s, run);
        }
        out.token_handled = Some(token.to_string());
    }
    out
}

fn place(out: &mut Due, state: &SourceState, run: Run) {
    if state.running.contains(&run.name) {
        // Created by an earlier pass that failed before recording it: nothing to do.
        return;
    }
    // A run decided in this same pass for the same object (two tiers, or a manual trigger
    // together with a scheduled run) overlaps as well.
    let same_object = |r: &Run| {
        r.source.namespace == run.source.namespace
            && r.source.pvc == run.source.pvc
            && r.source.bucket == run.source.bucket
    };
    let blocked_by = state.running.first().cloned().or_else(|| {
        out.runs
            .iter()
            .find(|r| same_object(r))
            .map(|r| r.name.clone())
    });
    match blocked_by {
        Some(b) => out.skipped.push(Skipped { run, blocked_by: b }),
        None => out.runs.push(run),
    }
}

fn slot_suffix(slot: Timestamp) -> String {
    slot.strftime("%Y%m%d%H%M%S").to_string()
}

fn token_suffix(token: &str) -> String {
    format!("manual-{:08x}", fnv1a(token) & 0xffff_ffff)
}

/// A run's name: `<member>-<pvc or bucket>-<suffix>`, lower-case DNS label characters, at
/// most 63 long (a Job name, and the `job-name` label, must fit a label value). A long base is
/// shortened and given a hash so two long names stay distinct.
pub fn run_name(source: &SourceRef, suffix: &str) -> String {
    let raw = format!("{}-{}", source.member, source.object());
    let base = dns_name(&raw, 63usize.saturating_sub(suffix.len() + 1));
    format!("{base}-{suffix}")
}

/// `raw` as a DNS label of at most `room` characters: lowercase letters, digits and single
/// dashes; when too long, cut and suffixed with a hash of the whole of `raw`, so two long
/// names that share a prefix stay distinct and the same input always gives the same name.
pub fn dns_name(raw: &str, room: usize) -> String {
    let mut base: String = raw
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9') => c,
            _ => '-',
        })
        .collect();
    while base.contains("--") {
        base = base.replace("--", "-");
    }
    let base = base.trim_matches('-').to_string();
    if base.len() > room {
        let hash = format!("{:06x}", fnv1a(raw) & 0xff_ffff);
        let keep = room.saturating_sub(hash.len() + 1);
        format!("{}-{hash}", base[..keep].trim_end_matches('-'))
    } else {
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dr::compile;
    use proptest::prelude::*;
    use pusdata_crds::fixtures;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn source(tier: &str, member: &str, pvc: &str) -> SourceRef {
        SourceRef {
            tier: tier.into(),
            member: member.into(),
            agency: "disdukcapil".into(),
            namespace: "disdukcapil".into(),
            pvc: Some(pvc.into()),
            bucket: None,
        }
    }

    fn schedule(text: &str) -> Schedule {
        let mut p = fixtures::plan();
        p.spec.tiers[0].schedule = Some(text.into());
        compile(&p)
    }

    const T: &str = "tier-1-critical";

    fn run(sched: &Schedule, last: Option<&str>, running: &[&str], now: &str) -> Due {
        let mut slots = BTreeMap::new();
        if let Some(l) = last {
            slots.insert(T.to_string(), ts(l));
        }
        let sources = vec![SourceState {
            source: source(T, "siak-db", "data"),
            running: running.iter().map(|s| s.to_string()).collect(),
        }];
        due(&DueInput {
            schedule: sched,
            last_slot: &slots,
            sources: &sources,
            new_token: None,
            now: ts(now),
        })
    }

    #[test]
    fn table_of_due_decisions() {
        let s = schedule("*/15 * * * *");
        // (last slot, running, now, runs, skipped, new slot, next due)
        type Case<'a> = (
            Option<&'a str>,
            &'a [&'a str],
            &'a str,
            usize,
            usize,
            Option<&'a str>,
            &'a str,
        );
        let cases: &[Case] = &[
            // Never run: at once, slot = now.
            (
                None,
                &[],
                "2026-11-25T10:07:30Z",
                1,
                0,
                Some("2026-11-25T10:07:30Z"),
                "2026-11-25T10:15:00Z",
            ),
            // Not yet due.
            (
                Some("2026-11-25T10:00:00Z"),
                &[],
                "2026-11-25T10:14:59Z",
                0,
                0,
                None,
                "2026-11-25T10:15:00Z",
            ),
            // Due exactly at the slot.
            (
                Some("2026-11-25T10:00:00Z"),
                &[],
                "2026-11-25T10:15:00Z",
                1,
                0,
                Some("2026-11-25T10:15:00Z"),
                "2026-11-25T10:30:00Z",
            ),
            // Three missed slots: one run, the newest slot recorded.
            (
                Some("2026-11-25T10:00:00Z"),
                &[],
                "2026-11-25T11:01:00Z",
                1,
                0,
                Some("2026-11-25T11:00:00Z"),
                "2026-11-25T11:15:00Z",
            ),
            // The previous run still going: skipped, the slot still consumed.
            (
                Some("2026-11-25T10:00:00Z"),
                &["siak-db-data-20261125100000"],
                "2026-11-25T10:15:00Z",
                0,
                1,
                Some("2026-11-25T10:15:00Z"),
                "2026-11-25T10:30:00Z",
            ),
            // The run of this very slot exists (a retried reconcile): neither run nor skip.
            (
                Some("2026-11-25T10:00:00Z"),
                &["siak-db-data-20261125101500"],
                "2026-11-25T10:16:00Z",
                0,
                0,
                Some("2026-11-25T10:15:00Z"),
                "2026-11-25T10:30:00Z",
            ),
        ];
        for (i, (last, running, now, runs, skipped, slot, next)) in cases.iter().enumerate() {
            let d = run(&s, *last, running, now);
            assert_eq!(d.runs.len(), *runs, "case {i}: {d:?}");
            assert_eq!(d.skipped.len(), *skipped, "case {i}");
            assert_eq!(d.slots.get(T).copied(), slot.map(ts), "case {i}");
            assert_eq!(d.next_due, Some(ts(next)), "case {i}");
        }
    }

    #[test]
    fn runs_are_named_after_the_first_missed_slot() {
        let s = schedule("*/15 * * * *");
        let d = run(
            &s,
            Some("2026-11-25T10:00:00Z"),
            &[],
            "2026-11-25T11:01:00Z",
        );
        assert_eq!(d.runs[0].name, "siak-db-data-20261125101500");
        assert_eq!(d.runs[0].trigger, BackupTrigger::Scheduled);
        // The same inputs give the same name: a retry creates nothing new.
        let again = run(
            &s,
            Some("2026-11-25T10:00:00Z"),
            &[],
            "2026-11-25T11:05:00Z",
        );
        assert_eq!(again.runs[0].name, d.runs[0].name);
    }

    #[test]
    fn a_manual_token_runs_every_source_once_and_overlaps_are_skipped() {
        let s = schedule("0 2 * * *");
        let mut slots = BTreeMap::new();
        slots.insert(T.to_string(), ts("2026-11-25T02:00:00Z"));
        let sources = vec![
            SourceState {
                source: source(T, "siak-db", "data"),
                running: vec![],
            },
            SourceState {
                source: source(T, "siak-db", "wal"),
                running: vec!["siak-db-wal-20261125020000".into()],
            },
        ];
        let input = DueInput {
            schedule: &s,
            last_slot: &slots,
            sources: &sources,
            new_token: Some("2026-11-25 ops ticket 41"),
            now: ts("2026-11-25T09:00:00Z"),
        };
        let d = due(&input);
        assert_eq!(d.runs.len(), 1);
        assert_eq!(d.runs[0].trigger, BackupTrigger::Manual);
        assert!(
            d.runs[0].name.starts_with("siak-db-data-manual-"),
            "{}",
            d.runs[0].name
        );
        assert_eq!(d.runs[0].token.as_deref(), Some("2026-11-25 ops ticket 41"));
        assert_eq!(d.skipped.len(), 1);
        assert_eq!(d.skipped[0].blocked_by, "siak-db-wal-20261125020000");
        assert_eq!(d.token_handled.as_deref(), Some("2026-11-25 ops ticket 41"));
        assert!(d.slots.is_empty(), "the schedule itself did not fire");
    }

    #[test]
    fn a_scheduled_and_a_manual_run_of_one_pvc_in_one_pass_overlap() {
        let s = schedule("*/15 * * * *");
        let sources = vec![SourceState {
            source: source(T, "siak-db", "data"),
            running: vec![],
        }];
        let d = due(&DueInput {
            schedule: &s,
            last_slot: &BTreeMap::new(),
            sources: &sources,
            new_token: Some("t"),
            now: ts("2026-11-25T10:00:00Z"),
        });
        assert_eq!(d.runs.len(), 1);
        assert_eq!(d.skipped.len(), 1);
        assert_eq!(d.skipped[0].run.trigger, BackupTrigger::Manual);
    }

    #[test]
    fn long_names_are_shortened_with_a_hash() {
        let mut a = source(T, &"m".repeat(40), &"p".repeat(40));
        let n1 = run_name(&a, "20261125101500");
        a.pvc = Some(format!("{}x", "p".repeat(40)));
        let n2 = run_name(&a, "20261125101500");
        assert!(n1.len() <= 63 && n2.len() <= 63, "{n1} {n2}");
        assert_ne!(n1, n2);
        assert_eq!(
            run_name(&source(T, "SIAK_db", "data.vol"), "x"),
            "siak-db-data-vol-x"
        );
    }

    proptest! {
        #[test]
        fn names_are_dns_labels(member in "[A-Za-z0-9_.-]{1,80}", pvc in "[a-z0-9.-]{1,80}", token in ".{0,40}") {
            let s = source(T, &member, &pvc);
            for name in [run_name(&s, &token_suffix(&token)), run_name(&s, &slot_suffix(ts("2026-11-25T10:00:00Z")))] {
                prop_assert!(name.len() <= 63, "{}", name);
                prop_assert!(name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{}", name);
                prop_assert!(!name.starts_with('-') && !name.ends_with('-') && !name.contains("--"), "{}", name);
            }
        }

        #[test]
        fn applying_a_decision_then_deciding_again_at_the_same_instant_creates_nothing(
            last_min in proptest::option::of(0i64..600), now_min in 0i64..2000, token in any::<bool>()
        ) {
            let s = schedule("*/15 * * * *");
            let base = ts("2026-11-25T00:00:00Z").as_second();
            let mut slots = BTreeMap::new();
            if let Some(l) = last_min {
                slots.insert(T.to_string(), Timestamp::from_second(base + l * 60).unwrap());
            }
            let mut sources = vec![SourceState { source: source(T, "siak-db", "data"), running: vec![] }];
            let now = Timestamp::from_second(base + now_min * 60).unwrap();
            let first = due(&DueInput { schedule: &s, last_slot: &slots, sources: &sources, new_token: token.then_some("tok"), now });
            // Apply: the runs exist and are unfinished, the slots and the token are recorded.
            sources[0].running.extend(first.runs.iter().map(|r| r.name.clone()));
            slots.extend(first.slots.clone());
            let second = due(&DueInput { schedule: &s, last_slot: &slots, sources: &sources, new_token: None, now });
            prop_assert!(second.runs.is_empty(), "{:?}", second.runs);
            prop_assert!(second.skipped.is_empty(), "{:?}", second.skipped);
            // A retry that lost the status write (slots and token not recorded) creates
            // nothing new either: the names are the same.
            let mut lost = BTreeMap::new();
            if let Some(l) = last_min {
                lost.insert(T.to_string(), Timestamp::from_second(base + l * 60).unwrap());
            }
            let retry = due(&DueInput { schedule: &s, last_slot: &lost, sources: &sources, new_token: token.then_some("tok"), now });
            prop_assert!(retry.runs.is_empty(), "{:?}", retry.runs);
        }

        #[test]
        fn at_most_one_new_run_per_source_and_never_while_one_runs(
            last_min in proptest::option::of(0i64..600), now_min in 0i64..2000, busy in any::<bool>(), token in any::<bool>()
        ) {
            let s = schedule("*/15 * * * *");
            let base = ts("2026-11-25T00:00:00Z").as_second();
            let mut slots = BTreeMap::new();
            if let Some(l) = last_min {
                slots.insert(T.to_string(), Timestamp::from_second(base + l * 60).unwrap());
            }
            let sources = vec![SourceState {
                source: source(T, "siak-db", "data"),
                running: if busy { vec!["other-run".into()] } else { vec![] },
            }];
            let now = Timestamp::from_second(base + now_min * 60).unwrap();
            let d = due(&DueInput { schedule: &s, last_slot: &slots, sources: &sources, new_token: token.then_some("tok"), now });
            prop_assert!(d.runs.len() <= 1);
            if busy { prop_assert!(d.runs.is_empty()); }
            if let Some(n) = d.next_due { prop_assert!(n > now); }
            for slot in d.slots.values() { prop_assert!(*slot <= now); }
        }
    }
}
