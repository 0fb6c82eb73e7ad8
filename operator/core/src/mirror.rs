//! Bucket mirroring decisions (issue #5): what to copy, skip or delete when one bucket is
//! mirrored onto another (primary DC → DRC, or back for failback).
//!
//! The shell lists both sides and hands the listings here together with the record of when
//! each destination-only key was first seen missing at the source; [`plan`] answers, per
//! key, one [`Action`], plus the record to keep for the next run. Nothing here reads a clock:
//! `now` is an input, so the deletion delay is tested without sleeping.
//!
//! Rules, per key:
//! - only at the source → [`Action::Copy`] (new);
//! - on both sides, sizes differ → [`Action::Copy`] (changed);
//! - on both sides, same size, ETags differ and either both are single-part MD5 ETags (32
//!   hex digits: different content for sure) or the source is newer than the destination
//!   copy → [`Action::Copy`] (changed in place). Otherwise a destination copy newer than its
//!   source with another ETag is the normal result of a multipart copy (ETags of multipart
//!   objects depend on the part size and the server), so it is [`Action::Skip`]ped. A
//!   missing ETag (s3s-fs lists none) counts as "may differ": the times decide;
//! - on both sides otherwise → [`Action::Skip`];
//! - only at the destination, missing at the source for at least `delete_after` →
//!   [`Action::Delete`], else [`Action::WaitDelete`] (it may be a source-side accident that
//!   someone restores: the delay is the grace period).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Keys under this prefix (relative to the mirrored prefix) belong to the mirror itself — the
/// state of delayed deletions kept in the destination (`--state-in-destination`) — and are
/// never listed, copied or deleted.
pub const RESERVED_PREFIX: &str = ".pusdata-mirror/";

/// The state object's key, relative to the destination's prefix.
pub const STATE_KEY: &str = ".pusdata-mirror/state.json";

/// Whether a key (relative to the mirrored prefix) is the mirror's own.
pub fn reserved(key: &str) -> bool {
    key.starts_with(RESERVED_PREFIX)
}

/// One object in a listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectInfo {
    /// Size in bytes.
    pub size: u64,
    /// The ETag as the server lists it (quotes removed by the caller or not: compared as
    /// given on both sides after [`normalize_etag`]).
    pub etag: String,
    /// Last modification time.
    pub last_modified: Timestamp,
}

/// A bucket listing: key → object.
pub type Listing = BTreeMap<String, ObjectInfo>;

/// When each destination-only key was first seen missing at the source.
pub type MissingSince = BTreeMap<String, Timestamp>;

/// Why a key is copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CopyReason {
    /// Not at the destination yet.
    New,
    /// Sizes differ.
    SizeChanged,
    /// Same size, another ETag: two different MD5s, or the source is newer than the copy.
    ContentChanged,
}

/// The decision for one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "action")]
pub enum Action {
    /// Copy source → destination.
    Copy {
        /// Why.
        reason: CopyReason,
    },
    /// Both sides hold the same object.
    Skip,
    /// Missing at the source for longer than the delay: delete at the destination.
    Delete {
        /// Since when it has been missing.
        missing_since: Timestamp,
    },
    /// Missing at the source, the delay has not passed: keep it for now.
    WaitDelete {
        /// Since when it has been missing.
        missing_since: Timestamp,
        /// When it may be deleted.
        delete_at: Timestamp,
    },
}

/// A whole plan: one action per key of the union of both listings, and the record of
/// missing keys to store for the next run (valid once the plan is applied).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// Every key of either side, exactly once.
    pub actions: BTreeMap<String, Action>,
    /// The record to persist: only keys still waiting for their deletion.
    pub missing_since: MissingSince,
}

/// Counts of a plan, for reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanCounts {
    /// Keys to copy.
    pub copy: u64,
    /// Bytes to copy.
    pub copy_bytes: u64,
    /// Keys already identical.
    pub skip: u64,
    /// Keys to delete now.
    pub delete: u64,
    /// Keys kept until their delay passes.
    pub wait_delete: u64,
}

impl Plan {
    /// Counts per class; `source` gives the sizes of copied keys.
    pub fn counts(&self, source: &Listing) -> PlanCounts {
        let mut c = PlanCounts::default();
        for (key, a) in &self.actions {
            match a {
                Action::Copy { .. } => {
                    c.copy += 1;
                    c.copy_bytes += source.get(key).map_or(0, |o| o.size);
                }
                Action::Skip => c.skip += 1,
                Action::Delete { .. } => c.delete += 1,
                Action::WaitDelete { .. } => c.wait_delete += 1,
            }
        }
        c
    }

    /// Keys to copy, in key order.
    pub fn copies(&self) -> impl Iterator<Item = &str> {
        self.actions
            .iter()
            .filter(|(_, a)| matches!(a, Action::Copy { .. }))
            .map(|(k, _)| k.as_str())
    }

    /// Keys to delete, in key order.
    pub fn deletes(&self) -> impl Iterator<Item = &str> {
        self.actions
            .iter()
            .filter(|(_, a)| matches!(a, Action::Delete { .. }))
            .map(|(k, _)| k.as_str())
    }
}

/// ETags are listed with quotes by some servers and without by others.
pub fn normalize_etag(etag: &str) -> &str {
    etag.trim().trim_matches('"')
}

/// A single-part ETag: 32 hex digits, the MD5 of the content on S3 servers without
/// server-side encryption. Two different ones mean different content whatever the times say.
pub fn is_content_md5(etag: &str) -> bool {
    let e = normalize_etag(etag);
    e.len() == 32 && e.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Decides one key present on both sides.
pub fn compare(src: &ObjectInfo, dst: &ObjectInfo) -> Action {
    let (se, de) = (normalize_etag(&src.etag), normalize_etag(&dst.etag));
    if src.size != dst.size {
        Action::Copy {
            reason: CopyReason::SizeChanged,
        }
    } else if (se != de || se.is_empty() || de.is_empty())
        && (src.last_modified > dst.last_modified
            || (se != de && is_content_md5(se) && is_content_md5(de)))
    {
        Action::Copy {
            reason: CopyReason::ContentChanged,
        }
    } else {
        Action::Skip
    }
}

/// Plans a mirror of `source` onto `dest`.
///
/// `missing_since` is the record returned by the previous run's plan; `delete_after` is the
/// grace period of keys that disappeared at the source (zero deletes at once).
pub fn plan(
    source: &Listing,
    dest: &Listing,
    missing_since: &MissingSince,
    now: Timestamp,
    delete_after: Duration,
) -> Plan {
    let delay = SignedDuration::try_from(delete_after).unwrap_or(SignedDuration::MAX);
    let mut out = Plan::default();
    for (key, src) in source {
        let action = match dest.get(key) {
            None => Action::Copy {
                reason: CopyReason::New,
            },
            Some(dst) => compare(src, dst),
        };
        out.actions.insert(key.clone(), action);
    }
    for key in dest.keys().filter(|k| !source.contains_key(*k)) {
        // A record from the future (clock moved back) counts from now: never early.
        let since = missing_since
            .get(key)
            .copied()
            .filter(|t| *t <= now)
            .unwrap_or(now);
        let delete_at = since.checked_add(delay).unwrap_or(Timestamp::MAX);
        let action = if now >= delete_at && delete_at != Timestamp::MAX {
            Action::Delete {
                missing_since: since,
            }
        } else {
            out.missing_since.insert(key.clone(), since);
            Action::WaitDelete {
                missing_since: since,
                delete_at,
            }
        };
        out.actions.insert(key.clone(), action);
    }
    out
}

/// What the destination listing becomes once `plan` is applied at `now` (copies get the
/// source's size and ETag and a modification time of `now`). The shell's tests check the
/// real servers against this model; the property tests check re-planning with it.
pub fn apply(source: &Listing, dest: &Listing, plan: &Plan, now: Timestamp) -> Listing {
    let mut out = dest.clone();
    for (key, action) in &plan.actions {
        match action {
            Action::Copy { .. } => {
                if let Some(src) = source.get(key) {
                    out.insert(
                        key.clone(),
                        ObjectInfo {
                            size: src.size,
                            etag: src.etag.clone(),
                            last_modified: now.max(src.last_modified),
                        },
                    );
                }
            }
            Action::Delete { .. } => {
                out.remove(key);
            }
            Action::Skip | Action::WaitDelete { .. } => {}
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(s: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + s).unwrap()
    }

    fn obj(size: u64, etag: &str, at: i64) -> ObjectInfo {
        ObjectInfo {
            size,
            etag: etag.to_string(),
            last_modified: ts(at),
        }
    }

    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn the_state_object_is_reserved() {
        assert!(reserved(STATE_KEY));
        assert!(!reserved("pusdata-mirror/state.json"));
        assert!(!reserved("a/.pusdata-mirror/state.json"));
    }

    #[test]
    fn table() {
        let source: Listing = [
            ("new", obj(1, "a", 0)),
            ("same", obj(2, "b", 0)),
            ("grown", obj(3, "c", 50)),
            ("edited", obj(4, "\"d2\"", 50)),
            ("multipart", obj(5, "e", 0)),
            ("quoted", obj(6, "\"f\"", 0)),
            ("md5-rewrite", obj(7, "0123456789abcdef0123456789abcdef", 0)),
            ("no-etag-new", obj(8, "", 50)),
            ("no-etag-old", obj(9, "", 0)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let dest: Listing = [
            ("same", obj(2, "b", 10)),
            ("grown", obj(2, "c", 10)),
            ("edited", obj(4, "d1", 10)),
            ("multipart", obj(5, "e-3", 10)),
            ("quoted", obj(6, "f", 10)),
            (
                "md5-rewrite",
                obj(7, "\"fedcba9876543210fedcba9876543210\"", 10),
            ),
            ("no-etag-new", obj(8, "", 10)),
            ("no-etag-old", obj(9, "", 10)),
            ("gone-new", obj(1, "x", 0)),
            ("gone-old", obj(1, "y", 0)),
            ("gone-future", obj(1, "z", 0)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let missing: MissingSince = [
            ("gone-old".to_string(), ts(-86_400)),
            ("gone-future".to_string(), ts(999_999)),
            ("back-at-source".to_string(), ts(-99)),
        ]
        .into_iter()
        .collect();
        let p = plan(&source, &dest, &missing, ts(100), DAY);
        let a = |k: &str| p.actions[k];
        assert_eq!(
            a("new"),
            Action::Copy {
                reason: CopyReason::New
            }
        );
        assert_eq!(a("same"), Action::Skip);
        assert_eq!(
            a("grown"),
            Action::Copy {
                reason: CopyReason::SizeChanged
            }
        );
        assert_eq!(
            a("edited"),
            Action::Copy {
                reason: CopyReason::ContentChanged
            }
        );
        assert_eq!(a("multipart"), Action::Skip);
        assert_eq!(a("quoted"), Action::Skip);
        // No ETags listed: the times decide.
        assert_eq!(
            a("no-etag-new"),
            Action::Copy {
                reason: CopyReason::ContentChanged
            }
        );
        assert_eq!(a("no-etag-old"), Action::Skip);
        // Two different MD5 ETags: changed, even though the copy looks newer.
        assert_eq!(
            a("md5-rewrite"),
            Action::Copy {
                reason: CopyReason::ContentChanged
            }
        );
        assert_eq!(
            a("gone-new"),
            Action::WaitDelete {
                missing_since: ts(100),
                delete_at: ts(100 + 86_400)
            }
        );
        assert_eq!(
            a("gone-old"),
            Action::Delete {
                missing_since: ts(-86_400)
            }
        );
        // A record from the future counts from now.
        assert_eq!(
            a("gone-future"),
            Action::WaitDelete {
                missing_since: ts(100),
                delete_at: ts(100 + 86_400)
            }
        );
        // The union of both sides' keys; the record's key that is back at the source is dropped.
        assert_eq!(p.actions.len(), 12);
        assert_eq!(
            p.missing_since.keys().collect::<Vec<_>>(),
            vec!["gone-future", "gone-new"]
        );
        let c = p.counts(&source);
        assert_eq!(
            (c.copy, c.copy_bytes, c.skip, c.delete, c.wait_delete),
            (5, 23, 4, 1, 2)
        );
        // Zero delay deletes at once.
        let p0 = plan(
            &source,
            &dest,
            &MissingSince::new(),
            ts(100),
            Duration::ZERO,
        );
        assert_eq!(p0.deletes().count(), 3);
        assert!(p0.missing_since.is_empty());
    }

    /// Keys from a small alphabet so source and destination overlap often.
    fn listing() -> impl Strategy<Value = Listing> {
        prop::collection::btree_map(
            "[a-f]{1,2}",
            (0u64..4, prop_oneof!["[xyz]?", "[ab]{32}"], -50i64..50)
                .prop_map(|(s, e, t)| obj(s, &e, t)),
            0..12,
        )
    }

    fn missing() -> impl Strategy<Value = MissingSince> {
        prop::collection::btree_map("[a-f]{1,2}", (-200i64..200).prop_map(ts), 0..8)
    }

    proptest! {
        #[test]
        fn every_key_in_exactly_one_class(
            src in listing(), dst in listing(), m in missing(), now in 0i64..100, delay in 0u64..300,
        ) {
            let p = plan(&src, &dst, &m, ts(now), Duration::from_secs(delay));
            let union: std::collections::BTreeSet<&String> = src.keys().chain(dst.keys()).collect();
            prop_assert_eq!(p.actions.keys().collect::<std::collections::BTreeSet<_>>(), union);
            let c = p.counts(&src);
            prop_assert_eq!(c.copy + c.skip + c.delete + c.wait_delete, p.actions.len() as u64);
            for (k, a) in &p.actions {
                match a {
                    Action::Copy { .. } | Action::Skip => prop_assert!(src.contains_key(k)),
                    Action::Delete { .. } | Action::WaitDelete { .. } => {
                        prop_assert!(!src.contains_key(k) && dst.contains_key(k));
                    }
                }
            }
        }

        #[test]
        fn never_deletes_before_the_delay(
            src in listing(), dst in listing(), m in missing(), now in 0i64..100, delay in 0u64..300,
        ) {
            let p = plan(&src, &dst, &m, ts(now), Duration::from_secs(delay));
            for (k, a) in &p.actions {
                if let Action::Delete { missing_since } = a {
                    // Deleted only if recorded missing, in the past, at least `delay` ago
                    // (or the delay is zero).
                    prop_assert!(delay == 0 || m.get(k) == Some(missing_since));
                    prop_assert!(*missing_since <= ts(now));
                    prop_assert!(ts(now).duration_since(*missing_since).as_secs() >= delay as i64);
                }
            }
        }

        /// Walking time forward run by run, a key is deleted only once `delay` has passed
        /// since the run that first saw it missing.
        #[test]
        fn deletion_waits_across_runs(
            src in listing(), dst in listing(), delay in 1u64..300, steps in prop::collection::vec(1i64..120, 1..6),
        ) {
            let mut first_seen: BTreeMap<String, Timestamp> = BTreeMap::new();
            let mut m = MissingSince::new();
            let mut dst = dst;
            let mut now = 0i64;
            for step in steps {
                let p = plan(&src, &dst, &m, ts(now), Duration::from_secs(delay));
                for (k, a) in &p.actions {
                    match a {
                        Action::WaitDelete { .. } => { first_seen.entry(k.clone()).or_insert(ts(now)); }
                        Action::Delete { .. } => {
                            let first = first_seen.get(k).copied();
                            prop_assert!(first.is_some(), "{} deleted on first sight", k);
                            if let Some(f) = first {
                                prop_assert!(ts(now).duration_since(f).as_secs() >= delay as i64);
                            }
                        }
                        _ => {}
                    }
                }
                dst = apply(&src, &dst, &p, ts(now));
                m = p.missing_since;
                now += step;
            }
        }

        #[test]
        fn idempotent(
            src in listing(), dst in listing(), m in missing(), now in 0i64..100, delay in 0u64..300, later in 0i64..1000,
        ) {
            let p = plan(&src, &dst, &m, ts(now), Duration::from_secs(delay));
            let after = apply(&src, &dst, &p, ts(now));
            let again = plan(&src, &after, &p.missing_since, ts(now + later), Duration::from_secs(delay));
            prop_assert_eq!(again.copies().count(), 0);
            // Every source key is now at the destination with the source's size.
            for (k, o) in &src {
                prop_assert_eq!(after.get(k).map(|d| d.size), Some(o.size));
            }
            // Nothing deleted twice: what the first plan deleted is gone.
            for k in p.deletes() {
                prop_assert!(!after.contains_key(k));
            }
        }
    }
}
