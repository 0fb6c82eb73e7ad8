//! The written report of a drill, failover or failback (SEC-INCIDENT for failovers), as
//! self-contained HTML and as Markdown.
//!
//! Both languages live in one document: the HTML shows English by default and Bahasa
//! Indonesia at `#id` (a CSS `:target` switch, no script, both printed on paper); the Markdown
//! has an English half and an Indonesian half. The timeline chart is language-neutral and
//! drawn once. Tamper evidence (SEC-CIA): the SHA-256 of the HTML cannot sit inside the HTML
//! it hashes, so it goes into the Markdown's footer, a `report.html.sha256` sidecar and
//! `FailoverStatus.report.sha256`.
//!
//! Rendering is pure string building: the controller passes everything in, including the
//! time the report is generated.

pub mod compliance;

use jiff::Timestamp;
use pusdata_core::dr;
use pusdata_core::duration;
use pusdata_core::finding::Finding;
use pusdata_core::i18n::{Lang, Text};
use pusdata_crds::v1alpha1::{
    DisasterRecoveryPlan, Failover, FailoverPhase, FailoverStatus, FailoverType, StepState,
    StepStatus, TierOutcome,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

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

/// Renders both documents.
pub fn render(input: &ReportInput<'_>) -> Rendered {
    let html = render_html(input);
    let html_sha256 = sha256_hex(html.as_bytes());
    let markdown = render_markdown(input, &html_sha256);
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

fn t(en: &str, id: &str, lang: Lang) -> String {
    Text::new(en, id).get(lang).to_string()
}

fn kind_name(kind: FailoverType, lang: Lang) -> String {
    match kind {
        FailoverType::Drill => t("Drill", "Latihan", lang),
        FailoverType::Failover => t("Failover", "Failover (alih ke DRC)", lang),
        FailoverType::Failback => t("Failback", "Failback (kembali ke pusat data utama)", lang),
    }
}

fn state_name(state: StepState, lang: Lang) -> String {
    let (en, id) = match state {
        StepState::Pending => ("pending", "menunggu giliran"),
        StepState::Running => ("running", "berjalan"),
        StepState::Waiting => ("waiting for a person", "menunggu petugas"),
        StepState::Succeeded => ("succeeded", "berhasil"),
        StepState::Failed => ("failed", "gagal"),
        StepState::Skipped => ("skipped", "dilewati"),
    };
    t(en, id, lang)
}

fn phase_name(phase: Option<FailoverPhase>, lang: Lang) -> String {
    let (en, id) = match phase {
        None | Some(FailoverPhase::Pending) => ("not started", "belum dimulai"),
        Some(FailoverPhase::Running) => ("running", "berjalan"),
        Some(FailoverPhase::WaitingForPerson) => ("waiting for a person", "menunggu petugas"),
        Some(FailoverPhase::Succeeded) => ("succeeded", "berhasil"),
        Some(FailoverPhase::Failed) => ("FAILED", "GAGAL"),
        Some(FailoverPhase::Cancelled) => ("cancelled", "dibatalkan"),
    };
    t(en, id, lang)
}

fn state_class(state: StepState) -> &'static str {
    match state {
        StepState::Pending => "s-pending",
        StepState::Running => "s-running",
        StepState::Waiting => "s-waiting",
        StepState::Succeeded => "s-succeeded",
        StepState::Failed => "s-failed",
        StepState::Skipped => "s-skipped",
    }
}

fn status(input: &ReportInput<'_>) -> FailoverStatus {
    input.failover.status.clone().unwrap_or_default()
}

/// The tier rows: the recorded outcomes, or computed from the steps when none are recorded.
fn tier_rows(input: &ReportInput<'_>) -> Vec<TierOutcome> {
    let st = status(input);
    if st.tiers.is_empty() {
        dr::tier_outcomes(input.plan, &st, &BTreeMap::new())
    } else {
        st.tiers
    }
}

fn secs(s: Option<u64>, lang: Lang) -> String {
    s.map(|s| duration::human(Duration::from_secs(s)))
        .unwrap_or_else(|| t("not measured", "tidak terukur", lang))
}

fn met(m: Option<bool>, lang: Lang) -> String {
    match m {
        Some(true) => t("met", "tercapai", lang),
        Some(false) => t("NOT met", "TIDAK tercapai", lang),
        None => t("unknown", "belum diketahui", lang),
    }
}

/// Times to the second, in UTC, as people read them in a report; the exact values stay in
/// the Failover's status.
fn time(ts: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>) -> String {
    ts.map(|t| t.0.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The SVG timeline: one bar per step, on a shared time axis, coloured by outcome. Steps not
/// started get a thin bar at the start, so the bar count always equals the step count.
pub fn timeline_svg(steps: &[StepStatus]) -> String {
    let starts = steps
        .iter()
        .filter_map(|s| s.started_at.as_ref().map(|t| t.0.as_second()));
    let ends = steps.iter().filter_map(|s| {
        s.finished_at
            .as_ref()
            .or(s.started_at.as_ref())
            .map(|t| t.0.as_second())
    });
    let t0 = starts.clone().min().unwrap_or(0);
    let t1 = ends.max().unwrap_or(t0).max(t0 + 1);
    let (label_w, chart_w, row_h) = (220.0, 640.0, 18.0);
    let height = row_h * steps.len() as f64 + 30.0;
    let scale = chart_w / (t1 - t0) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"timeline\">\n",
        w = label_w + chart_w + 10.0
    );
    for (i, s) in steps.iter().enumerate() {
        let y = row_h * i as f64 + 4.0;
        let start = s.started_at.as_ref().map(|t| t.0.as_second()).unwrap_or(t0);
        let end = s
            .finished_at
            .as_ref()
            .map(|t| t.0.as_second())
            .unwrap_or(start);
        let x = label_w + (start - t0) as f64 * scale;
        let w = ((end - start) as f64 * scale).max(2.0);
        let id = escape_html(&s.id);
        let _ = writeln!(
            svg,
            "<text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\">{id}</text><rect class=\"bar {cls}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\" data-step=\"{id}\"><title>{id}: {dur}</title></rect>",
            lx = label_w - 6.0,
            ty = y + 11.0,
            cls = state_class(s.state),
            h = row_h - 4.0,
            dur = duration::human(Duration::from_secs(u64::try_from(end - start).unwrap_or(0))),
        );
    }
    let axis_y = row_h * steps.len() as f64 + 20.0;
    let _ = writeln!(
        svg,
        "<text x=\"{label_w}\" y=\"{axis_y}\" font-size=\"10\">{}</text><text x=\"{end}\" y=\"{axis_y}\" font-size=\"10\" text-anchor=\"end\">+{}</text>",
        escape_html(
            &Timestamp::from_second(t0)
                .map(|t| t.to_string())
                .unwrap_or_default()
        ),
        duration::human(Duration::from_secs(u64::try_from(t1 - t0).unwrap_or(0))),
        end = label_w + chart_w,
    );
    svg.push_str("</svg>\n");
    svg
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:960px;margin:2em auto;color:#1b1b1b}\
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;font-size:14px}\
th{background:#eef}.lang{display:none}.lang:target{display:block}#en{display:block}#id:target~#en{display:none}\
nav a{margin-right:1em}.bar.s-succeeded{fill:#2e7d32}.bar.s-failed{fill:#c62828}.bar.s-skipped{fill:#9e9e9e}\
.bar.s-running{fill:#1565c0}.bar.s-waiting{fill:#f9a825}.bar.s-pending{fill:#e0e0e0}.notmet{color:#c62828;font-weight:bold}\
footer{margin-top:2em;font-size:12px;color:#555}@media print{.lang{display:block}nav{display:none}}";

/// The HTML document.
pub fn render_html(input: &ReportInput<'_>) -> String {
    let name = input.failover.metadata.name.as_deref().unwrap_or_default();
    let st = status(input);
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n<title>{} — {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape_html(&input.plan.spec.title),
        escape_html(name),
    );
    h.push_str("<nav><a href=\"#en\">English</a><a href=\"#id\">Bahasa Indonesia</a></nav>\n");
    let _ = writeln!(
        h,
        "<h2>Timeline / Lini waktu</h2>\n{}",
        timeline_svg(&st.steps)
    );
    // Indonesian first in the document so that `#id:target ~ #en` can hide English.
    for lang in [Lang::Id, Lang::En] {
        html_section(&mut h, input, lang);
    }
    let _ = write!(
        h,
        "<footer>{} {}</footer>\n</body>\n</html>\n",
        escape_html(&format!(
            "Generated by Pusdata at {} / Dibuat oleh Pusdata pada {}.",
            input.generated_at, input.generated_at
        )),
        escape_html(
            "SEC-CIA: the SHA-256 of this file is in report.html.sha256 and in the Failover's status.report.sha256 / SHA-256 berkas ini ada di report.html.sha256 dan di status.report.sha256 objek Failover."
        ),
    );
    h
}

fn html_section(h: &mut String, input: &ReportInput<'_>, lang: Lang) {
    let fo = input.failover;
    let st = status(input);
    let code = match lang {
        Lang::En => "en",
        Lang::Id => "id",
    };
    let _ = writeln!(h, "<section class=\"lang\" id=\"{code}\" lang=\"{code}\">");
    let title = match fo.spec.kind {
        FailoverType::Drill => t("DR drill report", "Laporan latihan pemulihan bencana", lang),
        _ => t(
            "Disaster recovery incident report",
            "Laporan insiden pemulihan bencana",
            lang,
        ),
    };
    let _ = writeln!(
        h,
        "<h1>{}: {}</h1>",
        escape_html(&title),
        escape_html(fo.metadata.name.as_deref().unwrap_or_default())
    );
    if fo.spec.kind != FailoverType::Drill {
        let _ = writeln!(
            h,
            "<p><strong>SEC-INCIDENT (Perda 30(4))</strong>: {}</p>",
            escape_html(&t(
                "this is the written report to the IT office after a serious failure.",
                "ini adalah laporan tertulis kepada Dinas setelah terjadi kegagalan serius.",
                lang
            ))
        );
    }
    let requested = fo
        .spec
        .requested_by
        .as_ref()
        .map(|r| format!("{} ({})", r.username, time(Some(&r.at))))
        .unwrap_or_else(|| "—".into());
    let rows = [
        (t("Plan", "Rencana", lang), input.plan.spec.title.clone()),
        (
            t("Plan document", "Dokumen rencana", lang),
            input
                .plan
                .spec
                .document
                .clone()
                .unwrap_or_else(|| "—".into()),
        ),
        (t("Type", "Jenis", lang), kind_name(fo.spec.kind, lang)),
        (
            t("Reason", "Alasan", lang),
            match lang {
                Lang::En => fo.spec.reason.en(),
                Lang::Id => fo.spec.reason.id(),
            }
            .to_string(),
        ),
        (t("Requested by", "Diminta oleh", lang), requested),
        (t("Outcome", "Hasil", lang), phase_name(st.phase, lang)),
        (
            t("Fencing epoch", "Epoch fencing", lang),
            st.epoch
                .map(|e| e.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (t("Started", "Mulai", lang), time(st.started_at.as_ref())),
        (
            t("Finished", "Selesai", lang),
            time(st.finished_at.as_ref()),
        ),
    ];
    h.push_str("<table>\n");
    for (k, v) in rows {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape_html(&k),
            escape_html(&v)
        );
    }
    h.push_str("</table>\n");

    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table class=\"tiers\">\n<tr><th>Tier</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape_html(&t("Objectives per tier", "Sasaran per tier", lang)),
        escape_html(&t("RPO target", "Target RPO", lang)),
        escape_html(&t("RPO achieved", "RPO tercapai", lang)),
        escape_html(&t("RTO target", "Target RTO", lang)),
        escape_html(&t("RTO achieved", "RTO tercapai", lang)),
        escape_html(&t("Result", "Hasil", lang)),
    );
    for o in tier_rows(input) {
        let cls = if o.met == Some(false) {
            " class=\"notmet\""
        } else {
            ""
        };
        let _ = writeln!(
            h,
            "<tr class=\"tier\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td{cls}>{}</td></tr>",
            escape_html(&o.tier),
            secs(Some(o.rpo_target_seconds), lang),
            escape_html(&secs(o.rpo_achieved_seconds, lang)),
            secs(Some(o.rto_target_seconds), lang),
            escape_html(&secs(o.rto_achieved_seconds, lang)),
            escape_html(&met(o.met, lang)),
        );
    }
    h.push_str("</table>\n");

    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table class=\"steps\">\n<tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape_html(&t("Steps", "Langkah", lang)),
        escape_html(&t("Step", "Langkah", lang)),
        escape_html(&t("State", "Status", lang)),
        escape_html(&t("Started", "Mulai", lang)),
        escape_html(&t("Finished", "Selesai", lang)),
        escape_html(&t("Attempts", "Percobaan", lang)),
        escape_html(&t("Note", "Catatan", lang)),
    );
    for (i, s) in st.steps.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td><code>{}</code><br>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            i + 1,
            escape_html(&s.id),
            escape_html(&s.action),
            escape_html(&state_name(s.state, lang)),
            escape_html(&time(s.started_at.as_ref())),
            escape_html(&time(s.finished_at.as_ref())),
            s.attempts.unwrap_or(0),
            escape_html(s.message.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</table>\n");

    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        escape_html(&t(
            "Approvals and sign-offs",
            "Persetujuan dan pengesahan",
            lang
        ))
    );
    let approved: Vec<_> = st
        .steps
        .iter()
        .filter(|s| s.approved_by.is_some())
        .collect();
    if approved.is_empty() {
        let _ = writeln!(
            h,
            "<p>{}</p>",
            escape_html(&t("None recorded.", "Tidak ada yang tercatat.", lang))
        );
    } else {
        h.push_str("<ul class=\"approvals\">\n");
        for s in approved {
            if let Some(who) = &s.approved_by {
                let _ = writeln!(
                    h,
                    "<li><code>{}</code> — {} ({})</li>",
                    escape_html(&s.id),
                    escape_html(&who.username),
                    escape_html(&who.at.0.to_string())
                );
            }
        }
        h.push_str("</ul>\n");
    }

    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        escape_html(&t(
            "Plan check findings",
            "Temuan pemeriksaan rencana",
            lang
        ))
    );
    if input.findings.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape_html(&t("None.", "Tidak ada.", lang)));
    } else {
        h.push_str("<ol class=\"findings\">\n");
        for f in input.findings {
            let _ = writeln!(h, "<li>{}</li>", escape_html(&f.line(lang)));
        }
        h.push_str("</ol>\n");
    }
    let _ = writeln!(
        h,
        "<p>{}</p>\n</section>",
        escape_html(&t(
            "Executed according to the written DRP (DR-PLAN, Perda 26(10)).",
            "Dilaksanakan sesuai DRP tertulis (DR-PLAN, Perda 26(10)).",
            lang
        ))
    );
}

/// The Markdown document: English, then Bahasa Indonesia; the HTML's SHA-256 in the footer.
pub fn render_markdown(input: &ReportInput<'_>, html_sha256: &str) -> String {
    let mut m = String::new();
    for lang in [Lang::En, Lang::Id] {
        md_section(&mut m, input, lang);
    }
    let _ = writeln!(
        m,
        "---\n\nSEC-CIA: SHA-256 report.html = `{html_sha256}`  \nGenerated by Pusdata at {} / Dibuat oleh Pusdata pada {}.",
        input.generated_at, input.generated_at
    );
    m
}

fn md_section(m: &mut String, input: &ReportInput<'_>, lang: Lang) {
    let fo = input.failover;
    let st = status(input);
    let heading = match (fo.spec.kind, lang) {
        (FailoverType::Drill, _) => t("DR drill report", "Laporan latihan pemulihan bencana", lang),
        _ => t(
            "Disaster recovery incident report",
            "Laporan insiden pemulihan bencana",
            lang,
        ),
    };
    let _ = writeln!(
        m,
        "# {} — {}\n",
        escape_md(&heading),
        escape_md(fo.metadata.name.as_deref().unwrap_or_default())
    );
    if fo.spec.kind != FailoverType::Drill {
        let _ = writeln!(
            m,
            "**SEC-INCIDENT (Perda 30(4))**: {}\n",
            t(
                "this is the written report to the IT office after a serious failure.",
                "ini adalah laporan tertulis kepada Dinas setelah terjadi kegagalan serius.",
                lang
            )
        );
    }
    let _ = writeln!(
        m,
        "- {}: {}\n- {}: {}\n- {}: {}\n- {}: {}\n- {}: {} → {}\n",
        t("Plan", "Rencana", lang),
        escape_md(&input.plan.spec.title),
        t("Type", "Jenis", lang),
        kind_name(fo.spec.kind, lang),
        t("Reason", "Alasan", lang),
        escape_md(match lang {
            Lang::En => fo.spec.reason.en(),
            Lang::Id => fo.spec.reason.id(),
        }),
        t("Outcome", "Hasil", lang),
        phase_name(st.phase, lang),
        t("Time", "Waktu", lang),
        time(st.started_at.as_ref()),
        time(st.finished_at.as_ref()),
    );
    let _ = writeln!(
        m,
        "| Tier | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
        t("RPO target", "Target RPO", lang),
        t("RPO achieved", "RPO tercapai", lang),
        t("RTO target", "Target RTO", lang),
        t("RTO achieved", "RTO tercapai", lang),
        t("Result", "Hasil", lang),
    );
    for o in tier_rows(input) {
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} | {} | {} |",
            escape_md(&o.tier),
            secs(Some(o.rpo_target_seconds), lang),
            secs(o.rpo_achieved_seconds, lang),
            secs(Some(o.rto_target_seconds), lang),
            secs(o.rto_achieved_seconds, lang),
            met(o.met, lang),
        );
    }
    let _ = writeln!(
        m,
        "\n| # | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
        t("Step", "Langkah", lang),
        t("State", "Status", lang),
        t("Started", "Mulai", lang),
        t("Finished", "Selesai", lang),
        t("Signed off by", "Disahkan oleh", lang),
    );
    for (i, s) in st.steps.iter().enumerate() {
        let _ = writeln!(
            m,
            "| {} | `{}` {} | {} | {} | {} | {} |",
            i + 1,
            s.id.replace(['`', '|'], ""),
            escape_md(&s.action),
            state_name(s.state, lang),
            time(s.started_at.as_ref()),
            time(s.finished_at.as_ref()),
            s.approved_by
                .as_ref()
                .map(|a| escape_md(&a.username))
                .unwrap_or_default(),
        );
    }
    if !input.findings.is_empty() {
        let _ = writeln!(
            m,
            "\n## {}\n",
            t("Plan check findings", "Temuan pemeriksaan rencana", lang)
        );
        for (i, f) in input.findings.iter().enumerate() {
            let _ = writeln!(m, "{}. {}", i + 1, escape_md(&f.line(lang)));
        }
    }
    m.push('\n');
}

#[cfg(test)]
mod tests;
