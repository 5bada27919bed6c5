//! A data table: caption, headings, right-aligned numbers, the first rows shown and the rest
//! behind a native `<details>` (keyboard and screen-reader friendly, no script needed).

use super::html::Html;

/// Rows rendered at most per table; beyond that the page would grow heavy for little use.
pub const MAX_ROWS: usize = 500;

/// A column: its heading, and whether it holds numbers (right-aligned, tabular figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Heading.
    pub label: &'static str,
    /// Right-aligned.
    pub numeric: bool,
}

/// A text column.
pub const fn text(label: &'static str) -> Column {
    Column {
        label,
        numeric: false,
    }
}

/// A number column.
pub const fn number(label: &'static str) -> Column {
    Column {
        label,
        numeric: true,
    }
}

/// A table to render.
pub struct Table<'a> {
    /// A unique id for the table's "Show more" `<details>` (kept open across refreshes).
    pub id: &'static str,
    /// What the table shows (read first by screen readers).
    pub caption: &'static str,
    /// Headings; the first column heads each row.
    pub columns: &'a [Column],
    /// Cells, already formatted.
    pub rows: Vec<Vec<String>>,
    /// Rows shown before "Show more".
    pub shown: usize,
    /// Said when there are no rows.
    pub empty: &'static str,
}

fn head(h: &mut Html, caption: &'static str, columns: &[Column]) {
    h.raw("<div class=\"table-wrap\"><table><caption>")
        .raw(caption)
        .raw("</caption><thead><tr>");
    for c in columns {
        h.raw(if c.numeric {
            "<th scope=\"col\" class=\"num\">"
        } else {
            "<th scope=\"col\">"
        })
        .raw(c.label)
        .raw("</th>");
    }
    h.raw("</tr></thead><tbody>");
}

fn rows(h: &mut Html, columns: &[Column], rows: &[Vec<String>]) {
    for row in rows {
        h.raw("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let numeric = columns.get(i).is_some_and(|c| c.numeric);
            let (open, close) = match (i, numeric) {
                (0, _) => ("<th scope=\"row\">", "</th>"),
                (_, true) => ("<td class=\"num\">", "</td>"),
                (_, false) => ("<td>", "</td>"),
            };
            h.raw(open).text(cell).raw(close);
        }
        h.raw("</tr>");
    }
    h.raw("</tbody></table></div>");
}

/// Writes the table.
pub fn table(h: &mut Html, t: Table<'_>) {
    if t.rows.is_empty() {
        h.raw("<p class=\"muted small\">").raw(t.empty).raw("</p>");
        return;
    }
    let first = t.rows.len().min(t.shown);
    head(h, t.caption, t.columns);
    rows(h, t.columns, &t.rows[..first]);
    if t.rows.len() > first {
        let last = t.rows.len().min(MAX_ROWS.max(first));
        h.raw("<details class=\"more-rows\" id=\"")
            .raw(t.id)
            .raw("-more\"><summary>Show ")
            .text(&crate::numbers::count((last - first) as u64))
            .raw(" more rows</summary>");
        head(h, t.caption, t.columns);
        rows(h, t.columns, &t.rows[first..last]);
        if t.rows.len() > last {
            h.raw("<p class=\"hint\">")
                .text(&crate::numbers::count((t.rows.len() - last) as u64))
                .raw(" rows with the fewest failures are left out here; the JSON export has them all.</p>");
        }
        h.raw("</details>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: [Column; 2] = [text("Host"), number("Failed")];

    fn render(n: usize) -> String {
        let mut h = Html::new();
        table(
            &mut h,
            Table {
                id: "t",
                caption: "Failures",
                columns: &COLUMNS,
                rows: (0..n)
                    .map(|i| vec![format!("mx{i}.example.com"), i.to_string()])
                    .collect(),
                shown: 3,
                empty: "None.",
            },
        );
        h.finish()
    }

    #[test]
    fn the_first_rows_then_more_behind_details() {
        assert_eq!(render(0), "<p class=\"muted small\">None.</p>");
        let few = render(2);
        assert!(few.contains("<th scope=\"row\">mx1.example.com</th><td class=\"num\">1</td>"));
        assert!(!few.contains("<details"));
        let many = render(5);
        assert_eq!(many.matches("<tr><th scope=\"row\">").count(), 5);
        assert!(many.contains(
            "<details class=\"more-rows\" id=\"t-more\"><summary>Show 2 more rows</summary>"
        ));
        let huge = render(MAX_ROWS + 10);
        assert_eq!(huge.matches("<tr><th scope=\"row\">").count(), MAX_ROWS);
        assert!(huge.contains("10 rows with the fewest failures are left out here"));
    }
}
