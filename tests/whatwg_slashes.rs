//! A model bug found while building the server checker, fixed: the Fetch
//! profile follows `///host` as the URL Standard does.

use http::{HeaderMap, Method, StatusCode};
use redirspec::{Body, Profile, RedirectMachine, Step};

/// URL Standard: against a special base, the "relative slash state" and the
/// "special authority ignore slashes state" skip every leading `/` and `\`,
/// so `///evil.test` is `http://evil.test/` (browsers, WPT urltestdata
/// `"///test"` against `http://example.org/` gives `http://test/`). The
/// Fetch profile uses the `url` crate, which fails with `EmptyHost` here.
/// The model rewrites the run of slashes before the `url` crate sees it
/// (`whatwg::collapse_leading_slashes`).
#[test]
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
    for (loc, want) in [
        ("////evil.test/p?q", "http://evil.test/p?q"),
        (" \t//\t/evil.test", "http://evil.test/"),
        ("/\\/evil.test", "http://evil.test/"),
        ("//evil.test", "http://evil.test/"),
        ("/ok", "http://a.test/ok"),
    ] {
        let mut m = RedirectMachine::new(
            Method::GET,
            "http://a.test/x",
            HeaderMap::new(),
            Body::None,
            Profile::Fetch.policy(),
        )
        .unwrap();
        match m.step_raw(StatusCode::FOUND, &[loc.as_bytes()]) {
            Step::Follow(hop) => assert_eq!(hop.url(), want, "{loc:?}"),
            other => panic!("{loc:?}: {other:?}"),
        }
    }
}
