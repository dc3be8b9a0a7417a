//! Checking a client's memory of redirects against [`RedirectMemory`].
//!
//! A client that caches redirects reports through [`RememberingClient`] what
//! it takes in (each exchange) and where it sends a later request. The check
//! replays a sequence of [`MemoryStep`]s through the client and through the
//! model, and stops at the first request where they part: a client that keeps
//! using a 307 target without freshness, forgets a fresh 308, or stores what
//! `no-store` forbids is caught there.
//!
//! # Examples
//! ```
//! use http::Method;
//! use redirspec::check::memory::{check_memory, MemoryStep};
//! use redirspec::memory::{MemoryPolicy, RedirectMemory};
//! use redirspec::Profile;
//!
//! let policy = MemoryPolicy::new(Profile::Fetch);
//! let steps = vec![
//!     MemoryStep::exchange(0, "https://a.test/old", 308, &[("location", "/new")]),
//!     MemoryStep::ask(10, "https://a.test/old"),
//! ];
//! // The model agrees with itself.
//! let mut model = RedirectMemory::new(policy.clone());
//! assert!(check_memory(&mut model, &policy, &steps).is_ok());
//! ```

use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use crate::memory::{Exchange, MemoryPolicy, Recall, RedirectMemory};

/// A client's memory of redirects, seen from outside.
pub trait RememberingClient {
    /// Takes one exchange (a request it sent and the response it got) into account.
    fn record(&mut self, exchange: &Exchange<'_>);
    /// The URL a request made at `now` is sent to on the network.
    fn recall(&mut self, now: u64, method: &Method, url: &str, headers: &HeaderMap) -> String;
}

impl RememberingClient for RedirectMemory {
    fn record(&mut self, exchange: &Exchange<'_>) {
        RedirectMemory::record(self, exchange);
    }
    fn recall(&mut self, now: u64, method: &Method, url: &str, headers: &HeaderMap) -> String {
        RedirectMemory::recall(self, now, method, url, headers).url
    }
}

/// One step of a sequence: an exchange, or a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemoryStep {
    /// At `time`, a GET of `url` was answered with `status` and `headers`.
    Exchange {
        /// Seconds since the Unix epoch.
        time: u64,
        /// The request method.
        method: Method,
        /// The request URL.
        url: String,
        /// The response status.
        status: StatusCode,
        /// The response header fields (Location, Cache-Control, ...).
        headers: HeaderMap,
    },
    /// At `time`, where does a GET of `url` go?
    Ask {
        /// Seconds since the Unix epoch.
        time: u64,
        /// The request URL.
        url: String,
    },
}

impl MemoryStep {
    /// A GET exchange. Header pairs `http` cannot hold are skipped (a builder
    /// for tests and examples); an unknown status becomes 500.
    pub fn exchange(time: u64, url: &str, status: u16, headers: &[(&str, &str)]) -> Self {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                map.append(n, v);
            }
        }
        MemoryStep::Exchange {
            time,
            method: Method::GET,
            url: url.to_owned(),
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers: map,
        }
    }

    /// A question.
    pub fn ask(time: u64, url: &str) -> Self {
        MemoryStep::Ask {
            time,
            url: url.to_owned(),
        }
    }
}

impl fmt::Display for MemoryStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemoryStep::Exchange {
                time,
                method,
                url,
                status,
                headers,
            } => {
                write!(f, "t={time} {method} {url} -> {}", status.as_u16())?;
                for (n, v) in headers {
                    write!(f, " | {}: {}", n, String::from_utf8_lossy(v.as_bytes()))?;
                }
                Ok(())
            }
            MemoryStep::Ask { time, url } => write!(f, "t={time} GET {url} goes where?"),
        }
    }
}

/// Where a client and the model part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryDivergence {
    /// The steps up to and including the question where they part.
    pub steps: Vec<MemoryStep>,
    /// The model's answer.
    pub expected: Recall,
    /// The client's answer.
    pub observed: String,
}

impl fmt::Display for MemoryDivergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "the client's redirect memory departs from the model:")?;
        for s in &self.steps {
            writeln!(f, "  {s}")?;
        }
        writeln!(
            f,
            "  expected: {} ({} remembered hops, stop: {})",
            self.expected.url,
            self.expected.hops.len(),
            self.expected.stop.as_str()
        )?;
        write!(f, "  observed: {}", self.observed)?;
        #[cfg(feature = "cases")]
        if let Some(line) = self.replay() {
            write!(f, "\n  replay: echo '{line}' | redirspec decide --batch")?;
        }
        Ok(())
    }
}

impl std::error::Error for MemoryDivergence {}

#[cfg(feature = "cases")]
impl MemoryDivergence {
    /// The `redirspec decide --batch` line that asks the model the same question.
    pub fn replay(&self) -> Option<String> {
        let (time, url) = match self.steps.last()? {
            MemoryStep::Ask { time, url } => (*time, url.clone()),
            MemoryStep::Exchange { .. } => return None,
        };
        let memory = self
            .steps
            .iter()
            .filter_map(|s| match s {
                MemoryStep::Exchange {
                    time,
                    method,
                    url,
                    status,
                    headers,
                } => Some(crate::cases::MemoryEvent {
                    time: *time,
                    method: method.to_string(),
                    url: url.clone(),
                    status: status.as_u16(),
                    location: Vec::new(),
                    response_headers: headers
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.as_str().to_owned(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    request_headers: Vec::new(),
                }),
                MemoryStep::Ask { .. } => None,
            })
            .collect();
        let case = crate::cases::Case {
            profile: "fetch".into(),
            method: "GET".into(),
            url,
            status: None,
            location: Vec::new(),
            headers: Vec::new(),
            response_headers: Vec::new(),
            body: "none".into(),
            hops: 0,
            memory: Some(memory),
            time: Some(time),
        };
        serde_json::to_string(&case).ok()
    }
}

/// Replays `steps` through `client` and through the model under `policy`;
/// `Err` at the first question they answer differently.
///
/// # Errors
/// The first [`MemoryDivergence`].
pub fn check_memory<C: RememberingClient + ?Sized>(
    client: &mut C,
    policy: &MemoryPolicy,
    steps: &[MemoryStep],
) -> Result<(), MemoryDivergence> {
    let mut model = RedirectMemory::new(policy.clone());
    let none = HeaderMap::new();
    for (i, step) in steps.iter().enumerate() {
        match step {
            MemoryStep::Exchange {
                time,
                method,
                url,
                status,
                headers,
            } => {
                let ex = Exchange {
                    time: *time,
                    method,
                    url,
                    request_headers: &none,
                    status: *status,
                    response_headers: headers,
                };
                model.record(&ex);
                client.record(&ex);
            }
            MemoryStep::Ask { time, url } => {
                let expected = model.recall(*time, &Method::GET, url, &none);
                let observed = client.recall(*time, &Method::GET, url, &none);
                if expected.url != observed {
                    return Err(MemoryDivergence {
                        steps: steps[..=i].to_vec(),
                        expected,
                        observed,
                    });
                }
            }
        }
    }
    Ok(())
}
