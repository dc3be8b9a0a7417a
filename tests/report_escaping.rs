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

/// The suite's `302-get` scenario renamed, described and redirecting to
/// `location` (then 200).
fn redirect_302(name: String, about: String, location: &str) -> Scenario {
    let mut scenario = redirspec::live::suite::suite()
        .into_iter()
        .find(|s| s.name == "302-get")
        .expect("302-get is in the suite");
    scenario.name = name;
    scenario.about = about;
    scenario.responses = vec![
        ScriptedResponse::redirect(302, location),
        ScriptedResponse::ok(),
    ];
    scenario
}

fn hostile_report() -> redirspec::live::MatrixReport {
    let client: Box<dyn ClientUnderTest> = Box::new(Hostile {
        name: format!("evil{HOSTILE}"),
    });
    let mut opts = MatrixOptions::new(vec![client]);
    opts.scenarios = vec![redirect_302(
        format!("scenario{HOSTILE}"),
        format!("about{HOSTILE}"),
        "/next?<script>",
    )];
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
    // askama's escaper writes numeric entities: &#60; &#62; &#34; &#39; &#38;.
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;&#34;&#39;"));
    assert!(html.contains("&#38;amp;"), "& escaped once more");
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

/// What the page may contain that is not text: the tags and attributes of our templates.
const TAGS: &[&str] = &[
    "html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "b", "code", "table", "tr",
    "th", "td", "a", "ul", "li", "br", "span", "details", "summary", "ol",
];
const ATTRIBUTES: &[&str] = &[
    "lang", "charset", "class", "colspan", "href", "id", "title", "start",
];

/// Reads `html` as markup: every tag is one of [`TAGS`] with attributes of [`ATTRIBUTES`]
/// (double-quoted values without `<`, `>` or `'`), and in attribute values and text every
/// `&` starts an entity and no `>` stands alone. Returns the attribute values and the text
/// between tags, as written.
fn markup(html: &str) -> (Vec<String>, String) {
    let (mut values, mut text) = (Vec::new(), String::new());
    let rest = html
        .strip_prefix("<!DOCTYPE html>")
        .expect("the page starts with its doctype");
    let entities_only = |s: &str, what: &str| {
        for (i, _) in s.match_indices('&') {
            let entity = &s[i + 1..];
            let end = entity.find(';').unwrap_or(usize::MAX);
            let name = &entity[..end.min(entity.len())];
            let ok = end < 10
                && (name.starts_with('#') && name[1..].bytes().all(|b| b.is_ascii_digit())
                    || name.bytes().all(|b| b.is_ascii_alphabetic()));
            assert!(ok, "a bare & in {what}: {:?}", &s[i..(i + 40).min(s.len())]);
        }
        assert!(!s.contains('>'), "a bare > in {what}: {s:?}");
    };
    let mut parts = rest.split('<');
    let first = parts.next().unwrap_or_default();
    entities_only(first, "text");
    text.push_str(first);
    for part in parts {
        let (tag, after) = part.split_once('>').expect("every < closes its tag");
        entities_only(after, "text");
        text.push_str(after);
        let tag = tag.strip_prefix('/').unwrap_or(tag);
        let (name, mut attrs) = tag.split_once(' ').unwrap_or((tag, ""));
        assert!(TAGS.contains(&name), "a tag not of our templates: <{tag}>");
        while !attrs.is_empty() {
            let (attr, value) = attrs
                .split_once("=\"")
                .unwrap_or_else(|| panic!("an attribute without a quoted value: <{tag}>"));
            assert!(ATTRIBUTES.contains(&attr), "attribute {attr:?} in <{tag}>");
            let (value, after) = value
                .split_once('"')
                .unwrap_or_else(|| panic!("an unclosed attribute value: <{tag}>"));
            assert!(!value.contains('\''), "a raw ' in an attribute: <{tag}>");
            entities_only(value, "an attribute value");
            values.push(value.to_owned());
            attrs = after.trim_start();
        }
    }
    (values, text)
}

const SCRIPT: &str = "<script>alert(1)</script>";
const SCRIPT_ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

/// A client that sends a request of its own making (a path and a header value with markup,
/// quotes and `&`) to the scenario's server, then fails with hostile text; from one process
/// too, so that it runs the second-request group.
struct RawSender;

impl RawSender {
    fn send(request: &ClientRequest) -> ClientOutcome {
        use std::io::{Read, Write};
        let authority = request
            .url
            .strip_prefix("http://")
            .and_then(|u| u.split('/').next())
            .unwrap_or_default();
        if let Ok(mut s) = std::net::TcpStream::connect(authority) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "GET /{SCRIPT}?a=\"b\"&c='d' HTTP/1.1\r\nHost: {authority}\r\n\
                 X-Evil: \"{SCRIPT}&\"\r\nConnection: close\r\n\r\n"
            );
            let mut answer = Vec::new();
            let _ = s.read_to_end(&mut answer);
        }
        ClientOutcome::Failed {
            message: format!("printed {SCRIPT} \"quoted\" & {HOSTILE}"),
        }
    }
}

impl ClientUnderTest for RawSender {
    fn name(&self) -> &str {
        "raw\"<script>alert(1)</script>&"
    }
    fn describe(&self) -> String {
        format!("a client with {SCRIPT} & \"quotes\" in its description")
    }
    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        Self::send(request)
    }
    fn repeats(&self) -> Result<(), String> {
        Ok(())
    }
    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        Self::send(request)
    }
}

/// A client named in a user's configuration whose program is missing.
struct Missing;

impl ClientUnderTest for Missing {
    fn name(&self) -> &str {
        "missing\"<script>alert(1)</script>&"
    }
    fn check_available(&self) -> Result<(), String> {
        Err(format!("not installed: {SCRIPT} \"&\""))
    }
    fn execute(&self, _request: &ClientRequest) -> ClientOutcome {
        ClientOutcome::Failed {
            message: "not run".to_owned(),
        }
    }
}

#[test]
fn the_html_page_holds_no_markup_from_data() {
    let mut opts = MatrixOptions::new(vec![Box::new(RawSender), Box::new(Missing)]);
    opts.scenarios = vec![redirect_302(
        format!("s\"{SCRIPT}&"),
        format!("about \"{SCRIPT}\" & more"),
        &format!("/next?a=\"b\"&c={SCRIPT}"),
    )];
    let mut repeat = redirspec::live::second_request::scenarios();
    repeat.truncate(1);
    repeat[0].scenario.name = format!("r\"{SCRIPT}&");
    repeat[0].scenario.about = format!("repeat about \"{SCRIPT}\" &");
    opts.repeat = repeat;
    opts.timeout = Duration::from_secs(5);
    let mut r = run(&opts, &|_| {}).expect("the run");
    r.skipped_scenarios
        .push((format!("n\"{SCRIPT}&"), format!("why \"{SCRIPT}\" &")));

    // The data reached the report: the test is not vacuous.
    let json = report::json(&r).expect("json");
    for needle in [
        "raw\\\"<script>alert(1)</script>&",
        "printed <script>alert(1)</script> \\\"quoted\\\" &",
        "not installed: <script>",
        "repeat about \\\"<script>",
        "/<script>alert(1)</script>?a=\\\"b\\\"&c='d'",
    ] {
        assert!(json.contains(needle), "{needle} not in the report: {json}");
    }

    let html = report::html(&r);
    assert!(!html.contains("<script"), "raw <script> in the page");
    assert!(
        html.ends_with("</body>\n</html>\n"),
        "the page ends as before"
    );
    let (values, text) = markup(&html);
    // The names, in attribute values (`href`, `id`) with their quotes and `&` escaped.
    for name in ["raw", "missing"] {
        let escaped = format!("c-{name}&#34;{SCRIPT_ESCAPED}&#38;");
        assert_eq!(
            values.iter().filter(|v| v.contains(&escaped)).count(),
            2,
            "{name}: the link and the section's id: {values:?}"
        );
    }
    // The texts, escaped, where the page shows them.
    for shown in [
        format!("raw&#34;{SCRIPT_ESCAPED}&#38;"),
        format!("printed {SCRIPT_ESCAPED} &#34;quoted&#34; &#38;"),
        format!("a client with {SCRIPT_ESCAPED} &#38; &#34;quotes&#34;"),
        format!("not installed: {SCRIPT_ESCAPED} &#34;&#38;&#34;"),
        format!("s&#34;{SCRIPT_ESCAPED}&#38;"),
        format!("about &#34;{SCRIPT_ESCAPED}&#34; &#38; more"),
        format!("r&#34;{SCRIPT_ESCAPED}&#38;"),
        format!("repeat about &#34;{SCRIPT_ESCAPED}&#34; &#38;"),
        format!("n&#34;{SCRIPT_ESCAPED}&#38;"),
        format!("why &#34;{SCRIPT_ESCAPED}&#34; &#38;"),
        format!("/{SCRIPT_ESCAPED}?a=&#34;b&#34;&#38;c=&#39;d&#39;"),
    ] {
        assert!(text.contains(&shown), "{shown} not shown: {html}");
    }
    assert!(
        !html.chars().any(|c| c.is_control() && c != '\n'),
        "raw control characters in HTML"
    );
}

/// The page's escaping is askama's default for `.html` templates: no template turns it off
/// for a value (`|safe`, `escape = "none"`, an `autoescape` block), and no template is
/// rendered with another extension.
#[test]
fn no_template_turns_escaping_off() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut templates = 0;
    for entry in std::fs::read_dir(root.join("templates/live")).expect("templates/live") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("a template");
        assert_eq!(path.extension().and_then(|e| e.to_str()), Some("html"));
        // Without whitespace, so that `| safe` or `{% filter safe %}` is found too.
        let squeezed: String = text.split_whitespace().collect();
        for off in ["|safe", "filtersafe", "autoescape", "|e(", "|escape("] {
            assert!(!squeezed.contains(off), "{off} in {}", path.display());
        }
        templates += 1;
    }
    assert!(templates >= 4, "the templates were not found");
    // No configuration that redefines the HTML escaper.
    assert!(!root.join("askama.toml").exists(), "askama.toml");
    let report = root.join("src/live/report");
    let code = std::fs::read_to_string(report.join("html_page.rs")).expect("code");
    assert!(code.contains("#[template(path = \"live/matrix.html\")]"));
    for file in ["html_page.rs", "second_request.rs"] {
        let code = std::fs::read_to_string(report.join(file)).expect("code");
        for off in [
            "escape =",
            "ext =",
            "source =",
            "HtmlSafe",
            "Safe(",
            "MaybeSafe",
        ] {
            assert!(!code.contains(off), "{off} in {file}");
        }
    }
}
