//! Pinned expectation files: every divergence of an implementation from
//! each profile on the built-in scenarios, one line each. A change on either
//! side (the implementation or the model) changes the list and fails the test;
//! `REDIRSPEC_BLESS=1` rewrites the file.

use redirspec::check::{builtin_scenarios, check_scenario, Divergence, RedirectFollower, Scenario};
use redirspec::Profile;

fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

/// One line per divergence.
pub fn line(profile: Profile, index: usize, d: &Divergence) -> String {
    let det = d.details();
    let r = &det.scenario.request;
    let resp = d
        .response()
        .map(|x| {
            let locs: Vec<String> = x
                .location
                .iter()
                .map(|l| clip(&format!("{:?}", String::from_utf8_lossy(l))))
                .collect();
            format!("{} [{}]", x.status.as_u16(), locs.join(", "))
        })
        .unwrap_or_default();
    let fields: Vec<String> = det
        .fields
        .iter()
        .map(|f| {
            format!(
                "{}: {} => {}",
                f.field,
                clip(&f.expected),
                clip(&f.observed)
            )
        })
        .collect();
    format!(
        "{profile} #{index} {} {} body={} | response {} {resp} | {}",
        r.method,
        clip(&r.url),
        r.body.to_cli(),
        det.step + 1,
        fields.join("; ")
    )
}

/// Every divergence on the built-in scenarios `usable` keeps, per profile.
pub fn divergences<F: RedirectFollower>(
    mut make: impl FnMut() -> F,
    usable: impl Fn(&Scenario) -> bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for profile in Profile::ALL {
        for (i, s) in builtin_scenarios().iter().enumerate() {
            if !usable(s) {
                continue;
            }
            if let Err(d) = check_scenario(&mut make(), s, profile) {
                out.push(line(profile, i, &d));
            }
        }
    }
    out
}

/// Compares with the pinned file (or rewrites it with `REDIRSPEC_BLESS=1`).
pub fn assert_pinned(file: &str, lines: &[String]) {
    let path = format!(
        "{}/tests/data/divergences/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let got = format!("{}\n", lines.join("\n"));
    if std::env::var_os("REDIRSPEC_BLESS").is_some() {
        std::fs::write(&path, &got).expect("write the pinned file");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    if want != got {
        let want: Vec<&str> = want.lines().collect();
        let gone: Vec<&&str> = want
            .iter()
            .filter(|l| !lines.iter().any(|x| x == **l))
            .collect();
        let new: Vec<&String> = lines
            .iter()
            .filter(|l| !want.contains(&l.as_str()))
            .collect();
        panic!(
            "{file}: the divergences changed (REDIRSPEC_BLESS=1 to accept)\n\
             no longer diverging ({}):\n  {}\nnewly diverging ({}):\n  {}",
            gone.len(),
            gone.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("\n  "),
            new.len(),
            new.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("\n  "),
        );
    }
}

/// The coarse class of a divergence: profile, what the model did, what the
/// implementation did, and which fields differ.
pub fn class(profile: Profile, d: &Divergence) -> String {
    let fields = &d.details().fields;
    match fields.iter().find(|f| f.field == "action") {
        Some(a) => {
            let kind = |s: &str| {
                let head = s.split(':').next().unwrap_or(s);
                head.split(" (").next().unwrap_or(head).to_owned()
                    + &s.find('(').map_or(String::new(), |i| {
                        let rest = &s[i + 1..];
                        format!(" {}", rest.split([':', ')']).next().unwrap_or(""))
                    })
            };
            let observed = a.observed.split([' ', ':']).next().unwrap_or("");
            format!(
                "{profile}: model {} / implementation {observed}",
                kind(&a.expected)
            )
        }
        None => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            format!("{profile}: both follow; differ in {}", names.join(", "))
        }
    }
}

/// The sorted, distinct classes of divergence over `cases` deterministic
/// random scenarios (`strategy::scenario_with`, Locations `http` can hold).
#[cfg(feature = "proptest")]
pub fn random_classes<F: RedirectFollower>(
    mut make: impl FnMut() -> F,
    cases: usize,
) -> Vec<String> {
    use proptest::strategy::{Strategy, ValueTree};
    let strategy = redirspec::strategy::scenario_with(redirspec::strategy::Chains {
        representable: true,
        ..Default::default()
    });
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut out = std::collections::BTreeSet::new();
    for _ in 0..cases {
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let s = tree.current();
        for profile in Profile::ALL {
            if let Err(d) = check_scenario(&mut make(), &s, profile) {
                out.insert(class(profile, &d));
            }
        }
    }
    out.into_iter().collect()
}
