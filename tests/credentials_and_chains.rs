//! Credentials across scheme, host and port changes; the hop limit at its
//! exact boundary; loops; fragments carried along a chain.

mod common;

use common::*;
use redirspec::model::{Boundary, CompareWith, Downgrade};
use redirspec::{Body, BodyAction, Profile, RedirectMachine};

const CREDS: &[(&str, &str)] = &[("authorization", "Bearer t"), ("cookie", "s=1")];

fn one_hop(profile: Profile, from: &str, to: &str) -> Outcome {
    let mut m = machine(profile, "GET", from, CREDS, Body::None);
    outcome(m.step_raw(status(302), &[to.as_bytes()]))
}

fn removed(o: &Outcome) -> Vec<String> {
    match o {
        Outcome::Follow { removed, .. } => removed.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn fetch_strips_authorization_when_the_origin_changes() {
    // Fetch: "If request's current URL's origin is not same origin with
    // locationURL's origin, then for each headerName of CORS non-wildcard
    // request-header name, delete headerName from request's header list."
    // The profile's default also removes a caller-set Cookie (and
    // Proxy-Authorization), as undici does after CVE-2022-31151.
    let from = "https://a.test/x";
    for (to, stripped) in [
        ("https://a.test/y", false),
        ("https://a.test:443/y", false), // default port: same origin
        ("https://A.TEST/y", false),     // hosts compare case-insensitively
        ("http://a.test/y", true),       // scheme
        ("https://a.test:8443/y", true), // port
        ("https://b.test/y", true),      // host
        ("https://sub.a.test/y", true),  // a subdomain is another origin
        ("//b.test/y", true),            // scheme-relative
    ] {
        let got = removed(&one_hop(Profile::Fetch, from, to));
        let want: Vec<String> = if stripped {
            vec!["authorization".into(), "cookie".into()]
        } else {
            vec![]
        };
        assert_eq!(got, want, "{from} -> {to}");
    }
}

#[test]
fn rfc9110_strips_authorization_and_cookie() {
    // RFC 9110 §15.4 step 3: "this includes but is not limited to Authorization and Cookie".
    for p in [Profile::Rfc9110, Profile::Rfc2616] {
        assert_eq!(
            removed(&one_hop(p, "http://a.test/", "http://a.test:8080/")),
            ["authorization", "cookie"]
        );
        assert_eq!(
            removed(&one_hop(p, "http://a.test/", "http://a.test:80/z")),
            Vec::<String>::new()
        );
    }
}

#[test]
fn a_removed_credential_stays_removed_when_the_chain_comes_back() {
    // Fetch deletes the header from the request's header list: a later hop back
    // to the first origin does not restore it.
    let mut m = machine(Profile::Fetch, "GET", "https://a.test/1", CREDS, Body::None);
    let o = outcome(m.step_raw(status(302), &[b"https://b.test/2"]));
    assert_eq!(removed(&o), ["authorization", "cookie"]);
    let o = outcome(m.step_raw(status(302), &[b"https://a.test/3"]));
    assert_eq!(removed(&o), Vec::<String>::new());
    assert!(!m.headers().contains_key("authorization"));
    assert!(!m.headers().contains_key("cookie"));
    // The browser reading removes Authorization only.
    let browser = Profile::Fetch.policy().browser_credentials();
    let mut m = machine_with(browser, "GET", "https://a.test/1", CREDS, Body::None);
    let o = outcome(m.step_raw(status(302), &[b"https://b.test/2"]));
    assert_eq!(removed(&o), ["authorization"]);
    assert!(m.headers().contains_key("cookie"));
}

#[test]
fn userinfo_in_a_location_never_becomes_an_authorization() {
    let mut m = machine(Profile::Fetch, "GET", "https://a.test/", &[], Body::None);
    let o = outcome(m.step_raw(status(302), &[b"https://user:pw@b.test/"]));
    assert_eq!(o.url(), "https://user:pw@b.test/");
    assert!(m.headers().is_empty());
    // RFC 9110 §4.2.4: "treat its presence as an error".
    assert_eq!(
        one_hop(
            Profile::Rfc9110,
            "https://a.test/",
            "https://user:pw@b.test/"
        ),
        Outcome::Refuse("invalid-location")
    );
    assert_eq!(
        one_hop(Profile::Rfc9110, "https://a.test/", "//@b.test/"),
        Outcome::Refuse("invalid-location")
    );
}

#[test]
fn boundary_and_comparison_are_knobs() {
    let base = Profile::Fetch.policy();
    let host_only = base.clone().with_boundary(Boundary::Host);
    let mut m = machine_with(host_only, "GET", "http://a.test/", CREDS, Body::None);
    // Host rule: a port or scheme change keeps credentials.
    let o = outcome(m.step_raw(status(302), &[b"https://a.test:8443/"]));
    assert_eq!(removed(&o), Vec::<String>::new());

    // Compared with the first request: a -> a:8080 (crosses) -> a (same as first).
    let first = base
        .clone()
        .with_compare_with(CompareWith::FirstRequest)
        .with_cross_origin_headers(vec![http::header::AUTHORIZATION, http::header::COOKIE]);
    let mut m = machine_with(first, "GET", "http://a.test/", CREDS, Body::None);
    let o = outcome(m.step_raw(status(302), &[b"http://b.test/"]));
    assert_eq!(removed(&o), ["authorization", "cookie"]);

    let every = base.clone().with_boundary(Boundary::EveryHop);
    let mut m = machine_with(every, "GET", "http://a.test/", CREDS, Body::None);
    let o = outcome(m.step_raw(status(302), &[b"/same-origin"]));
    assert_eq!(removed(&o), ["authorization", "cookie"]);

    let never = base.with_boundary(Boundary::Never);
    let mut m = machine_with(never, "GET", "http://a.test/", CREDS, Body::None);
    let o = outcome(m.step_raw(status(302), &[b"http://evil.test/"]));
    assert_eq!(removed(&o), Vec::<String>::new());
}

#[test]
fn downgrade_is_allowed_by_default_and_refused_on_request() {
    for p in Profile::ALL {
        let o = one_hop(p, "https://a.test/", "http://a.test/");
        assert_eq!(o.url(), "http://a.test/", "{p}");
    }
    let refuse = Profile::Fetch.policy().with_downgrade(Downgrade::Refuse);
    let mut m = machine_with(refuse.clone(), "GET", "https://a.test/", &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(301), &[b"http://a.test/"])),
        Outcome::Refuse("downgrade")
    );
    // http -> https is an upgrade, and https -> https is fine.
    let mut m = machine_with(refuse, "GET", "http://a.test/", &[], Body::None);
    assert!(matches!(
        outcome(m.step_raw(status(301), &[b"https://a.test/"])),
        Outcome::Follow { .. }
    ));
}

fn chain(profile: Profile, n: u32) -> (RedirectMachine, Vec<Outcome>) {
    let mut m = machine(profile, "GET", "http://a.test/0", &[], Body::None);
    let mut out = Vec::new();
    for i in 1..=n {
        let loc = format!("http://a.test/{i}");
        out.push(outcome(m.step_raw(status(302), &[loc.as_bytes()])));
        m.check_invariants();
    }
    (m, out)
}

#[test]
fn hop_limit_boundary_is_exact() {
    // Fetch: "If request's redirect count is 20, then return a network error."
    // A chain of 20 redirects succeeds; the 21st fails.
    for (p, limit) in [
        (Profile::Fetch, 20),
        (Profile::Rfc9110, 20),
        (Profile::Rfc2616, 5),
    ] {
        let (m, out) = chain(p, limit + 1);
        for (i, o) in out.iter().enumerate().take(limit as usize) {
            assert_eq!(o.url(), format!("http://a.test/{}", i + 1), "{p} hop {i}");
        }
        assert_eq!(out[limit as usize], Outcome::Refuse("too-many-redirects"));
        assert_eq!(m.redirect_count(), limit);
    }
    // The same boundary through --hops: 19 already followed -> the 20th is fine.
    let m = machine(Profile::Fetch, "GET", "http://a.test/", &[], Body::None);
    let mut m = m.with_redirect_count(19);
    assert!(matches!(
        outcome(m.step_raw(status(307), &[b"/x"])),
        Outcome::Follow { .. }
    ));
    let mut m =
        machine(Profile::Fetch, "GET", "http://a.test/", &[], Body::None).with_redirect_count(20);
    assert_eq!(
        outcome(m.step_raw(status(307), &[b"/x"])),
        Outcome::Refuse("too-many-redirects")
    );
    // Fetch checks the Location before the count: a bad one at the limit is invalid.
    let mut m =
        machine(Profile::Fetch, "GET", "http://a.test/", &[], Body::None).with_redirect_count(20);
    assert_eq!(
        outcome(m.step_raw(status(307), &[b"http://[::1"])),
        Outcome::Refuse("invalid-location")
    );
}

#[test]
fn loops_are_detected_where_the_profile_says() {
    // RFC 9110 §15.4: "A client SHOULD detect and intervene in cyclical redirections".
    let mut m = machine(Profile::Rfc9110, "GET", "http://a.test/a", &[], Body::None);
    assert!(matches!(
        outcome(m.step_raw(status(302), &[b"/b"])),
        Outcome::Follow { .. }
    ));
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/a#frag"])),
        Outcome::Refuse("redirect-loop")
    );
    // A 303 from a POST to itself is a different request (GET): not a loop.
    let mut m = machine(
        Profile::Rfc9110,
        "POST",
        "http://a.test/a",
        &[],
        Body::Bytes(1),
    );
    assert_eq!(
        outcome(m.step_raw(status(303), &[b"/a"])),
        follow("GET", "http://a.test/a", BodyAction::Drop, &[])
    );
    // Fetch has only the counter: a self-redirect is followed until the limit.
    let mut m = machine(Profile::Fetch, "GET", "http://a.test/a", &[], Body::None);
    for _ in 0..20 {
        assert_eq!(
            outcome(m.step_raw(status(302), &[b""])).url(),
            "http://a.test/a"
        );
    }
    assert_eq!(
        outcome(m.step_raw(status(302), &[b""])),
        Outcome::Refuse("too-many-redirects")
    );
}

#[test]
fn loops_through_equivalent_urls_are_loops() {
    // RFC 9110 §4.2.3: http(s) URIs are compared after RFC 3986 §6.2.2 and
    // §6.2.3 normalisation: scheme and host case, escapes of unreserved
    // characters, hex case, default and empty ports, an empty path.
    for equivalent in [
        "HTTP://A.TEST/a",
        "http://a.test:80/a",
        "http://a.test:/a",
        "http://a.test/%61",
        "http://%61.test/a",
    ] {
        let mut m = machine(Profile::Rfc9110, "GET", "http://a.test/a", &[], Body::None);
        assert_eq!(
            outcome(m.step_raw(status(302), &[equivalent.as_bytes()])),
            Outcome::Refuse("redirect-loop"),
            "{equivalent}"
        );
    }
    let mut m = machine(Profile::Rfc9110, "GET", "http://a.test", &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"http://a.test/"])),
        Outcome::Refuse("redirect-loop")
    );
    // Not equivalent: path case, an escaped reserved character, another port.
    for different in [
        "http://a.test/A",
        "http://a.test:8080/a",
        "http://a.test/a%2F",
    ] {
        let mut m = machine(Profile::Rfc9110, "GET", "http://a.test/a", &[], Body::None);
        assert!(
            matches!(
                outcome(m.step_raw(status(302), &[different.as_bytes()])),
                Outcome::Follow { .. }
            ),
            "{different}"
        );
    }
}

#[test]
fn fragments_are_inherited_along_the_chain() {
    // RFC 9110 §10.2.2 / Fetch "location URL" step 4.
    for p in [Profile::Fetch, Profile::Rfc9110] {
        let mut m = machine(p, "GET", "http://a.test/x#f", &[], Body::None);
        assert_eq!(
            outcome(m.step_raw(status(301), &[b"/y"])).url(),
            "http://a.test/y#f"
        );
        assert_eq!(
            outcome(m.step_raw(status(301), &[b"/z"])).url(),
            "http://a.test/z#f"
        );
        assert_eq!(
            outcome(m.step_raw(status(301), &[b"/w#g"])).url(),
            "http://a.test/w#g"
        );
        assert_eq!(
            outcome(m.step_raw(status(301), &[b"/v"])).url(),
            "http://a.test/v#g"
        );
        // "/n#" has an empty, non-null fragment: nothing is inherited.
        assert_eq!(
            outcome(m.step_raw(status(301), &[b"/n#"])).url(),
            "http://a.test/n#"
        );
        assert_eq!(
            outcome(m.step_raw(status(301), &[b"/m"])).url(),
            "http://a.test/m#"
        );
    }
    // RFC 2616 had no inheritance.
    let o = one_hop(Profile::Rfc2616, "http://a.test/x#f", "http://a.test/y");
    assert_eq!(o.url(), "http://a.test/y");
}

#[test]
fn a_finished_machine_refuses_to_go_on() {
    let mut m = machine(Profile::Fetch, "GET", "http://a.test/", &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(200), &[])),
        Outcome::Deliver("not-a-redirect")
    );
    assert!(m.is_finished());
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/x"])),
        Outcome::Finished
    );
    let mut m = machine(Profile::Fetch, "GET", "http://a.test/", &[], Body::None);
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"javascript:x"])),
        Outcome::Refuse("scheme-not-allowed")
    );
    assert_eq!(
        outcome(m.step_raw(status(302), &[b"/x"])),
        Outcome::Finished
    );
}
