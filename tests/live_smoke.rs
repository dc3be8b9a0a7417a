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
