//! A site's view of its peer, from the age of the last heartbeat answered — what a
//! controller writes into the Site's `PeerReady` condition.
//!
//! A peer that stops answering is only *reported*: `PeerReady=False` raises an alert and
//! nothing else. Pusdata never fails over because the peer is silent — a silent peer may be
//! a cut link with a healthy site behind it, and promoting then would make two active sites.
//! A failover happens only when a person, or a DRP rule that says so explicitly, orders it.

use crate::i18n::Text;
use jiff::Timestamp;
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
}

impl PeerReason {
    /// The condition reason (CamelCase, stable).
    pub fn as_str(self) -> &'static str {
        match self {
            PeerReason::HeartbeatFresh => "HeartbeatFresh",
            PeerReason::NoHeartbeat => "NoHeartbeat",
            PeerReason::HeartbeatStale => "HeartbeatStale",
            PeerReason::ClockSkew => "ClockSkew",
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
            message: Text::new(
                "the peer site has not answered a heartbeat yet; no failover is started",
                "situs pasangan belum menjawab heartbeat; failover tidak dimulai",
            ),
        };
    };
    let signed_age = now.duration_since(last);
    let age = signed_age.unsigned_abs();
    if signed_age.is_negative() && age > SKEW_TOLERANCE {
        return PeerView {
            ready: false,
            reason: PeerReason::ClockSkew,
            message: Text::new(
                format!(
                    "the last heartbeat is {}s in the future: check the clocks (NTP) of both sites",
                    age.as_secs()
                ),
                format!(
                    "heartbeat terakhir {} detik di masa depan: periksa jam (NTP) kedua situs",
                    age.as_secs()
                ),
            ),
        };
    }
    if !signed_age.is_negative() && age > max_age {
        return PeerView {
            ready: false,
            reason: PeerReason::HeartbeatStale,
            message: Text::new(
                format!(
                    "no heartbeat from the peer site for {}s (limit {}s); alerting only, no failover is started",
                    age.as_secs(),
                    max_age.as_secs()
                ),
                format!(
                    "tidak ada heartbeat dari situs pasangan selama {} detik (batas {} detik); hanya peringatan, failover tidak dimulai",
                    age.as_secs(),
                    max_age.as_secs()
                ),
            ),
        };
    }
    PeerView {
        ready: true,
        reason: PeerReason::HeartbeatFresh,
        message: Text::new(
            "the peer site answers heartbeats",
            "situs pasangan menjawab heartbeat",
        ),
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
        }
    }
}
