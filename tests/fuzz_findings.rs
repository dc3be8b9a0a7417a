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

/// Found by the `resolve` target: `url` 2.5 (servo/rust-url#1113) never pops a
/// path segment shaped like a Windows drive letter, in http(s) URLs too, and
/// the Fetch profile inherits it. The URL standard, "shorten a URL's path":
/// "If url's scheme is "file", path's size is 1, and path[0] is a normalized
/// Windows drive letter, then return." — only file URLs keep it; browsers
/// (and node's `URL`) give `https://a.test/x`.
///
/// A known model bug, pinned as an expected failure rather than ignored: the
/// test asserts today's wrong answer, so it fails (and says what to change)
/// the day the `url` crate is fixed.
#[test]
fn fetch_drive_letter_like_segments_are_a_known_failure() {
    const RIGHT: &str = "https://a.test/x";
    const KNOWN_WRONG: &str = "https://a.test/w:/x";
    let got = follow(Profile::Fetch, "https://a.test/b", b"/w:/../x");
    assert_ne!(
        got, RIGHT,
        "servo/rust-url#1113 is fixed: the Fetch profile now pops /w:/.. as the URL standard \
         says; turn this expected failure into `assert_eq!(got, RIGHT)`"
    );
    assert_eq!(got, KNOWN_WRONG, "the known failure changed shape");
}

/// The strict profile resolves it as RFC 3986 §5.2.4 says.
#[test]
fn rfc9110_pops_drive_letter_like_segments() {
    assert_eq!(
        follow(Profile::Rfc9110, "https://a.test/b", b"/w:/../x"),
        "https://a.test/x"
    );
}
