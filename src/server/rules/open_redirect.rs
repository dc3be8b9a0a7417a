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

use crate::server::finding::{Finding, Report, Rule};
use crate::server::probe::ATTACKER_HOST;
use crate::server::request::RequestInfo;
use crate::server::view::View;

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
        let text = String::from_utf8_lossy(crate::server::view::trim(field.value));
        let Ok(target) = base.join(&text) else {
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
