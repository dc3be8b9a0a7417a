//! The properties every checked response must keep, for fuzz targets and
//! corpus replays: no panic, evidence inside the input, same answer twice.

use std::cell::RefCell;
use std::fmt::Write as _;

use http::Method;

use super::check::check_parsed_each;
use super::parse::parse_response;
use super::request::RequestInfo;

/// Checks `raw` as the answer to a GET, a HEAD, a POST (https) and an
/// open-redirect probe (http), and asserts the checker's properties:
/// evidence offsets lie inside `raw`, a report's text names every finding,
/// and checking twice gives the same report. Returns the number of findings
/// over the four requests, or `None` when `raw` did not parse.
///
/// "Twice" is [`check_raw`](super::check_raw) twice per request, with the
/// work that does not read the request done once per side for the four
/// requests: `raw` is parsed twice, the two parses must be equal, the rules
/// that read the response alone run once on each parse, and each request's
/// report from the first side must equal its report from the second.
///
/// # Panics
/// When a property does not hold: that is a bug in the checker.
///
/// # Examples
/// ```
/// let n = redirspec::server::check_raw_properties(b"HTTP/1.1 302 Found\r\n\r\n");
/// // redirect-without-location four times, post-redirect-ambiguous once
/// assert_eq!(n, Some(5));
/// assert_eq!(redirspec::server::check_raw_properties(b"HTTP/1.1 30"), None);
/// ```
pub fn check_raw_properties(raw: &[u8]) -> Option<usize> {
    REQUESTS.with(|requests| {
        TEXT.with_borrow_mut(|text| {
            let parsed = parse_response(raw).ok()?;
            let reparsed = parse_response(raw);
            assert_eq!(reparsed.as_ref(), Ok(&parsed), "parsing twice differs");
            let reparsed = reparsed.ok()?;
            let reports = check_parsed_each(&parsed, requests);
            let again = check_parsed_each(&reparsed, requests);
            let mut total = None;
            for (report, again) in reports.iter().zip(&again) {
                assert_eq!(again, report, "checking twice differs");
                text.clear();
                write!(text, "{report}")
                    .unwrap_or_else(|e| panic!("a report fails to format: {e}"));
                for f in report.findings() {
                    assert!(text.contains(f.id()), "the report text lacks {}", f.id());
                    if let Some(e) = f.evidence() {
                        if let Some(o) = e.offset {
                            assert!(
                                o < raw.len().max(1),
                                "{} offset {o} is outside the input",
                                f.id()
                            );
                        }
                        assert!(e.bytes.len() <= super::Evidence::MAX_BYTES);
                    }
                }
                assert_eq!(
                    report.breaks_must(),
                    report
                        .findings()
                        .iter()
                        .any(|f| f.level() == super::Level::Must)
                );
                *total.get_or_insert(0) += report.findings().len();
            }
            total
        })
    })
}

/// The four requests of [`check_raw_properties`].
fn requests() -> [RequestInfo; 4] {
    let fixed = |r: Result<RequestInfo, _>| match r {
        Ok(r) => r,
        Err(e) => panic!("a fixed request URL is refused: {e}"),
    };
    [
        fixed(RequestInfo::new(Method::GET, "https://a.test/dir/page?x=1")),
        fixed(RequestInfo::new(
            Method::HEAD,
            "https://a.test/dir/page?x=1",
        )),
        fixed(RequestInfo::new(Method::POST, "https://a.test/form")),
        fixed(
            RequestInfo::new(
                Method::GET,
                "http://127.0.0.1:8080/login?next=%2F%2Fevil.test",
            )
            .map(|r| r.with_probe("next", "//evil.test").judging_query()),
        ),
    ]
}

thread_local! {
    /// [`requests`], built once per thread: the fuzz targets call
    /// [`check_raw_properties`] for every input.
    static REQUESTS: [RequestInfo; 4] = requests();
    /// The buffer each report is written into, kept between calls.
    static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}
