//! Random scenarios drawn from the crate's proptest strategies
//! ([`crate::strategy::scenario_with`]), seeded and reproducible, moved onto loopback.
//!
//! The strategies speak of `a.test`, `b.test`, ports 8080/8443 and https; live, only the
//! scripted server's origins exist and there is no TLS. So every origin is mapped, the same
//! way for a whole scenario:
//!
//! | strategy origin                              | live         |
//! |----------------------------------------------|--------------|
//! | `a.test` (no port, 80 or 443)                | `{A}`        |
//! | `a.test:8080`, `a.test:8443`                 | `{B}`        |
//! | `b.test`, `localhost` (no port, 80 or 443)   | `{L}`        |
//!
//! and `https` becomes `http`; other schemes get `127.0.0.1` as their host. A draw whose
//! first request or Location names any other host, carries userinfo, or uses a method other
//! than GET, HEAD, POST or PUT (the ones every command preset can send) is set aside and
//! another is drawn; so is a PUT to a path ending in `/`, which `curl -T` would rename.
//!
//! Every live request carries Authorization and Cookie (and Content-Type with a body); a
//! draw with Proxy-Authorization carries it too, so that the cross-origin rule for it is
//! checked on random chains as well.

use super::scenario::{Scenario, ScriptedResponse, PROXY_AUTHORIZATION_VALUE};
use crate::check;
use crate::strategy::{scenario_with, Chains};
use http::Method;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The live placeholder for a strategy authority (lower-case `host[:port]`), if any.
fn origin_for(authority: &str) -> Option<&'static str> {
    match authority {
        "a.test" | "a.test:80" | "a.test:443" => Some("A"),
        "a.test:8080" | "a.test:8443" => Some("B"),
        "b.test" | "b.test:80" | "b.test:443" | "localhost" | "localhost:80" | "localhost:443" => {
            Some("L")
        }
        _ => None,
    }
}

/// Splits `text` after its `//` into the authority and the rest (path, query, fragment).
fn split_authority(after_slashes: &str) -> (&str, &str) {
    let end = after_slashes
        .find(['/', '?', '#'])
        .unwrap_or(after_slashes.len());
    after_slashes.split_at(end)
}

/// Maps one URL or reference; `None` when it names a host the live server is not.
fn map_reference(text: &str) -> Option<String> {
    let trimmed = text.trim_start_matches([' ', '\t']);
    let lead = &text[..text.len() - trimmed.len()];
    let lower = trimmed.to_ascii_lowercase();
    let (authority_and_rest, absolute) = if lower.starts_with("http://") {
        (&trimmed["http://".len()..], true)
    } else if lower.starts_with("https://") {
        (&trimmed["https://".len()..], true)
    } else if let Some(rest) = trimmed.strip_prefix("//") {
        (rest, false)
    } else {
        // Relative references stay as they are; other schemes (`ftp:`, `ws:`, `mailto:`)
        // get a loopback host, so that a client that tries them fails at once instead of
        // waiting on a name server it cannot reach.
        let mut t = text.to_owned();
        for host in ["a.test", "b.test", "c.test"] {
            t = t.replace(host, "127.0.0.1");
        }
        return Some(t);
    };
    let (authority, rest) = split_authority(authority_and_rest);
    if authority.contains('@') {
        return None;
    }
    let slot = origin_for(&authority.to_ascii_lowercase())?;
    Some(if absolute {
        format!("{lead}{{{slot}}}{rest}")
    } else {
        format!("{lead}//{{{slot}_AUTH}}{rest}")
    })
}

fn to_live(s: &check::Scenario, name: String) -> Option<Scenario> {
    let method = s.request.method.clone();
    if ![Method::GET, Method::HEAD, Method::POST, Method::PUT].contains(&method) {
        return None;
    }
    let start = map_reference(&s.request.url)?;
    if !start.starts_with('{') {
        return None;
    }
    // `curl -T file URL/` uploads to `URL/file`: a PUT to a path ending in `/` would measure
    // that quirk of the preset's invocation, not redirects.
    let path_end = start.split(['?', '#']).next().unwrap_or(&start);
    if method == Method::PUT && path_end.ends_with('/') {
        return None;
    }
    let mut responses = Vec::new();
    for r in &s.responses {
        let mut locations = Vec::new();
        for raw in &r.location {
            let text = String::from_utf8(raw.clone()).ok()?;
            locations.push(map_reference(&text)?);
        }
        responses.push(ScriptedResponse {
            status: r.status.as_u16(),
            locations,
            headers: Vec::new(),
        });
    }
    let summary: Vec<String> = responses
        .iter()
        .map(|r| match r.locations.as_slice() {
            [] => r.status.to_string(),
            ls => format!("{} {}", r.status, ls.join(" | ")),
        })
        .collect();
    Some(Scenario {
        about: format!("{method} {start}: {}", summary.join(", ")),
        name,
        group: "random",
        with_body: !matches!(method, Method::GET | Method::HEAD),
        method,
        start,
        responses,
        repeat_last: false,
        routes: Vec::new(),
        extra_headers: if s
            .request
            .headers
            .contains_key(http::header::PROXY_AUTHORIZATION)
        {
            vec![(
                "Proxy-Authorization".to_owned(),
                PROXY_AUTHORIZATION_VALUE.to_owned(),
            )]
        } else {
            Vec::new()
        },
    })
}

/// `n` scenarios drawn from the strategies with `seed` (the same seed, the same scenarios),
/// named `strategy-<seed>-<k>`, in group `random`. Chains are at most 8 responses long,
/// with well-formed Location values only (a malformed one is the model's business, not a
/// live client's) that an `http` header can hold.
pub fn from_strategies(seed: u64, n: usize) -> Vec<Scenario> {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = scenario_with(Chains {
        max_hops: 7,
        malformed: false,
        representable: true,
        redirects_only: false,
    });
    let mut out = Vec::new();
    // Bounded: most draws fit; give up after many that do not.
    for _ in 0..n.saturating_mul(200) {
        if out.len() >= n {
            break;
        }
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            break;
        };
        if let Some(s) = to_live(&tree.current(), format!("strategy-{seed}-{}", out.len())) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_moved_onto_loopback() {
        assert_eq!(
            map_reference("https://a.test/x?q").as_deref(),
            Some("{A}/x?q")
        );
        assert_eq!(map_reference("http://a.test:8443").as_deref(), Some("{B}"));
        assert_eq!(map_reference("//b.test/p").as_deref(), Some("//{L_AUTH}/p"));
        assert_eq!(
            map_reference("  HTTPS://A.TEST/x").as_deref(),
            Some("  {A}/x")
        );
        assert_eq!(map_reference("../g?x#f").as_deref(), Some("../g?x#f"));
        assert_eq!(
            map_reference("ftp://b.test/f").as_deref(),
            Some("ftp://127.0.0.1/f")
        );
        assert_eq!(map_reference("https://c.test/"), None);
        assert_eq!(map_reference("https://u@a.test/"), None);
    }

    #[test]
    fn draws_are_reproducible_and_all_on_loopback() {
        let a = from_strategies(11, 12);
        assert_eq!(a.len(), 12);
        assert_eq!(a, from_strategies(11, 12));
        assert_ne!(a, from_strategies(12, 12));
        // The drawn Proxy-Authorization reaches the live request (about half the draws).
        let proxy = a.iter().filter(|s| !s.extra_headers.is_empty()).count();
        assert!(proxy > 0 && proxy < a.len(), "{proxy} of {}", a.len());
        for s in &a {
            assert!(s.start.starts_with('{'), "{}", s.start);
            for r in &s.responses {
                for l in &r.locations {
                    assert!(!l.contains("a.test") && !l.contains("b.test"), "{l}");
                }
            }
        }
    }
}
