#![no_main]
//! tower-http's `FollowRedirect` (Standard policy) against the Fetch profile.
//!
//! Known divergences are the classes `cargo test` pins in
//! tests/data/divergences/tower_http_classes.txt, and those this target found,
//! in fuzz/pinned/tower_http_fuzz_classes.txt: a divergence in the action
//! (model follows, tower-http delivers, ...) is known when its class is
//! listed; one where both follow is known when every field that differs
//! (`url`, `body`, `header cookie`, ...) differs in some listed class. Any other
//! divergence is a finding and stops the run.
#[allow(dead_code)]
#[path = "../../tests/support/pinned.rs"]
mod pinned;
#[allow(dead_code)]
#[path = "../../tests/support/tower_http.rs"]
mod tower_http;

use redirspec::check::Divergence;
use redirspec::Profile;

const PINNED: &str = concat!(
    include_str!("../../tests/data/divergences/tower_http_classes.txt"),
    include_str!("../pinned/tower_http_fuzz_classes.txt"),
);
const BOTH_FOLLOW: &str = "both follow; differ in ";

fn is_pinned(profile: Profile, d: &Divergence) -> bool {
    let mut class = pinned::class(profile, d);
    // `class` keeps a piece of the expected URL after "model follow" when the
    // URL has a ':' in it; the action is what the class is about.
    let follow = format!("{profile}: model follow");
    if let (true, Some(slash)) = (class.starts_with(&follow), class.find(" / ")) {
        class = format!("{follow}{}", &class[slash..]);
    }
    let prefix = format!("{profile}: {BOTH_FOLLOW}");
    let known = match class.strip_prefix(&prefix) {
        None => PINNED.lines().any(|l| l == class),
        Some(fields) => fields.split(", ").all(|f| {
            PINNED
                .lines()
                .filter_map(|l| l.strip_prefix(&prefix))
                .any(|known| known.split(", ").any(|k| k == f))
        }),
    };
    if !known {
        eprintln!("UNPINNED CLASS: {class}");
    }
    known
}

libfuzzer_sys::fuzz_target!(|input: redirspec::fuzz::ChainInput| {
    let mut follower = tower_http::TowerHttp::default();
    redirspec::fuzz::follower_agrees(&input, &mut follower, Profile::Fetch, |d| {
        is_pinned(Profile::Fetch, d)
    });
});
