//! Every status × method × body, per profile, against the tables of the specs.
//!
//! The expected outcome of each row is written from the spec text (quoted
//! beside each branch of `expected`), not from the model's code. The request
//! carries a Content-Type so that the removal of body headers shows; the
//! Location is absolute and same-origin, so credentials are not in play here.

mod common;

use common::*;
use redirspec::{Body, BodyAction, Profile};

const METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PURGE",
];
const BODIES: &[Body] = &[Body::None, Body::Bytes(5), Body::Stream];
const STATUSES: &[u16] = &[
    300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 350, 399, 200, 201, 204, 400, 404, 500,
];
const START: &str = "http://a.test/start";
const TARGET: &str = "http://a.test/next";

fn kept(body: Body) -> BodyAction {
    if body == Body::None {
        BodyAction::None
    } else {
        BodyAction::Keep
    }
}

fn dropped(body: Body) -> BodyAction {
    if body == Body::None {
        BodyAction::None
    } else {
        BodyAction::Drop
    }
}

fn get_or_head(m: &str) -> bool {
    m == "GET" || m == "HEAD"
}

/// Follow with the method kept, or refuse when the body is a stream.
fn keep(method: &str, body: Body) -> Outcome {
    if body == Body::Stream {
        // A stream's bytes are gone after the first send: it cannot be resent.
        return Outcome::Refuse("body-not-replayable");
    }
    follow(method, TARGET, kept(body), &[])
}

/// Follow as GET with the body and its headers dropped.
fn to_get(body: Body) -> Outcome {
    follow("GET", TARGET, dropped(body), &["content-type"])
}

fn expected(profile: Profile, status: u16, method: &str, body: Body) -> Outcome {
    match profile {
        Profile::Fetch => match status {
            // Fetch: "A redirect status is a status that is 301, 302, 303, 307, or 308."
            301 | 302 | 303 | 307 | 308 => {
                // Fetch: "If internalResponse's status is not 303, request's body is
                // non-null, and request's body's source is null, then return a network error."
                if status != 303 && body == Body::Stream {
                    return Outcome::Refuse("body-not-replayable");
                }
                // Fetch: "internalResponse's status is 301 or 302 and request's method is `POST`"
                // or "internalResponse's status is 303 and request's method is not `GET` or `HEAD`"
                // -> "set request's method to `GET` and request's body to null".
                if (matches!(status, 301 | 302) && method == "POST")
                    || (status == 303 && !get_or_head(method))
                {
                    to_get(body)
                } else {
                    keep(method, body)
                }
            }
            _ => Outcome::Deliver("not-a-redirect"),
        },
        Profile::Rfc9110 => match status {
            // §15.4.2/§15.4.3: "For historical reasons, a user agent MAY change the
            // request method from POST to GET for the subsequent request."
            301 | 302 if method == "POST" => to_get(body),
            // §15.4.4: "a user agent can perform a retrieval request targeting that
            // URI (a GET or HEAD request if using HTTP)".
            303 if !get_or_head(method) => to_get(body),
            // §15.4.8/§15.4.9: "The user agent MUST NOT change the request method".
            301 | 302 | 303 | 307 | 308 => keep(method, body),
            // §15.4: following an unknown 3xx is a MAY: not done by default;
            // 304 (§15.4.5), 305 (deprecated, §15.4.6), 306 (unused, §15.4.7).
            _ => Outcome::Deliver("not-a-redirect"),
        },
        Profile::Rfc2616 => match status {
            // §10.3.2/§10.3.3/§10.3.8: "If the 30x status code is received in response to
            // a request other than GET or HEAD, the user agent MUST NOT automatically
            // redirect the request unless it can be confirmed by the user".
            301 | 302 | 307 if !get_or_head(method) => Outcome::Refuse("needs-confirmation"),
            301 | 302 | 307 => keep(method, body),
            // §10.3.4: "SHOULD be retrieved using a GET method on that resource".
            303 if !get_or_head(method) => to_get(body),
            303 => keep(method, body),
            // 308 did not exist in RFC 2616; 300 and 305 are not followed automatically.
            _ => Outcome::Deliver("not-a-redirect"),
        },
        other => panic!("a profile this table does not know yet: {other}"),
    }
}

#[test]
fn every_status_method_and_body_under_every_profile() {
    let mut rows = 0;
    for profile in Profile::ALL {
        for &code in STATUSES {
            for &method in METHODS {
                for &body in BODIES {
                    let mut m = machine(
                        profile,
                        method,
                        START,
                        &[("content-type", "text/plain")],
                        body,
                    );
                    let got = outcome(m.step_raw(status(code), &[TARGET.as_bytes()]));
                    let want = expected(profile, code, method, body);
                    assert_eq!(got, want, "{profile} {code} {method} {body:?}");
                    m.check_invariants();
                    rows += 1;
                }
            }
        }
    }
    assert_eq!(rows, 3 * STATUSES.len() * METHODS.len() * BODIES.len());
}

#[test]
fn post_302_becomes_get_and_loses_its_body_headers() {
    // Fetch: "For each headerName of request-body-header name, delete headerName
    // from request's header list."
    let mut m = machine(
        Profile::Fetch,
        "POST",
        START,
        &[
            ("content-type", "text/plain"),
            ("content-language", "en"),
            ("content-encoding", "gzip"),
            ("content-location", "/x"),
            ("content-length", "5"),
            ("digest", "sha-256=:x:"),
            ("x-other", "1"),
        ],
        Body::Bytes(5),
    );
    let got = outcome(m.step_raw(status(302), &[b"/next"]));
    assert_eq!(
        got,
        follow(
            "GET",
            TARGET,
            BodyAction::Drop,
            // Content-Length goes with the body; Digest is not in Fetch's list.
            &[
                "content-encoding",
                "content-language",
                "content-length",
                "content-location",
                "content-type"
            ]
        )
    );
    assert!(m.headers().contains_key("digest"));
    assert!(m.headers().contains_key("x-other"));
}

#[test]
fn rfc9110_drops_digest_and_last_modified_too() {
    // RFC 9110 §15.4 step 5: "remove content-specific header fields, including
    // (but not limited to) Content-Encoding, Content-Language, Content-Location,
    // Content-Type, Content-Length, Digest, and Last-Modified".
    let mut m = machine(
        Profile::Rfc9110,
        "PUT",
        START,
        &[
            ("digest", "sha-256=:x:"),
            ("last-modified", "x"),
            ("transfer-encoding", "chunked"),
        ],
        Body::Bytes(5),
    );
    let got = outcome(m.step_raw(status(303), &[b"/next"]));
    assert_eq!(
        got,
        follow(
            "GET",
            TARGET,
            BodyAction::Drop,
            &["digest", "last-modified", "transfer-encoding"]
        )
    );
}

#[test]
fn head_303_stays_head() {
    // Fetch: the 303 rewrite applies when "request's method is not `GET` or `HEAD`".
    for p in Profile::ALL {
        assert_eq!(
            hop(p, START, 303, TARGET),
            follow("GET", TARGET, BodyAction::None, &[])
        );
        let mut m = machine(p, "HEAD", START, &[], Body::None);
        assert_eq!(
            outcome(m.step_raw(status(303), &[TARGET.as_bytes()])),
            follow("HEAD", TARGET, BodyAction::None, &[])
        );
    }
}

#[test]
fn post_with_a_stream_and_302_differs_between_fetch_and_rfc9110() {
    // Fetch checks the body before the method change: POST + stream + 302 is a
    // network error there, while RFC 9110 turns it into a GET with no body.
    let run = |p| {
        let mut m = machine(p, "POST", START, &[], Body::Stream);
        outcome(m.step_raw(status(302), &[TARGET.as_bytes()]))
    };
    assert_eq!(run(Profile::Fetch), Outcome::Refuse("body-not-replayable"));
    assert_eq!(
        run(Profile::Rfc9110),
        follow("GET", TARGET, BodyAction::Drop, &[])
    );
    // 303 is exempt from Fetch's check.
    let mut m = machine(Profile::Fetch, "POST", START, &[], Body::Stream);
    assert_eq!(
        outcome(m.step_raw(status(303), &[TARGET.as_bytes()])),
        follow("GET", TARGET, BodyAction::Drop, &[])
    );
}

#[test]
fn lower_case_post_is_an_extension_method() {
    // Methods are case-sensitive (RFC 9110 §9.1): "post" is not POST, so a 302
    // keeps it.
    let mut m = machine(Profile::Fetch, "post", START, &[], Body::Bytes(1));
    assert_eq!(
        outcome(m.step_raw(status(302), &[TARGET.as_bytes()])),
        follow("post", TARGET, BodyAction::Keep, &[])
    );
}

#[test]
fn following_unknown_3xx_is_a_knob() {
    // RFC 9110 §15.4: "a user agent MAY automatically redirect its request to the
    // URI referenced by the Location field value, even if the specific status
    // code is not understood".
    let base = Profile::Rfc9110.policy();
    let statuses = base
        .statuses
        .with_unknown(redirspec::model::RedirectRule::Follow(
            redirspec::model::Rewrite::Keep,
        ));
    let policy = base.with_statuses(statuses);
    for code in [309, 350, 399] {
        let mut m = machine_with(policy.clone(), "POST", START, &[], Body::Bytes(2));
        assert_eq!(
            outcome(m.step_raw(status(code), &[TARGET.as_bytes()])),
            follow("POST", TARGET, BodyAction::Keep, &[])
        );
    }
    // 304, 305 and 306 are never redirects, whatever the knobs say.
    for code in [304, 305, 306] {
        let mut m = machine_with(policy.clone(), "GET", START, &[], Body::None);
        assert_eq!(
            outcome(m.step_raw(status(code), &[TARGET.as_bytes()])),
            Outcome::Deliver("not-a-redirect")
        );
    }
}
