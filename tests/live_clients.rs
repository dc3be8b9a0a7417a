//! Live conformance: real clients (reqwest, ureq, curl, wget, node fetch, python urllib,
//! urllib3 and requests, perl LWP and HTTP::Tiny, java HttpClient) through the suite on
//! loopback, against pinned expectations.
//!
//! Each client's verdicts (under the profile named in its expectation file) are pinned in
//! `tests/live_expectations/<client>.txt`, one `scenario verdict-key` line each. A change in
//! either direction fails, so a harness regression or a client's new behaviour shows. Run with
//! `REDIRSPEC_BLESS=1` to rewrite the files from what was observed.
//! A client whose program is missing is skipped with a printed note.
#![cfg(feature = "live")]

use redirspec::live::matrix::{client_by_name, run_client, MatrixOptions, Progress};
use redirspec::Profile;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

fn expectations_path(client: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/live_expectations")
        .join(format!("{client}.txt"))
}

struct Pinned {
    profile: Profile,
    verdicts: BTreeMap<String, String>,
}

fn read_pinned(client: &str) -> Option<Pinned> {
    let text = std::fs::read_to_string(expectations_path(client)).ok()?;
    let mut profile = Profile::Fetch;
    let mut verdicts = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("profile"), Some(p)) => {
                profile = Profile::ALL
                    .into_iter()
                    .find(|x| x.as_str() == p)
                    .unwrap_or(Profile::Fetch);
            }
            (Some(name), Some(key)) => {
                verdicts.insert(name.to_owned(), key.to_owned());
            }
            _ => {}
        }
    }
    Some(Pinned { profile, verdicts })
}

/// Replaces the OS-chosen port numbers in a detail text with `PORT`, so blessed files are
/// stable from run to run.
fn without_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let host_before = out.ends_with("127.0.0.1:") || out.ends_with("localhost:");
        if digits > 0 && host_before {
            out.push_str("PORT");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn check(client_name: &str) {
    let client = client_by_name(client_name).expect("known client");
    if let Err(note) = client.check_available() {
        eprintln!("skipping {client_name}: {note}");
        return;
    }
    let pinned = read_pinned(client_name);
    let bless = std::env::var_os("REDIRSPEC_BLESS").is_some();
    let mut opts = MatrixOptions::new(Vec::new());
    opts.profile = pinned.as_ref().map(|p| p.profile);
    opts.timeout = Duration::from_secs(10);
    // The second-request group has its own pinned files (tests/live_second_request.rs).
    opts.repeat = Vec::new();
    let report = run_client(client.as_ref(), &opts, &|_: Progress<'_>| {});
    let profile = report.profile.clone().unwrap_or_default();
    let observed: BTreeMap<String, String> = report
        .scenarios
        .iter()
        .map(|s| {
            let key = match (&s.harness_error, s.verdict(&profile)) {
                (Some(_), _) | (None, None) => "harness-error".to_owned(),
                (None, Some(v)) => v.verdict.key(),
            };
            (s.name.clone(), key)
        })
        .collect();
    if bless || pinned.is_none() {
        let mut text = format!(
            "# Pinned live verdicts of {client_name} ({}), under profile {profile}.\n\
             # One line per scenario: name, then `conforms` or the first divergence as field@hop.\n\
             # Regenerate with REDIRSPEC_BLESS=1 cargo test --features live --test live_clients\n\
             profile {profile}\n",
            client.describe()
        );
        for s in &report.scenarios {
            let key = observed.get(&s.name).cloned().unwrap_or_default();
            let detail = s
                .verdict(&profile)
                .and_then(|v| match &v.verdict {
                    redirspec::live::Verdict::Diverges(d) => Some(without_ports(&format!(
                        "  # expected {} | observed {}",
                        d.expected, d.observed
                    ))),
                    redirspec::live::Verdict::Conforms => None,
                })
                .unwrap_or_default();
            text.push_str(&format!("{} {key}{detail}\n", s.name));
        }
        std::fs::write(expectations_path(client_name), text).expect("write expectations");
        if pinned.is_none() && !bless {
            panic!("no expectations for {client_name}: wrote them, review and commit");
        }
        return;
    }
    let pinned = pinned.map(|p| p.verdicts).unwrap_or_default();
    let mut changes = Vec::new();
    for (name, key) in &observed {
        match pinned.get(name) {
            Some(want) if want == key => {}
            Some(want) => {
                let detail = report
                    .scenarios
                    .iter()
                    .find(|s| &s.name == name)
                    .and_then(|s| s.verdict(&profile))
                    .map(|v| format!("{:?}", v.verdict))
                    .unwrap_or_default();
                changes.push(format!("{name}: pinned {want}, now {key} {detail}"));
            }
            None => changes.push(format!("{name}: not pinned, now {key}")),
        }
    }
    for name in pinned.keys().filter(|n| !observed.contains_key(*n)) {
        changes.push(format!("{name}: pinned but no longer in the suite"));
    }
    assert!(
        changes.is_empty(),
        "{client_name} differs from tests/live_expectations/{client_name}.txt:\n{}",
        changes.join("\n")
    );
}

#[test]
fn reqwest_matches_pinned_verdicts() {
    check("reqwest");
}

#[test]
fn ureq_matches_pinned_verdicts() {
    check("ureq");
}

#[test]
fn curl_matches_pinned_verdicts() {
    check("curl");
}

#[test]
fn node_fetch_matches_pinned_verdicts() {
    check("node-fetch");
}

#[test]
fn wget_matches_pinned_verdicts() {
    check("wget");
}

#[test]
fn python_urllib_matches_pinned_verdicts() {
    check("python-urllib");
}

#[test]
fn python_requests_matches_pinned_verdicts() {
    check("python-requests");
}

#[test]
fn python_urllib3_matches_pinned_verdicts() {
    check("python-urllib3");
}

#[test]
fn perl_lwp_matches_pinned_verdicts() {
    check("perl-lwp");
}

#[test]
fn perl_http_tiny_matches_pinned_verdicts() {
    check("perl-http-tiny");
}

#[test]
fn java_httpclient_matches_pinned_verdicts() {
    check("java-httpclient");
}

#[test]
fn go_nethttp_matches_pinned_verdicts() {
    check("go-nethttp");
}
