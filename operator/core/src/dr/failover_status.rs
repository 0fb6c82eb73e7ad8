//! The conditions of a Failover (`Ready`, `Progressing`, `WaitingForPerson`, `RtoMet`),
//! decided from its status and the step machine's last action: the Failover controller
//! writes what this returns.

use super::steps::Action;
use crate::conditions::{self, Desired};
use pusdata_crds::v1alpha1::{FailoverPhase, FailoverStatus};

/// Condition types of a Failover (besides `Ready`).
pub mod condition {
    /// Steps are running.
    pub const PROGRESSING: &str = crate::conditions::PROGRESSING;
    /// A manual or approval step waits for a person.
    pub const WAITING_FOR_PERSON: &str = crate::conditions::WAITING_FOR_PERSON;
    /// Every tier in scope met its RTO (and RPO when known).
    pub const RTO_MET: &str = "RtoMet";
}

/// The conditions of a Failover whose status is `status` after `action`.
pub fn conditions(status: &FailoverStatus, action: &Action) -> Vec<Desired> {
    let phase = status.phase.unwrap_or_default();
    let mut out = Vec::new();
    let (ready, reason, message) = match (phase, action) {
        (FailoverPhase::Succeeded, _) => (
            Some(true),
            "Succeeded",
            crate::t!("shell-failover-succeeded").to_string(),
        ),
        (_, Action::Fail { step, reason }) => (
            Some(false),
            if step.is_some() {
                "StepFailed"
            } else {
                "Stopped"
            },
            reason.to_string(),
        ),
        _ => (
            Some(false),
            "InProgress",
            crate::t!(
                "shell-failover-at-step",
                step = status.current_step.as_deref().unwrap_or("-")
            )
            .to_string(),
        ),
    };
    out.push(Desired {
        type_: conditions::READY,
        status: ready,
        reason,
        message,
    });
    let running = matches!(
        phase,
        FailoverPhase::Running | FailoverPhase::WaitingForPerson
    );
    out.push(Desired {
        type_: condition::PROGRESSING,
        status: Some(running),
        reason: if running { "StepsRunning" } else { "Finished" },
        message: String::new(),
    });
    let (waiting, reason, message) = match action {
        Action::Wait {
            roles,
            reason,
            overdue,
            ..
        } if !roles.is_empty() => (
            true,
            if overdue.is_empty() {
                "AwaitingSignOff"
            } else {
                "SignOffOverdue"
            },
            format!("{reason} ({})", roles.join(", ")),
        ),
        Action::Wait { reason, .. } => (false, "AwaitingPeer", reason.to_string()),
        _ => (false, "NotWaiting", String::new()),
    };
    out.push(Desired {
        type_: condition::WAITING_FOR_PERSON,
        status: Some(waiting),
        reason,
        message,
    });
    if !status.tiers.is_empty() {
        let met = status.tiers.iter().all(|t| t.met == Some(true));
        out.push(Desired {
            type_: condition::RTO_MET,
            status: Some(met),
            reason: if met { "WithinTargets" } else { "TargetMissed" },
            message: status
                .tiers
                .iter()
                .map(|t| {
                    format!(
                        "{}: RTO {}/{} s",
                        t.tier,
                        t.rto_achieved_seconds
                            .map_or_else(|| "?".into(), |s| s.to_string()),
                        t.rto_target_seconds
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    out
}

#[cfg(test)]
mod tests;
