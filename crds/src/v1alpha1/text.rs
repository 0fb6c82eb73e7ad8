//! Texts a plan author writes in English and Bahasa Indonesia (runbook step titles, tier
//! descriptions, an execution's reason).
//!
//! A plain string stays valid and serves both languages, so plans written before the texts
//! became bilingual keep working; `pusdata plan check` warns about every text given in one
//! language only.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// A text in both languages (`{en: …, id: …}`), or one string used for both.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum LocalizedText {
    /// One text for both languages.
    Plain(String),
    /// A text per language; at least one of them.
    PerLanguage(LanguageTexts),
}

/// The per-language form of a [`LocalizedText`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct LanguageTexts {
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    /// Bahasa Indonesia.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Which languages a [`LocalizedText`] really has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextLanguages {
    /// Both `en` and `id`, non-empty.
    Both,
    /// A plain string: one text shown in both languages.
    Plain,
    /// Only English.
    OnlyEn,
    /// Only Bahasa Indonesia.
    OnlyId,
    /// Nothing written (an empty string or `{}`).
    Empty,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.trim().is_empty())
}

impl LocalizedText {
    /// A text per language.
    pub fn both(en: impl Into<String>, id: impl Into<String>) -> LocalizedText {
        LocalizedText::PerLanguage(LanguageTexts {
            en: Some(en.into()),
            id: Some(id.into()),
        })
    }

    /// The English text; the other one when only that was written.
    pub fn en(&self) -> &str {
        match self {
            LocalizedText::Plain(s) => s,
            LocalizedText::PerLanguage(t) => non_empty(&t.en).or(non_empty(&t.id)).unwrap_or(""),
        }
    }

    /// The Bahasa Indonesia text; the other one when only that was written.
    pub fn id(&self) -> &str {
        match self {
            LocalizedText::Plain(s) => s,
            LocalizedText::PerLanguage(t) => non_empty(&t.id).or(non_empty(&t.en)).unwrap_or(""),
        }
    }

    /// Whether the text, in either language, contains `pattern`.
    pub fn contains(&self, pattern: &str) -> bool {
        self.en().contains(pattern) || self.id().contains(pattern)
    }

    /// Which languages were written.
    pub fn languages(&self) -> TextLanguages {
        match self {
            LocalizedText::Plain(s) if s.trim().is_empty() => TextLanguages::Empty,
            LocalizedText::Plain(_) => TextLanguages::Plain,
            LocalizedText::PerLanguage(t) => match (non_empty(&t.en), non_empty(&t.id)) {
                (Some(_), Some(_)) => TextLanguages::Both,
                (Some(_), None) => TextLanguages::OnlyEn,
                (None, Some(_)) => TextLanguages::OnlyId,
                (None, None) => TextLanguages::Empty,
            },
        }
    }

    /// The shortest of the written texts, in characters (for "say why in a sentence" rules).
    pub fn shortest_len(&self) -> usize {
        match self {
            LocalizedText::Plain(s) => s.trim().chars().count(),
            LocalizedText::PerLanguage(t) => [non_empty(&t.en), non_empty(&t.id)]
                .into_iter()
                .flatten()
                .map(|s| s.trim().chars().count())
                .min()
                .unwrap_or(0),
        }
    }
}

const EXPECTED: &str = "a text: a string, or {en: <English>, id: <Bahasa Indonesia>}";

/// By hand rather than `untagged`: only a string or a map with `en`/`id` is a text (serde
/// would take a sequence as a struct), and a mistake names the expected form.
impl<'de> Deserialize<'de> for LocalizedText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = LocalizedText;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<LocalizedText, E> {
                Ok(LocalizedText::Plain(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<LocalizedText, E> {
                Ok(LocalizedText::Plain(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<LocalizedText, A::Error> {
                let mut t = LanguageTexts::default();
                while let Some(key) = map.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "en" => &mut t.en,
                        "id" => &mut t.id,
                        other => {
                            return Err(serde::de::Error::custom(format!(
                                "unknown language `{other}` in {EXPECTED}"
                            )));
                        }
                    };
                    if slot.is_some() {
                        return Err(serde::de::Error::custom(format!(
                            "language `{key}` given twice"
                        )));
                    }
                    *slot = Some(map.next_value::<String>()?);
                }
                Ok(LocalizedText::PerLanguage(t))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Default for LocalizedText {
    fn default() -> Self {
        LocalizedText::Plain(String::new())
    }
}

impl From<&str> for LocalizedText {
    fn from(s: &str) -> Self {
        LocalizedText::Plain(s.to_string())
    }
}

impl From<String> for LocalizedText {
    fn from(s: String) -> Self {
        LocalizedText::Plain(s)
    }
}

impl JsonSchema for LocalizedText {
    fn schema_name() -> Cow<'static, str> {
        "LocalizedText".into()
    }

    fn inline_schema() -> bool {
        true
    }

    /// A structural schema cannot say "string or object" (no `type` inside `anyOf`), so the
    /// node keeps whatever is written and the shape is checked where the object is read:
    /// deserialisation in the admission webhook and `pusdata plan check` refuse anything
    /// but a string or `{en, id}`. No CEL rule may look inside such a node.
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A text: a string used for both languages, or {en: <English>, id: <Bahasa Indonesia>}.",
            "x-kubernetes-preserve-unknown-fields": true
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_string_and_both_languages_deserialize() {
        let plain: LocalizedText = serde_json::from_str("\"Banjir\"").unwrap();
        assert_eq!(plain, LocalizedText::Plain("Banjir".into()));
        assert_eq!((plain.en(), plain.id()), ("Banjir", "Banjir"));
        assert_eq!(plain.languages(), TextLanguages::Plain);
        let both: LocalizedText = serde_json::from_str(r#"{"en":"Flood","id":"Banjir"}"#).unwrap();
        assert_eq!((both.en(), both.id()), ("Flood", "Banjir"));
        assert_eq!(both.languages(), TextLanguages::Both);
        let only_id: LocalizedText = serde_json::from_str(r#"{"id":"Banjir"}"#).unwrap();
        assert_eq!(only_id.languages(), TextLanguages::OnlyId);
        assert_eq!(only_id.en(), "Banjir", "falls back to the language written");
        // Round trip keeps the form.
        assert_eq!(
            serde_json::to_string(&both).unwrap(),
            r#"{"en":"Flood","id":"Banjir"}"#
        );
        assert_eq!(serde_json::to_string(&plain).unwrap(), "\"Banjir\"");
    }

    #[test]
    fn other_shapes_are_refused_with_the_expected_form() {
        for bad in [r#"{"en":"Flood","fr":"Inondation"}"#, "42", "[\"a\"]"] {
            let err = serde_json::from_str::<LocalizedText>(bad)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("{en: <English>, id: <Bahasa Indonesia>}"),
                "{bad}: {err}"
            );
        }
        let empty: LocalizedText = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.languages(), TextLanguages::Empty);
    }
}
