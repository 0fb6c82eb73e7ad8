//! Messages in English and Bahasa Indonesia.
//!
//! Every user-facing sentence lives in the Fluent catalogue (`operator/core/i18n/{en,id}/*.ftl`)
//! and code refers to it by message ID: [`t!`](crate::t) renders a message in both languages
//! as a [`Text`], [`tr`] renders it in one. A [`Text`] carries both, so a finding or a report
//! line can be stored once and shown in either.

mod catalogue;
pub mod format;
mod language;
mod macros;
#[cfg(test)]
mod tests;

pub use catalogue::{AREAS, Arg, date, datetime, has, text, tr};
#[doc(hidden)]
pub use catalogue::{ArgOf, ViaDisplay, ViaInto};
pub use language::{Lang, Text};

/// The catalogue of fixed messages of the CLI and the shell. Messages that carry data (rule
/// findings, placement reasons) are built by the module that decides them, also as [`Text`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// CRD files were written.
    CrdWritten {
        /// How many files.
        files: usize,
    },
    /// The committed CRD files match the types.
    CrdUpToDate,
    /// The committed CRD files differ from the types.
    CrdDrift {
        /// The file that differs.
        file: String,
    },
    /// A file could not be read or parsed.
    BadInput {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// An object passed every check.
    ObjectOk {
        /// `Kind/name`.
        object: String,
    },
    /// Totals of a policy check.
    PolicySummary {
        /// Objects checked.
        objects: usize,
        /// Denying findings.
        denied: usize,
        /// Warnings.
        warnings: usize,
    },
    /// A finding suppressed by an exception in force.
    Excepted {
        /// Rule ID.
        rule: String,
        /// Exception name.
        exception: String,
        /// Expiry (RFC 3339).
        expires_at: String,
    },
    /// A manifest broke one of its CRD's own schema rules.
    SchemaRule {
        /// The rule's message.
        message: String,
    },
}

impl Msg {
    /// The message in both languages.
    pub fn text(&self) -> Text {
        match self {
            Msg::CrdWritten { files } => crate::t!("cli-crd-written", files = files),
            Msg::CrdUpToDate => crate::t!("cli-crd-up-to-date"),
            Msg::CrdDrift { file } => crate::t!("cli-crd-drift", file = file),
            Msg::BadInput { file, reason } => {
                crate::t!("cli-bad-input", file = file, reason = reason)
            }
            Msg::ObjectOk { object } => crate::t!("cli-object-ok", object = object),
            Msg::PolicySummary {
                objects,
                denied,
                warnings,
            } => crate::t!(
                "cli-policy-summary",
                objects = objects,
                denied = denied,
                warnings = warnings
            ),
            Msg::Excepted {
                rule,
                exception,
                expires_at,
            } => crate::t!(
                "cli-excepted",
                rule = rule,
                exception = exception,
                expires = expires_at
            ),
            Msg::SchemaRule { message } => crate::t!("cli-schema-rule", message = message),
        }
    }

    /// The message in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        self.text().get(lang).to_string()
    }
}
