//! Real Rust redirect implementations, driven in-process (no network), and
//! every divergence each has from each profile, pinned in
//! `tests/data/divergences/*.txt`.

mod support;

use redirspec::check::{Action, Scenario};
use support::pinned::{assert_pinned, divergences};
use support::tower_http::{self as tower, TowerHttp};
use support::ureq_proto::{self as ureq, Ureq};

/// A scenario an `http` service can send: every Location fits a HeaderValue.
fn representable(s: &Scenario) -> bool {
    s.responses.iter().all(|r| r.location_values().is_some())
}

#[test]
fn the_tower_http_adapter_sees_a_follow() {
    match tower::smoke() {
        Action::Follow(r) => assert_eq!(r.url, "https://a.test/y"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tower_http_divergences_are_pinned() {
    let lines = divergences(TowerHttp::default, representable);
    assert_pinned("tower_http.txt", &lines);
}

#[test]
fn the_ureq_adapter_sees_a_follow() {
    match ureq::smoke() {
        Action::Follow(r) => assert_eq!(r.url, "https://a.test/y"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ureq_divergences_are_pinned() {
    let lines = divergences(Ureq::default, representable);
    assert_pinned("ureq.txt", &lines);
}

/// Divergences on random chains, by class, pinned too: what the built-in
/// chains may miss.
#[cfg(feature = "proptest")]
#[test]
fn divergence_classes_on_random_chains_are_pinned() {
    use support::pinned::random_classes;
    assert_pinned(
        "tower_http_classes.txt",
        &random_classes(TowerHttp::default, 400),
    );
    assert_pinned("ureq_classes.txt", &random_classes(Ureq::default, 400));
}
