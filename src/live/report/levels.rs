//! The parts of every report that grade: level counts per client, the aspects a divergence
//! touches, a client's worst findings, and the one-line form of a divergence (with ports
//! normalised, so that two runs diff cleanly).

use super::super::compare::{Divergence, Verdict};
use super::super::matrix::{ClientReport, ScenarioReport};
use crate::check::Level;

/// The aspects a divergence can touch, in column order, with the fields that belong to each.
pub(super) const ASPECTS: &[(&str, &[&str])] = &[
    ("method+body", &["method", "body", "content-type"]),
    ("url", &["url"]),
    (
        "credentials",
        &["authorization", "cookie", "proxy-authorization"],
    ),
    ("end of chain", &["request", "outcome", "status"]),
    ("liveness", &["timeout", "flood", "garbage"]),
];

/// The fields of a divergence: the first one and the others of the same request.
fn fields(d: &Divergence) -> impl Iterator<Item = (&str, Level, bool)> {
    std::iter::once((d.field.as_str(), d.rule.level, d.rule.security)).chain(
        d.also
            .iter()
            .map(|f| (f.field.as_str(), f.rule.level, f.rule.security)),
    )
}

/// For `aspect`: scenarios with a MUST/SHOULD/security departure in it, and scenarios with
/// only a MAY choice in it.
pub(super) fn aspect_counts(c: &ClientReport, aspect: &[&str]) -> (usize, usize) {
    let profile = c.profile.as_deref().unwrap_or("");
    let (mut fail, mut may) = (0, 0);
    for s in &c.scenarios {
        let Some(d) = s.verdict(profile).and_then(|v| v.verdict.divergence()) else {
            continue;
        };
        let touched: Vec<(Level, bool)> = fields(d)
            .filter(|(f, _, _)| aspect.contains(f))
            .map(|(_, l, sec)| (l, sec))
            .collect();
        if touched.iter().any(|(l, sec)| *sec || *l != Level::May) {
            fail += 1;
        } else if !touched.is_empty() {
            may += 1;
        }
    }
    (fail, may)
}

/// An aspect cell: `0`, `2`, `2 +1 may`, `+3 may`.
pub(super) fn aspect_cell(c: &ClientReport, aspect: &[&str]) -> String {
    match aspect_counts(c, aspect) {
        (f, 0) => f.to_string(),
        (0, m) => format!("+{m} may"),
        (f, m) => format!("{f} +{m} may"),
    }
}

/// Seriousness for sorting: security first, then MUST, SHOULD, MAY.
fn rank(d: &Divergence) -> (bool, Level) {
    (!d.security(), d.level())
}

/// A client's divergences under its profile, worst first (stable within a rank).
pub(super) fn findings(c: &ClientReport) -> Vec<(&ScenarioReport, &Divergence)> {
    let profile = c.profile.as_deref().unwrap_or("");
    let mut v: Vec<(&ScenarioReport, &Divergence)> = c
        .scenarios
        .iter()
        .filter_map(|s| {
            s.verdict(profile)
                .and_then(|v| v.verdict.divergence())
                .map(|d| (s, d))
        })
        .collect();
    v.sort_by_key(|(_, d)| rank(d));
    v
}

/// `[MUST security] authorization@2: expected not sent | observed sent — RFC 9110 §15.4 …`.
pub(super) fn divergence_text(d: &Divergence) -> String {
    let mut s = format!(
        "[{}] {}: expected {} | observed {}",
        d.grade(),
        d.key(),
        d.expected,
        d.observed
    );
    for f in &d.also {
        s.push_str(&format!(
            "; also {}: expected {} | observed {}",
            f.field, f.expected, f.observed
        ));
    }
    s.push_str(&format!(" ({}: {})", d.rule.section, d.rule.id));
    super::plain(&without_ports(&s))
}

/// The text of a scenario's verdict under `profile`.
pub(super) fn verdict_text(s: &ScenarioReport, profile: &str) -> String {
    if let Some(e) = &s.harness_error {
        return format!("harness error: {e}");
    }
    match s.verdict(profile).map(|v| &v.verdict) {
        Some(Verdict::Diverges(d)) => divergence_text(d),
        Some(Verdict::Conforms) => "conforms".to_owned(),
        None => "no verdict".to_owned(),
    }
}

/// Replaces loopback port numbers (`127.0.0.1:40123`, `localhost:40123`) with `PORT`.
///
/// # Examples
/// ```
/// # use redirspec::live::report::without_ports;
/// assert_eq!(without_ports("http://127.0.0.1:4012/x ftp://localhost:9/"),
///            "http://127.0.0.1:PORT/x ftp://localhost:PORT/");
/// ```
pub fn without_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && (out.ends_with("127.0.0.1:") || out.ends_with("localhost:")) {
            out.push_str("PORT");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}
