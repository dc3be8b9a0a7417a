//! Live conformance: real HTTP clients driven through scripted redirect chains on loopback,
//! judged hop by hop against the model (feature `live`).
//!
//! The pieces, in the order data flows:
//! 1. [`suite`] — the fixed, named [`Scenario`]s: a start request and the responses to play.
//! 2. [`server`] — [`ScriptedServer`]: two loopback listeners that answer by arrival order and
//!    record every request; every wait is bounded and it stops by itself.
//! 3. [`client`] / [`command`] — the [`ClientUnderTest`] trait; in-process reqwest and ureq;
//!    any program through a command template, with presets for curl, wget, node's fetch,
//!    python's urllib and requests.
//!    `driver` (internal) — one long-lived process per client and run for the node, python,
//!    perl and java presets, a new client object per scenario.
//! 4. `verdict` (internal) — the model's trace for the same scenario on the same URLs;
//!    [`compare`](mod@compare) — the first divergence, hop by hop.
//! 5. [`matrix`] — all of it for many clients; [`facts`] — what each client did, in plain
//!    words; [`report`] — text, JSON, Markdown and HTML.
//! 6. [`second_request`] — the "second request" group: one process asks for the same URL
//!    twice, the server scripts caching fields and answers by path, and
//!    `recall` (internal) judges every request against the model's
//!    [`RedirectMemory`](crate::memory::RedirectMemory) fed with what the server sent;
//!    `chromium` (internal; the client `chromium`) — headless Chromium, the one common
//!    client with a cache that keeps redirects, driven through a page: one browser per run
//!    over the DevTools pipe (`cdp`, internal), a new browser context per scenario.
//!
//! Every program a run starts ends with it, leftovers included, and every file it gets lives
//! in a private scratch folder removed after it: see [`process`].
//!
//! # Examples
//! ```no_run
//! use redirspec::live::{matrix, report};
//! let opts = matrix::MatrixOptions::new(matrix::clients_by_name("reqwest,curl")?);
//! let result = matrix::run(&opts, &|_| {})?;
//! print!("{}", report::text(&result));
//! # Ok::<(), redirspec::live::LiveError>(())
//! ```

pub mod browser;
mod cdp;
mod chromium;
pub mod client;
pub mod command;
pub mod compare;
mod driver;
pub mod facts;
mod fail_on;
pub mod from_strategies;
mod go;
pub mod matrix;
mod page;
pub mod process;
mod recall;
pub mod report;
pub mod repro;
pub mod scenario;
mod scratch;
pub mod second_request;
pub mod server;
mod sink;
pub mod suite;
mod template;
mod verdict;

pub use client::{ClientOutcome, ClientRequest, ClientUnderTest, ReqwestClient, UreqClient};
pub use command::{preset, CommandClient};
pub use compare::{Divergence, ExpectedTrace, ObservedTrace, RequestView, Verdict};
pub use fail_on::FailOn;
pub use matrix::{run, MatrixOptions, MatrixReport};
pub use recall::JudgedRequest;
pub use scenario::{Origins, Scenario, ScriptedResponse};
pub use server::{RecordedRequest, ScriptedServer, ServerLimits, ServerTrace};

/// Errors of the live harness (not of clients: what a client does wrong is a verdict).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LiveError {
    /// A loopback listener could not be bound or its thread not started.
    #[error("cannot bind a loopback listener: {0}")]
    Bind(std::io::Error),
    /// A client name that is neither in-process nor a preset.
    #[error(
        "unknown client {0:?} (known: reqwest, ureq, curl, curl-x-put-d, curl-json, wget, \
         wget-body-data, node-fetch, python-urllib, python-urllib3, python-requests, perl-lwp, \
         perl-http-tiny, java-httpclient, go-nethttp, chromium)"
    )]
    UnknownClient(String),
    /// A command template that does not parse.
    #[error("bad command template: {0}")]
    BadCommand(String),
    /// A setting out of its range (the command line's `--timeout`, `--jobs`, `--random`,
    /// `--strategies`).
    #[error("{0}")]
    BadSettings(String),
    /// The one program `redirspec client` was asked to check cannot run (not found, say).
    #[error("{0}")]
    Unavailable(String),
    /// The model rejected a scenario (a harness bug).
    #[error("model: {0}")]
    Model(String),
    /// Writing a report failed.
    #[error("cannot write {context}: {error}")]
    Io {
        /// The path being written.
        context: String,
        /// The I/O error (in the message, so not also a `source()`: it would print twice).
        error: std::io::Error,
    },
    /// Serialising a report failed.
    #[error("cannot serialise the report: {0}")]
    Json(serde_json::Error),
}
