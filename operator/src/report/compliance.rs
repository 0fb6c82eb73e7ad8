//! The compliance report (AUDIT, Perda 43-45) as HTML with SVG charts and as Markdown, from the pure
//! [`pusdata_core::compliance::Report`], in the reader's language (or both, Bahasa Indonesia
//! at `#id`, the same switch as the drill report), on the stylesheet every report shares.
//! Every sentence comes from `operator/core/i18n/*/report.ftl`; rule texts from the catalogue
//! through the report's [`Text`](pusdata_core::i18n::Text) fields.

use super::charts::{self, Objective};
use super::style;
use super::text::{dur, escape_html, escape_md, lang_code, when};
// Where it was first defined; the controllers' report endpoint still names it here.
pub use super::text::Languages;
use pusdata_core::compliance::{DrillReport, Report, RuleReport, Status};
use pusdata_core::finding::Severity;
use pusdata_core::i18n::{Lang, Text, datetime};
use pusdata_core::t;
use pusdata_crds::v1alpha1::FailoverPhase;
use std::fmt::Write as _;

fn s(text: Text, lang: Lang) -> String {
    text.get(lang).to_string()
}

/// Escapes `text` for HTML and shows its `command` spans as code.
fn with_code(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", escape_html(part));
        } else {
            out.push_str(&escape_html(part));
        }
    }
    out
}

fn status_class(st: Status) -> &'static str {
    match st {
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

fn severity(sev: Severity) -> Text {
    match sev {
        Severity::Deny => t!("report-severity-deny"),
        Severity::Warn => t!("report-severity-warn"),
        Severity::Info => t!("report-severity-info"),
    }
}

/// An RFC 3339 instant as the reader's language writes it; anything else as it is.
fn instant(raw: &str, lang: Lang) -> String {
    raw.parse::<jiff::Timestamp>()
        .map(|ts| when(ts, lang))
        .unwrap_or_else(|_| raw.to_string())
}

/// The recorded phase name (`Succeeded`…) in the reader's language.
fn phase(raw: Option<&str>, lang: Lang) -> String {
    let p = match raw {
        Some("Pending") | None => Some(FailoverPhase::Pending),
        Some("Running") => Some(FailoverPhase::Running),
        Some("WaitingForPerson") => Some(FailoverPhase::WaitingForPerson),
        Some("Succeeded") => Some(FailoverPhase::Succeeded),
        Some("Failed") => Some(FailoverPhase::Failed),
        Some("Cancelled") => Some(FailoverPhase::Cancelled),
        Some(_) => None,
    };
    let text = match p {
        Some(FailoverPhase::Pending) => t!("report-phase-pending"),
        Some(FailoverPhase::Running) => t!("report-phase-running"),
        Some(FailoverPhase::WaitingForPerson) => t!("report-phase-waiting"),
        Some(FailoverPhase::Succeeded) => t!("report-phase-succeeded"),
        Some(FailoverPhase::Failed) => t!("report-phase-failed"),
        Some(FailoverPhase::Cancelled) => t!("report-phase-cancelled"),
        None => return raw.unwrap_or_default().to_string(),
    };
    s(text, lang)
}

/// Horizontal bars: standing findings per rule (all 20 rules, zero bars included), each
/// rule coloured by its status.
pub fn findings_svg(report: &Report, lang: Lang) -> String {
    let (label_w, chart_w, row_h) = (120.0, 420.0, 16.0);
    let max = report.rules.iter().map(standing).max().unwrap_or(0).max(1) as f64;
    let height = row_h * report.rules.len() as f64 + 10.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart findings\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"{label}\">\n",
        w = label_w + chart_w + 40.0,
        label = escape_html(t!("report-compliance-chart-findings").get(lang)),
    );
    for (i, r) in report.rules.iter().enumerate() {
        let n = standing(r);
        let y = row_h * i as f64 + 2.0;
        let w = (n as f64 / max * chart_w).max(if n > 0 { 2.0 } else { 0.0 });
        let id = escape_html(&r.id);
        let _ = writeln!(
            svg,
            "<text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"11\" text-anchor=\"end\" class=\"{cls}\">{id}</text><rect class=\"bar {cls}\" x=\"{label_w}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h}\" data-rule=\"{id}\"><title>{id}: {status}</title></rect><text x=\"{nx:.1}\" y=\"{ty:.1}\" font-size=\"11\">{n}</text>",
            lx = label_w - 6.0,
            ty = y + 11.0,
            cls = status_class(r.status),
            h = row_h - 4.0,
            nx = label_w + w + 4.0,
            status = escape_html(r.status.text().get(lang)),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The RPO and RTO of every plan's last drill, for the shared objectives chart.
pub fn objectives(report: &Report) -> Vec<Objective> {
    report
        .drills
        .iter()
        .flat_map(|d| {
            d.tiers.iter().flat_map(move |tier| {
                [
                    Objective {
                        label: format!("{} {} RPO", d.plan, tier.tier),
                        achieved: tier.rpo_achieved_seconds.map(|v| v as f64),
                        target: tier.rpo_target_seconds as f64,
                    },
                    Objective {
                        label: format!("{} {} RTO", d.plan, tier.tier),
                        achieved: tier.rto_achieved_seconds.map(|v| v as f64),
                        target: tier.rto_target_seconds as f64,
                    },
                ]
            })
        })
        .collect()
}

/// The verdict a reader sees first, and its class (`ok`, `bad`).
fn verdict(report: &Report, lang: Lang) -> (String, &'static str) {
    let with: Vec<&str> = report
        .rules
        .iter()
        .filter(|r| r.status == Status::Findings)
        .map(|r| r.id.as_str())
        .collect();
    let mut text = if with.is_empty() {
        s(t!("report-compliance-verdict-ok"), lang)
    } else {
        s(
            t!(
                "report-compliance-verdict-findings",
                count = with.len(),
                rules = with.join(", ")
            ),
            lang,
        )
    };
    let expired = report.summary.expired_exceptions;
    if expired > 0 {
        text.push(' ');
        text.push_str(&s(
            t!("report-compliance-verdict-expired", count = expired),
            lang,
        ));
    }
    let cls = if with.is_empty() && expired == 0 {
        "ok"
    } else {
        "bad"
    };
    (text, cls)
}

fn summary(report: &Report, lang: Lang) -> String {
    let m = &report.summary;
    s(
        t!(
            "report-compliance-summary",
            rules = m.rules,
            compliant = m.compliant,
            findings = m.with_findings,
            unchecked = m.not_checked,
            objects = m.objects,
            deny = m.deny,
            warn = m.warn
        ),
        lang,
    )
}

fn rule_status(r: &RuleReport, lang: Lang) -> String {
    let status = s(r.status.text(), lang);
    match (&r.not_checked_because, r.status) {
        (Some(why), _) => format!("{status}: {}", why.get(lang)),
        (None, Status::Findings) => format!("{status} ({})", standing(r)),
        _ => status,
    }
}

fn drill_line(d: &DrillReport, lang: Lang) -> String {
    match &d.drill {
        Some(n) => s(
            t!(
                "report-compliance-drill-row",
                drill = n.as_str(),
                phase = phase(d.phase.as_deref(), lang),
                from = d
                    .started_at
                    .as_deref()
                    .map_or_else(|| "—".to_string(), |x| instant(x, lang)),
                to = d
                    .finished_at
                    .as_deref()
                    .map_or_else(|| "—".to_string(), |x| instant(x, lang))
            ),
            lang,
        ),
        None => s(t!("report-compliance-no-drill"), lang),
    }
}

fn secs(v: Option<u64>, lang: Lang) -> String {
    v.map_or_else(
        || s(t!("report-not-measured"), lang),
        |v| dur(v as f64, lang),
    )
}

fn of_target(achieved: Option<u64>, target: u64, lang: Lang) -> String {
    s(
        t!(
            "report-compliance-of-target",
            achieved = secs(achieved, lang),
            target = dur(target as f64, lang)
        ),
        lang,
    )
}

/// The HTML document.
pub fn render_html(report: &Report, langs: Languages) -> String {
    let title = t!("report-compliance-title");
    let title = match langs {
        Languages::One(l) => s(title, l),
        // The one helper that shows both languages.
        Languages::Both => title.to_string(),
    };
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        langs.code(),
        escape_html(&title),
        style::CSS,
    );
    if langs == Languages::Both {
        h.push_str("<nav><a href=\"#en\">English</a><a href=\"#id\">Bahasa Indonesia</a></nav>\n");
    }
    for lang in langs.list() {
        html_section(&mut h, report, lang, langs == Languages::Both);
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn row(h: &mut String, class: &str, cells: &[(&str, String)]) {
    let _ = write!(h, "<tr class=\"{class}\">");
    for (cls, html) in cells {
        if cls.is_empty() {
            let _ = write!(h, "<td>{html}</td>");
        } else {
            let _ = write!(h, "<td class=\"{cls}\">{html}</td>");
        }
    }
    h.push_str("</tr>\n");
}

/// A table's opening and its heading row; `cols` are `(class, heading)`, the heading already
/// in the reader's language.
fn head(h: &mut String, class: &str, cols: &[(&str, String)]) {
    let _ = write!(h, "<table class=\"{class}\">\n<tr>");
    for (cls, c) in cols {
        let e = escape_html(c);
        if cls.is_empty() {
            let _ = write!(h, "<th>{e}</th>");
        } else {
            let _ = write!(h, "<th class=\"{cls}\">{e}</th>");
        }
    }
    h.push_str("</tr>\n");
}

fn part(h: &mut String, title: Text, lang: Lang) {
    let _ = writeln!(
        h,
        "</section>\n<section class=\"part\">\n<h2>{}</h2>",
        escape_html(title.get(lang))
    );
}

/// One language's half: the verdict first, then the charts, the rules, the findings, the
/// exceptions and the last drill of every plan.
fn html_section(h: &mut String, report: &Report, lang: Lang, both: bool) {
    let c = lang_code(lang);
    let e = |text: Text| escape_html(text.get(lang));
    let g = |text: Text| text.get(lang).to_string();
    if both {
        let _ = writeln!(h, "<div class=\"lang\" id=\"{c}\" lang=\"{c}\">");
    }
    let (v, cls) = verdict(report, lang);
    let _ = writeln!(
        h,
        "<section class=\"part\">\n<h1>{}</h1>\n<p class=\"verdict {cls}\">{}</p>\n<p>{}</p>",
        e(t!("report-compliance-title")),
        escape_html(&v),
        escape_html(&summary(report, lang)),
    );
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n{}<p class=\"note\">{}</p>",
        e(t!("report-compliance-chart-findings")),
        findings_svg(report, lang),
        e(t!("report-compliance-chart-findings-note")),
    );
    let bars = objectives(report);
    if !bars.is_empty() {
        let note = charts::objectives_scale_note(&bars);
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n{}<p class=\"note\">{}</p>",
            e(t!("report-compliance-chart-objectives")),
            charts::objectives_svg(&bars, lang),
            e(note),
        );
    } else {
        // Said rather than drawn as an empty chart: no plan in the input has a drill result.
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<p class=\"note objectives-none\">{}</p>",
            e(t!("report-compliance-chart-objectives")),
            e(t!("report-compliance-no-drill")),
        );
    }

    part(h, t!("report-compliance-section-rules"), lang);
    head(
        h,
        "rules",
        &[
            ("", g(t!("report-compliance-col-rule"))),
            ("wide", g(t!("report-compliance-col-article"))),
            ("", g(t!("report-compliance-col-requirement"))),
            ("wide", g(t!("report-compliance-col-checked"))),
            ("", g(t!("report-compliance-col-status"))),
        ],
    );
    for r in &report.rules {
        let _ = write!(h, "<tr class=\"rule\" id=\"{c}-{}\">", escape_html(&r.id));
        let _ = writeln!(
            h,
            "<td><code>{}</code></td><td class=\"wide\">{}</td><td>{}</td><td class=\"wide\">{} <small>({})</small></td><td class=\"{}\">{}</td></tr>",
            escape_html(&r.id),
            escape_html(&r.source),
            with_code(r.requirement.get(lang)),
            with_code(r.checked.get(lang)),
            e(t!("report-compliance-objects", count = r.objects_checked)),
            status_class(r.status),
            with_code(&rule_status(r, lang)),
        );
    }
    h.push_str("</table>\n");

    part(h, t!("report-compliance-section-findings"), lang);
    let rows: Vec<_> = report
        .rules
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r.id.as_str(), f)))
        .chain(report.other_findings.iter().map(|f| ("CRD-SCHEMA", f)))
        .collect();
    if rows.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", e(t!("report-none")));
    } else {
        head(
            h,
            "findings",
            &[
                ("", g(t!("report-compliance-col-rule"))),
                ("", g(t!("report-compliance-col-object"))),
                ("", g(t!("report-compliance-col-finding"))),
                ("", g(t!("report-compliance-col-fix"))),
            ],
        );
        for (rule, f) in rows {
            let cls = if f.severity > Severity::Info {
                "bad"
            } else {
                "manual"
            };
            row(
                h,
                "finding",
                &[
                    (
                        "",
                        format!(
                            "<code>{}</code> <span class=\"{cls}\">{}</span>",
                            escape_html(rule),
                            e(severity(f.severity))
                        ),
                    ),
                    (
                        "",
                        format!(
                            "{}<br><small>{}</small>",
                            escape_html(&f.object),
                            escape_html(&f.source)
                        ),
                    ),
                    (
                        "",
                        format!(
                            "<code>{}</code> {}",
                            escape_html(&f.path),
                            with_code(f.message.get(lang))
                        ),
                    ),
                    ("", with_code(f.hint.get(lang))),
                ],
            );
        }
        h.push_str("</table>\n");
    }

    part(h, t!("report-compliance-section-exceptions"), lang);
    if report.exceptions.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", e(t!("report-none")));
    } else {
        head(
            h,
            "exceptions",
            &[
                ("", g(t!("report-compliance-col-exception"))),
                ("", g(t!("report-compliance-col-rule"))),
                ("wide", g(t!("report-compliance-col-object"))),
                ("", g(t!("report-compliance-col-reason"))),
                ("wide", g(t!("report-compliance-col-approved"))),
                ("", g(t!("report-compliance-col-expires"))),
            ],
        );
        for x in &report.exceptions {
            let at = instant(&x.expires_at, lang);
            let expiry = if x.expired {
                format!(
                    "<span class=\"expired bad\">{}</span>",
                    e(t!("report-compliance-expired", at = at))
                )
            } else {
                e(t!("report-compliance-in-force", at = at))
            };
            row(
                h,
                "exception",
                &[
                    (
                        "",
                        format!(
                            "{}<br><small>{}</small>",
                            escape_html(&x.name),
                            escape_html(&x.policy)
                        ),
                    ),
                    ("", format!("<code>{}</code>", escape_html(&x.rule))),
                    ("wide", escape_html(&x.target)),
                    (
                        "",
                        format!("{} ({})", escape_html(&x.reason), escape_html(&x.ticket)),
                    ),
                    ("wide", escape_html(&x.approved_by)),
                    ("", expiry),
                ],
            );
        }
        h.push_str("</table>\n");
    }

    part(h, t!("report-compliance-section-drills"), lang);
    head(
        h,
        "drills",
        &[
            ("", g(t!("report-compliance-col-plan"))),
            ("", g(t!("report-col-drill"))),
            ("", g(t!("report-col-tier"))),
            ("", "RPO".to_string()),
            ("", "RTO".to_string()),
            ("", g(t!("report-col-result"))),
        ],
    );
    for d in &report.drills {
        let drill = escape_html(&drill_line(d, lang));
        if d.tiers.is_empty() {
            row(
                h,
                "drill",
                &[
                    ("", escape_html(&d.plan)),
                    ("", drill.clone()),
                    ("", "—".into()),
                    ("", "—".into()),
                    ("", "—".into()),
                    ("", "—".into()),
                ],
            );
        }
        for tier in &d.tiers {
            let (cls, result) = match tier.met {
                Some(true) => ("ok", t!("report-compliance-tier-met")),
                Some(false) => ("bad", t!("report-compliance-tier-missed")),
                None => ("manual", t!("report-compliance-tier-unknown")),
            };
            row(
                h,
                "drill",
                &[
                    ("", escape_html(&d.plan)),
                    ("", drill.clone()),
                    ("", escape_html(&tier.tier)),
                    (
                        "",
                        escape_html(&of_target(
                            tier.rpo_achieved_seconds,
                            tier.rpo_target_seconds,
                            lang,
                        )),
                    ),
                    (
                        "",
                        escape_html(&of_target(
                            tier.rto_achieved_seconds,
                            tier.rto_target_seconds,
                            lang,
                        )),
                    ),
                    (cls, e(result)),
                ],
            );
        }
    }
    h.push_str("</table>\n");
    let _ = writeln!(h, "<footer>{}</footer>\n</section>", e(generated(report)));
    if both {
        h.push_str("</div>\n");
    }
}

fn generated(report: &Report) -> Text {
    match report.generated_at.parse::<jiff::Timestamp>() {
        Ok(at) => t!(
            "report-compliance-generated",
            at = datetime(at),
            schema = report.schema_version.to_string()
        ),
        Err(_) => t!(
            "report-compliance-generated",
            at = report.generated_at.as_str(),
            schema = report.schema_version.to_string()
        ),
    }
}

/// The Markdown document, one section per language, English first when both.
pub fn render_markdown(report: &Report, langs: Languages) -> String {
    let mut m = String::new();
    let mut order = langs.list();
    order.sort_by_key(|l| *l != Lang::En);
    for lang in order {
        let g = |text: Text| text.get(lang).to_string();
        let (v, _) = verdict(report, lang);
        let _ = writeln!(
            m,
            "# {}\n\n**{}**\n\n{}\n",
            g(t!("report-compliance-title")),
            escape_md(&v),
            escape_md(&summary(report, lang)),
        );
        let _ = writeln!(
            m,
            "| {} | {} | {} | {} |\n|---|---|---|---|",
            g(t!("report-compliance-col-rule")),
            g(t!("report-compliance-col-article")),
            g(t!("report-compliance-col-checked")),
            g(t!("report-compliance-col-status")),
        );
        for r in &report.rules {
            let _ = writeln!(
                m,
                "| {} | {} | {} | {} |",
                r.id,
                escape_md(&r.source),
                escape_md(r.checked.get(lang)),
                escape_md(&rule_status(r, lang)),
            );
        }
        let findings: Vec<_> = report
            .rules
            .iter()
            .flat_map(|r| r.findings.iter().map(move |f| (r.id.as_str(), f)))
            .collect();
        if !findings.is_empty() {
            let _ = writeln!(m, "\n## {}\n", g(t!("report-compliance-section-findings")));
            for (i, (rule, f)) in findings.iter().enumerate() {
                let _ = writeln!(
                    m,
                    "{}. [{}] {} — {}: {} {}",
                    i + 1,
                    g(severity(f.severity)),
                    rule,
                    escape_md(&f.object),
                    escape_md(&f.path),
                    escape_md(f.message.get(lang)),
                );
            }
        }
        if !report.exceptions.is_empty() {
            let _ = writeln!(
                m,
                "\n## {}\n",
                g(t!("report-compliance-section-exceptions"))
            );
            for x in &report.exceptions {
                let at = instant(&x.expires_at, lang);
                let state = if x.expired {
                    g(t!("report-compliance-expired", at = at))
                } else {
                    g(t!("report-compliance-in-force", at = at))
                };
                let _ = writeln!(
                    m,
                    "- {} ({}, {}): {}",
                    escape_md(&x.name),
                    x.rule,
                    escape_md(&x.target),
                    state,
                );
            }
        }
        let _ = writeln!(m, "\n## {}\n", g(t!("report-compliance-section-drills")));
        for d in &report.drills {
            let _ = writeln!(
                m,
                "- {}: {}",
                escape_md(&d.plan),
                escape_md(&drill_line(d, lang))
            );
            for tier in &d.tiers {
                let _ = writeln!(
                    m,
                    "  - {}: RPO {}, RTO {}",
                    escape_md(&tier.tier),
                    of_target(tier.rpo_achieved_seconds, tier.rpo_target_seconds, lang),
                    of_target(tier.rto_achieved_seconds, tier.rto_target_seconds, lang),
                );
            }
        }
        let _ = writeln!(m, "\n---\n\n{}\n", g(generated(report)));
    }
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
        assert!(html.contains(super::style::CSS), "the shared stylesheet");
        let svg = findings_svg(&r, Lang::Id);
        assert_eq!(svg.matches("data-rule=").count(), 20);
        assert!(svg.contains("data-rule=\"DR-FAR\""));
        assert!(svg.contains("aria-label=\"Temuan yang masih berlaku per aturan\""));
        let bars = objectives(&r);
        assert_eq!(bars.len(), 2, "RPO and RTO of one tier");
        assert_eq!(bars[0].achieved, Some(1800.0));
        assert_eq!(html.matches("data-objective=").count(), 2 * 2);
        assert!(html.contains("class=\"expired bad\">EXPIRED on 1 January 2026"));
        assert!(html.contains("KEDALUWARSA sejak 1 Januari 2026"));
        // One language only, and it opens with its verdict.
        let en = render_html(&r, Languages::One(Lang::En));
        assert_eq!(en.matches("<tr class=\"rule\"").count(), 20);
        assert!(!en.contains("Laporan kepatuhan"));
        let id = render_html(&r, Languages::One(Lang::Id));
        assert!(id.contains("<html lang=\"id\">"));
        let verdict = id.find("class=\"verdict bad\"").expect("a verdict");
        assert!(
            verdict < id.find("<svg").unwrap(),
            "the verdict comes first"
        );
        assert!(id.contains("pengecualian telah kedaluwarsa"));
        assert!(!id.contains("Compliance report"));
    }

    #[test]
    fn markdown_lists_rules_exceptions_and_drills() {
        let md = render_markdown(&report(), Languages::Both);
        assert!(md.contains("| DR-FAR |") && md.contains("| AUDIT |"));
        assert!(md.contains("EXPIRED") && md.contains("KEDALUWARSA"));
        assert!(md.contains("drill-2026-11"));
        assert!(md.find("Compliance report") < md.find("Laporan kepatuhan"));
        let id = render_markdown(&report(), Languages::One(Lang::Id));
        assert!(!id.contains("Compliance report") && !id.contains("Generated by"));
    }
}
