//! The fixed, named suite every client runs.
//!
//! Groups (the columns of the matrix):
//! - `method`: each of 301 302 303 307 308 × GET HEAD POST PUT, same origin.
//! - `relative`: RFC 3986 §5.4 reference forms as Location values, plus the oddities real
//!   servers send (spaces, non-ASCII, backslashes).
//! - `fragment`: RFC 9110 §10.2.2 fragment inheritance; only what reaches the server (the path,
//!   never the fragment) can be observed.
//! - `credentials`: Authorization and Cookie across port and host changes, including chains
//!   that leave an origin and come back (Fetch: once removed, never restored), chains that
//!   make a second hop inside the other origin (A -> B -> B), and Proxy-Authorization.
//! - `limits`: chains of 10/11 and 20/21 redirects (the common client limits and Fetch's 20),
//!   a self-loop and a two-origin loop.
//! - `location`: missing, empty, padded, invalid and multiple Location fields, a Location on a
//!   non-redirect and on 300, 304, 305, 306 and an unknown 3xx.
//! - `scheme`: Locations with non-http(s) schemes; `ftp:` points at a loopback listener that
//!   records connections, so "tried and failed" is told from "refused".
//! - `random`: seeded random chains from [`random`], added on request.
//!
//! Not in the suite, with the reason given in [`SKIPPED`]: https -> http downgrades.

use super::scenario::{Scenario, ScriptedResponse, PROXY_AUTHORIZATION_VALUE};
use http::Method;

/// Scenarios that cannot run on plain loopback, with the reason (shown in reports).
pub const SKIPPED: &[(&str, &str)] = &[(
    "downgrade-https-to-http",
    "needs a TLS listener the clients trust; loopback here is plain HTTP only",
)];

/// Group names, in display order.
pub const GROUPS: &[&str] = &[
    "method",
    "relative",
    "fragment",
    "credentials",
    "limits",
    "location",
    "scheme",
    "random",
];

fn scenario(
    name: &str,
    group: &'static str,
    about: &str,
    method: Method,
    start: &str,
    responses: Vec<ScriptedResponse>,
) -> Scenario {
    let with_body = !matches!(method, Method::GET | Method::HEAD);
    Scenario {
        name: name.to_owned(),
        group,
        about: about.to_owned(),
        method,
        start: start.to_owned(),
        with_body,
        responses,
        repeat_last: false,
        routes: Vec::new(),
        extra_headers: Vec::new(),
    }
}

fn one_hop(status: u16, location: &str) -> Vec<ScriptedResponse> {
    vec![
        ScriptedResponse::redirect(status, location),
        ScriptedResponse::ok(),
    ]
}

/// A chain of `n` redirects over distinct paths, then `200 OK`.
fn chain(n: usize) -> Vec<ScriptedResponse> {
    let mut v: Vec<ScriptedResponse> = (1..=n)
        .map(|i| ScriptedResponse::redirect(302, &format!("/chain/{i}")))
        .collect();
    v.push(ScriptedResponse::ok());
    v
}

/// The whole suite, in a stable order.
pub fn suite() -> Vec<Scenario> {
    let mut s = Vec::new();
    for status in [301u16, 302, 303, 307, 308] {
        for method in [Method::GET, Method::HEAD, Method::POST, Method::PUT] {
            let name = format!("{status}-{}", method.as_str().to_ascii_lowercase());
            let about = format!("{method} answered by {status} to a same-origin path");
            s.push(scenario(
                &name,
                "method",
                &about,
                method,
                "{A}/m/start?x=1",
                one_hop(status, "/m/next?y=2"),
            ));
        }
    }
    let relative: &[(&str, &str, &str)] = &[
        ("rel-sibling", "g", "RFC 3986 §5.4.1: g"),
        ("rel-dot", "./g", "RFC 3986 §5.4.1: ./g"),
        ("rel-dotdot", "../g", "RFC 3986 §5.4.1: ../g"),
        (
            "rel-above-root",
            "../../../../g",
            "RFC 3986 §5.4.2: too many .. stop at the root",
        ),
        ("rel-absolute-path", "/g/h", "RFC 3986 §5.4.1: /g"),
        ("rel-query-only", "?y=3", "RFC 3986 §5.4.1: ?y"),
        ("rel-params", "g;x?y=1", "RFC 3986 §5.4.1: g;x?y"),
        ("rel-dot-only", ".", "RFC 3986 §5.4.1: ."),
        (
            "rel-network-path",
            "//{B_AUTH}/n/g",
            "RFC 3986 §5.4.1: //g (to the other origin)",
        ),
        (
            "rel-dot-segments-mid",
            "/a/./b/../c",
            "RFC 3986 §5.2.4 remove_dot_segments on an absolute path",
        ),
        (
            "rel-space",
            "/a b",
            "a raw space: invalid for RFC 3986, percent-encoded by WHATWG URL",
        ),
        (
            "rel-non-ascii",
            "/caf\u{e9}",
            "raw UTF-8 bytes in Location: invalid for RFC 3986, encoded by WHATWG URL",
        ),
        (
            "rel-backslash",
            "\\bs\\x",
            "backslashes: WHATWG URL reads them as slashes for http(s)",
        ),
        (
            "rel-absolute-url",
            "{A}/abs/x?q",
            "an absolute URL on the same origin",
        ),
    ];
    for (name, loc, about) in relative {
        s.push(scenario(
            name,
            "relative",
            about,
            Method::GET,
            "{A}/base/dir/page?q=1",
            one_hop(302, loc),
        ));
    }
    let fragments: &[(&str, &str, &str)] = &[
        (
            "frag-inherit",
            "/f/next",
            "no fragment in Location: the current one is inherited (RFC 9110 §10.2.2)",
        ),
        (
            "frag-replace",
            "/f/next#new",
            "a Location fragment replaces the current one",
        ),
        (
            "frag-empty",
            "/f/next#",
            "an empty fragment is still a fragment: no inheritance",
        ),
        (
            "frag-only",
            "#elsewhere",
            "a fragment-only Location points at the same resource",
        ),
    ];
    for (name, loc, about) in fragments {
        s.push(scenario(
            name,
            "fragment",
            about,
            Method::GET,
            "{A}/f/start#top",
            one_hop(302, loc),
        ));
    }
    s.push(scenario(
        "cred-same-origin",
        "credentials",
        "credentials stay on a same-origin hop",
        Method::GET,
        "{A}/c/start",
        one_hop(302, "/c/next"),
    ));
    s.push(scenario(
        "cred-cross-port",
        "credentials",
        "same host, other port: another origin",
        Method::GET,
        "{A}/c/start",
        one_hop(302, "{B}/c/next"),
    ));
    s.push(scenario(
        "cred-cross-host",
        "credentials",
        "other host name, same port: another origin and another host",
        Method::GET,
        "{A}/c/start",
        one_hop(302, "{L}/c/next"),
    ));
    s.push(scenario(
        "cred-leave-and-return-port",
        "credentials",
        "leave for another port and come back: removed credentials stay removed (Fetch)",
        Method::GET,
        "{A}/c/start",
        vec![
            ScriptedResponse::redirect(302, "{B}/c/away"),
            ScriptedResponse::redirect(302, "{A}/c/back"),
            ScriptedResponse::ok(),
        ],
    ));
    s.push(scenario(
        "cred-leave-and-return-host",
        "credentials",
        "leave for another host name and come back",
        Method::GET,
        "{A}/c/start",
        vec![
            ScriptedResponse::redirect(302, "{L}/c/away"),
            ScriptedResponse::redirect(302, "{A}/c/back"),
            ScriptedResponse::ok(),
        ],
    ));
    s.push(scenario(
        "cred-leave-then-stay-host",
        "credentials",
        "leave for another host name, then a second hop inside it: no credential of the first \
         (a client that copies the first request's headers when a hop stays on one host leaks \
         them: Go's CVE-2024-45336)",
        Method::GET,
        "{A}/c/start",
        vec![
            ScriptedResponse::redirect(302, "{L}/c/one"),
            ScriptedResponse::redirect(302, "/c/two"),
            ScriptedResponse::ok(),
        ],
    ));
    s.push(scenario(
        "cred-307-post-cross-port",
        "credentials",
        "POST kept with its body by 307 to another origin, credentials not",
        Method::POST,
        "{A}/c/start",
        one_hop(307, "{B}/c/next"),
    ));
    s.push(scenario(
        "cred-303-post-cross-host",
        "credentials",
        "POST turned into GET by 303 to another host name",
        Method::POST,
        "{A}/c/start",
        one_hop(303, "{L}/c/next"),
    ));
    let away_twice: &[(&str, &str, &str)] = &[
        (
            "cred-away-twice-port",
            "{B}",
            "A -> B/1 -> B/2: credentials removed on the way to B stay removed inside B (Fetch step 13 deletes them from the request)",
        ),
        (
            "cred-away-twice-host",
            "{L}",
            "A -> L/1 -> L/2 over another host name: credentials of A never reach L, not even on the second hop",
        ),
    ];
    for (name, other, about) in away_twice {
        s.push(scenario(
            name,
            "credentials",
            about,
            Method::GET,
            "{A}/c/start",
            vec![
                ScriptedResponse::redirect(302, &format!("{other}/c/one")),
                ScriptedResponse::redirect(302, "/c/two"),
                ScriptedResponse::ok(),
            ],
        ));
    }
    let proxy: &[(&str, &str, Vec<ScriptedResponse>)] = &[
        (
            "cred-proxy-cross-port",
            "Proxy-Authorization set by the caller, then a hop to another port (RFC 9110 §15.4 step 2)",
            one_hop(302, "{B}/c/next"),
        ),
        (
            "cred-proxy-away-twice-port",
            "Proxy-Authorization, A -> B/1 -> B/2: not sent again inside B",
            vec![
                ScriptedResponse::redirect(302, "{B}/c/one"),
                ScriptedResponse::redirect(302, "/c/two"),
                ScriptedResponse::ok(),
            ],
        ),
    ];
    for (name, about, responses) in proxy {
        let mut sc = scenario(
            name,
            "credentials",
            about,
            Method::GET,
            "{A}/c/start",
            responses.clone(),
        );
        sc.extra_headers = vec![(
            "Proxy-Authorization".to_owned(),
            PROXY_AUTHORIZATION_VALUE.to_owned(),
        )];
        s.push(sc);
    }
    for n in [10usize, 11, 20, 21] {
        s.push(scenario(
            &format!("chain-{n}"),
            "limits",
            &format!("{n} redirects in a row over distinct paths, then 200"),
            Method::GET,
            "{A}/chain/0",
            chain(n),
        ));
    }
    let mut self_loop = scenario(
        "loop-self",
        "limits",
        "a Location that points at the current URL, forever",
        Method::GET,
        "{A}/loop",
        vec![ScriptedResponse::redirect(302, "/loop")],
    );
    self_loop.repeat_last = true;
    s.push(self_loop);
    let mut two_loop = scenario(
        "loop-two-origins",
        "limits",
        "A -> B -> A -> … forever",
        Method::GET,
        "{A}/loop",
        vec![
            ScriptedResponse::redirect(302, "{B}/loop"),
            ScriptedResponse::redirect(302, "{A}/loop"),
        ],
    );
    two_loop.responses = (0..70)
        .map(|i| {
            let target = if i % 2 == 0 { "{B}/loop" } else { "{A}/loop" };
            ScriptedResponse::redirect(302, target)
        })
        .collect();
    two_loop.repeat_last = true;
    s.push(two_loop);
    s.push(scenario(
        "loop-cookie-check",
        "limits",
        "a 302 to the same URL that sets a cookie (the cookie-check redirect): not yet a loop",
        Method::GET,
        "{A}/cc",
        vec![
            ScriptedResponse::redirect(302, "/cc")
                .with_header("Set-Cookie", "redirspec-check=1; Path=/"),
            ScriptedResponse::ok(),
        ],
    ));
    let locations: &[(&str, u16, &[&str], &str)] = &[
        (
            "loc-missing",
            302,
            &[],
            "302 without Location: delivered as is",
        ),
        (
            "loc-empty",
            302,
            &[""],
            "empty Location: the current URL again (Fetch), invalid for RFC 3986 absolute form",
        ),
        (
            "loc-padded",
            302,
            &["   /padded   "],
            "leading and trailing spaces are not part of the value (RFC 9110 §5.5)",
        ),
        (
            "loc-two-same",
            302,
            &["/dup", "/dup"],
            "two identical Location lines",
        ),
        (
            "loc-two-different",
            302,
            &["/one", "/two"],
            "two different Location lines",
        ),
        (
            "loc-bad-port",
            302,
            &["http://127.0.0.1:99999/x"],
            "port out of range",
        ),
        (
            "loc-bad-ipv6",
            302,
            &["http://[::1/x"],
            "unterminated IPv6 literal",
        ),
        (
            "loc-on-201",
            201,
            &["/created"],
            "a Location on a non-redirect status is not followed",
        ),
        (
            "loc-on-300",
            300,
            &["/choice"],
            "300 Multiple Choices with a Location",
        ),
        (
            "loc-on-304",
            304,
            &["/not-modified"],
            "304 Not Modified with a Location: not a redirect (Fetch); use the stored response (RFC 9110 §15.4.5)",
        ),
        (
            "loc-on-305",
            305,
            &["/proxy"],
            "305 Use Proxy (deprecated) with a Location",
        ),
        (
            "loc-on-306",
            306,
            &["/unused"],
            "306 (Unused) with a Location",
        ),
        (
            "loc-on-399",
            399,
            &["/unknown"],
            "an unknown 3xx code with a Location",
        ),
    ];
    for (name, status, locs, about) in locations {
        let mut sc = scenario(
            name,
            "location",
            about,
            Method::GET,
            "{A}/l/start",
            vec![
                ScriptedResponse::with_locations(*status, locs),
                ScriptedResponse::ok(),
            ],
        );
        if *name == "loc-empty" {
            sc.responses = vec![ScriptedResponse::with_locations(302, &[""])];
            sc.repeat_last = true;
        }
        s.push(sc);
    }
    let schemes: &[(&str, &str)] = &[
        // `{FTP}` is a loopback listener that records connections: a client that connects
        // has followed (see `live::sink`).
        ("scheme-ftp", "{FTP}/x"),
        ("scheme-file", "file:///etc/hostname"),
        ("scheme-data", "data:,hello"),
        ("scheme-data-text", "data:text/plain,redirspec%20data"),
        ("scheme-javascript", "javascript:alert(1)"),
        ("scheme-mailto", "mailto:someone@example.invalid"),
    ];
    for (name, loc) in schemes {
        s.push(scenario(
            name,
            "scheme",
            &format!(
                "a Location with scheme {}",
                loc.split(':').next().unwrap_or("")
            ),
            Method::GET,
            "{A}/s/start",
            one_hop(302, loc),
        ));
    }
    s
}

/// SplitMix64: a tiny, well-known generator; enough to make reproducible scenarios.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.next() % n64).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// `n` random scenarios (group `random`), the same for the same `seed`: chains of one to four
/// redirects mixing statuses, methods, relative forms, fragments and origin changes (away and
/// back), ending in `200 OK`.
pub fn random(seed: u64, n: usize) -> Vec<Scenario> {
    let mut rng = SplitMix64(seed);
    let statuses = [
        301u16, 302, 303, 307, 308, 301, 302, 303, 307, 308, 300, 399,
    ];
    let methods = [Method::GET, Method::POST, Method::PUT];
    let forms = [
        "/r/{i}",
        "r{i}",
        "../r{i}",
        "./r{i}?q={i}",
        "?q={i}",
        "/r/{i}#f{i}",
        "{A}/r/{i}",
        "{B}/r/{i}",
        "{L}/r/{i}",
        "//{B_AUTH}/r/{i}",
        "//{A_AUTH}/r/{i}",
    ];
    (0..n)
        .map(|k| {
            let method = rng.pick(&methods).clone();
            let hops = 1 + rng.below(4);
            let mut responses: Vec<ScriptedResponse> = (0..hops)
                .map(|i| {
                    let form = rng.pick(&forms).replace("{i}", &i.to_string());
                    ScriptedResponse::redirect(*rng.pick(&statuses), &form)
                })
                .collect();
            responses.push(ScriptedResponse::ok());
            let start = *rng.pick(&["{A}/s/a/b?x=1", "{A}/s/a/b#top", "{L}/s/a/b"]);
            let summary: Vec<String> = responses
                .iter()
                .filter(|r| !r.locations.is_empty())
                .map(|r| format!("{} {}", r.status, r.locations.join(" ")))
                .collect();
            scenario(
                &format!("random-{seed}-{k}"),
                "random",
                &format!("{method} {start}, then {}", summary.join(", ")),
                method,
                start,
                responses,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn random_is_reproducible_and_varied() {
        let a = random(7, 20);
        assert_eq!(a, random(7, 20));
        assert_ne!(a, random(8, 20));
        assert!(a.iter().all(|s| GROUPS.contains(&s.group)));
        assert!(a.iter().any(|s| s.responses.len() > 2));
    }

    #[test]
    fn names_are_unique_and_groups_known() {
        let all = suite();
        let names: HashSet<_> = all.iter().map(|s| s.name.clone()).collect();
        assert_eq!(names.len(), all.len());
        assert!(all.iter().all(|s| GROUPS.contains(&s.group)));
    }
}
