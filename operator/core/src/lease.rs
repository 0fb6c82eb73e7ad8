//! Leader election over a `coordination.k8s.io/v1` Lease: whether this replica may acquire,
//! must renew, or has to wait. Pure: the elector in the operator reads the Lease, asks
//! [`decide`], and writes with the Lease's resourceVersion, so two candidates that both see
//! an expired lease cannot both win (the API server refuses the second write).
//!
//! A leader that cannot renew stops leading at `renewTime + renewDeadline`, which is shorter
//! than `leaseDuration`: it has stopped before any other replica may take over (never two
//! leaders at once).

use jiff::{SignedDuration, Timestamp};

/// What the Lease says, as read.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Observed<'a> {
    /// `spec.holderIdentity`; `None` or empty when released.
    pub holder: Option<&'a str>,
    /// `spec.renewTime` (or `acquireTime` when never renewed).
    pub renew_time: Option<Timestamp>,
    /// `spec.leaseDurationSeconds`.
    pub lease_duration_seconds: Option<i32>,
}

/// What to do with the Lease.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Nobody holds it (absent, released or expired): take it, starting a new term.
    Acquire {
        /// The previous holder whose term expired, if any (a take-over).
        previous: Option<String>,
    },
    /// This replica holds it: write a new `renewTime`.
    Renew,
    /// Another replica holds a live lease until `until`: do not lead.
    Wait {
        /// The holder.
        holder: String,
        /// When its lease expires unless renewed.
        until: Timestamp,
    },
}

/// Decides from the observed Lease, `now` and this replica's identity `me`.
///
/// A lease with a holder but no renew time or duration is treated as expired: a live leader
/// always writes both, so such a lease was left by a crash mid-write or edited by hand.
pub fn decide(observed: &Observed<'_>, now: Timestamp, me: &str) -> Decision {
    let holder = observed.holder.filter(|h| !h.is_empty());
    match holder {
        None => Decision::Acquire { previous: None },
        Some(h) if h == me => Decision::Renew,
        Some(h) => match expiry(observed) {
            Some(until) if now < until => Decision::Wait {
                holder: h.to_string(),
                until,
            },
            _ => Decision::Acquire {
                previous: Some(h.to_string()),
            },
        },
    }
}

/// When the observed term ends unless renewed.
pub fn expiry(observed: &Observed<'_>) -> Option<Timestamp> {
    let renewed = observed.renew_time?;
    let secs = observed.lease_duration_seconds.filter(|s| *s > 0)?;
    renewed
        .checked_add(SignedDuration::from_secs(i64::from(secs)))
        .ok()
}

/// Whether a leader whose last successful renewal was at `renewed` may still act as leader
/// at `now`. `renew_deadline` must be shorter than the lease duration (see [`Timing`]).
pub fn still_leading(renewed: Timestamp, renew_deadline: SignedDuration, now: Timestamp) -> bool {
    renewed
        .checked_add(renew_deadline)
        .is_ok_and(|deadline| now < deadline)
}

/// Lease timing. The defaults are client-go's: 15 s lease, 10 s renew deadline, 2 s retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// `leaseDurationSeconds` written into the Lease.
    pub lease_duration: SignedDuration,
    /// A leader that has not renewed for this long stops leading.
    pub renew_deadline: SignedDuration,
    /// How often candidates and the leader look at the Lease.
    pub retry_period: SignedDuration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            lease_duration: SignedDuration::from_secs(15),
            renew_deadline: SignedDuration::from_secs(10),
            retry_period: SignedDuration::from_secs(2),
        }
    }
}

impl Timing {
    /// Timing from a lease duration in seconds: renew deadline two thirds of it, retry a
    /// sixth (at least one second each). `None` when the duration is under 3 s, too short for
    /// a deadline strictly inside it.
    pub fn from_lease_seconds(secs: u32) -> Option<Timing> {
        if secs < 3 {
            return None;
        }
        let secs = i64::from(secs);
        Some(Timing {
            lease_duration: SignedDuration::from_secs(secs),
            renew_deadline: SignedDuration::from_secs((secs * 2 / 3).max(1)),
            retry_period: SignedDuration::from_secs((secs / 6).max(1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    const NOW: &str = "2026-11-25T00:00:30Z";

    #[test]
    fn decision_table() {
        let renewed = Some(t("2026-11-25T00:00:20Z"));
        let old = Some(t("2026-11-25T00:00:10Z"));
        let cases: &[(&str, Observed<'_>, Decision)] = &[
            (
                "no lease yet",
                Observed::default(),
                Decision::Acquire { previous: None },
            ),
            (
                "released (empty holder)",
                Observed {
                    holder: Some(""),
                    renew_time: renewed,
                    lease_duration_seconds: Some(15),
                },
                Decision::Acquire { previous: None },
            ),
            (
                "mine: renew",
                Observed {
                    holder: Some("a"),
                    renew_time: renewed,
                    lease_duration_seconds: Some(15),
                },
                Decision::Renew,
            ),
            (
                "mine even when expired: renew (nobody took it)",
                Observed {
                    holder: Some("a"),
                    renew_time: old,
                    lease_duration_seconds: Some(5),
                },
                Decision::Renew,
            ),
            (
                "other, live: wait",
                Observed {
                    holder: Some("b"),
                    renew_time: renewed,
                    lease_duration_seconds: Some(15),
                },
                Decision::Wait {
                    holder: "b".into(),
                    until: t("2026-11-25T00:00:35Z"),
                },
            ),
            (
                "other, expires exactly now: take over",
                Observed {
                    holder: Some("b"),
                    renew_time: old,
                    lease_duration_seconds: Some(20),
                },
                Decision::Acquire {
                    previous: Some("b".into()),
                },
            ),
            (
                "other, expired: take over",
                Observed {
                    holder: Some("b"),
                    renew_time: old,
                    lease_duration_seconds: Some(15),
                },
                Decision::Acquire {
                    previous: Some("b".into()),
                },
            ),
            (
                "other, no renew time: take over",
                Observed {
                    holder: Some("b"),
                    renew_time: None,
                    lease_duration_seconds: Some(15),
                },
                Decision::Acquire {
                    previous: Some("b".into()),
                },
            ),
            (
                "other, zero duration: take over",
                Observed {
                    holder: Some("b"),
                    renew_time: renewed,
                    lease_duration_seconds: Some(0),
                },
                Decision::Acquire {
                    previous: Some("b".into()),
                },
            ),
        ];
        for (name, observed, want) in cases {
            assert_eq!(&decide(observed, t(NOW), "a"), want, "{name}");
        }
    }

    #[test]
    fn a_leader_stops_before_anyone_may_take_over() {
        let timing = Timing::default();
        let renewed = t("2026-11-25T00:00:00Z");
        let observed = Observed {
            holder: Some("a"),
            renew_time: Some(renewed),
            lease_duration_seconds: Some(15),
        };
        // Walk through the term second by second: whenever B may acquire, A has stopped.
        for s in 0..30 {
            let now = renewed.checked_add(SignedDuration::from_secs(s)).unwrap();
            let b_may_take = matches!(decide(&observed, now, "b"), Decision::Acquire { .. });
            let a_leads = still_leading(renewed, timing.renew_deadline, now);
            assert!(!(a_leads && b_may_take), "both leaders at +{s}s");
        }
        assert!(still_leading(renewed, timing.renew_deadline, renewed));
        assert!(!still_leading(
            renewed,
            timing.renew_deadline,
            t("2026-11-25T00:00:10Z")
        ));
    }

    #[test]
    fn timing_from_lease_seconds() {
        assert_eq!(Timing::from_lease_seconds(15), Some(Timing::default()));
        assert_eq!(Timing::from_lease_seconds(2), None);
        let t3 = Timing::from_lease_seconds(3).unwrap();
        assert!(t3.renew_deadline < t3.lease_duration);
        assert!(t3.retry_period <= t3.renew_deadline);
    }
}
