//! The second-request group in each report format: a column with the client's counts and
//! caching note, a table of scenarios × clients, and each client's requests (for the HTML
//! page: the values its templates show).

use super::super::matrix::{ClientReport, MatrixReport};
use super::super::second_request::{RepeatGroup, RepeatReport, RepeatVerdict};
use super::html_page::Shown;
use super::md;
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

/// The second-request table of the HTML page: scenarios × clients that were not skipped.
pub(super) struct RepeatTableView {
    pub(super) clients: Vec<Shown>,
    pub(super) rows: Vec<RepeatTableRow>,
    /// Each client's caching note.
    pub(super) caches: Vec<Shown>,
}

/// A scenario's row of [`RepeatTableView`].
pub(super) struct RepeatTableRow {
    pub(super) name: Shown,
    pub(super) about: Shown,
    pub(super) rfc: Shown,
    /// The model's word ([`model_word`]).
    pub(super) model: &'static str,
    /// Per client: class and verdict key (or `n/a: …`, `?`).
    pub(super) cells: Vec<(&'static str, Shown)>,
}

/// The values of the page's second-request table (`templates/live/second_request_table.html`).
pub(super) fn repeat_table_view(report: &MatrixReport) -> RepeatTableView {
    let ran: Vec<&ClientReport> = report
        .clients
        .iter()
        .filter(|c| c.skipped.is_none())
        .collect();
    let rows = report
        .second_request
        .iter()
        .map(|r| RepeatTableRow {
            name: Shown::new(&r.name),
            about: Shown::new(&r.about),
            rfc: Shown::new(&r.rfc),
            model: model_word(r.model_may_recall),
            cells: ran
                .iter()
                .map(|c| {
                    let (class, text) = match &c.second_request.not_applicable {
                        Some(note) => ("skip", format!("n/a: {note}")),
                        None => match run_of(c, &r.name) {
                            Some(s) => (verdict_class(s), repeat_key(&s.verdict)),
                            None => ("skip", "?".to_owned()),
                        },
                    };
                    (class, Shown::new(&text))
                })
                .collect(),
        })
        .collect();
    RepeatTableView {
        clients: ran.iter().map(|c| Shown::new(&c.name)).collect(),
        rows,
        caches: ran
            .iter()
            .map(|c| Shown::new(&repeat_cells(&c.second_request).1))
            .collect(),
    }
}

/// The class of a second-request verdict: `ok` (conforms), `bad` (fails, or the harness
/// failed), `muted` (a MAY choice that differs).
fn verdict_class(s: &RepeatReport) -> &'static str {
    if s.conforms() {
        "ok"
    } else if s.fails() || s.harness_error.is_some() {
        "bad"
    } else {
        "muted"
    }
}

/// A client's second-request group in its section of the HTML page.
pub(super) struct RepeatClientView {
    pub(super) not_applicable: Option<Shown>,
    pub(super) conforming: usize,
    pub(super) total: usize,
    pub(super) levels: Shown,
    pub(super) caches: Shown,
    pub(super) scenarios: Vec<RepeatScenarioRow>,
}

/// A scenario's row of [`RepeatClientView`].
pub(super) struct RepeatScenarioRow {
    pub(super) name: Shown,
    pub(super) class: &'static str,
    pub(super) verdict: Shown,
    pub(super) outcome: Shown,
    pub(super) model: Shown,
    pub(super) requests: Vec<RepeatRequestItem>,
}

/// A request of a [`RepeatScenarioRow`]: where it went, the status, and where it was meant
/// to go when that differs.
pub(super) struct RepeatRequestItem {
    pub(super) round: usize,
    pub(super) sent: Shown,
    pub(super) answered: u16,
    pub(super) instead_of: Option<Shown>,
}

/// The values of a client's second-request part of its section
/// (`templates/live/second_request_client.html`).
pub(super) fn repeat_client_view(c: &ClientReport) -> RepeatClientView {
    let group = &c.second_request;
    let (conforming, total) = group.counts();
    RepeatClientView {
        not_applicable: group.not_applicable.as_deref().map(Shown::new),
        conforming,
        total,
        levels: Shown::new(&group.levels().headline()),
        caches: Shown::new(&group.caches),
        scenarios: group
            .scenarios
            .iter()
            .map(|s| RepeatScenarioRow {
                name: Shown::new(&s.name),
                class: verdict_class(s),
                verdict: Shown::new(&s.line()),
                outcome: Shown::new(&s.outcome.summary()),
                model: Shown::new(s.model.as_deref().unwrap_or("-")),
                requests: s
                    .requests
                    .iter()
                    .map(|r| RepeatRequestItem {
                        round: r.round,
                        sent: Shown::new(&r.sent),
                        answered: r.answered,
                        instead_of: (r.sent != r.intended).then(|| Shown::new(&r.intended)),
                    })
                    .collect(),
            })
            .collect(),
    }
}
