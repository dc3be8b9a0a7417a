//! The status code itself: 305 and 306, 300 without choices, and a POST
//! answered with 301 or 302.

use http::Method;

use crate::server::finding::{Finding, Rule};
use crate::server::report::Report;
use crate::server::request::RequestInfo;
use crate::server::view::View;

pub(crate) fn check(view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    match view.status.as_u16() {
        // RFC 9110 §15.4.6: "The 305 (Use Proxy) status code was defined in
        // a previous version of this specification and is now deprecated
        // (Appendix B of [RFC7231])."
        305 => report.push(Finding::text(
            Rule::UseProxySent,
            "305 (Use Proxy) is deprecated: configuring a proxy in band was a security hole, and clients deliver it",
        )),
        // RFC 9110 §15.4.7: "The 306 status code was defined in a previous
        // version of this specification, is no longer used, and the code is
        // reserved."
        306 => report.push(Finding::text(
            Rule::UnusedStatusSent,
            "306 is reserved and has no meaning: clients deliver it as an unknown 3xx",
        )),
        300 => multiple_choices(view, request, report),
        code @ (301 | 302) if request.method() == Method::POST => {
            // RFC 9110 §15.4.2/§15.4.3: "For historical reasons, a user agent
            // MAY change the request method from POST to GET for the
            // subsequent request. If this behavior is undesired, the 307/308
            // status code can be used instead."
            let (section, keep) = if code == 301 {
                ("RFC 9110 §15.4.2", "308")
            } else {
                ("RFC 9110 §15.4.3", "307")
            };
            report.push(
                Finding::args(
                    Rule::PostRedirectAmbiguous,
                    format_args!(
                        "POST answered with {code}: clients may resend it as GET or as POST; send 303 to say GET, {keep} to keep POST and its body"
                    ),
                )
                .in_section(section),
            );
        }
        _ => {}
    }
}

/// RFC 9110 §15.4.1: "If the server has a preferred choice, the server
/// SHOULD generate a Location header field"; "For request methods other than
/// HEAD, the server SHOULD generate content in the 300 response containing a
/// list of representation metadata and URI reference(s) from which the user
/// or user agent can choose".
fn multiple_choices(view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    let head = request.method() == Method::HEAD;
    // A Link field (RFC 8288) can list the alternatives too.
    let named = view.first("location").is_some() || view.first("link").is_some();
    if !named && (head || !view.has_content()) {
        report.push(Finding::text(
            Rule::MultipleChoicesWithoutChoices,
            if head {
                "300 to HEAD without a Location or Link field: no choice is named"
            } else {
                "300 with neither a Location nor content listing the choices: nothing to choose from"
            },
        ));
    }
}
