//! The results section of `/reports`, rendered in the worker as HTML from core's [`Summary`].
//!
//! Why here and not as Leptos components on the page: the page's code is part of the site's
//! first load, which has a 300 KiB gzip budget for everything (checker, generator, viewer). The
//! results are static markup that changes only when the numbers change, so they are written as
//! escaped HTML by these plain functions (testable natively), in the worker module that is
//! fetched only by `/reports`, and the page puts the fragment in place. Interaction that needs
//! no script (the per-day table, "Show more rows") uses `<details>`; the filter form and the
//! buttons are part of the fragment, and the page acts on them by event delegation (see
//! [`controls`] for that contract).
//!
//! All report data goes through [`html::Html::text`] (escaped): reports are untrusted input.

pub mod breakdowns;
pub mod cards;
pub mod chart;
pub mod controls;
pub mod findings;
pub mod html;
pub mod table;

use super::session::Choices;
use html::Html;
use stslens_core::tlsrpt::{Filter, Summary};

/// The results: the filter form, headline cards, unreadable inputs, the daily chart, result types
/// with their explanations, the breakdowns, the reporter quirks and the export buttons. Empty
/// before any input (the page then shows what to expect).
pub fn results(s: &Summary, filter: &Filter, choices: &Choices) -> String {
    let mut h = Html::new();
    if s.inputs == 0 {
        return String::new();
    }
    h.raw("<h2 id=\"summary-title\">Summary</h2>");
    controls::filters(&mut h, filter, choices, s.reports);
    cards::cards(&mut h, s);
    findings::unreadable(&mut h, &s.errors);
    h.raw("<h2 id=\"daily\">Sessions per day</h2>");
    chart::daily_chart(&mut h, &s.daily);
    h.raw("<h2 id=\"result-types\">Failures by result type</h2>");
    findings::result_types(&mut h, &s.result_types);
    breakdowns::breakdowns(&mut h, s);
    controls::actions(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use stslens_core::tlsrpt::Ingest;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/../tests/fixtures/tlsrpt/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn the_corpus_renders_every_section_with_its_numbers() {
        let mut ingest = Ingest::new();
        for name in [
            "cry-inc-dmarc-report-viewer_rfc-example.json",
            "domainaware-parsedmarc_smtp_tls.json",
            "mjl-mox_microsoft.eml",
            "isseis-tlsrpt-digest_tlsrpt_failure.eml",
            "synthetic_negative_dmarc-aggregate.xml",
        ] {
            ingest.add(name, &fixture(name));
        }
        let s = ingest.summary();
        let html = results(&s, &Filter::default(), &Choices::default());
        for section in [
            "class=\"stats\"",
            "id=\"daily-desc\"",
            "id=\"result-types\"",
            "id=\"by-organization\"",
            "id=\"by-policy\"",
            "id=\"by-mx\"",
            "id=\"by-sending-ip\"",
            "id=\"quirks\"",
            "unreadable-title",
        ] {
            assert!(html.contains(section), "{section} missing");
        }
        assert!(html.contains(&crate::numbers::count(s.totals.successful_sessions)));
        for row in &s.result_types {
            assert!(
                html.contains(&format!("<code>{}</code>", row.result_type)),
                "{}",
                row.result_type
            );
        }
        assert!(html.contains("synthetic_negative_dmarc-aggregate.xml"));
        assert_eq!(html.matches("<svg").count(), 1);
        assert_eq!(
            html.matches("<rect class=\"bar-ok\"").count(),
            s.daily.iter().filter(|d| d.date.is_some()).count()
        );
    }

    #[test]
    fn report_data_is_escaped_everywhere() {
        let evil = "<img src=x onerror=alert(1)>";
        let json = format!(
            r#"{{"organization-name":"{evil}","report-id":"x",
              "date-range":{{"start-datetime":"2024-01-09T00:00:00Z","end-datetime":"2024-01-09T23:59:59Z"}},
              "policies":[{{"policy":{{"policy-type":"{evil}","policy-domain":"{evil}","policy-string":["mode: {evil}"]}},
                "summary":{{"total-successful-session-count":1,"total-failure-session-count":1}},
                "failure-details":[{{"result-type":"{evil}","failed-session-count":1,
                  "sending-mta-ip":"{evil}","receiving-mx-hostname":"{evil}"}}]}}]}}"#
        );
        let mut ingest = Ingest::new();
        ingest.add(evil, json.as_bytes());
        ingest.add(&format!("{evil}.json"), b"<svg onload=alert(1)>");
        let html = results(&ingest.summary(), &Filter::default(), &Choices::default());
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<svg onload"), "{html}");
        assert!(
            html.matches("&lt;img src=x onerror=alert(1)&gt;").count() >= 6,
            "{html}"
        );
    }
}
