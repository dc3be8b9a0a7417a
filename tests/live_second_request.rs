//! The second-request group on loopback: clients that can ask twice from one process, against
//! pinned expectations, and fake clients that show each verdict can be reached.
//!
//! Each client's verdicts are pinned in `tests/live_expectations/second-request/<client>.txt`,
//! one `scenario verdict-key` line each; a change in either direction fails. Run with
//! `REDIRSPEC_BLESS=1` to rewrite the files from what was observed. A client whose program is
//! missing is skipped with a printed note.
//!
//! Budget: the clients here are the in-process ones, curl, node's fetch, python requests, Java
//! and Chromium (the one that caches); the others (wget, urllib, urllib3, LWP, HTTP::Tiny)
//! behave like the libraries here and are covered by `redirspec matrix`.
#![cfg(feature = "live")]

use redirspec::live::matrix::client_by_name;
use redirspec::live::second_request::{run_repeat, scenarios, RepeatGroup, RepeatScenario};
use redirspec::live::{ClientOutcome, ClientRequest, ClientUnderTest, ServerLimits};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

fn expectations_path(client: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/live_expectations/second-request")
        .join(format!("{client}.txt"))
}

fn read_pinned(client: &str) -> Option<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(expectations_path(client)).ok()?;
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                Some((w.next()?.to_owned(), w.next()?.to_owned()))
            })
            .collect(),
    )
}

fn run_group(client: &dyn ClientUnderTest) -> RepeatGroup {
    RepeatGroup::run(
        client,
        &scenarios(),
        Duration::from_secs(15),
        ServerLimits::default(),
        &mut |_| {},
    )
}

fn check(client_name: &str) {
    let client = client_by_name(client_name).expect("known client");
    if let Err(note) = client.check_available() {
        eprintln!("skipping {client_name}: {note}");
        return;
    }
    let group = run_group(client.as_ref());
    assert_eq!(group.not_applicable, None);
    let observed: BTreeMap<String, String> = group
        .scenarios
        .iter()
        .map(|s| {
            let key = match &s.harness_error {
                Some(_) => "harness-error".to_owned(),
                None => s.verdict.key(),
            };
            (s.name.clone(), key)
        })
        .collect();
    let pinned = read_pinned(client_name);
    if std::env::var_os("REDIRSPEC_BLESS").is_some() || pinned.is_none() {
        let mut text = format!(
            "# Pinned second-request verdicts of {client_name} ({}).\n\
             # One line per scenario: name, then recalled | asked-again | reused@N | incomplete.\n\
             # caches redirects: {}\n\
             # Regenerate with REDIRSPEC_BLESS=1 cargo test --features live --test live_second_request\n",
            client.describe(),
            group.caches
        );
        for s in &group.scenarios {
            let key = observed.get(&s.name).cloned().unwrap_or_default();
            text.push_str(&format!("{} {key}  # {}\n", s.name, s.verdict.summary()));
        }
        let path = expectations_path(client_name);
        std::fs::create_dir_all(path.parent().expect("folder")).expect("create folder");
        std::fs::write(&path, text).expect("write expectations");
        assert!(
            pinned.is_some(),
            "no expectations for {client_name}: wrote them, review and commit"
        );
        return;
    }
    let pinned = pinned.unwrap_or_default();
    let detail = |name: &str| {
        group
            .scenarios
            .iter()
            .find(|s| s.name == name)
            .map(|s| format!("{} | requests: {:?}", s.verdict.summary(), s.requests))
            .unwrap_or_default()
    };
    let mut changes = Vec::new();
    for (name, key) in &observed {
        match pinned.get(name) {
            Some(want) if want == key => {}
            Some(want) => changes.push(format!(
                "{name}: pinned {want}, now {key}: {}",
                detail(name)
            )),
            None => changes.push(format!("{name}: not pinned, now {key}")),
        }
    }
    for name in pinned.keys().filter(|n| !observed.contains_key(*n)) {
        changes.push(format!("{name}: pinned but no longer in the group"));
    }
    assert!(
        changes.is_empty(),
        "{client_name} differs from {}:\n{}",
        expectations_path(client_name).display(),
        changes.join("\n")
    );
}

#[test]
fn reqwest_second_requests_match_pinned() {
    check("reqwest");
}

#[test]
fn ureq_second_requests_match_pinned() {
    check("ureq");
}

#[test]
fn node_fetch_second_requests_match_pinned() {
    check("node-fetch");
}

#[test]
fn java_httpclient_second_requests_match_pinned() {
    check("java-httpclient");
}

#[test]
fn curl_second_requests_match_pinned() {
    check("curl");
}

#[test]
fn python_requests_second_requests_match_pinned() {
    check("python-requests");
}

#[test]
fn chromium_second_requests_match_pinned() {
    check("chromium");
}

/// A page that never loads (its server accepts and never answers) is reported as timed out
/// at the scenario's time-out (the browser is ended with it), and the next scenario runs as
/// usual (in a new browser).
#[test]
fn chromium_times_out_a_page_that_hangs_and_goes_on() {
    use redirspec::live::ScriptedServer;
    let client = client_by_name("chromium").expect("known client");
    if let Err(note) = client.check_available() {
        eprintln!("skipping chromium: {note}");
        return;
    }
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    // Held open, never answered, until the test ends.
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        silent.set_nonblocking(true).expect("nonblocking");
        let until = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < until {
            if let Ok((c, _)) = silent.accept() {
                open.push(c);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let hung = ClientRequest {
        method: http::Method::GET,
        url: format!("http://127.0.0.1:{port}/s/start"),
        headers: Vec::new(),
        body: None,
        timeout: Duration::from_secs(3),
    };
    assert_eq!(
        client.execute_twice(&hung),
        ClientOutcome::TimedOut { after_ms: 3000 }
    );
    let s = scenario("308-max-age").scenario;
    let server = ScriptedServer::start(&s, ServerLimits::default()).expect("bind");
    let request = ClientRequest {
        url: server.origins().expand(&s.start),
        timeout: Duration::from_secs(20),
        ..hung
    };
    assert_eq!(
        client.execute_twice(&request),
        ClientOutcome::Delivered { status: Some(200) }
    );
    client.end_run();
    let paths: Vec<String> = server
        .finish()
        .requests
        .iter()
        .filter(|r| r.target.starts_with("/s/"))
        .map(|r| r.target.clone())
        .collect();
    assert_eq!(paths, ["/s/start", "/s/final", "/s/final"]);
    drop(held);
}

/// Chromium runs the whole group in one browser process, a new browser context per scenario:
/// what one scenario left in the browser (a cached redirect, a cookie) is not there for the
/// next. Two scenarios ask for the same URL on the same server, whose 308 is fresh for an hour
/// and sets a cookie: inside the first scenario the second fetch goes straight to the target
/// with the cookie (the cache and the jar work), and the second scenario asks the 308 again,
/// without a cookie.
#[test]
fn chromium_forgets_between_scenarios() {
    use redirspec::live::{ScriptedResponse, ScriptedServer};
    let client = client_by_name("chromium").expect("known client");
    if let Err(note) = client.check_available() {
        eprintln!("skipping chromium: {note}");
        return;
    }
    let mut s = scenario("308-max-age").scenario;
    s.routes = vec![
        (
            "/s/start".to_owned(),
            ScriptedResponse::redirect(308, "/s/final")
                .with_header("Cache-Control", "max-age=3600")
                .with_header("Set-Cookie", "jar=kept; Path=/"),
        ),
        (
            "/s/final".to_owned(),
            ScriptedResponse::ok().with_header("Cache-Control", "no-store"),
        ),
    ];
    let limits = ServerLimits {
        lifetime: Duration::from_secs(90),
        ..ServerLimits::default()
    };
    let server = ScriptedServer::start(&s, limits).expect("bind");
    let request = ClientRequest {
        method: http::Method::GET,
        url: server.origins().expand(&s.start),
        headers: Vec::new(),
        body: None,
        timeout: Duration::from_secs(20),
    };
    let delivered = ClientOutcome::Delivered { status: Some(200) };
    assert_eq!(client.execute_twice(&request), delivered, "first scenario");
    assert_eq!(client.execute_twice(&request), delivered, "second scenario");
    client.end_run();
    let trace = server.finish();
    let seen: Vec<(&str, Option<&str>)> = trace
        .requests
        .iter()
        .filter(|r| r.target.starts_with("/s/"))
        .map(|r| (r.target.as_str(), r.header("Cookie")))
        .collect();
    assert_eq!(
        seen,
        [
            // First scenario: the 308 once, then its target twice (remembered), with the
            // cookie the 308 set.
            ("/s/start", None),
            ("/s/final", Some("jar=kept")),
            ("/s/final", Some("jar=kept")),
            // Second scenario: nothing remembered, no cookie.
            ("/s/start", None),
            ("/s/final", Some("jar=kept")),
            ("/s/final", Some("jar=kept")),
        ],
        "{trace:#?}"
    );
}

/// host:port and path of an absolute http URL.
fn split(url: &str) -> (String, String) {
    let rest = url.trim_start_matches("http://");
    let i = rest.find('/').unwrap_or(rest.len());
    (rest[..i].to_owned(), rest[i..].to_owned())
}

/// One GET on a fresh connection: the status and the Location, if any.
fn get(authority: &str, path: &str) -> Option<(u16, Option<String>)> {
    let mut s = TcpStream::connect(authority).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes())
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let status = text.get(9..12)?.parse().ok()?;
    let location = text
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .map(str::to_owned);
    Some((status, location))
}

/// A client that remembers every redirect it followed, forever, whatever the caching fields
/// say: the mistake the group exists to catch.
struct RemembersEverything;

/// A client that never remembers anything.
struct RemembersNothing;

fn follow(
    authority: &str,
    start: &str,
    memory: &mut BTreeMap<String, String>,
    remember: bool,
) -> Option<u16> {
    let mut path = start.to_owned();
    for _ in 0..10 {
        while let Some(to) = memory.get(&path) {
            path = to.clone();
        }
        let (status, location) = get(authority, &path)?;
        match location {
            Some(to) if (300..400).contains(&status) => {
                if remember {
                    memory.insert(path.clone(), to.clone());
                }
                path = to;
            }
            _ => return Some(status),
        }
    }
    None
}

fn twice(request: &ClientRequest, remember: bool) -> ClientOutcome {
    let (authority, start) = split(&request.url);
    let mut memory = BTreeMap::new();
    let mut status = None;
    for _ in 0..2 {
        status = follow(&authority, &start, &mut memory, remember);
        if status.is_none() {
            return ClientOutcome::Failed {
                message: "no answer".to_owned(),
            };
        }
    }
    ClientOutcome::Delivered { status }
}

impl ClientUnderTest for RemembersEverything {
    fn name(&self) -> &str {
        "remembers-everything"
    }
    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        twice(request, true)
    }
    fn repeats(&self) -> Result<(), String> {
        Ok(())
    }
    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        twice(request, true)
    }
}

impl ClientUnderTest for RemembersNothing {
    fn name(&self) -> &str {
        "remembers-nothing"
    }
    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        twice(request, false)
    }
    fn repeats(&self) -> Result<(), String> {
        Ok(())
    }
    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        twice(request, false)
    }
}

fn verdicts(client: &dyn ClientUnderTest) -> Vec<String> {
    run_group(client)
        .scenarios
        .iter()
        .map(|s| format!("{} {}", s.name, s.verdict.key()))
        .collect()
}

fn scenario(name: &str) -> RepeatScenario {
    scenarios()
        .into_iter()
        .find(|s| s.scenario.name == name)
        .expect("scenario in the group")
}

#[test]
fn a_client_reusing_a_302_target_is_caught() {
    let r = run_repeat(
        &RemembersEverything,
        &scenario("302-plain"),
        Duration::from_secs(10),
        ServerLimits::default(),
    );
    assert_eq!(r.verdict.key(), "reused@2", "{r:#?}");
    assert!(!r.conforms());
    assert_eq!(
        r.model.as_deref(),
        Some("must ask /s/start again (not-remembered)")
    );
    let text = r.verdict.summary();
    assert!(
        text.contains("/s/final") && text.contains("/s/start"),
        "{text}"
    );
}

#[test]
fn a_client_that_remembers_everything_is_caught_where_the_model_says_no() {
    assert_eq!(
        verdicts(&RemembersEverything),
        [
            "301-heuristic recalled",
            "308-max-age recalled",
            "308-vary recalled",
            "308-vary-star reused@2",
            "301-max-age-0 reused@2",
            "301-no-store reused@2",
            "302-plain reused@2",
            "302-last-modified reused@2",
            "307-max-age recalled",
            "307-no-cache reused@2",
            "302-expires-past reused@2",
            "302-stale-age reused@2",
            "chain-first-fresh reused@3",
        ]
    );
}

/// Each forbidden reuse names the RFC 9111 rule the model's recall stopped on: a redirect that
/// may not be stored (§3: a 302 without freshness, no-store, Vary: *), a stale one (§4.2.4),
/// a no-cache one (§5.2.2.4). All are MUST; the allowed recalls rest on the MAY of caching.
#[test]
fn each_forbidden_reuse_names_the_rule_it_breaks() {
    let rules: Vec<String> = run_group(&RemembersEverything)
        .scenarios
        .iter()
        .map(|s| format!("{} {} {}", s.name, s.verdict.grade(), s.rule.id))
        .collect();
    assert_eq!(
        rules,
        [
            "301-heuristic - rfc9111-optional",
            "308-max-age - rfc9111-optional",
            "308-vary - rfc9111-optional",
            "308-vary-star MUST rfc9111-store",
            "301-max-age-0 MUST rfc9111-stale",
            "301-no-store MUST rfc9111-store",
            "302-plain MUST rfc9111-store",
            "302-last-modified MUST rfc9111-store",
            "307-max-age - rfc9111-optional",
            "307-no-cache MUST rfc9111-no-cache",
            "302-expires-past MUST rfc9111-stale",
            "302-stale-age MUST rfc9111-stale",
            "chain-first-fresh MUST rfc9111-store",
        ]
    );
}

#[test]
fn a_client_that_remembers_everything_caches_redirects() {
    assert_eq!(run_group(&RemembersEverything).caches, "yes");
}

#[test]
fn a_client_that_remembers_nothing_always_conforms() {
    let group = run_group(&RemembersNothing);
    assert!(group
        .scenarios
        .iter()
        .all(|s| s.verdict.key() == "asked-again"));
    assert_eq!(group.caches, "no");
}

#[test]
fn a_client_that_cannot_repeat_is_not_applicable() {
    struct Once;
    impl ClientUnderTest for Once {
        fn name(&self) -> &str {
            "once"
        }
        fn execute(&self, _: &ClientRequest) -> ClientOutcome {
            ClientOutcome::Delivered { status: None }
        }
    }
    let group = run_group(&Once);
    assert!(group.not_applicable.is_some());
    assert!(group.scenarios.is_empty());
    assert_eq!(group.caches, "-");
}

#[test]
fn the_server_answers_by_path_with_its_caching_fields_and_records_them() {
    use redirspec::live::ScriptedServer;
    let s = scenario("302-stale-age");
    let server = ScriptedServer::start(&s.scenario, ServerLimits::default()).expect("bind");
    let authority = format!("127.0.0.1:{}", server.origins().a_port);
    let mut conn = TcpStream::connect(&authority).expect("connect");
    conn.write_all(format!("GET /s/final HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes())
        .expect("write");
    let mut first = String::new();
    conn.read_to_string(&mut first).expect("read");
    let mut conn = TcpStream::connect(&authority).expect("connect");
    conn.write_all(format!("GET /s/start?q HTTP/1.1\r\nHost: {authority}\r\n\r\n").as_bytes())
        .expect("write");
    let mut second = String::new();
    conn.read_to_string(&mut second).expect("read");
    let trace = server.finish();
    // By path, not by arrival order: the first request (to /s/final) got the final 200.
    assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first}");
    assert!(first.contains("\r\nCache-Control: no-store\r\n"), "{first}");
    assert!(
        second.starts_with("HTTP/1.1 302 Found\r\nLocation: /s/final\r\nDate: "),
        "{second}"
    );
    assert!(
        second.contains("\r\nCache-Control: max-age=60\r\nAge: 120\r\n"),
        "{second}"
    );
    let [final_req, start_req] = trace.requests.as_slice() else {
        panic!("two requests: {trace:?}");
    };
    assert_eq!((final_req.answered, start_req.answered), (200, 302));
    assert!(start_req.time >= final_req.time && start_req.time > 1_700_000_000);
    let sent: Vec<&str> = start_req.sent.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(sent, ["Location", "Date", "Cache-Control", "Age"]);
    // The Date sent is the time recorded.
    let date = &start_req.sent[1].1;
    let at = httpdate::parse_http_date(date).expect("an HTTP-date");
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert_eq!(secs, start_req.time);
}

/// A forbidden reuse names the RFC 9111 rule it breaks, at its level, in every report and in
/// the counts `--fail-on` reads; a client that asks again everywhere (a MAY choice) never
/// fails.
#[test]
fn reports_show_a_forbidden_reuse_as_a_divergence() {
    use redirspec::live::matrix::{run, MatrixOptions};
    use redirspec::live::report;
    let run_with = |client: Box<dyn ClientUnderTest>| {
        let mut opts = MatrixOptions::new(vec![client]);
        opts.scenarios = Vec::new();
        opts.repeat = vec![scenario("302-plain"), scenario("308-max-age")];
        opts.timeout = Duration::from_secs(10);
        run(&opts, &|_| {}).expect("run")
    };
    let r = run_with(Box::new(RemembersEverything));
    let levels = r.clients[0].second_request_levels;
    assert_eq!(
        (levels.must, levels.should, levels.may, levels.conforms),
        (1, 0, 0, 1)
    );
    // The one-screen text shows the failure with its rule; the verbose one the whole group.
    let text = report::text(&r);
    assert!(
        text.contains("remembers-everything second request: 1 divergences (MUST 1 · security 0"),
        "{text}"
    );
    assert!(
        text.contains("[MUST] reused@2: went to")
            && text.contains("(RFC 9111 §3, §5.2.2.5: rfc9111-store)"),
        "{text}"
    );
    assert!(
        text.contains("second-request 1/2 MUST 1, caches yes"),
        "{text}"
    );
    let text = report::text_verbose(&r);
    assert!(
        text.contains("302-plain") && text.contains("reused@2: went to"),
        "{text}"
    );
    assert!(
        text.contains("REUSED@2 [MUST rfc9111-store]") && text.contains("recalled"),
        "{text}"
    );
    let md = report::markdown(&r);
    assert!(md.contains("| 1/2 MUST 1 | yes |"), "{md}");
    assert!(
        md.contains("| must ask again | REUSED@2 [MUST rfc9111-store] |"),
        "{md}"
    );
    assert!(
        md.contains(
            "| remembers-everything | 302-plain (second request) | MUST | reused@2 | \
             RFC 9111 §3, §5.2.2.5 (rfc9111-store) |"
        ),
        "{md}"
    );
    let html = report::html(&r);
    assert!(
        html.contains("<td class=\"bad\">REUSED@2 [MUST rfc9111-store]</td>"),
        "{html}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&report::json(&r).expect("json")).expect("valid JSON");
    let first = &json["clients"][0]["second_request"]["scenarios"][0];
    assert_eq!(first["verdict"]["verdict"], "reused");
    assert_eq!(first["verdict"]["request"], 2);
    assert_eq!(first["rule"]["id"], "rfc9111-store");
    assert_eq!(first["rule"]["level"], "MUST");
    let second = &json["clients"][0]["second_request"]["scenarios"][1];
    assert_eq!(second["rule"]["id"], "rfc9111-optional");
    assert_eq!(second["rule"]["level"], "MAY");
    assert_eq!(json["clients"][0]["second_request_levels"]["must"], 1);
    // What --fail-on reads: the reuse is a MUST (not a security finding) beside the suite's
    // counts (none here: the suite was not run); ...
    let all = r.clients[0].all_levels();
    assert_eq!((all.must, all.security, all.should, all.may), (1, 0, 0, 0));
    assert!(all.fails());
    // ... and asking again where the model may recall (308-max-age) is a MAY choice: no
    // departure at any level.
    let r = run_with(Box::new(RemembersNothing));
    let levels = r.clients[0].second_request_levels;
    assert_eq!((levels.must, levels.may, levels.conforms), (0, 0, 2));
    let all = r.clients[0].all_levels();
    assert!(!all.fails() && all.may == 0);
}
