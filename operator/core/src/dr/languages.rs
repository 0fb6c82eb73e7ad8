//! Whether the plan's texts speak both languages (DR-PLAN): the report of an execution shows
//! each reader the runbook titles and tier descriptions in their language, so a text written
//! in one language only leaves the other report half-translated. Such a text is valid (a
//! plain string serves both languages); the plan check warns, citing the field.

use crate::finding::Finding;

use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, LocalizedText, TextLanguages};

/// Warnings for every text of `plan` that lacks a language, in field order.
pub fn check(plan: &DisasterRecoveryPlan) -> Vec<Finding> {
    let spec = &plan.spec;
    let tiers = spec.tiers.iter().enumerate().filter_map(|(i, t)| {
        t.description
            .as_ref()
            .map(|d| (format!("spec.tiers[{i}].description"), d))
    });
    let steps = spec
        .runbook
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("spec.runbook[{i}].title"), &s.title));
    tiers
        .chain(steps)
        .filter_map(|(path, text)| finding(&path, text))
        .collect()
}

/// The finding for one text, if it lacks a language.
pub fn finding(path: &str, text: &LocalizedText) -> Option<Finding> {
    let state = match text.languages() {
        TextLanguages::Both => return None,
        TextLanguages::Plain => "plain",
        TextLanguages::OnlyEn => "only-en",
        TextLanguages::OnlyId => "only-id",
        TextLanguages::Empty => "empty",
    };
    Some(Finding::warn(
        "DR-PLAN",
        path,
        crate::t!("dr-languages-untranslated", path = path, state = state),
        crate::t!("dr-languages-untranslated-hint"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use pusdata_crds::fixtures;

    #[test]
    fn one_language_texts_are_warned_with_their_field_path() {
        let mut p = fixtures::plan();
        p.spec.tiers[0].description = Some(LocalizedText::both("Databases", "Basis data"));
        p.spec.runbook = vec![
            pusdata_crds::v1alpha1::RunbookStep {
                id: "declare".into(),
                title: "Declare the disaster".into(),
                ..Default::default()
            },
            pusdata_crds::v1alpha1::RunbookStep {
                id: "notify".into(),
                title: LocalizedText::both("Notify the agencies", "Beri tahu perangkat daerah"),
                ..Default::default()
            },
            pusdata_crds::v1alpha1::RunbookStep {
                id: "sign".into(),
                title: serde_json::from_str(r#"{"id":"Tanda tangani"}"#).unwrap(),
                ..Default::default()
            },
        ];
        let f = check(&p);
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["spec.runbook[0].title", "spec.runbook[2].title"]);
        assert!(
            f.iter()
                .all(|f| f.severity == Severity::Warn && f.rule == "DR-PLAN")
        );
        assert!(f[0].message.en.contains("one text for both languages"));
        assert!(f[1].message.en.contains("has no English"));
        assert!(f[1].message.id.contains("spec.runbook[2].title"));
        // A plain tier description is warned too; a missing one is not.
        p.spec.tiers[0].description = Some("Databases".into());
        assert_eq!(check(&p)[0].path, "spec.tiers[0].description");
        p.spec.tiers[0].description = None;
        assert_eq!(check(&p).len(), 2);
    }
}
