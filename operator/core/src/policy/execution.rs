//! A `Failover`'s own spec (SEC-INCIDENT): its reason goes into the written report, so it
//! must say why in at least a sentence, in every language it is written in. The CRD cannot
//! say it (the reason is a string or `{en, id}`, a node no CEL rule may look into), so
//! admission and `policy check` do.

use crate::finding::Finding;

use pusdata_crds::v1alpha1::Failover;

/// Characters a reason needs at least, in each language written.
pub const MIN_REASON_CHARS: usize = 10;

/// Findings of one execution's spec.
pub fn check(fo: &Failover) -> Vec<Finding> {
    let mut out = Vec::new();
    if fo.spec.reason.shortest_len() < MIN_REASON_CHARS {
        out.push(Finding::deny(
            "SEC-INCIDENT",
            "spec.reason",
            crate::t!("policy-execution-reason-short", min = MIN_REASON_CHARS),
            crate::t!("policy-execution-reason-short-hint"),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;
    use pusdata_crds::v1alpha1::LocalizedText;

    #[test]
    fn a_short_reason_in_any_language_is_refused() {
        let mut fo = fixtures::drill();
        assert!(check(&fo).is_empty(), "the fixture's reason is long enough");
        fo.spec.reason = "test".into();
        let f = check(&fo);
        assert_eq!(
            (f[0].rule.as_str(), f[0].path.as_str()),
            ("SEC-INCIDENT", "spec.reason")
        );
        fo.spec.reason = LocalizedText::both("Flood in the server room", "Banjir");
        assert_eq!(check(&fo).len(), 1, "the Indonesian half is too short");
        fo.spec.reason = LocalizedText::both("Flood in the server room", "Banjir di ruang server");
        assert!(check(&fo).is_empty());
    }
}
