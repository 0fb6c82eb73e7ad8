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
mod input;
pub mod style;
pub mod text;

pub use drill::{html_section, md_section};
pub use input::ReportInput;
use text::lang_code;
pub use text::{Languages, dur, escape_html, escape_md, when};

use pusdata_core::i18n::Lang;
use pusdata_core::t;

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

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
pub(crate) mod tests;
