//! Browsers as clients of the fixed suite (src/live/browser.rs): headless Chromium and Firefox
//! ESR, one process each, every scenario run with `fetch()` from a page and judged under the
//! Fetch profile's browser reading. The verdicts are pinned in
//! tests/live_expectations/browser-<name>.txt (REDIRSPEC_BLESS=1 rewrites them); a browser
//! that is not installed is skipped with a note (and fails the test under `CI=true`, since
//! .ci/run installs it).
#![cfg(feature = "live")]

use redirspec::live::browser::{run_browser, BrowserKind, BrowserResult};
// `127.0.0.1:12345` -> `127.0.0.1:PORT`: the reports' own normaliser.
use redirspec::live::report::without_ports;
use redirspec::live::suite::suite;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

fn path(kind: BrowserKind) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/live_expectations")
        .join(format!("browser-{}.txt", kind.name()))
}

fn check(kind: BrowserKind) {
    if let Err(note) = kind.check_available() {
        // .ci/run installs both browsers: under CI they must be there.
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but {}: {note} (.ci/install-browsers-go.sh installs it)",
            kind.name()
        );
        eprintln!("skipping {}: {note}", kind.name());
        return;
    }
    let rows = run_browser(kind, &suite(), Duration::from_secs(10));
    let observed: BTreeMap<String, String> =
        rows.iter().map(|(n, r)| (n.clone(), r.key())).collect();
    let file = path(kind);
    let pinned: Option<BTreeMap<String, String>> = std::fs::read_to_string(&file).ok().map(|t| {
        t.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let l = l.split("  #").next().unwrap_or(l);
                let (n, k) = l.split_once(' ')?;
                Some((n.to_owned(), k.trim().to_owned()))
            })
            .collect()
    });
    if std::env::var_os("REDIRSPEC_BLESS").is_some() || pinned.is_none() {
        let mut text = format!(
            "# Pinned verdicts of {} ({}) running the fixed suite with fetch() from a page,\n\
             # under the Fetch profile's browser reading, without Cookie (a forbidden header).\n\
             # `n/a`: a page cannot express the scenario (reason after #).\n\
             # Regenerate with REDIRSPEC_BLESS=1 cargo test --all-features --test live_browsers\n",
            kind.name(),
            kind.version().unwrap_or_default()
        );
        for (name, r) in &rows {
            let detail = match r {
                BrowserResult::Judged(rep) => rep
                    .verdict("fetch")
                    .and_then(|v| match &v.verdict {
                        redirspec::live::Verdict::Diverges(d) => Some(format!(
                            "  # expected {} | observed {}",
                            d.expected, d.observed
                        )),
                        redirspec::live::Verdict::Conforms => None,
                    })
                    .or_else(|| rep.harness_error.as_ref().map(|e| format!("  # {e}")))
                    .unwrap_or_default(),
                BrowserResult::NotApplicable(why) => format!("  # {why}"),
                BrowserResult::Skipped(why) => format!("  # {why}"),
                _ => String::new(),
            };
            text.push_str(&without_ports(&format!("{name} {}{detail}\n", r.key())));
        }
        std::fs::write(&file, text).expect("write the pinned verdicts");
        return;
    }
    let pinned = pinned.unwrap_or_default();
    let mut changes = Vec::new();
    for (name, key) in &observed {
        match pinned.get(name) {
            Some(want) if want == key => {}
            Some(want) => changes.push(format!("{name}: pinned {want}, now {key}")),
            None => changes.push(format!("{name}: not pinned, now {key}")),
        }
    }
    for name in pinned.keys().filter(|n| !observed.contains_key(*n)) {
        changes.push(format!("{name}: pinned but no longer in the suite"));
    }
    assert!(
        changes.is_empty(),
        "{} differs from {}:\n{}",
        kind.name(),
        file.display(),
        changes.join("\n")
    );
}

#[test]
fn chromium_matches_pinned_verdicts() {
    check(BrowserKind::Chromium);
}

#[test]
fn firefox_matches_pinned_verdicts() {
    check(BrowserKind::Firefox);
}
