//! Who may approve (SEC-CIA, CLOUD-NKRI, WEB-DC, NET-PORTS): only members of the platform
//! groups, never a member of the agency the approval is for, and the identity recorded is the
//! one the API server authenticated — never what the client wrote.

use super::context::Context;
use crate::finding::Finding;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{Approval, RecordedIdentity};

/// The authenticated requester, from an admission request's `userInfo`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserInfo {
    /// User name.
    pub username: String,
    /// UID, when the authenticator sets one.
    pub uid: Option<String>,
    /// Groups.
    pub groups: Vec<String>,
}

/// Reviews the creation of an approval by `user`. On success returns the identity to record
/// in `spec.recordedBy`; on refusal, the finding (boxed: findings are large, refusals rare).
pub fn review_approval(
    approval: &Approval,
    user: &UserInfo,
    ctx: &Context,
    now: Timestamp,
) -> Result<RecordedIdentity, Box<Finding>> {
    let target = &approval.spec.target;
    let rule = match target.kind.as_str() {
        "ExternalCloudService" => "CLOUD-NKRI",
        "HostingRequest" => "WEB-DC",
        "Agency" => "NET-PORTS",
        _ => "SEC-CIA",
    };
    let who = &user.username;
    platform_member(user, ctx, rule)?;
    let agency = match target.kind.as_str() {
        "Agency" => ctx.agency(&target.name),
        _ => target
            .namespace
            .as_deref()
            .and_then(|ns| ctx.agency_of_namespace(ns)),
    };
    let Some(agency) = agency else {
        return Err(Box::new(Finding::deny(
            "SEC-CIA",
            "spec.target",
            crate::t!(
                "policy-approval-registered-agency-owns-target",
                namespace = &target.namespace.as_deref().unwrap_or_default(),
                name = &target.name
            ),
            crate::t!("policy-approval-register-agency-namespaces-first"),
        )));
    };
    if let Some(g) = user.groups.iter().find(|g| agency.spec.groups.contains(g)) {
        return Err(Box::new(Finding::deny(
            "SEC-CIA",
            "spec",
            crate::t!(
                "policy-approval-member-agency-cannot-approve",
                who = &who,
                group = &g,
                code = &agency.spec.code
            ),
            crate::t!("policy-approval-another-member-platform-team"),
        )));
    }
    if let Some(claimed) = &approval.spec.recorded_by
        && (claimed.username != *who || claimed.uid != user.uid)
    {
        return Err(Box::new(Finding::deny(
            "SEC-CIA",
            "spec.recordedBy",
            crate::t!(
                "policy-approval-spec-recordedby-claims-but",
                username = &claimed.username,
                who = &who
            ),
            crate::t!("policy-approval-leave-spec-recordedby-empty"),
        )));
    }
    Ok(RecordedIdentity {
        username: who.clone(),
        uid: user.uid.clone(),
        groups: user.groups.clone(),
        at: Time(now),
    })
}

/// Who started a Failover (`spec.requestedBy`, documented as set by the webhook, SEC-CIA).
/// On create (`old` is `None`): the authenticated requester, stamped with `now`; a value the
/// client typed in that is not the requester is refused. On update: the recorded requester
/// never changes (`Ok(None)`: nothing to stamp).
pub fn review_requester(
    old: Option<Option<&RecordedIdentity>>,
    claimed: Option<&RecordedIdentity>,
    user: &UserInfo,
    now: Timestamp,
) -> Result<Option<RecordedIdentity>, Box<Finding>> {
    let who = &user.username;
    match old {
        None => {
            if let Some(c) = claimed
                && (c.username != *who || c.uid != user.uid)
            {
                return Err(Box::new(Finding::deny(
                    "SEC-CIA",
                    "spec.requestedBy",
                    crate::t!(
                        "policy-approval-spec-requestedby-claims-but",
                        username = &c.username,
                        who = &who
                    ),
                    crate::t!("policy-approval-leave-spec-requestedby-empty"),
                )));
            }
            Ok(Some(RecordedIdentity {
                username: who.clone(),
                uid: user.uid.clone(),
                groups: user.groups.clone(),
                at: Time(now),
            }))
        }
        Some(before) if before == claimed => Ok(None),
        Some(_) => Err(Box::new(Finding::deny(
            "SEC-CIA",
            "spec.requestedBy",
            crate::t!("policy-approval-spec-requestedby-records-who"),
            crate::t!("policy-approval-leave-spec-requestedby"),
        ))),
    }
}

/// Whether `user` is in one of the platform team's groups, the only people who may approve
/// anything; the refusal names `rule`.
pub fn platform_member(user: &UserInfo, ctx: &Context, rule: &str) -> Result<(), Box<Finding>> {
    let who = &user.username;
    let platform = &ctx.settings.platform_groups;
    if user.groups.iter().any(|g| platform.contains(g)) {
        return Ok(());
    }
    Err(Box::new(Finding::deny(
        rule,
        "spec",
        crate::t!(
            "policy-approval-platform-team-s-groups",
            who = &who,
            platform = &platform.join(", ")
        ),
        crate::t!("policy-approval-ask-platform-team-office"),
    )))
}

#[cfg(test)]
mod requester_tests {
    use super::*;

    fn user(name: &str) -> UserInfo {
        UserInfo {
            username: name.into(),
            uid: Some("u-1".into()),
            groups: vec!["pusdata:platform".into()],
        }
    }

    #[test]
    fn the_requester_is_who_asked_and_stays_so() {
        let now: Timestamp = "2026-11-25T00:00:00Z".parse().unwrap();
        let stamped = review_requester(None, None, &user("ratna"), now)
            .unwrap()
            .unwrap();
        assert_eq!((stamped.username.as_str(), stamped.at.0), ("ratna", now));
        // Typed in as someone else: refused, naming the field and rule.
        let mut forged = stamped.clone();
        forged.username = "kadis".into();
        let f = review_requester(None, Some(&forged), &user("ratna"), now).unwrap_err();
        assert_eq!(
            (f.rule.as_str(), f.path.as_str()),
            ("SEC-CIA", "spec.requestedBy")
        );
        // Typed in as oneself: stamped again with the server's clock.
        assert!(review_requester(None, Some(&stamped), &user("ratna"), now).is_ok());
        // Updates keep it; changing or removing it is refused.
        assert_eq!(
            review_requester(Some(Some(&stamped)), Some(&stamped), &user("budi"), now).unwrap(),
            None
        );
        assert!(review_requester(Some(Some(&stamped)), Some(&forged), &user("budi"), now).is_err());
        assert!(review_requester(Some(Some(&stamped)), None, &user("budi"), now).is_err());
    }
}
