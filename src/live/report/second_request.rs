//! The second-request group in each report format: a column with the client's counts and
//! caching note, a table of scenarios × clients, and each client's requests.

use super::super::matrix::{ClientReport, MatrixReport};
use super::super::second_request::{RepeatGroup, RepeatReport, RepeatVerdict};
use super::{esc, md};
use std::fmt::Write as _;

/// The second-request cells of a client: `pass/total` with the levels of its departures
/// (`11/13 MUST 2`, `12/13 MAY 1`; or `n/a`) and the caching note.
pub(super) fn repeat_cells(group: &RepeatGroup) -> (String, String) {
    if group.not_applicable.is_some() {
        return ("n/a".to_owned(), "-".to_owned());
    }
    let (p, t) = group.counts();
    let l = group.levels();
    let mut cell = format!("{p}/{t}");
    for (name, n) in [
        ("MUST", l.must),
        ("security", l.security),
        ("SHOULD", l.should),
        ("MAY", l.may),
    ] {
        if n > 0 {
            let _ = write!(cell, " {name} {n}");
        }
    }
    (cell, group.caches.clone())
}
/// Whether any client ran the second-request group.
pub(super) fn repeat_ran(report: &MatrixReport) -> bool {
    !report.second_request.is_empty()
}
/// The model's word on a scenario of the second-request group.
fn model_word(may_recall: bool) -> &'static str {
    if may_recall {
        "may recall"
    } else {
        "must ask again"
    }
}
/// A verdict key for a table cell (`recalled`, `asked again`, `REUSED@2 [MUST
/// rfc9111-store]`, ...): a departure names its level and rule.
fn repeat_key(v: &RepeatVerdict) -> String {
    match v {
        RepeatVerdict::Recalled { .. } => "recalled".to_owned(),
        RepeatVerdict::AskedAgain => "asked again".to_owned(),
        other => format!(
            "{} [{} {}]",
            other.key().to_uppercase(),
            other.grade(),
            other.rule().id
        ),
    }
}
/// A client's run of the scenario `name`, when it has one.
fn run_of<'a>(c: &'a ClientReport, name: &str) -> Option<&'a RepeatReport> {
    c.second_request.scenarios.iter().find(|s| s.name == name)
}
/// A client's verdict key for the scenario `name`, `?` when it has none.
fn key_of(c: &ClientReport, name: &str) -> String {
    run_of(c, name).map_or_else(|| "?".to_owned(), |s| repeat_key(&s.verdict))
}
pub(super) fn repeat_text(out: &mut String, report: &MatrixReport, name_w: usize) {
    if !repeat_ran(report) {
        return;
    }
    let _ = writeln!(
        out,
        "\nsecond request (the same URL asked twice from one process; model: a private cache):"
    );
    let ran: Vec<&ClientReport> = report
        .clients
        .iter()
        .filter(|c| c.skipped.is_none())
        .collect();
    for r in &report.second_request {
        let _ = writeln!(
            out,
            "  {} (model: {}): {}",
            r.name,
            model_word(r.model_may_recall),
            r.about
        );
        for c in &ran {
            let cell = match &c.second_request.not_applicable {
                Some(note) => format!("not applicable: {note}"),
                None => key_of(c, &r.name),
            };
            let _ = writeln!(out, "    {:<name_w$}  {cell}", c.name);
        }
    }
}
/// A client's second-request departures with their level and rule: the failing ones (MUST,
/// SHOULD, security), and with `all` the MAY choices that differ too.
pub(super) fn repeat_divergences_text(out: &mut String, c: &ClientReport, all: bool) {
    let shown: Vec<_> = c
        .second_request
        .scenarios
        .iter()
        .filter(|s| s.harness_error.is_some() || s.fails() || (all && !s.conforms()))
        .collect();
    if shown.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\n{} second request: {} divergences ({})",
        c.name,
        shown.len(),
        c.second_request.levels().headline()
    );
    for s in shown {
        let _ = writeln!(out, "  {:<28} {}", s.name, s.line());
    }
}
/// The second-request rows of the Markdown divergence table (client, scenario, level,
/// divergence, rule, what happened).
pub(super) fn repeat_divergence_rows(rows: &mut String, c: &ClientReport) {
    for s in c
        .second_request
        .scenarios
        .iter()
        .filter(|s| s.harness_error.is_none() && !s.conforms())
    {
        let _ = writeln!(
            rows,
            "| {} | {} (second request) | {} | {} | {} ({}) | {} |",
            md(&c.name),
            md(&s.name),
            s.verdict.grade(),
            md(&s.verdict.key()),
            md(s.rule.section),
            md(s.rule.id),
            md(&super::levels::without_ports(&s.verdict.summary())),
        );
    }
}
pub(super) fn repeat_markdown(out: &mut String, report: &MatrixReport) {
    let ran: Vec<&ClientReport> = report
        .clients
        .iter()
        .filter(|c| c.skipped.is_none())
        .collect();
    out.push_str("\n| second request | model |");
    for c in &ran {
        let _ = write!(out, " {} |", md(&c.name));
    }
    out.push_str("\n|---|---|");
    for _ in &ran {
        out.push_str("---|");
    }
    out.push('\n');
    for r in &report.second_request {
        let _ = write!(
            out,
            "| {} ({}) | {} |",
            md(&r.name),
            md(&r.about),
            model_word(r.model_may_recall)
        );
        for c in &ran {
            let cell = match &c.second_request.not_applicable {
                Some(_) => "n/a".to_owned(),
                None => key_of(c, &r.name),
            };
            let _ = write!(out, " {} |", md(&cell));
        }
        out.push('\n');
    }
}
pub(super) fn repeat_html(h: &mut String, report: &MatrixReport) {
    if !repeat_ran(report) {
        return;
    }
    let ran: Vec<&ClientReport> = report
        .clients
        .iter()
        .filter(|c| c.skipped.is_none())
        .collect();
    h.push_str(
        "<h2 id=\"second-request\">Second request</h2><p class=\"muted\">Each client asks \
         for the same URL twice from one process (one client object). The model is a private \
         cache fed with the exchanges the server sent, at the times it sent them: \
         <b>recalled</b> = went straight to a remembered target the model allows; \
         <b>asked again</b> = asked the original URL again (always conformant: caching is a \
         MAY); <b>REUSED@N</b> = request N went to a target the model says must not be used, \
         with the level and id of the RFC 9111 rule it breaks (a MAY is not a failure). \
         Clients that cannot ask twice from one process are marked n/a.</p>\
         <table><tr><th>scenario</th><th>model</th>",
    );
    for c in &ran {
        let _ = write!(h, "<th>{}</th>", esc(&c.name));
    }
    h.push_str("</tr>");
    for r in &report.second_request {
        let _ = write!(
            h,
            "<tr><td><code>{}</code><br><span class=\"muted\">{}<br>{}</span></td><td>{}</td>",
            esc(&r.name),
            esc(&r.about),
            esc(&r.rfc),
            model_word(r.model_may_recall)
        );
        for c in &ran {
            let (class, text) = match &c.second_request.not_applicable {
                Some(note) => ("skip", format!("n/a: {note}")),
                None => match run_of(c, &r.name) {
                    Some(s) if s.conforms() => ("ok", repeat_key(&s.verdict)),
                    Some(s) if s.fails() || s.harness_error.is_some() => {
                        ("bad", repeat_key(&s.verdict))
                    }
                    Some(s) => ("muted", repeat_key(&s.verdict)),
                    None => ("skip", "?".to_owned()),
                },
            };
            let _ = write!(h, "<td class=\"{class}\">{}</td>", esc(&text));
        }
        h.push_str("</tr>");
    }
    h.push_str("<tr><th>caches redirects</th><td></td>");
    for c in &ran {
        let _ = write!(h, "<td>{}</td>", esc(&repeat_cells(&c.second_request).1));
    }
    h.push_str("</tr></table>");
}
pub(super) fn repeat_client_html(h: &mut String, c: &ClientReport) {
    let group = &c.second_request;
    if let Some(note) = &group.not_applicable {
        let _ = write!(
            h,
            "<p class=\"skip\">second request: not applicable ({})</p>",
            esc(note)
        );
        return;
    }
    let (p, t) = group.counts();
    let _ = write!(
        h,
        "<p>Second request: {p} of {t} conform ({}); caches redirects: <b>{}</b>.</p>\
         <table><tr><th>scenario</th><th>verdict</th><th>client outcome</th><th>model on the \
         second request</th><th>requests</th></tr>",
        esc(&group.levels().headline()),
        esc(&group.caches)
    );
    for s in &group.scenarios {
        let class = if s.conforms() {
            "ok"
        } else if s.fails() || s.harness_error.is_some() {
            "bad"
        } else {
            "muted"
        };
        let text = s.line();
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"{class}\">{}</td><td>{}</td><td>{}</td>\
             <td><ol start=\"0\">",
            esc(&s.name),
            esc(&text),
            esc(&s.outcome.summary()),
            esc(s.model.as_deref().unwrap_or("-"))
        );
        for r in &s.requests {
            let _ = write!(
                h,
                "<li>round {}: <code>{}</code> → {}{}</li>",
                r.round,
                esc(&r.sent),
                r.answered,
                if r.sent == r.intended {
                    String::new()
                } else {
                    format!(" (instead of <code>{}</code>)", esc(&r.intended))
                }
            );
        }
        h.push_str("</ol></td></tr>");
    }
    h.push_str("</table>");
}
