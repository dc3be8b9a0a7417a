//! The Location field: presence, count, bytes, grammar, and where it leads.
//!
//! RFC 9110 §10.2.2: `Location = URI-reference`, "the field value consists
//! of a single URI-reference. When it has the form of a relative reference
//! ([RFC 3986] Section 4.2), the final value is computed by resolving it
//! against the target URI ([RFC 3986] Section 5)."

use std::cell::RefCell;

use http::StatusCode;

use crate::model::{parse_location, resolve, UriBuf, UriRef, DEFAULT_MAX_LOCATION_LEN};
use crate::server::finding::{Finding, Level, Rule};
use crate::server::report::Report;
use crate::server::request::RequestInfo;
use crate::server::view::{Field, View};

/// The section that defines a redirect status, for 301/302/303/307/308.
fn redirect_section(status: StatusCode) -> Option<&'static str> {
    Some(match status.as_u16() {
        301 => "RFC 9110 §15.4.2",
        302 => "RFC 9110 §15.4.3",
        303 => "RFC 9110 §15.4.4",
        307 => "RFC 9110 §15.4.8",
        308 => "RFC 9110 §15.4.9",
        _ => return None,
    })
}

/// Statuses whose Location a user agent may follow: every 3xx but 304, 305
/// and 306 (RFC 9110 §15.4: "a user agent MAY use the Location field value
/// for automatic redirection" even for an unknown 3xx code).
fn is_followable(status: StatusCode) -> bool {
    status.is_redirection() && !matches!(status.as_u16(), 304..=306)
}

/// What the Location rules read from the response alone (not the request):
/// their findings about presence, count and bytes, in the order they are
/// reported, and the one valid Location a client may follow, parsed, for the
/// rules that also read the request ([`check`]). Worked out once per
/// response, however many requests it is checked against.
#[derive(Debug)]
pub(crate) struct Read<'a> {
    findings: Vec<Finding>,
    target: Option<(Field<'a>, UriRef<'a>)>,
}

impl<'a> Read<'a> {
    pub(crate) fn of(view: &View<'a>) -> Self {
        let mut findings = Vec::new();
        let target = read(view, &mut findings);
        Read { findings, target }
    }

    /// How many findings it holds.
    pub(crate) fn len(&self) -> usize {
        self.findings.len()
    }
}

/// Pushes the findings of [`Read`] to `findings`; returns its target.
fn read<'a>(view: &View<'a>, findings: &mut Vec<Finding>) -> Option<(Field<'a>, UriRef<'a>)> {
    let mut locations = view.all("location");
    let Some(first) = locations.next() else {
        if let Some(section) = redirect_section(view.status) {
            // RFC 9110 §15.4.2/.3/.8/.9: "The server SHOULD generate a
            // Location header field in the response containing a preferred
            // URI reference for the new permanent/different URI."
            findings.push(
                Finding::args(
                    Rule::RedirectWithoutLocation,
                    format_args!(
                        "{} without a Location field: clients have nowhere to go and deliver the response",
                        view.status.as_u16()
                    ),
                )
                .in_section(section),
            );
        }
        return None;
    };
    let second = locations.next();
    let count = 1 + second.map_or(0, |_| 1 + locations.count());
    if let Some(second) = second {
        // This finding and at most one per value: one allocation.
        findings.reserve(count + 1);
        // RFC 9110 §5.3: "A sender MUST NOT generate multiple field lines
        // with the same name in a message ... unless that field's definition
        // allows multiple field line values to be recombined as a
        // comma-separated list"; Location is one URI-reference.
        findings.push(
            Finding::args(
                Rule::LocationMultiple,
                format_args!(
                    "{count} Location field lines; Fetch treats this as a network error, other clients pick one",
                ),
            )
            .with_evidence(second.offset, second.value),
        );
    }
    let reference = value_is_valid(&first, findings);
    if count > 1 {
        // Every value is checked; none is a target.
        for field in view.all("location").skip(1) {
            value_is_valid(&field, findings);
        }
        return None;
    }
    Some((first, reference.filter(|_| is_followable(view.status))?))
}

/// The Location rules: what [`Read`] found in the response, then where its
/// one valid Location leads from the request's URL.
pub(crate) fn check(read: &Read<'_>, view: &View<'_>, request: &RequestInfo, report: &mut Report) {
    report.extend_cloned(&read.findings);
    if let Some((field, reference)) = &read.target {
        target(field, reference, view, request, report);
    }
}

/// Reports the first problem with the bytes of one Location value; returns
/// the value parsed when it is a valid URI-reference.
fn value_is_valid<'a>(field: &Field<'a>, findings: &mut Vec<Finding>) -> Option<UriRef<'a>> {
    let value = field.value;
    let at = |p: usize| field.offset.map(|o| o + p);
    // RFC 9112 §5.2: "A sender MUST NOT generate a message that includes
    // line folding (i.e., that has any field line value that contains a match
    // to the obs-fold rule) unless the message is intended for packaging
    // within the message/http media type"; a user agent replaces it with SP,
    // so the value a client sees is not the one sent.
    if let Some(fold) = field.fold {
        findings.push(
            Finding::text(
                Rule::LocationControl,
                "obsolete line folding (CR LF then SP or HTAB) in the Location field line; recipients replace it with SP",
            )
            .in_section("RFC 9112 §5.2")
            .with_evidence(Some(fold), value),
        );
        return None;
    }
    // RFC 9110 §5.5: "field-value = *field-content" of VCHAR, obs-text, SP and
    // HTAB; "Field values containing CR, LF, or NUL characters are invalid
    // and dangerous".
    if let Some(p) = value
        .iter()
        .position(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        findings.push(
            Finding::args(
                Rule::LocationControl,
                format_args!(
                    "{} in Location at offset {p}: a response-splitting or header-injection byte",
                    crate::model::ByteName(value[p])
                ),
            )
            .with_evidence(at(p), value),
        );
        return None;
    }
    // Leading and trailing OWS are not part of the value (RFC 9110 §5.5);
    // httparse already cut them from raw fields, HeaderValue keeps them.
    let (trimmed, cut) = crate::model::trim_field_value(value);
    if let Some(p) = trimmed.iter().position(|&b| b == b' ' || b == b'\t') {
        // RFC 3986 §2: SP and HTAB are not URI characters; a WHATWG parser
        // strips tabs and encodes spaces, a strict one refuses the value.
        findings.push(
            Finding::args(
                Rule::LocationWhitespace,
                format_args!(
                    "{} inside the Location value at offset {}: not a URI character (RFC 3986 §2), clients disagree on what it means",
                    crate::model::ByteName(trimmed[p]),
                    cut + p
                ),
            )
            .with_evidence(at(cut + p), value),
        );
        return None;
    }
    match parse_location(value, DEFAULT_MAX_LOCATION_LEN) {
        Ok(reference) => match http_without_host(&reference) {
            None => Some(reference),
            Some((p, why)) => {
                let p = byte_offset(value, reference.as_str()) + p;
                findings.push(
                    Finding::args(Rule::LocationInvalid, format_args!("{why} (offset {p})"))
                        .in_section("RFC 9110 §4.2.1, §4.2.2")
                        .with_evidence(at(p), value),
                );
                None
            }
        },
        Err(e) => {
            // RFC 9110 §2.2: "A sender MUST NOT generate protocol elements
            // that do not match the grammar defined by the corresponding ABNF
            // rules."
            let offset = e.offset();
            findings.push(
                Finding::args(
                    Rule::LocationInvalid,
                    format_args!("the Location value is not a URI-reference: {e}"),
                )
                .with_evidence(offset.and_then(at).or(field.offset), value),
            );
            None
        }
    }
}

/// Where `inner` (a sub-slice of `outer`) starts in `outer`.
fn byte_offset(outer: &[u8], inner: &str) -> usize {
    (inner.as_ptr() as usize)
        .saturating_sub(outer.as_ptr() as usize)
        .min(outer.len())
}

/// Whether a URI-reference is, or resolves to, an http(s) URI without a
/// host; if so, the offset (in the reference) where the host should be and
/// why.
///
/// RFC 9110 §4.2.1: `http-URI = "http" "://" authority path-abempty [ "?"
/// query ]`, and "A sender MUST NOT generate an "http" URI with an empty
/// host identifier. A recipient that processes such a URI reference MUST
/// reject it as invalid."; §4.2.2 says the same of `https`. A Location
/// always resolves against the http(s) URL of the request (RFC 9110
/// §10.2.2), so:
/// - a reference with the scheme `http` or `https` (RFC 3986 §3.1: case
///   does not matter) must have an authority (`https:x`, `http:/x` have
///   none) with a non-empty host (`http://`, `https:///x`, `http://u@:80/`);
///   RFC 3986 §4.2: a first path segment holding `:` is never a relative
///   path, so `https:x` is an absolute URI and not a relative `x`;
/// - a network-path reference (`//` then authority) must have a non-empty
///   host: `///x` resolves to `http:///x`;
/// - every other relative reference (path, query, fragment, empty) takes
///   the base's authority, which has a host (RFC 3986 §5.2.2), and passes.
fn http_without_host(r: &crate::model::UriRef<'_>) -> Option<(usize, String)> {
    let text = r.as_str();
    let scheme = r.scheme();
    if let Some(s) = scheme {
        if !s.eq_ignore_ascii_case("http") && !s.eq_ignore_ascii_case("https") {
            return None;
        }
    }
    let named = scheme.map_or_else(String::new, |s| format!("{} ", s.to_ascii_lowercase()));
    let Some(host) = r.host() else {
        // No authority: only an absolute URI gets here with an http(s)
        // scheme; a relative reference without `//` is fine.
        let s = scheme?;
        return Some((
            s.len() + 1,
            format!(
                "an {named}URI without an authority: after \"{s}:\" comes no \"//\" and host, which the {} grammar requires",
                s.to_ascii_lowercase()
            ),
        ));
    };
    if !host.is_empty() {
        return None;
    }
    let p = byte_offset(text.as_bytes(), host);
    Some((
        p,
        match scheme {
            Some(_) => format!("an {named}URI with an empty host, which recipients must reject as invalid"),
            None => "a network-path reference with an empty host: resolved against the request URL it is an http(s) URI with an empty host, which recipients must reject as invalid".to_owned(),
        },
    ))
}

/// Self-loop and downgrade: where the one valid Location leads.
fn target(
    field: &Field<'_>,
    reference: &UriRef<'_>,
    view: &View<'_>,
    request: &RequestInfo,
    report: &mut Report,
) {
    let Some(base) = request.uri() else { return };
    RESOLVED.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut out) => {
            leads_to(base, reference, &mut out, field, view, request, report);
            if out.retained() > crate::server::finding::KEPT {
                // (A long URL, or a long Location resolved to a short one:
                // the grown buffer is not kept.)
                *out = UriBuf::new();
            }
        }
        Err(_) => leads_to(
            base,
            reference,
            &mut UriBuf::new(),
            field,
            view,
            request,
            report,
        ),
    });
}

thread_local! {
    /// The buffer [`target`] resolves into, kept grown (the server checker
    /// runs for every fuzz input, against several requests) unless it grew
    /// past [`KEPT`](crate::server::finding::KEPT) bytes (text and scratch
    /// space together).
    static RESOLVED: RefCell<UriBuf> = RefCell::new(UriBuf::new());
}

/// [`target`], resolving the Location against `base` (the request's URL)
/// into `out`.
fn leads_to(
    base: &UriBuf,
    reference: &UriRef<'_>,
    out: &mut UriBuf,
    field: &Field<'_>,
    view: &View<'_>,
    request: &RequestInfo,
    report: &mut Report,
) {
    resolve(base, reference, out);
    let out = &*out;
    if same_resource(base, out) && next_method_is_same(view.status, request.method()) {
        // RFC 9110 §15.4: "A client SHOULD detect and intervene in cyclical
        // redirections (i.e., "infinite" redirection loops)." A server that
        // sets a cookie and redirects to itself loops only without a jar.
        let (level, why) = if view.first("set-cookie").is_some() {
            (
                Level::Advice,
                "; it sets a cookie, so only clients without a cookie jar loop",
            )
        } else {
            (
                Level::Should,
                "; every client loops until its redirect limit",
            )
        };
        report.push(
            Finding::args(
                Rule::LocationSelfLoop,
                format_args!(
                    "the Location resolves to the request's own URL {}{why}",
                    out.as_uri_ref().without_fragment()
                ),
            )
            .at_level(level)
            .with_evidence(field.offset, field.value),
        );
    }
    let from = base.scheme().unwrap_or_default();
    let to = out.scheme().unwrap_or_default();
    if from.eq_ignore_ascii_case("https") && to.eq_ignore_ascii_case("http") {
        // RFC 9110 §4.2.2: https resources are reached over a secured
        // connection; http ones are not. The next request, its URL and any
        // cookie not marked Secure travel in clear text.
        report.push(
            Finding::args(
                Rule::HttpsDowngrade,
                format_args!(
                    "an https request redirected to {}: the next request leaves TLS",
                    out.as_str()
                ),
            )
            .with_evidence(field.offset, field.value),
        );
    }
}

/// Whether the request that follows the redirect has the request's method:
/// only then is a redirect to the same URL a loop. POST answered with 303
/// (or 301/302, which Fetch and RFC 9110 §15.4.2/§15.4.3 allow to become
/// GET) to its own URL is Post/Redirect/Get: the GET that follows is a new
/// request. RFC 9110 §15.4.4: a 303 is followed with GET (or HEAD).
fn next_method_is_same(status: StatusCode, method: &http::Method) -> bool {
    use http::Method;
    match status.as_u16() {
        303 => *method == Method::GET || *method == Method::HEAD,
        301 | 302 => *method != Method::POST,
        _ => true,
    }
}

/// Same scheme, host, effective port, path and query; the fragment is not
/// sent, so it is ignored. An empty path is `/` (RFC 9110 §4.2.3).
fn same_resource(a: &UriBuf, b: &UriBuf) -> bool {
    let port = |u: &UriBuf| match u.port() {
        Some(p) if !p.is_empty() => p.parse::<u32>().ok(),
        _ => crate::model::default_port(u.scheme().unwrap_or_default()).map(u32::from),
    };
    fn path(u: &UriBuf) -> &str {
        match u.path() {
            "" => "/",
            p => p,
        }
    }
    // ASCII case-insensitive, as comparing the lower-cased texts.
    let same = |x: Option<&str>, y: Option<&str>| {
        x.unwrap_or_default()
            .eq_ignore_ascii_case(y.unwrap_or_default())
    };
    same(a.scheme(), b.scheme())
        && same(a.host(), b.host())
        && port(a) == port(b)
        && path(a) == path(b)
        && a.query() == b.query()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_buffer_keeps_a_short_url_only() {
        let request = RequestInfo::new(http::Method::GET, "https://a.test/x").unwrap();
        let resolved = |location: &str| {
            let raw = format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\n\r\n");
            let report = crate::server::check_raw(raw.as_bytes(), &request).unwrap();
            assert!(!report.has("location-invalid"));
            RESOLVED.with_borrow(|out| (out.as_str().len(), out.retained()))
        };
        let (len, kept) = resolved(&format!("/{}", "a".repeat(100)));
        assert_eq!(len, "https://a.test/".len() + 100);
        assert!(kept >= len);
        let long = format!("/{}", "a".repeat(crate::server::finding::KEPT));
        assert_eq!(resolved(&long), (0, 0));
        // A long relative path that resolves to a short URL: merged in the
        // scratch space (RFC 3986 §5.2.3), which is not kept either.
        let dots = "a/../".repeat(crate::server::finding::KEPT / 4);
        assert_eq!(resolved(&dots), (0, 0));
        let (len, _) = resolved("b/../c");
        assert_eq!(len, "https://a.test/c".len());
    }
}
