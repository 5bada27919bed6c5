//! The viewer's controls, written by the worker with the results so that they always show the
//! state the engine holds: the filter form, the filter note, the export and "forget" buttons, and
//! the reading progress.
//!
//! The page does not re-create them: it listens for `change` and `click` on the results container
//! (event delegation) and reads what it needs from the DOM by id and `data-action`, so these ids
//! and values are the contract with `pages/reports.rs`:
//! - `#filter-from`, `#filter-to`: `YYYY-MM-DD` or empty;
//! - `#filter-organization`, `#filter-result-type`: empty for all, [`NAMED`] + the value, or
//!   [`UNNAMED`] for reports without an organization name;
//! - buttons with `data-action` = `clear-filters`, `export-csv`, `export-json`, `forget`.

use super::html::Html;
use crate::engine::runner::Progress;
use crate::engine::session::Choices;
use crate::numbers::{bytes, count, duration_ms};
use stslens_core::tlsrpt::{Day, Filter};

/// Prefix of a select value naming an organization or result type.
pub const NAMED: char = '=';
/// Select value for reports without an organization name.
pub const UNNAMED: &str = "~";

/// The filter the form's values describe (the values as the form holds them: see the module
/// docs); the page calls this on every change.
pub fn filter_from_form(from: &str, to: &str, organization: &str, result_type: &str) -> Filter {
    Filter {
        from: Day::parse(from),
        to: Day::parse(to),
        organizations: match organization {
            "" => Vec::new(),
            UNNAMED => vec![None],
            named => named
                .strip_prefix(NAMED)
                .map(|n| vec![Some(n.to_owned())])
                .unwrap_or_default(),
        },
        result_types: result_type
            .strip_prefix(NAMED)
            .map(|t| vec![t.to_owned()])
            .unwrap_or_default(),
    }
}

fn date_input(
    h: &mut Html,
    id: &'static str,
    label: &'static str,
    value: Option<Day>,
    choices: &Choices,
) {
    let day = |d: Option<Day>| d.map(|d| d.to_string()).unwrap_or_default();
    h.raw("<div class=\"filter\"><label for=\"")
        .raw(id)
        .raw("\">")
        .raw(label)
        .raw("</label><input type=\"date\" id=\"")
        .raw(id)
        .raw("\" value=\"")
        .text(&day(value))
        .raw("\" min=\"")
        .text(&day(choices.first_day))
        .raw("\" max=\"")
        .text(&day(choices.last_day))
        .raw("\"></div>");
}

fn option(h: &mut Html, value: &str, label: &str, selected: bool) {
    h.raw("<option value=\"")
        .text(value)
        .raw(if selected { "\" selected>" } else { "\">" })
        .text(label)
        .raw("</option>");
}

/// The filter form, showing `filter`, offering `choices`; then what the filter shows.
pub fn filters(h: &mut Html, filter: &Filter, choices: &Choices, shown: u64) {
    h.raw("<form class=\"filters\" role=\"search\" aria-label=\"Filter the reports\">");
    date_input(h, "filter-from", "From", filter.from, choices);
    date_input(h, "filter-to", "To", filter.to, choices);

    h.raw("<div class=\"filter\"><label for=\"filter-organization\">Organization</label>")
        .raw("<select id=\"filter-organization\">");
    option(h, "", "All organizations", filter.organizations.is_empty());
    for o in &choices.organizations {
        let selected = filter.organizations.first() == Some(o);
        match o {
            Some(name) => option(h, &format!("{NAMED}{name}"), name, selected),
            None => option(h, UNNAMED, "(no organization-name)", selected),
        }
    }
    h.raw("</select></div>");

    h.raw("<div class=\"filter\"><label for=\"filter-result-type\">Result type</label>")
        .raw("<select id=\"filter-result-type\">");
    option(h, "", "All result types", filter.result_types.is_empty());
    for t in &choices.result_types {
        option(
            h,
            &format!("{NAMED}{t}"),
            t,
            filter.result_types.first() == Some(t),
        );
    }
    h.raw("</select></div>");
    h.raw(if filter.is_empty() {
        "<button type=\"button\" class=\"secondary\" id=\"clear-filters\" data-action=\"clear-filters\" disabled>Clear filters</button>"
    } else {
        "<button type=\"button\" class=\"secondary\" id=\"clear-filters\" data-action=\"clear-filters\">Clear filters</button>"
    });
    h.raw("</form>");
    if !filter.is_empty() {
        h.raw("<p class=\"small muted filter-note\">Showing ")
            .text(&count(shown))
            .raw(" of ")
            .text(&count(choices.reports))
            .raw(" reports.");
        if !filter.result_types.is_empty() {
            h.raw(
                " Session counts are those of the policies that reported this result type; \
                   the failure tables count only this type.",
            );
        }
        h.raw("</p>");
    }
}

/// The export and "forget" buttons.
pub fn actions(h: &mut Html) {
    h.raw("<h2 id=\"export\">Export</h2><div class=\"row export-actions\">")
        .raw("<button type=\"button\" id=\"export-csv\" data-action=\"export-csv\">Download CSV</button>")
        .raw("<button type=\"button\" class=\"secondary\" id=\"export-json\" data-action=\"export-json\">Download JSON</button>")
        .raw("<button type=\"button\" class=\"secondary danger\" id=\"forget\" data-action=\"forget\">Forget these reports</button>")
        .raw("</div><p class=\"hint\">CSV: one row per failure detail, as <code>stslens report --csv</code>. \
              JSON: this summary, as <code>stslens report --json</code>. Both follow the filters and are \
              made in the browser.</p>");
}

/// The progress bar and line of the current (or last) run; empty before the first input.
/// `data-done` and `data-elapsed-ms` let tests and the benchmark read the state.
pub fn progress(p: &Progress) -> String {
    let mut h = Html::new();
    if p.files_total == 0 {
        return String::new();
    }
    h.raw("<div class=\"ingest-progress\" data-done=\"")
        .raw(if p.done { "true" } else { "false" })
        .raw("\" data-elapsed-ms=\"")
        .int(p.elapsed_ms)
        .raw("\"><progress aria-label=\"Reading report files\" max=\"")
        .int(p.bytes_total.max(1))
        .raw("\" value=\"")
        .int(if p.done {
            p.bytes_total.max(1)
        } else {
            p.bytes_done
        })
        .raw("\"></progress><p class=\"small muted progress-text\">");
    if p.done {
        h.raw("Read ")
            .text(&count(p.files_total))
            .raw(if p.files_total == 1 {
                " file ("
            } else {
                " files ("
            })
            .text(&bytes(p.bytes_total))
            .raw(") in ")
            .text(&duration_ms(p.elapsed_ms))
            .raw(".");
    } else {
        h.raw("Reading ")
            .text(&count(p.files_done))
            .raw(" of ")
            .text(&count(p.files_total))
            .raw(" files · ")
            .text(&bytes(p.bytes_done))
            .raw(" of ")
            .text(&bytes(p.bytes_total));
        if let Some(current) = &p.current {
            h.raw(" · ").text(current);
        }
    }
    h.raw("</p></div>");
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_shows_the_filter_and_every_choice() {
        let choices = Choices {
            organizations: vec![Some("Acme \"Mail\"".into()), None],
            result_types: vec!["certificate-expired".into()],
            first_day: Day::parse("2025-03-01"),
            last_day: Day::parse("2025-03-14"),
            reports: 55,
        };
        let filter = Filter {
            from: Day::parse("2025-03-02"),
            organizations: vec![None],
            result_types: vec!["certificate-expired".into()],
            ..Filter::default()
        };
        let mut h = Html::new();
        filters(&mut h, &filter, &choices, 3);
        let html = h.finish();
        assert!(html.contains(
            "id=\"filter-from\" value=\"2025-03-02\" min=\"2025-03-01\" max=\"2025-03-14\""
        ));
        assert!(html.contains("id=\"filter-to\" value=\"\""));
        assert!(
            html.contains(
                "<option value=\"=Acme &quot;Mail&quot;\">Acme &quot;Mail&quot;</option>"
            )
        );
        assert!(html.contains("<option value=\"~\" selected>(no organization-name)</option>"));
        assert!(html.contains("<option value=\"=certificate-expired\" selected>"));
        assert!(
            html.contains("data-action=\"clear-filters\">Clear"),
            "enabled"
        );
        assert!(html.contains("Showing 3 of 55 reports. Session counts"));
        let mut h = Html::new();
        filters(&mut h, &Filter::default(), &choices, 55);
        let html = h.finish();
        assert!(html.contains("data-action=\"clear-filters\" disabled>"));
        assert!(!html.contains("Showing"));
    }

    #[test]
    fn the_form_values_read_back_as_the_filter_they_show() {
        assert_eq!(filter_from_form("", "", "", ""), Filter::default());
        let f = filter_from_form("2025-03-02", "not a date", "=~ Acme", "=(missing)");
        assert_eq!(f.from, Day::parse("2025-03-02"));
        assert_eq!(f.to, None);
        assert_eq!(f.organizations, [Some("~ Acme".to_owned())]);
        assert_eq!(f.result_types, ["(missing)"]);
        assert_eq!(filter_from_form("", "", "~", "").organizations, [None]);
        assert_eq!(
            filter_from_form("", "", "=", "").organizations,
            [Some(String::new())]
        );
    }

    #[test]
    fn progress_says_how_far_and_then_how_long() {
        assert_eq!(progress(&Progress::default()), "");
        let mut p = Progress {
            files_done: 1,
            files_total: 3,
            bytes_done: 1_000,
            bytes_total: 3_000,
            current: Some("<b>.json".into()),
            ..Progress::default()
        };
        let running = progress(&p);
        assert!(running.contains("data-done=\"false\""));
        assert!(running.contains("Reading 1 of 3 files · 1.0 kB of 3.0 kB · &lt;b&gt;.json"));
        p.done = true;
        p.elapsed_ms = 1_234;
        let done = progress(&p);
        assert!(done.contains("data-done=\"true\" data-elapsed-ms=\"1234\""));
        assert!(done.contains("value=\"3000\""));
        assert!(done.contains("Read 3 files (3.0 kB) in 1.23 s."));
    }
}
