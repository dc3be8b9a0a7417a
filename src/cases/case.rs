//! One `decide` case: the JSON line of `redirspec decide --batch`, or the
//! flags of `redirspec decide`, and its result.
//!
//! ```text
//! {"profile":"fetch","method":"POST","url":"https://a.test/x#f","status":302,
//!  "location":["/y"],"headers":[["Authorization","t"]],"body":"bytes:5","hops":0}
//! ```
//! `location` lists the raw Location field lines (zero, one or several);
//! `response_headers` the redirect response's other fields (a `Set-Cookie`
//! there tells loop detection a repeat is not yet a cycle);
//! `location`, `headers`, `response_headers`, `body` (`none`) and `hops` (0)
//! may be left out.
//!
//! A case may instead ask where a request goes given earlier exchanges: it
//! then has `"memory"` (a list of [`MemoryEvent`]s) and `"time"`, and no
//! `status`; the result is `{"action":"recall",...}` (see [`Decision::Recall`]).
//! ```text
//! {"profile":"fetch","method":"GET","url":"https://a.test/old","time":1300,
//!  "memory":[{"time":1000,"method":"GET","url":"https://a.test/old","status":301,
//!             "location":["/new"],"response_headers":[["Cache-Control","max-age=600"]]}]}
//! ```

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
    /// The response status (absent in a memory case).
    #[serde(default)]
    pub status: Option<u16>,
    /// The response's Location field lines, raw.
    #[serde(default)]
    pub location: Vec<String>,
    /// The request's header fields, as `[name, value]` pairs.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The redirect response's other header fields, as `[name, value]` pairs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_headers: Vec<(String, String)>,
    /// `none`, `bytes:N` or `stream`.
    #[serde(default = "default_body")]
    pub body: String,
    /// Redirects already followed before this response.
    #[serde(default)]
    pub hops: u32,
    /// Earlier exchanges a client may remember (RFC 9111).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<Vec<MemoryEvent>>,
    /// When this request is made (seconds since the Unix epoch), for memory cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
}

/// An earlier exchange in a memory case.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MemoryEvent {
    /// When the response arrived (seconds since the Unix epoch).
    pub time: u64,
    /// The request method.
    pub method: String,
    /// The request URL.
    pub url: String,
    /// The response status.
    pub status: u16,
    /// The response's Location field lines.
    #[serde(default)]
    pub location: Vec<String>,
    /// The response's other header fields.
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    /// The request's header fields.
    #[serde(default)]
    pub request_headers: Vec<(String, String)>,
}

/// A remembered hop in a recall result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedHop {
    /// The request URL.
    pub from: String,
    /// Where it redirected.
    pub to: String,
    /// The remembered status.
    pub status: u16,
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
    /// Where a request goes through remembered redirects (a memory case).
    Recall {
        /// The URL the request is sent to on the network.
        url: String,
        /// The remembered hops passed on the way.
        remembered: Vec<RememberedHop>,
        /// Until when (seconds since the epoch) every hop used stays fresh.
        until: Option<u64>,
        /// Why the recall stopped: not-remembered, stale, must-validate,
        /// vary-mismatch, request-bypass, method-not-cacheable, loop, hop-limit.
        stop: String,
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
    /// A field that must (or must not) be there.
    #[error("{0}")]
    Shape(&'static str),
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

fn header_map(pairs: &[(String, String)]) -> Result<HeaderMap, CaseError> {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
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
    Ok(headers)
}

fn method(m: &str) -> Result<Method, CaseError> {
    Method::from_bytes(m.as_bytes()).map_err(|_| CaseError::Method(clip(m)))
}

fn status(code: u16) -> Result<StatusCode, CaseError> {
    StatusCode::from_u16(code).map_err(|_| CaseError::Status(code))
}

impl Case {
    /// Builds the machine this case starts from.
    ///
    /// # Errors
    /// A [`CaseError`] for a bad profile, method, header, body or URL.
    pub fn machine(&self) -> Result<(RedirectMachine, StatusCode), CaseError> {
        if self.response_headers.len() > MAX_RESPONSE_HEADERS {
            return Err(CaseError::Shape("more than 1000 response header fields"));
        }
        let profile: Profile = self.profile.parse()?;
        let method = method(&self.method)?;
        let status = status(
            self.status
                .ok_or(CaseError::Shape("missing field `status`"))?,
        )?;
        let headers = header_map(&self.headers)?;
        let body: Body = self.body.parse()?;
        let m = RedirectMachine::new(method, &self.url, headers, body, profile.policy())?
            .with_redirect_count(self.hops);
        Ok((m, status))
    }

    /// The `redirspec decide …` command line that reproduces this case, quoted
    /// for a POSIX shell.
    pub fn command_line(&self) -> String {
        crate::replay::DecideLine {
            profile: &self.profile,
            method: &self.method,
            url: &self.url,
            status: self.status,
            location: &self.location,
            headers: &self.headers,
            response_headers: &self.response_headers,
            body: &self.body,
            hops: self.hops,
        }
        .render()
    }
}

/// Runs one case through the model.
///
/// A malformed case gives [`Decision::Error`]; the response it describes,
/// however malformed, gives follow, deliver or refuse.
///
/// # Examples
/// ```
/// use redirspec::cases::{decide, Case, Decision};
/// let case: Case = serde_json::from_str(
///     r#"{"profile":"fetch","method":"POST","url":"https://a.test/x#f","status":302,"location":["/y"],"body":"bytes:5"}"#,
/// ).unwrap();
/// assert_eq!(decide(&case), Decision::Follow {
///     method: "GET".into(), url: "https://a.test/y#f".into(), body: "drop".into(), removed_headers: vec![],
/// });
/// ```
pub fn decide(case: &Case) -> Decision {
    if let Some(events) = &case.memory {
        return recall(case, events).unwrap_or_else(|e| Decision::Error {
            detail: e.to_string(),
        });
    }
    let lines: Vec<&[u8]> = case.location.iter().map(|l| l.as_bytes()).collect();
    decide_lines(case, &lines)
}

/// Runs one case through the model with raw Location lines that replace the
/// case's own `location` (for bytes a JSON string cannot carry, such as
/// invalid UTF-8 from the command line).
pub fn decide_lines(case: &Case, lines: &[&[u8]]) -> Decision {
    let start = case
        .machine()
        .and_then(|(machine, status)| Ok((machine, status, header_map(&case.response_headers)?)));
    match start {
        Ok((mut machine, status, fields)) => {
            decision_of(machine.step_raw_with_fields(status, lines, &fields))
        }
        Err(e) => Decision::Error {
            detail: e.to_string(),
        },
    }
}

/// A memory case: record every event, then recall the request.
fn recall(case: &Case, events: &[MemoryEvent]) -> Result<Decision, CaseError> {
    use crate::memory::{Exchange, MemoryPolicy, RedirectMemory};
    if case.status.is_some() {
        return Err(CaseError::Shape(
            "a case with memory asks where the request goes: leave out `status`",
        ));
    }
    let now = case
        .time
        .ok_or(CaseError::Shape("a case with memory needs `time`"))?;
    if events.len() > MAX_MEMORY_EVENTS {
        return Err(CaseError::Shape("more than 1000 memory events"));
    }
    let profile: Profile = case.profile.parse()?;
    let mut memory = RedirectMemory::new(MemoryPolicy::new(profile));
    for e in events {
        let m = method(&e.method)?;
        let s = status(e.status)?;
        let mut response = header_map(&e.response_headers)?;
        let locations: Vec<(String, String)> = e
            .location
            .iter()
            .map(|l| ("location".to_owned(), l.clone()))
            .collect();
        for (n, v) in header_map(&locations)? {
            if let Some(n) = n {
                response.append(n, v);
            }
        }
        let request = header_map(&e.request_headers)?;
        memory.record(&Exchange {
            time: e.time,
            method: &m,
            url: &e.url,
            request_headers: &request,
            status: s,
            response_headers: &response,
        });
    }
    let r = memory.recall(
        now,
        &method(&case.method)?,
        &case.url,
        &header_map(&case.headers)?,
    );
    Ok(Decision::Recall {
        url: r.url,
        remembered: r
            .hops
            .into_iter()
            .map(|h| RememberedHop {
                from: h.from,
                to: h.to,
                status: h.status,
            })
            .collect(),
        until: r.until,
        stop: r.stop.as_str().to_owned(),
    })
}

/// Most response header fields one case may carry.
pub const MAX_RESPONSE_HEADERS: usize = 1000;

/// Most events one memory case may carry.
pub const MAX_MEMORY_EVENTS: usize = 1000;

/// The JSON result of a step.
pub fn decision_of(step: Step<'_>) -> Decision {
    match step {
        Step::Follow(hop) => Decision::Follow {
            method: hop.method().to_string(),
            url: hop.url().to_owned(),
            body: hop.body_action().as_str().to_owned(),
            removed_headers: hop.removed_names(),
        },
        Step::Deliver(reason) => Decision::Deliver {
            reason: reason.as_str().to_owned(),
        },
        Step::Refuse(refusal) => Decision::Refuse {
            reason: refusal.reason().to_owned(),
            detail: refusal.to_string(),
        },
        // Never for a case (one machine each); written as it was when it
        // was a refusal.
        Step::Finished => Decision::Refuse {
            reason: step.action().to_owned(),
            detail: crate::model::FINISHED_DETAIL.to_owned(),
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
            (
                r#"{"profile":"fetch","method":"GET","url":"https://a/"}"#,
                "missing field `status`",
            ),
            (
                r#"{"profile":"fetch","method":"GET","url":"https://a/","status":301,"memory":[],"time":1}"#,
                "leave out `status`",
            ),
            (
                r#"{"profile":"fetch","method":"GET","url":"https://a/","memory":[]}"#,
                "needs `time`",
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
