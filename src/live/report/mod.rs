//! Writers for a [`MatrixReport`]: a text table for terminals, JSON, and one self-contained
//! HTML page (inline CSS, no scripts, no external resources); the second-request group's parts
//! are in `report/second_request.rs`.

mod second_request;

use super::compare::Verdict;
use super::facts::FACT_NAMES;
use super::matrix::{ClientReport, MatrixReport, ScenarioReport};
use super::LiveError;
use second_request::{
    repeat_cells, repeat_client_html, repeat_divergences_text, repeat_html, repeat_markdown,
    repeat_ran, repeat_text,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Passing / total for `client` in `group`, under its reported profile.
fn group_counts(client: &ClientReport, group: &str) -> (usize, usize) {
    let profile = client.profile.as_deref().unwrap_or("");
    let in_group = client.scenarios.iter().filter(|s| s.group == group);
    let total = in_group.clone().count();
    let pass = in_group.filter(|s| s.conforms(profile)).count();
    (pass, total)
}

/// Whether the client ran scenarios of the fixed suite.
fn suite_ran(c: &ClientReport) -> bool {
    c.skipped.is_none() && c.suite_skipped.is_none() && !c.scenarios.is_empty()
}

/// A group cell: `pass/total`, or `-` for a client that did not run the suite.
fn group_cell(c: &ClientReport, group: &str) -> String {
    if !suite_ran(c) {
        return "-".to_owned();
    }
    let (p, t) = group_counts(c, group);
    format!("{p}/{t}")
}

/// The matrix as a plain-text table, then each client's divergences.
pub fn text(report: &MatrixReport) -> String {
    let mut out = String::new();
    let name_w = report
        .clients
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = write!(out, "{:<name_w$}  {:<8}", "client", "profile");
    for g in &report.groups {
        let _ = write!(out, "  {:>11}", g);
    }
    let _ = write!(out, "  {:>9}", "total");
    if repeat_ran(report) {
        let _ = write!(out, "  {:>14}  {:>6}", "second-request", "caches");
    }
    out.push('\n');
    for c in &report.clients {
        if let Some(note) = &c.skipped {
            let _ = writeln!(out, "{:<name_w$}  skipped: {note}", c.name);
            continue;
        }
        let profile = match suite_ran(c) {
            false => "-",
            true => c.profile.as_deref().unwrap_or("-"),
        };
        let _ = write!(out, "{:<name_w$}  {profile:<8}", c.name);
        for g in &report.groups {
            let _ = write!(out, "  {:>11}", group_cell(c, g));
        }
        let total = match (suite_ran(c), c.total()) {
            (true, Some(t)) => format!("{}/{}", t.conforms, t.total),
            _ => "-".to_owned(),
        };
        let _ = write!(out, "  {total:>9}");
        if repeat_ran(report) {
            let (cell, caches) = repeat_cells(&c.second_request);
            let _ = write!(out, "  {cell:>14}  {caches:>6}");
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\nconformance per profile (scenarios conforming):");
    for c in report.clients.iter().filter(|c| suite_ran(c)) {
        let per: Vec<String> = c
            .totals
            .iter()
            .map(|t| format!("{} {}/{}", t.profile, t.conforms, t.total))
            .collect();
        let _ = writeln!(out, "  {:<name_w$}  {}", c.name, per.join("  "));
    }
    for (name, why) in &report.skipped_scenarios {
        let _ = writeln!(out, "not run: {name}: {why}");
    }
    for c in report.clients.iter().filter(|c| c.skipped.is_none()) {
        if let Some(note) = &c.suite_skipped {
            let _ = writeln!(out, "{}: suite not run: {note}", c.name);
        }
    }
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if !ran.is_empty() {
        let _ = writeln!(out, "\nwhat each client did:");
        for (i, fact) in FACT_NAMES.iter().enumerate() {
            let _ = writeln!(out, "  {fact}");
            for c in &ran {
                let v = c.facts.get(i).map_or("?", |f| f.value.as_str());
                let _ = writeln!(out, "    {:<name_w$}  {v}", c.name);
            }
        }
    }
    repeat_text(&mut out, report, name_w);
    for c in report.clients.iter().filter(|c| c.skipped.is_none()) {
        repeat_divergences_text(&mut out, c);
        let profile = c.profile.as_deref().unwrap_or("");
        let diverging: Vec<&ScenarioReport> = c
            .scenarios
            .iter()
            .filter(|s| !s.conforms(profile))
            .collect();
        if diverging.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{} under {profile}: {} divergences",
            c.name,
            diverging.len()
        );
        for s in diverging {
            let _ = writeln!(out, "  {:<28} {}", s.name, divergence_line(s, profile));
        }
    }
    out
}

fn divergence_line(s: &ScenarioReport, profile: &str) -> String {
    if let Some(e) = &s.harness_error {
        return format!("harness error: {e}");
    }
    match s.verdict(profile).map(|v| &v.verdict) {
        Some(Verdict::Diverges(d)) => format!(
            "{}: expected {} | observed {}",
            d.key(),
            d.expected,
            d.observed
        ),
        Some(Verdict::Conforms) => "conforms".to_owned(),
        None => "no verdict".to_owned(),
    }
}

/// The matrix and the facts as two Markdown tables (for a README or an issue).
pub fn markdown(report: &MatrixReport) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out = String::new();
    let _ = write!(out, "| client | profile |");
    for g in &report.groups {
        let _ = write!(out, " {g} |");
    }
    let _ = write!(out, " total | fetch | rfc9110 | rfc2616 |");
    let repeat = repeat_ran(report);
    if repeat {
        out.push_str(" second request | caches redirects |");
    }
    let _ = write!(out, "\n|---|---|");
    for _ in &report.groups {
        out.push_str("---:|");
    }
    out.push_str("---:|---:|---:|---:|");
    if repeat {
        out.push_str("---:|---|");
    }
    out.push('\n');
    for c in &report.clients {
        if let Some(note) = &c.skipped {
            let _ = writeln!(out, "| {} | skipped: {} |", c.name, cell(note));
            continue;
        }
        let suite = suite_ran(c);
        let profile = if suite {
            c.profile.as_deref().unwrap_or("-")
        } else {
            "-"
        };
        let _ = write!(out, "| {} | {profile} |", c.name);
        for g in &report.groups {
            let _ = write!(out, " {} |", group_cell(c, g));
        }
        if suite {
            let (p, t) = c.total().map_or((0, 0), |t| (t.conforms, t.total));
            let _ = write!(out, " **{p}/{t}** |");
            for t in &c.totals {
                let _ = write!(out, " {}/{} |", t.conforms, t.total);
            }
        } else {
            out.push_str(" - | - | - | - |");
        }
        if repeat {
            let (p, caches) = repeat_cells(&c.second_request);
            let _ = write!(out, " {p} | {caches} |");
        }
        out.push('\n');
    }
    if repeat {
        repeat_markdown(&mut out, report);
    }
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if !ran.is_empty() {
        out.push_str("\n| what the client did |");
        for c in &ran {
            let _ = write!(out, " {} |", c.name);
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

/// The report as pretty-printed JSON.
///
/// # Errors
/// [`LiveError::Json`] if serialisation fails.
pub fn json(report: &MatrixReport) -> Result<String, LiveError> {
    serde_json::to_string_pretty(report).map_err(LiveError::Json)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1200px;\
padding:0 1em;color:#1d1d1f}h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}\
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ddd;padding:.3em .6em;\
text-align:left;vertical-align:top}th{background:#f4f4f6}td.num{text-align:right;\
font-variant-numeric:tabular-nums}.all{background:#dff3e3}.some{background:#fff4d6}\
.none{background:#fbe0e0}.skip{color:#777;font-style:italic}code{font:12px ui-monospace,\
monospace}details{margin:.2em 0}summary{cursor:pointer}.ok{color:#17692c}.bad{color:#a31515}\
.muted{color:#666}";

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

/// The report as one self-contained HTML page.
pub fn html(report: &MatrixReport) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>redirspec matrix</title><style>{CSS}</style></head><body>\
         <h1>redirspec: HTTP redirect conformance matrix</h1>\
         <p class=\"muted\">redirspec {} · {} clients · {} ms. Each client ran every scenario \
         once against a scripted loopback server; what it sent is compared hop by hop with the \
         model under each profile, and it is reported under the profile it matches best unless \
         one was requested.</p><p class=\"muted\">Profiles: <b>fetch</b> = WHATWG Fetch \
         \u{201c}HTTP-redirect fetch\u{201d}; <b>rfc9110</b> = RFC 9110 §15.4 with RFC 3986 \
         parsing; <b>rfc2616</b> = the legacy strict reading of RFC 2616 §10.3. A cell counts \
         the scenarios of a group that conform; a divergence names the first field that \
         differs and the request it is on (<code>authorization@1</code>: the Authorization \
         header on the second request).</p>",
        esc(&report.version),
        report.clients.len(),
        report.elapsed_ms
    );
    h.push_str("<table><tr><th>client</th><th>profile</th>");
    for g in &report.groups {
        let _ = write!(h, "<th>{}</th>", esc(g));
    }
    h.push_str("<th>total</th><th>fetch</th><th>rfc9110</th><th>rfc2616</th>");
    let repeat = repeat_ran(report);
    if repeat {
        h.push_str("<th>second request</th><th>caches redirects</th>");
    }
    h.push_str("</tr>");
    for c in &report.clients {
        let _ = write!(h, "<tr><td><a href=\"#c-{0}\">{0}</a></td>", esc(&c.name));
        if let Some(note) = &c.skipped {
            let _ = write!(
                h,
                "<td class=\"skip\" colspan=\"{}\">skipped: {}</td></tr>",
                report.groups.len() + 5 + if repeat { 2 } else { 0 },
                esc(note)
            );
            continue;
        }
        if !suite_ran(c) {
            let _ = write!(
                h,
                "<td class=\"skip\" colspan=\"{}\">suite not run{}</td>",
                report.groups.len() + 5,
                c.suite_skipped
                    .as_deref()
                    .map(|n| format!(": {}", esc(n)))
                    .unwrap_or_default()
            );
        } else {
            let _ = write!(h, "<td>{}</td>", esc(c.profile.as_deref().unwrap_or("-")));
            for g in &report.groups {
                let (p, t) = group_counts(c, g);
                let _ = write!(h, "<td class=\"num {}\">{p}/{t}</td>", cell_class(p, t));
            }
            let (p, t) = c.total().map_or((0, 0), |t| (t.conforms, t.total));
            let _ = write!(h, "<td class=\"num {}\">{p}/{t}</td>", cell_class(p, t));
            for t in &c.totals {
                let _ = write!(h, "<td class=\"num\">{}/{}</td>", t.conforms, t.total);
            }
        }
        if repeat {
            let (cell, caches) = repeat_cells(&c.second_request);
            let (p, t) = c.second_request.counts();
            let _ = write!(
                h,
                "<td class=\"num {}\">{}</td><td>{}</td>",
                cell_class(p, t),
                esc(&cell),
                esc(&caches)
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
    if !report.skipped_scenarios.is_empty() {
        h.push_str("<p>Not run:</p><ul>");
        for (n, why) in &report.skipped_scenarios {
            let _ = write!(h, "<li><code>{}</code>: {}</li>", esc(n), esc(why));
        }
        h.push_str("</ul>");
    }
    facts_table(&mut h, report);
    repeat_html(&mut h, report);
    for c in &report.clients {
        client_section(&mut h, c, repeat_ran(report));
    }
    h.push_str("</body></html>\n");
    h
}

fn facts_table(h: &mut String, report: &MatrixReport) {
    let ran: Vec<&ClientReport> = report.clients.iter().filter(|c| suite_ran(c)).collect();
    if ran.is_empty() {
        return;
    }
    h.push_str(
        "<h2>What each client did</h2><p class=\"muted\">Read off the requests each \
                client sent, not judged against a profile.</p><table><tr><th></th>",
    );
    for c in &ran {
        let _ = write!(h, "<th>{}</th>", esc(&c.name));
    }
    h.push_str("</tr>");
    for (i, fact) in FACT_NAMES.iter().enumerate() {
        let _ = write!(h, "<tr><th>{}</th>", esc(fact));
        for c in &ran {
            let v = c.facts.get(i).map_or("?", |f| f.value.as_str());
            let _ = write!(h, "<td>{}</td>", esc(v));
        }
        h.push_str("</tr>");
    }
    h.push_str("</table>");
}

fn client_section(h: &mut String, c: &ClientReport, repeat: bool) {
    let _ = write!(
        h,
        "<h2 id=\"c-{0}\">{0}</h2><p class=\"muted\">{1}</p>",
        esc(&c.name),
        esc(&c.description)
    );
    if let Some(note) = &c.skipped {
        let _ = write!(h, "<p class=\"skip\">skipped: {}</p>", esc(note));
        return;
    }
    if repeat {
        repeat_client_html(h, c);
    }
    if !suite_ran(c) {
        let _ = write!(
            h,
            "<p class=\"skip\">suite not run{}</p>",
            c.suite_skipped
                .as_deref()
                .map(|n| format!(": {}", esc(n)))
                .unwrap_or_default()
        );
        return;
    }
    let profile = c.profile.as_deref().unwrap_or("");
    let (diverging, conforming): (Vec<&ScenarioReport>, Vec<&ScenarioReport>) =
        c.scenarios.iter().partition(|s| !s.conforms(profile));
    let _ = write!(
        h,
        "<p>Judged under <b>{}</b> ({}): {} of {} scenarios conform. The ✓/✗ columns give \
         the verdict under each profile.</p>",
        esc(profile),
        if c.profile_requested {
            "requested"
        } else {
            "best match"
        },
        conforming.len(),
        c.scenarios.len()
    );
    if !diverging.is_empty() {
        scenario_table(h, &diverging, profile);
    }
    if !conforming.is_empty() {
        let _ = write!(
            h,
            "<details><summary>{} conforming scenarios</summary>",
            conforming.len()
        );
        scenario_table(h, &conforming, profile);
        h.push_str("</details>");
    }
}

fn scenario_table(h: &mut String, scenarios: &[&ScenarioReport], profile: &str) {
    h.push_str(
        "<table><tr><th>scenario</th><th>group</th><th>verdict</th><th>client outcome</th>\
         <th title=\"fetch\">F</th><th title=\"rfc9110\">9110</th><th title=\"rfc2616\">2616</th>\
         <th>details</th></tr>",
    );
    for s in scenarios {
        let verdict = s.verdict(profile);
        let (class, text) = match (&s.harness_error, verdict.map(|v| &v.verdict)) {
            (Some(e), _) => ("bad", format!("harness error: {e}")),
            (None, Some(Verdict::Conforms)) => ("ok", "conforms".to_owned()),
            (None, Some(Verdict::Diverges(d))) => (
                "bad",
                format!(
                    "{}: expected {} · observed {}",
                    d.key(),
                    d.expected,
                    d.observed
                ),
            ),
            (None, None) => ("bad", "no verdict".to_owned()),
        };
        let _ = write!(
            h,
            "<tr><td><code>{}</code><br><span class=\"muted\">{}</span></td><td>{}</td>\
             <td class=\"{class}\">{}</td><td>{}</td>",
            esc(&s.name),
            esc(&s.about),
            esc(&s.group),
            esc(&text),
            esc(&s.outcome.summary())
        );
        for v in &s.verdicts {
            let (class, mark) = if v.verdict.conforms() {
                ("ok", "✓")
            } else {
                ("bad", "✗")
            };
            let _ = write!(
                h,
                "<td class=\"{class}\" title=\"{}\">{mark}</td>",
                esc(&v.verdict.key())
            );
        }
        h.push_str("<td><details><summary>trace</summary>");
        let _ = write!(h, "<p>start <code>{}</code></p>", esc(&s.start_url));
        if let Some(v) = verdict {
            let _ = write!(h, "<p>model ({}):</p><ol start=\"0\">", esc(profile));
            for r in &v.expected.requests {
                let _ = write!(h, "<li><code>{}</code></li>", esc(&r.summary()));
            }
            let _ = write!(
                h,
                "</ol><p class=\"muted\">model end: <code>{}</code></p>",
                esc(&serde_json::to_string(&v.expected.end).unwrap_or_default())
            );
        }
        h.push_str("<p>client:</p><ol start=\"0\">");
        for r in &s.observed {
            let _ = write!(h, "<li><code>{}</code></li>", esc(&r.summary()));
        }
        h.push_str("</ol>");
        for bad in &s.bad_connections {
            let _ = write!(h, "<p class=\"bad\">bad connection: {}</p>", esc(bad));
        }
        h.push_str("</details></td></tr>");
    }
    h.push_str("</table>");
}

/// Writes `matrix.json`, `matrix.html` and `matrix.md` into `dir` (created if missing);
/// returns the JSON and HTML paths.
///
/// # Errors
/// [`LiveError::Io`] when the folder or a file cannot be written, [`LiveError::Json`] when
/// serialisation fails.
pub fn write_reports(report: &MatrixReport, dir: &Path) -> Result<(PathBuf, PathBuf), LiveError> {
    let io = |what: &Path| {
        let what = what.display().to_string();
        move |source| LiveError::Io {
            context: what,
            source,
        }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let json_path = dir.join("matrix.json");
    let html_path = dir.join("matrix.html");
    std::fs::write(&json_path, json(report)?).map_err(io(&json_path))?;
    std::fs::write(&html_path, html(report)).map_err(io(&html_path))?;
    let md_path = dir.join("matrix.md");
    std::fs::write(&md_path, markdown(report)).map_err(io(&md_path))?;
    Ok((json_path, html_path))
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn html_escaping() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
