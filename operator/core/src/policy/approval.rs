//! Who may approve (SEC-CIA, CLOUD-NKRI, WEB-DC, NET-PORTS): only members of the platform
//! groups, never a member of the agency the approval is for, and the identity recorded is the
//! one the API server authenticated — never what the client wrote.

use super::Context;
use crate::finding::Finding;
use crate::i18n::Text;
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
            Text::new(
                format!(
                    "no registered agency owns the target {}/{}, so self-approval cannot be ruled out",
                    target.namespace.as_deref().unwrap_or_default(),
                    target.name
                ),
                format!(
                    "tidak ada Perangkat Daerah terdaftar yang memiliki target {}/{}, sehingga persetujuan atas permohonan sendiri tidak dapat dicegah",
                    target.namespace.as_deref().unwrap_or_default(),
                    target.name
                ),
            ),
            Text::new(
                "register the agency and its namespaces first",
                "daftarkan dahulu Perangkat Daerah beserta namespace-nya",
            ),
        )));
    };
    if let Some(g) = user.groups.iter().find(|g| agency.spec.groups.contains(g)) {
        return Err(Box::new(Finding::deny(
            "SEC-CIA",
            "spec",
            Text::new(
                format!(
                    "{who} is a member of {g} of agency {} and cannot approve its own request",
                    agency.spec.code
                ),
                format!(
                    "{who} adalah anggota {g} dari Perangkat Daerah {} dan tidak boleh menyetujui permohonannya sendiri",
                    agency.spec.code
                ),
            ),
            Text::new(
                "another member of the platform team, outside the agency, must approve",
                "persetujuan harus diberikan anggota Dinas lain yang bukan bagian dari Perangkat Daerah tersebut",
            ),
        )));
    }
    if let Some(claimed) = &approval.spec.recorded_by
        && (claimed.username != *who || claimed.uid != user.uid)
    {
        return Err(Box::new(Finding::deny(
            "SEC-CIA",
            "spec.recordedBy",
            Text::new(
                format!(
                    "spec.recordedBy claims {}, but the request was made by {who}",
                    claimed.username
                ),
                format!(
                    "spec.recordedBy menyebut {}, padahal permintaan dibuat oleh {who}",
                    claimed.username
                ),
            ),
            Text::new(
                "leave spec.recordedBy empty: Pusdata records the authenticated user",
                "kosongkan spec.recordedBy: Pusdata mencatat pengguna yang terautentikasi",
            ),
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
                    Text::new(
                        format!(
                            "spec.requestedBy claims {}, but the request was made by {who}",
                            c.username
                        ),
                        format!(
                            "spec.requestedBy menyebut {}, padahal permintaan dibuat oleh {who}",
                            c.username
                        ),
                    ),
                    Text::new(
                        "leave spec.requestedBy empty: Pusdata records the authenticated user",
                        "kosongkan spec.requestedBy: Pusdata mencatat pengguna yang terautentikasi",
                    ),
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
            Text::new(
                "spec.requestedBy records who started the failover and cannot be changed",
                "spec.requestedBy mencatat siapa yang memulai failover dan tidak dapat diubah",
            ),
            Text::new(
                "leave spec.requestedBy as it is",
                "biarkan spec.requestedBy apa adanya",
            ),
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
        Text::new(
            format!(
                "{who} is not in the platform team's groups ({}) and may not approve",
                platform.join(", ")
            ),
            format!(
                "{who} bukan anggota grup Dinas ({}) dan tidak berwenang menyetujui",
                platform.join(", ")
            ),
        ),
        Text::new(
            "ask the platform team (the IT office) to review the request",
            "minta Dinas (tim platform) meninjau permohonan",
        ),
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
