//! A finding: one rule broken (or nearly broken) by one object, with where and how to fix it.
//! The policy engine, the plan checker and the placement engine all speak in findings.

use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information only.
    Info,
    /// Admitted, but shown as an admission warning and in reports.
    Warn,
    /// Denied in `Enforce` mode.
    Deny,
}

impl Severity {
    /// `deny`, `warn` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Deny => "deny",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule ID from the regulations table, e.g. `DR-FAR`.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Field path inside the object, e.g. `spec.coordinates`.
    pub path: String,
    /// What is wrong, in both languages.
    pub message: Text,
    /// How to fix it, in both languages.
    pub hint: Text,
}

impl Finding {
    /// A denying finding.
    pub fn deny(rule: &str, path: &str, message: Text, hint: Text) -> Finding {
        Finding {
            rule: rule.to_string(),
            severity: Severity::Deny,
            path: path.to_string(),
            message,
            hint,
        }
    }

    /// A warning.
    pub fn warn(rule: &str, path: &str, message: Text, hint: Text) -> Finding {
        Finding {
            severity: Severity::Warn,
            ..Finding::deny(rule, path, message, hint)
        }
    }

    /// One line for people: `[DENY] DR-FAR (Perda 26(11)) spec.city: …`.
    pub fn line(&self, lang: Lang) -> String {
        let source = crate::rules::rule(&self.rule)
            .map(|r| format!(" ({})", r.source))
            .unwrap_or_default();
        format!(
            "[{}] {}{} {}: {} — {}",
            self.severity.as_str().to_ascii_uppercase(),
            self.rule,
            source,
            self.path,
            self.message.get(lang),
            self.hint.get(lang)
        )
    }

    /// The finding as stored in an object's status.
    pub fn summary(&self) -> pusdata_crds::v1alpha1::FindingSummary {
        pusdata_crds::v1alpha1::FindingSummary {
            rule: self.rule.clone(),
            severity: self.severity.as_str().to_string(),
            path: Some(self.path.clone()),
            message: self.message.en.clone(),
            message_id: Some(self.message.id.clone()),
        }
    }
}
