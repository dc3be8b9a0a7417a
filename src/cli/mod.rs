//! The pieces of the `redirspec` command line that are worth a library API
//! (feature `cli`): the `decide` case format and its JSON results, and the
//! drivers of `redirspec server` and `redirspec response`.

pub mod batch;
pub mod case;
pub mod check;
pub mod lines;

pub use batch::{run_batch, Batch};
pub use case::{
    decide, decide_lines, decision_of, split_header, Case, CaseError, Decision, MemoryEvent,
    RememberedHop,
};
pub use check::{
    exit_status, reports_json, run_response, run_server, CheckError, ServerArgs,
    REPORTS_JSON_SCHEMA,
};
pub use lines::{BoundedLines, LineError};
