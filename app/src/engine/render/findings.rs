//! What failed and why: each result type with the core's plain explanation and fix, and the
//! inputs that could not be read, each named with the core's reason.

use super::html::Html;
use crate::numbers::count;
use stslens_core::tlsrpt::InputError;
use stslens_core::tlsrpt::aggregate::ResultTypeRow;

/// The result types, most failures first.
pub fn result_types(h: &mut Html, rows: &[ResultTypeRow]) {
    if rows.is_empty() {
        h.raw("<p class=\"notice info\">No failures with a result type in these reports.</p>");
        return;
    }
    h.raw("<ul class=\"result-types\">");
    for row in rows {
        let e = &row.explanation;
        h.raw("<li class=\"result-type\"><div class=\"result-type-head\"><h3>")
            .text(e.title)
            .raw("</h3><code>")
            .text(&row.result_type)
            .raw("</code>")
            .raw(if e.known {
                "<span class=\"badge error\">"
            } else {
                "<span class=\"badge warning\">"
            })
            .text(&count(row.failed_sessions))
            .raw(" failed</span>");
        if !e.rfc.is_empty() {
            h.raw("<span class=\"rfc\">").text(e.rfc).raw("</span>");
        }
        h.raw("</div><p>")
            .rich(&e.meaning)
            .raw("</p><p class=\"result-fix\"><strong>Fix: </strong>")
            .rich(e.fix)
            .raw("</p></li>");
    }
    h.raw("</ul>");
}

/// The inputs (or items inside them) that could not be read; nothing when all were.
pub fn unreadable(h: &mut Html, errors: &[InputError]) {
    if errors.is_empty() {
        return;
    }
    h.raw("<section class=\"notice warning unreadable\" aria-labelledby=\"unreadable-title\"><h2 id=\"unreadable-title\">");
    match errors.len() {
        1 => h.raw("1 file or item could not be read"),
        n => h
            .text(&count(n as u64))
            .raw(" files or items could not be read"),
    };
    h.raw("</h2><p class=\"small\">The other files were counted. Each line names the file, and the item \
           inside it when it is an archive or an email.</p><ul>");
    for e in errors {
        h.raw("<li><code class=\"break\">")
            .text(&e.source)
            .raw("</code>: ")
            .text(&e.error.to_string())
            .raw("</li>");
    }
    h.raw("</ul></section>");
}
