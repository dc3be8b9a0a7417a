//! Whole scenarios: a first request and a chain of up to 25 responses.

use proptest::prelude::*;
use proptest::sample::select;

use super::location::{any_location, malformed_location, well_formed_location};
use super::request::{request, status};
use crate::check::{Response, Scenario};

/// What the chains of [`scenario_with`] may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chains {
    /// Most responses in a chain (the last one is a 200).
    pub max_hops: usize,
    /// Whether malformed Location values appear.
    pub malformed: bool,
    /// Only Location values an `http::HeaderValue` can hold (for drivers
    /// that go through the `http` crate).
    pub representable: bool,
    /// Only 301, 302, 303, 307 and 308 with one well-formed Location: chains
    /// that go on long enough to reach hop limits and loops.
    pub redirects_only: bool,
}

impl Default for Chains {
    /// Up to 25 hops (over Fetch's limit of 20), malformed values included.
    fn default() -> Self {
        Chains {
            max_hops: 25,
            malformed: true,
            representable: false,
            redirects_only: false,
        }
    }
}

/// Locations that make chains interesting: a few paths (which loop), absolute
/// URLs across two hosts, a port and both schemes (cross-origin moves,
/// upgrades, downgrades), then any well-formed or malformed value.
fn hop_location(malformed: bool) -> BoxedStrategy<Vec<u8>> {
    let paths = select(vec!["/a", "/b", "/"]).prop_map(|p| p.as_bytes().to_vec());
    let absolute = (
        select(vec!["https", "http"]),
        select(vec!["a.test", "b.test", "a.test:8443"]),
        select(vec!["/a", "/b", "/"]),
    )
        .prop_map(|(s, h, p)| format!("{s}://{h}{p}").into_bytes());
    if malformed {
        prop_oneof![4 => paths, 3 => absolute, 2 => well_formed_location(), 1 => malformed_location()]
            .boxed()
    } else {
        prop_oneof![4 => paths, 3 => absolute, 2 => well_formed_location()].boxed()
    }
}

fn response(c: Chains) -> BoxedStrategy<Response> {
    if c.redirects_only {
        let code = |n: u16| http::StatusCode::from_u16(n).unwrap_or(http::StatusCode::FOUND);
        return (
            select(vec![301u16, 302, 303, 307, 308]).prop_map(code),
            hop_location(false),
        )
            .prop_map(|(status, l)| Response {
                status,
                location: vec![l],
            })
            .prop_filter("a Location http cannot hold", move |r| {
                !c.representable || r.location_values().is_some()
            })
            .boxed();
    }
    let locations = prop_oneof![
        12 => hop_location(c.malformed).prop_map(|l| vec![l]),
        1 => Just(Vec::new()),
        1 => proptest::collection::vec(
            if c.malformed { any_location() } else { well_formed_location() }, 2..=3),
    ];
    (status(), locations)
        .prop_map(|(status, location)| Response { status, location })
        .prop_filter("a Location http cannot hold", move |r| {
            !c.representable || r.location_values().is_some()
        })
        .boxed()
}

/// Scenarios: a [`request`](super::request()) and up to 25 responses ending in
/// a 200; mostly half with the default [`Chains`] (every status, every Location
/// class), half with redirects only (long chains, hop limits, loops), and now and
/// then a chain that reaches the hop limits (19 to 21 redirects) and ends on a
/// redirect without Location or with a malformed one. Shrinks toward fewer hops,
/// simpler requests and simpler Locations.
pub fn scenario() -> BoxedStrategy<Scenario> {
    prop_oneof![
        5 => scenario_with(Chains::default()),
        5 => scenario_with(Chains {
            redirects_only: true,
            ..Chains::default()
        }),
        1 => at_the_limit(),
    ]
    .boxed()
}

/// 19 to 21 redirects with distinct paths, then a 302 without Location or with a
/// malformed one: what the model decides at the hop limit when the last Location is
/// missing or bad (Fetch checks the Location before the redirect count).
pub fn at_the_limit() -> BoxedStrategy<Scenario> {
    let last = prop_oneof![Just(Vec::new()), malformed_location().prop_map(|l| vec![l]),];
    (request(), 19usize..=21, last)
        .prop_map(|(request, n, last)| {
            let mut responses: Vec<Response> = (0..n)
                .map(|i| Response::redirect(http::StatusCode::FOUND, format!("/limit/{i}")))
                .collect();
            responses.push(Response {
                status: http::StatusCode::FOUND,
                location: last,
            });
            responses.push(Response::status(http::StatusCode::OK));
            Scenario { request, responses }
        })
        .boxed()
}

/// Scenarios with the given [`Chains`].
pub fn scenario_with(c: Chains) -> BoxedStrategy<Scenario> {
    (
        request(),
        proptest::collection::vec(response(c), 0..=c.max_hops),
    )
        .prop_map(|(request, mut responses)| {
            responses.push(Response::status(http::StatusCode::OK));
            Scenario { request, responses }
        })
        .boxed()
}
