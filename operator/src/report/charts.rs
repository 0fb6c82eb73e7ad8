//! Inline SVG charts, labelled in the reader's language: objectives against their targets
//! (log-scaled when values differ by orders of magnitude) and the step timeline.

use super::text::{dur, dur_short, escape_html};
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

    /// Tick values (before thinning).
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

/// Assumed advance of one glyph of the charts' font, in em. Generous for a sans-serif
/// system font (digits and lower case are about 0.55 em), so labels this estimate keeps
/// apart are apart on screen.
pub const GLYPH_EM: f64 = 0.62;

/// Font size of axis tick labels, px.
pub const TICK_FONT: f64 = 10.0;

/// Space kept between two tick labels, px.
const TICK_GAP: f64 = 4.0;

/// Estimated width of `label` at `font_px`.
pub fn label_width(label: &str, font_px: f64) -> f64 {
    label.chars().count() as f64 * GLYPH_EM * font_px
}

/// One labelled tick of an axis; the label is centred on `x`.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Position, px.
    pub x: f64,
    /// Label in the reader's language.
    pub label: String,
}

/// Drops every tick whose label would overlap the last one kept (the first is always kept):
/// on a log axis 10 s and 1 min sit close, and Indonesian labels are long.
pub fn thin(ticks: Vec<Tick>, font_px: f64) -> Vec<Tick> {
    let mut out: Vec<Tick> = Vec::with_capacity(ticks.len());
    for t in ticks {
        let fits = out.last().is_none_or(|p| {
            t.x - p.x
                >= (label_width(&p.label, font_px) + label_width(&t.label, font_px)) / 2.0
                    + TICK_GAP
        });
        if fits {
            out.push(t);
        }
    }
    out
}

/// The labelled ticks of a value axis `width` px wide starting at `x0`.
pub fn value_ticks(scale: Scale, x0: f64, width: f64, lang: Lang) -> Vec<Tick> {
    thin(
        scale
            .ticks()
            .into_iter()
            .map(|v| Tick {
                x: x0 + scale.pos(v) * width,
                label: dur_short(v, lang),
            })
            .collect(),
        TICK_FONT,
    )
}

/// The labelled ticks of the timeline's axis: `+0`, `+100 ms`… over `span` seconds.
pub fn time_ticks(span: f64, x0: f64, width: f64, lang: Lang) -> Vec<Tick> {
    let step = tick_step(span);
    let mut out = Vec::new();
    let mut i = 0u32;
    loop {
        let tick = step * f64::from(i);
        if tick > span + step * 0.001 {
            break;
        }
        out.push(Tick {
            x: x0 + tick / span * width,
            label: format!("+{}", dur_short(tick, lang)),
        });
        i += 1;
    }
    thin(out, TICK_FONT)
}

fn objectives_scale(rows: &[Objective]) -> Scale {
    Scale::for_values(
        rows.iter()
            .flat_map(|r| [r.achieved.unwrap_or(0.0), r.target]),
    )
}

/// The sentence under an objectives chart that says how its axis is scaled.
pub fn objectives_scale_note(rows: &[Objective]) -> pusdata_core::i18n::Text {
    match objectives_scale(rows) {
        Scale::Log(..) => t!("report-chart-log"),
        Scale::Linear(_) => t!("report-chart-linear"),
    }
}

/// Bars of achieved values with each row's target as a line across it.
pub fn objectives_svg(rows: &[Objective], lang: Lang) -> String {
    let scale = objectives_scale(rows);
    let (label_w, chart_w, row_h) = (190.0, 520.0, 26.0);
    let top = 8.0;
    let height = top + row_h * rows.len().max(1) as f64 + 40.0;
    let width = label_w + chart_w + 30.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart objectives\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\">\n"
    );
    let x = |v: f64| label_w + scale.pos(v) * chart_w;
    let axis_y = top + row_h * rows.len().max(1) as f64;
    for tick in value_ticks(scale, label_w, chart_w, lang) {
        let _ = writeln!(
            svg,
            "<line x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{axis_y}\" stroke=\"#ddd\"/><text class=\"tick\" x=\"{tx:.1}\" y=\"{ly}\" font-size=\"{TICK_FONT}\" text-anchor=\"middle\">{}</text>",
            escape_html(&tick.label),
            tx = tick.x,
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
    for tick in time_ticks(span, label_w, chart_w, lang) {
        let _ = writeln!(
            svg,
            "<line x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{axis_y}\" stroke=\"#e4e4e4\"/><text class=\"tick\" x=\"{tx:.1}\" y=\"{ly}\" font-size=\"{TICK_FONT}\" text-anchor=\"middle\">{}</text>",
            escape_html(&tick.label),
            tx = tick.x,
            ly = axis_y + 14.0,
        );
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

    /// No two labels closer than their (estimated) text width, on every log axis from
    /// 1 ms to 115 days and every timeline span, in both languages. The same ticks unthinned,
    /// labelled as before (`dur`), do overlap: the check bites.
    #[test]
    fn axis_tick_labels_never_overlap() {
        let apart = |ticks: &[Tick]| {
            ticks.windows(2).all(|w| {
                w[1].x - w[0].x
                    >= (label_width(&w[0].label, TICK_FONT) + label_width(&w[1].label, TICK_FONT))
                        / 2.0
            })
        };
        let mut overlapped_before = 0;
        for lang in [Lang::En, Lang::Id] {
            for lo in -3..=3 {
                for hi in lo + 1..=7 {
                    let scale = Scale::Log(f64::from(lo), f64::from(hi));
                    let ticks = value_ticks(scale, 190.0, 520.0, lang);
                    assert!(!ticks.is_empty(), "{scale:?}");
                    assert!(apart(&ticks), "{scale:?} {lang:?}: {ticks:?}");
                    let before: Vec<Tick> = scale
                        .ticks()
                        .into_iter()
                        .map(|v| Tick {
                            x: 190.0 + scale.pos(v) * 520.0,
                            label: dur(v, lang),
                        })
                        .collect();
                    overlapped_before += usize::from(!apart(&before));
                }
            }
            for span in [
                0.03,
                0.8,
                4.0,
                59.0,
                600.0,
                3600.0,
                4.0 * 3600.0,
                30.0 * 3600.0,
            ] {
                let ticks = time_ticks(span, 200.0, 540.0, lang);
                assert!(ticks.len() >= 2, "{span}: {ticks:?}");
                assert!(apart(&ticks), "{span} s {lang:?}: {ticks:?}");
            }
        }
        assert!(
            overlapped_before > 0,
            "unthinned labels overlapped somewhere"
        );
        // The realistic case: RTO 4 s achieved, target 4 h; 10 min and 1 h would touch.
        let drill = Scale::for_values([4.0, 900.0, 14_400.0].into_iter());
        let labels: Vec<String> = value_ticks(drill, 190.0, 520.0, Lang::Id)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels.first().map(String::as_str), Some("1 detik"));
        assert!(labels.len() >= 3, "{labels:?}");
    }

    #[test]
    fn short_drills_get_millisecond_ticks() {
        assert_eq!(tick_step(0.8), 0.1);
        assert_eq!(tick_step(0.03), 0.005);
        assert_eq!(tick_step(4.0 * 3600.0), 1800.0);
    }
}
