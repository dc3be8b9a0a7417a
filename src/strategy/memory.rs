//! Sequences of exchanges and questions for checking a redirect memory.

use proptest::prelude::*;

use crate::check::memory::MemoryStep;

const PATHS: [&str; 3] = ["https://a.test/1", "https://a.test/2", "https://b.test/3"];

/// Cache-Control values, simplest first (none).
fn cache_control() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => Just(Some("max-age=0".to_owned())),
        2 => (1u64..600).prop_map(|n| Some(format!("max-age={n}"))),
        1 => Just(Some("no-store".to_owned())),
        1 => Just(Some("no-cache".to_owned())),
        1 => Just(Some("public".to_owned())),
        1 => Just(Some("private, max-age=300".to_owned())),
    ]
}

/// One step at `time`: an exchange (a redirect or a 200) or a question.
fn step(time: u64) -> impl Strategy<Value = MemoryStep> {
    let exchange = (
        0usize..3,
        prop::sample::select(vec![301u16, 302, 303, 307, 308, 200]),
        0usize..3,
        cache_control(),
    )
        .prop_map(move |(from, status, to, cc)| {
            let mut headers: Vec<(&str, String)> = Vec::new();
            if status != 200 {
                headers.push(("location", PATHS[to].to_owned()));
            }
            if let Some(cc) = cc {
                headers.push(("cache-control", cc));
            }
            let pairs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            MemoryStep::exchange(time, PATHS[from], status, &pairs)
        });
    prop_oneof![
        (0usize..3).prop_map(move |i| MemoryStep::ask(time, PATHS[i])),
        exchange,
    ]
}

/// Sequences of up to `max` steps, times rising by 0 to 400 seconds from
/// 1,000,000; each sequence ends with one question per path. Shrinks toward
/// fewer steps, earlier times and simpler responses.
pub fn memory_steps(max: usize) -> impl Strategy<Value = Vec<MemoryStep>> {
    prop::collection::vec(0u64..400, 1..=max.max(1)).prop_flat_map(|gaps| {
        let times: Vec<u64> = gaps
            .iter()
            .scan(1_000_000u64, |t, g| {
                *t += g;
                Some(*t)
            })
            .collect();
        let last = *times.last().unwrap_or(&1_000_000);
        let steps: Vec<_> = times.into_iter().map(step).collect();
        (steps, 0u64..400).prop_map(move |(mut steps, tail)| {
            for p in PATHS {
                steps.push(MemoryStep::ask(last + tail, p));
            }
            steps
        })
    })
}
