//! Repository locks, as restic reads them: which lock files are stale, and which ones stop
//! a run. Pure: the locks found in `locks/` (decrypted by the mover), the current time and
//! the staleness threshold come in; what to remove and what blocks go out.
//!
//! restic's rules, which Pusdata follows so that both tools can share a repository:
//! an exclusive lock (forget, prune, check) conflicts with every other lock; a shared lock
//! (backup) conflicts with exclusive locks only; a lock not refreshed for 30 minutes is
//! stale (restic refreshes live locks every 5 minutes) and may be removed by anyone holding
//! the repository key (APP-BACKUP: a prune never races a backup; k8up#456, volsync#646).

use crate::i18n::Text;
use jiff::Timestamp;
use std::time::Duration;

/// restic refreshes a live lock this often.
pub const REFRESH_EVERY: Duration = Duration::from_secs(5 * 60);

/// restic (and `pusdata mover unlock`) call a lock stale after this long without refresh.
pub const STALE_AFTER: Duration = Duration::from_secs(30 * 60);

/// One lock file as found in `locks/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenLock {
    /// The file name (64 hex).
    pub name: String,
    /// The lock's own `time` when it could be decrypted, else the file's modification time;
    /// `None` when neither is known.
    pub time: Option<Timestamp>,
    /// `Some(true)` for an exclusive lock; `None` when the file could not be decrypted.
    pub exclusive: Option<bool>,
    /// `user@host (pid N)` when known.
    pub holder: Option<String>,
}

/// What the run wants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// Forget, prune: nothing else may hold a lock.
    Exclusive,
    /// A backup: only exclusive locks stop it.
    Shared,
}

/// A lock that stops the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocker {
    /// The file name.
    pub name: String,
    /// How old it is (`None` when its time is unknown).
    pub age: Option<Duration>,
    /// Exclusive, shared or unknown.
    pub exclusive: Option<bool>,
    /// Who holds it, when known.
    pub holder: Option<String>,
}

/// The verdict over the locks found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LockPlan {
    /// Stale locks: removed before an exclusive lock is taken (reported).
    pub stale: Vec<String>,
    /// Fresh locks that stop the run; empty means go.
    pub blockers: Vec<Blocker>,
}

/// The age of a lock at `now`, if its time is known (a time in the future is age 0).
pub fn age(time: Option<Timestamp>, now: Timestamp) -> Option<Duration> {
    let t = time?;
    Some(Duration::try_from(now.duration_since(t)).unwrap_or(Duration::ZERO))
}

/// Whether a lock is stale. A lock whose time is unknown is never stale: removing a live
/// lock is the worse mistake.
pub fn is_stale(time: Option<Timestamp>, now: Timestamp, stale_after: Duration) -> bool {
    age(time, now).is_some_and(|a| a >= stale_after)
}

/// How often a held lock is rewritten: the configured interval, but at most a third of the
/// staleness threshold, so that a short `--stale-after` still leaves room for refreshes
/// (and `lost` a margin of half the threshold at least).
pub fn refresh_interval(refresh_every: Duration, stale_after: Duration) -> Duration {
    refresh_every.min(stale_after / 3)
}

/// Whether a lock this run holds may no longer protect it: its last successful write is so
/// old that another run could call it stale before the next refresh lands. As restic
/// (since 0.16): the margin is one and a half refresh intervals, so with the defaults a run
/// whose lock has not been written for 22.5 minutes stops before it changes the repository.
pub fn lost(
    last_written: Timestamp,
    now: Timestamp,
    stale_after: Duration,
    refresh_every: Duration,
) -> bool {
    let every = refresh_interval(refresh_every, stale_after);
    let margin = every.saturating_add(every / 2);
    is_stale(Some(last_written), now, stale_after.saturating_sub(margin))
}

/// The message of a run stopped by `lost`: when its lock was last written.
pub fn lost_refusal(last_written: Timestamp) -> Text {
    crate::t!(
        "repository-lock-repository-lock-been-refreshed",
        last_written = &last_written
    )
}

/// Sorts the locks found into stale ones and the ones that stop a run wanting `want`.
/// `own` is the name of the caller's own lock (ignored: refreshing replaces it). An
/// undecryptable fresh lock stops an exclusive run (it may be anyone's) but not a backup
/// (restic itself ignores locks it cannot read when taking a shared lock).
pub fn plan(
    locks: &[SeenLock],
    want: Want,
    now: Timestamp,
    stale_after: Duration,
    own: Option<&str>,
) -> LockPlan {
    let mut out = LockPlan::default();
    for l in locks.iter().filter(|l| Some(l.name.as_str()) != own) {
        if is_stale(l.time, now, stale_after) {
            out.stale.push(l.name.clone());
            continue;
        }
        let blocks = match want {
            Want::Exclusive => true,
            Want::Shared => l.exclusive == Some(true),
        };
        if blocks {
            out.blockers.push(Blocker {
                name: l.name.clone(),
                age: age(l.time, now),
                exclusive: l.exclusive,
                holder: l.holder.clone(),
            });
        }
    }
    out.stale.sort();
    out.blockers.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

fn minutes(d: Option<Duration>) -> String {
    match d {
        Some(d) => format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60),
        None => "?".into(),
    }
}

/// The message a refused run gives: which lock, how old, who holds it, and what to do.
pub fn refusal(want: Want, blocker: &Blocker, stale_after: Duration) -> Text {
    let short = blocker.name.get(..10).unwrap_or(&blocker.name);
    let kind_en = match blocker.exclusive {
        Some(true) => "an exclusive lock",
        Some(false) => "a lock",
        None => "an unreadable lock",
    };
    let kind_id = match blocker.exclusive {
        Some(true) => "kunci eksklusif",
        Some(false) => "kunci",
        None => "kunci yang tidak terbaca",
    };
    let holder = blocker.holder.as_deref().unwrap_or("unknown");
    let age = minutes(blocker.age);
    let stale = minutes(Some(stale_after));
    let (what_en, what_id) = match want {
        Want::Exclusive => ("forget/prune", "forget/prune"),
        Want::Shared => ("backup", "backup"),
    };
    Text::new(
        format!(
            "repository is locked: {kind_en} locks/{short} held by {holder}, {age} old; \
             {what_en} refused (APP-BACKUP). It becomes stale after {stale} without refresh; \
             `pusdata mover unlock` removes stale locks"
        ),
        format!(
            "repositori terkunci: {kind_id} locks/{short} dipegang oleh {holder}, berumur {age}; \
             {what_id} ditolak (APP-BACKUP). Kunci menjadi basi setelah {stale} tanpa \
             pembaruan; `pusdata mover unlock` menghapus kunci basi"
        ),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn lock(name: &str, time: Option<&str>, exclusive: Option<bool>) -> SeenLock {
        SeenLock {
            name: name.into(),
            time: time.map(ts),
            exclusive,
            holder: Some("root@mover (pid 7)".into()),
        }
    }

    #[test]
    fn a_lock_not_written_for_too_long_is_lost_before_anyone_may_call_it_stale() {
        let written = ts("2026-11-26T01:00:00Z");
        let at = |t: &str| lost(written, ts(t), STALE_AFTER, REFRESH_EVERY);
        assert!(!at("2026-11-26T01:00:00Z"));
        assert!(!at("2026-11-26T01:22:29Z"));
        assert!(at("2026-11-26T01:22:30Z"));
        // Still before another run may remove it (30 minutes).
        assert!(!is_stale(
            Some(written),
            ts("2026-11-26T01:22:30Z"),
            STALE_AFTER
        ));
        // A clock behind the lock's time never loses it.
        assert!(!at("2026-11-26T00:00:00Z"));
        let t = lost_refusal(written);
        assert!(t.en.contains("not been refreshed since 2026-11-26T01:00:00Z"));
        assert!(t.en.contains("APP-BACKUP") && t.id.contains("APP-BACKUP"));
        assert!(t.id.contains("belum diperbarui sejak 2026-11-26T01:00:00Z"));
        // A short threshold shortens the interval instead of losing every lock at once.
        let short = Duration::from_secs(60);
        assert_eq!(
            refresh_interval(REFRESH_EVERY, short),
            Duration::from_secs(20)
        );
        assert!(!lost(
            written,
            ts("2026-11-26T01:00:29Z"),
            short,
            REFRESH_EVERY
        ));
        assert!(lost(
            written,
            ts("2026-11-26T01:00:30Z"),
            short,
            REFRESH_EVERY
        ));
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn table() {
        let now = ts("2026-11-26T02:00:00Z");
        let fresh_x = lock("a", Some("2026-11-26T01:55:00Z"), Some(true));
        let fresh_s = lock("b", Some("2026-11-26T01:59:00Z"), Some(false));
        let stale_x = lock("c", Some("2026-11-26T01:30:00Z"), Some(true)); // exactly 30m
        let unreadable = lock("d", Some("2026-11-26T01:58:00Z"), None);
        let timeless = lock("e", None, Some(true));
        let future = lock("f", Some("2026-11-26T03:00:00Z"), Some(false));
        // (locks, want, own) -> (stale, blockers)
        let cases: Vec<(Vec<&SeenLock>, Want, Option<&str>, Vec<&str>, Vec<&str>)> = vec![
            (vec![], Want::Exclusive, None, vec![], vec![]),
            (vec![], Want::Shared, None, vec![], vec![]),
            (vec![&fresh_x], Want::Shared, None, vec![], vec!["a"]),
            (vec![&fresh_s], Want::Shared, None, vec![], vec![]),
            (vec![&fresh_s], Want::Exclusive, None, vec![], vec!["b"]),
            (vec![&stale_x], Want::Exclusive, None, vec!["c"], vec![]),
            (vec![&stale_x], Want::Shared, None, vec!["c"], vec![]),
            (vec![&unreadable], Want::Exclusive, None, vec![], vec!["d"]),
            (vec![&unreadable], Want::Shared, None, vec![], vec![]),
            (vec![&timeless], Want::Exclusive, None, vec![], vec!["e"]),
            (vec![&timeless], Want::Shared, None, vec![], vec!["e"]),
            (vec![&future], Want::Exclusive, None, vec![], vec!["f"]),
            (vec![&fresh_x], Want::Exclusive, Some("a"), vec![], vec![]),
            (
                vec![&stale_x, &fresh_s, &fresh_x, &unreadable],
                Want::Exclusive,
                None,
                vec!["c"],
                vec!["a", "b", "d"],
            ),
            (
                vec![&stale_x, &fresh_s, &fresh_x, &unreadable],
                Want::Shared,
                None,
                vec!["c"],
                vec!["a"],
            ),
        ];
        for (i, (locks, want, own, stale, blockers)) in cases.into_iter().enumerate() {
            let locks: Vec<SeenLock> = locks.into_iter().cloned().collect();
            let p = plan(&locks, want, now, STALE_AFTER, own);
            assert_eq!(p.stale, stale, "case {i}");
            let names: Vec<&str> = p.blockers.iter().map(|b| b.name.as_str()).collect();
            assert_eq!(names, blockers, "case {i}");
        }
    }

    #[test]
    fn ages_and_staleness() {
        let now = ts("2026-11-26T02:00:00Z");
        assert_eq!(
            age(Some(ts("2026-11-26T01:59:00Z")), now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            age(Some(ts("2026-11-26T02:01:00Z")), now),
            Some(Duration::ZERO)
        );
        assert_eq!(age(None, now), None);
        assert!(!is_stale(None, now, Duration::ZERO));
        assert!(is_stale(Some(ts("2026-11-26T01:29:59Z")), now, STALE_AFTER));
        assert!(!is_stale(
            Some(ts("2026-11-26T01:30:01Z")),
            now,
            STALE_AFTER
        ));
    }

    #[test]
    fn refusal_names_the_lock_its_age_and_holder_in_both_languages() {
        let b = Blocker {
            name: "0123456789abcdef".into(),
            age: Some(Duration::from_secs(125)),
            exclusive: Some(true),
            holder: Some("root@mover-x (pid 1)".into()),
        };
        let t = refusal(Want::Shared, &b, STALE_AFTER);
        for s in [&t.en, &t.id] {
            assert!(s.contains("locks/0123456789"), "{s}");
            assert!(s.contains("2m05s"), "{s}");
            assert!(s.contains("root@mover-x (pid 1)"), "{s}");
            assert!(s.contains("30m00s"), "{s}");
        }
        assert!(t.en.contains("backup refused"));
        assert!(t.id.contains("eksklusif"));
    }
}
