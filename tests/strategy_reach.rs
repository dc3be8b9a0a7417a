//! The public strategies reach what the model checks: every request field the model has a
//! rule for (each credential the cross-origin rules remove, each content field the method
//! change removes) and chains that reach the hop limit with a missing or malformed Location
//! on the last response. Counted over a fixed-seed sample, so a generator change that stops
//! drawing one of them fails here, not silently in a property that no longer bites.

#![cfg(feature = "proptest")]

use http::StatusCode;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use redirspec::check::Scenario;
use redirspec::{strategy, DeliverReason, Profile, RedirectMachine, Step};

const DRAWS: usize = 2000;

fn sample() -> Vec<Scenario> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    );
    let s = strategy::scenario();
    (0..DRAWS)
        .map(|_| s.new_tree(&mut runner).expect("a draw").current())
        .collect()
}

/// A draw of [`strategy::at_the_limit`]: 19 or more 302s to `/limit/<i>`, then a redirect
/// without a usable Location (its Location lines returned), then a 200.
fn at_the_limit(s: &Scenario) -> Option<&[Vec<u8>]> {
    let [redirects @ .., last, ok] = s.responses.as_slice() else {
        return None;
    };
    let limit_chain = redirects.iter().enumerate().all(|(i, r)| {
        r.status == StatusCode::FOUND && r.location == [format!("/limit/{i}").into_bytes()]
    });
    (redirects.len() >= 19 && limit_chain && ok.status == StatusCode::OK)
        .then_some(last.location.as_slice())
}

#[test]
fn every_field_with_a_rule_is_drawn() {
    let all = sample();
    for name in [
        "authorization",
        "cookie",
        "proxy-authorization",
        "content-type",
        "content-encoding",
        "content-language",
        "content-length",
        "content-location",
    ] {
        let n = all
            .iter()
            .filter(|s| s.request.headers.contains_key(name))
            .count();
        // Each field is present or not with even odds: far from 0 and from all.
        assert!(
            n > DRAWS / 4 && n < DRAWS * 3 / 4,
            "{name} in {n} of {DRAWS}"
        );
    }
    // Proxy-Authorization on a POST: what a method change and an origin change both act on.
    assert!(all.iter().any(|s| s.request.method == http::Method::POST
        && s.request.headers.contains_key("proxy-authorization")
        && s.request.headers.contains_key("content-location")));
}

/// Fetch reads the Location before it counts redirects ("If locationURL is null, then return
/// response"; "if locationURL is failure, return a network error"; only then "if request's
/// redirect count is 20"): at the limit, a missing Location delivers and a malformed one is
/// an invalid Location, never "too many redirects". The sample draws both.
#[test]
fn chains_reach_the_hop_limit_with_a_missing_or_malformed_last_location() {
    let all = sample();
    let (mut missing, mut malformed) = (0, 0);
    for s in &all {
        let Some(last) = at_the_limit(s) else {
            continue;
        };
        let mut m = RedirectMachine::new(
            s.request.method.clone(),
            &s.request.url,
            s.request.headers.clone(),
            s.request.body,
            Profile::Fetch.policy(),
        )
        .expect("strategy::request() starts under Fetch");
        let n = s.responses.len() - 2;
        // What the model does with response `i`: the redirects before the last are followed
        // up to the limit of 20.
        let mut end = None;
        for (i, r) in s.responses.iter().enumerate().take(n + 1) {
            let lines: Vec<&[u8]> = r.location.iter().map(Vec::as_slice).collect();
            match m.step_raw(r.status, &lines) {
                Step::Follow(_) if i < n => {}
                Step::Follow(_) => end = Some((i, "followed")),
                Step::Deliver(DeliverReason::NoLocation) => end = Some((i, "no-location")),
                Step::Deliver(_) => end = Some((i, "delivered")),
                Step::Refuse(e) => end = Some((i, e.reason())),
                _ => end = Some((i, "other")),
            }
            if end.is_some() {
                break;
            }
        }
        let Some((i, what)) = end else {
            panic!("no end: {s:?}");
        };
        if i < n {
            // 21 redirects: the limit comes first, on the 21st; or the request stopped before
            // (a streamed body cannot be sent again).
            if what == "too-many-redirects" {
                assert_eq!(i, 20, "{s:?}");
            } else {
                assert_eq!((i, what), (0, "body-not-replayable"), "{s:?}");
            }
            continue;
        }
        if last.is_empty() {
            // At the limit or not, a missing Location is read first: the 3xx is delivered.
            missing += 1;
            assert_eq!(what, "no-location", "{s:?}");
        } else {
            // A Location bad by RFC 3986 that the WHATWG parser repairs is followed (19
            // redirects before it) or meets the count (20); one that fails is refused as such.
            match what {
                "invalid-location" => malformed += 1,
                "followed" => assert!(n < 20, "{s:?}"),
                "too-many-redirects" => assert_eq!(n, 20, "{s:?}"),
                other => panic!("{other}: {s:?}"),
            }
        }
    }
    println!(
        "at the limit in {DRAWS} draws: {missing} without Location, {malformed} refused as invalid"
    );
    assert!(
        missing > 0 && malformed > 0,
        "missing {missing}, malformed {malformed}"
    );
}
