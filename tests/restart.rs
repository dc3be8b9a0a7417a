//! A machine restarted with `reset` (after any earlier chain), or started
//! from an `http::Uri` or a `url::Url`, is the machine `new` gives: the same
//! start result, the same URLs, and the same steps after it (the first URL
//! kept across hops, for `CompareWith::FirstRequest` and `first_url`).

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use proptest::prelude::*;
use redirspec::model::CompareWith;
use redirspec::{Body, Policy, Profile, RedirectMachine};

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    h
}

fn policies() -> Vec<Policy> {
    let mut v: Vec<Policy> = Profile::ALL.iter().map(|p| p.policy()).collect();
    // The first URL matters to the credential rule only with this setting.
    v.extend(
        Profile::ALL
            .iter()
            .map(|p| p.policy().with_compare_with(CompareWith::FirstRequest)),
    );
    v
}

/// What a machine shows, then what it does with `locations` (one status
/// each), as text.
fn run(m: Result<RedirectMachine, redirspec::StartError>, steps: &[(u16, String)]) -> Vec<String> {
    let mut m = match m {
        Ok(m) => m,
        Err(e) => return vec![format!("start error: {e:?}")],
    };
    let mut out = vec![format!(
        "{} {} {:?} first={} hops={} finished={}",
        m.method(),
        m.url(),
        m.body(),
        m.first_url(),
        m.redirect_count(),
        m.is_finished()
    )];
    let first = m.url().to_owned();
    for (status, loc) in steps {
        let status = StatusCode::from_u16(*status).unwrap();
        let step = m.step_raw(status, &[loc.as_bytes()]);
        out.push(format!("{step:?}"));
        out.push(format!(
            "{} first={} hops={}",
            m.url(),
            m.first_url(),
            m.redirect_count()
        ));
        m.check_invariants();
        assert_eq!(m.first_url(), first, "the first URL changed");
    }
    out
}

fn used_machine(policy: &Policy) -> RedirectMachine {
    let mut m = RedirectMachine::new(
        Method::PUT,
        "https://used.test/old/path?x#frag",
        headers(),
        Body::Bytes(3),
        policy.clone(),
    )
    .unwrap();
    for loc in ["/a", "https://other.test/b", "c"] {
        m.step_raw(StatusCode::TEMPORARY_REDIRECT, &[loc.as_bytes()]);
    }
    m
}

fn same_start(start: &str, method: &Method, steps: &[(u16, String)]) {
    for policy in policies() {
        let body = if method == Method::GET {
            Body::None
        } else {
            Body::Bytes(5)
        };
        let new = RedirectMachine::new(method.clone(), start, headers(), body, policy.clone());
        let want = run(new, steps);
        let mut m = used_machine(&policy);
        let reset = m.reset(method.clone(), start, headers(), body).map(|()| m);
        assert_eq!(run(reset, steps), want, "reset {start:?} {policy:?}");
        // A failed restart leaves the machine as it was.
        let mut m = used_machine(&policy);
        let before = run(Ok(used_machine(&policy)), &[]);
        if m.reset(Method::GET, "no scheme", HeaderMap::new(), Body::None)
            .is_err()
        {
            assert_eq!(run(Ok(m), &[]), before);
        }
        if let Ok(uri) = start.parse::<http::Uri>() {
            let text = uri.to_string();
            let want = run(
                RedirectMachine::new(method.clone(), &text, headers(), body, policy.clone()),
                steps,
            );
            let from =
                RedirectMachine::from_uri(method.clone(), &uri, headers(), body, policy.clone());
            assert_eq!(run(from, steps), want, "from_uri {start:?}");
            let mut m = used_machine(&policy);
            let reset = m
                .reset_uri(method.clone(), &uri, headers(), body)
                .map(|()| m);
            assert_eq!(run(reset, steps), want, "reset_uri {start:?}");
        }
        if let Ok(url) = url::Url::parse(start) {
            let want = run(
                RedirectMachine::new(
                    method.clone(),
                    url.as_str(),
                    headers(),
                    body,
                    policy.clone(),
                ),
                steps,
            );
            let from =
                RedirectMachine::from_url(method.clone(), &url, headers(), body, policy.clone());
            assert_eq!(run(from, steps), want, "from_url {start:?}");
            let mut m = used_machine(&policy);
            let reset = m
                .reset_url(method.clone(), &url, headers(), body)
                .map(|()| m);
            assert_eq!(run(reset, steps), want, "reset_url {start:?}");
        }
    }
}

#[test]
fn restarts_equal_new_on_examples() {
    let steps: Vec<(u16, String)> = [
        (302, "/next"),
        (307, "https://b.test/x"),
        (301, "../y?q"),
        (308, "https://a.test/again"),
    ]
    .iter()
    .map(|(s, l)| (*s, l.to_string()))
    .collect();
    for start in [
        "https://a.test/p/q?x=1#top",
        "HTTP://A.TEST:80/",
        "http://a.test:8080",
        "https://u:p@a.test/",
        "https://[::1]:8443/x",
        "http://a.test/caf\u{e9}",
        "http:///nohost",
        "http://a.test:99999/",
        "/relative",
        "not a url",
        "",
    ] {
        for method in [Method::GET, Method::POST] {
            same_start(start, &method, &steps);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn restarts_equal_new(
        start in "(https?|HTTP|ftp)://([a-z]{1,3}@)?[a-zA-Z0-9.-]{0,8}(:[0-9]{0,5})?(/[a-z.%2]{0,4}){0,3}(\\?[a-z]{0,3})?(#[a-z]{0,2})?",
        steps in proptest::collection::vec(
            (prop::sample::select(vec![200u16, 301, 302, 303, 307, 308]),
             "((https?:)?//[a-c]\\.test(:[0-9]{1,3})?)?(/|\\.\\./)?[a-z.]{0,4}(\\?[a-z]{0,2})?(#[a-z])?"),
            0..4,
        ),
        post in any::<bool>(),
    ) {
        let method = if post { Method::POST } else { Method::GET };
        same_start(&start, &method, &steps);
    }
}
