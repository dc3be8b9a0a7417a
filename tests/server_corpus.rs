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
