//! Mutants: deliberately wrong followers, each one realistic bug, must be
//! caught by `check_scenario` over `strategy::scenario()` with a shrunk
//! counterexample; the conforming reference follower must pass 10,000 cases.
//!
//! `cargo test --all-features --test mutants -- --nocapture` prints the
//! kill table (cases until caught, shrunk counterexample).

#![cfg(feature = "proptest")]

mod support;

use std::cell::Cell;

use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use redirspec::check::{check_scenario, check_scenario_with, Divergence, Scenario};
use redirspec::model::Downgrade;
use redirspec::{strategy, Profile};
use support::reference::{Bug, Reading, Reference};

/// What a mutant is checked against.
#[derive(Clone, Copy)]
enum Against {
    Profile(Profile),
    /// Fetch with https -> http refused.
    FetchNoDowngrade,
}

fn setup(bug: Option<Bug>) -> (Reference, Against) {
    match bug {
        Some(Bug::CookieToOtherPort | Bug::LoopsNotDetected) => (
            Reference::new(Reading::Rfc9110, bug),
            Against::Profile(Profile::Rfc9110),
        ),
        Some(Bug::DowngradeFollowed) => (
            Reference::new(Reading::Fetch, bug).refusing_downgrade(),
            Against::FetchNoDowngrade,
        ),
        _ => (
            Reference::new(Reading::Fetch, bug),
            Against::Profile(Profile::Fetch),
        ),
    }
}

fn check(f: &mut Reference, s: &Scenario, a: Against) -> Result<(), Divergence> {
    match a {
        Against::Profile(p) => check_scenario(f, s, p).map(drop),
        Against::FetchNoDowngrade => {
            let policy = Profile::Fetch.policy().with_downgrade(Downgrade::Refuse);
            check_scenario_with(f, s, &policy).map(drop)
        }
    }
}

/// Runs up to `cases` scenarios; `Some((cases until caught, shrunk report))`
/// when the follower is caught.
fn hunt(bug: Bug, cases: u32) -> Option<(u32, String)> {
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let tried = Cell::new(0u32);
    let caught = Cell::new(None::<u32>);
    let last = std::cell::RefCell::new(String::new());
    let result = runner.run(&strategy::scenario(), |s| {
        let (mut f, a) = setup(Some(bug));
        if caught.get().is_none() {
            tried.set(tried.get() + 1);
        }
        check(&mut f, &s, a).map_err(|d| {
            caught.set(caught.get().or(Some(tried.get())));
            *last.borrow_mut() = d.to_string();
            TestCaseError::fail(d.to_string())
        })
    });
    match result {
        Ok(()) => None,
        Err(TestError::Fail(reason, _minimal)) => {
            Some((caught.get().unwrap_or(0), reason.to_string()))
        }
        Err(TestError::Abort(why)) => Some((0, format!("aborted: {why}"))),
    }
}

#[test]
fn the_reference_follower_passes_10000_cases_without_a_false_alarm() {
    for (reading, against, cases) in [
        (Reading::Fetch, Against::Profile(Profile::Fetch), 10_000),
        (Reading::Rfc9110, Against::Profile(Profile::Rfc9110), 1_000),
    ] {
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let r = runner.run(&strategy::scenario(), |s| {
            let mut f = Reference::new(reading, None);
            check(&mut f, &s, against).map_err(|d| TestCaseError::fail(d.to_string()))
        });
        if let Err(e) = r {
            panic!("false alarm for the {reading:?} reference:\n{e}");
        }
    }
}

#[test]
fn every_mutant_is_caught_with_a_shrunk_counterexample() {
    let mut table = Vec::new();
    let mut survivors = Vec::new();
    for bug in Bug::ALL {
        match hunt(bug, 5_000) {
            Some((n, report)) => {
                println!("--- {bug:?}: caught after {n} cases; shrunk:\n{report}\n");
                table.push((bug, n));
            }
            None => survivors.push(bug),
        }
    }
    let mut counts: Vec<u32> = table.iter().map(|(_, n)| *n).collect();
    counts.sort_unstable();
    let median = counts.get(counts.len() / 2).copied().unwrap_or(0);
    println!(
        "kill rate: {}/{} mutants; median cases until caught: {median}",
        table.len(),
        Bug::ALL.len()
    );
    for (bug, n) in &table {
        println!("  {bug:?}: {n}");
    }
    assert!(survivors.is_empty(), "mutants not caught: {survivors:?}");
}
