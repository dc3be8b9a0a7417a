//! A threshold over a matrix report, for CI: which clients have a finding at a level or
//! above. The `redirspec` tool's `--fail-on` (exit 1 when [`FailOn::failing`] is not empty);
//! a program that runs [`run`](super::matrix::run) itself can apply the same rule.

use super::matrix::MatrixReport;

/// Which findings make `matrix` and `client` exit 1 (`--fail-on`), for CI. The levels are the
/// ones each divergence carries ([`LevelCounts`](super::matrix::LevelCounts)), under the profile
/// a client is reported under, plus those of its second-request group
/// ([`RepeatGroup::levels`](super::second_request::RepeatGroup::levels): RFC 9111's MUSTs for
/// a stale, unstorable or unvalidated reuse; its MAYs never fail). A MAY choice is never a
/// failure unless `Any` asks for it.
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
            let group = c.second_request_levels;
            let l = c.all_levels();
            let fails = match self {
                FailOn::Never => false,
                FailOn::Must => l.must > 0,
                FailOn::Security => l.must + l.security > 0,
                FailOn::Should => l.fails(),
                FailOn::Any => l.fails() || l.may > 0,
            };
            if fails {
                let headline = c.levels().map_or_else(String::new, |l| l.headline());
                let reuse = if group.fails() || group.may > 0 {
                    format!(" · second request {}", group.headline())
                } else {
                    String::new()
                };
                out.push(format!("{}: {headline}{reuse}", c.name));
            }
        }
        out
    }
}
