//! Every disagreement between the model and the reference implementations is triaged in
//! tests/data/triage.txt, and every triage line still describes what the pinned results show.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TRIAGE: &str = include_str!("data/triage.txt");

/// `name key` lines of a pinned verdicts file, as a map.
fn pinned(file: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/live_expectations")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with("profile "))
        .filter_map(|l| {
            let l = l.split("  #").next().unwrap_or(l);
            let (n, k) = l.split_once(' ')?;
            Some((n.to_owned(), k.trim().to_owned()))
        })
        .collect()
}

/// The WPT cases listed as expected failures, as `file / test name`.
fn wpt_failures() -> BTreeSet<String> {
    include_str!("data/wpt/expected-failures.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut p = l.splitn(3, " | ");
            Some(format!("{} / {}", p.next()?, p.next()?))
        })
        .collect()
}

#[test]
fn every_disagreement_is_triaged_and_every_triage_line_holds() {
    let files = [
        ("chromium", "browser-chromium.txt"),
        ("firefox-esr", "browser-firefox-esr.txt"),
        ("go-nethttp", "go-nethttp.txt"),
        ("node-fetch", "node-fetch.txt"),
    ];
    let results: BTreeMap<&str, BTreeMap<String, String>> = files
        .iter()
        .map(|(name, file)| (*name, pinned(file)))
        .collect();
    let wpt = wpt_failures();
    let mut triaged = BTreeSet::new();
    let mut problems = Vec::new();
    for line in TRIAGE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<&str> = line.split(" | ").collect();
        assert_eq!(f.len(), 6, "six fields: {line}");
        let [who, case, key, decision, rule, source] = f[..] else {
            unreachable!()
        };
        assert!(
            !rule.trim().is_empty() && !source.trim().is_empty(),
            "{line}"
        );
        assert!(triaged.insert((who, case)), "{who} {case} triaged twice");
        let now = if who == "wpt" {
            wpt.contains(case).then(|| "fails".to_owned())
        } else {
            results
                .get(who)
                .unwrap_or_else(|| panic!("unknown implementation {who}"))
                .get(case)
                .cloned()
        };
        match (decision, now.as_deref()) {
            ("deviation", Some(k)) if k == key && k != "conforms" => {}
            ("model-fix", Some("conforms")) if key == "conforms" => {}
            _ => problems.push(format!(
                "{who} {case}: triaged as {decision} {key}, pinned result now {now:?}"
            )),
        }
    }
    for (who, rows) in &results {
        // node-fetch's other divergences belong to the live matrix's own notes.
        if *who == "node-fetch" {
            continue;
        }
        for (case, key) in rows {
            if key != "conforms" && key != "n/a" && !triaged.contains(&(*who, case.as_str())) {
                problems.push(format!(
                    "{who} {case} {key}: not triaged in tests/data/triage.txt"
                ));
            }
        }
    }
    for case in &wpt {
        if !triaged.contains(&("wpt", case.as_str())) {
            problems.push(format!("wpt {case}: not triaged"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
