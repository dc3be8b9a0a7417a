//! The web-platform-tests' `fetch/api/redirect/` expectations, as data
//! (tests/data/wpt/fetch-redirect.txt), run through the Fetch profile.
//!
//! A case the model does not pass must be listed, with its reason, in
//! tests/data/wpt/expected-failures.txt; a listed case that passes fails this
//! test too, so the list never goes stale.

mod common;

use std::collections::BTreeMap;

use common::headers;
use http::{HeaderName, Method, StatusCode};
use redirspec::{Body, BodyAction, Profile, RedirectMachine, Step};

const CASES: &str = include_str!("data/wpt/fetch-redirect.txt");
const EXPECTED_FAILURES: &str = include_str!("data/wpt/expected-failures.txt");

/// A scripted response: its status and its Location field value, if any.
type Response = (StatusCode, Option<Vec<u8>>);

/// One case: a line of the data file.
struct Case<'a> {
    file: &'a str,
    name: &'a str,
    method: Method,
    url: &'a str,
    body: Body,
    headers: Vec<(&'a str, &'a str)>,
    responses: Vec<Response>,
    expect: &'a str,
}

/// `\xHH` escapes to raw bytes; `<empty>` to an empty value.
fn location_bytes(text: &str) -> Result<Vec<u8>, String> {
    if text == "<empty>" {
        return Ok(Vec::new());
    }
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            let hex = text.get(i + 2..i + 4).ok_or("short \\x escape")?;
            out.push(u8::from_str_radix(hex, 16).map_err(|e| e.to_string())?);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn parse_responses(text: &str) -> Result<Vec<Response>, String> {
    let mut out = Vec::new();
    for part in text.split(" > ") {
        let mut words: Vec<&str> = part.split(' ').collect();
        let times = match words.last().and_then(|w| w.strip_prefix('*')) {
            Some(n) => {
                let n: usize = n.parse().map_err(|_| format!("bad repeat in {part:?}"))?;
                words.pop();
                n
            }
            None => 1,
        };
        let [status, location] = words[..] else {
            return Err(format!("expected `STATUS LOCATION` in {part:?}"));
        };
        let status: u16 = status.parse().map_err(|_| format!("bad status {status}"))?;
        let status = StatusCode::from_u16(status).map_err(|e| e.to_string())?;
        for n in 1..=times {
            let location = match location {
                "-" => None,
                l => Some(location_bytes(&l.replace("{n}", &n.to_string()))?),
            };
            out.push((status, location));
        }
    }
    Ok(out)
}

fn parse(line: &str) -> Result<Case<'_>, String> {
    let fields: Vec<&str> = line.split(" | ").collect();
    let [file, name, request, body, hdrs, responses, expect] = fields[..] else {
        return Err(format!("expected 7 fields, got {}", fields.len()));
    };
    let (method, url) = request.split_once(' ').ok_or("expected `METHOD URL`")?;
    let headers = if hdrs == "-" {
        Vec::new()
    } else {
        hdrs.split("; ")
            .map(|h| h.split_once(": ").ok_or(format!("bad header {h:?}")))
            .collect::<Result<_, _>>()?
    };
    Ok(Case {
        file,
        name,
        method: Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?,
        url,
        body: body.parse().map_err(|e| format!("{e}"))?,
        headers,
        responses: parse_responses(responses)?,
        expect,
    })
}

/// Runs a case; `Err` says how the model's answer differs from WPT's.
fn run(case: &Case<'_>) -> Result<(), String> {
    let mut m = RedirectMachine::new(
        case.method.clone(),
        case.url,
        headers(&case.headers),
        case.body,
        // The tests run in browsers: the browser reading of credentials.
        Profile::Fetch.policy().browser_credentials(),
    )
    .map_err(|e| format!("start: {e}"))?;
    let last = case.responses.len() - 1;
    let mut body_action = BodyAction::None;
    for (i, (status, location)) in case.responses.iter().enumerate() {
        let lines: Vec<&[u8]> = location.iter().map(Vec::as_slice).collect();
        let step = m.step_raw(*status, &lines);
        let what = match &step {
            Step::Follow(hop) => {
                body_action = hop.body_action();
                "follow"
            }
            Step::Deliver(_) => "deliver",
            Step::Refuse(_) => "error",
            _ => "a step this test does not know yet",
        };
        let detail = format!("{step:?}");
        if i < last {
            if what != "follow" {
                return Err(format!("response {}: {detail}, expected follow", i + 1));
            }
            continue;
        }
        let mut words = case.expect.split(' ');
        let want = words.next().unwrap_or_default();
        if what != want {
            return Err(format!("response {}: {detail}, expected {want}", i + 1));
        }
        if want != "follow" {
            return Ok(());
        }
        let method = words.next().unwrap_or_default();
        if m.method().as_str() != method {
            return Err(format!("method {} != {method}", m.method()));
        }
        for w in words {
            let (key, value) = w.split_once('=').ok_or(format!("bad word {w:?}"))?;
            let ok = match key {
                "body" => body_action.as_str() == value,
                "url-ends" => m.url().ends_with(value),
                "kept" => names(value)?.iter().all(|h| m.headers().contains_key(h)),
                "removed" => names(value)?.iter().all(|h| !m.headers().contains_key(h)),
                _ => return Err(format!("unknown expectation {key:?}")),
            };
            if !ok {
                return Err(format!(
                    "{key}={value} does not hold: url {}, body {}, headers {:?}",
                    m.url(),
                    body_action.as_str(),
                    m.headers().keys().collect::<Vec<_>>()
                ));
            }
        }
        return Ok(());
    }
    Err("no responses".into())
}

fn names(list: &str) -> Result<Vec<HeaderName>, String> {
    list.split(',')
        .map(|n| HeaderName::from_bytes(n.as_bytes()).map_err(|e| e.to_string()))
        .collect()
}

/// `file | test name | reason` lines.
fn expected_failures() -> BTreeMap<(String, String), String> {
    EXPECTED_FAILURES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let parts: Vec<&str> = l.splitn(3, " | ").collect();
            assert_eq!(parts.len(), 3, "expected-failures line {l:?}");
            assert!(!parts[2].trim().is_empty(), "no reason in {l:?}");
            ((parts[0].into(), parts[1].into()), parts[2].into())
        })
        .collect()
}

#[test]
fn wpt_redirect_expectations_hold_under_the_fetch_profile() {
    let expected = expected_failures();
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    let (mut passed, mut failed_as_expected) = (0, 0);
    for (n, line) in CASES.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let case = parse(line).unwrap_or_else(|e| panic!("line {}: {e}: {line}", n + 1));
        let key = (case.file.to_owned(), case.name.to_owned());
        assert!(
            seen.insert(key.clone(), ()).is_none(),
            "line {}: the case {key:?} twice",
            n + 1
        );
        match (run(&case), expected.get(&key)) {
            (Ok(()), None) => passed += 1,
            (Err(_), Some(_)) => failed_as_expected += 1,
            (Ok(()), Some(reason)) => problems.push(format!(
                "unexpected pass (remove it from expected-failures.txt): {} | {} ({reason})",
                case.file, case.name
            )),
            (Err(e), None) => problems.push(format!("{} | {}: {e}", case.file, case.name)),
        }
    }
    for key in expected.keys() {
        assert!(
            seen.contains_key(key),
            "expected-failures.txt names a case the data file does not have: {key:?}"
        );
    }
    assert!(passed >= 80, "only {passed} cases passed");
    eprintln!("WPT fetch/api/redirect: {passed} pass, {failed_as_expected} expected failures");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
