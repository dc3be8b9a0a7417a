//! The [`ClientUnderTest`] trait and the in-process adapters (reqwest, ureq).
//!
//! An adapter gets one [`ClientRequest`] — the first request of a scenario — and lets the
//! client follow redirects its own way, with its own defaults (that is what is being
//! measured). For the second-request group, [`ClientUnderTest::execute_twice`] sends it twice
//! from one client object; a client that cannot says so in [`ClientUnderTest::repeats`].
//! It reports what the caller would see as a [`ClientOutcome`]; everything the client sent on
//! the wire is recorded by the server, not by the adapter.

use http::Method;
use std::time::Duration;

/// The first request of a scenario, as handed to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRequest {
    /// Method of the first request.
    pub method: Method,
    /// Absolute URL of the first request (may carry a fragment).
    pub url: String,
    /// Header fields to send, in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes, if any (replayable: the same bytes can be sent again).
    pub body: Option<Vec<u8>>,
    /// How long the whole exchange may take, redirects included.
    pub timeout: Duration,
}

/// What the caller of a client saw at the end of a scenario.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ClientOutcome {
    /// The client handed a response to its caller (`status` when the adapter can tell).
    Delivered {
        /// Status code of the delivered response.
        status: Option<u16>,
    },
    /// The client raised an error.
    Failed {
        /// The client's message, shortened.
        message: String,
    },
    /// The client did not finish within the time-out (and was stopped when it is a process).
    TimedOut {
        /// The time-out that expired, in milliseconds.
        after_ms: u64,
    },
}

impl ClientOutcome {
    /// A short human-readable form (`delivered 302`, `failed: …`, `timed out after 5000 ms`).
    pub fn summary(&self) -> String {
        match self {
            ClientOutcome::Delivered { status: Some(s) } => format!("delivered {s}"),
            ClientOutcome::Delivered { status: None } => "delivered".to_owned(),
            ClientOutcome::Failed { message } => format!("failed: {message}"),
            ClientOutcome::TimedOut { after_ms } => format!("timed out after {after_ms} ms"),
        }
    }
}

/// Shortens a client message to one line of at most 200 characters.
pub(crate) fn one_line(message: &str) -> String {
    let line: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 200 {
        let mut s: String = line.chars().take(199).collect();
        s.push('…');
        s
    } else {
        line
    }
}

/// A real HTTP client, driven through one scenario at a time.
///
/// Implement it for your own client to put it in the matrix.
///
/// # Examples
/// ```
/// use redirspec::live::matrix::run_scenario;
/// use redirspec::live::{suite, ClientOutcome, ClientRequest, ClientUnderTest, ServerLimits};
///
/// /// A client that never follows: it sends the first request only.
/// struct NoFollow;
///
/// impl ClientUnderTest for NoFollow {
///     fn name(&self) -> &str {
///         "no-follow"
///     }
///     fn execute(&self, request: &ClientRequest) -> ClientOutcome {
///         let agent: ureq::Agent = ureq::Agent::config_builder()
///             .max_redirects(0)
///             .http_status_as_error(false)
///             .build()
///             .into();
///         let mut get = agent.get(&request.url);
///         for (name, value) in &request.headers {
///             get = get.header(name.as_str(), value.as_str());
///         }
///         match get.call() {
///             Ok(r) => ClientOutcome::Delivered { status: Some(r.status().as_u16()) },
///             Err(e) => ClientOutcome::Failed { message: e.to_string() },
///         }
///     }
/// }
///
/// let scenario = suite::suite().into_iter().find(|s| s.name == "302-get").unwrap();
/// let report = run_scenario(&NoFollow, &scenario, std::time::Duration::from_secs(5),
///                           ServerLimits::default());
/// assert_eq!(report.outcome, ClientOutcome::Delivered { status: Some(302) });
/// // Every profile follows a 302 for GET: the client stopped one request short.
/// assert_eq!(report.verdict("fetch").unwrap().verdict.key(), "request@1");
/// ```
pub trait ClientUnderTest: Send + Sync {
    /// Stable name used in reports and expectation files (`curl`, `reqwest`).
    fn name(&self) -> &str;

    /// A one-line description (version, settings used).
    fn describe(&self) -> String {
        self.name().to_owned()
    }

    /// `Err(note)` when the client cannot run here (program or module missing).
    ///
    /// # Errors
    /// A note saying what is missing.
    fn check_available(&self) -> Result<(), String> {
        Ok(())
    }

    /// The standard the client implements, and so the profile its headline is judged under
    /// unless `--profile` says otherwise: [`Profile::Rfc9110`] for an HTTP library (the
    /// default), [`Profile::Fetch`] for an implementation of the Fetch standard (node's
    /// `fetch`, a browser). Every profile's verdicts stay in the report.
    ///
    /// [`Profile::Rfc9110`]: crate::Profile::Rfc9110
    /// [`Profile::Fetch`]: crate::Profile::Fetch
    fn reading(&self) -> crate::Profile {
        crate::Profile::Rfc9110
    }

    /// A scheduling hint: roughly how long one scenario takes, in milliseconds. The matrix
    /// starts the slowest clients first so that parallel jobs finish together.
    fn cost_hint_ms(&self) -> u32 {
        20
    }

    /// Sends `request`, follows redirects the client's own way, and reports the outcome.
    fn execute(&self, request: &ClientRequest) -> ClientOutcome;

    /// For a stand-alone reproduction: writes into `dir` what the client's command needs
    /// (body, header files, shipped scripts) and returns the commands to run there, in
    /// order (a set-up step, then the request), each an argv whose paths are relative to
    /// `dir`. `None` for a client that is not a command (in-process clients).
    ///
    /// # Errors
    /// A file could not be written.
    fn repro_commands(
        &self,
        request: &ClientRequest,
        dir: &std::path::Path,
    ) -> std::io::Result<Option<Vec<Vec<String>>>> {
        let _ = (request, dir);
        Ok(None)
    }

    /// `Err(note)` when the client does not run the fixed suite (a browser, which can only be
    /// driven through a page, runs the second-request group alone).
    ///
    /// # Errors
    /// A note saying why.
    fn runs_suite(&self) -> Result<(), String> {
        Ok(())
    }

    /// `Err(note)` when the client cannot send several requests from one process and one
    /// client object (one `Client`, one `Session`, one curl handle): the second-request group
    /// is then "not applicable" to it.
    ///
    /// # Errors
    /// A note saying why.
    fn repeats(&self) -> Result<(), String> {
        Err("one request per run: cannot ask twice from one process".to_owned())
    }

    /// Ends whatever the client keeps running for the run (a driver process, a browser): the
    /// matrix calls it after the client's last scenario. A later scenario may start it again.
    /// The default does nothing.
    fn end_run(&self) {}

    /// Sends `request` twice in a row from one process and one client object, the second
    /// after the first has ended, following redirects its own way each time; the outcome is
    /// the second one's (or the first failure). Only called when [`repeats`](Self::repeats)
    /// is `Ok`.
    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        let _ = request;
        ClientOutcome::Failed {
            message: self
                .repeats()
                .err()
                .unwrap_or_else(|| "execute_twice is not implemented".to_owned()),
        }
    }
}

/// reqwest's blocking client with its default redirect policy (10 hops).
#[derive(Debug, Default, Clone, Copy)]
pub struct ReqwestClient;

impl ClientUnderTest for ReqwestClient {
    fn name(&self) -> &str {
        "reqwest"
    }

    fn describe(&self) -> String {
        "reqwest 0.13 blocking, default redirect policy".to_owned()
    }

    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        self.run(request, 1)
    }

    fn repeats(&self) -> Result<(), String> {
        Ok(())
    }

    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        self.run(request, 2)
    }

    fn repro_commands(
        &self,
        request: &ClientRequest,
        dir: &std::path::Path,
    ) -> std::io::Result<Option<Vec<Vec<String>>>> {
        super::repro::write_rust_snippet(dir, super::repro::RustClient::Reqwest, request).map(Some)
    }
}

impl ReqwestClient {
    /// `times` sends of `request` through one `Client`.
    fn run(&self, request: &ClientRequest, times: u32) -> ClientOutcome {
        let client = match reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(request.timeout)
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                return ClientOutcome::Failed {
                    message: one_line(&format!("could not build the client: {e}")),
                }
            }
        };
        let mut outcome = ClientOutcome::Delivered { status: None };
        for _ in 0..times {
            let mut builder = client.request(request.method.clone(), &request.url);
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            // The body is read (and a failure to read it ignored) so that the connection is
            // done with before the next send.
            outcome = match builder.send().map(|r| {
                let status = r.status().as_u16();
                let _ = r.bytes();
                status
            }) {
                Ok(status) => ClientOutcome::Delivered {
                    status: Some(status),
                },
                Err(e) if e.is_timeout() => {
                    return ClientOutcome::TimedOut {
                        after_ms: millis(request.timeout),
                    }
                }
                Err(e) => {
                    return ClientOutcome::Failed {
                        message: one_line(&error_chain(&e)),
                    }
                }
            };
        }
        outcome
    }
}

/// ureq 3 with its default redirect settings (10 hops, no Authorization on redirects);
/// `http_status_as_error` is turned off so that a delivered 3xx is seen as delivered.
#[derive(Debug, Default, Clone, Copy)]
pub struct UreqClient;

impl ClientUnderTest for UreqClient {
    fn name(&self) -> &str {
        "ureq"
    }

    fn describe(&self) -> String {
        "ureq 3 agent, default redirect settings, http_status_as_error off".to_owned()
    }

    fn execute(&self, request: &ClientRequest) -> ClientOutcome {
        let agent = Self::agent(request);
        Self::run(&agent, request)
    }

    fn repeats(&self) -> Result<(), String> {
        Ok(())
    }

    fn execute_twice(&self, request: &ClientRequest) -> ClientOutcome {
        let agent = Self::agent(request);
        match Self::run(&agent, request) {
            ClientOutcome::Delivered { .. } => Self::run(&agent, request),
            failed => failed,
        }
    }
    fn repro_commands(
        &self,
        request: &ClientRequest,
        dir: &std::path::Path,
    ) -> std::io::Result<Option<Vec<Vec<String>>>> {
        super::repro::write_rust_snippet(dir, super::repro::RustClient::Ureq, request).map(Some)
    }
}

impl UreqClient {
    fn agent(request: &ClientRequest) -> ureq::Agent {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .allow_non_standard_methods(true)
            .timeout_global(Some(request.timeout))
            .build()
            .into()
    }

    /// One request through `agent`, its body read to the end.
    fn run(agent: &ureq::Agent, request: &ClientRequest) -> ClientOutcome {
        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(request.url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let result = match &request.body {
            Some(body) => builder.body(body.clone()).map(|r| agent.run(r)),
            None => builder.body(()).map(|r| agent.run(r)),
        };
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                return ClientOutcome::Failed {
                    message: one_line(&format!("request not accepted: {e}")),
                }
            }
        };
        match result {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let _ = response.body_mut().read_to_vec();
                ClientOutcome::Delivered {
                    status: Some(status),
                }
            }
            Err(ureq::Error::Timeout(_)) => ClientOutcome::TimedOut {
                after_ms: millis(request.timeout),
            },
            Err(e) => ClientOutcome::Failed {
                message: one_line(&error_chain(&e)),
            },
        }
    }
}

pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}
