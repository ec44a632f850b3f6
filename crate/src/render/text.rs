//! The terminal report: the three steps, then findings with evidence and causes, then the tokens' claims.

use std::fmt::Write;

use super::{iso_date, step_title, value_text};
use crate::findings::{Severity, Status};
use crate::report::Report;

/// Tokens redacted, controls and format characters escaped (one function for every renderer): claims cannot
/// drive the terminal or reorder the line.
fn clean(s: &str) -> String {
    crate::text::redact::visible(s)
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
        Status::Warn => "WARN",
        Status::Unknown => "????",
    }
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Pass => "pass",
        Severity::Info => "info",
        Severity::Warn => "WARN",
        Severity::Fail => "FAIL",
    }
}

/// A finding's fix: the `Fix:` line, the command, and where to look.
fn fix_lines(out: &mut String, fix: &crate::findings::Fix) {
    let _ = writeln!(out, "        Fix: {}", clean(&fix.action));
    if let Some(command) = &fix.command {
        let _ = writeln!(out, "          run: {}", clean(command));
    }
    for p in &fix.places {
        let at = p.url.as_deref().or(p.hint.as_deref()).unwrap_or_default();
        let _ = writeln!(out, "          {}: {}", clean(&p.label), clean(at));
    }
}

/// One token: when and how it was sent, what became of it, and its claims explained.
fn token_block(out: &mut String, t: &crate::report::TokenView, latest_of_group: bool) {
    let _ = writeln!(
        out,
        "{} ({}, sent {}, {}), signature {}",
        if latest_of_group {
            "Latest token"
        } else {
            "\nToken"
        },
        t.source,
        iso_date(t.sent_at),
        t.outcome,
        t.signature
    );
    for c in &t.claims {
        let _ = writeln!(
            out,
            "  {:<6} {}  — {}",
            clean(&c.name),
            clean(&value_text(&c.value)),
            clean(&c.explanation)
        );
    }
}

/// Renders the report for a person at a terminal.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Convex Auth Doctor {}", report.doctor);
    let _ = writeln!(out, "{}\n", clean(&report.verdict));
    for s in &report.steps {
        let marker = if report.cause_step == Some(s.step) {
            "  <- cause"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "[{}] Step {}: {}{}\n       {}",
            status_word(s.status),
            s.step,
            step_title(s.step),
            marker,
            clean(&s.summary)
        );
    }
    if !report.deployments.is_empty() {
        let _ = writeln!(
            out,
            "\nDeployment: {}",
            clean(&report.deployments.join(", "))
        );
    }
    if let Some(c) = &report.comparison {
        super::compare::text(&mut out, c, clean);
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out, "\nFindings");
    }
    // Evidence times read relative to when the latest token was sent.
    let sent_at = report.tokens.last().map(|t| t.sent_at);
    for f in &report.findings {
        let _ = writeln!(
            out,
            "  {} {} (step {}): {}",
            severity_word(f.severity),
            f.code,
            f.step,
            clean(&f.message)
        );
        for (k, v) in &f.evidence {
            let _ = writeln!(
                out,
                "        {}: {}",
                clean(k),
                clean(&super::evidence_text(k, v, sent_at))
            );
        }
        for c in &f.causes {
            let _ = writeln!(out, "        - {}", clean(c));
        }
        if let Some(fix) = &f.fix {
            fix_lines(&mut out, fix);
        }
    }
    for g in super::group_views(report) {
        if let Some(title) = &g.title {
            let _ = writeln!(out, "\n{}", clean(title));
        }
        token_block(&mut out, g.latest, g.title.is_some());
        if !g.earlier.is_empty() {
            let _ = writeln!(out, "  Earlier tokens like it:");
        }
        for line in &g.earlier {
            let _ = writeln!(out, "    {}", clean(line));
        }
    }
    out
}
