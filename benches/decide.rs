//! Redirect decision throughput: redirspec's `RedirectMachine` against the
//! paths people use today, side by side in the same criterion groups.
//!
//! Run: `cargo bench --bench decide` (smoke: `cargo bench --bench decide -- --quick --noplot`).
//!
//! What one *element* (one decision) covers, per implementation:
//! - `redirspec_<profile>`: one `machine.step_raw(status, &[location])` on a
//!   machine at the start state whose buffers have grown (steady state; the
//!   restore, `clone_from(&start)`, runs outside the clock and is measured
//!   alone in the `overhead` group): trim and
//!   check the field value, parse the Location, resolve it against the
//!   current URL, fragment inheritance, scheme / host / downgrade / hop-limit /
//!   body checks, the method rule, header removal, loop detection where the
//!   profile asks, and the move to the next request.
//! - `reqwest`: reqwest 0.12's steps on a pre-parsed base `Url`: the method
//!   rule of the `FollowRedirect` middleware reqwest 0.12 drives
//!   (301/302: POST -> GET and payload headers dropped; 303: everything but
//!   HEAD -> GET; 307/308 kept), `str::from_utf8` of the Location,
//!   `Url::join`, the http(s) scheme check and `remove_sensitive_headers`'s
//!   host + port comparison. (Today's reqwest re-parses URLs more than this;
//!   this is the cheapest reading of its path.)
//! - `tower_http`: tower-http 0.6's `follow_redirect` steps: the same method
//!   rule, then its `resolve_uri`: base `http::Uri` -> `String` ->
//!   `Url::parse` -> `join` -> `String` -> `Uri::try_from`.
//! - `fluent_uri`: fluent-uri 0.3 RFC 3986 resolution only:
//!   `str::from_utf8`, `UriRef::parse`, `resolve_against` a pre-parsed base
//!   (without the fragment, which fluent-uri refuses in a base). No method
//!   rule, no checks, no fragment inheritance: less work than a decision.
//!
//! Inputs are Location values read from `corpus/location_parse/`.
//!
//! The request carries no header fields, in every implementation. Then
//! nothing is removed anywhere: reqwest's path still compares host and port
//! (as reqwest does), while redirspec's machine skips its header rules and
//! the origin comparison for an empty header list (there is nothing they
//! could remove); `tests/credentials_and_chains.rs` covers the rules.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, BatchSize, BenchmarkId, Criterion, Throughput};
use http::header::{
    AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_LOCATION, CONTENT_TYPE, COOKIE,
    PROXY_AUTHORIZATION, TRANSFER_ENCODING, WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use redirspec::model::parse_location;
use redirspec::{Body, Policy, Profile, RedirectMachine, Step};
use url::Url;

#[path = "../tests/common/locations.rs"]
mod locations;

use locations::{seed, BASE, MIXED};

const BASE_NO_FRAGMENT: &str = "https://www.example.test/account/profile?tab=1";

const ABSOLUTE: &[&str] = &[
    "abs-http-basic",
    "abs-https-query",
    "abs-https-port",
    "abs-https-mixed-case",
    "abs-https-fragment",
    "abs-http-www-index",
    "abs-https-oauth-callback",
    "abs-https-root",
];
const RELATIVE: &[&str] = &[
    "path-basic",
    "path-nested",
    "rel-file",
    "rel-dotdot-file",
    "query-page",
    "path-fragment",
    "schemerel-host-path",
    "rel-query-with-path",
    "path-query-fragment",
];
const DOT_SEGMENTS: &[&str] = &[
    "rfc-normal-dotdot-dotdot-g",
    "rfc-abnormal-dotdot-x4-g",
    "path-dot-segments",
    "rel-dotdot-dot-mix",
    "rel-traversal-etc-passwd",
    "abs-https-dot-segments",
    "rfc-abnormal-g-semi-x1-dotdot-y",
    "path-trailing-dotdot",
];
const MALFORMED: &[&str] = &[
    "bad-pct-escape-nonhex",
    "attack-backslash-host",
    "ws-internal-space-path",
    "ctl-cr-in-path",
    "utf8-invalid-latin1",
    "port-65536",
    "ipv6-unterminated",
    "attack-https-three-slashes",
    "utf8-path",
    "idn-utf8-host",
];

fn corpus(names: &[&str]) -> Vec<Vec<u8>> {
    names.iter().map(|n| seed(n)).collect()
}

/// A GET answered by a 302: the commonest redirect.
const STATUS: StatusCode = StatusCode::FOUND;

// ---- redirspec --------------------------------------------------------------

/// Machines at the start state, restored outside the timed region.
///
/// `iter_custom` times only the steps: per chunk of iterations, every machine
/// of the pool is restored with `clone_from(&start)` (into its own buffers,
/// so they stay grown: the steady state), then the clock runs over the steps.
struct Redirspec {
    start: RedirectMachine,
    pool: Vec<RedirectMachine>,
}

/// Iterations per timed chunk: enough to make the two clock reads negligible,
/// few enough for the pool to stay in cache.
const CHUNK: u64 = 32;

impl Redirspec {
    fn new(policy: Policy) -> Self {
        Redirspec::with_headers(policy, HeaderMap::new())
    }

    fn with_headers(policy: Policy, headers: HeaderMap) -> Self {
        let start = RedirectMachine::new(Method::GET, BASE, headers, Body::None, policy).unwrap();
        Redirspec {
            pool: Vec::new(),
            start,
        }
    }

    /// Runs `iters` iterations of `per_iter` steps each (`step(machine, k)`
    /// for k in 0..per_iter), each on a machine at the start state, and
    /// returns the time spent in the steps alone.
    fn time(
        &mut self,
        iters: u64,
        per_iter: usize,
        mut step: impl FnMut(&mut RedirectMachine, usize) -> usize,
    ) -> Duration {
        let need = CHUNK as usize * per_iter;
        while self.pool.len() < need {
            self.pool.push(self.start.clone());
        }
        let mut total = Duration::ZERO;
        let mut left = iters;
        while left > 0 {
            let n = left.min(CHUNK);
            let machines = &mut self.pool[..n as usize * per_iter];
            for m in machines.iter_mut() {
                m.clone_from(&self.start);
            }
            let t = Instant::now();
            for chunk in machines.chunks_mut(per_iter) {
                for (k, m) in chunk.iter_mut().enumerate() {
                    black_box(step(m, k));
                }
            }
            total += t.elapsed();
            left -= n;
        }
        total
    }
}

/// One decision: a step, reduced to a number so nothing is optimised away.
#[inline]
fn decide_one(m: &mut RedirectMachine, status: StatusCode, location: &[u8]) -> usize {
    match m.step_raw(status, &[location]) {
        Step::Follow(hop) => hop.url().len(),
        Step::Deliver(_) => 1,
        Step::Refuse(_) => 2,
        _ => 3,
    }
}

// ---- reqwest / tower-http method rule --------------------------------------

/// The method rule of tower-http 0.6 `FollowRedirect` (which reqwest 0.12
/// drives): `None` when the status is not followed.
#[inline]
fn method_rule(status: StatusCode, method: &Method, headers: &mut HeaderMap) -> Option<Method> {
    let mut method = method.clone();
    match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => {
            if method == Method::POST {
                method = Method::GET;
                drop_payload_headers(headers);
            }
        }
        StatusCode::SEE_OTHER => {
            if method != Method::HEAD {
                method = Method::GET;
            }
            drop_payload_headers(headers);
        }
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => {}
        _ => return None,
    }
    Some(method)
}

fn drop_payload_headers(headers: &mut HeaderMap) {
    for h in [
        CONTENT_TYPE,
        CONTENT_LENGTH,
        CONTENT_ENCODING,
        CONTENT_LOCATION,
        TRANSFER_ENCODING,
    ] {
        headers.remove(h);
    }
}

/// reqwest: `remove_sensitive_headers` (cross host or port).
#[inline]
fn remove_sensitive(headers: &mut HeaderMap, next: &Url, previous: &Url) {
    if next.host_str() != previous.host_str()
        || next.port_or_known_default() != previous.port_or_known_default()
    {
        for h in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, WWW_AUTHENTICATE] {
            headers.remove(h);
        }
        headers.remove("cookie2");
    }
}

#[inline]
fn reqwest(base: &Url, headers: &mut HeaderMap, status: StatusCode, location: &[u8]) -> usize {
    let Some(method) = method_rule(status, &Method::GET, headers) else {
        return 1;
    };
    let Ok(text) = std::str::from_utf8(location) else {
        return 2;
    };
    let Ok(next) = base.join(text) else {
        return 2;
    };
    if next.scheme() != "http" && next.scheme() != "https" {
        return 2;
    }
    remove_sensitive(headers, &next, base);
    black_box(&method);
    next.as_str().len()
}

/// tower-http 0.6 `follow_redirect::resolve_uri`, step by step.
#[inline]
fn tower_http(base: &Uri, headers: &mut HeaderMap, status: StatusCode, location: &[u8]) -> usize {
    let Some(method) = method_rule(status, &Method::GET, headers) else {
        return 1;
    };
    let Ok(relative) = std::str::from_utf8(location) else {
        return 2;
    };
    let Ok(base_url) = Url::parse(&base.to_string()) else {
        return 2;
    };
    let Ok(resolved) = base_url.join(relative) else {
        return 2;
    };
    let Ok(uri) = Uri::try_from(String::from(resolved)) else {
        return 2;
    };
    black_box(&method);
    uri.path().len() + 3
}

#[inline]
fn fluent(base: &fluent_uri::Uri<String>, location: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(location) else {
        return 2;
    };
    let Ok(r) = fluent_uri::UriRef::parse(text) else {
        return 2;
    };
    match r.resolve_against(base) {
        Ok(u) => u.as_str().len(),
        Err(_) => 2,
    }
}

// ---- groups ------------------------------------------------------------------

/// Every implementation follows (resolves) every input, with the same URL
/// up to the fragment (reqwest and tower-http do not inherit it).
fn check_all_resolve(inputs: &[Vec<u8>]) {
    let base = Url::parse(BASE).unwrap();
    let base_uri: Uri = BASE.parse().unwrap();
    let base_fluent = fluent_uri::Uri::parse(BASE_NO_FRAGMENT.to_owned()).unwrap();
    for loc in inputs {
        let shown = String::from_utf8_lossy(loc);
        let want = base.join(&shown).unwrap();
        let want = &want[..url::Position::AfterQuery];
        for profile in [Profile::Fetch, Profile::Rfc9110] {
            let r = Redirspec::new(profile.policy());
            let mut m = r.start.clone();
            match m.step_raw(STATUS, &[loc]) {
                // RFC 3986 keeps the case as written; WHATWG lower-cases
                // scheme and host.
                Step::Follow(hop) => assert!(
                    hop.url()
                        .split('#')
                        .next()
                        .is_some_and(|u| u.eq_ignore_ascii_case(want)),
                    "{profile}: {shown:?} -> {} (url crate: {want})",
                    hop.url()
                ),
                other => panic!("{profile} does not follow {shown:?}: {other:?}"),
            }
        }
        let mut headers = HeaderMap::new();
        assert!(
            reqwest(&base, &mut headers, STATUS, loc) > 2,
            "reqwest: {shown:?}"
        );
        assert!(
            tower_http(&base_uri, &mut headers, STATUS, loc) > 2,
            "tower-http: {shown:?}"
        );
        let Ok(r) = fluent_uri::UriRef::parse(shown.as_ref()) else {
            panic!("fluent-uri does not parse {shown:?}");
        };
        let resolved = r.resolve_against(&base_fluent).unwrap();
        assert!(fluent(&base_fluent, loc) > 2, "fluent-uri: {shown:?}");
        black_box(resolved);
    }
}

/// `all_valid`: every input is a valid reference that every implementation
/// must resolve (checked before timing, so no path is timed failing early).
fn decide_group(c: &mut Criterion, group: &str, names: &[&str], all_valid: bool) {
    let inputs = corpus(names);
    if all_valid {
        check_all_resolve(&inputs);
    }
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(inputs.len() as u64));
    for profile in Profile::ALL {
        let mut r = Redirspec::new(profile.policy());
        g.bench_function(format!("redirspec_{profile}"), |b| {
            b.iter_custom(|iters| {
                r.time(iters, inputs.len(), |m, k| {
                    decide_one(m, STATUS, black_box(&inputs[k]))
                })
            })
        });
    }
    let base = Url::parse(BASE).unwrap();
    let mut headers = HeaderMap::new();
    g.bench_function("reqwest", |b| {
        b.iter(|| {
            let mut n = 0;
            for loc in &inputs {
                n += reqwest(&base, &mut headers, STATUS, black_box(loc));
            }
            n
        })
    });
    let base_uri: Uri = BASE.parse().unwrap();
    g.bench_function("tower_http", |b| {
        b.iter(|| {
            let mut n = 0;
            for loc in &inputs {
                n += tower_http(&base_uri, &mut headers, STATUS, black_box(loc));
            }
            n
        })
    });
    // fluent-uri refuses a base with a fragment (RFC 3986 §5.2.1: the base
    // is an absolute-URI): its base is BASE without "#top".
    let base_fluent = fluent_uri::Uri::parse(BASE_NO_FRAGMENT.to_owned()).unwrap();
    g.bench_function("fluent_uri", |b| {
        b.iter(|| {
            let mut n = 0;
            for loc in &inputs {
                n += fluent(&base_fluent, black_box(loc));
            }
            n
        })
    });
    g.finish();
}

fn decide(c: &mut Criterion) {
    decide_group(c, "decide", MIXED, true);
    decide_group(c, "decide_absolute", ABSOLUTE, true);
    decide_group(c, "decide_relative", RELATIVE, true);
    decide_group(c, "decide_dot_segments", DOT_SEGMENTS, true);
    decide_group(c, "decide_malformed", MALFORMED, false);
}

/// The mixed set for a request that carries credentials (`Authorization`
/// and `Cookie`): every implementation compares origins and removes them
/// where its rule says (redirspec: per profile; reqwest: cross host or
/// port). reqwest's path gets fresh header lists outside the clock.
fn decide_with_credentials(c: &mut Criterion) {
    let inputs = corpus(MIXED);
    let mut credentials = HeaderMap::new();
    credentials.insert(AUTHORIZATION, HeaderValue::from_static("Bearer t0k3n"));
    credentials.insert(COOKIE, HeaderValue::from_static("session=1"));
    let mut g = c.benchmark_group("decide_with_credentials");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    for profile in Profile::ALL {
        let mut r = Redirspec::with_headers(profile.policy(), credentials.clone());
        g.bench_function(format!("redirspec_{profile}"), |b| {
            b.iter_custom(|iters| {
                r.time(iters, inputs.len(), |m, k| {
                    decide_one(m, STATUS, black_box(&inputs[k]))
                })
            })
        });
    }
    let base = Url::parse(BASE).unwrap();
    g.bench_function("reqwest", |b| {
        b.iter_batched_ref(
            || vec![credentials.clone(); inputs.len()],
            |lists| {
                let mut n = 0;
                for (loc, headers) in inputs.iter().zip(lists.iter_mut()) {
                    n += reqwest(&base, headers, STATUS, black_box(loc));
                }
                n
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// The reset every `redirspec_*` decision includes, alone.
fn overhead(c: &mut Criterion) {
    let mut g = c.benchmark_group("overhead");
    for profile in Profile::ALL {
        let r = Redirspec::new(profile.policy());
        let mut m = r.start.clone();
        g.bench_function(format!("redirspec_{profile}_reset_only"), |b| {
            b.iter(|| m.clone_from(black_box(&r.start)))
        });
    }
    g.finish();
}

/// A Location of exactly `len` bytes: an absolute-path reference made of
/// 8-byte segments with a query, all valid RFC 3986.
fn long_location(len: usize) -> Vec<u8> {
    let mut v = b"/".to_vec();
    while v.len() < len {
        v.extend_from_slice(b"segment/");
    }
    v.truncate(len);
    v
}

/// Location parsing alone, 16 B to 64 KiB: bytes per second stay flat when
/// the cost is linear in the length.
fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_location");
    for len in [16usize, 256, 4096, 65536] {
        let loc = long_location(len);
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_with_input(BenchmarkId::new("redirspec_rfc9110", len), &loc, |b, l| {
            b.iter(|| parse_location(black_box(l), 64 * 1024).map(|r| r.path().len()))
        });
        let text = String::from_utf8(loc.clone()).unwrap();
        let base = Url::parse(BASE).unwrap();
        g.bench_with_input(BenchmarkId::new("url_join_fetch", len), &text, |b, t| {
            b.iter(|| base.join(black_box(t)).map(|u| u.as_str().len()))
        });
        g.bench_with_input(BenchmarkId::new("fluent_uri", len), &text, |b, t| {
            b.iter(|| fluent_uri::UriRef::parse(black_box(t.as_str())).map(|r| r.as_str().len()))
        });
    }
    g.finish();
    // The whole decision on the same lengths (Fetch and RFC 9110).
    let mut g = c.benchmark_group("decide_by_length");
    for len in [16usize, 256, 4096, 65536] {
        let loc = long_location(len);
        g.throughput(Throughput::Bytes(len as u64));
        for profile in [Profile::Fetch, Profile::Rfc9110] {
            let mut r = Redirspec::new(profile.policy());
            g.bench_with_input(
                BenchmarkId::new(format!("redirspec_{profile}"), len),
                &loc,
                |b, l| {
                    b.iter_custom(|iters| {
                        r.time(iters, 1, |m, _| decide_one(m, STATUS, black_box(l)))
                    })
                },
            );
        }
    }
    g.finish();
}

/// Ten absolute Locations, followed one after the other.
const CHAIN: [&str; 10] = [
    "https://a.example.test/1",
    "https://a.example.test/2?x=1",
    "https://b.example.test/3",
    "https://b.example.test/dir/4",
    "https://b.example.test/dir/5#f",
    "https://c.example.test:8443/6",
    "https://c.example.test:8443/7/",
    "https://a.example.test/8?q=a+b",
    "https://a.example.test/9",
    "https://a.example.test/10",
];

/// A full 10-hop chain through one machine, then the final 200. Each profile
/// runs with a hop limit of 10 (reqwest's), so RFC 2616's 5 does not cut it.
fn chain(c: &mut Criterion) {
    let mut g = c.benchmark_group("chain_10_hops");
    g.throughput(Throughput::Elements(CHAIN.len() as u64));
    for profile in Profile::ALL {
        let policy = profile.policy().with_max_redirects(10);
        let mut r = Redirspec::new(policy);
        g.bench_function(format!("redirspec_{profile}"), |b| {
            b.iter_custom(|iters| {
                r.time(iters, 1, |m, _| {
                    let mut n = 0;
                    for loc in CHAIN {
                        if let Step::Follow(hop) =
                            m.step_raw(StatusCode::FOUND, &[black_box(loc.as_bytes())])
                        {
                            n += hop.url().len();
                        }
                    }
                    let end = m.step_raw(StatusCode::OK, &[]);
                    assert!(matches!(end, Step::Deliver(_)), "{profile}: {end:?}");
                    n
                })
            })
        });
    }
    let base = Url::parse(BASE).unwrap();
    let mut headers = HeaderMap::new();
    g.bench_function("reqwest", |b| {
        b.iter(|| {
            let mut current = base.clone();
            let mut n = 0;
            for loc in CHAIN {
                let Some(_method) = method_rule(StatusCode::FOUND, &Method::GET, &mut headers)
                else {
                    continue;
                };
                if let Ok(next) = current.join(black_box(loc)) {
                    remove_sensitive(&mut headers, &next, &current);
                    n += next.as_str().len();
                    current = next;
                }
            }
            n
        })
    });
    g.finish();
}

/// Shorter than criterion's defaults (3 s warm-up, 5 s, 100 samples): the
/// whole file runs in a few minutes on a shared 2-core machine.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(2))
        .sample_size(30)
}

// ---- what a client pays per request ------------------------------------------

/// One request redirected once, redirspec: a machine started for the
/// request (`RedirectMachine::new` with the profile's policy, which parses
/// the request URL) and one step.
#[inline]
fn redirspec_request(profile: Profile, location: &[u8]) -> usize {
    let Ok(mut m) = RedirectMachine::new(
        Method::GET,
        black_box(BASE),
        HeaderMap::new(),
        Body::None,
        profile.policy(),
    ) else {
        return 2;
    };
    decide_one(&mut m, STATUS, location)
}

/// The same with a machine kept from request to request: `reset`, one step.
#[inline]
fn redirspec_request_reset(m: &mut RedirectMachine, location: &[u8]) -> usize {
    if m.reset(Method::GET, black_box(BASE), HeaderMap::new(), Body::None)
        .is_err()
    {
        return 2;
    }
    decide_one(m, STATUS, location)
}

/// reqwest's path for one request: `Url::parse` of the request URL (what
/// `IntoUrl` does with the caller's string), then the redirect step.
#[inline]
fn reqwest_request(headers: &mut HeaderMap, location: &[u8]) -> usize {
    let Ok(base) = Url::parse(black_box(BASE)) else {
        return 2;
    };
    reqwest(&base, headers, STATUS, location)
}

/// tower-http's path for one request: the request's `http::Uri` parsed
/// from the caller's string, then `follow_redirect`'s step.
#[inline]
fn tower_http_request(headers: &mut HeaderMap, location: &[u8]) -> usize {
    let Ok(base) = black_box(BASE).parse::<Uri>() else {
        return 2;
    };
    tower_http(&base, headers, STATUS, location)
}

/// fluent-uri for one request: the base parsed (borrowed, without the
/// fragment it refuses), the Location parsed and resolved.
#[inline]
fn fluent_request(location: &[u8]) -> usize {
    let Ok(base) = fluent_uri::Uri::parse(black_box(BASE_NO_FRAGMENT)) else {
        return 2;
    };
    let Ok(text) = std::str::from_utf8(location) else {
        return 2;
    };
    let Ok(r) = fluent_uri::UriRef::parse(text) else {
        return 2;
    };
    match r.resolve_against(&base) {
        Ok(u) => u.as_str().len(),
        Err(_) => 2,
    }
}

/// The comparators' per-request paths, in a group (they have no restart:
/// the same path in `per_request` and `per_request_reset`).
fn others_per_request(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    inputs: &[Vec<u8>],
) {
    let mut headers = HeaderMap::new();
    g.bench_function("reqwest", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|l| reqwest_request(&mut headers, black_box(l)))
                .sum::<usize>()
        })
    });
    g.bench_function("tower_http", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|l| tower_http_request(&mut headers, black_box(l)))
                .sum::<usize>()
        })
    });
    g.bench_function("fluent_uri", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|l| fluent_request(black_box(l)))
                .sum::<usize>()
        })
    });
}

/// What a client pays for one redirected request, start included: the
/// mixed set, one request per Location value, each a GET of `BASE`
/// answered by a 302.
/// - `per_request`: redirspec starts a machine per request (`new`);
/// - `per_request_reset`: redirspec restarts one machine (`reset`).
///
/// reqwest's, tower-http's and fluent-uri's paths are the same in both
/// (each parses its request URL per request: `Url::parse`, `Uri` parse,
/// fluent-uri `Uri::parse`).
fn per_request(c: &mut Criterion) {
    let inputs = corpus(MIXED);
    check_all_resolve(&inputs);
    let mut g = c.benchmark_group("per_request");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    for profile in Profile::ALL {
        g.bench_function(format!("redirspec_{profile}"), |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .map(|l| redirspec_request(profile, black_box(l)))
                    .sum::<usize>()
            })
        });
    }
    others_per_request(&mut g, &inputs);
    g.finish();

    let mut g = c.benchmark_group("per_request_reset");
    g.throughput(Throughput::Elements(inputs.len() as u64));
    for profile in Profile::ALL {
        let mut m = Redirspec::new(profile.policy()).start;
        g.bench_function(format!("redirspec_{profile}"), |b| {
            b.iter(|| {
                inputs
                    .iter()
                    .map(|l| redirspec_request_reset(&mut m, black_box(l)))
                    .sum::<usize>()
            })
        });
    }
    others_per_request(&mut g, &inputs);
    g.finish();
}

/// The 10-hop chain of [`chain`] with the start of the request: redirspec
/// `new` (or `reset`), ten steps and the final 200; reqwest `Url::parse`
/// and ten joins; tower-http a `Uri` parse and ten `resolve_uri`s;
/// fluent-uri a parse and ten resolutions (each against the last result
/// without its fragment, which it refuses in a base).
fn chain_with_start(c: &mut Criterion) {
    let mut g = c.benchmark_group("chain_10_hops_with_start");
    g.throughput(Throughput::Elements(CHAIN.len() as u64));
    fn follow_chain(m: &mut RedirectMachine) -> usize {
        let mut n = 0;
        for loc in CHAIN {
            if let Step::Follow(hop) = m.step_raw(StatusCode::FOUND, &[black_box(loc.as_bytes())]) {
                n += hop.url().len();
            }
        }
        let end = m.step_raw(StatusCode::OK, &[]);
        assert!(matches!(end, Step::Deliver(_)), "{end:?}");
        n
    }
    for profile in Profile::ALL {
        let policy = profile.policy().with_max_redirects(10);
        g.bench_function(format!("redirspec_{profile}"), |b| {
            b.iter(|| {
                let policy = profile.policy().with_max_redirects(10);
                let mut m = RedirectMachine::new(
                    Method::GET,
                    black_box(BASE),
                    HeaderMap::new(),
                    Body::None,
                    policy,
                )
                .unwrap();
                follow_chain(&mut m)
            })
        });
        let mut m =
            RedirectMachine::new(Method::GET, BASE, HeaderMap::new(), Body::None, policy).unwrap();
        g.bench_function(format!("redirspec_{profile}_reset"), |b| {
            b.iter(|| {
                m.reset(Method::GET, black_box(BASE), HeaderMap::new(), Body::None)
                    .unwrap();
                follow_chain(&mut m)
            })
        });
    }
    let mut headers = HeaderMap::new();
    g.bench_function("reqwest", |b| {
        b.iter(|| {
            let mut current = Url::parse(black_box(BASE)).unwrap();
            let mut n = 0;
            for loc in CHAIN {
                let Some(_method) = method_rule(StatusCode::FOUND, &Method::GET, &mut headers)
                else {
                    continue;
                };
                if let Ok(next) = current.join(black_box(loc)) {
                    remove_sensitive(&mut headers, &next, &current);
                    n += next.as_str().len();
                    current = next;
                }
            }
            n
        })
    });
    g.bench_function("tower_http", |b| {
        b.iter(|| {
            let mut current: Uri = black_box(BASE).parse().unwrap();
            let mut n = 0;
            for loc in CHAIN {
                let Some(_method) = method_rule(StatusCode::FOUND, &Method::GET, &mut headers)
                else {
                    continue;
                };
                let Ok(base) = Url::parse(&current.to_string()) else {
                    continue;
                };
                let Ok(next) = base.join(black_box(loc)) else {
                    continue;
                };
                if let Ok(uri) = Uri::try_from(String::from(next)) {
                    n += uri.path().len();
                    current = uri;
                }
            }
            n
        })
    });
    g.bench_function("fluent_uri", |b| {
        b.iter(|| {
            let mut current =
                fluent_uri::Uri::parse(black_box(BASE_NO_FRAGMENT).to_owned()).unwrap();
            let mut n = 0;
            for loc in CHAIN {
                let Ok(r) = fluent_uri::UriRef::parse(black_box(loc)) else {
                    continue;
                };
                let Ok(next) = r.resolve_against(&current) else {
                    continue;
                };
                n += next.as_str().len();
                current = if next.fragment().is_some() {
                    let s = next.as_str();
                    let cut = s.find('#').unwrap_or(s.len());
                    fluent_uri::Uri::parse(s[..cut].to_owned()).unwrap()
                } else {
                    next
                };
            }
            n
        })
    });
    g.finish();
}

/// `decide --batch` in process: JSON case lines in, JSON result lines out
/// (`redirspec::cases::run_batch`, what the binary runs on stdin/stdout),
/// over the mixed set under every profile with GET and POST, with and
/// without credentials. One element is one case.
#[cfg(feature = "cases")]
fn batch_cases() -> Vec<u8> {
    let mut out = Vec::new();
    let locations = corpus(MIXED);
    for round in 0..10 {
        for profile in Profile::ALL {
            for (i, loc) in locations.iter().enumerate() {
                let loc = serde_json::to_string(&String::from_utf8_lossy(loc)).unwrap();
                let (method, body) = if (i + round) % 2 == 0 {
                    ("GET", "none")
                } else {
                    ("POST", "bytes:5")
                };
                let headers = if (i + round) % 3 == 0 {
                    r#"[["Authorization","Bearer t"],["Content-Type","text/plain"]]"#
                } else {
                    "[]"
                };
                out.extend_from_slice(
                    format!(
                        r#"{{"profile":"{profile}","method":"{method}","url":"{BASE}","status":302,"location":[{loc}],"headers":{headers},"body":"{body}"}}"#
                    )
                    .as_bytes(),
                );
                out.push(b'\n');
            }
        }
    }
    out
}

#[cfg(feature = "cases")]
fn batch(c: &mut Criterion) {
    let input = batch_cases();
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64;
    let mut g = c.benchmark_group("decide_batch");
    g.throughput(Throughput::Elements(lines));
    let mut out = Vec::with_capacity(input.len() * 2);
    g.bench_function("redirspec_in_process", |b| {
        b.iter(|| {
            out.clear();
            redirspec::cases::run_batch(black_box(&input[..]), &mut out, 1 << 20).unwrap()
        })
    });
    g.finish();
}

#[cfg(not(feature = "cases"))]
fn batch(_: &mut Criterion) {}

criterion_group! {
    name = benches;
    config = config();
    targets = per_request, chain_with_start, batch, decide, decide_with_credentials, overhead, parse, chain
}

/// Instruction counts (TOOLING.md "Measured 2026-12"): with
/// `REDIRSPEC_CALLGRIND=<path>:<n>` the binary runs one path `n` times over
/// the mixed set (or the chain, or the batch) and exits, for
/// `valgrind --tool=callgrind`; `none` is the baseline to subtract.
fn callgrind(spec: &str) {
    let (path, n) = spec.split_once(':').unwrap_or((spec, "1000"));
    let n: usize = n.parse().unwrap_or(1000);
    let inputs = corpus(MIXED);
    let mut headers = HeaderMap::new();
    let profile = |p: &str| match p {
        "fetch" => Profile::Fetch,
        "rfc2616" => Profile::Rfc2616,
        _ => Profile::Rfc9110,
    };
    let (kind, name) = path.split_once('_').unwrap_or((path, ""));
    let mut total = 0usize;
    let start_of = |p: Profile| {
        RedirectMachine::new(Method::GET, BASE, HeaderMap::new(), Body::None, p.policy()).unwrap()
    };
    match kind {
        "none" => {}
        // redirspec per request with new: new_<profile>
        "new" => {
            for _ in 0..n {
                for l in &inputs {
                    total += redirspec_request(profile(name), black_box(l));
                }
            }
        }
        "reset" => {
            let mut m = start_of(profile(name));
            for _ in 0..n {
                for l in &inputs {
                    total += redirspec_request_reset(&mut m, black_box(l));
                }
            }
        }
        // reset alone, no step
        "resetonly" => {
            let mut m = start_of(profile(name));
            for _ in 0..n {
                for _ in &inputs {
                    total += usize::from(
                        m.reset(Method::GET, black_box(BASE), HeaderMap::new(), Body::None)
                            .is_ok(),
                    );
                }
            }
        }
        // the step on a machine restored with clone_from (as the decide group)
        "clonestep" => {
            let start = start_of(profile(name));
            let mut m = start.clone();
            for _ in 0..n {
                for l in &inputs {
                    m.clone_from(&start);
                    total += decide_one(&mut m, STATUS, black_box(l));
                }
            }
        }
        "clone" => {
            let start = start_of(profile(name));
            let mut m = start.clone();
            for _ in 0..n {
                for _ in &inputs {
                    m.clone_from(black_box(&start));
                }
            }
        }
        "reqwest" if name == "request" => {
            for _ in 0..n {
                for l in &inputs {
                    total += reqwest_request(&mut headers, black_box(l));
                }
            }
        }
        "reqwest" => {
            let base = Url::parse(BASE).unwrap();
            for _ in 0..n {
                for l in &inputs {
                    total += reqwest(&base, &mut headers, STATUS, black_box(l));
                }
            }
        }
        "tower" => {
            for _ in 0..n {
                for l in &inputs {
                    total += tower_http_request(&mut headers, black_box(l));
                }
            }
        }
        "fluent" => {
            for _ in 0..n {
                for l in &inputs {
                    total += fluent_request(black_box(l));
                }
            }
        }
        #[cfg(feature = "cases")]
        "batch" => {
            let input = batch_cases();
            let mut out = Vec::new();
            for _ in 0..n {
                out.clear();
                total +=
                    redirspec::cases::run_batch(&input[..], &mut out, 1 << 20).unwrap() as usize;
            }
        }
        other => panic!("unknown path {other}"),
    }
    black_box(total);
}

/// CPU seconds this thread has run (Linux: `/proc/thread-self/stat`,
/// utime + stime in clock ticks of 1/100 s), or `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name (which ends with the last ')').
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// `decide --batch` in process per CPU second (not wall time, which a
/// loaded machine stretches): with `REDIRSPEC_BATCH_CPU=<seconds>` the
/// binary runs the batch of `decide_batch` for that many wall seconds and
/// prints cases per CPU second of its thread.
#[cfg(feature = "cases")]
fn batch_cpu(seconds: f64) {
    let input = batch_cases();
    let mut out = Vec::new();
    let (t, c0) = (Instant::now(), thread_cpu_seconds().unwrap_or(0.0));
    let mut cases = 0u64;
    while t.elapsed().as_secs_f64() < seconds {
        out.clear();
        cases += redirspec::cases::run_batch(&input[..], &mut out, 1 << 20).unwrap();
    }
    let cpu = thread_cpu_seconds().unwrap_or(0.0) - c0;
    let wall = t.elapsed().as_secs_f64();
    println!(
        "decide_batch in process: {cases} cases, {cpu:.2} CPU s, {wall:.2} wall s: {:.0} cases per CPU second, {:.0} per wall second",
        cases as f64 / cpu,
        cases as f64 / wall
    );
}

fn main() {
    #[cfg(feature = "cases")]
    if let Some(s) = std::env::var("REDIRSPEC_BATCH_CPU")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        batch_cpu(s);
        return;
    }
    if let Ok(spec) = std::env::var("REDIRSPEC_CALLGRIND") {
        callgrind(&spec);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
