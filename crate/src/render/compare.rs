//! The step-3 comparison ([`crate::report::Comparison`]) for a terminal (aligned rows, a caret line under the
//! characters that differ) and for markdown (a table, differing characters between ‹ and ›).

use std::fmt::Write;

use crate::report::{CompareRow, Comparison};

/// The row's verdict in one word.
fn same_word(r: &CompareRow) -> &'static str {
    match r.matches {
        Some(true) => "same",
        Some(false) => "DIFFERS",
        None => "unknown",
    }
}

/// What a marker means, for the provider's heading.
fn marker_words(marker: Option<&str>) -> &'static str {
    match marker {
        Some("matched") => " — the provider the backend picks",
        Some("near") => " — would be picked but for the field marked DIFFERS",
        _ => "",
    }
}

/// The rows of each provider, in order.
fn by_provider(c: &Comparison) -> Vec<&[CompareRow]> {
    c.rows
        .chunk_by(|a, b| a.provider_index == b.provider_index)
        .collect()
}

/// A cell's text, or its note in parentheses when it has no text.
fn cell(text: &str, note: Option<&String>) -> String {
    match (text.is_empty(), note) {
        (true, Some(n)) => format!("({n})"),
        (true, None) => "(none)".to_owned(),
        (false, _) => text.to_owned(),
    }
}

/// A line of `^` under the characters of `text` in `spans` (character positions), or `None` when there are none.
fn carets(spans: &[[usize; 2]], indent: usize) -> Option<String> {
    let end = spans.iter().map(|s| s[1]).max()?;
    let mut line = " ".repeat(indent);
    for i in 0..end {
        line.push(if spans.iter().any(|s| s[0] <= i && i < s[1]) {
            '^'
        } else {
            ' '
        });
    }
    Some(line)
}

/// `text` with the characters in `spans` between `‹` and `›`.
fn marked(text: &str, spans: &[[usize; 2]]) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.chars().enumerate() {
        if spans.iter().any(|s| s[0] == i) {
            out.push('‹');
        }
        out.push(c);
        if spans.iter().any(|s| s[1] == i + 1) {
            out.push('›');
        }
    }
    out
}

/// The terminal block.
pub(super) fn text(out: &mut String, c: &Comparison, clean: impl Fn(&str) -> String) {
    let _ = writeln!(
        out,
        "\nStep 3 side by side (providers from {}; values as the backend compares them)",
        c.config_from
    );
    const LEFT: usize = 4 + 15 + 9;
    for rows in by_provider(c) {
        let Some(first) = rows.first() else { continue };
        let _ = writeln!(
            out,
            "  Provider {} ({}){}",
            first.provider_index + 1,
            first.kind,
            marker_words(first.marker)
        );
        for r in rows {
            let expected = clean(&cell(&r.expected, r.expected_note.as_ref()));
            let actual = clean(&cell(&r.actual, r.actual_note.as_ref()));
            let _ = writeln!(out, "    {:<15}config   {expected}", r.field);
            if let Some(line) = carets(&r.expected_diff, LEFT) {
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(out, "    {:<15}token    {actual}    [{}]", "", same_word(r));
            if let Some(line) = carets(&r.actual_diff, LEFT) {
                let _ = writeln!(out, "{line}");
            }
            for note in [&r.expected_note, &r.actual_note].into_iter().flatten() {
                if !r.expected.is_empty() && !r.actual.is_empty() {
                    let _ = writeln!(out, "    {:<15}note:    {}", "", clean(note));
                }
            }
        }
    }
    if c.providers_left_out > 0 {
        let _ = writeln!(out, "  ({} more providers not shown)", c.providers_left_out);
    }
}

/// The markdown table; `code` makes a value an inline code span, `prose` escapes engine text.
pub(super) fn markdown(
    out: &mut String,
    c: &Comparison,
    code: impl Fn(&str) -> String,
    prose: impl Fn(&str) -> String,
) {
    let _ = writeln!(
        out,
        "\n#### Step 3 side by side\n\nProviders from {}; values as the backend compares them; differing characters between ‹ and ›.\n",
        prose(c.config_from)
    );
    let _ = writeln!(
        out,
        "| Provider | Field | Configured | Token | Same? |\n|---|---|---|---|---|"
    );
    for r in &c.rows {
        let marker = match r.marker {
            Some(m) => format!(" ({m})"),
            None => String::new(),
        };
        let side = |text: &str, spans: &[[usize; 2]], note: Option<&String>| -> String {
            let mut s = if text.is_empty() {
                String::new()
            } else {
                code(&marked(text, spans))
            };
            if let Some(n) = note {
                s.push_str(if s.is_empty() { "" } else { " " });
                s.push_str(&format!("({})", prose(n)));
            }
            s.replace('|', "\\|")
        };
        let _ = writeln!(
            out,
            "| {} {}{} | {} | {} | {} | {} |",
            r.provider_index + 1,
            r.kind,
            marker,
            r.field,
            side(&r.expected, &r.expected_diff, r.expected_note.as_ref()),
            side(&r.actual, &r.actual_diff, r.actual_note.as_ref()),
            same_word(r)
        );
    }
    if c.providers_left_out > 0 {
        let _ = writeln!(out, "\n{} more providers not shown.", c.providers_left_out);
    }
}
