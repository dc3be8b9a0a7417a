//! Every seed of `corpus/raw_response/` through the server checker: no
//! panic, the checker's properties hold, and the seeds whose point is a
//! finding get it.

#![cfg(feature = "server")]

use std::path::Path;

use http::Method;
use redirspec::server::{check_raw, check_raw_properties, RequestInfo};

fn seeds() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/raw_response");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

#[test]
fn every_seed_keeps_the_properties() {
    let mut parsed = 0;
    for (name, bytes) in seeds() {
        let r = std::panic::catch_unwind(|| check_raw_properties(&bytes));
        match r {
            Ok(Some(_)) => parsed += 1,
            Ok(None) => {}
            Err(_) => panic!("seed {name} broke a property"),
        }
    }
    assert!(parsed > 0);
}

/// Seeds whose name says what is wrong, and the finding they must get
/// (answering a GET to https://a.test/dir/page).
#[test]
fn named_seeds_get_their_finding() {
    let get = RequestInfo::new(Method::GET, "https://a.test/dir/page").unwrap();
    let expect = [
        ("status-302-no-location", "redirect-without-location"),
        ("loc-dup-different", "location-multiple"),
        ("loc-dup-identical", "location-multiple"),
        ("loc-obs-fold-space", "location-control"),
        ("loc-backslash-host", "location-invalid"),
        ("loc-https-empty-host", "location-invalid"),
        ("loc-https-no-authority", "location-invalid"),
        ("loc-http-scheme-only", "location-invalid"),
        ("framing-304-with-body", "not-modified-with-content"),
        ("framing-cl-too-long", "content-length-mismatch"),
        ("framing-cl-too-short", "content-length-mismatch"),
        (
            "framing-cl-and-chunked",
            "content-length-with-transfer-encoding",
        ),
        ("framing-cl-duplicate-different", "content-length-invalid"),
        ("status-305-use-proxy", "use-proxy-sent"),
        ("status-306-unused", "unused-status-sent"),
    ];
    let all = seeds();
    for (name, id) in expect {
        let (_, bytes) = all
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("seed {name} is gone"));
        let report = check_raw(bytes, &get).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(report.has(id), "{name} lacks {id}:\n{report}");
    }
    for name in [
        "status-301-moved-permanently",
        "status-307-temporary-redirect",
    ] {
        let (_, bytes) = all.iter().find(|(n, _)| n == name).unwrap();
        let report = check_raw(bytes, &get).unwrap();
        assert!(!report.breaks_must(), "{name}:\n{report}");
    }
}

mod random {
    use proptest::prelude::*;
    use redirspec::server::check_raw_properties;

    /// A response head built from pieces that matter, with random bytes
    /// mixed in: statuses, Location values, framing and caching fields.
    fn response() -> impl Strategy<Value = Vec<u8>> {
        let status = prop::sample::select(vec![
            &b"HTTP/1.1 301 Moved\r\n"[..],
            b"HTTP/1.1 302 Found\r\n",
            b"HTTP/1.1 303 See Other\r\n",
            b"HTTP/1.1 304 Not Modified\r\n",
            b"HTTP/1.0 307 T\r\n",
            b"HTTP/1.1 308 P\r\n",
            b"HTTP/1.1 300 M\r\n",
            b"HTTP/1.1 200 OK\r\n",
            b"HTTP/1.1 399 X\r\n",
        ]);
        let name = prop::sample::select(vec![
            &b"Location: "[..],
            b"location:",
            b"Content-Length: ",
            b"Transfer-Encoding: ",
            b"Cache-Control: ",
            b"Expires: ",
            b"Date: ",
            b"Set-Cookie: ",
            b"Link: ",
            b" ",
        ]);
        let value_byte = prop_oneof![
            4 => prop::sample::select(b"/\\?#:@.%0123456789 ,=\tabcevil-\x01\x7f\xc3\xa9".to_vec()),
            1 => any::<u8>(),
        ];
        let field = (name, prop::collection::vec(value_byte, 0..24))
            .prop_map(|(n, v)| [n, &v, b"\r\n"].concat());
        (
            status,
            prop::collection::vec(field, 0..6),
            prop::collection::vec(any::<u8>(), 0..16),
            any::<bool>(),
        )
            .prop_map(|(s, fields, body, end)| {
                let mut out = s.to_vec();
                for f in fields {
                    out.extend_from_slice(&f);
                }
                if end {
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(&body);
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 5_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn built_responses_keep_the_properties(bytes in response()) {
            check_raw_properties(&bytes);
        }

        #[test]
        fn any_bytes_keep_the_properties(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            prop_assert_eq!(check_raw_properties(&bytes).is_some(), redirspec::server::parse_response(&bytes).is_ok());
        }
    }
}

/// The hostless-http(s) rule (RFC 9110 §4.2.1, §4.2.2) never flags a
/// relative reference without an authority (it takes the request's host,
/// RFC 3986 §5.2.2) nor an http(s) URI or network-path reference with a
/// host; it flags every http(s) URI and network-path reference whose host
/// is empty.
mod hostless {
    use http::Method;
    use proptest::prelude::*;
    use redirspec::server::{check_raw, RequestInfo};

    const SECTION: &str = "RFC 9110 §4.2.1, §4.2.2";

    /// Whether the hostless-host finding fires for this Location.
    fn flagged(location: &str) -> bool {
        let raw =
            format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n");
        let request = RequestInfo::new(Method::GET, "https://a.test/d/p?q").unwrap();
        let report = check_raw(raw.as_bytes(), &request).unwrap();
        report
            .findings()
            .iter()
            .any(|f| f.id() == "location-invalid" && f.section() == SECTION)
    }

    /// pchar-ish text: unreserved, sub-delims, `:` `@`, escapes.
    fn text() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                8 => prop::sample::select(b"abcXYZ019-._~!$&'()*+,;=:@".to_vec()).prop_map(|b| char::from(b).to_string()),
                1 => Just("%2F".to_owned()),
                1 => Just("/".to_owned()),
            ],
            0..12,
        )
        .prop_map(|v| v.concat())
    }

    fn suffix() -> impl Strategy<Value = String> {
        (text(), prop::option::of(text()), prop::option::of(text())).prop_map(|(p, q, f)| {
            let mut s = p;
            if let Some(q) = q {
                s.push('?');
                s.push_str(&q);
            }
            if let Some(f) = f {
                s.push('#');
                s.push_str(&f);
            }
            s
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// `/…`, `?…`, `#…`, `seg…` (first segment without `:`) and the
        /// empty reference are relative and keep the base's host.
        #[test]
        fn relative_references_without_authority_pass(first in "[a-z0-9._~-]{0,6}", rest in suffix(), kind in 0..4u8) {
            let location = match kind {
                0 => format!("/{first}{rest}"),
                1 => format!("?{first}{rest}"),
                2 => format!("#{first}{rest}"),
                _ => format!("{first}{}", rest.replace(':', "")),
            };
            if location.starts_with("//") { return Ok(()); }
            prop_assert!(!flagged(&location), "{location:?}");
        }

        #[test]
        fn hosts_that_are_there_pass(scheme in prop::sample::select(vec!["http://", "https://", "HTTPS://", "//"]), host in "[a-z0-9]{1,8}(\\.[a-z]{1,5})?", port in prop::option::of(0u16..), rest in suffix()) {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if rest.is_empty() || rest.starts_with(['/', '?', '#']) { rest } else { format!("/{rest}") };
            let location = format!("{scheme}{host}{port}{rest}");
            prop_assert!(!flagged(&location), "{location:?}");
        }

        #[test]
        fn empty_hosts_are_flagged(scheme in prop::sample::select(vec!["http://", "https://", "Http://", "//"]), user in prop::option::of("[a-z]{0,4}"), port in prop::option::of(0u16..), rest in suffix()) {
            let user = user.map(|u| format!("{u}@")).unwrap_or_default();
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if rest.is_empty() || rest.starts_with(['/', '?', '#']) { rest } else { format!("/{rest}") };
            let location = format!("{scheme}{user}{port}{rest}");
            prop_assert!(flagged(&location), "{location:?}");
        }

        #[test]
        fn http_schemes_without_authority_are_flagged(scheme in prop::sample::select(vec!["http:", "https:", "hTTp:"]), rest in suffix()) {
            // Not "//": no authority at all.
            let rest = rest.strip_prefix('/').map_or(rest.clone(), |r| format!("/{}", r.trim_start_matches('/')));
            let location = format!("{scheme}{rest}");
            prop_assert!(flagged(&location), "{location:?}");
        }
    }
}
