//! `findings/` (the README's Findings section) stays what the reproduction writer writes
//! today: every committed folder's scripts are written again into a scratch folder from the
//! suite's scenario and the client's current repro commands, and compared file by file
//! (ports normalised), with the part of `README.md` that does not depend on the run
//! (scenario, request, responses; the `Client:` line names an installed version and is left
//! out). What the client was observed to do comes from a live run and is not re-checked here.
#![cfg(feature = "live")]

use redirspec::live::matrix::client_by_name;
use redirspec::live::report::without_ports;
use redirspec::live::repro::{readme_head, write_scripts};
use redirspec::live::suite;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const REFRESH: &str = "cargo run --release -- matrix --repro findings";

/// Files a run of `run.sh` leaves behind (git-ignored), and the README compared on its own.
fn compared(name: &str) -> bool {
    !matches!(
        name,
        "server.log" | "Cargo.lock" | "target" | "gocache" | "gopath" | "fetch-go" | "README.md"
    ) && !name.ends_with(".class")
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| compared(n))
                .collect()
        })
        .unwrap_or_default()
}

fn text(path: &Path) -> String {
    without_ports(&String::from_utf8_lossy(
        &std::fs::read(path).unwrap_or_default(),
    ))
}

/// The README's lines before `## Expected`, without the `Client:` line.
fn head(readme: &str) -> Vec<&str> {
    let mut v: Vec<&str> = readme
        .lines()
        .take_while(|l| !l.starts_with("## Expected"))
        .filter(|l| !l.starts_with("Client: "))
        .collect();
    while v.last().is_some_and(|l| l.trim().is_empty()) {
        v.pop();
    }
    v
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn findings_are_what_the_repro_writer_writes_today() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("findings");
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let scenarios = suite::suite();
    let mut problems = Vec::new();
    let mut folders = 0;
    for client_dir in subdirs(&root) {
        let client_name = client_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let client = match client_by_name(&client_name) {
            Ok(c) => c,
            Err(e) => {
                problems.push(format!("{client_name}: {e}"));
                continue;
            }
        };
        for dir in subdirs(&client_dir) {
            folders += 1;
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let at = format!("findings/{client_name}/{name}");
            let Some(scenario) = scenarios.iter().find(|s| s.name == name) else {
                problems.push(format!("{at}: no scenario {name:?} in the suite any more"));
                continue;
            };
            let fresh = scratch.path().join(&client_name).join(&name);
            if let Err(e) = write_scripts(&fresh, client.as_ref(), scenario) {
                problems.push(format!("{at}: cannot write: {e}"));
                continue;
            }
            let (old, new) = (names(&dir), names(&fresh));
            for missing in new.difference(&old) {
                problems.push(format!("{at}/{missing}: written today, not committed"));
            }
            for extra in old.difference(&new) {
                problems.push(format!("{at}/{extra}: committed, no longer written"));
            }
            for file in old.intersection(&new) {
                if text(&dir.join(file)) != text(&fresh.join(file)) {
                    problems.push(format!("{at}/{file}: differs from what is written today"));
                }
            }
            let readme = text(&dir.join("README.md"));
            let today = without_ports(&readme_head(client.as_ref(), scenario));
            if head(&readme) != head(&today) {
                problems.push(format!(
                    "{at}/README.md: scenario, request or responses differ from today's"
                ));
            }
        }
    }
    assert!(folders > 0, "no folder under {}", root.display());
    // The README's Findings table lists exactly the committed folders.
    let readme = std::fs::read_to_string(root.with_file_name("README.md")).expect("README.md");
    let listed: BTreeSet<String> = readme
        .lines()
        .filter_map(|l| l.strip_prefix("| `sh findings/"))
        .filter_map(|l| l.split_once("/run.sh`"))
        .map(|(folder, _)| folder.to_owned())
        .collect();
    let committed: BTreeSet<String> = subdirs(&root)
        .iter()
        .flat_map(|c| subdirs(c))
        .filter_map(|d| d.strip_prefix(&root).ok().map(|p| p.display().to_string()))
        .collect();
    for f in committed.difference(&listed) {
        problems.push(format!("findings/{f}: not in the README's Findings table"));
    }
    for f in listed.difference(&committed) {
        problems.push(format!(
            "README Findings table: findings/{f} does not exist"
        ));
    }
    assert!(
        problems.is_empty(),
        "findings/ is out of date with the reproduction writer ({folders} folders):\n  {}\n\
         Refresh with `{REFRESH}` (and the README's Findings table from its output).",
        problems.join("\n  ")
    );
}
