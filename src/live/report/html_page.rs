//! The HTML page of a [`MatrixReport`]: the values the page shows, gathered into plain view
//! structs, and rendered by askama from `templates/live/*.html`. Askama escapes every `{{ }}`
//! of an `.html` template (`&`, `<`, `>`, `"`, `'`), in text and in attribute values alike;
//! nothing is marked safe, so text from a client, a server or a user's configuration cannot
//! add markup. Text from outside is held as [`Shown`], which also makes control characters
//! visible.

use super::super::facts::FACT_NAMES;
use super::super::matrix::{ClientReport, MatrixReport, ScenarioReport};
use super::second_request::{repeat_client_view, repeat_ran, repeat_table_view};
use super::second_request::{RepeatClientView, RepeatTableView};
use super::{html_text, level_cells, levels, plain, suite_ran};
use askama::Template;
use std::fmt;

/// Text from outside (a client's output, a header or Location value, a client's name) as the
/// page shows it: control characters (NUL, ESC, CR, …; HTML forbids most of them) as a
/// visible `\u{..}` escape ([`plain`]). Markup characters are left to the template's
/// escaping.
pub(super) struct Shown(String);

impl Shown {
    pub(super) fn new(text: &str) -> Self {
        Shown(plain(text))
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Class of a `passed/total` cell: all, some or none passed, or nothing run.
fn cell_class(pass: usize, total: usize) -> &'static str {
    if total == 0 {
        "skip"
    } else if pass == total {
        "all"
    } else if pass == 0 {
        "none"
    } else {
        "some"
    }
}

/// The whole page.
#[derive(Template)]
#[template(path = "live/matrix.html")]
struct Page {
    version: Shown,
    clients: usize,
    elapsed_ms: u64,
    /// The aspect columns' names (ours).
    aspects: Vec<&'static str>,
    /// Columns a client's row spans when its suite was not run (the level, aspect and
    /// profile columns).
    suite_columns: usize,
    /// Columns a skipped client's note spans: two more when the second-request group ran.
    skipped_columns: usize,
    /// Whether the second-request group ran (its columns and its table are shown).
    repeat: bool,
    rows: Vec<HeadlineRow>,
    not_run: Vec<(Shown, Shown)>,
    facts: Option<FactsTable>,
    repeat_table: Option<RepeatTableView>,
    sections: Vec<ClientSection>,
}

/// A client's row of the headline table.
struct HeadlineRow {
    name: Shown,
    /// Why the client was skipped; the rest of the row is this note.
    skipped: Option<Shown>,
    /// The suite was not run (with its note, if any).
    suite_not_run: Option<Option<Shown>>,
    profile: Shown,
    /// MUST, security, SHOULD, MAY: the count and its cell's class.
    levels: Vec<(Shown, &'static str)>,
    conforming: Shown,
    aspects: Vec<Shown>,
    /// `MUST/security/SHOULD/MAY` under each profile.
    per_profile: Vec<String>,
    /// The second-request cells: class, `pass/total …`, caching note.
    repeat: Option<(&'static str, Shown, Shown)>,
}

/// "What each client did": the facts of the clients that ran the suite.
struct FactsTable {
    clients: Vec<Shown>,
    /// A fact's name and its value per client.
    rows: Vec<(Shown, Vec<Shown>)>,
}

/// A client's section.
struct ClientSection {
    name: Shown,
    description: Shown,
    skipped: Option<Shown>,
    repeat: Option<RepeatClientView>,
    suite_not_run: Option<Option<Shown>>,
    profile: Shown,
    profile_how: &'static str,
    conforming: usize,
    total: usize,
    diverging: Vec<ScenarioRow>,
    conforming_rows: Vec<ScenarioRow>,
}

/// A scenario's row in a client's section.
struct ScenarioRow {
    name: Shown,
    about: Shown,
    group: Shown,
    class: &'static str,
    verdict: Shown,
    outcome: Shown,
    /// Per profile: class, the verdict's key (a tooltip) and ✓ or ✗.
    marks: Vec<(&'static str, Shown, &'static str)>,
    start_url: Shown,
    model: Option<ModelTrace>,
    observed: Vec<Shown>,
    bad_connections: Vec<Shown>,
}

/// What the model expected under the client's profile.
struct ModelTrace {
    profile: Shown,
    requests: Vec<Shown>,
    end: Shown,
}

/// The report as one self-contained HTML page (inline CSS, no scripts, no external
/// resources).
pub(super) fn html(report: &MatrixReport) -> String {
    let repeat = repeat_ran(report);
    let page = Page {
        version: Shown::new(&report.version),
        clients: report.clients.len(),
        elapsed_ms: report.elapsed_ms,
        aspects: levels::ASPECTS.iter().map(|(a, _)| *a).collect(),
        suite_columns: levels::ASPECTS.len() + 9,
        skipped_columns: levels::ASPECTS.len() + 9 + if repeat { 2 } else { 0 },
        repeat,
        rows: report
            .clients
            .iter()
            .map(|c| headline_row(c, repeat))
            .collect(),
        not_run: report
            .skipped_scenarios
            .iter()
            .map(|(n, why)| (Shown::new(n), Shown::new(why)))
            .collect(),
        facts: facts_table(report),
        repeat_table: repeat.then(|| repeat_table_view(report)),
        sections: report
            .clients
            .iter()
            .map(|c| client_section(c, repeat))
            .collect(),
    };
    // Rendering into a String fails only when a value's `Display` does, and none of ours
    // does; should askama ever report an error, the page says so instead of half a page.
    match page.render() {
        // askama drops a template's last newline; the file ends with one, as before.
        Ok(html) => html + "\n",
        Err(e) => format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>redirspec \
             matrix</title></head><body><p>The report could not be rendered: {}</p>\
             </body></html>\n",
            html_text(&e.to_string())
        ),
    }
}

fn headline_row(c: &ClientReport, repeat: bool) -> HeadlineRow {
    let ran = suite_ran(c);
    let [must, sec, should, may, conf] = level_cells(c);
    let levels = [(must, true), (sec, true), (should, true), (may, false)]
        .into_iter()
        .map(|(v, bad)| {
            let class = if v == "0" || !bad { "num" } else { "num none" };
            (Shown::new(&v), class)
        })
        .collect();
    HeadlineRow {
        name: Shown::new(&c.name),
        skipped: c.skipped.as_deref().map(Shown::new),
        suite_not_run: (!ran).then(|| c.suite_skipped.as_deref().map(Shown::new)),
        profile: Shown::new(c.profile.as_deref().unwrap_or("-")),
        levels,
        conforming: Shown::new(&conf),
        aspects: levels::ASPECTS
            .iter()
            .map(|(_, fields)| Shown::new(&levels::aspect_cell(c, fields)))
            .collect(),
        per_profile: c
            .levels_by_profile
            .iter()
            .map(|l| format!("{}/{}/{}/{}", l.must, l.security, l.should, l.may))
            .collect(),
        repeat: repeat.then(|| {
            let (cell, caches) = super::second_request::repeat_cells(&c.second_request);
            let (p, t) = c.second_request.counts();
            (cell_class(p, t), Shown::new(&cell), Shown::new(&caches))
        }),
    }
}

fn facts_table(report: &MatrixReport) -> Option<FactsTable> {
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if ran.is_empty() {
        return None;
    }
    Some(FactsTable {
        clients: ran.iter().map(|c| Shown::new(&c.name)).collect(),
        rows: FACT_NAMES
            .iter()
            .enumerate()
            .map(|(i, fact)| {
                let values = ran
                    .iter()
                    .map(|c| Shown::new(c.facts.get(i).map_or("?", |f| f.value.as_str())))
                    .collect();
                (Shown::new(fact), values)
            })
            .collect(),
    })
}

fn client_section(c: &ClientReport, repeat: bool) -> ClientSection {
    let profile = c.profile.as_deref().unwrap_or("");
    let (diverging, conforming): (Vec<&ScenarioReport>, Vec<&ScenarioReport>) =
        c.scenarios.iter().partition(|s| !s.conforms(profile));
    let rows = |list: &[&ScenarioReport]| {
        list.iter()
            .map(|s| scenario_row(s, profile))
            .collect::<Vec<_>>()
    };
    ClientSection {
        name: Shown::new(&c.name),
        description: Shown::new(&c.description),
        skipped: c.skipped.as_deref().map(Shown::new),
        repeat: repeat.then(|| repeat_client_view(c)),
        suite_not_run: (!suite_ran(c)).then(|| c.suite_skipped.as_deref().map(Shown::new)),
        profile: Shown::new(profile),
        profile_how: if c.profile_requested {
            "requested"
        } else {
            "best match"
        },
        conforming: conforming.len(),
        total: c.scenarios.len(),
        diverging: rows(&diverging),
        conforming_rows: rows(&conforming),
    }
}

fn scenario_row(s: &ScenarioReport, profile: &str) -> ScenarioRow {
    let verdict = s.verdict(profile);
    let class = match verdict.map(|v| &v.verdict) {
        Some(v) if s.harness_error.is_none() && !v.fails() => "ok",
        _ => "bad",
    };
    ScenarioRow {
        name: Shown::new(&s.name),
        about: Shown::new(&s.about),
        group: Shown::new(&s.group),
        class,
        verdict: Shown::new(&levels::verdict_text(s, profile)),
        outcome: Shown::new(&s.outcome.summary()),
        marks: s
            .verdicts
            .iter()
            .map(|v| {
                let (class, mark) = if v.verdict.conforms() {
                    ("ok", "✓")
                } else {
                    ("bad", "✗")
                };
                (class, Shown::new(&v.verdict.key()), mark)
            })
            .collect(),
        start_url: Shown::new(&s.start_url),
        model: verdict.map(|v| ModelTrace {
            profile: Shown::new(profile),
            requests: v
                .expected
                .requests
                .iter()
                .map(|r| Shown::new(&r.summary()))
                .collect(),
            end: Shown::new(&serde_json::to_string(&v.expected.end).unwrap_or_default()),
        }),
        observed: s
            .observed
            .iter()
            .map(|r| Shown::new(&r.summary()))
            .collect(),
        bad_connections: s.bad_connections.iter().map(|b| Shown::new(b)).collect(),
    }
}
