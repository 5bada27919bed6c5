//! Successful and failed sessions per UTC day: an inline SVG bar chart, with the same numbers in
//! a table under it.
//!
//! Two panels with their own scales, successes above and failures below: failures are usually a
//! thousandth of the traffic and would not show on a shared scale; a day with any failure shows
//! at least a sliver. Days without reports are gaps. For assistive technology the SVG is one
//! image (`role="img"`) with a title and a description naming the period and the worst day; the
//! exact numbers are in the table.

use super::html::Html;
use crate::numbers::count;
use stslens_core::tlsrpt::Day;
use stslens_core::tlsrpt::aggregate::DayRow;

const WIDTH: f64 = 720.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 8.0;
const OK_TOP: f64 = 24.0;
const OK_HEIGHT: f64 = 110.0;
const FAIL_TOP: f64 = 164.0;
const FAIL_HEIGHT: f64 = 60.0;
const HEIGHT: f64 = 250.0;

fn offset(first: Day, day: Day) -> f64 {
    ((day.start().unix() - first.start().unix()) / 86_400) as f64
}

fn label(h: &mut Html, x: f64, y: f64, anchor: &'static str, class: &'static str, text: &str) {
    h.raw("<text x=\"")
        .num(x)
        .raw("\" y=\"")
        .num(y)
        .raw("\" text-anchor=\"")
        .raw(anchor)
        .raw("\"")
        .raw(class)
        .raw(">")
        .text(text)
        .raw("</text>");
}

fn bar(h: &mut Html, class: &'static str, x: f64, y: f64, width: f64, height: f64) {
    h.raw("<rect class=\"")
        .raw(class)
        .raw("\" x=\"")
        .num(x)
        .raw("\" y=\"")
        .num(y)
        .raw("\" width=\"")
        .num(width)
        .raw("\" height=\"")
        .num(height)
        .raw("\"/>");
}

fn svg(h: &mut Html, rows: &[&DayRow], first: Day, last: Day) {
    let span = offset(first, last) + 1.0;
    let step = (WIDTH - LEFT - RIGHT) / span;
    let width = (step * 0.8).max(1.0);
    let max_ok = rows
        .iter()
        .map(|d| d.successful_sessions)
        .max()
        .unwrap_or(0)
        .max(1);
    let max_fail = rows
        .iter()
        .map(|d| d.failed_sessions)
        .max()
        .unwrap_or(0)
        .max(1);
    let worst = rows
        .iter()
        .filter(|d| d.failed_sessions > 0)
        .max_by_key(|d| d.failed_sessions);
    let days = span as u64;
    // In a scroller: on a phone the chart keeps a readable size and scrolls sideways instead of
    // shrinking its labels to a few pixels.
    h.raw("<div class=\"chart-scroll\"><svg class=\"chart\" viewBox=\"0 0 720 250\" role=\"img\" aria-labelledby=\"daily-title daily-desc\">")
        .raw("<title id=\"daily-title\">Sessions per day</title><desc id=\"daily-desc\">")
        .text(&format!(
            "Successful and failed sessions per UTC day from {first} to {last} ({days} day{}). ",
            if days == 1 { "" } else { "s" }
        ))
        .text(&match worst {
            Some(w) => format!("Most failures on {} ({}).", w.date.expect("dated"), count(w.failed_sessions)),
            None => "No failures.".to_owned(),
        })
        .raw("</desc>");
    label(
        h,
        0.0,
        13.0,
        "start",
        " class=\"panel-label\"",
        "Successful sessions",
    );
    label(h, LEFT - 6.0, OK_TOP + 4.0, "end", "", &count(max_ok));
    label(h, LEFT - 6.0, OK_TOP + OK_HEIGHT, "end", "", "0");
    label(
        h,
        0.0,
        FAIL_TOP - 12.0,
        "start",
        " class=\"panel-label\"",
        "Failed sessions",
    );
    label(h, LEFT - 6.0, FAIL_TOP + 4.0, "end", "", &count(max_fail));
    label(h, LEFT - 6.0, FAIL_TOP + FAIL_HEIGHT, "end", "", "0");
    for (top, height) in [(OK_TOP, OK_HEIGHT), (FAIL_TOP, FAIL_HEIGHT)] {
        h.raw("<line class=\"axis\" x1=\"")
            .num(LEFT)
            .raw("\" x2=\"")
            .num(WIDTH - RIGHT)
            .raw("\" y1=\"")
            .num(top + height)
            .raw("\" y2=\"")
            .num(top + height)
            .raw("\"/>");
    }
    for d in rows {
        let x = LEFT + offset(first, d.date.expect("dated")) * step + (step - width) / 2.0;
        let ok = d.successful_sessions as f64 / max_ok as f64 * OK_HEIGHT;
        let fail = match d.failed_sessions {
            0 => 0.0,
            n => (n as f64 / max_fail as f64 * FAIL_HEIGHT).max(1.5),
        };
        bar(h, "bar-ok", x, OK_TOP + OK_HEIGHT - ok, width, ok);
        bar(h, "bar-fail", x, FAIL_TOP + FAIL_HEIGHT - fail, width, fail);
    }
    label(h, LEFT, HEIGHT - 4.0, "start", "", &first.to_string());
    if days > 2 {
        let middle = rows[rows.len() / 2].date.expect("dated");
        let x = LEFT + offset(first, middle) * step + step / 2.0;
        label(h, x, HEIGHT - 4.0, "middle", "", &middle.to_string());
    }
    if days > 1 {
        label(h, WIDTH - RIGHT, HEIGHT - 4.0, "end", "", &last.to_string());
    }
    h.raw("</svg></div>");
}

/// The chart (when a report is dated) and the table of every day.
pub fn daily_chart(h: &mut Html, daily: &[DayRow]) {
    let dated: Vec<&DayRow> = daily.iter().filter(|d| d.date.is_some()).collect();
    h.raw("<figure class=\"card chart-card\"><figcaption class=\"legend\">")
        .raw("<span><span class=\"swatch ok\"></span>Successful</span>")
        .raw("<span><span class=\"swatch fail\"></span>Failed</span>")
        .raw("<span class=\"muted\">per UTC day a report starts on</span></figcaption>");
    match (
        dated.first().and_then(|d| d.date),
        dated.last().and_then(|d| d.date),
    ) {
        (Some(first), Some(last)) => svg(h, &dated, first, last),
        _ => {
            h.raw(
                "<p class=\"muted small\">No report has a readable date, so there is no chart.</p>",
            );
        }
    }
    h.raw("<details id=\"daily-numbers\"><summary>Show the numbers per day</summary><div class=\"table-wrap\"><table>")
        .raw("<caption>Reports and sessions per UTC day</caption><thead><tr><th scope=\"col\">Day</th>")
        .raw("<th scope=\"col\" class=\"num\">Reports</th><th scope=\"col\" class=\"num\">Successful</th>")
        .raw("<th scope=\"col\" class=\"num\">Failed</th></tr></thead><tbody>");
    for d in daily {
        let day = d
            .date
            .map_or_else(|| "undated".to_owned(), |d| d.to_string());
        h.raw("<tr><th scope=\"row\">")
            .text(&day)
            .raw("</th><td class=\"num\">")
            .text(&count(d.reports))
            .raw("</td><td class=\"num\">")
            .text(&count(d.successful_sessions))
            .raw("</td><td class=\"num\">")
            .text(&count(d.failed_sessions))
            .raw("</td></tr>");
    }
    h.raw("</tbody></table></div></details></figure>");
}
