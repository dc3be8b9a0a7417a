//! One `decide` case: the JSON line of `redirspec decide --batch`, or the
//! flags of `redirspec decide`, and its result.
//!
//! ```text
//! {"profile":"fetch","method":"POST","url":"https://a.test/x#f","status":302,
//!  "location":["/y"],"headers":[["Authorization","t"]],"body":"bytes:5","hops":0}
//! ```
//! `location` lists the raw Location field lines (zero, one or several);
//! `location`, `headers`, `body` (`none`) and `hops` (0) may be left out.

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::model::{Body, Profile, RedirectMachine, Step};

/// A decision case.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// `fetch`, `rfc9110` or `rfc2616`.
    pub profile: String,
    /// The request method (a token; case matters: `post` is not `POST`).
    pub method: String,
    /// The absolute request URL, fragment included.
    pub url: String,
    /// The response status.
    pub status: u16,
    /// The response's Location field lines, raw.
    #[serde(default)]
    pub location: Vec<String>,
    /// The request's header fields, as `[name, value]` pairs.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// `none`, `bytes:N` or `stream`.
    #[serde(default = "default_body")]
    pub body: String,
    /// Redirects already followed before this response.
    #[serde(default)]
    pub hops: u32,
}

fn default_body() -> String {
    "none".into()
}

/// The result line of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase")]
pub enum Decision {
    /// Follow with the next request.
    Follow {
        /// Its method.
        method: String,
        /// Its absolute URL.
        url: String,
        /// `none`, `keep` or `drop`.
        body: String,
        /// Headers removed, lower-case and sorted.
        removed_headers: Vec<String>,
    },
    /// Hand the response to the caller.
    Deliver {
        /// `not-a-redirect` or `no-location`.
        reason: String,
    },
    /// Fail.
    Refuse {
        /// Kebab-case reason.
        reason: String,
        /// What exactly was wrong.
        detail: String,
    },
    /// The case itself was malformed.
    Error {
        /// What was wrong with it.
        detail: String,
    },
}

/// What is wrong with a case (not with the response it describes).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CaseError {
    /// Not a known profile.
    #[error(transparent)]
    Profile(#[from] crate::model::UnknownProfile),
    /// Not a method token.
    #[error("bad method {0:?}: not an HTTP token")]
    Method(String),
    /// Not a status code from 100 to 999.
    #[error("bad status {0}: expected 100-999")]
    Status(u16),
    /// A header name or value that HTTP does not allow.
    #[error("bad header {name:?}: {why}")]
    Header {
        /// The name as given.
        name: String,
        /// What is wrong.
        why: &'static str,
    },
    /// Not `none`, `bytes:N` or `stream`.
    #[error(transparent)]
    Body(#[from] crate::model::BodyParseError),
    /// The request URL cannot start a chain.
    #[error(transparent)]
    Start(#[from] crate::model::StartError),
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Parses `Name: value` (the CLI's `--header`).
///
/// # Errors
/// [`CaseError::Header`] without a colon.
pub fn split_header(line: &str) -> Result<(String, String), CaseError> {
    let (name, value) = line.split_once(':').ok_or(CaseError::Header {
        name: clip(line),
        why: "expected 'Name: value'",
    })?;
    Ok((name.trim().to_owned(), value.trim().to_owned()))
}

impl Case {
    /// Builds the machine this case starts from.
    ///
    /// # Errors
    /// A [`CaseError`] for a bad profile, method, header, body or URL.
    pub fn machine(&self) -> Result<(RedirectMachine, StatusCode), CaseError> {
        let profile: Profile = self.profile.parse()?;
        let method = Method::from_bytes(self.method.as_bytes())
            .map_err(|_| CaseError::Method(clip(&self.method)))?;
        let status =
            StatusCode::from_u16(self.status).map_err(|_| CaseError::Status(self.status))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let n = HeaderName::from_bytes(name.as_bytes()).map_err(|_| CaseError::Header {
                name: clip(name),
                why: "not a field name",
            })?;
            let v = HeaderValue::from_str(value).map_err(|_| CaseError::Header {
                name: clip(name),
                why: "the value holds a byte a field value cannot",
            })?;
            headers.append(n, v);
        }
        let body: Body = self.body.parse()?;
        let m = RedirectMachine::new(method, &self.url, headers, body, profile.policy())?
            .with_redirect_count(self.hops);
        Ok((m, status))
    }

    /// The `redirspec decide …` command line that reproduces this case, quoted
    /// for a POSIX shell.
    pub fn command_line(&self) -> String {
        let mut out = format!(
            "redirspec decide --profile {} --method {} --url {} --status {}",
            quote(&self.profile),
            quote(&self.method),
            quote(&self.url),
            self.status
        );
        for l in &self.location {
            out.push_str(" --location ");
            out.push_str(&quote(l));
        }
        for (n, v) in &self.headers {
            out.push_str(" --header ");
            out.push_str(&quote(&format!("{n}: {v}")));
        }
        if self.body != "none" {
            out.push_str(" --body ");
            out.push_str(&quote(&self.body));
        }
        if self.hops != 0 {
            out.push_str(&format!(" --hops {}", self.hops));
        }
        out
    }
}

/// Quotes a word for a POSIX shell (`$'…'` where it holds control bytes).
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if plain {
        return s.to_owned();
    }
    if s.chars().any(|c| c.is_control()) {
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Runs one case through the model.
///
/// A malformed case gives [`Decision::Error`]; the response it describes,
/// however malformed, gives follow, deliver or refuse.
///
/// # Examples
/// ```
/// use redirspec::cli::{decide, Case, Decision};
/// let case: Case = serde_json::from_str(
///     r#"{"profile":"fetch","method":"POST","url":"https://a.test/x#f","status":302,"location":["/y"],"body":"bytes:5"}"#,
/// ).unwrap();
/// assert_eq!(decide(&case), Decision::Follow {
///     method: "GET".into(), url: "https://a.test/y#f".into(), body: "drop".into(), removed_headers: vec![],
/// });
/// ```
pub fn decide(case: &Case) -> Decision {
    let (mut machine, status) = match case.machine() {
        Ok(x) => x,
        Err(e) => {
            return Decision::Error {
                detail: e.to_string(),
            }
        }
    };
    let lines: Vec<&[u8]> = case.location.iter().map(|l| l.as_bytes()).collect();
    decision_of(machine.step_raw(status, &lines))
}

/// The JSON result of a step.
pub fn decision_of(step: Step<'_>) -> Decision {
    match step {
        Step::Follow(hop) => {
            let mut removed: Vec<String> = hop
                .removed()
                .iter()
                .map(|r| r.name.as_str().to_owned())
                .collect();
            removed.sort();
            Decision::Follow {
                method: hop.method().to_string(),
                url: hop.url().to_owned(),
                body: hop.body_action().as_str().to_owned(),
                removed_headers: removed,
            }
        }
        Step::Deliver(reason) => Decision::Deliver {
            reason: reason.as_str().to_owned(),
        },
        Step::Refuse(refusal) => Decision::Refuse {
            reason: refusal.reason().to_owned(),
            detail: refusal.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(json: &str) -> Case {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn results_serialise_as_the_contract_says() {
        let d = decide(&case(
            r#"{"profile":"fetch","method":"POST","url":"https://a.test/x#f","status":302,
                "location":["https://b.test/y"],"headers":[["Authorization","t"],["Content-Type","text/plain"]],
                "body":"bytes:5","hops":0}"#,
        ));
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"action":"follow","method":"GET","url":"https://b.test/y#f","body":"drop","removed_headers":["authorization","content-type"]}"#
        );
        let d = decide(&case(
            r#"{"profile":"rfc9110","method":"GET","url":"https://a.test/","status":301}"#,
        ));
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"action":"deliver","reason":"no-location"}"#
        );
        let d = decide(&case(
            r#"{"profile":"rfc9110","method":"GET","url":"https://a.test/","status":301,"location":["/a b"]}"#,
        ));
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"action":"refuse","reason":"invalid-location","detail":"space at offset 2 is not allowed in the path"}"#
        );
    }

    #[test]
    fn malformed_cases_are_errors() {
        for (json, want) in [
            (
                r#"{"profile":"x","method":"GET","url":"https://a/","status":301}"#,
                "unknown profile",
            ),
            (
                r#"{"profile":"fetch","method":"G T","url":"https://a/","status":301}"#,
                "bad method",
            ),
            (
                r#"{"profile":"fetch","method":"GET","url":"https://a/","status":42}"#,
                "bad status",
            ),
            (
                r#"{"profile":"fetch","method":"GET","url":"/rel","status":301}"#,
                "invalid request URL",
            ),
            (
                r#"{"profile":"fetch","method":"GET","url":"https://a/","status":301,"body":"lots"}"#,
                "bad body",
            ),
            (
                r#"{"profile":"fetch","method":"GET","url":"https://a/","status":301,"headers":[["A","x\ny"]]}"#,
                "bad header",
            ),
        ] {
            match decide(&case(json)) {
                Decision::Error { detail } => assert!(detail.contains(want), "{detail}"),
                other => panic!("{json}: {other:?}"),
            }
        }
    }

    #[test]
    fn command_lines_quote_what_needs_it() {
        let c = case(
            r#"{"profile":"fetch","method":"GET","url":"https://a/?x=1&y","status":302,
                "location":["/a\r\nb", "it's"],"headers":[["A","b c"]],"body":"stream","hops":3}"#,
        );
        assert_eq!(
            c.command_line(),
            "redirspec decide --profile fetch --method GET --url 'https://a/?x=1&y' --status 302 \
             --location $'/a\\x0d\\x0ab' --location 'it'\\''s' --header 'A: b c' --body stream --hops 3"
        );
    }
}
