//! Live harness smoke tests: the server and the comparison on one scenario, in-process.
#![cfg(feature = "live")]

use redirspec::live::matrix::run_scenario;
use redirspec::live::suite::suite;
use redirspec::live::{ClientOutcome, ReqwestClient, ServerLimits};
use std::time::Duration;

fn scenario(name: &str) -> redirspec::live::Scenario {
    suite()
        .into_iter()
        .find(|s| s.name == name)
        .expect("scenario in the suite")
}

#[test]
fn reqwest_302_post_is_recorded_hop_by_hop() {
    let r = run_scenario(
        &ReqwestClient,
        &scenario("302-post"),
        Duration::from_secs(10),
        ServerLimits::default(),
    );
    assert_eq!(r.harness_error, None);
    assert_eq!(r.outcome, ClientOutcome::Delivered { status: Some(200) });
    assert_eq!(r.recorded.len(), 2, "{:#?}", r.recorded);
    assert_eq!(r.recorded[0].method, "POST");
    assert_eq!(r.recorded[0].target, "/m/start?x=1");
    assert_eq!(r.recorded[0].body, redirspec::live::scenario::REQUEST_BODY);
    assert_eq!(r.recorded[1].method, "GET");
    assert_eq!(r.recorded[1].target, "/m/next?y=2");
    assert!(r.recorded[1].body.is_empty());
}

use redirspec::live::{ClientRequest, ClientUnderTest, CommandClient, Verdict};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

fn fetch_verdict(r: &redirspec::live::matrix::ScenarioReport) -> Verdict {
    r.verdict("fetch").expect("fetch verdict").verdict.clone()
}

fn field(v: &Verdict) -> String {
    match v {
        Verdict::Diverges(d) => d.field.clone(),
        Verdict::Conforms => "conforms".to_owned(),
    }
}

/// host:port of an absolute http URL.
fn authority(url: &str) -> String {
    url.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Sends bytes that are not HTTP.
struct GarbageClient;

impl ClientUnderTest for GarbageClient {
    fn name(&self) -> &str {
        "garbage"
    }
    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        if let Ok(mut s) = TcpStream::connect(authority(&request.url)) {
            let _ = s.write_all(b"\x16\x03\x01 this is not http\r\n\r\n");
            let _ = s.read(&mut [0u8; 256]);
        }
        ClientOutcome::Failed {
            message: "spoke garbage".to_owned(),
        }
    }
}

/// Sends the first request over and over.
struct FloodClient;

impl ClientUnderTest for FloodClient {
    fn name(&self) -> &str {
        "flood"
    }
    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        let host = authority(&request.url);
        for _ in 0..40 {
            if let Ok(mut s) = TcpStream::connect(&host) {
                let _ = s.write_all(
                    format!("GET /m/start?x=1 HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes(),
                );
                let _ = s.read(&mut [0u8; 512]);
            }
        }
        ClientOutcome::Delivered { status: Some(200) }
    }
}

#[test]
fn a_hanging_program_costs_its_timeout_and_is_reported() {
    let client = CommandClient::new("sleeper", "sh -c 'sleep 30'").unwrap();
    let started = Instant::now();
    let r = run_scenario(
        &client,
        &scenario("302-get"),
        Duration::from_secs(1),
        ServerLimits::default(),
    );
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.outcome, ClientOutcome::TimedOut { after_ms: 1000 });
    assert_eq!(field(&fetch_verdict(&r)), "timeout");
}

#[test]
fn a_program_leaving_children_behind_does_not_hang_the_run() {
    let client = CommandClient::new("leaver", "sh -c '(sleep 30 &); echo 200'").unwrap();
    let started = Instant::now();
    let r = run_scenario(
        &client,
        &scenario("302-get"),
        Duration::from_secs(10),
        ServerLimits::default(),
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.outcome, ClientOutcome::Delivered { status: Some(200) });
}

#[test]
fn garbage_on_the_wire_is_its_own_verdict() {
    let r = run_scenario(
        &GarbageClient,
        &scenario("302-get"),
        Duration::from_secs(5),
        ServerLimits::default(),
    );
    assert_eq!(r.bad_connections.len(), 1, "{:?}", r.bad_connections);
    assert_eq!(field(&fetch_verdict(&r)), "garbage");
}

#[test]
fn a_flood_is_capped_and_reported() {
    let limits = ServerLimits {
        max_requests: 10,
        ..ServerLimits::default()
    };
    let r = run_scenario(
        &FloodClient,
        &scenario("302-get"),
        Duration::from_secs(5),
        limits,
    );
    assert_eq!(r.recorded.len(), 10);
    assert_eq!(field(&fetch_verdict(&r)), "flood");
}

#[test]
fn a_missing_program_is_a_failed_outcome_not_a_crash() {
    let client = CommandClient::new("nothing", "redirspec-no-such-program {url}").unwrap();
    let r = run_scenario(
        &client,
        &scenario("302-get"),
        Duration::from_secs(5),
        ServerLimits::default(),
    );
    assert!(
        matches!(r.outcome, ClientOutcome::Failed { .. }),
        "{:?}",
        r.outcome
    );
}

#[test]
fn strategy_scenarios_run_live_without_harness_errors() {
    let scenarios = redirspec::live::from_strategies::from_strategies(7, 8);
    assert_eq!(scenarios.len(), 8);
    for s in &scenarios {
        let r = run_scenario(
            &ReqwestClient,
            s,
            Duration::from_secs(10),
            ServerLimits::default(),
        );
        assert_eq!(r.harness_error, None, "{}", s.about);
        assert!(
            r.bad_connections.is_empty(),
            "{}: {:?}",
            s.about,
            r.bad_connections
        );
        assert_eq!(r.verdicts.len(), 3, "{}", s.about);
        assert!(
            !r.recorded.is_empty(),
            "{}: the first request reached the server",
            s.about
        );
    }
}
