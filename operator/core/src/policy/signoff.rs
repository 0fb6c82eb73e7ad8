//! Sign-offs of a Failover's manual and approval steps (SEC-CIA non-repudiation).
//!
//! `pusdata drill approve` writes the annotation `approval.pusdata.io/<step>` on the
//! Failover, holding the JSON of a [`RecordedIdentity`]. Whoever may patch a Failover could
//! write any name there, so the mutating webhook asks [`review_signoffs`] on every CREATE and
//! UPDATE: each sign-off that is new is re-written with the identity the API server
//! authenticated and the webhook's clock — never what the client wrote — and a sign-off once
//! recorded is never altered or removed (as the CRD's CEL keeps `Approval.spec.recordedBy`).
//!
//! Who may sign off a step ([`may_sign_off`]): when the plan maps the step's owner role to
//! Kubernetes groups (`spec.roles`), only a member of one of those groups. The platform team
//! is **not** a break-glass: the person the runbook names decides (the platform team runs the
//! failover and must not approve its own), and a real emergency without that person is
//! handled by changing the plan's mapping — a change only the platform team may make
//! (DR-PLAN), audited and visible in the plan. A step whose role is not mapped, a step the
//! plan does not have, or a plan the webhook does not know: only a member of the platform
//! team (`pusdata plan check` reports the unmapped role).

use super::approval::{UserInfo, platform_member};
use super::context::Context;
use crate::finding::Finding;
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pusdata_crds::v1alpha1::{DisasterRecoveryPlanSpec, RecordedIdentity};
use std::collections::BTreeMap;

/// Annotation prefix of a sign-off: `approval.pusdata.io/<step id>` holds the JSON of a
/// [`RecordedIdentity`].
pub const APPROVAL_PREFIX: &str = "approval.pusdata.io/";

/// One sign-off to record: the annotation `key` (for `step`) gets `identity`'s JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct SignOff {
    /// Step id.
    pub step: String,
    /// The full annotation key.
    pub key: String,
    /// What the annotation must hold: the authenticated requester, now.
    pub identity: RecordedIdentity,
}

/// What admission does with a Failover's sign-offs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SignOffReview {
    /// New sign-offs, each re-written with the authenticated identity.
    pub stamps: Vec<SignOff>,
    /// Deny findings when the requester may not sign off (the shell applies the
    /// enforcement mode; the stamps still apply when a Monitor mode admits the request).
    pub findings: Vec<Finding>,
}

/// The sign-off annotations of an annotation map, by step id.
pub fn signoff_annotations(annotations: &BTreeMap<String, String>) -> BTreeMap<&str, &str> {
    annotations
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix(APPROVAL_PREFIX)?, v.as_str())))
        .collect()
}

/// Reviews the sign-off annotations of a Failover (for `plan`) going from `old` (absent on
/// CREATE) to `new`, requested by `user` at `now`. A recorded sign-off that is removed or
/// changed is refused outright (`Err`, whatever the enforcement mode); annotations outside
/// [`APPROVAL_PREFIX`] are not looked at.
pub fn review_signoffs(
    plan: &str,
    old: Option<&BTreeMap<String, String>>,
    new: &BTreeMap<String, String>,
    user: &UserInfo,
    ctx: &Context,
    now: Timestamp,
) -> Result<SignOffReview, Box<Finding>> {
    let empty = BTreeMap::new();
    let before = signoff_annotations(old.unwrap_or(&empty));
    let after = signoff_annotations(new);
    for (step, was) in &before {
        if after.get(step) == Some(was) {
            continue;
        }
        let recorded = serde_json::from_str::<RecordedIdentity>(was)
            .map(|r| r.username)
            .unwrap_or_else(|_| "?".into());
        let change = if after.contains_key(step) {
            "changed"
        } else {
            "removed"
        };
        return Err(Box::new(Finding::deny(
            "SEC-CIA",
            &format!("metadata.annotations[{APPROVAL_PREFIX}{step}]"),
            crate::t!(
                "policy-signoff-recorded-cannot-change",
                step = step,
                recorded = &recorded,
                change = change
            ),
            crate::t!("policy-signoff-leave-recorded-sign-offs"),
        )));
    }
    let fresh: Vec<&str> = after
        .keys()
        .filter(|step| !before.contains_key(*step))
        .copied()
        .collect();
    let mut review = SignOffReview::default();
    for step in fresh {
        let key = format!("{APPROVAL_PREFIX}{step}");
        if let Err(mut f) = may_sign_off(plan, step, user, ctx) {
            f.path = format!("metadata.annotations[{key}]");
            review.findings.push(*f);
        }
        review.stamps.push(SignOff {
            step: step.to_string(),
            key,
            identity: RecordedIdentity {
                username: user.username.clone(),
                uid: user.uid.clone(),
                groups: user.groups.clone(),
                at: Time(now),
            },
        });
    }
    Ok(review)
}

/// The Kubernetes groups a plan maps `role` to (`spec.roles`), or `None` when it maps it to
/// none.
pub fn role_groups<'a>(spec: &'a DisasterRecoveryPlanSpec, role: &str) -> Option<&'a [String]> {
    spec.roles
        .iter()
        .find(|r| r.name == role)
        .map(|r| r.groups.as_slice())
        .filter(|g| !g.is_empty())
}

/// Whether `user` may sign off `step` of a Failover of `plan` (see the module comment): a
/// member of the step's owner-role groups when the plan maps the role, else a member of the
/// platform team. The refusal (SEC-CIA, both languages) names the step, its owner role and
/// the groups that may.
pub fn may_sign_off(
    plan: &str,
    step: &str,
    user: &UserInfo,
    ctx: &Context,
) -> Result<(), Box<Finding>> {
    let spec = ctx
        .plans
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(plan))
        .map(|p| &p.spec);
    let role = spec.and_then(|s| {
        s.runbook
            .iter()
            .find(|r| r.id == step)
            .map(|r| &r.owner_role)
    });
    let (Some(spec), Some(role)) = (spec, role) else {
        return platform_member(user, ctx, "SEC-CIA");
    };
    let Some(groups) = role_groups(spec, role) else {
        return platform_member(user, ctx, "SEC-CIA").map_err(|mut f| {
            f.message = crate::t!(
                "policy-signoff-owner-role-context",
                step = step,
                role = role,
                detail = &f.message
            );
            f
        });
    };
    if user.groups.iter().any(|g| groups.contains(g)) {
        return Ok(());
    }
    let who = &user.username;
    let list = groups.join(", ");
    Err(Box::new(Finding::deny(
        "SEC-CIA",
        "metadata.annotations",
        crate::t!(
            "policy-signoff-step-owner-role-may",
            step = &step,
            role = &role,
            list = &list,
            who = &who
        ),
        crate::t!("policy-signoff-ask-person-role-sign", role = &role),
    )))
}
