//! The open-redirect verdict for a probe request: does the Location, read
//! as a browser reads it, leave the server's origin for the attacker's host?
//!
//! Browsers parse Location with the WHATWG URL parser against the response
//! URL (Fetch, "HTTP-redirect fetch": "Let locationURL be
//! actualResponse's location URL given request's current URL's fragment"),
//! which turns `\` into `/` in special URLs, strips tabs and newlines, and
//! maps full-width and ideographic dots in hosts to `.`: so `/\evil.test`,
//! `https:evil.test` and `//evil。test` all land on `evil.test`.

use url::Url;

use crate::server::finding::{Finding, Rule};
use crate::server::probe::ATTACKER_HOST;
use crate::server::report::Report;
use crate::server::request::RequestInfo;
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
fn browser_input(raw: &str, base: &Url) -> String {
    let trimmed = raw.trim_matches(|c: char| c <= ' ');
    let mut text: String = trimmed
        .chars()
        .filter(|&c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let slashes = text.chars().take_while(|&c| c == '/' || c == '\\').count();
    if base.is_special() && slashes > 2 {
        text.replace_range(..slashes, "//");
    }
    text
}

pub(crate) fn check(view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    let (Some(probe), Some(uri)) = (request.probe(), request.uri()) else {
        return;
    };
    // Fetch follows only these statuses (a "redirect status").
    if !matches!(view.status.as_u16(), 301 | 302 | 303 | 307 | 308) {
        return;
    }
    let Ok(base) = Url::parse(uri.as_str()) else {
        return;
    };
    for field in view.all("location") {
        let text = String::from_utf8_lossy(field.value);
        let Ok(target) = base.join(&browser_input(&text, &base)) else {
            continue;
        };
        let Some(host) = target.host_str() else {
            continue;
        };
        let host = host.trim_end_matches('.');
        let attacker = host == ATTACKER_HOST
            || host
                .strip_suffix(ATTACKER_HOST)
                .is_some_and(|h| h.ends_with('.'));
        if attacker && target.origin() != base.origin() {
            report.push(
                Finding::new(
                    Rule::OpenRedirect,
                    format!(
                        "the return URL {:?} in ?{}= came back as a Location a browser resolves to {target}, off the origin {}",
                        probe.value,
                        probe.param,
                        base.origin().ascii_serialization()
                    ),
                )
                .with_evidence(field.offset, field.value),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
