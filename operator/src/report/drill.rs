//! One language's half of a drill, failover or failback report: the verdict first, then the
//! objectives chart with the margin in words, the incident facts (fencing, data loss), who
//! signed off what, the timeline and the steps.

use super::charts::{self, Bar, Group, Objective};
use super::input::ReportInput;
use super::text::{dur, escape_html, escape_md, lang_code, when};
use jiff::Timestamp;
use pusdata_core::dr;
use pusdata_core::dr::steps::ids;
use pusdata_core::i18n::{Lang, Text, datetime};
use pusdata_core::t;
use pusdata_crds::v1alpha1::{
    FailoverPhase, FailoverStatus, FailoverType, StepStage, StepState, StepStatus, TierOutcome,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

fn s(t: Text, lang: Lang) -> String {
    t.get(lang).to_string()
}

fn status(input: &ReportInput<'_>) -> FailoverStatus {
    input.failover.status.clone().unwrap_or_default()
}

/// The recorded tier outcomes, or computed from the steps when none are recorded.
fn tier_rows(input: &ReportInput<'_>) -> Vec<TierOutcome> {
    let st = status(input);
    if st.tiers.is_empty() {
        dr::tier_outcomes(input.plan, &st, &BTreeMap::new())
    } else {
        st.tiers
    }
}

fn kind_name(kind: FailoverType) -> Text {
    match kind {
        FailoverType::Drill => t!("report-kind-drill"),
        FailoverType::Failover => t!("report-kind-failover"),
        FailoverType::Failback => t!("report-kind-failback"),
    }
}

fn phase_name(phase: Option<FailoverPhase>) -> Text {
    match phase {
        None | Some(FailoverPhase::Pending) => t!("report-phase-pending"),
        Some(FailoverPhase::Running) => t!("report-phase-running"),
        Some(FailoverPhase::WaitingForPerson) => t!("report-phase-waiting"),
        Some(FailoverPhase::Succeeded) => t!("report-phase-succeeded"),
        Some(FailoverPhase::Failed) => t!("report-phase-failed"),
        Some(FailoverPhase::Cancelled) => t!("report-phase-cancelled"),
    }
}

fn state_name(state: StepState) -> Text {
    match state {
        StepState::Pending => t!("report-state-pending"),
        StepState::Running => t!("report-state-running"),
        StepState::Waiting => t!("report-state-waiting"),
        StepState::Succeeded => t!("report-state-succeeded"),
        StepState::Failed => t!("report-state-failed"),
        StepState::Skipped => t!("report-state-skipped"),
    }
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

/// A step's title in `lang`: the plan's runbook text, or the catalogue's for generated steps.
/// Unknown ids show the recorded action.
pub fn step_title(input: &ReportInput<'_>, step: &StepStatus, lang: Lang) -> String {
    if let Some(r) = input.plan.spec.runbook.iter().find(|r| r.id == step.id) {
        return match lang {
            Lang::En => r.title.en(),
            Lang::Id => r.title.id(),
        }
        .to_string();
    }
    let kind = input.failover.spec.kind;
    let (from, to) = match kind {
        FailoverType::Failback => (t!("report-site-drc"), t!("report-site-primary")),
        _ => (t!("report-site-primary"), t!("report-site-drc")),
    };
    let service = step.service.clone().unwrap_or_default();
    let drill = kind == FailoverType::Drill;
    let text = match step.id.as_str() {
        ids::FENCE => t!("report-step-fence", site = from),
        ids::FINAL_SYNC => t!("report-step-final-sync", from = from, to = to),
        ids::MEASURE_RTO => t!("report-step-measure-rto"),
        ids::TEARDOWN => t!("report-step-teardown"),
        ids::SWITCH_TRAFFIC => t!("report-step-switch-traffic", to = to),
        id if id.starts_with("verify/") => t!("report-step-verify", service = service),
        id if id.starts_with("restore/") => match (&step.pvc, drill) {
            (Some(pvc), true) => {
                t!(
                    "report-step-restore-pvc-drill",
                    pvc = pvc,
                    service = service
                )
            }
            (Some(pvc), false) => {
                t!(
                    "report-step-restore-pvc",
                    pvc = pvc,
                    service = service,
                    to = to
                )
            }
            (None, true) => t!("report-step-restore-drill", service = service),
            (None, false) => t!("report-step-restore", service = service, to = to),
        },
        _ => return step.action.clone(),
    };
    s(text, lang)
}

fn secs_between(a: Timestamp, b: Timestamp) -> f64 {
    (b.as_nanosecond() - a.as_nanosecond()) as f64 / 1e9
}

/// Seconds from `t0` to the step's start and end (an unstarted step sits at the start).
fn span(step: &StepStatus, t0: Timestamp) -> (f64, f64) {
    let start = step
        .started_at
        .as_ref()
        .map_or(0.0, |t| secs_between(t0, t.0));
    let end = step
        .finished_at
        .as_ref()
        .map_or(start, |t| secs_between(t0, t.0));
    (start.max(0.0), end.max(start))
}

fn t0(st: &FailoverStatus) -> Timestamp {
    st.steps
        .iter()
        .filter_map(|s| s.started_at.as_ref().map(|t| t.0))
        .chain(st.started_at.as_ref().map(|t| t.0))
        .min()
        .unwrap_or_default()
}

/// The critical path: from the step that finished last, back through the step it waited on
/// (among the steps the plan says it needs, the one that finished last before it started).
pub fn critical_path(input: &ReportInput<'_>, st: &FailoverStatus) -> Vec<String> {
    let needs: BTreeMap<String, Vec<String>> = dr::steps(input.plan, &input.failover.spec)
        .map(|p| p.steps.into_iter().map(|s| (s.id, s.needs)).collect())
        .unwrap_or_default();
    let origin = t0(st);
    let finished: Vec<(&StepStatus, f64, f64)> = st
        .steps
        .iter()
        .filter(|s| s.finished_at.is_some() && s.started_at.is_some())
        .map(|s| {
            let (a, b) = span(s, origin);
            (s, a, b)
        })
        .collect();
    let Some(mut cur) = finished.iter().max_by(|a, b| a.2.total_cmp(&b.2)).copied() else {
        return Vec::new();
    };
    let mut path = vec![cur.0.id.clone()];
    let service_of = |id: &str| id.split('/').nth(1).map(str::to_string);
    while let Some(prev) = finished
        .iter()
        .filter(|(s, _, end)| *end <= cur.1 + 1e-6 && !path.contains(&s.id))
        .filter(|(s, _, _)| match needs.get(&cur.0.id) {
            // Restore steps per PVC are planned as `restore/<svc>/<pvc>`: match by service.
            Some(n) if !n.is_empty() => n.iter().any(|x| {
                *x == s.id || (x.starts_with("restore/") && service_of(x) == service_of(&s.id))
            }),
            _ => true,
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .copied()
    {
        path.push(prev.0.id.clone());
        cur = prev;
    }
    path.reverse();
    path
}

/// Steps grouped as a reader follows them: the runbook before, fencing, each tier, other
/// automated steps, the runbook after.
fn groups<'s>(
    input: &ReportInput<'_>,
    steps: &'s [StepStatus],
) -> Vec<(Text, Vec<&'s StepStatus>)> {
    let mut before = Vec::new();
    let mut recovery = Vec::new();
    let mut tiers: Vec<(String, Vec<&StepStatus>)> = input
        .plan
        .spec
        .tiers
        .iter()
        .map(|t| (t.name.clone(), Vec::new()))
        .collect();
    let mut other = Vec::new();
    let mut after = Vec::new();
    for step in steps {
        let runbook = input.plan.spec.runbook.iter().find(|r| r.id == step.id);
        match (runbook, step.tier.as_deref(), step.id.as_str()) {
            (Some(r), _, _) if r.stage == StepStage::Before => before.push(step),
            (Some(_), _, _) => after.push(step),
            (None, _, ids::FENCE | ids::FINAL_SYNC) => recovery.push(step),
            (None, Some(tier), _) => match tiers.iter_mut().find(|(n, _)| n == tier) {
                Some((_, v)) => v.push(step),
                None => other.push(step),
            },
            _ => other.push(step),
        }
    }
    let mut out = vec![
        (t!("report-group-before"), before),
        (t!("report-group-recovery"), recovery),
    ];
    out.extend(
        tiers
            .into_iter()
            .map(|(n, v)| (t!("report-group-tier", tier = n), v)),
    );
    out.push((t!("report-group-other"), other));
    out.push((t!("report-group-after"), after));
    out.retain(|(_, v)| !v.is_empty());
    out
}

/// The margin of one objective, in words.
fn margin(achieved: Option<u64>, target: u64, lang: Lang) -> (String, &'static str) {
    match achieved {
        None => (s(t!("report-margin-unknown"), lang), "manual"),
        Some(a) => {
            let pct = if target > 0 {
                (a as f64 / target as f64 * 100.0).round() as i64
            } else {
                0
            };
            if a <= target {
                let spare = dur((target - a) as f64, lang);
                (
                    s(t!("report-margin-met", spare = spare, pct = pct), lang),
                    "ok",
                )
            } else {
                let over = dur((a - target) as f64, lang);
                (
                    s(t!("report-margin-missed", over = over, pct = pct), lang),
                    "bad",
                )
            }
        }
    }
}

fn verdict(input: &ReportInput<'_>, lang: Lang) -> (String, &'static str) {
    let rows = tier_rows(input);
    let missed: Vec<&str> = rows
        .iter()
        .filter(|o| o.met == Some(false))
        .map(|o| o.tier.as_str())
        .collect();
    let phase = s(
        t!(
            "report-verdict-phase",
            phase = phase_name(status(input).phase)
        ),
        lang,
    );
    if !missed.is_empty() {
        let list = missed.join(", ");
        let text = t!("report-verdict-missed", count = missed.len(), tiers = list);
        (format!("{} {phase}", s(text, lang)), "bad")
    } else if rows.iter().any(|o| o.met.is_none()) || rows.is_empty() {
        (
            format!("{} {phase}", s(t!("report-verdict-unknown"), lang)),
            "unknown",
        )
    } else {
        let cls = if status(input).phase == Some(FailoverPhase::Succeeded) {
            "ok"
        } else {
            "bad"
        };
        (
            format!("{} {phase}", s(t!("report-verdict-met"), lang)),
            cls,
        )
    }
}

fn part(h: &mut String, title: Text, lang: Lang) {
    let _ = writeln!(
        h,
        "</section>\n<section class=\"part\">\n<h2>{}</h2>",
        escape_html(title.get(lang))
    );
}

/// The HTML of one language.
pub fn html_section(h: &mut String, input: &ReportInput<'_>, lang: Lang, both: bool) {
    let fo = input.failover;
    let st = status(input);
    let name = fo.metadata.name.clone().unwrap_or_default();
    let code = lang_code(lang);
    if both {
        let _ = writeln!(h, "<div class=\"lang\" id=\"{code}\" lang=\"{code}\">");
    }
    let title = match fo.spec.kind {
        FailoverType::Drill => t!("report-title-drill", name = name.as_str()),
        _ => t!("report-title-incident", name = name.as_str()),
    };
    let _ = writeln!(
        h,
        "<section class=\"part\">\n<h1>{}</h1>",
        escape_html(title.get(lang))
    );
    let (v, cls) = verdict(input, lang);
    let _ = writeln!(h, "<p class=\"verdict {cls}\">{}</p>", escape_html(&v));
    if fo.spec.kind != FailoverType::Drill {
        let _ = writeln!(
            h,
            "<p><strong>{}</strong></p>",
            escape_html(t!("report-incident-note").get(lang))
        );
    }
    // Objectives: chart, then the margin in words.
    let rows = tier_rows(input);
    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        escape_html(t!("report-section-objectives").get(lang))
    );
    let bars: Vec<Objective> = rows
        .iter()
        .flat_map(|o| {
            [
                Objective {
                    label: format!("{} RPO", o.tier),
                    achieved: o.rpo_achieved_seconds.map(|v| v as f64),
                    target: o.rpo_target_seconds as f64,
                },
                Objective {
                    label: format!("{} RTO", o.tier),
                    achieved: o.rto_achieved_seconds.map(|v| v as f64),
                    target: o.rto_target_seconds as f64,
                },
            ]
        })
        .collect();
    h.push_str(&charts::objectives_svg(&bars, lang));
    let note = charts::objectives_scale_note(&bars);
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape_html(note.get(lang)));
    let _ = writeln!(
        h,
        "<table class=\"tiers\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape_html(t!("report-col-tier").get(lang)),
        escape_html(t!("report-col-objective").get(lang)),
        escape_html(t!("report-col-target").get(lang)),
        escape_html(t!("report-col-achieved").get(lang)),
        escape_html(t!("report-col-margin").get(lang)),
    );
    for o in &rows {
        for (what, a, target) in [
            ("RPO", o.rpo_achieved_seconds, o.rpo_target_seconds),
            ("RTO", o.rto_achieved_seconds, o.rto_target_seconds),
        ] {
            let (m, cls) = margin(a, target, lang);
            let _ = writeln!(
                h,
                "<tr class=\"tier\"><td>{}</td><td>{what}</td><td>{}</td><td>{}</td><td class=\"{cls}\">{}</td></tr>",
                escape_html(&o.tier),
                escape_html(&dur(target as f64, lang)),
                escape_html(
                    &a.map(|a| dur(a as f64, lang))
                        .unwrap_or_else(|| s(t!("report-not-measured"), lang))
                ),
                escape_html(&m),
            );
        }
    }
    h.push_str("</table>\n");

    // Summary facts.
    part(h, t!("report-section-summary"), lang);
    let requested = fo
        .spec
        .requested_by
        .as_ref()
        .map(|r| {
            s(
                t!(
                    "report-requested-at",
                    user = r.username.as_str(),
                    at = datetime(r.at.0)
                ),
                lang,
            )
        })
        .unwrap_or_else(|| "—".into());
    let at = |t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>| {
        t.map(|t| when(t.0, lang)).unwrap_or_else(|| "—".into())
    };
    let total = match (&st.started_at, &st.finished_at) {
        (Some(a), Some(b)) => dur(secs_between(a.0, b.0), lang),
        _ => "—".into(),
    };
    let reason = match lang {
        Lang::En => fo.spec.reason.en(),
        Lang::Id => fo.spec.reason.id(),
    };
    let facts = [
        (t!("report-field-plan"), input.plan.spec.title.clone()),
        (
            t!("report-field-document"),
            input
                .plan
                .spec
                .document
                .clone()
                .unwrap_or_else(|| "—".into()),
        ),
        (t!("report-field-type"), s(kind_name(fo.spec.kind), lang)),
        (t!("report-field-reason"), reason.to_string()),
        (t!("report-field-requested"), requested),
        (t!("report-field-outcome"), s(phase_name(st.phase), lang)),
        (
            t!("report-field-epoch"),
            st.epoch
                .map(|e| e.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (t!("report-field-started"), at(st.started_at.as_ref())),
        (t!("report-field-finished"), at(st.finished_at.as_ref())),
        (t!("report-field-duration"), total),
    ];
    h.push_str("<table class=\"facts\">\n");
    for (k, v) in facts {
        let _ = writeln!(
            h,
            "<tr><th>{}</th><td>{}</td></tr>",
            escape_html(k.get(lang)),
            escape_html(&v)
        );
    }
    h.push_str("</table>\n");

    // Fencing and data loss (failover, failback).
    if fo.spec.kind != FailoverType::Drill {
        part(h, t!("report-section-incident"), lang);
        h.push_str("<ul class=\"incident\">\n");
        let mut li = |text: String| {
            let _ = writeln!(h, "<li>{}</li>", escape_html(&text));
        };
        li(match st.epoch {
            Some(e) => s(t!("report-epoch-held", epoch = e.to_string()), lang),
            None => s(t!("report-epoch-none"), lang),
        });
        if let Some(f) = st.steps.iter().find(|x| x.id == ids::FENCE) {
            li(s(
                t!(
                    "report-fence-step",
                    state = state_name(f.state),
                    at = at(f.finished_at.as_ref())
                ),
                lang,
            ));
        }
        let sync = st.steps.iter().find(|x| x.id == ids::FINAL_SYNC);
        let synced = sync.is_some_and(|x| x.state == StepState::Succeeded);
        li(match sync {
            Some(x) if synced => s(
                t!("report-sync-done", at = at(x.finished_at.as_ref())),
                lang,
            ),
            Some(x) if x.state == StepState::Skipped => s(t!("report-sync-skipped"), lang),
            _ => s(t!("report-sync-none"), lang),
        });
        let loss_at = st.started_at.as_ref().map(|t| t.0);
        for o in &rows {
            li(match (synced, o.rpo_achieved_seconds, loss_at) {
                (true, _, _) => s(t!("report-loss-window-zero", tier = o.tier.as_str()), lang),
                (false, Some(r), Some(to)) => {
                    let from = to
                        .checked_sub(jiff::SignedDuration::from_secs(
                            i64::try_from(r).unwrap_or(0),
                        ))
                        .unwrap_or(to);
                    s(
                        t!(
                            "report-loss-window",
                            tier = o.tier.as_str(),
                            window = dur(r as f64, lang),
                            from = datetime(from),
                            to = datetime(to)
                        ),
                        lang,
                    )
                }
                _ => s(
                    t!("report-loss-window-unknown", tier = o.tier.as_str()),
                    lang,
                ),
            });
        }
        h.push_str("</ul>\n");
    }

    // Who signed off what, and when.
    part(h, t!("report-section-signoffs"), lang);
    let _ = writeln!(
        h,
        "<table class=\"signoffs\">\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        escape_html(t!("report-col-what").get(lang)),
        escape_html(t!("report-col-who").get(lang)),
        escape_html(t!("report-col-when").get(lang)),
    );
    if let Some(r) = &fo.spec.requested_by {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape_html(t!("report-signoff-requested").get(lang)),
            escape_html(&r.username),
            escape_html(&when(r.at.0, lang)),
        );
    }
    for step in st.steps.iter() {
        if let Some(who) = &step.approved_by {
            let _ = writeln!(
                h,
                "<tr class=\"signoff\"><td>{}<br><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape_html(&step_title(input, step, lang)),
                escape_html(&step.id),
                escape_html(&who.username),
                escape_html(&when(who.at.0, lang)),
            );
        }
    }
    h.push_str("</table>\n");

    // Timeline and steps.
    part(h, t!("report-section-timeline"), lang);
    let origin = t0(&st);
    let crit: BTreeSet<String> = critical_path(input, &st).into_iter().collect();
    let grouped = groups(input, &st.steps);
    let chart: Vec<Group> = grouped
        .iter()
        .map(|(title, steps)| Group {
            title: s(title.clone(), lang),
            bars: steps
                .iter()
                .map(|x| {
                    let (a, b) = span(x, origin);
                    Bar {
                        id: x.id.clone(),
                        start: a,
                        end: b,
                        class: state_class(x.state),
                        critical: crit.contains(&x.id),
                    }
                })
                .collect(),
        })
        .collect();
    h.push_str(&charts::timeline_svg(&chart, lang));
    let path: Vec<&str> = st
        .steps
        .iter()
        .filter(|x| crit.contains(&x.id))
        .map(|x| x.id.as_str())
        .collect();
    let _ = writeln!(
        h,
        "<p class=\"note\">{} {}</p>",
        escape_html(t!("report-critical-path", steps = path.join(" → ")).get(lang)),
        escape_html(t!("report-parallel-note").get(lang)),
    );
    part(h, t!("report-section-steps"), lang);
    let _ = writeln!(
        h,
        "<table class=\"steps\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"wide\">{}</th><th>{}</th></tr>",
        escape_html(t!("report-col-step").get(lang)),
        escape_html(t!("report-col-state").get(lang)),
        escape_html(t!("report-col-start").get(lang)),
        escape_html(t!("report-col-duration").get(lang)),
        escape_html(t!("report-col-attempts").get(lang)),
        escape_html(t!("report-col-note").get(lang)),
    );
    for (title, steps) in &grouped {
        let _ = writeln!(
            h,
            "<tr class=\"group\"><th colspan=\"6\">{}</th></tr>",
            escape_html(title.get(lang))
        );
        for x in steps {
            let (a, b) = span(x, origin);
            // Notes are data from the movers (errors, outputs), shown only where they explain
            // a failure; sign-offs have their own table.
            // Pusdata's own wording is in both languages (`note`); a worker's raw output
            // (`message`) is shown as it is.
            let note = match (x.state, &x.note) {
                (StepState::Failed | StepState::Skipped, Some(n)) => match lang {
                    Lang::En => n.en(),
                    Lang::Id => n.id(),
                }
                .to_string(),
                (StepState::Failed | StepState::Skipped, None) => {
                    x.message.clone().unwrap_or_default()
                }
                _ => String::new(),
            };
            let _ = writeln!(
                h,
                "<tr class=\"step{}\"><td>{}<br><code>{}</code></td><td>{}</td><td>+{}</td><td>{}</td><td class=\"wide\">{}</td><td><samp>{}</samp></td></tr>",
                if crit.contains(&x.id) { " crit" } else { "" },
                escape_html(&step_title(input, x, lang)),
                escape_html(&x.id),
                escape_html(state_name(x.state).get(lang)),
                escape_html(&dur(a, lang)),
                escape_html(&dur(b - a, lang)),
                x.attempts.unwrap_or(0),
                escape_html(&note),
            );
        }
    }
    h.push_str("</table>\n");

    part(h, t!("report-section-findings"), lang);
    if input.findings.is_empty() {
        let _ = writeln!(h, "<p>{}</p>", escape_html(t!("report-none").get(lang)));
    } else {
        h.push_str("<ol class=\"findings\">\n");
        for f in input.findings {
            let _ = writeln!(h, "<li>{}</li>", escape_html(&f.line(lang)));
        }
        h.push_str("</ol>\n");
    }
    let _ = writeln!(
        h,
        "<p>{}</p>\n<footer>{} {}</footer>\n</section>",
        escape_html(t!("report-drp-note").get(lang)),
        escape_html(t!("report-generated", at = datetime(input.generated_at)).get(lang)),
        escape_html(t!("report-sha-note").get(lang)),
    );
    if both {
        h.push_str("</div>\n");
    }
}

/// The Markdown of one language.
pub fn md_section(m: &mut String, input: &ReportInput<'_>, lang: Lang) {
    let fo = input.failover;
    let st = status(input);
    let name = fo.metadata.name.clone().unwrap_or_default();
    let title = match fo.spec.kind {
        FailoverType::Drill => t!("report-title-drill", name = name.as_str()),
        _ => t!("report-title-incident", name = name.as_str()),
    };
    let _ = writeln!(m, "# {}\n", escape_md(title.get(lang)));
    let (v, _) = verdict(input, lang);
    let _ = writeln!(m, "**{}**\n", escape_md(&v));
    if fo.spec.kind != FailoverType::Drill {
        let _ = writeln!(m, "{}\n", escape_md(t!("report-incident-note").get(lang)));
    }
    let reason = match lang {
        Lang::En => fo.spec.reason.en(),
        Lang::Id => fo.spec.reason.id(),
    };
    let _ = writeln!(
        m,
        "- {}: {}\n- {}: {}\n- {}: {}\n- {}: {}\n",
        t!("report-field-plan").get(lang),
        escape_md(&input.plan.spec.title),
        t!("report-field-type").get(lang),
        kind_name(fo.spec.kind).get(lang),
        t!("report-field-reason").get(lang),
        escape_md(reason),
        t!("report-field-outcome").get(lang),
        phase_name(st.phase).get(lang),
    );
    let _ = writeln!(
        m,
        "## {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
        t!("report-section-objectives").get(lang),
        t!("report-col-tier").get(lang),
        t!("report-col-objective").get(lang),
        t!("report-col-target").get(lang),
        t!("report-col-achieved").get(lang),
        t!("report-col-margin").get(lang),
    );
    for o in tier_rows(input) {
        for (what, a, target) in [
            ("RPO", o.rpo_achieved_seconds, o.rpo_target_seconds),
            ("RTO", o.rto_achieved_seconds, o.rto_target_seconds),
        ] {
            let _ = writeln!(
                m,
                "| {} | {what} | {} | {} | {} |",
                escape_md(&o.tier),
                dur(target as f64, lang),
                a.map(|a| dur(a as f64, lang))
                    .unwrap_or_else(|| s(t!("report-not-measured"), lang)),
                escape_md(&margin(a, target, lang).0),
            );
        }
    }
    let origin = t0(&st);
    let _ = writeln!(
        m,
        "\n## {}\n\n| {} | {} | {} | {} | {} |\n|---|---|---|---|---|",
        t!("report-section-steps").get(lang),
        t!("report-col-step").get(lang),
        t!("report-col-state").get(lang),
        t!("report-col-start").get(lang),
        t!("report-col-duration").get(lang),
        t!("report-col-who").get(lang),
    );
    for x in &st.steps {
        let (a, b) = span(x, origin);
        let _ = writeln!(
            m,
            "| {} (`{}`) | {} | +{} | {} | {} |",
            escape_md(&step_title(input, x, lang)),
            x.id.replace(['`', '|'], ""),
            state_name(x.state).get(lang),
            dur(a, lang),
            dur(b - a, lang),
            x.approved_by
                .as_ref()
                .map(|w| escape_md(&w.username))
                .unwrap_or_default(),
        );
    }
    if !input.findings.is_empty() {
        let _ = writeln!(m, "\n## {}\n", t!("report-section-findings").get(lang));
        for (i, f) in input.findings.iter().enumerate() {
            let _ = writeln!(m, "{}. {}", i + 1, escape_md(&f.line(lang)));
        }
    }
    let _ = writeln!(m, "\n{}\n", t!("report-drp-note").get(lang));
}
