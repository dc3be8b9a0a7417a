//! A threshold over a matrix report, for CI: which clients have a finding at a level or
//! above. The `redirspec` tool's `--fail-on` (exit 1 when [`FailOn::failing`] is not empty);
//! a program that runs [`run`](super::matrix::run) itself can apply the same rule.

use super::matrix::MatrixReport;

/// Which findings make `matrix` and `client` exit 1 (`--fail-on`), for CI. The levels are the
/// ones each divergence carries ([`LevelCounts`](super::matrix::LevelCounts)), under the profile
/// a client is reported under; a MAY choice is never a failure unless `Any` asks for it. A
/// second-request reuse the model forbids (RFC 9111 §4: a cache "MUST NOT reuse a stored
/// response" that is not fresh or validated) counts as a MUST.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FailOn {
    /// Exit 0 whatever the verdicts (the default: the matrix is a report).
    #[default]
    Never,
    /// A MUST broken by any client.
    Must,
    /// A MUST, or a security rule (credentials, schemes) at any level.
    Security,
    /// A MUST, a security rule or a SHOULD.
    Should,
    /// Any divergence, MAY choices included.
    Any,
}

impl std::str::FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "never" => Ok(FailOn::Never),
            "must" => Ok(FailOn::Must),
            "security" => Ok(FailOn::Security),
            "should" => Ok(FailOn::Should),
            "any" => Ok(FailOn::Any),
            other => Err(format!(
                "unknown --fail-on level {other:?} (never, must, security, should, any)"
            )),
        }
    }
}

impl FailOn {
    /// The clients of `report` with a finding at this level or above, each with its
    /// headline (`reqwest: MUST 0 · security 2 · SHOULD 5 · MAY 3`); empty when none has one
    /// (and always for [`FailOn::Never`]). Skipped clients never fail.
    pub fn failing(self, report: &MatrixReport) -> Vec<String> {
        let mut out = Vec::new();
        if self == FailOn::Never {
            return out;
        }
        for c in &report.clients {
            if c.skipped.is_some() {
                continue;
            }
            let reused = c
                .second_request
                .scenarios
                .iter()
                .filter(|s| !s.conforms())
                .count();
            let (must, security, should, may) = c
                .levels()
                .map_or((0, 0, 0, 0), |l| (l.must, l.security, l.should, l.may));
            let must = must + reused;
            let fails = match self {
                FailOn::Never => false,
                FailOn::Must => must > 0,
                FailOn::Security => must + security > 0,
                FailOn::Should => must + security + should > 0,
                FailOn::Any => must + security + should + may > 0,
            };
            if fails {
                let headline = c.levels().map_or_else(String::new, |l| l.headline());
                let reuse = if reused > 0 {
                    format!(" · second request {reused} forbidden reuse(s)")
                } else {
                    String::new()
                };
                out.push(format!("{}: {headline}{reuse}", c.name));
            }
        }
        out
    }
}
