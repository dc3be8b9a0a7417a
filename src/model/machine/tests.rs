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
