//! Helpers shared by the integration tests: build inputs, read outcomes.
#![allow(dead_code)]

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use redirspec::{Body, BodyAction, Policy, Profile, RedirectMachine, Step};

mod rfc3986;
#[allow(unused_imports)] // not every test binary reads the RFC 3986 table
pub use rfc3986::*;

/// What a step came to, in plain data that tests compare.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Follow {
        method: String,
        url: String,
        body: BodyAction,
        removed: Vec<String>,
    },
    Deliver(&'static str),
    Refuse(&'static str),
    /// The machine had already ended its chain (`Step::Finished`).
    Finished,
}

impl Outcome {
    pub fn url(&self) -> &str {
        match self {
            Outcome::Follow { url, .. } => url,
            other => panic!("expected a follow, got {other:?}"),
        }
    }
}

pub fn outcome(step: Step<'_>) -> Outcome {
    match step {
        Step::Follow(hop) => Outcome::Follow {
            method: hop.method().to_string(),
            url: hop.url().to_owned(),
            body: hop.body_action(),
            removed: hop.removed_names(),
        },
        Step::Deliver(r) => Outcome::Deliver(r.as_str()),
        Step::Refuse(r) => Outcome::Refuse(r.reason()),
        Step::Finished => Outcome::Finished,
        other => panic!("a step these tests do not know yet: {other:?}"),
    }
}

pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (n, v) in pairs {
        h.append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

pub fn machine_with(
    policy: Policy,
    method: &str,
    url: &str,
    hdrs: &[(&str, &str)],
    body: Body,
) -> RedirectMachine {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    RedirectMachine::new(method, url, headers(hdrs), body, policy).unwrap()
}

pub fn machine(
    profile: Profile,
    method: &str,
    url: &str,
    hdrs: &[(&str, &str)],
    body: Body,
) -> RedirectMachine {
    machine_with(profile.policy(), method, url, hdrs, body)
}

pub fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap()
}

/// One hop from a GET with no headers and no body.
pub fn hop(profile: Profile, url: &str, code: u16, location: &str) -> Outcome {
    let mut m = machine(profile, "GET", url, &[], Body::None);
    outcome(m.step_raw(status(code), &[location.as_bytes()]))
}

pub fn follow(method: &str, url: &str, body: BodyAction, removed: &[&str]) -> Outcome {
    Outcome::Follow {
        method: method.into(),
        url: url.into(),
        body,
        removed: removed.iter().map(|s| s.to_string()).collect(),
    }
}
