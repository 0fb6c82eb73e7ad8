//! The compliance report (AUDIT) as HTML with SVG charts and as Markdown, from the pure
//! [`pusdata_core::compliance::Report`]. Both languages in one HTML document (the same `#id`
//! switch as the drill report), or one language when asked.

use super::text::{escape_html, escape_md};
use pusdata_core::compliance::{Report, RuleReport, Status};
use pusdata_core::duration;
use pusdata_core::finding::Severity;
use pusdata_core::i18n::{Lang, Text};
use std::fmt::Write as _;
use std::time::Duration;

fn t(en: &str, id: &str, lang: Lang) -> String {
    Text::new(en, id).get(lang).to_string()
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::Compliant => "ok",
        Status::Findings => "bad",
        Status::NotChecked => "manual",
    }
}

fn standing(r: &RuleReport) -> usize {
    r.findings
        .iter()
        .filter(|f| f.severity > Severity::Info)
        .count()
}

/// Horizontal bars: standing findings per rule (all 20 rules, zero bars included).
pub fn findings_svg(report: &Report) -> String {
    let (label_w, chart_w, row_h) = (120.0, 420.0, 16.0);
    let max = report.rules.iter().map(standing).max().unwrap_or(0).max(1) as f64;
    let height = row_h * report.rules.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart findings\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"findings per rule\">\n",
        w = label_w + chart_w + 40.0
    );
    for (i, r) in report.rules.iter().enumerate() {
        let n = standing(r);
        let y = row_h * i as f64 + 2.0;
        let w = (n as f64 / max * chart_w).max(if n > 0 { 2.0 } else { 0.0 });
        let id = escape_html(&r.id);
        let _ = writeln!(
            svg,
            "<text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\">{id}</text><rect class=\"bar {cls}\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\" data-rule=\"{id}\"><title>{id}: {n}</title></rect><text x=\"{nx:.1}\" y=\"{ty:.1}\" font-size=\"11\">{n}</text>",
            lx = label_w - 6.0,
            ty = y + 11.0,
            cls = status_class(r.status),
            h = row_h - 4.0,
            nx = label_w + w + 4.0,
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Achieved RPO and RTO against their targets, per plan and tier, as a share of the target
/// (the line at 100 % is the target; bars past it are objectives missed).
pub fn objectives_svg(report: &Report) -> String {
    let rows: Vec<(String, &'static str, Option<u64>, u64)> = report
        .drills
        .iter()
        .flat_map(|d| {
            d.tiers.iter().flat_map(move |tier| {
                let label = format!("{} {}", d.plan, tier.tier);
                [
                    (
                        label.clone(),
                        "RPO",
                        tier.rpo_achieved_seconds,
                        tier.rpo_target_seconds,
                    ),
                    (
                        label,
                        "RTO",
                        tier.rto_achieved_seconds,
                        tier.rto_target_seconds,
                    ),
                ]
            })
        })
        .collect();
    let (label_w, chart_w, row_h) = (260.0, 360.0, 16.0);
    // The axis goes to 200 % of the target; longer bars are clipped and marked.
    let scale = chart_w / 2.0;
    let height = row_h * rows.len().max(1) as f64 + 24.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart objectives\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"RPO and RTO against target\">\n",
        w = label_w + chart_w + 60.0
    );
    for (i, (label, what, achieved, target)) in rows.iter().enumerate() {
        let y = row_h * i as f64 + 2.0;
        let ratio = match (achieved, target) {
            (Some(a), t) if *t > 0 => Some(*a as f64 / *t as f64),
            _ => None,
        };
        let w = ratio.map_or(0.0, |r| (r.min(2.0) * scale).max(2.0));
        let cls = match ratio {
            Some(r) if r > 1.0 => "bad",
            Some(_) => "ok",
            None => "manual",
        };
        let shown = ratio.map_or_else(|| "—".to_string(), |r| format!("{:.0} %", r * 100.0));
        let title = format!(
            "{label} {what}: {} / {}",
            achieved
                .map(|a| duration::human(Duration::from_secs(a)))
                .unwrap_or_else(|| "—".into()),
            duration::human(Duration::from_secs(*target))
        );
        let _ = writeln!(
            svg,
            "<text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\">{l} {what}</text><rect class=\"bar {cls}\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\" data-objective=\"{what}\"><title>{title}</title></rect><text x=\"{nx:.1}\" y=\"{ty:.1}\" font-size=\"11\">{shown}</text>",
            lx = label_w - 6.0,
            ty = y + 11.0,
            l = escape_html(label),
            h = row_h - 4.0,
            nx = label_w + w + 4.0,
            title = escape_html(&title),
        );
    }
    let bottom = row_h * rows.len().max(1) as f64 + 4.0;
    let _ = writeln!(
        svg,
        "<line class=\"target\" x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{bottom}\" stroke=\"#333\" stroke-dasharray=\"4 3\"/><text x=\"{x}\" y=\"{ty}\" font-size=\"10\" text-anchor=\"middle\">100 %</text>",
        x = label_w + scale,
        ty = bottom + 14.0,
    );
    svg.push_str("</svg>\n");
    svg
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#1b1b1b}\
table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;font-size:14px;vertical-align:top}\
th{background:#eef}.lang{display:none}.lang:target{display:block}#en{display:block}#id:target~#en{display:none}\
nav a{margin-right:1em}.bar.ok{fill:#2e7d32}.bar.bad{fill:#c62828}.bar.manual{fill:#9e9e9e}\
td.ok{color:#2e7d32;font-weight:bold}td.bad{color:#c62828;font-weight:bold}td.manual{color:#555}\
.expired{color:#c62828;font-weight:bold}footer{margin-top:2em;font-size:12px;color:#555}\
@media print{.lang{display:block}nav{display:none}}";

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
}

fn code(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Id => "id",
    }
}

fn secs(s: Option<u64>, lang: Lang) -> String {
    s.map(|s| duration::human(Duration::from_secs(s)))
        .unwrap_or_else(|| t("not measured", "tidak terukur", lang))
}

/// The HTML document.
pub fn render_html(report: &Report, langs: Languages) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>Pusdata — compliance report / laporan kepatuhan</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        match langs {
            Languages::One(l) => code(l),
            Languages::Both => "id",
        }
    );
    if langs == Languages::Both {
        h.push_str("<nav><a href=\"#en\">English</a><a href=\"#id\">Bahasa Indonesia</a></nav>\n");
    }
    let _ = writeln!(
        h,
        "<h2>Findings per rule / Temuan per aturan</h2>\n{}\n<h2>RPO / RTO vs target / terhadap target</h2>\n{}",
        findings_svg(report),
        objectives_svg(report)
    );
    for lang in langs.list() {
        html_section(&mut h, report, lang);
    }
    let _ = write!(
        h,
        "<footer>{}</footer>\n</body>\n</html>\n",
        escape_html(&format!(
            "Generated by Pusdata at {} / Dibuat oleh Pusdata pada {} (schema {}).",
            report.generated_at, report.generated_at, report.schema_version
        )),
    );
    h
}

fn html_section(h: &mut String, report: &Report, lang: Lang) {
    let c = code(lang);
    let s = &report.summary;
    let _ = writeln!(
        h,
        "<section class=\"lang\" id=\"{c}\" lang=\"{c}\">\n<h1>{}</h1>\n<p>{}</p>",
        escape_html(&t(
            "Compliance report (AUDIT, Perda 43-45)",
            "Laporan kepatuhan (AUDIT, Perda 43-45)",
            lang
        )),
        escape_html(Text::new(
            format!(
                "{} rules: {} compliant, {} with findings, {} not checked automatically. {} objects read; {} denying and {} warning findings; {} expired exception(s).",
                s.rules, s.compliant, s.with_findings, s.not_checked, s.objects, s.deny, s.warn, s.expired_exceptions
            ),
            format!(
                "{} aturan: {} patuh, {} ada temuan, {} tidak diperiksa otomatis. {} objek dibaca; {} temuan tolak dan {} peringatan; {} pengecualian kedaluwarsa.",
                s.rules, s.compliant, s.with_findings, s.not_checked, s.objects, s.deny, s.warn, s.expired_exceptions
            ),
        ).get(lang)),
    );
    let _ = writeln!(
        h,
        "<table class=\"rules\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape_html(&t("Rule", "Aturan", lang)),
        escape_html(&t("Article", "Pasal", lang)),
        escape_html(&t("Requirement", "Ketentuan", lang)),
        escape_html(&t("What is checked", "Yang diperiksa", lang)),
        escape_html(&t("Status", "Status", lang)),
    );
    for r in &report.rules {
        let mut status = r.status.text().get(lang).to_string();
        if let Some(why) = &r.not_checked_because {
            status = format!("{status}: {}", why.get(lang));
        } else if r.status == Status::Findings {
            status = format!("{status} ({})", standing(r));
        }
        let _ = writeln!(
            h,
            "<tr class=\"rule\" id=\"{c}-{id}\"><td><code>{id}</code></td><td>{}</td><td>{}</td><td>{} <small>({} {})</small></td><td class=\"{}\">{}</td></tr>",
            escape_html(&r.source),
            escape_html(r.requirement.get(lang)),
            escape_html(r.checked.get(lang)),
            r.objects_checked,
            escape_html(&t("objects", "objek", lang)),
            status_class(r.status),
            escape_html(&status),
            id = escape_html(&r.id),
        );
    }
    h.push_str("</table>\n");

    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        escape_html(&t("Findings", "Temuan", lang))
    );
    let any =
        report.rules.iter().any(|r| !r.findings.is_empty()) || !report.other_findings.is_empty();
    if any {
        h.push_str("<table class=\"findings\">\n");
        let _ = writeln!(
            h,
            "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            escape_html(&t("Rule", "Aturan", lang)),
            escape_html(&t("Object", "Objek", lang)),
            escape_html(&t("Finding", "Temuan", lang)),
            escape_html(&t("How to fix", "Cara memperbaiki", lang)),
        );
        let rows = report
            .rules
            .iter()
            .flat_map(|r| r.findings.iter().map(move |f| (r.id.as_str(), f)))
            .chain(report.other_findings.iter().map(|f| ("CRD-SCHEMA", f)));
        for (rule, f) in rows {
            let _ = writeln!(
                h,
                "<tr class=\"finding\"><td><code>{}</code> {}</td><td>{}<br><small>{}</small></td><td>{}</td><td>{}</td></tr>",
                escape_html(rule),
                f.severity.as_str().to_ascii_uppercase(),
                escape_html(&f.object),
                escape_html(&f.source),
                escape_html(&format!("{} {}", f.path, f.message.get(lang))),
                escape_html(f.hint.get(lang)),
            );
        }
        h.push_str("</table>\n");
    } else {
        let _ = writeln!(h, "<p>{}</p>", escape_html(&t("None.", "Tidak ada.", lang)));
    }

    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        escape_html(&t("Exceptions", "Pengecualian", lang))
    );
    if report.exceptions.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape_html(&t("None.", "Tidak ada.", lang)));
    } else {
        let _ = writeln!(
            h,
            "<table class=\"exceptions\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            escape_html(&t("Exception", "Pengecualian", lang)),
            escape_html(&t("Rule", "Aturan", lang)),
            escape_html(&t("Object", "Objek", lang)),
            escape_html(&t("Reason and ticket", "Alasan dan tiket", lang)),
            escape_html(&t("Approved by", "Disetujui oleh", lang)),
            escape_html(&t("Expires", "Berakhir", lang)),
        );
        for e in &report.exceptions {
            let expiry = if e.expired {
                format!(
                    "<span class=\"expired\">{} {}</span>",
                    escape_html(&t("EXPIRED", "KEDALUWARSA", lang)),
                    escape_html(&e.expires_at)
                )
            } else {
                escape_html(&e.expires_at)
            };
            let _ = writeln!(
                h,
                "<tr class=\"exception\"><td>{}<br><small>{}</small></td><td><code>{}</code></td><td>{}</td><td>{} ({})</td><td>{}</td><td>{expiry}</td></tr>",
                escape_html(&e.name),
                escape_html(&e.policy),
                escape_html(&e.rule),
                escape_html(&e.target),
                escape_html(&e.reason),
                escape_html(&e.ticket),
                escape_html(&e.approved_by),
            );
        }
        h.push_str("</table>\n");
    }

    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table class=\"drills\">\n<tr><th>{}</th><th>{}</th><th>Tier</th><th>RPO</th><th>RTO</th><th>{}</th></tr>",
        escape_html(&t(
            "Last drill per plan",
            "Latihan terakhir per rencana",
            lang
        )),
        escape_html(&t("Plan", "Rencana", lang)),
        escape_html(&t("Drill", "Latihan", lang)),
        escape_html(&t("Result", "Hasil", lang)),
    );
    for d in &report.drills {
        let drill = match &d.drill {
            Some(n) => format!(
                "{n} — {} ({} → {})",
                d.phase.as_deref().unwrap_or("—"),
                d.started_at.as_deref().unwrap_or("—"),
                d.finished_at.as_deref().unwrap_or("—")
            ),
            None => t("no drill recorded", "belum ada latihan tercatat", lang),
        };
        if d.tiers.is_empty() {
            let _ = writeln!(
                h,
                "<tr class=\"drill\"><td>{}</td><td>{}</td><td>—</td><td>—</td><td>—</td><td>—</td></tr>",
                escape_html(&d.plan),
                escape_html(&drill)
            );
        }
        for tier in &d.tiers {
            let (cls, result) = match tier.met {
                Some(true) => ("ok", t("met", "tercapai", lang)),
                Some(false) => ("bad", t("NOT met", "TIDAK tercapai", lang)),
                None => ("manual", t("unknown", "belum diketahui", lang)),
            };
            let _ = writeln!(
                h,
                "<tr class=\"drill\"><td>{}</td><td>{}</td><td>{}</td><td>{} / {}</td><td>{} / {}</td><td class=\"{cls}\">{}</td></tr>",
                escape_html(&d.plan),
                escape_html(&drill),
                escape_html(&tier.tier),
                escape_html(&secs(tier.rpo_achieved_seconds, lang)),
                secs(Some(tier.rpo_target_seconds), lang),
                escape_html(&secs(tier.rto_achieved_seconds, lang)),
                secs(Some(tier.rto_target_seconds), lang),
                escape_html(&result),
            );
        }
    }
    h.push_str("</table>\n</section>\n");
}

/// The Markdown document, one section per language.
pub fn render_markdown(report: &Report, langs: Languages) -> String {
    let mut m = String::new();
    let mut order = langs.list();
    order.sort_by_key(|l| *l != Lang::En);
    for lang in order {
        let s = &report.summary;
        let _ = writeln!(
            m,
            "# {}\n\n{}\n",
            t(
                "Compliance report (AUDIT, Perda 43-45)",
                "Laporan kepatuhan (AUDIT, Perda 43-45)",
                lang
            ),
            t(
                &format!(
                    "{} rules: {} compliant, {} with findings, {} not checked automatically; {} expired exception(s).",
                    s.rules, s.compliant, s.with_findings, s.not_checked, s.expired_exceptions
                ),
                &format!(
                    "{} aturan: {} patuh, {} ada temuan, {} tidak diperiksa otomatis; {} pengecualian kedaluwarsa.",
                    s.rules, s.compliant, s.with_findings, s.not_checked, s.expired_exceptions
                ),
                lang
            )
        );
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            t("Rule", "Aturan", lang),
            t("Article", "Pasal", lang),
            t("What is checked", "Yang diperiksa", lang),
            t("Status", "Status", lang),
        );
        for r in &report.rules {
            let why = r
                .not_checked_because
                .as_ref()
                .map(|w| format!(": {}", w.get(lang)))
                .unwrap_or_default();
            let _ = writeln!(
                m,
                "| {} | {} | {} | {}{} |",
                r.id,
                escape_md(&r.source),
                escape_md(r.checked.get(lang)),
                r.status.text().get(lang),
                escape_md(&why),
            );
        }
        let findings: Vec<_> = report
            .rules
            .iter()
            .flat_map(|r| r.findings.iter().map(move |f| (r.id.as_str(), f)))
            .collect();
        if !findings.is_empty() {
            let _ = writeln!(m, "\n## {}\n", t("Findings", "Temuan", lang));
            for (i, (rule, f)) in findings.iter().enumerate() {
                let _ = writeln!(
                    m,
                    "{}. [{}] {} — {}: {} {}",
                    i + 1,
                    f.severity.as_str().to_ascii_uppercase(),
                    rule,
                    escape_md(&f.object),
                    escape_md(&f.path),
                    escape_md(f.message.get(lang)),
                );
            }
        }
        if !report.exceptions.is_empty() {
            let _ = writeln!(m, "\n## {}\n", t("Exceptions", "Pengecualian", lang));
            for e in &report.exceptions {
                let state = if e.expired {
                    t("EXPIRED", "KEDALUWARSA", lang)
                } else {
                    t("in force until", "berlaku sampai", lang)
                };
                let _ = writeln!(
                    m,
                    "- {} ({}, {}): {} {}",
                    escape_md(&e.name),
                    e.rule,
                    escape_md(&e.target),
                    state,
                    e.expires_at
                );
            }
        }
        let _ = writeln!(
            m,
            "\n## {}\n",
            t("Last drill per plan", "Latihan terakhir per rencana", lang)
        );
        for d in &report.drills {
            let _ = writeln!(
                m,
                "- {}: {}",
                escape_md(&d.plan),
                d.drill.as_deref().map(escape_md).unwrap_or_else(|| t(
                    "no drill recorded",
                    "belum ada latihan tercatat",
                    lang
                ))
            );
            for tier in &d.tiers {
                let _ = writeln!(
                    m,
                    "  - {}: RPO {} / {}, RTO {} / {}",
                    escape_md(&tier.tier),
                    secs(tier.rpo_achieved_seconds, lang),
                    secs(Some(tier.rpo_target_seconds), lang),
                    secs(tier.rto_achieved_seconds, lang),
                    secs(Some(tier.rto_target_seconds), lang),
                );
            }
        }
        m.push('\n');
    }
    let _ = writeln!(
        m,
        "---\n\nGenerated by Pusdata at {} / Dibuat oleh Pusdata pada {}.",
        report.generated_at, report.generated_at
    );
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_core::compliance::{Subject, assemble};
    use pusdata_crds::{Object, fixtures};

    fn report() -> Report {
        let mut policy = fixtures::residency_policy();
        policy.spec.exceptions = vec![fixtures::exception(
            "old",
            "CLOUD-NKRI",
            "2026-01-01T00:00:00Z",
        )];
        let mut drill = fixtures::drill();
        drill.status = Some(pusdata_crds::v1alpha1::FailoverStatus {
            phase: Some(pusdata_crds::v1alpha1::FailoverPhase::Succeeded),
            tiers: vec![pusdata_crds::v1alpha1::TierOutcome {
                tier: "tier-1-critical".into(),
                rpo_target_seconds: 900,
                rpo_achieved_seconds: Some(1800),
                rto_target_seconds: 14_400,
                rto_achieved_seconds: Some(600),
                met: Some(false),
            }],
            ..Default::default()
        });
        let subjects: Vec<Subject> = [
            Object::ResidencyPolicy(policy),
            Object::Site(fixtures::primary_site()),
            Object::Site(fixtures::drc_site("Kota Bekasi", fixtures::BANDUNG)),
            Object::DisasterRecoveryPlan(fixtures::plan()),
            Object::Failover(drill),
        ]
        .into_iter()
        .map(|o| Subject::new("t.yaml", o))
        .collect();
        assemble(&subjects, "2026-11-25T00:00:00Z".parse().unwrap())
    }

    #[test]
    fn html_has_every_rule_both_languages_and_both_charts() {
        let r = report();
        let html = render_html(&r, Languages::Both);
        assert_eq!(
            html.matches("<tr class=\"rule\"").count(),
            40,
            "20 rules × 2 languages"
        );
        assert!(html.contains("id=\"en\"") && html.contains("id=\"id\""));
        assert!(html.contains("Laporan kepatuhan") && html.contains("Compliance report"));
        let svg = findings_svg(&r);
        assert_eq!(svg.matches("data-rule=").count(), 20);
        assert!(svg.contains("data-rule=\"DR-FAR\""));
        let obj = objectives_svg(&r);
        assert_eq!(obj.matches("data-objective=").count(), 2);
        assert!(obj.contains("200 %"), "RPO 1800 of 900 s is 200 %: {obj}");
        assert!(html.contains("class=\"expired\">EXPIRED"));
        assert!(html.contains("KEDALUWARSA"));
        // One language only.
        let en = render_html(&r, Languages::One(Lang::En));
        assert_eq!(en.matches("<tr class=\"rule\"").count(), 20);
        assert!(!en.contains("Laporan kepatuhan (AUDIT"));
    }

    #[test]
    fn markdown_lists_rules_exceptions_and_drills() {
        let md = render_markdown(&report(), Languages::Both);
        assert!(md.contains("| DR-FAR |") && md.contains("| AUDIT |"));
        assert!(md.contains("EXPIRED") && md.contains("KEDALUWARSA"));
        assert!(md.contains("drill-2026-11"));
        assert!(md.find("Compliance report") < md.find("Laporan kepatuhan"));
    }
}
