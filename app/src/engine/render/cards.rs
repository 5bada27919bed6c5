//! The headline numbers: reports, sessions, success rate, period, organizations.

use super::html::Html;
use crate::numbers::{count, percent};
use stslens_core::tlsrpt::Summary;

fn card(h: &mut Html, class: &'static str, label: &'static str, value: &str, note: &str) {
    h.raw("<div class=\"stat")
        .raw(class)
        .raw("\"><div class=\"label\">")
        .raw(label)
        .raw("</div><div class=\"value\">")
        .text(value)
        .raw("</div><div class=\"note\">")
        .text(note)
        .raw("</div></div>");
}

/// One card per headline number, each with a short note saying what it counts.
pub fn cards(h: &mut Html, s: &Summary) {
    let t = s.totals;
    let sessions = t.successful_sessions.saturating_add(t.failed_sessions);
    h.raw("<div class=\"stats\" role=\"group\" aria-label=\"Summary\">");
    let duplicates = match s.duplicates {
        0 => "distinct reports".to_owned(),
        1 => "and 1 duplicate, counted once".to_owned(),
        n => format!("and {} duplicates, counted once", count(n)),
    };
    card(h, "", "Reports", &count(s.reports), &duplicates);
    card(
        h,
        " ok",
        "Successful sessions",
        &count(t.successful_sessions),
        "TLS connections that passed the policy",
    );
    let failed_note = if t.failed_sessions_in_details != t.failed_sessions {
        format!(
            "{} in the failure details",
            count(t.failed_sessions_in_details)
        )
    } else {
        "connections a sender could not secure".to_owned()
    };
    card(
        h,
        " fail",
        "Failed sessions",
        &count(t.failed_sessions),
        &failed_note,
    );
    card(
        h,
        "",
        "Success rate",
        &percent(t.successful_sessions, sessions).unwrap_or_else(|| "–".into()),
        &format!("of {} sessions", count(sessions)),
    );
    let period = match s.period {
        Some(p) if p.first_day == p.last_day => p.first_day.to_string(),
        Some(p) => format!("{} – {}", p.first_day, p.last_day),
        None => "–".into(),
    };
    let days = s.daily.iter().filter(|d| d.date.is_some()).count();
    let mut note = format!(
        "{days} day{} with reports (UTC)",
        if days == 1 { "" } else { "s" }
    );
    if let Some(undated) = s.daily.iter().find(|d| d.date.is_none()) {
        note.push_str(&format!("; {} undated", count(undated.reports)));
    }
    card(h, " period", "Period", &period, &note);
    let names: Vec<&str> = s
        .by_organization
        .iter()
        .take(3)
        .map(|o| o.organization.as_deref().unwrap_or("(unnamed)"))
        .collect();
    card(
        h,
        "",
        "Organizations",
        &count(s.by_organization.len() as u64),
        &names.join(", "),
    );
    h.raw("</div>");
}
