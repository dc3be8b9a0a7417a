//! The redirect memory with hostile numbers: times and ages at the ends of `u64`. Every time
//! computation is checked or saturating, so debug builds (overflow checks on, as here) and
//! release builds give the same answer, and an age past `u64::MAX` is never "fresh" again.
//! The oracle below recomputes RFC 9111 §4.2's "response_is_fresh = (freshness_lifetime >
//! current_age)" in exact (u128) arithmetic.

mod common;

use common::headers;
use http::{HeaderMap, Method, StatusCode};
use proptest::prelude::*;
use redirspec::memory::{Exchange, MemoryPolicy, RecallStop, Recorded, RedirectMemory, MAX_DELTA};
use redirspec::Profile;

const A: &str = "https://a.test/a";
const B: &str = "https://a.test/b";

fn store(m: &mut RedirectMemory, time: u64, fields: &[(&str, &str)]) -> Recorded {
    let mut resp = vec![("location", "/b")];
    resp.extend_from_slice(fields);
    m.record(&Exchange {
        time,
        method: &Method::GET,
        url: A,
        request_headers: &HeaderMap::new(),
        status: StatusCode::FOUND,
        response_headers: &headers(&resp),
    })
}

#[test]
fn stored_at_zero_is_not_fresh_at_the_end_of_time() {
    // The example: stored at time 0 with max-age=600 (and an Age of 1), asked at
    // 2^64 - 1. Wrapping arithmetic made the age 0 and the redirect fresh "until 599".
    for age in [None, Some("1"), Some("599"), Some("99999999999999999999")] {
        let mut m = RedirectMemory::new(MemoryPolicy::new(Profile::Fetch));
        let mut fields = vec![("cache-control", "max-age=600")];
        if let Some(a) = age {
            fields.push(("age", a));
        }
        store(&mut m, 0, &fields);
        let r = m.recall(u64::MAX, &Method::GET, A, &HeaderMap::new());
        assert_eq!(r.url, A, "age {age:?}");
        assert!(r.hops.is_empty(), "age {age:?}");
        assert_ne!(r.stop, RecallStop::HopLimit);
        assert_eq!(r.until, None, "age {age:?}");
    }
}

#[test]
fn stored_at_the_end_of_time_stays_fresh_to_the_end() {
    let mut m = RedirectMemory::new(MemoryPolicy::new(Profile::Fetch));
    let t = u64::MAX - 10;
    let stored = store(&mut m, t, &[("cache-control", "max-age=600")]);
    // t + 600 does not fit: the freshness ends at the last representable second.
    assert_eq!(
        stored,
        Recorded::Stored {
            until: Some(u64::MAX)
        }
    );
    let r = m.recall(u64::MAX, &Method::GET, A, &HeaderMap::new());
    assert_eq!(r.url, B);
    assert_eq!(r.until, Some(u64::MAX));
}

/// Times spread over the whole range, with weight at both ends.
fn time() -> impl Strategy<Value = u64> {
    prop_oneof![
        0..10_000u64,
        (u64::MAX - 10_000)..=u64::MAX,
        (u64::MAX / 2 - 10_000)..=(u64::MAX / 2 + 10_000),
        any::<u64>(),
    ]
}

/// Delta-seconds as written on the wire: small, near the cap, past it, past `u64`.
fn delta() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..100_000u64).prop_map(|n| n.to_string()),
        ((MAX_DELTA - 5)..=(MAX_DELTA + 5)).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("184467440737095516160000".to_owned()),
    ]
}

/// The value a delta-seconds field is read as (RFC 9111 §1.2.2: at most 2^31).
fn read_delta(text: &str) -> u128 {
    text.parse::<u128>()
        .map_or(u128::from(MAX_DELTA), |n| n.min(u128::from(MAX_DELTA)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// No panic, and every answer agrees with the exact arithmetic of RFC 9111 §4.2.
    #[test]
    fn freshness_at_the_ends_of_u64(
        stored in time(),
        asked in time(),
        max_age in delta(),
        age in proptest::option::of(delta()),
    ) {
        let mut m = RedirectMemory::new(MemoryPolicy::new(Profile::Fetch));
        let cc = format!("max-age={max_age}");
        let mut fields = vec![("cache-control", cc.as_str())];
        if let Some(a) = &age {
            fields.push(("age", a.as_str()));
        }
        let recorded = store(&mut m, stored, &fields);
        let lifetime = read_delta(&max_age);
        let initial_age = age.as_deref().map_or(0, read_delta);
        let exact_until = u128::from(stored) + lifetime.saturating_sub(initial_age);
        let until = (lifetime > initial_age)
            .then(|| u64::try_from(exact_until).unwrap_or(u64::MAX));
        prop_assert_eq!(recorded, Recorded::Stored { until });

        let r = m.recall(asked, &Method::GET, A, &HeaderMap::new());
        // "current_age = corrected_initial_age + resident_time", exactly.
        let current_age = initial_age + u128::from(asked.saturating_sub(stored));
        let fresh = lifetime > current_age;
        prop_assert_eq!(r.url == B, fresh, "asked {} stored {}: {:?}", asked, stored, r);
        if fresh {
            prop_assert_eq!(r.until, until);
            prop_assert!(r.until.is_some_and(|u| u >= asked));
        } else {
            prop_assert_eq!(r.until, None);
            prop_assert_eq!(r.stop, RecallStop::Stale);
        }
    }

    /// Heuristic freshness from Last-Modified far in the past, at the ends of time: no
    /// overflow, the same answer twice.
    #[test]
    fn heuristic_freshness_never_overflows(
        stored in time(),
        asked in time(),
        percent in prop_oneof![0..200u64, Just(u64::MAX)],
    ) {
        let mut policy = MemoryPolicy::new(Profile::Fetch);
        policy.heuristic.last_modified_percent = percent;
        let mut m = RedirectMemory::new(policy);
        let resp = headers(&[
            ("location", "/b"),
            ("date", "Fri, 31 Dec 9999 23:59:59 GMT"),
            ("last-modified", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ]);
        let ex = Exchange {
            time: stored,
            method: &Method::GET,
            url: A,
            request_headers: &HeaderMap::new(),
            status: StatusCode::MOVED_PERMANENTLY,
            response_headers: &resp,
        };
        let first = m.record(&ex);
        let again = RedirectMemory::new(m.policy().clone()).record(&ex);
        prop_assert_eq!(first, again);
        let a = m.recall(asked, &Method::GET, A, &HeaderMap::new());
        let b = m.recall(asked, &Method::GET, A, &HeaderMap::new());
        prop_assert_eq!(a, b);
    }
}
