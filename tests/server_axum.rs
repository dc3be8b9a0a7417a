//! The example's axum app, checked in process through `check_service`.

#![cfg(feature = "tower")]

#[path = "../examples/axum_redirects.rs"]
#[allow(dead_code)]
mod example;

use redirspec::server::{probe_url_encoded, Encoding, Report, Summary};

fn find<'r>(reports: &'r [Report], method: &str, url: &str) -> &'r Report {
    reports
        .iter()
        .find(|r| r.method().as_str() == method && r.url() == Some(url))
        .unwrap_or_else(|| panic!("no report for {method} {url}"))
}

#[tokio::test]
async fn axum_redirect_helpers_and_their_mistakes() {
    let reports = example::run().await;
    // Redirect::permanent -> 308, temporary -> 307, to -> 303: all clean.
    for (path, code) in [("/old", 308), ("/maintenance", 307), ("/submitted", 303)] {
        for method in ["GET", "HEAD"] {
            let r = find(&reports, method, &format!("http://app.test{path}"));
            assert_eq!(r.status().map(|s| s.as_u16()), Some(code), "{r}");
            assert!(r.is_clean(), "{r}");
        }
    }
    // A HEAD answer has no content: axum strips the body.
    assert!(reports.iter().all(|r| !r.has("head-with-content")));
    let form = find(&reports, "POST", "http://app.test/form");
    assert!(
        form.has("post-redirect-ambiguous") && !form.breaks_must(),
        "{form}"
    );
    let lp = find(&reports, "GET", "http://app.test/loop");
    assert!(lp.has("location-self-loop"), "{lp}");
}

#[tokio::test]
async fn the_probe_tells_the_three_logins_apart() {
    let reports = example::run().await;
    let values = redirspec::server::attack_values("app.test");
    // Open redirects among the probes of one encoding.
    let open_in = |path: &str, encoding: Encoding| {
        let base = url::Url::parse(&format!("http://app.test{path}")).unwrap();
        values
            .iter()
            .filter(|(_, v)| {
                let url = probe_url_encoded(&base, "next", v, encoding);
                reports
                    .iter()
                    .any(|r| r.url() == Some(url.as_str()) && r.has("open-redirect"))
            })
            .count()
    };
    let open = |path: &str| open_in(path, Encoding::Full);
    let attacks = values.len();
    // axum's Query decodes once: the minimally encoded values arrive as
    // written too, the double-encoded ones as harmless escapes.
    assert_eq!(open_in("/login", Encoding::Minimal), attacks - 1);
    assert_eq!(open_in("/login", Encoding::Double), 0);
    // The naive login sends every attack value back; all but one leave the
    // origin: `http:evil.test` against an http URL is the relative
    // reference `evil.test` (URL Standard, special relative state).
    assert_eq!(open("/login"), attacks - 1);
    let same_scheme = find(
        &reports,
        "GET",
        "http://app.test/login?next=http%3Aevil.test",
    );
    assert!(!same_scheme.has("open-redirect"), "{same_scheme}");
    let https = find(
        &reports,
        "GET",
        "http://app.test/login?next=https%3Aevil.test",
    );
    assert!(https.has("open-redirect"), "{https}");
    // `///evil.test` is `http://evil.test/` in browsers.
    let triple = find(
        &reports,
        "GET",
        "http://app.test/login?next=%2F%2F%2Fevil.test",
    );
    assert!(triple.has("open-redirect"), "{triple}");
    // The "starts with / but not //" check stops most, not `/\` or `/<tab>/`.
    assert_eq!(open("/login-checked"), 2);
    let backslash = find(
        &reports,
        "GET",
        "http://app.test/login-checked?next=%2F%5Cevil.test",
    );
    assert!(
        backslash.has("open-redirect") && backslash.has("location-invalid"),
        "{backslash}"
    );
    // The allow-list login is safe.
    assert_eq!(open("/login-safe"), 0);
    let s = Summary::of(&reports);
    assert_eq!(s.responses, reports.len());
    assert!(s.must >= attacks + 2);
}
