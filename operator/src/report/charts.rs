//! Inline SVG charts, labelled in the reader's language: objectives against their targets
//! (log-scaled when values differ by orders of magnitude) and the step timeline.

use super::text::{dur, escape_html};
use pusdata_core::i18n::Lang;
use pusdata_core::t;
use std::fmt::Write as _;

/// One bar of the objectives chart.
#[derive(Clone, Debug)]
pub struct Objective {
    /// Row label (`tier-1 RPO`).
    pub label: String,
    /// Achieved, in seconds.
    pub achieved: Option<f64>,
    /// Target, in seconds.
    pub target: f64,
}

/// A value axis: linear from zero, or logarithmic when the values span more than two
/// orders of magnitude (a 4-second RTO next to a 72-hour one would otherwise be invisible).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// `0..max`.
    Linear(f64),
    /// `10^lo..10^hi`.
    Log(f64, f64),
}

impl Scale {
    /// The scale for these positive values.
    pub fn for_values(values: impl Iterator<Item = f64>) -> Scale {
        let v: Vec<f64> = values.filter(|v| *v > 0.0).collect();
        let max = v.iter().copied().fold(0.0_f64, f64::max);
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        if max <= 0.0 {
            return Scale::Linear(1.0);
        }
        if max / min > 100.0 {
            Scale::Log(
                min.log10().floor(),
                max.log10().ceil().max(min.log10().floor() + 1.0),
            )
        } else {
            Scale::Linear(max * 1.15)
        }
    }

    /// Position of `v` in `0..=1`.
    pub fn pos(self, v: f64) -> f64 {
        match self {
            Scale::Linear(max) => (v / max).clamp(0.0, 1.0),
            Scale::Log(lo, hi) => {
                if v <= 0.0 {
                    0.0
                } else {
                    ((v.log10() - lo) / (hi - lo)).clamp(0.0, 1.0)
                }
            }
        }
    }

    /// Tick values.
    fn ticks(self) -> Vec<f64> {
        match self {
            Scale::Linear(max) => (0..=4).map(|i| max * f64::from(i) / 4.0).collect(),
            // Durations people read: 1 s, 10 s, 1 min, 10 min, 1 h, 10 h, 4 d…
            Scale::Log(lo, hi) => [
                0.001,
                0.01,
                0.1,
                1.0,
                10.0,
                60.0,
                600.0,
                3600.0,
                36_000.0,
                345_600.0,
                3_456_000.0,
            ]
            .into_iter()
            .filter(|v: &f64| {
                let e = v.log10();
                e >= lo - 1e-9 && e <= hi + 1e-9
            })
            .collect(),
        }
    }
}

/// Bars of achieved values with each row's target as a line across it.
pub fn objectives_svg(rows: &[Objective], lang: Lang) -> String {
    let scale = Scale::for_values(
        rows.iter()
            .flat_map(|r| [r.achieved.unwrap_or(0.0), r.target]),
    );
    let (label_w, chart_w, row_h) = (190.0, 520.0, 26.0);
    let top = 8.0;
    let height = top + row_h * rows.len().max(1) as f64 + 40.0;
    let width = label_w + chart_w + 30.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart objectives\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">\n"
    );
    let x = |v: f64| label_w + scale.pos(v) * chart_w;
    let axis_y = top + row_h * rows.len().max(1) as f64;
    for tick in scale.ticks() {
        let _ = writeln!(
            svg,
            "<line x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{axis_y}\" stroke=\"#ddd\"/><text x=\"{tx:.1}\" y=\"{ly}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            escape_html(&dur(tick, lang)),
            tx = x(tick),
            ly = axis_y + 12.0,
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let cls = match r.achieved {
            Some(a) if a > r.target => "bad",
            Some(_) => "ok",
            None => "manual",
        };
        let w = r.achieved.map_or(0.0, |a| (x(a) - label_w).max(2.0));
        let shown = r
            .achieved
            .map(|a| dur(a, lang))
            .unwrap_or_else(|| t!("report-not-measured").get(lang).to_string());
        let _ = writeln!(
            svg,
            "<text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"12\" text-anchor=\"end\">{label}</text><rect class=\"bar {cls}\" x=\"{label_w}\" y=\"{by:.1}\" width=\"{w:.1}\" height=\"{bh}\" data-objective=\"{label}\"/><line class=\"target\" x1=\"{tx:.1}\" y1=\"{y:.1}\" x2=\"{tx:.1}\" y2=\"{y2:.1}\"/><text x=\"{nx:.1}\" y=\"{ty:.1}\" font-size=\"11\">{shown}</text>",
            lx = label_w - 6.0,
            ty = y + 17.0,
            label = escape_html(&r.label),
            by = y + 5.0,
            bh = row_h - 10.0,
            tx = x(r.target),
            y2 = y + row_h,
            nx = (label_w + w + 4.0).min(label_w + chart_w - 60.0),
            shown = escape_html(&shown),
        );
    }
    let _ = writeln!(
        svg,
        "<line class=\"target\" x1=\"{label_w}\" y1=\"{ly}\" x2=\"{lx2}\" y2=\"{ly}\"/><text x=\"{tx}\" y=\"{ty}\" font-size=\"11\">{}</text>",
        escape_html(t!("report-chart-target").get(lang)),
        ly = axis_y + 28.0,
        lx2 = label_w + 24.0,
        tx = label_w + 30.0,
        ty = axis_y + 32.0,
    );
    svg.push_str("</svg>\n");
    svg
}

/// One bar of the timeline.
#[derive(Clone, Debug)]
pub struct Bar {
    /// Step id.
    pub id: String,
    /// Seconds from the start of the execution.
    pub start: f64,
    /// Seconds from the start of the execution.
    pub end: f64,
    /// CSS class of its state.
    pub class: &'static str,
    /// On the critical path.
    pub critical: bool,
}

/// A group of bars (runbook before, a tier, …) under a heading.
#[derive(Clone, Debug)]
pub struct Group {
    /// Heading, in the reader's language.
    pub title: String,
    /// Bars in execution order.
    pub bars: Vec<Bar>,
}

/// A tick step giving at most eight ticks over `span` seconds (milliseconds for short drills).
fn tick_step(span: f64) -> f64 {
    const STEPS: [f64; 24] = [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0,
        60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 21600.0,
    ];
    STEPS
        .iter()
        .copied()
        .find(|s| span / s <= 8.0)
        .unwrap_or(86_400.0)
}

/// The timeline: steps grouped (by tier), bars on one time axis so parallel steps overlap,
/// the critical path outlined.
pub fn timeline_svg(groups: &[Group], lang: Lang) -> String {
    let span = groups
        .iter()
        .flat_map(|g| g.bars.iter().map(|b| b.end))
        .fold(0.0_f64, f64::max)
        .max(0.001);
    let (label_w, chart_w, row_h) = (200.0, 540.0, 16.0);
    let rows: usize = groups.iter().map(|g| g.bars.len() + 1).sum();
    let top = 6.0;
    let axis_y = top + row_h * rows as f64;
    let height = axis_y + 26.0;
    let width = label_w + chart_w + 20.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">\n"
    );
    let x = |s: f64| label_w + s / span * chart_w;
    let step = tick_step(span);
    let mut tick = 0.0;
    while tick <= span + step * 0.001 {
        let _ = writeln!(
            svg,
            "<line x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{axis_y}\" stroke=\"#e4e4e4\"/><text x=\"{tx:.1}\" y=\"{ly}\" font-size=\"10\" text-anchor=\"middle\">+{}</text>",
            escape_html(&dur(tick, lang)),
            tx = x(tick),
            ly = axis_y + 14.0,
        );
        tick += step;
    }
    let mut row = 0usize;
    for g in groups {
        let y = top + row_h * row as f64;
        let _ = writeln!(
            svg,
            "<text x=\"4\" y=\"{ty:.1}\" font-size=\"11\" font-weight=\"bold\">{}</text>",
            escape_html(&g.title),
            ty = y + 12.0
        );
        row += 1;
        for b in &g.bars {
            let y = top + row_h * row as f64;
            let w = ((b.end - b.start) / span * chart_w).max(2.0);
            let id = escape_html(&b.id);
            let crit = if b.critical { " crit" } else { "" };
            let _ = writeln!(
                svg,
                "<text x=\"{lx}\" y=\"{ty:.1}\" font-size=\"10\" text-anchor=\"end\">{id}</text><rect class=\"bar {cls}{crit}\" x=\"{bx:.2}\" y=\"{by:.1}\" width=\"{w:.2}\" height=\"{bh}\" data-step=\"{id}\"><title>{id}: {d}</title></rect>",
                lx = label_w - 6.0,
                ty = y + 11.0,
                cls = b.class,
                bx = x(b.start),
                by = y + 2.0,
                bh = row_h - 4.0,
                d = escape_html(&dur(b.end - b.start, lang)),
            );
            row += 1;
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_scale_only_when_values_span_orders_of_magnitude() {
        assert_eq!(
            Scale::for_values([4.0, 900.0].into_iter()),
            Scale::Log(0.0, 3.0)
        );
        assert!(matches!(
            Scale::for_values([600.0, 900.0].into_iter()),
            Scale::Linear(_)
        ));
        let s = Scale::for_values([1.0, 1000.0].into_iter());
        assert!((s.pos(31.62) - 0.5).abs() < 0.01, "{s:?}");
    }

    #[test]
    fn short_drills_get_millisecond_ticks() {
        assert_eq!(tick_step(0.8), 0.1);
        assert_eq!(tick_step(0.03), 0.005);
        assert_eq!(tick_step(4.0 * 3600.0), 1800.0);
    }
}
