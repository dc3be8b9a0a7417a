//! The parts depend the right way (README "Architecture"): the pure parts
//! (model, memory, check, strategy, server, replay, cases, and the fuzz properties)
//! import no CLI, no live driver, no probing client, open no socket and start
//! no process; the model depends on nothing of ours; each part names only the
//! parts its arrows point to.
//!
//! A plain text scan of `src/<part>/**.rs`: paths of ours are looked for in
//! comments too (a doc link to the CLI from a pure part is an arrow too),
//! sockets and clients in code only. Simple, and it fails when someone adds
//! such an import.

use std::fs;
use std::path::{Path, PathBuf};

/// Our own modules, as `crate::NAME` (and `redirspec::NAME` in doc examples).
const OURS: &[&str] = &[
    "model", "memory", "check", "strategy", "server", "probe", "live", "cli", "fuzz", "replay",
    "cases",
];

/// Each pure part and the parts of ours it may name.
const PARTS: &[(&str, &[&str])] = &[
    ("model", &["model"]),
    ("memory", &["memory", "model"]),
    // `cases`: the `decide` case format (data, not the command line), which
    // the memory check writes its replay line in.
    ("check", &["check", "memory", "model", "replay", "cases"]),
    // Strategies generate the check's inputs (scenarios, requests, memory
    // steps): strategy -> check -> model, no cycle.
    ("strategy", &["strategy", "check", "model"]),
    ("server", &["server", "memory", "model"]),
    ("replay", &["replay"]),
    // The `decide` case format and its JSON-lines runner: data, not the command line.
    ("cases", &["cases", "model", "memory", "replay"]),
    // The properties the fuzz targets check: pure too, a harness of the parts above.
    ("fuzz", &["fuzz", "check", "server", "memory", "model"]),
];

/// What no pure part's code (comments aside) may name: sockets, async
/// runtimes, HTTP clients, processes.
const FORBIDDEN: &[&str] = &[
    "std::net",
    "TcpStream",
    "TcpListener",
    "UdpSocket",
    "tokio",
    "reqwest",
    "ureq",
    "hyper",
    "std::process",
    "Command::new",
];

/// Named exceptions: (file, a part it may name besides its part's). Each
/// must still be needed: one that matches nothing fails the test, so it is
/// removed once its reason is gone.
const EXCEPTIONS: &[(&str, &str)] = &[
    // The deprecated `model::memory` re-export: the one arrow from the model
    // to the cache.
    ("src/model/mod.rs", "memory"),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Whether `line` names `word` as a whole path segment (`crate::cli` but not
/// `crate::client`).
fn names(line: &str, word: &str) -> bool {
    line.match_indices(word).any(|(i, _)| {
        let after = line[i + word.len()..].chars().next();
        let before = line[..i].chars().next_back();
        !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
            && !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

fn files_of(part: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let dir = root.join(part);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    let single = root.join(format!("{part}.rs"));
    if single.is_file() {
        files.push(single);
    }
    assert!(!files.is_empty(), "src/{part}: no Rust files");
    files
}

#[test]
fn pure_parts_name_only_the_parts_their_arrows_point_to() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wrong = Vec::new();
    let mut scanned = 0;
    let mut used = vec![false; EXCEPTIONS.len()];
    for &(part, allowed) in PARTS {
        for file in files_of(part) {
            let rel = file.strip_prefix(manifest).unwrap().display().to_string();
            let text = fs::read_to_string(&file).unwrap();
            scanned += 1;
            for (n, line) in text.lines().enumerate() {
                for other in OURS.iter().filter(|o| !allowed.contains(o)) {
                    for path in [format!("crate::{other}"), format!("redirspec::{other}")] {
                        if !names(line, &path) {
                            continue;
                        }
                        match EXCEPTIONS
                            .iter()
                            .position(|&(f, p)| f == rel && p == *other)
                        {
                            Some(i) => used[i] = true,
                            None => wrong.push(format!("{rel}:{}: {part} names {path}", n + 1)),
                        }
                    }
                }
                // Prose may name a client ("as reqwest does"); code may not.
                let comment = line.trim_start().starts_with("//");
                for word in FORBIDDEN.iter().filter(|_| !comment) {
                    if names(line, word) {
                        wrong.push(format!("{rel}:{}: {part} names {word}", n + 1));
                    }
                }
            }
        }
    }
    assert!(scanned > 40, "only {scanned} files scanned");
    for (&(file, other), used) in EXCEPTIONS.iter().zip(used) {
        assert!(
            used,
            "{file} no longer names {other}: remove its entry from EXCEPTIONS"
        );
    }
    assert!(
        wrong.is_empty(),
        "arrows the wrong way:\n{}",
        wrong.join("\n")
    );
}

/// The scan itself catches what it is for (so an empty result means
/// something).
#[test]
fn the_scan_sees_an_import() {
    assert!(names("use crate::cli::Case;", "crate::cli"));
    assert!(names("    crate::cli::MemoryEvent {", "crate::cli"));
    assert!(!names("use crate::client::Client;", "crate::cli"));
    assert!(names(
        "let s = std::net::TcpStream::connect(a)?;",
        "std::net"
    ));
    assert!(names("use tokio::net::TcpListener;", "tokio"));
    assert!(!names("my_tokio_like", "tokio"));
}
