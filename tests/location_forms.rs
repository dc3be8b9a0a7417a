//! Missing, empty, invalid and multiple Location; relative forms; schemes.

mod common;

use common::*;
use http::header::LOCATION;
use http::{HeaderMap, HeaderValue};
use redirspec::model::MultipleLocations;
use redirspec::{Body, Profile, Refusal, Step};

const BASE: &str = "http://a.test/b/c/d;p?q";

#[test]
fn missing_location_delivers_the_3xx() {
    // Fetch: "If locationURL is null, then return response."
    for p in Profile::ALL {
        let mut m = machine(p, "GET", BASE, &[], Body::None);
        assert_eq!(
            outcome(m.step_raw(status(301), &[])),
            Outcome::Deliver("no-location")
        );
    }
}

#[test]
fn empty_location_is_the_current_url() {
    // An empty reference resolves to the base without its fragment (RFC 3986
    // §5.2.2), then inherits the fragment.
    let o = hop(Profile::Fetch, "http://a.test/x?q#f", 302, "");
    assert_eq!(o.url(), "http://a.test/x?q#f");
    let o = hop(Profile::Fetch, "http://a.test/x?q#f", 302, "   ");
    assert_eq!(o.url(), "http://a.test/x?q#f");
    // RFC 2616 wants an absolute URI.
    assert_eq!(
        hop(Profile::Rfc2616, BASE, 302, ""),
        Outcome::Refuse("invalid-location")
    );
}

#[test]
fn relative_forms() {
    for p in [Profile::Fetch, Profile::Rfc9110] {
        for (r, want) in [
            ("g", "http://a.test/b/c/g"),
            ("./g", "http://a.test/b/c/g"),
            ("../g", "http://a.test/b/g"),
            ("//h.test/g", "http://h.test/g"),
            ("?y", "http://a.test/b/c/d;p?y"),
            ("/g?y#s", "http://a.test/g?y#s"),
        ] {
            assert_eq!(hop(p, BASE, 302, r).url(), want, "{p} {r:?}");
        }
    }
    // A bare fragment: the same document (Fetch follows it; RFC 9110 sees a loop).
    assert_eq!(
        hop(Profile::Fetch, BASE, 302, "#s").url(),
        "http://a.test/b/c/d;p?q#s"
    );
}

#[test]
fn invalid_locations_report_what_and_where() {
    let refusal = |p: Profile, loc: &[u8]| {
        let mut m = machine(p, "GET", BASE, &[], Body::None);
        match m.step_raw(status(302), &[loc]) {
            Step::Refuse(r) => r,
            other => panic!("{loc:?}: {other:?}"),
        }
    };
    for (loc, detail) in [
        (&b"/a b"[..], "space at offset 2 is not allowed in the path"),
        (
            b"/\\evil.test",
            "backslash at offset 1 is not allowed in the path",
        ),
        (b"/%zz", "bad percent-escape at offset 1"),
        (b"http://h:8x/", "bad port: non-digit at offset 10"),
        (
            b"http://h:65536/",
            "port at offset 9 is out of range (0-65535)",
        ),
        (b"http://[::1/", "bad IP literal at offset 7"),
        (
            b"/caf\xc3\xa9",
            "non-ASCII byte 0xc3 at offset 4 (RFC 3986 §2 wants it percent-encoded)",
        ),
        (
            b"/a\r\nSet-Cookie: x",
            "CR at offset 2 is not allowed in the field value",
        ),
        (b"/a\0", "NUL at offset 2 is not allowed in the field value"),
        (b"http:g", "the target has no host (RFC 9110 §4.2.1)"),
    ] {
        let r = refusal(Profile::Rfc9110, loc);
        assert_eq!(r.reason(), "invalid-location");
        assert_eq!(r.to_string(), detail, "{:?}", String::from_utf8_lossy(loc));
    }
    // The WHATWG parser is lenient where browsers are: it percent-encodes
    // spaces and non-ASCII, and reads a backslash as a slash.
    assert_eq!(
        hop(Profile::Fetch, BASE, 302, "/a b").url(),
        "http://a.test/a%20b"
    );
    assert_eq!(
        hop(Profile::Fetch, BASE, 302, "/\\evil.test").url(),
        "http://evil.test/"
    );
    assert_eq!(
        hop(Profile::Fetch, BASE, 302, "/caf\u{e9}").url(),
        "http://a.test/caf%C3%A9"
    );
    // ... but not for bad ports, bad IPv6 literals or CR/LF.
    for loc in ["http://h:65536/", "http://[::1/", "/a\r\nb"] {
        assert_eq!(
            hop(Profile::Fetch, BASE, 302, loc),
            Outcome::Refuse("invalid-location")
        );
    }
    // Invalid UTF-8 becomes U+FFFD, then percent-encoded.
    let mut m = machine(Profile::Fetch, "GET", BASE, &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/x\xff"])).url(),
        "http://a.test/x%EF%BF%BD"
    );
    // Over the RFC profiles' length limit: RFC 9110 refuses it; Fetch (the
    // URL Standard sets no limit) follows it.
    let long = vec![b'a'; 64 * 1024 + 1];
    assert!(matches!(
        refusal(Profile::Rfc9110, &long),
        Refusal::InvalidLocation(redirspec::LocationError::TooLong { .. })
    ));
    let mut m = machine(Profile::Fetch, "GET", BASE, &[], Body::None);
    assert!(matches!(m.step_raw(status(302), &[&long]), Step::Follow(_)));
}

#[test]
fn several_location_lines() {
    // Fetch "extracting header list values": "If the ABNF for name allows a single
    // header and list contains more than one, then return failure."
    for p in Profile::ALL {
        let mut m = machine(p, "GET", BASE, &[], Body::None);
        assert_eq!(
            outcome(m.step_raw(status(302), &[b"http://a.test/x", b"http://a.test/x"])),
            Outcome::Refuse("invalid-location")
        );
    }
    // Through an http::HeaderMap, as a real response would carry them.
    let mut h = HeaderMap::new();
    h.append(LOCATION, HeaderValue::from_static("/x"));
    h.append(LOCATION, HeaderValue::from_static("/y"));
    let mut m = machine(Profile::Fetch, "GET", BASE, &[], Body::None);
    assert_eq!(
        outcome(m.step(status(302), &h)),
        Outcome::Refuse("invalid-location")
    );

    let identical = Profile::Fetch
        .policy()
        .with_multiple_locations(MultipleLocations::FirstIfIdentical);
    let mut m = machine_with(identical.clone(), "GET", BASE, &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/x", b"/x"])).url(),
        "http://a.test/x"
    );
    let mut m = machine_with(identical, "GET", BASE, &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/x", b"/y"])),
        Outcome::Refuse("invalid-location")
    );
    let first = Profile::Fetch
        .policy()
        .with_multiple_locations(MultipleLocations::First);
    let mut m = machine_with(first, "GET", BASE, &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/x", b"/y"])).url(),
        "http://a.test/x"
    );
}

#[test]
fn only_http_and_https_are_followed() {
    // Fetch: "If locationURL's scheme is not an HTTP(S) scheme, then return a network error."
    for p in Profile::ALL {
        for loc in [
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "ftp://a.test/",
            "ws://a.test/",
            "mailto:a@b.test",
        ] {
            assert_eq!(
                hop(p, "http://a.test/", 302, loc),
                Outcome::Refuse("scheme-not-allowed"),
                "{p} {loc}"
            );
        }
        assert_eq!(
            hop(p, "http://a.test/", 302, "HTTPS://B.TEST/")
                .url()
                .to_ascii_lowercase(),
            "https://b.test/"
        );
    }
}

#[test]
fn non_redirect_statuses_with_a_location_are_delivered() {
    for p in Profile::ALL {
        for code in [200, 201, 202, 204, 400, 404, 500] {
            assert_eq!(
                hop(p, BASE, code, "/elsewhere"),
                Outcome::Deliver("not-a-redirect")
            );
        }
    }
}
