//! Model bugs found while building the server checker (see the report).

use http::{HeaderMap, Method, StatusCode};
use redirspec::{Body, Profile, RedirectMachine, Step};

/// URL Standard: against a special base, the "relative slash state" and the
/// "special authority ignore slashes state" skip every leading `/` and `\`,
/// so `///evil.test` is `http://evil.test/` (browsers, WPT urltestdata
/// `"///test"` against `http://example.org/` gives `http://test/`). The
/// Fetch profile uses the `url` crate, which fails with `EmptyHost` here.
#[test]
#[ignore = "model bug: Fetch profile refuses Location `///evil.test` (url crate EmptyHost); browsers follow to http://evil.test/"]
fn fetch_follows_three_slashes_like_browsers() {
    let mut m = RedirectMachine::new(
        Method::GET,
        "http://a.test/x",
        HeaderMap::new(),
        Body::None,
        Profile::Fetch.policy(),
    )
    .unwrap();
    match m.step_raw(StatusCode::FOUND, &[b"///evil.test"]) {
        Step::Follow(hop) => assert_eq!(hop.url(), "http://evil.test/"),
        other => panic!("{other:?}"),
    }
}
