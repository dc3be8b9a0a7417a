//! Redirect-memory mutants: clients that remember wrongly or forget, each a
//! realistic bug, each caught by the memory property with a shrunk sequence.
#![cfg(feature = "proptest")]

use http::header::CACHE_CONTROL;
use http::{HeaderMap, HeaderValue, Method};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use redirspec::check::memory::{check_memory, RememberingClient};
use redirspec::memory::{Exchange, MemoryPolicy, RedirectMemory};
use redirspec::strategy::memory_steps;
use redirspec::Profile;

/// A wrong client: the model, with its input or its clock bent.
struct Mutant {
    inner: RedirectMemory,
    bug: Bug,
    first_time: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bug {
    /// Keeps using a 302/303/307 target without freshness information.
    KeepsTemporaryRedirects,
    /// Never remembers a 308.
    ForgetsPermanentRedirects,
    /// Stores what `no-store` forbids.
    IgnoresNoStore,
    /// Takes `no-cache` as "fresh".
    IgnoresNoCache,
    /// Reads max-age=0 as no max-age at all.
    IgnoresMaxAgeZero,
    /// Never lets a remembered redirect expire (its clock stops at the first exchange).
    NeverExpires,
    /// Keeps an old redirect when a newer answer (a 200) says otherwise.
    KeepsReplacedRedirects,
}

impl RememberingClient for Mutant {
    fn record(&mut self, ex: &Exchange<'_>) {
        self.first_time.get_or_insert(ex.time);
        let code = ex.status.as_u16();
        let mut headers = ex.response_headers.clone();
        let cc = |h: &HeaderMap| {
            h.get_all(CACHE_CONTROL)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = cc(&headers);
        match self.bug {
            Bug::KeepsTemporaryRedirects if matches!(code, 302 | 303 | 307) && text.is_empty() => {
                headers.insert(CACHE_CONTROL, HeaderValue::from_static("max-age=31536000"));
            }
            Bug::ForgetsPermanentRedirects if code == 308 => return,
            Bug::IgnoresNoStore | Bug::IgnoresNoCache | Bug::IgnoresMaxAgeZero => {
                let word = match self.bug {
                    Bug::IgnoresNoStore => "no-store",
                    Bug::IgnoresNoCache => "no-cache",
                    _ => "max-age=0",
                };
                let kept: Vec<&str> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|d| !d.is_empty() && *d != word)
                    .collect();
                headers.remove(CACHE_CONTROL);
                if !kept.is_empty() {
                    if let Ok(v) = HeaderValue::from_str(&kept.join(", ")) {
                        headers.insert(CACHE_CONTROL, v);
                    }
                }
            }
            Bug::KeepsReplacedRedirects if !(300..400).contains(&code) => return,
            _ => {}
        }
        self.inner.record(&Exchange {
            response_headers: &headers,
            ..*ex
        });
    }

    fn recall(&mut self, now: u64, method: &Method, url: &str, headers: &HeaderMap) -> String {
        let now = match (self.bug, self.first_time) {
            (Bug::NeverExpires, Some(t)) => t,
            _ => now,
        };
        self.inner.recall(now, method, url, headers).url
    }
}

const BUGS: [Bug; 7] = [
    Bug::KeepsTemporaryRedirects,
    Bug::ForgetsPermanentRedirects,
    Bug::IgnoresNoStore,
    Bug::IgnoresNoCache,
    Bug::IgnoresMaxAgeZero,
    Bug::NeverExpires,
    Bug::KeepsReplacedRedirects,
];

#[test]
fn every_memory_mutant_is_caught_with_a_shrunk_sequence() {
    let policy = MemoryPolicy::new(Profile::Fetch);
    let mut killed = 0;
    for bug in BUGS {
        // A fixed seed: the kill count is a figure the README quotes.
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 2000,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        );
        let result = runner.run(&memory_steps(12), |steps| {
            let mut client = Mutant {
                inner: RedirectMemory::new(policy.clone()),
                bug,
                first_time: None,
            };
            check_memory(&mut client, &policy, &steps)
                .map_err(|d| TestCaseError::fail(d.to_string()))
        });
        match result {
            Err(TestError::Fail(why, steps)) => {
                killed += 1;
                println!("{bug:?}: killed with {} steps\n{why}\n", steps.len());
            }
            other => println!("{bug:?}: SURVIVED ({other:?})"),
        }
    }
    println!("memory mutants killed: {killed}/{}", BUGS.len());
    assert_eq!(killed, BUGS.len());
}

#[test]
fn the_model_memory_is_total_on_generated_sequences() {
    let policy = MemoryPolicy::new(Profile::Fetch);
    let mut runner = TestRunner::new(Config {
        cases: 500,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&memory_steps(16), |steps| {
            let mut model = RedirectMemory::new(policy.clone());
            check_memory(&mut model, &policy, &steps)
                .map_err(|d| TestCaseError::fail(d.to_string()))
        })
        .unwrap();
}
