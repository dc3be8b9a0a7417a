//! The public API used the supported way: a custom policy from a profile and its setters, and
//! errors that name their cause once (in the message, or as `source()`, never both: a chain
//! printer such as anyhow's `{:#}` would show it twice).

use std::error::Error;

use redirspec::http::{HeaderMap, Method, StatusCode};
use redirspec::model::{Boundary, Downgrade, MultipleLocations};
use redirspec::{Body, Profile, RedirectMachine, Refusal, Step};

/// The cause appears once: either the error has no source, or its message does not repeat it.
fn names_its_cause_once(e: &dyn Error) {
    if let Some(source) = e.source() {
        let (shown, cause) = (e.to_string(), source.to_string());
        assert!(
            !shown.contains(&cause),
            "{shown:?} repeats its source {cause:?}"
        );
    }
}

#[test]
fn a_custom_policy_is_built_from_a_profile_with_setters() {
    let policy = Profile::Fetch
        .policy()
        .with_max_redirects(1)
        .with_downgrade(Downgrade::Refuse)
        .with_boundary(Boundary::Host)
        .with_multiple_locations(MultipleLocations::FirstIfIdentical)
        .with_allowed_schemes(["HTTP", "https"]);
    assert_eq!(policy.max_redirects, 1);
    assert_eq!(policy.allowed_schemes.as_ref(), ["http", "https"]);
    let mut m = RedirectMachine::new(
        Method::GET,
        "https://a.test/x",
        HeaderMap::new(),
        Body::None,
        policy,
    )
    .expect("a start URL");
    // Identical Location lines are one Location under this policy.
    assert!(matches!(
        m.step_raw(StatusCode::FOUND, &[b"/y", b"/y"]),
        Step::Follow(_)
    ));
    // The limit of one redirect is reached.
    assert!(matches!(
        m.step_raw(StatusCode::FOUND, &[b"/z"]),
        Step::Refuse(Refusal::TooManyRedirects { .. })
    ));
}

#[test]
fn model_errors_name_their_cause_once() {
    let start = RedirectMachine::new(
        Method::GET,
        "not a url",
        HeaderMap::new(),
        Body::None,
        Profile::Rfc9110.policy(),
    )
    .expect_err("a relative start URL");
    names_its_cause_once(&start);
    let mut m = RedirectMachine::new(
        Method::GET,
        "https://a.test/",
        HeaderMap::new(),
        Body::None,
        Profile::Rfc9110.policy(),
    )
    .unwrap();
    match m.step_raw(StatusCode::FOUND, &[b"/a b"]) {
        Step::Refuse(r @ Refusal::InvalidLocation(_)) => names_its_cause_once(&r),
        other => panic!("{other:?}"),
    }
}

#[cfg(feature = "server")]
#[test]
fn checker_errors_name_their_cause_once() {
    let e = redirspec::server::RequestInfo::new(Method::GET, "/relative").expect_err("relative");
    names_its_cause_once(&e);
}

// The command line's `CheckError` is checked the same way in cli/src/check.rs.

#[test]
fn a_request_header_that_http_cannot_hold_is_an_error() {
    use redirspec::check::{InvalidHeader, Request};
    let start = || Request::new(Method::GET, "https://a.test/");
    let r = start()
        .header("authorization", "Bearer t")
        .and_then(|r| r.header("Cookie", "a=1"))
        .expect("two valid fields");
    assert_eq!(r.headers.len(), 2);
    assert_eq!(r.headers["cookie"], "a=1");
    for name in ["", "a b", "a:b", "caf\u{e9}", "x\r\ny"] {
        assert_eq!(
            start().header(name, "v").unwrap_err(),
            InvalidHeader::Name(name.to_owned()),
            "{name:?}"
        );
    }
    for value in ["a\r\nInjected: 1", "a\nb", "a\0b", "\u{7f}"] {
        let e = start().header("x-test", value).unwrap_err();
        assert_eq!(
            e,
            InvalidHeader::Value {
                name: "x-test".to_owned()
            }
        );
        // The value may be a credential: the message names the field, not the value.
        assert!(!e.to_string().contains(value), "{e}");
        names_its_cause_once(&e);
    }
}
