//! The written report of a drill, failover or failback (SEC-INCIDENT for failovers), as
//! self-contained HTML and as Markdown.
//!
//! A report is written in one language ([`render_in`]) or in both ([`render`], what the
//! controller files): the HTML then shows English by default and Bahasa Indonesia at `#id` (a
//! CSS `:target` switch, no script, both printed on paper), each half wholly in its language —
//! charts, step titles (from the plan's bilingual runbook, or the catalogue for generated
//! steps), dates and numbers. Every sentence comes from `operator/core/i18n/*/report.ftl`.
//! Tamper evidence (SEC-CIA): the SHA-256 of the HTML cannot sit inside the HTML
//! it hashes, so it goes into the Markdown's footer, a `report.html.sha256` sidecar and
//! `FailoverStatus.report.sha256`.
//!
//! Rendering is pure string building: the controller passes everything in, including the
//! time the report is generated.

pub mod charts;
pub mod compliance;
mod drill;
pub mod history;
pub mod style;

pub use compliance::Languages;
pub use drill::{html_section, md_section};

use jiff::Timestamp;
use pusdata_core::finding::Finding;
use pusdata_core::i18n::Lang;
use pusdata_core::t;
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, Failover};
use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// What a report is made of.
#[derive(Clone, Debug)]
pub struct ReportInput<'a> {
    /// The plan executed.
    pub plan: &'a DisasterRecoveryPlan,
    /// The execution, with its status.
    pub failover: &'a Failover,
    /// Plan-check findings at the time of the execution.
    pub findings: &'a [Finding],
    /// When the report is written.
    pub generated_at: Timestamp,
}

/// The rendered report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// `report.html`.
    pub html: String,
    /// `report.md`.
    pub markdown: String,
    /// Lower-case hex SHA-256 of `html` (the `report.html.sha256` sidecar).
    pub html_sha256: String,
}

/// Renders both documents with both languages (what the controller files).
pub fn render(input: &ReportInput<'_>) -> Rendered {
    render_in(input, Languages::Both)
}

/// Renders both documents in `langs`.
pub fn render_in(input: &ReportInput<'_>, langs: Languages) -> Rendered {
    let html = render_html(input, langs);
    let html_sha256 = sha256_hex(html.as_bytes());
    let markdown = render_markdown(input, langs, &html_sha256);
    Rendered {
        html,
        markdown,
        html_sha256,
    }
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

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

/// A point in time as the reader's language writes it (`6 Desember 2026 pukul 14.05.09 UTC`).
pub fn when(ts: Timestamp, lang: Lang) -> String {
    pusdata_core::i18n::format::datetime(ts, lang)
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Id => "id",
    }
}

/// The HTML document.
pub fn render_html(input: &ReportInput<'_>, langs: Languages) -> String {
    let name = input.failover.metadata.name.as_deref().unwrap_or_default();
    let mut h = String::new();
    let doc_lang = match langs {
        Languages::One(l) => lang_code(l),
        Languages::Both => "id",
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{doc_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — {}</title>\n<style>{}</style>\n</head>\n<body>\n",
        escape_html(&input.plan.spec.title),
        escape_html(name),
        style::CSS,
    );
    if langs == Languages::Both {
        h.push_str("<nav><a href=\"#en\">English</a><a href=\"#id\">Bahasa Indonesia</a></nav>\n");
    }
    for lang in langs.list() {
        drill::html_section(&mut h, input, lang, langs == Languages::Both);
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// The Markdown document, English first when both; the HTML's SHA-256 in the footer.
pub fn render_markdown(input: &ReportInput<'_>, langs: Languages, html_sha256: &str) -> String {
    let mut m = String::new();
    let mut order = langs.list();
    order.sort_by_key(|l| *l != Lang::En);
    for lang in &order {
        drill::md_section(&mut m, input, *lang);
    }
    m.push_str("---\n\n");
    for lang in order {
        let _ = writeln!(
            m,
            "{}  \n{}  ",
            t!("report-sha-md", sha = html_sha256).get(lang),
            t!(
                "report-generated",
                at = pusdata_core::i18n::datetime(input.generated_at)
            )
            .get(lang),
        );
    }
    m
}

#[cfg(test)]
mod tests;
