//! An Agency's status, decided from where its reconcile got to: the Agency controller reads
//! the agency and what it hosts, applies its children, and writes what this returns.

use crate::conditions::{self, Desired};
use crate::i18n::Text;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{Agency, AgencyStatus};

/// Where one reconcile of an Agency got to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reached {
    /// Being deleted while systems or repositories remain (the finalizer holds it): why.
    DeletionBlocked(Text),
    /// The spec cannot be applied (`tenancy::validate`): why.
    Invalid(Text),
    /// Applying its children failed: the error.
    ApplyFailed(String),
    /// Every child applied, in this many namespaces.
    Applied {
        /// Namespaces of the agency.
        namespaces: usize,
    },
}

/// The conditions for `reached`.
pub fn agency_conditions(reached: &Reached) -> Vec<Desired> {
    match reached {
        Reached::DeletionBlocked(why) => vec![Desired {
            type_: conditions::DELETION_BLOCKED,
            status: Some(true),
            reason: "StillInUse",
            message: why.to_string(),
        }],
        Reached::Invalid(why) => vec![Desired {
            type_: conditions::READY,
            status: Some(false),
            reason: "InvalidSpec",
            message: why.to_string(),
        }],
        Reached::ApplyFailed(error) => vec![Desired {
            type_: conditions::READY,
            status: Some(false),
            reason: "ApplyFailed",
            message: crate::t!("shell-agency-apply-failed", error = error.as_str()).to_string(),
        }],
        Reached::Applied { namespaces } => vec![
            Desired {
                type_: conditions::READY,
                status: Some(true),
                reason: "Reconciled",
                message: crate::t!("shell-agency-ready", count = *namespaces).to_string(),
            },
            Desired {
                type_: conditions::DELETION_BLOCKED,
                status: Some(false),
                reason: "NotDeleting",
                message: String::new(),
            },
        ],
    }
}

/// The status of `agency` once it `reached` that point, hosting `hosted` systems and
/// `repositories` repositories, at `now` (equal to the one read when nothing changed).
pub fn agency_status(
    agency: &Agency,
    reached: &Reached,
    hosted: usize,
    repositories: usize,
    now: Timestamp,
) -> AgencyStatus {
    let old = agency.status.clone().unwrap_or_default();
    AgencyStatus {
        conditions: conditions::merge(
            &old.conditions,
            &agency_conditions(reached),
            agency.metadata.generation,
            Time(now),
        ),
        observed_generation: agency.metadata.generation,
        namespaces: crate::tenancy::namespaces_of(agency),
        hosted_systems: u32::try_from(hosted).ok(),
        repositories: u32::try_from(repositories).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;

    fn at() -> Timestamp {
        "2026-11-25T00:00:00Z".parse().unwrap()
    }

    fn condition<'a>(
        s: &'a AgencyStatus,
        type_: &str,
    ) -> Option<&'a k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition> {
        s.conditions.iter().find(|c| c.type_ == type_)
    }

    #[test]
    fn an_applied_agency_is_ready_and_not_deleting_and_settles() {
        let mut a = fixtures::agency("disdukcapil");
        a.metadata.generation = Some(2);
        let st = agency_status(&a, &Reached::Applied { namespaces: 1 }, 3, 1, at());
        let ready = condition(&st, conditions::READY).unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("True", "Reconciled")
        );
        assert!(
            ready.message.contains(" / "),
            "both languages: {}",
            ready.message
        );
        assert_eq!(
            condition(&st, conditions::DELETION_BLOCKED).unwrap().reason,
            "NotDeleting"
        );
        assert_eq!(st.namespaces, ["disdukcapil"]);
        assert_eq!((st.hosted_systems, st.repositories), (Some(3), Some(1)));
        assert_eq!(st.observed_generation, Some(2));
        // The same again, later: nothing changes (no transition time moves).
        a.status = Some(st.clone());
        let later = "2026-11-26T00:00:00Z".parse().unwrap();
        assert_eq!(
            agency_status(&a, &Reached::Applied { namespaces: 1 }, 3, 1, later),
            st
        );
    }

    #[test]
    fn a_failed_apply_quotes_the_error_and_keeps_the_other_conditions() {
        let mut a = fixtures::agency("disdukcapil");
        a.status = Some(agency_status(
            &a,
            &Reached::Applied { namespaces: 1 },
            0,
            0,
            at(),
        ));
        let st = agency_status(
            &a,
            &Reached::ApplyFailed("403 forbidden".into()),
            0,
            0,
            at(),
        );
        let ready = condition(&st, conditions::READY).unwrap();
        assert_eq!(
            (ready.status.as_str(), ready.reason.as_str()),
            ("False", "ApplyFailed")
        );
        assert!(ready.message.contains("403 forbidden"), "{}", ready.message);
        assert!(condition(&st, conditions::DELETION_BLOCKED).is_some());
    }

    #[test]
    fn a_blocked_deletion_and_an_invalid_spec_have_their_reasons() {
        let a = fixtures::agency("disdukcapil");
        let why = crate::tenancy::deletion_blocked(2, 0).unwrap();
        let st = agency_status(&a, &Reached::DeletionBlocked(why.clone()), 2, 0, at());
        let c = condition(&st, conditions::DELETION_BLOCKED).unwrap();
        assert_eq!(
            (c.status.as_str(), c.reason.as_str()),
            ("True", "StillInUse")
        );
        assert_eq!(c.message, why.to_string());
        let st = agency_status(&a, &Reached::Invalid(Text::new("bad", "buruk")), 0, 0, at());
        assert_eq!(
            condition(&st, conditions::READY).unwrap().reason,
            "InvalidSpec"
        );
    }
}
