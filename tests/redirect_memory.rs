//! What a client may remember of a redirect (RFC 9110 §15.4, RFC 9111): one
//! test per cacheability rule, with the sentence it encodes.

mod common;

use common::headers;
use http::{HeaderMap, Method, StatusCode};
use redirspec::memory::{Exchange, MemoryPolicy, NotStored, RecallStop, Recorded, RedirectMemory};
use redirspec::Profile;

const T: u64 = 1_767_225_600; // 2026-01-01T00:00:00Z
const DATE_T: &str = "Thu, 01 Jan 2026 00:00:00 GMT";
const A: &str = "https://a.test/a";

fn memory() -> RedirectMemory {
    RedirectMemory::new(MemoryPolicy::new(Profile::Fetch))
}

fn shared() -> RedirectMemory {
    RedirectMemory::new(MemoryPolicy::new(Profile::Fetch).with_shared(true))
}

fn record(
    m: &mut RedirectMemory,
    time: u64,
    method: &str,
    url: &str,
    req: &[(&str, &str)],
    code: u16,
    resp: &[(&str, &str)],
) -> Recorded {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    m.record(&Exchange {
        time,
        method: &method,
        url,
        request_headers: &headers(req),
        status: StatusCode::from_u16(code).unwrap(),
        response_headers: &headers(resp),
    })
}

fn redirect(m: &mut RedirectMemory, time: u64, code: u16, resp: &[(&str, &str)]) -> Recorded {
    let mut r = vec![("location", "/b")];
    r.extend_from_slice(resp);
    record(m, time, "GET", A, &[], code, &r)
}

fn recall_at(m: &RedirectMemory, now: u64) -> (String, RecallStop, Option<u64>) {
    let r = m.recall(now, &Method::GET, A, &HeaderMap::new());
    (r.url, r.stop, r.until)
}

const B: &str = "https://a.test/b";

#[test]
fn permanent_redirects_are_heuristically_fresh() {
    // RFC 9110 §15.4.2/§15.4.9: "This response is heuristically cacheable".
    for code in [301, 308] {
        let mut m = memory();
        assert_eq!(
            redirect(&mut m, T, code, &[]),
            Recorded::Stored {
                until: Some(T + 86_400)
            }
        );
        assert_eq!(recall_at(&m, T + 10).0, B);
        // Past the heuristic lifetime the original URI is asked again.
        assert_eq!(
            recall_at(&m, T + 86_400),
            (A.to_owned(), RecallStop::Stale, None)
        );
    }
}

#[test]
fn temporary_redirects_need_explicit_freshness() {
    // RFC 9110 §15.4.3/§15.4.8: "Since the redirection might be altered on
    // occasion, the client ought to continue to use the original target URI
    // for future requests." RFC 9111 §3: stored only with explicit freshness.
    for code in [302, 303, 307] {
        let mut m = memory();
        assert_eq!(
            redirect(&mut m, T, code, &[]),
            Recorded::NotStored {
                reason: NotStored::NoFreshness,
                forgot: false
            }
        );
        assert_eq!(recall_at(&m, T).1, RecallStop::NotRemembered);
        // "... unless indicated by a Cache-Control or Expires header field"
        let mut m = memory();
        assert_eq!(
            redirect(&mut m, T, code, &[("cache-control", "max-age=60")]),
            Recorded::Stored {
                until: Some(T + 60)
            }
        );
        assert_eq!(recall_at(&m, T + 59).0, B);
        assert_eq!(recall_at(&m, T + 60).1, RecallStop::Stale);
    }
}

#[test]
fn expires_counts_from_date() {
    // RFC 9111 §4.2.1: "use its value minus the value of the Date response header field"
    let mut m = memory();
    let r = redirect(
        &mut m,
        T + 5,
        302,
        &[
            ("date", DATE_T),
            ("expires", "Thu, 01 Jan 2026 00:01:00 GMT"),
        ],
    );
    // 60 s of lifetime, 5 s old on arrival (apparent age).
    assert_eq!(
        r,
        Recorded::Stored {
            until: Some(T + 60)
        }
    );
    // §5.3: "A cache recipient MUST interpret invalid date formats, especially
    // the value "0", as representing a time in the past".
    let mut m = memory();
    assert_eq!(
        redirect(&mut m, T, 301, &[("expires", "0")]),
        Recorded::Stored { until: None }
    );
    assert_eq!(recall_at(&m, T).1, RecallStop::Stale);
}

#[test]
fn max_age_beats_expires_and_age_is_subtracted() {
    // §5.3: "If a response includes a Cache-Control header field with the
    // max-age directive, a recipient MUST ignore the Expires header field."
    let mut m = memory();
    let r = redirect(
        &mut m,
        T,
        307,
        &[
            ("cache-control", "max-age=100"),
            ("expires", "0"),
            ("age", "90"),
        ],
    );
    // §4.2.3: the Age header makes the response 90 s old on arrival.
    assert_eq!(
        r,
        Recorded::Stored {
            until: Some(T + 10)
        }
    );
}

#[test]
fn no_store_forbids_remembering() {
    // RFC 9111 §3: "the no-store cache directive is not present in the response"
    let mut m = memory();
    assert_eq!(
        redirect(&mut m, T, 301, &[("cache-control", "no-store")]),
        Recorded::NotStored {
            reason: NotStored::NoStore,
            forgot: false
        }
    );
    // §5.2.1.5: nor in the request.
    let r = record(
        &mut m,
        T,
        "GET",
        A,
        &[("cache-control", "no-store")],
        308,
        &[("location", "/b")],
    );
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::NoStore,
            ..
        }
    ));
}

#[test]
fn no_cache_means_validate_before_each_use() {
    // §5.2.2.4: "the response MUST NOT be used to satisfy any other request
    // without forwarding it for validation".
    let mut m = memory();
    redirect(
        &mut m,
        T,
        301,
        &[("cache-control", "no-cache, max-age=600")],
    );
    assert_eq!(recall_at(&m, T + 1).1, RecallStop::MustValidate);
    // A request's own no-cache bypasses what is stored (§5.2.1.4).
    let mut m = memory();
    redirect(&mut m, T, 301, &[]);
    let mut req = HeaderMap::new();
    req.insert("cache-control", "no-cache".parse().unwrap());
    assert_eq!(
        m.recall(T, &Method::GET, A, &req).stop,
        RecallStop::RequestBypass
    );
}

#[test]
fn private_and_shared_caches() {
    // §5.2.2.7: "a shared cache MUST NOT store the response"
    let mut s = shared();
    assert!(matches!(
        redirect(&mut s, T, 301, &[("cache-control", "private")]),
        Recorded::NotStored {
            reason: NotStored::Private,
            ..
        }
    ));
    let mut p = memory();
    assert!(matches!(
        redirect(&mut p, T, 301, &[("cache-control", "private")]),
        Recorded::Stored { .. }
    ));
    // §4.2.1: s-maxage is for shared caches only.
    let mut s = shared();
    assert_eq!(
        redirect(
            &mut s,
            T,
            302,
            &[("cache-control", "s-maxage=30, max-age=300")]
        ),
        Recorded::Stored {
            until: Some(T + 30)
        }
    );
    let mut p = memory();
    assert_eq!(
        redirect(
            &mut p,
            T,
            302,
            &[("cache-control", "s-maxage=30, max-age=300")]
        ),
        Recorded::Stored {
            until: Some(T + 300)
        }
    );
    // §3.5: a shared cache and Authorization.
    let mut s = shared();
    let r = record(
        &mut s,
        T,
        "GET",
        A,
        &[("authorization", "t")],
        301,
        &[("location", "/b")],
    );
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::Authorization,
            ..
        }
    ));
    let r = record(
        &mut s,
        T,
        "GET",
        A,
        &[("authorization", "t")],
        301,
        &[("location", "/b"), ("cache-control", "public")],
    );
    assert!(matches!(r, Recorded::Stored { .. }));
}

#[test]
fn vary_selects_by_request_headers() {
    // RFC 9111 §4.1: "the presented request ... the selecting header fields
    // nominated by the stored response (if any) match those presented".
    let mut m = memory();
    let r = record(
        &mut m,
        T,
        "GET",
        A,
        &[("accept-language", "fr")],
        301,
        &[("location", "/fr"), ("vary", "Accept-Language")],
    );
    assert!(matches!(r, Recorded::Stored { .. }));
    let lang = |v: &str| {
        let mut h = HeaderMap::new();
        h.insert("accept-language", v.parse().unwrap());
        m.recall(T, &Method::GET, A, &h)
    };
    assert_eq!(lang("fr").url, "https://a.test/fr");
    assert_eq!(lang("de").stop, RecallStop::VaryMismatch);
    // "A stored response with a Vary header field value containing a member
    // "*" always fails to match."
    let r = redirect(&mut m, T, 301, &[("vary", "*")]);
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::VaryStar,
            ..
        }
    ));
}

#[test]
fn only_get_and_head_are_remembered_and_unsafe_methods_invalidate() {
    let mut m = memory();
    let r = record(&mut m, T, "OPTIONS", A, &[], 301, &[("location", "/b")]);
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::MethodNotCacheable,
            ..
        }
    ));
    redirect(&mut m, T, 301, &[]);
    assert_eq!(m.len(), 1);
    // §4.4: "A cache MUST invalidate the target URI ... when it receives a
    // non-error status code in response to an unsafe request method".
    let r = record(&mut m, T + 1, "POST", A, &[], 500, &[]);
    assert!(matches!(r, Recorded::NotStored { .. }));
    assert_eq!(m.len(), 1);
    assert_eq!(
        record(&mut m, T + 2, "POST", A, &[], 303, &[("location", "/c")]),
        Recorded::Invalidated { dropped: 1 }
    );
    assert_eq!(recall_at(&m, T + 3).1, RecallStop::NotRemembered);
    // A HEAD may use what was stored for GET.
    redirect(&mut m, T, 301, &[]);
    assert_eq!(m.recall(T, &Method::HEAD, A, &HeaderMap::new()).url, B);
    assert_eq!(
        m.recall(T, &Method::POST, A, &HeaderMap::new()).stop,
        RecallStop::MethodNotCacheable
    );
}

#[test]
fn a_later_answer_that_says_otherwise_replaces_the_memory() {
    // RFC 9111 §4: "When more than one suitable response is stored, a cache
    // MUST use the most recent one".
    let mut m = memory();
    redirect(&mut m, T, 301, &[]);
    assert_eq!(
        record(&mut m, T + 5, "GET", A, &[], 200, &[]),
        Recorded::NotStored {
            reason: NotStored::NotARedirect,
            forgot: true
        }
    );
    assert_eq!(recall_at(&m, T + 6).1, RecallStop::NotRemembered);
    // A newer redirect replaces an older one.
    redirect(&mut m, T, 301, &[]);
    record(&mut m, T + 1, "GET", A, &[], 308, &[("location", "/c")]);
    assert_eq!(recall_at(&m, T + 2).0, "https://a.test/c");
    assert_eq!(m.len(), 1);
}

#[test]
fn a_304_freshens_what_is_remembered() {
    // RFC 9111 §4.3.4: the stored response is updated with the 304's fields.
    let mut m = memory();
    redirect(&mut m, T, 307, &[("cache-control", "max-age=10")]);
    assert_eq!(recall_at(&m, T + 20).1, RecallStop::Stale);
    assert_eq!(
        record(
            &mut m,
            T + 20,
            "GET",
            A,
            &[],
            304,
            &[("cache-control", "max-age=100")]
        ),
        Recorded::Freshened {
            until: Some(T + 120)
        }
    );
    assert_eq!(recall_at(&m, T + 21).0, B);
}

#[test]
fn chains_collapse_only_as_far_as_each_hop_is_fresh() {
    let mut m = memory();
    let hop = |m: &mut RedirectMemory, from: &str, to: &str, max_age: u32| {
        let cc = format!("max-age={max_age}");
        record(
            m,
            T,
            "GET",
            from,
            &[],
            302,
            &[("location", to), ("cache-control", &cc)],
        )
    };
    hop(&mut m, "https://a.test/1", "/2", 100);
    hop(&mut m, "https://a.test/2", "https://b.test/3", 50);
    hop(&mut m, "https://b.test/3", "/4", 10);
    let r = m.recall(
        T + 5,
        &Method::GET,
        "https://a.test/1#top",
        &HeaderMap::new(),
    );
    assert_eq!(r.url, "https://b.test/4#top");
    assert_eq!(r.hops.len(), 3);
    assert_eq!(r.until, Some(T + 10));
    assert_eq!(r.stop, RecallStop::NotRemembered);
    let r = m.recall(T + 20, &Method::GET, "https://a.test/1", &HeaderMap::new());
    assert_eq!(
        (r.url.as_str(), r.stop),
        ("https://b.test/3", RecallStop::Stale)
    );
    assert_eq!(r.until, Some(T + 50));
    let r = m.recall(T + 200, &Method::GET, "https://a.test/1", &HeaderMap::new());
    assert_eq!((r.url.as_str(), r.hops.len()), ("https://a.test/1", 0));
}

#[test]
fn remembered_loops_stop() {
    let mut m = memory();
    record(&mut m, T, "GET", A, &[], 301, &[("location", "/b")]);
    record(&mut m, T, "GET", B, &[], 301, &[("location", "/a")]);
    let r = m.recall(T, &Method::GET, A, &HeaderMap::new());
    assert_eq!(r.stop, RecallStop::Loop);
    assert_eq!(r.hops.len(), 1);
}

#[test]
fn a_refused_or_missing_location_is_not_remembered() {
    let mut m = memory();
    let r = record(
        &mut m,
        T,
        "GET",
        A,
        &[],
        301,
        &[("location", "javascript:x")],
    );
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::Refused,
            ..
        }
    ));
    let r = record(&mut m, T, "GET", A, &[], 301, &[]);
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::NotARedirect,
            ..
        }
    ));
    let r = record(
        &mut m,
        T,
        "GET",
        "not a url",
        &[],
        301,
        &[("location", "/b")],
    );
    assert!(matches!(
        r,
        Recorded::NotStored {
            reason: NotStored::BadUrl,
            ..
        }
    ));
}

#[test]
fn memory_is_bounded() {
    let mut m = RedirectMemory::new(MemoryPolicy::new(Profile::Fetch).with_max_entries(3));
    for i in 0..10u64 {
        let url = format!("https://a.test/{i}");
        record(&mut m, T + i, "GET", &url, &[], 301, &[("location", "/x")]);
    }
    assert_eq!(m.len(), 3);
    let r = m.recall(T + 10, &Method::GET, "https://a.test/9", &HeaderMap::new());
    assert_eq!(r.url, "https://a.test/x");
    let r = m.recall(T + 10, &Method::GET, "https://a.test/0", &HeaderMap::new());
    assert_eq!(r.stop, RecallStop::NotRemembered);
}

/// The cache's old path, `redirspec::model::memory`, still names the same
/// items (deprecated: the cache is its own part, `redirspec::memory`).
#[test]
#[allow(deprecated)]
fn the_old_model_memory_path_still_works() {
    use redirspec::model::memory as old;
    let policy: redirspec::memory::MemoryPolicy = old::MemoryPolicy::new(Profile::Fetch);
    let _memory: old::RedirectMemory = redirspec::memory::RedirectMemory::new(policy);
}

/// A memory divergence prints a `decide --batch` line that asks the model the
/// same question and gets the model's answer back.
#[cfg(feature = "cases")]
#[test]
fn a_memory_divergence_replays_through_decide_batch() {
    use redirspec::cases::{decide, Case, Decision};
    use redirspec::check::memory::{check_memory, MemoryStep, RememberingClient};

    /// Remembers nothing: every request goes where it was asked to.
    struct Forgetful;
    impl RememberingClient for Forgetful {
        fn record(&mut self, _: &Exchange<'_>) {}
        fn recall(&mut self, _: u64, _: &Method, url: &str, _: &HeaderMap) -> String {
            url.to_owned()
        }
    }
    let policy = MemoryPolicy::new(Profile::Fetch);
    let steps = vec![
        MemoryStep::exchange(
            T,
            "https://a.test/old",
            308,
            &[("location", "/new"), ("cache-control", "max-age=600")],
        ),
        MemoryStep::ask(T + 10, "https://a.test/old"),
    ];
    let found = check_memory(&mut Forgetful, &policy, &steps).expect_err("it forgets a 308");
    assert_eq!(found.expected.url, "https://a.test/new");
    let line = found.replay().expect("a question ends the steps");
    assert!(found.to_string().contains(&line), "{found}");
    let case: Case = serde_json::from_str(&line).expect("the line is a batch case");
    match decide(&case) {
        Decision::Recall { url, .. } => assert_eq!(url, found.expected.url, "{line}"),
        other => panic!("{line}: {other:?}"),
    }
}
