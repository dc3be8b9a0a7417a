//! Every report format fed hostile text: a client whose name, description and error message,
//! and a scenario whose name and description, carry markup, quotes, table cell breaks, NUL,
//! terminal escapes and what invalid UTF-8 becomes (U+FFFD). The reports must show the text,
//! never obey it.
#![cfg(feature = "live")]

use redirspec::live::client::{ClientOutcome, ClientRequest, ClientUnderTest};
use redirspec::live::matrix::{run, MatrixOptions};
use redirspec::live::{report, Scenario, ScriptedResponse};
use std::time::Duration;

const HOSTILE: &str =
    "<script>alert(1)</script>\"' </td></tr><td> | x \u{0}\u{1b}[2J\r\n\u{fffd}&amp;";

/// A client that sends nothing and fails with a hostile message.
struct Hostile {
    name: String,
}

impl ClientUnderTest for Hostile {
    fn name(&self) -> &str {
        &self.name
    }
    fn describe(&self) -> String {
        format!("description {HOSTILE}")
    }
    fn execute(&self, _request: &ClientRequest) -> ClientOutcome {
        ClientOutcome::Failed {
            // Invalid UTF-8 from a peer arrives lossily converted.
            message: format!(
                "{HOSTILE} {}",
                String::from_utf8_lossy(b"bytes \xff\xfe\x00 end")
            ),
        }
    }
}

fn hostile_report() -> redirspec::live::MatrixReport {
    let client: Box<dyn ClientUnderTest> = Box::new(Hostile {
        name: format!("evil{HOSTILE}"),
    });
    let mut opts = MatrixOptions::new(vec![client]);
    let mut scenario = redirspec::live::suite::suite()
        .into_iter()
        .find(|s| s.name == "302-get")
        .expect("302-get is in the suite");
    scenario.name = format!("scenario{HOSTILE}");
    scenario.about = format!("about{HOSTILE}");
    scenario.responses = vec![
        ScriptedResponse::redirect(302, "/next?<script>"),
        ScriptedResponse::ok(),
    ];
    opts.scenarios = vec![Scenario { ..scenario }];
    opts.repeat = Vec::new();
    opts.timeout = Duration::from_secs(5);
    run(&opts, &|_| {}).expect("the run")
}

#[test]
fn every_report_format_shows_hostile_text_without_obeying_it() {
    let r = hostile_report();
    // The verdict carries the hostile message: the test is not vacuous.
    let json = report::json(&r).expect("json");
    assert!(json.contains("<script>alert(1)</script>"), "{json}");

    // JSON: valid, and the strings come back exactly.
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let name = parsed["clients"][0]["name"].as_str().expect("a name");
    assert_eq!(name, format!("evil{HOSTILE}"));
    assert!(
        !json.contains('\u{0}') && !json.contains('\u{1b}'),
        "raw controls in JSON"
    );

    // HTML: no markup from the peer, no raw control characters, quotes escaped.
    let html = report::html(&r);
    assert!(!html.contains("<script>"), "raw <script> in HTML");
    assert!(!html.contains("</td></tr><td> |"), "a peer closed a cell");
    assert!(!html.contains("\"'"), "raw quotes from the peer");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"));
    assert!(html.contains("&amp;amp;"), "& escaped once more");
    assert!(
        !html.chars().any(|c| c.is_control() && c != '\n'),
        "raw control characters in HTML"
    );
    assert!(html.contains("\\u{0}") && html.contains("\\u{1b}"));
    assert!(html.contains('\u{fffd}'), "invalid UTF-8 shows as U+FFFD");

    // Markdown: one line per table row, no pipe from the peer, no markup.
    let md = report::markdown(&r);
    assert!(!md.contains("<script>"), "raw <script> in Markdown");
    for line in md.lines().filter(|l| l.contains("evil")) {
        let unescaped = line.replace("\\|", "");
        assert!(
            !unescaped.contains(" | x "),
            "a peer's | opened a column: {line}"
        );
    }
    assert!(!md.chars().any(|c| c.is_control() && c != '\n'));

    // Text: no terminal escapes, no forged lines.
    for text in [report::text(&r), report::text_verbose(&r)] {
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "raw control characters in text: {text:?}"
        );
        assert!(text.contains("\\u{1b}"), "{text}");
        let forged: Vec<&str> = text.lines().filter(|l| l.starts_with('\u{fffd}')).collect();
        assert!(
            forged.is_empty(),
            "a peer's newline forged a line: {forged:?}\n{text}"
        );
    }
}
