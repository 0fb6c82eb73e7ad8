//! Conversions between the gRPC messages and the plain data of the work and the core:
//! placement, readiness and smoke checks, their outcomes, and the caller's deadline.

use super::proto;
use super::work::{CheckOutcome, CheckState, Placement, ReadinessCheck, SmokeCheck};
use pusdata_core::i18n::Text;
use pusdata_crds::v1alpha1::FailoverType;
use std::time::{Duration, Instant};

/// The kind's name on the wire.
pub fn kind_name(kind: FailoverType) -> &'static str {
    match kind {
        FailoverType::Drill => "Drill",
        FailoverType::Failover => "Failover",
        FailoverType::Failback => "Failback",
    }
}

/// Why a site answered a fenced request as it did, in both languages: from the catalogue
/// message the agent names (`reason_message`, `reason_args`); from an agent older than those
/// fields, the reason of its verdict, worded here; only a verdict this build does not know
/// leaves the agent's English `reason`, quoted.
pub fn fence_reason(f: &proto::Fence) -> Text {
    use pusdata_core::i18n::{Arg, Lang, has, text};
    let known = |id: &str| has(Lang::En, id) && has(Lang::Id, id);
    if !f.reason_message.is_empty() && known(&f.reason_message) {
        let args: Vec<(&str, Arg)> = f
            .reason_args
            .iter()
            .map(|(k, v)| (k.as_str(), Arg::Str(v.clone())))
            .collect();
        return text(&f.reason_message, &args);
    }
    let verdict = match proto::Verdict::try_from(f.verdict) {
        Ok(proto::Verdict::Accepted) => Some(pusdata_core::fence::Verdict::Accepted),
        Ok(proto::Verdict::StaleEpoch) => Some(pusdata_core::fence::Verdict::StaleEpoch),
        Ok(proto::Verdict::NotNewer) => Some(pusdata_core::fence::Verdict::NotNewer),
        Ok(proto::Verdict::RequestIdReused) => Some(pusdata_core::fence::Verdict::RequestIdReused),
        _ => None,
    };
    match verdict {
        Some(v) => pusdata_core::fence::Reason::of(v, f.duplicate, f.epoch).text(),
        None => pusdata_core::t!("fence-reason-unknown", reason = f.reason.as_str()),
    }
}

/// A placement for the wire.
pub fn placement_msg(p: &Placement) -> proto::Placement {
    proto::Placement {
        kind: kind_name(p.kind).to_string(),
        failover: p.failover.clone(),
        plan: p.plan.clone(),
        agency: p.agency.clone(),
        member: p.member.clone(),
        namespace: p.namespace.clone(),
        repository: p.repository.clone(),
        pvc: p.pvc.clone(),
        run_as_user: p.run_as_user,
        run_as_group: p.run_as_group,
    }
}

/// A placement from the wire; an unknown kind is refused.
pub fn placement(m: Option<proto::Placement>) -> Result<Option<Placement>, String> {
    let Some(m) = m else { return Ok(None) };
    let kind = match m.kind.as_str() {
        "Drill" => FailoverType::Drill,
        "Failover" => FailoverType::Failover,
        "Failback" => FailoverType::Failback,
        other => {
            return Err(format!(
                "placement.kind {other:?}: expected Drill, Failover or Failback"
            ));
        }
    };
    Ok(Some(Placement {
        kind,
        failover: m.failover,
        plan: m.plan,
        agency: m.agency,
        member: m.member,
        namespace: m.namespace,
        repository: m.repository,
        pvc: m.pvc,
        run_as_user: m.run_as_user,
        run_as_group: m.run_as_group,
    }))
}

fn secs(d: Duration) -> u32 {
    u32::try_from(d.as_secs()).unwrap_or(u32::MAX)
}

/// A readiness check for the wire.
pub fn readiness_msg(c: &ReadinessCheck) -> proto::ReadinessCheck {
    proto::ReadinessCheck {
        selector: c.selector.clone().into_iter().collect(),
        timeout_seconds: secs(c.timeout),
    }
}

/// A readiness check from the wire.
pub fn readiness(m: Option<proto::ReadinessCheck>) -> Option<ReadinessCheck> {
    m.map(|m| ReadinessCheck {
        selector: m.selector.into_iter().collect(),
        timeout: Duration::from_secs(m.timeout_seconds.into()),
    })
}

/// A smoke check for the wire.
pub fn smoke_msg(c: &SmokeCheck) -> proto::SmokeCheck {
    proto::SmokeCheck {
        command: c.command.clone(),
        image: c.image.clone(),
        timeout_seconds: secs(c.timeout),
    }
}

/// A smoke check from the wire (none without a command).
pub fn smoke(m: Option<proto::SmokeCheck>) -> Option<SmokeCheck> {
    m.filter(|m| !m.command.is_empty()).map(|m| SmokeCheck {
        command: m.command,
        image: m.image,
        timeout: Duration::from_secs(m.timeout_seconds.into()),
    })
}

/// A check outcome for the wire.
pub fn check_msg(c: &CheckOutcome) -> proto::Check {
    let state = match c.state {
        CheckState::Passed => proto::check::State::Passed,
        CheckState::Failed => proto::check::State::Failed,
        CheckState::Skipped => proto::check::State::Skipped,
    };
    proto::Check {
        state: state as i32,
        message: c.message.en.clone(),
        message_id: c.message.id.clone(),
    }
}

/// A check outcome from the wire (an agent that does not know checks sends none).
pub fn check(m: Option<&proto::Check>) -> Option<CheckOutcome> {
    let m = m?;
    let state = match proto::check::State::try_from(m.state) {
        Ok(proto::check::State::Passed) => CheckState::Passed,
        Ok(proto::check::State::Failed) => CheckState::Failed,
        _ => CheckState::Skipped,
    };
    Some(CheckOutcome::new(
        state,
        Text::new(m.message.clone(), m.message_id.clone()),
    ))
}

/// The caller's deadline from a `grpc-timeout` header value (`<digits><unit>`, unit one of
/// `H M S m u n`), counted from `now`; none when absent or malformed.
pub fn deadline(header: Option<&str>, now: Instant) -> Option<Instant> {
    let h = header?.trim();
    let (digits, unit) = h.split_at(h.len().checked_sub(1)?);
    let n: u64 = digits.parse().ok()?;
    let d = match unit {
        "H" => Duration::from_secs(n.checked_mul(3600)?),
        "M" => Duration::from_secs(n.checked_mul(60)?),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    };
    now.checked_add(d)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A refusal reads in the reader's language whoever sent it: an agent naming the
    /// catalogue message, an older agent that sent only its English sentence (worded here
    /// from its verdict), or a newer one with a verdict and message this build does not know
    /// (its English quoted as such).
    #[test]
    fn a_fence_reason_is_worded_by_the_reader() {
        let now = proto::Fence {
            epoch: 4,
            verdict: proto::Verdict::NotNewer as i32,
            reason: "refused: promotion needs an epoch newer than 4".into(),
            reason_message: "fence-reason-not-newer".into(),
            reason_args: [("epoch".to_string(), "4".to_string())].into(),
            ..proto::Fence::default()
        };
        let why = fence_reason(&now);
        assert_eq!(why.en, now.reason);
        assert_eq!(
            why.id,
            "ditolak: promosi memerlukan epoch yang lebih baru daripada 4"
        );
        let old = proto::Fence {
            reason_message: String::new(),
            reason_args: Default::default(),
            ..now.clone()
        };
        assert_eq!(fence_reason(&old), why);
        let duplicate = proto::Fence {
            verdict: proto::Verdict::Accepted as i32,
            duplicate: true,
            ..old.clone()
        };
        assert_eq!(
            fence_reason(&duplicate).id,
            "sudah dilaksanakan (ID permintaan ganda)"
        );
        let newer = proto::Fence {
            verdict: 99,
            reason: "refused: a rule from the future".into(),
            reason_message: "fence-reason-from-the-future".into(),
            ..old
        };
        let why = fence_reason(&newer);
        assert!(
            why.id.starts_with("menurut situs itu sendiri"),
            "{}",
            why.id
        );
        assert!(
            why.id.ends_with("refused: a rule from the future"),
            "{}",
            why.id
        );
    }

    #[test]
    fn grpc_timeouts_become_deadlines() {
        let now = Instant::now();
        let table: &[(Option<&str>, Option<Duration>)] = &[
            (None, None),
            (Some(""), None),
            (Some("S"), None),
            (Some("5x"), None),
            (Some("5S"), Some(Duration::from_secs(5))),
            (Some("2M"), Some(Duration::from_secs(120))),
            (Some("1H"), Some(Duration::from_secs(3600))),
            (Some("250m"), Some(Duration::from_millis(250))),
            (Some("7u"), Some(Duration::from_micros(7))),
        ];
        for (h, want) in table {
            assert_eq!(deadline(*h, now), want.map(|d| now + d), "{h:?}");
        }
    }

    #[test]
    fn placements_and_checks_round_trip() {
        for kind in [
            FailoverType::Drill,
            FailoverType::Failover,
            FailoverType::Failback,
        ] {
            let p = Placement {
                kind,
                failover: "f".into(),
                member: "m".into(),
                ..Placement::default()
            };
            assert_eq!(placement(Some(placement_msg(&p))).unwrap(), Some(p));
        }
        let bad = proto::Placement {
            kind: "Exercise".into(),
            ..proto::Placement::default()
        };
        assert!(placement(Some(bad)).unwrap_err().contains("placement.kind"));
        for state in [CheckState::Passed, CheckState::Failed, CheckState::Skipped] {
            let c = CheckOutcome::new(state, Text::new("a", "b"));
            assert_eq!(check(Some(&check_msg(&c))), Some(c));
        }
        let r = ReadinessCheck {
            selector: [("app".to_string(), "x".to_string())].into(),
            timeout: Duration::from_secs(60),
        };
        assert_eq!(readiness(Some(readiness_msg(&r))), Some(r));
        let s = SmokeCheck {
            command: vec!["true".into()],
            image: "i".into(),
            timeout: Duration::from_secs(9),
        };
        assert_eq!(smoke(Some(smoke_msg(&s))), Some(s));
        assert_eq!(smoke(Some(proto::SmokeCheck::default())), None);
    }
}
