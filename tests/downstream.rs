//! What a user of redirspec writes: a client of their own, checked in a
//! handful of lines, getting a shrunk counterexample. Only the public API,
//! as a downstream crate sees it.

#![cfg(feature = "proptest")]

use proptest::prelude::*;
use redirspec::check::{check_scenario, Action, RedirectFollower, Request, Response};
use redirspec::{strategy, Profile};

/// The user's client: follows 301/302/303/307/308 with the method kept
/// and the headers copied, resolving the Location with the `url` crate.
/// (It forgets 303 -> GET and credential removal.)
#[derive(Default)]
struct MyClient;

impl RedirectFollower for MyClient {
    fn respond(&mut self, sent: &Request, r: &Response) -> Action {
        if ![301, 302, 303, 307, 308].contains(&r.status.as_u16()) {
            return Action::Deliver;
        }
        let Some(loc) = r.location.first() else {
            return Action::Deliver;
        };
        let base = url::Url::parse(&sent.url).expect("absolute");
        match base.join(&String::from_utf8_lossy(loc)) {
            Ok(next) => Action::Follow(Request {
                url: next.into(),
                ..sent.clone()
            }),
            Err(e) => Action::Error(e.to_string().into()),
        }
    }
}

// The handful of lines: every divergence fails the test with the shrunk
// case, expected vs observed, and a `redirspec decide` line to replay it.
proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    #[should_panic(expected = "replay: redirspec decide --profile fetch")]
    fn my_client_follows_redirects_like_fetch(s in strategy::scenario()) {
        check_scenario(&mut MyClient, &s, Profile::Fetch)?;
    }
}

#[test]
fn the_counterexample_is_shrunk_to_one_hop() {
    // A fixed seed, so the figure below is the same on every run.
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(
        ProptestConfig {
            failure_persistence: None,
            ..ProptestConfig::default()
        },
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let result = runner.run(&strategy::scenario(), |s| {
        check_scenario(&mut MyClient, &s, Profile::Fetch)?;
        Ok(())
    });
    match result {
        Err(proptest::test_runner::TestError::Fail(why, minimal)) => {
            println!("{why}");
            // One diverging hop and the answer after it; a fragment-only hop
            // before it can be needed to show the client's fragment bug.
            assert!(minimal.responses.len() <= 3, "{minimal:?}");
            assert!(why.to_string().contains("expected:"), "{why}");
        }
        other => panic!("the divergence was not found: {other:?}"),
    }
}
