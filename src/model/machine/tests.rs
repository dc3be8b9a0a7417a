//! The machine's unit tests (the behaviour tests are in tests/).

use super::*;
use crate::model::strict::port_number;
use crate::Profile;

#[test]
fn port_numbers() {
    assert_eq!(port_number(b"80"), Some(80));
    assert_eq!(port_number(b"0080"), Some(80));
    assert_eq!(port_number(b"65535"), Some(65535));
    assert_eq!(port_number(b"65536"), None);
    assert_eq!(port_number(b"99999999999999999999"), None);
    assert_eq!(port_number(b""), None);
}

#[test]
fn strict_steady_state_reuses_buffers() {
    let mut m = RedirectMachine::new(
        Method::GET,
        "http://a.test/0",
        HeaderMap::new(),
        Body::None,
        crate::Policy {
            loop_detection: false,
            max_redirects: 1000,
            ..Profile::Rfc9110.policy()
        },
    )
    .unwrap();
    for i in 0..100 {
        let loc = format!("/p/{}", i % 7);
        assert!(matches!(
            m.step_raw(StatusCode::FOUND, &[loc.as_bytes()]),
            Step::Follow(_)
        ));
        m.check_invariants();
    }
    assert_eq!(m.redirect_count(), 100);
}

#[test]
fn start_url_errors() {
    let p = Profile::Rfc9110.policy();
    let e = |u: &str| {
        RedirectMachine::new(Method::GET, u, HeaderMap::new(), Body::None, p.clone())
            .unwrap_err()
            .0
    };
    assert_eq!(e("/relative"), LocationError::RelativeNotAllowed);
    assert_eq!(e("http:///x"), LocationError::NoHost);
    assert_eq!(
        e("http://h:70000/"),
        LocationError::PortOutOfRange { offset: 9 }
    );
    let e = RedirectMachine::new(
        Method::GET,
        "not a url",
        HeaderMap::new(),
        Body::None,
        Profile::Fetch.policy(),
    )
    .unwrap_err();
    assert!(matches!(e.0, LocationError::Whatwg(_)));
}

// ---- fast paths off against fast paths on ----------------------------------

/// Every profile with every setting of the switches the Location path reads
/// (relative values, fragment inheritance, userinfo).
fn policy_grid() -> Vec<Policy> {
    let mut grid = Vec::new();
    for profile in Profile::ALL {
        for (relative, inherit, userinfo) in crate::model::strict::SWITCHES {
            grid.push(
                profile
                    .policy()
                    .with_relative_location(relative)
                    .with_inherit_fragment(inherit)
                    .with_refuse_userinfo(userinfo),
            );
        }
    }
    grid
}

/// A step as text: its outcome and, for a follow, the whole next request.
fn shown(step: Step<'_>) -> String {
    match step {
        Step::Follow(hop) => format!(
            "follow {} {} {:?} {:?} {:?} {:?} {}",
            hop.method(),
            hop.url(),
            hop.headers(),
            hop.body(),
            hop.body_action(),
            hop.removed(),
            hop.redirect_count()
        ),
        Step::Deliver(reason) => format!("deliver {reason}"),
        Step::Refuse(refusal) => format!("refuse {refusal:?}"),
        Step::Finished => "finished".to_owned(),
    }
}

/// Runs one chain through a machine with its fast paths on and one with
/// them off (start URL included), and panics at the first step where they
/// differ. Answers how many steps were compared.
fn same_steps(
    policy: &Policy,
    (method, start, body): (Method, &str, Body),
    steps: &[(u16, &[u8])],
) -> usize {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("authorization", "Bearer t"),
        ("cookie", "a=1"),
        ("content-type", "text/plain"),
        ("content-length", "5"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let machine = |fast: bool| {
        let mut m = RedirectMachine::unstarted(policy.clone());
        m.set_fast_paths(fast);
        m.reset(method.clone(), start, headers.clone(), body)
            .map(|()| m)
    };
    let (mut fast, mut general) = match (machine(true), machine(false)) {
        (Ok(f), Ok(g)) => (f, g),
        (f, g) => {
            assert_eq!(f.err(), g.err(), "start {start:?}");
            return 0;
        }
    };
    assert_eq!(fast.url(), general.url(), "start {start:?}");
    for (i, &(code, line)) in steps.iter().enumerate() {
        let status = StatusCode::from_u16(code).unwrap();
        let a = shown(fast.step_raw(status, &[line]));
        let b = shown(general.step_raw(status, &[line]));
        assert_eq!(
            a,
            b,
            "step {i}: {code} {:?} after {start:?} under {policy:?}",
            String::from_utf8_lossy(line)
        );
    }
    steps.len()
}

/// Start URLs: plain, with a fragment, userinfo, a port, upper case, an IP.
const STARTS: &[&str] = &[
    "https://www.example.test/account/profile?tab=1#top",
    "http://a.test/b/c/d;p?q",
    "HTTP://A.Test:8080/x/../y",
    "https://u:p@h.test/with/userinfo",
    "http://127.0.0.1/ip#f",
    "https://h.test",
];

fn corpus_values() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/location_parse");
    let mut values: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect();
    values.sort();
    values
}

#[test]
fn fast_paths_off_give_the_same_steps_on_the_corpus() {
    let values = corpus_values();
    let mut compared = 0;
    for policy in policy_grid() {
        for (i, start) in STARTS.iter().enumerate() {
            // Each value as the first hop, then the next value from there.
            for pair in values.windows(2).skip(i).step_by(STARTS.len()) {
                let request = (Method::POST, *start, Body::Bytes(5));
                compared += same_steps(&policy, request, &[(302, &pair[0]), (307, &pair[1])]);
            }
        }
    }
    assert!(compared > 10_000, "only {compared} steps compared");
}

mod random {
    use super::*;
    use proptest::prelude::*;

    fn status() -> impl Strategy<Value = u16> {
        prop::sample::select(vec![301, 302, 303, 307, 308, 300, 399, 200, 304])
    }

    fn value() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::sample::select(corpus_values()),
            "((https?|HTTP|ftp):)?(//[a-zA-Z0-9.%:@_-]{0,12})?[a-zA-Z0-9/.:;@%?#=&~'-]{0,20}"
                .prop_map(String::into_bytes),
            "(\\.{1,2}/|[a-z]{1,2}/|/){0,6}(\\.{0,2})(\\?[a-z.]{0,3})?(#[a-z]{0,2})?"
                .prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..12),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]
        #[test]
        fn fast_paths_off_give_the_same_steps(
            policy in prop::sample::select(policy_grid()),
            start in prop::sample::select(STARTS),
            method in prop::sample::select(vec![Method::GET, Method::POST, Method::PUT]),
            body in prop::sample::select(vec![Body::None, Body::Bytes(3), Body::Stream]),
            steps in prop::collection::vec((status(), value()), 1..6),
        ) {
            let steps: Vec<(u16, &[u8])> = steps.iter().map(|(s, v)| (*s, v.as_slice())).collect();
            same_steps(&policy, (method, start, body), &steps);
        }
    }
}

/// Panics unless `a` and `b` are the same machine, field by field (the
/// spare URL buffer, a loop-detection scratch key and the `Uri` text, which
/// only hold capacity, are not compared).
fn assert_same_machine(a: &RedirectMachine, b: &RedirectMachine) {
    let url = |v: urls::View<'_>| (v.as_str().to_owned(), *v.buf().parts());
    assert_eq!(a.policy, b.policy, "policy");
    assert_eq!(a.method, b.method, "method");
    assert_eq!(a.headers, b.headers, "headers");
    assert_eq!(a.body, b.body, "body");
    assert_eq!(url(a.urls.current()), url(b.urls.current()), "current URL");
    assert_eq!(url(a.urls.first()), url(b.urls.first()), "first URL");
    let layout = |m: &RedirectMachine| m.urls.layout();
    let (current, first, next) = layout(a);
    assert!(current == first && next != first, "layout {:?}", layout(a));
    assert_eq!(layout(a), layout(b), "layout");
    assert_eq!(a.hops, b.hops, "hops");
    assert_eq!(a.start_hops, b.start_hops, "start hops");
    let seen = |m: &RedirectMachine| {
        let s = m.seen.clone();
        format!("{s:?}")
    };
    assert_eq!(seen(a), seen(b), "seen");
    assert_eq!(a.removed, b.removed, "removed");
    assert_eq!(a.body_action, b.body_action, "body action");
    assert_eq!(a.finished, b.finished, "finished");
    assert_eq!(a.allows_http, b.allows_http, "allows http");
    assert_eq!(a.first_unrecorded, b.first_unrecorded, "first unrecorded");
    assert_eq!(a.fast_paths, b.fast_paths, "fast paths");
}

#[test]
fn reset_at_first_url_gives_a_fresh_machine() {
    use http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, COOKIE};
    let mut used_headers = HeaderMap::new();
    used_headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
    used_headers.insert(COOKIE, HeaderValue::from_static("s=1"));
    used_headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_LENGTH, HeaderValue::from_static("5"));
    headers.append(COOKIE, HeaderValue::from_static("a=1"));
    headers.append(COOKIE, HeaderValue::from_static("b=2"));
    // Hops that change origin, method and fragment, a repeat for loop
    // detection, then a refusal or a delivery that ends the chain.
    let responses: [(u16, &[u8]); 6] = [
        (302, b"https://b.test/x?y#g"),
        (301, b"/p/q"),
        (303, b"//c.test/"),
        (307, b"https://b.test/x?y"),
        (302, b"https://b.test/x?y"),
        (200, b""),
    ];
    let starts = [
        "https://a.test/form#top",
        "http://A.TEST:80/a/b/../c?q",
        "https://xn--bcher-kva.test/",
        "http://[::1]:8080/",
    ];
    for profile in [Profile::Fetch, Profile::Rfc9110, Profile::Rfc2616] {
        for fast in [true, false] {
            for start in starts {
                let fresh = |method: Method, headers: &HeaderMap, body: Body| {
                    let mut m = RedirectMachine::unstarted(profile.policy());
                    m.set_fast_paths(fast);
                    m.reset(method, start, headers.clone(), body).unwrap();
                    m
                };
                let mut used = fresh(Method::POST, &used_headers, Body::Stream);
                for (code, location) in responses {
                    let status = StatusCode::from_u16(code).unwrap();
                    let _ = used.step_raw(status, &[location]);
                }
                assert!(used.is_finished(), "{profile:?} {start}");
                used.reset_at_first_url(Method::PUT, &headers, Body::Bytes(5));
                // The parsed form a restart keeps is the text's.
                if let urls::Urls::Whatwg(t) = &used.urls {
                    let first = t.first();
                    let parsed = url::Url::parse(first.buf.as_str()).unwrap();
                    assert_eq!(first.url.as_ref(), Some(&parsed), "{start}");
                }
                let mut expected = fresh(Method::PUT, &headers, Body::Bytes(5));
                assert_same_machine(&used, &expected);
                // And they step alike.
                for (code, location) in responses {
                    let status = StatusCode::from_u16(code).unwrap();
                    let a = format!("{:?}", used.step_raw(status, &[location]));
                    let b = format!("{:?}", expected.step_raw(status, &[location]));
                    assert_eq!(a, b, "{profile:?} fast {fast} {start}: {code}");
                    assert_eq!(used.url(), expected.url());
                    assert_eq!(used.headers(), expected.headers());
                }
            }
        }
    }
}

#[test]
fn space_or_ctl_table_is_the_predicate() {
    for b in 0..=u8::MAX {
        assert_eq!(
            super::SPACE_OR_CTL[usize::from(b)],
            b <= b' ' || b == 0x7f,
            "{b:#04x}"
        );
    }
}
