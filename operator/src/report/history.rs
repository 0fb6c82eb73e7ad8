//! History across drills of one plan: RPO and RTO per tier over time, and the drill calendar
//! of the DRP against the drills held (`pusdata report drills`).

use super::charts::{self, Objective};
use super::style;
use super::text::{Languages, dur, dur_short, escape_html, lang_code, when};
use jiff::Timestamp;
use pusdata_core::dr::calendar::{DEFAULT_TOLERANCE, Held, calendar};
use pusdata_core::i18n::datetime;
use pusdata_core::t;
use pusdata_crds::v1alpha1::{DisasterRecoveryPlan, Failover, FailoverType};
use std::fmt::Write as _;

/// The drills of `plan` among `failovers`, oldest first.
fn drills<'a>(plan: &DisasterRecoveryPlan, failovers: &'a [Failover]) -> Vec<&'a Failover> {
    let name = plan.metadata.name.as_deref().unwrap_or_default();
    let mut v: Vec<&Failover> = failovers
        .iter()
        .filter(|f| f.spec.plan == name && f.spec.kind == FailoverType::Drill)
        .collect();
    v.sort_by_key(|f| {
        f.status
            .as_ref()
            .and_then(|s| s.started_at.as_ref().map(|t| t.0))
    });
    v
}

fn started(f: &Failover) -> Option<Timestamp> {
    f.status
        .as_ref()
        .and_then(|s| s.started_at.as_ref().map(|t| t.0))
}

/// The HTML history report.
pub fn render_html(
    plan: &DisasterRecoveryPlan,
    failovers: &[Failover],
    since: Timestamp,
    now: Timestamp,
    langs: Languages,
) -> String {
    let list = drills(plan, failovers);
    let held: Vec<Held> = list
        .iter()
        .filter_map(|f| {
            Some(Held {
                name: f.metadata.name.clone().unwrap_or_default(),
                started: started(f)?,
            })
        })
        .collect();
    let occurrences = calendar(plan, &held, since, now);
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        match langs {
            Languages::One(l) => lang_code(l),
            Languages::Both => "id",
        },
        escape_html(&plan.spec.title),
        style::CSS
    );
    if langs == Languages::Both {
        h.push_str("<nav><a href=\"#en\">English</a><a href=\"#id\">Bahasa Indonesia</a></nav>\n");
    }
    for lang in langs.list() {
        let code = lang_code(lang);
        if langs == Languages::Both {
            let _ = writeln!(h, "<div class=\"lang\" id=\"{code}\" lang=\"{code}\">");
        }
        let g = |id: pusdata_core::i18n::Text| escape_html(id.get(lang));
        let _ = writeln!(
            h,
            "<section class=\"part\">\n<h1>{}</h1>",
            g(t!("report-title-history", plan = plan.spec.title.as_str()))
        );
        let missed = occurrences.iter().filter(|o| !o.held()).count();
        let cls = if missed > 0 { "bad" } else { "ok" };
        let _ = writeln!(
            h,
            "<p class=\"verdict {cls}\">{} {}</p>",
            g(t!(
                "report-calendar-summary",
                missed = missed,
                since = datetime(since)
            )),
            g(t!(
                "report-history-count",
                count = list.len(),
                plan = plan.metadata.name.clone().unwrap_or_default()
            )),
        );
        // RPO/RTO per tier over time: one chart per tier, a row per drill.
        let _ = writeln!(h, "<h2>{}</h2>", g(t!("report-section-trend")));
        for tier in &plan.spec.tiers {
            let rows: Vec<Objective> = list
                .iter()
                .filter_map(|f| {
                    let st = f.status.as_ref()?;
                    let o = st.tiers.iter().find(|o| o.tier == tier.name)?;
                    let day = started(f)
                        .map(|t| t.strftime("%Y-%m-%d").to_string())
                        .unwrap_or_default();
                    Some([
                        Objective {
                            label: format!("{day} RPO"),
                            achieved: o.rpo_achieved_seconds.map(|v| v as f64),
                            target: o.rpo_target_seconds as f64,
                        },
                        Objective {
                            label: format!("{day} RTO"),
                            achieved: o.rto_achieved_seconds.map(|v| v as f64),
                            target: o.rto_target_seconds as f64,
                        },
                    ])
                })
                .flatten()
                .collect();
            let _ = writeln!(
                h,
                "<h3>{}</h3>",
                g(t!("report-group-tier", tier = tier.name.as_str()))
            );
            if rows.is_empty() {
                let _ = writeln!(h, "<p>{}</p>", g(t!("report-none")));
            } else {
                h.push_str(&charts::objectives_svg(&rows, lang));
            }
        }
        let _ = writeln!(
            h,
            "</section>\n<section class=\"part\">\n<h2>{}</h2>\n<table class=\"calendar\">\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
            g(t!("report-section-calendar")),
            g(t!("report-col-schedule")),
            g(t!("report-col-due")),
            g(t!("report-col-held")),
        );
        for o in &occurrences {
            let (cls, text) = match (&o.held_by, &o.late) {
                (Some(d), _) => ("ok", t!("report-calendar-held", drill = d.as_str())),
                (None, Some(late)) => (
                    "bad",
                    t!(
                        "report-calendar-late",
                        drill = late.name.as_str(),
                        late = dur(late.by.as_secs_f64(), lang)
                    ),
                ),
                (None, None) => ("bad", t!("report-calendar-missed")),
            };
            let _ = writeln!(
                h,
                "<tr class=\"occurrence\"><td>{}</td><td>{}</td><td class=\"{cls}\">{}</td></tr>",
                escape_html(&o.schedule),
                escape_html(&when(o.due, lang)),
                g(text),
            );
        }
        let _ = writeln!(
            h,
            "</table>\n<p class=\"note\">{}</p>",
            g(t!(
                "report-calendar-tolerance",
                default = dur_short(DEFAULT_TOLERANCE.as_secs_f64(), lang)
            ))
        );
        let _ = writeln!(
            h,
            "</section>\n<section class=\"part\">\n<h2>{}</h2>\n<table class=\"drills\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            g(t!("report-section-drills")),
            g(t!("report-col-drill")),
            g(t!("report-col-date")),
            g(t!("report-field-duration")),
            g(t!("report-col-result")),
        );
        for f in &list {
            let st = f.status.clone().unwrap_or_default();
            let missed: Vec<&str> = st
                .tiers
                .iter()
                .filter(|o| o.met == Some(false))
                .map(|o| o.tier.as_str())
                .collect();
            let (cls, result) = if missed.is_empty() {
                ("ok", t!("report-verdict-met"))
            } else {
                (
                    "bad",
                    t!(
                        "report-verdict-missed",
                        count = missed.len(),
                        tiers = missed.join(", ")
                    ),
                )
            };
            let total = match (&st.started_at, &st.finished_at) {
                (Some(a), Some(b)) => dur(
                    (b.0.as_nanosecond() - a.0.as_nanosecond()) as f64 / 1e9,
                    lang,
                ),
                _ => "—".into(),
            };
            let _ = writeln!(
                h,
                "<tr class=\"drill\"><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"{cls}\">{}</td></tr>",
                escape_html(f.metadata.name.as_deref().unwrap_or_default()),
                escape_html(
                    &started(f)
                        .map(|t| when(t, lang))
                        .unwrap_or_else(|| "—".into())
                ),
                escape_html(&total),
                g(result),
            );
        }
        let _ = writeln!(
            h,
            "</table>\n<footer>{}</footer>\n</section>",
            g(t!("report-generated", at = datetime(now)))
        );
        if langs == Languages::Both {
            h.push_str("</div>\n");
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}
