//! The report writers and the plain-words facts, over a small real run (reqwest, in process).
#![cfg(feature = "live")]

use redirspec::live::facts::FACT_NAMES;
use redirspec::live::matrix::{run, MatrixOptions};
use redirspec::live::{report, suite, ReqwestClient};
use redirspec::Profile;
use std::time::Duration;

fn small_run() -> redirspec::live::MatrixReport {
    let mut opts = MatrixOptions::new(vec![Box::new(ReqwestClient)]);
    opts.scenarios = suite::suite()
        .into_iter()
        .filter(|s| ["302-post", "cred-cross-port", "loc-missing"].contains(&s.name.as_str()))
        .collect();
    opts.profile = Some(Profile::Fetch);
    opts.timeout = Duration::from_secs(10);
    run(&opts, &|_| {}).expect("run")
}

#[test]
fn facts_read_the_traces_and_mark_what_was_not_run() {
    let r = small_run();
    let c = &r.clients[0];
    assert_eq!(c.facts.len(), FACT_NAMES.len());
    let fact = |name: &str| {
        c.facts
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.clone())
            .unwrap_or_default()
    };
    assert_eq!(fact("POST on 301 / 302 / 303"), "? / GET / ?");
    assert_eq!(fact("Content-Type after POST->GET (302)"), "dropped");
    assert_eq!(fact("Authorization to other port / host"), "dropped / ?");
    assert_eq!(fact("302 without Location"), "stops (302)");
    assert_eq!(fact("self-loop"), "?");
}

#[test]
fn every_writer_shows_the_client_and_its_groups() {
    let r = small_run();
    assert_eq!(r.groups, ["method", "credentials", "location"]);
    let text = report::text_verbose(&r);
    assert!(text.starts_with("redirspec "), "{text}");
    assert!(text.contains("reqwest") && text.contains("fetch"), "{text}");
    let md = report::markdown(&r);
    assert!(
        md.starts_with("| client | profile | MUST | security | SHOULD | MAY | conforming |"),
        "{md}"
    );
    assert!(md.contains("| reqwest | fetch |"), "{md}");
    let html = report::html(&r);
    assert!(html.contains("<h2 id=\"c-reqwest\">reqwest</h2>"));
    assert!(html.contains("What each client did"));
    let json: serde_json::Value =
        serde_json::from_str(&report::json(&r).expect("json")).expect("valid JSON");
    assert_eq!(json["clients"][0]["name"], "reqwest");
    // The layout's version comes first; the compact form is the same JSON on one line.
    assert_eq!(json["schema"], report::MATRIX_JSON_SCHEMA);
    let pretty = report::json(&r).expect("json");
    assert!(
        pretty.starts_with("{\n  \"schema\": 1,"),
        "{}",
        &pretty[..40]
    );
    let compact = report::json_with(&r, true).expect("json");
    assert_eq!(compact.lines().count(), 1);
    assert!(compact.len() < pretty.len());
    let again: serde_json::Value = serde_json::from_str(&compact).expect("valid JSON");
    assert_eq!(again, json);
    // The second-request group, with the client's caching note, in every format.
    assert!(
        text.contains("second-request") && text.contains("302-plain"),
        "{text}"
    );
    assert!(md.contains("| second request | caches redirects |"), "{md}");
    let n = redirspec::live::second_request::scenarios().len();
    assert!(md.contains(&format!("| {n}/{n} | no |")), "{md}");
    assert!(
        md.contains(
            "| 302-plain (302 without freshness information) | must ask again | asked again |"
        ),
        "{md}"
    );
    assert!(html.contains("<h2 id=\"second-request\">Second request</h2>"));
    assert!(html.contains("caches redirects: <b>no</b>"));
    assert_eq!(json["clients"][0]["second_request"]["caches"], "no");
    let plain = json["clients"][0]["second_request"]["scenarios"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == "302-plain"))
        .expect("302-plain in the JSON report");
    assert_eq!(plain["verdict"]["verdict"], "asked-again");
    assert_eq!(json["second_request"][0]["model_may_recall"], true);
    assert_eq!(
        json["clients"][0]["scenarios"].as_array().map(Vec::len),
        Some(3)
    );
}

/// The Markdown report names every divergence's level and rule, not only the counts: reqwest
/// stops after 10 redirects where Fetch follows 20 (a MUST of the Fetch profile).
#[test]
fn markdown_names_each_divergence_with_its_level_and_rule() {
    let mut opts = MatrixOptions::new(vec![Box::new(ReqwestClient)]);
    opts.scenarios = suite::suite()
        .into_iter()
        .filter(|s| s.name == "chain-11")
        .collect();
    opts.profile = Some(Profile::Fetch);
    opts.timeout = Duration::from_secs(10);
    let r = run(&opts, &|_| {}).expect("run");
    let md = report::markdown(&r);
    assert!(
        md.contains("| client | scenario | level | divergence | rule | expected / observed |"),
        "{md}"
    );
    let row = md
        .lines()
        .find(|l| l.starts_with("| reqwest | chain-11 |"))
        .unwrap_or_else(|| panic!("no divergence row:\n{md}"));
    assert!(row.contains("| MUST | request@11 |"), "{row}");
    assert!(row.contains("Fetch") && row.contains("(fetch-"), "{row}");
    assert!(
        !row.contains("127.0.0.1:1") && !row.contains("127.0.0.1:3"),
        "{row}"
    );
}
