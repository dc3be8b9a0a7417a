//! Known wrong answers of the model, as data (`tests/data/expected_failures.txt`) rather than
//! ignored tests: each case must still give today's wrong answer. The day it gives the right
//! one (an upstream fix), this test fails and says which line to remove; an answer of another
//! shape fails too.

use http::{HeaderMap, Method, StatusCode};
use redirspec::{Body, Profile, RedirectMachine, Step};

const TABLE: &str = include_str!("data/expected_failures.txt");

/// One line of the table.
struct Case<'a> {
    id: &'a str,
    profile: Profile,
    from: &'a str,
    location: &'a str,
    today: &'a str,
    right: &'a str,
    why: &'a str,
}

fn cases() -> Vec<Case<'static>> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| match line.split('\t').collect::<Vec<_>>()[..] {
            [id, profile, from, location, today, right, why] => Case {
                id,
                profile: profile
                    .parse()
                    .unwrap_or_else(|e| panic!("{id}: profile {profile:?}: {e}")),
                from,
                location,
                today,
                right,
                why,
            },
            _ => panic!("expected_failures.txt: not 7 TAB-separated columns: {line:?}"),
        })
        .collect()
}

/// Where the machine goes from `from` on a 302 with `location`, or what it did instead.
fn follow(profile: Profile, from: &str, location: &str) -> String {
    let mut m = RedirectMachine::new(
        Method::GET,
        from,
        HeaderMap::new(),
        Body::None,
        profile.policy(),
    )
    .expect("a start URL");
    match m.step_raw(StatusCode::FOUND, &[location.as_bytes()]) {
        Step::Follow(hop) => hop.url().to_owned(),
        other => format!("{other:?}"),
    }
}

#[test]
fn every_expected_failure_still_fails_as_recorded() {
    let cases = cases();
    assert!(!cases.is_empty(), "expected_failures.txt lists nothing");
    for c in &cases {
        assert_ne!(c.today, c.right, "{}: TODAY and RIGHT are the same", c.id);
        assert!(!c.why.is_empty(), "{}: no reason given", c.id);
        let got = follow(c.profile, c.from, c.location);
        assert_ne!(
            got, c.right,
            "unexpected pass: {} now gives the right answer ({}); remove its line from \
             tests/data/expected_failures.txt and test the case as an ordinary one",
            c.id, c.why
        );
        assert_eq!(got, c.today, "{}: the known failure changed shape", c.id);
    }
}
