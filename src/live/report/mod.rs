//! Writers for a [`MatrixReport`]: a text table for terminals, JSON, Markdown, and one
//! self-contained HTML page (inline CSS, no scripts, no external resources) rendered by askama
//! from `templates/live/` (`report/html_page.rs`); the second-request group's parts are in
//! `report/second_request.rs`.

mod html_page;
mod levels;
mod second_request;

pub use levels::without_ports;

use super::facts::FACT_NAMES;
use super::matrix::{ClientReport, MatrixReport};
use super::LiveError;
use second_request::{
    repeat_cells, repeat_divergence_rows, repeat_divergences_text, repeat_markdown, repeat_ran,
    repeat_text,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Whether the client ran scenarios of the fixed suite.
fn suite_ran(c: &ClientReport) -> bool {
    c.skipped.is_none() && c.suite_skipped.is_none() && !c.scenarios.is_empty()
}

/// The level cells of a client: MUST, security, SHOULD, MAY, conforming/total.
fn level_cells(c: &ClientReport) -> [String; 5] {
    match (suite_ran(c), c.levels()) {
        (true, Some(l)) => [
            l.must.to_string(),
            l.security.to_string(),
            l.should.to_string(),
            l.may.to_string(),
            format!("{}/{}", l.conforms, l.total),
        ],
        _ => std::array::from_fn(|_| "-".to_owned()),
    }
}

/// The headline table: per client its profile and level counts.
fn headline_text(out: &mut String, report: &MatrixReport, name_w: usize) {
    let _ = writeln!(
        out,
        "{:<name_w$}  {:<8}  {:>4}  {:>8}  {:>6}  {:>3}  {:>8}",
        "client", "profile", "MUST", "security", "SHOULD", "MAY", "conforms"
    );
    for c in &report.clients {
        if let Some(note) = &c.skipped {
            let _ = writeln!(out, "{:<name_w$}  skipped: {}", plain(&c.name), plain(note));
            continue;
        }
        let profile = match suite_ran(c) {
            false => "-",
            true => c.profile.as_deref().unwrap_or("-"),
        };
        let [must, sec, should, may, conf] = level_cells(c);
        let _ = write!(
            out,
            "{:<name_w$}  {profile:<8}  {must:>4}  {sec:>8}  {should:>6}  {may:>3}  {conf:>8}",
            plain(&c.name)
        );
        if repeat_ran(report) {
            let (cell, caches) = repeat_cells(&c.second_request);
            let _ = write!(out, "  second-request {cell}, caches {caches}");
        }
        out.push('\n');
    }
}

/// One screen: per client its level counts under its profile and its worst findings
/// (security first, then MUST, SHOULD, MAY); [`text_verbose`] has everything.
pub fn text(report: &MatrixReport) -> String {
    text_with(report, false)
}

/// Everything: the headline, divergences per aspect, counts per profile, what each client
/// did, the second-request group, and every divergence of every client.
pub fn text_verbose(report: &MatrixReport) -> String {
    text_with(report, true)
}

fn text_with(report: &MatrixReport, verbose: bool) -> String {
    let mut out = String::new();
    let name_w = report
        .clients
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let scenarios = report
        .clients
        .iter()
        .map(|c| c.scenarios.len())
        .max()
        .unwrap_or(0);
    let _ = writeln!(
        out,
        "redirspec {}: {} clients, {scenarios} scenarios each, {:.1} s. Counts are scenarios \
         departing from a rule of that level under the client's profile; MAY = another \
         choice the spec allows (not a failure).\n",
        report.version,
        report.clients.len(),
        report.elapsed_ms as f64 / 1000.0
    );
    headline_text(&mut out, report, name_w);
    let shown = if verbose { usize::MAX } else { 3 };
    let mut more = 0;
    let _ = writeln!(
        out,
        "\n{}:",
        if verbose {
            "findings, worst first"
        } else {
            "worst findings"
        }
    );
    for c in report.clients.iter().filter(|c| suite_ran(c)) {
        let all = levels::findings(c);
        let failing: Vec<_> = all
            .iter()
            .filter(|(_, d)| verbose || d.security() || d.level() != crate::check::Level::May)
            .collect();
        if failing.is_empty() {
            let _ = writeln!(out, "  {}: none", plain(&c.name));
            continue;
        }
        let _ = writeln!(out, "  {}:", plain(&c.name));
        for (s, d) in failing.iter().take(shown) {
            let _ = writeln!(
                out,
                "    {:<26} {}",
                plain(&s.name),
                levels::divergence_text(d)
            );
        }
        more += failing.len().saturating_sub(shown);
    }
    for (name, why) in &report.skipped_scenarios {
        let _ = writeln!(out, "not run: {name}: {why}");
    }
    for c in report.clients.iter().filter(|c| c.skipped.is_none()) {
        if let Some(note) = &c.suite_skipped {
            let _ = writeln!(out, "{}: suite not run: {}", plain(&c.name), plain(note));
        }
    }
    if !verbose {
        // A forbidden reuse of a remembered redirect (a MUST of RFC 9111) is a failure:
        // shown on the one screen.
        for c in report.clients.iter().filter(|c| c.skipped.is_none()) {
            repeat_divergences_text(&mut out, c, false);
        }
        let _ = writeln!(
            out,
            "\n{more} more findings, divergences per aspect and profile, what each client did and \
             the second-request group: --verbose, or the HTML/JSON reports."
        );
        return plain_lines(&levels::without_ports(&out));
    }
    let _ = write!(
        out,
        "\ndivergences per aspect (MUST/SHOULD/security, +MAY):\n{:<name_w$}",
        "client"
    );
    for (a, _) in levels::ASPECTS {
        let _ = write!(out, "  {a:>12}");
    }
    out.push('\n');
    for c in report.clients.iter().filter(|c| suite_ran(c)) {
        let _ = write!(out, "{:<name_w$}", plain(&c.name));
        for (_, fields) in levels::ASPECTS {
            let _ = write!(out, "  {:>12}", levels::aspect_cell(c, fields));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nper profile (MUST/security/SHOULD/MAY, conforming):");
    for c in report.clients.iter().filter(|c| suite_ran(c)) {
        let per: Vec<String> = c
            .levels_by_profile
            .iter()
            .map(|l| {
                format!(
                    "{} {}/{}/{}/{} {}/{}",
                    l.profile, l.must, l.security, l.should, l.may, l.conforms, l.total
                )
            })
            .collect();
        let _ = writeln!(out, "  {:<name_w$}  {}", plain(&c.name), per.join("   "));
    }
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if !ran.is_empty() {
        let _ = writeln!(out, "\nwhat each client did:");
        for (i, fact) in FACT_NAMES.iter().enumerate() {
            let _ = writeln!(out, "  {fact}");
            for c in &ran {
                let v = c.facts.get(i).map_or("?", |f| f.value.as_str());
                let _ = writeln!(out, "    {:<name_w$}  {}", plain(&c.name), plain(v));
            }
        }
    }
    repeat_text(&mut out, report, name_w);
    for c in report.clients.iter().filter(|c| c.skipped.is_none()) {
        repeat_divergences_text(&mut out, c, true);
    }
    plain_lines(&levels::without_ports(&out))
}

/// [`plain`] on each line of `text` (the newlines of the report itself are kept).
fn plain_lines(text: &str) -> String {
    let mut o: String = text.split('\n').map(plain).collect::<Vec<_>>().join("\n");
    if text.ends_with('\n') && !o.ends_with('\n') {
        o.push('\n');
    }
    o
}

/// The matrix and the facts as two Markdown tables (for a README or an issue).
pub fn markdown(report: &MatrixReport) -> String {
    let cell = md;
    let mut out = String::new();
    let _ = write!(out, "| client | profile |");
    let _ = write!(
        out,
        " MUST | security | SHOULD | MAY | conforming | fetch | rfc9110 | rfc2616 |"
    );
    let repeat = repeat_ran(report);
    if repeat {
        out.push_str(" second request | caches redirects |");
    }
    let _ = write!(out, "\n|---|---|");
    out.push_str("---:|---:|---:|---:|---:|---:|---:|---:|");
    if repeat {
        out.push_str("---:|---|");
    }
    out.push('\n');
    for c in &report.clients {
        if let Some(note) = &c.skipped {
            let _ = writeln!(out, "| {} | skipped: {} |", cell(&c.name), cell(note));
            continue;
        }
        let suite = suite_ran(c);
        let profile = if suite {
            c.profile.as_deref().unwrap_or("-")
        } else {
            "-"
        };
        let _ = write!(out, "| {} | {} |", cell(&c.name), cell(profile));
        if suite {
            let [must, sec, should, may, conf] = level_cells(c);
            let _ = write!(out, " **{must}** | **{sec}** | {should} | {may} | {conf} |");
            for l in &c.levels_by_profile {
                let _ = write!(out, " {}/{}/{}/{} |", l.must, l.security, l.should, l.may);
            }
        } else {
            out.push_str(" - | - | - | - | - | - | - | - |");
        }
        if repeat {
            let (p, caches) = repeat_cells(&c.second_request);
            let _ = write!(out, " {} | {} |", cell(&p), cell(&caches));
        }
        out.push('\n');
    }
    out.push_str(
        "\nMUST, security, SHOULD, MAY: scenarios departing from a rule of that level under the \
         client's profile (MAY: another choice the spec allows, not a failure); per profile: \
         MUST/security/SHOULD/MAY.\n",
    );
    divergences_markdown(&mut out, report);
    aspects_markdown(&mut out, report);
    if repeat {
        repeat_markdown(&mut out, report);
    }
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if !ran.is_empty() {
        out.push_str("\n| what the client did |");
        for c in &ran {
            let _ = write!(out, " {} |", cell(&c.name));
        }
        out.push_str("\n|---|");
        for _ in &ran {
            out.push_str("---|");
        }
        out.push('\n');
        for (i, fact) in FACT_NAMES.iter().enumerate() {
            let _ = write!(out, "| {} |", cell(fact));
            for c in &ran {
                let v = c.facts.get(i).map_or("?", |f| f.value.as_str());
                let _ = write!(out, " {} |", cell(v));
            }
            out.push('\n');
        }
    }
    out
}

/// Every divergence under the client's profile, with its level and its rule's section (MAY:
/// a choice the spec leaves open, not a failure).
fn divergences_markdown(out: &mut String, report: &MatrixReport) {
    let mut rows = String::new();
    for c in report.clients.iter().filter(|c| c.skipped.is_none()) {
        repeat_divergence_rows(&mut rows, c);
    }
    for c in report.clients.iter().filter(|c| suite_ran(c)) {
        let Some(profile) = c.profile.as_deref() else {
            continue;
        };
        for s in &c.scenarios {
            let Some(d) = s.verdict(profile).and_then(|v| v.verdict.divergence()) else {
                continue;
            };
            let _ = writeln!(
                rows,
                "| {} | {} | {} | {} | {} ({}) | {} |",
                md(&c.name),
                md(&s.name),
                d.grade(),
                md(&d.key()),
                md(d.rule.section),
                md(d.rule.id),
                md(&levels::without_ports(&format!(
                    "expected {} | observed {}",
                    d.expected, d.observed
                ))),
            );
        }
    }
    if rows.is_empty() {
        return;
    }
    out.push_str(
        "\n| client | scenario | level | divergence | rule | expected / observed |\n\
         |---|---|---|---|---|---|\n",
    );
    out.push_str(&rows);
}

/// Divergences per aspect, one row per client.
fn aspects_markdown(out: &mut String, report: &MatrixReport) {
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if ran.is_empty() {
        return;
    }
    out.push_str("\n| divergences per aspect |");
    for (a, _) in levels::ASPECTS {
        let _ = write!(out, " {a} |");
    }
    out.push_str("\n|---|");
    for _ in levels::ASPECTS {
        out.push_str("---:|");
    }
    out.push('\n');
    for c in ran {
        let _ = write!(out, "| {} |", md(&c.name));
        for (_, fields) in levels::ASPECTS {
            let _ = write!(out, " {} |", levels::aspect_cell(c, fields));
        }
        out.push('\n');
    }
}

/// Version of `matrix.json`'s layout, its top-level `"schema"` field: it changes when a field
/// is removed or changes meaning, not when one is added.
pub const MATRIX_JSON_SCHEMA: u32 = 1;

/// The report as JSON with its [`MATRIX_JSON_SCHEMA`] as the first field, `{"schema":1,
/// "version":…, …}`: pretty-printed, or on one line when `compact` (a sixth of the size).
///
/// # Errors
/// [`LiveError::Json`] if serialisation fails.
pub fn json_with(report: &MatrixReport, compact: bool) -> Result<String, LiveError> {
    #[derive(serde::Serialize)]
    struct Versioned<'a> {
        schema: u32,
        #[serde(flatten)]
        report: &'a MatrixReport,
    }
    let v = Versioned {
        schema: MATRIX_JSON_SCHEMA,
        report,
    };
    if compact {
        serde_json::to_string(&v)
    } else {
        serde_json::to_string_pretty(&v)
    }
    .map_err(LiveError::Json)
}

/// The report as pretty-printed JSON ([`json_with`], not compact).
///
/// # Errors
/// [`LiveError::Json`] if serialisation fails.
pub fn json(report: &MatrixReport) -> Result<String, LiveError> {
    json_with(report, false)
}

/// Text for a terminal: control characters (ESC sequences, NUL, CR, newlines inside a
/// value) as a visible `\u{..}` escape, so that a peer's text cannot move the cursor or
/// forge lines.
fn plain(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(o, "\\u{{{:x}}}", u32::from(c));
        } else {
            o.push(c);
        }
    }
    o
}

/// Text outside a template that is read as HTML: control characters made visible
/// ([`plain`]), markup characters as entities by askama's HTML escaper (the one the page's
/// templates use).
fn html_text(s: &str) -> String {
    let Ok(escaped) = askama::filters::escape(plain(s), askama::filters::Html);
    escaped.to_string()
}

/// Text for a Markdown table cell: as [`html_text`] (GitHub renders inline HTML), with `|`
/// escaped so that it cannot open a column.
fn md(s: &str) -> String {
    html_text(s).replace('|', "\\|")
}

/// The report as one self-contained HTML page (inline CSS, no scripts, no external
/// resources), rendered from askama templates that escape every value.
pub fn html(report: &MatrixReport) -> String {
    html_page::html(report)
}

/// Writes `matrix.json`, `matrix.html` and `matrix.md` into `dir` (created if missing);
/// returns the JSON and HTML paths.
///
/// # Errors
/// [`LiveError::Io`] when the folder or a file cannot be written, [`LiveError::Json`] when
/// serialisation fails.
pub fn write_reports(report: &MatrixReport, dir: &Path) -> Result<(PathBuf, PathBuf), LiveError> {
    write_reports_with(report, dir, false)
}

/// [`write_reports`], with `matrix.json` on one line when `compact`.
///
/// # Errors
/// As [`write_reports`].
pub fn write_reports_with(
    report: &MatrixReport,
    dir: &Path,
    compact: bool,
) -> Result<(PathBuf, PathBuf), LiveError> {
    let io = |what: &Path| {
        let what = what.display().to_string();
        move |source| LiveError::Io {
            context: what,
            error: source,
        }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let json_path = dir.join("matrix.json");
    let html_path = dir.join("matrix.html");
    std::fs::write(&json_path, json_with(report, compact)?).map_err(io(&json_path))?;
    std::fs::write(&html_path, html(report)).map_err(io(&html_path))?;
    let md_path = dir.join("matrix.md");
    std::fs::write(&md_path, markdown(report)).map_err(io(&md_path))?;
    Ok((json_path, html_path))
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markdown_cells_escape_markup_controls_and_pipes() {
        assert_eq!(
            md("<a href=\"x\">&'|\u{1b}"),
            "&#60;a href=&#34;x&#34;&#62;&#38;&#39;\\|\\u{1b}"
        );
    }
}
