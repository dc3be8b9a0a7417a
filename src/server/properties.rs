//! The properties every checked response must keep, for fuzz targets and
//! corpus replays: no panic, evidence inside the input, same answer twice.

use http::Method;

use super::check::check_raw;
use super::request::RequestInfo;

/// Checks `raw` as the answer to a GET, a HEAD, a POST (https) and an
/// open-redirect probe (http), and asserts the checker's properties:
/// evidence offsets lie inside `raw`, a report's text names every finding,
/// and checking twice gives the same report. Returns the number of findings
/// over the four requests, or `None` when `raw` did not parse.
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
    let requests = [
        RequestInfo::new(Method::GET, "https://a.test/dir/page?x=1"),
        RequestInfo::new(Method::HEAD, "https://a.test/dir/page?x=1"),
        RequestInfo::new(Method::POST, "https://a.test/form"),
        RequestInfo::new(
            Method::GET,
            "http://127.0.0.1:8080/login?next=%2F%2Fevil.test",
        )
        .map(|r| r.with_probe("next", "//evil.test").judging_query()),
    ];
    let mut total = None;
    for request in requests {
        let Ok(request) = request else {
            panic!("a fixed request URL is refused");
        };
        let Ok(report) = check_raw(raw, &request) else {
            return None;
        };
        let again = check_raw(raw, &request);
        assert_eq!(again.as_ref(), Ok(&report), "checking twice differs");
        let text = report.to_string();
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
}
