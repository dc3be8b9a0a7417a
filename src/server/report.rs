//! A [`Report`]: the findings for one response; a [`Summary`] of several.

use std::fmt;
use std::sync::Arc;

use http::{Method, StatusCode};

use super::finding::{Finding, Level};

/// The findings for one response, with the request that produced it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    method: Method,
    /// Shared with the [`RequestInfo`](super::RequestInfo) when it came from
    /// one (no copy of the URL per report).
    url: Option<Arc<str>>,
    status: Option<StatusCode>,
    findings: Vec<Finding>,
}

impl Report {
    pub(crate) fn new(
        method: Method,
        url: Option<impl Into<Arc<str>>>,
        status: Option<StatusCode>,
    ) -> Self {
        Report {
            method,
            url: url.map(Into::into),
            status,
            findings: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// Makes room for `additional` more findings.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.findings.reserve(additional);
    }

    /// Pushes a copy of each of `findings`, in order.
    pub(crate) fn extend_cloned(&mut self, findings: &[Finding]) {
        self.findings.extend_from_slice(findings);
    }

    pub(crate) fn retain(&mut self, keep: impl FnMut(&Finding) -> bool) {
        self.findings.retain(keep);
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.method
    }
    /// The request URL, when it was given.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }
    /// The response status; `None` when the response did not parse.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }
    /// Every finding, in the order the rules ran.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
    /// Whether a finding has this rule id.
    pub fn has(&self, id: &str) -> bool {
        self.findings.iter().any(|f| f.id() == id)
    }
    /// Whether any MUST is broken.
    pub fn breaks_must(&self) -> bool {
        self.findings.iter().any(|f| f.level() == Level::Must)
    }
    /// Whether there is nothing to report.
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> ",
            self.method,
            self.url.as_deref().unwrap_or("(request URL not given)"),
        )?;
        match self.status {
            Some(s) => {
                write!(f, "{}", s.as_u16())?;
                if let Some(r) = s.canonical_reason() {
                    write!(f, " {r}")?;
                }
            }
            None => f.write_str("(no valid response)")?,
        }
        if self.findings.is_empty() {
            return f.write_str(": ok\n");
        }
        f.write_str("\n")?;
        for finding in &self.findings {
            f.write_str("  ")?;
            fmt::Display::fmt(finding, f)?;
            f.write_str("\n")?;
        }
        Ok(())
    }
}

/// Counts over several reports: requests, redirects, findings per level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Reports counted.
    pub responses: usize,
    /// Of which had a 3xx status other than 304 (Not Modified points nowhere).
    pub redirects: usize,
    /// MUST findings.
    pub must: usize,
    /// SHOULD findings.
    pub should: usize,
    /// ADVICE findings.
    pub advice: usize,
}

impl Summary {
    /// Counts `reports`.
    pub fn of<'r>(reports: impl IntoIterator<Item = &'r Report>) -> Self {
        let mut s = Summary::default();
        for r in reports {
            s.responses += 1;
            s.redirects += usize::from(
                r.status
                    .is_some_and(|c| c.is_redirection() && c != StatusCode::NOT_MODIFIED),
            );
            for f in &r.findings {
                match f.level() {
                    Level::Must => s.must += 1,
                    Level::Should => s.should += 1,
                    Level::Advice => s.advice += 1,
                }
            }
        }
        s
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} responses, {} redirects: {} MUST, {} SHOULD, {} ADVICE",
            self.responses, self.redirects, self.must, self.should, self.advice
        )
    }
}
