//! The properties every checked response must keep, for fuzz targets and
//! corpus replays: no panic, evidence inside the input, same answer twice.

use std::cell::RefCell;
use std::fmt::Write as _;

use http::Method;

use super::check::check_parsed_each;
use super::finding::Finding;
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
/// "Names every finding": the text of the GET's report (every input has one)
/// holds the id of each of its findings; a finding of the other reports
/// that is not one the GET's report starts with (the Location findings of
/// the response alone usually are) is formatted on its own and its text
/// holds its id. A finding's text depends on the finding alone, so one
/// equal to the GET report's in the same place is not formatted again.
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
            for (k, (report, again)) in reports.iter().zip(&again).enumerate() {
                assert_eq!(again, report, "checking twice differs");
                // The first report's whole text; of the others, the text of
                // each finding after those they share, in the same places,
                // with the first (a finding's text is its own: equal
                // findings have equal texts).
                let shared = match k {
                    0 => {
                        text.clear();
                        write!(text, "{report}")
                            .unwrap_or_else(|e| panic!("a report fails to format: {e}"));
                        0
                    }
                    _ => common_prefix(report.findings(), reports[0].findings()),
                };
                for (i, f) in report.findings().iter().enumerate() {
                    // (`shared` is 0 for the first report.)
                    if i >= shared {
                        if k > 0 {
                            text.clear();
                            write!(text, "{f}")
                                .unwrap_or_else(|e| panic!("a finding fails to format: {e}"));
                        }
                        assert!(text.contains(f.id()), "the report text lacks {}", f.id());
                    }
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

/// How many findings `a` and `b` start with that are equal.
fn common_prefix(a: &[Finding], b: &[Finding]) -> usize {
    a.iter().zip(b).take_while(|(a, b)| a == b).count()
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
