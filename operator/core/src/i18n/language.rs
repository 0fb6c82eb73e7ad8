//! The two languages and a sentence in both: the types every other part of `i18n` and the
//! crate builds on, kept apart so the catalogue can use them without importing its parent.

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

    /// Texts one after the other, each language with its own, `sep` between them (a note per
    /// tier, per volume or per check): the one place texts are put together.
    pub fn join(parts: &[Text], sep: &str) -> Text {
        let side = |f: fn(&Text) -> &str| parts.iter().map(f).collect::<Vec<_>>().join(sep);
        Text {
            en: side(|t| &t.en),
            id: side(|t| &t.id),
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
