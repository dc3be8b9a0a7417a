//! The entry points: a raw response or an `http::Response`, with the request
//! that produced it, in; a [`Report`] out.

use super::finding::{Finding, Rule};
use super::parse::{parse_response, ParseError, RawResponse};
use super::report::Report;
use super::request::RequestInfo;
use super::rules;
use super::view::View;

/// Checks a raw HTTP/1.x response (head and whatever bytes follow it).
///
/// Evidence offsets are offsets in `raw`.
///
/// # Errors
/// A [`ParseError`] when `raw` is not a response head within the bounds of
/// [`parse_response`]; [`parse_error_finding`] turns it into a finding.
///
/// # Examples
/// ```
/// use http::Method;
/// use redirspec::server::{check_raw, RequestInfo};
/// let request = RequestInfo::new(Method::GET, "https://a.test/login").unwrap();
/// let raw = b"HTTP/1.1 302 Found\r\nLocation: /\\evil.test\r\nContent-Length: 0\r\n\r\n";
/// let report = check_raw(raw, &request).unwrap();
/// assert!(report.has("location-invalid"));
/// assert_eq!(report.findings()[0].evidence().unwrap().offset, Some(31));
/// assert!(report.breaks_must());
/// ```
pub fn check_raw(raw: &[u8], request: &RequestInfo) -> Result<Report, ParseError> {
    let response = parse_response(raw)?;
    Ok(check_parsed(&response, request))
}

/// [`check_raw`] of a response [`parse_response`] has read.
pub(crate) fn check_parsed(response: &RawResponse<'_>, request: &RequestInfo) -> Report {
    let [report] = check_parsed_each(response, std::array::from_ref(request));
    report
}

/// [`check_parsed`] for each of `requests`, with what the rules read from
/// the response alone ([`rules::Read`]) worked out once.
pub(crate) fn check_parsed_each<const N: usize>(
    response: &RawResponse<'_>,
    requests: &[RequestInfo; N],
) -> [Report; N] {
    let view = View::from_raw(response);
    let read = rules::Read::of(&view);
    requests.each_ref().map(|request| {
        let mut report = Report::new(
            request.method().clone(),
            request.shared_url(),
            Some(response.status),
        );
        rules::run_read(&view, &read, request, &mut report);
        report
    })
}

/// Checks an `http::Response` whose body had `body_len` bytes.
///
/// Field values carry no offsets in the input (there is no input); evidence
/// offsets are `None` except where noted in the finding.
///
/// # Examples
/// ```
/// use http::{Method, Response, StatusCode};
/// use redirspec::server::{check_response, RequestInfo};
/// let request = RequestInfo::new(Method::POST, "https://a.test/form").unwrap();
/// let response = Response::builder()
///     .status(StatusCode::FOUND)
///     .header("location", "/done")
///     .body(())
///     .unwrap();
/// let report = check_response(&response, 0, &request);
/// assert!(report.has("post-redirect-ambiguous"));
/// assert!(!report.breaks_must());
/// ```
pub fn check_response<B>(
    response: &http::Response<B>,
    body_len: u64,
    request: &RequestInfo,
) -> Report {
    check_head(response.status(), response.headers(), body_len, request)
}

/// Checks the head of an `http::Response` whose body had `body_len` bytes.
pub fn check_parts(parts: &http::response::Parts, body_len: u64, request: &RequestInfo) -> Report {
    check_head(parts.status, &parts.headers, body_len, request)
}

fn check_head(
    status: http::StatusCode,
    headers: &http::HeaderMap,
    body_len: u64,
    request: &RequestInfo,
) -> Report {
    let view = View::from_headers(status, headers, body_len);
    let mut report = Report::new(request.method().clone(), request.shared_url(), Some(status));
    rules::run(&view, request, &mut report);
    report
}

/// A parse error as a finding, for reports that must say something about
/// every response: `head-too-large` (SHOULD) for a head past the limits,
/// naming the limit; `malformed-response` (MUST) for anything else.
pub fn parse_error_finding(error: &ParseError) -> Finding {
    match error {
        // RFC 9110 §5.4: "A client MAY discard or truncate received field
        // lines that are larger than the client wishes to process"; no
        // limit is a requirement, but clients have one (Chromium 256 KiB).
        ParseError::HeadTooLarge { limit } => Finding::new(
            Rule::HeadTooLarge,
            format!("the response head is longer than {limit} bytes, the most this checker reads (Chromium stops at 256 KiB): not checked further"),
        ),
        ParseError::TooManyHeaders { limit } => Finding::new(
            Rule::HeadTooLarge,
            format!("the response head has more than {limit} field lines, the most this checker reads: not checked further"),
        ),
        _ => Finding::new(
            Rule::MalformedResponse,
            format!("not an HTTP/1.x response: {error}"),
        ),
    }
}

/// A report for bytes that did not parse: no status, one
/// `malformed-response` finding.
pub fn parse_error_report(error: &ParseError, request: &RequestInfo) -> Report {
    let mut report = Report::new(request.method().clone(), request.shared_url(), None);
    report.push(parse_error_finding(error));
    report
}
