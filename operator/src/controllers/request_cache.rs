//! What the HostingRequest store keeps of a request, and how the status writer compares
//! against it (issue 14: memory at city scale).
//!
//! At 1 000 agencies the store holds ~5 000 requests, each with the texts of its status: the
//! messages of four conditions in English and Bahasa Indonesia, and the findings' messages
//! (~1.1 MB in all in `bench operator`'s world). No reader of the store needs them. The
//! hosting controller writes them anew from its decision each time, and reads of the stored
//! status (phases, placements, work orders, approvals) use no text. So the store keeps each
//! status without them, plus a digest of the whole status as stored (`text_digest`). The
//! status writer compares its new status with that digest ([`unchanged`]), so it still
//! writes nothing when nothing changed.
//!
//! Only texts the hosting decision rewrites every time are dropped: the messages of the
//! condition types it always sets ([`hosting::CONDITIONS`]) and the findings' texts. A
//! condition of any other type (another writer's, an older version's) is kept whole. The
//! decision carries such a condition into its new status, and the kept text makes that
//! status compare equal. A dropped text is never written back blank.

use pusdata_core::hosting;
use pusdata_crds::v1alpha1::{HostingRequest, HostingRequestStatus};

/// SHA-256 of the status as the API serves it (the digest field itself is not serialized),
/// cut to 16 bytes. `None` if it cannot be serialized; such a status is then kept whole.
pub fn digest(status: &HostingRequestStatus) -> Option<[u8; 16]> {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(status).ok()?;
    let full = Sha256::digest(&bytes);
    let mut out = [0u8; 16];
    out.copy_from_slice(full.get(..16)?);
    Some(out)
}

/// What the store keeps of `hr`'s status: the status without the texts the hosting
/// decision rewrites, with the digest of the status as received. (The store keeps the rest
/// of `hr` as every store does, `cache::slim_request`.)
pub fn slim_status(hr: &mut HostingRequest) {
    let Some(status) = hr.status.as_mut() else {
        return;
    };
    let Some(d) = digest(status) else {
        return;
    };
    status.text_digest = Some(d);
    for c in status
        .conditions
        .iter_mut()
        .filter(|c| hosting::CONDITIONS.contains(&c.type_.as_str()))
    {
        c.message = String::new();
    }
    for f in &mut status.findings {
        f.message = String::new();
        f.message_id = None;
        f.path = None;
    }
}

/// Whether `new` is the status `old` describes: by `old`'s digest when `old` is a cached
/// copy without its texts ([`slim_status`]), else field by field.
pub fn unchanged(old: &HostingRequestStatus, new: &HostingRequestStatus) -> bool {
    match old.text_digest {
        Some(d) => digest(new) == Some(d),
        None => old == new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
    use pusdata_crds::v1alpha1::{FindingSummary, HostingPhase};

    fn condition(type_: &str, message: &str) -> Condition {
        Condition {
            type_: type_.into(),
            status: "False".into(),
            reason: "AwaitingApproval".into(),
            message: message.into(),
            observed_generation: Some(1),
            last_transition_time: Time("2026-12-07T10:00:00Z".parse().unwrap()),
        }
    }

    fn status() -> HostingRequestStatus {
        HostingRequestStatus {
            phase: Some(HostingPhase::AwaitingApproval),
            conditions: vec![
                condition("Approved", "Awaiting approval / Menunggu persetujuan"),
                condition("Placed", ""),
                condition("Ready", "Awaiting approval / Menunggu persetujuan"),
                condition("Validated", "Passed the rules / Lolos aturan"),
                // Written by someone else: kept whole.
                condition("Audited", "Seen by the auditors / Dilihat auditor"),
            ],
            observed_generation: Some(1),
            findings: vec![FindingSummary {
                rule: "HOST-SITE".into(),
                severity: "warn".into(),
                path: Some("spec.colocation".into()),
                message: "No preferred site".into(),
                message_id: Some("Tidak ada lokasi pilihan".into()),
            }],
            placement_summary: Some("ns/disdukcapil".into()),
            ..Default::default()
        }
    }

    fn request(status: HostingRequestStatus) -> HostingRequest {
        let mut hr = pusdata_crds::fixtures::colocation_request("disdukcapil");
        hr.status = Some(status);
        hr
    }

    #[test]
    fn the_store_keeps_no_text_the_decision_rewrites_but_everything_it_reads() {
        let mut hr = request(status());
        slim_status(&mut hr);
        let kept = hr.status.unwrap();
        for c in &kept.conditions {
            match c.type_.as_str() {
                "Audited" => assert_eq!(c.message, "Seen by the auditors / Dilihat auditor"),
                _ => assert!(c.message.is_empty(), "{} kept its text", c.type_),
            }
            // What Events and lastTransitionTime are decided from stays.
            assert_eq!(
                (c.status.as_str(), c.reason.as_str()),
                ("False", "AwaitingApproval")
            );
        }
        let f = &kept.findings[0];
        assert_eq!(
            (f.rule.as_str(), f.severity.as_str()),
            ("HOST-SITE", "warn")
        );
        assert!(f.message.is_empty() && f.message_id.is_none() && f.path.is_none());
        assert_eq!(kept.phase, Some(HostingPhase::AwaitingApproval));
        assert_eq!(kept.placement_summary.as_deref(), Some("ns/disdukcapil"));
        assert_eq!(kept.text_digest, digest(&status()));
        // The digest is never sent: the status as written is the same with or without it.
        assert_eq!(
            serde_json::to_value(&kept).unwrap()["conditions"][0]["message"],
            ""
        );
        assert!(
            serde_json::to_value(&kept)
                .unwrap()
                .get("textDigest")
                .is_none()
        );
    }

    #[test]
    fn a_cached_status_compares_by_its_digest() {
        let mut hr = request(status());
        slim_status(&mut hr);
        let cached = hr.status.unwrap();
        assert!(unchanged(&cached, &status()));
        // A change only in a text the store dropped is still a change.
        let mut reworded = status();
        reworded.conditions[3].message = "Passed the rules again / Lolos lagi".into();
        assert!(!unchanged(&cached, &reworded));
        let mut refound = status();
        refound.findings[0].message_id = Some("Lain".into());
        assert!(!unchanged(&cached, &refound));
        // So is losing the other writer's condition, or its text.
        let mut lost = status();
        lost.conditions.pop();
        assert!(!unchanged(&cached, &lost));
        // A copy read from the API (no digest) compares field by field.
        assert!(unchanged(&status(), &status()));
        assert!(!unchanged(&status(), &reworded));
    }
}
