//! Decision cases as JSON (feature `cases`): the case format of `redirspec decide` and
//! `redirspec decide --batch`, its results, and the JSON-lines runner.
//!
//! A [`Case`] is one request, one redirect response and the profile to decide under (or, for
//! the redirect memory, earlier exchanges and a time); [`decide`] answers a [`Decision`], the
//! JSON object the command line prints. [`run_batch`] reads one case per line and writes one
//! decision per line, at the speed of the model ([`Batch`] restarts one machine per profile).
//! The command line itself (flags, exit codes) is the `redirspec-cli` package; this module is
//! what a program that writes or reads these lines needs without it.

mod batch;
mod case;
mod lines;

pub use batch::{run_batch, Batch};
pub use case::{
    decide, decide_lines, decision_of, split_header, Case, CaseError, Decision, MemoryEvent,
    RememberedHop, MAX_MEMORY_EVENTS, MAX_RESPONSE_HEADERS,
};
