//! Messages in English and Bahasa Indonesia.
//!
//! Every user-facing sentence exists in both languages. A [`Text`] carries both, so a
//! finding or a report line can be stored once and shown in either.

use serde::{Deserialize, Serialize};
use std::fmt;

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
    /// language is unknown.
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
            Msg::CrdWritten { files } => Text::new(
                format!("wrote {files} generated files (CRDs, API reference, rules table)"),
                format!("{files} berkas hasil generate ditulis (CRD, referensi API, tabel aturan)"),
            ),
            Msg::CrdUpToDate => Text::new(
                "committed generated files match the Rust types",
                "berkas hasil generate yang di-commit sesuai dengan tipe Rust",
            ),
            Msg::CrdDrift { file } => Text::new(
                format!("{file} differs from the Rust types; run `pusdata crd --write`"),
                format!("{file} berbeda dari tipe Rust; jalankan `pusdata crd --write`"),
            ),
            Msg::BadInput { file, reason } => Text::new(
                format!("cannot read {file}: {reason}"),
                format!("tidak dapat membaca {file}: {reason}"),
            ),
            Msg::ObjectOk { object } => {
                Text::new(format!("{object}: ok"), format!("{object}: sesuai"))
            }
            Msg::PolicySummary {
                objects,
                denied,
                warnings,
            } => Text::new(
                format!("{objects} objects checked: {denied} denied, {warnings} warnings"),
                format!("{objects} objek diperiksa: {denied} ditolak, {warnings} peringatan"),
            ),
            Msg::Excepted {
                rule,
                exception,
                expires_at,
            } => Text::new(
                format!("{rule} excepted by {exception} until {expires_at}"),
                format!("{rule} dikecualikan oleh {exception} sampai {expires_at}"),
            ),
            Msg::SchemaRule { message } => Text::new(
                format!("the API server would reject this object: {message}"),
                format!("server API akan menolak objek ini: {message}"),
            ),
        }
    }

    /// The message in `lang`.
    pub fn in_lang(&self, lang: Lang) -> String {
        self.text().get(lang).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_indonesian_only_for_indonesian() {
        assert_eq!(Lang::from_locale("id_ID.UTF-8"), Lang::Id);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale(""), Lang::En);
        assert_eq!(Lang::parse("ID"), Some(Lang::Id));
        assert_eq!(Lang::parse("fr"), None);
    }

    #[test]
    fn every_catalogue_message_has_both_languages_and_they_differ() {
        let all = [
            Msg::CrdWritten { files: 12 },
            Msg::CrdUpToDate,
            Msg::CrdDrift {
                file: "x.yaml".into(),
            },
            Msg::BadInput {
                file: "a".into(),
                reason: "b".into(),
            },
            Msg::ObjectOk {
                object: "Site/x".into(),
            },
            Msg::PolicySummary {
                objects: 3,
                denied: 1,
                warnings: 0,
            },
            Msg::Excepted {
                rule: "CLOUD-NKRI".into(),
                exception: "e".into(),
                expires_at: "t".into(),
            },
            Msg::SchemaRule {
                message: "m".into(),
            },
        ];
        for m in all {
            let t = m.text();
            assert!(!t.en.is_empty() && !t.id.is_empty(), "{m:?}");
            assert_ne!(t.en, t.id, "{m:?} is not translated");
        }
    }
}
