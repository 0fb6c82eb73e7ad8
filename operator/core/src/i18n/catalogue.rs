//! The message catalogue: Project Fluent files, one per area and language, under
//! `operator/core/i18n/{en,id}/`. They are compiled in, so the binary needs no data files and
//! a translator edits `.ftl` text, not Rust.

use super::format;
use super::language::{Lang, Text};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

macro_rules! areas {
    ($($area:literal),* $(,)?) => {
        /// Every catalogue file: `(area, English source, Indonesian source)`. A new area is
        /// one line here plus its two files (a test fails if a file is not listed).
        pub const AREAS: &[(&str, &str, &str)] = &[
            $((
                $area,
                include_str!(concat!("../../i18n/en/", $area, ".ftl")),
                include_str!(concat!("../../i18n/id/", $area, ".ftl")),
            )),*
        ];
    };
}

areas!(
    "common",
    "cli",
    "shell",
    "policy",
    "placement",
    "hosting",
    "dr",
    "repository",
    "compliance",
    "report",
    "rules",
);

/// One value given to a message. Numbers are formatted per language, a [`Text`] argument is
/// shown in the language being rendered, and dates are written out per language.
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// Shown as is.
    Str(String),
    /// A count or figure (selects plurals; `1.234` / `1,234`). Pass identifiers that happen
    /// to be numbers (ports, years, IDs) as strings so they are not grouped.
    Int(i64),
    /// A measurement (`1.234,5` / `1,234.5`).
    Float(f64),
    /// A sentence already in both languages.
    Text(Text),
    /// A calendar date (`6 Desember 2026` / `6 December 2026`).
    Date(jiff::civil::Date),
    /// An instant, in UTC (`6 Desember 2026 pukul 14.05.09 UTC`).
    DateTime(jiff::Timestamp),
}

/// A calendar date as a message argument: `6 Desember 2026` / `6 December 2026`.
pub fn date(d: jiff::civil::Date) -> Arg {
    Arg::Date(d)
}

/// An instant as a message argument, written in UTC.
pub fn datetime(t: jiff::Timestamp) -> Arg {
    Arg::DateTime(t)
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Str(s.to_string())
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Str(s)
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Str(s.clone())
    }
}
impl From<&&str> for Arg {
    fn from(s: &&str) -> Arg {
        Arg::Str((*s).to_string())
    }
}
impl From<std::borrow::Cow<'_, str>> for Arg {
    fn from(s: std::borrow::Cow<'_, str>) -> Arg {
        Arg::Str(s.into_owned())
    }
}
impl From<Text> for Arg {
    fn from(t: Text) -> Arg {
        Arg::Text(t)
    }
}
impl From<&Text> for Arg {
    fn from(t: &Text) -> Arg {
        Arg::Text(t.clone())
    }
}
impl From<jiff::civil::Date> for Arg {
    fn from(d: jiff::civil::Date) -> Arg {
        Arg::Date(d)
    }
}
impl From<jiff::Timestamp> for Arg {
    fn from(t: jiff::Timestamp) -> Arg {
        Arg::DateTime(t)
    }
}
impl From<f64> for Arg {
    fn from(v: f64) -> Arg {
        Arg::Float(v)
    }
}
impl From<&f64> for Arg {
    fn from(v: &f64) -> Arg {
        Arg::Float(*v)
    }
}
impl From<f32> for Arg {
    fn from(v: f32) -> Arg {
        Arg::Float(f64::from(v))
    }
}

macro_rules! int_args {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            #[allow(clippy::cast_possible_wrap, clippy::cast_lossless)]
            fn from(v: $t) -> Arg {
                Arg::Int(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        impl From<&$t> for Arg {
            fn from(v: &$t) -> Arg {
                Arg::from(*v)
            }
        }
    )*};
}
int_args!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl Arg {
    fn to_fluent(&self, lang: Lang) -> FluentValue<'static> {
        match self {
            Arg::Str(s) => FluentValue::from(s.clone()),
            // f64 holds every count Pusdata shows exactly (< 2^53).
            #[allow(clippy::cast_precision_loss)]
            Arg::Int(i) => FluentValue::from(*i as f64),
            Arg::Float(f) => FluentValue::from(*f),
            Arg::Text(t) => FluentValue::from(t.get(lang).to_string()),
            Arg::Date(d) => FluentValue::from(format::date(*d, lang)),
            Arg::DateTime(t) => FluentValue::from(format::datetime(*t, lang)),
        }
    }
}

type Bundle = FluentBundle<FluentResource>;

fn number_en<M>(v: &FluentValue, _: &M) -> Option<String> {
    match v {
        FluentValue::Number(n) => Some(format::number(n, Lang::En)),
        _ => None,
    }
}

fn number_id<M>(v: &FluentValue, _: &M) -> Option<String> {
    match v {
        FluentValue::Number(n) => Some(format::number(n, Lang::Id)),
        _ => None,
    }
}

fn build(lang: Lang) -> Bundle {
    let tag = match lang {
        Lang::En => "en",
        Lang::Id => "id",
    };
    let mut bundle = Bundle::new_concurrent(vec![tag.parse().unwrap_or_default()]);
    // Plain text: terminals, YAML status and HTML reports have no use for bidi isolation marks.
    bundle.set_use_isolating(false);
    match lang {
        Lang::En => bundle.set_formatter(Some(number_en)),
        Lang::Id => bundle.set_formatter(Some(number_id)),
    }
    // NUMBER() for fraction digits and grouping; a failure only means it was already there.
    let _ = bundle.add_builtins();
    for (_, en, id) in AREAS {
        let source = match lang {
            Lang::En => en,
            Lang::Id => id,
        };
        // A syntax error keeps the rest of the file usable; the catalogue tests reject it.
        let resource = FluentResource::try_new((*source).to_string()).unwrap_or_else(|(r, _)| r);
        // Duplicate IDs keep the first one; the catalogue tests reject duplicates.
        let _ = bundle.add_resource(resource);
    }
    bundle
}

static EN: LazyLock<Bundle> = LazyLock::new(|| build(Lang::En));
static ID: LazyLock<Bundle> = LazyLock::new(|| build(Lang::Id));

fn bundle(lang: Lang) -> &'static Bundle {
    match lang {
        Lang::En => &EN,
        Lang::Id => &ID,
    }
}

/// The message `id` in `lang`. An unknown ID renders as the ID itself (the catalogue tests
/// catch it before a user can); a missing argument renders as `{$name}`.
pub fn tr(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = bundle(lang);
    let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_string();
    };
    let mut fargs = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        fargs.set(*name, value.to_fluent(lang));
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fargs), &mut errors)
        .into_owned()
}

/// The message `id` in both languages. What [`t!`](crate::t) expands to.
pub fn text(id: &str, args: &[(&str, Arg)]) -> Text {
    Text {
        en: tr(Lang::En, id, args),
        id: tr(Lang::Id, id, args),
    }
}

/// Whether the catalogue of `lang` has the message `id`.
pub fn has(lang: Lang, id: &str) -> bool {
    bundle(lang).has_message(id)
}

/// Lets [`t!`](crate::t) take any value: one that converts into [`Arg`] keeps its kind
/// (numbers stay numbers for plurals and per-language formatting), anything else that is
/// `Display` (errors, paths, quantities) is shown as its text. Autoref specialisation: the
/// macro calls `(&&ArgOf(v)).into_arg()` and method lookup tries the `Into<Arg>` impl first.
#[doc(hidden)]
pub struct ArgOf<T>(pub T);

#[doc(hidden)]
pub trait ViaInto {
    fn into_arg(self) -> Arg;
}

impl<T: Into<Arg> + Clone> ViaInto for &&ArgOf<T> {
    fn into_arg(self) -> Arg {
        self.0.clone().into()
    }
}

#[doc(hidden)]
pub trait ViaDisplay {
    fn into_arg(self) -> Arg;
}

impl<T: std::fmt::Display> ViaDisplay for &ArgOf<T> {
    fn into_arg(self) -> Arg {
        Arg::Str(self.0.to_string())
    }
}
