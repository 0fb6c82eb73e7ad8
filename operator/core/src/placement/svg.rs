//! Rack elevation as SVG, like NetBox's rack view, plus what NetBox cannot show: each feed's
//! load with the other side lost, against its utilisation line (HOST-POWER).

use super::inventory::{Origin, RackState, feed_budget, unit_mask};
use crate::i18n::Lang;
use std::fmt::Write as _;

/// Height of one rack unit in pixels.
pub const U_PX: u32 = 20;
/// Top margin (title).
pub const TOP_PX: u32 = 48;
/// Left edge of the rack body.
pub const RACK_X: u32 = 40;
/// Width of the rack body.
pub const RACK_W: u32 = 220;
const BAR_W: u32 = 24;
/// Space between the two feed bars, room for their captions.
const BAR_GAP: u32 = 48;
/// Longest label that fits the rack body at 11 px.
const LABEL_CHARS: usize = 36;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// Cuts a label to what fits the rack body; the full text stays in the tooltip.
fn shorten(label: &str) -> String {
    if label.chars().count() <= LABEL_CHARS {
        return label.to_string();
    }
    let mut s: String = label.chars().take(LABEL_CHARS - 1).collect();
    s.push('…');
    s
}

/// The y coordinate of the top edge of unit `u` (U1 is at the bottom).
pub fn y_of_top(rack_height_u: u32, u: u32) -> u32 {
    TOP_PX + rack_height_u.saturating_sub(u) * U_PX
}

/// Draws one rack: U numbers, devices (agency and name), reserved units hatched, free units,
/// and A/B load bars with the other side lost against the utilisation line.
///
/// Every device is one `<rect class="device">`, every reserved run one
/// `<rect class="reserved">`, every free unit one `<rect class="free">`, so the drawing can
/// be checked without rendering it.
pub fn render_rack_svg(rack: &RackState, lang: Lang) -> String {
    let info = &rack.info;
    let h = info.height_u;
    let bars_x = RACK_X + RACK_W + 20;
    let width = bars_x + 2 * (BAR_W + BAR_GAP) + 20;
    let height = TOP_PX + h * U_PX + 40;
    let t = |en: &'static str, id: &'static str| if lang == Lang::En { en } else { id };
    let mut s = String::new();
    // `write!` into a String cannot fail; the results are ignored on purpose.
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#888" stroke-width="2"/></pattern></defs>
<title>{title}</title>
<text x="{RACK_X}" y="18" font-size="14" font-weight="bold">{title}</text>
<text x="{RACK_X}" y="34">{sub}</text>
<rect class="rack" x="{RACK_X}" y="{TOP_PX}" width="{RACK_W}" height="{rh}" fill="#f4f4f4" stroke="#333"/>
"##,
        title = esc(&format!("{} — {}", info.name, info.site)),
        sub = esc(&format!(
            "{} {} U, {} {} / {} W{}",
            t("free", "kosong"),
            rack.free_units(),
            t("heat", "panas"),
            rack.heat_watts(),
            info.cooling_watts,
            if info.cordoned {
                t(", cordoned", ", ditutup")
            } else {
                ""
            }
        )),
        rh = h * U_PX,
    );
    for u in 1..=h {
        let y = y_of_top(h, u);
        let _ = writeln!(
            s,
            r##"<text class="u" x="{x}" y="{ty}" text-anchor="end">{u}</text>"##,
            x = RACK_X - 6,
            ty = y + U_PX - 6,
        );
        let m = unit_mask(u, 1);
        if (rack.used_mask() | rack.reserved_mask()) & m == 0 {
            let _ = writeln!(
                s,
                r##"<rect class="free" x="{RACK_X}" y="{y}" width="{RACK_W}" height="{U_PX}" fill="#ffffff" stroke="#ddd"/>"##
            );
        }
    }
    for &(from, to) in &info.reserved {
        let to = to.min(h);
        if from == 0 || from > to {
            continue;
        }
        let y = y_of_top(h, to);
        let _ = writeln!(
            s,
            r##"<rect class="reserved" x="{RACK_X}" y="{y}" width="{RACK_W}" height="{rh}" fill="url(#hatch)" stroke="#888"/>"##,
            rh = (to - from + 1) * U_PX
        );
    }
    for o in rack.occupants() {
        let top = (o.position_u + o.height_u).saturating_sub(1).min(h);
        if o.position_u == 0 || o.position_u > top {
            continue;
        }
        let y = y_of_top(h, top);
        let dh = (top - o.position_u + 1) * U_PX;
        let fill = match o.origin {
            Origin::Existing => "#c9d6e3",
            Origin::Placed => "#9fd39f",
        };
        let label = match &o.agency {
            Some(a) => format!("{a} · {}", o.name),
            None => o.name.clone(),
        };
        let _ = writeln!(
            s,
            r##"<rect class="device" x="{x}" y="{y}" width="{w}" height="{dh}" fill="{fill}" stroke="#333"><title>{tip}</title></rect>"##,
            x = RACK_X + 2,
            w = RACK_W - 4,
            tip = esc(&format!(
                "{label}: U{}–U{top}, {} W",
                o.position_u, o.power_watts
            )),
        );
        let _ = writeln!(
            s,
            r##"<text class="label" x="{x}" y="{ty}">{label}</text>"##,
            x = RACK_X + 8,
            ty = y + dh / 2 + 4,
            label = esc(&shorten(&label)),
        );
    }
    // With one side lost, the other carries the whole rack load: one bar per surviving feed.
    let load = rack.load_watts();
    for (i, (feed, side, lost)) in [(&info.feed_a, "A", "B"), (&info.feed_b, "B", "A")]
        .into_iter()
        .enumerate()
    {
        let x = bars_x + u32::try_from(i).unwrap_or(0) * (BAR_W + BAR_GAP);
        let bar_h = h * U_PX;
        let _ = writeln!(
            s,
            r##"<text x="{x}" y="{ty}" font-size="10">{side} ({lost} {lost_word})</text>"##,
            ty = TOP_PX + bar_h + 16,
            lost_word = t("lost", "padam"),
        );
        let _ = writeln!(
            s,
            r##"<rect class="feed-frame" x="{x}" y="{TOP_PX}" width="{BAR_W}" height="{bar_h}" fill="none" stroke="#333"/>"##
        );
        let Some(feed) = feed else {
            let _ = writeln!(
                s,
                r##"<text x="{x}" y="{ty}" fill="#b00">{none}</text>"##,
                ty = TOP_PX + bar_h / 2,
                none = t("none", "tidak ada"),
            );
            continue;
        };
        let cap = u64::from(feed.capacity_watts.max(1));
        let budget = feed_budget(feed);
        let fill_px = u32::try_from((load.min(cap) * u64::from(bar_h)) / cap).unwrap_or(bar_h);
        let line_y = TOP_PX + bar_h
            - u32::try_from(budget.min(cap) * u64::from(bar_h) / cap).unwrap_or(bar_h);
        let colour = if load > budget { "#d9534f" } else { "#5cb85c" };
        let _ = writeln!(
            s,
            r##"<rect class="feed-load feed-{side}" x="{x}" y="{y}" width="{BAR_W}" height="{fill_px}" fill="{colour}"><title>{tip}</title></rect>"##,
            y = TOP_PX + bar_h - fill_px,
            tip = esc(&format!(
                "{}: {load} W / {budget} W ({}% of {cap} W)",
                feed.name, feed.max_utilization_percent
            )),
        );
        let _ = writeln!(
            s,
            r##"<line class="feed-limit" x1="{x1}" y1="{line_y}" x2="{x2}" y2="{line_y}" stroke="#000" stroke-dasharray="4 2"/>"##,
            x1 = x - 4,
            x2 = x + BAR_W + 4,
        );
        let _ = writeln!(
            s,
            r##"<text x="{tx}" y="{ty}" font-size="9">{pct}%</text>"##,
            tx = x + BAR_W + 6,
            ty = line_y + 3,
            pct = feed.max_utilization_percent,
        );
        let _ = writeln!(
            s,
            r##"<text x="{x}" y="{ty}">{pct}%</text>"##,
            ty = TOP_PX - 4,
            pct = load * 100 / cap,
        );
    }
    s.push_str("</svg>\n");
    s
}
