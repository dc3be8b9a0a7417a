//! Replays every committed seed through the check function of its fuzz target
//! (one property, one place), and checks the RFC 3986 §5.4 examples of
//! `tests/data/rfc3986_examples.txt` against their seeds.
#![cfg(feature = "fuzz")]

mod common;

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use common::{rfc3986_examples, RFC3986_BASE};
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

/// Every Location check: the strict target's, the Fetch machine's and the
/// differential target's.
fn location_checks(bytes: &[u8]) {
    redirspec::fuzz::location_parse(bytes);
    redirspec::fuzz::location_fetch(bytes);
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
                "location_parse" | "location_long" | "location_fetch" | "location_differential" => {
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

#[test]
fn rfc3986_examples_resolve_as_tabulated() {
    let base = UriBuf::parse_absolute(RFC3986_BASE).expect("the RFC's base");
    let mut out = UriBuf::new();
    let examples = rfc3986_examples();
    for example in &examples {
        let (file, reference, expected) = (example.name, example.reference, example.result);
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
            redirspec::fuzz::resolve(reference.as_bytes(), RFC3986_BASE.as_bytes()).as_deref(),
            Some(expected),
            "{file} through both halves of the resolve check, every setting"
        );
        let (r, b) = (reference.as_bytes(), RFC3986_BASE.as_bytes());
        for setting in 0..8 {
            assert_eq!(
                redirspec::fuzz::resolve_rfc3986(r, b, setting).as_deref(),
                Some(expected),
                "{file} through the resolve target's check, setting {setting}"
            );
            // Every example but the two with a scheme (`g:h`, `http:g`) is
            // in the subset where the url crate is compared.
            assert_eq!(
                redirspec::fuzz::resolve_whatwg(r, b, setting),
                !reference.contains(':'),
                "{file}: the resolve_whatwg target's check against the url crate"
            );
        }
    }
    // Every rfc-* seed is in the table.
    let listed = seeds("location_parse")
        .iter()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .filter(|n| n.starts_with("rfc-"))
        .count();
    assert_eq!(listed, examples.len(), "rfc-* seeds not in the table");
}
