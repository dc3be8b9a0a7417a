//! A difference between an implementation and the model, and how it prints.

use std::fmt;

use http::HeaderMap;

use super::follower::{Request, Response, Scenario};
use super::rules::{Level, Rule};
use crate::model::Profile;

/// One field that differs: what the model expects, what the implementation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    /// The field: `action`, `method`, `url`, `body`, `header NAME`, or
    /// `request` (the scenario's first request cannot start a chain).
    pub field: String,
    /// What the model expects.
    pub expected: String,
    /// What the implementation did.
    pub observed: String,
    /// The rule that produced the model's side: spec section, level, security mark.
    pub rule: &'static Rule,
}

/// Everything about a divergence (see [`Divergence`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Details {
    /// The profile compared with, or `None` for a custom policy.
    pub profile: Option<Profile>,
    /// The whole scenario.
    pub scenario: Scenario,
    /// Index of the response (in `scenario.responses`) where they differ.
    pub step: usize,
    /// The request that got that response, as the model holds it.
    pub sent: Request,
    /// Redirects followed before that response.
    pub hops: u32,
    /// The fields that differ, in a fixed order.
    pub fields: Vec<FieldDiff>,
}

/// The implementation departs from the model. Printing it gives the case,
/// expected vs observed per field, and the `redirspec decide` command line
/// that replays the diverging step.
///
/// Boxed inside, so that `Result<(), Divergence>` stays one pointer wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence(pub(crate) Box<Details>);

impl Divergence {
    /// The details.
    pub fn details(&self) -> &Details {
        &self.0
    }

    /// The names of the fields that differ (`action`, `method`, `url`, ...),
    /// for pinned expectation lists.
    pub fn field_names(&self) -> Vec<&str> {
        self.0.fields.iter().map(|f| f.field.as_str()).collect()
    }

    /// The most serious level among the fields that differ (MUST before SHOULD before MAY).
    pub fn level(&self) -> Level {
        self.0
            .fields
            .iter()
            .map(|f| f.rule.level)
            .min()
            .unwrap_or(Level::May)
    }

    /// Whether a field that differs is guarded by a security rule (credentials, schemes).
    pub fn security(&self) -> bool {
        self.0.fields.iter().any(|f| f.rule.security)
    }

    /// The response that was answered differently.
    pub fn response(&self) -> Option<&Response> {
        self.0.scenario.responses.get(self.0.step)
    }

    /// The `redirspec decide …` command line that replays the diverging step
    /// (the request as the model holds it, that response, `--hops`), or `None`
    /// for a custom policy, which has no CLI name. Loop detection looks at the
    /// whole chain: for a `redirect-loop` the line replays the step alone.
    pub fn command_line(&self) -> Option<String> {
        let d = &*self.0;
        let profile = d.profile?;
        let response = self.response()?;
        let headers: Vec<(String, String)> = header_pairs(&d.sent.headers);
        let location: Vec<String> = response
            .location
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        Some(command_line(
            profile.as_str(),
            d.sent.method.as_str(),
            &d.sent.url,
            response.status.as_u16(),
            &location,
            &headers,
            &d.sent.body.to_cli(),
            d.hops,
        ))
    }
}

fn header_pairs(h: &HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn command_line(
    profile: &str,
    method: &str,
    url: &str,
    status: u16,
    location: &[String],
    headers: &[(String, String)],
    body: &str,
    hops: u32,
) -> String {
    crate::replay::DecideLine {
        profile,
        method,
        url,
        status: Some(status),
        location,
        headers,
        response_headers: &[],
        body,
        hops,
    }
    .render()
}

/// Bytes as text: UTF-8 shown as is, anything else escaped.
pub(crate) fn show_bytes(b: &[u8]) -> String {
    format!("{:?}", String::from_utf8_lossy(b))
        .trim_matches('"')
        .to_owned()
        .replace('\u{fffd}', "\\u{fffd}")
}

/// Longest value shown whole when a divergence prints; longer ones are cut.
const SHOWN: usize = 200;

/// `s` when short, else its first [`SHOWN`] characters, `…` and its length in bytes (a
/// 64 KiB Location would otherwise print several times over).
pub(crate) fn cut(s: &str) -> String {
    if s.len() <= SHOWN {
        return s.to_owned();
    }
    let head: String = s.chars().take(SHOWN).collect();
    format!("{head}… ({} bytes in all)", s.len())
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &*self.0;
        let against = d
            .profile
            .map_or_else(|| "a custom policy".to_owned(), |p| format!("profile {p}"));
        writeln!(
            f,
            "the implementation departs from {against} at response {} of {}",
            d.step + 1,
            d.scenario.responses.len()
        )?;
        let r = &d.scenario.request;
        writeln!(
            f,
            "  first request: {} {} body={}",
            r.method,
            cut(&r.url),
            r.body.to_cli()
        )?;
        for (n, v) in &r.headers {
            writeln!(f, "    {}: {}", n, show_bytes(v.as_bytes()))?;
        }
        for (i, resp) in d.scenario.responses.iter().enumerate().take(d.step + 1) {
            let locs: Vec<String> = resp.location.iter().map(|l| cut(&show_bytes(l))).collect();
            writeln!(
                f,
                "  response {}: {} location={:?}",
                i + 1,
                resp.status.as_u16(),
                locs
            )?;
        }
        writeln!(
            f,
            "  request that got it: {} {} body={} (after {} redirects)",
            d.sent.method,
            cut(&d.sent.url),
            d.sent.body.to_cli(),
            d.hops
        )?;
        let w = d.fields.iter().map(|x| x.field.len()).max().unwrap_or(0);
        for x in &d.fields {
            writeln!(
                f,
                "  {:w$}  expected: {}\n  {:w$}  observed: {}\n  {:w$}  rule: {} {} ({}): {}",
                x.field,
                cut(&x.expected),
                "",
                cut(&x.observed),
                "",
                x.rule.grade(),
                x.rule.section,
                x.rule.id,
                x.rule.says
            )?;
        }
        match self.command_line() {
            Some(c) if c.len() > 4 * SHOWN => write!(
                f,
                "  replay: {} (the whole line: Divergence::command_line)",
                cut(&c)
            ),
            Some(c) => write!(f, "  replay: {c}"),
            None => write!(f, "  replay: (custom policy: no command line)"),
        }
    }
}

/// proptest's `TestCaseError` converts from any error, so `?` on a
/// `Result<_, Divergence>` fails a proptest case with this text.
impl std::error::Error for Divergence {}
