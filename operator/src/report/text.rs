//! Text helpers every report part shares: escaping, and durations and times as the reader's
//! language writes them.

use jiff::Timestamp;
use pusdata_core::i18n::Lang;
use pusdata_core::t;

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell or line: no raw HTML, no column breaks.
pub fn escape_md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A duration as the reader's language writes it: `350 ms`, `12,5 detik`, `4 jam 5 menit`.
pub fn dur(secs: f64, lang: Lang) -> String {
    let secs = secs.max(0.0);
    let text = if secs < 1.0 {
        t!("report-dur-ms", ms = (secs * 1000.0).round() as i64)
    } else if secs < 60.0 {
        let s = if secs < 10.0 {
            (secs * 10.0).round() / 10.0
        } else {
            secs.round()
        };
        t!("report-dur-s", s = s)
    } else if secs < 3600.0 {
        let whole = secs.round() as i64;
        t!("report-dur-ms-s", m = whole / 60, s = whole % 60)
    } else if secs < 2.0 * 86_400.0 {
        let whole = (secs / 60.0).round() as i64;
        t!("report-dur-h-m", h = whole / 60, m = whole % 60)
    } else {
        let whole = (secs / 3600.0).round() as i64;
        t!("report-dur-d-h", d = whole / 24, h = whole % 24)
    };
    text.get(lang).to_string()
}

/// A round duration as short as it can be written (`1 min`, `10 h`, `14 d`), for axis ticks
/// and stated limits; any other duration as [`dur`] writes it.
pub fn dur_short(secs: f64, lang: Lang) -> String {
    let whole = secs.round() as i64;
    if secs < 60.0 || (secs - whole as f64).abs() > 1e-6 {
        return dur(secs, lang);
    }
    let text = if whole >= 2 * 86_400 && whole % 86_400 == 0 {
        t!("report-dur-d", d = whole / 86_400)
    } else if whole % 3600 == 0 {
        t!("report-dur-h", h = whole / 3600)
    } else if whole < 3600 && whole % 60 == 0 {
        t!("report-dur-min", m = whole / 60)
    } else {
        return dur(secs, lang);
    };
    text.get(lang).to_string()
}

/// A point in time as the reader's language writes it (`6 Desember 2026 pukul 14.05.09 UTC`).
pub fn when(ts: Timestamp, lang: Lang) -> String {
    pusdata_core::i18n::format::datetime(ts, lang)
}

/// Which languages a document carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Languages {
    /// One language.
    One(Lang),
    /// Both, Bahasa Indonesia reachable at `#id`.
    Both,
}

impl Languages {
    /// The languages in document order.
    pub fn list(self) -> Vec<Lang> {
        match self {
            Languages::One(l) => vec![l],
            // Indonesian first so that `#id:target ~ #en` can hide English.
            Languages::Both => vec![Lang::Id, Lang::En],
        }
    }

    /// The `lang` attribute of the whole document.
    pub fn code(self) -> &'static str {
        match self {
            Languages::One(l) => lang_code(l),
            Languages::Both => "id",
        }
    }
}

/// The `lang` attribute of an element in `lang`.
pub(crate) fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Id => "id",
    }
}
