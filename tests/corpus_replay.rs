//! Replays every committed seed through the check function of its fuzz target
//! (one property, one place), and checks the RFC 3986 §5.4 examples that
//! `corpus/README.md` tabulates.
#![cfg(feature = "fuzz")]

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use redirspec::model::{parse_location, resolve, UriBuf, DEFAULT_MAX_LOCATION_LEN};

fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `check` on every seed of `target`; fails naming every seed that broke.
fn replay(target: &str, check: impl Fn(&[u8])) -> usize {
    let files = seeds(target);
    assert!(!files.is_empty(), "no seeds in corpus/{target}");
    let failed: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let bytes = fs::read(path).expect("a readable seed");
            catch_unwind(AssertUnwindSafe(|| check(&bytes)))
                .err()
                .map(|_| path.display().to_string())
        })
        .collect();
    assert!(failed.is_empty(), "seeds that break {target}: {failed:#?}");
    files.len()
}

/// Both Location checks: the fast target's and the differential target's.
fn location_checks(bytes: &[u8]) {
    redirspec::fuzz::location_parse(bytes);
    redirspec::fuzz::location_differential(bytes);
}

#[test]
fn every_location_parse_seed_passes_its_checks() {
    replay("location_parse", location_checks);
}

/// The values longer than the `location_parse` target's `max_len`, whole.
#[test]
fn every_location_long_seed_passes_its_checks() {
    replay("location_long", location_checks);
}

#[test]
fn every_raw_response_seed_passes_its_checks() {
    replay("raw_response", |b| {
        redirspec::fuzz::raw_response(b);
    });
}

#[test]
fn regression_inputs_pass_their_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let Ok(targets) = fs::read_dir(&dir) else {
        return;
    };
    for target in targets.flatten().filter(|e| e.path().is_dir()) {
        let name = target.file_name().to_string_lossy().into_owned();
        for file in fs::read_dir(target.path())
            .expect("a regression dir")
            .flatten()
        {
            let bytes = fs::read(file.path()).expect("a readable regression input");
            match name.as_str() {
                "location_parse" | "location_long" | "location_differential" => {
                    location_checks(&bytes);
                }
                "raw_response" => {
                    redirspec::fuzz::raw_response(&bytes);
                }
                other => panic!("tests/regressions/{other}: no raw-byte target of that name"),
            }
        }
    }
}

/// The raw-response seeds do reach the model: most have a status line and a
/// Location that `httparse` reads (a weak guard against a replay that skips
/// everything).
#[test]
fn raw_response_seeds_reach_the_model() {
    let files = seeds("raw_response");
    let stepped = files
        .iter()
        .filter(|p| redirspec::fuzz::raw_response(&fs::read(p).expect("a seed")).is_some())
        .count();
    assert!(
        stepped * 2 > files.len(),
        "only {stepped} of {} seeds reach the model",
        files.len()
    );
}

/// The table "RFC 3986 §5.4 examples" of corpus/README.md: file, reference,
/// result against `http://a/b/c/d;p?q` (strict mode).
const RFC3986_EXAMPLES: &[(&str, &str, &str)] = &[
    // §5.4.1 Normal Examples
    ("rfc-normal-g-colon-h", "g:h", "g:h"),
    ("rfc-normal-g", "g", "http://a/b/c/g"),
    ("rfc-normal-dot-slash-g", "./g", "http://a/b/c/g"),
    ("rfc-normal-g-slash", "g/", "http://a/b/c/g/"),
    ("rfc-normal-slash-g", "/g", "http://a/g"),
    ("rfc-normal-slashslash-g", "//g", "http://g"),
    ("rfc-normal-query-y", "?y", "http://a/b/c/d;p?y"),
    ("rfc-normal-g-query-y", "g?y", "http://a/b/c/g?y"),
    ("rfc-normal-frag-s", "#s", "http://a/b/c/d;p?q#s"),
    ("rfc-normal-g-frag-s", "g#s", "http://a/b/c/g#s"),
    ("rfc-normal-g-query-y-frag-s", "g?y#s", "http://a/b/c/g?y#s"),
    ("rfc-normal-semi-x", ";x", "http://a/b/c/;x"),
    ("rfc-normal-g-semi-x", "g;x", "http://a/b/c/g;x"),
    (
        "rfc-normal-g-semi-x-query-y-frag-s",
        "g;x?y#s",
        "http://a/b/c/g;x?y#s",
    ),
    ("rfc-normal-empty", "", "http://a/b/c/d;p?q"),
    ("rfc-normal-dot", ".", "http://a/b/c/"),
    ("rfc-normal-dot-slash", "./", "http://a/b/c/"),
    ("rfc-normal-dotdot", "..", "http://a/b/"),
    ("rfc-normal-dotdot-slash", "../", "http://a/b/"),
    ("rfc-normal-dotdot-g", "../g", "http://a/b/g"),
    ("rfc-normal-dotdot-dotdot", "../..", "http://a/"),
    ("rfc-normal-dotdot-dotdot-slash", "../../", "http://a/"),
    ("rfc-normal-dotdot-dotdot-g", "../../g", "http://a/g"),
    // §5.4.2 Abnormal Examples
    ("rfc-abnormal-dotdot-x3-g", "../../../g", "http://a/g"),
    ("rfc-abnormal-dotdot-x4-g", "../../../../g", "http://a/g"),
    ("rfc-abnormal-slash-dot-g", "/./g", "http://a/g"),
    ("rfc-abnormal-slash-dotdot-g", "/../g", "http://a/g"),
    ("rfc-abnormal-g-dot", "g.", "http://a/b/c/g."),
    ("rfc-abnormal-dot-g-prefix", ".g", "http://a/b/c/.g"),
    ("rfc-abnormal-g-dotdot", "g..", "http://a/b/c/g.."),
    ("rfc-abnormal-dotdot-g-prefix", "..g", "http://a/b/c/..g"),
    ("rfc-abnormal-dot-dotdot-g", "./../g", "http://a/b/g"),
    ("rfc-abnormal-dot-g-dot", "./g/.", "http://a/b/c/g/"),
    ("rfc-abnormal-g-dot-h", "g/./h", "http://a/b/c/g/h"),
    ("rfc-abnormal-g-dotdot-h", "g/../h", "http://a/b/c/h"),
    (
        "rfc-abnormal-g-semi-x1-dot-y",
        "g;x=1/./y",
        "http://a/b/c/g;x=1/y",
    ),
    (
        "rfc-abnormal-g-semi-x1-dotdot-y",
        "g;x=1/../y",
        "http://a/b/c/y",
    ),
    (
        "rfc-abnormal-g-query-dot-x",
        "g?y/./x",
        "http://a/b/c/g?y/./x",
    ),
    (
        "rfc-abnormal-g-query-dotdot-x",
        "g?y/../x",
        "http://a/b/c/g?y/../x",
    ),
    (
        "rfc-abnormal-g-frag-dot-x",
        "g#s/./x",
        "http://a/b/c/g#s/./x",
    ),
    (
        "rfc-abnormal-g-frag-dotdot-x",
        "g#s/../x",
        "http://a/b/c/g#s/../x",
    ),
    // strict: "http:g" keeps its scheme (RFC 3986 §5.4.2, "for strict parsers")
    ("rfc-abnormal-http-colon-g", "http:g", "http:g"),
];

#[test]
fn rfc3986_examples_resolve_as_tabulated() {
    let base = UriBuf::parse_absolute("http://a/b/c/d;p?q").expect("the RFC's base");
    let mut out = UriBuf::new();
    for &(file, reference, expected) in RFC3986_EXAMPLES {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus/location_parse")
            .join(file);
        let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            bytes,
            reference.as_bytes(),
            "{file} holds another reference"
        );
        let r = parse_location(&bytes, DEFAULT_MAX_LOCATION_LEN)
            .unwrap_or_else(|e| panic!("{file}: {reference:?} refused: {e}"));
        resolve(&base, &r, &mut out);
        assert_eq!(out.as_str(), expected, "{file}: {reference:?}");
        assert_eq!(
            redirspec::fuzz::resolve(reference.as_bytes(), b"http://a/b/c/d;p?q").as_deref(),
            Some(expected),
            "{file} through the resolve target's check"
        );
    }
    // Every rfc-* seed is in the table.
    let listed = seeds("location_parse")
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .filter(|n| n.starts_with("rfc-"))
        .count();
    assert_eq!(
        listed,
        RFC3986_EXAMPLES.len(),
        "rfc-* seeds not in the table"
    );
}
