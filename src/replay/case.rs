//! The `decide` case line (`redirspec decide --batch` reads one per line):
//! what the command line takes in and what the checks print to replay a
//! divergence, so a pure part (`check`) needs nothing of the CLI to write
//! one. The CLI module re-exports both (`cli::Case`, `cli::MemoryEvent`)
//! and describes the format.

use serde::{Deserialize, Serialize};

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

fn default_body() -> String {
    "none".into()
}
