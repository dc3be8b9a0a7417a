//! Properties of the model, driven by the public strategies
//! (`redirspec::strategy`).

#![cfg(feature = "proptest")]

use http::{header, Method, StatusCode};
use proptest::prelude::*;
use redirspec::check::{Request, Scenario};
use redirspec::strategy::{self, LocationClass};
use redirspec::{Body, BodyAction, Profile, RedirectMachine, Step};

fn machine(r: &Request, p: Profile) -> RedirectMachine {
    RedirectMachine::new(
        r.method.clone(),
        &r.url,
        r.headers.clone(),
        r.body,
        p.policy(),
    )
    .expect("strategy::request() starts under every profile")
}

fn profile() -> impl Strategy<Value = Profile> {
    proptest::sample::select(Profile::ALL.to_vec())
}

/// The steps of a whole scenario, as comparable text.
fn run(s: &Scenario, p: Profile) -> Vec<String> {
    let mut m = machine(&s.request, p);
    let mut out = Vec::new();
    for r in &s.responses {
        let lines: Vec<&[u8]> = r.location.iter().map(Vec::as_slice).collect();
        let step = m.step_raw(r.status, &lines);
        let done = !matches!(step, Step::Follow(_));
        out.push(format!("{step:?}"));
        m.check_invariants();
        if done {
            break;
        }
    }
    out
}

fn origin_of(url: &str) -> Option<(String, String, Option<u16>)> {
    let u = url::Url::parse(url).ok()?;
    Some((
        u.scheme().to_owned(),
        u.host_str()?.to_owned(),
        u.port_or_known_default(),
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Every step keeps the machine's invariants (no CTL or whitespace in the
    /// URL, a host, an allowed scheme, the hop limit, no stream resent), the
    /// chain ends within its responses, and nothing panics.
    #[test]
    fn invariants_hold_along_every_chain(s in strategy::scenario(), p in profile()) {
        let steps = run(&s, p);
        prop_assert!(steps.len() <= s.responses.len());
        prop_assert!(steps.len() <= p.policy().max_redirects as usize + 1);
    }

    /// The machine is a function of its inputs.
    #[test]
    fn the_same_chain_gives_the_same_steps(s in strategy::scenario(), p in profile()) {
        prop_assert_eq!(run(&s, p), run(&s, p));
    }

    /// RFC 9110 §15.4.8, §15.4.9: 307 and 308 never change the method, and
    /// a body (of bytes) goes along.
    #[test]
    fn temporary_and_permanent_redirects_keep_method_and_body(
        r in strategy::request(),
        code in proptest::sample::select(vec![307u16, 308]),
        loc in strategy::any_location(),
        p in proptest::sample::select(vec![Profile::Fetch, Profile::Rfc9110]),
    ) {
        let mut m = machine(&r, p);
        let status = StatusCode::from_u16(code).unwrap();
        if let Step::Follow(hop) = m.step_raw(status, &[&loc]) {
            prop_assert_eq!(hop.method(), &r.method);
            prop_assert_eq!(hop.body(), r.body);
            prop_assert_ne!(hop.body_action(), BodyAction::Drop);
        }
    }

    /// RFC 9110 §15.4.4 / Fetch step 12: 303 turns every method but GET and
    /// HEAD into GET, without body; GET and HEAD stay.
    #[test]
    fn see_other_retrieves(r in strategy::request(), loc in strategy::well_formed_location(), p in profile()) {
        let mut m = machine(&r, p);
        if let Step::Follow(hop) = m.step_raw(StatusCode::SEE_OTHER, &[&loc]) {
            let want = if r.method == Method::HEAD { Method::HEAD } else { Method::GET };
            prop_assert_eq!(hop.method(), &want);
            if r.method != Method::GET && r.method != Method::HEAD {
                prop_assert_eq!(hop.body(), Body::None);
                prop_assert!(!hop.headers().contains_key(header::CONTENT_TYPE));
            }
        }
    }

    /// Fetch step 14: Authorization never reaches an origin other than the
    /// one it was sent to, and once removed it stays removed.
    #[test]
    fn authorization_never_crosses_an_origin(s in strategy::scenario(), p in profile()) {
        let mut m = machine(&s.request, p);
        let first = origin_of(&s.request.url);
        let mut removed = false;
        for r in &s.responses {
            let lines: Vec<&[u8]> = r.location.iter().map(Vec::as_slice).collect();
            let Step::Follow(hop) = m.step_raw(r.status, &lines) else { break };
            let has = hop.headers().contains_key(header::AUTHORIZATION);
            if origin_of(hop.url()) != first || removed {
                prop_assert!(!has, "Authorization sent to {}", hop.url());
            }
            removed |= s.request.headers.contains_key(header::AUTHORIZATION) && !has;
        }
    }

    /// RFC 9110 §4.2.4: userinfo in a Location never turns into credentials.
    #[test]
    fn userinfo_never_becomes_authorization(
        r in strategy::request(),
        loc in strategy::location(LocationClass::Malformed(strategy::Malformed::Userinfo)),
        p in profile(),
    ) {
        let mut r = r;
        r.headers.remove(header::AUTHORIZATION);
        let mut m = machine(&r, p);
        if let Step::Follow(hop) = m.step_raw(StatusCode::FOUND, &[&loc]) {
            prop_assert!(!hop.headers().contains_key(header::AUTHORIZATION));
        }
    }

    /// On the subset both parsers write alike (plain URLs and Locations, no
    /// stream, no header fields), Fetch and RFC 9110 decide the same action,
    /// method, URL and body, once RFC 9110's loop detection (which Fetch does
    /// not have: a `#g` Location loops back to the same URL) is set aside.
    #[test]
    fn strict_and_fetch_agree_on_the_common_subset(
        m in strategy::method(),
        url in strategy::plain_url(),
        body in proptest::sample::select(vec![Body::None, Body::Bytes(3)]),
        code in proptest::sample::select(vec![301u16, 302, 303, 307, 308, 300, 304, 200]),
        loc in plain_location(),
    ) {
        let r = Request { method: m, url, headers: http::HeaderMap::new(), body };
        let status = StatusCode::from_u16(code).unwrap();
        let mut f = machine(&r, Profile::Fetch);
        let mut s = RedirectMachine::new(
            r.method.clone(), &r.url, r.headers.clone(), r.body,
            Profile::Rfc9110.policy().with_loop_detection(false),
        ).unwrap();
        let a = f.step_raw(status, &[loc.as_bytes()]);
        let b = s.step_raw(status, &[loc.as_bytes()]);
        match (&a, &b) {
            (Step::Follow(x), Step::Follow(y)) => {
                prop_assert_eq!(x.method(), y.method());
                prop_assert_eq!(x.url(), y.url());
                prop_assert_eq!(x.body_action(), y.body_action());
            }
            _ => prop_assert_eq!(a.action(), b.action(), "{:?} vs {:?}", a, b),
        }
    }

    /// Fetch: a same-origin 307 of a GET keeps every header field.
    #[test]
    fn same_origin_keeps_credentials(r in strategy::request(), path in "[a-z]{0,3}") {
        let mut r = r;
        r.body = Body::None;
        r.method = Method::GET;
        let mut m = machine(&r, Profile::Fetch);
        let loc = format!("/{path}");
        if let Step::Follow(hop) = m.step_raw(StatusCode::TEMPORARY_REDIRECT, &[loc.as_bytes()]) {
            prop_assert_eq!(hop.headers(), &r.headers);
        }
    }
}

/// Locations on which the WHATWG parser and RFC 3986 resolution agree.
fn plain_location() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "/a",
            "/a/b?q=1",
            "/#f",
            "/x#",
            "https://b.test/",
            "http://a.test/a",
            "//c.test/p"
        ])
        .prop_map(String::from),
        proptest::collection::vec(proptest::sample::select(vec!["a", "..", ".", "b"]), 1..5)
            .prop_map(|s| s.join("/")),
        proptest::sample::select(vec!["?q", "#g", ""]).prop_map(String::from),
    ]
}

#[test]
fn every_malformed_kind_and_class_generates() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for k in strategy::Malformed::ALL {
        let v = strategy::location(LocationClass::Malformed(k))
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let ok = match k {
            strategy::Malformed::InvalidUtf8 => std::str::from_utf8(&v).is_err(),
            strategy::Malformed::Overlong => v.len() > redirspec::model::DEFAULT_MAX_LOCATION_LEN,
            strategy::Malformed::CrLf => v.iter().any(|b| *b == b'\r' || *b == b'\n'),
            _ => !v.is_empty(),
        };
        assert!(ok, "{k:?}: {v:?}");
    }
}
