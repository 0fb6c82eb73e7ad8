//! Status conditions from one place: types and reasons are constants, `lastTransitionTime`
//! moves only when the status flips, and an unchanged condition compares equal so the shell
//! can skip writing an unchanged status.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

/// Condition type every kind carries.
pub const READY: &str = "Ready";
/// An agency cannot be removed yet.
pub const DELETION_BLOCKED: &str = "DeletionBlocked";
/// A request passed the rules.
pub const VALIDATED: &str = "Validated";
/// A request is approved for its current generation.
pub const APPROVED: &str = "Approved";
/// A request has a place.
pub const PLACED: &str = "Placed";
/// A plan's backup schedules run (every tier compiled, every agency has a DRC repository).
pub const SCHEDULED: &str = "Scheduled";
/// Every tier of a plan is within its RPO.
pub const RPO_MET: &str = "RpoMet";
/// A repository's last scheduled integrity `check` (BackupRepository).
pub const CHECKED: &str = "Checked";
/// A backup's snapshot passed (or failed) its restore test (Backup).
pub const VERIFIED: &str = "Verified";
/// Work is under way (Failover steps running); `False` is neither good nor bad.
pub const PROGRESSING: &str = "Progressing";
/// A manual or approval step waits for a person (Failover); `True` needs a look.
pub const WAITING_FOR_PERSON: &str = "WaitingForPerson";
/// The reason of a `Ready=False` that is only "not yet": not a warning.
pub const IN_PROGRESS: &str = "InProgress";

/// Conditions where `True` is what needs a look.
const NEGATIVE: &[&str] = &[DELETION_BLOCKED, WAITING_FOR_PERSON];

/// `True`, `False` or `Unknown`.
pub fn status_str(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "True",
        Some(false) => "False",
        None => "Unknown",
    }
}

/// A condition to set, before times are filled in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Desired {
    /// Condition type.
    pub type_: &'static str,
    /// True / False / Unknown.
    pub status: Option<bool>,
    /// CamelCase reason.
    pub reason: &'static str,
    /// Human message (both languages, `en / id`).
    pub message: String,
}

/// Merges `desired` into `existing`: conditions of other types are kept, a condition whose
/// status did not change keeps its `lastTransitionTime`.
pub fn merge(
    existing: &[Condition],
    desired: &[Desired],
    generation: Option<i64>,
    now: Time,
) -> Vec<Condition> {
    let mut out: Vec<Condition> = existing
        .iter()
        .filter(|c| !desired.iter().any(|d| d.type_ == c.type_))
        .cloned()
        .collect();
    for d in desired {
        let status = status_str(d.status).to_string();
        let last_transition_time = existing
            .iter()
            .find(|c| c.type_ == d.type_ && c.status == status)
            .map(|c| c.last_transition_time.clone())
            .unwrap_or_else(|| now.clone());
        out.push(Condition {
            type_: d.type_.to_string(),
            status,
            reason: d.reason.to_string(),
            message: d.message.clone(),
            observed_generation: generation,
            last_transition_time,
        });
    }
    out.sort_by(|a, b| a.type_.cmp(&b.type_));
    out
}

/// A condition that changed between two statuses: what users want to hear about as a
/// Kubernetes Event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// Condition type.
    pub type_: String,
    /// New status (`True`, `False`, `Unknown`).
    pub status: String,
    /// New reason; the Event's reason.
    pub reason: String,
    /// New message; the Event's note.
    pub message: String,
    /// Whether users should look: a positive condition turned `False`, or a blocking one
    /// (`DeletionBlocked`) turned `True`.
    pub warning: bool,
}

/// Conditions whose status or reason changed from `old` to `new` (a new condition counts
/// when it is not a quiet default: `DeletionBlocked=False` or `WaitingForPerson=False`
/// appearing says nothing). A warning is a positive condition turned `False` (unless it is
/// only `InProgress`), a negative one (`DeletionBlocked`, `WaitingForPerson`) turned `True`;
/// `Progressing` never warns.
pub fn transitions(old: &[Condition], new: &[Condition]) -> Vec<Transition> {
    new.iter()
        .filter(|c| match old.iter().find(|o| o.type_ == c.type_) {
            Some(o) => o.status != c.status || o.reason != c.reason,
            None => !(NEGATIVE.contains(&c.type_.as_str()) && c.status == "False"),
        })
        .map(|c| {
            let warning = if NEGATIVE.contains(&c.type_.as_str()) {
                c.status == "True"
            } else {
                c.type_ != PROGRESSING && c.status == "False" && c.reason != IN_PROGRESS
            };
            Transition {
                type_: c.type_.clone(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                warning,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Time {
        Time(s.parse().unwrap())
    }

    fn ready(ok: bool, reason: &'static str) -> Desired {
        Desired {
            type_: READY,
            status: Some(ok),
            reason,
            message: String::new(),
        }
    }

    #[test]
    fn transition_time_moves_only_on_a_flip() {
        let first = merge(
            &[],
            &[ready(false, "Pending")],
            Some(1),
            t("2026-11-01T00:00:00Z"),
        );
        let same = merge(
            &first,
            &[ready(false, "StillPending")],
            Some(2),
            t("2026-11-01T01:00:00Z"),
        );
        assert_eq!(same[0].last_transition_time, t("2026-11-01T00:00:00Z"));
        assert_eq!(same[0].reason, "StillPending");
        assert_eq!(same[0].observed_generation, Some(2));
        let flipped = merge(
            &same,
            &[ready(true, "Done")],
            Some(2),
            t("2026-11-01T02:00:00Z"),
        );
        assert_eq!(flipped[0].last_transition_time, t("2026-11-01T02:00:00Z"));
        assert_eq!(flipped[0].status, "True");
    }

    #[test]
    fn other_types_are_kept_and_order_is_stable() {
        let a = merge(&[], &[ready(true, "Ok")], None, t("2026-11-01T00:00:00Z"));
        let b = merge(
            &a,
            &[Desired {
                type_: DELETION_BLOCKED,
                status: Some(true),
                reason: "HasSystems",
                message: "x".into(),
            }],
            None,
            t("2026-11-01T00:00:00Z"),
        );
        assert_eq!(
            b.iter().map(|c| c.type_.as_str()).collect::<Vec<_>>(),
            vec![DELETION_BLOCKED, READY]
        );
        // Merging the same desired state again changes nothing.
        let c = merge(&b, &[ready(true, "Ok")], None, t("2026-11-05T00:00:00Z"));
        assert_eq!(b, c);
    }

    #[test]
    fn transitions_are_flips_and_reason_changes_with_their_severity() {
        let a = merge(
            &[],
            &[ready(false, "AwaitingApproval")],
            None,
            t("2026-11-01T00:00:00Z"),
        );
        let first = transitions(&[], &a);
        assert_eq!(first.len(), 1);
        assert!(first[0].warning, "Ready=False is worth a look");
        // Same status and reason: nothing to tell.
        assert!(transitions(&a, &a).is_empty());
        // Reason changes while still False: told.
        let b = merge(
            &a,
            &[ready(false, "PolicyDenied")],
            None,
            t("2026-11-02T00:00:00Z"),
        );
        assert_eq!(transitions(&a, &b)[0].reason, "PolicyDenied");
        // Flip to True: a normal event.
        let c = merge(
            &b,
            &[ready(true, "Placed")],
            None,
            t("2026-11-03T00:00:00Z"),
        );
        let flip = transitions(&b, &c);
        assert_eq!((flip[0].status.as_str(), flip[0].warning), ("True", false));
        // DeletionBlocked: quiet when it appears False, a warning when it turns True.
        let blocked = |on: bool| Desired {
            type_: DELETION_BLOCKED,
            status: Some(on),
            reason: if on { "StillInUse" } else { "NotDeleting" },
            message: String::new(),
        };
        let d = merge(&c, &[blocked(false)], None, t("2026-11-04T00:00:00Z"));
        assert!(transitions(&c, &d).is_empty());
        let e = merge(&d, &[blocked(true)], None, t("2026-11-05T00:00:00Z"));
        let x = transitions(&d, &e);
        assert_eq!(
            (x[0].type_.as_str(), x[0].warning),
            (DELETION_BLOCKED, true)
        );
    }

    #[test]
    fn waiting_for_a_person_warns_progress_does_not() {
        let c = |type_, status, reason| Desired {
            type_,
            status: Some(status),
            reason,
            message: String::new(),
        };
        let at = t("2026-11-01T00:00:00Z");
        let running = merge(
            &[],
            &[
                c(READY, false, IN_PROGRESS),
                c(PROGRESSING, true, "StepsRunning"),
                c(WAITING_FOR_PERSON, false, "NotWaiting"),
            ],
            None,
            at.clone(),
        );
        let first = transitions(&[], &running);
        let mut got: Vec<_> = first
            .iter()
            .map(|x| (x.reason.as_str(), x.warning))
            .collect();
        got.sort();
        assert_eq!(got, [(IN_PROGRESS, false), ("StepsRunning", false)]);
        let waiting = merge(
            &running,
            &[c(WAITING_FOR_PERSON, true, "AwaitingSignOff")],
            None,
            at.clone(),
        );
        assert!(transitions(&running, &waiting)[0].warning);
        let done = merge(
            &waiting,
            &[
                c(PROGRESSING, false, "Finished"),
                c(WAITING_FOR_PERSON, false, "NotWaiting"),
                c(READY, false, "StepFailed"),
            ],
            None,
            at,
        );
        let mut got: Vec<_> = transitions(&waiting, &done)
            .into_iter()
            .map(|x| (x.reason, x.warning))
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("Finished".to_string(), false),
                ("NotWaiting".to_string(), false),
                ("StepFailed".to_string(), true)
            ]
        );
    }
}
