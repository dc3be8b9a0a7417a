//! What the fuzz targets found, kept as ordinary tests.
#![cfg(feature = "fuzz")]

use http::{Method, StatusCode};
use redirspec::{Body, Profile, RedirectMachine, Step};

fn follow(profile: Profile, from: &str, location: &[u8]) -> String {
    let mut m = RedirectMachine::new(
        Method::GET,
        from,
        http::HeaderMap::new(),
        Body::None,
        profile.policy(),
    )
    .expect("a start URL");
    match m.step_raw(StatusCode::FOUND, &[location]) {
        Step::Follow(hop) => hop.url().to_owned(),
        other => panic!("{other:?}"),
    }
}

// Found by the `resolve` target: `url` 2.5 (servo/rust-url#1113) never pops a
// path segment shaped like a Windows drive letter, in http(s) URLs too, and the
// Fetch profile inherits it: an expected failure, pinned in
// tests/data/expected_failures.txt (`fetch-drive-letter-segment`).

/// The strict profile resolves it as RFC 3986 §5.2.4 says.
#[test]
fn rfc9110_pops_drive_letter_like_segments() {
    assert_eq!(
        follow(Profile::Rfc9110, "https://a.test/b", b"/w:/../x"),
        "https://a.test/x"
    );
}
