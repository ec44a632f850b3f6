//! The support-thread report: redacted (no token, no signature; claims only), every captured value in a code
//! span so that markup in claims stays text.

use std::fmt::Write;

use super::{iso_date, step_title, value_text};
use crate::findings::Status;
use crate::report::Report;

/// A value as an inline code span that cannot be broken out of (backticks and newlines neutralised).
/// Tokens redacted and invisible characters escaped first ([`crate::text::redact::visible`], as every renderer).
fn code(s: &str) -> String {
    let s: String = crate::text::redact::visible(s)
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '\n' => ' ',
            c => c,
        })
        .collect();
    format!("`{s}`")
}

/// Plain prose from the engine or the server: tokens redacted and invisible characters escaped
/// ([`crate::text::redact::visible`]), then what markdown/HTML would interpret escaped.
fn prose(s: &str) -> String {
    let s = crate::text::redact::visible(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '*' | '_' | '[' | ']' | '|' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn status_icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Warn => "⚠️ warn",
        Status::Unknown => "❔ unknown",
    }
}

/// A finding's fix: the `Fix:` line, the command as a code span, dashboard links (made by the engine from the
/// deployment's name, never taken from captured text) or where the same pages are.
fn fix_lines(out: &mut String, fix: &crate::findings::Fix) {
    let _ = writeln!(out, "  - **Fix:** {}", prose(&fix.action));
    if let Some(command) = &fix.command {
        let _ = writeln!(out, "    - run {}", code(command));
    }
    for p in &fix.places {
        match (&p.url, &p.hint) {
            (Some(url), _) => {
                let _ = writeln!(out, "    - {}: <{}>", prose(&p.label), url);
            }
            (None, Some(hint)) => {
                let _ = writeln!(out, "    - {}: {}", prose(&p.label), prose(hint));
            }
            (None, None) => {}
        }
    }
}

/// One token: when and how it was sent, what became of it, and its claims explained, as a table.
fn token_table(out: &mut String, t: &crate::report::TokenView, latest_of_group: bool) {
    let _ = writeln!(
        out,
        "\n{} ({}, sent {}, {}; signature {})\n",
        if latest_of_group {
            "Latest token"
        } else {
            "#### Token"
        },
        t.source,
        iso_date(t.sent_at),
        t.outcome,
        code(t.signature)
    );
    let _ = writeln!(out, "| Claim | Value | Meaning |\n|---|---|---|");
    for c in &t.claims {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            code(&c.name),
            code(&value_text(&c.value)).replace('|', "\\|"),
            prose(&c.explanation)
        );
    }
}

/// Renders the redacted markdown report.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### Convex Auth Doctor {} report\n", report.doctor);
    let _ = writeln!(out, "**{}**\n", prose(&report.verdict));
    let _ = writeln!(
        out,
        "| Step | Question | Status | Summary |\n|---|---|---|---|"
    );
    for s in &report.steps {
        let cause = if report.cause_step == Some(s.step) {
            " (cause)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {} | {} | {}{} | {} |",
            s.step,
            step_title(s.step),
            status_icon(s.status),
            cause,
            prose(&s.summary)
        );
    }
    if !report.deployments.is_empty() {
        let list: Vec<String> = report.deployments.iter().map(|d| code(d)).collect();
        let _ = writeln!(out, "\nDeployment: {}", list.join(", "));
    }
    if let Some(c) = &report.comparison {
        super::compare::markdown(&mut out, c, code, prose);
    }
    let _ = writeln!(out, "\n#### Findings\n");
    // Evidence times read relative to when the latest token was sent.
    let sent_at = report.tokens.last().map(|t| t.sent_at);
    for f in &report.findings {
        let sev = serde_json::to_value(f.severity)
            .map(|v| value_text(&v))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{}** `{}` (step {}): {}",
            sev,
            f.code,
            f.step,
            prose(&f.message)
        );
        for (k, v) in &f.evidence {
            let _ = writeln!(
                out,
                "  - {}: {}",
                prose(k),
                code(&super::evidence_text(k, v, sent_at))
            );
        }
        for c in &f.causes {
            let _ = writeln!(out, "  - cause: {}", prose(c));
        }
        if let Some(fix) = &f.fix {
            fix_lines(&mut out, fix);
        }
    }
    for g in super::group_views(report) {
        if let Some(title) = &g.title {
            let _ = writeln!(out, "\n#### {}", prose(title));
        }
        token_table(&mut out, g.latest, g.title.is_some());
        if !g.earlier.is_empty() {
            let _ = writeln!(out, "\nEarlier tokens like it:\n");
        }
        for line in &g.earlier {
            let _ = writeln!(out, "- {}", code(line));
        }
    }
    let _ = writeln!(
        out,
        "\n_The token itself and its signature are not included._"
    );
    out
}
