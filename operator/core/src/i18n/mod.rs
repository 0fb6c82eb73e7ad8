//! Messages in English and Bahasa Indonesia.
//!
//! Every user-facing sentence lives in the Fluent catalogue (`operator/core/i18n/{en,id}/*.ftl`)
//! and code refers to it by message ID: [`t!`](crate::t) renders a message in both languages
//! as a [`Text`], [`tr`] renders it in one. A [`Text`] carries both, so a finding or a report
//! line can be stored once and shown in either.

use serde::{Deserialize, Serialize};
use std::fmt;

mod catalogue;
pub mod format;
#[cfg(test)]
mod tests;

pub use catalogue::{AREAS, Arg, date, datetime, has, text, tr};
#[doc(hidden)]
pub use catalogue::{ArgOf, ViaDisplay, ViaInto};

/// A language Pusdata speaks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Bahasa Indonesia.
    Id,
}

impl Lang {
    /// Picks the language from a POSIX locale string such as `id_ID.UTF-8` or `en_US`.
    /// Anything that is not Indonesian falls back to English.
    pub fn from_locale(locale: &str) -> Lang {
        let l = locale.trim().to_ascii_lowercase();
        if l.starts_with("id") || l.starts_with("in_") {
            Lang::Id
        } else {
            Lang::En
        }
    }

    /// Parses `en` or `id` (as given to `--lang`).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Some(Lang::En),
            "id" | "in" | "indonesia" | "bahasa" => Some(Lang::Id),
            _ => None,
        }
    }
}

/// One sentence in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Text {
    /// English.
    pub en: String,
    /// Bahasa Indonesia.
    pub id: String,
}

impl Text {
    /// Builds a text from both languages.
    pub fn new(en: impl Into<String>, id: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            id: id.into(),
        }
    }

    /// The sentence in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

impl fmt::Display for Text {
    /// Shows both languages, English first: for places (events, logs) where the reader's
    /// language is unknown. The one place the two languages are joined; a reader whose
    /// language is known gets [`Text::get`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.en, self.id)
    }
}

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
