//! The model held against what reference implementations ship (issue 15):
//! caller-set credentials under Fetch, the cookie-check self-redirect, and
//! the Location length.

mod common;

use common::*;
use http::{HeaderMap, StatusCode};
use redirspec::model::{DEFAULT_MAX_LOCATION_LEN, NO_LOCATION_CAP};
use redirspec::{Body, Profile, Step};

const CREDENTIALS: &[(&str, &str)] = &[
    ("Authorization", "Bearer t"),
    ("Cookie", "sid=1"),
    ("Proxy-Authorization", "Basic cDpx"),
];

fn set_cookie() -> HeaderMap {
    headers(&[("Set-Cookie", "seen=1; Path=/")])
}

/// Fetch, as undici ships it after CVE-2022-31151 and CVE-2024-24758: all
/// three caller-set credentials leave when the origin changes.
#[test]
fn fetch_removes_caller_set_credentials_across_origins() {
    let mut m = machine(
        Profile::Fetch,
        "GET",
        "https://a.test/",
        CREDENTIALS,
        Body::None,
    );
    let o = outcome(m.step_raw(status(302), &[b"https://b.test/"]));
    assert_eq!(
        o,
        follow(
            "GET",
            "https://b.test/",
            redirspec::BodyAction::None,
            &["authorization", "cookie", "proxy-authorization"]
        )
    );
    // Same origin: all three stay.
    let mut m = machine(
        Profile::Fetch,
        "GET",
        "https://a.test/",
        CREDENTIALS,
        Body::None,
    );
    let o = outcome(m.step_raw(status(302), &[b"/next"]));
    assert_eq!(
        o,
        follow(
            "GET",
            "https://a.test/next",
            redirspec::BodyAction::None,
            &[]
        )
    );
}

/// The browser reading: Fetch step 13 names Authorization only.
#[test]
fn browser_reading_removes_authorization_only() {
    let policy = Profile::Fetch.policy().browser_credentials();
    let mut m = machine_with(policy, "GET", "https://a.test/", CREDENTIALS, Body::None);
    let o = outcome(m.step_raw(status(307), &[b"https://a.test:8443/"]));
    assert_eq!(
        o,
        follow(
            "GET",
            "https://a.test:8443/",
            redirspec::BodyAction::None,
            &["authorization"]
        )
    );
}

/// The cookie-check redirect: `302` to the same URL with `Set-Cookie` is
/// followed under every profile that follows redirects; the same repeat
/// again (the cookie did not help) is a cycle where loops are detected.
#[test]
fn cookie_check_self_redirect_is_followed_once() {
    for profile in Profile::ALL {
        let mut m = machine(profile, "GET", "http://a.test/login", &[], Body::None);
        let step = m.step_raw_with_fields(status(302), &[b"http://a.test/login"], &set_cookie());
        assert!(matches!(step, Step::Follow(_)), "{profile}: {step:?}");
        let second =
            outcome(m.step_raw_with_fields(status(302), &[b"http://a.test/login"], &set_cookie()));
        let expected = if profile.policy().loop_detection {
            Outcome::Refuse("redirect-loop")
        } else {
            second.clone()
        };
        assert_eq!(second, expected, "{profile}");
        assert_ne!(
            profile == Profile::Fetch,
            second == Outcome::Refuse("redirect-loop")
        );
    }
}

/// Without Set-Cookie a repeat is a cycle at once (RFC 9110 §15.4 SHOULD).
#[test]
fn repeat_without_set_cookie_is_a_loop() {
    for profile in [Profile::Rfc9110, Profile::Rfc2616] {
        let mut m = machine(profile, "GET", "http://a.test/x", &[], Body::None);
        let o = outcome(m.step_raw_with_fields(
            status(302),
            &[b"http://a.test/x"],
            &headers(&[("Cache-Control", "no-store")]),
        ));
        assert_eq!(o, Outcome::Refuse("redirect-loop"), "{profile}");
    }
}

/// `step` with a whole `HeaderMap` reads Set-Cookie from it.
#[test]
fn step_with_header_map_reads_set_cookie() {
    let mut m = machine(Profile::Rfc9110, "GET", "http://a.test/x", &[], Body::None);
    let mut response = set_cookie();
    response.insert(http::header::LOCATION, "/x".parse().unwrap());
    assert!(matches!(
        m.step(StatusCode::FOUND, &response),
        Step::Follow(_)
    ));
    assert!(matches!(
        m.step(StatusCode::FOUND, &response),
        Step::Refuse(_)
    ));
}

/// The knob: 0 counts every repeat as a cycle; 3 lets three through.
#[test]
fn repeats_after_set_cookie_knob() {
    let strict = Profile::Rfc9110.policy().with_repeats_after_set_cookie(0);
    let mut m = machine_with(strict, "GET", "http://a.test/x", &[], Body::None);
    assert_eq!(
        outcome(m.step_raw_with_fields(status(302), &[b"/x"], &set_cookie())),
        Outcome::Refuse("redirect-loop")
    );
    let lenient = Profile::Rfc9110.policy().with_repeats_after_set_cookie(3);
    let mut m = machine_with(lenient, "GET", "http://a.test/x", &[], Body::None);
    for i in 0..3 {
        let step = m.step_raw_with_fields(status(302), &[b"/x"], &set_cookie());
        assert!(matches!(step, Step::Follow(_)), "repeat {i}: {step:?}");
    }
    assert_eq!(
        outcome(m.step_raw_with_fields(status(302), &[b"/x"], &set_cookie())),
        Outcome::Refuse("redirect-loop")
    );
}

/// A cookie-setting repeat of an earlier (not the current) request: A -> B
/// -> A with Set-Cookie is followed, and the next A again is a cycle.
#[test]
fn cookie_repeat_of_an_earlier_request() {
    let mut m = machine(Profile::Rfc9110, "GET", "http://a.test/a", &[], Body::None);
    assert!(matches!(m.step_raw(status(302), &[b"/b"]), Step::Follow(_)));
    assert!(matches!(
        m.step_raw_with_fields(status(302), &[b"/a"], &set_cookie()),
        Step::Follow(_)
    ));
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/b"])),
        Outcome::Refuse("redirect-loop")
    );
}

/// The URL Standard has no length limit: the Fetch profile follows a
/// Location longer than the RFC profiles' 64 KiB; those refuse it.
#[test]
fn location_length_caps() {
    assert_eq!(Profile::Fetch.policy().max_location_len, NO_LOCATION_CAP);
    let long = format!("/{}", "a".repeat(DEFAULT_MAX_LOCATION_LEN + 10));
    let mut m = machine(Profile::Fetch, "GET", "http://a.test/", &[], Body::None);
    let o = outcome(m.step_raw(status(302), &[long.as_bytes()]));
    assert_eq!(o.url().len(), "http://a.test".len() + long.len());
    for profile in [Profile::Rfc9110, Profile::Rfc2616] {
        let mut m = machine(profile, "GET", "http://a.test/", &[], Body::None);
        let abs = format!("http://a.test{long}");
        assert_eq!(
            outcome(m.step_raw(status(302), &[abs.as_bytes()])),
            Outcome::Refuse("invalid-location"),
            "{profile}"
        );
    }
}
