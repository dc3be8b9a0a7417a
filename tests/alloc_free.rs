//! Zero heap allocations per decision in steady state, counted by a global
//! allocator (not timed): every strict-mode (RFC 9110, RFC 2616) decision
//! below, and Fetch decisions on the fast path of `model/fast.rs`.
//!
//! A client's start is counted too: `new` with a built-in profile allocates
//! only the start URL's buffer, and `reset` (then a whole request) nothing
//! once the buffers have grown.
//!
//! Its own test binary, with one `#[test]`: the counter is process-wide, so
//! no other test may allocate on another thread while a step is counted.
//!
//! "Steady state": the machine's buffers have grown on earlier decisions.
//! Each decision is counted alone: the machine is first restored to the start
//! state with `clone_from` (outside the count), then one `step_raw` runs
//! inside the count and must make no allocation and no reallocation.

use std::alloc::System;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use redirspec::{Body, Policy, Profile, RedirectMachine, Step};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

#[path = "common/locations.rs"]
mod locations;

use locations::{seed as corpus, BASE, MIXED};

/// Location values (corpus files) whose decisions are counted, besides the
/// benchmarks' ten [`MIXED`] ones: follows, deliveries and refusals that
/// carry no owned data. (`RedirectLoop` and `SchemeNotAllowed` refusals own a
/// `String`: they allocate, once, at the end of a chain; `#top` against a
/// base of the same URL is such a loop.)
const MORE_LOCATIONS: &[&str] = &[
    "rfc-normal-dotdot-dotdot-g",
    "rel-traversal-etc-passwd",
    "path-dot-segments",
    "abs-https-mixed-case",
    "ipv6-loopback-port",
    // refused (invalid Location) without owned data
    "bad-pct-escape-nonhex",
    "attack-backslash-host",
    "ctl-cr-in-path",
    "utf8-invalid-latin1",
    "port-65536",
    "overlong-70k-path",
];

fn start(method: Method, policy: Policy) -> RedirectMachine {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let body = if method == Method::GET {
        Body::None
    } else {
        Body::Bytes(5)
    };
    RedirectMachine::new(method, BASE, headers, body, policy).unwrap()
}

/// Allocations and reallocations made by one step on a restored machine.
fn count_step(
    m: &mut RedirectMachine,
    start: &RedirectMachine,
    status: StatusCode,
    loc: &[u8],
) -> (usize, &'static str) {
    m.clone_from(start);
    let region = Region::new(GLOBAL);
    let action = m.step_raw(status, &[loc]).action();
    let change = region.change();
    (change.allocations + change.reallocations, action)
}

fn strict_profile_allocates_nothing(profile: Profile) {
    let start = start(Method::POST, profile.policy());
    let mut m = start.clone();
    let inputs: Vec<(&str, Vec<u8>)> = MIXED
        .iter()
        .chain(MORE_LOCATIONS)
        .map(|n| (*n, corpus(n)))
        .collect();
    for status in [
        StatusCode::FOUND,
        StatusCode::SEE_OTHER,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        // Warm-up: the buffers grow to the longest result. A followed step
        // flips which of the machine's two URL buffers is current, so each
        // input runs twice, once into each.
        for (_, loc) in &inputs {
            count_step(&mut m, &start, status, loc);
            count_step(&mut m, &start, status, loc);
        }
        for (name, loc) in &inputs {
            let (allocs, action) = count_step(&mut m, &start, status, loc);
            assert_eq!(
                allocs, 0,
                "{profile} {status} {name}: {allocs} allocation(s) in a steady-state step ({action})"
            );
        }
    }
}

/// A 10-hop chain (loop detection on, for the strict profiles) then the
/// final 200, every step counted, after one warm-up run of the same chain.
fn chain_allocates_nothing(profile: Profile) {
    let start = start(Method::GET, profile.policy().with_max_redirects(10));
    let chain: Vec<String> = (0..10)
        .map(|i| format!("https://h{}.example.test/p/{i}?q={i}", i % 3))
        .collect();
    let mut m = start.clone();
    for round in 0..2 {
        m.clone_from(&start);
        for loc in &chain {
            let region = Region::new(GLOBAL);
            let followed = matches!(
                m.step_raw(StatusCode::TEMPORARY_REDIRECT, &[loc.as_bytes()]),
                Step::Follow(_)
            );
            let change = region.change();
            assert!(followed, "{profile}: {loc} not followed");
            if round == 1 {
                assert_eq!(
                    change.allocations + change.reallocations,
                    0,
                    "{profile}: hop to {loc} allocated"
                );
            }
        }
        assert!(matches!(m.step_raw(StatusCode::OK, &[]), Step::Deliver(_)));
    }
}

/// Location values on the Fetch fast path (model/fast.rs), besides the ten
/// [`MIXED`] ones: the WHATWG result written without the `url` crate, hence
/// without allocating.
const MORE_FETCH_FAST: &[&str] = &[
    "rfc-normal-dotdot-dotdot-g",
    "path-dot-segments",
    "abs-https-mixed-case",
    "frag-top",
];

fn fetch_fast_path_allocates_nothing() {
    let start = start(Method::POST, Profile::Fetch.policy());
    let mut m = start.clone();
    let inputs: Vec<(&str, Vec<u8>)> = MIXED
        .iter()
        .chain(MORE_FETCH_FAST)
        .map(|n| (*n, corpus(n)))
        .collect();
    for status in [
        StatusCode::FOUND,
        StatusCode::SEE_OTHER,
        StatusCode::PERMANENT_REDIRECT,
    ] {
        for (_, loc) in &inputs {
            count_step(&mut m, &start, status, loc);
            count_step(&mut m, &start, status, loc);
        }
        for (name, loc) in &inputs {
            let (allocs, action) = count_step(&mut m, &start, status, loc);
            assert_eq!(action, "follow", "fetch {status} {name}");
            assert_eq!(
                allocs, 0,
                "fetch {status} {name}: {allocs} allocation(s) in a steady-state step"
            );
        }
    }
    // The wide fast path (non-ASCII, spaces, backslashes, `%2e`) makes
    // none either once the buffers have grown.
    for loc in [
        &b"/caf\xc3\xa9?q=a b"[..],
        b"\\\\cdn.example.test\\a\\%2e%2e\\b",
        b"/\xff",
    ] {
        count_step(&mut m, &start, StatusCode::FOUND, loc);
        let (allocs, action) = count_step(&mut m, &start, StatusCode::FOUND, loc);
        assert_eq!(action, "follow");
        assert_eq!(
            allocs,
            0,
            "{:?}: {allocs} allocation(s)",
            String::from_utf8_lossy(loc)
        );
    }
    // Off the fast paths (an IDN host) the `url` crate allocates: the count sees it.
    let idn = "https://b\u{fc}cher.test/".as_bytes();
    let (allocs, action) = count_step(&mut m, &start, StatusCode::FOUND, idn);
    assert_eq!(action, "follow");
    assert!(allocs > 0, "the url crate's path allocated nothing?");
}

/// Allocations and reallocations made by `f`.
fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let region = Region::new(GLOBAL);
    let out = f();
    let change = region.change();
    (change.allocations + change.reallocations, out)
}

/// A client's start: `Profile::policy()` and its clone allocate nothing;
/// `new` allocates only the buffer it must own for the start URL (its text,
/// parsed once and shared by the first and current URL).
fn starts_allocate_only_the_url(profile: Profile) {
    let (allocs, policy) = count(|| profile.policy());
    assert_eq!(allocs, 0, "{profile}: Profile::policy() allocated");
    let (allocs, copy) = count(|| policy.clone());
    assert_eq!(allocs, 0, "{profile}: cloning a built-in policy allocated");
    drop(copy);
    let headers = HeaderMap::new();
    let (allocs, m) =
        count(|| RedirectMachine::new(Method::GET, BASE, headers, Body::None, policy));
    assert!(m.is_ok(), "{profile}");
    assert_eq!(
        allocs, 1,
        "{profile}: new allocated {allocs} times (the start URL's buffer is the one it must own)"
    );
}

/// `reset` (and `reset_uri`, `reset_url`) once the buffers have grown, and a
/// whole request after it (the restart and one redirect, or a 10-hop chain),
/// allocate nothing.
fn resets_allocate_nothing(profile: Profile) {
    let locations: Vec<Vec<u8>> = MIXED.iter().map(|n| corpus(n)).collect();
    let starts = [
        BASE,
        "https://a.test/dir/sub/page.html?q=1",
        "http://b.example.test:8080/x#f",
    ];
    let uris: Vec<http::Uri> = starts.iter().map(|s| s.parse().unwrap()).collect();
    let urls: Vec<url::Url> = starts.iter().map(|s| url::Url::parse(s).unwrap()).collect();
    let policy = profile.policy().with_max_redirects(10);
    let mut m =
        RedirectMachine::new(Method::GET, BASE, HeaderMap::new(), Body::None, policy).unwrap();
    let chain: Vec<String> = (0..10)
        .map(|i| format!("https://h{}.example.test/p/{i}?q={i}", i % 3))
        .collect();
    for round in 0..3 {
        for (i, start) in starts.iter().enumerate() {
            for loc in &locations {
                let (allocs, action) = count(|| {
                    m.reset(Method::GET, start, HeaderMap::new(), Body::None)
                        .unwrap();
                    m.step_raw(StatusCode::FOUND, &[loc]).action()
                });
                let (allocs_uri, ()) = count(|| {
                    m.reset_uri(Method::GET, &uris[i], HeaderMap::new(), Body::None)
                        .unwrap();
                });
                let (allocs_url, ()) = count(|| {
                    m.reset_url(Method::GET, &urls[i], HeaderMap::new(), Body::None)
                        .unwrap();
                });
                if round > 0 {
                    let shown = String::from_utf8_lossy(loc);
                    assert_eq!(
                        allocs, 0,
                        "{profile}: reset {start} + step {shown:?} ({action})"
                    );
                    assert_eq!(allocs_uri, 0, "{profile}: reset_uri {start}");
                    assert_eq!(allocs_url, 0, "{profile}: reset_url {start}");
                }
            }
            let (allocs, hops) = count(|| {
                m.reset(Method::GET, start, HeaderMap::new(), Body::None)
                    .unwrap();
                let mut hops = 0;
                for loc in &chain {
                    hops += usize::from(matches!(
                        m.step_raw(StatusCode::FOUND, &[loc.as_bytes()]),
                        Step::Follow(_)
                    ));
                }
                hops
            });
            assert_eq!(hops, 10, "{profile}: {start}");
            if round > 0 {
                assert_eq!(allocs, 0, "{profile}: reset {start} + 10 hops");
            }
        }
    }
}

/// `reset_at_first_url` once the buffers have grown (the first restart
/// also keeps the first URL's parsed form in Fetch mode), with the same
/// fields as the machine has or others, and a hop after it, allocates
/// nothing.
fn restarts_at_first_url_allocate_nothing(profile: Profile) {
    let mut credentials = HeaderMap::new();
    credentials.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t"));
    credentials.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let mut content = HeaderMap::new();
    content.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    let mut m = RedirectMachine::new(
        Method::POST,
        "https://a.test/form#top",
        HeaderMap::new(),
        Body::Bytes(5),
        profile.policy(),
    )
    .unwrap();
    // A cross-origin hop (credentials removed), a same-origin one, none.
    let responses: [(StatusCode, &[u8]); 3] = [
        (StatusCode::FOUND, b"https://b.test/done"),
        (StatusCode::TEMPORARY_REDIRECT, b"/next?x=1"),
        (StatusCode::OK, b""),
    ];
    for round in 0..3 {
        for headers in [&credentials, &credentials, &content, &HeaderMap::new()] {
            for (status, location) in responses {
                let (allocs, action) = count(|| {
                    m.reset_at_first_url(Method::POST, headers, Body::Bytes(5));
                    let lines: &[&[u8]] = if location.is_empty() {
                        &[]
                    } else {
                        &[location]
                    };
                    m.step_raw(status, lines).action()
                });
                if round > 0 {
                    assert_eq!(
                        allocs,
                        0,
                        "{profile}: reset_at_first_url ({} fields) + {status} ({action})",
                        headers.len()
                    );
                }
            }
        }
    }
}

#[test]
fn steady_state_decisions_allocate_nothing() {
    // The counter sees allocations: this test can fail.
    let region = Region::new(GLOBAL);
    let v = std::hint::black_box(vec![0u8; 64]);
    assert!(region.change().allocations >= 1);
    drop(v);

    for profile in [Profile::Rfc9110, Profile::Rfc2616] {
        strict_profile_allocates_nothing(profile);
        chain_allocates_nothing(profile);
    }
    fetch_fast_path_allocates_nothing();
    chain_allocates_nothing(Profile::Fetch);
    for profile in Profile::ALL {
        starts_allocate_only_the_url(profile);
        resets_allocate_nothing(profile);
        restarts_at_first_url_allocate_nothing(profile);
    }
}
