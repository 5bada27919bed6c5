//! A small HTML writer for the results the worker renders.
//!
//! Reports are untrusted input: anyone can mail one to a domain's `rua` address, so an
//! organization name, a host name or a failure reason may hold markup. Markup can only be written
//! through [`Html::raw`], which takes `&'static str` (literals in this crate, never report data);
//! everything else goes through [`Html::text`], which escapes the five HTML-significant
//! characters and so is safe both in element content and in double-quoted attribute values.
//! The site's CSP (no inline script, no inline style) is a second wall behind this one.

use std::fmt::Write;

/// An HTML fragment being written.
#[derive(Debug, Default)]
pub struct Html {
    out: String,
}

impl Html {
    /// An empty fragment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Markup written by this crate: tags, attribute names and constant values.
    pub fn raw(&mut self, markup: &'static str) -> &mut Self {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped: for element content and double-quoted attribute values alike.
    pub fn text(&mut self, text: &str) -> &mut Self {
        for c in text.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\'' => self.out.push_str("&#39;"),
                c => self.out.push(c),
            }
        }
        self
    }

    /// A number with one decimal (SVG coordinates).
    pub fn num(&mut self, n: f64) -> &mut Self {
        let _ = write!(self.out, "{n:.1}");
        self
    }

    /// An integer.
    pub fn int(&mut self, n: u64) -> &mut Self {
        let _ = write!(self.out, "{n}");
        self
    }

    /// Text in which spans between backticks are code, as the core writes its advice.
    pub fn rich(&mut self, text: &str) -> &mut Self {
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                self.raw("<code>").text(part).raw("</code>");
            } else {
                self.text(part);
            }
        }
        self
    }

    /// The fragment.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_open_markup_or_leave_an_attribute() {
        let mut h = Html::new();
        h.raw("<td title=\"")
            .text("x\" onmouseover=\"alert(1)")
            .raw("\">");
        h.text("<img src=x onerror=alert(1)> & 'q'").raw("</td>");
        assert_eq!(
            h.finish(),
            "<td title=\"x&quot; onmouseover=&quot;alert(1)\">&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;</td>"
        );
    }

    #[test]
    fn rich_text_codes_backtick_spans_and_escapes_them() {
        let mut h = Html::new();
        h.rich("Set `mode: <enforce>` then `bump` the id");
        assert_eq!(
            h.finish(),
            "Set <code>mode: &lt;enforce&gt;</code> then <code>bump</code> the id"
        );
    }
}
