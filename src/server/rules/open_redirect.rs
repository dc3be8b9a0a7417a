//! The open-redirect verdict for a probe request: does the Location, read
//! as a browser reads it, leave the server's origin for the attacker's host?
//!
//! Browsers parse Location with the WHATWG URL parser against the response
//! URL (Fetch, "HTTP-redirect fetch": "Let locationURL be
//! actualResponse's location URL given request's current URL's fragment"),
//! which turns `\` into `/` in special URLs, strips tabs and newlines, and
//! maps full-width and ideographic dots in hosts to `.`: so `/\evil.test`,
//! `https:evil.test` and `//evil。test` all land on `evil.test`.

use std::borrow::Cow;

use url::{Origin, Url};

use crate::server::attack::ATTACKER_HOST;
use crate::server::finding::{Finding, Rule};
use crate::server::report::Report;
use crate::server::request::{Probe, RequestInfo};
use crate::server::view::View;

/// The input as the WHATWG parser's states see it, with one repair.
///
/// URL Standard, basic URL parser: "Remove any leading and trailing C0
/// control or space from input", "Remove all ASCII tab or newline from
/// input". Then, against a special base, the "relative slash state" and the
/// "special authority ignore slashes state" skip *every* leading `/` and
/// `\`: `///evil.test` is `http://evil.test/` in browsers. The `url` crate
/// (2.5.8) strips only the first `//` there and fails with `EmptyHost` (a
/// known expected failure of its web-platform-tests run), so the run of
/// slashes is cut to `//` first.
fn browser_input<'a>(raw: &'a str, base: &Url) -> Cow<'a, str> {
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    // Three byte searches (the standard library's, outside the fuzzer's
    // per-byte instrumentation) instead of one pass over the chars: tab, LF
    // and CR are single bytes that no longer char holds.
    let t = trimmed.as_bytes();
    let repair = t.contains(&b'\t')
        || t.contains(&b'\n')
        || t.contains(&b'\r')
        || base.is_special() && many_slashes(trimmed);
    if !repair {
        // Nothing to remove or repair (the usual case): `repaired` would
        // give the text as it is.
        return Cow::Borrowed(trimmed);
    }
    Cow::Owned(repaired(trimmed, base))
}

/// [`browser_input`] of a trimmed input: tabs and newlines removed, a run of
/// slashes cut to `//`.
fn repaired(trimmed: &str, base: &Url) -> String {
    // Tab, LF and CR are single bytes that no longer char holds: removing
    // them byte by byte keeps every other char whole (and skips decoding).
    let mut kept = Vec::with_capacity(trimmed.len());
    for part in trimmed
        .as_bytes()
        .split(|&b| matches!(b, b'\t' | b'\n' | b'\r'))
    {
        kept.extend_from_slice(part);
    }
    let mut text = String::from_utf8(kept)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let slashes = text.chars().take_while(|&c| c == '/' || c == '\\').count();
    if base.is_special() && slashes > 2 {
        text.replace_range(..slashes, "//");
    }
    text
}

/// Whether `text` starts with more than two `/` or `\`.
fn many_slashes(text: &str) -> bool {
    text.bytes()
        .take_while(|&c| c == b'/' || c == b'\\')
        .nth(2)
        .is_some()
}

/// The host as compared: lower-case (the WHATWG parser already lowers
/// ASCII), without a trailing dot.
fn host_key(host: &str) -> Cow<'_, str> {
    let host = host.trim_end_matches('.');
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(host.to_ascii_lowercase())
    } else {
        // (The WHATWG parser lowers the ASCII of special hosts: the usual case.)
        Cow::Borrowed(host)
    }
}

/// `%XX` decoded and `+` read as SP (`application/x-www-form-urlencoded`),
/// invalid UTF-8 replaced.
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| char::from(c).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                b.get(i + 1).and_then(|&c| hex(c)),
                b.get(i + 2).and_then(|&c| hex(c)),
            ) {
                (Some(h), Some(l)) => {
                    // Two hex digits are at most 0xff.
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value the checker sent that leads off the origin.
#[derive(Clone, Debug)]
struct Sent {
    param: String,
    value: String,
    host: String,
}

/// Every query value of the request that, read as a link on the page (as
/// sent, decoded once, decoded twice), leads to another origin.
fn sent_values(base: &Url) -> Vec<Sent> {
    let mut out: Vec<Sent> = Vec::new();
    for pair in base.query().unwrap_or_default().split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let once = form_decode(v);
        let twice = form_decode(&once);
        for value in [v.to_owned(), once, twice] {
            let Ok(lead) = base.join(&browser_input(&value, base)) else {
                continue;
            };
            let Some(host) = lead.host_str().map(host_key) else {
                continue;
            };
            // Another host: the same host on another scheme or port (an
            // upgrade to https) is not the attacker's.
            let own = base.host_str().map(host_key).unwrap_or_default();
            if host.is_empty() || host == own || out.iter().any(|s| s.host == host) {
                continue;
            }
            out.push(Sent {
                param: form_decode(k),
                value,
                host: host.into_owned(),
            });
        }
    }
    out
}

/// What [`check`] reads from the request URL alone: the URL as a browser's
/// base, and the values of its query that lead off its origin (only for a
/// request that [judges its query](RequestInfo::judging_query)). Kept on
/// the request ([`RequestInfo::browser_base`]).
#[derive(Clone, Debug)]
pub(crate) struct BrowserBase {
    base: Url,
    origin: Origin,
    sent: Vec<Sent>,
}

impl BrowserBase {
    fn of(uri: &str, judges_query: bool) -> Option<Self> {
        let base = Url::parse(uri).ok()?;
        let sent = if judges_query {
            sent_values(&base)
        } else {
            Vec::new()
        };
        Some(BrowserBase {
            origin: base.origin(),
            base,
            sent,
        })
    }
}

pub(crate) fn check(view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    let Some(uri) = request.url() else {
        return;
    };
    if request.probe().is_none() && !request.judges_query() {
        return;
    }
    // Fetch follows only these statuses (a "redirect status").
    if !matches!(view.status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return;
    }
    let Some(BrowserBase { base, origin, sent }) =
        request.browser_base(|| BrowserBase::of(uri, request.judges_query()))
    else {
        return;
    };
    for field in view.all("location") {
        let text = String::from_utf8_lossy(field.value);
        let input = browser_input(&text, base);
        if keeps_base_origin(&input, base) {
            // The URL it leads to has the base's origin: the check below
            // would go on to the next Location.
            continue;
        }
        let Ok(target) = base.join(&input) else {
            continue;
        };
        let Some(host) = target.host_str().map(host_key) else {
            continue;
        };
        let attacker = host == ATTACKER_HOST
            || host
                .strip_suffix(ATTACKER_HOST)
                .is_some_and(|h| h.ends_with('.'));
        let leads = match request.probe() {
            Some(probe) if attacker => Leads::Probe(probe),
            _ => match sent.iter().find(|s| s.host == host) {
                Some(s) => Leads::Sent(s),
                None => continue,
            },
        };
        // Only a host the check reports needs the origin compared (it is
        // built with a copy of the host).
        if target.origin() == *origin {
            continue;
        }
        let origin = || origin.ascii_serialization();
        let message = match leads {
            Leads::Probe(probe) => format!(
                "the return URL {:?} in ?{}= came back as a Location a browser resolves to {target}, off the origin {}",
                probe.value, probe.param, origin(),
            ),
            Leads::Sent(s) => format!(
                "the value {:?} of ?{}= that the request carried leads to {}, and the Location a browser resolves to {target} goes there, off the origin {} (not an open redirect only if {} is a destination the server means to allow, such as a registered OAuth redirect_uri)",
                s.value, s.param, s.host, origin(), s.host,
            ),
        };
        report.push(
            Finding::new(Rule::OpenRedirect, message).with_evidence(field.offset, field.value),
        );
        return;
    }
}

/// Where a Location's host leads, for [`check`]: the attacker's host of the
/// request's probe, or the host of a value the request sent.
enum Leads<'r> {
    Probe(&'r Probe),
    Sent(&'r Sent),
}

/// Whether `input` (a [`browser_input`]), parsed against `base`, certainly
/// gives a URL with `base`'s scheme, host and port, so `base`'s origin,
/// without parsing it. URL Standard, basic URL parser: an input that starts
/// with an ASCII alpha, then ASCII alphanumerics, `+`, `-` or `.`, then `:`
/// has a scheme ("scheme state"; not judged here: `false`); any other input
/// goes to the "no scheme state", and against an `http`/`https` base (a
/// special base other than `file`, whose "file state" and opaque origin
/// this does not cover) to the "relative state", which copies the base's
/// scheme and, unless the input starts with two of `/` and `\` (the
/// "relative slash state" then the "special authority ignore slashes
/// state"), the base's host and port ("relative state", "relative slash
/// state", then the path, query or fragment states, which never change
/// them). `false` is always safe: [`check`] then parses the input.
fn keeps_base_origin(input: &str, base: &Url) -> bool {
    if !matches!(base.scheme(), "http" | "https") {
        return false;
    }
    let b = input.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphabetic) {
        // "scheme state": the scheme ends at the first byte that is none of
        // these; it is a scheme when that byte is `:`.
        let end = b
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.')));
        return end.is_none_or(|n| b[n] != b':');
    }
    !matches!(b, [b'/' | b'\\', b'/' | b'\\', ..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrepaired_input_is_borrowed_only_where_repairing_changes_nothing() {
        let special = Url::parse("http://a.test/x").unwrap();
        let other = Url::parse("web+x://a.test/x").unwrap();
        for raw in [
            "",
            " ",
            "/a",
            "//e.test",
            "///e.test",
            "/\\\\e",
            "\\/\\e",
            "\t//e",
            "/\t/e",
            " /a b ",
            "a\r\nb",
            "https:e.test",
            "//",
            "///",
            "é/\u{3002}",
            "\u{0}//x",
        ] {
            for base in [&special, &other] {
                let trimmed = raw.trim_matches(|c: char| c <= ' ');
                let got = browser_input(raw, base);
                assert_eq!(got, repaired(trimmed, base), "{raw:?} against {base}");
            }
        }
    }

    /// [`keeps_base_origin`] against its definition: wherever it says so,
    /// the `url` crate joins the input onto the base with the base's origin.
    #[test]
    fn an_input_said_to_keep_the_base_origin_joins_to_it() {
        const ALPHABET: [&str; 24] = [
            "/", "\\", ":", "a", "Z", "1", "+", "-", ".", "?", "#", "@", "%2f", "\u{e9}", " ",
            "\t", "h", "ttp", "s", "[", "]", "\u{3002}", "\u{0}", "\u{ff0f}",
        ];
        let mut inputs: Vec<String> = [
            "",
            "/",
            "//",
            "/\\",
            "\\/",
            "\\\\e.test",
            "/e.test",
            "?//e.test",
            "#//e.test",
            "a",
            "a:",
            "a.b:c",
            "a+b:/x",
            "1a:b",
            "-a:b",
            "http:e.test",
            "https:e.test",
            "http:/e.test",
            "HTTPS://e.test",
            "javascript:x",
            "e.test:8080",
            "e.test/x:y",
            ".//e.test",
            "./e.test",
            "\u{e9}:x",
            "a\u{e9}:x",
            " //e.test",
            "\t//e.test",
            "/\t/e.test",
            "\u{0}//e.test",
            "\u{ff0f}\u{ff0f}e.test",
            "%2f%2fe.test",
        ]
        .map(str::to_owned)
        .to_vec();
        for a in ALPHABET {
            for b in ALPHABET {
                for c in ALPHABET {
                    inputs.push(format!("{a}{b}{c}e.test"));
                }
            }
        }
        let mut seed = 0x2545_f491_u32;
        for _ in 0..5_000 {
            let mut input = String::new();
            for _ in 0..8 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                input.push_str(ALPHABET[(seed >> 16) as usize % ALPHABET.len()]);
            }
            inputs.push(input);
        }
        let mut kept = [0, 0];
        for base in [
            "http://127.0.0.1:8080/login?next=%2F%2Fevil.test",
            "https://a.test:8443/dir/page?x=1",
            "web+x://a.test/x",
        ] {
            let base = Url::parse(base).unwrap();
            for raw in &inputs {
                let input = browser_input(raw, &base);
                let keeps = keeps_base_origin(&input, &base);
                kept[usize::from(keeps)] += 1;
                if keeps {
                    let joined = base.join(&input);
                    let joined = joined.unwrap_or_else(|e| panic!("{raw:?} onto {base}: {e}"));
                    assert_eq!(joined.origin(), base.origin(), "{raw:?} onto {base}");
                }
            }
        }
        // Both answers were given, often.
        assert!(kept.iter().all(|&n| n > 5_000), "{kept:?}");
        let base = Url::parse("http://a.test/").unwrap();
        for input in ["//e.test", "\\\\e.test", "http:e.test", "a:b", "web+x:y"] {
            assert!(!keeps_base_origin(input, &base), "{input:?}");
        }
    }

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("https%3A%2F%2Fe.test"), "https://e.test");
        assert_eq!(form_decode("a+b%2"), "a b%2");
        assert_eq!(form_decode("%25zz%E3%80%82"), "%zz\u{3002}");
        assert_eq!(form_decode("%ff"), "\u{fffd}");
    }

    #[test]
    fn sent_values_that_leave_the_origin() {
        let base =
            Url::parse("http://a.test/l?lang=en&next=https%253A%252F%252Fe.test&u=/ok&x=//b.test&up=https://a.test:8443/")
                .unwrap();
        let hosts: Vec<_> = sent_values(&base)
            .into_iter()
            .map(|s| (s.param, s.host))
            .collect();
        assert_eq!(
            hosts,
            [
                ("next".to_owned(), "e.test".to_owned()),
                ("x".to_owned(), "b.test".to_owned())
            ]
        );
    }

    #[test]
    fn every_leading_slash_is_skipped_against_a_special_base() {
        let base = Url::parse("http://a.test/x").unwrap();
        let join = |s: &str| base.join(&browser_input(s, &base)).map(|u| u.to_string());
        assert_eq!(join("///evil.test").as_deref(), Ok("http://evil.test/"));
        assert_eq!(
            join("/\\//evil.test/p").as_deref(),
            Ok("http://evil.test/p")
        );
        assert_eq!(join(" \t//evil.test").as_deref(), Ok("http://evil.test/"));
        assert_eq!(join("/ok").as_deref(), Ok("http://a.test/ok"));
        let other = Url::parse("web+x://a.test/x").unwrap();
        assert_eq!(browser_input("///p", &other), "///p");
    }
}
