//! Live conformance: real clients (reqwest, ureq, curl, wget, node fetch, python urllib,
//! urllib3 and requests, perl LWP and HTTP::Tiny, java HttpClient) through the suite on
//! loopback, against pinned expectations.
//!
//! Each client's verdicts (under the profile named in its expectation file) are pinned in
//! `tests/live_expectations/<client>.txt`, one `scenario verdict-key` line each. A change in
//! either direction fails, so a harness regression or a client's new behaviour shows. Run with
//! `REDIRSPEC_BLESS=1` to rewrite the files from what was observed.
//! A client whose program is missing is skipped, and the output ends with the clients run and
//! skipped; under `CI=true` a client listed in `.ci/live-clients` must be there.
#![cfg(feature = "live")]

use redirspec::live::matrix::{client_by_name, run_client, MatrixOptions, Progress};
use redirspec::Profile;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
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

use redirspec::live::report::without_ports;

/// A client's place in [`CLIENTS`], its name, and how its check went.
type Outcome = (usize, &'static str, Result<Ran, String>);

/// Whether a client ran.
enum Ran {
    Ran,
    Skipped(String),
}

fn check(client_name: &str) -> Result<Ran, String> {
    let client = client_by_name(client_name).map_err(|e| e.to_string())?;
    if let Err(note) = client.check_available() {
        return Ok(Ran::Skipped(note));
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
             # One line per scenario: name, then `conforms` or the first divergence as field@hop\n\
             # (the comment gives its level and rule: only the key is compared).\n\
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
                        "  # [{} {}] expected {} | observed {}",
                        d.grade(),
                        d.rule.id,
                        d.expected,
                        d.observed
                    ))),
                    redirspec::live::Verdict::Conforms => None,
                })
                .unwrap_or_default();
            text.push_str(&format!("{} {key}{detail}\n", s.name));
        }
        std::fs::write(expectations_path(client_name), text).map_err(|e| e.to_string())?;
        if pinned.is_none() && !bless {
            return Err(format!(
                "no expectations for {client_name}: wrote them, review and commit"
            ));
        }
        return Ok(Ran::Ran);
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
    if changes.is_empty() {
        Ok(Ran::Ran)
    } else {
        Err(format!(
            "{client_name} differs from tests/live_expectations/{client_name}.txt:\n{}",
            changes.join("\n")
        ))
    }
}

/// The clients with a pinned file, in display order.
const CLIENTS: &[&str] = &[
    "reqwest",
    "ureq",
    "curl",
    "curl-x-put-d",
    "curl-json",
    "wget",
    "wget-body-data",
    "node-fetch",
    "python-urllib",
    "python-urllib3",
    "python-requests",
    "perl-lwp",
    "perl-http-tiny",
    "java-httpclient",
    "go-nethttp",
];

/// The clients CI provides (`.ci/live-clients`, one name a line): under `CI=true` a missing
/// one fails the test instead of being skipped.
fn required_in_ci() -> Vec<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".ci/live-clients");
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// Every client through the suite, two at a time; the output ends with the clients run and
/// skipped (written past the test harness's capture, so it shows on success too).
#[test]
fn every_client_matches_its_pinned_verdicts() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let required = required_in_ci();
    // `REDIRSPEC_ONLY=curl,wget` runs (or blesses) those clients alone.
    let only: Vec<String> = std::env::var("REDIRSPEC_ONLY")
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let results: Mutex<Vec<Outcome>> = Mutex::new(Vec::new());
    let next = AtomicUsize::new(0);
    // Clients mostly wait for their own processes and for loopback: twice the cores.
    let workers = std::thread::available_parallelism().map_or(2, |n| (2 * n.get()).min(8));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(name) = CLIENTS.get(i) else { break };
                if !only.is_empty() && !only.iter().any(|o| o == name) {
                    continue;
                }
                let r = std::panic::catch_unwind(|| check(name))
                    .unwrap_or_else(|_| Err(format!("{name}: panicked")));
                results.lock().unwrap().push((i, name, r));
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, _, _)| *i);
    let mut ran = Vec::new();
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    for (_, name, r) in &results {
        match r {
            Ok(Ran::Ran) => ran.push(*name),
            Ok(Ran::Skipped(note)) => {
                skipped.push(format!("{name} ({note})"));
                if ci && required.iter().any(|x| x == name) {
                    failures.push(format!(
                        "{name} is listed in .ci/live-clients but not available under CI=true: {note}"
                    ));
                }
            }
            Err(e) => {
                ran.push(*name);
                failures.push(e.clone());
            }
        }
    }
    let summary = format!(
        "\nlive clients run ({}): {}\nlive clients skipped ({}): {}\n",
        ran.len(),
        ran.join(", "),
        skipped.len(),
        if skipped.is_empty() {
            "none".to_owned()
        } else {
            skipped.join("; ")
        }
    );
    // Not `eprintln!`: the harness captures that and shows it only on failure.
    let _ = std::io::Write::write_all(&mut std::io::stderr(), summary.as_bytes());
    assert!(failures.is_empty(), "{}{summary}", failures.join("\n\n"));
}
